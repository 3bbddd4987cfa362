"""What goes around the findings: the summary line, --statistics, and files the tool could not check.

These go to stderr (except statistics, which replace the findings on stdout), so that stdout stays
exactly the chosen format and can be piped into another program.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import List, TextIO

from tfscope_lint.findings import RunResult
from tfscope_lint.output.common import Context, name_of, severity_of
from tfscope_lint.output.console import make_console
from tfscope_lint.rules import ERROR


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(result: RunResult) -> str:
    errors = sum(1 for f in result.findings if severity_of(f) == ERROR)
    warnings = len(result.findings) - errors
    checked = _plural(result.files_checked, "file")
    parts: List[str] = []
    if result.findings:
        counts = " and ".join(_plural(n, w) for n, w in ((errors, "error"), (warnings, "warning")) if n)
        parts.append(f"Found {counts} ({checked} checked).")
    elif result.files_checked and result.problems:
        parts.append(f"No findings ({checked} checked).")
    elif result.files_checked:
        parts.append(f"All checks passed ({checked} checked).")
    else:
        parts.append("No Python files to check.")
    if result.suppressed:
        parts.append(f"{_plural(result.suppressed, 'finding')} suppressed by noqa.")
    if result.baselined:
        parts.append(f"{_plural(result.baselined, 'finding')} in the baseline.")
    if result.problems:
        parts.append(f"{_plural(len(result.problems), 'file')} could not be checked.")
    return " ".join(parts)


def write_summary(result: RunResult, stream: TextIO, color: bool) -> None:
    from rich.text import Text

    console = make_console(stream, color)
    style = "bold red" if result.findings or result.problems else "bold green"
    console.print(Text(summary_line(result), style=style))


def write_problems(result: RunResult, stream: TextIO, color: bool, verbose: bool = False) -> None:
    """One line per file that could not be checked, naming it; the details (a traceback) only if verbose."""
    if not result.problems and not (verbose and result.notes):
        return
    from rich.text import Text

    console = make_console(stream, color)
    for problem in result.problems:
        line = Text("tfscope-lint: ", style="bold")
        line.append("error", style="bold red").append(f": {problem.path}: {problem.reason}")
        console.print(line)
        if verbose and problem.detail:
            console.print(Text("\n".join("    " + row for row in problem.detail.rstrip().splitlines())))
    if verbose:
        for note in result.notes:
            line = Text("tfscope-lint: ", style="bold")
            line.append("note", style="bold cyan").append(f": {note.path}: {note.reason}")
            console.print(line)


def statistics(result: RunResult) -> List[tuple]:
    """(count, code, name, severity) per code, most frequent first."""
    counts = Counter(f.code for f in result.findings)
    first = {f.code: f for f in reversed(result.findings)}
    rows = [(n, code, name_of(first[code]), severity_of(first[code])) for code, n in counts.items()]
    return sorted(rows, key=lambda row: (-row[0], row[1]))


def write_statistics(result: RunResult, ctx: Context, as_json: bool) -> None:
    from rich.text import Text

    rows = statistics(result)
    if as_json:
        data = [{"code": code, "name": name, "severity": sev, "count": n} for n, code, name, sev in rows]
        ctx.stream.write(json.dumps(data, indent=2) + "\n")
        return
    console = make_console(ctx.stream, ctx.color)
    width = max((len(str(row[0])) for row in rows), default=1)
    for count, code, name, _ in rows:
        console.print(Text(f"{count:>{width}}\t").append(code, style="bold").append(f"\t{name}"))
