"""Reads the inline expectations of fixture programs.

A fixture marks each expected finding at the end of the line it is reported on:
`w = tf.get_variable("w", [3])  # expect: TFS102` (several codes: `# expect: TFS101, TFS202`).
A fixture without marks must lint clean. A fixture directory is a multi-file project whose
entry script is `main.py`; its marks may sit in any of its files.
A line `# oracle: skip <reason>` opts a fixture out of the TensorFlow oracle (say why).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Tuple

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)")
ORACLE_SKIP = re.compile(r"^#\s*oracle:\s*skip\b(.*)$", re.MULTILINE)

# What TensorFlow's message says for each error code: the oracle matches on these.
ERROR_TEXT = {
    "TFS101": ("already exists",),
    "TFS102": ("already exists",),
    "TFS103": ("does not exist",),
    "TFS104": ("does not exist",),
    "TFS105": ("but specified shape",),
    "TFS106": ("but specified dtype", "don't match", "of type 'float'", "Must specify maxval for integer dtype",
               "not in list of allowed values", "got invalid value <dtype"),
    "TFS107": ("did not get an initializer", "initializer passed is not valid", "must be fully defined",
               "initial_value must have a shape specified"),
    "TFS108": ("do not specify shape",),
    "TFS110": ("Trainable variable created when calling a template after the first time",),
    "TFS109": ("reuse=True cannot be used without a name_or_scope",
               "The reuse parameter must be True or False or None",
               "unexpected keyword argument 'reuse'"),
}

Expectations = Dict[Tuple[str, int], List[str]]


def fixture_targets() -> List[Path]:
    """Every fixture: single files at any depth, and project folders (those holding main.py)."""
    projects = sorted(p.parent for p in FIXTURES.rglob("main.py"))
    files = sorted(
        p for p in FIXTURES.rglob("*.py")
        if not any(proj in p.parents for proj in projects)
    )
    return files + projects


def fixture_files(target: Path) -> List[Path]:
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


def read_expectations(target: Path) -> Expectations:
    """(path relative to the project folder or the file's folder, line) -> expected codes."""
    base = target if target.is_dir() else target.parent
    marks: Expectations = {}
    for path in fixture_files(target):
        for lineno, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = EXPECT.search(text)
            if match:
                codes = [c.strip() for c in match.group(1).split(",")]
                marks[(str(path.relative_to(base)), lineno)] = codes
    return marks


def oracle_skip_reason(target: Path) -> str:
    for path in fixture_files(target):
        match = ORACLE_SKIP.search(path.read_text(encoding="utf-8"))
        if match:
            return match.group(1).strip() or "marked '# oracle: skip'"
    return ""


def is_error_code(code: str) -> bool:
    return code.startswith("TFS1")
