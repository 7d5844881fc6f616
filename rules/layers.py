"""TFM30x: TF1 layers and variables (`tf.layers`, contrib/slim layers, `tf.get_variable`,
variable scopes, collections) → Keras 3 layer objects and `tf.Variable`s.

A TF1 layer *function* creates its variables each time it runs and finds them again by
name under `reuse`; a Keras layer is an object that owns its variables and is called. The
fixes create the layer once (right before the statement, or before the function that
calls it when that function shares its variables through `reuse`) and call it where the
TF1 function was called. Facts: MIGRATION_MAP §2, §3, §4, caveats 1, 2, 10–12, 14–16.
"""

from __future__ import annotations

import builtins
import dataclasses
import keyword
from dataclasses import dataclass, field

import libcst as cst

from tfmigrate.context import Context, Reference, parse_expression
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid

from ._nodes import bound_by, target_name_nodes, walk
from .api import is_tf1_name, short

MAX_LINE = 99
_BUILTINS = frozenset(dir(builtins))

# -- argument tables ------------------------------------------------------------------------

_INIT_REG = ["kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
             "activity_regularizer", "kernel_constraint", "bias_constraint"]
_CONV = ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
         "activation", "use_bias", *_INIT_REG]
_CONV_T = ["filters", "kernel_size", "strides", "padding", "data_format", "activation",
           "use_bias", *_INIT_REG]
_SEPARABLE = ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
              "depth_multiplier", "activation", "use_bias", "depthwise_initializer",
              "pointwise_initializer", "bias_initializer", "depthwise_regularizer",
              "pointwise_regularizer", "bias_regularizer", "activity_regularizer",
              "depthwise_constraint", "pointwise_constraint", "bias_constraint"]
_POOL = ["pool_size", "strides", "padding", "data_format"]
_BN = ["axis", "momentum", "epsilon", "center", "scale", "beta_initializer",
       "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
       "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"]


@dataclass(frozen=True)
class Spec:
    """How one TF1 layer function or class maps onto a Keras 3 layer class."""

    keras: str  # Keras 3 class in tf.keras.layers
    params: tuple[str, ...]  # TF1 parameters after `inputs`, in order
    keras_positional: tuple[str, ...]  # Keras positional parameters, in order
    renames: dict = field(default_factory=dict)  # TF1 parameter -> Keras parameter
    call: tuple[str, ...] = ()  # TF1 parameters that become call arguments (`training`)
    dropped: tuple[str, ...] = ("reuse",)  # no Keras equivalent, no effect on values
    refused: tuple[str, ...] = ()  # change values and have no Keras equivalent
    contrib: bool = False


def _tf(keras, params, positional, **kw) -> Spec:
    return Spec(keras, tuple(params), tuple(positional), **kw)


_TAIL = ["trainable", "name", "reuse"]
TF_LAYERS = {
    "dense": _tf("Dense", ["units", "activation", "use_bias", *_INIT_REG, *_TAIL],
                 ["units", "activation", "use_bias", *_INIT_REG]),
    "conv1d": _tf("Conv1D", [*_CONV, *_TAIL], _CONV[:6]),
    "conv2d": _tf("Conv2D", [*_CONV, *_TAIL], _CONV[:6]),
    "conv3d": _tf("Conv3D", [*_CONV, *_TAIL], _CONV[:6]),
    "conv2d_transpose": _tf("Conv2DTranspose", [*_CONV_T, *_TAIL], _CONV_T[:4]),
    "conv3d_transpose": _tf("Conv3DTranspose", [*_CONV_T, *_TAIL], _CONV_T[:5]),
    "separable_conv1d": _tf("SeparableConv1D", [*_SEPARABLE, *_TAIL], _SEPARABLE),
    "separable_conv2d": _tf("SeparableConv2D", [*_SEPARABLE, *_TAIL], _SEPARABLE),
    "dropout": _tf("Dropout", ["rate", "noise_shape", "seed", "training", "name"],
                   ["rate", "noise_shape", "seed"], call=("training",)),
    "batch_normalization": _tf(
        "BatchNormalization",
        [*_BN, "training", "trainable", "name", "reuse", "renorm", "renorm_clipping",
         "renorm_momentum", "fused", "virtual_batch_size", "adjustment"],
        _BN, call=("training",), dropped=("reuse", "fused"),
        refused=("virtual_batch_size", "adjustment")),
    "flatten": _tf("Flatten", ["name", "data_format"], []),
}
for _dims in "123":
    TF_LAYERS[f"max_pooling{_dims}d"] = _tf(f"MaxPooling{_dims}D", [*_POOL, "name"], _POOL)
    TF_LAYERS[f"average_pooling{_dims}d"] = _tf(f"AveragePooling{_dims}D", [*_POOL, "name"],
                                                _POOL)

# The classes: same parameters without `inputs`/`training`/`reuse`.
TF_CLASSES = {}
for _function, _spec in TF_LAYERS.items():
    _params = [p for p in _spec.params if p not in ("training", "reuse")]
    if _spec.keras == "BatchNormalization":
        _params = [*_BN, "renorm", "renorm_clipping", "renorm_momentum", "fused", "trainable",
                   "virtual_batch_size", "adjustment", "name"]
    elif _spec.keras == "Flatten":
        _params = ["data_format"]
    TF_CLASSES[_spec.keras] = Spec(_spec.keras, tuple(_params), _spec.keras_positional,
                                   dropped=tuple(d for d in _spec.dropped if d != "reuse"),
                                   refused=_spec.refused)

_CONTRIB_COMMON = {"activation_fn": "activation", "weights_initializer": "kernel_initializer",
                   "weights_regularizer": "kernel_regularizer",
                   "biases_initializer": "bias_initializer",
                   "biases_regularizer": "bias_regularizer", "scope": "name"}
_CONTRIB_COLLECTIONS = ("variables_collections", "outputs_collections")
CONTRIB_LAYERS = {
    "fully_connected": Spec(
        "Dense", ("num_outputs", "activation_fn", "normalizer_fn", "normalizer_params",
                  "weights_initializer", "weights_regularizer", "biases_initializer",
                  "biases_regularizer", "reuse", "variables_collections",
                  "outputs_collections", "trainable", "scope"),
        ("units", "activation"), renames={"num_outputs": "units", **_CONTRIB_COMMON},
        refused=("normalizer_fn", "normalizer_params", *_CONTRIB_COLLECTIONS), contrib=True),
    "conv2d": Spec(
        "Conv2D", ("num_outputs", "kernel_size", "stride", "padding", "data_format", "rate",
                   "activation_fn", "normalizer_fn", "normalizer_params", "weights_initializer",
                   "weights_regularizer", "biases_initializer", "biases_regularizer", "reuse",
                   "variables_collections", "outputs_collections", "trainable", "scope"),
        ("filters", "kernel_size", "strides", "padding"),
        renames={"num_outputs": "filters", "stride": "strides", "rate": "dilation_rate",
                 **_CONTRIB_COMMON},
        refused=("normalizer_fn", "normalizer_params", *_CONTRIB_COLLECTIONS), contrib=True),
    "max_pool2d": Spec(
        "MaxPooling2D", ("kernel_size", "stride", "padding", "data_format",
                         "outputs_collections", "scope"),
        ("pool_size", "strides", "padding"),
        renames={"kernel_size": "pool_size", "stride": "strides", "scope": "name"},
        refused=("outputs_collections",), contrib=True),
    "flatten": Spec("Flatten", ("outputs_collections", "scope"), (),
                    renames={"scope": "name"}, refused=("outputs_collections",), contrib=True),
    "dropout": Spec(
        "Dropout", ("keep_prob", "noise_shape", "is_training", "outputs_collections", "scope",
                    "seed"), ("rate", "noise_shape"),
        renames={"keep_prob": "rate", "is_training": "training", "scope": "name"},
        call=("is_training",), refused=("outputs_collections",), contrib=True),
    "batch_norm": Spec(
        "BatchNormalization",
        ("decay", "center", "scale", "epsilon", "activation_fn", "param_initializers",
         "param_regularizers", "updates_collections", "is_training", "reuse",
         "variables_collections", "outputs_collections", "trainable", "batch_weights", "fused",
         "data_format", "zero_debias_moving_mean", "scope", "renorm", "renorm_clipping",
         "renorm_decay", "adjustment"), (),
        renames={"decay": "momentum", "is_training": "training", "scope": "name",
                 "renorm_decay": "renorm_momentum"},
        call=("is_training",), dropped=("reuse", "fused", "updates_collections"),
        refused=("activation_fn", "param_initializers", "param_regularizers", "batch_weights",
                 "zero_debias_moving_mean", "adjustment", *_CONTRIB_COLLECTIONS),
        contrib=True),
    "layer_norm": Spec(
        "LayerNormalization",
        ("center", "scale", "activation_fn", "reuse", "variables_collections",
         "outputs_collections", "trainable", "begin_norm_axis", "begin_params_axis", "scope"),
        (), renames={"scope": "name"},
        refused=("activation_fn", *_CONTRIB_COLLECTIONS), contrib=True),
}
CONTRIB_LAYERS["convolution2d"] = CONTRIB_LAYERS["conv2d"]
CONTRIB_LAYERS["avg_pool2d"] = Spec(
    "AveragePooling2D", *[getattr(CONTRIB_LAYERS["max_pool2d"], f) for f in
                          ("params", "keras_positional", "renames", "call", "dropped",
                           "refused", "contrib")])

CONTRIB_MODULES = ("tensorflow.contrib.layers", "tensorflow.contrib.slim")
# What TFM110 (rules/contrib.py) should leave to TFM303: the contrib names fixed here.
CONTRIB_FIXED = frozenset(f"tf{module[len('tensorflow'):]}.{name}"
                          for module in CONTRIB_MODULES for name in CONTRIB_LAYERS) | \
    frozenset({"tf.contrib.slim.arg_scope", "tf.contrib.framework.arg_scope"})

_FALSE_LITERALS = ("None", "False")


# -- small helpers ---------------------------------------------------------------------------

def _literal(node: cst.BaseExpression | None):
    """Python value of a literal (str, number, True/False/None, tuple/list of those) or
    `_literal` when the node is not one."""
    if node is None:
        return _literal
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else _literal
    if isinstance(node, cst.Integer):
        return int(node.value, 0) if not node.value.startswith("0") or node.value == "0" \
            else _literal
    if isinstance(node, cst.Float):
        return float(node.value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        value = _literal(node.expression)
        return -value if isinstance(value, (int, float)) and value is not True and \
            value is not False else _literal
    if isinstance(node, (cst.Tuple, cst.List)):
        values = [_literal(e.value) for e in node.elements]
        return _literal if any(v is _literal for v in values) else tuple(values)
    return _literal


# Stands for a lambda or comprehension in `_names_in`: a valid identifier no code can use.
NESTED_SCOPE = "__tfmigrate_nested_scope__"


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    """Names an expression reads (not attribute names, not keywords of calls)."""
    found = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.Name):
            found.append(current)
            continue
        if isinstance(current, cst.Attribute):
            pending.append(current.value)
            continue
        if isinstance(current, cst.Arg):
            pending.append(current.value)
            continue
        if isinstance(current, (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp,
                                cst.GeneratorExp)):
            found.append(cst.Name(NESTED_SCOPE))
            continue
        pending.extend(current.children)
    return found


def _arguments(call: cst.Call, params: tuple[str, ...], first: str | None):
    """{parameter: Arg} of a call to a function with `first` (or nothing) then `params`;
    an error message when the call cannot be read."""
    order = ([first] if first else []) + list(params)
    found: dict[str, cst.Arg] = {}
    for index, arg in enumerate(call.args):
        if arg.star:
            return "`*args`/`**kwargs` in the call"
        if arg.keyword is None:
            if index >= len(order):
                return "too many positional arguments"
            key = order[index]
        else:
            key = arg.keyword.value
            if key not in order:
                return f"unknown argument `{key}=`"
        if key in found:
            return f"`{key}` given twice"
        found[key] = arg
    return found


class _Names:
    """Free variable names for new layer objects: never a name the module already uses."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.taken: set[str] | None = None

    def fresh(self, wanted: str, named: bool = False) -> str:
        """A free name: `wanted`, then (for a layer's own `name=`) `wanted_layer`, then
        numbered."""
        if self.taken is None:
            self.taken = self.ctx.all_names() | set(
                self.ctx.allocated_imports().values())
        base = wanted if wanted.isidentifier() and not keyword.iskeyword(wanted) and \
            wanted not in _BUILTINS else "layer"
        candidates = [base] + ([f"{base}_layer"] if named else [])
        for name in candidates:
            if name not in self.taken:
                self.taken.add(name)
                return name
        base, number = candidates[-1], 2
        while f"{base}_{number}" in self.taken:
            number += 1
        self.taken.add(f"{base}_{number}")
        return f"{base}_{number}"

    def all(self) -> set[str]:
        """The names taken so far (the module's and those handed out); add to it."""
        if self.taken is None:
            self.taken = self.ctx.all_names() | set(
                self.ctx.allocated_imports().values())
        return self.taken


def _wrap(head: str, parts: list[str], indent: str) -> str:
    """`head(part, part, ...)`, on one line if it fits, else with a hanging indent."""
    text = f"{head}({', '.join(parts)})"
    if len(indent) + len(text) <= MAX_LINE or not parts or any("\n" in p for p in parts):
        return text
    lines, current = [], ""
    width = MAX_LINE - len(indent) - 4
    for part in parts:
        piece = part + ","
        if current and len(current) + 1 + len(piece) > width:
            lines.append(current)
            current = piece
        else:
            current = f"{current} {piece}" if current else piece
    lines.append(current[:-1])
    return head + "(\n" + "\n".join("    " + line for line in lines) + ")"


def _indent_of(ctx: Context, node: cst.CSTNode) -> str:
    depth = sum(isinstance(a, cst.IndentedBlock) for a in ctx.ancestors(node))
    return "    " * depth


# -- rank of an expression (caveats 10 and 12) -------------------------------------------------

_RANK_KEEPING = {"tensorflow.nn.relu", "tensorflow.nn.relu6", "tensorflow.nn.elu",
                 "tensorflow.nn.selu", "tensorflow.nn.sigmoid", "tensorflow.nn.tanh",
                 "tensorflow.sigmoid", "tensorflow.tanh", "tensorflow.nn.leaky_relu",
                 "tensorflow.identity", "tensorflow.nn.softplus", "tensorflow.nn.dropout",
                 "tensorflow.layers.dense", "tensorflow.layers.dropout",
                 "tensorflow.layers.batch_normalization", "tensorflow.keras.layers.Dense",
                 "tensorflow.keras.layers.Dropout", "tensorflow.keras.layers.BatchNormalization",
                 "tensorflow.keras.layers.LayerNormalization",
                 "tensorflow.contrib.layers.fully_connected",
                 "tensorflow.contrib.slim.fully_connected",
                 "tensorflow.contrib.layers.dropout", "tensorflow.contrib.slim.dropout",
                 "tensorflow.contrib.layers.batch_norm", "tensorflow.contrib.slim.batch_norm"}
_RANK_TWO = {"tensorflow.layers.flatten", "tensorflow.keras.layers.Flatten",
             "tensorflow.contrib.layers.flatten", "tensorflow.contrib.slim.flatten",
             "tensorflow.matmul", "tensorflow.linalg.matmul"}


_BINDING_FIELDS = {cst.Param: "name", cst.For: "target", cst.AugAssign: "target",
                   cst.AnnAssign: "target", cst.AsName: "name", cst.NamedExpr: "target",
                   cst.CompFor: "target", cst.FunctionDef: "name", cst.ClassDef: "name"}


def _reaching_values(ctx: Context, name: cst.Name) -> list | None:
    """The values of the `name = value` lines that may reach the use: earlier in the same
    block, in the `if`s before it (`h = dense(x)` then `if bn: h = batch_norm(h)`), in the
    blocks around it up to the function or loop body, and at the top of a method called
    once, its argument; None when something else may bind it."""
    current = None
    for ancestor in ctx.ancestors(name):
        if isinstance(ancestor, cst.SimpleStatementLine):
            current = ancestor
            break
        if isinstance(ancestor, cst.SimpleStatementSuite):  # `if bn: x = f(x)`
            small = next(s for s in ancestor.body if any(a is s for a in ctx.ancestors(name)))
            if any(name.value in bound_by(s) for s in ancestor.body[:ancestor.body.index(small)]):
                return None
            current = ancestor
            break
        if isinstance(ancestor, cst.BaseCompoundStatement):
            return None
    values: list = []
    while current is not None:
        block = ctx.parent(current)
        if isinstance(block, cst.IndentedBlock):
            siblings = list(block.body)
            for sibling in reversed(siblings[:siblings.index(current)]):
                if name.value not in bound_by(sibling):
                    continue
                found = _assigned_values(sibling, name.value)
                if found is None:
                    return None
                values.extend(found[0])
                if not found[1]:
                    return values
            holder = ctx.parent(block)
        else:
            holder = block  # the `if`/`else` of a one-line body
        if isinstance(holder, cst.FunctionDef):
            params = _param_values(ctx, holder, name.value) if name.value in {
                p.name.value for p in holder.params.params} else None
            return values + params if params is not None else None
        if isinstance(holder, cst.Else):
            holder = ctx.parent(holder)
        if not isinstance(holder, cst.If) or name.value in bound_by(holder.test):
            return None
        while isinstance(ctx.parent(holder), cst.If) and ctx.parent(holder).orelse is holder:
            holder = ctx.parent(holder)  # an `elif`: the `if` it belongs to
        current = holder
    return None


def _assigned_values(statement: cst.CSTNode, name: str):
    """(values `statement` may leave in `name`, whether it may leave it unbound by itself);
    None when it binds the name other than by `name = value`."""
    if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return _block_values(list(statement.body), name)
    if isinstance(statement, cst.Assign):
        if len(statement.targets) == 1 and isinstance(statement.targets[0].target, cst.Name) \
                and statement.targets[0].target.value == name:
            return [statement.value], False
        return None
    if isinstance(statement, cst.If):
        if name in bound_by(statement.test):
            return None
        body = _block_values(_body_of(statement.body), name)
        other = _assigned_values(statement.orelse, name) if isinstance(statement.orelse, cst.If) \
            else _block_values(_body_of(statement.orelse.body), name) \
            if statement.orelse is not None else ([], True)
        if body is None or other is None:
            return None
        return body[0] + other[0], body[1] or other[1]
    return None


def _body_of(suite: cst.BaseSuite) -> list:
    return list(suite.body)


def _block_values(statements: list, name: str):
    values = []
    for statement in reversed(statements):
        if name not in bound_by(statement):
            continue
        found = _assigned_values(statement, name)
        if found is None:
            return None
        values.extend(found[0])
        if not found[1]:
            return values, False
    return values, True


def _single_assignment(ctx: Context, name: cst.Name, names_index) -> cst.BaseExpression | None:
    """The value of the only binding `name = value` in the module, if that is its only one."""
    values = []
    for node in names_index.get(name.value, ()):
        parent = ctx.parent(node)
        if isinstance(parent, cst.AssignTarget) and parent.target is node:
            assign = ctx.parent(parent)
            if isinstance(assign, cst.Assign) and len(assign.targets) == 1:
                values.append(assign.value)
                continue
            return None
        binding = _BINDING_FIELDS.get(type(parent))
        if binding is not None and getattr(parent, binding) is node:
            return None
        if isinstance(parent, cst.Element):  # possibly unpacked into: unknown
            holder = ctx.parent(ctx.parent(parent))
            if isinstance(holder, (cst.AssignTarget, cst.For, cst.CompFor)):
                return None
    return values[0] if len(values) == 1 else None


def rank_of(ctx: Context, node: cst.BaseExpression, names_index, depth: int = 0,
            assume: dict | None = None) -> int | None:
    """The rank of a tensor expression when the code shows it (placeholders with a literal
    shape, dense/flatten layers, element-wise activations, through assignments, the
    parameters of a method called once, its returns, and lists of tensors kept on `self`);
    None when unknown. `assume`: ranks taken for list attributes while proving them."""
    if depth > 40:
        return None
    assume = assume or {}

    def rank(value):
        return rank_of(ctx, value, names_index, depth + 1, assume)

    if isinstance(node, cst.Name):
        value = _single_assignment(ctx, node, names_index)
        values = [value] if value is not None else _reaching_values(ctx, node)
        return _same_rank([rank(v) for v in values or []])
    if isinstance(node, cst.IfExp):
        return _same_rank([rank(node.body), rank(node.orelse)])
    if isinstance(node, cst.Subscript):
        return _element_rank(ctx, node, names_index, depth, assume)
    if not isinstance(node, cst.Call):
        return None
    name = ctx.qualified_name(node.func)
    if name is None and isinstance(node.func, cst.Attribute):
        method = _called_method(ctx, node)
        if method is None:
            return None
        returns = [n.value for n in _own_nodes(method.body) if isinstance(n, cst.Return)]
        return _same_rank([rank(v) if v is not None else None for v in returns])
    if name is None and isinstance(node.func, cst.Name):
        # a layer object: `h = fc1(x)` with `fc1 = tf.keras.layers.Dense(...)`
        built = _single_assignment(ctx, node.func, names_index)
        if isinstance(built, cst.Call):
            layer = ctx.qualified_name(built.func)
            if layer in _RANK_TWO:
                return 2
            if layer in _RANK_KEEPING and node.args:
                return rank(node.args[0].value)
            return None
        # a function passed in or bound to a name: `ac(x)` with `ac=tf.nn.tanh`
        name = _function_name(ctx, node.func, names_index, depth)
        if name is None:
            return None
    if name == "tensorflow.placeholder":
        for index, arg in enumerate(node.args):
            if (arg.keyword is None and index == 1) or \
                    (arg.keyword is not None and arg.keyword.value == "shape"):
                if isinstance(arg.value, (cst.List, cst.Tuple)):
                    return len(arg.value.elements)
        return None
    if name in _RANK_TWO:
        return 2
    if name == "tensorflow.reshape":
        shape = node.args[1].value if len(node.args) > 1 else None
        return len(shape.elements) if isinstance(shape, (cst.List, cst.Tuple)) else None
    if name in _RANK_KEEPING and node.args and node.args[0].keyword is None:
        return rank(node.args[0].value)
    return None


def _same_rank(ranks: list) -> int | None:
    return ranks[0] if ranks and ranks[0] is not None and all(r == ranks[0] for r in ranks) \
        else None


def _own_nodes(node: cst.CSTNode):
    """The nodes of a function body, not those of functions, lambdas or classes in it."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        if not isinstance(current, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            pending.extend(current.children)


def _function_name(ctx: Context, node: cst.BaseExpression, names_index, depth: int):
    """The qualified name of the TensorFlow function a name holds (`ac` → `ACTIVATION` →
    `tf.nn.tanh`), when every way it is bound shows the same one."""
    if depth > 40:
        return None
    name = ctx.qualified_name(node)
    if name is not None or not isinstance(node, cst.Name):
        return name
    value = _single_assignment(ctx, node, names_index)
    values = [value] if value is not None else _reaching_values(ctx, node) or []
    names = {_function_name(ctx, v, names_index, depth + 1) for v in values}
    return names.pop() if len(names) == 1 else None


def _enclosing_class(ctx: Context, node: cst.CSTNode):
    """(method, class) of a node in a method of a module-level class; (None, None) else."""
    func = next((a for a in ctx.ancestors(node) if isinstance(a, cst.FunctionDef)), None)
    block = ctx.parent(func) if func is not None else None
    cls = ctx.parent(block) if isinstance(block, cst.IndentedBlock) else None
    if isinstance(cls, cst.ClassDef) and isinstance(ctx.parent(cls), cst.Module) and \
            func.params.params and not func.decorators:
        return func, cls
    return None, None


def _called_method(ctx: Context, call: cst.Call) -> cst.FunctionDef | None:
    """The method `self.f(...)` calls, in the class of the method it is in."""
    func, cls = _enclosing_class(ctx, call)
    target = call.func
    if cls is None or not isinstance(target, cst.Attribute) or \
            not isinstance(target.value, cst.Name) or \
            target.value.value != func.params.params[0].name.value:
        return None
    found = [m for m in cls.body.body if isinstance(m, cst.FunctionDef) and
             m.name.value == target.attr.value]
    return found[0] if len(found) == 1 and _enclosing_class(ctx, found[0].body)[1] is cls \
        else None


def _param_values(ctx: Context, func: cst.FunctionDef, name: str) -> list | None:
    """What a method's parameter holds: the argument its only call passes (or the default);
    None when the method has other uses, or the parameter is the instance."""
    _, cls = _enclosing_class(ctx, func.body)
    params = func.params
    if cls is None or params.posonly_params or isinstance(params.star_arg, cst.Param) or \
            params.star_kwarg is not None or params.params[0].name.value == name:
        return None
    uses = list(ctx.attributes_named({func.name.value}))
    call = ctx.call_of(uses[0]) if len(uses) == 1 else None
    if call is None or _called_method(ctx, call) is not func:
        return None
    unbound = func.with_changes(params=params.with_changes(params=params.params[1:]))
    bindings = _param_bindings(unbound, call)
    value = bindings.get(name) if bindings is not None else None
    return [value] if value is not None else None


def _element_rank(ctx: Context, node: cst.Subscript, names_index, depth: int,
                  assume: dict) -> int | None:
    """The rank of `self.hidden[k]`: a list attribute only ever bound to list literals and
    grown by `append`, all of whose elements have that rank (each appended value is proven
    from the elements before it, so the rank is assumed while proving them)."""
    target = node.value
    _, cls = _enclosing_class(ctx, node)
    if cls is None or not isinstance(target, cst.Attribute) or \
            not isinstance(target.value, cst.Name) or len(node.slice) != 1 or \
            not isinstance(node.slice[0].slice, cst.Index):
        return None
    key = (cls, target.attr.value)
    if key in assume:
        return assume[key]
    literals, appended = [], []
    for use in ctx.attributes_named({target.attr.value}):
        parent = ctx.parent(use)
        if isinstance(parent, cst.AssignTarget):
            assign = ctx.parent(parent)
            if not isinstance(assign, cst.Assign) or not isinstance(assign.value, cst.List) or \
                    any(not isinstance(e, cst.Element) for e in assign.value.elements) or \
                    _enclosing_class(ctx, assign)[1] is not cls:
                return None
            literals.extend(e.value for e in assign.value.elements)
        elif isinstance(parent, cst.Attribute) and parent.attr.value == "append":
            call = ctx.call_of(parent)
            if call is None or len(call.args) != 1 or call.args[0].keyword is not None or \
                    call.args[0].star:
                return None
            appended.append(call.args[0].value)
        elif isinstance(parent, cst.Subscript) and parent.value is use:
            grand = ctx.parent(parent)
            if isinstance(grand, (cst.AssignTarget, cst.Del, cst.AugAssign)):
                return None
        elif not isinstance(parent, cst.Element):
            return None
    ranks = [rank_of(ctx, v, names_index, depth + 1, assume) for v in literals]
    found = _same_rank(ranks)
    if found is None:
        return None
    inner = {**assume, key: found}
    if any(rank_of(ctx, v, names_index, depth + 1, inner) != found for v in appended):
        return None
    return found


# -- variable scopes and reuse ------------------------------------------------------------------

REUSE_FALSE, REUSE_TRUE, REUSE_AUTO, UNKNOWN = "false", "true", "auto", "unknown"
_SCOPE_SETTINGS = ("initializer", "regularizer", "caching_device", "partitioner",
                   "custom_getter", "dtype", "constraint")
VARIABLE_SCOPE = "tensorflow.variable_scope"
ESTIMATOR = "tensorflow.estimator.Estimator"
_ESTIMATOR_PARAMS = ("model_fn", "model_dir", "config", "params", "warm_start_from")


def _reuse_value(ctx: Context, node: cst.BaseExpression | None, bindings: dict | None):
    if node is None:
        return REUSE_FALSE
    if ctx.qualified_name(node) == "tensorflow.AUTO_REUSE":
        return REUSE_AUTO
    value = _literal(node)
    if value is True:
        return REUSE_TRUE
    if value in (False, None):
        return REUSE_FALSE
    if isinstance(node, cst.Name) and bindings is not None and node.value in bindings:
        return _reuse_value(ctx, bindings[node.value], None)
    return UNKNOWN


def _scope_call(ctx: Context, item: cst.WithItem) -> cst.Call | None:
    call = item.item
    if isinstance(call, cst.Call) and ctx.qualified_name(call.func) == VARIABLE_SCOPE:
        return call
    return None


_SCOPE_PARAMS = ("name_or_scope", "default_name", "values", "initializer", "regularizer",
                 "caching_device", "partitioner", "custom_getter", "reuse", "dtype",
                 "use_resource", "constraint", "auxiliary_name_scope")


@dataclass
class ScopeInfo:
    name: object  # literal scope name, or _literal when unknown
    reuse: str
    settings: bool  # initializer/regularizer/... that change the variables created inside


def _scope_info(ctx: Context, call: cst.Call, bindings: dict | None) -> ScopeInfo:
    args = _arguments(call, _SCOPE_PARAMS, None)
    if isinstance(args, str):
        return ScopeInfo(_literal, UNKNOWN, True)
    name = _literal(args["name_or_scope"].value) if "name_or_scope" in args else _literal
    reuse = _reuse_value(ctx, args["reuse"].value if "reuse" in args else None, bindings)
    settings = any(k in args and _literal(args[k].value) is not None for k in _SCOPE_SETTINGS)
    return ScopeInfo(name if isinstance(name, str) else _literal, reuse, settings)


def _combine(values) -> str:
    values = list(values)
    if UNKNOWN in values:
        return UNKNOWN
    if REUSE_TRUE in values:
        return REUSE_TRUE
    if REUSE_AUTO in values:
        return REUSE_AUTO
    return REUSE_FALSE


def _enclosing_scopes(ctx: Context, node: cst.CSTNode, stop: cst.CSTNode | None,
                      bindings: dict | None) -> list[ScopeInfo]:
    """The `with tf.variable_scope(...)` around `node`, outermost first, up to `stop`."""
    found = []
    for ancestor in ctx.ancestors(node):
        if ancestor is stop:
            break
        if isinstance(ancestor, cst.With):
            for item in ancestor.items:
                call = _scope_call(ctx, item)
                if call is not None:
                    found.append(_scope_info(ctx, call, bindings))
    return list(reversed(found))


# -- functions: how often they run, whether they share variables -----------------------------

def _function_of(ctx: Context, node: cst.CSTNode):
    """(innermost def, problem) for a node: problem says why a layer there cannot be placed."""
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp,
                                 cst.GeneratorExp)):
            return None, "inside a lambda or comprehension"
        if isinstance(ancestor, cst.ClassDef):
            return None, ("inside a class: create the layer in `__init__` and call it in "
                          "`call`")
        if isinstance(ancestor, cst.FunctionDef):
            outer = ctx.parent(ancestor)
            if not isinstance(outer, cst.Module):
                return None, "inside a nested function or a method"
            return ancestor, None
    return None, None


class _ReplaceNode(cst.CSTTransformer):
    """Nodes → new nodes, by identity."""

    def __init__(self, nodes: dict) -> None:
        self.nodes = nodes

    def on_leave(self, original, updated):
        return self.nodes.get(original, updated)


class _SplitSuites(cst.CSTTransformer):
    """Calls → their layer object's calls (like `_ReplaceCalls`), and the one-line bodies
    holding them (`if bn: x = f(x)`) → indented blocks, one statement a line (the trailing
    comment stays on the last)."""

    def __init__(self, calls: dict, tree: cst.CSTNode) -> None:
        self.replace = _ReplaceCalls(calls)
        self.split = {node for node in walk(tree) if isinstance(node, cst.SimpleStatementSuite)
                      and any(n in calls for n in walk(node))}

    def leave_Call(self, original, updated):
        return self.replace.leave_Call(original, updated)

    def leave_SimpleStatementSuite(self, original, updated):
        if original not in self.split:
            return updated
        smalls = list(updated.body)
        lines = []
        for number, small in enumerate(smalls):
            last = number == len(smalls) - 1
            lines.append(cst.SimpleStatementLine(
                [small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)],
                trailing_whitespace=updated.trailing_whitespace if last else
                cst.TrailingWhitespace()))
        return cst.IndentedBlock(lines)


class _ReplaceLines(cst.CSTTransformer):
    """Statement lines → lists of statements, by identity."""

    def __init__(self, lines: dict) -> None:
        self.lines = lines

    def leave_SimpleStatementLine(self, original, updated):
        new = self.lines.get(original)
        return cst.FlattenSentinel(new) if new is not None else updated


def _layer_loop(ctx: Context, site: "Site", method: cst.FunctionDef, functions: "_Functions"):
    """The `for i in range(n):` of `method` a layer call runs in, once per iteration, so that
    the i-th layer of a list stands for the call's variables of iteration i; else why not."""
    loop = _range_loop(ctx, site.call, method, functions)
    if isinstance(loop, str):
        return loop
    bound = bound_by(loop.body) | {loop.target.value}
    if "name" in site.args or "reuse" in site.args:
        return "with `name=` or `reuse=`: the iterations' variables are found by name"
    if any(n.value in bound - {loop.target.value}
           for part in _ctor_nodes(site) for n in _names_in(part)):
        return "its arguments change from one iteration to the next"
    return loop


def _range_loop(ctx: Context, node: cst.CSTNode, method: cst.FunctionDef,
                functions: "_Functions"):
    """The `for i in range(n):` of `method` that `node` runs in, once per iteration; else why
    not.

    The loop is straight-line in the method; between it and the node there are only `if`s
    whose tests no iteration changes (then each iteration that reaches the node appends and
    calls the same list's i-th layer, or none does)."""
    loop, tests = None, []
    for ancestor in ctx.ancestors(node):
        if ancestor is method:
            break
        if isinstance(ancestor, cst.If):
            tests.append(ancestor.test)
        elif isinstance(ancestor, cst.For) and loop is None:
            loop = ancestor
        elif isinstance(ancestor, (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp,
                                   cst.GeneratorExp, cst.Lambda, cst.Try, cst.With)):
            return "nested in another loop, a comprehension, `try` or `with`"
    if loop is None or loop.orelse is not None or loop.asynchronous is not None:
        return "not a plain `for` statement"
    if not functions._only_withs_between(loop, method.body):
        return "the loop itself runs in a loop or a branch"
    iterated = loop.iter
    if not (isinstance(loop.target, cst.Name) and isinstance(iterated, cst.Call) and
            isinstance(iterated.func, cst.Name) and iterated.func.value == "range" and
            len(iterated.args) == 1 and iterated.args[0].keyword is None and
            not iterated.args[0].star):
        return "not `for i in range(n)`"
    tests = [t for t in tests if any(a is loop for a in ctx.ancestors(t))]
    bound = bound_by(loop.body) | {loop.target.value}
    assigned = {n.target.attr.value for n in walk(loop.body)
                if isinstance(n, (cst.AssignTarget, cst.AugAssign)) and
                isinstance(n.target, cst.Attribute)}
    for test in tests:
        if any(n.value in bound for n in _names_in(test)) or any(
                isinstance(n, cst.Attribute) and n.attr.value in assigned for n in walk(test)) \
                or any(isinstance(n, cst.Call) for n in walk(test)):
            return "under a test that may change from one iteration to the next"
    if any(isinstance(n, cst.Continue) for n in walk(loop.body)) or \
            loop.target.value in bound_by(loop.body):
        return "an iteration may skip the call (`continue`) or the index is rebound"
    return loop


def _in_loop(ctx: Context, node: cst.CSTNode, stop: cst.CSTNode | None = None) -> bool:
    for ancestor in ctx.ancestors(node):
        if ancestor is stop:
            return False
        if isinstance(ancestor, (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp,
                                 cst.GeneratorExp, cst.Lambda)):
            return True
    return False


def _param_bindings(func: cst.FunctionDef, call: cst.Call) -> dict | None:
    """{parameter: value expression} for one call of `func`; None when not readable."""
    params = list(func.params.posonly_params) + list(func.params.params)
    out = {p.name.value: p.default for p in params if p.default is not None}
    out.update({p.name.value: p.default for p in func.params.kwonly_params
                if p.default is not None})
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is None:
            if index >= len(params):
                return None
            out[params[index].name.value] = arg.value
        else:
            out[arg.keyword.value] = arg.value
    return out


@dataclass
class FunctionPlan:
    kind: str  # "local": create where the TF1 call was; "hoist": once, before the def
    problem: str | None = None


class _Functions:
    """Per-module facts about top-level functions: call sites, sharing through reuse."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._index: dict[str, list[cst.Name]] | None = None
        self._plans: dict = {}

    @property
    def index(self) -> dict[str, list[cst.Name]]:
        if self._index is None:
            # one walk per analysed module, shared by every rule that asks (it is the costly part)
            cached = getattr(self.ctx, "_layers_name_index", None)
            if cached is not None:
                self._index = cached
                return cached
            # The engine's walk already listed every Name; attribute names are not uses.
            collector = self.ctx._collector
            attributes = {level.attr for chain in collector.chains for level in chain.levels[1:]
                          if isinstance(level, cst.Attribute)}
            attributes.update(node.attr for node in collector.other_attributes)
            index: dict[str, list[cst.Name]] = {}
            for name in collector.names:
                if name not in attributes:
                    index.setdefault(name.value, []).append(name)
            self._index = index
            self.ctx._layers_name_index = index
        return self._index

    @property
    def model_fns(self) -> dict[str, cst.Arg]:
        """Top-level functions given to `tf.estimator.Estimator` as its `model_fn` → that
        argument. The Estimator builds a graph from the function in every `train`,
        `evaluate` and `predict` and restores the same variables into each (by name, from
        its checkpoint), so in TF2 their layers are made once and called on every step."""
        found = getattr(self.ctx, "_layers_model_fns", None)
        if found is None:
            found = {}
            for call in self.ctx.module_calls():
                if self.ctx.resolve(call.func) != ESTIMATOR:
                    continue
                bound = _arguments(call, _ESTIMATOR_PARAMS, None)
                given = None if isinstance(bound, str) else bound.get("model_fn")
                if given is not None and isinstance(given.value, cst.Name) and \
                        self.ctx.module_function(given.value.value):
                    found[given.value.value] = given
            self.ctx._layers_model_fns = found
        return found

    def runs_per_step(self, func: cst.FunctionDef, depth: int = 0) -> bool:
        """Whether `func` is an Estimator's `model_fn` or is called only from such functions
        (its code then runs on every training step once migrated)."""
        if func.name.value in self.model_fns:
            return True
        calls = self.calls(func)
        if isinstance(calls, str) or not calls or depth > 8:
            return False
        for call in calls:
            owner, problem = _function_of(self.ctx, call)
            if owner is None or problem is not None or \
                    not self.runs_per_step(owner, depth + 1):
                return False
        return True

    def calls(self, func: cst.FunctionDef) -> list[cst.Call] | str:
        calls = []
        model_fn = self.model_fns.get(func.name.value)
        for node in self.index.get(func.name.value, ()):
            if node is func.name or (model_fn is not None and node is model_fn.value):
                continue
            parent = self.ctx.parent(node)
            if isinstance(parent, cst.Attribute) and parent.attr is node:
                continue
            if isinstance(parent, cst.Arg) and parent.keyword is node:
                continue
            call = self.ctx.call_of(node)
            if call is None:
                return f"`{func.name.value}` is used other than by calling it"
            calls.append(call)
        return calls

    def plan(self, func: cst.FunctionDef, sites: list) -> FunctionPlan:
        if func in self._plans:
            return self._plans[func]
        plan = self._plan(func, sites)
        self._plans[func] = plan
        return plan

    def _plan(self, func: cst.FunctionDef, sites: list) -> FunctionPlan:
        ctx = self.ctx
        calls = self.calls(func)
        if isinstance(calls, str):
            return FunctionPlan("none", calls)
        per_step = self.runs_per_step(func)
        if func.name.value in self.model_fns:
            return FunctionPlan("hoist")
        if not per_step and (len(calls) == 0 or
                             (len(calls) == 1 and not _in_loop(ctx, calls[0]))):
            return FunctionPlan("local")
        # Called more than once, or on every step: sharing must be provable (TF1 reuse on
        # every later call).
        name = func.name.value
        refuse = (f"`{name}` runs more than once ({len(calls)} call site(s), or a call in a "
                  "loop) and its variables are not provably shared (`reuse=True`/"
                  "`tf.AUTO_REUSE` on every call after the "
                  "first): create the layers once and pass them in, by hand")
        for call in calls:
            owner, problem = _function_of(ctx, call)
            if (owner is not None and not per_step) or problem is not None or \
                    _in_loop(ctx, call):
                return FunctionPlan("none", refuse)
            statement = self._statement_line(call)
            if statement is None or not self._only_withs_between(statement, owner or ctx.module):
                return FunctionPlan("none", refuse)
        for site in sites:
            line = site.line
            if not self._only_withs_between(line, func.body):
                return FunctionPlan("none", f"a layer in `{name}` runs conditionally or in a "
                                            "loop: its sharing cannot be proven")
        paths, reuses = [], []
        for call in calls:
            bindings = _param_bindings(func, call)
            if bindings is None:
                return FunctionPlan("none", refuse)
            outer = _enclosing_scopes(ctx, call, None, None)
            call_reuses = []
            call_paths = []
            for site in sites:
                inner = _enclosing_scopes(ctx, site.call, func, bindings)
                scopes = outer + inner
                if any(s.settings for s in scopes) or any(s.name is _literal for s in scopes):
                    return FunctionPlan("none", refuse)
                reuse_arg = site.args.get("reuse")
                own = _reuse_value(ctx, reuse_arg.value if reuse_arg else None, bindings)
                call_reuses.append(_combine([*(s.reuse for s in scopes), own]))
                call_paths.append(tuple(s.name for s in scopes))
            paths.append(tuple(call_paths))
            reuses.append(call_reuses)
        if len(set(paths)) != 1:
            return FunctionPlan("none", refuse)
        first, later = reuses[0], [r for rs in reuses[1:] for r in rs]
        if any(r not in (REUSE_FALSE, REUSE_AUTO) for r in first) or \
                any(r not in (REUSE_TRUE, REUSE_AUTO) for r in later):
            return FunctionPlan("none", refuse)
        return FunctionPlan("hoist")

    def _statement_line(self, node: cst.CSTNode):
        for ancestor in self.ctx.ancestors(node):
            if isinstance(ancestor, cst.SimpleStatementLine):
                return ancestor
            if isinstance(ancestor, (cst.BaseCompoundStatement, cst.SimpleStatementSuite)):
                return None
        return None

    def _only_withs_between(self, node: cst.CSTNode, top: cst.CSTNode) -> bool:
        for ancestor in self.ctx.ancestors(node):
            if ancestor is top:
                return True
            if isinstance(ancestor, (cst.IndentedBlock, cst.With, cst.Module)):
                continue
            return False
        return False


# -- methods: `__init__` runs once per instance ----------------------------------------------

@dataclass
class MethodOwner:
    """A method whose layers become attributes of the instance: `__init__`, or a method that
    `__init__` calls once, straight-line. Each runs once per instance, as TF1 made the
    variables once per instance."""

    method: cst.FunctionDef
    cls: cst.ClassDef
    receiver: str  # the method's name for the instance (`self`)
    once: bool  # the class has one instance, made once at module level


def _class_method(ctx: Context, node: cst.CSTNode):
    """(method, class) when `node`'s innermost scope is a method of a module-level class
    (not a lambda or comprehension inside it); else None."""
    func = None
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp,
                                 cst.GeneratorExp, cst.ClassDef)):
            return None
        if isinstance(ancestor, cst.FunctionDef):
            func = ancestor
            break
    block = ctx.parent(func) if func is not None else None
    cls = ctx.parent(block) if isinstance(block, cst.IndentedBlock) else None
    if not isinstance(cls, cst.ClassDef) or not isinstance(ctx.parent(cls), cst.Module):
        return None
    return func, cls


def method_owner(ctx: Context, node: cst.CSTNode, functions: "_Functions", depth: int = 0):
    """For a node whose innermost scope is a method of a module-level class: a MethodOwner
    when the method runs once per instance and no instance is made under a variable scope
    that reuses variables, else why not (a message). None for any other node."""
    found = _class_method(ctx, node)
    if found is None:
        return None
    func, cls = found
    plans = getattr(ctx, "_layers_method_plans", None)
    if plans is None:
        plans = ctx._layers_method_plans = {}
    if func in plans:
        return plans[func]
    if depth > 6:
        return f"`{cls.name.value}` is made too deep in calls of methods to follow"
    plans[func] = f"`{cls.name.value}` is made by its own methods"  # while in progress
    plans[func] = _method_plan(ctx, func, cls, functions, depth)
    return plans[func]


def _method_plan(ctx: Context, func: cst.FunctionDef, cls: cst.ClassDef,
                 functions: "_Functions", depth: int):
    where = f"`{cls.name.value}.{func.name.value}`"
    params = func.params.params
    if func.decorators or not params or func.asynchronous is not None:
        return f"{where} is decorated, static or async: create the layers in `__init__`"
    receiver = params[0].name.value
    if func.name.value == "__init__":
        once = _instances(ctx, cls, functions, depth)
        if isinstance(once, str):
            return once
        return MethodOwner(func, cls, receiver, once)
    caller = _helper_caller(ctx, func, cls, functions, depth)
    if isinstance(caller, str):
        return caller
    return MethodOwner(func, cls, receiver, caller.once)


def _class_bases_problem(ctx: Context, cls: cst.ClassDef) -> str | None:
    local = {c.name.value for c in ctx.classes()}
    for base in cls.bases:
        value = base.value
        if base.keyword is not None or base.star:
            return f"`{cls.name.value}` has a metaclass or starred bases"
        if isinstance(value, cst.Name) and value.value in (*local, "object"):
            continue
        name = ctx.qualified_name(value) or ""
        if not (name.startswith("tensorflow.keras.") or name == "tensorflow.Module"):
            return (f"`{cls.name.value}` derives from `{ctx.code(value)}`, whose attributes are "
                    "not known (a layer attribute could shadow one): create the layers by hand")
    return None


def _helper_caller(ctx: Context, func: cst.FunctionDef, cls: cst.ClassDef,
                   functions: "_Functions", depth: int):
    """The MethodOwner of the method that calls `func` once, straight-line (`self.f(...)` in
    `__init__`), or why `func` may run more than once per instance."""
    name, owner = func.name.value, cls.name.value
    why = (f"`{owner}.{name}` is not `__init__` nor a method `__init__` calls once: it may run "
           "more than once per instance (TF1 made new variables on each run, or shared them by "
           "name): create the layers in `__init__` as attributes and call them here, by hand")
    defined = [m for m in cls.body.body if isinstance(m, cst.FunctionDef)
               and m.name.value == name]
    if len(defined) != 1 or any(n is not func.name for n in functions.index.get(name, ())):
        return why
    uses = list(ctx.attributes_named({name}))
    if len(uses) != 1 or not isinstance(uses[0].value, cst.Name):
        return why
    call = ctx.call_of(uses[0])
    caller = method_owner(ctx, call, functions, depth + 1) if call is not None else None
    if caller is None:
        return why
    if isinstance(caller, str):
        return caller
    if caller.cls is not cls or uses[0].value.value != caller.receiver:
        return why
    line, _ = _statement_line(ctx, call)
    if line is None or not functions._only_withs_between(line, caller.method.body) or \
            any(isinstance(a, _CONDITIONAL) for a in _ancestors_until(ctx, call, line)):
        return (f"`{owner}.{name}` is called in a loop or a branch of "
                f"`{caller.method.name.value}`: TF1 made its variables on each run; create the "
                "layers in `__init__` (a list of them for a loop) and call them here, by hand")
    return caller


@dataclass(eq=False)
class LoopHelper:
    """A method that `__init__` (or a method it calls once) calls once, in `for i in
    range(n):` with arguments (`self.add_layer(h[-1], 10)`): each iteration's run made that
    iteration's variables in TF1. Its layers become list attributes made in that loop, and
    the method is passed the iteration's index to call them."""

    method: cst.FunctionDef
    caller: MethodOwner
    loop: cst.For
    call: cst.Call  # the method's one call, in the loop
    line: cst.SimpleStatementLine  # the caller's line holding it
    bindings: dict  # parameter (not the receiver) → the argument the call passes, or default


def _loop_helper(ctx: Context, node: cst.CSTNode, functions: "_Functions"):
    """The LoopHelper of the method `node` is in; why not (a message) when that method is
    called from a loop but cannot be one; None when it is not called from a loop at all."""
    found = _class_method(ctx, node)
    if found is None or found[0].name.value == "__init__":
        return None
    func, cls = found
    name, params = func.name.value, func.params
    defined = [m for m in cls.body.body if isinstance(m, cst.FunctionDef)
               and m.name.value == name]
    uses = list(ctx.attributes_named({name}))
    if len(defined) != 1 or any(n is not func.name for n in functions.index.get(name, ())) \
            or len(uses) != 1 or not isinstance(uses[0].value, cst.Name):
        return None
    call = ctx.call_of(uses[0])
    caller = method_owner(ctx, call, functions) if call is not None else None
    if not isinstance(caller, MethodOwner) or caller.cls is not cls or \
            uses[0].value.value != caller.receiver or not _in_loop(ctx, call, caller.method):
        return None
    where = f"`{cls.name.value}.{name}` is called in a loop of `{caller.method.name.value}`"
    if func.decorators or func.asynchronous is not None or not params.params or \
            params.posonly_params or isinstance(params.star_arg, cst.Param) or \
            params.star_kwarg is not None or params.params[0].name.value != caller.receiver:
        return (f"{where}, and it is decorated, async, takes `*args`/`**kwargs` or names the "
                "instance otherwise: create the layers in `__init__` (a list of them) and call "
                "them here, by hand")
    loop = _range_loop(ctx, call, caller.method, functions)
    line, _ = _statement_line(ctx, call)
    if isinstance(loop, str) or line is None or \
            any(isinstance(a, _CONDITIONAL) for a in _ancestors_until(ctx, call, line)):
        why = loop if isinstance(loop, str) else "the call is in an expression that may skip it"
        return (f"{where} ({why}): TF1 made its variables on each run; create the layers in "
                "`__init__` (a list of them for a loop) and call them here, by hand")
    unbound = func.with_changes(params=params.with_changes(params=params.params[1:]))
    bindings = _param_bindings(unbound, call)
    if bindings is None:
        return f"{where} with `*args`/`**kwargs`: create the layers in `__init__`, by hand"
    return LoopHelper(func, caller, loop, call, line, bindings)


def _ancestors_until(ctx: Context, node: cst.CSTNode, stop: cst.CSTNode):
    for ancestor in ctx.ancestors(node):
        if ancestor is stop:
            return
        yield ancestor


def _instances(ctx: Context, cls: cst.ClassDef, functions: "_Functions", depth: int):
    """Whether the class has a single instance (made once, at module level); a message when
    an instance is made where TF1 may have shared variables between instances."""
    name = cls.name.value
    calls = []
    for node in functions.index.get(name, ()):
        if node is cls.name:
            continue
        call = ctx.call_of(node)
        if call is None:
            return (f"`{name}` is used other than by calling it (a base class, passed around): "
                    "where its instances are made, and whether they share variables by name, "
                    "is not seen; make its layers and variables by hand")
        calls.append(call)
    for call in calls:
        problem = _made_without_reuse(ctx, call, functions, depth)
        if problem:
            return f"an instance of `{name}` is made {problem}"
    return len(calls) == 1 and not _in_loop(ctx, calls[0]) and \
        _function_of(ctx, calls[0]) == (None, None)


def _reuse_problem(scopes: list[ScopeInfo]) -> str | None:
    if any(s.settings for s in scopes):
        return ("under a variable scope that sets defaults (initializer, regularizer, ...) for "
                "its variables: make its layers and variables by hand, with them")
    if _combine(s.reuse for s in scopes) != REUSE_FALSE:
        return ("under a variable scope that reuses variables (or may): TF1 shared variables "
                "between instances by name; share the objects between them by hand")
    return None


def _made_without_reuse(ctx: Context, node: cst.CSTNode, functions: "_Functions",
                        depth: int) -> str | None:
    """Why `node` (an instantiation) may run under a variable scope that reuses variables or
    sets defaults, through the calls of the function it is in; None when it does not."""
    if depth > 6:
        return "too deep in calls to follow"
    func = None
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, cst.Lambda):
            return "in a lambda"
        if isinstance(ancestor, cst.FunctionDef):
            func = ancestor
            break
    if func is None:
        return _reuse_problem(_enclosing_scopes(ctx, node, None, None))
    if isinstance(ctx.parent(func), cst.Module):
        calls = functions.calls(func)
        if isinstance(calls, str):
            return f"in `{func.name.value}`, which is used other than by calling it"
        if not calls:
            return _reuse_problem(_enclosing_scopes(ctx, node, func, None))
        for call in calls:
            bindings = _param_bindings(func, call)
            problem = _reuse_problem(_enclosing_scopes(ctx, node, func, bindings)) or \
                _made_without_reuse(ctx, call, functions, depth + 1)
            if problem:
                return problem
        return None
    owner = method_owner(ctx, node, functions, depth + 1)
    if isinstance(owner, MethodOwner):
        return _reuse_problem(_enclosing_scopes(ctx, node, owner.method, None))
    return "in a nested function or in a method that may run more than once per instance"


class _Attributes:
    """Free attribute names for layer objects made in the methods of one class: never an
    attribute or member the class (or an object of the module) already has."""

    def __init__(self, taken: set[str], receiver: str) -> None:
        self.taken = taken
        self.receiver = receiver

    def fresh(self, wanted: str, named: bool = False) -> str:
        base = wanted if wanted.isidentifier() and not keyword.iskeyword(wanted) else "layer"
        candidates = [base] + ([f"{base}_layer"] if named else [])
        chosen = next((name for name in candidates if name not in self.taken), None)
        if chosen is None:
            number = 2
            while f"{candidates[-1]}_{number}" in self.taken:
                number += 1
            chosen = f"{candidates[-1]}_{number}"
        self.taken.add(chosen)
        return f"{self.receiver}.{chosen}"


def _class_attributes(ctx: Context, owner: MethodOwner) -> _Attributes:
    """The shared allocator of attribute names for `owner`'s class (one per analysed module
    and class, so that TFM301 and TFM303 never hand out the same attribute)."""
    cache = getattr(ctx, "_layers_attributes", None)
    if cache is None:
        cache = ctx._layers_attributes = {}
    taken = cache.get(owner.cls)
    if taken is None:
        taken = set(_module_attributes(ctx))
        local = {c.name.value: c for c in ctx.classes()}
        pending, seen = [owner.cls], set()
        while pending:
            cls = pending.pop()
            if cls in seen:
                continue
            seen.add(cls)
            receivers = {m.params.params[0].name.value for m in cls.body.body
                         if isinstance(m, cst.FunctionDef) and m.params.params}
            for node in walk(cls.body):
                if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and \
                        node.value.value in receivers:
                    taken.add(node.attr.value)
            for statement in cls.body.body:
                taken |= bound_by(statement)
            for base in cls.bases:
                if isinstance(base.value, cst.Name) and base.value.value in local:
                    pending.append(local[base.value.value])
                elif (ctx.qualified_name(base.value) or "").startswith("tensorflow."):
                    taken |= _LAYER_ATTRIBUTES
        cache[owner.cls] = taken
    return _Attributes(taken, owner.receiver)


def _module_attributes(ctx: Context) -> set[str]:
    """Attribute names read or written anywhere in the module on objects (not on imported
    modules): an instance's attributes may be set from outside its class."""
    found = getattr(ctx, "_layers_module_attributes", None)
    if found is None:
        found = set()
        table = ctx._table
        for chain in ctx._collector.chains:
            if len(chain.parts) > 1 and table.lookup(chain.parts[0], chain.scope) is None:
                found.update(chain.parts[1:])
        found.update(node.attr.value for node in ctx._collector.other_attributes)
        ctx._layers_module_attributes = found
    return found


# -- one layer call --------------------------------------------------------------------------

@dataclass
class Site:
    ref: Reference
    call: cst.Call
    spec: Spec
    function: str  # TF1 function name, for messages and the variable name
    args: dict
    line: cst.SimpleStatementLine | None = None
    ctor_parts: list[str] = field(default_factory=list)
    call_kwargs: list[tuple[str, cst.BaseExpression]] = field(default_factory=list)
    wanted: str = "layer"
    named: bool = False  # `wanted` comes from the layer's `name=`
    safety: FixSafety = FixSafety.SAFE
    note: str = ""
    var: str = ""
    creator: "Site | None" = None  # the earlier call whose variables this one reuses by name


_SUITE = "in a one-line compound statement: put the statement on its own line"


def _statement_line(ctx: Context, call: cst.Call, suites: bool = False):
    """The statement line of a call; with `suites`, also the one-line body of an `if` or
    `else` (`if bn: x = batch_norm(x)`) it is in."""
    for ancestor in ctx.ancestors(call):
        if isinstance(ancestor, cst.SimpleStatementLine):
            return ancestor, None
        if isinstance(ancestor, cst.SimpleStatementSuite):
            if suites and isinstance(ctx.parent(ancestor), (cst.If, cst.Else)):
                return ancestor, None
            return None, _SUITE
        if isinstance(ancestor, cst.BaseCompoundStatement):
            return None, "in the header of a compound statement"
    return None, "not in a statement"


class _Translator:
    """TF1 call → Keras constructor arguments and call arguments."""

    def __init__(self, ctx: Context, names_index, substitute: dict | None = None) -> None:
        self.ctx = ctx
        self.names_index = names_index
        self.substitute = substitute  # parameter -> the argument every call passes

    def site(self, ref: Reference, call: cst.Call, spec: Spec, function: str) -> Site | str:
        ctx = self.ctx
        args = _arguments(call, spec.params, "inputs")
        if isinstance(args, str):
            return args
        if "inputs" not in args:
            return "no `inputs`"
        site = Site(ref, call, spec, function, args)
        for key in spec.refused:
            if key in args and _literal(args[key].value) not in (None, False):
                return f"`{key}=` has no Keras 3 equivalent"
        code = ctx.code
        tf = ctx.tensorflow_name()
        positional, keywords = [], []
        still_positional = True
        index = 0
        for key, arg in args.items():
            if key == "inputs":
                continue
            if key in spec.dropped or key in spec.call or key == "reuse":
                if key in spec.call:
                    site.call_kwargs.append(("training", arg.value))
                still_positional = False
                continue
            target = spec.renames.get(key, key)
            value = self._value(site, key, target, arg.value, tf)
            if isinstance(value, str) and value.startswith("!"):
                return value[1:]
            if value is None:
                still_positional = False
                continue
            target, text = value
            if still_positional and arg.keyword is None and \
                    index < len(spec.keras_positional) and \
                    spec.keras_positional[index] == target:
                positional.append(text)
                index += 1
            else:
                still_positional = False
                keywords.append((target, text))
            if target == "name":
                name = _literal(arg.value)
                if isinstance(name, str):
                    if "/" in name:
                        return ("Keras 3 rejects `/` in layer names: choose a name without it "
                                "(the scope path only mattered for TF1 variable names)")
                    site.wanted, site.named = name, True
        given = {k for k, _ in keywords} | set(spec.keras_positional[:len(positional)])
        for target, text in self._defaults(site, tf):
            if target not in given:
                keywords.append((target, text))
        if site.wanted == "layer":
            site.wanted = function
        site.ctor_parts = positional + [f"{k}={t}" for k, t in keywords]
        problem = self._check(site, tf)
        if problem:
            return problem
        return site

    def _value(self, site: Site, key: str, target: str, node, tf: str):
        """(Keras keyword, text) for one argument; None to leave it out; "!why" to refuse."""
        code = converted_code(self.ctx, node, self.substitute)
        spec = site.spec
        if not spec.contrib:
            return target, code
        value = _literal(node)
        if key == "activation_fn":
            return None if value is None else (target, code)
        if key == "biases_initializer":
            return ("use_bias", "False") if value is None else (target, code)
        if key in ("weights_initializer", "weights_regularizer", "biases_regularizer") and \
                value is None:
            return None
        if key == "padding":
            if isinstance(value, str):
                return target, repr(value.lower())
            return target, code
        if key == "data_format":
            if value in (None, "NHWC"):
                return None
            return "!`data_format` other than NHWC"
        if key == "keep_prob":
            simple = isinstance(node, (cst.Name, cst.Attribute, cst.Integer, cst.Float,
                                       cst.Call, cst.Subscript))
            return target, f"1 - {code}" if simple else f"1 - ({code})"
        if key in ("begin_norm_axis", "begin_params_axis"):
            if value in (1, -1) if key == "begin_norm_axis" else value == -1:
                return None
            return f"!`{key}={code}`"
        return target, code

    def _defaults(self, site: Site, tf: str) -> list[tuple[str, str]]:
        """TF1 defaults that differ from Keras 3's, spelled out (caveats 11, 12)."""
        keras, contrib = site.spec.keras, site.spec.contrib
        if keras == "Dropout" and "rate" not in site.args and "keep_prob" not in site.args:
            return [("rate", "0.5")]
        if not contrib:
            return []
        out = []
        if keras == "Conv2D" and "padding" not in site.args:
            out.append(("padding", "'same'"))
        if keras in ("Dense", "Conv2D") and "activation_fn" not in site.args:
            out.append(("activation", f"{tf}.nn.relu"))
        if keras in ("MaxPooling2D", "AveragePooling2D") and "stride" not in site.args:
            out.append(("strides", "2"))
        if keras == "BatchNormalization":
            out += [("momentum", "0.999"), ("scale", "False")]
        if keras == "LayerNormalization":
            out += [("axis", "-1"), ("epsilon", "1e-12")]
        return out

    def _check(self, site: Site, tf: str) -> str | None:
        ctx, keras = self.ctx, site.spec.keras
        if site.spec.contrib and site.spec.keras in ("Dropout", "BatchNormalization") and \
                not any(k == "training" for k, _ in site.call_kwargs):
            site.call_kwargs.append(("training", cst.Name("True")))
        if keras in ("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D",
                     "AveragePooling2D", "AveragePooling3D") and not site.spec.contrib and \
                "strides" not in site.args:
            return "`strides` is required by TF1 (Keras would default it to `pool_size`)"
        inputs = site.args["inputs"].value
        if keras == "LayerNormalization" and \
                rank_of(ctx, inputs, self.names_index) != 2:
            return ("contrib `layer_norm` normalises over every non-batch axis; Keras "
                    "`LayerNormalization(axis=-1, epsilon=1e-12)` is the same only on rank-2 "
                    "inputs, and the rank of this input is not known: use "
                    "`LayerNormalization(axis=[1, ..., rank-1], epsilon=1e-12)` by hand "
                    "(its gamma/beta then span all those axes)")
        if keras == "BatchNormalization":
            fused = site.args.get("fused")
            # tf.layers fuses 4-D inputs only; contrib fuses 2-D ones too (reshaped to 4-D).
            if (fused is None or _literal(fused.value) is not False) and \
                    (site.spec.contrib or rank_of(ctx, inputs, self.names_index) != 2):
                site.safety = FixSafety.UNSAFE
                site.note = (" (unsafe: TF1's fused batch norm — 4-D inputs, or any contrib "
                             "batch_norm without fused=False — updates the moving variance with "
                             "the unbiased batch variance, Keras with the biased one; inference "
                             "outputs differ slightly)")
        return None


# -- edits ---------------------------------------------------------------------------------

class _ReplaceCalls(cst.CSTTransformer):
    def __init__(self, calls: dict) -> None:
        self.calls = calls

    def leave_Call(self, original, updated):
        site = self.calls.get(original)
        if site is None:
            return updated
        inputs = None
        for arg in updated.args:
            if arg.keyword is None or arg.keyword.value == "inputs":
                inputs = arg.value
                break
        args = [cst.Arg(inputs)]
        for name, value in site.call_kwargs:
            args.append(cst.Arg(value, keyword=cst.Name(name),
                                equal=cst.AssignEqual(cst.SimpleWhitespace(""),
                                                      cst.SimpleWhitespace(""))))
        for index in range(len(args) - 1):
            args[index] = args[index].with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        func = cst.Name(site.var) if "." not in site.var else parse_expression(site.var)
        return cst.Call(func=func, args=args)


def _shared_names(ctx: Context) -> _Names:
    """One name allocator per analysed module, shared by the layer rules: two fixes of one
    pass never hand out the same name."""
    names = getattr(ctx, "_layers_names", None)
    if names is None:
        names = ctx._layers_names = _Names(ctx)
    return names


@dataclass
class LayerObject:
    """The Keras layer object a rewritten TF1 layer call uses."""

    var: str
    owner: object  # the function it is a local name of; None: a module-level name
    finding: object  # the TFM301/TFM303 finding whose edits create it
    reuses: bool = False  # the call reuses an earlier call's object


def _layer_objects(ctx: Context) -> dict:
    objects = getattr(ctx, "_layers_objects", None)
    if objects is None:
        objects = ctx._layers_objects = {}
    return objects


def _layer_key(scopes: list[ScopeInfo], args: dict) -> tuple | None:
    """(scope names..., layer name): where TF1 put a named layer's variables; None when a
    name is not a literal (or the layer has no `name=`: TF1 numbered it)."""
    name = _literal(args["name"].value) if "name" in args else None
    if not isinstance(name, str) or any(not isinstance(s.name, str) for s in scopes):
        return None
    return (*(s.name for s in scopes), name)


def _same_layer(ctx: Context, creator: Site, site: Site, names_index) -> str | None:
    """Why a call that reuses `creator`'s variables is not a call of the same Keras layer."""
    if creator.spec.keras != site.spec.keras:
        return (f"with another kind of layer (`{creator.function}` then `{site.function}`): "
                "share the weights by hand")
    if creator.ctor_parts != site.ctor_parts:
        first = ", ".join(creator.ctor_parts)
        second = ", ".join(site.ctor_parts)
        return (f"with other arguments (`{first}` then `{second}`): TF1 applied each call's "
                "own settings (activation, ...) to the shared weights, a Keras layer has one "
                "set; give both calls the same arguments, or share the weights by hand")
    for node in (n for part in _ctor_nodes(site) for n in _names_in(part)):
        if node.value == NESTED_SCOPE or _binding_count(ctx, node.value, names_index) > 1:
            return (f"with arguments that read `{node.value}`, which is bound more than once "
                    "(the two calls may not see the same value): share the layer by hand")
    return None


def _binding_count(ctx: Context, value: str, names_index) -> int:
    count = 0
    for node in names_index.get(value, ()):
        parent = ctx.parent(node)
        while isinstance(parent, (cst.Element, cst.StarredElement, cst.Tuple, cst.List)):
            parent = ctx.parent(parent)
        if isinstance(parent, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For,
                               cst.CompFor, cst.NamedExpr, cst.AsName, cst.Param,
                               cst.FunctionDef, cst.ClassDef, cst.ImportAlias,
                               cst.Global, cst.Nonlocal, cst.NameItem)):
            count += 1
    return count


def _constructor(ctx: Context, site: Site, indent: str) -> cst.SimpleStatementLine:
    tf = ctx.tensorflow_name()
    head = f"{site.var} = {tf}.keras.layers.{site.spec.keras}"
    text = _wrap(head, site.ctor_parts, indent)
    return cst.parse_statement(text + "\n")


def _head(site: Site) -> str:
    origin = "tf.contrib" if site.spec.contrib else "tf.layers"
    return (f"`{short(site.ref.qualname)}` creates variables on every call ({origin} is "
            f"gone in TF2)")


def _message(site: Site) -> str:
    return f"{_head(site)}: create a `tf.keras.layers.{site.spec.keras}` once and call it" \
        f"{site.note}"


class _LayerCalls(Rule):
    """Shared machinery of TFM301 (tf.layers functions) and TFM303 (contrib/slim layers)."""

    fix = FixSafety.SAFE
    tables: dict = {}
    modules: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.refs: list[tuple[Reference, str]] = []

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        for module in self.modules:
            if ref.qualname.startswith(module + "."):
                function = ref.qualname[len(module) + 1:]
                if function in self.tables:
                    self.refs.append((ref, function))
                return

    def on_module(self, ctx: Context) -> None:
        if not self.refs:
            return
        names_index = _Functions(ctx)
        translator = _Translator(ctx, names_index.index)
        functions = names_index
        sites: list[Site] = []
        self.refused: list[tuple[cst.Call, Spec]] = []  # calls left as they are
        for ref, function in self.refs:
            spec = self.tables[function]
            call = ctx.call_of(ref.node)
            what = f"`{short(ref.qualname)}`"
            if call is None:
                ctx.report(ref.node, f"{what} is gone in TF2: use `tf.keras.layers."
                                     f"{spec.keras}` (a layer object, created once)")
                continue
            site = translator.site(ref, call, spec, function)
            if isinstance(site, str):
                ctx.report(ref.node, f"{what} is gone in TF2: use `tf.keras.layers."
                                     f"{spec.keras}` by hand ({site})")
                self.refused.append((call, spec))
                continue
            line, problem = _statement_line(ctx, call, suites=True)
            if problem is None and any(_has_layer_call(ctx, a.value, self)
                                       for k, a in site.args.items() if k != "inputs"):
                problem = "a layer call inside a layer argument"
            if problem is not None:
                ctx.report(ref.node, f"{what} is gone in TF2: create a "
                                     f"`tf.keras.layers.{spec.keras}` once and call it "
                                     f"({problem})")
                self.refused.append((call, spec))
                continue
            site.line = line
            sites.append(site)
        self._place(ctx, sites, functions)

    def _place(self, ctx: Context, sites: list[Site], functions: _Functions) -> None:
        names = _shared_names(ctx)
        owners: dict = {}  # None (module level) or a function → its sites created in place
        bindings: dict = {None: None}
        outer: dict = {None: []}
        by_function: dict = {}
        by_method: dict = {}  # a MethodOwner's method → (owner, its sites)
        by_helper: dict = {}  # a LoopHelper's method → (helper, its sites)
        for site in sites:
            func, problem = _function_of(ctx, site.call)
            if problem is not None:
                method = method_owner(ctx, site.call, functions)
                if isinstance(method, MethodOwner):
                    if isinstance(site.line, cst.SimpleStatementSuite) and \
                            _in_loop(ctx, site.call, method.method):
                        ctx.report(site.ref.node, _head(site) + f": {_SUITE}")
                        continue
                    by_method.setdefault(method.method, (method, []))[1].append(site)
                    continue
                helper = _loop_helper(ctx, site.call, functions)
                if isinstance(helper, LoopHelper):
                    by_helper.setdefault(helper.method, (helper, []))[1].append(site)
                    continue
                if isinstance(helper, str):
                    method = helper
                ctx.report(site.ref.node, _head(site) + (
                    f": {method}" if isinstance(method, str) else
                    f": create the `tf.keras.layers.{site.spec.keras}` once ({problem})"))
                continue
            if func is None:
                owners.setdefault(None, []).append(site)
            else:
                by_function.setdefault(func, []).append(site)
        for func, func_sites in by_function.items():
            plan = functions.plan(func, func_sites)
            if plan.kind == "local":
                calls = functions.calls(func)
                call = calls[0] if calls else cst.Call(func=cst.Name(func.name.value))
                bindings[func] = _param_bindings(func, call) or {}
                outer[func] = _enclosing_scopes(ctx, call, None, None) if calls else []
                if self._promote(ctx, func, func_sites, functions, bindings[func],
                                 outer[func]) and \
                        self._hoist(ctx, func, func_sites, functions, names, quiet=True):
                    continue
                owners[func] = func_sites
            elif plan.kind == "hoist":
                self._hoist(ctx, func, func_sites, functions, names)
            else:
                for site in func_sites:
                    ctx.report(site.ref.node, _head(site) + f": {plan.problem}")
        for owner, owner_sites in owners.items():
            accepted = self._resolve(ctx, owner, owner_sites, bindings[owner], outer[owner],
                                     functions)
            self._emit(ctx, owner, accepted, names)
        for method, method_sites in by_method.values():
            self._place_in_method(ctx, method, method_sites, functions)
        for helper, helper_sites in by_helper.values():
            self._place_in_helper(ctx, helper, helper_sites, functions)

    def _place_in_helper(self, ctx: Context, helper: LoopHelper, sites: list[Site],
                         functions: _Functions) -> None:
        """Layers of a method called in `for i in range(n):` of `__init__`: list attributes
        made empty before that loop, one layer appended per iteration right before the call
        (under the method's `if`s around the layer call, tested there), and the method
        given the index to call the iteration's layer (`self.dense_layers[i](x)`)."""
        method, caller = helper.method, helper.caller
        where = f"`{caller.cls.name.value}.{method.name.value}`"
        problem = _class_bases_problem(ctx, caller.cls)
        receiver = caller.receiver
        params = {p.name.value for p in method.params.params[1:]} | \
            {p.name.value for p in method.params.kwonly_params}
        rebound = bound_by(method.body)
        assigned = {n.target.attr.value for n in walk(method.body)
                    if isinstance(n, (cst.AssignTarget, cst.AugAssign)) and
                    isinstance(n.target, cst.Attribute)}
        caller_locals = _local_names(caller.method)
        substitute: dict[str, str] = {}

        def hoistable(node: cst.CSTNode) -> str | None:
            """Why `node` cannot be computed in the caller, before the call; None if it can."""
            for attribute in walk(node):
                if isinstance(attribute, cst.Attribute) and \
                        isinstance(attribute.value, cst.Name) and \
                        attribute.value.value == receiver and attribute.attr.value in assigned:
                    return f"`{receiver}.{attribute.attr.value}` is assigned in {where}"
            for name in _names_in(node):
                value = name.value
                if value in params and value not in rebound:
                    argument = helper.bindings.get(value)
                    if argument is None or any(isinstance(n, cst.Call) for n in walk(argument)) \
                            or any(n.value == NESTED_SCOPE for n in _names_in(argument)):
                        return f"`{value}` is not passed as a plain value"
                    text = ctx.code(argument)
                    substitute[value] = text if isinstance(argument, (
                        cst.Name, cst.Attribute, cst.Subscript, cst.Integer, cst.Float,
                        cst.SimpleString)) else f"({text})"
                elif value == receiver or value in _BUILTINS and value not in caller_locals:
                    continue
                elif value in _local_names(method) or value in caller_locals or \
                        value == NESTED_SCOPE:
                    return f"`{value}` is computed in {where}"
            return None

        accepted = []
        for site in sites:
            guards = []
            why = problem
            child = site.call
            for ancestor in ctx.ancestors(site.call):
                if ancestor is method or why:
                    break
                if isinstance(ancestor, cst.If):
                    guards.append((ancestor.test, child is ancestor.body))
                elif isinstance(ancestor, _CONDITIONAL) or isinstance(ancestor, cst.With):
                    why = (f"it runs in a loop or an expression that may skip it in {where}, "
                           "which is called in a loop")
                child = ancestor
            if not why and ("name" in site.args or "reuse" in site.args):
                why = "with `name=` or `reuse=`: the iterations' variables are found by name"
            if not why:
                why = next((w for part in [*_ctor_nodes(site), *(t for t, _ in guards)]
                            for w in [hoistable(part)] if w), None)
                if why:
                    why = (f"{where} is called in a loop, and the layer's arguments (or a test "
                           f"around it) cannot be computed there: {why}")
            if why:
                ctx.report(site.ref.node, _head(site) + f": {why}; create the layers in "
                           "`__init__` (a list of them) and call them here, by hand")
                continue
            accepted.append((site, list(reversed(guards))))
        if not accepted:
            return
        if substitute:
            translator = _Translator(ctx, functions.index, substitute)
            redone = []
            for site, guards in accepted:
                new = translator.site(site.ref, site.call, site.spec, site.function)
                if isinstance(new, str):
                    ctx.report(site.ref.node, _head(site) + f": {new}")
                    continue
                new.line = site.line
                redone.append((new, guards))
            accepted = redone
        self._emit_helper(ctx, helper, accepted, substitute)

    def _emit_helper(self, ctx: Context, helper: LoopHelper, accepted: list,
                     substitute: dict) -> None:
        method, loop, caller = helper.method, helper.loop, helper.caller
        attributes = _class_attributes(ctx, caller)
        taken = _local_names(method) | {n.value for n in walk(method) if isinstance(n, cst.Name)}
        index = loop.target.value
        number = 2
        while index in taken:
            index, number = f"{loop.target.value}_{number}", number + 1
        accepted.sort(key=lambda pair: _order(ctx, pair[0].call))
        tf = ctx.tensorflow_name()
        indent = _indent_of(ctx, helper.line)
        ctors = []
        for site, guards in accepted:
            site.var = attributes.fresh(f"{site.wanted}_layers")
            site.note += (f" (`{method.name.value}` is called in a loop: a list of layers, one "
                         "per iteration, made in that loop before the call, and the method is "
                         "passed the iteration's index)")
            head = f"{site.var}.append({tf}.keras.layers.{site.spec.keras}"
            text = ""
            for depth, (test, positive) in enumerate(guards):
                code = converted_code(ctx, test, substitute or None)
                text += "    " * depth + f"if {code if positive else f'not ({code})'}:\n"
            inner = "    " * len(guards)
            wrapped = _wrap(head, site.ctor_parts, indent + inner)  # lines in parentheses
            text += inner + wrapped.replace("\n", "\n" + inner) + ")\n"  # are relative
            statement = cst.parse_statement(text)
            ctors.append(statement)
        call = helper.call
        first = cst.Arg(cst.Name(loop.target.value),
                        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        new_call = call.with_changes(args=[first, *call.args])
        line = helper.line
        new_line = line.visit(_ReplaceNode({call: new_call}))
        ctors[0] = ctors[0].with_changes(leading_lines=line.leading_lines)
        new_loop = loop.visit(_ReplaceLines({line: [*ctors,
                                                    new_line.with_changes(leading_lines=[])]}))
        lists = [cst.parse_statement(f"{site.var} = []\n") for site, _ in accepted]
        lists[0] = lists[0].with_changes(leading_lines=loop.leading_lines)
        calls = {site.call: dataclasses.replace(site, var=f"{site.var}[{index}]")
                 for site, _ in accepted}
        new_method = method.visit(_SplitSuites(calls, method))
        params = new_method.params
        new_params = [params.params[0], cst.Param(cst.Name(index), comma=cst.Comma(
            whitespace_after=cst.SimpleWhitespace(" "))), *params.params[1:]]
        if len(params.params) == 1 and not params.kwonly_params and \
                params.star_arg is cst.MaybeSentinel.DEFAULT:
            new_params[1] = new_params[1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        new_params[0] = new_params[0].with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        new_method = new_method.with_changes(params=params.with_changes(params=new_params))
        edits = [Edit(loop, [*lists, new_loop.with_changes(leading_lines=[])]),
                 Edit(method, new_method)]
        self._report(ctx, [site for site, _ in accepted], edits, method)

    def _place_in_method(self, ctx: Context, owner: MethodOwner, sites: list[Site],
                         functions: _Functions) -> None:
        """Layers of a method that runs once per instance become attributes made in place:
        `self.dense = tf.keras.layers.Dense(...)` then `h = self.dense(x)`."""
        where = f"`{owner.cls.name.value}.{owner.method.name.value}`"
        problem = _class_bases_problem(ctx, owner.cls)
        placed = []
        loops: dict = {}  # a `for` of the method → its sites
        for site in sites:
            if problem:
                ctx.report(site.ref.node, _head(site) + f": {problem}")
                continue
            if _in_loop(ctx, site.call, owner.method):
                loop = _layer_loop(ctx, site, owner.method, functions)
                if isinstance(loop, str):
                    ctx.report(site.ref.node, _head(site) + f": it runs in a loop in {where} "
                               f"({loop}): TF1 made new variables on each iteration; keep a "
                               "list of layer objects (`self.layers = [...]`) by hand")
                    continue
                loops.setdefault(loop, []).append(site)
                continue
            placed.append(site)
        attributes = _class_attributes(ctx, owner)
        for loop, loop_sites in loops.items():
            self._emit_loop(ctx, owner, loop, loop_sites, attributes)
        shared = None if owner.once else (
            f"in {where}, and `{owner.cls.name.value}` may have several instances: TF1 found "
            "those variables by name, also another instance's; share the layer by hand")
        accepted = self._resolve(ctx, owner.method, placed, {}, [], functions, shared)
        self._emit(ctx, owner.method, accepted, _class_attributes(ctx, owner))

    def _emit_loop(self, ctx: Context, owner: MethodOwner, loop: cst.For, sites: list[Site],
                   attributes: "_Attributes") -> None:
        """Layers made in `for i in range(n):` of a method that runs once per instance: a list
        attribute made empty before the loop, one layer appended per iteration, and the
        iteration's layer called (`self.dense_layers[i](x)`)."""
        index = loop.target.value
        sites = sorted(sites, key=lambda s: _order(ctx, s.call))
        for site in sites:
            site.var = attributes.fresh(f"{site.wanted}_layers")
            site.note = (" (made in a loop: a list of layers, one per iteration, made before "
                         "the loop's first call and called by the iteration's index)")
        tf = ctx.tensorflow_name()
        replaced: dict = {}
        for line in dict.fromkeys(site.line for site in sites):
            group = [site for site in sites if site.line is line]
            indent = _indent_of(ctx, line)
            ctors = []
            for site in group:
                head = f"{site.var}.append({tf}.keras.layers.{site.spec.keras}"
                ctors.append(cst.parse_statement(_wrap(head, site.ctor_parts, indent) + ")\n"))
            calls = {}
            for site in group:
                calls[site.call] = dataclasses.replace(site, var=f"{site.var}[{index}]")
            new_line = line.visit(_ReplaceCalls(calls))
            ctors[0] = ctors[0].with_changes(leading_lines=line.leading_lines)
            replaced[line] = [*ctors, new_line.with_changes(leading_lines=[])]
        new_loop = loop.visit(_ReplaceLines(replaced))
        lists = [cst.parse_statement(f"{site.var} = []\n") for site in sites]
        lists[0] = lists[0].with_changes(leading_lines=loop.leading_lines)
        edit = Edit(loop, [*lists, new_loop.with_changes(leading_lines=[])])
        self._report(ctx, sites, edit, owner.method)

    # -- sharing by name inside one block (module level, or a function that runs once) -----
    def _resolve(self, ctx: Context, owner, sites: list[Site], bindings, outer: list,
                 functions: _Functions, unshared: str | None = None
                 ) -> list[tuple[Site, Site | None]]:
        """Sites that create their layer (None) or call an earlier one (its Site): TF1 found
        a layer's variables by scope path and `name=`; a call under `reuse=True` (or
        `tf.AUTO_REUSE` once they exist) used the variables of the earlier call of that name."""
        accepted: list[tuple[Site, Site | None]] = []
        registry: dict = {}  # (scope names..., layer name) → creating Site, or None: unprovable
        blocked = self._refused_keys(ctx, owner, bindings, outer, functions)
        stop = owner.body if owner is not None else ctx.module
        for site in sorted(sites, key=lambda s: _order(ctx, s.call)):
            scopes = outer + _enclosing_scopes(ctx, site.call, owner, bindings)
            reuse_arg = site.args.get("reuse")
            own = _reuse_value(ctx, reuse_arg.value if reuse_arg else None, bindings)
            if any(s.settings for s in scopes):
                ctx.report(site.ref.node, _head(site) +
                           ": its variable scope sets defaults (initializer, regularizer, ...) "
                           "for the variables: create the layer once, by hand, with them")
                continue
            reuse = _combine([*(s.reuse for s in scopes), own])
            if unshared is not None and reuse != REUSE_FALSE:
                ctx.report(site.ref.node, _head(site) + f": it reuses variables by name "
                           f"{unshared}")
                continue
            key = _layer_key(scopes, site.args)
            if key is not None and (*key[:-1], "*") in blocked:
                blocked.add(key)
            straight = functions._only_withs_between(site.line, stop)
            if reuse == REUSE_FALSE:
                if key is not None:
                    if key in registry:
                        ctx.report(site.ref.node, _head(site) +
                                   f": `{'/'.join(key)}` is created twice without reuse (TF1 "
                                   "raised ValueError): fix the names by hand")
                        continue
                    if key in blocked:
                        ctx.report(site.ref.node, _head(site) +
                                   f": it shares `{'/'.join(key)}` by name with a layer call "
                                   "that is not rewritten: fix that one first")
                        continue
                    registry[key] = site if straight else None
                accepted.append((site, None))
                continue
            if reuse == UNKNOWN or key is None:
                ctx.report(site.ref.node, _head(site) +
                           (": it reuses variables by name, and its `name=` or variable scope "
                            "names are not literals" if reuse != UNKNOWN else
                            ": whether its variable scope reuses variables is not known") +
                           ": call the layer object created for them instead, by hand")
                continue
            if key in blocked:
                ctx.report(site.ref.node, _head(site) +
                           f": it shares `{'/'.join(key)}` with a layer call that is not "
                           "rewritten: fix that one first")
                continue
            if key not in registry:
                if reuse == REUSE_AUTO and not self._other_creators(ctx):
                    registry[key] = site if straight else None
                    accepted.append((site, None))
                    continue
                ctx.report(site.ref.node, _head(site) +
                           f": it reuses `{'/'.join(key)}`, which no `tf.layers` call before "
                           "it in the same block creates: call the layer object that owns "
                           "those variables, by hand")
                continue
            creator = registry[key]
            if creator is None:
                ctx.report(site.ref.node, _head(site) +
                           f": it reuses `{'/'.join(key)}`, created by a call that runs "
                           "conditionally or in a loop: share the layer object by hand")
                continue
            problem = _same_layer(ctx, creator, site, functions.index)
            if problem:
                ctx.report(site.ref.node, _head(site) + f": it reuses the variables of the "
                           f"layer `{'/'.join(key)}` {problem}")
                continue
            accepted.append((site, creator))
        return accepted

    def _refused_keys(self, ctx: Context, owner, bindings, outer, functions) -> set:
        keys = set()
        for call, spec in getattr(self, "refused", ()):
            func, problem = _function_of(ctx, call)
            if problem is not None and owner is not None:
                method = method_owner(ctx, call, functions)
                if isinstance(method, MethodOwner):
                    func, problem = method.method, None
            if problem is not None or func is not owner:
                continue
            args = _arguments(call, spec.params, "inputs")
            if isinstance(args, str):  # read `name=` alone; with `**kwargs` it may be any name
                args = {a.keyword.value: a for a in call.args if a.keyword is not None}
                if "name" not in args and any(a.star == "**" for a in call.args):
                    args["name"] = cst.Arg(cst.SimpleString("'*'"))
            key = _layer_key(outer + _enclosing_scopes(ctx, call, owner, bindings), args)
            if key is not None:
                keys.add(key)
        return keys

    @staticmethod
    def _other_creators(ctx: Context) -> bool:
        """Whether anything but `tf.layers` functions may create variables by scope name (then
        an `AUTO_REUSE` call may find variables this rule does not see)."""
        cached = getattr(ctx, "_layers_other_creators", None)
        if cached is None:
            cached = ctx._layers_other_creators = _LayerCalls._find_other_creators(ctx)
        return cached

    @staticmethod
    def _find_other_creators(ctx: Context) -> bool:
        for _, name in ctx.named_expressions():
            if name.startswith("tensorflow.layers.") and \
                    name[len("tensorflow.layers."):] in TF_LAYERS:
                continue
            if name in (VARIABLE_SCOPE, "tensorflow.get_variable_scope") or \
                    _is_creator(name):
                if name != VARIABLE_SCOPE:
                    return True
        return False

    def _promote(self, ctx: Context, func: cst.FunctionDef, sites: list[Site],
                 functions: _Functions, bindings, outer) -> bool:
        """A function that runs once makes its layers in place, unless a trainable-variable
        collection outside it must list them: then they are made once, at module level."""
        scopes = {_collection_scope(ctx, call) for call in _trainable_collection_calls(ctx)
                  if _function_of(ctx, call)[0] is not func}
        scopes = {scope for scope in scopes if isinstance(scope, str)}
        creators = {c.call: c for c in _variable_creators(ctx, functions)}
        if not any(site.call in creators and
                   _prefix_match(creators[site.call].prefix, scope) is not False
                   for site in sites for scope in scopes):
            return False
        for site in sites:
            if not functions._only_withs_between(site.line, func.body):
                return False
            scopes = outer + _enclosing_scopes(ctx, site.call, func, bindings)
            reuse_arg = site.args.get("reuse")
            own = _reuse_value(ctx, reuse_arg.value if reuse_arg else None, bindings)
            if any(s.settings for s in scopes) or \
                    _combine([*(s.reuse for s in scopes), own]) != REUSE_FALSE:
                return False
        return True

    def _emit(self, ctx: Context, owner, accepted: list, names: "_Names") -> None:
        for site, creator in sorted(accepted, key=lambda pair: _order(ctx, pair[0].call)):
            if creator is None:
                site.var = names.fresh(site.wanted, site.named)
            else:
                site.creator, site.var = creator, creator.var
                site.safety = creator.safety
                site.note = (f" (it reuses the variables of the `name={site.wanted!r}` layer "
                             "by name: that layer object is called again)")
        groups: dict = {}
        for site, _ in accepted:
            groups.setdefault(site.line, []).append(site)
        for line, group in groups.items():
            group.sort(key=lambda s: _order(ctx, s.call))
            indent = _indent_of(ctx, line)
            ctors = [_constructor(ctx, site, indent) for site in group if site.creator is None]
            if isinstance(line, cst.SimpleStatementSuite):  # `if bn: x = f(x)`: split
                block = line.visit(_SplitSuites({s.call: s for s in group}, line))
                edit = Edit(line, block.with_changes(body=[*ctors, *block.body]))
                self._report(ctx, group, edit, owner)
                continue
            new_line = line.visit(_ReplaceCalls({s.call: s for s in group}))
            if ctors:
                ctors[0] = ctors[0].with_changes(leading_lines=line.leading_lines)
                new_line = new_line.with_changes(leading_lines=[])
            edit = Edit(line, [*ctors, new_line])
            self._report(ctx, group, edit, owner)

    def _hoist(self, ctx: Context, func: cst.FunctionDef, sites: list[Site],
               functions: _Functions, names: "_Names", quiet: bool = False) -> bool:
        """Create the layers of `func` once, before it; False (reported unless `quiet`) when
        an argument of a layer is not a module-level name defined before the function."""
        module_names = self._module_bindings_before(ctx, func)
        local = _local_names(func)
        rebound = bound_by(func.body)
        calls = functions.calls(func)
        substitute: dict[str, str] = {}

        def hoistable(node: cst.CSTNode) -> bool:
            return all(n.value in module_names and n.value != "FLAGS" or
                       n.value in _BUILTINS and n.value not in module_names
                       for n in _names_in(node))

        def passed(param: str) -> str | None:
            """The argument every call passes for `param`, when it is the same module-level
            expression each time (then the layer can be built with it, before the def)."""
            texts = set()
            for call in calls:
                value = (_param_bindings(func, call) or {}).get(param)
                if value is None or not hoistable(value):
                    return None
                text = ctx.code(value)
                texts.add(text if isinstance(value, (cst.Name, cst.Attribute, cst.Call,
                                                     cst.Subscript, cst.Integer, cst.Float,
                                                     cst.SimpleString)) else f"({text})")
            return texts.pop() if len(texts) == 1 else None

        for site in sites:
            for name in (n for part in _ctor_nodes(site) for n in _names_in(part)):
                if name.value in local and name.value not in rebound and \
                        name.value not in substitute:
                    found = passed(name.value)
                    if found is not None:
                        substitute[name.value] = found
                        continue
                if name.value in substitute:
                    continue
                if name.value in local or (name.value not in module_names and
                                           name.value not in _BUILTINS) or \
                        name.value == "FLAGS":
                    if quiet:
                        return False
                    for other in sites:
                        ctx.report(other.ref.node, _head(other) +
                                   f": `{func.name.value}` shares its layers through reuse, "
                                   f"but the arguments of a layer use `{name.value}`, which "
                                   "is not a module-level name defined before it: create the "
                                   "layers once, by hand")
                    return False
        if substitute:
            translator = _Translator(ctx, functions.index, substitute)
            sites = [translator.site(s.ref, s.call, s.spec, s.function) for s in sites]
            if any(isinstance(s, str) for s in sites):
                return False
        sites.sort(key=lambda s: _order(ctx, s.call))
        for site in sites:
            site.var = names.fresh(site.wanted, site.named)
        ctors = [_constructor(ctx, site, "") for site in sites]
        new_func = func.visit(_ReplaceCalls({s.call: s for s in sites}))
        index = list(ctx.module.body).index(func)
        previous = ctx.module.body[index - 1] if index else None
        if _is_keras_constructor_line(ctx, previous) and \
                all(line.comment is None for line in func.leading_lines):
            ctors[0] = ctors[0].with_changes(leading_lines=[])  # one block of layers
        else:
            ctors[0] = ctors[0].with_changes(leading_lines=func.leading_lines)
        blank = cst.EmptyLine()
        decorated = new_func.with_changes(leading_lines=[blank, blank])
        for site in sites:
            site.note += (f" (`{func.name.value}` shares its variables through reuse: the "
                          "layer is created once, before it)")
        self._report(ctx, sites, Edit(func, [*ctors, decorated]), None)
        return True

    def _module_bindings_before(self, ctx: Context, func: cst.FunctionDef) -> set[str]:
        found = set()
        for statement in ctx.module.body:
            if statement is func:
                break
            for node in bound_by(statement):
                found.add(node)
        return found

    def _report(self, ctx: Context, group: list[Site], edit: Edit, owner) -> None:
        """Report the group's fix; remember each call's layer object (`owner`: the function
        it is a local name of, None for module level) for TFM307's variable lists."""
        safety = FixSafety.UNSAFE if any(s.safety is FixSafety.UNSAFE for s in group) \
            else FixSafety.SAFE
        objects = _layer_objects(ctx)
        edits = list(edit) if isinstance(edit, list) else [edit]
        for site in group:
            ctx.report(site.ref.node, _message(site), edits, safety, imports=("tensorflow",))
            objects[site.call] = LayerObject(site.var, owner, ctx.findings[-1],
                                             site.creator is not None)


def _is_keras_constructor_line(ctx: Context, statement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    assign = statement.body[0]
    return isinstance(assign, cst.Assign) and isinstance(assign.value, cst.Call) and \
        (ctx.qualified_name(assign.value.func) or "").startswith(_KERAS_LAYERS)


def _calls_in(node: cst.CSTNode):
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.Call):
            yield current
        pending.extend(current.children)


def _has_layer_call(ctx: Context, node: cst.CSTNode, rule: _LayerCalls) -> bool:
    for call in _calls_in(node):
        name = ctx.qualified_name(call.func) or ""
        for module in rule.modules:
            if name.startswith(module + ".") and name[len(module) + 1:] in rule.tables:
                return True
    return False


def _ctor_nodes(site: Site) -> list[cst.CSTNode]:
    return [a.value for k, a in site.args.items() if k not in ("inputs", *site.spec.call,
                                                              "reuse")]


def _order(ctx: Context, call: cst.Call) -> int:
    """Evaluation order: an argument's call comes before its caller, then left to right."""
    return _position_key(ctx, call)


def _position_key(ctx: Context, call: cst.Call) -> int:
    """Post-order index among the module's calls: an argument's call comes before its caller."""
    cache = getattr(ctx, "_tfm_layer_post_order", None)
    if cache is None:
        cache = ctx._tfm_layer_post_order = _call_post_order(ctx)
    return cache.get(call, 0)


def _call_post_order(ctx: Context) -> dict:
    """Every call of the module → its post-order index among the calls, from the engine's
    walk (`parents` lists the nodes in visiting order, each call after the calls around it)
    instead of walking the tree again."""
    parents = ctx._collector.parents
    order: dict = {}
    open_calls: list = []  # calls being visited: each one encloses the next
    for node in parents:
        if type(node) is not cst.Call:
            continue
        owner = parents.get(node)
        while owner is not None and type(owner) is not cst.Call:
            owner = parents.get(owner)
        while open_calls and open_calls[-1] is not owner:
            order[open_calls.pop()] = len(order)
        open_calls.append(node)
    while open_calls:
        order[open_calls.pop()] = len(order)
    return order


def _local_names(func: cst.FunctionDef) -> set[str]:
    params = func.params
    found = {p.name.value for p in [*params.posonly_params, *params.params,
                                    *params.kwonly_params]}
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            found.add(star.name.value)
    found |= bound_by(func.body)
    return found


# -- TFM301 / TFM302 / TFM303 ---------------------------------------------------------------

class TfLayersFunction(_LayerCalls):
    code = "TFM301"
    name = "tf-layers-function"
    summary = "`tf.layers.dense(x, ...)` and friends: create a Keras layer once, then call it."
    references = ("tensorflow.layers.",)
    tables = TF_LAYERS
    modules = ("tensorflow.layers",)
    doc = """
## Why
`tf.layers.dense`, `conv2d`, `max_pooling2d`, `batch_normalization`, `dropout`, `flatten`,
... raise `AttributeError: ... is not available with Keras 3` on TF 2.21 (caveat 1). Each
call created new variables (or found old ones by name under `reuse`); a Keras layer is an
object that owns its variables.

## What it becomes
`h = tf.layers.dense(x, 10, activation=tf.nn.relu, name="fc1")` becomes two statements,
`fc1 = tf.keras.layers.Dense(10, activation=tf.nn.relu, name="fc1")` and `h = fc1(x)`. The
variable is named after `name=` (or the layer kind) and never collides with a name of the
module. Arguments keep their meaning: `inputs` is the call argument, `training=` moves to
the call, `reuse=` and batch norm's `fused=` are dropped, pooling keeps its explicit
`strides` (Keras would default them to `pool_size`), dropout's `rate` is always written.

Where the layer is created: right before the statement, at module level or in a function
called at most once. In a function called more than once whose later calls reuse the
variables (`with tf.variable_scope(..., reuse=reuse)` and `reuse=True` or `tf.AUTO_REUSE`
on every call after the first), the layer is created once, at module level before the
function, and the function calls it: that is TF1's sharing. Without provable sharing the
call is reported without a fix.

In a class: `__init__` runs once per instance, and TF1 made the variables once per instance,
so a layer there becomes an attribute made in place (`self.dense =
tf.keras.layers.Dense(20, tf.nn.relu)`, then `l = self.dense(self.x)`), named so that it
shadows no attribute or method of the class (nor an attribute the module sets on any
object). A method that `__init__` calls once, straight-line (`self.build()`, outside loops
and branches), is treated the same. The graph rule (TFM201) then keeps these attributes in
`__init__` and moves the computation into methods. A layer in `for i in range(n):` of such a
method (the loop straight-line in it, only `if`s no iteration changes between the loop and the
call, no `name=`/`reuse=`) becomes a list attribute, made empty before the loop, one layer
appended per iteration and the iteration's layer called (`self.dense_layers[i](x)`): TF1 made
new variables on each iteration. A method called once per iteration of such a loop
(`self.add_layer(h, 10)`) gets the same list attributes, made in `__init__`'s loop from the
call's arguments (plain values the method does not rebind), and the iteration index as a new
first parameter. Reported without a fix: a layer in any other loop of
`__init__` (nested loops, `continue`, a test that changes between iterations, arguments computed
in the loop other than from the index), an instance made under a variable
scope that reuses variables or sets defaults (TF1 shared variables between instances by
name), a class used other than by calling it (a base class, passed around), a class derived
from an unknown base, sharing by name inside `__init__` when the class may have several
instances, and layers in any other method.

Sharing by name in one block (module level, or a function that runs once): a call with
`reuse=True` (its own, or its variable scope's; `tf.AUTO_REUSE` once the variables exist)
and the scope path and `name=` of an earlier call that created them becomes a second call
of that call's layer object (`D_l1 = tf.layers.dense(G_out, 128, tf.nn.relu, name='l',
reuse=True)` → `D_l1 = l(G_out)`). The earlier call must run unconditionally, before it,
and both must pass the same layer arguments: TF1 applied each call's own activation (and
other settings) to the shared weights, a Keras layer has one set, so differing arguments are
reported. A function that runs once makes its layers in place, or once before it (like a
shared function) when a trainable-variable collection outside it must list them (TFM307).

## Caveats
`batch_normalization` on 4-D inputs is fused in TF1, which updates the moving variance with
the unbiased batch variance (Keras: biased; caveat 10): unless the input is provably 2-D or
`fused=False`, that fix is unsafe. `virtual_batch_size=` and `adjustment=` have no Keras 3
equivalent and are reported. Default initializers agree in distribution, never in values.
"""
    examples = (
        Valid("import tensorflow as tf\n\nfc1 = tf.keras.layers.Dense(10)\nh = fc1(x)\n"),
        Invalid("import tensorflow as tf\n\n"
                "# hidden layer\n"
                "h = tf.layers.dense(x, 10, activation=tf.nn.relu, name=\"fc1\")\n",
                "import tensorflow as tf\n\n"
                "# hidden layer\n"
                "fc1 = tf.keras.layers.Dense(10, activation=tf.nn.relu, name=\"fc1\")\n"
                "h = fc1(x)\n"),
        Invalid("import tensorflow as tf\n\n"
                "p = tf.layers.max_pooling2d(tf.layers.conv2d(x, 32, 5), 2, 2)\n"
                "d = tf.layers.dropout(p, training=is_training)\n",
                "import tensorflow as tf\n\n"
                "conv2d = tf.keras.layers.Conv2D(32, 5)\n"
                "max_pooling2d = tf.keras.layers.MaxPooling2D(2, 2)\n"
                "p = max_pooling2d(conv2d(x))\n"
                "dropout = tf.keras.layers.Dropout(rate=0.5)\n"
                "d = dropout(p, training=is_training)\n"),
        Invalid("import tensorflow as tf\n\n"
                "def conv_net(x, reuse):\n"
                "    with tf.variable_scope('ConvNet', reuse=reuse):\n"
                "        x = tf.layers.conv2d(x, 32, 5, activation=tf.nn.relu)\n"
                "        return tf.layers.dense(tf.layers.flatten(x), 10)\n\n\n"
                "train = conv_net(a, reuse=False)\n"
                "test = conv_net(b, reuse=True)\n",
                "import tensorflow as tf\n\n"
                "conv2d = tf.keras.layers.Conv2D(32, 5, activation=tf.nn.relu)\n"
                "flatten = tf.keras.layers.Flatten()\n"
                "dense = tf.keras.layers.Dense(10)\n\n\n"
                "def conv_net(x, reuse):\n"
                "    x = conv2d(x)\n"
                "    return dense(flatten(x))\n\n\n"
                "train = conv_net(a, reuse=False)\n"
                "test = conv_net(b, reuse=True)\n"),
        Invalid("import tensorflow as tf\n\n"
                "def tower(x):\n"
                "    return tf.layers.dense(x, 10)\n\n\n"
                "a = tower(x1)\n"
                "b = tower(x2)\n"),
        Invalid("import tensorflow as tf\n\n\n"
                "class Net:\n"
                "    def __init__(self, x):\n"
                "        h = tf.layers.dense(x, 20, tf.nn.relu)\n"
                "        self.out = tf.layers.dense(h, 1, name='out')\n",
                "import tensorflow as tf\n\n\n"
                "class Net:\n"
                "    def __init__(self, x):\n"
                "        self.dense = tf.keras.layers.Dense(20, tf.nn.relu)\n"
                "        h = self.dense(x)\n"
                "        self.out_layer = tf.keras.layers.Dense(1, name='out')\n"
                "        self.out = self.out_layer(h)\n"),
        Invalid("import tensorflow as tf\n\n"
                "with tf.variable_scope('D'):\n"
                "    h = tf.layers.dense(real, 8, tf.nn.relu, name='hidden')\n"
                "    p_real = tf.layers.dense(h, 1, name='logit')\n"
                "    # the same layers on generated samples\n"
                "    h_fake = tf.layers.dense(fake, 8, tf.nn.relu, name='hidden', reuse=True)\n"
                "    p_fake = tf.layers.dense(h_fake, 1, name='logit', reuse=True)\n",
                "import tensorflow as tf\n\n"
                "hidden = tf.keras.layers.Dense(8, tf.nn.relu, name='hidden')\n"
                "h = hidden(real)\n"
                "logit = tf.keras.layers.Dense(1, name='logit')\n"
                "p_real = logit(h)\n"
                "# the same layers on generated samples\n"
                "h_fake = hidden(fake)\n"
                "p_fake = logit(h_fake)\n"),
        Invalid("import tensorflow as tf\n\n"
                "with tf.variable_scope('D'):\n"
                "    h = tf.layers.dense(real, 8, tf.nn.relu, name='hidden')\n"
                "    h_fake = tf.layers.dense(fake, 8, name='hidden', reuse=True)\n"),
        Invalid("import tensorflow as tf\n\n"
                "y = tf.layers.batch_normalization(x, training=True, fused=True)\n",
                "import tensorflow as tf\n\n"
                "batch_normalization = tf.keras.layers.BatchNormalization()\n"
                "y = batch_normalization(x, training=True)\n", unsafe=True),
        Invalid("import tensorflow as tf\n\n"
                "y = tf.layers.batch_normalization(x, virtual_batch_size=8)\n"),
    )


class TfLayersClass(Rule):
    code = "TFM302"
    name = "tf-layers-class"
    summary = "`tf.layers.Dense` and the other TF1 layer classes are `tf.keras.layers` classes."
    fix = FixSafety.SAFE
    references = ("tensorflow.layers.",)
    doc = """
## Why
The `tf.layers` classes (`Dense`, `Conv2D`, `MaxPooling2D`, `BatchNormalization`,
`Dropout`, `Flatten`, ...) raise `AttributeError` on TF 2.21 (caveat 1); they were Keras 2
layers with TF1 defaults.

## What it becomes
The Keras 3 class of the same name. Positional arguments are kept while Keras has the same
parameter at that position, and passed by keyword from the first one that differs;
`BatchNormalization(fused=...)` is dropped; `Dropout` gets its TF1 default `rate=0.5`
(Keras has no default).

## Caveats
`virtual_batch_size=`/`adjustment=` are reported. `tf.layers.Layer` subclasses and
`InputSpec` are reported without a fix (Keras 3's `Layer` API differs: `add_weight`,
`build(input_shape)` with a tuple).
"""
    examples = (
        Valid("import tensorflow as tf\n\nd = tf.keras.layers.Dense(3)\n"),
        Invalid("import tensorflow as tf\n\n"
                "d = tf.layers.Dense(3, tf.nn.relu, name='out')\n"
                "c = tf.layers.Conv2D(8, 3, 1, 'same', 'channels_last', 1, tf.nn.relu)\n"
                "p = tf.layers.Dropout()\n",
                "import tensorflow as tf\n\n"
                "d = tf.keras.layers.Dense(3, tf.nn.relu, name='out')\n"
                "c = tf.keras.layers.Conv2D(8, 3, 1, 'same', 'channels_last', 1, "
                "activation=tf.nn.relu)\n"
                "p = tf.keras.layers.Dropout(rate=0.5)\n"),
        Invalid("import tensorflow as tf\n\nclass L(tf.layers.Layer):\n    pass\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias or not ref.qualname.startswith("tensorflow.layers."):
            return
        name = ref.qualname[len("tensorflow.layers."):]
        if name in TF_LAYERS:
            return
        spec = TF_CLASSES.get(name)
        if spec is None:
            if name in ("Layer", "InputSpec"):
                ctx.report(ref.node, f"`tf.layers.{name}` is gone in TF2: use "
                                     f"`tf.keras.layers.{name}` and port the class to the "
                                     "Keras 3 API by hand (`add_weight`, tuple input shapes)")
            return
        tf = ctx.tensorflow_name()
        message = f"`tf.layers.{name}` is gone in TF2: use `tf.keras.layers.{spec.keras}`"
        call = ctx.call_of(ref.node)
        if call is None:
            ctx.report(ref.node, message, [Edit(ref.node, parse_expression(
                f"{tf}.keras.layers.{spec.keras}"))], imports=("tensorflow",))
            return
        args = _arguments(call, spec.params, None)
        if isinstance(args, str):
            ctx.report(ref.node, f"{message} ({args})")
            return
        for key in spec.refused:
            if key in args and _literal(args[key].value) is not None:
                ctx.report(ref.node, f"{message}; `{key}=` has no Keras 3 equivalent")
                return
        parts, index, positional = [], 0, True
        for key, arg in args.items():
            if key in spec.dropped:
                positional = False
                continue
            text = ctx.code(arg.value)
            if positional and arg.keyword is None and index < len(spec.keras_positional) and \
                    spec.keras_positional[index] == key:
                parts.append(text)
                index += 1
            else:
                positional = False
                parts.append(f"{key}={text}")
        if spec.keras == "Dropout" and "rate" not in args:
            parts.append("rate=0.5")
        if spec.keras.startswith(("MaxPooling", "AveragePooling")) and "strides" not in args:
            ctx.report(ref.node, f"{message}; TF1 requires `strides` (Keras defaults them to "
                                 "`pool_size`)")
            return
        new = parse_expression(_wrap(f"{tf}.keras.layers.{spec.keras}", parts,
                                     _indent_of(ctx, call)))
        ctx.report(ref.node, message, [Edit(call, new)], imports=("tensorflow",))


class ContribLayers(_LayerCalls):
    code = "TFM303"
    name = "contrib-layers"
    summary = ("contrib/slim layers (`fully_connected`, `conv2d`, `batch_norm`, ...): Keras "
               "layers with contrib's defaults.")
    references = ("tensorflow.contrib.layers.", "tensorflow.contrib.slim.")
    tables = CONTRIB_LAYERS
    modules = CONTRIB_MODULES
    doc = """
## Why
`tf.contrib` is gone in TF2, and contrib/slim layers have other defaults than Keras
(caveats 11, 12): `fully_connected` and `conv2d` apply ReLU, `conv2d` pads 'SAME', pooling
strides by 2 whatever the kernel, `batch_norm` has no gamma (`scale=False`) and decay 0.999
and trains by default (`is_training=True`), `dropout` takes `keep_prob` and trains by
default, `layer_norm` uses epsilon 1e-12 over all non-batch axes.

## What it becomes
A Keras layer created once and called, exactly like TFM301, with contrib's defaults written
out: `net = slim.conv2d(x, 32, [3, 3])` → `conv2d = tf.keras.layers.Conv2D(32, [3, 3],
padding='same', activation=tf.nn.relu)` and `net = conv2d(x)`; `fully_connected(x, n)` →
`Dense(n, activation=tf.nn.relu)` (`activation_fn=None` → no activation,
`biases_initializer=None` → `use_bias=False`); `max_pool2d(x, k)` →
`MaxPooling2D(k, strides=2)`; `dropout(x, keep_prob)` → `Dropout(rate=1 - keep_prob)`
called with `training=` (default `True`); `batch_norm(x)` → `BatchNormalization(
momentum=0.999, scale=False)` called with `training=` (default `True`); `layer_norm(x)` on a
rank-2 input → `LayerNormalization(axis=-1, epsilon=1e-12)`; `scope=` → `name=`.

## Caveats
`normalizer_fn`, `*_collections`, `batch_norm(activation_fn=..., param_initializers=...)`,
NCHW data formats and `layer_norm` on inputs of unknown or higher rank are reported without
a fix. `updates_collections` is dropped: Keras updates the moving statistics during the
call, so code that forgot to run TF1's `UPDATE_OPS` now gets them updated. contrib
`batch_norm` is fused unless `fused=False` (2-D inputs are reshaped to 4-D), and fused batch
norm updates the moving variance with the unbiased batch variance (caveat 10): without
`fused=False` that fix is unsafe (training outputs agree, inference outputs differ slightly).
"""
    examples = (
        Valid("import tensorflow as tf\n\nh = tf.keras.layers.Dense(3)(x)\n"),
        Invalid("import tensorflow as tf\n\n"
                "h = tf.contrib.layers.fully_connected(x, 3)\n"
                "o = tf.contrib.layers.fully_connected(h, 1, activation_fn=None, scope='out')\n",
                "import tensorflow as tf\n\n"
                "fully_connected = tf.keras.layers.Dense(3, activation=tf.nn.relu)\n"
                "h = fully_connected(x)\n"
                "out = tf.keras.layers.Dense(1, name='out')\n"
                "o = out(h)\n"),
        Invalid("from tensorflow.contrib import slim\n\n"
                "net = slim.conv2d(x, 32, [3, 3], scope='conv1')\n"
                "net = slim.max_pool2d(net, [2, 2])\n"
                "net = slim.dropout(net, 0.8, is_training=training)\n",
                "import tensorflow as tf\n\n"
                "conv1 = tf.keras.layers.Conv2D(32, [3, 3], name='conv1', padding='same', "
                "activation=tf.nn.relu)\n"
                "net = conv1(x)\n"
                "max_pool2d = tf.keras.layers.MaxPooling2D([2, 2], strides=2)\n"
                "net = max_pool2d(net)\n"
                "dropout = tf.keras.layers.Dropout(1 - 0.8)\n"
                "net = dropout(net, training=training)\n"),
        Invalid("import tensorflow as tf\n\n"
                "x = tf.reshape(images, [-1, 8])\n"
                "y = tf.contrib.layers.batch_norm(x, fused=False)\n"
                "z = tf.contrib.layers.layer_norm(y)\n",
                "import tensorflow as tf\n\n"
                "x = tf.reshape(images, [-1, 8])\n"
                "batch_norm = tf.keras.layers.BatchNormalization(momentum=0.999, scale=False)\n"
                "y = batch_norm(x, training=True)\n"
                "layer_norm = tf.keras.layers.LayerNormalization(axis=-1, epsilon=1e-12)\n"
                "z = layer_norm(y)\n"),
        Invalid("import tensorflow as tf\n\nz = tf.contrib.layers.layer_norm(images)\n"),
    )


# -- TFM305: tf.get_variable ----------------------------------------------------------------

_GET_VARIABLE = ("name", "shape", "dtype", "initializer", "regularizer", "trainable",
                 "collections", "caching_device", "partitioner", "validate_shape",
                 "use_resource", "custom_getter", "constraint", "synchronization",
                 "aggregation")
_FLOAT_DTYPES = {"float16", "float32", "float64", "bfloat16", "half", "double"}
_ZERO_DTYPES = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                "bool"}
# Variable creators TF1 finds by scope name: while one is in a scope, the scope matters.
CREATORS = ("tensorflow.get_variable", "tensorflow.layers.", "tensorflow.contrib.layers.",
            "tensorflow.contrib.slim.", "tensorflow.nn.rnn_cell.", "tensorflow.contrib.rnn.",
            "tensorflow.make_template", "tensorflow.get_variable_scope",
            "tensorflow.nn.dynamic_rnn", "tensorflow.nn.static_rnn",
            "tensorflow.nn.bidirectional_dynamic_rnn", "tensorflow.keras.layers.")
_KERAS_LAYERS = "tensorflow.keras.layers."


def _is_creator(name: str) -> bool:
    if name.startswith(_KERAS_LAYERS):
        return False  # Keras layers ignore variable scopes
    return any(name == c or (c.endswith(".") and name.startswith(c)) for c in CREATORS)


def _dtype_kind(ctx: Context, node: cst.BaseExpression | None) -> str | None:
    if node is None:
        return "float"
    name = ctx.qualified_name(node) or ""
    if name.startswith("tensorflow.") or name.startswith("numpy."):
        leaf = name.rsplit(".", 1)[-1]
        if leaf in _FLOAT_DTYPES:
            return "float"
        if leaf in _ZERO_DTYPES:
            return "zeros"
    value = _literal(node)
    if value in _FLOAT_DTYPES:
        return "float"
    if value in _ZERO_DTYPES:
        return "zeros"
    return None


class GetVariable(Rule):
    code = "TFM305"
    name = "get-variable"
    summary = "`tf.get_variable` → `tf.Variable` with TF1's default initializer made explicit."
    fix = FixSafety.SAFE
    references = ("tensorflow.get_variable",)
    doc = """
## Why
`tf.get_variable` is gone in TF2. Its default initializer is `glorot_uniform` for every
float variable, **biases included** (caveat 2), and zeros for integer and bool variables;
a Keras layer's bias starts at zero, so a naive rewrite changes the initial values.

## What it becomes
`tf.get_variable("w", [3, 4])` → `tf.Variable(tf.keras.initializers.GlorotUniform()([3, 4]),
name="w")`; an int/bool variable without initializer starts as `tf.zeros(shape, dtype)`;
with `initializer=init` and a shape, the initial value is `init(shape)` (with `dtype=` when
given); with a tensor or array as initializer and no shape, that value; `trainable=`,
`validate_shape=`, `constraint=`, `synchronization=`, `aggregation=` are kept,
`use_resource=` is dropped (TF2 variables are resource variables).

## Caveats
Only where each call creates a new variable: at module level, in a function called at
most once, or in a class's `__init__` (or a method `__init__` calls once, straight-line),
which runs once per instance as TF1 made the variables once per instance; outside variable
scopes that reuse variables or set defaults (`initializer=`, `regularizer=`, ...), around
the call or around the instantiations of the class. A function that creates variables and
is called more than once shares them through `reuse` in TF1 and creates new ones on every
call in TF2: make it a Keras layer (`self.add_weight` in `build`, the computation in
`call`) — reported without a fix, unless each call has its own variable scope, then TFM308
makes the layer class. `regularizer=` (TF1 collected the loss in `REGULARIZATION_LOSSES`),
`collections=`, `partitioner=`, `caching_device=` and `custom_getter=` are reported. Random
initial values follow the same distribution as TF1, never the same numbers.
"""
    examples = (
        Valid("import tensorflow as tf\n\nw = tf.Variable(tf.zeros([3]), name='w')\n"),
        Invalid("import tensorflow as tf\n\n"
                "w = tf.get_variable('w', [784, 10])\n"
                "b = tf.get_variable('b', [10], initializer=tf.zeros_initializer())\n"
                "step = tf.get_variable('step', [], dtype=tf.int64, trainable=False)\n"
                "e = tf.get_variable('e', initializer=tf.constant(table))\n",
                "import tensorflow as tf\n\n"
                "w = tf.Variable(tf.keras.initializers.GlorotUniform()([784, 10]), name='w')\n"
                "b = tf.Variable(tf.zeros_initializer()([10]), name='b')\n"
                "step = tf.Variable(tf.zeros([], dtype=tf.int64), name='step', trainable=False)\n"
                "e = tf.Variable(tf.constant(table), name='e')\n"),
        Invalid("import tensorflow as tf\n\n"
                "def layer(x):\n"
                "    w = tf.get_variable('w', [4, 4])\n"
                "    return tf.matmul(x, w)\n\n\n"
                "a = layer(x1)\n"
                "b = layer(x2)\n"),
        Invalid("import tensorflow as tf\n\n"
                "w = tf.get_variable('w', [3], regularizer=reg)\n"),
    )

    def __init__(self) -> None:
        self.refs: list[Reference] = []

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if not ref.via_alias:
            self.refs.append(ref)

    def on_module(self, ctx: Context) -> None:
        functions = None
        for ref in self.refs:
            if functions is None:
                functions = _Functions(ctx)
            self._one(ref, ctx, functions)

    def _one(self, ref: Reference, ctx: Context, functions: _Functions) -> None:
        base = "`tf.get_variable` is gone in TF2"
        call = ctx.call_of(ref.node)
        if call is None:
            ctx.report(ref.node, f"{base}: create a `tf.Variable`")
            return
        args = _arguments(call, _GET_VARIABLE, None)
        if isinstance(args, str):
            ctx.report(ref.node, f"{base}: create a `tf.Variable` by hand ({args})")
            return
        for key in ("regularizer", "collections", "caching_device", "partitioner",
                    "custom_getter"):
            if key in args and _literal(args[key].value) is not None:
                hint = (" (TF1 collected its loss in REGULARIZATION_LOSSES: add "
                        "`regularizer(w)` to the loss yourself)") if key == "regularizer" else ""
                ctx.report(ref.node, f"{base}: create a `tf.Variable` by hand; `{key}=` has no "
                                     f"TF2 equivalent{hint}")
                return
        func, problem = _function_of(ctx, call)
        where = None
        if problem is not None:
            # `__init__` (or a method it calls once) runs once per instance: it makes the
            # instance's own variables, as TF1 did.
            method = method_owner(ctx, call, functions)
            if isinstance(method, MethodOwner):
                func = method.method
            else:
                where = method if isinstance(method, str) else problem
        elif func is not None:
            plan = functions.plan_variables(func)
            if plan != "local":
                where = (f"`{func.name.value}` creates variables and is called more than once "
                         "(or is passed around): TF1 shared them through `reuse`, TF2 would "
                         "create new ones on every call. Make it a Keras layer: create the "
                         "variables once in `build` with `self.add_weight(...)` and compute in "
                         "`call`")
        if where is None:
            scopes = _enclosing_scopes(ctx, call, None, {} if func is not None else None)
            if _combine(s.reuse for s in scopes) != REUSE_FALSE or any(s.settings for s in scopes):
                where = ("its variable scope reuses variables or sets defaults (initializer, "
                         "regularizer, ...): refer to the Python object of the variable instead")
        if where is not None:
            ctx.report(ref.node, f"{base}: {where}")
            return
        value = self._initial_value(ctx, args)
        if value is None:
            ctx.report(ref.node, f"{base}: create a `tf.Variable` with an explicit initial "
                                 "value (the dtype or initializer is not one the fix knows)")
            return
        tf = ctx.tensorflow_name()
        parts = [value]
        if "name" in args:
            parts.append(f"name={ctx.code(args['name'].value)}")
        for key in ("trainable", "validate_shape", "constraint", "synchronization",
                    "aggregation"):
            if key in args:
                parts.append(f"{key}={ctx.code(args[key].value)}")
        text = _wrap(f"{tf}.Variable", parts, _indent_of(ctx, call))
        ctx.report(ref.node, f"{base}: `tf.Variable` with TF1's initial value made explicit",
                   [Edit(call, parse_expression(text))], imports=("tensorflow",))
        _fixed_variables(ctx).add(call)

    def _initial_value(self, ctx: Context, args: dict) -> str | None:
        tf = ctx.tensorflow_name()
        shape = ctx.code(args["shape"].value) if "shape" in args else None
        dtype_node = args["dtype"].value if "dtype" in args else None
        dtype = ctx.code(dtype_node) if dtype_node is not None else None
        init = args.get("initializer")
        if init is None or _literal(init.value) is None:
            if shape is None:
                return None
            kind = _dtype_kind(ctx, dtype_node)
            if kind == "float":
                extra = f", dtype={dtype}" if dtype else ""
                return f"{tf}.keras.initializers.GlorotUniform()({shape}{extra})"
            if kind == "zeros":
                return f"{tf}.zeros({shape}, dtype={dtype})"
            return None
        code = converted_code(ctx, init.value)
        if shape is None:
            if isinstance(init.value, cst.Call) and \
                    (ctx.qualified_name(init.value.func) or "").endswith("_initializer"):
                return None  # an initializer object needs a shape (TF1 raised too)
            extra = f", dtype={dtype}" if dtype else ""
            return f"{code}{extra}" if not extra else f"{tf}.cast({code}{extra})"
        if not isinstance(init.value, (cst.Call, cst.Name, cst.Attribute)):
            return None
        extra = f", dtype={dtype}" if dtype else ""
        return f"{code}({shape}{extra})"


def _fixed_variables(ctx: Context) -> set:
    """The `tf.get_variable` calls TFM305 rewrites in this pass (each call makes its own)."""
    fixed = getattr(ctx, "_layers_fixed_variables", None)
    if fixed is None:
        fixed = ctx._layers_fixed_variables = set()
    return fixed


def _plan_variables(self: _Functions, func: cst.FunctionDef) -> str:
    """"local" when a function runs at most once, so its variables can be created in it."""
    calls = self.calls(func)
    if isinstance(calls, str):
        return "none"
    if len(calls) == 0 or (len(calls) == 1 and not _in_loop(self.ctx, calls[0])):
        return "local"
    return "none"


_Functions.plan_variables = _plan_variables


# -- TFM306: tf.variable_scope --------------------------------------------------------------

class VariableScope(Rule):
    code = "TFM306"
    name = "variable-scope"
    summary = "`tf.variable_scope` only named and shared variables: gone once they are objects."
    fix = FixSafety.SAFE
    references = ("tensorflow.variable_scope",)
    doc = """
## Why
`tf.variable_scope` is gone in TF2 (and its compat.v1 version does not reuse under eager:
caveat 16). It prefixed variable names and, with `reuse`, let `tf.get_variable` and
`tf.layers` find existing variables by name. Once the variables inside are Python objects
(Keras layers created once, `tf.Variable`s — TFM301, TFM303, TFM305), sharing is object
identity and the scope has nothing left to do.

## What it becomes
`with tf.variable_scope(...):` is removed and its body dedented, once nothing under it
(directly or through the module's own functions it calls) still creates variables by scope
name (`tf.get_variable`, `tf.layers`, contrib/slim layers, RNN cells, `make_template`).

## Caveats
Variable names lose the scope prefix (it matters only for checkpoints written by TF1: map
names by hand, MIGRATION_MAP §9). A scope bound with `as` and used, a scope in a `with` of
several items, or a scope used outside `with` is reported without a fix.
"""
    examples = (
        Valid("import tensorflow as tf\n\nwith tf.name_scope('a'):\n    y = x + 1\n"),
        Invalid("import tensorflow as tf\n\n"
                "with tf.variable_scope('model', reuse=True):  # test tower\n"
                "    y = f(x)\n"
                "    z = tf.nn.relu(y)\n",
                "import tensorflow as tf\n\n"
                "# test tower\n"
                "y = f(x)\n"
                "z = tf.nn.relu(y)\n"),
        Invalid("import tensorflow as tf\n\n"
                "with tf.variable_scope('s'):\n"
                "    y = tf.layers.dense(x, 3, reuse=True)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        base = "`tf.variable_scope` is gone in TF2"
        call = ctx.call_of(ref.node)
        item = ctx.parent(call) if call is not None else None
        statement = ctx.parent(item) if isinstance(item, cst.WithItem) else None
        if not isinstance(statement, cst.With) or len(statement.items) != 1 or \
                not isinstance(statement.body, cst.IndentedBlock):
            ctx.report(ref.node, f"{base}: variables are objects in TF2; remove the scope by "
                                 "hand once nothing under it creates variables by name")
            return
        if item.asname is not None and self._used(ctx, item.asname.name, statement):
            ctx.report(ref.node, f"{base}: the scope object is used; remove it by hand")
            return
        creator = self._creator_under(ctx, statement)
        if creator:
            ctx.report(ref.node, f"{base}: it still names or shares variables ({creator}); "
                                 "once those are objects the scope can go")
            return
        lookup = _scope_lookup(ctx)
        if lookup is not None:
            ctx.report(ref.node, f"{base}: `{lookup}` still selects variables by scope name; "
                                 "once that list is written out the scope can go")
            return
        body = list(statement.body.body)
        leading = list(statement.leading_lines)
        comment = statement.body.header.comment
        if comment is not None:
            leading.append(cst.EmptyLine(comment=comment))
        body[0] = body[0].with_changes(leading_lines=[*leading, *body[0].leading_lines])
        ctx.report(ref.node, f"{base}: nothing under it creates variables by name any more; "
                             "the scope is removed", [Edit(statement, body)])

    def _used(self, ctx: Context, name: cst.CSTNode, statement: cst.With) -> bool:
        if not isinstance(name, cst.Name):
            return True
        functions = _Functions(ctx)
        return any(n is not name for n in functions.index.get(name.value, ()))

    def _creator_under(self, ctx: Context, statement: cst.CSTNode) -> str | None:
        """The first variable creator under `statement`, or in a function or class of the
        module it calls (depth first, the last call first), as "`tf.name`"; None if none."""
        index = _creator_index(ctx)
        pending, seen = [statement], set()
        while pending:
            root = pending.pop()
            if root in seen:
                continue
            seen.add(root)
            name = index.first_creator.get(root)
            if name is not None:
                return f"`{short(name)}`"
            pending.extend(index.definitions[called] for called in index.called(root))
        return None


_BLOCKS = (cst.With, cst.FunctionDef, cst.ClassDef)
_SCOPED_LOOKUPS = {"tensorflow.get_collection": 1, "tensorflow.get_collection_ref": 1,
                   "tensorflow.trainable_variables": 0, "tensorflow.global_variables": 0,
                   "tensorflow.local_variables": 0, "tensorflow.model_variables": 0}


def _scope_lookup(ctx: Context) -> str | None:
    """A collection read by scope name left in the module (`tf.get_collection(key,
    scope='q')`), as text: the variable scopes it names must stay until it is rewritten."""
    for node, name in ctx.named_expressions():
        position = _SCOPED_LOOKUPS.get(name)
        call = ctx.call_of(node) if position is not None else None
        if call is None:
            continue
        for index, argument in enumerate(call.args):
            keyword = argument.keyword.value if argument.keyword else None
            if keyword == "scope" or (keyword is None and index == position):
                return f"{short(name)}(..., scope=...)"
    return None


@dataclass
class _CreatorIndex:
    """Per module, from the engine's walk: what TFM306 asks of each `with` statement and each
    function or class of the module, without walking their subtrees again."""

    definitions: dict  # module-level function or class name → its (last) definition
    first_creator: dict  # a with/def/class → the qualified name of the first creator in it
    calls: dict  # a with/def/class → [(post-order, name)] of the calls of `definitions` in it
    _ordered: dict = field(default_factory=dict)

    def called(self, root: cst.CSTNode) -> list[str]:
        """Names of the definitions called in `root`, in the order a depth-first walk that
        visits the last child first meets the calls (descending post-order)."""
        names = self._ordered.get(root)
        if names is None:
            found = sorted(self.calls.get(root, ()), key=lambda item: -item[0])
            names = self._ordered[root] = [name for _, name in found]
        return names


def _creator_index(ctx: Context) -> _CreatorIndex:
    index = getattr(ctx, "_layers_creator_index", None)
    if index is not None:
        return index
    parents = ctx._collector.parents
    # The module's functions and classes (an instance runs `__init__`) a call may enter.
    definitions = {s.name.value: s for s in ctx.module.body
                   if isinstance(s, (cst.FunctionDef, cst.ClassDef))}
    first: dict = {}
    for node, name in ctx.named_expressions():
        if not _is_creator(name):
            continue
        current = node
        while current is not None:
            if isinstance(current, _BLOCKS) and current not in first:
                first[current] = name
            current = parents.get(current)
    calls: dict = {}
    if definitions:
        order = None
        for node in parents:
            if type(node) is not cst.Call or type(node.func) is not cst.Name or \
                    node.func.value not in definitions:
                continue
            if order is None:
                order = getattr(ctx, "_tfm_layer_post_order", None)
                if order is None:
                    order = ctx._tfm_layer_post_order = _call_post_order(ctx)
            item = (order[node], node.func.value)
            current = parents.get(node)
            while current is not None:
                if isinstance(current, _BLOCKS):
                    calls.setdefault(current, []).append(item)
                current = parents.get(current)
    index = ctx._layers_creator_index = _CreatorIndex(definitions, first, calls)
    return index


# -- TFM307: collections ---------------------------------------------------------------------

_COLLECTION_FUNCTIONS = {
    "tensorflow.trainable_variables": "`model.trainable_variables` (Keras) or an explicit list "
                                      "of the variables",
    "tensorflow.global_variables": "`model.variables` or an explicit list of the variables",
    "tensorflow.all_variables": "`model.variables` or an explicit list of the variables",
    "tensorflow.local_variables": "metric objects' own `variables`",
    "tensorflow.model_variables": "`model.variables`",
    "tensorflow.moving_average_variables": "the variables given to the "
                                           "`ExponentialMovingAverage`",
    "tensorflow.get_collection": "Python objects: `layer.trainable_variables`, "
                                 "`layer.losses`, ... (eager collections are empty)",
    "tensorflow.add_to_collection": "a Python list you keep yourself",
    "tensorflow.get_collection_ref": "a Python list you keep yourself",
}
UPDATE_OPS = "tensorflow.GraphKeys.UPDATE_OPS"
_TF1_BATCH_NORMS = ("tensorflow.layers.batch_normalization", "tensorflow.layers.BatchNormalization",
                    "tensorflow.contrib.layers.batch_norm", "tensorflow.contrib.slim.batch_norm",
                    "tensorflow.nn.fused_batch_norm")


# -- TFM307: what a trainable-variable collection held, as TF2 objects ---------------------------

TRAINABLE_VARIABLES = "tensorflow.GraphKeys.TRAINABLE_VARIABLES"
# A scope passed to a collection is a regular expression matched at the start of each
# variable name: these characters make it a plain prefix.
_PLAIN_SCOPE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_/-")
_NO_VARIABLES = frozenset({"Dropout", "Flatten", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
                           "AveragePooling1D", "AveragePooling2D", "AveragePooling3D"})
# TensorFlow names that may make variables under names this rule cannot list.
_OPAQUE_CREATORS = ("tensorflow.keras.layers.", "tensorflow.keras.Model",
                    "tensorflow.keras.Sequential", "tensorflow.keras.models.",
                    "tensorflow.keras.applications.", "tensorflow.keras.Input",
                    "tensorflow.contrib.", "tensorflow.estimator.", "tensorflow.feature_column.",
                    "tensorflow.Module", "tensorflow.train.import_meta_graph",
                    "tensorflow.saved_model.", "tensorflow.layers.", "tensorflow.make_template",
                    "tensorflow.get_variable_scope")
# Libraries that make no TensorFlow variables (anything else imported might).
_PLAIN_LIBRARIES = frozenset({
    "numpy", "matplotlib", "math", "random", "os", "sys", "time", "json", "collections",
    "itertools", "functools", "pickle", "csv", "re", "argparse", "datetime", "scipy", "pandas",
    "absl", "six", "gzip", "struct", "urllib", "shutil", "glob", "logging", "copy", "string",
    "io", "tempfile", "timeit", "pprint", "PIL", "warnings", "operator", "pathlib", "zipfile",
    "tarfile"})
_CONDITIONAL = tuple(t for t in (cst.If, cst.For, cst.While, cst.Try,
                                 getattr(cst, "TryStar", None), getattr(cst, "Match", None),
                                 cst.IfExp, cst.BooleanOperation, cst.Lambda, cst.ListComp,
                                 cst.SetComp, cst.DictComp, cst.GeneratorExp) if t is not None)


def _collection_scope(ctx: Context, call: cst.Call):
    """For a call that reads TRAINABLE_VARIABLES: the scope prefix ("" for all of them), or
    (why,) when the scope cannot be read as a plain prefix; None for other calls."""
    name = ctx.qualified_name(call.func)
    if name == "tensorflow.trainable_variables":
        args = _arguments(call, ("scope",), None)
    elif name == "tensorflow.get_collection":
        args = _arguments(call, ("key", "scope"), None)
        if isinstance(args, str) or "key" not in args or \
                ctx.qualified_name(args["key"].value) != TRAINABLE_VARIABLES:
            return None
    else:
        return None
    if isinstance(args, str):
        return (args,)
    scope = _literal(args["scope"].value) if "scope" in args else None
    if scope is None:
        return ""
    if not isinstance(scope, str):
        return ("the scope is not a literal string",)
    if not set(scope) <= _PLAIN_SCOPE:
        return ("the scope is a regular expression (TF1 matched it with `re.match`): list "
                "the variables it matched",)
    return scope


def _trainable_collection_calls(ctx: Context) -> list[cst.Call]:
    cached = getattr(ctx, "_layers_trainable_collections", None)
    if cached is None:
        cached = []
        for node, name in ctx.named_expressions():
            if name in ("tensorflow.trainable_variables", "tensorflow.get_collection"):
                call = ctx.call_of(node)
                if call is not None and _collection_scope(ctx, call) is not None:
                    cached.append(call)
        ctx._layers_trainable_collections = cached
    return cached


@dataclass
class _Creator:
    """A call that may make trainable variables: what TF1 named them, what holds them."""

    call: cst.Call
    qualname: str
    kind: str  # "layer" (tf.layers function), "get_variable", "variable", "opaque"
    prefix: str  # every variable it makes has a name that starts with this
    trainable: object = True  # True, False, or None (not a literal)


def _creator_kind(name: str) -> str | None:
    if name.startswith("tensorflow.layers."):
        spec = TF_LAYERS.get(name[len("tensorflow.layers."):])
        if spec is not None:
            return None if spec.keras in _NO_VARIABLES else "layer"
        return "opaque"
    for module in CONTRIB_MODULES:
        if name.startswith(module + "."):
            spec = CONTRIB_LAYERS.get(name[len(module) + 1:])
            if spec is not None and spec.keras in _NO_VARIABLES:
                return None
            return "opaque"
    if name == "tensorflow.get_variable":
        return "get_variable"
    if name == "tensorflow.Variable":
        return "variable"
    if _is_creator(name) or name.startswith(_OPAQUE_CREATORS):
        return "opaque"
    if name.startswith("tensorflow."):
        return None
    return None if name.split(".")[0] in _PLAIN_LIBRARIES else "opaque"


def _scope_segments(ctx: Context, node: cst.CSTNode, stop, bindings, name_scopes: bool) -> list:
    """Names of the variable scopes (and name scopes) around `node` up to `stop`, outermost
    first; None for a name that is not a literal."""
    found: list = []
    for ancestor in ctx.ancestors(node):
        if ancestor is stop:
            break
        if not isinstance(ancestor, cst.With):
            continue
        here = []
        for item in ancestor.items:
            call = item.item
            if not isinstance(call, cst.Call):
                continue
            qualname = ctx.qualified_name(call.func)
            if qualname == VARIABLE_SCOPE:
                args = _arguments(call, _SCOPE_PARAMS, None)
                node_name = args.get("name_or_scope") if isinstance(args, dict) else None
            elif qualname == "tensorflow.name_scope" and name_scopes:
                args = _arguments(call, ("name", "default_name", "values"), None)
                node_name = args.get("name") if isinstance(args, dict) else None
            else:
                continue
            value = node_name.value if node_name is not None else None
            if isinstance(value, cst.Name) and bindings and value.value in bindings:
                value = bindings[value.value]
            literal = _literal(value) if value is not None else None
            here.append(literal if isinstance(literal, str) and literal else None)
        found = here + found
    return found


def _scope_path(ctx: Context, node: cst.CSTNode, functions: _Functions, name_scopes: bool,
                depth: int = 0):
    """The scope names around `node`, through the calls of the function it is in (every
    call must give the same path); None when unknown."""
    if depth > 8:
        return None
    func, problem = _function_of(ctx, node)
    if problem is not None:
        return None
    if func is None:
        return _scope_segments(ctx, node, None, None, name_scopes)
    calls = functions.calls(func)
    if isinstance(calls, str) or not calls:
        return None
    paths = set()
    for call in calls:
        outer = _scope_path(ctx, call, functions, name_scopes, depth + 1)
        if outer is None:
            return None
        bindings = _param_bindings(func, call) or {}
        paths.add(tuple(outer + _scope_segments(ctx, node, func, bindings, name_scopes)))
    return list(paths.pop()) if len(paths) == 1 else None


def _known_prefix(segments) -> tuple[str, bool]:
    """("a/b", True) for literal scope names; the part before the first unknown one (with
    its slash) and False otherwise."""
    if segments is None:
        return "", False
    known = []
    for segment in segments:
        if segment is None:
            return ("/".join(known) + "/") if known else "", False
        known.append(segment)
    return "/".join(known), True


def _never_runs(ctx: Context, node: cst.CSTNode, functions: _Functions) -> bool:
    func, problem = _function_of(ctx, node)
    if func is None or problem is not None:
        return False
    calls = functions.calls(func)
    return isinstance(calls, list) and not calls


def _variable_creators(ctx: Context, functions: _Functions) -> list[_Creator]:
    cached = getattr(ctx, "_layers_creators_inventory", None)
    if cached is not None:
        return cached
    found = []
    for call in ctx.module_calls():
        qualname = ctx.qualified_name(call.func)
        if qualname is None:
            continue  # the module's own functions (their bodies are calls too), methods
        kind = _creator_kind(qualname)
        if kind is None or _never_runs(ctx, call, functions):
            continue
        name_scoped = kind in ("variable", "opaque")
        path = _scope_path(ctx, call, functions, name_scoped)
        prefix, complete = _known_prefix(path)
        trainable: object = True
        if kind == "layer":
            function = qualname[len("tensorflow.layers."):]
            args = _arguments(call, TF_LAYERS[function].params, "inputs")
            if isinstance(args, str):
                kind = "opaque"
            else:
                if complete:
                    name = _literal(args["name"].value) if "name" in args else None
                    prefix = f"{prefix}/" if prefix else ""
                    if isinstance(name, str):
                        prefix = f"{prefix}{name}/"
                    elif name is None:
                        prefix = f"{prefix}{function}"  # TF1 numbered it: dense, dense_1, ...
                if "trainable" in args:
                    trainable = _literal(args["trainable"].value)
        elif kind == "get_variable":
            args = _arguments(call, _GET_VARIABLE, None)
            if isinstance(args, str):
                kind = "opaque"
            else:
                name = _literal(args["name"].value) if "name" in args else None
                if complete:
                    prefix = f"{prefix}/" if prefix else ""
                    if isinstance(name, str):
                        prefix = f"{prefix}{name}:"
                if "trainable" in args:
                    trainable = _literal(args["trainable"].value)
        elif kind == "variable":
            args = _arguments(call, _VARIABLE_PARAMS, None)
            if isinstance(args, str):
                kind = "opaque"
            else:
                # Name scopes are numbered when reopened (`d`, `d_1`): only the start of the
                # first name is known.
                name = _literal(args["name"].value) if "name" in args else "Variable"
                if path:
                    prefix = path[0] or ""
                else:
                    prefix = name if isinstance(name, str) else ""
                if "trainable" in args:
                    trainable = _literal(args["trainable"].value)
        if kind == "opaque":
            prefix = (path[0] or "") if path else ""
        found.append(_Creator(call, qualname, kind, prefix,
                              trainable if trainable in (True, False) else None))
    ctx._layers_creators_inventory = found
    return found


def _exec_key(ctx: Context, node: cst.CSTNode, functions: _Functions, strict: bool,
              depth: int = 0):
    """When `node` first runs, as a tuple comparable with other keys: the positions of the
    calls that lead to it from module level; None when unknown (with `strict`, also when
    its function runs more than once)."""
    if depth > 8:
        return None
    func, problem = _function_of(ctx, node)
    if problem is not None:
        return None
    own = (_position_key(ctx, node),)
    if func is None:
        return own
    calls = functions.calls(func)
    if isinstance(calls, str) or not calls:
        return None
    if strict and (len(calls) != 1 or _in_loop(ctx, calls[0])):
        return None
    keys = [_exec_key(ctx, call, functions, strict, depth + 1) for call in calls]
    if any(key is None for key in keys):
        return None
    return min(keys) + own


def _unconditional(ctx: Context, node: cst.CSTNode, functions: _Functions,
                   depth: int = 0) -> bool:
    """Whether `node` runs whenever the module runs (no branch, loop or nested scope on the
    way, and every call of its function is so too)."""
    if depth > 8:
        return False
    func, problem = _function_of(ctx, node)
    if problem is not None:
        return False
    for ancestor in ctx.ancestors(node):
        if ancestor is func:
            break
        if isinstance(ancestor, _CONDITIONAL):
            return False
    if func is None:
        return True
    calls = functions.calls(func)
    return isinstance(calls, list) and bool(calls) and \
        all(_unconditional(ctx, call, functions, depth + 1) for call in calls)


def _prefix_match(prefix: str, scope: str) -> bool | None:
    """Whether every variable name starting with `prefix` matches the collection's scope:
    True, False, or None when it depends on the unknown rest of the name."""
    if prefix.startswith(scope):
        return True
    if scope.startswith(prefix):
        return None
    return False


def _assigned_name(ctx: Context, call: cst.Call, names_index) -> str | None:
    """`w` for `w = tf.Variable(...)`, when that is the only binding of `w` in the module."""
    assign = ctx.parent(call)
    if not isinstance(assign, cst.Assign) or assign.value is not call or \
            len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return None
    name = assign.targets[0].target.value
    return name if _binding_count(ctx, name, names_index) == 1 else None


def _var_list_argument(ctx: Context, node: cst.CSTNode) -> bool:
    """Whether `node` is the `var_list` of an optimizer's `minimize`/`compute_gradients`."""
    arg = ctx.parent(node)
    call = ctx.parent(arg) if isinstance(arg, cst.Arg) else None
    if not isinstance(call, cst.Call) or arg.value is not node or arg.star or \
            not isinstance(call.func, cst.Attribute):
        return False
    method = call.func.attr.value
    position = {"minimize": 2, "compute_gradients": 1}.get(method)
    if position is None:
        return False
    if arg.keyword is not None:
        return arg.keyword.value == "var_list"
    return call.args.index(arg) == position


@dataclass
class _VariableList:
    edits: list
    findings: list  # the layer fixes whose objects the list names
    what: str  # for the message


def _variable_list(ctx: Context, call: cst.Call, scope: str, functions: _Functions):
    """The TF2 list of what TF1's collection held (the objects TFM301/305 make, in TF1's
    creation order), with the edits that put it in place; a message when not provable."""
    owner, problem = _function_of(ctx, call)
    if problem is not None:
        return f"the list is read {problem}"
    when = _exec_key(ctx, call, functions, strict=True)
    if when is None:
        return "it is read in a function that runs more than once, or is passed around"
    under = f"under `{scope}`" if scope else "in the module"
    items = []
    for creator in _variable_creators(ctx, functions):
        match = _prefix_match(creator.prefix, scope)
        if match is False:
            continue
        what = f"`{short(creator.qualname)}`"
        if match is None:
            return (f"{what} makes variables whose names may or may not fall under `{scope}` "
                    "(a scope or layer name that is not a literal, or numbered by TF1)")
        if creator.kind == "opaque":
            return f"{what} makes variables {under} that this rule cannot list"
        if creator.trainable is False:
            continue
        if creator.trainable is None:
            return f"{what} makes variables {under} with a `trainable=` that is not a literal"
        key = _exec_key(ctx, creator.call, functions, strict=False)
        if key is None or not _unconditional(ctx, creator.call, functions):
            return (f"{what} makes variables {under} conditionally, in a loop, or in a "
                    "function that is not plainly called")
        if key > when:
            continue  # made after the collection was read: TF1 did not list it
        creator_owner = _function_of(ctx, creator.call)[0]
        if creator.kind == "layer":
            layer = _layer_objects(ctx).get(creator.call)
            if layer is None:
                return f"{what} {under} is not rewritten into a Keras layer yet (TFM301)"
            if layer.reuses:
                continue  # its variables are those of the call it reuses
            if layer.owner is not None and layer.owner is not owner:
                return (f"the Keras layer of {what} {under} is a local name of "
                        f"`{layer.owner.name.value}`")
            items.append((key, f"*{layer.var}.trainable_variables", layer))
            continue
        if creator.kind == "get_variable" and creator.call not in _fixed_variables(ctx):
            return f"{what} {under} is not rewritten into a `tf.Variable` (TFM305)"
        target = _assigned_name(ctx, creator.call, functions.index)
        if target is None:
            return f"{what} {under} is not assigned to a name of its own"
        if creator_owner is not None and creator_owner is not owner or \
                creator_owner is None and owner is not None and target in _local_names(owner):
            return f"the variable `{target}` {under} is not visible where the list is read"
        items.append((key, target, None))
    if not items:
        return (f"no variable this rule can see is made {under} before the list is read "
                "(TF1's list was empty, or made elsewhere)")
    items.sort(key=lambda item: item[0])
    layers = [item[2] for item in items if item[2] is not None]
    texts = [item[1] for item in items]
    if len(texts) == 1 and layers:
        texts = [texts[0][1:]]  # `layer.trainable_variables`, already a list
        single = True
    else:
        single = False
    what = ("the variables of the layer objects and variables made there, in TF1's order"
            if scope else "every variable of the module, in TF1's order")
    edits = _list_edits(ctx, call, owner, texts, single, functions.index, not layers)
    if isinstance(edits, str):
        return edits
    return _VariableList(edits, [layer.finding for layer in layers], what)


def _list_text(ctx: Context, texts: list[str], single: bool, at: cst.CSTNode) -> str:
    """The list expression, wrapped when the line it lands on would get too long."""
    text = texts[0] if single else "[" + ", ".join(texts) + "]"
    statement = None
    for ancestor in ctx.ancestors(at):
        if isinstance(ancestor, cst.SimpleStatementLine):
            statement = ancestor
            break
    if statement is None:
        return text
    indent = _indent_of(ctx, statement)
    before = ctx.code(statement.body[0]) if len(statement.body) == 1 else ctx.code(statement)
    after = before.replace(ctx.code(at), text, 1)
    if max(len(indent) + len(line) for line in after.splitlines()) <= MAX_LINE or single:
        return text
    inner = indent + "    "
    lines, current = [], ""
    for part in texts:
        piece = part + ","
        if current and len(inner) + len(current) + 1 + len(piece) > MAX_LINE:
            lines.append(current)
            current = piece
        else:
            current = f"{current} {piece}" if current else piece
    lines.append(current[:-1])
    return "[\n" + "\n".join(inner + line for line in lines) + "]"


def _list_edits(ctx: Context, call: cst.Call, owner, texts: list[str], single: bool,
                names_index, only_variables: bool):
    """Edits that put the list where TF1 read the collection. Keras layers make their
    variables when first called, so a list of layer variables must be read where the
    training step reads it: as the `var_list` of `minimize`/`compute_gradients` (a name
    holding the collection is replaced by the list at those uses)."""
    if _var_list_argument(ctx, call) or only_variables:
        return [Edit(call, parse_expression(_list_text(ctx, texts, single, call)))]
    target = _assigned_name(ctx, call, names_index)
    statement = ctx.parent(ctx.parent(call))
    if target is None or not isinstance(statement, cst.SimpleStatementLine) or \
            len(statement.body) != 1:
        return ("a list of Keras layer variables is only complete once the layers have been "
                "called: pass the collection as the `var_list` of `minimize` or "
                "`compute_gradients`, or list the variables by hand where they are used")
    uses = [n for n in names_index.get(target, ()) if n is not statement.body[0].targets[0]
            .target]
    for use in uses:
        if not _var_list_argument(ctx, use) or _function_of(ctx, use)[0] is not owner:
            return (f"`{target}` is used other than as the `var_list` of `minimize` or "
                    "`compute_gradients` in the same block: a list of Keras layer variables "
                    "is only complete once the layers have been called")
    if not uses:
        return f"`{target}` is never used"
    edits = [Edit(statement, None)]
    for use in uses:
        edits.append(Edit(use, parse_expression(_list_text(ctx, texts, single, use))))
    return edits


class Collections(Rule):
    code = "TFM307"
    name = "graph-collections"
    summary = "Graph collections (`tf.trainable_variables()`, `UPDATE_OPS`, ...) are empty in TF2."
    fix = FixSafety.SAFE
    references = tuple(_COLLECTION_FUNCTIONS)
    doc = """
## Why
TF2 has no graph collections: `tf.trainable_variables()`, `tf.global_variables()` and
`tf.get_collection(...)` return empty lists under eager execution (MIGRATION_MAP §2), so a
`var_list=tf.trainable_variables()` silently trains nothing.

## What it becomes
The finding names the object that holds the variables in TF2 (`model.trainable_variables`,
`layer.trainable_variables`, or an explicit list).

Trainable-variable lists are fixed where the objects holding them are provable:
`tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope='D')`,
`tf.trainable_variables('D')` (or without a scope: every variable) become the list of what
TF1 listed, in TF1's creation order: the Keras layers TFM301 makes of the `tf.layers` calls
(`*layer.trainable_variables`, once per layer, shared calls included) and the `tf.Variable`s
(TFM305) whose names fall under the scope. TF1 matched the scope as a prefix of the variable
name (`'D'` also lists `D_1/...` and `D2/...`), and so does the fix: every variable-making call
of the module (through the module's functions and the scopes of their callers) is checked,
and variables made after the list was read are left out, as TF1 did. Keras layers make their
variables when first called, so a list of layer variables goes where the training step reads
it: the `var_list` of `minimize`/`compute_gradients` (`d_vars = tf.get_collection(...)` used
only as `var_list=d_vars` is replaced at those uses); a list of `tf.Variable`s only stays
where it was. The fix comes with the layer fixes it relies on (one set of edits), so the
variable scopes can then go (TFM306) and the graph rule (TFM201) trains exactly those
variables.

One more pattern is fixed: batch norm's
`update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)` with
`with tf.control_dependencies(update_ops):` around the training step — Keras batch
normalization updates its moving statistics during the call in training mode, so the
assignment is removed and the `with` unwrapped, once no TF1 batch norm is left in the module.

## Caveats
TF1 updated the moving statistics only when the training op ran; Keras updates them on
every call with `training=True` (also when only the loss is evaluated in training mode).

A trainable-variable list is reported without a fix when anything under its scope is not
provable: a scope or `name=` that is not a literal (or a scope given as a regular
expression), a layer name TF1 numbered that the scope cuts into (`scope='dense_1'`),
contrib/slim layers, RNN cells, Keras layers or models, a library function that may make
variables, a `trainable=` that is not a literal, a variable made in a branch, a loop or a
function not plainly called, a layer local to another function, a list used other than as a
`var_list`, or a layer fix that is unsafe (batch norm) without `--unsafe-fixes`. Other
collections (`GLOBAL_VARIABLES` also holds optimizer slots) are reported.
"""
    examples = (
        Valid("import tensorflow as tf\n\nv = model.trainable_variables\n"),
        Invalid("import tensorflow as tf\n\n"
                "opt.minimize(loss, var_list=tf.trainable_variables())\n"),
        Invalid("import tensorflow as tf\n\n"
                "with tf.variable_scope('G'):\n"
                "    fake = tf.layers.dense(z, 4)\n"
                "with tf.variable_scope('D'):\n"
                "    logits = tf.layers.dense(fake, 1, name='out')\n"
                "d_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope='D')\n"
                "train_g = opt.minimize(g_loss, var_list=tf.trainable_variables('G'))\n"
                "train_d = opt.minimize(d_loss, var_list=d_vars)\n",
                "import tensorflow as tf\n\n"
                "dense = tf.keras.layers.Dense(4)\n"
                "fake = dense(z)\n"
                "out = tf.keras.layers.Dense(1, name='out')\n"
                "logits = out(fake)\n"
                "train_g = opt.minimize(g_loss, var_list=dense.trainable_variables)\n"
                "train_d = opt.minimize(d_loss, var_list=out.trainable_variables)\n"),
        Invalid("import tensorflow as tf\n\n"
                "with tf.variable_scope('D'):\n"
                "    logits = tf.layers.dense(x, 1)\n"
                "train_d = opt.minimize(loss, var_list=tf.trainable_variables('D.*'))\n"),
        Invalid("import tensorflow as tf\n\n"
                "loss = tf.reduce_mean(error)\n"
                "update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
                "with tf.control_dependencies(update_ops):\n"
                "    train_op = optimizer.minimize(loss)\n",
                "import tensorflow as tf\n\n"
                "loss = tf.reduce_mean(error)\n"
                "train_op = optimizer.minimize(loss)\n"),
    )

    def __init__(self) -> None:
        self.refs: list[Reference] = []

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if not ref.via_alias:
            self.refs.append(ref)

    def on_module(self, ctx: Context) -> None:
        # Runs after TFM301/TFM303/TFM305 (rules run in code order): their fixes are known.
        lists = []
        for ref in self.refs:
            outcome = self._one(ref, ctx)
            if outcome is not None:
                lists.append(outcome)
        if lists:
            self._bundle(ctx, lists)

    def _one(self, ref: Reference, ctx: Context):
        name = ref.qualname
        hint = _COLLECTION_FUNCTIONS[name]
        message = f"`{short(name)}` is empty in TF2 (no graph collections): use {hint}"
        call = ctx.call_of(ref.node)
        if name == "tensorflow.get_collection" and call is not None and call.args and \
                ctx.qualified_name(call.args[0].value) == UPDATE_OPS:
            edits = self._update_ops(ctx, call)
            if edits:
                ctx.report(ref.node, "`UPDATE_OPS` is empty in TF2: Keras batch normalization "
                                     "updates its moving statistics during the call; the "
                                     "control dependency is removed", edits)
                return None
            message = ("`UPDATE_OPS` is empty in TF2: Keras batch normalization updates its "
                       "moving statistics during the call; remove the control dependency once "
                       "every batch norm is a Keras layer")
        scope = _collection_scope(ctx, call) if call is not None else None
        if scope is not None:
            described = f"`{short(name)}`" + (f" of scope `{scope}`" if scope and
                                               isinstance(scope, str) else "")
            message = (f"{described} is empty in TF2 (no graph collections): use the "
                       "variables of the objects that own them (`layer.trainable_variables`)")
            if not isinstance(scope, str):
                ctx.report(ref.node, f"{message} ({scope[0]})")
                return None
            found = _variable_list(ctx, call, scope, _Functions(ctx))
            if isinstance(found, str):
                ctx.report(ref.node, f"{message}, by hand ({found})")
                return None
            return ref, described, found
        ctx.report(ref.node, message)
        return None

    def _bundle(self, ctx: Context, lists: list) -> None:
        """The lists name layer objects that TFM301's fixes of this pass create: the fixes go
        together (one set of edits on every finding involved), or none does."""
        involved = [f for _, _, found in lists for f in found.findings]
        layer_findings = [f for f in ctx.findings if f.rule in (TfLayersFunction, ContribLayers)
                          and f.edits]
        edits: list = []
        seen_findings: list = []
        pending = list(involved)
        while pending:
            finding = pending.pop()
            if any(finding is f for f in seen_findings):
                continue
            seen_findings.append(finding)
            for edit in finding.edits:
                if not any(edit is e for e in edits):
                    edits.append(edit)
            for other in layer_findings:
                if not any(other is f for f in seen_findings) and \
                        any(e is edit for e in other.edits for edit in finding.edits):
                    pending.append(other)
        unsafe = any(f.safety is FixSafety.UNSAFE for f in seen_findings)
        if unsafe and not ctx.unsafe_fixes:
            for ref, described, _ in lists:
                ctx.report(ref.node, f"{described} is empty in TF2 (no graph collections): it "
                                     "becomes a list of the layers' variables together with the "
                                     "layer fixes, one of which is unsafe (batch norm): run "
                                     "with `--unsafe-fixes`")
            return
        layer_nodes = {id(edit.node) for edit in edits}
        layer_above = {id(a) for edit in edits for a in ctx.ancestors(edit.node)}
        kept = []
        for ref, described, found in lists:
            nested = any(id(node) in layer_nodes or id(node) in layer_above or
                         any(id(a) in layer_nodes for a in ctx.ancestors(node))
                         for node in (edit.node for edit in found.edits))
            if nested:
                ctx.report(ref.node, f"{described} is empty in TF2 (no graph collections): "
                                     "put it on a line of its own, apart from the layer calls")
                continue
            kept.append((ref, described, found))
        if not kept:
            return
        for _, _, found in kept:
            edits.extend(found.edits)
        lists = kept
        safety = FixSafety.UNSAFE if unsafe else FixSafety.SAFE
        for finding in seen_findings:
            finding.edits = list(edits)
            finding.safety = safety
        for ref, described, found in lists:
            ctx.report(ref.node, f"{described} is empty in TF2 (no graph collections): it "
                                 f"becomes {found.what}", list(edits), safety)

    def _update_ops(self, ctx: Context, call: cst.Call) -> list[Edit] | None:
        if any(_is_tf1_bn(name) for _, name in ctx.named_expressions()):
            return None
        parent = ctx.parent(call)
        if isinstance(parent, cst.Arg):
            deps = ctx.parent(parent)
            withs = [deps] if isinstance(deps, cst.Call) else []
            assign = None
        elif isinstance(parent, cst.Assign) and len(parent.targets) == 1 and \
                isinstance(parent.targets[0].target, cst.Name):
            assign = parent
            target = parent.targets[0].target.value
            withs = []
            for node in _Functions(ctx).index.get(target, ()):
                if node is parent.targets[0].target:
                    continue
                arg = ctx.parent(node)
                deps = ctx.parent(arg) if isinstance(arg, cst.Arg) else None
                if not isinstance(deps, cst.Call) or len(deps.args) != 1:
                    return None
                withs.append(deps)
        else:
            return None
        edits = []
        for deps in withs:
            if ctx.qualified_name(deps.func) != "tensorflow.control_dependencies":
                return None
            item = ctx.parent(deps)
            statement = ctx.parent(item) if isinstance(item, cst.WithItem) else None
            if not isinstance(statement, cst.With) or len(statement.items) != 1 or \
                    item.asname is not None or not isinstance(statement.body, cst.IndentedBlock):
                return None
            body = list(statement.body.body)
            body[0] = body[0].with_changes(
                leading_lines=[*statement.leading_lines, *body[0].leading_lines])
            edits.append(Edit(statement, body))
        if assign is not None:
            statement = ctx.parent(assign)
            if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
                return None
            edits.append(Edit(statement, None))
        return edits or None


def _is_tf1_bn(name: str) -> bool:
    return name in _TF1_BATCH_NORMS


# -- TFM309: TF1 initializers ------------------------------------------------------------------

# name -> (Keras class, [(TF1 parameter, Keras parameter, TF1 default that must be explicit)])
_INITIALIZERS = {
    "tensorflow.random_normal_initializer": (
        "RandomNormal", [("mean", "mean", None), ("stddev", "stddev", "1.0"),
                         ("seed", "seed", None)]),
    "tensorflow.random_uniform_initializer": (
        "RandomUniform", [("minval", "minval", "0.0"), ("maxval", "maxval", "1.0"),
                          ("seed", "seed", None)]),
    "tensorflow.truncated_normal_initializer": (
        "TruncatedNormal", [("mean", "mean", None), ("stddev", "stddev", "1.0"),
                            ("seed", "seed", None)]),
    "tensorflow.glorot_uniform_initializer": ("GlorotUniform", [("seed", "seed", None)]),
    "tensorflow.glorot_normal_initializer": ("GlorotNormal", [("seed", "seed", None)]),
    "tensorflow.orthogonal_initializer": (
        "Orthogonal", [("gain", "gain", None), ("seed", "seed", None)]),
    "tensorflow.variance_scaling_initializer": (
        "VarianceScaling", [("scale", "scale", None), ("mode", "mode", None),
                            ("distribution", "distribution", None), ("seed", "seed", None)]),
}
_IN_TF2 = {"tensorflow.random_normal_initializer", "tensorflow.random_uniform_initializer"}


class Initializers(Rule):
    code = "TFM309"
    name = "tf1-initializer-defaults"
    summary = "TF1 initializers → Keras initializers with TF1's defaults (stddev 1.0, [0, 1))."
    fix = FixSafety.SAFE
    references = tuple(_INITIALIZERS)
    doc = """
## Why
TF1's `tf.random_normal_initializer()` and `tf.truncated_normal_initializer()` default to
stddev **1.0**, `tf.random_uniform_initializer()` to [0, 1); the TF2/Keras ones default to
0.05 and [-0.05, 0.05] (caveat 14). `tf.random_normal_initializer` still exists in TF2 with
the new defaults, so TF1 code silently changes scale; `truncated_normal_initializer`,
`glorot_*_initializer`, `orthogonal_initializer` and `variance_scaling_initializer` are gone.

## What it becomes
`tf.keras.initializers.<Class>(...)` with the TF1 default written out where it differs:
`tf.truncated_normal_initializer(stddev=0.1)` → `tf.keras.initializers.TruncatedNormal(
stddev=0.1)`, `tf.random_normal_initializer()` → `tf.keras.initializers.RandomNormal(
stddev=1.0)`, `tf.glorot_uniform_initializer()` → `tf.keras.initializers.GlorotUniform()`.

## Caveats
`tf.random_normal_initializer`/`random_uniform_initializer` are only changed in modules with
TF1 evidence (another TF1-only name), since the same call is valid TF2. `dtype=` (Keras 3
initializers take the dtype when called), positional arguments past the documented ones and
`variance_scaling_initializer(distribution='normal')` are reported without a fix. Values
follow the same distribution, never the same numbers (seeds do not carry over).
"""
    examples = (
        Valid("import tensorflow as tf\n\ninit = tf.random_normal_initializer(stddev=0.1)\n"),
        Invalid("import tensorflow as tf\n\n"
                "w = tf.get_variable('w', [3], initializer=tf.random_normal_initializer())\n"
                "k = tf.truncated_normal_initializer(stddev=0.1)\n",
                "import tensorflow as tf\n\n"
                "w = tf.Variable(tf.keras.initializers.RandomNormal(stddev=1.0)([3]), "
                "name='w')\n"
                "k = tf.keras.initializers.TruncatedNormal(stddev=0.1)\n"),
        Invalid("import tensorflow as tf\n\ninit = tf.glorot_uniform_initializer(dtype=d)\n"),
    )

    def __init__(self) -> None:
        self.pending: list[Reference] = []
        self.evidence = False

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if not ref.via_alias:
            self.pending.append(ref)

    def on_module(self, ctx: Context) -> None:
        if not self.pending:
            return
        evidence = None
        for ref in self.pending:
            if ref.qualname in _IN_TF2:
                if evidence is None:
                    evidence = any(is_tf1_name(short(name)) for _, name in
                                   ctx.named_expressions() if name.startswith("tensorflow.")
                                   and name not in _IN_TF2)
                if not evidence:
                    continue
            self._one(ref, ctx)

    def _one(self, ref: Reference, ctx: Context) -> None:
        keras = _INITIALIZERS[ref.qualname][0]
        message = (f"`{short(ref.qualname)}` has TF1 defaults: use "
                   f"`tf.keras.initializers.{keras}`")
        call = ctx.call_of(ref.node)
        if call is None:
            ctx.report(ref.node, message + " (with TF1's defaults spelled out)")
            return
        new = initializer_replacement(ctx, call, ref.qualname)
        if isinstance(new, str):
            ctx.report(ref.node, f"{message} by hand ({new})")
            return
        ctx.report(ref.node, message + " (TF1's defaults spelled out)", [Edit(call, new)],
                   imports=("tensorflow",))


def initializer_replacement(ctx: Context, call: cst.Call, qualname: str):
    """The Keras initializer for a TF1 initializer call, or why there is none."""
    keras, params = _INITIALIZERS[qualname]
    args = _arguments(call, tuple(p for p, _, _ in params), None)
    if isinstance(args, str):
        return f"{args}; Keras 3 initializers take no dtype"
    if qualname.endswith("variance_scaling_initializer") and "distribution" in args \
            and _literal(args["distribution"].value) not in \
            ("truncated_normal", "untruncated_normal", "uniform"):
        return "distribution"
    parts = []
    for tf1, target, default in params:
        arg = args.get(tf1)
        if arg is None or (default is not None and _literal(arg.value) is None):
            if default is not None:
                parts.append(f"{target}={default}")
            continue
        parts.append(f"{target}={ctx.code(arg.value)}")
    tf = ctx.tensorflow_name()
    return parse_expression(f"{tf}.keras.initializers.{keras}({', '.join(parts)})")


class _Replace(cst.CSTTransformer):
    def __init__(self, replacements: dict) -> None:
        self.replacements = replacements

    def on_leave(self, original, updated):
        return self.replacements.get(original, updated)


def converted_code(ctx: Context, node: cst.CSTNode, substitute: dict | None = None) -> str:
    """The code of an argument, TF1 initializers in it turned into Keras ones (TFM309): the
    enclosing fix replaces the whole statement, so TFM309 could not apply inside it, and the
    TF1 evidence it needs may be gone in the next pass."""
    replacements = {}
    for call in _calls_in(node):
        qualname = ctx.qualified_name(call.func)
        if qualname in _INITIALIZERS:
            new = initializer_replacement(ctx, call, qualname)
            if not isinstance(new, str):
                replacements[call] = new
    for name in _names_in(node) if substitute else ():
        if name.value in substitute:
            replacements[name] = parse_expression(substitute[name.value])
    if not replacements:
        return ctx.code(node)
    return cst.Module([]).code_for_node(node.visit(_Replace(replacements)))


# -- TFM308: functions that create variables on every call → Keras layer classes ------------

# tf.Variable's keywords that carry over to `add_weight` (TF1 spelling → Keras spelling);
# `use_resource` is dropped (TF2 variables are resource variables), the rest is refused.
_VARIABLE_KEEP = ("name", "trainable", "dtype", "constraint")
_VARIABLE_PARAMS = ("initial_value", "trainable", "collections", "validate_shape",
                    "caching_device", "name", "variable_def", "dtype", "expected_shape",
                    "import_scope", "constraint", "use_resource", "synchronization",
                    "aggregation", "shape")
# Random ops whose value a Keras initializer draws from the same distribution:
# name → (Keras initializer, parameters, TF1 defaults Keras does not share).
_RANDOM = ("shape", "mean", "stddev", "dtype", "seed", "name")
_RANDOM_OPS = {
    "tensorflow.random_normal": ("RandomNormal", _RANDOM, {"stddev": "1.0"}),
    "tensorflow.random.normal": ("RandomNormal", _RANDOM, {"stddev": "1.0"}),
    "tensorflow.truncated_normal": ("TruncatedNormal", _RANDOM, {"stddev": "1.0"}),
    "tensorflow.random.truncated_normal": ("TruncatedNormal", _RANDOM, {"stddev": "1.0"}),
    "tensorflow.random_uniform": (
        "RandomUniform", ("shape", "minval", "maxval", "dtype", "seed", "name"),
        {"minval": "0.0", "maxval": "1.0"}),
    "tensorflow.random.uniform": (
        "RandomUniform", ("shape", "minval", "maxval", "dtype", "seed", "name"),
        {"minval": "0.0", "maxval": "1.0"}),
}
_FILLED = {"tensorflow.zeros": '"zeros"', "tensorflow.ones": '"ones"'}
_INITIALIZER_OBJECTS = ("tensorflow.keras.initializers.", "tensorflow.initializers.")
_TF_INITIALIZERS = {"tensorflow.zeros_initializer", "tensorflow.ones_initializer",
                    "tensorflow.constant_initializer", *_INITIALIZERS}
# Attributes of a Keras 3 layer: a weight or setting stored under one of these names would
# shadow (or fail to set) the layer's own.
_LAYER_ATTRIBUTES = frozenset((
    "activity_regularizer", "add_loss", "add_metric", "add_variable", "add_weight",
    "autocast", "build", "build_from_config", "built", "call", "call_signature_parameters",
    "compute_dtype", "compute_mask", "compute_output_shape", "compute_output_spec",
    "count_params", "dtype", "dtype_policy", "from_config", "get_build_config", "get_config",
    "get_weights", "input", "input_dtype", "input_spec", "load_own_variables", "losses",
    "metrics", "metrics_variables", "name", "non_trainable_variables",
    "non_trainable_weights", "output", "path", "quantization_mode", "quantize",
    "quantized_build", "quantized_call", "rematerialized_call", "save_own_variables",
    "set_weights", "stateless_call", "supports_jit", "supports_masking", "symbolic_call",
    "trainable", "trainable_variables", "trainable_weights", "variable_dtype", "variables",
    "weights", "input_shape", "output_shape", "updates", "stateful", "dynamic",
    "inbound_nodes", "outbound_nodes", "submodules", "name_scope", "self"))
_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp,
           cst.GeneratorExp, cst.ClassDef)


@dataclass
class _Weight:
    line: cst.SimpleStatementLine
    target: str
    call: cst.Call
    args: dict
    get_variable: bool = False  # `tf.get_variable` (else `tf.Variable`)


@dataclass
class _LayerPlan:
    func: cst.FunctionDef
    calls: list
    weights: list
    config: list  # parameters that become `__init__` arguments, in order
    inputs: list  # parameters that become `call` arguments, in order
    attributes: dict = field(default_factory=dict)  # name → attribute, in `call`
    docstring: cst.BaseStatement | None = None
    body: list = field(default_factory=list)  # the computation, original nodes
    layer_name: str | None = None  # the parameter that names the layer (its TF1 scope)


def _binding_names(node: cst.CSTNode) -> list[cst.Name]:
    """Names a node binds, for every kind of binding (nested scopes included)."""
    found = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For,
                                cst.CompFor, cst.NamedExpr)):
            found.extend(target_name_nodes(current.target))
        elif isinstance(current, cst.AsName):
            found.extend(target_name_nodes(current.name))
        elif isinstance(current, cst.Param):
            found.append(current.name)
        elif isinstance(current, (cst.FunctionDef, cst.ClassDef)):
            found.append(current.name)
        elif isinstance(current, (cst.Import, cst.ImportFrom)) and \
                not isinstance(current.names, cst.ImportStar):
            for alias in current.names:
                target = alias.asname.name if alias.asname is not None else alias.name
                while isinstance(target, cst.Attribute):
                    target = target.value
                if isinstance(target, cst.Name):
                    found.append(target)
        pending.extend(current.children)
    return found


def _class_name(function: str) -> str:
    stripped = function.lstrip("_")
    parts = [p for p in stripped.split("_") if p]
    camel = "".join(p[:1].upper() + p[1:] for p in parts) or "Layer"
    return function[:len(function) - len(stripped)] + camel


class VariableFunctionLayer(Rule):
    code = "TFM308"
    name = "variable-function-layer"
    summary = ("A function that makes variables on each of several calls becomes a Keras "
               "layer class, one object per call.")
    fix = FixSafety.SAFE
    references = ("tensorflow.Variable", "tensorflow.get_variable")
    doc = """
## Why
A TF1 helper such as `def fc(x, n_in, n_out): w = tf.Variable(...); ...; return
tf.matmul(x, w) + b`, called once per layer, created new variables on every call while the
graph was built. In TF2 the computation runs on every step (inside a `tf.function`), so the
same function would create new variables on every step (or fail in `tf.function`). A Keras
layer is the TF2 object for "variables made once, computation run many times"; Keras 3 only
tracks weights made with `add_weight` (a raw `tf.Variable` attribute is not trained, not
saved: caveat 15).

## What it becomes
A `tf.keras.layers.Layer` subclass named after the function (`fc` → `Fc`). Its `__init__`
takes the configuration parameters (those the initial values use, and the others every call
passes as a constant or module-level value) and creates each variable with
`self.add_weight(name=..., shape=..., initializer=...)`; its `call` takes the tensors (the
first other parameter, then those some call passes a tensor for) and holds the computation,
variables read as `self.w`. A `with tf.name_scope(name):` (or a variable scope without
settings) around the whole body is dropped; when `name` is a parameter it names the layer
(`super().__init__(name=name)`). `tf.get_variable(name, shape, initializer=init)` becomes
`add_weight(name=name, shape=shape, initializer=init)` (no initializer: TF1's glorot
uniform, biases included — caveat 2; zeros for integer variables) when every call has its
own literal variable-scope path and nothing reuses variables (TF1 made new variables on each
call then). Initial values become initializers of the same distribution:
`tf.random_normal(shape, stddev=s)` → `RandomNormal(stddev=s)` (TF1's stddev 1.0 and
uniform [0, 1) are written out: caveat 14), `tf.truncated_normal` → `TruncatedNormal`,
`tf.random_uniform` → `RandomUniform`, `tf.zeros`/`tf.ones` → `"zeros"`/`"ones"`,
`tf.constant(v, shape=s)` and `tf.fill(s, v)` → `Constant(v)`, an initializer called on a
shape → that initializer (TF1 ones with TF1 defaults, as TFM309), any other value (a numpy
array) → `Constant(value)` with `shape=np.shape(value)`. Each call site becomes a layer
object made once, right before it (`fc_1 = Fc(784, 256)`), and a call (`h1 = fc_1(x)`):

    def fc(x, n_in, n_out):
        w = tf.Variable(tf.random_normal([n_in, n_out], stddev=0.1))
        b = tf.Variable(tf.zeros([n_out]))
        return tf.nn.relu(tf.matmul(x, w) + b)

    h1 = fc(x, 784, 256)

becomes

    class Fc(tf.keras.layers.Layer):
        def __init__(self, n_in, n_out, **kwargs):
            super().__init__(**kwargs)
            self.w = self.add_weight(
                name="w", shape=[n_in, n_out],
                initializer=tf.keras.initializers.RandomNormal(stddev=0.1))
            self.b = self.add_weight(name="b", shape=[n_out], initializer="zeros")

        def call(self, x):
            return tf.nn.relu(tf.matmul(x, self.w) + self.b)

    fc_1 = Fc(784, 256)
    h1 = fc_1(x)

Only in modules with TF1 code, for top-level functions called more than once: a function
called once, and a function that only makes and returns variables (`weight_variable(shape)`)
are valid TF2 as they are. The graph rule (TFM201) keeps the layer objects where they are
and moves their calls into its `tf.function`s.

## Caveats
Reported without a fix (with what to do) when: a call passes a tensor (or a value computed
in a function) for a parameter an initial value uses — e.g. a shape read from the input:
create that weight in `build(input_shape)`; a call is in a loop (make a list of layers), in
a lambda, a method or a function that itself runs more than once; a variable is created
inside an expression or a compound statement, or its initial value uses a name computed in
the function; the function also creates other layers or variables (`tf.layers`, a helper
that makes variables) or writes TF1 summaries (they belong in the training step);
`tf.get_variable` calls may share variables (a reusing scope, `reuse_variables()`, two calls
under the same scope path); it is decorated, takes `*args`, `**kwargs` or keyword-only
parameters, or is used other than by calling it. Random initial values follow the same
distribution, never the same numbers. Weights take the layer's dtype (float32) unless TF1
gave `dtype=`: a float64 numpy initial value was a float64 variable in TF1. Attributes that
would shadow a Keras layer attribute (`weights`, `name`, ...) get a trailing underscore
(`self.weights_`). A variable the function returns is returned by the layer call too, so it
now looks computed from the inputs: a run that fetched only it must feed them.
"""
    examples = (
        Valid("import tensorflow as tf\n\n\n"
              "def weight_variable(shape):\n"
              "    return tf.Variable(tf.truncated_normal(shape, stddev=0.1))\n\n\n"
              "w1 = weight_variable([4, 3])\n"
              "w2 = weight_variable([3, 2])\n"),
        Invalid("import tensorflow as tf\n\n\n"
                "def fc(x, n_in, n_out):\n"
                "    w = tf.Variable(tf.random_normal([n_in, n_out], stddev=0.1))\n"
                "    b = tf.Variable(tf.zeros([n_out]))\n"
                "    return tf.nn.relu(tf.matmul(x, w) + b)\n\n\n"
                "images = tf.placeholder(tf.float32, [None, 784])\n"
                "h1 = fc(images, 784, 256)\n"
                "h2 = fc(h1, 256, 10)\n",
                "import tensorflow as tf\n\n\n"
                "class Fc(tf.keras.layers.Layer):\n"
                "    def __init__(self, n_in, n_out, **kwargs):\n"
                "        super().__init__(**kwargs)\n"
                "        self.w = self.add_weight(\n"
                "            name=\"w\", shape=[n_in, n_out],\n"
                "            initializer=tf.keras.initializers.RandomNormal(stddev=0.1))\n"
                "        self.b = self.add_weight(name=\"b\", shape=[n_out], "
                "initializer=\"zeros\")\n\n"
                "    def call(self, x):\n"
                "        return tf.nn.relu(tf.matmul(x, self.w) + self.b)\n\n\n"
                "images = tf.placeholder(tf.float32, [None, 784])\n"
                "fc_1 = Fc(784, 256)\n"
                "h1 = fc_1(images)\n"
                "fc_2 = Fc(256, 10)\n"
                "h2 = fc_2(h1)\n"),
        Invalid("import tensorflow as tf\n\n\n"
                "def fc(x, n_out):\n"
                "    w = tf.Variable(tf.random_normal([int(x.shape[1]), n_out]))\n"
                "    return tf.matmul(x, w)\n\n\n"
                "images = tf.placeholder(tf.float32, [None, 784])\n"
                "h1 = fc(images, 256)\n"
                "h2 = fc(h1, 10)\n"),
    )

    def __init__(self) -> None:
        self.refs: list[Reference] = []

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if not ref.via_alias:
            self.refs.append(ref)

    def on_module(self, ctx: Context) -> None:
        if not self.refs:
            return
        by_function: dict = {}
        for ref in self.refs:
            if ctx.call_of(ref.node) is None:
                continue  # `isinstance(v, tf.Variable)`: no variable made
            func, problem = _function_of(ctx, ref.node)
            if func is not None and problem is None:
                by_function.setdefault(func, []).append(ref)
        if not by_function:
            return
        if not any(is_tf1_name(short(name)) for _, name in ctx.named_expressions()
                   if name.startswith("tensorflow.")):
            return  # TF2 code: a function making variables on each call is what it means
        functions = _Functions(ctx)
        names = _shared_names(ctx)
        for func, refs in by_function.items():
            plan = self._plan(ctx, func, refs, functions)
            if plan is None:
                continue
            if isinstance(plan, str):
                ctx.report(func.name, self._head(func) + f": {plan}")
                continue
            self._fix(ctx, plan, names)

    @staticmethod
    def _head(func: cst.FunctionDef) -> str:
        return (f"`{func.name.value}` creates variables on every call and runs more than "
                "once: in TF2 it would create them again on every step")

    # -- analysis ------------------------------------------------------------------------
    def _plan(self, ctx: Context, func: cst.FunctionDef, refs: list, functions: _Functions):
        """A _LayerPlan; a message when the function is a layer that cannot be fixed; None
        when the rule has nothing to say (called once, a variable factory, ...)."""
        name = func.name.value
        calls = functions.calls(func)
        if not isinstance(calls, str) and (
                len(calls) == 0 or (len(calls) == 1 and not _in_loop(ctx, calls[0]))):
            return None
        params = func.params
        plain = list(params.params)
        body = list(func.body.body) if isinstance(func.body, cst.IndentedBlock) else None
        docstring = None
        if body and _is_docstring(body[0]):
            docstring = body.pop(0)
        # A name or variable scope around the whole body only named the variables (tf.Variable
        # ignores reuse): the Keras layer names its weights itself.
        scope_name, variable_scope = None, False
        scoped = self._scope(ctx, body[0]) if body and len(body) == 1 else None
        if scoped is not None:
            body, (scope_name, variable_scope) = list(body[0].body.body), scoped
        # Which statements make the variables, which compute.
        weights, computation, problem = [], [], None
        for statement in body or ():
            inside = [r for r in refs if any(a is statement for a in ctx.ancestors(r.node))]
            if not inside:
                computation.append(statement)
                continue
            weight = self._weight(ctx, statement, inside)
            if isinstance(weight, str):
                problem = problem or weight
                continue
            weights.append(weight)
        weight_names = {n.value for w in weights for n in _names_in(w.call)}
        param_names = [p.name.value for p in plain]
        used = {n.value for s in computation for n in _names_in(s)}
        # A parameter read outside the `tf.Variable(...)` calls: the function computes
        # with it; otherwise it only makes variables (a factory, valid TF2 as it is).
        variable_calls = [ctx.call_of(r.node) for r in refs]
        inside_variables = {id(n) for c in variable_calls if c is not None
                            for n in walk(c)}
        outside = {n.value for n in walk(func.body) if isinstance(n, cst.Name)
                   and id(n) not in inside_variables}
        if body is None or not any(p in outside for p in param_names):
            return None
        config = [p for p in param_names if p in weight_names]
        others = [p for p in param_names if p not in config]
        if isinstance(calls, str):
            return None  # passed around (`tf.app.run(main)`, `make_template`): runs unknown
        if problem is not None:
            return problem
        if func.decorators or func.asynchronous is not None:
            return "it is decorated or async: make it a Keras layer class by hand"
        if isinstance(params.star_arg, cst.Param) or params.star_kwarg is not None or \
                params.kwonly_params or params.posonly_params:
            return ("it takes `*args`, `**kwargs`, keyword-only or positional-only "
                    "parameters: make it a Keras layer class by hand")
        module_names = set()
        for statement in ctx.module.body:
            if statement is not func:
                module_names |= bound_by(statement)
        for statement in computation:
            for call in _calls_in(statement):
                qualname = ctx.qualified_name(call.func) or ""
                if qualname.startswith("tensorflow.") and (
                        _is_creator(qualname) or qualname.startswith(
                            ("tensorflow.keras.layers.", "tensorflow.keras.Sequential",
                             "tensorflow.keras.Model"))):
                    return (f"it also creates `{short(qualname)}` variables or layers: make it "
                            "a Keras layer by hand (layers as attributes made in `__init__`)")
                if qualname.startswith(("tensorflow.summary.", "tensorflow.contrib.summary.")) \
                        or qualname.startswith("tensorflow.") and qualname.endswith("_summary"):
                    return (f"it writes a summary (`{short(qualname)}`), which TF2 writes from "
                            "the training step: return what it records and summarize it there "
                            "(or drop the summary), then run tfmigrate again")
                if isinstance(call.func, cst.Name) and call.func.value == name:
                    return "it calls itself"
                if isinstance(call.func, cst.Name) and \
                        self._makes_variables(ctx, call.func.value, set()):
                    return (f"it calls `{call.func.value}`, which creates variables: create "
                            "them with `self.add_weight` in a Keras layer by hand")
            for node in walk(statement):
                if isinstance(node, (cst.Global, cst.Nonlocal)):
                    return "it uses `global`/`nonlocal`"
                if isinstance(node, cst.Name) and node.value == name:
                    return "it refers to itself"
        bound = {}
        for node in _binding_names(func.body):
            bound[node.value] = bound.get(node.value, 0) + 1
        for weight in weights:
            if bound.get(weight.target) != 1:
                return (f"`{weight.target}` is bound more than once in the function: make it "
                        "a Keras layer by hand")
            for node in _names_in(weight.call):
                value = node.value
                if value == NESTED_SCOPE:
                    return (f"the initial value of `{weight.target}` holds a lambda or "
                            "comprehension: make it a Keras layer by hand")
                if value in param_names:
                    continue
                if value in bound or (value not in module_names and value not in _BUILTINS):
                    return (f"the initial value of `{weight.target}` uses `{value}`, which is "
                            "computed in the function: compute it in `__init__` of a Keras "
                            "layer by hand")
        # Inputs: the first parameter the variables do not use, and every other one some
        # call passes a tensor (or anything not provably constant) for.
        constant = _Constants(ctx)
        bindings = []
        for call in calls:
            problem = self._call_site(ctx, func, call, functions)
            if problem:
                return problem
            found = _param_bindings(func, call)
            if found is None or any(p not in found for p in param_names):
                return (f"a call of `{name}` passes `*args`/`**kwargs` or misses an argument: "
                        "make it a Keras layer by hand")
            bindings.append(found)
            if any(w.get_variable for w in weights):
                # TF1 found `tf.get_variable`'s variables by scope path: without reuse and
                # scope defaults, every call made its own (a repeated path raised).
                scopes = _enclosing_scopes(ctx, call, None, None)
                if _combine(s.reuse for s in scopes) != REUSE_FALSE or \
                        any(s.settings for s in scopes):
                    return ("a call is under a variable scope that reuses variables or sets "
                            "defaults: decide which calls share variables and make the layers "
                            "by hand (one object per set of variables)")
        if any(w.get_variable for w in weights):
            if any(True for _ in ctx.attributes_named({"reuse_variables"})):
                return ("the module calls `reuse_variables()`: decide which calls share "
                        "variables and make the layers by hand")
            # Each call must have its own variable scope path, else TF1 shared (or raised).
            paths = []
            for call, found in zip(calls, bindings):
                path = [s.name for s in _enclosing_scopes(ctx, call, None, None)]
                if variable_scope:
                    inner = scope_name
                    if isinstance(inner, cst.Name) and inner.value in found:
                        inner = found[inner.value]
                    path.append(_literal(inner))
                if any(not isinstance(part, str) for part in path):
                    return ("`tf.get_variable` names its variables by scope, and a call's "
                            "scope name is not a literal: make the layers by hand, one object "
                            "per set of variables")
                paths.append(tuple(path))
            if len(set(paths)) != len(paths):
                return ("two calls create `tf.get_variable`s under the same scope (TF1 shared "
                        "them or raised): make the layers by hand, one object per set of "
                        "variables")
        inputs = []
        for param in others:
            if not inputs or not all(constant.check(found[param], call)
                                     for found, call in zip(bindings, calls)):
                inputs.append(param)
        config = [p for p in param_names if p not in inputs]
        for param in config:
            if param not in weight_names:
                continue
            for found, call in zip(bindings, calls):
                if not constant.check(found[param], call):
                    user = next(w.target for w in weights
                                if any(n.value == param for n in _names_in(w.call)))
                    return (f"the initial value of `{user}` uses `{param}`, for which a call "
                            f"passes `{ctx.code(found[param])}`, not a constant or "
                            "module-level value (the input's shape?): create that weight in "
                            "`build(input_shape)` of a Keras layer by hand")
        if not inputs:
            return ("every parameter sets up the variables: none is left for the input "
                    "tensor; make it a Keras layer by hand")
        for call in calls:
            given = {param_names[i] if a.keyword is None else a.keyword.value
                     for i, a in enumerate(call.args)}
            if inputs[0] not in given:
                return (f"a call does not pass `{inputs[0]}`, the layer's input: make it a "
                        "Keras layer by hand")
        if "self" in param_names or {"kwargs", "layer_kwargs"} <= set(param_names):
            return "a parameter is called `self` or `kwargs`: make it a Keras layer by hand"
        # Names `call` reads from the object: the variables, and settings it uses.
        renamed = [w.target for w in weights] + [p for p in config if p in used]
        for value in renamed:
            if value in config and bound.get(value, 0):
                return (f"`{value}` is rebound in the function: make it a Keras layer by hand")
        attributes, taken = {}, set()
        for value in renamed:
            attribute = value
            if attribute in _LAYER_ATTRIBUTES or attribute.startswith("_"):
                attribute = value.strip("_") + "_"
            while attribute in taken or attribute in _LAYER_ATTRIBUTES:
                attribute += "_"
            taken.add(attribute)
            attributes[value] = attribute
        for statement in computation:
            for node in walk(statement):
                if isinstance(node, _SCOPES) and any(
                        n.value in attributes for n in _binding_names(node)):
                    return ("a nested function, lambda or comprehension rebinds a variable's "
                            "name: make it a Keras layer by hand")
        layer_name = None
        if isinstance(scope_name, cst.Name) and scope_name.value in config:
            layer_name = scope_name.value  # the scope's name becomes the layer's name
        return _LayerPlan(func, calls, weights, config, inputs, attributes, docstring,
                          computation, layer_name)

    @staticmethod
    def _scope(ctx: Context, statement) -> tuple[cst.BaseExpression, bool] | None:
        """(name, is a variable scope) of `with tf.name_scope(name):` or
        `with tf.variable_scope(name):` without other settings; None for other statements."""
        if not isinstance(statement, cst.With) or len(statement.items) != 1 or \
                statement.items[0].asname is not None or \
                not isinstance(statement.body, cst.IndentedBlock):
            return None
        call = statement.items[0].item
        if not isinstance(call, cst.Call):
            return None
        qualname = ctx.qualified_name(call.func)
        if qualname == "tensorflow.name_scope":
            args = _arguments(call, ("name", "default_name", "values"), None)
            key = "name"
        elif qualname == VARIABLE_SCOPE:
            args = _arguments(call, _SCOPE_PARAMS, None)
            key = "name_or_scope"
            if isinstance(args, str) or any(k not in (key, "default_name", "values")
                                            for k in args):
                return None
        else:
            return None
        if isinstance(args, str) or key not in args:
            return None
        return args[key].value, qualname == VARIABLE_SCOPE

    def _weight(self, ctx: Context, statement, refs: list) -> _Weight | str:
        bad = ("a variable is created inside an expression or a compound statement (other "
               "than a name or variable scope without settings around the whole body): bind "
               "each one to a name at the top level of the function (`w = tf.Variable(...)`),"
               " or make it a Keras layer by hand")
        if len(refs) != 1 or not isinstance(statement, cst.SimpleStatementLine) or \
                len(statement.body) != 1 or not isinstance(statement.body[0], cst.Assign):
            return bad
        assign = statement.body[0]
        call = ctx.call_of(refs[0].node)
        if call is None or assign.value is not call or len(assign.targets) != 1 or \
                not isinstance(assign.targets[0].target, cst.Name):
            return bad
        target = assign.targets[0].target.value
        if refs[0].qualname == "tensorflow.get_variable":
            args = _arguments(call, _GET_VARIABLE, None)
            if isinstance(args, str):
                return f"a `tf.get_variable` call cannot be read ({args})"
            for key, arg in args.items():
                if key in ("name", "shape", "dtype", "initializer", "trainable", "constraint",
                           "use_resource") or _literal(arg.value) is None or \
                        key == "validate_shape" and _literal(arg.value) is True:
                    continue
                return (f"`tf.get_variable(..., {key}=...)` has no `add_weight` equivalent: "
                        "make it a Keras layer by hand")
            if "name" not in args:
                return "a `tf.get_variable` without a name"
            init = args.get("initializer")
            given = init is not None and _literal(init.value) is not None
            if not given and ("shape" not in args or _dtype_kind(
                    ctx, args["dtype"].value if "dtype" in args else None) is None):
                return (f"`{target}`: a `tf.get_variable` without initializer needs a shape "
                        "and a dtype the fix knows: make it a Keras layer by hand")
            if given and "shape" in args and not isinstance(
                    init.value, (cst.Call, cst.Name, cst.Attribute)):
                return f"`{target}`: an initializer this fix does not know"
            if given and "shape" not in args and isinstance(init.value, cst.Call) and \
                    (ctx.qualified_name(init.value.func) or "").endswith("_initializer"):
                return f"`{target}`: an initializer object without a shape (TF1 raised too)"
            return _Weight(statement, target, call, args, get_variable=True)
        args = _arguments(call, _VARIABLE_PARAMS, None)
        if isinstance(args, str):
            return f"a `tf.Variable` call cannot be read ({args})"
        if "initial_value" not in args or any(
                a.keyword is None for k, a in args.items() if k != "initial_value"):
            return "a `tf.Variable` without an initial value, or with positional settings"
        for key, arg in args.items():
            if key in (*_VARIABLE_KEEP, "initial_value", "use_resource"):
                continue
            if key == "validate_shape" and _literal(arg.value) is True:
                continue
            return (f"`tf.Variable(..., {key}=...)` has no `add_weight` equivalent: make it a "
                    "Keras layer by hand")
        value = args["initial_value"].value
        if isinstance(value, cst.Integer) and "dtype" not in args:
            return (f"`{target}` is an integer variable: make it a Keras layer by hand "
                    "(`add_weight(dtype=\"int32\", trainable=False)`)")
        return _Weight(statement, target, call, args)

    def _makes_variables(self, ctx: Context, name: str, seen: set) -> bool:
        if name in seen:
            return False
        seen.add(name)
        for statement in ctx.module.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
                for call in _calls_in(statement):
                    qualname = ctx.qualified_name(call.func) or ""
                    if qualname == "tensorflow.Variable" or _is_creator(qualname) or \
                            qualname.startswith("tensorflow.keras.layers."):
                        return True
                    if isinstance(call.func, cst.Name) and \
                            self._makes_variables(ctx, call.func.value, seen):
                        return True
        return False

    def _call_site(self, ctx: Context, func: cst.FunctionDef, call: cst.Call,
                   functions: _Functions) -> str | None:
        name = func.name.value
        owner, problem = _function_of(ctx, call)
        if problem is not None:
            return f"a call of `{name}` is {problem}: make it a Keras layer by hand"
        if _in_loop(ctx, call):
            return (f"`{name}` is called in a loop: make it a Keras layer and create a list "
                    "of layer objects before the loop, by hand")
        if owner is not None:
            if owner is func:
                return "it calls itself"
            if functions.plan_variables(owner) != "local":
                return (f"`{owner.name.value}`, which calls `{name}`, runs more than once "
                        "too: decide which calls share variables and make the layers by hand")
        line, problem = _statement_line(ctx, call)
        if problem is not None:
            return f"a call of `{name}` is {problem}"
        for ancestor in ctx.ancestors(call):
            if ancestor is line:
                break
            if isinstance(ancestor, (cst.IfExp, cst.BooleanOperation)):
                return (f"a call of `{name}` runs only on one branch of an expression (TF1 "
                        "made those variables only then): put it in an `if` statement")
        return None

    # -- the fix -------------------------------------------------------------------------
    def _fix(self, ctx: Context, plan: _LayerPlan, names: _Names) -> None:
        func = plan.func
        tf = ctx.tensorflow_name()
        function = func.name.value
        taken = names.all()
        wanted = _class_name(function)
        if wanted == "Layer":  # would read as Keras' own base class
            wanted = "CustomLayer"
        class_name = wanted
        if wanted != function and (wanted in taken or wanted in _BUILTINS):
            class_name = f"{wanted}Layer"
            number = 2
            while class_name in taken:
                class_name, number = f"{wanted}Layer{number}", number + 1
        taken.add(class_name)
        imports = ["tensorflow"]
        params = {p.name.value: p for p in func.params.params}
        kwargs = "kwargs" if "kwargs" not in params else "layer_kwargs"
        signature = ["self"]
        for param in plan.config:
            default = params[param].default
            signature.append(param if default is None else f"{param}={ctx.code(default)}")
        signature.append(f"**{kwargs}")
        indent = " " * 8
        named = f"name={plan.layer_name}, " if plan.layer_name else ""
        lines = [f"def __init__({', '.join(signature)}):",
                 f"    super().__init__({named}**{kwargs})"]
        for value, attribute in plan.attributes.items():
            if value in plan.config:
                lines.append(f"    self.{attribute} = {value}")
        numpy = None
        for weight in plan.weights:
            # The statement's comments go with it, above the weight.
            comments = [e.comment.value for e in weight.line.leading_lines if e.comment]
            trailing = weight.line.trailing_whitespace.comment
            lines += [f"    {c}" for c in comments + ([trailing.value] if trailing else [])]
            parts = self._add_weight(ctx, weight, tf)
            if parts is None:
                numpy = numpy or ctx.import_name("numpy", preferred="np")
                parts = self._constant_weight(ctx, weight, numpy, lines)
                if "numpy" not in imports:
                    imports.append("numpy")
            text = _wrap(f"self.{plan.attributes[weight.target]} = self.add_weight", parts,
                         indent)
            lines.append("    " + text.replace("\n", "\n" + indent))
        init = cst.parse_statement("class C:\n    " + "\n    ".join(lines) + "\n").body.body[0]
        init = init.with_changes(
            leading_lines=[cst.EmptyLine(indent=False)] if plan.docstring else [])
        # `call`: the computation, variables and settings read from the object.
        renames = {}
        for statement in plan.body:
            for node in walk(statement):
                if isinstance(node, cst.Name) and node.value in plan.attributes and \
                        self._is_read(ctx, node):
                    renames[node] = cst.Attribute(cst.Name("self"),
                                                  cst.Name(plan.attributes[node.value]))
        body = [s.visit(_Replace(renames)) for s in plan.body] if renames else plan.body
        if not body:
            body = [cst.SimpleStatementLine([cst.Pass()])]
        call_params = [cst.Param(cst.Name("self"))] + [
            params[p].with_changes(comma=cst.MaybeSentinel.DEFAULT) for p in plan.inputs]
        call_def = func.with_changes(
            name=cst.Name("call"), params=cst.Parameters(params=call_params),
            body=func.body.with_changes(body=body), leading_lines=[cst.EmptyLine(indent=False)],
            lines_after_decorators=())
        members = ([plan.docstring] if plan.docstring else []) + [init, call_def]
        new_class = cst.ClassDef(
            name=cst.Name(class_name),
            bases=[cst.Arg(parse_expression(f"{tf}.keras.layers.Layer"))],
            body=cst.IndentedBlock(members), leading_lines=func.leading_lines)
        edits = [Edit(func, new_class)]
        # Call sites: a layer object made once, right before the statement, then called.
        sites: dict = {}
        for call in plan.calls:
            line, _ = _statement_line(ctx, call)
            sites.setdefault(line, []).append(call)
        objects, number = {}, 1
        for call in sorted(plan.calls, key=lambda c: _order(ctx, c)):
            while f"{function}_{number}" in taken:
                number += 1
            objects[call] = f"{function}_{number}"
            taken.add(objects[call])
        for line, calls in sites.items():
            calls.sort(key=lambda c: _order(ctx, c))
            indent = _indent_of(ctx, line)
            ctors = []
            for call in calls:
                bound = _param_bindings(func, call)
                parts = self._arguments(ctx, func, call, plan.config, bound)
                text = _wrap(f"{objects[call]} = {class_name}", parts, indent)
                ctors.append(cst.parse_statement(text.replace("\n", "\n" + indent) + "\n"))
            new_line = line.visit(_CallLayers(self, ctx, func, plan, objects))
            ctors[0] = ctors[0].with_changes(leading_lines=line.leading_lines)
            edits.append(Edit(line, [*ctors, new_line.with_changes(leading_lines=[])]))
        ctx.report(func.name, self._head(func) + f": a Keras layer `{class_name}` (weights "
                   "made once with `add_weight`, the computation in `call`), one object per "
                   "call site", edits, imports=tuple(imports))

    @staticmethod
    def _is_read(ctx: Context, node: cst.Name) -> bool:
        parent = ctx.parent(node)
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return False
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            return False
        return True

    def _arguments(self, ctx: Context, func: cst.FunctionDef, call: cst.Call,
                   chosen: list, bound: dict, values: dict | None = None) -> list[str]:
        """The arguments of `call` for the parameters `chosen`, positional while they keep
        their place, by keyword after the first one that did not; with `values` (the call
        of the layer), the first one always positional (it is the layer's input)."""
        order = [p.name.value for p in func.params.params]
        passed = {}
        for index, arg in enumerate(call.args):
            key = order[index] if arg.keyword is None else arg.keyword.value
            passed[key] = arg.keyword is None
        parts, positional = [], True
        for param in chosen:
            if param not in passed:
                positional = False
                continue
            is_positional = passed[param]
            value = values[param] if values is not None else ctx.code(bound[param])
            if positional and (is_positional or (values is not None and not parts)):
                parts.append(value)
            else:
                positional = False
                parts.append(f"{param}={value}")
        return parts

    @staticmethod
    def _value(weight: _Weight) -> cst.BaseExpression | None:
        """The initial value (a tensor or array), or None for `tf.get_variable` with a shape
        (its initializer object, or TF1's default one)."""
        if not weight.get_variable:
            return weight.args["initial_value"].value
        init = weight.args.get("initializer")
        if "shape" in weight.args or init is None or _literal(init.value) is None:
            return None
        return init.value

    @staticmethod
    def _name_part(ctx: Context, weight: _Weight) -> str:
        name_arg = weight.args.get("name")
        if name_arg is not None:
            name = _literal(name_arg.value)
            if not (isinstance(name, str) and "/" in name):
                return f"name={ctx.code(name_arg.value)}"
        return f'name="{weight.target}"'

    def _add_weight(self, ctx: Context, weight: _Weight, tf: str) -> list[str] | None:
        """`add_weight` arguments for an initial value Keras draws the same way; None for any
        other value (a constant array)."""
        value = self._value(weight)
        if value is None:
            found = self._get_variable_initializer(ctx, weight, tf)
        else:
            found = self._initializer(ctx, value, tf)
        if found is None:
            return None
        shape, initializer, dtype = found
        parts = [self._name_part(ctx, weight), f"shape={shape}", f"initializer={initializer}"]
        if "dtype" in weight.args:
            dtype = ctx.code(weight.args["dtype"].value)
        if dtype is not None:
            parts.append(f"dtype={dtype}")
        for key in ("trainable", "constraint"):
            if key in weight.args:
                parts.append(f"{key}={ctx.code(weight.args[key].value)}")
        return parts

    @staticmethod
    def _get_variable_initializer(ctx: Context, weight: _Weight, tf: str):
        """(shape, initializer, None) of `tf.get_variable(name, shape, initializer=...)`:
        without an initializer, TF1's default — glorot uniform for float variables, biases
        included (caveat 2), zeros for integer and bool ones."""
        args = weight.args
        shape = ctx.code(args["shape"].value)
        init = args.get("initializer")
        if init is not None and _literal(init.value) is not None:
            return shape, converted_code(ctx, init.value), None
        kind = _dtype_kind(ctx, args["dtype"].value if "dtype" in args else None)
        if kind == "float":
            return shape, f"{tf}.keras.initializers.GlorotUniform()", None
        return shape, '"zeros"', None

    def _initializer(self, ctx: Context, value, tf: str):
        """(shape, initializer, dtype or None) for a TF op or an initializer called on a
        shape; None when the value is something else."""
        if not isinstance(value, cst.Call):
            return None
        qualname = ctx.qualified_name(value.func) or ""
        keras = f"{tf}.keras.initializers"
        if qualname in _RANDOM_OPS:
            cls, params, defaults = _RANDOM_OPS[qualname]
            args = _arguments(value, params, None)
            if isinstance(args, str) or "shape" not in args:
                return None
            parts = []
            for key in params:
                if key in ("shape", "dtype", "name"):
                    continue
                if key in args:
                    parts.append(f"{key}={ctx.code(args[key].value)}")
                elif key in defaults:
                    parts.append(f"{key}={defaults[key]}")
            dtype = ctx.code(args["dtype"].value) if "dtype" in args else None
            return (ctx.code(args["shape"].value), f"{keras}.{cls}({', '.join(parts)})", dtype)
        if qualname in _FILLED:
            args = _arguments(value, ("shape", "dtype", "name"), None)
            if isinstance(args, str) or "shape" not in args:
                return None
            dtype = ctx.code(args["dtype"].value) if "dtype" in args else None
            return ctx.code(args["shape"].value), _FILLED[qualname], dtype
        if qualname == "tensorflow.fill":
            args = _arguments(value, ("dims", "value", "name"), None)
            if isinstance(args, str) or "dims" not in args or "value" not in args:
                return None
            return (ctx.code(args["dims"].value),
                    f"{keras}.Constant({ctx.code(args['value'].value)})", None)
        if qualname == "tensorflow.constant":
            args = _arguments(value, ("value", "dtype", "shape", "name", "verify_shape"),
                              None)
            if isinstance(args, str) or "value" not in args:
                return None
            dtype = ctx.code(args["dtype"].value) if "dtype" in args else None
            constant = f"{keras}.Constant({ctx.code(args['value'].value)})"
            if "shape" in args:
                return ctx.code(args["shape"].value), constant, dtype
            if isinstance(_literal(args["value"].value), (int, float)) and \
                    _literal(args["value"].value) not in (True, False):
                if isinstance(_literal(args["value"].value), int) and dtype is None:
                    return None  # an int32 variable
                return "()", constant, dtype
            return None
        if isinstance(value.func, cst.Call) and value.args:
            maker = ctx.qualified_name(value.func.func) or ""
            if maker in _TF_INITIALIZERS or maker.startswith(_INITIALIZER_OBJECTS):
                args = _arguments(value, ("shape", "dtype"), None)
                if isinstance(args, str) or "shape" not in args:
                    return None
                dtype = ctx.code(args["dtype"].value) if "dtype" in args else None
                return ctx.code(args["shape"].value), converted_code(ctx, value.func), dtype
        return None

    def _constant_weight(self, ctx: Context, weight: _Weight, numpy: str,
                         lines: list[str]) -> list[str]:
        """A weight holding a given value (a numpy array, a computed tensor): Constant."""
        value = self._value(weight)
        text = converted_code(ctx, value)
        if not isinstance(value, (cst.Name, cst.Attribute)):
            local = f"initial_{weight.target}"
            lines.append(f"    {local} = {text}")
            text = local
        tf = ctx.tensorflow_name()
        parts = [self._name_part(ctx, weight), f"shape={numpy}.shape({text})",
                 f"initializer={tf}.keras.initializers.Constant({text})"]
        for key in ("dtype", "trainable", "constraint"):
            if key in weight.args:
                parts.append(f"{key}={ctx.code(weight.args[key].value)}")
        return parts


class _CallLayers(cst.CSTTransformer):
    """Each call of the function becomes a call of its layer object, with the inputs."""

    def __init__(self, rule: VariableFunctionLayer, ctx: Context, func: cst.FunctionDef,
                 plan: _LayerPlan, objects: dict) -> None:
        self.rule, self.ctx, self.func, self.plan, self.objects = rule, ctx, func, plan, objects

    def leave_Call(self, original, updated):
        name = self.objects.get(original)
        if name is None:
            return updated
        order = [p.name.value for p in self.func.params.params]
        values = {}
        for index, (before, after) in enumerate(zip(original.args, updated.args)):
            key = order[index] if before.keyword is None else before.keyword.value
            values[key] = cst.Module([]).code_for_node(after.value)
        bound = _param_bindings(self.func, original)
        parts = self.rule._arguments(self.ctx, self.func, original, self.plan.inputs, bound,
                                     values)
        return parse_expression(f"{name}({', '.join(parts)})")


class _Constants:
    """Whether an argument is a value known before the graph runs: a literal, an import or a
    module-level name bound only to such values, or an expression of them (not a tensor)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.index = _Functions(ctx).index
        self.imported = set()  # names module-level imports bind (they have no parents)
        pending = list(ctx.module.body)
        while pending:
            node = pending.pop()
            if isinstance(node, (cst.Import, cst.ImportFrom)):
                self.imported |= bound_by(node)
            elif not isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                pending.extend(node.children)

    def check(self, node: cst.BaseExpression, call: cst.Call) -> bool:
        owner, _ = _function_of(self.ctx, call)
        return self._constant(node, owner, 0)

    def _constant(self, node, owner, depth: int) -> bool:
        if depth > 8:
            return False
        if isinstance(node, cst.Name):
            return self._name(node.value, owner, depth)
        if isinstance(node, cst.Attribute):
            return self._constant(node.value, owner, depth)
        if isinstance(node, cst.Lambda):
            return True
        if isinstance(node, cst.Call):
            qualname = self.ctx.qualified_name(node.func) or ""
            if qualname.startswith("tensorflow."):
                if not (qualname in _TF_INITIALIZERS or
                        qualname.startswith(_INITIALIZER_OBJECTS)):
                    return False
            elif isinstance(node.func, cst.Name) and self.ctx.module_function(node.func.value):
                return False  # the module's own function may build graph tensors
            elif not self._constant(node.func, owner, depth):
                return False
            return all(self._constant(a.value, owner, depth) for a in node.args)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp,
                             cst.NamedExpr, cst.Await, cst.Yield)):
            return False
        return all(self._constant(child, owner, depth) for child in node.children)

    def _name(self, value: str, owner, depth: int) -> bool:
        if value in ("True", "False", "None"):
            return True
        found, any_binding = [], False
        for node in self.index.get(value, ()):
            kind = self._binding(node)
            if kind is None:
                continue
            holder = node if kind != "definition" else self.ctx.parent(node)
            scope = next((a for a in self.ctx.ancestors(holder) if isinstance(a, _SCOPES)),
                         None)
            if kind == "parameter":
                scope = next((a for a in self.ctx.ancestors(node)
                              if isinstance(a, (cst.FunctionDef, cst.Lambda))), None)
            if scope is not owner:
                continue
            any_binding = True
            if kind == "assignment":
                found.append(self.ctx.parent(self.ctx.parent(node)).value)
            elif kind in ("definition", "import"):
                continue
            else:
                return False
        if not any_binding:
            if owner is not None:  # a name of the module, read in a function
                return self._name(value, None, depth + 1)
            return value in self.imported or value in _BUILTINS
        if owner is None and value in self.imported:
            return False  # bound by an import and by something else
        return all(self._constant(v, owner, depth + 1) for v in found)

    def _binding(self, node: cst.Name) -> str | None:
        """How `node` binds its name: "assignment" (`n = value`), "definition", "import",
        "parameter", "other" (unpacking, loops, augmented assignment, ...); None: a read."""
        ctx = self.ctx
        parent = ctx.parent(node)
        if isinstance(parent, cst.AssignTarget) and parent.target is node:
            return "assignment" if len(ctx.parent(parent).targets) == 1 else "other"
        if isinstance(parent, (cst.FunctionDef, cst.ClassDef)) and parent.name is node:
            return "definition"
        if isinstance(parent, cst.Param) and parent.name is node:
            return "parameter"
        if any(isinstance(a, (cst.Import, cst.ImportFrom)) for a in ctx.ancestors(node)):
            return "import"
        if isinstance(parent, (cst.Global, cst.Nonlocal)) or \
                isinstance(parent, cst.NameItem):
            return "other"
        child = node
        while isinstance(parent, (cst.Element, cst.StarredElement, cst.Tuple, cst.List)):
            child, parent = parent, ctx.parent(parent)
        for kind, attribute in ((cst.AssignTarget, "target"), (cst.For, "target"),
                                (cst.CompFor, "target"), (cst.AugAssign, "target"),
                                (cst.AnnAssign, "target"), (cst.NamedExpr, "target"),
                                (cst.AsName, "name")):
            if isinstance(parent, kind) and getattr(parent, attribute) is child:
                return "other"
        return None


def _is_docstring(statement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 and \
        isinstance(statement.body[0], cst.Expr) and \
        isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))

# -- TFM304: slim.arg_scope ------------------------------------------------------------------

ARG_SCOPES = ("tensorflow.contrib.slim.arg_scope", "tensorflow.contrib.framework.arg_scope")


def _contrib_layer(ctx: Context, node: cst.CSTNode) -> tuple[str, Spec] | None:
    name = ctx.qualified_name(node) or ""
    for module in CONTRIB_MODULES:
        if name.startswith(module + ".") and name[len(module) + 1:] in CONTRIB_LAYERS:
            return name, CONTRIB_LAYERS[name[len(module) + 1:]]
    return None


class _AddArguments(cst.CSTTransformer):
    def __init__(self, additions: dict) -> None:
        self.additions = additions

    def leave_Call(self, original, updated):
        extra = self.additions.get(original)
        if not extra:
            return updated
        args = list(updated.args)
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        if args:
            args[-1] = args[-1].with_changes(comma=comma)
        for index, (key, value) in enumerate(extra):
            arg = cst.Arg(value, keyword=cst.Name(key),
                          equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
            args.append(arg.with_changes(comma=comma) if index < len(extra) - 1 else arg)
        return updated.with_changes(args=args)


class SlimArgScope(Rule):
    code = "TFM304"
    name = "slim-arg-scope"
    summary = "`slim.arg_scope` is gone: its default arguments are written into each call."
    fix = FixSafety.SAFE
    references = ARG_SCOPES
    doc = """
## Why
`slim.arg_scope([slim.conv2d, slim.fully_connected], activation_fn=..., ...)` set default
arguments for the listed contrib/slim layers called while it was open; contrib and slim are
gone in TF2 (Keras layers have no such mechanism; `functools.partial` is the TF2 idiom).

## What it becomes
When every call the scope can affect is visible in its body, the scope's arguments are
written into each call of a listed layer that does not pass them itself, and the `with` is
removed; TFM303 then turns those calls into Keras layers with the arguments mapped:

    with slim.arg_scope([slim.conv2d], padding='VALID'):
        net = slim.conv2d(x, 32, [3, 3])

becomes `net = slim.conv2d(x, 32, [3, 3], padding='VALID')`.

## Caveats
Reported without a fix when the body calls functions (the module's own or imported ones)
that may call slim layers under the scope, when scopes are nested (the inner one is fixed
first), when the scope is bound with `as` or reused from a variable, or when the list holds
something other than contrib/slim layer functions: then use `functools.partial` by hand.
"""
    examples = (
        Valid("import functools\nimport tensorflow as tf\n\n"
              "conv = functools.partial(tf.keras.layers.Conv2D, padding='valid')\n"),
        Invalid("import tensorflow as tf\nfrom tensorflow.contrib import slim\n\n"
                "with slim.arg_scope([slim.conv2d, slim.fully_connected],\n"
                "                    activation_fn=tf.nn.tanh):\n"
                "    net = slim.conv2d(x, 8, [3, 3], padding='VALID', activation_fn=None)\n"
                "    out = slim.fully_connected(slim.flatten(net), 2)\n",
                "import tensorflow as tf\n\n"
                "conv2d = tf.keras.layers.Conv2D(8, [3, 3], padding='valid')\n"
                "net = conv2d(x)\n"
                "flatten = tf.keras.layers.Flatten()\n"
                "fully_connected = tf.keras.layers.Dense(2, activation=tf.nn.tanh)\n"
                "out = fully_connected(flatten(net))\n"),
        Invalid("from tensorflow.contrib import slim\n\n"
                "with slim.arg_scope([slim.conv2d], padding='SAME'):\n"
                "    net = vgg_block(x)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        base = "`slim.arg_scope` is gone in TF2"
        problem = self._problem(ref, ctx)
        if isinstance(problem, str):
            ctx.report(ref.node, f"{base}: pass its arguments to each layer (or build the "
                                 f"layers with `functools.partial`) by hand ({problem})")
            return
        statement, additions = problem
        body = [line.visit(_AddArguments(additions)) for line in statement.body.body]
        body[0] = body[0].with_changes(leading_lines=[*statement.leading_lines,
                                                      *body[0].leading_lines])
        ctx.report(ref.node, f"{base}: its default arguments are written into the calls it "
                             "affects", [Edit(statement, body)])

    def _problem(self, ref: Reference, ctx: Context):
        call = ctx.call_of(ref.node)
        item = ctx.parent(call) if call is not None else None
        statement = ctx.parent(item) if isinstance(item, cst.WithItem) else None
        if not isinstance(statement, cst.With) or len(statement.items) != 1 or \
                item.asname is not None or not isinstance(statement.body, cst.IndentedBlock):
            return "not a plain `with slim.arg_scope(...):`"
        if not call.args or call.args[0].keyword is not None or \
                not isinstance(call.args[0].value, (cst.List, cst.Tuple)):
            return "the scope is not a literal list of layers"
        layers = {}
        for element in call.args[0].value.elements:
            found = _contrib_layer(ctx, element.value)
            if found is None:
                return f"`{ctx.code(element.value)}` is not a contrib/slim layer this tool maps"
            layers[found[0]] = found[1]
        defaults = []
        for arg in call.args[1:]:
            if arg.keyword is None or arg.star:
                return "positional or `**` arguments"
            defaults.append((arg.keyword.value, arg.value))
        additions = {}
        for inner in _calls_in(statement.body):
            name = ctx.qualified_name(inner.func)
            if name in ARG_SCOPES:
                return "a nested arg_scope (fixed first)"
            if name is None:
                if isinstance(inner.func, cst.Name) and inner.func.value in _BUILTINS:
                    continue
                return f"the body calls `{ctx.code(inner.func)}`, which may use the scope"
            if name not in layers:
                continue
            spec = layers[name]
            given = _arguments(inner, spec.params, "inputs")
            if isinstance(given, str):
                return given
            missing = [(k, v) for k, v in defaults if k not in given]
            unknown = [k for k, _ in missing if k not in spec.params]
            if unknown:
                return f"`{unknown[0]}=` is not an argument of `{short(name)}`"
            if missing:
                additions[inner] = missing
        return statement, additions
