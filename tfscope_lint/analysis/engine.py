"""Runs the analysis over a project: entry runs, then functions nobody called; in parallel; cached.

Phase 1 runs every file that mentions TensorFlow as a script, each on a fresh graph. Phase 2
analyses alone, in an unknown context, the functions that no run of phase 1 called. Each unit
of work is keyed by the content of every file it read, so a cached result is reused only when
none of them changed, and the same results come out whatever the number of worker processes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import json
import os
import tempfile
import traceback
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple

from tfscope_lint import __version__, rules
from tfscope_lint.analysis.context import ModuleContext, Origin, RawReport
from tfscope_lint.analysis.interpreter import BudgetExceeded, Interpreter
from tfscope_lint.analysis.project import Project, ProjectRun, SourceFile
from tfscope_lint.analysis.values import ClassVal, FunctionVal
from tfscope_lint.findings import FileProblem, Finding, Location, Related

FunctionKey = Tuple[str, int]  # (path, rank of the def in its file)
OnEntry = Callable[[int, int], None]  # (entries done, entries in all), for a progress display


@dataclass
class UnitResult:
    """What one unit of work found, in a form that crosses processes and goes into the cache."""

    findings: List[Finding] = field(default_factory=list)
    problems: List[FileProblem] = field(default_factory=list)
    called: List[FunctionKey] = field(default_factory=list)
    alone: Dict[FunctionKey, List[Finding]] = field(default_factory=dict)  # the file's uncalled functions, alone
    alone_notes: Dict[FunctionKey, List[FileProblem]] = field(default_factory=dict)  # where budgets cut them
    deps: List[str] = field(default_factory=list)  # every project file the unit read


# ---------------------------------------------------------------------------- units of work
def run_entry(project: Project, path: str) -> UnitResult:
    """Run one file as a script (phase 1)."""
    source = project.by_path[path]
    result = UnitResult(deps=[path])
    tree = source.parse()
    if tree is None:
        line, column, message = source.error or (1, 1, "invalid syntax")
        result.findings.append(Finding("TFS001", rules.render_message("TFS001", detail=f"syntax error: {message}"),
                                       Location(path, line, column, line, column)))
        return result
    interp, run, ctx = _run_script(project, path, result)
    try:
        return _finish_entry(project, path, source, result, interp, run, ctx)
    finally:
        run.finish()


def _finish_entry(project: Project, path: str, source: SourceFile, result: UnitResult, interp: Interpreter,
                  run: ProjectRun, ctx: ModuleContext) -> UnitResult:
    """The rest of an entry's unit, on the run of its script: flipped settings, uncalled functions alone."""
    _log_steps(path, interp)
    result.findings = _to_findings(interp.reports, project.tf_version)
    switched, switched_deps = _switched_findings(project, path, interp, result.findings)
    result.findings.extend(switched)
    called: Set[FunctionKey] = set()
    for used in run.contexts_by_path.values():
        index = used.source.function_index()
        for node in interp.called:
            rank = index.get(id(node))
            if rank is not None:
                called.add((used.path, rank))
    # The file's own functions this run did not call are analysed alone now, while its tree is at hand;
    # the parent keeps what they find only if no other run called them either.
    index = source.function_index()
    facts = source.function_facts()
    for func, owner in ctx.functions:
        rank = index.get(id(func.node))
        if rank is None or (path, rank) in called:
            continue
        alone = Interpreter(run)
        if _uninstantiated_class(project, func, owner):
            _guarded(result, path, lambda: alone.run_constructor_alone(func, owner))
        else:
            fact = facts.get(id(func.node)) if facts is not None else None
            if fact is not None and not fact.touches_variables:
                continue
            _guarded(result, path, lambda: alone.run_function_alone(func, owner))
        result.alone[(path, rank)] = _to_findings(alone.reports, project.tf_version)
        notes = _budget_note(path, alone, f"{func.name} (analysed alone, as nothing calls it)")
        if notes:
            result.alone_notes[(path, rank)] = notes
    result.called = sorted(called)
    result.deps = sorted(set(run.contexts_by_path) | run.extra_deps | switched_deps)
    return result


def _switched_findings(project: Project, path: str, default_run: Interpreter,
                       found: List[Finding]) -> Tuple[List[Finding], Set[str]]:
    """Errors on the paths that on/off settings (a boolean flag, a store_true argument) select.

    A script run with no arguments takes its defaults, but it is run with them flipped too (`--is_train`):
    each setting an `if` tests is flipped alone, the script runs again with that value as certain, and what
    fails only there is reported with the setting that leads to it. Conditions on data are never flipped.
    Returns those findings and the files the runs read (a flipped path may import more).
    """
    programs = default_run.tf.programs
    extra: List[Finding] = []
    deps: Set[str] = set()
    if default_run.budget_hit is not None:
        return extra, deps
    seen = {(f.code, f.location.path, f.location.line) for f in found}
    for name in programs.switches_read[:MAX_SWITCHES]:
        default, setting = programs.switches[name]
        run = ProjectRun(project)  # shared imports read no setting: the flip cannot change them
        flipped = Interpreter(run, switch_overrides={name: not default})
        ctx = run.context_for(project.by_path[path])
        assert ctx is not None
        scratch = UnitResult()
        _guarded(scratch, path, lambda: flipped.run_module(ctx, as_main=True))
        run.finish()
        deps.update(run.contexts_by_path)
        if flipped.budget_hit is not None or scratch.problems:
            continue
        for finding in _to_findings(flipped.reports, project.tf_version):
            key = (finding.code, finding.location.path, finding.location.line)
            if key not in seen:
                seen.add(key)
                extra.append(dataclasses.replace(
                    finding, message=finding.message + rules.render_related("setting", setting=setting)))
    return extra, deps


MAX_SWITCHES = 4  # settings flipped per entry script, one at a time


def _uninstantiated_class(project: Project, func: FunctionVal, owner: Optional[ClassVal]) -> bool:
    """A constructor of a class that no code of the project instantiates (its script is elsewhere, or there is
    none, as with many research repositories) runs as an entry of its own. A class named anywhere else in
    the project (instantiated, subclassed, registered) is built there, and a constructor taking `reuse` is
    meant to run in a caller's scope: neither is."""
    if owner is None or func.name != "__init__" or project.uses_of_class(owner.name):
        return False
    params = func.node.params
    return not any(p.name.value == "reuse" for p in list(params.params) + list(params.kwonly_params))


def run_entry_state(project: Project, path: str) -> Tuple[Optional[Interpreter], UnitResult]:
    """Run one file as a script and keep its interpreter: the final graph state, for `vars` (not cached)."""
    result = UnitResult(deps=[path])
    if project.by_path[path].parse() is None:
        return None, result
    interp, run, _ = _run_script(project, path, result)
    run.finish()
    return interp, result


def _run_script(project: Project, path: str, result: UnitResult) -> Tuple[Interpreter, ProjectRun, ModuleContext]:
    """Run a parsed file as `__main__` on a fresh graph; its problems and budget note go into `result`."""
    run = ProjectRun(project)
    interp = Interpreter(run)
    ctx = run.context_for(project.by_path[path])
    assert ctx is not None
    _guarded(result, path, lambda: interp.run_module(ctx, as_main=True))
    result.problems.extend(_budget_note(path, interp))
    return interp, run, ctx


def _guarded(result: UnitResult, path: str, work) -> None:  # type: ignore[no-untyped-def]
    """One file's failure is reported as such and never stops the others."""
    try:
        work()
    except BudgetExceeded:
        pass
    except RecursionError:
        result.problems.append(FileProblem(path, "internal error: the analysis nested too deeply; part skipped"))
    except Exception as exc:  # noqa: BLE001
        detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        result.problems.append(FileProblem(path, f"internal error: {type(exc).__name__}: {exc}", detail))


def _budget_note(path: str, interp: Interpreter, alone_of: str = "") -> List[FileProblem]:
    """A run cut short by a budget stays quiet about what it did not see; --verbose says where it stopped."""
    if interp.budget_hit is None:
        return []
    where = ""
    if interp.budget_site is not None:
        site = interp.budget_site
        where = f" at {site.module.path}:{site.line()}"
    if interp.budget_hit == "step budget":
        reason = (f"analysis stopped{where}: it ran out of its budget of {interp.max_steps:,} steps; "
                  "the code after that point was not checked")
    else:
        reason = f"calls nested deeper than {interp.max_depth} levels were not followed (first{where})"
    if alone_of:
        reason = f"in {alone_of}: {reason}"
    return [FileProblem(path, reason, kind="note")]


STEPS_LOG = "TFSCOPE_STEPS_LOG"  # a file: one JSON line per entry run (benchmarks/run.py reads it)


def _log_steps(path: str, interp: Interpreter) -> None:
    """What an entry's run cost, in interpreter steps, for the benchmark: a measure the machine's load
    does not disturb. Appended whole lines from each worker; nothing is written unless asked for."""
    log = os.environ.get(STEPS_LOG)
    if not log:
        return
    line = json.dumps({"entry": path, "steps": interp.steps, "budget": interp.budget_hit}) + "\n"
    try:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(line)
    except OSError:
        pass


def _to_findings(reports: Iterable[RawReport], tf_version: str) -> List[Finding]:
    findings = []
    for raw in reports:
        location = raw.origin.site.location()
        related: List[Related] = []
        for kind, origin, facts in raw.related:
            if isinstance(origin, Origin):
                related.append(Related(origin.site.location(), rules.render_related(kind, **facts)))
        for site in raw.origin.chain:
            related.append(Related(site.location(), rules.render_related("call")))
        try:
            message = rules.render_message(raw.code, **raw.facts)
        except KeyError as exc:
            message = f"{rules.rule(raw.code).summary} (missing fact {exc})"
        if raw.followers:
            message += rules.render_related("followers", count=raw.followers,
                                            plural="s fail" if raw.followers > 1 else " fails")
        findings.append(Finding(raw.code, message, location, tuple(related), raw.facts.get("variable"),
                                raw.facts.get("scope"), rules.rule(raw.code).hint or None,
                                rules.tf_error(raw.code, tf_version, **raw.facts)))
    return findings


# ---------------------------------------------------------------------------- workers
_WORKER_PROJECT: Optional[Project] = None
_WORKER_DONE = None  # a counter shared with the parent: entries finished by every worker


def _init_worker(sources: Dict[str, str], tf_version: str, roots: Tuple[str, ...] = (),
                 done=None) -> None:  # type: ignore[no-untyped-def]
    global _WORKER_PROJECT, _WORKER_DONE
    gc.set_threshold(*GC_THRESHOLDS)
    _WORKER_PROJECT = Project(sources, tf_version, roots)
    _WORKER_DONE = done


def _count_done() -> None:
    if _WORKER_DONE is not None:
        with _WORKER_DONE.get_lock():
            _WORKER_DONE.value += 1


def _worker_entries(paths: List[str]) -> List[UnitResult]:
    assert _WORKER_PROJECT is not None
    return run_entries(_WORKER_PROJECT, paths, lambda: _count_done())


def share_out(paths: List[str], workers: int) -> List[List[str]]:
    """One list of entries per worker: contiguous runs of files (neighbours import the same modules),
    dealt out in turn (so that each worker gets a part of every package and the loads even out).
    Knowing its whole list, a worker parses each module once and drops it after its last use."""
    size = max(1, -(-len(paths) // (workers * 8)))
    runs = [paths[i:i + size] for i in range(0, len(paths), size)]
    return [[path for run in runs[k::workers] for path in run] for k in range(workers)]


def run_entries(project: Project, paths: List[str], on_done: Optional[Callable[[], None]] = None) -> List[UnitResult]:
    """Run entry units in order, dropping each file's trees after the last unit of the list that can
    read it: the memory held is that of the files in use, not of the whole tree."""
    reach = {path: project.reachable(path) for path in paths}
    remaining: Dict[str, int] = {}
    for files in reach.values():
        for path in files:
            remaining[path] = remaining.get(path, 0) + 1
    results = []
    for path in paths:
        result = run_entry(project, path)
        results.append(result)
        if on_done is not None:
            on_done()
        for used in reach[path]:
            remaining[used] -= 1
        for used in reach[path] | set(result.deps):
            if remaining.get(used, 0) <= 0:
                project.forget(used)
    return results


# ---------------------------------------------------------------------------- cache
@functools.lru_cache(maxsize=None)
def tool_fingerprint() -> str:
    """The version and the content of the tool's own modules: an edited checkout never reads results
    an older analysis wrote (a release bumps the version; a developer's change does not)."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode())
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()


class Cache:
    """Unit results on disk, keyed by the tool, the options and the content of every file read."""

    def __init__(self, directory: Path, sources: Dict[str, str], options: str) -> None:
        self.directory = directory
        self.hashes = {path: hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
                       for path, text in sources.items()}
        layout = "\n".join(sorted(sources))  # a new or removed module can change what an import finds
        self.salt = hashlib.sha256(f"{tool_fingerprint()}\n{options}\n{layout}".encode()).hexdigest()

    def _file(self, kind: str, key: str) -> Path:
        digest = hashlib.sha256(f"{self.salt}\n{kind}\n{key}".encode("utf-8", "surrogatepass")).hexdigest()
        return self.directory / kind / f"{digest}.json"

    def load(self, kind: str, key: str) -> Optional[UnitResult]:
        try:
            data = json.loads(self._file(kind, key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        deps: Dict[str, str] = data.get("deps", {})
        if any(self.hashes.get(path) != digest for path, digest in deps.items()):
            return None  # a file it read has changed: never return stale findings
        return _result_from_json(data)

    def store(self, kind: str, key: str, result: UnitResult) -> None:
        data = _result_to_json(result)
        data["deps"] = {path: self.hashes.get(path, "") for path in result.deps}
        target = self._file(kind, key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(temporary, target)  # atomic: two runs sharing the cache never see half a file
        except OSError:
            pass  # a cache that cannot be written only costs time


def _location_json(loc: Location) -> list:
    return [loc.path, loc.line, loc.column, loc.end_line, loc.end_column]


def _finding_json(f: Finding) -> dict:
    return {"code": f.code, "message": f.message, "location": _location_json(f.location),
            "related": [[_location_json(r.location), r.message] for r in f.related],
            "variable": f.variable, "scope": f.scope, "fix_hint": f.fix_hint, "tf_error": f.tf_error}


def _finding_from_json(f: dict) -> Finding:
    return Finding(f["code"], f["message"], Location(*f["location"]),
                   tuple(Related(Location(*loc), msg) for loc, msg in f["related"]),
                   f["variable"], f["scope"], f["fix_hint"], f.get("tf_error"))


def _result_to_json(result: UnitResult) -> dict:
    return {
        "findings": [_finding_json(f) for f in result.findings],
        "problems": [[p.path, p.reason, p.detail, p.kind] for p in result.problems],
        "called": [list(k) for k in result.called],
        "alone": [[list(k), [_finding_json(f) for f in found]] for k, found in result.alone.items()],
        "alone_notes": [[list(k), [[p.path, p.reason, p.detail, p.kind] for p in notes]]
                        for k, notes in result.alone_notes.items()],
    }


def _result_from_json(data: dict) -> UnitResult:
    return UnitResult(
        findings=[_finding_from_json(f) for f in data["findings"]],
        problems=[FileProblem(*p) for p in data["problems"]],
        called=[tuple(k) for k in data["called"]],  # type: ignore[misc]
        alone={tuple(k): [_finding_from_json(f) for f in found] for k, found in data["alone"]},  # type: ignore
        alone_notes={tuple(k): [FileProblem(*p) for p in notes]  # type: ignore[misc]
                     for k, notes in data.get("alone_notes", [])},
        deps=list(data.get("deps", {})))


# ---------------------------------------------------------------------------- orchestration
# The parsed trees are millions of long-lived objects: with Python's default thresholds every full
# collection walks them all again, which cost 40% of a cold run. Collections still happen (the
# interpreter makes cycles), much less often, as mypy does for the same reason. Measured on 250,000
# synthetic lines (benchmarks/run.py), one job: 200,000 young objects between collections cost 13%
# more time than 1,000,000; 2,000,000 took the two-job run to 393 MB, against 266 MB here.
GC_THRESHOLDS = (1_000_000, 50, 50)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def analyze(sources: Dict[str, str], jobs: int = 1, cache_dir: Optional[str] = None, tf_version: str = "1.15",
            targets: Optional[Iterable[str]] = None, roots: Iterable[str] = (),
            on_entry: Optional[OnEntry] = None) -> Tuple[List[Finding], List[FileProblem]]:
    """Analyse the files (path -> text) as one project; `jobs` > 1 uses worker processes.

    With `targets` (some of the paths), only the entry scripts whose imports can reach one of them
    run: the rest of the project is context, read for its imports and its cache keys only. `roots`
    are folders on sys.path besides each script's own (a `src` layout). `on_entry` hears how many entry
    runs are done (cached ones at once, the others as they finish)."""
    with _fewer_collections():
        return _analyze(sources, jobs, cache_dir, tf_version, targets, tuple(roots), on_entry)


def _analyze(sources: Dict[str, str], jobs: int, cache_dir: Optional[str], tf_version: str,
             targets: Optional[Iterable[str]] = None, roots: Tuple[str, ...] = (),
             on_entry: Optional[OnEntry] = None) -> Tuple[List[Finding], List[FileProblem]]:
    project = Project(sources, tf_version, roots)
    options = f"tf={tf_version}" + (f"\nroots={os.pathsep.join(project.roots)}" if roots else "")
    cache = Cache(Path(cache_dir), sources, options) if cache_dir else None
    entries = entries_for(project, targets)
    entry_results = _run_units("entry", [(path, path) for path in entries], cache, project, jobs, on_entry)

    called: Set[FunctionKey] = set()
    for result in entry_results:
        called.update(result.called)
    findings: List[Finding] = []
    problems: List[FileProblem] = []
    for result in entry_results:
        findings.extend(result.findings)
        problems.extend(result.problems)
    for result in entry_results:
        for key, found in sorted(result.alone.items()):
            if key not in called:
                findings.extend(found)
        for key, notes in sorted(result.alone_notes.items()):
            if key not in called:
                problems.extend(notes)
    return _dedupe(findings), _dedupe_problems(problems)


def entries_for(project: Project, targets: Optional[Iterable[str]] = None) -> List[str]:
    """The entry scripts to run: all of them, or those whose imports can reach one of `targets`."""
    entries = project.entry_paths()
    if targets is None:
        return entries
    reaching = project.importers(targets)
    return [path for path in entries if path in reaching]


def _run_units(kind: str, tasks: List[Tuple[str, object]], cache: Optional[Cache], project: Project,
               jobs: int, on_entry: Optional[OnEntry] = None) -> List[UnitResult]:
    results: List[Optional[UnitResult]] = [cache.load(kind, key) if cache else None for key, _ in tasks]
    missing = [i for i, r in enumerate(results) if r is None]
    total = len(tasks)
    cached = total - len(missing)
    if on_entry is not None:
        on_entry(cached, total)
    if missing:
        payloads = [tasks[i][1] for i in missing]
        if jobs > 1 and len(missing) > 1:
            workers = min(jobs, len(missing))
            shares = share_out(payloads, workers)  # type: ignore[arg-type]
            done = multiprocessing.get_context().Value("i", 0)
            with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                     initargs=(project.sources, project.tf_version, project.roots, done)) as pool, \
                    _reporting(done, cached, total, on_entry):
                by_path = {path: result for share, results in zip(shares, pool.map(_worker_entries, shares))
                           for path, result in zip(share, results)}
            computed = [by_path[path] for path in payloads]  # type: ignore[index]
        else:
            counter = [cached]

            def one_done() -> None:
                counter[0] += 1
                if on_entry is not None:
                    on_entry(counter[0], total)
            computed = run_entries(project, payloads, one_done)  # type: ignore[arg-type]
        for i, result in zip(missing, computed):
            results[i] = result
            if cache is not None:
                cache.store(kind, tasks[i][0], result)
    return [r for r in results if r is not None]


@contextlib.contextmanager
def _reporting(done, cached: int, total: int, on_entry: Optional[OnEntry]) -> Iterator[None]:  # type: ignore
    """While workers run: pass their shared count of finished entries on, a few times a second."""
    if on_entry is None:
        yield
        return
    stop = threading.Event()

    def poll() -> None:
        last = -1
        while not stop.wait(0.2):
            now = done.value
            if now != last:
                last = now
                on_entry(cached + now, total)
    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        on_entry(cached + done.value, total)


def _dedupe(findings: List[Finding]) -> List[Finding]:
    """One error per line, the first TensorFlow would raise; a second would only show once that is fixed."""
    seen = set()
    out = []
    for finding in findings:
        severity = rules.rule(finding.code).severity
        key = (severity, finding.location.path, finding.location.line) if severity == rules.ERROR else (
            finding.code, finding.location.path, finding.location.line, finding.location.column)
        if key in seen:
            continue
        seen.add(key)
        out.append(finding)
    return out


def _dedupe_problems(problems: List[FileProblem]) -> List[FileProblem]:
    seen = set()
    out = []
    for problem in problems:
        key = (problem.path, problem.reason, problem.kind)
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out
