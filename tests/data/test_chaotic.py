"""Chaotic series: RK4 order of the Mackey-Glass integrator with its interpolated delay, Lorenz
against SciPy's adaptive solver, NARMA against its recurrence."""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from unroll.data.chaotic import lorenz, mackey_glass, narma


def test_mackey_glass_integrator_order():
    # Against a fine-step solution: 4th order before t = tau (error / 16 when h halves), then 3rd
    # (x'' jumps at t = tau); the midway delayed stages use the cubic interpolation throughout.
    fine = mackey_glass(60, h=0.00625)
    early = [np.abs(mackey_glass(16, h=h) - fine[:16]).max() for h in (0.1, 0.05)]
    late = [np.abs(mackey_glass(60, h=h) - fine).max() for h in (0.1, 0.05)]
    assert early[0] < 1e-10 and 13 < early[0] / early[1] < 19
    assert late[0] < 1e-6 and 6.5 < late[0] / late[1] < 10


def test_mackey_glass_delay_off_the_grid_converges():
    fine = mackey_glass(60, tau=17.05, h=0.00625)
    assert np.abs(mackey_glass(60, tau=17.05, h=0.05) - fine).max() < 1e-8


def test_mackey_glass_first_steps_follow_the_constant_history():
    # For t <= tau the delayed term is x0: dx/dt = a x0 / (1 + x0^n) - b x, solved exactly.
    a, b, n, x0 = 0.2, 0.1, 10, 1.2
    c = a * x0 / (1 + x0 ** n) / b
    t = np.arange(1, 11)
    exact = c + (x0 - c) * np.exp(-b * t)
    np.testing.assert_allclose(mackey_glass(10)[:, 0], exact, atol=1e-9)


def test_mackey_glass_tau17_attractor_range_and_sampling():
    x = mackey_glass(3000)
    assert x.shape == (3000, 1) and 0.35 < x.min() < 0.5 and 1.25 < x.max() < 1.4
    coarse = mackey_glass(100, dt=2.0)
    np.testing.assert_allclose(coarse[:, 0], mackey_glass(200)[1::2, 0], atol=1e-12)


def test_lorenz_matches_an_adaptive_solver_at_fourth_order():
    ref = solve_ivp(lambda t, v: [10 * (v[1] - v[0]), v[0] * (28 - v[2]) - v[1], v[0] * v[1] - 8 / 3 * v[2]],
                    (0, 1.0), [1.0, 1.0, 1.0], t_eval=np.arange(1, 101) * 0.01, rtol=1e-13, atol=1e-13,
                    method="DOP853")
    err = [np.abs(lorenz(100, h=h, dt=0.01) - ref.y.T).max() for h in (0.005, 0.0025)]
    assert err[1] < 1e-5 and 13 < err[0] / err[1] < 19


def test_narma10_follows_its_recurrence():
    u, y = narma(2, 300, rng=0)
    assert u.shape == y.shape == (2, 300, 1) and 0 <= u.min() and u.max() <= 0.5
    uu, yy = u[1, :, 0].astype(np.float64), np.zeros(300)
    for t in range(299):
        window = yy[max(0, t - 9): t + 1].sum()
        yy[t + 1] = 0.3 * yy[t] + 0.05 * yy[t] * window + 1.5 * (uu[t - 9] if t >= 9 else 0.0) * uu[t] + 0.1
    np.testing.assert_allclose(y[1, :, 0], yy, rtol=1e-5)
    assert np.array_equal(narma(2, 300, rng=0)[1], y)


@pytest.mark.parametrize("call, match", [
    (lambda: mackey_glass(0), "n_steps"), (lambda: mackey_glass(10, tau=0.1), "tau"),
    (lambda: mackey_glass(10, dt=0.15), "dt"), (lambda: lorenz(10, x0=(1.0, 2.0)), "x0"),
    (lambda: narma(0, 10), "batch"), (lambda: mackey_glass(10, dtype=np.int32), "float"),
])
def test_generator_validation(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
