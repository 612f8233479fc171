"""The two Mackey-Glass results of the reservoir issue, printed as numbers.

    python benchmarks/esn_mackey_glass.py jaeger [--units 400 --train 3000] [--networks 5] [--trials 100]
    python benchmarks/esn_mackey_glass.py minimal [--seeds 20] [--ridge 1e-10 --connectivity 0.01]

jaeger: Jaeger 2001 (GMD Report 148, section 6.4) as we read it: Mackey-Glass tau=17 sampled at
    unit steps (our RK4 integrator, h=0.1), squashed as tanh(x - 1); an ESN trained on --train
    steps after a 1000-step washout; then --trials free runs of 84 steps from points 50 steps
    apart in the held-out data, each from the state reached by teacher forcing up to there.
    NRMSE84 = sqrt(mean over trials of (y(84) - d(84))^2 / var), var being the attractor's
    variance measured on 20,000 steps. Printed per network (reservoir seed) and their median.
minimal: Lukoševičius' minimalESN setup on ../shared/data/MackeyGlass_t17.txt: 1000 units,
    leak 0.3, spectral radius 1.25, train on steps 0-2000 with 100 washout, then the free run
    continues from the last training state with the true u(2000) as first input; the MSE of the
    first 500 free-run steps, for --seeds reservoirs. unroll's best settings (found by a small
    search, docs/reservoir.md): connectivity 0.01 and ridge 1e-10, input and bias scaling 0.5,
    input-to-readout, float64. Skips cleanly when the data file is absent.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # steady timings on a shared machine

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from unroll.data.chaotic import mackey_glass  # noqa: E402
from unroll.reservoir import ESN, Reservoir, Ridge  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "MackeyGlass_t17.txt"
F64 = np.float64


def make_esn(args, seed: int) -> ESN:
    res = Reservoir(args.units, spectral_radius=args.spectral_radius, leak_rate=args.leak_rate,
                    input_scaling=args.input_scaling, bias_scaling=args.bias_scaling,
                    connectivity=args.connectivity, noise=getattr(args, "noise", 0.0), rng=seed, dtype=F64)
    return ESN(res, Ridge(args.ridge), input_to_readout=True)


def jaeger(args) -> None:
    washout, horizon, gap = 1000, 84, 50
    test_len = args.trials * gap + horizon + 1
    raw = np.tanh(mackey_glass(1000 + washout + args.train + 1 + test_len) - 1.0)[1000:]  # drop transient
    var = np.tanh(mackey_glass(21000)[1000:] - 1.0).var()
    n_train = washout + args.train
    starts = n_train + 1 + np.arange(args.trials) * gap  # where each free run begins
    scores = []
    for net in range(args.networks):
        t0 = time.perf_counter()
        esn = make_esn(args, net).fit(raw[:n_train], raw[1:n_train + 1], warmup=washout)
        # Teacher-forced states over the held-out data, continuing from training: trial j starts
        # from the state after feeding raw[p - 1] and is seeded with the true raw[p].
        states = esn.reservoir.run(raw[n_train:starts[-1]], state=esn.state_[0])  # (T, N)
        pred = esn.generate(horizon, seed=raw[starts][:, None], state=states[starts - n_train - 1])[:, -1]
        truth = raw[starts + horizon]  # d(p + 84): the 84th value after raw[p]
        score = float(np.sqrt(np.mean((pred - truth) ** 2) / var))
        scores.append(score)
        print(f"network {net}: NRMSE84 = {score:.3g}  ({time.perf_counter() - t0:.1f} s)", flush=True)
    print(f"jaeger protocol, {args.units} units, train {args.train}: median NRMSE84 {np.median(scores):.3g} "
          f"(min {min(scores):.3g}, max {max(scores):.3g}, {args.networks} networks x {args.trials} trials)")


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
    q = np.percentile(mses, [0, 25, 50, 75, 100])
    print(f"minimalESN protocol, {args.seeds} seeds: median MSE {q[2]:.3g}  (min {q[0]:.3g}, "
          f"quartiles {q[1]:.3g} / {q[3]:.3g}, max {q[4]:.3g}); seeds <= 1e-6: {sum(m <= 1e-6 for m in mses)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("protocol", choices=["jaeger", "minimal"])
    parser.add_argument("--units", type=int, default=None, help="default 400 (jaeger) / 1000 (minimal)")
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--networks", type=int, default=5)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--spectral-radius", type=float, default=1.25)
    parser.add_argument("--leak-rate", type=float, default=0.3)
    parser.add_argument("--input-scaling", type=float, default=0.5)
    parser.add_argument("--bias-scaling", type=float, default=0.5)
    parser.add_argument("--connectivity", type=float, default=0.01)
    parser.add_argument("--ridge", type=float, default=1e-10)
    parser.add_argument("--noise", type=float, default=0.0, help="state noise while training")
    args = parser.parse_args()
    if args.units is None:
        args.units = 400 if args.protocol == "jaeger" else 1000
    (jaeger if args.protocol == "jaeger" else minimal)(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
