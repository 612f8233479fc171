"""RTRL's online gradients equal BPTT's on short sequences (float64)."""
import numpy as np
import pytest

from unroll.functional import softmax_cross_entropy_backward, softmax_cross_entropy_forward
from unroll.nn import LSTMCell, Linear, Recurrent, RNNCell
from unroll.training.rtrl import ElmanRTRL


def _readout_losses(readout, h, targets):
    """Per-step cross-entropy of a linear readout: returns (summed loss, dL/dh (B, T, H))."""
    logits, cache = readout.forward(h)
    loss, loss_cache = softmax_cross_entropy_forward(logits, targets, reduction="sum")
    readout.zero_grad()
    return loss, readout.backward(softmax_cross_entropy_backward(1.0, loss_cache), cache)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("bias", [True, False])
def test_rtrl_equals_bptt(nonlinearity, bias):
    rng = np.random.default_rng(3)
    B, T, D, H, V = 2, 6, 3, 4, 5
    cell = RNNCell(D, H, bias=bias, nonlinearity=nonlinearity, dtype=np.float64, rng=rng)
    readout = Linear(H, V, dtype=np.float64, rng=rng)
    x, h0 = rng.standard_normal((B, T, D)), rng.standard_normal((B, H)) * 0.5
    targets = rng.integers(0, V, (B, T))

    layer = Recurrent(cell)  # BPTT: forward the whole sequence, then backward through time
    h, _, cache = layer.forward(x, h0)
    loss_bptt, dh = _readout_losses(readout, h, targets)
    cell.zero_grad()
    layer.backward(dh, None, cache)
    bptt = {k: g.copy() for k, g in cell.grads.items()}

    cell.zero_grad()  # RTRL: one step at a time, each step's gradient added at once
    rtrl = ElmanRTRL(cell)
    rtrl.reset(h0)
    loss_rtrl = 0.0
    for t in range(T):
        h_t = rtrl.step(x[:, t])
        loss_t, dh_t = _readout_losses(readout, h_t[:, None], targets[:, t:t + 1])
        rtrl.accumulate(dh_t[:, 0])
        loss_rtrl += loss_t

    assert loss_rtrl == pytest.approx(loss_bptt, rel=1e-12)
    assert set(bptt) == set(cell.grads)
    for name in bptt:
        np.testing.assert_allclose(cell.grads[name], bptt[name], rtol=1e-10, atol=1e-12, err_msg=name)
        assert np.abs(bptt[name]).max() > 1e-3  # the comparison is not between zeros


def test_rtrl_rejects_other_cells_and_needs_reset():
    with pytest.raises(TypeError, match="RNNCell"):
        ElmanRTRL(LSTMCell(2, 3))
    with pytest.raises(RuntimeError, match="reset"):
        ElmanRTRL(RNNCell(2, 3)).step(np.zeros((1, 2), np.float32))
