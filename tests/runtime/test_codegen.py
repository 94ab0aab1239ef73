"""The generated module: its shape, its safety checks, caching and dumping."""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import replace

import pytest

from scaleenv_dsl import ir
from scaleenv_dsl.api import compile_domain
from scaleenv_dsl.codegen import GenerationError, execute, generate_source, load_module
from scaleenv_dsl.codegen.names import literal, spec_comment
from scaleenv_dsl.runtime import State


def test_one_function_per_tool_with_spec_locations(shop):
    source = shop.source
    tree = ast.parse(source)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for tool in shop.ir.tools:
        fn = functions[f"tool_{tool.name}"]
        first_line = source.splitlines()[fn.lineno]
        assert first_line.strip() == f"# spec: shop.sedl:{tool.loc.line}"


def test_generated_code_imports_only_the_runtime(shop, library):
    for domain in (shop, library):
        imports = [n for n in ast.walk(ast.parse(domain.source)) if isinstance(n, (ast.Import, ast.ImportFrom))]
        assert [ast.unparse(n) for n in imports] == ["import scaleenv_dsl.runtime as _rt"]


def test_spec_names_appear_only_with_prefixes(shop):
    names = {n.id for n in ast.walk(ast.parse(shop.source)) if isinstance(n, ast.Name)}
    for name in names:
        assert re.match(r"(v_|tool_|copy_|check_|goal_|_|[A-Z]+$)", name) or name in (
            "v", "c", "x", "tag", "len", "round", "abs", "min", "max", "sum", "any", "all", "sorted", "str",
            "int", "float", "zip", "enumerate", "list", "next", "type", "dict"), name


def test_generated_module_runs_with_allow_listed_builtins():
    namespace = execute("def f():\n    return open\n", "<test>")
    with pytest.raises(NameError):
        namespace["f"]()
    with pytest.raises(ImportError):
        execute("import os\n", "<test>")


def test_modules_are_cached_by_ir_content(shop):
    assert load_module(shop.ir) is shop.module
    copy = ir.Domain.model_validate_json(shop.ir.model_dump_json())
    assert load_module(copy) is shop.module


def test_dumped_source_is_an_importable_module(shop, tmp_path):
    path = compile_domain(shop.ir, dump_source=tmp_path)
    assert path is not None
    target = tmp_path / "shop_env.py"
    assert target.read_text() == shop.source
    spec = importlib.util.spec_from_file_location("shop_env", target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    state = State({"orders": {"o1": {"order_id": "o1", "status": "open"}}, "customers": {}})
    assert module.TOOLS["get_order"](state, "o1") == {"order_id": "o1", "status": "open"}


@pytest.mark.parametrize("field, bad", [
    ("tool", "x(): pass\nimport os\ndef y"),
    ("param", "a, b=__import__('os')"),
    ("entity", "Order Evil"),
    ("local", "v; import os"),
    ("tool", "ünïcode"),
    ("local", "x" * 500),
])
def test_generator_rejects_names_that_are_not_identifiers(shop, field, bad):
    domain = shop.ir
    if field == "tool":
        domain = replace(domain, tools=[replace(domain.tools[0], name=bad)])
    elif field == "param":
        tool = domain.tools[0]
        domain = replace(domain, tools=[replace(tool, params=[replace(tool.params[0], name=bad)])])
    elif field == "entity":
        domain = replace(domain, entities=[replace(domain.entities[0], name=bad)])
    else:
        tool = next(t for t in domain.tools if t.name == "order_summary")
        domain = replace(domain, tools=[replace(tool, body=[replace(tool.body[0], name=bad)])])
    with pytest.raises(GenerationError):
        generate_source(domain)


@pytest.mark.parametrize("kind", ["writes", "message", "__class__", "expr"])
def test_generator_dispatches_only_on_known_kinds(shop, kind):
    tool = next(t for t in shop.ir.tools if t.name == "divide")
    ret = tool.body[0]
    bad_value = replace(ret.value, kind=kind)
    domain = replace(shop.ir, tools=[replace(tool, body=[replace(ret, value=bad_value)])])
    with pytest.raises(GenerationError):
        generate_source(domain)
    with pytest.raises(GenerationError):
        generate_source(replace(shop.ir, tools=[replace(tool, body=[replace(ret, kind=kind)])]))


@pytest.mark.parametrize("value", [
    '"""', "'''", "a\nb\r\x00\x07", "\\", "{{ x }}{% if %}", "__import__('os').system('x')", "\ud800", 1e300,
    -0.0, 2 ** 60, [1, {"k": ['"']}], {"a\nb": None}, True,
])
def test_literals_evaluate_to_the_value(value):
    assert ast.literal_eval(literal(value)) == value


def test_non_finite_floats_and_odd_values():
    assert eval(literal(float("inf")), {"float": float}) == float("inf")
    with pytest.raises(GenerationError):
        literal(object())
    with pytest.raises(GenerationError):
        literal({1: 2})


def test_spec_comments_are_one_safe_line():
    loc = ir.Loc(file="dir/evil\nimport os #.sedl", line=3, column=1, end_line=3, end_column=2)
    comment = spec_comment(loc)
    assert "\n" not in comment and comment == "# spec: evil_import_os__.sedl:3"


@pytest.mark.parametrize("op", ["*=", ";=", "\n=", "+", ""])
def test_generator_rejects_unknown_assignment_operators(shop, op):
    tool = next(t for t in shop.ir.tools if t.name == "add_line")
    index, assign = next((i, s) for i, s in enumerate(tool.body) if isinstance(s, ir.AssignStmt))
    body = list(tool.body)
    body[index] = replace(assign, op=op)
    with pytest.raises(GenerationError):
        generate_source(replace(shop.ir, tools=[replace(tool, body=body)]))
    rename = next(t for t in shop.ir.tools if t.name == "rename")
    index, assign = next((i, s) for i, s in enumerate(rename.body)
                         if isinstance(s, ir.AssignStmt) and isinstance(s.target, ir.Var))
    body = list(rename.body)
    body[index] = replace(assign, op=op)
    with pytest.raises(GenerationError):
        generate_source(replace(shop.ir, tools=[replace(rename, body=body)]))
