"""Shared helpers for the front-end tests: a stand-in analysis and a CLI runner.

The stand-in reads `# fake: CODE` marks, so that selection, suppression and every output format
can be tested end to end through the real CLI without depending on the interpreter.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import pytest
from click.testing import CliRunner, Result

from tfscope_lint.analysis import project
from tfscope_lint.cli import main
from tfscope_lint.findings import FileProblem, Finding, Location, Related

FAKE = re.compile(r"#\s*fake:\s*(TFS\d+)")
REPO = Path(__file__).resolve().parent.parent
BUILDER_TWICE = REPO / "fixtures" / "core" / "builder_called_twice.py"


def fake_analyze(sources: Dict[str, str], **options: object) -> Tuple[List[Finding], List[FileProblem]]:
    """One finding per `# fake: CODE` mark, at the line's first character, with one related note."""
    findings = []
    for path, text in sources.items():
        for number, line in enumerate(text.splitlines(), start=1):
            match = FAKE.search(line)
            if match:
                column = len(line) - len(line.lstrip()) + 1
                end = len(line[: match.start()].rstrip()) + 1
                findings.append(Finding(
                    match.group(1), f"fake {match.group(1)} finding", Location(path, number, column, number, end),
                    related=(Related(Location(path, 1, 1, 1, 2), "first created here"),),
                    variable="layer/w", scope="layer",
                ))
    return findings, []


@pytest.fixture
def fake_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project, "analyze_sources", fake_analyze)


def runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout on every click version."""
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        return CliRunner(mix_stderr=False)
    return CliRunner()


def cli(args: Sequence[str], input: Optional[str] = None, env: Optional[dict] = None) -> Result:
    env = dict({"NO_COLOR": None, "FORCE_COLOR": None, "CI": None, "COLUMNS": "200"}, **(env or {}))
    return runner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def interpreter_landed() -> bool:
    """True once the real analysis replaced the placeholder (tests needing real findings wait for it)."""
    return "Placeholder" not in (inspect.getmodule(project.analyze_sources).__doc__ or "")


needs_interpreter = pytest.mark.skipif(
    not interpreter_landed(), reason="the abstract interpreter has not landed: analyze_sources is a placeholder"
)


def fixture_projects() -> List[Path]:
    """Each fixture folder, and each project of a folder of projects: the units to analyse one at a time."""
    roots = [REPO / "fixtures" / name for name in sorted(p.name for p in (REPO / "fixtures").iterdir())
             if (REPO / "fixtures" / name).is_dir()]
    projects = []
    for root in roots:
        if root.name.endswith("_projects") or root.name == "projects":
            projects.extend(sorted(p for p in root.iterdir() if p.is_dir()))
        else:
            projects.append(root)
    return projects
