"""`unroll sample CKPT_DIR`: draw text from a trained character-level model.

    unroll sample runs/names --n 10 --temperature 0.8
    unroll sample runs/shk --length 500 --prime "ROMEO:" --top-k 10 --seed 1

CKPT_DIR is a checkpoint directory or a training output directory (its best/, else checkpoint/).
Models trained with --lines give whole lines (one per sample, ended at the end-of-line symbol);
stream models give --length characters after the priming text.
"""
from __future__ import annotations

from ..models import sample
from ..training import TrainConfig, load_char_lm
from . import one_line_errors


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("sample", help="sample text from a trained model", description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint", metavar="CKPT_DIR")
    p.add_argument("--n", type=int, default=None, help="number of samples (default 10 for line models, else 1)")
    p.add_argument("--length", type=int, default=None, help="max characters per sample (default 40 / 500)")
    p.add_argument("--temperature", type=float, default=1.0, help="softmax temperature (default 1)")
    p.add_argument("--top-k", type=int, default=None, metavar="K", help="draw from the K most likely characters")
    p.add_argument("--prime", default="", metavar="TEXT", help="priming text")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="seed (default: fresh entropy)")
    one_line_errors(p).set_defaults(func=run)


def run(args) -> int:
    model, vocab, meta = load_char_lm(args.checkpoint)
    data = TrainConfig.from_dict(meta["train_config"]).data
    lines = data.lines
    prime = args.prime.lower() if data.lowercase else args.prime
    n = args.n if args.n is not None else (10 if lines else 1)
    length = args.length if args.length is not None else (40 if lines else 500)
    texts = sample(model, vocab, n=n, length=length, prime=prime, temperature=args.temperature,
                   top_k=args.top_k, stop_at_end=lines, rng=args.seed)
    for text in texts:
        print(prime + text if lines else prime + text + ("\n" if n > 1 else ""))
    return 0

