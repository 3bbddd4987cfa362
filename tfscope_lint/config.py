"""Settings: [tool.tfscope-lint] in the nearest pyproject.toml, then command-line flags on top.

Behaves as ruff taught users to expect: codes are selected by prefix (`TFS1` is every error),
the more specific of select and ignore wins, command-line flags override the file, and any key
or code the tool does not know stops the run with a message naming it (a typo in a config
must not silently turn a check off).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from tfscope_lint.files import DEFAULT_EXCLUDE, PatternSet
from tfscope_lint.rules import RULES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

SECTION = "tfscope-lint"
OUTPUT_FORMATS = ("concise", "full", "json", "json-lines", "sarif", "github", "junit")
DEFAULT_TF_VERSION = "1.15"
LIST_KEYS = ("select", "ignore", "extend-select", "exclude", "extend-exclude")
KNOWN_KEYS = LIST_KEYS + ("per-file-ignores", "output-format", "tf-version", "src", "docs-url")
SELECTION_KEYS = ("select", "extend-select", "ignore")
TF_VERSION = re.compile(r"^(1)\.(\d+)(\.\d+)?$|^(2)\.(\d+)(\.\d+)?$")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key, value and file."""


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know, resolved once (not per file)."""

    root: Path
    config_path: Optional[Path] = None
    enabled: FrozenSet[str] = frozenset()
    per_file_ignores: Tuple[Tuple[PatternSet, FrozenSet[str]], ...] = ()
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: Tuple[str, ...] = ()
    output_format: str = "concise"
    tf_version: str = DEFAULT_TF_VERSION
    force_exclude: bool = False
    src: Tuple[Path, ...] = ()  # folders on sys.path besides each script's own (`src = ["src"]`)
    docs_url: Optional[str] = None  # the base URL of the rule pages (docs/rules/), for SARIF's helpUri
    excludes: PatternSet = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "excludes", PatternSet(self.exclude + self.extend_exclude, self.root))

    def codes_for(self, path: str) -> FrozenSet[str]:
        """The codes enabled for one file, after per-file-ignores."""
        codes = self.enabled
        for patterns, ignored in self.per_file_ignores:
            if patterns.matches(Path(path)):
                codes = codes - ignored
        return codes


def default_enabled() -> FrozenSet[str]:
    return frozenset(code for code, rule in RULES.items() if not rule.opt_in)


def expand(selector: str, where: str) -> FrozenSet[str]:
    """The codes a selector names: a code, a prefix of codes, or ALL."""
    if selector == "ALL":
        return frozenset(RULES)
    codes = frozenset(code for code in RULES if code.startswith(selector))
    if not codes:
        raise ConfigError(f"unknown rule code or prefix {selector!r} in {where} (see `tfscope-lint rules`)")
    return codes


def _specificity(selectors: Sequence[str], code: str) -> int:
    """Length of the longest selector naming the code (ALL counts 0), -1 if none does."""
    lengths = [0 if s == "ALL" else len(s) for s in selectors if s == "ALL" or code.startswith(s)]
    return max(lengths, default=-1)


def resolve_selection(layers: Sequence[Mapping[str, Any]]) -> FrozenSet[str]:
    """Apply select/extend-select/ignore layers in order (the file, then the command line).

    A layer's `select` replaces what came before; within a layer the more specific selector
    wins, and ignore wins a tie.
    """
    enabled = set(default_enabled())
    for layer in layers:
        select = layer.get("select")
        chosen = list(select or []) + list(layer.get("extend-select") or [])
        ignore = list(layer.get("ignore") or [])
        base = set(enabled) if select is None else set()
        enabled = set()
        for code in RULES:
            picked, dropped = _specificity(chosen, code), _specificity(ignore, code)
            if picked < 0 and dropped < 0:
                on = code in base
            else:
                on = picked > dropped
            if on:
                enabled.add(code)
    return frozenset(enabled)


def find_config(start: Path) -> Optional[Path]:
    """The nearest pyproject.toml, from `start` upwards, that has a [tool.tfscope-lint] table."""
    start = Path(os.path.realpath(start))  # unlike Path.resolve, never raises on a symlink loop
    directory = start if start.is_dir() else start.parent
    for candidate_dir in [directory, *directory.parents]:
        candidate = candidate_dir / "pyproject.toml"
        if candidate.is_file() and SECTION in _read_toml(candidate).get("tool", {}):
            return candidate
    return None


def _read_toml(path: Path) -> Dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def read_table(path: Path) -> Dict[str, Any]:
    """Our table: [tool.tfscope-lint] of a pyproject.toml, or of any TOML file that has one (a file
    shared by several tools), else the whole of the file (a `tfscope-lint.toml` of our keys only)."""
    data = _read_toml(path)
    if path.name == "pyproject.toml" or isinstance(data.get("tool"), dict) and SECTION in data["tool"]:
        table = data.get("tool", {}).get(SECTION, {})
        if not isinstance(table, dict):
            raise ConfigError(f"[tool.{SECTION}] in {path} must be a table")
        return table
    return data


def validate(table: Mapping[str, Any], where: str) -> Dict[str, Any]:
    """Check keys, types and codes; return the table with its codes expanded and checked."""
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        raise ConfigError(f"unknown key{'s' if len(unknown) > 1 else ''} {names} in {where}; "
                          f"known keys: {', '.join(KNOWN_KEYS)}")
    for key in LIST_KEYS + ("src",):
        if key in table and not _is_str_list(table[key]):
            raise ConfigError(f"{key!r} in {where} must be a list of strings")
    for key in SELECTION_KEYS:
        for selector in table.get(key) or []:
            expand(selector, f"{key!r} of {where}")
    ignores = table.get("per-file-ignores", {})
    if not isinstance(ignores, dict) or not all(_is_str_list(v) for v in ignores.values()):
        raise ConfigError(f"'per-file-ignores' in {where} must map glob patterns to lists of codes")
    for pattern, codes in ignores.items():
        for code in codes:
            expand(code, f"'per-file-ignores' ({pattern!r}) of {where}")
    fmt = table.get("output-format")
    if fmt is not None and fmt not in OUTPUT_FORMATS:
        raise ConfigError(f"'output-format' in {where} is {fmt!r}; choose one of: {', '.join(OUTPUT_FORMATS)}")
    version = table.get("tf-version")
    if version is not None and not (isinstance(version, str) and _known_tf_version(version)):
        raise ConfigError(f"'tf-version' in {where} is {version!r}; write a TensorFlow version as a string, "
                          f"from \"1.0\" to \"1.15\" (or \"2.x\" for tf.compat.v1)")
    docs_url = table.get("docs-url")
    if docs_url is not None and not (isinstance(docs_url, str) and _is_web_url(docs_url)):
        raise ConfigError(f"'docs-url' in {where} is {docs_url!r}; write the http(s) URL of the folder that "
                          "holds the rule pages (docs/rules/), e.g. \"https://github.com/OWNER/tfscope-lint/"
                          "blob/main/docs/rules\"")
    return dict(table)


def _is_web_url(url: str) -> bool:
    """An absolute http(s) URI with a host, which a page name can be appended to (so no query or fragment;
    ASCII only, as SARIF's `format: uri` wants it)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query and not parts.fragment
            and url.isascii() and not any(c.isspace() for c in url))


def _known_tf_version(version: str) -> bool:
    match = TF_VERSION.match(version)
    return bool(match) and (match.group(1) is None or int(match.group(2)) <= 15)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def load_settings(
    paths: Sequence[str] = (),
    config: Optional[str] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    force_exclude: bool = False,
) -> Settings:
    """Find and read the configuration, then lay the command-line overrides over it."""
    overrides = validate(overrides or {}, "the command-line options")
    if config is not None:
        config_path: Optional[Path] = Path(config)
        if not config_path.is_file():
            raise ConfigError(f"--config {config}: no such file")
    else:
        config_path = find_config(Path(paths[0]) if paths else Path.cwd())
    table = validate(read_table(config_path), str(config_path)) if config_path else {}
    root = config_path.resolve().parent if config_path else Path.cwd().resolve()

    def pick(key: str, default: Any) -> Any:
        return overrides.get(key, table.get(key, default))

    layers = [{k: t[k] for k in SELECTION_KEYS if k in t} for t in (table, overrides)]
    per_file = pick("per-file-ignores", {})
    return Settings(
        root=root,
        config_path=config_path,
        enabled=resolve_selection(layers),
        per_file_ignores=tuple(
            (PatternSet([pattern], root), frozenset().union(*(expand(c, "per-file-ignores") for c in codes)))
            for pattern, codes in per_file.items()
        ),
        exclude=tuple(pick("exclude", DEFAULT_EXCLUDE)),
        extend_exclude=tuple(table.get("extend-exclude", [])) + tuple(overrides.get("extend-exclude", [])),
        output_format=pick("output-format", "concise"),
        tf_version=pick("tf-version", DEFAULT_TF_VERSION),
        force_exclude=force_exclude,
        src=tuple((root / folder).resolve() for folder in table.get("src", [])),
        docs_url=pick("docs-url", None),
    )


def parse_per_file_ignores(values: Sequence[str]) -> Dict[str, List[str]]:
    """`PATTERN:CODE[,CODE...]` strings from the command line, as the TOML table would give them."""
    table: Dict[str, List[str]] = {}
    for value in values:
        pattern, sep, codes = value.rpartition(":")
        if not sep or not pattern:
            raise ConfigError(f"--per-file-ignores {value!r}: write PATTERN:CODES, e.g. 'tests/*:TFS101,TFS2'")
        table.setdefault(pattern, []).extend(c.strip() for c in codes.split(",") if c.strip())
    return table
