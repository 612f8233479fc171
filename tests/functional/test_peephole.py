"""The peephole LSTM: finite differences of its step kernels (float64, every input, the state and the
peephole weights), its forward against the equations written here, the layer with lengths and both
directions, gradients that stay out of grads when BPTT does not accumulate, parity with ONNX
Runtime's LSTM operator and its peephole input P, and `unroll train --cell peephole`."""
import numpy as np
import pytest
from gradient_checks import assert_grads

from unroll import functional as F
from unroll import nn
from unroll.cli import main
from unroll.nn import registry
from unroll.nn.state import LSTMState

B, D, H, T = 3, 2, 4, 5
LENGTHS = np.array([5, 2, 3])


def sig(a):
    return 1 / (1 + np.exp(-a))


def reference_step(gx, h0, c0, w_hh, b_hh, p):
    """seed 001's equations, written out independently of the kernel."""
    a = gx + h0 @ w_hh.T + (0 if b_hh is None else b_hh)
    i = sig(a[:, :H] + p[:H] * c0)
    f = sig(a[:, H:2 * H] + p[H:2 * H] * c0)
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c0 + i * g
    o = sig(a[:, 3 * H:] + p[2 * H:] * c)
    return o * np.tanh(c), c


@pytest.mark.parametrize("bias", [True, False])
def test_step_kernel_gradients(bias):
    rng = np.random.default_rng(1)
    gx = rng.standard_normal((B, 4 * H))
    state = (rng.standard_normal((B, H)), rng.standard_normal((B, H)))
    w_hh = rng.standard_normal((4 * H, H)) * 0.7
    b_hh = rng.standard_normal(4 * H) if bias else None
    p = rng.standard_normal(3 * H)
    weights = [rng.standard_normal((B, H)) for _ in range(2)]

    def loss():
        new_state, _ = F.peephole_step_forward(gx, state, w_hh, b_hh, peephole=p)
        return sum(float((s * w).sum()) for s, w in zip(new_state, weights))

    _, cache = F.peephole_step_forward(gx, state, w_hh, b_hh, peephole=p)
    d_p = np.zeros_like(p)
    dgx, dgh, d_prev = F.peephole_step_backward(tuple(weights), cache, w_hh, peephole=p, d_peephole=d_p)
    arrays = {"gx": gx, "w_hh": w_hh, "h0": state[0], "c0": state[1], "peephole": p}
    grads = {"gx": dgx, "w_hh": dgh.T @ state[0], "h0": d_prev[0], "c0": d_prev[1], "peephole": d_p}
    if bias:
        arrays["b_hh"], grads["b_hh"] = b_hh, dgh.sum(axis=0)
    assert_grads(loss, arrays, grads)


def test_step_computes_the_equations_and_zero_peepholes_are_the_lstm():
    rng = np.random.default_rng(2)
    gx, (h0, c0) = rng.standard_normal((B, 4 * H)), rng.standard_normal((2, B, H))
    w, b, p = rng.standard_normal((4 * H, H)), rng.standard_normal(4 * H), rng.standard_normal(3 * H)
    (h, c), cache = F.peephole_step_forward(gx, (h0, c0), w, b, peephole=p)
    h_ref, c_ref = reference_step(gx, h0, c0, w, b, p)
    np.testing.assert_allclose(h, h_ref, atol=1e-14)
    np.testing.assert_allclose(c, c_ref, atol=1e-14)
    assert set(F.peephole_gates(cache)) == {0, 1, 2, 3}
    (h_lstm, c_lstm), _ = F.lstm_step_forward(gx, (h0, c0), w, b)
    (h_zero, c_zero), _ = F.peephole_step_forward(gx, (h0, c0), w, b, peephole=np.zeros(3 * H))
    np.testing.assert_allclose(h_zero, h_lstm, atol=1e-14)
    np.testing.assert_allclose(c_zero, c_lstm, atol=1e-14)


def test_bidirectional_layer_with_lengths_is_two_runners_and_keeps_padding_out():
    layer = nn.RecurrentStack(D, H, bidirectional=True, cell="peephole", dtype=np.float64, rng=3)
    x = np.random.default_rng(4).standard_normal((B, T, D))
    y, state, cache = layer.forward(x, lengths=LENGTHS)
    fwd, bwd = layer.layers[0].directions
    for k, direction in enumerate((fwd, bwd)):
        y_k, s_k, _ = direction.forward(x, lengths=LENGTHS)
        np.testing.assert_allclose(y[..., k * H:(k + 1) * H], y_k, atol=1e-14)
        np.testing.assert_allclose(state.c[k], s_k.c, atol=1e-14)
    layer.zero_grad()
    dx, _ = layer.backward(np.ones_like(y), None, cache)
    padded = np.arange(T)[None, :] >= LENGTHS[:, None]
    assert np.all(y[padded] == 0) and np.all(dx[padded] == 0)
    assert np.abs(layer.grads["weight_peephole_l0"]).max() > 0
    assert np.abs(layer.grads["weight_peephole_l0_reverse"]).max() > 0


def test_state_gradients_leave_the_peephole_grads_alone():
    runner = nn.Recurrent(registry.build_cell("peephole", D, H, dtype=np.float64, rng=5))
    x = np.random.default_rng(6).standard_normal((B, T, D))
    y, _, cache = runner.forward(x)
    runner.state_gradients(np.ones_like(y), None, cache)
    assert all(np.all(g == 0) for g in runner.grads.values())
    runner.backward(np.ones_like(y), None, cache)
    once = runner.grads["weight_peephole"].copy()
    runner.backward(np.ones_like(y), None, cache)  # gradients accumulate, each backward once
    np.testing.assert_allclose(runner.grads["weight_peephole"], 2 * once, rtol=1e-12)


def test_parity_with_onnxruntime_lstm_and_its_peephole_input():
    """One ONNX LSTM node built here from the raw arrays (independent of unroll's exporter)."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper
    cell = registry.build_cell("peephole", D, H, rng=7)
    p = cell.params
    onnx_order = lambda a: np.concatenate([a[k * H:(k + 1) * H] for k in (0, 3, 1, 2)])  # i,f,g,o -> i,o,f,c
    pi, pf, po = np.split(p["weight_peephole"], 3)
    inits = {"W": onnx_order(p["weight_ih"])[None], "R": onnx_order(p["weight_hh"])[None],
             "B": np.concatenate([onnx_order(p["bias_ih"]), onnx_order(p["bias_hh"])])[None],
             "P": np.concatenate([pi, po, pf])[None]}
    node = helper.make_node("LSTM", ["X", "W", "R", "B", "L", "h0", "c0", "P"], ["Y", "Y_h", "Y_c"], hidden_size=H)
    io = lambda name, t, shape: helper.make_tensor_value_info(name, t, shape)
    graph = helper.make_graph([node], "peephole", [io("X", TensorProto.FLOAT, [T, B, D]), io("L", TensorProto.INT32, [B]),
                                                   io("h0", TensorProto.FLOAT, [1, B, H]),
                                                   io("c0", TensorProto.FLOAT, [1, B, H])],
                              [io("Y", TensorProto.FLOAT, [T, 1, B, H]), io("Y_h", TensorProto.FLOAT, [1, B, H]),
                               io("Y_c", TensorProto.FLOAT, [1, B, H])],
                              [numpy_helper.from_array(v.astype(np.float32), k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((B, T, D)).astype(np.float32)
    h0, c0 = rng.standard_normal((2, 1, B, H)).astype(np.float32)
    y, state, _ = nn.Recurrent(cell).forward(x, LSTMState(h0[0], c0[0]), LENGTHS)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    Y, Y_h, Y_c = session.run(None, {"X": x.transpose(1, 0, 2), "L": LENGTHS.astype(np.int32), "h0": h0, "c0": c0})
    np.testing.assert_allclose(Y[:, 0].transpose(1, 0, 2), y, atol=1e-5)
    np.testing.assert_allclose(Y_h[0], state.h, atol=1e-5)
    np.testing.assert_allclose(Y_c[0], state.c, atol=1e-5)


def test_unroll_train_cell_peephole(tmp_path, capsys):
    names = tmp_path / "names.txt"
    names.write_text("\n".join(["alosaurus", "brontosaurus", "ceratops", "diplodocus"] * 3))
    argv = ["train", str(names), "--lines", "--cell", "peephole", "--epochs", "1", "--out", str(tmp_path / "run"),
            "--hidden", "8", "--embedding", "4", "--batch-size", "4", "--no-progress", "--seed", "1"]
    assert main(argv) == 0, capsys.readouterr().err
    assert main(["sample", str(tmp_path / "run"), "--n", "2", "--seed", "0"]) == 0
