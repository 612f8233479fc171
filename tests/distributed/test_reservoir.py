"""Ridge readouts from per-partition statistics on workers equal the in-memory fit."""
import numpy as np
import pytest

pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

from unroll.distributed import fit_esn, fit_esn_files, predict_esn, run_reservoir  # noqa: E402
from unroll.errors import InvalidTypeError, InvalidValueError  # noqa: E402
from unroll.reservoir import ESN, RLS, Reservoir, Ridge  # noqa: E402


def series(b=10, t=60, d=2, seed=0):
    rng = np.random.default_rng(seed)
    X = np.cumsum(rng.standard_normal((b, t, d)), axis=1) * 0.1  # (B, T, D)
    Y = np.tanh(X @ rng.standard_normal((d, 3)))  # (B, T, 3)
    return X, Y


def esn(feedback=False, readout=None):
    res = Reservoir(40, spectral_radius=0.9, leak_rate=0.5, bias_scaling=0.2, connectivity=0.2, rng=3,
                    feedback_scaling=0.5 if feedback else 0.0, dtype=np.float64)
    return ESN(res, readout or Ridge(1e-6), feedback=feedback, input_to_readout=not feedback, square_states=True)


def assert_same_fit(a, b):
    np.testing.assert_allclose(b.readout_.gram_, a.readout_.gram_, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(b.readout_.coef_, a.readout_.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(b.readout_.intercept_, a.readout_.intercept_, rtol=1e-6, atol=1e-8)


def test_dask_array_fit_equals_the_in_memory_fit(client):
    X, Y = series()
    ref = esn().fit(X, Y, warmup=5)
    out = fit_esn(esn(), da.from_array(X, chunks=(3, 20, 2)), da.from_array(Y, chunks=(4, -1, -1)), warmup=5,
                  client=client)  # 4 partitions of whole series (time rechunked whole)
    assert_same_fit(ref, out)
    np.testing.assert_allclose(out.predict(X[:2]), ref.predict(X[:2]), atol=1e-8)
    np.testing.assert_array_equal(out.state_, ref.states(X[-2:], Y[-2:])[:, -1])  # the last partition's rows


def test_feedback_fit_without_input_over_files_equals_the_in_memory_fit(client, tmp_path):
    _, Y = series(b=6, seed=1)
    paths = []
    for k, part in enumerate([Y[:1], Y[1:4], Y[4:]]):
        paths.append(tmp_path / f"part-{k}.npz")
        np.savez(paths[-1], Y=part[0] if k == 0 else part)  # a file may hold one series (T, O)
    ref = esn(feedback=True).fit(None, Y, warmup=3)
    out = fit_esn_files(esn(feedback=True), paths, warmup=3, client=client)
    assert_same_fit(ref, out)


def test_run_and_predict_over_blocks_equal_one_process(client):
    X, Y = series(b=7)
    res = Reservoir(30, connectivity=0.3, rng=1, dtype=np.float64)
    states = client.compute(run_reservoir(res, da.from_array(X, chunks=(2, -1, -1)))).result()
    np.testing.assert_allclose(states, res.run(X), atol=1e-12)
    fitted = esn().fit(X, Y)
    pred = client.compute(predict_esn(fitted, da.from_array(X, chunks=(3, -1, -1)))).result()
    np.testing.assert_allclose(pred, fitted.predict(X), atol=1e-10)


def test_bad_inputs_are_named(client, tmp_path):
    X, Y = series(b=2)
    with pytest.raises(InvalidTypeError, match="RLS and LMS are sequential"):
        fit_esn(esn(readout=RLS()), None, da.from_array(Y), client=client)
    with pytest.raises(InvalidTypeError, match="Y: expected a dask array"):
        fit_esn(esn(), X, Y, client=client)
    with pytest.raises(InvalidTypeError, match="expected dtype float64 like the reservoir, got float32"):
        fit_esn(esn(), da.from_array(X), da.from_array(Y.astype(np.float32)), client=client)
    np.savez(tmp_path / "bad.npz", targets=Y)
    with pytest.raises(InvalidValueError, match="expected an array 'Y' of targets"):
        fit_esn_files(esn(feedback=True), [tmp_path / "bad.npz"], client=client)
    with pytest.raises(InvalidValueError, match="gram, cross: expected"):
        Ridge().fit_statistics(np.eye(3), np.zeros((2, 4)))
