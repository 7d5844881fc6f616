"""TFM206: a `tf.estimator` program becomes eager TF2 code.

`tf.estimator` is gone in TF 2.16+. Its common shape — a `model_fn(features, labels, mode)`
returning `EstimatorSpec`s, an `Estimator(model_fn)` at module level, `numpy_input_fn` inputs,
and `train` / `evaluate` / `predict` calls — has an exact TF2 form:

- `model_fn` stays the one place the model is written; it returns a dict (`{"predictions":
  ..., "loss": ...}`) instead of an `EstimatorSpec`, and `ModeKeys` are their string values;
- its optimizer is a Keras optimizer made once, its `tf.metrics` are Keras metric objects
  made once and updated in `"eval"` mode (the only mode in which the Estimator ran them);
- `train_step` (a `tf.GradientTape` step), `evaluate_step` and `predict_step` call it under
  `tf.function`; `evaluate(dataset)` returns what `Estimator.evaluate` returned (each metric,
  the mean of the batch losses, the global step = `optimizer.iterations`);
- `numpy_input_fn(x, y, batch_size, num_epochs, shuffle)` is the `tf.data` pipeline that reads
  the arrays in the same order (`repeat` before `batch`, as TF1's queue crossed epochs); an
  input function that returns a `tf.data.Dataset` is called where the Estimator called it.

Layers the model makes are made once by the layer rules (they treat a `model_fn` as code that
runs on every step); this rule waits for them, then rewrites the program in one fix or not at
all, saying what stops it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from tfmigrate.context import Context
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid

from ._calls import argument, bind
from .api import CASTS, CHANGED, RENAMES, is_tf1_name, short, tf1_only_prefix
from ._nodes import bound_by, walk
from .graph import Unproven, Waiting, name_nodes
from .optimizers import keras_optimizer, keras_schedule
from .summaries import keras_metric

ESTIMATOR = "tensorflow.estimator.Estimator"
SPEC = "tensorflow.estimator.EstimatorSpec"
NUMPY_INPUT = "tensorflow.estimator.inputs.numpy_input_fn"
MODE_KEYS = {"tensorflow.estimator.ModeKeys.TRAIN": "train",
             "tensorflow.estimator.ModeKeys.EVAL": "eval",
             "tensorflow.estimator.ModeKeys.PREDICT": "infer"}
GLOBAL_STEP = {"tensorflow.train.get_global_step", "tensorflow.train.get_or_create_global_step"}
ESTIMATOR_PARAMS = ("model_fn", "model_dir", "config", "params", "warm_start_from")
NUMPY_INPUT_PARAMS = ("x", "y", "batch_size", "num_epochs", "shuffle", "queue_capacity",
                       "num_threads")
MODEL_FN_PARAMS = ("features", "labels", "mode", "params")
SPEC_KEYS = ("mode", "predictions", "loss", "train_op", "eval_metric_ops")
# TF1 names this rule rewrites itself (others in model_fn make it wait for their rules).
OWN = ("tensorflow.estimator.", "tensorflow.train.", "tensorflow.metrics.")


SPEC_PARAMS = ("mode", "predictions", "loss", "train_op", "eval_metric_ops", "export_outputs",
               "training_chief_hooks", "training_hooks", "scaffold", "evaluation_hooks",
               "prediction_hooks")
MINIMIZE_PARAMS = ("loss", "global_step", "var_list", "gate_gradients", "aggregation_method",
                   "colocate_gradients_with_ops", "name", "grad_loss")
RUN_PARAMS = {"train": ("input_fn", "hooks", "steps", "max_steps", "saving_listeners"),
              "evaluate": ("input_fn", "steps", "hooks", "checkpoint_path", "name"),
              "predict": ("input_fn", "predict_keys", "hooks", "checkpoint_path",
                          "yield_single_examples")}
RUN_KEPT = {"train": ("input_fn", "steps"), "evaluate": ("input_fn", "steps"),
            "predict": ("input_fn",)}


@dataclass
class Input:
    """What a run reads: a `numpy_input_fn(...)` bound to a name (its statement becomes the
    `tf.data` pipeline `dataset`, read as `name`), or a function returning a `tf.data.Dataset`
    (no statement; read by calling it: `name` is that call)."""

    statement: cst.SimpleStatementLine | None
    name: str
    dataset: str
    labelled: bool


@dataclass
class Run:
    method: str  # train, evaluate or predict
    call: cst.Call
    statement: cst.BaseStatement
    source: Input
    steps: str | None


@dataclass
class Outcome:
    anchor: cst.CSTNode
    edits: list = field(default_factory=list)
    functions: list = field(default_factory=list)
    covered: set = field(default_factory=set)  # statements the rewrite replaces
    unproven: Unproven | None = None
    waiting: Waiting | None = None


def _qualified(ctx: Context, node) -> str | None:
    return ctx.resolve(node) or ctx.qualified_name(node)


def _assigned(statement) -> tuple[str, cst.BaseExpression] | None:
    """(name, value) of a statement line `name = value`."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and \
                isinstance(small.targets[0].target, cst.Name):
            return small.targets[0].target.value, small.value
    return None


def _fresh(wanted: str, taken: set[str]) -> str:
    name, number = wanted, 2
    while name in taken:
        name, number = f"{wanted}_{number}", number + 1
    taken.add(name)
    return name


_SAME = object()


def argument_value(call: cst.Call, position: int, keyword: str) -> cst.BaseExpression | None:
    found = argument(call, position, keyword)
    return found.value if found is not None else None


def _wrapped(line: str) -> str:
    """`name = f(args)` as one line, or broken after the first parenthesis when too long."""
    if len(line) > 99:
        head, rest = line.split("(", 1)
        return f"{head}(\n    {rest}\n"
    return line + "\n"


class _Rewrite:
    """One module's Estimator program: the analysis, then the edits (or why not)."""

    def __init__(self, ctx: Context, statement: cst.SimpleStatementLine, name: str,
                 call: cst.Call) -> None:
        self.ctx, self.statement, self.name, self.call = ctx, statement, name, call
        self.tf = ctx.tensorflow_name()
        self.module_names = set().union(*map(bound_by, ctx.module.body))
        self.taken = set(ctx.all_names())
        self.replaced: dict = {}  # node in model_fn → replacement node (None: removed)
        self.prefixes: dict = {}  # statement in model_fn → statements put before it
        self.state: list[str] = []  # module-level lines made once (optimizer, metrics)
        self.definitions: list[str] = []  # classes the Keras optimizer needs
        self.metrics: list[tuple[str, str]] = []  # (key, metric object)
        self.optimizer: str | None = None
        self.dict_predictions: cst.CSTNode | None = None  # predictions given as a dict

    def code(self, node) -> str:
        return self.ctx.code(node)

    # -- the Estimator ------------------------------------------------------------------------
    def analyse(self) -> Outcome:
        outcome = Outcome(self.call, covered={self.statement})
        bound = bind(self.call, ESTIMATOR_PARAMS)
        if bound is None:
            raise Unproven(self.call, "an Estimator made with *args, **kwargs or unknown "
                           "arguments")
        for key in ("model_dir", "config", "warm_start_from"):
            if key in bound:
                raise Unproven(self.call, f"an Estimator with `{key}=` keeps checkpoints "
                               "across runs: write the loop with a `tf.train.CheckpointManager` "
                               "by hand")
        given = bound.get("model_fn")
        func = next((s for s in self.ctx.module.body if isinstance(s, cst.FunctionDef) and
                     isinstance(given, cst.Name) and s.name.value == given.value), None)
        if func is None:
            raise Unproven(self.call, "the `model_fn` is not a function defined at module "
                           "level")
        self.func = func
        params = bound.get("params")
        if params is not None:
            self.hoistable(params, "`params`")
        self.params = self.code(params) if params is not None else "{}"
        self.signature = [p.name.value for p in func.params.params]
        if not isinstance(func.params.star_arg, cst.MaybeSentinel) or \
                func.params.kwonly_params or func.params.star_kwarg is not None or \
                func.params.posonly_params or \
                any(p.default is not None for p in func.params.params) or \
                any(n not in MODEL_FN_PARAMS for n in self.signature) or \
                "features" not in self.signature:
            raise Unproven(func, "a `model_fn` whose parameters are not among `features`, "
                           "`labels`, `mode`, `params`")
        self.model_fn_changes()
        runs = self.runs()
        if self.dict_predictions and any(run.method == "predict" for run in runs):
            raise Unproven(self.dict_predictions, "`predict` of a dict of predictions: the "
                           "Estimator yielded one dict per example; write that loop by hand")
        outcome.covered |= {run.statement for run in runs} | \
            {run.source.statement for run in runs if run.source.statement} | {func}
        self.outcome = outcome  # what is covered, also while waiting for other rules
        self.check_waiting()
        outcome.edits, outcome.functions = self.edits(runs)
        return outcome

    def hoistable(self, node: cst.CSTNode, what: str, skip: set[str] = frozenset()) -> None:
        for name in name_nodes(node):
            if name.value not in self.module_names and name.value not in skip and \
                    name.value not in ("True", "False", "None"):
                raise Unproven(node, f"{what} read `{name.value}`, which is not a module-level "
                               "name: it cannot be made once, outside the `model_fn`")

    def attribute_name(self, name: cst.Name) -> bool:
        parent = self.ctx.parent(name)
        # the engine records no parent for the attribute names of a dotted chain
        return parent is None or all(name is not n for n in name_nodes(parent))

    def check_waiting(self) -> None:
        """model_fn and the module functions it calls must be TF2 code but for the names
        this rule rewrites: layers first become objects made once, by their own rules."""
        defs = {s.name.value: s for s in self.ctx.module.body if isinstance(s, cst.FunctionDef)}
        pending, seen = [self.func], {self.func.name.value}
        while pending:
            root = pending.pop()
            for node in walk(root):
                if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and \
                        node.func.value in defs and node.func.value not in seen:
                    seen.add(node.func.value)
                    pending.append(defs[node.func.value])
                if not isinstance(node, (cst.Attribute, cst.Name)):
                    continue
                name = _qualified(self.ctx, node)
                if not name or not name.startswith("tensorflow."):
                    continue
                if name.startswith("tensorflow.summary."):
                    raise Unproven(node, "summaries the Estimator wrote from the `model_fn`: "
                                   "write them with `tf.summary` in the loop by hand")
                if name in MODE_KEYS or (root is self.func and name.startswith(OWN)):
                    continue
                tf_name = short(name)
                if tf_name in RENAMES or tf_name in CHANGED or tf_name in CASTS or \
                        tf1_only_prefix(tf_name) is not None or is_tf1_name(tf_name):
                    raise Waiting(node, tf_name)

    # -- model_fn -----------------------------------------------------------------------------
    def bindings(self) -> dict[str, list]:
        """name → the statements of model_fn that bind it."""
        found: dict[str, list] = {}
        for node in walk(self.func.body):
            if isinstance(node, cst.SimpleStatementLine):
                assigned = _assigned(node)
                if assigned is not None:
                    found.setdefault(assigned[0], []).append(node)
        return found

    def uses(self, name: str) -> list[cst.Name]:
        return [n for n in walk(self.func.body) if isinstance(n, cst.Name) and
                n.value == name and not self.attribute_name(n) and
                not isinstance(self.ctx.parent(n), cst.AssignTarget)]

    def single(self, name: str, node: cst.CSTNode, what: str) -> cst.SimpleStatementLine:
        """The one statement binding `name` in model_fn, read once (by `node`)."""
        statements = self.bindings().get(name, [])
        uses = self.uses(name)
        if len(statements) != 1 or uses != [node]:
            raise Unproven(node, f"{what} `{name}` is bound more than once or used other than "
                           "in the EstimatorSpec: rewrite the `model_fn` by hand")
        return statements[0]

    def model_fn_changes(self) -> None:
        specs = []
        for node in walk(self.func.body):
            name = _qualified(self.ctx, node) if isinstance(node, (cst.Attribute, cst.Name)) \
                else None
            if name in MODE_KEYS:
                self.replaced[node] = cst.SimpleString(f'"{MODE_KEYS[name]}"')
            elif isinstance(node, cst.Call) and _qualified(self.ctx, node.func) == SPEC:
                specs.append(node)
        if not specs:
            raise Unproven(self.func, "a `model_fn` with no `EstimatorSpec`")
        trains = set()
        for spec in specs:
            self.spec_statement(spec)
            bound = bind(spec, SPEC_PARAMS)
            if bound is None:
                raise Unproven(spec, "an EstimatorSpec with *args or **kwargs")
            extra = [k for k in bound if k not in SPEC_KEYS]
            if extra:
                raise Unproven(spec, f"an EstimatorSpec with `{extra[0]}=`: hooks, scaffolds "
                               "and exports have no place in an eager loop; rewrite by hand")
            if "train_op" in bound:
                trains.add(self.code(bound["train_op"]))
                self.train_op(bound["train_op"], bound.get("loss"))
            if "eval_metric_ops" in bound:
                self.eval_metrics(bound["eval_metric_ops"], spec)
            predictions = bound.get("predictions")
            if isinstance(predictions, cst.Name):
                made = self.bindings().get(predictions.value, [])
                predictions = _assigned(made[0])[1] if len(made) == 1 else predictions
            if isinstance(predictions, (cst.Dict, cst.Call)) and not self.dict_predictions and \
                    (isinstance(predictions, cst.Dict) or
                     _qualified(self.ctx, predictions.func) == "builtins.dict"):
                self.dict_predictions = predictions
            items = [f'"{key}": {self.code(bound[key])}' for key in ("predictions", "loss")
                     if key in bound]
            self.replaced[spec] = cst.parse_expression("{" + ", ".join(items) + "}")
        if len(trains) > 1:
            raise Unproven(self.func, "EstimatorSpecs with different train ops")
        for node in walk(self.func.body):
            if node in self.replaced or any(node is r for r in self.replaced):
                continue
            if isinstance(node, (cst.Attribute, cst.Name)):
                name = _qualified(self.ctx, node)
                if name and name.startswith(OWN) and name not in MODE_KEYS and \
                        not self.inside_replaced(node):
                    raise Unproven(node, f"`{short(name)}` in the `model_fn` outside the "
                                   "EstimatorSpec's train op and metrics: rewrite by hand")

    def inside_replaced(self, node) -> bool:
        return any(a in self.replaced or a in self.prefixes for a in self.ctx.ancestors(node))

    def spec_statement(self, spec: cst.Call) -> None:
        """An EstimatorSpec is returned, directly or through a name returned right away."""
        parent = self.ctx.parent(spec)
        if isinstance(parent, cst.Return):
            return
        statement = self.ctx.parent(parent)
        assigned = _assigned(statement)
        if assigned is not None and assigned[1] is spec:
            uses = self.uses(assigned[0])
            if len(self.bindings().get(assigned[0], [])) == 1 and len(uses) == 1 and \
                    isinstance(self.ctx.parent(uses[0]), cst.Return):
                return
        raise Unproven(spec, "an EstimatorSpec used other than by returning it")

    def train_op(self, node: cst.BaseExpression, loss: cst.BaseExpression | None) -> None:
        if not isinstance(node, cst.Name):
            raise Unproven(node, "a train op that is not a name bound in the `model_fn`")
        statement = self.single(node.value, node, "the train op")
        minimize = _assigned(statement)[1]
        if not (isinstance(minimize, cst.Call) and isinstance(minimize.func, cst.Attribute) and
                minimize.func.attr.value == "minimize"):
            raise Unproven(statement, "a train op other than `optimizer.minimize(loss)`: "
                           "rewrite the step by hand")
        bound = bind(minimize, MINIMIZE_PARAMS)
        if bound is None or loss is None or "loss" not in bound or \
                self.code(bound["loss"]) != self.code(loss):
            raise Unproven(minimize, "`minimize` of another loss than the EstimatorSpec's")
        for key in ("var_list", "grad_loss"):
            if key in bound:
                raise Unproven(minimize, f"`minimize` with `{key}=`: rewrite the step by hand")
        step = bound.get("global_step")
        if step is not None and not (isinstance(step, cst.Call) and not step.args and
                                     _qualified(self.ctx, step.func) in GLOBAL_STEP):
            raise Unproven(step, "a global step other than `tf.train.get_global_step()`")
        receiver = minimize.func.value
        constructor, removed = receiver, [statement]
        wanted = "optimizer"
        if isinstance(receiver, cst.Name):
            made = self.single(receiver.value, receiver, "the optimizer")
            constructor, wanted = _assigned(made)[1], receiver.value
            removed.append(made)
        qualname = _qualified(self.ctx, constructor.func) if isinstance(constructor, cst.Call) \
            else None
        if qualname is None:
            raise Unproven(receiver, "an optimizer this analysis cannot see")
        # a rate computed in the model_fn just for the optimizer (`rate = tf.train.*_decay(...)`)
        local_rates = {}
        for name in name_nodes(constructor):
            bound_here = self.bindings().get(name.value, [])
            if len(bound_here) == 1 and self.uses(name.value) == [name]:
                local_rates[name.value] = _assigned(bound_here[0])[1]
                removed.append(bound_here[0])
        self.hoistable(constructor, "the optimizer's arguments", skip=set(local_rates))
        constants = {n for n in self.module_names if self.constant(n)}
        schedules: list[cst.Call] = []

        def schedule_of(node: cst.BaseExpression) -> str | None:
            """A TF1 decay of the global step `minimize` advances → its Keras schedule (driven
            by the optimizer's `iterations`, which is that step)."""
            if isinstance(node, cst.Name) and node.value in local_rates:
                node = local_rates[node.value]
            name = _qualified(self.ctx, node.func) if isinstance(node, cst.Call) else None
            found = keras_schedule(node, name, self.tf) if name else None
            if found is None:
                return None
            text, global_step = found
            if step is None or not (isinstance(global_step, cst.Call) and
                                    _qualified(self.ctx, global_step.func) in GLOBAL_STEP):
                raise Unproven(node, "a learning-rate decay of another step than the global "
                               "step `minimize` advances: rewrite the schedule by hand")
            schedules.append(node)
            return text

        plan = keras_optimizer(constructor, qualname, self.tf, taken=self.taken,
                               schedule_of=schedule_of,
                               constant_of=lambda n: isinstance(n, cst.Name) and
                               n.value in constants)
        for node in walk(constructor):
            name = _qualified(self.ctx, node) if isinstance(node, (cst.Name, cst.Attribute)) \
                else None
            if name and name.startswith("tensorflow.") and node is not constructor.func and \
                    not any(a in schedules for a in self.ctx.ancestors(node)) and \
                    (is_tf1_name(short(name)) or tf1_only_prefix(short(name)) is not None):
                raise Unproven(node, f"the optimizer is made with `{short(name)}`, which TF2 "
                               "does not have: rewrite the optimizer by hand")
        if len(schedules) != len(local_rates):
            raise Unproven(constructor, "the optimizer reads a value computed in the `model_fn` "
                           "that is not a learning-rate decay of the global step")
        if plan is None:
            raise Unproven(constructor, "this optimizer has no Keras 3 equivalent with the same "
                           "numbers; rewrite the training step by hand")
        if plan.safety is not FixSafety.SAFE:
            raise Unproven(constructor, f"the Keras optimizer would change the numbers: "
                           f"{plan.note}")
        self.optimizer = _fresh(wanted, self.module_names)
        self.definitions.extend(plan.definitions)
        self.state.append(_wrapped(f"{self.optimizer} = {plan.expression}"))
        for line in removed:
            self.replaced[line] = None

    def constant(self, name: str) -> bool:
        values = [s for s in self.ctx.module.body if _assigned(s) and _assigned(s)[0] == name]
        return len(values) == 1 and isinstance(_assigned(values[0])[1], (cst.Integer, cst.Float))

    def eval_metrics(self, node: cst.BaseExpression, spec: cst.Call) -> None:
        if not isinstance(node, cst.Dict) or any(
                not isinstance(e, cst.DictElement) or not isinstance(e.key, cst.SimpleString)
                for e in node.elements):
            raise Unproven(node, "`eval_metric_ops` that are not a dict literal with string keys")
        statement = next(a for a in self.ctx.ancestors(spec)
                         if isinstance(a, cst.SimpleStatementLine))
        guard = "mode" in self.signature
        for element in node.elements:
            key = element.key.evaluated_value
            value = element.value
            line = None
            if isinstance(value, cst.Name):
                line = self.single(value.value, value, "the metric")
                value = _assigned(line)[1]
            qualname = _qualified(self.ctx, value.func) if isinstance(value, cst.Call) else None
            plan = keras_metric(value, qualname, self.tf) if qualname else None
            if plan is None:
                raise Unproven(value, f"the `{key}` metric has no Keras equivalent this rule "
                               "makes: rewrite it by hand")
            made = cst.parse_expression(plan.constructor)
            if any(isinstance(n, cst.Name) and n.value in self.signature for n in walk(made)):
                raise Unproven(value, f"the `{key}` metric is made from the `model_fn`'s "
                               "arguments")
            wanted = key if key.isidentifier() else plan.keras_class.lower()
            metric = _fresh(wanted, self.module_names)
            self.state.append(_wrapped(f"{metric} = {plan.constructor}"))
            self.metrics.append((key, metric))
            update = f"{metric}.update_state({plan.update_args})\n"
            text = f'if mode == "eval":\n    {update}' if guard else update
            new = cst.parse_statement(text)
            if line is not None:
                self.replaced[line] = new.with_changes(leading_lines=line.leading_lines)
            else:
                self.prefixes.setdefault(statement, []).append(new)

    # -- the runs -----------------------------------------------------------------------------
    def runs(self) -> list[Run]:
        """Every use of the Estimator: `est.train(...)`, `est.evaluate(...)`,
        `est.predict(...)` in module-level statements after it."""
        body = list(self.ctx.module.body)
        start = body.index(self.statement)
        runs, inputs = [], {}
        for node in walk(self.ctx.module):
            if not (isinstance(node, cst.Name) and node.value == self.name) or \
                    self.attribute_name(node) or isinstance(self.ctx.parent(node),
                                                            cst.AssignTarget):
                continue
            attribute = self.ctx.parent(node)
            call = self.ctx.parent(attribute) if isinstance(attribute, cst.Attribute) else None
            if not isinstance(call, cst.Call) or call.func is not attribute or \
                    attribute.attr.value not in RUN_PARAMS:
                raise Unproven(node, f"`{self.name}` is used other than by calling its train, "
                               "evaluate or predict")
            ancestors = list(self.ctx.ancestors(call))
            statement = next(a for a in ancestors if isinstance(a, cst.BaseStatement))
            top = next((a for a in ancestors if a in body), None)
            if top is None or body.index(top) <= start or any(
                    isinstance(a, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) for a in ancestors):
                raise Unproven(call, "an Estimator run inside a function or before the "
                               "Estimator: this rule rewrites runs in module-level code")
            method = attribute.attr.value
            bound = bind(call, RUN_PARAMS[method])
            if bound is None or "input_fn" not in bound:
                raise Unproven(call, f"`{method}` with arguments this rule cannot read")
            extra = [k for k in bound if k not in RUN_KEPT[method]]
            if extra:
                raise Unproven(call, f"`{method}` with `{extra[0]}=`: rewrite the loop by hand")
            if method == "train" and not (
                    isinstance(statement, cst.SimpleStatementLine) and
                    len(statement.body) == 1 and isinstance(statement.body[0], cst.Expr) and
                    statement.body[0].value is call):
                raise Unproven(call, "a `train` whose result is used")
            source = self.input_of(bound["input_fn"], body[:body.index(top)], inputs)
            steps = self.code(bound["steps"]) if "steps" in bound else None
            runs.append(Run(method, call, statement, source, steps))
        if not runs:
            raise Unproven(self.call, "an Estimator that is never run")
        for name in {run.source.name for run in runs if run.source.statement}:
            uses = [n for n in walk(self.ctx.module) if isinstance(n, cst.Name) and
                    n.value == name and not self.attribute_name(n) and
                    not isinstance(self.ctx.parent(n), cst.AssignTarget)]
            if len(uses) != sum(run.source.name == name for run in runs):
                raise Unproven(uses[0] if uses else self.call, f"the input function `{name}` "
                               "is used other than by the Estimator's runs")
        return runs

    def input_of(self, node: cst.BaseExpression, before: list, inputs: dict) -> Input:
        if isinstance(node, cst.Name):
            binding = next((s for s in reversed(before) if _assigned(s) and
                            _assigned(s)[0] == node.value), None)
            value = _assigned(binding)[1] if binding is not None else None
            if isinstance(value, cst.Call) and _qualified(self.ctx, value.func) == NUMPY_INPUT:
                if binding not in inputs:
                    inputs[binding] = self.dataset(binding, node.value, value)
                return inputs[binding]
        call = node.body if isinstance(node, cst.Lambda) and not node.params.params and \
            isinstance(node.params.star_arg, cst.MaybeSentinel) and \
            not node.params.kwonly_params and node.params.star_kwarg is None else None
        func = self.module_function(call.func if isinstance(call, cst.Call) else node, before)
        if func is None or (call is None and any(
                p.default is None for p in func.params.params)):
            raise Unproven(node, "an input function other than a `numpy_input_fn` bound to a "
                           "name, or a function (or `lambda: f(...)`) returning a "
                           "`tf.data.Dataset`: loop over its dataset by hand")
        labelled = self.returns_dataset(func)
        expression = self.code(call) if call is not None else f"{func.name.value}()"
        return Input(None, expression, expression, labelled)

    def module_function(self, node, before: list) -> cst.FunctionDef | None:
        """The module-level def `node` names, bound before the run and not rebound."""
        if not isinstance(node, cst.Name):
            return None
        binding = next((s for s in reversed(before) if node.value in (
            [s.name.value] if isinstance(s, (cst.FunctionDef, cst.ClassDef)) else
            [_assigned(s)[0]] if _assigned(s) else [])), None)
        return binding if isinstance(binding, cst.FunctionDef) else None

    def returns_dataset(self, func: cst.FunctionDef) -> bool:
        """Whether `func` returns a `tf.data` dataset of (features, labels) pairs (True) or of
        features (False); Unproven when that cannot be read (the loop's shape depends on it)."""
        returns = [n for n in walk(func.body) if isinstance(n, cst.Return)]
        if not returns or any(r.value is None for r in returns) or \
                any(isinstance(n, (cst.FunctionDef, cst.Lambda, cst.ClassDef)) and
                    any(r in walk(n) for r in returns) for n in walk(func.body)):
            raise Unproven(func, f"`{func.name.value}` returns no dataset this rule can read")
        shapes = {self.element_shape(r.value, func, frozenset()) for r in returns}
        if len(shapes) != 1 or None in shapes:
            raise Unproven(func, f"what `{func.name.value}`'s dataset yields cannot be read "
                           "(features and labels, or features alone): loop over it by hand")
        return shapes.pop()

    def element_shape(self, node, func: cst.FunctionDef, resolving: frozenset):
        """For a dataset expression: True when its elements are (features, labels) pairs,
        False when they are features alone, None when unknown or not a dataset (`_SAME` for
        the name being resolved: `dataset = dataset.shuffle(n)` keeps what it yields)."""
        while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            name = _qualified(self.ctx, node.func)
            if name and name.startswith("tensorflow.data.Dataset."):
                break  # the dataset's constructor
            if method in ("make_one_shot_iterator", "make_initializable_iterator", "get_next",
                          "map", "flat_map", "interleave", "apply", "unbatch", "window"):
                mapped = argument_value(node, 0, "map_func") if method == "map" else None
                if isinstance(mapped, cst.Lambda) and isinstance(mapped.body, cst.Tuple):
                    return len(mapped.body.elements) == 2 or None
                return None  # the elements are what a function makes of them
            node = node.func.value
        if isinstance(node, cst.Name):
            if node.value in resolving:
                return _SAME
            values = [_assigned(s)[1] for s in walk(func.body)
                      if isinstance(s, cst.SimpleStatementLine) and _assigned(s) and
                      _assigned(s)[0] == node.value]
            shapes = {self.element_shape(v, func, resolving | {node.value}) for v in values}
            shapes.discard(_SAME)
            return shapes.pop() if len(shapes) == 1 else None
        if not isinstance(node, cst.Call):
            return None
        name = _qualified(self.ctx, node.func)
        if name in ("tensorflow.data.Dataset.from_tensor_slices",
                    "tensorflow.data.Dataset.from_tensors", "tensorflow.data.Dataset.zip"):
            given = argument_value(node, 0, "tensors" if "zip" not in name else "datasets")
            if isinstance(given, cst.Tuple):
                return len(given.elements) == 2 or None
            if isinstance(given, cst.Dict) or (isinstance(given, cst.Call) and
                                                isinstance(given.func, cst.Name) and
                                                given.func.value == "dict"):
                return False
        return None

    def dataset(self, statement, name: str, call: cst.Call) -> Input:
        bound = bind(call, NUMPY_INPUT_PARAMS)
        if bound is None or "x" not in bound:
            raise Unproven(call, "a `numpy_input_fn` with arguments this rule cannot read")
        shuffle = bound.get("shuffle")
        if not (isinstance(shuffle, cst.Name) and shuffle.value in ("True", "False")):
            raise Unproven(call, "a `numpy_input_fn` whose `shuffle` is not True or False")
        x = self.code(bound["x"])
        y = self.code(bound["y"]) if "y" in bound else None
        text = f"{self.tf}.data.Dataset.from_tensor_slices(" + \
            (f"({x}, {y}))" if y is not None else f"{x})")
        if shuffle.value == "True":
            capacity = self.code(bound["queue_capacity"]) if "queue_capacity" in bound \
                else "1000"
            text += f".shuffle({capacity})"
        epochs = bound.get("num_epochs")
        if epochs is None:
            pass  # TF1's default: one epoch
        elif isinstance(epochs, cst.Name) and epochs.value == "None":
            text += ".repeat()"
        elif not (isinstance(epochs, cst.Integer) and epochs.evaluated_value == 1):
            text += f".repeat({self.code(epochs)})"
        size = self.code(bound["batch_size"]) if "batch_size" in bound else "128"
        text += f".batch({size})"
        return Input(statement, name, text, y is not None)

    # -- the new code -------------------------------------------------------------------------
    def model_call(self, mode: str, labels: str) -> str:
        values = {"features": "features", "labels": labels, "mode": f'"{mode}"',
                  "params": self.params}
        return f"{self.func.name.value}(" + ", ".join(values[p] for p in self.signature) + ")"

    def edits(self, runs: list[Run]) -> tuple[list[Edit], list[str]]:
        tf, indent = self.tf, "    "
        methods = {run.method for run in runs}
        if "train" in methods and self.optimizer is None:
            raise Unproven(self.func, "`train` of a `model_fn` with no train op")
        for run in runs:
            if run.method in ("train", "evaluate") and not run.source.labelled:
                raise Unproven(run.call, f"`{run.method}` on inputs without labels (`y=`)")
        predict_inputs = {run.source.labelled for run in runs if run.method == "predict"}
        if len(predict_inputs) > 1:
            raise Unproven(self.call, "`predict` on inputs with and without labels")
        names = {m: _fresh(m, self.taken) for m in
                 ("train_step", "evaluate_step", "evaluate", "predict_step", "predict")}
        blocks: list[str] = []
        if "train" in methods:
            blocks.append(
                f"@{tf}.function\ndef {names['train_step']}(features, labels):\n"
                f"{indent}with {tf}.GradientTape() as tape:\n"
                f"{indent * 2}loss = {self.model_call('train', 'labels')}[\"loss\"]\n"
                f"{indent}variables = tape.watched_variables()\n"
                f"{indent}gradients = tape.gradient(loss, variables)\n"
                f"{indent}{self.optimizer}.apply_gradients(zip(gradients, variables))\n"
                f"{indent}return loss\n")
        if "evaluate" in methods:
            blocks.append(
                f"@{tf}.function\ndef {names['evaluate_step']}(features, labels):\n"
                f"{indent}return {self.model_call('eval', 'labels')}[\"loss\"]\n")
            resets = "".join(f"{indent}{metric}.reset_state()\n" for _, metric in self.metrics)
            results = [f'"{key}": {metric}.result().numpy()' for key, metric in self.metrics]
            results.append('"loss": loss.result().numpy()')
            if self.optimizer is not None:
                results.append(f'"global_step": {self.optimizer}.iterations.numpy()')
            blocks.append(
                f"def {names['evaluate']}(dataset):\n{resets}"
                f"{indent}loss = {tf}.keras.metrics.Mean()\n"
                f"{indent}for features, labels in dataset:\n"
                f"{indent * 2}loss.update_state({names['evaluate_step']}(features, labels))\n"
                f"{indent}return {{" + f",\n{indent}        ".join(results) + "}\n")
        if "predict" in methods:
            blocks.append(
                f"@{tf}.function\ndef {names['predict_step']}(features):\n"
                f"{indent}return {self.model_call('infer', 'None')}[\"predictions\"]\n")
            loop = "features, _" if predict_inputs == {True} else "features"
            blocks.append(
                f"def {names['predict']}(dataset):\n"
                f"{indent}for {loop} in dataset:\n"
                f"{indent * 2}yield from {names['predict_step']}(features).numpy()\n")
        text = "".join(self.state)
        for definition in dict.fromkeys(self.definitions):
            text = definition.rstrip("\n") + "\n\n\n" + text
        text += "".join("\n\n" + block for block in blocks)
        generated = list(cst.parse_module(text).body)
        generated[0] = generated[0].with_changes(leading_lines=self.statement.leading_lines)
        replacements = {self.statement: generated, self.func: self.new_model_fn()}
        # ModeKeys outside the model_fn (helpers it calls) are their string values too
        for node, name in self.ctx.named_expressions():
            if name in MODE_KEYS and not any(a is self.func for a in self.ctx.ancestors(node)):
                replacements[node] = cst.SimpleString(f'"{MODE_KEYS[name]}"')
        loop_names = (_fresh("features", set(self.module_names)),
                      _fresh("labels", set(self.module_names)))
        done = set()
        for run in runs:
            source = run.source
            if source.statement is not None and source.statement not in done:
                done.add(source.statement)
                replacements[source.statement] = self.dataset_statement(source)
            dataset = source.name + (f".take({run.steps})" if run.steps else "")
            if run.method == "train":
                features, labels = loop_names
                text = (f"for {features}, {labels} in {dataset}:\n"
                        f"    {names['train_step']}({features}, {labels})\n")
                new = cst.parse_statement(text).with_changes(
                    leading_lines=run.statement.leading_lines)
                replacements[run.statement] = new
            else:
                replacements[run.call] = cst.parse_expression(f"{names[run.method]}({dataset})")
        # the statement after the new functions is set off by two blank lines
        body = list(self.ctx.module.body)
        after = body[body.index(self.statement) + 1:][:1]
        if after:
            new = replacements.get(after[0], after[0])
            blanks = 0
            while blanks < len(new.leading_lines) and new.leading_lines[blanks].comment is None:
                blanks += 1
            more = [cst.EmptyLine(indent=False)] * max(0, 2 - blanks)
            replacements[after[0]] = new.with_changes(leading_lines=[*more, *new.leading_lines])
        edits = [Edit(node, new) for node, new in replacements.items()]
        used = [names[m] for m in ("train_step", "evaluate", "predict") if m in methods]
        return edits, used

    def dataset_statement(self, source: Input) -> cst.SimpleStatementLine:
        small = cst.parse_statement(_wrapped(f"{source.name} = {source.dataset}")).body[0]
        return source.statement.with_changes(body=[small])

    def new_model_fn(self) -> cst.FunctionDef:
        replaced, prefixes = self.replaced, self.prefixes

        class Change(cst.CSTTransformer):
            def on_leave(self, original, updated):
                if original in prefixes:
                    new = replaced.get(original, updated)
                    return cst.FlattenSentinel([*prefixes[original], new])
                if original in replaced:
                    new = replaced[original]
                    return cst.RemoveFromParent() if new is None else new
                return updated

        return self.func.visit(Change())


def analyse(ctx: Context) -> list[Outcome]:
    cached = ctx.memo.get("estimator")
    if cached is not None:
        return cached
    outcomes = []
    estimators = [s for s in ctx.module.body if _assigned(s) is not None and
                  isinstance(_assigned(s)[1], cst.Call) and
                  _qualified(ctx, _assigned(s)[1].func) == ESTIMATOR]
    for statement in estimators:
        name, call = _assigned(statement)
        outcome = Outcome(call)
        rewrite = _Rewrite(ctx, statement, name, call)
        try:
            if len(estimators) > 1:
                raise Unproven(call, "several Estimators in one module: rewrite by hand")
            outcome = rewrite.analyse()
        except Unproven as error:
            outcome.unproven = error
        except Waiting as error:
            outcome = getattr(rewrite, "outcome", outcome)
            outcome.waiting = error
        outcomes.append(outcome)
    placed = {_assigned(s)[1] for s in estimators}
    for call in ctx.module_calls():
        if call not in placed and _qualified(ctx, call.func) == ESTIMATOR:
            outcomes.append(Outcome(call, unproven=Unproven(
                call, "an Estimator made inside a function or a larger expression: this rule "
                "rewrites `name = tf.estimator.Estimator(model_fn)` at module level, run by "
                "module-level code")))
    ctx.memo["estimator"] = outcomes
    return outcomes


def estimator_rewritten(ctx: Context, node: cst.CSTNode) -> bool:
    """Whether TFM206 rewrites the statement `node` is in (TFM112 then need not report it)."""
    statements = set()
    for outcome in analyse(ctx):
        if outcome.edits or outcome.waiting is not None:
            statements |= outcome.covered
    return bool(statements) and any(a in statements for a in ctx.ancestors(node))


class EstimatorProgram(Rule):
    code = "TFM206"
    name = "estimator-program"
    summary = "A `tf.estimator` program becomes eager code: its `model_fn` runs in " \
              "`tf.function` train and evaluation steps."
    fix = FixSafety.SAFE
    prefilter = ("Estimator",)
    doc = """
## Why
`tf.estimator` was removed in TensorFlow 2.16: a program that gives a `model_fn` to
`tf.estimator.Estimator` and trains it on `numpy_input_fn` inputs does not start on 2.21.

## What it becomes
The `model_fn` stays the one place the model is written. It returns a dict instead of an
`EstimatorSpec` (`{"predictions": ..., "loss": ...}`), and `tf.estimator.ModeKeys.TRAIN` /
`EVAL` / `PREDICT` become their values `"train"` / `"eval"` / `"infer"`. Its optimizer
becomes the Keras 3 optimizer with TF1's hyperparameters, made once at module level; each
`tf.metrics` metric of `eval_metric_ops` becomes a Keras metric object made once and updated
in `"eval"` mode, where the Estimator ran it. The layers it makes are made once by the layer
rules (TFM301/TFM303), which treat a `model_fn` as code that runs on every step.

In place of the Estimator come `train_step(features, labels)`, a `tf.function` that runs the
`model_fn` under a `tf.GradientTape` and applies the gradients of its loss to the variables it
read (what `minimize` did; the global step is the optimizer's `iterations`);
`evaluate(dataset)`, which returns what `Estimator.evaluate` returned: each metric over the
dataset, `loss` (the mean of the batch losses) and `global_step`; and `predict(dataset)`, a
generator of the predictions, one example at a time. `est.train(input_fn, steps=n)` becomes
`for features, labels in dataset.take(n): train_step(features, labels)`.
`numpy_input_fn(x, y, batch_size, num_epochs, shuffle)` becomes
`tf.data.Dataset.from_tensor_slices((x, y))` with `.shuffle(queue_capacity)` when it shuffled,
`.repeat(num_epochs)` and `.batch(batch_size)`: without shuffling, the same batches in the same
order (an epoch's last batch runs into the next epoch's first examples, as TF1's queue did).
An input function returning a `tf.data.Dataset` (`input_fn=eval_input_fn`, or
`input_fn=lambda: train_input_fn(batch)`) is called where the Estimator called it
(`for features, labels in train_input_fn(batch).take(n)`), when what its dataset yields can be
read: (features, labels) pairs or features alone, from `from_tensor_slices`/`from_tensors`/
`zip` of a tuple or a dict, or a `map` whose lambda returns a pair.

## Caveats
The Estimator wrote checkpoints and summaries to a temporary `model_dir` that nothing read;
they are not written. An Estimator given `model_dir`, `config` or `warm_start_from`, hooks,
`max_steps`, other input functions (iterators, `map` with a named function), several train
ops, `export_outputs`
or summaries in the `model_fn` is left alone with a message saying what stops it. Shuffled
inputs come in another random order than TF1's queue gave.
"""
    examples = (
        Valid("import tensorflow as tf\n\nmodel = tf.keras.Sequential()\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "dense = tf.keras.layers.Dense(1)\n\n\n"
            "def model_fn(features, labels, mode):\n"
            "    prediction = dense(features['x'])\n"
            "    if mode == tf.estimator.ModeKeys.PREDICT:\n"
            "        return tf.estimator.EstimatorSpec(mode, predictions=prediction)\n"
            "    loss = tf.reduce_mean(tf.square(prediction - labels))\n"
            "    optimizer = tf.train.GradientDescentOptimizer(0.1)\n"
            "    train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())\n"
            "    return tf.estimator.EstimatorSpec(mode, prediction, loss, train_op)\n\n\n"
            "model = tf.estimator.Estimator(model_fn)\n"
            "train_input = tf.estimator.inputs.numpy_input_fn({'x': xs}, ys, batch_size=4, "
            "num_epochs=None, shuffle=False)\n"
            "model.train(train_input, steps=10)\n",
            "import tensorflow as tf\n\n"
            "dense = tf.keras.layers.Dense(1)\n\n\n"
            "def model_fn(features, labels, mode):\n"
            "    prediction = dense(features['x'])\n"
            "    if mode == \"infer\":\n"
            "        return {\"predictions\": prediction}\n"
            "    loss = tf.reduce_mean(tf.square(prediction - labels))\n"
            "    return {\"predictions\": prediction, \"loss\": loss}\n\n\n"
            "optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)\n\n\n"
            "@tf.function\n"
            "def train_step(features, labels):\n"
            "    with tf.GradientTape() as tape:\n"
            "        loss = model_fn(features, labels, \"train\")[\"loss\"]\n"
            "    variables = tape.watched_variables()\n"
            "    gradients = tape.gradient(loss, variables)\n"
            "    optimizer.apply_gradients(zip(gradients, variables))\n"
            "    return loss\n\n\n"
            "train_input = tf.data.Dataset.from_tensor_slices(({'x': xs}, ys)).repeat()"
            ".batch(4)\n"
            "for features, labels in train_input.take(10):\n"
            "    train_step(features, labels)\n"),
    )

    def on_module(self, ctx: Context) -> None:
        for outcome in analyse(ctx):
            if outcome.waiting is not None:
                ctx.report(outcome.anchor, "estimator program: rewritten into eager steps once "
                           f"`{outcome.waiting.name}` is fixed by its own rule")
            elif outcome.unproven is not None:
                ctx.report(outcome.unproven.node, "estimator program left unchanged: "
                           f"{outcome.unproven.message}")
            else:
                names = ", ".join(f"`{name}`" for name in outcome.functions)
                ctx.report(outcome.anchor, "estimator program: the `model_fn` runs eagerly in "
                           f"{names} (tf.function steps with a Keras optimizer)",
                           outcome.edits, imports=("tensorflow",))
