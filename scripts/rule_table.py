"""The README's rule table from the registry.

`python scripts/rule_table.py` prints it; `python scripts/rule_table.py --write` puts it
between the README's `<!-- rules:start -->` and `<!-- rules:end -->` markers.
"""

import re
import sys
from pathlib import Path

from tfmigrate.engine import all_rules

FIX = {"safe": "safe", "unsafe": "unsafe", "none": "—"}
README = Path(__file__).resolve().parent.parent / "README.md"


def table() -> str:
    lines = ["| Code | Name | Fix | What it does |", "|---|---|---|---|"]
    for rule in all_rules():
        summary = rule.summary.replace("|", "\\|")
        lines.append(f"| {rule.code} | `{rule.name}` | {FIX[rule.fix.value]} | {summary} |")
    return "\n".join(lines) + "\n"


def write() -> None:
    text = README.read_text(encoding="utf-8")
    new = re.sub(r"(<!-- rules:start -->\n).*?(<!-- rules:end -->)",
                 lambda m: m.group(1) + table() + m.group(2), text, count=1, flags=re.S)
    README.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write()
    else:
        print(table(), end="")
