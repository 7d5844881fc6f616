"""The published pre-commit hooks, run by the real `pre-commit try-repo` on a scratch repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, TF1_SAFE, TF1_SOURCE, TF2_CLEAN, clean_env, git, snapshot_source

pre_commit = pytest.importorskip("pre_commit", reason="pre-commit is in the test extra")


def test_manifest_publishes_both_hooks():
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(REPO / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"tfmigrate-check", "tfmigrate-fix"}
    check, fix = hooks["tfmigrate-check"], hooks["tfmigrate-fix"]
    # --force-exclude: pre-commit names every file; `exclude` must still apply to them.
    assert check["entry"] == "tfmigrate check --force-exclude"
    assert fix["entry"] == "tfmigrate fix --write --force-exclude"
    assert fix["require_serial"] is True
    for hook in (check, fix):
        assert hook["language"] == "python"
        assert hook["types_or"] == ["python", "pyi", "jupyter"]
        assert hook["pass_filenames"] is True


def try_repo(source: Path, hook: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in clean_env().items() if not k.startswith("PRE_COMMIT")}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never",
               GIT_AUTHOR_NAME="test", GIT_AUTHOR_EMAIL="test@example.com",
               GIT_COMMITTER_NAME="test", GIT_COMMITTER_EMAIL="test@example.com")
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(source), hook,
                           "--all-files"], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def test_hooks_on_a_repository_with_tf1_code(tmp_path):
    # try-repo takes the hook manifest from a commit (it adds only tracked changes to its
    # shadow commit), so the working tree is snapshotted and committed on its own.
    source = snapshot_source(tmp_path / "tfmigrate-src")
    home = tmp_path / "pre-commit-home"
    work = tmp_path / "user-repo"
    work.mkdir()
    # Every finding has a safe fix (TF1_SOURCE less its tf.logging.fatal).
    train = TF1_SOURCE.replace('tf.logging.fatal("bad")\n', "")
    (work / "train.py").write_text(train)
    (work / "pkg").mkdir()
    (work / "pkg" / "util.py").write_text(TF1_SAFE)
    (work / "pkg" / "stubs.pyi").write_text("import tensorflow as tf\nx: tf.Tensor\n")
    (work / "clean.py").write_text(TF2_CLEAN)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(TF1_SAFE)])
    nbformat.write(notebook, str(work / "tutorial.ipynb"))
    (work / "notes.txt").write_text("tf.logging.info('not python')\n")
    (work / "vendor").mkdir()
    (work / "vendor" / "lib.py").write_text(TF1_SAFE)
    (work / "pyproject.toml").write_text('[tool.tfmigrate]\nextend-exclude = ["vendor"]\n')
    git(work, "init", "-q")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "TF1 code")

    result = try_repo(source, "tfmigrate-check", work, home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "tfmigrate check" in result.stdout and "Failed" in result.stdout
    assert "train.py:4:1: TFM104 [*]" in result.stdout
    assert "pkg/util.py:3:1: TFM104 [*]" in result.stdout
    assert "train.py:6:5: TFM105 [*]" in result.stdout
    assert "tutorial.ipynb:cell 1:3:1: TFM104 [*]" in result.stdout
    assert "notes.txt" not in result.stdout
    assert "vendor" not in result.stdout
    assert (work / "train.py").read_text() == train, "check changes nothing"

    result = try_repo(source, "tfmigrate-fix", work, home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    assert "from absl import logging" in (work / "train.py").read_text()
    assert "tf.logging" not in (work / "pkg" / "util.py").read_text()
    assert "tf.logging" not in (work / "tutorial.ipynb").read_text()
    assert (work / "clean.py").read_text() == TF2_CLEAN
    assert (work / "notes.txt").read_text() == "tf.logging.info('not python')\n"
    assert (work / "vendor" / "lib.py").read_text() == TF1_SAFE, "excluded: left alone"

    # The second run has nothing left to change, and passes.
    git(work, "add", "-A")
    result = try_repo(source, "tfmigrate-fix", work, home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tfmigrate fix" in result.stdout and "Passed" in result.stdout
