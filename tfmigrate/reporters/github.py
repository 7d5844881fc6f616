"""GitHub Actions workflow commands: annotations on the pull request."""

from __future__ import annotations

from typing import Sequence, TextIO

from tfmigrate.engine import Diagnostic


def _escape(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def report(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    for d in diagnostics:
        level = "error" if d.code.startswith("TFM9") else "warning"
        stream.write(
            f"::{level} file={_escape(d.path, True)},line={d.line},col={d.column},"
            f"endLine={d.end_line},endColumn={d.end_column},title={_escape(d.code, True)}"
            f"::{_escape(f'{d.code} {d.message}')}\n")
