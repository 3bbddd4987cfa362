"""Property-based tests through the real CLI: whatever the program, the analysis never raises, never
reports a finding outside the file's lines, and prints the same findings twice and with --jobs 2.

The example counts here are small so that the default run stays fast; `python fuzz/run.py` runs
the same properties on tens of thousands of programs (see the README's Development section).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fuzz"))
from programs import HEADER, check_project, mutated_fixtures, python_programs, tf_programs  # noqa: E402

try:
    import hypothesmith  # noqa: F401
except ImportError:  # pragma: no cover - an optional test dependency
    hypothesmith = None

needs_hypothesmith = pytest.mark.skipif(hypothesmith is None, reason="hypothesmith is not installed "
                                        "(pip install -e '.[test]' installs it)")
FAST = settings(deadline=None, database=None, derandomize=False, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


def _explain(files: dict, broken: list) -> str:
    shown = "\n".join(f"----- {name}\n{text if isinstance(text, str) else text!r}" for name, text in files.items())
    return "\n".join(broken) + "\n" + shown


@settings(FAST, max_examples=30)
@given(tf_programs())
def test_tf_shaped_programs(files: dict) -> None:
    broken = check_project(files, jobs_two=len(files) > 1)
    assert not broken, _explain(files, broken)


@settings(FAST, max_examples=25)
@given(mutated_fixtures())
def test_mutated_fixtures(files: dict) -> None:
    broken = check_project(files, jobs_two=len(files) > 1)
    assert not broken, _explain(files, broken)


@needs_hypothesmith
@settings(FAST, max_examples=15)
@given(st.deferred(lambda: python_programs("grammar")))
def test_random_valid_python(files: dict) -> None:
    broken = check_project(files, jobs_two=False)
    assert not broken, _explain(files, broken)


@needs_hypothesmith
@settings(FAST, max_examples=5)
@given(st.deferred(lambda: python_programs("node")))
def test_random_valid_python_from_libcst_nodes(files: dict) -> None:
    broken = check_project(files, jobs_two=False)
    assert not broken, _explain(files, broken)


@settings(FAST, max_examples=30)
@given(st.binary(max_size=300), st.text(max_size=200))
def test_arbitrary_bytes_and_text(data: bytes, text: str) -> None:
    files = {"noise.py": HEADER.encode() + data, "text.py": (HEADER + text).encode("utf-8", "surrogatepass")}
    broken = check_project(files, jobs_two=True, runs=1)
    assert not broken, _explain(files, broken)


def test_the_property_checker_sees_broken_properties(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checker itself: a finding past the end of its file, and findings that change between runs."""
    import itertools

    from tfscope_lint.analysis import project
    from tfscope_lint.findings import Finding, Location

    runs = itertools.count()

    def analyze(sources: dict, **options: object) -> tuple:
        path = next(iter(sources))
        return [Finding("TFS101", "made up", Location(path, 3 + next(runs), 1, 3, 2))], []

    monkeypatch.setattr(project, "analyze_sources", analyze)
    broken = check_project({"main.py": HEADER + "x = 1\n"}, jobs_two=False)
    assert any("outside the file's 2 lines" in b for b in broken)
    assert "two runs printed different findings" in broken


# Errors real TensorFlow raises that the analysis does not report, found by `python fuzz/run.py` with
# TensorFlow installed (fuzz/oracle.py), each cut down to a minimal program. Missed errors, not false
# ones: strict xfails, so that a fix shows. (program, the innermost line of TF's traceback in the
# program, the lines where an error finding would be right: the failing call or the call that leads there)
MISSED_BY_THE_ANALYSIS = {
    "environment_variable_default_takes_the_failing_branch": ('''import os

import tensorflow as tf

SHARE = os.environ.get("SHARE", "1") == "1"


def tower(x, name, reuse):
    with tf.variable_scope(name, reuse=reuse):
        return x * tf.get_variable("w", [3])


x = tf.zeros([3])
if SHARE:
    a = tower(x, "left", reuse=False)
    b = tower(x, "right", reuse=True)
''', 10, {10, 16}),
    "long_loop_fails_on_its_second_iteration": (HEADER + '''
with tf.variable_scope("layer"):
    for i in range(100):  # range(64) is unrolled and reported; from 65 on, no loop iteration is followed
        w = tf.get_variable("b_%d" % i, [3])
        tf.get_variable_scope().reuse_variables()
''', 5, {5}),
    "builder_called_in_a_loop_over_a_generator": (HEADER + '''

def towers(num):
    for index in range(num):
        yield index


def model():
    w = tf.get_variable("b", [20, 10])
    b = tf.get_variable("b", [10])  # fails in any scope: a second site, or (reusing) the first one already


for i in towers(3):
    model()
''', 11, {11, 15}),
    "builder_called_in_a_while_loop_over_unstacked_tensors": (HEADER + '''

def step_fn(x):
    with tf.variable_scope("step", reuse=tf.AUTO_REUSE):
        w = tf.get_variable("w", [10, 16])
        u = tf.get_variable("w", [16, 16])
    return x


steps = tf.unstack(tf.placeholder(tf.float32, [6, 4, 10]), axis=0)
while steps:
    step_fn(steps.pop(0))
''', 7, {7, 13}),
    "recursive_builder_fails_at_the_bottom": (HEADER + '''

def deep(n):
    if n == 0:
        a = tf.get_variable("w", [1])
        return tf.get_variable("w", [1])
    with tf.variable_scope("s%d" % n):
        return deep(n - 1)


deep(2)
''', 7, {7}),
}
TF_SAYS = {
    "environment_variable_default_takes_the_failing_branch": "ValueError: Variable right/w does not exist",
    "long_loop_fails_on_its_second_iteration": "ValueError: Variable layer/b_1 does not exist",
    "builder_called_in_a_loop_over_a_generator": "ValueError: Variable b already exists, disallowed",
    "builder_called_in_a_while_loop_over_unstacked_tensors": "ValueError: Trying to share variable step/w, but "
                                                             "specified shape (16, 16) and found shape (10, 16)",
    "recursive_builder_fails_at_the_bottom": "ValueError: Variable s2/s1/w already exists, disallowed",
}


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.xfail(
    strict=True, reason=f"analysis: missed error, TensorFlow raises {TF_SAYS[name]}")) for name in MISSED_BY_THE_ANALYSIS])
def test_errors_tensorflow_raises_are_reported(tmp_path: Path, name: str) -> None:
    import json

    from frontend_helpers import cli

    source, _, lines = MISSED_BY_THE_ANALYSIS[name]
    (tmp_path / "main.py").write_text(source, encoding="utf-8")
    result = cli(["check", "--output-format", "json", "--no-cache", str(tmp_path / "main.py")])
    errors = [(f["code"], f["line"]) for f in json.loads(result.stdout or "[]") if f["severity"] == "error"]
    assert any(found_line in lines for _, found_line in errors), errors


@pytest.mark.oracle
@pytest.mark.skipif(__import__("importlib").util.find_spec("tensorflow") is None,
                    reason="TensorFlow is not installed (pip install -e '.[oracle]')")
def test_tensorflow_does_fail_on_the_missed_programs(tmp_path: Path) -> None:
    """The claims above, checked by real TensorFlow (as tests/oracle checks the fixtures)."""
    import json
    import os
    import subprocess

    folders = []
    for name, (source, _, _) in MISSED_BY_THE_ANALYSIS.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.py").write_text(source, encoding="utf-8")
        folders.append(str(tmp_path / name))
    runner = Path(__file__).resolve().parent / "oracle" / "run_oracle.py"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1")
    proc = subprocess.run([sys.executable, str(runner), *folders], capture_output=True, text=True, env=env, timeout=300)
    reports = {Path(r["fixture"]).name: r for r in map(json.loads, proc.stdout.splitlines())}
    for name, (_, line, _) in MISSED_BY_THE_ANALYSIS.items():
        report = reports[name]
        assert not report["built"] and TF_SAYS[name] in f"{report['error_type']}: {report['message']}", report
        assert report["frames"][-1] == {"path": "main.py", "line": line}, report
