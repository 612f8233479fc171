"""The whole NTM (controller, heads, memory, output) by finite differences, and its contracts."""
import numpy as np
import pytest
from gradient_checks import assert_grads

from unroll.memory import NTM, NTMState


def small_ntm(**kw):
    options = dict(controller_size=5, memory_size=6, memory_width=3, dtype=np.float64, rng=1)
    options.update(kw)
    return NTM(4, 2, **options)


@pytest.mark.parametrize("heads", [(1, 1), (2, 1)])
def test_ntm_gradients_over_time(heads):
    ntm = small_ntm(read_heads=heads[0], write_heads=heads[1])
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 4, 4))
    G = rng.standard_normal((2, 4, 2))
    y, _, cache = ntm.forward(x)
    dx, d0 = ntm.backward(G, None, cache)
    loss = lambda: float((ntm.forward(x)[0] * G).sum())  # noqa: E731
    assert_grads(loss, {"x": x, **ntm.params}, {"x": dx, **ntm.grads})


def test_ntm_initial_and_final_state_gradients():
    ntm = small_ntm()
    rng = np.random.default_rng(3)
    B, T = 2, 3
    x = rng.standard_normal((B, T, 4))
    s0 = ntm.initial_state(B)
    s0 = NTMState(rng.standard_normal(s0.h.shape), rng.standard_normal(s0.c.shape),
                  rng.standard_normal(s0.memory.shape), rng.dirichlet(np.ones(6), (B, 1)),
                  rng.dirichlet(np.ones(6), (B, 1)), rng.standard_normal(s0.reads.shape))
    _, sT, cache = ntm.forward(x, s0)
    Gs = [rng.standard_normal(a.shape) for a in sT]
    _, d0 = ntm.backward(None, NTMState(*Gs), cache)

    def loss():
        final = ntm.forward(x, s0)[1]
        return float(sum((a * g).sum() for a, g in zip(final, Gs)))
    assert_grads(loss, dict(s0._asdict()), dict(d0._asdict()))
    assert np.abs(ntm.grads["memory_bias"]).max() == 0  # an explicit state: the bias was not used


def test_ntm_shapes_and_weightings():
    ntm = NTM(9, 8, controller_size=16, memory_size=12, memory_width=5, rng=0)
    x = np.zeros((3, 7, 9), np.float32)
    y, state, cache = ntm.forward(x, keep_weightings=True)
    assert y.shape == (3, 7, 8) and y.dtype == np.float32 and state.memory.shape == (3, 12, 5)
    read_w, write_w = NTM.weightings(cache)
    assert read_w.shape == (3, 7, 1, 12) and write_w.shape == (3, 7, 1, 12)
    np.testing.assert_allclose(read_w.sum(-1), 1.0, rtol=1e-5)
    dx, _ = ntm.backward(np.ones_like(y), None, cache)
    assert dx.shape == x.shape and dx.dtype == np.float32


def test_ntm_refuses_lengths_and_wrong_input():
    ntm = small_ntm()
    with pytest.raises(ValueError, match="lengths"):
        ntm.forward(np.zeros((1, 2, 4)), lengths=np.array([1]))
    with pytest.raises(ValueError, match="shape"):
        ntm.forward(np.zeros((1, 2, 5)))
    with pytest.raises(ValueError, match="shift_range"):
        small_ntm(shift_range=4)
