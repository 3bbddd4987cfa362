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
