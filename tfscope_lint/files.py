"""Finding the Python files to check and reading them as text. Knows nothing of TensorFlow.

Directories are walked for *.py and *.pyi files, skipping what the excludes and git's ignore
rules name (.gitignore files, .git/info/exclude, the global excludes file; gitignore-style
patterns through pathspec, as git itself reads them). Paths given
explicitly are always checked, unless --force-exclude asks for the excludes to apply to them too
(pre-commit passes every staged file by name).
"""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import tokenize
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import pathspec

from tfscope_lint.findings import FileProblem

PYTHON_SUFFIXES = (".py", ".pyi")
DEFAULT_EXCLUDE: Tuple[str, ...] = (
    ".git", ".hg", ".svn", ".bzr", "__pycache__", ".tox", ".nox", ".venv", "venv", ".eggs", "*.egg-info",
    "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tfscope_cache", "__pypackages__",
    "_build", "buck-out", "build", "dist", "site-packages",
)


class SourceError(Exception):
    """A file that cannot be read as Python source text; the message is the one-line reason."""


def _relative(path: Path, root: Path) -> str:
    """`path` relative to `root` with forward slashes; outside it, the absolute path minus its anchor."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix().lstrip("/")


class PatternSet:
    """gitignore-style patterns anchored at one directory (the project root, or a .gitignore's folder)."""

    def __init__(self, patterns: Sequence[str], root: Path) -> None:
        self.patterns = tuple(patterns)
        self.root = Path(os.path.abspath(root))
        self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)

    def check(self, path: Path, is_dir: bool = False) -> Optional[bool]:
        """True if excluded, False if re-included by a `!pattern`, None if no pattern speaks of it."""
        relative = _relative(path, self.root)
        if relative in ("", "."):
            return None
        return self._spec.check_file(relative + ("/" if is_dir else "")).include

    def matches(self, path: Path, is_dir: bool = False) -> bool:
        return bool(self.check(path, is_dir))


class GitIgnore:
    """git's ignore rules for one work tree: the global excludes file (core.excludesFile), then
    .git/info/exclude, then the .gitignore files from the top down to each directory (each read
    once), a later one overriding an earlier one as in git."""

    def __init__(self, start: Path) -> None:
        start = Path(os.path.abspath(start))
        self.top = next((p for p in [start, *start.parents] if (p / ".git").exists()), start)
        self._specs: Dict[Path, Optional[PatternSet]] = {}
        self._repository = [spec for spec in (_read_patterns(f, self.top) for f in _exclude_files(self.top)) if spec]
        # A directory the user names is checked even when git ignores it (a virtualenv, site-packages):
        # then only the .gitignore files inside it apply, as ripgrep and ruff do.
        if any(self.ignored(folder, True) for folder in [start, *start.parents] if self.top in folder.parents):
            self.top = start
            self._repository = []

    def _spec(self, directory: Path) -> Optional[PatternSet]:
        if directory not in self._specs:
            try:
                lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
                self._specs[directory] = PatternSet(lines, directory)
            except OSError:
                self._specs[directory] = None
        return self._specs[directory]

    def ignored(self, path: Path, is_dir: bool) -> bool:
        path = Path(os.path.abspath(path))
        try:
            parts = path.parent.relative_to(self.top).parts
        except ValueError:
            return False
        verdict: Optional[bool] = None
        for spec in self._repository:
            result = spec.check(path, is_dir)
            verdict = result if result is not None else verdict
        directory = self.top
        for part in ("",) + parts:
            directory = directory / part if part else directory
            spec = self._spec(directory)
            if spec is not None:
                result = spec.check(path, is_dir)
                verdict = result if result is not None else verdict
        return bool(verdict)


def _read_patterns(path: Path, root: Path) -> Optional[PatternSet]:
    try:
        return PatternSet(path.read_text(encoding="utf-8", errors="replace").splitlines(), root)
    except OSError:
        return None


def _exclude_files(top: Path) -> List[Path]:
    """The work tree's global excludes file and info/exclude, lowest precedence first, as git finds
    them (`git config core.excludesFile`, `git rev-parse --git-path info/exclude`, which knows linked
    work trees); without git, the default places."""
    if not (top / ".git").exists():
        return []
    home = Path(os.path.expanduser("~"))
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    global_file, info = xdg / "git" / "ignore", top / ".git" / "info" / "exclude"
    try:
        configured = subprocess.run(["git", "config", "--path", "--get", "core.excludesFile"], cwd=top,
                                    capture_output=True, text=True, timeout=10)
        if configured.returncode == 0 and configured.stdout.strip():
            global_file = Path(os.path.expanduser(configured.stdout.strip()))
        located = subprocess.run(["git", "rev-parse", "--git-path", "info/exclude"], cwd=top,
                                 capture_output=True, text=True, timeout=10)
        if located.returncode == 0 and located.stdout.strip():
            info = top / located.stdout.strip()  # relative to the top, or absolute (joining keeps it)
    except (OSError, subprocess.SubprocessError):
        pass  # no git: the default places
    return [global_file, info]


def discover(
    paths: Iterable[str],
    exclude: Optional[PatternSet] = None,
    force_exclude: bool = False,
    respect_gitignore: bool = True,
) -> Tuple[List[Path], List[FileProblem]]:
    """Expand the given paths into Python files (walking directories), in a stable order."""
    exclude = exclude or PatternSet(DEFAULT_EXCLUDE, Path.cwd())
    files: List[Path] = []
    problems: List[FileProblem] = []
    seen = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            reason = "a broken symbolic link (or a symlink loop)" if os.path.islink(path) else \
                "no such file or directory"
            problems.append(FileProblem(str(raw), reason))
            continue
        if force_exclude and exclude.matches(path, path.is_dir()):
            continue
        if path.is_dir():
            gitignore = GitIgnore(path) if respect_gitignore else None
            candidates: Iterable[Path] = sorted(_walk(path, exclude, gitignore, problems))
        else:
            candidates = [path]
        for candidate in candidates:
            key = os.path.realpath(candidate)
            if key not in seen:
                seen.add(key)
                files.append(candidate)
    return files, problems


def _walk(root: Path, exclude: PatternSet, gitignore: Optional[GitIgnore],
          problems: Optional[List[FileProblem]] = None) -> Iterable[Path]:
    """Python files under `root`; symbolic links to directories are not followed (no loops), and a
    directory that cannot be listed is a problem naming it, never a silent hole in the run."""
    absolute = Path(os.path.abspath(root))
    if any(exclude.matches(folder, True) for folder in [absolute, *absolute.parents]):
        # the user named a directory inside an excluded one (site-packages, build/): the patterns then
        # apply below it only, as they do for a path given on the command line
        exclude = PatternSet(exclude.patterns, absolute)

    def skipped(path: Path, is_dir: bool) -> bool:
        return exclude.matches(path, is_dir) or bool(gitignore and gitignore.ignored(path, is_dir))

    def unlistable(exc: OSError) -> None:
        if problems is not None:
            problems.append(FileProblem(str(exc.filename or root), f"cannot list directory: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unlistable):
        base = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not skipped(base / d, True))
        for name in filenames:
            if name.endswith(PYTHON_SUFFIXES) and not skipped(base / name, False):
                yield base / name


def read_source(path: Path) -> str:
    """Decode a file as Python does (BOM, PEP 263 cookie, else UTF-8)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            # a FIFO would block forever and a device might never end
            raise SourceError("not a regular file (a named pipe, socket or device)")
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    return decode_source(data)


def decode_source(data: bytes) -> str:
    """Bytes to text as the interpreter would decode them; a one-line SourceError if it cannot."""
    if b"\0" in data:
        raise SourceError("not a text file (contains a NUL byte)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot decode: {exc}") from None


_NEWLINE = re.compile(r"\r\n|\r|\n")


def python_lines(text: str) -> List[str]:
    """The lines of a source as Python numbers them: only \\n, \\r\\n and \\r end a line.

    str.splitlines also splits at form feeds, \\x1c-\\x1e, \\x85 and U+2028/U+2029, which Python
    keeps inside a line (a form feed on a line of its own is common in older code), so every line
    after one would be off by one.
    """
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def project_root(paths: Sequence[str]) -> Path:
    """The project the given paths belong to: the nearest folder, from the first path upwards, that
    holds a pyproject.toml or is a git repository's top; else the current directory when the paths
    are inside it (where `check .` would be run), or the folder common to all the paths; above the
    packages that folder is in (the folder their imports start from).

    A file named alone is checked in this context: the modules it imports and the scripts that
    import it are read from here, since a builder's error often shows only in a caller's module."""
    absolute = [Path(os.path.abspath(p)) for p in paths] or [Path(os.path.abspath("."))]
    folders = [p if p.is_dir() else p.parent for p in absolute]
    for folder in [folders[0], *folders[0].parents]:
        if (folder / "pyproject.toml").is_file() or (folder / ".git").exists():
            return folder
    here = Path(os.path.abspath("."))
    try:
        common = Path(os.path.commonpath([str(f) for f in folders]))
    except ValueError:  # different drives
        common = folders[0]
    if common == here or here in common.parents:
        common = here
    while (common / "__init__.py").is_file() and common.parent != common:
        common = common.parent
    return common


def git_top(start: Path) -> Optional[Path]:
    """The top of the git work tree holding `start`, if any (a `.git` folder or file)."""
    start = Path(os.path.abspath(start))
    return next((p for p in [start, *start.parents] if (p / ".git").exists()), None)


def project_files(root: Path, exclude: PatternSet) -> List[Path]:
    """Every Python file of the project, spelled relative to the current directory when inside it
    (so that the paths match those of `check .` run there, and so do the cache keys)."""
    try:
        relative = os.path.relpath(root)
    except ValueError:  # another drive
        relative = ".."
    start = Path(relative) if not relative.startswith("..") else root
    files, _ = discover([str(start)], exclude)  # a folder it cannot list is a hole in the context only
    return files
