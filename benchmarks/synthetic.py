"""A large, deterministic, synthetic TensorFlow 1.x code base for the benchmark.

    python benchmarks/synthetic.py OUT_DIR [--lines 250000] [--seed 0]

The tree looks like a research repository grown over a few years: a `common` package of layer
helpers shared by everyone, then one package per project, each with

    ops/      layer builders: tf.get_variable under tf.variable_scope (dense, conv, batch norm,
              embeddings, layer norm, attention, residual blocks), some using plain helpers
    nets/     model builders: a reuse parameter, tf.layers, slim.arg_scope + slim layers,
              classes with a built flag or AUTO_REUSE, tf.make_template; cross-module imports
    data/     input pipelines (tf.data, parsing, augmentation): TensorFlow, but no variables
    train/    scripts: multi-GPU tower loops with reuse=(i > 0), an eval graph that reuses,
              an optimizer, a main guard
    utils/    plain Python (configuration, naming, text, files, numbers) that never mentions
              TensorFlow, some of it imported by the TensorFlow modules

A few scripts carry a real bug (an eval graph built without reuse, or with another output
size), so that the findings compared between runs are not an empty list. The same seed and
size always give the same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

PROJECTS = (
    "vision", "speech", "language", "ranking", "detection", "segmentation", "recommend", "control",
    "gan", "audio", "video", "retrieval", "translation", "tagging", "captioning", "forecast", "pose",
    "depth", "tracking", "dialogue", "summarize", "anomaly", "graphs", "music",
)
WORDS = (
    "alpha", "beta", "gamma", "delta", "sigma", "omega", "kappa", "lambda_", "theta", "zeta", "base",
    "deep", "wide", "fast", "lite", "large", "small", "multi", "joint", "shared", "local", "global",
    "coarse", "fine", "early", "late", "main", "aux", "dual", "cross", "self", "meta",
)


BUGS = {  # injected into a few scripts, each a real TensorFlow error
    "no_reuse": "eval graph built without reuse (TFS102)",
    "shape": "eval graph shares with another output size (TFS105)",
    "duplicate": "two layers with one name (TFS101)",
}


def _word(rng: random.Random) -> str:
    return rng.choice(WORDS).rstrip("_")


@dataclass
class Builder:
    """A layer builder of an ops module, and how a net calls it."""

    name: str
    kind: str  # "image" (4-D in, 4-D out), "vector" (2-D), "ids" (int ids in, 3-D out), "norm" (shape kept)
    call: str  # format string with {fn}, {x}, {units}, {name}


@dataclass
class Net:
    """A model builder of a nets module, and how a script uses it."""

    name: str
    kind: str  # "image", "vector", "text"
    style: str  # "reuse" (reuse= parameter), "class", "template", "scope_reuse" (caller opens the scope)


@dataclass
class Module:
    path: str  # relative, with "/"
    text: str

    @property
    def lines(self) -> int:
        return self.text.count("\n")


@dataclass
class Package:
    name: str
    modules: List[Module] = field(default_factory=list)
    ops: List[Tuple[str, List[Builder]]] = field(default_factory=list)  # (module dotted, builders)
    nets: List[Tuple[str, List[Net]]] = field(default_factory=list)
    utils: List[Tuple[str, List[str]]] = field(default_factory=list)  # (module dotted, exported helpers)
    data: List[str] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return sum(m.lines for m in self.modules)


# ------------------------------------------------------------------------------------------ utils
_UTIL_EXPORTS = {
    "round_up": [
        "def round_up(value, multiple):",
        '    """The smallest multiple of `multiple` that is at least `value`."""',
        "    if multiple <= 1:",
        "        return value",
        "    return ((value + multiple - 1) // multiple) * multiple",
    ],
    "block_name": [
        "def block_name(prefix, index):",
        '    """A stable block name: prefix_00, prefix_01, ..."""',
        '    return "%s_%02d" % (prefix, index)',
    ],
    "scaled": [
        "def scaled(width, multiplier=1.0, minimum=8):",
        '    """A layer width scaled by a multiplier, never below `minimum`."""',
        "    return max(minimum, int(width * multiplier))",
    ],
}


def _util_filler(rng: random.Random, index: int) -> List[str]:
    """One plain-Python function or class: the kind of helper every repository has."""
    w = _word(rng)
    n = rng.randint(2, 9)
    kind = rng.randrange(8)
    if kind == 0:
        return [
            f"def parse_{w}_spec_{index}(spec, defaults=None):",
            f'    """Parse a "key=value,key=value" {w} specification into a dict."""',
            "    result = dict(defaults or {})",
            "    if not spec:",
            "        return result",
            '    for item in spec.split(","):',
            "        item = item.strip()",
            "        if not item:",
            "            continue",
            '        key, _, value = item.partition("=")',
            "        key = key.strip()",
            "        value = value.strip()",
            "        if value.isdigit():",
            "            result[key] = int(value)",
            '        elif value.lower() in ("true", "false"):',
            '            result[key] = value.lower() == "true"',
            "        else:",
            "            try:",
            "                result[key] = float(value)",
            "            except ValueError:",
            "                result[key] = value",
            "    return result",
        ]
    if kind == 1:
        return [
            f"class {w.capitalize()}Schedule{index}(object):",
            f'    """A piecewise {w} schedule: value at each boundary, linear in between."""',
            "",
            "    def __init__(self, boundaries, values):",
            "        if len(boundaries) + 1 != len(values):",
            '            raise ValueError("need one more value than boundaries")',
            "        self.boundaries = list(boundaries)",
            "        self.values = list(values)",
            "",
            "    def __call__(self, step):",
            "        for i, boundary in enumerate(self.boundaries):",
            "            if step < boundary:",
            "                start = self.boundaries[i - 1] if i else 0",
            "                frac = float(step - start) / max(1, boundary - start)",
            "                return self.values[i] + frac * (self.values[i + 1] - self.values[i])",
            "        return self.values[-1]",
            "",
            "    def __repr__(self):",
            f'        return "{w.capitalize()}Schedule{index}(%r, %r)" % (self.boundaries, self.values)',
        ]
    if kind == 2:
        return [
            f"def moving_average_{w}_{index}(values, window={n}):",
            f'    """Trailing moving average over `window` items ({w} smoothing)."""',
            "    out = []",
            "    total = 0.0",
            "    for i, value in enumerate(values):",
            "        total += value",
            "        if i >= window:",
            "            total -= values[i - window]",
            "        out.append(total / min(i + 1, window))",
            "    return out",
        ]
    if kind == 3:
        return [
            f"def read_{w}_lines_{index}(path, skip_comments=True, limit=None):",
            f'    """Lines of a text file ({w} lists), stripped, without blanks."""',
            "    lines = []",
            '    with open(path, "r") as handle:',
            "        for raw in handle:",
            "            line = raw.strip()",
            '            if not line or (skip_comments and line.startswith("#")):',
            "                continue",
            "            lines.append(line)",
            "            if limit is not None and len(lines) >= limit:",
            "                break",
            "    return lines",
        ]
    if kind == 4:
        return [
            f"def bucket_{w}_{index}(lengths, boundaries=({n}, {n * 2}, {n * 4}, {n * 8})):",
            f'    """Group sequence indices by length bucket ({w} batching)."""',
            "    buckets = {b: [] for b in range(len(boundaries) + 1)}",
            "    for i, length in enumerate(lengths):",
            "        bucket = 0",
            "        while bucket < len(boundaries) and length > boundaries[bucket]:",
            "            bucket += 1",
            "        buckets[bucket].append(i)",
            "    return {k: v for k, v in buckets.items() if v}",
        ]
    if kind == 5:
        return [
            f"class {w.capitalize()}Registry{index}(object):",
            f'    """Name -> factory registry for {w} components."""',
            "",
            "    def __init__(self):",
            "        self._entries = {}",
            "",
            "    def register(self, name):",
            "        def decorator(factory):",
            "            if name in self._entries:",
            '                raise KeyError("%s already registered" % name)',
            "            self._entries[name] = factory",
            "            return factory",
            "        return decorator",
            "",
            "    def create(self, name, *args, **kwargs):",
            "        try:",
            "            factory = self._entries[name]",
            "        except KeyError:",
            '            raise KeyError("unknown %s; known: %s" % (name, sorted(self._entries)))',
            "        return factory(*args, **kwargs)",
            "",
            "    def names(self):",
            "        return sorted(self._entries)",
        ]
    if kind == 6:
        return [
            f"def format_{w}_metrics_{index}(metrics, precision={n % 5 + 2}):",
            f'    """One log line for a dict of {w} metrics, keys sorted."""',
            "    parts = []",
            "    for key in sorted(metrics):",
            "        value = metrics[key]",
            "        if isinstance(value, float):",
            '            parts.append("%s=%.*f" % (key, precision, value))',
            "        else:",
            '            parts.append("%s=%s" % (key, value))',
            '    return ", ".join(parts)',
        ]
    return [
        f"def normalize_{w}_text_{index}(text, lower=True, max_len={n * 16}):",
        f'    """Collapse whitespace, optionally lower-case and truncate ({w} text)."""',
        "    words = text.split()",
        "    if lower:",
        "        words = [word.lower() for word in words]",
        '    out = " ".join(words)',
        "    if len(out) > max_len:",
        '        out = out[:max_len].rsplit(" ", 1)[0]',
        "    return out",
    ]


def _utils_module(rng: random.Random, pkg: str, index: int, exports: List[str]) -> str:
    topic = rng.choice(("config", "naming", "textutil", "fileio", "numeric", "registry", "metrics"))
    lines = [f'"""Plain helpers of the {pkg} project ({topic}); no framework code here."""', "",
             "import collections", "import json", "import os", ""]
    lines += [f"DEFAULT_{topic.upper()}_VERSION = {rng.randint(1, 9)}", ""]
    for name in exports:
        lines += ["", *_UTIL_EXPORTS[name], ""]
    for i in range(rng.randint(6, 16)):
        lines += ["", *_util_filler(rng, index * 100 + i), ""]
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------------------------------ ops
def _ops_builder(rng: random.Random, kind: str, name: str, has_round_up: bool) -> Tuple[List[str], Builder]:
    std = rng.choice(("0.01", "0.02", "0.05", "0.1"))
    if kind == "dense":
        body = [
            f"def {name}(x, units, name, activation=None, use_bias=True):",
            '    """Fully connected layer: x @ weights + biases, then the activation."""',
            "    with tf.variable_scope(name):",
        ]
        if has_round_up:
            body.append("        units = round_up(units, 8)")
        body += [
            "        in_dim = x.get_shape()[-1]",
            "        weights = tf.get_variable(",
            f'            "weights", [in_dim, units], initializer=tf.truncated_normal_initializer(stddev={std}))',
            "        y = tf.matmul(x, weights)",
            "        if use_bias:",
            '            biases = tf.get_variable("biases", [units], initializer=tf.zeros_initializer())',
            "            y = tf.nn.bias_add(y, biases)",
            "        if activation is not None:",
            "            y = activation(y)",
            "        return y",
        ]
        return body, Builder(name, "vector", "{fn}({x}, {units}, {name!r}, activation=tf.nn.relu)")
    if kind == "conv":
        body = [
            f"def {name}(x, filters, name, kernel_size=3, stride=1, padding=\"SAME\"):",
            '    """2-D convolution with a bias; NHWC."""',
            "    with tf.variable_scope(name):",
            "        in_channels = x.get_shape()[-1]",
            "        kernel = tf.get_variable(",
            '            "kernel", [kernel_size, kernel_size, in_channels, filters],',
            "            initializer=tf.variance_scaling_initializer())",
            '        bias = tf.get_variable("bias", [filters], initializer=tf.zeros_initializer())',
            "        y = tf.nn.conv2d(x, kernel, [1, stride, stride, 1], padding=padding)",
            "        return tf.nn.relu(tf.nn.bias_add(y, bias))",
        ]
        return body, Builder(name, "image", "{fn}({x}, {units}, {name!r})")
    if kind == "bn":
        body = [
            f"def {name}(x, name, is_training=True, decay=0.99, epsilon=1e-5):",
            '    """Batch normalisation over every axis but the last, with moving statistics."""',
            "    with tf.variable_scope(name):",
            "        params_shape = [x.get_shape()[-1]]",
            '        beta = tf.get_variable("beta", params_shape, initializer=tf.zeros_initializer())',
            '        gamma = tf.get_variable("gamma", params_shape, initializer=tf.ones_initializer())',
            "        moving_mean = tf.get_variable(",
            '            "moving_mean", params_shape, initializer=tf.zeros_initializer(), trainable=False)',
            "        moving_variance = tf.get_variable(",
            '            "moving_variance", params_shape, initializer=tf.ones_initializer(), trainable=False)',
            "        axes = list(range(len(x.get_shape()) - 1))",
            "        if is_training:",
            "            mean, variance = tf.nn.moments(x, axes)",
            "        else:",
            "            mean, variance = moving_mean, moving_variance",
            "        return tf.nn.batch_normalization(x, mean, variance, beta, gamma, epsilon)",
        ]
        return body, Builder(name, "norm", "{fn}({x}, {name!r}, is_training=is_training)")
    if kind == "layer_norm":
        body = [
            f"def {name}(x, name, epsilon=1e-6):",
            '    """Layer normalisation over the last axis."""',
            "    with tf.variable_scope(name):",
            "        depth = x.get_shape()[-1]",
            '        scale = tf.get_variable("scale", [depth], initializer=tf.ones_initializer())',
            '        shift = tf.get_variable("shift", [depth], initializer=tf.zeros_initializer())',
            "        mean, variance = tf.nn.moments(x, [-1], keep_dims=True)",
            "        return (x - mean) * tf.rsqrt(variance + epsilon) * scale + shift",
        ]
        return body, Builder(name, "norm", "{fn}({x}, {name!r})")
    if kind == "embed":
        vocab = rng.choice((1000, 5000, 32000))
        body = [
            f"def {name}(ids, units, name, vocab_size={vocab}):",
            '    """Embedding lookup table; ids are int32 of any shape."""',
            "    with tf.variable_scope(name):",
            "        table = tf.get_variable(",
            f'            "table", [vocab_size, units], initializer=tf.random_normal_initializer(stddev={std}))',
            "        return tf.nn.embedding_lookup(table, ids)",
        ]
        return body, Builder(name, "ids", "{fn}({x}, {units}, {name!r})")
    if kind == "attention":
        body = [
            f"def {name}(x, units, name, num_heads=4):",
            '    """Single-block self-attention over a [batch, units] input, projections by matmul."""',
            "    with tf.variable_scope(name):",
            "        in_dim = x.get_shape()[-1]",
            '        wq = tf.get_variable("query", [in_dim, units])',
            '        wk = tf.get_variable("key", [in_dim, units])',
            '        wv = tf.get_variable("value", [in_dim, units])',
            "        q = tf.matmul(x, wq)",
            "        k = tf.matmul(x, wk)",
            "        v = tf.matmul(x, wv)",
            "        logits = tf.matmul(q, k, transpose_b=True) / float(units // num_heads) ** 0.5",
            "        weights = tf.nn.softmax(logits)",
            '        wo = tf.get_variable("output", [units, units])',
            "        return tf.matmul(tf.matmul(weights, v), wo)",
        ]
        return body, Builder(name, "vector", "{fn}({x}, {units}, {name!r})")
    # residual block: calls a conv of its own module twice
    body = [
        f"def {name}(x, filters, name, stride=1):",
        '    """Two 3x3 convolutions with a projection shortcut when the shape changes."""',
        "    with tf.variable_scope(name):",
        "        in_channels = x.get_shape()[-1]",
        "        shortcut = x",
        "        if stride != 1 or in_channels != filters:",
        '            proj = tf.get_variable("shortcut", [1, 1, in_channels, filters])',
        "            shortcut = tf.nn.conv2d(x, proj, [1, stride, stride, 1], padding=\"SAME\")",
        '        k1 = tf.get_variable("conv1", [3, 3, in_channels, filters])',
        "        y = tf.nn.relu(tf.nn.conv2d(x, k1, [1, stride, stride, 1], padding=\"SAME\"))",
        '        k2 = tf.get_variable("conv2", [3, 3, filters, filters])',
        "        y = tf.nn.conv2d(y, k2, [1, 1, 1, 1], padding=\"SAME\")",
        "        return tf.nn.relu(y + shortcut)",
    ]
    return body, Builder(name, "image", "{fn}({x}, {units}, {name!r})")


def _ops_module(rng: random.Random, pkg: str, index: int, util: Optional[str]) -> Tuple[str, List[Builder]]:
    lines = [f'"""Layer helpers of the {pkg} project: every weight comes from tf.get_variable."""', "",
             "import tensorflow as tf", ""]
    has_round_up = util is not None
    if util is not None:
        lines += [f"from {util} import round_up", ""]
    lines += [f"EPSILON = 1e-{rng.randint(3, 8)}", ""]
    builders: List[Builder] = []
    kinds = ["dense", "conv", "bn", "layer_norm", "embed", "attention", "resblock"]
    count = rng.randint(7, 14)
    chosen = kinds[:] + [rng.choice(kinds) for _ in range(count - len(kinds))]
    rng.shuffle(chosen)
    for i, kind in enumerate(chosen):
        body, builder = _ops_builder(rng, kind, f"{kind}_{index}_{i}", has_round_up)
        lines += ["", *body, ""]
        builders.append(builder)
        if rng.random() < 0.5:  # a framework helper without variables
            lines += ["", f"def shape_list_{index}_{i}(x):",
                      '    """Static dimensions where known, dynamic ones elsewhere."""',
                      "    static = x.get_shape().as_list()",
                      "    dynamic = tf.shape(x)",
                      "    return [dynamic[i] if dim is None else dim for i, dim in enumerate(static)]", ""]
    return "\n".join(lines).rstrip() + "\n", builders


# ------------------------------------------------------------------------------------------ nets
def _pick(rng: random.Random, builders: List[Tuple[str, str, Builder]], kind: str) -> Tuple[str, str, Builder]:
    options = [b for b in builders if b[2].kind == kind]
    return rng.choice(options)


def _call(alias: str, b: Builder, x: str, units: int, name: str) -> str:
    fn = f"{alias}.{b.name}" if alias else b.name
    return b.call.format(fn=fn, x=x, units=units, name=name)


def _net_body(rng: random.Random, kind: str, available: List[Tuple[str, str, Builder]], ind: str,
              names: Optional[str] = None) -> List[str]:
    """The layers of a net on `inputs`, ending in `logits` of width num_outputs."""
    out: List[str] = []
    depth = rng.randint(2, 5)
    if kind == "image":
        width = rng.choice((16, 32, 64))
        for i in range(depth):
            alias, _, b = _pick(rng, available, "image")
            src = "inputs" if i == 0 else "net"
            out.append(f"{ind}net = {_call(alias, b, src, width * (i + 1), f'block{i}')}")
            if rng.random() < 0.5:
                alias, _, nb = _pick(rng, available, "norm")
                out.append(f"{ind}net = {_call(alias, nb, 'net', 0, f'norm{i}')}")
            if rng.random() < 0.4:
                out.append(f"{ind}net = tf.layers.max_pooling2d(net, 2, 2, name=\"pool{i}\")")
        if rng.random() < 0.5:
            out.append(f"{ind}net = tf.layers.conv2d(net, {width * 2}, 1, padding=\"same\", name=\"head_conv\")")
        out.append(f"{ind}net = tf.reduce_mean(net, axis=[1, 2])")
    elif kind == "text":
        alias, _, b = _pick(rng, available, "ids")
        out.append(f"{ind}net = {_call(alias, b, 'inputs', rng.choice((64, 128, 256)), 'embedding')}")
        out.append(f"{ind}net = tf.reduce_mean(net, axis=1)")
        for i in range(depth - 1):
            alias, _, b = _pick(rng, available, "vector")
            out.append(f"{ind}net = {_call(alias, b, 'net', rng.choice((64, 128)), f'layer{i}')}")
    else:
        for i in range(depth):
            src = "inputs" if i == 0 else "net"
            if rng.random() < 0.4:
                out.append(f"{ind}net = tf.layers.dense({src}, {rng.choice((64, 128, 256))}, "
                           f"activation=tf.nn.relu, name=\"fc{i}\")")
            else:
                alias, _, b = _pick(rng, available, "vector")
                out.append(f"{ind}net = {_call(alias, b, src, rng.choice((64, 128, 256)), f'hidden{i}')}")
            if rng.random() < 0.3:
                out.append(f"{ind}net = tf.layers.dropout(net, rate=0.1, training=is_training)")
    out.append(f"{ind}logits = tf.layers.dense(net, num_outputs, name=\"logits\")")
    return out


def _nets_module(rng: random.Random, pkg: str, index: int, ops: List[Tuple[str, List[Builder]]],
                 common_ops: List[Tuple[str, List[Builder]]], util: Optional[Tuple[str, List[str]]],
                 ) -> Tuple[str, List[Net]]:
    lines = [f'"""Model builders of the {pkg} project."""', "", "import tensorflow as tf"]
    use_slim = rng.random() < 0.5
    if use_slim:
        lines.append(rng.choice(("import tf_slim as slim", "from tensorflow.contrib import slim",
                                 "import tensorflow.contrib.slim as slim")))
    lines.append("")
    available: List[Tuple[str, str, Builder]] = []
    sources = rng.sample(ops, k=min(len(ops), rng.randint(1, 2)))
    if common_ops and rng.random() < 0.6:
        sources.append(rng.choice(common_ops))
    for n, (dotted, builders) in enumerate(sources):
        style = rng.randrange(3)
        if style == 0:
            alias = f"ops{n}"
            lines.append(f"from {dotted.rsplit('.', 1)[0]} import {dotted.rsplit('.', 1)[1]} as {alias}")
            available += [(alias, dotted, b) for b in builders]
        elif style == 1:
            alias = f"L{n}"
            lines.append(f"import {dotted} as {alias}")
            available += [(alias, dotted, b) for b in builders]
        else:
            names = sorted({b.name for b in builders})
            lines.append(f"from {dotted} import (")
            lines += [f"    {name}," for name in names]
            lines.append(")")
            available += [("", dotted, b) for b in builders]
    if util is not None and "block_name" in util[1]:
        lines.append(f"from {util[0]} import block_name")
    lines += ["", f"NUM_OUTPUTS = {rng.choice((10, 100, 1000))}", ""]
    kinds_present = {b.kind for _, _, b in available}
    net_kinds = [k for k in ("image", "vector", "text") if {"image": "image", "vector": "vector",
                                                            "text": "ids"}[k] in kinds_present
                 and (k != "image" or "norm" in kinds_present)]
    nets: List[Net] = []
    count = rng.randint(3, 7)
    for i in range(count):
        kind = rng.choice(net_kinds)
        name = f"{kind}_net_{index}_{i}"
        style = rng.choice(("reuse", "reuse", "reuse", "class", "template", "slim" if use_slim else "reuse"))
        if kind == "text" and style == "slim":
            style = "reuse"
        arg = "ids" if kind == "text" else "inputs"
        ind = " " * (12 if style == "class" else 8)
        body = _net_body(rng, kind, available, ind)
        body = [line.replace("(inputs,", f"({arg},") for line in body]
        if style == "reuse":
            lines += ["", f"def {name}({arg}, num_outputs=NUM_OUTPUTS, is_training=True, reuse=None, scope=None):",
                      f'    """{kind.capitalize()} model; pass reuse=True to share the weights of a first build."""',
                      f'    with tf.variable_scope(scope or "{name}", values=[{arg}], reuse=reuse):']
            lines += body + ["        return logits", ""]
        elif style == "slim":
            lines += ["", f"def {name}({arg}, num_outputs=NUM_OUTPUTS, is_training=True, reuse=None,",
                      f"        scope=\"{name}\"):",
                      '    """The slim version: arg_scope sets the defaults of every layer."""',
                      "    with tf.variable_scope(scope, reuse=reuse):",
                      "        with slim.arg_scope([slim.conv2d, slim.fully_connected], activation_fn=tf.nn.relu,",
                      "                            weights_initializer=tf.truncated_normal_initializer(stddev=0.01)):"]
            if kind == "image":
                lines += [f"            net = slim.conv2d({arg}, 32, [3, 3], scope=\"conv1\")",
                          "            net = slim.max_pool2d(net, [2, 2], scope=\"pool1\")",
                          "            net = slim.conv2d(net, 64, [3, 3], scope=\"conv2\")",
                          "            net = slim.max_pool2d(net, [2, 2], scope=\"pool2\")",
                          "            net = slim.flatten(net)"]
            else:
                lines += [f"            net = slim.fully_connected({arg}, 256, scope=\"fc1\")",
                          "            net = slim.dropout(net, 0.5, is_training=is_training, scope=\"dropout1\")",
                          "            net = slim.fully_connected(net, 128, scope=\"fc2\")"]
            lines += ["            logits = slim.fully_connected(",
                      "                net, num_outputs, activation_fn=None, scope=\"logits\")",
                      "        return logits", ""]
        elif style == "class":
            cls = "".join(part.capitalize() for part in name.split("_"))
            auto = rng.random() < 0.5
            lines += ["", f"class {cls}(object):",
                      f'    """{kind.capitalize()} model object: build once, call on every input."""', "",
                      f"    def __init__(self, num_outputs=NUM_OUTPUTS, is_training=True, name=\"{name}\"):",
                      "        self.num_outputs = num_outputs",
                      "        self.is_training = is_training",
                      "        self.name = name"]
            if not auto:
                lines.append("        self._calls = 0")
            lines += ["", f"    def __call__(self, {arg}):",
                      "        num_outputs = self.num_outputs",
                      "        is_training = self.is_training"]
            if auto:
                lines.append("        with tf.variable_scope(self.name, reuse=tf.AUTO_REUSE):")
            else:
                lines.append("        with tf.variable_scope(self.name, reuse=self._calls > 0):")
            lines += [line for line in body]
            if not auto:
                lines.append("        self._calls += 1")
            lines += ["        return logits", ""]
        else:  # template
            lines += ["", f"def _{name}_fn({arg}, num_outputs=NUM_OUTPUTS, is_training=True):",
                      '    """Template body: no reuse handling, make_template shares after the first call."""',
                      "    if True:"]
            lines += body + ["        return logits", "",
                             f"{name} = tf.make_template(\"{name}\", _{name}_fn)", ""]
        nets.append(Net(name if style != "class" else "".join(p.capitalize() for p in name.split("_")), kind,
                        "reuse" if style == "slim" else style))
        if rng.random() < 0.3:  # a builder nobody in the tree calls, analysed on its own
            lines += ["", f"def {name}_summary({arg}):",
                      '    """Summaries of a batch of inputs; no variables."""',
                      f'    tf.summary.histogram("{name}/inputs", {arg})',
                      f"    return tf.reduce_mean(tf.cast({arg}, tf.float32))", ""]
    return "\n".join(lines).rstrip() + "\n", nets


# ------------------------------------------------------------------------------------------ data
def _data_module(rng: random.Random, pkg: str, index: int) -> str:
    h = rng.choice((32, 64, 96, 224))
    lines = [f'"""Input pipelines of the {pkg} project: tf.data, no variables."""', "",
             "import tensorflow as tf", "",
             f"IMAGE_SIZE = {h}", f"SHUFFLE_BUFFER = {rng.choice((1000, 10000))}", ""]
    for i in range(rng.randint(3, 7)):
        lines += ["", f"def parse_example_{index}_{i}(serialized):",
                  '    """One tf.Example: an encoded image and an int64 label."""',
                  "    features = tf.parse_single_example(serialized, {",
                  '        "image/encoded": tf.FixedLenFeature([], tf.string),',
                  '        "image/class/label": tf.FixedLenFeature([], tf.int64),',
                  "    })",
                  '    image = tf.image.decode_jpeg(features["image/encoded"], channels=3)',
                  "    image = tf.image.convert_image_dtype(image, tf.float32)",
                  "    image = tf.image.resize_images(image, [IMAGE_SIZE, IMAGE_SIZE])",
                  '    label = tf.cast(features["image/class/label"], tf.int32)',
                  "    return image, label", "",
                  "", f"def augment_{index}_{i}(image, label):",
                  '    """Random flips and colour jitter."""',
                  "    image = tf.image.random_flip_left_right(image)",
                  f"    image = tf.image.random_brightness(image, max_delta={rng.choice(('0.1', '0.2', '0.3'))})",
                  "    image = tf.clip_by_value(image, 0.0, 1.0)",
                  "    return image, label", "",
                  "", f"def input_fn_{index}_{i}(file_pattern, batch_size, is_training=True):",
                  '    """Batches of (images, labels) from TFRecord files."""',
                  "    files = tf.data.Dataset.list_files(file_pattern, shuffle=is_training)",
                  "    dataset = files.interleave(tf.data.TFRecordDataset, cycle_length=4)",
                  f"    dataset = dataset.map(parse_example_{index}_{i}, num_parallel_calls=4)",
                  "    if is_training:",
                  f"        dataset = dataset.map(augment_{index}_{i}).shuffle(SHUFFLE_BUFFER).repeat()",
                  "    dataset = dataset.batch(batch_size).prefetch(1)",
                  "    return dataset.make_one_shot_iterator().get_next()", ""]
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------------------------------ train
def _placeholder(kind: str, name: str) -> str:
    if kind == "image":
        return f'tf.placeholder(tf.float32, [None, 32, 32, 3], name="{name}")'
    if kind == "text":
        return f'tf.placeholder(tf.int32, [None, 20], name="{name}")'
    return f'tf.placeholder(tf.float32, [None, 64], name="{name}")'


def _train_module(rng: random.Random, pkg: str, index: int, nets: List[Tuple[str, List[Net]]],
                  data: List[str], utils: List[Tuple[str, List[str]]], bug: Optional[str],
                  ) -> Tuple[str, Optional[str]]:
    dotted, candidates = rng.choice(nets)
    net = rng.choice(candidates)
    mod_alias = dotted.rsplit(".", 1)[1]
    num_gpus = rng.choice((2, 4, 8))
    lines = [f'"""Trains {net.name} of the {pkg} project on {num_gpus} GPUs, with an eval graph."""', "",
             "from __future__ import absolute_import", "from __future__ import division",
             "from __future__ import print_function", "",
             "import os", "", "import tensorflow as tf", "",
             f"from {dotted.rsplit('.', 1)[0]} import {mod_alias}"]
    if data:
        lines.append(f"from {pkg}.data import {rng.choice(data).rsplit('.', 1)[1]} as inputs_lib")
    util_with_name = [u for u in utils if "block_name" in u[1]]
    if util_with_name:
        lines.append(f"from {util_with_name[0][0]} import block_name")
    lines += ["", f"NUM_GPUS = {num_gpus}", f"BATCH_SIZE = {rng.choice((32, 64, 128, 256))}",
              f"LEARNING_RATE = {rng.choice(('1e-3', '3e-4', '0.1', '0.01'))}",
              f'MODEL_DIR = os.path.join("/tmp", "{pkg}_{index}")', ""]
    fn = f"{mod_alias}.{net.name}"
    # how to build the net: first build, later builds sharing, and the eval build
    if net.style == "reuse":
        def build(x: str, reuse: str, extra: str = "") -> str:
            return f"{fn}({x}, is_training=is_training, reuse={reuse}{extra})"
    elif net.style == "class":
        def build(x: str, reuse: str, extra: str = "") -> str:
            return f"model({x})"
    else:
        def build(x: str, reuse: str, extra: str = "") -> str:
            return f"{fn}({x}, is_training=is_training)"
    model_param = ", model=None" if net.style == "class" else ""
    lines += ["", f"def tower_loss(inputs, labels, is_training, reuse{model_param}):",
              '    """The loss of one tower; towers after the first share its variables."""',
              f"    logits = {build('inputs', 'reuse')}",
              "    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)",
              "    return loss", "",
              "", "def average_gradients(tower_grads):",
              '    """Average each variable\'s gradient over the towers."""',
              "    averaged = []",
              "    for grads_and_vars in zip(*tower_grads):",
              "        grads = tf.stack([g for g, _ in grads_and_vars])",
              "        averaged.append((tf.reduce_mean(grads, 0), grads_and_vars[0][1]))",
              "    return averaged", "",
              "", "def build_train_graph(" + ("model" if net.style == "class" else "") + "):"]
    lines += [f"    inputs = {_placeholder(net.kind, 'inputs')}",
              '    labels = tf.placeholder(tf.int32, [None], name="labels")',
              "    input_splits = tf.split(inputs, NUM_GPUS)",
              "    label_splits = tf.split(labels, NUM_GPUS)",
              "    global_step = tf.train.get_or_create_global_step()",
              "    optimizer = tf.train.MomentumOptimizer(LEARNING_RATE, 0.9)"]
    lines += ["    tower_grads = []", "    losses = []"]
    tower_style = rng.randrange(2) if net.style == "reuse" else 0
    extra = ", model=model" if net.style == "class" else ""
    if tower_style == 0:
        lines += ["    for i in range(NUM_GPUS):",
                  '        with tf.device("/gpu:%d" % i), tf.name_scope("tower_%d" % i):',
                  f"            loss = tower_loss(input_splits[i], label_splits[i], True, reuse=(i > 0){extra})",
                  "            losses.append(loss)",
                  "            tower_grads.append(optimizer.compute_gradients(loss))"]
    else:  # the cifar10_multi_gpu way: reuse_variables() on the current scope after the first tower
        lines += ["    with tf.variable_scope(tf.get_variable_scope()):",
                  "        for i in range(NUM_GPUS):",
                  '            with tf.device("/gpu:%d" % i), tf.name_scope("tower_%d" % i):',
                  "                loss = tower_loss(input_splits[i], label_splits[i], True, reuse=None)",
                  "                tf.get_variable_scope().reuse_variables()",
                  "                losses.append(loss)",
                  "                tower_grads.append(optimizer.compute_gradients(loss))"]
    lines += ["    grads = average_gradients(tower_grads)",
              "    train_op = optimizer.apply_gradients(grads, global_step=global_step)",
              '    tf.summary.scalar("loss", tf.add_n(losses) / NUM_GPUS)',
              "    return train_op", "",
              "", "def build_eval_graph(" + ("model" if net.style == "class" else "") + "):",
              '    """The eval graph shares the trained variables."""',
              "    is_training = False",
              f"    inputs = {_placeholder(net.kind, 'eval_inputs')}"]
    applied = None
    if net.style == "reuse":
        reuse = "True"
        more = ""
        if bug == "no_reuse":
            reuse, applied = "None", bug
        elif bug == "shape":
            more, applied = ", num_outputs=7", bug
        lines.append(f"    logits = {fn}(inputs, is_training=False, reuse={reuse}{more})")
    elif net.style == "class":
        lines.append("    logits = model(inputs)")
    else:
        lines.append(f"    logits = {fn}(inputs, is_training=False)")
    if bug == "duplicate":  # two different layers, one name, in a scope that does not reuse
        applied = bug
        lines += ['    calibrated = tf.layers.dense(logits, 1, name="calibration")',
                  '    calibrated = tf.layers.dense(calibrated, 1, name="calibration")']
    lines += ["    predictions = tf.argmax(logits, axis=1)", "    return predictions", "",
              "", "def main():"]
    if net.style == "class":
        lines += [f"    model = {fn}(is_training=True)",
                  "    train_op = build_train_graph(model)",
                  "    predictions = build_eval_graph(model)"]
    else:
        lines += ["    train_op = build_train_graph()", "    predictions = build_eval_graph()"]
    lines += ["    saver = tf.train.Saver(max_to_keep=5)",
              "    init = tf.global_variables_initializer()",
              "    with tf.Session() as sess:",
              "        sess.run(init)",
              "        for step in range(100):",
              "            sess.run(train_op)",
              "        saver.save(sess, os.path.join(MODEL_DIR, \"model.ckpt\"))",
              "    return predictions", "",
              "", 'if __name__ == "__main__":', "    main()"]
    return "\n".join(lines).rstrip() + "\n", applied


# ------------------------------------------------------------------------------------------ tree
def _package(rng: random.Random, name: str, common: Optional[Package], is_common: bool,
             bugs: Dict[str, int]) -> Package:
    pkg = Package(name)

    def add(rel: str, text: str) -> None:
        pkg.modules.append(Module(f"{name}/{rel}", text))

    add("__init__.py", f'"""The {name} project."""\n')
    for sub in ("ops", "utils") + (() if is_common else ("nets", "data", "train")):
        add(f"{sub}/__init__.py", "")
    n_utils = rng.randint(2, 4)
    exports_pool = list(_UTIL_EXPORTS)
    for i in range(n_utils):
        exports = [exports_pool[i % len(exports_pool)]] if i < len(exports_pool) else []
        mod = f"{rng.choice(('config', 'naming', 'textutil', 'fileio', 'numeric', 'misc'))}_{i}"
        add(f"utils/{mod}.py", _utils_module(rng, name, i, exports))
        pkg.utils.append((f"{name}.utils.{mod}", exports))
    util_round = next((u for u in pkg.utils if "round_up" in u[1]), None)
    for i in range(rng.randint(2, 4)):
        mod = f"layers_{i}"
        text, builders = _ops_module(rng, name, i, util_round[0] if util_round and rng.random() < 0.5 else None)
        add(f"ops/{mod}.py", text)
        pkg.ops.append((f"{name}.ops.{mod}", builders))
    if is_common:
        return pkg
    common_ops = common.ops if common is not None else []
    util_name = next((u for u in pkg.utils if "block_name" in u[1]), None)
    for i in range(rng.randint(3, 6)):
        text, nets = _nets_module(rng, name, i, pkg.ops, common_ops, util_name)
        mod = f"{rng.choice(('resnet', 'encoder', 'tower', 'model', 'heads', 'backbone'))}_{i}"
        add(f"nets/{mod}.py", text)
        pkg.nets.append((f"{name}.nets.{mod}", nets))
    for i in range(rng.randint(1, 2)):
        mod = f"input_{i}"
        add(f"data/{mod}.py", _data_module(rng, name, i))
        pkg.data.append(f"{name}.data.{mod}")
    for i in range(rng.randint(2, 4)):
        bug = None
        if rng.random() < 0.15:
            bug = rng.choice(tuple(BUGS))
        text, applied = _train_module(rng, name, i, pkg.nets, pkg.data, pkg.utils, bug)
        if applied is not None:
            bugs[BUGS[applied]] += 1
        add(f"train/train_{i}.py", text)
    return pkg


def generate(root: Path, lines: int = 250_000, seed: int = 0) -> Dict[str, object]:
    """Write the tree under `root` (emptied first); returns counts: files, lines, packages, bugs."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    bugs = {label: 0 for label in BUGS.values()}
    packages: List[Package] = []
    common = _package(rng, "common", None, True, bugs)
    packages.append(common)
    total = common.lines
    n = 0
    while total < lines:
        base = PROJECTS[n % len(PROJECTS)]
        name = base if n < len(PROJECTS) else f"{base}{n // len(PROJECTS) + 1}"
        pkg = _package(rng, name, common, False, bugs)
        packages.append(pkg)
        total += pkg.lines
        n += 1
    files = 0
    for pkg in packages:
        for module in pkg.modules:
            target = root / module.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(module.text, encoding="utf-8")
            files += 1
    return {"files": files, "lines": total, "packages": len(packages), "injected_bugs": bugs}


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="directory to write (emptied first)")
    parser.add_argument("--lines", type=int, default=250_000, help="approximate size in lines [250000]")
    parser.add_argument("--seed", type=int, default=0, help="random seed [0]")
    args = parser.parse_args(argv)
    stats = generate(Path(args.out), args.lines, args.seed)
    print(f"{args.out}: {stats['files']} files, {stats['lines']} lines, {stats['packages']} packages, "
          f"injected bugs: {stats['injected_bugs']}")


if __name__ == "__main__":
    main()
