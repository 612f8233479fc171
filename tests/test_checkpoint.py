"""Checkpoints: round trip, atomicity under simulated crashes, RNG continuation, clear errors."""
import json
import os

import numpy as np
import pytest

from unroll import checkpoint as ckpt
from unroll.checkpoint import CONFIG_FILE, WEIGHTS_FILE, load_checkpoint, restore_rng, save_checkpoint
from unroll.optim import Adam


def _tensors(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "weight_ih_l0": rng.standard_normal((8, 3)).astype(np.float32),
        "weight_hh_l0": rng.standard_normal((8, 2)).T,  # non-contiguous, float64
        "embedding.weight": rng.standard_normal((5, 3)),
        "lengths": np.arange(4, dtype=np.int64),
    }


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_round_trip(tmp_path):
    tensors = _tensors()
    meta = {"config": {"hidden_size": 2, "cell": "lstm"}, "vocab": ["a", "b", "é"], "step": 7, "lr": 1e-3}
    save_checkpoint(tmp_path / "ckpt", tensors, meta)
    loaded, loaded_meta = load_checkpoint(tmp_path / "ckpt")
    _assert_same(tensors, loaded)
    assert loaded_meta == meta
    assert sorted(os.listdir(tmp_path)) == ["ckpt"]  # no staging or backup left behind
    assert sorted(os.listdir(tmp_path / "ckpt")) == [CONFIG_FILE, WEIGHTS_FILE]


def test_torch_reads_the_weights_by_key(tmp_path):
    pytest.importorskip("torch")
    from safetensors.torch import load_file

    save_checkpoint(tmp_path / "ckpt", _tensors(), {})
    weights = load_file(tmp_path / "ckpt" / WEIGHTS_FILE)
    np.testing.assert_array_equal(weights["weight_hh_l0"].numpy(), _tensors()["weight_hh_l0"])


def test_overwrite_replaces_previous(tmp_path):
    save_checkpoint(tmp_path / "ckpt", _tensors(0), {"step": 1})
    save_checkpoint(tmp_path / "ckpt", _tensors(1), {"step": 2})
    tensors, meta = load_checkpoint(tmp_path / "ckpt")
    _assert_same(tensors, _tensors(1))
    assert meta == {"step": 2} and sorted(os.listdir(tmp_path)) == ["ckpt"]


@pytest.mark.parametrize("fail_on", ["weights file", "config file", "directory swap"])
def test_crash_mid_write_keeps_previous(tmp_path, monkeypatch, fail_on):
    target = tmp_path / "ckpt"
    save_checkpoint(target, _tensors(0), {"step": 1})
    real_replace = os.replace

    def failing_replace(src, dst):
        name = os.path.basename(str(dst))
        if {"weights file": name == WEIGHTS_FILE, "config file": name == CONFIG_FILE,
                "directory swap": ".tmp-" in os.path.basename(str(src)) and name == "ckpt"}[fail_on]:
            raise OSError("simulated crash")
        real_replace(src, dst)

    monkeypatch.setattr(ckpt.os, "replace", failing_replace)
    with pytest.raises(OSError, match="simulated crash"):
        save_checkpoint(target, _tensors(1), {"step": 2})
    monkeypatch.undo()
    tensors, meta = load_checkpoint(target)
    _assert_same(tensors, _tensors(0))
    assert meta == {"step": 1}
    assert sorted(os.listdir(tmp_path)) == ["ckpt"]  # staging cleaned up, backup restored


def test_killed_between_renames_loads_previous_then_recovers(tmp_path):
    target = tmp_path / "ckpt"
    save_checkpoint(target, _tensors(0), {"step": 1})
    os.replace(target, tmp_path / ".ckpt.old")  # the state a kill after the first rename leaves
    tensors, meta = load_checkpoint(target)
    assert meta == {"step": 1}
    save_checkpoint(target, _tensors(1), {"step": 2})
    assert load_checkpoint(target)[1] == {"step": 2} and sorted(os.listdir(tmp_path)) == ["ckpt"]


def test_rng_state_continues_identically(tmp_path):
    rng = np.random.default_rng(123)
    rng.standard_normal(10)
    save_checkpoint(tmp_path / "ckpt", {}, {"rng": rng.bit_generator.state})
    expected = rng.standard_normal(5)
    _, meta = load_checkpoint(tmp_path / "ckpt")
    np.testing.assert_array_equal(restore_rng(meta["rng"]).standard_normal(5), expected)
    with pytest.raises(ValueError, match="BitGenerator, got 'Nope'"):
        restore_rng({"bit_generator": "Nope"})


def test_optimizer_state_through_checkpoint_resumes_identically(tmp_path):
    rng = np.random.default_rng(5)
    params = {"weight_ih_l0": rng.standard_normal((4, 3)), "bias_ih_l0": rng.standard_normal(4)}
    grads = [{k: rng.standard_normal(v.shape) for k, v in params.items()} for _ in range(6)]
    opt = Adam(params, lr=0.01)
    for g in grads[:3]:
        opt.step(g)
    state = opt.state_dict()
    tensors = {**params, **{f"optim.{k}": v for k, v in state["tensors"].items()}}
    save_checkpoint(tmp_path / "ckpt", tensors, {"optim": state["scalars"]})
    for g in grads[3:]:
        opt.step(g)

    loaded, meta = load_checkpoint(tmp_path / "ckpt")
    params2 = {k: loaded[k] for k in params}
    opt2 = Adam(params2)
    opt2.load_state_dict({"tensors": {k[len("optim."):]: v for k, v in loaded.items() if k.startswith("optim.")},
                          "scalars": meta["optim"]})
    for g in grads[3:]:
        opt2.step(g)
    _assert_same(params, params2)


def test_missing_and_corrupt_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"expected a directory .*ckpt.*found nothing"):
        load_checkpoint(tmp_path / "ckpt")
    save_checkpoint(tmp_path / "ckpt", _tensors(0), {"step": 1})
    save_checkpoint(tmp_path / "other", _tensors(1), {"step": 1})
    # a weights file from another save
    os.replace(tmp_path / "other" / WEIGHTS_FILE, tmp_path / "ckpt" / WEIGHTS_FILE)
    with pytest.raises(ValueError, match=r"model.safetensors does not match config.json \(expected sha256"):
        load_checkpoint(tmp_path / "ckpt")
    with pytest.raises(FileNotFoundError, match=r"missing \['model.safetensors'\], found \['config.json'\]"):
        load_checkpoint(tmp_path / "other")
    (tmp_path / "ckpt" / CONFIG_FILE).write_text("{not json")
    with pytest.raises(ValueError, match="config.json is not valid JSON"):
        load_checkpoint(tmp_path / "ckpt")
    (tmp_path / "ckpt" / CONFIG_FILE).write_text(json.dumps({"step": 1}))
    with pytest.raises(ValueError, match="'_checkpoint' entry of format_version 1, found None"):
        load_checkpoint(tmp_path / "ckpt")


@pytest.mark.parametrize("tensors, meta, err, match", [
    ({"w": [1.0]}, {}, TypeError, r"tensors\['w'\]: expected a numpy array, got list"),
    ({1: np.zeros(1)}, {}, TypeError, "non-empty str keys"),
    ({}, {"step": np.int64(3)}, TypeError, "meta: expected JSON-serialisable"),
    ({}, {"_checkpoint": 1}, ValueError, "without the key '_checkpoint'"),
])
def test_bad_input_is_named_and_writes_nothing(tmp_path, tensors, meta, err, match):
    with pytest.raises(err, match=match):
        save_checkpoint(tmp_path / "ckpt", tensors, meta)
    assert os.listdir(tmp_path) == []
