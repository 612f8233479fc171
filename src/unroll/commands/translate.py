"""`unroll translate`: train, evaluate and use an encoder-decoder translation model.

    unroll translate train DATA --out DIR [--minutes 30] [--attention bahdanau|luong|none] ...
    unroll translate eval DIR DATA [--beam 5]
    unroll translate DIR "a sentence" ["another" ...] [--beam 5] [--plot FILE]

DATA is a tab-separated pair file such as Tatoeba's spa.txt (English<TAB>Spanish). The first word
chooses the action: `train` and `eval` are actions, anything else is the model directory DIR of the
third form (to translate with a model stored in a directory literally named `train` or `eval`, write
`./train`). `train` writes DIR/checkpoint/ and DIR/best/ (lowest validation loss), both loadable by
`unroll.models.seq2seq.load_seq2seq`; its defaults are the recipe of docs/translation.md. `eval`
scores the fixed test split of DATA (the hash split that training used, rebuilt from the settings
stored in DIR) and ends with the line `BLEU: xx.x  chrF: xx.x (beam k, n sentences)`. The third form
prints one translation per sentence; --plot FILE saves the attention map of the first.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._extras import require
from ..errors import CommandError
from . import one_line_errors

ACTIONS = ("train", "eval")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("translate", help="train, evaluate or run a translation model (encoder-decoder)",
                              description=__doc__.split("\n\n")[0], epilog=_usage(),
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("words", nargs=argparse.REMAINDER, metavar="train|eval|DIR ...",
                   help="the action and its arguments (see below)")
    one_line_errors(p).set_defaults(func=run)


def _usage() -> str:
    return "\n".join(line for line in __doc__.split("\n\n")[1].splitlines()) + "\n\n" + __doc__.split("\n\n")[2]


def _train_parser():
    p = argparse.ArgumentParser(prog="unroll translate train", description="train a translation model on DATA")
    p.add_argument("data", metavar="DATA")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--minutes", type=float, default=30.0, help="time budget (default 30)")
    p.add_argument("--max-steps", type=int, metavar="N")
    p.add_argument("--attention", choices=["bahdanau", "luong", "none"], default="bahdanau")
    p.add_argument("--score", choices=["general", "dot", "concat"], help="Luong's score (default general)")
    p.add_argument("--cell", choices=["gru", "lstm"], default="gru")
    p.add_argument("--hidden", type=int, default=256, metavar="N")
    p.add_argument("--embedding", type=int, default=256, metavar="N")
    p.add_argument("--layers", type=int, default=1, metavar="N", help="encoder layers")
    p.add_argument("--batch-size", type=int, default=64, metavar="N")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--sampling-rate", type=float, default=0.0, metavar="P", help="scheduled sampling")
    p.add_argument("--max-source", type=int, default=10, metavar="N", help="longest English side in tokens")
    p.add_argument("--min-count", type=int, default=2, metavar="N")
    p.add_argument("--n-test", type=int, default=2000, metavar="N", help="test pairs of the hash split")
    p.add_argument("--n-val", type=int, default=1000, metavar="N", help="validation pairs of the hash split")
    p.add_argument("--eval-every", type=int, default=500, metavar="N")
    p.add_argument("--no-val-bleu", action="store_true", help="validation loss only")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-progress", action="store_true")
    return one_line_errors(p)


def _eval_parser():
    p = argparse.ArgumentParser(prog="unroll translate eval", description="BLEU and chrF on the test split of DATA")
    p.add_argument("model", metavar="DIR")
    p.add_argument("data", metavar="DATA")
    p.add_argument("--beam", type=int, default=5, metavar="K", help="beam width (1: greedy)")
    p.add_argument("--alpha", type=float, default=0.6, help="length normalisation exponent")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N test pairs")
    return one_line_errors(p)


def _sentence_parser():
    p = argparse.ArgumentParser(prog="unroll translate", description="translate sentences with the model in DIR")
    p.add_argument("model", metavar="DIR")
    p.add_argument("sentences", nargs="+", metavar="SENTENCE")
    p.add_argument("--beam", type=int, default=5, metavar="K")
    p.add_argument("--alpha", type=float, default=0.6)
    p.add_argument("--plot", metavar="FILE", help="save the attention map of the first sentence (PNG)")
    return one_line_errors(p)


def run(args) -> int:
    words = list(args.words)
    if not words:
        raise CommandError("expected an action: 'train DATA --out DIR', 'eval DIR DATA' or 'DIR \"a sentence\"'")
    if words[0] == "train":
        return _train(_train_parser().parse_args(words[1:]))
    if words[0] == "eval":
        return _eval(_eval_parser().parse_args(words[1:]))
    return _translate(_sentence_parser().parse_args(words))


def _check_beam(beam: int) -> None:
    if beam < 1:
        raise CommandError(f"--beam: expected an int >= 1, got {beam}")


def _train(a) -> int:
    from ..training.loop import Budget, TrainingDiverged
    from ..training.seq2seq import TranslationData, TranslationRecipe, make_trainer
    if not a.no_val_bleu:
        require("sacrebleu", "bleu", "validation BLEU (or pass --no-val-bleu)")
    data = TranslationData.from_file(a.data, max_source=a.max_source, min_count=a.min_count, n_test=a.n_test,
                                     n_val=a.n_val)
    recipe = TranslationRecipe(cell=a.cell, embedding_dim=a.embedding, hidden_size=a.hidden, num_layers=a.layers,
                               attention=a.attention, score=a.score, batch_size=a.batch_size, lr=a.lr,
                               sampling_rate=a.sampling_rate, eval_every=a.eval_every, val_bleu=not a.no_val_bleu,
                               seed=a.seed)
    print(f"{len(data.split.train)} training pairs, {len(data.split.val)} validation, {len(data.split.test)} test; "
          f"vocabularies {len(data.src_vocab)} -> {len(data.tgt_vocab)}")
    trainer = make_trainer(data, recipe, out=a.out, budget=Budget(minutes=a.minutes, max_steps=a.max_steps),
                           progress=not a.no_progress)
    try:
        trainer.fit()
    except TrainingDiverged as err:
        print(f"unroll translate train: stopped: {err}")
        return 1
    print(f"stopped after {trainer.step} steps ({trainer.elapsed / 60:.1f} min): {trainer.stop_reason_}")
    if trainer.history_["val_loss"]:
        bleu = trainer.history_.get("val_bleu")
        print(f"best validation loss {trainer.best_val_:.4f} per token (step {trainer.best_step_})"
              + (f"; last greedy validation BLEU {bleu[-1]:.1f}" if bleu else ""))
    print(f"checkpoint: {Path(a.out) / 'checkpoint'}   best: {Path(a.out) / 'best'}")
    return 0


def _eval(a) -> int:
    from ..models.seq2seq import load_seq2seq
    from ..training.seq2seq import TranslationData, evaluate_translation
    _check_beam(a.beam)
    require("sacrebleu", "bleu", "BLEU")
    model, src_vocab, tgt_vocab, meta = load_seq2seq(a.model)
    data = TranslationData.from_file(a.data, **meta.get("data", {}))
    test = data.split.test[:a.limit] if a.limit else data.split.test
    scores = evaluate_translation(model, src_vocab, tgt_vocab, test, beam=a.beam, alpha=a.alpha, progress=True)
    print(f"detokenised: BLEU {scores['bleu_detok']:.1f}  chrF {scores['chrf_detok']:.1f}")
    print(f"BLEU: {scores['bleu']:.1f}  chrF: {scores['chrf']:.1f} (beam {a.beam}, {scores['n']} sentences)")
    return 0


def _translate(a) -> int:
    from ..data.pairs import BOS, EOS, detokenize, normalize
    from ..data.words import pad_batch
    from ..models.decoding import beam_search, greedy
    from ..models.seq2seq import load_seq2seq
    _check_beam(a.beam)
    if a.plot:
        require("matplotlib", "plot", "--plot")
    model, src_vocab, tgt_vocab, _ = load_seq2seq(a.model)
    bos, eos = tgt_vocab.index[BOS], tgt_vocab.index[EOS]
    for k, sentence in enumerate(a.sentences):
        tokens = normalize(sentence)
        if not tokens:
            raise CommandError(f"sentence {k + 1}: expected words, got {sentence!r}")
        src, lengths = pad_batch([src_vocab.encode(tokens)], src_vocab.pad_id)
        memory = model.start(src, lengths)
        if a.beam == 1:
            out = greedy(model, memory, bos, eos, max_len=30, alpha=a.alpha)[0].tokens
        else:
            out = beam_search(model, memory, bos, eos, beam=a.beam, max_len=30, alpha=a.alpha)[0][0].tokens
        words = tgt_vocab.decode(out)
        print(detokenize(words))
        if a.plot and k == 0:
            from ..diagnostics.plots_translation import plot_attention
            weights = attention_map(model, src, lengths, out, bos, eos)
            if weights is None:
                print("unroll translate: no attention map: this model has no attention", file=sys.stderr)
            else:
                shown = [src_vocab.words[i] if i != src_vocab.unk_id else t for i, t in zip(src[0], tokens)]
                print(f"attention map: {plot_attention(weights, shown, words + [EOS], a.plot)}")
    return 0


def attention_map(model, src, lengths, out_tokens, bos: int, eos: int):
    """The attention weights (len(out)+1, S) of a decoded output (</s> included), by a teacher-forced pass."""
    import numpy as np
    tgt_in = np.array([[bos] + list(out_tokens)], dtype=np.int64)
    _, cache = model.forward(src, lengths, tgt_in)
    weights = model.attention_weights(cache)
    return None if weights is None else weights[0]
