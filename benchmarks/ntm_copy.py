"""NTM copy: speed against a PyTorch NTM of the same equations, and training against an LSTM.

    OPENBLAS_NUM_THREADS=1 python benchmarks/ntm_copy.py --speed-only          # ~1 minute
    OPENBLAS_NUM_THREADS=1 python benchmarks/ntm_copy.py --steps 2000 --batch 16   # ~32k sequences

1. Agreement: the PyTorch model below, loaded with the unroll NTM's weights, gives the same logits
   and gradients (float64, printed max differences).
2. Speed: forward + backward of one training batch (controller 100, memory 128 x 20, copy length
   10), both in one process, interleaved, one thread each (torch.set_num_threads(1),
   OPENBLAS_NUM_THREADS=1); prints torch_time / unroll_time.
3. Training (skipped with --speed-only): the NTM and an LSTM (3 x 256, the paper's baseline) on
   copy lengths 1-20 with the same optimiser, batches and updates; wrong bits per sequence by
   length and on lengths 30 and 40 (generalisation), and time per training sequence.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as tF

from unroll.data.memory_tasks import copy_task
from unroll.memory import NTM
from unroll.memory.experiments import BitsRun, train_bits
from unroll.memory.tasks import BitsObjective


class TorchNTM(torch.nn.Module):
    """The same model as unroll.memory.NTM (one read and one write head), in PyTorch."""

    def __init__(self, D, O, H, N, M, S=3, dtype=torch.float32):
        super().__init__()
        self.N, self.M, self.S, self.H = N, M, S, H
        self.controller = torch.nn.LSTMCell(D + M, H, dtype=dtype)
        self.heads = torch.nn.Linear(H, (M + S + 3) + (3 * M + S + 3), dtype=dtype)
        self.output = torch.nn.Linear(H + M, O, dtype=dtype)
        self.memory_bias = torch.nn.Parameter(torch.zeros(N, M, dtype=dtype))

    def load_from(self, ntm: NTM):
        p = {k: torch.tensor(v) for k, v in ntm.params.items()}
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(self.controller, name).copy_(p[f"controller.{name}"])
            self.heads.weight.copy_(p["heads.weight"]); self.heads.bias.copy_(p["heads.bias"])
            self.output.weight.copy_(p["output.weight"]); self.output.bias.copy_(p["output.bias"])
            self.memory_bias.copy_(p["memory_bias"])

    def address(self, raw, w_prev, memory):
        M, S = self.M, self.S
        key, beta, g = raw[:, :M], tF.softplus(raw[:, M:M + 1]), torch.sigmoid(raw[:, M + 1:M + 2])
        s, gamma = torch.softmax(raw[:, M + 2:M + 2 + S], -1), 1 + tF.softplus(raw[:, M + 2 + S:M + 3 + S])
        dots = torch.einsum("bm,bnm->bn", key, memory)
        K = dots / (key.norm(dim=-1, keepdim=True) * memory.norm(dim=-1) + 1e-8)
        w = g * torch.softmax(beta * K, -1) + (1 - g) * w_prev
        w = sum(torch.roll(w, o, dims=1) * s[:, j:j + 1] for j, o in enumerate(range(-(S // 2), S // 2 + 1)))
        w = torch.softmax(gamma * torch.log(w + 1e-12), -1)
        return w

    def forward(self, x):
        B, T, _ = x.shape
        h = c = x.new_zeros(B, self.H)
        memory = self.memory_bias.expand(B, -1, -1)
        rw = ww = x.new_zeros(B, self.N)
        r = x.new_zeros(B, self.M)
        feats = []
        P = self.M + self.S + 3
        for t in range(T):
            h, c = self.controller(torch.cat([x[:, t], r], 1), (h, c))
            raw = self.heads(h)
            rw = self.address(raw[:, :P], rw, memory)
            ww = self.address(raw[:, P:], ww, memory)
            r = torch.einsum("bn,bnm->bm", rw, memory)
            e, a = torch.sigmoid(raw[:, 2 * P:2 * P + self.M]), raw[:, 2 * P + self.M:]
            memory = memory * (1 - ww[:, :, None] * e[:, None]) + ww[:, :, None] * a[:, None]
            feats.append(torch.cat([h, r], 1))
        return self.output(torch.stack(feats, 1))


def agreement():
    ntm = NTM(9, 8, 16, 12, 5, dtype=np.float64, rng=0)
    peer = TorchNTM(9, 8, 16, 12, 5, dtype=torch.float64)
    peer.load_from(ntm)
    x, y = copy_task(3, 4, np.random.default_rng(1))
    x = x.astype(np.float64)
    logits, _, cache = ntm.forward(x)
    G = np.random.default_rng(2).standard_normal(logits.shape)
    ntm.backward(G, None, cache)
    out = peer(torch.tensor(x))
    (out * torch.tensor(G)).sum().backward()
    dl = float(np.abs(out.detach().numpy() - logits).max())
    dg = max(float(np.abs(ntm.grads["heads.weight"] - peer.heads.weight.grad.numpy()).max()),
             float(np.abs(ntm.grads["memory_bias"] - peer.memory_bias.grad.numpy()).max()),
             float(np.abs(ntm.grads["controller.weight_hh"] - peer.controller.weight_hh.grad.numpy()).max()))
    print(f"agreement with PyTorch (float64): max |logits diff| {dl:.2e}, max |grad diff| {dg:.2e}")


def speed(batch: int, length: int, repeats: int):
    torch.set_num_threads(1)
    ntm = NTM(9, 8, 100, 128, 20, rng=0)
    peer = TorchNTM(9, 8, 100, 128, 20)
    peer.load_from(ntm)
    x, y = copy_task(batch, length, np.random.default_rng(0))
    obj = BitsObjective()
    xt, yt = torch.tensor(x), torch.tensor(y)

    def run_unroll():
        loss, n, _, c = obj.loss(ntm, (x, y), None)
        obj.backward(ntm, n, c)

    def run_torch():
        peer.zero_grad()
        out = peer(xt)[:, -length:]
        tF.binary_cross_entropy_with_logits(out, yt, reduction="sum").div(batch).backward()

    run_unroll(), run_torch()
    tu, tt = [], []
    for _ in range(repeats):  # interleaved
        t = time.process_time(); run_unroll(); tu.append(time.process_time() - t)
        t = time.process_time(); run_torch(); tt.append(time.process_time() - t)
    u, p = np.median(tu), np.median(tt)
    print(f"speed, batch {batch}, copy length {length} (T = {2 * length + 1}), CPU time per batch (median of "
          f"{repeats}): unroll {1000 * u:.1f} ms, torch {1000 * p:.1f} ms")
    print(f"torch_time / unroll_time: {p / u:.2f}")
    print(f"time per training sequence: unroll {1000 * u / batch:.2f} ms, torch {1000 * p / batch:.2f} ms")


def train(args):
    run = BitsRun(steps=args.steps, batch=args.batch, lr=args.lr, eval_every=max(1, args.steps // 10),
                  minutes=args.minutes)
    results = {}
    for kind in ("ntm", "lstm"):
        r = train_bits("copy", kind, run, args.seed)
        results[kind] = r
        print(f"{kind}: {r.sequences} sequences in {r.seconds:.0f} s ({1000 * r.seconds_per_sequence:.1f} ms per "
              f"sequence, wall clock); stopped: {r.stop_reason}")
    print("length   ntm      lstm   (wrong bits per sequence)")
    for n in list(range(1, 21)) + [30, 40]:
        row = [results[k].errors_by_size.get(n, results[k].general_by_size.get(n)) for k in ("ntm", "lstm")]
        print(f"{n:6d}  {row[0]:7.3f}  {row[1]:7.3f}")
    for k in ("ntm", "lstm"):
        print(f"{k} copy error: {results[k].mean_error:.3f} bits per sequence (lengths 1-20)")
        print(f"{k} copy error at 40: {results[k].general_by_size[40]:.3f} bits per sequence")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--speed-only", action="store_true")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--minutes", type=float)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    agreement()
    speed(args.batch, 10, args.repeats)
    if not args.speed_only:
        train(args)


if __name__ == "__main__":
    main()
