"""The wheel: built from this checkout, installed in a fresh venv without TensorFlow, it works."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, TF1_SOURCE, TF2_CLEAN, findings, snapshot_source


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = snapshot_source(tmp_path_factory.mktemp("src"))
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist),
                    str(source)], check=True, capture_output=True, timeout=600)
    (built,) = dist.glob("tfmigrate-*.whl")
    return built


def test_wheel_ships_the_rules_and_their_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "tfmigrate/rules/__init__.py" in names
    assert "tfmigrate/rules/removed_modules.py" in names
    assert "tfmigrate/rules/tool.py" in names
    # Every module of the checkout and every file of rules/data/ is in the wheel: a package
    # missing from `packages`, or a data file no package-data pattern matches, would fail here.
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                             "--", "tfmigrate", "rules"], cwd=REPO, capture_output=True,
                            text=True, check=True).stdout.split()
    shipped = {"tfmigrate/rules/" + name[len("rules/"):] if name.startswith("rules/") else name
               for name in listed if (REPO / name).is_file()
               and (name.endswith(".py") or name.startswith("rules/data/"))}
    assert shipped <= names, sorted(shipped - names)
    if any(name.startswith("rules/data/") for name in listed):
        assert any(n.startswith("tfmigrate/rules/data/") for n in names)
    assert not any(n.startswith(("rules/", "tests/", "fixtures/")) for n in names)


def test_installed_wheel_checks_tf1_code_without_tensorflow(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    work = tmp_path / "work"
    work.mkdir()
    (work / "train.py").write_text(TF1_SOURCE)
    (work / "model.py").write_text(TF2_CLEAN)

    no_tf = subprocess.run([str(python), "-c", "import tensorflow"], cwd=work, env=env,
                           capture_output=True, text=True)
    assert no_tf.returncode != 0
    assert "No module named 'tensorflow'" in no_tf.stderr
    where = subprocess.run([str(python), "-c", "import tfmigrate.rules; "
                            "print(tfmigrate.rules.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert Path(where.strip()).is_relative_to(venv), "the installed copy, not the checkout"

    tfmigrate = venv / "bin" / "tfmigrate"
    result = subprocess.run([str(tfmigrate), "check", "--output-format", "concise", "."],
                            cwd=work, env=env, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert {(f[0], f[3]) for f in findings(result.stdout)} == {("train.py", "TFM104"),
                                                               ("train.py", "TFM105")}
    assert "Found 6 findings in 2 files." in result.stderr

    result = subprocess.run([str(tfmigrate), "fix", "--write", "train.py"], cwd=work, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stderr  # tf.logging.fatal is left for a person
    assert "from absl import logging" in (work / "train.py").read_text()

    rules = subprocess.run([str(tfmigrate), "rules"], cwd=work, env=env, capture_output=True,
                           text=True, check=True).stdout
    assert "TFM101" in rules and "TFM105" in rules and "TFM901" in rules
