"""The pre-commit hook's time on a project of ~10,000 lines, after one edit (a benchmark, not a test).

    python benchmarks/hook.py [--lines 10000] [--keep DIR]

It writes the synthetic tree (benchmarks/synthetic.py) into a fresh git repository, then times what
the hook runs (`tfscope-lint check --force-exclude FILES`, from the repository's top, with the
default cache) in four situations: (a) the first commit's check of one builder module, with an
empty cache; (b) the same file again, nothing changed; (c) after one edit to that module (a
comment line added); (d) for comparison, `check .` after another edit, the whole project cached
before it; and the start-up time of the command. It prints the seconds of each and how many entry scripts the edited file reaches.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
REPO = Path(__file__).resolve().parent.parent

from synthetic import generate  # noqa: E402


def timed(cmd: List[str], cwd: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--keep", help="write the tree here (emptied first) and keep it")
    args = parser.parse_args(argv)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tfscope-hook-"))
    stats = generate(root, args.lines, seed=0)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    builder = sorted(p for p in root.rglob("ops/*.py") if p.name != "__init__.py")[0]
    relative = builder.relative_to(root).as_posix()
    hook = [sys.executable, "-m", "tfscope_lint", "check", "--force-exclude", "-q", "--exit-zero"]

    def edit(note: str) -> None:
        with builder.open("a", encoding="utf-8") as handle:
            handle.write(f"\n# {note}\n")

    cold = timed(hook + [relative], root)
    unchanged = timed(hook + [relative], root)
    edit("one edit")
    after_edit = timed(hook + [relative], root)
    timed(hook + ["."], root)  # the whole project cached, as after a CI run or a first `check .`
    edit("another edit")
    whole = timed(hook + ["."], root)
    startup = timed([sys.executable, "-m", "tfscope_lint", "--version"], root)

    sys.path.insert(0, str(REPO))
    from tfscope_lint.analysis.project import Project
    from tfscope_lint.files import discover, read_source

    os.chdir(root)
    files, _ = discover(["."])
    project = Project({str(p): read_source(p) for p in files})
    reaching = [e for e in project.entry_paths() if relative in project.reachable(e)]
    print(f"{stats['files']} files, {stats['lines']} lines; edited {relative}, which {len(reaching)} of "
          f"{len(project.entry_paths())} entry scripts reach")
    print(f"(a) hook, empty cache: {cold:.2f} s   (b) unchanged: {unchanged:.2f} s   "
          f"(c) after one edit: {after_edit:.2f} s   (d) check . after one edit: {whole:.2f} s   "
          f"(start-up, --version: {startup:.2f} s)")
    if not args.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
