"""The rule model: a rule reports findings on TensorFlow references and may offer a fix."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Sequence

if TYPE_CHECKING:
    from tfmigrate.context import Context, Reference


class FixSafety(enum.Enum):
    SAFE = "safe"  # behaviour preserved; applied by `fix`
    UNSAFE = "unsafe"  # may change behaviour; applied only with --unsafe-fixes
    NONE = "none"  # guidance only


@dataclass(frozen=True)
class Valid:
    """Code the rule must leave alone."""

    code: str


@dataclass(frozen=True)
class Invalid:
    """Code the rule must report; `fixed` is the exact output of the fix (None: no fix)."""

    code: str
    fixed: str | None = None
    unsafe: bool = False  # the expected fix needs --unsafe-fixes


Example = "Valid | Invalid"


class Rule:
    """Base class of every rule.

    A rule subscribes to qualified TensorFlow names (`references`; an entry ending in "."
    is a prefix) and gets `on_reference` for each use of them; rules that need the whole
    module override `on_module`. Rules never print and never touch the file system.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line, shown by `tfmigrate rules`
    fix: ClassVar[FixSafety] = FixSafety.NONE
    doc: ClassVar[str] = ""  # why, what it becomes, caveats (Markdown)
    examples: ClassVar[Sequence[Valid | Invalid]] = ()
    references: ClassVar[tuple[str, ...]] = ()
    # A file is parsed only if its bytes contain one of the enabled rules' tokens.
    prefilter: ClassVar[tuple[str, ...]] = ("tensorflow",)

    def on_reference(self, ref: Reference, ctx: Context) -> None:  # pragma: no cover
        pass

    def on_module(self, ctx: Context) -> None:  # pragma: no cover
        pass

    @classmethod
    def family(cls) -> str:
        return cls.code[:4]


@dataclass
class Edit:
    """Replace `node` by `replacement`: a libcst node; None to remove a statement (its
    comments go to the next one); or a list of statements to put in a statement's place
    (an empty list: the rule has moved the statement and its comments elsewhere)."""

    node: object
    replacement: object | None


@dataclass
class Finding:
    """A finding as a rule reports it, before positions are known."""

    rule: type[Rule]
    node: object
    message: str
    edits: list[Edit] = field(default_factory=list)
    safety: FixSafety = FixSafety.NONE
    imports: tuple[str, ...] = ()  # qualified names the fix needs bound (engine adds them)

    @property
    def has_fix(self) -> bool:
        return bool(self.edits) and self.safety is not FixSafety.NONE
