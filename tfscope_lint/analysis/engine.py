"""Runs the analysis over a project: entry runs, then functions nobody called; in parallel; cached.

Phase 1 runs every file that mentions TensorFlow as a script, each on a fresh graph. Phase 2
analyses alone, in an unknown context, the functions that no run of phase 1 called. Each unit
of work is keyed by the content of every file it read, so a cached result is reused only when
none of them changed, and the same results come out whatever the number of worker processes.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import os
import tempfile
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from tfscope_lint import __version__, rules
from tfscope_lint.analysis.project import Project
from tfscope_lint.analysis.results import FunctionKey, UnitResult, result_from_json, result_to_json
from tfscope_lint.findings import FileProblem, Finding

# The interpreter (and libcst) load only when a unit runs (tfscope_lint.analysis.units): a warm run,
# every result read from the cache, never needs them.
OnEntry = Callable[[int, int], None]  # (entries done, entries in all), for a progress display


# ---------------------------------------------------------------------------- workers
_WORKER_PROJECT: Optional[Project] = None
_WORKER_DONE = None  # a counter shared with the parent: entries finished by every worker
_WORKER_SHARES: List[List[str]] = []  # every worker's planned list of entries, in the order it runs them
_WORKER_CLAIMS = None  # one flag per entry of _WORKER_SHARES (flattened), shared: set by whoever runs it
_WORKER_SLOT: Dict[str, int] = {}  # entry -> its flag


def _init_worker(sources: Dict[str, str], tf_version: str, roots: Tuple[str, ...] = (),  # type: ignore[no-untyped-def]
                 done=None, shares: Optional[List[List[str]]] = None, claims=None) -> None:
    global _WORKER_PROJECT, _WORKER_DONE, _WORKER_SHARES, _WORKER_CLAIMS, _WORKER_SLOT
    gc.set_threshold(*GC_THRESHOLDS)
    _WORKER_PROJECT = Project(sources, tf_version, roots)
    _WORKER_DONE = done
    _WORKER_SHARES = shares or []
    _WORKER_CLAIMS = claims
    _WORKER_SLOT = {path: i for i, path in enumerate(path for share in _WORKER_SHARES for path in share)}


def _count_done() -> None:
    if _WORKER_DONE is not None:
        with _WORKER_DONE.get_lock():
            _WORKER_DONE.value += 1


def _claim(path: str, unless: Sequence[str] = ()) -> bool:
    """Take an entry to run, unless another worker has (or has taken one of `unless`): each entry runs
    once, in whichever worker gets it first."""
    assert _WORKER_CLAIMS is not None
    with _WORKER_CLAIMS.get_lock():
        if _WORKER_CLAIMS[_WORKER_SLOT[path]] or any(_WORKER_CLAIMS[_WORKER_SLOT[other]] for other in unless):
            return False
        _WORKER_CLAIMS[_WORKER_SLOT[path]] = 1
        return True


def _worker_share(k: int) -> Dict[str, UnitResult]:
    """Run share k in order, then help the others from the ends of their lists (work stealing): the shares
    are estimates, and a worker whose share ran short would otherwise wait idle for the slowest."""
    assert _WORKER_PROJECT is not None
    done = _run_claimed(_WORKER_PROJECT, _WORKER_SHARES[k], _claim, _count_done)
    from tfscope_lint.analysis import units

    for path, before in steal_order(_WORKER_SHARES, k):
        # Only while the owner has STEAL_MARGIN entries still to start before it: an entry near the end,
        # taken here, costs a parse of all it imports while the owner, with those trees at hand, would soon
        # be idle (tensorlayer: 1.3 s, 1.7 s when its last entry was taken). The trees of the entries taken
        # (few, neighbours) are kept to the end.
        if _claim(path, unless=before):
            done[path] = units.run_entry(_WORKER_PROJECT, path)
            _count_done()
    return done


STEAL_MARGIN = 2


def steal_order(shares: List[List[str]], k: int) -> List[Tuple[str, List[str]]]:
    """The entries worker k may take from the others, each with the STEAL_MARGIN entries its owner runs
    just before it: last first, from each share in turn (owners work from the front, so the ends meet)."""
    others = [share for j, share in enumerate(shares) if j != k]
    longest = max((len(share) for share in others), default=0)
    return [(share[-1 - back], share[-1 - back - STEAL_MARGIN:-1 - back]) for back in range(longest)
            for share in others if back + STEAL_MARGIN < len(share)]


def share_out(paths: List[str], workers: int,
              cost: Optional[Callable[[str], float]] = None) -> List[List[str]]:
    """One list of entries per worker: contiguous runs of files (neighbours import the same modules).
    Without `cost`, the runs are dealt out in turn; with it (an estimate per entry), each run, costliest
    first, goes to the worker with the least so far, and every worker keeps its runs in file order.
    Knowing its whole list, a worker parses each module once and drops it after its last use."""
    size = max(1, -(-len(paths) // (workers * 8)))
    runs = [paths[i:i + size] for i in range(0, len(paths), size)]
    if cost is None:
        return [[path for run in runs[k::workers] for path in run] for k in range(workers)]
    run_cost = [sum(cost(path) for path in run) for run in runs]
    loads = [0.0] * workers
    taken: List[List[int]] = [[] for _ in range(workers)]
    for i in sorted(range(len(runs)), key=lambda i: (-run_cost[i], i)):
        k = loads.index(min(loads))
        taken[k].append(i)
        loads[k] += run_cost[i]
    return [[path for i in sorted(mine) for path in runs[i]] for mine in taken]


def entry_cost(project: Project, path: str) -> float:
    """A guess at an entry's cost, to even out the workers' loads: its own code (run as a script, its
    functions alone) and a fifth of all that its imports reach, itself included (mostly shared imports,
    partly run by its calls). Measured with two jobs against runs dealt in turn (same findings): tensor2tensor
    11.3 -> 10.3 s, tf-slim 3.26 -> 2.90 s, stable-baselines 2.66 -> 2.35 s, baselines 2.11 -> 2.05 s."""
    reached = sum(len(project.by_path[other].text) for other in project.reachable(path))
    return len(project.by_path[path].text) + 0.2 * reached


def run_entries(project: Project, paths: List[str], on_done: Optional[Callable[[], None]] = None) -> List[UnitResult]:
    """Run entry units in order, dropping each file's trees after the last unit of the list that can
    read it: the memory held is that of the files in use, not of the whole tree."""
    done = _run_claimed(project, paths, lambda path: True, on_done)
    return [done[path] for path in paths]


def _run_claimed(project: Project, paths: List[str], claim: Callable[[str], bool],
                 on_done: Optional[Callable[[], None]] = None) -> Dict[str, UnitResult]:
    """run_entries for the entries `claim` grants when their turn comes (another worker ran the rest): one
    not run here counts as done for dropping trees."""
    reach = {path: project.reachable(path) for path in paths}
    remaining: Dict[str, int] = {}
    for files in reach.values():
        for path in files:
            remaining[path] = remaining.get(path, 0) + 1
    from tfscope_lint.analysis import units

    results: Dict[str, UnitResult] = {}
    for path in paths:
        read: Set[str] = set()
        if claim(path):
            result = units.run_entry(project, path)
            results[path] = result
            read = set(result.deps)
            if on_done is not None:
                on_done()
        for used in reach[path]:
            remaining[used] -= 1
        for used in reach[path] | read:
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
        return result_from_json(data)

    def store(self, kind: str, key: str, result: UnitResult) -> None:
        data = result_to_json(result)
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


# ---------------------------------------------------------------------------- orchestration
# The parsed trees are millions of long-lived objects: with Python's default thresholds every full
# collection walks them all again, which cost 40% of a cold run. Collections still happen (the
# interpreter makes cycles), much less often, as mypy does for the same reason. The young generation
# holds the garbage between collections: measured with one job at 2e889d1+ on real code, 100,000 young
# objects cost no time against 1,000,000 (tensor2tensor 14.5 s vs 15.3 s, tf-slim, baselines and
# stable-baselines within noise) and less memory (tensor2tensor 226 MB vs 267 MB; two jobs 403 MB vs
# 470 MB); 30,000 saved only 4 MB more.
GC_THRESHOLDS = (100_000, 50, 50)


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
            shares = share_out(payloads, workers, lambda path: entry_cost(project, path))  # type: ignore[arg-type]
            context = multiprocessing.get_context()
            done = context.Value("i", 0)
            claims = context.Array("b", len(payloads))  # which entries a worker has taken
            with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                     initargs=(project.sources, project.tf_version, project.roots, done, shares,
                                               claims)) as pool, \
                    _reporting(done, cached, total, on_entry):
                by_path: Dict[str, UnitResult] = {}
                for ran in pool.map(_worker_share, range(workers)):
                    by_path.update(ran)
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
