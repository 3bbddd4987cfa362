"""The engine's bookkeeping: which files run as scripts, and dropping trees once no unit needs them."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

from tfscope_lint.analysis import engine, units
from tfscope_lint.analysis.project import Project

H = "import tensorflow as tf\n"
BUILDER = H + "\n\ndef critic(scope, reuse=False):\n    with tf.variable_scope(scope, reuse=reuse):\n" \
              "        return tf.get_variable('w', [3])\n"


def project_of(tmp_path: Path, files: Dict[str, str]) -> Project:
    sources = {}
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        sources[str(path)] = text
    return Project(sources)


def test_a_script_reaching_tf_through_project_modules_is_an_entry(tmp_path: Path) -> None:
    project = project_of(tmp_path, {
        "networks.py": BUILDER,
        "agent.py": "from networks import critic\n\n\ndef build():\n    critic('eval')\n    critic('target', reuse=True)\n",
        "main.py": "import os, agent as a\n\na.build()\n",
        "plain.py": "import os\n\nprint(os.sep)\n",
    })
    assert sorted(Path(p).name for p in project.entry_paths()) == ["agent.py", "main.py", "networks.py"]
    findings, _ = engine.analyze(project.sources)
    assert [(Path(f.location.path).name, f.location.line, f.code) for f in findings] == [("networks.py", 6, "TFS104")]


def test_reachable_follows_imports_and_parent_packages(tmp_path: Path) -> None:
    project = project_of(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/ops.py": H,
        "pkg/models/__init__.py": "from . import net\n",
        "pkg/models/net.py": "from ..ops import *\n",
        "pkg/models/head.py": "",
        "main.py": "import json\nfrom pkg.models import (net,  # the trunk\n    head as h)\n",
    })
    reach = {Path(p).relative_to(tmp_path).as_posix() for p in project.reachable(str(tmp_path / "main.py"))}
    assert reach == {"main.py", "pkg/__init__.py", "pkg/models/__init__.py", "pkg/models/net.py", "pkg/ops.py",
                     "pkg/models/head.py"}


def test_trees_are_dropped_after_their_last_unit_and_results_do_not_change(tmp_path: Path) -> None:
    files = {
        "networks.py": BUILDER,
        "a.py": "from networks import critic\ncritic('x')\ncritic('x')\n",
        "b.py": H + "\n\ndef late():\n    import networks as net\n    net.critic('y')\n    net.critic('y')\n\n\nlate()\n",
        "c.py": H + "v = tf.get_variable('v', [1])\nv = tf.get_variable('v', [1])\n",
    }
    project = project_of(tmp_path, files)
    paths = [str(tmp_path / name) for name in ("a.py", "b.py", "c.py")]
    parsed_before = []
    original = units.run_entry

    def spy(project_: Project, path: str) -> units.UnitResult:
        parsed_before.append(sorted(Path(s.path).name for s in project_.files if s.tree is not None))
        return original(project_, path)

    units.run_entry = spy  # type: ignore[assignment]
    try:
        results = engine.run_entries(project, paths)
    finally:
        units.run_entry = original  # type: ignore[assignment]
    # networks.py stays while b.py, which imports it, is still to run; a.py's own tree is dropped at once
    assert parsed_before == [[], ["networks.py"], []]
    assert all(s.tree is None for s in project.files)  # nothing held once the list is done
    again = units.run_entry(project, paths[0])  # a dropped tree is parsed again when needed
    assert [(f.code, f.location.line) for f in again.findings] == [(f.code, f.location.line) for f in results[0].findings]
    fresh = Project(project.sources)
    expected = [units.run_entry(fresh, path) for path in paths]  # no eviction: every tree kept
    assert [[(f.code, f.location.path, f.location.line) for f in r.findings] for r in results] == \
        [[(f.code, f.location.path, f.location.line) for f in r.findings] for r in expected]
    assert [len(r.findings) for r in results] == [1, 1, 1]


def test_share_out_deals_contiguous_runs_to_every_worker() -> None:
    paths = [f"pkg/m{i:03d}.py" for i in range(100)]
    shares = engine.share_out(paths, 2)
    assert sorted(p for share in shares for p in share) == paths  # each entry exactly once
    assert abs(len(shares[0]) - len(shares[1])) <= 7
    assert shares[0][:7] == paths[:7] and shares[1][:7] == paths[7:14]  # runs of neighbours
    assert engine.share_out(paths[:3], 2) == [["pkg/m000.py", "pkg/m002.py"], ["pkg/m001.py"]]


def test_share_out_by_cost_evens_the_loads_and_keeps_file_order() -> None:
    paths = [f"pkg/m{i:03d}.py" for i in range(32)]
    heavy = {"pkg/m000.py", "pkg/m001.py"}  # the first run holds the two costliest entries

    def cost(path: str) -> float:
        return 100.0 if path in heavy else 1.0

    dealt = engine.share_out(paths, 2)
    assert sum(map(cost, dealt[0])) > 3 * sum(map(cost, dealt[1]))  # in turn: the heavy run and half the rest
    shares = engine.share_out(paths, 2, cost)
    assert sorted(p for share in shares for p in share) == paths
    assert shares[0] == ["pkg/m000.py", "pkg/m001.py"]  # the heavy run alone; every light run on the other
    assert all(share == sorted(share) for share in shares)


def test_uses_of_a_class_count_calls_bases_and_values_but_not_its_definition_or_comments() -> None:
    """Capitalised names are looked up in an index of the files that hold them, others by a scan of every
    file: both give the same count."""
    text = '''class {name}(object):
    pass


# {name} is built elsewhere
x = {name}()
y = {name}.create()
class Child({name}):
    pass
factory = {name}
'''
    for name in ("Model", "model_lower"):
        project = Project({"/p/a.py": text.format(name=name), "/p/b.py": f"from a import {name}\n{name}()\n",
                           "/p/c.py": "print('no mention')\n"})
        assert project.uses_of_class(name) == 5, name  # x, y, the base of Child, factory, b's call


def test_a_class_is_used_only_if_some_mention_may_build_it() -> None:
    """is_class_used stops at the first use; a class only defined, commented on, imported or read as an
    attribute is not used (its constructor is then analysed as an entry of its own)."""
    text = '''class Used(object):
    pass


class Unused(object):
    pass


# Unused is documented here
print(Unused.__name__)
x = Used()
'''
    project = Project({"/p/a.py": text, "/p/b.py": "from a import Unused, Used\n"})
    assert project.is_class_used("Used") and project.uses_of_class("Used") == 1
    assert not project.is_class_used("Unused") and project.uses_of_class("Unused") == 0
    assert project.is_class_used("Used") and not project.is_class_used("Unused")  # the memoised answers


def test_a_worker_takes_from_the_end_of_another_share_but_leaves_its_owner_the_last_few() -> None:
    shares = [["a", "b", "c", "d", "e"], ["x", "y", "z"]]
    assert engine.steal_order(shares, 1) == [("e", ["c", "d"]), ("d", ["b", "c"]), ("c", ["a", "b"])]
    assert engine.steal_order(shares, 0) == [("z", ["x", "y"])]
    assert engine.steal_order([["a", "b"], ["x"]], 1) == []  # a share this short is its owner's alone
    three = engine.steal_order([["a", "b", "c"], ["p"], ["x", "y", "z", "w"]], 1)
    assert three == [("c", ["a", "b"]), ("w", ["y", "z"]), ("z", ["x", "y"])]  # each in turn, last first


def test_a_worker_done_with_its_share_runs_what_the_others_have_not_started(tmp_path: Path) -> None:
    """In process, with the workers' shared flags: worker 0 runs its one entry, then the end of worker 1's
    list, up to the STEAL_MARGIN entries just before the first one it cannot take; each entry runs once."""
    files = {f"m{i}.py": H + f"v = tf.get_variable('v{i}', [1])\nv = tf.get_variable('v{i}', [1])\n" for i in range(7)}
    project = project_of(tmp_path, files)
    paths = sorted(project.by_path)
    shares = [paths[:1], paths[1:]]
    claims = __import__("multiprocessing").get_context().Array("b", len(paths))
    saved = (engine._WORKER_PROJECT, engine._WORKER_SHARES, engine._WORKER_CLAIMS, engine._WORKER_SLOT)
    try:
        engine._init_worker(project.sources, project.tf_version, project.roots, None, shares, claims)
        claims[engine._WORKER_SLOT[paths[3]]] = 1  # worker 1 has started m3.py
        ran = engine._worker_share(0)
        assert sorted(ran) == [paths[0], paths[6]]  # m4, m5 are left to worker 1, which is at m3
        claims[engine._WORKER_SLOT[paths[3]]] = 0
        claims[engine._WORKER_SLOT[paths[0]]] = 0
        rest = engine._worker_share(1)
        assert sorted(rest) == paths[1:6]  # its list but the one taken; worker 0's one entry is left to it
    finally:
        engine._WORKER_PROJECT, engine._WORKER_SHARES, engine._WORKER_CLAIMS, engine._WORKER_SLOT = saved
    assert [len(ran[p].findings) for p in sorted(ran)] == [1, 1]


def test_entries_another_worker_ran_still_count_for_dropping_trees(tmp_path: Path) -> None:
    files = {"networks.py": BUILDER, "a.py": "from networks import critic\ncritic('x')\n",
             "b.py": "from networks import critic\ncritic('y')\n"}
    project = project_of(tmp_path, files)
    paths = [str(tmp_path / "a.py"), str(tmp_path / "b.py")]
    ran = engine._run_claimed(project, paths, lambda path: path.endswith("a.py"))
    assert list(ran) == paths[:1]
    assert all(s.tree is None for s in project.files)  # b.py ran elsewhere: networks.py is dropped after a.py
