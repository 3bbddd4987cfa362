"""Formats for programs: `json` (one array) and `json-lines` (one object per line, streamable).

The object schema is pinned by tests/test_output_json.py; change it only with a version bump.
"""

from __future__ import annotations

import json
from typing import Any, Dict

from tfscope_lint.findings import Finding, RunResult
from tfscope_lint.output.common import Context, name_of, severity_of, span


def finding_dict(finding: Finding) -> Dict[str, Any]:
    line, column, end_line, end_column = span(finding.location)
    return {
        "code": finding.code,
        "name": name_of(finding),
        "severity": severity_of(finding),
        "message": finding.message,
        "path": finding.location.path,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "related": [
            {
                "path": related.location.path,
                "line": span(related.location)[0],
                "column": span(related.location)[1],
                "message": related.message,
            }
            for related in finding.related
        ],
    }


def write_json(result: RunResult, ctx: Context) -> None:
    json.dump([finding_dict(f) for f in result.findings], ctx.stream, indent=2)
    ctx.stream.write("\n")


def write_json_lines(result: RunResult, ctx: Context) -> None:
    for finding in result.findings:
        ctx.stream.write(json.dumps(finding_dict(finding)) + "\n")
