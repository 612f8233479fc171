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
from unroll.nn import RNN, Linear, Module  # noqa: E402
from unroll.optim import SGD  # noqa: E402
from unroll.training import Budget, Clipping, Objective, Trainer, make_trainer  # noqa: E402
from unroll.training.char_lm import prepare_text  # noqa: E402

COURSE_LOSS_AT_22000 = 22.728886
N_A, VOCAB = 50, 27


class CourseRNN(Module):
    """The course's model as unroll modules, float64: one-hot x (1, T, 27) -> RNN(50) -> Linear(27).

    params/grads hold everything but rnn.bias_hh_l0 (held at zero: the course has one bias)."""

    def __init__(self):
        super().__init__()
        legacy = np.random.RandomState(1)  # the course's initialize_parameters draws, in its order
        w_ax, w_aa, w_ya = (legacy.randn(*shape) * 0.01 for shape in ((N_A, VOCAB), (N_A, N_A), (VOCAB, N_A)))
        self.rnn = self.add_module(RNN(VOCAB, N_A, dtype=np.float64), "rnn")
        self.readout = self.add_module(Linear(N_A, VOCAB, dtype=np.float64), "readout")
        self.rnn.load_state_dict({"weight_ih_l0": w_ax, "weight_hh_l0": w_aa, "bias_ih_l0": np.zeros(N_A),
                                  "bias_hh_l0": np.zeros(N_A)})
        self.readout.load_state_dict({"weight": w_ya, "bias": np.zeros(VOCAB)})
        del self.params["rnn.bias_hh_l0"], self.grads["rnn.bias_hh_l0"]  # not optimised: see the docstring

    def zero_grad(self) -> None:
        self.rnn.zero_grad()  # bias_hh's gradient too, though it is never applied
        self.readout.zero_grad()

    @staticmethod
    def example(ids: np.ndarray):
        """A name's ids (n,) -> x one-hot (1, n+1, 27) with a zero first step, y (1, n+1) ending in '\\n' (0)."""
        x = np.zeros((1, len(ids) + 1, VOCAB))
        x[0, np.arange(1, len(ids) + 1), ids] = 1.0
        return x, np.append(ids, 0)[None]


class CourseObjective(Objective):
    """One name per step: its summed cross-entropy, counted as one item so that the gradient is the
    sum's (the course's); the state (1, 1, 50) is carried into the next name as a constant."""

    unit = "name"

    def loss(self, model: CourseRNN, ids: np.ndarray, carry):
        x, y = model.example(ids)
        a_prev = np.zeros((1, 1, N_A)) if carry is None else carry
        h, a_last, rnn_cache = model.rnn.forward(x, a_prev)  # (1, n+1, 50)
        logits, _, lin_cache = model.readout.forward(h)  # (1, n+1, 27)
        loss, ce_cache = softmax_cross_entropy_forward(logits, y, reduction="sum")
        return loss, 1, a_last, (rnn_cache, lin_cache, ce_cache)

    def backward(self, model: CourseRNN, count: int, cache) -> None:
        rnn_cache, lin_cache, ce_cache = cache
        dh, _ = model.readout.backward(softmax_cross_entropy_backward(1.0, ce_cache), None, lin_cache)
        model.rnn.backward(dh, None, rnn_cache)  # a_prev is a constant: no gradient into the last name


class CourseSchedule:
    """Step j trains on name j mod N, as the course's loop does; the whole run is one 'epoch', so the
    state is carried across passes over the names too."""

    def __init__(self, encoded: list, steps: int):
        self.encoded, self.steps = encoded, steps

    def epoch(self, epoch: int):
        return (self.encoded[j % len(self.encoded)] for j in range(self.steps))


def train_course_recipe(names: list[str], steps: int, report_every: int = 2000, verbose: bool = True):
    """Run the recipe on the Trainer; returns (model, char index, {step: smoothed loss})."""
    chars = sorted(set("".join(names)) | {"\n"})
    assert len(chars) == VOCAB, chars
    index = {c: i for i, c in enumerate(chars)}
    examples = list(names)
    np.random.RandomState(0).shuffle(examples)  # the course's np.random.seed(0); np.random.shuffle
    encoded = [np.array([index[c] for c in name], dtype=np.int64) for name in examples]
    model = CourseRNN()
    trainer = Trainer(model, CourseObjective(), SGD(model.params, lr=0.01), CourseSchedule(encoded, steps),
                      rng=np.random.default_rng(0), budget=Budget(max_steps=steps), clipping=Clipping(value=5.0),
                      progress="course recipe" if verbose else False).fit()
    smooth, curve = -math.log(1.0 / VOCAB) * 7, {}
    for j, loss in enumerate(trainer.history_["loss"]):  # the course's smoothing, step j's loss included
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
        loss, *_ = CourseObjective().loss(model, np.array([index[c] for c in name]), None)
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
    m = config.model
    print(f"  default ({m.cell.upper()} {m.hidden_size}, embedding {m.embedding_dim}, Adam, "
          f"batch {config.data.batch_size}, {config.budget.epochs} epochs): {default_bits:.4f} bits/char "
          f"({time.perf_counter() - start:.1f} s)")
    print(f"  difference: {recipe_bits - default_bits:+.4f} bits/char in favour of the default")


if __name__ == "__main__":
    main()
