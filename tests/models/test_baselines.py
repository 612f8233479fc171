"""The baselines: the logistic loss's hand-derived gradient and the window MLP's against finite
differences; a bag of words scores a sentence and its reordering identically, the BiLSTM does not;
the window classifier saves, loads and predicts raw text."""
import numpy as np
import pytest
import scipy.sparse
from gradient_checks import assert_grads

from unroll.data.words import WordVocabulary
from unroll.models.baselines import BagOfWords, WindowClassifier, WindowMLP, lbfgs, logistic_loss_and_grad, ngrams
from unroll.models.classifier import SequenceClassifier

TEXTS = ["batman is reliant on tech", "tech is great", "batman is great", "not great , reliant on luck",
         "a dull batman", "great tech"]
LABELS = ["pos", "pos", "pos", "neg", "neg", "pos"]


def test_logistic_loss_gradient_finite_differences():
    rng = np.random.default_rng(0)
    X = scipy.sparse.random(9, 6, density=0.4, random_state=1, data_rvs=lambda n: np.ones(n)).tocsr()
    y = rng.integers(0, 3, 9)
    W, b = rng.standard_normal((3, 6)), rng.standard_normal(3)
    _, dW, db = logistic_loss_and_grad(W, b, X, y, l2=0.3)
    assert_grads(lambda: logistic_loss_and_grad(W, b, X, y, 0.3)[0], {"W": W, "b": b}, {"W": dW, "b": db})


def test_window_mlp_finite_differences_and_only_the_window_gets_gradient():
    rng = np.random.default_rng(0)
    mlp = WindowMLP(2, 3, 4, 2, dtype=np.float64, rng=1)
    x = rng.standard_normal((3, 5, 2))
    lengths = np.array([5, 2, 4])  # the second is shorter than the window: zero-padded in front
    dy = rng.standard_normal((3, 2))
    y, _, cache = mlp.forward(x, lengths=lengths)
    dx, _ = mlp.backward(dy, None, cache)
    arrays, grads = dict(mlp.params, x=x), dict(mlp.grads, x=dx)
    assert_grads(lambda: float((mlp.forward(x, lengths=lengths)[0] * dy).sum()), arrays, grads)
    used = np.abs(dx).sum(axis=-1) > 0  # (B, T)
    np.testing.assert_array_equal(used, [[0, 0, 1, 1, 1], [1, 1, 0, 0, 0], [0, 1, 1, 1, 0]])


def test_lbfgs_matches_the_closed_form_of_a_quadratic():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    c = np.array([1.0, -1.0])
    theta, _ = lbfgs(lambda t: (0.5 * t @ A @ t - c @ t, A @ t - c), np.zeros(2), 100, tol=1e-14)
    np.testing.assert_allclose(theta, np.linalg.solve(A, c), atol=1e-6)


def test_bag_of_words_ignores_order_the_rnn_does_not():
    sentence, reordered = "batman is reliant on tech", "tech is reliant on batman"
    unigrams = BagOfWords(ngram=1).fit(TEXTS, LABELS)
    np.testing.assert_array_equal(unigrams.decision_function([sentence]), unigrams.decision_function([reordered]))
    bigrams = BagOfWords(ngram=2).fit(TEXTS, LABELS)  # bigrams keep adjacent pairs only
    assert "batman is" in bigrams.index_ and ngrams(["a", "b", "c"], 2) == ["a", "b", "c", "a b", "b c"]
    assert not np.allclose(bigrams.decision_function([sentence]), bigrams.decision_function([reordered]))
    rnn = SequenceClassifier(WordVocabulary(sorted({w for t in TEXTS for w in t.split()})), ["neg", "pos"],
                             embedding_dim=8, hidden_size=8, rng=0)
    p, q = rnn.predict_proba([sentence, reordered])
    assert abs(p[1] - q[1]) > 1e-4  # the same words in another order: another score


def test_bag_of_words_fits_a_separable_toy_problem():
    model = BagOfWords(C=100.0).fit(TEXTS, LABELS)
    assert model.predict(TEXTS) == LABELS and model.classes_ == ["neg", "pos"]
    np.testing.assert_allclose(model.predict_proba(TEXTS).sum(axis=1), 1.0)


def test_window_classifier_round_trip(tmp_path):
    vocab = WordVocabulary(sorted({w for t in TEXTS for w in t.split()}))
    model = WindowClassifier(vocab, ["neg", "pos"], embedding_dim=4, window=3, hidden_size=5, rng=0)
    model.save(tmp_path / "w")
    loaded = WindowClassifier.load(tmp_path / "w")
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))
    with pytest.raises(ValueError, match="expected a 'unroll.classifier' checkpoint"):
        SequenceClassifier.load(tmp_path / "w")
