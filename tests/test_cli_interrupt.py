"""Ctrl-C exits 130, with no traceback and no worker left behind, wherever it lands.

Each moment (the imports of the command line, discovery, the analysis with two worker processes,
the output) is reached for certain, not by a sleep: a probe at that point tells the test it is
there and waits, then the test sends SIGINT, to the process alone or, as a terminal does, to its
whole process group. The runs are forked from a harness that has imported tfscope-lint once, so
30 in a row of each moment take seconds; the imports moment drops the command line's modules
first so that they are imported again, under the probe.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from frontend_helpers import REPO, write

pytestmark = pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "fork"), reason="POSIX signals, fork")

GOOD = "import tensorflow as tf\nw = tf.get_variable('w', [3])\nw = tf.get_variable('w', [3])\n"
REPEAT = 30

HARNESS = r'''
import json, os, signal, sys, time
moment, repeat, project, scratch = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
import tfscope_lint.cli, tfscope_lint.output, tfscope_lint.runner
from tfscope_lint.analysis import engine, units

def child(ready_fd):
    def ready():
        os.write(ready_fd, b"%d\n" % os.getpid())
        time.sleep(60)
    args = ["check", "--no-cache", "--jobs", "2", project]
    if moment == "imports":
        for name in [m for m in sys.modules if m == "click" or m.startswith(("click.", "tfscope_lint.cli",
                                                                              "tfscope_lint.__main__"))]:
            del sys.modules[name]
        class Probe:
            def find_spec(self, name, path=None, target=None):
                if name == "click":
                    ready()
                return None
        sys.meta_path.insert(0, Probe())
    elif moment == "discovery":
        real = tfscope_lint.runner.discover
        tfscope_lint.runner.discover = lambda *a, **k: (ready(), real(*a, **k))[1]
    elif moment == "analysis":
        units.run_entry = lambda project, path: ready()  # in each of the two workers
    elif moment == "output":
        real_format = tfscope_lint.output.FORMATS["concise"]
        def slow(result, ctx):
            real_format(result, ctx)
            ctx.stream.flush()
            ready()
        tfscope_lint.output.FORMATS["concise"] = slow
    sys.argv = ["tfscope-lint", *args]
    from tfscope_lint.__main__ import main
    main()

def gone(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            return any(line.split()[:2] == ["State:", "Z"] for line in status)
    except FileNotFoundError:
        return True
    except OSError:
        return True

report = []
for run in range(repeat):
    read_fd, write_fd = os.pipe()
    log = os.path.join(scratch, f"{moment}-{run}.log")
    pid = os.fork()
    if pid == 0:
        try:
            os.setpgid(0, 0)
            os.close(read_fd)
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            child(write_fd)
        finally:
            os._exit(99)  # main() never returns: it always leaves through os._exit
    os.close(write_fd)
    wanted = 2 if moment == "analysis" else 1
    pids, buffer = [], b""
    deadline = time.monotonic() + 60
    while len(pids) < wanted and time.monotonic() < deadline:
        chunk = os.read(read_fd, 100)
        if not chunk:
            break
        buffer += chunk
        pids = buffer.split()
    to_group = run % 2 == 1
    (os.killpg if to_group else os.kill)(pid, signal.SIGINT)
    sent = time.monotonic()
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done or time.monotonic() - sent > 20:
            break
        time.sleep(0.01)
    if not done:
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    took = time.monotonic() - sent
    os.close(read_fd)
    workers = [int(p) for p in pids if int(p) != pid]
    time.sleep(0.05)
    for _ in range(200):
        if all(gone(w) for w in workers):
            break
        time.sleep(0.05)
    report.append({"run": run, "reached": len(pids) >= wanted, "to_group": to_group,
                   "code": os.waitstatus_to_exitcode(status) if done else None, "seconds": round(took, 2),
                   "workers": len(workers), "workers_left": [w for w in workers if not gone(w)],
                   "output": open(log, errors="replace").read()})
print(json.dumps(report))
'''


def _harness(moment: str, tmp_path: Path, repeat: int = REPEAT) -> list:
    project = tmp_path / "project"
    project.mkdir()
    write(project, "a.py", GOOD)
    write(project, "b.py", GOOD)
    scratch = tmp_path / "logs"
    scratch.mkdir()
    env = dict(os.environ, NO_COLOR="1",
               PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p))
    done = subprocess.run([sys.executable, "-c", HARNESS, moment, str(repeat), str(project), str(scratch)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("moment", ["imports", "discovery", "analysis", "output"])
def test_ctrl_c_exits_130_without_a_traceback_every_time(moment: str, tmp_path: Path) -> None:
    report = _harness(moment, tmp_path)
    assert len(report) == REPEAT
    for run in report:
        assert run["reached"], run
        assert run["code"] == 130, run
        assert "Traceback" not in run["output"] and 'File "' not in run["output"], run
        assert run["output"].rstrip().endswith("Aborted!"), run
        assert run["seconds"] < 5, run
        assert run["workers_left"] == [], run
        if moment == "analysis":
            assert run["workers"] == 2, run
        if moment == "output":
            assert "TFS101" in run["output"], run  # it was interrupted after printing the findings

