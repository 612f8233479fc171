"""Sampling: temperature, top-k, priming, seeds, stopping at the end of a line."""
import numpy as np
import pytest

from unroll.data.text import Vocabulary
from unroll.models import CharLM, next_char_distribution, sample

VOCAB = Vocabulary("\nabcd")


def test_distribution_temperature_and_top_k():
    logits = np.array([[0.0, 1.0, 2.0, 3.0]])
    p = next_char_distribution(logits, temperature=1.0, top_k=2)
    assert p[0, :2].tolist() == [0.0, 0.0] and p.sum() == pytest.approx(1.0)
    cold = next_char_distribution(logits, temperature=0.01)
    assert cold[0, 3] > 0.999
    with pytest.raises(ValueError, match="temperature"):
        next_char_distribution(logits, temperature=0.0)


def test_top_1_is_greedy_and_seeds_reproduce():
    model = CharLM(len(VOCAB), "lstm", hidden_size=8, rng=0)
    greedy, ids, state = "", VOCAB.encode("ab")[None], None
    logits, state = model.step_logits(ids)
    for _ in range(10):
        nxt = int(np.argmax(logits[0]))
        greedy += VOCAB.chars[nxt]
        logits, state = model.step_logits(np.array([[nxt]]), state)
    assert sample(model, VOCAB, length=10, prime="ab", top_k=1, rng=5) == [greedy]
    assert sample(model, VOCAB, n=3, length=20, rng=1) == sample(model, VOCAB, n=3, length=20, rng=1)
    assert sample(model, VOCAB, n=3, length=20, rng=1) != sample(model, VOCAB, n=3, length=20, rng=2)


def test_line_models_stop_at_the_end_symbol():
    model = CharLM(len(VOCAB), "gru", hidden_size=4, rng=0)
    model.params["decoder.bias"][:] = [3.0, 0, 0, 0, 0]  # '\n' very likely after the first character
    names = sample(model, VOCAB, n=20, length=30, stop_at_end=True, rng=0)
    assert all("\n" not in name for name in names) and min(map(len, names)) < 30
    assert model.training  # the sampler restores the mode it found
