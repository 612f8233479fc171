"""Echo state network: a fixed Reservoir and a learned linear readout, with a scikit-learn API.

    esn = ESN(Reservoir(500, spectral_radius=1.25, leak_rate=0.3, rng=0), Ridge(1e-8))
    esn.fit(X, Y, warmup=100)        # X (B, T, D) or (T, D) or a list of series; returns self
    Y_hat = esn.predict(X_test)      # (B, T, O) or (T, O)
    future = esn.generate(500, seed=history)   # closed loop: (B, 500, O) or (500, O)

Two closed-loop arrangements, both "feed a value, update the state, read out the next value":
- autoregressive input (ReservoirPy, minimalESN): trained on X = u(t), Y = u(t+1), the output is
  fed back as the next input (needs O == D);
- output feedback (Jaeger 2001): `feedback=True` adds W_fb y(t-1) to the update; training is
  teacher-forced with the true Y(t-1) (zero at t = 0); generation feeds back the model's own
  output (needs D == 0 or no inputs at all: X=None).
Readout features are [x(t), x(t)^2, u(t)], the squares with `square_states` (the "augmented
state" nonlinear readout of Lukoševičius 2012, "A practical guide to applying ESNs": cheap, and
it breaks tanh's odd symmetry; on Mackey-Glass it cut the 84-step error 3-4x, docs/reservoir.md),
u(t) with `input_to_readout`; the readout adds the bias.

scikit-learn conventions (docs/reservoir.md): the constructor only stores its arguments, which
`get_params`/`set_params` expose (`reservoir__spectral_radius` reaches into the reservoir), so
`sklearn.base.clone` works. `fit` never touches the reservoir and readout it was given: it
works on copies, `reservoir_` and `readout_`, which every later call uses.
"""
from __future__ import annotations

import copy

import numpy as np

from .._checks import check_array
from ..functional import activations
from ..estimators import ParamsMixin, clone_estimator
from .matrices import product_form
from .readouts import Ridge
from .reservoir import Reservoir, reservoir_step
from ..errors import InvalidTypeError, InvalidValueError


def _as_batches(X, name):
    """A series (T, D), a batch (B, T, D) or a list of either -> list of 3-D batches."""
    items = X if isinstance(X, (list, tuple)) else [X]
    if not items:
        raise InvalidValueError(f"{name}: expected at least one series, got an empty list")
    out = []
    for item in items:
        if not isinstance(item, np.ndarray) or item.ndim not in (2, 3):
            raise InvalidValueError(f"{name}: expected arrays (T, D) or (B, T, D), got {getattr(item, 'shape', type(item).__name__)}")
        out.append(item[None] if item.ndim == 2 else item)
    return out


class ESN(ParamsMixin):
    """Echo state network. reservoir: a Reservoir, the specification of the fixed layer; fit
    uses a copy (with its weights if it is already initialised for the data's sizes, else drawn
    afresh from its rng). readout: Ridge (None: Ridge(1e-8)), RLS or LMS, cloned unfitted by fit.
    feedback: feed y(t-1) through W_fb. input_to_readout: concatenate the input to the readout
    features. square_states: also read out the element-wise squares x(t)^2 (2N state features).
    Learned: reservoir_ (the initialised copy of the reservoir), readout_ (the fitted copy of
    the readout), state_ (B, N) the last training states.
    """

    def __init__(self, reservoir: Reservoir, readout=None, feedback: bool = False, input_to_readout: bool = False,
                 square_states: bool = False):
        self.reservoir = reservoir
        self.readout = readout
        self.feedback = feedback
        self.input_to_readout = input_to_readout
        self.square_states = square_states

    # -- training ----------------------------------------------------------------------------
    def fit(self, X, Y, warmup: int = 0) -> "ESN":
        """Fit a copy of the readout on teacher-forced states of a copy of the reservoir.

        X: (T, D), (B, T, D), a list of such arrays, or None (no exogenous input: D = 0).
        Y: targets of the same layout with O features; step t's target is Y[t].
        warmup: leading steps of every series discarded from the regression (washout).
        Returns self; X, Y, `reservoir` and `readout` are left as they were.
        """
        Ys = _as_batches(Y, "Y")
        Xs = [np.zeros(y.shape[:2] + (0,), y.dtype) for y in Ys] if X is None else _as_batches(X, "X")
        if len(Xs) != len(Ys):
            raise InvalidValueError(f"X, Y: expected the same number of series, got {len(Xs)} and {len(Ys)}")
        if not isinstance(warmup, (int, np.integer)) or warmup < 0:
            raise InvalidValueError(f"warmup: expected an integer >= 0, got {warmup!r}")
        if not isinstance(self.reservoir, Reservoir):
            raise InvalidTypeError(f"reservoir: expected a Reservoir, got {type(self.reservoir).__name__}")
        if self.readout is not None and not hasattr(self.readout, "partial_fit"):
            raise InvalidTypeError(f"readout: expected Ridge, RLS, LMS or None, got {type(self.readout).__name__}")
        self.reservoir_ = res = self._copy_reservoir(Xs[0].shape[-1], Ys[0].shape[-1] if self.feedback else 0)
        self.readout_ = Ridge(1e-8) if self.readout is None else clone_estimator(self.readout)
        for X_b, Y_b in zip(Xs, Ys):
            check_array("Y", Y_b, X_b.shape[:2] + (None,), res.dtype)
            if warmup >= X_b.shape[1]:
                raise InvalidValueError(f"warmup: expected fewer steps than the series length {X_b.shape[1]}, got {warmup}")
            states = self._teacher_forced(X_b, Y_b, None, training=True)  # (B, T, N)
            self.readout_.partial_fit(self._features(states, X_b)[:, warmup:], Y_b[:, warmup:])
            self.state_ = states[:, -1]  # (B, N)
        return self

    def _copy_reservoir(self, input_size: int, feedback_size: int) -> Reservoir:
        """The reservoir_ of a fit: a deep copy of `reservoir` when it is initialised for these
        sizes (weights set or drawn by the caller are kept), else an unfitted clone drawn now."""
        res = self.reservoir
        if hasattr(res, "W_") and res.input_size == input_size and res.feedback_size == feedback_size:
            return copy.deepcopy(res)
        return clone_estimator(res).initialize(input_size, feedback_size)

    def _teacher_forced(self, X, Y, state, training):
        """Reservoir states (B, T, N) for inputs X (B, T, D) with, under feedback, the true
        Y(t-1) (B, T, O) fed back (zero at t = 0)."""
        fb = np.concatenate([np.zeros_like(Y[:, :1]), Y[:, :-1]], axis=1) if self.feedback else None
        return self.reservoir_.run(X, state, feedback=fb, training=training)

    def states(self, X, Y, state: np.ndarray | None = None) -> np.ndarray:
        """Teacher-forced states of a fitted ESN, as `fit` sees them but without training noise.

        X: (T, D) or (B, T, D) inputs, or None (no exogenous input). Y: the true outputs (T, O)
        or (B, T, O); with feedback, Y(t-1) is fed back at step t, otherwise Y is only checked.
        state: (N,) or (B, N) state before the first step; zeros when None.
        Returns (T, N) or (B, T, N). states[t] is the state whose readout predicts Y[t], so
        `generate(n, seed=Y[t:t+1], state=states[t])` continues the series after Y[t].
        """
        self._check_fitted()
        single = isinstance(Y, np.ndarray) and Y.ndim == 2
        Y3 = _as_batches(Y, "Y")[0]
        res = self.reservoir_
        X3 = np.zeros(Y3.shape[:2] + (0,), res.dtype) if X is None else _as_batches(X, "X")[0]
        check_array("Y", Y3, X3.shape[:2] + (self.readout_.coef_.shape[0],), res.dtype)
        if state is not None:
            state = self._initial_state(state, X3.shape[0], single)
        out = self._teacher_forced(X3, Y3, state, training=False)  # (B, T, N)
        return out[0] if single else out

    def _features(self, states, X):
        parts = [states]
        if self.square_states:
            parts.append(states * states)
        if self.input_to_readout:
            parts.append(X)
        return np.concatenate(parts, axis=-1) if len(parts) > 1 else states  # (B, T, N[+N][+D])

    def _check_fitted(self):
        if not hasattr(self, "readout_"):
            raise InvalidValueError("ESN: expected a fitted model, call fit first")

    # -- inference ---------------------------------------------------------------------------
    def predict(self, X, state: np.ndarray | None = None) -> np.ndarray:
        """Outputs (T, O) or (B, T, O) for inputs X (T, D) or (B, T, D), from `state` (N,) or (B, N).

        With feedback, each step feeds back the previous prediction (zero before the first).
        """
        self._check_fitted()
        if not self.feedback:
            states = self.reservoir_.run(X, state)
            return self.readout_.predict(self._features(states, X))
        single = isinstance(X, np.ndarray) and X.ndim == 2
        X3 = _as_batches(X, "X")[0]
        res = self.reservoir_
        check_array("X", X3, (None, None, res.input_size), res.dtype)
        s = self._initial_state(state, X3.shape[0], single)
        y0 = np.zeros((X3.shape[0], self.readout_.coef_.shape[0]), res.dtype)  # (B, O)
        out = self._loop(s, y0, X3, X3.shape[1])
        return out[0] if single else out

    def generate(self, n_steps: int, seed: np.ndarray, state: np.ndarray | None = None) -> np.ndarray:
        """Closed-loop (free-running) prediction of the next n_steps values after `seed`.

        seed: (T, O) or (B, T, O), the recent history of the generated signal; it is fed in
            teacher-forced (as input, or as feedback with `feedback=True`), then every output
            is fed back. Use seed = the last target and state = esn.state_ to continue a fit.
        state: (N,) or (B, N) state before the seed; zeros when None.
        Returns (n_steps, O) or (B, n_steps, O).
        """
        self._check_fitted()
        if not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
            raise InvalidValueError(f"n_steps: expected an integer >= 1, got {n_steps!r}")
        res, o = self.reservoir_, self.readout_.coef_.shape[0]
        if not self.feedback and res.input_size != o:
            raise InvalidValueError(f"generate: feeding outputs back as inputs needs as many outputs as inputs, "
                                    f"got {o} outputs and {res.input_size} inputs (use feedback=True?)")
        if self.feedback and res.input_size != 0:
            raise InvalidValueError(f"generate: with feedback the model must have no exogenous input, got {res.input_size}")
        single = isinstance(seed, np.ndarray) and seed.ndim == 2
        seed3 = _as_batches(seed, "seed")[0]
        check_array("seed", seed3, (None, None, o), res.dtype)
        if seed3.shape[1] == 0:
            raise InvalidValueError("seed: expected at least one step, got T = 0")
        if state is not None and single:
            state = check_array("state", state, (res.units,), res.dtype)[None]  # (1, N)
        if self.feedback:  # the seed value fed at step t is the output of step t-1
            states = res.run(np.zeros(seed3.shape[:2] + (0,), res.dtype), state, feedback=seed3)
        else:
            states = res.run(seed3, state)
        first = self.readout_.predict(self._features(states[:, -1:], seed3[:, -1:] if not self.feedback
                                                     else seed3[:, -1:, :0]))  # (B, 1, O)
        rest = self._loop(states[:, -1], first[:, 0], None, n_steps - 1)
        out = np.concatenate([first, rest], axis=1)  # (B, n_steps, O)
        return out[0] if single else out

    def _initial_state(self, state, batch, single):
        n, dtype = self.reservoir_.units, self.reservoir_.dtype
        if state is None:
            return np.zeros((batch, n), dtype)
        state = check_array("state", state, (n,) if single else (batch, n), dtype)
        return state.reshape(batch, n)  # (B, N)

    def _loop(self, s, y, X, n_steps):
        """Step by step from states s (B, N) and last outputs y (B, O); the output is fed back
        (through W_fb with feedback, else as the next input). X: (B, T, D) exogenous or None.
        Returns (B, n_steps, O). A batch of one runs on 1-D vectors (cheaper products)."""
        res, ro = self.reservoir_, self.readout_
        batch, n = s.shape[0], res.units
        one = batch == 1
        if one:
            s, y = s[0], y[0]  # (N,), (O,)
        W, leak, act = product_form(res.W_), res.leak_, activations.activation(res.activation)[0]
        coef = ro.coef_.astype(res.dtype)
        m = 2 * n if self.square_states else n
        W_xT, W_sT, W_uT = coef[:, :n].T.copy(), coef[:, n:m].T.copy(), coef[:, m:].T.copy()  # (N|N|D, O)
        W_yT = (res.W_fb_ if self.feedback else res.W_in_).T.copy()  # (O, N): how the output re-enters
        intercept = ro.intercept_.astype(res.dtype)
        drive = res.drive(X) if X is not None else None  # (T, B, N)
        out = np.empty((n_steps,) + y.shape, res.dtype)  # (T, [B,] O)
        for t in range(n_steps):
            d = y @ W_yT  # (B, N)
            if drive is None:  # closed loop: the output is the only thing fed in (plus bias)
                d += res.bias_
                u = y if not self.feedback else None
            else:
                d += drive[t, 0] if one else drive[t]
                u = X[0, t] if one else X[:, t]  # (B, D)
            s = reservoir_step(s, d, W, leak, act)
            y = s @ W_xT  # (B, O)
            if self.square_states:
                y += (s * s) @ W_sT
            if self.input_to_readout and u is not None and u.shape[-1]:
                y += u @ W_uT
            y += intercept
            out[t] = y
        return out[None] if one else out.transpose(1, 0, 2)
