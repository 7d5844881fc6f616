"""TFM51x: `tf.losses` → TF2 with TF1's numbers; TFM52x: `tf.assign*`, eager-mode switches,
`tf.contrib.eager` and TF1 optimizers used eagerly.

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
from typing import Iterable

import libcst as cst

from tfmigrate.context import Context, Reference, parse_expression
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid

from .api import is_tf1_name, short
from .optimizers import OPTIMIZERS, keras_optimizer

# -- small helpers ---------------------------------------------------------------------------


def _bind(call: cst.Call, params: tuple[str, ...]) -> dict[str, cst.BaseExpression] | None:
    """TF1 parameter name → argument; None for `*args`/`**kwargs`, unknown or repeated names."""
    bound: dict[str, cst.BaseExpression] = {}
    for position, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is None:
            if position >= len(params):
                return None
            name = params[position]
        else:
            name = arg.keyword.value
            if name not in params:
                return None
        if name in bound:
            return None
        bound[name] = arg.value
    return bound


def _number(node: cst.BaseExpression | None) -> float | None:
    """The value of a numeric literal (`0.1`, `-1`, `1e-3`), else None."""
    if isinstance(node, (cst.Integer, cst.Float)):
        return float(node.evaluated_value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        value = _number(node.expression)
        if value is None:
            return None
        return -value if isinstance(node.operator, cst.Minus) else value
    return None


_ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float,
          cst.SimpleString, cst.List, cst.Tuple, cst.Dict)


def _code(ctx: Context, node: cst.BaseExpression) -> str:
    return ctx.code(node).strip()


def _atom(ctx: Context, node: cst.BaseExpression) -> str:
    """The code of `node`, parenthesised unless it binds tighter than any operator."""
    code = _code(ctx, node)
    if isinstance(node, _ATOMS) or getattr(node, "lpar", None):
        return code
    return f"({code})"


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


class _Unpacked:
    """A name bound by unpacking `value` (`x, y = iterator.get_next()`)."""

    def __init__(self, value: cst.BaseExpression) -> None:
        self.value = value


class _Assignments(cst.CSTVisitor):
    """Every `name = value` of the wanted names (any scope), `_Unpacked(value)` for names
    unpacked from a value, and other bindings as None."""

    def __init__(self, wanted: set[str]) -> None:
        self.wanted = wanted
        self.values: dict[str, list] = {}

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name) and target.target.value in self.wanted:
                self.values.setdefault(target.target.value, []).append(node.value)
            else:
                unpacked = isinstance(target.target, (cst.Tuple, cst.List)) and all(
                    isinstance(e.value, cst.Name) for e in target.target.elements)
                for child in _names_in(target.target):
                    if child.value in self.wanted:
                        self.values.setdefault(child.value, []).append(
                            _Unpacked(node.value) if unpacked else None)

    def visit_Param(self, node: cst.Param) -> None:
        if node.name.value in self.wanted:
            self.values.setdefault(node.name.value, []).append(None)

    def _other(self, target) -> None:
        for child in _names_in(target):
            if child.value in self.wanted:
                self.values.setdefault(child.value, []).append(None)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._other(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._other(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._other(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._other(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._other(node.name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._other(node.name)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._other(node.name)


def _names_in(node: cst.CSTNode) -> Iterable[cst.Name]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            yield current
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)
        else:
            stack.extend(current.children)


def _bindings(ctx: Context, name: str) -> list:
    """The values assigned to `name` anywhere in the module (None for other bindings)."""
    cache = getattr(ctx, "_losses_bindings", None)
    if cache is None:
        cache = ctx._losses_bindings = {}
    if name not in cache:
        visitor = _Assignments({name})
        ctx.module.visit(visitor)
        cache[name] = visitor.values.get(name, [])
    return cache[name]


def _call_name(ctx: Context, node) -> str | None:
    return ctx.qualified_name(node.func) if isinstance(node, cst.Call) else None


def _keyword(call: cst.Call, name: str, position: int | None = None):
    for index, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
        if arg.keyword is None and index == position:
            return arg.value
    return None


def _is_float32(ctx: Context, node: cst.BaseExpression | None) -> bool:
    return node is not None and ctx.qualified_name(node) == "tensorflow.float32"


def _makes_float32(ctx: Context, node, depth: int = 0) -> bool:
    """Whether `node` is certainly a float32 tensor (TF1 cast weights to float32; TF2 does
    not, so anything else is cast explicitly)."""
    if isinstance(node, _Unpacked):
        return False
    if isinstance(node, cst.Float):
        return True
    if isinstance(node, cst.Name) and depth < 3:
        values = _bindings(ctx, node.value)
        return bool(values) and all(v is not None and _makes_float32(ctx, v, depth + 1)
                                    for v in values)
    name = _call_name(ctx, node)
    if name in ("tensorflow.cast", "tensorflow.dtypes.cast"):
        return _is_float32(ctx, _keyword(node, "dtype", 1))
    if name == "tensorflow.to_float":
        return True
    if name in ("tensorflow.placeholder", "tensorflow.ones", "tensorflow.zeros"):
        dtype = _keyword(node, "dtype", 0 if name == "tensorflow.placeholder" else 1)
        return _is_float32(ctx, dtype) if name == "tensorflow.placeholder" or dtype else True
    if name == "tensorflow.sequence_mask":
        return _is_float32(ctx, _keyword(node, "dtype", 2))
    return False


def _is_data(ctx: Context, node, depth: int = 0) -> bool:
    """Whether `node` is fed or constant data, so that no gradient can flow into it."""
    if isinstance(node, _Unpacked):  # x, y = iterator.get_next() / next(iterator)
        value = node.value
        return isinstance(value, cst.Call) and (
            isinstance(value.func, cst.Attribute) and value.func.attr.value == "get_next" or
            isinstance(value.func, cst.Name) and value.func.value == "next")
    if isinstance(node, (cst.Integer, cst.Float, cst.List, cst.Tuple)):
        return True
    if isinstance(node, cst.Subscript):
        return _is_data(ctx, node.value, depth)
    if isinstance(node, cst.Name) and depth < 3:
        values = _bindings(ctx, node.value)
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
        return _code(self.ctx, self.bound[name])

    def atom(self, name: str) -> str:
        return _atom(self.ctx, self.bound[name])

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
        if node is None or _number(node) == 0.0:
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
            return self.code("losses"), isinstance(self.bound["losses"], _ATOMS)
        if kind == "mean_squared_error":
            return f"{tf}.math.squared_difference({self.code('predictions')}, " \
                   f"{self.code('labels')})", True
        if kind == "absolute_difference":
            return f"{tf}.abs({self.atom('predictions')} - {self.atom('labels')})", True
        if kind == "huber_loss":
            self.twice("predictions", "labels")
            error = f"{self.atom('predictions')} - {self.atom('labels')}"
            delta = self.bound.get("delta")
            if delta is None or _number(delta) == 1.0:
                linear = f"{tf}.abs({error}) - 0.5"
                bound = "1.0"
            else:
                self.twice("delta")
                bound = self.atom("delta")
                value = _number(delta)
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
                s = _atom(self.ctx, self.bound["label_smoothing"])
                self.twice("label_smoothing")
                labels = f"{self.atom('multi_class_labels')} * (1 - {s}) + 0.5 * {s}"
            return f"{tf}.nn.sigmoid_cross_entropy_with_logits(labels={labels}, " \
                   f"logits={self.code('logits')})", True
        if kind == "softmax_cross_entropy":
            labels = self.code("onehot_labels")
            smoothing = self.smoothing()
            if smoothing is not None:
                s = _atom(self.ctx, self.bound["label_smoothing"])
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
        value = _number(weights) if weights is not None else 1.0
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
            c = _code(self.ctx, weights)
            if reduction == "mean":
                return unweighted_mean()
            if reduction in ("nonzero", "batch"):
                return f"{_atom(self.ctx, weights)} * {unweighted_mean()}"
            elements, atomic = self.elements()
            elements = elements if atomic else _wrap(elements)
            if reduction == "sum":
                return f"{tf}.reduce_sum({c} * {elements})"
            return f"{_atom(self.ctx, weights)} * {elements}"
        elements, atomic = self.elements()
        elements = elements if atomic else _wrap(elements)
        w = _code(self.ctx, weights)
        factor = _atom(self.ctx, weights) if _makes_float32(self.ctx, weights) else \
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
        bound = _bind(call, LOSS_PARAMS[kind])
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
        weighted = "weights" in bound and _number(bound["weights"]) != 1.0
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
                       f"{tf}.stop_gradient({_code(ctx, labels.value)})"))],
                   imports=("tensorflow",))


# -- TFM316: tf.assign ------------------------------------------------------------------------

_ASSIGN_PARAMS = {
    "assign": ("ref", "value", "validate_shape", "use_locking", "name"),
    "assign_add": ("ref", "value", "use_locking", "name"),
    "assign_sub": ("ref", "value", "use_locking", "name"),
}


class AssignFunction(Rule):
    code = "TFM316"
    name = "tf1-assign-function"
    summary = "`tf.assign(v, x)` is gone in TF2: `v.assign(x)` (also `assign_add`/`assign_sub`)."
    fix = FixSafety.SAFE
    references = tuple(f"tensorflow.{name}" for name in _ASSIGN_PARAMS)
    doc = """
## Why
`tf.assign`, `tf.assign_add` and `tf.assign_sub` do not exist in TF2. On a resource
variable (every TF2 variable) TF1's functions called the variable's own method.

## What it becomes
`ref.assign(value)`, `ref.assign_add(value)`, `ref.assign_sub(value)`, keeping `name=`.
`use_locking` is dropped (TF1 ignored it for resource variables) and so is
`validate_shape=True`.

## Caveats
`validate_shape=False` (assigning a value of another shape) is reported without a fix: in TF2
create the variable with `shape=tf.TensorShape(None)`, then `v.assign(value)`. In a
`tf.function` the result of `v.assign(x)` is the variable's new value, as `tf.assign`'s was.
"""
    examples = (
        Valid("import tensorflow as tf\n\nv.assign(3.0)\n"),
        Invalid("import tensorflow as tf\n\nv = tf.Variable(1.0)\n"
                "update = tf.assign(v, v * 2, use_locking=True, name='double')\n"
                "step = tf.assign_add(self.counter, 1)\n",
                "import tensorflow as tf\n\nv = tf.Variable(1.0)\n"
                "update = v.assign(v * 2, name='double')\n"
                "step = self.counter.assign_add(1)\n"),
        Invalid("import tensorflow as tf\n\nv2 = tf.assign(v, x, validate_shape=False)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        kind = ref.qualname.rsplit(".", 1)[-1]
        head = f"`tf.{kind}` is gone in TF2"
        call = ctx.call_of(ref.node)
        bound = _bind(call, _ASSIGN_PARAMS[kind]) if call is not None else None
        if bound is None or "ref" not in bound or "value" not in bound:
            ctx.report(ref.node, f"{head}: call the variable's method, `v.{kind}(value)`")
            return
        validate = bound.get("validate_shape")
        if validate is not None and not (isinstance(validate, cst.Name) and
                                         validate.value in ("True", "None")):
            ctx.report(ref.node, f"{head}: `v.{kind}(value)`; not fixed: TF2 variables keep "
                       "their shape (create the variable with `shape=tf.TensorShape(None)` "
                       "to assign values of other shapes)")
            return
        args = [_code(ctx, bound["value"])]
        if "name" in bound:
            args.append(f"name={_code(ctx, bound['name'])}")
        text = f"{_atom(ctx, bound['ref'])}.{kind}({', '.join(args)})"
        ctx.report(ref.node, f"{head}: `v.{kind}(value)`", [Edit(call, parse_expression(text))])


# -- TFM205: enable_eager_execution -----------------------------------------------------------

_EAGER_SWITCHES = ("tensorflow.enable_eager_execution",
                   "tensorflow.contrib.eager.enable_eager_execution")


class EnableEagerExecution(Rule):
    code = "TFM205"
    name = "enable-eager-execution"
    summary = "`tf.enable_eager_execution()` is gone: TF2 runs eagerly; the call is removed."
    fix = FixSafety.SAFE
    references = _EAGER_SWITCHES
    doc = """
## Why
TF2 executes eagerly from the start; `tf.enable_eager_execution` (and
`tf.contrib.eager.enable_eager_execution`) no longer exist.

## What it becomes
The statement is removed. `tf.executing_eagerly()` stays as it is.

## Caveats
A call with arguments (`config=`, `device_policy=`, `execution_mode=`) is reported without a
fix: set those with `tf.config` (`tf.config.threading`, `tf.config.set_soft_device_placement`,
`tf.config.experimental.set_memory_growth`).
"""
    examples = (
        Valid("import tensorflow as tf\n\nif tf.executing_eagerly():\n    print('eager')\n"),
        Invalid("import tensorflow as tf\n\ntf.enable_eager_execution()\nx = tf.constant(1)\n",
                "import tensorflow as tf\n\nx = tf.constant(1)\n"),
        Invalid("import tensorflow as tf\n\ntf.enable_eager_execution(config=config)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        call = ctx.call_of(ref.node)
        head = "TF2 runs eagerly: `enable_eager_execution` is gone"
        statement = ctx.statement_of(call) if call is not None else None
        if call is None or call.args or not isinstance(statement, cst.Expr) or \
                statement.value is not call:
            ctx.report(ref.node, f"{head}; remove it (set devices and threads with `tf.config`)")
            return
        ctx.report(ref.node, f"{head}: the call is removed", [ctx.removal(statement)])


# -- TFM113: tf.contrib.eager -----------------------------------------------------------------

_EAGER = "tensorflow.contrib.eager."
# tfe.X → a TF2 expression (`{tf}` is the module's name for TensorFlow).
_EAGER_RENAMES = {
    "Variable": "{tf}.Variable", "GradientTape": "{tf}.GradientTape",
    "Checkpoint": "{tf}.train.Checkpoint", "defun": "{tf}.function",
    "executing_eagerly": "{tf}.executing_eagerly", "in_eager_mode": "{tf}.executing_eagerly",
    "py_func": "{tf}.py_function", "TensorSpec": "{tf}.TensorSpec",
}
_IMPLICIT = ("implicit_gradients", "implicit_value_and_gradients")
# The tfe names TFM205/TFM113 fix (TFM110 need not report them too).
EAGER_FIXED = tuple(_EAGER + name for name in (*_EAGER_RENAMES, *_IMPLICIT, "Iterator",
                                                 "Network", "num_gpus",
                                                 "enable_eager_execution"))


def _statement_line(ctx: Context, statement) -> cst.SimpleStatementLine | None:
    line = ctx.parent(statement)
    if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
        return line
    return None


class ContribEager(Rule):
    code = "TFM113"
    name = "tf-contrib-eager"
    summary = "`tf.contrib.eager` (tfe) is gone: its names are TF2's own (`tfe.Variable` → "\
              "`tf.Variable`, ...)."
    fix = FixSafety.SAFE
    references = ("tensorflow.contrib.eager", "tensorflow.contrib.eager.")
    doc = """
## Why
`tf.contrib.eager` (usually imported as `tfe`) carried TF 1.x's eager API. TF2 is eager and
has most of it under its own names; `tf.contrib` does not exist.

## What it becomes
`tfe.Variable` → `tf.Variable`, `tfe.GradientTape` → `tf.GradientTape`, `tfe.Checkpoint` →
`tf.train.Checkpoint`, `tfe.defun` → `tf.function`, `tfe.executing_eagerly` →
`tf.executing_eagerly`, `tfe.py_func` → `tf.py_function`, `tfe.num_gpus()` →
`len(tf.config.list_physical_devices('GPU'))`, `tfe.Iterator(ds)` → `iter(ds)`.
`grad = tfe.implicit_gradients(f)` becomes a function `grad(*args, **kwargs)` that runs `f`
under a `tf.GradientTape` and returns the (gradient, variable) pairs of the trainable
variables `f` read, which is what `implicit_gradients` computed
(`implicit_value_and_gradients`: the value too). A class deriving from `tfe.Network` derives
from `tf.keras.Model`, and its `self.track_layer(layer)` calls become `layer` (Keras tracks
layers assigned to attributes). The `tfe = tf.contrib.eager` line goes once nothing uses it.

## Caveats
`tfe.defun` did not convert Python control flow (AutoGraph); `tf.function` does, which only
matters for code that `defun` rejected. Other `tfe` names (`Saver`, `metrics`,
`gradients_function`, `restore_variables_on_create`, ...) are reported by TFM110, and
`implicit_gradients` used other than by assignment to a name is reported with the recipe.
"""
    examples = (
        Valid("import tensorflow as tf\n\nw = tf.Variable(1.0)\n"),
        Invalid("import tensorflow as tf\n\ntfe = tf.contrib.eager\n"
                "w = tfe.Variable(1.0)\nit = tfe.Iterator(dataset)\n",
                "import tensorflow as tf\n\n"
                "w = tf.Variable(1.0)\nit = iter(dataset)\n"),
        Invalid("import tensorflow as tf\nimport tensorflow.contrib.eager as tfe\n\n"
                "grad = tfe.implicit_gradients(loss_fn)\n",
                "import tensorflow as tf\n\n\n"
                "def grad(*args, **kwargs):\n"
                "    with tf.GradientTape() as tape:\n"
                "        loss = loss_fn(*args, **kwargs)\n"
                "    variables = tape.watched_variables()\n"
                "    return list(zip(tape.gradient(loss, variables), variables))\n"),
        Invalid("import tensorflow as tf\nimport tensorflow.contrib.eager as tfe\n\n\n"
                "class Net(tfe.Network):\n"
                "    def __init__(self):\n"
                "        super(Net, self).__init__()\n"
                "        self.dense = self.track_layer(tf.keras.layers.Dense(3))\n",
                "import tensorflow as tf\n\n\n"
                "class Net(tf.keras.Model):\n"
                "    def __init__(self):\n"
                "        super(Net, self).__init__()\n"
                "        self.dense = tf.keras.layers.Dense(3)\n"),
        Invalid("import tensorflow as tf\n\ntfe = tf.contrib.eager\n"
                "grads = tfe.implicit_gradients(loss_fn)(x)\n"),
    )

    def __init__(self) -> None:
        self.aliases: list[Reference] = []
        self.uses: int = 0

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.qualname == "tensorflow.contrib.eager":
            if ref.via_alias:
                if not isinstance(ctx.parent(ref.node), cst.AssignTarget):
                    self.uses += 1  # the alias itself used as a value
            else:
                self.aliases.append(ref)
            return
        self.uses += 1
        kind = ref.qualname[len(_EAGER):].split(".")[0]
        node = ref.prefix(_EAGER + kind)
        tf = ctx.tensorflow_name()
        head = f"`tfe.{kind}` (tf.contrib.eager) is gone in TF2"
        if kind in _EAGER_RENAMES:
            new = _EAGER_RENAMES[kind].format(tf=tf)
            ctx.report(node, f"{head}: `{new}`", [Edit(node, parse_expression(new))],
                       imports=("tensorflow",))
        elif kind == "num_gpus":
            call = ctx.call_of(node)
            if call is None or call.args:
                ctx.report(node, f"{head}: `len(tf.config.list_physical_devices('GPU'))`")
                return
            count = parse_expression(f"len({tf}.config.list_physical_devices('GPU'))")
            ctx.report(node, f"{head}: count the GPUs with `tf.config`", [Edit(call, count)],
                       imports=("tensorflow",))
        elif kind == "Iterator":
            call = ctx.call_of(node)
            if call is None or len(call.args) != 1 or call.args[0].keyword or call.args[0].star:
                ctx.report(node, f"{head}: iterate the dataset, `iter(dataset)`")
                return
            ctx.report(node, f"{head}: `iter(dataset)`", [Edit(call, parse_expression(
                f"iter({_code(ctx, call.args[0].value)})"))])
        elif kind in _IMPLICIT:
            self.implicit(node, kind, ctx, head)
        elif kind == "Network":
            self.network(node, ctx, head)
        # other names: TFM110 reports them with contrib's guidance

    def implicit(self, node, kind: str, ctx: Context, head: str) -> None:
        tf = ctx.tensorflow_name()
        value = kind == "implicit_value_and_gradients"
        recipe = ("run the function under `with tf.GradientTape() as tape:`, then "
                  "`variables = tape.watched_variables()` and "
                  "`zip(tape.gradient(loss, variables), variables)`")
        call = ctx.call_of(node)
        statement = ctx.statement_of(call) if call is not None else None
        line = _statement_line(ctx, statement) if statement is not None else None
        if call is None or len(call.args) != 1 or call.args[0].keyword or call.args[0].star or \
                not isinstance(statement, cst.Assign) or statement.value is not call or \
                len(statement.targets) != 1 or \
                not isinstance(statement.targets[0].target, cst.Name) or line is None:
            ctx.report(node, f"{head}: {recipe}")
            return
        function = call.args[0].value
        used = {n.value for n in _names_in(function)}
        local = {}
        for wanted, spare in (("args", "args_"), ("kwargs", "kwargs_"), ("tape", "tape_"),
                              ("loss", "value_"), ("variables", "variables_")):
            local[wanted] = spare if wanted in used else wanted
        name = statement.targets[0].target.value
        returned = f"list(zip(tape.gradient({local['loss']}, {local['variables']}), " \
                   f"{local['variables']}))".replace("tape.", f"{local['tape']}.")
        if value:
            returned = f"{local['loss']}, {returned}"
        text = (f"def {name}(*{local['args']}, **{local['kwargs']}):\n"
                f"    with {tf}.GradientTape() as {local['tape']}:\n"
                f"        {local['loss']} = {_atom(ctx, function)}(*{local['args']}, "
                f"**{local['kwargs']})\n"
                f"    {local['variables']} = {local['tape']}.watched_variables()\n"
                f"    return {returned}\n")
        leading = list(line.leading_lines)
        if isinstance(ctx.parent(line), cst.Module):  # two blank lines before a top-level def
            blank = 0
            while blank < len(leading) and leading[blank].comment is None:
                blank += 1
            leading = [cst.EmptyLine()] * max(0, 2 - blank) + leading
        new = cst.parse_statement(text).with_changes(leading_lines=leading)
        ctx.report(node, f"{head}: a function computing the gradients with `tf.GradientTape`",
                   [Edit(line, [new])], imports=("tensorflow",))

    def network(self, node, ctx: Context, head: str) -> None:
        tf = ctx.tensorflow_name()
        arg = ctx.parent(node)
        owner = ctx.parent(arg) if isinstance(arg, cst.Arg) else None
        if not isinstance(owner, cst.ClassDef) or arg.value is not node:
            ctx.report(node, f"{head}: derive from `tf.keras.Model`")
            return
        edits = [Edit(node, parse_expression(f"{tf}.keras.Model"))]
        for child in _walk(owner.body):
            if isinstance(child, cst.Call) and isinstance(child.func, cst.Attribute) and \
                    child.func.attr.value == "track_layer" and \
                    isinstance(child.func.value, cst.Name) and child.func.value.value == "self":
                if len(child.args) != 1 or child.args[0].keyword or child.args[0].star:
                    ctx.report(node, f"{head}: derive from `tf.keras.Model` and assign the "
                               "layers to attributes instead of `track_layer`")
                    return
                edits.append(Edit(child, child.args[0].value))
        ctx.report(node, f"{head}: derive from `tf.keras.Model` (it tracks the layers assigned "
                   "to its attributes)", edits, imports=("tensorflow",))

    def on_module(self, ctx: Context) -> None:
        # `tfe = tf.contrib.eager` once nothing uses `tfe` any more.
        if self.uses:
            return
        for ref in self.aliases:
            statement = ctx.statement_of(ref.node)
            if isinstance(statement, cst.Assign) and statement.value is ref.node and \
                    len(statement.targets) == 1 and \
                    isinstance(statement.targets[0].target, cst.Name):
                ctx.report(ref.node, "`tf.contrib.eager` is gone in TF2 and this alias is no "
                           "longer used", [ctx.removal(statement)])


def _walk(node: cst.CSTNode):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


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
        line = _statement_line(ctx, statement) if statement is not None else None
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
        cached = getattr(ctx, "_losses_eager_module", None)
        if cached is None:
            names = {name for _, name in ctx.named_expressions()}
            cached = not (names & _GRAPH_MARKERS) and \
                not any(n.startswith("tensorflow.estimator") for n in names)
            ctx._losses_eager_module = cached
        return cached

    @staticmethod
    def bound_names(ctx: Context) -> set[str]:
        found = set()
        for node in _walk(ctx.module):
            if isinstance(node, (cst.ClassDef, cst.FunctionDef)):
                found.add(node.name.value)
            elif isinstance(node, cst.AssignTarget) and isinstance(node.target, cst.Name):
                found.add(node.target.value)
        return found

    @staticmethod
    def constant(node: cst.BaseExpression, ctx: Context) -> bool:
        if not isinstance(node, cst.Name):
            return False
        values = _bindings(ctx, node.value)
        return len(values) == 1 and _number(values[0]) is not None

    @staticmethod
    def uses_problem(name: str, ctx: Context) -> str | None:
        values = _bindings(ctx, name)
        if len(values) != 1:
            return f"`{name}` is bound more than once"
        for node in _walk(ctx.module):
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
