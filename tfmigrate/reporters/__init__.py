"""Reporters turn diagnostics into text, JSON, SARIF or GitHub annotations on a stream."""

from __future__ import annotations

from typing import Callable, Sequence, TextIO

from tfmigrate.engine import Diagnostic
from tfmigrate.reporters import github, json_format, sarif, text

Reporter = Callable[[Sequence[Diagnostic], TextIO], None]

REPORTERS: dict[str, Reporter] = {
    "text": text.full,
    "concise": text.concise,
    "json": json_format.report,
    "sarif": sarif.report,
    "github": github.report,
}


def location(diagnostic: Diagnostic) -> str:
    """`path:line:col`, or `path:cell N:line:col` inside a notebook."""
    cell = f"cell {diagnostic.cell}:" if diagnostic.cell is not None else ""
    return f"{diagnostic.path}:{cell}{diagnostic.line}:{diagnostic.column}"
