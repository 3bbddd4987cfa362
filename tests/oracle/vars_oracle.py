"""Builds a program under real TensorFlow and prints what tf.global_variables() lists; saves or restores it.

Usage: python vars_oracle.py PROGRAM.py|PROJECT_DIR [--save PREFIX] [--restore PREFIX]

Prints one JSON object: `variables` as [name, shape, dtype, trainable] in creation order, `saved` (the
prefix written by tf.train.Saver) and `restore_error` (what Saver.restore raised, or
null when it restored every variable). The program runs as run_oracle.py runs fixtures.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_oracle  # noqa: E402  (imports TensorFlow as compat.v1, v2 behaviour off)

tf = run_oracle.tf


def main(argv: list) -> int:
    run_oracle._install_legacy_modules()
    target = Path(argv[0])
    options = dict(zip(argv[1::2], argv[2::2]))
    report = run_oracle.run_one(target)
    out: dict = {"built": report["built"], "error": report.get("message")}
    if report["built"]:
        trainable = set(tf.trainable_variables())
        out["variables"] = [[v.op.name, v.shape.as_list(), v.dtype.base_dtype.name, v in trainable]
                            for v in tf.global_variables()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saver = tf.train.Saver()
            if "--save" in options:
                out["saved"] = saver.save(sess, options["--save"], write_meta_graph=False)
            if "--restore" in options:
                try:
                    saver.restore(sess, options["--restore"])
                    out["restore_error"] = None
                except Exception as exc:  # noqa: BLE001 - what TF says is the fact reported
                    out["restore_error"] = f"{type(exc).__name__}: {str(exc)[:4000]}"
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
