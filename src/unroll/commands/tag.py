"""`unroll tag train|eval|predict`: part-of-speech tagging (many-to-many) with a word+char BiLSTM.

    unroll tag train en_lines-ud-train.conllu --dev en_lines-ud-dev.conllu --out runs/pos
    unroll tag eval runs/pos en_lines-ud-test.conllu        # last line: token accuracy: 0.xxxx
    unroll tag predict runs/pos "The old man saw the boats"

CoNLL-U input (FORM and UPOS; multiword-token and empty-node lines skipped). `train` keeps the
weights of the epoch with the best dev accuracy in DIR/best/. `eval` also prints the
most-frequent-tag baseline when DIR holds the training file's counts (it does after `train`).
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from ..data.readers import read_conllu
from ..data.words import tokenize
from ..errors import CommandError
from ..training.supervised import TaggerRecipe, TaggingObjective, fit_tagger, tagging_batches
from . import one_line_errors

RECIPE_OPTIONS = {"chars": "chars", "hidden": "hidden_size", "word_dim": "word_dim", "char_dim": "char_dim",
                  "char_hidden": "char_hidden", "layers": "num_layers", "dropout": "dropout", "epochs": "epochs",
                  "minutes": "minutes", "lr": "lr", "batch_size": "batch_size", "patience": "patience",
                  "word_dropout": "word_dropout", "seed": "seed"}
BASELINE_FILE = "most_frequent_tags.json"


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("tag", help="part-of-speech tagging: train, evaluate, predict",
                              description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="action", required=True)
    train = sub.add_parser("train", help="train a tagger on a CoNLL-U file")
    train.add_argument("train", metavar="TRAIN.conllu")
    train.add_argument("--dev", required=True, metavar="DEV.conllu")
    train.add_argument("--out", required=True, metavar="DIR")
    train.add_argument("--resume", action="store_true", help="continue DIR/checkpoint (same data and options, "
                                                                "a larger --epochs)")
    m = train.add_argument_group("model and training (defaults: docs/sequence_models.md's tagging recipe)")
    m.add_argument("--chars", action=argparse.BooleanOptionalAction, default=None,
                   help="the character-level word encoder (default on)")
    for flag in ("hidden", "word-dim", "char-dim", "char-hidden", "layers", "epochs", "batch-size", "patience",
                 "seed"):
        m.add_argument(f"--{flag}", type=int, metavar="N")
    for flag in ("dropout", "minutes", "lr", "word-dropout"):
        m.add_argument(f"--{flag}", type=float, metavar="X")
    m.add_argument("--no-progress", action="store_true")
    one_line_errors(train).set_defaults(func=run_train)
    ev = sub.add_parser("eval", help="token accuracy on a CoNLL-U file")
    ev.add_argument("model", metavar="DIR")
    ev.add_argument("data", metavar="TEST.conllu")
    one_line_errors(ev).set_defaults(func=run_eval)
    predict = sub.add_parser("predict", help="tag the words of a text")
    predict.add_argument("model", metavar="DIR")
    predict.add_argument("text", metavar="TEXT")
    one_line_errors(predict).set_defaults(func=run_predict)
    one_line_errors(p)


def most_frequent_tags(sentences) -> dict:
    """word -> its most frequent training tag, plus '' -> the most frequent tag overall (for unknown words)."""
    counts, overall = {}, Counter()
    for words, tags in sentences:
        for w, t in zip(words, tags):
            counts.setdefault(w, Counter())[t] += 1
            overall[t] += 1
    table = {w: c.most_common(1)[0][0] for w, c in counts.items()}
    table[""] = overall.most_common(1)[0][0]
    return table


def baseline_accuracy(table: dict, sentences) -> float:
    pairs = [(table.get(w, table[""]), t) for words, tags in sentences for w, t in zip(words, tags)]
    return sum(p == t for p, t in pairs) / max(len(pairs), 1)


def run_train(args) -> int:
    given = {field: getattr(args, dest) for dest, field in RECIPE_OPTIONS.items() if getattr(args, dest) is not None}
    for name, value in given.items():
        if name not in ("dropout", "minutes", "lr", "word_dropout", "chars", "seed") and value < 1:
            raise CommandError(f"--{name.replace('_', '-')}: expected an int >= 1, got {value}")
    recipe = TaggerRecipe(**given)
    train, dev = read_conllu(args.train), read_conllu(args.dev)
    model, trainer = fit_tagger(train, dev, recipe, out=args.out, progress=not args.no_progress,
                                resume=args.resume)
    table = most_frequent_tags(train)
    (Path(args.out) / BASELINE_FILE).write_text(json.dumps(table))
    print(f"stopped after {trainer.step} steps ({trainer.elapsed / 60:.1f} min): {trainer.stop_reason_}")
    print(f"best dev token accuracy: {max(trainer.history_['val_accuracy']):.4f}; most-frequent-tag baseline on "
          f"dev: {baseline_accuracy(table, dev):.4f}; model: {args.out}/best")
    return 0


def run_eval(args) -> int:
    from ..models.tagger import SequenceTagger
    model = SequenceTagger.load(args.model)
    sentences = read_conllu(args.data)
    unknown = sorted({t for _, tags in sentences for t in tags} - set(model.tags))
    if unknown:
        raise CommandError(f"{args.data}: tags {unknown} are not in the model's tag set {model.tags}")
    _, metrics = TaggingObjective().evaluate(model, tagging_batches(model, sentences).epoch(0))
    table_file = Path(args.model) / BASELINE_FILE
    if table_file.is_file():
        print(f"most-frequent-tag baseline: {baseline_accuracy(json.loads(table_file.read_text()), sentences):.4f}")
    print(f"{sum(len(w) for w, _ in sentences)} tokens in {len(sentences)} sentences")
    print(f"token accuracy: {metrics['accuracy']:.4f}")
    return 0


def run_predict(args) -> int:
    from ..models.tagger import SequenceTagger
    model = SequenceTagger.load(args.model)
    words = tokenize(args.text, lowercase=False)
    if not words:
        raise CommandError("TEXT: expected some words, got none")
    print(" ".join(f"{w}/{t}" for w, t in zip(words, model.predict([words])[0])))
    return 0
