"""Inference speed: unroll against ONNX Runtime running the same models exported by unroll.interop.onnx.

    python benchmarks/bench_onnx.py                 # threads 1, all cases
    python benchmarks/bench_onnx.py --threads 2 --quick

One process, float32, the same thread count for both (OpenBLAS/OpenMP for NumPy, set before NumPy is
imported; intra_op_num_threads for ONNX Runtime, with inter-op parallelism off). Each case alternates
the two over several rounds with a pause between them; printed times are medians, and the ratio is
the median over rounds of ort_time / unroll_time measured back to back (above 1: unroll is faster).
unroll's side is what a user calls: `forward` for whole sequences (it also builds the BPTT cache),
`step` for streaming; ONNX Runtime gets the exported graph with the same inputs (lengths, zero states).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--rounds", type=int, default=5)
parser.add_argument("--pause", type=float, default=0.2, help="seconds between competitors")
parser.add_argument("--quick", action="store_true", help="fewer rounds and repeats")
args = parser.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402

import unroll  # noqa: E402
from unroll import nn  # noqa: E402
from unroll.interop.onnx import export  # noqa: E402
from unroll.models import CharLM  # noqa: E402
from timing import timed  # noqa: E402


def session(model, directory: str, name: str, **options):
    path = os.path.join(directory, name)
    export(model, path, **options)
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = args.threads, 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def zeros_for(stack, B):
    shape = (stack.num_layers * stack.num_directions, B, stack.hidden_size)
    return dict(zip(("h0", "c0"), [np.zeros(shape, np.float32)] * stack.spec.num_states))


def cases(directory: str) -> dict:
    rng = np.random.default_rng(0)
    out = {}
    B, T, V = 32, 100, 65
    for cell in ("lstm", "gru"):
        lm = CharLM(V, cell=cell, hidden_size=256, embedding_dim=64, rng=0).eval()
        tokens = rng.integers(0, V, (B, T))
        lengths = np.full(B, T)
        sess = session(lm, directory, f"lm_{cell}.onnx")
        feeds = {"tokens": tokens, "lengths": lengths.astype(np.int32), **zeros_for(lm.rnn, B)}
        out[f"char-LM {cell} H=256 (B={B}, T={T})"] = (lambda lm=lm, t=tokens, L=lengths: lm.forward(t, None, L),
                                                       lambda s=sess, f=feeds: s.run(None, f))
        step_feeds = {"tokens": tokens[:1, :1], "lengths": np.ones(1, np.int32), **zeros_for(lm.rnn, 1)}
        out[f"char-LM {cell} one step (B=1)"] = (lambda lm=lm, t=tokens[:1, 0]: lm.step(t),
                                                  lambda s=sess, f=step_feeds: s.run(None, f))
    stack = nn.GRU(64, 128, num_layers=2, bidirectional=True, rng=1).eval()
    x = rng.standard_normal((B, T, 64)).astype(np.float32)
    sess = session(stack, directory, "bigru.onnx", state=False)
    out[f"GRU 2 layers bidir H=128 (B={B}, T={T})"] = (lambda: stack.forward(x, None, np.full(B, T)),
                                                       lambda: sess.run(None, {"x": x, "lengths": np.full(B, T, np.int32)}))
    peep = nn.RecurrentStack(64, 128, cell="peephole", rng=2).eval()
    sess_p = session(peep, directory, "peephole.onnx", state=False, lengths=False)
    out[f"peephole LSTM H=128 (B={B}, T={T})"] = (lambda: peep.forward(x), lambda: sess_p.run(None, {"x": x}))
    return out


def main() -> None:
    rounds = 3 if args.quick else args.rounds
    try:
        from unroll.backend import get_backend
        backend = get_backend()
    except ImportError:  # a tree without the fused path
        backend = "numpy"
    print(f"unroll {unroll.__version__} (backend {backend}), numpy {np.__version__}, onnxruntime {ort.__version__}, "
          f"threads {args.threads}, "
          f"python {sys.version.split()[0]}, load {os.getloadavg()[0]:.2f}")
    print(f"{'case':<40} {'unroll ms':>10} {'ort ms':>10} {'ort/unroll':>11}")
    with tempfile.TemporaryDirectory() as directory:
        for name, (ours, theirs) in cases(directory).items():
            start = time.perf_counter()
            ours()
            repeats = max(3, min(200, int(0.2 / max(time.perf_counter() - start, 1e-5))))
            repeats = max(3, repeats // 4) if args.quick else repeats
            u, o = [], []
            for _ in range(rounds):
                time.sleep(args.pause)
                u.append(timed(ours, repeats))
                time.sleep(args.pause)
                o.append(timed(theirs, repeats))
            ratio = statistics.median(b / a for a, b in zip(u, o))
            print(f"{name:<40} {1e3 * statistics.median(u):>10.3f} {1e3 * statistics.median(o):>10.3f} {ratio:>11.2f}")


if __name__ == "__main__":
    main()
