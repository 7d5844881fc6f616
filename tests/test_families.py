"""Rule families work together: TF1 rewrites that land on Keras use Keras 3 spellings."""

from tfmigrate.config import Settings
from tfmigrate.engine import all_rules, migrate

SETTINGS = Settings().validate(rule.code for rule in all_rules())

TF1 = """import tensorflow as tf

init = tf.contrib.layers.xavier_initializer()
reg = tf.contrib.layers.l2_regularizer(0.1)
tf.logging.set_verbosity(tf.logging.INFO)
"""


def test_tf1_rewrites_land_on_keras3_directly():
    result = migrate(TF1, "m.py", SETTINGS, fix=True)
    fixed = result.fixed_source
    assert fixed is not None and "contrib" not in fixed
    assert "tf.keras.initializers.GlorotUniform(" in fixed
    assert "tf.keras.regularizers.L2(0.1 / 2)" in fixed
    # No Keras 2 spelling was written for a second pass to repair.
    assert not [code for code in result.fixed_codes if code.startswith("TFM7")]
    assert not [d for d in migrate(fixed, "m.py", SETTINGS).diagnostics
                if d.code.startswith("TFM7")]
