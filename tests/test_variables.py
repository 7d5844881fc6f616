"""rules/variables.py: `tf.assign`, `tf.assign_add`, `tf.assign_sub` → the variable's methods
(TFM316)."""

from __future__ import annotations

import pytest

from tfmigrate.config import Settings
from tfmigrate.engine import all_rules, migrate

SETTINGS = Settings().validate(rule.code for rule in all_rules())


def fixed_expression(call: str) -> str | None:
    """The TF2 expression `tfmigrate fix` makes of the TF1 expression `call`."""
    source = f"import tensorflow as tf\n\nresult = {call}\n"
    result = migrate(source, "case.py", SETTINGS, fix=True).fixed_source
    if result is None:
        return None
    line = next(line for line in result.splitlines() if line.startswith("result = "))
    return line[len("result = "):]


# -- TFM316 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("tf1,tf2", [
    ("tf.assign(v, 1.0)", "v.assign(1.0)"),
    ("tf.assign(ref=v, value=x, validate_shape=True, use_locking=False, name='set')",
     "v.assign(x, name='set')"),
    ("tf.assign(self.weights[0], w0)", "self.weights[0].assign(w0)"),
    ("tf.assign(a if flag else b, 0.0)", "(a if flag else b).assign(0.0)"),
    ("tf.compat.v1.assign_sub(counter, 2, True)", "counter.assign_sub(2)"),
    ("tf.assign_add(tf.train.get_global_step(), 1)",
     "tf.train.get_global_step().assign_add(1)"),
])
def test_assign_text(tf1, tf2):
    assert fixed_expression(tf1) == tf2


def test_assign_without_fix():
    for call in ("tf.assign(v, x, validate_shape=False)", "tf.assign(v, x, validate_shape=s)",
                 "tf.assign(*pair)", "tf.assign(v)"):
        source = f"import tensorflow as tf\n\nresult = {call}\n"
        found = [d for d in migrate(source, "case.py", SETTINGS).diagnostics
                 if d.code == "TFM316"]
        assert len(found) == 1 and not found[0].applicable, call
    assign = "import tensorflow as tf\n\nops = list(map(tf.assign, vs, xs))\n"
    assert "TFM316" in [d.code for d in migrate(assign, "case.py", SETTINGS).diagnostics]
