"""Learning-rate schedules: values equal torch.optim.lr_scheduler's, composition, errors."""
import math

import numpy as np
import pytest

from unroll.optim import SGD, Constant, CosineAnnealing, ExponentialDecay, LinearWarmup, StepDecay

BASE = 0.1
N = 40


def _torch_lrs(make_scheduler, n=N):
    """The lr torch uses for steps 0..n-1: read it, then step the scheduler."""
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=BASE)
    scheduler = make_scheduler(torch.optim.lr_scheduler, opt)
    lrs = []
    for _ in range(n):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return np.array(lrs)


@pytest.mark.parametrize("ours, theirs", [
    (StepDecay(BASE, step_size=7, gamma=0.5), lambda s, o: s.StepLR(o, step_size=7, gamma=0.5)),
    (ExponentialDecay(BASE, gamma=0.9), lambda s, o: s.ExponentialLR(o, gamma=0.9)),
    # 2 * t_max < N: past t_max the cosine rises again in both
    (CosineAnnealing(BASE, t_max=15, eta_min=0.01), lambda s, o: s.CosineAnnealingLR(o, T_max=15, eta_min=0.01)),
    (LinearWarmup(Constant(BASE), warmup_steps=5, start_factor=0.2),
     lambda s, o: s.LinearLR(o, start_factor=0.2, end_factor=1.0, total_iters=5)),
], ids=["step", "exponential", "cosine", "warmup-constant"])
def test_matches_torch(ours, theirs):
    expected = _torch_lrs(theirs)
    np.testing.assert_allclose([ours(t) for t in range(N)], expected, rtol=1e-12, atol=1e-15)


def test_warmup_then_cosine_matches_torch_sequential():
    def theirs(s, o):
        warm = s.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=6)
        cosine = s.CosineAnnealingLR(o, T_max=20, eta_min=0.001)
        return s.SequentialLR(o, [warm, cosine], milestones=[6])

    expected = _torch_lrs(theirs, n=26)
    ours = LinearWarmup(CosineAnnealing(BASE, t_max=20, eta_min=0.001), warmup_steps=6, start_factor=0.25)
    np.testing.assert_allclose([ours(t) for t in range(26)], expected, rtol=1e-12, atol=1e-15)


def test_closed_form_values():
    cosine = CosineAnnealing(1.0, t_max=10, eta_min=0.0)
    assert cosine(0) == 1.0 and math.isclose(cosine(5), 0.5) and math.isclose(cosine(10), 0.0, abs_tol=1e-15)
    warm = LinearWarmup(StepDecay(1.0, step_size=2, gamma=0.5), warmup_steps=4, start_factor=0.5)
    assert [warm(t) for t in range(8)] == [0.5, 0.625, 0.75, 0.875, 1.0, 1.0, 0.5, 0.5]


def test_schedule_sets_optimizer_lr():
    params = {"w": np.zeros(1)}
    opt = SGD(params, lr=1.0)
    schedule = StepDecay(1.0, step_size=1, gamma=0.5)
    for t in range(3):
        opt.lr = schedule(t)
        opt.step({"w": np.ones(1)})
    np.testing.assert_allclose(params["w"], -(1.0 + 0.5 + 0.25))


@pytest.mark.parametrize("make, err, match", [
    (lambda: StepDecay(0.1, step_size=0), ValueError, r"step_size: expected an int >= 1, got 0"),
    (lambda: StepDecay(0.1, step_size=2.5), TypeError, "step_size: expected an int"),
    (lambda: ExponentialDecay(-0.1, gamma=0.9), ValueError, "base_lr"),
    (lambda: ExponentialDecay(0.1, gamma=0.0), ValueError, r"gamma: expected a finite value > 0"),
    (lambda: CosineAnnealing(0.1, t_max=10, eta_min=-1.0), ValueError, "eta_min"),
    (lambda: LinearWarmup(0.1, warmup_steps=3), TypeError, "after: expected a Schedule, got float"),
    (lambda: LinearWarmup(Constant(0.1), warmup_steps=3, start_factor=1.5), ValueError, r"\(0, 1\]"),
    (lambda: Constant(0.1)(-1), ValueError, "step: expected an int >= 0, got -1"),
])
def test_bad_arguments_are_named(make, err, match):
    with pytest.raises(err, match=match):
        make()
