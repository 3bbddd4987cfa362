"""The pre-commit hook, as a user would install it: `pre-commit try-repo` on a throwaway repository."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from frontend_helpers import BUILDER_TWICE, REPO, needs_interpreter

HOOKS = REPO / ".pre-commit-hooks.yaml"


def test_hook_definition() -> None:
    yaml = HOOKS.read_text(encoding="utf-8")
    assert "- id: tfscope-lint" in yaml
    assert "entry: tfscope-lint check --force-exclude" in yaml
    assert "types_or: [python, pyi]" in yaml
    assert "require_serial: true" in yaml


@needs_interpreter
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None,
                    reason="pre-commit is not installed (pip install -e '.[test]' brings it)")
def test_try_repo_fails_on_the_broken_file_and_passes_on_the_clean_one(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "broken.py").write_text(BUILDER_TWICE.read_text(encoding="utf-8"), encoding="utf-8")
    (project / "clean.py").write_text("import tensorflow as tf\n\nw = tf.get_variable('w', [3])\n", encoding="utf-8")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), PRE_COMMIT_COLOR="never")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", "broken.py", "clean.py")

    def try_repo(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "tfscope-lint", "--files", *files],
            cwd=project, capture_output=True, text=True, env=env, timeout=600,
        )

    clean = try_repo("clean.py")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    broken = try_repo("broken.py", "clean.py")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "broken.py:5:" in broken.stdout and "TFS102" in broken.stdout
