"""Formatters: turn a RunResult into one output format. They know nothing of TensorFlow."""

from __future__ import annotations

from typing import Callable, Dict

from tfscope_lint.findings import RunResult
from tfscope_lint.output.common import Context
from tfscope_lint.output.github import write_github
from tfscope_lint.output.junit import write_junit
from tfscope_lint.output.machine import write_json, write_json_lines
from tfscope_lint.output.sarif import write_sarif
from tfscope_lint.output.text import write_concise, write_full

Formatter = Callable[[RunResult, Context], None]

FORMATS: Dict[str, Formatter] = {
    "concise": write_concise,
    "full": write_full,
    "json": write_json,
    "json-lines": write_json_lines,
    "sarif": write_sarif,
    "github": write_github,
    "junit": write_junit,
}

__all__ = ["FORMATS", "Context", "Formatter"]
