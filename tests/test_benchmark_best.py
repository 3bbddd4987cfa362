"""benchmarks/run.py keeps the fastest of repeated runs and warns only when `check` runs disagree."""
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def bench(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    import run  # benchmarks/run.py
    yield run
    sys.modules.pop("run", None)


def _measured(bench, seconds: float, stdout: bytes):  # type: ignore[no-untyped-def]
    return bench.Measured(seconds=seconds, returncode=0, stdout=stdout, stderr=b"", maxrss_kb=0,
                          tree_pss_kb=0, tree_rss_kb=0, processes=1)


def test_runs_of_check_that_print_different_findings_are_reported(bench, capsys) -> None:  # type: ignore[no-untyped-def]
    runs = [_measured(bench, 2.0, b"a.py:1:1: TFS102"), _measured(bench, 1.0, b"")]
    assert bench.best(runs).seconds == 1.0
    assert "repeated runs printed different findings" in capsys.readouterr().out


def test_parse_runs_print_their_own_timing_and_are_not_compared(bench, capsys) -> None:  # type: ignore[no-untyped-def]
    runs = [_measured(bench, 2.0, b'{"seconds": 2.0}'), _measured(bench, 1.5, b'{"seconds": 1.5}')]
    assert bench.best(runs, same_output=False).seconds == 1.5
    assert capsys.readouterr().out == ""
