"""The fused (Numba) path equals the NumPy reference: outputs, final states, dx, d_state0 and every
weight gradient, with lengths, stacked and bidirectional, for every cell with fused kernels; float64
to 1e-12 and float32 to 1e-5, relative to the largest magnitude of the reference array.

Also: the streaming step, eval-mode (cache-free) inference followed by a backward, the reference BPTT
on a fused cache (every step's state gradient, the diagnostics' path), and the registry lookup."""
import numpy as np
import pytest

import unroll
from unroll import backend
from unroll.functional.fused import FUSED_CELLS
from unroll.nn import registry

FUSED = sorted(FUSED_CELLS)
TOL = {np.float64: 1e-12, np.float32: 1e-5}


def close(ours, ref, dtype, what):
    ours, ref = np.asarray(ours), np.asarray(ref)
    assert ours.shape == ref.shape and ours.dtype == ref.dtype, what
    scale = max(np.abs(ref).max(initial=0.0), 1e-30)
    err = np.abs(ours.astype(np.float64) - ref).max(initial=0.0) / scale
    assert err <= TOL[dtype], f"{what}: relative error {err:.2e}"


def build(name, dtype, layers=1, bidirectional=False, seed=0, **kw):
    return registry.build_layer(name, 5, 6, num_layers=layers, bidirectional=bidirectional, dtype=dtype,
                                rng=np.random.default_rng(seed), **kw)


def run(model, x, state0, lengths, dy, d_state):
    model.zero_grad()
    y, state, cache = model.forward(x, state0, lengths=lengths)
    dx, d0 = model.backward(dy, d_state, cache)
    return y, state, dx, d0, {k: g.copy() for k, g in model.grads.items()}


def both(model, *args):
    with backend.using("numba"):
        fused = run(model, *args)
    with backend.using("numpy"):
        ref = run(model, *args)
    return fused, ref


def data(model, B, T, dtype, lengths_kind, seed=1):
    rng = np.random.default_rng(seed)
    n = model.num_layers * model.num_directions
    lstm = model.state_type is not None
    shape = (n, B, model.hidden_size)
    st = lambda: (unroll.nn.LSTMState(*(rng.standard_normal(shape).astype(dtype) for _ in range(2))) if lstm
                  else rng.standard_normal(shape).astype(dtype))
    lengths = None if lengths_kind == "none" else np.array([max(0, T - 2 * k) for k in range(B)])
    x = rng.standard_normal((B, T, 5)).astype(dtype)
    dy = rng.standard_normal((B, T, model.output_size)).astype(dtype)
    return x, st(), lengths, dy, st()


def check_all(fused, ref, dtype):
    names = ["output", "state", "dx", "d_state0"]
    for name, a, b in zip(names, fused[:4], ref[:4]):
        for k, (pa, pb) in enumerate(zip(unroll.nn.state.to_tuple(a), unroll.nn.state.to_tuple(b))):
            close(pa, pb, dtype, f"{name}[{k}]")
    assert fused[4].keys() == ref[4].keys()
    for key in ref[4]:
        close(fused[4][key], ref[4][key], dtype, f"grad {key}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layers,bidirectional", [(1, False), (2, True)])
@pytest.mark.parametrize("lengths_kind", ["none", "ragged"])
@pytest.mark.parametrize("name", FUSED)
def test_fused_equals_reference(name, lengths_kind, layers, bidirectional, dtype):
    model = build(name, dtype, layers, bidirectional)
    args = data(model, 4, 7, dtype, lengths_kind)
    check_all(*both(model, *args), dtype)


@pytest.mark.parametrize("name", FUSED)
def test_no_bias_no_output_gradient_and_larger_sizes(name):
    model = registry.build_layer(name, 9, 33, bias=False, dtype=np.float64, rng=np.random.default_rng(3))
    x, s0, lengths, dy, ds = data(model, 3, 12, np.float64, "ragged")
    x = np.random.default_rng(4).standard_normal((3, 12, 9))
    check_all(*both(model, x, s0, lengths, None, ds), np.float64)


# With H = 1 a bias gradient is one sum of terms of both signs, so float32's error relative to its
# value says nothing about the kernel: the one-unit cases run in float64.
@pytest.mark.parametrize("name", FUSED)
@pytest.mark.parametrize("B,H,dtype", [(1, 6, np.float64), (1, 6, np.float32), (1, 1, np.float64), (3, 1, np.float64)])
def test_one_row_products_take_the_gemv_branch(name, B, H, dtype):
    # B = 1 makes every per-step product one row (gemv); H = 1 makes the weight gradients one row too,
    # with a transposed left operand (the strided-x branch of the gemv call).
    model = registry.build_layer(name, 5, H, num_layers=2, bidirectional=True, dtype=dtype,
                                 rng=np.random.default_rng(7))
    args = data(model, B, 6, dtype, "none" if B == 1 else "ragged")
    check_all(*both(model, *args), dtype)


@pytest.mark.parametrize("name", FUSED)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batch_split_over_threads_equals_the_reference(name, dtype, monkeypatch):
    # three blocks of rows (B = 26: 9/8/9 rows), ragged lengths, stacked and bidirectional; whatever
    # this machine's BLAS threads, the split is forced (the threads are the pool's, not BLAS's)
    from unroll.functional.fused import split
    monkeypatch.setattr(split, "available_threads", lambda: 3)
    monkeypatch.delenv(split.ENV, raising=False)
    assert split.BatchSplit.plan(26, 6).bounds == [(0, 9), (9, 17), (17, 26)]
    assert split.BatchSplit.plan(16, 6).bounds == [(0, 8), (8, 16)]  # at least MIN_ROWS rows a block
    assert split.BatchSplit.plan(15, 6) is None and split.BatchSplit.plan(26, split.MAX_HIDDEN + 1) is None
    calls = []
    forward = split.BatchSplit.forward
    monkeypatch.setattr(split.BatchSplit, "forward", lambda self, *a: calls.append(1) or forward(self, *a))
    model = build(name, dtype, layers=2, bidirectional=True)
    args = data(model, 26, 7, dtype, "ragged")
    fused, ref = both(model, *args)
    check_all(fused, ref, dtype)
    # the reference BPTT (every step's state gradient) reads a split cache as the whole batch's
    rng = np.random.default_rng(8)
    layer = unroll.nn.Recurrent(registry.build_cell(name, 5, 6, dtype=dtype, rng=rng))
    x, dy = rng.standard_normal((26, 7, 5)).astype(dtype), rng.standard_normal((26, 7, 6)).astype(dtype)
    results = []
    for name_ in ("numba", "numpy"):
        with backend.using(name_):
            _, _, cache = layer.forward(x, lengths=args[2])
            results.append(layer.state_gradients(dy, None, cache))
    for a, b in zip(*results):
        close(a, b, dtype, "d_states through a split cache")
    assert len(calls) >= 5  # the stack's four runs and the layer's: every fused forward was split


def test_leaky_per_unit_rates_and_relu():
    for kw in ({"alpha": np.linspace(0.1, 1.0, 6), "nonlinearity": "relu"}, {"alpha": 0.3}):
        model = build("leaky", np.float64, 2, False, **kw)
        check_all(*both(model, *data(model, 3, 6, np.float64, "ragged")), np.float64)


@pytest.mark.parametrize("name", FUSED)
def test_streaming_step_and_inference(name):
    dtype = np.float64
    model = build(name, dtype, layers=2)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 5)).astype(dtype)
    with backend.using("numpy"):
        y_ref, s_ref = model.step(x)
        y_ref2, s_ref2 = model.step(x, s_ref)
    y, s = model.step(x)
    y2, s2 = model.step(x, s)
    close(y2, y_ref2, dtype, "step output")
    for a, b in zip(unroll.nn.state.to_tuple(s2), unroll.nn.state.to_tuple(s_ref2)):
        close(a, b, dtype, "step state")
    layer = model.layers[0]
    state0 = layer.cell.zero_state(3)
    close(unroll.nn.state.to_tuple(layer.step(x))[0], layer.cell.step(x)[0] if name == "lstm" else layer.cell.step(x),
          dtype, "Recurrent.step")
    # eval mode: the fused forward keeps no BPTT cache, and a backward after it still is right
    xs, s0, lengths, dy, ds = data(model, 3, 6, dtype, "ragged")
    train = run(model, xs, s0, lengths, dy, ds)
    model.eval()
    try:
        evald = run(model, xs, s0, lengths, dy, ds)
    finally:
        model.train()
    check_all(evald, train, dtype)
    del state0


@pytest.mark.parametrize("name", FUSED)
def test_state_gradients_fall_back_to_the_reference_bptt(name):
    dtype = np.float64
    rng = np.random.default_rng(6)
    layer = unroll.nn.Recurrent(registry.build_cell(name, 5, 6, dtype=dtype, rng=rng))
    x = rng.standard_normal((2, 5, 5))
    dy = rng.standard_normal((2, 5, 6))
    results = []
    for name_ in ("numba", "numpy"):
        with backend.using(name_):
            _, _, cache = layer.forward(x)
            results.append(layer.state_gradients(dy, None, cache))
    for a, b in zip(*results):
        close(a, b, dtype, "d_states")


def test_diagnostics_read_a_fused_cache():
    dtype = np.float64
    model = unroll.nn.LSTM(3, 4, dtype=dtype, rng=np.random.default_rng(7))
    x = np.random.default_rng(8).standard_normal((2, 5, 3))
    out = {}
    for name in ("numba", "numpy"):
        with backend.using(name):
            _, _, cache = model.forward(x)
            out[name] = (unroll.diagnostics.gate_activations(model, x), unroll.diagnostics.step_jacobians(model, cache))
    for k in out["numpy"][0]:
        close(out["numba"][0][k], out["numpy"][0][k], dtype, f"gate {k}")
    close(out["numba"][1], out["numpy"][1], dtype, "jacobians")


def test_backend_selection(monkeypatch):
    assert backend.get_backend() in backend.BACKENDS
    with backend.using("numpy"):
        assert backend.get_backend() == "numpy" and not backend.fused_enabled()
    with pytest.raises(unroll.errors.InvalidValueError):
        backend.set_backend("cuda")
    monkeypatch.setitem(backend._state, "name", None)
    monkeypatch.setenv("UNROLL_BACKEND", "numpy")
    assert backend.get_backend() == "numpy"
    monkeypatch.setitem(backend._state, "name", None)
    monkeypatch.setenv("UNROLL_BACKEND", "bogus")
    with pytest.raises(unroll.errors.InvalidValueError):
        backend.get_backend()
    monkeypatch.setitem(backend._state, "name", "numba")


def test_registry_lookup():
    for name in registry.names():
        cell = registry.build_cell(name, 3, 4)
        assert (registry.fused_kernels(cell) is not None) == (name in FUSED_CELLS)
    class Custom(unroll.nn.LSTMCell):  # a subclass may override kernels(): never fused
        pass
    assert registry.fused_kernels(Custom(3, 4)) is None
