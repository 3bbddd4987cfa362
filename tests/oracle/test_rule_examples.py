"""The rule pages' examples, run under real TensorFlow: each bad example of an error rule fails with
that rule's error, every good example (and every warning's bad example) builds its graph, and the
README's example program fails as the README says.
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
from fixture_marks import ERROR_TEXT  # noqa: E402

from tfscope_lint.rules import RULES  # noqa: E402

pytestmark = pytest.mark.oracle

RUNNER = Path(__file__).resolve().parent / "run_oracle.py"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gan_discriminator.py"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed: pip install tensorflow-cpu tf-keras tf-slim")
    folder = tmp_path_factory.mktemp("examples")
    targets = {}
    for code, rule in RULES.items():
        for kind in ("bad", "good"):
            path = folder / f"{code}_{kind}.py"
            path.write_text(getattr(rule, f"{kind}_example"), encoding="utf-8")
            targets[str(path)] = (code, kind)
    targets[str(EXAMPLE)] = ("TFS102", "readme")
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, str(RUNNER), *targets], capture_output=True, text=True,
                          env=env, timeout=900)
    found = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
            found[targets[report["fixture"]]] = report
    assert found, proc.stderr[-3000:]
    return found


@pytest.mark.parametrize("code", list(RULES))
def test_good_example_builds(code: str, reports: dict) -> None:
    report = reports[(code, "good")]
    assert report["built"], f"{report.get('error_type')}: {report.get('message')}"


@pytest.mark.parametrize("code", list(RULES))
def test_bad_example_fails_as_the_rule_says(code: str, reports: dict) -> None:
    report = reports[(code, "bad")]
    if code.startswith("TFS3"):
        assert report["built"], "a checkpoint rule's example builds: it fails (or skips a value) when restored"
    elif not code.startswith("TFS1") and code != "TFS001":
        assert report["built"], "a warning's example shows a silent problem: it must build"
    elif code == "TFS001":
        assert report["error_type"] == "SyntaxError"
    else:
        assert not report["built"], "the bad example of an error rule must fail under TensorFlow"
        assert any(text in report["message"] for text in ERROR_TEXT[code]), report["message"]


def test_readme_example_fails_at_the_second_discriminator(reports: dict) -> None:
    report = reports[("TFS102", "readme")]
    assert not report["built"]
    assert "Variable discriminator/h0/w already exists" in report["message"]
