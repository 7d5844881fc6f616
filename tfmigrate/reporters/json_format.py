"""JSON: a list of findings, stable keys, for scripts."""

from __future__ import annotations

import json
from typing import Sequence, TextIO

from tfmigrate.engine import Diagnostic


def report(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    from tfmigrate.rules import BY_CODE

    items = []
    for d in diagnostics:
        rule = BY_CODE.get(d.code)
        items.append({
            "path": d.path, "cell": d.cell,
            "location": {"line": d.line, "column": d.column},
            "end_location": {"line": d.end_line, "column": d.end_column},
            "code": d.code, "name": rule.name if rule else None, "message": d.message,
            "fix": {"safety": d.fix, "applicable": d.applicable},
        })
    json.dump(items, stream, indent=2)
    stream.write("\n")
