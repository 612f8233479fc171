"""Data-parallel training on Dask: each batch split over workers, one update from the summed gradient.

    with connect() as client:                       # unroll.distributed.connect: LocalCluster by default
        trainer = Trainer(model, objective, optimizer, train, val, rng=rng, budget=Budget(max_steps=500),
                          gradients=DataParallel(client))
        trainer.fit()

`DataParallel` is a gradient strategy of the one training loop (`Trainer(gradients=...)`): instead
of objective.loss + objective.backward here, it cuts the batch's B rows into contiguous shards,
and each shard is a Dask task on a worker that holds a replica of the model (and the objective),
loads the current parameters into it, runs forward and BPTT on its rows and returns
(loss_sum_s, count_s, new carry rows, gradients). The loop then clips and takes one optimiser
step, so a run is the same computation as on one process, up to floating-point summation order.

Decisions:
- Loss weighting. An objective's backward leaves d(loss_sum_s / count_s), the mean over the
  shard's items (characters, sequences). The batch's loss is sum_s loss_sum_s / sum_s count_s,
  so shard s's gradient is weighted by count_s / sum count: shards with more valid tokens (fewer
  padded positions) count more, exactly as in the one-process mean.
- Truncated BPTT's carried state stays with its rows. The carry comes back to this process after
  every step, is kept whole (B rows) in `trainer.carry` (so checkpoints and exact resume are
  unchanged) and is cut by the same row split next step, so each shard continues exactly the rows
  it ended. Tasks are therefore pure functions of (parameters, rows, carry rows): a task can run on
  any worker, and rerunning it gives the same result. Carry arrays are split on `carry_axis`
  (default -2: the RNN state layout (L, B, H) and (B, H)). A batch with `reset=True` (a `Segment`
  starting new sequences) starts from no carry, whatever its size.
- Retries. A task that raises is retried by Dask (`retries`); a task on a worker that dies is
  rescheduled by the scheduler on another worker. If a step still fails for a lost worker or lost
  data, the whole step is resubmitted (`resubmits` times), the replica re-sent from this process.
  Gradients are applied only when every shard has returned, so a retried step is applied once,
  and is the same computation: nothing is lost or counted twice.
- Dropout. Masks are drawn on the workers from a stream seeded with (seed, step, shard), so a
  retried or resumed step draws the same masks; they differ from the one-process run's draws
  (its model rng), so with dropout the runs agree in distribution, not bit for bit.
"""
from __future__ import annotations

import copy
import threading
import uuid

import numpy as np

from ..errors import InvalidTypeError, InvalidValueError
from ..nn.state import from_tuple, to_tuple

__all__ = ["DataParallel", "split_rows", "split_batch", "batch_rows"]


def split_rows(n_rows: int, n_shards: int) -> list[slice]:
    """Contiguous row slices of a batch of n_rows over at most n_shards shards, sizes differing by
    at most one (the first n_rows % n shards one longer); no empty shard (fewer rows than shards:
    one row each)."""
    for name, value in (("n_rows", n_rows), ("n_shards", n_shards)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InvalidValueError(f"{name}: expected an int >= 1, got {value!r}")
    n = min(int(n_shards), int(n_rows))
    size, extra = divmod(int(n_rows), n)
    bounds = np.cumsum([0] + [size + (k < extra) for k in range(n)])
    return [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]


def batch_rows(batch) -> int:
    """B of a batch: a tuple (or NamedTuple such as `Segment`, or list) whose array entries with
    at least one dimension are batch-first and share their first axis; other entries (None, flags)
    are not per-row."""
    if not isinstance(batch, (tuple, list)):
        raise InvalidTypeError(f"batch: expected a tuple of batch-first arrays (x, y), a Segment or a list, "
                               f"got {type(batch).__name__} (pass split= for other layouts)")
    sizes = {np.shape(part)[0] for part in batch if isinstance(part, np.ndarray) and part.ndim >= 1}
    if len(sizes) != 1:
        raise InvalidValueError(f"batch: expected its arrays to share the batch size on axis 0, got sizes "
                                f"{sorted(sizes) if sizes else 'none (no arrays)'}")
    return sizes.pop()


def split_batch(batch, rows: slice):
    """The shard of `batch` at `rows`: every batch-first array sliced on axis 0, the rest as is."""
    parts = [part[rows] if isinstance(part, np.ndarray) and part.ndim >= 1 else part for part in batch]
    if isinstance(batch, list):
        return parts
    return type(batch)(*parts) if hasattr(batch, "_fields") else tuple(parts)


def _split_carry(carry, rows: list[slice], n_rows: int, axis: int):
    """Per-shard carries (tuples of arrays) from the whole carry, or Nones."""
    parts = to_tuple(carry)
    if parts is None:
        return [None] * len(rows)
    for part in parts:
        if part is not None and part.shape[axis] != n_rows:
            raise InvalidValueError(f"carry: expected {n_rows} rows on axis {axis} like the batch, got shape "
                                    f"{part.shape} (a batch of a new size must start new sequences: reset=True)")
    index = [slice(None)] * max(p.ndim for p in parts if p is not None)
    out = []
    for r in rows:
        index[axis] = r
        out.append(tuple(None if p is None else p[tuple(index)] for p in parts))
    return out


def _merge_carry(carries: list, axis: int, state_type):
    """The shards' new carries (tuples) joined back on `axis` into the objective's state type."""
    if all(c is None for c in carries):
        return None
    if any(c is None for c in carries):
        raise InvalidValueError("carry: expected every shard to hand on a carry or none to, got a mix")
    joined = tuple(None if parts[0] is None else np.concatenate(parts, axis=axis) for parts in zip(*carries))
    return from_tuple(joined, state_type)


class DataParallel:
    """The gradient strategy that computes each batch on Dask workers (see the module docstring).

    client: a `distributed.Client` (`unroll.distributed.connect`). shards: shards per batch
    (None: one per worker thread at the first step). split: (batch, row slice) -> shard batch and
    size: batch -> B (defaults `split_batch` and `batch_rows`: batch-first tuples, `Segment`s). carry_axis: the batch axis of the
    carry's arrays. retries: Dask retries of a task that raises. resubmits: whole-step resubmissions
    after a worker or its data is lost. seed: of the per-(step, shard) dropout streams.
    """

    def __init__(self, client, shards: int | None = None, *, split=split_batch, size=batch_rows, carry_axis: int = -2,
                 retries: int = 2, resubmits: int = 3, seed: int = 0):
        if shards is not None and (isinstance(shards, bool) or not isinstance(shards, int) or shards < 1):
            raise InvalidValueError(f"shards: expected an int >= 1 or None, got {shards!r}")
        for name, value in (("retries", retries), ("resubmits", resubmits)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidValueError(f"{name}: expected an int >= 0, got {value!r}")
        for name, value in (("split", split), ("size", size)):
            if not callable(value):
                raise InvalidTypeError(f"{name}: expected a function, got {type(value).__name__}")
        self.client, self.shards, self.split, self.size, self.carry_axis = client, shards, split, size, carry_axis
        self.retries, self.resubmits, self.seed = retries, resubmits, seed
        self.token = None  # names the current replica on the workers (set when it is scattered)
        self._replica, self._replica_of = None, None  # the scattered (model, objective) and what it was made from

    def __call__(self, model, objective, batch, carry, step: int):
        """Leave d(mean loss of the batch) in model.grads; return (loss_sum, count, new_carry)."""
        n_rows = self.size(batch)
        if self.shards is None:
            self.shards = max(1, sum(self.client.nthreads().values()))
        rows = split_rows(n_rows, self.shards)
        if getattr(batch, "reset", False):
            carry = None
        carries = _split_carry(carry, rows, n_rows, self.carry_axis)
        params = {k: v for k, v in model.params.items()}  # sent as they are now; nothing changes them until the step
        for attempt in range(self.resubmits + 1):
            try:
                results = self._run_step(model, objective, batch, rows, carries, params, step)
                break
            except Exception as err:
                if attempt == self.resubmits or not _lost_worker(err):
                    raise
                self._replica = None  # re-send the replica: its copies may have died with the workers
        total = sum(count for _, count, _, _ in results)
        for _, count, _, grads in results:
            if count:
                weight = count / total  # this shard's share of the loss denominator
                for k, g in grads.items():
                    model.grads[k] += weight * g
        loss = float(sum(loss for loss, _, _, _ in results))
        return loss, total, _merge_carry([c for _, _, c, _ in results], self.carry_axis, objective.state_type)

    def _run_step(self, model, objective, batch, rows, carries, params, step):
        if self._replica is None or self._replica_of[0] is not model or self._replica_of[1] is not objective:
            # one copy of the model and objective on every worker; a task fetches it from a peer
            # if its worker has none (a worker that was restarted)
            self._replica = self.client.scatter((model, objective), broadcast=True, hash=False)
            self._replica_of = (model, objective)
            self.token = uuid.uuid4().hex  # the workers' threads copy this replica, not one made before
        futures = [self.client.submit(_shard_gradients, self._replica, self.token, params, self.split(batch, r), c,
                                      model.training, (self.seed, step, k), pure=False, retries=self.retries)
                   for k, (r, c) in enumerate(zip(rows, carries))]
        return self.client.gather(futures)

    def close(self) -> None:
        """Forget the scattered replica (the workers drop it); the client stays open."""
        if self._replica is not None:
            self._replica.release()
        self._replica = self._replica_of = None


def _lost_worker(err: BaseException) -> bool:
    """Whether err means a worker (or data it held) was lost, not that the task itself failed."""
    from distributed import CancelledError, KilledWorker
    from distributed.client import FutureCancelledError, FuturesCancelledError
    from distributed.comm.core import CommClosedError
    return isinstance(err, (KilledWorker, CancelledError, FutureCancelledError, FuturesCancelledError,
                            CommClosedError))


# ---------------------------------------------------------------- on the workers
_local = threading.local()  # each worker thread's replica: (token, model, objective)


def _replica_for(template, token):
    """This thread's own copy of the scattered (model, objective), made once per strategy, so two
    threads of a worker never share the arrays they write."""
    if getattr(_local, "token", None) != token:
        _local.token, (_local.model, _local.objective) = token, copy.deepcopy(template)
    return _local.model, _local.objective


def _generators(module) -> list:
    """The distinct Generators the module tree draws from (its and its children's `rng`)."""
    found, stack = {}, [module]
    while stack:
        m = stack.pop()
        if isinstance(getattr(m, "rng", None), np.random.Generator):
            found.setdefault(id(m.rng), m.rng)
        stack.extend(getattr(m, "_children", []))
    return list(found.values())


def _shard_gradients(template, token, params, shard, carry, training, seed):
    """One shard's forward and backward on this worker's replica.

    params: name -> array, the current weights. shard: the rows' batch. carry: tuple of arrays of
    the rows' carried state, or None. seed: (seed, step, shard) of the dropout streams.
    Returns (loss_sum, count, new carry as a tuple or None, name -> gradient of loss_sum / count).
    """
    model, objective = _replica_for(template, token)
    for k, v in params.items():
        model.params[k][...] = v  # in place: submodules share these arrays
    model.train(training)
    for k, rng in enumerate(_generators(model)):
        rng.bit_generator.state = type(rng.bit_generator)(np.random.SeedSequence([*seed, k])).state
    if carry is not None:
        carry = from_tuple(carry, objective.state_type)
    model.zero_grad()
    loss, count, new_carry, cache = objective.loss(model, shard, carry)
    if np.isfinite(loss):  # a non-finite loss is reported by the training loop
        objective.backward(model, count, cache)
    grads = {k: g.copy() for k, g in model.grads.items()}
    model.zero_grad()
    return float(loss), int(count), to_tuple(new_carry), grads
