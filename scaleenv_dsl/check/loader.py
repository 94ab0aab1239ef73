"""Read a spec's files: the root files, then every `include`, safely.

One rule holds for every file read from a spec's folder, the root files included:
it must resolve (links followed) to a file inside the folder that holds the first
root file as it was named. A spec written by an LLM must not make the checker
read (and echo back in diagnostics) files elsewhere on the machine.

Each file is read once, by its resolved path, however many includes name it and
under whatever name: a file that includes itself, directly or not, is a cycle,
reported once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import ast
from ..diagnostics import Diagnostic, Severity, Span
from ..parse import MAX_SOURCE_BYTES, parse_source

MAX_FILES = 200


@dataclass
class LoadedSpec:
    modules: list[ast.Module] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    root_dir: Path | None = None
    # resolved path -> the name it was first read by; and the chain of files being read now
    read: dict[Path, str] = field(default_factory=dict)
    reading: list[Path] = field(default_factory=list)


def load_source(text: str, file: str, root_dir: Path | None = None) -> LoadedSpec:
    spec = LoadedSpec(root_dir=root_dir)
    _add_module(spec, text, file, Path(file).resolve() if root_dir else None)
    return spec


def load_paths(paths: list[str]) -> LoadedSpec:
    spec = LoadedSpec(root_dir=spec_folder(paths[0]) if paths else None)
    for path in paths:
        # a file named on the command line is the user's choice; only a link out of its own folder is refused
        target = contained(spec_folder(path), Path(path))
        if target is None:
            spec.diagnostics.append(Diagnostic(
                "spec-outside-root", f"`{path}` resolves outside the spec's folder", Span(path, 1, 1, 1, 1),
                "a spec file that is a link must point into the spec's folder: copy the file there instead"))
            continue
        _load_file(spec, target, display=path, cause=None)
    return spec


def spec_folder(root_file: str | Path) -> Path:
    """The folder a spec's files must stay in: the one holding its root file as named.

    Only the folder is resolved: a root file that is a link does not move the folder to
    wherever the link points.
    """
    return Path(root_file).absolute().parent.resolve()


def contained(root_dir: Path | None, path: Path) -> Path | None:
    """`path` resolved, links followed; None if that leaves `root_dir` or cannot be resolved."""
    if root_dir is None:
        return None
    try:
        target = path.resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a link loop on older Pythons
        return None
    return target if target.is_relative_to(root_dir) else None


def _load_file(spec: LoadedSpec, path: Path, display: str, cause: ast.IncludeDecl | None) -> None:
    if path in spec.read:
        if path in spec.reading and cause is not None:
            spec.diagnostics.append(_cycle(cause, spec.read[path]))
        return  # already read: includes may form a diamond
    if len(spec.read) >= MAX_FILES:
        spec.diagnostics.append(Diagnostic("too-many-files", f"a spec may span at most {MAX_FILES} files",
                                           _cause_span(cause, display), "merge some of the files"))
        return
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            text = "x" * (MAX_SOURCE_BYTES + 1)  # parse_source reports the size
        else:
            text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as err:
        spec.diagnostics.append(Diagnostic("file-not-found", f"cannot read `{display}`: {err.strerror}",
                                           _cause_span(cause, display), "check the path"))
        return
    spec.read[path] = display
    spec.reading.append(path)
    _add_module(spec, text, display, path)
    spec.reading.pop()


def _cycle(cause: ast.IncludeDecl, first_read_as: str) -> Diagnostic:
    return Diagnostic(
        "include-cycle",
        f"this include leads back to `{first_read_as}`, which is being read: the includes form a cycle",
        cause.path.span, "remove this include: every file of a spec sees the declarations of all the others",
        Severity.WARNING)


def _add_module(spec: LoadedSpec, text: str, display: str, path: Path | None) -> None:
    # Windows editors start UTF-8 files with a byte order mark: it is not part of the text
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    spec.sources[display] = text
    result = parse_source(text, display)
    spec.diagnostics.extend(result.diagnostics)
    spec.modules.append(result.module)
    for decl in result.module.decls:
        if isinstance(decl, ast.IncludeDecl):
            _follow_include(spec, decl, display, path)


def _follow_include(spec: LoadedSpec, decl: ast.IncludeDecl, display: str, path: Path | None) -> None:
    if spec.root_dir is None or path is None:
        spec.diagnostics.append(Diagnostic(
            "include-unavailable", "`include` needs a spec read from a file", decl.path.span,
            "check the spec by its path, or paste the included declarations into it"))
        return
    target = resolve_inside(spec.root_dir, path, decl.path.value)
    if target is None:
        spec.diagnostics.append(Diagnostic(
            "include-outside-root", f"`{decl.path.value}` is outside the spec's folder", decl.path.span,
            "include only `.sedl` files in the spec's folder or below it"))
        return
    if target.suffix != ".sedl":
        spec.diagnostics.append(Diagnostic("include-not-sedl", f"`{decl.path.value}` is not a `.sedl` file",
                                           decl.path.span, "spec files end in `.sedl`"))
        return
    shown = str(Path(display).parent / decl.path.value) if path else decl.path.value
    _load_file(spec, target, shown, decl)


def resolve_inside(root_dir: Path | None, including: Path | None, relative: str) -> Path | None:
    """`relative` resolved against the including file, or None if it leaves `root_dir`."""
    if including is None or not relative or Path(relative).is_absolute():
        return None
    return contained(root_dir, including.parent / relative)


def _cause_span(cause: ast.IncludeDecl | None, display: str) -> Span:
    return cause.path.span if cause is not None else Span(display, 1, 1, 1, 1)
