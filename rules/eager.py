"""TF 1.x's eager mode: `tf.contrib.eager` (TFM113), whose names TF2 has as its own, and
`tf.enable_eager_execution()` (TFM205), which TF2 does not need: it runs eagerly.
"""

from __future__ import annotations

import libcst as cst

from tfmigrate.context import Context, Reference, parse_expression
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid

from ._nodes import code_of, names_in, operand, statement_line, walk


# -- TFM113: tf.contrib.eager -----------------------------------------------------------------

_EAGER = "tensorflow.contrib.eager."
# tfe.X → a TF2 expression (`{tf}` is the module's name for TensorFlow).
_EAGER_RENAMES = {
    "Variable": "{tf}.Variable", "GradientTape": "{tf}.GradientTape",
    "Checkpoint": "{tf}.train.Checkpoint", "defun": "{tf}.function",
    "executing_eagerly": "{tf}.executing_eagerly", "in_eager_mode": "{tf}.executing_eagerly",
    "py_func": "{tf}.py_function", "TensorSpec": "{tf}.TensorSpec",
}
_IMPLICIT = ("implicit_gradients", "implicit_value_and_gradients")
# The tfe names TFM205/TFM113 fix (TFM110 need not report them too).
EAGER_FIXED = tuple(_EAGER + name for name in (*_EAGER_RENAMES, *_IMPLICIT, "Iterator",
                                                 "Network", "num_gpus",
                                                 "enable_eager_execution"))


class ContribEager(Rule):
    code = "TFM113"
    name = "tf-contrib-eager"
    summary = "`tf.contrib.eager` (tfe) is gone: its names are TF2's own (`tfe.Variable` → "\
              "`tf.Variable`, ...)."
    fix = FixSafety.SAFE
    references = ("tensorflow.contrib.eager", "tensorflow.contrib.eager.")
    doc = """
## Why
`tf.contrib.eager` (usually imported as `tfe`) carried TF 1.x's eager API. TF2 is eager and
has most of it under its own names; `tf.contrib` does not exist.

## What it becomes
`tfe.Variable` → `tf.Variable`, `tfe.GradientTape` → `tf.GradientTape`, `tfe.Checkpoint` →
`tf.train.Checkpoint`, `tfe.defun` → `tf.function`, `tfe.executing_eagerly` →
`tf.executing_eagerly`, `tfe.py_func` → `tf.py_function`, `tfe.num_gpus()` →
`len(tf.config.list_physical_devices('GPU'))`, `tfe.Iterator(ds)` → `iter(ds)`.
`grad = tfe.implicit_gradients(f)` becomes a function `grad(*args, **kwargs)` that runs `f`
under a `tf.GradientTape` and returns the (gradient, variable) pairs of the trainable
variables `f` read, which is what `implicit_gradients` computed
(`implicit_value_and_gradients`: the value too). A class deriving from `tfe.Network` derives
from `tf.keras.Model`, and its `self.track_layer(layer)` calls become `layer` (Keras tracks
layers assigned to attributes). The `tfe = tf.contrib.eager` line goes once nothing uses it.

## Caveats
`tfe.defun` did not convert Python control flow (AutoGraph); `tf.function` does, which only
matters for code that `defun` rejected. Other `tfe` names (`Saver`, `metrics`,
`gradients_function`, `restore_variables_on_create`, ...) are reported by TFM110, and
`implicit_gradients` used other than by assignment to a name is reported with the recipe.
"""
    examples = (
        Valid("import tensorflow as tf\n\nw = tf.Variable(1.0)\n"),
        Invalid("import tensorflow as tf\n\ntfe = tf.contrib.eager\n"
                "w = tfe.Variable(1.0)\nit = tfe.Iterator(dataset)\n",
                "import tensorflow as tf\n\n"
                "w = tf.Variable(1.0)\nit = iter(dataset)\n"),
        Invalid("import tensorflow as tf\nimport tensorflow.contrib.eager as tfe\n\n"
                "grad = tfe.implicit_gradients(loss_fn)\n",
                "import tensorflow as tf\n\n\n"
                "def grad(*args, **kwargs):\n"
                "    with tf.GradientTape() as tape:\n"
                "        loss = loss_fn(*args, **kwargs)\n"
                "    variables = tape.watched_variables()\n"
                "    return list(zip(tape.gradient(loss, variables), variables))\n"),
        Invalid("import tensorflow as tf\nimport tensorflow.contrib.eager as tfe\n\n\n"
                "class Net(tfe.Network):\n"
                "    def __init__(self):\n"
                "        super(Net, self).__init__()\n"
                "        self.dense = self.track_layer(tf.keras.layers.Dense(3))\n",
                "import tensorflow as tf\n\n\n"
                "class Net(tf.keras.Model):\n"
                "    def __init__(self):\n"
                "        super(Net, self).__init__()\n"
                "        self.dense = tf.keras.layers.Dense(3)\n"),
        Invalid("import tensorflow as tf\n\ntfe = tf.contrib.eager\n"
                "grads = tfe.implicit_gradients(loss_fn)(x)\n"),
    )

    def __init__(self) -> None:
        self.aliases: list[Reference] = []
        self.uses: int = 0

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.qualname == "tensorflow.contrib.eager":
            if ref.via_alias:
                if not isinstance(ctx.parent(ref.node), cst.AssignTarget):
                    self.uses += 1  # the alias itself used as a value
            else:
                self.aliases.append(ref)
            return
        self.uses += 1
        kind = ref.qualname[len(_EAGER):].split(".")[0]
        node = ref.prefix(_EAGER + kind)
        tf = ctx.tensorflow_name()
        head = f"`tfe.{kind}` (tf.contrib.eager) is gone in TF2"
        if kind in _EAGER_RENAMES:
            new = _EAGER_RENAMES[kind].format(tf=tf)
            ctx.report(node, f"{head}: `{new}`", [Edit(node, parse_expression(new))],
                       imports=("tensorflow",))
        elif kind == "num_gpus":
            call = ctx.call_of(node)
            if call is None or call.args:
                ctx.report(node, f"{head}: `len(tf.config.list_physical_devices('GPU'))`")
                return
            count = parse_expression(f"len({tf}.config.list_physical_devices('GPU'))")
            ctx.report(node, f"{head}: count the GPUs with `tf.config`", [Edit(call, count)],
                       imports=("tensorflow",))
        elif kind == "Iterator":
            call = ctx.call_of(node)
            if call is None or len(call.args) != 1 or call.args[0].keyword or call.args[0].star:
                ctx.report(node, f"{head}: iterate the dataset, `iter(dataset)`")
                return
            ctx.report(node, f"{head}: `iter(dataset)`", [Edit(call, parse_expression(
                f"iter({code_of(ctx, call.args[0].value)})"))])
        elif kind in _IMPLICIT:
            self.implicit(node, kind, ctx, head)
        elif kind == "Network":
            self.network(node, ctx, head)
        # other names: TFM110 reports them with contrib's guidance

    def implicit(self, node, kind: str, ctx: Context, head: str) -> None:
        tf = ctx.tensorflow_name()
        value = kind == "implicit_value_and_gradients"
        recipe = ("run the function under `with tf.GradientTape() as tape:`, then "
                  "`variables = tape.watched_variables()` and "
                  "`zip(tape.gradient(loss, variables), variables)`")
        call = ctx.call_of(node)
        statement = ctx.statement_of(call) if call is not None else None
        line = statement_line(ctx, statement) if statement is not None else None
        if call is None or len(call.args) != 1 or call.args[0].keyword or call.args[0].star or \
                not isinstance(statement, cst.Assign) or statement.value is not call or \
                len(statement.targets) != 1 or \
                not isinstance(statement.targets[0].target, cst.Name) or line is None:
            ctx.report(node, f"{head}: {recipe}")
            return
        function = call.args[0].value
        used = {n.value for n in names_in(function)}
        local = {}
        for wanted, spare in (("args", "args_"), ("kwargs", "kwargs_"), ("tape", "tape_"),
                              ("loss", "value_"), ("variables", "variables_")):
            local[wanted] = spare if wanted in used else wanted
        name = statement.targets[0].target.value
        returned = f"list(zip(tape.gradient({local['loss']}, {local['variables']}), " \
                   f"{local['variables']}))".replace("tape.", f"{local['tape']}.")
        if value:
            returned = f"{local['loss']}, {returned}"
        text = (f"def {name}(*{local['args']}, **{local['kwargs']}):\n"
                f"    with {tf}.GradientTape() as {local['tape']}:\n"
                f"        {local['loss']} = {operand(ctx, function)}(*{local['args']}, "
                f"**{local['kwargs']})\n"
                f"    {local['variables']} = {local['tape']}.watched_variables()\n"
                f"    return {returned}\n")
        leading = list(line.leading_lines)
        if isinstance(ctx.parent(line), cst.Module):  # two blank lines before a top-level def
            blank = 0
            while blank < len(leading) and leading[blank].comment is None:
                blank += 1
            leading = [cst.EmptyLine()] * max(0, 2 - blank) + leading
        new = cst.parse_statement(text).with_changes(leading_lines=leading)
        ctx.report(node, f"{head}: a function computing the gradients with `tf.GradientTape`",
                   [Edit(line, [new])], imports=("tensorflow",))

    def network(self, node, ctx: Context, head: str) -> None:
        tf = ctx.tensorflow_name()
        arg = ctx.parent(node)
        owner = ctx.parent(arg) if isinstance(arg, cst.Arg) else None
        if not isinstance(owner, cst.ClassDef) or arg.value is not node:
            ctx.report(node, f"{head}: derive from `tf.keras.Model`")
            return
        edits = [Edit(node, parse_expression(f"{tf}.keras.Model"))]
        for child in walk(owner.body):
            if isinstance(child, cst.Call) and isinstance(child.func, cst.Attribute) and \
                    child.func.attr.value == "track_layer" and \
                    isinstance(child.func.value, cst.Name) and child.func.value.value == "self":
                if len(child.args) != 1 or child.args[0].keyword or child.args[0].star:
                    ctx.report(node, f"{head}: derive from `tf.keras.Model` and assign the "
                               "layers to attributes instead of `track_layer`")
                    return
                edits.append(Edit(child, child.args[0].value))
        ctx.report(node, f"{head}: derive from `tf.keras.Model` (it tracks the layers assigned "
                   "to its attributes)", edits, imports=("tensorflow",))

    def on_module(self, ctx: Context) -> None:
        # `tfe = tf.contrib.eager` once nothing uses `tfe` any more.
        if self.uses:
            return
        for ref in self.aliases:
            statement = ctx.statement_of(ref.node)
            if isinstance(statement, cst.Assign) and statement.value is ref.node and \
                    len(statement.targets) == 1 and \
                    isinstance(statement.targets[0].target, cst.Name):
                ctx.report(ref.node, "`tf.contrib.eager` is gone in TF2 and this alias is no "
                           "longer used", [ctx.removal(statement)])


# -- TFM205: enable_eager_execution -----------------------------------------------------------

_EAGER_SWITCHES = ("tensorflow.enable_eager_execution",
                   "tensorflow.contrib.eager.enable_eager_execution")


class EnableEagerExecution(Rule):
    code = "TFM205"
    name = "enable-eager-execution"
    summary = "`tf.enable_eager_execution()` is gone: TF2 runs eagerly; the call is removed."
    fix = FixSafety.SAFE
    references = _EAGER_SWITCHES
    doc = """
## Why
TF2 executes eagerly from the start; `tf.enable_eager_execution` (and
`tf.contrib.eager.enable_eager_execution`) no longer exist.

## What it becomes
The statement is removed. `tf.executing_eagerly()` stays as it is.

## Caveats
A call with arguments (`config=`, `device_policy=`, `execution_mode=`) is reported without a
fix: set those with `tf.config` (`tf.config.threading`, `tf.config.set_soft_device_placement`,
`tf.config.experimental.set_memory_growth`).
"""
    examples = (
        Valid("import tensorflow as tf\n\nif tf.executing_eagerly():\n    print('eager')\n"),
        Invalid("import tensorflow as tf\n\ntf.enable_eager_execution()\nx = tf.constant(1)\n",
                "import tensorflow as tf\n\nx = tf.constant(1)\n"),
        Invalid("import tensorflow as tf\n\ntf.enable_eager_execution(config=config)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        call = ctx.call_of(ref.node)
        head = "TF2 runs eagerly: `enable_eager_execution` is gone"
        statement = ctx.statement_of(call) if call is not None else None
        if call is None or call.args or not isinstance(statement, cst.Expr) or \
                statement.value is not call:
            ctx.report(ref.node, f"{head}; remove it (set devices and threads with `tf.config`)")
            return
        ctx.report(ref.node, f"{head}: the call is removed", [ctx.removal(statement)])
