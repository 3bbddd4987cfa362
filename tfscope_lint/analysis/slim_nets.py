"""The reference nets of tf_slim (`tf_slim.nets`, `tf.contrib.slim.nets`): vgg, resnet_v1/v2, inception, alexnet,
overfeat.

Each net is modelled by what decides the errors of calling it: the scope it opens (`variable_scope(scope,
default_name, reuse=reuse)`, read from tf_slim's source), the first variable it creates (the one TF fails
on when the net runs again without reuse, or shares a different input depth), and a placeholder for the
rest of its variables, whose names the analysis does not list: lookups under the net's scope stay
undecided. This works without tf_slim installed and costs one variable per call, where interpreting the
nets' own code (hundreds of layers) would need tf_slim's source and most of the step budget; the names and
shapes below were checked against tf_slim 1.1 under TF (first variable of each net on a 5-channel input).

The nets' arg_scope functions inject nothing the analysis relies on, except a normalizer (resnet,
inception) whose variables are not followed: that is recorded as unknown variables under each layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from tfscope_lint.analysis.values import Const, SeqVal, TFObject, TensorVal, Unknown, Value


@dataclass(frozen=True)
class NetSpec:
    params: Tuple[str, ...]  # positional parameters, as far as tf_slim 1.1 and TF 1.15's contrib agree
    default_scope: str  # the `scope=` default
    default_name: str  # variable_scope's default_name, used when scope=None
    first: str  # the first variable, relative to the net's scope
    kernel: Tuple[int, int]
    depth: int  # the first variable's last dimension with depth_multiplier 1
    has_reuse: bool


_VGG = ("inputs", "num_classes", "is_training", "dropout_keep_prob", "spatial_squeeze", "scope")
_RESNET = ("inputs", "num_classes", "is_training", "global_pool", "output_stride")  # then versions differ
_INCEPTION_V3 = ("inputs", "num_classes", "is_training", "dropout_keep_prob", "min_depth", "depth_multiplier",
                 "prediction_fn", "spatial_squeeze", "reuse", "create_aux_logits", "scope")
_INCEPTION_V2 = ("inputs", "num_classes", "is_training", "dropout_keep_prob", "min_depth", "depth_multiplier",
                 "prediction_fn", "spatial_squeeze", "reuse", "scope")
_INCEPTION_V1 = ("inputs", "num_classes", "is_training", "dropout_keep_prob", "prediction_fn", "spatial_squeeze",
                 "reuse", "scope")
_ALEX = ("inputs", "num_classes", "is_training", "dropout_keep_prob", "spatial_squeeze", "scope")

NETS: Dict[str, NetSpec] = {}
for _name in ("vgg_a", "vgg_16", "vgg_19"):
    NETS[f"slim.nets.vgg.{_name}"] = NetSpec(_VGG, _name, _name, "conv1/conv1_1/weights", (3, 3), 64, False)
for _depth in (50, 101, 152, 200):
    NETS[f"slim.nets.resnet_v1.resnet_v1_{_depth}"] = NetSpec(
        _RESNET, f"resnet_v1_{_depth}", "resnet_v1", "conv1/weights", (7, 7), 64, True)
    NETS[f"slim.nets.resnet_v2.resnet_v2_{_depth}"] = NetSpec(
        _RESNET, f"resnet_v2_{_depth}", "resnet_v2", "conv1/weights", (7, 7), 64, True)
NETS["slim.nets.inception.inception_v1"] = NetSpec(
    _INCEPTION_V1, "InceptionV1", "InceptionV1", "Conv2d_1a_7x7/weights", (7, 7), 64, True)
NETS["slim.nets.inception.inception_v2"] = NetSpec(  # a separable conv: min(int(64 / 3), 8) = 8 depthwise channels
    _INCEPTION_V2, "InceptionV2", "InceptionV2", "Conv2d_1a_7x7/depthwise_weights", (7, 7), 8, True)
NETS["slim.nets.inception.inception_v3"] = NetSpec(
    _INCEPTION_V3, "InceptionV3", "InceptionV3", "Conv2d_1a_3x3/weights", (3, 3), 32, True)
NETS["slim.nets.alexnet.alexnet_v2"] = NetSpec(_ALEX, "alexnet_v2", "alexnet_v2", "conv1/weights", (11, 11), 64, False)
NETS["slim.nets.overfeat.overfeat"] = NetSpec(_ALEX, "overfeat", "overfeat", "conv1/weights", (11, 11), 64, False)
for _path in list(NETS):  # `from tf_slim.nets import inception_v3` reaches the same functions
    _module, _fn = _path.rsplit(".", 1)
    if _module.endswith(".inception"):
        NETS[f"slim.nets.{_fn}.{_fn}"] = NETS[_path]

# arg_scope functions: those that set a normalizer (its variables are not followed)
ARG_SCOPES = {
    "vgg.vgg_arg_scope": False, "alexnet.alexnet_v2_arg_scope": False, "overfeat.overfeat_arg_scope": False,
    "resnet_v1.resnet_arg_scope": True, "resnet_v2.resnet_arg_scope": True, "resnet_utils.resnet_arg_scope": True,
    "inception.inception_v1_arg_scope": True, "inception.inception_v2_arg_scope": True,
    "inception.inception_v3_arg_scope": True, "inception.inception_arg_scope": True,
    "inception_v1.inception_v1_arg_scope": True, "inception_v3.inception_v3_arg_scope": True,
    "inception_utils.inception_arg_scope": True,
}
NORMALIZED_OPS = ("slim.conv2d", "slim.convolution2d", "slim.fully_connected", "slim.conv2d_transpose",
                  "slim.separable_conv2d", "slim.convolution", "slim.conv2d_in_plane")


def handles(path: str) -> bool:
    return path.startswith("slim.nets.")


def call(libs: Any, path: str, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
    if path[len("slim.nets."):] in ARG_SCOPES:
        return arg_scope(libs, ARG_SCOPES[path[len("slim.nets."):]])
    if path not in NETS:
        return _unlisted(libs, path, node, frame)
    spec = NETS[path]
    bound: Dict[str, Value] = dict(zip(spec.params, args))
    bound.update(kwargs)
    if "**unknown**" in kwargs or len(args) > len(spec.params):
        return _unlisted(libs, path, node, frame)  # arguments whose meaning depends on the version
    api = libs.api
    interp = libs.interp
    origin = interp.origin(frame.module, node)
    scope = bound.get("scope", Const(spec.default_scope))
    reuse = bound.get("reuse") if spec.has_reuse else None
    _, on_exit = api.open_scope(scope, Const(spec.default_name), reuse, None, origin, frame)
    try:
        injected = libs.with_arg_scope("slim.conv2d", {})
        if "reuse" in injected or "scope" in injected:
            pass  # an arg_scope reaches into the net's layers: which scopes they reuse is not known
        else:
            libs.create_in_scope(spec.first, _first_shape(spec, bound), None, origin, frame, "slim_net")
        mark_unknown_variables(interp, origin, f"variables of {path.rsplit('.', 1)[-1]}")
    finally:
        on_exit()
    return _outputs()


def _unlisted(libs: Any, path: str, node: Any, frame: Any) -> Value:
    """A call of the nets not modelled (resnet_v1.resnet_v1 with its own blocks, inception_v3_base, version-dependent
    positional arguments): it may create variables under any scope, so lookups anywhere stay undecided."""
    libs.interp.graph.unseen_code(libs.interp.origin(frame.module, node), f"{path}, which the analysis does not model")
    return _outputs()


def _first_shape(spec: NetSpec, bound: Dict[str, Value]) -> Tuple[Optional[int], ...]:
    inputs = bound.get("inputs")
    depth = inputs.shape[-1] if isinstance(inputs, TensorVal) and inputs.shape and not inputs.opaque else None
    multiplier = bound.get("depth_multiplier", Const(1))
    out = spec.depth if isinstance(multiplier, Const) and multiplier.value in (1, 1.0) else None
    return (spec.kernel[0], spec.kernel[1], depth, out)


def _outputs() -> Value:
    """(net, end_points): the logits (or features) and a dict of named activations."""
    return SeqVal([TensorVal(opaque=True), Unknown("end_points")], True)


def mark_unknown_variables(interp: Any, origin: Any, why: str) -> None:
    """Variables the analysis does not list, somewhere under the current scope: lookups there stay undecided."""
    interp.graph.unseen_code(origin, why)


def arg_scope(libs: Any, normalizes: bool) -> Value:
    """A net's arg_scope(): what `with slim.arg_scope(...)` enters; a normalizer it sets stays unknown."""
    stack = list(libs.arg_scopes)
    if normalizes:
        stack.append((set(NORMALIZED_OPS), {"normalizer_fn": Unknown("the net's normalizer")}))
    return TFObject("arg_scope_dict", None, state={"stack": stack})
