"""TFM31x: TF1 RNN cells (`tf.nn.rnn_cell`, `tf.contrib.rnn`) and the functions that unroll
them (`dynamic_rnn`, `static_rnn`, `bidirectional_dynamic_rnn`) become Keras RNN layers.

A TF1 cell object plus an unrolling function is one Keras layer: `BasicLSTMCell`/`LSTMCell` →
`tf.keras.layers.LSTM`, `GRUCell` → `GRU(reset_after=False)`, `BasicRNNCell` → `SimpleRNN`,
`MultiRNNCell` → `RNN(StackedRNNCells([...]))`. The cell's own statement becomes the layer's
constructor (so it runs once, where the cell was made) and the unrolling call becomes a call
of the layer whose results are put back into TF1's `(outputs, state)` structure.

Equivalence (MIGRATION_MAP caveat 13, verified by fixtures/rnn): with the TF1 weights mapped
into Keras' layout the outputs agree to 1e-7, and since that map is a permutation and split
of the kernel plus a constant shift of the forget-gate bias, gradient steps commute with it:
training from the same (mapped) start gives the same losses. What cannot agree is the random
draw of the initial kernels (TF1 draws glorot over one [x; h] kernel; Keras glorot over the
input kernel and an orthogonal recurrent kernel) — TF1 random numbers are never reproduced
on TF2 anyway (caveat 25), the same standing as `tf.layers.dense` → `Dense`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from tfmigrate.context import Context, parse_expression
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid

PREFILTER = ("rnn",)
CELL_MODULES = ("tensorflow.nn.rnn_cell", "tensorflow.contrib.rnn")
# TF1 cell class → (Keras layer, Keras cell)
CELLS = {
    "BasicLSTMCell": ("LSTM", "LSTMCell"),
    "LSTMCell": ("LSTM", "LSTMCell"),
    "GRUCell": ("GRU", "GRUCell"),
    "BasicRNNCell": ("SimpleRNN", "SimpleRNNCell"),
}
DYNAMIC = {"tensorflow.nn.dynamic_rnn"}
STATIC = {"tensorflow.nn.static_rnn", "tensorflow.contrib.rnn.static_rnn"}
BIDIRECTIONAL = {"tensorflow.nn.bidirectional_dynamic_rnn"}
CHECKPOINT_CALLS = {"tensorflow.train.Saver", "tensorflow.train.init_from_checkpoint",
                    "tensorflow.contrib.framework.init_from_checkpoint",
                    "tensorflow.contrib.framework.assign_from_checkpoint_fn",
                    "tensorflow.train.import_meta_graph"}

# Constructor signatures (TF 1.15): positional order; value None = keyword we translate.
_SIGNATURES = {
    "BasicLSTMCell": ["num_units", "forget_bias", "state_is_tuple", "activation", "reuse",
                      "name", "dtype"],
    "LSTMCell": ["num_units", "use_peepholes", "cell_clip", "initializer", "num_proj",
                 "proj_clip", "num_unit_shards", "num_proj_shards", "forget_bias",
                 "state_is_tuple", "activation", "reuse", "name", "dtype"],
    "GRUCell": ["num_units", "activation", "reuse", "kernel_initializer", "bias_initializer",
                "name", "dtype"],
    "BasicRNNCell": ["num_units", "activation", "reuse", "name", "dtype"],
}
# Arguments whose TF1 default is the only value with a Keras counterpart: literal → needed.
_DEFAULT_ONLY = {"use_peepholes": False, "cell_clip": None, "initializer": None,
                 "num_proj": None, "proj_clip": None, "num_unit_shards": None,
                 "num_proj_shards": None, "state_is_tuple": True, "reuse": None,
                 "kernel_initializer": None}
_DYNAMIC_SIGNATURE = ["cell", "inputs", "sequence_length", "initial_state", "dtype",
                      "parallel_iterations", "swap_memory", "time_major", "scope"]
_STATIC_SIGNATURE = ["cell", "inputs", "initial_state", "dtype", "sequence_length", "scope"]
_BIDIRECTIONAL_SIGNATURE = ["cell_fw", "cell_bw", "inputs", "sequence_length",
                            "initial_state_fw", "initial_state_bw", "dtype",
                            "parallel_iterations", "swap_memory", "time_major", "scope"]
_NO_VALUE = object()


def _short(qualname: str) -> str:
    return "tf" + qualname[len("tensorflow"):] if qualname.startswith("tensorflow") else qualname


def _cell_class(qualname: str | None) -> str | None:
    """`BasicLSTMCell` for `tensorflow.nn.rnn_cell.BasicLSTMCell`, ... (any TF1 cell class)."""
    if not qualname:
        return None
    module, _, name = qualname.rpartition(".")
    return name if module in CELL_MODULES else None


def _literal(node: cst.BaseExpression):
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, (cst.Integer, cst.Float)):
        return float(node.value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) and \
            isinstance(node.expression, (cst.Integer, cst.Float)):
        return -float(node.expression.value)
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    return _NO_VALUE


def _bind(call: cst.Call, order: list[str]) -> dict[str, cst.BaseExpression] | None:
    """The call's arguments by parameter name; None with * / ** or unknown arguments."""
    args = {}
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is None:
            if index >= len(order):
                return None
            key = order[index]
        else:
            key = arg.keyword.value
            if key not in order:
                return None
        if key in args:
            return None
        args[key] = arg.value
    return args


def _atomic(ctx: Context, node: cst.BaseExpression) -> str:
    text = ctx.code(node)
    if isinstance(node, (cst.Name, cst.Attribute, cst.Integer, cst.Float, cst.Call,
                         cst.Subscript)):
        return text
    return f"({text})"


# -- names ----------------------------------------------------------------------------------

class _Names(cst.CSTVisitor):
    """Every Name node that stands for a variable (not an attribute or keyword name)."""

    def __init__(self) -> None:
        self.found: dict[str, list[cst.Name]] = {}
        self._skip: set[int] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._skip.add(id(node.keyword))

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self._skip:
            self.found.setdefault(node.value, []).append(node)


@dataclass
class _Analysis:
    names: dict[str, list[cst.Name]]
    taken: set[str] = field(default_factory=set)

    def uses(self, name: str) -> list[cst.Name]:
        return self.names.get(name, [])

    def fresh(self, wanted: str) -> str:
        candidates = [wanted] + [f"{wanted}_{n}" for n in range(2, 100)]
        for name in candidates:
            if name not in self.names and name not in self.taken:
                self.taken.add(name)
                return name
        raise RuntimeError(f"no free name for {wanted}")


_CACHE: dict = {"module": None, "analysis": None}


def _analysis(ctx: Context) -> _Analysis:
    if _CACHE["module"] is not ctx.module:
        visitor = _Names()
        ctx.module.visit(visitor)
        _CACHE["module"], _CACHE["analysis"] = ctx.module, _Analysis(visitor.found)
    return _CACHE["analysis"]


# -- cells ----------------------------------------------------------------------------------

class _NoFix(Exception):
    """The construct is recognised but cannot be rewritten with proof; the text says why."""


@dataclass
class _Cell:
    """A TF1 cell construction and what it becomes."""

    tf1_class: str
    call: cst.Call
    name: str | None  # the variable it is bound to, or None (written inline)
    units: str
    options: list[str]  # Keras constructor keyword arguments (text)

    @property
    def kind(self) -> str:  # "LSTM", "GRU" or "SimpleRNN"
        return CELLS[self.tf1_class][0]

    def layer(self, tf: str, extra: list[str]) -> str:
        return f"{tf}.keras.layers.{self.kind}({', '.join([self.units, *self.options, *extra])})"

    def keras_cell(self, tf: str) -> str:
        cell = CELLS[self.tf1_class][1]
        return f"{tf}.keras.layers.{cell}({', '.join([self.units, *self.options])})"


def _cell_options(ctx: Context, tf1_class: str, call: cst.Call) -> tuple[str, list[str]]:
    args = _bind(call, _SIGNATURES[tf1_class])
    if args is None or "num_units" not in args:
        raise _NoFix(f"`{tf1_class}` is called with arguments that cannot be read")
    units = ctx.code(args["num_units"])
    options = []
    if CELLS[tf1_class][0] == "GRU":
        options.append("reset_after=False")
    for key, value in args.items():
        literal = _literal(value)
        if key == "num_units":
            continue
        if key in _DEFAULT_ONLY:
            if literal is _NO_VALUE or literal != _DEFAULT_ONLY[key]:
                raise _NoFix(f"`{key}=` has no Keras counterpart with the same numbers")
        elif key == "forget_bias":
            if literal == 1.0:
                continue  # Keras' unit_forget_bias=True (its default) starts at the same gate
            if literal == 0.0:
                options.append("unit_forget_bias=False")
                continue
            raise _NoFix("Keras has no `forget_bias`: only 1.0 (unit_forget_bias=True) and "
                         "0.0 have a counterpart")
        elif key == "activation":
            if literal is None:
                continue  # TF1's None is tanh; Keras' None would be linear
            options.append(f"activation={ctx.code(value)}")
        elif key == "name":
            options.append(f"name={ctx.code(value)}")
        elif key == "dtype":
            if literal is None or ctx.qualified_name(value) == "tensorflow.float32" or \
                    literal == "float32":
                continue
            raise _NoFix("only float32 cells are rewritten")
        elif key == "bias_initializer":  # GRUCell: applied to gate and candidate biases alike
            if literal is not None:
                options.append(f"bias_initializer={ctx.code(value)}")
                continue
    if CELLS[tf1_class][0] == "GRU" and "bias_initializer" not in \
            {k for k, v in args.items() if _literal(v) is not None}:
        # TF1 GRUCell starts its gate biases (r, u) at 1.0, the candidate's at 0; Keras order z, r, h.
        size = _atomic(ctx, args["num_units"])
        options.append(f"bias_initializer={ctx.tensorflow_name()}.keras.initializers.Constant("
                       f"[1.0] * (2 * {size}) + [0.0] * {size})")
    return units, options


def _definition(ctx: Context, name: str, analysis: _Analysis) -> cst.Call | None:
    """The call `name = <call>` that is the only binding of `name`."""
    found = None
    for use in analysis.uses(name):
        parent = ctx.parent(use)
        if isinstance(parent, cst.AssignTarget) and isinstance(ctx.parent(parent), cst.Assign):
            assign = ctx.parent(parent)
            if len(assign.targets) != 1 or not isinstance(assign.value, cst.Call) or found:
                return None
            found = assign.value
    return found


def _constructor_kind(ctx: Context, node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        call = _definition(ctx, node.value, _analysis(ctx))
        if call is None:
            return None
        node = call
    if isinstance(node, cst.Call):
        return _cell_class(ctx.qualified_name(node.func))
    return None


# -- statements -------------------------------------------------------------------------------

def _line(text: str) -> cst.SimpleStatementLine:
    return cst.parse_statement(text + "\n")


def _statement_edit(ctx: Context, assign: cst.Assign, texts: list[str]) -> Edit:
    line = ctx.parent(assign)
    if len(texts) == 1:
        return Edit(assign, cst.parse_statement(texts[0] + "\n").body[0])
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        raise _NoFix("the call shares its line with other statements")
    lines = [_line(t) for t in texts]
    lines[0] = lines[0].with_changes(leading_lines=line.leading_lines)
    if line.trailing_whitespace.comment is not None:
        lines[0] = lines[0].with_changes(trailing_whitespace=line.trailing_whitespace)
    return Edit(line, lines)


def _target_name(node: cst.BaseExpression) -> str | None:
    return node.value if isinstance(node, cst.Name) else None


def _elements(node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
    if isinstance(node, (cst.Tuple, cst.List)) and \
            not any(isinstance(e, cst.StarredElement) for e in node.elements):
        return [e.value for e in node.elements]
    return None


def _used(name: str | None, analysis: _Analysis) -> bool:
    return name is not None and name != "_" and len(analysis.uses(name)) > 1


def _index(node: cst.Subscript) -> int | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    value = _literal(node.slice[0].slice.value)
    return int(value) if isinstance(value, float) and value in (0.0, 1.0) else None


def _lstm_state_uses(ctx: Context, name: str, definition: cst.Name,
                     analysis: _Analysis) -> list[tuple[cst.BaseExpression, str]]:
    """(node, 'h' or 'c') for every use of an LSTMStateTuple variable; _NoFix if another use."""
    found = []
    for use in analysis.uses(name):
        if use is definition:
            continue
        parent = ctx.parent(use)
        if isinstance(parent, cst.Attribute) and parent.value is use and \
                parent.attr.value in ("h", "c"):
            found.append((parent, parent.attr.value))
        elif isinstance(parent, cst.Subscript) and parent.value is use and \
                _index(parent) is not None:
            found.append((parent, "ch"[_index(parent)]))
        else:
            raise _NoFix(f"`{name}` is used as a whole; Keras returns the LSTM state as "
                         "two tensors h, c (TF1's LSTMStateTuple is (c, h))")
        if any(isinstance(a, (cst.AssignTarget, cst.AugAssign)) for a in ctx.ancestors(use)):
            raise _NoFix(f"`{name}` is assigned to")
    return found


def _stacked_state_uses(ctx: Context, name: str, definition: cst.Name, analysis: _Analysis,
                        lstm: bool) -> list[Edit]:
    """Edits for `state[i].h` / `state[i].c` / `state[i][k]` (LSTM) or `state[i]` (GRU, RNN)
    of a MultiRNNCell state, which Keras returns as one list [h, c] or [h] per layer."""
    edits = []
    for use in analysis.uses(name):
        if use is definition:
            continue
        layer = ctx.parent(use)
        if not (isinstance(layer, cst.Subscript) and layer.value is use):
            raise _NoFix(f"`{name}` is used as a whole; Keras returns one list per layer")
        outer = ctx.parent(layer)
        base = ctx.code(layer)
        if not lstm:
            if isinstance(outer, cst.Subscript) and outer.value is layer:
                raise _NoFix(f"`{name}[...]` is indexed")
            edits.append(Edit(layer, parse_expression(f"{base}[0]")))
        elif isinstance(outer, cst.Attribute) and outer.attr.value in ("h", "c"):
            edits.append(Edit(outer, parse_expression(f"{base}[{'hc'.index(outer.attr.value)}]")))
        elif isinstance(outer, cst.Subscript) and outer.value is layer and \
                _index(outer) is not None:
            edits.append(Edit(outer, parse_expression(f"{base}[{1 - _index(outer)}]")))
        else:
            raise _NoFix(f"a layer's state `{name}[...]` is used as a whole; Keras returns it "
                         "as [h, c] (TF1's LSTMStateTuple is (c, h))")
    return edits


# -- the conversion of one unrolling call ------------------------------------------------------

@dataclass
class _Plan:
    message: str
    edits: list[Edit]
    stacked: bool = False


def _initial_state(ctx: Context, value: cst.BaseExpression, lstm: bool) -> str:
    if not lstm:
        return ctx.code(value)
    if isinstance(value, cst.Call) and \
            (ctx.qualified_name(value.func) or "").rpartition(".")[2] == "LSTMStateTuple" and \
            _cell_class(ctx.qualified_name(value.func)):
        args = _bind(value, ["c", "h"])
        if args and set(args) == {"c", "h"}:
            return f"[{ctx.code(args['h'])}, {ctx.code(args['c'])}]"
    raise _NoFix("an LSTM `initial_state` is rewritten only when written as "
                 "`LSTMStateTuple(c, h)` (Keras takes [h, c])")


def _simple(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.Name, cst.Attribute))


def _convert_unroll(ctx: Context, call: cst.Call, qualname: str) -> _Plan | None:
    analysis = _analysis(ctx)
    static = qualname in STATIC
    signature = _STATIC_SIGNATURE if static else _DYNAMIC_SIGNATURE
    args = _bind(call, signature)
    if args is None or "cell" not in args or "inputs" not in args:
        raise _NoFix("the call's arguments cannot be read")
    cell_node = args["cell"]
    source = _cell_source(ctx, cell_node, analysis)
    if source is None:
        return None  # not a TF1 cell this rule knows: the cell's own finding says what to do
    tf = ctx.tensorflow_name()
    dtype = args.get("dtype")
    if dtype is not None and ctx.qualified_name(dtype) != "tensorflow.float32" and \
            _literal(dtype) not in ("float32", None):
        raise _NoFix("only float32 RNNs are rewritten")
    time_major = False
    if "time_major" in args:
        time_major = _literal(args["time_major"])
        if time_major not in (True, False):
            raise _NoFix("`time_major` is not a literal True/False")
    statement = ctx.statement_of(call)
    if not isinstance(statement, cst.Assign) or statement.value is not call or \
            len(statement.targets) != 1:
        raise _NoFix("the result is not assigned to `outputs, state`")
    targets = _elements(statement.targets[0].target)
    if targets is None or len(targets) != 2:
        raise _NoFix("the result is not unpacked as `outputs, state`")
    out_target, state_target = targets
    out_name = _target_name(out_target)
    if out_name is None:
        raise _NoFix("the outputs are not assigned to a name")
    inputs = args["inputs"]
    x = ctx.code(inputs)
    if static:
        x = f"{tf}.stack({x}, axis=1)"
    elif time_major:
        x = f"{tf}.transpose({x}, [1, 0, 2])"
    keyword = []
    if "sequence_length" in args and _literal(args["sequence_length"]) is not None:
        if not _simple(inputs):
            raise _NoFix("`sequence_length` with inputs that are not a plain name")
        maxlen = f"len({ctx.code(inputs)})" if static else \
            f"{tf}.shape({ctx.code(inputs)})[{0 if time_major else 1}]"
        keyword.append(f"mask={tf}.sequence_mask({ctx.code(args['sequence_length'])}, {maxlen})")
    lstm = source.lstm
    if "initial_state" in args and _literal(args["initial_state"]) is not None:
        if source.stacked:
            raise _NoFix("an initial state of a MultiRNNCell")
        keyword.append(f"initial_state={_initial_state(ctx, args['initial_state'], lstm)}")
    # What the caller uses of the results decides what the layer returns.
    outputs_used = out_name != "_"
    state_edits: list[Edit] = []
    state_targets: list[str] = []
    state_name = _target_name(state_target)
    if source.stacked:
        if state_name is None:
            raise _NoFix("a MultiRNNCell state is unpacked")
        if _used(state_name, analysis):
            state_edits = _stacked_state_uses(ctx, state_name, state_target, analysis, lstm)
            state_targets = [f"*{state_name}"]
    elif lstm:
        nested = _elements(state_target)
        if nested is not None:  # outputs, (c, h) = ...
            names = [_target_name(n) for n in nested]
            if len(names) != 2 or None in names:
                raise _NoFix("the LSTM state is unpacked into something else than two names")
            c_name, h_name = names
            if _used(c_name, analysis) or _used(h_name, analysis):
                state_targets = [h_name, c_name]
        elif state_name is None:
            raise _NoFix("the state is not assigned to a name")
        elif _used(state_name, analysis):
            uses = _lstm_state_uses(ctx, state_name, state_target, analysis)
            h_name, c_name = analysis.fresh(f"{state_name}_h"), analysis.fresh(f"{state_name}_c")
            state_targets = [h_name, c_name]
            state_edits = [Edit(node, cst.Name(h_name if part == "h" else c_name))
                           for node, part in uses]
    else:
        if state_name is None:
            raise _NoFix("the state is not assigned to a name")
        if _used(state_name, analysis):
            state_targets = [state_name]
    if not outputs_used and not state_targets:
        raise _NoFix("neither the outputs nor the state are used")
    layer_options = []
    if outputs_used:
        layer_options.append("return_sequences=True")
    if state_targets:
        layer_options.append("return_state=True")
    if outputs_used and any(k.startswith("mask=") for k in keyword):
        layer_options.append("zero_output_for_mask=True")  # TF1 zeroes outputs past the length
    layer_expr = source.layer(tf, layer_options)
    edits = []
    texts = []
    if source.name is None:
        layer_name = analysis.fresh(source.default_name)
        texts.append(f"{layer_name} = {layer_expr}")
    else:
        layer_name = source.name
        edits.append(Edit(source.node, parse_expression(layer_expr)))
    # The layer's [batch, time, ...] outputs get their own name when TF1's outputs were a
    # list (static_rnn) or time-major: each name is bound once, as graph code wants it.
    sequence = out_name
    if outputs_used and (static or time_major):
        sequence = analysis.fresh(f"{out_name}_{'stacked' if static else 'batch_major'}")
    target = ", ".join([sequence, *state_targets]) if state_targets else sequence
    texts.append(f"{target} = {layer_name}({', '.join([x, *keyword])})")
    if outputs_used and static:
        texts.append(f"{out_name} = {tf}.unstack({sequence}, axis=1)")
    elif outputs_used and time_major:
        texts.append(f"{out_name} = {tf}.transpose({sequence}, [1, 0, 2])")
    edits.append(_statement_edit(ctx, statement, texts))
    edits.extend(state_edits)
    function = "static_rnn" if static else "dynamic_rnn"
    return _Plan(f"`{_short(source.qualname)}` + `{function}`: use "
                 f"`tf.keras.layers.{source.keras_name}` (one layer object, called on the "
                 f"{'stacked ' if static else ''}sequence)", edits, source.stacked)


@dataclass
class _Source:
    """What a consumer's cell argument becomes: one Keras layer expression."""

    node: cst.Call  # the TF1 constructor call to replace (or to move, when inline)
    name: str | None
    qualname: str
    lstm: bool
    stacked: bool
    build: object  # callable(tf, extra) -> text
    keras_name: str
    default_name: str

    def layer(self, tf: str, extra: list[str]) -> str:
        return self.build(tf, extra)


def _cell_source(ctx: Context, node: cst.BaseExpression, analysis: _Analysis) -> _Source | None:
    call, name = node, None
    if isinstance(node, cst.Name):
        call, name = _definition(ctx, node.value, analysis), node.value
        if call is None:
            return None
    if not isinstance(call, cst.Call):
        return None
    qualname = ctx.qualified_name(call.func) or ""
    tf1_class = _cell_class(qualname)
    if tf1_class is None:
        return None
    if name is not None:
        _check_other_uses(ctx, name, node, analysis)
    if tf1_class in CELLS:
        units, options = _cell_options(ctx, tf1_class, call)
        cell = _Cell(tf1_class, call, name, units, options)
        return _Source(call, name, qualname, cell.kind == "LSTM", False, cell.layer, cell.kind,
                       cell.kind.lower())
    if tf1_class == "MultiRNNCell":
        cells, lstm = _multi_cells(ctx, call, analysis)

        def build(tf, extra):
            inner = f"{tf}.keras.layers.StackedRNNCells({cells(tf)})"
            return f"{tf}.keras.layers.RNN({', '.join([inner, *extra])})"
        return _Source(call, name, qualname, lstm, True, build, "RNN(StackedRNNCells(...))",
                       "stacked_rnn")
    raise _NoFix(f"`{tf1_class}` has no Keras layer counterpart this rule can prove")


# What a TF1 cell and a Keras layer both have, with the same meaning (the arrays of
# get_weights/set_weights are in each one's own layout: see TFM315).
_SHARED_ATTRIBUTES = {"weights", "variables", "trainable_weights", "trainable_variables",
                      "non_trainable_weights", "non_trainable_variables", "get_weights",
                      "set_weights"}


def _check_other_uses(ctx: Context, name: str, argument: cst.Name, analysis: _Analysis) -> None:
    """The cell variable may be used as the unrolled cell and for its variables only."""
    for use in analysis.uses(name):
        if use is argument:
            continue
        parent = ctx.parent(use)
        if isinstance(parent, cst.AssignTarget):
            continue  # the definition (`_definition` made sure there is one)
        if isinstance(parent, cst.Attribute) and parent.value is use and \
                parent.attr.value in _SHARED_ATTRIBUTES:
            continue
        raise _NoFix(f"the cell `{name}` is used elsewhere too (a Keras layer has no "
                     "zero_state/state_size and is not called step by step)")


def _multi_cells(ctx: Context, call: cst.Call, analysis: _Analysis):
    args = _bind(call, ["cells", "state_is_tuple"])
    if args is None or "cells" not in args:
        raise _NoFix("MultiRNNCell's arguments cannot be read")
    if "state_is_tuple" in args and _literal(args["state_is_tuple"]) is not True:
        raise _NoFix("MultiRNNCell(state_is_tuple=False) concatenates the states")
    cells = args["cells"]
    inner: list[cst.Call] = []
    if isinstance(cells, cst.ListComp):
        if not isinstance(cells.elt, cst.Call):
            raise _NoFix("the MultiRNNCell list does not construct its cells")
        inner = [cells.elt]
    elif isinstance(cells, cst.List) and cells.elements and \
            all(isinstance(e, cst.Element) and isinstance(e.value, cst.Call)
                for e in cells.elements):
        inner = [e.value for e in cells.elements]
    else:
        raise _NoFix("the MultiRNNCell's cells are not constructed in its list (a list of "
                     "TF1 cells built elsewhere)")
    specs = []
    for cell in inner:
        tf1_class = _cell_class(ctx.qualified_name(cell.func))
        if tf1_class not in CELLS:
            raise _NoFix("a MultiRNNCell of cells other than LSTM/GRU/basic RNN cells")
        units, options = _cell_options(ctx, tf1_class, cell)
        specs.append((cell, _Cell(tf1_class, cell, None, units, options)))
    kinds = {spec.kind for _, spec in specs}
    if len(kinds) != 1:
        raise _NoFix("a MultiRNNCell mixing LSTM and other cells")

    def text(tf):
        replaced = cells
        for node, spec in specs:
            replaced = replaced.deep_replace(node, parse_expression(spec.keras_cell(tf)))
        return ctx.module.code_for_node(replaced)
    return text, kinds == {"LSTM"}


def _convert_bidirectional(ctx: Context, call: cst.Call) -> _Plan | None:
    analysis = _analysis(ctx)
    args = _bind(call, _BIDIRECTIONAL_SIGNATURE)
    if args is None or not {"cell_fw", "cell_bw", "inputs"} <= set(args):
        raise _NoFix("the call's arguments cannot be read")
    sources = [_cell_source(ctx, args[k], analysis) for k in ("cell_fw", "cell_bw")]
    if None in sources:
        return None
    if any(s.stacked for s in sources):
        raise _NoFix("a bidirectional MultiRNNCell")
    for key in ("initial_state_fw", "initial_state_bw"):
        if key in args and _literal(args[key]) is not None:
            raise _NoFix(f"`{key}` is not rewritten")
    if "time_major" in args and _literal(args["time_major"]) is not False:
        raise _NoFix("time-major bidirectional RNNs are not rewritten")
    dtype = args.get("dtype")
    if dtype is not None and ctx.qualified_name(dtype) != "tensorflow.float32":
        raise _NoFix("only float32 RNNs are rewritten")
    statement = ctx.statement_of(call)
    if not isinstance(statement, cst.Assign) or statement.value is not call or \
            len(statement.targets) != 1:
        raise _NoFix("the result is not assigned to `outputs, states`")
    targets = _elements(statement.targets[0].target)
    if targets is None or len(targets) != 2:
        raise _NoFix("the result is not unpacked as `outputs, states`")
    outputs, states = targets
    state_names = _elements(states)
    state_names = [states] if state_names is None else state_names
    if any(not isinstance(s, cst.Name) or _used(s.value, analysis) for s in state_names):
        raise _NoFix("the final states of a bidirectional RNN are used (not rewritten)")
    out = ctx.code(outputs)
    if not (isinstance(outputs, cst.Name) or
            (_elements(outputs) and all(isinstance(e, cst.Name) for e in _elements(outputs))
             and len(_elements(outputs)) == 2)):
        raise _NoFix("the outputs are not assigned to a name or a pair of names")
    tf = ctx.tensorflow_name()
    inputs = args["inputs"]
    keyword = []
    options = ["return_sequences=True"]
    if "sequence_length" in args and _literal(args["sequence_length"]) is not None:
        if not _simple(inputs):
            raise _NoFix("`sequence_length` with inputs that are not a plain name")
        keyword.append(f"mask={tf}.sequence_mask({ctx.code(args['sequence_length'])}, "
                       f"{tf}.shape({ctx.code(inputs)})[1])")
        options.append("zero_output_for_mask=True")
    edits, texts, names = [], [], []
    for source, extra in zip(sources, (options, [*options, "go_backwards=True"])):
        text = source.layer(tf, extra)
        if source.name is None:
            name = analysis.fresh(source.default_name + ("_bw" if names else "_fw"))
            texts.append(f"{name} = {text}")
        else:
            name = source.name
            edits.append(Edit(source.node, parse_expression(text)))
        names.append(name)
    layer = analysis.fresh("bidirectional")
    texts.append(f"{layer} = {tf}.keras.layers.Bidirectional({names[0]}, "
                 f"backward_layer={names[1]}, merge_mode=None)")
    if isinstance(outputs, cst.Tuple) and outputs.lpar:
        out = out[1:-1] if out.startswith("(") else out
    texts.append(f"{out} = {layer}({', '.join([ctx.code(inputs), *keyword])})")
    edits.append(_statement_edit(ctx, statement, texts))
    return _Plan(f"`{_short(sources[0].qualname)}` + `bidirectional_dynamic_rnn`: use "
                 "`tf.keras.layers.Bidirectional` (merge_mode=None keeps the (forward, "
                 "backward) pair, in the input's time order as in TF1)", edits)


# -- rules ------------------------------------------------------------------------------------

def _calls(ctx: Context, names: set[str]):
    for call in ctx.module_calls():
        qualname = ctx.qualified_name(call.func)
        if qualname in names:
            yield call, qualname


_CELL_DOC_CAVEATS = """
## Caveats
- Checkpoints: Keras keeps `kernel`, `recurrent_kernel` and `bias` in another layout (gates
  i, f, c, o instead of TF1's i, j, f, o; input and recurrent rows apart; forget_bias inside
  the bias). A TF1 checkpoint does not restore into the layer by name — TFM315 says how.
- The initial kernels are drawn differently (TF1: glorot over one [x; h] kernel; Keras:
  glorot for the input kernel, orthogonal for the recurrent one): training from scratch is
  equivalent in kind, not in numbers, as for every TF1 → Keras layer (TF1 random numbers
  never reproduce on TF2).
- `forget_bias=1.0` (TF1's default, added at run time) becomes Keras' `unit_forget_bias=True`
  (the bias *starts* at 1.0): the same gate at every step, and gradients are the same; an L2
  penalty written over all trainable variables sees the forget-gate bias shifted by 1.0.
  Other `forget_bias` values, `use_peepholes`, `num_proj`, `cell_clip`, an `initializer=`,
  `state_is_tuple=False` and `reuse=` are reported without a fix.
- GRU: Keras' default `reset_after=True` is another cell; the fix passes `reset_after=False`
  and TF1's starting gate biases (1.0 for the reset and update gates).
- `sequence_length=L` becomes `mask=tf.sequence_mask(L, T)` with `zero_output_for_mask=True`
  (TF1 outputs zeros past the length and keeps the last state: so does Keras with these).
- The cell must be built in its own statement and used by this call only: a cell also used
  for `zero_state`, `state_size` or called step by step is reported without a fix.
"""


class DynamicRnn(Rule):
    code = "TFM310"
    name = "rnn-cell-dynamic-rnn"
    summary = "TF1 RNN cell + `tf.nn.dynamic_rnn` → one Keras `LSTM`/`GRU`/`SimpleRNN` layer."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    doc = """
## Why
`tf.nn.rnn_cell.*` (and `tf.contrib.rnn.*`) cells do not exist with Keras 3 (`AttributeError:
'BasicLSTMCell' is not available with Keras 3`), and `tf.nn.dynamic_rnn` is TF1 only.

## What it becomes
The cell's statement constructs the Keras layer (`BasicLSTMCell`/`LSTMCell` → `LSTM`,
`GRUCell` → `GRU(reset_after=False)`, `BasicRNNCell` → `SimpleRNN`) with
`return_sequences=True` when the outputs are used and `return_state=True` when the state is;
`dynamic_rnn(cell, x, dtype=tf.float32)` becomes a call of that layer. TF1's
`(outputs, state)` structure is kept: an LSTM's `state.h`/`state.c` (or `state[1]`/`state[0]`)
become the names the layer's `h` and `c` are assigned to; `outputs, (c, h) = ...` unpacks
`h, c` in Keras' order; a GRU's or basic RNN's state is one tensor on both sides.
`time_major=True` transposes the inputs and the outputs (the layer's batch-major outputs get
their own name, `outputs_batch_major`); `sequence_length` becomes a mask;
`initial_state=LSTMStateTuple(c, h)` becomes `initial_state=[h, c]`. `dtype`, `scope`,
`parallel_iterations` and `swap_memory` have no effect on the numbers and are dropped.
A cell built inline in the call gets its own constructor statement.
""" + _CELL_DOC_CAVEATS
    examples = (
        Valid("import tensorflow as tf\n\nlstm = tf.keras.layers.LSTM(4)\ny = lstm(x)\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "cell = tf.nn.rnn_cell.BasicLSTMCell(64)\n"
            "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
            "logits = tf.matmul(state.h, w)\n",
            "import tensorflow as tf\n\n"
            "cell = tf.keras.layers.LSTM(64, return_sequences=True, return_state=True)\n"
            "outputs, state_h, state_c = cell(x)\n"
            "logits = tf.matmul(state_h, w)\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "gru = tf.contrib.rnn.GRUCell(n_hidden)\n"
            "outputs, state = tf.nn.dynamic_rnn(gru, x, sequence_length=lengths, "
            "dtype=tf.float32)\n"
            "y = tf.concat([state, outputs[:, 0]], 1)\n",
            "import tensorflow as tf\n\n"
            "gru = tf.keras.layers.GRU(n_hidden, reset_after=False, "
            "bias_initializer=tf.keras.initializers.Constant([1.0] * (2 * n_hidden) + [0.0] "
            "* n_hidden), return_sequences=True, return_state=True, zero_output_for_mask=True)\n"
            "outputs, state = gru(x, mask=tf.sequence_mask(lengths, tf.shape(x)[1]))\n"
            "y = tf.concat([state, outputs[:, 0]], 1)\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(8), x, "
            "time_major=True, dtype=tf.float32)\n",
            "import tensorflow as tf\n\n"
            "simplernn = tf.keras.layers.SimpleRNN(8, return_sequences=True)\n"
            "outputs_batch_major = simplernn(tf.transpose(x, [1, 0, 2]))\n"
            "outputs = tf.transpose(outputs_batch_major, [1, 0, 2])\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "cell = tf.nn.rnn_cell.LSTMCell(32, forget_bias=0.0)\n"
            "_, (c, h) = tf.nn.dynamic_rnn(cell, x, initial_state="
            "tf.nn.rnn_cell.LSTMStateTuple(c0, h0))\n"
            "y = h + c\n",
            "import tensorflow as tf\n\n"
            "cell = tf.keras.layers.LSTM(32, unit_forget_bias=False, return_state=True)\n"
            "_, h, c = cell(x, initial_state=[h0, c0])\n"
            "y = h + c\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "cell = tf.nn.rnn_cell.BasicLSTMCell(64, forget_bias=0.5)\n"
            "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "cell = tf.nn.rnn_cell.BasicLSTMCell(64)\n"
            "init = cell.zero_state(batch, tf.float32)\n"
            "outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=init)\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "cell = tf.nn.rnn_cell.BasicLSTMCell(64)\n"
            "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
            "next_layer = other(state)\n"),
    )

    def on_module(self, ctx: Context) -> None:
        _report_consumers(ctx, DYNAMIC, "dynamic_rnn", _convert_unroll, stacked=False)


def _report_consumers(ctx: Context, names: set[str], label: str, convert,
                      stacked: bool | None = None) -> None:
    """Report every call in `names`: with its fix, or with the reason there is none.

    `stacked` selects plans by their cell (True: MultiRNNCell, reported by TFM312; False:
    one cell; None: any); reasons are reported by the rule of the call (stacked is not True).
    """
    for call, qualname in _calls(ctx, names):
        try:
            plan = convert(ctx, call, qualname)
        except _NoFix as reason:
            if stacked is not True and _involves_known_cell(ctx, call):
                ctx.report(call, f"`{label}` with TF1 cells: rewrite it as a Keras RNN "
                                 f"layer by hand ({reason}; MIGRATION_MAP caveat 13)")
            continue
        if plan is not None and (stacked is None or plan.stacked == stacked):
            ctx.report(call, plan.message, plan.edits, imports=("tensorflow",))


def _involves_known_cell(ctx: Context, call: cst.Call) -> bool:
    return any(_constructor_kind(ctx, a.value) for a in call.args[:2])


class StaticRnn(Rule):
    code = "TFM311"
    name = "rnn-static-rnn"
    summary = "`static_rnn(cell, list_of_steps)` → a Keras RNN layer over the stacked steps."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    doc = """
## Why
`tf.nn.static_rnn` / `tf.contrib.rnn.static_rnn` unroll a TF1 cell over a Python list of
time steps (often made by `tf.unstack(x, timesteps, 1)`); neither exists in TF2.

## What it becomes
The cell becomes a Keras layer as for TFM310; the call runs it on `tf.stack(inputs, axis=1)`
(a [batch, time, features] tensor) and its outputs (`outputs_stacked`) are unstacked again
with `outputs = tf.unstack(outputs_stacked, axis=1)`, so code that uses the list (`outputs[-1]`) keeps working.
`sequence_length` becomes a mask over `len(inputs)` steps.
""" + _CELL_DOC_CAVEATS + """
- `tf.stack(tf.unstack(x, T, 1), axis=1)` is `x` again: simplify by hand if you like.
"""
    examples = (
        Valid("import tensorflow as tf\n\nrnn = tf.keras.layers.SimpleRNN(4)\n"),
        Invalid(
            "import tensorflow as tf\nfrom tensorflow.contrib import rnn\n\n"
            "x = tf.unstack(x, timesteps, 1)\n"
            "lstm_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)\n"
            "outputs, states = rnn.static_rnn(lstm_cell, x, dtype=tf.float32)\n"
            "logits = tf.matmul(outputs[-1], weights) + biases\n",
            "import tensorflow as tf\n\n"
            "x = tf.unstack(x, timesteps, 1)\n"
            "lstm_cell = tf.keras.layers.LSTM(num_hidden, return_sequences=True)\n"
            "outputs_stacked = lstm_cell(tf.stack(x, axis=1))\n"
            "outputs = tf.unstack(outputs_stacked, axis=1)\n"
            "logits = tf.matmul(outputs[-1], weights) + biases\n"),
    )

    def on_module(self, ctx: Context) -> None:
        _report_consumers(ctx, STATIC, "static_rnn", _convert_unroll, stacked=False)


class MultiCell(Rule):
    code = "TFM312"
    name = "rnn-multi-rnn-cell"
    summary = "`MultiRNNCell([...])` unrolled by dynamic_rnn → `RNN(StackedRNNCells([...]))`."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    doc = """
## Why
`MultiRNNCell` stacks TF1 cells; it does not exist in TF2.

## What it becomes
`tf.keras.layers.RNN(tf.keras.layers.StackedRNNCells([...]))` with each TF1 cell in the list
(or list comprehension) replaced by its Keras cell (`LSTMCell`, `GRUCell(reset_after=False)`,
`SimpleRNNCell`); the unrolling call is rewritten by TFM310/TFM311 (this rule reports the
stack itself). Keras returns the state as one list per layer — `[h, c]` for an LSTM, `[h]`
otherwise — so `state[i].h` becomes `state[i][0]`, `state[i].c` becomes `state[i][1]` and a
GRU layer's `state[i]` becomes `state[i][0]`.

## Caveats
The cells must be constructed inside the MultiRNNCell's list; a list built elsewhere, cells
wrapped in `DropoutWrapper` (TFM314) or `[cell] * n` (one cell shared by every layer) are
reported without a fix. See TFM310 for the weight layout and initialisation caveats.
"""
    examples = (
        Valid("import tensorflow as tf\n\ncells = tf.keras.layers.StackedRNNCells([])\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(n) "
            "for _ in range(layers)])\n"
            "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
            "last = state[-1].h\n",
            "import tensorflow as tf\n\n"
            "cell = tf.keras.layers.RNN(tf.keras.layers.StackedRNNCells([tf.keras.layers."
            "LSTMCell(n) for _ in range(layers)]), return_sequences=True, return_state=True)\n"
            "outputs, *state = cell(x)\n"
            "last = state[-1][0]\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.DropoutWrapper(c) "
            "for c in cells])\n"),
    )

    def on_module(self, ctx: Context) -> None:
        _report_consumers(ctx, DYNAMIC | STATIC, "MultiRNNCell", _convert_unroll, stacked=True)
        for call in ctx.module_calls():
            if _cell_class(ctx.qualified_name(call.func)) != "MultiRNNCell":
                continue
            consumer = _consumer_of(ctx, call)
            if consumer is not None:
                continue  # reported (and fixed) with the call that unrolls it
            ctx.report(call, "`MultiRNNCell`: stack Keras cells with "
                             "`tf.keras.layers.RNN(tf.keras.layers.StackedRNNCells([...]))` or "
                             "stack Keras RNN layers")


def _consumer_of(ctx: Context, cell_call: cst.Call) -> cst.Call | None:
    """The dynamic_rnn/static_rnn call this cell construction feeds, if one does and the
    rewrite applies (so the stack is reported there)."""
    parent = ctx.parent(cell_call)
    node = cell_call
    if isinstance(parent, cst.Arg):
        consumer = ctx.parent(parent)
    else:
        assign = parent
        if not isinstance(assign, cst.Assign) or len(assign.targets) != 1 or \
                not isinstance(assign.targets[0].target, cst.Name):
            return None
        uses = _analysis(ctx).uses(assign.targets[0].target.value)
        if len(uses) != 2:
            return None
        node = uses[1] if uses[0] is assign.targets[0].target else uses[0]
        arg = ctx.parent(node)
        if not isinstance(arg, cst.Arg):
            return None
        consumer = ctx.parent(arg)
    if not isinstance(consumer, cst.Call) or \
            ctx.qualified_name(consumer.func) not in DYNAMIC | STATIC:
        return None
    analysis = _analysis(ctx)
    taken = set(analysis.taken)  # a trial conversion: the names it picks are not kept
    try:
        return consumer if _convert_unroll(ctx, consumer, ctx.qualified_name(consumer.func)) \
            else None
    except _NoFix:
        return None
    finally:
        analysis.taken = taken


class BidirectionalRnn(Rule):
    code = "TFM313"
    name = "rnn-bidirectional"
    summary = "`bidirectional_dynamic_rnn` → `tf.keras.layers.Bidirectional(merge_mode=None)`."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    doc = """
## Why
`tf.nn.bidirectional_dynamic_rnn` runs a forward and a backward TF1 cell; it is TF1 only.

## What it becomes
Both cells become Keras layers with `return_sequences=True`, the backward one with
`go_backwards=True`, wrapped as
`tf.keras.layers.Bidirectional(fw, backward_layer=bw, merge_mode=None)`. Called on the inputs,
it returns the pair `[outputs_fw, outputs_bw]` with the backward outputs back in the input's
time order, as TF1 does; `tf.concat(outputs, 2)` keeps working. `sequence_length` becomes a
mask (`zero_output_for_mask=True`): Keras reverses each sequence within its mask like TF1's
`reverse_sequence`.

## Caveats
Only calls whose final states are unused are rewritten (`(out_fw, out_bw), _ = ...`); with
the states used, initial states or `time_major=True`, the call is reported without a fix.
See TFM310 for the weight layout and initialisation caveats.
"""
    examples = (
        Valid("import tensorflow as tf\n\nb = tf.keras.layers.Bidirectional(layer)\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "fw = tf.nn.rnn_cell.LSTMCell(16)\n"
            "bw = tf.nn.rnn_cell.LSTMCell(16)\n"
            "(out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, "
            "sequence_length=lengths, dtype=tf.float32)\n"
            "h = tf.concat([out_fw, out_bw], axis=2)\n",
            "import tensorflow as tf\n\n"
            "fw = tf.keras.layers.LSTM(16, return_sequences=True, zero_output_for_mask=True)\n"
            "bw = tf.keras.layers.LSTM(16, return_sequences=True, zero_output_for_mask=True, "
            "go_backwards=True)\n"
            "bidirectional = tf.keras.layers.Bidirectional(fw, backward_layer=bw, "
            "merge_mode=None)\n"
            "out_fw, out_bw = bidirectional(x, mask=tf.sequence_mask(lengths, "
            "tf.shape(x)[1]))\n"
            "h = tf.concat([out_fw, out_bw], axis=2)\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "fw = tf.nn.rnn_cell.GRUCell(16)\n"
            "bw = tf.nn.rnn_cell.GRUCell(16)\n"
            "outputs, (s_fw, s_bw) = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, "
            "dtype=tf.float32)\n"
            "h = tf.concat([s_fw, s_bw], 1)\n"),
    )

    def on_module(self, ctx: Context) -> None:
        _report_consumers(ctx, BIDIRECTIONAL, "bidirectional_dynamic_rnn",
                          lambda ctx, call, _: _convert_bidirectional(ctx, call))


class DropoutWrapperRule(Rule):
    code = "TFM314"
    name = "rnn-dropout-wrapper"
    summary = "`DropoutWrapper` has no exact Keras counterpart: use the layer's `dropout=`."
    prefilter = PREFILTER
    references = tuple(f"{m}.DropoutWrapper" for m in CELL_MODULES)
    doc = """
## Why
`DropoutWrapper(cell, input_keep_prob, output_keep_prob, state_keep_prob,
variational_recurrent=False)` does not exist in TF2.

## What to do
Use the Keras layer's own arguments: `tf.keras.layers.LSTM(n, dropout=1 - input_keep_prob,
recurrent_dropout=1 - state_keep_prob)`, and a `tf.keras.layers.Dropout(1 - output_keep_prob)`
on the outputs. Pass `training=True` when calling the layer in a training step (TF1 applied
the wrapper's dropout always, the keep probabilities usually being fed as 1.0 at test time).

## Caveats
The semantics differ, so there is no automatic fix: TF1 draws a new mask at every time
step unless `variational_recurrent=True`, Keras uses one mask per sequence (variational) for
`dropout`/`recurrent_dropout`; TF1's `state_keep_prob` drops the state output, Keras'
`recurrent_dropout` drops the recurrent input; the masks never match TF1's random numbers.
"""
    examples = (
        Valid("import tensorflow as tf\n\nlstm = tf.keras.layers.LSTM(4, dropout=0.2)\n"),
        Invalid("import tensorflow as tf\n\n"
                "cell = tf.nn.rnn_cell.DropoutWrapper(cell, output_keep_prob=keep_prob)\n"),
    )

    def on_reference(self, ref, ctx: Context) -> None:
        if ref.via_alias:
            return
        ctx.report(ref.node, "`DropoutWrapper`: use the Keras layer's `dropout=`/"
                             "`recurrent_dropout=` and a `Dropout` layer on the outputs "
                             "(per-sequence masks, not TF1's per-step ones)")


class CheckpointLayout(Rule):
    code = "TFM315"
    name = "rnn-checkpoint-layout"
    summary = "TF1 LSTM/GRU weights in a checkpoint need a layout map to load into Keras."
    prefilter = PREFILTER
    doc = """
## Why
A file that builds TF1 RNN cells and restores a TF1 checkpoint (`tf.train.Saver().restore`,
`init_from_checkpoint`, ...) will, once migrated to Keras layers, restore nothing into them:
the variable names differ and so does the layout (`tf.train.Checkpoint.restore` of a TF1
checkpoint into Keras 3 layers silently restores nothing, caveat 19).

## What to do
Read the TF1 arrays with `r = tf.train.load_checkpoint(path)` and
`r.get_tensor('rnn/basic_lstm_cell/kernel')`, build the Keras layer (call it once or
`layer.build((None, None, n_in))`), then `layer.set_weights(...)` with:

- LSTM (`kernel` [n_in + n, 4n], `bias` [4n], gates i, j, f, o): split the kernel rows into
  `k[:n_in]` (input) and `k[n_in:]` (recurrent); reorder the columns of both and of the bias
  into Keras' i, f, c, o (`np.concatenate([i, f, j, o], -1)` of `np.split(m, 4, -1)`); add
  TF1's `forget_bias` (1.0 by default) to the forget slice `bias[n:2n]`.
- GRU (`gates/kernel` [n_in + n, 2n] with columns r, u; `candidate/kernel` [n_in + n, n]; and
  their biases) into `GRU(reset_after=False)`: kernel = `[u, r, candidate]` columns of the
  input rows, recurrent kernel = the same of the recurrent rows, bias = `[u_b, r_b, cand_b]`.
- basic RNN (`kernel` [n_in + n, n]): kernel = `k[:n_in]`, recurrent kernel = `k[n_in:]`.

Verified to 3e-8 (LSTM) and 6e-8 (GRU) [c04_lstm_v2]; fixtures/rnn use the same map.
"""
    examples = (
        Valid("import tensorflow as tf\n\ncell = tf.nn.rnn_cell.GRUCell(4)\n"),
        Invalid("import tensorflow as tf\n\n"
                "cell = tf.nn.rnn_cell.BasicLSTMCell(4)\n"
                "saver = tf.train.Saver()\n"
                "saver.restore(sess, path)\n"),
    )

    def on_module(self, ctx: Context) -> None:
        restores = [c for c in ctx.module_calls()
                    if ctx.qualified_name(c.func) in CHECKPOINT_CALLS]
        if not restores:
            return
        if not any((_cell_class(ctx.qualified_name(c.func)) or "") in CELLS
                   for c in ctx.module_calls()):
            return
        for call in restores:
            ctx.report(call, "this file restores a TF1 checkpoint and builds TF1 RNN cells: "
                             "Keras RNN layers keep their weights in another layout (gate "
                             "order, split kernel, forget_bias); load them with "
                             "`tf.train.load_checkpoint` and the map in `tfmigrate explain "
                             "TFM315`")
