"""TFM808: NumPy names and arguments that NumPy 2 removed, as TF1-era programs use them.

TensorFlow 2.21 installs NumPy 2, so a migrated program must also run on it. The rule looks
at NumPy names (`np.float`, `np.NaN`, `np.asscalar`), at two call forms whose arguments
changed (`np.reshape(..., newshape=)`, `np.array(..., copy=False)`) and at the array method
`tostring()`. The facts are NumPy's own (checked on NumPy 1.23, 1.26, 2.0, 2.2, 2.3 and 2.4;
tests/test_numpy2.py checks them against the installed NumPy); nothing here imports NumPy.
"""

from __future__ import annotations

import libcst as cst

from tfmigrate.context import Context, parse_expression
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid

from ._calls import Unbound, args_by_parameter
from ._nodes import code_of, operand

_V124, _V20, _V24 = "NumPy 1.24", "NumPy 2.0", "NumPy 2.4"

# Aliases of Python builtins (the very same objects), removed in NumPy 1.24. `np.bool` and
# `np.long` are not here: NumPy 2 defines them again (as `np.bool_` and the C long).
BUILTINS = {"float": "float", "int": "int", "object": "object", "str": "str",
            "complex": "complex", "unicode": "str"}

# Removed name -> (the NumPy name of the same object, removed in).
RENAMED = {
    "float_": ("float64", _V20), "complex_": ("complex128", _V20),
    "cfloat": ("complex128", _V20), "singlecomplex": ("complex64", _V20),
    "longfloat": ("longdouble", _V20), "longcomplex": ("clongdouble", _V20),
    "clongfloat": ("clongdouble", _V20), "string_": ("bytes_", _V20),
    "unicode_": ("str_", _V20), "bool8": ("bool_", _V20), "int0": ("intp", _V20),
    "uint0": ("uintp", _V20), "object0": ("object_", _V20), "str0": ("str_", _V20),
    "bytes0": ("bytes_", _V20), "void0": ("void", _V20), "typeDict": ("sctypeDict", None),
    "NaN": ("nan", _V20), "NAN": ("nan", _V20), "Inf": ("inf", _V20),
    "Infinity": ("inf", _V20), "infty": ("inf", _V20), "PINF": ("inf", _V20),
    # Functions that only forwarded their arguments (same parameters, same result).
    "product": ("prod", _V20), "cumproduct": ("cumprod", _V20), "sometrue": ("any", _V20),
    "alltrue": ("all", _V20), "round_": ("round", _V20), "mat": ("asmatrix", _V20),
    "rank": ("ndim", None), "trapz": ("trapezoid", _V24),
}

# Removed constants whose value is an expression: name -> (template, removed in).
EXPRESSIONS = {"NINF": ("-{np}.inf", _V20), "PZERO": ("0.0", _V20), "NZERO": ("-0.0", _V20)}

# Removed functions rewritten at their call: name -> (what it becomes, removed in).
CALLS = {
    "asscalar": ("`a.item()`", None),
    "in1d": ("`np.isin(a, b).ravel()`", _V24),
    "msort": ("`np.sort(a, axis=0)`", _V20),
    "asfarray": ("`np.asarray(a, dtype=np.float64)` (or the float/complex dtype it was "
                 "given)", _V20),
}

# Removed names without an exact replacement: name -> what to use (all removed in NumPy 2.0
# unless listed in _OLDER).
GUIDANCE = {
    "find_common_type": "`np.result_type(...)` or `np.promote_types(a, b)`",
    "issubclass_": "`issubclass` (which raises TypeError where `issubclass_` returned False)",
    "cast": "`np.asarray(x).astype(dtype)`",
    "fastCopyAndTranspose": "`a.T.copy()`",
    "who": "nothing: it has no replacement",
    "lookfor": "the documentation's search",
    "source": "`inspect.getsource`",
    "safe_eval": "`ast.literal_eval`",
    "set_string_function": "`np.set_printoptions(formatter=...)`",
    "byte_bounds": "`np.lib.array_utils.byte_bounds`",
    "deprecate": "`warnings.warn(..., DeprecationWarning)`",
    "deprecate_with_doc": "`warnings.warn(..., DeprecationWarning)`",
    "disp": "`print`",
    "add_newdoc": "`np.lib.add_newdoc`",
    "add_docstring": "`np.lib.add_docstring`",
    "add_newdoc_ufunc": "setting the ufunc's `__doc__`",
    "DataSource": "`np.lib.npyio.DataSource`",
    "recfromcsv": "`np.genfromtxt(..., delimiter=',', names=True, dtype=None)`",
    "recfromtxt": "`np.genfromtxt`",
    "nbytes": "`np.dtype(t).itemsize`",
    "geterrobj": "`np.geterr()` or `np.errstate`",
    "seterrobj": "`np.seterr(...)` or `np.errstate`",
    "set_numeric_ops": "`__array_ufunc__` on your own array type",
    "sctype2char": "`np.dtype(t).char`",
    "sctypes": "an explicit list of the types",
    "maximum_sctype": "the type itself (`np.float64`, `np.longdouble`, ...)",
    "obj2sctype": "`np.dtype(obj).type`",
    "issctype": "`issubclass(t, np.generic)`",
    "issubsctype": "`np.issubdtype`",
    "compat": "the Python 3 builtins it wrapped",
    "tracemalloc_domain": "`np.lib.tracemalloc_domain`",
    "get_array_wrap": "nothing: it has no replacement",
    "loads": "`pickle.loads`",
    "MachAr": "`np.finfo`",
}
_OLDER = {"loads", "MachAr"}  # removed before NumPy 1.26, exact release not pinned here

REMOVED = set(BUILTINS) | set(RENAMED) | set(EXPRESSIONS) | set(CALLS) | set(GUIDANCE)

# The parameters of NumPy 1.x's `np.reshape` (what old calls may name).
_RESHAPE = ("a", "newshape", "order")
_ARRAY_ONLY = {"subok", "ndmin"}  # keywords of `np.array` that `np.asarray` does not take


def _removed_in(version: str | None) -> str:
    return f"was removed in {version}" if version else "no longer exists in NumPy"


def _needs_parentheses(ctx: Context, node: cst.CSTNode) -> bool:
    """Whether a unary minus put in `node`'s place must be parenthesised there."""
    parent = ctx.parent(node)
    if isinstance(parent, cst.Attribute) and parent.value is node:
        return True
    if isinstance(parent, cst.Subscript) and parent.value is node:
        return True
    if isinstance(parent, cst.Call) and parent.func is node:
        return True
    if isinstance(parent, cst.UnaryOperation):  # `-np.NINF`: `-(-np.inf)`, not `--np.inf`
        return True
    return isinstance(parent, cst.BinaryOperation) and parent.left is node and \
        isinstance(parent.operator, cst.Power)


def _numpy_level(node: cst.CSTNode, qualname: str) -> cst.Attribute | None:
    """The part of a dotted name that stands for `numpy.<name>` (None if the name is bound
    by an import or assignment itself: that binding is reported where it is made)."""
    levels = []
    current = node
    while isinstance(current, cst.Attribute):
        levels.append(current)
        current = current.value
    levels.append(current)
    levels.reverse()
    index = 1 - (qualname.count(".") + 1 - len(levels))
    if index < 1 or not isinstance(levels[index], cst.Attribute):
        return None
    return levels[index]


def _is_target(ctx: Context, node: cst.CSTNode) -> bool:
    """`np.float = float` (a shim some code adds), `del np.float`, `np.NaN += 0`."""
    parent = ctx.parent(node)
    if isinstance(parent, cst.AssignTarget):
        return parent.target is node
    if isinstance(parent, (cst.AugAssign, cst.AnnAssign)):
        return parent.target is node
    return isinstance(parent, cst.Del)


def _with_args(call: cst.Call, args: list[cst.Arg]) -> cst.Call:
    """`call` with `args` in this order. Separators stay where they were: the new argument at
    a position takes the comma (and the line break after it) of the old argument there, and
    the last one takes the old last one's (a trailing comma or none)."""
    old = call.args
    fixed = []
    for index, arg in enumerate(args):
        if index == len(args) - 1:
            comma = old[-1].comma
        elif isinstance(old[index].comma, cst.Comma) and index < len(old) - 1:
            comma = old[index].comma
        else:
            comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        fixed.append(arg.with_changes(comma=comma))
    return call.with_changes(args=fixed)


def _positional(arg: cst.Arg) -> cst.Arg:
    return arg.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)


def _from_numpy_imports(module: cst.Module):
    """Every `from numpy import ...` statement, in blocks at any depth (statements only: no
    expression is visited)."""
    stack: list = list(reversed(module.body))
    while stack:
        statement = stack.pop()
        if isinstance(statement, cst.ImportFrom):
            if not statement.relative and isinstance(statement.module, cst.Name) and \
                    statement.module.value == "numpy" and \
                    not isinstance(statement.names, cst.ImportStar):
                yield statement
        elif isinstance(statement, cst.SimpleStatementLine):
            stack.extend(reversed(statement.body))
        elif isinstance(statement, cst.BaseCompoundStatement):
            stack.extend(reversed(list(_inner_statements(statement))))


def _inner_statements(statement: cst.BaseCompoundStatement):
    """The statements of a compound statement's blocks (`elif`s as statements)."""
    parts = [getattr(statement, "body", None), *getattr(statement, "handlers", ()),
             getattr(statement, "orelse", None), getattr(statement, "finalbody", None)]
    for part in parts:
        if isinstance(part, cst.BaseCompoundStatement):  # an `elif`
            yield part
            continue
        block = part if isinstance(part, cst.BaseSuite) else getattr(part, "body", None)
        if isinstance(block, cst.BaseSuite):
            yield from block.body


class NumpyRemovedApi(Rule):
    code = "TFM808"
    name = "numpy-removed-api"
    summary = ("A NumPy name or argument that NumPy 2 removed (`np.float`, `np.NaN`, "
               "`np.reshape(newshape=)`, ...), which TF 2.21's NumPy rejects.")
    fix = FixSafety.SAFE
    doc = """
## Why
TensorFlow 2.21 installs NumPy 2, so a migrated TF1 program runs on it. NumPy removed names
that TF1-era code uses every day: the builtin aliases `np.float`, `np.int`, `np.object`,
`np.str`, `np.complex`, `np.unicode` (NumPy 1.24); `np.float_`, `np.complex_`, `np.string_`,
`np.unicode_`, `np.NaN`, `np.Inf`, `np.infty`, `np.NINF`, `np.product`, `np.alltrue`,
`np.round_`, `np.msort`, `np.asfarray`, `np.find_common_type` and more (NumPy 2.0);
`np.trapz`, `np.in1d` and the `newshape=` keyword of `np.reshape` (NumPy 2.4); `np.asscalar`.
`np.array(x, copy=False)` now raises when a copy is needed, and arrays lost `tostring()`
(NumPy 2.3). Each stops the program with an AttributeError, TypeError or ValueError.

## What it becomes
The name of the same object, so the fix is exact: `np.float` → `float` (the alias *was* the
builtin), `np.float_` → `np.float64`, `np.complex_` → `np.complex128`, `np.string_` →
`np.bytes_`, `np.unicode_` → `np.str_`, `np.NaN` → `np.nan`, `np.Inf`/`np.Infinity`/`np.infty`/
`np.PINF` → `np.inf`, `np.NINF` → `-np.inf`, `np.PZERO`/`np.NZERO` → `0.0`/`-0.0`,
`np.product`/`cumproduct`/`sometrue`/`alltrue`/`round_` → `np.prod`/`cumprod`/`any`/`all`/
`round`, `np.trapz` → `np.trapezoid`, `np.mat` → `np.asmatrix`, `np.rank` → `np.ndim`.
Calls: `np.asscalar(a)` → `a.item()`, `np.in1d(a, b)` → `np.isin(a, b).ravel()`,
`np.msort(a)` → `np.sort(a, axis=0)`, `np.asfarray(a)` → `np.asarray(a, dtype=np.float64)`,
`np.reshape(a, newshape=s)` → `np.reshape(a, s)` (positional: right on every NumPy),
`np.array(x, copy=False)` → `np.asarray(x)` (what `copy=False` meant on NumPy 1).
`from numpy import NaN` becomes `from numpy import nan as NaN`. `x.tostring()` →
`x.tobytes()` is an unsafe fix (`--unsafe-fixes`): the type of `x` is not known.

## Caveats
Names without an exact replacement (`np.find_common_type`, `np.issubclass_`, `np.cast`,
`np.safe_eval`, ...) are reported with what to use instead. `np.trapezoid` needs NumPy ≥ 2.0
(TF 2.21 allows NumPy 1.26, which lacks it). `np.bool` and `np.long` exist again in NumPy 2
and are not reported, but they are NumPy scalar types now (`np.bool_`, the C long), no longer
Python's `bool` and `int`: `isinstance(True, np.bool)` is False. A module that assigns the
name itself (`np.float = float`, a common shim) is left alone for that name. Only files that
mention TensorFlow are checked; NumPy names used through `tf.experimental.numpy`, or through a
local variable called `np`, are not NumPy's and are left alone.
"""
    examples = (
        Valid("import numpy as np\nimport tensorflow as tf\n\n"
              "x = np.zeros(3, dtype=np.float64) + np.nan\ny = np.reshape(x, (3, 1))\n"
              "b = np.bool_(True)\n"),
        Valid("import tensorflow as tf\n\n\ndef f(np):\n    return np.float(3)\n"),
        Valid("import tensorflow as tf\nimport tensorflow.experimental.numpy as tnp\n\n"
              "x = tnp.asarray([1.0], dtype=tnp.float32)\n"),
        Invalid("import numpy as np\nimport tensorflow as tf\n\n"
                "x = np.zeros(3).astype(np.float) + np.NaN\nlow = np.NINF\n"
                "y = np.reshape(x, newshape=[-1, 1])\nv = np.asscalar(x[0] + 1)\n"
                "total = np.product(x.shape)\n",
                "import numpy as np\nimport tensorflow as tf\n\n"
                "x = np.zeros(3).astype(float) + np.nan\nlow = -np.inf\n"
                "y = np.reshape(x, [-1, 1])\nv = (x[0] + 1).item()\n"
                "total = np.prod(x.shape)\n"),
        Invalid("import numpy\nimport tensorflow as tf\nfrom numpy import float_\n\n"
                "a = numpy.array([1, 2], copy=False, dtype=float_)\n"
                "m = numpy.in1d(a, [2])\n",
                "import numpy\nimport tensorflow as tf\nfrom numpy import float64 as float_\n\n"
                "a = numpy.asarray([1, 2], dtype=float_)\n"
                "m = numpy.isin(a, [2]).ravel()\n"),
        Invalid("import numpy as np\nimport tensorflow as tf\n\n"
                "t = np.find_common_type([np.float32], [])\n"),
        Invalid("import numpy as np\nimport tensorflow as tf\n\n"
                "feature = tf.train.BytesList(value=[image.tostring()])\n",
                "import numpy as np\nimport tensorflow as tf\n\n"
                "feature = tf.train.BytesList(value=[image.tobytes()])\n", unsafe=True),
    )

    def on_module(self, ctx: Context) -> None:
        if "numpy" in ctx.text:
            self._names(ctx)
            self._calls(ctx)
            if "from numpy import" in ctx.text:
                self._imports(ctx)
        if "tostring" in ctx.text:
            self._tostring(ctx)

    # -- np.<removed> ------------------------------------------------------------------------
    def _names(self, ctx: Context) -> None:
        found = []
        shimmed = set()
        for node, qualname in ctx.named_expressions():
            if not qualname.startswith("numpy."):
                continue
            name = qualname.split(".")[1]
            if name not in REMOVED:
                continue
            level = _numpy_level(node, qualname)
            if level is None:
                continue
            if _is_target(ctx, level):
                shimmed.add(name)
            else:
                found.append((level, name))
        for level, name in found:
            if name not in shimmed:
                self._name(ctx, level, name)

    def _name(self, ctx: Context, level: cst.Attribute, name: str) -> None:
        written = ctx.code(level)
        numpy = ctx.code(level.value)
        if name in BUILTINS:
            builtin = BUILTINS[name]
            head = f"`{written}` {_removed_in(_V124)} (it was the builtin `{builtin}`)"
            if not ctx.binds(builtin):
                ctx.report(level, f"{head}: use `{builtin}`", [Edit(level, cst.Name(builtin))])
                return
            # `float` is rebound in this module: reach the builtin through `builtins`.
            module = ctx.import_name("builtins")
            ctx.report(level, f"{head}: use `{builtin}` (`{module}.{builtin}` here, where "
                              f"`{builtin}` is rebound)",
                       [Edit(level, parse_expression(f"{module}.{builtin}"))],
                       imports=("builtins",))
            return
        if name in RENAMED:
            new, version = RENAMED[name]
            ctx.report(level, f"`{written}` {_removed_in(version)}: use `{numpy}.{new}`",
                       [Edit(level, level.with_changes(attr=cst.Name(new)))])
            return
        if name in EXPRESSIONS:
            template, version = EXPRESSIONS[name]
            text = template.format(np=numpy)
            if text.startswith("-") and _needs_parentheses(ctx, level):
                text = f"({text})"
            ctx.report(level, f"`{written}` {_removed_in(version)}: use `{text}`",
                       [Edit(level, parse_expression(text))])
            return
        if name in CALLS:
            self._call(ctx, level, name)
            return
        version = None if name in _OLDER else _V20
        ctx.report(level, f"`{written}` {_removed_in(version)}: use {GUIDANCE[name]}")

    def _call(self, ctx: Context, level: cst.Attribute, name: str) -> None:
        becomes, version = CALLS[name]
        written = ctx.code(level)
        head = f"`{written}` {_removed_in(version)}: use {becomes}"
        call = ctx.call_of(level)
        new = None if call is None else getattr(self, f"_{name}")(ctx, level, call)
        if new is None:
            ctx.report(level, head)
        else:
            ctx.report(level, head, [Edit(call, new)])

    @staticmethod
    def _single(call: cst.Call, keyword: str) -> cst.Arg | None:
        """The one argument of a one-parameter call (positional or by `keyword`)."""
        if len(call.args) != 1 or call.args[0].star:
            return None
        arg = call.args[0]
        return arg if arg.keyword is None or arg.keyword.value == keyword else None

    def _asscalar(self, ctx: Context, level, call: cst.Call):
        arg = self._single(call, "a")
        if arg is None:
            return None
        value = arg.value
        text = f"({code_of(ctx, value)})" if isinstance(value, cst.Integer) and \
            not value.lpar else operand(ctx, value)
        return parse_expression(f"{text}.item()")

    def _msort(self, ctx: Context, level, call: cst.Call):
        arg = self._single(call, "a")
        if arg is None:
            return None
        return parse_expression(f"{ctx.code(level.value)}.sort({code_of(ctx, arg.value)}, "
                                "axis=0)")

    def _asfarray(self, ctx: Context, level, call: cst.Call):
        arg = self._single(call, "a")
        if arg is None:
            return None
        numpy = ctx.code(level.value)
        return parse_expression(f"{numpy}.asarray({code_of(ctx, arg.value)}, "
                                f"dtype={numpy}.float64)")

    def _in1d(self, ctx: Context, level, call: cst.Call):
        renames = {"ar1": "element", "ar2": "test_elements"}
        try:
            pairs = list(args_by_parameter(
                call, ("ar1", "ar2", "assume_unique", "invert", "kind")))
        except Unbound:
            return None
        args = []
        for _, arg in pairs:
            if arg.keyword is not None and arg.keyword.value in renames:
                arg = arg.with_changes(keyword=cst.Name(renames[arg.keyword.value]))
            args.append(arg)
        isin = call.with_changes(func=level.with_changes(attr=cst.Name("isin")), args=args)
        return cst.Call(cst.Attribute(isin, cst.Name("ravel")))

    # -- np.reshape(newshape=), np.array(copy=False) ------------------------------------------
    def _calls(self, ctx: Context) -> None:
        for call in ctx.module_calls():
            keywords = {arg.keyword.value for arg in call.args if arg.keyword is not None}
            if not keywords & {"newshape", "a", "copy"}:
                continue
            name = ctx.qualified_name(call.func)
            if name == "numpy.reshape" and keywords & {"newshape", "a"}:
                self._reshape(ctx, call)
            elif name == "numpy.array" and "copy" in keywords:
                self._array(ctx, call)

    def _reshape(self, ctx: Context, call: cst.Call) -> None:
        written = ctx.code(call.func)
        keywords = {arg.keyword.value for arg in call.args if arg.keyword is not None}
        why = []
        if "newshape" in keywords:
            why.append("NumPy 2.4 removed its `newshape=` keyword")
        if "a" in keywords:
            why.append("its `a` is positional-only since NumPy 2.1")
        head = f"`{written}(...)`: {' and '.join(why)}: pass the array and shape positionally"
        try:
            pairs = list(args_by_parameter(call, _RESHAPE))
        except Unbound:
            ctx.report(call, head)
            return
        by_name: dict[str, cst.Arg] = {}
        for name, arg in pairs:
            by_name[name if name != "shape" else "newshape"] = arg
        if len(by_name) != len(pairs) or "a" not in by_name or "newshape" not in by_name or \
                set(by_name) - set(_RESHAPE):
            ctx.report(call, head)
            return
        rest = [arg for name, arg in pairs if name not in ("a", "newshape", "shape")]
        args = [_positional(by_name["a"]), _positional(by_name["newshape"]), *rest]
        ctx.report(call, f"{head} (`{written}(a, shape)`)", [Edit(call, _with_args(call, args))])

    def _array(self, ctx: Context, call: cst.Call) -> None:
        copy = next(arg for arg in call.args if arg.keyword is not None and
                    arg.keyword.value == "copy")
        if not (isinstance(copy.value, cst.Name) and copy.value.value == "False"):
            return
        written = ctx.code(call.func)
        head = (f"`{written}(..., copy=False)` raises on NumPy 2 when a copy is needed "
                "(it meant 'copy only if needed')")
        keywords = {arg.keyword.value for arg in call.args if arg.keyword is not None}
        if any(arg.star for arg in call.args) or keywords & _ARRAY_ONLY or \
                not isinstance(call.func, cst.Attribute):
            ctx.report(call, f"{head}: use `np.asarray(...)`, or `copy=None` on NumPy 2")
            return
        args = []
        for arg in call.args:
            if arg is copy:
                continue
            if arg.keyword is not None and arg.keyword.value == "object":
                arg = arg.with_changes(keyword=cst.Name("a"))
            args.append(arg)
        new = _with_args(call.with_changes(func=call.func.with_changes(
            attr=cst.Name("asarray"))), args)
        ctx.report(call, f"{head}: use `{ctx.code(call.func.value)}.asarray(...)`",
                   [Edit(call, new)])

    # -- from numpy import <removed> ---------------------------------------------------------
    def _imports(self, ctx: Context) -> None:
        for statement in _from_numpy_imports(ctx.module):
            for alias in statement.names:
                if not isinstance(alias.name, cst.Name) or alias.name.value not in REMOVED:
                    continue
                name = alias.name.value
                if name in RENAMED:
                    new, version = RENAMED[name]
                    local = alias.asname.name.value if alias.asname else name
                    renamed = alias.with_changes(name=cst.Name(new),
                                                 asname=cst.AsName(cst.Name(local)))
                    names = [renamed if other is alias else other for other in statement.names]
                    # The statement is what the engine can replace (one rename per pass).
                    ctx.report(alias, f"`from numpy import {name}`: `numpy.{name}` "
                                      f"{_removed_in(version)}: import `{new}`",
                               [Edit(statement, statement.with_changes(names=names))])
                    continue
                if name in BUILTINS:
                    what = f"the builtin `{BUILTINS[name]}`"
                elif name in EXPRESSIONS:
                    what = f"`{EXPRESSIONS[name][0].format(np='np')}`"
                elif name in CALLS:
                    what = CALLS[name][0]
                else:
                    what = GUIDANCE[name]
                ctx.report(alias, f"`from numpy import {name}`: `numpy.{name}` no longer "
                                  f"exists in NumPy 2: use {what} and drop the import")

    # -- x.tostring() -------------------------------------------------------------------------
    def _tostring(self, ctx: Context) -> None:
        for node in ctx.attributes_named({"tostring"}):
            call = ctx.call_of(node)
            if call is None or not isinstance(node, cst.Attribute):
                continue
            if ctx.qualified_name(node) is not None:
                continue  # an imported name's (`ElementTree.tostring(element)`)
            if any(arg.star for arg in call.args) or len(call.args) > 1 or \
                    (call.args and call.args[0].keyword is not None and
                     call.args[0].keyword.value != "order") or \
                    (call.args and call.args[0].keyword is None and
                     not isinstance(call.args[0].value, cst.SimpleString)):
                continue  # not ndarray.tostring(order='C')
            ctx.report(node, f"`{ctx.code(node)}()`: arrays have no `tostring()` since NumPy "
                             "2.3: use `tobytes()` (the same bytes)",
                       [Edit(node, node.with_changes(attr=cst.Name("tobytes")))],
                       safety=FixSafety.UNSAFE)
