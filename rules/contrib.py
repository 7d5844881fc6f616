"""TFM11x: `tf.contrib` (removed in TF 2.0) and `tf.estimator` (removed in TF 2.16).

Facts come from `rules/data/removed.json` (`contrib`: where each contrib module went,
MIGRATION_MAP §4 and TensorFlow's module_deprecations_v2; `moved`: contrib names TensorFlow's
own table moves to a TF2 name that resolves on 2.21). The most used contrib symbols on
public TF1 code (counted on TensorFlow-Examples, bert, tensor2tensor v1.12,
Tensorflow-Tutorial) with a Keras equivalent are fixed with contrib's defaults spelled out.
"""

from __future__ import annotations

import libcst as cst

from tfmigrate.context import Context, Reference, parse_expression
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid

from ._calls import Unbound, args_by_parameter
from .api import REMOVED, short
from .eager import EAGER_FIXED
from .estimator import estimator_rewritten
from .layers import CONTRIB_FIXED

CONTRIB = REMOVED["contrib"]
MODULES = CONTRIB["modules"]
MOVED = CONTRIB["moved"]

# contrib initializers/regularizers the fix rule (TFM111) rewrites; slim re-exported them.
_FIXED = ("xavier_initializer", "xavier_initializer_conv2d", "variance_scaling_initializer",
          "l1_regularizer", "l2_regularizer")
FIXED = {f"{module}.{name}": name for module in ("tf.contrib.layers", "tf.contrib.slim")
         for name in _FIXED}
NEST = "tf.contrib.framework.nest"


def contrib_guidance(name: str) -> str:
    if name in MOVED:
        return f"it moved to `{MOVED[name]}` (check the signature)"
    best = max((m for m in MODULES if name == m or name.startswith(m + ".")), key=len,
               default="tf.contrib")
    return MODULES[best]


def _fixable(name: str) -> bool:
    return name in FIXED or name == NEST or name.startswith(NEST + ".")


class ContribReference(Rule):
    code = "TFM110"
    name = "tf-contrib"
    summary = "`tf.contrib` was removed in TF 2.0: the finding says where each module went."
    references = ("tensorflow.contrib.",)
    doc = """
## Why
`tf.contrib` does not exist in TensorFlow 2 (`AttributeError` for `tf.contrib` and
`tf.compat.v1.contrib`). TF Addons, where part of it went, is end-of-life and built for
Keras 2, so it is not a target.

## What to do
Each finding names the contrib module's TF2 home: `contrib.layers` → `tf.keras.layers`
(mind contrib's defaults: ReLU activation, 'SAME' padding, batch_norm scale=False and
decay=0.999, layer_norm epsilon=1e-12), `contrib.slim` → Keras layers and
`functools.partial`, `contrib.rnn` → Keras RNN cells, `contrib.data` → `tf.data`,
`contrib.training.HParams` → a dataclass, `contrib.tpu` → `tf.distribute.TPUStrategy`, ...
Where TensorFlow's own table moved a name to a TF2 name that exists on 2.21, that name is
given. The initializers, regularizers and `framework.nest` that TFM111 rewrites are not
reported here.

## Caveats
Most of contrib needs a human decision: a contrib layer becomes a Keras layer object, which
owns its variables, so the surrounding code changes too.
"""
    examples = (
        Valid("import tensorflow as tf\n\nh = tf.keras.layers.Dense(3)(x)\n"),
        Invalid("import tensorflow as tf\n\ntrain = tf.contrib.layers.optimize_loss(loss, step, 0.1, 'SGD')\n"),
        Invalid("from tensorflow.contrib import slim\n\nslim.learning.train(train_op, logdir)\n"),
        Invalid("import tensorflow as tf\n\nhp = tf.contrib.training.HParams(lr=0.1)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        name = short(ref.qualname)
        for qualname in ref.names:
            if qualname and (_fixable(short(qualname)) or short(qualname) in CONTRIB_FIXED
                             or short(qualname) in EAGER_FIXED):
                return  # a fixing rule reports it
        # report at the deepest contrib prefix we know about
        shown = name
        ctx.report(ref.node, f"`{shown}`: tf.contrib was removed in TF2; "
                             f"{contrib_guidance(name)}")


def _literal(node: cst.BaseExpression):
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if isinstance(node, (cst.Integer, cst.Float)):
        return float(node.value)
    return _literal  # sentinel: not a literal


class ContribFix(Rule):
    code = "TFM111"
    name = "tf-contrib-keras-equivalent"
    summary = "contrib initializers, regularizers and nest with an exact TF2/Keras equivalent."
    fix = FixSafety.SAFE
    references = tuple("tensorflow" + n[2:] for n in FIXED) + ("tensorflow.contrib.framework.nest.",)
    doc = """
## Why
The most used `tf.contrib` helpers have Keras equivalents, but with other defaults.

## What it becomes
- `xavier_initializer()` / `xavier_initializer_conv2d()` (uniform=True by default) →
  `tf.keras.initializers.GlorotUniform()`, keeping `seed=`;
- `variance_scaling_initializer()` (factor=2.0, mode='FAN_IN', uniform=False) →
  `tf.keras.initializers.VarianceScaling(scale=2.0, mode='fan_in',
  distribution='truncated_normal')`; with `uniform=True`, `distribution='uniform'`;
- `l2_regularizer(s)` → `tf.keras.regularizers.L2(s / 2)`: contrib computes
  `s * tf.nn.l2_loss(w)` = s·Σw²/2, Keras `L2(l)` computes l·Σw² (caveat 9);
- `l1_regularizer(s)` → `tf.keras.regularizers.L1(s)`;
- `tf.contrib.framework.nest.X` → `tf.nest.X`.

## Caveats
Random initializers draw from the same distribution but never the same numbers as TF1
(seeded or not). The truncated normal of `variance_scaling_initializer(uniform=False)`
scales its stddev by 1/0.8796 in Keras and by √1.3 in contrib (0.6 % apart): that fix is
unsafe. `xavier_initializer(uniform=False)`, a `dtype=` (Keras 3 initializers take the
dtype when called) or non-literal `uniform`/`mode` values are reported without a fix.
"""
    examples = (
        Valid("import tensorflow as tf\n\ninit = tf.keras.initializers.GlorotUniform()\n"),
        Invalid("import tensorflow as tf\n\n"
                "init = tf.contrib.layers.xavier_initializer(seed=1)\n"
                "reg = tf.contrib.layers.l2_regularizer(0.01)\n",
                "import tensorflow as tf\n\n"
                "init = tf.keras.initializers.GlorotUniform(seed=1)\n"
                "reg = tf.keras.regularizers.L2(0.01 / 2)\n"),
        Invalid("import tensorflow as tf\n\n"
                "init = tf.contrib.layers.variance_scaling_initializer(uniform=True)\n"
                "r = tf.contrib.layers.l1_regularizer(scale=s)\n",
                "import tensorflow as tf\n\n"
                "init = tf.keras.initializers.VarianceScaling(scale=2.0, mode='fan_in', "
                "distribution='uniform')\n"
                "r = tf.keras.regularizers.L1(s)\n"),
        Invalid("import tensorflow as tf\n\n"
                "init = tf.contrib.layers.variance_scaling_initializer()\n",
                "import tensorflow as tf\n\n"
                "init = tf.keras.initializers.VarianceScaling(scale=2.0, mode='fan_in', "
                "distribution='truncated_normal')\n", unsafe=True),
        Invalid("from tensorflow.contrib import slim\n\nreg = slim.l2_regularizer(a + b)\n",
                "import tensorflow as tf\n\nreg = tf.keras.regularizers.L2((a + b) / 2)\n"),
        Invalid("import tensorflow as tf\n\nflat = tf.contrib.framework.nest.flatten(s)\n",
                "import tensorflow as tf\n\nflat = tf.nest.flatten(s)\n"),
        Invalid("import tensorflow as tf\n\n"
                "init = tf.contrib.layers.xavier_initializer(dtype=tf.float16)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        name = short(ref.qualname)
        tf = ctx.tensorflow_name()
        if name == NEST or name.startswith(NEST + "."):
            node = ref.prefix("tensorflow.contrib.framework.nest")
            ctx.report(ref.node, "`tf.contrib.framework.nest` is `tf.nest` in TF2",
                       [Edit(node, parse_expression(f"{tf}.nest"))],
                       imports=("tensorflow",))
            return
        function = FIXED[name]
        message = f"`{name}` was removed with tf.contrib"
        call = ctx.call_of(ref.node)
        if call is None or any(a.star for a in call.args):
            ctx.report(ref.node, message + ": " + contrib_guidance(name))
            return
        if function.endswith("regularizer"):
            self._regularizer(ref, ctx, call, function, message, tf)
        else:
            self._initializer(ref, ctx, call, function, message, tf)

    def _args(self, call: cst.Call, order: list[str]):
        """Parameter → value (unknown keywords included: the callers reject them)."""
        try:
            return {name: arg.value for name, arg in args_by_parameter(call, order)}
        except Unbound:
            return None

    def _regularizer(self, ref, ctx, call, function, message, tf) -> None:
        args = self._args(call, ["scale", "scope"])
        if args is None or set(args) - {"scale", "scope"} or "scale" not in args:
            ctx.report(ref.node, message + ": use `tf.keras.regularizers.L1/L2`")
            return
        scale = ctx.code(args["scale"])
        if function == "l2_regularizer":
            simple = isinstance(args["scale"], (cst.Name, cst.Attribute, cst.Integer,
                                                cst.Float, cst.Call, cst.Subscript))
            value = f"{scale} / 2" if simple else f"({scale}) / 2"
            text, note = f"{tf}.keras.regularizers.L2({value})", \
                "`tf.keras.regularizers.L2(scale / 2)` (contrib's l2 is scale·Σw²/2)"
        else:
            text, note = f"{tf}.keras.regularizers.L1({scale})", "`tf.keras.regularizers.L1`"
        ctx.report(ref.node, f"{message}: use {note}",
                   [Edit(call, parse_expression(text))], imports=("tensorflow",))

    def _initializer(self, ref, ctx, call, function, message, tf) -> None:
        if function.startswith("xavier"):
            args = self._args(call, ["uniform", "seed", "dtype"])
            if args is None or set(args) - {"uniform", "seed"} or \
                    _literal(args.get("uniform", cst.Name("True"))) is not True:
                ctx.report(ref.node, message + ": use `tf.keras.initializers.GlorotUniform` "
                           "(uniform=True) or `GlorotNormal` (uniform=False, ≈ truncated "
                           "normal); Keras 3 initializers take no dtype")
                return
            seed = f"seed={ctx.code(args['seed'])}" if "seed" in args else ""
            ctx.report(ref.node, message + ": use `tf.keras.initializers.GlorotUniform`",
                       [Edit(call, parse_expression(
                           f"{tf}.keras.initializers.GlorotUniform({seed})"))],
                       imports=("tensorflow",))
            return
        args = self._args(call, ["factor", "mode", "uniform", "seed", "dtype"])
        mode = uniform = None
        if args is not None:
            mode = _literal(args.get("mode", cst.SimpleString("'FAN_IN'")))
            uniform = _literal(args.get("uniform", cst.Name("False")))
        if args is None or set(args) - {"factor", "mode", "uniform", "seed"} or \
                mode not in ("FAN_IN", "FAN_OUT", "FAN_AVG") or uniform not in (True, False):
            ctx.report(ref.node, message + ": use `tf.keras.initializers.VarianceScaling` "
                       "with contrib's defaults (scale=2.0, mode='fan_in', "
                       "distribution='truncated_normal')")
            return
        factor = ctx.code(args["factor"]) if "factor" in args else "2.0"
        distribution = "uniform" if uniform else "truncated_normal"
        parts = [f"scale={factor}", f"mode='{mode.lower()}'", f"distribution='{distribution}'"]
        if "seed" in args:
            parts.append(f"seed={ctx.code(args['seed'])}")
        fix = Edit(call, parse_expression(
            f"{tf}.keras.initializers.VarianceScaling({', '.join(parts)})"))
        if uniform:
            ctx.report(ref.node, message + ": use `tf.keras.initializers.VarianceScaling` "
                       "(contrib's defaults made explicit)", [fix], imports=("tensorflow",))
        else:
            ctx.report(ref.node, message + ": `tf.keras.initializers.VarianceScaling` "
                       "truncates differently (stddev 0.6 % apart from contrib's)", [fix],
                       FixSafety.UNSAFE, imports=("tensorflow",))


class EstimatorReference(Rule):
    code = "TFM112"
    name = "tf-estimator"
    summary = "`tf.estimator` was removed in TF 2.16: use Keras `Model.fit` or a custom loop."
    references = ("tensorflow.estimator.",)
    doc = """
## Why
`tf.estimator` was removed in TensorFlow 2.16 (`tf.compat.v1.estimator` too; the
`tensorflow_estimator` package is not installed with TF 2.21).

## What to do
Split the `model_fn` by mode: model construction → a `tf.keras.Model`; loss and train op →
`compile`/`fit` or a `tf.function` train step with a Keras optimizer; `eval_metric_ops` →
Keras metric objects; `export_saved_model` → `tf.saved_model.save` / `model.export`;
`RunConfig(model_dir=...)` → `tf.train.CheckpointManager`; hooks → Keras callbacks or plain
Python in the loop; `input_fn` → a `tf.data.Dataset` passed to `fit`. Canned estimators
(`DNNClassifier`, `LinearRegressor`, ...) become small Keras models.

## Caveats
`tf.feature_column` still exists but Keras 3 has no `DenseFeatures` to consume it: use
Keras preprocessing layers or `keras.utils.FeatureSpace`. TFM206 rewrites the common shape
(a `model_fn` trained and evaluated on `numpy_input_fn` inputs) by itself; this finding is
then not reported for the code it rewrites.
"""
    examples = (
        Valid("import tensorflow as tf\n\nmodel = tf.keras.Sequential()\n"),
        Invalid("import tensorflow as tf\n\nest = tf.estimator.Estimator(model_fn=f)\n"),
        Invalid("import tensorflow as tf\n\nspec = tf.estimator.EstimatorSpec(mode, loss=l)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias or estimator_rewritten(ctx, ref.node):
            return
        node = ref.prefix("tensorflow.estimator")
        rest = ref.rest("tensorflow.estimator")
        shown = "tf.estimator" + ("." + rest[0] if rest else "")
        hint = {
            "Estimator": "a `tf.keras.Model` with `fit`/`evaluate`/`predict`",
            "EstimatorSpec": "split by mode into the model, the loss, a train step, metrics",
            "RunConfig": "`tf.train.CheckpointManager` and `tf.distribute` strategies",
            "ModeKeys": "a `training=` argument",
            "TrainSpec": "`model.fit(...)` arguments", "EvalSpec": "`model.evaluate(...)`",
            "train_and_evaluate": "`model.fit(..., validation_data=...)`",
            "export": "`tf.saved_model.save` / `model.export`",
        }.get(rest[0] if rest else "", "Keras `Model.fit` or a custom training loop")
        ctx.report(node if node is not None else ref.node,
                   f"`{shown}` was removed in TF 2.16: use {hint}")
