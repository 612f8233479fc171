"""The base of every module: named parameters and gradients, nothing else.

`params` and `grads` are dicts with the same keys (PyTorch's names). Composite modules put their
children's arrays into their own dicts under new names: the same array objects, so a parameter is
stored once however many modules list it. Hence the rule: update parameters and gradients in place
(`p -= lr * g`, `g.fill(0)`), never rebind them. Caches are returned by forward, never kept on self.
"""
from __future__ import annotations

import numpy as np
from ..errors import InvalidValueError


class Module:
    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.training = True
        self._children: list[Module] = []

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
        """Copy arrays (or torch tensors) into the parameters in place, cast to the module's dtype."""
        missing = sorted(set(self.params) - set(state))
        unexpected = sorted(set(state) - set(self.params))
        if strict and (missing or unexpected):
            raise InvalidValueError(f"load_state_dict: expected keys {sorted(self.params)}; "
                             f"missing {missing}, unexpected {unexpected}")
        for key in set(state) & set(self.params):
            value = state[key]
            if hasattr(value, "detach"):  # a torch tensor
                value = value.detach().cpu().numpy()
            value = np.asarray(value)
            if value.shape != self.params[key].shape:
                raise InvalidValueError(f"load_state_dict {key}: expected shape {self.params[key].shape}, "
                                 f"got {value.shape}")
            np.copyto(self.params[key], value, casting="unsafe")
