"""ONNX export checked by ONNX Runtime: outputs and final states equal to unroll's to 1e-5 in float32
(uni/bidirectional, stacked, concat/sum, with lengths and initial states; the char LM; classifiers
with LastStep/MeanPool/MaxPool), onnx.checker passes, and an exported char LM samples in a
subprocess where unroll cannot be imported."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from unroll import cli, nn  # noqa: E402
from unroll.checkpoint import save_checkpoint  # noqa: E402
from unroll.interop.onnx import export  # noqa: E402
from unroll.models import CharLM  # noqa: E402
from unroll.nn.state import from_tuple, to_tuple  # noqa: E402
from unroll.training import TrainConfig  # noqa: E402

B, T, D, H = 3, 6, 4, 5
LENGTHS = np.array([6, 3, 1])
ATOL = 1e-5


def run_onnx(path, feeds) -> dict:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return dict(zip([o.name for o in session.get_outputs()], session.run(None, feeds)))


def state_feeds(stack, rng, batch=B):
    parts = tuple(rng.standard_normal((stack.num_layers * stack.num_directions, batch, H)).astype(np.float32)
                  for _ in range(stack.spec.num_states))
    return parts, dict(zip(("h0", "c0"), parts))


@pytest.mark.parametrize("cell", ["rnn", "rnn-relu", "lstm", "gru", "peephole"])
@pytest.mark.parametrize("layers,bidirectional,merge", [(1, False, "concat"), (2, False, "concat"),
                                                       (2, True, "concat"), (1, True, "sum")])
def test_stacks_match_onnxruntime(tmp_path, cell, layers, bidirectional, merge):
    rng = np.random.default_rng(0)
    stack = nn.RecurrentStack(D, H, num_layers=layers, bidirectional=bidirectional, merge=merge, cell=cell,
                              rng=1).eval()
    path = tmp_path / "stack.onnx"
    export(stack, path)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    x = rng.standard_normal((B, T, D)).astype(np.float32)
    parts, feeds = state_feeds(stack, rng)
    y, state, _ = stack.forward(x, from_tuple(parts, stack.state_type), LENGTHS)
    got = run_onnx(path, {"x": x, "lengths": LENGTHS.astype(np.int32), **feeds})
    np.testing.assert_allclose(got["y"], y, atol=ATOL)  # zeros past each length in both
    for name, part in zip(("h_n", "c_n"), to_tuple(state)):
        np.testing.assert_allclose(got[name], part, atol=ATOL)


def test_a_stack_without_bias_lengths_or_state_inputs(tmp_path):
    stack = nn.GRU(D, H, num_layers=2, bias=False, rng=2).eval()
    export(stack, tmp_path / "gru.onnx", lengths=False, state=False)
    x = np.random.default_rng(3).standard_normal((B, T, D)).astype(np.float32)
    y, h, _ = stack.forward(x)
    got = run_onnx(tmp_path / "gru.onnx", {"x": x})
    np.testing.assert_allclose(got["y"], y, atol=ATOL)
    np.testing.assert_allclose(got["h_n"], h, atol=ATOL)


@pytest.mark.parametrize("cell,embedding_dim", [("lstm", 5), ("gru", None), ("peephole", 3)])
def test_char_lm_matches_onnxruntime(tmp_path, cell, embedding_dim):
    V = 11
    model = CharLM(V, cell=cell, hidden_size=H, num_layers=2, embedding_dim=embedding_dim, dropout=0.1, rng=0).eval()
    export(model, tmp_path / "lm.onnx")
    rng = np.random.default_rng(4)
    tokens = rng.integers(0, V, (B, T))
    parts, feeds = state_feeds(model.rnn, rng)
    logits, state, _ = model.forward(tokens, from_tuple(parts, model.rnn.state_type), LENGTHS)
    got = run_onnx(tmp_path / "lm.onnx", {"tokens": tokens, "lengths": LENGTHS.astype(np.int32), **feeds})
    valid = (np.arange(T)[None, :] < LENGTHS[:, None])[:, :, None]
    np.testing.assert_allclose(np.where(valid, got["logits"], 0), np.where(valid, logits, 0), atol=ATOL)
    e = np.exp(logits - logits.max(-1, keepdims=True))
    np.testing.assert_allclose(got["probs"], e / e.sum(-1, keepdims=True), atol=ATOL)
    for name, part in zip(("h_n", "c_n"), to_tuple(state)):
        np.testing.assert_allclose(got[name], part, atol=ATOL)


@pytest.mark.parametrize("pool", [nn.LastStep, nn.MeanPool, nn.MaxPool])
@pytest.mark.parametrize("lengths", [True, False])
def test_classifiers_match_onnxruntime(tmp_path, pool, lengths):
    V = 9
    model = nn.Sequential(nn.Embedding(V, D, rng=0), nn.Dropout(0.2), nn.LSTM(D, H, bidirectional=True, rng=1),
                          pool(), nn.Linear(2 * H, 3, rng=2)).eval()
    export(model, tmp_path / "clf.onnx", lengths=lengths, state=False)
    tokens = np.random.default_rng(5).integers(0, V, (B, T))
    logits, _, _ = model.forward(tokens, None, LENGTHS if lengths else None)
    feeds = {"tokens": tokens, **({"lengths": LENGTHS.astype(np.int32)} if lengths else {})}
    got = run_onnx(tmp_path / "clf.onnx", feeds)
    np.testing.assert_allclose(got["logits"], logits, atol=ATOL)
    assert got["probs"].shape == (B, 3)


def test_refusals_name_what_was_expected(tmp_path):
    with pytest.raises(ValueError, match="expected a stack of one of .* cells, got 'leaky'"):
        export(nn.LeakyRNN(D, H), tmp_path / "x.onnx")
    with pytest.raises(TypeError, match="expected a float32 module"):
        export(nn.LSTM(D, H, dtype=np.float64), tmp_path / "x.onnx")
    with pytest.raises(ValueError, match="at most one recurrent stack"):
        export(nn.Sequential(nn.GRU(D, H), nn.GRU(H, H)), tmp_path / "x.onnx")
    with pytest.raises(TypeError, match="expected a RecurrentStack"):
        export(nn.LSTMCell(D, H), tmp_path / "x.onnx")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_exported_char_lm_samples_without_unroll(tmp_path, capsys):
    V_chars = sorted(set("\nabcdefgh"))
    model = CharLM(len(V_chars), cell="gru", hidden_size=8, embedding_dim=4, rng=0)
    config = TrainConfig()
    config = TrainConfig.from_dict({**config.to_dict(), "data": {**config.to_dict()["data"], "lines": True}})
    save_checkpoint(tmp_path / "ckpt", model.state_dict(), {"format": "unroll.char_lm", "model": model.config(),
                                                            "train_config": config.to_dict(),
                                                            "vocabulary": V_chars})
    assert cli.main(["export", str(tmp_path / "ckpt"), str(tmp_path / "lm.onnx")]) == 0
    assert "inputs tokens, lengths, h0; outputs logits, probs, h_n" in capsys.readouterr().out
    meta = {p.key: p.value for p in onnx.load(str(tmp_path / "lm.onnx")).metadata_props}
    assert json.loads(meta["unroll.vocabulary"]) == V_chars and json.loads(meta["unroll.lines"]) is True
    site = sorted({os.path.dirname(os.path.dirname(m.__file__)) for m in (np, ort)})
    script = os.path.join(os.path.dirname(__file__), "ort_sampler.py")
    done = subprocess.run([sys.executable, "-I", "-S", script, str(tmp_path / "lm.onnx"), "4", "0", *site],
                          capture_output=True, text=True, timeout=60, env={"PATH": os.environ.get("PATH", "")})
    assert done.returncode == 0, done.stderr
    samples = done.stdout.split("\n")[:4]
    assert len(samples) == 4 and all(set(s) <= set(V_chars) - {"\n"} for s in samples)
    assert any(samples)
