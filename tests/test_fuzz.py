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
