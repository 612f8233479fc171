"""`unroll lab`: the long-term-dependency lab.

    unroll lab adding --T 100 --cells rnn,lstm,gru --steps 2500 --seed 0 --plot runs/lab
    unroll lab copy --T 100 --cells lstm,gru --steps 2500
    unroll lab explode --plot runs/lab        # T 50, 200 steps, hidden 32, SGD lr 0.1, 3 seeds

Trains each cell on the task with the same data, budget and optimiser (one progress bar per cell),
and prints the final test loss against the memoryless baseline, the task's score and the step at
which the test loss first went below the task's "solved" threshold; with --plot, PNGs of the
learning curves and of the gradient flow ||dL/dh_k|| (before and after training) for each cell.
`explode` trains a vanilla RNN with spectral radius 2 by SGD without clipping, with element-wise
clipping and with norm clipping, on several seeds, and prints the median of each.

    unroll lab explode --seeds 8 --scheduler local --workers 2      # the runs as Dask tasks
    unroll lab adding --cells rnn,lstm,gru --scheduler tcp://10.0.0.5:8786

With --scheduler (docs/distributed.md) every run (cell, or rule x seed) is one Dask task and one
progress bar counts finished runs; the table is the same as without it.

Speed: NumPy's threaded BLAS only slows these small matrices down on a busy machine; run with
OPENBLAS_NUM_THREADS=1 (or OMP_NUM_THREADS=1).
"""
from __future__ import annotations

from .._extras import require
from ..errors import CommandError

LAB_DEFAULTS = {"T": 100, "steps": 2500, "hidden": 64, "lr": 3e-3}  # Adam; explode: ExplodeConfig's


def add_parser(subparsers) -> None:
    from ..lab.models import CELLS
    from ..lab.tasks import TASKS
    p = subparsers.add_parser("lab", help="train cells on long-term-dependency tasks; gradient flow; clipping")
    p.add_argument("task", choices=sorted(TASKS) + ["explode"], help="the task, or 'explode' for the clipping demo")
    p.add_argument("--T", type=int, help="sequence length / delay (default 100; explode 50)")
    p.add_argument("--cells", default="rnn,lstm,gru", help=f"comma-separated, from {','.join(CELLS)}")
    p.add_argument("--steps", type=int, help="training steps per cell (default 2500; explode 200)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--hidden", type=int, help="hidden units (default 64; explode 32)")
    p.add_argument("--lr", type=float, help="learning rate: Adam, default 3e-3; explode: SGD, default 0.1")
    p.add_argument("--seed", type=int, default=0, help="seed (explode: the first of --seeds seeds)")
    p.add_argument("--seeds", type=int, default=3, help="explode: seeds per rule, the table shows medians (default 3)")
    p.add_argument("--radius", type=float, default=2.0, help="explode: spectral radius of W_hh (default 2)")
    p.add_argument("--plot", metavar="DIR", help="write PNG figures into DIR (needs matplotlib)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    from ..distributed.client import add_scheduler_arguments
    add_scheduler_arguments(p, default=None)
    p.set_defaults(func=run)


def _cells(text: str) -> list:
    from ..lab.models import CELLS
    cells = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in cells if c not in CELLS]
    if not cells or unknown:
        raise CommandError(f"--cells: expected a comma-separated list from {','.join(CELLS)}, got {text!r}")
    return cells


def run(args) -> int:
    from dataclasses import asdict

    from ..lab.explode import ExplodeConfig
    defaults = asdict(ExplodeConfig()) if args.task == "explode" else LAB_DEFAULTS
    given = {k: getattr(args, k) if getattr(args, k) is not None else defaults[k] for k in LAB_DEFAULTS}
    if given["T"] < 10 or given["steps"] < 1 or args.batch < 1 or given["hidden"] < 1 or args.seeds < 1:
        raise CommandError(f"expected --T >= 10 and positive --steps/--batch/--hidden/--seeds, got "
                           f"T={given['T']} steps={given['steps']} batch={args.batch} hidden={given['hidden']} "
                           f"seeds={args.seeds}")
    if args.task != "explode":
        cells = _cells(args.cells)
    if args.plot:
        require("matplotlib", "plot", "--plot")  # before any training
    from ..distributed.client import maybe_connect
    from ..distributed.sweeps import task_mapper
    with maybe_connect(args.scheduler, args.workers) as client:
        map_runs = None if client is None else task_mapper(client, "runs", progress=not args.quiet)
        if args.task == "explode":
            from ..lab.explode import run_explode
            run_explode(ExplodeConfig(**given, batch=args.batch, seeds=args.seeds, radius=args.radius), args.seed,
                        args.plot, map_runs)
            return 0
        from ..lab.report import run_lab
        from ..lab.train import LabConfig
        config = LabConfig(**given, batch=args.batch, eval_every=max(1, min(50, given["steps"] // 20)))
        run_lab(args.task, cells, config, args.seed, args.plot, args.quiet, map_runs)
    return 0
