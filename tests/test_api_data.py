"""The generated API tables in rules/data/ are fresh and only name what TF 2.21 has.

These tests import TensorFlow (the linter never does); without it they are skipped.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "rules" / "data"
FILES = ("renames.json", "arguments.json", "removed.json", "tf2_names.json")

pytestmark = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                                reason="TensorFlow is not installed")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("data")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_api_data.py"),
                    "--out", str(out)], check=True, capture_output=True)
    return out


@pytest.mark.parametrize("filename", FILES)
def test_committed_data_is_fresh(regenerated, filename):
    committed = (DATA / filename).read_bytes()
    fresh = (regenerated / filename).read_bytes()
    assert committed == fresh, (f"rules/data/{filename} is stale: run "
                                "`python scripts/generate_api_data.py`")


def _resolve(tf, name: str):
    obj = tf
    for part in name.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def test_rename_targets_resolve_in_tf2_and_are_not_compat():
    import tensorflow as tf

    renames = json.loads((DATA / "renames.json").read_text())
    assert renames["renames"]
    for old, (new, evidence) in renames["renames"].items():
        assert "compat" not in new, (old, new)
        assert evidence in ("same_object", "same_signature", "mapped_signature")
        target = _resolve(tf, new)
        if evidence == "same_object":
            assert _resolve(tf.compat.v1, old) is target, (old, new)
        with pytest.raises(AttributeError):
            _resolve(tf, old)  # a rename is only for names TF2 lacks


def test_value_changing_renames_are_not_renames():
    renames = json.loads((DATA / "renames.json").read_text())
    for name in ("tf.image.resize_images", "tf.div", "tf.string_split"):
        assert name not in renames["renames"]
        assert name in renames["changed"]


def test_keyword_renames_name_real_tf2_parameters():
    import inspect

    import tensorflow as tf

    functions = json.loads((DATA / "arguments.json").read_text())["functions"]
    renames = json.loads((DATA / "renames.json").read_text())["renames"]
    assert functions["tf.reduce_sum"]["renamed"] == {"keep_dims": "keepdims",
                                                     "reduction_indices": "axis"}
    for name, entry in functions.items():
        target = renames[name][0] if name in renames else name
        parameters = inspect.signature(_resolve(tf, target)).parameters
        for old, new in entry["renamed"].items():
            assert new in parameters and old not in parameters, (name, old, new)
        for old in entry["removed"]:
            assert old not in parameters, (name, old)


def test_removed_symbols_do_not_exist_in_tf2():
    import tensorflow as tf

    removed = json.loads((DATA / "removed.json").read_text())["symbols"]
    for name in removed:
        with pytest.raises(AttributeError):
            _resolve(tf, name)


def test_data_is_compact():
    assert sum((DATA / f).stat().st_size for f in FILES) < 1_000_000
