"""`unroll esn TASK`: fit an echo state network, free-run it, print the error, plot the forecast.

    unroll esn mackey-glass --units 1000 --plot out/
    unroll esn lorenz --units 500 --seed 3

mackey-glass: x(t) of Mackey-Glass tau=17 sampled every time unit, squashed as tanh(x - 1)
(Jaeger 2001); lorenz: (x, y, z) every 0.02 time units, standardised with the training
statistics. The ESN learns the one-step map u(t) -> u(t+1) on --train steps after --warmup,
then generates --horizon steps in closed loop from the end of training. Printed: the NRMSE of
the free run at step 84 and over its first 84 steps, normalised by the series' standard
deviation (Jaeger's NRMSE84 is the first, averaged over many trials: see
benchmarks/esn_mackey_glass.py), and the time each phase took.
"""
from __future__ import annotations

import os
import time

import numpy as np

from ..errors import CommandError
from ..data.chaotic import lorenz, mackey_glass
from ..metrics import nrmse
from ..reservoir import ESN, Reservoir, Ridge

# Defaults found on the minimalESN protocol (docs/reservoir.md) and for Lorenz by a small search.
TASKS = {
    "mackey-glass": dict(units=1000, spectral_radius=1.25, leak_rate=0.3, input_scaling=0.5, bias_scaling=0.5,
                         connectivity=0.01, ridge=1e-10),
    "lorenz": dict(units=500, spectral_radius=1.0, leak_rate=1.0, input_scaling=0.2, bias_scaling=0.5,
                   connectivity=0.02, ridge=1e-7),
}


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("esn", help="echo state network forecasts of chaotic series",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("task", choices=sorted(TASKS))
    p.add_argument("--units", type=int, default=None, help="reservoir size N (default per task)")
    p.add_argument("--spectral-radius", type=float, default=None)
    p.add_argument("--leak-rate", type=float, default=None)
    p.add_argument("--input-scaling", type=float, default=None)
    p.add_argument("--connectivity", type=float, default=None)
    p.add_argument("--ridge", type=float, default=None, help="ridge penalty of the readout")
    p.add_argument("--train", type=int, default=2000, help="training steps after the warmup (default 2000)")
    p.add_argument("--warmup", type=int, default=100, help="washout steps (default 100)")
    p.add_argument("--horizon", type=int, default=500, help="free-run steps (default 500, at least 84)")
    p.add_argument("--seed", type=int, default=0, help="reservoir seed (default 0)")
    p.add_argument("--plot", default=None, metavar="DIR", help="save prediction vs truth to DIR/esn_TASK.png")
    p.set_defaults(func=run)


def task_series(task: str, n_steps: int) -> np.ndarray:
    """The task's series (n_steps, D), float64, after a 1000-step transient."""
    if task == "mackey-glass":
        return np.tanh(mackey_glass(n_steps + 1000)[1000:] - 1.0)
    return lorenz(n_steps + 1000)[1000:]


def run(args) -> int:
    cfg = dict(TASKS[args.task])
    for key in ("units", "spectral_radius", "leak_rate", "input_scaling", "connectivity", "ridge"):
        if getattr(args, key) is not None:
            cfg[key] = getattr(args, key)
    if args.horizon < 84 or args.train < 1 or args.warmup < 0:
        raise CommandError(f"expected --horizon >= 84, --train >= 1, --warmup >= 0, "
                           f"got {args.horizon}, {args.train}, {args.warmup}")
    n_fit = args.warmup + args.train
    series = task_series(args.task, n_fit + 1 + args.horizon)
    mean, std = series[:n_fit].mean(0), series[:n_fit].std(0)
    if args.task == "lorenz":
        series = (series - mean) / std
    ridge = cfg.pop("ridge")
    esn = ESN(Reservoir(**cfg, rng=args.seed, dtype=np.float64), Ridge(ridge), input_to_readout=True)
    t0 = time.perf_counter()
    esn.fit(series[:n_fit], series[1:n_fit + 1], warmup=args.warmup)
    t1 = time.perf_counter()
    future = esn.generate(args.horizon, seed=series[n_fit:n_fit + 1], state=esn.state_[0])
    t2 = time.perf_counter()
    truth = series[n_fit + 1:n_fit + 1 + args.horizon]
    scale = series.std()
    at84 = nrmse(truth[83], future[83], scale=scale)
    over84 = nrmse(truth[:84], future[:84], scale=scale)
    print(f"{args.task}: {cfg['units']} units, trained on {args.train} steps after {args.warmup} warmup "
          f"(fit {t1 - t0:.2f} s), free run of {args.horizon} steps ({t2 - t1:.2f} s)")
    print(f"NRMSE at step 84: {at84:.3g}   over steps 1-84: {over84:.3g}   "
          f"over all {args.horizon}: {nrmse(truth, future, scale=scale):.3g}")
    if args.plot:
        path = plot_forecast(truth, future, args.task, args.plot)
        print(f"plot: {path}")
    return 0


def plot_forecast(truth: np.ndarray, future: np.ndarray, task: str, directory: str) -> str:
    """Save truth and free-run prediction (T, D) one panel per feature; returns the file path."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise CommandError(f"--plot needs matplotlib (pip install matplotlib): {err}") from None
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
