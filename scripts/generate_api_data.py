"""Generate tfmigrate's knowledge of the TensorFlow API: `rules/data/*.json`.

Run from the repository root, with TensorFlow 2.21 (and tf-keras, for the names of the
legacy `tf.layers` / `tf.nn.rnn_cell` modules) installed:

    python scripts/generate_api_data.py            # rewrite rules/data/*.json
    python scripts/generate_api_data.py --out DIR  # write elsewhere (the staleness test does)

The linter never imports TensorFlow; this script is the only place that does. It

1. walks the TF2 namespace (`tf`) and the TF1 namespace (`tf.compat.v1`) recursively
   (modules, functions, classes, constants; `tf.keras` is Keras 3 and belongs to the TFM7xx
   family, `tf.compat` is the compatibility layer itself: both are skipped);
2. reads TensorFlow's own upgrade tables shipped in the wheel
   (`tensorflow/tools/compatibility/`: renames_v2, all_renames_v2, reorders_v2,
   tf_upgrade_v2's keyword renames, function transformers and module deprecations);
3. keeps only what TF 2.21 proves: a rename target must resolve in TF 2.21, not be under
   `tf.compat`, and be the same object as the TF1 one or have the same signature (or the same
   signature once the argument renames are applied); value-changing renames go to
   `changed` with the reason; keyword renames must name a parameter the target really has.

Output (sorted keys, so regenerating gives the same bytes):

- `renames.json`: `renames` {TF1 name: [TF2 name, evidence]}, `changed` {TF1 name:
  [naive TF2 name or null, reason]}, `casts` {TF1 name: dtype} (`tf.to_float(x)` →
  `tf.cast(x, tf.float32)`).
- `arguments.json`: {function: {"renamed": {old: new}, "removed": [...], "positional":
  [TF2 keyword or null per TF1 position], "same_name": bool}}, keyed by the TF1 name and,
  for keywords the target does not accept, by the TF2 name too.
- `removed.json`: `symbols` {TF1 name: kind} with no TF2 equivalent, `modules` {prefix:
  guidance}, `families` {prefix: [family, guidance]} (names another rule family rewrites:
  reported here, never renamed), `skip` (prefixes owned by TFM101–105).
- `tf2_names.json`: every name TF 2.21 has (`modules`, `names`): a reference whose name is
  not there (and not under `tf.keras`/`tf.compat`) is TF1-only.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import sys
import types
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.pop("TF_USE_LEGACY_KERAS", None)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "rules" / "data"

# Prefixes the TFM101–105 rules own completely.
SKIP = ("tf.app", "tf.flags", "tf.logging", "tf.gfile")

# TF1-only names that another rule family will rewrite idiomatically: reported by TFM806 with
# this guidance, never renamed (and never to compat.v1). Longest prefix wins.
FAMILIES = {
    "tf.Session": ("TFM2xx", "graph and session code: run the computation eagerly, or in a "
                   "`tf.function`; `sess.run(x)` becomes `x` (or `f(...)`)"),
    "tf.InteractiveSession": ("TFM2xx", "graph and session code: TF2 runs eagerly"),
    "tf.placeholder": ("TFM2xx", "placeholders become function arguments (`tf.function` "
                       "with an `input_signature` if a fixed signature is needed)"),
    "tf.placeholder_with_default": ("TFM2xx", "placeholders become function arguments "
                                    "with a default value"),
    "tf.sparse_placeholder": ("TFM2xx", "placeholders become function arguments"),
    "tf.global_variables_initializer": ("TFM2xx", "variables are initialised when created in "
                                        "TF2: delete the initializer and its `sess.run`"),
    "tf.initialize_all_variables": ("TFM2xx", "variables are initialised when created in TF2"),
    "tf.local_variables_initializer": ("TFM2xx", "variables are initialised when created in "
                                       "TF2"),
    "tf.variables_initializer": ("TFM2xx", "variables are initialised when created in TF2"),
    "tf.initialize_local_variables": ("TFM2xx", "variables are initialised when created"),
    "tf.tables_initializer": ("TFM2xx", "TF2 lookup tables initialise themselves eagerly"),
    "tf.get_default_graph": ("TFM2xx", "there is no default graph in eager TF2; use "
                             "`tf.function` and its `get_concrete_function().graph`"),
    "tf.reset_default_graph": ("TFM2xx", "no global graph in TF2: delete, or use "
                               "`tf.keras.backend.clear_session()` for Keras state"),
    "tf.get_collection": ("TFM2xx", "collections are gone: track objects in Python (a "
                          "list, `model.trainable_variables`, `model.losses`)"),
    "tf.get_collection_ref": ("TFM2xx", "collections are gone: track objects in Python"),
    "tf.add_to_collection": ("TFM2xx", "collections are gone: track objects in Python"),
    "tf.add_to_collections": ("TFM2xx", "collections are gone: track objects in Python"),
    "tf.GraphKeys": ("TFM2xx", "collections are gone: track objects in Python"),
    "tf.ConfigProto": ("TFM2xx", "use `tf.config` (`tf.config.threading`, "
                       "`tf.config.experimental.set_memory_growth`, `tf.config.set_soft_device_placement`)"),
    "tf.GPUOptions": ("TFM2xx", "use `tf.config.experimental.set_memory_growth` / "
                      "`tf.config.set_logical_device_configuration`"),
    "tf.RunOptions": ("TFM2xx", "graph and session code: no `sess.run` options in TF2; "
                      "use `tf.profiler` for tracing"),
    "tf.RunMetadata": ("TFM2xx", "graph and session code: use `tf.profiler`"),
    "tf.OptimizerOptions": ("TFM2xx", "use `tf.config.optimizer`"),
    "tf.GraphOptions": ("TFM2xx", "use `tf.config.optimizer`"),
    "tf.disable_v2_behavior": ("TFM2xx", "delete: the migrated code runs with TF2 behaviour"),
    "tf.enable_eager_execution": ("TFM2xx", "delete: TF2 is eager by default"),
    "tf.disable_eager_execution": ("TFM2xx", "graph mode is gone: use `tf.function`"),
    "tf.executing_eagerly_outside_functions": ("TFM2xx", "TF2 is eager outside functions"),
    "tf.get_seed": ("TFM2xx", "graph-level seeds: use `tf.random.set_seed`"),
    "tf.set_random_seed": ("TFM2xx", "use `tf.random.set_seed`"),
    "tf.get_variable": ("TFM3xx", "variables and layers: create a `tf.Variable` or a Keras "
                        "layer weight; caveat: get_variable's default initializer is "
                        "glorot_uniform even for biases"),
    "tf.variable_scope": ("TFM3xx", "variable scopes are gone: own variables in a "
                          "`tf.Module` / Keras layer (`tf.name_scope` for names only)"),
    "tf.get_variable_scope": ("TFM3xx", "variable scopes are gone: own variables in objects"),
    "tf.variable_op_scope": ("TFM3xx", "variable scopes are gone"),
    "tf.AUTO_REUSE": ("TFM3xx", "reuse is sharing a Python object in TF2"),
    "tf.VariableScope": ("TFM3xx", "variable scopes are gone"),
    "tf.trainable_variables": ("TFM3xx", "use `model.trainable_variables` / "
                               "`module.trainable_variables`"),
    "tf.global_variables": ("TFM3xx", "use `model.variables` / `module.variables`"),
    "tf.local_variables": ("TFM3xx", "use the owning object's `variables`"),
    "tf.all_variables": ("TFM3xx", "use the owning object's `variables`"),
    "tf.model_variables": ("TFM3xx", "use the owning object's `variables`"),
    "tf.moving_average_variables": ("TFM3xx", "use the owning object's `variables`"),
    "tf.assign": ("TFM3xx", "use the method: `v.assign(value)`"),
    "tf.assign_add": ("TFM3xx", "use the method: `v.assign_add(value)`"),
    "tf.assign_sub": ("TFM3xx", "use the method: `v.assign_sub(value)`"),
    "tf.scatter_": ("TFM3xx", "use the variable method (`v.scatter_update(...)`, "
                    "`v.scatter_add(...)`) or `tf.tensor_scatter_nd_*`"),
    "tf.layers": ("TFM3xx", "`tf.layers` is gone: use `tf.keras.layers` (Keras 3) — mind "
                  "the default differences (caveats 1, 10, 12)"),
    "tf.nn.rnn_cell": ("TFM3xx", "use `tf.keras.layers.LSTMCell/GRUCell/StackedRNNCells` "
                       "and `tf.keras.layers.RNN` (gate order and forget_bias differ, caveat 13)"),
    "tf.nn.static_rnn": ("TFM3xx", "use `tf.keras.layers.RNN`"),
    "tf.nn.dynamic_rnn": ("TFM3xx", "use `tf.keras.layers.RNN` (sequence_length → mask)"),
    "tf.nn.bidirectional_dynamic_rnn": ("TFM3xx", "use `tf.keras.layers.Bidirectional`"),
    "tf.nn.static_bidirectional_rnn": ("TFM3xx", "use `tf.keras.layers.Bidirectional`"),
    "tf.nn.static_state_saving_rnn": ("TFM3xx", "use `tf.keras.layers.RNN(stateful=True)`"),
    "tf.nn.raw_rnn": ("TFM3xx", "write the loop with `tf.while_loop` or a Python loop"),
    "tf.initializers": ("TFM3xx", "use `tf.keras.initializers` (default stddev/limits "
                        "differ, caveat 14)"),
    "tf.glorot_": ("TFM3xx", "use `tf.keras.initializers.Glorot*`"),
    "tf.truncated_normal_initializer": ("TFM3xx", "use `tf.keras.initializers.TruncatedNormal`"
                                        " and pass stddev=1.0 (TF1 default) explicitly"),
    "tf.random_normal_initializer": ("TFM3xx", "use `tf.keras.initializers.RandomNormal` "
                                     "and pass stddev=1.0 (TF1 default) explicitly"),
    "tf.random_uniform_initializer": ("TFM3xx", "use `tf.keras.initializers.RandomUniform` "
                                      "with minval=0, maxval=1 (TF1 defaults)"),
    "tf.uniform_unit_scaling_initializer": ("TFM3xx", "use "
                                            "`tf.keras.initializers.VarianceScaling(distribution='uniform')`"),
    "tf.variance_scaling_initializer": ("TFM3xx", "use `tf.keras.initializers.VarianceScaling`"),
    "tf.orthogonal_initializer": ("TFM3xx", "use `tf.keras.initializers.Orthogonal`"),
    "tf.zeros_initializer": ("TFM3xx", "use `tf.keras.initializers.Zeros`"),
    "tf.ones_initializer": ("TFM3xx", "use `tf.keras.initializers.Ones`"),
    "tf.constant_initializer": ("TFM3xx", "use `tf.keras.initializers.Constant`"),
    "tf.summary": ("TFM4xx", "summaries: `tf.summary` v2 (`create_file_writer`, "
                   "`writer.as_default()`, `tf.summary.scalar(name, value, step=...)`)"),
    "tf.Summary": ("TFM4xx", "summaries: write values with `tf.summary` v2"),
    "tf.metrics": ("TFM4xx", "use `tf.keras.metrics` objects (`update_state`/`result`)"),
    "tf.losses": ("TFM5xx", "use `tf.keras.losses` (default reduction differs, caveat 8)"),
    "tf.train": ("TFM5xx", "training: Keras optimizers (epsilon/learning-rate defaults differ,"
                 " caveats 3–7), `tf.train.Checkpoint` instead of Saver, "
                 "`tf.keras.optimizers.schedules` instead of decay functions"),
    "tf.saved_model": ("TFM5xx", "use `tf.saved_model.save` / `tf.saved_model.load`"),
    # distributed TF1 (parameter servers, replicated graphs) has no one-to-one TF2 form
    **{name: ("TFM2xx", "distributed TF1 (servers, replica device setters, monitored sessions): "
                        "use a `tf.distribute` strategy; rewrite by hand")
       for name in ("tf.train.Server", "tf.train.ClusterSpec", "tf.train.replica_device_setter",
                    "tf.train.MonitoredTrainingSession", "tf.train.MonitoredSession",
                    "tf.train.SingularMonitoredSession", "tf.train.Supervisor",
                    "tf.train.SyncReplicasOptimizer", "tf.train.ChiefSessionCreator",
                    "tf.train.WorkerSessionCreator")},
    "tf.estimator": ("TFM6xx", "tf.estimator was removed in TF 2.16: use Keras `Model.fit` "
                     "or a custom training loop"),
    "tf.data.Iterator": ("TFM6xx", "iterate the dataset (`for x in ds`, `iter(ds)`)"),
    "tf.data.make_one_shot_iterator": ("TFM6xx", "iterate the dataset (`iter(ds)`)"),
    "tf.data.make_initializable_iterator": ("TFM6xx", "iterate the dataset (`iter(ds)`)"),
}

# Module-level guidance for TF1-only modules (prefix → what to do), for TFM806.
MODULE_GUIDANCE = {
    "tf.contrib": "tf.contrib was removed in TF 2.0 (see TFM110)",
    "tf.estimator": FAMILIES["tf.estimator"][1],
    "tf.layers": FAMILIES["tf.layers"][1],
    "tf.nn.rnn_cell": FAMILIES["tf.nn.rnn_cell"][1],
    "tf.examples": "the tutorial helpers are gone: MNIST is `tf.keras.datasets.mnist."
                   "load_data()` (uint8 28×28 arrays, not flattened [0, 1] floats; one-hot "
                   "with `tf.one_hot`)",
    "tf.user_ops": "custom ops: build them with `tf.load_op_library`",
    "tf.resource_loader": "use `importlib.resources` / paths relative to `__file__`",
    "tf.python_io": "use `tf.io` (`tf.io.TFRecordWriter`, `tf.data.TFRecordDataset`)",
    "tf.spectral": "use `tf.signal`",
    "tf.manip": "the ops are top-level (`tf.roll`, ...)",
    "tf.distributions": "use TensorFlow Probability (`tfp.distributions`)",
    "tf.profiler": "use `tf.profiler.experimental`",
    "tf.sets": "use `tf.sets` (TF2 names: intersection, union, difference, size)",
}

# Value-changing renames that TF's table (or the naive reading of it) gets wrong:
# MIGRATION_MAP §13 and caveat 22.
CHANGED = {
    "tf.image.resize_images": ("tf.image.resize", "tf.image.resize uses half-pixel centres "
                               "(TF1: align_corners=False, half_pixel_centers=False): values "
                               "change (0.83 max diff on a 4×4→6×6 ramp)"),
    "tf.image.resize_bilinear": ("tf.image.resize", "tf.image.resize(method='bilinear') uses "
                                 "half-pixel centres: values change"),
    "tf.image.resize_nearest_neighbor": ("tf.image.resize", "tf.image.resize(method='nearest')"
                                         " uses half-pixel centres: values change"),
    "tf.image.resize_bicubic": ("tf.image.resize", "tf.image.resize(method='bicubic') uses "
                                "half-pixel centres and a different kernel: values change"),
    "tf.image.resize_area": ("tf.image.resize", "tf.image.resize(method='area') may differ "
                             "at borders; check the values"),
    "tf.image.resize_image_with_pad": ("tf.image.resize_with_pad", "the TF2 version resizes "
                                       "with half-pixel centres: values change"),
    "tf.div": ("tf.math.divide", "tf.div floor-divides integers (Python 2 style); "
               "tf.math.divide is true division — use tf.math.floordiv for integer inputs"),
    "tf.string_split": ("tf.strings.split", "tf.strings.split returns a RaggedTensor, "
                        "not a SparseTensor (add `.to_sparse()`)"),
    "tf.nn.softmax_cross_entropy_with_logits": (None, "the TF2 function back-propagates into "
                                                "labels; wrap labels in tf.stop_gradient"),
    "tf.multinomial": ("tf.random.categorical", "same distribution, different random stream"),
    "tf.random.multinomial": ("tf.random.categorical", "same distribution, different random "
                              "stream"),
    "tf.to_bfloat16": None, "tf.to_complex128": None, "tf.to_complex64": None,
    "tf.to_double": None, "tf.to_float": None, "tf.to_int32": None, "tf.to_int64": None,
}

# Removed TF1 names whose closest TF2 function has another name or different behaviour.
HINTS = {
    "tf.Print": "tf.print",
    "tf.py_func": "tf.numpy_function",
    "tf.sparse_to_dense": "tf.sparse.to_dense",
    "tf.setdiff1d": "tf.sets.difference",
    "tf.batch_gather": "tf.gather",
    "tf.sparse_merge": "tf.sparse.from_dense",
    "tf.make_template": "tf.Module",
    "tf.wrap_function": "tf.function",
}

# Removed arguments that have no effect in TF2 and may be deleted (TFM804 fixes them).
NO_EFFECT_ARGS = {"use_cudnn_on_gpu": "TF2 always uses cuDNN when available",
                  "colocate_gradients_with_ops": "a placement hint TF2 ignores",
                  "validate_indices": "TF2 never validated them"}
# What to do with a removed argument, where TF documents it.
ARG_HINTS = {
    "keep_prob": "pass `rate=1 - keep_prob`",
    "partition_strategy": "TF2 always uses the 'div' strategy",
    "seed2": "pass a single `seed`",
    "align_corners": "TF2 always computes with half-pixel centres",
    "verify_shape": "TF2 always verifies the shape",
    "optimize": "TF2 always behaves as optimize=True",
    "return_same_structure": "TF2 always returns the same structure",
    "strict": "TF2 always behaves as strict=True",
}


# tf.contrib submodule → where it went (MIGRATION_MAP §4; TF's module_deprecations_v2).
CONTRIB_GUIDANCE = {
    "tf.contrib": "tf.contrib was removed in TF 2.0; TF Addons is end-of-life: use core "
                  "TensorFlow / Keras, or copy the code",
    "tf.contrib.layers": "use `tf.keras.layers` (contrib defaults differ: fully_connected and "
                         "conv2d default to ReLU, conv2d to 'SAME', batch_norm to scale=False "
                         "and decay=0.999, layer_norm to epsilon=1e-12)",
    "tf.contrib.slim": "slim is gone: Keras layers (+ functools.partial for arg_scope), "
                       "`Model.fit` or a custom loop, `tf.keras.applications` for nets",
    "tf.contrib.framework": "arg_scope → functools.partial; get_or_create_global_step → "
                            "`optimizer.iterations`; nest → `tf.nest`; checkpoint helpers → "
                            "`tf.train.load_checkpoint` / `tf.train.Checkpoint`",
    "tf.contrib.rnn": "use `tf.keras.layers` RNN cells and `tf.keras.layers.RNN` (gate order "
                      "and forget_bias differ)",
    "tf.contrib.cudnn_rnn": "use `tf.keras.layers.LSTM/GRU` (cuDNN is chosen automatically)",
    "tf.contrib.seq2seq": "re-implement with Keras layers (`keras.layers.Attention`, "
                          "`MultiHeadAttention`); tfa.seq2seq is end-of-life",
    "tf.contrib.training": "HParams → a dataclass or dict; bucket_by_sequence_length → "
                           "`Dataset.bucket_by_sequence_length`",
    "tf.contrib.learn": "use `keras.Model.fit`; datasets from `tf.keras.datasets`",
    "tf.contrib.data": "use `tf.data` (`.map().batch()`, `.batch(drop_remainder=True)`, "
                       "`.shuffle().repeat()`, `.interleave(...)`, `tf.data.AUTOTUNE`)",
    "tf.contrib.opt": "use `tf.keras.optimizers` (AdamW: weight_decay is multiplied by the "
                      "learning rate in Keras)",
    "tf.contrib.metrics": "use `tf.keras.metrics` objects",
    "tf.contrib.losses": "use `tf.keras.losses`",
    "tf.contrib.summary": "use `tf.summary` (v2): `create_file_writer`, `record_if`, "
                          "`scalar(name, data, step=)`; `family=` becomes a name scope",
    "tf.contrib.tpu": "use `tf.distribute.TPUStrategy` with Keras or a custom loop",
    "tf.contrib.distribute": "use `tf.distribute` (the strategies' APIs changed)",
    "tf.contrib.distributions": "use TensorFlow Probability (`tfp.distributions`)",
    "tf.contrib.lookup": "use `tf.lookup` or `tf.keras.layers.StringLookup`",
    "tf.contrib.image": "use `tf.image` / `tf.keras.layers.RandomRotation` (interpolation "
                        "and fill defaults differ)",
    "tf.contrib.crf": "no TF2 equivalent: re-implement",
    "tf.contrib.predictor": "use `tf.saved_model.load(path).signatures['serving_default']`",
    "tf.contrib.eager": "tfe.Variable → tf.Variable, tfe.defun → tf.function, "
                        "tfe.Checkpoint → tf.train.Checkpoint; TF2 is eager",
    "tf.contrib.quantize": "use the TensorFlow Model Optimization Toolkit",
    "tf.contrib.signal": "use `tf.signal`",
    "tf.contrib.cluster_resolver": "use `tf.distribute.cluster_resolver`",
    "tf.contrib.checkpoint": "use `tf.train.Checkpoint` and friends",
    "tf.contrib.util": "constant_value → `tf.get_static_value`; make_tensor_proto → "
                       "`tf.make_tensor_proto`",
    "tf.contrib.nn": "use `tf.nn`",
    "tf.contrib.stateless": "use `tf.random.stateless_*`",
    "tf.contrib.keras": "use `tf.keras`",
    "tf.contrib.tensorboard": "use `tf.summary` and the TensorBoard plugins",
    "tf.contrib.tfprof": "use `tf.profiler.experimental`",
    "tf.contrib.compiler": "use `tf.function(jit_compile=True)`",
    "tf.contrib.memory_stats": "use `tf.config.experimental.get_memory_info`",
    "tf.contrib.factorization": "no TF2 equivalent (k-means, WALS): re-implement or use "
                                "scikit-learn",
    "tf.contrib.boosted_trees": "use TensorFlow Decision Forests",
    "tf.contrib.tensor_forest": "use TensorFlow Decision Forests",
    "tf.contrib.gan": "use TF-GAN (`tensorflow_gan`) or a custom Keras loop",
}


def _compat_dir() -> Path:
    import tensorflow.tools.compatibility as compat

    return Path(compat.__file__).parent


def _safe_getattr(obj, name):
    try:
        return getattr(obj, name)
    except Exception:
        return None


def _module_name(obj) -> str:
    try:
        return object.__getattribute__(obj, "__name__")
    except Exception:
        return ""


def _kind(obj) -> str:
    if isinstance(obj, types.ModuleType):
        return "module"
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "constant"


def walk(module, prefix: str, out: dict, skip: tuple[str, ...], stack=()) -> None:
    """Record every public name under `module` as prefix.name → object."""
    for name in sorted(dir(module)):
        if name.startswith("_"):
            continue
        full = f"{prefix}.{name}"
        if full in skip:
            continue
        try:
            obj = getattr(module, name)
        except Exception:  # lazy loaders that refuse (Keras 3), deprecated shims
            continue
        out[full] = obj
        if isinstance(obj, types.ModuleType) and type(obj).__name__ != "KerasLazyLoader":
            mod_name = _module_name(obj)
            # API modules only: internal ones (tensorflow.python...) are a maze of aliases.
            # TF2 routes tf.initializers/losses/metrics/optimizers to Keras: those names
            # exist in TF2 too.
            api = (mod_name.startswith("tensorflow._api.")
                   or mod_name == "tensorflow" + full[2:]
                   or mod_name.startswith("keras._tf_keras.keras."))
            if api and mod_name not in stack:
                walk(obj, full, out, skip, stack + (mod_name,))


def legacy_keras_names(out: dict) -> None:
    """tf.layers and tf.nn.rnn_cell are lazy Keras loaders: list them from tf-keras."""
    for prefix, module in (("tf.layers", "tf_keras.api._v1.keras.__internal__.legacy.layers"),
                           ("tf.nn.rnn_cell",
                            "tf_keras.api._v1.keras.__internal__.legacy.rnn_cell")):
        out[prefix] = types.ModuleType(prefix)
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        names: dict = {}
        walk_any(mod, prefix, names)
        out.update(names)


def walk_any(module, prefix, out, depth=0):
    for name in sorted(dir(module)):
        if name.startswith("_"):
            continue
        obj = _safe_getattr(module, name)
        out[f"{prefix}.{name}"] = obj
        if isinstance(obj, types.ModuleType) and depth < 2:
            walk_any(obj, f"{prefix}.{name}", out, depth + 1)


def signature(obj):
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


def params(sig) -> list[str]:
    return [p.name for p in sig.parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)] if sig else []


def positional(sig) -> list[str]:
    out = []
    for p in (sig.parameters.values() if sig else ()):
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            out.append(p.name)
        elif p.kind is p.VAR_POSITIONAL:
            break
    return out


def accepts_kwargs(sig) -> bool:
    return bool(sig) and any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())


def build():
    import tensorflow as tf

    from tensorflow.tools.compatibility import all_renames_v2, module_deprecations_v2
    from tensorflow.tools.compatibility import tf_upgrade_v2

    spec = tf_upgrade_v2.TFAPIChangeSpec()

    tf2: dict = {}
    walk(tf, "tf", tf2, ("tf.keras", "tf.compat"))
    tf1: dict = {}
    walk(tf.compat.v1, "tf", tf1, ("tf.keras", "tf.compat", "tf.layers"))
    tf1.pop("tf.nn.rnn_cell", None)
    legacy_keras_names(tf1)

    # Some TF2 names are only reachable by attribute (Keras aliases missing from dir()).
    for name in list(tf1):
        if name not in tf2 and not name.startswith(("tf.layers", "tf.nn.rnn_cell")):
            obj = tf
            try:
                for part in name.split(".")[1:]:
                    obj = getattr(obj, part)
            except Exception:
                continue
            tf2[name] = obj
    tf2_modules = {n for n, o in tf2.items() if isinstance(o, types.ModuleType)}
    by_id: dict[int, list[str]] = {}
    for name, obj in tf2.items():
        if obj is not None and not isinstance(obj, (int, float, str, bool, bytes)):
            by_id.setdefault(id(obj), []).append(name)

    def owned(name, prefixes):
        return any(name == p or name.startswith(p + ".") or
                   (p.endswith("_") and name.startswith(p)) for p in prefixes)

    def family_of(name):
        best = None
        for prefix in FAMILIES:
            if name == prefix or name.startswith(prefix + ".") or (
                    prefix.endswith("_") and name.startswith(prefix)):
                if best is None or len(prefix) > len(best):
                    best = prefix
        return best

    table = dict(all_renames_v2.symbol_renames)
    keyword_renames = {k: v for k, v in spec.function_keyword_renames.items()
                       if k.startswith("tf.")}
    casts = {}
    for name, transformer in spec.function_transformers.items():
        if getattr(transformer, "__name__", "") == "_cast_transformer" and name.startswith("tf."):
            dtype = name[len("tf.to_"):]
            casts[name] = {"double": "float64", "float": "float32"}.get(dtype, dtype)

    renames, changed, removed = {}, {}, {}
    for name in sorted(tf1):
        if owned(name, SKIP) or name in tf2:
            continue
        obj = tf1[name]
        kind = _kind(obj)
        # Below a removed module, its members are covered by the module's guidance.
        if any(name.startswith(m + ".") for m in removed if removed[m] == "module"):
            if not family_of(name):
                continue
        if name in casts:
            continue
        if name in CHANGED and CHANGED[name] is not None:
            target, reason = CHANGED[name]
            changed[name] = [target, reason]
            continue
        if family_of(name):
            removed[name] = kind
            continue
        target, evidence = None, None
        candidates = []
        proposed = table.get(name)
        if proposed and proposed.startswith("tf.") and "compat" not in proposed:
            candidates.append(proposed)
        if obj is not None and id(obj) in by_id:
            candidates.extend(sorted(by_id[id(obj)],
                                     key=lambda n: ("experimental" in n, n.count("."), n)))
        for candidate in candidates:
            if candidate not in tf2 or "compat" in candidate:
                continue
            new = tf2[candidate]
            if new is obj:
                target, evidence = candidate, "same_object"
                break
            s1, s2 = signature(obj), signature(new)
            if s1 is not None and s2 is not None and str(s1) == str(s2):
                target, evidence = candidate, "same_signature"
                break
            if s1 is not None and s2 is not None and _mapped(name, s1, s2, keyword_renames):
                target, evidence = candidate, "mapped_signature"
                break
        if target is not None:
            renames[name] = [target, evidence]
        elif proposed and proposed.startswith("tf.") and "compat" not in proposed \
                and proposed in tf2:
            changed[name] = [proposed, "TF2's function differs: "
                             f"{signature(obj)} → {signature(tf2[proposed])}"]
        else:
            removed[name] = kind

    # A pointer for the removed names: a TF2 function of the same name elsewhere (it differs:
    # otherwise it would be a rename), or the curated one.
    leaves: dict[str, list[str]] = {}
    for candidate in tf2:
        if ".raw_ops." not in candidate and ".experimental." not in candidate:
            leaves.setdefault(candidate.rsplit(".", 1)[1], []).append(candidate)
    for name in sorted(removed):
        hint = HINTS.get(name)
        if hint is None and not family_of(name) and removed[name] != "module":
            found = sorted(leaves.get(name.rsplit(".", 1)[1], ()), key=lambda n: (n.count("."), n))
            hint = found[0] if found else None
        removed[name] = [removed[name], hint]

    # TFM1xx-owned names TF's table knows about but TF2 lacks are simply left out (SKIP).
    arguments = {}
    for name in sorted(tf1):
        if owned(name, SKIP) or name.startswith("tf.layers") or family_of(name):
            continue
        obj = tf1[name]
        if not callable(obj) or isinstance(obj, types.ModuleType):
            continue
        if name in renames:
            target = renames[name][0]
        elif name in tf2 and tf2[name] is not obj:
            target = name
        else:
            continue
        new = tf2[target]
        s1, s2 = signature(obj), signature(new)
        if s1 is None or s2 is None or str(s1) == str(s2):
            continue
        entry = _arguments(name, target, s1, s2, keyword_renames)
        if entry:
            entry["same_name"] = target == name
            arguments[name] = entry
            target_only = {k: v for k, v in entry["renamed"].items() if k not in params(s2)}
            removed_only = [k for k in entry["removed"] if k not in params(s2)]
            if target != name and (target_only or removed_only):
                arguments.setdefault(target, {"renamed": target_only,
                                              "removed": removed_only, "same_name": True})

    modules = {}
    tf1_modules = sorted(n for n, o in tf1.items() if isinstance(o, types.ModuleType)
                         and n not in tf2_modules and not owned(n, SKIP))
    for prefix, guidance in MODULE_GUIDANCE.items():
        modules[prefix] = guidance
    for mod in tf1_modules:
        fam = family_of(mod)
        modules.setdefault(mod, FAMILIES[fam][1] if fam else
                           "this TF1 module has no TF2 counterpart")
    deprecations = {k: v[1] for k, v in module_deprecations_v2.MODULE_DEPRECATIONS.items()
                    if k.startswith("tf.contrib")}
    # contrib names TF's table moves to a TF2 name that resolves on 2.21 (not compat).
    contrib_moved = {k: v for k, v in sorted(table.items())
                     if k.startswith("tf.contrib.") and isinstance(v, str)
                     and v.startswith("tf.") and "compat" not in v and v in tf2}
    contrib = {"modules": CONTRIB_GUIDANCE, "moved": contrib_moved,
               "tf_warnings": deprecations}

    return {
        "renames.json": {"renames": renames, "changed": changed, "casts": casts},
        "arguments.json": {"functions": arguments, "no_effect": NO_EFFECT_ARGS,
                           "hints": ARG_HINTS},
        "removed.json": {
            "symbols": removed,
            "modules": modules,
            "families": {k: list(v) for k, v in FAMILIES.items()},
            "skip": list(SKIP),
            "contrib": contrib,
        },
        # Every TF 2.21 name (modules, functions, classes, constants): what exists.
        "tf2_names.json": {"modules": sorted(tf2_modules),
                           "names": sorted(n for n in tf2 if n not in tf2_modules)},
    }


def _keyword_map(name, keyword_renames):
    return dict(keyword_renames.get(name, {}))


def _mapped(name, s1, s2, keyword_renames) -> bool:
    """Same parameters with the same defaults once TF's keyword renames are applied."""
    mapping = _keyword_map(name, keyword_renames)
    p2 = {p.name: p for p in s2.parameters.values()}
    for p in s1.parameters.values():
        new = mapping.get(p.name, p.name)
        if new is None:
            continue  # removed argument: reported on use
        if new not in p2:
            if p.name in mapping or p.name in p2:
                return False
            continue  # deprecated alias that the TF2 function dropped: reported on use
        if p.default is not p.empty and p2[new].default is not p.empty and \
                repr(p.default) != repr(p2[new].default):
            if not (p.default is None or p2[new].default is None):
                return False
    return True


def _arguments(name, target, s1, s2, keyword_renames):
    mapping = _keyword_map(name, keyword_renames)
    names2 = params(s2)
    renamed, removed = {}, []
    for p in params(s1):
        if p in names2 and p not in mapping:
            continue
        new = mapping.get(p)
        if new is not None and new in names2:
            renamed[p] = new
        elif p not in names2 and not accepts_kwargs(s2):
            removed.append(p)
    pos1, pos2 = positional(s1), positional(s2)
    names1 = params(s1)
    keywords = []
    for index, p in enumerate(pos1):
        new = renamed.get(p, p)
        if new not in names2 and index < len(pos2) and pos2[index] not in names1:
            new = pos2[index]  # same position, parameter renamed (device_name_or_function)
        keywords.append(new)
    moved = next((i for i, k in enumerate(keywords) if i >= len(pos2) or pos2[i] != k), None)
    if not renamed and not removed and moved is None:
        return None
    entry = {"renamed": renamed, "removed": removed}
    if moved is not None:
        # From TF1 position `moved` on, positional arguments must be passed by keyword.
        entry["moved"] = moved
        entry["keywords"] = keywords
    return entry


def write(data: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for filename, content in data.items():
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        (out / filename).write_text(text + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = build()
    write(data, args.out)
    for filename, content in data.items():
        sizes = {k: len(v) for k, v in content.items() if isinstance(v, (dict, list))}
        print(f"{args.out / filename}: {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
