"""Function facts read from text and tree: generators exactly, variable use never missed."""

from __future__ import annotations

import ast

from tfscope_lint.analysis.outline import _all_facts

SOURCE = '''import tensorflow as tf


def outer(x):
    def inner():
        yield tf.get_variable("w", [1])
    return lambda: (yield)


class Net:
    def build(self, reuse):
        with tf.variable_scope("net", reuse=reuse):
            return x

    def plain(self):
        return 1  # not get_variable: a comment only


async def stream():
    for i in range(3):
        yield i
'''


def test_facts_per_function_in_order() -> None:
    names, facts = _all_facts(ast.parse(SOURCE), SOURCE)
    assert names == ["outer", "inner", "build", "plain", "stream"]
    assert [f.is_generator for f in facts] == [False, True, False, False, True]
    # outer touches through inner; plain only through a comment: analysed alone for nothing, never skipped
    assert [f.touches_variables for f in facts] == [True, True, True, True, False]


def test_crlf_lines() -> None:
    text = SOURCE.replace("\n", "\r\n")
    assert _all_facts(ast.parse(text), text) == _all_facts(ast.parse(SOURCE), SOURCE)
