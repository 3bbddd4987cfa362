"""The pre-commit hook, as a user installs it: a `.pre-commit-config.yaml` naming this repository at a
commit, `pre-commit install`, then `git commit`.

This checkout (with its uncommitted changes, as `pre-commit try-repo` would take it) is committed
once into a throwaway repository that the hook's `repo:` names; pre-commit builds the hook's
environment once for the module (about a minute) and every commit below reuses it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Tuple

import pytest

from frontend_helpers import REPO, needs_interpreter, write
from test_cli_project import BROKEN_GAN, GAN, OTHER, TRAIN

HOOKS = REPO / ".pre-commit-hooks.yaml"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
needs_pre_commit = pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None,
                                      reason="pre-commit is not installed (pip install -e '.[test]' brings it)")


def test_hook_definition() -> None:
    yaml = HOOKS.read_text(encoding="utf-8")
    assert "- id: tfscope-lint" in yaml
    assert "entry: tfscope-lint check --force-exclude" in yaml
    assert "types_or: [python, pyi]" in yaml
    assert "require_serial: true" in yaml


def _env(home: Path) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(home / "pre-commit"), PRE_COMMIT_COLOR="never", GIT_CONFIG_GLOBAL=os.devnull,
               GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com", NO_COLOR="1")
    env.pop("PYTHONPATH", None)  # the hook runs its own installed copy, as a user's would
    return env


def _run(cwd: Path, env: Dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, str, Dict[str, str]]:
    """(repository, commit, environment): this checkout as a repository the hook can name."""
    base = tmp_path_factory.mktemp("hook")
    env = _env(base)
    shadow = base / "tfscope-lint"
    listed = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (shadow / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, shadow / name)
    _run(shadow, env, "git", "init", "-q")
    _run(shadow, env, "git", "add", "-A")
    _run(shadow, env, "git", "commit", "-qm", "the checkout under test")
    sha = _run(shadow, env, "git", "rev-parse", "HEAD").stdout.strip()
    return shadow, sha, env


def readme_config(repo: str, sha: str) -> str:
    """The README's `.pre-commit-config.yaml`, as written, with its repository and commit filled in."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## pre-commit\n"):]
    block = section[section.index("```yaml\n") + len("```yaml\n"):section.index("```", section.index("```yaml") + 7)]
    assert "https://github.com/OWNER/tfscope-lint" in block and "0123456789abcdef0123456789abcdef01234567" in block
    return block.replace("https://github.com/OWNER/tfscope-lint", repo).replace(
        "0123456789abcdef0123456789abcdef01234567", sha)


def _snapshot(root: Path) -> Dict[str, str]:
    """Every file of the working tree with its hash, .git and the cache folder left out."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".git", ".tfscope_cache")]
        for name in filenames:
            path = Path(dirpath) / name
            found[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@needs_interpreter
@needs_git
@needs_pre_commit
def test_a_commit_of_the_builder_alone_fails_on_the_cross_module_error(
        hook_repo: Tuple[Path, str, Dict[str, str]], tmp_path: Path) -> None:
    shadow, sha, env = hook_repo
    project = tmp_path / "project"
    write(project, "models/__init__.py", "")
    write(project, "models/gan.py", GAN)
    write(project, "train.py", TRAIN)
    write(project, ".pre-commit-config.yaml", readme_config(shadow.as_uri(), sha))
    _run(project, env, "git", "init", "-q")
    _run(project, env, "git", "add", "-A")
    _run(project, env, "git", "commit", "-qm", "a GAN that builds")
    _run(project, env, sys.executable, "-m", "pre_commit", "install")

    # Remove reuse=True in the builder's module and stage only it: the error shows in train.py's calls.
    write(project, "models/gan.py", BROKEN_GAN)
    write(project, "notes.txt", "an untracked file\n")
    _run(project, env, "git", "add", "models/gan.py")
    status = _run(project, env, "git", "status", "--porcelain", "--untracked-files=all").stdout
    before = _snapshot(project)
    refused = _run(project, env, "git", "commit", "-m", "drop reuse", check=False)
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output
    assert "tfscope-lint" in output and "Failed" in output
    assert "models/gan.py:6:13: TFS102" in output and "train.py:7:10: called from here" in output
    assert _snapshot(project) == before
    assert _run(project, env, "git", "status", "--porcelain", "--untracked-files=all").stdout == status
    assert _run(project, env, "git", "rev-list", "--count", "HEAD").stdout.strip() == "1"

    # An unrelated broken module elsewhere in the project does not fail a clean commit of this one.
    write(project, "models/gan.py", GAN + "\n\n# the second build reuses the first one's variables\n")
    write(project, "other.py", OTHER)
    _run(project, env, "git", "add", "models/gan.py")
    passed = _run(project, env, "git", "commit", "-m", "a comment", check=False)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout + passed.stderr
    assert _run(project, env, "git", "status", "--porcelain", "--untracked-files=all").stdout == \
        "?? notes.txt\n?? other.py\n"  # and no cache folder
    assert (project / ".tfscope_cache" / "CACHEDIR.TAG").is_file()

    # `pre-commit run --files` passes the named files, as CI runs it: the broken one fails.
    run = _run(project, env, sys.executable, "-m", "pre_commit", "run", "--files", "other.py", "train.py", check=False)
    assert run.returncode == 1 and "other.py:3:5: TFS101" in run.stdout, run.stdout + run.stderr
