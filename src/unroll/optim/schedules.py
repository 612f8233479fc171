"""Learning-rate schedules: pure functions of the step number.

A schedule is a callable `schedule(step) -> lr` with no hidden state, so resuming from a
checkpoint needs only the step, and schedules compose by wrapping one another. The training loop
sets the optimizer's rate before each step:

    schedule = LinearWarmup(CosineAnnealing(1e-3, t_max=10_000, eta_min=1e-5), warmup_steps=500)
    for step in range(n_steps):
        opt.lr = schedule(step)
        ...
        opt.step(grads)

`step` counts from 0 (the first update uses schedule(0)) and may count epochs instead of updates;
the values equal those of the torch.optim.lr_scheduler class named in each docstring after
`step` calls to its `.step()`.
"""
from __future__ import annotations

import math

import numpy as np

from .optimizers import _nonnegative
from ..errors import InvalidValueError, InvalidTypeError

__all__ = ["Schedule", "Constant", "StepDecay", "ExponentialDecay", "CosineAnnealing", "LinearWarmup"]


class Schedule:
    """Base class. Subclasses set `base_lr` (the rate at step 0, before warm-up) and `_lr`."""

    base_lr: float

    def __call__(self, step: int) -> float:
        """step: int >= 0. Returns the learning rate (float) for that step."""
        return self._lr(_count("step", step, minimum=0))

    def _lr(self, step: int) -> float:
        raise NotImplementedError


class Constant(Schedule):
    """lr(t) = base_lr. The schedule to wrap in a warm-up when nothing else is wanted."""

    def __init__(self, base_lr: float):
        self.base_lr = _nonnegative("base_lr", base_lr)

    def _lr(self, step):
        return self.base_lr


class StepDecay(Schedule):
    """lr(t) = base_lr * gamma ** floor(t / step_size)   (torch StepLR).

    base_lr: float >= 0. step_size: int > 0, steps between decays. gamma: float > 0, the factor.
    """

    def __init__(self, base_lr: float, step_size: int, gamma: float = 0.1):
        self.base_lr = _nonnegative("base_lr", base_lr)
        self.step_size = _count("step_size", step_size, minimum=1)
        self.gamma = _nonnegative("gamma", gamma, positive=True)

    def _lr(self, step):
        return self.base_lr * self.gamma ** (step // self.step_size)


class ExponentialDecay(Schedule):
    """lr(t) = base_lr * gamma ** t   (torch ExponentialLR). gamma: float > 0."""

    def __init__(self, base_lr: float, gamma: float):
        self.base_lr = _nonnegative("base_lr", base_lr)
        self.gamma = _nonnegative("gamma", gamma, positive=True)

    def _lr(self, step):
        return self.base_lr * self.gamma**step


class CosineAnnealing(Schedule):
    """lr(t) = eta_min + (base_lr - eta_min) (1 + cos(pi t / t_max)) / 2   (torch CosineAnnealingLR).

    base_lr: float >= 0. t_max: int > 0, steps from base_lr down to eta_min. eta_min: float >= 0.
    After t_max the cosine continues, rising back to base_lr at 2 t_max, exactly as torch does
    (SGDR-style without restarts); stop at t_max or wrap the step if that is not wanted.
    """

    def __init__(self, base_lr: float, t_max: int, eta_min: float = 0.0):
        self.base_lr = _nonnegative("base_lr", base_lr)
        self.t_max = _count("t_max", t_max, minimum=1)
        self.eta_min = _nonnegative("eta_min", eta_min)

    def _lr(self, step):
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * step / self.t_max)) / 2


class LinearWarmup(Schedule):
    """Ramp linearly up to another schedule, then hand over to it.

    lr(t) = after.base_lr * (start_factor + (1 - start_factor) t / warmup_steps)  for t < warmup_steps
    lr(t) = after(t - warmup_steps)                                              otherwise

    so `after` starts its own count at 0 when the warm-up ends (torch: SequentialLR of
    LinearLR(start_factor, 1.0, total_iters=warmup_steps) and `after`, milestone warmup_steps).
    after: Schedule. warmup_steps: int > 0. start_factor: float in (0, 1], the first step's
    fraction of the base rate.
    """

    def __init__(self, after: Schedule, warmup_steps: int, start_factor: float = 1.0 / 3):
        if not isinstance(after, Schedule):
            raise InvalidTypeError(f"after: expected a Schedule, got {type(after).__name__}")
        start_factor = _nonnegative("start_factor", start_factor, positive=True)
        if start_factor > 1:
            raise InvalidValueError(f"start_factor: expected a value in (0, 1], got {start_factor}")
        self.after, self.start_factor = after, start_factor
        self.warmup_steps = _count("warmup_steps", warmup_steps, minimum=1)
        self.base_lr = after.base_lr

    def _lr(self, step):
        if step >= self.warmup_steps:
            return self.after(step - self.warmup_steps)
        return self.base_lr * (self.start_factor + (1 - self.start_factor) * step / self.warmup_steps)


def _count(name: str, value, minimum: int) -> int:
    """Check an integer step count (bool is rejected though it is an int)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidTypeError(f"{name}: expected an int, got {type(value).__name__}")
    if value < minimum:
        raise InvalidValueError(f"{name}: expected an int >= {minimum}, got {value!r}")
    return int(value)
