"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

Escaping follows @actions/core (toolkit `command.ts`): the message escapes %, CR and LF;
property values also escape ':' and ','. Related locations follow the message on their own lines.
"""

from __future__ import annotations

from tfscope_lint.findings import Finding, RunResult
from tfscope_lint.output.common import Context, name_of, related_text, severity_of, span
from tfscope_lint.rules import ERROR


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    line, column, end_line, end_column = span(finding.location)
    command = "error" if severity_of(finding) == ERROR else "warning"
    properties = [
        ("title", f"tfscope-lint ({finding.code} {name_of(finding)})"),
        ("file", finding.location.path),
        ("line", str(line)),
        ("col", str(column)),
        ("endLine", str(end_line)),
        ("endColumn", str(end_column)),
    ]
    message = f"{finding.code} {name_of(finding)}: {finding.message}"
    for related in finding.related:
        message += "\n" + related_text(related)
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{command} {props}::{escape_data(message)}"


def write_github(result: RunResult, ctx: Context) -> None:
    for finding in result.findings:
        ctx.stream.write(annotation(finding) + "\n")
