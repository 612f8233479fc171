"""Linear readouts y = W_out r + b over reservoir features r (F,): the only learned part of an ESN.

- `Ridge`: Tikhonov regression in closed form, W = Y^T A (A^T A + lambda I')^-1 with A = [1, R]
  (Lukoševičius 2012, eq. 9). A^T A and Y^T A are accumulated in float64 by `partial_fit`, so it
  streams over any number of series of any length; the bias column is not penalised (I' has a 0
  there), so the intercept equals the one of centred data, as in ReservoirPy's Ridge.
- `RLS`: recursive least squares, the online rule of FORCE learning (Sussillo & Abbott 2009):
  P = I / alpha; per step k = P r, c = 1 / (1 + r^T k), P -= c k k^T, W -= c e k^T with e = W r - y.
  With alpha -> 0 it converges to the least-squares solution after one pass.
- `LMS`: least mean squares (Widrow-Hoff), W -= learning_rate * e r^T per step.

Features R are (B, T, F) or (T, F); targets Y (B, T, O) or (T, O), with the same B and T.
Learned attributes: coef_ (O, F) and intercept_ (O,), float64; what partial_fit carries
between calls also ends in `_` (Ridge: gram_ (1+F, 1+F) = A^T A and cross_ (O, 1+F) = Y^T A;
RLS: P_ (1+F, 1+F)); `Ridge.accumulate` only adds to them and `Ridge.fit_statistics` solves from
sums made elsewhere (many workers). Hyperparameters follow scikit-learn (`get_params`/`set_params`).
"""
from __future__ import annotations

import numpy as np
from scipy.linalg import LinAlgError, blas, cho_factor, cho_solve

from .._checks import check_array
from ..estimators import ParamsMixin
from ..errors import InvalidValueError


def _pairs(R, Y):
    """Validate features and targets and return them as float64 rows (B*T, F), (B*T, O)."""
    if not isinstance(R, np.ndarray) or R.ndim not in (2, 3):
        raise InvalidValueError(f"features: expected an array (T, F) or (B, T, F), got {getattr(R, 'shape', type(R).__name__)}")
    lead = (None,) * (R.ndim - 1)
    R = check_array("features", R, lead + (None,))
    Y = check_array("Y", Y, R.shape[:-1] + (None,))
    if R.shape[-2] == 0:
        raise InvalidValueError("features: expected at least one time step, got T = 0")
    return (R.reshape(-1, R.shape[-1]).astype(np.float64, copy=False),
            Y.reshape(-1, Y.shape[-1]).astype(np.float64, copy=False))


class _Readout(ParamsMixin):
    """Shared prediction and bookkeeping of the linear readouts."""

    fit_bias: bool

    def _start(self, features: int, outputs: int) -> None:
        self.coef_ = np.zeros((outputs, features))
        self.intercept_ = np.zeros(outputs)

    def _check_sizes(self, R: np.ndarray, Y: np.ndarray) -> None:
        if not hasattr(self, "coef_"):
            self._start(R.shape[1], Y.shape[1])
        elif self.coef_.shape != (Y.shape[1], R.shape[1]):
            raise InvalidValueError(f"features/Y: expected {self.coef_.shape[1]} features and {self.coef_.shape[0]} "
                                    f"outputs as in earlier calls, got {R.shape[1]} and {Y.shape[1]}")

    def fit(self, R: np.ndarray, Y: np.ndarray):
        """Forget what was learned, then learn from R (B, T, F) or (T, F) and Y. Returns self."""
        for name in ("coef_", "intercept_", "gram_", "cross_", "P_"):
            self.__dict__.pop(name, None)
        return self.partial_fit(R, Y)

    def predict(self, R: np.ndarray) -> np.ndarray:
        """Outputs (..., O) for features R (..., F), computed in R's dtype."""
        if not hasattr(self, "coef_"):
            raise InvalidValueError(f"{type(self).__name__}: expected a fitted readout, call fit first")
        R = check_array("features", R, (None,) * (np.ndim(R) - 1) + (self.coef_.shape[1],))
        return R @ self.coef_.T.astype(R.dtype) + self.intercept_.astype(R.dtype)


class Ridge(_Readout):
    """Ridge regression readout; ridge: the penalty lambda >= 0; fit_bias: learn an intercept."""

    def __init__(self, ridge: float = 1e-8, fit_bias: bool = True):
        self.ridge = ridge
        self.fit_bias = fit_bias

    def partial_fit(self, R: np.ndarray, Y: np.ndarray) -> "Ridge":
        """Accumulate A^T A and Y^T A from one more batch of series, then solve. Returns self."""
        self.accumulate(R, Y)
        self._solve()
        return self

    def accumulate(self, R: np.ndarray, Y: np.ndarray) -> "Ridge":
        """Add one batch's A^T A and Y^T A to gram_ and cross_ without solving (coef_ is not
        updated; `fit_statistics` or `partial_fit` solves). Partial sums from many workers are
        added and solved once by `fit_statistics` (unroll.distributed.reservoir). Returns self."""
        if not self.ridge >= 0:
            raise InvalidValueError(f"ridge: expected a value >= 0, got {self.ridge!r}")
        R, Y = _pairs(R, Y)
        self._check_sizes(R, Y)
        if self.fit_bias:  # A = [1, R], built in Fortran order so SYRK reads it without a copy
            A = np.empty((R.shape[0], R.shape[1] + 1), order="F")  # (B*T, 1+F)
            A[:, 0] = 1.0
            A[:, 1:] = R
        else:
            A = np.asfortranarray(R)
        if not hasattr(self, "gram_"):
            self.gram_ = np.zeros((A.shape[1], A.shape[1]))
            self.cross_ = np.zeros((Y.shape[1], A.shape[1]))
        # A^T A in one SYRK (half a GEMM's flops), mirrored. One kernel for every entry, bias
        # column included, keeps the sum an exact-to-rounding Gram matrix: with penalties near
        # 1e-10 x ||A^T A|| assembling it from separately rounded blocks measurably hurt the
        # closed loop (minimalESN seed 0: MSE 2.3e-8 one kernel, 3.7e-6 blocks).
        upper = blas.dsyrk(1.0, A, trans=1)  # (1+F, 1+F), upper triangle
        self.gram_ += np.triu(upper) + np.triu(upper, 1).T
        self.cross_ += Y.T @ A  # (O, 1+F)
        return self

    def fit_statistics(self, gram: np.ndarray, cross: np.ndarray) -> "Ridge":
        """Forget what was learned and solve from accumulated statistics: gram (P, P) = A^T A and
        cross (O, P) = Y^T A, P = 1 + F with fit_bias (else F), as `accumulate` sums them. Returns self."""
        if not self.ridge >= 0:
            raise InvalidValueError(f"ridge: expected a value >= 0, got {self.ridge!r}")
        gram, cross = np.asarray(gram, dtype=np.float64), np.asarray(cross, dtype=np.float64)
        bias = int(bool(self.fit_bias))
        if gram.ndim != 2 or gram.shape[0] != gram.shape[1] or gram.shape[0] <= bias or cross.ndim != 2 \
                or cross.shape[1] != gram.shape[0]:
            raise InvalidValueError(f"gram, cross: expected (P, P) and (O, P) with P = {'1 + ' if bias else ''}"
                                    f"features, got {gram.shape} and {cross.shape}")
        for name in ("coef_", "intercept_", "P_"):
            self.__dict__.pop(name, None)
        self.gram_, self.cross_ = gram.copy(), cross.copy()
        self._start(gram.shape[0] - bias, cross.shape[0])
        self._solve()
        return self

    def _solve(self) -> None:
        penalty = np.full(self.gram_.shape[0], float(self.ridge))
        if self.fit_bias:
            penalty[0] = 0.0
        lhs = self.gram_ + np.diag(penalty)
        try:  # symmetric positive definite: Cholesky
            W = cho_solve(cho_factor(lhs), self.cross_.T)  # (1+F, O)
        except LinAlgError:  # singular without a penalty: fall back to least squares
            W = np.linalg.lstsq(lhs, self.cross_.T, rcond=None)[0]
        self.coef_ = W[1:].T.copy() if self.fit_bias else W.T.copy()
        self.intercept_ = W[0].copy() if self.fit_bias else np.zeros(W.shape[1])


class RLS(_Readout):
    """Recursive least squares (FORCE). alpha: initial P = I / alpha; forgetting: lambda in (0, 1]."""

    def __init__(self, alpha: float = 1e-6, forgetting: float = 1.0, fit_bias: bool = True):
        self.alpha = alpha
        self.forgetting = forgetting
        self.fit_bias = fit_bias

    def partial_fit(self, R: np.ndarray, Y: np.ndarray) -> "RLS":
        """Update the weights step by step over the series in order. Returns self."""
        if not self.alpha > 0 or not 0 < self.forgetting <= 1:
            raise InvalidValueError(f"alpha, forgetting: expected alpha > 0 and forgetting in (0, 1], "
                                    f"got {self.alpha!r}, {self.forgetting!r}")
        R, Y = _pairs(R, Y)
        self._check_sizes(R, Y)
        W = np.hstack([self.intercept_[:, None], self.coef_]) if self.fit_bias else self.coef_  # (O, 1+F)
        if not hasattr(self, "P_"):
            self.P_ = np.eye(W.shape[1]) / self.alpha
        P, lam = self.P_, self.forgetting
        for r, y in zip(R, Y):
            if self.fit_bias:
                r = np.concatenate(([1.0], r))  # (1+F,)
            k = P @ r  # (1+F,)
            c = 1.0 / (lam + r @ k)
            P -= c * np.outer(k, k)
            P /= lam
            W -= c * np.outer(W @ r - y, k)  # e k^T
        self.coef_, self.intercept_ = (W[:, 1:], W[:, 0]) if self.fit_bias else (W, np.zeros(W.shape[0]))
        return self


class LMS(_Readout):
    """Least mean squares. learning_rate: step size mu > 0 (stable for mu < 2 / ||r||^2)."""

    def __init__(self, learning_rate: float = 1e-3, fit_bias: bool = True):
        self.learning_rate = learning_rate
        self.fit_bias = fit_bias

    def partial_fit(self, R: np.ndarray, Y: np.ndarray) -> "LMS":
        """One pass of stochastic gradient steps on 0.5 ||W r - y||^2 over the steps. Returns self."""
        if not self.learning_rate > 0:
            raise InvalidValueError(f"learning_rate: expected a value > 0, got {self.learning_rate!r}")
        R, Y = _pairs(R, Y)
        self._check_sizes(R, Y)
        mu = self.learning_rate
        for r, y in zip(R, Y):
            e = self.coef_ @ r + self.intercept_ - y  # (O,)
            self.coef_ -= mu * np.outer(e, r)
            if self.fit_bias:
                self.intercept_ -= mu * e
        return self
