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
