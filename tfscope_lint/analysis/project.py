"""The project: its files as modules with dotted names, the imports between them read from text, the
entry scripts. An index only: parsing is on demand (SourceFile.parse) and running is runs.ProjectRun's.

Every file that mentions TensorFlow runs as a script (`__name__ == "__main__"`) on a fresh graph,
importing the project's other modules as Python would (each once per run). Functions that no
run called are then analysed alone, in an unknown context (see units.py).
"""

from __future__ import annotations

import ast
import os
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from tfscope_lint.analysis.tfnames import module_ref
from tfscope_lint.findings import FileProblem, Finding

if TYPE_CHECKING:
    import libcst as cst

    from tfscope_lint.analysis.positions import NodePositions

# libcst and the parsing helpers load only when a file is parsed (local imports below): a warm run,
# which reads every result from the cache, needs the project's index of files and nothing more.

SHARE_IMPORTS = "TFSCOPE_SHARE_IMPORTS"
LAZY_BODIES = "TFSCOPE_LAZY_BODIES"  # "0": parse every function body with its module (lazy_bodies.py)
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
IMPORT_START = re.compile(r"\s*(from|import)\s")
ATTRIBUTE_READ = re.compile(r"\s*\.\s*[A-Za-z_][A-Za-z0-9_]*(?!\s*[(A-Za-z0-9_.])")  # `.attr`, not called

# A file that mentions none of these cannot create or scope a TF variable by itself.
PREFILTER = re.compile(r"tensorflow|tf_slim|variable_scope|get_variable|\bslim\b|\btf\.|rnn_cell|make_template")
# Import statements, read from the text without parsing: enough to tell which project modules a file uses.
IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(?:\(([\w., \t\r\n#]*)\)|([\w., \t]*))"
                         r"|import[ \t]+([\w., \t]+))", re.MULTILINE)


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
    _facts: Optional[dict] = None
    _positions: Optional[NodePositions] = None
    _index: Optional[Dict[int, int]] = None

    def positions(self) -> NodePositions:
        """Node positions, computed once and only for files with something to report."""
        if self._positions is None:
            from tfscope_lint.analysis.positions import NodePositions

            assert self.tree is not None
            self._positions = NodePositions(self.tree)
        return self._positions

    def line_of(self, node: cst.CSTNode, within: Optional[cst.CSTNode] = None) -> int:
        """The line a node starts on. Inside a function (`within`, when known), from that function's code
        alone, unless the whole file's positions are at hand already; the answer is the same."""
        import libcst as cst

        from tfscope_lint.analysis.positions import line_in_function

        facts = self._facts if self._positions is None and isinstance(within, cst.FunctionDef) else None
        fact = facts.get(id(within)) if facts is not None else None
        if fact is not None and fact.line and self.tree is not None:
            line = line_in_function(self.tree, within, fact.line, node)  # type: ignore[arg-type]
            if line is not None:
                return line
        found = self.positions().get(node)
        return found[0] if found is not None else 1

    def function_index(self) -> Dict[int, int]:
        """Each function definition's rank in a pre-order walk: a key that is the same in every process."""
        self.parse()
        assert self._index is not None
        return self._index

    _effects: Optional[bool] = None
    _ast: Optional[ast.Module] = None  # held only until the libcst tree is parsed and matched with it
    _syntax_error: Optional[SyntaxError] = None
    _ast_read: bool = False

    def has_import_effects(self) -> bool:
        self._read_ast()
        assert self._effects is not None
        return self._effects

    def function_facts(self) -> Optional[dict]:
        """Per-function facts from `outline`, read when the file is parsed."""
        self.parse()
        return self._facts

    def _read_ast(self) -> None:
        """Python's own parse, once: it judges validity and gives the facts that need a whole-tree walk.

        The `ast` tree is dropped as soon as those facts are read: holding it beside the libcst tree
        would double the memory of every analysed file."""
        if self._ast_read:
            return
        self._ast_read = True
        from tfscope_lint.analysis.outline import import_has_effects, parse_python

        parsed = parse_python(self.text)
        if isinstance(parsed, SyntaxError):
            self._syntax_error = parsed
            self._effects = True
            return
        self._effects = import_has_effects(parsed)
        self._ast = parsed

    def evict(self) -> None:
        """Forget the trees and what was read from them; a later `parse` reads the text again."""
        self.tree = None
        self.error = None
        self.parsed = False
        self._facts = self._positions = self._index = None
        self._ast = None
        self._ast_read = False
        self._syntax_error = None

    def parse(self) -> Optional[cst.Module]:
        """The libcst tree, or None with `error` set: Python's parser judges validity and places the error."""
        if not self.parsed:
            import libcst as cst

            from tfscope_lint.analysis.outline import _cst_functions, outline
            from tfscope_lint.analysis.parsing import parse_module

            self.parsed = True
            if os.environ.get(LAZY_BODIES, "1") != "0":
                self._read_ast()
                if self._syntax_error is None and self._ast is not None:
                    from tfscope_lint.analysis.lazy_bodies import parse_lazily

                    lazy = parse_lazily(self.text, self._ast, parse_module)
                    if lazy is not None:
                        self.tree, self._index, self._facts = lazy
                        self._ast = None
                        return self.tree
                    # else the whole parse below, with Python's tree already read
            try:
                self.tree = parse_module(self.text)
            except cst.ParserSyntaxError as exc:
                self.error = (exc.raw_line, exc.raw_column + 1, exc.message.strip().splitlines()[0]
                              if exc.message.strip() else "invalid syntax")
            except (RecursionError, MemoryError):
                self.error = (1, 1, "too deeply nested to parse")
            except Exception as exc:  # noqa: BLE001 - e.g. CSTValidationError for a name Python rejects too
                self.error = (1, 1, f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}")
            self._read_ast()
            if self._syntax_error is not None:
                exc = self._syntax_error
                self.tree = None
                self.error = (exc.lineno or 1, exc.offset or 1, exc.msg or "invalid syntax")
            elif self.tree is not None:
                functions = list(_cst_functions(list(self.tree.body)))
                self._index = {id(node): rank for rank, node in enumerate(functions)}
                self._facts = outline(self._ast, functions, self.text)
            self._ast = None
        return self.tree


def _prefixes(dotted: str) -> List[str]:
    """`a.b.c` -> a, a.b, a.b.c: importing a module imports its parent packages first."""
    parts = [p for p in dotted.split(".") if p]
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


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

    def __init__(self, sources: Dict[str, str], tf_version: str = "1.15", roots: Sequence[str] = ()) -> None:
        self.sources = sources
        self.tf_version = tf_version
        self.roots = tuple(os.path.abspath(root) for root in roots)  # folders on sys.path (a `src` layout)
        self.by_path: Dict[str, SourceFile] = {}
        self.files: List[SourceFile] = []
        self.by_name: Dict[Tuple[str, str], SourceFile] = {}
        self.by_dotted: Dict[str, List[SourceFile]] = {}
        for path, text in sources.items():
            root, dotted, is_package = module_identity(path)
            source = SourceFile(path, text, root, dotted, is_package)
            self.files.append(source)
            self.by_path[path] = source
            self.by_name[(root, dotted)] = source
            self.by_dotted.setdefault(dotted, []).append(source)
        # Imports that left no trace, run once per process and shared by later runs (path -> the import).
        # TFSCOPE_SHARE_IMPORTS=0 runs every import in every run: the findings must not change (tested).
        self.share_imports = os.environ.get(SHARE_IMPORTS, "1") != "0"
        from tfscope_lint.analysis.sharing import SharedImports  # the interpreter's values: not for a warm run

        self.shared = SharedImports()
        self._imports: Dict[str, List[SourceFile]] = {}
        self._mentions: Optional[Counter[str]] = None
        self._files_with: Dict[str, List[SourceFile]] = {}  # capitalised identifier -> the files it is in
        self._class_used: Dict[str, bool] = {}  # is_class_used, memoised
        self._by_tail: Optional[Dict[str, List[SourceFile]]] = None  # last dotted part -> files (namespaces)
        self._project_names: Optional[Set[str]] = None  # first names that an import of the project starts with
        self._folders: Optional[Set[str]] = None  # every folder that holds a project file, at any depth
        self._namespaces: Dict[Tuple[str, tuple], bool] = {}  # is_namespace, memoised

    def mentions(self, name: str) -> int:
        """How many times an identifier occurs in the project's text (counted once for all names)."""
        if self._mentions is None:
            counts: Counter[str] = Counter()
            files_with: Dict[str, List[SourceFile]] = {}
            for source in self.files:
                words = IDENTIFIER.findall(source.text)
                counts.update(words)  # counted in C: a loop here was a quarter of the index's cost
                for word in set(words):
                    if word[0].isupper():  # class names, by convention: an index of all words costs 5x more
                        files_with.setdefault(word, []).append(source)
            self._mentions, self._files_with = counts, files_with
        return self._mentions.get(name, 0)

    def uses_of_class(self, name: str) -> int:
        """Mentions of a class name that may build it: calls, bases, the class passed as a value. Its own
        `class` line, comments and plain attribute reads (`Model.__name__`) are not; `Model.create(...)` is."""
        return sum(1 for _ in self._class_uses(name))

    def is_class_used(self, name: str) -> bool:
        """Whether `uses_of_class` finds one: the scan stops at the first (most classes are used)."""
        used = self._class_used.get(name)
        if used is None:
            used = self._class_used[name] = next(self._class_uses(name), None) is not None
        return used

    def _class_uses(self, name: str) -> Iterator[int]:
        """The offsets of the uses of a class name, file by file."""
        if self.mentions(name) <= 1:
            return
        pattern = re.compile(r"\b" + re.escape(name) + r"\b")
        candidates = (self._files_with.get(name, []) if name[0].isupper()
                      else [source for source in self.files if name in source.text])
        for source in candidates:
            for match in pattern.finditer(source.text):
                start = source.text.rfind("\n", 0, match.start()) + 1
                before = source.text[start:match.start()]
                if "#" in before or before.rstrip().endswith("class") or IMPORT_START.match(before):
                    continue
                if ATTRIBUTE_READ.match(source.text, match.end()) is None:
                    yield match.start()

    def entry_paths(self) -> List[str]:
        """The files to run as scripts: those that mention TensorFlow, and those that import (through
        any chain of project modules) one that does: a `main.py` that only calls a model class defined
        elsewhere builds the graph too. The rest cannot reach a variable API and are never parsed."""
        relevant = {s.path for s in self.files if PREFILTER.search(s.text)}
        users: Dict[str, List[str]] = {}  # imported path -> the paths of files importing it
        for source in self.files:
            if source.path not in relevant:
                for target in self._imported_by_text(source):
                    users.setdefault(target.path, []).append(source.path)
        pending = list(relevant)
        while pending:
            for user in users.get(pending.pop(), ()):
                if user not in relevant:
                    relevant.add(user)
                    pending.append(user)
        return [s.path for s in self.files if s.path in relevant]

    def _imported_by_text(self, source: SourceFile) -> List[SourceFile]:
        """The project modules a file's import statements name (with their parent packages), once."""
        cached = self._imports.get(source.path)
        if cached is not None:
            return cached
        candidates: List[str] = []
        for dots, base, listed, names, plain in IMPORT_LINE.findall(source.text):
            names = re.sub(r"#[^\r\n]*", "", listed) or names
            if plain:
                for item in plain.split(","):
                    if item.split():
                        candidates.extend(_prefixes(item.split()[0]))
                continue
            if dots:
                package = source.dotted.split(".") if source.is_package else source.dotted.split(".")[:-1]
                package = package[: len(package) - (len(dots) - 1)] if len(dots) > 1 else package
                base = ".".join([p for p in package if p] + ([base] if base else []))
            candidates.extend(_prefixes(base))
            candidates.extend(f"{base}.{n.split()[0]}" if base else n.split()[0] for n in names.split(",") if n.split())
        found: List[SourceFile] = []
        for dotted in dict.fromkeys(candidates):
            target = self.find(dotted, source) if dotted else None
            if target is not None and target is not source and target not in found:
                found.append(target)
        self._imports[source.path] = found
        return found

    def unresolved_imports(self, path: str) -> List[Tuple[int, str]]:
        """(line, dotted) of the imports of a file, read from its text, that name the project (a
        relative import, or a first name that is one of its modules or folders) but find no module
        in it: --verbose lists them, since what an import cannot find is analysed as unknown."""
        source = self.by_path[path]
        if self._project_names is None:
            names: Set[str] = set()
            for other in self.files:
                names.add(other.dotted.split(".")[0])
                names.update(os.path.normpath(os.path.dirname(other.path)).split(os.sep))
            self._project_names = names - {"", ".", ".."}
        missing: List[Tuple[int, str]] = []
        for match in IMPORT_LINE.finditer(source.text):
            dots, base, _, _, plain = match.groups()
            wanted: List[Tuple[str, str]] = []  # (as written, absolute dotted name)
            if plain:
                wanted = [(item.split()[0], item.split()[0]) for item in plain.split(",") if item.split()]
            elif dots and base:
                package = source.dotted.split(".") if source.is_package else source.dotted.split(".")[:-1]
                package = package[: len(package) - (len(dots) - 1)] if len(dots) > 1 else package
                wanted = [(dots + base, ".".join([p for p in package if p] + [base]))]
            elif base:
                wanted = [(base, base)]
            for written, dotted in wanted:
                if not (dots or dotted.split(".")[0] in self._project_names) or module_ref(dotted) is not None:
                    continue
                if self.find(dotted, source) is None and not self.is_namespace(dotted, source):
                    missing.append((source.text.count("\n", 0, match.start()) + 1, written))
        return missing

    def importers(self, paths: Iterable[str]) -> Set[str]:
        """The files and every project file whose imports (read from the text, through any chain of
        modules) reach one of them: the entry scripts among these are those that can run them."""
        users: Dict[str, List[str]] = {}
        for source in self.files:
            for target in self._imported_by_text(source):
                users.setdefault(target.path, []).append(source.path)
        seen = set(paths)
        pending = list(seen)
        while pending:
            for user in users.get(pending.pop(), ()):
                if user not in seen:
                    seen.add(user)
                    pending.append(user)
        return seen

    def reachable(self, path: str) -> Set[str]:
        """The file and every project module its imports can reach, read from the text: what a run of it
        will probably parse (a dynamic import may read more; that costs a parse, never a result)."""
        seen = {path}
        pending = [path]
        while pending:
            for target in self._imported_by_text(self.by_path[pending.pop()]):
                if target.path not in seen:
                    seen.add(target.path)
                    pending.append(target.path)
        return seen

    def forget(self, path: str) -> None:
        """Drop a file's trees, and every shared module that holds values made from them."""
        self.by_path[path].evict()
        self.shared.drop(path)

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
        for root in self.roots:
            found = self.by_name.get((root, dotted))
            if found is not None:
                return found
        candidates = self.by_dotted.get(dotted, [])
        if len(candidates) == 1:
            return candidates[0]
        return self._in_namespace_package(dotted, near) if not candidates else None

    def is_namespace(self, dotted: str, near: Optional[SourceFile]) -> bool:
        """`dotted` names a folder without `__init__.py` that holds project modules (PEP 420), seen from
        the importer's import root or its script folder."""
        if not dotted:
            return False
        bases = (near.root, os.path.dirname(os.path.abspath(near.path))) if near is not None else ()
        key = (dotted, bases)
        known = self._namespaces.get(key)
        if known is None:
            known = any(self._is_namespace_folder(os.path.join(base, *dotted.split("."))) for base in bases + self.roots)
            self._namespaces[key] = known
        return known

    def _is_namespace_folder(self, folder: str) -> bool:
        """A folder without `__init__.py` under which some project file lies."""
        if self._folders is None:
            self._folders = set()
            for source in self.files:
                parent = os.path.dirname(os.path.abspath(source.path))
                while parent not in self._folders:
                    self._folders.add(parent)
                    parent, child = os.path.split(parent)
                    if not child:
                        break
        folder = os.path.abspath(folder)
        return folder in self._folders and not os.path.exists(os.path.join(folder, "__init__.py"))

    def _in_namespace_package(self, dotted: str, near: Optional[SourceFile]) -> Optional[SourceFile]:
        """`a.b.c` in folders without `__init__.py` (PEP 420 namespace packages), as Python finds it
        from a folder on sys.path: the importer's own import root or its script folder, or a `src`
        root, else the one file of the project whose path ends so."""
        parts = [p for p in dotted.split(".") if p]
        if len(parts) < 2:
            return None
        if self._by_tail is None:
            self._by_tail = {}
            for source in self.files:
                self._by_tail.setdefault(_path_tail(source.path), []).append(source)
        found = self._by_tail.get(parts[-1])
        if not found:
            return None
        tails = (os.path.join(*parts) + ext for ext in (".py", ".pyi", os.sep + "__init__.py", os.sep + "__init__.pyi"))
        suffixes = tuple(os.sep + tail for tail in tails)
        matching = [s for s in found if os.path.abspath(s.path).endswith(suffixes)]
        bases = (near.root, os.path.dirname(os.path.abspath(near.path))) if near is not None else ()
        for base in bases + self.roots:
            here = [s for s in matching if _is_under(s.path, base, parts)]
            if len(here) == 1:
                return here[0]
        return matching[0] if len(matching) == 1 else None


def _path_tail(path: str) -> str:
    """The name a module is imported by as the last part of a dotted name (`pkg/__init__.py`: pkg)."""
    head, name = os.path.split(os.path.abspath(path))
    stem = os.path.splitext(name)[0]
    return os.path.basename(head) if stem == "__init__" else stem


def _is_under(path: str, base: str, parts: List[str]) -> bool:
    """`path` is base/a/b/c.py (or base/a/b/c/__init__.py) for parts [a, b, c]."""
    relative = os.path.relpath(os.path.abspath(path), base)
    pieces = os.path.splitext(relative)[0].split(os.sep)
    if pieces[-1] == "__init__":
        pieces = pieces[:-1]
    return pieces == parts


def analyze_sources(sources: Dict[str, str], **options: object) -> Tuple[List[Finding], List[FileProblem]]:
    """Analyse a set of files (path -> text) as one project (see engine.analyze for the options)."""
    from tfscope_lint.analysis.engine import analyze
    return analyze(sources, **options)  # type: ignore[arg-type]
