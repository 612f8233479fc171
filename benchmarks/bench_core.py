"""Speed of unroll's recurrent layers against PyTorch on the CPU, in one process, interleaved.

    python benchmarks/bench_core.py                 # full table
    python benchmarks/bench_core.py --quick         # smallest shape only
    OPENBLAS_CORETYPE=SkylakeX python benchmarks/bench_core.py   # AVX-512 kernels (on a CPU that has AVX-512)

Both run float32 with the same thread count. Each measurement alternates the competitors over
several rounds, pausing between them because BLAS worker threads keep spinning for a while after a
call. Printed times are medians over rounds; printed ratios are torch_time / unroll_time taken within
each round (back to back) and then the median over rounds, which follows this shared machine's slow
drifts in speed better than a ratio of two medians. Above 1 means unroll is faster.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import unroll

SHAPES = [(32, 100, 64, 128), (64, 100, 128, 256), (32, 200, 256, 512), (16, 50, 1024, 1024)]
STREAM_SIZES = [128, 512]


def timed(fn, repeats: int) -> float:
    """Median seconds of fn() over repeats, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(fns: dict, rounds: int, repeats: int, pause: float) -> dict:
    """Each competitor's median time per round, alternating competitors every round: {name: [s, ...]}."""
    results = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            time.sleep(pause)
            results[name].append(timed(fn, repeats))
    return results


def medians(rounds: dict) -> dict:
    """{name: median seconds} from interleaved()'s per-round times."""
    return {name: statistics.median(ts) for name, ts in rounds.items()}


def paired_ratio(rounds: dict, theirs: str, ours: str) -> float:
    """Median over rounds of theirs / ours, each pair timed back to back."""
    return statistics.median(t / o for t, o in zip(rounds[theirs], rounds[ours]))


def layer_case(torch, kind: str, B: int, T: int, D: int, H: int):
    """The four closures (train, infer) x (unroll, torch) for one shape."""
    rng = np.random.default_rng(0)
    ours = getattr(unroll.nn, kind)(D, H, rng=rng)
    theirs = getattr(torch.nn, kind)(D, H, batch_first=True)
    ours.load_state_dict(theirs.state_dict())
    x = rng.standard_normal((B, T, D)).astype(np.float32)
    dy = rng.standard_normal((B, T, H)).astype(np.float32)
    tx, tdy = torch.from_numpy(x), torch.from_numpy(dy)

    def ours_train():
        y, _, cache = ours.forward(x)
        ours.backward(dy, None, cache)

    def torch_train():
        theirs.zero_grad(set_to_none=True)
        y, _ = theirs(tx)
        y.backward(tdy)

    def ours_infer():
        ours.forward(x)

    def torch_infer():
        with torch.inference_mode():
            theirs(tx)

    return (ours_train, torch_train), (ours_infer, torch_infer)


def stream_case(torch, kind: str, H: int):
    """Per-step latency, B=1: unroll's cell step against torch's layer and cell called one step at a time."""
    rng = np.random.default_rng(0)
    cell = getattr(unroll.nn, f"{kind}Cell")(H, H, rng=rng)
    t_layer = getattr(torch.nn, kind)(H, H, batch_first=True)
    t_cell = getattr(torch.nn, f"{kind}Cell")(H, H)
    x = rng.standard_normal((1, H)).astype(np.float32)
    tx, tx3 = torch.from_numpy(x), torch.from_numpy(x[:, None])
    steps = 100

    def ours():
        state = None
        for _ in range(steps):
            state = cell.step(x, state)

    def torch_layer():
        with torch.inference_mode():
            state = None
            for _ in range(steps):
                _, state = t_layer(tx3, state)

    def torch_cell():
        with torch.inference_mode():
            state = None
            for _ in range(steps):
                state = t_cell(tx, state)

    return {"unroll": ours, "torch layer": torch_layer, "torch cell": torch_cell}, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smallest shape, fewer rounds")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=7, help="alternations of the competitors per measurement")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between competitors")
    parser.add_argument("--kinds", default="LSTM,GRU,RNN")
    parser.add_argument("--only", choices=["layers", "streaming"], help="run one of the two tables")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    shapes = SHAPES[:1] if args.quick else SHAPES
    rounds = 3 if args.quick else args.rounds
    print(f"torch {torch.__version__}, numpy {np.__version__}, threads {args.threads}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(auto)')}, load {os.getloadavg()[0]:.2f}")
    print(f"{'layer':5} {'(B, T, D, H)':>20} {'train ms u/t':>16} {'ratio':>6} {'infer ms u/t':>16} {'ratio':>6}")
    for kind in args.kinds.split(",") if args.only != "streaming" else []:
        for B, T, D, H in shapes:
            (ot, tt), (oi, ti) = layer_case(torch, kind, B, T, D, H)
            repeats = max(1, int(2e7 / (B * T * H * (D + H))))
            train_rounds = interleaved({"u": ot, "t": tt}, rounds, repeats, args.pause)
            infer_rounds = interleaved({"u": oi, "t": ti}, rounds, repeats, args.pause)
            train, infer = medians(train_rounds), medians(infer_rounds)
            print(f"{kind:5} {str((B, T, D, H)):>20} {train['u'] * 1e3:7.1f}/{train['t'] * 1e3:7.1f} "
                  f"{paired_ratio(train_rounds, 't', 'u'):6.2f} {infer['u'] * 1e3:7.1f}/{infer['t'] * 1e3:7.1f} "
                  f"{paired_ratio(infer_rounds, 't', 'u'):6.2f}", flush=True)
    if args.only == "layers":
        return
    print(f"\nstreaming, B=1, one step per call: microseconds per step and ratio torch/unroll")
    for kind in [k for k in args.kinds.split(",") if k != "RNN"]:
        for H in STREAM_SIZES:
            fns, steps = stream_case(torch, kind, H)
            per_round = interleaved(fns, rounds, 5, args.pause)
            us = {name: t / steps * 1e6 for name, t in medians(per_round).items()}
            print(f"{kind:5} H={H:4}  unroll {us['unroll']:6.1f}  torch layer {us['torch layer']:6.1f} "
                  f"({paired_ratio(per_round, 'torch layer', 'unroll'):.2f}x)  torch cell {us['torch cell']:6.1f} "
                  f"({paired_ratio(per_round, 'torch cell', 'unroll'):.2f}x)", flush=True)


if __name__ == "__main__":
    main()
