"""Echo state networks over many series on Dask: the ridge readout from per-partition statistics.

    import dask.array as da
    Y = da.from_array(series, chunks=(64, -1, -1))        # (B, T, O): 64 series per partition
    fit_esn(esn, None, Y, warmup=100, client=client)      # = esn.fit(None, series, warmup=100)
    fit_esn_files(esn, ["part-000.npz", ...], warmup=100, client=client)   # each file holds X? and Y
    states = run_reservoir(reservoir, X)                   # lazy (B, T, N) dask array
    Y_hat = predict_esn(esn, X)                            # lazy (B, T, O)

A partition is a group of whole series (the state runs along time, so time is never split). On its
worker each partition runs the ESN's reservoir (teacher-forced, as `ESN.fit`), and adds its
features' A^T A and Y^T A (`Ridge.accumulate`); the partial sums are added pairwise on the
workers (a tree of tasks) and the one ridge solve is `Ridge.fit_statistics`, here. The result
equals `esn.fit` on the same series in memory up to the order of floating-point sums.

State noise (`Reservoir(noise=...)`) is drawn per partition from a stream seeded by the partition's
index, so a fit is reproducible however the partitions are scheduled; with noise > 0 it is not
the in-memory fit's draw (that one draws the series in order from one stream).
"""
from __future__ import annotations

import copy

import numpy as np

from .._checks import check_array
from ..errors import InvalidTypeError, InvalidValueError
from ..estimators import clone_estimator
from ..reservoir import ESN, Reservoir, Ridge

__all__ = ["fit_esn", "fit_esn_files", "run_reservoir", "predict_esn"]


def _dask_array():
    from .client import _dask
    _dask()
    import dask.array as da
    return da


def _whole_series(a, name: str, blocks=None):
    """A dask array (B, T, K) (or (T, K): one series) rechunked to whole series per block, the
    series axis as `blocks` (a chunks tuple) when given."""
    da = _dask_array()
    if not isinstance(a, da.Array):
        raise InvalidTypeError(f"{name}: expected a dask array (B, T, K), got {type(a).__name__} "
                               f"(in memory, use ESN.fit; files: fit_esn_files)")
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3:
        raise InvalidValueError(f"{name}: expected a dask array (B, T, K) or (T, K), got shape {a.shape}")
    return a.rechunk({0: blocks if blocks is not None else a.chunks[0], 1: -1, 2: -1})


def _check(esn) -> None:
    if not isinstance(esn, ESN):
        raise InvalidTypeError(f"esn: expected an ESN, got {type(esn).__name__}")
    if esn.readout is not None and not isinstance(esn.readout, Ridge):
        raise InvalidTypeError(f"readout: expected Ridge (or None) to fit from summed statistics, got "
                               f"{type(esn.readout).__name__}; RLS and LMS are sequential, use ESN.fit")


def _prepare(esn: ESN, input_size: int, output_size: int) -> ESN:
    """esn with its reservoir_ drawn (as ESN.fit does) and a noise seed; the copy sent to workers."""
    _check(esn)
    esn.reservoir_ = esn._copy_reservoir(input_size, output_size if esn.feedback else 0)
    esn.readout_ = Ridge(1e-8) if esn.readout is None else clone_estimator(esn.readout)
    esn._noise_seed = int(esn.reservoir_.noise_rng_.integers(2 ** 63))
    return esn


def _partition_statistics(esn: ESN, X, Y, warmup: int, index: int):
    """A task: (A^T A (P, P), Y^T A (O, P), (index, last states (b, N))) of one partition.

    X: (b, T, D) or None; Y: (b, T, O); warmup: steps of each series left out of the regression."""
    Y = np.asarray(Y)
    Y = Y[None] if Y.ndim == 2 else Y
    res = esn.reservoir_
    X = np.zeros(Y.shape[:2] + (0,), res.dtype) if X is None else np.asarray(X)
    X = X[None] if X.ndim == 2 else X
    if X.shape[:2] != Y.shape[:2]:
        raise InvalidValueError(f"X, Y: expected the same series and steps, got shapes {X.shape} and {Y.shape}")
    check_array("Y", Y, X.shape[:2] + (None,), res.dtype)
    if warmup >= Y.shape[1]:
        raise InvalidValueError(f"warmup: expected fewer steps than the series length {Y.shape[1]}, got {warmup}")
    res.noise_rng_ = np.random.default_rng([esn._noise_seed, index])
    states = esn._teacher_forced(X, Y, None, training=True)  # (b, T, N)
    readout = copy.deepcopy(esn.readout_)
    readout.accumulate(esn._features(states, X)[:, warmup:], Y[:, warmup:])
    return readout.gram_, readout.cross_, (index, states[:, -1])


def _file_statistics(esn: ESN, path: str, x_key: str, y_key: str, warmup: int, index: int):
    """A task: one file's partition statistics (the file read on the worker)."""
    X, Y = _load(path, x_key, y_key)
    return _partition_statistics(esn, X, Y, warmup, index)


def _load(path, x_key, y_key):
    with np.load(path) as data:
        if y_key not in data:
            raise InvalidValueError(f"{path}: expected an array {y_key!r} of targets, found {sorted(data.files)}")
        return (data[x_key] if x_key in data else None), data[y_key]


def _add(a, b):
    """Two partial statistics summed; the last states of the later partition kept."""
    return a[0] + b[0], a[1] + b[1], max(a[2], b[2], key=lambda s: s[0])


def _reduce(client, futures):
    """Pairwise sums as tasks on the workers until one future is left; its result."""
    while len(futures) > 1:
        pairs = [client.submit(_add, a, b, pure=False) for a, b in zip(futures[::2], futures[1::2])]
        futures = pairs + ([futures[-1]] if len(futures) % 2 else [])
    return futures[0].result()


def _finish(esn: ESN, stats) -> ESN:
    gram, cross, (_, last) = stats
    esn.readout_.fit_statistics(gram, cross)
    esn.state_ = last
    del esn._noise_seed
    return esn


def fit_esn(esn: ESN, X, Y, *, warmup: int = 0, client) -> ESN:
    """Fit esn's ridge readout on many series held as dask arrays; returns esn, fitted as by
    `esn.fit(X, Y, warmup)` (reservoir_, readout_, state_ of the last partition's series).

    X: (B, T, D) dask array or None (no exogenous input); Y: (B, T, O) dask array; partitions are
    Y's blocks along B (other axes are rechunked whole). client: a `distributed.Client`.
    """
    if not isinstance(warmup, (int, np.integer)) or warmup < 0:
        raise InvalidValueError(f"warmup: expected an integer >= 0, got {warmup!r}")
    Y = _whole_series(Y, "Y")
    X = None if X is None else _whole_series(X, "X", Y.chunks[0])
    if X is not None and X.shape[:2] != Y.shape[:2]:
        raise InvalidValueError(f"X, Y: expected the same series and steps, got shapes {X.shape} and {Y.shape}")
    _prepare(esn, 0 if X is None else X.shape[2], Y.shape[2])
    for name, a in (("X", X), ("Y", Y)):
        if a is not None and a.dtype != esn.reservoir_.dtype:
            raise InvalidTypeError(f"{name}: expected dtype {np.dtype(esn.reservoir_.dtype)} like the reservoir, "
                                   f"got {a.dtype} (cast it explicitly: {name}.astype(...))")
    shared = client.scatter(esn, broadcast=True, hash=False)
    y_blocks = client.compute(list(Y.to_delayed().ravel()))
    x_blocks = [None] * len(y_blocks) if X is None else client.compute(list(X.to_delayed().ravel()))
    parts = [client.submit(_partition_statistics, shared, x, y, int(warmup), k, pure=False, retries=1)
             for k, (x, y) in enumerate(zip(x_blocks, y_blocks))]
    return _finish(esn, _reduce(client, parts))


def fit_esn_files(esn: ESN, paths, *, warmup: int = 0, client, x_key: str = "X", y_key: str = "Y") -> ESN:
    """`fit_esn` over series stored in .npz files, one partition per file, read by the workers
    (they must see the same paths). Each file holds `y_key` (T, O) or (B, T, O) and, unless the
    ESN has no exogenous input, `x_key` with the same leading shape. The first file is read here
    too, for the sizes that draw the reservoir."""
    paths = [str(p) for p in paths]
    if not paths:
        raise InvalidValueError("paths: expected at least one .npz file, got none")
    if not isinstance(warmup, (int, np.integer)) or warmup < 0:
        raise InvalidValueError(f"warmup: expected an integer >= 0, got {warmup!r}")
    X0, Y0 = _load(paths[0], x_key, y_key)
    _prepare(esn, 0 if X0 is None else X0.shape[-1], Y0.shape[-1])
    shared = client.scatter(esn, broadcast=True, hash=False)
    parts = [client.submit(_file_statistics, shared, p, x_key, y_key, int(warmup), k, pure=False, retries=1)
             for k, p in enumerate(paths)]
    return _finish(esn, _reduce(client, parts))


def run_reservoir(reservoir: Reservoir, X):
    """The reservoir's states over many series, lazily: X (B, T, D) dask array -> (B, T, N) dask
    array, one task per block of series (compute it with a client to run on the workers).
    The reservoir is initialised here first if it is not yet, so every block uses the same weights."""
    if not isinstance(reservoir, Reservoir):
        raise InvalidTypeError(f"reservoir: expected a Reservoir, got {type(reservoir).__name__}")
    X = _whole_series(X, "X")
    if not hasattr(reservoir, "W_"):
        reservoir.initialize(X.shape[2])
    return X.map_blocks(reservoir.run, dtype=np.dtype(reservoir.dtype),
                        chunks=(X.chunks[0], X.chunks[1], (reservoir.units,)))


def predict_esn(esn: ESN, X):
    """A fitted ESN's outputs over many series, lazily: X (B, T, D) dask array -> (B, T, O)."""
    if not hasattr(esn, "readout_"):
        raise InvalidValueError("esn: expected a fitted ESN, call fit (or fit_esn) first")
    X = _whole_series(X, "X")
    return X.map_blocks(esn.predict, dtype=np.dtype(esn.reservoir_.dtype),
                        chunks=(X.chunks[0], X.chunks[1], (esn.readout_.coef_.shape[0],)))
