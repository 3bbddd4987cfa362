"""The command line: click commands only. Everything they do lives in config, runner and output.

Exit codes: 0 clean, 1 findings, 2 the tool could not do its job (a bad option or configuration,
a path that does not exist, a file it could not read), always with a one-line message naming
the culprit and never a traceback.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, TextIO, Tuple

import click

from tfscope_lint import __version__, cachedir
from tfscope_lint.analysis.engine import GC_THRESHOLDS
from tfscope_lint.config import (
    LIST_KEYS, OUTPUT_FORMATS, ConfigError, Settings, load_settings, parse_per_file_ignores, resolve_selection,
)
from tfscope_lint.files import SourceError, decode_source, project_root
from tfscope_lint.findings import RunResult
from tfscope_lint.interrupt import install as install_interrupt
from tfscope_lint.output import FORMATS, Context
from tfscope_lint.output.common import severity_of
from tfscope_lint.output.console import color_allowed, make_console
from tfscope_lint.output.progress import ProgressBar, wanted
from tfscope_lint.output.summary import write_problems, write_statistics, write_summary
from tfscope_lint.rules import ERROR, RULES, Rule
from tfscope_lint.runner import Progress, plan, run, with_deep_stack

HUMAN_FORMATS = ("concise", "full")
MACHINE_STATISTICS = ("json", "json-lines", "sarif")


def _fail(message: str) -> "click.exceptions.Exit":
    """Print `tfscope-lint: error: message` on stderr and stop with exit code 2."""
    click.echo(f"tfscope-lint: error: {message}", err=True)
    return click.exceptions.Exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="tfscope-lint", message="%(prog)s %(version)s")
def main() -> None:
    """Find TensorFlow 1.x variable-scope errors from source, without TensorFlow."""
    _tolerant_streams()


def entry() -> None:
    """The console script and `python -m tfscope_lint`: `main`, then a fast exit.

    A cold run leaves millions of parsed nodes behind; the full garbage collections that Python
    runs while they pile up, and again when it shuts down, cost seconds and change nothing, so
    collections are made rare (as mypy does) and the process exits without freeing them.
    """
    install_interrupt()  # done earlier by __main__; here for a console script made before it existed
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        main(prog_name="tfscope-lint")
        code: object = 0
    except SystemExit as stop:
        code = stop.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (`| head`): nothing more can be said
        pass
    os._exit(code or 0)


def _tolerant_streams() -> None:
    """A file name or message the terminal's encoding cannot show is escaped, never a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (getattr(stream, "errors", None) or "strict") == "strict":
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def _split(values: Sequence[str]) -> List[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _overrides(options: Dict[str, Any]) -> Dict[str, Any]:
    """The command-line options, keyed and shaped like the [tool.tfscope-lint] table."""
    table: Dict[str, Any] = {}
    for key in LIST_KEYS:
        values = options[key.replace("-", "_")]
        if values:
            table[key] = _split(values)
    if options["per_file_ignores"]:
        table["per-file-ignores"] = parse_per_file_ignores(options["per_file_ignores"])
    for key in ("output-format", "tf-version", "docs-url"):
        if options[key.replace("-", "_")] is not None:
            table[key] = options[key.replace("-", "_")]
    return table


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--config", metavar="FILE", help="Read settings from this pyproject.toml (or TOML file) only.")
@click.option("--select", multiple=True, metavar="CODES", help="Codes or prefixes to check (TFS1 = all errors).")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Codes or prefixes to check in addition.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Codes or prefixes not to report.")
@click.option("--per-file-ignores", multiple=True, metavar="GLOB:CODES", help="Codes not to report in matching files.")
@click.option("--exclude", multiple=True, metavar="GLOBS", help="Paths to skip, replacing the default list.")
@click.option("--extend-exclude", multiple=True, metavar="GLOBS", help="Paths to skip, besides the default list.")
@click.option("--force-exclude", is_flag=True, help="Apply the excludes to paths given explicitly too (pre-commit).")
@click.option("--stdin-filename", metavar="NAME", help="Read the source from standard input, reported as NAME.")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), help="How to print findings [default: concise].")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False), help="Write findings to a file, not stdout.")
@click.option("--tf-version", metavar="X.Y", help="The TensorFlow 1.x version the code runs on [default: 1.15].")
@click.option("--docs-url", metavar="URL", help="The http(s) URL where the rule pages (docs/rules/) are published: "
              "SARIF then links each rule to URL/CODE.md (helpUri).")
@click.option("--statistics", is_flag=True, help="Print the number of findings per code instead of the findings.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="warning", show_default=True,
              help="The least severity that makes the exit code 1: with `error`, warnings alone exit 0.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary, no progress bar.")
@click.option("--no-color", is_flag=True, help="Never colour the output (NO_COLOR is respected too).")
@click.option("-v", "--verbose", is_flag=True, help="Show the details of files that could not be checked "
              "(the traceback of an internal error), where a budget cut a file's analysis short, and the "
              "project imports that found no module.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes; 0 means one per core.")
@click.option("--baseline", metavar="FILE", help="Report only the findings this baseline file does not list.")
@click.option("--write-baseline", metavar="FILE",
              help="Write the findings to this baseline file (for --baseline) instead of reporting them.")
@click.option("--add-noqa", is_flag=True, help="Append `# noqa: CODE` to each reporting line instead of reporting.")
@click.option("--show-settings", is_flag=True, help="Print the settings a run would use, and stop.")
@click.option("--show-files", is_flag=True, help="Print the files that would be checked and the entry scripts "
              "that would run, and stop.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Where to keep the cache [default: .tfscope_cache in the project root or git top].")
def check(paths: Sequence[str], **options: Any) -> None:
    """Check Python files and directories (default: the current directory)."""
    stdin_name: Optional[str] = options["stdin_filename"]
    if stdin_name and [p for p in paths if p != "-"]:
        raise _fail("--stdin-filename reads one file from standard input: do not pass paths as well")
    stdin_name, paths = _dash_means_stdin(stdin_name, paths)
    _check_adoption_options(options, stdin_name)
    try:
        settings = load_settings(
            [stdin_name] if stdin_name else list(paths),
            config=options["config"],
            overrides=_overrides(options),
            force_exclude=options["force_exclude"],
        )
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    color = color_allowed(options["no_color"])
    stdin = None
    if stdin_name:
        try:
            stdin = (stdin_name, decode_source(_read_stdin()))
        except SourceError as exc:
            raise _fail(f"{stdin_name} (standard input): {exc}") from None
    given = [stdin_name] if stdin_name else list(paths or (".",))
    if options["show_settings"] or options["show_files"]:
        _show(settings, options, given, paths or (".",), stdin)
    progress: Progress = Progress()
    if wanted(sys.stderr, options["quiet"]):
        progress = ProgressBar(sys.stderr)
    jobs = options["jobs"] or os.cpu_count() or 1
    cache_dir = _cache_dir(options, settings, given)
    if cache_dir is not None:
        cachedir.prepare(Path(cache_dir))
    try:
        result = with_deep_stack(lambda: run(settings, paths or (".",), stdin=stdin, progress=progress, jobs=jobs,
                                             cache_dir=cache_dir, verbose=options["verbose"]))
    finally:
        if isinstance(progress, ProgressBar):
            progress.close()
    _adopt(result, options, color)
    _report(result, settings.output_format, options, color, settings.docs_url)
    raise click.exceptions.Exit(_exit_code(result, options["exit_zero"], options["fail_on"]))


def _dash_means_stdin(stdin_name: Optional[str], paths: Sequence[str]) -> Tuple[Optional[str], Sequence[str]]:
    """`check -` reads one source from standard input (reported as `-`), as ruff and flake8 do."""
    if stdin_name or "-" not in paths:
        return stdin_name, paths
    if len(paths) > 1:
        raise _fail("`-` reads one file from standard input: do not pass other paths as well")
    return "-", ()


def _check_adoption_options(options: Dict[str, Any], stdin_name: Optional[str]) -> None:
    if options["add_noqa"] and stdin_name:
        raise _fail("--add-noqa edits files on disk: it cannot be used with --stdin-filename")
    if options["add_noqa"] and options["write_baseline"]:
        raise _fail("choose one way to adopt: --add-noqa or --write-baseline")


def _adopt(result: RunResult, options: Dict[str, Any], color: bool) -> None:
    """--baseline filters the result; --write-baseline and --add-noqa replace the report and stop."""
    if not (options["baseline"] or options["write_baseline"] or options["add_noqa"]):
        return
    from tfscope_lint import adopt

    try:
        if options["baseline"]:
            adopt.apply_baseline(result, adopt.read_baseline(options["baseline"]))
        if options["write_baseline"]:
            count = adopt.write_baseline(options["write_baseline"], result)
            click.echo(f"Wrote {count} finding{'' if count == 1 else 's'} to {options['write_baseline']}.", err=True)
        elif options["add_noqa"]:
            outcome = adopt.add_noqa(result)
            click.echo(f"Added {outcome.added} noqa directive{'' if outcome.added == 1 else 's'}.", err=True)
            for path, line in outcome.skipped:
                click.echo(f"tfscope-lint: warning: {path}:{line}: cannot take a noqa comment "
                           "(inside a multi-line string or after a backslash): fix it or use a baseline", err=True)
        else:
            return
    except adopt.BaselineError as exc:
        raise _fail(str(exc)) from None
    write_problems(result, sys.stderr, color, verbose=options["verbose"])
    raise click.exceptions.Exit(2 if result.problems else 0)


def _cache_dir(options: Dict[str, Any], settings: Settings, paths: List[str]) -> Optional[str]:
    """The cache folder (see tfscope_lint.cachedir), or None without a cache."""
    if options["no_cache"]:
        return None
    found = settings.config_path if settings.config_path is not None and not options["config"] else None
    directory = Path(options["cache_dir"]) if options["cache_dir"] else cachedir.default_location(paths, found)
    return str(directory)


def _show(settings: Settings, options: Dict[str, Any], given: List[str], paths: Sequence[str],
          stdin: Optional[Tuple[str, str]]) -> None:
    """--show-settings and --show-files: what a run would use and do, on stdout, then exit 0."""
    if options["show_settings"]:
        per_file = ", ".join(f"{p.patterns[0]}: {' '.join(sorted(c))}" for p, c in settings.per_file_ignores)
        rows = [
            ("config file", str(settings.config_path.resolve()) if settings.config_path else "(none: the defaults)"),
            ("project root", str(project_root(given))),
            ("cache dir", _cache_dir(options, settings, given) or "(none: --no-cache)"),
            ("enabled codes", " ".join(sorted(settings.enabled))),
            ("per-file-ignores", per_file or "(none)"),
            ("exclude", " ".join(settings.exclude)),
            ("extend-exclude", " ".join(settings.extend_exclude) or "(none)"),
            ("force-exclude", str(settings.force_exclude).lower()),
            ("output-format", settings.output_format),
            ("tf-version", settings.tf_version),
            ("src", " ".join(str(folder) for folder in settings.src) or "(none)"),
            ("docs-url", settings.docs_url or "(none: SARIF rules have no helpUri)"),
        ]
        for key, value in rows:
            click.echo(f"{key}: {value}")
    if options["show_files"]:
        checked, entries, problems = plan(settings, paths if stdin is None else (), stdin)
        click.echo(f"# {len(checked)} file{'' if len(checked) == 1 else 's'} checked")
        for path in checked:
            click.echo(path)
        click.echo(f"# {len(entries)} entry script{'' if len(entries) == 1 else 's'} run (their imports reach "
                   "a checked file)")
        for path in entries:
            click.echo(path)
        for problem in problems:
            click.echo(f"tfscope-lint: error: {problem.path}: {problem.reason}", err=True)
        raise click.exceptions.Exit(2 if problems else 0)
    raise click.exceptions.Exit(0)


def _read_stdin() -> bytes:
    """The raw bytes, so that a coding cookie or BOM is honoured as for a file on disk."""
    stream = getattr(sys.stdin, "buffer", None)
    return stream.read() if stream is not None else sys.stdin.read().encode("utf-8")


def _report(result: RunResult, fmt: str, options: Dict[str, Any], color: bool,
            docs_url: Optional[str] = None) -> None:
    with ExitStack() as stack:
        stream: TextIO = sys.stdout
        if options["output_file"]:
            if os.path.realpath(options["output_file"]) in {os.path.realpath(path) for path in result.sources}:
                raise _fail(f"--output-file {options['output_file']} is one of the files checked: "
                            "refusing to overwrite it")
            try:
                stream = stack.enter_context(open(options["output_file"], "w", encoding="utf-8"))
            except OSError as exc:
                raise _fail(f"--output-file {options['output_file']}: {exc.strerror or exc}") from None
        ctx = Context(stream, color=color and not options["output_file"], sources=result.sources,
                      files=list(result.checked or result.sources), docs_url=docs_url)
        if options["statistics"]:
            write_statistics(result, ctx, as_json=fmt in MACHINE_STATISTICS)
        else:
            FORMATS[fmt](result, ctx)
    write_problems(result, sys.stderr, color, verbose=options["verbose"])
    if not options["quiet"] and fmt in HUMAN_FORMATS:
        write_summary(result, sys.stderr, color)


def _exit_code(result: RunResult, exit_zero: bool, fail_on: str = "warning") -> int:
    if result.problems:
        return 2
    failing = [f for f in result.findings if fail_on == "warning" or severity_of(f) == ERROR]
    return 1 if failing and not exit_zero else 0


@main.command("rules")
@click.option("--output-format", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True, help="A table for people, JSON for programs, Markdown for docs.")
@click.option("--no-color", is_flag=True, help="Never colour the output.")
@click.option("--naming", is_flag=True, help="Also list how each layer, cell and optimizer names its variables.")
@click.option("--pages", type=click.Path(file_okay=False), metavar="DIR",
              help="Write each rule's page (as `explain` prints it) to DIR/CODE.md instead, as in docs/rules/.")
def rules_command(output_format: str, no_color: bool, naming: bool, pages: Optional[str]) -> None:
    """List every rule: code, name, severity and summary."""
    from tfscope_lint.output.docs import naming_markdown, naming_table, rules_markdown_table, rules_table

    if pages is not None:
        _write_pages(Path(pages), output_format, naming)
    elif naming and output_format == "markdown":
        click.echo(rules_markdown_table() + "\n" + naming_markdown())
    elif output_format == "json":
        fields = ("code", "name", "severity", "summary", "opt_in")
        click.echo(json.dumps([{f: getattr(r, f) for f in fields} for r in RULES.values()], indent=2))
    elif output_format == "markdown":
        click.echo(rules_markdown_table(), nl=False)
    else:
        console = make_console(sys.stdout, color_allowed(no_color))
        if not console.is_terminal:
            console.width = max(console.width, 160)  # a pipe has no width: keep one rule per line
        console.print(rules_table())
        if naming:
            console.print(naming_table())


def _write_pages(directory: Path, output_format: str, naming: bool) -> None:
    """The rule pages, regenerated: a page whose rule left the catalogue is removed, other files are kept."""
    if output_format == "json" or naming:
        raise _fail("--pages writes Markdown pages: it takes neither --output-format json nor --naming")
    from tfscope_lint.output.docs import rule_pages

    pages = rule_pages()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for stale in sorted(directory.glob("TFS*.md")):
            if stale.name not in pages:
                stale.unlink()
        for name, text in pages.items():
            (directory / name).write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise _fail(f"--pages {directory}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {len(pages)} rule pages to {directory}.", err=True)


def find_rule(code_or_name: str) -> Optional[Rule]:
    wanted_rule = code_or_name.strip()
    for rule in RULES.values():
        if wanted_rule.upper() == rule.code or wanted_rule.lower() == rule.name:
            return rule
    return None


@main.command()
@click.argument("code")
@click.option("--no-color", is_flag=True, help="Print the page as plain Markdown.")
def explain(code: str, no_color: bool) -> None:
    """Explain a rule (by code or name): what it finds, why it fails, and what to write instead."""
    rule = find_rule(code)
    if rule is None:
        raise _fail(f"unknown rule {code!r}; `tfscope-lint rules` lists them all")
    from tfscope_lint.output.docs import explain_markdown

    page = explain_markdown(rule)
    console = make_console(sys.stdout, color_allowed(no_color))
    if console.is_terminal and color_allowed(no_color):
        from rich.markdown import Markdown

        console.print(Markdown(page))
    else:
        click.echo(page, nl=False)


@main.command("vars")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--entry", "entries", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="The entry script to list (repeatable) [default: every script that creates variables].")
@click.option("--checkpoint", metavar="CKPT", help="Compare with a checkpoint: a prefix (reads CKPT.index), an "
              ".index file, a checkpoint directory, or a `name shape` listing as tf.train.list_variables prints.")
@click.option("--output-format", type=click.Choice(["concise", "json", "csv"]), default="concise",
              show_default=True, help="A table for people, JSON or CSV for programs.")
@click.option("--config", metavar="FILE", help="Read settings from this pyproject.toml (or TOML file) only.")
@click.option("--select", multiple=True, metavar="CODES", help="With --checkpoint: codes or prefixes to report.")
@click.option("--extend-select", multiple=True, metavar="CODES", help="With --checkpoint: codes to report besides.")
@click.option("--ignore", multiple=True, metavar="CODES", help="With --checkpoint: codes or prefixes not to report.")
@click.option("--tf-version", metavar="X.Y", help="The TensorFlow 1.x version the code runs on [default: 1.15].")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False), help="Write to a file, not stdout.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when the checkpoint comparison finds something.")
@click.option("-q", "--quiet", is_flag=True, help="With --checkpoint: print the findings only, not the tables.")
@click.option("--no-color", is_flag=True, help="Never colour the output.")
def vars_command(paths: Sequence[str], **options: Any) -> None:
    """List the variables each entry script creates, as tf.global_variables() would; compare with a checkpoint."""
    from tfscope_lint.vars_command import VarsError, run_vars

    overrides = {key: _split(options[key.replace("-", "_")]) for key in ("select", "extend-select", "ignore")
                 if options[key.replace("-", "_")]}
    if options["tf_version"]:
        overrides["tf-version"] = options["tf_version"]
    try:
        settings = load_settings(list(paths) or list(options["entries"]), config=options["config"],
                                 overrides=overrides)
        # the file's select/ignore are written for `check`: a `select = ["TFS1"]` must not silence TFS3xx here
        selectors = {key: value for key, value in overrides.items() if key != "tf-version"}
        settings = dataclasses.replace(settings, enabled=resolve_selection([selectors]))
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    with ExitStack() as stack:
        stream: TextIO = sys.stdout
        if options["output_file"]:
            try:
                stream = stack.enter_context(open(options["output_file"], "w", encoding="utf-8"))
            except OSError as exc:
                raise _fail(f"--output-file {options['output_file']}: {exc.strerror or exc}") from None
        try:
            code = with_deep_stack(lambda: run_vars(
                settings, paths or (".",), list(options["entries"]), options["checkpoint"], options["output_format"],
                stream, color_allowed(options["no_color"]) and not options["output_file"], options["quiet"]))
        except VarsError as exc:
            raise _fail(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - never a traceback: the message names what failed
            raise _fail(f"internal error: {type(exc).__name__}: {exc}") from None
    raise click.exceptions.Exit(0 if code == 1 and options["exit_zero"] else code)
