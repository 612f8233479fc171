"""Optimizers: identical trajectories to torch.optim, in-place updates, aliases, state, errors."""
import numpy as np
import pytest

from unroll.optim import SGD, Adagrad, Adam, AdamW, RMSProp

SHAPES = {"weight_ih_l0": (8, 3), "weight_hh_l0": (8, 2), "bias_ih_l0": (8,), "embedding.weight": (5, 3)}
STEPS = 20

# (unroll class, torch class name, kwargs): every option that changes the update rule
CASES = [
    (SGD, "SGD", dict(lr=0.1)),
    (SGD, "SGD", dict(lr=0.1, weight_decay=0.1)),
    (SGD, "SGD", dict(lr=0.1, momentum=0.9)),
    (SGD, "SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.05)),
    (SGD, "SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    (SGD, "SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05)),
    (Adagrad, "Adagrad", dict()),
    (Adagrad, "Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.2, eps=1e-6)),
    (RMSProp, "RMSprop", dict()),
    (RMSProp, "RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    (RMSProp, "RMSprop", dict(momentum=0.8)),
    (RMSProp, "RMSprop", dict(centered=True)),
    (RMSProp, "RMSprop", dict(lr=0.003, centered=True, momentum=0.8, weight_decay=0.05)),
    (Adam, "Adam", dict()),
    (Adam, "Adam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1)),
    (Adam, "Adam", dict(lr=0.01, amsgrad=True)),
    (AdamW, "AdamW", dict()),
    (AdamW, "AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
]


def _params_and_grads(seed=0):
    rng = np.random.default_rng(seed)
    params = {k: rng.standard_normal(s) for k, s in SHAPES.items()}
    grads = [{k: rng.standard_normal(s) for k, s in SHAPES.items()} for _ in range(STEPS)]
    return params, grads


@pytest.mark.parametrize("cls, torch_name, kwargs", CASES,
                         ids=[f"{c[1]}-" + ",".join(f"{k}={v}" for k, v in c[2].items()) for c in CASES])
def test_trajectory_matches_torch(cls, torch_name, kwargs):
    torch = pytest.importorskip("torch")
    params, grads = _params_and_grads()
    tparams = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    topt = getattr(torch.optim, torch_name)(list(tparams.values()), **kwargs)
    opt = cls(params, **kwargs)
    for t in range(STEPS):
        # gradients that depend on the parameters, as real ones do, so weight decay shows
        step_grads = {k: g + 0.5 * params[k] for k, g in grads[t].items()}
        for k, tp in tparams.items():
            tp.grad = torch.tensor(step_grads[k])
        topt.step()
        opt.step(step_grads)
        for k, p in params.items():
            np.testing.assert_allclose(p, tparams[k].detach().numpy(), rtol=0, atol=1e-6, err_msg=f"step {t} {k}")
    # the trajectory must actually move, or the comparison proves nothing
    assert not np.allclose(params["weight_ih_l0"], _params_and_grads()[0]["weight_ih_l0"])


@pytest.mark.parametrize("cls", [SGD, Adagrad, RMSProp, Adam, AdamW])
def test_updates_in_place_keep_dtype(cls):
    rng = np.random.default_rng(1)
    params = {"w": rng.standard_normal((4, 3)).astype(np.float32)}
    w = params["w"]
    before = w.copy()
    opt = cls(params, lr=0.1) if cls is SGD else cls(params)
    opt.step({"w": rng.standard_normal((4, 3)).astype(np.float32)})
    assert params["w"] is w and w.dtype == np.float32
    assert not np.array_equal(w, before)


def test_alias_is_updated_once():
    shared = np.ones(3)
    alone = np.ones(3)
    params = {"embedding.weight": shared, "decoder.weight": shared, "other": alone}
    g = np.full(3, 2.0)
    opt = SGD(params, lr=0.1)
    opt.step({"embedding.weight": g, "decoder.weight": g, "other": g.copy()})
    np.testing.assert_allclose(shared, alone)  # one update of 0.1 * 2, not two
    np.testing.assert_allclose(shared, 0.8)
    with pytest.raises(ValueError, match="same array"):
        opt.step({"embedding.weight": g, "decoder.weight": g.copy(), "other": g})


def test_state_dict_round_trip_continues_identically():
    params, grads = _params_and_grads(2)
    opt = Adam(params, lr=0.01, amsgrad=True, weight_decay=0.01)
    for g in grads[:5]:
        opt.step(g)
    saved_params = {k: v.copy() for k, v in params.items()}
    sd = opt.state_dict()
    for g in grads[5:]:
        opt.step(g)
    resumed = Adam(saved_params, lr=0.5, amsgrad=True)  # lr comes back from the state dict
    resumed.load_state_dict(sd)
    assert resumed.lr == 0.01 and resumed.step_count == 5
    for g in grads[5:]:
        resumed.step(g)
    for k in params:
        np.testing.assert_array_equal(saved_params[k], params[k])
    assert set(sd["tensors"]) == {f"{k}.{s}" for k in SHAPES for s in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")}


def test_state_dict_is_a_copy_and_mismatch_is_named():
    params, grads = _params_and_grads(3)
    opt = SGD(params, lr=0.1, momentum=0.9)
    opt.step(grads[0])
    sd = opt.state_dict()
    sd["tensors"]["bias_ih_l0.momentum_buffer"][:] = 7.0
    assert not np.any(opt.state["bias_ih_l0"]["momentum_buffer"] == 7.0)
    with pytest.raises(ValueError, match="expected tensors"):
        SGD(params, lr=0.1).load_state_dict(sd)  # no momentum: no buffers expected
    with pytest.raises(ValueError, match=r"expected a dict with keys \['scalars', 'tensors'\]"):
        opt.load_state_dict(sd["tensors"])
    sd["tensors"]["bias_ih_l0.momentum_buffer"] = np.zeros(9)
    with pytest.raises(ValueError, match=r"expected float64 \(8,\), got float64 \(9,\)"):
        SGD(params, lr=0.1, momentum=0.9).load_state_dict(sd)


def test_bad_grads_are_named():
    params, grads = _params_and_grads(4)
    opt = Adam(params)
    with pytest.raises(ValueError, match=r"missing \['bias_ih_l0'\], unexpected \['bias'\]"):
        opt.step({**{k: v for k, v in grads[0].items() if k != "bias_ih_l0"}, "bias": np.zeros(8)})
    with pytest.raises(ValueError, match=r"grads\['bias_ih_l0'\]: expected float64 array of shape \(8,\)"):
        opt.step({**grads[0], "bias_ih_l0": np.zeros((8, 1))})
    with pytest.raises(ValueError, match="float32 array"):
        opt.step({**grads[0], "bias_ih_l0": np.zeros(8, np.float32)})
    with pytest.raises(TypeError, match="dict"):
        opt.step([grads[0]])
    assert opt.step_count == 0  # a rejected step changes nothing


@pytest.mark.parametrize("make, err, match", [
    (lambda p: SGD(p, lr=-0.1), ValueError, r"lr: expected a finite value >= 0, got -0.1"),
    (lambda p: SGD(p, lr="0.1"), TypeError, "lr: expected a number"),
    (lambda p: SGD(p, lr=0.1, nesterov=True), ValueError, "nesterov: needs momentum > 0"),
    (lambda p: Adam(p, betas=(0.9, 1.0)), ValueError, "betas"),
    (lambda p: RMSProp(p, eps=float("nan")), ValueError, "eps"),
    (lambda p: Adam({"w": np.zeros(3, np.int64)}), TypeError, r"params\['w'\]: expected a float32/float64"),
    (lambda p: Adam({}), TypeError, "non-empty dict"),
])
def test_bad_construction_is_named(make, err, match):
    params, _ = _params_and_grads()
    with pytest.raises(err, match=match):
        make(params)


def test_lr_attribute_is_checked_and_used():
    params = {"w": np.zeros(2)}
    opt = SGD(params, lr=1.0)
    opt.lr = 0.25
    opt.step({"w": np.ones(2)})
    np.testing.assert_allclose(params["w"], -0.25)
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -1.0
