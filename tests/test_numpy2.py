"""rules/numpy2.py: NumPy names and arguments that NumPy 2 removed (TFM808).

The rule's tables are checked against the installed NumPy (the one TF 2.21 runs on), each
replacement is pinned as text, and a subprocess proves that the fixed code runs where the
original raises.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

from rules.numpy2 import BUILTINS, CALLS, EXPRESSIONS, GUIDANCE, REMOVED, RENAMED
from tfmigrate.config import Settings
from tfmigrate.engine import all_rules, migrate

SETTINGS = Settings().validate(rule.code for rule in all_rules())
ONLY = dataclasses.replace(SETTINGS, select=("TFM808",))
UNSAFE = dataclasses.replace(ONLY, unsafe_fixes=True)
HEAD = "import numpy as np\nimport tensorflow as tf\n\n"


def fixed(body: str, settings=ONLY) -> str | None:
    """The fixed text of `body` (after HEAD); None when nothing was fixed."""
    result = migrate(HEAD + body, "case.py", settings, fix=True).fixed_source
    return None if result is None else result[len(HEAD):]


def findings(body: str, head: str = HEAD) -> list[tuple[int, int, str, bool]]:
    return [(d.line - head.count("\n"), d.column, d.message, d.applicable)
            for d in migrate(head + body, "case.py", ONLY).diagnostics]


def fixed_expression(expression: str) -> str | None:
    result = fixed(f"result = {expression}\n")
    return None if result is None else result[len("result = "):].rstrip("\n")


# -- the facts, against the installed NumPy ---------------------------------------------------

def test_installed_numpy_is_numpy_2():
    assert int(np.__version__.split(".")[0]) >= 2


@pytest.mark.parametrize("name", sorted(REMOVED))
def test_every_reported_name_is_gone(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # np.object, np.str: "in the future"
        assert not hasattr(np, name), f"np.{name} exists on NumPy {np.__version__}"


@pytest.mark.parametrize("name", ["bool", "long", "row_stack", "nan", "inf", "float64",
                                  "reshape", "isin", "trapezoid", "sort", "prod"])
def test_names_that_exist_are_not_reported(name):
    assert hasattr(np, name)
    assert findings(f"x = np.{name}\n") == []


@pytest.mark.parametrize("name,new", sorted((k, v[0]) for k, v in RENAMED.items()))
def test_renamed_targets_exist(name, new):
    assert hasattr(np, new)


def test_builtin_targets_are_builtins():
    import builtins

    assert all(hasattr(builtins, target) for target in BUILTINS.values())


@pytest.mark.parametrize("dotted", ["lib.array_utils.byte_bounds", "lib.add_newdoc",
                                    "lib.add_docstring", "lib.npyio.DataSource",
                                    "lib.tracemalloc_domain", "result_type", "promote_types",
                                    "genfromtxt", "issubdtype", "finfo", "set_printoptions"])
def test_guidance_points_at_names_that_exist(dotted):
    value = np
    for part in dotted.split("."):
        if part == "npyio":  # a submodule that is not an attribute until imported
            import numpy.lib.npyio as value
            continue
        value = getattr(value, part)
    assert value is not None
    assert any(f"np.{dotted}" in hint for hint in GUIDANCE.values())


def test_removed_arguments_raise_on_installed_numpy():
    with pytest.raises(TypeError):
        np.reshape(np.arange(4), newshape=(2, 2))
    with pytest.raises(TypeError):
        np.reshape(a=np.arange(4), shape=(2, 2))
    with pytest.raises(ValueError):
        np.array([1, 2], copy=False)
    assert not hasattr(np.zeros(1), "tostring")


# -- each replacement, as text ----------------------------------------------------------------

@pytest.mark.parametrize("name,builtin", sorted(BUILTINS.items()))
def test_builtin_aliases(name, builtin):
    assert fixed_expression(f"x.astype(np.{name})") == f"x.astype({builtin})"


@pytest.mark.parametrize("name,new", sorted((k, v[0]) for k, v in RENAMED.items()))
def test_renamed_names(name, new):
    assert fixed_expression(f"f(np.{name})") == f"f(np.{new})"


@pytest.mark.parametrize("expression,expected", [
    ("np.NINF", "-np.inf"),
    ("[np.NINF, np.PZERO, np.NZERO]", "[-np.inf, 0.0, -0.0]"),
    ("np.NINF.real", "(-np.inf).real"),
    ("np.NINF ** 2", "(-np.inf) ** 2"),
    ("2 ** np.NINF", "2 ** -np.inf"),
    ("-np.NINF", "-(-np.inf)"),
    ("x - np.NINF", "x - -np.inf"),
    ("np.NZERO.hex()", "(-0.0).hex()"),
    ("max(x, np.NINF)", "max(x, -np.inf)"),
])
def test_constant_expressions(expression, expected):
    assert set(EXPRESSIONS) == {"NINF", "PZERO", "NZERO"}
    assert fixed_expression(expression) == expected


@pytest.mark.parametrize("expression,expected", [
    ("np.asscalar(a)", "a.item()"),
    ("np.asscalar(a=x[0])", "x[0].item()"),
    ("np.asscalar(x[0] + 1)", "(x[0] + 1).item()"),
    ("np.asscalar(-x)", "(-x).item()"),
    ("np.asscalar(5)", "(5).item()"),
    ("np.asscalar(np.sum(x))", "np.sum(x).item()"),
    ("np.asscalar(a if b else c)", "(a if b else c).item()"),
    ("np.in1d(a, b)", "np.isin(a, b).ravel()"),
    ("np.in1d(a, b, invert=True, kind='sort')", "np.isin(a, b, invert=True, kind='sort').ravel()"),
    ("np.in1d(ar1=a, ar2=b)", "np.isin(element=a, test_elements=b).ravel()"),
    ("np.msort(a)", "np.sort(a, axis=0)"),
    ("np.msort(a=x)", "np.sort(x, axis=0)"),
    ("np.asfarray([1, 2])", "np.asarray([1, 2], dtype=np.float64)"),
])
def test_calls(expression, expected):
    assert set(CALLS) == {"asscalar", "in1d", "msort", "asfarray"}
    assert fixed_expression(expression) == expected


@pytest.mark.parametrize("expression", ["np.asfarray(x, np.float32)", "np.msort(a, 0)",
                                        "np.in1d(*args)", "np.asscalar(*xs)", "map(np.msort, xs)"])
def test_calls_that_are_only_reported(expression):
    assert fixed_expression(expression) is None
    assert len(findings(f"result = {expression}\n")) == 1


@pytest.mark.parametrize("expression,expected", [
    ("np.reshape(x, newshape=[-1, 28, 28, 1])", "np.reshape(x, [-1, 28, 28, 1])"),
    ("np.reshape(a=x, newshape=(2, 1), order='F')", "np.reshape(x, (2, 1), order='F')"),
    ("np.reshape(x, order='C', newshape=[-1],)", "np.reshape(x, [-1], order='C',)"),
    ("np.reshape(newshape=s, a=x)", "np.reshape(x, s)"),
    ("np.reshape(a=x, shape=s)", "np.reshape(x, s)"),
    ("numpy_reshape(x, newshape=s)", None),  # not NumPy's
    ("np.reshape(x, s)", None),
    ("x.reshape(newshape=s)", None),  # the method never took `newshape`
])
def test_reshape(expression, expected):
    assert fixed_expression(expression) == expected


def test_reshape_keeps_line_breaks():
    body = "img = np.reshape(np.repeat(g, 3, axis=2),\n                 newshape=(28, 28, 3))\n"
    assert fixed(body) == ("img = np.reshape(np.repeat(g, 3, axis=2),\n"
                           "                 (28, 28, 3))\n")


def test_reshape_from_import():
    source = "from numpy import reshape\nimport tensorflow as tf\n\ny = reshape(x, newshape=[2])\n"
    result = migrate(source, "case.py", ONLY, fix=True).fixed_source
    assert result is not None and result.endswith("y = reshape(x, [2])\n")


def test_reshape_with_unpacked_arguments_is_only_reported():
    assert fixed_expression("np.reshape(x, newshape=s, **options)") is None
    assert "newshape" in findings("y = np.reshape(x, newshape=s, **options)\n")[0][2]


@pytest.mark.parametrize("expression,expected", [
    ("np.array(x, copy=False)", "np.asarray(x)"),
    ("np.array(x, dtype=np.float32, copy=False)", "np.asarray(x, dtype=np.float32)"),
    ("np.array(x, np.float32, copy=False, order='C')", "np.asarray(x, np.float32, order='C')"),
    ("np.array(object=x, copy=False)", "np.asarray(a=x)"),
    ("np.array(x, copy=True)", None),
    ("np.array(x, copy=copy)", None),
    ("x.astype(np.float32, copy=False)", None),
])
def test_array_copy_false(expression, expected):
    assert fixed_expression(expression) == expected


def test_array_copy_false_with_ndmin_is_only_reported():
    assert fixed_expression("np.array(x, copy=False, ndmin=2)") is None
    [(_, _, message, fixable)] = findings("y = np.array(x, copy=False, ndmin=2)\n")
    assert "copy=None" in message and not fixable


def test_spelling_of_numpy_is_kept():
    source = "import numpy\nimport tensorflow as tf\n\nx = numpy.float_(numpy.NaN) + numpy.NINF\n"
    result = migrate(source, "case.py", ONLY, fix=True).fixed_source
    assert result is not None and result.endswith("x = numpy.float64(numpy.nan) + -numpy.inf\n")


def test_guidance_only_names():
    [(line, column, message, fixable)] = findings("t = np.find_common_type([np.float32], [])\n")
    assert (line, column, fixable) == (1, 5, False)
    assert "np.result_type" in message and "NumPy 2.0" in message
    assert fixed("t = np.find_common_type([np.float32], [])\n") is None


def test_messages_say_what_the_name_becomes():
    [(_, _, message, fixable)] = findings("x = np.float(1)\n")
    assert message == ("`np.float` was removed in NumPy 1.24 (it was the builtin `float`): "
                       "use `float`") and fixable
    [(_, _, message, _)] = findings("x = np.trapz(y)\n")
    assert message == "`np.trapz` was removed in NumPy 2.4: use `np.trapezoid`"


# -- names that are not NumPy's, and names the module defines itself --------------------------

@pytest.mark.parametrize("body", [
    "def f(np):\n    return np.float(3) + np.NaN\n",
    "def f():\n    np = load()\n    return np.asscalar(x)\n",
    "x = tf.experimental.numpy.float64\n",
    "import tensorflow.experimental.numpy as tnp\n\nx = tnp.asarray([1.0], dtype=tnp.float32)\n",
    "x = 'np.float'  # np.NaN\n",
    "x = hasattr(np, 'float_')\n",
])
def test_not_numpy(body):
    assert findings(body) == []


def test_local_np_that_is_not_numpy():
    source = "import tensorflow as tf\n\nnp = MyModule()\nx = np.float(3)\n"
    assert migrate(source, "case.py", ONLY).diagnostics == []


def test_a_shim_in_the_module_leaves_that_name_alone():
    body = "np.float = float\nx = np.float(3) + np.NaN\n"
    assert fixed(body) == "np.float = float\nx = np.float(3) + np.nan\n"


def test_a_rebound_builtin_is_reached_through_builtins():
    body = "def f(int):\n    return np.int(int)\n"
    result = migrate(HEAD + body, "case.py", ONLY, fix=True).fixed_source
    assert result == ("import numpy as np\nimport tensorflow as tf\nimport builtins\n\n"
                      "def f(int):\n    return builtins.int(int)\n")


def test_aliases_through_an_assignment_are_fixed_once():
    assert fixed("NAN = np.NaN\nx = NAN + 1\n") == "NAN = np.nan\nx = NAN + 1\n"


# -- from numpy import ... --------------------------------------------------------------------

def test_from_imports():
    source = ("import tensorflow as tf\nfrom numpy import float_, zeros\n"
              "from numpy import NaN as missing\n\nif flag:\n    from numpy import trapz\n"
              "x = float_(missing) + trapz([1.0, 2.0])\n")
    result = migrate(source, "case.py", ONLY, fix=True).fixed_source
    assert result == ("import tensorflow as tf\nfrom numpy import float64 as float_, zeros\n"
                      "from numpy import nan as missing\n\nif flag:\n"
                      "    from numpy import trapezoid as trapz\n"
                      "x = float_(missing) + trapz([1.0, 2.0])\n")


@pytest.mark.parametrize("name,hint", [("float", "builtin `float`"), ("NINF", "-np.inf"),
                                       ("asscalar", "a.item()"), ("safe_eval", "literal_eval")])
def test_from_imports_without_a_rename_are_reported(name, hint):
    head = f"import tensorflow as tf\nfrom numpy import {name}\n\n"
    [(line, _, message, fixable)] = findings("", head)
    assert line == -1 and hint in message and not fixable


# -- x.tostring() -----------------------------------------------------------------------------

def test_tostring_is_an_unsafe_fix():
    body = "value = [image.tostring(), frame[0].tostring(order='C')]\n"
    assert fixed(body) is None
    assert fixed(body, UNSAFE) == "value = [image.tobytes(), frame[0].tobytes(order='C')]\n"
    assert [fixable for _, _, _, fixable in findings(body)] == [False, False]


@pytest.mark.parametrize("body", [
    "import xml.etree.ElementTree as ET\n\ns = ET.tostring(root)\n",
    "from lxml import etree\n\ns = etree.tostring(root, pretty_print=True)\n",
    "s = doc.tostring(node)\n",
    "s = doc.tostring\n",
])
def test_tostring_that_is_not_an_array_method(body):
    assert findings(body) == []


# -- proof by execution -----------------------------------------------------------------------

# Each snippet sets `result`; the driver runs each in a fresh namespace and prints, per
# snippet, the exception's class name or the result.
DRIVER = textwrap.dedent("""
    import json, sys
    import numpy as np
    out = []
    for code in json.loads(sys.stdin.read()):
        space = {"np": np}
        try:
            exec(code, space)
        except Exception as error:
            out.append(["raised", type(error).__name__])
        else:
            out.append(["ok", repr(space["result"])])
    print(json.dumps(out))
""")


def run_snippets(snippets: list[str]) -> list[list[str]]:
    run = subprocess.run([sys.executable, "-c", DRIVER], input=json.dumps(snippets),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _snippet(name: str) -> str:
    if name in CALLS:
        return {"asscalar": "result = np.asscalar(np.array([2.5]) * 2)",
                "in1d": "result = np.in1d(np.array([[1, 5], [9, 2]]), [1, 2]).tolist()",
                "msort": "result = np.msort(np.array([[3, 1], [1, 2]])).tolist()",
                "asfarray": "result = np.asfarray([1, 2]).dtype.name"}[name]
    if name in ("mat", "product", "cumproduct", "sometrue", "alltrue", "round_", "trapz",
                "rank"):
        return f"result = np.{name}([[1.25, 2.0], [3.0, 4.5]])"
    return f"result = np.{name}"


def test_fixed_code_runs_where_the_original_raises():
    names = sorted(set(BUILTINS) | set(RENAMED) | set(EXPRESSIONS) | set(CALLS))
    originals = [_snippet(name) for name in names]
    fixes = []
    for original in originals:
        result = fixed(original + "\n")
        assert result is not None, original
        fixes.append(result)
    before, after = run_snippets(originals), run_snippets(fixes)
    for name, (kind, what) in zip(names, before):
        assert (kind, what) == ("raised", "AttributeError"), name
    results = dict(zip(names, after))
    assert all(kind == "ok" for kind, _ in results.values()), results
    # The values NumPy 1.x gave (the aliases were these very objects).
    assert results["float"][1] == "<class 'float'>"
    assert results["unicode"][1] == "<class 'str'>"
    assert results["float_"][1] == "<class 'numpy.float64'>"
    assert results["string_"][1] == "<class 'numpy.bytes_'>"
    assert results["NaN"][1] == "nan" and results["Infinity"][1] == "inf"
    assert results["NINF"][1] == "-inf" and results["NZERO"][1] == "-0.0"
    assert results["PZERO"][1] == "0.0"
    assert results["asscalar"][1] == "5.0"
    assert results["in1d"][1] == "[True, False, False, True]"
    assert results["msort"][1] == "[[1, 1], [3, 2]]"
    assert results["asfarray"][1] == "'float64'"
    assert results["product"][1] == "np.float64(33.75)"
    assert results["alltrue"][1] == "np.True_"
    assert results["rank"][1] == "2"
    assert results["trapz"][1] == "array([1.625, 3.75 ])"


def test_a_tf1_era_program_runs_after_the_fix():
    """The shape of TensorFlow-Examples' gan.py/dcgan.py image code, and other TF1-era
    NumPy: it crashes on the installed NumPy, and runs once fixed (with all rules)."""
    program = textwrap.dedent("""\
        import json
        import numpy as np
        import tensorflow as tf

        g = np.arange(8, dtype=np.float_).reshape(2, 4)
        g = np.reshape(g, newshape=(2, 2, 2, 1))
        img = np.reshape(np.repeat(g[1][:, :, np.newaxis], 3, axis=2),
                         newshape=(2, 2, 3))
        labels = np.array([0, 1, 1], copy=False).astype(np.int)
        worst = min(np.NINF, float(np.asscalar(img.sum())))
        seen = np.in1d([1, 9], labels)
        print(json.dumps([img.shape, float(img.sum()), labels.tolist(), worst,
                          seen.tolist(), int(np.product(g.shape))]))
        """)
    after = migrate(program, "case.py", SETTINGS, fix=True).fixed_source
    assert after is not None and "newshape" not in after and "copy=False" not in after
    runs = [subprocess.run([sys.executable, "-c", code.replace("import tensorflow as tf\n", "")],
                           capture_output=True, text=True, timeout=120)
            for code in (program, after)]
    assert runs[0].returncode != 0 and "AttributeError" in runs[0].stderr
    assert runs[1].returncode == 0, runs[1].stderr
    assert json.loads(runs[1].stdout) == [[2, 2, 3], 66.0, [0, 1, 1], float("-inf"),
                                          [True, False], 8]
