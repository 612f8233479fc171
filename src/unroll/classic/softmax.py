"""A tiny multinomial logistic regression for the demos, so the package needs no scikit-learn:

    clf = SoftmaxRegression(C=6000).fit(F, y); clf.predict(F_test)

Minimises sum_n -log softmax(F_n W^T + b)_{y_n} + ||W||^2 / (2C) with SciPy's L-BFGS (the
gradient: F^T (P - Y) + W / C), as scikit-learn's LogisticRegression(C) with the lbfgs solver.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax

from .._checks import check_array
from ..errors import InvalidValueError
from ..estimators import ParamsMixin

__all__ = ["SoftmaxRegression"]


class SoftmaxRegression(ParamsMixin):
    """C: inverse L2 strength; max_iter, tol: of L-BFGS. Learned: classes_, coef_ (K, D), intercept_ (K,)."""

    def __init__(self, C: float = 1.0, max_iter: int = 500, tol: float = 1e-6):
        self.C = C
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: np.ndarray, y: np.ndarray) -> "SoftmaxRegression":
        X = np.asarray(check_array("X", X, (None, None)), np.float64)
        self.classes_, yi = np.unique(np.asarray(y), return_inverse=True)
        if yi.shape[0] != X.shape[0] or self.classes_.size < 2:
            raise InvalidValueError(f"y: expected {X.shape[0]} labels of at least 2 classes, got {np.shape(y)}")
        K, D = self.classes_.size, X.shape[1]
        Y = np.eye(K)[yi]                                    # (B, K) one-hot

        def loss(theta):
            W, b = theta[:K * D].reshape(K, D), theta[K * D:]
            logp = log_softmax(X @ W.T + b, axis=1)          # (B, K)
            G = np.exp(logp) - Y                              # (B, K) dL/dlogits
            value = -(logp * Y).sum() + (W * W).sum() / (2 * self.C)
            return value, np.concatenate([(G.T @ X + W / self.C).ravel(), G.sum(0)])

        res = minimize(loss, np.zeros(K * (D + 1)), jac=True, method="L-BFGS-B",
                       options={"maxiter": self.max_iter, "gtol": self.tol})
        self.coef_, self.intercept_ = res.x[:K * D].reshape(K, D), res.x[K * D:]
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise InvalidValueError("SoftmaxRegression: expected a fitted model, call fit first")
        X = np.asarray(check_array("X", X, (None, self.coef_.shape[1])), np.float64)
        return self.classes_[np.argmax(X @ self.coef_.T + self.intercept_, axis=1)]
