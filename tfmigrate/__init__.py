"""tfmigrate: find TensorFlow 1.x code and rewrite it into idiomatic TensorFlow 2."""

__version__ = "0.1.0"
