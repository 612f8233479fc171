"""The Trainer on the char LM: exact resume, the non-finite guard, Ctrl-C, early stopping, time budget,
and the grouped config's JSON (nested, and the flat form of older checkpoints)."""
import json
import signal

import numpy as np
import pytest

from unroll.checkpoint import load_checkpoint
from unroll.errors import InvalidValueError
from unroll.training import (Budget, CharData, CharModel, Optimisation, TrainConfig, TrainingDiverged, Validation,
                             make_trainer, train_char_lm)

TEXT = "".join(np.random.default_rng(0).choice(list("abcde fgh\n"), 3000))
CONFIG = TrainConfig(model=CharModel(cell="lstm", hidden_size=16, num_layers=2, embedding_dim=8, dropout=0.2),
                     data=CharData(seq_len=10, batch_size=4),
                     optim=Optimisation(lr=1e-2, schedule="cosine", warmup_steps=3),
                     budget=Budget(epochs=2), validation=Validation(eval_every=10), checkpoint_every=7, seed=3)


def test_resume_continues_exactly_like_an_uninterrupted_run(tmp_path):
    full = train_char_lm(TEXT, CONFIG, out=tmp_path / "full", progress=False)
    assert full.step > 40  # two epochs of 4 streams, with dropout, a schedule and a carried state

    stopped = train_char_lm(TEXT, CONFIG.replace(max_steps=23), out=tmp_path / "run", progress=False)
    assert stopped.step == 23 and "23 steps" in stopped.stop_reason_
    resumed = train_char_lm(TEXT, CONFIG, out=tmp_path / "run", resume=True, progress=False)

    assert resumed.history_["loss"] == full.history_["loss"]  # bit for bit, every step
    assert resumed.history_["val_loss"][-1] == full.history_["val_loss"][-1]
    final_full, _ = load_checkpoint(tmp_path / "full" / "checkpoint")
    final_resumed, _ = load_checkpoint(tmp_path / "run" / "checkpoint")
    for key in final_full:
        np.testing.assert_array_equal(final_full[key], final_resumed[key], err_msg=key)


def test_checkpoint_holds_pytorch_names_optimizer_state_and_json_meta(tmp_path):
    trainer = train_char_lm(TEXT, CONFIG.replace(max_steps=7), out=tmp_path, progress=False)
    tensors, meta = load_checkpoint(tmp_path / "checkpoint")
    assert {"embedding.weight", "rnn.weight_ih_l0", "rnn.bias_hh_l1", "decoder.weight"} <= set(tensors)
    assert "optim.decoder.weight.exp_avg" in tensors and "carry.1" in tensors  # LSTM (h, c) carried
    assert meta["progress"]["step"] == 7 and meta["vocabulary"] == sorted(set(TEXT))
    assert meta["train_config"]["model"]["hidden_size"] == 16 and meta["rng"]["bit_generator"] == "PCG64"
    assert TrainConfig.from_dict(meta["train_config"]) == CONFIG.replace(max_steps=7)
    assert len(meta["history"]["grad_norm"]) == 7
    json.dumps(meta)
    assert not list(tmp_path.rglob("*.pkl")) and trainer.stop_reason_ == "7 steps done"


def test_non_finite_loss_stops_with_a_clear_message_and_keeps_the_last_good_checkpoint(tmp_path):
    trainer, _ = make_trainer(TEXT, CONFIG.replace(checkpoint_every=5), out=tmp_path, progress=False)
    original = trainer.model.forward
    calls = {"n": 0}

    def poisoned(tokens, state=None, lengths=None):
        calls["n"] += 1
        logits, state, cache = original(tokens, state, lengths)
        if calls["n"] == 8 and trainer.model.training:
            logits[0, 0, 0] = np.nan
        return logits, state, cache

    trainer.model.forward = poisoned
    with pytest.raises(TrainingDiverged, match=r"loss is nan at step 8 .*last good checkpoint .*step 5\)"):
        trainer.fit()
    tensors, meta = load_checkpoint(tmp_path / "checkpoint")
    assert meta["progress"]["step"] == 5
    assert all(np.isfinite(t).all() for t in tensors.values())


def test_non_finite_gradient_is_caught_before_the_update(tmp_path):
    trainer, _ = make_trainer(TEXT, CONFIG.replace(clip_norm=None), out=None, progress=False)
    before = {k: v.copy() for k, v in trainer.model.params.items()}
    original = trainer.model.backward

    def poisoned(d_logits, d_state, cache):
        out = original(d_logits, d_state, cache)
        trainer.model.grads["rnn.weight_hh_l0"][0, 0] = np.inf
        return out

    trainer.model.backward = poisoned
    with pytest.raises(TrainingDiverged, match="gradient is NaN or infinite at step 1"):
        trainer.fit()
    for key, value in before.items():
        np.testing.assert_array_equal(trainer.model.params[key], value)


@pytest.fixture
def default_sigint():
    """Ctrl-C as in an interactive run, whatever the test process inherited (a background job ignores it)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_finishes_the_step_saves_and_returns(tmp_path, default_sigint):
    trainer, _ = make_trainer(TEXT, CONFIG, out=tmp_path, progress=False)
    epoch = trainer.train_data.epoch

    def interrupting(e):
        for segment in epoch(e):
            if trainer.step == 4:  # as if Ctrl-C came during the fourth update
                signal.raise_signal(signal.SIGINT)
            yield segment

    trainer.train_data.epoch = interrupting
    trainer.fit()
    assert trainer.stop_reason_ == "interrupted (Ctrl-C)"
    _, meta = load_checkpoint(tmp_path / "checkpoint")
    assert meta["progress"]["step"] == trainer.step == 4
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_ignored_ctrl_c_stays_ignored(tmp_path):
    trainer, _ = make_trainer(TEXT, CONFIG, out=tmp_path, progress=False)
    epoch = trainer.train_data.epoch

    def interrupting(e):
        for segment in epoch(e):
            signal.raise_signal(signal.SIGINT)
            yield segment

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        trainer.train_data.epoch = interrupting
        trainer.fit()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
    assert trainer.stop_reason_ != "interrupted (Ctrl-C)"


def test_early_stopping_and_time_budget(tmp_path):
    stopped = train_char_lm(TEXT, CONFIG.replace(lr=0.5, schedule="constant", warmup_steps=0, epochs=50,
                                                 eval_every=3, patience=2), out=None, progress=False)
    assert stopped.stop_reason_.startswith("early stopping") and stopped.epoch < 50
    timed = train_char_lm(TEXT, CONFIG.replace(epochs=None, minutes=0.002, schedule="constant"), progress=False)
    assert timed.stop_reason_ == "time budget of 0.002 minutes spent"  # the only budget: nothing else stops it
    assert 0 < timed.elapsed < 0.002 * 60 + 1.0


def test_config_reads_the_flat_form_of_older_checkpoints_and_checks_its_groups():
    flat = {"cell": "lstm", "hidden_size": 16, "num_layers": 2, "embedding_dim": 8, "dropout": 0.2,
            "variational": False, "lines": False, "lowercase": False, "seq_len": 10, "batch_size": 4,
            "val_fraction": 0.1, "optimizer": "adam", "lr": 1e-2, "momentum": 0.0, "weight_decay": 0.0,
            "schedule": "cosine", "min_lr": 0.0, "warmup_steps": 3, "clip_value": None, "clip_norm": 5.0,
            "epochs": 2, "minutes": None, "max_steps": None, "eval_every": 10, "patience": None,
            "checkpoint_every": 7, "seed": 3}
    assert TrainConfig.from_dict(flat) == CONFIG
    assert TrainConfig.from_dict({}).budget == Budget(epochs=10)  # the default budget
    assert CONFIG.replace(clip_value=1.0, clip_norm=None).optim.clipping().value == 1.0
    with pytest.raises(InvalidValueError, match="unknown key 'hiden_size'"):
        TrainConfig.from_dict({**flat, "hiden_size": 3})
    with pytest.raises(InvalidValueError, match="at most one"):
        CONFIG.replace(clip_value=1.0)
    with pytest.raises(InvalidValueError, match="budget"):
        CONFIG.replace(epochs=None)
