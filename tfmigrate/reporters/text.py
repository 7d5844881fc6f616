"""Human-readable reports: one line per finding (`concise`) or with the source line (`text`)."""

from __future__ import annotations

import io
import linecache
import tokenize
from typing import Mapping, Sequence, TextIO

from tfmigrate.engine import Diagnostic


def _line(diagnostic: Diagnostic) -> str:
    from tfmigrate.reporters import location

    marker = " [*]" if diagnostic.applicable else ""
    return f"{location(diagnostic)}: {diagnostic.code}{marker} {diagnostic.message}"


def concise(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    for diagnostic in diagnostics:
        stream.write(_line(diagnostic) + "\n")


def _source_line(diagnostic: Diagnostic, sources: Mapping[str, str | bytes]) -> str:
    if diagnostic.cell is not None:
        return ""
    source = sources.get(diagnostic.path)
    if source is None:
        return linecache.getline(diagnostic.path, diagnostic.line).rstrip("\r\n")
    if isinstance(source, bytes):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
            source = source.decode(encoding, "replace")
        except (SyntaxError, LookupError):
            return ""
    # Universal newlines only (\n, \r\n, \r), as line numbers count them; str.splitlines
    # would also split at form feeds.
    lines = io.StringIO(source, newline=None).readlines()
    return lines[diagnostic.line - 1].rstrip("\n") if 0 < diagnostic.line <= len(lines) else ""


def full(diagnostics: Sequence[Diagnostic], stream: TextIO,
         sources: Mapping[str, str | bytes] | None = None) -> None:
    """`sources`: text by path where positions do not refer to the file on disk (a fix not
    written, stdin)."""
    for diagnostic in diagnostics:
        stream.write(_line(diagnostic) + "\n")
        source = _source_line(diagnostic, sources or {})
        if source.strip():
            gutter = f"{diagnostic.line:>5} | "
            stream.write(f"{gutter}{source}\n")
            width = (diagnostic.end_column - diagnostic.column
                     if diagnostic.end_line == diagnostic.line else len(source) - diagnostic.column + 1)
            stream.write(" " * (len(gutter) + diagnostic.column - 1) + "^" * max(1, width) + "\n")
