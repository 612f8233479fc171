"""Truncated BPTT: chunks carry the state exactly, and no gradient crosses a chunk boundary."""
import numpy as np
import pytest

from unroll.data.text import Segment, StreamBatches, chunk
from unroll.gradcheck import gradcheck
from unroll.models import CharLM
from unroll.training import evaluate, segment_loss, tbptt_step


def _model(cell="lstm", rng=0):
    return CharLM(7, cell, hidden_size=5, num_layers=2, embedding_dim=4, dtype=np.float64, rng=rng)


def _loss_of(model, tokens, state=None):
    seg = Segment(tokens[:, :-1], tokens[:, 1:], None, state is None)
    return segment_loss(model, seg, state)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_chunks_carry_the_state_exactly(cell):
    model, rng = _model(cell), np.random.default_rng(1)
    tokens = rng.integers(0, 7, (3, 23))
    full, count, *_ = _loss_of(model, tokens)
    total, n, state = 0.0, 0, None
    for seg in chunk(tokens, seq_len=5):
        loss, k, state, _ = segment_loss(model, seg, state)
        total, n = total + loss, n + k
    assert (n, count) == (3 * 22, 3 * 22)
    assert total == pytest.approx(full, rel=1e-12)


def test_one_chunk_is_full_bptt_and_later_chunks_stop_at_their_start():
    """The gradient of a later chunk is the gradient of its own loss with the carried state held
    constant: checked against finite differences that perturb only that chunk's forward."""
    model, rng = _model("gru", rng=2), np.random.default_rng(2)
    tokens = rng.integers(0, 7, (2, 13))
    first, second = list(chunk(tokens, seq_len=6))[:2]
    _, _, carried, _ = segment_loss(model, first, None)
    model.zero_grad()
    loss, count, _ = tbptt_step(model, second, carried)

    def second_chunk_mean_loss():
        value, n, _, _ = segment_loss(model, second, carried)
        return value / n

    errors = gradcheck(second_chunk_mean_loss, dict(model.params), {k: g.copy() for k, g in model.grads.items()})
    assert max(errors.values()) < 1e-6, errors


def test_evaluate_is_mean_nats_per_char_and_restores_training_mode():
    model, rng = _model(), np.random.default_rng(0)
    ids = rng.integers(0, 7, 200)
    batches = StreamBatches(ids, batch_size=4, seq_len=16, random_offset=False)
    total = sum(segment_loss(model, s, None)[0] for s in [Segment(
        np.stack([ids[b * 49:(b + 1) * 49] for b in range(4)]),
        np.stack([ids[b * 49 + 1:(b + 1) * 49 + 1] for b in range(4)]), None, True)])
    assert evaluate(model, batches.epoch(0)) == pytest.approx(total / (4 * 49), rel=1e-10)
    assert model.training


def test_parallel_streams_are_independent_rows():
    """B streams in one batch give each stream the losses and states it gets alone."""
    model, rng = _model("lstm", rng=4), np.random.default_rng(4)
    ids = rng.integers(0, 7, 121)
    together = list(StreamBatches(ids, batch_size=3, seq_len=8, random_offset=False).epoch(0))
    state, losses = None, []
    for seg in together:
        logits, state, _ = model.forward(seg.inputs, None if seg.reset else state)
        losses.append(logits)
    for row in range(3):
        alone_state = None
        for seg, logits in zip(together, losses):
            alone, alone_state, _ = model.forward(seg.inputs[row:row + 1], alone_state)
            np.testing.assert_allclose(alone[0], logits[row], rtol=1e-12, atol=1e-12)
