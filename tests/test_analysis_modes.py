"""Execution modes the oracle cannot show: TF2 eager execution never raises scope errors."""

from __future__ import annotations

from tfscope_lint.runner import check_source

EAGER_THEN_GRAPH = '''import tensorflow as tf
tf.compat.v1.enable_eager_execution()


def layer():
    with tf.compat.v1.variable_scope("a"):
        return tf.compat.v1.get_variable("w", [1])


layer()
layer()
graph = tf.Graph()
with graph.as_default():
    layer()
    layer()
'''


def test_eager_code_is_quiet_but_an_explicit_graph_is_checked() -> None:
    result = check_source("eager.py", EAGER_THEN_GRAPH)
    assert [(f.code, f.location.line) for f in result.findings] == [("TFS102", 7)]
    # the finding comes from the graph block: the second run is the call on line 15, not an eager call
    assert [r.location.line for r in result.findings[0].related if r.message == "called from here"] == [15]


def test_graph_mode_is_the_default_for_tf1_code() -> None:
    source = EAGER_THEN_GRAPH.replace("tf.compat.v1.enable_eager_execution()\n", "")
    result = check_source("graph.py", source)
    assert [(f.code, f.location.line) for f in result.findings] == [("TFS102", 6)]
    assert [r.location.line for r in result.findings[0].related if r.message == "called from here"] == [10]


AUTO_REUSE_TWICE = '''import tensorflow as tf


def head(x):
    with tf.variable_scope("head", reuse=tf.AUTO_REUSE):
        return tf.get_variable("w", [4])


head(1)
head(2)
with tf.variable_scope("head"):
    tf.get_variable("w", [4])
'''


def test_tf_version_picks_tensorflows_wording() -> None:
    from tfscope_lint.analysis.engine import analyze

    new, _ = analyze({"m.py": AUTO_REUSE_TWICE}, tf_version="1.15")
    assert [f.code for f in new] == ["TFS102"]
    assert new[0].tf_error.endswith("Did you mean to set reuse=True or reuse=tf.AUTO_REUSE in VarScope?")
    old_source = AUTO_REUSE_TWICE.replace("reuse=tf.AUTO_REUSE", "reuse=None")
    old, _ = analyze({"m.py": old_source}, tf_version="1.2")
    assert old[0].tf_error.endswith("Did you mean to set reuse=True in VarScope?")


def test_auto_reuse_does_not_exist_before_1_4() -> None:
    from tfscope_lint.analysis.engine import analyze

    # TF 1.2 stops with an AttributeError at tf.AUTO_REUSE: nothing after it can be predicted
    findings, _ = analyze({"m.py": AUTO_REUSE_TWICE}, tf_version="1.2")
    assert findings == []
