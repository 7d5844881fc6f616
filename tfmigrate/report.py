"""The migration report: one self-contained HTML file a person can read after a run.

`tfmigrate fix --write --report migration.html` (or `check --report ...`). Inline CSS, no
script and no external resource of any kind, so it opens the same offline, from a CI artifact
or an e-mail. Sections: totals by rule family, what was fixed (per rule, per file), what is
left for a person (per file and rule, with the rule's guidance), the rules' documentation, and
each changed file's diff side by side (a notebook's per cell).
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import html
from collections import Counter, defaultdict
from pathlib import Path
from typing import Sequence

from tfmigrate import __version__, notebooks
from tfmigrate.engine import Diagnostic
from tfmigrate.runner import Outcome

FAMILIES = {
    "TFM1": "Removed modules (tf.app, tf.flags, tf.logging, tf.gfile, tf.contrib)",
    "TFM2": "Graph and session",
    "TFM3": "Variables and layers",
    "TFM4": "Summaries and metrics",
    "TFM5": "Optimizers, losses, training, saving",
    "TFM6": "Data and estimators",
    "TFM7": "Keras 3",
    "TFM8": "API renames and arguments",
    "TFM9": "The tool's own (unreadable, unparsable, failed fixes)",
}
CONTEXT = 3  # unchanged lines shown around a change

_CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg2:#f6f8fa; --del:#ffebe9;
        --deldark:#ffcecb; --add:#dafbe1; --adddark:#aceebb; --accent:#0969da; }
* { box-sizing: border-box; }
body { font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg);
       margin: 0 auto; max-width: 1400px; padding: 24px 32px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; border-bottom: 1px solid var(--line); padding-bottom: 6px; margin-top: 36px; }
h3 { font-size: 16px; margin: 22px 0 8px; }
h4 { font-size: 14px; margin: 14px 0 6px; }
.meta { color: var(--muted); margin: 0 0 16px; }
nav a { margin-right: 14px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
                   font-size: 12.5px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 150px;
        background: var(--bg2); }
.card b { display: block; font-size: 24px; }
.card span { color: var(--muted); }
table { border-collapse: collapse; }
table.grid { min-width: 480px; margin: 8px 0; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 4px 10px; text-align: left;
                               vertical-align: top; }
table.grid th { background: var(--bg2); }
table.grid td.num, table.grid th.num { text-align: right; font-variant-numeric: tabular-nums; }
.fixed { color: #1a7f37; font-weight: 600; }
.left { color: #bc4c00; font-weight: 600; }
.finding { margin: 2px 0 2px 12px; }
.finding .loc { font-family: ui-monospace, Menlo, Consolas, monospace; color: var(--muted); }
.rule { border-left: 3px solid var(--line); padding-left: 12px; margin: 12px 0; }
.summary { color: var(--muted); }
details { margin: 6px 0; }
details pre { background: var(--bg2); padding: 10px; white-space: pre-wrap; border-radius: 6px; }
.filediff { border: 1px solid var(--line); border-radius: 8px; margin: 16px 0; overflow: hidden; }
.filediff > h3 { margin: 0; padding: 8px 12px; background: var(--bg2);
                 border-bottom: 1px solid var(--line); font-size: 14px; }
.filediff h4 { margin: 0; padding: 6px 12px; background: #fff8c5; font-weight: 600; }
table.diff { width: 100%; table-layout: fixed; }
table.diff col.no { width: 48px; }
table.diff th { background: var(--bg2); font-weight: 600; text-align: left; padding: 4px 8px;
                border-bottom: 1px solid var(--line); }
table.diff td { padding: 0 8px; vertical-align: top; white-space: pre-wrap;
                word-break: break-all; font-family: ui-monospace, Menlo, Consolas, monospace;
                font-size: 12.5px; }
table.diff td.no { color: var(--muted); text-align: right; user-select: none;
                   border-right: 1px solid var(--line); }
td.del { background: var(--del); } td.add { background: var(--add); }
td.del span.x { background: var(--deldark); } td.add span.x { background: var(--adddark); }
tr.gap td { background: var(--bg2); color: var(--muted); text-align: center; }
.empty { color: var(--muted); font-style: italic; }
"""


def render(outcomes: Sequence[Outcome], diagnostics: Sequence[Diagnostic], *, mode: str,
           files: int | None = None) -> str:
    """The report's HTML. `mode`: "check", "fix" (a dry run) or "write" (fixes applied)."""
    from tfmigrate.rules import BY_CODE

    applied = mode == "write"
    fixed_by_file: dict[str, Counter] = {}
    for outcome in outcomes:
        counts = Counter(outcome.result.fixed_codes)
        if counts and (outcome.written or mode == "fix"):
            fixed_by_file[outcome.path] = counts
    fixed = sum((c for c in fixed_by_file.values()), Counter())
    left = Counter(d.code for d in diagnostics)
    changed = [o for o in outcomes if o.result.fixed_source is not None and
               (o.written or mode == "fix") and o.original is not None]
    files = len(outcomes) if files is None else files
    fixed_word = {"write": "Fixed", "fix": "Would be fixed", "check": "Fixed"}[mode]
    title = "tfmigrate migration report"
    command = {"check": "tfmigrate check", "fix": "tfmigrate fix (dry run: nothing written)",
               "write": "tfmigrate fix --write"}[mode]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    out = [f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"]
    out.append(f"<header><h1>{_e(title)}</h1><p class=\"meta\">{_e(command)} · "
               f"tfmigrate {_e(__version__)} · {_e(now)}</p>\n")
    out.append("<nav><a href=\"#totals\">Totals</a><a href=\"#fixed\">Fixed</a>"
               "<a href=\"#left\">Left for a person</a><a href=\"#diffs\">Changes</a>"
               "<a href=\"#rules\">Rules</a></nav></header>\n")
    fixable_left = sum(1 for d in diagnostics if d.applicable)
    out.append("<div class=\"cards\">")
    out.append(_card(files, "files checked"))
    out.append(_card(len(fixed_by_file), "files changed" if applied else
                     "files to change" if mode == "fix" else "files changed (check: none)"))
    out.append(_card(sum(fixed.values()), "findings fixed" if applied else
                     "findings fixable" if mode == "fix" else "findings fixed (check: none)"))
    out.append(_card(len(diagnostics), "findings left"))
    if mode == "check":
        out.append(_card(fixable_left, "fixable with <code>tfmigrate fix --write</code>",
                         raw=True))
    out.append("</div>\n")

    # -- totals by family --
    out.append("<section id=\"totals\"><h2>Totals by rule family</h2>\n")
    families = sorted({c[:4] for c in list(fixed) + list(left)})
    if families:
        out.append(f"<table class=\"grid\"><thead><tr><th>Family</th><th>What</th>"
                   f"<th class=\"num\">{_e(fixed_word)}</th><th class=\"num\">Left</th>"
                   "</tr></thead><tbody>\n")
        for family in families:
            f_count = sum(n for c, n in fixed.items() if c.startswith(family))
            l_count = sum(n for c, n in left.items() if c.startswith(family))
            out.append(f"<tr><td><code>{_e(family)}xx</code></td>"
                       f"<td>{_e(FAMILIES.get(family, ''))}</td>"
                       f"<td class=\"num fixed\">{f_count}</td>"
                       f"<td class=\"num left\">{l_count}</td></tr>\n")
        out.append(f"<tr><th colspan=\"2\">Total</th><th class=\"num\">{sum(fixed.values())}"
                   f"</th><th class=\"num\">{len(diagnostics)}</th></tr>\n")
        out.append("</tbody></table>\n")
    else:
        out.append("<p class=\"empty\">No findings: nothing to migrate.</p>\n")
    out.append("</section>\n")

    # -- fixed --
    heading = "What was fixed" if mode != "fix" else "What fix would change (dry run)"
    out.append(f"<section id=\"fixed\"><h2>{_e(heading)}</h2>\n")
    if mode == "check":
        out.append("<p class=\"empty\">Nothing was changed: this report comes from "
                   "<code>tfmigrate check</code>. "
                   f"{fixable_left} finding{'s' * (fixable_left != 1)} below can be fixed "
                   "automatically with <code>tfmigrate fix --write</code>.</p>\n")
    elif not fixed:
        out.append("<p class=\"empty\">No automatic fix applied.</p>\n")
    else:
        out.append("<h3>By rule</h3><table class=\"grid\"><thead><tr><th>Rule</th><th>Name</th>"
                   "<th class=\"num\">Count</th><th>What it does</th></tr></thead><tbody>\n")
        for code, count in sorted(fixed.items(), key=lambda i: (-i[1], i[0])):
            rule = BY_CODE.get(code)
            out.append(f"<tr><td>{_rule_link(code)}</td><td>{_e(rule.name if rule else '')}</td>"
                       f"<td class=\"num fixed\">{count}</td>"
                       f"<td>{_e(rule.summary if rule else '')}</td></tr>\n")
        out.append("</tbody></table>\n<h3>By file</h3><table class=\"grid\"><thead><tr>"
                   "<th>File</th><th class=\"num\">Count</th><th>Rules</th></tr></thead>"
                   "<tbody>\n")
        for path in sorted(fixed_by_file):
            counts = fixed_by_file[path]
            rules = ", ".join(f"{_rule_link(c)}&nbsp;×{n}" for c, n in sorted(counts.items()))
            anchor = f" <a href=\"#{_anchor('diff', path)}\">diff</a>" if any(
                o.path == path for o in changed) else ""
            out.append(f"<tr><td><code>{_e(path)}</code>{anchor}</td>"
                       f"<td class=\"num fixed\">{sum(counts.values())}</td>"
                       f"<td>{rules}</td></tr>\n")
        out.append("</tbody></table>\n")
    out.append("</section>\n")

    # -- left for a person --
    out.append("<section id=\"left\"><h2>What is left for a person</h2>\n")
    if not diagnostics:
        out.append("<p class=\"empty\">Nothing: every finding was fixed.</p>\n")
    else:
        by_file: dict[str, dict[str, list[Diagnostic]]] = defaultdict(lambda: defaultdict(list))
        for d in sorted(diagnostics, key=lambda d: (d.path, d.cell or 0, d.line, d.column)):
            by_file[d.path][d.code].append(d)
        out.append("<table class=\"grid\"><thead><tr><th>File</th><th class=\"num\">Findings"
                   "</th><th>Rules</th></tr></thead><tbody>\n")
        for path, rules in sorted(by_file.items()):
            total = sum(len(v) for v in rules.values())
            out.append(f"<tr><td><a href=\"#{_anchor('left', path)}\"><code>{_e(path)}</code>"
                       f"</a></td><td class=\"num left\">{total}</td><td>"
                       + ", ".join(_rule_link(c) for c in sorted(rules)) + "</td></tr>\n")
        out.append("</tbody></table>\n")
        for path, rules in sorted(by_file.items()):
            out.append(f"<h3 id=\"{_anchor('left', path)}\"><code>{_e(path)}</code></h3>\n")
            for code in sorted(rules):
                rule = BY_CODE.get(code)
                found = rules[code]
                out.append(f"<div class=\"rule\"><h4>{_rule_link(code)} "
                           f"{_e(rule.name if rule else '')} — {len(found)} "
                           f"finding{'s' * (len(found) != 1)}</h4>")
                if rule is not None:
                    out.append(f"<div class=\"summary\">{_e(rule.summary)}</div>")
                for d in found:
                    where = (f"cell {d.cell}, " if d.cell is not None else "") + \
                        f"line {d.line}, col {d.column}"
                    unsafe = " <em>(fix available with --unsafe-fixes)</em>" \
                        if d.fix == "unsafe" and not d.applicable else ""
                    out.append(f"<div class=\"finding\"><span class=\"loc\">{_e(where)}</span>"
                               f": {_e(d.message)}{unsafe}</div>")
                out.append("</div>\n")
    out.append("</section>\n")

    # -- diffs --
    out.append("<section id=\"diffs\"><h2>Changes, side by side</h2>\n")
    if not changed:
        out.append("<p class=\"empty\">No file was changed.</p>\n")
    for outcome in sorted(changed, key=lambda o: o.path):
        out.append(_file_diff(outcome))
    out.append("</section>\n")

    # -- rules --
    codes = sorted(set(fixed) | set(left))
    out.append("<section id=\"rules\"><h2>Rules in this report</h2>\n")
    if not codes:
        out.append("<p class=\"empty\">None.</p>\n")
    for code in codes:
        rule = BY_CODE.get(code)
        if rule is None:
            continue
        fix = {"safe": "safe fix", "unsafe": "unsafe fix (--unsafe-fixes)",
               "none": "no automatic fix"}.get(rule.fix.value, rule.fix.value)
        out.append(f"<div class=\"rule\" id=\"rule-{_e(code)}\"><h4><code>{_e(code)}</code> "
                   f"{_e(rule.name)} <span class=\"summary\">({_e(fix)})</span></h4>"
                   f"<div>{_e(rule.summary)}</div>")
        if rule.doc.strip():
            out.append(f"<details><summary>Documentation (<code>tfmigrate explain {_e(code)}"
                       f"</code>)</summary><pre>{_e(rule.doc.strip())}</pre></details>")
        out.append("</div>\n")
    out.append("</section>\n</body>\n</html>\n")
    return "".join(out)


def write(path: Path, outcomes: Sequence[Outcome], diagnostics: Sequence[Diagnostic], *,
          mode: str, files: int | None = None) -> None:
    text = render(outcomes, diagnostics, mode=mode, files=files)
    path.write_text(text, encoding="utf-8", errors="replace")


# -- pieces --------------------------------------------------------------------------------

def _e(value: object) -> str:
    """Escaped for HTML text and attributes; undecodable bytes (surrogates) shown as U+FFFD."""
    text = str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return html.escape(text, quote=True)


def _card(value: int, label: str, raw: bool = False) -> str:
    return f"<div class=\"card\"><b>{value}</b><span>{label if raw else _e(label)}</span></div>"


def _rule_link(code: str) -> str:
    return f"<a href=\"#rule-{_e(code)}\"><code>{_e(code)}</code></a>"


def _anchor(kind: str, path: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in path)
    digest = hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:6]
    return f"{kind}-{safe}-{digest}"


def _decode(data: bytes | str | None) -> str:
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    return data.decode("utf-8", "replace")


def _file_diff(outcome: Outcome) -> str:
    path = outcome.path
    out = [f"<div class=\"filediff\" id=\"{_anchor('diff', path)}\"><h3><code>{_e(path)}</code>"
           "</h3>\n"]
    before, after = outcome.original, outcome.result.fixed_source
    if notebooks.is_notebook(path):
        old_cells = notebooks.cell_sources(before or b"")
        new_cells = notebooks.cell_sources(after if isinstance(after, bytes)
                                           else _decode(after).encode())
        for number in sorted(set(old_cells) | set(new_cells)):
            old, new = old_cells.get(number, ""), new_cells.get(number, "")
            if old != new:
                out.append(f"<h4>cell {number}</h4>\n")
                out.append(_side_by_side(old, new))
    else:
        out.append(_side_by_side(_decode(before), _decode(after)))
    out.append("</div>\n")
    return "".join(out)


def _side_by_side(old_text: str, new_text: str) -> str:
    old = old_text.splitlines()
    new = new_text.splitlines()
    rows = ["<table class=\"diff\"><colgroup><col class=\"no\"><col><col class=\"no\"><col>"
            "</colgroup><thead><tr><th></th><th>before</th><th></th><th>after</th></tr>"
            "</thead><tbody>\n"]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    groups = list(matcher.get_grouped_opcodes(CONTEXT))
    for number, group in enumerate(groups):
        first_old, first_new = group[0][1], group[0][3]
        if number or first_old or first_new:
            rows.append(f"<tr class=\"gap\"><td colspan=\"4\">⋯ line {first_old + 1} → "
                        f"{first_new + 1}</td></tr>\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for i, j in zip(range(i1, i2), range(j1, j2)):
                    rows.append(_row(i + 1, _e(old[i]), "", j + 1, _e(new[j]), ""))
                continue
            left = list(range(i1, i2))
            right = list(range(j1, j2))
            for k in range(max(len(left), len(right))):
                i = left[k] if k < len(left) else None
                j = right[k] if k < len(right) else None
                if i is not None and j is not None:
                    old_html, new_html = _intraline(old[i], new[j])
                else:
                    old_html = _e(old[i]) if i is not None else ""
                    new_html = _e(new[j]) if j is not None else ""
                rows.append(_row(None if i is None else i + 1, old_html,
                                 "del" if i is not None else "",
                                 None if j is None else j + 1, new_html,
                                 "add" if j is not None else ""))
    rows.append("</tbody></table>\n")
    return "".join(rows)


def _row(old_no, old_html, old_class, new_no, new_html, new_class) -> str:
    def cell(css, content):
        return f"<td class=\"{css}\">{content}</td>" if css else f"<td>{content}</td>"

    return ("<tr>" + cell("no", old_no or "") + cell(old_class, old_html)
            + cell("no", new_no or "") + cell(new_class, new_html) + "</tr>\n")


def _intraline(old: str, new: str) -> tuple[str, str]:
    """Both lines escaped, the changed parts marked."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left, right = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = _e(old[i1:i2]), _e(new[j1:j2])
        if tag == "equal":
            left.append(a)
            right.append(b)
        else:
            if a:
                left.append(f"<span class=\"x\">{a}</span>")
            if b:
                right.append(f"<span class=\"x\">{b}</span>")
    return "".join(left), "".join(right)
