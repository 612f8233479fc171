"""Hopfield capacity (Amit, Gutfreund & Sompolinsky 1985: critical load 0.138 for the Hebbian rule).

    python benchmarks/classic_hopfield.py [--trials 10] [--sizes 100 200 500]

For N in --sizes and each rule, the fraction of stored patterns recalled without a single wrong
bit from 10% flipped bits (asynchronous updates, random order, to a fixed point) against the
load P/N; printed: the curve, and the load where it falls below 0.5 (linear interpolation), and
the same for "retrieved" (final overlap >= 0.95). Then the issue's reference points at N = 100.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from unroll.classic import capacity_curve, critical_load

GRIDS = {"hebbian": np.linspace(0.04, 0.26, 12), "storkey": np.linspace(0.1, 0.6, 11),
         "pseudo-inverse": np.linspace(0.2, 0.8, 13)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 500])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print("reference points, N=100, 200 networks each:")
    for rule in ("hebbian", "storkey"):
        r = capacity_curve(100, [10, 14, 20, 30], rule, trials=200, rng=args.seed)
        print(f"  {rule:8s} P = 10 / 14 / 20 / 30: " + " / ".join(f"{x:.2f}" for x in r["exact"]))
    for N in args.sizes:
        for rule, loads in GRIDS.items():
            t0 = time.perf_counter()
            P = np.unique(np.round(loads * N).astype(int))
            trials = max(1, args.trials * 100 // N)
            r = capacity_curve(N, P, rule, trials=trials, rng=args.seed)
            print(f"N={N} {rule:15s} ({trials} networks per load, {time.perf_counter() - t0:.1f} s)")
            print("  load      " + " ".join(f"{x:5.3f}" for x in r["load"]))
            print("  exact     " + " ".join(f"{x:5.2f}" for x in r["exact"]))
            print("  retrieved " + " ".join(f"{x:5.2f}" for x in r["retrieved"]))
            print(f"  critical load: exact recall {critical_load(r['load'], r['exact']):.3f}, "
                  f"retrieval {critical_load(r['load'], r['retrieved']):.3f}")


if __name__ == "__main__":
    main()
