"""What every formatter needs to know about a finding beyond the finding itself.

The catalogue gives each code its name and severity; findings only carry the code. A code the
catalogue does not know (an analysis bug) still prints, as an error, rather than crash a report.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, TextIO, Tuple

from tfscope_lint.files import python_lines
from tfscope_lint.findings import Finding, Location, Related
from tfscope_lint.rules import ERROR, RULES, Rule


@dataclass
class Context:
    """Where a report goes and how it may look."""

    stream: TextIO
    color: bool = False  # False: never any escape codes; True: rich decides (terminal, FORCE_COLOR)
    sources: Dict[str, str] = field(default_factory=dict)
    files: List[str] = field(default_factory=list)
    docs_url: Optional[str] = None  # the `docs-url` setting: where the rule pages are published


def rule_of(finding: Finding) -> Optional[Rule]:
    return RULES.get(finding.code)


def name_of(finding: Finding) -> str:
    rule = rule_of(finding)
    return rule.name if rule else "unknown-rule"


def severity_of(finding: Finding) -> str:
    rule = rule_of(finding)
    return rule.severity if rule else ERROR


def hint_of(finding: Finding) -> str:
    rule = rule_of(finding)
    return finding.fix_hint or (rule.hint if rule else "")


def span(location: Location) -> Tuple[int, int, int, int]:
    """(line, column, end_line, end_column), 1-based; an unknown end collapses onto the start."""
    line, column = max(location.line, 1), max(location.column, 1)
    end_line = location.end_line if location.end_line >= line else line
    end_column = location.end_column
    if end_column < 1 or (end_line == line and end_column < column):
        end_column = column
    return line, column, end_line, end_column


def related_text(related: Related) -> str:
    """`path:line:col: message`, as every format that prints related locations as text shows them."""
    line, column, _, _ = span(related.location)
    return f"{related.location.path}:{line}:{column}: {related.message}"


def source_line(sources: Dict[str, str], path: str, line: int) -> Optional[str]:
    """The text of one 1-based line, without its newline; None when the source is not at hand."""
    text = sources.get(path)
    if text is None:
        return None
    lines = python_lines(text)
    return lines[line - 1] if 0 < line <= len(lines) else None


def relative_uri(path: str) -> str:
    """A forward-slash path relative to the working directory, else an absolute file URI (as SARIF wants)."""
    resolved = Path(os.path.realpath(path))  # Path.resolve raises on a symlink loop
    try:
        return resolved.relative_to(os.path.realpath(Path.cwd())).as_posix()
    except ValueError:
        return resolved.as_uri()


def fingerprint(finding: Finding, sources: Dict[str, str], seen: Counter) -> str:
    """What identifies a problem but not where the file happens to put it: the code, the file, the
    variable and the reporting line's text, hashed; `:N` numbers the repeats (in report order).
    SARIF's partial fingerprint, and the key of a baseline."""
    text = (source_line(sources, finding.location.path, finding.location.line) or "").strip()
    key = "\0".join([finding.code, relative_uri(finding.location.path), finding.variable or "", text])
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    seen[digest] += 1
    return f"{digest}:{seen[digest]}"
