"""`unroll tree`: recursive networks on generated ListOps.

    unroll tree listops --train-size 6000 --epochs 8 --plot runs/tree

Trains a Child-Sum Tree-LSTM and a sequential BiLSTM of similar size on the same generated
expressions (depths 1-6) with the same budget (Adam, epochs, batch), prints the test accuracy of
each by depth and ends with the headline `tree-lstm accuracy: 0.91 (bilstm: 0.74)`. With
--plot DIR: accuracy against depth. --models adds 'tree-rnn' (the plain recursive network).
"""
from __future__ import annotations

import os

import numpy as np

from .._extras import require
from ..errors import CommandError
from . import one_line_errors

KINDS = ("tree-lstm", "bilstm", "tree-rnn")


def add_parser(subparsers) -> None:
    p = one_line_errors(subparsers.add_parser("tree", help="Tree-LSTM against a BiLSTM on generated ListOps"))
    p.add_argument("task", choices=["listops"])
    p.add_argument("--models", default="tree-lstm,bilstm", help=f"comma-separated, from {','.join(KINDS)}")
    p.add_argument("--train-size", type=int, default=6000)
    p.add_argument("--test-size", type=int, default=1200)
    p.add_argument("--max-depth", type=int, default=6)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--hidden", type=int, default=64, help="hidden units (the BiLSTM gets this per direction)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--plot", metavar="DIR", help="write PNG figures into DIR (needs matplotlib)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..data.listops import listops
    from ..models.tree import accuracy_by_depth, train_listops
    kinds = [k.strip() for k in args.models.split(",") if k.strip()]
    if not kinds or any(k not in KINDS for k in kinds):
        raise CommandError(f"--models: expected a comma-separated list from {','.join(KINDS)}, got {args.models!r}")
    if min(args.train_size, args.test_size, args.max_depth, args.epochs, args.batch, args.hidden) < 1:
        raise CommandError("expected positive --train-size/--test-size/--max-depth/--epochs/--batch/--hidden")
    if args.plot:
        require("matplotlib", "plot", "--plot")
    depths = tuple(range(1, args.max_depth + 1))
    train = listops(args.train_size, depths, np.random.default_rng([args.seed, 0]))
    test = listops(args.test_size, depths, np.random.default_rng([args.seed, 1]))
    chance = np.bincount(test.labels).max() / len(test)
    tables, seconds = {}, {}
    for kind in kinds:
        model, seconds[kind], _ = train_listops(kind, train, args.epochs, args.batch, args.lr, hidden=args.hidden,
                                                seed=args.seed, progress=False if args.quiet else kind)
        tables[kind] = accuracy_by_depth(model, test)
        params = sum(p.size for p in model.params.values())
        print(f"{kind}: {params} parameters, {1000 * seconds[kind] / (args.epochs * len(train)):.3f} ms per "
              f"training expression")
    print("depth  " + "  ".join(f"{k:>9}" for k in kinds) + "      n")
    for d in depths:
        print(f"{d:5d}  " + "  ".join(f"{tables[k][d]:9.3f}" for k in kinds) + f"  {int((test.depth == d).sum()):5d}")
    if args.plot:
        from ..diagnostics.plots_memory import plot_accuracy_by_depth
        print(f"figure: {plot_accuracy_by_depth(tables, os.path.join(args.plot, 'listops_depth.png'), chance, 'ListOps')}")
    print(f"majority-label accuracy: {chance:.3f}")
    head, rest = kinds[0], kinds[1:]
    others = ", ".join(f"{k}: {tables[k]['all']:.3f}" for k in rest)
    print(f"{head} accuracy: {tables[head]['all']:.3f}" + (f" ({others})" if others else ""))
    return 0
