"""Speed of unroll's recurrent layers against PyTorch on the CPU, in one process, interleaved.

    python benchmarks/bench_core.py                 # full table
    python benchmarks/bench_core.py --quick         # smallest shape only
    python benchmarks/bench_core.py --only memory   # peak memory of one training step, each side
    OPENBLAS_CORETYPE=SkylakeX python benchmarks/bench_core.py   # AVX-512 kernels (on a CPU that has AVX-512)

Both run float32 with the same thread count. Each measurement alternates the competitors over
several rounds, pausing between them because BLAS worker threads keep spinning for a while after a
call. Printed times are medians over rounds; printed ratios are torch_time / unroll_time taken within
each round (back to back) and then the median over rounds, which follows this shared machine's slow
drifts in speed better than a ratio of two medians. Above 1 means unroll is faster.

unroll runs on both backends, `numba` (the fused path, the default) and `numpy` (the reference), each
timed against torch in the same rounds. Inference is `forward` in eval mode for unroll (no BPTT
cache) and `inference_mode` for torch. Streaming (B=1, one step per call, the state carried) is timed
four ways for unroll: `cell.step` (the cell's own step: the reference kernels unless cells.py routes
it to the fused step), `layer.step` (the stack's step, fused on the numba backend), and the layer's
`forward` on a one-step sequence in eval mode, against `nn.LSTM`/`nn.GRU` on one-step sequences and
`nn.LSTMCell`/`nn.GRUCell`.

Peak memory (`--only memory`, also part of the full run): each side's training step runs in a fresh
subprocess; the figure is the growth of the process's peak resident set over one training step
(VmHWM, reset just before the step through /proc/self/clear_refs; `ru_maxrss` where that is refused), after the model, the data and one warm-up step at a tiny size (which loads the
compiled kernels) exist. tracemalloc would see NumPy's allocations only, not torch's or oneDNN's;
the resident-set high-water mark sees both the same way.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

import unroll
from unroll import backend

from timing import timed

SHAPES = [(32, 100, 64, 128), (64, 100, 128, 256), (32, 200, 256, 512), (16, 50, 1024, 1024)]
STREAM_SIZES = [128, 512]


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
    """Closures {name: fn} for training and for inference: unroll on each backend, and torch."""
    rng = np.random.default_rng(0)
    ours = getattr(unroll.nn, kind)(D, H, rng=rng)
    ours_eval = getattr(unroll.nn, kind)(D, H, rng=rng).eval()
    theirs = getattr(torch.nn, kind)(D, H, batch_first=True)
    ours.load_state_dict(theirs.state_dict())
    ours_eval.load_state_dict(theirs.state_dict())
    x = rng.standard_normal((B, T, D)).astype(np.float32)
    dy = rng.standard_normal((B, T, H)).astype(np.float32)
    tx, tdy = torch.from_numpy(x), torch.from_numpy(dy)

    def on(name, fn):
        def run():
            with backend.using(name):
                fn()
        return run

    def ours_train():
        ours.zero_grad()
        y, _, cache = ours.forward(x)
        ours.backward(dy, None, cache)

    def torch_train():
        theirs.zero_grad(set_to_none=True)
        y, _ = theirs(tx)
        y.backward(tdy)

    def ours_infer():
        ours_eval.forward(x)

    def torch_infer():
        with torch.inference_mode():
            theirs(tx)

    train = {"numba": on("numba", ours_train), "numpy": on("numpy", ours_train), "torch": torch_train}
    infer = {"numba": on("numba", ours_infer), "numpy": on("numpy", ours_infer), "torch": torch_infer}
    return train, infer


def stream_case(torch, kind: str, H: int):
    """Per-step latency, B=1: unroll's cell step, stack step and one-step forward (numba backend)
    against torch's layer and cell called one step at a time."""
    rng = np.random.default_rng(0)
    cell = getattr(unroll.nn, f"{kind}Cell")(H, H, rng=rng)
    layer = getattr(unroll.nn, kind)(H, H, rng=rng).eval()
    t_layer = getattr(torch.nn, kind)(H, H, batch_first=True)
    t_cell = getattr(torch.nn, f"{kind}Cell")(H, H)
    x = rng.standard_normal((1, H)).astype(np.float32)
    x3 = x[:, None]
    tx, tx3 = torch.from_numpy(x), torch.from_numpy(x3)
    steps = 100

    def ours_cell():
        state = None
        for _ in range(steps):
            state = cell.step(x, state)

    def ours_step():
        state = None
        for _ in range(steps):
            _, state = layer.step(x, state)

    def ours_forward():
        state = None
        for _ in range(steps):
            _, state, _ = layer.forward(x3, state)

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

    return {"cell.step": ours_cell, "layer.step": ours_step, "forward(T=1)": ours_forward,
            "torch layer": torch_layer, "torch cell": torch_cell}, steps


# ---------------------------------------------------------------- peak memory, one subprocess per side
_MEMORY_CHILD = """
import json, resource, sys
import numpy as np

def kib(field):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith(field + ":"))

def mark():
    # Reset the peak-RSS high-water mark (Linux: VmHWM), so imports and compilation before the step
    # do not hide its peak; where that is refused, fall back to ru_maxrss.
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return ("VmHWM", kib("VmRSS"))
    except OSError:
        return ("ru_maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)

def peak(start):
    how, before = start
    now = kib("VmHWM") if how == "VmHWM" else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (now - before) / 1024
side, kind, B, T, D, H = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7])
rng = np.random.default_rng(0)
x = rng.standard_normal((B, T, D)).astype(np.float32)
dy = rng.standard_normal((B, T, H)).astype(np.float32)
if side == "torch":
    import torch
    torch.set_num_threads(int(sys.argv[7]))
    m = getattr(torch.nn, kind)(D, H, batch_first=True)
    tx, tdy = torch.from_numpy(x), torch.from_numpy(dy)
    def step(tx, tdy):
        m.zero_grad(set_to_none=True)
        y, _ = m(tx)
        y.backward(tdy)
    step(tx[:1, :2], tdy[:1, :2])
    start = mark()
    step(tx, tdy)
else:
    import unroll
    unroll.set_backend(side) if hasattr(unroll, "set_backend") else unroll.backend.set_backend(side)
    m = getattr(unroll.nn, kind)(D, H, rng=rng)
    def step(x, dy):
        m.zero_grad()
        y, _, cache = m.forward(x)
        m.backward(dy, None, cache)
    step(x[:1, :2], dy[:1, :2])
    start = mark()
    step(x, dy)
print(json.dumps({"peak_mib": peak(start)}))
"""


def peak_memory(side: str, kind: str, shape, threads: int) -> float:
    """MiB by which one training step raises the peak resident set of a fresh process (see the docstring)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads)}
    out = subprocess.run([sys.executable, "-c", _MEMORY_CHILD, side, kind, *map(str, shape), str(threads)],
                         capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["peak_mib"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smallest shape, fewer rounds")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=7, help="alternations of the competitors per measurement")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between competitors")
    parser.add_argument("--kinds", default="LSTM,GRU,RNN")
    parser.add_argument("--only", choices=["layers", "streaming", "memory"], help="run one of the three tables")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    shapes = SHAPES[:1] if args.quick else SHAPES
    rounds = 3 if args.quick else args.rounds
    kinds = args.kinds.split(",")
    print(f"torch {torch.__version__}, numpy {np.__version__}, threads {args.threads}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(auto)')}, load {os.getloadavg()[0]:.2f}")
    if args.only in (None, "layers"):
        print("ms per call (median over rounds); ratio = torch / unroll (median of per-round ratios)")
        print(f"{'layer':5} {'(B, T, D, H)':>20} | {'train numba/numpy/torch ms':>28} {'numba':>6} {'numpy':>6} | "
              f"{'infer numba/numpy/torch ms':>28} {'numba':>6} {'numpy':>6}")
        for kind in kinds:
            for B, T, D, H in shapes:
                train_fns, infer_fns = layer_case(torch, kind, B, T, D, H)
                repeats = max(1, int(2e7 / (B * T * H * (D + H))))
                cols = []
                for fns in (train_fns, infer_fns):
                    per_round = interleaved(fns, rounds, repeats, args.pause)
                    ms = medians(per_round)
                    cols.append(f"{ms['numba'] * 1e3:8.1f}/{ms['numpy'] * 1e3:8.1f}/{ms['torch'] * 1e3:8.1f} "
                                f"{paired_ratio(per_round, 'torch', 'numba'):6.2f} "
                                f"{paired_ratio(per_round, 'torch', 'numpy'):6.2f}")
                print(f"{kind:5} {str((B, T, D, H)):>20} | {cols[0]} | {cols[1]}", flush=True)
    if args.only in (None, "streaming"):
        print("\nstreaming, B=1, one step per call, numba backend: microseconds per step; ratio torch/unroll")
        for kind in [k for k in kinds if k != "RNN"]:
            for H in STREAM_SIZES:
                fns, steps = stream_case(torch, kind, H)
                per_round = interleaved(fns, rounds, 5, args.pause)
                us = {name: t / steps * 1e6 for name, t in medians(per_round).items()}
                line = [f"{kind:5} H={H:4} torch layer {us['torch layer']:6.1f} cell {us['torch cell']:6.1f} |"]
                for ours in ("cell.step", "layer.step", "forward(T=1)"):
                    line.append(f"{ours} {us[ours]:6.1f} ({paired_ratio(per_round, 'torch layer', ours):.2f}x layer, "
                                f"{paired_ratio(per_round, 'torch cell', ours):.2f}x cell)")
                print(" ".join(line), flush=True)
    if args.only in (None, "memory"):
        print("\npeak memory of one training step (MiB: peak RSS during the step minus RSS before it, fresh process)")
        for kind in kinds:
            for shape in shapes:
                mib = {side: peak_memory(side, kind, shape, args.threads) for side in ("numba", "numpy", "torch")}
                print(f"{kind:5} {str(shape):>20}  numba {mib['numba']:8.1f}  numpy {mib['numpy']:8.1f}  "
                      f"torch {mib['torch']:8.1f}  (torch/numba {mib['torch'] / max(mib['numba'], 1e-9):.2f})",
                      flush=True)


if __name__ == "__main__":
    main()
