"""TensorBoard reads what the rewritten programs write.

For each summaries fixture whose after.py writes v2 scalars: run after.py on the TF2 runtime,
start the installed `tensorboard` (its console-script entry point) on the event directory,
bound to 127.0.0.1 on a free port, and read the scalars back through the scalars plugin's
HTTP API. The steps and values must be the ones the program printed as RESULT lines (the
fixture prints, for each scalar tag, the list of values it summarised at steps 0, 1, ...).
The server is always stopped, also when the test fails.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tfmigrate import verify

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures" / "summaries"
# fixture directory → the scalar tags its after.py writes (and prints as RESULT lines)
SCALAR_FIXTURES = {"scalars": ("loss", "mean_abs_error")}
READY_TIMEOUT = 40.0  # seconds for TensorBoard to start and load the event files

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None
    or importlib.util.find_spec("tensorboard") is None,
    reason="TensorFlow and TensorBoard are not installed")


def _tensorboard_command() -> list[str]:
    """The `tensorboard` console script of the installed package, run by this Python."""
    (entry,) = [e for e in importlib.metadata.entry_points(group="console_scripts")
                if e.name == "tensorboard"]
    module, _, function = entry.value.partition(":")
    return [sys.executable, "-c",
            f"import sys; sys.argv[0] = 'tensorboard'; from {module} import {function}; "
            f"sys.exit({function}())"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, **query):
    url = f"http://127.0.0.1:{port}{path}"
    if query:
        url += "?" + urllib.parse.urlencode(query)
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read().decode("utf-8"))


def _run_after(case: Path, workdir: Path) -> dict:
    after = case / "after.py"
    assert after.is_file(), (
        f"{after.relative_to(REPO)} does not exist yet: generate it with "
        "`tfmigrate fix - --stdin-filename before.py < before.py > after.py`")
    shutil.copy(after, workdir / verify.PROGRAM_NAME)
    done = subprocess.run([sys.executable, verify.PROGRAM_NAME], cwd=workdir,
                          env=verify.runtime_env("tf2"), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    results, problems = verify.parse_results(done.stdout)
    assert not problems, problems
    return results


def _wait_for_tags(server: subprocess.Popen, port: int, tags, deadline: float,
                   log: Path) -> dict:
    """Poll the scalars plugin until every tag of the root run is loaded."""
    last = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            last = _get(port, "/data/plugin/scalars/tags")
            if set(tags) <= set(last.get(".", {})):
                return last
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError) as error:
            last = error
        time.sleep(0.25)
    output = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    pytest.fail(f"TensorBoard did not serve the tags {list(tags)} on port {port} within "
                f"{READY_TIMEOUT:g} s (last answer: {last!r}; exit status {server.poll()})"
                f"\n{output}")


@pytest.mark.parametrize("name", sorted(SCALAR_FIXTURES))
def test_tensorboard_serves_the_scalars_after_py_wrote(name, tmp_path):
    tags = SCALAR_FIXTURES[name]
    case = FIXTURES / name
    options = verify.load_options(case)
    assert options.events, f"{case}/fixture.json has no 'events' directory"
    results = _run_after(case, tmp_path)
    logdir = tmp_path / options.events
    assert any("tfevents" in p.name for p in logdir.rglob("*")), f"no event file in {logdir}"

    port = _free_port()
    env = dict(verify.runtime_env("tf2"), no_proxy="127.0.0.1,localhost")
    log = tmp_path / "tensorboard.log"
    with open(log, "wb") as stderr:
        server = subprocess.Popen(
            _tensorboard_command() + ["--logdir", str(logdir), "--host", "127.0.0.1",
                                      "--port", str(port), "--reload_interval", "1"],
            cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr,
            start_new_session=True)
    try:
        _wait_for_tags(server, port, tags, time.monotonic() + READY_TIMEOUT, log)
        for tag in tags:
            expected = results[tag]
            deadline = time.monotonic() + READY_TIMEOUT
            while True:  # the tag may be listed before all its steps are loaded
                points = _get(port, "/data/plugin/scalars/scalars", run=".", tag=tag)
                if len(points) >= len(expected) or time.monotonic() > deadline:
                    break
                time.sleep(0.25)
            steps = [step for _, step, _ in points]
            values = [value for _, _, value in points]
            assert steps == list(range(len(expected))), (tag, points)
            problems = verify.compare_values(expected, values, verify.DEFAULT_TOLERANCE,
                                             where=tag)
            assert not problems, problems
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
