"""The catalogue of APIs that create variables through get_variable: data, not code.

For each API: its canonical path, its positional parameters, how it opens its scope, the base
of its default scope name, and the variables it creates. A variable's shape is a tuple of
dimension expressions evaluated by `libraries.py`: an int, "in" (the input's last dimension),
or the name of an argument ("units", "filters", ...), with "k*" spreading the kernel size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

Dim = object  # int | str expression
VarSpec = Tuple[str, Tuple[Dim, ...], Optional[str]]  # (local name, shape, condition argument or None)


@dataclass(frozen=True)
class LayerSpec:
    path: str
    params: Tuple[str, ...]  # positional parameter order after the input
    base: str  # default scope name
    variables: Tuple[VarSpec, ...]
    family: str  # "tf.layers", "slim", "cell"
    defaults: Dict[str, object] = field(default_factory=dict)
    output: str = "units"  # which argument sets the output's last dimension ("" keeps the input's)
    rank: int = 0  # spatial rank of the kernel (conv layers)


_DENSE = (("kernel", ("in", "units"), None), ("bias", ("units",), "use_bias"))


def _conv(rank: int, transpose: bool = False) -> Tuple[VarSpec, ...]:
    kernel = ("k*", "filters", "in") if transpose else ("k*", "in", "filters")
    return (("kernel", kernel, None), ("bias", ("filters",), "use_bias"))


TF_LAYER_PARAMS_CONV = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation",
                        "use_bias")

TF_LAYERS: Dict[str, LayerSpec] = {}
TF_LAYER_CLASSES: Dict[str, str] = {}  # class path -> functional path


def _tf_layer(fn: str, cls: str, params: Tuple[str, ...], base: str, variables: Tuple[VarSpec, ...],
              output: str = "units", rank: int = 0, **defaults: object) -> None:
    spec = LayerSpec(f"tf.layers.{fn}", params, base, variables, "tf.layers",
                     dict({"use_bias": True}, **defaults), output, rank)
    TF_LAYERS[spec.path] = spec
    TF_LAYER_CLASSES[f"tf.layers.{cls}"] = spec.path


_tf_layer("dense", "Dense", ("units", "activation", "use_bias"), "dense", _DENSE)
_tf_layer("conv1d", "Conv1D", TF_LAYER_PARAMS_CONV, "conv1d", _conv(1), "filters", 1)
_tf_layer("conv2d", "Conv2D", TF_LAYER_PARAMS_CONV, "conv2d", _conv(2), "filters", 2)
_tf_layer("conv3d", "Conv3D", TF_LAYER_PARAMS_CONV, "conv3d", _conv(3), "filters", 3)
_tf_layer("conv2d_transpose", "Conv2DTranspose", ("filters", "kernel_size", "strides", "padding", "data_format",
                                                  "activation", "use_bias"),
          "conv2d_transpose", _conv(2, True), "filters", 2)
_tf_layer("conv3d_transpose", "Conv3DTranspose", ("filters", "kernel_size", "strides", "padding", "data_format",
                                                  "activation", "use_bias"),
          "conv3d_transpose", _conv(3, True), "filters", 3)
_tf_layer("separable_conv2d", "SeparableConv2D", TF_LAYER_PARAMS_CONV + ("depth_multiplier",), "separable_conv2d",
          (("depthwise_kernel", ("k*", "in", "depth_multiplier"), None),
           ("pointwise_kernel", (1, 1, "in*depth_multiplier", "filters"), None),
           ("bias", ("filters",), "use_bias")), "filters", 2, depth_multiplier=1)
_tf_layer("separable_conv1d", "SeparableConv1D", TF_LAYER_PARAMS_CONV + ("depth_multiplier",), "separable_conv1d",
          (("depthwise_kernel", ("k*", "in", "depth_multiplier"), None),
           ("pointwise_kernel", (1, "in*depth_multiplier", "filters"), None),
           ("bias", ("filters",), "use_bias")), "filters", 1, depth_multiplier=1)
_tf_layer("batch_normalization", "BatchNormalization", ("axis", "momentum", "epsilon", "center", "scale"),
          "batch_normalization",
          (("gamma", ("in",), "scale"), ("beta", ("in",), "center"),
           ("moving_mean", ("in",), None), ("moving_variance", ("in",), None)),
          "", center=True, scale=True)

SLIM_LAYERS: Dict[str, LayerSpec] = {}


def _slim(fn: str, params: Tuple[str, ...], base: str, variables: Tuple[VarSpec, ...], output: str = "num_outputs",
          rank: int = 0, aliases: Tuple[str, ...] = (), **defaults: object) -> None:
    spec = LayerSpec(f"slim.{fn}", params, base, variables, "slim", dict(defaults), output, rank)
    for name in (fn,) + aliases:
        SLIM_LAYERS[f"slim.{name}"] = spec


_SLIM_BIASES = ("biases", ("num_outputs",), "biases_initializer")
_slim("fully_connected", ("num_outputs", "activation_fn", "normalizer_fn", "normalizer_params",
                          "weights_initializer", "weights_regularizer", "biases_initializer"),
      "fully_connected", (("weights", ("in", "num_outputs"), None), _SLIM_BIASES),
      aliases=("linear",), biases_initializer=True)
_slim("conv2d", ("num_outputs", "kernel_size", "stride", "padding", "data_format", "rate", "activation_fn",
                 "normalizer_fn", "normalizer_params", "weights_initializer", "weights_regularizer",
                 "biases_initializer"),
      "Conv", (("weights", ("k*", "in", "num_outputs"), None), _SLIM_BIASES), rank=2,
      aliases=("convolution2d", "convolution", "conv1d", "conv3d", "convolution1d", "convolution3d"),
      biases_initializer=True)
_slim("conv2d_transpose", ("num_outputs", "kernel_size", "stride", "padding", "data_format", "activation_fn",
                           "normalizer_fn", "normalizer_params", "weights_initializer", "weights_regularizer",
                           "biases_initializer"),
      "Conv2d_transpose", (("weights", ("k*", "num_outputs", "in"), None), _SLIM_BIASES), rank=2,
      aliases=("convolution2d_transpose",), biases_initializer=True)
_slim("separable_conv2d", ("num_outputs", "kernel_size", "depth_multiplier", "stride", "padding", "data_format",
                           "rate", "activation_fn", "normalizer_fn", "normalizer_params", "weights_initializer",
                           "pointwise_initializer", "weights_regularizer", "biases_initializer"),
      "SeparableConv2d",
      (("depthwise_weights", ("k*", "in", "depth_multiplier"), None),
       ("pointwise_weights", (1, 1, "in*depth_multiplier", "num_outputs"), "num_outputs"),
       _SLIM_BIASES), rank=2, aliases=("separable_convolution2d",), biases_initializer=True, depth_multiplier=1)
_slim("batch_norm", ("decay", "center", "scale", "epsilon", "activation_fn"), "BatchNorm",
      (("beta", ("in",), "center"), ("gamma", ("in",), "scale"),
       ("moving_mean", ("in",), None), ("moving_variance", ("in",), None)), output="", center=True, scale=False)
_slim("layer_norm", ("center", "scale", "activation_fn"), "LayerNorm",
      (("beta", ("in",), "center"), ("gamma", ("in",), "scale")), output="", center=True, scale=True)
_slim("embed_sequence", ("vocab_size", "embed_dim"), "EmbedSequence",
      (("embeddings", ("vocab_size", "embed_dim"), None),), output="embed_dim")

# slim's functions as Python names them (what slim.repeat/stack use when no scope is given).
SLIM_FUNCTION_NAMES = {
    "slim.conv2d": "convolution2d", "slim.convolution2d": "convolution2d", "slim.fully_connected": "fully_connected",
    "slim.conv2d_transpose": "convolution2d_transpose", "slim.separable_conv2d": "separable_convolution2d",
    "slim.batch_norm": "batch_norm", "slim.layer_norm": "layer_norm", "slim.max_pool2d": "max_pool2d",
}


@dataclass(frozen=True)
class CellSpec:
    path: str
    base: str
    params: Tuple[str, ...]
    variables: Tuple[VarSpec, ...]  # dims may use "units" and "in" (input depth + units)


CELLS: Dict[str, CellSpec] = {}


def _cell(names: Tuple[str, ...], base: str, params: Tuple[str, ...], variables: Tuple[VarSpec, ...]) -> None:
    for name in names:
        CELLS[f"tf.nn.rnn_cell.{name}"] = CellSpec(f"tf.nn.rnn_cell.{name}", base, params, variables)


# "in+out": the input depth plus what the cell feeds back (num_proj when given, else num_units).
_cell(("BasicLSTMCell",), "basic_lstm_cell", ("num_units", "forget_bias", "state_is_tuple", "activation", "reuse"),
      (("kernel", ("in+out", "4*units"), None), ("bias", ("4*units",), None)))
_cell(("LSTMCell",), "lstm_cell", ("num_units", "use_peepholes", "cell_clip", "initializer", "num_proj"),
      (("kernel", ("in+out", "4*units"), None), ("bias", ("4*units",), None),
       ("w_f_diag", ("units",), "use_peepholes"), ("w_i_diag", ("units",), "use_peepholes"),
       ("w_o_diag", ("units",), "use_peepholes"), ("projection/kernel", ("units", "num_proj"), "num_proj")))
_cell(("GRUCell",), "gru_cell", ("num_units", "activation", "reuse"),
      (("gates/kernel", ("in+out", "2*units"), None), ("gates/bias", ("2*units",), None),
       ("candidate/kernel", ("in+out", "units"), None), ("candidate/bias", ("units",), None)))
_cell(("BasicRNNCell", "RNNCell"), "basic_rnn_cell", ("num_units", "activation", "reuse"),
      (("kernel", ("in+out", "units"), None), ("bias", ("units",), None)))

CELL_WRAPPERS = {"tf.nn.rnn_cell.DropoutWrapper", "tf.nn.rnn_cell.ResidualWrapper", "tf.nn.rnn_cell.DeviceWrapper"}

# Optimizers and the slots each creates per trainable variable (GradientDescent creates none).
OPTIMIZER_SLOTS: Dict[str, Tuple[str, ...]] = {
    "tf.train.AdamOptimizer": ("Adam", "Adam_1"),
    "tf.train.MomentumOptimizer": ("Momentum",),
    "tf.train.RMSPropOptimizer": ("RMSProp", "RMSProp_1"),
    "tf.train.AdagradOptimizer": ("Adagrad",),
    "tf.train.AdadeltaOptimizer": ("Adadelta", "Adadelta_1"),
    "tf.train.FtrlOptimizer": ("Ftrl", "Ftrl_1"),
    "tf.train.ProximalAdagradOptimizer": ("ProximalAdagrad",),
    "tf.train.AdagradDAOptimizer": ("AdagradDA", "AdagradDA_1"),
    "tf.train.GradientDescentOptimizer": (),
    "tf.train.ProximalGradientDescentOptimizer": (),
}


def _dims(spec_dims: Tuple[Dim, ...]) -> str:
    words = {"in": "input depth", "k*": "kernel size..."}
    return "[" + ", ".join(words.get(str(d), str(d)) for d in spec_dims) + "]"


def naming_rows() -> Tuple[Tuple[str, str, str], ...]:
    """(API, scope it opens, variables it creates) for every catalogued creator: what `explain` shows."""
    rows = []
    for spec in TF_LAYERS.values():
        variables = ", ".join(f"{name} {_dims(dims)}" for name, dims, _ in spec.variables)
        rows.append((spec.path, f"name=, else {spec.base}, {spec.base}_1, ... (default name)", variables))
    seen = set()
    for spec in SLIM_LAYERS.values():
        if id(spec) in seen:
            continue
        seen.add(id(spec))
        variables = ", ".join(f"{name} {_dims(dims)}" for name, dims, _ in spec.variables)
        rows.append((spec.path, f"scope=, else {spec.base}, {spec.base}_1, ...", variables))
    for spec in CELLS.values():
        variables = ", ".join(name for name, _, _ in spec.variables)
        rows.append((spec.path, f"rnn/{spec.base} (dynamic_rnn's scope=, else 'rnn'; name= as the default)",
                     variables))
    rows.append(("tf.nn.rnn_cell.MultiRNNCell", "multi_rnn_cell/cell_0, cell_1, ... around each cell", "the cells'"))
    rows.append(("tf.nn.bidirectional_dynamic_rnn", "bidirectional_rnn/fw and bidirectional_rnn/bw", "the cells'"))
    for path, slots in OPTIMIZER_SLOTS.items():
        rows.append((path + ".minimize", "the current scope", ", ".join(f"<var>/{s}" for s in slots) or "none"))
    rows.append(("tf.train.ExponentialMovingAverage.apply", "the current scope", "<var>/ExponentialMovingAverage"))
    rows.append(("tf.train.get_or_create_global_step", "the current scope", "global_step"))
    rows.append(("tf.make_template(name, fn)", "name, name_1, ... at the first call; later calls reuse", "fn's"))
    return tuple(rows)


# TF 1.x initializers that can only make floating-point values: with an integer or bool `dtype=`,
# get_variable raises (TypeError "Expected int32, but got 0.0 of type 'float'", or a ValueError on the
# dtype), checked under TensorFlow for int32, int64 and bool. `constant_initializer` joins them when its
# value is a float, `random_uniform_initializer` when it has no maxval; zeros and ones make any dtype.
FLOAT_ONLY_INITIALIZERS = frozenset({
    "random_normal_initializer", "truncated_normal_initializer", "glorot_uniform_initializer",
    "glorot_normal_initializer", "variance_scaling_initializer", "orthogonal_initializer",
    "uniform_unit_scaling_initializer", "xavier_initializer", "xavier_initializer_conv2d",
    # their tf.initializers.* names
    "random_normal", "truncated_normal", "glorot_uniform", "glorot_normal", "variance_scaling", "orthogonal",
    "he_normal", "he_uniform", "lecun_normal", "lecun_uniform",
})
NON_FLOAT_DTYPES = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool"})


# Namespaces whose functions and classes may create variables when the model does not know them (a
# contrib layer, a Keras layer, an unmodelled cell or optimizer): a call of one the catalogue does not cover
# makes the names under the current scope undecided. The names below them that create nothing stay inert.
CREATING_NAMESPACES = (
    "tf.layers.", "slim.", "tf.keras.layers.", "tf.keras.models.", "tf.keras.Model", "tf.keras.Sequential",
    "tf.nn.rnn_cell.", "tf.contrib.", "tf.estimator.", "tf.feature_column.", "tf.keras.applications.",
)
INERT_SUFFIXES = ("_regularizer", "_initializer", "Initializer", "Regularizer", "_summary", "_loss")
INERT_NAMES = frozenset({
    "flatten", "dropout", "Dropout", "Flatten", "max_pool2d", "avg_pool2d", "max_pool1d", "avg_pool1d",
    "max_pooling2d", "average_pooling2d", "max_pooling1d", "average_pooling1d", "max_pooling3d",
    "average_pooling3d", "MaxPooling2D", "AveragePooling2D", "MaxPool2D", "one_hot_encoding", "softmax",
    "arg_scope", "add_arg_scope", "l1_regularizer", "l2_regularizer", "sum_regularizer", "apply_regularization",
    "get_variables", "get_model_variables", "get_trainable_variables", "get_variables_to_restore",
    "get_variables_by_name", "get_global_step", "assign_from_checkpoint_fn", "unit_norm", "repeat_elements",
    "Input", "InputLayer", "Activation", "Reshape", "Lambda", "Concatenate", "Add", "Multiply", "Permute",
    "RepeatVector", "ZeroPadding2D", "UpSampling2D", "Cropping2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
    "MaxPooling1D", "AveragePooling1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "SpatialDropout1D",
    "SpatialDropout2D", "LeakyReLU", "ReLU", "Softmax", "TimeDistributed",
})
INERT_NAMESPACES = ("slim.losses.", "slim.metrics.", "slim.learning.", "slim.evaluation.", "slim.summaries.",
                    "tf.contrib.metrics.", "tf.contrib.losses.", "tf.contrib.training.", "tf.contrib.data.",
                    "tf.contrib.image.", "tf.contrib.summary.", "tf.contrib.distributions.",
                    "tf.contrib.seq2seq.sequence_loss", "tf.contrib.crf.crf_decode", "tf.contrib.tpu.",
                    "tf.estimator.inputs.", "tf.estimator.ModeKeys", "tf.estimator.EstimatorSpec",
                    "tf.contrib.learn.ModeKeys", "tf.contrib.util.", "tf.contrib.graph_editor.")


def may_create_variables(path: str) -> bool:
    """Whether an API path the catalogue does not model may create variables when called."""
    if not path.startswith(CREATING_NAMESPACES) or path.startswith(INERT_NAMESPACES):
        return False
    last = path.rsplit(".", 1)[-1]
    return not (last in INERT_NAMES or last.endswith(INERT_SUFFIXES) or last.startswith(("get_", "_")))
