"""`unroll train DATA --out DIR ...`: train a character-level language model on a UTF-8 text file.

    unroll train names.txt --lines --cell gru --hidden 128 --epochs 30 --out runs/names
    unroll train input.txt --cell lstm --hidden 512 --seq-len 100 --batch-size 64 --minutes 15 --out runs/shk
    unroll train input.txt --out runs/shk --resume --minutes 30      # continue exactly where it stopped

Writes DIR/checkpoint/ (every --checkpoint-every steps, at the end and on Ctrl-C), DIR/best/ (best
validation loss) and, with --plot, DIR/loss.png. With --resume the run's configuration is read
from DIR/checkpoint; only the budget (--epochs, --minutes, --max-steps) may be changed.
"""
from __future__ import annotations

import math
from pathlib import Path

from .._extras import require
from ..checkpoint import load_checkpoint
from ..data.text import read_text
from ..errors import CommandError
from ..nn import registry
from ..training import TrainConfig, TrainingDiverged, train_char_lm
from ..training.config import OPTIMIZERS, SCHEDULES
from ..training.loop import BEST, CHECKPOINT
from . import one_line_errors

# argparse dest -> TrainConfig field (flat name, see training/config.py), for the options that set it
CONFIG_OPTIONS = {
    "cell": "cell", "hidden": "hidden_size", "layers": "num_layers", "embedding": "embedding_dim",
    "dropout": "dropout", "variational": "variational", "lines": "lines", "lowercase": "lowercase",
    "seq_len": "seq_len", "batch_size": "batch_size", "val_fraction": "val_fraction", "optimizer": "optimizer",
    "lr": "lr", "momentum": "momentum", "weight_decay": "weight_decay", "schedule": "schedule",
    "min_lr": "min_lr", "warmup": "warmup_steps", "clip_value": "clip_value", "clip_norm": "clip_norm",
    "epochs": "epochs", "minutes": "minutes", "max_steps": "max_steps", "eval_every": "eval_every",
    "patience": "patience", "checkpoint_every": "checkpoint_every", "seed": "seed",
}
BUDGET = ("epochs", "minutes", "max_steps")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("train", help="train a character-level language model on a text file",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("data", metavar="DATA", help="UTF-8 text file")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (checkpoints, plot)")
    p.add_argument("--resume", action="store_true", help="continue the run saved in DIR/checkpoint")
    m = p.add_argument_group("model")
    m.add_argument("--cell", choices=registry.names(), help="recurrent cell (default lstm)")
    m.add_argument("--hidden", type=int, metavar="N", help="hidden units per layer (default 128)")
    m.add_argument("--layers", type=int, metavar="N", help="stacked layers (default 1)")
    m.add_argument("--embedding", type=int, metavar="N", help="embedding size; 0 for one-hot input (default 32)")
    m.add_argument("--dropout", type=float, metavar="P", help="dropout on input, between layers, on output")
    m.add_argument("--variational", action="store_true", default=None, help="same dropout mask at every step")
    d = p.add_argument_group("data")
    d.add_argument("--lines", action="store_true", default=None, help="one sequence per line (names, words)")
    d.add_argument("--lowercase", action="store_true", default=None, help="lowercase the text first")
    d.add_argument("--seq-len", type=int, metavar="N", help="truncated-BPTT length in characters (default 100)")
    d.add_argument("--batch-size", type=int, metavar="N", help="lines or parallel streams per step (default 32)")
    d.add_argument("--val-fraction", type=float, metavar="F", help="held out for validation (default 0.1)")
    o = p.add_argument_group("optimisation")
    o.add_argument("--optimizer", choices=sorted(OPTIMIZERS), help="default adam")
    o.add_argument("--lr", type=float, metavar="X", help="learning rate (default 2e-3)")
    o.add_argument("--momentum", type=float, metavar="X", help="SGD momentum")
    o.add_argument("--weight-decay", type=float, metavar="X")
    o.add_argument("--schedule", choices=SCHEDULES, help="learning-rate schedule (default constant)")
    o.add_argument("--min-lr", type=float, metavar="X", help="final rate of the cosine schedule")
    o.add_argument("--warmup", type=int, metavar="N", help="linear warm-up steps")
    clip = o.add_mutually_exclusive_group()
    clip.add_argument("--clip-value", type=float, metavar="X", help="clip each gradient element to [-X, X]")
    clip.add_argument("--clip-norm", type=float, metavar="X", help="clip the global gradient norm (default 5)")
    b = p.add_argument_group("budget and bookkeeping")
    b.add_argument("--epochs", type=int, metavar="N")
    b.add_argument("--minutes", type=float, metavar="X", help="time budget (evaluation included)")
    b.add_argument("--max-steps", type=int, metavar="N")
    b.add_argument("--eval-every", type=int, metavar="N", help="steps between validations (default: each epoch)")
    b.add_argument("--patience", type=int, metavar="N", help="early stopping after N validations without gain")
    b.add_argument("--checkpoint-every", type=int, metavar="N", help="steps between checkpoints (default 500)")
    b.add_argument("--seed", type=int, metavar="S", help="seed of initialisation, order and dropout (default 0)")
    b.add_argument("--plot", action="store_true", help="save DIR/loss.png (needs matplotlib)")
    b.add_argument("--no-progress", action="store_true", help="no progress bar")
    one_line_errors(p).set_defaults(func=run)


def config_from_args(args) -> TrainConfig:
    """The run's TrainConfig: from the checkpoint with --resume (budget overridable), else from the
    options (no budget option: TrainConfig's default of 10 epochs)."""
    given = {field: getattr(args, dest) for dest, field in CONFIG_OPTIONS.items() if getattr(args, dest) is not None}
    if args.clip_value is not None:
        given["clip_norm"] = None
    if given.get("embedding_dim") == 0:
        given["embedding_dim"] = None
    if not args.resume:
        return TrainConfig.from_dict(given)
    _, meta = load_checkpoint(Path(args.out) / CHECKPOINT)
    ignored = sorted(k for k in given if k not in BUDGET)
    if ignored:
        raise CommandError(f"--resume continues the saved configuration; only --epochs, --minutes and "
                           f"--max-steps may change, got {', '.join(ignored)}")
    return TrainConfig.from_dict({**meta["train_config"], **given})


def run(args) -> int:
    if args.plot:
        require("matplotlib", "plot", "--plot")
    text = read_text(args.data)
    config = config_from_args(args)
    try:
        trainer = train_char_lm(text, config, out=args.out, resume=args.resume, progress=not args.no_progress,
                                plot=args.plot)
    except TrainingDiverged as err:
        print(f"unroll train: stopped: {err}")
        return 1
    report(trainer, Path(args.out))
    return 0


def report(trainer, out: Path | None) -> None:
    """Print how the run ended, its best validation loss and where its files are."""
    print(f"stopped after {trainer.step} steps ({trainer.elapsed / 60:.1f} min): {trainer.stop_reason_}")
    if trainer.history_["val_loss"]:
        best = trainer.best_val_
        print(f"best validation: {best:.4f} nats/char = {best / math.log(2):.4f} bits/char "
              f"(step {trainer.best_step_}); last: {trainer.history_['val_loss'][-1]:.4f} nats/char")
    if out is not None:
        print(f"checkpoint: {out / CHECKPOINT}" + (f"   best: {out / BEST}" if (out / BEST).is_dir() else ""))
