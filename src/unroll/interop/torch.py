"""PyTorch <-> unroll, both ways, for nn.RNN/LSTM/GRU and nn.RNNCell/LSTMCell/GRUCell.

    layer = from_torch(torch.nn.LSTM(64, 128, num_layers=2, bidirectional=True))
    module = to_torch(layer)          # a torch.nn.LSTM(..., batch_first=True) with the same weights

Parameter names and layouts are identical by design, so conversion is a state_dict copy. unroll is
always batch-first; `to_torch` returns batch_first=True layers. torch is imported lazily.
"""
from __future__ import annotations

import numpy as np

from .. import nn
from ..errors import InvalidValueError, InvalidTypeError

# unroll class -> torch class name, and back; the constructor arguments they share.
_LAYERS = {nn.RNN: "RNN", nn.LSTM: "LSTM", nn.GRU: "GRU"}
_CELLS = {nn.RNNCell: "RNNCell", nn.LSTMCell: "LSTMCell", nn.GRUCell: "GRUCell"}


def _torch():
    try:
        import torch
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("unroll.interop.torch needs PyTorch: pip install torch==2.13.0") from err
    return torch


def _dtype_of(module) -> np.dtype:
    dtype = next(module.parameters()).dtype
    torch = _torch()
    if dtype not in (torch.float32, torch.float64):
        raise InvalidTypeError(f"from_torch: expected float32 or float64 parameters, got {dtype}")
    return np.float64 if dtype == torch.float64 else np.float32


def from_torch(module):
    """A torch recurrent layer or cell -> the equivalent unroll module with copied weights."""
    torch = _torch()
    name = type(module).__name__
    dtype = _dtype_of(module)
    if name in _LAYERS.values():
        if getattr(module, "proj_size", 0):
            raise InvalidValueError(f"from_torch: expected proj_size 0, got {module.proj_size} (LSTM projections "
                             "are not supported)")
        cls = {v: k for k, v in _LAYERS.items()}[name]
        kwargs = dict(num_layers=module.num_layers, bias=module.bias, dropout=float(module.dropout),
                      bidirectional=module.bidirectional, dtype=dtype)
        if name == "RNN":
            kwargs["nonlinearity"] = module.nonlinearity
        ours = cls(module.input_size, module.hidden_size, **kwargs)
    elif name in _CELLS.values():
        cls = {v: k for k, v in _CELLS.items()}[name]
        kwargs = dict(bias=module.bias, dtype=dtype)
        if name == "RNNCell":
            kwargs["nonlinearity"] = module.nonlinearity
        ours = cls(module.input_size, module.hidden_size, **kwargs)
    else:
        raise InvalidTypeError(f"from_torch: expected one of {sorted(_LAYERS.values()) + sorted(_CELLS.values())}, "
                        f"got {type(module).__module__}.{name}")
    with torch.no_grad():
        ours.load_state_dict({k: v.detach().cpu().numpy() for k, v in module.state_dict().items()})
    return ours


def to_torch(module):
    """An unroll RNN/LSTM/GRU layer or cell -> the equivalent torch module (batch_first) with copied weights."""
    torch = _torch()
    kind = type(module)
    if kind in _LAYERS:
        if getattr(module, "merge", "concat") != "concat":
            raise InvalidValueError(f"to_torch: torch merges directions by concatenation; got merge={module.merge!r}")
        kwargs = dict(num_layers=module.num_layers, bias=module.bias, batch_first=True,
                      dropout=module.dropout, bidirectional=module.bidirectional)
        if kind is nn.RNN:
            kwargs["nonlinearity"] = module.nonlinearity
        theirs = getattr(torch.nn, _LAYERS[kind])(module.input_size, module.hidden_size, **kwargs)
    elif kind in _CELLS:
        kwargs = dict(bias=module.bias)
        if kind is nn.RNNCell:
            kwargs["nonlinearity"] = module.nonlinearity
        theirs = getattr(torch.nn, _CELLS[kind])(module.input_size, module.hidden_size, **kwargs)
    else:
        raise InvalidTypeError(f"to_torch: expected one of {sorted(c.__name__ for c in (*_LAYERS, *_CELLS))}, "
                        f"got {kind.__name__} (it has no PyTorch counterpart)")
    theirs = theirs.to(torch.float64 if module.dtype == np.float64 else torch.float32)
    theirs.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in module.params.items()})
    return theirs
