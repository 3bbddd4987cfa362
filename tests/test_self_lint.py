"""The package lints clean with pyflakes: no undefined names (a NameError waits in a rare path) or dead imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tfscope_lint"


def test_pyflakes_finds_nothing() -> None:
    pytest.importorskip("pyflakes", reason="pyflakes is in the test extras: pip install -e '.[test]'")
    result = subprocess.run([sys.executable, "-m", "pyflakes", str(PACKAGE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
