"""A chain of modules under the one contract: forward(x, state, lengths) -> (y, state, cache) and
backward(dy, d_state, cache) -> (dx, d_state0).

    model = Sequential(Embedding(V, 32), LSTM(32, 64), LastStep(), Linear(64, 2))
    logits, state, cache = model.forward(tokens, lengths=lengths)      # (B, 2)
    d_tokens, d_state0 = model.backward(d_logits, None, cache)

`lengths` go to every module. The state is threaded along the chain: each module gets the state the
one before it returned (per-step modules return what they were given), so with one recurrent module
in the chain `state` is its state, in and out; with several, each one's final state is the next
one's initial state, as in an encoder feeding a decoder (for independent stacked layers use one
RNN/LSTM/GRU with num_layers). Parameter names are '<index>.<name>', as in PyTorch's nn.Sequential,
or '<name>.<name>' for modules given by keyword (`Sequential(embedding=..., rnn=...)`, PyTorch's
OrderedDict form); a keyword module is also an attribute (`model.rnn`).
"""
from __future__ import annotations

from ..errors import InvalidTypeError, InvalidValueError
from .module import Module

__all__ = ["Sequential"]


class Sequential(Module):
    def __init__(self, *modules: Module, **named: Module):
        super().__init__()
        if modules and named:
            raise InvalidValueError("Sequential: expected modules either by position or by name, got both")
        for name, m in [*((str(k), m) for k, m in enumerate(modules)), *named.items()]:
            if not isinstance(m, Module):
                raise InvalidTypeError(f"Sequential: expected unroll modules, got {type(m).__name__} for {name!r}")
        self.modules = [self.add_module(m, str(k)) for k, m in enumerate(modules)]
        for name, m in named.items():
            self.modules.append(self.add_module(m, name))
            setattr(self, name, m)

    def forward(self, x, state=None, lengths=None):
        """x: the first module's input; state: the first stateful module's; lengths (B,) or None.
        Returns (the last module's output, the threaded state, cache)."""
        caches = []
        for module in self.modules:
            x, state, cache = module.forward(x, state, lengths)
            caches.append(cache)
        return x, state, self.make_cache(x, caches)

    def backward(self, dy, d_state, cache):
        """dy like the last output, d_state like the returned state (either may be None) ->
        (gradient for the first input (None after an Embedding), d_state0)."""
        caches = self.open_cache(cache, dy)
        for module, module_cache in zip(reversed(self.modules), reversed(caches)):
            dy, d_state = module.backward(dy, d_state, module_cache)
        return dy, d_state
