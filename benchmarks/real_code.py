"""`benchmarks/run.py --real`: tfscope-lint on real TF1 code bases, pinned by version.

Each code base is a PyPI release whose source is TF1 graph code, fetched once with pip (an sdist
where PyPI has one, else the pure-Python wheel) into --download-dir (~/.cache/tfscope-bench) and
unpacked there; the benchmark reads the unpacked tree in place and never edits it. Per code base, in
one run:

    (a) libcst.parse_module over every file (the floor), one process
    (c) check --jobs 1 --no-cache, with the interpreter's steps per entry logged (TFSCOPE_STEPS_LOG)
    (d) check --jobs N (all cores) on an empty --cache-dir
    (e) (d) again on the same cache directory, nothing changed (warm)

(with --repeat N: a, c and d in turns, N rounds, the fastest of each kept; e after the last d) and prints
the ratios, the worst entries by steps, the entries cut short by the step budget, peak
memory, and whether the findings of c, d and e are identical. Steps are counted by the
interpreter (one per statement run), so they do not depend on the machine's load as times do.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import List, Optional, Tuple

from run import Measured, best, cli, count_lines, findings_of, mb, parse_step, python_files, read_all, report_targets

# name, version: releases whose code builds TF1 graphs (variable scopes, get_variable, layers, slim).
CODE_BASES: List[Tuple[str, str]] = [
    ("tf-slim", "1.1.0"),
    ("tensor2tensor", "1.15.7"),
    ("tensorpack", "0.9.8"),
    ("tflearn", "0.3.2"),
    ("stable-baselines", "2.10.2"),
    ("baselines", "0.1.5"),
    ("dm-sonnet", "1.36"),
    ("tensorlayer", "1.11.1"),
    ("dopamine-rl", "2.0.5"),
    ("trfl", "1.1.0"),
]

TARGETS = {"total c/a": 1.5, "worst c/a": 3.0, "c/d": 1.6, "e/c": 0.10, "memory_mb": 400.0}
STEPS_LOG = "TFSCOPE_STEPS_LOG"


# ------------------------------------------------------------------------------------------ fetching
def _pip_download(spec: str, dest: Path, binary: bool) -> Optional[Path]:
    before = set(dest.iterdir())
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest), spec]
    if binary:  # a pure-Python wheel, whatever Python runs the benchmark
        cmd += ["--only-binary", ":all:", "--python-version", "3.7", "--implementation", "py", "--abi", "none",
                "--platform", "any"]
    else:
        cmd += ["--no-binary", ":all:"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    new = sorted(set(dest.iterdir()) - before)
    return new[0] if done.returncode == 0 and new else None


def fetch(name: str, version: str, root: Path) -> Path:
    """The unpacked source of name==version, downloaded once (sdist first, else the wheel)."""
    target = root / "src" / f"{name}-{version}"
    if (target / ".complete").exists():
        return target
    downloads = root / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    stem = name.replace("-", "_").lower()
    archive = next((p for p in downloads.iterdir()
                    if p.name.lower().replace("-", "_").startswith(f"{stem}_{version}")), None)
    if archive is None:
        archive = _pip_download(f"{name}=={version}", downloads, binary=False) \
            or _pip_download(f"{name}=={version}", downloads, binary=True)
    if archive is None:
        raise SystemExit(f"pip could not download {name}=={version} (no network to PyPI?)")
    target.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith(".whl") or archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(target)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(target, filter="data") if hasattr(tarfile, "data_filter") else tf.extractall(target)
    (target / ".complete").write_text(archive.name + "\n")
    return target


# ------------------------------------------------------------------------------------------ steps
def read_steps(log: Path) -> List[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def budget_hits(steps: List[dict]) -> int:
    return sum(1 for s in steps if s.get("budget") == "step budget")


# ------------------------------------------------------------------------------------------ one code base
def run_one(name: str, version: str, tree: Path, work: Path, jobs: int, worst: int, repeat: int = 1) -> dict:
    files = python_files(tree)
    lines = sum(count_lines(t) for t in read_all(files).values())
    label = f"{name}=={version}"
    list_file = work / f"{name}.files"
    list_file.write_text("\n".join(str(p) for p in files) + "\n")
    r: dict = {"code_base": label, "files": len(files), "lines": lines}
    print(f"\n== {label}: {len(files)} files, {lines:,} lines ({tree})", flush=True)

    def keep(step: str, m: Measured) -> None:
        r[step] = {"seconds": m.seconds, "cpu": m.cpu, "tree_pss_mb": mb(m.tree_pss_kb), "maxrss_mb": mb(m.maxrss_kb)}
        print(f"  ({step:2s}) {m.seconds:7.2f} s (cpu {m.cpu:6.1f} s)  whole tree {mb(m.tree_pss_kb):5.0f} MB PSS",
              flush=True)
        if step != "a" and m.returncode != 0:
            tail = m.stderr.decode(errors="replace").strip().splitlines()[-3:]
            print(f"       exit code {m.returncode}: {' | '.join(tail)}")

    # With --repeat N, a, c and d run in turns, N rounds, and the fastest of each is kept: a slow spell of
    # this shared machine then slows both sides of a ratio, not one of them.
    log = work / f"{name}.steps"
    rounds: List[Tuple[Measured, Measured, Measured]] = []
    with tempfile.TemporaryDirectory(prefix="cache_", dir=work) as cache_dir:
        for _ in range(max(1, repeat)):
            log.unlink(missing_ok=True)
            shutil.rmtree(cache_dir, ignore_errors=True)  # each cold run gets an empty cache directory
            os.makedirs(cache_dir, exist_ok=True)
            rounds.append((parse_step("libcst", list_file),
                           cli(tree, "--jobs", "1", "--no-cache", env={STEPS_LOG: str(log)}),
                           cli(tree, "--jobs", str(jobs), "--cache-dir", cache_dir)))
        e = cli(tree, "--jobs", str(jobs), "--cache-dir", cache_dir)  # warm: the last d's cache, nothing changed
    a, c, d = (best([one[k] for one in rounds], same_output=k > 0) for k in range(3))
    keep("a", a)
    keep("c", c)
    steps = read_steps(log)
    r["steps"] = sum(s["steps"] for s in steps)
    r["entries"] = len(steps)
    r["budget_hits"] = budget_hits(steps)
    r["worst"] = sorted(((s["steps"], os.path.relpath(s["entry"], tree), s.get("budget")) for s in steps),
                        reverse=True)[:worst]
    keep("d", d)
    keep("e", e)
    r["rounds"] = len(rounds)
    r["identical_cde"] = all(m.stdout == c.stdout for one in rounds for m in one[1:]) and e.stdout == c.stdout
    r["findings"] = len(findings_of(c))
    r["peak_mb"] = max(r[k]["tree_pss_mb"] for k in ("c", "d"))
    print(f"  c/a {c.seconds / a.seconds:5.2f}   c/d {c.seconds / d.seconds:4.2f}   e/c {e.seconds / c.seconds:5.3f}   "
          f"findings {r['findings']}, c = d = e: {'yes' if r['identical_cde'] else 'NO'}")
    print(f"  {r['entries']} entries, {r['steps']:,} steps; step budget hit by {r['budget_hits']}")
    print(f"  worst {worst} entries by steps:")
    for n, rel, hit in r["worst"]:
        print(f"    {n:9,d}  {rel}{'   [STEP BUDGET]' if hit == 'step budget' else ''}")
    return r


# ------------------------------------------------------------------------------------------ the set
def run_real(args, work: Path) -> int:  # type: ignore[no-untyped-def]
    root = Path(args.download_dir).expanduser()
    chosen = [(n, v) for n, v in CODE_BASES if not args.only or n in args.only]
    jobs = args.jobs or os.cpu_count() or 1
    trees = [(n, v, fetch(n, v, root)) for n, v in chosen]
    rows = [run_one(n, v, tree, work, jobs, args.worst, args.repeat) for n, v, tree in trees]
    total = {k: sum(r[k]["seconds"] for r in rows) for k in ("a", "c", "d", "e")}
    lines = sum(r["lines"] for r in rows)
    print(f"\n== the real code bases: {len(rows)}, {sum(r['files'] for r in rows)} files, {lines:,} lines")
    head = (f"  {'code base':24s} {'lines':>7s} {'a s':>6s} {'c s':>7s} {'c/a':>5s} {'cpu':>5s} {'d s':>6s} {'c/d':>4s} "
            f"{'e/c':>5s} {'entries':>7s} {'steps':>10s} {'worst':>8s} {'budget':>6s} {'MB':>4s}")
    print(head)
    for r in rows:
        row = (f"  {r['code_base']:24s} {r['lines']:7,d} {r['a']['seconds']:6.2f} {r['c']['seconds']:7.2f} "
               f"{r['c']['seconds'] / r['a']['seconds']:5.2f} {r['c']['cpu'] / r['a']['cpu']:5.2f} {r['d']['seconds']:6.2f} "
               f"{r['c']['seconds'] / r['d']['seconds']:4.2f} {r['e']['seconds'] / r['c']['seconds']:5.3f} "
               f"{r['entries']:7d} {r['steps']:10,d} {(r['worst'][0][0] if r['worst'] else 0):8,d} "
               f"{r['budget_hits']:6d} {r['peak_mb']:4.0f}")
        print(row)
    worst_ca = max(rows, key=lambda r: r["c"]["seconds"] / r["a"]["seconds"])
    peak = max(r["peak_mb"] for r in rows)
    hits = sum(r["budget_hits"] for r in rows)
    same = all(r["identical_cde"] for r in rows)
    cpu = {k: sum(r[k]["cpu"] for r in rows) for k in ("a", "c")}
    print(f"  {'all':24s} {lines:7,d} {total['a']:6.2f} {total['c']:7.2f} {total['c'] / total['a']:5.2f} "
          f"{cpu['c'] / cpu['a']:5.2f} "
          f"{total['d']:6.2f} {total['c'] / total['d']:4.2f} {total['e'] / total['c']:5.3f} "
          f"{sum(r['entries'] for r in rows):7d} {sum(r['steps'] for r in rows):10,d} {'':8s} {hits:6d} {peak:4.0f}")
    verdicts = [
        ("whole set, cold one job <= 1.5x parse", total["c"] / total["a"] <= TARGETS["total c/a"],
         f"c/a = {total['c'] / total['a']:.2f}"),
        ("no code base above 3x parse", worst_ca["c"]["seconds"] / worst_ca["a"]["seconds"] <= TARGETS["worst c/a"],
         f"worst {worst_ca['code_base']} {worst_ca['c']['seconds'] / worst_ca['a']['seconds']:.2f}"),
        ("no entry hits the step budget", hits == 0, f"{hits} entries"),
        ("two jobs >= 1.6x faster than one", total["c"] / total["d"] >= TARGETS["c/d"],
         f"c/d = {total['c'] / total['d']:.2f}"),
        ("warm <= 0.1x cold", total["e"] / total["c"] <= TARGETS["e/c"], f"e/c = {total['e'] / total['c']:.3f}"),
        ("peak memory < 400 MB", peak < TARGETS["memory_mb"], f"{peak:.0f} MB PSS"),
        ("findings identical (c = d = e)", same,
         "yes" if same else "they differ"),
    ]
    print("  (c/a by wall time, then by CPU time: user + system seconds, which other load on a shared machine "
          "disturbs less)")
    report_targets(verdicts, args.json, {"code_bases": rows, "total": total}, 44)
    return 0
