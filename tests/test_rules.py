"""Every rule's documented examples, collected as tests.

Invalid code is reported; its fix equals the documented text, parses, is clean for the
rule, and fixing it again changes nothing. Valid code is left alone.
"""

from __future__ import annotations

import ast
import dataclasses

import pytest

from tfmigrate.config import Settings
from tfmigrate.engine import all_rules, migrate
from tfmigrate.rule import FixSafety, Invalid, Valid

SETTINGS = Settings().validate(rule.code for rule in all_rules())
UNSAFE = dataclasses.replace(SETTINGS, unsafe_fixes=True)
ANALYSED = [rule for rule in all_rules() if not rule.code.startswith("TFM9")]

CASES = [pytest.param(rule, example, id=f"{rule.code}-{i}-{type(example).__name__.lower()}")
         for rule in ANALYSED for i, example in enumerate(rule.examples)]


def codes(source: str, settings=SETTINGS) -> list[str]:
    return [d.code for d in migrate(source, "example.py", settings).diagnostics]


@pytest.mark.parametrize("rule,example", CASES)
def test_example(rule, example):
    if isinstance(example, Valid):
        assert rule.code not in codes(example.code)
        only_this_rule = dataclasses.replace(UNSAFE, select=(rule.code,))
        assert migrate(example.code, "example.py", only_this_rule, fix=True).fixed_source is None
        return
    assert isinstance(example, Invalid)
    assert rule.code in codes(example.code), f"{rule.code} does not report its example"
    settings = UNSAFE if example.unsafe else SETTINGS
    fixed = migrate(example.code, "example.py", settings, fix=True).fixed_source
    if example.fixed is None:
        after = fixed if fixed is not None else example.code
        assert rule.code in codes(after), "a guidance-only finding must stay reported"
        return
    if example.unsafe:
        assert migrate(example.code, "example.py", SETTINGS, fix=True).fixed_source is None
    assert fixed == example.fixed
    ast.parse(fixed)
    assert rule.code not in codes(fixed, settings)
    assert migrate(fixed, "example.py", settings, fix=True).fixed_source is None


@pytest.mark.parametrize("rule", ANALYSED, ids=lambda rule: rule.code)
def test_rule_is_documented(rule):
    assert rule.name and rule.summary and "\n" not in rule.summary
    assert len(rule.doc.strip()) > 100, "doc must say why, what it becomes, caveats"
    assert any(isinstance(e, Valid) for e in rule.examples)
    invalid = [e for e in rule.examples if isinstance(e, Invalid)]
    assert invalid
    if rule.fix is not FixSafety.NONE:
        assert any(e.fixed is not None for e in invalid), "a fixable rule shows its fix"


def test_codes_are_unique_and_well_formed():
    codes_seen = [rule.code for rule in all_rules()]
    assert len(codes_seen) == len(set(codes_seen))
    assert all(len(code) == 6 and code.startswith("TFM") and code[3:].isdigit()
               for code in codes_seen)
    names = [rule.name for rule in all_rules()]
    assert len(names) == len(set(names))
