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
          "before_runtime": "tf1",       # "estimator", "keras2": how before.py runs (below)
          "before_fails_on_tf2": false,  # true: before.py, unfixed, must fail on TF2
          "returncode": 0,               # exit status both programs must end with (default 0)
          "timeout": 180,                # seconds per program (default 180)
          "events": "logs"               # TensorBoard event files to compare (see below)
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
TF1 with Estimators (before.py with ``"before_runtime": "estimator"``)
    ``tf.estimator`` left TensorFlow in 2.16, so an Estimator program cannot run on 2.21 at
    all: like TF1, but on TensorFlow 2.15 with ``tensorflow-estimator`` (its own Keras 2, no
    ``TF_USE_LEGACY_KERAS``), in the Python named by
    the environment variable ``TFMIGRATE_ESTIMATOR_PYTHON`` (``scripts/estimator_runtime.sh``
    makes that environment; CI does).
Keras 2 (before.py with ``"before_runtime": "keras2"``)
    For TF2 code of the Keras 2 era (what ``tf.keras`` was before TF 2.16): the program as it
    is, eager, with ``TF_USE_LEGACY_KERAS=1`` so that ``tf.keras`` is tf_keras.
TF2 (after.py)
    The program as it is, ``TF_USE_LEGACY_KERAS`` removed from the environment: eager, Keras 3.

Both get ``TF_CPP_MIN_LOG_LEVEL=3``, ``TF_ENABLE_ONEDNN_OPTS=0``, ``CUDA_VISIBLE_DEVICES=""``
and ``PYTHONHASHSEED=0``. All programs of a fixture run in parallel.

Event files (``"events": "logs"``, a directory relative to the program's cwd)
    After a program ends, every event file under that directory (``*tfevents*``, also in
    subdirectories: each subdirectory is a TensorBoard run) is read with the ``tensorboard``
    package's protobuf classes and a small TFRecord reader; TensorFlow is not imported. Each
    summary value becomes ``(run, tag, step, kind, value)``, whatever wrote it:

    - ``scalar``: TF1 ``simple_value`` and TF2 ``tensor`` with plugin ``scalars`` → a float;
    - ``histogram``: TF1 ``histo`` proto and TF2 ``[k, 3]`` tensor (left, right, count) with
      plugin ``histograms``. Their bucket edges differ by design (TF1: fixed exponential limits,
      TF2: ``k`` equal buckets between min and max), so what is compared is what both carry:
      the total count, the minimum and the maximum (both absent for an empty histogram), and
      the bucket counts through the cumulative distribution. At every bucket edge ``t`` of
      either side, each side bounds how many values lie below ``t`` (a bucket wholly below
      counts, a bucket straddling ``t`` may); the two sides' bounds, widened by the
      tolerance, must overlap. Where the buckets nest (few distinct values) this is an exact
      comparison of the counts; otherwise it is a sound test that catches moved mass;
    - ``image``: TF1 ``image`` values tagged ``<name>/image/<i>`` (or ``<name>/image``) and the
      TF2 string tensor ``[w, h, png...]`` tagged ``<name>`` → the decoded PNG pixels of each
      image, in order, under ``<name>``;
    - ``audio``: likewise ``<name>/audio/<i>`` and the TF2 ``[k, 2]`` tensor → sample rate,
      channels and decoded 16-bit WAV samples;
    - ``text``: plugin ``text`` → the strings (nested lists with the tensor's shape);
    - any other tensor: ``tensor:<plugin>`` → its values.

    The plugin of a tag is taken from the first event that carries its metadata (TF1 writes it
    once per tag). Graph, meta-graph and file-version events are ignored. Both programs must
    write at least one summary value; the two sides must have the same runs, the same tags, the
    same kind per tag and the same steps (with the same number of values per step); values
    agree within the tolerance (``tolerances`` may name a tag) — pixels, samples and strings
    then are exact.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import wave
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

__all__ = ["FixtureError", "FixtureMismatch", "Options", "ProgramRun", "RunComparison",
           "SummaryValue", "Histogram", "load_options", "tf1_source", "run_program",
           "compare_results", "read_events", "compare_events", "verify_fixture",
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
    # directory (relative to the program's cwd) whose event files both programs must agree on
    events: str | None = None

    def tolerance_for(self, name: str) -> float:
        return self.tolerances.get(name, self.tolerance)


_OPTION_KEYS = {"tolerance", "rtol", "tolerances", "argv", "runs", "before_runtime",
                "before_fails_on_tf2", "returncode", "timeout", "events"}
BEFORE_RUNTIMES = {"tf1": "TF1", "estimator": "TF1 Estimator, TF 2.15",
                   "keras2": "Keras 2"}  # runtime → label
ESTIMATOR_PYTHON = "TFMIGRATE_ESTIMATOR_PYTHON"


def estimator_python() -> str:
    """The Python of the Estimator runtime (TF 2.15 with tensorflow-estimator)."""
    python = os.environ.get(ESTIMATOR_PYTHON)
    if not python or not Path(python).is_file():
        raise FixtureError(f"the estimator runtime needs {ESTIMATOR_PYTHON}: the path of a "
                           "Python with tensorflow 2.15 and tensorflow-estimator "
                           "(`scripts/estimator_runtime.sh DIR` makes one)")
    return python


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
    if "events" in data:
        events = data["events"]
        if not isinstance(events, str) or not events.strip() or os.path.isabs(events) \
                or ".." in Path(events).parts:
            raise FixtureError(f"{path}: events must be a directory relative to the program's "
                               f"working directory (no '..'), got {events!r}")
        kwargs["events"] = events
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
    """The environment of a program run in `runtime` ("tf1", "estimator", "keras2", "tf2")."""
    env = dict(os.environ if base is None else base)
    env.pop("TF_USE_LEGACY_KERAS", None)
    env.update(_COMMON_ENV)
    if runtime in ("tf1", "keras2"):
        env["TF_USE_LEGACY_KERAS"] = "1"
    elif runtime == "estimator":
        pass  # TF 2.15's own tf.keras is Keras 2
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
    # malformed or duplicate RESULT lines, unreadable event files
    problems: list[str] = field(default_factory=list)
    # summary values read from the event files (None: the fixture compares none)
    events: list[SummaryValue] | None = None

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


def _finish(started: _Started, timeout: float, events: str | None = None) -> ProgramRun:
    summaries, event_problems = None, []
    try:
        try:
            stdout, stderr = started.process.communicate(timeout=timeout)
            returncode = started.process.returncode
        except subprocess.TimeoutExpired:
            started.process.kill()
            stdout, stderr = started.process.communicate()
            returncode = None
            stderr += f"\n[tfmigrate.verify: killed after {timeout:g} s]"
        if events is not None:
            summaries, event_problems = read_events(Path(started.workdir) / events)
    finally:
        shutil.rmtree(started.workdir, ignore_errors=True)
    results, problems = parse_results(stdout)
    return ProgramRun(started.label, started.argv, returncode, stdout, stderr, results,
                      problems + event_problems, summaries)


def run_program(source: str, runtime: str, argv: Sequence[str] = (), *, label: str = "program",
                timeout: float = DEFAULT_TIMEOUT, python: str | None = None,
                events: str | None = None) -> ProgramRun:
    """Run `source` (already in its runtime's form) once, in a fresh temporary directory;
    with `events`, read the event files the program wrote under that directory of its cwd."""
    return _finish(_start(label, source, runtime, argv, python or sys.executable), timeout,
                   events)


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


# -- event files ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Histogram:
    """A histogram as both TF1 and TF2 event files carry it.

    `buckets` are `(low, high, count)`; with `right_open` (TF1) a bucket holds the values in
    [low, high), otherwise (TF2) in [low, high]. `minimum`/`maximum` are None when empty.
    """

    count: float
    minimum: float | None
    maximum: float | None
    buckets: tuple[tuple[float, float, float], ...]
    right_open: bool

    def below(self, t: float) -> tuple[float, float]:
        """Bounds on how many values lie below `t`: the buckets wholly below it, and those
        that start below it."""
        low = high = 0.0
        for left, right, count in self.buckets:
            if right < t or (self.right_open and right <= t):
                low += count
            if left < t:
                high += count
        return low, high

    def edges(self) -> set[float]:
        return {edge for bucket in self.buckets for edge in bucket[:2] if math.isfinite(edge)}


@dataclass(frozen=True)
class SummaryValue:
    """One summary value of an event file, normalised so that TF1 and TF2 writers compare."""

    run: str  # directory of the event file, relative to the events directory ("." itself)
    tag: str
    step: int
    kind: str  # scalar, histogram, image, audio, text, tensor:<plugin>
    value: Any


_PLUGIN_KINDS = {"scalars": "scalar", "histograms": "histogram", "images": "image",
                 "audio": "audio", "text": "text"}
_INDEXED_TAG = {"image": re.compile(r"^(?P<base>.*)/image(?:/(?P<index>\d+))?$"),
                "audio": re.compile(r"^(?P<base>.*)/audio(?:/(?P<index>\d+))?$")}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _event_files(directory: Path) -> list[Path]:
    def order(path: Path):
        # events.out.tfevents.<seconds>.<host>[.<pid>.<counter>.v2]: by time, then name
        parts = path.name.split(".")
        seconds = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else 0
        return (path.parent.relative_to(directory).as_posix(), seconds, path.name)

    return sorted((p for p in directory.rglob("*") if "tfevents" in p.name and p.is_file()),
                  key=order)


def _records(path: Path):
    """The records of a TFRecord file (length-prefixed; checksums are not checked)."""
    with open(path, "rb") as stream:
        while True:
            header = stream.read(12)
            if not header:
                return
            if len(header) < 12:
                raise ValueError("truncated record header")
            (length,) = struct.unpack("<Q", header[:8])
            data = stream.read(length)
            if len(data) < length or len(stream.read(4)) < 4:
                raise ValueError("truncated record")
            yield data


def _decode_png(data: bytes) -> tuple[int, int, int, list[int]]:
    """height, width, channels and the samples (row-major) of a non-interlaced 8/16-bit PNG."""
    if data[:8] != _PNG_SIGNATURE:
        raise ValueError("not a PNG image")
    position, chunks, header = 8, [], None
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        chunk = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            chunks.append(chunk)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, color, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(color)
    if channels is None or depth not in (8, 16) or interlace:
        raise ValueError(f"unsupported PNG (color type {color}, depth {depth}, "
                         f"interlace {interlace})")
    pixel = channels * depth // 8
    stride = width * pixel
    raw = zlib.decompress(b"".join(chunks))
    previous = bytearray(stride)
    rows = bytearray()
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = row[i - pixel] if i >= pixel else 0
            b = previous[i]
            if kind == 1:
                row[i] = (row[i] + a) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + b) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                c = previous[i - pixel] if i >= pixel else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) \
                    & 0xFF
            elif kind != 0:
                raise ValueError(f"bad PNG filter type {kind}")
        rows += row
        previous = row
    if depth == 16:
        samples = list(struct.unpack(f">{len(rows) // 2}H", bytes(rows)))
    else:
        samples = list(rows)
    return height, width, channels, samples


def _decode_wav(data: bytes) -> dict[str, Any]:
    import io

    with wave.open(io.BytesIO(data)) as clip:
        if clip.getsampwidth() != 2:
            raise ValueError(f"unsupported WAV sample width {clip.getsampwidth()}")
        frames = clip.readframes(clip.getnframes())
        return {"sample_rate": clip.getframerate(), "channels": clip.getnchannels(),
                "samples": list(struct.unpack(f"<{len(frames) // 2}h", frames))}


def _image(data: bytes) -> dict[str, Any]:
    height, width, channels, samples = _decode_png(data)
    return {"shape": [height, width, channels], "pixels": samples}


def _strings(value: Any) -> Any:
    if isinstance(value, list):
        return [_strings(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _normalise(tag: str, plugin: str, value, tensor_util) -> tuple[str, str, Any, int]:
    """(tag, kind, value, index) of one summary value proto; index orders TF1 images/audio."""
    which = value.WhichOneof("value")
    if which == "simple_value":
        return tag, "scalar", float(value.simple_value), 0
    if which == "histo":
        histo = value.histo
        buckets, low = [], -math.inf
        for limit, count in zip(histo.bucket_limit, histo.bucket):
            buckets.append((low, limit, count))
            low = limit
        empty = histo.num == 0
        return tag, "histogram", Histogram(histo.num, None if empty else histo.min,
                                           None if empty else histo.max, tuple(buckets),
                                           True), 0
    if which in ("image", "audio"):
        match = _INDEXED_TAG[which].match(tag)
        base, index = (match.group("base"), int(match.group("index") or 0)) if match \
            else (tag, 0)
        if which == "image":
            return base, "image", _image(value.image.encoded_image_string), index
        return base, "audio", _decode_wav(value.audio.encoded_audio_string), index
    if which != "tensor":
        raise ValueError(f"summary value of kind {which!r}")
    array = tensor_util.make_ndarray(value.tensor)
    kind = _PLUGIN_KINDS.get(plugin, f"tensor:{plugin}")
    if kind == "scalar":
        return tag, kind, float(array), 0
    if kind == "histogram":
        rows = [tuple(float(x) for x in row) for row in array.reshape(-1, 3)]
        total = float(sum(row[2] for row in rows))
        empty = total == 0
        return tag, kind, Histogram(total, None if empty else rows[0][0],
                                    None if empty else rows[-1][1], tuple(rows), False), 0
    if kind == "image":
        return tag, kind, [_image(png) for png in array.reshape(-1)[2:]], 0
    if kind == "audio":
        return tag, kind, [_decode_wav(wav) for wav in array.reshape(-1, 2)[:, 0]], 0
    return tag, kind, _strings(array.tolist()), 0


def read_events(directory: str | os.PathLike) -> tuple[list[SummaryValue], list[str]]:
    """Every summary value of the event files under `directory`, normalised, and what could
    not be read. Uses the `tensorboard` package's protos, never TensorFlow."""
    try:
        from tensorboard.compat.proto import event_pb2
        from tensorboard.util import tensor_util
    except ImportError:
        return [], ["reading event files needs the `tensorboard` package "
                    "(pip install 'tfmigrate[test]')"]
    directory = Path(directory)
    values: list[SummaryValue] = []
    problems: list[str] = []
    if not directory.is_dir():
        return values, problems
    plugins: dict[tuple[str, str], str] = {}
    for path in _event_files(directory):
        run = path.parent.relative_to(directory).as_posix()
        shown = path.relative_to(directory).as_posix()
        try:
            for record in _records(path):
                event = event_pb2.Event.FromString(record)
                if event.WhichOneof("what") != "summary":
                    continue
                grouped: dict[tuple[str, str], list[tuple[int, Any]]] = {}
                for value in event.summary.value:
                    plugin = value.metadata.plugin_data.plugin_name
                    if plugin:
                        plugins.setdefault((run, value.tag), plugin)
                    plugin = plugins.get((run, value.tag), "")
                    tag, kind, normalised, index = _normalise(value.tag, plugin, value,
                                                              tensor_util)
                    if kind in ("image", "audio") and value.WhichOneof("value") != "tensor":
                        grouped.setdefault((tag, kind), []).append((index, normalised))
                    else:
                        values.append(SummaryValue(run, tag, event.step, kind, normalised))
                for (tag, kind), items in grouped.items():
                    values.append(SummaryValue(run, tag, event.step, kind,
                                               [item for _, item in sorted(items,
                                                                           key=lambda i: i[0])]))
        except Exception as error:  # a truncated file, a bad proto, an undecodable image
            problems.append(f"event file {shown}: cannot read it ({type(error).__name__}: "
                            f"{error})")
    return values, problems


def event_overview(values: Sequence[SummaryValue]) -> str:
    """`loss: scalar ×3, h: histogram ×3` — what a program wrote, for the command line."""
    counts: dict[tuple[str, str, str], int] = {}
    for value in values:
        key = (value.run, value.tag, value.kind)
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return "(none)"
    return ", ".join(f"{_stream_name(run, tag)}: {kind} ×{n}"
                     for (run, tag, kind), n in sorted(counts.items()))


def _stream_name(run: str, tag: str) -> str:
    return tag if run == "." else f"{run}:{tag}"


def _compare_histograms(before: Histogram, after: Histogram, tolerance: float, rtol: float,
                        where: str) -> list[str]:
    problems = compare_values(before.count, after.count, tolerance, 0.0,
                              f"{where}: histogram count")
    for name in ("minimum", "maximum"):
        b, a = getattr(before, name), getattr(after, name)
        if (b is None) != (a is None):
            problems.append(f"{where}: histogram {name}: {b!r} != {a!r}")
        elif b is not None:
            problems += compare_values(b, a, tolerance, rtol, f"{where}: histogram {name}")
    if problems:
        return problems
    for t in sorted(before.edges() | after.edges()):
        # the values of the two sides pair up within `slack`; rounding of TF2's bucket
        # assignment is allowed for by a few ulps
        slack = tolerance + rtol * abs(t) + 1e-12 * (1 + abs(t))
        for first, second, names in ((before, after, ("before", "after")),
                                     (after, before, ("after", "before"))):
            # values below t on one side are below t + slack on the other
            low_first = first.below(t)[0]
            high_second = second.below(t + slack)[1]
            if low_first > high_second + 1e-9:
                problems.append(
                    f"{where}: histogram buckets: {names[0]} has at least {low_first:g} "
                    f"values below {t:.6g}, {names[1]} at most {high_second:g}")
                return problems
    return problems


def _compare_media(before: list, after: list, kind: str, tolerance: float,
                   where: str) -> list[str]:
    if len(before) != len(after):
        return [f"{where}: {len(before)} {kind}(s) != {len(after)}"]
    problems = []
    samples = "pixels" if kind == "image" else "samples"
    for index, (b, a) in enumerate(zip(before, after)):
        meta_b = {k: v for k, v in b.items() if k != samples}
        meta_a = {k: v for k, v in a.items() if k != samples}
        if meta_b != meta_a:
            problems.append(f"{where}: {kind} {index}: {meta_b} != {meta_a}")
            continue
        if len(b[samples]) != len(a[samples]):
            problems.append(f"{where}: {kind} {index}: {len(b[samples])} {samples} != "
                            f"{len(a[samples])}")
            continue
        differing = [(i, x, y) for i, (x, y) in enumerate(zip(b[samples], a[samples]))
                     if abs(x - y) > tolerance]
        if differing:
            worst = max(abs(x - y) for _, x, y in differing)
            first = ", ".join(f"[{i}] {x} != {y}" for i, x, y in differing[:5])
            problems.append(f"{where}: {kind} {index}: {len(differing)} of {len(b[samples])} "
                            f"{samples} differ (max |diff| {worst}): {first}")
    return problems


def _compare_value(kind: str, before: Any, after: Any, tolerance: float, rtol: float,
                   where: str) -> list[str]:
    if kind == "histogram":
        return _compare_histograms(before, after, tolerance, rtol, where)
    if kind in ("image", "audio"):
        return _compare_media(before, after, kind, tolerance, where)
    return compare_values(before, after, tolerance, rtol, where)


def compare_events(before: Sequence[SummaryValue], after: Sequence[SummaryValue],
                   options: Options = Options(), before_label: str = "TF1",
                   limit: int = 20) -> list[str]:
    """Readable differences between two programs' summary values (empty: they agree)."""
    def streams(values):
        found: dict[tuple[str, str], dict[int, list[SummaryValue]]] = {}
        for value in values:
            found.setdefault((value.run, value.tag), {}).setdefault(value.step, []).append(value)
        return found

    ours, theirs = streams(before), streams(after)
    problems = []
    only_before = sorted(set(ours) - set(theirs))
    only_after = sorted(set(theirs) - set(ours))
    if only_before:
        problems.append("events: tag(s) written only by before.py: "
                        f"{[_stream_name(*key) for key in only_before]}")
    if only_after:
        problems.append("events: tag(s) written only by after.py: "
                        f"{[_stream_name(*key) for key in only_after]}")
    for key in sorted(set(ours) & set(theirs)):
        name = _stream_name(*key)
        b_steps, a_steps = ours[key], theirs[key]
        b_kinds = sorted({v.kind for vs in b_steps.values() for v in vs})
        a_kinds = sorted({v.kind for vs in a_steps.values() for v in vs})
        if b_kinds != a_kinds:
            problems.append(f"events: tag {name!r} is {'/'.join(b_kinds)} in before.py "
                            f"({before_label}) but {'/'.join(a_kinds)} in after.py (TF2)")
            continue
        b_counts = {step: len(vs) for step, vs in b_steps.items()}
        a_counts = {step: len(vs) for step, vs in a_steps.items()}
        if b_counts != a_counts:
            def shown(counts):
                steps = [f"{s}×{n}" if n > 1 else str(s) for s, n in sorted(counts.items())]
                return "[" + ", ".join(steps[:30]) + (", ..." if len(steps) > 30 else "") + "]"
            problems.append(f"events: tag {name!r} has other steps: before.py "
                            f"{shown(b_counts)}, after.py {shown(a_counts)}")
            continue
        tolerance = options.tolerance_for(key[1])
        for step in sorted(b_steps):
            for index, (b, a) in enumerate(zip(b_steps[step], a_steps[step])):
                where = f"events: tag {name!r} step {step}" + (f" #{index}" if index else "")
                differences = _compare_value(b.kind, b.value, a.value, tolerance,
                                             options.rtol, where)
                problems += differences
    if len(problems) > limit:
        problems = problems[:limit] + [f"... {len(problems) - limit} more event differences"]
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
    if options.events is not None and not crashed:
        empty = [run for run in (before, after) if not run.events]
        for run in empty:
            problems.append(f"{run.label} wrote no summary value to an event file under "
                            f"{options.events!r}")
        if not empty:
            problems += compare_events(before.events, after.events, options,
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
    if options.before_runtime in ("tf1", "estimator"):
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
                started.append(((name, side), _start(
                    label, source, runtime, argv,
                    estimator_python() if runtime == "estimator" else python)))
        finally:
            for key, process in started:
                finished[key] = _finish(process, options.timeout, options.events)
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
            for side, run in (("before", comparison.before), ("after", comparison.after)):
                if run.events is not None:
                    print(f"  events ({side}): {event_overview(run.events)}")
            if not comparison.ok:
                print(comparison.report())
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
