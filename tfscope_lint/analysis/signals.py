"""The interpreter's constants and the signals its parts raise to unwind the abstract program.

They live apart so that every part of the interpreter, and `tfapi`, can raise and catch them without
importing the interpreter itself.
"""

from __future__ import annotations

from tfscope_lint.analysis.values import Value

MAX_DEPTH = 40
MAX_UNROLL = 64
MAX_STEPS = 200_000
ALONE_DEPTH = 3  # the function and two levels of the helpers it calls
ALONE_STEPS = 3_000
CONSTRUCTOR_STEPS = 20_000  # a class nothing instantiates, built as an entry of its own


class ReturnSignal(Exception):
    def __init__(self, value: Value) -> None:
        self.value = value


class BreakSignal(Exception):
    pass


class ContinueSignal(Exception):
    pass


class RaiseSignal(Exception):
    """The abstract program raises here (a `raise`, or a TF error inside a handling `try`)."""

    def __init__(self, kind: str = "Exception") -> None:
        self.kind = kind


class BudgetExceeded(Exception):
    pass


EXCEPTION_FAMILY = {
    "ValueError": {"ValueError", "Exception", "BaseException", "StandardError"},
    "TypeError": {"TypeError", "Exception", "BaseException", "StandardError"},
}
