"""SOM against MiniSom 2.3.6 on iris and on the 8x8 digits (z-scored features).

    python benchmarks/classic_som.py [--seeds 11] [--iterations 10000]

Same 10x10 rectangular map, Gaussian neighbourhood, sigma 1.5, learning rate 0.5, asymptotic
decay of both sigma and the rate, --iterations online steps in random order (each library's own
random permutation of the seed), PCA initialisation (unroll's init='pca' is MiniSom's
`pca_weights_init`: +-1 unit eigenvector around the mean; checked equal here). Interleaved in one
process, one BLAS thread, kernels compiled before timing. Printed per data set: per seed and the
medians over --seeds of quantization error, topographic error and training time, and one row where
both visit the samples in order (the maps then agree to rounding).
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from unroll.classic import SOM  # noqa: E402
from unroll.classic.datasets import load_sklearn_data  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=11)
    ap.add_argument("--iterations", type=int, default=10000)
    args = ap.parse_args()
    from minisom import MiniSom
    hp = dict(sigma=1.5, learning_rate=0.5)
    T = args.iterations
    for name in ("iris", "digits"):
        X, _ = load_sklearn_data(name)
        std = X.std(0)
        X = (X - X.mean(0)) / np.where(std > 0, std, 1.0)
        SOM(2, 2, n_iterations=2).fit(X[:4])                          # compile outside the timing
        res = {"unroll": [], "minisom": [], "paired": []}
        for seed in range(args.seeds):
            ms = MiniSom(10, 10, X.shape[1], random_seed=seed, **hp)
            ms.pca_weights_init(X)
            W0 = ms.get_weights().copy()
            t0 = time.perf_counter()
            ms.train(X, T, random_order=True)
            res["minisom"].append((ms.quantization_error(X), ms.topographic_error(X), time.perf_counter() - t0))
            t0 = time.perf_counter()
            som = SOM(10, 10, n_iterations=T, rng=seed, **hp).fit(X)
            res["unroll"].append((som.quantization_error(X), som.topographic_error(X), time.perf_counter() - t0))
            init_gap = np.abs(SOM(10, 10, n_iterations=1, sigma=hp['sigma'], learning_rate=0.0).fit(X).weights_ - W0).max()
            print(f"  seed {seed}: unroll QE {res['unroll'][-1][0]:.4f} TE {res['unroll'][-1][1]:.4f} | minisom QE "
                  f"{res['minisom'][-1][0]:.4f} TE {res['minisom'][-1][1]:.4f} | max |init - minisom init| {init_gap:.0e}",
                  flush=True)
            # the same random order as MiniSom's (its RandomState after the random weights): the
            # sequence X[order] visited in order from MiniSom's initial weights gives MiniSom's map
            rs = np.random.RandomState(seed)
            rs.rand(10, 10, X.shape[1])
            order = np.arange(T) % len(X)
            rs.shuffle(order)
            paired = SOM(10, 10, n_iterations=T, shuffle=False, init=W0, **hp).fit(X[order])
            res["paired"].append((paired.quantization_error(X), paired.topographic_error(X), 0.0))
        med = {k: np.median(np.array(v), axis=0) for k, v in res.items()}
        print(f"{name} ({X.shape[0]} x {X.shape[1]}), 10x10 map, {T} steps, median of {args.seeds} seeds:")
        for k in ("unroll", "minisom"):
            print(f"  {k:8s} QE {med[k][0]:.4f}  TE {med[k][1]:.4f}  time {med[k][2]:.3f} s")
        gap = np.abs(np.array(res["paired"])[:, :2] - np.array(res["minisom"])[:, :2]).max()
        print(f"  unroll on MiniSom's sample order: QE {med['paired'][0]:.4f} TE {med['paired'][1]:.4f}, "
              f"max |difference| from MiniSom per seed {gap:.1e}")
        print(f"  time ratio minisom / unroll: {med['minisom'][2] / med['unroll'][2]:.1f}x")
        ms = MiniSom(10, 10, X.shape[1], random_seed=0, **hp)
        ms.pca_weights_init(X)
        som = SOM(10, 10, n_iterations=T, shuffle=False, **hp).fit(X)
        ms.train(X, T)
        print(f"  in order (no shuffle): max |W - W_minisom| = {np.abs(som.weights_ - ms.get_weights()).max():.1e}, "
              f"QE {som.quantization_error(X):.4f} vs {ms.quantization_error(X):.4f}")
        print(f"som quantization error ({name}): {med['unroll'][0]:.4f} (minisom: {med['minisom'][0]:.4f})")
        print(f"som topographic error ({name}): {med['unroll'][1]:.4f} (minisom: {med['minisom'][1]:.4f})")


if __name__ == "__main__":
    main()
