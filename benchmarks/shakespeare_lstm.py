"""Tiny Shakespeare with an LSTM: validation nats/char against minutes of training on two cores.

    OPENBLAS_NUM_THREADS=1 nohup python benchmarks/shakespeare_lstm.py --minutes 15 > runs/shakespeare.log 2>&1 &
    python benchmarks/shakespeare_lstm.py --minutes 15 --resume     # continue an interrupted run
    python benchmarks/shakespeare_lstm.py --peer torch              # characters/second, unroll and torch

`--peer torch` does not train: it times the training step of the same model (embedding 64, one
512-unit LSTM, linear decoder, softmax cross-entropy, Adam; batch 64 x 50 characters of the text)
in unroll (both backends) and in PyTorch, interleaved in one process with the same threads, and
prints characters/second for each.

The target: <= 1.47 nats/char on the last 10% of the text (nanoGPT's "baby GPT" on a GPU). The
text is one stream: 90% for training, cut into `batch_size` parallel streams walked by truncated
BPTT with the state carried, the last 10% held out and scored as 64 parallel streams with the state
carried (`unroll.training.char_lm`). Dropout on the embedded input, between layers and before the
decoder, Adam with a linear warm-up and a cosine decay whose length is set from the time budget and
the measured speed (`--steps`, see below), global-norm clipping.

The cosine needs a length in steps, and a time budget does not give one: pass --steps (an estimate
of the steps that fit in --minutes; the first lines of the log give the speed), or leave it to
the default, which assumes STEPS_PER_MINUTE. Training stops at whichever comes first.
Writes the curve to OUT/loss.png and OUT/curve.tsv (step, minutes, val nats/char, bits/char).
"""
from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

from unroll._extras import require
from unroll.data.text import read_text
from unroll.training import Budget, CharData, CharModel, Optimisation, TrainConfig, Validation, train_char_lm

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "tinyshakespeare_input.txt"
STEPS_PER_MINUTE = 87  # 1x512 LSTM, batch 64 x 50 characters, one BLAS thread, on a loaded 2-core machine
CONFIG = TrainConfig(
    model=CharModel(cell="lstm", hidden_size=512, num_layers=1, embedding_dim=64, dropout=0.1, variational=False),
    data=CharData(seq_len=50, batch_size=64, val_fraction=0.1),
    optim=Optimisation(optimizer="adam", lr=3e-3, schedule="cosine", min_lr=1e-4, warmup_steps=20, clip_norm=5.0),
    budget=Budget(max_steps=1), validation=Validation(eval_every=150), checkpoint_every=150, seed=0)  # budget: main()


def peer_throughput(text: str, peer: str, rounds: int = 3, steps: int = 3) -> None:
    """Characters/second of one training step of CONFIG's model, unroll (numba, numpy) against `peer`."""
    import statistics

    import numpy as np
    import torch

    import unroll
    from unroll import backend
    from unroll import functional as F

    assert peer == "torch", peer
    torch.set_num_threads(int(os.environ.get("OPENBLAS_NUM_THREADS", "2")))
    vocab = sorted(set(text))
    V, E, H = len(vocab), CONFIG.model.embedding_dim, CONFIG.model.hidden_size
    B, T = CONFIG.data.batch_size, CONFIG.data.seq_len
    ids = np.frombuffer(text.encode("utf-8", "ignore"), dtype=np.uint8) % V  # any ids in [0, V): speed only
    rng = np.random.default_rng(0)
    starts = rng.integers(0, ids.size - T - 1, B)
    x_ids = np.stack([ids[s:s + T] for s in starts]).astype(np.int64)
    y_ids = np.stack([ids[s + 1:s + T + 1] for s in starts]).astype(np.int64)
    emb, lstm, dec = unroll.nn.Embedding(V, E, rng=rng), unroll.nn.LSTM(E, H, rng=rng), unroll.nn.Linear(H, V, rng=rng)
    params = [emb, lstm, dec]
    named = lambda attr: {f"{k}.{n}": a for k, m in enumerate(params) for n, a in getattr(m, attr).items()}
    opt, grads = unroll.optim.Adam(named("params"), lr=1e-3), named("grads")

    def ours():
        for m in params:
            m.zero_grad()
        e, _, ce = emb.forward(x_ids)
        h, _, cl = lstm.forward(e)
        logits, _, cd = dec.forward(h)
        loss, cache = F.softmax_cross_entropy_forward(logits, y_ids)
        d_logits = F.softmax_cross_entropy_backward(1.0, cache)
        dh, _ = dec.backward(d_logits, None, cd)
        de, _ = lstm.backward(dh, None, cl)
        emb.backward(de, None, ce)
        opt.step(grads)

    t_model = torch.nn.ModuleDict({"emb": torch.nn.Embedding(V, E), "lstm": torch.nn.LSTM(E, H, batch_first=True),
                                   "dec": torch.nn.Linear(H, V)})
    t_opt = torch.optim.Adam(t_model.parameters(), lr=1e-3)
    tx, ty = torch.from_numpy(x_ids), torch.from_numpy(y_ids)

    def theirs():
        t_opt.zero_grad(set_to_none=True)
        h, _ = t_model["lstm"](t_model["emb"](tx))
        loss = torch.nn.functional.cross_entropy(t_model["dec"](h).reshape(-1, V), ty.reshape(-1))
        loss.backward()
        t_opt.step()

    def on(name):
        def run():
            with backend.using(name):
                ours()
        return run

    fns = {"unroll numba": on("numba"), "unroll numpy": on("numpy"), "torch": theirs}
    for fn in fns.values():
        fn()
    per = {k: [] for k in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            time.sleep(0.2)
            start = time.perf_counter()
            for _ in range(steps):
                fn()
            per[name].append((time.perf_counter() - start) / steps)
    for name, ts in per.items():
        print(f"{name:13} {B * T / statistics.median(ts):9.0f} chars/s  ({statistics.median(ts) * 1e3:.0f} ms/step)")
    ratio = statistics.median(t / o for t, o in zip(per["torch"], per["unroll numba"]))
    print(f"unroll numba / torch speed: {ratio:.2f}x (median of per-round ratios)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--steps", type=int, default=None, help="cosine length (default minutes * STEPS_PER_MINUTE)")
    parser.add_argument("--out", default="runs/shakespeare")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--peer", choices=["torch"], help="time the training step against this peer instead")
    args = parser.parse_args()
    if args.peer:
        peer_throughput(read_text(args.data), args.peer)
        return
    require("matplotlib", "plot", "benchmarks/shakespeare_lstm.py (it writes OUT/loss.png)")  # before training
    config = CONFIG.replace(minutes=args.minutes, max_steps=args.steps or int(args.minutes * STEPS_PER_MINUTE))
    print(f"config: {config.to_dict()}")
    print(f"load average at start: {os.getloadavg()}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}",
          flush=True)
    start = time.perf_counter()
    trainer = train_char_lm(read_text(args.data), config, out=args.out, resume=args.resume, plot=True)
    history = trainer.history_
    rows = ["step\tminutes\tval_nats\tval_bits"] + [
        f"{s}\t{m:.2f}\t{v:.4f}\t{v / math.log(2):.4f}"
        for s, m, v in zip(history["val_step"], history["val_minutes"], history["val_loss"])]
    (Path(args.out) / "curve.tsv").write_text("\n".join(rows) + "\n")
    print("\n".join(rows))
    reached = [m for m, v in zip(history["val_minutes"], history["val_loss"]) if v <= 1.47]
    print(f"stopped: {trainer.stop_reason_}; {trainer.step} steps, {trainer.elapsed / 60:.1f} min of training "
          f"({(time.perf_counter() - start) / 60:.1f} min this session); best val {trainer.best_val_:.4f} nats/char "
          f"at step {trainer.best_step_}; <= 1.47 first at "
          f"{f'{reached[0]:.1f} min' if reached else 'never'}; load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
