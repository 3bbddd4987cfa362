"""Positions from offsets and a line table are exactly libcst's PositionProvider's, node for node."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from tfscope_lint.analysis.positions import NodePositions

REPO = Path(__file__).resolve().parent.parent
SAMPLES = sorted((REPO / "fixtures" / "core").glob("*.py"))[:30] + sorted((REPO / "tfscope_lint").rglob("*.py"))[:20]
ODD = {
    "crlf": "import tensorflow as tf\r\nwith tf.variable_scope('a'):\r\n    w = tf.get_variable(\r\n        'w', [1])\r\n",
    "cr_only": "x = 1\ry = (2,\r     3)\r",
    "tabs_and_comments": "if True:\n\t# note\n\tx = f(  # call\n\t\t1)\n\n\n@dec\ndef g(a, *, b=2):\n\treturn a\n",
    "no_trailing_newline": "x = [1,\n     2]",
    "strings": 'x = """a\nb"""; y = f"{x!r:>{10}}" \\\n    + "z"\n',
}


def _same_as_libcst(text: str) -> None:
    tree = cst.parse_module(text)
    expected = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    mine = NodePositions(tree)
    for node, where in expected.items():
        assert mine.get(node) == (where.start.line, where.start.column, where.end.line, where.end.column), node


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_real_files(path: Path) -> None:
    _same_as_libcst(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_layouts(name: str) -> None:
    _same_as_libcst(ODD[name])


def test_a_node_of_another_tree_has_no_position() -> None:
    assert NodePositions(cst.parse_module("x = 1\n")).get(cst.Name("x")) is None


ODD_FUNCTIONS = {
    "decorated": "@a\n@b(\n  1)\ndef f(x):\n    # c\n\n    return g(\n        x)\n",
    "async_nested": "class C:\n    async def m(self):\n        def inner():\n            return h()\n        await inner()\n",
    "continued_def": "def \\\n  f(a,\n    b):\n    if a:\n        pass\n    return b\n",
    "crlf": "def f():\r\n    x = 1\r\n    return [x,\r\n            2]\r\n",
}


def _lines_in_functions_as_in_module(text: str) -> int:
    """Every node inside every function has the same line from that function's code alone as from the
    module's; returns how many were compared."""
    from tfscope_lint.analysis.outline import _cst_functions, outline, parse_python
    from tfscope_lint.analysis.positions import line_in_function

    tree = cst.parse_module(text)
    functions = list(_cst_functions(tree.body))
    facts = outline(parse_python(text), functions, text)
    assert facts is not None
    whole = NodePositions(tree)
    compared = 0
    for function in functions:
        def_line = facts[id(function)].line
        nodes = list(_walk(function))
        for node in nodes[::max(1, len(nodes) // 12)]:  # a spread of its nodes: each check regenerates the function
            assert line_in_function(tree, function, def_line, node) == whole.get(node)[0], (function.name.value, node)
            compared += 1
    return compared


def _walk(node: cst.CSTNode):  # type: ignore[no-untyped-def]
    yield node
    for child in node.children:
        yield from _walk(child)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_lines_from_one_function_are_the_module_lines(path: Path) -> None:
    _lines_in_functions_as_in_module(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(ODD_FUNCTIONS))
def test_lines_from_one_function_in_odd_layouts(name: str) -> None:
    assert _lines_in_functions_as_in_module(ODD_FUNCTIONS[name]) > 5


def test_a_node_outside_the_function_has_no_line_from_it() -> None:
    from tfscope_lint.analysis.positions import line_in_function

    tree = cst.parse_module("def f():\n    return 1\nx = 2\n")
    function, outside = tree.body[0], tree.body[1]
    assert line_in_function(tree, function, 1, outside) is None
