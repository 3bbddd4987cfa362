"""Every fixture's verdict, checked against real TensorFlow.

TensorFlow stops at the first error, so for a fixture with error marks the test checks that TF
raised, that the message is of the kind the mark's code names, and that a marked line with that
code is on the traceback's stack. A fixture without error marks must build its graph.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fixture_marks import (  # noqa: E402
    ERROR_TEXT,
    fixture_targets,
    is_error_code,
    oracle_skip_reason,
    read_expectations,
)

pytestmark = pytest.mark.oracle

HAVE_TF = importlib.util.find_spec("tensorflow") is not None
RUNNER = Path(__file__).resolve().parent / "run_oracle.py"
TARGETS = fixture_targets()


@pytest.fixture(scope="module")
def oracle_reports() -> dict:
    if not HAVE_TF:
        pytest.skip("TensorFlow is not installed: pip install tensorflow-cpu tf-keras tf-slim")
    runnable = [t for t in TARGETS if not oracle_skip_reason(t)]
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, str(RUNNER), *map(str, runnable)],
        capture_output=True, text=True, env=env, timeout=1800,
    )
    reports = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
            reports[report["fixture"]] = report
    assert reports or not runnable, f"the oracle printed nothing:\n{proc.stderr[-3000:]}"
    return reports


@pytest.mark.parametrize("target", TARGETS, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_fixture_agrees_with_tensorflow(target: Path, oracle_reports: dict) -> None:
    reason = oracle_skip_reason(target)
    if reason:
        pytest.skip(f"not runnable under TF 2.x: {reason}")
    report = oracle_reports.get(str(target))
    assert report is not None, "the oracle did not report on this fixture (it may have crashed)"
    expected_errors = {
        key: [c for c in codes if is_error_code(c)]
        for key, codes in read_expectations(target).items()
    }
    expected_errors = {k: v for k, v in expected_errors.items() if v}
    if not expected_errors:
        assert report["built"], (
            f"the fixture expects no error, but TF raised {report.get('error_type')}: "
            f"{report.get('message')} (at {report.get('frames')})"
        )
        return
    assert not report["built"], f"TF built the graph, but the fixture expects errors at {sorted(expected_errors)}"
    stack = {(f["path"], f["line"]) for f in report["frames"]}
    matching = [
        (key, code)
        for key, codes in expected_errors.items()
        for code in codes
        if key in stack and any(text in report["message"] for text in ERROR_TEXT[code])
    ]
    assert matching, (
        f"TF raised {report['error_type']}: {report['message']!r} with the fixture's stack "
        f"{sorted(stack)}; no expected error mark {expected_errors} matches it"
    )
