"""rules/_calls.py: a call's arguments by parameter (shared by the rule modules)."""

from __future__ import annotations

import libcst as cst
import pytest

from rules._calls import Unbound, args_by_parameter, argument, bind, bind_args

PARAMS = ("x", "dtype", "name")


def call(text: str) -> cst.Call:
    node = cst.parse_expression(text)
    assert isinstance(node, cst.Call)
    return node


def code(node: cst.CSTNode | None) -> str | None:
    return None if node is None else cst.Module([]).code_for_node(node)


def test_bind_by_position_and_keyword():
    found = bind(call("f(a, name='n', dtype=d)"), PARAMS)
    assert {key: code(value) for key, value in found.items()} == \
        {"x": "a", "name": "'n'", "dtype": "d"}
    assert list(found) == ["x", "name", "dtype"]  # the call's order
    assert bind(call("f()"), PARAMS) == {}


@pytest.mark.parametrize("text,reason", [
    ("f(*a)", "`*` arguments cannot be mapped"),
    ("f(a, **k)", "`**` arguments cannot be mapped"),
    ("f(a, b, c, d)", "too many positional arguments"),
    ("f(a, shape=s)", "unknown argument `shape=`"),
    ("f(a, x=b)", "argument `x` given twice"),
    # the first problem in the call's order is the one reported
    ("f(a, shape=s, **k)", "unknown argument `shape=`"),
    ("f(a, b, c, d, *e)", "too many positional arguments"),
])
def test_unbindable_calls_say_why(text, reason):
    with pytest.raises(Unbound, match=f"^{reason.replace('*', '[*]')}$"):
        bind_args(call(text), PARAMS)
    assert bind(call(text), PARAMS) is None


def test_bind_args_keeps_the_arguments():
    source = call("f(a, name='n')")
    bound = bind_args(source, PARAMS)
    assert bound["x"] is source.args[0] and bound["name"] is source.args[1]


def test_args_by_parameter_passes_unknown_and_repeated_keywords():
    pairs = [(name, code(arg.value)) for name, arg in
             args_by_parameter(call("f(a, x=b, shape=s)"), PARAMS)]
    assert pairs == [("x", "a"), ("x", "b"), ("shape", "s")]
    with pytest.raises(Unbound):
        list(args_by_parameter(call("f(a, *b)"), PARAMS))


@pytest.mark.parametrize("text,position,expected", [
    ("f(a, tf.float32)", 1, "tf.float32"),
    ("f(a, dtype=tf.float32)", 1, "tf.float32"),
    ("f(dtype=tf.float32, x=a)", None, "tf.float32"),
    ("f(a)", 1, None),
    ("f(a, tf.float32)", None, None),  # keyword only: a positional one does not count
    ("f(a, b, **k)", 1, "b"),  # found before the `**k`
    ("f(*a, tf.float32)", 1, None),  # where the `*a` ends is unknown
    ("f(a, *b)", 1, None),
    ("f(**k, dtype=tf.float32)", 1, None),
])
def test_argument(text, position, expected):
    found = argument(call(text), position, "dtype")
    assert code(found.value if found is not None else None) == expected
