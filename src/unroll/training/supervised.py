"""Supervised sequence tasks on the one Trainer: classification (many-to-one), tagging (many-to-many
aligned) and regression (forecasting), with their batch sources and the recipes that fit them.

    model, trainer = fit_classifier(texts, labels, ClassifierRecipe(epochs=10), out="runs/clf")
    model, trainer = fit_tagger(train_sentences, dev_sentences, TaggerRecipe(), out="runs/tagger")
    for train_rows, test_rows in cv_folds(len(texts), 10, seed=0): ...

Objectives (see `unroll.training.loop`): a batch is `(x, lengths, targets)` as `SupervisedBatches`
yields it; loss_sum is the cross-entropy (or squared error) summed over the batch's items: sentences
for classification, real tokens for tagging (padding masked), target values for regression.
`evaluate` reports `accuracy` (or `rmse`), which `Validation(metric="accuracy", mode="max")`
watches for best/ and early stopping.
"""
from __future__ import annotations

import math
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .. import __version__
from ..checkpoint import load_checkpoint
from ..data.words import WordVocabulary, bucketed_batches, tokenize
from ..errors import InvalidValueError
from ..functional import mse_backward, mse_forward, softmax_cross_entropy_backward, softmax_cross_entropy_forward
from .config import Optimisation
from .loop import BEST, CHECKPOINT, Budget, Checkpointing, Objective, Trainer, Validation

__all__ = ["ClassificationObjective", "TaggingObjective", "RegressionObjective", "SupervisedBatches",
           "ClassifierRecipe", "TaggerRecipe", "fit_classifier", "fit_tagger", "cv_folds", "split_validation"]


def _mask(lengths: np.ndarray, T: int) -> np.ndarray:
    return np.arange(T)[None, :] < lengths[:, None]  # (B, T)


class _SoftmaxObjective(Objective):
    """Cross-entropy of the model's logits against integer targets, with accuracy, over the positions
    `_mask` counts (every sentence for classification, the real tokens for tagging)."""

    def _mask(self, lengths, targets):
        """Boolean mask shaped like targets (None: every position counts)."""
        raise NotImplementedError

    def loss(self, model, batch, carry):
        x, lengths, targets = batch
        logits, _, cache = model.forward(x, lengths=lengths)  # (B, C) or (B, T, K)
        mask = self._mask(lengths, targets)
        loss, loss_cache = softmax_cross_entropy_forward(logits, targets, mask=mask, reduction="sum")
        count = len(targets) if mask is None else int(mask.sum())
        return loss, count, None, (cache, loss_cache, logits.dtype)

    def backward(self, model, count, cache):
        cache, loss_cache, dtype = cache
        model.backward(softmax_cross_entropy_backward(1.0 / count, loss_cache).astype(dtype), None, cache)

    def evaluate(self, model, batches):
        was_training = model.training
        model.eval()
        total, right, count = 0.0, 0, 0
        try:
            for x, lengths, targets in batches:
                logits = model.forward(x, lengths=lengths)[0]
                mask = self._mask(lengths, targets)
                total += softmax_cross_entropy_forward(logits, targets, mask=mask, reduction="sum")[0]
                hits = logits.argmax(axis=-1) == targets
                right += int((hits if mask is None else hits & mask).sum())
                count += len(targets) if mask is None else int(mask.sum())
        finally:
            model.train(was_training)
        if count == 0:
            raise InvalidValueError(f"evaluate: expected at least one {self.unit} to score, got none")
        return total / count, {"accuracy": right / count}


class ClassificationObjective(_SoftmaxObjective):
    """Batches (x, lengths (B,), labels (B,) ints); the model maps (x, lengths) to logits (B, C)."""

    unit = "sent"

    def _mask(self, lengths, labels):
        return None


class TaggingObjective(_SoftmaxObjective):
    """Batches (x, lengths (B,), tags (B, T) ints, padding anything); logits (B, T, K); padding masked."""

    unit = "token"

    def _mask(self, lengths, tags):
        return _mask(lengths, tags.shape[1])


class RegressionObjective(Objective):
    """Batches (x (B, T, D), lengths or None, target) with target shaped like the model's output;
    loss_sum the squared error summed over the target's elements. evaluate adds `rmse`."""

    unit = "seq"

    def loss(self, model, batch, carry):
        x, lengths, target = batch
        pred, _, cache = model.forward(x, lengths=lengths)
        loss, loss_cache = mse_forward(pred, target)
        return loss * target.size, target.size, None, (cache, loss_cache, target.size)

    def backward(self, model, count, cache):
        cache, loss_cache, size = cache
        model.backward(mse_backward(size / count, loss_cache), None, cache)

    def evaluate(self, model, batches):
        loss, _ = super().evaluate(model, batches)
        return loss, {"rmse": float(np.sqrt(loss))}


class SupervisedBatches:
    """`epoch(e)` -> batches (x, lengths, targets) bucketed by length (shuffled by (seed, e) with
    shuffle, else sorted, for evaluation).

    examples: what `collate` takes, one per item (lists of word ids, ...); targets: one int per
    example (classification) or one list of ints per example (tagging: padded with 0);
    collate: list of examples -> (x, lengths). word_dropout: in training batches, each real word id
    is replaced by unk_id with this probability (x's word ids: x itself or x[0]), so the <unk>
    embedding is trained on words of every kind.
    """

    def __init__(self, examples: list, targets, collate, batch_size: int = 32, shuffle: bool = True, seed: int = 0,
                 word_dropout: float = 0.0, unk_id: int = 1):
        if len(examples) != len(targets) or not examples:
            raise InvalidValueError(f"examples, targets: expected the same non-zero number, got {len(examples)} "
                                    f"and {len(targets)}")
        if not 0.0 <= word_dropout < 1.0:
            raise InvalidValueError(f"word_dropout: expected a probability in [0, 1), got {word_dropout}")
        self.examples, self.targets, self.collate = examples, list(targets), collate
        self.batch_size, self.shuffle, self.seed = batch_size, shuffle, seed
        self.word_dropout, self.unk_id = word_dropout, unk_id
        self.lengths = np.array([len(e[0]) if isinstance(e, tuple) else len(e) for e in examples])
        self.aligned = not np.isscalar(self.targets[0])

    def epoch(self, e: int):
        rng = np.random.default_rng([self.seed, e])
        for rows in bucketed_batches(self.lengths, self.batch_size, rng=rng, shuffle=self.shuffle):
            x, lengths = self.collate([self.examples[i] for i in rows])
            if self.shuffle and self.word_dropout:
                words = x[0] if isinstance(x, tuple) else x
                drop = (rng.random(words.shape) < self.word_dropout) & _mask(lengths, words.shape[1])
                words = np.where(drop, self.unk_id, words)
                x = (words,) + x[1:] if isinstance(x, tuple) else words
            if self.aligned:
                targets = np.zeros((len(rows), int(lengths.max())), dtype=np.int64)  # (B, T)
                for b, i in enumerate(rows):
                    targets[b, :len(self.targets[i])] = self.targets[i]
            else:
                targets = np.array([self.targets[i] for i in rows], dtype=np.int64)  # (B,)
            yield x, lengths, targets


def cv_folds(n: int, folds: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The k-fold protocol: a seeded permutation of range(n) cut into `folds` near-equal test parts;
    returns [(train indices, test indices)] per fold."""
    if not 2 <= folds <= n:
        raise InvalidValueError(f"folds: expected 2 <= folds <= {n} (the number of examples), got {folds}")
    parts = np.array_split(np.random.default_rng(seed).permutation(n), folds)
    return [(np.concatenate(parts[:k] + parts[k + 1:]), parts[k]) for k in range(folds)]


def split_validation(n: int, fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, validation indices): a seeded random `fraction` held out."""
    n_val = int(round(n * fraction))
    if not 0 < n_val < n:
        raise InvalidValueError(f"val_fraction: {fraction} of {n} examples leaves none for "
                                f"{'validation' if n_val == 0 else 'training'}")
    order = np.random.default_rng([seed, 1]).permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def _fit(model, objective, train, val, recipe, out, progress, meta, resume=False, stop_epoch=None):
    """Train with Adam(W), cosine decay, norm clipping, early stopping on validation accuracy; leave the
    best validated weights in the model (val None: the last weights). out None: a temporary
    directory; resume: continue the run in out/checkpoint (same data and recipe, a larger budget;
    with stop_epoch, a fresh run when out/checkpoint is absent). stop_epoch: stop after this many
    epochs of the recipe's schedule (the same learning rates as a full run, cut short)."""
    if resume and stop_epoch is None and (out is None or not (Path(out) / CHECKPOINT).is_dir()):
        raise InvalidValueError(f"resume: expected a run directory holding {CHECKPOINT}/, got {out}")
    optim = Optimisation(optimizer="adamw" if recipe.weight_decay else "adam", lr=recipe.lr,
                         weight_decay=recipe.weight_decay, schedule="cosine", min_lr=recipe.lr * 0.05,
                         clip_norm=recipe.clip_norm)
    planned = Budget(epochs=recipe.epochs, minutes=recipe.minutes)
    budget = planned if stop_epoch is None else Budget(epochs=stop_epoch, minutes=recipe.minutes)
    steps_per_epoch = sum(1 for _ in train.epoch(0))
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(out if out is not None else tmp)
        trainer = Trainer(model, objective, optim.build(model.params), train, val, rng=model.rng, budget=budget,
                          validation=Validation(patience=recipe.patience, metric="accuracy", mode="max"),
                          checkpoints=Checkpointing(directory, meta=meta),
                          clipping=optim.clipping(), schedule=optim.build_schedule(planned, steps_per_epoch),
                          progress=progress)
        if resume and (directory / CHECKPOINT).is_dir():
            trainer.restore(directory / CHECKPOINT)
        trainer.fit()
        best = directory / (BEST if (directory / BEST).is_dir() else CHECKPOINT)
        tensors, _ = load_checkpoint(best)
        model.load_state_dict({k: v for k, v in tensors.items() if k in model.params})
    return model.eval(), trainer


@dataclass(frozen=True)
class ClassifierRecipe:
    """The sentence classifier's model and training settings (the defaults are the polarity recipe
    of docs/sequence_models.md). epochs/minutes: budget; patience: validations (one per epoch)
    without a better accuracy; val_fraction: held out of the training part when no validation
    set is given; refit: train again on the training and validation parts to the chosen epoch
    (about twice the time; +0.5 points of 10-fold polarity accuracy)."""

    cell: str = "lstm"
    embedding_dim: int = 128
    hidden_size: int = 128
    num_layers: int = 1
    bidirectional: bool = True
    pool: str = "max"
    embedding_dropout: float = 0.3
    dropout: float = 0.5
    min_count: int = 1
    lowercase: bool = True
    batch_size: int = 32
    epochs: int = 12
    minutes: float | None = None
    lr: float = 2e-3
    weight_decay: float = 0.0
    clip_norm: float = 5.0
    word_dropout: float = 0.1
    patience: int | None = 3
    val_fraction: float = 0.1
    refit: bool = True
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def fit_classifier(texts, labels, recipe: ClassifierRecipe = ClassifierRecipe(), validation=None, out=None,
                   progress: bool | str = False, build=None, resume: bool = False):
    """Train a `SequenceClassifier` on raw texts and their labels (str or int class names).

    validation: (texts, labels) or None (hold out recipe.val_fraction); build: None, or
    (vocabulary, classes, recipe, rng) -> another text classifier (the window baseline).
    recipe.refit: after the epoch is chosen on the validation part (run in out/selection/), train a
    fresh model on the training and validation texts together, on the same schedule stopped at
    that epoch (in out/). Returns (model with the best validated weights, or the refitted ones, in
    eval mode; the Trainer that chose the epoch)."""
    texts, labels = list(texts), [str(label) for label in labels]
    if validation is None:
        train_rows, val_rows = split_validation(len(texts), recipe.val_fraction, recipe.seed)
        validation = ([texts[i] for i in val_rows], [labels[i] for i in val_rows])
        texts, labels = [texts[i] for i in train_rows], [labels[i] for i in train_rows]
    validation = (list(validation[0]), [str(label) for label in validation[1]])
    classes = sorted(set(labels) | set(validation[1]))
    selection_out = None if out is None else Path(out) / "selection" if recipe.refit else out
    model, trainer = _fit_texts(texts, labels, classes, validation, recipe, selection_out, progress, build, resume)
    if not recipe.refit:
        return model, trainer
    steps_per_epoch = sum(1 for _ in trainer.train_data.epoch(0))
    chosen = max(1, math.ceil(trainer.best_step_ / steps_per_epoch))  # validations fall on epoch ends
    refitted, _ = _fit_texts(texts + validation[0], labels + validation[1], classes, None, recipe, out, progress,
                             build, resume, stop_epoch=chosen)
    return refitted, trainer


def _fit_texts(texts, labels, classes, validation, recipe, out, progress, build, resume, stop_epoch=None):
    """One classifier run: vocabulary of texts, model, batches, `_fit` (validation None: no validation)."""
    from ..models.classifier import SequenceClassifier
    vocab = WordVocabulary.build([tokenize(t, recipe.lowercase) for t in texts], min_count=recipe.min_count)
    rng = np.random.default_rng(recipe.seed)
    if build is None:
        model = SequenceClassifier(vocab, classes, recipe.cell, recipe.embedding_dim, recipe.hidden_size,
                                   recipe.num_layers, recipe.bidirectional, recipe.pool, recipe.embedding_dropout,
                                   recipe.dropout, recipe.lowercase, rng=rng)
    else:
        model = build(vocab, classes, recipe, rng)
    index = {c: k for k, c in enumerate(classes)}
    train = SupervisedBatches(model.encode(texts), [index[y] for y in labels], model.collate, recipe.batch_size,
                              seed=recipe.seed, word_dropout=recipe.word_dropout, unk_id=vocab.unk_id)
    val = None if validation is None else SupervisedBatches(
        model.encode(validation[0]), [index[y] for y in validation[1]], model.collate, 256, shuffle=False)
    meta = {"format": model.FORMAT, "unroll_version": __version__, "model": model.config(),
            "recipe": recipe.to_dict()}
    return _fit(model, ClassificationObjective(), train, val, recipe, out, progress, meta, resume, stop_epoch)


@dataclass(frozen=True)
class TaggerRecipe:
    """The tagger's model and training settings (defaults: the UD English LinES recipe of
    docs/sequence_models.md). chars: use the character-level word encoder."""

    chars: bool = True
    word_dim: int = 100
    char_dim: int = 30
    char_hidden: int = 50
    hidden_size: int = 128
    num_layers: int = 1
    cell: str = "lstm"
    dropout: float = 0.5
    lowercase: bool = True
    min_count: int = 1
    batch_size: int = 16
    epochs: int = 20
    minutes: float | None = None
    lr: float = 2e-3
    weight_decay: float = 0.0
    clip_norm: float = 5.0
    word_dropout: float = 0.05
    patience: int | None = 4
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def fit_tagger(train_sentences, dev_sentences, recipe: TaggerRecipe = TaggerRecipe(), out=None,
               progress: bool | str = False, resume: bool = False):
    """Train a `SequenceTagger` on [(words, tags)] sentences, validating on dev_sentences.
    Returns (model with the best validated weights, eval mode; the Trainer)."""
    from ..models.tagger import SequenceTagger
    if not train_sentences or not dev_sentences:
        raise InvalidValueError("sentences: expected non-empty training and development sets")
    words = [[w.lower() if recipe.lowercase else w for w in s] for s, _ in train_sentences]
    vocab = WordVocabulary.build(words, min_count=recipe.min_count)
    tags = sorted({t for _, ts in train_sentences for t in ts} | {t for _, ts in dev_sentences for t in ts})
    chars = sorted({c for s, _ in train_sentences for w in s for c in w}) if recipe.chars else None
    rng = np.random.default_rng(recipe.seed)
    model = SequenceTagger(vocab, tags, chars, recipe.word_dim, recipe.char_dim, recipe.char_hidden,
                           recipe.hidden_size, recipe.num_layers, recipe.cell, recipe.dropout, recipe.lowercase,
                           rng=rng)
    train = SupervisedBatches(model.encode([s for s, _ in train_sentences]),
                              model.encode_tags([t for _, t in train_sentences]), model.collate, recipe.batch_size,
                              seed=recipe.seed, word_dropout=recipe.word_dropout, unk_id=vocab.unk_id)
    val = SupervisedBatches(model.encode([s for s, _ in dev_sentences]),
                            model.encode_tags([t for _, t in dev_sentences]), model.collate, 128, shuffle=False)
    meta = {"format": "unroll.tagger", "unroll_version": __version__, "model": model.config(),
            "recipe": recipe.to_dict()}
    return _fit(model, TaggingObjective(), train, val, recipe, out, progress, meta, resume)


def tagging_batches(model, sentences, batch_size: int = 128) -> SupervisedBatches:
    """Evaluation batches of [(words, tags)] for `TaggingObjective().evaluate(model, ...)`."""
    return SupervisedBatches(model.encode([s for s, _ in sentences]), model.encode_tags([t for _, t in sentences]),
                             model.collate, batch_size, shuffle=False)
