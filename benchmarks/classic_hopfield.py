"""Hopfield capacity (Amit, Gutfreund & Sompolinsky 1985: critical load 0.138 for the Hebbian rule).

    python benchmarks/classic_hopfield.py [--trials 10] [--sizes 100 200 500]

What AGS's 0.138 is: below it the T = 0 dynamics has a retrieval state next to each stored
pattern with overlap m >= 0.967 (at most 1.6% of the bits wrong); at 0.138 that state
disappears and the overlap drops discontinuously to spin-glass values (~0.3 and below). So the
faithful criterion is "the probe ends in the retrieval state", measured here as final overlap
>= 0.95 (<= 2.5% wrong bits), not "no wrong bit": exact recall fails earlier and earlier as N
grows, since the retrieval state itself carries ~1% wrong bits near 0.138 (at N = 500 that is 5
bits). For N in --sizes and each rule, every stored pattern with 10% flipped bits is recalled
(asynchronous updates, random order, to a fixed point); printed: the exact-recall and retrieval
fractions against load P/N and the load where each falls below 0.5 (linear interpolation). For
the Hebbian rule also from the stored patterns themselves (0% noise: the stability of the
retrieval state, AGS's question without the basin of attraction), on a finer grid, and the fit
alpha(N) = alpha_inf + b / sqrt(N) of the retrieval collapse loads. Then the issue's reference
points at N = 100 (exact recall).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from unroll.classic import capacity_curve, critical_load

GRIDS = {"hebbian": np.linspace(0.08, 0.24, 17), "storkey": np.linspace(0.1, 0.6, 11),
         "pseudo-inverse": np.linspace(0.2, 0.8, 13)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 500])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print("reference points, N=100, 200 networks each (exact recall from 10% noise):")
    for rule in ("hebbian", "storkey"):
        r = capacity_curve(100, [10, 14, 20, 30], rule, trials=200, rng=args.seed)
        print(f"  {rule:8s} P = 10 / 14 / 20 / 30: " + " / ".join(f"{x:.2f}" for x in r["exact"]))
    summary = {}
    for N in args.sizes:
        runs = [(rule, loads, 0.1) for rule, loads in GRIDS.items()] + [("hebbian", GRIDS["hebbian"], 0.0)]
        for rule, loads, noise in runs:
            t0 = time.perf_counter()
            P = np.unique(np.round(loads * N).astype(int))
            trials = max(1, args.trials * 100 // N) * (3 if rule == "hebbian" else 1)
            r = capacity_curve(N, P, rule, noise=noise, trials=trials, rng=args.seed)
            ex, rt = critical_load(r["load"], r["exact"]), critical_load(r["load"], r["retrieved"])
            summary[(N, rule, noise)] = (ex, rt)
            print(f"N={N} {rule:15s} noise {noise:.0%} ({trials} networks per load, {time.perf_counter() - t0:.1f} s)")
            print("  load      " + " ".join(f"{x:5.3f}" for x in r["load"]))
            print("  exact     " + " ".join(f"{x:5.2f}" for x in r["exact"]))
            print("  retrieved " + " ".join(f"{x:5.2f}" for x in r["retrieved"]))
            print("  overlap   " + " ".join(f"{x:5.2f}" for x in r["overlap"]))
            print(f"  collapse load: exact recall {ex:.3f}, retrieval (overlap >= 0.95) {rt:.3f}", flush=True)
    print("collapse loads (rate < 0.5), exact recall / retrieval:")
    for (N, rule, noise), (ex, rt) in summary.items():
        print(f"  N={N:4d} {rule:15s} noise {noise:.0%}: {ex:.3f} / {rt:.3f}")
    for noise in (0.1, 0.0):
        sizes = [N for N in args.sizes if (N, "hebbian", noise) in summary]
        if len(sizes) >= 2:
            a = np.array([summary[(N, "hebbian", noise)][1] for N in sizes])
            b, a_inf = np.polyfit(1 / np.sqrt(sizes), a, 1)
            print(f"hebbian retrieval collapse, noise {noise:.0%}: alpha(N) = {a_inf:.3f} + {b:.2f} / sqrt(N)")
    for N in args.sizes:
        print(f"hebbian critical load (N={N}): {summary[(N, 'hebbian', 0.1)][1]:.3f} "
              f"(exact recall: {summary[(N, 'hebbian', 0.1)][0]:.3f})")


if __name__ == "__main__":
    main()
