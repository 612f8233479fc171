"""The translation protocol (issue 11): spa.txt, English side <= 10 tokens, the hash split's fixed test
set of 2,000 pairs, vocabularies with min-count 2 from the training pairs, bi-GRU encoder + attention,
trained for --minutes, then greedy and beam-5 BLEU/chrF (sacrebleu on space-joined tokens, and on
detokenised text) on the test set.

    python benchmarks/translate_spa.py --minutes 30 --attention bahdanau --out runs/spa-bahdanau
    python benchmarks/translate_spa.py --minutes 10 --attention none --out runs/spa-none

Prints one JSON line of results (and writes OUT/results.json); with --by-length also the BLEU of
each source-length group, which

    python benchmarks/translate_spa.py --figure bleu_by_length.png --results runs/*/results.json

draws (BLEU against source length, one line per attention).
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "spa.txt"


def bleu_by_length(pairs, hyps, groups=((1, 4), (5, 6), (7, 8), (9, 10))):
    from unroll.metrics_text import corpus_bleu
    out = {}
    for lo, hi in groups:
        rows = [i for i, (s, _) in enumerate(pairs) if lo <= len(s) <= hi]
        if rows:
            out[f"{lo}-{hi}"] = corpus_bleu([" ".join(hyps[i]) for i in rows], [" ".join(pairs[i][1]) for i in rows])
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=str(DATA))
    p.add_argument("--minutes", type=float, default=30.0)
    p.add_argument("--max-steps", type=int)
    p.add_argument("--attention", default="bahdanau", choices=["bahdanau", "luong", "none"])
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--embedding", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--beam", type=int, default=5, help="beam width scored besides greedy (0: greedy only)")
    p.add_argument("--n-test", type=int, default=2000)
    p.add_argument("--out", default="runs/spa")
    p.add_argument("--by-length", action="store_true")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--figure", metavar="PNG", help="only draw greedy BLEU by source length from --results files")
    p.add_argument("--results", nargs="*", default=[], metavar="JSON", help="results.json of --by-length runs")
    args = p.parse_args()
    if args.figure:
        from unroll.diagnostics.plots_translation import plot_bleu_by_length
        curves = {}
        for path in args.results:
            r = json.loads(Path(path).read_text())
            curves[r["attention"]] = r["greedy_bleu_by_length"]
        print(plot_bleu_by_length(curves, args.figure, title="greedy BLEU by source length (test split)"))
        return

    from unroll.training.loop import Budget
    from unroll.training.seq2seq import TranslationData, TranslationRecipe, evaluate_translation, make_trainer
    from unroll.models.seq2seq import load_seq2seq

    t0 = time.perf_counter()
    data = TranslationData.from_file(args.data)
    load_s = time.perf_counter() - t0
    recipe = TranslationRecipe(attention=args.attention, hidden_size=args.hidden, embedding_dim=args.embedding,
                               batch_size=args.batch_size, lr=args.lr)
    trainer = make_trainer(data, recipe, out=args.out, budget=Budget(minutes=args.minutes, max_steps=args.max_steps),
                           progress=not args.no_progress)
    trainer.fit()
    model, src_vocab, tgt_vocab, _ = load_seq2seq(args.out)  # best/ (lowest validation loss)
    test = data.split.test[:args.n_test]
    results = {"attention": args.attention, "minutes": args.minutes, "steps": trainer.step,
               "train_minutes": round(trainer.elapsed / 60, 2), "best_val_loss": trainer.best_val_,
               "train_pairs": len(data.split.train), "src_vocab": len(src_vocab), "tgt_vocab": len(tgt_vocab),
               "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"), "load_s": round(load_s, 1)}
    for beam in (1, args.beam) if args.beam > 1 else (1,):
        t = time.perf_counter()
        scores = evaluate_translation(model, src_vocab, tgt_vocab, test, beam=beam)
        name = "greedy" if beam == 1 else f"beam{beam}"
        results.update({f"{name}_bleu": round(scores["bleu"], 2), f"{name}_chrf": round(scores["chrf"], 2),
                        f"{name}_bleu_detok": round(scores["bleu_detok"], 2),
                        f"{name}_decode_s": round(time.perf_counter() - t, 1)})
        if args.by_length:
            results[f"{name}_bleu_by_length"] = bleu_by_length(test, scores["hypotheses"])
    print(json.dumps(results))
    Path(args.out, "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
