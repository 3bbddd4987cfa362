"""Finding the Python files to check and reading them as text. Knows nothing of TensorFlow."""

from __future__ import annotations

import io
import os
import tokenize
from pathlib import Path
from typing import Iterable, List, Tuple

from tfscope_lint.findings import FileProblem

PYTHON_SUFFIXES = (".py", ".pyi")
SKIPPED_DIRS = {".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".venv", "venv", ".eggs",
                "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tfscope_cache"}


class SourceError(Exception):
    """A file that cannot be read as Python source text; the message is the one-line reason."""


def discover(paths: Iterable[str]) -> Tuple[List[Path], List[FileProblem]]:
    """Expand the given paths into Python files (walking directories), in a stable order."""
    files: List[Path] = []
    problems: List[FileProblem] = []
    seen = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = sorted(_walk(path))
        elif path.is_file():
            candidates = [path]
        else:
            problems.append(FileProblem(str(raw), "no such file or directory"))
            continue
        for candidate in candidates:
            key = os.path.realpath(candidate)
            if key not in seen:
                seen.add(key)
                files.append(candidate)
    return files, problems


def _walk(root: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.endswith(".egg-info"))
        for name in filenames:
            if name.endswith(PYTHON_SUFFIXES):
                yield Path(dirpath) / name


def read_source(path: Path) -> str:
    """Decode a file as Python does (BOM, PEP 263 cookie, else UTF-8)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    if b"\0" in data:
        raise SourceError("not a text file (contains a NUL byte)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot decode: {exc}") from None
