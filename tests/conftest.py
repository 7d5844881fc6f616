"""Shared helpers: run the real command line in a scratch project, snapshot this checkout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# TF1 code with safe fixes (TFM104, TFM105) and one unsafe one (tf.logging.fatal).
TF1_SOURCE = """\
import tensorflow as tf

tf.logging.set_verbosity(tf.logging.INFO)
tf.logging.info("start")
tf.logging.fatal("bad")
if not tf.gfile.Exists("/tmp/x"):
    tf.gfile.MakeDirs("/tmp/x")
"""

# Only safe fixes: `fix --write` leaves nothing behind.
TF1_SAFE = """\
import tensorflow as tf

tf.logging.info("step %d", 1)
"""

TF2_CLEAN = """\
import tensorflow as tf

x = tf.constant(1)
"""


FINDING = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): "
                     r"(?P<code>TFM\d{3})(?P<fix> \[\*\])? (?P<message>\S.*)$")


def findings(output: str) -> list[tuple[str, int, int, str, bool]]:
    """(path, line, col, code, fixable) of every finding line; excerpt lines are skipped."""
    found = []
    for line in output.splitlines():
        match = FINDING.match(line)
        if match:
            found.append((match["path"], int(match["line"]), int(match["col"]), match["code"],
                          bool(match["fix"])))
    return found


class Project:
    """A scratch directory with its own pyproject.toml, where `tfmigrate` runs as a user would."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # Stops the search for a pyproject.toml here, whatever lies above the temp dir.
        self.write("pyproject.toml", "[project]\nname = 'scratch'\n")

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_bytes(text.encode())
        return path

    def read(self, name: str) -> str:
        return (self.root / name).read_bytes().decode()

    def run(self, *args: str, input: str | bytes | None = None, cwd: Path | None = None,
            prefix: tuple[str, ...] = (), timeout: float = 120) -> subprocess.CompletedProcess:
        if isinstance(input, str):
            input = input.encode()
        completed = subprocess.run(
            [*prefix, sys.executable, "-m", "tfmigrate", *args], cwd=cwd or self.root,
            input=input if input is not None else b"", capture_output=True, env=clean_env(),
            timeout=timeout)
        completed.stdout = completed.stdout.decode("utf-8", "surrogateescape")
        completed.stderr = completed.stderr.decode("utf-8", "surrogateescape")
        assert "Traceback" not in completed.stderr, completed.stderr
        return completed


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    return Project(root)


def snapshot_source(dest: Path) -> Path:
    """Copy this checkout as it would be committed (tracked and untracked, minus ignored files)
    into `dest`, and commit it there: builds and `pre-commit try-repo` see the working tree, not
    only what HEAD holds."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True).stdout
    dest.mkdir(parents=True, exist_ok=True)
    for name in filter(None, listing.decode().split("\0")):
        source = REPO / name
        if not source.is_file():
            continue  # deleted in the working tree
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot")
    return dest


def clean_env() -> dict[str, str]:
    """The environment less pytest's and git's variables: run from a git hook, GIT_DIR and
    GIT_INDEX_FILE would point every git command at the outer repository."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "GIT_"))}


def git(cwd: Path, *args: str, input: bytes | None = None,
        check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "user.email=test@example.com", "-c", "user.name=test",
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main",
                           *args], cwd=cwd, input=input, capture_output=True, env=clean_env(),
                          check=check)
