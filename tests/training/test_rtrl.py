"""RTRL's online gradients equal BPTT's on short sequences, for every cell (float64)."""
import numpy as np
import pytest

from unroll.functional import softmax_cross_entropy_backward, softmax_cross_entropy_forward
from unroll.nn import Linear, LSTMState, Recurrent, registry
from unroll.training.rtrl import RTRL

# every registered cell whose parameters are the runner's four (RTRL refuses the others, tested below)
CELLS = {name: (lambda D, H, bias, rng, name=name: registry.build_cell(name, D, H, bias=bias, dtype=np.float64,
                                                                      rng=rng))
         for name in registry.names() if registry.get(name).cell.__name__ != "PeepholeLSTMCell"}


def _readout_losses(readout, h, targets):
    """Cross-entropy of a linear readout of h (B, T, H): returns (summed loss, dL/dh (B, T, H))."""
    logits, _, cache = readout.forward(h)
    loss, loss_cache = softmax_cross_entropy_forward(logits, targets, reduction="sum")
    readout.zero_grad()
    return loss, readout.backward(softmax_cross_entropy_backward(1.0, loss_cache), None, cache)[0]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("name", list(CELLS))
def test_rtrl_equals_bptt(name, bias):
    rng = np.random.default_rng(3)
    B, T, D, H, V = 2, 6, 3, 4, 5
    cell = CELLS[name](D, H, bias, rng)
    readout = Linear(H, V, dtype=np.float64, rng=rng)
    x, targets = rng.standard_normal((B, T, D)), rng.integers(0, V, (B, T))
    state0 = tuple(rng.standard_normal((B, H)) * 0.5 for _ in range(2 if cell.state_type is not None else 1))
    state0 = LSTMState(*state0) if cell.state_type is not None else state0[0]

    layer = Recurrent(cell)  # BPTT: forward the whole sequence, then backward through time
    h, _, cache = layer.forward(x, state0)
    loss_bptt, dh = _readout_losses(readout, h, targets)
    cell.zero_grad()
    layer.backward(dh, None, cache)
    bptt = {k: g.copy() for k, g in cell.grads.items()}

    cell.zero_grad()  # RTRL: one step at a time, each step's gradient added at once
    rtrl = RTRL(cell)
    rtrl.reset(state0)
    loss_rtrl = 0.0
    for t in range(T):
        state = rtrl.step(x[:, t])
        h_t = state.h if cell.state_type is not None else state
        loss_t, dh_t = _readout_losses(readout, h_t[:, None], targets[:, t:t + 1])
        rtrl.accumulate(dh_t[:, 0])
        loss_rtrl += loss_t

    assert loss_rtrl == pytest.approx(loss_bptt, rel=1e-12)
    assert set(bptt) == set(cell.grads) and len(bptt) == (4 if bias else 2)
    for key in bptt:
        np.testing.assert_allclose(cell.grads[key], bptt[key], rtol=1e-9, atol=1e-12, err_msg=key)
        assert np.abs(bptt[key]).max() > 1e-3  # the comparison is not between zeros


def test_rtrl_needs_a_cell_and_a_reset():
    with pytest.raises(TypeError, match="unroll.nn cell"):
        RTRL(Linear(2, 3))
    with pytest.raises(RuntimeError, match="reset"):
        RTRL(registry.build_cell("rnn", 2, 3)).step(np.zeros((1, 2), np.float32))


def test_cells_with_extra_parameters_are_refused_by_name():
    with pytest.raises(TypeError, match=r"also has \['weight_peephole'\]"):
        RTRL(registry.build_cell("peephole", 2, 3))
