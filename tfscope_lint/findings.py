"""The small data types every layer exchanges: locations, related notes and findings.

They know nothing of TensorFlow nor of any output format; the catalogue in
`rules.py` gives each code its name, severity and message text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based source span in one file."""

    path: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def short(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Related:
    """A second place that explains a finding: first creation, where reuse was switched on, a call."""

    location: Location
    message: str


@dataclass(frozen=True)
class Finding:
    """One problem at one place, ready for a formatter.

    `message` is already rendered from the catalogue; `variable` and `scope` are the full
    variable name and the scope it was resolved in, when the rule is about a variable.
    """

    code: str
    message: str
    location: Location
    related: Tuple[Related, ...] = ()
    variable: Optional[str] = None
    scope: Optional[str] = None
    fix_hint: Optional[str] = None
    tf_error: Optional[str] = None  # the text TensorFlow raises, in the wording of the configured version

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)


@dataclass(frozen=True)
class FileProblem:
    """A file the tool could not analyse (unreadable, not text, internal error): not a finding."""

    path: str
    reason: str
    detail: str = ""
    kind: str = "error"  # "note": the file was checked, but not all of it (shown with --verbose only)


@dataclass
class RunResult:
    """What one run over a set of paths produced."""

    findings: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # FileProblem(kind="note"): where the analysis was cut short
    files_checked: int = 0
    suppressed: int = 0  # findings hidden by noqa comments
    baselined: int = 0  # findings hidden because the --baseline file knows them
    sources: dict = field(default_factory=dict)  # path -> text, for code frames and fingerprints
    checked: list = field(default_factory=list)  # the files asked for (sources may hold their project too)
