"""The linter's findings on every fixture equal the fixture's inline expectations, line by line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_marks import fixture_files, fixture_targets, read_expectations  # noqa: E402

from tfscope_lint.runner import check_paths  # noqa: E402

TARGETS = fixture_targets()


def lint(target: Path) -> dict:
    base = target if target.is_dir() else target.parent
    result = check_paths([str(p) for p in fixture_files(target)])
    assert not result.problems, f"the linter could not analyse: {result.problems}"
    found: dict = {}
    for finding in result.findings:
        key = (str(Path(finding.location.path).resolve().relative_to(base.resolve())), finding.location.line)
        found.setdefault(key, []).append(finding.code)
    return {key: sorted(codes) for key, codes in found.items()}


def test_there_are_enough_fixtures() -> None:
    assert len(TARGETS) >= 80


@pytest.mark.parametrize("target", TARGETS, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_findings_match_marks(target: Path) -> None:
    expected = {key: sorted(codes) for key, codes in read_expectations(target).items()}
    assert lint(target) == expected
