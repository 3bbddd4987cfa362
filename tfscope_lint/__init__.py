"""tfscope-lint: TensorFlow 1.x variable-scope errors, found from source."""

__version__ = "0.1.0"
