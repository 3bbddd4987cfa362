"""From paths to findings: discovery, reading, analysis, selection, suppression.

The single entry the front ends call. Configuration is resolved once by the caller (a Settings),
never per file; the analysis sees every file at once because variable scopes cross modules.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from tfscope_lint import suppress
from tfscope_lint.analysis import project
from tfscope_lint.config import Settings, default_enabled
from tfscope_lint.files import SourceError, discover, read_source
from tfscope_lint.findings import FileProblem, Finding, RunResult


class Progress:
    """Hooks for a progress display; this base shows nothing (pipes, CI, tests)."""

    def files_found(self, total: int) -> None:
        """Called once the files to check are known."""

    def file_read(self, path: str) -> None:
        """Called after each file is read."""

    def analysing(self) -> None:
        """Called when the whole-project analysis starts."""


def default_settings() -> Settings:
    return Settings(root=Path.cwd().resolve(), enabled=default_enabled())


def run(
    settings: Settings,
    paths: Sequence[str] = (),
    stdin: Optional[Tuple[str, str]] = None,
    progress: Optional[Progress] = None,
    jobs: int = 1,
    cache_dir: Optional[str] = None,
) -> RunResult:
    """Check `paths` (or one source read from stdin, as (filename, text)) as one project."""
    progress = progress or Progress()
    sources: Dict[str, str] = {}
    problems: List[FileProblem] = []
    if stdin is not None:
        name, text = stdin
        if not (settings.force_exclude and settings.excludes.matches(Path(name))):
            sources[name] = text
        progress.files_found(len(sources))
    else:
        files, problems = discover(paths, settings.excludes, settings.force_exclude)
        progress.files_found(len(files))
        for path in files:
            try:
                sources[str(path)] = read_source(path)
            except SourceError as exc:
                problems.append(FileProblem(str(path), str(exc)))
            progress.file_read(str(path))
    progress.analysing()
    findings, analysis_problems = _analyze(sources, settings.tf_version, jobs, cache_dir)
    kept, suppressed = _select_and_suppress(findings, sources, settings)
    return RunResult(
        findings=sorted(kept, key=lambda f: f.sort_key()),
        problems=problems + list(analysis_problems),
        files_checked=len(sources),
        suppressed=suppressed,
        sources=sources,
    )


def _analyze(sources: Dict[str, str], tf_version: str, jobs: int = 1,
             cache_dir: Optional[str] = None) -> Tuple[List[Finding], List[FileProblem]]:
    """Run the analysis; a crash in it becomes a problem naming the file(s), not a traceback."""
    if not sources:
        return [], []
    try:
        findings, problems = project.analyze_sources(sources, tf_version=tf_version, jobs=jobs, cache_dir=cache_dir)
    except Exception as exc:  # noqa: BLE001 - an internal error must not hide the other results
        where = next(iter(sources)) if len(sources) == 1 else f"{len(sources)} files"
        return [], [FileProblem(where, f"internal error in the analysis: {type(exc).__name__}: {exc}")]
    return list(findings), list(problems)


def _select_and_suppress(
    findings: List[Finding], sources: Dict[str, str], settings: Settings
) -> Tuple[List[Finding], int]:
    """Keep the codes enabled for each file, then apply its noqa comments."""
    by_file: Dict[str, List[Finding]] = defaultdict(list)
    for finding in findings:
        by_file[finding.location.path].append(finding)
    kept: List[Finding] = []
    suppressed = 0
    for path in list(sources) + [p for p in by_file if p not in sources]:
        enabled = settings.codes_for(path)
        selected = [f for f in by_file.get(path, []) if f.code in enabled]
        if path in sources:
            selected, hidden = suppress.apply(path, sources[path], selected, enabled)
            suppressed += hidden
        kept.extend(selected)
    return kept, suppressed


def check_paths(paths: Sequence[str]) -> RunResult:
    """Check every Python file under `paths` with the default settings."""
    return run(default_settings(), paths)


def check_source(path: str, text: str) -> RunResult:
    """Check one in-memory source (tests, editors)."""
    return run(default_settings(), stdin=(path, text))
