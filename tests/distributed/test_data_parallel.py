"""Data-parallel training: the same parameters as one process, a killed worker survived, shards fuzzed."""
import os
import sys

import numpy as np
import pytest

pytest.importorskip("distributed")
import cloudpickle  # noqa: E402  (a dependency of distributed)
from hypothesis import given, settings, strategies as st  # noqa: E402

from unroll.data.text import LineBatches, Segment, StreamBatches, Vocabulary  # noqa: E402
from unroll.distributed import DataParallel, batch_rows, split_batch, split_rows  # noqa: E402
from unroll.distributed.data_parallel import _merge_carry, _split_carry  # noqa: E402
from unroll.errors import InvalidTypeError, InvalidValueError  # noqa: E402
from unroll.models import CharLM  # noqa: E402
from unroll.nn import LSTMState  # noqa: E402
from unroll.optim import Adam  # noqa: E402
from unroll.training import Budget, Clipping, Trainer  # noqa: E402
from unroll.training.tbptt import TBPTTObjective  # noqa: E402

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module

TEXT = "the quick brown fox jumps over the lazy dog.\nsphinx of black quartz, judge my vow!\n" * 12
VOCAB = Vocabulary(set(TEXT))


def trainer(data, cell="lstm", steps=6, gradients=None, objective=None, dropout=0.0):
    model = CharLM(len(VOCAB), cell, 12, 2 if cell == "lstm" else 1, 8, dropout=dropout, dtype=np.float64, rng=0)
    objective = objective or TBPTTObjective(model.rnn.state_type)
    return Trainer(model, objective, Adam(model.params, lr=1e-2), data, rng=np.random.default_rng(0),
                   budget=Budget(max_steps=steps), clipping=Clipping(norm=1.0), progress=False, gradients=gradients)


def assert_same_run(a, b):
    for k in a.model.params:
        np.testing.assert_allclose(b.model.params[k], a.model.params[k], rtol=0, atol=1e-6, err_msg=k)
    np.testing.assert_allclose(b.history_["loss"], a.history_["loss"], rtol=1e-9)


# ---------------------------------------------------------------- shards
@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300), st.integers(1, 40))
def test_split_rows_covers_every_row_once_in_balanced_contiguous_shards(n_rows, n_shards):
    rows = split_rows(n_rows, n_shards)
    assert len(rows) == min(n_rows, n_shards)
    assert rows[0].start == 0 and rows[-1].stop == n_rows
    assert all(a.stop == b.start for a, b in zip(rows, rows[1:]))
    sizes = [r.stop - r.start for r in rows]
    assert min(sizes) >= 1 and max(sizes) - min(sizes) <= 1


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.integers(1, 5), st.integers(1, 3), st.booleans())
def test_split_batch_and_carry_rebuild_the_whole(b, shards, layers, lengths):
    rng = np.random.default_rng(b * 7 + shards)
    tokens = rng.integers(0, 5, (b, 6))
    seg = Segment(tokens[:, :-1], tokens[:, 1:], rng.integers(0, 6, b) if lengths else None, False)
    rows = split_rows(batch_rows(seg), shards)
    parts = [split_batch(seg, r) for r in rows]
    assert all(isinstance(p, Segment) and p.reset is False for p in parts)
    np.testing.assert_array_equal(np.concatenate([p.inputs for p in parts]), seg.inputs)
    assert sum(p.num_chars for p in parts) == seg.num_chars
    state = LSTMState(rng.standard_normal((layers, b, 3)), rng.standard_normal((layers, b, 3)))
    carries = _split_carry(state, rows, b, -2)
    merged = _merge_carry(carries, -2, LSTMState)
    assert isinstance(merged, LSTMState)
    np.testing.assert_array_equal(merged.c, state.c)


def test_bad_batches_and_carries_are_named():
    with pytest.raises(InvalidTypeError, match="batch: expected a tuple"):
        batch_rows({"x": np.zeros((2, 3))})
    with pytest.raises(InvalidValueError, match="share the batch size"):
        batch_rows((np.zeros((2, 3)), np.zeros((3, 3))))
    with pytest.raises(InvalidValueError, match="expected 4 rows on axis -2"):
        _split_carry(np.zeros((1, 3, 5)), split_rows(4, 2), 4, -2)
    with pytest.raises(InvalidValueError, match="n_shards: expected an int >= 1"):
        split_rows(3, 0)
    with pytest.raises(InvalidValueError, match="shards: expected an int >= 1 or None"):
        DataParallel(None, shards=0)
    with pytest.raises(InvalidTypeError, match="gradients: expected a strategy"):
        trainer(StreamBatches(VOCAB.encode(TEXT), 4, 8), gradients=3)


# ---------------------------------------------------------------- the same computation
def test_streams_with_carried_state_match_one_process(client):
    """LSTM x2 layers, 7 streams cut 3/2/2 over 3 shards, the state carried for 6 steps."""
    data = StreamBatches(VOCAB.encode(TEXT), 7, 10, seed=0)
    one = trainer(data).fit()
    dp = trainer(data, gradients=DataParallel(client, shards=3)).fit()
    assert_same_run(one, dp)
    np.testing.assert_allclose(dp.carry.h, one.carry.h, atol=1e-9)  # the rows' states came back in order


def test_padded_lines_weight_shards_by_valid_characters(client):
    """Lines of different lengths: the shards hold different numbers of characters, so an unweighted
    mean of shard means would be a different gradient."""
    data = LineBatches(TEXT.splitlines()[:9] + ["ab", "a longer line than the rest of them"], VOCAB, 5, 12, seed=1)
    one = trainer(data, "gru", steps=8).fit()
    dp = trainer(data, "gru", steps=8, gradients=DataParallel(client)).fit()
    assert_same_run(one, dp)


def test_dropout_masks_are_reproducible_per_step_and_shard(client):
    data = StreamBatches(VOCAB.encode(TEXT), 4, 8, seed=0)
    a = trainer(data, steps=3, dropout=0.3, gradients=DataParallel(client, seed=5)).fit()
    b = trainer(data, steps=3, dropout=0.3, gradients=DataParallel(client, seed=5)).fit()
    assert_same_run(a, b)


class KillOnce(TBPTTObjective):
    """Kills the worker process it runs on, at the first forward of step `at` it sees (once:
    the marker file is created atomically by the first shard to get there)."""

    def __init__(self, state_type, marker, at):
        super().__init__(state_type)
        self.marker, self.at, self.calls = marker, at, 0

    def loss(self, model, segment, carry):
        self.calls += 1  # per replica: its step count (one shard of each step per replica)
        if self.calls >= self.at:
            try:
                os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL))
                os._exit(1)  # the worker dies mid-task
            except FileExistsError:
                pass
        return super().loss(model, segment, carry)


def test_a_worker_killed_mid_step_is_survived_with_nothing_lost(client, tmp_path):
    data = StreamBatches(VOCAB.encode(TEXT), 6, 10, seed=0)
    one = trainer(data, steps=6).fit()
    marker = str(tmp_path / "killed")
    before = set(client.scheduler_info()["workers"])
    killer = KillOnce(one.model.rnn.state_type, marker, at=3)
    dp = trainer(data, steps=6, objective=killer, gradients=DataParallel(client, shards=2)).fit()
    assert os.path.exists(marker)  # a worker did die during step 3
    client.wait_for_workers(2, timeout=60)
    assert set(client.scheduler_info()["workers"]) != before  # the nanny restarted it under a new address
    assert_same_run(one, dp)
    assert dp.step == 6 and len(dp.history_["loss"]) == 6  # no step lost or applied twice
