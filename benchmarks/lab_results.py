"""The long-term-dependency results and figures of docs/long_term_dependencies.md, from one run.

    OPENBLAS_NUM_THREADS=1 python benchmarks/lab_results.py --steps 1500 --out docs/figures

Trains rnn, lstm and gru on the adding problem (T = 100; `unroll lab adding`), prints the table,
then, on 100 test sequences, the extra diagnostics the guide shows: singular values of the Jacobian
products dh_T/dh_{T-l} at init and after training, the spectral radius / largest singular value
of W_hh, input saliency of one sequence, and LSTM/GRU gate saturation. The copy task and the
clipping demo are separate commands (see the guide).
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads only contend

import numpy as np  # noqa: E402

from unroll._extras import require  # noqa: E402
from unroll.diagnostics import (gate_saturation, input_saliency, jacobian_product_singular_values,  # noqa: E402
                                plots, recurrent_spectrum)
from unroll.lab import LabConfig, LabModel, get_task, loss_and_grad, run_lab  # noqa: E402


def spectra(model: LabModel, x: np.ndarray) -> np.ndarray:
    """Median over sequences of the singular values of dh_T/dh_{T-l}: (T, S)."""
    _, _, cache = model.forward(x)
    return np.median(jacobian_product_singular_values(model.rnn, model.rnn_cache(cache)), axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--T", type=int, default=100)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--cells", default="rnn,lstm,gru")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="docs/figures")
    args = parser.parse_args()
    require("matplotlib", "plot", "benchmarks/lab_results.py (it writes figures)")
    start = time.perf_counter()
    task = get_task("adding")
    config = LabConfig(T=args.T, steps=args.steps)
    cells = args.cells.split(",")
    results = run_lab("adding", cells, config, args.seed, args.out, quiet=True)
    x, y = task.generate(100, args.T, np.random.default_rng(args.seed + 2))  # the lab's test sequences
    untrained = {c: LabModel(c, 2, config.hidden, 1, True, args.T, np.random.default_rng(args.seed + 1))
                 for c in cells}  # the same initial weights as in the lab run
    sv, sv_init, saliency = {}, {}, {}
    print("\nspectrum of W_hh (gate blocks), init -> trained; Jacobian products dh_T/dh_{T-l}, median sequence")
    for r in results:
        before, after = untrained[r.cell], r.model
        sv_init[r.cell], sv[r.cell] = spectra(before, x[:20]), spectra(after, x[:20])
        (rad0, sig0), (rad1, sig1) = recurrent_spectrum(before.rnn), recurrent_spectrum(after.rnn)
        print(f"  {r.cell:<5} radius {np.round(rad0, 2)} -> {np.round(rad1, 2)}; sigma_max {np.round(sig0, 2)} -> "
              f"{np.round(sig1, 2)}; largest singular value at lag {args.T}: "
              f"{sv_init[r.cell][-1, 0]:.2e} -> {sv[r.cell][-1, 0]:.2e}")
        pred, _, cache = after.forward(x[:1])
        _, d_pred = loss_and_grad(task, pred, y[:1])
        saliency[r.cell] = input_saliency(after.rnn, after.rnn_cache(cache), after.output_gradient(d_pred, cache))[0]
        if r.cell in ("lstm", "gru", "clstm"):
            for name, model in (("init", before), ("trained", after)):
                sat = gate_saturation(model.rnn, x)
                print(f"  {r.cell:<5} gates {name:<8} " + "; ".join(
                    f"{g} <0.1: {v[0]:.2f} >0.9: {v[1]:.2f}" for g, v in sat.items()))
    stem = os.path.join(args.out, f"adding_T{args.T}")
    marks = np.flatnonzero(x[0, :, 1])
    print("wrote", plots.plot_singular_values(sv, f"{stem}_jacobian_sv.png", f"Jacobian products, adding, T = {args.T}",
                                              sv_init))
    print("wrote", plots.plot_saliency(saliency, f"{stem}_saliency.png", marks,
                                       "input saliency of trained models, one adding sequence (markers dashed)"))
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
