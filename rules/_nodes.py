"""Small readers of a module's syntax tree, shared by the rule modules (no rules here).

`code_of` and `operand`: an expression's text, bare or ready to stand as an operand;
`literal_number`: the value of a numeric literal (or of arithmetic on literals);
`assigned_values`: what a name is assigned anywhere in the module; `bound_by`: the names a
statement binds; `names_in`, `walk` and `statement_line`.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import libcst as cst

from tfmigrate.aliases import children
from tfmigrate.context import Context

# Expressions that bind tighter than any operator.
ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float,
         cst.SimpleString, cst.List, cst.Tuple, cst.Dict)


def code_of(ctx: Context, node: cst.BaseExpression) -> str:
    return ctx.code(node).strip()


def operand(ctx: Context, node: cst.BaseExpression) -> str:
    """The code of `node`, parenthesised unless it binds tighter than any operator."""
    code = code_of(ctx, node)
    if isinstance(node, ATOMS) or getattr(node, "lpar", None):
        return code
    return f"({code})"


def literal_number(node: cst.BaseExpression | None, arithmetic: bool = False) -> float | None:
    """The value of a numeric literal (`0.1`, `-1`, `1e-3`), else None; with `arithmetic`,
    also of `+ - * / **` between such values (`1e-3 * 2`)."""
    if isinstance(node, (cst.Integer, cst.Float)):
        return float(node.evaluated_value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        value = literal_number(node.expression, arithmetic)
        if value is None:
            return None
        return -value if isinstance(node.operator, cst.Minus) else value
    if arithmetic and isinstance(node, cst.BinaryOperation):
        left, right = literal_number(node.left, True), literal_number(node.right, True)
        if left is None or right is None:
            return None
        try:
            if isinstance(node.operator, cst.Add):
                return left + right
            if isinstance(node.operator, cst.Subtract):
                return left - right
            if isinstance(node.operator, cst.Multiply):
                return left * right
            if isinstance(node.operator, cst.Divide):
                return left / right
            if isinstance(node.operator, cst.Power):
                return left ** right
        except (ArithmeticError, ValueError):
            return None
    return None


class Unpacked:
    """A name bound by unpacking `value` (`x, y = iterator.get_next()`)."""

    def __init__(self, value: cst.BaseExpression) -> None:
        self.value = value


class _Assignments(cst.CSTVisitor):
    """Every `name = value` of the wanted names (any scope), `Unpacked(value)` for names
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
                for child in names_in(target.target):
                    if child.value in self.wanted:
                        self.values.setdefault(child.value, []).append(
                            Unpacked(node.value) if unpacked else None)

    def visit_Param(self, node: cst.Param) -> None:
        if node.name.value in self.wanted:
            self.values.setdefault(node.name.value, []).append(None)

    def _other(self, target) -> None:
        for child in names_in(target):
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


def names_in(node: cst.CSTNode) -> Iterable[cst.Name]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            yield current
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)
        else:
            stack.extend(current.children)


def assigned_values(ctx: Context, name: str) -> list:
    """The values assigned to `name` anywhere in the module (None for other bindings)."""
    cache = getattr(ctx, "_assigned_values", None)
    if cache is None:
        cache = ctx._assigned_values = {}
    if name not in cache:
        visitor = _Assignments({name})
        ctx.module.visit(visitor)
        cache[name] = visitor.values.get(name, [])
    return cache[name]


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`node` and every node below it, in source order: the nodes the engine's walk enters
    (no whitespace or punctuation)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def statement_line(ctx: Context, statement) -> cst.SimpleStatementLine | None:
    """The line holding `statement` when it holds nothing else."""
    line = ctx.parent(statement)
    if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
        return line
    return None


def bound_by(statement: cst.CSTNode) -> set[str]:
    """Names a module-level statement binds (assignments, imports, defs, for/with targets)."""
    found = set()
    pending = [statement]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            found.add(node.name.value)
            continue
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            if isinstance(node.names, cst.ImportStar):
                continue
            for alias in node.names:
                if alias.asname is not None:
                    found.add(cst.Module([]).code_for_node(alias.asname.name))
                else:
                    found.add(cst.Module([]).code_for_node(alias.name).split(".")[0])
            continue
        if isinstance(node, cst.AssignTarget):
            found.update(n.value for n in target_name_nodes(node.target))
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            found.update(n.value for n in target_name_nodes(node.target))
        elif isinstance(node, cst.For):
            found.update(n.value for n in target_name_nodes(node.target))
        elif isinstance(node, cst.AsName):
            found.update(n.value for n in target_name_nodes(node.name))
        pending.extend(node.children)
    return found


def target_name_nodes(node: cst.CSTNode) -> list[cst.Name]:
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for e in node.elements for n in target_name_nodes(e.value)]
    if isinstance(node, cst.StarredElement):
        return target_name_nodes(node.value)
    return []
