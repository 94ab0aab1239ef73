"""Task synthesis by graph expansion: sample a write chain, ground it in the data, take the user's
facts from the witness's argument sources, prove each candidate, emit the proved ones.

    chains -> ground -> knows -> proofs -> instruction -> emit_json (run orchestrates, cli parses)

    from scaleenv_dsl.synth import SynthOptions, synthesize
    document = synthesize(load_domain("retail"), SynthOptions(n=100, seed=1))
"""

import importlib

__all__ = ["SynthOptions", "synthesize"]


def __getattr__(name):
    # lazy, so that registering `scaleenv synth` does not import the prover at start-up
    if name in __all__:
        return getattr(importlib.import_module(".run", __name__), name)
    raise AttributeError(name)
