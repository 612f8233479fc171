"""The base of every module: named parameters and gradients, and the one sequence-module contract.

Every module over sequences (`Recurrent`, `Bidirectional`, the RNN/LSTM/GRU stacks, `Linear`,
`Embedding`, `Dropout`, the pooling modules, `Sequential`) has the same two methods:

    y, state, cache = module.forward(x, state=None, lengths=None)
    dx, d_state0 = module.backward(dy, d_state, cache)

Per-step modules ignore `state` and `lengths` and return the state they were given (and, backwards,
the state gradient they were given), so any chain of modules composes without knowing what is
inside it. `backward` checks that `cache` came from this module's `forward` and that `dy` has the
shape of that forward's output.

`params` and `grads` are dicts with the same keys (PyTorch's names). Composite modules put their
children's arrays into their own dicts under new names: the same array objects, so a parameter is
stored once however many modules list it. Hence the rule: update parameters and gradients in place
(`p -= lr * g`, `g.fill(0)`), never rebind them. Caches are returned by forward, never kept on self.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_array
from ..errors import InvalidTypeError, InvalidValueError


class Cache(NamedTuple):
    """What a module's forward hands to its backward: who made it, the output's shape and dtype
    (so a wrong dy is named, not broadcast), and the module's own data."""
    owner: int
    y_shape: tuple
    y_dtype: np.dtype
    data: object


class Module:
    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.training = True
        self._children: list[Module] = []

    def forward(self, x, state=None, lengths=None):
        """x (B, T, D) (or (B, D) for per-step modules) -> (y, state, cache)."""
        raise NotImplementedError

    def backward(self, dy, d_state, cache):
        """dy like forward's y (None: no gradient from y), d_state like its state -> (dx, d_state0)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- caches
    def make_cache(self, y, data) -> Cache:
        """Wrap forward's private data with what backward checks."""
        return Cache(id(self), np.shape(y), getattr(y, "dtype", None), data)

    def open_cache(self, cache, dy):
        """Check that `cache` is this module's and `dy` (if not None) matches the output; return the data."""
        if not isinstance(cache, Cache) or cache.owner != id(self):
            got = type(cache).__name__ if not isinstance(cache, Cache) else "the cache of another module"
            raise InvalidTypeError(f"cache: expected the cache returned by this {type(self).__name__}'s forward, "
                                   f"got {got}")
        if dy is not None:
            check_array("dy", dy, cache.y_shape, cache.y_dtype)
        return cache.data

    def add_param(self, name: str, value: np.ndarray) -> np.ndarray:
        """Register a parameter and its zero gradient."""
        self.params[name] = value
        self.grads[name] = np.zeros_like(value)
        return value

    def add_module(self, module: "Module", rename) -> "Module":
        """Adopt a child's parameters under new names. rename: str prefix (joined by '.') or callable."""
        to_name = (lambda key: f"{rename}.{key}") if isinstance(rename, str) else rename
        for key in module.params:
            self.params[to_name(key)] = module.params[key]
            self.grads[to_name(key)] = module.grads[key]
        self._children.append(module)
        return module

    def zero_grad(self) -> None:
        for g in self.grads.values():
            g.fill(0.0)

    def train(self, mode: bool = True) -> "Module":
        self.training = mode
        for child in self._children:
            child.train(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def num_parameters(self) -> int:
        return sum(p.size for p in self.params.values())

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the parameters, keyed like PyTorch's state_dict."""
        return {k: v.copy() for k, v in self.params.items()}

    def load_state_dict(self, state: dict, strict: bool = True) -> None:
        """Copy arrays (or torch tensors) into the parameters in place, cast to the module's dtype.

        Every array is checked (shape, numeric, finite) before any is copied, so a bad state_dict
        leaves the module as it was.
        """
        missing = sorted(set(self.params) - set(state))
        unexpected = sorted(set(state) - set(self.params))
        if strict and (missing or unexpected):
            raise InvalidValueError(f"load_state_dict: expected keys {sorted(self.params)}; "
                                    f"missing {missing}, unexpected {unexpected}")
        checked = {}
        for key in [k for k in self.params if k in state]:
            value = state[key]
            if hasattr(value, "detach"):  # a torch tensor
                value = value.detach().cpu().numpy()
            value = np.asarray(value)
            if value.dtype.kind not in "fiu":
                raise InvalidTypeError(f"load_state_dict {key}: expected a numeric array, got dtype {value.dtype}")
            if value.shape != self.params[key].shape:
                raise InvalidValueError(f"load_state_dict {key}: expected shape {self.params[key].shape}, "
                                        f"got {value.shape}")
            if not np.isfinite(value).all():
                raise InvalidValueError(f"load_state_dict {key}: expected finite values, got NaN or inf")
            checked[key] = value
        for key, value in checked.items():
            np.copyto(self.params[key], value, casting="unsafe")
