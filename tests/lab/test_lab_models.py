"""The lab's models: initialisers as the literature states them, gradients against finite differences."""
import numpy as np
import pytest

from unroll import gradcheck
from unroll.diagnostics import recurrent_spectrum
from unroll.lab import CELLS, LabModel, build_recurrent, get_task, loss_and_grad


def test_initialisers():
    irnn = build_recurrent("irnn", 2, 8, 100, rng=0)
    np.testing.assert_array_equal(irnn.params["weight_hh_l0"], np.eye(8))
    assert not irnn.params["bias_ih_l0"].any() and not irnn.params["bias_hh_l0"].any()
    assert irnn.cell_name == "rnn-relu" and np.abs(irnn.params["weight_ih_l0"]).max() < 0.01
    ornn = build_recurrent("ornn", 2, 8, 100, rng=0)
    w = ornn.params["weight_hh_l0"].astype(np.float64)
    np.testing.assert_allclose(w @ w.T, np.eye(8), atol=1e-6)
    np.testing.assert_allclose(recurrent_spectrum(ornn)[0], 1.0, rtol=1e-5)  # orthogonal: |eigenvalues| = 1
    lstm = build_recurrent("lstm", 2, 8, 100, rng=0)
    bias = lstm.params["bias_ih_l0"] + lstm.params["bias_hh_l0"]  # the effective bias
    np.testing.assert_array_equal(bias[8:16], 1.0)
    clstm = build_recurrent("clstm", 2, 8, 100, rng=0)
    bias = clstm.params["bias_ih_l0"] + clstm.params["bias_hh_l0"]
    assert (bias[8:16] >= 0.0).all() and (bias[8:16] <= np.log(99.0)).all()
    np.testing.assert_array_equal(bias[:8], -bias[8:16])
    with pytest.raises(ValueError, match="cell"):
        build_recurrent("transformer", 2, 8, 100)


@pytest.mark.parametrize("task_name,cell", [("adding", "lstm"), ("copy", "gru"), ("order", "rnn"), ("sine", "irnn")])
def test_model_gradients_match_finite_differences(task_name, cell):
    task = get_task(task_name)
    model = LabModel(cell, task.input_size, 3, task.output_size, task.many_to_one, 12, rng=0, dtype=np.float64)
    x, y = task.generate(2, 12, rng=1, dtype=np.float64)
    if cell == "irnn":  # move off the kink-free but degenerate identity start so every weight matters
        model.params["rnn.weight_ih_l0"][:] = np.random.default_rng(2).standard_normal((3, 1))
        model.params["rnn.bias_ih_l0"][:] = 0.3

    def loss():
        return loss_and_grad(task, model.forward(x)[0], y)[0]

    pred, state, cache = model.forward(x)
    _, d_pred = loss_and_grad(task, pred, y)
    model.zero_grad()
    dx, _ = model.backward(d_pred, None, cache)
    assert dx.shape == x.shape
    errors = gradcheck(loss, model.params, model.grads)
    assert max(errors.values()) < 1e-6, errors
    # the diagnostics' view of dL/d output is what backward sends into the recurrent layer
    expected = {k: g.copy() for k, g in model.rnn.grads.items()}
    model.zero_grad()
    model.rnn.backward(model.output_gradient(d_pred, cache), None, model.rnn_cache(cache))
    for key, g in model.rnn.grads.items():
        np.testing.assert_allclose(g, expected[key], rtol=1e-12, atol=1e-15)
    assert not model.grads["head.weight"].any()


def test_many_to_one_reads_the_last_valid_step_of_each_sequence():
    task = get_task("adding")
    model = LabModel("gru", task.input_size, 4, task.output_size, True, 12, rng=0, dtype=np.float64)
    x, _ = task.generate(2, 12, rng=1, dtype=np.float64)
    pred, _, _ = model.forward(x, lengths=np.array([12, 7]))
    np.testing.assert_allclose(pred[1], model.forward(x[1:, :7])[0][0], rtol=1e-12)
    np.testing.assert_allclose(pred[0], model.forward(x[:1])[0][0], rtol=1e-12)

def test_cells_list_matches_the_builder():
    for cell in CELLS:
        layer = build_recurrent(cell, 3, 4, 20, rng=0)
        assert layer.hidden_size == 4 and layer.num_layers == 1
