"""rules/optimizers.py: TF1 optimizers and schedules → Keras 3 with TF1's numbers; TFM501
(schedules on the global step) and TFM520 (TF1 optimizers in eager code).

The optimizers' numbers are proven by the fixtures in fixtures/training/; the schedules'
by `test_schedules_match_tf1_by_execution` below (both run TensorFlow).
"""

from __future__ import annotations

import ast
import importlib.util
import json
from concurrent.futures import ThreadPoolExecutor

import libcst as cst
import pytest

from rules.optimizers import (OptimizerPlan, keras_optimizer, keras_schedule)
from tfmigrate.config import Settings
from tfmigrate.engine import all_rules, migrate
from tfmigrate.rule import FixSafety

HAVE_TENSORFLOW = importlib.util.find_spec("tensorflow") is not None
SETTINGS = Settings().validate(rule.code for rule in all_rules())


def _callee(text: str) -> str:
    return "tensorflow.train." + text.split("(")[0].rsplit(".", 1)[-1]


def plan(text: str, tf: str = "tf", **kwargs) -> OptimizerPlan | None:
    return keras_optimizer(cst.parse_expression(text), _callee(text), tf, **kwargs)


def schedule(text: str, tf: str = "tf") -> tuple[str, str] | None:
    found = keras_schedule(cst.parse_expression(text), _callee(text), tf)
    if found is None:
        return None
    return found[0], cst.Module([]).code_for_node(found[1])


K = "tf.keras.optimizers"


# -- optimizers: expressions ------------------------------------------------------------------

@pytest.mark.parametrize("tf1,keras", [
    ("tf.train.GradientDescentOptimizer(0.1)", f"{K}.SGD(learning_rate=0.1)"),
    ("tf.train.GradientDescentOptimizer(learning_rate=0.5, use_locking=True, name='sgd')",
     f"{K}.SGD(learning_rate=0.5, name='sgd')"),
    # Keras wants a Python float: an integer literal rate would raise ValueError.
    ("tf.train.GradientDescentOptimizer(1)", f"{K}.SGD(learning_rate=1.0)"),
    ("tf.train.GradientDescentOptimizer(-2)", f"{K}.SGD(learning_rate=-2.0)"),
    ("tf.train.GradientDescentOptimizer(2 * 3)", f"{K}.SGD(learning_rate=float(2 * 3))"),
    ("tf.train.MomentumOptimizer(0.05, 0.9)", f"{K}.SGD(learning_rate=0.05, momentum=0.9)"),
    ("tf.train.MomentumOptimizer(0.05, 0.9, False, 'm', True)",
     f"{K}.SGD(learning_rate=0.05, momentum=0.9, nesterov=True, name='m')"),
    ("tf.train.MomentumOptimizer(momentum=0.8, learning_rate=1e-3, use_nesterov=True)",
     f"{K}.SGD(learning_rate=1e-3, momentum=0.8, nesterov=True)"),
    ("tf.train.AdamOptimizer()", f"{K}.Adam(epsilon=1e-08)"),
    ("tf.train.AdamOptimizer(0.01)", f"{K}.Adam(learning_rate=0.01, epsilon=1e-08)"),
    ("tf.train.AdamOptimizer(0.01, 0.8, 0.99, 1e-6)",
     f"{K}.Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6)"),
    ("tf.train.AdamOptimizer(beta2=0.98, learning_rate=lr, "
     "use_own_namescope_for_non_slot_vars=True)",
     f"{K}.Adam(learning_rate=lr, beta_2=0.98, epsilon=1e-08)"),
    ("tf.train.AdagradOptimizer(0.3)", f"{K}.Adagrad(learning_rate=0.3, epsilon=0.0)"),
    ("tf.train.AdagradOptimizer(0.3, 0.5)",
     f"{K}.Adagrad(learning_rate=0.3, initial_accumulator_value=0.5, epsilon=0.0)"),
    ("tf.train.AdadeltaOptimizer()", f"{K}.Adadelta(epsilon=1e-08)"),
    ("tf.train.AdadeltaOptimizer(1.0, 0.9, 1e-6)",
     f"{K}.Adadelta(learning_rate=1.0, rho=0.9, epsilon=1e-6)"),
    ("tf.train.FtrlOptimizer(0.2, -0.6, 0.2, 0.01, 0.02, False, 'f', 'a', 'l', 0.03, 0.5)",
     f"{K}.Ftrl(learning_rate=0.2, learning_rate_power=-0.6, initial_accumulator_value=0.2, "
     "l1_regularization_strength=0.01, l2_regularization_strength=0.02, "
     "l2_shrinkage_regularization_strength=0.03, beta=0.5, name='f')"),
    ("tf.train.FtrlOptimizer(0.2, beta=None, accum_name='a')", f"{K}.Ftrl(learning_rate=0.2)"),
])
def test_expression(tf1, keras):
    result = plan(tf1)
    assert result is not None
    assert result.expression == keras
    assert result.definitions == []
    assert result.safety is FixSafety.SAFE
    ast.parse(result.expression)


def test_notes_say_which_default_is_kept():
    assert "1e-7" in plan("tf.train.AdamOptimizer(0.1)").note
    assert plan("tf.train.AdamOptimizer(0.1, epsilon=1e-4)").note == ""
    assert "epsilon" in plan("tf.train.AdagradOptimizer(0.1)").note
    assert plan("tf.train.GradientDescentOptimizer(0.1)").note == ""


def test_module_tensorflow_name_is_used():
    assert plan("tf.train.AdamOptimizer(0.1)", tf="tensorflow").expression == \
        "tensorflow.keras.optimizers.Adam(learning_rate=0.1, epsilon=1e-08)"
    rms = plan("tf.train.RMSPropOptimizer(0.1)", tf="tensorflow")
    assert "class TF1RMSprop(tensorflow.keras.optimizers.RMSprop):" in rms.definitions[0]


@pytest.mark.parametrize("tf1", [
    "tf.train.AdamOptimizer(**config)",
    "tf.train.AdamOptimizer(*args)",
    "tf.train.AdamOptimizer(0.1, beta_1=0.9)",  # not a TF1 keyword
    "tf.train.AdamOptimizer(0.1, learning_rate=0.2)",  # given twice
    "tf.train.GradientDescentOptimizer(0.1, False, 'x', 'extra')",  # too many
    "tf.train.GradientDescentOptimizer()",  # learning rate required in TF1
    "tf.train.MomentumOptimizer(0.1)",  # momentum required
    "tf.train.ProximalAdagradOptimizer(0.1)",
    "tf.train.ProximalGradientDescentOptimizer(0.1)",
    "tf.train.SyncReplicasOptimizer(opt, 2)",
])
def test_unconvertible(tf1):
    assert plan(tf1) is None


def test_not_a_train_optimizer():
    call = cst.parse_expression("tf.keras.optimizers.Adam(0.1)")
    assert keras_optimizer(call, "tensorflow.keras.optimizers.Adam", "tf") is None


# -- RMSProp: slots start at 1.0 --------------------------------------------------------------

def test_rmsprop_subclass():
    result = plan("tf.train.RMSPropOptimizer(0.01, 0.8, 0.5, 1e-6, False, True)")
    assert result.expression == \
        "TF1RMSprop(learning_rate=0.01, rho=0.8, momentum=0.5, epsilon=1e-6, centered=True)"
    (definition,) = result.definitions
    tree = ast.parse(definition)
    (cls,) = tree.body
    assert isinstance(cls, ast.ClassDef) and cls.name == "TF1RMSprop"
    # The slots are created with a ones initializer (an assign in `build` would be traced
    # into the training tf.function and reset the slots on every step).
    assert '"ones"' in definition and "assign" not in definition
    assert "1.0" in result.note


def test_rmsprop_defaults_spelled_out():
    result = plan("tf.train.RMSPropOptimizer(learning_rate=0.001)")
    assert result.expression == "TF1RMSprop(learning_rate=0.001, epsilon=1e-10)"
    assert "1e-10" in result.note


def test_generated_class_names_avoid_taken_names():
    result = plan("tf.train.RMSPropOptimizer(0.1)", taken={"TF1RMSprop"})
    assert result.expression.startswith("TF1RMSprop_2(")
    assert result.definitions[0].startswith("class TF1RMSprop_2(")
    result = plan("tf.train.MomentumOptimizer(lr, 0.9)", taken={"TF1Momentum", "TF1Momentum_2"})
    assert result.expression.startswith("TF1Momentum_3(")
    assert 'name="TF1Momentum_3"' in result.definitions[0]


def test_same_need_gives_the_same_definition_text():
    first = plan("tf.train.RMSPropOptimizer(0.1)")
    second = plan("tf.train.RMSPropOptimizer(0.5, decay=0.8)")
    assert first.definitions == second.definitions


# -- Momentum under a changing rate -----------------------------------------------------------

SCHEDULE_TEXT = f"{K}.schedules.ExponentialDecay(0.1, 5, 0.5)"


def _schedule_of(node):
    return SCHEDULE_TEXT if isinstance(node, cst.Name) and node.value == "lr" else None


def test_momentum_with_a_schedule_is_tf1_exact():
    result = plan("tf.train.MomentumOptimizer(lr, 0.9)", schedule_of=_schedule_of)
    assert result.expression == f"TF1Momentum(learning_rate={SCHEDULE_TEXT}, momentum=0.9)"
    (definition,) = result.definitions
    cls = ast.parse(definition).body[0]
    assert cls.name == "TF1Momentum"
    assert [f.name for f in cls.body if isinstance(f, ast.FunctionDef)] == \
        ["__init__", "build", "update_step", "get_config"]
    assert result.safety is FixSafety.SAFE
    assert "schedule" in result.note


def test_momentum_nesterov_keyword_of_the_subclass():
    result = plan("tf.train.MomentumOptimizer(lr, 0.9, use_nesterov=True)",
                  schedule_of=_schedule_of)
    assert result.expression.endswith("momentum=0.9, use_nesterov=True)")


def test_momentum_with_an_unknown_rate_is_tf1_exact():
    # A name may hold a tensor that changes: the subclass is exact for any sequence of rates.
    result = plan("tf.train.MomentumOptimizer(FLAGS.lr, 0.9)")
    assert result.expression == "TF1Momentum(learning_rate=FLAGS.lr, momentum=0.9)"
    assert result.definitions


def test_momentum_with_a_known_constant_is_sgd():
    result = plan("tf.train.MomentumOptimizer(FLAGS.lr, 0.9)", constant_of=lambda node: True)
    assert result.expression == f"{K}.SGD(learning_rate=FLAGS.lr, momentum=0.9)"
    assert result.definitions == []


def test_schedule_replaces_the_rate_of_other_optimizers():
    result = plan("tf.train.AdamOptimizer(lr)", schedule_of=_schedule_of)
    assert result.expression == f"{K}.Adam(learning_rate={SCHEDULE_TEXT}, epsilon=1e-08)"


# -- schedules --------------------------------------------------------------------------------

S = "tf.keras.optimizers.schedules"


@pytest.mark.parametrize("tf1,keras", [
    ("tf.train.exponential_decay(0.1, gs, 100, 0.96)",
     f"{S}.ExponentialDecay(0.1, 100, 0.96)"),
    ("tf.train.exponential_decay(learning_rate=1, global_step=gs, decay_steps=100, "
     "decay_rate=0.5, staircase=True, name='lr')",
     f"{S}.ExponentialDecay(1.0, 100, 0.5, staircase=True, name='lr')"),
    ("tf.train.piecewise_constant(gs, [5, 10], [0.1, 0.05, 0.01])",
     f"{S}.PiecewiseConstantDecay([5, 10], [0.1, 0.05, 0.01])"),
    ("tf.train.piecewise_constant_decay(x=gs, boundaries=b, values=v)",
     f"{S}.PiecewiseConstantDecay(b, v)"),
    ("tf.train.polynomial_decay(0.1, gs, 10, 0.01, 2.0, True)",
     f"{S}.PolynomialDecay(0.1, 10, end_learning_rate=0.01, power=2.0, cycle=True)"),
    ("tf.train.polynomial_decay(0.1, gs, 10)", f"{S}.PolynomialDecay(0.1, 10)"),
    ("tf.train.cosine_decay(0.1, gs, 10, alpha=0.1)", f"{S}.CosineDecay(0.1, 10, alpha=0.1)"),
    ("tf.train.cosine_decay_restarts(0.1, gs, 4, 2.0, 0.8, 0.05)",
     f"{S}.CosineDecayRestarts(0.1, 4, t_mul=2.0, m_mul=0.8, alpha=0.05)"),
    ("tf.train.inverse_time_decay(0.1, gs, 5, 0.5, True)",
     f"{S}.InverseTimeDecay(0.1, 5, 0.5, staircase=True)"),
    # lr * exp(-k * p) == lr * exp(-k) ** p
    ("tf.train.natural_exp_decay(0.1, gs, 5, 0.5)",
     f"{S}.ExponentialDecay(0.1, 5, 0.6065306597126334)"),
    ("tf.train.natural_exp_decay(0.1, gs, 5, k + 1, staircase=True)",
     f"{S}.ExponentialDecay(0.1, 5, float(tf.math.exp(-(k + 1))), staircase=True)"),
])
def test_schedule(tf1, keras):
    text, step = schedule(tf1)
    assert text == keras
    assert step == "gs"


def test_schedule_step_is_the_argument_node():
    call = cst.parse_expression("tf.train.exponential_decay(0.1, self.step, 100, 0.96)")
    _, step = keras_schedule(call, "tensorflow.train.exponential_decay", "tf")
    assert step is call.args[1].value


@pytest.mark.parametrize("tf1", [
    "tf.train.linear_cosine_decay(0.1, gs, 100)",
    "tf.train.noisy_linear_cosine_decay(0.1, gs, 100)",
    "tf.train.exponential_decay(0.1, gs, 100)",  # decay_rate missing
    "tf.train.exponential_decay(0.1, 100, 0.96, global_step=gs)",  # step given twice
    "tf.train.exponential_decay(**kw)",
    "tf.train.piecewise_constant(gs, b)",
])
def test_schedule_unconvertible(tf1):
    assert schedule(tf1) is None


# -- TFM501 -----------------------------------------------------------------------------------

def _check(source: str, fix: bool = False):
    return migrate(source, "m.py", SETTINGS, fix=fix)


def _tfm501(source: str) -> list[str]:
    return [d.message for d in _check(source).diagnostics if d.code == "TFM501"]


PROGRAM = """import tensorflow as tf

step = {step}
lr = tf.train.exponential_decay(0.1, step, 100, 0.5)
opt = tf.train.AdamOptimizer(lr)
train_op = opt.minimize(loss, global_step=step)
"""


def test_tfm501_fixes_a_schedule_on_the_minimized_global_step():
    for step in ("tf.Variable(0, trainable=False)", "tf.train.get_or_create_global_step()"):
        fixed = _check(PROGRAM.format(step=step), fix=True).fixed_source
        assert fixed is not None
        assert "lr = tf.keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.5)\n" in fixed


@pytest.mark.parametrize("source,reason", [
    (PROGRAM.format(step="tf.Variable(10, trainable=False)"), "created at 0"),
    (PROGRAM.format(step="tf.Variable(0)") + "bump = step.assign_add(1)\n", "also assigned"),
    (PROGRAM.format(step="tf.Variable(0)") + "bump = tf.assign(step, 3)\n", "also assigned"),
    (PROGRAM.format(step="tf.Variable(0)") + "tf.summary.scalar('lr', lr)\n",
     "used as a tensor"),
    (PROGRAM.format(step="tf.Variable(0)").replace(", global_step=step", ""),
     "not the `global_step`"),
    (PROGRAM.format(step="tf.Variable(0)") + "g = opt.compute_gradients(loss)\n",
     "used for more than `minimize`"),
    (PROGRAM.format(step="tf.Variable(0)") + "t2 = opt.minimize(loss2)\n", "2 times"),
    (PROGRAM.format(step="tf.Variable(0)") + "step = tf.Variable(0)\n", "more than once"),
    (PROGRAM.format(step="tf.Variable(0)") +
     "t2 = tf.train.GradientDescentOptimizer(0.1).minimize(loss2, global_step=step)\n",
     "another train op"),
])
def test_tfm501_explains_why_it_does_not_fix(source, reason):
    (message,) = _tfm501(source)
    assert reason in message
    assert "ExponentialDecay" in message
    fixed = _check(source, fix=True).fixed_source
    assert fixed is None or "tf.train.exponential_decay" in fixed


def test_tfm501_inline_schedule():
    source = ("import tensorflow as tf\n\ngs = tf.train.get_or_create_global_step()\n"
              "train_op = tf.train.MomentumOptimizer(tf.train.cosine_decay(0.1, gs, 10), 0.9)"
              ".minimize(loss, gs)\n")
    fixed = _check(source, fix=True).fixed_source
    assert "tf.train.MomentumOptimizer(tf.keras.optimizers.schedules.CosineDecay(0.1, 10), " \
        "0.9)" in fixed


def test_tfm501_without_a_keras_schedule():
    (message,) = _tfm501("import tensorflow as tf\n\n"
                         "lr = tf.train.linear_cosine_decay(0.1, gs, 100)\n")
    assert "LearningRateSchedule" in message


# -- TFM520 -----------------------------------------------------------------------------------

def test_eager_optimizer_with_generated_class():
    source = ("import tensorflow as tf\n\ntf.enable_eager_execution()\nlearning_rate = 0.01\n"
              "# the optimizer\nopt = tf.train.RMSPropOptimizer(learning_rate)\n"
              "opt.apply_gradients(zip(grads, variables))\n")
    result = _check(source, fix=True).fixed_source
    assert "class TF1RMSprop(tf.keras.optimizers.RMSprop):" in result
    assert "\n\n\nopt = TF1RMSprop(learning_rate=learning_rate, epsilon=1e-10)\n" in result
    assert result.index("# the optimizer") < result.index("class TF1RMSprop")
    momentum = ("import tensorflow as tf\n\ntf.enable_eager_execution()\nlr = 0.1\n"
                "opt = tf.train.MomentumOptimizer(lr, 0.9)\nopt.apply_gradients(pairs)\n")
    assert "opt = tf.keras.optimizers.SGD(learning_rate=lr, momentum=0.9)" in \
        _check(momentum, fix=True).fixed_source


@pytest.mark.parametrize("source", [
    # a graph program: TFM201 owns its optimizer
    "import tensorflow as tf\n\nopt = tf.train.AdamOptimizer(0.1)\nop = opt.apply_gradients(gv)\n"
    "with tf.Session() as sess:\n    sess.run(op)\n",
    "import tensorflow as tf\n\nopt = tf.train.AdamOptimizer(0.1)\ngv = opt.compute_gradients(l)\n"
    "opt.apply_gradients(gv)\n",
    "import tensorflow as tf\n\ngrads = tf.gradients(loss, vs)\nopt = tf.train.AdamOptimizer(0.1)\n"
    "opt.apply_gradients(zip(grads, vs))\n",
])
def test_eager_optimizer_left_alone(source):
    assert "tf.keras.optimizers" not in (_check(source, fix=True).fixed_source or "")


# -- numbers, by execution --------------------------------------------------------------------

SCHEDULE_CASES = {
    "exponential": "tf.train.exponential_decay(0.1, gs, 5, 0.5)",
    "exponential_staircase": "tf.train.exponential_decay(0.1, gs, 5, 0.5, staircase=True)",
    "piecewise": "tf.train.piecewise_constant(gs, [5, 10], [0.1, 0.05, 0.01])",
    "polynomial": "tf.train.polynomial_decay(0.1, gs, 10, end_learning_rate=0.01, power=2.0)",
    "polynomial_cycle": "tf.train.polynomial_decay(0.1, gs, 7, 0.01, 0.5, cycle=True)",
    "cosine": "tf.train.cosine_decay(0.1, gs, 10, alpha=0.1)",
    "cosine_restarts": "tf.train.cosine_decay_restarts(0.1, gs, 4, t_mul=2.0, m_mul=0.8, "
                       "alpha=0.05)",
    "inverse_time": "tf.train.inverse_time_decay(0.1, gs, 5, 0.5)",
    "inverse_time_staircase": "tf.train.inverse_time_decay(0.1, gs, 5, 0.5, True)",
    "natural_exp": "tf.train.natural_exp_decay(0.1, gs, 5, 0.5)",
    "natural_exp_staircase": "tf.train.natural_exp_decay(0.1, gs, 5, 0.5, staircase=True)",
    "natural_exp_expression": "tf.train.natural_exp_decay(0.1, gs, 5, k + 0.25)",
}
STEPS = 40

TF1_PROGRAM = """import json
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
gs = tf.placeholder(tf.int64, [])
k = 0.25
out = {}
with tf.Session() as sess:
    for name, rate in CASES.items():
        out[name] = [float(sess.run(rate, {gs: i})) for i in range(STEPS)]
print("RESULT rates", json.dumps(out))
"""

# Evaluated in a tf.function, as a training step reads its rate (eager division rounds
# differently from graph code at some multiples of decay_steps in polynomial_decay(cycle)).
TF2_PROGRAM = """import json
import tensorflow as tf
k = 0.25
out = {}
for name, schedule in CASES.items():
    rate = tf.function(lambda step: schedule(step))
    out[name] = [float(rate(tf.constant(i, tf.int64))) for i in range(STEPS)]
print("RESULT rates", json.dumps(out))
"""


@pytest.mark.skipif(not HAVE_TENSORFLOW, reason="needs TensorFlow")
def test_schedules_match_tf1_by_execution():
    from tfmigrate.verify import run_program

    def program(template: str, cases: dict[str, str]) -> str:
        table = "{" + ", ".join(f"{name!r}: {text}" for name, text in cases.items()) + "}"
        return template.replace("CASES", table).replace("STEPS", str(STEPS))

    keras = {name: schedule(text)[0] for name, text in SCHEDULE_CASES.items()}
    with ThreadPoolExecutor(2) as pool:
        before = pool.submit(run_program, program(TF1_PROGRAM, SCHEDULE_CASES), "tf1",
                             label="TF1")
        after = pool.submit(run_program, program(TF2_PROGRAM, keras), "tf2", label="TF2")
        before, after = before.result(), after.result()
    assert before.returncode == 0, before.stderr_tail()
    assert after.returncode == 0, after.stderr_tail()
    tf1, tf2 = before.results["rates"], after.results["rates"]
    assert set(tf1) == set(SCHEDULE_CASES)
    for name in SCHEDULE_CASES:
        difference = max(abs(a - b) for a, b in zip(tf1[name], tf2[name]))
        assert difference <= 1e-8, (name, difference, json.dumps(tf1[name]),
                                    json.dumps(tf2[name]))
        assert len(set(tf1[name])) > 1, name  # the rate does change
