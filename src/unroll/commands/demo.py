"""`unroll demo`: train a dinosaur-name generator on the bundled list, then print new names.

The course exercise (deeplearning.ai, "Dinosaurus Island"), done with the library's default
recipe: lowercase names, one per line, an LSTM of 128 units over 32-dimensional character
embeddings, dropout 0.2, batches of 16 names, Adam with a cosine schedule, global-norm clipping;
10% of the names held out. Training stops after DEMO_CONFIG.epochs epochs or the time cap,
whichever comes first, so the whole command stays under a minute on two cores. (Chosen on the
held-out names among GRU/LSTM, 128/192 units, dropout 0-0.3, batches of 8-32: see docs/training.md.)
"""
from __future__ import annotations

import math

from ..data.text import read_bundled, split_lines
from ..models import sample
from ..training import Budget, CharData, CharModel, Optimisation, TrainConfig, make_trainer
from .train import report
from . import one_line_errors

DEMO_CONFIG = TrainConfig(
    model=CharModel(cell="lstm", hidden_size=128, num_layers=1, embedding_dim=32, dropout=0.2),
    data=CharData(lines=True, lowercase=True, seq_len=64, batch_size=16, val_fraction=0.1),
    optim=Optimisation(optimizer="adam", lr=3e-3, schedule="cosine", min_lr=2e-4, clip_norm=5.0),
    budget=Budget(epochs=20, minutes=0.75), seed=0)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("demo", help="train a dinosaur-name generator (under a minute) and sample names",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=10, help="names to print (default 10)")
    p.add_argument("--temperature", type=float, default=0.8, help="sampling temperature (default 0.8)")
    p.add_argument("--seed", type=int, default=0, help="seed of training and sampling (default 0)")
    p.add_argument("--out", default=None, metavar="DIR", help="keep the checkpoints here (for unroll sample/eval)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    one_line_errors(p).set_defaults(func=run)


def run(args) -> int:
    text = read_bundled("dinos.txt")
    known, count = set(text.lower().split()), len(split_lines(text))
    config = DEMO_CONFIG.replace(seed=args.seed)
    b, m = config.budget, config.model
    budget = " or ".join(filter(None, [f"{b.epochs} epochs" if b.epochs else "",
                                       f"{b.minutes * 60:.0f} s" if b.minutes else ""]))
    print(f"training an {m.cell.upper()} ({m.hidden_size} units) on {count} dinosaur names "
          f"({round(count * config.data.val_fraction)} held out) for {budget or f'{b.max_steps} steps'} ...")
    trainer, vocab = make_trainer(text, config, out=args.out, progress=not args.no_progress)
    trainer.fit()
    report(trainer, None)
    names = sample(trainer.model, vocab, n=args.n, length=40, temperature=args.temperature, stop_at_end=True,
                   rng=args.seed)
    print(f"\n{args.n} sampled names (temperature {args.temperature:g}; * = not in the list):")
    for name in names:
        print(f"  {'*' if name not in known else ' '} {name.capitalize()}")
    new = sum(name not in known for name in names)
    print(f"{new} of {len(names)} are new. Held-out loss: {trainer.best_val_ / math.log(2):.3f} bits/char.")
    return 0
