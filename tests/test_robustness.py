"""No run damages a file: interrupted runs, concurrent runs, read-only files, files that change
while they are processed, legacy encodings, and files that are not Python.

The tree-level tests run the real command line on generated trees of TF1 files; the expected
result of every file comes from a separate, clean run on a copy of the same tree.
"""

from __future__ import annotations

import ast
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import TF1_SAFE, clean_env
from tfmigrate import files, runner
from tfmigrate.config import Settings
from tfmigrate.engine import all_rules

SETTINGS = Settings().validate(rule.code for rule in all_rules())
PYPROJECT = "[project]\nname = 'scratch'\n"
# A temp file of write_atomic: `.{name}.{random}.tfmigrate` beside the file it would replace.
TEMP_FILE = re.compile(r"^\.(?P<name>.+)\.[^.]+\.tfmigrate$")

# Only safe fixes: after `fix --write` nothing is left to report, and the exit code is 0.
SNIPPETS = [
    "tf.logging.info('step %d', i)",
    "tf.logging.set_verbosity(tf.logging.INFO)",
    "if not tf.gfile.Exists(path):\n    tf.gfile.MakeDirs(path)",
    "y = tf.reduce_sum(x, keep_dims=True)",
    "y = tf.to_float(x)",
    "flags = tf.app.flags",
    "y = tf.nn.softmax(x, dim=1)",
]


# -- helpers -----------------------------------------------------------------------------------

def tf1_tree(root: Path, count: int, seed: int = 9) -> dict[str, bytes]:
    """`count` TF1 modules (a few clean ones among them), some with CRLF or a BOM."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    tree = {}
    for index in range(count):
        lines = ["import tensorflow as tf", ""]
        clean = index % 10 == 7
        for function in range(rng.randint(2, 3)):
            lines.append(f"def f{function}(x, path, i):")
            body = ["y = tf.constant(1)"] if clean else rng.sample(SNIPPETS, 3)
            lines += ["    " + line for snippet in body for line in snippet.splitlines()]
            lines += ["    return x", ""]
        text = "\n".join(lines) + "\n"
        if index % 13 == 5:
            text = text.replace("\n", "\r\n")
        data = text.encode()
        if index % 17 == 3:
            data = b"\xef\xbb\xbf" + data
        name = f"pkg{index % 4}/mod_{index:03d}.py"
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_bytes(data)
        tree[name] = data
    return tree


def tfmigrate(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    completed = subprocess.run([sys.executable, "-m", "tfmigrate", *args], cwd=cwd,
                               capture_output=True, env=clean_env(), timeout=timeout,
                               stdin=subprocess.DEVNULL)
    completed.stdout = completed.stdout.decode("utf-8", "surrogateescape")
    completed.stderr = completed.stderr.decode("utf-8", "surrogateescape")
    assert "Traceback" not in completed.stderr, completed.stderr
    return completed


def start(cwd: Path, *args: str) -> subprocess.Popen:
    """The command line in a process group of its own (it and its workers)."""
    return subprocess.Popen([sys.executable, "-m", "tfmigrate", *args], cwd=cwd,
                            env=clean_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def read_tree(root: Path, names) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in names}


def extra_files(root: Path, names) -> list[str]:
    """Files under root that are neither `names`, pyproject.toml nor in the cache."""
    known = set(names) | {"pyproject.toml"}
    found = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".tfmigrate_cache"]
        for filename in filenames:
            rel = (Path(directory) / filename).relative_to(root).as_posix()
            if rel not in known:
                found.append(rel)
    return sorted(found)


def expected_after_fix(tmp_path: Path, tree: Path, names) -> dict[str, bytes]:
    """What a clean, uninterrupted `fix --write` makes of every file, on a copy."""
    copy = tmp_path / "reference"
    shutil.copytree(tree, copy)
    result = tfmigrate(copy, "fix", "--write", "--no-cache", "--jobs", "2", ".")
    assert result.returncode == 0, result.stdout + result.stderr
    return read_tree(copy, names)


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is still running (zombies do not count)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state not in ("Z", "X"):
            return True
    return False


def wait_group(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not group_alive(pgid):
            return True
        time.sleep(0.02)
    return False


def identities(root: Path, names) -> dict[str, int]:
    return {name: os.stat(root / name).st_ino for name in names}


# -- (a) SIGKILL in the middle of `fix --write` ------------------------------------------------

def _kill_when_writing(work: Path, names, process: subprocess.Popen, delay: float) -> None:
    """Wait for the first file to be replaced, then `delay` seconds more."""
    before = identities(work, names)
    deadline = time.monotonic() + 60
    while identities(work, names) == before and process.poll() is None:
        assert time.monotonic() < deadline, "no file was written in 60 s"
        time.sleep(0.005)
    time.sleep(delay)


def _assert_old_or_new(work: Path, tree, new, label: str) -> tuple[int, int]:
    """Every file is exactly old or new; leftovers are only write_atomic's temp files."""
    names = sorted(tree)
    now = read_tree(work, names)
    for name in names:
        assert now[name] in (tree[name], new[name]), f"{label}: {name} is damaged"
    for leftover in extra_files(work, names):
        match = TEMP_FILE.match(Path(leftover).name)
        assert match, f"{label}: unexpected file {leftover}"
        real = (Path(leftover).parent / match["name"]).as_posix()
        assert real in tree, leftover
        # It holds (a prefix of) the new content and never took the real file's place.
        assert new[real].startswith((work / leftover).read_bytes()), leftover
    assert (work / "pyproject.toml").read_text() == PYPROJECT
    changed = [n for n in names if tree[n] != new[n]]
    return (sum(now[n] == tree[n] for n in changed), sum(now[n] == new[n] for n in changed))


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to follow the workers")
def test_sigkill_leaves_every_file_old_or_new(tmp_path):
    """Five runs killed (the whole process group, as a CI timeout does) at different moments:
    every file holds exactly its old or its new content. A temp file can be left by design
    (a kill between mkstemp and the rename): it is never a .py file, never replaces the real
    one, and the next run ignores it. The next run then completes the tree, using whatever
    the killed run left in the cache."""
    original = tmp_path / "original"
    tree = tf1_tree(original, 200)
    names = sorted(tree)
    started = time.monotonic()
    new = expected_after_fix(tmp_path, original, names)
    clean_seconds = time.monotonic() - started
    assert sum(new[n] != tree[n] for n in names) >= 170

    rng = random.Random(2024)
    mixed_trials = 0
    for trial in range(5):
        work = tmp_path / f"trial{trial}"
        shutil.copytree(original, work)
        process = start(work, "fix", "--write", "--jobs", "2", ".")
        if trial == 0:
            time.sleep(0.3)  # during start-up, before any file is written
        else:
            _kill_when_writing(work, names, process, rng.uniform(0.02, 0.5) * clean_seconds)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had finished
        process.wait(timeout=30)
        assert wait_group(process.pid, 30), "processes of the group survived SIGKILL"

        old_count, new_count = _assert_old_or_new(work, tree, new, f"trial {trial}")
        mixed_trials += bool(old_count and new_count)
        if trial in (2, 4):  # (every trial would double the test's time)
            leftovers = extra_files(work, names)
            result = tfmigrate(work, "fix", "--write", "--jobs", "2", ".")
            assert result.returncode == 0, result.stdout + result.stderr
            assert read_tree(work, names) == new, f"trial {trial}: the next run did not complete"
            assert extra_files(work, names) == leftovers, "the next run touched the temp files"
    assert mixed_trials >= 2, "the kills did not land while files were being written"


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to follow the workers")
def test_sigkill_of_the_main_process_alone(tmp_path):
    original = tmp_path / "original"
    tree = tf1_tree(original, 100)
    new = expected_after_fix(tmp_path, original, sorted(tree))
    work = tmp_path / "work"
    shutil.copytree(original, work)
    process = subprocess.Popen([sys.executable, "-m", "tfmigrate", "fix", "--write", "--jobs",
                                "2", "."], cwd=work, env=clean_env(), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        _kill_when_writing(work, sorted(tree), process, 0.1)
        process.kill()
        process.wait(timeout=30)
        exited = wait_group(process.pid, 5)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        wait_group(process.pid, 10)
    # Whatever the orphans did before they were stopped, no file is damaged.
    _assert_old_or_new(work, tree, new, "main process killed")
    assert exited, "the workers outlived the main process by 5 s"


# -- (b) two runs at once ----------------------------------------------------------------------

@pytest.mark.parametrize("cache", [False, True])
def test_two_runs_at_once_leave_every_file_valid(tmp_path, cache):
    original = tmp_path / "original"
    tree = tf1_tree(original, 120, seed=cache)
    names = sorted(tree)
    new = expected_after_fix(tmp_path, original, names)
    work = tmp_path / "work"
    shutil.copytree(original, work)
    args = ["fix", "--write", "--jobs", "2", "--output-format", "json", "."]
    if not cache:
        args.insert(2, "--no-cache")
    processes = [start(work, *args) for _ in range(2)]
    outputs = [process.communicate(timeout=180) for process in processes]
    for process, (stdout, stderr) in zip(processes, outputs):
        assert b"Traceback" not in stderr, stderr.decode()
        # 1: the other run changed a file between this run's read and write (TFM905).
        assert process.returncode in (0, 1), stderr.decode()
        for finding in json.loads(stdout):
            assert finding["code"] == "TFM905", finding
            assert "changed while it was being processed" in finding["message"], finding
    now = read_tree(work, names)
    for name in names:
        ast.parse(now[name])
        assert now[name] == new[name], name
    assert extra_files(work, names) == []


# -- (c) read-only files -----------------------------------------------------------------------

def test_read_only_files_in_a_tree_are_reported_and_kept(tmp_path):
    """Processed by the pool (more than a handful of files), every read-only file is left
    exactly as it was (bytes, inode, mtime, mode) and reported; the others are fixed."""
    root = tmp_path / "tree"
    tree = tf1_tree(root, 24)
    modes = {}
    for index, name in enumerate(sorted(tree)[::3]):
        if tree[name].count(b"tf.") <= 1:
            continue  # a clean file: nothing to write anyway
        modes[name] = (0o444, 0o400, 0o555, 0o440)[index % 4]
        (root / name).chmod(modes[name])
    assert len(modes) >= 5
    stats = {name: os.stat(root / name) for name in modes}
    result = tfmigrate(root, "fix", "--write", "--no-cache", "--jobs", "2",
                       "--output-format", "json", ".")
    assert result.returncode == 1
    reported = {f["path"]: f for f in json.loads(result.stdout)}
    assert set(reported) == set(modes), result.stdout
    for name, mode in modes.items():
        assert reported[name]["code"] == "TFM905" and "read-only" in reported[name]["message"]
        info = os.stat(root / name)
        assert (root / name).read_bytes() == tree[name], name
        assert (info.st_ino, info.st_mtime_ns) == (stats[name].st_ino, stats[name].st_mtime_ns)
        assert stat.S_IMODE(info.st_mode) == mode
    for name in set(tree) - set(modes):
        assert b"tf.logging" not in (root / name).read_bytes(), name
    assert extra_files(root, tree) == []


@pytest.mark.skipif(not shutil.which("setpriv") and os.geteuid() == 0,
                    reason="root without setpriv writes into any directory")
def test_file_in_a_read_only_directory_is_reported_and_kept(tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    locked = root / "locked"
    locked.mkdir()
    (locked / "mod.py").write_text(TF1_SAFE)
    (root / "other.py").write_text(TF1_SAFE)
    locked.chmod(0o555)
    prefix = ()
    if os.geteuid() == 0:  # without the capability that lets root write anywhere
        prefix = ("setpriv", "--inh-caps=-dac_override,-dac_read_search",
                  "--bounding-set=-dac_override,-dac_read_search")
    try:
        completed = subprocess.run([*prefix, sys.executable, "-m", "tfmigrate", "fix",
                                    "--write", "--no-cache", "--output-format", "json", "."],
                                   cwd=root, capture_output=True, env=clean_env(), timeout=60)
    finally:
        locked.chmod(0o755)
    assert b"Traceback" not in completed.stderr, completed.stderr.decode()
    assert completed.returncode == 1
    [finding] = json.loads(completed.stdout)
    assert (finding["path"], finding["code"]) == ("locked/mod.py", "TFM905"), finding
    assert (locked / "mod.py").read_text() == TF1_SAFE
    assert sorted(p.name for p in locked.iterdir()) == ["mod.py"]
    assert "tf.logging" not in (root / "other.py").read_text()


# -- (d) a file that changes while it is processed ---------------------------------------------

EDITED = b"# saved by an editor meanwhile\nimport tensorflow as tf\ntf.logging.info('mine')\n"


def _process_with(monkeypatch, path: Path, meanwhile) -> runner.Outcome:
    """runner.process on `path`, calling `meanwhile(path)` between the read and the write."""
    real = runner.migrate

    def migrate_then_edit(*args, **kwargs):
        result = real(*args, **kwargs)
        meanwhile(path)
        return result

    monkeypatch.setattr(runner, "migrate", migrate_then_edit)
    job = runner.Job(str(path), fix=True, write=True)
    return runner.process(job, SETTINGS)


def _in_place(path: Path) -> None:
    with open(path, "r+b") as handle:  # same inode, as `echo >` or most editors do
        handle.truncate()
        handle.write(EDITED)


def _by_rename(path: Path) -> None:
    temp = path.with_name(".editor-save")
    temp.write_bytes(EDITED)
    os.replace(temp, path)


@pytest.mark.parametrize("edit", [_in_place, _by_rename], ids=["in_place", "by_rename"])
def test_file_edited_between_read_and_write_is_not_overwritten(tmp_path, monkeypatch, edit):
    path = tmp_path / "mod.py"
    path.write_text(TF1_SAFE)
    outcome = _process_with(monkeypatch, path, edit)
    assert not outcome.written
    assert path.read_bytes() == EDITED
    [diagnostic] = [d for d in outcome.result.diagnostics if d.code == "TFM905"]
    assert "changed" in diagnostic.message
    assert outcome.result.fixed_source is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mod.py"]


def test_file_deleted_between_read_and_write_is_not_recreated(tmp_path, monkeypatch):
    path = tmp_path / "mod.py"
    path.write_text(TF1_SAFE)
    outcome = _process_with(monkeypatch, path, Path.unlink)
    assert not outcome.written
    assert not path.exists()
    assert [d.code for d in outcome.result.diagnostics] == ["TFM905"]
    assert list(tmp_path.iterdir()) == []


def test_file_made_read_only_between_read_and_write_is_not_written(tmp_path, monkeypatch):
    path = tmp_path / "mod.py"
    path.write_text(TF1_SAFE)
    outcome = _process_with(monkeypatch, path, lambda p: p.chmod(0o444))
    assert not outcome.written
    assert path.read_text() == TF1_SAFE
    assert "read-only" in outcome.result.diagnostics[0].message


def test_file_edited_while_the_new_content_is_written_is_not_overwritten(tmp_path,
                                                                         monkeypatch):
    path = tmp_path / "mod.py"
    path.write_text(TF1_SAFE)
    real_fsync = os.fsync

    def slow_fsync(fd):  # an editor saves while the temp file is flushed to disk
        real_fsync(fd)
        if path.read_bytes() != EDITED:
            _in_place(path)

    monkeypatch.setattr(files.os, "fsync", slow_fsync)
    outcome = runner.process(runner.Job(str(path), fix=True, write=True), SETTINGS)
    assert path.read_bytes() == EDITED, "the editor's save was lost"
    assert not outcome.written


# -- (e) legacy encodings declared by a coding cookie ------------------------------------------

ENCODED = {
    # name: (encoding, source, expected after fix); both as text, encoded below.
    "latin1.py": ("latin-1",
                  "# -*- coding: latin-1 -*-\n# Auteur : José Müller, «données»\n"
                  "import tensorflow as tf\n\ntf.logging.info('café crème %s', 'naïve')\n"
                  "if not tf.gfile.Exists('données'):\n    tf.gfile.MakeDirs('données')\n",
                  "# -*- coding: latin-1 -*-\n# Auteur : José Müller, «données»\n"
                  "import tensorflow as tf\nfrom absl import logging\n\n"
                  "logging.info('café crème %s', 'naïve')\n"
                  "if not tf.io.gfile.exists('données'):\n    tf.io.gfile.makedirs('données')\n"),
    "cp1252.py": ("cp1252",
                  "#!/usr/bin/env python\r\n# vim: set fileencoding=cp1252 :\r\n"
                  "\"\"\"“Smart” quotes – and the € sign.\"\"\"\r\nimport tensorflow as tf\r\n"
                  "tf.logging.info('€ %d – “ok”', 1)\r\n",
                  "#!/usr/bin/env python\r\n# vim: set fileencoding=cp1252 :\r\n"
                  "\"\"\"“Smart” quotes – and the € sign.\"\"\"\r\nfrom absl import logging\r\n"
                  "logging.info('€ %d – “ok”', 1)\r\n"),
    # 表 and ソ end in byte 0x5C (a backslash in ASCII): a byte-level edit would break them.
    "shift_jis.py": ("shift_jis",
                     "# -*- coding: shift_jis -*-\nimport tensorflow as tf\n\n# 表示する\n"
                     "tf.logging.info('表示ソ')\nlabel = '表'\ny = tf.to_float(x)  # 表\n",
                     "# -*- coding: shift_jis -*-\nimport tensorflow as tf\n"
                     "from absl import logging\n\n# 表示する\nlogging.info('表示ソ')\n"
                     "label = '表'\ny = tf.cast(x, tf.float32)  # 表\n"),
    "euc_jp.py": ("euc_jp",
                  "# coding=euc_jp\nimport tensorflow as tf\nFLAGS = tf.app.flags.FLAGS  # 旗\n"
                  "tf.app.flags.DEFINE_string('name', '旗', 'ヘルプ')\n",
                  "# coding=euc_jp\nfrom absl import flags\nFLAGS = flags.FLAGS  # 旗\n"
                  "flags.DEFINE_string('name', '旗', 'ヘルプ')\n"),
}


def test_coding_cookie_encodings_round_trip_exactly(tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    untouched = {}
    for name, (encoding, source, _) in ENCODED.items():
        (root / name).write_bytes(source.encode(encoding))
        # The same file without TF1 code: parsed (it mentions tensorflow), never written.
        clean = "\n".join(line for line in source.splitlines()
                          if "tf." not in line) + "\nz = tf.constant(1)\n"
        untouched["clean_" + name] = clean.encode(encoding)
        (root / ("clean_" + name)).write_bytes(untouched["clean_" + name])
    stats = {name: os.stat(root / name) for name in untouched}
    result = tfmigrate(root, "fix", "--write", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr
    for name, (encoding, source, expected) in ENCODED.items():
        data = (root / name).read_bytes()
        assert data == expected.encode(encoding), (name, data.decode(encoding))
        ast.parse(data)  # the cookie still declares the encoding Python reads it with
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    for name, data in untouched.items():
        assert (root / name).read_bytes() == data, name
        assert os.stat(root / name).st_ino == stats[name].st_ino, name
    # Fixing again changes nothing.
    again = tfmigrate(root, "fix", "--no-cache", ".")
    assert (again.returncode, again.stdout) == (0, "")


# -- (f) files that are not Python -------------------------------------------------------------

PYPROJECT_WITH_TF = """\
[project]
name = "tf1-model"
dependencies = ["tensorflow==1.15", "numpy"]

[tool.tfmigrate]
select = ["TFM"]

[tool.example]
# import tensorflow as tf
snippet = "tf.logging.info('x')"
"""


def test_pyproject_toml_is_never_rewritten(tmp_path):
    """The config file of the tree, full of TensorFlow, is left byte-identical whether the
    tree is fixed or the file is named on the command line. (Notebooks need the same test
    once `fix` supports them: only the cells a fix changes may differ.)"""
    root = tmp_path / "tree"
    tree = tf1_tree(root, 10)
    (root / "pyproject.toml").write_text(PYPROJECT_WITH_TF)
    sub = root / "sub"
    sub.mkdir()
    # A nested pyproject.toml that is also valid Python and mentions tensorflow.
    nested = "[project]\ntensorflow = 'import tensorflow as tf'\n"
    (sub / "pyproject.toml").write_text(nested)
    (root / "setup.cfg").write_text("[options]\ninstall_requires = tensorflow\n")
    (root / "requirements.txt").write_text("tensorflow<2\n")
    others = ["pyproject.toml", "sub/pyproject.toml", "setup.cfg", "requirements.txt"]
    before = {name: ((root / name).read_bytes(), os.stat(root / name)) for name in others}

    result = tfmigrate(root, "fix", "--write", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(b"tf.logging" not in (root / n).read_bytes() for n in tree)
    result = tfmigrate(root, "fix", "--write", "--no-cache", "pyproject.toml",
                       "sub/pyproject.toml")
    assert "Traceback" not in result.stderr
    for name, (data, info) in before.items():
        now = os.stat(root / name)
        assert (root / name).read_bytes() == data, name
        assert (now.st_ino, now.st_mtime_ns) == (info.st_ino, info.st_mtime_ns), name


# -- one file the engine cannot handle does not stop the run -----------------------------------

def test_a_file_that_makes_the_engine_raise_does_not_stop_the_run(tmp_path):
    root = tmp_path / "tree"
    tree = tf1_tree(root, 12)
    bad = b"import tensorflow as tf\ntf.logging.info(1)\n\xf0\xb1\x8d\x90 = 1\n"
    (root / "bad.py").write_bytes(bad)
    result = tfmigrate(root, "fix", "--write", "--no-cache", "--jobs", "2",
                       "--output-format", "json", ".")
    assert (root / "bad.py").read_bytes() == bad
    assert [f["path"] for f in json.loads(result.stdout)] == ["bad.py"]
    for name in tree:
        assert b"tf.logging" not in (root / name).read_bytes(), name


# -- benchmarks/corpus_safety.py keeps working -------------------------------------------------

def _corpus_safety():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "corpus_safety.py"
    spec = importlib.util.spec_from_file_location("corpus_safety", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("corpus_safety", module)
    spec.loader.exec_module(module)
    return path, module


def test_corpus_safety_script_on_a_small_tree(tmp_path):
    source = tmp_path / "corpus"
    tree = tf1_tree(source, 16)
    (source / "pyproject.toml").unlink()  # a corpus is any directory
    (source / "py2.py").write_text("import tensorflow as tf\nprint 'x'\n")
    (source / "plain.py").write_text("import numpy as np\n")
    (source / "stub.pyi").write_text("import tensorflow as tf\ndef f() -> tf.Tensor: ...\n")
    script, module = _corpus_safety()
    out = tmp_path / "report.json"
    completed = subprocess.run([sys.executable, str(script), str(source), "--json", str(out)],
                               capture_output=True, env=clean_env(), timeout=300)
    assert completed.returncode == 0, completed.stdout.decode() + completed.stderr.decode()
    assert b"RESULT: no file damaged" in completed.stdout
    report = json.loads(out.read_text())
    changed = sum(b"tf.logging" in data or b"tf.gfile" in data for data in tree.values())
    assert (report["files"], report["damaged"]) == (len(tree) + 3, False)
    assert report["changed_files"] == report["fixable_files"] >= changed > 0
    assert report["tool_findings"] == {"TFM903": 1}
    assert not (report["crashes"] or report["second_fix_changes"]
                or report["untouched_but_changed"] or report["run_errors"])
    assert list(source.rglob("*.py")) and all(  # the corpus itself is never touched
        (source / name).read_bytes() == data for name, data in tree.items())

    # --limit: the same sample on every call, whatever order the files come in.
    files = [(Path(f"/x/{i}.py"), Path(f"pkg/{i}.py")) for i in range(50)]
    first = module.sample(files, 10)
    assert first == module.sample(list(reversed(files)), 10) and len(first) == 10
    assert module.sample(files, None) == files
