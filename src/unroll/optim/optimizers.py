"""Optimizers over plain parameter dicts: SGD, Adagrad, RMSProp, Adam, AdamW.

An optimizer is built from a module's parameter dict (`name -> np.ndarray`) and stepped with a
gradient dict that has the same keys:

    opt = Adam(model.params, lr=1e-3)
    ...forward, backward...
    opt.step(model.grads)

Gradients are passed to `step` rather than bound at construction, so it is visible at the call
site which gradients move the weights (after clipping, say), and a gradient dict that a module
rebuilds between steps is never stale.

Parameters are updated in place, because composite modules share one array under several names.
An array that appears under several names (an alias, e.g. tied embedding and output weights) is
updated once, under its first name, and its gradient must be the same array under every name.

Each update follows torch.optim's single-tensor algorithm term for term (same eps placement, bias
correction, weight-decay coupling and first-step momentum), so trajectories agree with PyTorch
to rounding; `docs/optim.md` gives the equations. Notation in comments: p parameter, g gradient,
t the step number counted from 1.
"""
from __future__ import annotations

import math

import numpy as np
from ..errors import InvalidValueError, InvalidTypeError

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSProp", "Adam", "AdamW"]


class Optimizer:
    """Base class: parameter bookkeeping, input checks, step counting and (de)serialisation.

    Subclasses list their hyperparameters in `hyperparameters` (stored as attributes, written
    to `state_dict`), create their per-parameter slots in `_init_state` and apply one update in
    `_update`.
    """

    hyperparameters: tuple[str, ...] = ()

    def __init__(self, params: dict, lr: float):
        """params: dict name -> float ndarray of any shape, updated in place. lr: float >= 0."""
        if not isinstance(params, dict) or not params:
            raise InvalidTypeError(f"params: expected a non-empty dict name -> ndarray, got {params!r:.80}")
        self.params = {}  # name -> array, each array once (aliases dropped)
        self.aliases = {}  # alias name -> name it is updated under
        first_name = {}  # id(array) -> first name seen
        for name, p in params.items():
            if not isinstance(p, np.ndarray) or p.dtype not in (np.float32, np.float64):
                raise InvalidTypeError(f"params[{name!r}]: expected a float32/float64 ndarray, got {_describe(p)}")
            if id(p) in first_name:
                self.aliases[name] = first_name[id(p)]
            else:
                first_name[id(p)] = name
                self.params[name] = p
        self.lr = lr
        self.step_count = 0  # t of the last step taken; every parameter steps together
        self.state = {name: self._init_state(p) for name, p in self.params.items()}

    @property
    def lr(self) -> float:
        """Learning rate used by the next `step`; schedules set it."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _nonnegative("lr", value)

    def _init_state(self, p: np.ndarray) -> dict:
        """Per-parameter slots (slot name -> array shaped like p)."""
        return {}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        raise NotImplementedError

    def step(self, grads: dict) -> None:
        """Update every parameter in place from grads: dict with exactly the keys of params.

        grads is read, never modified. Each gradient has its parameter's shape and dtype.
        """
        self._check_grads(grads)
        self.step_count += 1
        for name, p in self.params.items():
            self._update(p, grads[name], self.state[name])

    def _check_grads(self, grads: dict) -> None:
        if not isinstance(grads, dict):
            raise InvalidTypeError(f"grads: expected a dict name -> ndarray, got {type(grads).__name__}")
        expected = set(self.params) | set(self.aliases)
        if set(grads) != expected:
            missing, extra = sorted(expected - set(grads)), sorted(set(grads) - expected)
            raise InvalidValueError(f"grads: keys must match params; missing {missing}, unexpected {extra}")
        for name, p in self.params.items():
            g = grads[name]
            if not isinstance(g, np.ndarray) or g.shape != p.shape or g.dtype != p.dtype:
                raise InvalidValueError(f"grads[{name!r}]: expected {p.dtype} array of shape {p.shape}, got {_describe(g)}")
        for alias, name in self.aliases.items():
            if grads[alias] is not grads[name]:
                raise InvalidValueError(f"grads[{alias!r}]: params[{alias!r}] is params[{name!r}], so its gradient "
                                        f"must be the same array as grads[{name!r}], got a different array")

    def state_dict(self) -> dict:
        """Everything needed to resume, as plain data (no pickle needed):

        {"tensors": {"<param name>.<slot>": ndarray}, "scalars": {"lr", "step", hyperparameters}}.
        The arrays are copies. A checkpoint can store tensors in safetensors and scalars in JSON.
        """
        tensors = {f"{name}.{slot}": a.copy() for name, slots in self.state.items() for slot, a in slots.items()}
        scalars = {"lr": self.lr, "step": self.step_count}
        scalars.update({h: getattr(self, h) for h in self.hyperparameters})
        return {"tensors": tensors, "scalars": scalars}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what `state_dict` returned (as torch does, hyperparameters are restored too).

        Raises ValueError naming the expected and the found keys, shapes or dtypes on a mismatch.
        """
        if not isinstance(state_dict, dict) or set(state_dict) != {"tensors", "scalars"}:
            raise InvalidValueError(f"state_dict: expected a dict with keys ['scalars', 'tensors'], got {state_dict!r:.80}")
        tensors, scalars = state_dict["tensors"], state_dict["scalars"]
        expected = {f"{name}.{slot}": a for name, slots in self.state.items() for slot, a in slots.items()}
        if set(tensors) != set(expected):
            raise InvalidValueError(f"optimizer state: expected tensors {sorted(expected)}, got {sorted(tensors)} "
                                    "(build the optimizer on the same params with the same momentum/centered/amsgrad)")
        want_scalars = {"lr", "step", *self.hyperparameters}
        if set(scalars) != want_scalars:
            raise InvalidValueError(f"optimizer state: expected scalars {sorted(want_scalars)}, got {sorted(scalars)}")
        for key, a in expected.items():
            t = np.asarray(tensors[key])
            if t.shape != a.shape or t.dtype != a.dtype:
                raise InvalidValueError(f"optimizer state {key!r}: expected {a.dtype} {a.shape}, got {t.dtype} {t.shape}")
        for key, a in expected.items():
            np.copyto(a, tensors[key])
        for h in self.hyperparameters:
            setattr(self, h, scalars[h])
        self.lr, self.step_count = float(scalars["lr"]), int(scalars["step"])

    def __repr__(self) -> str:
        hyper = ", ".join(f"{h}={getattr(self, h)!r}" for h in ("lr", *self.hyperparameters))
        return f"{type(self).__name__}({len(self.params)} params, {hyper})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, dampening, Nesterov and L2 decay.

    params: dict name -> ndarray. lr: learning rate >= 0. momentum: mu in [0, 1).
    dampening: tau, scales the new gradient in the buffer after the first step.
    weight_decay: lambda, L2 coefficient added to the gradient. nesterov: look-ahead momentum
    (needs momentum > 0 and dampening == 0, as in torch).
    """

    hyperparameters = ("momentum", "dampening", "weight_decay", "nesterov")

    def __init__(self, params: dict, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        self.momentum = _nonnegative("momentum", momentum)
        self.dampening = float(dampening)
        self.weight_decay = _nonnegative("weight_decay", weight_decay)
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise InvalidValueError(f"nesterov: needs momentum > 0 and dampening == 0, "
                                    f"got momentum={momentum}, dampening={dampening}")
        super().__init__(params, lr)

    def _init_state(self, p):
        return {"momentum_buffer": np.zeros_like(p)} if self.momentum else {}

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p  # L2 penalty folded into the gradient
        if self.momentum:
            b = state["momentum_buffer"]
            if self.step_count == 1:
                b[...] = g  # torch starts the buffer at the first gradient, undamped
            else:
                b *= self.momentum
                b += (1 - self.dampening) * g  # b_t = mu b_{t-1} + (1 - tau) g_t
            g = g + self.momentum * b if self.nesterov else b
        p -= self.lr * g


class Adagrad(Optimizer):
    """Adagrad: per-element step lr / (sqrt(sum of squared gradients) + eps).

    lr_decay: the step lr / (1 + (t - 1) lr_decay). initial_accumulator_value: start of the sum.
    weight_decay: L2 coefficient added to the gradient. eps: added after the square root.
    """

    hyperparameters = ("lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def __init__(self, params: dict, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10):
        self.lr_decay = _nonnegative("lr_decay", lr_decay)
        self.weight_decay = _nonnegative("weight_decay", weight_decay)
        self.initial_accumulator_value = _nonnegative("initial_accumulator_value", initial_accumulator_value)
        self.eps = _nonnegative("eps", eps)
        super().__init__(params, lr)

    def _init_state(self, p):
        return {"sum": np.full_like(p, self.initial_accumulator_value)}

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p
        step_lr = self.lr / (1 + (self.step_count - 1) * self.lr_decay)
        state["sum"] += g * g
        p -= step_lr * g / (np.sqrt(state["sum"]) + self.eps)


class RMSProp(Optimizer):
    """RMSProp: divide the gradient by a running root mean square of recent gradients.

    alpha: smoothing constant of the mean square. eps: added after the square root.
    weight_decay: L2 coefficient added to the gradient. momentum: buffer of the scaled steps.
    centered: subtract the squared running mean gradient (estimates the variance instead).
    """

    hyperparameters = ("alpha", "eps", "weight_decay", "momentum", "centered")

    def __init__(self, params: dict, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        self.alpha = _nonnegative("alpha", alpha)
        self.eps = _nonnegative("eps", eps)
        self.weight_decay = _nonnegative("weight_decay", weight_decay)
        self.momentum = _nonnegative("momentum", momentum)
        self.centered = bool(centered)
        super().__init__(params, lr)

    def _init_state(self, p):
        state = {"square_avg": np.zeros_like(p)}
        if self.momentum:
            state["momentum_buffer"] = np.zeros_like(p)
        if self.centered:
            state["grad_avg"] = np.zeros_like(p)
        return state

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p
        v = state["square_avg"]
        v *= self.alpha
        v += (1 - self.alpha) * g * g  # v_t = alpha v_{t-1} + (1 - alpha) g^2
        if self.centered:
            m = state["grad_avg"]
            m *= self.alpha
            m += (1 - self.alpha) * g
            denom = np.sqrt(v - m * m) + self.eps  # sqrt of the variance estimate
        else:
            denom = np.sqrt(v) + self.eps
        if self.momentum:
            b = state["momentum_buffer"]
            b *= self.momentum
            b += g / denom
            p -= self.lr * b
        else:
            p -= self.lr * g / denom


class Adam(Optimizer):
    """Adam with bias-corrected moment estimates, optional AMSGrad and L2 weight decay.

    betas: (beta1, beta2) decay rates of the first and second moments. eps: added to the
    bias-corrected root of the second moment. weight_decay: L2 coefficient added to the gradient
    (coupled: it passes through the adaptive scaling; see AdamW for the decoupled form).
    amsgrad: divide by the running maximum of the second moment instead.
    """

    hyperparameters = ("betas", "eps", "weight_decay", "amsgrad")
    decoupled_weight_decay = False

    def __init__(self, params: dict, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise InvalidValueError(f"betas: expected two values in [0, 1), got {betas!r}")
        self.betas = [float(b) for b in betas]  # a list, so state_dict scalars are JSON as written
        self.eps = _nonnegative("eps", eps)
        self.weight_decay = _nonnegative("weight_decay", weight_decay)
        self.amsgrad = bool(amsgrad)
        super().__init__(params, lr)

    def _init_state(self, p):
        state = {"exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(p)
        return state

    def _update(self, p, g, state):
        beta1, beta2 = self.betas
        if self.weight_decay and self.decoupled_weight_decay:
            p *= 1 - self.lr * self.weight_decay  # shrink the weights directly, outside the scaling
        elif self.weight_decay:
            g = g + self.weight_decay * p
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * g  # m_t = beta1 m_{t-1} + (1 - beta1) g
        v *= beta2
        v += (1 - beta2) * g * g  # v_t = beta2 v_{t-1} + (1 - beta2) g^2
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        t = self.step_count
        # m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t);
        # eps is added after the bias correction of the root, as in torch.
        denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + self.eps
        p -= (self.lr / (1 - beta1**t)) * m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay: p <- p (1 - lr wd) before the Adam step (Loshchilov & Hutter).

    Same arguments as Adam; weight_decay defaults to 1e-2 as in torch.
    """

    decoupled_weight_decay = True

    def __init__(self, params: dict, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


def _nonnegative(name: str, value, positive: bool = False) -> float:
    """Check a scalar hyperparameter: a finite number >= 0 (> 0 when positive=True)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise InvalidTypeError(f"{name}: expected a number, got {type(value).__name__}")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise InvalidValueError(f"{name}: expected a finite value {'> 0' if positive else '>= 0'}, got {value}")
    return float(value)


def _describe(x) -> str:
    if isinstance(x, np.ndarray):
        return f"{x.dtype} array of shape {x.shape}"
    return type(x).__name__
