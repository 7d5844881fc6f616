"""TFM3xx, variables: `tf.assign`, `tf.assign_add` and `tf.assign_sub` → the variable's own
methods (TFM316)."""

from __future__ import annotations

import libcst as cst

from tfmigrate.context import Context, Reference, parse_expression
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid

from ._calls import bind
from ._nodes import code_of, operand


# -- TFM316: tf.assign ------------------------------------------------------------------------

_ASSIGN_PARAMS = {
    "assign": ("ref", "value", "validate_shape", "use_locking", "name"),
    "assign_add": ("ref", "value", "use_locking", "name"),
    "assign_sub": ("ref", "value", "use_locking", "name"),
}


class AssignFunction(Rule):
    code = "TFM316"
    name = "tf1-assign-function"
    summary = "`tf.assign(v, x)` is gone in TF2: `v.assign(x)` (also `assign_add`/`assign_sub`)."
    fix = FixSafety.SAFE
    references = tuple(f"tensorflow.{name}" for name in _ASSIGN_PARAMS)
    doc = """
## Why
`tf.assign`, `tf.assign_add` and `tf.assign_sub` do not exist in TF2. On a resource
variable (every TF2 variable) TF1's functions called the variable's own method.

## What it becomes
`ref.assign(value)`, `ref.assign_add(value)`, `ref.assign_sub(value)`, keeping `name=`.
`use_locking` is dropped (TF1 ignored it for resource variables) and so is
`validate_shape=True`.

## Caveats
`validate_shape=False` (assigning a value of another shape) is reported without a fix: in TF2
create the variable with `shape=tf.TensorShape(None)`, then `v.assign(value)`. In a
`tf.function` the result of `v.assign(x)` is the variable's new value, as `tf.assign`'s was.
"""
    examples = (
        Valid("import tensorflow as tf\n\nv.assign(3.0)\n"),
        Invalid("import tensorflow as tf\n\nv = tf.Variable(1.0)\n"
                "update = tf.assign(v, v * 2, use_locking=True, name='double')\n"
                "step = tf.assign_add(self.counter, 1)\n",
                "import tensorflow as tf\n\nv = tf.Variable(1.0)\n"
                "update = v.assign(v * 2, name='double')\n"
                "step = self.counter.assign_add(1)\n"),
        Invalid("import tensorflow as tf\n\nv2 = tf.assign(v, x, validate_shape=False)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        kind = ref.qualname.rsplit(".", 1)[-1]
        head = f"`tf.{kind}` is gone in TF2"
        call = ctx.call_of(ref.node)
        bound = bind(call, _ASSIGN_PARAMS[kind]) if call is not None else None
        if bound is None or "ref" not in bound or "value" not in bound:
            ctx.report(ref.node, f"{head}: call the variable's method, `v.{kind}(value)`")
            return
        validate = bound.get("validate_shape")
        if validate is not None and not (isinstance(validate, cst.Name) and
                                         validate.value in ("True", "None")):
            ctx.report(ref.node, f"{head}: `v.{kind}(value)`; not fixed: TF2 variables keep "
                       "their shape (create the variable with `shape=tf.TensorShape(None)` "
                       "to assign values of other shapes)")
            return
        args = [code_of(ctx, bound["value"])]
        if "name" in bound:
            args.append(f"name={code_of(ctx, bound['name'])}")
        text = f"{operand(ctx, bound['ref'])}.{kind}({', '.join(args)})"
        ctx.report(ref.node, f"{head}: `v.{kind}(value)`", [Edit(call, parse_expression(text))])
