"""The command line: parse options, call the engine, hand results to a reporter."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Mapping, Sequence, TextIO

import click

from tfmigrate import __version__, notebooks
from tfmigrate.config import ConfigError, Settings, find_pyproject, load, located
from tfmigrate.engine import Diagnostic, all_rules, migrate
from tfmigrate.files import discover
from tfmigrate.reporters import REPORTERS, text
from tfmigrate.runner import CACHE_DIR, Job, Outcome, run

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def _common(function):
    options = [
        # readable=False: an unreadable file is a TFM901 finding, not a usage error that
        # stops the whole run.
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False)),
        click.option("--select", help="Rule codes or prefixes to enable (comma-separated)."),
        click.option("--extend-select", help="Codes or prefixes to enable on top of the selection."),
        click.option("--ignore", help="Codes or prefixes to disable."),
        click.option("--unsafe-fixes/--no-unsafe-fixes", default=None,
                     help="Also apply fixes that may change behaviour."),
        click.option("--output-format", type=click.Choice(sorted(REPORTERS)), default="text",
                     show_default=True, help="How findings are printed."),
        click.option("--statistics", is_flag=True, help="Count findings per rule instead."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings."),
        click.option("--stdin-filename", help="The name of the file read from `-`."),
        click.option("--jobs", "-j", type=click.IntRange(min=0), default=0,
                     help="Worker processes (0: one per core)."),
        click.option("--no-cache", is_flag=True, help="Do not read or write .tfmigrate_cache/."),
        click.option("--force-exclude", is_flag=True,
                     help="Apply exclude patterns to files named on the command line too "
                          "(as pre-commit names them)."),
        click.option("--config", type=click.Path(path_type=Path, dir_okay=False),
                     help="The pyproject.toml to read (default: the nearest one)."),
        click.option("--quiet", "-q", is_flag=True, help="No summary on stderr."),
        click.option("--report", type=click.Path(path_type=Path, dir_okay=False),
                     help="Also write a self-contained HTML migration report to this file."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _settings(options: dict) -> Settings:
    pyproject = options["config"] or find_pyproject(Path.cwd())
    overrides = {"select": _codes(options["select"]), "ignore": _codes(options["ignore"]),
                 "extend_select": _codes(options["extend_select"]),
                 "unsafe_fixes": options["unsafe_fixes"]}
    if options["config"] is not None and not options["config"].is_file():
        raise ConfigError(f"config file {options['config']} does not exist")
    settings = load(pyproject, overrides)
    return settings.validate(rule.code for rule in all_rules())


def _fail(message: str) -> None:
    click.echo(f"tfmigrate: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tfmigrate")
def main() -> None:
    """Find TensorFlow 1.x code and rewrite it into idiomatic TensorFlow 2."""
    # A file name that is not valid UTF-8 is printed as its own bytes instead of crashing.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="surrogateescape")


@main.command()
@_common
def check(**options) -> None:
    """Report TF1 constructs. Exit 0 clean, 1 findings, 2 error."""
    _execute(options, fix=False, write=False)


@main.command()
@_common
@click.option("--write", is_flag=True, help="Apply the fixes in place (atomic writes).")
def fix(**options) -> None:
    """Show the fixes as a diff; with --write, apply them."""
    _execute(options, fix=True, write=options.pop("write"))


def _execute(options: dict, fix: bool, write: bool) -> None:
    try:
        settings = _settings(options)
    except ConfigError as error:
        _fail(str(error))
    paths = list(options["paths"])
    if not paths:
        _fail("no paths given (try `tfmigrate check .`)")
    if Path("-") in paths:
        if len(paths) > 1:
            _fail("`-` (stdin) cannot be combined with other paths")
        if options["report"] is not None:
            _fail("--report cannot be combined with `-` (stdin)")
        sys.exit(_stdin(options, settings, fix))
    files, missing = discover(paths, settings, options["force_exclude"])
    cache_dir = None if options["no_cache"] else Path(settings.root) / CACHE_DIR
    report_path = options["report"]
    jobs = [Job(_display(path), fix=fix, write=write, diff=fix and not write,
                keep_text=report_path is not None) for path in files]
    outcomes = run(jobs, settings, options["jobs"], cache_dir)
    diagnostics = [_missing(m.path) for m in missing]
    diagnostics += [d for outcome in outcomes for d in outcome.result.diagnostics]
    if fix and not write:
        for outcome in outcomes:
            sys.stdout.write(outcome.diff)
        # stdout is the patch alone (`> x.patch`, `| git apply`); the findings left are placed
        # in the fixed code, so they go to stderr with excerpts taken from that code.
        fixed = {o.path: o.result.fixed_source for o in outcomes
                 if o.result.fixed_source is not None}
        _report(diagnostics, options, sys.stderr, fixed)
    else:
        _report(diagnostics, options)
    pending = sum(1 for o in outcomes if o.result.fixed_source is not None and not o.written)
    if not options["quiet"]:
        _summary(outcomes, diagnostics, fix, write, len(files))
    if report_path is not None:
        _write_report(report_path, outcomes, diagnostics,
                      "write" if write else "fix" if fix else "check", len(files),
                      options["quiet"])
    sys.exit(_exit_code(diagnostics, options, pending if fix and not write else 0))


def _write_report(path: Path, outcomes, diagnostics, mode: str, files: int,
                  quiet: bool) -> None:
    from tfmigrate import report

    try:
        report.write(path, outcomes, diagnostics, mode=mode, files=files)
    except OSError as error:
        _fail(f"cannot write the report {path}: {error.strerror or error}")
    if not quiet:
        click.echo(f"Report written to {path}.", err=True)


def _display(path: Path) -> str:
    try:
        return located(path).relative_to(Path.cwd().resolve()).as_posix() \
            if path.is_absolute() else path.as_posix()
    except (ValueError, OSError, RuntimeError):
        return path.as_posix()


def _missing(path: Path) -> Diagnostic:
    return Diagnostic(_display(path), 1, 1, 1, 1, "TFM901",
                      "cannot read file: no such file or directory")


def _report(diagnostics: Sequence[Diagnostic], options: dict, stream: TextIO | None = None,
            sources: Mapping[str, str | bytes] | None = None) -> None:
    """`sources`: the text that positions refer to where it is not the file on disk."""
    stream = stream or sys.stdout
    diagnostics = sorted(diagnostics, key=lambda d: (d.path, d.cell or 0, d.line, d.column,
                                                     d.code))
    if options["statistics"]:
        _statistics(diagnostics, stream)
    elif options["output_format"] == "text" and diagnostics:
        text.full(diagnostics, stream, sources)
    elif options["output_format"] in ("json", "sarif") or diagnostics:
        REPORTERS[options["output_format"]](diagnostics, stream)


def _statistics(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    from tfmigrate.rules import BY_CODE

    counts = Counter(d.code for d in diagnostics)
    fixable = {d.code for d in diagnostics if d.applicable}
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        marker = "[*]" if code in fixable else "   "
        click.echo(f"{count:>6}  {code} {marker} {BY_CODE[code].name}", file=stream)


def _summary(outcomes: Sequence[Outcome], diagnostics, fix: bool, write: bool,
             files: int) -> None:
    fixed = sum(len(o.result.fixed_codes) for o in outcomes if o.written or not write)
    changed = sum(1 for o in outcomes if o.result.fixed_source is not None)
    remaining = len(diagnostics)
    if not fix:
        fixable = sum(1 for d in diagnostics if d.applicable)
        hidden = sum(1 for d in diagnostics if d.fix == "unsafe" and not d.applicable)
        text = (f"Found {remaining} finding{'s' * (remaining != 1)} in {files} "
                f"file{'s' * (files != 1)}.")
        if fixable:
            text += f" {fixable} fixable with `tfmigrate fix --write`."
        if hidden:
            text += f" {hidden} more with `--unsafe-fixes`."
    elif write:
        text = (f"Fixed {fixed} finding{'s' * (fixed != 1)} in {changed} "
                f"file{'s' * (changed != 1)}; {remaining} left for a person.")
    else:
        text = (f"Would fix {fixed} finding{'s' * (fixed != 1)} in {changed} "
                f"file{'s' * (changed != 1)} (apply with `--write`); {remaining} left "
                "for a person.")
    click.echo(text, err=True)


def _exit_code(diagnostics: Sequence[Diagnostic], options: dict, pending: int) -> int:
    if any(d.code == "TFM904" for d in diagnostics):
        return EXIT_ERROR
    if options["exit_zero"]:
        return EXIT_CLEAN
    return EXIT_FINDINGS if diagnostics or pending else EXIT_CLEAN


def _stdin(options: dict, settings: Settings, fix: bool) -> int:
    name = options["stdin_filename"] or "-"
    raw = sys.stdin.buffer.read()
    result = (notebooks.migrate if notebooks.is_notebook(name) else migrate)(
        raw, name, settings, fix=fix)
    if fix:
        sys.stdout.buffer.write(result.fixed_source if result.fixed_source is not None else raw)
        sys.stdout.flush()
        if result.diagnostics and not options["quiet"]:
            REPORTERS["concise"](result.diagnostics, sys.stderr)
    else:
        # Excerpts from what was read, not from a file of the same name on disk.
        _report(result.diagnostics, options, sources={name: raw})
    return _exit_code(result.diagnostics, options, 0)


@main.command("rules")
def list_rules() -> None:
    """Every rule: code, name, fix, summary."""
    for rule in all_rules():
        fixable = {"safe": "[*]", "unsafe": "[!]", "none": "   "}[rule.fix.value]
        click.echo(f"{rule.code}  {fixable}  {rule.name:<28} {rule.summary}")
    click.echo("\n[*] safe fix   [!] unsafe fix (needs --unsafe-fixes)", err=True)


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """A rule's documentation with its examples."""
    from tfmigrate.rule import Invalid
    from tfmigrate.rules import BY_CODE

    rule = BY_CODE.get(code.upper())
    if rule is None:
        _fail(f"unknown rule code {code!r} (see `tfmigrate rules`)")
    click.echo(f"# {rule.code} {rule.name}\n\n{rule.summary}\n\nFix: {rule.fix.value}")
    click.echo(rule.doc.rstrip())
    for example in rule.examples:
        if isinstance(example, Invalid):
            click.echo("\n## Reported\n\n```python\n" + example.code.rstrip() + "\n```")
            if example.fixed is not None:
                click.echo("\nbecomes\n\n```python\n" + example.fixed.rstrip() + "\n```")
        else:
            click.echo("\n## Left alone\n\n```python\n" + example.code.rstrip() + "\n```")


if __name__ == "__main__":  # pragma: no cover
    main()
