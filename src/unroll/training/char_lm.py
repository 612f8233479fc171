"""Training a character-level language model on a text, end to end, and loading it back.

    from unroll.training import Budget, CharData, CharModel, TrainConfig, train_char_lm, load_char_lm
    config = TrainConfig(model=CharModel(cell="gru"), data=CharData(lines=True), budget=Budget(epochs=20))
    trainer = train_char_lm(text, config, out="runs/dinos")
    model, vocab, meta = load_char_lm("runs/dinos")          # best/ if there is one, else checkpoint/

The text is split into training and held-out parts (config.data.val_fraction), the vocabulary taken
from the whole text, and the model, optimiser, schedule and a `Trainer` on the truncated-BPTT
objective (`tbptt.TBPTTObjective`) built from the config. Each
checkpoint's JSON holds the model's and the run's configuration and the vocabulary, so the
checkpoint alone rebuilds the model, and `resume=True` continues the run exactly.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import __version__
from ..checkpoint import CONFIG_FILE, load_checkpoint
from ..data.text import END, LineBatches, StreamBatches, Vocabulary, split_lines
from ..models import CharLM
from .config import TrainConfig
from .loop import BEST, CHECKPOINT, Checkpointing, Trainer
from .tbptt import TBPTTObjective, evaluate
from ..errors import InvalidValueError

FORMAT = "unroll.char_lm"
EVAL_SEQ_LEN = 256


def prepare_text(text: str, config: TrainConfig):
    """Returns (vocabulary, training part, held-out part or None): lists of lines with config.data.lines,
    else strings. Lines are held out at random (seeded), a stream's held-out part is its end."""
    data = config.data
    if data.lowercase:
        text = text.lower()
    vocab = Vocabulary(set(text) | ({END} if data.lines else set()))
    if data.lines:
        lines = split_lines(text)
        if not lines:
            raise InvalidValueError("text: expected at least one non-empty line, got none")
        order = np.random.default_rng(config.seed).permutation(len(lines))
        n_val = int(round(len(lines) * data.val_fraction))
        if data.val_fraction and not 0 < n_val < len(lines):
            raise InvalidValueError(f"val_fraction: {data.val_fraction} of {len(lines)} lines leaves no lines for "
                                    f"{'validation' if n_val == 0 else 'training'}")
        train = [lines[i] for i in order[:len(lines) - n_val]]
        return vocab, train, [lines[i] for i in order[len(lines) - n_val:]] if n_val else None
    n_val = int(len(text) * data.val_fraction)
    if len(text) - n_val <= data.batch_size or (n_val and n_val < 2):
        raise InvalidValueError(f"text: {len(text)} characters are too few for batch_size={data.batch_size} "
                                f"and val_fraction={data.val_fraction}")
    return vocab, text[:len(text) - n_val], text[len(text) - n_val:] if n_val else None


def batches(part, vocab: Vocabulary, config: TrainConfig, training: bool):
    """A batch source over lines or a stream: shuffled/offset for training, fixed for evaluation."""
    data = config.data
    if data.lines:
        if training:
            return LineBatches(part, vocab, data.batch_size, data.seq_len, shuffle=True, seed=config.seed)
        return LineBatches(part, vocab, 256, EVAL_SEQ_LEN, shuffle=False)
    ids = vocab.encode(part)
    if training:
        return StreamBatches(ids, data.batch_size, data.seq_len, random_offset=True, seed=config.seed)
    streams = max(1, min(64, (len(ids) - 1) // EVAL_SEQ_LEN))  # parallel streams, each long enough to warm up
    return StreamBatches(ids, streams, EVAL_SEQ_LEN, random_offset=False)


def build_model(config: TrainConfig, vocab: Vocabulary, rng) -> CharLM:
    m = config.model
    return CharLM(len(vocab), m.cell, m.hidden_size, m.num_layers, m.embedding_dim, m.dropout, m.variational, rng=rng)


def make_trainer(text: str, config: TrainConfig, out=None, progress: bool | str = True, plot: bool = False):
    """Build the (trainer, vocabulary) of a run, without training. out: output directory or None;
    progress: as `Trainer`; plot: write out/loss.png at the end."""
    vocab, train_part, val_part = prepare_text(text, config)
    rng = np.random.default_rng(config.seed)
    model = build_model(config, vocab, rng)
    train_data = batches(train_part, vocab, config, training=True)
    val_data = None if val_part is None else batches(val_part, vocab, config, training=False)
    steps_per_epoch = sum(1 for _ in train_data.epoch(0))
    meta = {"format": FORMAT, "unroll_version": __version__, "model": model.config(),
            "train_config": config.to_dict(), "vocabulary": vocab.chars}
    trainer = Trainer(model, TBPTTObjective(model.rnn.state_type), config.optim.build(model.params), train_data,
                      val_data, rng=rng, budget=config.budget, validation=config.validation,
                      checkpoints=Checkpointing(out, config.checkpoint_every, meta, plot),
                      clipping=config.optim.clipping(),
                      schedule=config.optim.build_schedule(config.budget, steps_per_epoch), progress=progress)
    return trainer, vocab


def train_char_lm(text: str, config: TrainConfig, out=None, resume: bool = False, progress: bool | str = True,
                  plot: bool = False) -> Trainer:
    """Train (or, with resume, continue training from out/checkpoint) and return the fitted Trainer."""
    trainer, vocab = make_trainer(text, config, out, progress, plot)
    if resume:
        if out is None:
            raise InvalidValueError("resume: expected an out directory holding a checkpoint, got None")
        _, meta = load_checkpoint(Path(out) / CHECKPOINT)
        if meta.get("vocabulary") != vocab.chars:
            raise InvalidValueError(f"resume: the data's vocabulary differs from the checkpoint's "
                                    f"({len(vocab)} vs {len(meta.get('vocabulary', []))} characters): not the same text")
        trainer.restore(Path(out) / CHECKPOINT)
    return trainer.fit()


def resolve_checkpoint(path) -> Path:
    """A checkpoint directory, or a training output directory (then its best/, else its checkpoint/)."""
    path = Path(path)
    if (path / CONFIG_FILE).is_file():
        return path
    for name in (BEST, CHECKPOINT):
        if (path / name / CONFIG_FILE).is_file():
            return path / name
    raise FileNotFoundError(f"{path}: expected a checkpoint directory (with {CONFIG_FILE}) or a training output "
                            f"directory (with {BEST}/ or {CHECKPOINT}/), found neither")


def load_char_lm(path):
    """Load a trained model: returns (CharLM in eval mode, Vocabulary, meta dict)."""
    tensors, meta = load_checkpoint(resolve_checkpoint(path))
    if meta.get("format") != FORMAT:
        raise InvalidValueError(f"{path}: expected a character-model checkpoint (format {FORMAT!r}), "
                                f"found format {meta.get('format')!r}")
    model = CharLM(**meta["model"])
    model.load_state_dict({k: v for k, v in tensors.items() if k in model.params})
    return model.eval(), Vocabulary(meta["vocabulary"]), meta


def evaluate_text(model: CharLM, vocab: Vocabulary, text: str, config: TrainConfig) -> float:
    """Cross-entropy of a whole text in nats per character, cut as the model was trained (lines or stream)."""
    if config.data.lowercase:
        text = text.lower()
    part = split_lines(text) if config.data.lines else text
    if config.data.lines and not part:
        raise InvalidValueError("text: expected at least one non-empty line, got none")
    return evaluate(model, batches(part, vocab, config, training=False).epoch(0))
