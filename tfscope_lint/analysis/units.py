"""The units of work: one entry script run on a fresh graph, its flipped settings, its uncalled functions.

Each works on the project's parsed files through an interpreter; the engine decides which run where
and caches what they return.
"""

from __future__ import annotations

import dataclasses
import json
import os
import traceback
from typing import Iterable, List, Optional, Set, Tuple

from tfscope_lint import rules
from tfscope_lint.analysis.context import ModuleContext, Origin, RawReport
from tfscope_lint.analysis.interpreter import BudgetExceeded, Interpreter
from tfscope_lint.analysis.project import Project, SourceFile
from tfscope_lint.analysis.results import FunctionKey, UnitResult
from tfscope_lint.analysis.runs import ProjectRun
from tfscope_lint.analysis.values import ClassVal, FunctionVal
from tfscope_lint.findings import FileProblem, Finding, Location, Related


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
    for read in sorted(set(run.contexts_by_path) | run.extra_deps):  # files of shared imports' imports too
        if project.by_path[read].parse() is None:
            continue
        index = project.by_path[read].function_index()
        for node in interp.called:
            rank = index.get(id(node))
            if rank is not None:
                called.add((read, rank))
    # The file's own functions this run did not call are analysed alone now, while its tree is at hand;
    # the parent keeps what they find only if no other run called them either.
    index = source.function_index()
    facts = source.function_facts()
    for func, owner in ctx.functions:
        rank = index.get(id(func.node))
        if rank is None or (path, rank) in called:
            continue
        if _uninstantiated_class(project, func, owner):
            alone = Interpreter(run)
            _guarded(result, path, lambda: alone.run_constructor_alone(func, owner))
        else:
            fact = facts.get(id(func.node)) if facts is not None else None
            if fact is not None and not fact.touches_variables:
                continue
            alone = Interpreter(run)
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
    if owner is None or func.name != "__init__" or project.is_class_used(owner.name):
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
    line = json.dumps({"entry": path, "steps": interp.steps + interp.import_steps, "budget": interp.budget_hit}) + "\n"
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
