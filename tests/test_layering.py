"""The pipeline's layering: stages import in one direction only.

No lark object leaves the parser, and no backend reads the AST: later stages
see only the checked IR.
"""

import ast as pyast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "scaleenv_dsl"
FRONT_END = {"parse", "ast", "check", "diagnostics", "resources", "cli", "__main__", "__init__", "ir",
             "fmt", "fmt_cmd"}


def _imports(path: Path) -> set[str]:
    tree = pyast.parse(path.read_text())
    names = set()
    for node in pyast.walk(tree):
        if isinstance(node, pyast.ImportFrom):
            module = node.module or ""
            names.add(("." * node.level) + module)
            names.update(("." * node.level) + (module + "." if module else "") + a.name for a in node.names)
        elif isinstance(node, pyast.Import):
            names.update(a.name for a in node.names)
    return names


def _stage(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def test_only_the_parser_imports_lark():
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if _stage(p) != "parse" and any(n == "lark" or n.startswith("lark.") for n in _imports(p))]
    assert offenders == []


def test_backends_do_not_read_the_ast():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if _stage(path) in FRONT_END:
            continue
        reads_ast = any(n.endswith(".ast") or n.endswith("import ast") or n in ("..ast", ".ast")
                        or n.rstrip(".").endswith("scaleenv_dsl.ast") for n in _imports(path))
        if reads_ast:
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_the_checker_does_not_import_backends():
    backends = {"codegen", "runtime", "api", "replay", "author", "graph", "prove", "synth", "proctest", "serve",
                "gym", "rollout", "lint"}
    for path in (PACKAGE / "check").rglob("*.py"):
        for name in _imports(path):
            parts = name.lstrip(".").split(".")
            assert parts[0] not in backends, f"{path.name} imports {name}"


def _internal_imports(path: Path) -> set[str]:
    """The package modules `path` imports, by their first name under scaleenv_dsl."""
    stage_depth = len(path.relative_to(PACKAGE).parts) - 1
    out = set()
    for name in _imports(path):
        level = len(name) - len(name.lstrip("."))
        if level == 0:
            if name.startswith("scaleenv_dsl."):
                out.add(name.split(".")[1])
            continue
        parts = name.lstrip(".").split(".")
        if level > stage_depth and parts[0]:  # `..x` from a sub-package, `.x` from a top-level module
            out.add(parts[0])
    return out


def test_the_front_end_imports_only_earlier_stages():
    earlier = {
        "errorcodes": set(),
        "diagnostics": {"errorcodes"},
        "ast": {"diagnostics"},
        "ir": set(),
        "dates": set(),  # how ISO dates are read: shared by the checker, types_fit and the runtime
        "types_fit": {"ir", "dates"},  # does a value fit a type: shared by the checker and the runtime
        "strict_json": set(),  # reading data as the language does: shared by the checker and the api
        "parse": {"ast", "diagnostics", "resources"},
        "check": {"ast", "diagnostics", "ir", "parse", "types_fit", "strict_json", "dates"},
    }
    for stage, allowed in earlier.items():
        files = [PACKAGE / f"{stage}.py"] if (PACKAGE / f"{stage}.py").exists() else list((PACKAGE / stage).rglob("*.py"))
        for path in files:
            extra = _internal_imports(path) - allowed - {stage}
            assert not extra, f"{path.relative_to(PACKAGE)} imports {sorted(extra)}"


def test_the_agent_backends_use_only_the_public_environment():
    """rollout drives episodes through the api's Env (and reuses author's SDK helpers); gym wraps
    rollout's episodes. Neither reaches into the runtime, the compiler or another backend."""
    allowed = {"rollout": {"ir", "api", "author"}, "gym": {"ir", "api", "rollout"}}
    for stage, stage_allowed in allowed.items():
        for path in (PACKAGE / stage).rglob("*.py"):
            extra = _internal_imports(path) - stage_allowed - {stage}
            assert not extra, f"{path.relative_to(PACKAGE)} imports {sorted(extra)}"


def _private_uses(path: Path) -> list[str]:
    """`x._name` on anything but self/cls, and `from m import _name`: another module's private members."""
    uses = []
    for node in pyast.walk(pyast.parse(path.read_text())):
        if isinstance(node, pyast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            if not (isinstance(node.value, pyast.Name) and node.value.id in ("self", "cls")):
                uses.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: .{node.attr}")
        elif isinstance(node, pyast.ImportFrom):
            uses += [f"{path.relative_to(PACKAGE)}:{node.lineno}: import {a.name}" for a in node.names
                     if a.name.startswith("_") and not a.name.startswith("__")]
    return uses


def test_no_module_reaches_into_another_modules_private_members():
    offenders = [use for path in sorted(PACKAGE.rglob("*.py")) for use in _private_uses(path)]
    assert offenders == []


def test_the_graph_reads_only_the_ir():
    # The analysis and the pictures see the checked IR alone; only `scaleenv graph` loads a spec.
    loaders = {"api", "check", "diagnostics"}
    for path in sorted((PACKAGE / "graph").glob("*.py")):
        extra = _internal_imports(path) - {"ir", "graph"} - (loaders if path.name == "cli.py" else set())
        assert not extra, f"graph/{path.name} imports {sorted(extra)}"


def test_the_prover_reads_the_ir_and_runs_the_runtime_but_no_other_backend():
    # prove/ analyses the IR and executes through api/runtime; the graph, synthesis and the rest are its peers
    allowed = {"prove", "ir", "check", "diagnostics", "runtime", "api", "codegen"}
    for path in (PACKAGE / "prove").rglob("*.py"):
        extra = _internal_imports(path) - allowed
        assert not extra, f"{path.relative_to(PACKAGE)} imports {sorted(extra)}"


def test_the_server_reads_only_the_ir_the_runtime_and_the_loader():
    """`serve` is a backend: it reads the IR, runs the runtime's envs and uses the tool schemas,
    and never another backend's parts; nothing below it imports it."""
    allowed = {"serve", "api", "runtime", "schemas", "ir"}
    for path in (PACKAGE / "serve").rglob("*.py"):
        extra = _internal_imports(path) - allowed
        assert not extra, f"{path.relative_to(PACKAGE)} imports {sorted(extra)}"
    for stage in ("runtime", "api", "schemas", "ir"):
        files = [PACKAGE / f"{stage}.py"] if (PACKAGE / f"{stage}.py").exists() else list((PACKAGE / stage).rglob("*.py"))
        for path in files:
            assert "serve" not in _internal_imports(path), f"{path.relative_to(PACKAGE)} imports serve"


def test_the_cli_loads_the_server_only_when_it_serves():
    """`scaleenv check` must start without the MCP SDK: the subcommand module imports none of it."""
    for name in ("cli.py", "episodes.py", "__init__.py"):
        heavy = {n for n in _imports(PACKAGE / "serve" / name)
                 if n.split(".")[0] in ("mcp", "mcp_types", "starlette", "uvicorn", "anyio")}
        assert not heavy, f"serve/{name} imports {sorted(heavy)}"

def _imports_of_stage(stage: str) -> set[str]:
    files = [PACKAGE / f"{stage}.py"] if (PACKAGE / f"{stage}.py").exists() else list((PACKAGE / stage).rglob("*.py"))
    return {name for path in files for name in _internal_imports(path)} - {stage}


def test_the_procedural_tests_and_info_read_the_ir_and_the_runtime_not_other_backends():
    allowed = {
        "proctest": {"ir", "api", "runtime", "codegen", "replay"},   # executes specs: compiles and runs them
        "info": {"ir", "api", "check", "graph", "diagnostics"},      # only reads the checked IR
    }
    for stage, stages in allowed.items():
        assert _imports_of_stage(stage) <= stages, (stage, sorted(_imports_of_stage(stage) - stages))


def test_only_the_command_line_reaches_inside_the_procedural_tests():
    # proctest.analysis (static facts about guards) is for every stage, the linter first; the rest
    # of the package is reached through the `test` command and the artifact `compile` writes
    for path in PACKAGE.rglob("*.py"):
        if _stage(path) in ("proctest", "cli", "compile_cmd"):
            continue
        for name in _imports(path):
            parts = name.lstrip(".").split(".")
            if "proctest" in parts:
                assert parts[parts.index("proctest") + 1:][:1] == ["analysis"], f"{path.name} imports {name}"


def test_lint_reads_the_ir_and_the_checkers_public_parts():
    # The rules see the checked IR, with the checker's static evaluator; reachability asks the graph
    # for its data edges; only `scaleenv lint` itself resolves a stdlib domain name (through the api).
    allowed = {"ir", "diagnostics", "errorcodes", "check", "graph", "lint"}
    for path in sorted((PACKAGE / "lint").glob("*.py")):
        extra = _internal_imports(path) - allowed - ({"api"} if path.name == "cli.py" else set())
        assert not extra, f"lint/{path.name} imports {sorted(extra)}"
