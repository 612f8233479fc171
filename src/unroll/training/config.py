"""Run configurations: the optimisation settings any task shares, and the char-LM run's config.

`Optimisation` (optimiser, learning rate and schedule, clipping) builds the optimiser, the schedule
and the `Clipping` of a `Trainer`; the lab uses it too. `TrainConfig` is the character-level
language model's run, in groups:

    TrainConfig(model=CharModel(cell="gru", hidden_size=128),
                data=CharData(lines=True, lowercase=True),
                optim=Optimisation(lr=3e-3, schedule="cosine"),
                budget=Budget(epochs=20), validation=Validation(eval_every=200), seed=0)

Each group is checked when it is made. `to_dict` gives nested JSON (one object per group), written
into each checkpoint so a run can be rebuilt and resumed from its checkpoint alone; `from_dict`
reads that, the flat form of checkpoints written before the groups (every field at the top level;
field names are unique across groups), or a mix of both, flat keys overriding; `replace` takes
flat field names (`config.replace(max_steps=100, seed=1)`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from .. import optim
from .._checks import check_option
from ..errors import InvalidTypeError, InvalidValueError
from ..nn import registry
from .loop import Budget, Clipping, Validation

__all__ = ["Optimisation", "CharModel", "CharData", "TrainConfig", "OPTIMIZERS", "SCHEDULES"]

OPTIMIZERS = {"sgd": optim.SGD, "adagrad": optim.Adagrad, "rmsprop": optim.RMSProp, "adam": optim.Adam,
              "adamw": optim.AdamW}
SCHEDULES = ("constant", "cosine")


def _positive_ints(group, names) -> None:
    for name in names:
        value = getattr(group, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidValueError(f"{name}: expected an int >= 1, got {value!r}")


@dataclass(frozen=True)
class Optimisation:
    """optimizer (a key of OPTIMIZERS), lr, momentum (SGD), weight_decay; schedule 'constant' or
    'cosine' down to min_lr, after warmup_steps of linear warm-up; clip_value (element-wise) or
    clip_norm (global norm), at most one."""

    optimizer: str = "adam"
    lr: float = 2e-3
    momentum: float = 0.0
    weight_decay: float = 0.0
    schedule: str = "constant"
    min_lr: float = 0.0
    warmup_steps: int = 0
    clip_value: float | None = None
    clip_norm: float | None = 5.0

    def __post_init__(self):
        check_option("optimizer", self.optimizer, set(OPTIMIZERS))
        check_option("schedule", self.schedule, set(SCHEDULES))
        if not self.lr > 0:
            raise InvalidValueError(f"lr: expected > 0, got {self.lr}")
        self.clipping()  # checks the pair

    def build(self, params: dict) -> optim.Optimizer:
        """The optimiser over params (name -> array)."""
        kwargs = {"lr": self.lr}
        if self.weight_decay:
            kwargs["weight_decay"] = self.weight_decay
        if self.optimizer == "sgd" and self.momentum:
            kwargs["momentum"] = self.momentum
        return OPTIMIZERS[self.optimizer](params, **kwargs)

    def build_schedule(self, budget: Budget, steps_per_epoch: int) -> optim.Schedule:
        """The learning rate per step. The cosine's length is epochs * steps_per_epoch, else max_steps
        (so max_steps alone can cut a run short without changing its schedule); past it the rate
        stays at min_lr."""
        if self.schedule == "constant":
            schedule = optim.Constant(self.lr)
        else:
            horizon = budget.epochs * steps_per_epoch if budget.epochs else budget.max_steps
            if not horizon:
                raise InvalidValueError("schedule 'cosine': expected epochs or max_steps to fix its length, got a "
                                        "time budget only")
            schedule = _Clamped(optim.CosineAnnealing(self.lr, max(horizon - self.warmup_steps, 1), self.min_lr))
        return optim.LinearWarmup(schedule, self.warmup_steps) if self.warmup_steps else schedule

    def clipping(self) -> Clipping:
        return Clipping(value=self.clip_value, norm=self.clip_norm)


class _Clamped(optim.Schedule):
    """A cosine that stays at its end value after t_max instead of rising again."""

    def __init__(self, cosine: optim.CosineAnnealing):
        self.cosine, self.base_lr = cosine, cosine.base_lr

    def _lr(self, step):
        return self.cosine(min(step, self.cosine.t_max))


@dataclass(frozen=True)
class CharModel:
    """cell (a registered cell name), hidden_size, num_layers, embedding_dim (None: one-hot input),
    dropout, variational: the arguments of `unroll.models.CharLM`."""

    cell: str = "lstm"
    hidden_size: int = 128
    num_layers: int = 1
    embedding_dim: int | None = 32
    dropout: float = 0.0
    variational: bool = False

    def __post_init__(self):
        registry.get(self.cell)
        _positive_ints(self, ("hidden_size", "num_layers"))
        if self.embedding_dim is not None:
            _positive_ints(self, ("embedding_dim",))


@dataclass(frozen=True)
class CharData:
    """lines (one sequence per line, else one stream), lowercase, seq_len (truncated-BPTT length),
    batch_size, val_fraction (held out: the last part of the stream, or a seeded random part of
    the lines)."""

    lines: bool = False
    lowercase: bool = False
    seq_len: int = 100
    batch_size: int = 32
    val_fraction: float = 0.1

    def __post_init__(self):
        _positive_ints(self, ("seq_len", "batch_size"))
        if not 0.0 <= self.val_fraction < 1.0:
            raise InvalidValueError(f"val_fraction: expected a fraction in [0, 1), got {self.val_fraction}")


@dataclass(frozen=True)
class TrainConfig:
    """A character-level language-model run: model, data, optim, budget and validation groups,
    checkpoint_every (steps) and seed (initialisation, data order, dropout)."""

    model: CharModel = field(default_factory=CharModel)
    data: CharData = field(default_factory=CharData)
    optim: Optimisation = field(default_factory=Optimisation)
    budget: Budget = field(default_factory=lambda: Budget(epochs=10))
    validation: Validation = field(default_factory=Validation)
    checkpoint_every: int = 500
    seed: int = 0

    def __post_init__(self):
        for name, kind in GROUPS.items():
            if not isinstance(getattr(self, name), kind):
                raise InvalidTypeError(f"{name}: expected {kind.__name__}, got {type(getattr(self, name)).__name__}")
        _positive_ints(self, ("checkpoint_every",))

    def to_dict(self) -> dict:
        """Nested JSON-ready dict: one object per group, then checkpoint_every and seed."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "TrainConfig":
        """Rebuild from `to_dict` output or the flat form (see the module docstring); unknown keys are
        rejected by name."""
        groups = {name: dict(values.get(name, {})) for name in GROUPS}
        top = {}
        for key, value in values.items():
            if key in GROUPS:
                continue
            if key in FLAT:
                groups[FLAT[key]][key] = value
            elif key in TOP_LEVEL:
                top[key] = value
            else:
                raise InvalidValueError(f"config: unknown key {key!r}")
        for name, kind in GROUPS.items():
            unknown = sorted(set(groups[name]) - {f.name for f in fields(kind)})
            if unknown:
                raise InvalidValueError(f"config {name}: unknown keys {unknown}")
        # a group with no keys at all keeps its default (the budget's is 10 epochs, not "none")
        return cls(**{name: kind(**groups[name]) for name, kind in GROUPS.items() if groups[name]}, **top)

    def replace(self, **changes) -> "TrainConfig":
        """A copy with fields changed by their flat names (lr=..., epochs=..., seed=...)."""
        return TrainConfig.from_dict({**self.to_dict(), **changes})


GROUPS = {"model": CharModel, "data": CharData, "optim": Optimisation, "budget": Budget, "validation": Validation}
FLAT = {f.name: group for group, kind in GROUPS.items() for f in fields(kind)}  # field name -> its group
TOP_LEVEL = ("checkpoint_every", "seed")
