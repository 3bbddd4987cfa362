"""Where the cache lives, and what keeps it out of the user's way (git, backups, archivers).

The folder carries its own `.gitignore` (`*`), so `git status` never shows it, whatever the
repository's ignore rules say, and a `CACHEDIR.TAG` (https://bford.info/cachedir/), which backup
tools and `tar --exclude-caches` skip. It goes to the project root: the folder of the
pyproject.toml that configures the run, else the git work tree's top, else the folder the given
paths share; never next to a file named with `--config`, nor in whatever the current directory is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from tfscope_lint.files import git_top, project_root

NAME = ".tfscope_cache"
TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
       "# This file is a cache directory tag created by tfscope-lint.\n"
       "# For information about cache directory tags, see https://bford.info/cachedir/\n")


def default_location(paths: Sequence[str], found_config: Optional[Path]) -> Path:
    """The cache folder for a run over `paths`; `found_config` is a pyproject.toml found by searching
    upwards from them (not one named with --config, which may live anywhere)."""
    if found_config is not None:
        return found_config.resolve().parent / NAME
    root = project_root(paths)
    return (git_top(root) or root) / NAME


def prepare(directory: Path) -> None:
    """Create the folder with its .gitignore and CACHEDIR.TAG; a folder that cannot be written only
    costs the cache (the analysis then writes nothing there either)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in ((".gitignore", "# Created by tfscope-lint automatically.\n*\n"), ("CACHEDIR.TAG", TAG)):
            if not (directory / name).exists():
                (directory / name).write_text(text, encoding="utf-8")
    except OSError:
        pass
