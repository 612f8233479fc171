"""MemN2N: each kernel and the whole model by finite differences (float64); padding words and empty
memory slots get exactly zero gradient; the generated bAbI tasks; a short run beats chance."""
import numpy as np
import pytest
from gradient_checks import assert_grads

from unroll import functional as F
from unroll.data.babi import VOCAB, WORD_ID, babi_task
from unroll.memory.memn2n import (MemN2N, bow_encode_backward, bow_encode_forward, memory_attention_backward,
                                  memory_attention_forward, position_encoding)
from unroll.optim import Adam


def test_position_encoding_formula():
    tokens = np.array([[3, 5, 7, 0]])
    l = position_encoding(tokens, d=4)
    J, d = 3, 4
    for j in range(1, J + 1):
        for k in range(1, d + 1):
            assert np.isclose(l[0, j - 1, k - 1], (1 - j / J) - (k / d) * (1 - 2 * j / J))
    assert np.all(l[0, 3] == 0)


def test_bow_encode_gradient_and_padding():
    rng = np.random.default_rng(0)
    tokens = np.array([[[1, 2, 0], [3, 0, 0]], [[2, 2, 4], [0, 0, 0]]])
    weight = rng.standard_normal((6, 3))
    pe = position_encoding(tokens, 3)
    G = rng.standard_normal((2, 2, 3))
    out, cache = bow_encode_forward(tokens, weight, pe)
    dw = bow_encode_backward(G, cache)
    assert_grads(lambda: float((bow_encode_forward(tokens, weight, pe)[0] * G).sum()), {"w": weight}, {"w": dw},
                 allow_zero=())
    assert np.all(dw[0] == 0) and np.all(dw[5] == 0)  # the padding word, an unused word


@pytest.mark.parametrize("linear", [False, True])
def test_memory_attention_gradient_and_empty_slots(linear):
    rng = np.random.default_rng(1)
    u, m, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4, 3))
    mask = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool)
    G = rng.standard_normal((2, 3))
    (o, p), cache = memory_attention_forward(u, m, c, mask, linear)
    assert np.all(p[~mask] == 0) and (linear or np.allclose(p.sum(-1), 1))
    du, dm, dc = memory_attention_backward(G, cache)
    loss = lambda: float((memory_attention_forward(u, m, c, mask, linear)[0][0] * G).sum())  # noqa: E731
    assert_grads(loss, {"u": u, "m": m, "c": c}, {"u": du, "m": dm, "c": dc})
    assert np.all(dm[~mask] == 0) and np.all(dc[~mask] == 0)


@pytest.mark.parametrize("pe,te", [(True, True), (False, False)])
def test_memn2n_gradients(pe, te):
    data = babi_task(1, "train", 3, seed=0, max_sentences=6)
    model = MemN2N(len(VOCAB), 4, hops=3, max_sentences=6, position_encoding=pe, temporal_encoding=te,
                   dtype=np.float64, rng=0)
    G = np.random.default_rng(2).standard_normal((3, len(VOCAB)))
    x = (data.stories, data.queries)
    logits, _, cache = model.forward(x)
    model.backward(G, None, cache)
    assert np.all(model.grads["embedding.1.weight"][0] == 0)  # the padding word
    if te:
        n = (data.stories != 0).any(-1).sum(-1).max()
        assert np.all(model.grads["temporal.0"][n:] == 0)  # slots no story reached
    assert_grads(lambda: float((model.forward(x)[0] * G).sum()), dict(model.params), dict(model.grads),
                 allow_zero=[k for k in model.params if k.startswith("temporal")])


def test_babi_generator_is_deterministic_and_answers_are_right():
    a, b = babi_task(1, "train", 50, seed=3), babi_task(1, "train", 50, seed=3)
    assert np.array_equal(a.stories, b.stories) and not np.array_equal(a.stories, babi_task(1, "test", 50, 3).stories)
    for context, question, answer in a.text:  # task 1: the actor's last move
        actor = question[-1]
        assert [s[-1] for s in context if s[0] == actor][-1] == answer
    t2 = babi_task(2, "train", 50, seed=0)
    assert all(q[:3] == ["where", "is", "the"] for _, q, _ in t2.text)
    assert VOCAB[0] == "<pad>" and WORD_ID["bathroom"] > 0


def test_memn2n_learns_task1_above_chance():
    train, test = babi_task(1, "train", 600, seed=0), babi_task(1, "test", 300, seed=0)
    model = MemN2N(len(VOCAB), 20, hops=3, max_sentences=20, rng=0)
    opt = Adam(model.params, lr=1e-2)
    rng = np.random.default_rng(0)
    for epoch in range(8):
        for s, q, a in train.batches(32, rng):
            logits, _, cache = model.forward((s, q))
            _, ce = F.softmax_cross_entropy_forward(logits, a)
            model.backward(F.softmax_cross_entropy_backward(1.0, ce).astype(np.float32), None, cache)
            opt.step(model.grads)
            model.zero_grad()
    acc = np.mean(model.forward((test.stories, test.queries))[0].argmax(-1) == test.answers)
    assert acc > 0.6, acc  # chance (six places): about 0.17-0.2
