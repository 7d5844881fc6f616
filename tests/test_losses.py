"""rules/losses.py: `tf.losses` with TF1's numbers (TFM510–512).

The numbers are proven by execution: `test_losses_match_tf1_by_execution` evaluates every
case of `LOSS_CASES` on TF1 (graph mode, `tf.compat.v1`) and its fix on TF2 (eager) — values
and gradients — and the fixtures in fixtures/losses/ run whole programs both ways.
"""

from __future__ import annotations

import importlib.util
from concurrent.futures import ThreadPoolExecutor

import pytest

from tfmigrate.config import Settings
from tfmigrate.engine import all_rules, migrate

HAVE_TENSORFLOW = importlib.util.find_spec("tensorflow") is not None
SETTINGS = Settings().validate(rule.code for rule in all_rules())


def fixed(source: str) -> str | None:
    return migrate(source, "case.py", SETTINGS, fix=True).fixed_source


def codes(source: str) -> list[str]:
    return [d.code for d in migrate(source, "case.py", SETTINGS).diagnostics]


def fixed_expression(call: str, evidence: bool = False) -> str | None:
    """The TF2 expression `tfmigrate fix` makes of the TF1 expression `call`."""
    head = "import tensorflow as tf\n\n" + ("x = tf.placeholder(tf.float32)\n" if evidence else "")
    result = fixed(f"{head}result = {call}\n")
    if result is None:
        return None
    line = next(line for line in result.splitlines() if line.startswith("result = "))
    return line[len("result = "):]


# -- TFM510: the TF2 text ---------------------------------------------------------------------

K = "tf.keras.losses"


@pytest.mark.parametrize("tf1,tf2", [
    ("tf.losses.mean_squared_error(labels=y, predictions=p)", f"{K}.MeanSquaredError()(y, p)"),
    ("tf.compat.v1.losses.mean_squared_error(y, p)", f"{K}.MeanSquaredError()(y, p)"),
    ("tf.losses.absolute_difference(y, p, weights=1.0)", f"{K}.MeanAbsoluteError()(y, p)"),
    ("tf.losses.huber_loss(y, p, delta=2.0)", f"{K}.Huber(delta=2.0)(y, p)"),
    ("tf.losses.sigmoid_cross_entropy(y, z, label_smoothing=0.2)",
     f"{K}.BinaryCrossentropy(from_logits=True, label_smoothing=0.2)(y, z)"),
    ("tf.losses.sigmoid_cross_entropy(y, z, label_smoothing=0)",
     f"{K}.BinaryCrossentropy(from_logits=True)(y, z)"),
    ("tf.losses.softmax_cross_entropy(onehot_labels=tf.one_hot(c, 3), logits=z)",
     f"{K}.CategoricalCrossentropy(from_logits=True)(tf.one_hot(c, 3), z)"),
    # Labels that may depend on variables: TF1 stopped their gradient.
    ("tf.losses.softmax_cross_entropy(tf.nn.softmax(t), z)",
     f"{K}.CategoricalCrossentropy(from_logits=True)(tf.stop_gradient(tf.nn.softmax(t)), z)"),
    ("tf.losses.sparse_softmax_cross_entropy(c, z, scope='xent', loss_collection=None)",
     f"{K}.SparseCategoricalCrossentropy(from_logits=True)(c, z)"),
    ("tf.losses.hinge_loss(y, z)", "tf.reduce_mean(tf.nn.relu(1.0 - (2.0 * y - 1.0) * z))"),
    ("tf.losses.log_loss(y, q)",
     "tf.reduce_mean(-y * tf.math.log(q + 1e-07) - (1.0 - y) * tf.math.log(1.0 - q + 1e-07))"),
    ("tf.losses.cosine_distance(y, p, axis=1)",
     "tf.reduce_mean(1.0 - tf.reduce_sum(p * y, axis=1, keepdims=True))"),
    ("tf.losses.compute_weighted_loss(errors)", "tf.reduce_mean(errors)"),
    # A literal weight scales the mean; MEAN divides it out again.
    ("tf.losses.mean_squared_error(y, p, 2.0)", f"2.0 * {K}.MeanSquaredError()(y, p)"),
    ("tf.losses.mean_squared_error(y, p, 2.0, reduction=tf.losses.Reduction.MEAN)",
     f"{K}.MeanSquaredError()(y, p)"),
    ("tf.losses.mean_squared_error(y, p, 2.0, reduction=tf.losses.Reduction.SUM)",
     "tf.reduce_sum(2.0 * tf.math.squared_difference(p, y))"),
    ("tf.losses.mean_squared_error(y, p, reduction='weighted_sum')",
     "tf.reduce_sum(tf.math.squared_difference(p, y))"),
    ("tf.losses.absolute_difference(y, a + b, reduction=tf.compat.v1.losses.Reduction.NONE)",
     "tf.abs((a + b) - y)"),
    # A weights tensor: TF1's reduction written out; weights cast unless certainly float32.
    ("tf.losses.mean_squared_error(y, p, weights=tf.cast(m, tf.float32))",
     "tf.math.divide_no_nan(tf.reduce_sum(tf.cast(m, tf.float32) * tf.math.squared_difference"
     "(p, y)), tf.math.count_nonzero(tf.broadcast_to(tf.cast(m, tf.float32), tf.shape(y)), "
     "dtype=tf.float32))"),
    ("tf.losses.sparse_softmax_cross_entropy(c, z, w, reduction=tf.losses.Reduction.MEAN)",
     "tf.math.divide_no_nan(tf.reduce_sum(tf.cast(w, tf.float32) * tf.nn.sparse_softmax_cross"
     "_entropy_with_logits(labels=c, logits=z)), tf.reduce_sum(tf.broadcast_to(tf.cast(w, "
     "tf.float32), tf.shape(c))))"),
    ("tf.losses.softmax_cross_entropy(oh, z, w, reduction=tf.losses.Reduction."
     "SUM_OVER_BATCH_SIZE)",
     "tf.reduce_mean(tf.cast(w, tf.float32) * tf.nn.softmax_cross_entropy_with_logits("
     "labels=tf.stop_gradient(oh), logits=z))"),
    ("tf.losses.log_loss(y, q, w, reduction=tf.losses.Reduction.NONE)",
     "tf.cast(w, tf.float32) * (-y * tf.math.log(q + 1e-07) - (1.0 - y) * "
     "tf.math.log(1.0 - q + 1e-07))"),
])
def test_loss_text(tf1, tf2):
    assert fixed_expression(tf1) == tf2


def test_float32_weights_are_not_cast():
    source = ("import tensorflow as tf\n\nw = tf.placeholder(tf.float32, [None])\n"
              "m = tf.sequence_mask(n, 5, dtype=tf.float32)\n"
              "a = tf.losses.sparse_softmax_cross_entropy(c, z, weights=w)\n"
              "b = tf.losses.sparse_softmax_cross_entropy(c, z, weights=m)\n"
              "d = tf.losses.sparse_softmax_cross_entropy(c, z, weights=tf.to_float(k))\n")
    result = fixed(source)
    assert "tf.reduce_sum(w * tf.nn" in result and "tf.reduce_sum(m * tf.nn" in result
    assert "tf.cast(w" not in result and "tf.cast(m" not in result
    assert "tf.cast(k, tf.float32) * tf.nn" in result  # tf.to_float, renamed by TFM801


def test_weights_whose_dtype_may_be_in_star_arguments_are_cast():
    # `*s` may hold the dtype (`s = (shape, tf.int32)`): not certainly float32.
    for weights in ("tf.ones(*s)", "tf.ones(n, **options)", "tf.cast(*a, dtype=tf.float32)"):
        source = (f"import tensorflow as tf\n\nw = {weights}\n"
                  "a = tf.losses.sparse_softmax_cross_entropy(c, z, weights=w)\n")
        assert "tf.cast(w, tf.float32) * tf.nn" in fixed(source), weights
    source = ("import tensorflow as tf\n\nw = tf.ones([n], tf.float32)\n"
              "a = tf.losses.sparse_softmax_cross_entropy(c, z, weights=w)\n")
    assert "tf.reduce_sum(w * tf.nn" in fixed(source)


def test_fed_labels_get_no_stop_gradient():
    source = ("import tensorflow as tf\n\ny = tf.placeholder(tf.float32, [None, 3])\n"
              "dataset_x, dataset_y = iterator.get_next()\n"
              "a = tf.losses.softmax_cross_entropy(y, z)\n"
              "b = tf.losses.softmax_cross_entropy(dataset_y, z)\n"
              "c = tf.losses.softmax_cross_entropy(y[:, :3], z)\n"
              "d = tf.losses.softmax_cross_entropy(teacher(x), z)\n")
    result = fixed(source)
    assert result.count("tf.stop_gradient") == 1
    assert "tf.stop_gradient(teacher(x))" in result


@pytest.mark.parametrize("context,expected", [
    ("total = tf.losses.mean_squared_error(y, p, weights=2.0) + reg",
     f"total = (2.0 * {K}.MeanSquaredError()(y, p)) + reg"),
    ("total = 0.5 * tf.losses.hinge_loss(y, z)",
     "total = 0.5 * tf.reduce_mean(tf.nn.relu(1.0 - (2.0 * y - 1.0) * z))"),
    ("total = -tf.losses.log_loss(y, q, reduction=tf.losses.Reduction.NONE)",
     "total = -(-y * tf.math.log(q + 1e-07) - (1.0 - y) * tf.math.log(1.0 - q + 1e-07))"),
])
def test_replacement_keeps_precedence(context, expected):
    result = fixed(f"import tensorflow as tf\n\n{context}\n")
    assert result.splitlines()[-1] == expected


@pytest.mark.parametrize("call,why", [
    ("tf.losses.mean_squared_error(y, p, reduction=kind)", "not a `tf.losses.Reduction`"),
    ("tf.losses.cosine_distance(y, p, axis=1, weights=w)", "by hand"),
    ("tf.losses.mean_squared_error(y, p, weights=0.0)", "weights of 0"),
    ("tf.losses.log_loss(y, model(x))", "bind it to a name"),
    ("tf.losses.huber_loss(y, tf.random.normal([3]), weights=w)", "bind it to a name"),
    ("tf.losses.mean_squared_error(y, p, weights=mask(x))", "bind it to a name"),
    ("tf.losses.softmax_cross_entropy(*args)", "cannot be read"),
    ("tf.losses.cosine_distance(y, p)", "needs `axis`"),
    ("tf.losses.mean_pairwise_squared_error(y, p)", "no Keras loss"),
])
def test_loss_reported_without_fix(call, why):
    source = f"import tensorflow as tf\n\nx = tf.placeholder(tf.float32)\nresult = {call}\n"
    found = [d for d in migrate(source, "case.py", SETTINGS).diagnostics if d.code == "TFM510"]
    assert len(found) == 1 and not found[0].applicable and why in found[0].message
    after = fixed(source)
    assert after is None or f"result = {call}" in after


def test_tf2_mean_squared_error_is_left_alone():
    # TF2's tf.losses is Keras': mean_squared_error(y_true, y_pred) per sample.
    source = "import tensorflow as tf\n\nper_sample = tf.losses.mean_squared_error(y, p)\n"
    assert "TFM510" not in codes(source)
    assert fixed_expression("tf.losses.mean_squared_error(y, p)") is None
    assert fixed_expression("tf.losses.mean_squared_error(y, p)", evidence=True) == \
        f"{K}.MeanSquaredError()(y, p)"
    assert fixed_expression("tf.losses.mean_squared_error(y, p, w)").startswith(
        "tf.math.divide_no_nan(")


def test_loss_function_passed_as_value():
    source = "import tensorflow as tf\n\nfn = tf.losses.huber_loss\n"
    found = [d for d in migrate(source, "case.py", SETTINGS).diagnostics if d.code == "TFM510"]
    assert len(found) == 1 and not found[0].applicable


def test_collections_are_reported():
    source = ("import tensorflow as tf\n\ntf.losses.add_loss(extra)\n"
              "total = tf.losses.get_total_loss()\nlosses = tf.losses.get_losses()\n"
              "reg = tf.losses.get_regularization_losses()\n")
    found = [d for d in migrate(source, "case.py", SETTINGS).diagnostics if d.code == "TFM511"]
    assert len(found) == 4 and not any(d.applicable for d in found)


# -- TFM512 -----------------------------------------------------------------------------------

def test_softmax_labels_gradient():
    call = "tf.nn.softmax_cross_entropy_with_logits(labels=soft, logits=z)"
    assert fixed_expression(call) is None  # TF2 code: TF2's function
    assert fixed_expression(call, evidence=True) == \
        "tf.nn.softmax_cross_entropy_with_logits(labels=tf.stop_gradient(soft), logits=z)"
    v1 = "import tensorflow.compat.v1 as tf\n\nxent = " + call + "\n"
    assert "labels=tf.stop_gradient(soft)" in fixed(v1)
    fed = "tf.nn.softmax_cross_entropy_with_logits(labels=tf.one_hot(c, 3), logits=z)"
    assert fixed_expression(fed, evidence=True) is None


# -- proof by execution -----------------------------------------------------------------------

# Inputs of the cases: `p`, `z`, `t`, `p1` are variables (gradients are compared for them).
PREAMBLE = """\
import json
import numpy as np
rng = np.random.RandomState(0)
P = rng.rand(4, 3).astype(np.float32)
Z = (2.0 * rng.randn(4, 3)).astype(np.float32)
T = rng.randn(4, 3).astype(np.float32)
P1 = (3.0 * rng.randn(5)).astype(np.float32)
p, z, t, p1 = tf.Variable(P), tf.Variable(Z), tf.Variable(T), tf.Variable(P1)
y = tf.constant(rng.randn(4, 3).astype(np.float32))
y01 = tf.constant((rng.rand(4, 3) > 0.5).astype(np.float32))
y1 = tf.constant(rng.randn(5).astype(np.float32))
oh = tf.constant(np.eye(3, dtype=np.float32)[[0, 2, 1, 1]])
lab = tf.constant(np.array([0, 2, 1, 1], np.int64))
w1 = tf.constant(np.array([[1.0], [0.0], [2.0], [0.5]], np.float32))
wb = tf.constant(np.array([1.0, 0.0, 2.0, 0.5], np.float32))
we = tf.constant(((rng.rand(4, 3) > 0.4) * 1.5).astype(np.float32))
w5 = tf.constant(np.array([1.0, 0.0, 2.0, 1.0, 0.0], np.float32))
ws = tf.constant(3.0)
wzero = tf.constant(np.zeros((4, 1), np.float32))
wint = tf.constant(np.array([[1], [0], [2], [1]], np.int32))
wbool = tf.constant(rng.rand(4, 3) > 0.5)
w64 = tf.constant(np.array([[1.0], [0.0], [2.0], [0.5]], np.float64))
"""

TF1_PROGRAM = """import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
PREAMBLE
out = {}
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for name, loss in CASES.items():
        grads = tf.gradients(loss, [p, z, t, p1])
        value, *found = sess.run([loss] + [g for g in grads if g is not None])
        found = iter(found)
        out[name] = [np.asarray(value).tolist()] + [
            None if g is None else next(found).tolist() for g in grads]
print("RESULT cases", json.dumps(out))
"""

TF2_PROGRAM = """import tensorflow as tf
PREAMBLE
out = {}
for name, make in CASES.items():
    with tf.GradientTape() as tape:
        loss = make()
    grads = tape.gradient(loss, [p, z, t, p1])
    out[name] = [np.asarray(loss).tolist()] + [
        None if g is None else g.numpy().tolist() for g in grads]
print("RESULT cases", json.dumps(out))
"""

# name → (TF1 expression, whether the module needs other TF1 code to be read as TF1)
LOSS_CASES = {
    "mse": "tf.losses.mean_squared_error(y, p, weights=1.0)",
    "mse_w1": "tf.losses.mean_squared_error(y, p, weights=w1)",
    "mse_we": "tf.losses.mean_squared_error(y, p, weights=we)",
    "mse_scalar_tensor": "tf.losses.mean_squared_error(y, p, weights=ws)",
    "mse_literal": "tf.losses.mean_squared_error(y, p, weights=2.0)",
    "mse_all_zero": "tf.losses.mean_squared_error(y, p, weights=wzero)",
    "mse_int_weights": "tf.losses.mean_squared_error(y, p, weights=wint)",
    "mse_bool_weights": "tf.losses.mean_squared_error(y, p, weights=wbool)",
    "mse_float64_weights": "tf.losses.mean_squared_error(y, p, weights=w64)",
    "mse_sum": "tf.losses.mean_squared_error(y, p, w1, reduction=tf.losses.Reduction.SUM)",
    "mse_mean": "tf.losses.mean_squared_error(y, p, we, reduction=tf.losses.Reduction.MEAN)",
    "mse_none": "tf.losses.mean_squared_error(y, p, w1, reduction=tf.losses.Reduction.NONE)",
    "mse_batch": "tf.losses.mean_squared_error(y, p, w1, "
                 "reduction=tf.losses.Reduction.SUM_OVER_BATCH_SIZE)",
    "mse_sum_unweighted": "tf.losses.mean_squared_error(y, p, reduction='weighted_sum')",
    "mse_none_literal": "tf.losses.mean_squared_error(y, p, 0.5, reduction='none')",
    "mse_rank1": "tf.losses.mean_squared_error(y1, p1, weights=w5)",
    "mse_in_expression": "0.5 * tf.losses.mean_squared_error(y, p, weights=2.0) + 1.0",
    "abs": "tf.losses.absolute_difference(y, p)",
    "abs_we": "tf.losses.absolute_difference(y, p, we)",
    "huber": "tf.losses.huber_loss(y, 3.0 * p)",
    "huber_delta_we": "tf.losses.huber_loss(y, 3.0 * p, weights=we, delta=0.5)",
    "huber_delta_plain": "tf.losses.huber_loss(y, 3.0 * p, delta=2.0)",
    "huber_rank1": "tf.losses.huber_loss(y1, p1, weights=w5)",
    "huber_rank1_none": "tf.losses.huber_loss(y1, p1, reduction=tf.losses.Reduction.NONE)",
    "hinge": "tf.losses.hinge_loss(y01, z)",
    "hinge_w1": "tf.losses.hinge_loss(y01, z, w1)",
    "hinge_soft_labels": "tf.losses.hinge_loss(0.8 * y01, z)",
    "log": "tf.losses.log_loss(y01, tf.sigmoid(z))",
    "log_w1": "tf.losses.log_loss(y01, tf.sigmoid(z), weights=w1)",
    "log_eps_we": "tf.losses.log_loss(y01, tf.sigmoid(z), we, epsilon=1e-3)",
    "sigmoid": "tf.losses.sigmoid_cross_entropy(y01, z)",
    "sigmoid_smooth": "tf.losses.sigmoid_cross_entropy(y01, z, label_smoothing=0.2)",
    "sigmoid_we_smooth": "tf.losses.sigmoid_cross_entropy(y01, z, we, 0.2)",
    "softmax": "tf.losses.softmax_cross_entropy(oh, z)",
    "softmax_smooth": "tf.losses.softmax_cross_entropy(oh, z, label_smoothing=0.1)",
    "softmax_wb": "tf.losses.softmax_cross_entropy(oh, z, weights=wb)",
    "softmax_wb_smooth": "tf.losses.softmax_cross_entropy(oh, z, wb, 0.1)",
    "softmax_scalar_tensor": "tf.losses.softmax_cross_entropy(oh, z, weights=ws)",
    "softmax_soft_labels": "tf.losses.softmax_cross_entropy(tf.nn.softmax(t), z)",
    "softmax_soft_labels_wb": "tf.losses.softmax_cross_entropy(tf.nn.softmax(t), z, wb)",
    "softmax_none": "tf.losses.softmax_cross_entropy(oh, z, wb, "
                    "reduction=tf.losses.Reduction.NONE)",
    "sparse": "tf.losses.sparse_softmax_cross_entropy(lab, z)",
    "sparse_wb": "tf.losses.sparse_softmax_cross_entropy(lab, z, weights=wb)",
    "sparse_scalar_tensor": "tf.losses.sparse_softmax_cross_entropy(lab, z, weights=ws)",
    "sparse_mean": "tf.losses.sparse_softmax_cross_entropy(lab, z, wb, "
                   "reduction=tf.losses.Reduction.MEAN)",
    "cosine": "tf.losses.cosine_distance(tf.nn.l2_normalize(y, 1), "
              "tf.nn.l2_normalize(p, 1), axis=1)",
    "cosine_literal": "tf.losses.cosine_distance(tf.nn.l2_normalize(y, 1), "
                      "tf.nn.l2_normalize(p, 1), axis=1, weights=2.0)",
    "cosine_sum_dim": "tf.losses.cosine_distance(y, p, dim=1, "
                      "reduction=tf.losses.Reduction.SUM)",
    "cosine_none": "tf.losses.cosine_distance(y, p, axis=1, "
                   "reduction=tf.losses.Reduction.NONE)",
    "weighted_loss": "tf.losses.compute_weighted_loss(tf.square(p - y))",
    "weighted_loss_w1": "tf.losses.compute_weighted_loss(tf.square(p - y), w1)",
    "weighted_loss_mean": "tf.losses.compute_weighted_loss(tf.abs(p - y), we, "
                          "reduction=tf.losses.Reduction.MEAN)",
    "nn_softmax_soft_labels": "tf.nn.softmax_cross_entropy_with_logits("
                              "labels=tf.nn.softmax(t), logits=z)",
}


def _program(template: str, cases: dict[str, str], lazy: bool) -> str:
    body = ", ".join(f"{name!r}: {'lambda: ' if lazy else ''}{text}"
                     for name, text in cases.items())
    return template.replace("PREAMBLE", PREAMBLE).replace("CASES", "{" + body + "}")


@pytest.fixture(scope="module")
def loss_runs():
    from tfmigrate.verify import run_program

    fixes = {name: fixed_expression(text, evidence=True) for name, text in LOSS_CASES.items()}
    assert all(fixes.values()), [name for name, text in fixes.items() if not text]
    with ThreadPoolExecutor(2) as pool:
        before = pool.submit(run_program, _program(TF1_PROGRAM, LOSS_CASES, False), "tf1",
                             label="TF1")
        after = pool.submit(run_program, _program(TF2_PROGRAM, fixes, True), "tf2",
                            label="TF2")
        before, after = before.result(), after.result()
    assert before.returncode == 0, before.stderr_tail()
    assert after.returncode == 0, after.stderr_tail()
    return fixes, before.results["cases"], after.results["cases"]


@pytest.mark.skipif(not HAVE_TENSORFLOW, reason="needs TensorFlow")
@pytest.mark.parametrize("name", list(LOSS_CASES))
def test_losses_match_tf1_by_execution(loss_runs, name):
    from tfmigrate.verify import compare_values

    fixes, tf1, tf2 = loss_runs
    assert "tf.losses" not in fixes[name]
    # [value, d/dp, d/dz, d/dt, d/dp1]: the values and every gradient agree (None: no
    # gradient flows, e.g. into softmax labels, which TF1 stopped).
    problems = compare_values(tf1[name], tf2[name], 1e-6, 1e-6)
    assert not problems, (fixes[name], problems)
    assert tf1[name][0] != 0.0 or name == "mse_all_zero"


@pytest.mark.skipif(not HAVE_TENSORFLOW, reason="needs TensorFlow")
def test_keras_sample_weight_is_not_tf1(loss_runs):
    """Why the weighted form is written out: Keras `sample_weight` differs (control)."""
    from tfmigrate.verify import run_program

    program = _program(TF2_PROGRAM, {
        "huber_rank1": "tf.keras.losses.Huber(reduction='sum')(y1, p1, sample_weight=w5) / "
                       "tf.math.count_nonzero(w5, dtype=tf.float32)",
        "mse_w1": "tf.keras.losses.MeanSquaredError()(y, p, sample_weight=w1)"}, True)
    run = run_program(program, "tf2", label="keras")
    assert run.returncode == 0, run.stderr_tail()
    _, tf1, _ = loss_runs
    for name, keras in run.results["cases"].items():
        assert abs(keras[0] - tf1[name][0]) > 1e-3, name
