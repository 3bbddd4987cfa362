"""The model of tf_slim's nets (analysis/slim_nets.py) against the installed tf_slim: each net's first
variable has the name and shape the catalogue says, on a 5-channel input (so the input depth is checked)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from tfscope_lint.analysis.slim_nets import NETS

pytestmark = pytest.mark.oracle

# One net per family and depth rule (the deeper resnets come from the same loop as the 50s; the
# `tf_slim.nets.inception_v3` spellings are aliases of `inception`): building them all takes minutes.
CHECKED = sorted(p for p in NETS if not any(d in p for d in ("_101", "_152", "_200"))
                 and not p.startswith("slim.nets.inception_v"))

PROGRAM = r'''
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, sys.argv[2])
import run_oracle  # TF1 mode and the tf_keras shims tf_slim needs on TF 2.x
run_oracle._install_legacy_modules()
import tensorflow.compat.v1 as tf
import importlib
out = {}
for path in json.loads(sys.argv[1]):
    module, name = path[len("slim.nets."):].rsplit(".", 1)
    fn = getattr(importlib.import_module("tf_slim.nets." + module), name)
    tf.reset_default_graph()
    size = 299 if "inception_v3" in name else 231 if name == "overfeat" else 224
    fn(tf.placeholder(tf.float32, [None, size, size, 5]))
    first = tf.global_variables()[0]
    out[path] = [first.name[:-2], first.shape.as_list()]
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def first_variables() -> dict:
    if importlib.util.find_spec("tf_slim") is None or importlib.util.find_spec("tensorflow") is None:
        pytest.skip("tf_slim and TensorFlow are not installed")
    paths = CHECKED
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    here = os.path.dirname(os.path.abspath(__file__))
    proc = subprocess.run([sys.executable, "-c", PROGRAM, json.dumps(paths), here], capture_output=True, text=True,
                          env=env, timeout=900)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, proc.stderr[-3000:]
    return json.loads(lines[-1])


@pytest.mark.parametrize("path", CHECKED)
def test_first_variable_matches_tf_slim(path: str, first_variables: dict) -> None:
    spec = NETS[path]
    name, shape = first_variables[path]
    assert name == f"{spec.default_scope}/{spec.first}"
    assert shape == [spec.kernel[0], spec.kernel[1], 5, spec.depth]
