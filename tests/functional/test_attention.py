"""Attention kernels: finite differences in float64, equal to the same equations in PyTorch autograd
(1e-10), and padded source positions get weight 0 and gradient 0."""
import numpy as np
import pytest

from tests.gradient_checks import assert_grads
from unroll.errors import InvalidValueError
from unroll.functional.attention import attention_backward, attention_forward, masked_softmax_forward

B, S, Q, K, A = 3, 5, 4, 6, 7
LENGTHS = np.array([5, 3, 1])


def setup(score, seed=0):
    rng = np.random.default_rng(seed)
    q_size = K if score == "dot" else Q
    query = rng.standard_normal((B, q_size))
    keys = rng.standard_normal((B, S, K))
    mask = np.arange(S)[None, :] < LENGTHS[:, None]
    params = {"additive": {"w_query": rng.standard_normal((A, Q)), "w_keys": rng.standard_normal((A, K)),
                           "b_keys": rng.standard_normal(A), "v": rng.standard_normal(A)},
              "dot": {}, "general": {"weight": rng.standard_normal((Q, K))},
              "concat": {"weight": rng.standard_normal((A, Q + K)), "v": rng.standard_normal(A)}}[score]
    d_context = rng.standard_normal((B, K))
    d_weights = rng.standard_normal((B, S))
    return query, keys, mask, params, d_context, d_weights


SCORES = ["additive", "dot", "general", "concat"]


@pytest.mark.parametrize("score", SCORES)
def test_finite_differences(score):
    query, keys, mask, params, d_context, d_weights = setup(score)

    def loss():
        context, weights, _ = attention_forward(query, keys, mask, score, params)
        return float((context * d_context).sum() + (weights * d_weights).sum())

    context, weights, cache = attention_forward(query, keys, mask, score, params)
    d_query, d_keys, grads = attention_backward(d_context, cache, d_weights)
    arrays = {"query": query, "keys": keys, **params}
    assert_grads(loss, arrays, {"query": d_query, "keys": d_keys, **grads})


def torch_attention(torch, score, query, keys, mask, params):
    """The same equations, written directly in PyTorch."""
    if score == "additive":
        u = torch.tanh((query @ params["w_query"].T)[:, None, :] + keys @ params["w_keys"].T + params["b_keys"])
        e = u @ params["v"]
    elif score == "dot":
        e = torch.einsum("bsk,bk->bs", keys, query)
    elif score == "general":
        e = torch.einsum("bsk,bk->bs", keys, query @ params["weight"])
    else:
        cat = torch.cat([query[:, None, :].expand(-1, keys.shape[1], -1), keys], dim=2)  # (B, S, Q+K)
        e = torch.tanh(cat @ params["weight"].T) @ params["v"]
    alpha = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=1)
    return torch.einsum("bs,bsk->bk", alpha, keys), alpha


@pytest.mark.parametrize("score", SCORES)
def test_equals_pytorch_autograd(score):
    torch = pytest.importorskip("torch")
    query, keys, mask, params, d_context, d_weights = setup(score, seed=1)
    context, weights, cache = attention_forward(query, keys, mask, score, params)
    d_query, d_keys, grads = attention_backward(d_context, cache, d_weights)
    t = {name: torch.tensor(v, requires_grad=True) for name, v in {"query": query, "keys": keys, **params}.items()}
    t_context, t_weights = torch_attention(torch, score, t["query"], t["keys"], torch.tensor(mask),
                                           {k: t[k] for k in params})
    ((t_context * torch.tensor(d_context)).sum() + (t_weights * torch.tensor(d_weights)).sum()).backward()
    np.testing.assert_allclose(context, t_context.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(weights, t_weights.detach().numpy(), rtol=0, atol=1e-10)
    for name, ours in {"query": d_query, "keys": d_keys, **grads}.items():
        np.testing.assert_allclose(ours, t[name].grad.numpy(), rtol=0, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("score", SCORES)
def test_padded_positions_get_weight_and_gradient_zero(score):
    query, keys, mask, params, d_context, d_weights = setup(score, seed=2)
    keys[~mask] = 1e3  # whatever sits in the padding must not matter
    context, weights, cache = attention_forward(query, keys, mask, score, params)
    assert (weights[~mask] == 0).all() and np.allclose(weights.sum(axis=1), 1.0)
    _, d_keys, _ = attention_backward(d_context, cache, d_weights)
    assert (d_keys[~mask] == 0).all() and np.abs(d_keys[mask]).max() > 0
    changed = keys.copy()
    changed[~mask] = -7.0
    context2, weights2, _ = attention_forward(query, changed, mask, score, params)
    np.testing.assert_array_equal(weights, weights2)
    np.testing.assert_allclose(context, context2, atol=1e-12)


def test_errors_name_what_was_expected():
    query, keys, mask, params, *_ = setup("additive")
    with pytest.raises(InvalidValueError, match="score: expected one of"):
        attention_forward(query, keys, mask, "cosine", params)
    with pytest.raises(InvalidValueError, match="missing \\['v'\\]"):
        attention_forward(query, keys, mask, "additive", {k: v for k, v in params.items() if k != "v"})
    with pytest.raises(InvalidValueError, match="at least one valid source position"):
        masked_softmax_forward(np.zeros((2, 3)), np.array([[True, False, False], [False, False, False]]))
