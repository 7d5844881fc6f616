"""Fixtures: proof by execution.

Every `fixtures/**/before.py` is collected. For each fixture directory:

- `test_fixture_golden`: `tfmigrate fix` turns before.py into exactly after.py, and after.py
  is plain TF2 (no `compat.v1`);
- `test_fixture_idempotent`: fixing after.py changes nothing;
- `test_fixture_equivalent`: before.py on the TF1 runtime and after.py on the TF2 runtime
  print the same `RESULT` lines (see `tfmigrate/verify.py`). Needs TensorFlow; skipped
  without it. Deselect with `-k "not equivalent"` for a quick run.

Regenerate an after.py (never edit it by hand):

    tfmigrate fix - --stdin-filename before.py < before.py > after.py

Run: `pytest tests/test_fixtures.py -n 2`.
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

import pytest

from tfmigrate.config import Settings
from tfmigrate.engine import all_rules, migrate

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CASES = sorted(path.parent for path in FIXTURES.rglob("before.py"))
SETTINGS = Settings().validate(rule.code for rule in all_rules())
HAVE_TENSORFLOW = importlib.util.find_spec("tensorflow") is not None

each_fixture = pytest.mark.parametrize(
    "case", CASES, ids=[case.relative_to(FIXTURES).as_posix() for case in CASES])


def _display(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _fix(path: Path):
    result = migrate(path.read_bytes(), _display(path), SETTINGS, fix=True)
    assert not result.internal_error, "\n".join(
        f"{d.code} {d.message}" for d in result.diagnostics)
    return result


def _diff(expected: bytes, actual: bytes, name: str) -> str:
    lines = difflib.unified_diff(
        expected.decode("utf-8").splitlines(keepends=True),
        actual.decode("utf-8").splitlines(keepends=True),
        f"{name} (committed)", f"{name} (tfmigrate fix now)")
    return "".join(lines)


def test_fixtures_exist():
    assert CASES, f"no fixtures/**/before.py under {FIXTURES}"


@each_fixture
def test_fixture_golden(case: Path):
    after_path = case / "after.py"
    assert after_path.is_file(), f"{_display(after_path)} is missing; generate it with " \
                                 "`tfmigrate fix - --stdin-filename before.py < before.py`"
    fixed = _fix(case / "before.py").fixed_source
    assert fixed is not None, f"tfmigrate fix changes nothing in {_display(case / 'before.py')}"
    expected = after_path.read_bytes()
    assert fixed == expected, (
        f"tfmigrate fix of {_display(case / 'before.py')} is not {_display(after_path)}:\n"
        + _diff(expected, fixed, "after.py"))
    assert b"compat.v1" not in expected, f"{_display(after_path)} still uses compat.v1"


@each_fixture
def test_fixture_idempotent(case: Path):
    after_path = case / "after.py"
    if not after_path.is_file():
        pytest.skip("after.py is missing (test_fixture_golden fails)")
    result = _fix(after_path)
    assert result.fixed_source is None, (
        f"tfmigrate fix changes {_display(after_path)} again:\n"
        + _diff(after_path.read_bytes(), result.fixed_source, "after.py"))


@pytest.mark.skipif(not HAVE_TENSORFLOW, reason="TensorFlow is not installed")
@each_fixture
def test_fixture_equivalent(case: Path):
    from tfmigrate import verify

    verify.assert_equivalent(case)


# -- the harness itself (no TensorFlow needed) ------------------------------------------------

def test_verify_compares_values_recursively():
    from tfmigrate.verify import Options, compare_results, compare_values

    assert compare_values([1, 2.0, {"a": "x"}], [1.0, 2.0000005, {"a": "x"}], 1e-6) == []
    assert compare_values(float("nan"), float("nan"), 1e-6) == []
    assert compare_values(True, 1, 1e-6)  # a bool only equals a bool
    assert compare_values([1, 2], [1, 2, 3], 1e-6)
    assert compare_values({"a": 1}, {"b": 1}, 1e-6)
    assert compare_values("1", 1, 1e-6)
    (problem,) = compare_values({"w": [0.5, 0.25]}, {"w": [0.5, 0.26]}, 1e-6, where="loss")
    assert problem.startswith("loss['w'][1]: 0.25 != 0.26")
    problems = compare_results({"a": 1.0, "b": 2}, {"a": 1.5, "c": 2},
                               Options(tolerances={"a": 1.0}))
    assert len(problems) == 2 and "only by before.py: ['b']" in problems[0]


def test_verify_tf1_source_and_results():
    from tfmigrate.verify import FixtureError, parse_results, tf1_source

    source = "import json\nimport tensorflow as tf  # TF1\nx = 1\n"
    assert tf1_source(source).splitlines()[1] == (
        "import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()  # TF1")
    with pytest.raises(FixtureError):
        tf1_source("import tensorflow.compat.v1 as tf\n")
    results, problems = parse_results('x\nRESULT a [1, 2]\nRESULT b {\nRESULT a 3\n')
    assert results == {"a": [1, 2]} and len(problems) == 2
