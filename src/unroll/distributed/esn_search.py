"""`unroll esn search`: the documented Mackey-Glass hyperparameter search, its scores as Dask tasks.

The search is `benchmarks/esn_mackey_glass.py tune` (docs/reservoir.md, "Mackey-Glass, Jaeger's
protocol"): a (1+1) random local search from a start point over SPACE, Gaussian steps (in log
space where marked), each configuration scored by the median validation NRMSE84 of `networks`
reservoirs (seeds 1000, 1001, ...), a draw kept when its score is lower. Same draws, same scores,
same best point as the benchmark for the same flags.

What runs in parallel: one task per (configuration, network). A (1+1) search is sequential (each
draw perturbs the best point so far), but its random numbers do not depend on the outcomes, so the
next `lookahead` draws are scored at once assuming the current best stays best (the usual case);
when one is accepted, the draws after it are cancelled and redrawn from the new best. The result
is exactly the sequential search; speculation only costs discarded work after an acceptance.
"""
from __future__ import annotations

import math

import numpy as np

from ..commands.esn import build_esn
from ..data.chaotic import mackey_glass
from .sweeps import map_tasks

__all__ = ["SPACE", "STEP", "START", "validation_data", "nrmse84", "esn_search", "format_table"]

HORIZON, GAP, MARGIN = 84, 50, 100  # free-run length, steps between trial starts, segment gaps
# Search bounds: name -> (low, high, log scale?), and the step of each (in the log where marked);
# benchmarks/esn_mackey_glass.py reads them from here.
SPACE = {"spectral_radius": (0.5, 1.5, False), "scaling": (0.2, 8.0, True), "bias_scaling": (0.0, 1.0, False),
         "leak_rate": (0.05, 1.0, True), "ridge": (1e-14, 1e-5, True), "noise": (1e-12, 1e-4, True),
         "connectivity": (0.005, 0.1, True)}
STEP = {"spectral_radius": 0.1, "scaling": 0.3, "bias_scaling": 0.1, "leak_rate": 0.2, "ridge": 1.5, "noise": 1.5,
        "connectivity": 0.3}
# The documented search's start: the hand-found point before tuning (docs/reservoir.md).
START = {"spectral_radius": 1.0, "scaling": 2.0, "bias_scaling": 0.2, "leak_rate": 0.3, "ridge": 1e-10,
         "noise": 0.0, "connectivity": 0.025}
# The protocol's fixed part (benchmark names: washout, trials = test trials, val_trials).
PROTOCOL = {"mode": "feedback", "squares": False, "units": 400, "train": 3000, "washout": 1000, "trials": 100,
            "val_trials": 50}


def validation_data(protocol: dict):
    """(squashed series (T, 1), variance of the attractor, validation trial starts (val_trials,)).
    The series is as long as the benchmark's (its test segment included), so every number matches."""
    n_train = protocol["washout"] + protocol["train"]
    val = n_train + MARGIN + np.arange(protocol["val_trials"]) * GAP
    test = val[-1] + HORIZON + MARGIN + np.arange(protocol["trials"]) * GAP
    raw = np.tanh(mackey_glass(1000 + test[-1] + HORIZON + 1) - 1.0)[1000:]  # drop the transient
    var = float(np.tanh(mackey_glass(21000)[1000:] - 1.0).var())
    return raw, var, val


def nrmse84(cfg: dict, seed: int, raw: np.ndarray, var: float, starts: np.ndarray) -> float:
    """Fit one network (reservoir `seed`, settings cfg = protocol | point) and score its 84-step
    free runs from `starts`: sqrt(mean over trials of squared error at step 84 / var)."""
    n_train = cfg["washout"] + cfg["train"]
    X, Y = (None if cfg["mode"] == "feedback" else raw[:-1]), raw[1:]  # step t predicts raw[t + 1]
    esn = build_esn(cfg, seed).fit(None if X is None else X[:n_train], Y[:n_train], warmup=cfg["washout"])
    states = esn.states(X, Y)  # (T, N): states[t] predicts raw[t + 1]
    pred = esn.generate(HORIZON, seed=raw[starts][:, None], state=states[starts - 1])[:, -1]  # (trials, 1)
    return float(np.sqrt(np.mean((pred - raw[starts + HORIZON]) ** 2) / var))


def _score_job(job) -> float:
    """A task: one network's validation NRMSE84 of one configuration."""
    cfg, seed, (raw, var, starts) = job
    with np.errstate(all="ignore"):
        return nrmse84(cfg, seed, raw, var, starts)


def _median(scores) -> float:
    return float(np.median(scores)) if np.all(np.isfinite(scores)) else math.inf


def _draw(best: dict, noise: np.ndarray) -> dict:
    """One Gaussian step from `best` (noise (len(SPACE),) standard normals), clipped, 3 digits."""
    draw = {}
    for (name, (low, high, log)), z in zip(SPACE.items(), noise):
        value = np.log(best[name]) if log else best[name]
        value += STEP[name] * z
        draw[name] = float(f"{np.clip(np.exp(value) if log else value, low, high):.3g}")
    return draw


def esn_search(protocol: dict, start: dict, configs: int = 30, networks: int = 3, search_seed: int = 0,
               client=None, lookahead: int | None = None, progress: bool = True) -> list[dict]:
    """Run the search; returns one row per scored point: {"step" (-1: the start), "score",
    "accepted" (it became the best point), "best" (its score equals the best so far: the
    benchmark's *), "point" (dict of SPACE)}; the last accepted row is the result.

    protocol: PROTOCOL's keys; start: SPACE's keys (noise 0 starts at its floor). client: a Dask
    client (None: in this process, one configuration at a time). lookahead: configurations scored
    at once (default: enough to give every worker thread two tasks; 1 without a client).
    """
    from tqdm import tqdm
    data = validation_data(protocol)
    if client is not None:
        data = client.scatter(data, broadcast=True)  # the series once per worker, not once per task
        if lookahead is None:
            lookahead = max(1, math.ceil(2 * sum(client.nthreads().values()) / networks))
    lookahead = 1 if client is None else lookahead
    rng = np.random.default_rng(search_seed)
    noises = [rng.standard_normal(len(SPACE)) for _ in range(configs)]  # the same numbers as one draw per name
    best = {name: max(start[name], SPACE[name][0]) for name in SPACE}
    bar = tqdm(total=(configs + 1) * networks, disable=not progress, unit="fit", desc="esn search", dynamic_ncols=True)
    with bar:
        def scores(points: list[dict]) -> list[float]:
            jobs = [({**protocol, **p}, 1000 + k, data) for p in points for k in range(networks)]
            done = map_tasks(_score_job, jobs, client, bar=bar)
            return [_median(done[i * networks:(i + 1) * networks]) for i in range(len(points))]

        best_score = scores([best])[0]
        rows = [{"step": -1, "score": best_score, "accepted": True, "best": True, "point": best}]
        step = 0
        while step < configs:
            window = range(step, min(step + lookahead, configs))
            draws = [_draw(best, noises[j]) for j in window]  # all from the current best
            for j, draw, s in zip(window, draws, scores(draws)):
                accepted = s < best_score
                if accepted:
                    best, best_score = draw, s
                rows.append({"step": j, "score": s, "accepted": accepted, "best": s == best_score, "point": draw})
                step = j + 1
                if accepted:  # later draws started from the old best: redo them
                    bar.total -= (window.stop - step) * networks
                    break
    return rows


def format_table(rows: list[dict], protocol: dict) -> str:
    """The search as one table (a line per point, * = best so far) and the best point's command."""
    names = list(SPACE)
    head = f"{'step':>5} {'val NRMSE84':>11} {'':1} " + " ".join(f"{n:>15}" for n in names)
    lines = [head]
    for r in rows:
        lines.append(f"{'start' if r['step'] < 0 else r['step']:>5} {r['score']:>11.3g} {'*' if r['best'] else ' ':1} "
                     + " ".join(f"{r['point'][n]:>15.3g}" for n in names))
    best = [r for r in rows if r["accepted"]][-1]
    flags = " ".join(f"--{k.replace('_', '-')} {v:g}" for k, v in best["point"].items())
    lines.append(f"best on validation (seeds 1000+, validation segment): {best['score']:.3g}\n"
                 f"  unroll esn mackey-glass --mode {protocol['mode']} --units {protocol['units']} "
                 f"--train {protocol['train']} --warmup {protocol['washout']} "
                 f"--{'' if protocol['squares'] else 'no-'}squares {flags}")
    return "\n".join(lines)
