"""`unroll classic DEMO`: the course's other feedback networks on real or standard data.

    unroll classic hopfield [--units 200] [--trials 5] [--plot DIR]   # capacity + letter completion
    unroll classic boltzmann [--runs 20]                               # the 4-2-4 encoder (AHS 1985)
    unroll classic rbm [--iterations 10]                               # RBM features on 8x8 digits
    unroll classic competitive [--units 20]                            # dead units, +/- conscience
    unroll classic som [--data iris|digits]                            # SOM, against MiniSom if installed

Each prints its figures and ends with one headline line `name: value` per figure. rbm and som
need scikit-learn for the digits and iris data (`load_digits`, `load_iris`, no download); the
classifier on the RBM features is unroll.classic.softmax (multinomial logistic regression by
L-BFGS), so no scikit-learn estimator runs inside the package; scikit-learn's BernoulliRBM and
MiniSom, when installed, run beside unroll's as peers in the same process.
"""
from __future__ import annotations

import importlib.util
import os
import time

import numpy as np

from . import one_line_errors
from .._extras import require
from ..errors import CommandError

DEMOS = ("hopfield", "boltzmann", "rbm", "competitive", "som")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("classic", help="Hopfield, Boltzmann machines, competitive learning, SOM demos",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("demo", choices=DEMOS)
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--plot", default=None, metavar="DIR", help="save the demo's figures to DIR")
    p.add_argument("--units", type=int, default=None,
                   help="hopfield: N (default 200); competitive: prototypes (default 20)")
    p.add_argument("--trials", type=int, default=5, help="hopfield: networks per load (default 5)")
    p.add_argument("--runs", type=int, default=20, help="boltzmann: seeded encoder runs (default 20)")
    p.add_argument("--iterations", type=int, default=None,
                   help="rbm: epochs (default 10); som: online steps (default 10000)")
    p.add_argument("--data", choices=["iris", "digits"], default="iris", help="som: data set (default iris)")
    one_line_errors(p).set_defaults(func=run)


def run(args) -> int:
    if args.plot:
        require("matplotlib", extra="plot", why="--plot")
    for name in ("units", "iterations"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise CommandError(f"--{name}: expected >= 1, got {value}")
    if args.trials < 1 or args.runs < 1:
        raise CommandError(f"expected --trials >= 1 and --runs >= 1, got {args.trials}, {args.runs}")
    return {"hopfield": _hopfield, "boltzmann": _boltzmann, "rbm": _rbm, "competitive": _competitive,
            "som": _som}[args.demo](args)


def _path(args, name):
    return os.path.join(args.plot, name)


def _hopfield(args) -> int:
    from ..classic import Hopfield, capacity_curve, critical_load, flip_bits
    from ..classic.datasets import LETTER_SHAPE, letters
    N = args.units or 200
    grids = {"hebbian": np.linspace(0.04, 0.26, 12), "storkey": np.linspace(0.05, 0.5, 10),
             "pseudo-inverse": np.linspace(0.05, 0.8, 16)}
    curves, heads = {}, []
    print(f"capacity: N={N}, recall from 10% flipped bits, asynchronous updates, {args.trials} networks per load")
    for rule, loads in grids.items():
        P = np.unique(np.maximum(1, np.round(loads * N)).astype(int))
        r = capacity_curve(N, P, rule, noise=0.1, trials=args.trials, rng=args.seed)
        curves[f"{rule}"] = (r["load"], r["exact"])
        print(f"  {rule:15s} load " + " ".join(f"{x:.2f}" for x in r["load"]))
        print(f"  {'':15s} exact " + " ".join(f"{x:.2f}" for x in r["exact"]))
        heads.append(f"{rule} critical load: {critical_load(r['load'], r['exact']):.3f} (N={N})")
    xi = letters()
    noisy = flip_bits(xi, 0.2, rng=args.seed)
    recalled = Hopfield("pseudo-inverse", rng=args.seed).fit(xi).recall(noisy)
    ok = int((recalled == xi).all(axis=1).sum())
    print(f"letter completion: {len(xi)} letters of {xi.shape[1]} pixels, 20% flipped, pseudo-inverse rule")
    heads.append(f"letters completed from 20% noise: {ok}/{len(xi)}")
    if args.plot:
        from ..diagnostics.plots import plot_capacity, plot_image_rows
        print("plot:", plot_capacity(curves, _path(args, "hopfield_capacity.png"), title=f"Hopfield capacity, N={N}"))
        print("plot:", plot_image_rows({"stored": xi, "20% noise": noisy, "recalled": recalled}, LETTER_SHAPE,
                                       _path(args, "hopfield_letters.png"), title="pattern completion"))
    print("\n".join(heads))
    return 0


def encoder_solved(bm, n: int = 4) -> bool:
    """Does the trained n-h-n encoder, V1 clamped to each pattern, complete V2 to the same one?"""
    from ..classic import encoder_patterns
    X = encoder_patterns(n)
    out = bm.complete(np.hstack([X, np.zeros((n, bm.n_hidden))]), clamp=range(n))
    return bool((out[:, n:2 * n] == X[:, n:]).all())


ENCODER = dict(learning_rate=2.0, n_epochs=600, chains=2, clamp_noise=(0.15, 0.05))
CHECK_EVERY = 10  # learning cycles between checks of whether the encoder is solved


def _stop_when_solved(bm, cycle: int) -> bool:
    """Ackley, Hinton & Sejnowski count a run as a success when it finds a solution: stop there
    (the fixed-size sign steps would otherwise keep moving the weights)."""
    return cycle % CHECK_EVERY == 0 and encoder_solved(bm)


def _boltzmann(args) -> int:
    from ..classic import BoltzmannMachine, encoder_connectivity, encoder_patterns
    X, C = encoder_patterns(4), encoder_connectivity(4, 2)
    solved, cycles, t0 = 0, [], time.perf_counter()
    for r in range(args.runs):
        bm = BoltzmannMachine(2, C, rng=args.seed + r, callback=_stop_when_solved, **ENCODER).fit(X)
        if encoder_solved(bm):
            solved += 1
            cycles.append(bm.n_epochs_)
    median = f", median {int(np.median(cycles))} cycles to a solution" if cycles else ""
    print(f"4-2-4 encoder: {args.runs} runs of at most {ENCODER['n_epochs']} learning cycles (stopping at the first "
          f"solution, checked every {CHECK_EVERY}){median}; {time.perf_counter() - t0:.1f} s")
    print(f"encoder 4-2-4 solved: {solved}/{args.runs}")
    return 0


def _rbm(args) -> int:
    from ..classic import RBM
    from ..classic.datasets import digits_rbm_split
    from ..classic.softmax import SoftmaxRegression
    Xtr, Xte, ytr, yte = digits_rbm_split(0)
    hp = dict(n_components=100, learning_rate=0.06, n_iter=args.iterations or 10)
    models = {"unroll": RBM(**hp, dtype=np.float32, rng=args.seed)}
    if importlib.util.find_spec("sklearn") is not None:
        from sklearn.neural_network import BernoulliRBM
        models["scikit-learn"] = BernoulliRBM(**hp, random_state=args.seed)
    RBM(n_components=4, n_iter=1, dtype=np.float32, rng=0).fit(Xtr[:20])   # compile the kernel outside the timing
    acc = {}
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(Xtr)
        fit_s = time.perf_counter() - t0
        clf = SoftmaxRegression(C=6000.0, max_iter=1000).fit(model.transform(Xtr), ytr)
        acc[name] = float((clf.predict(model.transform(Xte)) == yte).mean())
        print(f"{name} rbm: fit {fit_s:.2f} s, logistic regression on its features: accuracy {acc[name]:.4f}")
    raw = float((SoftmaxRegression(C=100.0, max_iter=1000).fit(Xtr, ytr).predict(Xte) == yte).mean())
    if args.plot:
        from ..diagnostics.plots import plot_image_rows
        print("plot:", plot_image_rows({"filters": models["unroll"].components_[:16]}, (8, 8),
                                       _path(args, "rbm_filters.png"), title="RBM weights"))
    peer = f"{acc['scikit-learn']:.4f}" if "scikit-learn" in acc else "scikit-learn not installed"
    print(f"rbm+logistic accuracy: {acc['unroll']:.4f} (scikit-learn rbm: {peer})")
    print(f"raw pixels logistic accuracy: {raw:.4f}")
    return 0


def _competitive(args) -> int:
    from ..classic import CompetitiveLearning, gaussian_mixture
    X, _ = gaussian_mixture(1000, 5, rng=args.seed)
    K = args.units or 20
    variants = {"standard": {}, "leaky": dict(leak=0.001), "conscience": dict(conscience=3.0)}
    dead, protos = {}, {}
    for name, kw in variants.items():
        cl = CompetitiveLearning(K, rng=args.seed, **kw).fit(X)
        dead[name], protos[name] = len(cl.dead_units(X)), cl.cluster_centers_
        print(f"{name:10s}: {dead[name]:2d} dead of {K} units, quantization error {cl.quantization_error(X):.4f}")
    if args.plot:
        from ..diagnostics.plots import plot_prototypes
        print("plot:", plot_prototypes(X, {f"{k} ({dead[k]} dead)": v for k, v in protos.items()},
                                       _path(args, "competitive.png"), title="competitive learning"))
    print(f"dead units without conscience: {dead['standard']}/{K}")
    print(f"dead units with conscience: {dead['conscience']}/{K}")
    return 0


def _som(args) -> int:
    from ..classic import SOM
    from ..classic.datasets import load_sklearn_data
    X, _ = load_sklearn_data(args.data)
    std = X.std(0)
    X = (X - X.mean(0)) / np.where(std > 0, std, 1.0)       # z-scored features
    T = args.iterations or 10000
    SOM(2, 2, n_iterations=2, rng=0).fit(X[:4])             # compile the kernel outside the timing
    t0 = time.perf_counter()
    som = SOM(10, 10, sigma=1.5, learning_rate=0.5, n_iterations=T, rng=args.seed).fit(X)
    t_u = time.perf_counter() - t0
    qe, te = som.quantization_error(X), som.topographic_error(X)
    peer_qe = peer_te = "minisom not installed"
    print(f"{args.data}: 10x10 map, {T} online steps, sigma 1.5, learning rate 0.5, PCA init")
    print(f"unroll SOM: {t_u:.3f} s, quantization error {qe:.4f}, topographic error {te:.4f}")
    if importlib.util.find_spec("minisom") is not None:
        from minisom import MiniSom
        ms = MiniSom(10, 10, X.shape[1], sigma=1.5, learning_rate=0.5, random_seed=args.seed)
        ms.pca_weights_init(X)
        t0 = time.perf_counter()
        ms.train(X, T, random_order=True)
        t_m = time.perf_counter() - t0
        peer_qe, peer_te = f"{ms.quantization_error(X):.4f}", f"{ms.topographic_error(X):.4f}"
        print(f"MiniSom:    {t_m:.3f} s, quantization error {peer_qe}, topographic error {peer_te}")
    if args.plot:
        from ..diagnostics.plots import plot_maps
        print("plot:", plot_maps({"U-matrix": som.u_matrix(), "hits": som.hit_map(X)},
                                 _path(args, f"som_{args.data}.png"), title=f"SOM on {args.data}"))
    print(f"som quantization error: {qe:.4f} (minisom: {peer_qe})")
    print(f"som topographic error: {te:.4f} (minisom: {peer_te})")
    return 0
