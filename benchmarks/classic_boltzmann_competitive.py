"""The 4-2-4 encoder of Ackley, Hinton & Sejnowski (1985), and dead units in competitive learning.

    python benchmarks/classic_boltzmann_competitive.py [--runs 20]

Encoder: a general Boltzmann machine [V1 (4), V2 (4), H (2)] without V1-V2 connections, trained
by the AHS rule with the settings of `unroll classic boltzmann` (unroll.commands.classic.ENCODER);
a run has learnt all four patterns when, V1 clamped to each, the most probable completion (by
enumeration) has V2 equal to V1. Printed: solved runs out of --runs, and the Gibbs sweeps.
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
    args = ap.parse_args()
    X, C = encoder_patterns(4), encoder_connectivity(4, 2)
    t0, solved = time.perf_counter(), []
    for seed in range(args.runs):
        bm = BoltzmannMachine(2, C, rng=seed, **ENCODER).fit(X)
        solved.append(encoder_solved(bm))
    print(f"encoder: {ENCODER}, {bm.n_sweeps_} Gibbs sweeps per chain per run, {time.perf_counter() - t0:.1f} s")
    print(f"encoder 4-2-4 solved: {sum(solved)}/{args.runs}")
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
