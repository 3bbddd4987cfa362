"""noqa comments: the ways users already silence flake8 and ruff, applied to tfscope findings.

- `# noqa: TFS102` (one or more codes) or a bare `# noqa` on the line a finding is reported on;
- `# tfscope-lint: noqa` anywhere in a file silences the file, `# tfscope-lint: noqa: TFS2` some codes;
- TFS900 (opt-in, like ruff's RUF100) reports a directive naming a TFS code that silenced nothing.

Only real comments count (read with tokenize), so a "# noqa" inside a string is just text.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from tfscope_lint.files import python_lines
from tfscope_lint.findings import Finding, Location
from tfscope_lint.rules import RULES, render_message

UNUSED_NOQA = "TFS900"
_CODES = r"[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*"
LINE_NOQA = re.compile(rf"#\s*noqa\b(?::\s*(?P<codes>{_CODES}))?", re.IGNORECASE)
FILE_NOQA = re.compile(rf"#\s*tfscope-lint\s*:\s*noqa\b(?::\s*(?P<codes>{_CODES}))?", re.IGNORECASE)


@dataclass
class Directive:
    """One noqa comment; `codes` is None for a blanket one. Codes match by prefix, as in flake8 (`TFS2`)."""

    line: int
    column: int
    end_column: int
    codes: Optional[Tuple[str, ...]]
    used: Set[str] = field(default_factory=set)

    def claims(self, code: str) -> bool:
        """Whether this directive silences `code`; the entries that match are marked used."""
        if self.codes is None:
            return True
        matching = [entry for entry in self.codes if code.startswith(entry)]
        self.used.update(matching)
        return bool(matching)


@dataclass
class Directives:
    by_line: Dict[int, Directive] = field(default_factory=dict)
    whole_file: Optional[Directive] = None


def _codes(match: "re.Match[str]") -> Optional[Tuple[str, ...]]:
    text = match.group("codes")
    return tuple(c.upper() for c in re.split(r"[\s,]+", text) if c) if text else None


def _comments(text: str) -> Iterable[Tuple[int, int, str]]:
    """(line, 0-based column, comment text) of every comment; a rough scan if the file does not tokenize."""
    try:
        # newline=None reads \r and \r\n line ends as Python does (a bare \r ends a line too)
        for token in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.start[1], token.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        for number, line in enumerate(python_lines(text), start=1):
            index = line.find("#")
            if index >= 0:
                yield number, index, line[index:]


def parse(text: str) -> Directives:
    found = Directives()
    for line, column, comment in _comments(text):
        whole = FILE_NOQA.search(comment)
        if whole:
            codes = _codes(whole)
            if found.whole_file is None or codes is None:
                found.whole_file = Directive(line, column + whole.start() + 1, column + whole.end() + 1, codes)
            elif found.whole_file.codes is not None:
                found.whole_file.codes += codes
            continue
        match = LINE_NOQA.search(comment)
        if match:
            start, end = column + match.start() + 1, column + match.end() + 1
            found.by_line[line] = Directive(line, start, end, _codes(match))
    return found


def apply(
    path: str, text: str, findings: List[Finding], enabled: FrozenSet[str]
) -> Tuple[List[Finding], int]:
    """Drop the findings a directive covers; add TFS900 for directives that covered nothing (if enabled).

    Returns the findings to report and how many were suppressed.
    """
    directives = parse(text) if "noqa" in text.lower() else Directives()
    kept: List[Finding] = []
    for finding in findings:
        candidates = (directives.whole_file, directives.by_line.get(finding.location.line))
        if not any(d is not None and d.claims(finding.code) for d in candidates):
            kept.append(finding)
    suppressed = len(findings) - len(kept)
    if UNUSED_NOQA in enabled:
        for directive in directives.by_line.values():
            unused = _unused(directive, enabled)
            if unused and not (directives.whole_file and directives.whole_file.claims(UNUSED_NOQA)):
                kept.append(_unused_finding(path, directive, unused))
    return kept, suppressed


def _unused(directive: Directive, enabled: FrozenSet[str]) -> str:
    """'unused: TFS102; unknown: TFS999' for the TFS codes that did nothing; codes of other tools are theirs."""
    if directive.codes is None:
        return ""
    ours = [c for c in directive.codes if c.startswith("TFS") and c != UNUSED_NOQA]
    unused = [c for c in ours if c not in directive.used and any(e.startswith(c) for e in enabled)]
    unknown = [c for c in ours if not any(code.startswith(c) for code in RULES)]
    parts = [f"{label}: {', '.join(codes)}" for label, codes in (("unused", unused), ("unknown", unknown)) if codes]
    return "; ".join(parts)


def _unused_finding(path: str, directive: Directive, detail: str) -> Finding:
    location = Location(path, directive.line, directive.column, directive.line, directive.end_column)
    return Finding(UNUSED_NOQA, render_message(UNUSED_NOQA, detail=detail), location)
