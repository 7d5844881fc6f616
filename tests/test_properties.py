"""Property tests of the engine: no input makes `migrate` raise or return damaged code.

Inputs: hypothesmith programs (from the grammar and from libcst's node types) with TF1
statements inserted into random blocks; calls of TF functions whose arguments TF2 renamed,
moved or removed, with old and new keywords mixed; arbitrary bytes and text; near-valid TF1
programs with a random edit. For each, `check_and_fix` asserts: migrate never raises and no
rule crashes (TFM904); diagnostics are sorted and lie inside the file; a fix is returned only
for input that parses, parses itself (and compiles when the input did), and a second fix
changes nothing. Valid programs without TF1 code are never changed, and a fix leaves the
code around its own statements byte for byte.

Every test is derandomized with modest example counts: CI sees the same examples on every
run, and a failure reproduces. To hunt for new failures, set TFMIGRATE_PROPERTY_SCALE=N:
N times the examples, drawn at random, e.g.
`TFMIGRATE_PROPERTY_SCALE=20 python -m pytest tests/test_properties.py`.

Bugs these properties (and benchmarks/corpus_safety.py) found are kept as plain examples at
the end.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import os
import re
import tokenize
import warnings

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, currently_in_test_context, given, note, settings
from hypothesis import strategies as st

from tfmigrate.config import Settings
from tfmigrate.engine import Result, all_rules, migrate
from tfmigrate.rule import Invalid

SETTINGS = Settings().validate(rule.code for rule in all_rules())
UNSAFE = dataclasses.replace(SETTINGS, unsafe_fixes=True)
PREFIX = "import tensorflow as tf\n"

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning",
                                        "ignore::DeprecationWarning")

SCALE = int(os.environ.get("TFMIGRATE_PROPERTY_SCALE", "0") or 0)


def profile(examples: int) -> settings:
    return settings(max_examples=examples * max(SCALE, 1), deadline=None,
                    derandomize=not SCALE, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])


# TF1 statements that rules report and (mostly) fix; names they use are left undefined.
TF1_STATEMENTS = [
    "tf.logging.info(x)",
    "tf.logging.set_verbosity(tf.logging.INFO)",
    "tf.logging.log(tf.logging.WARN, 'w %d', 1)",
    "tf.logging.fatal('bad')",
    "if not tf.gfile.Exists(p):\n    tf.gfile.MakeDirs(p)",
    "with tf.gfile.GFile(p, 'w') as f:\n    f.write(x)",
    "flags = tf.app.flags",
    "tf.app.flags.DEFINE_string('name', 'x', 'help')",
    "FLAGS = tf.flags.FLAGS",
    "tf.app.run(main)",
    "y = tf.reduce_sum(x, keep_dims=True)",
    "y = tf.nn.softmax(x, dim=1)",
    "y = tf.to_float(x)",
    "y = tf.nn.dropout(x, keep_prob=0.5)",
    "y = tf.log(x)",
    "init = tf.contrib.layers.xavier_initializer()",
    "opt = tf.keras.optimizers.Adam(lr=0.1, decay=0.01)",
    "m = tf.keras.metrics.Mean()\nm.reset_states()",
    "layer = tf.keras.layers.CuDNNLSTM(4)",
    "model = tf.keras.Model(a, b)\nmodel.fit_generator(gen)",
    "sess = tf.Session()",
    "import tensorflow as tf",
    "from tensorflow import logging",
]


def _rule_examples() -> list[str]:
    """The invalid examples of every rule: each a small TF1 module."""
    return sorted({example.code for rule in all_rules() for example in rule.examples
                   if isinstance(example, Invalid)})


SNIPPETS = TF1_STATEMENTS + _rule_examples()


def _argument_table() -> dict[str, dict]:
    """tf function -> its keyword changes, from the rules' generated data (empty if absent)."""
    import json
    from pathlib import Path

    import tfmigrate.rules

    try:
        data = json.loads((Path(tfmigrate.rules.__file__).parent / "data" / "arguments.json")
                          .read_text(encoding="utf-8"))
        return {name: info for name, info in sorted(data["functions"].items())
                if isinstance(info, dict)}
    except (OSError, ValueError, KeyError, AttributeError):
        return {}


ARGUMENTS = _argument_table()
# Keywords that Keras rules rename or drop, with the names they become.
KERAS_CALLS = {
    "tf.keras.optimizers.Adam": ["lr", "learning_rate", "decay", "epsilon", "clipnorm"],
    "tf.keras.optimizers.SGD": ["lr", "learning_rate", "decay", "momentum", "nesterov"],
    "tf.keras.layers.LSTM": ["units", "time_major", "dynamic", "return_sequences"],
    "tf.keras.layers.BatchNormalization": ["fused", "axis", "momentum", "virtual_batch_size"],
    "tf.keras.layers.Embedding": ["input_dim", "output_dim", "input_length"],
}


@st.composite
def api_calls(draw) -> str:
    """A call of a TF function whose arguments TF2 changed, with a random mix of old and new
    keyword names (repeats included) and positional arguments."""
    keras = [(name, {"keywords": kws}) for name, kws in KERAS_CALLS.items()]
    tables = list(ARGUMENTS.items())
    name, info = draw(st.sampled_from(keras) if not tables or draw(st.booleans())
                      else st.sampled_from(tables))
    pool = list(info.get("keywords", [])) + list(info.get("removed", []))
    for old, new in dict(info.get("renamed", {})).items():
        pool += [old, new]
    positional = draw(st.integers(0, 4))
    keywords = draw(st.lists(st.sampled_from(pool), max_size=4)) if pool else []
    args = [f"a{i}" for i in range(positional)]
    args += [f"{keyword}={value}" for keyword, value in
             zip(keywords, draw(st.lists(st.sampled_from(["1", "0.5", "True", "None", "v"]),
                                         min_size=len(keywords), max_size=len(keywords))))]
    if draw(st.booleans()):
        args.append(draw(st.sampled_from(["*args", "**kwargs"])))
    call = f"{name}({', '.join(args)})"
    return draw(st.sampled_from([f"y = {call}", f"return {call}", call]))


# -- what every result must satisfy ----------------------------------------------------------

_NEWLINE = re.compile(r"\r\n|\r|\n")


def _lines(source: str | bytes) -> list[str]:
    text = source if isinstance(source, str) else _decode(source)
    return _NEWLINE.split(text)


def _decode(raw: bytes) -> str:
    """The text as Python reads it; latin-1 (one character a byte) where it cannot."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return raw.decode("latin-1")


def parses(source: str | bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences are not our business
            ast.parse(source)
        return True
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False


def compiles(source: str | bytes) -> bool:
    """Valid Python down to the compiler (repeated keywords, misplaced `return`, ...)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "m.py", "exec", dont_inherit=True)
        return True
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False


def assert_well_formed(result: Result, source: str | bytes) -> None:
    """Diagnostics sorted by position, each inside `source`; no crash inside a rule."""
    codes = [d.code for d in result.diagnostics]
    assert "TFM904" not in codes, result.diagnostics
    keys = [(d.line, d.column, d.code) for d in result.diagnostics]
    assert keys == sorted(keys), result.diagnostics
    if not result.diagnostics:
        return
    lines = _lines(source)
    for d in result.diagnostics:
        assert 1 <= d.line <= len(lines), (d, len(lines))
        assert 1 <= d.column <= len(lines[d.line - 1]) + 1, (d, lines[d.line - 1])
        assert (d.line, d.column) <= (d.end_line, d.end_column), d
        assert d.end_line <= len(lines), (d, len(lines))
        assert d.end_column <= len(lines[d.end_line - 1]) + 1, (d, lines[d.end_line - 1])


def check_and_fix(source: str | bytes, settings: Settings = SETTINGS) -> Result | None:
    """Run check and fix on `source`, assert the engine's promises, return the fix result."""
    checked = migrate(source, "m.py", settings)
    assert checked.fixed_source is None, "check never fixes"
    assert_well_formed(checked, source)
    fixed = migrate(source, "m.py", settings, fix=True)
    assert "TFM904" not in [d.code for d in fixed.diagnostics], fixed.diagnostics
    if fixed.fixed_source is None:
        assert not fixed.fixed_codes
        assert_well_formed(fixed, source)
        return fixed
    if currently_in_test_context():
        note(f"fixed: {fixed.fixed_source!r}")
    assert parses(source), "a fix was returned for input that does not parse"
    assert type(fixed.fixed_source) is type(source)
    assert fixed.fixed_source != source
    assert fixed.fixed_codes
    assert parses(fixed.fixed_source), "the fixed code does not parse"
    if compiles(source):
        assert compiles(fixed.fixed_source), "the input compiled, the fixed code does not"
    assert_well_formed(fixed, fixed.fixed_source)
    again = migrate(fixed.fixed_source, "m.py", settings, fix=True)
    assert again.fixed_source is None, f"a second fix changed: {again.fixed_source!r}"
    assert not again.internal_error, again.diagnostics
    return fixed


# -- strategies ------------------------------------------------------------------------------

class _Blocks(cst.CSTVisitor):
    def __init__(self) -> None:
        self.sizes: list[int] = []

    def visit_Module(self, node: cst.Module) -> None:
        self.sizes.append(len(node.body))

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.sizes.append(len(node.body))


class _Insert(cst.CSTTransformer):
    """Insert statements into the n-th statement block (in visiting order) at a position."""

    def __init__(self, insertions: dict[int, list[tuple[int, list[cst.BaseStatement]]]]):
        self.insertions = insertions
        self.counter = -1
        self.stack: list[int] = []

    def _enter(self) -> None:
        self.counter += 1
        self.stack.append(self.counter)

    def _body(self, body):
        index = self.stack.pop()
        body = list(body)
        for position, statements in sorted(self.insertions.get(index, ()), reverse=True,
                                           key=lambda item: item[0]):
            body[position:position] = statements
        return body

    def visit_Module(self, node):
        self._enter()

    def leave_Module(self, original, updated):
        return updated.with_changes(body=self._body(updated.body))

    def visit_IndentedBlock(self, node):
        self._enter()

    def leave_IndentedBlock(self, original, updated):
        return updated.with_changes(body=self._body(updated.body))


@st.composite
def with_tf1(draw, programs: st.SearchStrategy[str], max_snippets: int = 4) -> str:
    """`import tensorflow as tf` + a generated program with TF1 statements in random blocks."""
    program = draw(programs)
    snippets = draw(st.lists(st.sampled_from(SNIPPETS), max_size=max_snippets))
    try:
        module = cst.parse_module(program)
    except Exception:  # noqa: BLE001 - a program libcst cannot parse: append the snippets
        return PREFIX + program + "".join("\n" + s + "\n" for s in snippets)
    counter = _Blocks()
    module.visit(counter)
    insertions: dict[int, list] = {}
    for snippet in snippets:
        block = draw(st.integers(0, len(counter.sizes) - 1))
        position = draw(st.integers(0, counter.sizes[block]))
        insertions.setdefault(block, []).append(
            (position, list(cst.parse_module(snippet).body)))
    return PREFIX + module.visit(_Insert(insertions)).code


def _grammar() -> st.SearchStrategy[str]:
    return hypothesmith.from_grammar()


def _nodes() -> st.SearchStrategy[str]:
    return hypothesmith.from_node()


# -- (a) generated programs with TF1 statements ----------------------------------------------

@profile(60)
@given(source=with_tf1(_grammar()), unsafe=st.booleans())
def test_grammar_programs_with_tf1_statements(source, unsafe):
    check_and_fix(source, UNSAFE if unsafe else SETTINGS)


@profile(25)
@given(source=with_tf1(_nodes()), unsafe=st.booleans())
def test_node_programs_with_tf1_statements(source, unsafe):
    check_and_fix(source, UNSAFE if unsafe else SETTINGS)


@profile(60)
@given(snippets=st.lists(st.sampled_from(SNIPPETS), min_size=1, max_size=6),
       indent=st.booleans(), newline=st.sampled_from(["\n", "\r\n"]), unsafe=st.booleans())
def test_tf1_statements_combined(snippets, indent, newline, unsafe):
    """Several TF1 snippets in one module, maybe inside a function: their fixes compose."""
    body = "\n".join(snippets)
    if indent:
        body = "def main():\n" + "".join(f"    {line}\n" if line.strip() else "\n"
                                          for line in body.splitlines())
    source = (PREFIX + body + "\n").replace("\n", newline)
    assume(parses(source))
    result = check_and_fix(source.encode(), UNSAFE if unsafe else SETTINGS)
    if result is not None and result.fixed_source is not None and newline == "\r\n":
        data = result.fixed_source
        assert data.count(b"\n") == data.count(b"\r\n"), "line endings kept"


@profile(150)
@given(calls=st.lists(api_calls(), min_size=1, max_size=3), unsafe=st.booleans())
def test_api_calls_with_old_and_new_keywords(calls, unsafe):
    """Renamed, moved and removed arguments: the fixed call is still valid Python (no keyword
    given twice), or the file is left alone."""
    body = "".join(f"    {call}\n" for call in calls)
    check_and_fix(PREFIX + "def f(a0, a1, a2, a3, v, *args, **kwargs):\n" + body,
                  UNSAFE if unsafe else SETTINGS)


# -- (b) arbitrary bytes and text ------------------------------------------------------------

@profile(150)
@given(prefix=st.sampled_from([b"import tensorflow\n", b"import tensorflow as tf\n",
                               b"# -*- coding: latin-1 -*-\nimport tensorflow as tf\n",
                               b"\xef\xbb\xbfimport tensorflow as tf\n",
                               b"# coding: no-such-codec\nimport tensorflow as tf\n"]),
       blob=st.binary(max_size=300),
       tail=st.sampled_from([b"", b"\ntf.logging.info(x)\n"]))
def test_arbitrary_bytes(prefix, blob, tail):
    source = prefix + blob + tail
    result = check_and_fix(source)
    if result is not None and not parses(source):
        assert result.fixed_source is None
        assert {d.code for d in result.diagnostics} & {"TFM902", "TFM903"}, result.diagnostics


@profile(150)
@given(text=st.text(max_size=300), as_bytes=st.booleans(),
       tail=st.sampled_from(["", "\ntf.logging.info(x)\n"]))
def test_arbitrary_text(text, as_bytes, tail):
    source = "import tensorflow as tf\n" + text + tail
    if as_bytes:
        source = source.encode("utf-8", "surrogatepass")
    result = check_and_fix(source)
    if result is not None and not parses(source):
        assert result.fixed_source is None


# Python punctuation and keywords: edits that make near-valid code, not line noise.
_EDIT_PIECES = list("()[]{}:;,.=+-*/%@\\'\"#\n\t \x0c") + [
    "if ", "else", "def ", "lambda", "**", "*", "->", "await ", "yield", "async ",
    "\r", "\r\n", "    ", "pass", ":=", "print ", "except E, e:", "u'", "f'{", "\x00", "\ufeff",
]


@st.composite
def edited_tf1(draw) -> str:
    """A TF1 program with one to three random insertions or deletions."""
    source = PREFIX + "\n".join(draw(st.lists(st.sampled_from(SNIPPETS), min_size=1,
                                              max_size=4))) + "\n"
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.integers(0, len(source)))
        if draw(st.booleans()):
            piece = draw(st.sampled_from(_EDIT_PIECES))
            source = source[:where] + piece + source[where:]
        else:
            source = source[:where] + source[where + draw(st.integers(1, 8)):]
    return source


@profile(200)
@given(source=edited_tf1(), as_bytes=st.booleans(), unsafe=st.booleans())
def test_near_valid_tf1_programs(source, as_bytes, unsafe):
    """Unparseable input is reported and never fixed; parseable input is fixed soundly."""
    if as_bytes:
        source = source.encode("utf-8", "surrogatepass")
    result = check_and_fix(source, UNSAFE if unsafe else SETTINGS)
    if result is not None and not parses(source):
        assert result.fixed_source is None


# -- (c) round trip: valid programs without TF1 constructs -----------------------------------

# libcst 1.9.0 does not reproduce every file: it loses blank lines at the end of a module when
# a trailing line holding only whitespace or an indented comment follows another blank line
# (parse_module("x\n\n \n").code == "x\n \n"), and the last newline of a file whose lines
# end in a lone CR. The fix loop prints the module back, so the engine must refuse to fix
# such a file (TFM905) rather than lose those bytes.
def libcst_reproduces(source: str) -> bool:
    try:
        return cst.parse_module(source).code == source
    except Exception:  # noqa: BLE001 - not parseable by libcst: nothing to lose
        return True


@profile(50)
@given(program=_grammar())
def test_programs_without_tf1_round_trip(program):
    source = PREFIX + program
    assume(parses(source))
    checked = migrate(source, "m.py", UNSAFE)
    assume(not checked.diagnostics)  # a generated program that uses TF2 API by chance
    assert migrate(source, "m.py", UNSAFE, fix=True).fixed_source is None
    assert migrate(source.encode("utf-8", "surrogatepass"), "m.py", UNSAFE,
                   fix=True).fixed_source is None


@profile(40)
@given(program=_grammar(), snippet=st.sampled_from(TF1_STATEMENTS[:10]))
def test_fix_leaves_the_rest_of_the_program_alone(program, snippet):
    """A fix changes its own statements and the imports; a program after them is intact,
    byte for byte, or the file is not fixed at all."""
    assume(parses(PREFIX + program) and not migrate(PREFIX + program, "m.py", SETTINGS)
           .diagnostics)
    source = PREFIX + snippet + "\n" + program
    assume(parses(source))
    result = check_and_fix(source)
    if result.fixed_source is not None:
        assert result.fixed_source.endswith(program)
    elif not libcst_reproduces(source) and any(d.applicable for d in migrate(
            source, "m.py", SETTINGS).diagnostics):
        assert "TFM905" in [d.code for d in result.diagnostics]


@pytest.mark.parametrize("tail", ["\n\n    ", "\n\n\n\n ", "\n\n\t# end", "\r\n\r\n  ",
                                  "\n\n \n", "\n\n    # end\n", "\n\n\\\n "])
def test_trailing_lines_libcst_cannot_reproduce_are_never_lost(tail):
    source = "import tensorflow as tf\ntf.logging.info(x)" + tail
    assert not libcst_reproduces(source), "libcst fixed: this test can check more"
    result = migrate(source, "m.py", SETTINGS, fix=True)
    if result.fixed_source is None:
        assert [d.code for d in result.diagnostics] == ["TFM905"], result.diagnostics
    else:
        assert result.fixed_source.endswith("logging.info(x)" + tail), repr(result.fixed_source)


# -- found by these properties; kept as plain examples ---------------------------------------

@pytest.mark.parametrize("source", [
    # libcst accepts what ast rejects: reported as TFM903, never fixed.
    "import tensorflow as tf\ntf.logging.info(**a, *b)\n",
    "import tensorflow as tf\ntf.logging.info(x for x in y, 1)\n",
    # Mixed line endings between the prefix and the program.
    "import tensorflow as tf\r\ntf.logging.info(x)\ry = 1\n",
    # Form feeds and a backslash continuation before a TF1 call.
    "import tensorflow as tf\n\x0c\\\n\ntf.logging.info(x)\n",
])
def test_examples(source):
    check_and_fix(source)
    check_and_fix(source.encode())


# -- regressions: bugs these properties found -----------------------------------------------

def _fix_result(source: str) -> Result:
    return migrate(source, "m.py", SETTINGS, fix=True)


def test_tfm706_lr_and_learning_rate_together():
    """Renaming lr= where learning_rate= is given too would repeat a keyword (SyntaxError)."""
    source = "import tensorflow as tf\nopt = tf.keras.optimizers.Adam(lr=0.1, learning_rate=0.2)\n"
    fixed = _fix_result(source).fixed_source
    assert fixed is None or compiles(fixed), fixed


def test_tfm706_positional_arguments_and_decay():
    """Once a crash (TFM904, CSTValidationError: positional argument after keyword)."""
    source = "import tensorflow as tf\nopt = tf.keras.optimizers.Adam(0.1, 0.9, decay=1e-4)\n"
    result = _fix_result(source)
    assert not result.internal_error, result.diagnostics


def test_lone_cr_file_keeps_its_last_newline():
    """libcst drops the last CR of a file whose lines end in a lone CR (classic Mac)."""
    source = "import tensorflow as tf\r\rtf.logging.info(x)\r"
    result = _fix_result(source)
    if result.fixed_source is None:
        assert [d.code for d in result.diagnostics] == ["TFM905"]
    else:
        assert result.fixed_source == "from absl import logging\r\rlogging.info(x)\r"


def test_lone_cr_positions():
    """Positions came from tokenize reading lines split on \\n only."""
    source = "import tensorflow as tf\r\rtf.logging.info(x)\r"
    diagnostics = migrate(source, "m.py", SETTINGS).diagnostics
    assert [(d.line, d.column, d.code) for d in diagnostics] == [(3, 1, "TFM104")]


def test_lone_cr_noqa_applies_to_its_own_line_only():
    source = "import tensorflow as tf\nx = 1  # noqa: TFM104\rtf.logging.info(x)\n"
    assert [d.code for d in migrate(source, "m.py", SETTINGS).diagnostics] == ["TFM104"]


# -- bugs these properties found, kept as examples ---------------------------------------

@pytest.mark.parametrize("fix", [False, True])
def test_identifier_python_rejects_is_a_syntax_error(fix):
    source = "import tensorflow as tf\ntf.logging.info(1)\n\U00031350 = 1\n".encode()
    result = migrate(source, "m.py", SETTINGS, fix=fix)
    assert [d.code for d in result.diagnostics] == ["TFM903"]


@pytest.mark.parametrize("source", [
    "import tensorflow as tf\nm = tf.keras.Sequential()\nm.save_weights('\\N{BOGUS}')\n",
    "import tensorflow as tf\nm = tf.keras.Sequential()\nm.save_weights('\\x4')\n",
    "import tensorflow as tf\nm = tf.keras.Sequential()\nm.save_weights(b'\xe9')\n",
    "import tensorflow as tf\ntf.app.flags.DEFINE_string('\\N{BOGUS}', 'a', 'b')\n",
    # str input (a notebook cell, whose JSON may hold \u0000): a NUL inside a string literal.
    "import tensorflow as tf\nm = tf.keras.Sequential()\nm.save_weights('\x00out')\n",
])
def test_string_literal_python_rejects_is_a_syntax_error(source):
    for fix in (False, True):
        result = migrate(source, "m.py", SETTINGS, fix=fix)
        assert [d.code for d in result.diagnostics] == ["TFM903"], result.diagnostics



# -- open bugs: fixes that parse but change what correct code does ---------------------------
# Found by benchmarks/corpus_safety.py and these properties; fixed, kept as examples.

def test_tfm803_leaves_tf2_argument_order_alone():
    # Found in keras/src/backend/tensorflow/nn.py by benchmarks/corpus_safety.py.
    source = ("import tensorflow as tf\ny = tf.nn.convolution(x, k, [1, 1], 'SAME')\n"
              "z = tf.__internal__.nest\n")
    fixed = _fix_result(source).fixed_source
    assert fixed is None or "padding=[1, 1]" not in fixed, fixed


def test_tfm701_leaves_optimizer_add_variable_alone():
    # Found in keras/src/optimizers/adafactor.py by benchmarks/corpus_safety.py.
    source = ("import keras\n\nclass Opt(keras.optimizers.Optimizer):\n"
              "    def build(self, var_list):\n"
              "        self.m = self.add_variable(shape=(1,), name='m')\n")
    fixed = _fix_result(source).fixed_source
    assert fixed is None or "add_weight" not in fixed, fixed


def test_match_capture_shadows_no_added_import():
    source = ("import tensorflow as tf\nmatch x:\n    case [*logging]:\n"
              "        tf.logging.info(logging)\n")
    fixed = _fix_result(source).fixed_source
    assert fixed is None or "    logging.info(logging)" not in fixed, fixed


def test_removed_alias_assignment_keeps_its_comment():
    source = "import tensorflow as tf\nflags = tf.app.flags  # keep this comment\n"
    fixed = _fix_result(source).fixed_source
    assert fixed is None or "# keep this comment" in fixed, fixed


def test_tfm706_positional_rate_and_lr():
    source = "import tensorflow as tf\nopt = tf.keras.optimizers.Adam(0.1, lr=0.2)\n"
    fixed = _fix_result(source).fixed_source
    assert fixed is None or "Adam(0.1, learning_rate" not in fixed, fixed
