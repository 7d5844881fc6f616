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
     "outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=make_state())\n",
     "initial_state"),
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


MORVAN_403 = (
    "import tensorflow as tf\n\n"
    "rnn_cell = tf.nn.rnn_cell.LSTMCell(num_units=CELL_SIZE)\n"
    "init_s = rnn_cell.zero_state(batch_size=1, dtype=tf.float32)    # very first hidden state\n"
    "outputs, final_s = tf.nn.dynamic_rnn(\n"
    "    rnn_cell,                   # cell you have chosen\n"
    "    tf_x,                       # input\n"
    "    initial_state=init_s,       # the initial hidden state\n"
    "    time_major=False,\n"
    ")\n"
    "outs2D = tf.reshape(outputs, [-1, CELL_SIZE])\n"
    "if first:\n"
    "    feed_dict = {tf_x: x, tf_y: y}\n"
    "else:\n"
    "    feed_dict = {tf_x: x, tf_y: y, init_s: final_s_}\n"
    "_, pred_, final_s_ = sess.run([train_op, outs, final_s], feed_dict)\n")


def test_zero_state_initial_state_and_a_state_fed_back_keep_tf1_structure():
    # morvan 403_RNN_regression.py: the zero state and the final state stay (c, h) pairs
    # (fetched and fed back as TF1 values); the layer gets and returns Keras' [h, c].
    fixed = fix(MORVAN_403)
    assert fixed == (
        "import tensorflow as tf\n\n"
        "rnn_cell = tf.keras.layers.LSTM(CELL_SIZE, return_sequences=True, return_state=True)\n"
        "init_s = (tf.zeros([1, CELL_SIZE], tf.float32), tf.zeros([1, CELL_SIZE], "
        "tf.float32))    # very first hidden state\n"
        "outputs, final_s_h, final_s_c = rnn_cell(tf_x, initial_state=[init_s[1], init_s[0]])\n"
        "final_s = (final_s_c, final_s_h)\n"
        "outs2D = tf.reshape(outputs, [-1, CELL_SIZE])\n"
        "if first:\n"
        "    feed_dict = {tf_x: x, tf_y: y}\n"
        "else:\n"
        "    feed_dict = {tf_x: x, tf_y: y, init_s: final_s_}\n"
        "_, pred_, final_s_ = sess.run([train_op, outs, final_s], feed_dict)\n")
    assert "TFM310" not in codes(fixed)


def test_gru_zero_state_is_one_tensor_and_its_own_zero_state_inline_is_dropped():
    fixed = fix("import tensorflow as tf\n\n"
                "cell = tf.nn.rnn_cell.GRUCell(4)\n"
                "init = cell.zero_state(tf.shape(x)[0], tf.float32)\n"
                "outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=init)\n"
                "lstm = tf.nn.rnn_cell.BasicLSTMCell(4)\n"
                "out2, _ = tf.nn.dynamic_rnn(lstm, x, initial_state=lstm.zero_state(n, "
                "tf.float32))\n")
    assert "init = tf.zeros([tf.shape(x)[0], 4], tf.float32)\n" in fixed
    assert "outputs = cell(x, initial_state=init)\n" in fixed
    # the cell's own zero state is Keras' default initial state
    assert "out2 = lstm(x)\n" in fixed


def test_zero_state_fields_become_indices_and_a_pair_is_reordered():
    fixed = fix("import tensorflow as tf\n\n"
                "cell = tf.nn.rnn_cell.LSTMCell(4)\n"
                "init = cell.zero_state(b, tf.float32)\n"
                "c0 = init.c + bias\n"
                "outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=init)\n")
    assert "c0 = init[0] + bias\n" in fixed
    assert "outputs = cell(x, initial_state=[init[1], init[0]])\n" in fixed
    fixed = fix("import tensorflow as tf\n\n"
                "cell = tf.nn.rnn_cell.LSTMCell(4)\n"
                "outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=(c0, h0))\n"
                "last = state.h\n")
    assert "outputs, state_h, state_c = cell(x, initial_state=[h0, c0])\n" in fixed
    # a field of the zero state inside the rewritten call: reported, not rewritten
    source = ("import tensorflow as tf\n\n"
              "cell = tf.nn.rnn_cell.LSTMCell(4)\n"
              "init = cell.zero_state(b, tf.float32)\n"
              "outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=(c0, init.h))\n")
    found = messages(source, "TFM310")
    assert found and "inside the rewritten statement" in found[0]


@pytest.mark.parametrize("use,fixed_use", [
    ("value = sess.run(state, feed_dict={x: data})\n",
     "value = sess.run(state, feed_dict={x: data})\n"),
    ("a, b = sess.run([outputs, state])\n", "a, b = sess.run([outputs, state])\n"),
    ("feed = {state: previous}\n", "feed = {state: previous}\n"),
    ("c, h = state\n", "c, h = state\n"),
    ("out2, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(4), y, initial_state=state)\n",
     "out2 = lstm(y, initial_state=[state[1], state[0]])\n"),
])
def test_lstm_state_used_whole_is_rebuilt_as_c_h(use, fixed_use):
    fixed = fix("import tensorflow as tf\n\n"
                "cell = tf.nn.rnn_cell.LSTMCell(4)\n"
                "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n" + use)
    assert "outputs, state_h, state_c = cell(x)\nstate = (state_c, state_h)\n" in fixed
    assert fixed.endswith(fixed_use)


@pytest.mark.parametrize("use", [
    "    return outputs, state\n",  # a caller may read state.h
    "    consume(state)\n",
    "    print(state.h.shape, state._fields)\n",
])
def test_lstm_state_leaving_the_code_is_not_rewritten(use):
    source = ("import tensorflow as tf\n\n\n"
              "def model(x):\n"
              "    cell = tf.nn.rnn_cell.LSTMCell(4)\n"
              "    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n" + use)
    found = messages(source, "TFM310")
    assert found and "used as a whole" in found[0]
    after = fix(source)
    assert after is None or "tf.nn.dynamic_rnn(" in after


def test_zero_state_inside_the_unrolling_call_is_not_rewritten():
    source = ("import tensorflow as tf\n\n"
              "cell = tf.nn.rnn_cell.GRUCell(4)\n"
              "outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=tf.identity("
              "cell.zero_state(b, tf.float32)))\n")
    found = messages(source, "TFM310")
    assert found and "zero_state" in found[0]


def test_stacked_zero_state_initial_state_and_whole_state():
    fixed = fix("import tensorflow as tf\n\n"
                "cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(n) for n in sizes])\n"
                "state0 = cell.zero_state(batch, tf.float32)\n"
                "outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=state0)\n"
                "top = state[-1].h\n"
                "first_c = state0[0].c\n"
                "new_state = sess.run(state, {state0: prev})\n")
    assert fixed == (
        "import tensorflow as tf\n\n"
        "cell = tf.keras.layers.RNN(tf.keras.layers.StackedRNNCells([tf.keras.layers."
        "LSTMCell(n) for n in sizes]), return_sequences=True, return_state=True)\n"
        "state0 = tuple((tf.zeros([batch, n], tf.float32), tf.zeros([batch, n], tf.float32)) "
        "for n in sizes)\n"
        "outputs, *state_layers = cell(x, initial_state=[[h, c] for c, h in state0])\n"
        "state = tuple((c, h) for h, c in state_layers)\n"
        "top = state[-1][1]\n"
        "first_c = state0[0][0]\n"
        "new_state = sess.run(state, {state0: prev})\n")


def test_stacked_gru_zero_state_from_a_list_and_the_layers_states():
    fixed = fix("import tensorflow as tf\n\n"
                "cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(4), "
                "tf.nn.rnn_cell.GRUCell(5)])\n"
                "init = cell.zero_state(b, tf.float32)\n"
                "outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=init)\n"
                "top = state[1]\n")
    # every listed cell is replaced (not only the first)
    assert "tf.nn.rnn_cell" not in fixed
    assert "init = (tf.zeros([b, 4], tf.float32), tf.zeros([b, 5], tf.float32))\n" in fixed
    assert "outputs, *state = cell(x, initial_state=[[h] for h in init])\n" in fixed
    assert "top = state[1][0]\n" in fixed


def test_stacked_zero_state_with_a_name_of_the_comprehension_is_not_rewritten():
    source = ("import tensorflow as tf\n\n"
              "cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(n) for n in sizes])\n"
              "init = cell.zero_state(n, tf.float32)\n"
              "outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=init)\n")
    assert "tf.nn.rnn_cell" in (fix(source) or source)
    assert "TFM310" in codes(source) or "TFM312" in codes(source)


TFEX_BIDIRECTIONAL = (
    "import tensorflow as tf\n"
    "from tensorflow.contrib import rnn\n\n\n"
    "def BiRNN(x, weights, biases):\n"
    "    x = tf.unstack(x, timesteps, 1)\n\n"
    "    # Forward direction cell\n"
    "    lstm_fw_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)\n"
    "    # Backward direction cell\n"
    "    lstm_bw_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)\n\n"
    "    # Get lstm cell output\n"
    "    try:\n"
    "        outputs, _, _ = rnn.static_bidirectional_rnn(lstm_fw_cell, lstm_bw_cell, x,\n"
    "                                              dtype=tf.float32)\n"
    "    except Exception: # Old TensorFlow version only returns outputs not states\n"
    "        outputs = rnn.static_bidirectional_rnn(lstm_fw_cell, lstm_bw_cell, x,\n"
    "                                        dtype=tf.float32)\n\n"
    "    # Linear activation, using rnn inner loop last output\n"
    "    return tf.matmul(outputs[-1], weights['out']) + biases['out']\n")


def test_static_bidirectional_rnn_of_tensorflow_examples():
    fixed = fix(TFEX_BIDIRECTIONAL)
    assert fixed == (
        "import tensorflow as tf\n\n\n"
        "def BiRNN(x, weights, biases):\n"
        "    x = tf.unstack(x, timesteps, 1)\n\n"
        "    # Forward direction cell\n"
        "    lstm_fw_cell = tf.keras.layers.LSTM(num_hidden, return_sequences=True)\n"
        "    # Backward direction cell\n"
        "    lstm_bw_cell = tf.keras.layers.LSTM(num_hidden, return_sequences=True, "
        "go_backwards=True)\n\n"
        "    # Get lstm cell output\n"
        "    bidirectional = tf.keras.layers.Bidirectional(lstm_fw_cell, "
        "backward_layer=lstm_bw_cell)\n"
        "    outputs_stacked = bidirectional(tf.stack(x, axis=1))\n"
        "    outputs = tf.unstack(outputs_stacked, axis=1)\n\n"
        "    # Linear activation, using rnn inner loop last output\n"
        "    return tf.matmul(outputs[-1], weights['out']) + biases['out']\n")
    assert not [c for c in codes(fixed) if c.startswith("TFM31")]


def test_a_try_whose_except_differs_is_not_dropped():
    source = TFEX_BIDIRECTIONAL.replace(
        "        outputs = rnn.static_bidirectional_rnn(lstm_fw_cell, lstm_bw_cell, x,\n",
        "        outputs = rnn.static_bidirectional_rnn(lstm_fw_cell, lstm_bw_cell, x[1:],\n")
    found = messages(source, "TFM313")
    assert found and "used elsewhere" in found[0]
    assert "try:" in (fix(source) or source)


def test_static_bidirectional_states_initial_states_and_lengths():
    fixed = fix("import tensorflow as tf\n\n"
                "fw = tf.nn.rnn_cell.GRUCell(8)\n"
                "bw = tf.nn.rnn_cell.GRUCell(8)\n"
                "outputs, s_fw, s_bw = tf.nn.static_bidirectional_rnn(fw, bw, steps, "
                "initial_state_fw=h0, initial_state_bw=bw.zero_state(b, tf.float32), "
                "sequence_length=lengths, dtype=tf.float32)\n"
                "y = tf.concat([outputs[-1], s_fw, s_bw], 1)\n"
                "weights = fw.trainable_variables\n")
    assert "bidirectional = tf.keras.layers.Bidirectional(fw, backward_layer=bw)\n" in fixed
    assert ("outputs_stacked, s_fw, s_bw = bidirectional(tf.stack(steps, axis=1), "
            "initial_state=[h0, tf.zeros([b, 8], tf.float32)], "
            "mask=tf.sequence_mask(lengths, len(steps)))\n") in fixed
    assert "outputs = tf.unstack(outputs_stacked, axis=1)\n" in fixed
    assert "zero_output_for_mask=True, go_backwards=True)\n" in fixed
    # Bidirectional runs a copy of its forward layer: the variables are that copy's
    assert fixed.endswith("weights = bidirectional.forward_layer.trainable_variables\n")


def test_dynamic_bidirectional_lstm_states_and_outputs_kept_as_tf1_pairs():
    fixed = fix("import tensorflow as tf\n\n"
                "fw = tf.nn.rnn_cell.LSTMCell(8)\n"
                "bw = tf.nn.rnn_cell.LSTMCell(8)\n"
                "outputs, (s_fw, s_bw) = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, "
                "initial_state_fw=s0, initial_state_bw=tf.nn.rnn_cell.LSTMStateTuple(c0, h0), "
                "dtype=tf.float32)\n"
                "y = tf.concat([outputs[0], s_fw.h, s_bw.c], -1)\n")
    assert ("outputs_fw, outputs_bw, s_fw_h, s_fw_c, s_bw_h, s_bw_c = bidirectional(x, "
            "initial_state=[s0[1], s0[0], h0, c0])\n"
            "outputs = (outputs_fw, outputs_bw)\n"
            "y = tf.concat([outputs[0], s_fw_h, s_bw_c], -1)\n") in fixed


@pytest.mark.parametrize("call,reason", [
    ("outputs, _, _ = tf.nn.static_bidirectional_rnn(fw, fw, steps, dtype=tf.float32)\n",
     "both directions"),
    ("outputs, _, _ = tf.nn.static_bidirectional_rnn(fw, bw, steps, initial_state_fw=s0, "
     "dtype=tf.float32)\n", "one direction"),
    ("outputs, _, _ = tf.nn.static_bidirectional_rnn(fw, gru, steps, initial_state_fw=s0, "
     "initial_state_bw=h0)\n", "LSTM and a GRU"),
    ("outputs = tf.nn.static_bidirectional_rnn(fw, bw, steps, dtype=tf.float32)\n",
     "not unpacked"),
    ("outputs, states = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, dtype=tf.float32)\n"
     "h = tf.concat(states, 1)\n", "one value"),
    ("w = fw.weights\n"
     "outputs, _ = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, dtype=tf.float32)\n",
     "before the call"),
])
def test_bidirectional_cases_reported_without_a_fix(call, reason):
    source = ("import tensorflow as tf\n\n"
              "fw = tf.nn.rnn_cell.LSTMCell(8)\n"
              "bw = tf.nn.rnn_cell.LSTMCell(8)\n"
              "gru = tf.nn.rnn_cell.GRUCell(8)\n" + call)
    found = messages(source, "TFM313")
    assert found and reason in found[0], found
    after = fix(source) or source
    assert "bidirectional" in after and "tf.keras.layers.Bidirectional" not in after


def test_rnn_fixtures_are_the_fix_of_their_before(tmp_path):
    # The fixtures' before.py → after.py golden files (executed by tests/test_fixtures.py).
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent / "fixtures" / "rnn"
    cases = sorted(p.parent for p in root.glob("*/before.py"))
    assert {c.name for c in cases} >= {"lstm_forward", "gru_forward", "lstm_train",
                                       "bidirectional_static", "initial_state",
                                       "state_feedback", "stacked_state"}
    for case in cases:
        before = (case / "before.py").read_text()
        fixed = migrate(before, "before.py", SETTINGS, fix=True).fixed_source
        assert fixed is not None and "tf.nn.rnn_cell." not in fixed and \
            "tf.nn.dynamic_rnn(" not in fixed, case.name
        assert not [c for c in codes(fixed) if c.startswith("TFM31")], case.name
        assert fixed == (case / "after.py").read_text(), case.name


def test_variable_names_are_the_names_visitor_finds():
    import importlib.util
    from pathlib import Path

    import libcst as cst

    from tfmigrate.rules import rnn

    root = Path(__file__).resolve().parent.parent
    files = sorted((root / "fixtures" / "rnn").glob("*/*.py"))
    spec = importlib.util.find_spec("libcst")
    files += sorted(Path(next(iter(spec.submodule_search_locations))).rglob("*.py"))[:60]
    for path in files:
        module = cst.parse_module(path.read_text(encoding="utf-8"))
        visitor = rnn._Names()
        module.visit(visitor)
        found = rnn._variable_names(module)
        assert list(found) == list(visitor.found), path
        assert all([id(n) for n in found[k]] == [id(n) for n in visitor.found[k]]
                   for k in found), path


def test_modules_without_rnn_calls_skip_the_name_analysis(monkeypatch):
    from tfmigrate.rules import rnn

    def explode(module):
        raise AssertionError("analysed the names of a module without RNN calls")

    monkeypatch.setattr(rnn, "_variable_names", explode)
    source = ("import tensorflow as tf\n\n"
              "rnn_size = 8  # mentions rnn, calls nothing of it\n"
              "x = tf.layers.dense(tf.zeros([1, rnn_size]), rnn_size)\n")
    assert "TFM301" in codes(source)
    assert fix(source) is None or "rnn_size" in fix(source)
