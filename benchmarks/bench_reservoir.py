"""Speed of unroll.reservoir against ReservoirPy 0.4.2, in one process, interleaved.

    python benchmarks/bench_reservoir.py [--units 1000] [--steps 10000] [--repeats 3]

For each recurrent connectivity (0.01 and 0.1) and each operation, ReservoirPy then unroll run
the same work back to back, `--repeats` times; the median times and their ratio
(ReservoirPy / unroll, > 1 means unroll is faster) are printed:
- run:      the reservoir over a 10,000-step series (states returned);
- fit:      an ESN (reservoir >> ridge readout) fitted on it, washout 100;
- generate: 10,000 steps of closed-loop prediction (output fed back as input); for ReservoirPy
            the documented step loop `y = model(y)`, its only closed-loop path.
Both in float64 (ReservoirPy's default; its sparse matrices and states are float64) on the same
BLAS with one thread (set below, before NumPy loads: a shared machine makes multi-threaded
GEMV erratic); an extra line gives unroll in its float32 default. Inputs: Mackey-Glass.
ReservoirPy is optional: without it this prints a message and exits 0.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from unroll.data.chaotic import mackey_glass  # noqa: E402
from unroll.reservoir import ESN, Reservoir, Ridge  # noqa: E402

HP = dict(spectral_radius=1.25, leak_rate=0.3, input_scaling=0.5)


def unroll_ops(units, connectivity, X, Y, dtype):
    X, Y = X.astype(dtype), Y.astype(dtype)
    # Weights drawn outside the timings; ESN.fit works on a copy of this initialised reservoir
    # (that copy is timed: it is part of every fit), as ReservoirPy refits its built reservoir.
    res = Reservoir(units, connectivity=connectivity, rng=0, dtype=dtype, **HP).initialize(X.shape[-1])
    esn = ESN(res, Ridge(1e-8)).fit(X[:200], Y[:200])

    def generate():
        return esn.generate(len(X), seed=Y[-1:], state=esn.state_[0])
    return {"run": lambda: res.run(X), "fit": lambda: esn.fit(X, Y, warmup=100), "generate": generate}


def reservoirpy_ops(units, connectivity, X, Y):
    from reservoirpy.nodes import Reservoir as RpyReservoir
    from reservoirpy.nodes import Ridge as RpyRidge
    res = RpyReservoir(units, sr=HP["spectral_radius"], lr=HP["leak_rate"], input_scaling=HP["input_scaling"],
                       rc_connectivity=connectivity, seed=0)
    model = res >> RpyRidge(ridge=1e-8)
    model.fit(X[:200], Y[:200])

    def generate():
        y, out = Y[-1], np.empty_like(X)
        for t in range(len(X)):
            y = model(y)
            out[t] = y
        return out
    return {"run": lambda: res.run(X), "fit": lambda: model.fit(X, Y, warmup=100), "generate": generate}


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    try:
        import reservoirpy
    except ImportError:
        print("ReservoirPy is not installed (pip install reservoirpy==0.4.2): nothing to compare, skipping.")
        return 0
    warnings.simplefilter("ignore")  # ReservoirPy's own deprecation chatter
    series = np.tanh(mackey_glass(args.steps + 1) - 1.0)  # (T + 1, 1)
    X, Y = series[:-1], series[1:]
    print(f"unroll vs ReservoirPy {reservoirpy.__version__}: {args.units} units, {args.steps} steps, "
          f"median of {args.repeats}, one BLAS thread; ratio = ReservoirPy time / unroll time")
    print(f"{'connectivity':>12} {'operation':>9} {'ReservoirPy s':>14} {'unroll f64 s':>13} {'ratio':>6} "
          f"{'unroll f32 s':>13} {'ratio':>6}")
    for connectivity in (0.01, 0.1):
        ops = {"rpy": reservoirpy_ops(args.units, connectivity, X, Y),
               "u64": unroll_ops(args.units, connectivity, X, Y, np.float64),
               "u32": unroll_ops(args.units, connectivity, X, Y, np.float32)}
        for op in ("run", "fit", "generate"):
            times = {k: [] for k in ops}
            for _ in range(args.repeats):  # interleaved: each library in turn, same conditions
                for k in ops:
                    times[k].append(timed(ops[k][op]))
            med = {k: statistics.median(v) for k, v in times.items()}
            print(f"{connectivity:>12} {op:>9} {med['rpy']:>14.3f} {med['u64']:>13.3f} {med['rpy'] / med['u64']:>6.2f} "
                  f"{med['u32']:>13.3f} {med['rpy'] / med['u32']:>6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
