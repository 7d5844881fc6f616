"""TFM31x (rules/rnn.py): TF1 RNN cells → Keras RNN layers, beyond the documented examples."""

from __future__ import annotations

import ast

import pytest

from tfmigrate.config import Settings
from tfmigrate.engine import all_rules, migrate

SETTINGS = Settings().validate(rule.code for rule in all_rules())


def fix(source: str) -> str | None:
    return migrate(source, "example.py", SETTINGS, fix=True).fixed_source


def codes(source: str) -> list[str]:
    return [d.code for d in migrate(source, "example.py", SETTINGS).diagnostics]


def messages(source: str, code: str) -> list[str]:
    return [d.message for d in migrate(source, "example.py", SETTINGS).diagnostics
            if d.code == code]


def test_lstm_state_tuple_indices_are_c_then_h():
    # TF1's LSTMStateTuple is (c, h): state[0] is c and state[1] is h.
    fixed = fix("import tensorflow as tf\n\n"
                "cell = tf.nn.rnn_cell.LSTMCell(8)\n"
                "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
                "a = state[0]\n"
                "b = state[1]\n")
    assert fixed == ("import tensorflow as tf\n\n"
                     "cell = tf.keras.layers.LSTM(8, return_sequences=True, return_state=True)\n"
                     "outputs, state_h, state_c = cell(x)\n"
                     "a = state_c\n"
                     "b = state_h\n")


def test_unpacked_lstm_state_keeps_the_users_names_in_keras_order():
    fixed = fix("import tensorflow as tf\n\n"
                "cell = tf.nn.rnn_cell.BasicLSTMCell(8)\n"
                "outputs, (c, h) = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
                "y = tf.concat([outputs[:, -1], h, c], 1)\n")
    assert "outputs, h, c = cell(x)\n" in fixed


def test_new_state_names_do_not_clash():
    fixed = fix("import tensorflow as tf\n\n"
                "state_h = 1\n"
                "cell = tf.nn.rnn_cell.BasicLSTMCell(8)\n"
                "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
                "y = state.h + state_h\n")
    assert "outputs, state_h_2, state_c = cell(x)\n" in fixed
    assert "y = state_h_2 + state_h\n" in fixed


def test_inside_a_function_with_comments_and_contrib_alias():
    source = ("import tensorflow as tf\n"
              "from tensorflow.contrib import rnn\n\n\n"
              "def model(x):\n"
              "    # the recurrent part\n"
              "    cell = rnn.GRUCell(16, activation=tf.nn.relu)\n"
              "    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)  # unroll\n"
              "    return outputs, state\n")
    fixed = fix(source)
    assert fixed == ("import tensorflow as tf\n\n\n"
                     "def model(x):\n"
                     "    # the recurrent part\n"
                     "    cell = tf.keras.layers.GRU(16, reset_after=False, "
                     "activation=tf.nn.relu, bias_initializer=tf.keras.initializers.Constant("
                     "[1.0] * (2 * 16) + [0.0] * 16), return_sequences=True, "
                     "return_state=True)\n"
                     "    outputs, state = cell(x)  # unroll\n"
                     "    return outputs, state\n")
    ast.parse(fixed)


def test_inline_cell_gets_its_own_statement():
    fixed = fix("import tensorflow as tf\n\n"
                "lstm = 3\n"
                "outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(4), x, "
                "dtype=tf.float32)\n")
    assert fixed == ("import tensorflow as tf\n\n"
                     "lstm = 3\n"
                     "lstm_2 = tf.keras.layers.LSTM(4, return_sequences=True)\n"
                     "outputs = lstm_2(x)\n")


def test_cell_variables_may_be_read():
    # `trainable_variables` means the same on a TF1 cell and a Keras layer.
    fixed = fix("import tensorflow as tf\n\n"
                "cell = tf.nn.rnn_cell.BasicRNNCell(4)\n"
                "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
                "reg = tf.add_n([tf.reduce_sum(v ** 2) for v in cell.trainable_variables])\n")
    assert "cell = tf.keras.layers.SimpleRNN(4, return_sequences=True)\n" in fixed
    assert "outputs = cell(x)\n" in fixed


@pytest.mark.parametrize("source,reason", [
    ("cell = tf.nn.rnn_cell.BasicLSTMCell(8)\n"
     "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
     "size = cell.state_size\n", "used elsewhere"),
    ("cell = tf.nn.rnn_cell.LSTMCell(8, use_peepholes=True)\n"
     "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n", "use_peepholes"),
    ("cell = tf.nn.rnn_cell.LSTMCell(8, num_proj=4)\n"
     "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n", "num_proj"),
    ("cell = tf.nn.rnn_cell.GRUCell(8)\n"
     "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)\n", "float32"),
    ("cell = tf.nn.rnn_cell.GRUCell(8)\n"
     "outputs, state = tf.nn.dynamic_rnn(cell, x, time_major=flag, dtype=tf.float32)\n",
     "time_major"),
    ("cell = tf.nn.rnn_cell.BasicLSTMCell(8)\n"
     "outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=s0)\n", "initial_state"),
    ("cell = tf.nn.rnn_cell.GRUCell(8)\n"
     "result = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n", "unpacked"),
    ("cell = tf.nn.rnn_cell.GRUCell(8)\n"
     "outputs, state = tf.nn.dynamic_rnn(cell, x[0] * 2, sequence_length=n, "
     "dtype=tf.float32)\n", "sequence_length"),
])
def test_unprovable_cases_are_reported_without_a_fix(source, reason):
    source = "import tensorflow as tf\n\n" + source
    found = messages(source, "TFM310")
    assert found and reason in found[0]
    after = fix(source)
    assert after is None or "TFM310" in codes(after)


def test_stacked_gru_state_becomes_the_layers_first_tensor():
    fixed = fix("import tensorflow as tf\n\n"
                "cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(4), "
                "tf.nn.rnn_cell.GRUCell(4)])\n"
                "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
                "top = state[1]\n")
    assert "outputs, *state = cell(x)\n" in fixed
    assert "top = state[1][0]\n" in fixed
    assert "tf.keras.layers.StackedRNNCells([tf.keras.layers.GRUCell(4, reset_after=False" \
        in fixed


def test_bidirectional_pair_assigned_to_one_name():
    fixed = fix("import tensorflow as tf\n\n"
                "outputs, _ = tf.nn.bidirectional_dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), "
                "tf.nn.rnn_cell.GRUCell(4), x, dtype=tf.float32)\n"
                "h = tf.concat(outputs, 2)\n")
    assert "outputs = bidirectional(x)\n" in fixed
    assert "gru_bw = tf.keras.layers.GRU(4, reset_after=False" in fixed
    assert "go_backwards=True)\n" in fixed


def test_checkpoint_restore_with_rnn_cells_is_reported():
    source = ("import tensorflow as tf\n\n"
              "cell = tf.nn.rnn_cell.BasicLSTMCell(4)\n"
              "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
              "saver = tf.train.Saver()\n")
    assert "TFM315" in codes(source)
    assert "TFM315" not in codes(source.replace("saver = tf.train.Saver()\n", ""))


def test_rnn_fixtures_are_the_fix_of_their_before(tmp_path):
    # The fixtures' before.py → after.py golden files (executed by tests/test_fixtures.py).
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent / "fixtures" / "rnn"
    cases = sorted(p.parent for p in root.glob("*/before.py"))
    assert {c.name for c in cases} >= {"lstm_forward", "gru_forward", "lstm_train"}
    for case in cases:
        before = (case / "before.py").read_text()
        fixed = migrate(before, "before.py", SETTINGS, fix=True).fixed_source
        assert fixed is not None and "tf.nn.rnn_cell." not in fixed and \
            "tf.nn.dynamic_rnn(" not in fixed
        assert fixed == (case / "after.py").read_text(), case.name
