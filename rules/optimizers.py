"""TF1 optimizers and learning-rate schedules → Keras 3, keeping TF1's numbers.

A library for the rules that rewrite training code (the graph → eager rule calls it when it
turns `opt.minimize(loss)` into a GradientTape step), TFM501, which turns a TF1 decay
function into a Keras schedule when its step is the global step `minimize` advances, and
TFM520, which turns a TF1 optimizer used eagerly (`apply_gradients`) into the Keras one.

`keras_optimizer` maps a `tf.train.XOptimizer(...)` call to a Keras 3 optimizer constructor,
`keras_schedule` a `tf.train.*_decay(...)` call to a Keras schedule. Every TF1 default that
differs in Keras is spelled out (MIGRATION_MAP §7.1–7.3, caveats 3–7):

- Adam and Adadelta: epsilon 1e-8 (Keras 1e-7); Adagrad: epsilon 0.0 (Keras adds 1e-7 that
  TF1 never had); RMSProp: epsilon 1e-10 (Keras 1e-7).
- RMSProp's mean-square slots start at 1.0 in TF1 and at 0.0 in Keras: a small subclass whose
  "velocity" slots are created with a ones initializer. (Assigning ones in `build` is wrong: the
  first `apply_gradients` usually runs inside a `tf.function`, whose graph would then reset the
  slots on every step. The initializer of a created variable is lifted out and runs once.)
- Momentum: TF1 accumulates raw gradients and scales by the current rate; Keras `SGD` with
  momentum accumulates rate-scaled gradients. Equal for a constant rate (SGD is used then);
  for a schedule or any rate that is not a literal number a TF1-exact subclass is used.
- Keras optimizers take only a Python `float` (or a schedule/callable) as `learning_rate`:
  an integer literal rate is written as a float.

Outputs are verified by the fixtures in `fixtures/training/`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Collection, Sequence

import libcst as cst

from tfmigrate.context import Context, Reference, parse_expression
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid

from ._calls import argument, bind
from ._nodes import assigned_values, literal_number, statement_line, walk
from .api import short

__all__ = ["OptimizerPlan", "keras_optimizer", "keras_schedule", "OPTIMIZERS", "SCHEDULES",
           "TF1_MOMENTUM", "TF1_RMSPROP", "LearningRateSchedule", "EagerOptimizer"]

_MODULE = cst.Module([])

# -- TF1 signatures (tf.compat.v1.train, TF 2.21) -------------------------------------------

# Positional parameter order; every parameter may also be given by keyword.
_TF1_OPTIMIZER_PARAMS = {
    "GradientDescentOptimizer": ("learning_rate", "use_locking", "name"),
    "MomentumOptimizer": ("learning_rate", "momentum", "use_locking", "name", "use_nesterov"),
    "AdamOptimizer": ("learning_rate", "beta1", "beta2", "epsilon", "use_locking", "name",
                      "use_own_namescope_for_non_slot_vars"),
    "AdagradOptimizer": ("learning_rate", "initial_accumulator_value", "use_locking", "name"),
    "AdadeltaOptimizer": ("learning_rate", "rho", "epsilon", "use_locking", "name"),
    "RMSPropOptimizer": ("learning_rate", "decay", "momentum", "epsilon", "use_locking",
                         "centered", "name"),
    "FtrlOptimizer": ("learning_rate", "learning_rate_power", "initial_accumulator_value",
                      "l1_regularization_strength", "l2_regularization_strength",
                      "use_locking", "name", "accum_name", "linear_name",
                      "l2_shrinkage_regularization_strength", "beta"),
}
_REQUIRED = {
    "GradientDescentOptimizer": ("learning_rate",),
    "MomentumOptimizer": ("learning_rate", "momentum"),
    "AdagradOptimizer": ("learning_rate",),
    "RMSPropOptimizer": ("learning_rate",),
    "FtrlOptimizer": ("learning_rate",),
}
# Arguments that only affected TF1's graph (locking, slot names): dropped.
_DROPPED = {"use_locking", "use_own_namescope_for_non_slot_vars", "accum_name", "linear_name"}

OPTIMIZERS = tuple(f"tensorflow.train.{name}" for name in _TF1_OPTIMIZER_PARAMS)

_TF1_SCHEDULE_PARAMS = {
    "exponential_decay": ("learning_rate", "global_step", "decay_steps", "decay_rate",
                          "staircase", "name"),
    "piecewise_constant": ("x", "boundaries", "values", "name"),
    "polynomial_decay": ("learning_rate", "global_step", "decay_steps", "end_learning_rate",
                         "power", "cycle", "name"),
    "cosine_decay": ("learning_rate", "global_step", "decay_steps", "alpha", "name"),
    "cosine_decay_restarts": ("learning_rate", "global_step", "first_decay_steps", "t_mul",
                              "m_mul", "alpha", "name"),
    "inverse_time_decay": ("learning_rate", "global_step", "decay_steps", "decay_rate",
                           "staircase", "name"),
    "natural_exp_decay": ("learning_rate", "global_step", "decay_steps", "decay_rate",
                          "staircase", "name"),
}
_SCHEDULE_REQUIRED = {
    "exponential_decay": ("learning_rate", "global_step", "decay_steps", "decay_rate"),
    "piecewise_constant": ("x", "boundaries", "values"),
    "polynomial_decay": ("learning_rate", "global_step", "decay_steps"),
    "cosine_decay": ("learning_rate", "global_step", "decay_steps"),
    "cosine_decay_restarts": ("learning_rate", "global_step", "first_decay_steps"),
    "inverse_time_decay": ("learning_rate", "global_step", "decay_steps", "decay_rate"),
    "natural_exp_decay": ("learning_rate", "global_step", "decay_steps", "decay_rate"),
}
SCHEDULES = tuple(f"tensorflow.train.{name}" for name in _TF1_SCHEDULE_PARAMS)
# piecewise_constant also had this name in TF1.
_SCHEDULE_ALIASES = {"piecewise_constant_decay": "piecewise_constant"}

# -- generated classes -----------------------------------------------------------------------

# `{name}` is the class name, `{tf}` the module's name for TensorFlow.
TF1_MOMENTUM = '''\
class {name}({tf}.keras.optimizers.Optimizer):
    """TF1's MomentumOptimizer: accumulates raw gradients and applies them at the current
    learning rate (Keras SGD accumulates rate-scaled ones, which differs under a schedule)."""

    def __init__(self, learning_rate, momentum, use_nesterov=False, name="{name}", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.momentum = momentum
        self.use_nesterov = use_nesterov

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self.accumulators = self.add_optimizer_variables(var_list, "accumulator")

    def update_step(self, gradient, variable, learning_rate):
        learning_rate = {tf}.cast(learning_rate, variable.dtype)
        gradient = {tf}.cast(gradient, variable.dtype)
        accumulator = self.accumulators[self._get_variable_index(variable)]
        self.assign(accumulator, self.momentum * accumulator + gradient)
        if self.use_nesterov:
            self.assign_sub(variable, learning_rate * (gradient + self.momentum * accumulator))
        else:
            self.assign_sub(variable, learning_rate * accumulator)

    def get_config(self):
        config = super().get_config()
        config.update(momentum=self.momentum, use_nesterov=self.use_nesterov)
        return config
'''

TF1_RMSPROP = '''\
class {name}({tf}.keras.optimizers.RMSprop):
    """RMSprop whose mean-square ("velocity") slots start at 1.0, as TF1's RMSPropOptimizer."""

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        if name == "velocity":
            initializer = "ones"
        return super().add_optimizer_variables(trainable_variables, name, initializer)
'''


@dataclass
class OptimizerPlan:
    """How to build the Keras 3 optimizer that replaces a TF1 one."""

    # Keras 3 constructor, spelled with the module's TensorFlow name, e.g.
    # "tf.keras.optimizers.Adam(learning_rate=0.01, epsilon=1e-08)".
    expression: str
    # Module-level code the expression needs (a class definition each), may be empty. The
    # text depends only on the class name and `tf`: add each distinct text once.
    definitions: list[str] = field(default_factory=list)
    safety: FixSafety = FixSafety.SAFE
    note: str = ""  # what changes / why, for the finding message ("" when nothing)


# -- helpers ---------------------------------------------------------------------------------

def _code(node: cst.CSTNode) -> str:
    return _MODULE.code_for_node(node).strip()


def _is_int_literal(node: cst.BaseExpression) -> bool:
    """A literal whose Python value is an int (a float rate must be passed as a float)."""
    if isinstance(node, cst.Integer):
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        return _is_int_literal(node.expression)
    if isinstance(node, cst.BinaryOperation) and isinstance(
            node.operator, (cst.Add, cst.Subtract, cst.Multiply, cst.Power)):
        return _is_int_literal(node.left) and _is_int_literal(node.right)
    return False


def _float_code(node: cst.BaseExpression) -> str:
    """The code of `node`, as a float when it is an integer literal (`1` → `1.0`)."""
    code = _code(node)
    if isinstance(node, cst.Integer) and code.isdigit():
        return f"{code}.0"
    if isinstance(node, cst.UnaryOperation) and isinstance(node.expression, cst.Integer) \
            and _code(node.expression).isdigit():
        return f"{code}.0"
    if _is_int_literal(node):
        return f"float({code})"
    return code


def _class_name(wanted: str, taken: Collection[str]) -> str:
    if wanted not in taken:
        return wanted
    for number in range(2, 1000):
        candidate = f"{wanted}_{number}"
        if candidate not in taken:
            return candidate
    raise RuntimeError(f"no free name for {wanted}")  # pragma: no cover


def _call(callee: str, arguments: Sequence[tuple[str | None, str]]) -> str:
    parts = [value if keyword is None else f"{keyword}={value}" for keyword, value in arguments]
    return f"{callee}({', '.join(parts)})"


# -- optimizers ------------------------------------------------------------------------------

def keras_optimizer(call: cst.Call, qualname: str, tf: str,
                    schedule_of: Callable[[cst.BaseExpression], str | None] | None = None,
                    constant_of: Callable[[cst.BaseExpression], bool] | None = None,
                    taken: Collection[str] = ()) -> OptimizerPlan | None:
    """The Keras 3 optimizer for the TF1 optimizer construction `call`.

    `qualname` is the canonical name of the callee (`tensorflow.train.AdamOptimizer`), `tf`
    the module's name for TensorFlow. `schedule_of(node)`, called with the learning-rate
    argument, returns the Keras expression to pass as `learning_rate` when that argument is a
    TF1 schedule (e.g. the text `keras_schedule` gave, or a name the caller binds it to), else
    None. `constant_of(node)` says that a non-literal rate (a name, an attribute) is a Python
    number that does not change during training; numeric literals are constants anyway.
    `taken`: names bound in the module, which generated classes must not use.

    None when the call cannot be converted: another optimizer, `*args`/`**kwargs`, an
    unknown keyword, a missing required argument.
    """
    if not qualname.startswith("tensorflow.train."):
        return None
    kind = qualname[len("tensorflow.train."):]
    params = _TF1_OPTIMIZER_PARAMS.get(kind)
    if params is None:
        return None
    bound = bind(call, params)
    if bound is None or any(p not in bound for p in _REQUIRED.get(kind, ())):
        return None
    for name in _DROPPED:
        bound.pop(name, None)
    keras = f"{tf}.keras.optimizers"

    rate, rate_kind = None, "default"
    if "learning_rate" in bound:
        node = bound["learning_rate"]
        schedule = schedule_of(node) if schedule_of is not None else None
        if schedule is not None:
            rate, rate_kind = schedule, "schedule"
        elif literal_number(node, arithmetic=True) is not None or \
                (constant_of is not None and constant_of(node)):
            rate, rate_kind = _float_code(node), "constant"
        else:
            rate, rate_kind = _code(node), "other"

    def value(name: str) -> str:
        return _code(bound[name])

    args: list[tuple[str | None, str]] = []
    if rate is not None:
        args.append(("learning_rate", rate))
    definitions: list[str] = []
    notes: list[str] = []
    name_arg = [("name", value("name"))] if "name" in bound else []

    if kind == "GradientDescentOptimizer":
        return OptimizerPlan(_call(f"{keras}.SGD", args + name_arg))

    if kind == "MomentumOptimizer":
        if rate_kind == "constant":
            args.append(("momentum", value("momentum")))
            if "use_nesterov" in bound:
                args.append(("nesterov", value("use_nesterov")))
            return OptimizerPlan(_call(f"{keras}.SGD", args + name_arg))
        cls = _class_name("TF1Momentum", taken)
        args.append(("momentum", value("momentum")))
        if "use_nesterov" in bound:
            args.append(("use_nesterov", value("use_nesterov")))
        why = "a learning-rate schedule" if rate_kind == "schedule" else \
            f"a learning rate (`{rate}`) that may change during training"
        return OptimizerPlan(
            _call(cls, args + name_arg), [TF1_MOMENTUM.format(name=cls, tf=tf)], FixSafety.SAFE,
            f"`{cls}` (defined above) keeps TF1's momentum update under {why}: Keras `SGD` "
            "accumulates rate-scaled gradients")

    if kind == "AdamOptimizer":
        for old, new in (("beta1", "beta_1"), ("beta2", "beta_2")):
            if old in bound:
                args.append((new, value(old)))
        if "epsilon" in bound:
            args.append(("epsilon", value("epsilon")))
        else:
            args.append(("epsilon", "1e-08"))
            notes.append("epsilon=1e-08 keeps TF1's default (Keras: 1e-7)")
        return OptimizerPlan(_call(f"{keras}.Adam", args + name_arg), note="; ".join(notes))

    if kind == "AdagradOptimizer":
        if "initial_accumulator_value" in bound:
            args.append(("initial_accumulator_value", value("initial_accumulator_value")))
        args.append(("epsilon", "0.0"))
        return OptimizerPlan(_call(f"{keras}.Adagrad", args + name_arg),
                             note="epsilon=0.0: TF1's Adagrad has none (Keras adds 1e-7)")

    if kind == "AdadeltaOptimizer":
        if "rho" in bound:
            args.append(("rho", value("rho")))
        if "epsilon" in bound:
            args.append(("epsilon", value("epsilon")))
        else:
            args.append(("epsilon", "1e-08"))
            notes.append("epsilon=1e-08 keeps TF1's default (Keras: 1e-7)")
        return OptimizerPlan(_call(f"{keras}.Adadelta", args + name_arg), note="; ".join(notes))

    if kind == "RMSPropOptimizer":
        if "decay" in bound:
            args.append(("rho", value("decay")))
        if "momentum" in bound:
            args.append(("momentum", value("momentum")))
        if "epsilon" in bound:
            args.append(("epsilon", value("epsilon")))
        else:
            args.append(("epsilon", "1e-10"))
            notes.append("epsilon=1e-10 keeps TF1's default (Keras: 1e-7)")
        if "centered" in bound:
            args.append(("centered", value("centered")))
        cls = _class_name("TF1RMSprop", taken)
        notes.insert(0, f"`{cls}` (defined above) starts the mean-square slots at 1.0 as TF1 "
                        "did (Keras RMSprop: 0.0)")
        return OptimizerPlan(_call(cls, args + name_arg), [TF1_RMSPROP.format(name=cls, tf=tf)],
                             FixSafety.SAFE, "; ".join(notes))

    assert kind == "FtrlOptimizer"
    for name in ("learning_rate_power", "initial_accumulator_value",
                 "l1_regularization_strength", "l2_regularization_strength",
                 "l2_shrinkage_regularization_strength"):
        if name in bound:
            args.append((name, value(name)))
    if "beta" in bound:
        beta = bound["beta"]
        if not (isinstance(beta, cst.Name) and beta.value == "None"):
            args.append(("beta", value("beta")))
    return OptimizerPlan(_call(f"{keras}.Ftrl", args + name_arg))


# -- schedules -------------------------------------------------------------------------------

def keras_schedule(call: cst.Call, qualname: str,
                   tf: str) -> tuple[str, cst.BaseExpression] | None:
    """The Keras schedule for a TF1 `tf.train.*_decay(...)`/`piecewise_constant(...)` call.

    Returns (the Keras schedule expression text, the global-step argument node): the Keras
    schedule is driven by the optimizer's own step counter (`optimizer.iterations`, advanced
    once per `apply_gradients`), so the caller must check that the TF1 step is the one
    `minimize(global_step=...)` advanced. None when there is no exact Keras schedule
    (`linear_cosine_decay`, `noisy_linear_cosine_decay`) or the call cannot be bound.
    """
    if not qualname.startswith("tensorflow.train."):
        return None
    kind = qualname[len("tensorflow.train."):]
    kind = _SCHEDULE_ALIASES.get(kind, kind)
    params = _TF1_SCHEDULE_PARAMS.get(kind)
    if params is None:
        return None
    bound = bind(call, params)
    if bound is None or any(p not in bound for p in _SCHEDULE_REQUIRED[kind]):
        return None
    schedules = f"{tf}.keras.optimizers.schedules"

    def value(name: str) -> str:
        return _code(bound[name])

    def optional(*names: str) -> list[tuple[str | None, str]]:
        return [(name, value(name)) for name in names if name in bound]

    if kind == "piecewise_constant":
        args: list[tuple[str | None, str]] = [(None, value("boundaries")),
                                              (None, value("values"))]
        return _call(f"{schedules}.PiecewiseConstantDecay", args + optional("name")), bound["x"]

    step = bound["global_step"]
    # The schedule's dtype is the initial rate's: an int would make the whole schedule int.
    args = [(None, _float_code(bound["learning_rate"]))]
    if kind == "exponential_decay":
        args += [(None, value("decay_steps")), (None, value("decay_rate"))]
        args += optional("staircase", "name")
        return _call(f"{schedules}.ExponentialDecay", args), step
    if kind == "natural_exp_decay":
        # lr * exp(-k * p) == lr * exp(-k) ** p
        k = literal_number(bound["decay_rate"], arithmetic=True)
        rate = repr(math.exp(-k)) if k is not None else \
            f"float({tf}.math.exp(-{_parenthesised(bound['decay_rate'])}))"
        args += [(None, value("decay_steps")), (None, rate)]
        args += optional("staircase", "name")
        return _call(f"{schedules}.ExponentialDecay", args), step
    if kind == "inverse_time_decay":
        args += [(None, value("decay_steps")), (None, value("decay_rate"))]
        args += optional("staircase", "name")
        return _call(f"{schedules}.InverseTimeDecay", args), step
    if kind == "polynomial_decay":
        args += [(None, value("decay_steps"))]
        args += optional("end_learning_rate", "power", "cycle", "name")
        return _call(f"{schedules}.PolynomialDecay", args), step
    if kind == "cosine_decay":
        args += [(None, value("decay_steps"))]
        args += optional("alpha", "name")
        return _call(f"{schedules}.CosineDecay", args), step
    assert kind == "cosine_decay_restarts"
    args += [(None, value("first_decay_steps"))]
    args += optional("t_mul", "m_mul", "alpha", "name")
    return _call(f"{schedules}.CosineDecayRestarts", args), step


def _parenthesised(node: cst.BaseExpression) -> str:
    code = _code(node)
    if isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer,
                         cst.Float)):
        return code
    return f"({code})"


# -- TFM501: schedules -----------------------------------------------------------------------

# A global step made by these starts at 0.
_GLOBAL_STEP_MAKERS = {"tensorflow.train.get_or_create_global_step",
                       "tensorflow.train.create_global_step"}
_ASSIGNS = {"tensorflow.assign", "tensorflow.assign_add", "tensorflow.assign_sub"}
_ASSIGN_METHODS = {"assign", "assign_add", "assign_sub", "load"}


class _Names(cst.CSTVisitor):
    def __init__(self, wanted: set[str]) -> None:
        self.wanted = wanted
        self.found: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.wanted:
            self.found.append(node)


class LearningRateSchedule(Rule):
    code = "TFM501"
    name = "tf1-learning-rate-schedule"
    summary = ("`tf.train.exponential_decay` & co. are gone in TF2: use a Keras schedule "
               "driven by the optimizer's step.")
    fix = FixSafety.SAFE
    references = SCHEDULES + ("tensorflow.train.piecewise_constant_decay",
                              "tensorflow.train.linear_cosine_decay",
                              "tensorflow.train.noisy_linear_cosine_decay")
    doc = """
## Why
TF1's decay functions compute a learning-rate tensor from a `global_step` variable that
`minimize(loss, global_step=...)` increments; they do not exist in TF2. A Keras 3 optimizer
takes a schedule object as `learning_rate` and calls it with its own step counter
(`optimizer.iterations`, advanced once per `apply_gradients`, read before the increment as
TF1 read `global_step`).

## What it becomes
`tf.keras.optimizers.schedules.*` with the TF1 arguments minus the step:
`exponential_decay` → `ExponentialDecay`, `piecewise_constant` → `PiecewiseConstantDecay`,
`polynomial_decay` → `PolynomialDecay`, `cosine_decay` → `CosineDecay`,
`cosine_decay_restarts` → `CosineDecayRestarts`, `inverse_time_decay` → `InverseTimeDecay`,
`natural_exp_decay(lr, step, n, k)` → `ExponentialDecay(lr, n, exp(-k))`. An integer initial
rate is written as a float (a Keras schedule takes its dtype from it). The rates match TF1
to 1e-8 (float32 rounding) when evaluated in a `tf.function`, as a training step is.

The fix is applied only when the schedule provably sees the same steps: the schedule is the
learning rate of exactly one TF1 optimizer (by a name used nowhere else, or inline), that
optimizer's `minimize` gets the schedule's step as `global_step`, and the step is a variable
created at 0 (`tf.Variable(0, ...)`, `tf.train.get_or_create_global_step()`) that nothing
else assigns or advances. The graph rule (TFM201) then builds the Keras optimizer; under a
schedule a TF1 `MomentumOptimizer` becomes a TF1-exact momentum optimizer, as Keras `SGD`
with momentum accumulates rate-scaled gradients.

## Caveats
Code that reads the rate tensor itself (`tf.summary.scalar("lr", lr)`, `sess.run(lr)`) is
reported, not fixed: in TF2 read `optimizer.learning_rate`. A restored TF1 checkpoint
restores `global_step` but not the Keras optimizer's `iterations`: the schedule restarts.
`linear_cosine_decay` and `noisy_linear_cosine_decay` have no Keras schedule.
"""
    examples = (
        Valid("import tensorflow as tf\n\n"
              "lr = tf.keras.optimizers.schedules.ExponentialDecay(0.1, 1000, 0.96)\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "step = tf.train.get_or_create_global_step()\n"
            "lr = tf.train.exponential_decay(0.1, step, 1000, 0.96, staircase=True)\n"
            "opt = tf.train.GradientDescentOptimizer(lr)\n"
            "train_op = opt.minimize(loss, global_step=step)\n",
            "import tensorflow as tf\n\n"
            "step = tf.train.get_or_create_global_step()\n"
            "lr = tf.keras.optimizers.schedules.ExponentialDecay(0.1, 1000, 0.96, "
            "staircase=True)\n"
            "opt = tf.train.GradientDescentOptimizer(lr)\n"
            "train_op = opt.minimize(loss, global_step=step)\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "step = tf.Variable(0, trainable=False)\n"
            "lr = tf.train.exponential_decay(0.1, step, 1000, 0.96)\n"
            "tf.summary.scalar('lr', lr)\n"
            "train_op = tf.train.AdamOptimizer(lr).minimize(loss, global_step=step)\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "lr = tf.train.linear_cosine_decay(0.1, step, 1000)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        call = ctx.call_of(ref.node)
        old = ref.qualname.rsplit(".", 1)[-1]
        if call is None:
            return
        head = f"`tf.train.{old}` does not exist in TF2"
        found = keras_schedule(call, ref.qualname, ctx.tensorflow_name())
        if found is None:
            ctx.report(ref.node, f"{head}: no Keras schedule computes the same rates; write a "
                                 "`tf.keras.optimizers.schedules.LearningRateSchedule` subclass")
            return
        text, step = found
        problem = self.why_not(call, step, ctx)
        if problem:
            ctx.report(ref.node, f"{head}: use `{text.split('(')[0].rsplit('.', 1)[-1]}` as the "
                                 f"optimizer's learning_rate; not fixed: {problem}")
            return
        ctx.report(ref.node, f"{head}: a Keras schedule, driven by the optimizer's step "
                             "(which advances with the global step)",
                   [Edit(call, parse_expression(text))], imports=("tensorflow",))

    # -- the proof that the schedule sees the steps `minimize` counts --------------------
    def why_not(self, call: cst.Call, step: cst.BaseExpression, ctx: Context) -> str | None:
        optimizer = self.optimizer_of(call, ctx)
        if isinstance(optimizer, str):
            return optimizer
        minimize = self.minimize_of(optimizer, ctx)
        if isinstance(minimize, str):
            return minimize
        given = argument(minimize, 1, "global_step")
        if not isinstance(step, cst.Name):
            return "the step is not a variable name"
        if given is None or not isinstance(given.value, cst.Name) or \
                given.value.value != step.value:
            return (f"the schedule's step `{step.value}` is not the `global_step` that "
                    "`minimize` advances (Keras schedules follow the optimizer's steps)")
        return self.step_problem(step.value, minimize, ctx)

    def optimizer_of(self, call: cst.Call, ctx: Context) -> cst.Call | str:
        """The TF1 optimizer constructor taking the schedule as its learning rate."""
        parent = ctx.parent(call)
        if isinstance(parent, cst.Arg):
            owner = ctx.parent(parent)
            if isinstance(owner, cst.Call) and self.is_optimizer(owner, ctx) and \
                    argument(owner, 0, "learning_rate") is parent:
                return owner
            return "the rate is not the learning rate of a TF1 optimizer"
        statement = ctx.statement_of(call)
        if not (isinstance(statement, cst.Assign) and statement.value is call and
                len(statement.targets) == 1 and isinstance(statement.targets[0].target, cst.Name)):
            return "the rate is neither assigned to a name nor given to an optimizer"
        name = statement.targets[0].target.value
        uses = self.uses(name, ctx)
        if uses is None:
            return f"`{name}` is bound more than once"
        owners = []
        for use in uses:
            arg = ctx.parent(use)
            owner = ctx.parent(arg) if isinstance(arg, cst.Arg) else None
            if isinstance(owner, cst.Call) and self.is_optimizer(owner, ctx) and \
                    argument(owner, 0, "learning_rate") is arg:
                owners.append(owner)
            else:
                return (f"`{name}` is also used as a tensor (in TF2 read the rate as "
                        "`optimizer.learning_rate`)")
        if len(owners) != 1:
            return f"`{name}` is the learning rate of {len(owners)} optimizers, not one"
        return owners[0]

    def minimize_of(self, optimizer: cst.Call, ctx: Context) -> cst.Call | str:
        parent = ctx.parent(optimizer)
        if isinstance(parent, cst.Attribute) and parent.attr.value == "minimize":
            minimize = ctx.call_of(parent)
            return minimize if minimize is not None else "the optimizer's `minimize` is not called"
        statement = ctx.statement_of(optimizer)
        if not (isinstance(statement, cst.Assign) and statement.value is optimizer and
                len(statement.targets) == 1 and isinstance(statement.targets[0].target, cst.Name)):
            return "the optimizer is neither assigned to a name nor minimized"
        name = statement.targets[0].target.value
        uses = self.uses(name, ctx)
        if uses is None:
            return f"`{name}` is bound more than once"
        calls = []
        for use in uses:
            attribute = ctx.parent(use)
            if isinstance(attribute, cst.Attribute) and attribute.attr.value == "minimize" and \
                    ctx.call_of(attribute) is not None:
                calls.append(ctx.call_of(attribute))
            else:
                return f"the optimizer `{name}` is used for more than `minimize`"
        if len(calls) != 1:
            return f"the optimizer `{name}` is minimized {len(calls)} times, not once"
        return calls[0]

    def step_problem(self, name: str, minimize: cst.Call, ctx: Context) -> str | None:
        """Why the global step may not count the `minimize` steps from 0 (None: it does)."""
        uses = self.uses(name, ctx, with_bindings=True)
        if uses is None:
            return f"the global step `{name}` is bound more than once"
        bindings = [u for u in uses if self.binding(u, ctx)]
        value = None
        if len(bindings) == 1:
            statement = ctx.statement_of(bindings[0])
            if isinstance(statement, cst.Assign) and len(statement.targets) == 1 and \
                    statement.targets[0].target is bindings[0]:
                value = statement.value
        if not self.starts_at_zero(value, ctx):
            return (f"the global step `{name}` is not a variable created at 0 by "
                    "`tf.Variable(0, ...)` or `tf.train.get_or_create_global_step()`")
        for use in uses:
            if use in bindings:
                continue
            parent = ctx.parent(use)
            if isinstance(parent, cst.Attribute) and parent.value is use and \
                    parent.attr.value in _ASSIGN_METHODS:
                return f"the global step `{name}` is also assigned (`.{parent.attr.value}`)"
            if isinstance(parent, cst.Arg):
                owner = ctx.parent(parent)
                if not isinstance(owner, cst.Call):
                    continue
                if ctx.qualified_name(owner.func) in _ASSIGNS:
                    return f"the global step `{name}` is also assigned"
                if isinstance(owner.func, cst.Attribute) and owner.func.attr.value in \
                        ("minimize", "apply_gradients") and owner is not minimize and \
                        argument(owner, 1, "global_step") is parent:
                    return f"the global step `{name}` is advanced by another train op"
        return None

    def starts_at_zero(self, value: cst.BaseExpression | None, ctx: Context) -> bool:
        if not isinstance(value, cst.Call):
            return False
        name = ctx.qualified_name(value.func)
        if name in _GLOBAL_STEP_MAKERS:
            return True
        if name != "tensorflow.Variable":
            return False
        initial = argument(value, 0, "initial_value")
        return initial is not None and isinstance(initial.value, cst.Integer) and \
            initial.value.evaluated_value == 0

    @staticmethod
    def is_optimizer(call: cst.Call, ctx: Context) -> bool:
        name = ctx.qualified_name(call.func) or ""
        return name.startswith("tensorflow.train.") and name.endswith("Optimizer")

    def binding(self, node: cst.Name, ctx: Context) -> bool:
        parent = ctx.parent(node)
        if isinstance(parent, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For,
                               cst.CompFor, cst.AsName, cst.NamedExpr)):
            return getattr(parent, "target", None) is node or \
                getattr(parent, "name", None) is node
        if isinstance(parent, (cst.Param, cst.FunctionDef, cst.ClassDef, cst.ImportAlias)):
            return getattr(parent, "name", None) is node
        if isinstance(parent, (cst.Tuple, cst.List, cst.Element)):
            return any(isinstance(a, (cst.AssignTarget, cst.For, cst.CompFor))
                       for a in ctx.ancestors(node))
        return False

    def uses(self, name: str, ctx: Context, with_bindings: bool = False) -> list | None:
        """Reads of `name` in the module (and, if asked, its one binding); None when `name`
        is bound more than once anywhere (no flow analysis: one binding or nothing)."""
        visitor = _Names({name})
        ctx.module.visit(visitor)
        found, bindings = [], 0
        for node in visitor.found:
            parent = ctx.parent(node)
            if isinstance(parent, cst.Attribute) and parent.attr is node:
                continue
            if isinstance(parent, (cst.Arg, cst.Param)) and \
                    getattr(parent, "keyword", None) is node:
                continue
            if self.binding(node, ctx):
                bindings += 1
                if with_bindings:
                    found.append(node)
                continue
            found.append(node)
        return found if bindings == 1 else None


# -- TFM520: TF1 optimizers in eager code -----------------------------------------------------

# A module using these builds a graph (TFM201's business, or code no longer runnable).
_GRAPH_MARKERS = {"tensorflow.Session", "tensorflow.InteractiveSession",
                  "tensorflow.placeholder", "tensorflow.placeholder_with_default",
                  "tensorflow.train.MonitoredTrainingSession", "tensorflow.train.Supervisor",
                  "tensorflow.gradients", "tensorflow.global_variables_initializer"}


class EagerOptimizer(Rule):
    code = "TFM520"
    name = "tf1-optimizer-eager"
    summary = ("A TF1 optimizer used eagerly with `apply_gradients` becomes the Keras "
               "optimizer with TF1's hyperparameters.")
    fix = FixSafety.SAFE
    references = OPTIMIZERS
    doc = """
## Why
`tf.train.*Optimizer` does not exist in TF2. In TF 1.x eager code (`tf.enable_eager_execution()`,
`tf.contrib.eager`, `tf.GradientTape`) an optimizer is used through
`optimizer.apply_gradients(grads_and_vars)`, which Keras 3 optimizers also have. A module
without sessions, placeholders, `tf.gradients` or estimators is taken as eager code.

## What it becomes
The Keras 3 optimizer with TF1's hyperparameters spelled out (as the graph rule TFM201
builds it, MIGRATION_MAP §7): `GradientDescentOptimizer(lr)` → `SGD(learning_rate=lr)`,
`AdamOptimizer` → `Adam(..., epsilon=1e-08)`, `AdagradOptimizer` → `Adagrad(...,
epsilon=0.0)`, RMSProp with its slots starting at 1.0, Momentum exactly as TF1 under a
changing rate. Only when the optimizer is bound to one name used for nothing but
`apply_gradients(grads_and_vars)`, in a module without sessions or placeholders (graph
programs are TFM201's).

## Caveats
`apply_gradients(..., global_step=step)` is reported without a fix: Keras counts steps in
`optimizer.iterations` (or add `step.assign_add(1)` after the update). A Keras optimizer is
built for the variables of its first `apply_gradients`: one optimizer for two variable sets
needs two optimizers.
"""
    examples = (
        Valid("import tensorflow as tf\n\nopt = tf.keras.optimizers.SGD(learning_rate=0.1)\n"),
        Invalid("import tensorflow as tf\n\ntf.enable_eager_execution()\n"
                "optimizer = tf.train.AdamOptimizer(learning_rate=0.01)\n"
                "optimizer.apply_gradients(zip(grads, variables))\n",
                "import tensorflow as tf\n\n"
                "optimizer = tf.keras.optimizers.Adam(learning_rate=0.01, epsilon=1e-08)\n"
                "optimizer.apply_gradients(zip(grads, variables))\n"),
        Invalid("import tensorflow as tf\n\ntf.enable_eager_execution()\n"
                "optimizer = tf.train.GradientDescentOptimizer(0.1)\n"
                "optimizer.apply_gradients(zip(grads, variables), global_step=step)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        call = ctx.call_of(ref.node)
        if call is None or not self.eager_module(ctx):
            return
        head = f"`{short(ref.qualname)}` is gone in TF2"
        statement = ctx.statement_of(call)
        line = statement_line(ctx, statement) if statement is not None else None
        if not isinstance(statement, cst.Assign) or statement.value is not call or \
                len(statement.targets) != 1 or \
                not isinstance(statement.targets[0].target, cst.Name) or line is None:
            return
        name = statement.targets[0].target.value
        problem = self.uses_problem(name, ctx)
        tf = ctx.tensorflow_name()
        taken = self.bound_names(ctx)
        plan = keras_optimizer(call, ref.qualname, tf, constant_of=lambda n: self.constant(n, ctx),
                               taken=taken)
        if plan is None:
            problem = problem or "its arguments cannot be read"
        if problem:
            ctx.report(ref.node, f"{head}: use the Keras optimizer with TF1's hyperparameters "
                       f"(see TFM201's table); not fixed: {problem}")
            return
        new_line = line.with_changes(body=[statement.with_changes(
            value=parse_expression(plan.expression))])
        replacement = [cst.parse_statement(text) for text in plan.definitions]
        if replacement:
            replacement[0] = replacement[0].with_changes(leading_lines=line.leading_lines)
            new_line = new_line.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
        note = f" ({plan.note})" if plan.note else ""
        ctx.report(ref.node, f"{head}: the Keras optimizer with TF1's hyperparameters{note}",
                   [Edit(line, [*replacement, new_line])], plan.safety, imports=("tensorflow",))

    @staticmethod
    def eager_module(ctx: Context) -> bool:
        cached = getattr(ctx, "_eager_optimizer_module", None)
        if cached is None:
            names = {name for _, name in ctx.named_expressions()}
            cached = not (names & _GRAPH_MARKERS) and \
                not any(n.startswith("tensorflow.estimator") for n in names)
            ctx._eager_optimizer_module = cached
        return cached

    @staticmethod
    def bound_names(ctx: Context) -> set[str]:
        found = set()
        for node in walk(ctx.module):
            if isinstance(node, (cst.ClassDef, cst.FunctionDef)):
                found.add(node.name.value)
            elif isinstance(node, cst.AssignTarget) and isinstance(node.target, cst.Name):
                found.add(node.target.value)
        return found

    @staticmethod
    def constant(node: cst.BaseExpression, ctx: Context) -> bool:
        if not isinstance(node, cst.Name):
            return False
        values = assigned_values(ctx, node.value)
        return len(values) == 1 and literal_number(values[0]) is not None

    @staticmethod
    def uses_problem(name: str, ctx: Context) -> str | None:
        values = assigned_values(ctx, name)
        if len(values) != 1:
            return f"`{name}` is bound more than once"
        for node in walk(ctx.module):
            if not (isinstance(node, cst.Name) and node.value == name):
                continue
            parent = ctx.parent(node)
            if isinstance(parent, cst.AssignTarget) or \
                    (isinstance(parent, cst.Attribute) and parent.attr is node) or \
                    (isinstance(parent, cst.Arg) and parent.keyword is node):
                continue
            if not (isinstance(parent, cst.Attribute) and parent.value is node and
                    parent.attr.value == "apply_gradients"):
                return f"`{name}` is used for more than `apply_gradients`"
            call = ctx.call_of(parent)
            if call is None or len(call.args) != 1 or call.args[0].keyword is not None or \
                    call.args[0].star:
                return ("`apply_gradients` gets more than the (gradient, variable) pairs "
                        "(a `global_step`: use `optimizer.iterations`)")
        return None
