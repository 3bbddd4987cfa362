"""The unvalidated parse gives libcst's own tree, and leaves validation on for everyone else."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from tfscope_lint.analysis.parsing import parse_module

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", sorted((REPO / "fixtures" / "core").glob("*.py"))[:40]
                         + sorted((REPO / "tfscope_lint" / "analysis").glob("*.py")), ids=lambda p: p.name)
def test_same_tree_as_libcst(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    tree = parse_module(text)
    assert tree.deep_equals(cst.parse_module(text))
    assert tree.code == text


def test_validation_is_back_after_parsing_and_after_a_syntax_error() -> None:
    parse_module("x = 1\n")
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("x = = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")
