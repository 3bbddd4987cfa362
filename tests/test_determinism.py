"""Findings must not depend on PYTHONHASHSEED: a set's iteration order once chose which variable a
TFS104 message names ("was created as ..."), after a branch merged the store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROGRAM = '''import sys
import tensorflow as tf

with tf.variable_scope("encoder"):
    tf.get_variable("w", [4])
with tf.variable_scope("decoder"):
    tf.get_variable("w", [4])
with tf.variable_scope("critic"):
    tf.get_variable("w", [4])
if len(sys.argv) > 1:  # undecidable: the store is merged from both branches
    tf.get_variable("extra", [1])
with tf.variable_scope("generator", reuse=True):
    tf.get_variable("w", [4])
'''


def _check(path: Path, seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    done = subprocess.run([sys.executable, "-m", "tfscope_lint", "check", "--no-cache", str(path)],
                          capture_output=True, text=True, env=env, cwd=path.parent, timeout=120)
    return done.stdout


def test_tfs104_names_the_same_variable_under_any_hash_seed(tmp_path: Path) -> None:
    program = tmp_path / "three_candidates.py"
    program.write_text(PROGRAM, encoding="utf-8")
    outputs = {seed: _check(program, seed) for seed in ("1", "2", "3")}  # three orders before the fix
    assert "TFS104" in outputs["1"]
    assert outputs["1"] == outputs["2"] == outputs["3"]
    assert "was created as 'encoder/w'" in outputs["1"]  # the first one created
