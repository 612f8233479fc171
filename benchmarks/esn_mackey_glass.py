"""The two Mackey-Glass results of the reservoir issue, printed as numbers.

    python benchmarks/esn_mackey_glass.py jaeger [--units 400 --train 3000] [--networks 10] [--trials 100]
        [--squares] [--segment test|validation]
    python benchmarks/esn_mackey_glass.py tune [--units 400 --train 3000] [--configs 60] [--search-seed 0]
    python benchmarks/esn_mackey_glass.py minimal [--seeds 20] [--ridge 1e-10 --connectivity 0.01]

jaeger: Jaeger 2001 (GMD Report 148, section 6.4; Jaeger & Haas 2004): Mackey-Glass tau=17
    sampled at unit steps (our RK4 integrator, h=0.1), squashed as tanh(x - 1). By default the
    network is Jaeger's: no exogenous input, a bias, the output fed back through W_fb with
    teacher forcing while the states are harvested (with uniform state noise `--noise`), a
    `--washout` of 1000 steps, then a ridge readout on the next `--train` steps (`--mode input`
    feeds the series as input instead: the autoregressive ESN with the input in the readout).
    Then --trials free runs of 84 steps, each from the teacher-forced state at its start, the
    starts 50 steps apart in a held-out TEST segment of the same trajectory. The score is
        NRMSE84 = sqrt(mean over trials of (y(n+84) - d(n+84))^2 / var),
    var being the variance of the squashed attractor (20,000 steps), one number per network
    (reservoir seed 0, 1, ...). Printed per network, then the distribution over networks.
tune: random local search ((1+1) evolution strategy, log steps where the scale matters) over
    spectral radius, feedback or input scaling, bias, leak rate, ridge, state noise and
    connectivity from the point given on the command line, each configuration scored by its
    median NRMSE84 over --networks reservoirs with seeds 1000, 1001, ... on a
    VALIDATION segment that lies before the test segment and shares no step with it, so the
    numbers `jaeger` reports are not tuned on themselves. Prints the best command line.
minimal: Lukoševičius' minimalESN setup on ../shared/data/MackeyGlass_t17.txt: 1000 units,
    leak 0.3, spectral radius 1.25, train on steps 0-2000 with 100 washout, then the free run
    continues from the last training state with the true u(2000) as first input; the MSE of the
    first 500 free-run steps, for --seeds reservoirs. unroll's best settings (found by a small
    search, docs/reservoir.md): connectivity 0.01 and ridge 1e-10, input and bias scaling 0.5,
    input-to-readout, float64 (`--mode input`). Skips cleanly when the data file is absent.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # steady timings on a shared machine

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from unroll.data.chaotic import mackey_glass  # noqa: E402
from unroll.commands.esn import build_esn  # noqa: E402
from unroll.reservoir import ESN  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "MackeyGlass_t17.txt"
# The protocol's constants and the search space: one definition, the package's search's
# (`unroll esn search`); this file's `tune` is the sequential search it is tested against.
from unroll.distributed.esn_search import GAP, HORIZON, MARGIN, SPACE, STEP  # noqa: E402

def make_esn(args, seed: int) -> ESN:
    """The ESN `unroll esn` builds from the same flags (one builder: the command's defaults are
    this benchmark's tuned point, and they must mean the same network)."""
    return build_esn(vars(args), seed)


def jaeger_data(args):
    """The squashed series (T, 1), the attractor's variance, the validation and test starts."""
    n_train = args.washout + args.train
    val = n_train + MARGIN + np.arange(args.val_trials) * GAP
    test = val[-1] + HORIZON + MARGIN + np.arange(args.trials) * GAP
    raw = np.tanh(mackey_glass(1000 + test[-1] + HORIZON + 1) - 1.0)[1000:]  # drop the transient
    var = float(np.tanh(mackey_glass(21000)[1000:] - 1.0).var())
    return raw, var, val, test


def nrmse84(args, seed: int, raw, var, starts) -> float:
    """Fit one network (reservoir `seed`) and score its 84-step free runs from `starts`."""
    n_train = args.washout + args.train
    X, Y = (None if args.mode == "feedback" else raw[:-1]), raw[1:]  # step t predicts raw[t + 1]
    esn = make_esn(args, seed).fit(None if X is None else X[:n_train], Y[:n_train], warmup=args.washout)
    states = esn.states(X, Y)  # (T, N): states[t] predicts raw[t + 1], it has seen raw[t]
    pred = esn.generate(HORIZON, seed=raw[starts][:, None], state=states[starts - 1])[:, -1]  # (trials, 1)
    return float(np.sqrt(np.mean((pred - raw[starts + HORIZON]) ** 2) / var))


def summary(scores) -> str:
    q = np.percentile(scores, [0, 25, 50, 75, 100])
    return f"median {q[2]:.3g} (min {q[0]:.3g}, quartiles {q[1]:.3g} / {q[3]:.3g}, max {q[4]:.3g})"


def jaeger(args) -> None:
    raw, var, val, test = jaeger_data(args)
    starts, first = (test, 0) if args.segment == "test" else (val[:args.trials], 1000)  # tune's seeds
    scores = []
    for net in range(first, first + args.networks):
        t0 = time.perf_counter()
        scores.append(nrmse84(args, net, raw, var, starts))
        print(f"network {net}: NRMSE84 = {scores[-1]:.3g}  ({time.perf_counter() - t0:.1f} s)", flush=True)
    print(f"jaeger protocol, {args.mode}{' + squares' if args.squares else ''}, {args.units} units, train {args.train}: NRMSE84 {summary(scores)}; "
          f"{args.networks} networks x {len(starts)} {args.segment} trials")


def tune(args) -> None:
    """(1+1) random local search from the command-line point: each step perturbs every
    hyperparameter of the best point so far (Gaussian steps, in log space where marked) and keeps
    the draw if its validation score is lower. noise 0 starts at the lower bound."""
    raw, var, val, _ = jaeger_data(args)
    rng = np.random.default_rng(args.search_seed)

    def score(point):
        vars(args).update(point)
        with np.errstate(all="ignore"):
            scores = [nrmse84(args, 1000 + k, raw, var, val) for k in range(args.networks)]
        return float(np.median(scores)) if np.all(np.isfinite(scores)) else np.inf

    best = {name: max(getattr(args, name), SPACE[name][0]) for name in SPACE}
    best_score = score(best)
    print(f"start validation NRMSE84 {best_score:.3g}  {best}", flush=True)
    for i in range(args.configs):
        draw = {}
        for name, (low, high, log) in SPACE.items():
            value = np.log(best[name]) if log else best[name]
            value += STEP[name] * rng.standard_normal()
            draw[name] = float(f"{np.clip(np.exp(value) if log else value, low, high):.3g}")
        s = score(draw)
        if s < best_score:
            best, best_score = draw, s
        print(f"{i:3d} validation NRMSE84 {s:.3g}{' *' if s == best_score else ''}  {draw}", flush=True)
    flags = " ".join(f"--{k.replace('_', '-')} {v:g}" for k, v in best.items())
    print(f"best on validation (seeds 1000+, validation segment): {best_score:.3g}\n"
          f"  python benchmarks/esn_mackey_glass.py jaeger --mode {args.mode} --units {args.units} "
          f"--train {args.train}{' --squares' if args.squares else ''} {flags}")


def minimal(args) -> None:
    if not DATA.is_file():
        print(f"{DATA} not found: skipping the minimalESN protocol.")
        return
    data = np.loadtxt(DATA)[:, None]  # (10000, 1)
    train_len, init_len, test_len = 2000, 100, 500
    mses = []
    for seed in range(args.seeds):
        esn = make_esn(args, seed).fit(data[:train_len], data[1:train_len + 1], warmup=init_len)
        future = esn.generate(test_len, seed=data[train_len:train_len + 1], state=esn.state_[0])
        mses.append(float(np.mean((future - data[train_len + 1:train_len + 1 + test_len]) ** 2)))
        print(f"seed {seed}: MSE500 = {mses[-1]:.3g}", flush=True)
    print(f"minimalESN protocol, {args.seeds} seeds: MSE {summary(mses)}; "
          f"seeds <= 1e-6: {sum(m <= 1e-6 for m in mses)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("protocol", choices=["jaeger", "tune", "minimal"])
    parser.add_argument("--mode", choices=["feedback", "input"], default=None,
                        help="output feedback (default for jaeger/tune) or autoregressive input (minimal)")
    parser.add_argument("--units", type=int, default=None, help="default 400 (jaeger, tune) / 1000 (minimal)")
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--washout", type=int, default=1000)
    parser.add_argument("--networks", type=int, default=None, help="default 10 (jaeger) / 3 (tune)")
    parser.add_argument("--trials", type=int, default=100, help="test trials per network")
    parser.add_argument("--segment", choices=["test", "validation"], default="test",
                        help="jaeger: score on the test segment (seeds 0+) or tune's validation (seeds 1000+)")
    parser.add_argument("--val-trials", type=int, default=50, help="validation trials per network")
    parser.add_argument("--configs", type=int, default=30, help="tune: random steps")
    parser.add_argument("--search-seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--spectral-radius", type=float, default=1.25)
    parser.add_argument("--leak-rate", type=float, default=0.3)
    parser.add_argument("--scaling", "--input-scaling", type=float, default=0.5,
                        help="feedback scaling (feedback mode) or input scaling (input mode)")
    parser.add_argument("--bias-scaling", type=float, default=0.5)
    parser.add_argument("--connectivity", type=float, default=0.01)
    parser.add_argument("--ridge", type=float, default=1e-10)
    parser.add_argument("--squares", action="store_true", help="read out [x, x^2] (ESN square_states)")
    parser.add_argument("--noise", type=float, default=0.0, help="state noise while harvesting training states")
    args = parser.parse_args()
    args.mode = args.mode or ("input" if args.protocol == "minimal" else "feedback")
    args.units = args.units or (1000 if args.protocol == "minimal" else 400)
    args.networks = args.networks or (3 if args.protocol == "tune" else 10)
    {"jaeger": jaeger, "tune": tune, "minimal": minimal}[args.protocol](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
