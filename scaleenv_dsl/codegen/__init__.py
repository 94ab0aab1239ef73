"""Backend: checked IR -> a readable Python module per domain (Jinja2 templates)."""

from .generator import (GeneratedModule, digest_of, execute, generate_source, load_module, module_from_source,
                        source_diagnostics)
from .names import GenerationError

__all__ = ["GeneratedModule", "GenerationError", "digest_of", "execute", "generate_source", "load_module",
           "module_from_source", "source_diagnostics"]
