"""Keras 3 <-> unroll, both ways: SimpleRNN, LSTM, GRU, Bidirectional, Dense, Embedding, stacks.

    stack = from_keras(keras.layers.Bidirectional(keras.layers.LSTM(128, return_sequences=True)))
    stack = from_keras([keras.layers.GRU(64, return_sequences=True), keras.layers.GRU(64)])  # num_layers=2
    model = from_keras(keras_sequential)      # Embedding, RNNs, Dense, ... -> an unroll Sequential
    layer = to_keras(nn.LSTM(32, 64))         # built, weights set, return_sequences and return_state

Keras is imported only when called; when KERAS_BACKEND is unset it is set to "torch" (unroll never
needs TensorFlow). The conversions copy weights; which Keras layer matches which registered cell
is `KERAS` below, keyed like the cell registry (as interop.torch reads the registry's torch column).

Layouts (unroll keeps PyTorch's; see docs/interop.md):
- Keras stores kernels transposed: kernel (D, G*H) = weight_ih^T, recurrent_kernel (H, G*H) = weight_hh^T.
- LSTM gates: Keras i, f, c, o = unroll i, f, g, o (the same order); one bias = b_ih + b_hh.
- GRU gates: Keras z, r, h -> unroll r, z, n. Keras' h = z h_prev + (1 - z) h~ is PyTorch's
  (1 - z) n + z h_prev: the same. reset_after=True (Keras 3's default) puts the reset gate on
  (h U_h + b_rh) as PyTorch does, bias (2, 3H) = [input bias; recurrent bias] = [b_ih; b_hh].
  reset_after=False (Cho et al. 2014's r applied to h before U_h) is a different cell, which
  neither unroll nor PyTorch has: from_keras refuses it, naming the fix.
- SimpleRNN: activation tanh -> cell 'rnn', relu -> 'rnn-relu'; one bias = b_ih + b_hh.
- Bidirectional merge_mode 'concat' / 'sum' -> merge 'concat' / 'sum' (others refused); its final
  states [h_fwd, (c_fwd,) h_bwd, (c_bwd)] are unroll's state[0], state[1].
- Dense (linear activation only) <-> Linear, kernel (D, O) = weight^T; Embedding <-> Embedding.
- Masks: Keras' `mask` (B, T) bool of right-padded sequences is unroll's `lengths = mask.sum(1)`.
  unroll's outputs are zero past each length; Keras repeats the last output there (except inside
  a Bidirectional): only valid steps and final states are the same.

Stacks: a list (or keras.Sequential) of recurrent layers of one kind, size and direction, each but
the last with return_sequences=True, becomes one RecurrentStack(num_layers=len); to_keras of a stack
gives one Keras layer per unroll layer, each with return_sequences=True and return_state=True (a
single layer when num_layers=1, else a list). A keras.Sequential with other layers becomes an unroll
Sequential: runs of recurrent layers -> one stack (a final return_sequences=False -> + LastStep),
Dense -> Linear, Embedding -> Embedding, Dropout -> Dropout, GlobalAveragePooling1D -> MeanPool,
GlobalMaxPooling1D -> MaxPool; to_keras of an unroll Sequential goes back the same way.
"""
from __future__ import annotations

import os

import numpy as np

from .._extras import require
from ..errors import InvalidTypeError, InvalidValueError
from .. import nn
from ..nn import registry

__all__ = ["from_keras", "to_keras", "KERAS"]

# registry cell name -> (Keras layer class, the options that make it this cell)
KERAS = {
    "rnn": ("SimpleRNN", {"activation": "tanh"}),
    "rnn-relu": ("SimpleRNN", {"activation": "relu"}),
    "lstm": ("LSTM", {}),
    "gru": ("GRU", {"reset_after": True}),
}
_RECURRENT = ("SimpleRNN", "LSTM", "GRU")
_GRU_ORDER = [1, 0, 2]  # Keras z, r, h <-> unroll r, z, n (its own inverse)


def _keras():
    require("keras", extra="keras", why="unroll.interop.keras")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    return keras


def _weights(layer) -> list:
    """A layer's weights as NumPy arrays (copies). Not _weights(layer): on the torch backend it goes
    through np.array(tensor), which NumPy 2 flags with a DeprecationWarning for torch's __array__."""
    out = []
    for variable in layer.weights:
        value = variable.value
        out.append(value.detach().cpu().numpy().copy() if hasattr(value, "detach") else np.array(value))
    return out


def _blocks(a: np.ndarray, order: list, axis: int = -1) -> np.ndarray:
    parts = np.split(a, len(order), axis=axis)
    return np.concatenate([parts[k] for k in order], axis=axis)


# ---------------------------------------------------------------- Keras -> unroll
def _act(fn) -> str:
    return getattr(fn, "__name__", str(fn))


def _cell_name(layer) -> str:
    """The registry name of a Keras SimpleRNN/LSTM/GRU, after checking its options are unroll's."""
    kind = type(layer).__name__
    if kind == "GRU" and not layer.reset_after:
        raise InvalidValueError("from_keras: expected a GRU with reset_after=True (PyTorch's and unroll's GRU), got "
                                "reset_after=False, a different cell (the reset gate before U_h) that unroll does "
                                "not have; rebuild the Keras model with reset_after=True and retrain")
    if kind in ("LSTM", "GRU") and (_act(layer.activation), _act(layer.recurrent_activation)) != ("tanh", "sigmoid"):
        raise InvalidValueError(f"from_keras: expected {kind} activation 'tanh' and recurrent_activation 'sigmoid', "
                                f"got {_act(layer.activation)!r} and {_act(layer.recurrent_activation)!r}")
    if kind == "SimpleRNN" and _act(layer.activation) not in ("tanh", "relu"):
        raise InvalidValueError(f"from_keras: expected SimpleRNN activation 'tanh' or 'relu', got {_act(layer.activation)!r}")
    for name, (cls, options) in KERAS.items():
        if cls == kind and all((_act(getattr(layer, k)) if k == "activation" else getattr(layer, k)) == v
                               for k, v in options.items()):
            return name
    raise InvalidTypeError(f"from_keras: expected one of {sorted(set(_RECURRENT))}, got {kind}")  # pragma: no cover


def _recurrent_weights(layer, cell: str) -> dict:
    """A built Keras recurrent layer -> unroll's {weight_ih, weight_hh, bias_ih, bias_hh} for one direction."""
    weights = _weights(layer)
    if not weights:
        raise InvalidValueError(f"from_keras: expected a built layer (call it once or .build(input_shape)), got "
                                f"{layer.name} with no weights")
    kernel, recurrent = weights[0], weights[1]  # (D, G*H), (H, G*H)
    bias = weights[2] if layer.use_bias else None
    order = _GRU_ORDER if cell == "gru" else [0]  # LSTM: Keras i, f, c, o is already i, f, g, o
    out = {"weight_ih": _blocks(kernel, order).T, "weight_hh": _blocks(recurrent, order).T}
    if bias is not None:
        if cell == "gru":  # (2, 3H): input and recurrent biases
            out["bias_ih"], out["bias_hh"] = _blocks(bias[0], order), _blocks(bias[1], order)
        else:  # one bias: all of it into b_ih
            out["bias_ih"], out["bias_hh"] = bias, np.zeros_like(bias)
    return out


def _directions(layer):
    """(forward Keras layer, backward Keras layer or None, merge)."""
    if type(layer).__name__ == "Bidirectional":
        if layer.merge_mode not in ("concat", "sum"):
            raise InvalidValueError(f"from_keras: expected Bidirectional merge_mode 'concat' or 'sum', got "
                                    f"{layer.merge_mode!r}")
        fwd, bwd = layer.forward_layer, layer.backward_layer
        if type(fwd) is not type(bwd) or fwd.units != bwd.units or not bwd.go_backwards or fwd.go_backwards:
            raise InvalidValueError("from_keras: expected a Bidirectional of two layers of one kind and size, the "
                                    "backward one with go_backwards=True")
        return fwd, bwd, layer.merge_mode
    if type(layer).__name__ not in _RECURRENT:
        raise InvalidTypeError(f"from_keras: expected SimpleRNN, LSTM, GRU or Bidirectional, got {type(layer).__name__}")
    if layer.go_backwards:
        raise InvalidValueError("from_keras: expected go_backwards=False outside a Bidirectional (Keras reverses the "
                                "padded sequence and returns the outputs reversed; unroll reverses only valid steps)")
    return layer, None, "concat"


def _signature(layer) -> tuple:
    fwd, bwd, merge = _directions(layer)
    return _cell_name(fwd), fwd.units, bwd is not None, merge, bool(fwd.use_bias)


def _stack_from_keras(layers: list):
    """Recurrent Keras layers (one kind, size, direction) -> one RecurrentStack, num_layers=len(layers)."""
    signatures = [_signature(layer) for layer in layers]
    if len(set(signatures)) != 1:
        raise InvalidValueError(f"from_keras: expected stacked layers of one cell, size, direction and bias, got "
                                f"{signatures}")
    for layer in layers[:-1]:
        if not _directions(layer)[0].return_sequences:
            raise InvalidValueError(f"from_keras: expected return_sequences=True on every stacked layer but the last, "
                                    f"got False on {layer.name}")
    cell, H, bidirectional, merge, bias = signatures[0]
    state, input_size = {}, None
    for k, layer in enumerate(layers):
        fwd, bwd, _ = _directions(layer)
        for suffix, direction in (("", fwd), ("_reverse", bwd)):
            if direction is None:
                continue
            for key, value in _recurrent_weights(direction, cell).items():
                state[f"{key}_l{k}{suffix}"] = value
        if k == 0:
            input_size = state["weight_ih_l0"].shape[1]
    stack = registry.build_layer(cell, input_size, H, num_layers=len(layers), bias=bias, bidirectional=bidirectional,
                                 merge=merge)
    stack.load_state_dict(state)
    return stack


def _dense(layer):
    if _act(layer.activation) != "linear":
        raise InvalidValueError(f"from_keras: expected Dense with the linear activation (unroll's Linear), got "
                                f"{_act(layer.activation)!r}; convert the activation separately")
    weights = _weights(layer)
    ours = nn.Linear(weights[0].shape[0], layer.units, bias=layer.use_bias)
    ours.load_state_dict({"weight": weights[0].T, **({"bias": weights[1]} if layer.use_bias else {})})
    return ours


def _embedding(layer):
    (weight,) = _weights(layer)
    ours = nn.Embedding(*weight.shape)
    ours.load_state_dict({"weight": weight})
    return ours


def _is_recurrent(layer) -> bool:
    return type(layer).__name__ in (*_RECURRENT, "Bidirectional")


def _sequential_from_keras(layers: list):
    modules, k = [], 0
    while k < len(layers):
        layer, kind = layers[k], type(layers[k]).__name__
        if _is_recurrent(layer):
            run = [layer]
            while (k + len(run) < len(layers) and _is_recurrent(layers[k + len(run)])
                   and _directions(run[-1])[0].return_sequences):
                run.append(layers[k + len(run)])
            if any(isinstance(m, nn.RecurrentStack) for m in modules) or len({_signature(r) for r in run}) > 1:
                raise InvalidValueError("from_keras: expected one run of recurrent layers of one cell, size and "
                                        "direction in a Sequential (an unroll Sequential hands one stack's final state "
                                        "to the next as its initial state), got more")
            modules.append(_stack_from_keras(run))
            if not _directions(run[-1])[0].return_sequences:
                if type(run[-1]).__name__ == "Bidirectional":
                    raise InvalidValueError("from_keras: expected return_sequences=True on a Bidirectional in a "
                                            "Sequential (with False, Keras outputs the backward direction's final "
                                            "state, which is not the last step's output); add a pooling layer")
                modules.append(nn.LastStep())
            k += len(run)
            continue
        simple = {"Dense": _dense, "Embedding": _embedding, "Dropout": lambda l: nn.Dropout(float(l.rate)),
                  "GlobalAveragePooling1D": lambda l: nn.MeanPool(), "GlobalMaxPooling1D": lambda l: nn.MaxPool()}
        if kind not in simple:
            raise InvalidTypeError(f"from_keras: expected SimpleRNN, LSTM, GRU, Bidirectional, Dense, Embedding, Dropout "
                                   f"or global pooling layers, got {kind} ({layer.name})")
        modules.append(simple[kind](layer))
        k += 1
    return nn.Sequential(*modules)


def from_keras(layer):
    """A built Keras layer, a list of layers or a keras.Sequential -> the unroll module with its weights.

    SimpleRNN/LSTM/GRU/Bidirectional -> RecurrentStack (it returns the whole sequence and the state
    whatever return_sequences says); a list or Sequential of recurrent layers only -> one stack;
    Dense -> Linear; Embedding -> Embedding; any other Sequential -> unroll Sequential.
    """
    keras = _keras()
    if isinstance(layer, keras.Sequential):
        layer = list(layer.layers)
    if isinstance(layer, (list, tuple)):
        if not layer:
            raise InvalidValueError("from_keras: expected at least one layer, got an empty list")
        return _stack_from_keras(list(layer)) if all(map(_is_recurrent, layer)) else _sequential_from_keras(list(layer))
    kind = type(layer).__name__
    if kind == "Dense":
        return _dense(layer)
    if kind == "Embedding":
        return _embedding(layer)
    return _stack_from_keras([layer])


# ---------------------------------------------------------------- unroll -> Keras
def _keras_recurrent(keras, cell: str, H: int, bias: bool, **kwargs):
    if cell not in KERAS:
        raise InvalidTypeError(f"to_keras: cell {cell!r} has no Keras counterpart; expected one of {sorted(KERAS)}")
    cls, options = KERAS[cell]
    return getattr(keras.layers, cls)(H, use_bias=bias, **options, **kwargs)


def _keras_weights(cell_params: dict, cell: str, bias: bool) -> list:
    order = _GRU_ORDER if cell == "gru" else [0]
    weights = [_blocks(cell_params["weight_ih"].T, order), _blocks(cell_params["weight_hh"].T, order)]
    if bias:
        b_ih, b_hh = _blocks(cell_params["bias_ih"], order), _blocks(cell_params["bias_hh"], order)
        weights.append(np.stack([b_ih, b_hh]) if cell == "gru" else b_ih + b_hh)
    return weights


def _stack_to_keras(keras, stack, return_state: bool = True, last_sequences: bool = True) -> list:
    if stack.dtype != np.float32:
        raise InvalidTypeError(f"to_keras: expected a float32 module (Keras' default), got {stack.dtype}")
    layers = []
    for k, layer in enumerate(stack.layers):
        options = dict(return_sequences=last_sequences or k < stack.num_layers - 1, return_state=return_state)
        theirs = _keras_recurrent(keras, stack.cell_name, stack.hidden_size, stack.bias, **options)
        input_size = stack.input_size if k == 0 else stack.layers[k - 1].output_size
        if stack.bidirectional:
            theirs = keras.layers.Bidirectional(theirs, merge_mode=stack.merge)
        theirs.build((None, None, input_size))
        if stack.bidirectional:
            for keras_dir, ours in zip((theirs.forward_layer, theirs.backward_layer), layer.directions):
                keras_dir.set_weights(_keras_weights(ours.cell.params, stack.cell_name, stack.bias))
        else:
            theirs.set_weights(_keras_weights(layer.cell.params, stack.cell_name, stack.bias))
        layers.append(theirs)
    return layers


def _linear_to_keras(keras, module):
    dense = keras.layers.Dense(module.out_features, use_bias="bias" in module.params)
    dense.build((None, module.in_features))
    dense.set_weights([module.params["weight"].T] + ([module.params["bias"]] if "bias" in module.params else []))
    return dense


def _embedding_to_keras(keras, module):
    embedding = keras.layers.Embedding(module.num_embeddings, module.embedding_dim)
    embedding.build((None, None))
    embedding.set_weights([module.params["weight"]])
    return embedding


def _sequential_to_keras(keras, module):
    layers, modules = [], list(module.modules)
    for k, m in enumerate(modules):
        following = modules[k + 1] if k + 1 < len(modules) else None
        if isinstance(m, nn.RecurrentStack):
            layers += _stack_to_keras(keras, m, return_state=False, last_sequences=not isinstance(following, nn.LastStep))
        elif isinstance(m, nn.LastStep):
            if not isinstance(modules[k - 1] if k else None, nn.RecurrentStack):
                raise InvalidValueError("to_keras: expected LastStep right after a recurrent stack (Keras reads the last "
                                        "step with return_sequences=False)")
        elif isinstance(m, nn.MeanPool):
            layers.append(keras.layers.GlobalAveragePooling1D())
        elif isinstance(m, nn.Linear):
            layers.append(_linear_to_keras(keras, m))
        elif isinstance(m, nn.Embedding):
            layers.append(_embedding_to_keras(keras, m))
        elif isinstance(m, nn.Dropout):
            layers.append(keras.layers.Dropout(m.p))
        else:
            raise InvalidTypeError(f"to_keras: expected Embedding, Dropout, RNN/LSTM/GRU, LastStep, MeanPool or Linear in "
                                   f"a Sequential, got {type(m).__name__}")
    return keras.Sequential(layers)


def to_keras(module):
    """An unroll module -> the Keras equivalent with copied weights (float32).

    RecurrentStack -> a built SimpleRNN/LSTM/GRU (Bidirectional when bidirectional) with
    return_sequences=True and return_state=True; a list of them, one per layer, when num_layers > 1.
    Linear -> Dense; Embedding -> Embedding; Sequential -> keras.Sequential (no states).
    """
    keras = _keras()
    if isinstance(module, nn.RecurrentStack):
        layers = _stack_to_keras(keras, module)
        return layers[0] if len(layers) == 1 else layers
    if isinstance(module, nn.Linear):
        return _linear_to_keras(keras, module)
    if isinstance(module, nn.Embedding):
        return _embedding_to_keras(keras, module)
    if isinstance(module, nn.Sequential):
        return _sequential_to_keras(keras, module)
    raise InvalidTypeError(f"to_keras: expected a RecurrentStack, Linear, Embedding or Sequential, got "
                           f"{type(module).__name__}")
