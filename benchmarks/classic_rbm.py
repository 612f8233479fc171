"""RBM features on scikit-learn's 8x8 digits, unroll's RBM against sklearn.neural_network.BernoulliRBM.

    python benchmarks/classic_rbm.py [--seeds 7]

The scikit-learn example's protocol ("Restricted Boltzmann Machine features for digit
classification"): the images nudged by one pixel in 4 directions, min-max scaled, 80/20 split
with random_state 0; 100 hidden units, learning rate 0.06, 10 epochs of PCD (batch 10); a
LogisticRegression(C=6000, newton-cg) on the hidden probabilities (the example's tol=1 stops
newton-cg after one step in scikit-learn 1.9, so the default tol is used), against
LogisticRegression(C=100) on raw pixels. Both RBMs in float32 (the example's data type) on one
BLAS thread, fitted interleaved in one process, once per seed (kernels compiled before timing);
printed: accuracy and fit time per seed, then medians and the time ratio. Each seed gives the two
libraries their own independent random streams (unroll: a Generator; scikit-learn: a
RandomState); a last check runs unroll on scikit-learn's own stream (rng=RandomState(seed),
float64), where the two models agree to rounding.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from unroll.classic import RBM  # noqa: E402
from unroll.classic.datasets import digits_rbm_split  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=7)
    args = ap.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import BernoulliRBM
    Xtr, Xte, ytr, yte = digits_rbm_split(0)
    hp = dict(n_components=100, learning_rate=0.06, n_iter=10)
    RBM(n_components=4, n_iter=1, dtype=np.float32, rng=0).fit(Xtr[:20])     # compile outside the timing

    def score(model):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf = LogisticRegression(solver="newton-cg", C=6000.0).fit(model.transform(Xtr), ytr)
        return float((clf.predict(model.transform(Xte)) == yte).mean())

    rows = {"unroll": [], "scikit-learn": []}
    for seed in range(args.seeds):
        for name, model in (("scikit-learn", BernoulliRBM(**hp, random_state=seed)),
                            ("unroll", RBM(**hp, dtype=np.float32, rng=seed))):
            t0 = time.perf_counter()
            model.fit(Xtr)
            fit_s = time.perf_counter() - t0
            rows[name].append((score(model), fit_s))
            print(f"seed {seed} {name:12s} accuracy {rows[name][-1][0]:.4f}  fit {fit_s:.3f} s", flush=True)
    for name in rows:
        print(f"{name:12s} per seed: " + " ".join(f"{a:.4f}" for a, _ in rows[name]))
    X64 = Xtr.astype(np.float64)
    sk = BernoulliRBM(**hp, random_state=0).fit(X64)
    ours = RBM(**hp, rng=np.random.RandomState(0)).fit(X64)
    print(f"same random stream (RandomState(0), float64): max |W - W_sklearn| = "
          f"{np.abs(ours.components_ - sk.components_).max():.1e}, accuracy {score(ours):.4f} vs {score(sk):.4f}")
    raw = LogisticRegression(solver="newton-cg", C=100.0).fit(Xtr, ytr)
    print(f"raw pixels logistic regression: {(raw.predict(Xte) == yte).mean():.4f}")
    med = {k: np.median(np.array(v), axis=0) for k, v in rows.items()}
    print(f"rbm+logistic accuracy (median of {args.seeds}): {med['unroll'][0]:.4f} "
          f"(scikit-learn rbm: {med['scikit-learn'][0]:.4f})")
    print(f"rbm fit time (median): {med['unroll'][1]:.3f} s (scikit-learn: {med['scikit-learn'][1]:.3f} s, "
          f"ratio {med['scikit-learn'][1] / med['unroll'][1]:.2f}x)")


if __name__ == "__main__":
    main()
