"""One file in, a Result out: parse → resolve TensorFlow aliases → rules → fix loop → verify.

Pure: no printing, no file system. The CLI, stdin, notebooks and the tests all come here.
"""

from __future__ import annotations

import ast
import contextlib
import io
import keyword
import re
import sys
import tokenize
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import MetadataWrapper, PositionProvider

from tfmigrate.aliases import (AliasTable, Collector, chain_of, children, field_order,
                               is_tensorflow, walk)
from tfmigrate.config import Settings
from tfmigrate.context import Context, Reference
from tfmigrate.rule import Finding, FixSafety, Rule

MAX_PASSES = 10


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int  # 1-based
    column: int  # 1-based
    end_line: int
    end_column: int
    code: str
    message: str
    fix: str = "none"  # safe, unsafe, none: what the rule's fix is
    applicable: bool = False  # `fix` would apply it with the current settings
    cell: int | None = None  # notebook cell (1-based), when the source is a notebook


@dataclass
class Result:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fixed_source: str | bytes | None = None  # None: nothing to change
    fixed_codes: list[str] = field(default_factory=list)  # one entry per applied fix

    @property
    def internal_error(self) -> bool:
        return any(d.code in _INTERNAL_CODES for d in self.diagnostics)


@lru_cache(maxsize=None)
def all_rules() -> tuple[type[Rule], ...]:
    from tfmigrate.rules import ALL_RULES

    return tuple(ALL_RULES)


def tool_rules():
    """The module of the tool's own TFM9xx codes (imported late: rules import the engine)."""
    from tfmigrate.rules import tool

    return tool


_INTERNAL_CODES = {"TFM904", "TFM905"}


@lru_cache(maxsize=64)
def _prefilter_tokens(rules: frozenset[type[Rule]], as_bytes: bool) -> tuple:
    tokens = sorted({token for rule in rules for token in rule.prefilter})
    return tuple(t.encode() for t in tokens) if as_bytes else tuple(tokens)


# -- entry point ---------------------------------------------------------------------------

def migrate(source: str | bytes, path: str, settings: Settings, *, fix: bool = False) -> Result:
    """Analyse (and with `fix`, rewrite) one module's source.

    `source` as bytes is decoded like Python does (coding cookie, BOM) and `fixed_source` is
    encoded back the same way; as str it stays str.
    """
    result = Result(path)
    if not needs_analysis(source, path, settings):
        return result
    enabled = settings.enabled_codes(path)
    rules = [rule for rule in all_rules() if rule.code in enabled]
    tool = tool_rules()
    if isinstance(source, bytes):
        decoded = _decode(source)
        if isinstance(decoded, str):
            _add_tool(result, tool.UndecodableFile, decoded, enabled)
            return result
        text, encoding = decoded
    else:
        text, encoding = source, None
    suppressions = Suppressions(text)
    if suppressions.ignore_file:
        return result
    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, cst.CSTValidationError, RecursionError, MemoryError,
            ValueError) as error:
        message, line, column = _python_syntax_error(text) or \
            (f"cannot parse with libcst: {str(error).splitlines()[0]}", 1, 1)
        _add_tool(result, tool.SyntaxErrorInFile, message, enabled, line, column)
        return result
    if not rules:
        return result
    try:
        if fix:
            _fix(module, text, encoding, rules, settings, suppressions, result)
        else:
            analysis = _analyze(module, rules, settings.unsafe_fixes, text)
            result.diagnostics = _diagnostics(module, analysis.findings, path, suppressions,
                                              settings.unsafe_fixes, analysis.collector, text)
    except Exception as error:
        # libcst accepts a little that Python rejects (identifiers of newer Unicode, invalid
        # escapes); rules and fixes can trip over it. Python's own parser has the last word,
        # asked only here, when something went wrong.
        result = Result(path)
        invalid = _python_syntax_error(text)
        if invalid is not None:
            message, line, column = invalid
            _add_tool(result, tool.SyntaxErrorInFile, message, enabled, line, column)
        elif isinstance(error, _FixFailure):
            _add_tool(result, tool.FixFailed, str(error), enabled)
        else:  # a crash in a rule: report it, leave the file as it was
            where = traceback.extract_tb(error.__traceback__)[-1]
            _add_tool(result, tool.InternalError,
                      f"internal error: {type(error).__name__}: {error} "
                      f"(at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})", enabled)
    result.diagnostics.sort(key=lambda d: (d.line, d.column, d.code))
    return result


def needs_analysis(source: str | bytes, path: str, settings: Settings) -> bool:
    """Whether any enabled rule's prefilter token occurs in `source` (a byte scan)."""
    enabled = settings.enabled_codes(path)
    tokens = _prefilter_tokens(frozenset(r for r in all_rules() if r.code in enabled),
                               isinstance(source, bytes))
    return any(token in source for token in tokens)


def _add_tool(result: Result, rule: type[Rule], message: str, enabled: frozenset[str],
              line: int = 1, column: int = 1) -> None:
    if rule.code in enabled:
        result.diagnostics.append(Diagnostic(result.path, line, column, line, column,
                                             rule.code, message))


def _python_syntax_error(text: str) -> tuple[str, int, int] | None:
    """Python's own account of why `text` is not a module (message, line, column), if it is not."""
    try:
        ast.parse(text)
    except SyntaxError as python_error:
        hint = " (Python 2 code?)" if "print" in str(python_error.msg) or \
            "except" in (python_error.text or "") else ""
        return (f"cannot parse: {python_error.msg}{hint}", python_error.lineno or 1,
                python_error.offset or 1)
    except (RecursionError, MemoryError, ValueError) as other:
        return f"cannot parse: {type(other).__name__}: {other}", 1, 1
    return None


def _decode(raw: bytes) -> tuple[str, str] | str:
    """(text, encoding) or the reason the bytes are not Python source text."""
    if b"\x00" in raw:
        return "binary file (contains NUL bytes), not Python source"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding), encoding
    except (SyntaxError, LookupError, UnicodeDecodeError) as error:
        return f"cannot decode: {error}"


# -- analysis ------------------------------------------------------------------------------

@dataclass
class Analysis:
    findings: list[Finding]
    collector: Collector
    context: Context


def _analyze(module: cst.Module, rule_classes: Sequence[type[Rule]],
             unsafe_fixes: bool, text: str) -> Analysis:
    # A rule whose prefilter tokens are not in this text has nothing to find here.
    rules = [rule() for rule in rule_classes  # fresh per pass: rules may keep module state
             if any(token in text for token in rule.prefilter)]
    collector = Collector()
    walk(module, collector)
    table = AliasTable(collector)
    ctx = Context(module, collector, table, unsafe_fixes)
    ctx.text = text
    exact: dict[str, list[Rule]] = {}
    prefixes: dict[str, list[Rule]] = {}
    module_rules = []
    for rule in rules:
        for name in rule.references:
            if name.endswith("."):
                prefixes.setdefault(name[:-1], []).append(rule)
            else:
                exact.setdefault(name, []).append(rule)
        if type(rule).on_module is not Rule.on_module:
            module_rules.append(rule)
    if exact or prefixes:
        subscribed: dict[str, list[Rule]] = {}  # qualname -> rules, each once, in order
        for chain in collector.chains:
            names = table.resolve_chain(chain)
            if names is None:
                continue
            qualname = names[-1]
            interested = subscribed.get(qualname)
            if interested is None:
                interested = list(exact.get(qualname, ()))
                parts = qualname.split(".")
                for end in range(len(parts), 0, -1):
                    interested.extend(prefixes.get(".".join(parts[:end]), ()))
                interested = subscribed[qualname] = list(dict.fromkeys(interested))
            if not interested:
                continue
            base = table.lookup(chain.parts[0], chain.scope)
            ref = Reference(chain, names, table.is_alias_binding(chain.parts[0], chain.scope),
                            ".".join([base, *chain.parts[1:]]))
            for rule in interested:
                ctx.rule = type(rule)
                rule.on_reference(ref, ctx)
    for rule in module_rules:
        ctx.rule = type(rule)
        rule.on_module(ctx)
    return Analysis(ctx.findings, collector, ctx)


def _applicable(finding: Finding, unsafe_fixes: bool) -> bool:
    return finding.has_fix and (finding.safety is FixSafety.SAFE or unsafe_fixes)


def _diagnostics(module: cst.Module, findings: Iterable[Finding], path: str,
                 suppressions: "Suppressions", unsafe_fixes: bool,
                 collector: Collector | None = None, text: str | None = None) -> list[Diagnostic]:
    findings = list(findings)
    if not findings:
        return []
    positions = _positions(module, [f.node for f in findings], collector, text)
    out = []
    for finding in findings:
        (line, column), (end_line, end_column) = positions[finding.node]
        if suppressions.suppressed(line, finding.rule.code):
            continue
        out.append(Diagnostic(path, line, column + 1, end_line, end_column + 1,
                              finding.rule.code, finding.message, finding.safety.value,
                              _applicable(finding, unsafe_fixes)))
    return out


_KEYWORDS = frozenset(keyword.kwlist) - {"True", "False", "None"}


def _positions(module: cst.Module, nodes: Sequence[cst.CSTNode], collector: Collector | None,
               text: str | None) -> dict:
    """Start and end (line, 0-based column) of each node.

    libcst's PositionProvider regenerates the whole module with bookkeeping for every node,
    several times the cost of parsing. Python's tokenizer gives every name's position at a
    fraction of that; the walk recorded the Name nodes in the same order, and a node spans
    from its first name to its last. Where the two do not line up (new syntax, soft keywords)
    or a node has no name, PositionProvider decides.
    """
    if collector is not None and text is not None:
        names = _name_positions(text, collector.names)
        if names is not None:
            found = {}
            for node in nodes:
                first, last = _first_and_last_name(node)
                if first is None or first not in names or last not in names:
                    break
                found[node] = (names[first][0], names[last][1])
            else:
                return found
    resolved = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {node: ((resolved[node].start.line, resolved[node].start.column),
                   (resolved[node].end.line, resolved[node].end.column)) for node in nodes}


def _name_positions(text: str, names: Sequence[cst.Name]) -> dict | None:
    tokens = _name_tokens(text)
    if tokens is None or len(tokens) != len(names):
        return None
    positions = {}
    for (string, start, end), name in zip(tokens, names):
        if string != name.value:
            return None
        positions[name] = (start, end)
    return positions


def _name_tokens(text: str) -> list[tuple[str, tuple[int, int], tuple[int, int]]] | None:
    """(string, start, end) of each NAME token of Python's tokenizer that is not a keyword;
    None where the tokenizer fails."""
    if _NAME_SCAN is not None:
        found = _scan_names(text)
        if found is not None:
            return found
    try:
        # newline=None: a lone CR ends a line for Python (and libcst), so it must here too.
        return [(t.string, t.start, t.end)
                for t in tokenize.generate_tokens(io.StringIO(text, newline=None).readline)
                if t.type == tokenize.NAME and t.string not in _KEYWORDS]
    except (tokenize.TokenError, SyntaxError):
        return None


# The NAME tokens of `tokenize` (Python 3.9 to 3.11, where an f-string is one STRING token)
# without its cost per token: one regular expression over the whole text, built from
# tokenize's own patterns and tried in its order (comment, triple-quoted string, number, `...`,
# string, name), so that every name starts where tokenize starts one. A word that tokenize
# reads as an operator (its first character cannot start an identifier) is skipped, as there.
# A triple quote that is never closed, or a quote that starts no string on its line, is where
# tokenize's line-by-line reading could differ: the scan gives up and tokenize decides.
_STRING_PREFIX = tokenize.StringPrefix
_NAME_SCAN = re.compile(r"(?=[\w'\".#])(?:" + "|".join([
    tokenize.Comment,
    _STRING_PREFIX + "(?:'''" + tokenize.Single3 + '|"""' + tokenize.Double3 + ")",
    "(?P<open>" + _STRING_PREFIX + "(?:'''|\"\"\"))",
    tokenize.Number,
    _STRING_PREFIX + r"""(?:'[^\n'\\]*(?:\\.[^\n'\\]*)*'|"[^\n"\\]*(?:\\.[^\n"\\]*)*")""",
    r"\.\.\.",
    r"(?P<name>\w+)",
    r"""(?P<quote>['"])""",
]) + ")", re.DOTALL) if (3, 9) <= sys.version_info[:2] < (3, 12) else None


def _scan_names(text: str) -> list | None:
    if "\r" in text:  # lines end as they do for tokenize reading with newline=None
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    line, line_start, last = 1, 0, 0
    count, rfind = text.count, text.rfind
    keywords = _KEYWORDS
    for match in _NAME_SCAN.finditer(text):
        name = match.group("name")
        if name is None:
            if match.group("open") is not None or match.group("quote") is not None:
                return None
            continue
        if name in keywords or not name[0].isidentifier():
            continue
        start = match.start()
        newlines = count("\n", last, start)
        if newlines:
            line += newlines
            line_start = rfind("\n", 0, start) + 1
        last = start
        column = start - line_start
        out.append((name, (line, column), (line, column + len(name))))
    return out


def _first_and_last_name(node: cst.CSTNode):
    found = chain_of(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
    if found is not None:
        first = found[0][0]
        last = found[0][-1]
        return first, last if isinstance(last, cst.Name) else last.attr
    names = [n for n in _walk(node) if type(n) is cst.Name]
    return (names[0], names[-1]) if names else (None, None)


def _walk(node: cst.CSTNode):
    """`node` and its descendants in source order, whitespace and punctuation left out."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(reversed(children(current)))


# -- fixing --------------------------------------------------------------------------------

class _FixFailure(Exception):
    pass


def _fix(module: cst.Module, text: str, encoding: str | None, rules: Sequence[type[Rule]],
         settings: Settings, suppressions: "Suppressions", result: Result) -> None:
    unsafe = settings.unsafe_fixes
    original_collector: Collector | None = None
    current, current_text = module, text
    for _ in range(MAX_PASSES):
        analysis = _analyze(current, rules, unsafe, current_text)
        if analysis.collector.shared_nodes:
            current = cst.parse_module(current_text)
            analysis = _analyze(current, rules, unsafe, current_text)
        if original_collector is None:
            original_collector = analysis.collector
        fixable = [f for f in analysis.findings if _applicable(f, unsafe)]
        if fixable and suppressions.any:
            fixable = _unsuppressed(current, fixable, suppressions, analysis.collector,
                                    current_text)
        if not fixable:
            break
        generated = None
        if current is module:
            generated = _GeneratedCode(module)
            if generated.code != text:
                raise _FixFailure("libcst does not reproduce this file byte for byte (unusual "
                                  "line endings or trailing whitespace); file left unchanged")
        applied, new_module = _apply(current, fixable, analysis)
        new_text = generated.code_of(new_module) if generated else _code(new_module)
        if new_text == current_text:
            break
        # The next pass analyses the fixed tree itself: its code is `new_text`, which must
        # parse as Python (libcst parsing it again would cost as much as the analysis).
        _check_parses(new_text, applied)
        current, current_text = new_module, new_text
        result.fixed_codes.extend(f.rule.code for f in applied)
        suppressions = Suppressions(current_text)
    else:
        codes = sorted({f.rule.code for f in fixable})
        raise _FixFailure(f"fixes did not settle after {MAX_PASSES} passes ({', '.join(codes)}); "
                          "file left unchanged")
    if current_text != text:
        pruned = _remove_unused_tensorflow_imports(current, original_collector,
                                                   analysis.collector)
        if pruned is not current:
            pruned_text = _code(pruned)
            current, current_text = _reparse(pruned_text, []), pruned_text
            analysis = _analyze(current, rules, unsafe, current_text)
        if encoding is not None:
            try:
                result.fixed_source = current_text.encode(encoding)
            except UnicodeEncodeError as error:
                raise _FixFailure(f"the fixed code cannot be encoded as {encoding}: {error}")
        else:
            result.fixed_source = current_text
    # Every applicable finding still present is suppressed; _diagnostics drops those.
    result.diagnostics = _diagnostics(current, analysis.findings, result.path, suppressions,
                                      unsafe, analysis.collector, current_text)


# -- generating code --------------------------------------------------------------------------
#
# The first pass generates the module's code once anyway (to check that libcst reproduces the
# file). Recording where each statement's tokens went lets the fixed module reuse them: its
# statements that no fix touched are the very same nodes, at the same indentation, so their
# tokens are the same. Only the statements on the paths to the edits are generated again.

# The statement classes of libcst; a statement of another class is generated, not reused.
_STATEMENT_TYPES = frozenset(kind for kind in vars(cst).values()
                             if isinstance(kind, type) and issubclass(kind, cst.BaseStatement))
# Nodes whose fields may hold statements in a body: what the reuse descends through.
_HOLDERS = (cst.Module, cst.IndentedBlock, cst.BaseCompoundStatement, cst.Else,
            cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.MatchCase)
_BODIES = (cst.Module, cst.IndentedBlock)  # whose `body` is a sequence of statements
_HOLDER_FIELDS = ("body", "orelse", "handlers", "finalbody", "cases")  # where statements are


def _body_statements(node: cst.CSTNode, found: set) -> set:
    """The statements of every body (module, indented blocks) under `node`: the positions
    where a statement is generated on its own, with no keyword argument (not as an `elif`)."""
    for name in _HOLDER_FIELDS:
        value = getattr(node, name, None)
        if isinstance(value, (tuple, list)):
            body = name == "body" and isinstance(node, _BODIES)
            for item in value:
                if body and type(item) in _STATEMENT_TYPES:
                    found.add(item)
                if isinstance(item, _HOLDERS):
                    _body_statements(item, found)
        elif isinstance(value, _HOLDERS):
            _body_statements(value, found)
    return found


class _State(CodegenState):
    """libcst's code generation state, without the cost of a generator-based context manager
    for every `record_syntactic_position` (which does nothing here, as in CodegenState)."""

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        return _NO_CONTEXT


_NO_CONTEXT = contextlib.nullcontext()


def _code(module: cst.Module) -> str:
    """`module.code`."""
    if not isinstance(module, cst.Module):
        return module.code
    state = _State(default_indent=module.default_indent, default_newline=module.default_newline)
    module._codegen(state)
    return "".join(state.tokens)


class _RecordingState(_State):
    """Code generation that notes the tokens of each statement of a body."""

    def __init__(self, module: cst.Module, statements: set) -> None:
        super().__init__(default_indent=module.default_indent,
                         default_newline=module.default_newline)
        self.statements = statements
        self.starts: list[int] = []
        self.spans: dict = {}  # statement -> (indent tokens, first token, end token)
        self.popped: list[str] = []

    def before_codegen(self, node: cst.CSTNode) -> None:
        if type(node) in _STATEMENT_TYPES and node in self.statements:
            self.starts.append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        if type(node) in _STATEMENT_TYPES and node in self.statements:
            self.spans[node] = (tuple(self.indent_tokens), self.starts.pop(), len(self.tokens))

    def pop_trailing_newline(self) -> None:
        self.popped = self.tokens[-1:]
        super().pop_trailing_newline()


class _GeneratedCode:
    """A module's code, generated once, whose statements' tokens the next code reuses."""

    def __init__(self, module: cst.Module) -> None:
        state = _RecordingState(module, _body_statements(module, set()))
        module._codegen(state)
        self.code = "".join(state.tokens)
        self._tokens = state.tokens + state.popped  # spans may reach the popped newline
        self._spans = state.spans
        self._config = (module.default_indent, module.default_newline)

    def code_of(self, new: cst.Module) -> str:
        """`new.code`, reusing the tokens of the statements `new` shares with the module."""
        if not isinstance(new, cst.Module) or \
                (new.default_indent, new.default_newline) != self._config:
            return _code(new)
        try:
            substituted = self._substitute(new)
        except (cst.CSTValidationError, TypeError, ValueError):
            return _code(new)  # a node refused the stand-ins: generate it all
        return _code(substituted)

    def _substitute(self, node: cst.CSTNode) -> cst.CSTNode:
        """`node` with each recorded statement of its bodies replaced by its tokens."""
        changes = {}
        for name in field_order(type(node)):
            value = getattr(node, name)
            if isinstance(value, (tuple, list)):
                body = name == "body" and isinstance(node, _BODIES)
                items = []
                for item in value:
                    span = self._spans.get(item) if body else None
                    if span is not None:
                        indent, start, end = span
                        items.append(_Tokens(item, indent, self._tokens[start:end]))
                    elif isinstance(item, _HOLDERS):
                        items.append(self._substitute(item))
                    else:
                        items.append(item)
                if any(new is not old for new, old in zip(items, value)):
                    changes[name] = items
            elif isinstance(value, _HOLDERS):
                new = self._substitute(value)
                if new is not value:
                    changes[name] = new
        return node.with_changes(**changes) if changes else node


class _Tokens:
    """Stands for a statement in a body during code generation: its recorded tokens, or the
    statement's own code generation when the indentation is not the recorded one."""

    __slots__ = ("node", "indent", "tokens")

    def __init__(self, node: cst.CSTNode, indent: tuple, tokens: list[str]) -> None:
        self.node = node
        self.indent = indent
        self.tokens = tokens

    def _codegen(self, state: CodegenState, **kwargs) -> None:
        if not kwargs and tuple(state.indent_tokens) == self.indent:
            state.tokens.extend(self.tokens)
        else:
            self.node._codegen(state, **kwargs)


def _unsuppressed(module, findings, suppressions, collector, text):
    positions = _positions(module, [f.node for f in findings], collector, text)
    return [f for f in findings
            if not suppressions.suppressed(positions[f.node][0][0], f.rule.code)]


def _check_parses(text: str, applied: Sequence[Finding]) -> None:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError) as error:
        codes = ", ".join(sorted({f.rule.code for f in applied})) or "import clean-up"
        raise _FixFailure(f"fixes by {codes} produced code that does not parse ({error}); "
                          "file left unchanged") from None


def _reparse(text: str, applied: Sequence[Finding]) -> cst.Module:
    try:
        ast.parse(text)
        return cst.parse_module(text)
    except (SyntaxError, cst.ParserSyntaxError, ValueError) as error:
        codes = ", ".join(sorted({f.rule.code for f in applied})) or "import clean-up"
        raise _FixFailure(f"fixes by {codes} produced code that does not parse ({error}); "
                          "file left unchanged") from None


def _apply(module: cst.Module, findings: Sequence[Finding], analysis: Analysis):
    """Apply the non-overlapping fixes; overlapping ones wait for the next pass."""
    parents = analysis.collector.parents
    claimed: set = set()
    above_claimed: set = set()
    edits: dict = {}
    applied: list[Finding] = []

    def ancestors(node):
        node = parents.get(node)
        while node is not None:
            yield node
            node = parents.get(node)

    for finding in findings:
        nodes = [edit.node for edit in finding.edits]
        unreachable = next((n for n in nodes if n is not module and n not in parents), None)
        if unreachable is not None:  # a rule's bug: the edit would be dropped silently
            raise RuntimeError(f"{finding.rule.code} edits a {type(unreachable).__name__} the "
                               "engine's walk does not record; edit an enclosing node")
        if any(n in claimed or n in above_claimed or any(a in claimed for a in ancestors(n))
               for n in nodes):
            continue
        for edit in finding.edits:
            claimed.add(edit.node)
            above_claimed.update(ancestors(edit.node))
            edits[edit.node] = _copied(edit.replacement)
        applied.append(finding)
    new_module = _Rebuild(edits, above_claimed).node(module)
    imports = [q for f in applied for q in f.imports]
    if imports:
        new_module = _add_imports(new_module, imports, analysis.context)
    return applied, new_module


def _copied(replacement):
    """A replacement with nodes of its own: a rule may put a node of the tree (or one node
    twice) in it, and the next pass analyses the fixed tree, where each node has one parent."""
    if isinstance(replacement, cst.CSTNode):
        return replacement.deep_clone()
    if isinstance(replacement, (list, tuple)):
        return [item.deep_clone() for item in replacement]
    return replacement


class _Rebuild:
    """Apply edits by copying only the nodes on the paths from the root to the edited ones.

    A libcst transformer rebuilds every node of the module; fixes touch a few. A removed
    statement line hands its comments and blank lines to the next statement, and a block
    left empty gets `pass`.
    """

    def __init__(self, edits: dict, touched: set) -> None:
        # A statement's replacement may be a list of statements: it takes that place.
        self.edits = edits
        self.touched = touched

    def _changed(self, value) -> bool:
        return isinstance(value, cst.CSTNode) and (value in self.edits or value in self.touched)

    def node(self, node: cst.CSTNode):
        if node in self.edits:
            return self.edits[node]
        if node not in self.touched:
            return node
        changes = {}
        for name in field_order(type(node)):
            value = getattr(node, name)
            if self._changed(value):
                new = self.node(value)
                if new is None:
                    raise ValueError(f"cannot remove the {name} of {type(node).__name__}")
                changes[name] = new
            elif isinstance(value, (tuple, list)) and any(self._changed(v) for v in value):
                changes[name], carry = self._sequence(value)
                if carry and isinstance(node, cst.Module):
                    changes["footer"] = [*carry, *node.footer]
                if not changes[name] and isinstance(node, cst.IndentedBlock):
                    changes[name] = [cst.SimpleStatementLine([cst.Pass()])]
        return node.with_changes(**changes)

    def _sequence(self, items):
        out, carry = [], []
        for item in items:
            new = self.node(item) if self._changed(item) else item
            if new is None:
                if isinstance(item, cst.BaseStatement):
                    carry.extend(item.leading_lines)
                if isinstance(item, cst.SimpleStatementLine) and \
                        item.trailing_whitespace.comment is not None:
                    # `x = tf.app.flags  # why` removed: its comment stays, on its own line
                    carry.append(cst.EmptyLine(comment=item.trailing_whitespace.comment))
                continue
            replacements = list(new) if isinstance(new, (list, tuple)) else [new]
            if not replacements:
                continue  # moved elsewhere by the rule, comments included
            first = replacements[0]
            if carry and isinstance(first, cst.BaseStatement):
                replacements[0] = first.with_changes(leading_lines=[*carry, *first.leading_lines])
                carry = []
            out.extend(replacements)
        return out, carry


def _add_imports(module: cst.Module, qualnames: Sequence[str], ctx: Context) -> cst.Module:
    allocated = ctx.allocated_imports()
    statements = []
    for qualname in dict.fromkeys(qualnames):
        local = allocated.get(qualname)
        if local is None or qualname in ctx.reused_imports:
            continue  # bound by the module already
        if "." in qualname:
            package, name = qualname.rsplit(".", 1)
            text = f"from {package} import {name}" + (f" as {local}" if local != name else "")
        else:
            text = f"import {qualname}" + (f" as {local}" if local != qualname else "")
        statements.append(text)
    if not statements:
        return module
    displaced = {allocated[q] for q in qualnames if allocated.get(q) in ctx.displaced}
    if displaced:
        module = _drop_imports(module, displaced)
    nodes = [cst.parse_statement(s + module.default_newline) for s in sorted(statements)]
    body = list(module.body)
    index = _import_insert_index(body)
    return module.with_changes(body=body[:index] + nodes + body[index:])


def _is_import_line(statement: cst.CSTNode) -> bool:
    if isinstance(statement, cst.SimpleStatementLine):
        return all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)
    if isinstance(statement, cst.Try):
        return all(_is_import_line(s) for s in statement.body.body)
    return False


def _imports_tensorflow(statement: cst.CSTNode) -> bool:
    for node in _small_statements(statement):
        if isinstance(node, cst.Import) and any(
                is_tensorflow(cst.Module([]).code_for_node(a.name)) for a in node.names):
            return True
        if isinstance(node, cst.ImportFrom) and node.module is not None and not node.relative \
                and is_tensorflow(cst.Module([]).code_for_node(node.module)):
            return True
    return False


def _small_statements(statement: cst.CSTNode):
    if isinstance(statement, cst.SimpleStatementLine):
        yield from statement.body
    elif isinstance(statement, cst.Try):
        for inner in statement.body.body:
            yield from _small_statements(inner)


def _import_insert_index(body: list) -> int:
    index = 0
    start = 0
    if body and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1 \
            and isinstance(body[0].body[0], cst.Expr) \
            and isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
        start = index = 1
    for position in range(start, len(body)):
        if _is_import_line(body[position]):
            index = position + 1
        else:
            break
    if index == start:
        for position, statement in enumerate(body):
            if _imports_tensorflow(statement):
                return position + 1
    return index


def _remove_unused_tensorflow_imports(module: cst.Module, before: Collector,
                                      after: Collector) -> cst.Module:
    """Drop module-level TensorFlow imports that the fixes left without a use."""
    used_before = _tensorflow_import_uses(before)
    used_after = _tensorflow_import_uses(after)
    dead = {name for name, count in used_after.items()
            if not count and used_before.get(name)}
    if not dead:
        return module
    return _drop_imports(module, dead)


def _tensorflow_import_uses(collector: Collector) -> dict[str, int]:
    table = AliasTable(collector)
    scope = collector.module_scope
    names = {name for name, bound in table.imports_of(scope)
             if is_tensorflow(bound) and len(scope.bindings[name]) == 1}
    uses = dict.fromkeys(names, 0)
    for chain in collector.chains:
        base = chain.parts[0]
        if base in uses and table.lookup(base, chain.scope) == table.lookup(base, scope):
            uses[base] += 1
    return uses


def _drop_imports(module: cst.Module, names: set[str]) -> cst.Module:
    """`module` without the module-level imports (also inside try/if blocks) binding `names`."""
    edits: dict = {}
    touched: set = {module}

    def scan(block, parents) -> None:
        for statement in block:
            if isinstance(statement, cst.SimpleStatementLine):
                new = _without_imports(statement, names)
                if new is not statement:
                    edits[statement] = new
                    touched.update(parents)
            elif isinstance(statement, (cst.Try, cst.If)):
                inner = [statement, statement.body]
                scan(statement.body.body, [*parents, *inner])
                for handler in getattr(statement, "handlers", ()):
                    scan(handler.body.body, [*parents, statement, handler, handler.body])
                orelse = statement.orelse
                if orelse is not None and isinstance(orelse.body, cst.IndentedBlock):
                    scan(orelse.body.body, [*parents, statement, orelse, orelse.body])

    scan(module.body, [module])
    return _Rebuild(edits, touched).node(module) if edits else module


def _without_imports(line: cst.SimpleStatementLine, names: set[str]):
    """The line without imports of `names`: the same node if none, None if nothing is left."""
    body = []
    for statement in line.body:
        if isinstance(statement, (cst.Import, cst.ImportFrom)) and \
                not isinstance(statement.names, cst.ImportStar):
            keep = [a for a in statement.names if _bound_name(a) not in names]
            if not keep:
                continue
            if len(keep) != len(statement.names):
                keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                statement = statement.with_changes(names=keep)
        body.append(statement)
    if not body:
        return None
    if len(body) == len(line.body) and all(a is b for a, b in zip(body, line.body)):
        return line
    body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return line.with_changes(body=body)


def _bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return cst.Module([]).code_for_node(alias.name).split(".")[0]


# -- suppression comments ------------------------------------------------------------------

_COMMENT = re.compile(
    r"#\s*(?:tfmigrate:\s*(?P<kind>ignore-file|ignore)(?:\[(?P<codes>[^\]]*)\])?"
    r"|noqa:\s*(?P<noqa>TFM[0-9A-Z]*(?:[\s,]+TFM[0-9A-Z]*)*))",
    re.IGNORECASE)


class Suppressions:
    """`# tfmigrate: ignore[CODES]`, `# noqa: CODES` on a line; `# tfmigrate: ignore-file`."""

    def __init__(self, text: str) -> None:
        self.lines: dict[int, tuple[str, ...] | None] = {}  # None: every code
        self.ignore_file = False
        if "tfmigrate:" not in text and "noqa" not in text:
            return
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text, newline=None).readline))
        except (tokenize.TokenError, SyntaxError, IndentationError):
            return
        for token in tokens:
            if token.type != tokenize.COMMENT:
                continue
            match = _COMMENT.search(token.string)
            if not match:
                continue
            line = token.start[0]
            if match.group("kind") and match.group("kind").lower() == "ignore-file":
                self.ignore_file = True
            elif match.group("kind"):
                codes = match.group("codes")
                self.lines[line] = _codes(codes) if codes else None
            else:
                self.lines[line] = _codes(match.group("noqa"))

    @property
    def any(self) -> bool:
        return bool(self.lines)

    def suppressed(self, line: int, code: str) -> bool:
        if line not in self.lines:
            return False
        codes = self.lines[line]
        return codes is None or any(code.startswith(c) for c in codes)


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c.upper() for c in re.split(r"[\s,]+", text.strip()) if c)

