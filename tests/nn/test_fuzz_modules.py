"""Property-based: every public module's forward and backward, driven with random shapes, dtypes,
lengths and non-finite values, either returns arrays of the promised shapes or raises one of
unroll's own errors (`unroll.errors.UnrollError`): never a raw NumPy error, never a warning."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unroll import nn
from unroll.errors import UnrollError

D, H = 3, 2


def sequence_modules(dtype, seed):
    """name -> module taking x (B, T, D)."""
    cell = lambda kind: nn.registry.build_cell(kind, D, H, dtype=dtype, rng=seed)
    return {
        "Recurrent": nn.Recurrent(cell("lstm")),
        "Recurrent_reverse": nn.Recurrent(cell("gru"), reverse=True),
        "Bidirectional": nn.Bidirectional(nn.Recurrent(cell("lstm")), nn.Recurrent(cell("lstm"), reverse=True)),
        "RNN": nn.RNN(D, H, num_layers=2, dropout=0.5, dtype=dtype, rng=seed),
        "LSTM": nn.LSTM(D, H, bidirectional=True, dtype=dtype, rng=seed),
        "GRU": nn.GRU(D, H, bidirectional=True, merge="sum", dtype=dtype, rng=seed),
        "LeakyRNN": nn.LeakyRNN(D, H, alpha=0.3, dtype=dtype, rng=seed),
        "Linear": nn.Linear(D, H, dtype=dtype, rng=seed),
        "Dropout": nn.Dropout(0.3, variational=True, rng=seed),
        "LastStep": nn.LastStep(), "MeanPool": nn.MeanPool(), "MaxPool": nn.MaxPool(),
        "Sequential": nn.Sequential(nn.Linear(D, D, dtype=dtype, rng=seed), nn.LSTM(D, H, dtype=dtype, rng=seed),
                                    nn.MeanPool(), nn.Linear(H, 2, dtype=dtype, rng=seed)),
    }


MODULE_NAMES = sorted(sequence_modules(np.float32, 0))
poison = st.sampled_from([None, np.nan, np.inf, -np.inf])


def poisoned(rng, shape, dtype, value):
    a = rng.standard_normal(shape).astype(dtype)
    if value is not None and a.size:
        a.flat[rng.integers(a.size)] = value
    return a


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(MODULE_NAMES), module_dtype=st.sampled_from([np.float32, np.float64]),
       x_dtype=st.sampled_from([np.float32, np.float64, np.int64]), B=st.integers(0, 3), T=st.integers(0, 3),
       width=st.sampled_from([D, D + 1]), lengths=st.one_of(st.none(), st.lists(st.integers(-1, 4), max_size=4)),
       x_poison=poison, dy_poison=poison, dy_shape_off=st.booleans(), seed=st.integers(0, 3))
def test_sequence_modules_return_results_or_unrolls_errors(name, module_dtype, x_dtype, B, T, width, lengths,
                                                           x_poison, dy_poison, dy_shape_off, seed):
    module = sequence_modules(module_dtype, seed)[name]
    rng = np.random.default_rng(seed)
    x = poisoned(rng, (B, T, width), x_dtype, x_poison if x_dtype != np.int64 else None)
    lengths = None if lengths is None else np.array(lengths, dtype=np.int64)
    try:
        y, state, cache = module.forward(x, None, lengths)
    except UnrollError:
        return
    assert y.shape[0] == B and y.dtype == x.dtype
    dy_shape = y.shape[:-1] + (y.shape[-1] + int(dy_shape_off),)
    try:
        dx, d_state0 = module.backward(poisoned(rng, dy_shape, y.dtype, dy_poison), None, cache)
    except UnrollError:
        return
    assert dx.shape == x.shape and np.isfinite(dx).all()


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(nn.registry.names()), B=st.integers(0, 3), width=st.sampled_from([D, D + 1]),
       state_kind=st.sampled_from(["none", "array", "lstm_state", "wrong_shape"]), x_poison=poison,
       seed=st.integers(0, 3))
def test_cells_step_and_forward_return_results_or_unrolls_errors(kind, B, width, state_kind, x_poison, seed):
    cell = nn.registry.build_cell(kind, D, H, rng=seed)
    rng = np.random.default_rng(seed)
    x = poisoned(rng, (B, width), np.float32, x_poison)
    h = lambda rows: rng.standard_normal((rows, H)).astype(np.float32)
    state = {"none": None, "array": h(B), "lstm_state": nn.LSTMState(h(B), h(B)), "wrong_shape": h(B + 1)}[state_kind]
    try:
        stepped = cell.step(x, state)
        new_state, cache = cell.forward(x, state)
    except UnrollError:
        return
    for a, b in zip(np.atleast_1d(stepped), np.atleast_1d(new_state)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    dx, _ = cell.backward(new_state, cache)
    assert dx.shape == x.shape


@settings(max_examples=60, deadline=None)
@given(vocab=st.integers(1, 5), tokens=st.lists(st.lists(st.integers(-2, 6), min_size=2, max_size=2), max_size=3),
       as_float=st.booleans(), one_hot=st.booleans())
def test_token_modules_return_results_or_unrolls_errors(vocab, tokens, as_float, one_hot):
    module = nn.OneHot(vocab) if one_hot else nn.Embedding(vocab, 2, rng=0)
    ids = np.array(tokens, dtype=np.float64 if as_float else np.int64).reshape(-1, 2)
    try:
        y, _, cache = module.forward(ids)
    except UnrollError:
        return
    assert y.shape == ids.shape + (vocab if one_hot else 2,)
    assert module.backward(np.ones_like(y), None, cache) == (None, None)
