"""TFM31x: TF1 RNN cells (`tf.nn.rnn_cell`, `tf.contrib.rnn`) and the functions that unroll
them (`dynamic_rnn`, `static_rnn`, `bidirectional_dynamic_rnn`, `static_bidirectional_rnn`)
become Keras RNN layers; `cell.zero_state(...)` becomes zeros in TF1's state structure.

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

from tfmigrate.aliases import children as _children
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
STATIC_BIDIRECTIONAL = {"tensorflow.nn.static_bidirectional_rnn",
                        "tensorflow.contrib.rnn.static_bidirectional_rnn"}
UNROLLS = DYNAMIC | STATIC | BIDIRECTIONAL | STATIC_BIDIRECTIONAL
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
_STATIC_BIDIRECTIONAL_SIGNATURE = ["cell_fw", "cell_bw", "inputs", "initial_state_fw",
                                   "initial_state_bw", "dtype", "sequence_length", "scope"]
_INITIAL_KEYWORDS = ("initial_state", "initial_state_fw", "initial_state_bw")
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

def _variable_names(module: cst.Module) -> dict[str, list[cst.Name]]:
    """Every Name node that stands for a variable (not an attribute or keyword name, nor a
    name in an import), by name, in source order."""
    found: dict[str, list[cst.Name]] = {}
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is cst.Name:
            found.setdefault(node.value, []).append(node)
            continue
        if kind is cst.ImportAlias:
            continue
        children = _children(node)
        if kind is cst.Attribute:
            children = [child for child in children if child is not node.attr]
        elif kind is cst.Arg and node.keyword is not None:
            children = [child for child in children if child is not node.keyword]
        children.reverse()
        stack.extend(children)
    return found


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


def _analysis(ctx: Context) -> _Analysis:
    """The module's variable names, and the new names this pass's rules took (shared by the
    rules of the pass)."""
    found = ctx.memo.get("rnn.analysis")
    if found is None:
        found = ctx.memo["rnn.analysis"] = _Analysis(_variable_names(ctx.module))
    return found


def _rnn_calls(ctx: Context) -> list[tuple[cst.Call, str]]:
    """Every call of an unrolling function, a checkpoint function or a TF1 cell class, with
    its qualified name, in the order of `ctx.module_calls()` (computed once per pass)."""
    found = ctx.memo.get("rnn.calls")
    if found is None:
        found = ctx.memo["rnn.calls"] = []
        for call in ctx.module_calls():
            qualname = ctx.qualified_name(call.func)
            if qualname in UNROLLS or qualname in CHECKPOINT_CALLS or _cell_class(qualname):
                found.append((call, qualname))
    return found


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

    def zeros(self, tf: str, batch: str, dtype: str) -> str:
        """TF1's `zero_state(batch, dtype)`: LSTMStateTuple(c, h) as a pair, else a tensor."""
        zeros = f"{tf}.zeros([{batch}, {self.units}], {dtype})"
        return f"({zeros}, {zeros})" if self.kind == "LSTM" else zeros


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
        # TF1 GRUCell starts its gate biases (r, u) at 1.0, the candidate's at 0 (Keras' order
        # is z, r, h).
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


def _assigned(ctx: Context, use: cst.Name) -> bool:
    """Whether `use` is (in) the target of an assignment."""
    child = use
    for ancestor in ctx.ancestors(use):
        if isinstance(ancestor, cst.AssignTarget):
            return True
        if isinstance(ancestor, (cst.AugAssign, cst.AnnAssign)):
            return child is ancestor.target
        if isinstance(ancestor, cst.BaseSmallStatement):
            return False
        child = ancestor
    return False


def _run_call(node) -> bool:
    """`sess.run(...)` (a `run` method: a session's, a MonitoredSession's, ...)."""
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
        node.func.attr.value == "run"


def _fetch_argument(ctx: Context, arg: cst.Arg) -> bool:
    call = ctx.parent(arg)
    if not _run_call(call):
        return False
    if arg.keyword is None:
        return call.args[0] is arg
    return arg.keyword.value == "fetches"


def _as_tuple_ok(ctx: Context, use: cst.BaseExpression) -> bool:
    """Whether this use of a TF1 state structure means the same when the structure is a plain
    tuple of tensors (TF1's order, without `.c`/`.h`): the initial state of an unrolling call,
    a `sess.run` fetch, a feed_dict key or value, or unpacking `c, h = state`."""
    parent = ctx.parent(use)
    if isinstance(parent, cst.Arg) and parent.value is use:
        call = ctx.parent(parent)
        if parent.keyword is not None and parent.keyword.value in _INITIAL_KEYWORDS:
            return ctx.qualified_name(call.func) in UNROLLS
        return _fetch_argument(ctx, parent)
    if isinstance(parent, cst.Element) and parent.value is use:
        sequence = ctx.parent(parent)
        arg = ctx.parent(sequence)
        return isinstance(sequence, (cst.List, cst.Tuple)) and isinstance(arg, cst.Arg) and \
            arg.value is sequence and _fetch_argument(ctx, arg)
    if isinstance(parent, cst.DictElement):
        return True
    if isinstance(parent, cst.Assign) and parent.value is use:
        return all(_elements(t.target) is not None for t in parent.targets)
    return False


@dataclass
class _StateUse:
    """One use of a TF1 RNN state variable."""

    node: cst.BaseExpression  # the expression the use stands for
    layer: cst.Subscript | None  # a MultiRNNCell state: the `state[i]` it goes through
    part: str | None  # "c"/"h": an LSTM tensor; "x": a GRU/RNN tensor; None: a structure


def _state_uses(ctx: Context, name: str, definition: cst.Name, analysis: _Analysis,
                lstm: bool, stacked: bool) -> list[_StateUse]:
    """The uses of `name`, a TF1 RNN state: (c, h) for an LSTM, one tensor for a GRU or basic
    RNN, a tuple of those (one per layer) for a MultiRNNCell. _NoFix for a use that would not
    mean the same on the fix's tensors and tuples."""
    found = []
    for use in analysis.uses(name):
        if use is definition:
            continue
        if _assigned(ctx, use):
            raise _NoFix(f"`{name}` is assigned to more than once")
        node, layer = use, None
        parent = ctx.parent(use)
        if stacked:
            if not (isinstance(parent, cst.Subscript) and parent.value is use):
                if _as_tuple_ok(ctx, use):
                    found.append(_StateUse(use, None, None))
                    continue
                raise _NoFix(f"`{name}` is used as a whole; Keras returns one list per layer")
            node = layer = parent
            parent = ctx.parent(layer)
        if not lstm:
            if stacked and isinstance(parent, cst.Subscript) and parent.value is node:
                raise _NoFix(f"`{name}[...]` is indexed")
            found.append(_StateUse(node, layer, "x"))
        elif isinstance(parent, cst.Attribute) and parent.value is node and \
                parent.attr.value in ("h", "c"):
            found.append(_StateUse(parent, layer, parent.attr.value))
        elif isinstance(parent, cst.Subscript) and parent.value is node and \
                _index(parent) is not None:
            found.append(_StateUse(parent, layer, "ch"[_index(parent)]))
        elif _as_tuple_ok(ctx, node):
            found.append(_StateUse(node, layer, None))
        else:
            raise _NoFix(f"`{name}` is used as a whole; Keras returns the LSTM state as "
                         "two tensors h, c (TF1's LSTMStateTuple is (c, h))")
    return found


def _final_state(ctx: Context, target: cst.BaseExpression | None, source: _Source,
                 analysis: _Analysis) -> tuple[list[str], list[Edit], list[str]]:
    """For a layer's returned states, assigned to `target` in TF1: the names Keras' states
    are assigned to (Keras' order), the edits of the program's uses of the TF1 state, and the
    statements that rebuild TF1's structure after the call when the state is used whole."""
    if target is None:
        return [], [], []
    name = _target_name(target)
    if source.stacked:
        if name is None:
            raise _NoFix("a MultiRNNCell state is unpacked")
        if not _used(name, analysis):
            return [], [], []
        uses = _state_uses(ctx, name, target, analysis, source.lstm, True)
        if all(u.part is not None for u in uses):
            # Keras' own structure: [h, c] (LSTM) or [h] per layer.
            edits = [Edit(u.node, parse_expression(
                f"{ctx.code(u.layer)}[{'hc'.index(u.part) if u.part in 'hc' else 0}]"))
                for u in uses]
            return [f"*{name}"], edits, []
        layers = analysis.fresh(f"{name}_layers")
        rebuild = f"tuple((c, h) for h, c in {layers})" if source.lstm else \
            f"tuple(layer[0] for layer in {layers})"
        return [f"*{layers}"], _tuple_edits(ctx, uses), [f"{name} = {rebuild}"]
    if source.lstm:
        nested = _elements(target)
        if nested is not None:  # outputs, (c, h) = ...
            names = [_target_name(n) for n in nested]
            if len(names) != 2 or None in names:
                raise _NoFix("the LSTM state is unpacked into something else than two names")
            c_name, h_name = names
            used = _used(c_name, analysis) or _used(h_name, analysis)
            return ([h_name, c_name] if used else []), [], []
        if name is None:
            raise _NoFix("the state is not assigned to a name")
        if not _used(name, analysis):
            return [], [], []
        uses = _state_uses(ctx, name, target, analysis, True, False)
        h_name, c_name = analysis.fresh(f"{name}_h"), analysis.fresh(f"{name}_c")
        edits = [Edit(u.node, cst.Name(h_name if u.part == "h" else c_name))
                 for u in uses if u.part is not None]
        whole = any(u.part is None for u in uses)
        return [h_name, c_name], edits, ([f"{name} = ({c_name}, {h_name})"] if whole else [])
    if name is None:
        raise _NoFix("the state is not assigned to a name")
    return ([name] if _used(name, analysis) else []), [], []


def _tuple_edits(ctx: Context, uses: list[_StateUse]) -> list[Edit]:
    """A TF1 state kept as tuples: `.c`/`.h` become indices 0/1 (LSTMStateTuple's order)."""
    return [Edit(u.node, parse_expression(f"{ctx.code(u.node.value)}[{'ch'.index(u.part)}]"))
            for u in uses if isinstance(u.node, cst.Attribute)]


# -- the conversion of one unrolling call ------------------------------------------------------

@dataclass
class _Plan:
    message: str
    edits: list[Edit]
    stacked: bool = False


def _pure(node: cst.BaseExpression) -> bool:
    """A name, attribute or subscript of those: reading it twice is reading it once."""
    if isinstance(node, cst.Name):
        return True
    if isinstance(node, cst.Attribute):
        return _pure(node.value)
    if isinstance(node, cst.Subscript):
        return _pure(node.value) and all(
            isinstance(s.slice, cst.Index) and
            isinstance(s.slice.value, (cst.Integer, cst.Name, cst.SimpleString, cst.UnaryOperation))
            for s in node.slice)
    return False


def _own_zero_state(value: cst.BaseExpression, source: _Source) -> bool:
    return any(value is call for call in source.zero_states)


def _initial_state(ctx: Context, value: cst.BaseExpression, source: _Source,
                   explicit_zeros: bool = False) -> list[str] | None:
    """Keras' initial state for TF1's `initial_state=value`, as the elements of the list
    Keras takes ([h, c] for an LSTM, [h] otherwise; one list-valued element for a stack).
    None when it is the cell's own zero state, Keras' default (unless `explicit_zeros`)."""
    if _own_zero_state(value, source):
        return source.keras_zeros(ctx, value) if explicit_zeros else None
    if source.stacked:
        if not _pure(value):
            raise _NoFix("a MultiRNNCell initial state that is not a name")
        text = ctx.code(value)
        return [f"[[h, c] for c, h in {text}]" if source.lstm else f"[[h] for h in {text}]"]
    if not source.lstm:
        return [ctx.code(value)]
    if isinstance(value, cst.Call) and \
            (ctx.qualified_name(value.func) or "").rpartition(".")[2] == "LSTMStateTuple" and \
            _cell_class(ctx.qualified_name(value.func)):
        args = _bind(value, ["c", "h"])
        if args and set(args) == {"c", "h"}:
            return [ctx.code(args["h"]), ctx.code(args["c"])]
    elif isinstance(value, cst.Tuple) and len(_elements(value) or ()) == 2:
        c, h = _elements(value)
        return [ctx.code(h), ctx.code(c)]
    elif _pure(value):
        text = ctx.code(value)
        return [f"{text}[1]", f"{text}[0]"]
    raise _NoFix("an LSTM `initial_state` is rewritten when it is a name, a pair (c, h) or "
                 "`LSTMStateTuple(c, h)` (Keras takes [h, c])")


def _state_argument(states: list[str]) -> str:
    return states[0] if len(states) == 1 else f"[{', '.join(states)}]"


def _zero_state_edits(ctx: Context, source: _Source, statement: cst.CSTNode,
                      initial: list[cst.BaseExpression], analysis: _Analysis) -> list[Edit]:
    """`cell.zero_state(batch, dtype)` elsewhere than in the call: zeros in TF1's structure."""
    edits = []
    for call in source.zero_states:
        if any(call is value for value in initial):
            continue  # rewritten with the call
        if any(a is statement for a in ctx.ancestors(call)):
            raise _NoFix("`zero_state` is used inside the unrolling call")
        edits.append(Edit(call, parse_expression(source.tf1_zeros(ctx, call))))
        parent = ctx.parent(call)
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and \
                isinstance(parent.targets[0].target, cst.Name):
            target = parent.targets[0].target
            uses = _state_uses(ctx, target.value, target, analysis, source.lstm, source.stacked)
            edits.extend(_tuple_edits(ctx, uses))
    return edits


def _check_disjoint(ctx: Context, edits: list[Edit]) -> None:
    nodes = {id(e.node) for e in edits}
    for edit in edits:
        if any(id(a) in nodes for a in ctx.ancestors(edit.node)):
            raise _NoFix("the state is used inside the rewritten statement")


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
    initial = [args["initial_state"]] if "initial_state" in args and \
        _literal(args["initial_state"]) is not None else []
    for value in initial:
        states = _initial_state(ctx, value, source)
        if states is not None:
            keyword.append(f"initial_state={_state_argument(states)}")
    edits = _zero_state_edits(ctx, source, statement, initial, analysis)
    # What the caller uses of the results decides what the layer returns.
    outputs_used = out_name != "_"
    state_targets, state_edits, rebuild = _final_state(ctx, state_target, source, analysis)
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
    texts.extend(rebuild)
    edits.append(_statement_edit(ctx, statement, texts))
    edits.extend(state_edits)
    _check_disjoint(ctx, edits)
    function = "static_rnn" if static else "dynamic_rnn"
    return _Plan(f"`{_short(source.qualname)}` + `{function}`: use "
                 f"`tf.keras.layers.{source.keras_name}` (one layer object, called on the "
                 f"{'stacked ' if static else ''}sequence)", edits, source.stacked)


def _simple(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.Name, cst.Attribute))


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
    zeros: object  # callable(tf, batch, dtype) -> the cell's zero state in TF1's structure
    zero_states: list[cst.Call] = field(default_factory=list)  # `name.zero_state(...)` calls
    units: str = ""  # one cell's units (not a stack's)
    attribute_uses: list[cst.Name] = field(default_factory=list)  # `name.weights`, ...

    def layer(self, tf: str, extra: list[str]) -> str:
        return self.build(tf, extra)

    def _zero_arguments(self, ctx: Context, call: cst.Call) -> tuple[str, str]:
        args = _bind(call, ["batch_size", "dtype"])
        if args is None or set(args) != {"batch_size", "dtype"}:
            raise _NoFix("`zero_state`'s arguments cannot be read")
        return ctx.code(args["batch_size"]), ctx.code(args["dtype"])

    def tf1_zeros(self, ctx: Context, call: cst.Call) -> str:
        return self.zeros(ctx.tensorflow_name(), *self._zero_arguments(ctx, call))

    def keras_zeros(self, ctx: Context, call: cst.Call) -> list[str]:
        if self.stacked:
            raise _NoFix("a MultiRNNCell zero state for one direction only")
        batch, dtype = self._zero_arguments(ctx, call)
        zeros = f"{ctx.tensorflow_name()}.zeros([{batch}, {self.units}], {dtype})"
        return [zeros, zeros] if self.lstm else [zeros]


def _cell_source(ctx: Context, node: cst.BaseExpression, analysis: _Analysis,
                 ignore: frozenset = frozenset()) -> _Source | None:
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
    zero_states, attribute_uses = \
        _check_other_uses(ctx, name, node, analysis, ignore) if name else ([], [])
    if tf1_class in CELLS:
        units, options = _cell_options(ctx, tf1_class, call)
        cell = _Cell(tf1_class, call, name, units, options)
        return _Source(call, name, qualname, cell.kind == "LSTM", False, cell.layer, cell.kind,
                       cell.kind.lower(), cell.zeros, zero_states, units, attribute_uses)
    if tf1_class == "MultiRNNCell":
        stack = _multi_cells(ctx, call, analysis)

        def build(tf, extra):
            inner = f"{tf}.keras.layers.StackedRNNCells({stack.text(tf)})"
            return f"{tf}.keras.layers.RNN({', '.join([inner, *extra])})"
        return _Source(call, name, qualname, stack.lstm, True, build,
                       "RNN(StackedRNNCells(...))", "stacked_rnn", stack.zeros, zero_states,
                       "", attribute_uses)
    raise _NoFix(f"`{tf1_class}` has no Keras layer counterpart this rule can prove")


# What a TF1 cell and a Keras layer both have, with the same meaning (the arrays of
# get_weights/set_weights are in each one's own layout: see TFM315).
_SHARED_ATTRIBUTES = {"weights", "variables", "trainable_weights", "trainable_variables",
                      "non_trainable_weights", "non_trainable_variables", "get_weights",
                      "set_weights"}


def _check_other_uses(ctx: Context, name: str, argument: cst.Name, analysis: _Analysis,
                      ignore: frozenset = frozenset()) -> tuple[list[cst.Call], list[cst.Name]]:
    """The cell variable may be used as the unrolled cell, for its variables and for
    `zero_state(...)` only; returns the zero_state calls (the fix writes their zeros) and the
    uses for variables, which follow the call (TF1 builds the variables there)."""
    zero_states, attribute_uses = [], []
    seen_argument = False
    for use in analysis.uses(name):
        if use is argument:
            seen_argument = True
        if use is argument or id(use) in ignore:
            continue
        parent = ctx.parent(use)
        if isinstance(parent, cst.AssignTarget):
            continue  # the definition (`_definition` made sure there is one)
        if isinstance(parent, cst.Attribute) and parent.value is use:
            if parent.attr.value in _SHARED_ATTRIBUTES:
                if seen_argument:
                    attribute_uses.append(use)
                    continue
                raise _NoFix(f"the cell `{name}`'s variables are read before the call that "
                             "builds them")
            call = ctx.parent(parent)
            if parent.attr.value == "zero_state" and isinstance(call, cst.Call) and \
                    call.func is parent:
                zero_states.append(call)
                continue
        raise _NoFix(f"the cell `{name}` is used elsewhere too (a Keras layer has no "
                     "state_size and is not called step by step)")
    return zero_states, attribute_uses


@dataclass
class _Stack:
    text: object  # callable(tf) -> the Keras cells' list
    lstm: bool
    zeros: object  # callable(tf, batch, dtype) -> TF1's zero state of the stack


def _multi_cells(ctx: Context, call: cst.Call, analysis: _Analysis) -> _Stack:
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
        # One pass (a deep_replace per cell would copy the tree and lose the later cells).
        replacements = {id(node): parse_expression(spec.keras_cell(tf)) for node, spec in specs}
        return ctx.module.code_for_node(cells.visit(_Replace(replacements)))

    def zeros(tf, batch, dtype):
        if isinstance(cells, cst.ListComp):
            bound = _Names()
            for clause in _comp_fors(cells.for_in):
                clause.target.visit(bound)
            used = _Names()
            parse_expression(f"({batch}, {dtype})").visit(used)
            if set(bound.found) & set(used.found):
                raise _NoFix("`zero_state`'s arguments use a name of the MultiRNNCell's list")
            clauses = ctx.module.code_for_node(cells.for_in).strip()
            return f"tuple({specs[0][1].zeros(tf, batch, dtype)} {clauses})"
        parts = [spec.zeros(tf, batch, dtype) for _, spec in specs]
        return f"({', '.join(parts)}{',' if len(parts) == 1 else ''})"
    return _Stack(text, kinds == {"LSTM"}, zeros)


class _Replace(cst.CSTTransformer):
    def __init__(self, replacements: dict) -> None:
        self.replacements = replacements

    def on_leave(self, original_node, updated_node):
        return self.replacements.get(id(original_node), updated_node)


def _comp_fors(clause):
    while clause is not None:
        yield clause
        clause = clause.inner_for_in


# -- bidirectional -------------------------------------------------------------------------------

@dataclass
class _Fallback:
    """`try: outputs, fw, bw = f(args)` / `except Exception: outputs = f(args)`: the except
    branch serves TensorFlow versions whose `f` returned the outputs alone (before 1.0)."""

    node: cst.Try
    primary: cst.Call
    fallback: cst.Call


def _version_fallback(ctx: Context, call: cst.Call) -> _Fallback | None:
    statement = ctx.statement_of(call)
    line = ctx.parent(statement)
    block = ctx.parent(line)
    owner = ctx.parent(block)
    if isinstance(owner, cst.ExceptHandler):
        owner = ctx.parent(owner)
    if not isinstance(owner, cst.Try) or len(owner.handlers) != 1 or owner.orelse or \
            owner.finalbody:
        return None
    handler = owner.handlers[0]
    if handler.type is not None and not (isinstance(handler.type, cst.Name) and
                                         handler.type.value == "Exception"):
        return None
    assigns = []
    for body in (owner.body, handler.body):
        if len(body.body) != 1 or not isinstance(body.body[0], cst.SimpleStatementLine) or \
                len(body.body[0].body) != 1 or not isinstance(body.body[0].body[0], cst.Assign):
            return None
        assign = body.body[0].body[0]
        if len(assign.targets) != 1 or not isinstance(assign.value, cst.Call):
            return None
        assigns.append(assign)
    primary, fallback = (a.value for a in assigns)
    same = ctx.qualified_name(primary.func) == ctx.qualified_name(fallback.func) and \
        [(a.keyword and a.keyword.value, ctx.code(a.value)) for a in primary.args] == \
        [(a.keyword and a.keyword.value, ctx.code(a.value)) for a in fallback.args]
    outputs = _elements(assigns[0].targets[0].target)
    if not same or not outputs or not isinstance(outputs[0], cst.Name) or \
            not isinstance(assigns[1].targets[0].target, cst.Name) or \
            assigns[1].targets[0].target.value != outputs[0].value:
        return None
    if call is not primary and call is not fallback:
        return None
    return _Fallback(owner, primary, fallback)


def _convert_bidirectional(ctx: Context, call: cst.Call, static: bool = False) -> _Plan | None:
    analysis = _analysis(ctx)
    fallback = _version_fallback(ctx, call) if static else None
    if fallback is not None and call is fallback.fallback:
        return None  # rewritten (and dropped) with the call it stands in for
    ignore = frozenset()
    if fallback is not None:
        names = _Names()
        fallback.fallback.visit(names)
        ignore = frozenset(id(n) for nodes in names.found.values() for n in nodes)
    signature = _STATIC_BIDIRECTIONAL_SIGNATURE if static else _BIDIRECTIONAL_SIGNATURE
    args = _bind(call, signature)
    if args is None or not {"cell_fw", "cell_bw", "inputs"} <= set(args):
        raise _NoFix("the call's arguments cannot be read")
    if isinstance(args["cell_fw"], cst.Name) and isinstance(args["cell_bw"], cst.Name) and \
            args["cell_fw"].value == args["cell_bw"].value and \
            _constructor_kind(ctx, args["cell_fw"]):
        raise _NoFix("one cell object runs both directions (it shares its weights)")
    sources = [_cell_source(ctx, args[k], analysis, ignore) for k in ("cell_fw", "cell_bw")]
    if None in sources:
        return None
    if any(s.stacked for s in sources):
        raise _NoFix("a bidirectional MultiRNNCell")
    if "time_major" in args and _literal(args["time_major"]) is not False:
        raise _NoFix("time-major bidirectional RNNs are not rewritten")
    dtype = args.get("dtype")
    if dtype is not None and ctx.qualified_name(dtype) != "tensorflow.float32" and \
            _literal(dtype) not in ("float32", None):
        raise _NoFix("only float32 RNNs are rewritten")
    statement = ctx.statement_of(call)
    if not isinstance(statement, cst.Assign) or statement.value is not call or \
            len(statement.targets) != 1:
        raise _NoFix("the result is not assigned to `outputs, states`")
    targets = _elements(statement.targets[0].target)
    if static:
        if targets is None or len(targets) != 3:
            raise _NoFix("the result is not unpacked as `outputs, state_fw, state_bw`")
        outputs, state_fw, state_bw = targets
    else:
        if targets is None or len(targets) != 2:
            raise _NoFix("the result is not unpacked as `outputs, states`")
        outputs, states = targets
        pair = _elements(states)
        if pair is None:
            if not isinstance(states, cst.Name) or _used(states.value, analysis):
                raise _NoFix("the pair of final states is used as one value (unpack it as "
                             "`(state_fw, state_bw)`)")
            state_fw = state_bw = None
        elif len(pair) == 2:
            state_fw, state_bw = pair
        else:
            raise _NoFix("the final states are not unpacked as a pair")
    if not (isinstance(outputs, cst.Name) or
            (not static and _elements(outputs) and len(_elements(outputs)) == 2 and
             all(isinstance(e, cst.Name) for e in _elements(outputs)))):
        raise _NoFix("the outputs are not assigned to a name" +
                     ("" if static else " or a pair of names"))
    tf = ctx.tensorflow_name()
    inputs = args["inputs"]
    x = f"{tf}.stack({ctx.code(inputs)}, axis=1)" if static else ctx.code(inputs)
    keyword = []
    options = ["return_sequences=True"]
    if "sequence_length" in args and _literal(args["sequence_length"]) is not None:
        if not _simple(inputs):
            raise _NoFix("`sequence_length` with inputs that are not a plain name")
        maxlen = f"len({ctx.code(inputs)})" if static else f"{tf}.shape({ctx.code(inputs)})[1]"
        keyword.append(f"mask={tf}.sequence_mask({ctx.code(args['sequence_length'])}, "
                       f"{maxlen})")
    initial = [args.get(k) for k in ("initial_state_fw", "initial_state_bw")]
    initial = [v if v is not None and _literal(v) is not None else None for v in initial]
    if initial.count(None) == 1:
        raise _NoFix("an initial state for one direction only")
    if None not in initial:
        if sources[0].lstm != sources[1].lstm:
            raise _NoFix("initial states for an LSTM and a GRU/RNN (Keras splits the list of "
                         "states in two halves)")
        states = [_initial_state(ctx, v, s, explicit_zeros=True)
                  for v, s in zip(initial, sources)]
        if not all(_own_zero_state(v, s) for v, s in zip(initial, sources)):
            keyword.insert(0, f"initial_state=[{', '.join(states[0] + states[1])}]")
    initial = [v for v in initial if v is not None]
    edits = []
    for source in sources:
        edits.extend(_zero_state_edits(ctx, source, statement, initial, analysis))
    finals = [_final_state(ctx, t, s, analysis) for t, s in zip((state_fw, state_bw), sources)]
    state_targets, rebuild = [], []
    if any(f[0] for f in finals):
        options.append("return_state=True")
        for (names, _, _), source in zip(finals, sources):
            state_targets.extend(names or ["_"] * (2 if source.lstm else 1))
    for _, state_edits, lines in finals:
        edits.extend(state_edits)
        rebuild.extend(lines)
    if any(k.startswith("mask=") for k in keyword):
        options.append("zero_output_for_mask=True")
    texts, names = [], []
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
    # Bidirectional runs a copy of its forward layer (made from its config): the program's
    # uses of the forward cell's variables go to that copy.
    edits.extend(Edit(use, parse_expression(f"{layer}.forward_layer"))
                 for use in sources[0].attribute_uses)
    merge = "" if static else ", merge_mode=None"
    texts.append(f"{layer} = {tf}.keras.layers.Bidirectional({names[0]}, "
                 f"backward_layer={names[1]}{merge})")
    result = f"{layer}({', '.join([x, *keyword])})"
    if static:
        out = outputs.value
        sequence = analysis.fresh(f"{out}_stacked") if _used(out, analysis) else "_"
        texts.append(f"{', '.join([sequence, *state_targets])} = {result}")
        if sequence != "_":
            texts.append(f"{out} = {tf}.unstack({sequence}, axis=1)")
    else:
        pair = [e.value for e in _elements(outputs)] if _elements(outputs) else None
        if pair is None and state_targets:
            pair = ["_", "_"]
            if _used(outputs.value, analysis):
                pair = [analysis.fresh(f"{outputs.value}_fw"),
                        analysis.fresh(f"{outputs.value}_bw")]
                rebuild.insert(0, f"{outputs.value} = ({pair[0]}, {pair[1]})")
        out = ", ".join(pair) if pair else outputs.value
        texts.append(f"{', '.join([out, *state_targets])} = {result}")
    texts.extend(rebuild)
    if fallback is not None:
        edits.append(_replace_compound(fallback.node, texts))
    else:
        edits.append(_statement_edit(ctx, statement, texts))
    _check_disjoint(ctx, edits)
    function = "static_bidirectional_rnn" if static else "bidirectional_dynamic_rnn"
    shape = "concatenates the two directions at each step, in the input's time order, as " \
        "TF1 does" if static else "merge_mode=None keeps the (forward, backward) pair, in " \
        "the input's time order as in TF1"
    return _Plan(f"`{_short(sources[0].qualname)}` + `{function}`: use "
                 f"`tf.keras.layers.Bidirectional` ({shape})", edits)


def _replace_compound(node: cst.BaseCompoundStatement, texts: list[str]) -> Edit:
    lines = [_line(t) for t in texts]
    lines[0] = lines[0].with_changes(leading_lines=node.leading_lines)
    return Edit(node, lines)


# -- rules ------------------------------------------------------------------------------------

def _calls(ctx: Context, names: set[str]):
    for call, qualname in _rnn_calls(ctx):
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
- The cell must be built in its own statement and used by this call only (besides
  `zero_state` and its variables): a cell also used for `state_size`, `output_size` or
  called step by step is reported without a fix.
- A state the program uses whole (fetched, fed, passed as another call's `initial_state`,
  unpacked) is rebuilt as a plain tuple in TF1's order — `(c, h)` for an LSTM, one entry per
  layer for a MultiRNNCell — so `state[0]` is still `c`; but a tuple has no `.c`/`.h`, so a
  state that leaves the rewritten code another way (returned from a function, passed to one)
  is reported without a fix. The same holds for `zero_state`'s result, whose `.c`/`.h` in the
  file become `[0]`/`[1]`.
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
A state used whole keeps TF1's structure after the call: `state = (state_c, state_h)`.
`time_major=True` transposes the inputs and the outputs (the layer's batch-major outputs get
their own name, `outputs_batch_major`); `sequence_length` becomes a mask.
`cell.zero_state(batch, dtype)` becomes zeros in TF1's structure (`(tf.zeros([batch, n],
dtype), tf.zeros(...))` for an LSTM, one tensor for a GRU or basic RNN, a tuple of those for
a MultiRNNCell); `initial_state=` becomes the layer's `initial_state=` in Keras' order:
`[h, c]` from `LSTMStateTuple(c, h)` or a pair `(c, h)`, `[s[1], s[0]]` from a name `s`
holding TF1's `(c, h)` (a zero state, another call's final state, ...); the cell's own
`zero_state` written in the call is Keras' default and is dropped. `dtype`, `scope`,
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
            "rnn_cell = tf.nn.rnn_cell.LSTMCell(num_units=32)\n"
            "init_s = rnn_cell.zero_state(batch_size=1, dtype=tf.float32)\n"
            "outputs, final_s = tf.nn.dynamic_rnn(rnn_cell, x, initial_state=init_s)\n"
            "pred, s = sess.run([outputs, final_s], {x: data, init_s: s})\n",
            "import tensorflow as tf\n\n"
            "rnn_cell = tf.keras.layers.LSTM(32, return_sequences=True, return_state=True)\n"
            "init_s = (tf.zeros([1, 32], tf.float32), tf.zeros([1, 32], tf.float32))\n"
            "outputs, final_s_h, final_s_c = rnn_cell(x, initial_state=[init_s[1], "
            "init_s[0]])\n"
            "final_s = (final_s_c, final_s_h)\n"
            "pred, s = sess.run([outputs, final_s], {x: data, init_s: s})\n"),
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
        analysis = _analysis(ctx)
        taken = set(analysis.taken)
        try:
            plan = convert(ctx, call, qualname)
        except _NoFix as reason:
            analysis.taken = taken
            if stacked is not True and _involves_known_cell(ctx, call):
                ctx.report(call, f"`{label}` with TF1 cells: rewrite it as a Keras RNN "
                                 f"layer by hand ({reason}; MIGRATION_MAP caveat 13)")
            continue
        if plan is not None and (stacked is None or plan.stacked == stacked):
            ctx.report(call, plan.message, plan.edits, imports=("tensorflow",))
        else:
            analysis.taken = taken  # another rule reports this plan: its names are not kept


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
with `outputs = tf.unstack(outputs_stacked, axis=1)`, so code that uses the list
(`outputs[-1]`) keeps working.
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
GRU layer's `state[i]` becomes `state[i][0]`. A state used whole (fetched, fed, another
call's `initial_state`, `c, h = state[i]`) is rebuilt in TF1's structure instead, one tuple
per layer: `state = tuple((c, h) for h, c in state_layers)`.
`stack.zero_state(batch, dtype)` becomes a tuple of zeros per layer (a generator over the
MultiRNNCell's list comprehension, or one entry per listed cell), and `initial_state=s`
becomes `initial_state=[[h, c] for c, h in s]` (`[[h] for h in s]` for GRU/RNN layers).

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
        for call, qualname in _rnn_calls(ctx):
            if _cell_class(qualname) != "MultiRNNCell":
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
    if isinstance(parent, cst.Arg):
        consumer = ctx.parent(parent)
    else:
        assign = parent
        if not isinstance(assign, cst.Assign) or len(assign.targets) != 1 or \
                not isinstance(assign.targets[0].target, cst.Name):
            return None
        # The one use as an argument (the others are the definition, zero_state, weights).
        arguments = [ctx.parent(use) for use in
                     _analysis(ctx).uses(assign.targets[0].target.value)
                     if isinstance(ctx.parent(use), cst.Arg)]
        if len(arguments) != 1:
            return None
        consumer = ctx.parent(arguments[0])
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
    summary = "`bidirectional_dynamic_rnn` / `static_bidirectional_rnn` → " \
        "`tf.keras.layers.Bidirectional`."
    fix = FixSafety.SAFE
    prefilter = PREFILTER
    doc = """
## Why
`tf.nn.bidirectional_dynamic_rnn` and `tf.nn.static_bidirectional_rnn` (also
`tf.contrib.rnn.static_bidirectional_rnn`) run a forward and a backward TF1 cell; they are
TF1 only.

## What it becomes
Both cells become Keras layers with `return_sequences=True`, the backward one with
`go_backwards=True`, wrapped as `tf.keras.layers.Bidirectional(fw, backward_layer=bw, ...)`.

- `bidirectional_dynamic_rnn`: `merge_mode=None`, so the call returns the pair
  `[outputs_fw, outputs_bw]` with the backward outputs back in the input's time order, as TF1
  does; `tf.concat(outputs, 2)` keeps working.
- `static_bidirectional_rnn(fw, bw, steps)`: TF1 returns a list of per-step outputs, each the
  forward and backward outputs side by side: Keras' default `merge_mode="concat"` on
  `tf.stack(steps, axis=1)`, unstacked again (`outputs = tf.unstack(outputs_stacked,
  axis=1)`), so `outputs[-1]` keeps working. The `try:` / `except Exception:` that
  TensorFlow-Examples wraps around the call (the `except` branch calls it again for
  TensorFlow before 1.0, which returned the outputs alone) becomes the rewritten call alone.

The final states (`outputs, (state_fw, state_bw)` / `outputs, state_fw, state_bw`) are
returned with `return_state=True` and kept in TF1's structure as for TFM310 (`state_fw.h`,
`state_bw.c`, a state used whole); `initial_state_fw=`/`initial_state_bw=` become one
`initial_state=[...]` list, the forward layer's states then the backward layer's, each in
Keras' order. `sequence_length` becomes a mask (`zero_output_for_mask=True`): Keras reverses
each sequence within its mask like TF1's `reverse_sequence`.

Keras' `Bidirectional` runs a copy of its forward layer (made from its config), so the
program's uses of the forward cell's variables (`fw.weights`, `fw.set_weights(...)`) become
`bidirectional.forward_layer.weights`, ...

## Caveats
Reported without a fix: `time_major=True`, MultiRNNCells, one cell object for both
directions, an initial state for one direction only (or for an LSTM and a GRU together),
and a pair of final states used as one value. See TFM310 for the weight layout and
initialisation caveats.
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
            "import tensorflow as tf\nfrom tensorflow.contrib import rnn\n\n"
            "x = tf.unstack(x, timesteps, 1)\n"
            "lstm_fw_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)\n"
            "lstm_bw_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)\n"
            "outputs, state_fw, _ = rnn.static_bidirectional_rnn(lstm_fw_cell, lstm_bw_cell, "
            "x, dtype=tf.float32)\n"
            "logits = tf.matmul(tf.concat([outputs[-1], state_fw.c], 1), weights)\n",
            "import tensorflow as tf\n\n"
            "x = tf.unstack(x, timesteps, 1)\n"
            "lstm_fw_cell = tf.keras.layers.LSTM(num_hidden, return_sequences=True, "
            "return_state=True)\n"
            "lstm_bw_cell = tf.keras.layers.LSTM(num_hidden, return_sequences=True, "
            "return_state=True, go_backwards=True)\n"
            "bidirectional = tf.keras.layers.Bidirectional(lstm_fw_cell, "
            "backward_layer=lstm_bw_cell)\n"
            "outputs_stacked, state_fw_h, state_fw_c, _, _ = bidirectional(tf.stack(x, "
            "axis=1))\n"
            "outputs = tf.unstack(outputs_stacked, axis=1)\n"
            "logits = tf.matmul(tf.concat([outputs[-1], state_fw_c], 1), weights)\n"),
        Invalid(
            "import tensorflow as tf\n\n"
            "fw = tf.nn.rnn_cell.GRUCell(16)\n"
            "bw = tf.nn.rnn_cell.GRUCell(16)\n"
            "outputs, states = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, dtype=tf.float32)\n"
            "h = tf.concat(states, 1)\n"),
    )

    def on_module(self, ctx: Context) -> None:
        _report_consumers(ctx, BIDIRECTIONAL, "bidirectional_dynamic_rnn",
                          lambda ctx, call, _: _convert_bidirectional(ctx, call))
        _report_consumers(ctx, STATIC_BIDIRECTIONAL, "static_bidirectional_rnn",
                          lambda ctx, call, _: _convert_bidirectional(ctx, call, static=True))


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
        restores = [c for c, qualname in _rnn_calls(ctx) if qualname in CHECKPOINT_CALLS]
        if not restores:
            return
        if not any((_cell_class(qualname) or "") in CELLS for _, qualname in _rnn_calls(ctx)):
            return
        for call in restores:
            ctx.report(call, "this file restores a TF1 checkpoint and builds TF1 RNN cells: "
                             "Keras RNN layers keep their weights in another layout (gate "
                             "order, split kernel, forget_bias); load them with "
                             "`tf.train.load_checkpoint` and the map in `tfmigrate explain "
                             "TFM315`")
