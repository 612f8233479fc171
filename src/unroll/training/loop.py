"""The training loop: epochs or a time budget, validation, early stopping, a non-finite guard,
atomic checkpoints, exact resume, a progress bar, Ctrl-C.

    trainer = Trainer(model, Adam(model.params, lr=2e-3), train_batches, val_batches, rng=rng,
                      clip_norm=5.0, epochs=10, eval_every=200, patience=5, out="runs/x")
    trainer.fit()                     # trainer.history_, trainer.stop_reason_, trainer.best_val_
    Trainer(...same arguments...).restore("runs/x/checkpoint").fit()   # continues exactly

Data are batch sources with `epoch(e) -> iterator of Segment` (`unroll.data.text`); each segment is
one truncated-BPTT update (`tbptt.py`), the state carried across segments unless a segment resets.

Exact resume: the order of epoch e depends only on (seed, e); the checkpoint holds the weights,
the optimiser's slots and scalars, the state carried into the next segment, the position
(epoch, segment), the generator's state (dropout draws), the history and the early-stopping
counters. A resumed run therefore takes the same steps with the same losses as one that was never
stopped. Layout of `out`: `checkpoint/` (latest, every `checkpoint_every` steps and at the end),
`best/` (the best validation loss so far), `loss.png` (with plot=True).

Guard: at the first non-finite loss or gradient the loop raises `TrainingDiverged` before the
weights are touched; the last checkpoint on disk is the last good one and is left as it is.
Ctrl-C (SIGINT) finishes the current step, writes a checkpoint and returns normally.
"""
from __future__ import annotations

import itertools
import math
import signal
import threading
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..checkpoint import load_checkpoint, save_checkpoint
from ..nn.state import from_tuple, to_tuple
from ..optim import all_finite, clip_by_global_norm, clip_by_value
from .tbptt import evaluate, segment_backward, segment_loss
from ..errors import InvalidValueError, InvalidTypeError

CHECKPOINT, BEST = "checkpoint", "best"
OPTIM_PREFIX, CARRY_PREFIX = "optim.", "carry."
SMOOTHING = 0.98  # of the loss shown on the progress bar


class TrainingDiverged(FloatingPointError):
    """A loss or gradient was NaN or infinite; the weights were left as they were before that step."""


class Trainer:
    """Runs updates of `model` by `optimizer` over `train_data` until the budget is spent.

    model: Module with forward/backward as `tbptt.py` expects and params/grads dicts.
    optimizer: an `unroll.optim.Optimizer` over model.params. train_data, val_data: batch sources
    (val_data None: no validation). rng: the Generator the model draws dropout masks from (its
    state is checkpointed). schedule: step -> lr, or None for the optimiser's fixed rate.
    clip_value / clip_norm: element-wise or global-norm clipping (at most one). epochs, minutes,
    max_steps: budget, stop at the first reached. eval_every: steps between validations (None:
    at the end of each epoch). patience: validations without improvement before stopping early.
    checkpoint_every: steps between checkpoints (needs out). out: directory for checkpoints, or
    None. meta: extra JSON stored in every checkpoint (model config, vocabulary ...).
    progress: show a tqdm bar. plot: save out/loss.png at the end (matplotlib).
    """

    def __init__(self, model, optimizer, train_data, val_data=None, *, rng: np.random.Generator, schedule=None,
                 clip_value=None, clip_norm=None, epochs=None, minutes=None, max_steps=None, eval_every=None,
                 patience=None, checkpoint_every=None, out=None, meta=None, progress=True, plot=False):
        if clip_value is not None and clip_norm is not None:
            raise InvalidValueError("clip_value and clip_norm: expected at most one")
        if epochs is None and minutes is None and max_steps is None:
            raise InvalidValueError("budget: expected at least one of epochs, minutes or max_steps")
        if not isinstance(rng, np.random.Generator):
            raise InvalidTypeError(f"rng: expected the model's numpy Generator, got {type(rng).__name__}")
        self.model, self.optimizer, self.train_data, self.val_data = model, optimizer, train_data, val_data
        self.rng, self.schedule, self.clip_value, self.clip_norm = rng, schedule, clip_value, clip_norm
        self.epochs, self.minutes, self.max_steps = epochs, minutes, max_steps
        self.eval_every, self.patience, self.checkpoint_every = eval_every, patience, checkpoint_every
        self.out = None if out is None else Path(out)
        self.meta, self.progress, self.plot = dict(meta or {}), progress, plot
        # progress through the run: everything here is checkpointed
        self.step, self.epoch, self.position, self.elapsed = 0, 0, 0, 0.0
        self.carry = None
        self.best_val_, self.best_step_, self.stale_evals = math.inf, None, 0
        self.history_ = {"step": [], "loss": [], "val_step": [], "val_loss": [], "val_minutes": []}
        self.stop_reason_ = None
        self.last_checkpoint_step = None
        self._interrupted, self._start = False, time.perf_counter()

    # ---------------------------------------------------------------- the loop
    def fit(self) -> "Trainer":
        """Train until a budget is reached, early stopping fires or Ctrl-C; checkpoint; return self."""
        if self.out is not None:
            self.out.mkdir(parents=True, exist_ok=True)
        self.model.train()
        self.model.zero_grad()
        self.stop_reason_ = None
        self._start, chars = time.perf_counter() - self.elapsed, 0  # as if the earlier sessions ran just before
        session_start, smoothed = time.perf_counter(), None
        bar = tqdm(total=self._planned_steps(), initial=self.step, disable=not self.progress, unit="step",
                   dynamic_ncols=True, leave=True)
        with bar, _catch_sigint(self):
            while self.stop_reason_ is None:
                if self.epochs is not None and self.epoch >= self.epochs:
                    self.stop_reason_ = f"{self.epochs} epochs done"
                    break
                for segment in itertools.islice(self.train_data.epoch(self.epoch), self.position, None):
                    self.elapsed = time.perf_counter() - self._start
                    self.stop_reason_ = self._budget_reason()
                    if self.stop_reason_:
                        break
                    loss = self._update(segment)
                    chars += segment.num_chars
                    smoothed = loss if smoothed is None else SMOOTHING * smoothed + (1 - SMOOTHING) * loss
                    rate = chars / max(time.perf_counter() - session_start, 1e-9)
                    val = f"{self.best_val_:.3f}" if math.isfinite(self.best_val_) else "-"
                    bar.set_postfix_str(f"epoch {self.epoch} loss {smoothed:.3f} best val {val} {rate:,.0f} chars/s",
                                        refresh=False)
                    bar.update(1)
                    if self.eval_every and self.step % self.eval_every == 0:
                        self._validate()
                    if self.checkpoint_every and self.out is not None and self.step % self.checkpoint_every == 0:
                        self.save(self.out / CHECKPOINT)
                    if self.stop_reason_:
                        break
                else:
                    self.epoch, self.position, self.carry = self.epoch + 1, 0, None
                    if not self.eval_every:
                        self._validate()
        self.elapsed = time.perf_counter() - self._start
        if self.val_data is not None and (not self.history_["val_step"] or self.history_["val_step"][-1] != self.step):
            self._validate(final=True)
        if self.out is not None:
            self.save(self.out / CHECKPOINT)
            if self.plot:
                from .plot import plot_history
                plot_history(self.history_, self.out / "loss.png")
        return self

    def _update(self, segment) -> float:
        """One truncated-BPTT step with the guard; returns the mean loss per character (nats)."""
        if self.schedule is not None:
            self.optimizer.lr = self.schedule(self.step)
        loss, count, state, cache = segment_loss(self.model, segment, self.carry)
        if not math.isfinite(loss):
            self._diverged(f"loss is {loss}")
        segment_backward(self.model, count, cache)
        if not all_finite(self.model.grads):
            self.model.zero_grad()
            self._diverged("a gradient is NaN or infinite")
        if self.clip_value is not None:
            clip_by_value(self.model.grads, self.clip_value)
        elif self.clip_norm is not None:
            clip_by_global_norm(self.model.grads, self.clip_norm)
        self.optimizer.step(self.model.grads)
        self.model.zero_grad()
        self.carry, self.step, self.position = state, self.step + 1, self.position + 1
        self.history_["step"].append(self.step)
        self.history_["loss"].append(loss / count)
        return loss / count

    def _diverged(self, what: str):
        where = (f"the last good checkpoint is {self.out / CHECKPOINT} (step {self.last_checkpoint_step})"
                 if self.last_checkpoint_step is not None else "no checkpoint was written before it")
        raise TrainingDiverged(f"{what} at step {self.step + 1} (epoch {self.epoch}); stopped before updating "
                               f"the weights; {where}. Try a lower learning rate or gradient clipping.")

    def _validate(self, final: bool = False) -> None:
        if self.val_data is None:
            return
        val = evaluate(self.model, self.val_data.epoch(0))
        self.history_["val_step"].append(self.step)
        self.history_["val_loss"].append(val)
        self.history_["val_minutes"].append((time.perf_counter() - self._start) / 60.0)  # training time so far
        if val < self.best_val_:
            self.best_val_, self.best_step_, self.stale_evals = val, self.step, 0
            if self.out is not None:
                self.save(self.out / BEST)
        elif not final:
            self.stale_evals += 1
            if self.patience is not None and self.stale_evals >= self.patience:
                self.stop_reason_ = (f"early stopping: no better validation loss in {self.patience} evaluations "
                                     f"(best {self.best_val_:.4f} at step {self.best_step_})")

    def _budget_reason(self) -> str | None:
        if self._interrupted:
            return "interrupted (Ctrl-C)"
        if self.max_steps is not None and self.step >= self.max_steps:
            return f"{self.max_steps} steps done"
        if self.minutes is not None and self.elapsed >= 60.0 * self.minutes:
            return f"time budget of {self.minutes:g} minutes spent"
        return None

    def _planned_steps(self) -> int | None:
        if self.max_steps is not None:
            return self.max_steps
        if self.epochs is not None:
            return self.epochs * sum(1 for _ in self.train_data.epoch(0))
        return None

    # ---------------------------------------------------------------- checkpoints
    def save(self, directory) -> None:
        """Write everything needed to resume to `directory` (atomically)."""
        tensors = dict(self.model.params)
        optimizer_state = self.optimizer.state_dict()
        tensors.update({OPTIM_PREFIX + k: v for k, v in optimizer_state["tensors"].items()})
        for k, part in enumerate(to_tuple(self.carry) or ()):
            tensors[f"{CARRY_PREFIX}{k}"] = part
        progress = {"step": self.step, "epoch": self.epoch, "position": self.position, "elapsed_s": self.elapsed,
                    "best_val": None if math.isinf(self.best_val_) else self.best_val_,
                    "best_step": self.best_step_, "stale_evals": self.stale_evals, "stop_reason": self.stop_reason_}
        meta = {**self.meta, "progress": progress, "rng": self.rng.bit_generator.state,
                "optimizer": {"name": type(self.optimizer).__name__, "scalars": optimizer_state["scalars"]},
                "history": self.history_}
        save_checkpoint(directory, tensors, meta)
        if Path(directory).name == CHECKPOINT:
            self.last_checkpoint_step = self.step

    def restore(self, directory) -> "Trainer":
        """Continue from a checkpoint written by `save` (same model, optimiser and data)."""
        tensors, meta = load_checkpoint(directory)
        self.model.load_state_dict({k: v for k, v in tensors.items() if k in self.model.params})
        if meta["optimizer"]["name"] != type(self.optimizer).__name__:
            raise InvalidValueError(f"optimizer: the checkpoint was written by {meta['optimizer']['name']}, "
                                    f"got {type(self.optimizer).__name__}")
        self.optimizer.load_state_dict({
            "tensors": {k[len(OPTIM_PREFIX):]: v for k, v in tensors.items() if k.startswith(OPTIM_PREFIX)},
            "scalars": meta["optimizer"]["scalars"]})
        carry = [tensors[f"{CARRY_PREFIX}{k}"] for k in range(2) if f"{CARRY_PREFIX}{k}" in tensors]
        self.carry = from_tuple(tuple(carry), len(carry) == 2) if carry else None
        self.rng.bit_generator.state = meta["rng"]
        p = meta["progress"]
        self.step, self.epoch, self.position, self.elapsed = p["step"], p["epoch"], p["position"], p["elapsed_s"]
        self.best_val_ = math.inf if p["best_val"] is None else p["best_val"]
        self.best_step_, self.stale_evals = p["best_step"], p["stale_evals"]
        self.history_ = {k: list(v) for k, v in meta["history"].items()}
        self.last_checkpoint_step = self.step
        return self


class _catch_sigint:
    """While active (main thread only), the first Ctrl-C asks the loop to stop after the current
    step; a second one interrupts at once as usual."""

    def __init__(self, trainer: Trainer):
        self.trainer, self.previous = trainer, None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        self.trainer._interrupted = True
        signal.signal(signal.SIGINT, self.previous)

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        self.trainer._interrupted = False
        return False
