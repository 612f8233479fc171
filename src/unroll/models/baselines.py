"""The baselines the seeds argue against, hand-derived like everything else.

Bag of words (`BagOfWords`): logistic regression (softmax over C classes) on *binary* unigram and
bigram indicators. Order is lost: with unigrams only, "batman is reliant on tech" and "tech is
reliant on batman" get identical scores; bigrams keep only adjacent pairs. The loss and its
gradient, written out (`logistic_loss_and_grad`), with X (N, F) the 0/1 features, Z = X W^T + b,
P = softmax(Z), Y one-hot and lambda = 1 / (C N) (scikit-learn's C convention):

    L      = -(1/N) sum_n log P[n, y_n] + (lambda / 2) ||W||^2
    dL/dZ  = (P - Y) / N                          (N, C)
    dL/dW  = (dL/dZ)^T X + lambda W               (C, F)
    dL/db  = sum_n dL/dZ[n]                       (C,)

minimised by L-BFGS (`lbfgs`, below) from zeros, the problem being convex.

Fixed window (`WindowMLP`): a feed-forward net over the last k steps of a sequence (zero-padded
in front of short ones), flattened: h = tanh(W1 [x_{L-k}; ...; x_{L-1}] + b1), y = W2 h + b2.
It sees only k inputs however long the sequence: the "fixed-window" network of the lectures.
`WindowClassifier` is Embedding -> WindowMLP over words; the forecaster uses WindowMLP on values.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse

from .._checks import as_rng, check_array, check_dtype, check_size
from ..data.words import tokenize
from ..errors import InvalidValueError
from ..functional import linear_backward, linear_forward
from ..nn import Embedding, Linear, Module, Sequential
from .classifier import TextClassifier, as_vocabulary

__all__ = ["BagOfWords", "logistic_loss_and_grad", "ngrams", "WindowMLP", "WindowClassifier"]


# ---------------------------------------------------------------- bag of words
def ngrams(tokens: list[str], n: int) -> list[str]:
    """Unigrams up to n-grams of a token list, n-grams joined by spaces."""
    return [" ".join(tokens[i:i + k]) for k in range(1, n + 1) for i in range(len(tokens) - k + 1)]


def logistic_loss_and_grad(W: np.ndarray, b: np.ndarray, X, y: np.ndarray, l2: float):
    """Softmax regression: W (C, F), b (C,), X (N, F) dense or sparse, y (N,) ints, l2 lambda.
    Returns (L, dL/dW (C, F), dL/db (C,)) as in the module docstring."""
    N = X.shape[0]
    Z = np.asarray(X @ W.T) + b  # (N, C)
    Z -= Z.max(axis=1, keepdims=True)
    log_P = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))  # (N, C)
    loss = -log_P[np.arange(N), y].mean() + 0.5 * l2 * float((W * W).sum())
    dZ = np.exp(log_P)  # (N, C): P
    dZ[np.arange(N), y] -= 1.0  # P - Y
    dZ /= N
    dW = np.asarray(X.T @ dZ).T + l2 * W  # (C, F)
    return loss, dW, dZ.sum(axis=0)


def lbfgs(f, theta: np.ndarray, max_iter: int, memory: int = 10, tol: float = 1e-6):
    """Minimise a smooth function by L-BFGS (Nocedal & Wright, algorithm 7.4: the two-loop
    recursion) with a backtracking Armijo line search. f: theta -> (value, gradient).
    Returns (theta, iterations). Plain NumPy: scipy's L-BFGS-B spends its time on bound handling."""
    value, grad = f(theta)
    s_list, y_list = [], []
    for it in range(1, max_iter + 1):
        q, alphas = grad.copy(), []
        for s, y in reversed(list(zip(s_list, y_list))):  # first loop: newest pair first
            a = (s @ q) / (y @ s)
            alphas.append(a)
            q -= a * y
        if s_list:
            q *= (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1])  # initial Hessian scaling
        for (s, y), a in zip(zip(s_list, y_list), reversed(alphas)):  # second loop: oldest first
            q += (a - (y @ q) / (y @ s)) * s
        direction, step = -q, 1.0 if s_list else 1.0 / max(np.linalg.norm(grad), 1e-12)
        slope = grad @ direction
        while True:  # Armijo backtracking
            new_theta = theta + step * direction
            new_value, new_grad = f(new_theta)
            if new_value <= value + 1e-4 * step * slope or step < 1e-12:
                break
            step *= 0.5
        s, y = new_theta - theta, new_grad - grad
        if y @ s > 1e-12:
            s_list, y_list = (s_list + [s])[-memory:], (y_list + [y])[-memory:]
        done = abs(value - new_value) <= tol * max(abs(value), 1.0)
        theta, value, grad = new_theta, new_value, new_grad
        if done or np.abs(grad).max() < 1e-8:
            break
    return theta, it


class BagOfWords:
    """Logistic regression on binary n-gram indicators (scikit-learn conventions: fit returns self,
    learned attributes end in '_'). ngram: the longest n-gram (2: unigrams + bigrams); C: inverse
    L2 strength; min_count: n-grams seen fewer times in training are dropped."""

    def __init__(self, ngram: int = 2, C: float = 1.0, min_count: int = 1, lowercase: bool = True,
                 max_iter: int = 300):
        self.ngram, self.C, self.min_count, self.lowercase, self.max_iter = ngram, C, min_count, lowercase, max_iter

    def get_params(self, deep: bool = True) -> dict:
        return {"ngram": self.ngram, "C": self.C, "min_count": self.min_count, "lowercase": self.lowercase,
                "max_iter": self.max_iter}

    def set_params(self, **params) -> "BagOfWords":
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def features(self, texts) -> scipy.sparse.csr_matrix:
        """Raw strings -> binary indicators (N, F) over the fitted n-gram index (unseen n-grams dropped)."""
        rows, cols = [], []
        for r, text in enumerate(texts):
            found = {self.index_[g] for g in ngrams(tokenize(text, self.lowercase), self.ngram) if g in self.index_}
            rows += [r] * len(found)
            cols += sorted(found)
        data = np.ones(len(rows))
        return scipy.sparse.csr_matrix((data, (rows, cols)), shape=(len(texts), len(self.index_)))

    def fit(self, texts, labels) -> "BagOfWords":
        texts, labels = list(texts), list(labels)
        if len(texts) != len(labels) or not texts:
            raise InvalidValueError(f"texts, labels: expected the same non-zero number, got {len(texts)} and {len(labels)}")
        counts = {}
        for text in texts:
            for g in set(ngrams(tokenize(text, self.lowercase), self.ngram)):
                counts[g] = counts.get(g, 0) + 1
        self.index_ = {g: k for k, g in enumerate(sorted(g for g, c in counts.items() if c >= self.min_count))}
        self.classes_ = sorted(set(labels))
        if len(self.classes_) < 2:
            raise InvalidValueError(f"labels: expected at least 2 classes, got {self.classes_}")
        y = np.array([self.classes_.index(label) for label in labels])
        X = self.features(texts)
        C, F, l2 = len(self.classes_), X.shape[1], 1.0 / (self.C * X.shape[0])

        def f(theta):
            loss, dW, db = logistic_loss_and_grad(theta[:C * F].reshape(C, F), theta[C * F:], X, y, l2)
            return loss, np.concatenate([dW.ravel(), db])
        theta, self.n_iter_ = lbfgs(f, np.zeros(C * F + C), self.max_iter)
        self.coef_, self.intercept_ = theta[:C * F].reshape(C, F), theta[C * F:]
        return self

    def decision_function(self, texts) -> np.ndarray:
        """Raw strings -> logits (N, C)."""
        return np.asarray(self.features(texts) @ self.coef_.T) + self.intercept_

    def predict_proba(self, texts) -> np.ndarray:
        z = self.decision_function(texts)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def predict(self, texts) -> list:
        return [self.classes_[k] for k in self.decision_function(texts).argmax(axis=1)]


# ---------------------------------------------------------------- fixed window
class WindowMLP(Module):
    """The last `window` valid steps of x (B, T, D), zero-padded in front, flattened (B, k*D) ->
    Linear(k*D, hidden) -> tanh -> Linear(hidden, out_features). Parameters fc1.*, fc2.*."""

    def __init__(self, in_features: int, window: int, hidden_size: int, out_features: int, dtype=np.float32,
                 rng=None):
        super().__init__()
        self.in_features, self.window = check_size("in_features", in_features), check_size("window", window)
        self.hidden_size, self.dtype, rng = check_size("hidden_size", hidden_size), check_dtype(dtype), as_rng(rng)
        self.fc1 = self.add_module(Linear(window * in_features, hidden_size, dtype=dtype, rng=rng), "fc1")
        self.fc2 = self.add_module(Linear(hidden_size, out_features, dtype=dtype, rng=rng), "fc2")

    def forward(self, x: np.ndarray, state=None, lengths=None):
        """x (B, T, D), lengths (B,) or None -> (y (B, out_features), state, cache)."""
        check_array("x", x, (None, None, self.in_features), self.dtype)
        B, T, _ = x.shape
        L = np.full(B, T, dtype=np.int64) if lengths is None else np.asarray(lengths, dtype=np.int64)
        steps = L[:, None] - self.window + np.arange(self.window)[None, :]  # (B, k): t of each window slot
        valid = steps >= 0
        picked = x[np.arange(B)[:, None], np.maximum(steps, 0)] * valid[:, :, None]  # (B, k, D)
        flat = picked.reshape(B, -1)  # (B, k*D)
        a, cache1 = linear_forward(flat, self.params["fc1.weight"], self.params["fc1.bias"])  # (B, hidden)
        h = np.tanh(a)
        y, cache2 = linear_forward(h, self.params["fc2.weight"], self.params["fc2.bias"])  # (B, O)
        return y, state, self.make_cache(y, (x.shape, steps, valid, h, cache1, cache2))

    def backward(self, dy: np.ndarray, d_state, cache):
        """dy (B, O) -> (dx (B, T, D), d_state): only the window's steps get gradient."""
        shape, steps, valid, h, cache1, cache2 = self.open_cache(cache, dy)
        dh, dw2, db2 = linear_backward(dy, cache2)
        da = dh * (1.0 - h * h)  # through tanh
        dflat, dw1, db1 = linear_backward(da, cache1)
        for key, g in (("fc1.weight", dw1), ("fc1.bias", db1), ("fc2.weight", dw2), ("fc2.bias", db2)):
            self.grads[key] += g
        B = shape[0]
        dx = np.zeros(shape, dtype=dy.dtype)
        d_picked = dflat.reshape(B, self.window, -1) * valid[:, :, None]  # (B, k, D)
        rows, cols = np.nonzero(valid)
        dx[rows, steps[rows, cols]] += d_picked[rows, cols]  # distinct steps per row: no collisions
        return dx, d_state


class WindowClassifier(TextClassifier, Sequential):
    """Embedding -> WindowMLP over the last `window` words -> C logits; the same text interface as
    `SequenceClassifier` (predict, predict_proba, save, load)."""

    FORMAT = "unroll.window_classifier"

    def __init__(self, vocabulary, labels, embedding_dim: int = 64, window: int = 5, hidden_size: int = 128,
                 lowercase: bool = True, dtype=np.float32, rng=None):
        vocab, labels, rng = as_vocabulary(vocabulary), [str(label) for label in labels], as_rng(rng)
        if len(labels) < 2 or len(set(labels)) != len(labels):
            raise InvalidValueError(f"labels: expected at least 2 distinct class names, got {labels!r}")
        super().__init__(embedding=Embedding(len(vocab), embedding_dim, padding_idx=vocab.pad_id, dtype=dtype, rng=rng),
                         window=WindowMLP(embedding_dim, window, hidden_size, len(labels), dtype, rng))
        self.vocab, self.labels, self.lowercase, self.rng = vocab, labels, lowercase, rng
        self.embedding_dim, self.window_size, self.hidden_size = embedding_dim, window, hidden_size
        self.dtype = check_dtype(dtype)

    def config(self) -> dict:
        return {"vocabulary": self.vocab.to_dict(), "labels": self.labels, "embedding_dim": self.embedding_dim,
                "window": self.window_size, "hidden_size": self.hidden_size, "lowercase": self.lowercase,
                "dtype": self.dtype.name}
