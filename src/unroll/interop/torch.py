"""PyTorch <-> unroll, both ways, for nn.RNN/LSTM/GRU and nn.RNNCell/LSTMCell/GRUCell.

    layer = from_torch(torch.nn.LSTM(64, 128, num_layers=2, bidirectional=True))
    module = to_torch(layer)          # a torch.nn.LSTM(..., batch_first=True) with the same weights

Parameter names and layouts are identical by design, so conversion is a state_dict copy; which torch
class matches which unroll cell is the `torch` column of the cell registry. unroll is
always batch-first; `to_torch` returns batch_first=True layers. torch is imported lazily.
"""
from __future__ import annotations

import numpy as np

from .. import nn
from ..nn import registry
from ..errors import InvalidTypeError, InvalidValueError


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


def _spec_for(module) -> tuple:
    """(registry spec, is_cell) of a torch.nn recurrent layer or cell, from the registry's torch column."""
    name = type(module).__name__
    is_cell = name.endswith("Cell")
    for spec in registry.CELLS.values():
        if spec.torch is None or spec.torch[0] + ("Cell" if is_cell else "") != name:
            continue
        if all(getattr(module, k, None) == v for k, v in spec.torch[1].items()):
            return spec, is_cell
    known = sorted({s.torch[0] + c for s in registry.CELLS.values() if s.torch for c in ("", "Cell")})
    raise InvalidTypeError(f"from_torch: expected one of {known}, got {type(module).__module__}.{name}")


def from_torch(module):
    """A torch recurrent layer or cell -> the equivalent unroll module with copied weights."""
    torch = _torch()
    registry.names()  # fill the registry
    spec, is_cell = _spec_for(module)
    dtype = _dtype_of(module)
    if is_cell:
        ours = registry.build_cell(spec.name, module.input_size, module.hidden_size, bias=module.bias, dtype=dtype)
    else:
        if getattr(module, "proj_size", 0):
            raise InvalidValueError(f"from_torch: expected proj_size 0, got {module.proj_size} (LSTM projections "
                                    "are not supported)")
        ours = registry.build_layer(spec.name, module.input_size, module.hidden_size, num_layers=module.num_layers,
                                    bias=module.bias, dropout=float(module.dropout),
                                    bidirectional=module.bidirectional, dtype=dtype)
    with torch.no_grad():
        ours.load_state_dict({k: v.detach().cpu().numpy() for k, v in module.state_dict().items()})
    return ours


def to_torch(module):
    """An unroll layer (RecurrentStack) or cell of a registered cell with a torch counterpart ->
    the equivalent torch module (batch_first) with copied weights."""
    torch = _torch()
    if isinstance(module, nn.RecurrentStack):
        spec, is_cell = module.spec, False
    elif isinstance(module, nn.Cell):
        spec, is_cell = registry.spec_of(module), True
    else:
        raise InvalidTypeError(f"to_torch: expected an unroll RNN/LSTM/GRU layer or cell, got {type(module).__name__}")
    if spec.torch is None:
        raise InvalidTypeError(f"to_torch: {type(module).__name__} (cell {spec.name!r}) has no PyTorch counterpart; "
                               f"expected one of "
                               f"{registry.names(torch_only=True)}")
    torch_name, options = spec.torch
    if is_cell:
        theirs = getattr(torch.nn, torch_name + "Cell")(module.input_size, module.hidden_size, bias=module.bias,
                                                          **options)
    else:
        if module.merge != "concat":
            raise InvalidValueError(f"to_torch: torch merges directions by concatenation; got merge={module.merge!r}")
        theirs = getattr(torch.nn, torch_name)(module.input_size, module.hidden_size, num_layers=module.num_layers,
                                               bias=module.bias, batch_first=True, dropout=module.dropout,
                                               bidirectional=module.bidirectional, **options)
    theirs = theirs.to(torch.float64 if module.dtype == np.float64 else torch.float32)
    theirs.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in module.params.items()})
    return theirs
