"""What a rule sees of one module: resolved TensorFlow references and a way to report."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import libcst as cst

from tfmigrate.aliases import AliasTable, Chain, Collector, canonical, chain_of
from tfmigrate.rule import Edit, Finding, FixSafety, Rule


@lru_cache(maxsize=4096)
def parse_expression(text: str) -> cst.BaseExpression:
    """`cst.parse_expression`, cached: rules build the same small replacements again and again,
    and each libcst parse has a fixed cost. libcst nodes are immutable, so sharing is safe."""
    return cst.parse_expression(text)


@dataclass
class Reference:
    """One use of a TensorFlow name, e.g. `tf.app.flags.DEFINE_integer` in a call."""

    chain: Chain
    names: list[str | None]  # canonical qualified name of each prefix of the chain
    via_alias: bool  # the chain starts at an `x = tf.some.module` alias, not an import
    written: str = ""  # the full qualified name as imported, before canonicalisation

    @property
    def qualname(self) -> str:
        return self.names[-1] or ""

    @property
    def node(self) -> cst.BaseExpression:
        return self.chain.node

    def prefix(self, qualname: str) -> cst.BaseExpression | None:
        """The node of the longest prefix of the chain that stands for `qualname`."""
        found = None
        for level, name in zip(self.chain.levels, self.names):
            if name == qualname:
                found = level
        return found

    def rest(self, qualname: str) -> list[str]:
        """Attribute names written after the prefix that stands for `qualname`."""
        node = self.prefix(qualname)
        index = self.chain.levels.index(node)
        return self.chain.parts[index + 1:]


class Context:
    """Per-module services for rules; one per analysis pass."""

    def __init__(self, module: cst.Module, collector: Collector, table: AliasTable,
                 unsafe_fixes: bool) -> None:
        self.module = module
        self.unsafe_fixes = unsafe_fixes
        self._collector = collector
        self._table = table
        self._chain_of_node = {c.node: c for c in collector.chains}
        self._chain_of_base = {c.levels[0]: c for c in collector.chains}
        self._allocated: dict[str, str] = {}
        self.reused_imports: set[str] = set()  # already imported by the module itself
        # Names whose TensorFlow import gives way to the new import of the same name.
        self.displaced: set[str] = set()
        self._bound_names = _all_bound_names(collector)
        self.findings: list[Finding] = []
        self.rule: type[Rule] | None = None
        self.text = ""  # the module's source, for cheap token checks
        # What rules compute once per pass and share (the rules of one module, one key each):
        # a Context lives for one analysis of one module, so nothing here goes stale.
        self.memo: dict = {}
        self._calls: list[cst.Call] | None = None
        self._attribute_index: dict | None = None
        self._named: list[tuple[cst.CSTNode, str]] | None = None

    # -- reporting -------------------------------------------------------------------------
    def report(self, node: cst.CSTNode, message: str, edits: Sequence[Edit] = (),
               safety: FixSafety | None = None, imports: Iterable[str] = ()) -> None:
        assert self.rule is not None
        if safety is None:
            safety = self.rule.fix if edits else FixSafety.NONE
        self.findings.append(Finding(self.rule, node, message, list(edits), safety,
                                     tuple(imports)))

    # -- tree navigation -------------------------------------------------------------------
    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self._collector.parents.get(node)

    def ancestors(self, node: cst.CSTNode):
        cur = self.parent(node)
        while cur is not None:
            yield cur
            cur = self.parent(cur)

    def call_of(self, node: cst.CSTNode) -> cst.Call | None:
        """The call whose callee is exactly `node`."""
        parent = self.parent(node)
        if isinstance(parent, cst.Call) and parent.func is node:
            return parent
        return None

    def statement_of(self, node: cst.CSTNode) -> cst.BaseSmallStatement | None:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, cst.BaseSmallStatement):
                return ancestor
            if isinstance(ancestor, (cst.BaseCompoundStatement, cst.SimpleStatementLine)):
                return None
        return None

    def in_function(self, node: cst.CSTNode) -> bool:
        return any(isinstance(a, (cst.FunctionDef, cst.Lambda)) for a in self.ancestors(node))

    def removal(self, statement: cst.BaseSmallStatement) -> Edit:
        """An edit that deletes a statement (its whole line when it stands alone)."""
        line = self.parent(statement)
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            return Edit(line, None)
        return Edit(statement, None)

    def replace_prefix(self, ref: Reference, qualname: str, dotted_name: str) -> Edit:
        """An edit that respells the part of `ref` standing for `qualname` as `dotted_name`."""
        return Edit(ref.prefix(qualname), parse_expression(dotted_name))

    def tensorflow_name(self) -> str:
        """A local name bound to TensorFlow's top-level module (imported if needed)."""
        scope = self._collector.module_scope
        for name, bound in self._table.imports_of(scope):
            if canonical(bound) == "tensorflow" and len(scope.bindings[name]) == 1:
                return name
        return self.import_name("tensorflow", preferred="tf")

    def all_names(self) -> set[str]:
        """Every identifier the module uses or binds (names, attributes excepted), for
        choosing a new name that shadows nothing."""
        collector = self._collector
        attributes = {level.attr for chain in collector.chains for level in chain.levels[1:]
                      if isinstance(level, cst.Attribute)}
        attributes.update(node.attr for node in collector.other_attributes)
        found = {name.value for name in collector.names if name not in attributes}
        return found | self._bound_names

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    # -- names -----------------------------------------------------------------------------
    def resolve(self, node: cst.CSTNode) -> str | None:
        """Canonical TensorFlow name of an expression that is a recorded chain."""
        chain = self._chain_of_node.get(node)
        if chain is None:
            return None
        names = self._table.resolve_chain(chain)
        return names[-1] if names else None

    def qualified_name(self, node: cst.CSTNode) -> str | None:
        """Canonical qualified name of a dotted expression, TensorFlow or not."""
        chain = self._chain_of_node.get(node)
        if chain is None:
            return None
        base = self._table.lookup(chain.parts[0], chain.scope)
        return canonical(".".join([base, *chain.parts[1:]])) if base else None

    def named_expressions(self):
        """Every dotted name in the module with its canonical qualified name, imports resolved
        (listed once per pass)."""
        found = self._named
        if found is None:
            found = self._named = []
            lookup = self._table.lookup
            for chain in self._collector.chains:
                base = lookup(chain.parts[0], chain.scope)
                if base:
                    found.append((chain.node, canonical(".".join([base, *chain.parts[1:]]))))
        return iter(found)

    def object_types(self, node: cst.CSTNode) -> set[str]:
        """What `node` is an instance of, as qualified names of its class and bases.

        Knows `self` in a method (the class's bases), and objects built by a call
        (`m = tf.keras.metrics.Mean()`, `self.m = ...`, `model = MyModel()` with the module's
        own class MyModel). Empty when unknown.
        """
        local = {c.name.value: c for c in self._collector.classes}
        if isinstance(node, cst.Name):
            method = self._method_of(node)
            if method is not None and method[1] == node.value:
                return self.class_bases(method[0])
        call = None
        if isinstance(node, cst.Name):
            chain = self._chain_of_node.get(node) or self._chain_of_base.get(node)
            call = self._table.constructor(node.value, chain.scope) if chain else None
        elif isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            owner = self.enclosing_class(node)
            values = self._collector.attribute_values.get((owner, node.attr.value), [])
            calls = [v for v in values if isinstance(v, cst.Call)]
            if calls and len(calls) == len(values) and \
                    len({self.code(c.func) for c in calls}) == 1:
                call = calls[0]
        if call is None:
            return set()
        name = self.qualified_name(call.func)
        if name:
            return {name}
        if isinstance(call.func, cst.Name) and call.func.value in local:
            return self.class_bases(local[call.func.value])
        return set()

    def _method_of(self, node: cst.CSTNode) -> tuple[cst.ClassDef, str] | None:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, cst.FunctionDef):
                block = self.parent(ancestor)
                owner = self.parent(block) if isinstance(block, cst.IndentedBlock) else None
                if isinstance(owner, cst.ClassDef) and ancestor.params.params:
                    return owner, ancestor.params.params[0].name.value
                return None
        return None

    def classes(self) -> list[cst.ClassDef]:
        return list(self._collector.classes)

    def enclosing_class(self, node: cst.CSTNode) -> cst.ClassDef | None:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, cst.ClassDef):
                return ancestor
        return None

    def class_bases(self, node: cst.ClassDef) -> set[str]:
        """Qualified names of a class's bases, through the module's own classes."""
        local = {c.name.value: c for c in self._collector.classes}
        found: set[str] = set()
        pending, seen = [node], set()
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            for base in current.bases:
                name = self.qualified_name(base.value)
                if name:
                    found.add(name)
                if isinstance(base.value, cst.Name) and base.value.value in local:
                    pending.append(local[base.value.value])
        return found

    def attributes_named(self, names):
        """Every `<expr>.<name>` with `name` in `names`, anywhere in the module."""
        if not isinstance(names, (set, frozenset, tuple, list)):
            yield from self._scan_attributes(names)
            return
        index = self._attribute_index
        if index is None:
            index = self._attribute_index = self._index_attributes()
        found = [entry for name in set(names) for entry in index.get(name, ())]
        found.sort(key=_first)
        for _, node in found:
            yield node

    def _scan_attributes(self, names):
        for chain in self._collector.chains:
            for level, part in zip(chain.levels[1:], chain.parts[1:]):
                if part in names:
                    yield level
        for node in self._collector.other_attributes:
            if node.attr.value in names:
                yield node

    def _index_attributes(self) -> dict[str, list[tuple[int, cst.CSTNode]]]:
        """attribute name -> (order of _scan_attributes, node) of every `<expr>.<name>`."""
        index: dict[str, list[tuple[int, cst.CSTNode]]] = {}
        order = 0
        for chain in self._collector.chains:
            for level, part in zip(chain.levels[1:], chain.parts[1:]):
                index.setdefault(part, []).append((order, level))
                order += 1
        for node in self._collector.other_attributes:
            index.setdefault(node.attr.value, []).append((order, node))
            order += 1
        return index

    def module_calls(self):
        """Every call in the module, in the walk's order (listed once per pass)."""
        calls = self._calls
        if calls is None:
            parents = self._collector.parents
            kinds = {kind for kind in set(map(type, parents)) if issubclass(kind, cst.Call)}
            calls = self._calls = [node for node in parents if type(node) in kinds]
        return iter(calls)

    def module_function(self, name: str) -> bool:
        """Whether the module defines a top-level function called `name`."""
        return any(isinstance(s, cst.FunctionDef) and s.name.value == name
                   for s in self.module.body)

    def module_imports(self) -> set[str]:
        """Qualified names (as written, not canonical) the module imports at its top level."""
        return {bound for _, bound in self._table.imports_of(self._collector.module_scope)}

    def binds(self, name: str) -> bool:
        """Whether the module binds `name` anywhere (an assignment, import, def, parameter)."""
        return name in self._bound_names

    def import_name(self, qualname: str, replaces: str | None = None,
                    preferred: str | None = None) -> str:
        """The local name under which `qualname` (a module or object) can be used.

        Reuses an existing import; otherwise picks a free name that the engine will import
        if a fix using it is applied. `replaces` names the TensorFlow module being migrated
        away from: module-level aliases of it (`flags = tf.app.flags`) do not block its name,
        since the rule deletes them.
        """
        if qualname in self._allocated:
            return self._allocated[qualname]
        scope = self._collector.module_scope
        for name, bound in self._table.imports_of(scope):
            if bound == qualname and len(scope.bindings[name]) == 1:
                self._allocated[qualname] = name
                self.reused_imports.add(qualname)
                return name
        wanted = preferred or qualname.rsplit(".", 1)[-1]
        candidates = [wanted, "_".join(qualname.split(".")[-2:]) if "." in qualname
                      else f"std_{wanted}"]
        candidates += [f"{candidates[1]}_{n}" for n in range(2, 50)]
        taken = set(self._allocated.values())
        for name in candidates:
            if name in taken:
                continue
            if name not in self._bound_names or self._only_alias_of(name, replaces):
                self._allocated[qualname] = name
                return name
        raise RuntimeError(f"no free name to import {qualname}")

    def _only_alias_of(self, name: str, replaces: str | None) -> bool:
        """Whether every binding of `name` is an import or alias of the module `replaces`."""
        if replaces is None:
            return False
        scope = self._collector.module_scope
        if name not in scope.bindings or _bound_in_nested_scope(self._collector, name):
            return False
        for binding in scope.bindings[name]:
            if isinstance(binding, str) and binding:
                target = canonical(binding)
            elif isinstance(binding, cst.CSTNode):
                found = chain_of(binding)
                base = self._table.lookup(found[1][0], scope) if found else None
                if base is None:
                    return False
                target = canonical(".".join([base, *found[1][1:]]))
            else:
                return False
            if target != replaces:
                return False
            if isinstance(binding, str):
                self.displaced.add(name)
        return True

    def allocated_imports(self) -> dict[str, str]:
        return dict(self._allocated)


def _first(entry: tuple):
    return entry[0]


def _all_bound_names(collector: Collector) -> set[str]:
    return {name for scope in collector.scopes for name in scope.bindings}


def _bound_in_nested_scope(collector: Collector, name: str) -> bool:
    return any(name in scope.bindings for scope in collector.scopes[1:])
