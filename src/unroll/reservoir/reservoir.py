"""The reservoir of an echo state network: a fixed, random, sparse leaky-integrator RNN.

With state x (N,), input u (D,), fed-back output y (F,) and leak rate a (scalar or (N,)):

    x(t) = (1 - a) * x(t-1) + a * f(W x(t-1) + W_in u(t) + W_fb y(t-1) + b + v(t))

(Jaeger 2001, GMD Report 148; Lukoševičius 2012, "A practical guide to applying ESNs", eq. 2-3.)
W (N, N) is sparse and scaled to `spectral_radius`; W_in (N, D), W_fb (N, F) and b (N,) are
dense, uniform in [-1, 1] times `input_scaling`, `feedback_scaling` and `bias_scaling`; v(t) is
uniform state noise in [-noise, noise], added only while training (a regulariser that makes the
closed loop robust, Jaeger 2001 section 6.4). Nothing here is learned: the `_` attributes are
drawn once by `initialize` from `rng`.

Inside the runner the drive W_in u + W_fb y + b of every step is one GEMM before the loop, time
is the leading axis (T, B, N) so each step reads a contiguous slice, and each new state is
written straight into the output buffer. Public arrays are batch-first (B, T, N).
"""
from __future__ import annotations

import copy

import numpy as np

from .._checks import as_rng, check_array, check_dtype, check_option
from ..functional import activations
from ..functional.leaky_cell import leaky_update
from ..estimators import ParamsMixin
from .matrices import dense_uniform, matvec_add, product_form, sparse_recurrent
from ..errors import InvalidValueError


def reservoir_step(state, drive, W, leak_rate, activation, out=None):
    """One pure update of the leaky reservoir, x(t) = (1 - a) x(t-1) + a f(W x(t-1) + drive).

    state: (N,) or (B, N) previous states x(t-1).
    drive: same shape, the non-recurrent pre-activation W_in u(t) + W_fb y(t-1) + b (+ v(t)).
    W: (N, N) recurrent matrix (CSR or dense). leak_rate: scalar or (N,).
    activation: the function f, e.g. `unroll.functional.activations.activation("tanh")[0]` (which
    works in place on the fresh pre-activation, so a step allocates at most one array).
    out: optional buffer for the result (not aliasing state). Returns x(t), same shape;
    state and drive are not modified. The leaky mix is the leaky cell's (functional.leaky_cell).
    """
    new = activation(matvec_add(W, state, drive, out))  # f(W x + drive)
    return leaky_update(new, state, leak_rate, out=new if out is None else out)  # (1 - a) x + a f(...)


class Reservoir(ParamsMixin):
    """A fixed random recurrent layer of leaky-integrator units, run over one series or a batch.

    units: N. spectral_radius: rho(W) > 0 after rescaling. leak_rate: a in (0, 1], a scalar or
    one per unit (N,). input_scaling: scalar or one per input feature (D,). bias_scaling: b's
    scale (0 gives no bias). connectivity: fraction of non-zero entries of W in (0, 1]; degree:
    non-zeros per row instead (overrides connectivity). activation: "tanh", "relu" or
    "identity" (the table of unroll.functional.activations). noise: amplitude of the uniform
    state noise used while training. feedback_scaling: scale of W_fb for output feedback.
    rng: Generator or seed; `initialize` draws from a copy of a Generator, so the same
    parameters always give the same weights and `rng` itself never advances.
    dtype: float32 (default) or float64.
    Learned (drawn, never trained) by `initialize`: W_, W_in_, bias_, W_fb_, leak_, noise_rng_.
    """

    def __init__(self, units: int, spectral_radius: float = 0.9, leak_rate=1.0, input_scaling=1.0,
                 bias_scaling: float = 0.0, connectivity: float = 0.1, degree: int | None = None,
                 activation: str = "tanh", noise: float = 0.0, feedback_scaling: float = 0.0,
                 rng=None, dtype=np.float32):
        self.units = units
        self.spectral_radius = spectral_radius
        self.leak_rate = leak_rate
        self.input_scaling = input_scaling
        self.bias_scaling = bias_scaling
        self.connectivity = connectivity
        self.degree = degree
        self.activation = activation
        self.noise = noise
        self.feedback_scaling = feedback_scaling
        self.rng = rng
        self.dtype = dtype

    # -- construction -------------------------------------------------------------------------
    def _validate(self) -> None:
        if not isinstance(self.units, (int, np.integer)) or self.units < 1:
            raise InvalidValueError(f"units: expected a positive integer, got {self.units!r}")
        if not self.spectral_radius > 0:
            raise InvalidValueError(f"spectral_radius: expected a value > 0, got {self.spectral_radius!r}")
        leak = np.asarray(self.leak_rate, dtype=np.float64)
        if leak.shape not in ((), (self.units,)):
            raise InvalidValueError(f"leak_rate: expected a scalar or shape ({self.units},), got shape {leak.shape}")
        if not np.all((leak > 0) & (leak <= 1)):
            raise InvalidValueError(f"leak_rate: expected values in (0, 1], got {self.leak_rate!r}")
        if self.degree is not None:
            if not isinstance(self.degree, (int, np.integer)) or not 1 <= self.degree <= self.units:
                raise InvalidValueError(f"degree: expected an integer in [1, {self.units}], got {self.degree!r}")
        elif not 0 < self.connectivity <= 1:
            raise InvalidValueError(f"connectivity: expected a value in (0, 1], got {self.connectivity!r}")
        check_option("activation", self.activation, activations.ACTIVATION_NAMES)
        for name in ("bias_scaling", "noise", "feedback_scaling"):
            if not getattr(self, name) >= 0:
                raise InvalidValueError(f"{name}: expected a value >= 0, got {getattr(self, name)!r}")

    def initialize(self, input_size: int, feedback_size: int = 0) -> "Reservoir":
        """Draw W_ (N, N) sparse, W_in_ (N, D), bias_ (N,), W_fb_ (N, F) and keep the noise rng.

        input_size: D; feedback_size: F (0 without output feedback). Returns self.
        """
        self._validate()
        dtype = check_dtype(self.dtype)
        scaling = np.asarray(self.input_scaling, dtype=np.float64)
        if scaling.shape not in ((), (input_size,)):
            raise InvalidValueError(f"input_scaling: expected a scalar or shape ({input_size},), got shape {scaling.shape}")
        # A copy of a Generator: drawing must not advance the caller's (a parameter of this object)
        rng = as_rng(copy.deepcopy(self.rng) if isinstance(self.rng, np.random.Generator) else self.rng)
        n = self.units
        self.W_ = sparse_recurrent(n, self.spectral_radius, self.connectivity, self.degree, rng, dtype)
        self.W_in_ = dense_uniform((n, input_size), scaling, rng, dtype)
        self.bias_ = dense_uniform((n,), self.bias_scaling, rng, dtype)
        self.W_fb_ = dense_uniform((n, feedback_size), self.feedback_scaling, rng, dtype)
        self.leak_ = np.asarray(self.leak_rate, dtype=dtype)  # () or (N,)
        self.noise_rng_ = rng
        return self

    @property
    def input_size(self) -> int:
        return self.W_in_.shape[1]

    @property
    def feedback_size(self) -> int:
        return self.W_fb_.shape[1]

    # -- running ------------------------------------------------------------------------------
    def drive(self, X: np.ndarray, feedback: np.ndarray | None = None) -> np.ndarray:
        """The non-recurrent pre-activation of every step, time-major: (T, B, N).

        X: (B, T, D) inputs; feedback: (B, T, F) the values fed back at each step, or None.
        One GEMM for all steps instead of one product per step.
        """
        B, T = X.shape[:2]

        def project(Z, W):  # (B, T, K) -> (T, B, N) as one 2-D GEMM (a view for B = 1)
            return (Z.transpose(1, 0, 2).reshape(T * B, -1) @ W.T).reshape(T, B, -1)
        drive = project(X, self.W_in_)  # (T, B, N)
        if feedback is not None:
            drive += project(feedback, self.W_fb_)
        drive += self.bias_
        return drive

    def run(self, X: np.ndarray, state: np.ndarray | None = None, feedback: np.ndarray | None = None,
            training: bool = False) -> np.ndarray:
        """Run the reservoir over one series X (T, D) or a batch (B, T, D).

        state: initial states (N,) or (B, N); zeros when None.
        feedback: teacher values fed back through W_fb, same leading shape as X with F features,
            aligned so that feedback[t] enters the update of step t (i.e. y(t-1)).
        training: add the state noise (if `noise` > 0).
        Returns the states, (T, N) or (B, T, N); the last one is the state to continue from.
        Initialises the weights on first use from X's feature size (and feedback's).
        """
        single = isinstance(X, np.ndarray) and X.ndim == 2
        if not hasattr(self, "W_"):
            if not isinstance(X, np.ndarray) or X.ndim not in (2, 3):
                raise InvalidValueError(f"X: expected an array (T, D) or (B, T, D), got {getattr(X, 'shape', type(X).__name__)}")
            self.initialize(X.shape[-1], 0 if feedback is None else feedback.shape[-1])
        X, feedback, state = self._check_run_args(X, feedback, state, single)
        drive = self.drive(X, feedback)  # (T, B, N)
        if training and self.noise > 0:
            drive += self.noise_rng_.uniform(-self.noise, self.noise, size=drive.shape).astype(drive.dtype)
        if X.shape[0] == 1:  # one series: 1-D states, a matrix-vector product per step
            drive, state = drive[:, 0], state[0]  # (T, N), (N,)
        W, leak, phi = product_form(self.W_), self.leak_, activations.activation(self.activation)[0]
        out = np.empty_like(drive)  # (T, N) or (T, B, N)
        s = state
        for t in range(drive.shape[0]):
            s = reservoir_step(s, drive[t], W, leak, phi, out=out[t])
        if X.shape[0] == 1:
            return out if single else out[None]
        return np.ascontiguousarray(out.transpose(1, 0, 2))  # (B, T, N)

    def _check_run_args(self, X, feedback, state, single):
        dtype = check_dtype(self.dtype)
        n, d, f = self.units, self.input_size, self.feedback_size
        if single:
            X = check_array("X", X, (None, d), dtype)[None]
            if feedback is not None:
                feedback = check_array("feedback", feedback, (X.shape[1], f), dtype)[None]
        else:
            X = check_array("X", X, (None, None, d), dtype)
            if feedback is not None:
                feedback = check_array("feedback", feedback, (X.shape[0], X.shape[1], f), dtype)
        if X.shape[1] == 0:
            raise InvalidValueError("X: expected at least one time step, got an empty series (T = 0)")
        if f and feedback is None:
            raise InvalidValueError(f"feedback: this reservoir was built with {f} feedback features, got None")
        b = X.shape[0]
        if state is None:
            return X, feedback, np.zeros((b, n), dtype)
        state = check_array("state", state, (n,) if single else (b, n), dtype)
        return X, feedback, state.reshape(b, n)
