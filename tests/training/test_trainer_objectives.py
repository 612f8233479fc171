"""The Trainer is task-agnostic: a sequence classifier with an objective written here (not the char
LM) learns, reports a metric, resumes from a mid-run checkpoint bit for bit, and stops on a NaN."""
import numpy as np
import pytest

from unroll.checkpoint import load_checkpoint
from unroll.functional import softmax_cross_entropy_backward, softmax_cross_entropy_forward
from unroll.nn import LastStep, Linear, LSTMCell, Recurrent, Sequential
from unroll.optim import Adam
from unroll.training import Budget, Checkpointing, Clipping, Objective, Trainer, TrainingDiverged, Validation

D, H, T = 3, 8, 12


def dataset(n: int, seed: int):
    """Variable-length sequences (n, T, D) whose class is the sign of the sum of channel 0 over the
    valid steps; lengths in [4, T]."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, T, D)).astype(np.float32)
    lengths = rng.integers(4, T + 1, n)
    x[np.arange(T)[None, :] >= lengths[:, None]] = 0.0  # padding
    return x, (x[:, :, 0].sum(axis=1) > 0).astype(np.int64), lengths


class Shuffled:
    """Batches of 16 in an order that depends only on (seed, epoch)."""

    def __init__(self, data, seed=0, batch=16, shuffle=True):
        self.data, self.seed, self.batch, self.shuffle = data, seed, batch, shuffle

    def epoch(self, e):
        n = len(self.data[0])
        order = np.random.default_rng([self.seed, e]).permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch):
            idx = order[start:start + self.batch]
            yield tuple(part[idx] for part in self.data)


class Classification(Objective):
    unit = "seq"

    def loss(self, model, batch, carry):
        x, y, lengths = batch
        logits, _, cache = model.forward(x, lengths=lengths)  # (B, 2)
        loss, loss_cache = softmax_cross_entropy_forward(logits, y, reduction="sum")
        return loss, len(y), None, (cache, loss_cache)

    def backward(self, model, count, cache):
        cache, loss_cache = cache
        d_logits = softmax_cross_entropy_backward(1.0 / count, loss_cache).astype(np.float32)
        model.backward(d_logits, None, cache)

    def evaluate(self, model, batches):
        batches = list(batches)
        loss, _ = super().evaluate(model, batches)
        right = sum(int((model.forward(x, lengths=n)[0].argmax(-1) == y).sum()) for x, y, n in batches)
        return loss, {"accuracy": right / sum(len(y) for _, y, _ in batches)}


def make_trainer(out=None, **budget):
    rng = np.random.default_rng(0)
    model = Sequential(rnn=Recurrent(LSTMCell(D, H, rng=rng)), pool=LastStep(), head=Linear(H, 2, rng=rng))
    return Trainer(model, Classification(), Adam(model.params, lr=1e-2), Shuffled(dataset(160, 1)),
                   Shuffled(dataset(200, 2), shuffle=False), rng=rng, budget=Budget(**budget),
                   validation=Validation(eval_every=10), checkpoints=Checkpointing(out, every=7),
                   clipping=Clipping(norm=1.0), progress=False)


def test_a_classifier_learns_and_resumes_exactly(tmp_path):
    full = make_trainer(tmp_path / "full", epochs=4).fit()
    assert full.step == 40 and full.stop_reason_ == "4 epochs done"
    assert full.history_["val_accuracy"][-1] > 0.75  # chance is about 0.5
    assert np.mean(full.history_["loss"][-10:]) < 0.8 * np.mean(full.history_["loss"][:10])

    make_trainer(tmp_path / "run", epochs=4, max_steps=17).fit()  # stops mid-epoch, after a checkpoint at 14
    resumed = make_trainer(tmp_path / "run", epochs=4).restore(tmp_path / "run" / "checkpoint").fit()
    assert resumed.history_["loss"] == full.history_["loss"]  # bit for bit
    assert resumed.history_["grad_norm"] == full.history_["grad_norm"]
    assert resumed.history_["val_accuracy"][-1] == full.history_["val_accuracy"][-1]
    final_full, _ = load_checkpoint(tmp_path / "full" / "checkpoint")
    final_resumed, meta = load_checkpoint(tmp_path / "run" / "checkpoint")
    assert "carry.0" not in final_resumed and meta["progress"]["step"] == 40
    for key in final_full:
        np.testing.assert_array_equal(final_full[key], final_resumed[key], err_msg=key)


def test_a_nan_in_an_objective_stops_before_the_update():
    trainer = make_trainer(max_steps=5)
    before = {k: v.copy() for k, v in trainer.model.params.items()}
    trainer.objective.loss = lambda model, batch, carry: (float("nan"), 16, None, None)
    with pytest.raises(TrainingDiverged, match="loss is nan at step 1"):
        trainer.fit()
    for key, value in before.items():
        np.testing.assert_array_equal(trainer.model.params[key], value)
