"""Human-readable formats: `concise` (one line per finding, grep-friendly) and `full` (code frames and a hint).

Both print through rich so that colour follows one policy (see console.py); without colour the
text is exactly what a plain print would give.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional

from rich.text import Text

from tfscope_lint.findings import Finding, Location, Related, RunResult
from tfscope_lint.output.common import Context, hint_of, name_of, related_text, severity_of, source_line, span
from tfscope_lint.output.console import make_console
from tfscope_lint.rules import ERROR

SEVERITY_STYLE = {ERROR: "bold red", "warning": "bold yellow"}
TAB = "    "


def headline(finding: Finding) -> Text:
    """`path:line:col: CODE name: message`, the line every format a person reads starts with."""
    line, column, _, _ = span(finding.location)
    text = Text()
    text.append(f"{finding.location.path}:{line}:{column}:", style="bold")
    text.append(" ")
    text.append(finding.code, style=SEVERITY_STYLE.get(severity_of(finding), "bold red"))
    text.append(f" {name_of(finding)}", style="dim")
    text.append(f": {finding.message}")
    return text


def _related_line(related: Related) -> Text:
    place, _, message = related_text(related).partition(": ")
    return Text("  ").append(place + ":", style="cyan").append(" " + message)


def write_concise(result: RunResult, ctx: Context) -> None:
    console = make_console(ctx.stream, ctx.color)
    for finding in result.findings:
        console.print(headline(finding))
        for related in finding.related:
            console.print(_related_line(related))


def code_frame(sources: Dict[str, str], location: Location, context: int, style: str) -> List[Text]:
    """The lines around a location with a gutter of line numbers and carets under the span."""
    line, column, end_line, end_column = span(location)
    target = source_line(sources, location.path, line)
    if target is None:
        return []
    first = max(1, line - context)
    width = len(str(line))
    frame: List[Text] = [Text(" " * width + " |", style="blue")]
    for number in range(first, line + 1):
        shown = (source_line(sources, location.path, number) or "").replace("\t", TAB)
        row = Text(f"{number:>{width}} | ", style="blue")
        row.append(shown)
        frame.append(row)
    start = len(target[: column - 1].replace("\t", TAB))
    stop = len(target[: end_column - 1].replace("\t", TAB)) if end_line == line else len(target.replace("\t", TAB))
    carets = Text(" " * width + " | ", style="blue")
    carets.append(" " * start + "^" * max(1, stop - start), style=style)
    frame.append(carets)
    return frame


def full_lines(finding: Finding, sources: Dict[str, str]) -> Iterable[Text]:
    style = SEVERITY_STYLE.get(severity_of(finding), "bold red")
    yield headline(finding)
    yield from code_frame(sources, finding.location, context=1, style=style)
    for related in finding.related:
        yield _related_line(related)
        yield from code_frame(sources, related.location, context=0, style="cyan")
    if finding.variable:
        yield Text(f"  = variable: '{finding.variable}'")
    if finding.scope is not None:
        yield Text(f"  = scope: '{finding.scope}'" if finding.scope else "  = scope: the root scope")
    if finding.tf_error:
        yield Text("  = ").append("tensorflow raises", style="bold").append(f": ValueError: {finding.tf_error}")
    hint: Optional[str] = hint_of(finding)
    if hint:
        yield Text("  = ").append("hint", style="bold green").append(f": {hint}")


def write_full(result: RunResult, ctx: Context) -> None:
    console = make_console(ctx.stream, ctx.color)
    for index, finding in enumerate(result.findings):
        if index:
            console.print()
        for text in full_lines(finding, ctx.sources):
            console.print(text)
