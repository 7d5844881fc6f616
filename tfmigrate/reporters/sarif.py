"""SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence, TextIO
from urllib.parse import quote

from tfmigrate import __version__
from tfmigrate.engine import Diagnostic

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _artifact(path: str) -> dict:
    # A SARIF uri must be a valid URI: spaces and the like are percent-encoded, and a path
    # outside the current directory is an absolute file URI, which takes no uriBaseId.
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(Path(path).as_posix(), errors="surrogateescape"),
            "uriBaseId": "%SRCROOT%"}


def report(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    from tfmigrate.rules import ALL_RULES

    rules = [{
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc.strip() or rule.summary},
        "help": {"text": rule.doc.strip() or rule.summary, "markdown": rule.doc.strip() or rule.summary},
        "properties": {"fix": rule.fix.value},
    } for rule in ALL_RULES]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for d in diagnostics:
        region = {"startLine": d.line, "startColumn": d.column,
                  "endLine": d.end_line, "endColumn": d.end_column}
        result = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": "error" if d.code.startswith("TFM9") else "warning",
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": _artifact(d.path),
                "region": region}}],
        }
        if d.cell is not None:
            result["properties"] = {"cell": d.cell}
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "tfmigrate", "version": __version__,
                                "informationUri": "https://pypi.org/project/tfmigrate/",
                                "rules": rules}},
            "results": results,
        }],
    }
    json.dump(log, stream, indent=2)
    stream.write("\n")
