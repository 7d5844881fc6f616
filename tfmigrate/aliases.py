"""Resolve how TensorFlow is imported in one module, cheaply, with Python's scoping rules.

libcst's QualifiedNameProvider costs several parses; this table is built in the same single
walk that records parents and name chains. It knows the binding forms that matter for
TensorFlow code: imports at any depth, `x = tf.some.module` aliases, and every other binding
(assignment, parameter, def, for/with/except targets) that shadows an import in its scope.
"""

from __future__ import annotations

import dataclasses
import inspect
import operator
import re
from dataclasses import dataclass, field
from typing import Iterator

import libcst as cst
from libcst._nodes import op as _op_nodes
from libcst._nodes import whitespace as _whitespace_nodes

# Internal module paths that old code imports directly, mapped to the public TF1 name.
# `tf.app.flags` is the very module `tf.flags` is. Internal paths such as
# `tensorflow.python.platform.tf_logging` still exist in TF 2.21, so they are not TF1 names.
_INTERNAL_MODULES = {
    "tensorflow.app.flags": "tensorflow.flags",
}


def _strip(qualname: str, old: str, new: str) -> str | None:
    if qualname == old or qualname.startswith(old + "."):
        return new + qualname[len(old):]
    return None


def canonical(qualname: str) -> str:
    """`tensorflow.compat.v1.X` and internal module paths → the TF1 public name.

    `keras.X` is `tensorflow.keras.X`: in TF 2.21 `tf.keras` is the `keras` package.
    """
    qualname = _strip(qualname, "tensorflow.compat.v1", "tensorflow") or qualname
    qualname = _strip(qualname, "keras", "tensorflow.keras") or qualname
    for old, new in _INTERNAL_MODULES.items():
        renamed = _strip(qualname, old, new)
        if renamed is not None:
            return renamed
    return qualname


_ROOTS = ("tensorflow", "keras")


def is_tensorflow(qualname: str) -> bool:
    """TensorFlow, or the Keras package that is its `tf.keras`."""
    return qualname.split(".", 1)[0] in _ROOTS


@dataclass(frozen=True)
class Constructed:
    """A binding `x = SomeClass(...)`: what made the object, for method-level rules."""

    call: cst.Call


@dataclass
class Scope:
    kind: str  # module, function, class, comprehension
    parent: Scope | None
    # name -> list of bindings; a binding is a qualified name (str) for imports and
    # module aliases, the node of an `x = <chain>` assignment, or None for anything else.
    bindings: dict[str, list] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)

    def bind(self, name: str, what) -> None:
        if name in self.global_names:
            scope = self
            while scope.parent is not None:
                scope = scope.parent
            scope.bindings.setdefault(name, []).append(what)
        else:
            self.bindings.setdefault(name, []).append(what)


@dataclass
class Chain:
    """A dotted name as written: `tf.app.flags.FLAGS` → nodes for tf, tf.app, ... and parts."""

    node: cst.BaseExpression  # the whole chain
    levels: list[cst.BaseExpression]  # node of each prefix, base first
    parts: list[str]
    scope: Scope


def chain_of(node: cst.BaseExpression) -> tuple[list[cst.BaseExpression], list[str]] | None:
    levels: list[cst.BaseExpression] = []
    parts: list[str] = []
    cur = node
    while isinstance(cur, cst.Attribute):
        levels.append(cur)
        parts.append(cur.attr.value)
        cur = cur.value
    if not isinstance(cur, cst.Name):
        return None
    levels.append(cur)
    parts.append(cur.value)
    levels.reverse()
    parts.reverse()
    return levels, parts


def dotted(node: cst.BaseExpression) -> str | None:
    found = chain_of(node)
    return ".".join(found[1]) if found else None


def _module_name(node: cst.BaseExpression) -> str:
    return dotted(node) or ""


_SCOPE_TYPES = frozenset({cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.ListComp,
                          cst.SetComp, cst.DictComp, cst.GeneratorExp})
_HANDLERS: dict[tuple[type, type], object] = {}
_HANDLERS_BY_VISITOR: dict[type, dict[type, object]] = {}
_MISSING = object()
_LEAVE = object()  # a stack entry of Collector._walk: leave this node


def _handler(visitor: type, kind: type):
    """The visitor's `visit_<Kind>` method, looked up once per node type."""
    key = (visitor, kind)
    if key not in _HANDLERS:
        _HANDLERS[key] = getattr(visitor, f"visit_{kind.__name__}", None)
    return _HANDLERS[key]


def _handlers_of(visitor: type) -> dict[type, object]:
    """node type -> the visitor's `visit_<Kind>` (or None), filled in as types are met."""
    found = _HANDLERS_BY_VISITOR.get(visitor)
    if found is None:
        found = _HANDLERS_BY_VISITOR[visitor] = {}
    return found


# -- a fast read-only walk --------------------------------------------------------------------
#
# libcst's `visit` rebuilds every node even for a read-only visitor, which costs about four
# times the parse. This walk only reads: it follows each node type's fields in the order libcst
# visits them (read once from its `_visit_and_replace_children`), skips whitespace and
# punctuation, and calls the visitor's on_visit/on_leave like libcst does.

_SKIPPED_MODULES = {_op_nodes.__name__, _whitespace_nodes.__name__}
_FIELD = re.compile(r'visit_\w+\(\s*self,\s*"(\w+)"')
_ORDER: dict[type, tuple[str, ...]] = {}


def field_order(kind: type) -> tuple[str, ...]:
    order = _ORDER.get(kind)
    if order is None:
        try:
            order = tuple(_FIELD.findall(inspect.getsource(kind._visit_and_replace_children)))
        except (OSError, TypeError):
            order = ()
        if not order:
            order = tuple(f.name for f in dataclasses.fields(kind))
        _ORDER[kind] = order
    return order


# What a field's value is, by its type: _NODE (a node the walk enters), _SEQUENCE (a tuple or
# list whose node items it enters) or _OTHER (whitespace, punctuation, str, None, sentinels).
# Decided once per type: `isinstance(value, cst.CSTNode)` is an ABC check, slow per value.
_OTHER, _NODE, _SEQUENCE = 0, 1, 2
_VALUE_KINDS: dict[type, int] = {}
_GETTERS: dict[type, object] = {}


def _value_kind(kind: type) -> int:
    found = _VALUE_KINDS.get(kind)
    if found is None:
        if issubclass(kind, cst.CSTNode):
            found = _OTHER if kind.__module__ in _SKIPPED_MODULES else _NODE
        elif issubclass(kind, (tuple, list)):
            found = _SEQUENCE
        else:
            found = _OTHER
        _VALUE_KINDS[kind] = found
    return found


def _getter(kind: type):
    """A function returning the node's field values, in `field_order`, as a tuple."""
    getter = _GETTERS.get(kind)
    if getter is None:
        order = field_order(kind)
        if not order:
            getter = _no_fields
        elif len(order) == 1:
            getter = _one_field(operator.attrgetter(order[0]))
        else:
            getter = operator.attrgetter(*order)
        _GETTERS[kind] = getter
    return getter


def _no_fields(node) -> tuple:
    return ()


def _one_field(get):
    return lambda node: (get(node),)


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The node's children that `walk` enters (not whitespace or punctuation), in order."""
    out = []
    kinds = _VALUE_KINDS
    for value in (_GETTERS.get(type(node)) or _getter(type(node)))(node):
        kind = kinds.get(type(value))
        if kind is None:
            kind = _value_kind(type(value))
        if kind == _NODE:
            out.append(value)
        elif kind == _SEQUENCE:
            for item in value:
                item_kind = kinds.get(type(item))
                if item_kind is None:
                    item_kind = _value_kind(type(item))
                if item_kind == _NODE:
                    out.append(item)
    return out


def walk(root: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """Visit `root` read-only, in source order, like `root.visit(visitor)` does."""
    if type(visitor) is Collector:
        visitor._walk(root)
        return
    stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            visitor.on_leave(node)
            continue
        descend = visitor.on_visit(node)
        stack.append((node, True))
        if descend:
            stack.extend((child, False) for child in reversed(children(node)))


class Collector(cst.CSTVisitor):
    """One walk: parents, scopes, bindings, and every dotted-name chain."""

    def __init__(self) -> None:
        self.module_scope = Scope("module", None)
        self.scope = self.module_scope
        self.scopes = [self.module_scope]
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self.chains: list[Chain] = []
        # `self.attr = value` inside a method: (class node, attr) -> assigned values
        self.attribute_values: dict[tuple[cst.ClassDef, str], list[cst.BaseExpression]] = {}
        self.classes: list[cst.ClassDef] = []
        self.other_attributes: list[cst.Attribute] = []  # `f().x`: bases that are not names
        self._methods: list[tuple[cst.ClassDef, str] | None] = []
        self.mentions_tensorflow_import = False
        # Every Name in source order (outside f-strings), to place findings by tokens.
        self.names: list[cst.Name] = []
        self._fstring_depth = 0
        self._stack: list[cst.CSTNode] = []
        self._scope_of: dict[cst.CSTNode, Scope] = {}

    # -- generic bookkeeping -------------------------------------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        stack = self._stack
        if stack:
            self.parents[node] = stack[-1]
        stack.append(node)
        kind = type(node)
        if kind is cst.Name:
            if not self._fstring_depth:
                self.names.append(node)
        elif kind is cst.FormattedString:
            self._fstring_depth += 1
        elif kind in _SCOPE_TYPES:
            self._enter_scope(node)
            if kind is cst.FunctionDef:
                self._methods.append(self._receiver(node))
            elif kind is cst.ClassDef:
                self.classes.append(node)
        handler = _handler(type(self), kind)
        return handler is None or handler(self, node) is not False

    def _walk(self, root: cst.CSTNode) -> None:
        """`walk(root, self)`: the same calls and records, with the bookkeeping of on_visit and
        on_leave inlined (the walk visits every node of the module once per analysis).

        on_leave only matters for f-strings and scopes, so only they get a leave entry.
        """
        parents = self.parents
        names = self.names
        handlers = _handlers_of(type(self))
        visit_name = type(self).visit_Name
        scope_types = _SCOPE_TYPES
        kinds = _VALUE_KINDS
        getters = _GETTERS
        stack: list[tuple[cst.CSTNode, object]] = [(root, None)]
        pop = stack.pop
        push = stack.append
        shared = False
        while stack:
            node, parent = pop()
            kind = type(node)
            if parent is _LEAVE:
                if kind is cst.FormattedString:
                    self._fstring_depth -= 1
                else:
                    if kind is cst.FunctionDef:
                        self._methods.pop()
                    self.scope = self._scope_of.pop(node)
                continue
            if parent is not None:
                if node in parents:
                    shared = True
                parents[node] = parent
            if kind is cst.Name:
                if not self._fstring_depth:
                    names.append(node)
                visit_name(self, node)  # never enters a Name
                continue
            if kind is cst.FormattedString:
                self._fstring_depth += 1
                push((node, _LEAVE))
            elif kind in scope_types:
                self._enter_scope(node)
                if kind is cst.FunctionDef:
                    self._methods.append(self._receiver(node))
                elif kind is cst.ClassDef:
                    self.classes.append(node)
                push((node, _LEAVE))
            handler = handlers.get(kind, _MISSING)
            if handler is _MISSING:
                handler = handlers[kind] = _handler(type(self), kind)
            if handler is not None and handler(self, node) is False:
                continue
            children = []  # `children(node)`, inlined: this loop runs for every node
            for value in (getters.get(kind) or _getter(kind))(node):
                value_kind = kinds.get(type(value))
                if value_kind is None:
                    value_kind = _value_kind(type(value))
                if value_kind == _NODE:
                    children.append(value)
                elif value_kind == _SEQUENCE:
                    for item in value:
                        item_kind = kinds.get(type(item))
                        if item_kind is None:
                            item_kind = _value_kind(type(item))
                        if item_kind == _NODE:
                            children.append(item)
            for child in reversed(children):
                push((child, node))
        # A tree built by fixes may hold one node object in two places (one parent each
        # cannot be recorded): the engine then parses the code anew.
        self.shared_nodes = shared

    def _receiver(self, node: cst.FunctionDef) -> tuple[cst.ClassDef, str] | None:
        """(class, name of `self`) when `node` is a method."""
        parent = self.parents.get(node)
        block = self.parents.get(parent) if isinstance(parent, cst.IndentedBlock) else None
        if isinstance(block, cst.ClassDef) and node.params.params:
            return block, node.params.params[0].name.value
        return None

    def on_leave(self, original_node: cst.CSTNode) -> None:
        # libcst calls on_leave even when on_visit declined the children.
        self._stack.pop()
        kind = type(original_node)
        if kind is cst.FormattedString:
            self._fstring_depth -= 1
        elif kind in _SCOPE_TYPES:
            if kind is cst.FunctionDef:
                self._methods.pop()
            self.scope = self._scope_of.pop(original_node)

    def _enter_scope(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.FunctionDef):
            self.scope.bind(node.name.value, None)
            kind = "function"
        elif isinstance(node, cst.ClassDef):
            self.scope.bind(node.name.value, None)
            kind = "class"
        elif isinstance(node, cst.Lambda):
            kind = "function"
        else:
            kind = "comprehension"
        self._scope_of[node] = self.scope
        self.scope = Scope(kind, self.scope)
        self.scopes.append(self.scope)

    # -- bindings --------------------------------------------------------------------------
    def _record_names(self, *nodes) -> None:
        """Names of a subtree this walk does not enter, in source order."""
        if self._fstring_depth:
            return
        for node in nodes:
            if node is None:
                continue
            found = chain_of(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
            if found is not None:
                self.names.extend(level if isinstance(level, cst.Name) else level.attr
                                  for level in found[0])

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            self._record_names(alias.name, alias.asname.name if alias.asname else None)
            full = _module_name(alias.name)
            if is_tensorflow(full):
                self.mentions_tensorflow_import = True
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.scope.bind(alias.asname.name.value, full)
            else:
                top = full.split(".")[0]
                self.scope.bind(top, top)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        module = _module_name(node.module) if node.module is not None else ""
        relative = bool(node.relative)
        if is_tensorflow(module):
            self.mentions_tensorflow_import = True
        self._record_names(node.module)
        if isinstance(node.names, cst.ImportStar):
            return False
        for alias in node.names:
            self._record_names(alias.name, alias.asname.name if alias.asname else None)
            name = alias.name.value if isinstance(alias.name, cst.Name) else _module_name(alias.name)
            bound = alias.asname.name.value if alias.asname is not None else name
            self.scope.bind(bound, None if relative else f"{module}.{name}")
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        self.scope.bind(node.name.value, None)
        return True

    def visit_Global(self, node: cst.Global) -> bool:
        self.scope.global_names.update(n.name.value for n in node.names)
        self._record_names(*(n.name for n in node.names))
        return False

    def visit_Assign(self, node: cst.Assign) -> bool:
        if _is_none(node.value):
            value = ""
        elif chain_of(node.value):
            value = node.value
        elif isinstance(node.value, cst.Call):
            value = Constructed(node.value)
        else:
            value = None
        for target in node.targets:
            if isinstance(target.target, cst.Name) and value is not None:
                self.scope.bind(target.target.value, value)
            else:
                self._bind_target(target.target)
                self._record_attribute(target.target, node.value)
        return True

    def _record_attribute(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        method = self._methods[-1] if self._methods else None
        if method is None or not isinstance(target, cst.Attribute):
            return
        if isinstance(target.value, cst.Name) and target.value.value == method[1]:
            self.attribute_values.setdefault((method[0], target.attr.value), []).append(value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        self._bind_target(node.target)
        return True

    def visit_AugAssign(self, node: cst.AugAssign) -> bool:
        self._bind_target(node.target)
        return True

    def visit_For(self, node: cst.For) -> bool:
        self._bind_target(node.target)
        return True

    def visit_CompFor(self, node: cst.CompFor) -> bool:
        self._bind_target(node.target)
        return True

    def visit_WithItem(self, node: cst.WithItem) -> bool:
        if node.asname is not None:
            self._bind_target(node.asname.name)
        return True

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
        if node.name is not None:
            self._bind_target(node.name.name)
        return True

    def visit_MatchAs(self, node: cst.MatchAs) -> bool:
        if node.name is not None:
            self._bind_target(node.name)
        return True

    def visit_MatchStar(self, node: cst.MatchStar) -> bool:
        if node.name is not None:
            self._bind_target(node.name)
        return True

    def visit_MatchMapping(self, node: cst.MatchMapping) -> bool:
        if node.rest is not None:
            self._bind_target(node.rest)
        return True

    def visit_NamedExpr(self, node: cst.NamedExpr) -> bool:
        self._bind_target(node.target)
        return True

    def _bind_target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.scope.bind(target.value, None)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value)

    # -- references ------------------------------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> bool:
        found = chain_of(node)
        if found is None:
            self.other_attributes.append(node)
            return True
        levels, parts = found
        self._record_names(node)
        for inner, outer in zip(levels, levels[1:]):
            self.parents[inner] = outer
        self.chains.append(Chain(node, levels, parts, self.scope))
        return False

    def visit_Name(self, node: cst.Name) -> bool:
        parent = self.parents.get(node)
        if (isinstance(parent, (cst.FunctionDef, cst.ClassDef, cst.Param))
                and parent.name is node) or (
            isinstance(parent, cst.Arg) and parent.keyword is node
        ) or (isinstance(parent, cst.Attribute) and parent.attr is node):
            return False
        self.chains.append(Chain(node, [node], [node.value], self.scope))
        return False


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


class AliasTable:
    """Answers: what TensorFlow name does this chain (or prefix of it) stand for?"""

    def __init__(self, collector: Collector) -> None:
        self._collector = collector
        self._cache: dict[tuple[int, str], str | None] = {}
        self._resolving: set[tuple[int, str]] = set()

    def lookup(self, name: str, scope: Scope) -> str | None:
        """Qualified (not canonical) name that `name` stands for in `scope`, or None."""
        cur: Scope | None = scope
        first = True
        while cur is not None:
            if cur.kind == "class" and not first:
                cur = cur.parent
                continue
            if name in cur.bindings:
                return self._binding_value(name, cur)
            first = False
            cur = cur.parent
        return None

    def _binding_value(self, name: str, scope: Scope) -> str | None:
        key = (id(scope), name)
        if key in self._cache:
            return self._cache[key]
        if key in self._resolving:
            return None
        self._resolving.add(key)
        values: list[str] = []
        for binding in scope.bindings[name]:
            if binding == "":  # `x = None`: a fallback, does not decide what x is
                continue
            if binding is None or isinstance(binding, Constructed):
                values = []
                break
            if isinstance(binding, str):
                values.append(binding)
                continue
            found = chain_of(binding)
            base = self.lookup(found[1][0], scope) if found else None
            if base is None:
                values = []
                break
            values.append(".".join([base, *found[1][1:]]))
        self._resolving.discard(key)
        tf_values = [v for v in values if is_tensorflow(v)]
        result = tf_values[0] if tf_values and len(tf_values) == len(values) else None
        if result is None and values and not tf_values:
            result = values[0]
        self._cache[key] = result
        return result

    def constructor(self, name: str, scope: Scope) -> cst.Call | None:
        """The call that made the object `name` is bound to, when every binding agrees."""
        cur: Scope | None = scope
        first = True
        while cur is not None:
            if cur.kind == "class" and not first:
                cur = cur.parent
                continue
            if name in cur.bindings:
                calls = [b.call for b in cur.bindings[name] if isinstance(b, Constructed)]
                return calls[-1] if len(calls) == len(cur.bindings[name]) else None
            first = False
            cur = cur.parent
        return None

    def is_alias_binding(self, name: str, scope: Scope) -> bool:
        """True when `name` is bound by an `x = tf.some.chain` assignment, not an import."""
        cur: Scope | None = scope
        while cur is not None:
            if name in cur.bindings:
                return any(isinstance(b, cst.CSTNode) for b in cur.bindings[name])
            cur = cur.parent
        return False

    def resolve_chain(self, chain: Chain) -> list[str | None] | None:
        """Canonical qualified name of each level of the chain, or None if not TensorFlow."""
        base = self.lookup(chain.parts[0], chain.scope)
        if base is None or not is_tensorflow(base):
            return None
        names: list[str | None] = []
        current = base
        for index, part in enumerate(chain.parts):
            if index:
                current = f"{current}.{part}"
            names.append(canonical(current))
        return names

    def imports_of(self, scope: Scope | None = None) -> Iterator[tuple[str, str]]:
        scope = scope or self._collector.module_scope
        for name, bindings in scope.bindings.items():
            for binding in bindings:
                if isinstance(binding, str) and binding:
                    yield name, binding
