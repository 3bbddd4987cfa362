"""Variable-creating libraries built on get_variable: tf.layers, slim / contrib.layers, RNN cells,
optimizers, moving averages, templates. (Filled in by the catalogue in catalogue.py.)"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

from tfscope_lint.analysis.values import TFCall, TFObject, TensorVal, Unknown, Value


class Libraries:
    def __init__(self, api: Any) -> None:
        self.api = api

    def call(self, path: str, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Optional[Value]:
        return None

    def call_object(self, obj: TFObject, args: List[Value], kwargs: Dict[str, Value], node: Any, frame: Any) -> Value:
        return TensorVal()

    def object_attribute(self, obj: TFObject, attr: str, node: Any) -> Value:
        if attr in obj.state.get("attrs", {}):
            return obj.state["attrs"][attr]
        return Unknown(f"{obj.kind} attribute")

    def enter(self, call: TFCall, node: Any, frame: Any) -> Tuple[Value, Callable[[], None]]:
        return Unknown("context"), lambda: None
