"""Finite-difference checks (float64, relative error < 1e-6) of every module's backward: inputs,
initial states and every parameter in `grads`. Dropout masks are made repeatable by re-seeding each
module's rng before every forward, since finite differences re-run the forward pass."""
import numpy as np
import pytest

from gradient_checks import assert_grads

from unroll import gradcheck, nn

B, T, D, H = 3, 4, 2, 3
LENGTHS = np.array([4, 2, 1])


def parts(state):
    if state is None:
        return ()
    return tuple(state) if isinstance(state, tuple) else (state,)


def reseed(module, seed=0):
    """Give every module in the tree that draws dropout masks a fresh Generator(seed)."""
    if hasattr(module, "rng"):
        module.rng = np.random.default_rng(seed)
    for child in module._children:
        reseed(child, seed)


def check_sequence_module(module, state0, lengths, seed=0):
    """module.forward(x, state, lengths) -> (y, state, cache); backward(dy, d_state, cache)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((B, T, module.input_size))
    reseed(module)
    y, state, _ = module.forward(x, state0, lengths=lengths)
    dy = rng.standard_normal(y.shape)  # nonzero at padded steps too: those outputs are constant zeros
    ds = [rng.standard_normal(s.shape) for s in parts(state)]

    def loss():
        reseed(module)
        y, state, _ = module.forward(x, state0, lengths=lengths)
        return float((y * dy).sum()) + sum(float((s * d).sum()) for s, d in zip(parts(state), ds))

    module.zero_grad()
    reseed(module)
    _, state, cache = module.forward(x, state0, lengths=lengths)
    d_state = type(state)(*ds) if isinstance(state, tuple) else ds[0]
    dx, d0 = module.backward(dy, d_state, cache)
    arrays = {"x": x, **{f"state0[{k}]": s for k, s in enumerate(parts(state0))}, **module.params}
    grads = {"x": dx, **{f"state0[{k}]": d for k, d in enumerate(parts(d0)[:len(parts(state0))])}, **module.grads}
    assert_grads(loss, arrays, grads)
    if lengths is not None:
        padded = np.arange(T)[None, :] >= lengths[:, None]
        assert np.all(dx[padded] == 0.0), "padded steps must get exactly zero gradient"
        assert np.all(y[padded] == 0.0)


def make_cell(kind, d=D, bias=True, rng=0):
    return {
        "rnn_tanh": lambda: nn.RNNCell(d, H, bias=bias, dtype=np.float64, rng=rng),
        "rnn_relu": lambda: nn.RNNCell(d, H, bias=bias, nonlinearity="relu", dtype=np.float64, rng=rng),
        "lstm": lambda: nn.LSTMCell(d, H, bias=bias, dtype=np.float64, rng=rng),
        "gru": lambda: nn.GRUCell(d, H, bias=bias, dtype=np.float64, rng=rng),
        "leaky": lambda: nn.LeakyRNNCell(d, H, alpha=0.4, bias=bias, dtype=np.float64, rng=rng),
        "leaky_relu_per_unit": lambda: nn.LeakyRNNCell(d, H, alpha=np.array([0.1, 0.6, 1.0]), bias=bias,
                                                       nonlinearity="relu", dtype=np.float64, rng=rng),
    }[kind]()


CELLS = ["rnn_tanh", "rnn_relu", "lstm", "gru", "leaky", "leaky_relu_per_unit"]


def random_state(cell_or_lstm, shape, rng):
    is_lstm = cell_or_lstm if isinstance(cell_or_lstm, bool) else cell_or_lstm.state_type is not None
    if is_lstm:
        return nn.LSTMState(rng.standard_normal(shape), rng.standard_normal(shape))
    return rng.standard_normal(shape)


@pytest.mark.parametrize("kind", CELLS)
@pytest.mark.parametrize("bias", [True, False])
def test_cell_gradients(kind, bias):
    cell = make_cell(kind, bias=bias)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((B, D))
    state0 = random_state(cell, (B, H), rng)
    ds = [rng.standard_normal((B, H)) for _ in parts(state0)]
    loss = lambda: sum(float((s * d).sum()) for s, d in zip(parts(cell.forward(x, state0)[0]), ds))
    state, cache = cell.forward(x, state0)
    dx, d0 = cell.backward(type(state)(*ds) if isinstance(state, tuple) else ds[0], cache)
    assert_grads(loss, {"x": x, **{f"s{k}": s for k, s in enumerate(parts(state0))}, **cell.params},
          {"x": dx, **{f"s{k}": d for k, d in enumerate(parts(d0))}, **cell.grads})


@pytest.mark.parametrize("kind", CELLS)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("lengths", [None, LENGTHS], ids=["full", "ragged"])
def test_recurrent_gradients(kind, reverse, lengths):
    layer = nn.Recurrent(make_cell(kind), reverse=reverse)
    check_sequence_module(layer, random_state(layer.cell, (B, H), np.random.default_rng(2)), lengths)


@pytest.mark.parametrize("kind", ["rnn_tanh", "lstm", "gru", "leaky"])
@pytest.mark.parametrize("merge", ["concat", "sum"])
def test_bidirectional_gradients(kind, merge):
    layer = nn.Bidirectional(nn.Recurrent(make_cell(kind, rng=1)), nn.Recurrent(make_cell(kind, rng=2), True), merge)
    check_sequence_module(layer, random_state(layer.cell, (2, B, H), np.random.default_rng(3)), LENGTHS)


STACKS = {
    "rnn_tanh": lambda **kw: nn.RNN(D, H, **kw),
    "rnn_relu": lambda **kw: nn.RNN(D, H, nonlinearity="relu", **kw),
    "lstm": lambda **kw: nn.LSTM(D, H, **kw),
    "gru": lambda **kw: nn.GRU(D, H, **kw),
    "leaky": lambda **kw: nn.LeakyRNN(D, H, alpha=np.array([0.3, 0.7, 1.0]), **kw),
}


@pytest.mark.parametrize("kind", STACKS)
@pytest.mark.parametrize("bidirectional,merge", [(False, "concat"), (True, "concat"), (True, "sum")])
def test_stack_gradients(kind, bidirectional, merge):
    stack = STACKS[kind](num_layers=2, bidirectional=bidirectional, merge=merge, dropout=0.3,
                         dtype=np.float64, rng=4)
    n = 2 * stack.num_directions
    check_sequence_module(stack, random_state(stack.state_type is not None, (n, B, H), np.random.default_rng(5)), LENGTHS)


def test_stack_gradients_with_default_state_and_full_lengths():
    stack = nn.GRU(D, H, num_layers=3, dropout=0.5, dtype=np.float64, rng=6)
    check_sequence_module(stack, None, None)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradients(bias):
    layer = nn.Linear(3, 2, bias=bias, dtype=np.float64, rng=0)
    rng = np.random.default_rng(7)
    x, dy = rng.standard_normal((B, T, 3)), rng.standard_normal((B, T, 2))
    loss = lambda: float((layer.forward(x)[0] * dy).sum())
    y, state, cache = layer.forward(x)
    dx, d_state = layer.backward(dy, None, cache)
    assert state is None and d_state is None
    assert_grads(loss, {"x": x, **layer.params}, {"x": dx, **layer.grads})


def test_embedding_gradients_repeated_tokens_and_padding_idx():
    emb = nn.Embedding(6, 3, padding_idx=0, dtype=np.float64, rng=0)
    assert np.all(emb.params["weight"][0] == 0.0)
    tokens = np.array([[1, 4, 1, 0], [0, 4, 2, 1]])
    dv = np.random.default_rng(8).standard_normal((2, 4, 3))
    vectors, _, cache = emb.forward(tokens)
    assert emb.backward(dv, None, cache) == (None, None)
    numerical_loss = lambda: float((emb.forward(tokens)[0] * dv).sum())
    errors = gradcheck(numerical_loss, {"weight": emb.params["weight"]}, {"weight": emb.grads["weight"]})
    # padding_idx's row gets no gradient by design (PyTorch's rule); every other row is the true gradient
    assert np.all(emb.grads["weight"][0] == 0.0)
    assert errors["weight"] > 0  # the padding row differs from the numerical gradient...
    emb2 = nn.Embedding(6, 3, dtype=np.float64, rng=0)
    _, _, cache = emb2.forward(tokens)
    emb2.backward(dv, None, cache)
    assert_grads(lambda: float((emb2.forward(tokens)[0] * dv).sum()), emb2.params, emb2.grads)
    np.testing.assert_array_equal(emb.grads["weight"][1:], emb2.grads["weight"][1:])  # ...and only it


def test_dropout_module_gradients():
    drop = nn.Dropout(0.4, rng=0)
    rng = np.random.default_rng(9)
    x, dy = rng.standard_normal((B, T, D)), rng.standard_normal((B, T, D))

    def loss():
        reseed(drop)
        return float((drop.forward(x)[0] * dy).sum())

    reseed(drop)
    y, _, cache = drop.forward(x)
    assert_grads(loss, {"x": x}, {"x": drop.backward(dy, None, cache)[0]})
    assert np.any(y == 0) and np.any(y != 0)
    y_eval, _, cache = drop.eval().forward(x)
    assert y_eval is x and drop.backward(dy, None, cache)[0] is dy


@pytest.mark.parametrize("variational", [False, True])
def test_sequential_gradients(variational):
    model = nn.Sequential(nn.Linear(D, 4, dtype=np.float64, rng=0), nn.Dropout(0.3, variational, rng=1),
                          nn.LSTM(4, H, num_layers=2, dropout=0.2, dtype=np.float64, rng=2),
                          nn.Linear(H, 2, dtype=np.float64, rng=3))
    rng = np.random.default_rng(10)
    x, dy = rng.standard_normal((B, T, D)), rng.standard_normal((B, T, 2))

    def loss():
        reseed(model)
        return float((model.forward(x, lengths=LENGTHS)[0] * dy).sum())

    reseed(model)
    y, _, cache = model.forward(x, lengths=LENGTHS)
    dx, _ = model.backward(dy, None, cache)
    assert_grads(loss, {"x": x, **model.params}, {"x": dx, **model.grads})
    padded = np.arange(T)[None, :] >= LENGTHS[:, None]
    assert np.all(dx[padded] == 0.0)


def test_sequential_from_tokens():
    model = nn.Sequential(nn.Embedding(5, 2, dtype=np.float64, rng=0),
                          nn.GRU(2, H, dtype=np.float64, rng=1), nn.Linear(H, 3, dtype=np.float64, rng=2))
    tokens = np.array([[1, 2, 2, 4], [0, 1, 1, 3], [4, 4, 0, 0]])
    dy = np.random.default_rng(11).standard_normal((B, T, 3))
    loss = lambda: float((model.forward(tokens, lengths=LENGTHS)[0] * dy).sum())
    _, _, cache = model.forward(tokens, lengths=LENGTHS)
    assert model.backward(dy, None, cache)[0] is None
    assert_grads(loss, model.params, model.grads)


@pytest.mark.parametrize("pool", [nn.LastStep, nn.MeanPool, nn.MaxPool])
@pytest.mark.parametrize("lengths", [None, np.array([4, 2, 0])], ids=["full", "ragged_and_empty"])
def test_pooling_gradients_and_padding(pool, lengths):
    module = pool()
    rng = np.random.default_rng(12)
    x, dy = rng.standard_normal((B, T, H)), rng.standard_normal((B, H))
    loss = lambda: float((module.forward(x, lengths=lengths)[0] * dy).sum())
    y, _, cache = module.forward(x, lengths=lengths)
    dx, _ = module.backward(dy, None, cache)
    assert_grads(loss, {"x": x}, {"x": dx})
    if lengths is not None:
        padded = np.arange(T)[None, :] >= lengths[:, None]
        assert np.all(dx[padded] == 0.0) and np.all(y[2] == 0.0)  # padding and the empty sequence
        shuffled = x.copy()
        shuffled[padded] = rng.standard_normal(shuffled[padded].shape)  # padding never reaches y
        np.testing.assert_array_equal(module.forward(shuffled, lengths=lengths)[0], y)


def test_pooling_values():
    x = np.arange(2 * 3 * 2, dtype=np.float64).reshape(2, 3, 2)
    x[0, 1] = [100.0, -100.0]
    lengths = np.array([2, 3])
    np.testing.assert_array_equal(nn.LastStep().forward(x, lengths=lengths)[0], [x[0, 1], x[1, 2]])
    np.testing.assert_allclose(nn.MeanPool().forward(x, lengths=lengths)[0], [x[0, :2].mean(0), x[1].mean(0)])
    np.testing.assert_array_equal(nn.MaxPool().forward(x, lengths=lengths)[0], [[100.0, 1.0], x[1].max(0)])


def test_many_to_one_sequential_over_a_cell_runner():
    """Sequential(Recurrent(LSTMCell), LastStep, Linear): gradients by finite differences, state threaded."""
    model = nn.Sequential(nn.Recurrent(nn.LSTMCell(D, H, dtype=np.float64, rng=0)), nn.LastStep(),
                          nn.Linear(H, 2, dtype=np.float64, rng=1))
    rng = np.random.default_rng(13)
    x, dy = rng.standard_normal((B, T, D)), rng.standard_normal((B, 2))
    h0 = nn.LSTMState(rng.standard_normal((B, H)), rng.standard_normal((B, H)))
    loss = lambda: float((model.forward(x, h0, LENGTHS)[0] * dy).sum())
    y, state, cache = model.forward(x, h0, LENGTHS)
    assert isinstance(state, nn.LSTMState) and y.shape == (B, 2)
    dx, d_h0 = model.backward(dy, None, cache)
    assert_grads(loss, {"x": x, "h0": h0.h, "c0": h0.c, **model.params},
                 {"x": dx, "h0": d_h0.h, "c0": d_h0.c, **model.grads})
