"""Keras runs on its torch backend in these tests (TensorFlow is never installed): set before any
test module imports keras."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
