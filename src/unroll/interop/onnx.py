"""Export to ONNX: recurrent stacks as the standard `RNN`/`LSTM`/`GRU` operators, and the models
built around them (the char LM, a classifier-shaped `Sequential`), for inference anywhere ONNX
Runtime runs, with no unroll and no NumPy code of ours.

    from unroll.interop.onnx import export
    export(model, "model.onnx")                       # CharLM, Sequential or RecurrentStack
    # onnxruntime: sess.run(None, {"tokens": ids (B, T) int64, "lengths": (B,) int32,
    #                              "h0": (L*dirs, B, H), "c0": (L*dirs, B, H)})
    #              -> logits (B, T, V), probs (B, T, V), h_n, c_n

Graph (built with onnx.helper; onnx is imported only when called):
- inputs: `tokens` (B, T) int64 after an Embedding/OneHot, else `x` (B, T, D) float32; `lengths`
  (B,) int32 (lengths=True: ONNX's sequence_lens, PyTorch's packed semantics, as unroll's);
  `h0` and, for the LSTMs, `c0`, each (L*dirs, B, H) in unroll's (and PyTorch's) layout (state=True;
  without them the stack starts from zeros).
- outputs: `y` (the last module's output; `logits` when it is a Linear), `probs` = softmax over the
  last axis after a final Linear, and the final states `h_n` (`c_n`), laid out as h0.
- B and T are symbolic, so one file serves any batch and length (T = 1 steps a sampler).

Mappings (unroll keeps PyTorch's layouts; ONNX's differ):
- LSTM gates i, f, g, o -> ONNX i, o, f, c; GRU r, z, n -> ONNX z, r, h with linear_before_reset=1
  (PyTorch's GRU: the reset gate scales W_hn h + b_hn); RNN tanh/relu -> activations Tanh/Relu.
- W = weight_ih (G*H, D), R = weight_hh, B = [b_ih | b_hh], one row per direction; no bias: B omitted.
- peephole LSTM: ONNX's LSTM with P = [p_i | p_o | p_f] (unroll stores [p_i | p_f | p_o]).
- ONNX runs time-major (layout=0: ONNX Runtime refuses layout=1), so the graph transposes once on
  the way in and once out; between stacked layers Y (T, dirs, B, H) becomes (T, B, dirs*H)
  (merge='concat') or the sum of the directions (merge='sum').
- Embedding -> Gather; OneHot -> Gather from an identity matrix; Linear -> MatMul + Add; Dropout ->
  nothing (inference); LastStep/MeanPool/MaxPool -> masks from `lengths` (zeros for length 0, as unroll).

Refused with a clear message: the leaky cell (no ONNX operator has its equations), float64 modules
(export float32: ONNX Runtime's recurrent kernels are float32), a Sequential with more than one
recurrent stack or with modules outside the list above.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .._extras import require
from ..errors import InvalidTypeError, InvalidValueError
from .. import nn

__all__ = ["export", "OPSET", "ONNX_GATE_ORDER"]

OPSET = 17
IR_VERSION = 8  # the IR of opset 17, which every ONNX Runtime since 1.12 reads

# cell -> (ONNX operator, block permutation from unroll's stacked gates to ONNX's, extra attributes)
ONNX_GATE_ORDER = {
    "rnn": ("RNN", [0], {"activations": ["Tanh"]}),
    "rnn-relu": ("RNN", [0], {"activations": ["Relu"]}),
    "lstm": ("LSTM", [0, 3, 1, 2], {}),  # i, f, g, o -> i, o, f, c
    "peephole": ("LSTM", [0, 3, 1, 2], {}),
    "gru": ("GRU", [1, 0, 2], {"linear_before_reset": 1}),  # r, z, n -> z, r, h
}
_PEEPHOLE_ORDER = [0, 2, 1]  # unroll [p_i | p_f | p_o] -> ONNX P [p_i | p_o | p_f]


def _onnx():
    require("onnx", extra="onnx", why="unroll.interop.onnx")
    import onnx
    return onnx


def _blocks(a: np.ndarray, order: list, axis: int = 0) -> np.ndarray:
    """Reorder the len(order) equal blocks of `a` along `axis`."""
    parts = np.split(a, len(order), axis=axis)
    return np.concatenate([parts[k] for k in order], axis=axis)


class _Graph:
    """Nodes, initialisers and unique names while a graph is built."""

    def __init__(self, onnx):
        self.onnx, self.helper = onnx, onnx.helper
        self.nodes, self.initializers, self.inputs, self.outputs = [], [], [], []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, hint: str, value) -> str:
        name = self.name(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, inputs: list, hint: str | None = None, outputs: int | list = 1, **attrs):
        """Add a node; returns its output name (or names, when outputs is a count > 1 or a list)."""
        names = outputs if isinstance(outputs, list) else [self.name(hint or op_type.lower()) for _ in range(outputs)]
        self.nodes.append(self.helper.make_node(op_type, inputs, names, name=self.name(op_type), **attrs))
        return names[0] if len(names) == 1 else names

    def add_input(self, name: str, elem_type, shape: list) -> str:
        self.inputs.append(self.helper.make_tensor_value_info(name, elem_type, shape))
        return name

    def add_output(self, name: str, source: str, elem_type, shape: list) -> None:
        self.op("Identity", [source], outputs=[name])
        self.outputs.append(self.helper.make_tensor_value_info(name, elem_type, shape))


# ---------------------------------------------------------------- the modules, one function each
def _stack(g: _Graph, stack, x_tm: str, seq_lens: str, states: list):
    """RecurrentStack on time-major x_tm (T, B, D) -> (y_tm (T, B, out), [h_n, c_n] names)."""
    name = stack.cell_name
    if name not in ONNX_GATE_ORDER:
        raise InvalidValueError(f"export: expected a stack of one of {sorted(ONNX_GATE_ORDER)} cells, got "
                                f"{name!r} (no ONNX operator has its equations)")
    op_type, order, attrs = ONNX_GATE_ORDER[name]
    dirs, H = stack.num_directions, stack.hidden_size
    lstm = op_type == "LSTM"
    finals = [[] for _ in range(2 if lstm else 1)]
    for k, layer in enumerate(stack.layers):
        cells = [d.cell for d in layer.directions] if stack.bidirectional else [layer.cell]
        p = [c.params for c in cells]
        W = g.const(f"W_l{k}", np.stack([_blocks(q["weight_ih"], order) for q in p]))  # (dirs, G*H, D)
        R = g.const(f"R_l{k}", np.stack([_blocks(q["weight_hh"], order) for q in p]))  # (dirs, G*H, H)
        B = g.const(f"B_l{k}", np.stack([np.concatenate([_blocks(q["bias_ih"], order), _blocks(q["bias_hh"], order)])
                                         for q in p])) if stack.bias else ""  # (dirs, 2*G*H)
        inits = [g.op("Slice", [s, g.const("start", np.array([k * dirs])), g.const("end", np.array([(k + 1) * dirs])),
                                g.const("axis", np.array([0]))], "initial") if s else "" for s in states]
        inputs = [x_tm, W, R, B, seq_lens, *(inits or [""] * len(finals))]
        if name == "peephole":
            inputs.append(g.const(f"P_l{k}", np.stack([_blocks(q["weight_peephole"], _PEEPHOLE_ORDER) for q in p])))
        node_attrs = dict(attrs, hidden_size=H, direction="bidirectional" if dirs == 2 else "forward")
        if "activations" in node_attrs:
            node_attrs["activations"] = node_attrs["activations"] * dirs
        y, *state_n = g.op(op_type, inputs, outputs=1 + len(finals), **node_attrs)  # Y (T, dirs, B, H), Y_h, Y_c
        for acc, s in zip(finals, state_n):
            acc.append(s)
        if dirs == 1:
            x_tm = g.op("Squeeze", [y, g.const("axes", np.array([1]))], "y")  # (T, B, H)
        elif stack.merge == "sum":
            x_tm = g.op("ReduceSum", [y, g.const("axes", np.array([1]))], "y", keepdims=0)  # (T, B, H)
        else:
            y = g.op("Transpose", [y], "y", perm=[0, 2, 1, 3])  # (T, B, dirs, H)
            x_tm = g.op("Reshape", [y, g.const("shape", np.array([0, 0, dirs * H]))], "y")  # (T, B, dirs*H)
    return x_tm, [acc[0] if len(acc) == 1 else g.op("Concat", acc, "state", axis=0) for acc in finals]


def _masks(g: _Graph, x: str, lengths: str):
    """x (B, T, H), lengths (B,) -> (valid (B, T, 1) bool: t < L_b, last (B, T, 1) bool: t == L_b - 1)."""
    T = g.op("Squeeze", [g.op("Shape", [x], "T", start=1, end=2)], "T")  # scalar int64
    t = g.op("Range", [g.const("zero", np.array(0, np.int64)), T, g.const("one", np.array(1, np.int64))], "t")
    t = g.op("Unsqueeze", [t, g.const("axes", np.array([0, 2]))], "t")  # (1, T, 1)
    L = g.op("Unsqueeze", [g.op("Cast", [lengths], "L", to=g.onnx.TensorProto.INT64),
                           g.const("axes", np.array([1, 2]))], "L")  # (B, 1, 1)
    valid = g.op("Less", [t, L], "valid")
    last = g.op("Equal", [t, g.op("Sub", [L, g.const("one", np.array(1, np.int64))])], "last")
    return valid, last, L


def _pool(g: _Graph, module, x: str, lengths: str | None) -> str:
    """LastStep/MeanPool/MaxPool: x (B, T, H) -> (B, H), unroll's semantics (length 0 -> zeros)."""
    axes = g.const("axes", np.array([1]))
    if not lengths:
        if isinstance(module, nn.LastStep):
            return g.op("Gather", [x, g.const("last", np.array(-1, np.int64))], "pool", axis=1)
        return g.op("ReduceMean" if isinstance(module, nn.MeanPool) else "ReduceMax", [x], "pool", axes=[1], keepdims=0)
    valid, last, L = _masks(g, x, lengths)
    zero = g.const("zero", np.zeros((), np.float32))
    if isinstance(module, nn.LastStep):
        return g.op("ReduceSum", [g.op("Where", [last, x, zero]), axes], "pool", keepdims=0)
    if isinstance(module, nn.MeanPool):
        total = g.op("ReduceSum", [g.op("Where", [valid, x, zero]), axes], "pool", keepdims=0)  # (B, H)
        count = g.op("Cast", [g.op("Max", [L, g.const("one", np.array(1, np.int64))])], to=g.onnx.TensorProto.FLOAT)
        return g.op("Div", [total, g.op("Squeeze", [count, axes], "count")], "pool")  # (B, 1, 1) -> (B, 1)
    masked = g.op("Where", [valid, x, g.const("minus_inf", np.array(-np.inf, np.float32))])
    peak = g.op("ReduceMax", [masked], "pool", axes=[1], keepdims=0)  # (B, H)
    nonempty = g.op("Squeeze", [g.op("Greater", [L, g.const("zero", np.array(0, np.int64))]), axes])  # (B, 1)
    return g.op("Where", [nonempty, peak, zero], "pool")


def _linear(g: _Graph, module, x: str) -> str:
    y = g.op("MatMul", [x, g.const("weight_T", np.ascontiguousarray(module.params["weight"].T))], "linear")
    return g.op("Add", [y, g.const("bias", module.params["bias"])], "linear") if "bias" in module.params else y


# ---------------------------------------------------------------- the graph
def _modules(module) -> list:
    if isinstance(module, nn.Sequential):
        return list(module.modules)
    if isinstance(module, nn.RecurrentStack):
        return [module]
    raise InvalidTypeError(f"export: expected a RecurrentStack (RNN/LSTM/GRU), a CharLM or a Sequential, "
                           f"got {type(module).__name__}")


def build(module, lengths: bool = True, state: bool = True, softmax: bool | None = None, metadata: dict | None = None):
    """The onnx.ModelProto of `module` (see the module docstring); `export` writes it."""
    onnx = _onnx()
    from onnx import TensorProto
    modules = _modules(module)
    for m in [module, *modules]:
        if getattr(m, "dtype", np.dtype(np.float32)) != np.float32 or any(p.dtype != np.float32 for p in m.params.values()):
            raise InvalidTypeError(f"export: expected a float32 module (ONNX Runtime's recurrent kernels are float32), "
                                   f"got {type(m).__name__} with dtype {getattr(m, 'dtype', None)}")
    stacks = [m for m in modules if isinstance(m, nn.RecurrentStack)]
    if len(stacks) > 1:
        raise InvalidValueError(f"export: expected at most one recurrent stack in a Sequential (use num_layers for "
                                f"stacked layers), got {len(stacks)}")
    g = _Graph(onnx)
    B, T = "B", "T"
    tokens_in = isinstance(modules[0], (nn.Embedding, nn.OneHot))
    if tokens_in:
        x = g.add_input("tokens", TensorProto.INT64, [B, T])
    else:
        first = modules[0]
        D = getattr(first, "input_size", getattr(first, "in_features", None))
        x = g.add_input("x", TensorProto.FLOAT, [B, T, D])
    seq_lens = g.add_input("lengths", TensorProto.INT32, [B]) if lengths else ""
    stack = stacks[0] if stacks else None
    state_names = []
    if stack is not None and state:
        shape = [stack.num_layers * stack.num_directions, B, stack.hidden_size]
        state_names = [g.add_input(n, TensorProto.FLOAT, shape) for n in ("h0", "c0")[:stack.spec.num_states]]
    finals, out_shape = [], None
    for m in modules:
        if isinstance(m, nn.Embedding):
            x, out_shape = g.op("Gather", [g.const("embedding", m.params["weight"]), x], "embedded"), [B, T, m.embedding_dim]
        elif isinstance(m, nn.OneHot):
            x, out_shape = g.op("Gather", [g.const("eye", np.eye(m.num_classes, dtype=np.float32)), x], "one_hot"), \
                [B, T, m.num_classes]
        elif isinstance(m, nn.Dropout):
            continue  # inference: the identity
        elif isinstance(m, nn.RecurrentStack):
            y_tm, finals = _stack(g, m, g.op("Transpose", [x], "x_tm", perm=[1, 0, 2]), seq_lens, state_names)
            x, out_shape = g.op("Transpose", [y_tm], "y", perm=[1, 0, 2]), [B, T, m.output_size]  # (B, T, out)
        elif isinstance(m, (nn.LastStep, nn.MeanPool, nn.MaxPool)):
            x, out_shape = _pool(g, m, x, seq_lens), [B, out_shape[-1] if out_shape else None]
        elif isinstance(m, nn.Linear):
            x = _linear(g, m, x)
            out_shape = (out_shape[:-1] if out_shape else [B, T]) + [m.out_features]
        else:
            raise InvalidTypeError(f"export: expected Embedding, OneHot, Dropout, RNN/LSTM/GRU, LastStep, MeanPool, "
                                   f"MaxPool or Linear modules, got {type(m).__name__}")
    ends_linear = isinstance(modules[-1], nn.Linear)
    g.add_output("logits" if ends_linear else "y", x, TensorProto.FLOAT, out_shape)
    if (ends_linear if softmax is None else softmax):
        g.add_output("probs", g.op("Softmax", [x], "probs", axis=-1), TensorProto.FLOAT, out_shape)
    if stack is not None:
        shape = [stack.num_layers * stack.num_directions, B, stack.hidden_size]
        for n, s in zip(("h_n", "c_n"), finals):
            g.add_output(n, s, TensorProto.FLOAT, shape)
    graph = onnx.helper.make_graph(g.nodes, type(module).__name__, g.inputs, g.outputs, g.initializers)
    model = onnx.helper.make_model(graph, producer_name="unroll", opset_imports=[onnx.helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    for key, value in (metadata or {}).items():
        model.metadata_props.add(key=str(key), value=str(value))
    onnx.checker.check_model(model, full_check=True)
    return model


def export(module, path, *, lengths: bool = True, state: bool = True, softmax: bool | None = None,
           metadata: dict | None = None):
    """Write `module` (RecurrentStack, CharLM or Sequential; float32) to `path` as ONNX; returns the ModelProto.

    lengths: a `lengths` (B,) int32 input (sequence_lens); state: `h0`/`c0` inputs (else zeros);
    softmax: add a `probs` output (default: when the model ends in a Linear); metadata: str -> str
    pairs stored in the file's metadata_props (the `unroll export` command stores the vocabulary).
    The file is checked with onnx.checker before it is written.
    """
    onnx = _onnx()
    model = build(module, lengths=lengths, state=state, softmax=softmax, metadata=metadata)
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    onnx.save(model, str(partial))
    os.replace(partial, path)  # atomic: a reader never sees half a file
    return model
