"""The project: files become modules with dotted names, imports between them resolve, entry points run.

Every file that mentions TensorFlow runs as a script (`__name__ == "__main__"`) on a fresh graph,
importing the project's other modules as Python would (each once per run). Functions that no
run called are then analysed alone, in an unknown context. Raw reports become findings here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

import libcst as cst

from tfscope_lint import rules
from tfscope_lint.analysis.context import ModuleContext, Origin, RawReport
from tfscope_lint.analysis.interpreter import BudgetExceeded, Interpreter
from tfscope_lint.analysis.outline import outline
from tfscope_lint.analysis.tfapi import module_ref
from tfscope_lint.analysis.values import ModuleVal, TFRef, Unknown, Value
from tfscope_lint.findings import FileProblem, Finding, Location, Related

# A file that mentions none of these cannot create or scope a TF variable by itself.
PREFILTER = re.compile(r"tensorflow|tf_slim|variable_scope|get_variable|\bslim\b|\btf\.|rnn_cell|make_template")


@dataclass
class SourceFile:
    path: str
    text: str
    root: str
    dotted: str
    is_package: bool
    tree: Optional[cst.Module] = None
    error: Optional[Tuple[int, int, str]] = None
    parsed: bool = False
    positions_owner: Optional[ModuleContext] = None
    _facts: Optional[dict] = None
    _facts_done: bool = False

    def function_facts(self) -> Optional[dict]:
        """Per-function facts from `outline`, computed once per file."""
        if not self._facts_done and self.tree is not None:
            self._facts_done = True
            self._facts = outline(self.text, self.tree)
        return self._facts

    def parse(self) -> Optional[cst.Module]:
        if not self.parsed:
            self.parsed = True
            try:
                self.tree = cst.parse_module(self.text)
            except cst.ParserSyntaxError as exc:
                self.error = (exc.raw_line, exc.raw_column + 1, exc.message.strip().splitlines()[0]
                              if exc.message.strip() else "invalid syntax")
            except (RecursionError, MemoryError):
                self.error = (1, 1, "too deeply nested to parse")
        return self.tree


def module_identity(path: str) -> Tuple[str, str, bool]:
    """(search root, dotted name, is package) for a file, walking up through __init__.py folders."""
    absolute = os.path.abspath(path)
    folder, filename = os.path.split(absolute)
    stem = os.path.splitext(filename)[0]
    is_package = stem == "__init__"
    parts: List[str] = [] if is_package else [stem]
    while os.path.exists(os.path.join(folder, "__init__.py")):
        folder, package = os.path.split(folder)
        parts.insert(0, package)
        if not package:
            break
    return folder, ".".join(parts) or stem, is_package


class Project:
    """Files indexed by (root, dotted name); one per analysis."""

    def __init__(self, sources: Dict[str, str]) -> None:
        self.files: List[SourceFile] = []
        self.by_name: Dict[Tuple[str, str], SourceFile] = {}
        self.by_dotted: Dict[str, List[SourceFile]] = {}
        for path, text in sources.items():
            root, dotted, is_package = module_identity(path)
            source = SourceFile(path, text, root, dotted, is_package)
            self.files.append(source)
            self.by_name[(root, dotted)] = source
            self.by_dotted.setdefault(dotted, []).append(source)

    def find(self, dotted: str, near: Optional[SourceFile]) -> Optional[SourceFile]:
        if near is not None:
            found = self.by_name.get((near.root, dotted))
            if found is not None:
                return found
            # A script next to the module it imports (its folder is first on sys.path).
            folder = os.path.dirname(os.path.abspath(near.path))
            found = self.by_name.get((folder, dotted))
            if found is not None:
                return found
        candidates = self.by_dotted.get(dotted, [])
        return candidates[0] if len(candidates) == 1 else None


class ProjectRun:
    """Module objects of one interpreter run: each project module is executed at most once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.modules: Dict[str, ModuleContext] = {}
        self.contexts_by_path: Dict[str, ModuleContext] = {}

    def context_for(self, source: SourceFile) -> Optional[ModuleContext]:
        tree = source.parse()
        if tree is None:
            return None
        ctx = self.contexts_by_path.get(source.path)
        if ctx is None:
            ctx = ModuleContext(source.path, source.dotted, tree, source.is_package)
            if source.positions_owner is not None:
                ctx._positions = source.positions_owner._positions
            ctx.source = source  # type: ignore[attr-defined]
            self.contexts_by_path[source.path] = ctx
        return ctx

    # -- called by the interpreter -----------------------------------------------------
    def do_import(self, interp: Interpreter, node: cst.CSTNode, frame) -> None:  # type: ignore[no-untyped-def]
        importer: Optional[SourceFile] = getattr(frame.module, "source", None)
        if isinstance(node, cst.Import):
            for alias in node.names:
                dotted = _dotted(alias.name)
                if alias.asname is not None:
                    target = alias.asname.name
                    if isinstance(target, cst.Name):
                        interp.bind(target.value, self.resolve_module(interp, dotted, importer), frame)
                else:
                    head = dotted.split(".")[0]
                    value = self.resolve_module(interp, head, importer)
                    if dotted != head:
                        self.resolve_module(interp, dotted, importer)  # runs the submodule too
                    interp.bind(head, value, frame)
            return
        assert isinstance(node, cst.ImportFrom)
        base = _dotted(node.module) if node.module is not None else ""
        level = len(node.relative)
        if level and importer is not None:
            package = importer.dotted.split(".") if importer.is_package else importer.dotted.split(".")[:-1]
            package = package[: len(package) - (level - 1)] if level > 1 else package
            base = ".".join([p for p in package if p] + ([base] if base else []))
        module_value = self.resolve_module(interp, base, importer) if base else Unknown("relative import")
        if isinstance(node.names, cst.ImportStar):
            if isinstance(module_value, ModuleVal):
                for key, value in module_value.context.globals.items():
                    if not key.startswith("_"):
                        interp.bind(key, value, frame)
            return
        for alias in node.names:
            name = _dotted(alias.name)
            bound_as = alias.asname.name.value if alias.asname is not None and isinstance(
                alias.asname.name, cst.Name) else name
            value: Value
            if isinstance(module_value, ModuleVal):
                ctx = module_value.context
                if name in ctx.globals:
                    value = ctx.globals[name]
                else:
                    value = self.resolve_module(interp, f"{base}.{name}", importer)
            elif isinstance(module_value, TFRef):
                value = interp.tf.attribute(module_value, name)
            else:
                value = Unknown(f"import {name}")
            interp.bind(bound_as, value, frame)

    def resolve_module(self, interp: Interpreter, dotted: str, importer: Optional[SourceFile]) -> Value:
        ref = module_ref(dotted)
        if ref is not None:
            return ref
        source = self.project.find(dotted, importer)
        if source is None:
            return Unknown(f"module {dotted}")
        ctx = self.context_for(source)
        if ctx is None:
            return Unknown(f"module {dotted} does not parse")
        if not ctx.executed:
            ctx.executed = True
            saved_frames = interp.frames
            try:
                interp.run_module(ctx, as_main=False)
            finally:
                interp.frames = saved_frames
        return ModuleVal(ctx)

    def module_attr(self, interp: Interpreter, module: ModuleVal, attr: str) -> Value:
        ctx = module.context
        if attr in ctx.globals:
            return ctx.globals[attr]
        source = getattr(ctx, "source", None)
        sub = self.resolve_module(interp, f"{ctx.dotted}.{attr}", source)
        return sub


def _dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


@dataclass
class Analysis:
    reports: List[RawReport] = field(default_factory=list)
    problems: List[FileProblem] = field(default_factory=list)


def analyze_sources(sources: Dict[str, str]) -> Tuple[List[Finding], List[FileProblem]]:
    """Analyse a set of files (path -> text) as one project."""
    project = Project(sources)
    findings: List[Finding] = []
    problems: List[FileProblem] = []
    reports: List[RawReport] = []
    called: set = set()
    contexts: List[Tuple[SourceFile, ModuleContext]] = []
    for source in project.files:
        if not PREFILTER.search(source.text):
            continue
        tree = source.parse()
        if tree is None:
            line, column, message = source.error or (1, 1, "invalid syntax")
            findings.append(Finding("TFS001", rules.render_message("TFS001", detail=f"syntax error: {message}"),
                                    Location(source.path, line, column, line, column)))
            continue
        run = ProjectRun(project)
        interp = Interpreter(run)
        ctx = run.context_for(source)
        assert ctx is not None
        source.positions_owner = ctx
        try:
            interp.run_module(ctx, as_main=True)
        except BudgetExceeded:
            pass
        except RecursionError:
            problems.append(FileProblem(source.path, "internal error: analysis nested too deeply; file skipped"))
        except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the run
            problems.append(FileProblem(source.path, f"internal error: {type(exc).__name__}: {exc}",
                                        _traceback(exc)))
        reports.extend(interp.reports)
        called |= interp.called
        contexts.extend((s, c) for s, c in ((getattr(c, "source", None), c) for c in run.contexts_by_path.values())
                        if s is not None)
    reports.extend(_analyse_uncalled(project, contexts, called, problems))
    findings.extend(_to_findings(reports))
    return _dedupe(findings), problems


def _analyse_uncalled(project: Project, contexts: List[Tuple[SourceFile, ModuleContext]], called: set,
                      problems: List[FileProblem]) -> List[RawReport]:
    """Library code nothing called: each function alone, where only context-free errors can show."""
    reports: List[RawReport] = []
    seen: set = set()
    for source, ctx in contexts:
        facts = source.function_facts()
        for func, owner in ctx.functions:
            if func.node in called or id(func.node) in seen:
                continue
            seen.add(id(func.node))
            fact = facts.get(id(func.node)) if facts is not None else None
            if fact is not None and not fact.touches_variables:
                continue  # alone, only argument errors of the variable APIs could be certain
            run = ProjectRun(project)
            interp = Interpreter(run)
            try:
                interp.run_function_alone(func, owner)
            except (BudgetExceeded, RecursionError):
                pass
            except Exception as exc:  # noqa: BLE001
                problems.append(FileProblem(source.path, f"internal error: {type(exc).__name__}: {exc}",
                                            _traceback(exc)))
            reports.extend(interp.reports)
    return reports


def _traceback(exc: BaseException) -> str:
    import traceback
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _to_findings(reports: Iterable[RawReport]) -> List[Finding]:
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
        findings.append(Finding(raw.code, message, location, tuple(related),
                                raw.facts.get("variable"), raw.facts.get("scope"), rules.rule(raw.code).hint or None))
    return findings


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
