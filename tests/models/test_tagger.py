"""SequenceTagger and its character-level word encoder: finite differences of the encoder, loss and
every gradient equal to the same word+char BiLSTM in PyTorch (float64, 1e-10), save/load, prediction
on raw text, and learning on a slice of UD English LinES."""
from pathlib import Path

import numpy as np
import pytest
from gradient_checks import assert_grads

from unroll.data.words import WordVocabulary
from unroll.functional import softmax_cross_entropy_backward, softmax_cross_entropy_forward
from unroll.models.tagger import CharWordEncoder, SequenceTagger

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "ud_english_lines"
SENTENCES = [["The", "cat", "sat", "."], ["Dogs", "bark"], ["A", "zebra", "ran", "far", "away", "!"]]
TAGS = [["DET", "NOUN", "VERB", "PUNCT"], ["NOUN", "VERB"], ["DET", "NOUN", "VERB", "ADV", "ADV", "PUNCT"]]


def small(chars=True, seed=0):
    vocab = WordVocabulary(["the", "cat", "sat", ".", "a", "ran"])  # 'dogs', 'bark', 'zebra' ... unknown
    alphabet = sorted({c for s in SENTENCES for w in s for c in w} - {"z"}) if chars else None  # 'z' unknown
    return SequenceTagger(vocab, ["ADV", "DET", "NOUN", "PUNCT", "VERB"], alphabet, word_dim=3, char_dim=2,
                          char_hidden=3, hidden_size=4, dtype=np.float64, rng=seed)


def test_char_word_encoder_finite_differences():
    enc = CharWordEncoder(6, 3, char_vocab_size=7, char_dim=2, char_hidden=3, dtype=np.float64, rng=0)
    rng = np.random.default_rng(1)
    words = np.array([[2, 3, 4], [5, 1, 0]])  # (B, T), one padding slot
    char_lengths = np.array([[3, 1, 2], [2, 4, 0]])
    chars = rng.integers(2, 7, (2, 3, 4)) * (np.arange(4) < char_lengths[..., None])  # (B, T, C)
    dy = rng.standard_normal((2, 3, 3 + 6))
    dy[1, 2] = 0.0  # a padding slot: the sentence RNN sends it no gradient (and <pad>'s row gets none)
    y, _, cache = enc.forward((words, chars, char_lengths))
    assert y.shape == (2, 3, 9) and np.all(y[1, 2, 3:] == 0)  # a padding slot has no char summary
    enc.backward(dy, None, cache)

    def f():
        return float((enc.forward((words, chars, char_lengths))[0] * dy).sum())
    assert_grads(f, enc.params, enc.grads)


def torch_reference(model, x, lengths, tags):
    torch = pytest.importorskip("torch")
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    nn = torch.nn
    words, chars, char_lengths = x

    class Ref(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Module()
            self.encoder.word = nn.Embedding(len(model.vocab), 3, padding_idx=0)
            self.encoder.char = nn.Embedding(len(model.char_vocab), 2, padding_idx=0)
            self.encoder.char_rnn = nn.LSTM(2, 3, batch_first=True, bidirectional=True)
            self.rnn = nn.LSTM(3 + 6, 4, batch_first=True, bidirectional=True)
            self.head = nn.Linear(8, 5)

    ref = Ref().double()
    ref.load_state_dict({k: torch.tensor(v) for k, v in model.params.items()})
    valid = char_lengths.reshape(-1) > 0
    flat = torch.tensor(chars.reshape(-1, chars.shape[2])[valid])
    packed = pack_padded_sequence(ref.encoder.char(flat), torch.tensor(char_lengths.reshape(-1)[valid]),
                                  batch_first=True, enforce_sorted=False)
    h_n = ref.encoder.char_rnn(packed)[1][0]  # (2, N, 3)
    summary = torch.zeros(words.size, 6, dtype=torch.float64)
    summary[torch.tensor(valid)] = torch.cat([h_n[0], h_n[1]], dim=1)
    rep = torch.cat([ref.encoder.word(torch.tensor(words)), summary.reshape(*words.shape, 6)], dim=-1)
    packed = pack_padded_sequence(rep, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    out = pad_packed_sequence(ref.rnn(packed)[0], batch_first=True, total_length=words.shape[1])[0]
    logits = ref.head(out)
    mask = torch.tensor(np.arange(words.shape[1])[None, :] < lengths[:, None])
    loss = nn.functional.cross_entropy(logits[mask], torch.tensor(tags)[mask])
    loss.backward()
    return loss.item(), {k: p.grad.numpy() for k, p in ref.named_parameters()}


def test_loss_and_gradients_equal_pytorch():
    model = small()
    x, lengths = model.collate(model.encode(SENTENCES))
    tags = np.zeros(x[0].shape, dtype=np.int64)
    for b, t in enumerate(model.encode_tags(TAGS)):
        tags[b, :len(t)] = t
    logits, _, cache = model.forward(x, lengths=lengths)
    mask = np.arange(x[0].shape[1])[None, :] < lengths[:, None]
    loss, loss_cache = softmax_cross_entropy_forward(logits, tags, mask=mask)
    model.backward(softmax_cross_entropy_backward(1.0, loss_cache), None, cache)
    ref_loss, ref_grads = torch_reference(model, x, lengths, tags)
    assert abs(loss - ref_loss) < 1e-10 and set(ref_grads) == set(model.grads)
    for key, g in ref_grads.items():
        np.testing.assert_allclose(model.grads[key], g, atol=1e-10, rtol=0, err_msg=key)


@pytest.mark.parametrize("chars", [True, False])
def test_save_load_round_trip_and_predict(tmp_path, chars):
    model = small(chars, seed=4)
    model.save(tmp_path / "tagger")
    loaded = SequenceTagger.load(tmp_path / "tagger")
    assert loaded.config() == model.config()
    assert loaded.predict(SENTENCES) == model.predict(SENTENCES)
    assert [len(p) for p in model.predict(SENTENCES)] == [4, 2, 6]
    pairs = loaded.predict("The zebra sat.")
    assert [w for w, _ in pairs] == ["The", "zebra", "sat", "."] and all(t in model.tags for _, t in pairs)


@pytest.mark.skipif(not (DATA / "en_lines-ud-train.conllu").is_file(), reason="../shared/data absent")
def test_learns_pos_tags_on_a_slice():
    from unroll.data.readers import read_conllu
    from unroll.training.supervised import TaggerRecipe, fit_tagger
    train = read_conllu(DATA / "en_lines-ud-train.conllu")
    short = [s for s in train if len(s[0]) <= 20]
    recipe = TaggerRecipe(word_dim=32, char_dim=12, char_hidden=16, hidden_size=32, epochs=2, lr=1e-2,
                          batch_size=8, dropout=0.0, patience=None)
    model, trainer = fit_tagger(short[:300], short[300:450], recipe)
    # the most frequent tag (NOUN) is ~0.2 of the tokens; measured 0.64 (the full recipe: docs/sequence_models.md)
    assert trainer.history_["val_accuracy"][-1] > 0.5, trainer.history_["val_accuracy"]
