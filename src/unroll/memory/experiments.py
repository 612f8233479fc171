"""The experiments behind `unroll memory` and benchmarks/: build, train through the Trainer, score.

    result = train_bits("copy", "ntm", BitsRun(steps=2000, batch=16), seed=0)
    result.errors_by_size     # {length: wrong bits per sequence}
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .. import functional as F
from ..data.memory_tasks import FixedSet, GeneratedBatches, copy_task, recall_task
from ..errors import InvalidValueError
from ..optim import Adam, RMSProp
from ..training import Budget, Clipping, Objective, Trainer, TrainingDiverged, Validation
from .memn2n import MemN2N
from .ntm import NTM
from .tasks import BitsObjective, SequenceLSTM, bce_with_logits_forward, bit_errors

__all__ = ["BitsRun", "BitsResult", "TASKS", "build_bits_model", "train_bits", "score_by_size", "BabiRun",
           "BabiObjective", "BabiBatches", "train_memn2n"]

# task -> (generator, input width, output width, training range, test sizes, generalisation sizes)
TASKS = {
    "copy": (copy_task, 9, 8, (1, 20), list(range(1, 21)), [30, 40]),
    "recall": (recall_task, 8, 6, (2, 6), [2, 3, 4, 5, 6], [8, 10]),
}


@dataclass(frozen=True)
class BitsRun:
    """Budget and optimiser. optimizer 'rmsprop' (pytorch-ntm: lr 1e-4, momentum 0.9, alpha 0.95)
    or 'adam'; clip: element-wise gradient clipping (pytorch-ntm clips to [-10, 10])."""
    steps: int = 2000
    batch: int = 16
    optimizer: str = "adam"
    lr: float = 1e-3
    clip: float = 10.0
    minutes: float | None = None
    eval_every: int = 200
    controller: int = 100
    memory_size: int = 128
    memory_width: int = 20
    lstm_hidden: int = 256
    lstm_layers: int = 3
    sizes: tuple | None = None  # (low, high) training lengths / item counts; None: the task's (copy 1-20)


@dataclass
class BitsResult:
    model: object
    history: dict
    stop_reason: str
    seconds: float
    sequences: int
    errors_by_size: dict = field(default_factory=dict)
    general_by_size: dict = field(default_factory=dict)

    @property
    def mean_error(self) -> float:
        return float(np.mean(list(self.errors_by_size.values())))

    @property
    def seconds_per_sequence(self) -> float:
        return self.seconds / max(self.sequences, 1)


def build_bits_model(task: str, kind: str, run: BitsRun, seed: int):
    _, D, O, *_ = TASKS[task]
    if kind == "ntm":
        return NTM(D, O, run.controller, run.memory_size, run.memory_width, rng=seed)
    if kind == "lstm":
        return SequenceLSTM(D, O, run.lstm_hidden, run.lstm_layers, rng=seed)
    raise InvalidValueError(f"model: expected 'ntm' or 'lstm', got {kind!r}")


def score_by_size(model, task: str, sizes, seed: int, per_size: int = 32) -> dict:
    """{size: wrong bits per sequence} on `per_size` fresh sequences of each length / item count."""
    generate = TASKS[task][0]
    rng = np.random.default_rng([seed, 99])
    scores = {}
    model.eval()
    for n in sizes:
        x, y = generate(per_size, int(n), rng)
        logits = model.forward(x)[0][:, -y.shape[1]:]
        scores[int(n)] = float(bit_errors(logits, y).mean())
    model.train()
    return scores


def train_bits(task: str, kind: str, run: BitsRun, seed: int, progress=False, model=None) -> BitsResult:
    generate, D, O, (low, high), sizes, general = TASKS[task]
    if run.sizes is not None:
        (low, high), sizes = run.sizes, list(range(run.sizes[0], run.sizes[1] + 1))
        general = [high + 1, 2 * high]
    model = build_bits_model(task, kind, run, seed) if model is None else model
    if run.optimizer == "rmsprop":
        opt = RMSProp(model.params, lr=run.lr, alpha=0.95, momentum=0.9)
    elif run.optimizer == "adam":
        opt = Adam(model.params, lr=run.lr)
    else:
        raise InvalidValueError(f"optimizer: expected 'rmsprop' or 'adam', got {run.optimizer!r}")
    val = FixedSet.draw(generate, 8, np.linspace(low, high, 6).round().astype(int), seed + 7)
    trainer = Trainer(model, BitsObjective(), opt, GeneratedBatches(generate, run.batch, low, high, run.steps, seed),
                      val, rng=np.random.default_rng(seed), clipping=Clipping(value=run.clip),
                      budget=Budget(max_steps=run.steps, minutes=run.minutes),
                      validation=Validation(eval_every=run.eval_every), progress=progress)
    start = time.perf_counter()
    try:
        trainer.fit()
        reason = trainer.stop_reason_
    except TrainingDiverged as err:
        reason = str(err)
    seconds = time.perf_counter() - start
    result = BitsResult(model, trainer.history_, reason, seconds, trainer.step * run.batch)
    result.errors_by_size = score_by_size(model, task, sizes, seed)
    result.general_by_size = score_by_size(model, task, general, seed)
    return result


def bce_bits_per_sequence(model, x, y) -> float:
    logits = model.forward(x)[0][:, -y.shape[1]:]
    return bce_with_logits_forward(logits, y)[0] / x.shape[0] / np.log(2.0)


# ---------------------------------------------------------------- MemN2N on generated bAbI
class BabiObjective(Objective):
    """Batches (stories, queries, answers); cross-entropy of the answer word; evaluate adds accuracy."""

    unit = "question"

    def loss(self, model, batch, carry):
        stories, queries, answers = batch
        logits, _, cache = model.forward((stories, queries))
        loss, ce = F.softmax_cross_entropy_forward(logits, answers)
        return loss * len(answers), len(answers), None, (cache, ce, logits.dtype)

    def backward(self, model, count, cache):
        model_cache, ce, dtype = cache
        model.backward(F.softmax_cross_entropy_backward(1.0, ce).astype(dtype), None, model_cache)

    def evaluate(self, model, batches):
        total, right, n = 0.0, 0, 0
        for stories, queries, answers in batches:
            logits = model.forward((stories, queries))[0]
            total += F.softmax_cross_entropy_forward(logits, answers)[0] * len(answers)
            right += int((logits.argmax(-1) == answers).sum())
            n += len(answers)
        return total / n, {"accuracy": right / n}


class BabiBatches:
    """A BabiSet in batches, shuffled per epoch with (seed, epoch) (shuffle=False: in order)."""

    def __init__(self, data, batch: int, seed: int = 0, shuffle: bool = True):
        self.data, self.batch, self.seed, self.shuffle = data, batch, seed, shuffle

    def epoch(self, epoch: int):
        return self.data.batches(self.batch, np.random.default_rng([self.seed, epoch]) if self.shuffle else None)


@dataclass(frozen=True)
class BabiRun:
    """train_size questions (bAbI 1k: 1000); epochs in all, the first linear_start of them without the
    attention softmax (the paper's LS); Adam with norm clipping 40 (the paper's)."""
    train_size: int = 1000
    epochs: int = 40
    linear_start: int = 0
    batch: int = 32
    lr: float = 5e-3
    embedding_dim: int = 20
    hops: int = 3
    max_sentences: int = 20


def train_memn2n(task: int, run: BabiRun, seed: int = 0, progress=False):
    """-> (model, {'accuracy': test accuracy, 'seconds', 'questions'}, test set)."""
    from ..data.babi import VOCAB, babi_task
    train = babi_task(task, "train", run.train_size, seed, run.max_sentences)
    test = babi_task(task, "test", 1000, seed, run.max_sentences)
    model = MemN2N(len(VOCAB), run.embedding_dim, run.hops, run.max_sentences, rng=seed)
    opt = Adam(model.params, lr=run.lr)
    start, steps = time.perf_counter(), 0
    phases = [(True, run.linear_start), (False, run.epochs - run.linear_start)]
    for epoch0, (linear, epochs) in zip((0, run.linear_start), phases):
        if epochs <= 0:
            continue
        model.linear_start = linear
        shifted = BabiBatches(train, run.batch, seed + epoch0)  # a second phase must not replay epoch 0's order
        trainer = Trainer(model, BabiObjective(), opt, shifted, rng=np.random.default_rng(seed),
                          budget=Budget(epochs=epochs), clipping=Clipping(norm=40.0), progress=progress)
        trainer.fit()
        steps += trainer.step
    seconds = time.perf_counter() - start
    model.linear_start = False
    _, metrics = BabiObjective().evaluate(model, BabiBatches(test, 500, shuffle=False).epoch(0))
    return model, {"accuracy": metrics["accuracy"], "seconds": seconds,
                   "questions": steps * run.batch}, test
