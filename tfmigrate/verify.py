"""Proof by execution: run a fixture's before.py on TF1 and its after.py on TF2, compare results.

Only the tests (and fixture authors, through ``python -m tfmigrate.verify DIR``) use this
module; ``check`` and ``fix`` never import it. It never imports TensorFlow itself: each program
runs in its own subprocess.

A fixture is a directory holding

``before.py``
    TF1 code; it must contain the line ``import tensorflow as tf``. (Or, with
    ``"before_runtime": "keras2"``, Keras-2-era TF2 code.)
``after.py``
    Exactly what ``tfmigrate fix`` makes of ``before.py``.
``fixture.json`` (optional)
    Options, all optional::

        {
          "tolerance": 1e-6,             # absolute tolerance for numbers (default 1e-6)
          "rtol": 0.0,                   # relative, added: |before-after| <= tol + rtol*|before|
          "tolerances": {"loss": 1e-5},  # per-RESULT absolute tolerance overrides
          "argv": ["--steps=7", "x"],    # command-line arguments given to both programs
          "runs": {                      # or: several runs, each with its own argv
            "known": ["--steps=7", "extra_positional"],
            "unknown_flag": ["--bogus=1"]
          },
          "before_runtime": "tf1",       # or "keras2": how before.py runs (see below)
          "before_fails_on_tf2": false,  # true: before.py, unfixed, must fail on TF2
          "returncode": 0,               # exit status both programs must end with (default 0)
          "timeout": 180                 # seconds per program (default 180)
        }

    ``argv`` and ``runs`` are exclusive; without either there is one run with no arguments.

Every program prints the values to compare as stdout lines ``RESULT <name> <json>``; other
lines are ignored. Both programs of a run must print the same set of names, at least one, no
name twice. Values are compared recursively: numbers within the tolerance (``bool`` only equals
``bool``; NaN equals NaN), lists element by element with equal lengths, dicts with equal keys,
strings and ``null`` exactly.

The runtimes (each program gets a fresh temporary directory as its cwd and is run there as
``program.py``, so ``sys.argv[0]`` is the same on both sides):

TF1 (before.py, the default)
    TensorFlow 2.21 with every line ``import tensorflow as tf`` replaced by
    ``import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()`` (same line, so line numbers
    in tracebacks still match before.py) and ``TF_USE_LEGACY_KERAS=1``.
Keras 2 (before.py with ``"before_runtime": "keras2"``)
    For TF2 code of the Keras 2 era (what ``tf.keras`` was before TF 2.16): the program as it
    is, eager, with ``TF_USE_LEGACY_KERAS=1`` so that ``tf.keras`` is tf_keras.
TF2 (after.py)
    The program as it is, ``TF_USE_LEGACY_KERAS`` removed from the environment: eager, Keras 3.

Both get ``TF_CPP_MIN_LOG_LEVEL=3``, ``TF_ENABLE_ONEDNN_OPTS=0``, ``CUDA_VISIBLE_DEVICES=""``
and ``PYTHONHASHSEED=0``. All programs of a fixture run in parallel.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

__all__ = ["FixtureError", "FixtureMismatch", "Options", "ProgramRun", "RunComparison",
           "load_options", "tf1_source", "run_program", "compare_results", "verify_fixture",
           "assert_equivalent"]

DEFAULT_TOLERANCE = 1e-6
DEFAULT_TIMEOUT = 180.0
OPTIONS_FILE = "fixture.json"
PROGRAM_NAME = "program.py"
STDERR_TAIL_LINES = 25

RESULT_PREFIX = "RESULT "
_TF_IMPORT = re.compile(r"^(?P<indent>[ \t]*)import tensorflow as tf[ \t]*(?P<comment>#.*)?$",
                        re.MULTILINE)
TF1_IMPORT = "import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()"

_COMMON_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "CUDA_VISIBLE_DEVICES": "",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
}


class FixtureError(Exception):
    """The fixture itself is malformed (missing files, bad fixture.json, bad RESULT line)."""


class FixtureMismatch(AssertionError):
    """before.py and after.py disagree; the message says where."""


# -- options --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Options:
    tolerance: float = DEFAULT_TOLERANCE
    rtol: float = 0.0
    tolerances: Mapping[str, float] = field(default_factory=dict)
    runs: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: {"default": ()})
    before_runtime: str = "tf1"
    # before.py, unfixed, must fail on the TF2 runtime: proof that the fix was needed.
    before_fails_on_tf2: bool = False
    returncode: int = 0
    timeout: float = DEFAULT_TIMEOUT

    def tolerance_for(self, name: str) -> float:
        return self.tolerances.get(name, self.tolerance)


_OPTION_KEYS = {"tolerance", "rtol", "tolerances", "argv", "runs", "before_runtime",
                "before_fails_on_tf2", "returncode", "timeout"}
BEFORE_RUNTIMES = {"tf1": "TF1", "keras2": "Keras 2"}  # runtime → label


def load_options(fixture_dir: str | os.PathLike) -> Options:
    """Read ``fixture.json`` of `fixture_dir` (defaults when it does not exist)."""
    path = Path(fixture_dir) / OPTIONS_FILE
    if not path.is_file():
        return Options()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise FixtureError(f"{path}: not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: must hold a JSON object")
    unknown = set(data) - _OPTION_KEYS
    if unknown:
        raise FixtureError(f"{path}: unknown option(s) {sorted(unknown)}; "
                           f"known: {sorted(_OPTION_KEYS)}")
    if "argv" in data and "runs" in data:
        raise FixtureError(f"{path}: give either 'argv' or 'runs', not both")

    def number(key, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise FixtureError(f"{path}: {key} must be a non-negative number, got {value!r}")
        return float(value)

    def argv(key, value):
        if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
            raise FixtureError(f"{path}: {key} must be a list of strings, got {value!r}")
        return tuple(value)

    kwargs: dict[str, Any] = {}
    if "tolerance" in data:
        kwargs["tolerance"] = number("tolerance", data["tolerance"])
    if "rtol" in data:
        kwargs["rtol"] = number("rtol", data["rtol"])
    if "timeout" in data:
        kwargs["timeout"] = number("timeout", data["timeout"])
    if "tolerances" in data:
        if not isinstance(data["tolerances"], dict):
            raise FixtureError(f"{path}: tolerances must map RESULT names to numbers")
        kwargs["tolerances"] = {k: number(f"tolerances[{k!r}]", v)
                                for k, v in data["tolerances"].items()}
    if "before_fails_on_tf2" in data:
        if not isinstance(data["before_fails_on_tf2"], bool):
            raise FixtureError(f"{path}: before_fails_on_tf2 must be true or false")
        kwargs["before_fails_on_tf2"] = data["before_fails_on_tf2"]
    if "before_runtime" in data:
        if data["before_runtime"] not in BEFORE_RUNTIMES:
            raise FixtureError(f"{path}: before_runtime must be one of "
                               f"{sorted(BEFORE_RUNTIMES)}, got {data['before_runtime']!r}")
        kwargs["before_runtime"] = data["before_runtime"]
    if "returncode" in data:
        if isinstance(data["returncode"], bool) or not isinstance(data["returncode"], int):
            raise FixtureError(f"{path}: returncode must be an integer")
        kwargs["returncode"] = data["returncode"]
    if "argv" in data:
        kwargs["runs"] = {"default": argv("argv", data["argv"])}
    if "runs" in data:
        runs = data["runs"]
        if not isinstance(runs, dict) or not runs:
            raise FixtureError(f"{path}: runs must be a non-empty object name -> argv list")
        kwargs["runs"] = {name: argv(f"runs[{name!r}]", value) for name, value in runs.items()}
    return Options(**kwargs)


# -- running --------------------------------------------------------------------------------

def tf1_source(text: str) -> str:
    """before.py as the TF1 runtime runs it: `import tensorflow as tf` → compat.v1 graph mode."""
    replaced, count = _TF_IMPORT.subn(
        lambda m: m.group("indent") + TF1_IMPORT
        + (("  " + m.group("comment")) if m.group("comment") else ""), text)
    if count == 0:
        raise FixtureError("before.py has no line `import tensorflow as tf`, which the TF1 "
                           "runtime replaces by `import tensorflow.compat.v1 as tf`")
    return replaced


def runtime_env(runtime: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a program run in `runtime` ("tf1", "keras2" or "tf2")."""
    env = dict(os.environ if base is None else base)
    env.pop("TF_USE_LEGACY_KERAS", None)
    env.update(_COMMON_ENV)
    if runtime in ("tf1", "keras2"):
        env["TF_USE_LEGACY_KERAS"] = "1"
    elif runtime != "tf2":
        raise ValueError(f"unknown runtime {runtime!r}")
    return env


@dataclass
class ProgramRun:
    label: str  # e.g. "before.py (TF1)", "after.py (TF2)"
    argv: tuple[str, ...]
    returncode: int | None  # None: killed after the timeout
    stdout: str
    stderr: str
    results: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # malformed or duplicate RESULT lines

    def stderr_tail(self, lines: int = STDERR_TAIL_LINES) -> str:
        tail = self.stderr.rstrip().splitlines()[-lines:]
        return "\n".join("    | " + line for line in tail) if tail else "    | (empty)"


def parse_results(stdout: str) -> tuple[dict[str, Any], list[str]]:
    """The `RESULT <name> <json>` lines of `stdout` as a dict, and what was wrong with them."""
    results: dict[str, Any] = {}
    problems = []
    for number, line in enumerate(stdout.splitlines(), 1):
        if not line.startswith(RESULT_PREFIX):
            continue
        parts = line[len(RESULT_PREFIX):].strip().split(None, 1)
        if len(parts) != 2:
            problems.append(f"stdout line {number}: RESULT line without a value: {line!r}")
            continue
        name, raw = parts
        try:
            value = json.loads(raw)
        except ValueError as error:
            problems.append(f"stdout line {number}: RESULT {name}: value is not JSON "
                            f"({error}): {raw!r}")
            continue
        if name in results:
            problems.append(f"stdout line {number}: RESULT {name} printed twice")
            continue
        results[name] = value
    return results, problems


class _Started:
    def __init__(self, label, argv, process, workdir):
        self.label, self.argv, self.process, self.workdir = label, argv, process, workdir


def _start(label: str, source: str, runtime: str, argv: Sequence[str],
           python: str) -> _Started:
    workdir = tempfile.mkdtemp(prefix=f"tfm_fixture_{runtime}_")
    program = Path(workdir) / PROGRAM_NAME
    program.write_text(source, encoding="utf-8")
    process = subprocess.Popen(
        [python, PROGRAM_NAME, *argv], cwd=workdir, env=runtime_env(runtime),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, encoding="utf-8", errors="replace")
    return _Started(label, tuple(argv), process, workdir)


def _finish(started: _Started, timeout: float) -> ProgramRun:
    try:
        try:
            stdout, stderr = started.process.communicate(timeout=timeout)
            returncode = started.process.returncode
        except subprocess.TimeoutExpired:
            started.process.kill()
            stdout, stderr = started.process.communicate()
            returncode = None
            stderr += f"\n[tfmigrate.verify: killed after {timeout:g} s]"
    finally:
        shutil.rmtree(started.workdir, ignore_errors=True)
    results, problems = parse_results(stdout)
    return ProgramRun(started.label, started.argv, returncode, stdout, stderr, results, problems)


def run_program(source: str, runtime: str, argv: Sequence[str] = (), *, label: str = "program",
                timeout: float = DEFAULT_TIMEOUT, python: str | None = None) -> ProgramRun:
    """Run `source` (already in its runtime's form) once, in a fresh temporary directory."""
    return _finish(_start(label, source, runtime, argv, python or sys.executable), timeout)


# -- comparing ------------------------------------------------------------------------------

def _short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def compare_values(before: Any, after: Any, tolerance: float, rtol: float = 0.0,
                   where: str = "") -> list[str]:
    """Where `before` and `after` differ, as `<path>: <what>` strings (empty: they agree)."""
    here = where or "value"
    if isinstance(before, bool) or isinstance(after, bool):
        if type(before) is not type(after) or before != after:
            return [f"{here}: {_short(before)} != {_short(after)}"]
        return []
    numbers = (int, float)
    if isinstance(before, numbers) and isinstance(after, numbers):
        if isinstance(before, float) and isinstance(after, float) \
                and math.isnan(before) and math.isnan(after):
            return []
        if before == after:  # also equal infinities
            return []
        difference = abs(before - after)
        if math.isfinite(difference) and difference <= tolerance + rtol * abs(before):
            return []
        return [f"{here}: {before!r} != {after!r} (|diff| = {difference:.3g}, "
                f"tolerance {tolerance:g}{f' + {rtol:g}*|before|' if rtol else ''})"]
    if isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            return [f"{here}: lengths differ, {len(before)} != {len(after)}"]
        problems = []
        for index, (b, a) in enumerate(zip(before, after)):
            problems += compare_values(b, a, tolerance, rtol, f"{here}[{index}]")
        return problems
    if isinstance(before, dict) and isinstance(after, dict):
        if set(before) != set(after):
            only_b = sorted(set(before) - set(after))
            only_a = sorted(set(after) - set(before))
            return [f"{here}: keys differ, only in before: {only_b}, only in after: {only_a}"]
        problems = []
        for key in sorted(before):
            problems += compare_values(before[key], after[key], tolerance, rtol,
                                       f"{here}[{key!r}]")
        return problems
    if type(before) is not type(after) and not (
            isinstance(before, numbers) and isinstance(after, numbers)):
        return [f"{here}: types differ, {type(before).__name__} {_short(before)} != "
                f"{type(after).__name__} {_short(after)}"]
    if before != after:
        return [f"{here}: {_short(before)} != {_short(after)}"]
    return []


def compare_results(before: Mapping[str, Any], after: Mapping[str, Any],
                    options: Options = Options(), before_label: str = "TF1") -> list[str]:
    """Readable differences between two RESULT dicts (empty: they agree)."""
    problems = []
    missing_after = sorted(set(before) - set(after))
    missing_before = sorted(set(after) - set(before))
    if missing_after:
        problems.append(f"RESULT(s) printed only by before.py: {missing_after}")
    if missing_before:
        problems.append(f"RESULT(s) printed only by after.py: {missing_before}")
    for name in sorted(set(before) & set(after)):
        differences = compare_values(before[name], after[name], options.tolerance_for(name),
                                     options.rtol, name)
        if differences:
            detail = "\n".join("      " + d for d in differences[:10])
            more = f"\n      ... {len(differences) - 10} more" if len(differences) > 10 else ""
            problems.append(f"RESULT {name} differs:\n"
                            f"    before ({before_label}): {_short(before[name])}\n"
                            f"    after  (TF2): {_short(after[name])}\n{detail}{more}")
    return problems


@dataclass
class RunComparison:
    name: str
    before: ProgramRun
    after: ProgramRun
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> str:
        argv = " ".join(self.before.argv) or "(no arguments)"
        lines = [f"run {self.name!r} (argv: {argv}):"]
        lines += ["  " + p.replace("\n", "\n  ") for p in self.problems]
        return "\n".join(lines)


def _compare_run(name: str, before: ProgramRun, after: ProgramRun,
                 options: Options) -> RunComparison:
    problems = []
    crashed = []
    for run in (before, after):
        problems += [f"{run.label}: {p}" for p in run.problems]
        if run.returncode != options.returncode:
            status = "timed out" if run.returncode is None else f"exited {run.returncode}"
            problems.append(f"{run.label} {status} (expected exit status {options.returncode}); "
                            f"stderr tail:\n{run.stderr_tail()}")
            crashed.append(run)
        elif not run.results:
            problems.append(f"{run.label} printed no `RESULT <name> <json>` line; stderr tail:\n"
                            f"{run.stderr_tail()}")
    if before.results or after.results:
        problems += compare_results(before.results, after.results, options,
                                    BEFORE_RUNTIMES[options.before_runtime])
    if problems and not crashed:
        # a disagreement without a crash: stderr may still explain it (warnings, tracebacks
        # the program caught)
        for run in (before, after):
            if run.stderr.strip() and run.results:
                problems.append(f"{run.label} stderr tail (exit {run.returncode}):\n"
                                f"{run.stderr_tail(10)}")
    return RunComparison(name, before, after, problems)


# -- fixtures -------------------------------------------------------------------------------

def verify_fixture(fixture_dir: str | os.PathLike, *, python: str | None = None,
                   max_parallel: int | None = None) -> list[RunComparison]:
    """Run every run of a fixture on both sides (in parallel) and compare them."""
    directory = Path(fixture_dir)
    before_path, after_path = directory / "before.py", directory / "after.py"
    for path in (before_path, after_path):
        if not path.is_file():
            raise FixtureError(f"{path} does not exist")
    options = load_options(directory)
    before_source = before_path.read_text(encoding="utf-8")
    if options.before_runtime == "tf1":
        before_source = tf1_source(before_source)
    before_label = f"before.py ({BEFORE_RUNTIMES[options.before_runtime]})"
    after_source = after_path.read_text(encoding="utf-8")
    python = python or sys.executable
    jobs = []
    for name, argv in options.runs.items():
        jobs.append((name, "before", before_label, before_source, options.before_runtime,
                     argv))
        jobs.append((name, "after", "after.py (TF2)", after_source, "tf2", argv))
    first_run = next(iter(options.runs))
    if options.before_fails_on_tf2:
        jobs.append((first_run, "unfixed", "before.py unfixed (TF2)",
                     before_path.read_text(encoding="utf-8"), "tf2", options.runs[first_run]))
    limit = max_parallel or len(jobs)
    finished: dict[tuple[str, str], ProgramRun] = {}
    for start in range(0, len(jobs), limit):
        batch = jobs[start:start + limit]
        started = []
        try:
            for name, side, label, source, runtime, argv in batch:
                started.append(((name, side), _start(label, source, runtime, argv, python)))
        finally:
            for key, process in started:
                finished[key] = _finish(process, options.timeout)
    comparisons = [_compare_run(name, finished[(name, "before")], finished[(name, "after")],
                                options) for name in options.runs]
    unfixed = finished.get((first_run, "unfixed"))
    if unfixed is not None and unfixed.returncode == 0:
        comparisons[0].problems.append(
            "before.py ran without error on TF2 unfixed, but the fixture says it must fail "
            "there (before_fails_on_tf2)")
    return comparisons


def assert_equivalent(fixture_dir: str | os.PathLike, **kwargs) -> list[RunComparison]:
    """`verify_fixture`, raising `FixtureMismatch` with a readable report when a run differs."""
    comparisons = verify_fixture(fixture_dir, **kwargs)
    failed = [c for c in comparisons if not c.ok]
    if failed:
        raise FixtureMismatch(
            f"fixture {fixture_dir}: before.py and after.py disagree (each ran as "
            f"{PROGRAM_NAME} in a temporary directory; traceback line numbers are the "
            "fixture files' own)\n" + "\n".join(c.report() for c in failed))
    return comparisons


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m tfmigrate.verify FIXTURE_DIR...`: run fixtures, print their RESULTs."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print("usage: python -m tfmigrate.verify FIXTURE_DIR...", file=sys.stderr)
        return 2
    status = 0
    for directory in args:
        try:
            comparisons = verify_fixture(directory)
        except FixtureError as error:
            print(f"{directory}: ERROR {error}")
            status = 1
            continue
        for comparison in comparisons:
            print(f"{directory} [{comparison.name}]: {'OK' if comparison.ok else 'DIFFERS'}")
            for name in sorted(set(comparison.before.results) | set(comparison.after.results)):
                print(f"  {name}: before={_short(comparison.before.results.get(name), 120)}  "
                      f"after={_short(comparison.after.results.get(name), 120)}")
            if not comparison.ok:
                print(comparison.report())
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
