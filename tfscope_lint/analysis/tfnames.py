"""TF names and the values of their arguments: spellings, dtypes, shapes, constants.

Every spelling of a TF name is folded onto one canonical path ('tf.variable_scope',
'tf.layers.dense', 'slim.conv2d', ...), and dtype/shape/constant arguments are read into the
model's terms. The dispatch in `tfapi` and its parts (scopes, variables, tensor ops) all need
these, so they live below all of them.
"""

from __future__ import annotations

import functools
import sys

from typing import Any, Optional, Tuple

from tfscope_lint.analysis.values import Const, NoneDimension, SeqVal, TFObject, TFRef, Value
from tfscope_lint.model.graph import NOT_GIVEN, UNKNOWN
from tfscope_lint.model.shapes import Shape

# Prefix rewrites that fold every spelling onto a canonical path, applied until stable.
REWRITES: Tuple[Tuple[str, str], ...] = (
    ("tensorflow", "tf"),
    ("tf_slim", "slim"),
    ("tf.compat.v1", "tf"),
    ("tf.compat.v2", "tf"),
    ("tf.python.ops.variable_scope", "tf"),
    ("tf.python.ops.variables", "tf"),
    ("tf.python.ops.init_ops", "tf"),
    ("tf.python.ops.array_ops", "tf"),
    ("tf.python.ops.math_ops", "tf"),
    ("tf.python.ops.nn", "tf.nn"),
    ("tf.python.ops.rnn_cell_impl", "tf.nn.rnn_cell"),
    ("tf.python.ops.rnn_cell", "tf.nn.rnn_cell"),
    ("tf.python.ops.rnn", "tf.nn"),
    ("tf.python.framework.ops", "tf"),
    ("tf.python.framework.dtypes", "tf"),
    ("tf.python.framework.constant_op", "tf"),
    ("tf.python.ops.random_ops", "tf"),
    ("tf.python.ops.state_ops", "tf"),
    ("tf.python.ops.nn_ops", "tf.nn"),
    ("tf.python.ops.nn_impl", "tf.nn"),
    ("tf.python.layers.core", "tf.layers"),
    ("tf.python.layers.convolutional", "tf.layers"),
    ("tf.python.layers.normalization", "tf.layers"),
    ("tf.python.layers", "tf.layers"),
    ("tf.python.training", "tf.train"),
    ("tf.contrib.slim", "slim"),
    ("tf.contrib.layers", "slim"),
    ("tf.contrib.framework", "slim"),
    ("tf.contrib.rnn", "tf.nn.rnn_cell"),
    ("tf.nn.rnn_cell.static_rnn", "tf.nn.static_rnn"),
    ("tf.nn.rnn_cell.static_bidirectional_rnn", "tf.nn.static_bidirectional_rnn"),
    ("tf.app.flags", "flags"),
    ("tf.flags", "flags"),
    ("absl.flags", "flags"),
    ("tf.compat.v1.app", "tf.app"),
    ("slim.python.slim", "slim"),
    ("slim.layers", "slim"),
    ("slim.ops", "slim"),
    ("slim.framework", "slim"),
    ("slim.variables", "slim"),
    ("slim.arg_scope", "slim.arg_scope"),

    ("tf.glorot_uniform_initializer", "tf.glorot_uniform_initializer"),
)

DTYPES = {
    "float16", "float32", "float64", "bfloat16", "half", "double", "int8", "int16", "int32", "int64", "uint8",
    "uint16", "uint32", "uint64", "bool", "string", "complex64", "complex128", "float", "int",
}

# Short names count as initializers only inside an initializers namespace (tf.keras.initializers.zeros).
SHORT_INITIALIZER_NAMES = {
    "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "glorot_uniform", "glorot_normal", "zeros", "ones",
    "constant", "random_normal", "random_uniform", "truncated_normal", "orthogonal", "variance_scaling",
}
INITIALIZER_NAMES = {
    "zeros_initializer", "ones_initializer", "constant_initializer", "random_normal_initializer",
    "random_uniform_initializer", "truncated_normal_initializer", "glorot_uniform_initializer",
    "glorot_normal_initializer", "orthogonal_initializer", "variance_scaling_initializer", "xavier_initializer",
    "xavier_initializer_conv2d", "uniform_unit_scaling_initializer", "identity_initializer",
    "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal", "GlorotUniform",
    "GlorotNormal", "Orthogonal", "VarianceScaling", "HeNormal", "HeUniform",
}


@functools.lru_cache(maxsize=65536)
def canonical(path: str) -> str:
    changed = True
    while changed:
        changed = False
        for old, new in REWRITES:
            if path == old or path.startswith(old + "."):
                rewritten = new + path[len(old):]
                if rewritten != path:
                    path = rewritten
                    changed = True
    return path


def module_ref(dotted: str) -> Optional[TFRef]:
    """A TFRef for an imported module path of TF or slim, else None."""
    head = dotted.split(".")[0]
    if head in ("tensorflow", "tf_slim", "numpy", "functools", "absl", "argparse", "re", "itertools", "collections"):
        return TFRef(canonical(dotted))
    return None


# Libraries outside the checked files that create no TF variables: calls into them leave the store as it is.
# Any other module the analysis cannot read may (a sibling module not given, a TF wrapper library).
INERT_LIBRARIES = frozenset({
    "numpy", "scipy", "pandas", "sklearn", "matplotlib", "PIL", "cv2", "six", "future", "past", "builtins",
    "tqdm", "h5py", "yaml", "gym", "requests", "nltk", "gensim", "imageio", "skimage", "termcolor", "colorama",
    "click", "easydict", "attr", "absl", "progressbar", "pytest", "mock", "setuptools", "pkg_resources", "ujson",
    "simplejson", "lmdb", "msgpack", "pyarrow", "librosa", "soundfile", "jieba", "spacy", "tabulate", "psutil",
    "dill", "joblib", "cloudpickle", "sympy", "seaborn", "boto3", "google.protobuf", "typing_extensions",
})


@functools.lru_cache(maxsize=4096)
def is_inert_module(dotted: str) -> bool:
    """Whether code of this module, not among the checked files, is known to create no variables."""
    head = dotted.split(".")[0]
    if head in INERT_LIBRARIES or dotted in INERT_LIBRARIES or head == "__future__":
        return True
    names = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return head in names
    return head in _OLD_STDLIB


_OLD_STDLIB = frozenset({  # Python 3.9 has no sys.stdlib_module_names: the modules TF1 code imports
    "os", "sys", "re", "json", "math", "time", "datetime", "random", "collections", "itertools", "functools",
    "logging", "argparse", "pickle", "copy", "io", "glob", "shutil", "subprocess", "threading", "multiprocessing",
    "string", "struct", "csv", "gzip", "zipfile", "tarfile", "tempfile", "pathlib", "abc", "enum", "typing",
    "contextlib", "warnings", "unittest", "inspect", "importlib", "operator", "heapq", "bisect", "hashlib",
    "uuid", "platform", "socket", "signal", "traceback", "codecs", "locale", "queue", "timeit", "pprint",
    "textwrap", "numbers", "decimal", "fractions", "statistics", "urllib", "http", "email", "html", "xml",
    "configparser", "getopt", "optparse", "errno", "stat", "fnmatch", "weakref", "types", "dataclasses", "gc",
    "cProfile", "pstats", "distutils", "ast", "dis", "base64", "binascii", "zlib", "bz2", "lzma", "array",
})


def is_initializer_path(path: str) -> bool:
    last = path.rsplit(".", 1)[-1]
    if last in INITIALIZER_NAMES or last.endswith(("_initializer", "Initializer")):
        return True
    return ".initializers." in path and last in SHORT_INITIALIZER_NAMES


def dtype_of(value: Value) -> Any:
    """A dtype name, None when the argument is absent/None, UNKNOWN otherwise."""
    if isinstance(value, Const):
        if value.value is None:
            return None
        if isinstance(value.value, str) and value.value in DTYPES:
            return value.value
        return UNKNOWN
    if isinstance(value, TFRef):
        last = value.path.rsplit(".", 1)[-1]
        if last in DTYPES:
            return {"float": "float32", "half": "float16", "double": "float64", "int": "int32"}.get(last, last)
    return UNKNOWN


def shape_of(value: Value) -> Any:
    """A Shape for a shape argument, NOT_GIVEN for None, UNKNOWN when it cannot be read."""
    if isinstance(value, Const):
        if value.value is None:
            return NOT_GIVEN
        if isinstance(value.value, int) and not isinstance(value.value, bool):
            return (value.value,)
        if isinstance(value.value, (tuple, list)):
            dims = []
            for d in value.value:
                if d is None or (isinstance(d, int) and not isinstance(d, bool)):
                    dims.append(d)
                else:
                    return UNKNOWN
            return tuple(dims)
        return UNKNOWN
    if isinstance(value, SeqVal):
        dims = []
        for item in value.items:
            if isinstance(item, Const) and (item.value is None or (isinstance(item.value, int)
                                                                    and not isinstance(item.value, bool))):
                dims.append(item.value)
            elif isinstance(item, NoneDimension):
                dims.append(None)
            else:
                return UNKNOWN  # a dimension computed at run time may well be known to TF
        return tuple(dims)
    if isinstance(value, TFObject) and value.kind == "shape":
        shape = value.state.get("shape")
        if value.state.get("dynamic") or shape is None:
            return UNKNOWN  # tf.shape(x) is a tensor: what TF knows statically may be more than we do
        if None in shape and not value.state.get("exact"):
            return UNKNOWN  # a dimension the analysis lost, which TF may well know
        return shape
    return UNKNOWN


def constant_info(value: Value) -> Tuple[Shape, Optional[str], bool]:
    """Shape and dtype of a Python constant used as a value; the flag says whether it is one."""
    if isinstance(value, Const):
        v = value.value
        if isinstance(v, bool):
            return (), "bool", True
        if isinstance(v, int):
            return (), "int32", True
        if isinstance(v, float):
            return (), "float32", True
        if isinstance(v, str):
            return (), "string", True
        return None, None, False
    if isinstance(value, SeqVal):
        if not value.items:
            return (0,), "float32", True
        inner = [constant_info(item) for item in value.items]
        if not all(flag for _, _, flag in inner):
            return None, None, True
        shapes = {s for s, _, _ in inner}
        dtypes = {d for _, d, _ in inner}
        shape: Shape = ((len(value.items),) + next(iter(shapes))) if len(shapes) == 1 and None not in shapes else None
        dtype = dtypes.pop() if len(dtypes) == 1 else ("float32" if dtypes <= {"int32", "float32"} else None)
        return shape, dtype, True
    return None, None, False
