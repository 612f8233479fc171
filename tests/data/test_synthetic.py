"""Synthetic tasks: structure, and the stated memoryless baselines measured on generated data."""
import numpy as np
import pytest

from unroll.data.synthetic import (COPY_BLANK, COPY_DELIMITER, TEMPORAL_ORDER_SYMBOLS, adding_baseline,
                                   adding_problem, copy_baseline, copy_memory, sine_to_square,
                                   sine_to_square_baseline, temporal_order, temporal_order_baseline)
from unroll.functional import softmax_cross_entropy_forward


def test_adding_problem_structure_and_baseline():
    x, y = adding_problem(20000, 30, rng=0)
    assert x.dtype == np.float32 and x.shape == (20000, 30, 2) and y.shape == (20000, 1)
    markers = x[:, :, 1]
    assert (markers[:, :15].sum(1) == 1).all() and (markers[:, 15:].sum(1) == 1).all()
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * markers).sum(1), rtol=1e-6)
    assert 0.0 <= x[:, :, 0].min() and x[:, :, 0].max() <= 1.0
    # the best constant is E[y] = 1 and its MSE is Var(y) = 1/6
    assert abs(y.mean() - 1.0) < 0.01
    assert abs(((y - 1.0) ** 2).mean() - adding_baseline()) < 0.005
    assert adding_baseline() == pytest.approx(1 / 6)


def test_copy_memory_structure_and_baseline():
    T = 100
    x, y = copy_memory(5000, T, rng=1)
    assert x.shape == (5000, T + 20, 10) and y.shape == (5000, T + 20) and (x.sum(-1) == 1).all()
    tokens = x.argmax(-1)
    assert (tokens[:, T + 9] == COPY_DELIMITER).all() and (tokens[:, 10:T + 9] == COPY_BLANK).all()
    np.testing.assert_array_equal(y[:, T + 10:], tokens[:, :10])
    assert (y[:, :T + 10] == COPY_BLANK).all()
    counts = np.bincount(tokens[:, :10].ravel(), minlength=10)[1:9] / (5000 * 10)
    np.testing.assert_allclose(counts, 1 / 8, atol=0.01)  # symbols uniform over 1..8
    # the memoryless predictor: blank with certainty, then uniform over the 8 symbols
    logits = np.full((5000, T + 20, 10), -np.inf)
    logits[:, :T + 10, COPY_BLANK] = 0.0
    logits[:, T + 10:, 1:9] = 0.0
    loss, _ = softmax_cross_entropy_forward(logits, y)
    assert loss == pytest.approx(copy_baseline(T), rel=1e-9)
    assert copy_baseline(100) == pytest.approx(0.1733, abs=1e-4)


def test_temporal_order_structure_and_baseline():
    T = 100
    x, y = temporal_order(8000, T, rng=2)
    tokens = x.argmax(-1)
    assert x.shape == (8000, T, 8) and (x.sum(-1) == 1).all()
    assert (tokens[:, 0] == TEMPORAL_ORDER_SYMBOLS.index("B")).all()
    assert (tokens[:, -1] == TEMPORAL_ORDER_SYMBOLS.index("E")).all()
    relevant = tokens >= 4
    relevant[:, [0, -1]] = False
    assert (relevant.sum(1) == 2).all()
    assert relevant[:, 10:21].sum(1).min() == 1 and relevant[:, 50:61].sum(1).min() == 1
    first = tokens[:, 10:21][relevant[:, 10:21]] - 4  # 0 X, 1 Y
    second = tokens[:, 50:61][relevant[:, 50:61]] - 4
    np.testing.assert_array_equal(y, 2 * first + second)
    frequencies = np.bincount(y, minlength=4) / 8000
    np.testing.assert_allclose(frequencies, 0.25, atol=0.02)
    # the uniform guess is the best memoryless predictor for balanced classes
    loss, _ = softmax_cross_entropy_forward(np.zeros((8000, 4)), y)
    assert loss == pytest.approx(temporal_order_baseline()) and loss == pytest.approx(np.log(4))


def test_sine_to_square():
    x, y = sine_to_square(64, 200, rng=3)
    assert x.shape == y.shape == (64, 200, 1)
    np.testing.assert_array_equal(y, np.where(x >= 0, 1.0, -1.0))
    assert ((y - 0.0) ** 2).mean() == sine_to_square_baseline()
    crossings = (np.diff(np.sign(x[..., 0]), axis=1) != 0).sum(1)  # 2 per period of 10..40 steps
    assert crossings.min() >= 2 * 199 // 40 - 1 and crossings.max() <= 2 * 199 // 10 + 1


def test_reproducible_and_validated():
    np.testing.assert_array_equal(adding_problem(3, 10, rng=7)[0], adding_problem(3, 10, rng=7)[0])
    with pytest.raises(ValueError, match="T: expected"):
        adding_problem(3, 1)
    with pytest.raises(ValueError, match="batch"):
        copy_memory(0, 10)
    with pytest.raises(TypeError, match="dtype"):
        temporal_order(2, 20, dtype=np.int32)
