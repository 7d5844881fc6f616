"""Human-readable reports: one line per finding (`concise`) or with the source line (`text`)."""

from __future__ import annotations

import linecache
from typing import Sequence, TextIO

from tfmigrate.engine import Diagnostic


def _line(diagnostic: Diagnostic) -> str:
    from tfmigrate.reporters import location

    marker = " [*]" if diagnostic.applicable else ""
    return f"{location(diagnostic)}: {diagnostic.code}{marker} {diagnostic.message}"


def concise(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    for diagnostic in diagnostics:
        stream.write(_line(diagnostic) + "\n")


def full(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    for diagnostic in diagnostics:
        stream.write(_line(diagnostic) + "\n")
        source = "" if diagnostic.cell is not None else \
            linecache.getline(diagnostic.path, diagnostic.line).rstrip("\r\n")
        if source.strip():
            gutter = f"{diagnostic.line:>5} | "
            stream.write(f"{gutter}{source}\n")
            width = (diagnostic.end_column - diagnostic.column
                     if diagnostic.end_line == diagnostic.line else len(source) - diagnostic.column + 1)
            stream.write(" " * (len(gutter) + diagnostic.column - 1) + "^" * max(1, width) + "\n")
