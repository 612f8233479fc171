"""End-to-end memory network (Sukhbaatar, Szlam, Weston & Fergus 2015), adjacent weight tying,
position encoding (PE) and temporal encoding (TE).

Shapes: B batch, S sentences (memory slots), L words per sentence, V vocabulary, d embedding,
K hops. Stories (B, S, L) and queries (B, L) are word ids with 0 the padding word; a sentence of
only padding is an empty slot, masked out of the attention.

    position encoding (PE, section 4.1), word j = 1..J of a sentence of J words, dimension k = 1..d:
        l_kj = (1 - j / J) - (k / d)(1 - 2 j / J)
    encode:   m_i = sum_j l_j * A x_ij + T_A(i)       c_i = sum_j l_j * C x_ij + T_C(i)     (B, S, d)
    query:    u^1 = sum_j l_j * B q_j                                                        (B, d)
    hop k:    p_i = softmax_i(u^k . m_i) over the non-empty slots,  o = sum_i p_i c_i,  u^{k+1} = u^k + o
    answer:   a = softmax(W u^{K+1})                                                         (B, V)

Adjacent tying (section 2.2): K + 1 embedding matrices E_0..E_K (V, d), hop k reads with
A^k = E_{k-1} and C^k = E_k, the query with B = E_0, and W^T = E_K; the temporal tables
T_0..T_K (S, d) are tied the same way. T(i) is indexed by how recent sentence i is (0 = the last),
as in the paper's reversed order. Parameters: `embedding.{k}.weight`, `temporal.{k}`. Linear
start (LS): with `model.linear_start = True` the hops attend with p = m u (no softmax) until the
trainer switches it off. Not implemented: random noise (empty memories added in training).
Padding words and empty slots get exactly zero gradient (masked products, zero attention).
"""
from __future__ import annotations

import numpy as np

from .._checks import as_rng, check_dtype, check_size
from ..errors import InvalidTypeError, InvalidValueError
from ..nn.module import Module
from .addressing import softmax_backward

__all__ = ["MemN2N", "position_encoding", "bow_encode_forward", "bow_encode_backward",
           "memory_attention_forward", "memory_attention_backward"]


def position_encoding(tokens: np.ndarray, d: int, enabled: bool = True, dtype=np.float64) -> np.ndarray:
    """tokens (..., L) word ids (0 padding) -> l (..., L, d): PE weights, zero on padding words.

    J is the number of real words in each sentence; enabled=False gives the plain bag of words (1s).
    """
    mask = tokens != 0  # (..., L)
    if not enabled:
        return np.broadcast_to(mask[..., None], tokens.shape + (d,)).astype(dtype)
    J = np.maximum(mask.sum(-1, keepdims=True), 1)[..., None]  # (..., 1, 1)
    j = np.cumsum(mask, axis=-1)[..., None]  # (..., L, 1): 1..J over the real words
    k = np.arange(1, d + 1) / d  # (d,)
    l = (1 - j / J) - k * (1 - 2 * j / J)  # (..., L, d)
    return (l * mask[..., None]).astype(dtype)


def bow_encode_forward(tokens: np.ndarray, weight: np.ndarray, pe: np.ndarray):
    """tokens (..., L), weight (V, d), pe (..., L, d) -> sum_j pe_j * weight[tokens_j] (..., d), cache."""
    return (weight[tokens] * pe).sum(-2), (tokens, weight.shape, pe)


def bow_encode_backward(d_out: np.ndarray, cache):
    """d_out (..., d) -> dweight (V, d): row tokens_j gets pe_j * d_out (np.add.at; padding adds 0)."""
    tokens, shape, pe = cache
    dweight = np.zeros(shape, d_out.dtype)
    np.add.at(dweight, tokens.reshape(-1), (pe * d_out[..., None, :]).reshape(-1, shape[1]))
    return dweight


def memory_attention_forward(u: np.ndarray, m: np.ndarray, c: np.ndarray, mask: np.ndarray, linear: bool = False):
    """u (B, d), m, c (B, S, d), mask (B, S) bool (True: a real slot) -> (o (B, d), p (B, S)), cache.

    p = softmax(m u) over the real slots (exactly 0 on empty ones), o = sum_i p_i c_i.
    linear: the paper's linear start, p = (m u) on the real slots, no softmax."""
    z = np.einsum("bsd,bd->bs", m, u)  # (B, S)
    if linear:
        p = z * mask
    else:
        z = np.where(mask, z, -np.inf)
        p = np.exp(z - z.max(-1, keepdims=True))  # (B, S), 0 where masked
        p /= p.sum(-1, keepdims=True)
    return (np.einsum("bs,bsd->bd", p, c), p), (u, m, c, p, mask if linear else None)


def memory_attention_backward(do: np.ndarray, cache):
    """do (B, d) -> (du (B, d), dm (B, S, d), dc (B, S, d)); empty slots get zeros (p = 0 there)."""
    u, m, c, p, linear_mask = cache
    dc = p[:, :, None] * do[:, None, :]  # (B, S, d)
    dp = np.einsum("bsd,bd->bs", c, do)  # (B, S)
    dz = dp * linear_mask if linear_mask is not None else softmax_backward(dp, p)  # (B, S)
    return np.einsum("bs,bsd->bd", dz, m), dz[:, :, None] * u[:, None, :], dc


class MemN2N(Module):
    """forward((stories (B, S, L), queries (B, L))) -> (logits (B, V), None, cache); backward(dlogits,
    None, cache) -> (None, None) (word ids have no gradient), parameter gradients into self.grads."""

    def __init__(self, vocab_size: int, embedding_dim: int = 20, hops: int = 3, max_sentences: int = 20,
                 position_encoding: bool = True, temporal_encoding: bool = True, dtype=np.float32, rng=None):
        super().__init__()
        self.V, self.d = check_size("vocab_size", vocab_size), check_size("embedding_dim", embedding_dim)
        self.K, self.S = check_size("hops", hops), check_size("max_sentences", max_sentences)
        self.pe, self.te = bool(position_encoding), bool(temporal_encoding)
        self.dtype = check_dtype(dtype)
        self.linear_start = False  # True: attention without its softmax (the paper's LS phase)
        rng = as_rng(rng)
        for k in range(self.K + 1):  # the paper: N(0, 0.1) initialisation
            self.add_param(f"embedding.{k}.weight", (0.1 * rng.standard_normal((self.V, self.d))).astype(dtype))
            if self.te:
                self.add_param(f"temporal.{k}", (0.1 * rng.standard_normal((self.S, self.d))).astype(dtype))

    def _check(self, x):
        if not (isinstance(x, tuple) and len(x) == 2):
            raise InvalidTypeError(f"x: expected a tuple (stories (B, S, L), queries (B, L)), got {type(x).__name__}")
        stories, queries = (np.asarray(a) for a in x)
        if stories.ndim != 3 or queries.ndim != 2 or stories.shape[0] != queries.shape[0] \
                or stories.shape[1] > self.S or not np.issubdtype(stories.dtype, np.integer):
            raise InvalidValueError(f"x: expected integer stories (B, S <= {self.S}, L) and queries (B, L), "
                                    f"got {stories.shape} {stories.dtype} and {queries.shape}")
        if stories.size and (stories.min() < 0 or stories.max() >= self.V or queries.max() >= self.V):
            raise InvalidValueError(f"x: expected word ids in [0, {self.V}), got max "
                                    f"{max(stories.max(), queries.max())} min {stories.min()}")
        return stories, queries

    def forward(self, x, state=None, lengths=None):
        stories, queries = self._check(x)
        E = [self.params[f"embedding.{k}.weight"] for k in range(self.K + 1)]
        mask = (stories != 0).any(-1)  # (B, S): real slots
        B, S = mask.shape
        n = mask.sum(-1, keepdims=True)  # (B, 1) sentences per story, left-aligned
        recency = np.clip(n - 1 - np.arange(S), 0, S - 1)  # (B, S): 0 = the most recent sentence
        pe_story = position_encoding(stories, self.d, self.pe, self.dtype)  # (B, S, L, d)
        pe_query = position_encoding(queries, self.d, self.pe, self.dtype)  # (B, L, d)
        u, query_cache = bow_encode_forward(queries, E[0], pe_query)  # (B, d)
        encoded = []  # per table k: (B, S, d) = sum_j l_j E_k x_ij + T_k(recency), encoded once
        encode_caches = []
        for k in range(self.K + 1):
            e, ec = bow_encode_forward(stories, E[k], pe_story)
            if self.te:
                e = e + self.params[f"temporal.{k}"][recency] * mask[:, :, None]
            encoded.append(e)
            encode_caches.append(ec)
        hops = []
        for k in range(1, self.K + 1):
            (o, p), hc = memory_attention_forward(u, encoded[k - 1], encoded[k], mask, self.linear_start)
            hops.append(hc)
            u = u + o
        logits = u @ E[self.K].T  # (B, V)
        cache = (query_cache, encode_caches, hops, u, recency, mask)
        return logits, None, self.make_cache(logits, cache)

    @staticmethod
    def attention(cache) -> np.ndarray:
        """The attention of every hop from a forward's cache: (B, K, S)."""
        return np.stack([hc[3] for hc in cache.data[2]], axis=1)

    def backward(self, dy, d_state, cache):
        query_cache, encode_caches, hops, u, recency, mask = self.open_cache(cache, dy)
        g = self.grads
        g[f"embedding.{self.K}.weight"] += dy.T @ u  # W^T = E_K
        du = dy @ self.params[f"embedding.{self.K}.weight"]  # (B, d)
        d_encoded = [0.0] * (self.K + 1)
        for k in reversed(range(1, self.K + 1)):
            du_prev, dm, dc = memory_attention_backward(du, hops[k - 1])
            du = du + du_prev  # u^{k+1} = u^k + o
            d_encoded[k - 1] = d_encoded[k - 1] + dm
            d_encoded[k] = d_encoded[k] + dc
        for k in range(self.K + 1):
            if isinstance(d_encoded[k], float):
                continue
            g[f"embedding.{k}.weight"] += bow_encode_backward(d_encoded[k], encode_caches[k])
            if self.te:
                np.add.at(g[f"temporal.{k}"], recency[mask], d_encoded[k][mask])  # empty slots: none
        g["embedding.0.weight"] += bow_encode_backward(du, query_cache)
        return None, None
