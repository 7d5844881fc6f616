"""Jupyter notebooks: the code cells as one program through the engine, mapped back to cells.

A notebook's code cells run in one namespace, so they are analysed as one module (a placeholder
made in cell 2 and run in cell 9 is one graph):

- the code cells are joined in order, with a sentinel comment line between two cells;
- IPython-only lines (`%matplotlib inline`, `!pip install x`, `x = !ls`, `tf.Session?`, a
  `%%bash` cell) become `pass  # <placeholder>` lines, one per line, so every cell keeps its
  line count and positions map back to (cell, line, column);
- with fixes, the fixed program is split again at the sentinels (lines the engine adds at the
  top, such as imports, belong to the first code cell), every placeholder is put back as the
  exact original line, and only the `source` strings of the changed cells are replaced in the
  JSON text: outputs, metadata, ids and the file's formatting stay byte for byte. Anything that
  does not check out (a sentinel or placeholder moved or lost, JSON that would not round-trip)
  is a TFM905 finding and the notebook is left as it was.

Cells are numbered like editors show them: the position in the notebook (markdown cells count),
from 1.
"""

from __future__ import annotations

import ast
import bisect
import difflib
import hashlib
import json
import keyword
import re
import warnings
from dataclasses import dataclass, replace
from json.decoder import scanstring

from tfmigrate.config import Settings
from tfmigrate.engine import (Diagnostic, Result, migrate as migrate_module, needs_analysis,
                              tool_rules)

SUFFIX = ".ipynb"


def is_notebook(path: str) -> bool:
    return path.lower().endswith(SUFFIX)


# -- entry point ---------------------------------------------------------------------------

def migrate(raw: bytes | str, path: str, settings: Settings, *, fix: bool = False) -> Result:
    """`engine.migrate` for a notebook file's bytes: diagnostics carry their cell, and
    `fixed_source` is the whole notebook file (bytes) with only changed cells' sources."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    result = Result(path)
    if not needs_analysis(raw, path, settings):
        return result  # like a .py file that never mentions TensorFlow: not even parsed
    enabled = settings.enabled_codes(path)
    tool = tool_rules()
    loaded = load(raw)
    if isinstance(loaded, str):
        _add(result, tool.UndecodableFile, loaded, enabled)
        return result
    notebook = loaded
    if not notebook.is_python:
        return result
    program = notebook.program()
    engine = migrate_module(program.text, path, settings, fix=fix)
    result.fixed_codes = list(engine.fixed_codes)
    if engine.fixed_source is None:
        result.diagnostics = program.locate_all(engine.diagnostics)
        return result
    try:
        sources, programs = notebook.split(engine.fixed_source)
        changed = {i: s for i, s in sources.items() if s != notebook.cells[i].source}
        fixed = notebook.patched(changed) if changed else None
    except NotebookError as error:
        # Change nothing; report what is there, placed in the notebook as it is.
        check = migrate_module(program.text, path, settings, fix=False)
        result.diagnostics = program.locate_all(check.diagnostics)
        result.fixed_codes = []
        _add(result, tool.FixFailed, f"{error}; notebook left unchanged", enabled, first=True)
        return result
    fixed_program = Program.of_cells(notebook, programs)
    result.diagnostics = fixed_program.locate_all(engine.diagnostics)
    if fixed is not None:
        result.fixed_source = fixed
    else:
        result.fixed_codes = []
    return result


def _add(result: Result, rule, message: str, enabled: frozenset[str], first: bool = False):
    if rule.code in enabled:
        diagnostic = Diagnostic(result.path, 1, 1, 1, 1, rule.code, message)
        if first:
            result.diagnostics.insert(0, diagnostic)
        else:
            result.diagnostics.append(diagnostic)


class NotebookError(Exception):
    """The fixed program cannot be put back into the notebook safely."""


# -- reading -------------------------------------------------------------------------------

@dataclass
class Cell:
    index: int  # position in the notebook's cells, from 0
    source: str  # the cell's text as stored (a list of lines joined)
    program: str  # the text that goes into the program: IPython lines are placeholders
    magics: dict[int, str]  # placeholder number -> the original line, without its line end
    placeholders: dict[int, str]  # placeholder number -> the placeholder line

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass
class Notebook:
    raw: bytes
    text: str  # the JSON text, without a byte-order mark
    bom: str
    data: dict
    cells: dict[int, Cell]  # code cells by position
    spans: dict[int, tuple[int, int]]  # where each code cell's source value is in `text`
    token: str
    is_python: bool = True

    def program(self) -> "Program":
        return Program.of_cells(self, {i: c.program for i, c in self.cells.items()})

    # -- fixed program back into cells --

    def split(self, fixed: str | bytes) -> tuple[dict[int, str], dict[int, str]]:
        """The fixed program's text per code cell: with IPython lines restored, and as it is
        in the program (placeholders)."""
        if isinstance(fixed, bytes):
            fixed = fixed.decode("utf-8")
        order = list(self.cells)
        pieces: list[list[str]] = [[]]
        marker = f"tfmigrate-cell-{self.token}-"
        for line in _lines(fixed):
            if marker in line:
                if line.strip() != _sentinel(self.token, len(pieces)):
                    raise NotebookError("a cell boundary was moved or changed by the fixes")
                pieces.append([])
            else:
                pieces[-1].append(line)
        if len(pieces) != len(order):
            raise NotebookError("a cell boundary was lost in the fixes")
        sources, programs = {}, {}
        for index, lines in zip(order, pieces):
            sources[index] = self._restore(self.cells[index], lines)
            programs[index] = "".join(lines)
        return sources, programs

    def _restore(self, cell: Cell, lines: list[str]) -> str:
        pattern = re.compile(rf"^[ \t]*[\w, ]+  # tfmigrate-magic-{self.token}-(\d+)[ \t]*$")
        found = []
        out = []
        for line in lines:
            body = line.rstrip("\r\n")
            ending = line[len(body):]
            match = pattern.match(body)
            if match:
                number = int(match.group(1))
                if number in cell.magics and body.strip() != cell.placeholders[number].strip():
                    raise NotebookError(f"an IPython line of cell {cell.number} was changed by "
                                        "the fixes")
                if number not in cell.magics:
                    raise NotebookError(f"an IPython line of cell {cell.number} moved to "
                                        "another cell in the fixes")
                found.append(number)
                out.append(cell.magics[number] + ending)
            elif f"tfmigrate-magic-{self.token}-" in line:
                raise NotebookError(f"an IPython line of cell {cell.number} was changed by "
                                    "the fixes")
            else:
                out.append(line)
        if sorted(found) != sorted(cell.magics):
            raise NotebookError(f"an IPython line of cell {cell.number} was lost in the fixes")
        text = "".join(out)
        if not _ends_line(cell.source) and text.endswith("\n"):
            text = text[:-1]  # the program added a line end the cell did not have
        return text

    # -- writing --

    def patched(self, sources: dict[int, str]) -> bytes:
        """The notebook file with these code cells' sources replaced, and nothing else."""
        text = self.text
        for index in sorted(sources, reverse=True):
            start, end = self.spans[index]
            value = _dump_source(text, start, end, sources[index], self.style)
            text = text[:start] + value + text[end:]
        self._verify(text, sources)
        return (self.bom + text).encode("utf-8", "surrogateescape")

    @property
    def style(self) -> "_Style":
        return _Style.of(self.text)

    def _verify(self, text: str, sources: dict[int, str]) -> None:
        try:
            data = json.loads(text)
        except ValueError as error:  # pragma: no cover - would be a bug in _dump_source
            raise NotebookError(f"the rewritten notebook is not valid JSON ({error})") from None
        expected = json.loads(self.text)
        for index, source in sources.items():
            expected["cells"][index]["source"] = source
            got = data["cells"][index].get("source")
            if isinstance(got, list):
                data["cells"][index]["source"] = "".join(got)
        if data != expected:
            raise NotebookError("the rewritten notebook differs outside the changed cells")
        reason = _invalid(data)
        if reason:
            raise NotebookError(f"the rewritten notebook does not validate ({reason})")


def load(raw: bytes) -> Notebook | str:
    """The notebook, or why it is not one (a TFM902 message)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"not a notebook: not UTF-8 ({error})"
    bom = ""
    if text.startswith("\ufeff"):
        bom, text = "\ufeff", text[1:]
    try:
        data = json.loads(text)
    except ValueError as error:
        return f"not a notebook: invalid JSON ({error})"
    if not isinstance(data, dict):
        return "not a notebook: the JSON is not an object"
    if "worksheets" in data or data.get("nbformat") in (1, 2, 3):
        return ("not supported: nbformat {} notebook (convert it with `jupyter nbconvert "
                "--to notebook --nbformat 4`)".format(data.get("nbformat", "< 4")))
    if not isinstance(data.get("cells"), list):
        return "not a notebook: no `cells` list"
    reason = _invalid(data)
    if reason:
        return f"not a valid notebook: {reason}"
    spans = _source_spans(text)
    if spans is None or len(spans) != len(data["cells"]):  # pragma: no cover - json agreed
        return "not a notebook: cannot locate the cells in the JSON text"
    token = hashlib.sha256(raw).hexdigest()[:10]
    while token in text:  # pragma: no cover - a hash of the file inside the file
        token = hashlib.sha256(token.encode()).hexdigest()[:10]
    cells: dict[int, Cell] = {}
    code_spans = {}
    next_magic = 1
    for index, cell in enumerate(data["cells"]):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        program, magics, placeholders = _mask(source, token, next_magic)
        next_magic += len(magics)
        cells[index] = Cell(index, source, program, magics, placeholders)
        if spans[index] is None:
            return f"not a valid notebook: code cell {index + 1} has no source"
        code_spans[index] = spans[index]
    notebook = Notebook(raw, text, bom, data, cells, code_spans, token)
    notebook.is_python = _is_python(data.get("metadata") or {})
    return notebook


def _invalid(data: dict) -> str:
    """nbformat's schema validation: '' when valid, else its message."""
    import nbformat

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nbformat.validate(nbformat.from_dict(data))
    except nbformat.ValidationError as error:
        return str(error.message if hasattr(error, "message") else error).splitlines()[0]
    except Exception as error:  # nbformat raises other errors on odd versions
        return f"{type(error).__name__}: {error}".splitlines()[0]
    return ""


def _is_python(metadata: dict) -> bool:
    for key, name in (("language_info", "name"), ("kernelspec", "language")):
        value = metadata.get(key)
        if isinstance(value, dict) and isinstance(value.get(name), str):
            return value[name].lower() in ("python", "python3", "python2", "ipython")
    return True


# -- IPython lines -------------------------------------------------------------------------

# `%magic`, `!shell`, `?name`, `??name`, at the start of a line.
_PREFIXED = re.compile(r"^[ \t]*(?:%|!|\?)")
# `name?` / `name??` / `name.attr?`: help.
_HELP = re.compile(r"^[ \t]*[\w.\[\]]+\?{1,2}[ \t]*$")
# `files = !ls`, `t = %timeit -o f()`: assignments from a magic or the shell.
_ASSIGNED = re.compile(r"^[ \t]*[\w.\[\], \t()*]+?[ \t]*=[ \t]*[%!]")
# Cell magics whose body is Python run in the notebook's namespace.
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "memit"}
# Line magics whose argument is Python code: the names it uses keep their imports alive.
_PYTHON_LINE_MAGICS = {"time", "timeit", "prun", "debug", "memit", "mprun"}
_NAME = re.compile(r"(?<![\w.'\"])[A-Za-z_]\w*")
_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")


def _is_ipython(line: str) -> bool:
    return bool(_PREFIXED.match(line) or _HELP.match(line) or _ASSIGNED.match(line))


def _mask(source: str, token: str, first: int) -> tuple[str, dict[int, str], dict[int, str]]:
    """The cell as Python: IPython lines become numbered `pass` placeholders (same indent,
    same line count). A cell that parses as it is stays as it is."""
    if not _needs_mask(source):
        return source, {}, {}
    lines = _lines(source)
    magics: dict[int, str] = {}
    placeholders: dict[int, str] = {}
    number = first
    out = []
    whole = False
    body_start = 0
    for position, line in enumerate(lines):
        if line.strip():
            stripped = line.lstrip()
            if stripped.startswith("%%"):
                name = stripped[2:].split(None, 1)[0] if stripped[2:].strip() else ""
                whole = name not in _PYTHON_CELL_MAGICS
                body_start = position
            break
    continuation = False
    indent = ""
    inside = _inside_python(lines)
    for position, line in enumerate(lines):
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        cell_magic = position == body_start and body.lstrip().startswith("%%")
        if (whole and position >= body_start) or cell_magic or continuation \
                or (position not in inside and _is_ipython(body)):
            magics[number] = body
            if not continuation:  # a continued line keeps the indent of the line it continues
                indent = body[:len(body) - len(body.lstrip(" \t"))]
            names = ", ".join(_python_names(body)) if not continuation and not whole else ""
            placeholders[number] = f"{indent}{names or 'pass'}  # tfmigrate-magic-{token}-{number}"
            out.append(placeholders[number] + ending)
            number += 1
            continuation = body.endswith("\\")
        else:
            out.append(line)
    return "".join(out), magics, placeholders


def _inside_python(lines: list[str]) -> set[int]:
    """Lines that continue a Python statement (inside brackets or a triple-quoted string, or
    after a backslash): `% 3)` there is Python, not a magic. A rough scan of brackets, quotes
    and comments; it only has to keep the masking away from such lines."""
    inside: set[int] = set()
    depth = 0
    triple: str | None = None
    backslash = False
    for position, line in enumerate(lines):
        body = line.rstrip("\r\n")
        if depth > 0 or triple or backslash:
            inside.add(position)
        elif _is_ipython(body):
            backslash = False
            continue  # a magic line's brackets and quotes are not Python's
        i, n = 0, len(body)
        while i < n:
            if triple:
                j = body.find(triple, i)
                if j < 0:
                    break
                i, triple = j + 3, None
                continue
            c = body[i]
            if c == "#":
                break
            if body.startswith(('"""', "'''"), i):
                triple = body[i:i + 3]
                i += 3
                continue
            if c in "\"'":
                j = i + 1
                while j < n and body[j] != c:
                    j += 2 if body[j] == "\\" else 1
                i = j + 1
                continue
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth = max(0, depth - 1)
            i += 1
        backslash = triple is None and body.endswith("\\")
    return inside


def _python_names(line: str) -> list[str]:
    """The names a help line (`tf.Session?`) or a Python-running magic (`%timeit f(x)`) uses:
    its placeholder mentions them, so an import they need is not removed as unused."""
    stripped = line.strip()
    if _HELP.match(line) or stripped.startswith("?"):
        code = stripped.strip("?")
    else:
        match = re.match(r"%(\w+)(.*)", stripped)
        if not match or match.group(1) not in _PYTHON_LINE_MAGICS:
            return []
        code = re.sub(r"(?:^|\s)-\w+(?:\s+\d+)?", " ", match.group(2))  # options: -n 10 -o
    code = _STRING.sub(" ", code)
    names = [n for n in _NAME.findall(code) if not keyword.iskeyword(n)]
    return sorted(dict.fromkeys(names))


def _needs_mask(source: str) -> bool:
    if not any(c in source for c in "%!?"):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
        return False
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True


# -- the program ---------------------------------------------------------------------------

def _sentinel(token: str, number: int) -> str:
    return f"# tfmigrate-cell-{token}-{number}"


@dataclass
class Program:
    """The code cells joined; `starts[k]` is the program line where the k-th code cell
    begins."""

    text: str
    path_cells: list[int]  # cell positions, in order
    starts: list[int]
    sizes: list[int]
    masked: set[int]  # program lines that stand for IPython lines

    @classmethod
    def of_cells(cls, notebook: Notebook, texts: dict[int, str]) -> "Program":
        parts, starts, sizes = [], [], []
        masked: set[int] = set()
        marker = f"tfmigrate-magic-{notebook.token}-"
        line = 1
        for k, index in enumerate(notebook.cells):
            if k:
                parts.append(_sentinel(notebook.token, k) + "\n")
                line += 1
            text = texts[index]
            if text and not _ends_line(text):
                text += "\n"
            starts.append(line)
            lines = _lines(text)
            masked.update(line + n for n, content in enumerate(lines) if marker in content)
            count = len(lines)
            sizes.append(count)
            parts.append(text)
            line += count
        return cls("".join(parts), list(notebook.cells), starts, sizes, masked)

    def locate_all(self, diagnostics) -> list[Diagnostic]:
        """In cells; a finding on an IPython line's placeholder is not about the code."""
        return [self.locate(d) for d in diagnostics
                if d.line not in self.masked or d.code.startswith("TFM9")]

    def locate(self, diagnostic: Diagnostic) -> Diagnostic:
        if not self.starts:
            return replace(diagnostic, cell=None)
        k = max(0, bisect.bisect_right(self.starts, diagnostic.line) - 1)
        last = max(1, self.sizes[k])
        line = min(diagnostic.line - self.starts[k] + 1, last)
        end_line = diagnostic.end_line - self.starts[k] + 1
        end_column = diagnostic.end_column
        if end_line > last or end_line < line:
            end_line, end_column = line, diagnostic.column
        return replace(diagnostic, cell=self.path_cells[k] + 1, line=max(1, line),
                       end_line=max(1, end_line), end_column=end_column)


def _lines(text: str) -> list[str]:
    """Lines with their ends, split where Python splits them (\\n, \\r\\n, \\r only)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def _ends_line(text: str) -> bool:
    return text.endswith(("\n", "\r"))


# -- the JSON text -------------------------------------------------------------------------

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _source_spans(text: str) -> list[tuple[int, int] | None] | None:
    """(start, end) in `text` of each cell's `source` value (the last one if a key repeats)."""
    top = _members(text, _skip(text, 0))
    if top is None or "cells" not in top:
        return None
    start, end = top["cells"]
    spans = []
    for element_start, _ in _elements(text, start):
        members = _members(text, element_start)
        spans.append(members.get("source") if members is not None else None)
    return spans


def _skip(text: str, index: int) -> int:
    return _WHITESPACE.match(text, index).end()


def _members(text: str, index: int) -> dict[str, tuple[int, int]] | None:
    """Each key of the object at `index` with its value's span."""
    if text[index:index + 1] != "{":
        return None
    members = {}
    index = _skip(text, index + 1)
    if text[index] == "}":
        return members
    while True:
        key, index = scanstring(text, index + 1)
        index = _skip(text, index)
        index = _skip(text, index + 1)  # ':'
        _, end = _DECODER.raw_decode(text, index)
        members[key] = (index, end)
        index = _skip(text, end)
        if text[index] == "}":
            return members
        index = _skip(text, index + 1)  # ','


def _elements(text: str, index: int) -> list[tuple[int, int]]:
    elements = []
    index = _skip(text, index + 1)
    if text[index] == "]":
        return elements
    while True:
        _, end = _DECODER.raw_decode(text, index)
        elements.append((index, end))
        index = _skip(text, end)
        if text[index] == "]":
            return elements
        index = _skip(text, index + 1)


@dataclass(frozen=True)
class _Style:
    ensure_ascii: bool
    unit: str | None  # one level of indentation; None: the file is on one line
    comma: str  # "," or ", " (Python 2's json wrote ", " before line ends)

    @classmethod
    def of(cls, text: str) -> "_Style":
        ensure_ascii = text.isascii() and bool(
            re.search(r"\\u(?:00[89a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]|[1-9a-fA-F][0-9a-fA-F]{2})"
                      r"[0-9a-fA-F]", text))
        match = re.match(r"\{\r?\n([ \t]*)\"", text)
        unit = match.group(1) if match else None
        comma = ", " if re.search(r", \r?\n", text) else ","
        return cls(ensure_ascii, unit, comma)


def _dump_source(text: str, start: int, end: int, source: str, style: _Style) -> str:
    """The new source value, written as the old one was (a string or a list of lines, with
    the same indentation and separators)."""
    old = text[start:end]
    dump = lambda value: json.dumps(value, ensure_ascii=style.ensure_ascii)  # noqa: E731
    if old.startswith('"'):
        return dump(source)
    items = [dump(line) for line in source.splitlines(True)]  # as nbformat splits
    if not items:
        return "[]"
    newline = "\r\n" if "\r\n" in text[:200] else "\n"
    if "\n" in old:
        inner = old[1:-1]
        item_indent = re.match(r"\s*?\n([ \t]*)", inner)
        close_indent = re.search(r"\n([ \t]*)$", inner)
        item_indent = item_indent.group(1) if item_indent else ""
        close_indent = close_indent.group(1) if close_indent else ""
        comma = ", " if re.search(r", \r?\n", inner) else style.comma
    elif style.unit is not None and old.replace(" ", "") == "[]":
        line_start = text.rfind("\n", 0, start) + 1
        close_indent = re.match(r"[ \t]*", text[line_start:]).group(0)
        item_indent = close_indent + style.unit
        comma = style.comma
    else:
        separator = ", " if ", " in old or old.replace(" ", "") == "[]" and \
            style.comma == ", " else ","
        return "[" + separator.join(items) + "]"
    separator = comma + newline + item_indent
    return "[" + newline + item_indent + separator.join(items) + newline + close_indent + "]"


# -- showing changes -----------------------------------------------------------------------

def cell_sources(raw: bytes) -> dict[int, str]:
    """Each code cell's source by cell number (from 1); {} if `raw` is not a notebook."""
    try:
        data = json.loads(raw.decode("utf-8").lstrip("\ufeff"))
        out = {}
        for index, cell in enumerate(data["cells"]):
            if cell.get("cell_type") == "code":
                source = cell.get("source", "")
                out[index + 1] = "".join(source) if isinstance(source, list) else source
        return out
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """A unified diff of the notebook's JSON text (`git apply` takes it), each hunk header
    naming the cell it changes: `@@ -120,3 +120,3 @@ cell 4`."""
    old_text = before.decode("utf-8", "surrogateescape")
    new_text = after.decode("utf-8", "surrogateescape")
    old = old_text.splitlines(keepends=True)
    new = new_text.splitlines(keepends=True)
    cell_of_line = _cell_lines(old_text)
    out = []
    for line in difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"):
        match = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", line)
        if match:
            first = int(match.group(1))
            count = int(match.group(2)) if match.group(2) is not None else 1
            cells = sorted({cell_of_line[n] for n in range(first, first + max(count, 1))
                            if n in cell_of_line})
            if cells:
                names = ", ".join(str(c) for c in cells)
                line = line.rstrip("\n") + f" cell{'s' * (len(cells) > 1)} {names}\n"
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _cell_lines(text: str) -> dict[int, int]:
    """JSON text line (from 1) -> the cell number whose source value covers it."""
    body = text.lstrip("\ufeff")
    offset = len(text) - len(body)
    try:
        spans = _source_spans(body)
    except (ValueError, IndexError):
        return {}
    lines = {}
    for index, span in enumerate(spans or []):
        if span is None:
            continue
        first = text.count("\n", 0, span[0] + offset) + 1
        last = text.count("\n", 0, span[1] + offset) + 1
        for n in range(first, last + 1):
            lines[n] = index + 1
    return lines
