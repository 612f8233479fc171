"""Training machinery that works on plain parameter and gradient dicts.

- `optimizers`: SGD, Adagrad, RMSProp, Adam, AdamW (torch.optim semantics, updates in place).
- `schedules`: learning rate as a pure function of the step (step, exponential, cosine, warm-up).
- `clipping`: by value (element-wise) and by global norm, plus the non-finite checks.
"""
from .clipping import all_finite, clip_by_global_norm, clip_by_value, global_norm
from .optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSProp
from .schedules import CosineAnnealing, Constant, ExponentialDecay, LinearWarmup, Schedule, StepDecay

__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSProp", "Adam", "AdamW",
    "Schedule", "Constant", "StepDecay", "ExponentialDecay", "CosineAnnealing", "LinearWarmup",
    "clip_by_value", "clip_by_global_norm", "global_norm", "all_finite",
]
