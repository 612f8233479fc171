"""The inner loops that cannot be vectorised over units, each twice: a NumPy reference and a
Numba kernel of the same equations, held equal by tests/classic/test_kernels.py.

- `hopfield_sweep_*`: one asynchronous sweep of a Hopfield network, every probe in its own
  random order, s_i <- sign(sum_j w_ij s_j) (a zero field keeps s_i);
- `gibbs_sweeps_*`: sequential Gibbs sweeps of a Boltzmann machine over the free units,
  s_i <- [u < sigmoid((sum_j w_ij s_j + b_i) / T)] with uniforms u drawn by the caller;
- `som_online_*`: Kohonen's online rule over a given sequence of samples;
- `competitive_online_*`: winner-take-all with leaky learning and DeSieno's conscience.

All random numbers are drawn by the callers from their `rng` and passed in, so both paths see
the same draws and nothing uses Numba's global random state.
"""
from __future__ import annotations

import numpy as np
from numba import njit

# -- Hopfield ------------------------------------------------------------------------------------


def hopfield_sweep_numpy(W, S, H, order):
    """One asynchronous sweep, in place. W (N, N) symmetric, zero diagonal; S (B, N) states in
    {-1, +1}; H (B, N) local fields S @ W (kept up to date); order (B, N) unit order per probe.
    Returns (B,) the number of units that flipped."""
    B = S.shape[0]
    rows = np.arange(B)
    flips = np.zeros(B, np.int64)
    for k in range(order.shape[1]):
        i = order[:, k]                                   # (B,) the unit each probe updates now
        h, s = H[rows, i], S[rows, i]                     # (B,)
        new = np.where(h > 0, 1.0, np.where(h < 0, -1.0, s))
        changed = new != s
        if changed.any():
            b = rows[changed]
            # the field of every unit j moves by w_ji (s_new - s_old) = 2 s_new w_ij
            H[b] += (2.0 * new[changed])[:, None] * W[i[changed]]  # (b, N)
            S[b, i[changed]] = new[changed]
            flips += changed
    return flips


@njit(cache=True)
def hopfield_sweep_numba(W, S, H, order):
    B, N = S.shape
    flips = np.zeros(B, np.int64)
    for b in range(B):
        for k in range(N):
            i = order[b, k]
            h = H[b, i]
            s = S[b, i]
            new = 1.0 if h > 0 else (-1.0 if h < 0 else s)
            if new != s:
                step = 2.0 * new
                for j in range(N):
                    H[b, j] += step * W[i, j]
                S[b, i] = new
                flips[b] += 1
    return flips


# -- Boltzmann machine ---------------------------------------------------------------------------


def gibbs_sweeps_numpy(W, b, S, free, temperatures, U):
    """Sequential Gibbs sweeps, in place. W (N, N) symmetric, zero diagonal; b (N,); S (B, N)
    states in {0, 1}; free (F,) indices of the units that are sampled, in sweep order;
    temperatures (K,) one per sweep; U (K, F, B) uniforms."""
    for k in range(temperatures.shape[0]):
        for f in range(free.shape[0]):
            i = free[f]
            field = S @ W[i] + b[i]                        # (B,)
            p = 1.0 / (1.0 + np.exp(-field / temperatures[k]))
            S[:, i] = (U[k, f] < p).astype(S.dtype)


@njit(cache=True)
def gibbs_sweeps_numba(W, b, S, free, temperatures, U):
    B, N = S.shape
    for k in range(temperatures.shape[0]):
        for f in range(free.shape[0]):
            i = free[f]
            for r in range(B):
                field = b[i]
                for j in range(N):
                    field += W[i, j] * S[r, j]
                p = 1.0 / (1.0 + np.exp(-field / temperatures[k]))
                S[r, i] = 1.0 if U[k, f, r] < p else 0.0


# -- Kohonen SOM ---------------------------------------------------------------------------------


def som_online_numpy(W, X, index, coords, grid, lr, sigma, bubble):
    """Kohonen's online rule, in place: for t, x = X[index[t]], c = argmin_k ||x - w_k||,
    w_k += lr[t] h_ck(sigma[t]) (x - w_k). W (K, D); coords (K, 2) unit positions on the plane;
    grid (K, 2) integer grid indices; lr, sigma (T,); bubble: h = [|grid_k - grid_c|_inf < sigma]
    on a rectangular grid, [||coords_k - coords_c|| < sigma] on a hexagonal one (bubble == 2),
    else Gaussian h = exp(-||coords_k - coords_c||^2 / (2 sigma^2))."""
    for t in range(index.shape[0]):
        x = X[index[t]]                                   # (D,)
        diff = x - W                                       # (K, D)
        c = np.argmin(np.einsum("kd,kd->k", diff, diff))
        h = _neighbourhood_numpy(c, coords, grid, sigma[t], bubble)  # (K,)
        W += (lr[t] * h)[:, None] * diff


def _neighbourhood_numpy(c, coords, grid, sigma, bubble):
    if bubble == 1:
        return (np.abs(grid - grid[c]).max(axis=1) < sigma).astype(np.float64)
    d2 = ((coords - coords[c]) ** 2).sum(axis=1)
    if bubble == 2:
        return (d2 < sigma * sigma).astype(np.float64)
    return np.exp(-d2 / (2.0 * sigma * sigma))


@njit(cache=True)
def _squared_distance(X, n, W, k):
    """||X[n] - W[k]||^2, the winner search of the SOM and of competitive learning."""
    d = 0.0
    for j in range(X.shape[1]):
        e = X[n, j] - W[k, j]
        d += e * e
    return d


@njit(cache=True)
def som_online_numba(W, X, index, coords, grid, lr, sigma, bubble):
    K, D = W.shape
    for t in range(index.shape[0]):
        n = index[t]
        best, c = np.inf, 0
        for k in range(K):
            d = _squared_distance(X, n, W, k)
            if d < best:
                best, c = d, k
        s = sigma[t]
        for k in range(K):
            if bubble == 1:
                inside = abs(grid[k, 0] - grid[c, 0]) < s and abs(grid[k, 1] - grid[c, 1]) < s
                h = 1.0 if inside else 0.0
            else:
                d2 = (coords[k, 0] - coords[c, 0]) ** 2 + (coords[k, 1] - coords[c, 1]) ** 2
                if bubble == 2:
                    h = 1.0 if d2 < s * s else 0.0
                else:
                    h = np.exp(-d2 / (2.0 * s * s))
            g = lr[t] * h
            if g != 0.0:
                for j in range(D):
                    W[k, j] += g * (X[n, j] - W[k, j])


# -- competitive learning ------------------------------------------------------------------------


def competitive_online_numpy(W, p, X, index, lr, leak, conscience, beta):
    """Winner-take-all, in place. W (K, D) prototypes; p (K,) win frequencies; for t,
    x = X[index[t]]: the winner c = argmin_k ||x - w_k||^2 - C (1/K - p_k) (DeSieno's bias;
    C = conscience, 0 for the plain rule); w_c += lr (x - w_c); every loser moves by
    leak * lr (x - w_k) (leaky learning; 0 for the plain rule); p += beta ([k == c] - p).
    Returns (K,) the number of wins of each unit."""
    K = W.shape[0]
    wins = np.zeros(K, np.int64)
    for t in range(index.shape[0]):
        x = X[index[t]]
        diff = x - W                                       # (K, D)
        score = np.einsum("kd,kd->k", diff, diff) - conscience * (1.0 / K - p)
        c = np.argmin(score)
        rate = np.full(K, leak * lr)
        rate[c] = lr
        W += rate[:, None] * diff
        p *= 1.0 - beta
        p[c] += beta
        wins[c] += 1
    return wins


@njit(cache=True)
def competitive_online_numba(W, p, X, index, lr, leak, conscience, beta):
    K, D = W.shape
    wins = np.zeros(K, np.int64)
    for t in range(index.shape[0]):
        n = index[t]
        best, c = np.inf, 0
        for k in range(K):
            d = _squared_distance(X, n, W, k) - conscience * (1.0 / K - p[k])
            if d < best:
                best, c = d, k
        for k in range(K):
            rate = lr if k == c else leak * lr
            if rate != 0.0:
                for j in range(D):
                    W[k, j] += rate * (X[n, j] - W[k, j])
            p[k] *= 1.0 - beta
        p[c] += beta
        wins[c] += 1
    return wins


# -- restricted Boltzmann machine ----------------------------------------------------------------


def rbm_epoch_numpy(X, batches, W, b, c, chains, Uh0, Uv, Uh, lr, persistent):
    """One epoch of CD-k / PCD, in place. X (B, D); batches (n_batches, bs) row indices, -1 padded
    (a batch is its non-negative entries); W (H, D), b (D,), c (H,); chains (bs, H) persistent
    hidden samples; Uh0 (n_batches, bs, H) uniforms for CD's first hidden sample; Uv
    (n_batches, k, bs, D), Uh (n_batches, k, bs, H) uniforms of the k Gibbs steps; lr the
    learning rate (divided by each batch's size here)."""
    for j in range(batches.shape[0]):
        rows = batches[j][batches[j] >= 0]
        n = rows.shape[0]
        V_pos = X[rows]                                     # (n, D)
        H_pos = 1.0 / (1.0 + np.exp(-(V_pos @ W.T + c)))    # (n, H)
        m = chains.shape[0] if persistent else n
        h = chains if persistent else (Uh0[j, :n] < H_pos).astype(W.dtype)
        for s in range(Uv.shape[1]):
            V_neg = (Uv[j, s, :m] < 1.0 / (1.0 + np.exp(-(h @ W + b)))).astype(W.dtype)  # (m, D)
            H_neg = 1.0 / (1.0 + np.exp(-(V_neg @ W.T + c)))  # (m, H)
            h = (Uh[j, s, :m] < H_neg).astype(W.dtype)
        if persistent:
            chains[:] = h
        step = W.dtype.type(lr / n)
        W += step * (H_pos.T @ V_pos - H_neg.T @ V_neg)
        c += step * (H_pos.sum(0) - H_neg.sum(0))
        b += step * (V_pos.sum(0) - V_neg.sum(0))


@njit(cache=True)
def _sigmoid_inplace(A):
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            A[i, j] = 1.0 / (1.0 + np.exp(-A[i, j]))


@njit(cache=True)
def rbm_epoch_numba(X, batches, W, b, c, chains, Uh0, Uv, Uh, lr, persistent):
    H, D = W.shape
    WT = np.ascontiguousarray(W.T)
    for j in range(batches.shape[0]):
        n = 0
        for r in range(batches.shape[1]):
            if batches[j, r] >= 0:
                n += 1
        V_pos = np.empty((n, D), W.dtype)
        for r in range(n):
            V_pos[r] = X[batches[j, r]]
        H_pos = np.dot(V_pos, WT)
        for r in range(n):
            H_pos[r] += c
        _sigmoid_inplace(H_pos)
        m = chains.shape[0] if persistent else n
        h = np.empty((m, H), W.dtype)
        if persistent:
            h[:] = chains
        else:
            for r in range(n):
                for q in range(H):
                    h[r, q] = 1.0 if Uh0[j, r, q] < H_pos[r, q] else 0.0
        V_neg = np.empty((m, D), W.dtype)
        H_neg = np.empty((m, H), W.dtype)
        for s in range(Uv.shape[1]):
            PV = np.dot(h, W)
            for r in range(m):
                for i in range(D):
                    p = 1.0 / (1.0 + np.exp(-(PV[r, i] + b[i])))
                    V_neg[r, i] = 1.0 if Uv[j, s, r, i] < p else 0.0
            H_neg = np.dot(V_neg, WT)
            for r in range(m):
                H_neg[r] += c
            _sigmoid_inplace(H_neg)
            for r in range(m):
                for q in range(H):
                    h[r, q] = 1.0 if Uh[j, s, r, q] < H_neg[r, q] else 0.0
        if persistent:
            chains[:] = h
        step = lr / n
        G = np.dot(H_pos.T, V_pos) - np.dot(H_neg.T, V_neg)   # (H, D)
        for q in range(H):
            for i in range(D):
                W[q, i] += step * G[q, i]
                WT[i, q] = W[q, i]
            dc = 0.0
            for r in range(n):
                dc += H_pos[r, q]
            for r in range(m):
                dc -= H_neg[r, q]
            c[q] += step * dc
        for i in range(D):
            db = 0.0
            for r in range(n):
                db += V_pos[r, i]
            for r in range(m):
                db -= V_neg[r, i]
            b[i] += step * db
