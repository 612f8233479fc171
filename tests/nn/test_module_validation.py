"""Bad input raises ValueError (wrong value or shape) or TypeError (wrong type or dtype), and the
message names what was expected and what came. Nothing is broadcast or cast silently."""
import numpy as np
import pytest

import unroll.nn as nn
from unroll import functional as F

B, T, D, H = 2, 3, 3, 4


def x32(*shape):
    return np.zeros(shape or (B, T, D), np.float32)


SEQUENCE_MODULES = {
    "RNN": lambda: nn.RNN(D, H),
    "LSTM": lambda: nn.LSTM(D, H, num_layers=2, bidirectional=True),
    "GRU": lambda: nn.GRU(D, H),
    "LeakyRNN": lambda: nn.LeakyRNN(D, H),
    "Recurrent": lambda: nn.Recurrent(nn.LSTMCell(D, H)),
    "Bidirectional": lambda: nn.Bidirectional(nn.Recurrent(nn.GRUCell(D, H)), nn.Recurrent(nn.GRUCell(D, H), True)),
}
CELLS = {"RNNCell": nn.RNNCell, "LSTMCell": nn.LSTMCell, "GRUCell": nn.GRUCell, "LeakyRNNCell": nn.LeakyRNNCell}


@pytest.mark.parametrize("name", SEQUENCE_MODULES)
class TestSequenceInput:
    def test_wrong_rank(self, name):
        with pytest.raises(ValueError, match=r"x: expected 3 dimensions \(\*, \*, 3\), got shape \(2, 3\)"):
            SEQUENCE_MODULES[name]().forward(x32(B, D))

    def test_wrong_feature_size(self, name):
        with pytest.raises(ValueError, match=r"x: expected shape \(\*, \*, 3\), got \(2, 3, 5\) \(axis 2\)"):
            SEQUENCE_MODULES[name]().forward(x32(B, T, 5))

    def test_wrong_dtype(self, name):
        with pytest.raises(TypeError, match="x: expected dtype float32, got float64"):
            SEQUENCE_MODULES[name]().forward(np.zeros((B, T, D)))
        with pytest.raises(TypeError, match="x: expected dtype float32, got int64"):
            SEQUENCE_MODULES[name]().forward(np.zeros((B, T, D), np.int64))

    def test_not_an_array(self, name):
        with pytest.raises(TypeError, match="x: expected a numpy array, got list"):
            SEQUENCE_MODULES[name]().forward(x32().tolist())

    @pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
    def test_non_finite_input(self, name, bad):
        x = x32()
        x[1, 2, 0] = bad
        with pytest.raises(ValueError, match="x: expected finite values, got NaN or inf"):
            SEQUENCE_MODULES[name]().forward(x)

    @pytest.mark.parametrize("lengths,error,message", [
        ([3, 4], ValueError, r"lengths: expected values in \[0, 3\], got min 3 max 4"),
        ([-1, 2], ValueError, r"lengths: expected values in \[0, 3\], got min -1 max 2"),
        ([3, 2, 1], ValueError, r"lengths: expected shape \(2,\), got \(3,\)"),
        ([[3, 2]], ValueError, r"lengths: expected shape \(2,\), got \(1, 2\)"),
        ([3.0, 2.0], TypeError, "lengths: expected integers, got float64"),
        ([True, False], TypeError, "lengths: expected integers, got bool"),
    ])
    def test_bad_lengths(self, name, lengths, error, message):
        with pytest.raises(error, match=message):
            SEQUENCE_MODULES[name]().forward(x32(), lengths=np.array(lengths))

    def test_valid_lengths_as_list_and_zero(self, name):
        y = SEQUENCE_MODULES[name]().forward(x32(), lengths=[0, 3])[0]
        assert np.all(y[0] == 0)


@pytest.mark.parametrize("make,shape,message", [
    (lambda: nn.RNN(D, H, num_layers=2), (1, B, H), r"state\[0\]: expected shape \(2, 2, 4\), got \(1, 2, 4\) \(axis 0\)"),
    (lambda: nn.GRU(D, H, bidirectional=True), (2, 3, H), r"state\[0\]: expected shape \(2, 2, 4\), got \(2, 3, 4\) \(axis 1\)"),
    (lambda: nn.RNN(D, H), (B, H), r"state\[0\]: expected 3 dimensions \(1, 2, 4\), got shape \(2, 4\)"),
    (lambda: nn.Recurrent(nn.RNNCell(D, H)), (B, H + 1), r"state\[0\]: expected shape \(2, 4\), got \(2, 5\) \(axis 1\)"),
    (lambda: nn.Bidirectional(nn.Recurrent(nn.RNNCell(D, H)), nn.Recurrent(nn.RNNCell(D, H), True)), (B, H),
     r"state\[0\]: expected 3 dimensions \(2, 2, 4\), got shape \(2, 4\)"),
])
def test_bad_state_shape(make, shape, message):
    with pytest.raises(ValueError, match=message):
        make().forward(x32(), np.zeros(shape, np.float32))


def test_bad_state_kind_and_dtype():
    with pytest.raises(TypeError, match=r"state: expected LSTMState\(h, c\), got ndarray"):
        nn.LSTM(D, H).forward(x32(), np.zeros((1, B, H), np.float32))
    with pytest.raises(TypeError, match="state: expected an array h, got LSTMState"):
        nn.GRU(D, H).forward(x32(), nn.LSTMState(np.zeros((1, B, H), np.float32), np.zeros((1, B, H), np.float32)))
    with pytest.raises(TypeError, match=r"state: expected LSTMState\(h, c\), got ndarray of 1"):
        nn.LSTMCell(D, H).forward(x32(B, D), np.zeros((B, H), np.float32))
    with pytest.raises(TypeError, match=r"state\[1\]: expected dtype float32, got float64"):
        nn.LSTMCell(D, H).forward(x32(B, D), nn.LSTMState(np.zeros((B, H), np.float32), np.zeros((B, H))))
    with pytest.raises(ValueError, match=r"state\[0\]: expected finite values"):
        nn.RNNCell(D, H).forward(x32(B, D), np.full((B, H), np.nan, np.float32))


@pytest.mark.parametrize("name", CELLS)
def test_cell_input(name):
    cell = CELLS[name](D, H)
    with pytest.raises(ValueError, match=r"x: expected 2 dimensions \(\*, 3\), got shape \(2, 3, 3\)"):
        cell.forward(x32())
    with pytest.raises(ValueError, match=r"x: expected shape \(\*, 3\), got \(2, 2\) \(axis 1\)"):
        cell.forward(x32(B, 2))
    with pytest.raises(TypeError, match="x: expected dtype float32, got float64"):
        cell.forward(np.zeros((B, D)))
    with pytest.raises(ValueError, match="x: expected finite values"):
        cell.forward(np.full((B, D), np.inf, np.float32))


@pytest.mark.parametrize("make", [
    lambda: nn.RNNCell(D, H, nonlinearity="sigmoid"), lambda: nn.RNN(D, H, nonlinearity="sigmoid"),
    lambda: nn.LeakyRNNCell(D, H, nonlinearity="sigmoid"), lambda: nn.LeakyRNN(D, H, nonlinearity="sigmoid"),
])
def test_unknown_nonlinearity(make):
    with pytest.raises(ValueError, match=r"nonlinearity: expected one of \['relu', 'tanh'\], got 'sigmoid'"):
        make()


def test_unknown_nonlinearity_in_kernel():
    with pytest.raises(ValueError, match=r"nonlinearity: expected one of \[.*'relu', 'tanh'\], got 'gelu'"):
        F.rnn_step_forward(np.zeros((1, 2)), (np.zeros((1, 2)),), np.zeros((2, 2)), None, nonlinearity="gelu")


@pytest.mark.parametrize("make", [
    lambda: nn.LSTM(D, H, bidirectional=True, merge="mean"),
    lambda: nn.Bidirectional(nn.Recurrent(nn.RNNCell(D, H)), nn.Recurrent(nn.RNNCell(D, H), True), "mean"),
])
def test_unknown_merge(make):
    with pytest.raises(ValueError, match=r"merge: expected one of \['concat', 'sum'\], got 'mean'"):
        make()


def test_bidirectional_layer_mismatch():
    with pytest.raises(ValueError, match="expected forward_layer.reverse False and backward_layer.reverse True, "
                                         "got False and False"):
        nn.Bidirectional(nn.Recurrent(nn.RNNCell(D, H)), nn.Recurrent(nn.RNNCell(D, H)))
    with pytest.raises(ValueError, match="same cell type and hidden size"):
        nn.Bidirectional(nn.Recurrent(nn.RNNCell(D, H)), nn.Recurrent(nn.GRUCell(D, H), True))


def test_batch_first_false():
    for cls in (nn.RNN, nn.LSTM, nn.GRU, nn.LeakyRNN):
        with pytest.raises(ValueError, match=r"batch_first: .* expected True, got False"):
            cls(D, H, batch_first=False)


@pytest.mark.parametrize("make,error,message", [
    (lambda: nn.LSTM(D, H, num_layers=0), ValueError, "num_layers: expected >= 1, got 0"),
    (lambda: nn.GRU(D, H, dropout=1.0), ValueError, r"dropout: expected a probability in \[0, 1\), got 1.0"),
    (lambda: nn.Dropout(-0.1), ValueError, r"p: expected a probability in \[0, 1\), got -0.1"),
    (lambda: nn.RNNCell(0, H), ValueError, "input_size: expected >= 1, got 0"),
    (lambda: nn.LSTM("4", H), TypeError, "input_size: expected a positive int, got str '4'"),
    (lambda: nn.GRU(D, 2.5), TypeError, "hidden_size: expected a positive int, got float 2.5"),
    (lambda: nn.RecurrentStack(D, H, cell="transformer"), ValueError, r"cell: expected one of \[.*.gru.*.leaky."),
    (lambda: nn.Embedding(5, 2, padding_idx=5), ValueError, r"padding_idx: expected None or an id in \[0, 5\)"),
    (lambda: nn.LSTMCell(D, H, dtype=np.int32), TypeError, "dtype: expected float32 or float64, got int32"),
    (lambda: nn.Linear(D, H, dtype=np.float16), TypeError, "dtype: expected float32 or float64, got float16"),
    (lambda: nn.LeakyRNNCell(D, H, alpha=0.0), ValueError, r"alpha: expected a rate in \(0, 1\]"),
    (lambda: nn.LeakyRNNCell(D, H, alpha=np.ones(H + 1) / 2), ValueError, r"scalar or shape \(4,\), got"),
    (lambda: nn.RNN(D, H, rng="seed"), TypeError, "rng: expected a numpy Generator, an int seed or None, got str"),
])
def test_bad_constructor_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_linear_input():
    layer = nn.Linear(D, 2)
    with pytest.raises(ValueError, match=r"x: expected shape \(\*, \*, 3\), got \(2, 3, 4\) \(axis 2\)"):
        layer.forward(x32(B, T, 4))
    with pytest.raises(TypeError, match="x: expected dtype float32, got float64"):
        layer.forward(np.zeros((B, D)))
    with pytest.raises(ValueError, match="x: expected finite values, got NaN or inf"):
        layer.forward(np.full((B, D), np.nan, np.float32))
    with pytest.raises(TypeError, match="x: expected a numpy array, got list"):
        layer.forward([[0.0] * D])


def test_embedding_tokens():
    emb = nn.Embedding(5, 2)
    with pytest.raises(TypeError, match="tokens: expected integer ids, got float64"):
        emb.forward(np.zeros((B, T)))
    with pytest.raises(ValueError, match=r"tokens: expected ids in \[0, 5\), got min 0 max 5"):
        emb.forward(np.array([[0, 5]]))
    with pytest.raises(ValueError, match=r"tokens: expected ids in \[0, 5\), got min -1 max 1"):
        emb.forward(np.array([[-1, 1]]))


def test_variational_dropout_needs_sequences():
    with pytest.raises(ValueError, match=r"variational dropout expects \(B, T, D\), got shape \(2, 3\)"):
        nn.Dropout(0.5, variational=True).forward(x32(B, D))


def test_load_state_dict_mismatch():
    layer = nn.GRU(D, H)
    state = layer.state_dict()
    with pytest.raises(ValueError, match=r"missing \['bias_hh_l0'\], unexpected \['extra'\]"):
        layer.load_state_dict({**{k: v for k, v in state.items() if k != "bias_hh_l0"}, "extra": 1})
    with pytest.raises(ValueError, match=r"load_state_dict weight_hh_l0: expected shape \(12, 4\), got \(4, 12\)"):
        layer.load_state_dict({**state, "weight_hh_l0": state["weight_hh_l0"].T})


def test_loss_arguments():
    logits, targets = np.zeros((2, 3, 4)), np.zeros((2, 3), np.int64)
    with pytest.raises(ValueError, match="reduction: expected 'mean', 'sum' or 'none', got 'avg'"):
        F.softmax_cross_entropy_forward(logits, targets, reduction="avg")
    with pytest.raises(ValueError, match=r"targets: expected class indices in \[0, 4\), got min 0 max 4"):
        F.softmax_cross_entropy_forward(logits, targets + np.array([0, 0, 4]))
    with pytest.raises(ValueError, match=r"target: expected shape \(2, 3\) \(the prediction's\), got \(3, 2\)"):
        F.mse_forward(np.zeros((2, 3)), np.zeros((3, 2)))


def test_backward_names_a_wrong_dy_and_a_foreign_cache():
    lstm = nn.LSTM(D, H, bidirectional=True)
    y, _, cache = lstm.forward(x32())
    with pytest.raises(ValueError, match=r"dy: expected shape \(2, 3, 8\), got \(2, 3, 4\) \(axis 2\)"):
        lstm.backward(np.zeros((B, T, H), np.float32), None, cache)
    with pytest.raises(TypeError, match="dy: expected dtype float32, got float64"):
        lstm.backward(np.zeros(y.shape), None, cache)
    with pytest.raises(TypeError, match="cache: expected the cache returned by this LSTM's forward, got tuple"):
        lstm.backward(y, None, (1, 2))
    other = nn.LSTM(D, H, bidirectional=True)
    with pytest.raises(TypeError, match="got the cache of another module"):
        other.backward(y, None, cache)
    linear = nn.Linear(D, 2)
    with pytest.raises(TypeError, match="cache: expected the cache returned by this Linear's forward, got list"):
        linear.backward(np.zeros((B, 2), np.float32), None, [])


def test_bad_state_gradient_is_named():
    lstm = nn.LSTM(D, H, num_layers=2)
    y, _, cache = lstm.forward(x32())
    with pytest.raises(TypeError, match=r"d_state: expected LSTMState\(h, c\), got ndarray of 1"):
        lstm.backward(y, np.zeros((2, B, H), np.float32), cache)
    with pytest.raises(ValueError, match=r"d_state\[1\]: expected shape \(2, 2, 4\)"):
        lstm.backward(y, nn.LSTMState(None, np.zeros((1, B, H), np.float32)), cache)
    dx, _ = lstm.backward(y, nn.LSTMState(None, np.zeros((2, B, H), np.float32)), cache)  # None: no gradient
    assert dx.shape == (B, T, D)


def test_lstm_bidirectional_given_a_plain_array_as_state():
    bi = nn.Bidirectional(nn.Recurrent(nn.LSTMCell(D, H)), nn.Recurrent(nn.LSTMCell(D, H), reverse=True))
    with pytest.raises(TypeError, match=r"state: expected LSTMState\(h, c\) of \(2, B, H\) arrays, got ndarray"):
        bi.forward(x32(), np.zeros((2, B, H), np.float32))


def test_load_state_dict_refuses_non_finite_and_non_numeric_weights():
    layer = nn.GRU(D, H)
    state = layer.state_dict()
    before = layer.state_dict()
    bad = {**state, "weight_hh_l0": np.full_like(state["weight_hh_l0"], np.nan)}
    with pytest.raises(ValueError, match="load_state_dict weight_hh_l0: expected finite values, got NaN or inf"):
        layer.load_state_dict(bad)
    with pytest.raises(TypeError, match="load_state_dict bias_ih_l0: expected a numeric array, got dtype <U1"):
        layer.load_state_dict({**state, "bias_ih_l0": np.array(["a"] * 12)})
    for k, v in before.items():
        np.testing.assert_array_equal(layer.params[k], v)


def test_validation_errors_are_unrolls_own():
    from unroll.errors import InvalidTypeError, InvalidValueError
    with pytest.raises(InvalidValueError):
        nn.LSTM(D, H, num_layers=0)
    with pytest.raises(InvalidTypeError):
        nn.Linear(D, 2).forward(np.zeros((B, D)))
