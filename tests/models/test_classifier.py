"""SequenceClassifier: loss and every gradient equal the same model built in PyTorch on identical weights
(float64, 1e-10); save/load round trip; predictions and saliency on raw strings; it learns polarity."""
from pathlib import Path

import numpy as np
import pytest

from unroll.data.words import WordVocabulary, pad_batch
from unroll.errors import InvalidValueError
from unroll.functional import softmax_cross_entropy_backward, softmax_cross_entropy_forward
from unroll.models.classifier import SequenceClassifier

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
WORDS = "the a film movie good bad not dull fine great awful plot".split()


def small(cell="lstm", pool="max", bidirectional=True, layers=1, seed=0, **kw):
    return SequenceClassifier(WordVocabulary(WORDS), ["neg", "pos"], cell=cell, embedding_dim=5, hidden_size=4,
                              num_layers=layers, bidirectional=bidirectional, pool=pool, dtype=np.float64,
                              rng=seed, **kw)


def batch(seed=1, B=5, T=7):
    rng = np.random.default_rng(seed)
    lengths = np.array([7, 3, 5, 1, 6])[:B]
    ids, lengths = pad_batch([list(rng.integers(1, len(WORDS) + 2, n)) for n in lengths])
    return ids, lengths, rng.integers(0, 2, B)


def torch_loss_and_grads(model, ids, lengths, y, cell, pool, bidirectional, layers):
    torch = pytest.importorskip("torch")
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    nn = torch.nn

    class Ref(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(len(model.vocab), 5, padding_idx=0)
            self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](5, 4, num_layers=layers, batch_first=True,
                                                                bidirectional=bidirectional)
            self.head = nn.Linear(4 * (2 if bidirectional else 1), 2)

    ref = Ref().double()
    ref.load_state_dict({k: torch.tensor(v) for k, v in model.params.items()})
    x = ref.embedding(torch.tensor(ids))
    packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    out, _ = pad_packed_sequence(ref.rnn(packed)[0], batch_first=True, total_length=ids.shape[1])
    mask = torch.tensor(np.arange(ids.shape[1])[None, :] < lengths[:, None])[:, :, None]
    L = torch.tensor(lengths, dtype=torch.float64)[:, None]
    if pool == "max":
        pooled = out.masked_fill(~mask, -torch.inf).max(dim=1).values
    elif pool == "mean":
        pooled = (out * mask).sum(dim=1) / L
    else:
        pooled = out[torch.arange(len(lengths)), torch.tensor(lengths) - 1]
    loss = nn.functional.cross_entropy(ref.head(pooled), torch.tensor(y))
    loss.backward()
    return loss.item(), {k: p.grad.numpy() for k, p in ref.named_parameters()}


@pytest.mark.parametrize("cell,pool,bidirectional,layers", [("lstm", "max", True, 1), ("gru", "mean", True, 2),
                                                             ("lstm", "last", False, 1)])
def test_loss_and_gradients_equal_pytorch(cell, pool, bidirectional, layers):
    model = small(cell, pool, bidirectional, layers)
    ids, lengths, y = batch()
    logits, _, cache = model.forward(ids, lengths=lengths)
    loss, loss_cache = softmax_cross_entropy_forward(logits, y)
    model.backward(softmax_cross_entropy_backward(1.0, loss_cache), None, cache)
    ref_loss, ref_grads = torch_loss_and_grads(model, ids, lengths, y, cell, pool, bidirectional, layers)
    assert abs(loss - ref_loss) < 1e-10
    assert set(ref_grads) == set(model.grads)
    for key, g in ref_grads.items():
        np.testing.assert_allclose(model.grads[key], g, atol=1e-10, rtol=0, err_msg=key)


def test_save_load_round_trip_and_raw_text(tmp_path):
    model = small(seed=3)
    texts = ["the film is good", "not a dull plot", "awful", "zzz unknown words only", ""]
    model.save(tmp_path / "clf")
    loaded = SequenceClassifier.load(tmp_path / "clf")
    assert loaded.config() == model.config()
    for key in model.params:
        np.testing.assert_array_equal(loaded.params[key], model.params[key])
    probs = model.predict_proba(texts)
    np.testing.assert_array_equal(loaded.predict_proba(texts), probs)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert loaded.predict(texts) == [model.labels[k] for k in probs.argmax(axis=1)]
    with pytest.raises(FileNotFoundError, match="expected a model directory"):
        SequenceClassifier.load(tmp_path / "nothing")


def test_saliency_is_the_embedding_gradient_and_leaves_grads_alone():
    model = small(seed=2)
    model.grads["head.bias"] += 1.0  # something mid-accumulation
    before = {k: g.copy() for k, g in model.grads.items()}
    tokens, saliency, probs = model.saliency("the film is not good")
    assert tokens == ["the", "film", "is", "not", "good"] and saliency.shape == (5,) and (saliency > 0).all()
    for k, g in before.items():
        np.testing.assert_array_equal(model.grads[k], g)
    # against finite differences of the loss in each word's embedding (eval mode, the predicted label)
    ids = np.array([model.vocab.encode(tokens)])
    target = np.array([int(probs.argmax())])
    x0 = model.embedding.forward(ids)[0]
    model.eval()

    def loss_at(x):
        y = x
        for m in model.modules[1:]:
            y = m.forward(y, None, np.array([5]))[0]
        return softmax_cross_entropy_forward(y, target)[0]
    eps, numeric = 1e-6, np.zeros_like(x0)
    for idx in np.ndindex(*x0.shape):
        up, down = x0.copy(), x0.copy()
        up[idx] += eps
        down[idx] -= eps
        numeric[idx] = (loss_at(up) - loss_at(down)) / (2 * eps)
    np.testing.assert_allclose(saliency, np.linalg.norm(numeric[0], axis=-1), rtol=1e-6)
    with pytest.raises(InvalidValueError, match="label"):
        model.saliency("good", label="meh")


def test_bad_arguments():
    with pytest.raises(InvalidValueError, match="pool"):
        small(pool="median")
    with pytest.raises(InvalidValueError, match="labels"):
        SequenceClassifier(WordVocabulary(WORDS), ["only"])
    with pytest.raises(TypeError, match="list of strings"):
        small().predict("one string")


@pytest.mark.skipif(not (DATA / "rt-polarity.pos").is_file(), reason="../shared/data absent")
def test_learns_polarity_on_a_slice():
    from unroll.data.readers import read_polarity
    from unroll.training.supervised import ClassifierRecipe, fit_classifier
    texts, labels = read_polarity(DATA / "rt-polarity.pos", DATA / "rt-polarity.neg")
    order = np.random.default_rng(0).permutation(len(texts))
    short = [i for i in order if len(texts[i].split()) <= 16]  # a small, fast slice
    train, test = short[:3000], short[3000:3600]
    recipe = ClassifierRecipe(embedding_dim=16, hidden_size=16, pool="mean", epochs=4, lr=1e-2, embedding_dropout=0.0,
                              dropout=0.0, word_dropout=0.0, patience=None)
    model, trainer = fit_classifier([texts[i] for i in train], [labels[i] for i in train], recipe)
    accuracy = np.mean([p == labels[i] for p, i in zip(model.predict([texts[i] for i in test]), test)])
    # chance 0.5 (sd of a 600-sentence accuracy ~0.02); measured 0.66 and 0.69 for seeds 0, 1; the full
    # recipe reaches ~0.77 (docs/sequence_models.md)
    assert accuracy > 0.60, accuracy
