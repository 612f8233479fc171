"""Finite-difference checks (float64, central differences, relative error < 1e-6) of every kernel pair
in unroll.functional: the step kernels, the BPTT runner, linear, embedding, dropout and the losses.

Each loss is L = sum(out * w) for fixed random w, so dL/dout = w exercises every output entry.
"""
from functools import partial

import numpy as np
import pytest
from gradient_checks import assert_grads

from unroll import functional as F

# Step kernels: (forward, backward, gate multiple G, number of state entries)
STEPS = {
    "rnn_tanh": (F.rnn_step_forward, F.rnn_step_backward, 1, 1),
    "rnn_relu": (partial(F.rnn_step_forward, nonlinearity="relu"),
                 partial(F.rnn_step_backward, nonlinearity="relu"), 1, 1),
    "lstm": (F.lstm_step_forward, F.lstm_step_backward, 4, 2),
    "gru": (F.gru_step_forward, F.gru_step_backward, 3, 1),
    "leaky_tanh": (partial(F.leaky_step_forward, alpha=0.3), partial(F.leaky_step_backward, alpha=0.3), 1, 1),
    "leaky_relu_per_unit": (
        partial(F.leaky_step_forward, alpha=np.array([0.2, 0.5, 1.0]), nonlinearity="relu"),
        partial(F.leaky_step_backward, alpha=np.array([0.2, 0.5, 1.0]), nonlinearity="relu"), 1, 1),
}
B, D, H = 3, 2, 3


@pytest.mark.parametrize("kind", STEPS)
@pytest.mark.parametrize("bias", [True, False])
def test_step_kernel_gradients(kind, bias):
    forward, backward, G, S = STEPS[kind]
    rng = np.random.default_rng(1)
    gx = rng.standard_normal((B, G * H))
    state = tuple(rng.standard_normal((B, H)) for _ in range(S))
    w_hh = rng.standard_normal((G * H, H)) * 0.7
    b_hh = rng.standard_normal(G * H) if bias else None
    weights = [rng.standard_normal((B, H)) for _ in range(S)]

    def loss():
        new_state, _ = forward(gx, state, w_hh, b_hh)
        return sum(float((s * w).sum()) for s, w in zip(new_state, weights))

    _, cache = forward(gx, state, w_hh, b_hh)
    dgx, dgh, d_prev = backward(tuple(weights), cache, w_hh)
    arrays = {"gx": gx, "w_hh": w_hh, **{f"state{k}": s for k, s in enumerate(state)}}
    grads = {"gx": dgx, "w_hh": dgh.T @ state[0], **{f"state{k}": d for k, d in enumerate(d_prev)}}
    if bias:
        arrays["b_hh"], grads["b_hh"] = b_hh, dgh.sum(axis=0)
    assert_grads(loss, arrays, grads)


def test_step_kernels_compute_their_equations():
    """Forward values against the equations written independently here (the gradchecks test backward)."""
    rng = np.random.default_rng(2)
    sig = lambda a: 1 / (1 + np.exp(-a))
    h0, c0 = rng.standard_normal((2, B, H))
    gx4, w4, b4 = rng.standard_normal((B, 4 * H)), rng.standard_normal((4 * H, H)), rng.standard_normal(4 * H)
    a = gx4 + h0 @ w4.T + b4
    i, f, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sig(a[:, 3 * H:])
    c = f * c0 + i * g
    (h_ours, c_ours), _ = F.lstm_step_forward(gx4, (h0, c0), w4, b4)
    np.testing.assert_allclose(c_ours, c, atol=1e-14)
    np.testing.assert_allclose(h_ours, o * np.tanh(c), atol=1e-14)

    gx3, w3, b3 = gx4[:, :3 * H], w4[:3 * H], b4[:3 * H]
    gh = h0 @ w3.T + b3
    r, z = sig(gx3[:, :H] + gh[:, :H]), sig(gx3[:, H:2 * H] + gh[:, H:2 * H])
    n = np.tanh(gx3[:, 2 * H:] + r * gh[:, 2 * H:])
    (h_gru,), _ = F.gru_step_forward(gx3, (h0,), w3, b3)
    np.testing.assert_allclose(h_gru, (1 - z) * n + z * h0, atol=1e-14)

    gx1, w1, b1 = gx4[:, :H], w4[:H], b4[:H]
    alpha = np.array([0.1, 0.5, 1.0])
    (h_leaky,), _ = F.leaky_step_forward(gx1, (h0,), w1, b1, alpha=alpha, nonlinearity="relu")
    np.testing.assert_allclose(h_leaky, (1 - alpha) * h0 + alpha * np.maximum(gx1 + h0 @ w1.T + b1, 0), atol=1e-14)
    (h_rnn,), _ = F.rnn_step_forward(gx1, (h0,), w1, b1)
    np.testing.assert_allclose(h_rnn, np.tanh(gx1 + h0 @ w1.T + b1), atol=1e-14)


# fold_b_hh: every cell but the GRU, whose b_hn sits inside the reset gate's product.
@pytest.mark.parametrize("kind,fold_b_hh", [(k, False) for k in STEPS] + [(k, True) for k in STEPS if k != "gru"])
@pytest.mark.parametrize("T,lengths", [(1, None), (4, None), (1, [1, 0, 1]), (4, [4, 2, 0])])
def test_recurrent_runner_gradients(kind, fold_b_hh, T, lengths):
    forward, backward, G, S = STEPS[kind]
    rng = np.random.default_rng(3)
    lengths = None if lengths is None else np.array(lengths)
    x = rng.standard_normal((B, T, D))
    state0 = tuple(rng.standard_normal((B, H)) for _ in range(S))
    w_ih, w_hh = rng.standard_normal((G * H, D)), rng.standard_normal((G * H, H)) * 0.6
    b_ih, b_hh = rng.standard_normal(G * H), rng.standard_normal(G * H)
    dy = rng.standard_normal((B, T, H))  # nonzero at padded steps too: those outputs are constants
    ds = [rng.standard_normal((B, H)) for _ in range(S)]

    def loss():
        y, final, _ = F.recurrent_forward(forward, x, state0, w_ih, w_hh, b_ih, b_hh, lengths, fold_b_hh)
        return float((y * dy).sum()) + sum(float((s * d).sum()) for s, d in zip(final, ds))

    y, final, cache = F.recurrent_forward(forward, x, state0, w_ih, w_hh, b_ih, b_hh, lengths, fold_b_hh)
    dx, d0, dw_ih, dw_hh, db_ih, db_hh = F.recurrent_backward(backward, dy, tuple(ds), cache)
    arrays = {"x": x, "w_ih": w_ih, "w_hh": w_hh, "b_ih": b_ih, "b_hh": b_hh,
              **{f"state0_{k}": s for k, s in enumerate(state0)}}
    grads = {"x": dx, "w_ih": dw_ih, "w_hh": dw_hh, "b_ih": db_ih, "b_hh": db_hh,
             **{f"state0_{k}": d for k, d in enumerate(d0)}}
    assert_grads(loss, arrays, grads)
    if lengths is not None:
        padded = np.arange(T)[None, :] >= lengths[:, None]  # (B, T)
        assert np.all(dx[padded] == 0.0), "padded steps must get exactly zero gradient"
        assert np.all(y[padded] == 0.0), "padded steps must output zeros"
        for s, s0 in zip(final, state0):  # a length-0 sequence keeps its initial state
            np.testing.assert_array_equal(s[lengths == 0], s0[lengths == 0])


def test_recurrent_runner_without_bias_and_state_gradient_only():
    forward, backward, G, S = STEPS["lstm"]
    rng = np.random.default_rng(4)
    x = rng.standard_normal((B, 3, D))
    state0 = tuple(rng.standard_normal((B, H)) for _ in range(S))
    w_ih, w_hh = rng.standard_normal((G * H, D)), rng.standard_normal((G * H, H))
    dc = rng.standard_normal((B, H))

    def loss():  # only the final cell state is used: d_output None, d_state (None, dc)
        _, final, _ = F.recurrent_forward(forward, x, state0, w_ih, w_hh, None, None)
        return float((final[1] * dc).sum())

    _, _, cache = F.recurrent_forward(forward, x, state0, w_ih, w_hh, None, None)
    dx, d0, dw_ih, dw_hh, db_ih, db_hh = F.recurrent_backward(backward, None, (None, dc), cache)
    assert db_ih is None and db_hh is None
    assert_grads(loss, {"x": x, "w_ih": w_ih, "w_hh": w_hh, "h0": state0[0], "c0": state0[1]},
                 {"x": dx, "w_ih": dw_ih, "w_hh": dw_hh, "h0": d0[0], "c0": d0[1]})


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_runner_copes_with_a_kernel_that_ignores_out(kind):
    """The runner hands step_backward buffers to write into; a kernel that returns fresh arrays instead
    (a user's own cell, say) must give the same gradients."""
    forward, backward, G, S = STEPS[kind]
    rng = np.random.default_rng(6)
    x, dy = rng.standard_normal((B, 4, D)), rng.standard_normal((B, 4, H))
    state0 = tuple(rng.standard_normal((B, H)) for _ in range(S))
    weights = (rng.standard_normal((G * H, D)), rng.standard_normal((G * H, H)),
               rng.standard_normal(G * H), rng.standard_normal(G * H))
    _, _, cache = F.recurrent_forward(forward, x, state0, *weights)
    expected = F.recurrent_backward(backward, dy, None, cache)
    got = F.recurrent_backward(lambda d, c, w, out=None: backward(d, c, w), dy, None, cache)
    for e, g in zip(expected, got):
        for ea, ga in zip(e if isinstance(e, tuple) else (e,), g if isinstance(g, tuple) else (g,)):
            np.testing.assert_array_equal(ea, ga)


def test_recurrent_cache_states_are_every_step():
    forward = STEPS["lstm"][0]
    rng = np.random.default_rng(5)
    x, h0, c0 = rng.standard_normal((B, 3, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    w_ih, w_hh = rng.standard_normal((4 * H, D)), rng.standard_normal((4 * H, H))
    y, (h, c), cache = F.recurrent_forward(forward, x, (h0, c0), w_ih, w_hh, None, None)
    state = (h0, c0)
    for t in range(3):
        state, _ = forward(x[:, t] @ w_ih.T, state, w_hh, None)
        np.testing.assert_allclose(cache.states[0][:, t + 1], state[0], atol=1e-14)
        np.testing.assert_allclose(cache.states[1][:, t + 1], state[1], atol=1e-14)
        np.testing.assert_allclose(y[:, t], state[0], atol=1e-14)
    np.testing.assert_array_equal(cache.states[1][:, 0], c0)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradients(bias):
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4))
    b = rng.standard_normal(5) if bias else None
    dy = rng.standard_normal((2, 3, 5))
    loss = lambda: float((F.linear_forward(x, w, b)[0] * dy).sum())
    y, cache = F.linear_forward(x, w, b)
    np.testing.assert_allclose(y, x @ w.T + (0 if b is None else b), atol=1e-14)
    dx, dw, db = F.linear_backward(dy, cache)
    arrays, grads = {"x": x, "w": w}, {"x": dx, "w": dw}
    if bias:
        arrays["b"], grads["b"] = b, db
    else:
        assert db is None
    assert_grads(loss, arrays, grads)


def test_embedding_gradients_with_repeated_tokens():
    rng = np.random.default_rng(7)
    weight = rng.standard_normal((6, 3))
    tokens = np.array([[1, 4, 1, 1], [0, 4, 2, 1]])  # 1 four times, 4 twice; 3 and 5 unused
    dv = rng.standard_normal((2, 4, 3))
    loss = lambda: float((F.embedding_forward(tokens, weight)[0] * dv).sum())
    vectors, cache = F.embedding_forward(tokens, weight)
    np.testing.assert_array_equal(vectors[0, 1], weight[4])
    dweight = F.embedding_backward(dv, cache)
    assert_grads(loss, {"weight": weight}, {"weight": dweight})
    np.testing.assert_allclose(dweight[1], dv[0, 0] + dv[0, 2] + dv[0, 3] + dv[1, 3], atol=1e-14)
    assert np.all(dweight[[3, 5]] == 0.0)


@pytest.mark.parametrize("mask_shape", [None, (2, 1, 4)])
def test_dropout_gradients_with_fixed_mask(mask_shape):
    rng = np.random.default_rng(8)
    x, dy = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 4))
    p = 0.4
    loss = lambda: float((F.dropout_forward(x, p, np.random.default_rng(0), mask_shape)[0] * dy).sum())
    y, cache = F.dropout_forward(x, p, np.random.default_rng(0), mask_shape)
    dx = F.dropout_backward(dy, cache)
    assert_grads(loss, {"x": x}, {"x": dx})
    kept = y != 0
    assert 0 < kept.sum() < kept.size
    np.testing.assert_allclose(y[kept], x[kept] / (1 - p), atol=1e-14)  # inverted scaling
    if mask_shape is not None:  # variational: the same units dropped at every step
        assert np.all(kept == kept[:, :1])


def test_dropout_zero_probability_is_identity_and_rate_is_right():
    x = np.ones((200, 50))
    y, cache = F.dropout_forward(x, 0.0, np.random.default_rng(0))
    assert y is x and cache is None and F.dropout_backward(x, cache) is x
    y, _ = F.dropout_forward(x, 0.3, np.random.default_rng(0))
    assert abs((y == 0).mean() - 0.3) < 0.02
    assert abs(y.mean() - 1.0) < 0.03


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("masking", ["none", "mask", "ignore_index", "both"])
def test_softmax_cross_entropy_gradients(reduction, masking):
    rng = np.random.default_rng(9)
    V = 5
    logits = rng.standard_normal((3, 4, V)) * 2
    targets = rng.integers(0, V, size=(3, 4))
    mask = None
    ignore_index = None
    if masking in ("mask", "both"):
        mask = rng.random((3, 4)) > 0.3
    if masking in ("ignore_index", "both"):
        ignore_index = -100
        targets[0, 1] = targets[2, 3] = -100
    d_loss = rng.standard_normal((3, 4)) if reduction == "none" else 1.7

    def loss():
        value, _ = F.softmax_cross_entropy_forward(logits, targets, mask, ignore_index, reduction)
        return float((np.asarray(value) * d_loss).sum())

    value, cache = F.softmax_cross_entropy_forward(logits, targets, mask, ignore_index, reduction)
    d_logits = F.softmax_cross_entropy_backward(d_loss, cache)
    assert_grads(loss, {"logits": logits}, {"logits": d_logits})

    # the value, written out independently
    counted = np.ones((3, 4), bool) if mask is None else mask.copy()
    if ignore_index is not None:
        counted &= targets != ignore_index
    log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    nll = -np.take_along_axis(log_p, np.where(counted, targets, 0)[..., None], -1)[..., 0] * counted
    expected = {"none": nll, "sum": nll.sum(), "mean": nll.sum() / counted.sum()}[reduction]
    np.testing.assert_allclose(value, expected, atol=1e-12)
    assert np.all(d_logits[~counted] == 0.0)


def test_softmax_cross_entropy_is_p_minus_y():
    logits = np.array([[1.0, 2.0, 0.5]])
    _, cache = F.softmax_cross_entropy_forward(logits, np.array([2]), reduction="sum")
    p = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(F.softmax_cross_entropy_backward(1.0, cache), p - [0, 0, 1], atol=1e-15)


@pytest.mark.parametrize("mask_kind", ["none", "bool", "broadcast", "weights"])
def test_mse_gradients(mask_kind):
    rng = np.random.default_rng(10)
    pred, target = rng.standard_normal((3, 4, 2)), rng.standard_normal((3, 4, 2))
    mask = {"none": None, "bool": rng.random((3, 4, 2)) > 0.4,
            "broadcast": (rng.random((3, 4, 1)) > 0.4), "weights": rng.random((3, 4, 2))}[mask_kind]
    loss = lambda: F.mse_forward(pred, target, mask)[0] * 0.8
    value, cache = F.mse_forward(pred, target, mask)
    d_pred = F.mse_backward(0.8, cache)
    assert_grads(loss, {"pred": pred}, {"pred": d_pred})
    w = np.ones_like(pred) if mask is None else np.broadcast_to(mask, pred.shape).astype(float)
    np.testing.assert_allclose(value, (w * (pred - target) ** 2).sum() / w.sum(), atol=1e-13)
