"""Split a batch over the BLAS threads: each block of rows runs its whole time loop on its own thread.

Why: at the batch sizes these models train with (B = 16..64) a step's GEMM is small; OpenBLAS's
threads split it with a synchronisation every step, and the gate math between the GEMMs runs on one
core. The rows of a batch never meet inside a recurrent layer, so the batch can run as n independent
blocks of rows, each on its own thread (the kernels release the GIL) with a one-threaded BLAS: no
per-step synchronisation, and the gate math on every core. Each block computes what the whole batch
computes for its rows; the weight gradients are the sums of the blocks' (rounding aside, the same
sums in another order).

    split = BatchSplit.plan(B, H)            # None: run the batch whole
    out, state = split.forward(kernels, x, state0, weights, lengths, train)
    dx, d_state0, *weight_grads = split.backward(kernels, d_output, d_state)   # split is the cache

`UNROLL_BATCH_SPLIT=0` turns it off; `OPENBLAS_NUM_THREADS=1` leaves nothing to split over.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np

from . import _blas

MIN_ROWS = 8  # fewer rows per block leave each GEMM too small to pay for its thread
# Above this hidden size the GEMMs dominate a step and OpenBLAS's own threads split them better:
# measured train step (forward + backward) split / whole at 2 threads, (B, T, D, H): LSTM 1.16x at
# (32, 100, 64, 128), 1.09x at (64, 100, 128, 256), 0.80x at (32, 200, 256, 512), 0.68x at
# (16, 50, 1024, 1024); GRU 1.25x, 1.13x, 0.95x, 0.71x (docs/performance.md).
MAX_HIDDEN = 256
ENV = "UNROLL_BATCH_SPLIT"
_lock = threading.Lock()  # one split at a time: it sets the process-wide BLAS thread count
_pool = None


class BatchSplit:
    """The blocks of rows of one forward call, and after a training forward its cache."""

    def __init__(self, bounds: list[tuple[int, int]]):
        self.bounds = bounds
        self.kernels = self.caches = self.lengths = self._merged = None

    @classmethod
    def plan(cls, batch: int, hidden: int):
        """The split of `batch` rows over the BLAS threads, or None (too few rows, one thread, a
        hidden size above MAX_HIDDEN, or turned off)."""
        if os.environ.get(ENV, "1") == "0" or hidden > MAX_HIDDEN:
            return None
        n = min(available_threads(), batch // MIN_ROWS)
        if n < 2:
            return None
        edges = np.linspace(0, batch, n + 1).round().astype(int)
        return cls(list(zip(edges[:-1].tolist(), edges[1:].tolist())))

    def _map(self, fn) -> list:
        """[fn(k, lo, hi) for every block]: block 0 in this thread, the others on the pool, all with a
        one-threaded BLAS. If another split is running (its BLAS setting is in force), one by one here."""
        global _pool
        if not _lock.acquire(blocking=False):
            return [fn(k, lo, hi) for k, (lo, hi) in enumerate(self.bounds)]
        try:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="unroll-split")
            before = _blas.threads()
            _blas.set_threads(1)
            futures = [_pool.submit(fn, k, lo, hi) for k, (lo, hi) in enumerate(self.bounds) if k]
            try:
                first = fn(0, *self.bounds[0])
            finally:
                wait(futures)
                _blas.set_threads(before)
            return [first] + [f.result() for f in futures]
        finally:
            _lock.release()

    def forward(self, kernels, x, state0, weights, lengths, train: bool):
        """Every block through `kernels.forward_rows`. Returns (output (B, T, H), final state tuple)."""
        def block(k, lo, hi):
            rows = None if lengths is None else lengths[lo:hi]
            return kernels.forward_rows(x[lo:hi], tuple(s[lo:hi] for s in state0), *weights, rows, train)

        parts = self._map(block)
        if train:
            self.kernels, self.caches, self.lengths = kernels, [p[2] for p in parts], lengths
        return np.concatenate([p[0] for p in parts]), _concat_states([p[1] for p in parts])

    def materialize(self):
        return self

    def backward(self, kernels, d_output, d_state):
        """BPTT per block. Returns (dx, d_state0 tuple, dw_ih, dw_hh, db_ih, db_hh) like the whole batch's."""
        def block(k, lo, hi):
            d_out = None if d_output is None else d_output[lo:hi]
            d_st = None if d_state is None else tuple(None if d is None else d[lo:hi] for d in d_state)
            return kernels.backward(d_out, d_st, self.caches[k])

        parts = self._map(block)
        grads = []
        for i in range(2, 6):
            total = parts[0][i]
            if total is not None:
                for p in parts[1:]:
                    total += p[i]
            grads.append(total)
        return (np.concatenate([p[0] for p in parts]), _concat_states([p[1] for p in parts]), *grads)

    # ---- the whole batch's `FusedCache`, for the reference BPTT and the diagnostics
    def merged(self):
        if self._merged is None:
            c0 = self.caches[0]
            cat = lambda name: (None if getattr(c0, name) is None
                                else np.concatenate([getattr(c, name) for c in self.caches]))
            self._merged = type(c0)(c0.kernels, cat("x"), c0.w_ih, c0.w_hh, c0.has_bias, self.lengths,
                                    cat("lens"), cat("hs"), cat("cs"), cat("gates"), cat("ghn"))
        return self._merged

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.merged(), name)


def available_threads() -> int:
    """The threads a batch may be split over: NumPy's BLAS threads (the cores, or OPENBLAS_NUM_THREADS)."""
    return _blas.threads()


def _concat_states(parts: list[tuple]) -> tuple:
    return tuple(np.concatenate(blocks) for blocks in zip(*parts))
