"""Training: truncated BPTT, RTRL, the training loop, and character-level language-model runs.

- `tbptt`: one update per segment of k steps with the state carried across segments; `evaluate`.
- `rtrl`: real-time recurrent learning for any cell, the exact online alternative to BPTT.
- `loop`: `Trainer` (budgets, validation, early stopping, non-finite guard, checkpoints, resume).
- `config`, `char_lm`: `TrainConfig` and `train_char_lm` / `load_char_lm` for text files.
"""
from .char_lm import evaluate_text, load_char_lm, make_trainer, resolve_checkpoint, train_char_lm
from .config import TrainConfig, build_optimizer, build_schedule
from .loop import Trainer, TrainingDiverged
from .rtrl import RTRL
from .tbptt import bits, evaluate, segment_backward, segment_loss, tbptt_step

__all__ = [
    "TrainConfig", "Trainer", "TrainingDiverged", "RTRL", "train_char_lm", "make_trainer", "load_char_lm",
    "resolve_checkpoint", "evaluate_text", "build_optimizer", "build_schedule", "tbptt_step",
    "segment_loss", "segment_backward", "evaluate", "bits",
]
