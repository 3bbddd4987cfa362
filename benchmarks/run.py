"""How fast is `tfscope-lint check`, against the floor of parsing the same files with libcst?

    python benchmarks/run.py                    # a synthetic TF1 tree of 250,000 lines (and one of 62,500)
    python benchmarks/run.py --lines 100000     # another size
    python benchmarks/run.py PATH               # any directory of Python code (copied to a temp dir first)
    python benchmarks/run.py PATH --profile     # and cProfile of the analysis, in process, one job
    python benchmarks/run.py --repeat 3         # a, b, c, d three times each, the fastest kept (busy machine)
    python benchmarks/run.py --real             # the real TF1 code bases of real_code.py, pinned by version

In one run, on the same files (those `tfscope-lint check` itself finds), it times

    (a) libcst.parse_module over every file, one process (the floor of a libcst-based tool)
    (b) ast.parse over every file, one process
    (c) tfscope-lint check, cold, --jobs 1 --no-cache
    (d) tfscope-lint check, cold, all cores, with an empty --cache-dir
    (e) tfscope-lint check, warm: (d) again on the same cache directory, nothing changed
    (f) tfscope-lint check after one file changed, same cache directory

and prints each time, the ratios, files and lines per second, peak memory, the time per 1,000
lines at two sizes 4x apart (linearity), and whether the findings (JSON) of c, d, e (and f) are
identical. The CLI runs as a subprocess (`python -m tfscope_lint check DIR -q --exit-zero
--output-format json`), timed from spawn to exit, so its times include interpreter start-up
(printed on its own); (a) and (b) also run in a child process, but time only the parse loop.
Each step also shows its CPU time (user + system, workers included), which other load on a
shared machine disturbs less than wall time: the ratios are of wall times, linearity is judged
on CPU time. Which units (f) re-checked is read from the cache: the entries rewritten, against
those whose recorded dependencies include the edited file.

Memory: "largest process" is ru_maxrss from wait4() (exact, but per process: the maximum over
the process and each of its workers, not their sum); "whole tree" is the sum over the process
and its live descendants, sampled every 50 ms from /proc (PSS, which counts pages shared after
fork once; RSS, which counts them in every process, in brackets).

This is a benchmark, not a test: nothing here runs in CI, and the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))  # tfscope_lint from this checkout, whether or not it is installed
sys.path.insert(0, str(HERE))

TARGETS = {
    "c/a": 1.5,  # cold, one job, at most this times libcst.parse_module
    "c/d": 1.6,  # all cores at least this much faster than one job (on 2 cores)
    "e/c": 0.10,  # warm at most this fraction of cold
    "memory_mb": 400.0,  # peak memory for a 250,000-line tree
    "linearity": 1.25,  # time per 1,000 lines at 4x the size, at most this times that at 1x
}


# ------------------------------------------------------------------------------------------ files
def python_files(root: Path) -> List[Path]:
    """The files `tfscope-lint check ROOT` checks (same discovery, same default excludes)."""
    from tfscope_lint.files import discover

    files, _ = discover([str(root)])
    return files


def count_lines(text: str) -> int:
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def read_all(files: Sequence[Path]) -> Dict[str, str]:
    from tfscope_lint.files import SourceError, read_source

    sources: Dict[str, str] = {}
    for path in files:
        try:
            sources[str(path)] = read_source(path)
        except SourceError:
            pass
    return sources


# ------------------------------------------------------------------------------------------ memory
def _children_map() -> Dict[int, List[int]]:
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _memory_of(pid: int) -> Tuple[int, int]:
    """(PSS, RSS) in kB; (0, 0) if the process is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            values = {}
            for line in handle:
                parts = line.split()
                if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:"):
                    values[parts[0]] = int(parts[1])
            return values.get("Pss:", 0), values.get("Rss:", 0)
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm") as handle:
            rss = int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
            return rss, rss
    except (OSError, ValueError, IndexError):
        return 0, 0


class TreeSampler(threading.Thread):
    """Peak of the summed memory of a process and its descendants, sampled from /proc."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_pss_kb = 0
        self.peak_rss_kb = 0
        self.peak_processes = 0
        self._halt = threading.Event()
        self.available = os.path.isdir("/proc/self")

    def run(self) -> None:
        while self.available and not self._halt.is_set():
            tree = [self.pid]
            children = _children_map()
            i = 0
            while i < len(tree):
                tree.extend(children.get(tree[i], []))
                i += 1
            pss = rss = 0
            for pid in tree:
                p, r = _memory_of(pid)
                pss += p
                rss += r
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_processes = max(self.peak_processes, len(tree))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


@dataclass
class Measured:
    seconds: float  # wall time from spawn to exit (or the parse loop only, for a and b)
    returncode: int
    stdout: bytes
    stderr: bytes
    maxrss_kb: int  # wait4: the largest single process of the tree
    tree_pss_kb: int
    tree_rss_kb: int
    processes: int
    cpu: float = 0.0  # user + system seconds of the process and its reaped children (the loop only, for a and b)
    extra: dict = field(default_factory=dict)


def measure(cmd: Sequence[str], cwd: Optional[str] = None, extra_env: Optional[Dict[str, str]] = None) -> Measured:
    """Run a command; wall time, output, and peak memory (per process and whole tree).

    Linux carries ru_maxrss across fork and exec, so a child's starts at this process's RSS: this
    benchmark keeps itself small (it prints its own RSS, the floor of "largest process").
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.setdefault("NO_COLOR", "1")
    env.update(extra_env or {})
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, cwd=cwd, env=env)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
        out.seek(0)
        err.seek(0)
        return Measured(seconds, proc.returncode, out.read(), err.read(), usage.ru_maxrss,
                        sampler.peak_pss_kb, sampler.peak_rss_kb, sampler.peak_processes,
                        usage.ru_utime + usage.ru_stime)


# ------------------------------------------------------------------------------------------ load
_SPIN = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.5: sum(i * i for i in range(1000))"


def parallel_capacity() -> float:
    """How many cores this benchmark gets now: 2 processes spinning 0.5 s of CPU each, against one."""
    def spin(n: int) -> float:
        start = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", _SPIN]) for _ in range(n)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - start
    one = spin(1)
    return 2 * one / spin(2)


# ------------------------------------------------------------------------------------------ steps
def parse_step(kind: str, list_file: Path) -> Measured:
    """(a) or (b): a child process parses every file; only the loop is timed."""
    m = measure([sys.executable, str(Path(__file__).resolve()), "--parse-worker", kind, str(list_file)])
    if m.returncode != 0:
        raise SystemExit(f"the {kind} parse worker failed:\n{m.stderr.decode(errors='replace')}")
    report = json.loads(m.stdout)
    m.extra = report
    m.extra["wall"] = m.seconds
    m.seconds = report["seconds"]
    m.cpu = report.get("cpu", m.cpu)
    return m


def parse_worker(kind: str, list_file: str) -> None:
    files = [Path(line) for line in Path(list_file).read_text().splitlines() if line]
    texts = list(read_all(files).values())
    failed = 0
    if kind.endswith("-hold"):  # every tree kept at once: what a design that holds them all pays in memory
        import libcst

        parse = libcst.parse_module if kind == "libcst-hold" else ast.parse
        before = _memory_of(os.getpid())[1]  # current RSS: ru_maxrss would start at the parent's, see measure()
        start = time.perf_counter()
        held = []
        for text in texts:
            try:
                held.append(parse(text))
            except Exception:  # noqa: BLE001
                failed += 1
        seconds = time.perf_counter() - start
        grown = _memory_of(os.getpid())[1] - before
        print(json.dumps({"seconds": seconds, "files": len(texts), "failed": failed, "held_kb": grown}))
        return
    if kind == "libcst":
        import libcst

        cpu = time.process_time()
        start = time.perf_counter()
        for text in texts:
            try:
                libcst.parse_module(text)
            except Exception:  # noqa: BLE001 - a file libcst cannot parse still costs its attempt
                failed += 1
        seconds = time.perf_counter() - start
    else:
        cpu = time.process_time()
        start = time.perf_counter()
        for text in texts:
            try:
                ast.parse(text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                failed += 1
        seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "files": len(texts), "failed": failed}))


def cli(tree: Path, *options: str, env: Optional[Dict[str, str]] = None) -> Measured:
    return measure([sys.executable, "-m", "tfscope_lint", "check", str(tree), "-q", "--exit-zero",
                    "--output-format", "json", *options], extra_env=env)


def findings_of(m: Measured) -> list:
    try:
        return json.loads(m.stdout or b"[]")
    except ValueError:
        return [{"unparsable output": m.stdout[:200].decode(errors="replace")}]


# ------------------------------------------------------------------------------------------ cache
def cache_snapshot(cache_dir: Path) -> Dict[str, Tuple[int, int]]:
    """Each cache file and its (inode, mtime): a rewritten entry (os.replace) gets a new inode."""
    snap = {}
    for path in cache_dir.rglob("*.json"):
        st = path.stat()
        snap[str(path)] = (st.st_ino, st.st_mtime_ns)
    return snap


def cache_dependents(cache_dir: Path) -> Dict[str, List[str]]:
    """cache file -> the project files its unit read (the deps the engine stores with each entry)."""
    deps = {}
    for path in cache_dir.rglob("*.json"):
        try:
            deps[str(path)] = sorted(json.loads(path.read_text()).get("deps", {}))
        except (OSError, ValueError):
            continue
    return deps


def pick_file_to_change(deps: Dict[str, List[str]]) -> Optional[str]:
    """A module other files import: the median, by number of dependents, among those that have any."""
    counts: Dict[str, int] = {}
    for files in deps.values():
        for path in files:
            counts[path] = counts.get(path, 0) + 1
    modules = sorted((n, path) for path, n in counts.items() if not path.endswith("__init__.py"))
    imported = [item for item in modules if item[0] >= 2]
    if imported:
        return imported[len(imported) // 2][1]
    return modules[-1][1] if modules else next(iter(sorted(counts)), None)


# ------------------------------------------------------------------------------------------ trees
def make_subset(src: Path, files: List[Path], lines: Dict[str, int], dest: Path, fraction: float) -> None:
    """About `fraction` of the lines of a real tree, spread over all of it (a systematic sample of its
    files in path order), with the __init__.py of their packages. Another mix of code than the whole
    tree, so compare the tool with the parser at each size rather than the raw times."""
    chosen: List[Path] = []
    seen = taken = 0
    for path in files:
        n = lines.get(str(path), 0)
        seen += n
        if taken + n / 2 <= fraction * seen:
            chosen.append(path)
            taken += n
    wanted = set(chosen)
    for path in chosen:  # keep the package structure, so that imports resolve as in the whole tree
        folder = path.parent
        while folder != src and src in folder.parents:
            init = folder / "__init__.py"
            if init.exists():
                wanted.add(init)
            folder = folder.parent
    for path in sorted(wanted):
        target_path = dest / path.relative_to(src)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target_path)


# ------------------------------------------------------------------------------------------ report
def mb(kb: int) -> float:
    return kb / 1024.0


def fmt_mem(m: Measured) -> str:
    return (f"largest process {mb(m.maxrss_kb):6.0f} MB, whole tree {mb(m.tree_pss_kb):6.0f} MB PSS "
            f"({mb(m.tree_rss_kb):.0f} MB RSS, {m.processes} process{'es' if m.processes > 1 else ''})")


def best(runs: List[Measured], same_output: bool = True) -> Measured:
    """The fastest of repeated runs (the least disturbed by other load).

    Runs of `check` must all print the same findings; a parse worker prints its own timing, so its runs
    are not compared (`same_output=False`)."""
    if same_output and any(m.stdout != runs[0].stdout for m in runs):
        print("      WARNING: repeated runs printed different findings")
    return min(runs, key=lambda m: m.seconds)


def run_size(tree: Path, label: str, jobs: int, work: Path, full: bool, change: Optional[str],
             repeat: int = 1) -> dict:
    """Every step on one tree; returns the figures."""
    files = python_files(tree)
    sources = read_all(files)
    lines = sum(count_lines(t) for t in sources.values())
    del sources  # keep this process small: its RSS is the floor of its children's ru_maxrss
    list_file = work / f"{label}.files"
    list_file.write_text("\n".join(str(p) for p in files) + "\n")
    n = len(files)
    r: dict = {"label": label, "tree": str(tree), "files": n, "lines": lines}
    print(f"\n== {label}: {tree}: {n} files, {lines:,} lines", flush=True)

    def show(step: str, m: Measured, note: str = "") -> None:
        print(f"  ({step}) {m.seconds:7.2f} s (cpu {m.cpu:6.1f} s) {n / m.seconds:6.0f} files/s "
              f"{lines / m.seconds:7.0f} lines/s {1e6 * m.seconds / max(lines, 1):6.1f} ms/1k lines  "
              f"{fmt_mem(m)}{note}", flush=True)
        r[step] = {"seconds": m.seconds, "cpu": m.cpu, "maxrss_mb": mb(m.maxrss_kb), "tree_pss_mb": mb(m.tree_pss_kb),
                   "tree_rss_mb": mb(m.tree_rss_kb), "processes": m.processes}
        if m.returncode not in (0,) and step not in ("a", "b"):
            tail = m.stderr.decode(errors="replace").strip().splitlines()[-3:]
            print(f"      exit code {m.returncode}; stderr: {' | '.join(tail)}")

    of = f", best of {repeat}" if repeat > 1 else ""
    a = best([parse_step("libcst", list_file) for _ in range(repeat)], same_output=False)
    show("a", a, f"   [libcst.parse_module{', %d failed' % a.extra['failed'] if a.extra['failed'] else ''}{of}]")
    b = best([parse_step("ast", list_file) for _ in range(repeat)], same_output=False)
    show("b", b, f"   [ast.parse{', %d failed' % b.extra['failed'] if b.extra['failed'] else ''}{of}]")
    startup = measure([sys.executable, "-m", "tfscope_lint", "--version"])
    r["startup"] = startup.seconds
    r["capacity_before"] = parallel_capacity()
    c = best([cli(tree, "--jobs", "1", "--no-cache") for _ in range(repeat)])
    show("c", c, f"   [check --jobs 1 --no-cache{of}]")
    d_runs = []
    for _ in range(repeat):  # each cold run gets an empty cache directory; e reuses the last one
        cache_dir = Path(tempfile.mkdtemp(prefix="cache_", dir=work))
        d_runs.append(cli(tree, "--jobs", str(jobs), "--cache-dir", str(cache_dir)))
    d = best(d_runs)
    show("d", d, f"   [check --jobs {jobs or os.cpu_count()} --cache-dir EMPTY{of}]")
    r["capacity_after"] = parallel_capacity()
    r["d_cores_used"] = d.cpu / d.seconds
    print(f"      (d) kept {d.cpu / d.seconds:.2f} cores busy on average; cores free for this benchmark, "
          f"measured by spinning 2 processes against 1: {r['capacity_before']:.2f} before (c), "
          f"{r['capacity_after']:.2f} after (d)")
    r["findings"] = len(findings_of(c))
    same_cd = c.stdout == d.stdout
    r["identical_cd"] = same_cd
    if not full:
        print(f"      findings: {r['findings']}; c and d identical: {'yes' if same_cd else 'NO'}")
        return r
    e = cli(tree, "--jobs", str(jobs), "--cache-dir", str(cache_dir))
    show("e", e, "   [same cache dir, nothing changed]")
    # (f): one file changed
    deps = cache_dependents(cache_dir)
    changed = str(tree / change) if change else pick_file_to_change(deps)
    f = None
    if changed is not None:
        expected = sorted(entry for entry, files_read in deps.items() if changed in files_read)
        before = cache_snapshot(cache_dir)
        with open(changed, "a", encoding="utf-8") as handle:
            handle.write("\n_BENCHMARK_EDIT = 1  # appended by benchmarks/run.py\n")
        f = cli(tree, "--jobs", str(jobs), "--cache-dir", str(cache_dir))
        after = cache_snapshot(cache_dir)
        rewritten = sorted(p for p, key in after.items() if before.get(p) != key)
        show("f", f, f"   [{os.path.relpath(changed, tree)} changed]")
        only = set(rewritten) == set(expected)
        print(f"      re-checked {len(rewritten)} of {len(deps)} units; the changed file and its dependents: "
              f"{len(expected)} ({'exactly those' if only else 'NOT the same set'})")
        r["f"].update({"changed": os.path.relpath(changed, tree), "rechecked": len(rewritten),
                       "dependents": len(expected), "units": len(deps), "only_dependents": only})
    # findings
    fc, fd, fe = findings_of(c), findings_of(d), findings_of(e)
    same = c.stdout == d.stdout == e.stdout
    r["identical_cde"] = same
    print(f"      findings: {len(fc)} ({', '.join(f'{k} {v}' for k, v in sorted(_codes(fc).items())) or 'none'})")
    print(f"      findings identical, c = d = e (JSON, byte for byte): {'yes' if same else 'NO'}"
          + ("" if same else f"  (c {len(fc)}, d {len(fd)}, e {len(fe)}; parsed equal: {fc == fd == fe})"))
    if f is not None:
        same_f = f.stdout == c.stdout
        r["identical_f"] = same_f
        print(f"      findings after the edit (an appended assignment) identical to c: {'yes' if same_f else 'NO'}")
    print(f"      interpreter start-up and imports (python -m tfscope_lint --version): {startup.seconds:.2f} s")
    return r


def _codes(findings: list) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for item in findings:
        code = item.get("code", "?")
        out[code] = out.get(code, 0) + 1
    return out


def report_targets(verdicts: List[Tuple[str, Optional[bool], str]], json_path: Optional[str], data: dict,
                   width: int) -> None:
    """Print each target as met, NOT MET or n/a; with --json, write the figures and the verdicts too."""
    print("\n== targets")
    for name, ok, detail in verdicts:
        print(f"  {'n/a    ' if ok is None else 'met    ' if ok else 'NOT MET'}  {name:{width}s} {detail}")
    if json_path:
        Path(json_path).write_text(json.dumps({**data, "targets": [
            {"target": n, "met": ok, "detail": d} for n, ok, d in verdicts]}, indent=2) + "\n")


def summary(big: dict, small: Optional[dict]) -> List[Tuple[str, Optional[bool], str]]:
    a, c, d, e = (big[k]["seconds"] for k in ("a", "c", "d", "e"))
    print(f"\n== ratios ({big['label']}, {big['lines']:,} lines, {big['files']} files)")
    print(f"  c/a = {c / a:5.2f}   cold, one job / libcst.parse_module        (target <= {TARGETS['c/a']})")
    print(f"  d/a = {d / a:5.2f}   cold, all cores / libcst.parse_module")
    print(f"  e/a = {e / a:5.2f}   warm / libcst.parse_module")
    print(f"  e/c = {e / c:5.3f}   warm / cold                                (target <= {TARGETS['e/c']})")
    print(f"  c/d = {c / d:5.2f}   speed-up of all cores ({os.cpu_count()}) over one job     "
          f"(target >= {TARGETS['c/d']})")
    print(f"        (cores free for this benchmark, by a spin test: {big['capacity_before']:.2f} before c, "
          f"{big['capacity_after']:.2f} after d; (d) kept {big['d_cores_used']:.2f} busy)")
    print(f"  c/b = {c / big['b']['seconds']:5.1f}   cold, one job / ast.parse")
    ca_cpu = big["c"]["cpu"] / big["a"]["cpu"]
    print(f"  c/a by CPU time = {ca_cpu:.2f} (user + system seconds: less sensitive to other load than wall time)")
    peak = max(big[k]["tree_pss_mb"] for k in ("c", "d"))
    largest = max(big[k]["maxrss_mb"] for k in ("c", "d"))
    print(f"  peak memory of check (c, d): whole tree {peak:.0f} MB PSS, largest process {largest:.0f} MB "
          f"(target < {TARGETS['memory_mb']:.0f} MB at 250,000 lines)")
    verdicts = [
        ("c/a <= 1.5", c / a <= TARGETS["c/a"], f"c/a = {c / a:.2f}"),
        ("c/d >= 1.6", c / d >= TARGETS["c/d"], f"c/d = {c / d:.2f}"),
        ("e/c <= 0.1", e / c <= TARGETS["e/c"], f"e/c = {e / c:.3f}"),
    ]
    judged = big["lines"] >= 200_000  # the target speaks of a 250,000-line tree
    verdicts.append(("peak < 400 MB at 250k lines", (peak < TARGETS["memory_mb"]) if judged else None,
                     f"{peak:.0f} MB PSS (largest process {largest:.0f} MB) at {big['lines']:,} lines"
                     + ("" if judged else ": a smaller tree, not judged")))
    if small is not None:
        synthetic = big["label"].startswith("synthetic")
        print(f"\n== linearity: time per 1,000 lines at {small['lines']:,} and {big['lines']:,} lines "
              f"({big['lines'] / small['lines']:.1f}x); wall (CPU)")
        growth: Dict[str, float] = {}
        for step, what in (("a", "libcst.parse_module"), ("b", "ast.parse"), ("c", "check, one job"),
                           ("d", "check, all cores")):
            per = [(1e6 * r[step]["seconds"] / r["lines"], 1e6 * r[step]["cpu"] / r["lines"]) for r in (small, big)]
            growth[step] = per[1][1] / per[0][1]
            print(f"  ({step}) {per[0][0]:6.1f} ({per[0][1]:6.1f}) ms -> {per[1][0]:6.1f} ({per[1][1]:6.1f}) ms "
                  f"per 1k lines   x{per[1][0] / per[0][0]:.2f} wall, x{growth[step]:.2f} CPU   {what}")
        rel = {k: (big[k]["cpu"] / big["a"]["cpu"]) / (small[k]["cpu"] / small["a"]["cpu"]) for k in ("c", "d")}
        print(f"  c/a by CPU time: {small['c']['cpu'] / small['a']['cpu']:.2f} -> "
              f"{big['c']['cpu'] / big['a']['cpu']:.2f}   d/a: {small['d']['cpu'] / small['a']['cpu']:.2f} -> "
              f"{big['d']['cpu'] / big['a']['cpu']:.2f}")
        if synthetic:  # the same generator at both sizes: the raw per-line CPU time must stay flat
            worst = max(growth["c"], growth["d"])
            wall = max((big[k]["seconds"] / big["lines"]) / (small[k]["seconds"] / small["lines"]) for k in "cd")
            verdicts.append(("linear (CPU per 1k lines of c, d grows <= 1.25x at 4x)", worst <= TARGETS["linearity"],
                             f"worst x{worst:.2f} (wall x{wall:.2f})"))
        else:  # a sample of real code mixes other code: judge the tool against the parser on the same files
            worst = max(rel.values())
            verdicts.append(("linear (c/a, d/a by CPU grow <= 1.25x at 4x)", worst <= TARGETS["linearity"],
                             f"worst x{worst:.2f}; the sample's ast.parse per line differs x{growth['b']:.2f}"))
    same = big.get("identical_cde", False)
    verdicts.append(("findings identical c = d = e", same, "byte for byte" if same else "they differ"))
    if "only_dependents" in big.get("f", {}):
        ff = big["f"]
        verdicts.append(("one file changed: only it and its dependents re-checked", ff["only_dependents"],
                         f"{ff['rechecked']} of {ff['units']} units re-checked, {ff['f_over_c']:.2f} of cold"
                         if "f_over_c" in ff else f"{ff['rechecked']} of {ff['units']} units"))
    return verdicts


# ------------------------------------------------------------------------------------------ profile
def profile(tree: Path, top: int, work: Path, dump: Optional[str]) -> None:
    """cProfile of the in-process analysis, one job, no cache: where the cold time goes."""
    import cProfile
    import pstats

    from tfscope_lint.analysis import engine

    sources = read_all(python_files(tree))
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    engine.analyze(sources, jobs=1)
    profiler.disable()
    wall = time.perf_counter() - start
    if dump:
        profiler.dump_stats(dump)
    stats = pstats.Stats(profiler)
    raw = stats.stats  # type: ignore[attr-defined]
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"\n== profile: tfscope_lint.analysis.engine.analyze(sources, jobs=1), {len(sources)} files: "
          f"{wall:.1f} s under cProfile (its overhead inflates Python-heavy code most)")
    by_area: Dict[str, float] = {}
    for (filename, _, func), (_, _, tt, _, _) in raw.items():
        by_area[_area(filename, func)] = by_area.get(_area(filename, func), 0.0) + tt
    print("  own time by area:")
    for area, tt in sorted(by_area.items(), key=lambda kv: -kv[1])[:12]:
        print(f"    {tt:7.2f} s {100 * tt / total:5.1f}%  {area}")

    def name(key: tuple) -> str:
        filename, line, func = key
        if filename == "~":
            return func
        if "tfscope_lint/" in filename:
            filename = "tfscope_lint/" + filename.split("tfscope_lint/", 1)[1]
        else:
            filename = re.sub(r".*/lib/python3\.\d+/(site-packages/)?", "", filename)
        return f"{filename}:{line}({func})"

    def caller(key: tuple) -> str:
        """The heaviest caller, and its own up to the first tfscope_lint function (who asked for it)."""
        chain = []
        for _ in range(4):
            callers = raw.get(key, (0, 0, 0, 0, {}))[4]
            if not callers:
                break
            key = max(callers.items(), key=lambda kv: kv[1][3])[0]
            chain.append(name(key))
            if "tfscope_lint/" in key[0]:
                break
            if key[0].startswith("<"):  # every dataclass's generated __init__ is one key: callers mixed
                chain[-1] += " (generated __init__ of every dataclass; its callers are mixed)"
                break
        return "".join(f"  <- {link}" for link in chain)

    wrappers = ("engine.py", "_guarded", "<lambda>", "<listcomp>", "exec_block", "exec_stmt", "exec_small",
                "exec_suite", "eval", "expr_Call", "call_value", "call_function", "stmt_With", "stmt_If")
    print(f"  top {top} by cumulative time (time spent in the call and below; the interpreter's dispatch "
          "frames left out):")
    rows = sorted(raw.items(), key=lambda kv: -kv[1][3])
    shown = 0
    for key, (cc, nc, tt, ct, _) in rows:
        if shown >= top:
            break
        if key[0] == "~" and "method" not in key[2] or any(w in name(key) for w in wrappers):
            continue
        print(f"    {ct:7.2f} s {100 * ct / total:5.1f}%  {nc:9d} calls  {name(key)}{caller(key)}")
        shown += 1
    print(f"  top {top} by own time:")
    for key, (cc, nc, tt, ct, _) in sorted(raw.items(), key=lambda kv: -kv[1][2])[:top]:
        print(f"    {tt:7.2f} s {100 * tt / total:5.1f}%  {nc:9d} calls  {name(key)}{caller(key)}")
    # memory: what holding every tree at once costs, for comparison with the peak of (c)
    list_file = work / "profile.files"
    list_file.write_text("\n".join(sources) + "\n")
    held = {kind: parse_step(kind, list_file).extra["held_kb"] for kind in ("libcst-hold", "ast-hold")}
    print(f"  memory, every file's tree held at once ({len(sources)} files): libcst {mb(held['libcst-hold']):.0f} MB, "
          f"ast {mb(held['ast-hold']):.0f} MB")


def _area(filename: str, func: str) -> str:
    if filename == "~":
        if "parse_module" in func or "libcst_native" in func:
            return "libcst native parser (parse_module)"
        return f"builtins: {func}"
    for marker in ("tfscope_lint/", "libcst/", "site-packages/", "lib/python"):
        if marker in filename:
            rest = filename.split(marker, 1)[1]
            if marker == "libcst/":
                return "libcst/" + rest.split("/")[0]
            if marker == "tfscope_lint/":
                return "tfscope_lint/" + rest
            if marker == "lib/python":
                return "stdlib: " + rest.split("/", 1)[-1]
            return rest.split("/")[0]
    return filename


def _version(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:  # noqa: BLE001
        return "?"


def checkout() -> str:
    """The commit measured, and whether tfscope_lint/ differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "tfscope_lint"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
        return f"commit {head}" + (", tfscope_lint/ modified" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"


# ------------------------------------------------------------------------------------------ main
def byte_compile_package() -> str:
    """Write the package's .pyc files before timing, as `pip install` does for an installed tool: run from a
    checkout under PYTHONDONTWRITEBYTECODE=1 every measured process compiles the package anew (about 0.1 s
    per run on this machine, 10% of a small code base's cold check)."""
    import compileall

    ok = compileall.compile_dir(str(REPO / "tfscope_lint"), quiet=1)
    setting = " (PYTHONDONTWRITEBYTECODE is set here)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""
    return f"tfscope_lint byte-compiled before timing, as an installed tool is{setting}" + ("" if ok else ": FAILED")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Times tfscope-lint against libcst.parse_module.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("path", nargs="?", help="a directory of Python code [default: a synthetic TF1 tree]")
    parser.add_argument("--lines", type=int, default=250_000, help="size of the synthetic tree [250000]")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic tree [0]")
    parser.add_argument("--jobs", type=int, default=0, help="--jobs for d, e, f [0: all cores]")
    parser.add_argument("--no-scaling", action="store_true", help="skip the second size (1/4 of the lines)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run a, b, c, d N times and keep the fastest (a busy machine) [1]")
    parser.add_argument("--change", metavar="RELPATH", help="the file to edit for (f) [a module others import]")
    parser.add_argument("--profile", action="store_true", help="also cProfile the analysis in process, one job")
    parser.add_argument("--top", type=int, default=25, help="functions to list in the profile [25]")
    parser.add_argument("--profile-out", metavar="FILE", help="also save the raw profile (pstats, snakeviz)")
    parser.add_argument("--work-dir", help="where to put the trees and caches [a new temp dir, removed after]")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--real", action="store_true",
                        help="measure the pinned real TF1 code bases of benchmarks/real_code.py instead")
    parser.add_argument("--only", action="append", metavar="NAME", help="with --real: only these code bases")
    parser.add_argument("--worst", type=int, default=10, help="with --real: entries to list by steps [10]")
    parser.add_argument("--download-dir", default=str(Path.home() / ".cache" / "tfscope-bench"),
                        help="with --real: where the downloaded code bases are kept [~/.cache/tfscope-bench]")
    parser.add_argument("--parse-worker", nargs=2, metavar=("KIND", "LIST"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.parse_worker:
        parse_worker(*args.parse_worker)
        return 0

    from tfscope_lint import __version__

    work = Path(args.work_dir or tempfile.mkdtemp(prefix="tfscope_bench_")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    print(f"tfscope-lint {__version__} ({checkout()}), libcst {_version('libcst')}, Python "
          f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, load average "
          f"{load[0]:.2f} at start; this process {mb(_memory_of(os.getpid())[1]):.0f} MB RSS")
    print(byte_compile_package())
    if args.real:
        from real_code import run_real

        try:
            return run_real(args, work)
        finally:
            if not args.work_dir:
                shutil.rmtree(work, ignore_errors=True)
    try:
        trees: List[Tuple[Path, str]] = []
        if args.path is None:
            from synthetic import generate

            big_tree, small_tree = work / "synthetic", work / "synthetic_quarter"
            stats = generate(big_tree, args.lines, args.seed)
            print(f"synthetic tree (seed {args.seed}): {stats['files']} files, {stats['lines']:,} lines, "
                  f"{stats['packages']} packages; injected bugs: "
                  + ", ".join(f"{v} {k}" for k, v in stats["injected_bugs"].items()))  # type: ignore[union-attr]
            trees.append((big_tree, f"synthetic {args.lines:,}"))
            if not args.no_scaling:
                stats = generate(small_tree, args.lines // 4, args.seed)
                trees.append((small_tree, f"synthetic {args.lines // 4:,}"))
        else:
            src = Path(args.path).resolve()
            if not src.is_dir():
                parser.error(f"{args.path}: not a directory")
            big_tree = work / src.name
            shutil.copytree(src, big_tree, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".git"))
            trees.append((big_tree, src.name))
            if not args.no_scaling:
                files = python_files(big_tree)
                lines = {str(p): count_lines(t) for p, t in read_all(files).items()}
                small_tree = work / "quarter" / src.name
                make_subset(big_tree, files, lines, small_tree, 0.25)
                trees.append((small_tree, f"{src.name}, a quarter of its files"))
        big = run_size(trees[0][0], trees[0][1], args.jobs, work, True, args.change, args.repeat)
        if "f" in big and "seconds" in big["f"]:
            big["f"]["f_over_c"] = big["f"]["seconds"] / big["c"]["seconds"]
        small = run_size(trees[1][0], trees[1][1], args.jobs, work, False, None, args.repeat) \
            if len(trees) > 1 else None
        report_targets(summary(big, small), args.json, {"big": big, "small": small}, 58)
        if args.profile:
            profile(trees[0][0], args.top, work, args.profile_out)
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
