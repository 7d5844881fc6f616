"""A call's arguments by parameter, shared by the rule modules (no rules here).

`args_by_parameter` pairs each argument with the parameter it is for (positional ones by the
parameter order, keyword ones by their keyword); `bind_args` and `bind` map a call onto a
parameter list and refuse what cannot be read statically; `argument` finds one argument by
position or keyword. A `*args`/`**kwargs` argument hides where the arguments go: none of
these guesses past one.
"""

from __future__ import annotations

from typing import Iterator, Sequence

import libcst as cst


class Unbound(Exception):
    """A call's arguments cannot be mapped onto the parameters; the message says why."""


def args_by_parameter(call: cst.Call, params: Sequence[str]) -> Iterator[tuple[str, cst.Arg]]:
    """(parameter name, argument) for each argument of `call`, in order. Raises `Unbound`
    when it reaches a `*args`/`**kwargs` argument or more positional arguments than `params`;
    a keyword is yielded as written, whether or not it is in `params`."""
    position = 0
    for arg in call.args:
        if arg.star:
            raise Unbound(f"`{arg.star}` arguments cannot be mapped")
        if arg.keyword is None:
            if position >= len(params):
                raise Unbound("too many positional arguments")
            name = params[position]
            position += 1
        else:
            name = arg.keyword.value
        yield name, arg


def bind_args(call: cst.Call, params: Sequence[str]) -> dict[str, cst.Arg]:
    """Parameter name → the call's argument. Raises `Unbound` (its message is the reason) for
    `*args`/`**kwargs`, too many positional arguments, an unknown keyword or a parameter
    given twice, whichever comes first."""
    bound: dict[str, cst.Arg] = {}
    for name, arg in args_by_parameter(call, params):
        if name not in params:
            raise Unbound(f"unknown argument `{name}=`")
        if name in bound:
            raise Unbound(f"argument `{name}` given twice")
        bound[name] = arg
    return bound


def bind(call: cst.Call, params: Sequence[str]) -> dict[str, cst.BaseExpression] | None:
    """Parameter name → argument expression; None where `bind_args` raises."""
    try:
        return {name: arg.value for name, arg in bind_args(call, params).items()}
    except Unbound:
        return None


def argument(call: cst.Call, position: int | None, keyword: str) -> cst.Arg | None:
    """The argument given as the `position`-th positional one (None: keyword only) or by
    `keyword`; None when it is not given, or when a `*args`/`**kwargs` argument comes before
    it (it may be hidden there)."""
    index = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return arg
        elif index == position:
            return arg
        else:
            index += 1
    return None
