"""Attention over a padded source: scores, a softmax over the valid source positions, the context.

Shapes: B batch, S source positions, Q query size, K key (= value) size, A attention size.
Keys h_j are the encoder's outputs (B, S, K), the query is one decoder state (B, Q).

    additive (Bahdanau):   e_j = v^T tanh(W_q q + U_k h_j + b)       keys_proj = h U_k^T + b, once per batch
    concat (Luong):        e_j = v^T tanh(W_a [q; h_j])              the same equation, W_a = [W_q | U_k], no b
    dot (Luong):           e_j = q^T h_j                              (Q = K)
    general (Luong):       e_j = q^T W_a h_j                          W_a (Q, K)
    alpha = softmax over the valid j (mask), exactly 0 at padded j
    context c = sum_j alpha_j h_j                                     (B, K)

Backward (docs/translation.md derives each line):
    softmax:   de_j = alpha_j (dalpha_j - sum_i alpha_i dalpha_i)     (0 at padded j since alpha_j = 0)
    context:   dalpha_j = dc . h_j        dh_j += alpha_j dc
    additive:  u_j = tanh(...) (B, S, A); dv = sum_j de_j u_j; du_j = de_j v (1 - u_j^2);
               dq = (sum_j du_j) W_q; dW_q = (sum_j du_j)^T q; d keys_proj_j = du_j
    dot:       dq = sum_j de_j h_j        dh_j += de_j q
    general:   with r = q W_a (B, K): dr = sum_j de_j h_j; dq = dr W_a^T; dW_a = q^T dr; dh_j += de_j r

The additive score takes the projected keys, so a decoder projects its keys once per batch and
the projection's weight gradient is one GEMM after the time loop (`linear_backward` on the summed
d keys_proj). `attention_forward/backward` compose the pieces for one query, for tests and users.
"""
from __future__ import annotations

import numpy as np

from ..errors import InvalidValueError
from .linear import linear_backward, linear_forward

__all__ = ["masked_softmax_forward", "masked_softmax_backward", "context_forward", "context_backward",
           "additive_scores_forward", "additive_scores_backward", "dot_scores_forward", "dot_scores_backward",
           "general_scores_forward", "general_scores_backward", "concat_scores_forward", "concat_scores_backward",
           "attention_forward", "attention_backward", "SCORES"]

SCORES = ("additive", "dot", "general", "concat")


# ---------------------------------------------------------------- softmax and context
def masked_softmax_forward(scores: np.ndarray, mask: np.ndarray):
    """scores (B, S), mask (B, S) bool (True: a valid source position; every row needs one).

    Returns (weights (B, S), cache): softmax over the valid positions, exactly 0 elsewhere.
    """
    if not mask.any(axis=1).all():
        raise InvalidValueError("mask: expected at least one valid source position in every row, got an empty row")
    shifted = np.where(mask, scores, -np.inf)  # (B, S)
    shifted = shifted - shifted.max(axis=1, keepdims=True)
    weights = np.exp(shifted)  # exp(-inf) = 0 at padded positions
    weights /= weights.sum(axis=1, keepdims=True)
    return weights, weights


def masked_softmax_backward(d_weights: np.ndarray, cache):
    """d_weights (B, S) -> d_scores (B, S); zero at padded positions."""
    weights = cache
    return weights * (d_weights - (weights * d_weights).sum(axis=1, keepdims=True))


def context_forward(weights: np.ndarray, values: np.ndarray):
    """weights (B, S), values (B, S, K) -> context (B, K) = sum_j weights_j values_j, cache."""
    context = np.einsum("bs,bsk->bk", weights, values)  # (B, K)
    return context, (weights, values)


def context_backward(d_context: np.ndarray, cache):
    """d_context (B, K) -> (d_weights (B, S), d_values (B, S, K))."""
    weights, values = cache
    d_weights = np.einsum("bsk,bk->bs", values, d_context)  # (B, S)
    d_values = weights[:, :, None] * d_context[:, None, :]  # (B, S, K)
    return d_weights, d_values


# ---------------------------------------------------------------- scores
def additive_scores_forward(query: np.ndarray, keys_proj: np.ndarray, w_query: np.ndarray, v: np.ndarray):
    """Bahdanau's e_j = v^T tanh(W_q q + keys_proj_j).

    query (B, Q); keys_proj (B, S, A) = keys U_k^T + b (projected once); w_query (A, Q); v (A,).
    Returns (scores (B, S), cache).
    """
    u = keys_proj + (query @ w_query.T)[:, None, :]  # (B, S, A)
    np.tanh(u, out=u)
    scores = u @ v  # (B, S)
    return scores, (query, w_query, v, u)


def additive_scores_backward(d_scores: np.ndarray, cache):
    """d_scores (B, S) -> (d_query (B, Q), d_keys_proj (B, S, A), d_w_query (A, Q), d_v (A,))."""
    query, w_query, v, u = cache
    d_v = np.einsum("bs,bsa->a", d_scores, u)  # (A,)
    d_pre = d_scores[:, :, None] * v * (1.0 - u * u)  # (B, S, A): through tanh
    d_q_proj = d_pre.sum(axis=1)  # (B, A): W_q q is added at every j
    return d_q_proj @ w_query, d_pre, d_q_proj.T @ query, d_v


def dot_scores_forward(query: np.ndarray, keys: np.ndarray):
    """Luong's dot: e_j = q^T h_j. query (B, K), keys (B, S, K) -> (scores (B, S), cache)."""
    return np.einsum("bsk,bk->bs", keys, query), (query, keys)


def dot_scores_backward(d_scores: np.ndarray, cache):
    """d_scores (B, S) -> (d_query (B, K), d_keys (B, S, K))."""
    query, keys = cache
    return np.einsum("bs,bsk->bk", d_scores, keys), d_scores[:, :, None] * query[:, None, :]


def general_scores_forward(query: np.ndarray, keys: np.ndarray, weight: np.ndarray):
    """Luong's general: e_j = q^T W_a h_j. query (B, Q), keys (B, S, K), weight (Q, K) -> (scores (B, S), cache)."""
    r = query @ weight  # (B, K)
    return np.einsum("bsk,bk->bs", keys, r), (query, keys, weight, r)


def general_scores_backward(d_scores: np.ndarray, cache):
    """d_scores (B, S) -> (d_query (B, Q), d_keys (B, S, K), d_weight (Q, K))."""
    query, keys, weight, r = cache
    d_r = np.einsum("bs,bsk->bk", d_scores, keys)  # (B, K)
    return d_r @ weight.T, d_scores[:, :, None] * r[:, None, :], query.T @ d_r


def concat_scores_forward(query: np.ndarray, keys: np.ndarray, weight: np.ndarray, v: np.ndarray):
    """Luong's concat: e_j = v^T tanh(W_a [q; h_j]). query (B, Q), keys (B, S, K), weight (A, Q + K), v (A,).

    The same equation as the additive score with W_a = [W_q | U_k] and no bias.
    """
    Q = query.shape[1]
    keys_proj, proj_cache = linear_forward(keys, weight[:, Q:], None)  # (B, S, A)
    scores, cache = additive_scores_forward(query, keys_proj, weight[:, :Q], v)
    return scores, (cache, proj_cache)


def concat_scores_backward(d_scores: np.ndarray, cache):
    """d_scores (B, S) -> (d_query (B, Q), d_keys (B, S, K), d_weight (A, Q + K), d_v (A,))."""
    cache, proj_cache = cache
    d_query, d_keys_proj, d_w_query, d_v = additive_scores_backward(d_scores, cache)
    d_keys, d_w_keys, _ = linear_backward(d_keys_proj, proj_cache)
    return d_query, d_keys, np.concatenate([d_w_query, d_w_keys], axis=1), d_v


# ---------------------------------------------------------------- one attention read
_PARAMS = {"additive": ("w_query", "w_keys", "b_keys", "v"), "dot": (), "general": ("weight",),
           "concat": ("weight", "v")}


def attention_forward(query: np.ndarray, keys: np.ndarray, mask: np.ndarray, score: str, params: dict):
    """One attention read: scores, masked softmax, context.

    query (B, Q); keys (B, S, K) (also the values); mask (B, S) bool; score one of SCORES; params:
    additive {w_query (A, Q), w_keys (A, K), b_keys (A,), v (A,)}, general {weight (Q, K)},
    concat {weight (A, Q + K), v (A,)}, dot {}.
    Returns (context (B, K), weights (B, S), cache).
    """
    if score not in _PARAMS:
        raise InvalidValueError(f"score: expected one of {SCORES}, got {score!r}")
    missing = [k for k in _PARAMS[score] if k not in params]
    if missing:
        raise InvalidValueError(f"params: the {score} score needs {list(_PARAMS[score])}, missing {missing}")
    proj_cache = None
    if score == "additive":
        keys_proj, proj_cache = linear_forward(keys, params["w_keys"], params["b_keys"])  # (B, S, A)
        scores, score_cache = additive_scores_forward(query, keys_proj, params["w_query"], params["v"])
    elif score == "dot":
        scores, score_cache = dot_scores_forward(query, keys)
    elif score == "general":
        scores, score_cache = general_scores_forward(query, keys, params["weight"])
    else:
        scores, score_cache = concat_scores_forward(query, keys, params["weight"], params["v"])
    weights, soft_cache = masked_softmax_forward(scores, mask)
    context, context_cache = context_forward(weights, keys)
    return context, weights, (score, proj_cache, score_cache, soft_cache, context_cache)


def attention_backward(d_context: np.ndarray, cache, d_weights: np.ndarray | None = None):
    """d_context (B, K) (and optionally d_weights (B, S), a loss on the weights themselves) ->
    (d_query (B, Q), d_keys (B, S, K), grads: dict of the params' gradients)."""
    score, proj_cache, score_cache, soft_cache, context_cache = cache
    d_w, d_keys = context_backward(d_context, context_cache)
    if d_weights is not None:
        d_w = d_w + d_weights
    d_scores = masked_softmax_backward(d_w, soft_cache)  # (B, S)
    if score == "additive":
        d_query, d_keys_proj, d_w_query, d_v = additive_scores_backward(d_scores, score_cache)
        d_keys_score, d_w_keys, d_b_keys = linear_backward(d_keys_proj, proj_cache)
        grads = {"w_query": d_w_query, "w_keys": d_w_keys, "b_keys": d_b_keys, "v": d_v}
    elif score == "dot":
        d_query, d_keys_score = dot_scores_backward(d_scores, score_cache)
        grads = {}
    elif score == "general":
        d_query, d_keys_score, d_weight = general_scores_backward(d_scores, score_cache)
        grads = {"weight": d_weight}
    else:
        d_query, d_keys_score, d_weight, d_v = concat_scores_backward(d_scores, score_cache)
        grads = {"weight": d_weight, "v": d_v}
    return d_query, d_keys + d_keys_score, grads
