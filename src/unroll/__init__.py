"""unroll: recurrent neural networks written out by hand in NumPy."""
__version__ = "0.1.0"
