"""Seq2Seq: gradients of the whole model by finite differences on a tiny model (every attention and
both cells), beam width 1 == greedy, beam never scores below greedy under its own objective,
save/load round trip, and a short training run that learns a toy task through the Trainer."""
import numpy as np
import pytest

from unroll.errors import InvalidValueError
from unroll.gradcheck import numerical_gradient, relative_error
from unroll.functional import softmax_cross_entropy_backward, softmax_cross_entropy_forward
from unroll.models.decoding import beam_search, greedy, length_penalty, sequence_score
from unroll.models.seq2seq import Seq2Seq, load_seq2seq, save_seq2seq
from unroll.data.pairs import SPECIALS
from unroll.data.words import WordVocabulary

VS, VT = 9, 11


def tiny(attention="bahdanau", cell="gru", dtype=np.float64, seed=0, **kw):
    return Seq2Seq(VS, VT, embedding_dim=3, hidden_size=4, encoder_hidden=2, cell=cell, attention=attention,
                   dtype=dtype, rng=seed, **kw)


def batch(seed=1):
    rng = np.random.default_rng(seed)
    src = rng.integers(4, VS, (3, 5))
    lengths = np.array([5, 2, 1])
    src[np.arange(5)[None, :] >= lengths[:, None]] = 0
    tgt_in = rng.integers(2, VT, (3, 4))
    tgt_out = rng.integers(3, VT, (3, 4))
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 1, 0]], bool)
    return src, lengths, tgt_in, tgt_out, mask


CONFIGS = [dict(attention="bahdanau"), dict(attention="luong"), dict(attention="luong", score="concat"),
           dict(attention="luong", score="dot", encoder_hidden=2, bidirectional=True),
           dict(attention="none"), dict(attention="bahdanau", cell="lstm", num_layers=2),
           dict(attention="luong", cell="lstm")]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_whole_model_gradients_by_finite_differences(config):
    config = dict(config)
    hidden = 4
    model = Seq2Seq(VS, VT, embedding_dim=3, hidden_size=hidden, dtype=np.float64, rng=0,
                    **{"encoder_hidden": 2, **config})
    for p in model.params.values():
        p *= 2.0  # away from the near-linear regime of the default init: gradients well above rounding noise
    src, lengths, tgt_in, tgt_out, mask = batch()

    def loss():
        logits, _ = model.forward(src, lengths, tgt_in)
        return softmax_cross_entropy_forward(logits, tgt_out, mask, reduction="sum")[0]

    model.zero_grad()
    logits, cache = model.forward(src, lengths, tgt_in)
    _, loss_cache = softmax_cross_entropy_forward(logits, tgt_out, mask, reduction="sum")
    model.backward(softmax_cross_entropy_backward(1.0, loss_cache), cache)
    assert_sampled_grads(loss, model.params, model.grads)


@pytest.mark.parametrize("attention", ["bahdanau", "luong", "none"])
def test_packed_logits_equal_the_padded_ones_and_so_do_the_gradients(attention):
    # tgt_lengths: the output projection only at the valid positions, (N, V); same loss, same gradients
    model = tiny(attention)
    src, lengths, tgt_in, tgt_out, mask = batch()
    tgt_lengths = mask.sum(axis=1)
    grads = []
    for packed in (False, True):
        model.zero_grad()
        logits, cache = model.forward(src, lengths, tgt_in, tgt_lengths=tgt_lengths if packed else None)
        if packed:
            rows = model.valid_positions(tgt_lengths, *tgt_out.shape)
            assert logits.shape == (mask.sum(), VT)
            loss, loss_cache = softmax_cross_entropy_forward(logits, tgt_out.reshape(-1)[rows], reduction="sum")
        else:
            dense = logits
            loss, loss_cache = softmax_cross_entropy_forward(logits, tgt_out, mask, reduction="sum")
        model.backward(softmax_cross_entropy_backward(1.0, loss_cache), cache)
        grads.append(({k: g.copy() for k, g in model.grads.items()}, loss))
    np.testing.assert_allclose(logits, dense[mask], rtol=0, atol=1e-12)
    assert abs(grads[0][1] - grads[1][1]) < 1e-10
    for key, g in grads[0][0].items():
        np.testing.assert_allclose(grads[1][0][key], g, rtol=1e-10, atol=1e-12, err_msg=key)
    with pytest.raises(InvalidValueError, match="lengths"):
        model.forward(src, lengths, tgt_in, tgt_lengths=np.array([5, 1, 1]))


def assert_sampled_grads(f, params, grads, per_array=6, eps=1e-5, seed=0):
    """Central differences at up to per_array entries of every parameter (the whole model is too big
    to perturb everywhere within the test budget); relative error of each array's sampled entries
    under 1e-6, and no parameter with an identically zero gradient."""
    rng = np.random.default_rng(seed)
    errors = {}
    for name, p in params.items():
        assert np.abs(grads[name]).max() > 0, f"{name}: analytic gradient is identically zero"
        flat = rng.choice(p.size, min(per_array, p.size), replace=False)
        numeric = numerical_gradient(f, p, eps, indices=flat).flat[flat]
        errors[name] = relative_error(numeric, grads[name].flat[flat])
    assert max(errors.values()) < 1e-6, errors


def test_padded_source_positions_get_no_attention_and_do_not_matter():
    model = tiny()
    src, lengths, tgt_in, *_ = batch()
    logits, cache = model.forward(src, lengths, tgt_in)
    alpha = Seq2Seq.attention_weights(cache)  # (B, T, S)
    pad = np.arange(src.shape[1])[None, :] >= lengths[:, None]
    assert (alpha[np.broadcast_to(pad[:, None, :], alpha.shape)] == 0).all()
    other = src.copy()
    other[pad] = 5  # change what sits in the padding
    np.testing.assert_allclose(model.forward(other, lengths, tgt_in)[0], logits, atol=1e-12)


def test_scheduled_sampling_rate_zero_is_teacher_forcing_and_rate_changes_inputs():
    model = tiny()
    src, lengths, tgt_in, *_ = batch()
    teacher, _ = model.forward(src, lengths, tgt_in)
    np.testing.assert_array_equal(model.forward(src, lengths, tgt_in, sampling_rate=0.0)[0], teacher)
    sampled, cache = model.forward(src, lengths, tgt_in, sampling_rate=0.9, rng=0)
    assert not np.allclose(sampled, teacher)
    np.testing.assert_array_equal(cache[2][:, 0], tgt_in[:, 0])  # <s> is never replaced
    with pytest.raises(InvalidValueError, match="sampling_rate"):
        model.forward(src, lengths, tgt_in, sampling_rate=1.5)


@pytest.mark.parametrize("attention", ["bahdanau", "luong", "none"])
def test_beam_width_one_is_greedy(attention):
    model = tiny(attention, seed=3)
    src, lengths, *_ = batch(seed=4)
    memory = model.start(src, lengths)
    g = greedy(model, memory, 2, 3, max_len=7, alpha=0.6)
    b = beam_search(model, memory, 2, 3, beam=1, max_len=7, alpha=0.6)
    for gh, (bh,) in zip(g, b):
        assert gh.tokens == bh.tokens
        assert gh.score == pytest.approx(bh.score, abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("alpha", [0.0, 0.6, 1.0])
def test_beam_never_scores_below_greedy_under_its_objective(seed, alpha):
    model = tiny("bahdanau" if seed % 2 else "luong", seed=seed)
    for p in model.params.values():
        p *= 3.0  # sharper, more varied distributions than the default init
    src, lengths, *_ = batch(seed=10 + seed)
    memory = model.start(src, lengths)
    g = greedy(model, memory, 2, 3, max_len=6, alpha=alpha)
    b = beam_search(model, memory, 2, 3, beam=4, max_len=6, alpha=alpha, n_best=3)
    for row, (gh, best) in enumerate(zip(g, b)):
        assert best[0].score >= gh.score - 1e-12
        assert [h.score for h in best] == sorted((h.score for h in best), reverse=True)
        one = {k: v[row:row + 1] for k, v in memory.items()}  # the score is what the model says
        assert sequence_score(model, one, best[0].tokens, 2, 3, alpha, best[0].finished) == \
            pytest.approx(best[0].score, abs=1e-9)


def test_length_penalty_and_decoding_errors():
    assert length_penalty(1, 0.6) == pytest.approx(1.0) and length_penalty(7, 1.0) == pytest.approx(2.0)
    model = tiny()
    memory = model.start(*batch()[:2])
    with pytest.raises(InvalidValueError, match="beam"):
        beam_search(model, memory, 2, 3, beam=0)
    with pytest.raises(InvalidValueError, match="n_best"):
        beam_search(model, memory, 2, 3, beam=2, n_best=3)


def test_save_load_round_trip(tmp_path):
    model = tiny("luong", cell="lstm", dtype=np.float32)
    src_vocab = WordVocabulary([f"s{i}" for i in range(VS - 4)], SPECIALS)
    tgt_vocab = WordVocabulary([f"t{i}" for i in range(VT - 4)], SPECIALS)
    save_seq2seq(model, src_vocab, tgt_vocab, tmp_path / "m", {"note": "x"})
    loaded, sv, tv, meta = load_seq2seq(tmp_path / "m")
    assert sv.words == src_vocab.words and tv.words == tgt_vocab.words and meta["note"] == "x"
    src, lengths, tgt_in, *_ = batch()
    np.testing.assert_array_equal(loaded.forward(src, lengths, tgt_in)[0], model.forward(src, lengths, tgt_in)[0])
    with pytest.raises(FileNotFoundError):
        load_seq2seq(tmp_path / "missing")


def test_constructor_errors_name_the_option():
    with pytest.raises(ValueError, match="attention"):
        Seq2Seq(5, 5, attention="transformer")
    with pytest.raises(InvalidValueError, match="dot"):
        Seq2Seq(5, 5, hidden_size=4, encoder_hidden=4, attention="luong", score="dot")


def test_learns_to_reverse_short_sequences_through_the_trainer():
    """A toy translation (reverse the source, 4 symbols, lengths 2-4) reaches low loss in ~300 steps."""
    from unroll.training.seq2seq import PairBatches, Seq2SeqObjective
    from unroll.training.loop import Budget, Trainer
    from unroll.optim import Adam
    rng = np.random.default_rng(0)
    words = ["a", "b", "c", "d"]
    pairs = []
    for _ in range(400):
        s = list(rng.choice(words, rng.integers(2, 5)))
        pairs.append((s, s[::-1]))
    vocab = WordVocabulary(words, SPECIALS)
    model = Seq2Seq(len(vocab), len(vocab), embedding_dim=8, hidden_size=24, encoder_hidden=12, rng=0)
    trainer = Trainer(model, Seq2SeqObjective(), Adam(model.params, lr=1e-2),
                      PairBatches(pairs, vocab, vocab, 32, seed=0), PairBatches(pairs[:100], vocab, vocab, 100,
                                                                                  shuffle=False),
                      rng=np.random.default_rng(0), budget=Budget(max_steps=250), progress=False).fit()
    assert trainer.history_["val_loss"][-1] < 0.25 * trainer.history_["val_loss"][0]
    from unroll.training.seq2seq import translate_batch
    out = translate_batch(model, vocab, vocab, [s for s, _ in pairs[:100]], beam=3)
    assert np.mean([o == t for o, (_, t) in zip(out, pairs[:100])]) > 0.7
