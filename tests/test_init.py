"""Initialisers: the distributions and structures they promise, with no global random state."""
import numpy as np
import pytest

from unroll import init


def test_uniform_and_pytorch_default():
    a = init.uniform((200, 50), 0.3, rng=0)
    assert a.dtype == np.float32 and a.shape == (200, 50)
    assert np.abs(a).max() <= 0.3 and np.abs(a).max() > 0.29 and abs(a.mean()) < 0.01
    np.testing.assert_array_equal(a, init.uniform((200, 50), 0.3, rng=0))
    assert not np.array_equal(a, init.uniform((200, 50), 0.3, rng=1))
    b = init.pytorch_default((400, 100), 16, rng=np.random.default_rng(2), dtype=np.float64)
    assert b.dtype == np.float64 and 0.24 < np.abs(b).max() <= 0.25


@pytest.mark.parametrize("gates", [1, 3, 4])
def test_orthogonal_blocks_are_orthogonal(gates):
    H = 6
    w = init.orthogonal((gates * H, H), gain=1.5, rng=0, dtype=np.float64)
    assert w.shape == (gates * H, H)
    blocks = [w[k * H:(k + 1) * H] for k in range(gates)]
    for q in blocks:
        np.testing.assert_allclose(q.T @ q, 2.25 * np.eye(H), atol=1e-12)
        np.testing.assert_allclose(q @ q.T, 2.25 * np.eye(H), atol=1e-12)
    if gates > 1:  # independent draws, not one block repeated
        assert not np.allclose(blocks[0], blocks[1])
    np.testing.assert_array_equal(w, init.orthogonal((gates * H, H), gain=1.5, rng=0, dtype=np.float64))


def test_orthogonal_wide_matrix_has_orthonormal_rows():
    w = init.orthogonal((3, 5), rng=1, dtype=np.float64)
    np.testing.assert_allclose(w @ w.T, np.eye(3), atol=1e-12)
    assert init.orthogonal((4, 4), rng=1).dtype == np.float32


def test_identity():
    w = init.identity((12, 4), gain=0.5)
    assert w.dtype == np.float32
    for k in range(3):
        np.testing.assert_array_equal(w[4 * k:4 * (k + 1)], 0.5 * np.eye(4))


def test_forget_gate_bias():
    b = np.zeros(12)
    assert init.forget_gate_bias(b, 2.0) is b
    np.testing.assert_array_equal(b, [0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0])


def test_chrono_bias():
    H, T_max = 50, 20
    b = np.full(4 * H, 7.0)
    assert init.chrono_bias(b, T_max, rng=0) is b
    b_i, b_f, rest = b[:H], b[H:2 * H], b[2 * H:]
    assert np.all(b_f >= 0) and np.all(b_f <= np.log(T_max - 1)) and b_f.std() > 0
    np.testing.assert_array_equal(b_i, -b_f)
    assert np.all(rest == 7.0)  # g and o untouched
    # the forget gate's characteristic time 1 / (1 - sigmoid(b_f)) = 1 + exp(b_f) lies in [2, T_max]
    times = 1 + np.exp(b_f)
    assert times.min() >= 2 - 1e-12 and times.max() <= T_max + 1e-12
