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
from typing import Any, Dict, List, Optional, Sequence, TextIO

import click

from tfscope_lint import __version__
from tfscope_lint.analysis.engine import GC_THRESHOLDS
from tfscope_lint.config import (
    LIST_KEYS, OUTPUT_FORMATS, ConfigError, load_settings, parse_per_file_ignores, resolve_selection,
)
from tfscope_lint.files import SourceError, decode_source
from tfscope_lint.findings import RunResult
from tfscope_lint.output import FORMATS, Context
from tfscope_lint.output.console import color_allowed, make_console
from tfscope_lint.output.docs import explain_markdown, naming_markdown, naming_table, rules_markdown_table, rules_table
from tfscope_lint.output.progress import ProgressBar, wanted
from tfscope_lint.output.summary import write_problems, write_statistics, write_summary
from tfscope_lint.rules import RULES, Rule
from tfscope_lint.runner import Progress, run, with_deep_stack

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
    for key in ("output-format", "tf-version"):
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
@click.option("--statistics", is_flag=True, help="Print the number of findings per code instead of the findings.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary, no progress bar.")
@click.option("--no-color", is_flag=True, help="Never colour the output (NO_COLOR is respected too).")
@click.option("-v", "--verbose", is_flag=True, help="Show the details of files that could not be checked "
              "(the traceback of an internal error), and where a budget cut a file's analysis short.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes; 0 means one per core.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Where to keep the cache [default: .tfscope_cache in the project root].")
def check(paths: Sequence[str], **options: Any) -> None:
    """Check Python files and directories (default: the current directory)."""
    stdin_name: Optional[str] = options["stdin_filename"]
    if stdin_name and [p for p in paths if p != "-"]:
        raise _fail("--stdin-filename reads one file from standard input: do not pass paths as well")
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
    progress: Progress = Progress()
    if wanted(sys.stderr, options["quiet"]):
        progress = ProgressBar(sys.stderr)
    jobs = options["jobs"] or os.cpu_count() or 1
    cache_dir = None if options["no_cache"] else (options["cache_dir"] or str(settings.root / ".tfscope_cache"))
    try:
        result = with_deep_stack(lambda: run(settings, paths or (".",), stdin=stdin, progress=progress, jobs=jobs,
                                             cache_dir=cache_dir))
    finally:
        if isinstance(progress, ProgressBar):
            progress.close()
    _report(result, settings.output_format, options, color)
    raise click.exceptions.Exit(_exit_code(result, options["exit_zero"]))


def _read_stdin() -> bytes:
    """The raw bytes, so that a coding cookie or BOM is honoured as for a file on disk."""
    stream = getattr(sys.stdin, "buffer", None)
    return stream.read() if stream is not None else sys.stdin.read().encode("utf-8")


def _report(result: RunResult, fmt: str, options: Dict[str, Any], color: bool) -> None:
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
                      files=list(result.sources))
        if options["statistics"]:
            write_statistics(result, ctx, as_json=fmt in MACHINE_STATISTICS)
        else:
            FORMATS[fmt](result, ctx)
    write_problems(result, sys.stderr, color, verbose=options["verbose"])
    if not options["quiet"] and fmt in HUMAN_FORMATS:
        write_summary(result, sys.stderr, color)


def _exit_code(result: RunResult, exit_zero: bool) -> int:
    if result.problems:
        return 2
    return 1 if result.findings and not exit_zero else 0


@main.command("rules")
@click.option("--output-format", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True, help="A table for people, JSON for programs, Markdown for docs.")
@click.option("--no-color", is_flag=True, help="Never colour the output.")
@click.option("--naming", is_flag=True, help="Also list how each layer, cell and optimizer names its variables.")
def rules_command(output_format: str, no_color: bool, naming: bool) -> None:
    """List every rule: code, name, severity and summary."""
    if naming and output_format == "markdown":
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
