"""Structure: a layer is a loop of its cell; reverse is forward on flipped valid prefixes; bidirectional
is two layers; a stack is its layers in sequence; a padded batch is each sequence alone. Outputs, final
states and gradients, in float64. Also: our cells equal torch.nn.RNNCell/LSTMCell/GRUCell, and
output_states returns every step's c_t."""
import numpy as np
import pytest

import unroll.nn as nn
from unroll.nn import registry
from unroll import functional as F

B, T, D, H = 3, 5, 2, 3
LENGTHS = np.array([5, 3, 1])
ATOL = 1e-12
F64 = np.float64

# every registered cell (a new cell is covered by registering it)
CELLS = {name: (lambda seed, name=name: registry.build_cell(name, D, H, dtype=F64, rng=seed))
         for name in registry.names()}


def parts(state):
    return tuple(state) if isinstance(state, tuple) else (state,)


def like(state, new_parts):
    return type(state)(*new_parts) if isinstance(state, tuple) else new_parts[0]


def close(a, b):
    for u, v in zip(parts(a), parts(b)):
        np.testing.assert_allclose(u, v, rtol=0, atol=ATOL)


def random_state(is_lstm, shape, rng):
    h = rng.standard_normal(shape)
    return nn.LSTMState(h, rng.standard_normal(shape)) if is_lstm else h


def close_grads(a, b, rename=lambda k: k):
    """Every gradient of `a` equals `b`'s under the renamed key."""
    for k, g in a.grads.items():
        np.testing.assert_allclose(g, b.grads[rename(k)], rtol=0, atol=ATOL, err_msg=k)


@pytest.mark.parametrize("kind", CELLS)
def test_layer_is_a_loop_of_its_cell(kind):
    rng = np.random.default_rng(0)
    layer, cell = nn.Recurrent(CELLS[kind](1)), CELLS[kind](1)
    x = rng.standard_normal((B, T, D))
    state0 = random_state(cell.state_type is not None, (B, H), rng)
    dy = rng.standard_normal((B, T, H))
    d_final = random_state(cell.state_type is not None, (B, H), rng)

    y, final, cache = layer.forward(x, state0)
    dx, d0 = layer.backward(dy, d_final, cache)

    state, caches, ys = state0, [], []
    for t in range(T):
        state, c = cell.forward(x[:, t], state)
        caches.append(c)
        ys.append(parts(state)[0])
    close(y, np.stack(ys, axis=1))
    close(final, state)
    d_state, dxs = d_final, [None] * T
    for t in range(T - 1, -1, -1):
        d = parts(d_state)
        dxs[t], d_state = cell.backward(like(d_state, (d[0] + dy[:, t],) + d[1:]), caches[t])
    close(dx, np.stack(dxs, axis=1))
    close(d0, d_state)
    close_grads(layer, cell)


@pytest.mark.parametrize("kind", CELLS)
def test_reverse_is_forward_on_flipped_valid_prefixes(kind):
    rng = np.random.default_rng(1)
    reverse, forward = nn.Recurrent(CELLS[kind](2), reverse=True), nn.Recurrent(CELLS[kind](2))
    x = rng.standard_normal((B, T, D))
    state0 = random_state(reverse.cell.state_type is not None, (B, H), rng)
    dy = rng.standard_normal((B, T, H))
    d_final = random_state(reverse.cell.state_type is not None, (B, H), rng)

    y, final, cache = reverse.forward(x, state0, LENGTHS)
    dx, d0 = reverse.backward(dy, d_final, cache)
    for b, L in enumerate(LENGTHS):
        pick = lambda s: like(s, tuple(p[b:b + 1] for p in parts(s)))
        yb, fb, cb = forward.forward(x[b:b + 1, :L][:, ::-1].copy(), pick(state0))
        dxb, d0b = forward.backward(dy[b:b + 1, :L][:, ::-1].copy(), pick(d_final), cb)
        close(y[b:b + 1, :L], yb[:, ::-1])
        assert np.all(y[b, L:] == 0) and np.all(dx[b, L:] == 0)
        close(pick(final), fb)
        close(dx[b:b + 1, :L], dxb[:, ::-1])
        close(pick(d0), d0b)
    close_grads(reverse, forward)  # summed over the sequences


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn", "peephole"])
@pytest.mark.parametrize("merge", ["concat", "sum"])
def test_bidirectional_is_two_layers(kind, merge):
    rng = np.random.default_rng(2)
    bi = nn.Bidirectional(nn.Recurrent(CELLS[kind](3)), nn.Recurrent(CELLS[kind](4), True), merge)
    fwd, bwd = nn.Recurrent(CELLS[kind](3)), nn.Recurrent(CELLS[kind](4), True)
    is_lstm = bi.cell.state_type is not None
    x = rng.standard_normal((B, T, D))
    state0 = random_state(is_lstm, (2, B, H), rng)
    d_final = random_state(is_lstm, (2, B, H), rng)

    y, final, cache = bi.forward(x, state0, LENGTHS)
    dy = rng.standard_normal(y.shape)
    dx, d0 = bi.backward(dy, d_final, cache)
    k = lambda s, i: like(s, tuple(p[i] for p in parts(s)))
    yf, ff, cf = fwd.forward(x, k(state0, 0), LENGTHS)
    yb, fb, cb = bwd.forward(x, k(state0, 1), LENGTHS)
    close(y, np.concatenate([yf, yb], -1) if merge == "concat" else yf + yb)
    close(k(final, 0), ff)
    close(k(final, 1), fb)
    dyf, dyb = (dy[..., :H], dy[..., H:]) if merge == "concat" else (dy, dy)
    dxf, d0f = fwd.backward(dyf, k(d_final, 0), cf)
    dxb, d0b = bwd.backward(dyb, k(d_final, 1), cb)
    close(dx, dxf + dxb)
    close(k(d0, 0), d0f)
    close(k(d0, 1), d0b)
    close_grads(fwd, bi)
    close_grads(bwd, bi, lambda key: f"{key}_reverse")


STACKS = {"lstm": (nn.LSTM, nn.LSTMCell), "gru": (nn.GRU, nn.GRUCell), "rnn": (nn.RNN, nn.RNNCell)}


@pytest.mark.parametrize("kind", STACKS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_stack_is_its_layers_in_sequence(kind, bidirectional):
    stack_cls, cell_cls = STACKS[kind]
    rng = np.random.default_rng(3)
    L, dirs, p = 3, 2 if bidirectional else 1, 0.3
    stack = stack_cls(D, H, num_layers=L, bidirectional=bidirectional, dropout=p, dtype=F64, rng=0)
    layers = []
    for k in range(L):
        d_in = D if k == 0 else dirs * H
        make = lambda reverse: nn.Recurrent(cell_cls(d_in, H, dtype=F64), reverse)
        layer = nn.Bidirectional(make(False), make(True)) if bidirectional else make(False)
        layer.load_state_dict({key: stack.params[key.replace("_reverse", "") + f"_l{k}" +
                                                 ("_reverse" if key.endswith("_reverse") else "")]
                               for key in layer.params})
        layers.append(layer)
    is_lstm = stack.state_type is not None
    x = rng.standard_normal((B, T, D))
    state0 = random_state(is_lstm, (L * dirs, B, H), rng)
    d_final = random_state(is_lstm, (L * dirs, B, H), rng)
    stack.rng = np.random.default_rng(7)
    y, final, cache = stack.forward(x, state0, LENGTHS)
    dy = rng.standard_normal(y.shape)
    dx, d0 = stack.backward(dy, d_final, cache)

    drop_rng = np.random.default_rng(7)  # the same stream of dropout masks, between layers only
    sl = lambda s, k: like(s, tuple(q[k * dirs:(k + 1) * dirs] if bidirectional else q[k] for q in parts(s)))
    inputs, caches, drops, finals = x, [], [], []
    for k, layer in enumerate(layers):
        out, fin, c = layer.forward(inputs, sl(state0, k), LENGTHS)
        finals.append(fin)
        drop = None
        if k < L - 1:
            out, drop = F.dropout_forward(out, p, drop_rng)
        caches.append(c)
        drops.append(drop)
        inputs = out
    close(y, inputs)
    for k in range(L):
        close(sl(final, k), finals[k])
    d_in, d0s = dy, [None] * L
    for k in range(L - 1, -1, -1):
        d_in = F.dropout_backward(d_in, drops[k])
        d_in, d0s[k] = layers[k].backward(d_in, sl(d_final, k), caches[k])
    close(dx, d_in)
    for k in range(L):
        close(sl(d0, k), d0s[k])
        for key, g in layers[k].grads.items():
            name = key.replace("_reverse", "") + f"_l{k}" + ("_reverse" if key.endswith("_reverse") else "")
            np.testing.assert_allclose(stack.grads[name], g, rtol=0, atol=ATOL, err_msg=name)


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU, nn.LeakyRNN])
def test_padded_batch_is_each_sequence_alone(cls):
    rng = np.random.default_rng(4)
    batch = cls(D, H, num_layers=2, bidirectional=True, dtype=F64, rng=0)
    alone = cls(D, H, num_layers=2, bidirectional=True, dtype=F64, rng=0)
    x = rng.standard_normal((B, T, D))
    is_lstm = batch.state_type is not None
    state0 = random_state(is_lstm, (4, B, H), rng)
    d_final = random_state(is_lstm, (4, B, H), rng)
    y, final, cache = batch.forward(x, state0, LENGTHS)
    dy = rng.standard_normal(y.shape)
    dx, d0 = batch.backward(dy, d_final, cache)
    pick = lambda s, b: like(s, tuple(q[:, b:b + 1] for q in parts(s)))
    for b, L in enumerate(LENGTHS):
        yb, fb, cb = alone.forward(x[b:b + 1, :L], pick(state0, b))
        dxb, d0b = alone.backward(dy[b:b + 1, :L], pick(d_final, b), cb)
        close(y[b:b + 1, :L], yb)
        close(pick(final, b), fb)
        close(dx[b:b + 1, :L], dxb)
        close(pick(d0, b), d0b)
    close_grads(batch, alone)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_output_states_are_every_c_t(bidirectional):
    rng = np.random.default_rng(5)
    lstm = nn.LSTM(D, H, num_layers=2, bidirectional=bidirectional, dropout=0.5, dtype=F64, rng=0).eval()
    dirs = 2 if bidirectional else 1
    x = rng.standard_normal((B, T, D))
    state0 = random_state(True, (2 * dirs, B, H), rng)
    y, final, _, seq = lstm.forward(x, state0, LENGTHS, output_states=True)
    assert isinstance(seq, nn.LSTMState) and seq.c.shape == (2 * dirs, B, T, H)
    cells = [[layer.cell] if not bidirectional else [d.cell for d in layer.directions] for layer in lstm.layers]
    for b, L in enumerate(LENGTHS):
        inputs = x[b, :L]  # (L, D)
        for k in range(2):
            outs = []
            for j, cell in enumerate(cells[k]):
                idx = k * dirs + j
                order = range(L) if j == 0 else range(L - 1, -1, -1)
                state = nn.LSTMState(state0.h[idx, b:b + 1], state0.c[idx, b:b + 1])
                hs = np.zeros((L, H))
                for t in order:
                    state, _ = cell.forward(inputs[t:t + 1], state)
                    np.testing.assert_allclose(seq.c[idx, b, t], state.c[0], rtol=0, atol=ATOL)
                    np.testing.assert_allclose(seq.h[idx, b, t], state.h[0], rtol=0, atol=ATOL)
                    hs[t] = state.h[0]
                # past the length the state is carried: every padded step holds the final state
                np.testing.assert_array_equal(seq.c[idx, b, L:], np.broadcast_to(final.c[idx, b], (T - L, H)))
                np.testing.assert_allclose(final.c[idx, b], state.c[0], rtol=0, atol=ATOL)
                outs.append(hs)
            inputs = np.concatenate(outs, axis=-1)
        np.testing.assert_allclose(y[b, :L], inputs, rtol=0, atol=ATOL)


def test_recurrent_output_states():
    rng = np.random.default_rng(6)
    layer = nn.Recurrent(CELLS["lstm"](0), reverse=True)
    x = rng.standard_normal((B, T, D))
    _, final, cache, seq = layer.forward(x, None, LENGTHS, output_states=True)
    assert seq.c.shape == (B, T, H)
    for b, L in enumerate(LENGTHS):
        state = None
        for t in range(L - 1, -1, -1):
            state, _ = layer.cell.forward(x[b:b + 1, t], state)
            np.testing.assert_allclose(seq.c[b, t], state.c[0], rtol=0, atol=ATOL)
        close(nn.LSTMState(final.h[b], final.c[b]), nn.LSTMState(state.h[0], state.c[0]))


# the registry's torch column: every cell with a torch.nn counterpart
TORCH_CELLS = {name: (registry.get(name).torch[0] + "Cell", registry.get(name).torch[1])
               for name in registry.names(torch_only=True)}


@pytest.mark.parametrize("kind", TORCH_CELLS)
@pytest.mark.parametrize("bias", [True, False])
def test_cells_match_torch(kind, bias):
    torch = pytest.importorskip("torch")
    name, kwargs = TORCH_CELLS[kind]
    ours = registry.build_cell(kind, D, H, bias=bias, dtype=F64, rng=0)
    ref = getattr(torch.nn, name)(D, H, bias=bias, **kwargs).double()
    ours.load_state_dict(ref.state_dict())
    rng = np.random.default_rng(8)
    x, h0, c0 = rng.standard_normal((B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    dh, dc = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    is_lstm = kind == "lstm"
    state, cache = ours.forward(x, nn.LSTMState(h0, c0) if is_lstm else h0)
    dx, d0 = ours.backward(nn.LSTMState(dh, dc) if is_lstm else dh, cache)

    tx, th0, tc0 = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
    if is_lstm:
        th, tc = ref(tx, (th0, tc0))
        ((th * torch.tensor(dh)).sum() + (tc * torch.tensor(dc)).sum()).backward()
        pairs = [(state.h, th), (state.c, tc), (d0.c, tc0.grad), (d0.h, th0.grad)]
    else:
        th = ref(tx, th0)
        (th * torch.tensor(dh)).sum().backward()
        pairs = [(state, th), (d0, th0.grad)]
    pairs += [(dx, tx.grad)] + [(ours.grads[k], p.grad) for k, p in ref.named_parameters()]
    assert len(ours.grads) == len(list(ref.parameters()))
    for a, b in pairs:
        np.testing.assert_allclose(a, b.detach().numpy(), rtol=0, atol=1e-10)
