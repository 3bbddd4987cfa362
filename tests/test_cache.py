"""The cache: the same findings with and without it and for any --jobs, never stale, safe to share."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

from frontend_helpers import REPO, cli, write
from tfscope_lint.analysis import engine

BUILDER = '''import tensorflow as tf


def discriminator(x, reuse=False):
    with tf.variable_scope("d", reuse=reuse):
        return tf.layers.dense(x, 1, name="h0")
'''
TRAIN = '''import tensorflow as tf
from model import discriminator

x = tf.placeholder(tf.float32, [None, 4])
real = discriminator(x)
fake = discriminator(x, reuse=True)
'''


def findings(*args: str) -> List[dict]:
    result = cli(["check", "--output-format", "json", "--exit-zero", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_same_findings_with_and_without_the_cache_and_for_any_jobs(tmp_path: Path) -> None:
    tree = tmp_path / "fixtures"
    shutil.copytree(REPO / "fixtures" / "projects", tree / "projects")
    shutil.copytree(REPO / "fixtures" / "core", tree / "core")
    cache = tmp_path / "cache"
    reference = findings("--no-cache", "--jobs", "1", str(tree))
    assert reference, "the sample must have findings for the comparison to mean something"
    cold = findings("--cache-dir", str(cache), "--jobs", "2", str(tree))
    assert any(cache.rglob("*.json"))
    warm_one = findings("--cache-dir", str(cache), "--jobs", "1", str(tree))
    warm_two = findings("--cache-dir", str(cache), "--jobs", "2", str(tree))
    assert reference == cold == warm_one == warm_two


def test_a_changed_module_rechecks_the_scripts_that_import_it(tmp_path: Path) -> None:
    project = tmp_path / "gan"
    write(project, "model.py", BUILDER)
    train = write(project, "train.py", TRAIN)
    cache = str(tmp_path / "cache")
    assert findings("--cache-dir", cache, str(project)) == []
    (project / "model.py").write_text(BUILDER.replace('"d", reuse=reuse', '"d"'))  # reuse dropped: TF fails
    after = findings("--cache-dir", cache, str(project))
    assert [(Path(f["path"]).name, f["code"]) for f in after] == [("model.py", "TFS102")]
    assert any(r["path"] == str(train) for r in after[0]["related"])
    (project / "model.py").write_text(BUILDER)
    assert findings("--cache-dir", cache, str(project)) == []


def test_the_tool_itself_is_part_of_the_key(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sources = {str(tmp_path / "a.py"): "import tensorflow as tf\n"}
    before = engine.Cache(tmp_path, sources, "tf=1.15").salt
    monkeypatch.setattr(engine, "tool_fingerprint", lambda: "an edited analysis")
    assert engine.Cache(tmp_path, sources, "tf=1.15").salt != before
    assert engine.Cache(tmp_path, sources, "tf=1.14").salt != before


def test_no_cache_writes_nothing_and_two_runs_can_share_one(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "gan"
    write(project, "model.py", BUILDER.replace('"d", reuse=reuse', '"d"'))
    write(project, "train.py", TRAIN)
    shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")  # the project root, where the cache goes
    monkeypatch.chdir(project)
    findings("--no-cache", str(project))
    assert not (project / ".tfscope_cache").exists()
    findings(str(project))
    assert (project / ".tfscope_cache").is_dir()
    shutil.rmtree(project / ".tfscope_cache")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "tfscope_lint", "check", "--output-format", "json", str(project)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=project)
            for _ in range(3)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [1, 1, 1], [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1
    assert (project / ".tfscope_cache").is_dir()
    assert not list((project / ".tfscope_cache").rglob("*.tmp"))


def test_a_warm_run_loads_neither_the_parser_nor_rich(tmp_path: Path) -> None:
    """Everything read from the cache: the run's cost is start-up, so libcst, the interpreter and rich
    (the terminal output) stay unloaded; a cold run loads them."""
    write(tmp_path, "model.py", BUILDER)
    write(tmp_path, "train.py", TRAIN.replace("reuse=True", "reuse=False"))
    command = [sys.executable, "-X", "importtime", "-m", "tfscope_lint", "check", str(tmp_path), "--quiet",
               "--output-format", "json", "--cache-dir", str(tmp_path / "cache")]
    cold = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    warm = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert cold.returncode == warm.returncode == 1 and cold.stdout == warm.stdout
    assert json.loads(warm.stdout)[0]["code"] == "TFS102"
    loaded = {line.split("|")[-1].strip() for line in warm.stderr.splitlines() if line.startswith("import time:")}
    assert "libcst" in {line.split("|")[-1].strip() for line in cold.stderr.splitlines()}
    assert not {"libcst", "rich", "tfscope_lint.analysis.interpreter"} & loaded
