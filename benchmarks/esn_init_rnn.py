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
from unroll.nn import RNN, Linear, Sequential  # noqa: E402
from unroll.optim import Adam  # noqa: E402
from unroll.reservoir import ESN, Reservoir, Ridge  # noqa: E402
from unroll.reservoir.rnn_init import networks_from_esn  # noqa: E402
from unroll.training import Budget, Clipping, Objective, Trainer, Validation  # noqa: E402

WASHOUT = 50


class NarmaObjective(Objective):
    """Masked MSE after the washout on batches (u (B, T, 1), y (B, T, 1)); evaluate reports NRMSE."""

    unit = "seq"

    def loss(self, model, batch, carry):
        u, y = batch
        pred, _, cache = model.forward(u)
        mask = np.zeros_like(y)
        mask[:, WASHOUT:] = 1.0
        loss, loss_cache = F.mse_forward(pred, y, mask)
        return float(loss) * u.shape[0], u.shape[0], None, (cache, loss_cache)

    def backward(self, model, count, cache):
        model_cache, loss_cache = cache
        model.backward(F.mse_backward(1.0, loss_cache), None, model_cache)

    def evaluate(self, model, batches):
        (u, y), = batches
        pred, _, _ = model.forward(u)
        score = nrmse(y[:, WASHOUT:], pred[:, WASHOUT:])
        return score, {"nrmse": score}


class NarmaBatches:
    """`steps` fresh minibatches of 8 NARMA-10 sequences of 200 steps per epoch, seeded by (seed, epoch)."""

    def __init__(self, steps: int, seed: int):
        self.steps, self.seed = steps, seed

    def epoch(self, epoch):
        rng = np.random.default_rng([self.seed, epoch])
        for _ in range(self.steps):
            yield narma(8, 200, rng=rng, dtype=np.float64)


class FixedSet:
    """The held-out sequences, one batch."""

    def __init__(self, batch):
        self.batch = batch

    def epoch(self, epoch):
        yield self.batch


def train(rnn, linear, lr, iters, seed, test):
    """Adam with norm clipping 1 on the one Trainer; returns [(iteration, test NRMSE)]."""
    model = Sequential(rnn=rnn, out=linear)
    objective = NarmaObjective()
    curve = [(0, objective.evaluate(model, [test])[0])]
    trainer = Trainer(model, objective, Adam(model.params, lr=lr), NarmaBatches(iters, seed), FixedSet(test),
                      rng=np.random.default_rng(seed), budget=Budget(max_steps=iters),
                      validation=Validation(eval_every=max(1, iters // 5)), clipping=Clipping(norm=1.0),
                      progress=False).fit()
    return curve + list(zip(trainer.history_["val_step"], trainer.history_["val_loss"]))


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
        rows[name] = train(rnn, linear, lr, args.iters, args.seed + 1, test)
        curve = "  ".join(f"{it}:{score:.4f}" for it, score in rows[name])
        print(f"{name} (Adam lr {lr}, BPTT): test NRMSE by iteration  {curve}  ({time.perf_counter() - t0:.1f} s)",
              flush=True)
    esn_final, rand_final = rows["ESN-initialised RNN"][-1][1], rows["randomly initialised RNN"][-1][1]
    print(f"after {args.iters} iterations: ESN-initialised {esn_final:.4f} vs random {rand_final:.4f} "
          f"(ESN alone {esn_score:.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
