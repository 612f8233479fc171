"""unroll: recurrent neural networks written out by hand in NumPy.

Every forward pass and every backward pass through time is plain NumPy beside its equations
(see docs/derivations.md), checked against finite differences and against PyTorch.
"""
__version__ = "0.1.0"  # before the submodules, which record it in checkpoints

from . import _allocator

_allocator.keep_freed_memory()  # before any array is made: see _allocator.py for why and how to opt out

from . import checkpoint, data, diagnostics, functional, init, metrics, models, nn, optim, reservoir, training
from . import backend
from .backend import get_backend, set_backend
from .gradcheck import gradcheck, numerical_gradient, relative_error

__all__ = [
    "checkpoint", "data", "diagnostics", "functional", "init", "metrics", "models", "nn", "optim", "reservoir",
    "training", "gradcheck", "numerical_gradient", "relative_error", "__version__", "backend", "set_backend",
    "get_backend",
]
