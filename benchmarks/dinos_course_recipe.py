"""The course recipe for dinosaur names, reproduced with unroll's pieces, and a better default beside it.

    python benchmarks/dinos_course_recipe.py              # reproduction (35,000 steps) + held-out comparison
    python benchmarks/dinos_course_recipe.py --steps 22001 --no-compare

The recipe (deeplearning.ai Sequence Models, week 1, "Dinosaurus Island"): the lowercased names,
vocabulary a-z + '\\n' (27, sorted, so '\\n' is id 0); an Elman RNN of 50 tanh units with one-hot
input and a softmax readout; Wax, Waa, Wya drawn as randn * 0.01 from the legacy generator seeded
with 1 (in that order), biases zero; the names shuffled once by the legacy generator seeded with 0;
step j trains on name j mod 1536, with x = [zero vector] + the name and y = the name + '\\n'; the
loss is the summed cross-entropy of the name; gradients clipped element-wise to [-5, 5]; plain SGD
with lr 0.01; the hidden state carried from one name into the next (no gradient across names);
the loss smoothed as 0.999 old + 0.001 new from -log(1/27) * 7. The course prints 22.728886 at
step 22,000. (The legacy RandomState is used here only to replay the course's draws; it is local,
no global seeding.)

The course's single bias b maps to `bias_ih`; `bias_hh` is held at zero (left out of the
optimiser), so the update is the course's and not twice its bias step.

Comparison: the same recipe trained on 90% of the names (35,000 steps) against the library's
default name model (the `unroll demo` configuration, without its time cap) on the same split,
both scored in bits per character on the 10% held out, each name from a zero state with its '\\n'
end counted.
"""
from __future__ import annotations

import argparse
import math
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # 50-unit matrices: threads only add contention

import numpy as np  # noqa: E402

from unroll.commands.demo import DEMO_CONFIG  # noqa: E402
from unroll.data.text import read_bundled  # noqa: E402
from unroll.functional import softmax_cross_entropy_backward, softmax_cross_entropy_forward  # noqa: E402
from unroll.nn import RNN, Linear  # noqa: E402
from unroll.optim import SGD, clip_by_value  # noqa: E402
from unroll.training import make_trainer  # noqa: E402
from unroll.training.char_lm import prepare_text  # noqa: E402

COURSE_LOSS_AT_22000 = 22.728886
N_A, VOCAB = 50, 27


class CourseRNN:
    """The course's model as unroll modules, float64: one-hot x (1, T, 27) -> RNN(50) -> Linear(27)."""

    def __init__(self):
        legacy = np.random.RandomState(1)  # the course's initialize_parameters draws, in its order
        w_ax, w_aa, w_ya = (legacy.randn(*shape) * 0.01 for shape in ((N_A, VOCAB), (N_A, N_A), (VOCAB, N_A)))
        self.rnn, self.readout = RNN(VOCAB, N_A, dtype=np.float64), Linear(N_A, VOCAB, dtype=np.float64)
        self.rnn.load_state_dict({"weight_ih_l0": w_ax, "weight_hh_l0": w_aa, "bias_ih_l0": np.zeros(N_A),
                                  "bias_hh_l0": np.zeros(N_A)})
        self.readout.load_state_dict({"weight": w_ya, "bias": np.zeros(VOCAB)})
        self.params = {**{f"rnn.{k}": v for k, v in self.rnn.params.items() if k != "bias_hh_l0"},
                       **{f"readout.{k}": v for k, v in self.readout.params.items()}}
        self.grads = {**{f"rnn.{k}": v for k, v in self.rnn.grads.items() if k != "bias_hh_l0"},
                      **{f"readout.{k}": v for k, v in self.readout.grads.items()}}

    @staticmethod
    def example(ids: np.ndarray):
        """A name's ids (n,) -> x one-hot (1, n+1, 27) with a zero first step, y (1, n+1) ending in '\\n' (0)."""
        x = np.zeros((1, len(ids) + 1, VOCAB))
        x[0, np.arange(1, len(ids) + 1), ids] = 1.0
        return x, np.append(ids, 0)[None]

    def loss(self, ids, a_prev, backward: bool):
        """Summed cross-entropy of one name from state a_prev (1, 1, 50); returns (loss, a_last)."""
        x, y = self.example(ids)
        h, a_last, rnn_cache = self.rnn.forward(x, a_prev)
        logits, lin_cache = self.readout.forward(h)
        loss, ce_cache = softmax_cross_entropy_forward(logits, y, reduction="sum")
        if backward:
            dh = self.readout.backward(softmax_cross_entropy_backward(1.0, ce_cache), lin_cache)
            self.rnn.backward(dh, None, rnn_cache)  # a_prev is a constant: no gradient into the last name
        return loss, a_last


def train_course_recipe(names: list[str], steps: int, report_every: int = 2000, verbose: bool = True):
    """Run the recipe; returns (model, {step: smoothed loss})."""
    chars = sorted(set("".join(names)) | {"\n"})
    assert len(chars) == VOCAB, chars
    index = {c: i for i, c in enumerate(chars)}
    examples = list(names)
    np.random.RandomState(0).shuffle(examples)  # the course's np.random.seed(0); np.random.shuffle
    encoded = [np.array([index[c] for c in name], dtype=np.int64) for name in examples]
    model = CourseRNN()
    optimizer = SGD(model.params, lr=0.01)
    smooth, a_prev, curve = -math.log(1.0 / VOCAB) * 7, np.zeros((1, 1, N_A)), {}
    for j in range(steps):
        loss, a_prev = model.loss(encoded[j % len(encoded)], a_prev, backward=True)
        clip_by_value(model.grads, 5.0)
        optimizer.step(model.grads)
        model.rnn.zero_grad()
        model.readout.zero_grad()
        smooth = 0.999 * smooth + 0.001 * loss
        if j % report_every == 0:
            curve[j] = smooth
            if verbose:
                print(f"  step {j:>6}: smoothed loss {smooth:.6f}")
    return model, index, curve


def heldout_bits_recipe(model: CourseRNN, index: dict, names: list[str]) -> float:
    """Bits per character of held-out names under the recipe's model, each from a zero state."""
    total = count = 0
    for name in names:
        loss, _ = model.loss(np.array([index[c] for c in name]), np.zeros((1, 1, N_A)), backward=False)
        total, count = total + loss, count + len(name) + 1
    return total / count / math.log(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=35000)
    parser.add_argument("--no-compare", action="store_true", help="skip the held-out comparison")
    args = parser.parse_args()
    names = read_bundled("dinos.txt").lower().split("\n")

    print(f"course recipe on all {len(names)} names, {args.steps} steps:")
    start = time.perf_counter()
    _, _, curve = train_course_recipe(names, args.steps)
    print(f"smoothed loss at step 22,000: {curve.get(22000, float('nan')):.6f} "
          f"(course: {COURSE_LOSS_AT_22000}); {time.perf_counter() - start:.1f} s")
    if args.no_compare:
        return

    config = DEMO_CONFIG.replace(minutes=None)
    _, train_names, val_names = prepare_text("\n".join(names), config)
    print(f"\nheld-out comparison: {len(train_names)} training names, {len(val_names)} held out")
    start = time.perf_counter()
    recipe, index, _ = train_course_recipe(train_names, args.steps, verbose=False)
    recipe_bits = heldout_bits_recipe(recipe, index, val_names)
    print(f"  course recipe (Elman 50, SGD, {args.steps} steps): {recipe_bits:.4f} bits/char "
          f"({time.perf_counter() - start:.1f} s)")
    start = time.perf_counter()
    trainer, _ = make_trainer("\n".join(names), config, progress=False)
    trainer.fit()
    default_bits = trainer.best_val_ / math.log(2)
    print(f"  default ({config.cell.upper()} {config.hidden_size}, embedding {config.embedding_dim}, Adam, "
          f"batch {config.batch_size}, {config.epochs} epochs): {default_bits:.4f} bits/char "
          f"({time.perf_counter() - start:.1f} s)")
    print(f"  difference: {recipe_bits - default_bits:+.4f} bits/char in favour of the default")


if __name__ == "__main__":
    main()
