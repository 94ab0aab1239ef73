"""Backend: checked IR -> a readable Python module per domain (Jinja2 templates)."""

from .generator import GeneratedModule, digest_of, execute, generate_source, load_module, source_diagnostics
from .names import GenerationError

__all__ = ["GeneratedModule", "GenerationError", "digest_of", "execute", "generate_source", "load_module",
           "source_diagnostics"]
