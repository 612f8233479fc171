"""One process against a 2-worker Dask LocalCluster, for the three scale-out paths, as ratios.

    python benchmarks/bench_distributed.py [--steps 20] [--series 32] [--configs 5]

1. data-parallel training: seconds per step of the char LM at its default size (LSTM 128, embedding
   32, 32 streams x 100 steps, float32, Adam, norm clipping; dinos.txt as one stream), local
   gradients vs `DataParallel` with one shard per worker; the overhead per step is the DP step
   minus half the local one (the ideal on 2 workers).
2. reservoir fit over many series: `ESN.fit` on (B, T, 1) in memory vs `fit_esn` on a dask array of
   4 partitions (400 units, [x, x^2, u] readout).
3. ESN search sweep: `esn_search` in this process vs on the cluster (speculative lookahead).
Every side uses one BLAS thread per process (OPENBLAS_NUM_THREADS=1, inherited by the workers), so
"one process" is one core and the ceiling of the ratio is 2 on 2 workers. The cluster's start is
timed separately and excluded. Results are checked equal before a time is printed.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # noqa: E402  one core per process, workers included
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from unroll.data.text import read_bundled  # noqa: E402
from unroll.distributed import DataParallel, connect, fit_esn  # noqa: E402
from unroll.distributed.esn_search import PROTOCOL, START, esn_search  # noqa: E402
from unroll.reservoir import ESN, Reservoir, Ridge  # noqa: E402
from unroll.training import Budget, CharData, TrainConfig  # noqa: E402
from unroll.training.char_lm import make_trainer  # noqa: E402


def clock(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def char_lm_steps(steps: int, gradients=None):
    """Seconds per step of `steps` updates (after 2 warm-up steps: compilation, replica copies)."""
    config = TrainConfig(data=CharData(val_fraction=0.0), budget=Budget(max_steps=steps + 2))
    trainer, _ = make_trainer(read_bundled("dinos.txt"), config, progress=False)
    trainer.gradients = gradients or trainer.gradients
    trainer.budget = Budget(max_steps=2)
    trainer.fit()
    trainer.budget = Budget(max_steps=steps + 2)
    seconds, _ = clock(trainer.fit)
    return seconds / steps, trainer


def bench_data_parallel(client, steps: int) -> None:
    local, a = char_lm_steps(steps)
    dp, b = char_lm_steps(steps, DataParallel(client))
    err = max(float(np.abs(a.model.params[k] - b.model.params[k]).max()) for k in a.model.params)
    print(f"1. data-parallel char LM (LSTM 128, batch 32 x 100, float32), {steps} steps: one process "
          f"{local * 1e3:.0f} ms/step, 2 workers {dp * 1e3:.0f} ms/step -> speed-up {local / dp:.2f}x; "
          f"overhead per step {(dp - local / 2) * 1e3:.0f} ms (DP step - local/2); max |param diff| {err:.1e}")


def esn():
    return ESN(Reservoir(400, spectral_radius=0.95, leak_rate=0.5, bias_scaling=0.2, connectivity=0.02, rng=0,
                         dtype=np.float64), Ridge(1e-8), input_to_readout=True, square_states=True)


def bench_reservoir(client, series: int, length: int = 2000) -> None:
    """Uniform random input u, target u(t-3) u(t-5) (a memory-and-product task; well conditioned,
    unlike a smooth sine whose 802 features are nearly collinear)."""
    import dask.array as da
    rng = np.random.default_rng(0)
    X = rng.uniform(-0.5, 0.5, (series, length, 1))  # (B, T, 1)
    Y = np.roll(X, 3, axis=1) * np.roll(X, 5, axis=1)
    local, ref = clock(lambda: esn().fit(X, Y, warmup=100))
    chunks = (max(1, series // 4), -1, -1)
    dist, out = clock(lambda: fit_esn(esn(), da.from_array(X, chunks=chunks), da.from_array(Y, chunks=chunks),
                                      warmup=100, client=client))
    err = float(np.abs(out.predict(X[:2])[:, 100:] - ref.predict(X[:2])[:, 100:]).max())
    print(f"2. ridge readout over {series} series x {length} steps, 400 units ({ref.readout_.gram_.shape[0]} "
          f"features), 4 partitions: one process {local:.2f} s, 2 workers {dist:.2f} s -> speed-up "
          f"{local / dist:.2f}x; max |prediction difference| {err:.1e}")


def bench_search(client, configs: int) -> None:
    protocol = {**PROTOCOL, "units": 200, "train": 1500, "washout": 500, "val_trials": 20}
    local, a = clock(lambda: esn_search(protocol, START, configs, 3, client=None, progress=False))
    dist, b = clock(lambda: esn_search(protocol, START, configs, 3, client=client, progress=False))
    same = [r["score"] for r in a] == [r["score"] for r in b]
    fits = 3 * (configs + 1)
    print(f"3. ESN search, {configs} steps x 3 networks (200 units, train 1500): one process {local:.1f} s, "
          f"2 workers {dist:.1f} s -> speed-up {local / dist:.2f}x ({fits} fits needed, "
          f"{sum(r['accepted'] for r in a) - 1} acceptances; same table: {same})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--series", type=int, default=32)
    parser.add_argument("--configs", type=int, default=5)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores")
    start = time.perf_counter()
    with connect(workers=2, threads_per_worker=1) as client:
        client.wait_for_workers(2)
        print(f"LocalCluster of 2 worker processes started in {time.perf_counter() - start:.1f} s (not counted below)")
        bench_data_parallel(client, args.steps)
        bench_reservoir(client, args.series)
        bench_search(client, args.configs)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
