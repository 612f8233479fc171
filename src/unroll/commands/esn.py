"""`unroll esn TASK`: fit an echo state network, free-run it, print the error, plot the forecast.

    unroll esn mackey-glass                  # the tuned 400-unit protocol of docs/reservoir.md
    unroll esn mackey-glass --mode input --no-squares --units 1000 --spectral-radius 1.25 \
        --leak-rate 0.3 --scaling 0.5 --bias-scaling 0.5 --connectivity 0.01 --ridge 1e-10 \
        --noise 0 --train 2000 --warmup 100  # the plain minimalESN-style setting
    unroll esn lorenz --units 500 --seed 3 --plot out/
    unroll esn search --squares --configs 30     # the documented Mackey-Glass search, as Dask tasks

mackey-glass: x(t) of Mackey-Glass tau=17 sampled every time unit, squashed as tanh(x - 1)
(Jaeger 2001); by default Jaeger's network (no input, the output fed back through W_fb,
teacher-forced while training) with the [x, x^2] readout, at the point tuned on a validation
segment by benchmarks/esn_mackey_glass.py (docs/reservoir.md, "Mackey-Glass, Jaeger's
protocol"); its flags have the same names here. lorenz: (x, y, z) every 0.02 time units,
standardised with the training statistics, an autoregressive input ESN. The ESN learns the
one-step map u(t) -> u(t+1) on --train steps after --warmup, then generates --horizon steps in
closed loop from the end of training. Printed: the NRMSE of the free run at step 84 and over its
first 84 steps, normalised by the series' standard deviation (Jaeger's NRMSE84 is the first,
averaged over many trials: see benchmarks/esn_mackey_glass.py), and the time each phase took.

search: the hyperparameter search of docs/reservoir.md (`benchmarks/esn_mackey_glass.py tune`,
the same draws and scores for the same flags): from the point the flags give (default: the
hand-found start, unroll.distributed.esn_search.START) over --configs steps, each point scored by
--networks reservoirs on the validation segment, the fits run as Dask tasks on a LocalCluster of
--workers processes (or --scheduler ADDRESS, or 'none' for this process); prints one table and
the best point's `unroll esn mackey-glass` command (docs/distributed.md).
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

from .._extras import require
from ..errors import CommandError
from ..data.chaotic import lorenz, mackey_glass
from ..metrics import nrmse
from ..reservoir import ESN, Reservoir, Ridge

# Each task's defaults. mode: "feedback" (Jaeger's output feedback, no input) or "input" (the
# series fed in, and to the readout); scaling: of W_fb in feedback mode, of W_in in input mode;
# squares: read out [x, x^2]. mackey-glass is the tuned 400-unit row of docs/reservoir.md
# (median NRMSE84 1.1e-4 over 10 networks x 100 trials); lorenz was found by a small search.
TASKS = {
    "mackey-glass": dict(mode="feedback", squares=True, units=400, spectral_radius=1.05, leak_rate=0.405,
                         scaling=2.05, bias_scaling=0.0816, connectivity=0.025, ridge=5.95e-11, noise=1e-12,
                         train=3000, warmup=1000),
    "lorenz": dict(mode="input", squares=False, units=500, spectral_radius=1.0, leak_rate=1.0, scaling=0.2,
                   bias_scaling=0.5, connectivity=0.02, ridge=1e-7, noise=0.0, train=2000, warmup=100),
}


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("esn", help="echo state network forecasts of chaotic series",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("task", choices=sorted(TASKS) + ["search"],
                   help="the series to forecast, or 'search' for the Mackey-Glass hyperparameter search")
    p.add_argument("--mode", choices=["feedback", "input"], default=None,
                   help="output feedback without input, or the series as input (default per task)")
    p.add_argument("--squares", action=argparse.BooleanOptionalAction, default=None,
                   help="read out [x, x^2] instead of [x] (default per task)")
    p.add_argument("--units", type=int, default=None, help="reservoir size N (default per task)")
    p.add_argument("--spectral-radius", type=float, default=None)
    p.add_argument("--leak-rate", type=float, default=None)
    p.add_argument("--scaling", "--input-scaling", type=float, default=None,
                   help="scale of W_fb (feedback mode) or W_in (input mode)")
    p.add_argument("--bias-scaling", type=float, default=None)
    p.add_argument("--connectivity", type=float, default=None)
    p.add_argument("--ridge", type=float, default=None, help="ridge penalty of the readout")
    p.add_argument("--noise", type=float, default=None, help="state noise while harvesting training states")
    p.add_argument("--train", type=int, default=None, help="training steps after the warmup (default per task)")
    p.add_argument("--warmup", "--washout", type=int, default=None, help="washout steps (default per task)")
    p.add_argument("--horizon", type=int, default=500, help="free-run steps (default 500, at least 84)")
    p.add_argument("--seed", type=int, default=0, help="reservoir seed (default 0)")
    p.add_argument("--plot", default=None, metavar="DIR", help="save prediction vs truth to DIR/esn_TASK.png")
    s = p.add_argument_group("search", "only with TASK 'search'")
    s.add_argument("--configs", type=int, default=None, help="search steps (default 30)")
    s.add_argument("--networks", type=int, default=None, help="reservoirs per point, seeds 1000+ (default 3)")
    s.add_argument("--val-trials", type=int, default=None, help="validation free runs per network (default 50)")
    s.add_argument("--search-seed", type=int, default=None, help="seed of the search's steps (default 0)")
    s.add_argument("--lookahead", type=int, default=None,
                   help="points scored at once (default: two tasks per worker thread)")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    from ..distributed.client import LOCAL, add_scheduler_arguments
    add_scheduler_arguments(s, default=LOCAL)
    p.set_defaults(func=run)


SEARCH_ONLY = ("configs", "networks", "val_trials", "search_seed", "lookahead")


def config(args) -> dict:
    """The task's defaults with every flag that was given in their place (keys of TASKS)."""
    cfg = dict(TASKS[args.task])
    for key in cfg:
        if getattr(args, key) is not None:
            cfg[key] = getattr(args, key)
    return cfg


def build_esn(cfg: dict, seed: int) -> ESN:
    """The float64 ESN that `cfg` describes (a mapping with at least the keys of TASKS but train and
    warmup, as `config` returns), reservoir seed `seed`; benchmarks/esn_mackey_glass.py uses it too."""
    feedback = cfg["mode"] == "feedback"
    res = Reservoir(cfg["units"], spectral_radius=cfg["spectral_radius"], leak_rate=cfg["leak_rate"],
                    input_scaling=0.0 if feedback else cfg["scaling"], bias_scaling=cfg["bias_scaling"],
                    connectivity=cfg["connectivity"], noise=cfg["noise"],
                    feedback_scaling=cfg["scaling"] if feedback else 0.0, rng=seed, dtype=np.float64)
    return ESN(res, Ridge(cfg["ridge"]), feedback=feedback, input_to_readout=not feedback,
               square_states=cfg["squares"])


def task_series(task: str, n_steps: int) -> np.ndarray:
    """The task's series (n_steps, D), float64, after a 1000-step transient."""
    if task == "mackey-glass":
        return np.tanh(mackey_glass(n_steps + 1000)[1000:] - 1.0)
    return lorenz(n_steps + 1000)[1000:]


def run(args) -> int:
    if args.task == "search":
        return run_search(args)
    given = [f"--{k.replace('_', '-')}" for k in SEARCH_ONLY if getattr(args, k) is not None]
    if given:
        raise CommandError(f"{', '.join(given)}: expected only with 'unroll esn search', got TASK {args.task!r}")
    cfg = config(args)
    if args.horizon < 84 or cfg["train"] < 1 or cfg["warmup"] < 0:
        raise CommandError(f"expected --horizon >= 84, --train >= 1, --warmup >= 0, "
                           f"got {args.horizon}, {cfg['train']}, {cfg['warmup']}")
    if args.plot:
        require("matplotlib", extra="plot", why="--plot")
    n_fit = cfg["warmup"] + cfg["train"]
    series = task_series(args.task, n_fit + 1 + args.horizon)
    mean, std = series[:n_fit].mean(0), series[:n_fit].std(0)
    if args.task == "lorenz":
        series = (series - mean) / std
    esn = build_esn(cfg, args.seed)
    # Both modes see the same information: in input mode u(t) enters step t, in feedback mode
    # the target of step t-1, which is u(t); either way step t predicts u(t+1).
    X = None if cfg["mode"] == "feedback" else series[:n_fit]
    t0 = time.perf_counter()
    esn.fit(X, series[1:n_fit + 1], warmup=cfg["warmup"])
    t1 = time.perf_counter()
    future = esn.generate(args.horizon, seed=series[n_fit:n_fit + 1], state=esn.state_[0])
    t2 = time.perf_counter()
    truth = series[n_fit + 1:n_fit + 1 + args.horizon]
    scale = series.std()
    at84 = nrmse(truth[83], future[83], scale=scale)
    over84 = nrmse(truth[:84], future[:84], scale=scale)
    print(f"{args.task}: {cfg['units']} units, {cfg['mode']} mode{', [x, x^2] readout' if cfg['squares'] else ''}, "
          f"trained on {cfg['train']} steps after {cfg['warmup']} warmup "
          f"(fit {t1 - t0:.2f} s), free run of {args.horizon} steps ({t2 - t1:.2f} s)")
    print(f"NRMSE at step 84: {at84:.3g}   over steps 1-84: {over84:.3g}   "
          f"over all {args.horizon}: {nrmse(truth, future, scale=scale):.3g}")
    if args.plot:
        path = plot_forecast(truth, future, args.task, args.plot)
        print(f"plot: {path}")
    return 0


def run_search(args) -> int:
    """`unroll esn search`: the flags as the protocol and start point, the search, its table."""
    from ..distributed.client import maybe_connect
    from ..distributed.esn_search import PROTOCOL, START, esn_search, format_table
    protocol = dict(PROTOCOL)
    for key, flag in (("mode", "mode"), ("squares", "squares"), ("units", "units"), ("train", "train"),
                      ("washout", "warmup"), ("val_trials", "val_trials")):
        if getattr(args, flag) is not None:
            protocol[key] = getattr(args, flag)
    start = {k: (getattr(args, k) if getattr(args, k) is not None else v) for k, v in START.items()}
    configs, networks = _or(args.configs, 30), _or(args.networks, 3)
    if configs < 0 or networks < 1 or protocol["units"] < 1 or protocol["train"] < 1 or protocol["washout"] < 0 \
            or protocol["val_trials"] < 1 or (args.lookahead is not None and args.lookahead < 1):
        raise CommandError(f"expected --configs >= 0, --networks, --units, --train, --val-trials, --lookahead >= 1 "
                           f"and --warmup >= 0, got {configs}, {networks}, {protocol['units']}, {protocol['train']}, "
                           f"{protocol['val_trials']}, {args.lookahead}, {protocol['washout']}")
    t0 = time.perf_counter()
    with maybe_connect(args.scheduler, args.workers) as client:
        where = "this process" if client is None else f"Dask ({args.scheduler}, {sum(client.nthreads().values())} threads)"
        rows = esn_search(protocol, start, configs, networks, _or(args.search_seed, 0), client, args.lookahead,
                          progress=not args.quiet)
    print(f"mackey-glass search: {protocol['units']} units, {protocol['mode']} mode"
          f"{', [x, x^2] readout' if protocol['squares'] else ''}, train {protocol['train']} after "
          f"{protocol['washout']} washout; {configs} steps, {networks} networks x {protocol['val_trials']} validation "
          f"trials per point; {time.perf_counter() - t0:.1f} s on {where}")
    print(format_table(rows, protocol))
    return 0


def _or(value, default):
    return default if value is None else value


def plot_forecast(truth: np.ndarray, future: np.ndarray, task: str, directory: str) -> str:
    """Save truth and free-run prediction (T, D) one panel per feature; returns the file path."""
    import matplotlib  # checked by `run` before any work
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs(directory, exist_ok=True)
    d = truth.shape[1]
    fig, axes = plt.subplots(d, 1, figsize=(10, 2.5 * d), sharex=True, squeeze=False)
    for i, ax in enumerate(axes[:, 0]):
        ax.plot(truth[:, i], color="black", lw=1.2, label="truth")
        ax.plot(future[:, i], color="tab:red", lw=1.0, ls="--", label="ESN free run")
        ax.axvline(83, color="gray", lw=0.8, ls=":")
    axes[0, 0].legend(loc="upper right")
    axes[0, 0].set_title(f"{task}: closed-loop prediction (dotted line: step 84)")
    axes[-1, 0].set_xlabel("steps after the end of training")
    path = os.path.join(directory, f"esn_{task}.png")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
