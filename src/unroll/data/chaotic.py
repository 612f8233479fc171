"""Chaotic and nonlinear time series for reservoir computing: Mackey-Glass, Lorenz, NARMA.

- Mackey-Glass (Mackey & Glass 1977), the delay differential equation
      dx/dt = a x(t - tau) / (1 + x(t - tau)^n) - b x(t),
  integrated with classical fourth-order Runge-Kutta at step h from the constant history
  x(t) = x0 for t <= 0. RK4's stages need x(t - tau), x(t + h/2 - tau) and x(t + h - tau); these
  are read from the stored solution by 4-point (cubic) Lagrange interpolation, exact on grid
  points and O(h^4) between them, so tau / h need not be an integer (with tau=17, h=0.1 the
  half-step stage falls midway between grid points). x has a kink at t = 0 (constant history,
  then a slope), so stencils never straddle it: delayed points at t <= 0 take x0 exactly, those
  just after use a stencil on t >= 0 (otherwise the global order drops to 2 from t = tau on).
  Measured (tests/data/test_chaotic.py): 4th order up to t = tau, 3rd order after it (x'' jumps
  at t = tau, a property of the equation); when tau is not a multiple of h a step straddles that
  jump and the order drops to 2, so prefer h dividing tau. The series
  is sampled every `dt` time units (a multiple of h). tau = 17 gives the mildly chaotic regime
  used since Jaeger 2001; tau = 30 a harder one.
- Lorenz (1963): dx/dt = sigma (y - x), dy/dt = x (rho - z) - y, dz/dt = x y - beta z, RK4.
- NARMA (Atiya & Parlos 2000; Jaeger 2003 for order 10): with u(t) ~ U[0, 0.5],
      y(t+1) = 0.3 y(t) + 0.05 y(t) sum_{i<order} y(t-i) + 1.5 u(t-order+1) u(t) + 0.1.
  For orders above 10 it can diverge; diverged sequences are redrawn.
The sine -> square task lives in unroll.data.synthetic (sine_to_square).
"""
from __future__ import annotations

import numpy as np

from .._checks import as_rng, check_dtype
from ..errors import InvalidValueError

__all__ = ["mackey_glass", "lorenz", "narma"]


def _check_steps(n_steps) -> None:
    if not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
        raise InvalidValueError(f"n_steps: expected a positive integer, got {n_steps!r}")


def _lagrange4(frac: float) -> tuple:
    """Weights of the points -1, 0, 1, 2 for cubic interpolation at 0 <= frac < 1."""
    f = frac
    return (-f * (f - 1) * (f - 2) / 6, (f + 1) * (f - 1) * (f - 2) / 2,
            -(f + 1) * f * (f - 2) / 2, (f + 1) * f * (f - 1) / 6)


def mackey_glass(n_steps: int, tau: float = 17.0, a: float = 0.2, b: float = 0.1, n: float = 10.0,
                 x0: float = 1.2, h: float = 0.1, dt: float = 1.0, dtype=np.float64) -> np.ndarray:
    """Mackey-Glass series sampled every `dt`: returns (n_steps, 1), starting at t = dt.

    tau: delay (> 2h). a, b, n: the equation's constants. x0: the constant initial history.
    h: RK4 step; dt: sampling interval, an integer multiple of h.
    """
    _check_steps(n_steps)
    dtype = check_dtype(dtype)
    if not h > 0 or not tau > 2 * h:
        raise InvalidValueError(f"h, tau: expected h > 0 and tau > 2h, got h={h!r}, tau={tau!r}")
    sub = dt / h
    if not dt > 0 or abs(sub - round(sub)) > 1e-9:
        raise InvalidValueError(f"dt: expected a positive multiple of h={h}, got {dt!r}")
    sub = int(round(sub))
    delay = tau / h  # in steps, maybe fractional
    # For each RK4 stage offset s (0, 1/2, 1) the delayed point is at grid position i + s - delay.
    stages = []
    for s in (0.0, 0.5, 1.0):
        pos = s - delay
        base = int(np.floor(pos))
        stages.append((base, pos - base, _lagrange4(pos - base)))
    lag = int(np.ceil(delay)) + 2  # history kept before t = 0
    total = n_steps * sub
    x0 = float(x0)
    x = [x0] * (lag + 1) + [0.0] * total  # x[lag] is t = 0

    def f(xt, xd):
        return a * xd / (1.0 + xd ** n) - b * xt

    def delayed(i, stage):
        base, frac, (w0, w1, w2, w3) = stages[stage]
        j = i + base
        if j - 1 < lag:  # the stencil would straddle the kink of x at t = 0
            if j + frac <= lag:
                return x0  # inside the history
            w0, w1, w2, w3 = _lagrange4(j + frac - lag - 1)  # a stencil on t >= 0 only
            j = lag + 1
        return w0 * x[j - 1] + w1 * x[j] + w2 * x[j + 1] + w3 * x[j + 2]

    for i in range(lag, lag + total):
        xt = x[i]
        d0, d1, d2 = delayed(i, 0), delayed(i, 1), delayed(i, 2)
        k1 = f(xt, d0)
        k2 = f(xt + 0.5 * h * k1, d1)
        k3 = f(xt + 0.5 * h * k2, d1)
        k4 = f(xt + h * k3, d2)
        x[i + 1] = xt + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    out = np.asarray(x[lag + sub::sub], dtype=np.float64)[:n_steps]  # (n_steps,)
    return out.astype(dtype)[:, None]


def lorenz(n_steps: int, sigma: float = 10.0, rho: float = 28.0, beta: float = 8.0 / 3.0,
           x0=(1.0, 1.0, 1.0), h: float = 0.01, dt: float = 0.02, dtype=np.float64) -> np.ndarray:
    """Lorenz system sampled every `dt` (a multiple of the RK4 step h): returns (n_steps, 3)."""
    _check_steps(n_steps)
    dtype = check_dtype(dtype)
    sub = dt / h
    if not h > 0 or not dt > 0 or abs(sub - round(sub)) > 1e-9:
        raise InvalidValueError(f"h, dt: expected h > 0 and dt a positive multiple of h, got h={h!r}, dt={dt!r}")
    if len(x0) != 3:
        raise InvalidValueError(f"x0: expected 3 values (x, y, z), got {len(x0)}")
    sub = int(round(sub))

    def f(x, y, z):
        return sigma * (y - x), x * (rho - z) - y, x * y - beta * z

    x, y, z = (float(v) for v in x0)
    out = np.empty((n_steps, 3))
    for t in range(n_steps):
        for _ in range(sub):
            a1, b1, c1 = f(x, y, z)
            a2, b2, c2 = f(x + 0.5 * h * a1, y + 0.5 * h * b1, z + 0.5 * h * c1)
            a3, b3, c3 = f(x + 0.5 * h * a2, y + 0.5 * h * b2, z + 0.5 * h * c2)
            a4, b4, c4 = f(x + h * a3, y + h * b3, z + h * c3)
            x += h / 6.0 * (a1 + 2 * a2 + 2 * a3 + a4)
            y += h / 6.0 * (b1 + 2 * b2 + 2 * b3 + b4)
            z += h / 6.0 * (c1 + 2 * c2 + 2 * c3 + c4)
        out[t] = x, y, z
    return out.astype(dtype)


def narma(batch: int, T: int, order: int = 10, rng=None, dtype=np.float32):
    """NARMA-`order` system identification: returns u (B, T, 1) in U[0, 0.5] and y (B, T, 1).

    y(t+1) = 0.3 y(t) + 0.05 y(t) sum_{i<order} y(t-i) + 1.5 u(t-order+1) u(t) + 0.1, y = 0 before
    the start; a model sees u up to t and predicts y(t).
    """
    _check_steps(T)
    if not isinstance(batch, (int, np.integer)) or batch < 1 or not isinstance(order, (int, np.integer)) or order < 1:
        raise InvalidValueError(f"batch, order: expected positive integers, got {batch!r}, {order!r}")
    rng, dtype = as_rng(rng), check_dtype(dtype)
    u = rng.uniform(0.0, 0.5, size=(batch, T))  # (B, T)
    y = np.zeros((batch, T))  # (B, T)
    bad = np.ones(batch, dtype=bool)
    while bad.any():
        u[bad] = rng.uniform(0.0, 0.5, size=(bad.sum(), T))
        y[bad] = 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(T - 1):
                window = y[:, max(0, t - order + 1): t + 1].sum(axis=1)  # (B,)
                u_old = u[:, t - order + 1] if t >= order - 1 else 0.0
                y[:, t + 1] = 0.3 * y[:, t] + 0.05 * y[:, t] * window + 1.5 * u_old * u[:, t] + 0.1
        bad = ~np.isfinite(y).all(axis=1) | (np.abs(y).max(axis=1) > 1e3)
    return u[..., None].astype(dtype), y[..., None].astype(dtype)
