"""Readouts: Ridge against its closed form and streaming, RLS and LMS convergence, validation."""
import numpy as np
import pytest

from unroll.reservoir import LMS, RLS, Ridge


def _linear_data(T=400, F=5, O=2, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    R = rng.standard_normal((T, F))
    W, b = rng.standard_normal((O, F)), rng.standard_normal(O)
    return R, R @ W.T + b + noise * rng.standard_normal((T, O)), W, b


def test_ridge_recovers_exact_weights_without_penalty():
    R, Y, W, b = _linear_data()
    ro = Ridge(0.0).fit(R, Y)
    np.testing.assert_allclose(ro.coef_, W, atol=1e-10)
    np.testing.assert_allclose(ro.intercept_, b, atol=1e-10)


def test_ridge_matches_the_closed_form_with_an_unpenalised_bias():
    R, Y, _, _ = _linear_data(T=60, F=8, noise=0.5)
    lam = 3.0
    ro = Ridge(lam).fit(R, Y)
    # The unpenalised intercept is the one of centred data.
    Rc, Yc = R - R.mean(0), Y - Y.mean(0)
    W = np.linalg.solve(Rc.T @ Rc + lam * np.eye(8), Rc.T @ Yc).T
    np.testing.assert_allclose(ro.coef_, W, atol=1e-10)
    np.testing.assert_allclose(ro.intercept_, Y.mean(0) - R.mean(0) @ W.T, atol=1e-10)
    np.testing.assert_allclose(ro.predict(R), R @ W.T + ro.intercept_, atol=1e-10)


def test_ridge_streams_over_series_and_batches():
    R, Y, _, _ = _linear_data(T=300, noise=0.3)
    full = Ridge(1e-2).fit(R, Y)
    parts = Ridge(1e-2).partial_fit(R[:100], Y[:100]).partial_fit(R[100:].reshape(2, 100, 5), Y[100:].reshape(2, 100, 2))
    np.testing.assert_allclose(parts.coef_, full.coef_, atol=1e-10)
    refit = parts.fit(R[:50], Y[:50])  # fit forgets earlier data
    np.testing.assert_allclose(refit.coef_, Ridge(1e-2).fit(R[:50], Y[:50]).coef_, atol=1e-12)


def test_rls_reaches_least_squares_in_one_pass():
    R, Y, _, _ = _linear_data(T=300, noise=0.2)
    rls = RLS(alpha=1e-8).fit(R, Y)
    ls = Ridge(0.0).fit(R, Y)
    np.testing.assert_allclose(rls.coef_, ls.coef_, atol=1e-5)
    np.testing.assert_allclose(rls.intercept_, ls.intercept_, atol=1e-5)


def test_lms_converges_to_the_true_weights():
    R, Y, W, b = _linear_data(T=5000)
    lms = LMS(learning_rate=0.02).fit(R, Y)
    np.testing.assert_allclose(lms.coef_, W, atol=1e-3)
    np.testing.assert_allclose(lms.intercept_, b, atol=1e-3)


def test_readouts_predict_in_the_features_dtype():
    R, Y, _, _ = _linear_data()
    out = Ridge(1e-6).fit(R, Y).predict(R.astype(np.float32))
    assert out.dtype == np.float32


@pytest.mark.parametrize("readout", [Ridge(), RLS(), LMS()])
def test_readout_validation(readout):
    R, Y, _, _ = _linear_data(T=20)
    with pytest.raises(ValueError, match="Y"):
        readout.fit(R, Y[:-1])
    with pytest.raises(ValueError, match="finite"):
        readout.fit(np.where(R > 1, np.nan, R), Y)
    with pytest.raises(ValueError, match="fitted"):
        type(readout)().predict(R)
    readout.fit(R, Y)
    with pytest.raises(ValueError, match="earlier calls"):
        readout.partial_fit(R[:, :3], Y)


def test_bad_readout_hyperparameters():
    R, Y, _, _ = _linear_data(T=20)
    for ro, match in ((Ridge(-1.0), "ridge"), (RLS(alpha=0.0), "alpha"), (LMS(learning_rate=0.0), "learning_rate")):
        with pytest.raises(ValueError, match=match):
            ro.fit(R, Y)


def test_ridge_matches_reservoirpy():
    nodes = pytest.importorskip("reservoirpy.nodes")
    R, Y, _, _ = _linear_data(T=200, noise=0.5)
    theirs = nodes.Ridge(ridge=0.1).fit(R, Y)
    ours = Ridge(0.1).fit(R, Y)
    np.testing.assert_allclose(ours.coef_, np.asarray(theirs.Wout).T, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, np.ravel(theirs.bias), atol=1e-10)
