"""The long fuzz run (not part of the default test run): python fuzz/run.py [--quick] [--update-readme]

Runs the properties of tests/test_fuzz.py on many more generated programs: TF-shaped projects from
the grammar in programs.py, fixtures with one name changed, hypothesmith's random valid Python,
mutated fixtures and arbitrary bytes.
Every program goes through the real CLI twice with --jobs 1, and projects of several files once
more with --jobs 2; the outputs must be identical, without exception, traceback or internal error,
and with every finding inside its file. When TensorFlow is installed, every TF-shaped program and
renamed fixture also runs under it (fuzz/oracle.py): an error reported on a line TF ran although TF builds the graph is
a failure (a false error); errors TF raises and the linter misses are saved for reading. Failures are not shrunk here: each is saved under
fuzz/failures/ (reproduce with `python -m tfscope_lint check fuzz/failures/<name>/`).

--update-readme writes the summary between the fuzz-result markers of README.md.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import oracle  # noqa: E402
from programs import (HEADER, check_project, findings_of, mutated_fixtures, python_programs,  # noqa: E402
                      renamed_fixtures, tf_programs)

FAILURES = HERE / "failures"
START, END = "<!-- fuzz-result:start -->", "<!-- fuzz-result:end -->"
SLOW_SECONDS = 10.0
HANG_SECONDS = 120


class Hang(Exception):
    pass


def _alarm(signum, frame):  # type: ignore[no-untyped-def]
    raise Hang()


class Campaign:
    """One kind of program: how many ran, what broke, how long they took, what the linter found."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.programs = 0
        self.failures: List[str] = []
        self.slow: List[tuple] = []
        self.codes: collections.Counter = collections.Counter()
        self.seconds = 0.0
        self.slowest = 0.0
        self.verdicts: collections.Counter = collections.Counter()
        self.disagreements: List[str] = []

    def run_one(self, files: Dict[str, object], jobs_two: bool, runs: int = 2, count_codes: bool = False,
                tf: Optional["oracle.TensorFlow"] = None) -> None:
        self.programs += 1
        started = time.perf_counter()
        signal.alarm(HANG_SECONDS)
        try:
            broken = check_project(files, jobs_two=jobs_two, runs=runs)  # type: ignore[arg-type]
            if (count_codes or tf is not None) and not broken:
                found = findings_of(files)  # type: ignore[arg-type]
                self.codes.update(f["code"] for f in found)
                if tf is not None:
                    verdict, report = oracle.compare(files, found, tf)  # type: ignore[arg-type]
                    self.verdicts[verdict] += 1
                    if verdict == "false-error":  # a lie: TF builds the graph
                        broken = [f"false error: TF builds the graph, yet {[(f['code'], f['line']) for f in found]}"]
                    elif verdict in ("missed", "misplaced") and len(self.disagreements) < 200:
                        report.pop("ran", None)
                        self.disagreements.append(_save(f"{verdict}-{self.name}-{self.programs}", files, [
                            json.dumps(report), json.dumps([(f["code"], f["path"].rsplit("/", 1)[-1], f["line"],
                                                             f["message"]) for f in found], indent=1)]))
        except Hang:
            broken = [f"no answer within {HANG_SECONDS}s"]
        finally:
            signal.alarm(0)
        elapsed = time.perf_counter() - started
        self.seconds += elapsed
        self.slowest = max(self.slowest, elapsed)
        if elapsed > SLOW_SECONDS:
            self.slow.append((elapsed, _save(f"slow-{self.name}-{self.programs}", files, [f"{elapsed:.1f}s"])))
        if broken:
            self.failures.append(_save(f"{self.name}-{self.programs}", files, broken))
            print(f"\n[{self.name} #{self.programs}] " + "; ".join(b.splitlines()[0] for b in broken), flush=True)
        if self.programs % 250 == 0:
            print(f"  {self.name}: {self.programs} programs, {len(self.failures)} failures, "
                  f"{self.seconds:.0f}s", flush=True)

    def summary(self) -> str:
        verdicts = f", against TensorFlow: {dict(sorted(self.verdicts.items()))}" if self.verdicts else ""
        return (f"{self.name}: {self.programs} programs, {len(self.failures)} failures, "
                f"slowest {self.slowest:.1f}s, {self.seconds:.0f}s in all{verdicts}")


def _save(name: str, files: Dict[str, object], broken: List[str]) -> str:
    folder = FAILURES / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for filename, content in files.items():
        path = folder / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(str(content), encoding="utf-8")
    (folder / "BROKEN.txt").write_text("\n".join(broken) + "\n", encoding="utf-8")
    return str(folder.relative_to(REPO))


def drive(strategy: "st.SearchStrategy", count: int, body: Callable, seed: Optional[int]) -> None:
    """Run `body` on `count` generated examples (no shrinking: failures are saved as they come)."""
    config = settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))

    @config
    @given(strategy)
    def case(example: object) -> None:
        body(example)

    if seed is not None:
        case = __import__("hypothesis").seed(seed)(case)
    case()


def _verdicts(campaigns: List[Campaign]) -> str:
    counts: collections.Counter = collections.Counter()
    for c in campaigns:
        counts.update(c.verdicts)
    names = {"agree": "agree", "false-error": "false errors", "missed": "errors missed",
             "misplaced": "errors placed elsewhere", "other-error": "other exceptions (generator artefacts)"}
    return ", ".join(f"{counts[key]:,} {label}" for key, label in names.items() if key in counts or key == "false-error")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tf", type=int, default=10_000, help="TF-shaped projects from the grammar")
    parser.add_argument("--mutations", type=int, default=2_000, help="fixtures with random edits")
    parser.add_argument("--renamed", type=int, default=1_000,
                        help="fixtures with one name changed, judged by TensorFlow when it is installed")
    parser.add_argument("--grammar", type=int, default=1_000, help="hypothesmith.from_grammar programs")
    parser.add_argument("--nodes", type=int, default=200, help="hypothesmith.from_node programs")
    parser.add_argument("--bytes", type=int, default=1_000, help="arbitrary bytes and text")
    parser.add_argument("--quick", action="store_true", help="a tenth of every count")
    parser.add_argument("--seed", type=int, default=None, help="derandomize with this seed")
    parser.add_argument("--update-readme", action="store_true", help="write the result into README.md")
    parser.add_argument("--no-oracle", action="store_true",
                        help="do not run the TF-shaped programs under real TensorFlow even if it is installed")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    signal.signal(signal.SIGALRM, _alarm)
    started = time.time()
    campaigns: List[Campaign] = []

    def campaign(name: str, strategy: "st.SearchStrategy", count: int, run: Callable) -> None:
        if count // scale <= 0:
            return
        this = Campaign(name)
        campaigns.append(this)
        print(f"{name}: {count // scale} programs", flush=True)
        drive(strategy, count // scale, lambda example: run(this, example), args.seed)
        print("  " + this.summary(), flush=True)

    tf = None
    if not args.no_oracle and oracle.available():
        tf = oracle.TensorFlow()
        print("TensorFlow is installed: every TF-shaped program also runs under it (fuzz/oracle.py)")
    else:
        print("TF-shaped programs are not run under TensorFlow (not installed, or --no-oracle)")
    campaign("tf-grammar", tf_programs(), args.tf,
             lambda c, files: c.run_one(files, jobs_two=len(files) > 1, count_codes=True, tf=tf))
    campaign("renamed-fixtures", renamed_fixtures(), args.renamed,
             lambda c, files: c.run_one(files, jobs_two=len(files) > 1, tf=tf))
    if tf is not None:
        tf.close()
    campaign("mutated-fixtures", mutated_fixtures(), args.mutations,
             lambda c, files: c.run_one(files, jobs_two=len(files) > 1))
    import importlib.util
    have_hypothesmith = importlib.util.find_spec("hypothesmith") is not None
    if not have_hypothesmith:
        print("hypothesmith is not installed: its campaigns are skipped")
    if have_hypothesmith:
        campaign("hypothesmith-grammar", python_programs("grammar"), args.grammar,
                 lambda c, files: c.run_one(files, jobs_two=False))
        campaign("hypothesmith-nodes", python_programs("node"), args.nodes,
                 lambda c, files: c.run_one(files, jobs_two=False))
    campaign("bytes", st.tuples(st.binary(max_size=2000), st.text(max_size=1000)), args.bytes,
             lambda c, pair: c.run_one({"noise.py": HEADER.encode() + pair[0],
                                        "text.py": (HEADER + pair[1]).encode("utf-8", "surrogatepass")},
                                       jobs_two=True, runs=1))

    total = sum(c.programs for c in campaigns)
    failures = sum(len(c.failures) for c in campaigns)
    minutes = (time.time() - started) / 60
    codes = collections.Counter()
    for c in campaigns:
        codes.update(c.codes)
    print()
    for c in campaigns:
        print(c.summary())
        for path in c.failures[:10]:
            print(f"    failure saved in {path}")
        for elapsed, path in sorted(c.slow, reverse=True)[:5]:
            print(f"    slow ({elapsed:.1f}s) saved in {path}")
        if c.disagreements:
            print(f"    {len(c.disagreements)} disagreements with TensorFlow (errors missed or misplaced) saved, "
                  f"the first in {c.disagreements[0]}")
    print(f"findings on the TF-shaped programs: {dict(sorted(codes.items()))}")
    line = (f"{datetime.date.today().isoformat()}, `python fuzz/run.py`: **{total:,} generated programs**, "
            f"{failures} failures (exception, traceback, internal error, finding outside its file, "
            f"nondeterminism between two runs or with --jobs 2), in {minutes:.0f} minutes; "
            + "; ".join(f"{c.name} {c.programs:,}" for c in campaigns)
            + f". The TF-shaped programs drew {sum(codes.values()):,} findings over {len(codes)} rules"
            + (f"; with the renamed fixtures they ran under TensorFlow 2.x's compat.v1 as well: "
               f"{_verdicts(campaigns)}." if tf is not None else "."))
    print(line)
    if args.update_readme:
        readme = REPO / "README.md"
        text = readme.read_text(encoding="utf-8")
        if START in text and END in text:
            head, rest = text.split(START, 1)
            _, tail = rest.split(END, 1)
            readme.write_text(f"{head}{START}\n{line}\n{END}{tail}", encoding="utf-8")
            print("README.md updated")
        else:
            print("README.md has no fuzz-result markers: not updated")
    (HERE / "last_run.json").write_text(json.dumps({
        "date": datetime.date.today().isoformat(), "programs": total, "failures": failures,
        "minutes": round(minutes, 1), "campaigns": {c.name: {"programs": c.programs, "failures": c.failures,
                                                             "slowest_seconds": round(c.slowest, 2)}
                                                    for c in campaigns},
        "codes": dict(sorted(codes.items())),
        "against_tensorflow": {c.name: dict(c.verdicts) for c in campaigns if c.verdicts},
    }, indent=2) + "\n", encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
