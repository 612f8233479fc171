"""Training: the one training loop, its objectives, truncated BPTT, RTRL, and char-LM runs.

- `loop`: `Trainer` over an `Objective` (budgets, validation, early stopping, non-finite guard,
  checkpoints, exact resume, progress bar) and its setting groups `Budget`, `Validation`,
  `Checkpointing`, `Clipping`.
- `tbptt`: one update per segment of k steps with the state carried; `TBPTTObjective`, `evaluate`.
- `rtrl`: real-time recurrent learning for any cell, the exact online alternative to BPTT.
- `config`, `char_lm`: `Optimisation`, `TrainConfig` (groups `CharModel`, `CharData`) and
  `train_char_lm` / `load_char_lm` for text files.
"""
from .char_lm import evaluate_text, load_char_lm, make_trainer, resolve_checkpoint, train_char_lm
from .config import CharData, CharModel, Optimisation, TrainConfig
from .loop import Budget, Checkpointing, Clipping, Objective, Trainer, TrainingDiverged, Validation
from .rtrl import RTRL
from .tbptt import TBPTTObjective, bits, evaluate, segment_backward, segment_loss, tbptt_step

__all__ = [
    "Trainer", "Objective", "TrainingDiverged", "Budget", "Validation", "Checkpointing", "Clipping",
    "TrainConfig", "CharModel", "CharData", "Optimisation", "TBPTTObjective", "RTRL", "train_char_lm",
    "make_trainer", "load_char_lm", "resolve_checkpoint", "evaluate_text", "tbptt_step", "segment_loss",
    "segment_backward", "evaluate", "bits",
]
