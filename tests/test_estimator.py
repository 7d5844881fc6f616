"""The Estimator rewrite (TFM206): which programs become eager code, and what stops it.

The numbers are proven by fixtures/graph/estimator_model_fn, whose before.py runs on a real
Estimator (TensorFlow 2.15); these tests pin the rewrite's pieces and its refusals.
"""

from __future__ import annotations

import ast

import pytest

from tfmigrate.config import Settings
from tfmigrate.engine import all_rules, migrate

SETTINGS = Settings().validate(rule.code for rule in all_rules())

MODEL_FN = """import numpy as np
import tensorflow as tf

learning_rate = 0.1
xs = np.ones((8, 2), np.float32)
ys = np.zeros(8, np.int64)


def network(x_dict):
    return tf.layers.dense(x_dict['x'], 3)


def model_fn(features, labels, mode):
    logits = network(features)
    pred_classes = tf.argmax(logits, axis=1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=pred_classes)
    loss_op = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        logits=logits, labels=labels))
    optimizer = tf.train.GradientDescentOptimizer(learning_rate=learning_rate)
    train_op = optimizer.minimize(loss_op, global_step=tf.train.get_global_step())
    acc_op = tf.metrics.accuracy(labels=labels, predictions=pred_classes)
    return tf.estimator.EstimatorSpec(mode=mode, predictions=pred_classes, loss=loss_op,
                                      train_op=train_op, eval_metric_ops={'accuracy': acc_op})


"""
DRIVER = """model = tf.estimator.Estimator(model_fn)
input_fn = tf.estimator.inputs.numpy_input_fn(
    x={'x': xs}, y=ys, batch_size=4, num_epochs=None, shuffle=True)
model.train(input_fn, steps=5)
input_fn = tf.estimator.inputs.numpy_input_fn(x={'x': xs}, y=ys, batch_size=4, shuffle=False)
e = model.evaluate(input_fn)
print(e['accuracy'])
"""


def fix(source: str) -> str | None:
    return migrate(source, "program.py", SETTINGS, fix=True).fixed_source


def findings(source: str) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in migrate(source, "program.py", SETTINGS).diagnostics]


def messages(source: str, code: str) -> list[str]:
    return [message for found, message in findings(source) if found == code]


def test_program_becomes_steps_and_a_dataset_loop():
    fixed = fix(MODEL_FN + DRIVER)
    assert fixed is not None
    ast.parse(fixed)
    assert "estimator" not in fixed and "compat.v1" not in fixed and "tf.layers" not in fixed
    assert fix(fixed) is None, "fixing again changes the code"
    # the layer is made once, outside the network function the steps call
    assert "dense = tf.keras.layers.Dense(3)\n\n\ndef network(x_dict):\n" \
           "    return dense(x_dict['x'])" in fixed
    assert 'if mode == "infer":\n        return {"predictions": pred_classes}' in fixed
    assert 'if mode == "eval":\n        accuracy.update_state(labels, pred_classes)' in fixed
    assert "optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate)\n" \
           "accuracy = tf.keras.metrics.Accuracy()\n" in fixed
    assert 'loss = model_fn(features, labels, "train")["loss"]' in fixed
    assert "input_fn = tf.data.Dataset.from_tensor_slices(({'x': xs}, ys)).shuffle(1000)" \
           ".repeat().batch(4)\nfor features, labels in input_fn.take(5):\n" \
           "    train_step(features, labels)\n" in fixed
    assert "input_fn = tf.data.Dataset.from_tensor_slices(({'x': xs}, ys)).batch(4)\n" \
           "e = evaluate(input_fn)\n" in fixed
    assert '"global_step": optimizer.iterations.numpy()' in fixed


def test_tf1_estimator_findings_give_way_to_the_rewrite():
    source = MODEL_FN + DRIVER
    assert not messages(source, "TFM112")
    assert messages(source, "TFM206") == [
        "estimator program: rewritten into eager steps once `tf.layers.dense` is fixed by its "
        "own rule"]
    unproven = source.replace("model = tf.estimator.Estimator(model_fn)",
                              "model = tf.estimator.Estimator(model_fn, model_dir='out')")
    assert messages(unproven, "TFM112"), "a program left alone keeps its TF1 findings"


@pytest.mark.parametrize("change, reason", [
    (("model_fn)\n", "model_fn, model_dir='out')\n"),
     "an Estimator with `model_dir=` keeps checkpoints across runs"),
    (("model.train(input_fn, steps=5)", "model.train(input_fn, max_steps=5)"),
     "`train` with `max_steps=`: rewrite the loop by hand"),
    (("shuffle=True", "shuffle=flag"), "a `numpy_input_fn` whose `shuffle` is not True or False"),
    (("e = model.evaluate(input_fn)", "e = model.evaluate(lambda: ds)"),
     "an input function other than a `numpy_input_fn` bound to a name"),
    (("print(e['accuracy'])", "print(model.model_dir)"),
     "`model` is used other than by calling its train, evaluate or predict"),
    (("loss_op, global_step", "loss_op, var_list=[v], global_step"),
     "`minimize` with `var_list=`: rewrite the step by hand"),
    (("eval_metric_ops={'accuracy': acc_op})", "eval_metric_ops={'accuracy': acc_op}, "
                                               "training_hooks=[hook])"),
     "an EstimatorSpec with `training_hooks=`"),
    (("    logits = network(features)\n",
      "    logits = network(features)\n    tf.summary.scalar('l', logits[0, 0])\n"),
     "summaries the Estimator wrote from the `model_fn`"),
    (("model.train(input_fn, steps=5)", "def go():\n    model.train(input_fn, steps=5)"),
     "an Estimator run inside a function"),
    (("model = tf.estimator.Estimator(model_fn)\n",
      "def build():\n    return tf.estimator.Estimator(model_fn)\n\n\nmodel = build()\n"),
     "an Estimator made inside a function or a larger expression"),
])
def test_what_it_cannot_prove_is_left_alone_with_the_reason(change, reason):
    source = (MODEL_FN + DRIVER).replace(*change)
    assert change[1] in source
    found = messages(source, "TFM206")
    assert len(found) == 1 and reason in found[0], found
    assert found[0].startswith("estimator program left unchanged: ")
    fixed = fix(source) or source
    assert "tf.estimator.Estimator(" in fixed and "train_step" not in fixed


def test_optimizer_from_model_fn_arguments_is_refused():
    source = (MODEL_FN + DRIVER).replace("learning_rate=learning_rate)",
                                         "learning_rate=params['lr'])")
    source = source.replace("def model_fn(features, labels, mode):",
                            "def model_fn(features, labels, mode, params):")
    found = messages(source, "TFM206")
    assert found == ["estimator program left unchanged: the optimizer's arguments read "
                     "`params`, which is not a module-level name: it cannot be made once, "
                     "outside the `model_fn`"]


def test_params_are_passed_to_the_model_fn():
    source = (MODEL_FN + DRIVER).replace("def model_fn(features, labels, mode):",
                                         "def model_fn(features, labels, mode, params):")
    source = source.replace("network(features)", "network(features) * params['scale']")
    source = source.replace("tf.estimator.Estimator(model_fn)",
                            "tf.estimator.Estimator(model_fn, params={'scale': 2.0})")
    fixed = fix(source)
    assert 'model_fn(features, labels, "train", {\'scale\': 2.0})["loss"]' in fixed


def test_predict_yields_one_example_at_a_time():
    source = MODEL_FN + DRIVER.replace(
        "print(e['accuracy'])",
        "new = tf.estimator.inputs.numpy_input_fn(x={'x': xs}, shuffle=False)\n"
        "print(list(model.predict(new)))")
    fixed = fix(source)
    assert "def predict(dataset):\n    for features in dataset:\n" \
           "        yield from predict_step(features).numpy()\n" in fixed
    assert 'return model_fn(features, None, "infer")["predictions"]' in fixed
    assert "new = tf.data.Dataset.from_tensor_slices({'x': xs}).batch(128)\n" \
           "print(list(predict(new)))" in fixed


def test_a_decay_of_the_global_step_becomes_a_keras_schedule():
    source = (MODEL_FN + DRIVER).replace(
        "    optimizer = tf.train.GradientDescentOptimizer(learning_rate=learning_rate)\n",
        "    rate = tf.train.exponential_decay(0.1, tf.train.get_global_step(), 100, 0.9)\n"
        "    optimizer = tf.train.GradientDescentOptimizer(learning_rate=rate)\n")
    fixed = fix(source)
    assert "optimizer = tf.keras.optimizers.SGD(\n    learning_rate=" \
           "tf.keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.9))\n" in fixed
    assert "    rate =" not in fixed and "tf.train" not in fixed


@pytest.mark.parametrize("change, reason", [
    (("loss_op, global_step=tf.train.get_global_step()", "loss_op"),
     "a learning-rate decay of another step than the global step `minimize` advances"),
    (("learning_rate=learning_rate)",
      "learning_rate=tf.train.linear_cosine_decay(0.1, tf.train.get_global_step(), 9))"),
     "the optimizer is made with `tf.train.linear_cosine_decay`, which TF2 does not have"),
])
def test_rates_it_cannot_make_exactly_are_refused(change, reason):
    source = (MODEL_FN + DRIVER).replace(
        "learning_rate=learning_rate)",
        "learning_rate=tf.train.exponential_decay(0.1, tf.train.get_global_step(), 100, 0.9))")
    if change[0] == "learning_rate=learning_rate)":
        source = MODEL_FN + DRIVER
    source = source.replace(*change)
    found = messages(source, "TFM206")
    assert len(found) == 1 and reason in found[0], found


def test_mode_keys_in_the_functions_the_model_fn_calls_become_strings_too():
    source = (MODEL_FN + DRIVER).replace(
        "def network(x_dict):\n    return tf.layers.dense(x_dict['x'], 3)\n",
        "dense = tf.keras.layers.Dense(3)\n\n\ndef network(x_dict, mode):\n"
        "    training = mode == tf.estimator.ModeKeys.TRAIN\n"
        "    return tf.keras.layers.Dropout(0.5)(dense(x_dict['x']), training=training)\n")
    source = source.replace("network(features)", "network(features, mode)")
    fixed = fix(source)
    assert '    training = mode == "train"\n' in fixed and "estimator" not in fixed


def test_predict_of_a_dict_of_predictions_is_refused():
    source = (MODEL_FN + DRIVER).replace(
        "EstimatorSpec(mode, predictions=pred_classes)",
        "EstimatorSpec(mode, predictions={'class': pred_classes})")
    source = source.replace("print(e['accuracy'])", "print(list(model.predict(input_fn)))")
    assert messages(source, "TFM206") == [
        "estimator program left unchanged: `predict` of a dict of predictions: the Estimator "
        "yielded one dict per example; write that loop by hand"]


INPUT_FUNCTIONS = """def train_input_fn(batch_size):
    dataset = tf.data.Dataset.from_tensor_slices(({'x': xs}, ys))
    dataset = dataset.shuffle(100).repeat()
    return dataset.batch(batch_size)


def eval_input_fn():
    return tf.data.Dataset.from_tensor_slices(({'x': xs}, ys)).batch(4)


estimator = tf.estimator.Estimator(model_fn)
estimator.train(input_fn=lambda: train_input_fn(4), steps=5)
e = estimator.evaluate(eval_input_fn)
"""


def test_input_functions_returning_datasets_are_called_where_the_estimator_ran():
    fixed = fix(MODEL_FN + INPUT_FUNCTIONS)
    assert "for features, labels in train_input_fn(4).take(5):\n" \
           "    train_step(features, labels)\ne = evaluate(eval_input_fn())\n" in fixed
    assert "def train_input_fn(batch_size):\n    dataset = tf.data" in fixed


@pytest.mark.parametrize("body", [
    "    return dataset.make_one_shot_iterator().get_next()\n",
    "    return dataset.map(parse).batch(batch_size)\n",
    "    return dataset.batch(batch_size) if batch_size else None\n",
])
def test_input_functions_whose_elements_cannot_be_read_are_refused(body):
    source = (MODEL_FN + INPUT_FUNCTIONS).replace("    return dataset.batch(batch_size)\n", body)
    found = messages(source, "TFM206")
    assert len(found) == 1 and found[0].startswith("estimator program left unchanged: "), found
    assert "train_input_fn" in found[0]
