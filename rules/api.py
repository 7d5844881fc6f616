"""TFM8xx: API renames and arguments, driven by the tables in `rules/data/`.

The tables are generated from TensorFlow 2.21 by `scripts/generate_api_data.py` (never
imported here). A name is spelled `tf.X` in the tables; rules see canonical qualified names
`tensorflow.X` (`tensorflow.compat.v1.X` is the same name).

Ownership (what these rules leave to other families) is data too: `removed.json`
`skip` (tf.app, tf.flags, tf.logging, tf.gfile: TFM101–105, not looked at here) and
`families` (graph/session, variables and layers, summaries, metrics, losses, training,
estimators: reported by TFM806 with guidance, never renamed). `tf.contrib` and
`tf.estimator` are reported by the TFM11x rules in `contrib.py`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import libcst as cst

from tfmigrate.context import Context, Reference, parse_expression
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid

_DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=None)
def data(name: str) -> dict:
    return json.loads((_DATA / f"{name}.json").read_text(encoding="utf-8"))


RENAMES = data("renames")["renames"]
CHANGED = data("renames")["changed"]
CASTS = data("renames")["casts"]
ARGUMENTS = data("arguments")["functions"]
NO_EFFECT = data("arguments")["no_effect"]
ARG_HINTS = data("arguments")["hints"]
REMOVED = data("removed")
TF2_MODULES = frozenset(data("tf2_names")["modules"])
TF2_NAMES = frozenset(data("tf2_names")["names"])
SKIP = tuple(REMOVED["skip"])
# Handled elsewhere entirely: TFM101–105 and contrib.py; tf.keras is Keras (TFM7xx),
# tf.compat.v2/v1 spell TF2 names.
# tf.python, tf.core, ... are TensorFlow's private packages, not its API: code that imports
# them directly is not TF1 code, and what exists there is not in these tables.
PRIVATE = ("tf.python", "tf.core", "tf.tools", "tf.compiler", "tf.tsl", "tf.include",
           "tf.libtensorflow")
OWNED_ELSEWHERE = SKIP + PRIVATE + ("tf.contrib", "tf.estimator", "tf.keras", "tf.compat")


def short(qualname: str) -> str:
    """`tensorflow.nn.conv2d` → `tf.nn.conv2d` (the tables' spelling)."""
    return "tf" + qualname[len("tensorflow"):]


def _under(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def family(name: str) -> tuple[str, str] | None:
    """(family, guidance) for a TF1-only name another rule family rewrites."""
    best = None
    for prefix in REMOVED["families"]:
        if name == prefix or name.startswith(prefix + ".") or (
                prefix.endswith("_") and name.startswith(prefix)):
            if best is None or len(prefix) > len(best):
                best = prefix
    return tuple(REMOVED["families"][best]) if best else None


def tf1_only_prefix(name: str) -> str | None:
    """The first part of `name` (a `tf.` name) that TF 2.21 does not have, or None.

    Walks the dotted name: through TF2 modules, stopping at the first TF2 object (what
    follows is attribute access on it). Names owned by other rule modules give None.
    """
    if _under(name, OWNED_ELSEWHERE):
        return None
    parts = name.split(".")
    if any(part.startswith("_") for part in parts[1:]):
        return None  # private (`tf.__internal__`): not API, not in the tables
    for end in range(2, len(parts) + 1):
        prefix = ".".join(parts[:end])
        if prefix in TF2_MODULES:
            continue
        if prefix in TF2_NAMES:
            return None
        return prefix
    return None


def _tf_expr(ctx: Context, name: str) -> str:
    """`tf.math.log` spelled with the module's own name for TensorFlow."""
    return ctx.tensorflow_name() + name[2:]


def _kwarg(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value, keyword=cst.Name(name),
                   equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))


def _imports_compat_v1(ctx: Context) -> bool:
    return any(name == "tensorflow.compat.v1" or name.startswith("tensorflow.compat.v1.")
               for name in ctx.module_imports())


def is_tf1_name(name: str) -> bool:
    """Whether `name` (a `tf.` name) is TF1-only evidence in a module.

    Only names known to be TF1's count: a name merely missing from the TF2 tables
    (`tf.__internal__`, an API newer than 2.21) says nothing about the module.
    """
    if name in RENAMES or name in CHANGED or name in CASTS:
        return True
    if _under(name, ("tf.contrib", "tf.estimator") + SKIP):
        return True
    prefix = tf1_only_prefix(name)
    return prefix is not None and (prefix in REMOVED["symbols"] or family(prefix) is not None)


# -- TFM801 -----------------------------------------------------------------------------------

class RenamedSymbol(Rule):
    code = "TFM801"
    name = "renamed-symbol"
    summary = "A TF1 name that TF2 has under another name, with identical behaviour."
    fix = FixSafety.SAFE
    references = tuple("tensorflow" + name[2:] + "." for name in RENAMES)
    doc = """
## Why
TensorFlow 2 removed the TF1 aliases of many functions and classes (`tf.log`,
`tf.random_normal`, `tf.FixedLenFeature`, `tf.arg_max`, ...); the same object lives on under
its TF2 name (`tf.math.log`, `tf.random.normal`, `tf.io.FixedLenFeature`, `tf.argmax`).

## What it becomes
The TF2 name, spelled with the name the file binds TensorFlow to. Only renames proven on
TF 2.21 are in the table (`rules/data/renames.json`, generated by
`scripts/generate_api_data.py`): the TF2 name resolves, is not under `tf.compat`, and is
the very same object as the TF1 one or has the same signature (possibly after the argument
renames of TFM802, applied in the same fix run). Never `tf.compat.v1`.

## Caveats
Renames that change values (`tf.image.resize_images` → `tf.image.resize`, `tf.div`, ...)
are not here: TFM805 reports them. Names that other families rewrite idiomatically
(sessions, `tf.layers`, summaries, optimizers, losses, metrics) are reported by TFM806.
"""
    examples = (
        Valid("import tensorflow as tf\n\ny = tf.math.log(x)\n"),
        Invalid("import tensorflow as tf\n\ny = tf.log(x)\nz = tf.random_normal([2])\n",
                "import tensorflow as tf\n\ny = tf.math.log(x)\nz = tf.random.normal([2])\n"),
        Invalid("import tensorflow.compat.v1 as tf\n\nf = tf.FixedLenFeature([], tf.int64)\n",
                "import tensorflow.compat.v1 as tf\n\nf = tf.io.FixedLenFeature([], tf.int64)\n"),
        Invalid("from tensorflow import squared_difference\n\nd = squared_difference(a, b)\n",
                "import tensorflow as tf\n\nd = tf.math.squared_difference(a, b)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        for qualname in reversed(ref.names):
            if qualname and short(qualname) in RENAMES:
                break
        else:
            return
        old = short(qualname)
        new = RENAMES[old][0]
        ctx.report(ref.node, f"`{old}` is `{new}` in TF2 (same function)",
                   [ctx.replace_prefix(ref, qualname, _tf_expr(ctx, new))],
                   imports=("tensorflow",))


# -- TFM802 / TFM803 / TFM804: arguments ------------------------------------------------------

def _function_of(ref: Reference, ctx: Context):
    """(TF1 name, its argument entry, the call) when `ref` is the callee of a call."""
    call = ctx.call_of(ref.node)
    if call is None:
        return None
    name = short(ref.qualname)
    entry = ARGUMENTS.get(name)
    return (name, entry, call) if entry else None


_ARG_REFS = tuple("tensorflow" + name[2:] for name in ARGUMENTS)


class KeywordRenamed(Rule):
    code = "TFM802"
    name = "keyword-renamed"
    summary = "A keyword argument TF2 renamed (keep_dims→keepdims, dim→axis, ...)."
    fix = FixSafety.SAFE
    references = _ARG_REFS
    doc = """
## Why
TF2 renamed keyword arguments: `keep_dims`→`keepdims`, `reduction_indices`→`axis`,
`dim`/`dimension`/`squeeze_dims`→`axis`, `filter`→`filters`, `box_ind`→`box_indices`, ...
The old keyword raises `TypeError` on TF 2.21.

## What it becomes
The TF2 keyword, with the same value. The table (`rules/data/arguments.json`) comes from
TensorFlow's own upgrade table, kept only where the TF 2.21 function really has the new
parameter (and lacks the old one).

## Caveats
If the call already passes the new keyword too, it is reported without a fix.
"""
    examples = (
        Valid("import tensorflow as tf\n\ns = tf.reduce_sum(x, axis=1, keepdims=True)\n"),
        Invalid("import tensorflow as tf\n\ns = tf.reduce_sum(x, reduction_indices=1, "
                "keep_dims=True)\ne = tf.expand_dims(x, dim=0)\n",
                "import tensorflow as tf\n\ns = tf.reduce_sum(x, axis=1, keepdims=True)\n"
                "e = tf.expand_dims(x, axis=0)\n"),
        Invalid("import tensorflow as tf\n\nm = tf.arg_max(x, dimension=1)\n",
                "import tensorflow as tf\n\nm = tf.argmax(x, axis=1)\n"),
        Invalid("import tensorflow as tf\n\ns = tf.reduce_sum(x, axis=1, reduction_indices=1)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        found = _function_of(ref, ctx)
        if not found:
            return
        name, entry, call = found
        renamed = entry["renamed"]
        used = {a.keyword.value for a in call.args if a.keyword is not None}
        for arg in call.args:
            if arg.keyword is None or arg.keyword.value not in renamed:
                continue
            old, new = arg.keyword.value, renamed[arg.keyword.value]
            message = f"`{name}(..., {old}=)` is `{new}=` in TF2"
            if new in used or sum(renamed.get(u) == new for u in used) > 1:
                ctx.report(arg, message + f" (the call passes `{new}=` already: keep one)")
            else:
                ctx.report(arg, message, [Edit(arg.keyword, cst.Name(new))])


class PositionalReordered(Rule):
    code = "TFM803"
    name = "positional-argument-moved"
    summary = "A positional argument whose position changed in TF2: pass it by keyword."
    fix = FixSafety.SAFE
    references = ("tensorflow.",)
    doc = """
## Why
TF2 reordered or removed parameters of some functions (`tf.nn.dropout(x, keep_prob)` →
`(x, rate)`, `tf.argmax(input, axis, name)` → `(input, axis, output_type)`,
`tf.nn.conv2d`'s `use_cudnn_on_gpu`, ...). A TF1 call that passes those positions
positionally silently means something else on TF2, or fails.

## What it becomes
From the first moved position on, the arguments are passed by keyword under their TF1
meaning (with TF2's keyword spelling): `tf.nn.conv2d(x, w, s, 'SAME', True)` →
`tf.nn.conv2d(x, w, s, 'SAME', use_cudnn_on_gpu=True)`; TFM804 then handles keywords TF2
removed (`keep_prob=` becomes `rate=1 - ...`).

## Caveats
Where the same name exists in TF2 with another order (`tf.nn.dropout`, `tf.argmax`,
`tf.nn.conv2d`), the call could already be TF2 code: it is only reported in modules that
show TF1 evidence (an import of `tensorflow.compat.v1`, or any TF1-only name).
"""
    examples = (
        Valid("import tensorflow as tf\n\ny = tf.nn.dropout(x, 0.5)\n"),
        Valid("import tensorflow.compat.v1 as tf\n\ny = tf.nn.dropout(x, rate=0.5)\n"),
        Invalid("import tensorflow as tf\n\nx = tf.placeholder(tf.float32)\n"
                "y = tf.nn.dropout(x, 0.8)\n",
                "import tensorflow as tf\n\nx = tf.placeholder(tf.float32)\n"
                "y = tf.nn.dropout(x, rate=1 - 0.8)\n"),
        Invalid("import tensorflow as tf\n\nd = tf.depth_to_space(x, 2, 'd2s')\n",
                "import tensorflow as tf\n\nd = tf.nn.depth_to_space(x, 2, name='d2s')\n"),
    )

    def __init__(self) -> None:
        self.evidence = False
        self.pending: list = []

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        name = short(ref.qualname)
        if not self.evidence and any(n and is_tf1_name(short(n)) for n in ref.names):
            self.evidence = True
        found = _function_of(ref, ctx)
        if found and "moved" in found[1]:
            self.pending.append(found)

    def on_module(self, ctx: Context) -> None:
        if not self.pending:
            return
        evidence = self.evidence or _imports_compat_v1(ctx)
        for name, entry, call in self.pending:
            if entry.get("same_name") and name in TF2_NAMES and not evidence:
                continue
            args = list(call.args)
            count = 0
            for arg in args:
                if arg.keyword is not None or arg.star:
                    break
                count += 1
            if any(a.star for a in args) or count <= entry["moved"]:
                continue
            keywords = entry["keywords"]
            if count > len(keywords):
                continue
            edits = [Edit(arg, _kwarg(keywords[index], arg.value).with_changes(comma=arg.comma))
                     for index, arg in enumerate(args) if entry["moved"] <= index < count]
            moving = keywords[entry["moved"]:count]
            message = (f"`{name}`: positional argument(s) `{', '.join(moving)}` moved in TF2; "
                       "pass them by keyword")
            given = {a.keyword.value for a in args if a.keyword is not None}
            if len(set(moving)) != len(moving) or given & set(moving) or \
                    set(moving) & set(keywords[:entry["moved"]]):
                ctx.report(call, message)
            else:
                ctx.report(call, message, edits)


def _without(call: cst.Call, drop: cst.Arg) -> cst.Call:
    args = [a for a in call.args if a is not drop]
    if args and call.args[-1] is drop:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=args)


def _negated(value: cst.BaseExpression, ctx: Context) -> cst.BaseExpression:
    text = ctx.code(value)
    if isinstance(value, (cst.Name, cst.Attribute, cst.Integer, cst.Float, cst.Call,
                          cst.Subscript)):
        return parse_expression(f"1 - {text}")
    return parse_expression(f"1 - ({text})")


class RemovedArgument(Rule):
    code = "TFM804"
    name = "removed-argument"
    summary = "A keyword argument TF2 removed (keep_prob, use_cudnn_on_gpu, ...)."
    fix = FixSafety.SAFE
    references = _ARG_REFS
    doc = """
## Why
TF2 dropped some parameters: `tf.nn.dropout(keep_prob=)` (TF2 takes `rate=`),
`use_cudnn_on_gpu=`, `colocate_gradients_with_ops=`, `validate_indices=` (no effect in TF2),
`partition_strategy=`, `seed2=`, ... Passing them raises `TypeError` on TF 2.21.

## What it becomes
`keep_prob=p` → `rate=1 - p` (what TF1's dropout computed internally); arguments that have
no effect in TF2 are deleted. Any other removed argument is reported with what TF2 does
instead.

## Caveats
Deleting `use_cudnn_on_gpu=False` changes nothing on CPU; on GPU TF2 always may use cuDNN.
"""
    examples = (
        Valid("import tensorflow as tf\n\ny = tf.nn.dropout(x, rate=0.5)\n"),
        Invalid("import tensorflow as tf\n\ny = tf.nn.dropout(x, keep_prob=0.8)\n",
                "import tensorflow as tf\n\ny = tf.nn.dropout(x, rate=1 - 0.8)\n"),
        Invalid("import tensorflow as tf\n\ng = tf.gradients(y, xs, "
                "colocate_gradients_with_ops=True)\n",
                "import tensorflow as tf\n\ng = tf.gradients(y, xs)\n"),
        Invalid("import tensorflow as tf\n\ne = tf.nn.embedding_lookup(p, i, "
                "partition_strategy='mod')\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        found = _function_of(ref, ctx)
        if not found:
            return
        name, entry, call = found
        for arg in call.args:
            if arg.keyword is None or arg.keyword.value not in entry["removed"]:
                continue
            keyword = arg.keyword.value
            message = f"`{name}` has no `{keyword}=` argument in TF2"
            if name == "tf.nn.dropout" and keyword == "keep_prob":
                if any(a.keyword is not None and a.keyword.value == "rate" for a in call.args):
                    ctx.report(arg, message + ": pass only `rate=1 - keep_prob`")
                    continue
                new = arg.with_changes(keyword=cst.Name("rate"),
                                       value=_negated(arg.value, ctx))
                ctx.report(arg, message + ": `rate=1 - keep_prob`", [Edit(arg, new)])
            elif keyword in NO_EFFECT:
                ctx.report(arg, f"{message} ({NO_EFFECT[keyword]}): delete it",
                           [Edit(call, _without(call, arg))])
            else:
                hint = ARG_HINTS.get(keyword, "check what TF2 does instead")
                ctx.report(arg, f"{message}: {hint}")


# -- TFM805: renames that change values -------------------------------------------------------

class ChangedSymbol(Rule):
    code = "TFM805"
    name = "value-changing-rename"
    summary = "A TF1 name whose naive TF2 rename changes values or types."
    references = tuple("tensorflow" + name[2:] + "." for name in CHANGED)
    doc = """
## Why
For some TF1 names the TF2 function of the obvious new name behaves differently:
`tf.image.resize_images` → `tf.image.resize` uses half-pixel centres (0.83 max difference on
a 4×4→6×6 ramp); `tf.div` floor-divides integers but `tf.math.divide` is true division;
`tf.string_split` returns a SparseTensor, `tf.strings.split` a RaggedTensor;
`tf.multinomial` and `tf.random.categorical` draw different random streams.

## What to do
The message says what changes and the TF2 function to consider; decide consciously (for
example `tf.math.floordiv` for integer `tf.div`, `tf.strings.split(...).to_sparse()`).
No fix is offered: `tf.compat.v1` is not a migration.

## Caveats
`tfmigrate` cannot know operand dtypes, so `tf.div` is reported even for floats (where
`tf.math.divide` would be identical).
"""
    examples = (
        Valid("import tensorflow as tf\n\ny = tf.image.resize(x, [6, 6])\n"),
        Invalid("import tensorflow as tf\n\ny = tf.image.resize_images(x, [6, 6])\n"),
        Invalid("import tensorflow as tf\n\nq = tf.div(a, b)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        for qualname in reversed(ref.names):
            if qualname and short(qualname) in CHANGED:
                break
        else:
            return
        old = short(qualname)
        target, reason = CHANGED[old]
        to = f"`{target}` is not the same: " if target else ""
        ctx.report(ref.node, f"`{old}` was removed in TF2; {to}{reason}")


# -- TFM806: removed names --------------------------------------------------------------------

class RemovedSymbol(Rule):
    code = "TFM806"
    name = "removed-symbol"
    summary = "A TF1 name TensorFlow 2.21 does not have; the finding says what to do."
    references = ("tensorflow.",)
    doc = """
## Why
The name does not exist in TensorFlow 2.21 (`AttributeError`), and no TF2 name is the same
object: `tf.Session`, `tf.placeholder`, `tf.layers.*`, `tf.get_variable`, `tf.train.*Optimizer`,
`tf.summary.FileWriter`, `tf.Print`, `tf.py_func`, `tf.assert_*`, ...

## What to do
The message gives the guidance for the name's module, or the closest TF2 function (which
differs in signature or behaviour — check it). Names of graph/session code, variables and
`tf.layers`, v1 summaries, metrics, losses, optimizers and savers are rewritten by their
own rule families (TFM2xx–TFM6xx); this rule makes sure `check` sees every one of them.

## Caveats
Never migrate by respelling the name as `tf.compat.v1.X`: on TF 2.21 that code runs in a
compatibility mode that Keras 3 and eager execution do not support.
"""
    examples = (
        Valid("import tensorflow as tf\n\ny = tf.print(x)\nz = tf.train.Checkpoint()\n"),
        Invalid("import tensorflow as tf\n\ngraph = tf.get_default_graph()\n"),
        Invalid("import tensorflow as tf\n\nx = tf.Print(x, [x])\n"),
        Invalid("import tensorflow as tf\n\nclass Block(tf.layers.Layer):\n    pass\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        name = short(ref.qualname)
        prefix = tf1_only_prefix(name)
        if prefix is None or prefix in RENAMES or prefix in CHANGED or prefix in CASTS:
            return
        if _rewritten_by_graph_rule(ref.node, ctx):
            ctx.report(ref.node, f"`{prefix}` does not exist in TF2: TFM201's fix rewrites "
                       "this graph program into eager code")
            return
        ctx.report(ref.node, f"`{prefix}` does not exist in TF2: {guidance(prefix)}")


def _rewritten_by_graph_rule(node, ctx: Context) -> bool:
    from .graph import SESSION_TOKEN, analyse  # graph.py builds on this module's tables

    if SESSION_TOKEN not in ctx.text:
        return False
    owners = {outcome.block.owner for outcome in analyse(ctx) if outcome.body is not None}
    if not owners:
        return False
    return ctx.module in owners or any(a in owners for a in ctx.ancestors(node))


def guidance(name: str) -> str:
    """What to do about a TF1-only name."""
    fam = family(name)
    if fam:
        return f"{fam[1]} ({fam[0]} rules)"
    kind, hint = REMOVED["symbols"].get(name, (None, None))
    if hint:
        return f"the closest TF2 function is `{hint}` (it differs: check its signature)"
    best = None
    for module in REMOVED["modules"]:
        if name == module or name.startswith(module + "."):
            if best is None or len(module) > len(best):
                best = module
    if best:
        return REMOVED["modules"][best]
    return "no TF2 equivalent; rewrite this part by hand"


# -- TFM807: tf.to_<dtype> ----------------------------------------------------------------------

class CastFunction(Rule):
    code = "TFM807"
    name = "to-dtype-cast"
    summary = "`tf.to_float(x)` and friends were removed: `tf.cast(x, tf.float32)`."
    fix = FixSafety.SAFE
    references = tuple("tensorflow" + name[2:] for name in CASTS)
    doc = """
## Why
`tf.to_float`, `tf.to_double`, `tf.to_int32`, `tf.to_int64`, `tf.to_bfloat16`,
`tf.to_complex64` and `tf.to_complex128` do not exist in TF2; they were `tf.cast` with a
fixed dtype.

## What it becomes
`tf.cast(x, tf.float32)` (the dtype of the removed function), keeping `name=`.

## Caveats
Only calls are fixed; a bare reference (`f = tf.to_float`) is reported without a fix.
"""
    examples = (
        Valid("import tensorflow as tf\n\ny = tf.cast(x, tf.float32)\n"),
        Invalid("import tensorflow as tf\n\ny = tf.to_float(x)\nn = tf.to_int32(m, name='n')\n",
                "import tensorflow as tf\n\ny = tf.cast(x, tf.float32)\n"
                "n = tf.cast(m, tf.int32, name='n')\n"),
        Invalid("import tensorflow as tf\n\nf = tf.to_float\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        name = short(ref.qualname)
        dtype = CASTS[name]
        message = f"`{name}` was removed in TF2: use `tf.cast(x, tf.{dtype})`"
        call = ctx.call_of(ref.node)
        if call is None or any(a.star for a in call.args) or not call.args:
            ctx.report(ref.node, message)
            return
        tf = ctx.tensorflow_name()
        args = list(call.args)
        x = args[0] if args[0].keyword is None or args[0].keyword.value == "x" else None
        if x is None or any(a.keyword is not None and a.keyword.value not in ("x", "name")
                            for a in args):
            ctx.report(ref.node, message)
            return
        rest = [a for a in args[1:]]
        first = cst.Arg(x.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        dtype_arg = cst.Arg(parse_expression(f"{tf}.{dtype}"))
        if rest:
            dtype_arg = dtype_arg.with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        new_call = call.with_changes(func=parse_expression(f"{tf}.cast"),
                                     args=[first, dtype_arg, *rest])
        ctx.report(ref.node, message, [Edit(call, new_call)], imports=("tensorflow",))
