"""TFM2xx: graph programs become eager programs — `outputs = f(inputs)`.

A TF1 program builds a graph (placeholders, tensors, a train op) and runs pieces of it with
`sess.run(fetches, feed_dict)`. Its TF2 form is a set of Python functions: each distinct
fetch structure becomes one `tf.function` whose parameters are the placeholders it reaches
and whose body is the graph-building statements the fetches depend on; variables, layers and
optimizers are created once, outside. The session, its initializer runs and its `close` go
away. `minimize` becomes a `tf.GradientTape` step with the TF1 optimizer's hyperparameters.

The analysis works on one block at a time — a module body or a function body, with the
bodies of `with tf.Session() as sess:` flattened into it — and rewrites the whole block in
one fix, or nothing: whenever a step cannot be proven (a fetch computed at run time, a
session passed away, a feed of a non-placeholder, ...) TFM202 says why and the block is left
as it is.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass, field
from typing import Iterator, Sequence

import libcst as cst

from tfmigrate.aliases import children
from tfmigrate.context import Context, Reference
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid

from ._calls import argument
from ._nodes import walk
from .api import CASTS, CHANGED, RENAMES, is_tf1_name, short, tf1_only_prefix
from .optimizers import OptimizerPlan, keras_optimizer
from .summaries import file_writer_call, keras_metric, unconvertible_reason, v2_summary_call

SESSIONS = {"tensorflow.Session", "tensorflow.InteractiveSession"}
SESSION_TOKEN = "Session"  # no graph program without one of SESSIONS in the text
PLACEHOLDERS = {"tensorflow.placeholder", "tensorflow.placeholder_with_default"}
INITIALIZERS = {"tensorflow.global_variables_initializer", "tensorflow.initialize_all_variables",
                "tensorflow.local_variables_initializer", "tensorflow.initialize_local_variables",
                "tensorflow.tables_initializer", "tensorflow.variables_initializer"}
GRAPH_RESETS = {"tensorflow.reset_default_graph"}
VARIABLE_MAKERS = {"tensorflow.Variable", "tensorflow.get_variable"}
GLOBAL_STEPS = {"tensorflow.train.get_or_create_global_step", "tensorflow.train.create_global_step"}
# Statements built from these construct state that lives across calls: they stay in place.
STATE_PREFIXES = ("tensorflow.keras.layers.", "tensorflow.keras.optimizers.",
                  "tensorflow.keras.metrics.", "tensorflow.keras.losses.",
                  "tensorflow.keras.Sequential", "tensorflow.keras.Model",
                  "tensorflow.train.Checkpoint", "tensorflow.summary.create_file_writer")
# random ops draw anew at each run, so they belong to the run's function (initializers do not)
RANDOM = re.compile(r"^tensorflow\.(random\.|random_|truncated_normal|multinomial|nn\.dropout)"
                    r"(?!.*[Ii]nitializer)")
# Statements the rewrite takes away (into functions, or for good).
REMOVED_KINDS = ("placeholder", "graph", "train", "init", "session", "summary", "merge",
                 "config", "gradients", "varlist")
COLLECTIONS = {"tensorflow.get_collection", "tensorflow.get_collection_ref",
               "tensorflow.add_to_collection", "tensorflow.add_to_collections"}
SUMMARY_OPS = {f"tensorflow.summary.{kind}" for kind in ("scalar", "histogram", "image",
                                                         "audio", "text")}
TRAIN_NAMES = {"train_op", "train", "optimizer", "opt", "train_step", "optimize", "minimize",
               "training_op", "trainer", "update", "train_ops", "optim"}


class Unproven(Exception):
    """The block cannot be rewritten as a whole; the message says why and what to do."""

    def __init__(self, node: cst.CSTNode, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


class Waiting(Exception):
    """Another rule rewrites part of the graph first (the next fix pass comes back)."""

    def __init__(self, node: cst.CSTNode, name: str) -> None:
        super().__init__(name)
        self.node = node
        self.name = name


# -- small tree helpers -----------------------------------------------------------------------

def name_nodes(node: cst.CSTNode) -> Iterator[cst.Name]:
    """Every Name in `node` that stands for a variable (not an attribute or keyword name)."""
    skip: set = set()
    for child in walk(node):
        if isinstance(child, cst.Attribute):
            skip.add(child.attr)
        elif isinstance(child, cst.Arg) and child.keyword is not None:
            skip.add(child.keyword)
        elif isinstance(child, (cst.FunctionDef, cst.ClassDef)):
            skip.add(child.name)
        elif isinstance(child, cst.Name) and child not in skip:
            yield child


def names_used(node: cst.CSTNode) -> set[str]:
    """Names read or bound in `node` (attribute names and keywords excluded)."""
    return {child.value for child in name_nodes(node)}


def bound_names(node: cst.FunctionDef | cst.Lambda | cst.ClassDef) -> set[str]:
    """Names local to a function: its parameters and what its body assigns."""
    local = set()
    params = node.params if not isinstance(node, cst.ClassDef) else None
    if params is not None:
        for param in [*params.params, *params.kwonly_params, *params.posonly_params]:
            local.add(param.name.value)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                local.add(star.name.value)
    for child in walk(node.body):
        if isinstance(child, cst.AssignTarget):
            local.update(target_names(child.target) or [])
        elif isinstance(child, (cst.For, cst.CompFor)):
            local.update(target_names(child.target) or [])
    return local


def free_names(node) -> set[str]:
    return names_used(node) - bound_names(node)


def target_names(target: cst.BaseExpression) -> list[str] | None:
    """Names bound by an assignment target, None for attribute/subscript/starred targets."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        names = []
        for element in target.elements:
            if isinstance(element, cst.StarredElement):
                if not isinstance(element.value, cst.Name):
                    return None
                names.append(element.value.value)
                continue
            inner = target_names(element.value)
            if inner is None:
                return None
            names.extend(inner)
        return names
    return None


def arg(call: cst.Call, position: int | None, keyword: str) -> cst.BaseExpression | None:
    """The value of an argument (see `argument`)."""
    found = argument(call, position, keyword)
    return found.value if found is not None else None


def indent(text: str, prefix: str = "    ") -> str:
    return "".join(prefix + line if line.strip() else line
                   for line in text.splitlines(keepends=True))


def substituted(node: cst.CSTNode, mapping: dict) -> cst.CSTNode:
    """`node` with the nodes in `mapping` swapped; unlike a libcst transformer, every subtree
    without a swap stays the same object, so the module's name resolution still knows it."""
    if node in mapping:
        return mapping[node]
    changes = {}
    for field_ in dataclasses.fields(node):
        value = getattr(node, field_.name)
        if isinstance(value, cst.CSTNode):
            new = substituted(value, mapping)
        elif isinstance(value, (list, tuple)) and any(isinstance(v, cst.CSTNode) for v in value):
            items = [substituted(v, mapping) if isinstance(v, cst.CSTNode) else v for v in value]
            new = value if all(a is b for a, b in zip(items, value)) else type(value)(items)
        else:
            continue
        if new is not value:
            changes[field_.name] = new
    return node.with_changes(**changes) if changes else node


def self_to_names(line: cst.CSTNode, names: dict[str, str], renamed: dict[str, str]
                  ) -> cst.CSTNode:
    """`self.loss` → `loss`: a graph class's attributes as the names of one block (and its
    `__init__`'s own names `renamed` apart from that block's)."""
    mapping = {node: cst.Name(names[node.attr.value]) for node in walk(line)
               if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name)
               and node.value.value == "self" and node.attr.value in names}
    mapping.update({node: cst.Name(renamed[node.value]) for node in name_nodes(line)
                    if node.value in renamed})
    return substituted(line, mapping) if mapping else line


class _Renamer(cst.CSTTransformer):
    """Names (as variables: not attributes, keywords or parameters) → new expressions."""

    def __init__(self, tree: cst.CSTNode, new: dict[str, str], params: bool = False) -> None:
        self.new = new
        self.skip = set()  # parameters too, unless they are renamed as well (`params`)
        for node in walk(tree):
            if isinstance(node, cst.Attribute):
                self.skip.add(node.attr)
            elif isinstance(node, cst.Arg) and node.keyword is not None:
                self.skip.add(node.keyword)
            elif isinstance(node, (cst.FunctionDef, cst.ClassDef)) or (
                    isinstance(node, cst.Param) and not params):
                self.skip.add(node.name)

    def leave_Name(self, original_node, updated_node):
        if original_node.value in self.new and original_node not in self.skip:
            return cst.parse_expression(self.new[original_node.value])
        return updated_node


@dataclass(eq=False)
class GraphClass:
    """A class whose `__init__` builds a graph (`self.x = tf.placeholder(...)`, `self.train_op =
    ...minimize(...)`) that a session elsewhere runs through its instances (`net.train_op`).

    Its `__init__` body joins the running block, `self.<attribute>` written as a name, so that
    the block's analysis sees one program; its runs become methods."""
    node: cst.ClassDef
    init: cst.FunctionDef
    placeholders: set[str]  # attributes holding placeholders
    names: dict[str, str] = field(default_factory=dict)  # attribute → name in the lines
    locals: dict[str, str] = field(default_factory=dict)  # __init__'s own name → name there
    lines: list = field(default_factory=list)  # the __init__ body, translated
    helpers: dict = field(default_factory=dict)  # `self.build()` line of __init__ → the method
    origins: dict = field(default_factory=dict)  # translated line → the line it stands for
    # module-level placeholders `__init__` reads (`tf_x = tf.placeholder(...)` before the
    # class is instantiated): fed to its instances' methods like its own placeholders
    module_placeholders: set = field(default_factory=set)
    # methods `__init__` calls with arguments (in a loop, for a value): in the lines, a
    # function defined before its first call, closing over the graph's names
    loop_helpers: dict = field(default_factory=dict)  # method name → the method

    def translate(self, taken: set[str]) -> None:
        own = bound_names(self.init).union(*(bound_names(h) for h in self.helpers.values()),
                                           set(self.loop_helpers))
        for helper in [*self.helpers.values(), *self.loop_helpers.values()]:
            if free_names(helper) & (bound_names(self.init) - {"self"}):
                raise Unproven(helper, f"`{helper.name.value}` reads a global that `__init__` "
                               "shadows; rename one of them")
        # the __init__'s own names that the running block also uses are renamed apart
        for name in sorted(own - {"self"}):
            new, number = name, 2
            while new in taken or new in self.locals.values():
                new, number = f"{name}_{number}", number + 1
            self.locals[name] = new
        local = own | taken | set(self.locals.values()) | set().union(
            *(bound_names(h) for h in self.loop_helpers.values()))
        bodies = [self.init.body, *(h.body for h in self.helpers.values()),
                  *(h.body for h in self.loop_helpers.values())]
        attributes = [target.attr.value for body in bodies for node in walk(body)
                      if isinstance(node, cst.AssignTarget)
                      for target in [node.target] if isinstance(target, cst.Attribute)
                      and isinstance(target.value, cst.Name) and target.value.value == "self"]
        for attribute in dict.fromkeys(attributes):
            name, number = attribute, 2
            while name in local:
                name, number = f"{attribute}_{number}", number + 1
            local.add(name)
            self.names[attribute] = name
        renamed = {old: new for old, new in self.locals.items() if old != new}
        # a build method `__init__` calls once is part of it: its lines stand for the call
        lines = [inner for line in self.init.body.body for inner in (
            self.helpers[line].body.body if line in self.helpers else [line])]
        calls = {**self.names, **{name: self.locals[name] for name in self.loop_helpers}}
        self.lines = [self_to_names(line, calls, renamed) for line in lines]
        self.origins = dict(zip(self.lines, lines))
        for name, method in self.loop_helpers.items():
            params = method.params
            function = method.with_changes(
                name=cst.Name(self.locals[name]), decorators=[], leading_lines=[],
                params=params.with_changes(params=params.params[1:]))
            function = self_to_names(function, calls, {})
            first = next((i for i, line in enumerate(self.lines) if any(
                isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and
                n.func.value == self.locals[name] for n in walk(line))), None)
            if first is None:
                raise Unproven(method, f"`{name}` is called only from another method")
            self.lines.insert(first, function)
            self.origins[function] = method


def module_placeholders(ctx: Context) -> set[str]:
    """Names a module-level line binds to a placeholder (`tf_x = tf.placeholder(...)`)."""
    found = set()
    for line in ctx.module.body:
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 and \
                isinstance(line.body[0], cst.Assign) and len(line.body[0].targets) == 1 and \
                isinstance(line.body[0].targets[0].target, cst.Name) and \
                isinstance(line.body[0].value, cst.Call) and \
                ctx.qualified_name(line.body[0].value.func) in PLACEHOLDERS:
            found.add(line.body[0].targets[0].target.value)
    return found


def graph_classes(ctx: Context) -> list[GraphClass]:
    found = []
    module_fed = module_placeholders(ctx)
    for statement in ctx.module.body:
        if not isinstance(statement, cst.ClassDef) or \
                not isinstance(statement.body, cst.IndentedBlock):
            continue
        init = next((m for m in statement.body.body if isinstance(m, cst.FunctionDef)
                     and m.name.value == "__init__"), None)
        if init is None or not isinstance(init.body, cst.IndentedBlock):
            continue
        helpers = build_methods(statement, init)
        placeholders = {target.attr.value for body in [init.body, *helpers.values()]
                        for node in walk(body)
                        if isinstance(node, cst.Assign) and len(node.targets) == 1
                        and ctx.qualified_name(node.value.func if isinstance(
                            node.value, cst.Call) else node.value) in PLACEHOLDERS
                        for target in [node.targets[0].target]
                        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                        and target.value.value == "self"}
        loop_helpers = init_helpers(statement, init, helpers)
        read = module_fed & set().union(free_names(init),
                                        *(free_names(h) for h in helpers.values()),
                                        *(free_names(h) for h in loop_helpers.values()))
        if placeholders or read:
            found.append(GraphClass(statement, init, placeholders, helpers=helpers,
                                    module_placeholders=read, loop_helpers=loop_helpers))
    return found


def init_helpers(node: cst.ClassDef, init: cst.FunctionDef, helpers: dict) -> dict:
    """Methods only `__init__` (or its build methods) calls, with arguments or for a value
    (`self.add_layer(h[-1], 10)` in a loop): name → method. Not decorated, `self` first, no
    `*args`/`**kwargs`."""
    methods = {m.name.value: m for m in node.body.body if isinstance(m, cst.FunctionDef)}
    builders = [init, *helpers.values()]
    inside = {n for b in builders for n in walk(b)}
    found = {}
    for name, method in methods.items():
        params = method.params
        if method in builders or method.decorators or method.asynchronous or \
                sum(m.name.value == name for m in node.body.body
                    if isinstance(m, cst.FunctionDef)) != 1 or \
                not params.params or params.params[0].name.value != "self" or \
                params.posonly_params or isinstance(params.star_arg, cst.Param) or \
                params.star_kwarg is not None:
            continue
        uses = [n for n in walk(node) if isinstance(n, cst.Attribute) and
                isinstance(n.value, cst.Name) and n.value.value == "self" and
                n.attr.value == name]
        calls = [n for n in walk(node) if isinstance(n, cst.Call) and n.func in uses]
        if uses and len(calls) == len(uses) and all(c in inside for c in calls) and not any(
                isinstance(n, cst.Name) and n.value == name for n in walk(method.body)):
            found[name] = method
    return found


def build_methods(node: cst.ClassDef, init: cst.FunctionDef) -> dict:
    """`self._build_net()` lines of `__init__`: methods taking only `self`, called nowhere
    else, returning nothing, that build part of the graph."""
    methods = {m.name.value: m for m in node.body.body if isinstance(m, cst.FunctionDef)}
    uses: dict[str, int] = {}
    for child in walk(node):
        if isinstance(child, cst.Attribute) and isinstance(child.value, cst.Name) and \
                child.value.value == "self" and child.attr.value in methods:
            uses[child.attr.value] = uses.get(child.attr.value, 0) + 1
    found = {}
    for line in init.body.body:
        call = line.body[0].value if isinstance(line, cst.SimpleStatementLine) and \
            len(line.body) == 1 and isinstance(line.body[0], cst.Expr) else None
        if not (isinstance(call, cst.Call) and not call.args and
                isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name)
                and call.func.value.value == "self"):
            continue
        method = methods.get(call.func.attr.value)
        params = method.params if method is not None else None
        if method is None or uses[method.name.value] != 1 or method.decorators or \
                len(params.params) != 1 or params.star_arg is not cst.MaybeSentinel.DEFAULT \
                and params.star_arg is not None or params.star_kwarg or params.kwonly_params \
                or not isinstance(method.body, cst.IndentedBlock) or any(
                    isinstance(n, cst.Return) and n.value is not None
                    for n in walk(method.body)):
            continue
        found[line] = method
    return found


# -- the analysis -------------------------------------------------------------------------------

@dataclass
class Statement:
    line: cst.SimpleStatementLine | cst.BaseCompoundStatement
    kind: str  # placeholder variable optimizer train init session eager graph plain compound
    targets: list[str] = field(default_factory=list)
    uses: set[str] = field(default_factory=set)
    call: cst.Call | None = None  # the placeholder / optimizer / minimize call
    optimizer: str | None = None  # a train statement's Keras optimizer variable
    index: int = 0
    code: cst.CSTNode | None = None  # what moves into the functions, when not all the line


@dataclass
class Leaf:
    node: cst.BaseExpression
    train: str | None = None  # the train op's name when the leaf is one
    summary: str | None = None  # the merged summary's name when the leaf is one
    metric: tuple | None = None  # (Keras metric variable, "value" | "update", update args)
    iterator: str | None = None  # the iterator whose initializer the leaf is


@dataclass(eq=False)
class RunSite:
    call: cst.Call
    fetch: cst.BaseExpression
    leaves: list[Leaf]
    shape: str  # single list tuple dict
    feeds: dict[str, cst.BaseExpression]
    statement: cst.SimpleStatementLine | None  # the line, when the run is its whole value
    function: "Function | None" = None
    line_index: int = 0  # the block line it is in
    writes: dict = field(default_factory=dict)  # leaf position → (writer, step code, line)
    receiver: str | None = None  # `net` of `net.loss`: an instance of the graph class
    # a run of several instances (`[nets[0].train, nets[1].train]`): one run per instance,
    # each with its leaves' positions in this run's fetch
    parts: list = field(default_factory=list)
    positions: list = field(default_factory=list)
    whole: "RunSite | None" = None  # the run a part is of
    feed_name: str | None = None  # a feed dict chosen in an if/else, passed as keywords
    branches: list = field(default_factory=list)  # its literal in each branch


@dataclass
class Function:
    name: str
    leaves: list[str]  # code of each returned fetch
    train: str | None
    params: list[str]
    body: list[Statement]
    loss_body: list[Statement]
    position: int
    sites: list[RunSite] = field(default_factory=list)
    summaries: list[Statement] = field(default_factory=list)  # written, in order
    writer: str | None = None
    step: str | None = None  # the parameter the summaries' step comes in
    updates: list = field(default_factory=list)  # (metric, update args) run by the function
    names: list = field(default_factory=list)  # the fetches as written, to name the function
    trains: list = field(default_factory=list)  # every train op the run ran
    method: bool = False  # runs through instances of the graph class: a method of it


class Block:
    """One block's graph program: what each statement is, and every session use."""

    def __init__(self, ctx: Context, body: Sequence[cst.BaseStatement]) -> None:
        self.ctx = ctx
        self.body = list(body)
        self.tf = ctx.tensorflow_name()
        self.sessions: set[str] = set()
        self.session_calls: list[cst.Call] = []
        self.session_withs: list[cst.With] = []
        self.statements: list[Statement] = []
        self.by_target: dict[str, Statement] = {}
        self.sites: list[RunSite] = []
        self.feed_uses: set = set()
        self.saver_sessions: set = set()
        self.allowed_session_uses: set = set()  # in code the rewrite drops (FileWriter graph)
        self.resets: list = []  # runs of local-variable initializers: metrics start over
        self.proto_writes: dict = {}  # add_summary(Summary proto) lines → v2 scalar writes
        self.saver_replacements: dict = {}
        self.defined: set[str] = set()  # texts of classes already emitted
        self.graph_class: GraphClass | None = None  # a class whose __init__ builds the graph
        self.prefix = 0  # how many of the lines are that __init__'s, translated
        self.module_definitions: list = []  # classes the Keras optimizers need, module level
        self.class_edit: Edit | None = None  # the graph class, when outside the block
        self.self_run = False  # the graph class's own methods run its session (`self.sess`)
        self.rewritten: dict = {}  # each of the block's lines → what it became
        self.own_members: dict = {}  # name standing for a `self.<attribute>` → that attribute
        self.factory_replacements: dict = {}  # instances given a TF1 optimizer class
        self.factory_definitions: list = []  # the classes their Keras optimizers need

    # -- names -----------------------------------------------------------------------------
    def qualified(self, node: cst.BaseExpression) -> str | None:
        return self.ctx.qualified_name(node)

    def call_name(self, node: cst.BaseExpression | None) -> str | None:
        if isinstance(node, cst.Call):
            return self.qualified(node.func)
        return None

    def session_call(self, node: cst.BaseExpression | None) -> bool:
        return self.call_name(node) in SESSIONS

    # -- step 1: flatten the session blocks, classify statements ----------------------------
    def flatten(self) -> list[cst.BaseStatement]:
        """The block's statements with session and scope `with` bodies in their place."""
        self.with_comments: dict[int, list[cst.EmptyLine]] = {}
        lines: list[cst.BaseStatement] = []
        if self.graph_class is not None:
            self._flatten(self.graph_class.lines, lines)
            self.prefix = len(lines)
        self._flatten(self.body, lines)
        return lines

    def _flatten(self, statements, lines) -> None:
        for statement in statements:
            if not isinstance(statement, cst.With) or not isinstance(statement.body,
                                                                     cst.IndentedBlock):
                lines.append(statement)
                continue
            if any(self.session_call(item.item) for item in statement.items):
                if len(statement.items) != 1 or statement.asynchronous:
                    raise Unproven(statement, "a `with` that opens a session and something "
                                   "else: split it, then run tfmigrate again")
                item = statement.items[0]
                if item.asname is not None:
                    if not isinstance(item.asname.name, cst.Name):
                        raise Unproven(statement, "session bound to a pattern")
                    self.sessions.add(item.asname.name.value)
                self.check_session_args(item.item)
            elif not self._plain_scope(statement):
                lines.append(statement)
                continue
            self.session_withs.append(statement)
            self.with_comments.setdefault(len(lines), []).extend(statement.leading_lines)
            self._flatten(statement.body.body, lines)

    def _plain_scope(self, statement: cst.With) -> bool:
        """`with tf.name_scope("x"):` / `tf.variable_scope("x"):` without reuse: names only."""
        if len(statement.items) != 1 or statement.items[0].asname is not None:
            return False
        call = statement.items[0].item
        name = self.call_name(call)
        if name not in ("tensorflow.name_scope", "tensorflow.variable_scope"):
            return False
        return all(a.keyword is None or a.keyword.value in ("name_or_scope", "default_name",
                                                           "values")
                   for a in call.args)

    def check_session_args(self, call: cst.Call) -> None:
        for argument in call.args:
            name = argument.keyword.value if argument.keyword else None
            if name != "config":
                raise Unproven(call, "a session with a `graph` or `target`: several graphs "
                               "or a remote master have no eager equivalent; rewrite by hand")
        self.session_calls.append(call)

    def resolve_configs(self) -> None:
        """The options each session was created with (after the config lines are known)."""
        for call in self.session_calls:
            self._session_config(call)

    def _session_config(self, call: cst.Call) -> None:
        for argument in call.args:
            name = argument.keyword.value if argument.keyword else None
            if name != "config":
                raise Unproven(call, "a session with a `graph` or `target`: several graphs "
                               "or a remote master have no eager equivalent; rewrite by hand")
            value = argument.value
            if isinstance(value, cst.Name) and value.value in self.configs:
                self.session_configs.append(value.value)
            elif self.call_name(value) == "tensorflow.ConfigProto":
                self.config_options.update(self.config_call(value, ""))
            else:
                raise Unproven(value, "a session config built elsewhere: set the `tf.config` "
                               "options by hand")

    def config_call(self, call: cst.Call, prefix: str) -> dict:
        """`tf.ConfigProto(allow_soft_placement=True, gpu_options=tf.GPUOptions(...))` →
        {"allow_soft_placement": node, "gpu_options.allow_growth": node}."""
        options = {}
        for argument in call.args:
            if argument.keyword is None:
                raise Unproven(call, "a positional ConfigProto argument")
            key = prefix + argument.keyword.value
            if self.call_name(argument.value) == "tensorflow.GPUOptions":
                options.update(self.config_call(argument.value, key + "."))
            else:
                options[key] = argument.value
        return options

    def config_lines(self) -> list[cst.BaseStatement]:
        """The `tf.config` calls for the options the sessions were given, in TF2 spelling.

        They must run before TensorFlow initialises its devices and threads, so they go
        first in the block; only literal values can be moved there."""
        tf, lines = self.tf, []
        options = dict(self.config_options)
        for name in self.session_configs:
            options.update(self.configs[name])
        for key, node in options.items():
            if not isinstance(node, (cst.Name, cst.Integer, cst.Float, cst.Dict)) or (
                    isinstance(node, cst.Name) and node.value not in ("True", "False")):
                raise Unproven(node, f"session option `{key}` set from a computed value: set "
                               "the `tf.config` option by hand")
            value = self.ctx.code(node)
            if key == "gpu_options.allow_growth":
                lines.append(f"for gpu in {tf}.config.list_physical_devices(\"GPU\"):\n"
                             f"    {tf}.config.experimental.set_memory_growth(gpu, {value})\n")
            elif key == "allow_soft_placement":
                lines.append(f"{tf}.config.set_soft_device_placement({value})\n")
            elif key == "log_device_placement":
                lines.append(f"{tf}.debugging.set_log_device_placement({value})\n")
            elif key in ("intra_op_parallelism_threads", "inter_op_parallelism_threads"):
                kind = key.split("_")[0]
                lines.append(f"{tf}.config.threading.set_{kind}_op_parallelism_threads({value})\n")
            elif key == "device_count" and isinstance(node, cst.Dict) and all(
                    isinstance(e, cst.DictElement) and isinstance(e.value, cst.Integer) and
                    e.value.value == "0" for e in node.elements):
                for element in node.elements:
                    lines.append(f"{tf}.config.set_visible_devices([], {self.ctx.code(element.key)})\n")
            else:
                raise Unproven(node, f"session option `{key}` has no `tf.config` equivalent "
                               "tfmigrate knows; set it by hand")
        return [cst.parse_statement(line) for line in lines]

    def classify(self, lines: Sequence[cst.BaseStatement]) -> None:
        self.fed: set[str] = set()  # placeholders and the tensors computed from them
        self.variables: set[str] = set()  # names holding variables (or layers, optimizers)
        self.eager: set[str] = set()  # tensors that depend on nothing fed or trained
        self.optimizers: set[str] = set()
        self.bindings: dict[str, list[Statement]] = {}  # every binding of each name, in order
        self.state_lines: dict = {}  # state lines rewritten in place (global step, iterator)
        self.summary_ops: list = []  # (line, call) of each v1 summary op, in order
        self.metric_names: dict = {}  # TF1 metric value/update name → (object, role, args, uses)
        self.metric_objects: list[str] = []
        self.variable_lists: set[str] = set()  # `tvars = tf.trainable_variables()`
        self.ever_tensors: set[str] = set()  # names that held a tensor at some line
        self.configs: dict = {}  # ConfigProto name → {option path: value node}
        self.session_configs: list[str] = []
        self.config_options: dict = {}  # options of ConfigProtos written in Session(...)
        self.merges: dict = {}  # merged summary name → its summary ops
        self.writers: set[str] = set()
        self.savers: dict = {}  # Saver name → its line
        self.iterators: dict = {}  # initializable iterator name → (line, dataset node)
        self.numbered_saves: list = []  # (call, saver, path prefix, step) of saves with a step
        # the module's placeholders a graph class reads come later in the lines than the
        # class's (translated) `__init__`, but are bound before any instance is made
        self.late_fed = set(self.graph_class.module_placeholders) if self.graph_class else set()
        self.fed |= self.late_fed
        self.growers: dict = {}  # a graph function → the lists of the graph its calls grow
        for index, line in enumerate(lines):
            statement = self._classify(line)
            statement.index = index
            grown = self._grown_by_calls(line) - set(statement.targets)
            if grown and statement.kind == "graph" and \
                    isinstance(line, cst.SimpleStatementLine):
                self._graph_lists(grown, line)
                statement.targets = [*statement.targets, *sorted(grown)]
            self.statements.append(statement)
            self.ever_tensors |= self.graph_names
            if statement.kind == "plain":  # `l = sess.run(...)`: from here on, not a tensor
                for group in (self.fed, self.variables, self.eager):
                    group.difference_update(statement.targets)
            for name in statement.targets:
                earlier = self.by_target.get(name)
                if earlier is not None and statement.kind != "plain" and not (
                        earlier.kind == statement.kind == "graph") and \
                        earlier.kind not in ("eager", "plain"):
                    raise Unproven(line, f"`{name}` is bound twice in the graph program; "
                                   "give each tensor its own name")
                self.bindings.setdefault(name, []).append(statement)
                self.by_target[name] = statement

    @property
    def graph_names(self) -> set[str]:
        return self.fed | self.variables | self.eager | self.optimizers

    def _classify(self, line) -> Statement:
        if isinstance(line, cst.FunctionDef) and free_names(line) & self.fed and not any(
                isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and
                n.func.attr.value in ("run", "eval") for n in walk(line)):
            # a helper that closes over graph tensors is computed with them, in the function
            self.fed.add(line.name.value)
            local = bound_names(line)
            grown = {n.func.value.value for n in walk(line.body) if isinstance(n, cst.Call)
                     and isinstance(n.func, cst.Attribute) and isinstance(n.func.value, cst.Name)
                     and n.func.attr.value in self.LIST_METHODS and n.func.value.value not in local}
            if grown:  # `hidden.append(h)` in it: a call grows that list of the graph
                self.growers[line.name.value] = grown
            return Statement(line, "graph", [line.name.value], free_names(line))
        if not isinstance(line, cst.SimpleStatementLine):
            if any(isinstance(n, cst.Call) and self.call_name(n) in SESSIONS
                   for n in walk(line)):
                raise Unproven(line, "a session made inside a compound statement (`if`, a "
                               "loop, a nested `with`): make one session at the top of the "
                               "block, then run tfmigrate again")
            if isinstance(line, (cst.For, cst.If)) and not names_used(line) & self.sessions \
                    and self._uses_outside_runs(line) & self.fed:
                return self._graph_compound(line)
            return Statement(line, "compound", uses=names_used(line))
        small = line.body[0]
        mutated = self._mutation(line)
        if mutated is not None:  # `hidden.append(h)`: the list of tensors is built anew
            uses = names_used(line)
            if uses & self.fed:
                self._graph_lists({mutated}, line)
                return Statement(line, "graph", [mutated], uses)
        if len(line.body) != 1:
            uses = names_used(line)
            if uses & (self.fed | self.variables | self.sessions):
                raise Unproven(line, "several statements on one line use the graph: "
                               "put them on separate lines")
            return Statement(line, "plain", uses=uses)
        config = self._config_statement(line, small)
        if config is not None:
            return config
        if isinstance(small, cst.Expr):
            value, targets = small.value, []
        elif isinstance(small, cst.Assign) and len(small.targets) == 1:
            value = small.value
            targets = target_names(small.targets[0].target)
            if targets is None:
                uses = names_used(small)
                if uses & (self.fed | self.sessions):
                    raise Unproven(line, "an attribute or item of a graph object is assigned: "
                                   "rewrite this block by hand")
                return Statement(line, "plain", uses=uses)
        else:
            uses = names_used(small)
            if uses & (self.fed | self.sessions):
                raise Unproven(line, "this statement changes a graph value in place")
            return Statement(line, "plain", uses=uses)
        uses = names_used(value)
        name = self.call_name(value)
        if name in SESSIONS:
            if len(targets) > 1:
                raise Unproven(line, "session bound to a pattern")
            self.check_session_args(value)
            self.sessions.update(targets)
            return Statement(line, "session", targets, uses, value)
        if name in PLACEHOLDERS:
            if len(targets) != 1:
                raise Unproven(line, "a placeholder must be bound to one name")
            self.fed.update(targets)
            return Statement(line, "placeholder", targets, uses, value)
        inner = [n for n in walk(value) if isinstance(n, cst.Call)
                 and self.call_name(n) == "tensorflow.placeholder"]
        if inner and isinstance(value, (cst.BinaryOperation, cst.UnaryOperation)) and \
                len(inner) == 1 and len(targets) == 1:
            # `x = tf.placeholder(...) / 255.` is fed as `x`: a feed replaces the whole value
            self.fed.update(targets)
            return Statement(line, "placeholder", targets, uses, inner[0])
        if name in SUMMARY_OPS and len(targets) <= 1:
            self.summary_ops.append((line, value))
            return Statement(line, "summary", targets, uses, value)
        if name in ("tensorflow.summary.merge_all", "tensorflow.summary.merge"):
            if len(targets) != 1:
                raise Unproven(line, "a merged summary must be bound to one name")
            self.merges[targets[0]] = self._merged(line, value, name)
            return Statement(line, "merge", targets, uses, value)
        if name == "tensorflow.summary.FileWriter" and len(targets) == 1:
            new = file_writer_call(value, name, self.tf)
            if new is None:
                raise Unproven(line, "this FileWriter has no v2 equivalent; use "
                               "`tf.summary.create_file_writer(logdir)`")
            self.writers.add(targets[0])
            self.allowed_session_uses.update(walk(value))
            self.state_lines[line] = line.with_changes(body=[small.with_changes(
                value=cst.parse_expression(new))])
            return Statement(line, "variable", targets, uses, value)
        metric = self._metric(value)
        if metric is not None:
            return self._metric_statement(line, small, targets, uses, *metric)
        if name in INITIALIZERS or name in GRAPH_RESETS or (
                name == "tensorflow.group" and value.args and
                all(self.call_name(a.value) in INITIALIZERS for a in value.args)):
            return Statement(line, "init", targets, uses, value)
        if name and name.startswith("tensorflow.train.") and name.endswith("Optimizer"):
            self.optimizers.update(targets)
            return Statement(line, "optimizer", targets, uses, value)
        minimize = self._minimize(value)
        if minimize is None and isinstance(value, cst.Call) and \
                isinstance(value.func, cst.Attribute) and value.func.attr.value == "minimize":
            raise Unproven(line, "`minimize` of an optimizer made elsewhere (passed in as a "
                           "class or an object): create the `tf.train` optimizer here, or "
                           "rewrite the training step by hand")
        if minimize is not None:
            if len(targets) != 1:
                raise Unproven(line, "a train op must be bound to one name")
            return Statement(line, "train", targets, uses, minimize)
        if self._optimizer_method(value, "compute_gradients") or \
                name == "tensorflow.gradients":
            if len(targets) != 1:
                raise Unproven(line, "bind the gradients to one name")
            self.fed.update(targets)
            return Statement(line, "gradients", targets, uses, value)
        if self._all_variables(value) and len(targets) == 1:
            self.variable_lists.add(targets[0])
            return Statement(line, "varlist", targets, uses, value)
        calls = [self.call_name(n) for n in walk(value) if isinstance(n, cst.Call)]
        if name == "tensorflow.train.Saver":
            return self._saver(line, small, targets, uses, value)
        iterated = self._one_shot_iterator(value)
        if iterated is not None and len(targets) == 1:
            self.variables.update(targets)
            self.state_lines[line] = line.with_changes(body=[small.with_changes(
                value=cst.parse_expression(f"iter({self.ctx.code(iterated)})"))])
            return Statement(line, "variable", targets, uses, value)
        dataset = self._initializable_iterator(value)
        if dataset is not None:
            if len(targets) != 1:
                raise Unproven(line, "an initializable iterator must be bound to one name")
            # made anew where its initializer runs; the functions that read it take it
            self.variables.update(targets)
            self.iterators[targets[0]] = (line, dataset)
            return Statement(line, "iterator", targets, uses, value)
        if name in GLOBAL_STEPS and len(targets) == 1:
            self.variables.update(targets)
            self.state_lines[line] = line.with_changes(body=[small.with_changes(
                value=cst.parse_expression(f"{self.tf}.Variable(0, dtype={self.tf}.int64, "
                                           "trainable=False, name=\"global_step\")"))])
            return Statement(line, "variable", targets, uses, value)
        if any(c in VARIABLE_MAKERS for c in calls) or (
                name and name.startswith(STATE_PREFIXES)) or self._local_state_class(value):
            if uses & self.fed:
                raise Unproven(line, "a variable initialised from a placeholder: give it an "
                               "initial value that needs no feed")
            self.variables.update(targets)
            return Statement(line, "variable", targets, uses, value)
        if uses & self.sessions:
            return Statement(line, "plain", targets, uses)
        if not targets:
            if self._uses_outside_runs(value) & self.fed:
                raise Unproven(line, "a statement that acts on graph tensors when the graph is "
                               "built (not through `sess.run`); rewrite it by hand")
            return Statement(line, "plain", targets, uses)  # runs now, as it did in TF1
        made_by_tf = any(c and c.startswith("tensorflow.") for c in calls)
        if uses & self.fed or any(c and RANDOM.match(c) for c in calls) or (
                uses & self.variables and (made_by_tf or _operates_on(value, self.variables))):
            self.fed.update(targets)
            return Statement(line, "graph", targets, uses)
        if made_by_tf or uses & self.eager:
            self.eager.update(targets)
            return Statement(line, "eager", targets, uses)
        return Statement(line, "plain", targets, uses)

    # -- `for`/`if` statements of the graph: lists of tensors built in a loop -------------
    LIST_METHODS = ("append", "extend", "insert")

    def _grown_by_calls(self, node) -> set[str]:
        """The graph's lists that calls of its functions in `node` grow."""
        return set().union(*(self.growers[n.func.value] for n in walk(node)
                             if isinstance(n, cst.Call) and isinstance(n.func, cst.Name)
                             and n.func.value in self.growers))

    def _mutation(self, line) -> str | None:
        """`name.append(...)` (extend, insert) as a whole line: the name it changes."""
        small = line.body[0] if isinstance(line, cst.SimpleStatementLine) and \
            len(line.body) == 1 else None
        call = small.value if isinstance(small, cst.Expr) else None
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and \
                isinstance(call.func.value, cst.Name) and \
                call.func.attr.value in self.LIST_METHODS:
            return call.func.value.value
        return None

    def _makes_state_line(self, line) -> bool:
        """A line that makes a layer or variable (`d = Dense(4)`, `layers.append(Dense(4))`)."""
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return False
        small = line.body[0]
        value = small.value if isinstance(small, (cst.Assign, cst.Expr)) else None
        if self._mutation(line) is not None and len(value.args) == 1:
            value = value.args[0].value
        elif not isinstance(small, cst.Assign):
            return False
        return isinstance(value, cst.Call) and self._makes_state(value)

    def _split(self, node, keep_state: bool):
        """`node` (a block, a statement) with only its state lines (`keep_state`) or only the
        others; None when nothing is left."""
        if isinstance(node, cst.SimpleStatementLine):
            return node if self._makes_state_line(node) == keep_state else None
        if isinstance(node, cst.IndentedBlock):
            body = [new for line in node.body
                    for new in [self._split(line, keep_state)] if new is not None]
            return node.with_changes(body=body) if body else None
        if isinstance(node, cst.Else):
            body = self._split(node.body, keep_state)
            return node.with_changes(body=body) if body is not None else None
        if isinstance(node, (cst.If, cst.For)):
            body = self._split(node.body, keep_state)
            orelse = self._split(node.orelse, keep_state) if node.orelse is not None else None
            if body is None and orelse is None:
                return None
            if body is None:
                if isinstance(node, cst.For) or not keep_state:
                    body = cst.IndentedBlock([cst.SimpleStatementLine([cst.Pass()])])
                else:  # only the `else` makes state: `if not test:`
                    return None if isinstance(orelse, cst.If) else node.with_changes(
                        test=cst.UnaryOperation(cst.Not(), cst.parse_expression(
                            f"({self.ctx.code(node.test)})")), body=orelse.body, orelse=None)
            return node.with_changes(body=body, orelse=orelse)
        raise Unproven(node, "a graph loop or branch holding a statement other than simple "
                       "lines, `if` and `for`: rewrite it by hand")

    def _graph_compound(self, line) -> Statement:
        """A `for`/`if` that builds graph tensors (`for i in range(n): hidden.append(...)`)
        runs in the functions as a whole; the layers and variables it makes (the same loop or
        branch, with only those lines) stay where they are, made once. Its header must not
        depend on the graph, and it may only assign names and grow lists."""
        headers = []
        for node in walk(line):
            if isinstance(node, cst.For):
                if node.asynchronous or names_used(node.iter) & self.graph_names:
                    raise Unproven(node, "a loop over graph values: rewrite it by hand")
                headers.append(node.iter)
            elif isinstance(node, cst.If):
                headers.append(node.test)
                if names_used(node.test) & self.graph_names:
                    raise Unproven(node, "a branch on a graph value (TF1 tested the Python "
                                   "object, not its value): rewrite it by hand")
            elif isinstance(node, (cst.While, cst.With, cst.Try, cst.FunctionDef, cst.ClassDef,
                                   cst.Return, cst.Global, cst.Nonlocal, cst.Del)):
                raise Unproven(node, "a graph loop or branch holding a statement other than "
                               "simple lines, `if` and `for`: rewrite it by hand")
        state = self._split(line, True)
        moved = self._split(line, False)
        targets: list[str] = []
        mutated: set[str] = set()
        for node in walk(moved):
            if isinstance(node, cst.SimpleStatementLine):
                small = node.body[0]
                name = self._mutation(node)
                if name is not None:
                    mutated.add(name)
                elif len(node.body) != 1 or not isinstance(small, (cst.Assign, cst.Pass)) or \
                        any(target_names(t.target) is None for t in getattr(small, "targets", ())):
                    raise Unproven(node, "a line of a graph loop or branch that is not an "
                                   "assignment to names or a list's `append`: it would run on "
                                   "every call; rewrite it by hand")
                for target in getattr(small, "targets", ()):
                    targets.extend(target_names(target.target))
            elif isinstance(node, cst.For):
                names = target_names(node.target)
                if names is None:
                    raise Unproven(node, "a graph loop whose target is not a name")
                targets.extend(names)
        local = set(targets)
        if state is not None:
            made = {n for node in walk(state) if isinstance(node, cst.AssignTarget)
                    for n in target_names(node.target) or []}
            made |= {self._mutation(node) for node in walk(state)
                     if isinstance(node, cst.SimpleStatementLine)} - {None}
            if names_used(state) & ((local - made - set(target_names(line.target) or [])
                                     if isinstance(line, cst.For) else local - made)
                                    | self.fed):
                raise Unproven(line, "a layer or variable made in a graph loop or branch from "
                               "the tensors it computes: make it from constants, by hand")
            self.variables |= made
            self.state_lines[line] = state
        mutated |= self._grown_by_calls(moved)
        self._graph_lists(mutated - local, line)
        targets = list(dict.fromkeys([*targets, *sorted(mutated)]))
        self.fed.update(targets)
        return Statement(line, "graph", targets, names_used(moved), code=moved)

    def _graph_lists(self, names: set[str], line) -> None:
        """Lists a graph line grows: their binding (`hidden = [x]`, `hidden = []`) becomes
        part of the graph too, computed anew by each function."""
        for name in sorted(names):
            earlier = self.by_target.get(name)
            value = earlier.line.body[0].value if earlier is not None and isinstance(
                earlier.line, cst.SimpleStatementLine) and isinstance(
                earlier.line.body[0], cst.Assign) else None
            if earlier is not None and earlier.kind == "graph":
                continue
            if not isinstance(value, cst.List) or earlier.kind not in ("plain", "eager") or \
                    len(self.bindings[name]) != 1:
                raise Unproven(line, f"`{name}` grows in the graph but is not a list made "
                               "just for it (`name = []`): rewrite by hand")
            earlier.kind = "graph"
            self.eager.discard(name)
            self.fed.add(name)

    def _config_statement(self, line, small) -> Statement | None:
        """`config = tf.ConfigProto(...)` and `config.gpu_options.allow_growth = True`."""
        if not isinstance(small, cst.Assign) or len(small.targets) != 1:
            return None
        target = small.targets[0].target
        if isinstance(target, cst.Name) and \
                self.call_name(small.value) == "tensorflow.ConfigProto":
            self.configs[target.value] = self.config_call(small.value, "")
            return Statement(line, "config", [target.value], names_used(small.value))
        path = []
        while isinstance(target, cst.Attribute):
            path.insert(0, target.attr.value)
            target = target.value
        if path and isinstance(target, cst.Name) and target.value in self.configs:
            self.configs[target.value][".".join(path)] = small.value
            return Statement(line, "config", [], names_used(small))
        return None

    def _metric(self, value) -> tuple | None:
        """(call, qualname, roles) for `tf.metrics.X(...)` or `tf.metrics.X(...)[i]`."""
        roles = ("value", "update")
        if isinstance(value, cst.Subscript) and len(value.slice) == 1 and \
                isinstance(value.slice[0].slice, cst.Index) and \
                isinstance(value.slice[0].slice.value, cst.Integer) and \
                value.slice[0].slice.value.value in ("0", "1"):
            roles = (roles[int(value.slice[0].slice.value.value)],)
            value = value.value
        name = self.call_name(value)
        if not name or not name.startswith("tensorflow.metrics."):
            return None
        return value, name, roles

    def _metric_statement(self, line, small, targets, uses, call, name, roles) -> Statement:
        """`acc, acc_op = tf.metrics.accuracy(y, p)` → one Keras metric object, made here;
        runs of `acc_op` update it and read it, runs of `acc` read it."""
        plan = keras_metric(call, name, self.tf)
        if plan is None:
            raise Unproven(line, unconvertible_reason(call, name, self.tf) or
                           "this metric has no Keras equivalent with TF1's numbers")
        if len(targets) != len(roles) or uses & self.sessions:
            raise Unproven(line, "bind a metric's value and update op to names "
                           "(`acc, acc_op = tf.metrics.accuracy(...)`)")
        variable = self.fresh(f"{targets[0]}_metric", set(self.ctx.all_names()))
        arguments = cst.parse_expression(f"f({plan.update_args})")
        for target, role in zip(targets, roles):
            self.metric_names[target] = (variable, role, plan.update_args,
                                         names_used(arguments) - {"f"})
        self.metric_objects.append(variable)
        self.state_lines[line] = cst.parse_statement(f"{variable} = {plan.constructor}\n") \
            .with_changes(leading_lines=line.leading_lines,
                          trailing_whitespace=line.trailing_whitespace)
        return Statement(line, "metric", targets, uses, call)

    def _merged(self, line, value: cst.Call, name: str) -> list:
        """The summary ops a merge stands for: all made so far, or the listed ones."""
        if name.endswith("merge_all"):
            if value.args:
                raise Unproven(line, "`merge_all` of a chosen collection: merge by hand")
            return list(self.summary_ops)
        listed = arg(value, 0, "inputs")
        if not isinstance(listed, (cst.List, cst.Tuple)) or len(value.args) != 1:
            raise Unproven(line, "`merge` of a list built elsewhere: list the summaries")
        chosen = []
        for element in listed.elements:
            found = [op for op in self.summary_ops if isinstance(element.value, cst.Name)
                     and op[0].body[0].targets and
                     target_names(op[0].body[0].targets[0].target) == [element.value.value]]
            if not found:
                raise Unproven(element, "`merge` of something that is not a summary of "
                               "this block")
            chosen.extend(found)
        return chosen

    def _initializable_iterator(self, value) -> cst.BaseExpression | None:
        """The dataset of `ds.make_initializable_iterator()` / its `tf.data` function form."""
        if not isinstance(value, cst.Call):
            return None
        if isinstance(value.func, cst.Attribute) and not value.args and \
                value.func.attr.value == "make_initializable_iterator":
            return value.func.value
        if self.call_name(value) == "tensorflow.data.make_initializable_iterator" and \
                len(value.args) == 1 and value.args[0].keyword is None:
            return value.args[0].value
        return None

    def iterator_lines(self) -> None:
        """An initializable iterator's dataset, when built from placeholders, becomes a
        function of their values (`make_iterator(features, labels)`); each run of its
        initializer makes the iterator anew from the fed values."""
        self.iterator_makers: dict[str, tuple] = {}
        for name, (line, dataset) in self.iterators.items():
            index = next(s.index for s in self.statements if s.line is line)
            chain = self.closure(names_used(dataset), index)
            if not chain:
                self.closes.append(line)
                self.iterator_makers[name] = (None, [], self.ctx.code(dataset))
                continue
            params = [s.targets[0] for s in chain if s.kind == "placeholder"]
            maker = self.fresh(f"make_{name}", self.taken)
            body = "".join(self.statement_code(s) for s in chain if s.kind == "graph")
            text = f"def {maker}({', '.join(params)}):\n" + \
                indent(body + f"return {self.ctx.code(dataset)}\n")
            blank = [cst.EmptyLine(indent=False)] * (2 if isinstance(self.owner, cst.Module)
                                                     else 1)
            self.state_lines[line] = cst.parse_statement(text).with_changes(
                leading_lines=[*blank, *[e for e in line.leading_lines if e.comment]])
            self.iterator_makers[name] = (maker, params, None)

    def _one_shot_iterator(self, value) -> cst.BaseExpression | None:
        """The dataset of `ds.make_one_shot_iterator()` / `tf.data.make_one_shot_iterator(ds)`."""
        if not isinstance(value, cst.Call):
            return None
        if isinstance(value.func, cst.Attribute) and \
                value.func.attr.value == "make_one_shot_iterator" and not value.args:
            return value.func.value
        if self.call_name(value) == "tensorflow.data.make_one_shot_iterator" and \
                len(value.args) == 1 and value.args[0].keyword is None:
            return value.args[0].value
        return None

    def _saver(self, line, small, targets, uses, value) -> Statement:
        """`saver = tf.train.Saver()` → a `tf.train.Checkpoint` of the block's state."""
        for argument in value.args:
            keyword = argument.keyword.value if argument.keyword else None
            if keyword not in ("max_to_keep", "keep_checkpoint_every_n_hours", "name"):
                raise Unproven(line, "a Saver of chosen variables (var_list) or with sharding "
                               "options: build the `tf.train.Checkpoint` by hand")
        if len(targets) != 1:
            raise Unproven(line, "a Saver must be bound to one name")
        tracked = [s for s in self.statements
                   if s.kind in ("variable", "optimizer") and self._trackable(s)]
        if not tracked:
            pending = self.pending_tf1_name()
            if pending is not None:
                raise Waiting(*pending)
            raise Unproven(line, "a Saver with no variable before it")
        self.savers[targets[0]] = (line, tracked)
        return Statement(line, "saver", targets, uses, value)

    def checkpoint_lines(self) -> None:
        """Each Saver becomes a Checkpoint of the variables, layers and optimizers made before
        it (TF1's Saver saved every global variable, optimizer slots included)."""
        for name, (line, tracked) in self.savers.items():
            index = next(s.index for s in self.statements if s.line is line)
            keys: dict[str, str] = {}  # checkpoint key → object
            for statement in tracked:
                for target in statement.targets:
                    keys[self.checkpoint_key(statement, target, keys)] = target
            for statement in self.statements:
                if statement.kind == "train" and statement.index < index and \
                        statement.optimizer not in keys.values():
                    keys[self.fresh("optimizer", set(keys))] = statement.optimizer
            arguments = ", ".join(f"{key}={value}" for key, value in keys.items())
            small = line.body[0]
            self.state_lines[line] = line.with_changes(body=[small.with_changes(
                value=cst.parse_expression(f"{self.tf}.train.Checkpoint({arguments})"))])
            saves = [save for save in self.numbered_saves if save[1] == name]
            if saves:
                self.state_lines[line] = [self.state_lines[line],
                                          self.checkpoint_manager(name, saves)]

    def checkpoint_manager(self, saver: str, saves: list) -> cst.BaseStatement:
        """`saver.save(sess, "dir/model", global_step=i)` → `manager.save(checkpoint_number=i)`:
        the same `dir/model-<i>` files and `checkpoint` state file, and TF1's Saver's retention
        (`max_to_keep`, default 5; 0 or None keeps all)."""
        prefixes = {prefix for _, _, prefix, _ in saves}
        if len(prefixes) != 1:
            raise Unproven(saves[0][0], f"`{saver}` saves numbered checkpoints under several "
                           "paths: make one `tf.train.CheckpointManager` per path by hand")
        directory, checkpoint_name = os.path.split(prefixes.pop())
        call = self.savers[saver][0].body[0].value
        keep = arg(call, None, "max_to_keep")
        keep_code = "5" if keep is None else self.ctx.code(keep)
        if keep_code in ("0", "None"):
            keep_code = "None"
        hours = arg(call, None, "keep_checkpoint_every_n_hours")
        extra = f", keep_checkpoint_every_n_hours={self.ctx.code(hours)}" if hours else ""
        manager = self.fresh(f"{saver}_manager", self.taken)
        for call_, _, _, step in saves:
            self.saver_replacements[call_] = cst.parse_expression(
                f"{manager}.save(checkpoint_number={self.ctx.code(step)})")
        arguments = (f"{saver}, {json.dumps(directory or '.')}, max_to_keep={keep_code}, "
                     f"checkpoint_name={json.dumps(checkpoint_name)}{extra}")
        text = f"{manager} = {self.tf}.train.CheckpointManager({arguments})\n"
        if len(text) > 100:
            text = f"{manager} = {self.tf}.train.CheckpointManager(\n    {arguments})\n"
        return cst.parse_statement(text)

    def checkpoint_key(self, statement: Statement, target: str, keys: dict) -> str:
        """The key an object is saved under: what TF1's Saver matched by, its graph name
        (`name=`, else the layer's or variable's default name numbered in creation order), so
        that a program that saves and another that restores agree as they did in TF1."""
        if statement.kind == "optimizer":
            return self.fresh("optimizer", set(keys))
        call = statement.call if len(statement.targets) == 1 else None
        name = self.call_name(call) if isinstance(call, cst.Call) else None
        literal = arg(call, None, "name") if name else None
        if isinstance(literal, cst.SimpleString) and \
                re.fullmatch(r"[A-Za-z_]\w*", literal.evaluated_value or ""):
            return self.fresh(literal.evaluated_value, set(keys))
        if name == "tensorflow.Variable":
            return self.fresh("Variable", set(keys))
        if name and name.startswith("tensorflow.keras.layers."):
            kind = re.sub(r"(?<!^)(?=[A-Z])", "_", name.rsplit(".", 1)[1]).lower()
            return self.fresh(kind, set(keys))
        return self.fresh(target, set(keys))

    def _trackable(self, statement: Statement) -> bool:
        if statement.kind == "optimizer" or statement.line in self.state_lines:
            return not (statement.line in self.state_lines and
                        self._one_shot_iterator(statement.call) is not None)
        calls = [self.call_name(n) for n in walk(statement.call)
                 if isinstance(n, cst.Call)]
        return any(c and (c in VARIABLE_MAKERS or c.startswith((
            "tensorflow.keras.layers.", "tensorflow.keras.optimizers.",
            "tensorflow.keras.Sequential", "tensorflow.keras.Model"))) for c in calls)

    def _uses_outside_runs(self, value) -> set[str]:
        """Names `value` uses, not counting what `.eval(...)`/`.run(...)` calls use."""
        inside: set = set()
        for node in walk(value):
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
                    node.func.attr.value in ("eval", "run") and \
                    isinstance(node.func.value, cst.Name) and \
                    node.func.value.value in self.graph_names | self.sessions:
                inside.update(walk(node))
        return {n.value for n in name_nodes(value) if n not in inside}

    def _local_state_class(self, value) -> bool:
        """`layer = MyLayer(...)` with the module's own Keras layer, model or tf.Module class."""
        if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Name)):
            return False
        local = {c.name.value: c for c in self.ctx.classes()}
        if value.func.value not in local:
            return False
        bases = self.ctx.class_bases(local[value.func.value])
        return any(b.startswith(("tensorflow.keras.layers.", "tensorflow.keras.Model",
                                 "tensorflow.keras.models.", "tensorflow.Module"))
                   for b in bases)

    def _optimizer_method(self, value, method: str) -> bool:
        return isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and \
            value.func.attr.value == method and isinstance(value.func.value, cst.Name) and \
            value.func.value.value in self.optimizers

    def _minimize(self, value) -> cst.Call | None:
        """The `minimize` / `apply_gradients` call that makes a train op."""
        if self._optimizer_method(value, "apply_gradients"):
            return value
        if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
                and value.func.attr.value == "minimize"):
            return None
        receiver = value.func.value
        if isinstance(receiver, cst.Name) and receiver.value in self.optimizers:
            return value
        name = self.call_name(receiver)
        if name and name.startswith("tensorflow.train.") and name.endswith("Optimizer"):
            return value
        return value if self._factory(receiver) else None

    # -- step 2: every use of a session, and the runs ----------------------------------------
    def find_feed_dicts(self, lines: Sequence[cst.BaseStatement]) -> None:
        """`feed = {x: a, y: b}` lines (keys all placeholders): inlined into their runs."""
        placeholders = {n for s in self.statements if s.kind in ("placeholder", "eager")
                        for n in s.targets}
        self.feed_dicts: dict[str, list[cst.SimpleStatementLine]] = {}
        for line in lines:
            for node in walk(line):
                if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1 and \
                        isinstance(node.body[0], cst.Assign) and \
                        isinstance(node.body[0].value, cst.Dict) and \
                        len(node.body[0].targets) == 1 and \
                        isinstance(node.body[0].targets[0].target, cst.Name):
                    elements = node.body[0].value.elements
                    if elements and all(isinstance(e, cst.DictElement) and
                                        isinstance(e.key, cst.Name) and
                                        e.key.value in placeholders for e in elements):
                        name = node.body[0].targets[0].target.value
                        self.feed_dicts.setdefault(name, []).append(node)
        for name, found in self.feed_dicts.items():
            for statement in self.statements:
                if statement.line in found:
                    statement.kind = "feed"

    def named_feed(self, call: cst.Call, name: str) -> cst.Dict:
        """The dict literal a named feed_dict holds at `call`: bound in the same block, just
        before, with none of its values rebound in between."""
        line = self.ctx.statement_of(call)
        holder = self.ctx.parent(line) if line is not None else None
        block = self.ctx.parent(holder) if holder is not None else None
        siblings = list(getattr(block, "body", []))
        if holder not in siblings:
            raise Unproven(call, f"the feed_dict `{name}` is built away from its run")
        position = siblings.index(holder)
        for index in range(position - 1, -1, -1):
            if siblings[index] in self.feed_dicts[name]:
                values = siblings[index].body[0].value
                between = siblings[index + 1:position]
                used = names_used(values) - {e.key.value for e in values.elements}
                for statement in between:
                    for node in walk(statement):
                        if isinstance(node, cst.AssignTarget) and \
                                set(target_names(node.target) or []) & (used | {name}):
                            raise Unproven(call, f"a value of the feed_dict `{name}` changes "
                                           "before the run")
                self.feed_uses.add(siblings[index])
                return values
            branches = self.branch_feeds(siblings[index], name)
            if branches is not None:
                return branches
            if any(isinstance(n, cst.AssignTarget) and name in (target_names(n.target) or [])
                   for n in walk(siblings[index])):
                break
        raise Unproven(call, f"the feed_dict `{name}` is built away from its run")

    def branch_feeds(self, statement, name: str) -> list | None:
        """The feed dict literals an `if`/`else` binds `name` to, one per branch (each the
        branch's own statement); None when `statement` is not such an `if`."""
        if not isinstance(statement, cst.If):
            return None
        found, branch = [], statement
        while isinstance(branch, cst.If):
            found.append(branch.body)
            branch = branch.orelse
        if branch is None:
            return None
        found.append(branch.body)
        lines = []
        for body in found:
            literals = [line for line in body.body if line in self.feed_dicts[name]]
            if len(literals) != 1:
                return None
            lines.append(literals[0])
        return lines

    def find_sites(self, lines: Sequence[cst.BaseStatement]) -> None:
        train = {n for s in self.statements if s.kind == "train" for n in s.targets}
        runnable = self.graph_names | train | self.init_names
        self.closes: list[cst.SimpleStatementLine] = []
        seen_calls: set = set()
        moved = {n for s in self.statements if s.kind in REMOVED_KINDS for n in walk(s.line)}
        if self.graph_class is not None and not self.self_run:  # its lines are in the block
            methods = [self.graph_class.init, *self.graph_class.helpers.values(),
                       *self.graph_class.loop_helpers.values()]
            read = set().union(*(free_names(m) for m in methods)) & (
                self.fed | self.variables | self.optimizers | self.sessions) - self.late_fed
            if read:
                raise Unproven(self.graph_class.init, f"`{self.graph_class.node.name.value}` "
                               f"reads the module's graph value `{sorted(read)[0]}` (not a "
                               "placeholder): pass it in, or rewrite by hand")
            moved.update(methods)
        for index, line in enumerate(lines):
            known = len(self.sites)
            for node in walk(line):
                if isinstance(node, (cst.FunctionDef, cst.Lambda)) and node not in moved and \
                        self._graph_uses_outside_runs(node, runnable):
                    raise Unproven(node, "a function defined here uses the session or graph "
                                   "tensors other than in `sess.run`; move that code into the "
                                   "block that runs the session (or rewrite by hand)")
                if self.call_name(node) == "tensorflow.summary.FileWriter" and \
                        self.line_of(node) is not None and \
                        isinstance(self.parent_of(node), cst.Expr):
                    # `FileWriter(logdir, sess.graph)` only to show the graph: an eager program
                    # has none (TFM201's doc names `tf.summary.trace_on`/`trace_export`)
                    self.closes.append(self.line_of(node))
                    self.allowed_session_uses.update(walk(node))
                    continue
                if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
                    continue
                receiver, method = self.own_member(node.func.value), node.func.attr.value
                if not isinstance(receiver, cst.Name):
                    continue
                if receiver.value in self.writers and method == "add_summary" and \
                        self.summary_proto_write(node, receiver.value):
                    continue
                if receiver.value in self.writers and method == "add_graph":
                    line_of = self.line_of(node)
                    if line_of is None:
                        raise Unproven(node, "`add_graph` used as a value")
                    self.closes.append(line_of)  # TF2 writes graphs with trace_export
                    self.allowed_session_uses.update(walk(node))
                    continue
                if receiver.value in self.savers and method in ("save", "restore"):
                    self.saver_call(node, receiver.value, method)
                    continue
                if receiver.value in self.sessions:
                    if method == "run":
                        site = self.run_site(node, *self.run_args(node))
                        self.sites.extend(site.parts or [site])
                    elif method == "close" and not node.args:
                        line_of = self.line_of(node)
                        if line_of is None:
                            raise Unproven(node, "`close()` used as a value")
                        self.closes.append(line_of)
                    else:
                        raise Unproven(node, f"`{receiver.value}.{method}` has no eager "
                                       "equivalent; rewrite by hand")
                    seen_calls.add(node.func)
                    seen_calls.add(receiver)
                elif receiver.value in runnable and method in ("eval", "run"):
                    feed = arg(node, 0, "feed_dict")
                    session = arg(node, None if method == "eval" else 1, "session")
                    if session is not None and not (isinstance(session, cst.Name)
                                                    and session.value in self.sessions):
                        raise Unproven(node, "`eval` with a session from elsewhere")
                    self.sites.append(self.run_site(node, receiver, feed))
                    seen_calls.add(node.func)
            for site in self.sites[known:]:
                site.line_index = index
        for line in lines:
            for node in name_nodes(line):
                if node.value in self.sessions:
                    parent = self.parent_of(node)
                    if node in seen_calls or (isinstance(parent, cst.Attribute) and
                                              parent in seen_calls):
                        continue
                    if self._binds_session(node) or self._session_keyword(node) or \
                            node in self.saver_sessions or node in self.allowed_session_uses:
                        continue
                    raise Unproven(node, f"the session `{node.value}` is used as a value here "
                                   "(passed to a function or stored); rewrite this use first")

    def _graph_uses_outside_runs(self, function, runnable: set[str]) -> bool:
        """Whether a function of the block uses the session or graph tensors other than in a
        run (`def predict(v): return sess.run(y, {x: v})` is rewritten with the block)."""
        train = {n for s in self.statements if s.kind == "train" for n in s.targets}
        graph = free_names(function) & (self.sessions | self.fed | train)
        if not graph:
            return False
        inside: set = set()
        for node in walk(function):
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
                    isinstance(node.func.value, cst.Name) and (
                        (node.func.value.value in self.sessions and node.func.attr.value == "run")
                        or (node.func.value.value in runnable and
                            node.func.attr.value in ("eval", "run"))):
                inside.update(walk(node))
        local = bound_names(function) if not isinstance(function, cst.Lambda) else set()
        return any(n.value in graph and n.value not in local and n not in inside
                   for n in name_nodes(function))

    def summary_proto_write(self, call: cst.Call, writer: str) -> bool:
        """`writer.add_summary(tf.Summary(value=[tf.Summary.Value(tag=t, simple_value=v)]),
        step)` → `with writer.as_default(): tf.summary.scalar(t, v, step=step)`; the proto may
        be bound to a name on the line just before. False when it is not such a write."""
        line = self.line_of(call)
        proto, step = arg(call, 0, "summary"), arg(call, 1, "global_step")
        if line is None or step is None:
            return False
        proto_line = None
        if isinstance(proto, cst.Name):
            holder = self.ctx.parent(line)
            siblings = list(getattr(holder, "body", []))
            index = siblings.index(line) if line in siblings else 0
            before = siblings[index - 1] if index > 0 else None
            if isinstance(before, cst.SimpleStatementLine) and \
                    isinstance(before.body[0], cst.Assign) and \
                    target_names(before.body[0].targets[0].target) == [proto.value] and \
                    sum(1 for n in name_nodes(holder) if n.value == proto.value) == 2:
                proto_line, proto = before, before.body[0].value
        if self.call_name(proto) not in ("tensorflow.Summary", "tensorflow.summary.Summary"):
            return False
        values = arg(proto, None, "value")
        if not isinstance(values, (cst.List, cst.Tuple)) or len(proto.args) != 1:
            raise Unproven(call, "a Summary proto built elsewhere: write it with "
                           "`tf.summary.scalar(tag, value, step=step)` under the writer")
        scalars = []
        for element in values.elements:
            value = element.value
            if self.call_name(value) not in ("tensorflow.Summary.Value",
                                             "tensorflow.summary.Summary.Value"):
                raise Unproven(value, "a Summary value that is not `Summary.Value(...)`")
            tag, number = arg(value, None, "tag"), arg(value, None, "simple_value")
            if tag is None or number is None or len(value.args) != 2:
                raise Unproven(value, "only `Summary.Value(tag=..., simple_value=...)` has a "
                               "v2 equivalent here (`tf.summary.scalar`)")
            scalars.append((tag, number))
        self.proto_writes[line] = (writer, scalars, step)
        if proto_line is not None:
            self.closes.append(proto_line)
        self.allowed_session_uses.update(walk(call))
        return True

    def _initializer_group(self, value) -> bool:
        return self.call_name(value) == "tensorflow.group" and bool(value.args) and \
            all(self.call_name(a.value) in INITIALIZERS for a in value.args)

    def _initializes_locals(self, value) -> bool:
        if isinstance(value, cst.Name):
            value = self.by_target[value.value].call
        return any(self.call_name(n) in ("tensorflow.local_variables_initializer",
                                         "tensorflow.initialize_local_variables")
                   for n in walk(value) if isinstance(n, cst.Call))

    def saver_call(self, call: cst.Call, saver: str, method: str) -> None:
        session = arg(call, 0, "sess")
        path = arg(call, 1, "save_path")
        if not (isinstance(session, cst.Name) and session.value in self.sessions) or \
                path is None:
            raise Unproven(call, f"`{saver}.{method}` without this block's session and a path")
        step = arg(call, 2, "global_step") if method == "save" else None
        for index, argument in enumerate(call.args[2:], start=2):
            keyword = argument.keyword.value if argument.keyword else None
            if keyword not in ("write_meta_graph", "write_state", "latest_filename",
                               "meta_graph_suffix", "strip_default_attrs") and \
                    argument.value is not step:
                raise Unproven(call, f"`{saver}.{method}` with options that have no "
                               "`tf.train.Checkpoint` equivalent; rewrite by hand")
        self.saver_sessions.add(session)
        if step is not None:  # numbered checkpoints: a CheckpointManager, made with the saver
            self.numbered_saves.append((call, saver, self.checkpoint_prefix(call, path), step))
            return
        # a restore that matches nothing (a checkpoint of other objects) must not pass silently
        check = "" if method == "save" else ".assert_existing_objects_matched()"
        verb = "write" if method == "save" else "read"
        self.saver_replacements[call] = cst.parse_expression(
            f"{saver}.{verb}({self.ctx.code(path)}){check}")

    def checkpoint_prefix(self, call: cst.Call, path) -> str:
        """The literal path a numbered save writes to (TF1 writes `path-<step>`), as written
        or bound once to a name."""
        if isinstance(path, cst.Name) and self._bound_once(path.value):
            bound = [s for s in self.bindings.get(path.value, [])]
            value = bound[0].line.body[0].value if bound and isinstance(
                bound[0].line, cst.SimpleStatementLine) and isinstance(
                bound[0].line.body[0], cst.Assign) else None
            path = value if isinstance(value, cst.SimpleString) else path
        if not isinstance(path, cst.SimpleString):
            raise Unproven(call, "a numbered save to a path computed at run time: make a "
                           "`tf.train.CheckpointManager(checkpoint, directory, max_to_keep)` "
                           "by hand")
        return path.evaluated_value

    @property
    def init_names(self) -> set[str]:
        return {n for s in self.statements if s.kind == "init" for n in s.targets}

    def _binds_session(self, node: cst.Name) -> bool:
        parent = self.parent_of(node)
        if isinstance(parent, cst.AssignTarget):
            return True
        return isinstance(parent, cst.AsName) and isinstance(self.ctx.parent(parent), cst.WithItem)

    def _session_keyword(self, node: cst.Name) -> bool:
        parent = self.parent_of(node)
        return isinstance(parent, cst.Arg) and parent.keyword is not None and \
            parent.keyword.value == "session" and parent.value is node

    def line_of(self, call: cst.Call) -> cst.SimpleStatementLine | None:
        """The line whose whole value (expression or assignment) is `call`."""
        parent = self.parent_of(call)
        if isinstance(parent, (cst.Expr, cst.Assign)) and parent.value is call:
            line = self.parent_of(parent)
            if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
                return line
        return None

    def run_args(self, call: cst.Call):
        for index, argument in enumerate(call.args):
            name = argument.keyword.value if argument.keyword else \
                ("fetches", "feed_dict")[index] if index < 2 else "?"
            if argument.star or name not in ("fetches", "feed_dict"):
                raise Unproven(call, "`run` with options or run metadata: tracing in TF2 is "
                               "`tf.profiler` / `tf.summary.trace_on`; rewrite by hand")
        fetch = arg(call, 0, "fetches")
        if fetch is None:
            raise Unproven(call, "`run` without fetches")
        return fetch, arg(call, 1, "feed_dict")

    def run_site(self, call: cst.Call, fetch, feed) -> RunSite:
        train = {n for s in self.statements if s.kind == "train" for n in s.targets}
        if self._nested(fetch):
            shape, values = "nested", list(self._fetch_leaves(fetch))
        elif isinstance(fetch, (cst.List, cst.Tuple)):
            shape = "list" if isinstance(fetch, cst.List) else "tuple"
            values = []
            for element in fetch.elements:
                if isinstance(element, cst.StarredElement):
                    raise Unproven(fetch, "fetches built at run time (starred); rewrite by hand")
                values.append(element.value)
        elif isinstance(fetch, cst.Dict):
            shape = "dict"
            values = []
            for element in fetch.elements:
                if not isinstance(element, cst.DictElement) or \
                        not isinstance(element.key, cst.SimpleString):
                    raise Unproven(fetch, "a fetch dict needs literal string keys")
                values.append(element.value)
        elif isinstance(fetch, (cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.DictComp)):
            if names_used(fetch) & self.fed:
                raise Unproven(fetch, "fetches built by a comprehension over graph tensors: "
                               "list them, or rewrite by hand")
            shape, values = "comprehension", [fetch]
        else:
            shape, values = "single", [fetch]
        leaves = []
        receivers: list[str] = []
        owners: list = []  # the instance each leaf is fetched through (None: no instance)
        for value in values:
            known = len(receivers)
            value = self.class_member(value, receivers)
            owners.append(receivers[-1] if len(receivers) > known else None)
            if shape == "nested" and (receivers or (isinstance(value, cst.Name) and (
                    value.value in train or value.value in self.merges or
                    value.value in self.metric_names or value.value in self.init_names))):
                raise Unproven(fetch, "a nested fetch of train ops, summaries, metrics or "
                               "instance attributes: fetch them in a flat list")
            if isinstance(value, (cst.List, cst.Tuple, cst.Dict)):
                raise Unproven(fetch, "nested fetch structures: fetch each level separately")
            if isinstance(value, cst.Name) and value.value in train:
                leaves.append(Leaf(value, value.value))
                continue
            if isinstance(value, cst.Name) and value.value in self.merges:
                leaves.append(Leaf(value, summary=value.value))
                continue
            if isinstance(value, cst.Name) and value.value in self.metric_names:
                leaves.append(Leaf(value, metric=self.metric_names[value.value]))
                continue
            if isinstance(value, cst.Attribute) and value.attr.value == "initializer" and \
                    isinstance(value.value, cst.Name) and value.value.value in self.iterators:
                leaves.append(Leaf(value, "init", iterator=value.value.value))
                continue
            if (isinstance(value, cst.Name) and value.value in self.init_names) or \
                    self.call_name(value) in INITIALIZERS or self._initializer_group(value):
                leaves.append(Leaf(value, "init"))
                if self._initializes_locals(value):
                    self.resets.append(call)
                continue
            uses = names_used(value)
            if uses & self.sessions:
                raise Unproven(value, "a fetch that uses the session")
            if not isinstance(value, cst.Name) and self._minimize(value) is not None:
                raise Unproven(value, "`minimize` inside `run`: bind the train op to a name")
            if not uses & self.ever_tensors and self.call_name(value) is None and \
                    shape != "comprehension" and \
                    not isinstance(value, (cst.Call, cst.BinaryOperation)):
                raise Unproven(value, "this fetch is chosen at run time (not a graph tensor "
                               "this analysis can see); rewrite by hand")
            leaves.append(Leaf(value))
        feeds: dict[str, cst.BaseExpression] = {}
        branches = None
        if isinstance(feed, cst.Name) and feed.value in self.feed_dicts:
            named = feed.value
            feed = self.named_feed(call, named)
            if isinstance(feed, list):  # chosen in an if/else: keys become parameter names
                branches, feed = feed, None
                keys = [{e.key.value for e in line.body[0].value.elements} for line in branches]
                for key in set().union(*keys):
                    if self.by_target[key].kind == "placeholder" and \
                            not all(key in chosen for chosen in keys) and \
                            self.call_name(self.by_target[key].call) != \
                            "tensorflow.placeholder_with_default":
                        raise Unproven(call, f"the placeholder `{key}` is fed in some branches "
                                       "only; TF1 fails in the others")
                    feeds[key] = cst.Name(key)
        if feed is not None:
            if not isinstance(feed, cst.Dict):
                raise Unproven(feed, "a feed_dict built elsewhere: write it as a dict literal "
                               "in the `run` call so the fed placeholders are known")
            for element in feed.elements:
                key_node = self.class_member(getattr(element, "key", None), receivers)
                if not isinstance(element, cst.DictElement) or \
                        not isinstance(key_node, cst.Name):
                    raise Unproven(feed, "a feed_dict key that is not a placeholder name")
                key = key_node.value
                statement = self.by_target.get(key)
                if statement is None or statement.kind not in ("placeholder", "eager", "graph"):
                    raise Unproven(element.key, f"`{key}` is fed but is not a placeholder: "
                                   "feeding an intermediate tensor has no TF2 equivalent; "
                                   "split the computation at that tensor by hand")
                feeds[key] = element.value
        if len(set(receivers)) > 1:
            return self.split_site(call, fetch, leaves, shape, feeds, owners)
        if any(leaf.train == "init" for leaf in leaves) and (
                any(leaf.train != "init" for leaf in leaves) or self.line_of(call) is None
                or not isinstance(self.parent_of(call), cst.Expr)):
            raise Unproven(call, "an initializer fetched with other values")
        return RunSite(call, fetch, leaves, shape, feeds, self.line_of(call),
                       receiver=receivers[0] if receivers else None,
                       feed_name=named if branches else None, branches=branches or [])

    def split_site(self, call: cst.Call, fetch, leaves: list[Leaf], shape: str, feeds: dict,
                   owners: list) -> RunSite:
        """`sess.run([nets[0].train, nets[1].train], feed)`: the instances' graphs are apart
        (each `__init__` made its own variables; the class reads no graph value of the module),
        so the run is one run per instance, in the order they first appear."""
        if any(leaf.train == "init" or leaf.summary or leaf.metric or leaf.iterator
               for leaf in leaves):
            raise Unproven(call, "an initializer, summary or metric fetched with several "
                           "instances of the graph class: run each instance separately")
        if shape not in ("list", "tuple") or None in owners or \
                self.graph_class.placeholders or feeds.keys() & self.graph_class.names.values():
            raise Unproven(call, "one run of several instances of the graph class, not a flat "
                           "list of their attributes fed the module's placeholders: run each "
                           "instance separately")
        whole = RunSite(call, fetch, leaves, shape, feeds, self.line_of(call))
        for receiver in dict.fromkeys(owners):
            positions = [i for i, owner in enumerate(owners) if owner == receiver]
            part = RunSite(call, fetch, [leaves[i] for i in positions],
                           "single" if len(positions) == 1 else "list", feeds, whole.statement,
                           receiver=receiver, whole=whole)
            whole.parts.append(part)
            whole.positions.append(positions)
        return whole

    @staticmethod
    def _nested(fetch) -> bool:
        """A list, tuple or dict of fetches with a list, tuple or dict among them."""
        containers = (cst.List, cst.Tuple, cst.Dict)
        return isinstance(fetch, containers) and any(
            isinstance(getattr(element, "value", None), containers) for element in fetch.elements)

    def _fetch_leaves(self, fetch) -> Iterator[cst.BaseExpression]:
        for element in fetch.elements:
            if not isinstance(element, (cst.Element, cst.DictElement)):
                raise Unproven(fetch, "fetches built at run time (starred); rewrite by hand")
            if isinstance(element.value, (cst.List, cst.Tuple, cst.Dict)):
                yield from self._fetch_leaves(element.value)
            else:
                yield element.value

    def own_member(self, node):
        """`self.sess` in a method of a class that runs its own graph → its name here."""
        if self.self_run and isinstance(node, cst.Attribute) and \
                isinstance(node.value, cst.Name) and node.value.value == "self" and \
                node.attr.value in self.graph_class.names:
            name = cst.Name(self.graph_class.names[node.attr.value])
            self.own_members[name] = node
            return name
        return node

    def parent_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        if node in self.own_members:
            return self.ctx.parent(self.own_members[node])
        return self.ctx.parent(node) or self.translated_parent(node)

    def class_member(self, node, receivers: list[str]):
        """`net.loss`, `net` an instance of the graph class → the name its graph has here."""
        graph_class = self.graph_class
        if graph_class is None or not isinstance(node, cst.Attribute) or \
                node.attr.value not in graph_class.names:
            return node
        receiver = self.ctx.code(node.value)
        if (receiver == "self") != self.self_run or \
                any(isinstance(n, cst.Call) for n in walk(node.value)):
            return node
        receivers.append(receiver)
        return cst.Name(graph_class.names[node.attr.value])

    # -- step 3: what each run needs ----------------------------------------------------------
    def closure(self, names: set[str], before: int, fed: frozenset = frozenset()
                ) -> list[Statement]:
        """The graph statements and placeholders `names` depend on at line `before`, in
        program order; a run's fed tensors (`fed`) are given, not computed."""
        found: dict[int, Statement] = {}
        pending = [(name, before) for name in names]
        while pending:
            name, at = pending.pop()
            # each use means the binding in effect at its line (`h = f(x); h = g(h)` needs both)
            earlier = [s for s in self.bindings.get(name, []) if s.index < at]
            if not earlier and name in self.late_fed and at < self.prefix:
                earlier = self.bindings.get(name, [])[:1]  # a module placeholder
            if not earlier:
                continue
            statement = earlier[-1]
            if statement.kind not in ("graph", "placeholder", "gradients", "varlist") or \
                    statement.index in found:
                continue
            if statement.kind == "graph" and set(statement.targets) & fed:
                if not set(statement.targets) <= fed:
                    raise Unproven(statement.line, "a run feeds some of the names this line "
                                   "binds and needs the others: feed all of them")
                continue
            found[statement.index] = statement
            if statement.kind in ("graph", "gradients"):
                pending.extend((use, statement.index) for use in statement.uses)
        return [found[i] for i in sorted(found)]

    def train_statement(self, name: str) -> Statement:
        return self.by_target[name]

    def plan_functions(self) -> list[Function]:
        functions: dict[tuple, Function] = {}
        for site in self.sites:
            if any(leaf.train == "init" for leaf in site.leaves):
                continue
            trains = [leaf.train for leaf in site.leaves if leaf.train]
            if len(set(trains)) != len(trains):
                raise Unproven(site.call, "the same train op twice in one run")
            values = [leaf for leaf in site.leaves if not leaf.train and not leaf.summary]
            uses = set().union(*(self.leaf_uses(leaf) for leaf in values)) if values else set()
            updates = list(dict.fromkeys(leaf.metric[:3:2] for leaf in values
                                         if leaf.metric and leaf.metric[1] == "update"))
            merged = [leaf.summary for leaf in site.leaves if leaf.summary]
            summaries, writer = [], None
            if merged:
                if len(merged) > 1:
                    raise Unproven(site.call, "two merged summaries in one run")
                writer = self.summary_writes(site)
                lines = {line for line, _ in self.merges[merged[0]]}
                summaries = [s for s in self.statements if s.line in lines]
                for statement in summaries:
                    uses |= names_used(statement.call)
            loss_uses: set[str] = set()
            train = trains[0] if trains else None
            for name in trains:  # several train ops in one run share one forward pass
                loss_uses |= self.loss_uses(self.train_statement(name), site.line_index)
            # fed intermediate tensors (`{features: batch}`) are parameters, not computed
            cut = frozenset(k for k in site.feeds if self.by_target[k].kind == "graph")
            needed = self.closure(uses | loss_uses, site.line_index, cut)
            if not needed and not train and not updates and not cut:
                continue  # only variables and eager values: read them directly
            loss_needed = self.closure(loss_uses, site.line_index, cut)
            params = [s for s in needed if s.kind == "placeholder"]
            for param in params:
                name = param.targets[0]
                if name not in site.feeds and self.call_name(param.call) != \
                        "tensorflow.placeholder_with_default":
                    raise Unproven(site.call, f"this run needs the placeholder `{name}`, which "
                                   "it does not feed (TF1 fails here too); feed it")
            reached = uses | loss_uses | {n for s in needed for n in s.uses}
            fed_graph = sorted((n for n in cut if n in reached),
                               key=lambda n: (self.by_target[n].index, n))
            # an initializable iterator is made anew by each initializer run: passed in
            fed_graph += [n for n in self.iterators if n in reached]
            # a fed eager tensor (`init_s = cell.zero_state(...)`) is a parameter defaulting to it
            fed_eager = [n for n in dict.fromkeys(k for other in self.sites for k in other.feeds)
                         if self.by_target[n].kind == "eager" and n in reached]
            codes = tuple(self.leaf_code(leaf) for leaf in values)
            structure = self.ctx.code(site.fetch) if site.shape == "nested" else None
            key = (codes, site.shape, tuple(trains), tuple(s.index for s in needed),
                   tuple(merged), writer, tuple(fed_graph), structure)
            function = functions.get(key)
            if function is None:
                body = [s for s in needed if s.kind in ("graph", "gradients", "varlist")]
                loss_body = [s for s in loss_needed if s.kind == "graph"]
                if train:  # the apply_gradients arguments: gradients and what edits them
                    for name in trains:
                        uses = names_used(self.train_statement(name).call)
                        extra = {s.index: s for s in self.closure(uses, site.line_index, cut)
                                 if s.kind != "placeholder"}
                        extra.update({s.index: s for s in body})
                        body = [extra[i] for i in sorted(extra)]
                position = max([s.index for s in needed] +
                               [self.train_statement(t).index for t in trains] +
                               [s.index for s in self.statements if s.kind == "metric"
                                and any(u[0] == self.metric_names[s.targets[0]][0]
                                        for u in updates)])
                function = Function("", list(codes), train,
                                    [p.targets[0] for p in params] + fed_graph + fed_eager,
                                    body, loss_body, position, summaries=summaries,
                                    writer=writer, updates=updates,
                                    names=[self.ctx.code(leaf.node) for leaf in values],
                                    trains=trains)
                functions[key] = function
            if site.feed_name is not None and set(site.feeds) - set(function.params):
                raise Unproven(site.call, f"the feed_dict `{site.feed_name}` feeds "
                               f"`{sorted(set(site.feeds) - set(function.params))[0]}`, which "
                               "this run does not use")
            if site.feed_name is not None and (function.summaries or function.method):
                raise Unproven(site.call, f"the feed_dict `{site.feed_name}` is chosen in an "
                               "if/else: write the run once per branch")
            if function.sites and function.method != bool(site.receiver):
                raise Unproven(site.call, "the same fetches run through an instance of the graph "
                               "class and without one; rewrite by hand")
            function.method = bool(site.receiver)
            function.sites.append(site)
            site.function = function
        return list(functions.values())

    def loss_uses(self, statement: Statement, before: int) -> set[str]:
        """Names a train op's losses use: minimize's arguments, or for apply_gradients the
        losses of the compute_gradients / tf.gradients it applies."""
        if statement.call.func.attr.value == "minimize":
            return names_used(statement.call)
        found = [s for s in self.closure(names_used(statement.call), before)
                 if s.kind == "gradients"]
        if not found:
            raise Unproven(statement.line, "apply_gradients of gradients this analysis cannot "
                           "see; compute them with compute_gradients or tf.gradients here")
        return set().union(*(names_used(arg(s.call, 0, "loss") or arg(s.call, 0, "ys"))
                             for s in found))

    def leaf_uses(self, leaf: Leaf) -> set[str]:
        if leaf.metric:
            return set(leaf.metric[3]) if leaf.metric[1] == "update" else set()
        return names_used(leaf.node)

    def leaf_code(self, leaf: Leaf) -> str:
        return f"{leaf.metric[0]}.result()" if leaf.metric else self.ctx.code(leaf.node)

    def metric_lines(self, function: Function) -> list[str]:
        return [f"{metric}.update_state({args})\n" for metric, args in function.updates]

    def summary_writes(self, site: RunSite) -> str:
        """The writer and step of the `writer.add_summary(summary, step)` right after a run
        that fetches a merged summary; that line goes, its step moves into the call."""
        small = site.statement.body[0] if site.statement is not None else None
        position = next(i for i, leaf in enumerate(site.leaves) if leaf.summary)
        target = small.targets[0].target if isinstance(small, cst.Assign) else None
        if site.shape in ("list", "tuple") and isinstance(target, (cst.Tuple, cst.List)) and \
                len(target.elements) == len(site.leaves):
            target = target.elements[position].value
        elif site.shape != "single":
            target = None
        if not isinstance(target, cst.Name):
            raise Unproven(site.call, "a fetched summary must be unpacked into a name that "
                           "`add_summary` then writes")
        holder = self.ctx.parent(small)
        block = self.ctx.parent(holder)
        siblings = list(getattr(block, "body", []))
        start = siblings.index(holder) + 1
        for line in siblings[start:]:
            call = line.body[0].value if isinstance(line, cst.SimpleStatementLine) and \
                isinstance(line.body[0], cst.Expr) else None
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and \
                    call.func.attr.value == "add_summary" and \
                    isinstance(call.func.value, cst.Name) and \
                    call.func.value.value in self.writers:
                summary, step = arg(call, 0, "summary"), arg(call, 1, "global_step")
                if isinstance(summary, cst.Name) and summary.value == target.value:
                    if step is None:
                        raise Unproven(call, "`add_summary` without a step")
                    used = sum(1 for n in name_nodes(block) if n.value == target.value)
                    if used != 2:
                        raise Unproven(target, f"the summary `{target.value}` is used "
                                       "for more than `add_summary`")
                    self.closes.append(line)
                    site.writes[position] = (call.func.value.value, step)
                    return call.func.value.value
            if target.value in names_used(line) or any(
                    isinstance(n, cst.AssignTarget) for n in walk(line)):
                break
        raise Unproven(site.call, "a fetched summary that is not written by "
                       "`writer.add_summary(summary, step)` right after the run")

    def check_other_uses(self, lines) -> None:
        """Names the rewrite removes must not be used anywhere it does not rewrite."""
        removed = {n for s in self.statements if s.kind in REMOVED_KINDS + ("metric",)
                   for n in s.targets}
        # a class run from outside is rewritten as a whole; one running itself, method by method
        allowed: set = set(walk(self.graph_class.node)) \
            if self.graph_class and not self.self_run else set()
        for statement in self.statements:
            if statement.kind in REMOVED_KINDS + ("metric",):
                allowed.update(walk(statement.line))
        for site in self.sites:
            allowed.update(walk(site.call))
        for line in [*self.feed_uses, *self.closes, *(line for line, _ in self.iterators.values()),
                     *(line for site in self.sites for line in site.branches)]:
            allowed.update(walk(line))
        kinds: dict[str, list] = {}  # name → [(line index, removed?)] of its bindings
        for statement in self.statements:
            for name in statement.targets:
                kinds.setdefault(name, []).append(
                    (statement.index, statement.kind in REMOVED_KINDS + ("metric",)))

        def removed_at(name: str, index: int) -> bool:
            """Whether the binding of `name` in effect at line `index` is one that goes."""
            earlier = [gone for at, gone in kinds.get(name, []) if at < index]
            return earlier[-1] if earlier else name in removed

        if self.self_run:  # the class's methods may read its graph only through runs
            names = self.graph_class.names
            for line in lines[self.prefix:]:
                for node in walk(line):
                    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and \
                            node.value.value == "self" and node.attr.value in names and \
                            names[node.attr.value] in removed and node not in allowed:
                        raise Unproven(node, f"`self.{node.attr.value}` is a graph tensor used "
                                       "outside `sess.run`; this analysis cannot move that use")
        for index, line in enumerate(lines):
            statement = self.statements[index]
            if statement.kind not in REMOVED_KINDS and isinstance(line, cst.SimpleStatementLine) \
                    and isinstance(line.body[0], cst.Assign):
                for target in line.body[0].targets:
                    allowed.update(name_nodes(target.target))  # a new binding, not a use
            for node in walk(line):
                if isinstance(node, (cst.FunctionDef, cst.Lambda)):
                    local = bound_names(node)
                    allowed.update(n for n in walk(node)
                                   if isinstance(n, cst.Name) and n.value in local)
            for node in name_nodes(line):
                if node.value in removed and node.value != "_" and node not in allowed and \
                        removed_at(node.value, index):
                    parent = self.ctx.parent(node)
                    if isinstance(parent, cst.AsName) or self._is_param(node):
                        continue
                    if node.value in self.sessions:
                        continue
                    raise Unproven(node, f"`{node.value}` is a graph tensor used outside "
                                   "`sess.run`; this analysis cannot move that use")

    def _is_param(self, node: cst.Name) -> bool:
        parent = self.ctx.parent(node)
        return isinstance(parent, cst.Param) and parent.name is node

    def pending_tf1_name(self) -> tuple | None:
        """(node, name) of a TF1 name another rule still has to fix in the block's lines."""
        for statement in self.statements:
            for node in walk(statement.line):
                if isinstance(node, (cst.Attribute, cst.Name)):
                    name = self.qualified(node)
                    if name and name.startswith("tensorflow.") and \
                            short(name).startswith(("tf.layers", "tf.get_variable",
                                                    "tf.contrib", "tf.nn.rnn_cell")):
                        return node, short(name)
        return None

    def check_waiting(self) -> None:
        """Moved statements, and the module's functions they call, must already be TF2 code:
        other rules fix their TF1 names first."""
        defs = {s.name.value: s for s in self.ctx.module.body if isinstance(s, cst.FunctionDef)}
        defs.update({s.line.name.value: s.line for s in self.statements
                     if isinstance(s.line, cst.FunctionDef)})
        pending = [s.line for s in self.statements if s.kind == "graph"]
        seen: set = set()
        while pending:
            root = pending.pop()
            for node in walk(root):
                if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and \
                        node.func.value in defs and node.func.value not in seen:
                    seen.add(node.func.value)
                    pending.append(defs[node.func.value])
                if not isinstance(node, (cst.Attribute, cst.Name)):
                    continue
                name = self.qualified(node)
                if not name or not name.startswith("tensorflow."):
                    continue
                tf_name = short(name)
                if tf_name in RENAMES or tf_name in CHANGED or tf_name in CASTS or \
                        tf1_only_prefix(tf_name) is not None or is_tf1_name(tf_name):
                    raise Waiting(node, tf_name)
        # a collection read anywhere in the block is empty (gone) in eager code
        handled = {n for s in self.statements if s.kind == "varlist" for n in walk(s.line)}
        for statement in self.statements:
            if statement.kind == "train":
                var_list = arg(statement.call, 2, "var_list")
                if var_list is not None and self._all_variables(var_list):
                    handled.update(walk(var_list))
            for node in walk(statement.line):
                if isinstance(node, cst.Call) and node not in handled and \
                        self.call_name(node) in COLLECTIONS:
                    raise Waiting(node, short(self.call_name(node)))

    # -- step 4: the new block ----------------------------------------------------------------
    def rewrite(self, lines) -> tuple[list[cst.BaseStatement], list[Function]]:
        functions = self.plan_functions()
        removed = {n for s in self.statements if s.kind in REMOVED_KINDS for n in s.targets}
        # Names the rewrite removes are free again (check_other_uses proved them unused).
        taken = (self.ctx.all_names() | {n for s in self.statements for n in s.targets}) - removed
        self.taken = taken
        for function in functions:
            function.name = self.fresh(self.function_name(function), taken)
        optimizer_lines = self.optimizer_lines()
        self.checkpoint_lines()
        self.iterator_lines()
        self.hoisted = self.hoist_state(functions)
        replacements = self.site_replacements(functions)
        placed: dict[int, list[Function]] = {}
        for function in functions:
            if not function.method:
                placed.setdefault(function.position, []).append(function)
        removed_kinds = REMOVED_KINDS
        out: list[cst.BaseStatement] = []
        carry: list[cst.EmptyLine] = []
        statements = iter(self.statements)
        nested = not isinstance(self.owner, cst.Module)

        blank = [cst.EmptyLine(indent=False)] * (1 if nested else 2)
        after_function = False

        init_out: list[cst.BaseStatement] = []  # the graph class's __init__ body

        def emit(node, function=False):
            nonlocal carry, after_function
            if index < self.prefix:
                init_out.append(node)
                return
            lines = [*carry, *node.leading_lines]
            carry = []
            # definitions are set off by blank lines, before their comments
            if (after_function or function) and out and (
                    not function or after_function or any(e.comment for e in lines)):
                lines = [*blank, *[line for line in lines if line.comment is not None]]
            limit, run, kept = len(blank), 0, []
            for empty in lines:  # removed lines leave at most one separation behind
                run = run + 1 if empty.comment is None else 0
                if run <= limit:
                    kept.append(empty)
            out.append(node.with_changes(leading_lines=kept))
            after_function = function

        configs = self.config_lines()
        first = next((i for i, line in enumerate(lines) if i >= self.prefix and
                      not _preamble(line)), self.prefix)
        for index, line in enumerate(lines):
            carry.extend(self.with_comments.get(index, []))
            if index == first:
                for number, node in enumerate(configs):
                    emit(node.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
                         if number == 0 and first else node)
            statement = next(statements)
            if statement.kind in removed_kinds or line in self.closes or \
                    replacements.get(line, 0) is None:
                if statement.kind != "graph":
                    carry.extend(line.leading_lines)
                elif line in self.state_lines:  # the layers a graph loop makes, made once
                    emit(self.state_lines[line])
                for node in self.inline_optimizers.pop(
                        statement.targets[0] if statement.kind == "train" else None, []):
                    emit(node, function=isinstance(node, cst.ClassDef))
            elif isinstance(replacements.get(line), list):
                for node in replacements[line]:
                    emit(node)
            elif line in self.state_lines:
                new = self.state_lines[line]
                for node in new if isinstance(new, list) else [new]:
                    emit(node, function=isinstance(node, cst.FunctionDef))
            elif line in optimizer_lines:
                new = optimizer_lines[line]
                for node in new if isinstance(new, list) else [new]:
                    emit(node, function=isinstance(node, cst.ClassDef))
            elif line in self.hoisted:
                for node in self.hoisted.pop(line):
                    emit(node, function=isinstance(node, cst.FunctionDef))
            elif self.graph_class is not None and line is self.graph_class.node:
                new_class = self.class_code(init_out, functions)
                for node in [*self.factory_definitions, *self.module_definitions, new_class]:
                    emit(node, function=True)
            else:
                self.rewritten[line] = line.visit(_Replacer(replacements)) if replacements \
                    else line
                if isinstance(self.rewritten[line], cst.RemovalSentinel):
                    carry.extend(line.leading_lines)  # an `if flag:` around what went
                else:
                    emit(self.rewritten[line])
            for function in placed.get(statement.index, []):
                for node in self.function_code(function, nested):
                    emit(node, function=True)
        if self.graph_class is not None and self.graph_class.node not in lines:
            new_class = self.class_code(init_out, functions)  # sets module_definitions
            self.class_edit = Edit(self.graph_class.node, [
                *self.factory_definitions, *self.module_definitions, new_class])
        return out, functions

    def class_code(self, init_out: list, functions: list[Function]) -> cst.ClassDef:
        """The graph class with what its `__init__` keeps (state, on `self`) and one method per
        distinct run of its instances."""
        graph_class = self.graph_class
        self.module_definitions = [n for n in init_out if isinstance(n, cst.ClassDef)]
        kept = [n for n in init_out if not isinstance(n, cst.ClassDef)]
        attributes = {name: attribute for attribute, name in graph_class.names.items()}
        bound = {name for line in kept for node in walk(line)
                 if isinstance(node, cst.AssignTarget)
                 for name in target_names(node.target) or []}
        methods = [node for function in functions if function.method
                   for node in self.function_code(function, nested=True)]
        used = set().union(*(free_names(m) - {n.name.value for n in walk(m.body)
                                              if isinstance(n, cst.FunctionDef)}
                             for m in methods if isinstance(m, cst.FunctionDef)))
        state = {name: attributes.get(name, name) for name in bound
                 if name in attributes or name in used}
        original = {new: old for old, new in graph_class.locals.items()}
        outside = (set(original) - set(state)) & used
        if outside:
            raise Unproven(graph_class.init, "the graph built in `__init__` uses "
                           f"`{original[sorted(outside)[0]]}`, which is local to it: store it "
                           "on `self`")
        on_self = {name: f"self.{attribute}" for name, attribute in state.items()}
        back = {new: old for new, old in original.items() if new != old and new not in state}
        init_body = [line.visit(_Renamer(line, on_self)) for line in kept]
        init_body = [line.visit(_Renamer(line, back)) for line in init_body]
        if not init_body:
            init_body = [cst.SimpleStatementLine([cst.Pass()])]
        init = graph_class.init.with_changes(
            body=graph_class.init.body.with_changes(body=init_body))
        members = []
        for member in graph_class.node.body.body:
            if member in graph_class.helpers.values() or \
                    member in graph_class.loop_helpers.values():
                continue  # its lines are now __init__'s and the methods'
            members.append(init if member is graph_class.init else
                           self.rewritten.get(member, member))
            if member is graph_class.init:
                members.extend(self.method_code(m, on_self) for m in methods)
        return graph_class.node.with_changes(
            body=graph_class.node.body.with_changes(body=members))

    def hoist_state(self, functions: list[Function]) -> dict:
        """Layers and variables a helper function creates move out of it, to be made once.

        The graph's helper functions (`def rnn(x): cell = LSTM(n); return cell(x)`) ran once
        in TF1, building the graph; called from a `tf.function` they would create new state on
        every call. A helper called from one place gives its state statements to the block.
        """
        defs = {s.name.value: s for s in self.ctx.module.body if isinstance(s, cst.FunctionDef)}
        defs.update({s.line.name.value: s.line for s in self.statements
                     if isinstance(s.line, cst.FunctionDef)})
        moved = [s for f in functions for s in f.body]
        called, pending = {}, [n for s in moved for n in walk(s.line)]
        while pending:
            node = pending.pop()
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and \
                    node.func.value in defs and node.func.value not in called:
                definition = defs[node.func.value]
                called[node.func.value] = definition
                pending.extend(walk(definition.body))
        out = {}
        for name, definition in called.items():
            local = bound_names(definition)
            hoisted, kept = [], []
            hoisted_names: set[str] = set()  # layers made by lines already hoisted
            for line in definition.body.body:
                state = self._state_line(line)
                if state is None:
                    kept.append(line)
                    for node in walk(line):
                        if isinstance(node, cst.Call) and self._makes_state(node):
                            raise Unproven(node, f"`{name}` creates a layer or variable on "
                                           "every call; create it once outside the function")
                elif names_used(state) & (local - hoisted_names):
                    raise Unproven(line, f"`{name}` builds a layer or variable from its "
                                   "arguments; create it once outside the function")
                else:
                    hoisted.append(line)
                    hoisted_names.update(target_names(line.body[0].targets[0].target) or [])
            if not hoisted:
                continue
            uses = sum(1 for n in walk(self.ctx.module) if isinstance(n, cst.Call)
                       and isinstance(n.func, cst.Name) and n.func.value == name)
            if uses > 1:
                raise Unproven(definition, f"`{name}` creates layers or variables and is "
                               f"called {uses} times: decide which calls share them, create "
                               "them once outside, then run tfmigrate again")
            if definition not in self.body and definition not in [
                    s.line for s in self.statements]:
                raise Unproven(definition, f"`{name}` creates layers or variables and is "
                               "defined outside this block; create them once by hand")
            first = hoisted[0].with_changes(leading_lines=definition.leading_lines)
            new_def = definition.with_changes(
                leading_lines=[cst.EmptyLine(indent=False)] * 2,
                body=definition.body.with_changes(body=kept or [cst.SimpleStatementLine(
                    [cst.Pass()])]))
            out[definition] = [first, *hoisted[1:], new_def]
        return out

    def _state_line(self, line) -> cst.BaseExpression | None:
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 and \
                isinstance(line.body[0], cst.Assign) and \
                target_names(line.body[0].targets[0].target) is not None:
            value = line.body[0].value
            if isinstance(value, cst.Call) and self._makes_state(value):
                return value
        return None

    def _makes_state(self, call: cst.Call) -> bool:
        name = self.call_name(call)
        return (bool(name) and (name in VARIABLE_MAKERS or name.startswith(STATE_PREFIXES[:3]))
                ) or self._local_state_class(call)

    def fresh(self, wanted: str, taken: set[str]) -> str:
        name, number = wanted, 2
        while name in taken:
            name, number = f"{wanted}_{number}", number + 1
        taken.add(name)
        return name

    def function_name(self, function: Function) -> str:
        if function.train:
            train = function.train.lstrip("_")
            if train in TRAIN_NAMES or len(function.trains) > 1 or not train:
                return "train_step"
            return f"{train}_step"
        if function.updates and len(function.updates) == len(function.names):
            return "update_metrics"
        attributes = {name: attribute for attribute, name in
                      (self.graph_class.names.items() if function.method else ())}
        names = [attributes.get(code, code) for code in function.names if code.isidentifier()]
        if not names or len(names) != len(function.names):
            return "evaluate"
        return "compute_" + "_".join(names[:3])

    def optimizer_of(self, statement: Statement) -> tuple[str | None, cst.Call]:
        """(name, constructor call) of a train statement's optimizer; name None when inline."""
        receiver = statement.call.func.value
        if isinstance(receiver, cst.Name):
            return receiver.value, self.by_target[receiver.value].call
        return None, receiver

    def convert_optimizer(self, call: cst.Call, name: str | None = None) -> OptimizerPlan:
        constants = {n for s in self.statements if s.kind == "plain" and len(s.targets) == 1
                     and isinstance(s.line, cst.SimpleStatementLine)
                     and isinstance(s.line.body[0], cst.Assign)
                     and isinstance(s.line.body[0].value, (cst.Integer, cst.Float))
                     and self._bound_once(s.targets[0])
                     for n in s.targets}
        plan = keras_optimizer(
            call, name or self.call_name(call), self.tf, taken=self.taken,
            constant_of=lambda node: isinstance(node, cst.Name) and node.value in constants)
        if plan is None:
            raise Unproven(call, "this optimizer has no Keras 3 equivalent with the same "
                           "numbers; rewrite the training step by hand")
        if plan.safety is not FixSafety.SAFE:
            raise Unproven(call, f"the Keras optimizer would change the numbers: {plan.note}")
        return plan

    def optimizer_lines(self) -> dict:
        """New lines for the optimizer statements; inline optimizers get one at their step."""
        lines = {}
        self.inline_optimizers: dict[str, list[cst.BaseStatement]] = {}
        trains = [s for s in self.statements if s.kind == "train"]
        users: dict[str, int] = {}
        for statement in trains:
            name, _ = self.optimizer_of(statement)
            if name:
                users[name] = users.get(name, 0) + 1
        for statement in self.statements:
            if statement.kind != "optimizer":
                continue
            name = statement.targets[0] if len(statement.targets) == 1 else None
            if name is None or users.get(name, 0) != 1:
                raise Unproven(statement.line, "an optimizer used by several train ops (or by "
                               "none): a Keras 3 optimizer is bound to the variables it first "
                               "updates; create one optimizer per train op")
            self.check_optimizer_uses(name)
            plan = self.convert_optimizer(statement.call)
            small = statement.line.body[0].with_changes(value=cst.parse_expression(plan.expression))
            new = statement.line.with_changes(body=[small])
            lines[statement.line] = [*self.definitions(plan), new] if plan.definitions else new
        for statement in trains:
            name, call = self.optimizer_of(statement)
            if name is None and self._factory(call):
                variable = self.fresh("optimizer", self.taken)
                self.inline_optimizers[statement.targets[0]] = [
                    cst.parse_statement(f"{variable} = {self.ctx.code(call)}\n")]
                statement.optimizer = variable
                self.factory_instances(call)
            elif name is None:
                plan = self.convert_optimizer(call)
                variable = self.fresh("optimizer", self.taken)
                self.inline_optimizers[statement.targets[0]] = [
                    *self.definitions(plan),
                    cst.parse_statement(f"{variable} = {plan.expression}\n")]
                statement.optimizer = variable
            else:
                statement.optimizer = name
        return lines

    def _factory(self, receiver) -> str | None:
        """`opt(rate, **kwargs)` in a graph class's `__init__`, `opt` one of its parameters:
        the TF1 optimizer class each instance is given."""
        if self.graph_class is None or not isinstance(receiver, cst.Call) or \
                not isinstance(receiver.func, cst.Name):
            return None
        params = [p.name.value for p in self.graph_class.init.params.params[1:]]
        return receiver.func.value if receiver.func.value in params else None

    def factory_instances(self, call: cst.Call) -> None:
        """`Net(tf.train.MomentumOptimizer, momentum=0.9)` for `opt(LR, **kwargs)` →
        `Net(TF1Momentum, momentum=0.9)`: each instance gets the Keras class that, called as
        `__init__` calls it, makes the optimizer TF1's constructor made."""
        graph_class = self.graph_class
        factory = self._factory(call)
        params = graph_class.init.params
        named = [p.name.value for p in params.params[1:]]
        star = params.star_kwarg.name.value if isinstance(params.star_kwarg, cst.Param) else None
        rate = call.args[0].value if call.args and call.args[0].keyword is None and \
            not call.args[0].star else None
        if rate is None or any(a.star != "**" for a in call.args[1:]) or \
                any(a.star == "**" and self.ctx.code(a.value) != star for a in call.args[1:]):
            raise Unproven(call, f"`{factory}` is called with other arguments than a learning "
                           "rate and the constructor's **kwargs; rewrite by hand")
        instances = [n for n in walk(self.ctx.module) if isinstance(n, cst.Call)
                     and isinstance(n.func, cst.Name) and n.func.value == graph_class.node.name.value]
        in_block = {n for line in self.body for n in walk(line)}
        for instance in instances:
            given = argument(instance, named.index(factory), factory)
            name = self.qualified(given.value) if given is not None else None
            if instance not in in_block or not name or \
                    not name.startswith("tensorflow.train.") or not name.endswith("Optimizer"):
                raise Unproven(instance, f"`{graph_class.node.name.value}` is made with an "
                               f"optimizer class this analysis cannot see as `{factory}`")
            extra = [a for a in instance.args if a.keyword is not None and
                     a.keyword.value not in named] if star else []
            keywords = "".join(f", {a.keyword.value}={self.ctx.code(a.value)}" for a in extra)
            tf1_call = cst.parse_expression(f"optimizer({self.ctx.code(rate)}{keywords})")
            plan = self.convert_optimizer(tf1_call, name)
            keras = cst.parse_expression(plan.expression)
            rest = [a for a in keras.args if a.keyword is None or
                    a.keyword.value != "learning_rate"]
            if len(rest) == len(keras.args) or any(a.keyword is None for a in rest) or \
                    self.ctx.code(next(a for a in keras.args if a not in rest).value) != \
                    self.ctx.code(rate):
                raise Unproven(instance, "the Keras optimizer takes the learning rate in another "
                               "form (a schedule); rewrite by hand")
            args = [a.with_changes(value=keras.func) if a is given else a
                    for a in instance.args if a not in extra]
            args += [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in rest]
            self.factory_replacements[instance] = instance.with_changes(args=[
                a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args])
            self.factory_definitions.extend(self.definitions(plan))

    def definitions(self, plan) -> list[cst.BaseStatement]:
        """The classes a Keras optimizer needs, each once per block, set off by blank lines."""
        out = []
        # a graph class's optimizer classes go to module level, with the class
        module_level = isinstance(self.owner, cst.Module) or self.graph_class is not None
        blank = [cst.EmptyLine(indent=False)] * (2 if module_level else 1)
        for text in plan.definitions:
            if text in self.defined:
                continue
            self.defined.add(text)
            for statement in cst.parse_module(text).body:
                out.append(statement.with_changes(leading_lines=[*blank,
                                                                 *statement.leading_lines]))
                if isinstance(statement, cst.ClassDef):
                    self.taken.add(statement.name.value)
        return out

    def _bound_once(self, name: str) -> bool:
        count = 0
        for node in walk(self.ctx.module):
            if isinstance(node, cst.AssignTarget) and name in (target_names(node.target) or []):
                count += 1
            elif isinstance(node, (cst.AugAssign, cst.For)) and name in names_used(node.target):
                return False
        return count == 1

    def check_optimizer_uses(self, name: str) -> None:
        for statement in self.statements:
            for node in name_nodes(statement.line):
                if node.value == name:
                    parent = self.ctx.parent(node) or self.translated_parent(node)
                    if isinstance(parent, cst.AssignTarget):
                        continue
                    if isinstance(parent, cst.Attribute) and parent.value is node and \
                            parent.attr.value in ("minimize", "compute_gradients",
                                                  "apply_gradients"):
                        continue
                    raise Unproven(node, f"the optimizer `{name}` is used for more than "
                                   "`minimize` (compute_gradients, slots, ...); rewrite by hand")

    def method_code(self, method: cst.BaseStatement, on_self: dict) -> cst.BaseStatement:
        """State read through `self`; the locals that had to be renamed apart from the running
        block's names get their attribute's name back where nothing else holds it."""
        used = names_used(method)
        renamed = [*self.graph_class.names.items(), *self.graph_class.locals.items()]
        back = {name: original for original, name in renamed
                if name != original and name in used and original not in used}
        method = method.visit(_Renamer(method, on_self))
        return method.visit(_Renamer(method, back, params=True))

    def translated_parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The parent of a node in the graph class's translated lines (which the module's
        parent map does not know)."""
        for line in self.graph_class.lines if self.graph_class else ():
            for parent in walk(line):
                if any(child is node for child in children(parent)):
                    return parent
        return None

    # -- generated code -------------------------------------------------------------------------
    def statement_code(self, statement: Statement) -> str:
        line = statement.code or statement.line
        comments = [empty for empty in line.leading_lines if empty.comment is not None]
        return self.ctx.code(line.with_changes(leading_lines=comments))

    def parameters(self, function: Function) -> tuple[list[str], list[str] | None]:
        """Parameter texts (defaults last) and the input signature (None when unknown)."""
        required, optional, specs, late_specs = [], [], [], []
        known = True
        for name in function.params:
            call = self.by_target[name].call
            if self.by_target[name].kind == "eager":
                optional.append(f"{name}={name}")
                known = False
                continue
            if self.by_target[name].kind in ("graph", "iterator"):  # dtype unknown
                required.append(name)
                known = False
                continue
            if self.call_name(call) == "tensorflow.placeholder":
                dtype, shape = arg(call, 0, "dtype"), arg(call, 1, "shape")
                required.append(name)
                if dtype is None or self.is_switch(name):
                    known = False
                    continue
                if self.graph_class is not None and shape is not None and names_used(shape) & (
                        set(self.graph_class.names.values()) |
                        set(self.graph_class.locals.values())):
                    known = False  # `[None, self.n]`: no signature can name the instance's n
                    continue
                shape_code = self.ctx.code(shape) if shape is not None else "None"
                specs.append(f"{self.tf}.TensorSpec({shape_code}, {self.ctx.code(dtype)})")
            else:
                value, shape = arg(call, 0, "input"), arg(call, 1, "shape")
                if value is None:
                    raise Unproven(call, "placeholder_with_default without a default")
                optional.append(f"{name}={self.ctx.code(value)}")
                dtype = _literal_dtype(value)
                if dtype is None or shape is None:
                    known = False
                    continue
                late_specs.append(f"{self.tf}.TensorSpec({self.ctx.code(shape)}, "
                                  f"{self.tf}.{dtype})")
        function.params = [p for p in function.params if p in required] + \
            [p for p in function.params if p not in required]
        if function.summaries:
            local = set(function.params) | {n for s in function.body for n in s.uses}
            function.step = self.fresh("step", local)
            required.append(function.step)
            specs.append(f"{self.tf}.TensorSpec([], {self.tf}.int64)")
        return required + optional, (specs + late_specs) if known else None

    def summary_block(self, function: Function) -> list[str]:
        """The v2 summaries a merged-summary fetch wrote, under its writer, with the step."""
        if not function.summaries:
            return []
        calls = []
        for statement in function.summaries:
            call = v2_summary_call(statement.call, self.call_name(statement.call), self.tf,
                                   function.step)
            if call is None:
                raise Unproven(statement.line, "this summary has no v2 equivalent "
                               "(`family=`, other collections); write it by hand")
            calls.append(call + "\n")
        return [f"with {function.writer}.as_default():\n", indent("".join(calls))]

    def is_switch(self, name: str) -> bool:
        """A scalar bool placeholder (`is_training`): Keras layers need a Python bool for
        `training=`, so it stays a Python value (one trace per value)."""
        call = self.by_target[name].call
        dtype, shape = arg(call, 0, "dtype"), arg(call, 1, "shape")
        scalar = shape is None or (isinstance(shape, (cst.List, cst.Tuple)) and
                                   not shape.elements) or \
            (isinstance(shape, cst.Name) and shape.value == "None")
        return dtype is not None and scalar and (
            self.qualified(dtype) == "tensorflow.bool" or
            (isinstance(dtype, cst.SimpleString) and dtype.evaluated_value == "bool"))

    def function_code(self, function: Function, nested: bool) -> list[cst.BaseStatement]:
        tf = self.tf
        params, signature = self.parameters(function)
        body: list[str] = []
        if signature is not None and function.params:
            decorator = f"@{tf}.function(input_signature=[{', '.join(signature)}])"
            if len(decorator) > 99:
                specs = "".join(f"    {spec},\n" for spec in signature)
                decorator = f"@{tf}.function(input_signature=[\n{specs}])"
        else:
            decorator = f"@{tf}.function"
            for name in function.params:  # convert as a feed did, switches excepted
                call = self.by_target[name].call
                dtype = arg(call, 0, "dtype") if self.by_target[name].kind == "placeholder" \
                    else None
                if self.call_name(call) == "tensorflow.placeholder" and dtype is not None \
                        and not self.is_switch(name):
                    body.append(f"{name} = {tf}.cast({name}, {self.ctx.code(dtype)})\n")
        returns = function.leaves
        if function.train:
            body.extend(self.train_body(function))
        else:
            body.extend(self.statement_code(s) for s in function.body)
            body.extend(self.metric_lines(function))
            body.extend(self.summary_block(function))
        if returns:
            body.append(f"return {self.return_expression(function)}\n")
        if function.method:
            params = ["self", *params]
        text = f"{decorator}\ndef {function.name}({', '.join(params)}):\n" + \
            indent("".join(body))
        statements = list(cst.parse_module(text).body)
        blank = [cst.EmptyLine(indent=False)] * (1 if nested else 2)
        out, previous = [], None
        for statement in statements:
            comments = [line for line in statement.leading_lines if line.comment is not None]
            apart = previous is None or isinstance(statement, (cst.FunctionDef, cst.ClassDef)) \
                or isinstance(previous, (cst.FunctionDef, cst.ClassDef))
            out.append(statement.with_changes(leading_lines=[*blank, *comments] if apart
                                              else comments))
            previous = statement
        return out

    def train_body(self, function: Function) -> list[str]:
        """The forward pass under a tape, the other fetches (all before any update, as in one
        TF1 run), then each train op's update with its optimizer."""
        local = set(function.params) | {n for s in function.body for n in s.targets} | \
            {n for s in function.body for n in s.uses}
        several = len(function.trains) > 1
        tape = self.fresh("tape", set(local))
        local.add(tape)
        inside = [self.statement_code(s) for s in function.loss_body]
        updates = []
        gradient_lines = self.gradient_lines(function, tape, local)
        for name in function.trains:
            statement = self.train_statement(name)
            minimize = statement.call
            if minimize.func.attr.value == "apply_gradients":
                continue
            for argument in minimize.args:
                keyword = argument.keyword.value if argument.keyword else None
                if keyword == "grad_loss" or argument.star:
                    raise Unproven(minimize, "`minimize` with grad_loss: rewrite the step by hand")
            loss = arg(minimize, 0, "loss")
            global_step = arg(minimize, 1, "global_step")
            var_list = arg(minimize, 2, "var_list")
            if loss is None:
                raise Unproven(minimize, "`minimize` without a loss")
            suffix = f"_{name}" if several else ""
            variables = self.fresh(f"variables{suffix}", local)
            gradients = self.fresh(f"gradients{suffix}", local | {variables})
            local |= {variables, gradients}
            loss_code = self.ctx.code(loss)
            if not isinstance(loss, cst.Name):
                loss_name = self.fresh(f"loss{suffix}", local)
                local.add(loss_name)
                inside.append(f"{loss_name} = {loss_code}\n")
                loss_code = loss_name
            source = self.ctx.code(var_list) if var_list is not None and \
                not self._all_variables(var_list) else f"{tape}.watched_variables()"
            updates.append(f"{variables} = {source}\n")
            updates.append(f"{gradients} = {tape}.gradient({loss_code}, {variables})\n")
        for name in function.trains:
            statement = self.train_statement(name)
            suffix = f"_{name}" if several else ""
            if statement.call.func.attr.value == "apply_gradients":
                applied = arg(statement.call, 0, "grads_and_vars")
                updates.append(f"{statement.optimizer}.apply_gradients("
                               f"{self.ctx.code(applied)})\n")
            else:
                variables = next(line.split(" = ")[0] for line in updates
                                 if line.startswith(f"variables{suffix}"))
                gradients = next(line.split(" = ")[0] for line in updates
                                 if line.startswith(f"gradients{suffix}"))
                updates.append(f"{statement.optimizer}.apply_gradients(zip({gradients}, "
                               f"{variables}))\n")
            global_step = arg(statement.call, 1, "global_step")
            if global_step is not None:
                if not isinstance(global_step, cst.Name) or \
                        global_step.value not in self.variables:
                    raise Unproven(global_step, "a global step that is not a variable of this "
                                   "block")
                updates.append(f"{global_step.value}.assign_add(1)\n")
        if not inside:
            raise Unproven(function.sites[0].call, "the loss does not depend on anything "
                           "computed in the graph")
        computed = sum(1 for line in updates + gradient_lines if f"{tape}.gradient(" in line)
        persistent = "persistent=True" if computed > 1 else ""
        lines = [f"with {self.tf}.GradientTape({persistent}) as {tape}:\n"]
        lines.append(indent("".join(inside)))
        lines.extend(gradient_lines)
        lines.extend(self.statement_code(s) for s in function.body
                     if s not in function.loss_body and s.kind == "graph")
        lines.extend(self.metric_lines(function))
        lines.extend(self.summary_block(function))
        return lines + updates

    def gradient_lines(self, function: Function, tape: str, local: set[str]) -> list[str]:
        """`gv = opt.compute_gradients(loss)` / `grads = tf.gradients(loss, tvars)` read from
        the tape, after the forward pass; `tvars = tf.trainable_variables()` is what it watched."""
        lines = []
        for statement in function.body:
            if statement.kind == "varlist":
                lines.append(f"{statement.targets[0]} = {tape}.watched_variables()\n")
            if statement.kind != "gradients":
                continue
            call, target = statement.call, statement.targets[0]
            if self.call_name(call) == "tensorflow.gradients":
                ys, xs = arg(call, 0, "ys"), arg(call, 1, "xs")
                if ys is None or xs is None or len(call.args) != 2:
                    raise Unproven(call, "`tf.gradients` with more than ys and xs")
                sources = f"{tape}.watched_variables()" if self._all_variables(xs) \
                    else self.ctx.code(xs)
                lines.append(f"{target} = {tape}.gradient({self.ctx.code(ys)}, {sources})\n")
                continue
            loss, var_list = arg(call, 0, "loss"), arg(call, 1, "var_list")
            if loss is None or any(a.keyword is not None and a.keyword.value not in (
                    "loss", "var_list", "gate_gradients", "aggregation_method",
                    "colocate_gradients_with_ops") for a in call.args):
                raise Unproven(call, "`compute_gradients` with grad_loss: rewrite by hand")
            variables = self.fresh("variables", local)
            local.add(variables)
            source = self.ctx.code(var_list) if var_list is not None and \
                not self._all_variables(var_list) else f"{tape}.watched_variables()"
            lines.append(f"{variables} = {source}\n")
            lines.append(f"{target} = list(zip({tape}.gradient({self.ctx.code(loss)}, "
                         f"{variables}), {variables}))\n")
        return lines

    def _all_variables(self, node) -> bool:
        """`tf.trainable_variables()` & co.: every variable, which is what the tape watched
        (a variable the loss does not reach gets no gradient either way)."""
        name = self.call_name(node)
        if name in ("tensorflow.trainable_variables", "tensorflow.global_variables",
                    "tensorflow.all_variables"):
            return not node.args
        if name == "tensorflow.get_collection" and len(node.args) == 1:
            key = self.qualified(node.args[0].value)
            return key in ("tensorflow.GraphKeys.TRAINABLE_VARIABLES",
                           "tensorflow.GraphKeys.GLOBAL_VARIABLES")
        return False

    def return_expression(self, function: Function) -> str:
        site = function.sites[0]
        codes = function.leaves
        dropped = any(leaf.train or leaf.summary for leaf in site.leaves)
        if site.shape == "nested":
            return self.ctx.code(site.fetch)
        if site.shape == "single" or (dropped and len(codes) == 1):
            return codes[0]
        if site.shape == "dict":
            items = [f"{self.ctx.code(e.key)}: {self.leaf_code(leaf)}"
                     for e, leaf in zip(site.fetch.elements, site.leaves)
                     if not (leaf.train or leaf.summary)]
            return "{" + ", ".join(items) + "}"
        return ", ".join(codes) + ("," if len(codes) == 1 else "")

    def site_replacements(self, functions: list[Function]) -> dict:
        """Map of original node → new node (None: remove the line) for every run and close."""
        out: dict = {line: None for line in [*self.closes, *self.feed_uses]}
        out.update(self.saver_replacements)
        out.update(self.factory_replacements)
        for whole in dict.fromkeys(site.whole for site in self.sites if site.whole):
            out[whole.statement] = self.split_replacement(whole)
        for site in self.sites:
            if site.whole is not None:
                continue
            for line in site.branches:  # `{x: a}` → `{"x": a}`: the dict is passed as keywords
                small = line.body[0]
                elements = [e.with_changes(key=cst.SimpleString(f'"{e.key.value}"'))
                            for e in small.value.elements]
                out[line] = line.with_changes(body=[small.with_changes(
                    value=small.value.with_changes(elements=elements))])
            if any(leaf.train == "init" for leaf in site.leaves):
                resets = [f"{m}.reset_state()\n" for m in self.metric_objects] \
                    if site.call in self.resets else []
                resets += [self.iterator_start(site, leaf.iterator) for leaf in site.leaves
                           if leaf.iterator]
                out[site.statement] = [cst.parse_statement(r) for r in resets] or None
                if resets:
                    out[site.statement][0] = out[site.statement][0].with_changes(
                        leading_lines=site.statement.leading_lines)
                continue
            if site.function is None:
                out[site.call] = cst.parse_expression(self.direct_read(site))
                continue
            call = self.call_text(site)
            trains = [i for i, leaf in enumerate(site.leaves) if leaf.train or leaf.summary]
            values = len(site.leaves) - len(trains)
            small = site.statement.body[0] if site.statement is not None else None
            if isinstance(small, cst.Expr):
                out[site.statement] = site.statement.with_changes(
                    body=[small.with_changes(value=cst.parse_expression(call))])
                continue
            if not trains:
                out[site.call] = cst.parse_expression(self.converted(call, site, values))
                continue
            parent = self.ctx.parent(site.call)
            if small is None and isinstance(parent, cst.Subscript) and parent.value is site.call:
                out[parent] = cst.parse_expression(self.selected(call, site, parent, trains))
                continue
            if site.shape == "single" or not isinstance(small, cst.Assign):
                raise Unproven(site.call, "the result of a train run is used as a value; "
                               "unpack it (`_, loss = sess.run([train_op, loss])`)")
            target = small.targets[0].target
            if not isinstance(target, (cst.Tuple, cst.List)) or \
                    len(target.elements) != len(site.leaves):
                raise Unproven(site.call, "unpack the train run's results into names")
            kept = [e.value for i, e in enumerate(target.elements) if i not in trains]
            for i in trains:
                dropped = target.elements[i].value
                if not isinstance(dropped, cst.Name):
                    raise Unproven(dropped, "a train op's result assigned to an attribute")
            if values == 0:
                new = f"{call}\n"
            elif self.structured(site):
                names = ", ".join(self.ctx.code(k) for k in kept)
                new = f"{names} = {self.nested_numpy(call)}\n"
            elif values == 1:
                new = f"{self.ctx.code(kept[0])} = {call}.numpy()\n"
            else:
                names = ", ".join(self.ctx.code(k) for k in kept)
                new = f"{names} = [tensor.numpy() for tensor in {call}]\n"
            line = cst.parse_statement(new)
            out[site.statement] = line.with_changes(
                leading_lines=site.statement.leading_lines,
                trailing_whitespace=site.statement.trailing_whitespace)
        for line, (writer, scalars, step) in self.proto_writes.items():
            def code(node):  # runs inside the values are rewritten too
                return self.ctx.code(node.visit(_Replacer(out)))
            calls = "".join(f"{self.tf}.summary.scalar({code(tag)}, {code(number)}, "
                            f"step={code(step)})\n" for tag, number in scalars)
            text = f"with {writer}.as_default():\n" + indent(calls)
            out[line] = cst.parse_statement(text).with_changes(leading_lines=line.leading_lines)
        return out

    def split_replacement(self, whole: RunSite) -> list[cst.BaseStatement]:
        """The lines of a run of several instances: one call per instance, each unpacked into
        the names its fetches were unpacked into."""
        small = whole.statement.body[0] if whole.statement is not None else None
        if isinstance(small, cst.Expr):
            texts = [f"{self.call_text(part)}\n" for part in whole.parts]
        else:
            target = small.targets[0].target if isinstance(small, cst.Assign) and \
                len(small.targets) == 1 else None
            if not isinstance(target, (cst.Tuple, cst.List)) or \
                    len(target.elements) != len(whole.leaves) or not all(
                        isinstance(e, cst.Element) and isinstance(e.value, cst.Name)
                        for e in target.elements):
                raise Unproven(whole.call, "a run of several instances of the graph class "
                               "whose results are not unpacked into names: unpack them, or "
                               "run each instance separately")
            names = [e.value.value for e in target.elements]
            read = set().union(*(names_used(v) for v in whole.feeds.values()),
                               *(names_used(leaf.node) for leaf in whole.leaves))
            if set(names) & (read | {p.receiver.split("[")[0] for p in whole.parts}):
                raise Unproven(whole.call, "a name this run assigns is read by the run: the "
                               "instances' runs, one after the other, would see the new value")
            texts = []
            for part, positions in zip(whole.parts, whole.positions):
                call = self.call_text(part)
                kept = [names[i] for i in positions if not whole.leaves[i].train]
                structured = self.structured(part)
                if not kept:
                    texts.append(f"{call}\n")
                elif len(kept) == 1:
                    value = self.nested_numpy(call) if structured else f"{call}.numpy()"
                    texts.append(f"{kept[0]} = {value}\n")
                else:
                    value = self.nested_numpy(call) if structured else \
                        f"[tensor.numpy() for tensor in {call}]"
                    texts.append(f"{', '.join(kept)} = {value}\n")
        lines = [cst.parse_statement(text) for text in texts]
        lines[0] = lines[0].with_changes(leading_lines=whole.statement.leading_lines)
        lines[-1] = lines[-1].with_changes(
            trailing_whitespace=whole.statement.trailing_whitespace)
        return lines

    def selected(self, call: str, site: RunSite, subscript: cst.Subscript,
                 dropped: list[int]) -> str:
        """`sess.run([a, b, train_op])[:2]` / `[1]`: the same items of what the function
        returns (train ops and summaries are not returned, so positions shift)."""
        count = len(site.leaves)

        def position(node, default: int) -> int:
            if node is None:
                return default
            text = self.ctx.code(node)
            if not re.fullmatch(r"-?\d+", text):
                raise Unproven(node, "a run result indexed by a computed value: unpack it")
            number = int(text)
            return max(0, min(count, number + count if number < 0 else number))

        element = subscript.slice[0].slice if len(subscript.slice) == 1 else None
        if isinstance(element, cst.Index):
            chosen = [position(element.value, 0)]
        elif isinstance(element, cst.Slice) and element.step is None:
            chosen = list(range(position(element.lower, 0), position(element.upper, count)))
        else:
            raise Unproven(subscript, "a run result sliced with a step: unpack it")
        if site.shape not in ("list", "tuple") or set(chosen) & set(dropped):
            raise Unproven(subscript, "a train op's result (None in TF1) is used as a value; "
                           "unpack the run's results into names")
        kept = [i for i in range(count) if i not in dropped]
        values = [kept.index(i) for i in chosen]
        if isinstance(element, cst.Index):
            return f"{call}.numpy()" if len(kept) == 1 else f"{call}[{values[0]}].numpy()"
        if len(kept) == 1:
            items = f"{call}.numpy()" if values else ""
            return f"[{items}]" if site.shape == "list" else f"({items},)" if values else "()"
        part = "" if values == list(range(len(kept))) else \
            f"[{values[0]}:{values[-1] + 1}]" if values else "[0:0]"
        converted = f"tensor.numpy() for tensor in {call}{part}"
        return f"[{converted}]" if site.shape == "list" else f"tuple({converted})"

    def iterator_start(self, site: RunSite, name: str) -> str:
        maker, params, dataset = self.iterator_makers[name]
        if maker is None:
            return f"{name} = iter({dataset})\n"
        missing = [p for p in params if p not in site.feeds]
        if missing:
            raise Unproven(site.call, f"the iterator's initializer needs `{missing[0]}`, which "
                           "it does not feed")
        values = ", ".join(self.ctx.code(site.feeds[p]) for p in params)
        return f"{name} = iter({maker}({values}))\n"

    def call_text(self, site: RunSite) -> str:
        function = site.function
        args, keywords = [], []
        if site.feed_name is not None:
            args.append(f"**{site.feed_name}")
        for name in function.params if site.feed_name is None else ():
            call = self.by_target[name].call
            default = self.call_name(call) == "tensorflow.placeholder_with_default" or \
                self.by_target[name].kind == "eager"
            if name in self.iterators:
                args.append(name)
            elif name in site.feeds:
                value = self.ctx.code(site.feeds[name])
                if default:
                    keywords.append(f"{name}={value}")
                else:
                    args.append(value)
        for _, step in site.writes.values() if function.summaries else ():
            args.append(self.ctx.code(step))
        owner = f"{site.receiver}." if site.receiver else ""
        return f"{owner}{function.name}({', '.join(args + keywords)})"

    def structured(self, site: RunSite) -> bool:
        """Whether a fetched name holds a structure of tensors (`state = (c, h)`), which
        `run` returned as the same structure of arrays."""
        for leaf in site.leaves:
            if not isinstance(leaf.node, cst.Name) or leaf.train or leaf.summary:
                continue
            bound = [s for s in self.bindings.get(leaf.node.value, [])
                     if s.index < site.line_index]
            line = bound[-1].line if bound else None
            if isinstance(line, cst.SimpleStatementLine) and isinstance(line.body[0], cst.Assign) \
                    and isinstance(line.body[0].value, (cst.Tuple, cst.List, cst.Dict)):
                return True
            if bound and bound[-1].kind == "graph" and (
                    not isinstance(line, cst.SimpleStatementLine) or
                    self._mutation(line) is not None):
                return True  # a list of tensors grown in the graph (or bound in a loop)
        return False

    def nested_numpy(self, call: str) -> str:
        return f"{self.tf}.nest.map_structure(lambda tensor: tensor.numpy(), {call})"

    def converted(self, call: str, site: RunSite, values: int) -> str:
        if site.shape == "nested":
            return self.nested_numpy(call)
        if self.structured(site):
            result = self.nested_numpy(call)
            return f"list({result})" if site.shape == "list" else result
        if site.shape == "single":
            return f"{call}.numpy()"
        if site.shape == "dict":
            return f"{{key: tensor.numpy() for key, tensor in {call}.items()}}"
        if site.shape == "list":
            return f"[tensor.numpy() for tensor in {call}]"
        return f"tuple(tensor.numpy() for tensor in {call})"

    def direct_read(self, site: RunSite) -> str:
        """A run of variables and eager values only: read them where they are."""
        metrics = {leaf.node: leaf for leaf in site.leaves if leaf.metric}

        def read(node):
            if node in metrics:
                return f"{metrics[node].metric[0]}.result().numpy()"
            code = self.ctx.code(node)
            simple = isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript))
            return f"{code}.numpy()" if simple else f"({code}).numpy()"
        if site.shape == "single":
            return read(site.fetch)
        if site.shape == "nested":
            return self.nested_numpy(self.ctx.code(site.fetch))
        if site.shape == "comprehension":
            return f"[tensor.numpy() for tensor in {self.ctx.code(site.fetch)}]"
        if site.shape == "dict":
            items = [f"{self.ctx.code(e.key)}: {read(e.value)}" for e in site.fetch.elements]
            return "{" + ", ".join(items) + "}"
        reads = [read(leaf.node) for leaf in site.leaves]
        if site.shape == "list":
            return "[" + ", ".join(reads) + "]"
        return "(" + ", ".join(reads) + ("," if len(reads) == 1 else "") + ")"


def _preamble(line) -> bool:
    """Imports and the docstring: what comes before a block's first statement of its own."""
    if not isinstance(line, cst.SimpleStatementLine):
        return False
    return all(isinstance(small, (cst.Import, cst.ImportFrom)) or (
        isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString,
                                                                 cst.ConcatenatedString)))
        for small in line.body)


TENSOR_METHODS = {"assign", "assign_add", "assign_sub", "read_value", "value", "get_next",
                  "scatter_update",
                  "scatter_add", "scatter_sub", "sparse_read", "gather_nd"}


def _operates_on(value: cst.BaseExpression, names: set[str]) -> bool:
    """Whether `value` builds a tensor from `names` (an operator or a variable op) rather than
    asking a Python object for something (`cell.get_weights()`)."""
    for node in walk(value):
        if isinstance(node, (cst.BinaryOperation, cst.UnaryOperation, cst.Comparison,
                             cst.Subscript)) and names_used(node) & names:
            return True
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
                node.func.attr.value in TENSOR_METHODS and names_used(node.func.value) & names:
            return True
        if isinstance(node, cst.Call) and any(isinstance(a.value, cst.Name) and
                                              a.value.value in names for a in node.args):
            return True  # `f(w, b)`: a computation on the variables themselves
    return False


def _literal_dtype(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return "bool"
    if isinstance(node, cst.Float):
        return "float32"
    if isinstance(node, cst.Integer):
        return "int32"
    return None


def _only_pass(block) -> bool:
    return isinstance(block, cst.IndentedBlock) and len(block.body) == 1 and \
        isinstance(block.body[0], cst.SimpleStatementLine) and \
        all(isinstance(small, cst.Pass) for small in block.body[0].body)


class _Replacer(cst.CSTTransformer):
    """Swap nodes by identity; a removed statement line leaves `pass` in an empty block."""

    def __init__(self, replacements: dict) -> None:
        self.replacements = replacements

    def on_leave(self, original_node, updated_node):
        if original_node in self.replacements:
            new = self.replacements[original_node]
            if new is None:
                return cst.RemoveFromParent()
            if isinstance(new, list):
                return cst.FlattenSentinel(new)
            return new
        if isinstance(updated_node, cst.If) and _only_pass(updated_node.body) and \
                not _only_pass(original_node.body) and updated_node.orelse is None and \
                isinstance(updated_node.test, (cst.Name, cst.Attribute)):
            return cst.RemoveFromParent()  # `if output_graph:` around what went
        if isinstance(updated_node, cst.IndentedBlock) and not updated_node.body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated_node


# -- the rules ----------------------------------------------------------------------------------

@dataclass
class Outcome:
    block: Block
    body: list[cst.BaseStatement] | None = None
    functions: list[Function] = field(default_factory=list)
    unproven: Unproven | None = None
    waiting: Waiting | None = None
    anchor: cst.CSTNode | None = None


def analyse(ctx: Context) -> list[Outcome]:
    cached = getattr(ctx, "_graph_outcomes", None)
    if cached is not None:
        return cached
    owners: dict = {}
    for node, name in ctx.named_expressions():
        if name in SESSIONS:
            owner = next((a for a in ctx.ancestors(node) if isinstance(a, cst.FunctionDef)),
                         ctx.module)
            owners.setdefault(owner, node)
    outcomes = []
    classes = graph_classes(ctx) if owners else []
    claimed: set = set()
    for owner, anchor in owners.items():
        body = owner.body if isinstance(owner, cst.Module) else owner.body.body
        home = next((c for c in classes if c.init is owner), None)
        if home is not None:  # the class runs its own session (`self.sess.run(self.loss)`)
            body = [m for m in home.node.body.body
                    if m is not owner and m not in home.helpers.values()
                    and m not in home.loop_helpers.values()]
        block = Block(ctx, body)
        block.owner = owner
        outcome = Outcome(block, anchor=anchor)
        try:
            if home is not None:
                if home in claimed:
                    raise Unproven(anchor, "a graph class run from several blocks")
                claimed.add(home)
                block.graph_class, block.self_run = home, True
                home.translate(set())  # the methods are scopes of their own
                body = []
            own = [line for line in body if all(line is not c.node for c in classes)]
            users = [c for c in classes if any(
                isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and
                n.value.value != "self" and n.attr.value in c.placeholders
                for line in own for n in walk(line)) or (
                c.module_placeholders and isinstance(owner, cst.Module) and any(
                    isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and
                    n.func.value == c.node.name.value for line in own for n in walk(line)))]
            if len(users) > 1 or set(users) & claimed:
                raise Unproven(anchor, "placeholders of several graph classes (or one class run "
                               "from several blocks): rewrite by hand")
            if users:
                claimed.add(users[0])
                block.graph_class = users[0]
                users[0].translate(set().union(*(names_used(line) for line in own)))
            lines = block.flatten()
            block.classify(lines)
            block.resolve_configs()
            block.find_feed_dicts(lines)
            block.find_sites(lines)
            block.check_other_uses(lines)
            block.check_waiting()
            outcome.body, outcome.functions = block.rewrite(lines)
        except Unproven as error:
            outcome.unproven = error
        except Waiting as error:
            outcome.waiting = error
        outcomes.append(outcome)
    ctx._graph_outcomes = outcomes
    return outcomes


def block_edits(outcome: Outcome) -> list[Edit]:
    """Edits that turn the block into its new body: the changed middle, nothing else."""
    old, new = outcome.block.body, outcome.body
    start = 0
    while start < min(len(old), len(new)) and old[start] is new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] is new[end_new - 1]:
        end_old, end_new = end_old - 1, end_new - 1
    if start == end_old:
        raise Unproven(old[0], "nothing to change")
    edits = [Edit(old[start], list(new[start:end_new]))]
    edits.extend(Edit(node, []) for node in old[start + 1:end_old])
    return edits


class GraphProgram(Rule):
    code = "TFM201"
    name = "graph-program"
    summary = "A TF1 graph run by a session becomes eager functions: `outputs = f(inputs)`."
    fix = FixSafety.SAFE
    prefilter = (SESSION_TOKEN,)
    doc = """
## Why
TensorFlow 2 runs eagerly: there is no `tf.Session`, no `tf.placeholder`, and on 2.21
`tf.compat.v1.Session` code cannot use Keras 3 at all. Renaming to `tf.compat.v1` (what
`tf_upgrade_v2` does) keeps the program alive only in a compatibility mode.

## What it becomes
Each distinct `sess.run(fetches, feed_dict)` (and `tensor.eval(...)`, `op.run(...)`)
becomes a call of a `tf.function` whose parameters are the placeholders the fetches reach,
in their order of definition, with an `input_signature` built from the placeholders' dtype
and shape (so fed numpy values are converted as the feed converted them). Its body is the
graph-building statements the fetches depend on; its result has the fetch's structure, and
the call site turns it into numpy (`.numpy()`), as `run` returned numpy.
`optimizer.minimize(loss)` becomes a `tf.GradientTape` step: the loss is computed under the
tape, the variables it read are updated by the Keras 3 optimizer with the TF1
hyperparameters; values fetched with the train op are computed before the update, as in
TF1; `global_step` is incremented. Variables, optimizers and layers are created once,
outside. Sessions, `with tf.Session() as sess:`, `sess.close()`, initializer runs and
`tf.reset_default_graph()` go away; reads of variables become `v.numpy()`.
Summaries fetched through `merge_all`/`merge` and written with `add_summary(s, step)` are
written inside the step, under `writer.as_default()`, with the step passed in;
`FileWriter(logdir, graph)` becomes `tf.summary.create_file_writer(logdir)` — the graph is
not written (an eager program has none; `tf.summary.trace_on`/`trace_export` records a
`tf.function`'s graph if you want one in TensorBoard). `tf.train.Saver` becomes a
`tf.train.Checkpoint` keyed by the TF1 variable names, whose restores assert that they matched.
A class whose `__init__` holds placeholders and ops as attributes (`self.x`, `self.train_op`)
and whose instances a session runs (`sess.run(net.loss, {net.x: v})`) keeps its state in
`__init__` (on `self`) and gets one `tf.function` method per distinct run
(`net.compute_loss(v)`); so does a class that makes its own session in `__init__` and runs it
from its methods (`self.sess.run(self.loss, ...)` → `self.compute_loss(...)`), and a class
whose `__init__` reads module-level placeholders (`tf_x`), then fed as its methods' arguments.
One run of several instances (`sess.run([nets[0].train, nets[1].train], feed)`) becomes one
call per instance (their graphs share nothing: the class may read no graph value of the
module), unpacked into the run's names. A `for`/`if` that builds tensors (`for i in
range(n): hidden.append(...)`, its header free of graph values, its lines assignments and
list growth) moves into the functions whole, with the lists it grows (`hidden = [x]`, built
anew by each call, returned as lists of arrays); the layers it makes stay in place, in the
same loop or branch with only those lines. A method `__init__` calls in such a loop
(`self.add_layer(h, 10)`, growing `self` lists) becomes a function defined inside each
method that needs it, just before the loop, so that it grows that method's lists. A helper
function that closes over graph tensors is defined inside the function that needs it. `sess.run([...])[:k]` and `[i]` keep the chosen values.

## Caveats
The block (module or function) is rewritten as a whole or not at all: TFM202 says what
stops it. Graph statements that no run needs are dropped (the message names them). A
fetched Python-side value is numpy after the fix as before; a function result is a
tensor.
"""
    examples = (
        Valid("import tensorflow as tf\n\n\n@tf.function\ndef f(x):\n    return x * 2\n"),
        Invalid(
            "import numpy as np\nimport tensorflow as tf\n\n"
            "x = tf.placeholder(tf.float32, [None, 2])\n"
            "w = tf.Variable(np.ones((2, 1), np.float32))\n"
            "y = tf.matmul(x, w)\n"
            "with tf.Session() as sess:\n"
            "    sess.run(tf.global_variables_initializer())\n"
            "    print(sess.run(y, feed_dict={x: [[1.0, 2.0]]}))\n",
            "import numpy as np\nimport tensorflow as tf\n\n"
            "w = tf.Variable(np.ones((2, 1), np.float32))\n\n\n"
            "@tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])\n"
            "def compute_y(x):\n"
            "    y = tf.matmul(x, w)\n"
            "    return y\n\n\n"
            "print(compute_y([[1.0, 2.0]]).numpy())\n"),
    )

    def on_module(self, ctx: Context) -> None:
        for outcome in analyse(ctx):
            if outcome.waiting is not None:
                ctx.report(outcome.anchor, "graph program: rewritten into eager functions once "
                           f"`{outcome.waiting.name}` is fixed by its own rule")
            elif outcome.body is not None:
                try:  # a class running its own session is rewritten as one class
                    edits = [] if outcome.block.self_run else block_edits(outcome)
                except Unproven:
                    continue
                class_edit = outcome.block.class_edit
                if class_edit is not None:
                    if ctx.code(class_edit.node) == "".join(
                            ctx.code(n) for n in class_edit.replacement):
                        continue  # nothing of the class changes
                    edits.append(class_edit)
                names = ", ".join(f.name for f in outcome.functions) or "no function"
                ctx.report(outcome.anchor, f"graph program: sessions and placeholders become "
                           f"eager code ({names})", edits, imports=("tensorflow",))


class UnprovenGraph(Rule):
    code = "TFM202"
    name = "graph-needs-hand-rewrite"
    summary = "A graph program tfmigrate cannot rewrite as a whole; the finding says what stops it."
    prefilter = (SESSION_TOKEN,)
    doc = """
## Why
A graph program is rewritten in one step or left alone (never half a rewrite). Some
programs cannot be proven equivalent by reading them: fetches chosen at run time, feeds of
intermediate tensors, a session passed to other functions, `run` options, graph surgery,
an optimizer shared by several train ops.

## What to do
The message names the construct and the way out; often a small edit (a feed_dict written
as a literal, a train op bound to a name) lets TFM201 rewrite the block on the next run.

## Caveats
Until the block is rewritten, its TF1 names are reported by TFM806 too.
"""
    examples = (
        Valid("import tensorflow as tf\n\nx = tf.constant(1.0)\n"),
        Invalid("import tensorflow as tf\n\nx = tf.placeholder(tf.float32)\n"
                "h = x * 2\nsess = tf.Session()\nfeed = {h: 1.0}\n"
                "print(sess.run(x, feed_dict=feed))\n"),
    )

    def on_module(self, ctx: Context) -> None:
        for outcome in analyse(ctx):
            if outcome.unproven is not None:
                node = outcome.unproven.node
                if ctx.parent(node) is None:  # a graph class's translated line: its original
                    graph_class = outcome.block.graph_class
                    node = next((origin for line, origin in (
                        graph_class.origins.items() if graph_class else ())
                        if any(n is node for n in walk(line))), outcome.anchor)
                ctx.report(node,
                           outcome.unproven.message +
                           " (the graph program is left unchanged)")


class GraphSeed(Rule):
    code = "TFM203"
    name = "graph-seed"
    summary = "`tf.set_random_seed(s)` becomes `tf.random.set_seed(s)`."
    fix = FixSafety.SAFE
    references = ("tensorflow.set_random_seed",)
    doc = """
## Why
`tf.set_random_seed` set the graph-level seed; TF2 has one global seed,
`tf.random.set_seed`.

## What it becomes
`tf.random.set_seed(s)`. With the same global seed and the same op seeds, random ops
(`tf.random.*`, `Dataset.shuffle(seed=...)`) give the same sequences in a TF1 graph, in eager
TF2 and in a `tf.function`, so the numbers are kept.

## Caveats
Keras 3 initializers and dropout draw from Keras' own generator: their numbers never match
TF1's, whatever the seeds (`keras.utils.set_random_seed` seeds Keras).
"""
    examples = (
        Valid("import tensorflow as tf\n\ntf.random.set_seed(1)\n"),
        Invalid("import tensorflow as tf\n\ntf.set_random_seed(1)\n",
                "import tensorflow as tf\n\ntf.random.set_seed(1)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        ctx.report(ref.node, "`tf.set_random_seed` is `tf.random.set_seed` in TF2",
                   [ctx.replace_prefix(ref, "tensorflow.set_random_seed",
                                       f"{ctx.tensorflow_name()}.random.set_seed")],
                   imports=("tensorflow",))


class ResetDefaultGraph(Rule):
    code = "TFM204"
    name = "reset-default-graph"
    summary = "`tf.reset_default_graph()` has nothing to reset in eager TF2: it is deleted."
    fix = FixSafety.SAFE
    references = ("tensorflow.reset_default_graph",)
    doc = """
## Why
TF1 programs reset the global graph so that a second model gets fresh variable names and
does not see the first one's ops. TF2 has no global graph: variables and layers are Python
objects, gone when nothing refers to them.

## What it becomes
The statement is deleted (inside a graph program TFM201 deletes it as part of its rewrite).

## Caveats
Keras numbers default layer names per process (`dense`, `dense_1`, ...);
`tf.keras.backend.clear_session()` resets that counter, which only matters for code that
looks layers up by their default names.
"""
    examples = (
        Valid("import tensorflow as tf\n\ntf.keras.backend.clear_session()\n"),
        Invalid("import tensorflow as tf\n\nfirst = tf.ones(2)\ntf.reset_default_graph()\n"
                "second = tf.ones(3)\n",
                "import tensorflow as tf\n\nfirst = tf.ones(2)\nsecond = tf.ones(3)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        message = "`tf.reset_default_graph()` does nothing in eager TF2: delete it"
        call = ctx.call_of(ref.node)
        statement = ctx.statement_of(call) if call is not None else None
        if statement is None or not isinstance(statement, cst.Expr) or \
                statement.value is not call or call.args:
            ctx.report(ref.node, message)
            return
        ctx.report(ref.node, message, [ctx.removal(statement)])
