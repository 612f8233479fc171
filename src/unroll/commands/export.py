"""`unroll export CKPT_DIR model.onnx`: write a trained character-level model as ONNX.

    unroll export runs/names names.onnx
    python -c "import onnxruntime"      # then sample anywhere ONNX Runtime runs; see docs/interop.md

CKPT_DIR is a checkpoint directory or a training output directory (its best/, else checkpoint/),
as for `unroll sample`. The graph is Embedding (or one-hot) -> the RNN/LSTM/GRU stack as ONNX's
own operators -> Linear -> softmax, with inputs tokens (B, T) int64, lengths (B,) int32, h0 (and
c0) (L, B, H), and outputs logits, probs, h_n (and c_n); the vocabulary and the model's config are
stored in the file's metadata (unroll.vocabulary, unroll.model, unroll.lines), so a sampler needs
nothing but the .onnx file. Checked with onnx.checker before it is written.
"""
from __future__ import annotations

import json

from .._extras import require
from . import one_line_errors


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("export", help="export a trained char model to ONNX", description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint", metavar="CKPT_DIR")
    p.add_argument("output", metavar="MODEL.onnx")
    one_line_errors(p).set_defaults(func=run)


def metadata(model, vocab, lines: bool) -> dict:
    """What a sampler needs besides the graph: the vocabulary (JSON list of characters, in id order),
    the model's config and whether it was trained on lines (start and end at '\\n')."""
    return {"unroll.format": "unroll.char_lm", "unroll.vocabulary": json.dumps(vocab.chars),
            "unroll.model": json.dumps(model.config()), "unroll.lines": json.dumps(bool(lines))}


def run(args) -> int:
    require("onnx", extra="onnx", why="unroll export")
    from ..interop.onnx import export
    from ..training import TrainConfig, load_char_lm
    model, vocab, meta = load_char_lm(args.checkpoint)
    lines = TrainConfig.from_dict(meta["train_config"]).data.lines
    onnx_model = export(model, args.output, metadata=metadata(model, vocab, lines))
    inputs = ", ".join(i.name for i in onnx_model.graph.input)
    outputs = ", ".join(o.name for o in onnx_model.graph.output)
    print(f"wrote {args.output}: CharLM ({model.cell}, {model.num_layers} x {model.hidden_size}, vocabulary "
          f"{len(vocab)}); inputs {inputs}; outputs {outputs}")
    return 0
