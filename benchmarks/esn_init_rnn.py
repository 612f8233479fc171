"""Does an ESN make a good initialisation for a trainable RNN? NARMA-10, three contenders:

    python benchmarks/esn_init_rnn.py [--units 100] [--iters 300] [--seed 0]

1. the ESN itself: a fixed reservoir, ridge readout (no gradient descent);
2. ESN-initialised: an unroll.nn.RNN whose weight_ih/weight_hh/bias come from that reservoir and
   an nn.Linear from its ridge readout (unroll.reservoir.rnn_init), fine-tuned with full BPTT;
3. random init: the same RNN + Linear with PyTorch's default U(+-1/sqrt(H)) weights, trained
   the same way.
Training: Adam, clipping by global norm 1, MSE on steps after a 50-step washout, minibatches of
8 NARMA-10 sequences of 200 steps; test NRMSE (by the target's std) on 16 held-out sequences of
1000 steps. float64 throughout; times are wall clock on a shared machine.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from unroll import functional as F  # noqa: E402
from unroll.data.chaotic import narma  # noqa: E402
from unroll.metrics import nrmse  # noqa: E402
from unroll.nn import RNN, Linear  # noqa: E402
from unroll.optim import Adam, clip_by_global_norm  # noqa: E402
from unroll.reservoir import ESN, Reservoir, Ridge  # noqa: E402
from unroll.reservoir.rnn_init import networks_from_esn  # noqa: E402

WASHOUT = 50


def evaluate(rnn, linear, u, y) -> float:
    h, _, _ = rnn.forward(u)
    pred, _, _ = linear.forward(h)
    return nrmse(y[:, WASHOUT:], pred[:, WASHOUT:])


def train(rnn, linear, lr, iters, rng, test):
    params = {f"rnn.{k}": v for k, v in rnn.params.items()} | {f"out.{k}": v for k, v in linear.params.items()}
    opt = Adam(params, lr=lr)
    mask = np.zeros((8, 200, 1))
    mask[:, WASHOUT:] = 1.0
    curve = [(0, evaluate(rnn, linear, *test))]
    for it in range(1, iters + 1):
        u, y = narma(8, 200, rng=rng, dtype=np.float64)
        rnn.zero_grad()
        linear.zero_grad()
        h, _, cache = rnn.forward(u)
        pred, _, lin_cache = linear.forward(h)
        _, loss_cache = F.mse_forward(pred, y, mask)
        d_h, _ = linear.backward(F.mse_backward(1.0, loss_cache), None, lin_cache)
        rnn.backward(d_h, None, cache)
        grads = {f"rnn.{k}": v for k, v in rnn.grads.items()} | {f"out.{k}": v for k, v in linear.grads.items()}
        clip_by_global_norm(grads, 1.0)
        opt.step(grads)
        if it % max(1, iters // 5) == 0:
            curve.append((it, evaluate(rnn, linear, *test)))
    return curve


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--iters", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ridge", type=float, default=1e-4, help="of the ESN readout (moderate weights fine-tune better)")
    parser.add_argument("--lr-esn", type=float, default=1e-4, help="Adam lr for the ESN-initialised network")
    parser.add_argument("--lr-random", type=float, default=3e-3, help="Adam lr for the random one")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    test = narma(16, 1000, rng=rng, dtype=np.float64)
    u_fit, y_fit = narma(8, 500, rng=rng, dtype=np.float64)

    t0 = time.perf_counter()
    res = Reservoir(args.units, spectral_radius=0.9, leak_rate=1.0, input_scaling=1.0, bias_scaling=0.2,
                    connectivity=0.1, rng=args.seed, dtype=np.float64)
    esn = ESN(res, Ridge(args.ridge)).fit(u_fit, y_fit, warmup=WASHOUT)
    esn_score = nrmse(test[1][:, WASHOUT:], esn.predict(test[0])[:, WASHOUT:])
    print(f"ESN (ridge only, {args.units} units): test NRMSE {esn_score:.4f}  ({time.perf_counter() - t0:.1f} s)")

    rows = {}
    for name, lr in (("ESN-initialised RNN", args.lr_esn), ("randomly initialised RNN", args.lr_random)):
        if name.startswith("ESN"):
            rnn, linear = networks_from_esn(esn)
        else:
            rnn = RNN(1, args.units, dtype=np.float64, rng=args.seed)
            linear = Linear(args.units, 1, dtype=np.float64, rng=args.seed)
        t0 = time.perf_counter()
        rows[name] = train(rnn, linear, lr, args.iters, np.random.default_rng(args.seed + 1), test)
        curve = "  ".join(f"{it}:{score:.4f}" for it, score in rows[name])
        print(f"{name} (Adam lr {lr}, BPTT): test NRMSE by iteration  {curve}  ({time.perf_counter() - t0:.1f} s)",
              flush=True)
    esn_final, rand_final = rows["ESN-initialised RNN"][-1][1], rows["randomly initialised RNN"][-1][1]
    print(f"after {args.iters} iterations: ESN-initialised {esn_final:.4f} vs random {rand_final:.4f} "
          f"(ESN alone {esn_score:.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
