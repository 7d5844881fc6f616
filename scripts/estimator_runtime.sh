#!/usr/bin/env bash
# Makes the Python the fixtures' "estimator" runtime runs before.py with: tf.estimator left
# TensorFlow in 2.16, so Estimator programs run on TensorFlow 2.15 (CPU) with its estimator.
# Usage: scripts/estimator_runtime.sh DIR, then export TFMIGRATE_ESTIMATOR_PYTHON=DIR/bin/python
set -euo pipefail
dir=${1:?usage: scripts/estimator_runtime.sh DIR}
if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c "import tensorflow_estimator" 2>/dev/null; then
  python -m venv "$dir" >&2
  # stdout carries only the path: pip's messages go to stderr
  "$dir/bin/python" -m pip install -q "tensorflow-cpu==2.15.1" "tensorflow-estimator==2.15.0" "numpy<2" >&2
fi
echo "$dir/bin/python"
