"""Summaries and streaming metrics: the v1 → v2 call rewrites that the graph rule applies.

This module holds no rule of its own (TFM4xx findings are made by `rules/graph.py`, which
knows where a summary or metric is fetched and run); it turns one TF1 call into the text of
its TF2 replacement, or says why it cannot:

- `v2_summary_call`: `tf.summary.scalar/histogram/image/audio/text(name, tensor, ...)` →
  the same function of `tf.summary` with `step=` (MIGRATION_MAP §6);
- `file_writer_call`: `tf.summary.FileWriter(logdir, graph, ...)` →
  `tf.summary.create_file_writer(logdir, ...)`;
- `keras_metric`: `value, update_op = tf.metrics.X(labels, predictions, ...)` → a Keras
  metric object, its constructor and the arguments of its `update_state` (§8, metric rows);
- `unconvertible_reason`: for any of those calls, why it has no v2 rewrite (None: it has).

Every function works on a libcst `Call` whose callee resolves to `qualname` (canonical, as the
engine gives it: `tensorflow.summary.scalar`; `tensorflow.compat.v1.` spellings are accepted
too); `tf` is how the fixed file spells TensorFlow's top-level module. No TensorFlow import.

What the fixtures in `fixtures/summaries/` prove by execution (event files read back and
compared, see `tfmigrate/verify.py`): scalars, histograms, uint8 images, and the streaming
accuracy, mean and precision metrics.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ._calls import Unbound, bind_args

__all__ = ["MetricPlan", "v2_summary_call", "file_writer_call", "keras_metric",
           "unconvertible_reason", "SUMMARY_FUNCTIONS", "METRIC_FUNCTIONS"]

_EMPTY = cst.Module([])

# v1 signatures, in positional order (tf.compat.v1.summary on TF 2.21)
_SUMMARY_PARAMS = {
    "scalar": ("name", "tensor", "collections", "family"),
    "histogram": ("name", "values", "collections", "family"),
    "image": ("name", "tensor", "max_outputs", "collections", "family"),
    "audio": ("name", "tensor", "sample_rate", "max_outputs", "collections", "family"),
    "text": ("name", "tensor", "collections"),
}
SUMMARY_FUNCTIONS = tuple(f"tensorflow.summary.{name}" for name in _SUMMARY_PARAMS)

_FILE_WRITER_PARAMS = ("logdir", "graph", "max_queue", "flush_secs", "graph_def",
                       "filename_suffix", "session")

_COLLECTIONS = ("metrics_collections", "updates_collections")
_LABELED = ("labels", "predictions", "weights")
_METRIC_PARAMS = {
    "accuracy": (*_LABELED, *_COLLECTIONS, "name"),
    "mean": ("values", "weights", *_COLLECTIONS, "name"),
    "auc": (*_LABELED, "num_thresholds", *_COLLECTIONS, "curve", "name", "summation_method",
            "thresholds"),
    "precision": (*_LABELED, *_COLLECTIONS, "name"),
    "recall": (*_LABELED, *_COLLECTIONS, "name"),
    "true_positives": (*_LABELED, *_COLLECTIONS, "name"),
    "false_positives": (*_LABELED, *_COLLECTIONS, "name"),
    "true_negatives": (*_LABELED, *_COLLECTIONS, "name"),
    "false_negatives": (*_LABELED, *_COLLECTIONS, "name"),
    "precision_at_thresholds": ("labels", "predictions", "thresholds", "weights",
                                *_COLLECTIONS, "name"),
    "recall_at_thresholds": ("labels", "predictions", "thresholds", "weights", *_COLLECTIONS,
                             "name"),
    "true_positives_at_thresholds": ("labels", "predictions", "thresholds", "weights",
                                     *_COLLECTIONS, "name"),
    "false_positives_at_thresholds": ("labels", "predictions", "thresholds", "weights",
                                      *_COLLECTIONS, "name"),
    "true_negatives_at_thresholds": ("labels", "predictions", "thresholds", "weights",
                                     *_COLLECTIONS, "name"),
    "false_negatives_at_thresholds": ("labels", "predictions", "thresholds", "weights",
                                      *_COLLECTIONS, "name"),
    "mean_squared_error": (*_LABELED, *_COLLECTIONS, "name"),
    "root_mean_squared_error": (*_LABELED, *_COLLECTIONS, "name"),
    "mean_absolute_error": (*_LABELED, *_COLLECTIONS, "name"),
    "mean_relative_error": ("labels", "predictions", "normalizer", "weights", *_COLLECTIONS,
                            "name"),
    "percentage_below": ("values", "threshold", "weights", *_COLLECTIONS, "name"),
    "mean_iou": ("labels", "predictions", "num_classes", "weights", *_COLLECTIONS, "name"),
}
METRIC_FUNCTIONS = tuple(f"tensorflow.metrics.{name}" for name in _METRIC_PARAMS)

# tf.metrics.* with no Keras 3 class computing the same numbers
_NO_KERAS_METRIC = {
    "mean_tensor": "Keras 3 has no MeanTensor; keep a running sum and count in variables",
    "mean_cosine_distance": "its value is 1 - mean(sum(labels * predictions, dim)); use "
                            "keras.metrics.Mean on that sum and subtract the result from 1",
    "mean_per_class_accuracy": "Keras has no per-class mean accuracy metric",
    "sensitivity_at_specificity": "keras.metrics.SensitivityAtSpecificity picks its threshold "
                                  "by another rule than TF1 (values differ)",
    "specificity_at_sensitivity": "keras.metrics.SpecificityAtSensitivity picks its threshold "
                                  "by another rule than TF1 (values differ)",
    "precision_at_k": "Keras has no sparse multi-label precision@k",
    "recall_at_k": "Keras has no sparse multi-label recall@k",
    "precision_at_top_k": "Keras has no sparse multi-label precision@k",
    "recall_at_top_k": "Keras has no sparse multi-label recall@k",
    "sparse_precision_at_k": "Keras has no sparse multi-label precision@k",
    "average_precision_at_k": "Keras has no average precision@k",
    "sparse_average_precision_at_k": "Keras has no average precision@k",
}

# confusion-matrix metrics: TF1 counts a prediction as positive when it is non-zero
_CONFUSION = {"precision": "Precision", "recall": "Recall",
              "true_positives": "TruePositives", "false_positives": "FalsePositives",
              "true_negatives": "TrueNegatives", "false_negatives": "FalseNegatives"}
# TF functions whose result is boolean or a non-negative index: `x > 0` is `x != 0` there
_BOOLEAN_OR_INDEX = {"equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
                     "logical_and", "logical_or", "logical_not", "logical_xor", "argmax",
                     "argmin", "is_nan", "is_finite", "is_inf", "in_top_k"}


@dataclass(frozen=True)
class MetricPlan:
    """How a `tf.metrics.X(...)` call becomes a Keras metric object.

    TF1 returns `(value, update_op)`, with the metric's variables in LOCAL_VARIABLES. In TF2:
    the object is built once with `constructor` (a state-constructing statement, so it stays
    where it is); running `update_op` becomes `m.update_state(<update_args>)` (then
    `m.result()` where the update op's value was used); running `value` becomes
    `m.result()`; running `tf.local_variables_initializer()` again becomes
    `m.reset_state()`.
    """

    keras_class: str  # e.g. "Accuracy"
    constructor: str  # e.g. "tf.keras.metrics.Accuracy(name='acc')"
    update_args: str  # e.g. "labels, predictions, sample_weight=weights"
    note: str = ""  # how TF1's numbers are kept (or where they may differ), for the message


# -- helpers ---------------------------------------------------------------------------------

def _code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def _atom(node: cst.BaseExpression) -> str:
    """`node`'s code, parenthesised unless it binds tighter than any operator."""
    text = _code(node)
    if node.lpar or isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript,
                                      cst.Integer, cst.Float, cst.SimpleString, cst.List,
                                      cst.Tuple, cst.Dict)):
        return text
    return f"({text})"


def _short_name(qualname: str, module: str) -> str | None:
    for prefix in (f"tensorflow.{module}.", f"tensorflow.compat.v1.{module}."):
        if qualname.startswith(prefix) and "." not in qualname[len(prefix):]:
            return qualname[len(prefix):]
    return None


def _is_none(arg: cst.Arg | None) -> bool:
    return arg is None or (isinstance(arg.value, cst.Name) and arg.value.value == "None")


def _literal(arg: cst.Arg | None):
    """The value of a literal number or string argument (`_literal` itself: not a literal)."""
    if arg is None:
        return None
    node = arg.value
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value == "None":
        return None
    return _literal


def _positional(arg: cst.Arg, keyword: str) -> str:
    value = _code(arg.value)
    return value if arg.keyword is None else f"{keyword}={value}"


# -- summaries -------------------------------------------------------------------------------

def _summary_problem(call: cst.Call, kind: str) -> str | None:
    if any(arg.keyword is not None and arg.keyword.value == "step" for arg in call.args):
        return "the call already has `step=` (it is a v2 summary)"
    try:
        bound = bind_args(call, _SUMMARY_PARAMS[kind])
    except Unbound as error:
        return str(error)
    for required in _SUMMARY_PARAMS[kind][:2] + (("sample_rate",) if kind == "audio" else ()):
        if required not in bound:
            return f"argument `{required}` is missing"
    collections = bound.get("collections")
    if not _is_none(collections):
        node = collections.value
        default = isinstance(node, (cst.List, cst.Tuple)) and len(node.elements) == 1 \
            and _code(node.elements[0].value).endswith(".GraphKeys.SUMMARIES")
        if not default:
            return ("`collections=` puts the summary in a graph collection that some "
                    "`tf.summary.merge(tf.get_collection(...))` fetches; TF2 has no "
                    "collections: write the summary where that merge was run, with the "
                    "writer that wrote it")
    if not _is_none(bound.get("family")):
        return ("`family=` makes the TF1 tag `<family>/<scope>/<family>/<name>`; write the "
                "v2 summary inside `with tf.name_scope(family):` or put the prefix in the "
                "name, as the dashboards expect")
    return None


def v2_summary_call(call: cst.Call, qualname: str, tf: str, step: str) -> str | None:
    """`tf.summary.scalar(name, tensor)` (TF1) → `tf.summary.scalar(name, tensor, step=step)`.

    Also for `histogram`, `image`, `audio` and `text`. The first argument stays the name (the
    tag, as in TF1 outside name scopes), the v1 `tensor`/`values` argument becomes `data`,
    `max_outputs` and `step` are passed by keyword (their positions differ in v2), and
    `collections=None`/the default collection is dropped. None when the call is not a v1
    summary or cannot be converted (`family=`, other collections, `*args`; see
    `unconvertible_reason`).

    Caveats the caller's message should carry (not fixable from the call alone):
    TF1 uniquifies a tag used twice in one graph (`loss_1`), v2 does not; a float `image`
    is rescaled by TF1 (largest value → 255) but clipped to [0, 1] by v2, so only uint8
    images keep their pixels; a v1 `audio` tensor may be [k, t], v2 needs [k, t, c].
    """
    kind = _short_name(qualname, "summary")
    if kind not in _SUMMARY_PARAMS or _summary_problem(call, kind) is not None:
        return None
    bound = bind_args(call, _SUMMARY_PARAMS[kind])
    data = _SUMMARY_PARAMS[kind][1]
    positional: list[str] = []
    keywords: list[str] = []
    name_arg, data_arg = bound["name"], bound[data]
    # keep positional arguments positional while they come first in the original call
    leading = True
    for arg, keyword in ((name_arg, "name"), (data_arg, "data"),
                         (bound.get("sample_rate"), "sample_rate")):
        if arg is None:
            continue
        if arg.keyword is None and leading:
            positional.append(_code(arg.value))
        else:
            leading = False
            keywords.append(f"{keyword}={_code(arg.value)}")
    keywords.append(f"step={step}")
    if kind in ("image", "audio") and "max_outputs" in bound:
        keywords.append(f"max_outputs={_code(bound['max_outputs'].value)}")
    return f"{tf}.summary.{kind}({', '.join(positional + keywords)})"


# -- the writer ------------------------------------------------------------------------------

def _file_writer_problem(call: cst.Call) -> str | None:
    try:
        bound = bind_args(call, _FILE_WRITER_PARAMS)
    except Unbound as error:
        return str(error)
    if "logdir" not in bound:
        return "argument `logdir` is missing"
    if not _is_none(bound.get("session")):
        return ("`session=` makes a writer that runs summary ops in that session; use "
                "`tf.summary.create_file_writer(logdir)` and write summaries eagerly")
    flush = _literal(bound.get("flush_secs"))
    if isinstance(flush, str):
        return "`flush_secs` must be a number"
    return None


def file_writer_call(call: cst.Call, qualname: str, tf: str) -> str | None:
    """`tf.summary.FileWriter(logdir, graph, max_queue, flush_secs, graph_def,
    filename_suffix)` → `tf.summary.create_file_writer(logdir, max_queue=...,
    flush_millis=..., filename_suffix=...)`.

    `graph`/`graph_def` are dropped (TF2 writes graphs with `tf.summary.trace_on` /
    `trace_export`, a separate decision); `flush_secs` becomes `flush_millis` (a literal is
    multiplied out, an expression becomes `int(x * 1000)`); the defaults agree (10 events,
    120 s). None when the call cannot be converted (`session=`, `*args`).
    """
    if _short_name(qualname, "summary") != "FileWriter" or _file_writer_problem(call):
        return None
    bound = bind_args(call, _FILE_WRITER_PARAMS)
    parts = [_positional(bound["logdir"], "logdir")]
    if not _is_none(bound.get("max_queue")):
        parts.append(f"max_queue={_code(bound['max_queue'].value)}")
    if not _is_none(bound.get("flush_secs")):
        node = bound["flush_secs"].value
        flush = _literal(bound["flush_secs"])
        if isinstance(flush, (int, float)):
            parts.append(f"flush_millis={int(round(flush * 1000))}")
        else:
            parts.append(f"flush_millis=int({_atom(node)} * 1000)")
    if not _is_none(bound.get("filename_suffix")):
        parts.append(f"filename_suffix={_code(bound['filename_suffix'].value)}")
    return f"{tf}.summary.create_file_writer({', '.join(parts)})"


# -- metrics ---------------------------------------------------------------------------------

def _metric_problem(call: cst.Call, name: str) -> str | None:
    if name in _NO_KERAS_METRIC:
        return f"`tf.metrics.{name}`: {_NO_KERAS_METRIC[name]}"
    if name not in _METRIC_PARAMS:
        return f"`tf.metrics.{name}` has no known Keras equivalent"
    try:
        bound = bind_args(call, _METRIC_PARAMS[name])
    except Unbound as error:
        return str(error)
    params = _METRIC_PARAMS[name]
    for param in params[:params.index("weights")]:  # the ones without a default
        if param not in bound:
            return f"argument `{param}` is missing"
    for collection in _COLLECTIONS:
        if not _is_none(bound.get(collection)):
            return (f"`{collection}=` adds the metric to graph collections; a Keras metric "
                    "is an object: pass it where the collection was read")
    if name == "auc":
        curve = _literal(bound.get("curve")) if "curve" in bound else "ROC"
        method = _literal(bound.get("summation_method")) \
            if "summation_method" in bound else "trapezoidal"
        if curve not in ("ROC", "PR") or method not in ("trapezoidal", "careful_interpolation",
                                                         "minoring", "majoring"):
            return ("`curve` and `summation_method` must be literal strings to choose the "
                    "Keras AUC's summation")
        if curve == "PR" and method == "trapezoidal":
            return ("a PR AUC with TF1's 'trapezoidal' summation has no Keras equivalent "
                    "(keras.metrics.AUC(curve='PR') interpolates like TF1's "
                    "'careful_interpolation', which gives other numbers)")
    return None


def _boolean_or_index(node: cst.BaseExpression, tf: str) -> bool:
    """Whether `node` is syntactically a boolean or a non-negative index tensor."""
    if isinstance(node, cst.Comparison) or (isinstance(node, cst.UnaryOperation)
                                            and isinstance(node.operator, cst.Not)):
        return True
    if isinstance(node, cst.Call):
        func = _code(node.func)
        if not func.startswith(f"{tf}."):
            return False
        last = func.rsplit(".", 1)[-1]
        if last in _BOOLEAN_OR_INDEX:
            return True
        if last == "cast" and len(node.args) >= 2:
            return _code(node.args[1].value) in (f"{tf}.bool", "'bool'", '"bool"')
    return False


def keras_metric(call: cst.Call, qualname: str, tf: str) -> MetricPlan | None:
    """`tf.metrics.X(labels, predictions, weights=w, name=n)` → the Keras metric keeping TF1's
    numbers, or None (see `unconvertible_reason`).

    - accuracy → `Accuracy()` (exact match, not CategoricalAccuracy's argmax);
    - mean → `Mean()` (element-weighted, like TF1);
    - precision, recall, true/false_positives/negatives → `Precision(thresholds=0.0)`... with
      the predictions cast to bool: TF1 counts any non-zero prediction as positive, Keras
      counts `prediction > threshold` (the cast is left out for predictions that already are
      booleans or argmax indices);
    - *_at_thresholds → the same classes with `thresholds=` (TF1 and Keras both use `>`);
    - auc → `AUC(num_thresholds=, curve=, thresholds=)`; TF1's default 'trapezoidal'
      summation is Keras' 'interpolation' for ROC (PR: only 'careful_interpolation' maps);
    - mean_squared_error, mean_absolute_error, mean_relative_error, percentage_below →
      `Mean()` of the element-wise error TF1 averages (Keras' MeanSquaredError would
      average per-sample means, which differs for 1-D inputs and uneven batches);
    - root_mean_squared_error → `RootMeanSquaredError()` (element-wise, like TF1);
    - mean_iou → `MeanIoU(num_classes=)`.

    `weights` becomes `sample_weight`; `name` is passed to the constructor.
    """
    name = _short_name(qualname, "metrics")
    if name is None or _metric_problem(call, name) is not None:
        return None
    bound = bind_args(call, _METRIC_PARAMS[name])

    def arg(param: str) -> str:
        return _code(bound[param].value)

    keras = f"{tf}.keras.metrics"
    options: list[str] = []
    note = ""
    if name == "accuracy":
        cls, update = "Accuracy", [arg("labels"), arg("predictions")]
        note = "exact-match accuracy, like TF1 (not CategoricalAccuracy's argmax)"
    elif name == "mean":
        cls, update = "Mean", [arg("values")]
    elif name in _CONFUSION:
        cls = _CONFUSION[name]
        options.append("thresholds=0.0")
        predictions = bound["predictions"].value
        shown = arg("predictions")
        if not _boolean_or_index(predictions, tf):
            shown = f"{tf}.cast({shown}, {tf}.bool)"
            note = ("predictions cast to bool: TF1 counts any non-zero prediction as "
                    "positive; Keras counts those above `thresholds`")
        update = [arg("labels"), shown]
    elif name.endswith("_at_thresholds"):
        cls = _CONFUSION[name[:-len("_at_thresholds")]]
        options.append(f"thresholds={arg('thresholds')}")
        update = [arg("labels"), arg("predictions")]
        if cls in ("Precision", "Recall"):
            note = "TF1 adds 1e-7 to the denominator; Keras divides exactly"
    elif name == "auc":
        cls = "AUC"
        if "num_thresholds" in bound:
            options.append(f"num_thresholds={arg('num_thresholds')}")
        if "curve" in bound:
            options.append(f"curve={arg('curve')}")
        method = _literal(bound.get("summation_method")) \
            if "summation_method" in bound else "trapezoidal"
        if method in ("minoring", "majoring"):
            options.append(f"summation_method={arg('summation_method')}")
        if not _is_none(bound.get("thresholds")):
            options.append(f"thresholds={arg('thresholds')}")
        update = [arg("labels"), arg("predictions")]
        note = "TF1 adds 1e-7 to the rates' denominators; Keras divides exactly"
    elif name == "mean_squared_error":
        cls = "Mean"
        update = [f"{tf}.math.squared_difference({arg('labels')}, {arg('predictions')})"]
        note = "element-wise mean of the squared error, as TF1 computes it"
    elif name == "mean_absolute_error":
        cls = "Mean"
        update = [f"{tf}.abs({_atom(bound['predictions'].value)} - "
                  f"{_atom(bound['labels'].value)})"]
        note = "element-wise mean of the absolute error, as TF1 computes it"
    elif name == "mean_relative_error":
        cls = "Mean"
        update = [f"{tf}.math.divide_no_nan({tf}.abs({_atom(bound['labels'].value)} - "
                  f"{_atom(bound['predictions'].value)}), {arg('normalizer')})"]
        note = "TF1 counts an error with a zero normalizer as 0, as divide_no_nan does"
    elif name == "percentage_below":
        cls = "Mean"
        update = [f"{tf}.cast({_atom(bound['values'].value)} < "
                  f"{_atom(bound['threshold'].value)}, {tf}.float32)"]
    elif name == "root_mean_squared_error":
        cls, update = "RootMeanSquaredError", [arg("labels"), arg("predictions")]
    else:  # mean_iou
        cls = "MeanIoU"
        options.append(f"num_classes={arg('num_classes')}")
        update = [arg("labels"), arg("predictions")]
    if not _is_none(bound.get("weights")):
        update.append(f"sample_weight={arg('weights')}")
    if not _is_none(bound.get("name")):
        options.append(f"name={arg('name')}")
    return MetricPlan(cls, f"{keras}.{cls}({', '.join(options)})", ", ".join(update), note)


# -- explanations ----------------------------------------------------------------------------

def unconvertible_reason(call: cst.Call, qualname: str, tf: str = "tf") -> str | None:
    """Why `v2_summary_call`/`file_writer_call`/`keras_metric` give None for this call (None:
    they do not, or the call is none of theirs)."""
    kind = _short_name(qualname, "summary")
    if kind in _SUMMARY_PARAMS:
        return _summary_problem(call, kind)
    if kind == "FileWriter":
        return _file_writer_problem(call)
    name = _short_name(qualname, "metrics")
    if name is not None:
        return _metric_problem(call, name)
    return None
