"""Gradient clipping (by value, by global norm) against torch, in place, shared arrays, guards."""
import numpy as np
import pytest

from unroll.optim import all_finite, clip_by_global_norm, clip_by_value, global_norm


def _grads(scale=1.0, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    shapes = {"weight_ih_l0": (8, 3), "weight_hh_l0": (8, 2), "bias_hh_l0": (8,)}
    return {k: (scale * rng.standard_normal(s)).astype(dtype) for k, s in shapes.items()}


def test_clip_by_value_is_the_course_rule_in_place():
    grads = _grads(scale=3.0)
    original = {k: v.copy() for k, v in grads.items()}
    arrays = {k: v for k, v in grads.items()}
    clip_by_value(grads, 1.5)
    for k, g in grads.items():
        assert g is arrays[k]
        rule = original[k] * 1.5 / np.maximum(np.abs(original[k]), 1.5)  # g * MAX / max(|g|, MAX)
        np.testing.assert_allclose(g, rule, rtol=1e-15)
    assert any(np.any(np.abs(v) > 1.5) for v in original.values())  # something was clipped


def test_clip_by_value_matches_torch():
    torch = pytest.importorskip("torch")
    grads = _grads(scale=3.0)
    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_(tensors, 1.5)
    clip_by_value(grads, 1.5)
    for t, g in zip(tensors, grads.values()):
        np.testing.assert_array_equal(g, t.grad.numpy())


@pytest.mark.parametrize("scale, dtype", [(3.0, np.float64), (0.01, np.float64), (3.0, np.float32)])
def test_clip_by_global_norm_matches_torch(scale, dtype):
    torch = pytest.importorskip("torch")
    grads = _grads(scale=scale, dtype=dtype)
    tensors = [torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.tensor(g)
    expected_norm = torch.nn.utils.clip_grad_norm_(tensors, max_norm=2.0).item()
    arrays = list(grads.values())
    norm = clip_by_global_norm(grads, 2.0)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    assert np.isclose(norm, expected_norm, rtol=tol)
    for t, g, a in zip(tensors, grads.values(), arrays):
        assert g is a and g.dtype == dtype
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=tol)
    clipped = scale > 1
    assert np.isclose(global_norm(grads), 2.0 if clipped else expected_norm, rtol=1e-5)


def test_shared_array_counted_and_scaled_once():
    shared = np.full(4, 3.0)  # norm 6
    grads = {"embedding.weight": shared, "decoder.weight": shared}
    assert global_norm(grads) == 6.0
    assert clip_by_global_norm(grads, 3.0) == 6.0
    np.testing.assert_allclose(shared, 3.0 / (6.0 + 1e-6) * 3.0)  # scaled once, not squared
    clip_by_value(grads, 1.0)
    np.testing.assert_array_equal(shared, 1.0)


def test_non_finite_is_reported_and_left_alone():
    grads = _grads()
    assert all_finite(grads)
    grads["bias_hh_l0"][2] = np.nan
    before = {k: v.copy() for k, v in grads.items()}
    assert not all_finite(grads)
    assert np.isnan(clip_by_global_norm(grads, 1.0))
    for k in grads:
        np.testing.assert_array_equal(grads[k], before[k])
    grads["bias_hh_l0"][2] = np.inf
    assert not all_finite(grads) and global_norm(grads) == np.inf


@pytest.mark.parametrize("call, err, match", [
    (lambda g: clip_by_value(g, 0.0), ValueError, r"max_value: expected a finite value > 0, got 0.0"),
    (lambda g: clip_by_global_norm(g, -1.0), ValueError, "max_norm"),
    (lambda g: clip_by_global_norm(list(g.values()), 1.0), TypeError, "grads: expected a dict"),
    (lambda g: global_norm({**g, "x": [1.0]}), TypeError, r"grads\['x'\]: expected a float32/float64 ndarray, got list"),
    (lambda g: all_finite({"x": np.zeros(2, np.int32)}), TypeError, "got int32 array"),
])
def test_bad_input_is_named(call, err, match):
    with pytest.raises(err, match=match):
        call(_grads())
