"""With identical weights, unroll's layers equal torch.nn.RNN/LSTM/GRU (batch_first, packed variable
lengths) in float64: outputs, final states, d_x, d_state0 and every parameter gradient, to 1e-10.

Every test here runs on both backends (the fused Numba path and the NumPy reference): see the
`unroll_backend` fixture."""
import itertools

import numpy as np
import pytest

import unroll

from unroll import backend

torch = pytest.importorskip("torch")
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence  # noqa: E402

KINDS = {
    "rnn_tanh": (unroll.nn.RNN, torch.nn.RNN, {"nonlinearity": "tanh"}),
    "rnn_relu": (unroll.nn.RNN, torch.nn.RNN, {"nonlinearity": "relu"}),
    "lstm": (unroll.nn.LSTM, torch.nn.LSTM, {}),
    "gru": (unroll.nn.GRU, torch.nn.GRU, {}),
}


def run_both(kind, layers, bidirectional, lengths, T, bias=True, D=3, H=4, seed=0):
    ours_cls, torch_cls, kwargs = KINDS[kind]
    B = len(lengths)
    rng = np.random.default_rng(seed)
    ours = ours_cls(D, H, num_layers=layers, bias=bias, bidirectional=bidirectional, dtype=np.float64,
                    rng=rng, **kwargs)
    ref = torch_cls(D, H, num_layers=layers, bias=bias, bidirectional=bidirectional, batch_first=True,
                    **kwargs).double()
    ours.load_state_dict(ref.state_dict())
    is_lstm = kind == "lstm"
    n_states = layers * (2 if bidirectional else 1)
    x = rng.standard_normal((B, T, D))
    h0 = rng.standard_normal((n_states, B, H))
    c0 = rng.standard_normal((n_states, B, H))
    dy = rng.standard_normal((B, T, H * (2 if bidirectional else 1)))
    dh = rng.standard_normal((n_states, B, H))
    dc = rng.standard_normal((n_states, B, H))
    mask = np.arange(T)[None, :] < np.asarray(lengths)[:, None]
    dy *= mask[:, :, None]  # torch's padded outputs are constants: no gradient flows from them

    state0 = unroll.nn.LSTMState(h0, c0) if is_lstm else h0
    y, state, cache = ours.forward(x, state0, lengths=np.asarray(lengths))
    d_state = unroll.nn.LSTMState(dh, dc) if is_lstm else dh
    dx, d_state0 = ours.backward(dy, d_state, cache)

    tx = torch.tensor(x, requires_grad=True)
    th0 = torch.tensor(h0, requires_grad=True)
    tc0 = torch.tensor(c0, requires_grad=True)
    packed = pack_padded_sequence(tx, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    tout, tstate = ref(packed, (th0, tc0) if is_lstm else th0)
    ty, _ = pad_packed_sequence(tout, batch_first=True, total_length=T)
    loss = (ty * torch.tensor(dy)).sum()
    if is_lstm:
        loss = loss + (tstate[0] * torch.tensor(dh)).sum() + (tstate[1] * torch.tensor(dc)).sum()
    else:
        loss = loss + (tstate * torch.tensor(dh)).sum()
    loss.backward()

    close = lambda a, b: np.testing.assert_allclose(a, b.detach().numpy(), rtol=0, atol=1e-10)
    close(y, ty)
    close(dx, tx.grad)
    if is_lstm:
        close(state.h, tstate[0]); close(state.c, tstate[1])
        close(d_state0.h, th0.grad); close(d_state0.c, tc0.grad)
    else:
        close(state, tstate)
        close(d_state0, th0.grad)
    for name, p in ref.named_parameters():
        close(ours.grads[name], p.grad)


@pytest.fixture(autouse=True, params=list(backend.BACKENDS))
def unroll_backend(request):
    """Run the test under each backend, restoring the one before it."""
    with backend.using(request.param):
        yield request.param


GRID = list(itertools.product(KINDS, [1, 2, 3], [False, True], ["equal", "ragged"], [1, 4], [1, 6]))


@pytest.mark.parametrize("kind,layers,bidirectional,lengths_kind,B,T", GRID)
def test_matches_torch(kind, layers, bidirectional, lengths_kind, B, T):
    lengths = [T] * B if lengths_kind == "equal" else [max(1, T - k * 2) for k in range(B)][::-1]
    run_both(kind, layers, bidirectional, lengths, T)


@pytest.mark.parametrize("kind", KINDS)
def test_matches_torch_without_bias(kind):
    run_both(kind, 2, True, [5, 3, 1], 5, bias=False)
