"""The 4-2-4 encoder of Ackley, Hinton & Sejnowski (1985), and dead units in competitive learning.

    python benchmarks/classic_boltzmann_competitive.py [--runs 20] [--cycles 800]

Encoder: a general Boltzmann machine [V1 (4), V2 (4), H (2)] without V1-V2 connections, trained
by AHS's own procedure, BoltzmannMachine's defaults: fixed steps of 2 along sign(p+ - p-), each
pattern clamped (noisily, 0.15 on->off, 0.05 off->on) in 2 annealings, as many free ones,
2@20, 2@15, 2@12, 4@10 then statistics over 10 sweeps at T = 10. A run has learnt all four
patterns when, V1 clamped to each, the most probable completion (by enumeration) has V2 equal
to V1; checked after every learning cycle. Printed per run: the first cycle at which it is
solved (AHS's count: "found a solution", 250/250 runs, ~110 cycles on average), and whether it
is solved after 300 cycles (the command's `unroll.commands.classic.ENCODER` budget) and after
--cycles; then the solved counts, the cycles and Gibbs sweeps per chain to the first solution.
Competitive learning: 20 prototypes, uniform in the bounding box of a 5-Gaussian mixture (1000
points), 20 epochs; dead units (nearest to no point) per seed, standard / leaky / conscience.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from unroll.classic import BoltzmannMachine, CompetitiveLearning, encoder_connectivity, encoder_patterns, gaussian_mixture
from unroll.commands.classic import ENCODER, encoder_solved


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--cycles", type=int, default=800)
    args = ap.parse_args()
    X, C = encoder_patterns(4), encoder_connectivity(4, 2)
    t0, first, at300, at_end = time.perf_counter(), [], [], []
    for seed in range(args.runs):
        seen = {"first": None, "300": None}

        def watch(model, cycle):
            ok = encoder_solved(model)
            if ok and seen["first"] is None:
                seen["first"] = cycle
            if cycle == 300:
                seen["300"] = ok
            return False

        bm = BoltzmannMachine(2, C, n_epochs=args.cycles, rng=seed, callback=watch).fit(X)
        first.append(seen["first"])
        at300.append(bool(seen["300"]))
        at_end.append(encoder_solved(bm))
        print(f"  seed {seed:2d}: first solved at cycle {seen['first']}, solved at 300: {at300[-1]}, "
              f"at {args.cycles}: {at_end[-1]}", flush=True)
    sweeps_per_cycle = bm.n_sweeps_ // bm.n_epochs_
    found = sorted(f for f in first if f is not None)
    print(f"encoder: AHS defaults, {args.runs} runs of {args.cycles} cycles, {time.perf_counter() - t0:.1f} s")
    print(f"encoder 4-2-4 found a solution within {args.cycles} cycles: {len(found)}/{args.runs}; cycles to it: "
          f"median {np.median(found):.0f}, mean {np.mean(found):.0f} ({sweeps_per_cycle} Gibbs sweeps per chain per "
          f"cycle: median {np.median(found) * sweeps_per_cycle:.0f} sweeps)")
    print(f"encoder 4-2-4 solved after 300 cycles (unroll classic boltzmann's budget, {ENCODER}): "
          f"{sum(at300)}/{args.runs}; after {args.cycles}: {sum(at_end)}/{args.runs}")
    print(f"encoder 4-2-4 solved: {len(found)}/{args.runs}")
    variants = {"standard": {}, "leaky": dict(leak=0.001), "conscience": dict(conscience=3.0)}
    dead = {k: [] for k in variants}
    for seed in range(10):
        Xm, _ = gaussian_mixture(1000, 5, rng=seed)
        for k, kw in variants.items():
            dead[k].append(len(CompetitiveLearning(20, rng=seed, **kw).fit(Xm).dead_units(Xm)))
    for k, v in dead.items():
        print(f"competitive {k:10s} dead units per seed {v}, median {np.median(v):.1f} of 20")


if __name__ == "__main__":
    main()
