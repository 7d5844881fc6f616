"""TFM30x (rules/layers.py): what the layer and variable rules fix and what they refuse,
and contrib/slim layers proven equal to their Keras rewrite by execution.

`tf.contrib` does not exist on TF 2.21, so a contrib program cannot be a fixture. `tf_slim`
(PyPI `tf-slim`) is contrib.layers/slim ported to `tensorflow.compat.v1`, the same code:
the contrib program runs through it on the TF1 runtime, and what `tfmigrate fix` makes of
the contrib program runs on TF2.
"""

from __future__ import annotations

import dataclasses
import importlib.util

import pytest

from tfmigrate.config import Settings
from tfmigrate.engine import all_rules, migrate
from tfmigrate.verify import compare_results, run_program, tf1_source

SETTINGS = Settings().validate(rule.code for rule in all_rules())
WITHOUT_GRAPH = Settings(ignore=("TFM2",)).validate(rule.code for rule in all_rules())


def fix(source: str) -> str:
    result = migrate(source, "example.py", SETTINGS, fix=True)
    assert not result.internal_error, result.diagnostics
    return result.fixed_source if result.fixed_source is not None else source


def codes(source: str) -> list[str]:
    return [d.code for d in migrate(source, "example.py", SETTINGS).diagnostics]


def fixable(source: str, code: str) -> list[bool]:
    return [d.applicable for d in migrate(source, "example.py", SETTINGS).diagnostics
            if d.code == code]


# -- TFM301: placement and names ----------------------------------------------------------------

def test_layer_names_never_collide_with_module_names():
    fixed = fix("import tensorflow as tf\n\ndense = 3\nfc1 = 4\n"
                "h = tf.layers.dense(x, 10, name='fc1')\ng = tf.layers.dense(h, 2)\n")
    assert "fc1_layer = tf.keras.layers.Dense(10, name='fc1')\nh = fc1_layer(x)\n" in fixed
    assert "dense_2 = tf.keras.layers.Dense(2)\ng = dense_2(h)\n" in fixed


def test_function_called_once_keeps_layer_in_function():
    fixed = fix("import tensorflow as tf\n\n\ndef model(x):\n"
                "    return tf.layers.dense(x, 3)\n\n\nlogits = model(images)\n")
    assert "def model(x):\n    dense = tf.keras.layers.Dense(3)\n    return dense(x)\n" in fixed


def test_function_called_twice_without_reuse_is_not_fixed():
    source = ("import tensorflow as tf\n\n\ndef tower(x):\n    return tf.layers.dense(x, 3)\n\n\n"
              "a = tower(x1)\nb = tower(x2)\n")
    assert fixable(source, "TFM301") == [False]
    assert "tf.layers.dense" in fix(source)


def test_first_call_with_reuse_true_is_not_sharing():
    source = ("import tensorflow as tf\n\n\ndef net(x, reuse):\n"
              "    with tf.variable_scope('n', reuse=reuse):\n"
              "        return tf.layers.dense(x, 3)\n\n\n"
              "a = net(x1, reuse=True)\nb = net(x2, reuse=True)\n")
    assert fixable(source, "TFM301") == [False]


def test_auto_reuse_scope_shares_and_uses_arguments_every_call_passes():
    source = ("import tensorflow as tf\n\nunits = 4\n\n\ndef net(x, n):\n"
              "    with tf.variable_scope('n', reuse=tf.AUTO_REUSE):\n"
              "        return tf.layers.dense(x, n)\n\n\n"
              "a = net(x1, units)\nb = net(x2, units)\n")
    fixed = fix(source)
    assert "dense = tf.keras.layers.Dense(units)\n\n\ndef net(x, n):\n" \
           "    return dense(x)\n" in fixed


def test_shared_function_with_differing_arguments_is_not_fixed():
    source = ("import tensorflow as tf\n\n\ndef net(x, n, reuse):\n"
              "    with tf.variable_scope('n', reuse=reuse):\n"
              "        return tf.layers.dense(x, n)\n\n\n"
              "a = net(x1, 3, False)\nb = net(x2, 4, True)\n")
    assert fixable(source, "TFM301") == [False]


def test_scope_with_initializer_is_not_fixed():
    source = ("import tensorflow as tf\n\n"
              "with tf.variable_scope('s', initializer=tf.zeros_initializer()):\n"
              "    h = tf.layers.dense(x, 3)\n")
    assert fixable(source, "TFM301") == [False]
    assert fixable(source, "TFM306") == [False]


def test_pooling_without_strides_and_layers_in_lambdas_are_reported():
    assert fixable("import tensorflow as tf\n\np = tf.layers.max_pooling2d(x, 2)\n",
                   "TFM301") == [False]
    assert fixable("import tensorflow as tf\n\nf = lambda x: tf.layers.dense(x, 3)\n",
                   "TFM301") == [False]
    assert fixable("import tensorflow as tf\n\nwhile c: h = tf.layers.dense(x, 3)\n",
                   "TFM301") == [False]


def test_batch_norm_safety_follows_rank():
    two_d = ("import tensorflow as tf\n\nx = tf.reshape(images, [-1, 8])\n"
             "h = tf.layers.dense(x, 4)\ny = tf.layers.batch_normalization(h, training=True)\n")
    four_d = "import tensorflow as tf\n\ny = tf.layers.batch_normalization(images)\n"
    not_fused = ("import tensorflow as tf\n\n"
                 "y = tf.layers.batch_normalization(images, fused=False)\n")
    assert fixable(two_d, "TFM301")[-1] is True
    assert fixable(four_d, "TFM301") == [False]  # unsafe: unbiased moving variance when fused
    assert fixable(not_fused, "TFM301") == [True]
    assert "BatchNormalization()\ny = batch_normalization(images)" in fix(not_fused)


def test_name_with_slash_is_not_fixed():
    # Keras 3: "Argument `name` must be a string and cannot contain character `/`".
    assert fixable("import tensorflow as tf\n\nh = tf.layers.dense(x, 3, name='a/b')\n",
                   "TFM301") == [False]


def test_long_constructor_is_wrapped():
    fixed = fix("import tensorflow as tf\n\nh = tf.layers.dense(inputs, 10, "
                "activation=tf.nn.relu, kernel_initializer=tf.constant_initializer(w1), "
                "bias_initializer=tf.constant_initializer(b1), name='fc1')\n")
    assert max(len(line) for line in fixed.splitlines()) <= 99
    compile(fixed, "fixed.py", "exec")


# -- TFM301: layers shared by name in one block (Morvan's 406_GAN.py) ---------------------------

def diagnostics(source: str, code: str, settings=SETTINGS):
    return [d for d in migrate(source, "example.py", settings).diagnostics if d.code == code]


SHARED_BY_NAME = ("import tensorflow as tf\n\n"
                  "with tf.variable_scope('Discriminator'):\n"
                  "    D_l0 = tf.layers.dense(real_art, 128, tf.nn.relu, name='l')\n"
                  "    prob0 = tf.layers.dense(D_l0, 1, tf.nn.sigmoid, name='out')\n"
                  "    D_l1 = tf.layers.dense(G_out, 128, tf.nn.relu, name='l', reuse=True)\n"
                  "    prob1 = tf.layers.dense(D_l1, 1, tf.nn.sigmoid, name='out', reuse=True)\n")


def test_layer_reused_by_name_is_one_object_called_twice():
    assert fix(SHARED_BY_NAME) == (
        "import tensorflow as tf\n\n"
        "l = tf.keras.layers.Dense(128, tf.nn.relu, name='l')\n"
        "D_l0 = l(real_art)\n"
        "out = tf.keras.layers.Dense(1, tf.nn.sigmoid, name='out')\n"
        "prob0 = out(D_l0)\n"
        "D_l1 = l(G_out)\n"
        "prob1 = out(D_l1)\n")
    assert fixable(SHARED_BY_NAME, "TFM301") == [True] * 4


def test_layer_reused_by_name_in_a_function_that_runs_once():
    source = ("import tensorflow as tf\n\n\ndef main():\n"
              "    with tf.variable_scope('D', reuse=tf.AUTO_REUSE):\n"
              "        a = tf.layers.dense(x, 4, name='l')\n"
              "        b = tf.layers.dense(y, 4, name='l')\n"
              "    return a + b\n\n\nmain()\n")
    assert "    l = tf.keras.layers.Dense(4, name='l')\n    a = l(x)\n    b = l(y)\n" \
        in fix(source)


def test_reuse_with_other_arguments_is_refused():
    source = SHARED_BY_NAME.replace("128, tf.nn.relu, name='l', reuse", "128, name='l', reuse")
    found = diagnostics(source, "TFM301")
    assert [d.applicable for d in found] == [True, True, False, True]
    assert "with other arguments (`128, tf.nn.relu, name='l'` then `128, name='l'`)" in \
        found[2].message
    assert "tf.layers.dense(G_out, 128, name='l', reuse=True)" in fix(source)


@pytest.mark.parametrize("body,why", [
    ("b = tf.layers.dense(y, 4, name='l', reuse=True)\n", "no `tf.layers` call before it"),
    ("for i in range(2):\n    a = tf.layers.dense(x, 4, name='l')\n"
     "b = tf.layers.dense(y, 4, name='l', reuse=True)\n", "conditionally or in a loop"),
    ("a = tf.layers.dense(x, 4, name='l')\nb = tf.layers.dense(y, 4, name='l')\n",
     "created twice without reuse"),
    ("a = tf.layers.dense(x, 4, name=n)\nb = tf.layers.dense(y, 4, name=n, reuse=True)\n",
     "not literals"),
    ("a = tf.layers.dense(x, 4, name='l')\nb = tf.layers.dense(y, 4, name='l', reuse=r)\n",
     "is not known"),
    ("a = tf.layers.dense(x, n, name='l')\nn = 3\nb = tf.layers.dense(y, n, name='l', "
     "reuse=True)\n", "bound more than once"),
    ("a = tf.layers.dense(x, 4, name='l')\nb = tf.layers.conv1d(y, 4, 3, name='l', "
     "reuse=True)\n", "another kind of layer"),
    ("a = tf.layers.dense(x, 4, name='l')\nb = tf.layers.dense(y, 4, name='l', reuse=True, "
     "**extra)\n", "with a layer call that is not rewritten"),
])
def test_reuse_by_name_that_cannot_be_proven_is_refused(body, why):
    found = diagnostics("import tensorflow as tf\n\nn = 4\n" + body, "TFM301")
    refused = [d for d in found if not d.applicable]
    assert any(why in d.message for d in refused), found
    assert "l(y)" not in fix("import tensorflow as tf\n\nn = 4\n" + body)


def test_auto_reuse_creates_only_when_nothing_else_makes_variables():
    source = ("import tensorflow as tf\n\n"
              "with tf.variable_scope('D', reuse=tf.AUTO_REUSE):\n"
              "    a = tf.layers.dense(x, 4, name='l')\n")
    assert fixable(source, "TFM301") == [True]
    with_get_variable = source + "w = tf.get_variable('D/l/kernel', [4, 4])\n"
    assert fixable(with_get_variable, "TFM301") == [False]


# -- TFM301/303/305 in a class: `__init__` runs once per instance ----------------------------

NET = ("import tensorflow as tf\n\n\n"
       "class Net:\n"
       "    def __init__(self, x):\n"
       "{init}"
       "\n"
       "    def dense(self):\n"
       "        return self.out\n"
       "\n\n"
       "{made}\n")
NET_INIT = ("        h = tf.layers.dense(x, 4, tf.nn.relu)\n"
            "        self.out = tf.contrib.layers.fully_connected(h, 1, activation_fn=None, "
            "scope='out')\n"
            "        self.w = tf.get_variable('w', [1, 1])\n")


def test_layers_in_init_become_attributes_with_free_names():
    fixed = fix(NET.format(init=NET_INIT, made="a = Net(x1)\nb = Net(x2)"))
    assert ("    def __init__(self, x):\n"
            "        self.dense_2 = tf.keras.layers.Dense(4, tf.nn.relu)\n"
            "        h = self.dense_2(x)\n"
            "        self.out_layer = tf.keras.layers.Dense(1, name='out')\n"
            "        self.out = self.out_layer(h)\n"
            "        self.w = tf.Variable(tf.keras.initializers.GlorotUniform()([1, 1]), "
            "name='w')\n") in fixed
    assert "tf.layers" not in fixed and "tf.contrib" not in fixed


def test_attribute_names_avoid_attributes_set_from_outside_the_class():
    fixed = fix(NET.format(init="        self.h = tf.layers.dense(x, 4)\n",
                           made="a = Net(x1)\na.dense_2 = None"))
    assert "self.dense_3 = tf.keras.layers.Dense(4)\n        self.h = self.dense_3(x)\n" \
        in fixed


def test_helper_method_called_once_from_init_makes_attributes():
    source = ("import tensorflow as tf\n\n\nclass Net:\n"
              "    def __init__(self, x):\n"
              "        self.x = x\n"
              "        with tf.variable_scope('body'):\n"
              "            self.build()\n\n"
              "    def build(self):\n"
              "        self.out = tf.layers.dense(self.x, 4, name='fc')\n\n\n"
              "net = Net(x1)\n")
    assert ("    def build(self):\n"
            "        self.fc = tf.keras.layers.Dense(4, name='fc')\n"
            "        self.out = self.fc(self.x)\n") in fix(source)


@pytest.mark.parametrize("call,why", [
    ("        for s in (1, 2):\n            self.build()\n",
     "is called in a loop of `__init__` (not `for i in range(n)`)"),
    ("        if x is not None:\n            self.build()\n", "in a loop or a branch of"),
    ("        self.build()\n        self.build()\n", "not `__init__` nor a method"),
    ("        self.y = self.x if x is None else self.build()\n", "in a loop or a branch of"),
])
def test_helper_method_that_may_run_more_than_once_is_refused(call, why):
    source = ("import tensorflow as tf\n\n\nclass Net:\n"
              "    def __init__(self, x):\n        self.x = x\n" + call + "\n"
              "    def build(self):\n"
              "        return tf.layers.dense(self.x, 4)\n\n\n"
              "net = Net(x1)\n")
    found = diagnostics(source, "TFM301")
    assert [d.applicable for d in found] == [False] and why in found[0].message, found


@pytest.mark.parametrize("init,made,why", [
    ("        for s in (3, 4):\n            x = tf.layers.dense(x, s)\n", "a = Net(x1)",
     "it runs in a loop in `Net.__init__` (not `for i in range(n)`)"),
    (NET_INIT, "with tf.variable_scope('m', reuse=True):\n    a = Net(x1)",
     "made under a variable scope that reuses variables"),
    (NET_INIT, "def make(x):\n    with tf.variable_scope('m', reuse=tf.AUTO_REUSE):\n"
     "        return Net(x)\n\n\na = make(x1)", "made under a variable scope that reuses"),
    (NET_INIT, "class Sub(Net):\n    pass", "used other than by calling it"),
    (NET_INIT, "nets = list(map(Net, inputs))", "used other than by calling it"),
    (NET_INIT, "f = lambda x: Net(x)\na = f(x1)", "an instance of `Net` is made in a lambda"),
    ("        with tf.variable_scope('s'):\n"
     "            self.a = tf.layers.dense(x, 4, name='l')\n"
     "            self.b = tf.layers.dense(x, 4, name='l', reuse=True)\n",
     "a = Net(x1)\nb = Net(x2)", "and `Net` may have several instances"),
])
def test_layers_in_init_that_may_share_variables_are_refused(init, made, why):
    source = NET.format(init=init, made=made)
    found = diagnostics(source, "TFM301") + diagnostics(source, "TFM303") + \
        diagnostics(source, "TFM305")
    refused = [d for d in found if not d.applicable]
    assert refused and all(why in d.message for d in refused), found
    if "reuse" in made:  # the scope around the instance stays while its layers are TF1
        assert "tf.variable_scope('m'" in fix(source)


def test_sharing_by_name_in_init_of_a_single_instance_is_one_object():
    source = NET.format(init="        with tf.variable_scope('s'):\n"
                             "            self.a = tf.layers.dense(x, 4, name='l')\n"
                             "            self.b = tf.layers.dense(x, 4, name='l', "
                             "reuse=True)\n", made="net = Net(x1)")
    assert ("        self.l = tf.keras.layers.Dense(4, name='l')\n"
            "        self.a = self.l(x)\n"
            "        self.b = self.l(x)\n") in fix(source)


def test_class_with_unknown_base_is_refused_for_layers_only():
    source = ("import tensorflow as tf\n\n\nclass Net(Base):\n"
              "    def __init__(self, x):\n"
              "        self.h = tf.layers.dense(x, 4)\n"
              "        self.w = tf.get_variable('w', [4, 1])\n")
    assert "whose attributes are not known" in diagnostics(source, "TFM301")[0].message
    assert fixable(source, "TFM305") == [True]


CLASS_PROGRAM = (
    "import numpy as np\nimport tensorflow as tf\n\n\n"
    "class Net:\n"
    "    def __init__(self, rate):\n"
    "        self.x = tf.placeholder(tf.float32, [None, 2])\n"
    "        self.y = tf.placeholder(tf.float32, [None, 1])\n"
    "        l = tf.layers.dense(self.x, 20, tf.nn.relu)\n"
    "        self.out = tf.layers.dense(l, 1, name='out')\n"
    "        self.loss = tf.reduce_mean(tf.square(self.out - self.y))\n"
    "        self.train_op = tf.train.GradientDescentOptimizer(rate).minimize(self.loss)\n"
    "\n\n"
    "nets = [Net(0.1), Net(0.2)]\n"
    "with tf.Session() as sess:\n"
    "    sess.run(tf.global_variables_initializer())\n"
    "    for net in nets:\n"
    "        _, loss = sess.run([net.train_op, net.loss], "
    "{net.x: [[1.0, 2.0]], net.y: [[1.0]]})\n"
    "    print(sess.run(nets[0].out, {nets[0].x: [[1.0, 1.0]]}))\n")


def test_class_program_is_rewritten_by_layer_rules_then_graph_rule():
    layers_only = migrate(CLASS_PROGRAM, "example.py", WITHOUT_GRAPH, fix=True).fixed_source
    assert ("        self.dense = tf.keras.layers.Dense(20, tf.nn.relu)\n"
            "        l = self.dense(self.x)\n"
            "        self.out_layer = tf.keras.layers.Dense(1, name='out')\n"
            "        self.out = self.out_layer(l)\n") in layers_only
    fixed = fix(CLASS_PROGRAM)
    init = fixed[fixed.index("def __init__"):fixed.index("@tf.function")]
    assert ("        self.dense = tf.keras.layers.Dense(20, tf.nn.relu)\n"
            "        self.out_layer = tf.keras.layers.Dense(1, name='out')\n") in init
    assert "            l = self.dense(x)\n            out = self.out_layer(l)\n" in fixed
    assert "tf.layers" not in fixed and "tf.placeholder" not in fixed
    assert "Session" not in fixed
    assert not [d for d in migrate(fixed, "example.py", SETTINGS).diagnostics
                if d.code.startswith(("TFM2", "TFM3"))]


# -- TFM307: trainable-variable collections of a scope -> the layers' variables ------------------

GAN_LISTS = ("import tensorflow as tf\n\n"
             "with tf.variable_scope('Generator'):\n"
             "    G_l1 = tf.layers.dense(G_in, 8, tf.nn.relu)\n"
             "    G_out = tf.layers.dense(G_l1, 5)\n"
             "with tf.variable_scope('Discriminator'):\n"
             "    D_l0 = tf.layers.dense(real_art, 6, tf.nn.relu, name='l')\n"
             "    D_l1 = tf.layers.dense(G_out, 6, tf.nn.relu, name='l', reuse=True)\n"
             "d_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES,\n"
             "                           scope='Discriminator')\n"
             "train_D = opt_d.minimize(D_loss, var_list=d_vars)\n"
             "train_G = opt_g.minimize(\n"
             "    G_loss, var_list=tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, "
             "'Generator'))\n")


def test_scope_collections_become_the_layers_variables():
    fixed = fix(GAN_LISTS)
    assert fixed == (
        "import tensorflow as tf\n\n"
        "dense = tf.keras.layers.Dense(8, tf.nn.relu)\n"
        "G_l1 = dense(G_in)\n"
        "dense_2 = tf.keras.layers.Dense(5)\n"
        "G_out = dense_2(G_l1)\n"
        "l = tf.keras.layers.Dense(6, tf.nn.relu, name='l')\n"
        "D_l0 = l(real_art)\n"
        "D_l1 = l(G_out)\n"
        "train_D = opt_d.minimize(D_loss, var_list=l.trainable_variables)\n"
        "train_G = opt_g.minimize(\n"
        "    G_loss, var_list=[*dense.trainable_variables, *dense_2.trainable_variables])\n")
    # One pass: the lists are fixed together with the layers they name.
    assert fixable(GAN_LISTS, "TFM307") == [True, True]


def test_scope_is_a_prefix_of_the_variable_names():
    # TF1: re.match('D', name) also lists `D2/dense_1/kernel:0`; `G/...` is not listed; a
    # layer made after the list was read is not in it.
    source = ("import tensorflow as tf\n\n"
              "with tf.variable_scope('D'):\n    a = tf.layers.dense(x, 4)\n"
              "with tf.variable_scope('D2'):\n    b = tf.layers.dense(a, 4, name='h')\n"
              "with tf.variable_scope('G'):\n    c = tf.layers.dense(b, 4)\n"
              "step = tf.Variable(0, trainable=False)\n"
              "t = opt.minimize(c, var_list=tf.trainable_variables('D'))\n"
              "with tf.variable_scope('D'):\n    e = tf.layers.dense(c, 4)\n")
    fixed = fix(source)
    assert "t = opt.minimize(c, var_list=[*dense.trainable_variables, " \
           "*h.trainable_variables])\n" in fixed
    assert "variable_scope" not in fixed


def test_scope_list_of_variables_stays_where_it_was():
    source = ("import tensorflow as tf\n\n"
              "with tf.variable_scope('D'):\n"
              "    w = tf.get_variable('w', [3, 4])\n"
              "    b = tf.Variable(tf.zeros([4]), name='b')\n"
              "    frozen = tf.Variable(tf.zeros([4]), trainable=False)\n"
              "with tf.variable_scope('G'):\n"
              "    g = tf.get_variable('w', [4])\n"
              "d_vars = tf.trainable_variables(scope='D')\n"
              "print(len(d_vars))\n")
    fixed = fix(source)
    assert "d_vars = [w, b]\nprint(len(d_vars))\n" in fixed


def test_all_trainable_variables_when_every_one_is_known():
    source = ("import tensorflow as tf\n\n"
              "h = tf.layers.dense(x, 4, name='hidden')\n"
              "y = tf.layers.dense(h, 2, trainable=False)\n"
              "step = tf.Variable(0, trainable=False)\n"
              "t = opt.minimize(y, var_list=tf.trainable_variables())\n")
    assert "t = opt.minimize(y, var_list=hidden.trainable_variables)\n" in fix(source)


def test_helpers_called_for_train_and_test_dcgan_shape():
    # TensorFlow-Examples dcgan.py: `with tf.variable_scope(name, reuse=reuse)` in helpers;
    # the generator runs once, the discriminator three times (reuse=True after the first).
    source = ("import tensorflow as tf\n\n\n"
              "def generator(x, reuse=False):\n"
              "    with tf.variable_scope('Generator', reuse=reuse):\n"
              "        x = tf.layers.dense(x, units=6 * 6 * 128)\n"
              "        return tf.nn.tanh(x)\n\n\n"
              "def discriminator(x, reuse=False):\n"
              "    with tf.variable_scope('Discriminator', reuse=reuse):\n"
              "        x = tf.layers.conv2d(x, 64, 5)\n"
              "        x = tf.layers.average_pooling2d(x, 2, 2)\n"
              "        x = tf.contrib.layers.flatten(x)\n"
              "        x = tf.layers.dense(x, 2)\n"
              "    return x\n\n\n"
              "gen_sample = generator(noise_input)\n"
              "disc_real = discriminator(real_image_input)\n"
              "disc_fake = discriminator(gen_sample, reuse=True)\n"
              "stacked_gan = discriminator(gen_sample, reuse=True)\n"
              "gen_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope='Generator')\n"
              "disc_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, "
              "scope='Discriminator')\n"
              "train_gen = optimizer_gen.minimize(gen_loss, var_list=gen_vars)\n"
              "train_disc = optimizer_disc.minimize(disc_loss, var_list=disc_vars)\n")
    fixed = fix(source)
    assert "contrib" not in fixed and "variable_scope" not in fixed and \
        "get_collection" not in fixed
    # The generator, which runs once, makes its layer once before it too: the list needs it.
    assert fixed.startswith("import tensorflow as tf\n\n\n"
                            "dense = tf.keras.layers.Dense(units=6 * 6 * 128)\n\n\n"
                            "def generator(x, reuse=False):\n    x = dense(x)\n")
    assert "train_gen = optimizer_gen.minimize(gen_loss, var_list=dense.trainable_variables)\n" \
        in fixed
    assert "train_disc = optimizer_disc.minimize(disc_loss, var_list=[\n" \
           "    *conv2d.trainable_variables, *dense_2.trainable_variables])\n" in fixed


TWO_SCOPES = ("import tensorflow as tf\n\n"
              "with tf.variable_scope('D'):\n    a = tf.layers.dense(x, 4)\n")


@pytest.mark.parametrize("rest,why", [
    ("t = opt.minimize(a, var_list=tf.trainable_variables('D.*'))\n", "regular expression"),
    ("t = opt.minimize(a, var_list=tf.trainable_variables(scope_name))\n", "not a literal"),
    ("t = opt.minimize(a, var_list=tf.trainable_variables('D/dense_1'))\n",
     "may or may not fall under"),
    ("b = tf.contrib.layers.fully_connected(a, 3)\n"
     "t = opt.minimize(b, var_list=tf.trainable_variables())\n", "cannot list"),
    ("b = tf.keras.layers.Dense(3)(a)\n"
     "t = opt.minimize(b, var_list=tf.trainable_variables())\n", "cannot list"),
    ("import mylib\nb = mylib.block(a)\n"
     "t = opt.minimize(b, var_list=tf.trainable_variables())\n", "cannot list"),
    ("if deep:\n    with tf.variable_scope('D'):\n        b = tf.layers.dense(a, 4)\n"
     "t = opt.minimize(a, var_list=tf.trainable_variables('D'))\n", "conditionally"),
    ("with tf.variable_scope('D'):\n    b = tf.layers.dense(a, 4, trainable=train_d)\n"
     "t = opt.minimize(a, var_list=tf.trainable_variables('D'))\n", "`trainable=`"),
    ("d_vars = tf.trainable_variables('D')\nprint(len(d_vars))\n"
     "t = opt.minimize(a, var_list=d_vars)\n", "used other than as the `var_list`"),
    ("grads = tf.gradients(loss, tf.trainable_variables('D'))\n", "only complete once"),
    ("t = opt.minimize(a, var_list=tf.trainable_variables('G'))\n", "no variable"),
    ("def f():\n    return tf.trainable_variables('D')\n\n\nv = f()\nw = f()\n",
     "runs more than once"),
])
def test_scope_lists_that_cannot_be_proven_are_reported(rest, why):
    found = diagnostics(TWO_SCOPES + rest, "TFM307")
    assert [d.applicable for d in found] == [False], found
    assert why in found[0].message


def test_layer_local_to_a_function_is_not_listed_outside_it():
    source = ("import tensorflow as tf\n\n\ndef model(x):\n"
              "    with tf.variable_scope('D'):\n"
              "        return tf.layers.dense(x, n_units)\n\n\n"
              "n_units = 3\ny = model(x)\n"
              "t = opt.minimize(y, var_list=tf.trainable_variables('D'))\n")
    found = diagnostics(source, "TFM307")
    assert [d.applicable for d in found] == [False]
    assert "local name of `model`" in found[0].message


def test_scope_list_waits_for_unsafe_batch_norm():
    source = ("import tensorflow as tf\n\n"
              "with tf.variable_scope('D'):\n"
              "    a = tf.layers.conv2d(x, 4, 3)\n"
              "    b = tf.layers.batch_normalization(a, training=True)\n"
              "t = opt.minimize(b, var_list=tf.trainable_variables('D'))\n")
    found = diagnostics(source, "TFM307")
    assert [d.applicable for d in found] == [False] and "--unsafe-fixes" in found[0].message
    unsafe = dataclasses.replace(SETTINGS, unsafe_fixes=True)
    fixed = migrate(source, "example.py", unsafe, fix=True).fixed_source
    assert "t = opt.minimize(b, var_list=[\n    *conv2d.trainable_variables, " \
           "*batch_normalization.trainable_variables])\n" in fixed


def test_scope_list_is_fixed_only_with_the_layer_fix():
    only_collections = Settings(select=("TFM307",)).validate(r.code for r in all_rules())
    assert migrate(GAN_LISTS, "example.py", only_collections, fix=True).fixed_source is None
    without = Settings(ignore=("TFM307",)).validate(r.code for r in all_rules())
    fixed = migrate(GAN_LISTS, "example.py", without, fix=True).fixed_source
    assert "tf.keras.layers.Dense" in fixed and "d_vars = tf.get_collection(" in fixed
    # On one line with a layer call, the list would sit inside the layer fix's edit.
    nested = ("import tensorflow as tf\n\nwith tf.variable_scope('D'):\n"
              "    t = opt.minimize(tf.layers.dense(x, 1),\n"
              "                     var_list=tf.trainable_variables('D'))\n")
    assert "on a line of its own" in diagnostics(nested, "TFM307")[0].message


# -- TFM305 / TFM306 / TFM307 / TFM309 ------------------------------------------------------------

def test_get_variable_under_reuse_scope_is_not_fixed():
    source = ("import tensorflow as tf\n\nwith tf.variable_scope('s', reuse=True):\n"
              "    w = tf.get_variable('w', [3])\n")
    assert fixable(source, "TFM305") == [False]


def test_get_variable_float64_and_bool_defaults():
    fixed = fix("import tensorflow as tf\n\nw = tf.get_variable('w', [2], dtype=tf.float64)\n"
                "m = tf.get_variable('m', [2], dtype=tf.bool)\n")
    assert "tf.keras.initializers.GlorotUniform()([2], dtype=tf.float64)" in fixed
    assert "tf.zeros([2], dtype=tf.bool)" in fixed


def test_variable_scope_waits_for_functions_it_calls():
    source = ("import tensorflow as tf\n\n\n"
              "def f(x):\n    return x + tf.get_variable('v', [])\n\n\n"
              "with tf.variable_scope('s'):\n    y = f(1.0)\n")
    assert fixable(source, "TFM306") == [False]
    fixed = fix(source)
    assert "variable_scope" not in fixed and "tf.Variable(" in fixed


def test_contrib_batch_norm_is_unsafe_unless_not_fused():
    source = ("import tensorflow as tf\n\nx = tf.reshape(images, [-1, 8])\n"
              "y = tf.contrib.layers.batch_norm(x)\n")
    assert fixable(source, "TFM303") == [False]
    assert fixable(source.replace("(x)", "(x, fused=False)"), "TFM303") == [True]


def test_update_ops_waits_for_tf1_batch_norm():
    source = ("import tensorflow as tf\n\ny = tf.layers.batch_normalization(images)\n"
              "ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
              "with tf.control_dependencies(ops):\n    t = opt.minimize(loss)\n")
    assert fixable(source, "TFM307") == [False]


def test_random_normal_initializer_only_changed_with_tf1_evidence():
    tf2 = "import tensorflow as tf\n\ninit = tf.random_normal_initializer()\n"
    assert "TFM309" not in codes(tf2)
    tf1 = tf2 + "x = tf.placeholder(tf.float32)\n"
    assert "tf.keras.initializers.RandomNormal(stddev=1.0)" in fix(tf1)


# -- TFM303: contrib/slim proven against tf_slim -------------------------------------------------

CONTRIB_PROGRAM = '''\
import json

import numpy as np
import tensorflow as tf
from tensorflow.contrib import slim

rng = np.random.RandomState(6)
conv_kernel = rng.uniform(-0.4, 0.4, (3, 3, 2, 4)).astype(np.float32)
fc_kernel = rng.uniform(-0.4, 0.4, (16, 6)).astype(np.float32)
out_kernel = rng.uniform(-0.4, 0.4, (6, 3)).astype(np.float32)
images = rng.normal(size=(5, 4, 4, 2)).astype(np.float32)

x = tf.placeholder(tf.float32, [None, 4, 4, 2])
conv = slim.conv2d(x, 4, [3, 3], weights_initializer=tf.constant_initializer(conv_kernel))
pooled = slim.max_pool2d(conv, [2, 2])
flat = slim.flatten(pooled)
hidden = tf.contrib.layers.fully_connected(
    flat, 6, weights_initializer=tf.constant_initializer(fc_kernel))
normed = tf.contrib.layers.batch_norm(hidden, fused=False)
dropped = slim.dropout(normed, keep_prob=1.0)
logits = tf.contrib.layers.fully_connected(
    dropped, 3, activation_fn=None, weights_initializer=tf.constant_initializer(out_kernel))
rows = tf.reshape(x, [-1, 32])
layer_normed = tf.contrib.layers.layer_norm(rows)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    values = sess.run([conv, pooled, logits, layer_normed], feed_dict={x: images})

print("RESULT conv", json.dumps(values[0][:2].tolist()))
print("RESULT pooled", json.dumps(values[1][:2].tolist()))
print("RESULT logits", json.dumps(values[2].tolist()))
print("RESULT layer_norm", json.dumps(values[3][:2].tolist()))
'''


def layers_first(source: str) -> str:
    """The layer rules' fixes, then everything: the order the graph rule (TFM2xx) must keep,
    since it moves statements into tf.functions only once they are TF2 code."""
    first = migrate(source, "example.py", WITHOUT_GRAPH, fix=True).fixed_source or source
    return fix(first)


def test_contrib_program_is_fully_fixed():
    fixed = layers_first(CONTRIB_PROGRAM)
    assert "contrib" not in fixed and "slim" not in fixed
    for expected in ("padding='same'", "activation=tf.nn.relu", "strides=2",
                     "BatchNormalization(momentum=0.999, scale=False)",
                     "LayerNormalization(axis=-1, epsilon=1e-12)", "training=True"):
        assert expected in fixed


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                    reason="proof by execution needs TensorFlow (the `test` extra)")
def test_contrib_layers_equal_their_keras_rewrite():
    assert importlib.util.find_spec("tf_slim") is not None, \
        "install tf-slim==1.1.0 (contrib.layers/slim for TF2's compat.v1) to run this proof"
    # tf_slim 1.1.0 on TF 2.21: it still names `ops.Tensor` (now `tf.Tensor`), and TF's
    # legacy batch-norm shim looks for tf_keras' legacy layers outside `tf_keras.src`.
    shim = ("import sys\nfrom tensorflow.python.framework import ops as tf_ops\n"
            "import tf_keras.src.legacy_tf_layers.normalization as legacy_normalization\n"
            "sys.modules['tf_keras.legacy_tf_layers.normalization'] = legacy_normalization\n"
            "tf_ops.Tensor = tf.Tensor\nimport tf_slim as slim")
    before = tf1_source(CONTRIB_PROGRAM.replace("from tensorflow.contrib import slim", shim)
                        .replace("tf.contrib.layers.", "slim."))
    after = layers_first(CONTRIB_PROGRAM)
    tf1 = run_program(before, "tf1", label="contrib (tf_slim, TF1)")
    tf2 = run_program(after, "tf2", label="rewrite (TF2)")
    assert tf1.returncode == 0, tf1.stderr_tail()
    assert tf2.returncode == 0, tf2.stderr_tail()
    assert set(tf1.results) == {"conv", "pooled", "logits", "layer_norm"}
    problems = compare_results(tf1.results, tf2.results)
    assert not problems, problems


# -- TFM308: functions that create tf.Variables on each of several calls ----------------------

TF1_INPUT = "x = tf.placeholder(tf.float32, [None, 4])\n"


def test_variable_function_called_once_or_factory_is_left_alone():
    once = ("import tensorflow as tf\n\n\ndef fc(x, n):\n"
            "    w = tf.Variable(tf.zeros([4, n]))\n    return tf.matmul(x, w)\n\n\n"
            + TF1_INPUT + "h = fc(x, 3)\n")
    assert "TFM308" not in codes(once)
    factory = ("import tensorflow as tf\n\n\ndef bias(n):\n"
               "    b = tf.Variable(tf.constant(0.1, shape=[n]))\n    return b\n\n\n"
               + TF1_INPUT + "b1 = bias(3)\nb2 = bias(4)\n")
    assert "TFM308" not in codes(factory)


def test_variable_function_in_tf2_module_is_left_alone():
    source = ("import tensorflow as tf\n\n\ndef fc(x, n):\n"
              "    w = tf.Variable(tf.zeros([4, n]))\n    return tf.matmul(x, w)\n\n\n"
              "h = fc(tf.ones([2, 4]), 3)\ng = fc(tf.ones([2, 4]), 5)\n")
    assert "TFM308" not in codes(source)


def test_variable_function_settings_inputs_and_attribute_names():
    source = ("import tensorflow as tf\n\nN = 10\n\n\n"
              "def fc(x, n_in, n_out, keep_prob=1.0, name=None):\n"
              "    \"\"\"A layer.\"\"\"\n"
              "    weights = tf.Variable(tf.truncated_normal([n_in, n_out], stddev=0.1), "
              "name=name)\n"
              "    biases = tf.Variable(tf.constant(0.1, shape=[n_out]))\n"
              "    out = tf.nn.dropout(tf.matmul(x, weights) + biases, keep_prob)\n"
              "    return tf.reshape(out, [-1, n_out])\n\n\n"
              + TF1_INPUT + "kp = tf.placeholder(tf.float32)\n"
              "y = fc(fc(x, 784, 256, kp, name='w1'), 256, N)\n")
    fixed = fix(source)
    assert ("class Fc(tf.keras.layers.Layer):\n"
            "    \"\"\"A layer.\"\"\"\n\n"
            "    def __init__(self, n_in, n_out, name=None, **kwargs):\n"
            "        super().__init__(**kwargs)\n"
            "        self.n_out = n_out\n"
            "        self.weights_ = self.add_weight(\n"
            "            name=name, shape=[n_in, n_out],\n"
            "            initializer=tf.keras.initializers.TruncatedNormal(stddev=0.1))\n"
            "        self.biases = self.add_weight(\n"
            "            name=\"biases\", shape=[n_out], "
            "initializer=tf.keras.initializers.Constant(0.1))\n\n"
            "    def call(self, x, keep_prob=1.0):\n"
            "        out = tf.nn.dropout(tf.matmul(x, self.weights_) + self.biases, "
            "rate=1 - keep_prob)\n"
            "        return tf.reshape(out, [-1, self.n_out])\n") in fixed
    # Layers are made in evaluation order, right before the statement; tensors go to calls.
    assert ("fc_1 = Fc(784, 256, name='w1')\nfc_2 = Fc(256, N)\n"
            "y = fc_2(fc_1(x, kp))\n") in fixed


def test_variable_function_numpy_and_initializer_values():
    source = ("import numpy as np\nimport tensorflow as tf\n\n\n"
              "def fc(x, n_in, n_out, seed):\n"
              "    w = tf.Variable(np.random.RandomState(seed).randn(n_in, n_out)"
              ".astype(np.float32))\n"
              "    g = tf.Variable(tf.glorot_uniform_initializer()([n_out, n_out]))\n"
              "    return tf.matmul(tf.matmul(x, w), g)\n\n\n"
              + TF1_INPUT + "h = fc(x, 4, 3, 0)\ny = fc(h, 3, 2, 1)\n")
    fixed = fix(source)
    assert ("        initial_w = np.random.RandomState(seed).randn(n_in, n_out)"
            ".astype(np.float32)\n"
            "        self.w = self.add_weight(\n"
            "            name=\"w\", shape=np.shape(initial_w),\n"
            "            initializer=tf.keras.initializers.Constant(initial_w))\n"
            "        self.g = self.add_weight(\n"
            "            name=\"g\", shape=[n_out, n_out], "
            "initializer=tf.keras.initializers.GlorotUniform())\n") in fixed
    assert "fc_1 = Fc(4, 3, 0)\nh = fc_1(x)\nfc_2 = Fc(3, 2, 1)\ny = fc_2(h)\n" in fixed


def test_variable_function_names_never_collide():
    source = ("import tensorflow as tf\n\nFc = 1\nfc_1 = 2\n\n\n"
              "def fc(x):\n    w = tf.Variable(tf.zeros([4, 4]))\n    return x * w\n\n\n"
              + TF1_INPUT + "a = fc(x)\nb = fc(x)\n")
    fixed = fix(source)
    assert "class FcLayer(tf.keras.layers.Layer):\n" in fixed
    assert "fc_2 = FcLayer()\na = fc_2(x)\nfc_3 = FcLayer()\nb = fc_3(x)\n" in fixed


def test_variable_function_called_from_a_function_called_once():
    source = ("import tensorflow as tf\n\n\n"
              "def fc(x, n):\n    w = tf.Variable(tf.zeros([4, n]))\n    return x @ w\n\n\n"
              "def model(x):\n    h = fc(x, 4)\n    return fc(h, 2)\n\n\n"
              + TF1_INPUT + "y = model(x)\n")
    fixed = migrate(source, "example.py", WITHOUT_GRAPH, fix=True).fixed_source
    assert ("def model(x):\n    fc_1 = Fc(4)\n    h = fc_1(x)\n"
            "    fc_2 = Fc(2)\n    return fc_2(h)\n") in fixed


@pytest.mark.parametrize("body,calls,why", [
    ("    w = tf.Variable(tf.zeros([4, n]))\n    return x @ w\n",
     "for i in range(2):\n    y = fc(x, 3)\n", "called in a loop"),
    ("    w = tf.Variable(tf.zeros([4, n]))\n    return x @ w\n",
     "n = tf.shape(x)[1]\na = fc(x, n)\nb = fc(x, n)\n", "`build(input_shape)`"),
    ("    return x @ tf.Variable(tf.zeros([4, n]))\n",
     "a = fc(x, 3)\nb = fc(x, 4)\n", "inside an expression"),
    ("    k = n * 2\n    w = tf.Variable(tf.zeros([4, k]))\n    return x @ w\n",
     "a = fc(x, 3)\nb = fc(x, 4)\n", "computed in the function"),
    ("    w = tf.Variable(tf.zeros([4, n]))\n    return tf.layers.dense(x @ w, 3)\n",
     "a = fc(x, 3)\nb = fc(x, 4)\n", "also creates"),
    ("    w = tf.Variable(tf.zeros([4, n]), collections=['c'])\n    return x @ w\n",
     "a = fc(x, 3)\nb = fc(x, 4)\n", "no `add_weight` equivalent"),
    ("    w = tf.Variable(tf.zeros([4, n]))\n    return x @ w\n",
     "a = fc(x, 3) if x is None else fc(x, 4)\n", "one branch of an expression"),
    ("    w = tf.Variable(tf.zeros([4, n]))\n    return x @ w\n",
     "def tower(x):\n    return fc(fc(x, 4), 3)\n\n\na = tower(x)\nb = tower(x)\n",
     "runs more than once too"),
])
def test_variable_function_refusals(body, calls, why):
    source = ("import tensorflow as tf\n\n\ndef fc(x, n):\n" + body + "\n\n" + TF1_INPUT
              + calls)
    found = [d for d in migrate(source, "example.py", SETTINGS).diagnostics
             if d.code == "TFM308"]
    assert [d.applicable for d in found] == [False], found
    assert why in found[0].message


def test_variable_function_name_scope_names_the_layer():
    source = ("import tensorflow as tf\n\n\n"
              "def fc(x, n, name='fc'):\n"
              "    with tf.name_scope(name):\n"
              "        w = tf.Variable(tf.zeros([4, n]), name='W')\n"
              "        return tf.matmul(x, w)\n\n\n"
              + TF1_INPUT + "a = fc(x, 3, 'fc1')\nb = fc(a, 2, name='fc2')\n")
    fixed = fix(source)
    assert ("class Fc(tf.keras.layers.Layer):\n"
            "    def __init__(self, n, name='fc', **kwargs):\n"
            "        super().__init__(name=name, **kwargs)\n"
            "        self.w = self.add_weight(name='W', shape=[4, n], initializer=\"zeros\")\n\n"
            "    def call(self, x):\n"
            "        return tf.matmul(x, self.w)\n") in fixed
    assert "fc_1 = Fc(3, 'fc1')\na = fc_1(x)\nfc_2 = Fc(2, name='fc2')\nb = fc_2(a)\n" in fixed


def test_variable_function_with_summaries_is_not_fixed():
    source = ("import tensorflow as tf\n\n\n"
              "def fc(x, n):\n"
              "    w = tf.Variable(tf.zeros([4, n]))\n"
              "    tf.summary.histogram('w', w)\n"
              "    return tf.matmul(x, w)\n\n\n"
              + TF1_INPUT + "a = fc(x, 3)\nb = fc(x, 2)\n")
    assert fixable(source, "TFM308") == [False]


def test_get_variable_function_with_its_own_scopes():
    source = ("import tensorflow as tf\n\n\n"
              "def linear(x, n_in, n_out, scope):\n"
              "    with tf.variable_scope(scope):\n"
              "        w = tf.get_variable('w', [n_in, n_out],\n"
              "                            initializer=tf.random_normal_initializer())\n"
              "        b = tf.get_variable('b', [n_out])\n"
              "        return tf.matmul(x, w) + b\n\n\n"
              + TF1_INPUT + "with tf.variable_scope('model'):\n"
              "    h = linear(x, 4, 3, 'l1')\n    y = linear(h, 3, 2, 'l2')\n")
    fixed = fix(source)
    # TF1 defaults kept: stddev 1.0 (caveat 14), glorot uniform for the bias (caveat 2).
    assert ("        self.w = self.add_weight(\n"
            "            name='w', shape=[n_in, n_out],\n"
            "            initializer=tf.keras.initializers.RandomNormal(stddev=1.0))\n"
            "        self.b = self.add_weight(\n"
            "            name='b', shape=[n_out], "
            "initializer=tf.keras.initializers.GlorotUniform())\n") in fixed
    assert "super().__init__(name=scope, **kwargs)" in fixed
    # The outer scope goes too (TFM306) once nothing under it creates variables by name.
    assert ("linear_1 = Linear(4, 3, 'l1')\nh = linear_1(x)\n"
            "linear_2 = Linear(3, 2, 'l2')\ny = linear_2(h)\n") in fixed


@pytest.mark.parametrize("calls", [
    "h = linear(x, 'l1')\ny = linear(h, 'l1')\n",  # same scope: TF1 raised or shared
    "h = linear(x, 'l1')\nwith tf.variable_scope('m', reuse=True):\n    y = linear(h, 'l2')\n",
    "h = linear(x, 'l1')\ntf.get_variable_scope().reuse_variables()\ny = linear(h, 'l2')\n",
    "h = linear(x, 'l1')\ny = linear(h, FLAGS.scope)\n",
])
def test_get_variable_function_that_may_share_is_not_fixed(calls):
    source = ("import tensorflow as tf\n\n\n"
              "def linear(x, scope):\n"
              "    with tf.variable_scope(scope):\n"
              "        w = tf.get_variable('w', [4, 4])\n"
              "        return tf.matmul(x, w)\n\n\n" + TF1_INPUT + calls)
    assert fixable(source, "TFM308") == [False]


def test_variable_scope_stays_while_a_collection_is_read_by_its_name():
    from tfmigrate.config import Settings
    from tfmigrate.engine import all_rules, migrate
    settings = Settings().validate(rule.code for rule in all_rules())
    source = ("import tensorflow as tf\n\n"
              "with tf.variable_scope('target'):\n    w = tf.Variable(tf.zeros([2]))\n"
              "params = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope='target')\n")
    result = migrate(source, "program.py", settings, fix=True)
    assert "tf.variable_scope('target')" in (result.fixed_source or source)
    assert any(d.code == "TFM306" and "still selects variables by scope name" in d.message
               for d in migrate(source, "program.py", settings).diagnostics)


# -- TFM301: layers made in a `for i in range(n)` loop of `__init__` ---------------------------

LOOP_CLASS = ("import tensorflow as tf\n\n\n"
              "class Tower:\n"
              "    def __init__(self, x, sizes, norm):\n"
              "        self.outputs = []\n"
              "        for i in range(len(sizes)):\n"
              "            x = tf.layers.dense(x, sizes[i])\n"
              "            if norm:\n"
              "                x = tf.layers.batch_normalization(x, training=True, fused=False)\n"
              "            self.outputs.append(x)\n")


def test_layers_made_in_a_loop_become_a_list_called_by_the_index():
    fixed = fix(LOOP_CLASS)
    assert ("        self.outputs = []\n"
            "        self.dense_layers = []\n"
            "        self.batch_normalization_layers = []\n"
            "        for i in range(len(sizes)):\n"
            "            self.dense_layers.append(tf.keras.layers.Dense(sizes[i]))\n"
            "            x = self.dense_layers[i](x)\n"
            "            if norm:\n"
            "                self.batch_normalization_layers.append("
            "tf.keras.layers.BatchNormalization())\n"
            "                x = self.batch_normalization_layers[i](x, training=True)\n"
            "            self.outputs.append(x)\n") in fixed
    assert fixable(LOOP_CLASS, "TFM301") == [True, True]


def test_rank_of_a_name_rebound_is_the_assignment_reaching_the_use():
    """`h = dense(flat)` then `if bn: h = batch_norm(h)`: the batch norm's input is the dense
    output on the line before (rank 2: TF1 did not fuse it), though `h` is bound twice."""
    source = ("import tensorflow as tf\n\n"
              "def net(x, bn):\n"
              "    h = tf.layers.dense(tf.layers.flatten(x), 4)\n"
              "    if bn:\n"
              "        h = tf.layers.batch_normalization(h, training=True)\n"
              "    return h\n")
    assert fixable(source, "TFM301") == [True, True, True]


@pytest.mark.parametrize("loop, why", [
    ("        for i in range(3):\n"
     "            if i > 0:\n"
     "                x = tf.layers.dense(x, 4)\n",
     "under a test that may change from one iteration to the next"),
    ("        for size in [3, 4]:\n"
     "            x = tf.layers.dense(x, size)\n", "not `for i in range(n)`"),
    ("        for i in range(3):\n"
     "            x = tf.layers.dense(x, 4, name='hidden')\n",
     "with `name=` or `reuse=`: the iterations' variables are found by name"),
    ("        for i in range(3):\n"
     "            for j in range(2):\n"
     "                x = tf.layers.dense(x, 4)\n",
     "nested in another loop, a comprehension, `try` or `with`"),
    ("        for i in range(3):\n"
     "            n = 4 + i\n"
     "            x = tf.layers.dense(x, n)\n",
     "its arguments change from one iteration to the next"),
])
def test_layers_in_other_loops_are_refused(loop, why):
    source = ("import tensorflow as tf\n\n\nclass Tower:\n"
              "    def __init__(self, x):\n" + loop + "        self.x = x\n")
    messages = [d.message for d in migrate(source, "example.py", SETTINGS).diagnostics
                if d.code == "TFM301"]
    assert messages and all(why in m for m in messages), messages
    assert fix(source) == source


# -- TFM301: a method `__init__` calls in `for i in range(n)`, with arguments ----------------

HELPER_CLASS = ("import tensorflow as tf\n\n"
                "x1 = tf.placeholder(tf.float32, [None, 2])\n"
                "train = tf.placeholder(tf.bool, None)\n\n\n"
                "class Tower:\n"
                "    def __init__(self, norm):\n"
                "        self.norm = norm\n"
                "        self.hidden = [x1]\n"
                "        for i in range(3):\n"
                "            self.hidden.append(self.block(self.hidden[-1], 4, ac=tf.nn.relu))\n\n"
                "    def block(self, x, size, ac=None):\n"
                "        x = tf.layers.dense(x, size, use_bias=self.norm)\n"
                "        if self.norm: x = tf.layers.batch_normalization(x, training=train)"
                "  # why\n"
                "        return x if ac is None else ac(x)\n\n\n"
                "a = Tower(True)\n")


def test_layers_of_a_method_called_in_a_range_loop_become_lists_made_in_that_loop():
    """The constructor takes the call's arguments (`size` → 4) and the method's `if` around
    the layer; the method gets the index; the one-line `if` is split; the batch norm's input
    is proven rank 2 through `self.hidden[-1]` (a list of rank-2 tensors), so the fix is
    safe."""
    fixed = fix(HELPER_CLASS)
    assert ("        self.dense_layers = []\n"
            "        self.batch_normalization_layers = []\n"
            "        for i in range(3):\n"
            "            self.dense_layers.append(tf.keras.layers.Dense(4, use_bias=self.norm))\n"
            "            if self.norm:\n"
            "                self.batch_normalization_layers.append("
            "tf.keras.layers.BatchNormalization())\n"
            "            self.hidden.append(self.block(i, self.hidden[-1], 4, ac=tf.nn.relu))\n"
            "\n"
            "    def block(self, i, x, size, ac=None):\n"
            "        x = self.dense_layers[i](x)\n"
            "        if self.norm:\n"
            "            x = self.batch_normalization_layers[i](x, training=train)  # why\n"
            "        return x if ac is None else ac(x)\n") in fixed
    assert fixable(HELPER_CLASS, "TFM301") == [True, True]


def test_rank_through_a_list_attribute_needs_every_element_proven():
    """An element appended from an unknown rank: the batch norm's input is not proven (the
    method's layers are one fix, unsafe as a whole)."""
    source = HELPER_CLASS.replace("a = Tower(True)\n",
                                  "a = Tower(True)\na.hidden.append(tf.zeros([2, 2, 2]))\n")
    assert fixable(source, "TFM301") == [False, False]
    assert "unsafe: TF1's fused batch norm" in [
        d.message for d in migrate(source, "example.py", SETTINGS).diagnostics
        if d.code == "TFM301"][1]


@pytest.mark.parametrize("change, why", [
    (("self.block(self.hidden[-1], 4, ac=tf.nn.relu)",
      "self.block(self.hidden[-1], len(self.hidden), ac=tf.nn.relu)"),
     "`size` is not passed as a plain value"),
    (("        x = tf.layers.dense(x, size, use_bias=self.norm)\n",
      "        n = size * 2\n        x = tf.layers.dense(x, n, use_bias=self.norm)\n"),
     "`n` is computed in `Tower.block`"),
    (("        x = tf.layers.dense(x, size, use_bias=self.norm)\n",
      "        self.norm = False\n        x = tf.layers.dense(x, size, use_bias=self.norm)\n"),
     "`self.norm` is assigned in `Tower.block`"),
    (("        for i in range(3):\n", "        for i in [0, 1, 2]:\n"),
     "`Tower.block` is called in a loop of `__init__` (not `for i in range(n)`)"),
])
def test_layers_of_a_method_called_in_a_loop_that_cannot_be_hoisted_are_refused(change, why):
    source = HELPER_CLASS.replace(*change)
    messages = [d.message for d in migrate(source, "example.py", SETTINGS).diagnostics
                if d.code == "TFM301"]
    assert messages and why in messages[0], messages
    assert "tf.layers.dense" in fix(source)


def test_one_line_if_is_split_onto_its_own_line():
    source = ("import tensorflow as tf\n\n"
              "x = tf.placeholder(tf.float32, [None, 2])\n"
              "if x is not None: y = tf.layers.dense(x, 4)  # why\n")
    assert ("if x is not None:\n"
            "    dense = tf.keras.layers.Dense(4)\n"
            "    y = dense(x)  # why\n") in fix(source)


def test_one_line_if_in_a_loop_of_init_is_refused_with_the_reason():
    source = LOOP_CLASS.replace("            if norm:\n                x = ",
                                "            if norm: x = ")
    messages = [d.message for d in migrate(source, "example.py", SETTINGS).diagnostics
                if d.code == "TFM301"]
    assert "put the statement on its own line" in messages[1], messages
