"""ESN -> trainable RNN: the network computes the reservoir's states and the ESN's outputs."""
import numpy as np
import pytest

from unroll.reservoir import ESN, Reservoir, Ridge
from unroll.reservoir.rnn_init import networks_from_esn, rnn_from_reservoir


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("leak", [1.0, 0.4, "per-unit"])
def test_rnn_states_equal_the_reservoir_states(leak, activation):
    rng = np.random.default_rng(0)
    leak = rng.uniform(0.2, 1.0, 30) if leak == "per-unit" else leak
    res = Reservoir(30, spectral_radius=0.9, leak_rate=leak, bias_scaling=0.3, activation=activation, rng=1,
                    dtype=np.float64)
    X = rng.standard_normal((2, 40, 3))
    states = res.run(X)
    rnn = rnn_from_reservoir(res)
    out, h_n, _ = rnn.forward(X)
    np.testing.assert_allclose(out, states, atol=1e-12)
    np.testing.assert_allclose(h_n[0], states[:, -1], atol=1e-12)


def test_rnn_and_linear_reproduce_the_esn_and_train_by_bptt():
    s = np.sin(np.arange(301) / 4.0)[:, None]
    esn = ESN(Reservoir(40, leak_rate=0.5, rng=0, dtype=np.float64), Ridge(1e-6)).fit(s[:-1], s[1:], warmup=20)
    rnn, linear = networks_from_esn(esn)
    h, _, cache = rnn.forward(s[None, :-1])
    y, _, lin_cache = linear.forward(h)
    np.testing.assert_allclose(y[0], esn.predict(s[:-1]), atol=1e-10)
    rnn.zero_grad()
    linear.zero_grad()
    d_h, _ = linear.backward(np.ones_like(y), None, lin_cache)
    rnn.backward(d_h, None, cache)
    assert np.abs(rnn.grads["weight_hh_l0"]).sum() > 0  # every reservoir weight is now trainable


def test_rnn_init_validation():
    with pytest.raises(ValueError, match="initialised"):
        rnn_from_reservoir(Reservoir(10))
    res = Reservoir(10, activation="identity", rng=0).initialize(1)
    with pytest.raises(ValueError, match="tanh"):
        rnn_from_reservoir(res)
    s = np.sin(np.arange(50.0))[:, None]
    esn = ESN(Reservoir(10, rng=0, dtype=np.float64), input_to_readout=True).fit(s[:-1], s[1:])
    with pytest.raises(ValueError, match="states only"):
        networks_from_esn(esn)
    squares = ESN(Reservoir(10, rng=0, dtype=np.float64), square_states=True).fit(s[:-1], s[1:])
    with pytest.raises(ValueError, match="square_states"):
        networks_from_esn(squares)
