"""Units of analysis the fixtures' oracle cannot run as they are: settings flipped from their defaults,
classes nothing instantiates, functions analysed alone, and code the analysis does not follow.

Each verdict here was checked under real TensorFlow by running the same program with the setting
flipped, or with the class instantiated / the function called by a small driver (see
fixtures/certainty*/ for the programs whose `# verified:` lines name the driver).
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from tfscope_lint.analysis.engine import analyze
from tfscope_lint.runner import check_source


def found(sources: Dict[str, str]) -> List[Tuple[str, str, int]]:
    findings, _ = analyze(sources)
    return sorted((f.code, f.location.path, f.location.line) for f in findings)


# ------------------------------------------------------------------ settings flipped from their defaults
FLAG_SELECTS_TRAINING = '''import tensorflow as tf

tf.app.flags.DEFINE_boolean("is_train", False, "train, or only sample")
FLAGS = tf.app.flags.FLAGS


def discriminator(x, reuse=False):
    with tf.variable_scope("d", reuse=reuse):
        return tf.layers.dense(x, 1, name="out")


def build(x):
    real = discriminator(x)
    fake = discriminator(x * 2.0, reuse=True)
    if FLAGS.is_train:
        with tf.variable_scope("d"):
            tf.get_variable("out/kernel", [4, 1])
    return real, fake


build(tf.placeholder(tf.float32, [None, 4]))
'''


def test_a_flag_tested_by_an_if_is_flipped_and_named_in_the_message() -> None:
    findings, _ = analyze({"gan.py": FLAG_SELECTS_TRAINING})
    assert [(f.code, f.location.line) for f in findings] == [("TFS101", 17)]
    assert "(only with --is_train=True" in findings[0].message


def test_the_default_path_is_not_labelled_with_a_setting() -> None:
    source = FLAG_SELECTS_TRAINING.replace('"is_train", False', '"is_train", True')
    findings, _ = analyze({"gan.py": source})
    assert [(f.code, f.location.line) for f in findings] == [("TFS101", 17)]
    assert "only with" not in findings[0].message


def test_a_store_true_argument_is_flipped_by_its_option() -> None:
    source = FLAG_SELECTS_TRAINING.replace(
        'tf.app.flags.DEFINE_boolean("is_train", False, "train, or only sample")\nFLAGS = tf.app.flags.FLAGS',
        'import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument("--train", dest="is_train", '
        'action="store_true")\nFLAGS = parser.parse_args()')
    findings, _ = analyze({"gan.py": source})
    assert [f.code for f in findings] == ["TFS101"]
    assert "(only with --train:" in findings[0].message


def test_a_condition_on_data_is_never_flipped() -> None:
    source = FLAG_SELECTS_TRAINING.replace("if FLAGS.is_train:", "if x.get_shape()[0] == 4:")
    assert found({"gan.py": source}) == []


def test_a_flag_read_outside_conditions_is_not_flipped() -> None:
    source = FLAG_SELECTS_TRAINING.replace("    if FLAGS.is_train:\n        with",
                                           "    print(FLAGS.is_train)\n    if False:\n        with")
    assert found({"gan.py": source}) == []


# ------------------------------------------------------------------ classes nothing instantiates
NEVER_BUILT = '''import tensorflow as tf


class Model(object):
    def __init__(self, config, images):
        self.d_real = self.discriminator(images)
        self.d_fake = self.discriminator(images * 0.5)

    def discriminator(self, x):
        with tf.variable_scope("discriminator"):
            return tf.layers.dense(x, 1, name="logits")
'''


def test_a_class_nothing_instantiates_is_built_as_an_entry() -> None:
    assert found({"model.py": NEVER_BUILT}) == [("TFS102", "model.py", 11)]


def test_a_class_instantiated_elsewhere_is_built_there_only() -> None:
    trainer = "import tensorflow as tf\nfrom model import Model\n"
    assert found({"model.py": NEVER_BUILT, "train.py": trainer + "print(Model.__name__)\n"}) == [
        ("TFS102", "model.py", 11)]  # an attribute read builds nothing
    # instantiated under a reusing scope by the project's own script: TF builds it
    trainer += 'with tf.variable_scope("", reuse=tf.AUTO_REUSE):\n    m = Model(None, tf.zeros([2, 3]))\n'
    assert found({"model.py": NEVER_BUILT, "train.py": trainer}) == []


def test_a_constructor_taking_reuse_is_left_to_its_callers() -> None:
    source = NEVER_BUILT.replace("def __init__(self, config, images):",
                                 "def __init__(self, config, images, reuse=False):")
    assert found({"model.py": source}) == []


def test_a_constructor_fetch_counts_only_for_a_name_it_creates_later() -> None:
    source = '''import tensorflow as tf


class Probe(object):
    def __init__(self, x):
        with tf.variable_scope("embedding", reuse=True):
            self.table = tf.get_variable("table")  # the program may have created it before
        with tf.variable_scope("head", reuse=True):
            self.w = tf.get_variable("w")
        with tf.variable_scope("head"):
            self.w2 = tf.get_variable("w", [3, 1])
'''
    assert found({"probe.py": source}) == [("TFS103", "probe.py", 9)]


# ------------------------------------------------------------------ code the analysis does not follow
def test_a_call_into_a_module_that_is_not_checked_leaves_its_scope_open() -> None:
    source = '''import tensorflow as tf
import sibling_models

with tf.variable_scope("net"):
    logits = sibling_models.build(tf.zeros([2, 3]))
with tf.variable_scope("net/fc", reuse=True):
    w = tf.get_variable("weights")
with tf.variable_scope("other", reuse=True):
    v = tf.get_variable("weights")
'''
    # the undecided fetch in 'net/fc' goes on as if it had found its variable, so 'weights' exists elsewhere
    assert found({"main.py": source}) == [("TFS104", "main.py", 9)]


def test_a_standard_library_call_leaves_the_store_closed() -> None:
    source = '''import logging
import tensorflow as tf

logging.info("building")
with tf.variable_scope("net", reuse=True):
    w = tf.get_variable("weights")
'''
    assert found({"main.py": source}) == [("TFS103", "main.py", 6)]


def test_an_unknown_rnn_cell_creates_unknown_variables_under_the_rnn_scope() -> None:
    source = '''import os
import tensorflow as tf

kind = os.environ.get("CELL", "lstm")
if kind == "lstm":
    cell = tf.nn.rnn_cell.LSTMCell(8)
elif kind == "gru":
    cell = tf.nn.rnn_cell.GRUCell(8)
else:
    cell = tf.contrib.rnn.LayerNormBasicLSTMCell(8)
outputs, _ = tf.nn.dynamic_rnn(cell, tf.zeros([2, 5, 3]), dtype=tf.float32, scope="enc")
with tf.variable_scope("enc", reuse=True):
    k = tf.get_variable("lstm_cell/kernel")
with tf.variable_scope("dec", reuse=True):
    d = tf.get_variable("lstm_cell/kernel")
'''
    assert [(c, line) for c, _, line in found({"rnn.py": source})] == [("TFS104", 15)]


def test_a_budget_cut_in_a_function_analysed_alone_is_noted_with_verbose_detail() -> None:
    source = '''import tensorflow as tf


def a(x):
    return b(x)


def b(x):
    return c(x)


def c(x):
    with tf.variable_scope("deep"):
        return tf.get_variable("w", [3])


def unused_test():
    with tf.Graph().as_default():
        a(1)
        with tf.variable_scope("deep", reuse=True):
            tf.get_variable("w")
'''
    result = check_source("alone.py", source)
    assert result.findings == []
    notes = [p.reason for p in result.notes]
    assert any("unused_test (analysed alone" in n and "not followed" in n for n in notes), notes
