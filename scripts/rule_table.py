"""Print the README's rule table from the registry: `python scripts/rule_table.py`."""

from tfmigrate.engine import all_rules

FIX = {"safe": "safe", "unsafe": "unsafe", "none": "—"}


def table() -> str:
    lines = ["| Code | Name | Fix | What it does |", "|---|---|---|---|"]
    for rule in all_rules():
        summary = rule.summary.replace("|", "\\|")
        lines.append(f"| {rule.code} | `{rule.name}` | {FIX[rule.fix.value]} | {summary} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(table(), end="")
