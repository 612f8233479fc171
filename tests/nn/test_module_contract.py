"""The contract every public module class keeps, run over a registry of constructors: output shapes,
dtype kept, grads/params/state_dict keys, zero_grad, state_dict round trip, determinism under a seed,
caches returned (two forwards before a backward), gradients accumulated with +=."""
import inspect
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest

import unroll.nn as nn

B, T, D, H = 2, 3, 3, 4
LENGTHS = np.array([3, 2])


def parts(state):
    return tuple(state) if isinstance(state, tuple) else (state,)


@dataclass
class Spec:
    make: Callable  # (dtype, seed) -> module
    kind: str  # "cell" (one step) or the input of a sequence module: "seq" (B, T, D), "tokens" (B, T) ints
    out_shapes: tuple  # expected shapes of the outputs, in the order `run` returns them


def stack(cls, **kw):
    return lambda dt, seed: cls(D, H, dtype=dt, rng=seed, **kw)


def bidirectional(cell_cls, merge):
    return lambda dt, seed: nn.Bidirectional(nn.Recurrent(cell_cls(D, H, dtype=dt, rng=seed)),
                                             nn.Recurrent(cell_cls(D, H, dtype=dt, rng=seed + 1), True), merge)


REGISTRY = {
    "RNNCell": Spec(lambda dt, s: nn.RNNCell(D, H, dtype=dt, rng=s), "cell", ((B, H),)),
    "RNNCell_relu": Spec(lambda dt, s: nn.RNNCell(D, H, nonlinearity="relu", dtype=dt, rng=s), "cell", ((B, H),)),
    "LSTMCell": Spec(lambda dt, s: nn.LSTMCell(D, H, dtype=dt, rng=s), "cell", ((B, H), (B, H))),
    "GRUCell": Spec(lambda dt, s: nn.GRUCell(D, H, bias=False, dtype=dt, rng=s), "cell", ((B, H),)),
    "LeakyRNNCell": Spec(lambda dt, s: nn.LeakyRNNCell(D, H, alpha=np.linspace(0.2, 1, H), dtype=dt, rng=s),
                         "cell", ((B, H),)),
    "Recurrent": Spec(lambda dt, s: nn.Recurrent(nn.LSTMCell(D, H, dtype=dt, rng=s)), "seq",
                      ((B, T, H), (B, H), (B, H))),
    "Recurrent_reverse": Spec(lambda dt, s: nn.Recurrent(nn.GRUCell(D, H, dtype=dt, rng=s), reverse=True), "seq",
                              ((B, T, H), (B, H))),
    "Bidirectional_concat": Spec(bidirectional(nn.LSTMCell, "concat"), "seq", ((B, T, 2 * H), (2, B, H), (2, B, H))),
    "Bidirectional_sum": Spec(bidirectional(nn.RNNCell, "sum"), "seq", ((B, T, H), (2, B, H))),
    "RNN": Spec(stack(nn.RNN, num_layers=2, dropout=0.5), "seq", ((B, T, H), (2, B, H))),
    "LSTM": Spec(stack(nn.LSTM, num_layers=2, bidirectional=True, dropout=0.5), "seq",
                 ((B, T, 2 * H), (4, B, H), (4, B, H))),
    "GRU": Spec(stack(nn.GRU, bidirectional=True, merge="sum"), "seq", ((B, T, H), (2, B, H))),
    "RecurrentStack_registry": Spec(lambda dt, s: nn.RecurrentStack(D, H, cell="gru", num_layers=2, dtype=dt, rng=s),
                                    "seq", ((B, T, H), (2, B, H))),
    "LeakyRNN": Spec(stack(nn.LeakyRNN, num_layers=2, alpha=0.3, nonlinearity="relu"), "seq",
                     ((B, T, H), (2, B, H))),
    "Linear": Spec(lambda dt, s: nn.Linear(D, 5, dtype=dt, rng=s), "seq", ((B, T, 5),)),
    "Embedding": Spec(lambda dt, s: nn.Embedding(7, 5, padding_idx=0, dtype=dt, rng=s), "tokens", ((B, T, 5),)),
    "OneHot": Spec(lambda dt, s: nn.OneHot(7, dtype=dt), "tokens", ((B, T, 7),)),
    "Dropout": Spec(lambda dt, s: nn.Dropout(0.5, rng=s), "seq", ((B, T, D),)),
    "Dropout_variational": Spec(lambda dt, s: nn.Dropout(0.5, variational=True, rng=s), "seq", ((B, T, D),)),
    "LastStep": Spec(lambda dt, s: nn.LastStep(), "seq", ((B, D),)),
    "MeanPool": Spec(lambda dt, s: nn.MeanPool(), "seq", ((B, D),)),
    "MaxPool": Spec(lambda dt, s: nn.MaxPool(), "seq", ((B, D),)),
    "Sequential": Spec(lambda dt, s: nn.Sequential(nn.Linear(D, 4, dtype=dt, rng=s), nn.Dropout(0.2, rng=s),
                                                   nn.GRU(4, H, dtype=dt, rng=s), nn.Linear(H, 2, dtype=dt, rng=s)),
                       "seq", ((B, T, 2), (1, B, H))),
    "Sequential_named": Spec(lambda dt, s: nn.Sequential(rnn=nn.Recurrent(nn.LSTMCell(D, H, dtype=dt, rng=s)),
                                                         pool=nn.MaxPool(), head=nn.Linear(H, 2, dtype=dt, rng=s)),
                             "seq", ((B, 2), (B, H), (B, H))),
}


def make_input(spec, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if spec.kind == "tokens":
        return rng.integers(0, 7, size=(B, T))
    return rng.standard_normal((B, D) if spec.kind == "cell" else (B, T, D)).astype(dtype)


def run(module, spec, x):
    """-> (list of output arrays: y then the state's parts, cache)."""
    if spec.kind == "cell":
        state, cache = module.forward(x)
        return list(parts(state)), cache
    y, state, cache = module.forward(x, lengths=LENGTHS)  # the one contract, whatever the module
    return [y, *(() if state is None else parts(state))], cache


def as_state(arrays):
    if not arrays:
        return None
    return arrays[0] if len(arrays) == 1 else nn.LSTMState(*arrays)


def run_backward(module, spec, outputs, d_outputs, cache):
    """-> the input gradient (None for tokens)."""
    if spec.kind == "cell":
        return module.backward(as_state(d_outputs), cache)[0]
    dx, d_state0 = module.backward(d_outputs[0], as_state(d_outputs[1:]), cache)
    if len(d_outputs) == 1:  # stateless: the state gradient passes through untouched
        assert d_state0 is None
    return dx


def d_outputs_for(outputs, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(o.shape).astype(o.dtype) for o in outputs]


def test_registry_covers_every_public_module_class():
    abstract = {nn.Module, nn.Cell}
    public = {getattr(nn, name) for name in nn.__all__}
    classes = {c for c in public if inspect.isclass(c) and issubclass(c, nn.Module)} - abstract
    covered = {type(spec.make(np.float64, 0)) for spec in REGISTRY.values()}
    assert classes - covered == set()


@pytest.mark.parametrize("name", REGISTRY)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shapes_and_dtype_kept(name, dtype):
    spec = REGISTRY[name]
    module = spec.make(dtype, 0)
    outputs, cache = run(module, spec, make_input(spec, dtype))
    assert tuple(o.shape for o in outputs) == spec.out_shapes
    assert all(o.dtype == dtype for o in outputs), [o.dtype for o in outputs]
    assert all(p.dtype == dtype for p in module.params.values())
    dx = run_backward(module, spec, outputs, d_outputs_for(outputs), cache)
    if spec.kind == "tokens":
        assert dx is None
    else:
        assert dx.dtype == dtype and dx.shape == make_input(spec, dtype).shape
    assert all(g.dtype == dtype for g in module.grads.values())


@pytest.mark.parametrize("name", REGISTRY)
def test_keys_and_zero_grad(name):
    spec = REGISTRY[name]
    module = spec.make(np.float32, 0)
    assert list(module.grads) == list(module.params) == list(module.state_dict())
    assert all(module.grads[k].shape == p.shape for k, p in module.params.items())
    assert all(np.all(g == 0) for g in module.grads.values())
    outputs, cache = run(module, spec, make_input(spec, np.float32))
    run_backward(module, spec, outputs, d_outputs_for(outputs), cache)
    if module.params:
        assert any(np.any(g != 0) for g in module.grads.values())
    grads = dict(module.grads)
    module.zero_grad()
    assert all(np.all(g == 0) for g in module.grads.values())
    assert all(module.grads[k] is g for k, g in grads.items()), "zero_grad must zero in place"


@pytest.mark.parametrize("name", REGISTRY)
def test_state_dict_round_trip(name):
    spec = REGISTRY[name]
    source, fresh = spec.make(np.float64, 0).eval(), spec.make(np.float64, 99).eval()
    x = make_input(spec, np.float64)
    if source.params:
        assert any(np.any(p != fresh.params[k]) for k, p in source.params.items())
    state = source.state_dict()
    for k in state:  # copies, not the parameters themselves
        assert state[k] is not source.params[k]
    fresh.load_state_dict(state)
    for a, b in zip(run(source, spec, x)[0], run(fresh, spec, x)[0]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", REGISTRY)
def test_deterministic_under_a_seed(name):
    spec = REGISTRY[name]
    a, b, c = spec.make(np.float32, 5), spec.make(np.float32, 5), spec.make(np.float32, 6)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    x = make_input(spec, np.float32)
    out_a, out_b, out_c = run(a, spec, x)[0], run(b, spec, x)[0], run(c, spec, x)[0]
    for u, v in zip(out_a, out_b):
        np.testing.assert_array_equal(u, v)  # training mode: the dropout masks repeat too
    if a.params or hasattr(a, "rng"):  # pooling and one-hot have nothing a seed could change
        assert any(np.any(u != w) for u, w in zip(out_a, out_c)), "another seed should change something"


@pytest.mark.parametrize("name", REGISTRY)
def test_two_forwards_before_backward(name):
    """Caches are returned, not stored: backward of the first forward after a second forward is exact."""
    spec = REGISTRY[name]
    x1, x2 = make_input(spec, np.float64, 1), make_input(spec, np.float64, 2)
    module, reference = spec.make(np.float64, 0), spec.make(np.float64, 0)
    outputs1, cache1 = run(module, spec, x1)
    run(module, spec, x2)  # consumes the rng too, so do this after x1 as in `reference`
    ref_outputs, ref_cache = run(reference, spec, x1)
    d_out = d_outputs_for(outputs1)
    dx = run_backward(module, spec, outputs1, d_out, cache1)
    ref_dx = run_backward(reference, spec, ref_outputs, d_out, ref_cache)
    if dx is not None:
        np.testing.assert_array_equal(dx, ref_dx)
    for k in module.grads:
        np.testing.assert_array_equal(module.grads[k], reference.grads[k])


@pytest.mark.parametrize("name", REGISTRY)
def test_gradients_accumulate(name):
    spec = REGISTRY[name]
    module = spec.make(np.float64, 0)
    outputs, cache = run(module, spec, make_input(spec, np.float64))
    d_out = d_outputs_for(outputs)
    dx1 = run_backward(module, spec, outputs, d_out, cache)
    once = {k: g.copy() for k, g in module.grads.items()}
    dx2 = run_backward(module, spec, outputs, d_out, cache)  # the same cache again: nothing consumed
    for k, g in module.grads.items():
        np.testing.assert_allclose(g, 2 * once[k], rtol=1e-14, atol=0)
    if dx1 is not None:
        np.testing.assert_array_equal(dx1, dx2)
