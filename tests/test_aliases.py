"""TensorFlow is found through every import form, and only where the name really is TF."""

from __future__ import annotations

import pytest

from tfmigrate.config import Settings
from tfmigrate.engine import all_rules, migrate

SETTINGS = Settings().validate(rule.code for rule in all_rules())


def findings(source: str) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in migrate(source, "m.py", SETTINGS).diagnostics]


def fixed(source: str) -> str | None:
    return migrate(source, "m.py", SETTINGS, fix=True).fixed_source


@pytest.mark.parametrize("source", [
    "import tensorflow as tf\ntf.logging.info('x')\n",
    "import tensorflow.compat.v1 as tf\ntf.logging.info('x')\n",
    "import tensorflow\ntensorflow.logging.info('x')\n",
    "import tensorflow.compat.v1\ntensorflow.compat.v1.logging.info('x')\n",
    "from tensorflow.compat import v1 as tf\ntf.logging.info('x')\n",
    "from tensorflow import logging\nlogging.info('x')\n",
    "from tensorflow.compat.v1 import logging\nlogging.info('x')\n",
    "import tensorflow as tf\nlog = tf.logging\nlog.info('x')\n",
    "try:\n    import tensorflow.compat.v1 as tf\nexcept ImportError:\n    import tensorflow as tf\n"
    "tf.logging.info('x')\n",
    "try:\n    import tensorflow as tf\nexcept ImportError:\n    tf = None\ntf.logging.info('x')\n",
    "def f():\n    import tensorflow as tf\n    tf.logging.info('x')\n",
    "import tensorflow as tf\nclass A:\n    tf = 1\n    def m(self):\n        tf.logging.info('x')\n",
], ids=["as-tf", "compat-v1", "plain", "plain-compat", "from-compat", "from-tf", "from-compat-v1",
        "module-alias", "try-fallback", "none-fallback", "in-function",
        "class-scope"])
def test_every_import_form_is_resolved(source):
    assert "TFM104" in [code for _, code in findings(source)]
    result = fixed(source)
    assert result is not None and ".info('x')" in result
    assert "tf.logging" not in result and "tensorflow.logging" not in result


@pytest.mark.parametrize("source", [
    "import mylib as tf\ntf.logging.info('x')\n",
    "import tensorflow as tf\ntf = FakeTF()\ntf.logging.info('x')\n",
    "import tensorflow as tf\ndef f(tf):\n    tf.logging.info('x')\n",
    "import tensorflow as tf\ndef f():\n    tf = load()\n    tf.logging.info('x')\n",
    "import tensorflow as tf\nfor tf in things:\n    tf.logging.info('x')\n",
    "import tensorflow as tf\nwith open(p) as tf:\n    tf.logging.info('x')\n",
    "import tensorflow as tf\nlogging = object()\nlogging.info('x')\n",
    "import tensorflow as tf\nx = [tf.logging for tf in items]\n",
    "import tensorflow as tf\nf = lambda tf: tf.logging.info('x')\n",
    "from . import tensorflow\ntensorflow.logging.info('x')\n",
    "# tensorflow is mentioned only in a comment\nlogging.info('x')\n",
    "from tensorflow.python.platform import tf_logging as logging\nlogging.info('x')\n",
], ids=["other-module", "rebound", "parameter", "local-assignment", "for-target", "with-target",
        "unrelated-name", "comprehension", "lambda-parameter", "relative-import", "comment",
        "internal-module-still-in-tf2"])
def test_names_that_are_not_tensorflow_are_left_alone(source):
    assert findings(source) == []
    assert fixed(source) is None


def test_shadowing_is_per_scope():
    source = ("import tensorflow as tf\n\ndef f(tf):\n    tf.logging.info('a')\n\n"
              "tf.logging.info('b')\n")
    assert findings(source) == [(6, "TFM104")]


def test_global_declaration_binds_module_scope():
    source = ("import tensorflow as tf\n\ndef f():\n    global tf\n    tf.logging.info('a')\n")
    assert findings(source) == [(5, "TFM104")]


def test_del_does_not_hide_earlier_uses():
    source = "import tensorflow as tf\ntf.logging.info('b')\ndel tf\n"
    assert findings(source) == [(2, "TFM104")]
