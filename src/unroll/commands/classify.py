"""`unroll classify train|cv|predict`: sentence classification (many-to-one) with a BiLSTM and its baselines.

    unroll classify train --pos rt-polarity.pos --neg rt-polarity.neg --out runs/polarity
    unroll classify train --tsv reviews.tsv --out runs/reviews --cell gru --hidden 64 --pool mean
    unroll classify cv --pos rt-polarity.pos --neg rt-polarity.neg --folds 10
    unroll classify cv --pos rt-polarity.pos --neg rt-polarity.neg --folds 10 --baseline bow
    unroll classify predict runs/polarity "an utterly charming and hilarious film" [--plot why.png]

Data: --pos/--neg (one sentence per line each, cp1252 as sentence polarity ships; --encoding) or
--tsv (label<TAB>text, UTF-8). `train` holds out --val-fraction for choosing the epoch (best
validation accuracy); with --refit (the default) that run goes to DIR/selection/ and DIR/checkpoint/
is a fresh model trained on all the sentences to that epoch, with --no-refit the model is
DIR/best/. `cv` runs the k-fold protocol
(seeded folds; the validation part comes out of each fold's training part) and ends with
`mean accuracy: 0.xxxx (sd 0.xxxx) over K folds`; --baseline bow|window runs the bag-of-words
logistic regression or the fixed-window MLP through the same folds. Folds train in parallel, one
process per core with one BLAS thread each (--jobs).
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from .._extras import require
from ..data.readers import read_polarity, read_tsv
from ..errors import CommandError
from ..nn import registry
from ..training.supervised import ClassifierRecipe, cv_folds, fit_classifier
from . import one_line_errors

RECIPE_OPTIONS = {"cell": "cell", "hidden": "hidden_size", "embedding": "embedding_dim", "layers": "num_layers",
                  "bidirectional": "bidirectional", "pool": "pool", "dropout": "dropout",
                  "embedding_dropout": "embedding_dropout", "word_dropout": "word_dropout", "epochs": "epochs",
                  "minutes": "minutes", "lr": "lr", "weight_decay": "weight_decay", "batch_size": "batch_size",
                  "patience": "patience", "val_fraction": "val_fraction", "refit": "refit", "min_count": "min_count",
                  "seed": "seed"}


def _data_options(p) -> None:
    d = p.add_argument_group("data")
    d.add_argument("--pos", metavar="FILE", help="positive sentences, one per line")
    d.add_argument("--neg", metavar="FILE", help="negative sentences, one per line")
    d.add_argument("--tsv", metavar="FILE", help="label<TAB>text per line (UTF-8)")
    d.add_argument("--encoding", default=None, help="of --pos/--neg (default cp1252) or --tsv (default utf-8)")


def _recipe_options(p) -> None:
    m = p.add_argument_group("model and training (defaults: docs/sequence_models.md's polarity recipe)")
    m.add_argument("--cell", choices=registry.names())
    m.add_argument("--hidden", type=int, metavar="N")
    m.add_argument("--embedding", type=int, metavar="N")
    m.add_argument("--layers", type=int, metavar="N")
    m.add_argument("--bidirectional", action=argparse.BooleanOptionalAction, default=None)
    m.add_argument("--pool", choices=["last", "mean", "max"])
    m.add_argument("--dropout", type=float, metavar="P")
    m.add_argument("--embedding-dropout", type=float, metavar="P")
    m.add_argument("--word-dropout", type=float, metavar="P", help="words replaced by <unk> in training")
    m.add_argument("--epochs", type=int, metavar="N")
    m.add_argument("--minutes", type=float, metavar="X", help="time budget per model")
    m.add_argument("--lr", type=float, metavar="X")
    m.add_argument("--weight-decay", type=float, metavar="X", help="AdamW's decoupled decay")
    m.add_argument("--batch-size", type=int, metavar="N")
    m.add_argument("--patience", type=int, metavar="N", help="epochs without a better validation accuracy")
    m.add_argument("--val-fraction", type=float, metavar="F")
    m.add_argument("--refit", action=argparse.BooleanOptionalAction, default=None,
                   help="after choosing the epoch on the validation part, train again on all the training "
                        "sentences to that epoch")
    m.add_argument("--min-count", type=int, metavar="N")
    m.add_argument("--seed", type=int, metavar="S")
    m.add_argument("--no-progress", action="store_true")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("classify", help="sentence classification: train, cross-validate, predict",
                              description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="action", required=True)
    train = sub.add_parser("train", help="train a classifier")
    _data_options(train)
    train.add_argument("--out", required=True, metavar="DIR")
    train.add_argument("--resume", action="store_true", help="continue DIR/checkpoint (same data and options, "
                                                                "a larger --epochs)")
    _recipe_options(train)
    one_line_errors(train).set_defaults(func=run_train)
    cv = sub.add_parser("cv", help="k-fold cross-validation")
    _data_options(cv)
    cv.add_argument("--folds", type=int, default=10, metavar="K")
    cv.add_argument("--run-folds", type=int, default=None, metavar="N", help="only the first N folds (a quick check)")
    cv.add_argument("--baseline", choices=["bow", "window"], default=None)
    cv.add_argument("--window", type=int, default=5, metavar="K", help="words the window baseline sees")
    cv.add_argument("--jobs", type=int, default=None, metavar="N",
                    help="folds trained at once, each in its own process with one BLAS thread "
                         "(default: one per core, at most the folds run; 1: in this process)")
    _recipe_options(cv)
    one_line_errors(cv).set_defaults(func=run_cv)
    predict = sub.add_parser("predict", help="label, probability and per-word saliency of a text")
    predict.add_argument("model", metavar="DIR")
    predict.add_argument("text", metavar="TEXT")
    predict.add_argument("--plot", metavar="PNG", help="also save the saliency as a bar chart")
    one_line_errors(predict).set_defaults(func=run_predict)
    one_line_errors(p)


def read_data(args) -> tuple[list[str], list[str]]:
    if args.tsv is not None and (args.pos is not None or args.neg is not None):
        raise CommandError("expected either --pos and --neg or --tsv, got both")
    if args.tsv is not None:
        return read_tsv(args.tsv, args.encoding or "utf-8")
    if args.pos is None or args.neg is None:
        raise CommandError("expected --pos FILE and --neg FILE (or --tsv FILE)")
    return read_polarity(args.pos, args.neg, args.encoding or "cp1252")


def recipe_from(args) -> ClassifierRecipe:
    given = {field: getattr(args, dest) for dest, field in RECIPE_OPTIONS.items() if getattr(args, dest) is not None}
    for dest in ("hidden", "embedding", "layers", "epochs", "batch_size", "min_count", "patience"):
        if getattr(args, dest) is not None and getattr(args, dest) < 1:
            raise CommandError(f"--{dest.replace('_', '-')}: expected an int >= 1, got {getattr(args, dest)}")
    return ClassifierRecipe(**given)


def run_train(args) -> int:
    texts, labels = read_data(args)
    recipe = recipe_from(args)
    model, trainer = fit_classifier(texts, labels, recipe, out=args.out, progress=not args.no_progress,
                                    resume=args.resume)
    best = max(trainer.history_.get("val_accuracy", [float("nan")]))
    print(f"stopped after {trainer.step} steps ({trainer.elapsed / 60:.1f} min): {trainer.stop_reason_}")
    where = f"{args.out}/checkpoint (refitted on all the sentences)" if recipe.refit else f"{args.out}/best"
    print(f"best validation accuracy: {best:.4f} (step {trainer.best_step_}); model: {where}")
    return 0


def fit_baseline(kind: str, texts, labels, recipe: ClassifierRecipe, window: int):
    """The fitted model of a cv fold: the BiLSTM recipe, or a baseline (None kind: the recipe's model)."""
    if kind == "bow":
        from ..models.baselines import BagOfWords
        return BagOfWords(ngram=2, C=1.0, min_count=1, lowercase=recipe.lowercase).fit(texts, labels)
    build = None
    if kind == "window":
        from ..models.baselines import WindowClassifier

        def build(vocab, classes, r, rng):
            return WindowClassifier(vocab, classes, r.embedding_dim, window, r.hidden_size, r.lowercase, rng=rng)
    return fit_classifier(texts, labels, recipe, build=build)[0]


def _fold_accuracy(kind, texts, labels, train_rows, test_rows, recipe, window) -> float:
    """Test accuracy of one cv fold (the fitted recipe or baseline)."""
    model = fit_baseline(kind, [texts[i] for i in train_rows], [labels[i] for i in train_rows], recipe, window)
    predicted = model.predict([texts[i] for i in test_rows])
    return float(np.mean([p == labels[i] for p, i in zip(predicted, test_rows)]))


def _one_blas_thread() -> None:
    """Worker start: the cores are shared out by folds, so each fold's BLAS runs on one thread."""
    from ..functional.fused._blas import set_threads
    set_threads(1)


def _fold_accuracies(args, texts, labels, folds, recipe):
    """Yield each fold's accuracy in fold order: in this process (jobs 1) or in worker processes."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    jobs = min(len(folds), cores) if args.jobs is None else args.jobs
    tasks = [(args.baseline, texts, labels, train, test, recipe, args.window) for train, test in folds]
    if jobs == 1:
        yield from (_fold_accuracy(*task) for task in tasks)
        return
    # spawn, not fork: the parent's BLAS thread pool does not survive a fork safely
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_one_blas_thread) as pool:
        yield from pool.map(_fold_accuracy, *zip(*tasks))


def run_cv(args) -> int:
    texts, labels = read_data(args)
    recipe = recipe_from(args)
    if args.jobs is not None and args.jobs < 1:
        raise CommandError(f"--jobs: expected an int >= 1, got {args.jobs}")
    folds = cv_folds(len(texts), args.folds, seed=recipe.seed)
    if args.run_folds is not None:
        if not 1 <= args.run_folds <= args.folds:
            raise CommandError(f"--run-folds: expected 1..{args.folds}, got {args.run_folds}")
        folds = folds[:args.run_folds]
    name = {"bow": "bag-of-words logistic regression", "window": f"window MLP (last {args.window} words)"}.get(
        args.baseline, f"{'bi' if recipe.bidirectional else ''}{recipe.cell.upper()}-{recipe.pool}")
    print(f"{name}, {args.folds}-fold cross-validation on {len(texts)} sentences", flush=True)
    accuracies = []
    for k, (accuracy, (_, test_rows)) in enumerate(zip(_fold_accuracies(args, texts, labels, folds, recipe), folds), 1):
        accuracies.append(accuracy)
        print(f"fold {k}/{args.folds}: accuracy {accuracy:.4f} ({len(test_rows)} sentences)", flush=True)
    print(f"mean accuracy: {np.mean(accuracies):.4f} (sd {np.std(accuracies, ddof=1) if len(accuracies) > 1 else 0.0:.4f}) "
          f"over {len(accuracies)} folds")
    return 0


def run_predict(args) -> int:
    from ..diagnostics.plots_text import plot_word_saliency, saliency_bars
    from ..models.classifier import SequenceClassifier
    if args.plot:
        require("matplotlib", "plot", "--plot")
    model = SequenceClassifier.load(args.model)
    if not args.text.strip():
        raise CommandError("TEXT: expected some words, got an empty string")
    tokens, saliency, probs = model.saliency(args.text)
    k = int(np.argmax(probs))
    print(f"label: {model.labels[k]}  probability: {probs[k]:.4f}")
    print("saliency |dL/dx_t| per word:")
    print(saliency_bars(tokens, saliency))
    if args.plot:
        print(f"plot: {plot_word_saliency(tokens, saliency, args.plot, title=f'{model.labels[k]} {probs[k]:.2f}')}")
    return 0
