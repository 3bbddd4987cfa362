"""From paths to findings: discovery, reading, analysis, selection, suppression.

The single entry the front ends call. Configuration is resolved once by the caller (a Settings),
never per file; the analysis sees every file at once because variable scopes cross modules.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, TypeVar

from tfscope_lint import suppress
from tfscope_lint.interrupt import abandon
from tfscope_lint.analysis import project
from tfscope_lint.config import Settings, default_enabled
from tfscope_lint.context import touches, unresolved_imports, with_context
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

    def entries_done(self, done: int, total: int) -> None:
        """Called as the analysis runs: entry files analysed (or found in the cache) of all of them."""


def default_settings() -> Settings:
    return Settings(root=Path.cwd().resolve(), enabled=default_enabled())


def run(
    settings: Settings,
    paths: Sequence[str] = (),
    stdin: Optional[Tuple[str, str]] = None,
    progress: Optional[Progress] = None,
    jobs: int = 1,
    cache_dir: Optional[str] = None,
    in_context: bool = True,
    verbose: bool = False,
) -> RunResult:
    """Check `paths` (or one source read from stdin, as (filename, text)) as one project.

    With `in_context`, the files are checked in the context of their project (see with_context):
    what is reported is every finding whose location or call chain touches one of them."""
    progress = progress or Progress()
    sources, problems = _read(settings, paths, stdin, progress)
    checked = list(sources)
    targets: Optional[Set[str]] = None
    if in_context and sources:
        sources, targets = with_context(sources, settings, paths if stdin is None else ())
    progress.analysing()
    findings, analysis_problems = _analyze(sources, settings.tf_version, jobs, cache_dir, targets,
                                           [str(folder) for folder in settings.src], progress.entries_done)
    if targets is not None:
        findings = [f for f in findings if touches(f, targets)]
    kept, suppressed = _select_and_suppress(findings, sources, settings, checked)
    if verbose:
        analysis_problems = analysis_problems + unresolved_imports(sources, checked, settings)
    return RunResult(
        findings=sorted(kept, key=lambda f: f.sort_key()),
        problems=problems + [p for p in analysis_problems if p.kind != "note"],
        notes=[p for p in analysis_problems if p.kind == "note"],
        files_checked=len(checked),
        suppressed=suppressed,
        sources=sources,
        checked=checked,
    )


def _read(settings: Settings, paths: Sequence[str], stdin: Optional[Tuple[str, str]],
          progress: Progress) -> Tuple[Dict[str, str], List[FileProblem]]:
    """The files asked for, read: path -> text, and the problems of those that could not be."""
    sources: Dict[str, str] = {}
    problems: List[FileProblem] = []
    if stdin is not None:
        name, text = stdin
        if not (settings.force_exclude and settings.excludes.matches(Path(name))):
            sources[name] = text
        progress.files_found(len(sources))
        return sources, problems
    files, problems = discover(paths, settings.excludes, settings.force_exclude)
    progress.files_found(len(files))
    for path in files:
        try:
            sources[str(path)] = read_source(path)
        except SourceError as exc:
            problems.append(FileProblem(str(path), str(exc)))
        progress.file_read(str(path))
    return sources, problems


def plan(settings: Settings, paths: Sequence[str] = (), stdin: Optional[Tuple[str, str]] = None,
         ) -> Tuple[List[str], List[str], List[FileProblem]]:
    """What a run would do, without analysing: the files checked, the entry scripts that would run
    (those of the files' project whose imports reach them), and the files that cannot be read."""
    from tfscope_lint.analysis.engine import entries_for
    from tfscope_lint.analysis.project import Project

    sources, problems = _read(settings, paths, stdin, Progress())
    checked = list(sources)
    everything, targets = with_context(sources, settings, paths if stdin is None else ()) if sources else \
        (sources, None)
    roots = [str(folder) for folder in settings.src]
    return checked, entries_for(Project(everything, settings.tf_version, roots), targets), problems


def _analyze(sources: Dict[str, str], tf_version: str, jobs: int = 1, cache_dir: Optional[str] = None,
             targets: Optional[Set[str]] = None, roots: Sequence[str] = (),
             on_entry: Optional[Callable[[int, int], None]] = None) -> Tuple[List[Finding], List[FileProblem]]:
    """Run the analysis; a crash in it becomes a problem naming the file(s), never a traceback.

    The analysis catches what goes wrong while it interprets a file; anything that still escapes
    (or a worker process that dies) makes the run look for the culprits: each file is analysed
    alone, the files that fail alone are reported and left out, and the rest are analysed together
    again, so that one odd file costs its own results only.
    """
    if not sources:
        return [], []
    options: Dict[str, Any] = {"tf_version": tf_version, "jobs": jobs, "cache_dir": cache_dir}
    if targets is not None:
        options["targets"] = targets  # only the entry scripts that can reach them run
    if roots:
        options["roots"] = list(roots)
    try:
        findings, problems = project.analyze_sources(sources, on_entry=on_entry, **options)
        return list(findings), list(problems)
    except Exception as exc:  # noqa: BLE001 - an internal error must not hide the other results
        failure = exc
    if len(sources) == 1:
        return [], [_internal_problem(next(iter(sources)), failure)]
    died = isinstance(failure, BrokenProcessPool)  # a worker crashed: retry each file in a process of its own
    alone = {path: _attempt({path: text}, tf_version, died) for path, text in sources.items()}
    culprits = {path: outcome for path, outcome in alone.items() if isinstance(outcome, BaseException)}
    problems = [_internal_problem(path, exc, " (the file was left out of the project)")  # type: ignore[arg-type]
                for path, exc in culprits.items()]
    rest = {path: text for path, text in sources.items() if path not in culprits}
    if culprits and rest:
        together = _attempt(rest, tf_version, died, jobs=jobs, cache_dir=cache_dir)
        if not isinstance(together, BaseException):
            return together[0], problems + together[1]
        failure = together
    # The project fails as a whole although no file fails alone: keep the results of each file alone.
    findings = []
    for path in rest:
        outcome = alone[path]
        assert not isinstance(outcome, BaseException)
        findings.extend(outcome[0])
        problems.extend(outcome[1])
    if rest:
        where = f"{len(rest)} files" if len(rest) > 1 else next(iter(rest))
        problems.append(_internal_problem(
            where, failure, " (these files were analysed one at a time, without following imports between them)"))
    return findings, problems


Outcome = Any  # (findings, problems) or the exception the analysis raised


def _attempt(sources: Dict[str, str], tf_version: str, in_subprocess: bool, jobs: int = 1,
             cache_dir: Optional[str] = None) -> Outcome:
    try:
        if in_subprocess:
            with ProcessPoolExecutor(max_workers=1) as pool:
                return pool.submit(_analyze_lists, sources, tf_version, jobs, cache_dir).result()
        return _analyze_lists(sources, tf_version, jobs, cache_dir)
    except Exception as exc:  # noqa: BLE001
        return exc


def _analyze_lists(sources: Dict[str, str], tf_version: str, jobs: int,
                   cache_dir: Optional[str]) -> Tuple[List[Finding], List[FileProblem]]:
    findings, problems = project.analyze_sources(sources, tf_version=tf_version, jobs=jobs, cache_dir=cache_dir)
    return list(findings), list(problems)


def _internal_problem(where: str, exc: BaseException, note: str = "") -> FileProblem:
    if isinstance(exc, BrokenProcessPool):
        reason = "internal error: the analysis process died (crashed or was killed)"
    elif isinstance(exc, RecursionError):
        reason = "internal error: the analysis nested too deeply"
    else:
        first_line = (str(exc).strip().splitlines() or [""])[0]
        reason = f"internal error in the analysis: {type(exc).__name__}" + (f": {first_line}" if first_line else "")
    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return FileProblem(where, reason + note, detail)


T = TypeVar("T")
ANALYSIS_STACK_BYTES = 512 * 1024 * 1024
ANALYSIS_RECURSION_LIMIT = 20_000


def with_deep_stack(work: Callable[[], T]) -> T:
    """Run `work` on a thread with a large stack and a higher recursion limit.

    libcst's native parser and the analysis recurse once per level of nesting: with the default
    8 MB stack, a few thousand nested operators crash the whole process with a segmentation fault
    (no exception to catch), and the default recursion limit of 1000 gives up on expressions Python
    itself accepts. The stack is reserved, not committed: it costs memory only when used. Worker
    processes forked from this thread keep both. When the platform refuses such a thread, `work`
    runs here, as before.
    """
    outcome: Dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            outcome["error"] = exc

    try:
        previous_size = threading.stack_size(ANALYSIS_STACK_BYTES)
    except (ValueError, RuntimeError):
        return work()
    previous_limit = sys.getrecursionlimit()
    try:
        thread = threading.Thread(target=target, name="tfscope-lint-analysis", daemon=True)
        sys.setrecursionlimit(max(previous_limit, ANALYSIS_RECURSION_LIMIT))
        try:
            thread.start()
        except RuntimeError:
            sys.setrecursionlimit(previous_limit)
            return work()
    finally:
        threading.stack_size(previous_size)
    try:
        while thread.is_alive():
            thread.join(0.2)  # a short wait keeps Ctrl-C responsive
    except KeyboardInterrupt:  # run without the command line's handler (tfscope_lint.interrupt)
        abandon()
    finally:
        sys.setrecursionlimit(previous_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _select_and_suppress(
    findings: List[Finding], sources: Dict[str, str], settings: Settings, checked: Sequence[str],
) -> Tuple[List[Finding], int]:
    """Keep the codes enabled for each file, then apply its noqa comments: in the checked files
    and the files findings are in (a file read only as context has no unused noqa to report)."""
    by_file: Dict[str, List[Finding]] = defaultdict(list)
    for finding in findings:
        by_file[finding.location.path].append(finding)
    kept: List[Finding] = []
    suppressed = 0
    asked = set(checked)
    for path in list(checked) + [p for p in by_file if p not in asked]:
        enabled = settings.codes_for(path)
        if path not in asked:
            enabled = enabled - {suppress.UNUSED_NOQA}
        selected = [f for f in by_file.get(path, []) if f.code in enabled]
        if path in sources:
            selected, hidden = suppress.apply(path, sources[path], selected, enabled)
            suppressed += hidden
        kept.extend(selected)
    return kept, suppressed


def check_paths(paths: Sequence[str], in_context: bool = False) -> RunResult:
    """Check every Python file under `paths` with the default settings: by default, these files are
    the whole project (a fixture); with `in_context`, as the command line does (see context.py)."""
    return run(default_settings(), paths, in_context=in_context)


def check_source(path: str, text: str, in_context: bool = False) -> RunResult:
    """Check one in-memory source (tests, editors)."""
    return run(default_settings(), stdin=(path, text), in_context=in_context)
