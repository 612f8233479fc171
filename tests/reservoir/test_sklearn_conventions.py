"""ESN, Reservoir and the readouts follow scikit-learn's estimator conventions: clone gives an
unfitted estimator with equal parameters, set_params reaches nested parameters, and fit works on
copies (the reservoir, readout and arrays passed in are unchanged and not aliased)."""
import copy

import numpy as np
import pytest

from unroll.reservoir import ESN, LMS, RLS, Reservoir, Ridge
from unroll.estimators import clone_estimator

sklearn_base = pytest.importorskip("sklearn.base")

F64 = np.float64


def _sine(T, period=25.0):
    return np.sin(2 * np.pi * np.arange(T) / period)[:, None]


def _esn(**kw):
    res = Reservoir(40, spectral_radius=0.9, leak_rate=np.linspace(0.3, 1.0, 40), input_scaling=0.5,
                    bias_scaling=0.2, rng=np.random.default_rng(3), dtype=F64)
    return ESN(res, Ridge(1e-8), input_to_readout=True, **kw)


def _snapshot(obj):
    """Everything an object holds, deep-copied, to compare before and after a call."""
    return copy.deepcopy(vars(obj))


def _assert_same_state(before, after):
    assert before.keys() == after.keys()
    for key, value in before.items():
        other = after[key]
        if isinstance(value, np.random.Generator):
            assert value.bit_generator.state == other.bit_generator.state, key
        elif hasattr(value, "toarray"):
            np.testing.assert_array_equal(value.toarray(), other.toarray(), err_msg=key)
        elif isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, other, err_msg=key)
        elif isinstance(value, (Reservoir, Ridge, RLS, LMS)):
            _assert_same_state(vars(value), vars(other))
        else:
            assert value == other, key


def _assert_equal_params(a, b):
    pa, pb = a.get_params(deep=False), b.get_params(deep=False)
    assert pa.keys() == pb.keys()
    for key in pa:
        if hasattr(pa[key], "get_params"):
            assert type(pa[key]) is type(pb[key])
            _assert_equal_params(pa[key], pb[key])
        elif isinstance(pa[key], np.random.Generator):
            assert pa[key].bit_generator.state == pb[key].bit_generator.state
        else:
            np.testing.assert_array_equal(pa[key], pb[key], err_msg=key)


@pytest.mark.parametrize("make", [_esn, lambda: Reservoir(30, leak_rate=0.4, rng=1), lambda: Ridge(1e-3),
                                  lambda: RLS(alpha=1e-4, forgetting=0.99), lambda: LMS(1e-2, fit_bias=False)])
def test_clone_gives_an_unfitted_estimator_with_equal_params(make):
    est = make()
    s = _sine(200)
    if isinstance(est, ESN):
        est.fit(s[:-1], s[1:], warmup=20)
    elif isinstance(est, Reservoir):
        est.initialize(1)
    else:
        est.fit(np.hstack([s, s ** 2]), s)
    for clone in (sklearn_base.clone, clone_estimator):
        fresh = clone(est)
        assert type(fresh) is type(est) and fresh is not est
        _assert_equal_params(fresh, est)
        assert not any(k.endswith("_") for k in vars(fresh)), sorted(vars(fresh))  # unfitted


def test_cloned_esn_fits_to_the_same_model():
    s = _sine(300)
    esn = _esn().fit(s[:-1], s[1:], warmup=20)
    again = sklearn_base.clone(esn).fit(s[:-1], s[1:], warmup=20)
    np.testing.assert_array_equal(again.readout_.coef_, esn.readout_.coef_)
    np.testing.assert_array_equal(again.generate(30, s[:20]), esn.generate(30, s[:20]))


def test_get_params_lists_nested_params_and_set_params_reaches_them():
    esn = _esn()
    params = esn.get_params(deep=True)
    assert params["reservoir"] is esn.reservoir and params["readout__ridge"] == 1e-8
    assert params["reservoir__spectral_radius"] == 0.9 and params["input_to_readout"] is True
    assert set(esn.get_params(deep=False)) == {"reservoir", "readout", "feedback", "input_to_readout",
                                               "square_states"}
    assert esn.set_params(reservoir__spectral_radius=0.5, readout__ridge=1e-4, square_states=True) is esn
    assert esn.reservoir.spectral_radius == 0.5 and esn.readout.ridge == 1e-4 and esn.square_states
    # a new nested estimator and its parameter in one call: the plain key is set first
    esn.set_params(readout=RLS(), readout__alpha=1e-3)
    assert isinstance(esn.readout, RLS) and esn.readout.alpha == 1e-3
    with pytest.raises(ValueError, match="spectral"):
        esn.set_params(spectral=1.0)
    with pytest.raises(ValueError, match="no parameters"):
        esn.set_params(feedback__x=1)


def test_set_params_changes_what_the_next_fit_draws():
    s = _sine(300)
    esn = _esn().fit(s[:-1], s[1:], warmup=20)
    esn.set_params(reservoir__spectral_radius=0.5)
    esn.fit(s[:-1], s[1:], warmup=20)
    radius = np.abs(np.linalg.eigvals(esn.reservoir_.W_.toarray())).max()
    assert radius == pytest.approx(0.5, rel=1e-6)


@pytest.mark.parametrize("feedback", [False, True])
def test_fit_leaves_the_reservoir_readout_and_arrays_unchanged(feedback):
    s = _sine(300)
    X, Y = (None if feedback else s[:-1].copy()), s[1:].copy()
    X_before, Y_before = (None if X is None else X.copy()), Y.copy()
    esn = _esn(feedback=feedback)
    esn.reservoir.feedback_scaling = 0.5 if feedback else 0.0
    reservoir, readout = esn.reservoir, esn.readout
    res_before, ro_before = _snapshot(reservoir), _snapshot(readout)
    esn.fit(X, Y, warmup=20)
    _assert_same_state(res_before, _snapshot(reservoir))  # not initialised, its Generator not advanced
    _assert_same_state(ro_before, _snapshot(readout))  # not fitted
    assert esn.reservoir is reservoir and esn.readout is readout
    assert esn.reservoir_ is not reservoir and esn.readout_ is not readout
    np.testing.assert_array_equal(Y, Y_before)
    if X is not None:
        np.testing.assert_array_equal(X, X_before)
    for learned in (esn.state_, esn.readout_.coef_):
        assert not np.shares_memory(learned, Y) and (X is None or not np.shares_memory(learned, X))


def test_fit_copies_an_initialised_reservoir_with_its_weights():
    s = _sine(300)
    res = Reservoir(40, leak_rate=0.5, rng=None, dtype=F64).initialize(1)  # fresh entropy: unreproducible
    res.W_in_ = res.W_in_ * 0.5  # weights set by hand
    before = _snapshot(res)
    esn = ESN(res, Ridge(1e-8)).fit(s[:-1], s[1:], warmup=20)
    _assert_same_state(before, _snapshot(res))
    np.testing.assert_array_equal(esn.reservoir_.W_in_, res.W_in_)
    assert not np.shares_memory(esn.reservoir_.W_in_, res.W_in_)
    np.testing.assert_array_equal(esn.reservoir_.run(s), res.run(s))


def test_refitting_a_fitted_readout_forgets_it_and_leaves_it_alone():
    s = _sine(300)
    ro = RLS(alpha=1e-6).fit(np.hstack([s, s ** 2]), s)
    before = _snapshot(ro)
    esn = ESN(Reservoir(30, rng=0, dtype=F64), ro).fit(s[:-1], s[1:], warmup=20)
    _assert_same_state(before, _snapshot(ro))
    assert esn.readout_.coef_.shape == (1, 30)  # trained from scratch on the 30 states


def test_initialize_draws_the_same_weights_from_a_generator_without_advancing_it():
    gen = np.random.default_rng(7)
    state = copy.deepcopy(gen.bit_generator.state)
    res = Reservoir(30, rng=gen)
    a = res.initialize(2).W_in_.copy()
    b = res.initialize(2).W_in_
    np.testing.assert_array_equal(a, b)
    assert gen.bit_generator.state == state


def test_repr_names_the_non_default_params():
    assert repr(Ridge()) == "Ridge()"
    assert repr(ESN(Reservoir(50, leak_rate=0.3), Ridge(1e-6), square_states=True)) == \
        "ESN(reservoir=Reservoir(units=50, leak_rate=0.3), readout=Ridge(ridge=1e-06), square_states=True)"
