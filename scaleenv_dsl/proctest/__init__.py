"""Procedural tests derived from the tool contracts: `scaleenv test`.

No test is written by hand or by a model: inputs come from the data and the parameter domains,
the expected outcomes from the contracts, and the oracle for what a call returns and changes is
the compiled spec itself, recorded once and replayed against whatever runs later (a mutant of the
spec, or the module `scaleenv compile` wrote).

    data       a picture of the state for choosing inputs: rows, the rows they reference, pools
    inputs     candidate arguments for one tool, and one-argument variations of a call
    trace      which spec statements a call executed, so that a guard counts as passed only when reached
    cases      the cases format (as `scaleenv replay` reads it): recording and checking a case
    search     both outcomes of every guard
    walks      random walks: invariants, atomicity, determinism, reset
    shrink     the smallest sequence of calls that still shows a failure
    mutants    the spec's IR mutated, and the share of mutants the generated tests tell apart
    analysis   static facts about guards (a condition that is constant), for the linter too
    runner     all of the above, and the report
    artifact   the pytest file `scaleenv compile` writes

This package is imported by the command line only inside its commands: importing it costs nothing.
"""
