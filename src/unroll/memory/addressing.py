"""Addressing kernels of the Neural Turing Machine (Graves, Wayne & Danihelka 2014, section 3).

Shapes: B batch, N memory locations, M memory width, S shift weights (S = 2k + 1 for shifts
-k..k). A weighting w (B, N) is a distribution over locations. Every op is a pure pair,
`<op>_forward(...) -> (out, cache)` and `<op>_backward(dout, cache) -> gradients of the inputs in
the forward's argument order`; docs/memory.md derives each backward.

    cosine:       K_i = k . M_i / (|k| |M_i| + eps)                                     (B, N)
    content:      w^c_i = softmax_i(beta K_i)                                           (3.5)
    interpolate:  w^g = g w^c + (1 - g) w_{t-1}                                         (3.7)
    shift:        w~_i = sum_j w^g_{(i - shift_j) mod N} s_j                            (3.8)
    sharpen:      w_i = (w~_i + eps)^gamma / sum_n (w~_n + eps)^gamma                   (3.9)
    read:         r = sum_i w_i M_i                                                     (3.1)
    write:        M_t = M_{t-1} * (1 - w e^T) + w a^T                                   (3.2, 3.3)

The eps inside `sharpen` keeps the power and its log finite when a weighting has exact zeros
(a shifted one-hot, the all-zero initial weighting); it is 1e-12 in float64 and well below
float32's resolution of a weighting, so it changes nothing a test can see.
"""
from __future__ import annotations

import numpy as np

__all__ = ["cosine_similarity_forward", "cosine_similarity_backward", "content_address_forward",
           "content_address_backward", "softmax_forward", "softmax_backward", "interpolate_forward",
           "interpolate_backward", "circular_shift_forward", "circular_shift_backward", "sharpen_forward",
           "sharpen_backward", "memory_read_forward", "memory_read_backward", "memory_write_forward",
           "memory_write_backward", "shift_offsets"]

COSINE_EPS = 1e-8
SHARPEN_EPS = 1e-12


def shift_offsets(S: int) -> np.ndarray:
    """The shifts -k..k that S = 2k + 1 shift weights stand for, (S,) ints."""
    k = S // 2
    return np.arange(-k, k + 1)


# ---------------------------------------------------------------- softmax over the last axis
def softmax_forward(z: np.ndarray):
    """z (..., N) -> p (..., N) = softmax(z) over the last axis, cache."""
    p = np.exp(z - z.max(axis=-1, keepdims=True))  # (..., N), shifted for stability
    p /= p.sum(axis=-1, keepdims=True)
    return p, p


def softmax_backward(dp: np.ndarray, p):
    """dp (..., N) -> dz (..., N) = p * (dp - sum(dp * p))."""
    return p * (dp - (dp * p).sum(axis=-1, keepdims=True))


# ---------------------------------------------------------------- cosine similarity
def cosine_similarity_forward(key: np.ndarray, memory: np.ndarray, eps: float = COSINE_EPS):
    """key (B, M), memory (B, N, M) -> K (B, N) = k . M_i / (|k| |M_i| + eps), cache."""
    dots = np.einsum("bm,bnm->bn", key, memory)  # (B, N)
    key_norm = np.sqrt((key * key).sum(-1))  # (B,)
    mem_norm = np.sqrt((memory * memory).sum(-1))  # (B, N)
    denom = key_norm[:, None] * mem_norm + eps  # (B, N)
    return dots / denom, (key, memory, dots, key_norm, mem_norm, denom)


def cosine_similarity_backward(dK: np.ndarray, cache):
    """dK (B, N) -> (dkey (B, M), dmemory (B, N, M)).

    K = dots / denom: d dots = dK / denom, d denom = -dK dots / denom^2; denom = |k| |M_i| + eps,
    d|k| = sum_i d denom_i |M_i|, d|M_i| = d denom_i |k|; d|x|/dx = x / |x| (0 at x = 0).
    """
    key, memory, dots, key_norm, mem_norm, denom = cache
    d_dots = dK / denom  # (B, N)
    d_denom = -d_dots * dots / denom  # (B, N)
    d_key_norm = (d_denom * mem_norm).sum(-1)  # (B,)
    d_mem_norm = d_denom * key_norm[:, None]  # (B, N)
    dkey = np.einsum("bn,bnm->bm", d_dots, memory)  # (B, M)
    dkey += key * (d_key_norm / np.where(key_norm > 0, key_norm, 1.0))[:, None]
    dmemory = d_dots[:, :, None] * key[:, None, :]  # (B, N, M)
    dmemory += memory * (d_mem_norm / np.where(mem_norm > 0, mem_norm, 1.0))[:, :, None]
    return dkey, dmemory


# ---------------------------------------------------------------- content addressing
def content_address_forward(key: np.ndarray, beta: np.ndarray, memory: np.ndarray):
    """key (B, M), beta (B, 1) key strength > 0, memory (B, N, M) -> w^c (B, N), cache.

    w^c = softmax(beta * K(key, memory)).
    """
    K, cos_cache = cosine_similarity_forward(key, memory)
    w, sm_cache = softmax_forward(beta * K)  # (B, N)
    return w, (K, beta, cos_cache, sm_cache)


def content_address_backward(dw: np.ndarray, cache):
    """dw (B, N) -> (dkey (B, M), dbeta (B, 1), dmemory (B, N, M))."""
    K, beta, cos_cache, sm_cache = cache
    dz = softmax_backward(dw, sm_cache)  # (B, N): d(beta K)
    dbeta = (dz * K).sum(-1, keepdims=True)  # (B, 1)
    dkey, dmemory = cosine_similarity_backward(dz * beta, cos_cache)
    return dkey, dbeta, dmemory


# ---------------------------------------------------------------- interpolation
def interpolate_forward(w_content: np.ndarray, w_prev: np.ndarray, gate: np.ndarray):
    """w_content (B, N), w_prev (B, N), gate (B, 1) in [0, 1] -> w^g = g w^c + (1 - g) w_prev (B, N)."""
    return gate * w_content + (1.0 - gate) * w_prev, (w_content, w_prev, gate)


def interpolate_backward(dw: np.ndarray, cache):
    """dw (B, N) -> (dw_content (B, N), dw_prev (B, N), dgate (B, 1))."""
    w_content, w_prev, gate = cache
    return gate * dw, (1.0 - gate) * dw, (dw * (w_content - w_prev)).sum(-1, keepdims=True)


# ---------------------------------------------------------------- circular convolutional shift
def _rolled(w: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """(B, N) -> (B, S, N) with [:, j, i] = w[:, (i - offsets[j]) mod N]."""
    N = w.shape[1]
    index = (np.arange(N)[None, :] - offsets[:, None]) % N  # (S, N)
    return w[:, index]  # (B, S, N)


def circular_shift_forward(w: np.ndarray, shift: np.ndarray):
    """w (B, N), shift (B, S) weights over offsets -k..k -> w~ (B, N), w~_i = sum_j w_{(i - o_j) mod N} s_j."""
    offsets = shift_offsets(shift.shape[1])
    rolled = _rolled(w, offsets)  # (B, S, N)
    return np.einsum("bsn,bs->bn", rolled, shift), (rolled, shift, offsets)


def circular_shift_backward(dw_shifted: np.ndarray, cache):
    """dw~ (B, N) -> (dw (B, N), dshift (B, S)).

    ds_j = sum_i dw~_i w_{(i - o_j) mod N}; dw_n = sum_j s_j dw~_{(n + o_j) mod N} (the roll back).
    """
    rolled, shift, offsets = cache
    dshift = np.einsum("bsn,bn->bs", rolled, dw_shifted)  # (B, S)
    back = _rolled(dw_shifted, -offsets)  # (B, S, N): [:, j, n] = dw~[:, (n + o_j) mod N]
    return np.einsum("bsn,bs->bn", back, shift), dshift


# ---------------------------------------------------------------- sharpening
def sharpen_forward(w: np.ndarray, gamma: np.ndarray, eps: float = SHARPEN_EPS):
    """w (B, N) >= 0, gamma (B, 1) >= 1 -> w_i = (w_i + eps)^gamma / sum_n (w_n + eps)^gamma (B, N)."""
    log_w = np.log(w + eps)  # (B, N)
    z = gamma * log_w
    u = np.exp(z - z.max(-1, keepdims=True))  # (B, N): (w + eps)^gamma up to a common factor
    out = u / u.sum(-1, keepdims=True)
    return out, (out, log_w, gamma, w + eps)


def sharpen_backward(dout: np.ndarray, cache):
    """dout (B, N) -> (dw (B, N), dgamma (B, 1)).

    out = softmax(gamma log(w + eps)): dz = out (dout - sum(dout out)); dw = dz gamma / (w + eps),
    dgamma = sum dz log(w + eps).
    """
    out, log_w, gamma, w_eps = cache
    dz = softmax_backward(dout, out)  # (B, N)
    return dz * gamma / w_eps, (dz * log_w).sum(-1, keepdims=True)


# ---------------------------------------------------------------- read and write
def memory_read_forward(w: np.ndarray, memory: np.ndarray):
    """w (B, N), memory (B, N, M) -> r (B, M) = sum_i w_i M_i, cache."""
    return np.einsum("bn,bnm->bm", w, memory), (w, memory)


def memory_read_backward(dr: np.ndarray, cache):
    """dr (B, M) -> (dw (B, N) = M dr, dmemory (B, N, M) = w dr^T)."""
    w, memory = cache
    return np.einsum("bnm,bm->bn", memory, dr), w[:, :, None] * dr[:, None, :]


def memory_write_forward(memory: np.ndarray, w: np.ndarray, erase: np.ndarray, add: np.ndarray):
    """memory (B, N, M), w (B, N), erase (B, M) in [0, 1], add (B, M) -> M_t (B, N, M), cache.

    M_t = M_{t-1} * (1 - w e^T) + w a^T.
    """
    keep = 1.0 - w[:, :, None] * erase[:, None, :]  # (B, N, M)
    return memory * keep + w[:, :, None] * add[:, None, :], (memory, w, erase, add, keep)


def memory_write_backward(dmemory_new: np.ndarray, cache):
    """dM_t (B, N, M) -> (dM_{t-1} (B, N, M), dw (B, N), derase (B, M), dadd (B, M)).

    dM_{t-1} = dM_t * keep; d keep = dM_t * M_{t-1}, and keep = 1 - w e^T gives
    dw = -sum_m dkeep e + sum_m dM_t a, de = -sum_n dkeep w, da = sum_n dM_t w.
    """
    memory, w, erase, add, keep = cache
    d_keep = dmemory_new * memory  # (B, N, M)
    dw = np.einsum("bnm,bm->bn", dmemory_new, add) - np.einsum("bnm,bm->bn", d_keep, erase)
    derase = -np.einsum("bnm,bn->bm", d_keep, w)
    dadd = np.einsum("bnm,bn->bm", dmemory_new, w)
    return dmemory_new * keep, dw, derase, dadd
