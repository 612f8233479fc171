import numpy as np
import pytest

import unroll
from unroll.interop.torch import from_torch, to_torch

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("make", [
    lambda: torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True),
    lambda: torch.nn.GRU(3, 5, bias=False, batch_first=True),
    lambda: torch.nn.RNN(3, 5, nonlinearity="relu", num_layers=3, batch_first=True),
])
def test_layer_round_trip_gives_same_outputs(make):
    theirs = make().double()
    ours = from_torch(theirs)
    assert ours.dtype == np.float64
    x = np.random.default_rng(0).standard_normal((2, 4, 3))
    y, _, _ = ours.forward(x)
    expected, _ = theirs(torch.tensor(x))
    np.testing.assert_allclose(y, expected.detach().numpy(), atol=1e-12)
    back = to_torch(ours)
    for key, value in theirs.state_dict().items():
        assert torch.equal(back.state_dict()[key], value)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_round_trip(cls):
    theirs = getattr(torch.nn, cls)(3, 4)
    ours = from_torch(theirs)
    assert isinstance(ours, getattr(unroll.nn, cls)) and ours.dtype == np.float32
    x = np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32)
    state, _ = ours.forward(x)
    expected = theirs(torch.tensor(x))
    got, want = (state.h, expected[0]) if cls == "LSTMCell" else (state, expected)
    np.testing.assert_allclose(got, want.detach().numpy(), atol=1e-6)
    assert all(torch.equal(to_torch(ours).state_dict()[k], v) for k, v in theirs.state_dict().items())


def test_unsupported_modules_raise_clearly():
    with pytest.raises(TypeError, match="expected one of .* got torch.nn.modules.linear.Linear"):
        from_torch(torch.nn.Linear(2, 3))
    with pytest.raises(ValueError, match="proj_size 0, got 2"):
        from_torch(torch.nn.LSTM(3, 5, proj_size=2))
    with pytest.raises(ValueError, match="merge='sum'"):
        to_torch(unroll.nn.GRU(3, 4, bidirectional=True, merge="sum"))
    with pytest.raises(TypeError, match="LeakyRNN"):
        to_torch(unroll.nn.LeakyRNN(3, 4))
