"""Writes the small checkpoints of tests/data/checkpoints with real TensorFlow (run once; the outputs are committed).

Usage: TF_USE_LEGACY_KERAS=1 python tests/data/checkpoints/make_checkpoints.py

small.ckpt.index is the checkpoint of tests/data/vars_programs/small_model.py. Each model is saved with tf.train.Saver as NAME.ckpt; only NAME.ckpt.index is kept (the reader needs
nothing else), with NAME.expected.txt, what tf.train.list_variables says about it, one `name shape dtype`
line per variable.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow.compat.v1 as tf  # noqa: E402

tf.disable_v2_behavior()
HERE = Path(__file__).resolve().parent


def small() -> None:
    """tests/data/vars_programs/small_model.py: a tiny classifier trained with Adam (slots, beta powers, a step)."""
    program = HERE.parent / "vars_programs" / "small_model.py"
    sys.modules["tensorflow"] = tf  # the program imports `tensorflow`: give it the TF1 API
    exec(compile(program.read_text(encoding="utf-8"), str(program), "exec"), {"__name__": "__main__"})


def odd() -> None:
    """Dtypes, a scalar, a string, a partitioned variable (slices are stored under their own keys)."""
    tf.get_variable("scalar", [], dtype=tf.int64)
    tf.get_variable("flag", [2], dtype=tf.bool)
    tf.Variable(["a", "b"], name="words")
    tf.get_variable("half", [2, 2], dtype=tf.float16)
    with tf.variable_scope("emb", partitioner=tf.fixed_size_partitioner(2)):
        tf.get_variable("table", [10, 3])
    tf.get_variable("big", [300, 200])  # a block of the table larger than one restart interval's worth of keys


def many() -> None:
    """Enough variables for several restart points of a block (long shared prefixes)."""
    for i in range(120):
        with tf.variable_scope(f"tower_{i}/conv"):
            tf.get_variable("weights", [1, i % 5 + 1])


def save(name: str, build) -> None:  # type: ignore[no-untyped-def]
    tf.reset_default_graph()
    build()
    work = Path(tempfile.mkdtemp())
    try:
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            prefix = tf.train.Saver().save(sess, str(work / f"{name}.ckpt"), write_meta_graph=False)
        shutil.copy(prefix + ".index", HERE / f"{name}.ckpt.index")
        reader = tf.train.load_checkpoint(prefix)
        dtypes = reader.get_variable_to_dtype_map()
        lines = [f"{n} {list(s)} {dtypes[n].name}" for n, s in tf.train.list_variables(prefix)]
        (HERE / f"{name}.expected.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    save("small", small)
    save("odd", odd)
    save("many", many)
