"""The abstract `in` / `not in` of the interpreter's builtins: certain only when every item decides."""

from __future__ import annotations

from typing import Optional

import pytest

from tfscope_lint.analysis.builtins_impl import compare
from tfscope_lint.analysis.values import Const, SeqVal, Unknown, Value


@pytest.mark.parametrize("needle, items, inside", [
    (Const("w"), [Unknown("x"), Const("w")], True),  # one item certainly equal: in, whatever the others are
    (Const("w"), [Const("v"), Unknown("x")], None),  # no equal item, one unknown: either way
    (Const("w"), [Const("v"), Const("b")], False),  # every item certainly different
    (Const("w"), [], False),
    (Unknown("x"), [Const("v")], None),
])
def test_membership_in_a_list(needle: Value, items: list, inside: Optional[bool]) -> None:
    assert compare("In", needle, SeqVal(items)) is inside
    assert compare("NotIn", needle, SeqVal(items)) is (None if inside is None else not inside)
