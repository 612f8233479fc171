"""ESN: fit equals a ridge on the states, predictions and closed-loop generation are accurate,
output feedback, save/load round trip, validation."""
import json

import numpy as np
import pytest

from unroll.metrics import nrmse
from unroll.reservoir import ESN, RLS, Reservoir, Ridge, load_esn, save_esn

F64 = np.float64


def _sine(T, period=25.0, phase=0.0):
    return np.sin(2 * np.pi * np.arange(T) / period + phase)[:, None]


def _esn(units=100, **kw):
    args = dict(spectral_radius=0.9, leak_rate=0.5, bias_scaling=0.2, connectivity=0.1, rng=0, dtype=F64)
    feedback = kw.pop("feedback", False)
    args.update(kw)
    return ESN(Reservoir(units, **args), Ridge(1e-9), feedback=feedback, input_to_readout=not feedback)


def test_fit_returns_self_and_equals_ridge_on_the_states_after_warmup():
    s = _sine(300)
    esn = _esn()
    assert esn.fit(s[:-1], s[1:], warmup=50) is esn
    states = esn.reservoir_.run(s[:-1])
    expected = Ridge(1e-9).fit(np.concatenate([states, s[:-1]], axis=1)[50:], s[1:][50:])
    np.testing.assert_allclose(esn.readout_.coef_, expected.coef_, atol=1e-10)
    np.testing.assert_allclose(esn.state_[0], states[-1], atol=1e-14)


def test_one_step_prediction_of_a_sine_is_accurate():
    s = _sine(600)
    esn = _esn().fit(s[:399], s[1:400], warmup=100)
    pred = esn.predict(s[:599])
    assert nrmse(s[401:600], pred[400:]) < 1e-4


def test_closed_loop_generation_continues_a_sine():
    s = _sine(800)
    esn = _esn().fit(s[:499], s[1:500], warmup=100)
    future = esn.generate(200, seed=s[499:500], state=esn.state_[0])  # continue from the fit
    assert future.shape == (200, 1)
    assert nrmse(s[500:700], future) < 1e-2
    # from a zero state with a seed history instead
    future2 = esn.generate(200, seed=s[400:500])
    assert nrmse(s[500:700], future2) < 1e-2


def test_first_generated_value_is_the_teacher_forced_prediction():
    s = _sine(300)
    esn = _esn().fit(s[:-1], s[1:], warmup=20)
    seed = s[100:150]
    np.testing.assert_allclose(esn.generate(1, seed)[0], esn.predict(seed)[-1], atol=1e-12)


def test_batched_generation_equals_one_by_one():
    s = np.stack([_sine(300, phase=p) for p in (0.0, 1.0, 2.0)])  # (3, 300, 1)
    esn = _esn().fit(s[:, :-1], s[:, 1:], warmup=20)
    out = esn.generate(30, s[:, 200:250])
    for b in range(3):
        np.testing.assert_allclose(out[b], esn.generate(30, s[b, 200:250]), atol=1e-12)


def test_output_feedback_generator_without_input():
    # Jaeger's arrangement: no input, the output fed back through W_fb, teacher-forced in training.
    s = _sine(700, period=20.0) * 0.5
    esn = _esn(200, feedback=True, feedback_scaling=1.0, leak_rate=1.0, noise=1e-6)
    esn.fit(None, s[:500], warmup=100)
    assert esn.reservoir_.input_size == 0 and esn.reservoir_.feedback_size == 1
    future = esn.generate(100, seed=s[499:500], state=esn.state_[0])
    assert nrmse(s[500:600], future) < 1e-2


def test_states_are_the_teacher_forced_states_of_fit():
    # feedback: step t is driven by the true y(t-1) (zero at t = 0), without the training noise
    s = _sine(300) * 0.5
    esn = _esn(feedback=True, feedback_scaling=0.7, noise=1e-3).fit(None, s, warmup=50)
    res = esn.reservoir_
    by_hand = res.run(np.zeros((300, 0)), feedback=np.concatenate([[[0.0]], s[:-1]]))
    np.testing.assert_allclose(esn.states(None, s), by_hand, atol=1e-14)
    # a noise-free fit equals a ridge on these states after the warmup
    quiet = _esn(feedback=True, feedback_scaling=0.7).fit(None, s, warmup=50)
    expected = Ridge(1e-9).fit(quiet.states(None, s)[50:], s[50:])
    np.testing.assert_allclose(quiet.readout_.coef_, expected.coef_, atol=1e-10)
    np.testing.assert_allclose(quiet.states(None, s)[-1], quiet.state_[0], atol=1e-14)


@pytest.mark.parametrize("feedback", [False, True])
def test_generate_from_states_continues_the_series_at_any_step(feedback):
    # states[t] predicts Y[t]; generating from it with seed Y[t] gives the prediction of Y[t+1]
    # that the teacher-forced states[t+1] read out, for a batch of starting points at once.
    s = _sine(400)
    X = None if feedback else s[:-1]
    esn = _esn(feedback=feedback, feedback_scaling=0.5).fit(X, s[1:], warmup=50)
    states = esn.states(X, s[1:])  # (399, N)
    starts = np.array([100, 173, 250])
    first = esn.generate(1, seed=s[1:][starts][:, None], state=states[starts])[:, 0]  # (3, 1)
    features = states[starts + 1] if feedback else np.concatenate([states[starts + 1], s[starts + 1]], axis=1)
    np.testing.assert_allclose(first, esn.readout_.predict(features), atol=1e-12)
    with pytest.raises(ValueError, match="Y"):
        esn.states(X, np.zeros((399, 2)))


def test_feedback_predict_uses_its_own_outputs():
    s = _sine(400)
    esn = _esn(feedback=True, feedback_scaling=0.5).fit(s[:-1], s[1:], warmup=50)
    pred = esn.predict(s[:-1])
    assert nrmse(s[51:], pred[50:]) < 1e-2


@pytest.mark.parametrize("feedback", [False, True])
def test_square_states_readout_is_a_ridge_on_states_and_their_squares(feedback, tmp_path):
    s = _sine(400, period=17.0) * 0.8
    X = None if feedback else s[:-1]
    esn = _esn(feedback=feedback, feedback_scaling=0.5)
    esn.square_states = True
    esn.fit(X, s[1:], warmup=50)
    states = esn.states(X, s[1:])  # (399, N)
    features = [states, states ** 2] + ([] if feedback else [s[:-1]])
    expected = Ridge(1e-9).fit(np.concatenate(features, axis=1)[50:], s[1:][50:])
    np.testing.assert_allclose(esn.readout_.coef_, expected.coef_, atol=1e-9)
    # the closed loop (its own fused readout) equals generating one step at a time
    seed = s[100:140]
    history = seed
    for _ in range(6):
        history = np.concatenate([history, esn.generate(1, history)])
    np.testing.assert_allclose(esn.generate(6, seed), history[40:], atol=1e-12)
    save_esn(esn, tmp_path / "m")
    loaded = load_esn(tmp_path / "m")
    assert loaded.square_states
    np.testing.assert_array_equal(loaded.generate(20, seed), esn.generate(20, seed))


def test_lists_of_series_of_different_lengths_and_online_readout():
    a, b = _sine(200), _sine(150, phase=0.5)
    esn = ESN(Reservoir(60, leak_rate=0.5, rng=0, dtype=F64), RLS(alpha=1e-6), input_to_readout=True)
    esn.fit([a[:-1], b[:-1]], [a[1:], b[1:]], warmup=20)
    assert nrmse(b[121:], esn.predict(b[:-1])[120:]) < 1e-3


def test_save_and_load_round_trip(tmp_path):
    s = _sine(300)
    esn = _esn(leak_rate=np.linspace(0.2, 0.9, 100)).fit(s[:-1], s[1:], warmup=20)
    save_esn(esn, tmp_path / "m")
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["reservoir"]["units"] == 100 and config["readout"]["kind"] == "Ridge"
    loaded = load_esn(tmp_path / "m")
    np.testing.assert_array_equal(loaded.generate(50, s[:30]), esn.generate(50, s[:30]))
    np.testing.assert_array_equal(loaded.predict(s[:40]), esn.predict(s[:40]))


def test_esn_validation():
    s = _sine(100)
    esn = _esn()
    with pytest.raises(ValueError, match="fitted"):
        esn.predict(s)
    with pytest.raises(ValueError, match="shape"):
        esn.fit(s[:-1], s[1:-1])  # mismatched lengths
    with pytest.raises(ValueError, match="warmup"):
        esn.fit(s[:-1], s[1:], warmup=99)
    with pytest.raises(ValueError, match="finite"):
        esn.fit(s[:-1], np.where(s[1:] > 0.9, np.nan, s[1:]))
    with pytest.raises(ValueError, match="same number"):
        esn.fit([s, s], [s])
    esn.fit(s[:-1], s[1:])
    with pytest.raises(ValueError, match="n_steps"):
        esn.generate(0, s)
    with pytest.raises(ValueError, match="at least one step"):
        esn.generate(5, s[:0])
    two = ESN(Reservoir(20, rng=0, dtype=F64)).fit(np.hstack([s, s])[:-1], s[1:])
    with pytest.raises(ValueError, match="as many outputs as inputs"):
        two.generate(5, s)
