"""The engine's contract: prefilter, fix loop, imports, verification, encodings, suppression."""

from __future__ import annotations

import codecs
import dataclasses

import libcst as cst
import pytest

import tfmigrate.engine as engine
from tfmigrate.config import Settings
from tfmigrate.engine import all_rules, migrate
from tfmigrate.rule import Edit, FixSafety, Rule

SETTINGS = Settings().validate(rule.code for rule in all_rules())
TF1 = b"import tensorflow as tf\ntf.logging.info('x')\n"


def fix(source, settings=SETTINGS):
    return migrate(source, "m.py", settings, fix=True)


def test_prefilter_skips_files_without_tensorflow(monkeypatch):
    def explode(*args, **kwargs):
        raise AssertionError("parsed a file that never mentions tensorflow")

    monkeypatch.setattr(engine.cst, "parse_module", explode)
    result = migrate(b"import numpy\nprint 'python 2'\n", "m.py", SETTINGS)
    assert result.diagnostics == [] and result.fixed_source is None


def test_fix_reaches_a_fixed_point_and_reports_what_it_fixed():
    source = (b"import tensorflow as tf\n"
              b"tf.logging.set_verbosity(tf.logging.INFO)\n"
              b"tf.logging.log(tf.logging.WARN, 'w')\n")
    result = fix(source)
    assert result.fixed_source == (b"from absl import logging\n"
                                   b"logging.set_verbosity(logging.INFO)\n"
                                   b"logging.log(logging.WARNING, 'w')\n")
    assert sorted(result.fixed_codes) == ["TFM104"] * 4
    assert result.diagnostics == []


def test_imports_are_added_once_and_tensorflow_import_kept_while_used():
    source = (b"import tensorflow as tf\n\ntf.logging.info('a')\ntf.logging.info('b')\n"
              b"x = tf.constant(1)\n")
    out = fix(source).fixed_source.decode()
    assert out.count("from absl import logging") == 1
    assert "import tensorflow as tf" in out


def test_unused_tensorflow_import_is_removed_but_comments_stay():
    source = b"# header\nimport os\n# the TF import\nimport tensorflow as tf\n\ntf.logging.info('a')\n"
    out = fix(source).fixed_source.decode()
    assert "tensorflow" not in out
    assert "# the TF import" in out and "# header" in out


def test_an_import_that_was_never_used_is_not_our_business():
    source = b"import tensorflow as tf\nimport os\nfrom tensorflow import logging\nlogging.info('x')\n"
    out = fix(source).fixed_source.decode()
    assert "import tensorflow as tf" in out


def test_name_conflict_with_stdlib_logging_gets_an_alias():
    source = b"import logging\nimport tensorflow as tf\nlogging.basicConfig()\ntf.logging.info('x')\n"
    out = fix(source).fixed_source.decode()
    assert "from absl import logging as absl_logging" in out
    assert "absl_logging.info('x')" in out and "logging.basicConfig()" in out


class _Crashing(Rule):
    code = "TFM101"
    name = "crashing"
    summary = "test"
    references = ("tensorflow.logging.",)

    def on_reference(self, ref, ctx):
        raise ZeroDivisionError("boom")


class _NeverSettles(Rule):
    code = "TFM101"
    name = "never-settles"
    summary = "test"
    fix = FixSafety.SAFE
    references = ("tensorflow.",)

    def on_reference(self, ref, ctx):
        call = ctx.call_of(ref.node)
        if call is not None:  # one more argument on every pass
            grown = call.with_changes(args=[*call.args, cst.Arg(cst.Integer("1"))])
            ctx.report(ref.node, "again", [Edit(call, grown)])


@pytest.fixture
def only(monkeypatch):
    def install(rule):
        monkeypatch.setattr(engine, "all_rules", lambda: (rule,))
    return install


def test_a_crashing_rule_is_reported_and_the_file_left_alone(only):
    only(_Crashing)
    result = fix(TF1)
    assert result.fixed_source is None
    assert [d.code for d in result.diagnostics] == ["TFM904"]
    assert "ZeroDivisionError" in result.diagnostics[0].message
    assert result.internal_error


def test_fixes_that_never_settle_are_reported(only):
    only(_NeverSettles)
    result = fix(b"import tensorflow as tf\ntf.zeros()\n")
    assert result.fixed_source is None
    assert [d.code for d in result.diagnostics] == ["TFM905"]
    assert "did not settle" in result.diagnostics[0].message


class _EditsAnUnrecordedNode(Rule):
    code = "TFM101"
    name = "edits-an-import-alias"
    summary = "test"
    fix = FixSafety.SAFE
    references = ("tensorflow.logging.",)

    def on_reference(self, ref, ctx):
        alias = ctx.module.body[0].body[0].names[0]  # `import tensorflow as tf`'s alias
        ctx.report(ref.node, "edits a node the walk skips",
                   [Edit(alias, alias.with_changes(asname=None))])


def test_an_edit_the_engine_cannot_reach_is_an_internal_error_not_a_silent_no_op(only):
    only(_EditsAnUnrecordedNode)
    result = fix(TF1)
    assert result.fixed_source is None
    assert result.internal_error
    assert "edits a ImportAlias the engine's walk does not record" in \
        result.diagnostics[0].message


class _DoublesItsArgument(Rule):
    code = "TFM101"
    name = "doubles-its-argument"
    summary = "test"
    fix = FixSafety.SAFE
    references = ("tensorflow.logging.info",)

    def on_reference(self, ref, ctx):
        call = ctx.call_of(ref.node)
        value = call.args[0].value  # the same node, twice in the replacement
        twice = cst.Call(cst.Name("print"), [cst.Arg(value), cst.Arg(value)])
        ctx.report(ref.node, "twice", [Edit(call, twice)])


class _ReportsEachX(Rule):
    code = "TFM102"
    name = "reports-each-x"
    summary = "test"
    prefilter = ("x",)

    def on_module(self, ctx):
        for node in ctx._collector.names:
            if node.value == "x":
                ctx.report(node, "an x")


def test_a_node_a_fix_puts_in_two_places_is_two_nodes_in_the_next_pass(monkeypatch):
    monkeypatch.setattr(engine, "all_rules", lambda: (_DoublesItsArgument, _ReportsEachX))
    result = fix(b"import tensorflow as tf\nx = tf.ones(1)\ntf.logging.info(x)\n")
    assert result.fixed_source == b"import tensorflow as tf\nx = tf.ones(1)\nprint(x, x)\n"
    assert [(d.line, d.column) for d in result.diagnostics] == [(2, 1), (3, 7), (3, 10)]


def test_unparseable_output_is_never_returned(monkeypatch):
    class _Unparseable:
        code = "def broken(:\n"

    applied = engine._apply

    def apply(module, findings, analysis):
        done, _ = applied(module, findings, analysis)
        return done, _Unparseable()

    monkeypatch.setattr(engine, "_apply", apply)
    result = fix(TF1)
    assert result.fixed_source is None
    assert [d.code for d in result.diagnostics] == ["TFM905"]
    assert "does not parse" in result.diagnostics[0].message


@pytest.mark.parametrize("raw", [
    b"# -*- coding: latin-1 -*-\nimport tensorflow as tf\ns = '\xe9t\xe9'\ntf.logging.info(s)\n",
    codecs.BOM_UTF8 + TF1,
    TF1.replace(b"\n", b"\r\n"),
    b"import tensorflow as tf\r\ntf.logging.info('x')\nx = 1\r\n",
], ids=["latin-1", "bom", "crlf", "mixed-newlines"])
def test_encoding_bom_and_line_endings_survive(raw):
    out = fix(raw).fixed_source
    assert out is not None and b"absl" in out
    if raw.startswith(codecs.BOM_UTF8):
        assert out.startswith(codecs.BOM_UTF8) and out.count(codecs.BOM_UTF8) == 1
    if b"latin-1" in raw:
        assert b"'\xe9t\xe9'" in out
    if b"\r\n" in raw and b"\nx" not in raw:
        assert out.count(b"\r\n") == out.count(b"\n")
    if b"\nx" in raw:
        assert out.endswith(b"x = 1\r\n")


@pytest.mark.parametrize("raw,code", [
    (b"import tensorflow\nprint 'hello'\n", "TFM903"),
    (b"import tensorflow\nx = '\xff\xfe'\n", "TFM902"),
    (b"import tensorflow\x00\x01\x02", "TFM902"),
    (b"# -*- coding: no-such-codec -*-\nimport tensorflow\n", "TFM902"),
])
def test_bad_input_is_a_finding_not_a_crash(raw, code):
    result = fix(raw)
    assert [d.code for d in result.diagnostics] == [code]
    assert result.fixed_source is None


def test_python2_syntax_error_points_at_the_line():
    result = migrate(b"import tensorflow\n\nprint 'hello'\n", "m.py", SETTINGS)
    assert (result.diagnostics[0].line, result.diagnostics[0].code) == (3, "TFM903")
    assert "Python 2" in result.diagnostics[0].message


def test_empty_file_is_clean():
    assert migrate(b"", "m.py", SETTINGS).diagnostics == []


@pytest.mark.parametrize("comment,reported", [
    ("# tfmigrate: ignore[TFM104]", False),
    ("# tfmigrate: ignore", False),
    ("# noqa: TFM104", False),
    ("# noqa: TFM1", False),
    ("# noqa: TFM105", True),
    ("# noqa", True),
    ("# tfmigrate: ignore[TFM105]", True),
])
def test_suppression_comments(comment, reported):
    source = f"import tensorflow as tf\ntf.logging.info('x')  {comment}\n"
    assert bool(migrate(source, "m.py", SETTINGS).diagnostics) is reported
    assert (fix(source).fixed_source is not None) is reported


def test_ignore_file():
    source = "# tfmigrate: ignore-file\nimport tensorflow as tf\ntf.logging.info('x')\n"
    assert migrate(source, "m.py", SETTINGS).diagnostics == []
    assert fix(source).fixed_source is None


def test_suppressed_finding_survives_fix_of_its_neighbours():
    source = ("import tensorflow as tf\ntf.logging.info('x')  # noqa: TFM104\n"
              "tf.gfile.Exists('p')\n")
    out = fix(source).fixed_source
    assert "tf.logging.info('x')  # noqa: TFM104" in out and "tf.io.gfile.exists" in out


def test_unsafe_fix_needs_opting_in():
    source = "import tensorflow as tf\ntf.logging.fatal('x')\n"
    assert fix(source).fixed_source is None
    assert fix(source).diagnostics[0].fix == "unsafe"
    assert not fix(source).diagnostics[0].applicable
    unsafe = dataclasses.replace(SETTINGS, unsafe_fixes=True)
    assert "logging.fatal('x')" in fix(source, unsafe).fixed_source


def test_results_are_picklable():
    import pickle

    result = fix(TF1)
    assert pickle.loads(pickle.dumps(result)) == result


def _sample_sources(count: int = 40):
    """Real modules from installed packages (keras, libcst, click): varied, modern syntax."""
    import importlib.util
    import random
    from pathlib import Path

    files = []
    for package in ("keras", "libcst", "click", "tensorflow"):
        spec = importlib.util.find_spec(package)
        if spec and spec.submodule_search_locations:
            root = Path(next(iter(spec.submodule_search_locations)))
            files += sorted(root.rglob("*.py"))[:400]
    random.Random(0).shuffle(files)
    return files[:count]


def test_token_positions_equal_libcst_positions():
    from libcst.metadata import MetadataWrapper, PositionProvider

    from tfmigrate.aliases import Collector

    checked = 0
    for path in _sample_sources():
        text = path.read_text(encoding="utf-8")
        module = cst.parse_module(text)
        collector = Collector()
        module.visit(collector)
        nodes = [chain.node for chain in collector.chains]
        fast = engine._positions(module, nodes, collector, text)
        exact = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        for node in nodes:
            where = exact[node]
            assert fast[node] == ((where.start.line, where.start.column),
                                  (where.end.line, where.end.column)), (path, module.code_for_node(node))
            checked += 1
    assert checked > 1000


def test_fast_walk_sees_what_libcst_visit_sees():
    from tfmigrate.aliases import Collector, walk

    for path in _sample_sources(25):
        module = cst.parse_module(path.read_text(encoding="utf-8"))
        by_libcst, by_walk = Collector(), Collector()
        module.visit(by_libcst)
        walk(module, by_walk)
        assert [id(n) for n in by_walk.names] == [id(n) for n in by_libcst.names], path
        assert [id(c.node) for c in by_walk.chains] == [id(c.node) for c in by_libcst.chains]
        assert len(by_walk.scopes) == len(by_libcst.scopes)


# -- speed work that must not change anything ---------------------------------------------------

def _tokenizer_names(text: str):
    import io
    import keyword
    import tokenize

    keywords = set(keyword.kwlist) - {"True", "False", "None"}
    return [(t.string, t.start, t.end)
            for t in tokenize.generate_tokens(io.StringIO(text, newline=None).readline)
            if t.type == tokenize.NAME and t.string not in keywords]


_TOKEN_CASES = [
    "x = 1if y else 2\n",
    "a = ...\nb = x[..., 0] + .5 + 1e-5j + 0x1f + 1_000\n",
    "s = rb'\\x' + Rb'''q\n''' + f'{x}' + u\"\" + Fr'{y}'\n",
    "s = 'a\\\nb'; t = '''x\\\n'''\n",
    "def f():\n  return 1\n\x0c\nvalue = 2  # it's a 'comment\n",
    "x = 1\r\ny = 2\rz = 3\r\n",
    "\u00e9t\u00e9 = caf\u00e9 + \u00b2\n",
    "print 'x'\nub'q'\n",
    "if x:\n    y = (1,\n         2)\n",
]


def test_name_scan_finds_the_tokenizers_names():
    checked = 0
    for text in [*_TOKEN_CASES, *(p.read_text(encoding="utf-8") for p in _sample_sources(80))]:
        assert engine._name_tokens(text) == _tokenizer_names(text), text[:80]
        if engine._NAME_SCAN is not None:
            assert engine._scan_names(text) == _tokenizer_names(text), text[:80]
            checked += 1
    assert checked or engine._NAME_SCAN is None


@pytest.mark.parametrize("text", ["s = '''never closed\nx = 1\n", "s = 'no end\nx = 1\n"])
def test_name_scan_leaves_broken_strings_to_the_tokenizer(text):
    if engine._NAME_SCAN is not None:
        assert engine._scan_names(text) is None
    assert engine._name_tokens(text) == (_tokenizer_names(text) if text.count("'") != 3
                                         else None)


def test_children_are_the_fields_nodes_in_visiting_order():
    from tfmigrate.aliases import _SKIPPED_MODULES, children, field_order

    def plain(node):  # the definition children() computes with per-type tables
        out = []
        for name in field_order(type(node)):
            value = getattr(node, name)
            values = value if isinstance(value, (tuple, list)) else [value]
            out += [v for v in values if isinstance(v, cst.CSTNode)
                    and type(v).__module__ not in _SKIPPED_MODULES]
        return out

    for path in _sample_sources(8):
        pending = [cst.parse_module(path.read_text(encoding="utf-8"))]
        while pending:
            node = pending.pop()
            expected = plain(node)
            found = children(node)
            assert len(found) == len(expected) and all(a is b for a, b in zip(found, expected))
            pending.extend(node.children)


def _edited(module: cst.Module, every: int):
    """`module` with some calls replaced, a statement removed, one split in two and one moved
    into a new `if` block (another indentation), through the engine's own _Rebuild."""
    from tfmigrate.aliases import Collector, walk

    collector = Collector()
    walk(module, collector)
    parents = collector.parents
    edits = {}
    calls = [n for n in parents if isinstance(n, cst.Call)]
    for call in calls[::every]:
        edits[call] = cst.Name("replaced")
    lines = [n for n in parents if isinstance(n, cst.SimpleStatementLine)
             and not any(a in edits for a in _above(n, parents))
             and not any(_above(e, parents).__contains__(n) for e in edits)]
    if len(lines) > 3:
        edits[lines[1]] = None
        edits[lines[2]] = [lines[2], cst.parse_statement("extra = 1\n")]
        edits[lines[3]] = cst.If(test=cst.Name("flag"), body=cst.IndentedBlock([lines[3]]))
    touched = {a for node in edits for a in _above(node, parents)}
    touched.add(module)
    return engine._Rebuild(edits, touched).node(module)


def _above(node, parents):
    found = []
    node = parents.get(node)
    while node is not None:
        found.append(node)
        node = parents.get(node)
    return found


def test_code_reuse_generates_what_libcst_generates():
    sources = [p.read_text(encoding="utf-8") for p in _sample_sources(30)]
    sources.append("import tensorflow as tf\nx = f(1)\nif x:\n    y = g(2)\nelif z:\n"
                   "    w = h(3)\nelse:\n    v = k(4)\n# end\nlast = m(5)  # no final newline")
    for every in (1, 7):
        for text in sources:
            module = cst.parse_module(text)
            generated = engine._GeneratedCode(module)
            assert generated.code == module.code
            new = _edited(module, every)
            assert generated.code_of(new) == new.code
            assert engine._code(new) == new.code


def test_context_listings_equal_their_plain_definitions():
    from tfmigrate.aliases import AliasTable, Collector, canonical, walk
    from tfmigrate.context import Context

    for path in _sample_sources(30):
        module = cst.parse_module(path.read_text(encoding="utf-8"))
        collector = Collector()
        walk(module, collector)
        table = AliasTable(collector)
        ctx = Context(module, collector, table, False)
        for _ in range(2):  # listed once, then reused
            assert list(ctx.module_calls()) == [n for n in collector.parents
                                                if isinstance(n, cst.Call)]
            for names in ({"shape", "append"}, ["get", "get", "items"], ("value",), set(), "dtype"):
                assert list(ctx.attributes_named(names)) == list(ctx._scan_attributes(names))
            plain = []
            for chain in collector.chains:
                base = table.lookup(chain.parts[0], chain.scope)
                if base:
                    plain.append((chain.node, canonical(".".join([base, *chain.parts[1:]]))))
            assert list(ctx.named_expressions()) == plain
