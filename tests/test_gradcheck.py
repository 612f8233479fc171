"""The public finite-difference checker itself: it must find right gradients right and wrong ones wrong."""
import numpy as np
import pytest

from unroll import gradcheck, numerical_gradient, relative_error


def test_numerical_gradient_at_sampled_indices_only():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    g = numerical_gradient(lambda: float((x ** 3).sum()), x, indices=[1, 4])
    expected = np.zeros_like(x)
    expected.flat[[1, 4]] = 3 * x.flat[[1, 4]] ** 2
    np.testing.assert_allclose(g, expected, rtol=0, atol=1e-6)  # O(eps^2) + rounding of f ~ 300
    np.testing.assert_array_equal(x, np.arange(1.0, 7.0).reshape(2, 3))


def test_numerical_gradient_of_a_known_function_restores_input():
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    before = x.copy()
    g = numerical_gradient(lambda: float((x ** 3).sum()), x)
    np.testing.assert_allclose(g, 3 * before ** 2, rtol=0, atol=1e-8)  # O(eps^2) + rounding
    np.testing.assert_array_equal(x, before)


def test_relative_error():
    a = np.array([1.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(a, a * (1 + 1e-8)) == pytest.approx(0.5e-8, rel=1e-3)
    assert relative_error(a, np.zeros(2)) == 1.0


def test_gradcheck_accepts_right_and_rejects_wrong():
    rng = np.random.default_rng(0)
    w, x = rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    loss = lambda: float(np.tanh(x @ w.T).sum())
    d = 1 - np.tanh(x @ w.T) ** 2  # (4, 3)
    errors = gradcheck(loss, {"w": w, "x": x}, {"w": d.T @ x, "x": d @ w})
    assert set(errors) == {"w", "x"} and max(errors.values()) < 1e-8
    wrong = gradcheck(loss, {"w": w, "x": x}, {"w": d.T @ x * 1.01, "x": (d @ w)[::-1]})
    assert wrong["w"] > 1e-3 and wrong["x"] > 1e-2


def test_gradcheck_refuses_float32_and_wrong_shapes():
    x32 = np.zeros(3, np.float32)
    with pytest.raises(TypeError, match="gradcheck x: expected float64 .*, got float32"):
        gradcheck(lambda: 0.0, {"x": x32}, {"x": x32})
    x = np.zeros(3)
    with pytest.raises(ValueError, match=r"gradcheck x: expected gradient shape \(3,\), got \(1, 3\)"):
        gradcheck(lambda: 0.0, {"x": x}, {"x": np.zeros((1, 3))})
