"""rules/eager.py: `tf.contrib.eager` (TFM113) and `enable_eager_execution` (TFM205).

`test_implicit_gradients_match_tf1_by_execution` and
`test_contrib_eager_program_runs_as_tf1_computed` run TensorFlow.
"""

from __future__ import annotations

import importlib.util
import json
import textwrap

import pytest

from tfmigrate.config import Settings
from tfmigrate.engine import all_rules, migrate

HAVE_TENSORFLOW = importlib.util.find_spec("tensorflow") is not None
SETTINGS = Settings().validate(rule.code for rule in all_rules())


def fixed(source: str) -> str | None:
    return migrate(source, "case.py", SETTINGS, fix=True).fixed_source


def codes(source: str) -> list[str]:
    return [d.code for d in migrate(source, "case.py", SETTINGS).diagnostics]


# -- TFM205 -----------------------------------------------------------------------------------

def test_enable_eager_execution():
    source = ("import tensorflow as tf\nimport tensorflow.contrib.eager as tfe\n\n"
              "if not tf.executing_eagerly():\n    tfe.enable_eager_execution()\n"
              "tf.compat.v1.enable_eager_execution()\nx = tf.constant(1)\n")
    assert fixed(source) == ("import tensorflow as tf\n\nif not tf.executing_eagerly():\n"
                             "    pass\nx = tf.constant(1)\n")
    kept = "import tensorflow as tf\n\nok = tf.enable_eager_execution()\n"
    assert "TFM205" in codes(kept) and fixed(kept) is None


# -- TFM113 -----------------------------------------------------------------------------------

def test_contrib_eager_names():
    source = ("import tensorflow as tf\nimport tensorflow.contrib.eager as tfe\n\n"
              "@tfe.defun\ndef f(x):\n    return x\n\n\n"
              "n = tfe.num_gpus()\ncheck = tfe.Checkpoint(v=v)\neager = tfe.in_eager_mode()\n"
              "with tfe.GradientTape() as tape:\n    y = tfe.py_func(g, [x], tf.float32)\n")
    assert fixed(source) == (
        "import tensorflow as tf\n\n@tf.function\ndef f(x):\n    return x\n\n\n"
        "n = len(tf.config.list_physical_devices('GPU'))\ncheck = tf.train.Checkpoint(v=v)\n"
        "eager = tf.executing_eagerly()\n"
        "with tf.GradientTape() as tape:\n    y = tf.py_function(g, [x], tf.float32)\n")


def test_contrib_eager_alias_stays_while_used():
    source = ("import tensorflow as tf\n\ntfe = tf.contrib.eager\n"
              "w = tfe.Variable(1.0)\nsaver = tfe.Saver([w])\n")
    result = fixed(source)
    assert "tfe = tf.contrib.eager" in result and "w = tf.Variable(1.0)" in result
    passed = "import tensorflow as tf\n\ntfe = tf.contrib.eager\nw = tfe.Variable(1.0)\nuse(tfe)\n"
    assert "tfe = tf.contrib.eager" in fixed(passed)


def test_implicit_value_and_gradients_names_do_not_clash():
    source = ("import tensorflow as tf\nimport tensorflow.contrib.eager as tfe\n\n\n"
              "def train():\n    value_and_grads = tfe.implicit_value_and_gradients(loss)\n"
              "    return value_and_grads(x)\n")
    assert fixed(source) == (
        "import tensorflow as tf\n\n\n"
        "def train():\n"
        "    def value_and_grads(*args, **kwargs):\n"
        "        with tf.GradientTape() as tape:\n"
        "            value_ = loss(*args, **kwargs)\n"
        "        variables = tape.watched_variables()\n"
        "        return value_, list(zip(tape.gradient(value_, variables), variables))\n"
        "    return value_and_grads(x)\n")


# -- proof by execution -----------------------------------------------------------------------

IMPLICIT_PROGRAM = """import json
import numpy as np
import tensorflow as tf
from tensorflow.python.eager import backprop

w = tf.Variable(np.array([[0.5, -1.0], [2.0, 0.25]], np.float32))
b = tf.Variable(np.array([0.1, -0.2], np.float32))
unused = tf.Variable(3.0)
frozen = tf.Variable(1.5, trainable=False)
x = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, 0.3]], np.float32)


def loss_fn(inputs, scale=1.0):
    return scale * frozen * tf.reduce_sum(tf.tanh(tf.matmul(inputs, w) + b) ** 2)


def pairs(found):
    return [[g.numpy().tolist(), v.name] for g, v in found]


GENERATED

value, found = backprop.implicit_val_and_grad(loss_fn)(x, scale=2.0)
print("RESULT tf1", json.dumps([pairs(backprop.implicit_grad(loss_fn)(x, scale=2.0)),
                                float(value), pairs(found)]))
value, found = value_and_grads(x, scale=2.0)
print("RESULT tf2", json.dumps([pairs(grads(x, scale=2.0)), float(value), pairs(found)]))
"""


@pytest.mark.skipif(not HAVE_TENSORFLOW, reason="needs TensorFlow")
def test_implicit_gradients_match_tf1_by_execution():
    """TF 1.x's `tfe.implicit_gradients` is TensorFlow's `backprop.implicit_grad`, still
    inside TF 2.21: the generated functions return the same (gradient, variable) pairs."""
    from tfmigrate.verify import run_program

    source = ("import tensorflow as tf\nimport tensorflow.contrib.eager as tfe\n\n"
              "grads = tfe.implicit_gradients(loss_fn)\n"
              "value_and_grads = tfe.implicit_value_and_gradients(loss_fn)\n")
    generated = fixed(source).split("\n", 1)[1]
    assert "contrib" not in generated and "GradientTape" in generated
    run = run_program(IMPLICIT_PROGRAM.replace("GENERATED", generated), "tf2", label="tfe")
    assert run.returncode == 0, run.stderr_tail()
    tf1, tf2 = run.results["tf1"], run.results["tf2"]
    assert tf1 == tf2
    assert [name for _, name in tf1[0]] == ["Variable:0", "Variable:0"]  # w and b only
    assert len(tf1[0][0][0]) == 2 and tf1[1] > 0


EAGER_PROGRAM = '''\
"""TF 1.x eager linear regression in the style of the TensorFlow-Examples *_eager_api.py."""
import json

import numpy as np
import tensorflow as tf

tf.enable_eager_execution()
tfe = tf.contrib.eager

xs = np.linspace(0.0, 1.0, 8).astype(np.float32)
ys = 3.0 * xs - 1.0
dataset = tf.data.Dataset.from_tensor_slices((xs, ys)).batch(4).repeat()
dataset_iter = tfe.Iterator(dataset)
W = tfe.Variable(0.5)
b = tfe.Variable(0.0)


def mean_square_fn(inputs, labels):
    return tf.reduce_mean(tf.square(inputs * W + b - labels))


optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.3)
grad = tfe.implicit_gradients(mean_square_fn)
for step in range(6):
    batch_x, batch_y = dataset_iter.next()
    optimizer.apply_gradients(grad(batch_x, batch_y))
print("RESULT params", json.dumps([float(W.numpy()), float(b.numpy())]))
'''


@pytest.mark.skipif(not HAVE_TENSORFLOW, reason="needs TensorFlow")
def test_contrib_eager_program_runs_as_tf1_computed():
    """tfe cannot run on TF 2.21 at all; the fixed program's numbers are checked against the
    same gradient descent computed with numpy."""
    from tfmigrate.verify import run_program

    after = fixed(EAGER_PROGRAM)
    assert "contrib" not in after and "enable_eager_execution" not in after
    assert "tf.keras.optimizers.SGD(learning_rate=0.3)" in after
    assert "dataset_iter = iter(dataset)" in after
    assert not [d for d in migrate(after, "case.py", SETTINGS).diagnostics
                if d.code.startswith(("TFM5", "TFM11", "TFM8"))]
    run = run_program(after, "tf2", label="after")
    assert run.returncode == 0, run.stderr_tail()

    import numpy as np

    xs = np.linspace(0.0, 1.0, 8).astype(np.float32)
    ys = 3.0 * xs - 1.0
    w, b = np.float32(0.5), np.float32(0.0)
    for step in range(6):
        bx, by = xs[(step % 2) * 4:(step % 2) * 4 + 4], ys[(step % 2) * 4:(step % 2) * 4 + 4]
        error = bx * w + b - by
        w, b = w - 0.3 * np.mean(2 * error * bx), b - 0.3 * np.mean(2 * error)
    assert run.results["params"] == pytest.approx([float(w), float(b)], abs=1e-6)
    assert textwrap.dedent(after).count("def grad(") == 1
    assert json.dumps(run.results["params"]) != json.dumps([0.5, 0.0])
