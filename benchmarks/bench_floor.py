"""Where a training step's time goes: unroll against its own floors, and against PyTorch, in one process.

    python benchmarks/bench_floor.py                # LSTM and GRU, the four shapes of bench_core.py
    python benchmarks/bench_floor.py --kinds GRU --quick

For each (B, T, D, H) it times, interleaved (float32, same thread count):

- torch:      PyTorch's training step (forward + backward), as in bench_core.py;
- unroll:     unroll's training step (the default, fused backend);
- GEMMs:      only the matrix products unroll's BPTT performs (the input projection, one gate GEMM
              per step forward and one per step backward, and the three weight/input-gradient GEMMs
              after the loop), with nothing else;
- squashing:  only the transcendental passes no NumPy implementation can avoid: one exp over every
              logistic gate and one tanh over every tanh'd array, at every step.

and prints the ratios torch / time (per round, median over rounds) for unroll, for the GEMMs alone
and for GEMMs + squashing. The
last two bound what any NumPy implementation of this algorithm could reach on this machine: they
leave out every other elementwise pass (each NumPy operation is a separate pass over memory).
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import unroll
from bench_core import SHAPES, interleaved, layer_case, medians, paired_ratio

# Per cell: (gates G, logistic gate multiple, tanh'd arrays per step).
CELLS = {"LSTM": (4, 4, 1), "GRU": (3, 2, 1), "RNN": (1, 0, 1)}


def gemm_only(kind: str, B: int, T: int, D: int, H: int):
    """The products of one unroll training step, and nothing else."""
    G = CELLS[kind][0]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B * T, D)).astype(np.float32)  # (B*T, D)
    w_ih = rng.standard_normal((G * H, D)).astype(np.float32)
    w_hh = rng.standard_normal((G * H, H)).astype(np.float32)
    h = rng.standard_normal((B, H)).astype(np.float32)
    dgx = rng.standard_normal((B * T, G * H)).astype(np.float32)
    h_prev = rng.standard_normal((B * T, H)).astype(np.float32)

    def run():
        x @ w_ih.T  # input projections
        for _ in range(T):
            h @ w_hh.T  # forward gate GEMM
        for t in range(T):
            dgx[t * B:(t + 1) * B] @ w_hh  # backward: dL/dh_{t-1}
        dgx.T @ x  # dW_ih
        dgx @ w_ih  # dx
        dgx.T @ h_prev  # dW_hh
    return run


def squashing_only(kind: str, B: int, T: int, H: int):
    """One exp over the logistic gates and one tanh per tanh'd array, every step."""
    _, logistic, tanhs = CELLS[kind]
    rng = np.random.default_rng(0)
    a = rng.standard_normal((B, max(logistic, 1) * H)).astype(np.float32)
    u = rng.standard_normal((B, H)).astype(np.float32)
    out_a, out_u = np.empty_like(a), np.empty_like(u)

    def run():
        for _ in range(T):
            if logistic:
                np.exp(a, out=out_a)
            for _ in range(tanhs):
                np.tanh(u, out=out_u)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default="LSTM,GRU")
    parser.add_argument("--quick", action="store_true", help="smallest shape only")
    parser.add_argument("--pause", type=float, default=0.3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, numpy {np.__version__}, unroll {unroll.__version__}, threads {args.threads}, "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"{'cell':5} {'(B, T, D, H)':>20} {'torch':>8} {'unroll':>8} {'GEMMs':>8} {'squash':>8}   "
          f"ratio torch/: {'unroll':>7} {'GEMMs':>7} {'G+sq':>7}   (ms)")
    for kind in args.kinds.split(","):
        for B, T, D, H in SHAPES[:1] if args.quick else SHAPES:
            train, _ = layer_case(torch, kind, B, T, D, H)
            fns = {"torch": train["torch"], "unroll": train["numba"], "gemm": gemm_only(kind, B, T, D, H),
                   "squash": squashing_only(kind, B, T, H)}
            repeats = max(1, int(2e7 / (B * T * H * (D + H))))
            per_round = interleaved(fns, 3 if args.quick else 5, repeats, args.pause)
            per_round["floor"] = [g + s for g, s in zip(per_round["gemm"], per_round["squash"])]
            ms = {k: v * 1e3 for k, v in medians(per_round).items()}
            ratios = [paired_ratio(per_round, "torch", k) for k in ("unroll", "gemm", "floor")]
            print(f"{kind:5} {str((B, T, D, H)):>20} {ms['torch']:8.1f} {ms['unroll']:8.1f} {ms['gemm']:8.1f} "
                  f"{ms['squash']:8.1f}   {'':>13} " + " ".join(f"{r:7.2f}" for r in ratios), flush=True)


if __name__ == "__main__":
    main()
