"""Formatters: turn a RunResult into one output format. They know nothing of TensorFlow."""

from __future__ import annotations

from importlib import import_module
from typing import Callable, Dict

from tfscope_lint.findings import RunResult
from tfscope_lint.output.common import Context

Formatter = Callable[[RunResult, Context], None]


def _on_first_use(module: str, function: str) -> Formatter:
    """The writer `function` of output/`module`.py, imported when called: a run loads one format's code
    (and rich only for the human formats)."""
    def write(result: RunResult, ctx: Context) -> None:
        getattr(import_module(f"tfscope_lint.output.{module}"), function)(result, ctx)
    write.__name__ = function
    return write


FORMATS: Dict[str, Formatter] = {
    "concise": _on_first_use("text", "write_concise"),
    "full": _on_first_use("text", "write_full"),
    "json": _on_first_use("machine", "write_json"),
    "json-lines": _on_first_use("machine", "write_json_lines"),
    "sarif": _on_first_use("sarif", "write_sarif"),
    "github": _on_first_use("github", "write_github"),
    "junit": _on_first_use("junit", "write_junit"),
}

__all__ = ["FORMATS", "Context", "Formatter"]
