"""Sentence polarity (rt-polarity v1.0), 10-fold cross-validation: the BiLSTM-max recipe and the baselines.

    OPENBLAS_NUM_THREADS=1 python benchmarks/polarity_cv.py                      # all 10 folds, all models
    python benchmarks/polarity_cv.py --run-folds 2 --models bilstm bow window   # a quick check
    OPENBLAS_NUM_THREADS=1 python benchmarks/polarity_cv.py --fold-range 1 5 &   # the two halves of the
    OPENBLAS_NUM_THREADS=1 python benchmarks/polarity_cv.py --fold-range 6 10    # folds, one per core

The same protocol as `unroll classify cv`: seeded folds (`cv_folds(10662, 10, seed=0)`), a 10%
validation part out of each fold's training part to choose the epoch (BiLSTM, window), then the
recipe's refit on the whole training part to that epoch, test accuracy on the fold. Targets (issue
10): BiLSTM-max >= 0.770 mean (Kim 2014: CNN-rand 0.761, NBSVM-bi 0.794); measured 0.7735
(docs/sequence_models.md).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from unroll.commands.classify import fit_baseline
from unroll.data.readers import read_polarity
from unroll.training.supervised import ClassifierRecipe, cv_folds

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
KINDS = {"bilstm": None, "bow": "bow", "window": "window"}


def _field(item: str) -> tuple:
    """"name=value" -> (name, value in the type of the recipe's default)."""
    name, _, value = item.partition("=")
    default = getattr(ClassifierRecipe(), name)
    kind = type(default) if default is not None else float
    return name, (value.lower() in ("1", "true", "yes")) if kind is bool else kind(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--run-folds", type=int, default=None, help="only the first N folds")
    parser.add_argument("--fold-range", type=int, nargs=2, metavar=("FIRST", "LAST"),
                        help="only folds FIRST..LAST (1-based, inclusive)")
    parser.add_argument("--models", nargs="+", choices=sorted(KINDS), default=["bilstm", "bow", "window"])
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE",
                        help="override ClassifierRecipe fields, e.g. --set epochs=12 embedding_dropout=0.5")
    args = parser.parse_args()
    texts, labels = read_polarity(DATA / "rt-polarity.pos", DATA / "rt-polarity.neg")
    recipe = ClassifierRecipe(**dict(_field(item) for item in args.set))
    print(f"recipe: {recipe}")
    first, last = args.fold_range or (1, args.run_folds or args.folds)
    folds = cv_folds(len(texts), args.folds, seed=recipe.seed)[first - 1:last]
    results = {m: [] for m in args.models}
    for k, (train_rows, test_rows) in enumerate(folds, first):
        for name in args.models:
            start = time.perf_counter()
            model = fit_baseline(KINDS[name], [texts[i] for i in train_rows], [labels[i] for i in train_rows],
                                 recipe, window=5)
            predicted = model.predict([texts[i] for i in test_rows])
            results[name].append(float(np.mean([p == labels[i] for p, i in zip(predicted, test_rows)])))
            print(f"fold {k}/{args.folds} {name:<7} accuracy {results[name][-1]:.4f} "
                  f"({(time.perf_counter() - start) / 60:.1f} min)", flush=True)
    print("| model | folds | mean accuracy | sd | per fold |\n|---|---:|---:|---:|---|")
    for name, acc in results.items():
        sd = np.std(acc, ddof=1) if len(acc) > 1 else 0.0
        print(f"| {name} | {len(acc)} | {np.mean(acc):.4f} | {sd:.4f} | {' '.join(f'{a:.4f}' for a in acc)} |")


if __name__ == "__main__":
    main()
