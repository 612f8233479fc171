"""Recurrent Jacobians: dstate_t/dstate_{t-1} per step, their products against the lag, and W_hh's spectrum.

The state Jacobian of one step is read off the cell's own backward kernel: a step backward maps a
row vector v = dL/dstate_t to v J_t, so feeding the S unit vectors (S = H, or 2H for the LSTM's
(h, c)) as a batch of S returns the rows of J_t = dstate_t/dstate_{t-1}, (S, S). Then

    dstate_T/dstate_{T-l} = J_T J_{T-1} ... J_{T-l+1}

and its singular values against the lag l show vanishing (all far below 1) or exploding (some
above 1) gradients directly: ||dL/dh_{T-l}|| <= sigma_max(product) ||dL/dh_T||. For a vanilla RNN
J_t = diag(phi'(a_t)) W_hh, so sigma_max(J_t) <= max|phi'| sigma_max(W_hh): a largest singular
value of W_hh below 1 (1/max|phi'|) is sufficient for vanishing, and a spectral radius above 1 is
necessary for exploding (Pascanu et al. 2013).
"""
from __future__ import annotations

import numpy as np

from .gradient_flow import _open, single_layer

__all__ = ["step_jacobians", "jacobian_product_singular_values", "recurrent_spectrum"]


def step_jacobians(model, cache) -> np.ndarray:
    """J[b, t] = dstate_{t+1}/dstate_t for each sequence b and step t = 0..T-1: (B, T, S, S).

    model: one-layer forward RNN/LSTM/GRU/LeakyRNN or `Recurrent`; cache: its forward cache.
    The state is h (S = H), or (h, c) concatenated for the LSTM (S = 2H); row i of J is the
    gradient of state_{t+1}[i]. Same dtype as the model.
    """
    runner, (kc, _) = _open(model, cache)
    _, step_backward = runner.cell.kernels()
    parts = len(kc.states)
    B, T1, H = kc.states[0].shape
    S = parts * H
    eye = np.eye(S, dtype=kc.states[0].dtype)  # (S, S): S unit vectors d state_{t+1}
    seeds = tuple(np.tile(eye[:, p * H:(p + 1) * H], (B, 1)) for p in range(parts))  # each (B*S, H)
    jac = np.empty((B, T1 - 1, S, S), dtype=kc.states[0].dtype)
    for t, step_cache in enumerate(kc.step_caches):
        # every kernel's step cache is a tuple of (B, ...) arrays: S copies of each sequence's rows
        repeated = tuple(np.repeat(a, S, axis=0) for a in step_cache)  # each (B*S, ...)
        _, _, d_prev = step_backward(seeds, repeated, kc.w_hh)  # each (B*S, H)
        jac[:, t] = np.concatenate(d_prev, axis=1).reshape(B, S, S)
    return jac


def jacobian_product_singular_values(model, cache) -> np.ndarray:
    """Singular values of dstate_T/dstate_{T-l} for lags l = 1..T: (B, T, S), float64, descending.

    Entry [b, l-1] belongs to lag l. Products are formed in float64 so that values far below
    float32's range (a vanishing RNN reaches 1e-40 at T = 100) stay measurable.
    """
    jac = step_jacobians(model, cache).astype(np.float64)  # (B, T, S, S)
    B, T, S, _ = jac.shape
    product = np.broadcast_to(np.eye(S), (B, S, S)).copy()  # (B, S, S)
    values = np.empty((B, T, S))
    for lag in range(1, T + 1):
        product = product @ jac[:, T - lag]  # (B, S, S): dstate_T/dstate_{T-lag}
        values[:, lag - 1] = np.linalg.svd(product, compute_uv=False)
    return values


def recurrent_spectrum(model) -> tuple:
    """Spectral radius and largest singular value of each H x H gate block of weight_hh.

    model: as `step_jacobians`. Returns (radius (G,), sigma_max (G,)), float64, gate blocks in
    PyTorch's order (LSTM i, f, g, o; GRU r, z, n; one block for RNN/LeakyRNN).
    """
    runner, _ = single_layer(model)
    w_hh = runner.cell.params["weight_hh"].astype(np.float64)  # (G*H, H)
    H = w_hh.shape[1]
    blocks = w_hh.reshape(-1, H, H)  # (G, H, H)
    radius = np.abs(np.linalg.eigvals(blocks)).max(axis=-1)  # (G,)
    sigma_max = np.linalg.norm(blocks, ord=2, axis=(1, 2))  # (G,)
    return radius, sigma_max
