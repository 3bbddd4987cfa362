"""Time and memory of `check` on inputs too big or too deep for the default test run: python fuzz/stress.py

Each input runs in a process of its own (so a crash is a result, not the end of the run); the table
gives the wall time, the peak memory (RSS) and the exit code, and the first line of the output.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List

REPO = Path(__file__).resolve().parent.parent
H = "import tensorflow as tf\n"
TAIL = "w = tf.get_variable('w', [3])\nw = tf.get_variable('w', [3])\n"


def table(megabytes: float) -> str:
    row = "    [" + ", ".join(f"{i / 7:.6f}" for i in range(12)) + "],\n"
    return H + "TABLE = [\n" + row * int(megabytes * 1_000_000 / len(row)) + "]\n" + TAIL


def statements(megabytes: float) -> str:
    line = "CONST_{0} = {0} * 2 + 1  # a generated constant\n"
    count = int(megabytes * 1_000_000 / len(line.format(100000)))
    return H + "".join(line.format(i) for i in range(count)) + TAIL


INPUTS: Dict[str, Callable[[], str]] = {
    "10 MB data table, no TF (skipped by the prefilter)": lambda: table(10)[len(H):-len(TAIL)],
    "1 MB data table with TF": lambda: table(1),
    "10 MB data table with TF": lambda: table(10),
    "10 MB of statements with TF": lambda: statements(10),
    "20,000 chained `and`": lambda: H + "x = " + " and ".join(["y"] * 20000) + "\n" + TAIL,
    "5,000 chained `+`": lambda: H + "x = " + " + ".join(["1"] * 5000) + "\n" + TAIL,
    "5,000 nested `not`": lambda: H + "x = " + "not " * 5000 + "1\n" + TAIL,
    "5,000 nested parentheses": lambda: H + "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n" + TAIL,
}


def measure(name: str, source: str, folder: Path) -> List[str]:
    path = folder / "stress.py"
    path.write_text(source, encoding="utf-8")
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "tfscope_lint", "check", "--no-cache", "-q", str(path)],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    first = (output.strip().splitlines() or [""])[0].replace(str(path), "stress.py")[:90]
    return [name, f"{len(source) / 1e6:.1f} MB", f"{elapsed:.1f} s", f"{usage.ru_maxrss / 1024:.0f} MB", str(code), first]


def main() -> int:
    rows = [["input", "size", "time", "peak RSS", "exit", "first line of output"]]
    with tempfile.TemporaryDirectory(prefix="tfscope-stress-") as tmp:
        for name, make in INPUTS.items():
            rows.append(measure(name, make(), Path(tmp)))
            print(" | ".join(rows[-1]), flush=True)
    print()
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for row in rows[1:]:
        print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
