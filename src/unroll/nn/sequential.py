"""A chain of modules, each forward(x) -> (y, cache) and backward(dy, cache) -> dx.

Recurrent layers in the chain get `lengths` and pass on their output only; their final states are
dropped (use the layer directly when you need them). Parameter names are '<index>.<name>', as in
PyTorch's nn.Sequential.
"""
from __future__ import annotations

import numpy as np

from .module import Module
from .rnn import RecurrentStack


class Sequential(Module):
    def __init__(self, *modules: Module):
        super().__init__()
        self.modules = [self.add_module(m, str(k)) for k, m in enumerate(modules)]

    def forward(self, x, lengths=None):
        """x: the first module's input; lengths (B,) passed to recurrent layers. Returns (y, cache)."""
        caches = []
        for module in self.modules:
            if isinstance(module, RecurrentStack):
                x, _, cache = module.forward(x, lengths=lengths)
            else:
                x, cache = module.forward(x)
            caches.append(cache)
        return x, caches

    def backward(self, dy: np.ndarray, cache):
        """dy like the last output -> gradient for the first input (None after an Embedding)."""
        for module, module_cache in zip(reversed(self.modules), reversed(cache)):
            if isinstance(module, RecurrentStack):
                dy, _ = module.backward(dy, None, module_cache)
            else:
                dy = module.backward(dy, module_cache)
        return dy
