"""`unroll eval CKPT_DIR DATA`: cross-entropy of a text under a trained model, in nats and bits per character.

The text is cut as the model was trained: line by line (each line predicted from the start symbol,
its end-of-line included) or as one stream with the state carried.
"""
from __future__ import annotations

from ..data.text import read_text
from ..training import TrainConfig, bits, evaluate_text, load_char_lm, resolve_checkpoint
from . import one_line_errors


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("eval", help="nats and bits per character of a text",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint", metavar="CKPT_DIR")
    p.add_argument("data", metavar="DATA", help="UTF-8 text file")
    one_line_errors(p).set_defaults(func=run)


def run(args) -> int:
    text = read_text(args.data)
    model, vocab, meta = load_char_lm(args.checkpoint)
    nats = evaluate_text(model, vocab, text, TrainConfig.from_dict(meta["train_config"]))
    print(f"{args.data}: {nats:.4f} nats/char, {bits(nats):.4f} bits/char "
          f"(model {resolve_checkpoint(args.checkpoint)}, step {meta['progress']['step']})")
    return 0
