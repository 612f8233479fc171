"""unroll: recurrent neural networks written out by hand in NumPy.

Every forward pass and every backward pass through time is plain NumPy beside its equations
(see docs/derivations.md), checked against finite differences and against PyTorch.
"""
from . import checkpoint, functional, init, nn, optim
from .gradcheck import gradcheck, numerical_gradient, relative_error

__version__ = "0.1.0"
__all__ = ["checkpoint", "functional", "init", "nn", "optim", "gradcheck", "numerical_gradient", "relative_error", "__version__"]
