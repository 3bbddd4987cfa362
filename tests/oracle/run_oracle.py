"""Runs fixture programs under real TensorFlow and reports, per fixture, whether the graph built.

Usage: python run_oracle.py FIXTURE.py [FIXTURE_DIR ...]  (prints one JSON object per line)

Each program runs in this one process, on a fresh default graph, with `tensorflow` bound to
`tensorflow.compat.v1` after `disable_v2_behavior()`, which is how legacy TF1 code is run under
TF 2.x. A fixture directory is a multi-file project: its `main.py` is run as the entry script
with the directory first on sys.path. The report lists the fixture lines that were on the
traceback's stack, so the test can check that TF failed exactly where the fixture expects.
A fixture may give its command line (`# oracle: argv --is_train=True`) or code to run that nothing in it
calls (`# oracle: call ModelTest("testBuild").testBuild()`): see `run_one`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
import traceback
import types
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow.compat.v1 as tf  # noqa: E402

tf.disable_v2_behavior()
tf.logging.set_verbosity(tf.logging.ERROR)


def _install_legacy_modules() -> None:
    """Make `import tensorflow as tf` give the TF1 API, and `tf.contrib.slim` tf_slim where it installs."""
    sys.modules["tensorflow"] = tf
    try:  # TF 2.21 looks for tf_keras.legacy_tf_layers, which tf-keras ships under tf_keras.src (slim.batch_norm)
        import importlib
        legacy = importlib.import_module("tf_keras.src.legacy_tf_layers")
        sys.modules.setdefault("tf_keras.legacy_tf_layers", legacy)
        for sub in ("base", "core", "convolutional", "normalization", "pooling", "variable_scope_shim"):
            try:
                sys.modules.setdefault(f"tf_keras.legacy_tf_layers.{sub}",
                                       importlib.import_module(f"tf_keras.src.legacy_tf_layers.{sub}"))
            except ImportError:
                pass
    except ImportError:
        pass
    try:
        import tf_slim  # type: ignore
    except ImportError:  # pragma: no cover - tf_slim is optional
        tf_slim = None
    contrib = types.ModuleType("tensorflow.contrib")
    if tf_slim is not None:
        contrib.slim = tf_slim
        contrib.layers = tf_slim.layers if hasattr(tf_slim, "layers") else tf_slim
        contrib.framework = tf_slim
        if not hasattr(tf_slim, "smart_cond"):  # TF 1.x's tf.contrib.framework.smart_cond
            from tensorflow.python.framework import smart_cond as _smart_cond
            tf_slim.smart_cond = _smart_cond.smart_cond
        sys.modules["tensorflow.contrib.slim"] = tf_slim
        sys.modules["tensorflow.contrib.layers"] = contrib.layers
        sys.modules["tensorflow.contrib.framework"] = tf_slim
    contrib.rnn = tf.nn.rnn_cell
    sys.modules["tensorflow.contrib"] = contrib
    sys.modules["tensorflow.contrib.rnn"] = tf.nn.rnn_cell
    tf.contrib = contrib


ARGV = re.compile(r"^#\s*oracle:\s*argv\s+(.*)$", re.MULTILINE)
CALL = re.compile(r"^#\s*oracle:\s*call\s+(.*)$", re.MULTILINE)


def _reset_flags() -> None:
    """absl parses the command line once per process: let the next fixture's flags be parsed anew."""
    try:
        from absl import flags
        flags.FLAGS.unparse_flags()
    except Exception:  # noqa: BLE001 - no absl, or nothing parsed yet
        pass


def _flag_names() -> set:
    try:
        from absl import flags
        return set(flags.FLAGS)
    except Exception:  # noqa: BLE001 - no absl
        return set()


def _drop_flags(names: set) -> None:
    """Forget the flags a fixture defined: each runs in its own process under TF, and two fixtures may
    define one name (absl raises DuplicateFlagError on the second definition in one process)."""
    try:
        from absl import flags
        for name in names:
            delattr(flags.FLAGS, name)
    except Exception:  # noqa: BLE001 - no absl, or a flag already gone
        pass


def _message(exc: BaseException) -> str:
    """The error's first line; for one AutoGraph re-raises from a converted function (tf.map_fn's), whose
    first line is 'in user code:', the original error's line, which comes last."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if lines and lines[0] == "in user code:":
        return lines[-1].split(": ", 1)[-1] if lines[-1].startswith(type(exc).__name__) else lines[-1]
    return lines[0] if lines else ""


def run_one(target: Path) -> dict:
    """Run the entry as a script, with `# oracle: argv ARGS` as its command line; with `# oracle: call EXPR`
    lines, run it as a module instead (its main guard does not run) and then each EXPR on a fresh graph, in
    order: code nothing in the fixture calls, as a test runner or another program would."""
    entry = target / "main.py" if target.is_dir() else target
    project_dir = str(entry.parent.resolve())
    text = entry.read_text(encoding="utf-8")
    argv = ARGV.search(text)
    calls = [c.strip() for c in CALL.findall(text)]
    tf.reset_default_graph()
    _reset_flags()
    saved_path, saved_argv = list(sys.path), list(sys.argv)
    saved_modules = set(sys.modules)
    saved_flags = _flag_names()
    sys.path.insert(0, project_dir)
    sys.argv = [str(entry.resolve()), *(shlex.split(argv.group(1)) if argv else [])]
    report: dict = {"fixture": str(target), "built": True}
    try:
        code = compile(text, str(entry.resolve()), "exec")
        namespace = {"__name__": "__main__" if not calls else "fixture_module", "__file__": str(entry.resolve())}
        exec(code, namespace)
        for call in calls:
            tf.reset_default_graph()
            eval(call, namespace)
    except BaseException as exc:  # noqa: BLE001 - any failure is the fact we report
        frames = traceback.extract_tb(exc.__traceback__)
        report.update(
            built=False,
            error_type=type(exc).__name__,
            message=_message(exc),
            frames=[
                {"path": os.path.relpath(f.filename, project_dir if target.is_dir() else entry.parent), "line": f.lineno}
                for f in frames
                if f.filename.startswith(project_dir)
            ],
        )
    finally:
        sys.path[:] = saved_path
        sys.argv = saved_argv
        for name in set(sys.modules) - saved_modules:
            if not name.startswith(("tensorflow", "tf_", "keras", "numpy")):
                del sys.modules[name]
        _drop_flags(_flag_names() - saved_flags)
    return report


def main(argv: list) -> int:
    _install_legacy_modules()
    for arg in argv:
        print(json.dumps(run_one(Path(arg))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
