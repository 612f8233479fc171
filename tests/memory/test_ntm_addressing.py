"""Every NTM kernel pair by central differences in float64, and the properties the paper states."""
import numpy as np
import pytest
from gradient_checks import assert_grads

from unroll.memory import addressing as A
from unroll.memory.heads import HeadParams, address_backward, address_forward, head_activations_backward, \
    head_activations_forward, head_size

B, N, M, S = 3, 7, 4, 3


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def weighting(rng, shape=(B, N)):
    w = rng.random(shape) + 0.1
    return w / w.sum(-1, keepdims=True)


def check_pair(forward, backward, inputs: dict, rng, allow_zero=()):
    """L = sum(out * G) for a fixed random G; backward(G) must be dL/d(each input)."""
    out, cache = forward(*inputs.values())
    G = rng.standard_normal(out.shape)
    grads = backward(G, cache)
    grads = dict(zip(inputs, grads if isinstance(grads, tuple) else (grads,)))
    assert_grads(lambda: float((forward(*inputs.values())[0] * G).sum()), inputs, grads, allow_zero)


def test_softmax(rng):
    check_pair(A.softmax_forward, A.softmax_backward, {"z": rng.standard_normal((B, N))}, rng)


def test_cosine_similarity(rng):
    key, memory = rng.standard_normal((B, M)), rng.standard_normal((B, N, M))
    check_pair(A.cosine_similarity_forward, A.cosine_similarity_backward, {"key": key, "memory": memory}, rng)
    K, _ = A.cosine_similarity_forward(key, memory)
    assert np.abs(K).max() <= 1.0
    K2, _ = A.cosine_similarity_forward(key, memory * 3.0)  # scale invariant
    np.testing.assert_allclose(K, K2, atol=1e-7)


def test_content_address(rng):
    inputs = {"key": rng.standard_normal((B, M)), "beta": rng.random((B, 1)) * 3 + 0.5,
              "memory": rng.standard_normal((B, N, M))}
    check_pair(A.content_address_forward, A.content_address_backward, inputs, rng)
    # a large key strength focuses on the most similar row
    memory = inputs["memory"]
    w, _ = A.content_address_forward(memory[:, 2].copy(), np.full((B, 1), 200.0), memory)
    assert (w.argmax(-1) == 2).all() and (w[:, 2] > 0.99).all()


def test_interpolate(rng):
    inputs = {"w_content": weighting(rng), "w_prev": weighting(rng), "gate": rng.random((B, 1))}
    check_pair(A.interpolate_forward, A.interpolate_backward, inputs, rng)


@pytest.mark.parametrize("S_", [1, 3, 5])
def test_circular_shift(rng, S_):
    inputs = {"w": weighting(rng), "shift": weighting(rng, (B, S_))}
    check_pair(A.circular_shift_forward, A.circular_shift_backward, inputs, rng)


def test_circular_shift_rotates():
    w = np.zeros((1, N))
    w[0, N - 1] = 1.0
    out, _ = A.circular_shift_forward(w, np.array([[0.0, 0.0, 1.0]]))  # all weight on +1: wraps to 0
    np.testing.assert_array_equal(out[0], np.eye(N)[0])


def test_sharpen(rng):
    inputs = {"w": weighting(rng), "gamma": 1.0 + 2 * rng.random((B, 1))}
    check_pair(A.sharpen_forward, A.sharpen_backward, inputs, rng)
    out, _ = A.sharpen_forward(inputs["w"], np.full((B, 1), 500.0))
    assert (out.max(-1) > 0.99).all()


def test_read_and_write(rng):
    check_pair(A.memory_read_forward, A.memory_read_backward,
               {"w": weighting(rng), "memory": rng.standard_normal((B, N, M))}, rng)
    check_pair(A.memory_write_forward, A.memory_write_backward,
               {"memory": rng.standard_normal((B, N, M)), "w": weighting(rng), "erase": rng.random((B, M)),
                "add": rng.standard_normal((B, M))}, rng)


def test_write_then_read_recovers_the_added_vector(rng):
    memory = rng.standard_normal((1, N, M))
    w = np.eye(N)[[3]]
    add = rng.standard_normal((1, M))
    new, _ = A.memory_write_forward(memory, w, np.ones((1, M)), add)  # full erase, then add
    np.testing.assert_allclose(A.memory_read_forward(w, new)[0], add)
    np.testing.assert_array_equal(np.delete(new, 3, 1), np.delete(memory, 3, 1))  # the rest untouched


@pytest.mark.parametrize("write", [False, True])
def test_head_activations(rng, write):
    P = head_size(M, S, write)
    raw = rng.standard_normal((B, P))
    params, cache = head_activations_forward(raw, M, S, write)
    assert (params.beta > 0).all() and (params.gamma >= 1).all() and np.allclose(params.shift.sum(-1), 1)
    Gs = [None if p is None else rng.standard_normal(p.shape) for p in params]

    def loss():
        out = head_activations_forward(raw, M, S, write)[0]
        return float(sum((p * g).sum() for p, g in zip(out, Gs) if g is not None))
    draw = head_activations_backward(HeadParams(*Gs), cache)
    assert_grads(loss, {"raw": raw}, {"raw": draw})


def test_address_chain(rng):
    """content -> interpolate -> shift -> sharpen as one pair, on every input."""
    arrays = {"key": rng.standard_normal((B, M)), "beta": rng.random((B, 1)) * 2 + 0.5,
              "gate": rng.random((B, 1)), "shift": weighting(rng, (B, S)), "gamma": 1 + rng.random((B, 1)),
              "w_prev": weighting(rng), "memory": rng.standard_normal((B, N, M))}
    hp = lambda: HeadParams(arrays["key"], arrays["beta"], arrays["gate"], arrays["shift"], arrays["gamma"])  # noqa: E731
    w, cache = address_forward(hp(), arrays["w_prev"], arrays["memory"])
    np.testing.assert_allclose(w.sum(-1), 1.0)
    G = rng.standard_normal(w.shape)
    dhp, dw_prev, dmemory = address_backward(G, cache)
    grads = {**dhp._asdict(), "w_prev": dw_prev, "memory": dmemory}
    assert_grads(lambda: float((address_forward(hp(), arrays["w_prev"], arrays["memory"])[0] * G).sum()),
                 arrays, {k: grads[k] for k in arrays})
