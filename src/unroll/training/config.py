"""The configuration of a character-level language-model run, and what is built from it.

One dataclass holds every choice (model, data, optimiser, budget), is checked once, and is written
into each checkpoint as JSON, so a run can be rebuilt and resumed from its checkpoint alone.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from .. import optim
from ..nn import registry
from .._checks import check_option
from ..errors import InvalidValueError

OPTIMIZERS = {"sgd": optim.SGD, "adagrad": optim.Adagrad, "rmsprop": optim.RMSProp, "adam": optim.Adam,
              "adamw": optim.AdamW}
SCHEDULES = ("constant", "cosine")


@dataclass
class TrainConfig:
    """Everything a run needs. Model: cell, hidden_size, num_layers, embedding_dim (None: one-hot
    input), dropout, variational. Data: lines (one sequence per line, else one stream), lowercase,
    seq_len (truncated-BPTT length), batch_size, val_fraction (held out: the last part of the
    stream, or a seeded random part of the lines). Optimiser: optimizer, lr, momentum (SGD),
    weight_decay, schedule ('constant' or 'cosine' down to min_lr), warmup_steps, clip_value
    (element-wise) or clip_norm (global). Budget: epochs, minutes, max_steps (training stops at the
    first reached; at least one is needed). Bookkeeping: eval_every (steps; None = every epoch),
    patience (evaluations without improvement before early stopping; None = never),
    checkpoint_every (steps), seed."""

    cell: str = "lstm"
    hidden_size: int = 128
    num_layers: int = 1
    embedding_dim: int | None = 32
    dropout: float = 0.0
    variational: bool = False
    lines: bool = False
    lowercase: bool = False
    seq_len: int = 100
    batch_size: int = 32
    val_fraction: float = 0.1
    optimizer: str = "adam"
    lr: float = 2e-3
    momentum: float = 0.0
    weight_decay: float = 0.0
    schedule: str = "constant"
    min_lr: float = 0.0
    warmup_steps: int = 0
    clip_value: float | None = None
    clip_norm: float | None = 5.0
    epochs: int | None = None
    minutes: float | None = None
    max_steps: int | None = None
    eval_every: int | None = None
    patience: int | None = None
    checkpoint_every: int = 500
    seed: int = 0

    def __post_init__(self):
        registry.get(self.cell)
        check_option("optimizer", self.optimizer, set(OPTIMIZERS))
        check_option("schedule", self.schedule, set(SCHEDULES))
        for name in ("hidden_size", "num_layers", "seq_len", "batch_size", "checkpoint_every"):
            if getattr(self, name) < 1:
                raise InvalidValueError(f"{name}: expected >= 1, got {getattr(self, name)}")
        for name in ("epochs", "max_steps", "eval_every", "patience", "embedding_dim"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise InvalidValueError(f"{name}: expected >= 1 or None, got {getattr(self, name)}")
        if self.minutes is not None and not self.minutes > 0:
            raise InvalidValueError(f"minutes: expected > 0, got {self.minutes}")
        if not 0.0 <= self.val_fraction < 1.0:
            raise InvalidValueError(f"val_fraction: expected a fraction in [0, 1), got {self.val_fraction}")
        if not self.lr > 0:
            raise InvalidValueError(f"lr: expected > 0, got {self.lr}")
        if self.clip_value is not None and self.clip_norm is not None:
            raise InvalidValueError(f"clip_value and clip_norm: expected at most one, "
                                    f"got {self.clip_value} and {self.clip_norm}")
        for name in ("clip_value", "clip_norm"):
            if getattr(self, name) is not None and not getattr(self, name) > 0:
                raise InvalidValueError(f"{name}: expected > 0, got {getattr(self, name)}")
        if self.epochs is None and self.minutes is None and self.max_steps is None:
            raise InvalidValueError("budget: expected at least one of epochs, minutes or max_steps, got none")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "TrainConfig":
        """Rebuild from `to_dict` output, rejecting unknown keys by name."""
        unknown = sorted(set(values) - {f.name for f in fields(cls)})
        if unknown:
            raise InvalidValueError(f"config: unknown keys {unknown}")
        return cls(**values)

    def replace(self, **changes) -> "TrainConfig":
        return TrainConfig.from_dict({**self.to_dict(), **changes})


def build_optimizer(config: TrainConfig, params: dict) -> optim.Optimizer:
    """The optimiser named by the config, over params (name -> array)."""
    kwargs = {"lr": config.lr}
    if config.weight_decay:
        kwargs["weight_decay"] = config.weight_decay
    if config.optimizer == "sgd" and config.momentum:
        kwargs["momentum"] = config.momentum
    return OPTIMIZERS[config.optimizer](params, **kwargs)


def build_schedule(config: TrainConfig, steps_per_epoch: int) -> optim.Schedule:
    """The learning rate per step. The cosine's length is epochs * steps_per_epoch, else max_steps
    (so max_steps alone can cut a run short without changing its schedule); past it the rate
    stays at min_lr."""
    if config.schedule == "constant":
        schedule = optim.Constant(config.lr)
    else:
        horizon = config.epochs * steps_per_epoch if config.epochs else config.max_steps
        if not horizon:
            raise InvalidValueError("schedule 'cosine': expected epochs or max_steps to fix its length, got a time "
                                    "budget only")
        schedule = _Clamped(optim.CosineAnnealing(config.lr, max(horizon - config.warmup_steps, 1), config.min_lr))
    return optim.LinearWarmup(schedule, config.warmup_steps) if config.warmup_steps else schedule


class _Clamped(optim.Schedule):
    """A cosine that stays at its end value after t_max instead of rising again."""

    def __init__(self, cosine: optim.CosineAnnealing):
        self.cosine, self.base_lr = cosine, cosine.base_lr

    def _lr(self, step):
        return self.cosine(min(step, self.cosine.t_max))
