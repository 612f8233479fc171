"""The reservoir multiplies by a dense copy of W when that is faster; the states must not change."""
import numpy as np
import scipy.sparse as sp

from unroll.reservoir import Reservoir
from unroll.reservoir.matrices import DENSE_ABOVE_DENSITY, product_form


def hand_run(res, X):
    W = res.W_.toarray().astype(np.float64)
    x, states = np.zeros(res.units), []
    for u in X:
        pre = W @ x + res.W_in_ @ u + res.bias_
        x = (1 - res.leak_) * x + res.leak_ * np.tanh(pre)
        states.append(x)
    return np.array(states)


def test_dense_form_is_chosen_only_when_dense_and_small():
    dense = sp.random(100, 100, density=2 * DENSE_ABOVE_DENSITY, format="csr", random_state=0, dtype=np.float32)
    sparse = sp.random(100, 100, density=DENSE_ABOVE_DENSITY / 2, format="csr", random_state=0, dtype=np.float32)
    huge = sp.random(2000, 2000, density=0.1, format="csr", random_state=0, dtype=np.float32)  # 16 MB dense
    assert isinstance(product_form(dense), np.ndarray)
    assert product_form(sparse) is sparse and product_form(huge) is huge


def test_states_equal_the_update_equation_in_both_forms():
    X = np.random.default_rng(1).standard_normal((40, 3))
    for connectivity in (0.02, 0.3):  # CSR product, then dense product
        res = Reservoir(120, connectivity=connectivity, leak_rate=0.4, bias_scaling=0.5, rng=0, dtype=np.float64)
        states = res.run(X)
        assert isinstance(product_form(res.W_), np.ndarray) == (connectivity > DENSE_ABOVE_DENSITY)
        np.testing.assert_allclose(states, hand_run(res, X), rtol=0, atol=1e-12)
