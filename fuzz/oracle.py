"""Differential testing against real TensorFlow: does the graph of a generated program build?

A worker process imports TensorFlow once (tests/oracle/run_oracle.py: the TF1 API through
tensorflow.compat.v1, as the fixtures are verified) and runs each project's main.py on a fresh
graph. `compare()` sets the verdict beside tfscope-lint's findings:

* false-error: TF builds the graph, yet tfscope-lint reports an error (TFS1xx) in this run;
* missed: TF fails with a variable-scope error (or any exception from get_variable), yet
  tfscope-lint reports no error on a line TF ran;
* misplaced: both fail, but no error of tfscope-lint is on a line of TF's traceback.

Only findings on lines that TF's run of main.py executed count (the worker traces them):
functions that nobody calls are analysed alone, in an unknown context, and TF never runs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tfscope_lint.files import python_lines  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORKER = r"""
import json, sys, threading
sys.path.insert(0, sys.argv[1])
import run_oracle
run_oracle._install_legacy_modules()
from pathlib import Path


def traced(folder):
    # run_oracle.run_one, recording every line of the project's files that ran
    prefix = str(folder.resolve())
    ran = set()

    def local(frame, event, arg):
        if event == "line":
            ran.add((frame.f_code.co_filename, frame.f_lineno))
        return local

    def tracer(frame, event, arg):
        if frame.f_code.co_filename.startswith(prefix):
            ran.add((frame.f_code.co_filename, frame.f_lineno))
            return local
        return None

    sys.settrace(tracer)
    try:
        report = run_oracle.run_one(folder)
    finally:
        sys.settrace(None)
    report["ran"] = sorted({(Path(name).name, line) for name, line in ran})
    return report


print("ready", flush=True)
for line in sys.stdin:
    print(json.dumps(traced(Path(line.strip()))), flush=True)
"""

# What TF says when a variable-scope rule is broken (the rules' territory; other failures are not ours)
VARIABLE_MESSAGES = ("already exists", "does not exist", "Trying to share variable", "fully defined",
                     "initializer is a constant", "reuse", "Initializer type", "when calling a template",
                     "Shape of a new variable")


class TensorFlow:
    """A long-lived worker process with TensorFlow imported."""

    def __init__(self) -> None:
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1", PYTHONWARNINGS="ignore")
        self.process = subprocess.Popen([sys.executable, "-c", WORKER, str(REPO / "tests" / "oracle")],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True, env=env)
        ready = self.process.stdout.readline() if self.process.stdout else ""
        if ready.strip() != "ready":
            raise RuntimeError("TensorFlow could not be imported by the oracle worker")

    def run(self, folder: Path) -> dict:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{folder}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the TensorFlow worker died")
        return json.loads(line)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # type: ignore[union-attr]
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def available() -> bool:
    probe = subprocess.run([sys.executable, "-c", "import tensorflow"], capture_output=True,
                           env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    return probe.returncode == 0


def compare(files: Dict[str, str], findings: List[dict], tf: TensorFlow) -> Tuple[str, dict]:
    """(verdict, TF's report): verdict is agree, false-error, missed, misplaced or other-error."""
    with tempfile.TemporaryDirectory(prefix="tfscope-oracle-") as tmp:
        for name, text in files.items():
            (Path(tmp) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        entry = "main.py" if "main.py" in files else next(iter(files))
        report = tf.run(Path(tmp) / entry if entry != "main.py" else Path(tmp))
    ran = {(name, line) for name, line in report.get("ran", [])}
    # an error counts when TF ran its line: functions nobody calls are analysed alone, and TF never runs them
    errors = [f for f in findings if f["code"].startswith("TFS1") and f["code"] != "TFS001"
              and (os.path.basename(f["path"]), f["line"]) in ran]
    if report["built"]:
        return ("false-error" if errors else "agree"), report
    frames = report.get("frames", [])
    if not frames:
        return "other-error", report
    innermost = frames[-1]
    text = python_lines(files.get(os.path.basename(innermost["path"]), ""))
    source = text[innermost["line"] - 1] if 0 < innermost["line"] <= len(text) else ""
    ours = any(marker in report.get("message", "") for marker in VARIABLE_MESSAGES) or "get_variable(" in source
    if not ours:
        return ("agree" if errors else "other-error"), report  # not a variable rule failing: an artefact
    if not errors:
        return "missed", report
    on_stack = {(os.path.basename(frame["path"]), frame["line"]) for frame in frames}
    if any((os.path.basename(f["path"]), f["line"]) in on_stack for f in errors):
        return "agree", report
    return "misplaced", report
