"""A file checked in the context of its project: which other files are read, which findings count.

A builder's missing reuse shows in the module that calls it twice; a pre-commit hook that sees only
the staged builder would pass. So the files named on the command line bring the rest of their
project with them, and what is reported is what touches them. Knows nothing of TensorFlow.
"""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence, Set, Tuple

from tfscope_lint.analysis import project
from tfscope_lint.config import Settings
from tfscope_lint.files import SourceError, project_files, project_root, read_source
from tfscope_lint.findings import FileProblem, Finding


def unresolved_imports(sources: Dict[str, str], checked: List[str], settings: Settings) -> List[FileProblem]:
    """Notes for --verbose: the imports of the checked files that name the project but find nothing."""
    index = project.Project(sources, settings.tf_version, [str(folder) for folder in settings.src])
    return [FileProblem(f"{path}:{line}", f"import {dotted}: no such module in the project (analysed as unknown)",
                        kind="note")
            for path in checked for line, dotted in index.unresolved_imports(path)]


def with_context(given: Dict[str, str], settings: Settings,
                 paths: Sequence[str] = ()) -> Tuple[Dict[str, str], Optional[Set[str]]]:
    """The given files with the rest of their project, read from disk (the same excludes apply).

    A builder's missing reuse shows in the module that calls it twice; a pre-commit hook that sees
    only the staged builder would pass. So every Python file under the project root is read (cheap:
    only the entry scripts that can reach a given file will run, and the cache keys are those of
    `check .`), in the order `check .` would list them, the given files keeping their own spelling
    and text (standard input stands for the file on disk). Returns the sources and the paths of the
    given files, or None for these when the given files are the whole project.
    """
    root = project_root(list(given))
    if any(os.path.realpath(path) == os.path.realpath(root) for path in paths):
        return given, None  # the whole project was asked for (`check .` at its root)
    spelled = {os.path.realpath(path): path for path in given}
    sources: Dict[str, str] = {}
    for path in project_files(root, settings.excludes):
        mine = spelled.get(os.path.realpath(path))
        if mine is not None:
            sources[mine] = given[mine]
            continue
        try:
            sources[str(path)] = read_source(path)
        except SourceError:
            continue  # a context file that cannot be read is not one the user asked about
    for path, text in given.items():
        sources.setdefault(path, text)
    return sources, (set(given) if len(sources) > len(given) else None)


def touches(finding: Finding, paths: Set[str]) -> bool:
    """The finding is located in one of the paths, or one of its related locations is."""
    return finding.location.path in paths or any(r.location.path in paths for r in finding.related)
