"""TFM51x: `tf.losses` → TF2 with TF1's numbers.

TF1's losses reduce with `SUM_BY_NONZERO_WEIGHTS`: the weighted sum of the per-element losses
divided by the number of non-zero weights (broadcast to the losses' shape); Keras losses
average per sample and divide by the batch size (MIGRATION_MAP §8, caveat 8). Without weights
both are the mean, and a Keras loss object is the TF2 idiom. With weights (or another
reduction) the per-element loss and TF1's reduction are written out: Keras' `sample_weight`
cannot reproduce it (per-element weights, and rank-1 labels, which Keras reduces to a scalar
before weighting). Every form here is checked against `tf.compat.v1.losses` by the fixtures in
`fixtures/losses/` and by `tests/test_losses.py`.
"""

from __future__ import annotations

import re

import libcst as cst

from tfmigrate.context import Context, Reference, parse_expression
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid

from ._calls import argument, bind
from ._nodes import ATOMS, Unpacked, assigned_values, code_of, literal_number, operand
from .api import is_tf1_name, short

# -- small helpers ---------------------------------------------------------------------------


def _wrap(text: str) -> str:
    return f"({text})"


_RANDOM = re.compile(r"^tensorflow\.(random\.|random_|truncated_normal|multinomial|nn\.dropout)")


def _pure(ctx: Context, node: cst.CSTNode) -> bool:
    """Whether evaluating `node` twice gives the same value and does nothing else: names,
    literals, operators and calls of TensorFlow functions that draw no random numbers."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Lambda, cst.Yield, cst.Await, cst.NamedExpr,
                                cst.ListComp, cst.GeneratorExp, cst.DictComp, cst.SetComp)):
            return False
        if isinstance(current, cst.Call):
            name = ctx.qualified_name(current.func) or ""
            if not name.startswith("tensorflow.") or _RANDOM.match(name):
                return False
        stack.extend(current.children)
    return True


def _call_name(ctx: Context, node) -> str | None:
    return ctx.qualified_name(node.func) if isinstance(node, cst.Call) else None


def _dtype(call: cst.Call, position: int) -> cst.BaseExpression | None:
    found = argument(call, position, "dtype")
    return found.value if found is not None else None


def _is_float32(ctx: Context, node: cst.BaseExpression | None) -> bool:
    return node is not None and ctx.qualified_name(node) == "tensorflow.float32"


def _makes_float32(ctx: Context, node, depth: int = 0) -> bool:
    """Whether `node` is certainly a float32 tensor (TF1 cast weights to float32; TF2 does
    not, so anything else is cast explicitly)."""
    if isinstance(node, Unpacked):
        return False
    if isinstance(node, cst.Float):
        return True
    if isinstance(node, cst.Name) and depth < 3:
        values = assigned_values(ctx, node.value)
        return bool(values) and all(v is not None and _makes_float32(ctx, v, depth + 1)
                                    for v in values)
    name = _call_name(ctx, node)
    if name == "tensorflow.to_float":
        return True
    if name is None or any(arg.star for arg in node.args):
        return False  # `*args`/`**kwargs` may hold the dtype
    if name in ("tensorflow.cast", "tensorflow.dtypes.cast"):
        return _is_float32(ctx, _dtype(node, 1))
    if name in ("tensorflow.placeholder", "tensorflow.ones", "tensorflow.zeros"):
        dtype = _dtype(node, 0 if name == "tensorflow.placeholder" else 1)
        return _is_float32(ctx, dtype) if name == "tensorflow.placeholder" or dtype else True
    if name == "tensorflow.sequence_mask":
        return _is_float32(ctx, _dtype(node, 2))
    return False


def _is_data(ctx: Context, node, depth: int = 0) -> bool:
    """Whether `node` is fed or constant data, so that no gradient can flow into it."""
    if isinstance(node, Unpacked):  # x, y = iterator.get_next() / next(iterator)
        value = node.value
        return isinstance(value, cst.Call) and (
            isinstance(value.func, cst.Attribute) and value.func.attr.value == "get_next" or
            isinstance(value.func, cst.Name) and value.func.value == "next")
    if isinstance(node, (cst.Integer, cst.Float, cst.List, cst.Tuple)):
        return True
    if isinstance(node, cst.Subscript):
        return _is_data(ctx, node.value, depth)
    if isinstance(node, cst.Name) and depth < 3:
        values = assigned_values(ctx, node.value)
        return bool(values) and all(v is not None and _is_data(ctx, v, depth + 1)
                                    for v in values)
    name = _call_name(ctx, node) or ""
    return name in ("tensorflow.placeholder", "tensorflow.placeholder_with_default",
                    "tensorflow.one_hot", "tensorflow.constant") or name.startswith("numpy.")


def _replacement_needs_parens(ctx: Context, call: cst.Call) -> bool:
    parent = ctx.parent(call)
    if isinstance(parent, (cst.BinaryOperation, cst.UnaryOperation, cst.BooleanOperation,
                           cst.Comparison, cst.Attribute, cst.Subscript, cst.Await)):
        return True
    return isinstance(parent, cst.Call) and parent.func is call


# -- TFM510: the loss functions --------------------------------------------------------------

_COMMON = ("weights", "scope", "loss_collection", "reduction")
LOSS_PARAMS = {
    "absolute_difference": ("labels", "predictions") + _COMMON,
    "cosine_distance": ("labels", "predictions", "axis") + _COMMON + ("dim",),
    "hinge_loss": ("labels", "logits") + _COMMON,
    "huber_loss": ("labels", "predictions", "weights", "delta", "scope", "loss_collection",
                   "reduction"),
    "log_loss": ("labels", "predictions", "weights", "epsilon", "scope", "loss_collection",
                 "reduction"),
    "mean_squared_error": ("labels", "predictions") + _COMMON,
    "sigmoid_cross_entropy": ("multi_class_labels", "logits", "weights", "label_smoothing",
                              "scope", "loss_collection", "reduction"),
    "softmax_cross_entropy": ("onehot_labels", "logits", "weights", "label_smoothing", "scope",
                              "loss_collection", "reduction"),
    "sparse_softmax_cross_entropy": ("labels", "logits") + _COMMON,
    "compute_weighted_loss": ("losses",) + _COMMON,
}
# tf.losses.Reduction values (and their strings) → how the weighted losses are reduced.
_REDUCTIONS = {"NONE": "none", "SUM": "sum", "MEAN": "mean",
               "SUM_OVER_BATCH_SIZE": "batch", "SUM_OVER_NONZERO_WEIGHTS": "nonzero",
               "SUM_BY_NONZERO_WEIGHTS": "nonzero"}
_REDUCTION_STRINGS = {"none": "none", "weighted_sum": "sum", "weighted_mean": "mean",
                      "weighted_sum_over_batch_size": "batch",
                      "weighted_sum_by_nonzero_weights": "nonzero"}
_KERAS_NAMES = {"mean_squared_error": "MeanSquaredError",
                "absolute_difference": "MeanAbsoluteError", "huber_loss": "Huber",
                "sigmoid_cross_entropy": "BinaryCrossentropy",
                "softmax_cross_entropy": "CategoricalCrossentropy",
                "sparse_softmax_cross_entropy": "SparseCategoricalCrossentropy"}
# Keywords only TF1's `mean_squared_error` has (TF2's `tf.losses` is Keras: (y_true, y_pred)).
_TF1_MSE_KEYWORDS = {"labels", "predictions", "weights", "scope", "loss_collection",
                     "reduction"}


class _NoFix(Exception):
    pass


class _Loss:
    """The TF2 code of one `tf.losses.X(...)` call."""

    def __init__(self, ctx: Context, kind: str, bound: dict[str, cst.BaseExpression]) -> None:
        self.ctx, self.kind, self.bound = ctx, kind, bound
        self.tf = ctx.tensorflow_name()

    # argument access
    def code(self, name: str) -> str:
        return code_of(self.ctx, self.bound[name])

    def atom(self, name: str) -> str:
        return operand(self.ctx, self.bound[name])

    def twice(self, *names: str) -> None:
        """The arguments `names` are written more than once: they must be pure."""
        for name in names:
            if name in self.bound and not _pure(self.ctx, self.bound[name]):
                raise _NoFix(f"`{name}` is used more than once in the TF2 form and its "
                             "expression may not give the same value twice: bind it to a "
                             "name first")

    def reduction(self) -> str:
        node = self.bound.get("reduction")
        if node is None:
            return "nonzero"
        if isinstance(node, cst.SimpleString) and node.evaluated_value in _REDUCTION_STRINGS:
            return _REDUCTION_STRINGS[node.evaluated_value]
        name = self.ctx.qualified_name(node) or ""
        prefix = "tensorflow.losses.Reduction."
        if name.startswith(prefix) and name[len(prefix):] in _REDUCTIONS:
            return _REDUCTIONS[name[len(prefix):]]
        raise _NoFix("the `reduction` is not a `tf.losses.Reduction` constant")

    def labels_name(self) -> str:
        return {"sigmoid_cross_entropy": "multi_class_labels",
                "softmax_cross_entropy": "onehot_labels",
                "compute_weighted_loss": "losses"}.get(self.kind, "labels")

    def output_name(self) -> str:
        return "logits" if self.kind in ("hinge_loss", "sigmoid_cross_entropy",
                                         "softmax_cross_entropy",
                                         "sparse_softmax_cross_entropy") else "predictions"

    def smoothing(self) -> str | None:
        node = self.bound.get("label_smoothing")
        if node is None or literal_number(node) == 0.0:
            return None
        return self.code("label_smoothing")

    def softmax_labels(self) -> str:
        labels = self.code("onehot_labels")
        if _is_data(self.ctx, self.bound["onehot_labels"]):
            return labels
        return f"{self.tf}.stop_gradient({labels})"

    # the pieces
    def keras(self) -> str | None:
        """A Keras loss object called on the inputs (the unweighted mean), if exact."""
        tf = self.tf
        cls = _KERAS_NAMES.get(self.kind)
        if cls is None:
            return None
        options = []
        if self.kind in ("sigmoid_cross_entropy", "softmax_cross_entropy",
                         "sparse_softmax_cross_entropy"):
            options.append("from_logits=True")
        if self.kind == "huber_loss" and "delta" in self.bound:
            options.append(f"delta={self.code('delta')}")
        smoothing = self.smoothing()
        if smoothing is not None:
            options.append(f"label_smoothing={smoothing}")
        labels = self.softmax_labels() if self.kind == "softmax_cross_entropy" else \
            self.code(self.labels_name())
        return (f"{tf}.keras.losses.{cls}({', '.join(options)})"
                f"({labels}, {self.code(self.output_name())})")

    def elements(self) -> tuple[str, bool]:
        """TF1's per-element (per-sample for softmax) loss tensor: (code, is an atom)."""
        tf, kind = self.tf, self.kind
        if kind == "compute_weighted_loss":
            return self.code("losses"), isinstance(self.bound["losses"], ATOMS)
        if kind == "mean_squared_error":
            return f"{tf}.math.squared_difference({self.code('predictions')}, " \
                   f"{self.code('labels')})", True
        if kind == "absolute_difference":
            return f"{tf}.abs({self.atom('predictions')} - {self.atom('labels')})", True
        if kind == "huber_loss":
            self.twice("predictions", "labels")
            error = f"{self.atom('predictions')} - {self.atom('labels')}"
            delta = self.bound.get("delta")
            if delta is None or literal_number(delta) == 1.0:
                linear = f"{tf}.abs({error}) - 0.5"
                bound = "1.0"
            else:
                self.twice("delta")
                bound = self.atom("delta")
                value = literal_number(delta)
                half_square = repr(0.5 * value * value) if value is not None else \
                    f"0.5 * {bound} ** 2"
                linear = f"{bound} * {tf}.abs({error}) - {half_square}"
            return (f"{tf}.where({tf}.abs({error}) <= {bound}, 0.5 * {tf}.square({error}), "
                    f"{linear})"), True
        if kind == "hinge_loss":
            return f"{tf}.nn.relu(1.0 - (2.0 * {self.atom('labels')} - 1.0) * " \
                   f"{self.atom('logits')})", True
        if kind == "log_loss":
            self.twice("predictions", "labels", "epsilon")
            labels, predictions = self.atom("labels"), self.atom("predictions")
            epsilon = self.atom("epsilon") if "epsilon" in self.bound else "1e-07"
            return (f"-{labels} * {tf}.math.log({predictions} + {epsilon}) - (1.0 - {labels}) * "
                    f"{tf}.math.log(1.0 - {predictions} + {epsilon})"), False
        if kind == "sigmoid_cross_entropy":
            labels = self.code("multi_class_labels")
            smoothing = self.smoothing()
            if smoothing is not None:
                s = operand(self.ctx, self.bound["label_smoothing"])
                self.twice("label_smoothing")
                labels = f"{self.atom('multi_class_labels')} * (1 - {s}) + 0.5 * {s}"
            return f"{tf}.nn.sigmoid_cross_entropy_with_logits(labels={labels}, " \
                   f"logits={self.code('logits')})", True
        if kind == "softmax_cross_entropy":
            labels = self.code("onehot_labels")
            smoothing = self.smoothing()
            if smoothing is not None:
                s = operand(self.ctx, self.bound["label_smoothing"])
                self.twice("label_smoothing", "onehot_labels")
                labels = (f"{self.atom('onehot_labels')} * (1 - {s}) + {s} / "
                          f"{tf}.cast({tf}.shape({labels})[-1], {tf}.float32)")
            if not _is_data(self.ctx, self.bound["onehot_labels"]):
                labels = f"{tf}.stop_gradient({labels})"
            return f"{tf}.nn.softmax_cross_entropy_with_logits(labels={labels}, " \
                   f"logits={self.code('logits')})", True
        if kind == "sparse_softmax_cross_entropy":
            return f"{tf}.nn.sparse_softmax_cross_entropy_with_logits(" \
                   f"labels={self.code('labels')}, logits={self.code('logits')})", True
        assert kind == "cosine_distance"
        axis = self.code("axis") if "axis" in self.bound else self.code("dim")
        return (f"1.0 - {tf}.reduce_sum({self.atom('predictions')} * {self.atom('labels')}, "
                f"axis={axis}, keepdims=True)"), False

    def shape(self) -> str:
        """The shape of the per-element losses, from an input (weights broadcast to it)."""
        tf = self.tf
        if self.kind == "softmax_cross_entropy":
            self.twice("logits")
            return f"{tf}.shape({self.code('logits')})[:-1]"
        if self.kind == "cosine_distance":
            raise _NoFix("`cosine_distance` with weights: write TF1's weighted mean by hand")
        name = self.labels_name()
        self.twice(name)
        return f"{tf}.shape({self.code(name)})"

    # the whole expression
    def expression(self) -> str:
        tf = self.tf
        if self.kind == "cosine_distance" and "axis" not in self.bound and \
                "dim" not in self.bound:
            raise _NoFix("`cosine_distance` needs `axis`")
        for required in LOSS_PARAMS[self.kind][:1 if self.kind == "compute_weighted_loss" else 2]:
            if required not in self.bound:
                raise _NoFix(f"`{required}` is not given")
        reduction = self.reduction()
        weights = self.bound.get("weights")
        value = literal_number(weights) if weights is not None else 1.0
        if value == 0.0:
            raise _NoFix("weights of 0 make the loss 0")

        def unweighted_mean() -> str:
            keras = self.keras()
            if keras is not None:
                return keras
            return f"{tf}.reduce_mean({self.elements()[0]})"

        if value == 1.0:
            if reduction in ("nonzero", "mean", "batch"):
                return unweighted_mean()
            elements, atomic = self.elements()
            return elements if reduction == "none" else f"{tf}.reduce_sum({elements})"
        if value is not None:  # a literal weight c: TF1's sum of c·loss over the count
            c = code_of(self.ctx, weights)
            if reduction == "mean":
                return unweighted_mean()
            if reduction in ("nonzero", "batch"):
                return f"{operand(self.ctx, weights)} * {unweighted_mean()}"
            elements, atomic = self.elements()
            elements = elements if atomic else _wrap(elements)
            if reduction == "sum":
                return f"{tf}.reduce_sum({c} * {elements})"
            return f"{operand(self.ctx, weights)} * {elements}"
        elements, atomic = self.elements()
        elements = elements if atomic else _wrap(elements)
        w = code_of(self.ctx, weights)
        factor = operand(self.ctx, weights) if _makes_float32(self.ctx, weights) else \
            f"{tf}.cast({w}, {tf}.float32)"
        weighted = f"{factor} * {elements}"
        if reduction == "none":
            return weighted
        if reduction == "sum":
            return f"{tf}.reduce_sum({weighted})"
        if reduction == "batch":
            return f"{tf}.reduce_mean({weighted})"
        self.twice("weights")
        shape = self.shape()
        if reduction == "mean":
            return (f"{tf}.math.divide_no_nan({tf}.reduce_sum({weighted}), "
                    f"{tf}.reduce_sum({tf}.broadcast_to({factor}, {shape})))")
        return (f"{tf}.math.divide_no_nan({tf}.reduce_sum({weighted}), "
                f"{tf}.math.count_nonzero({tf}.broadcast_to({w}, {shape}), "
                f"dtype={tf}.float32))")


def _tf1_evidence(ctx: Context, exclude: str) -> bool:
    cached = getattr(ctx, "_losses_tf1_evidence", None)
    if cached is None:
        cached = any(name.startswith("tensorflow.") and not name.startswith(exclude)
                     and is_tf1_name(short(name)) for _, name in ctx.named_expressions()) or \
            any(name.startswith("tensorflow.compat.v1") for name in ctx.module_imports())
        ctx._losses_tf1_evidence = cached
    return cached


class TF1Loss(Rule):
    code = "TFM510"
    name = "tf1-loss-function"
    summary = ("`tf.losses.*` is gone in TF2: a Keras loss, or TF1's weighted reduction "
               "written out.")
    fix = FixSafety.SAFE
    references = tuple(f"tensorflow.losses.{name}" for name in LOSS_PARAMS) + (
        "tensorflow.losses.mean_pairwise_squared_error",)
    doc = """
## Why
`tf.losses` (TF1) does not exist in TF2 (`tf.losses` is Keras' losses module there).
TF1's losses reduce by `SUM_BY_NONZERO_WEIGHTS`: the weighted sum of the per-element losses
over the number of non-zero weights; Keras losses average each sample's losses over the
last axis, weight the samples and divide by the batch size. Without weights both give the
mean; with a zero weight they differ (0.0775 vs 0.0517 in MIGRATION_MAP §8), and Keras
cannot weight single elements at all (for labels of rank 1 it averages before weighting).

## What it becomes
Without `weights` (or `weights=1.0`) and a mean-like reduction: a Keras loss object —
`MeanSquaredError`, `MeanAbsoluteError`, `Huber(delta=...)`,
`BinaryCrossentropy(from_logits=True, label_smoothing=...)` for `sigmoid_cross_entropy`,
`CategoricalCrossentropy(from_logits=True, ...)` for `softmax_cross_entropy`,
`SparseCategoricalCrossentropy(from_logits=True)` — or, where Keras computes something else,
the plain mean of TF1's formula: `hinge_loss` (TF1 maps every label to 2y−1; Keras only
{0,1} labels), `log_loss` (TF1 adds epsilon inside the log; Keras clips),
`cosine_distance` (1 − Σ p·y over `axis`, no normalisation; Keras normalises).
A literal weight c multiplies the mean. With a weights tensor, TF1's reduction is written
out: `tf.math.divide_no_nan(tf.reduce_sum(w * losses), tf.math.count_nonzero(
tf.broadcast_to(w, shape), dtype=tf.float32))`; `reduction=` maps to the same pieces
(`NONE` → the weighted per-element losses, `SUM` → their sum, `MEAN` → over the sum of the
weights, `SUM_OVER_BATCH_SIZE` → their mean). `softmax_cross_entropy` stops the gradient
into its labels as TF1 did (`tf.stop_gradient`), unless they are fed or constant data.
`scope` and `loss_collection` are dropped. Weights that are not certainly float32 are cast,
as TF1 cast them.

## Caveats
TF1 also added each loss to the `LOSSES` collection: code reading it
(`tf.losses.get_total_loss()`) is reported by TFM511. Weights must broadcast to the losses
as TF1 required; TF1 squeezed a trailing 1 of `sparse_softmax_cross_entropy`'s weights,
`tf.broadcast_to` raises instead. `cosine_distance` with a weights tensor and
`mean_pairwise_squared_error` are reported without a fix. `tf.losses.mean_squared_error`
also exists in TF2 (Keras' per-sample function): it is only rewritten with TF1 arguments
or other TF1 code in the module.
"""
    examples = (
        Valid("import tensorflow as tf\n\nloss = tf.keras.losses.MeanSquaredError()(y, p)\n"),
        Valid("import tensorflow as tf\n\nper_sample = tf.losses.mean_squared_error(y, p)\n"),
        Invalid("import tensorflow as tf\n\n"
                "loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)\n",
                "import tensorflow as tf\n\n"
                "loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)"
                "(y, logits)\n"),
        Invalid("import tensorflow as tf\n\n"
                "y = tf.placeholder(tf.float32, [None, 3])\n"
                "loss = tf.losses.softmax_cross_entropy(y, logits, label_smoothing=0.1)\n",
                "import tensorflow as tf\n\n"
                "y = tf.placeholder(tf.float32, [None, 3])\n"
                "loss = tf.keras.losses.CategoricalCrossentropy(from_logits=True, "
                "label_smoothing=0.1)(y, logits)\n"),
        Invalid("import tensorflow as tf\n\n"
                "loss = tf.losses.mean_squared_error(y, p, weights=mask)\n",
                "import tensorflow as tf\n\n"
                "loss = tf.math.divide_no_nan(tf.reduce_sum(tf.cast(mask, tf.float32) * "
                "tf.math.squared_difference(p, y)), tf.math.count_nonzero(tf.broadcast_to("
                "mask, tf.shape(y)), dtype=tf.float32))\n"),
        Invalid("import tensorflow as tf\n\n"
                "loss = tf.losses.hinge_loss(y, z, reduction=tf.losses.Reduction.SUM)\n",
                "import tensorflow as tf\n\n"
                "loss = tf.reduce_sum(tf.nn.relu(1.0 - (2.0 * y - 1.0) * z))\n"),
        Invalid("import tensorflow as tf\n\n"
                "loss = tf.losses.mean_pairwise_squared_error(y, p)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        kind = ref.qualname.rsplit(".", 1)[-1]
        head = f"`tf.losses.{kind}` is gone in TF2"
        call = ctx.call_of(ref.node)
        if call is None and ref.via_alias:
            return  # `fn = tf.losses.x` is reported where it is written
        if kind == "mean_pairwise_squared_error":
            ctx.report(ref.node, f"{head}: no Keras loss computes it; write the pairwise "
                       "differences with `tf.expand_dims` and reduce them by hand")
            return
        if call is None:
            ctx.report(ref.node, f"{head}: call a Keras loss object (mind the reduction: "
                       "TF1 divides by the number of non-zero weights)")
            return
        bound = bind(call, LOSS_PARAMS[kind])
        if kind == "mean_squared_error" and not ref.written.startswith("tensorflow.compat.v1"):
            tf1_call = bound is None or len(call.args) > 2 or any(
                a.keyword is not None and a.keyword.value in _TF1_MSE_KEYWORDS
                for a in call.args)
            if not tf1_call and not _tf1_evidence(ctx, "tensorflow.losses"):
                return  # TF2's (Keras') per-sample function
        if bound is None:
            ctx.report(ref.node, f"{head}: its arguments cannot be read (`*args`, unknown "
                       "keywords); use a Keras loss or TF1's formula by hand")
            return
        try:
            text = _Loss(ctx, kind, bound).expression()
        except _NoFix as reason:
            ctx.report(ref.node, f"{head}; not fixed: {reason}")
            return
        if _replacement_needs_parens(ctx, call) and not _is_call_text(text):
            text = _wrap(text)
        weighted = "weights" in bound and literal_number(bound["weights"]) != 1.0
        what = ("TF1's weighted reduction (sum over the non-zero weights) written out"
                if weighted or "reduction" in bound else "a Keras loss with TF1's value")
        ctx.report(ref.node, f"{head}: {what}", [Edit(call, parse_expression(text))],
                   imports=("tensorflow",))


def _is_call_text(text: str) -> bool:
    try:
        return isinstance(cst.parse_expression(text), cst.Call)
    except cst.ParserSyntaxError:  # pragma: no cover
        return False


# -- TFM511: loss collections ----------------------------------------------------------------

_COLLECTION_ADVICE = {
    "get_total_loss": "add the loss tensors you computed yourself, plus the Keras "
                      "regularization penalties (`tf.add_n(model.losses)`, computed inside "
                      "the GradientTape)",
    "get_losses": "keep the loss tensors in a Python list",
    "add_loss": "keep the loss in a Python variable and add it to the total yourself (inside "
                "a Keras layer: `self.add_loss(...)`)",
    "get_regularization_loss": "sum the Keras layers' penalties: `tf.add_n(model.losses)` "
                               "(Keras 3 recomputes them at each call), or add "
                               "`scale * tf.nn.l2_loss(w)` for your own variables",
    "get_regularization_losses": "use the Keras layers' penalties: `model.losses`",
}


class LossCollection(Rule):
    code = "TFM511"
    name = "tf1-loss-collection"
    summary = "`tf.losses.get_total_loss` & co. read graph collections that TF2 does not have."
    references = tuple(f"tensorflow.losses.{name}" for name in _COLLECTION_ADVICE)
    doc = """
## Why
TF1's `tf.losses.*` functions added each loss to the graph's `LOSSES` collection and
regularizers to `REGULARIZATION_LOSSES`; `get_total_loss()` summed both. TF2 has no
collections: `tf.compat.v1.losses.get_regularization_loss()` is 0.0 under eager and
`get_total_loss()` raises `ValueError` (MIGRATION_MAP §8).

## What to do
Sum the losses explicitly: `total = loss + tf.add_n(model.losses)` with the Keras layers'
regularization penalties (`model.losses`, recomputed on every call — compute them inside
the GradientTape); a loss added with `add_loss` becomes a Python variable added to the
total (in a Keras layer, `self.add_loss`).

## Caveats
Which losses were in the collection depends on the whole program (every `tf.losses.*` call
with the default `loss_collection`, every regularizer): that is why this is not fixed.
"""
    examples = (
        Valid("import tensorflow as tf\n\ntotal = loss + tf.add_n(model.losses)\n"),
        Invalid("import tensorflow as tf\n\ntotal = tf.losses.get_total_loss()\n"),
        Invalid("import tensorflow as tf\n\nreg = tf.losses.get_regularization_loss()\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        kind = ref.qualname.rsplit(".", 1)[-1]
        ctx.report(ref.node, f"`tf.losses.{kind}` reads a graph collection TF2 does not "
                   f"have: {_COLLECTION_ADVICE[kind]}")


# -- TFM512: tf.nn.softmax_cross_entropy_with_logits (v1) ------------------------------------

class SoftmaxLabelsGradient(Rule):
    code = "TFM512"
    name = "softmax-xent-labels-gradient"
    summary = ("TF2's `softmax_cross_entropy_with_logits` back-propagates into the labels; "
               "TF1's did not.")
    fix = FixSafety.SAFE
    references = ("tensorflow.nn.softmax_cross_entropy_with_logits",)
    doc = """
## Why
TF1's `tf.nn.softmax_cross_entropy_with_logits` stopped the gradient into `labels`; the
TF2 function of the same name (TF1's `_v2`) does not (MIGRATION_MAP caveat 23). Where the
labels are computed by the model (soft targets, distillation, a teacher network), a TF2
training step would also update what produced them.

## What it becomes
`labels=tf.stop_gradient(labels)`, in modules with other TF1 code only (the same call in
TF2 code means the TF2 function). Labels that are fed or constant data (a placeholder,
`tf.one_hot(...)`, a `tf.constant`, a literal) are left as they are: no gradient can reach
them.

## Caveats
`tf.nn.softmax_cross_entropy_with_logits_v2` is TF2's function under its TF1 name (TFM801
renames it) and keeps back-propagating into the labels, as it did in TF1.
"""
    examples = (
        Valid("import tensorflow as tf\n\n"
              "xent = tf.nn.softmax_cross_entropy_with_logits(labels=t, logits=z)\n"),
        Valid("import tensorflow as tf\n\ny = tf.placeholder(tf.float32, [None, 3])\n"
              "xent = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)\n"),
        Invalid("import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None, 3])\n"
                "xent = tf.nn.softmax_cross_entropy_with_logits(labels=tf.nn.softmax(t), "
                "logits=z)\n",
                "import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None, 3])\n"
                "xent = tf.nn.softmax_cross_entropy_with_logits(labels=tf.stop_gradient("
                "tf.nn.softmax(t)), logits=z)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        call = ctx.call_of(ref.node)
        if call is None:
            return
        labels = next((a for a in call.args if a.keyword is not None and
                       a.keyword.value == "labels"), None)
        if labels is None or _is_data(ctx, labels.value):
            return
        if _call_name(ctx, labels.value) == "tensorflow.stop_gradient":
            return
        if not ref.written.startswith("tensorflow.compat.v1") and \
                not _tf1_evidence(ctx, "tensorflow.nn.softmax_cross_entropy_with_logits"):
            return
        tf = ctx.tensorflow_name()
        ctx.report(ref.node, "TF1's `softmax_cross_entropy_with_logits` did not back-propagate "
                   "into `labels`; TF2's does: `tf.stop_gradient(labels)` keeps TF1's gradients",
                   [Edit(labels.value, parse_expression(
                       f"{tf}.stop_gradient({code_of(ctx, labels.value)})"))],
                   imports=("tensorflow",))
