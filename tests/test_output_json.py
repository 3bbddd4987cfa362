"""The JSON and JSON-lines formats: a pinned schema, so that programs reading them can rely on it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from frontend_helpers import cli, fake_analysis, needs_interpreter, write, BUILDER_TWICE  # noqa: F401
from tfscope_lint.findings import Finding, Location, Related, RunResult
from tfscope_lint.output.common import Context
from tfscope_lint.output.machine import finding_dict, write_json

POSITION = {"type": "integer", "minimum": 1}
SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["code", "name", "severity", "message", "path", "line", "column",
                     "end_line", "end_column", "related"],
        "properties": {
            "code": {"type": "string", "pattern": "^TFS[0-9]{3}$"},
            "name": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
            "severity": {"enum": ["error", "warning"]},
            "message": {"type": "string", "minLength": 1},
            "path": {"type": "string"},
            "line": POSITION, "column": POSITION, "end_line": POSITION, "end_column": POSITION,
            "related": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["path", "line", "column", "message"],
                    "properties": {"path": {"type": "string"}, "line": POSITION, "column": POSITION,
                                   "message": {"type": "string"}},
                },
            },
        },
    },
}


def test_finding_dict_is_exact() -> None:
    finding = Finding("TFS105", "Trying to share variable 'e/t' ...", Location("m.py", 7, 5, 7, 40),
                      related=(Related(Location("m.py", 3, 9, 3, 30), "'e/t' was first created here"),))
    assert finding_dict(finding) == {
        "code": "TFS105", "name": "shape-mismatch", "severity": "error",
        "message": "Trying to share variable 'e/t' ...", "path": "m.py",
        "line": 7, "column": 5, "end_line": 7, "end_column": 40,
        "related": [{"path": "m.py", "line": 3, "column": 9, "message": "'e/t' was first created here"}],
    }


def test_unknown_end_collapses_onto_the_start() -> None:
    data = finding_dict(Finding("TFS201", "m", Location("m.py", 4, 2)))
    assert (data["end_line"], data["end_column"], data["severity"]) == (4, 2, "warning")


def test_empty_run_is_an_empty_array(tmp_path: Path) -> None:
    import io

    stream = io.StringIO()
    write_json(RunResult(), Context(stream))
    assert json.loads(stream.getvalue()) == []


@pytest.mark.usefixtures("fake_analysis")
def test_json_through_the_cli_matches_the_schema(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "w = 1  # fake: TFS102\nv = 2  # fake: TFS202\n")
    result = cli(["check", "--output-format", "json", str(tmp_path)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    assert [(d["code"], d["severity"]) for d in data] == [("TFS102", "error"), ("TFS202", "warning")]


@pytest.mark.usefixtures("fake_analysis")
def test_json_lines_is_one_object_per_line(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "w = 1  # fake: TFS102\nv = 2  # fake: TFS202\n")
    result = cli(["check", "--output-format", "json-lines", str(tmp_path)])
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    jsonschema.validate([json.loads(line) for line in lines], SCHEMA)


@needs_interpreter
def test_real_findings_match_the_schema() -> None:
    result = cli(["check", "--output-format", "json", str(BUILDER_TWICE)])
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    assert any(d["code"] == "TFS102" and d["line"] == 5 for d in data)
