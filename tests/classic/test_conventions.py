"""Every classic estimator: scikit-learn's conventions (clone, get/set_params, fit returns self and
leaves its input alone, learned attributes end in `_`) and a safetensors + JSON round trip."""
import numpy as np
import pytest

from unroll.classic import RBM, SOM, BoltzmannMachine, CompetitiveLearning, Hopfield, encoder_connectivity, load_model, save_model
from unroll.estimators import clone_estimator

rng = np.random.default_rng(0)
BIPOLAR = rng.choice([-1.0, 1.0], (3, 30))
UNIT = rng.random((40, 6))
CASES = [
    (Hopfield("storkey", rng=np.random.default_rng(5)), BIPOLAR, lambda m, X: m.recall(X)),
    (BoltzmannMachine(2, encoder_connectivity(2, 2), n_epochs=3, rng=0), np.hstack([np.eye(2), np.eye(2)]),
     lambda m, X: m.energy(np.hstack([X, np.zeros((len(X), 2))]))),
    (RBM(5, n_iter=2, dtype=np.float32, rng=0), UNIT, lambda m, X: m.transform(X)),
    (CompetitiveLearning(4, n_epochs=2, conscience=1.0, rng=0), UNIT, lambda m, X: m.predict(X)),
    (SOM(3, 4, n_iterations=50, topology="hexagonal", rng=0), UNIT, lambda m, X: m.predict(X)),
]


def _plain(model):
    """The parameters, with a Generator by its state and arrays as lists (comparable with ==)."""
    out = {}
    for k, v in model.get_params().items():
        if isinstance(v, np.random.Generator):
            v = v.bit_generator.state
        out[k] = v.tolist() if isinstance(v, np.ndarray) else v
    return out


@pytest.mark.parametrize("model,X,use", CASES, ids=lambda c: type(c).__name__ if hasattr(c, "fit") else "")
def test_conventions_and_round_trip(model, X, use, tmp_path):
    before = X.copy()
    fresh = clone_estimator(model)
    assert _plain(fresh) == _plain(model)
    assert model.fit(X) is model
    np.testing.assert_array_equal(X, before)
    assert not any(k.endswith("_") for k in vars(fresh))
    save_model(model, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert type(loaded) is type(model)
    if not isinstance(model.rng, np.random.Generator):
        assert repr(loaded) == repr(model)
    np.testing.assert_array_equal(use(loaded, X), use(model, X))


def test_sklearn_clone_works():
    base = pytest.importorskip("sklearn.base")
    for model, _, _ in CASES:
        assert _plain(base.clone(model)) == _plain(model)
    som = SOM().set_params(sigma=2.0)
    assert som.sigma == 2.0
