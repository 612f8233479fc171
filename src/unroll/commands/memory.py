"""`unroll memory`: explicit-memory models on generated tasks.

    unroll memory ntm-copy --steps 2000 --batch 16 --plot runs/ntm      # lengths 1-20
    unroll memory ntm-recall --steps 2000
    unroll memory memn2n --task 1 --epochs 40 --plot runs/memn2n

Each trains through the one Trainer and ends with headline lines `name: value`, e.g.
`copy error: 0.02 bits per sequence (lengths 1-20)` (wrong bits per sequence, pytorch-ntm's cost)
or `task 1 accuracy: 0.995`. With --plot DIR: the NTM's read and write weightings on one test
sequence, or the memory network's attention per hop on one test story. The published NTM copy
result needs ~30k sequences (`--steps 2000 --batch 16`); see docs/memory.md for measured runs.
Run with OPENBLAS_NUM_THREADS=1 on a shared machine (these matrices are small).
"""
from __future__ import annotations

import os

import numpy as np

from .._extras import require
from ..errors import CommandError
from . import one_line_errors


def add_parser(subparsers) -> None:
    p = one_line_errors(subparsers.add_parser("memory", help="Neural Turing Machine and memory network on generated tasks"))
    p.add_argument("experiment", choices=["ntm-copy", "ntm-recall", "memn2n"])
    p.add_argument("--steps", type=int, default=2000, help="NTM: updates (default 2000)")
    p.add_argument("--batch", type=int, default=16, help="sequences or questions per update (default 16; memn2n 32)")
    p.add_argument("--lr", type=float, help="Adam learning rate (NTM 1e-3, memn2n 5e-3)")
    p.add_argument("--minutes", type=float, help="NTM: stop training after this many minutes")
    p.add_argument("--controller", type=int, default=100, help="NTM controller size (default 100)")
    p.add_argument("--memory", default="128x20", help="NTM memory N x M (default 128x20)")
    p.add_argument("--task", type=int, default=1, choices=[1, 2], help="memn2n: bAbI-style task (default 1)")
    p.add_argument("--train-size", type=int, default=1000, help="memn2n: training questions (default 1000)")
    p.add_argument("--epochs", type=int, default=40, help="memn2n: epochs (default 40)")
    p.add_argument("--linear-start", type=int, default=0, help="memn2n: epochs without the attention softmax")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--plot", metavar="DIR", help="write PNG figures into DIR (needs matplotlib)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _memory_shape(text: str) -> tuple[int, int]:
    try:
        N, M = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise CommandError(f"--memory: expected N x M like 128x20, got {text!r}") from None
    if N < 3 or M < 1:
        raise CommandError(f"--memory: expected N >= 3 and M >= 1, got {text!r}")
    return N, M


def run(args) -> int:
    if args.steps < 1 or args.batch < 1 or args.epochs < 1 or args.train_size < 1:
        raise CommandError(f"expected positive --steps/--batch/--epochs/--train-size, got {args.steps}, "
                           f"{args.batch}, {args.epochs}, {args.train_size}")
    if args.plot:
        require("matplotlib", "plot", "--plot")
    if args.experiment == "memn2n":
        return _memn2n(args)
    return _ntm(args)


def _ntm(args) -> int:
    from ..memory import NTM
    from ..memory.experiments import TASKS, BitsRun, train_bits
    task = "copy" if args.experiment == "ntm-copy" else "recall"
    N, M = _memory_shape(args.memory)
    run = BitsRun(steps=args.steps, batch=args.batch, lr=args.lr or 1e-3, minutes=args.minutes,
                  eval_every=max(1, min(200, args.steps // 10)), controller=args.controller, memory_size=N,
                  memory_width=M)
    result = train_bits(task, "ntm", run, args.seed, progress=False if args.quiet else f"ntm {task}")
    generate, *_, (low, high), sizes, general = TASKS[task]
    unit = "lengths" if task == "copy" else "items"
    print(f"stopped: {result.stop_reason}")
    for n in sizes + general:
        table = result.errors_by_size if n in result.errors_by_size else result.general_by_size
        print(f"  {unit[:-1]} {n:3d}: {table[n]:.3f} wrong bits per sequence")
    if args.plot:
        from ..diagnostics.plots_memory import plot_ntm_weightings
        x, y = generate(1, high, np.random.default_rng(args.seed + 5))
        logits, _, cache = result.model.forward(x, keep_weightings=True)
        read_w, write_w = NTM.weightings(cache)
        probs = 1 / (1 + np.exp(-logits[0, -y.shape[1]:]))
        path = plot_ntm_weightings(x[0], y[0], probs, read_w[0, :, 0], write_w[0, :, 0],
                                   os.path.join(args.plot, f"ntm_{task}_weightings.png"), f"NTM {task}")
        print(f"figure: {path}")
    name = "copy error" if task == "copy" else "recall error"
    print(f"{name}: {result.mean_error:.3f} bits per sequence ({unit} {low}-{high})")
    print(f"{name} at {general[-1]}: {result.general_by_size[general[-1]]:.3f} bits per sequence")
    print(f"sequences seen: {result.sequences}")
    print(f"time per training sequence: {1000 * result.seconds_per_sequence:.2f} ms")
    return 0


def _memn2n(args) -> int:
    from ..data.babi import VOCAB
    from ..memory.experiments import BabiRun, train_memn2n
    from ..memory.memn2n import MemN2N
    run = BabiRun(train_size=args.train_size, epochs=args.epochs, linear_start=min(args.linear_start, args.epochs),
                  batch=args.batch if args.batch != 16 else 32, lr=args.lr or 5e-3)
    model, result, test = train_memn2n(args.task, run, args.seed, progress=False if args.quiet else "memn2n")
    if args.plot:
        from ..diagnostics.plots_memory import plot_memn2n_attention
        k = int(np.argmax((test.stories[:100] != 0).any(-1).sum(-1)))  # a long story among the first 100
        _, _, cache = model.forward((test.stories[k:k + 1], test.queries[k:k + 1]))
        context, question, answer = test.text[k]
        context = context[-run.max_sentences:]
        path = plot_memn2n_attention(MemN2N.attention(cache)[0], [" ".join(s) for s in context],
                                     " ".join(question) + "?", answer,
                                     os.path.join(args.plot, f"memn2n_task{args.task}_attention.png"))
        print(f"figure: {path}")
    print(f"vocabulary: {len(VOCAB)} words; training questions: {run.train_size} (generated bAbI-style data)")
    print(f"task {args.task} accuracy: {result['accuracy']:.3f}")
    print(f"time per training question: {1000 * result['seconds'] / max(result['questions'], 1):.3f} ms")
    return 0
