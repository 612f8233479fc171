"""Captioning scikit-learn's 8x8 digits (UCI optdigits, 1,797 images) with the digit's English name,
character by character, with `ConditionedGenerator` (h_0 = tanh(W f + b) from the 64 pixels), against
a logistic-regression classifier on the same pixels and the same split.

    python benchmarks/caption_digits.py [--epochs 40] [--beam 3]

Split: sklearn's train_test_split(test_size=0.3, random_state=0, stratify=labels). Exact match: the
decoded caption equals the true name ("seven"); a caption that is no digit's name counts as wrong.
Prints one JSON line.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def captioner(epochs=40, hidden=64, beam=3, seed=0, progress=False, classifier=True):
    """Returns (exact-match rate on held-out images (greedy), the same with beam search, logistic accuracy
    (None without classifier), training seconds)."""
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    from unroll.data.pairs import BOS, EOS, SPECIALS
    from unroll.data.words import WordVocabulary
    from unroll.models.conditioned import ConditionedGenerator
    from unroll.models.decoding import beam_search, greedy
    from unroll.optim import Adam
    from unroll.training.loop import Budget, Trainer
    from unroll.training.seq2seq import CaptionBatches, ConditionedObjective

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)  # (1797, 64) in [0, 1]
    y = digits.target
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
    vocab = WordVocabulary(sorted(set("".join(NAMES))), specials=SPECIALS)
    rng = np.random.default_rng(seed)
    model = ConditionedGenerator(64, len(vocab), hidden, cell="gru", bos_id=vocab.index[BOS],
                                 eos_id=vocab.index[EOS], rng=rng)
    data = CaptionBatches(x_train, [list(NAMES[d]) for d in y_train], vocab, batch_size=32, seed=seed)
    t = time.perf_counter()
    Trainer(model, ConditionedObjective(), Adam(model.params, lr=1e-2), data, rng=rng, budget=Budget(epochs=epochs),
            progress=progress).fit()
    seconds = time.perf_counter() - t
    model.eval()
    bos, eos = vocab.index[BOS], vocab.index[EOS]
    decoded = ["".join(vocab.decode(h.tokens)) for h in greedy(model, model.start(x_test), bos, eos, max_len=8)]
    beamed = ["".join(vocab.decode(h[0].tokens))
              for h in beam_search(model, model.start(x_test), bos, eos, beam=beam, max_len=8)]
    truth = [NAMES[d] for d in y_test]
    exact = float(np.mean([d == t for d, t in zip(decoded, truth)]))
    exact_beam = float(np.mean([d == t for d, t in zip(beamed, truth)]))
    if not classifier:
        return exact, exact_beam, None, seconds
    fitted = LogisticRegression(max_iter=2000).fit(x_train, y_train)
    return exact, exact_beam, float(fitted.score(x_test, y_test)), seconds


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--beam", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    exact, exact_beam, accuracy, seconds = captioner(args.epochs, args.hidden, args.beam, args.seed, progress=True)
    print(json.dumps({"captioner_exact_match_greedy": round(exact, 4), f"captioner_exact_match_beam{args.beam}":
                      round(exact_beam, 4), "logistic_regression_accuracy": round(accuracy, 4),
                      "train_seconds": round(seconds, 1), "epochs": args.epochs, "hidden": args.hidden}))


if __name__ == "__main__":
    main()
