"""`unroll lab`: the long-term-dependency lab.

    unroll lab adding --T 100 --cells rnn,lstm,gru --steps 2500 --seed 0 --plot runs/lab
    unroll lab copy --T 100 --cells lstm,gru --steps 2500
    unroll lab explode --T 50 --steps 300 --hidden 32 --plot runs/lab

Trains each cell on the task with the same data, budget and optimiser, and prints the final test
loss against the memoryless baseline, the task's score and the step at which the test loss first went
below the task's "solved" threshold; with --plot, PNGs of the learning curves and of the gradient
flow ||dL/dh_k|| (before and after training) for each cell. `explode` trains a vanilla RNN with
spectral radius 2 by SGD without clipping, with element-wise clipping and with norm clipping.

Speed: NumPy's threaded BLAS only slows these small matrices down on a busy machine; run with
OPENBLAS_NUM_THREADS=1 (or OMP_NUM_THREADS=1).
"""
from __future__ import annotations

from ..errors import CommandError


def add_parser(subparsers) -> None:
    from ..lab.models import CELLS
    from ..lab.tasks import TASKS
    p = subparsers.add_parser("lab", help="train cells on long-term-dependency tasks; gradient flow; clipping")
    p.add_argument("task", choices=sorted(TASKS) + ["explode"], help="the task, or 'explode' for the clipping demo")
    p.add_argument("--T", type=int, default=100, help="sequence length / delay (default 100)")
    p.add_argument("--cells", default="rnn,lstm,gru", help=f"comma-separated, from {','.join(CELLS)}")
    p.add_argument("--steps", type=int, default=2500, help="training steps per cell (default 2500)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--lr", type=float, help="learning rate: Adam, default 3e-3; explode: SGD, default 0.1")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--plot", metavar="DIR", help="write PNG figures into DIR")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=run)


def _cells(text: str) -> list:
    from ..lab.models import CELLS
    cells = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in cells if c not in CELLS]
    if not cells or unknown:
        raise CommandError(f"--cells: expected a comma-separated list from {','.join(CELLS)}, got {text!r}")
    return cells


def run(args) -> int:
    if args.T < 10 or args.steps < 1 or args.batch < 1 or args.hidden < 1:
        raise CommandError(f"expected --T >= 10 and positive --steps/--batch/--hidden, got "
                           f"T={args.T} steps={args.steps} batch={args.batch} hidden={args.hidden}")
    if args.task == "explode":
        from ..lab.explode import run_explode
        lr = 0.1 if args.lr is None else args.lr  # plain SGD
        run_explode(args.T, args.steps, args.hidden, lr, args.seed, args.plot, args.quiet)
        return 0
    from ..lab.report import run_lab
    from ..lab.train import LabConfig
    lr = 3e-3 if args.lr is None else args.lr  # Adam
    config = LabConfig(T=args.T, steps=args.steps, batch=args.batch, hidden=args.hidden, lr=lr,
                       eval_every=max(1, min(50, args.steps // 20)))
    run_lab(args.task, _cells(args.cells), config, args.seed, args.plot, args.quiet)
    return 0
