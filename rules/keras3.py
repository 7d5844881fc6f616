"""TFM7xx: Keras 2 code (TF 2.0–2.15) that breaks on Keras 3, which is `tf.keras` since TF 2.16."""

from __future__ import annotations

import libcst as cst

from tfmigrate.context import Context, Reference, parse_expression
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid

from ._calls import Unbound, args_by_parameter

KERAS = "tensorflow.keras"
PREFILTER = ("tensorflow", "keras")
_EQ = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))


def _is_keras(types: set[str]) -> bool:
    return any(t == KERAS or t.startswith(KERAS + ".") for t in types)


def _keyword(arg: cst.Arg, name: str) -> cst.Arg:
    return arg.with_changes(keyword=cst.Name(name), equal=_EQ)


def _positional_to_keywords(call: cst.Call, order: list[str],
                            renames: dict[str, str] | None = None) -> list[cst.Arg] | None:
    """The call's arguments with positionals named by `order`; None if it cannot be done."""
    renames = renames or {}
    try:
        pairs = list(args_by_parameter(call, order))
    except Unbound:
        return None
    args = []
    for name, arg in pairs:
        if arg.keyword is None:
            arg = _keyword(arg, renames.get(name, name))
        elif name in renames:
            arg = arg.with_changes(keyword=cst.Name(renames[name]))
        args.append(arg)
    return args


def _receiver(node: cst.Attribute) -> cst.BaseExpression:
    return node.value


def _method_calls(ctx: Context, names):
    """(attribute node, call) for every `<expr>.<name>(...)` with `name` in `names`."""
    for node in ctx.attributes_named(names):
        call = ctx.call_of(node)
        if call is not None:
            yield node, call


def _string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value if isinstance(node.evaluated_value, str) else None
    return None


# -- layers ---------------------------------------------------------------------------------

# Keras 2's Layer.add_weight / add_variable positional order.
_KERAS2_ADD_WEIGHT = ["name", "shape", "dtype", "initializer", "regularizer", "trainable",
                      "constraint"]
_KERAS3_ADD_WEIGHT = {"shape", "initializer", "dtype", "trainable", "autocast", "regularizer",
                      "constraint", "aggregation", "overwrite_with_gradient", "name"}
_DROPPED_ADD_WEIGHT = {"use_resource"}  # always resource variables in TF2


def _add_weight_args(call: cst.Call) -> list[cst.Arg] | None:
    args = _positional_to_keywords(call, _KERAS2_ADD_WEIGHT)
    if args is None:
        return None
    args = [a for a in args if a.keyword.value not in _DROPPED_ADD_WEIGHT]
    if any(a.keyword.value not in _KERAS3_ADD_WEIGHT for a in args):
        return None
    if args:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return args


class AddVariable(Rule):
    code = "TFM701"
    name = "keras-add-variable"
    summary = "`Layer.add_variable` changed meaning in Keras 3: use `add_weight` with keywords."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    doc = """
## Why
Keras 2's `Layer.add_variable(name, shape, ...)` was an alias of `add_weight`. Keras 3 keeps
a method of that name with another signature (`add_variable(shape, initializer, ...)`), so
`self.add_variable('w', [3, 2])` fails with "got multiple values for argument 'shape'".

## What it becomes
`self.add_weight(name='w', shape=[3, 2], ...)`: every positional argument is named in Keras 2's
order (name, shape, dtype, initializer, regularizer, trainable, constraint); `use_resource`
is dropped (TF2 variables are always resource variables).

## Caveats
Only calls on Keras layers and models are changed (`self` in a subclass of a Keras class, or an
object built by one). Arguments Keras 3 does not know (`partitioner`, `synchronization`, ...)
leave the call reported but unfixed.
"""
    examples = (
        Valid("import tensorflow as tf\n\nclass D(tf.keras.layers.Layer):\n"
              "    def build(self, s):\n        self.w = self.add_weight(name='w', shape=[3])\n"),
        Invalid(
            "from tensorflow.keras import layers\n\nclass D(layers.Layer):\n"
            "    def __init__(self, i, o):\n        super().__init__()\n"
            "        self.kernel = self.add_variable('w', [i, o])\n",
            "from tensorflow.keras import layers\n\nclass D(layers.Layer):\n"
            "    def __init__(self, i, o):\n        super().__init__()\n"
            "        self.kernel = self.add_weight(name='w', shape=[i, o])\n"),
        Invalid(
            "import tensorflow as tf\n\nclass D(tf.keras.layers.Layer):\n"
            "    def build(self, s):\n"
            "        self.b = self.add_variable('b', [3], partitioner=p)\n"),
    )

    def on_module(self, ctx: Context) -> None:
        for node, call in _method_calls(ctx, {"add_variable"}):
            types = ctx.object_types(_receiver(node))
            if not _keras2_add_variable(call) or not _is_keras(types) or any(
                    t.startswith(f"{KERAS}.optimizers.") for t in types):
                continue  # Keras 3 optimizers have add_variable and no add_weight
            message = ("Keras 3's `add_variable` takes (shape, initializer, ...): use "
                       "`add_weight` with keyword arguments")
            args = _add_weight_args(call)
            if args is None:
                ctx.report(node, message)
                continue
            ctx.report(node, message, [Edit(node, node.with_changes(attr=cst.Name("add_weight"))),
                                       *_replace_args(call, args)])


def _keras2_add_variable(call: cst.Call) -> bool:
    """Keras 2's (name, shape, ...) order, not Keras 3's add_variable(shape, initializer, ...)."""
    positional = [a for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value for a in call.args if a.keyword is not None}
    if positional and _string_value(positional[0].value) is not None:
        return True
    has_initializer = len(positional) >= 2 or "initializer" in keywords
    return not has_initializer or bool(keywords - _KERAS3_ADD_WEIGHT)


def _replace_args(call: cst.Call, args: list[cst.Arg]) -> list[Edit]:
    """Edits that turn `call`'s arguments into `args`, one argument node at a time."""
    if len(args) == len(call.args):
        return [Edit(old, new) for old, new in zip(call.args, args) if old is not new]
    edits = [Edit(old, new) for old, new in zip(call.args, args)]
    kept = {id(e.node) for e in edits}
    edits += [Edit(old, None) for old in call.args if id(old) not in kept]
    return edits


class AddWeightPositional(Rule):
    code = "TFM702"
    name = "keras-add-weight-positional"
    summary = "Keras 3's `add_weight` takes `shape` first: name Keras 2's positional arguments."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    doc = """
## Why
Keras 2's `add_weight(name, shape, dtype, initializer, ...)` took the name first; Keras 3's
takes `(shape, initializer, dtype, ...)` and requires `name` as a keyword, so
`self.add_weight('w', (3, 2))` raises "`name` must be passed as a keyword argument".

## What it becomes
The same call with every argument named in Keras 2's order:
`self.add_weight(name='w', shape=(3, 2))`.

## Caveats
A call whose first argument is not a string is left alone: it is already Keras 3's order.
"""
    examples = (
        Valid("import tensorflow as tf\n\nclass D(tf.keras.layers.Layer):\n"
              "    def build(self, s):\n        self.w = self.add_weight((3, 2), 'ones')\n"),
        Invalid(
            "import tensorflow as tf\n\nclass D(tf.keras.layers.Layer):\n"
            "    def build(self, s):\n        self.w = self.add_weight('w', (3, 2), tf.float32)\n",
            "import tensorflow as tf\n\nclass D(tf.keras.layers.Layer):\n"
            "    def build(self, s):\n"
            "        self.w = self.add_weight(name='w', shape=(3, 2), dtype=tf.float32)\n"),
    )

    def on_module(self, ctx: Context) -> None:
        for node, call in _method_calls(ctx, {"add_weight"}):
            if not call.args or call.args[0].keyword is not None or \
                    _string_value(call.args[0].value) is None:
                continue
            if not _is_keras(ctx.object_types(_receiver(node))):
                continue
            message = "Keras 3's `add_weight` takes `shape` first and `name` only as a keyword"
            args = _add_weight_args(call)
            ctx.report(node, message, _replace_args(call, args) if args else [])


class BuildInputShape(Rule):
    code = "TFM703"
    name = "keras-build-input-shape"
    summary = "Keras 3 passes `build` a tuple, not a TensorShape: no `.as_list()` or `.value`."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    doc = """
## Why
Keras 2 called `Layer.build(input_shape)` with a `tf.TensorShape`; Keras 3 passes a plain tuple
of ints and `None`. `input_shape.as_list()` and `input_shape[-1].value` then raise
AttributeError.

## What it becomes
`list(input_shape)` for `input_shape.as_list()`, and `input_shape[i]` for
`input_shape[i].value`; both give the same values as before.
"""
    examples = (
        Valid("import tensorflow as tf\n\nclass D(tf.keras.layers.Layer):\n"
              "    def build(self, input_shape):\n        n = input_shape[-1]\n"),
        Invalid(
            "import tensorflow as tf\n\nclass D(tf.keras.layers.Layer):\n"
            "    def build(self, input_shape):\n        dims = input_shape.as_list()\n"
            "        n = input_shape[-1].value\n",
            "import tensorflow as tf\n\nclass D(tf.keras.layers.Layer):\n"
            "    def build(self, input_shape):\n        dims = list(input_shape)\n"
            "        n = input_shape[-1]\n"),
    )

    def on_module(self, ctx: Context) -> None:
        for node in ctx.attributes_named({"as_list", "value"}):
            base = node.value
            subscript = isinstance(base, cst.Subscript)
            name = base.value if subscript else base
            if not isinstance(name, cst.Name) or not self._is_build_shape(ctx, name):
                continue
            message = "in Keras 3 `build` gets a tuple: "
            if node.attr.value == "as_list" and not subscript:
                call = ctx.call_of(node)
                if call is not None and not call.args:
                    ctx.report(node, message + "use `list(input_shape)`",
                               [Edit(call, cst.Call(cst.Name("list"), [cst.Arg(name)]))])
            elif node.attr.value == "value" and subscript:
                ctx.report(node, message + "its items are ints already; drop `.value`",
                           [Edit(node, base)])

    @staticmethod
    def _is_build_shape(ctx: Context, name: cst.Name) -> bool:
        for ancestor in ctx.ancestors(name):
            if isinstance(ancestor, cst.FunctionDef):
                params = ancestor.params.params
                if ancestor.name.value != "build" or len(params) < 2 or \
                        params[1].name.value != name.value:
                    return False
                owner = ctx.enclosing_class(ancestor)
                return owner is not None and _is_keras(ctx.class_bases(owner))
        return False


class ExperimentalPreprocessing(Rule):
    code = "TFM704"
    name = "keras-experimental-preprocessing"
    summary = "`keras.layers.experimental.preprocessing.X` is `keras.layers.X` in Keras 3."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    references = (f"{KERAS}.layers.experimental.",)
    doc = """
## Why
The preprocessing layers left `experimental` in TF 2.6; Keras 3 no longer has the old path.

## What it becomes
`tf.keras.layers.Rescaling`, `tf.keras.layers.Normalization`, ... (same classes).
"""
    examples = (
        Valid("import tensorflow as tf\n\nr = tf.keras.layers.Rescaling(1 / 255)\n"),
        Invalid("import tensorflow as tf\n\n"
                "r = tf.keras.layers.experimental.preprocessing.Rescaling(1 / 255)\n",
                "import tensorflow as tf\n\nr = tf.keras.layers.Rescaling(1 / 255)\n"),
        Invalid("from tensorflow.keras.layers.experimental import preprocessing\n\n"
                "n = preprocessing.Normalization()\n",
                "import tensorflow as tf\n\nn = tf.keras.layers.Normalization()\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        old = f"{KERAS}.layers.experimental.preprocessing"
        if ref.prefix(old) is None:
            ctx.report(ref.node, "`keras.layers.experimental` is gone in Keras 3")
            return
        layers = ref.prefix(f"{KERAS}.layers")
        spelled = ctx.code(layers) if layers is not None else \
            f"{ctx.tensorflow_name()}.keras.layers"
        ctx.report(ref.node, "`layers.experimental.preprocessing` is `layers` in Keras 3",
                   [ctx.replace_prefix(ref, old, spelled)], imports=("tensorflow",))


_CUDNN = {"CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU"}


class CuDNNLayers(Rule):
    code = "TFM705"
    name = "keras-cudnn-layers"
    summary = "`CuDNNLSTM`/`CuDNNGRU` are gone: `LSTM`/`GRU` use cuDNN by themselves."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    references = tuple(f"{KERAS}.layers.{name}" for name in _CUDNN) + \
        tuple(f"{KERAS}.layers.cudnn_recurrent.{name}" for name in _CUDNN)
    doc = """
## Why
Since TF 2.0 `LSTM` and `GRU` pick the cuDNN kernel themselves; Keras 3 removed the CuDNN
classes.

## What it becomes
`LSTM` / `GRU`, whose defaults (sigmoid recurrent activation, `unit_forget_bias=True`,
`reset_after=True` for GRU) are the cuDNN layers' fixed settings, so weights and outputs match.
"""
    examples = (
        Valid("import tensorflow as tf\n\nl = tf.keras.layers.LSTM(8)\n"),
        Invalid("import tensorflow as tf\n\nl = tf.keras.layers.CuDNNGRU(8)\n",
                "import tensorflow as tf\n\nl = tf.keras.layers.GRU(8)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        old = ref.qualname.rsplit(".", 1)[-1]
        node = ref.node
        replacement = node.with_changes(attr=cst.Name(_CUDNN[old])) \
            if isinstance(node, cst.Attribute) else None
        if replacement is None or ref.qualname.count(".") != 3:
            ctx.report(node, f"`{old}` is gone in Keras 3: use `{_CUDNN[old]}`")
            return
        ctx.report(node, f"`{old}` is gone in Keras 3: use `{_CUDNN[old]}`",
                   [Edit(node, replacement)])


# -- optimizers -----------------------------------------------------------------------------

_OPTIMIZERS = {"SGD": 0.01, "Adam": 0.001, "RMSprop": 0.001, "Adagrad": 0.001,
               "Adadelta": 0.001, "Adamax": 0.001, "Nadam": 0.001, "Ftrl": 0.001}


class OptimizerArguments(Rule):
    code = "TFM706"
    name = "keras-optimizer-arguments"
    summary = "Keras 3 optimizers reject `lr=` and ignore `decay=`: use `learning_rate=` and a schedule."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    references = tuple(f"{KERAS}.optimizers.{name}" for name in _OPTIMIZERS) + \
        tuple(f"{KERAS}.optimizers.legacy.{name}" for name in _OPTIMIZERS)
    doc = """
## Why
Keras 3 optimizers raise `Argument(s) not recognized: {'lr': ...}` and accept `decay=` only to
ignore it with a warning — a silent change of the training trajectory.

## What it becomes
`lr=` becomes `learning_rate=`. Keras 2's `decay` scaled the rate as
`lr / (1 + decay * iterations)`, which is exactly
`tf.keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)`; the
fix passes that schedule as `learning_rate` (with Keras 2's default rate when none was given).

## Caveats
The fix keeps the rate the code asks for, as TF 2.0–2.10 and the legacy optimizers applied it.
The new optimizers of TF 2.11–2.15 dropped `lr=` with only a warning and trained at their
default rate: code that ran there trained differently from what it says.
"""
    examples = (
        Valid("import tensorflow as tf\n\nopt = tf.keras.optimizers.SGD(learning_rate=0.1)\n"),
        Invalid("import tensorflow as tf\n\nopt = tf.keras.optimizers.SGD(lr=0.1)\n",
                "import tensorflow as tf\n\nopt = tf.keras.optimizers.SGD(learning_rate=0.1)\n"),
        Invalid(
            "import tensorflow as tf\n\nopt = tf.keras.optimizers.Adam(lr=0.01, decay=1e-3)\n",
            "import tensorflow as tf\n\nopt = tf.keras.optimizers.Adam(learning_rate="
            "tf.keras.optimizers.schedules.InverseTimeDecay(0.01, decay_steps=1, "
            "decay_rate=1e-3))\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        call = ctx.call_of(ref.node)
        if call is None:
            return
        keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
        if "lr" not in keywords and "decay" not in keywords:
            return
        message = "Keras 3 optimizers reject `lr=` and ignore `decay=`: use `learning_rate=`"
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if "lr" in keywords and ("learning_rate" in keywords or positional):
            ctx.report(ref.node, message + " (the rate is given twice, as `lr=` and as "
                                           "`learning_rate`: Keras 2 used `lr`; keep one)")
            return
        name = ref.qualname.rsplit(".", 1)[-1]
        lr, decay = keywords.get("lr"), keywords.get("decay")
        rate = lr or keywords.get("learning_rate") or next(
            (a for a in call.args if a.keyword is None and not a.star), None)
        args = list(call.args)
        if lr is not None:
            args[args.index(lr)] = lr.with_changes(keyword=cst.Name("learning_rate"))
        if decay is not None:
            message += " with an InverseTimeDecay schedule (Keras 2's decay formula)"
            optimizers = ref.prefix(f"{KERAS}.optimizers")
            spelled = ctx.code(optimizers) if optimizers is not None else \
                f"{ctx.tensorflow_name()}.keras.optimizers"
            initial = ctx.code(rate.value) if rate is not None else repr(_OPTIMIZERS[name])
            schedule = parse_expression(
                f"{spelled}.schedules.InverseTimeDecay({initial}, decay_steps=1, "
                f"decay_rate={ctx.code(decay.value)})")
            index = args.index(decay)
            if rate is not None:
                position = list(call.args).index(rate)
                args[position] = args[position].with_changes(value=schedule)
                del args[index]
            else:
                args[index] = decay.with_changes(keyword=cst.Name("learning_rate"), value=schedule)
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        ctx.report(ref.node, message, [Edit(call, call.with_changes(args=args))],
                   imports=("tensorflow",))


def _removal(call: cst.Call, arg: cst.Arg) -> list[Edit]:
    """Edits that delete `arg` from `call`, leaving no dangling comma."""
    edits = [Edit(arg, None)]
    index = list(call.args).index(arg)
    if index == len(call.args) - 1 and index > 0:
        previous = call.args[index - 1]
        edits.append(Edit(previous, previous.with_changes(comma=cst.MaybeSentinel.DEFAULT)))
    return edits


class LegacyOptimizers(Rule):
    code = "TFM707"
    name = "keras-legacy-optimizers"
    summary = "`tf.keras.optimizers.legacy` is gone in Keras 3: use `tf.keras.optimizers`."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    references = (f"{KERAS}.optimizers.legacy.",)
    doc = """
## Why
Keras 3 raises `ImportError: keras.optimizers.legacy is not supported in Keras 3`.

## What it becomes
The optimizer of the same name in `tf.keras.optimizers`: the same update rules and defaults
(learning rate, betas, epsilon 1e-7). `lr=`/`decay=` are handled by TFM706.
"""
    examples = (
        Valid("import tensorflow as tf\n\nopt = tf.keras.optimizers.Adam()\n"),
        Invalid("import tensorflow as tf\n\nopt = tf.keras.optimizers.legacy.Adam(0.01)\n",
                "import tensorflow as tf\n\nopt = tf.keras.optimizers.Adam(0.01)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        legacy = ref.prefix(f"{KERAS}.optimizers.legacy")
        if ref.via_alias or not isinstance(legacy, cst.Attribute):
            ctx.report(ref.node, "`optimizers.legacy` is gone in Keras 3: use `optimizers`")
            return
        ctx.report(ref.node, "`optimizers.legacy` is gone in Keras 3: use `optimizers`",
                   [Edit(legacy, legacy.value)])


class OptimizerLrAttribute(Rule):
    code = "TFM708"
    name = "keras-optimizer-lr"
    summary = "Keras 3 optimizers have no `.lr`: use `.learning_rate`."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    doc = """
## Why
Keras 2 optimizers had `lr` as an alias of `learning_rate`; Keras 3 has only `learning_rate`,
and `tf.keras.backend.set_value(optimizer.learning_rate, v)` fails there too.

## What it becomes
`optimizer.learning_rate`; `K.set_value(optimizer.lr, v)` as a statement becomes
`optimizer.learning_rate = v` (the Keras 3 setter assigns the variable).

## Caveats
Changed only where the object is known to be an optimizer: built by a
`tf.keras.optimizers` class, or reached as `<model>.optimizer`.
"""
    examples = (
        Valid("import tensorflow as tf\n\nopt = tf.keras.optimizers.SGD()\nx = opt.learning_rate\n"),
        Invalid(
            "import tensorflow as tf\n\nopt = tf.keras.optimizers.SGD(learning_rate=0.1)\n"
            "print(opt.lr)\ntf.keras.backend.set_value(model.optimizer.lr, 0.01)\n",
            "import tensorflow as tf\n\nopt = tf.keras.optimizers.SGD(learning_rate=0.1)\n"
            "print(opt.learning_rate)\nmodel.optimizer.learning_rate = 0.01\n"),
    )

    def on_module(self, ctx: Context) -> None:
        for node in ctx.attributes_named({"lr"}):
            receiver = node.value
            known = (isinstance(receiver, cst.Attribute) and receiver.attr.value == "optimizer") \
                or any(t.startswith(f"{KERAS}.optimizers.") for t in ctx.object_types(receiver))
            if not known:
                continue
            renamed = node.with_changes(attr=cst.Name("learning_rate"))
            message = "Keras 3 optimizers have no `lr`: use `learning_rate`"
            set_value = self._set_value_statement(ctx, node)
            if set_value is not None:
                statement, value = set_value
                assign = cst.Assign([cst.AssignTarget(renamed)], value)
                ctx.report(node, message, [Edit(statement, assign)])
            else:
                ctx.report(node, message, [Edit(node, renamed)])

    @staticmethod
    def _set_value_statement(ctx: Context, node: cst.Attribute):
        arg = ctx.parent(node)
        call = ctx.parent(arg) if isinstance(arg, cst.Arg) else None
        if not isinstance(call, cst.Call) or len(call.args) != 2 or call.args[0] is not arg:
            return None
        if ctx.qualified_name(call.func) != f"{KERAS}.backend.set_value":
            return None
        statement = ctx.parent(call)
        if isinstance(statement, cst.Expr):
            return statement, call.args[1].value
        return None


# -- models and metrics ---------------------------------------------------------------------

class MetricResetStates(Rule):
    code = "TFM709"
    name = "keras-metric-reset-states"
    summary = "Keras 3 metrics have `reset_state()`, not `reset_states()`."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    doc = """
## Why
Keras 3 removed `Metric.reset_states()`; `reset_state()` does the same.

## What it becomes
`metric.reset_state()` where the object is known to be a Keras metric (built by a
`tf.keras.metrics` class or a subclass of `Metric`). RNN layers keep `reset_states()`, so a
receiver of unknown type is reported without a fix.
"""
    examples = (
        Valid("import tensorflow as tf\n\nlstm = tf.keras.layers.LSTM(4, stateful=True)\n"
              "lstm.reset_states()\n"),
        Invalid("import tensorflow as tf\n\nloss = tf.keras.metrics.Mean()\nloss.reset_states()\n",
                "import tensorflow as tf\n\nloss = tf.keras.metrics.Mean()\nloss.reset_state()\n"),
        Invalid("import tensorflow as tf\n\nfor m in model.metrics:\n    m.reset_states()\n"),
    )

    def on_module(self, ctx: Context) -> None:
        for node, call in _method_calls(ctx, {"reset_states"}):
            types = ctx.object_types(node.value)
            if any(t.startswith(f"{KERAS}.metrics.") for t in types):
                ctx.report(node, "Keras 3 metrics have `reset_state()`, not `reset_states()`",
                           [Edit(node, node.with_changes(attr=cst.Name("reset_state")))])
            elif not types:
                ctx.report(node, "if this is a Keras metric, Keras 3 calls it `reset_state()` "
                                 "(RNN layers keep `reset_states()`)")


_GENERATOR_METHODS = {
    "fit_generator": ("fit", ["x", "steps_per_epoch", "epochs", "verbose", "callbacks",
                              "validation_data", "validation_steps", "validation_freq",
                              "class_weight", "max_queue_size", "workers",
                              "use_multiprocessing", "shuffle", "initial_epoch"]),
    "evaluate_generator": ("evaluate", ["x", "steps", "callbacks", "max_queue_size", "workers",
                                        "use_multiprocessing", "verbose"]),
    "predict_generator": ("predict", ["x", "steps", "callbacks", "max_queue_size", "workers",
                                      "use_multiprocessing", "verbose"]),
}
# Data-loading parallelism: Keras 3 sets it on a PyDataset, not on fit().
_LOADER_ARGUMENTS = {"max_queue_size", "workers", "use_multiprocessing"}


class GeneratorMethods(Rule):
    code = "TFM710"
    name = "keras-generator-methods"
    summary = "`fit_generator`/`evaluate_generator`/`predict_generator` are gone: use `fit`/`evaluate`/`predict`."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    doc = """
## Why
Keras 3 removed the `*_generator` methods; `fit`, `evaluate` and `predict` take generators,
`tf.data` datasets and `PyDataset`s directly.

## What it becomes
`model.fit(x=generator, steps_per_epoch=..., ...)`: positional arguments are named in the old
method's order (the generator becomes `x`). `max_queue_size`, `workers` and
`use_multiprocessing` only tuned the loading threads; Keras 3 takes them on a
`keras.utils.PyDataset`, so they are dropped.
"""
    examples = (
        Valid("model.fit(x=gen, epochs=2)\n# tensorflow\n"),
        Invalid(
            "import tensorflow as tf\n\nmodel.fit_generator(gen, 10, epochs=2, workers=4)\n"
            "model.predict_generator(gen, 5)\n",
            "import tensorflow as tf\n\nmodel.fit(x=gen, steps_per_epoch=10, epochs=2)\n"
            "model.predict(x=gen, steps=5)\n"),
    )

    def on_module(self, ctx: Context) -> None:
        for node, call in _method_calls(ctx, set(_GENERATOR_METHODS)):
            new_name, order = _GENERATOR_METHODS[node.attr.value]
            message = f"`{node.attr.value}` is gone in Keras 3: use `{new_name}`"
            args = _positional_to_keywords(call, order, {"generator": "x"})
            if args is None:
                ctx.report(node, message)
                continue
            args = [a for a in args if a.keyword.value not in _LOADER_ARGUMENTS]
            if args:
                args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            new_call = call.with_changes(func=node.with_changes(attr=cst.Name(new_name)),
                                         args=args)
            ctx.report(node, message, [Edit(call, new_call)])


_REDUCTIONS = {"AUTO": "sum_over_batch_size", "SUM_OVER_BATCH_SIZE": "sum_over_batch_size",
               "SUM": "sum", "NONE": "none"}


class ReductionAuto(Rule):
    code = "TFM711"
    name = "keras-reduction-auto"
    summary = "`Reduction.AUTO` is rejected by Keras 3 losses: use `SUM_OVER_BATCH_SIZE`."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    references = (f"{KERAS}.losses.Reduction.",)
    doc = """
## Why
Keras 3 losses accept `'sum_over_batch_size'`, `'sum'`, `'none'`, ... but not `'auto'`, which
Keras 2 resolved to sum-over-batch-size outside distribution strategies. Keras 3's own
`keras.losses` has no `Reduction` class at all (TF 2.21's `tf.keras.losses` keeps a shim).

## What it becomes
`tf.keras.losses.Reduction.SUM_OVER_BATCH_SIZE`, the value `AUTO` meant; through
`import keras`, the string itself (`"sum_over_batch_size"`, `"sum"`, `"none"`).
"""
    examples = (
        Valid("import tensorflow as tf\n\nr = tf.keras.losses.Reduction.SUM\n"),
        Invalid("import tensorflow as tf\n\n"
                "l = tf.keras.losses.MeanSquaredError(reduction=tf.keras.losses.Reduction.AUTO)\n",
                "import tensorflow as tf\n\nl = tf.keras.losses.MeanSquaredError("
                "reduction=tf.keras.losses.Reduction.SUM_OVER_BATCH_SIZE)\n"),
        Invalid("import keras\n\nl = keras.losses.Huber(reduction=keras.losses.Reduction.SUM)\n",
                "import keras\n\nl = keras.losses.Huber(reduction=\"sum\")\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        node = ref.node
        member = ref.qualname.rsplit(".", 1)[-1]
        if member not in _REDUCTIONS or not isinstance(node, cst.Attribute):
            return
        if ref.written.startswith("keras."):
            ctx.report(node, "Keras 3's `keras.losses` has no `Reduction`: use the string "
                             f"{_REDUCTIONS[member]!r}",
                       [Edit(node, cst.SimpleString(f'"{_REDUCTIONS[member]}"'))])
        elif member == "AUTO":
            ctx.report(node, "Keras 3 losses reject `Reduction.AUTO`; it meant "
                             "`SUM_OVER_BATCH_SIZE`",
                       [Edit(node, node.with_changes(attr=cst.Name("SUM_OVER_BATCH_SIZE")))])


_REMOVED_BACKEND = {
    "get_session": "there is no session: delete it and run eagerly",
    "set_session": "there is no session: configure with tf.config instead",
    "placeholder": "use keras.Input or function arguments",
    "function": "call the model (or a tf.function) directly",
    "learning_phase": "pass training=True/False to the model or layer call",
    "set_learning_phase": "pass training=True/False to the model or layer call",
    "manual_variable_initialization": "variables are initialised when created; delete it",
}


# Kept by TF 2.21's `tf.keras.backend` for old code, but absent from Keras 3's own
# `keras.backend`: fine through `tf.keras`, gone through `import keras`.
_TF_KERAS_ONLY_BACKEND = {
    "get_value": "use `keras.ops.convert_to_numpy(x)` (or `x.numpy()`)",
    "set_value": "use `x.assign(value)`",
    "batch_get_value": "use `[keras.ops.convert_to_numpy(x) for x in xs]`",
    "batch_set_value": "assign each variable: `x.assign(value)`",
    "eval": "use `keras.ops.convert_to_numpy(x)`",
    "variable": "use `keras.Variable(value)`",
    "int_shape": "use `x.shape`",
}


class RemovedBackend(Rule):
    code = "TFM712"
    name = "keras-removed-backend"
    summary = "Session-era `keras.backend` functions are gone in Keras 3."
    prefilter = PREFILTER
    references = tuple(f"{KERAS}.backend.{name}"
                       for name in [*_REMOVED_BACKEND, *_TF_KERAS_ONLY_BACKEND])
    doc = """
## Why
Keras 3 removed the graph-mode backend API: `get_session`, `set_session`, `placeholder`,
`function`, `learning_phase`, `set_learning_phase`, `manual_variable_initialization`.

`get_value`, `set_value`, `batch_get_value`, `batch_set_value`, `eval`, `variable` and
`int_shape` survive only in TF 2.21's `tf.keras.backend`; through `import keras` they are gone.

## What to do
Each finding names the replacement: run eagerly, pass `training=` to calls, use
`keras.Input`, call the model or a `tf.function` instead of `K.function`, `x.assign(v)` for
`set_value`, `keras.ops.convert_to_numpy(x)` for `get_value`.
"""
    examples = (
        Valid("import tensorflow as tf\n\ntf.keras.backend.clear_session()\n"
              "lr = tf.keras.backend.get_value(opt.learning_rate)\n"),
        Invalid("import tensorflow as tf\n\nsess = tf.keras.backend.get_session()\n"),
        Invalid("import keras\n\nlr = keras.backend.get_value(opt.learning_rate)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        name = ref.qualname.rsplit(".", 1)[-1]
        if name in _REMOVED_BACKEND:
            ctx.report(ref.node, f"`keras.backend.{name}` is gone in Keras 3: "
                                 f"{_REMOVED_BACKEND[name]}")
        elif ref.written.startswith("keras."):
            ctx.report(ref.node, f"Keras 3's `keras.backend` has no `{name}` (only TF's "
                                 f"`tf.keras.backend` keeps it): {_TF_KERAS_ONLY_BACKEND[name]}")


class LayerUpdates(Rule):
    code = "TFM713"
    name = "keras-add-update"
    summary = "`add_update` and `.updates` are gone in Keras 3: assign state directly in `call`."
    prefilter = PREFILTER
    doc = """
## Why
Keras 2 collected state updates (`self.add_update(op)`, `layer.updates`, `model.state_updates`)
to run them in graph mode. Keras 3 has neither.

## What to do
Assign in `call`: `self.moving_mean.assign(new_value)` — it runs in order, eagerly or inside a
`tf.function`.
"""
    examples = (
        Valid("import tensorflow as tf\n\nclass L(tf.keras.layers.Layer):\n"
              "    def call(self, x):\n        self.v.assign(x)\n        return x\n"),
        Invalid("import tensorflow as tf\n\nclass L(tf.keras.layers.Layer):\n"
                "    def call(self, x):\n        self.add_update(self.v.assign(x))\n"
                "        return x\n"),
    )

    def on_module(self, ctx: Context) -> None:
        for node in ctx.attributes_named({"add_update", "updates", "state_updates"}):
            if _is_keras(ctx.object_types(node.value)):
                ctx.report(node, f"`{node.attr.value}` is gone in Keras 3: assign the variables "
                                 "directly (`var.assign(...)`) in `call`")


_SAVED_SUFFIXES = (".keras", ".h5", ".hdf5")


class ModelSaving(Rule):
    code = "TFM714"
    name = "keras-saving-formats"
    summary = "Keras 3 saves only `.keras`/`.h5` files and `.weights.h5` weights."
    fix = FixSafety.UNSAFE
    prefilter = PREFILTER
    doc = """
## Why
Keras 3 raises for `model.save('dir')` (the TF SavedModel format), `save_format=`,
`model.save_weights('ckpt')` (a TF checkpoint) and `load_model` of a SavedModel directory.

## What it becomes
With `--unsafe-fixes`: `model.save('dir')` → `model.save('dir.keras')`,
`save_weights('ckpt')` → `save_weights('ckpt.weights.h5')`,
`load_model('dir')` → `load_model('dir.keras')` — a different file name on disk, so every
reader of these files must change with them (hence unsafe). For a SavedModel to serve, use
`model.export('dir')`; to read an old SavedModel, `tf.saved_model.load('dir')` or
`keras.layers.TFSMLayer('dir')`.
"""
    examples = (
        Valid("import tensorflow as tf\n\nmodel = tf.keras.Sequential()\nmodel.save('m.keras')\n"),
        Invalid("import tensorflow as tf\n\nmodel = tf.keras.Sequential()\n"
                "model.save('out/model')\nmodel.save_weights('out/ckpt')\n",
                "import tensorflow as tf\n\nmodel = tf.keras.Sequential()\n"
                "model.save('out/model.keras')\nmodel.save_weights('out/ckpt.weights.h5')\n",
                unsafe=True),
        Invalid("import tensorflow as tf\n\nmodel = tf.keras.Sequential()\n"
                "model.save(path, save_format='tf')\n"),
    )

    def on_module(self, ctx: Context) -> None:
        for node, call in _method_calls(ctx, {"save", "save_weights"}):
            if not self._is_model(ctx, node.value):
                continue
            self._check(ctx, node, call, node.attr.value)
        for call in ctx.module_calls():
            name = ctx.qualified_name(call.func)
            if name in (f"{KERAS}.models.load_model", f"{KERAS}.models.save_model"):
                self._check(ctx, call.func, call, name.rsplit(".", 1)[-1])

    @staticmethod
    def _is_model(ctx: Context, receiver) -> bool:
        types = ctx.object_types(receiver)
        return any(t in (f"{KERAS}.Model", f"{KERAS}.Sequential", f"{KERAS}.models.Model",
                         f"{KERAS}.models.Sequential") or t.startswith(f"{KERAS}.applications.")
                   for t in types)

    def _check(self, ctx: Context, node, call: cst.Call, method: str) -> None:
        index = 1 if method == "save_model" else 0
        paths = [a for a in call.args if a.keyword is None][index:index + 1] or \
            [a for a in call.args if a.keyword and a.keyword.value in ("filepath", "filename")]
        if any(a.keyword and a.keyword.value == "save_format" for a in call.args):
            ctx.report(node, "Keras 3 has no `save_format=`: the suffix decides (`.keras`, "
                             "`.h5`); `model.export(dir)` writes a SavedModel")
            return
        if not paths:
            return
        path = _string_value(paths[0].value)
        suffix = ".weights.h5" if method == "save_weights" else ".keras"
        if path is None or path.endswith(suffix if method == "save_weights" else _SAVED_SUFFIXES):
            return
        literal = paths[0].value
        quote = literal.value[-1]
        new = cst.SimpleString(literal.value[:-1] + suffix + quote)
        what = {"save": "saves the SavedModel format only with model.export(dir)",
                "save_model": "saves the SavedModel format only with model.export(dir)",
                "save_weights": "writes weights only to `.weights.h5` files",
                "load_model": "loads `.keras`/`.h5` files; read a SavedModel with "
                              "tf.saved_model.load"}[method]
        ctx.report(node, f"Keras 3 {what}: the file becomes `{path}{suffix}` (its readers "
                         "must change too)", [Edit(literal, new)])


class CallControlFlow(Rule):
    code = "TFM715"
    name = "keras-call-python-control-flow"
    summary = "Keras 3 does not autograph `Layer.call`: Python `if`/`while` on a tensor fails in fit/predict."
    fix = FixSafety.UNSAFE
    prefilter = PREFILTER
    doc = """
## Why
Keras 2 ran `call` through AutoGraph, which turned Python `if`/`while` on tensors into
`tf.cond`/`tf.while_loop`. Keras 3 traces `call` as it is, so such a branch raises
`OperatorNotAllowedInGraphError` inside `fit`/`predict` (it still works when called eagerly).

## What it becomes
With `--unsafe-fixes`, `call` is decorated with `@tf.function`, which restores AutoGraph for
it. Unsafe because a `tf.function` retraces on new Python arguments and runs Python side
effects only while tracing. By hand, `tf.cond`/`keras.ops.cond` or `tf.where` is often
cleaner.
"""
    examples = (
        Valid("import tensorflow as tf\n\nclass L(tf.keras.layers.Layer):\n"
              "    def call(self, x, training=None):\n        if training:\n"
              "            return x * 2\n        return x\n"),
        Invalid("import tensorflow as tf\n\nclass L(tf.keras.layers.Layer):\n"
                "    def call(self, x):\n        if tf.reduce_sum(x) > 0:\n            return x\n"
                "        return -x\n",
                "import tensorflow as tf\n\nclass L(tf.keras.layers.Layer):\n"
                "    @tf.function\n"
                "    def call(self, x):\n        if tf.reduce_sum(x) > 0:\n            return x\n"
                "        return -x\n", unsafe=True),
    )
    _PYTHON_VALUED = {"self", "training", "mask"}

    def on_module(self, ctx: Context) -> None:
        for cls in ctx.classes():
            if not _is_keras(ctx.class_bases(cls)):
                continue
            for method in cls.body.body:
                if isinstance(method, cst.FunctionDef) and method.name.value == "call" and \
                        not self._is_tf_function(ctx, method):
                    test = self._tensor_test(ctx, method)
                    if test is not None:
                        decorator = cst.Decorator(parse_expression(
                            f"{ctx.tensorflow_name()}.function"))
                        fixed = method.with_changes(decorators=[*method.decorators, decorator])
                        ctx.report(test, "Keras 3 does not autograph `call`: this Python "
                                         "branch on a tensor fails in fit/predict; use "
                                         "tf.cond, or decorate `call` with @tf.function",
                                   [Edit(method, fixed)], imports=("tensorflow",))

    @staticmethod
    def _is_tf_function(ctx: Context, method: cst.FunctionDef) -> bool:
        for decorator in method.decorators:
            target = decorator.decorator
            target = target.func if isinstance(target, cst.Call) else target
            if ctx.qualified_name(target) == "tensorflow.function":
                return True
        return False

    def _tensor_test(self, ctx: Context, method: cst.FunctionDef):
        """The first `if`/`while` test in `call` that is a tensor, as far as can be seen."""
        params = {p.name.value for p in method.params.params} - self._PYTHON_VALUED
        found = []

        def tensor_valued(test) -> bool:
            for node in _operands(test):
                if isinstance(node, cst.Call):
                    name = ctx.qualified_name(node.func) or ""
                    if name.startswith("tensorflow.") and not name.startswith(KERAS):
                        return True
                elif isinstance(node, cst.Comparison):
                    operands = [node.left, *(c.comparator for c in node.comparisons)]
                    numeric = all(isinstance(c.operator, _ORDERING) for c in node.comparisons)
                    if numeric and any(isinstance(o, cst.Name) and o.value in params
                                       for o in operands):
                        return True
            return False

        class Finder(cst.CSTVisitor):
            def visit_FunctionDef(self, node):
                return node is method

            def visit_If(self, node):
                if tensor_valued(node.test):
                    found.append(node.test)

            def visit_While(self, node):
                if tensor_valued(node.test):
                    found.append(node.test)

        method.visit(Finder())
        return found[0] if found else None


_ORDERING = (cst.LessThan, cst.GreaterThan, cst.LessThanEqual, cst.GreaterThanEqual, cst.Equal,
             cst.NotEqual)
# Python-valued questions about a tensor (its shape, type, length) are fine in Keras 3.
_PYTHON_QUESTIONS = {"isinstance", "len", "hasattr", "getattr", "callable", "type"}


def _operands(node: cst.CSTNode):
    """Calls and comparisons in a test, not looking into attributes or Python-valued calls."""
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.Attribute):
            continue
        if isinstance(current, cst.Call) and isinstance(current.func, cst.Name) and \
                current.func.value in _PYTHON_QUESTIONS:
            continue
        if isinstance(current, (cst.Call, cst.Comparison)):
            yield current
        pending.extend(current.children)


class TfOpOnKerasInput(Rule):
    code = "TFM716"
    name = "keras-tf-op-on-keras-input"
    summary = "A raw `tf.*` op on a `keras.Input` fails in Keras 3: use `keras.ops` or a Lambda layer."
    prefilter = PREFILTER
    doc = """
## Why
In Keras 3 a functional `keras.Input` is a `KerasTensor`, which TensorFlow ops do not accept:
`tf.square(keras.Input((3,)))` raises "A KerasTensor cannot be used as input to a TensorFlow
function".

## What to do
Use the `keras.ops` equivalent (`keras.ops.square(x)`), or wrap the TF code in a layer:
`keras.layers.Lambda(tf.square)(x)`.
"""
    examples = (
        Valid("import tensorflow as tf\n\nx = tf.keras.Input((3,))\ny = tf.keras.ops.square(x)\n"),
        Invalid("import tensorflow as tf\n\nx = tf.keras.Input((3,))\ny = tf.square(x)\n"),
    )
    _INPUTS = {f"{KERAS}.Input", f"{KERAS}.layers.Input"}

    def on_module(self, ctx: Context) -> None:
        for call in ctx.module_calls():
            name = ctx.qualified_name(call.func) or ""
            if not name.startswith("tensorflow.") or name.startswith(KERAS):
                continue
            for arg in call.args:
                if isinstance(arg.value, cst.Name) and \
                        ctx.object_types(arg.value) & self._INPUTS:
                    ctx.report(call, f"`{ctx.code(call.func)}` on a keras.Input fails in Keras 3: "
                                     "use keras.ops or wrap it in keras.layers.Lambda")
                    break


# Layer arguments Keras 3 rejects: those that were only hints are dropped (same results);
# the others change what is computed and are left to a person.
_DROPPABLE = {"fused": "a kernel choice; Keras 3 picks it itself",
              "input_length": "Keras 3 infers it"}
_LAYER_ARGUMENTS = {
    "BatchNormalization": {"fused", "virtual_batch_size", "adjustment"},
    "LSTM": {"time_major"}, "GRU": {"time_major"}, "SimpleRNN": {"time_major"},
    "RNN": {"time_major"}, "Embedding": {"input_length"},
}
_GUIDANCE = {
    "virtual_batch_size": "Keras 3 has no ghost batch norm; normalise sub-batches by hand",
    "adjustment": "Keras 3 has no adjustment; apply the scale/offset change explicitly",
    "time_major": "transpose inputs to batch-major (tf.transpose(x, [1, 0, 2])) instead",
    "dynamic": "Keras 3 has no dynamic layers; compile with run_eagerly=True if needed",
}


class RemovedLayerArguments(Rule):
    code = "TFM717"
    name = "keras-removed-layer-arguments"
    summary = "Layer arguments Keras 3 rejects (`fused`, `time_major`, `input_length`, `dynamic`, ...)."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    references = tuple(f"{KERAS}.layers.{name}" for name in _LAYER_ARGUMENTS)
    doc = """
## Why
Keras 3 raises `Unrecognized keyword arguments` for `BatchNormalization(fused=...,
virtual_batch_size=..., adjustment=...)`, `LSTM/GRU/SimpleRNN/RNN(time_major=...)` and
warns about `Embedding(input_length=...)`.

## What it becomes
`fused=` and `input_length=` only steered how Keras 2 computed the same result: they are
removed. `virtual_batch_size`, `adjustment` and `time_major` change what is computed: the
finding says what to do by hand.
"""
    examples = (
        Valid("import tensorflow as tf\n\nbn = tf.keras.layers.BatchNormalization(momentum=0.9)\n"),
        Invalid("import tensorflow as tf\n\n"
                "bn = tf.keras.layers.BatchNormalization(momentum=0.9, fused=True)\n",
                "import tensorflow as tf\n\nbn = tf.keras.layers.BatchNormalization(momentum=0.9)\n"),
        Invalid("import tensorflow as tf\n\nrnn = tf.keras.layers.LSTM(4, time_major=True)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        call = ctx.call_of(ref.node)
        if call is None:
            return
        layer = ref.qualname.rsplit(".", 1)[-1]
        for index, arg in enumerate(call.args):
            keyword = arg.keyword.value if arg.keyword else None
            if keyword not in _LAYER_ARGUMENTS[layer]:
                continue
            if keyword in _DROPPABLE:
                ctx.report(arg, f"Keras 3 rejects `{keyword}=`: dropped "
                                f"({_DROPPABLE[keyword]})", _removal(call, arg))
            else:
                ctx.report(arg, f"Keras 3 rejects `{keyword}=`: {_GUIDANCE[keyword]}")
