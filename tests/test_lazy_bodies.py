"""Lazy function bodies: once read, the tree is libcst's whole parse node for node; unread, it costs
no parse; unreadable, a call of it is unseen code; and what the analysis finds never changes."""

from __future__ import annotations

import ast
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontend_helpers import REPO, fixture_projects
from tfscope_lint.analysis import engine, lazy_bodies, parsing
from tfscope_lint.analysis.lazy_bodies import LazyBody, parse_lazily
from tfscope_lint.analysis.outline import _all_facts, _cst_functions
from tfscope_lint.analysis.positions import NodePositions
from tfscope_lint.analysis.project import LAZY_BODIES, SourceFile

sys.path.insert(0, str(REPO / "fuzz"))
sys.path.insert(0, str(REPO / "benchmarks"))
# the comparisons the real-code check makes
from lazy_bodies_check import lazy_bodies as unread_bodies, positions_agree, same  # noqa: E402
from programs import tf_programs  # noqa: E402  (the fuzz tests' generator of TF-shaped projects)


def _parsed(text: str, path: str = "m.py") -> SourceFile:
    source = SourceFile(path, text, "/", "m", False)
    assert source.parse() is not None, source.error
    return source


def _assert_as_whole(text: str) -> None:
    """Unread, the tree generates the whole parse's code without reading a body; with every other body
    read, each node has its position in the whole parse; read in full, the tree, its code, and every
    function's rank and facts are the whole parse's."""
    lazy = _parsed(text)
    whole = cst.parse_module(text)
    assert lazy.tree is not None
    bodies = unread_bodies(lazy.tree)
    assert lazy.tree.code == whole.code and not any(body.is_read for body in bodies)
    for body in bodies[::2]:
        body._read()
    assert positions_agree(lazy.tree, whole)
    assert same(lazy.tree, whole)
    assert lazy.tree.code == whole.code  # not always the text: libcst 1.x drops a second comment line
    # dedented below a block at the end of a file
    ranks = [lazy.function_index().get(id(f)) for f in _cst_functions(list(lazy.tree.body))]
    assert ranks == list(range(len(ranks)))
    names, facts = _all_facts(ast.parse(text), text)
    assert [lazy.function_facts()[id(f)] for f in _cst_functions(list(lazy.tree.body))] == facts  # type: ignore[index]
    assert [f.name.value for f in _cst_functions(list(lazy.tree.body))] == names


OWN_CODE = sorted((REPO / "tfscope_lint").rglob("*.py")) + sorted((REPO / "benchmarks").glob("*.py"))
FIXTURES = sorted((REPO / "fixtures").rglob("*.py"))


@pytest.mark.parametrize("path", OWN_CODE + FIXTURES[::7], ids=lambda p: str(p.relative_to(REPO)))
def test_read_in_full_it_is_the_whole_parse(path: Path) -> None:
    _assert_as_whole(path.read_text(encoding="utf-8"))


LAYOUT = '''import os
{i}# a comment at the module's indent unit, before any block

class Outer(object):
{i}"""Doc."""

{i}class Inner:
{i}{i}def method(self, x,
{i}{i}           y=1):  # a header over two lines
{i}{i}{i}# a comment before the first statement

{i}{i}{i}if x:
{i}{i}{i}{i}return y
{i}{i}{i}for k in range(3):
{i}{i}{i}{i}def nested(a):
{i}{i}{i}{i}{i}return a
{i}{i}{i}{i}y += nested(k)
{i}{i}{i}return y
{i}{i}{i}{i}# a comment of the `for` block, after the function's last statement
{i}{i}# a comment at the class's indent
{i}{i}{i}# and one deeper again

{i}@staticmethod
{i}def odd_indent():
{i}   a = 1
{i}   b = 2
{i}   if a:
{i}        c = 3
{i}   return a + b


async def top(z):
{i}async with z:
{i}{i}await z
{i}x = [1,
2, 3]
{i}return x
{i}{i}# trailing, deeper than the body'''


@pytest.mark.parametrize("unit", ["    ", "  ", "\t", "   "])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("final_newline", [True, False])
def test_layouts_read_back_exactly(unit: str, newline: str, final_newline: bool) -> None:
    text = LAYOUT.format(i=unit).replace("\n", newline) + (newline if final_newline else "")
    _assert_as_whole(text)
    assert len(unread_bodies(_parsed(text).tree)) == 3  # type: ignore[arg-type]


def test_a_body_indented_unlike_the_module_keeps_the_module_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """libcst reads the indent unit and newline from the text it parses; a top-level function's own text
    may have others than its module (two spaces in a module of four, CRLF lines in an LF file)."""
    fixed: List[cst.CSTNode] = []
    real = lazy_bodies._as_in_module
    monkeypatch.setattr(lazy_bodies, "_as_in_module", lambda node, *a: (fixed.append(node), real(node, *a)))
    text = ("class A:\n    def m(self):\n        return 1\n\n\n"
            "def f(x):\r\n  if x:\r\n    y = 1\r\n  z = 2\r\n  return x\r\n\n\n"
            "def g(x):\n  for a in x:\n      b = a\n  c = 1\n  return x\n")
    _assert_as_whole(text)
    assert len(fixed) == 2


@pytest.mark.parametrize("functions", ["", "\n\ndef f(x):\n    a = 1\n    b = 2\n    c = 3\n    return x\n"])
def test_an_indent_unit_libcst_will_not_take_back_is_parsed_whole(functions: str) -> None:
    """A form feed in the first indent (found by the fuzz tests): libcst's config refuses it as a default."""
    _assert_as_whole("import os\nclass A:\n\x0c pass\n" + functions)


INDENTS = st.sampled_from(["  ", "    ", "\t", "   "])
STATEMENTS = st.sampled_from(["x = 1", "# note", "", "if x:\n{i}y = 2", "return x", "pass", "for a in b:\n{i}c(a)",
                              "s = '''one\ntwo'''", "def inner():\n{i}return 1", "while x:\n{i}break\n{i}# end"])


@st.composite
def _modules(draw: st.DrawFn) -> str:
    """Modules of functions and classes at random indents, with comments and blank lines around them."""
    unit = draw(INDENTS)
    lines: List[str] = []
    for number in range(draw(st.integers(1, 4))):
        depth = draw(st.integers(0, 2))
        for level in range(depth):
            lines.append(unit * level + f"class C{number}_{level}:")
        base = unit * depth
        body_unit = draw(INDENTS) if draw(st.booleans()) else unit
        lines.append(base + f"def f{number}(x):")
        for stmt in draw(st.lists(STATEMENTS, min_size=1, max_size=7)):
            for line in stmt.format(i=body_unit).split("\n"):
                lines.append((base + body_unit + line) if line else "")
        lines.append(base + body_unit + "return x")
        for _ in range(draw(st.integers(0, 2))):
            lines.append(unit * draw(st.integers(0, depth + 2)) + "# after")
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(_modules())
def test_random_layouts_read_back_exactly(text: str) -> None:
    try:
        compile(text, "m.py", "exec")
    except SyntaxError:
        return  # e.g. `return` in a class body, a mix of tabs and spaces: not code the lint would parse
    _assert_as_whole(text)


LIBRARY = '''import tensorflow as tf


def used(x):
    """Builds used/w."""
    with tf.variable_scope("used"):
        w = tf.get_variable("w", [4, 4])
        return tf.matmul(x, w)


def never_called(x):
    """Builds never/w."""
    with tf.variable_scope("never"):
        w = tf.get_variable("w", [4, 4])
        return tf.matmul(x, w)
'''


def test_positions_read_no_body_but_those_asked_for() -> None:
    """A finding's place costs the code generation of the module, not the parse of its unread bodies; a
    body read after the positions were made still gets its nodes' places."""
    whole = cst.parse_module(LIBRARY)
    source = _parsed(LIBRARY, "lib.py")
    assert source.tree is not None
    used, never = unread_bodies(source.tree)
    positions = source.positions()
    first = source.tree.body[0]
    assert positions.get(first) == NodePositions(whole).get(whole.body[0]) and not used.is_read
    call = used.body[1].body.body[0].body[0].value  # type: ignore[attr-defined]  # tf.get_variable(...)
    assert isinstance(call, cst.Call) and used.is_read and not never.is_read
    assert positions.get(call) == NodePositions(whole).get(
        whole.body[1].body.body[1].body.body[0].body[0].value)  # type: ignore[attr-defined]
    assert not never.is_read
    # the span of `never_called` ends where its body does: that body is parsed for it
    assert positions.get(source.tree.body[2]) == NodePositions(whole).get(whole.body[2]) and never.is_read


def test_only_the_functions_that_run_are_read() -> None:
    source = _parsed(LIBRARY, "lib.py")
    assert source.tree is not None
    bodies = {body._plan.name: body for body in unread_bodies(source.tree)}
    assert set(bodies) == {"used", "never_called"} and not any(b.is_read for b in bodies.values())
    func = next(f for f in _cst_functions(list(source.tree.body)) if f.name.value == "used")
    assert isinstance(func.body, LazyBody) and func.body.body[0] is not None
    assert bodies["used"].is_read and not bodies["never_called"].is_read


# TF: builds. `make` creates d/w; the reuse finds it. If the analysis took the unread body of `make` for
# one that creates nothing, the reuse would be a false "does not exist".
BUILD_THEN_REUSE = '''import tensorflow as tf


def make(x):
    """Builds d/w."""
    with tf.variable_scope("d"):
        w = tf.get_variable("w", [4, 4])
        return tf.matmul(x, w)


x = tf.placeholder(tf.float32, [None, 4])
make(x)
with tf.variable_scope("d", reuse=True):
    tf.get_variable("w", [4, 4])
'''


def test_a_body_libcst_cannot_read_is_unseen_code_not_an_empty_function(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    real = parsing.parse_module

    def refusing(text: str, config: Optional[cst.PartialParserConfig] = None) -> cst.Module:
        if config is not None and "def make" in text:  # the read of make's body, not the skeleton
            raise cst.ParserSyntaxError("not this one", lines=[""], raw_line=1, raw_column=0)
        return real(text, config)

    path = tmp_path / "train.py"
    path.write_text(BUILD_THEN_REUSE)
    sources = {str(path): BUILD_THEN_REUSE}
    assert engine.analyze(sources, jobs=1)[0] == []
    monkeypatch.setattr(parsing, "parse_module", refusing)
    source = _parsed(BUILD_THEN_REUSE)
    body = unread_bodies(source.tree)[0]  # type: ignore[arg-type]
    assert body.failure() is not None and "libcst cannot parse (" in body.failure()  # type: ignore[operator]
    findings, _ = engine.analyze(sources, jobs=1)
    assert findings == []  # with the body taken as empty, TFS103 "d/w does not exist" on line 14


def test_short_bodies_and_one_line_functions_are_parsed_with_the_module() -> None:
    text = "def short(x):\n    return x\n\n\ndef one_line(x): return x; y = 1; z = 2; w = 3\n"
    source = _parsed(text)
    assert unread_bodies(source.tree) == []  # type: ignore[arg-type]
    assert lazy_bodies.MIN_BODY_LINES > 2


def test_a_module_python_rejects_is_not_parsed_lazily() -> None:
    source = SourceFile("bad.py", "def f(x):\n    a = 1\n    b = 2\n    return a +\n", "/", "bad", False)
    assert source.parse() is None and source.error is not None and source.error[0] == 4


def test_unmatched_trees_fall_back_to_the_whole_parse() -> None:
    other = LIBRARY.replace("def never_called", "def renamed")
    assert parse_lazily(LIBRARY, ast.parse(other), parsing.parse_module) is None  # Python's tree of other text
    assert parse_lazily(LIBRARY, ast.parse(LIBRARY), parsing.parse_module) is not None


@pytest.mark.parametrize("project", fixture_projects(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_findings_are_the_same_with_and_without_lazy_bodies(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources: Dict[str, str] = {str(p): p.read_text() for p in sorted(project.rglob("*.py"))}
    lazy = engine.analyze(sources, jobs=1)
    monkeypatch.setenv(LAZY_BODIES, "0")
    assert engine.analyze(sources, jobs=1) == lazy


@settings(deadline=None, max_examples=25, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(tf_programs())
def test_findings_are_the_same_with_and_without_lazy_bodies_on_generated_programs(files: Dict[str, str]) -> None:
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as folder:
        sources = {}
        for name, text in files.items():
            path = Path(folder) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            sources[str(path)] = text
        lazy = engine.analyze(sources, jobs=1)
        patch.setenv(LAZY_BODIES, "0")
        assert engine.analyze(sources, jobs=1) == lazy
