"""Tiny Shakespeare with an LSTM: validation nats/char against minutes of training on two cores.

    OPENBLAS_NUM_THREADS=1 nohup python benchmarks/shakespeare_lstm.py --minutes 15 > runs/shakespeare.log 2>&1 &
    python benchmarks/shakespeare_lstm.py --minutes 15 --resume     # continue an interrupted run

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--steps", type=int, default=None, help="cosine length (default minutes * STEPS_PER_MINUTE)")
    parser.add_argument("--out", default="runs/shakespeare")
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()
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
