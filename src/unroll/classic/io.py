"""Save and load any fitted estimator of unroll.classic: learned arrays in safetensors, constructor
arguments in JSON (unroll.checkpoint: atomic, the two files tied by a hash), never pickle.

    save_model(som, "runs/som")            # model.safetensors: the `_` arrays by name
    som2 = load_model("runs/som")          # predicts exactly as the saved one

Tensors: every learned array attribute (`weights_`, `components_` ...) under its own name, and an
array constructor argument (a SOM's `init`, a Boltzmann machine's `connectivity`) as `param.<name>`.
config.json: format "unroll.classic", the class name, the other constructor arguments, learned
scalars, and the unroll version. `rng` is saved when it is a seed or None, not when it is a Generator (then the loaded model's
`rng` is None);
the dtype of an RBM is saved by name.
"""
from __future__ import annotations

import numpy as np

from ..checkpoint import load_checkpoint, save_checkpoint
from ..errors import InvalidTypeError, InvalidValueError
from .boltzmann import BoltzmannMachine
from .competitive import CompetitiveLearning
from .hopfield import Hopfield
from .rbm import RBM
from .som import SOM

__all__ = ["save_model", "load_model"]

MODELS = {cls.__name__: cls for cls in (Hopfield, BoltzmannMachine, RBM, CompetitiveLearning, SOM)}


def _jsonable(value):
    if isinstance(value, type) or isinstance(value, np.dtype):
        return {"dtype": np.dtype(value).name}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"tuple": [_jsonable(v) for v in value]}
    return value


def _restore(value):
    if isinstance(value, dict) and set(value) == {"dtype"}:
        return np.dtype(value["dtype"]).type
    if isinstance(value, dict) and set(value) == {"tuple"}:
        return tuple(_restore(v) for v in value["tuple"])
    return value


def save_model(model, directory) -> None:
    """Write a fitted classic estimator to `directory` (its parent must exist)."""
    name = type(model).__name__
    if name not in MODELS:
        raise InvalidTypeError(f"save_model: expected one of {sorted(MODELS)}, got {name}")
    learned = {k: v for k, v in vars(model).items() if k.endswith("_") and not k.startswith("_")}
    if not learned:
        raise InvalidValueError(f"save_model: expected a fitted {name}, call fit first")
    tensors = {k: np.ascontiguousarray(v) for k, v in learned.items() if isinstance(v, np.ndarray)}
    scalars = {k: _jsonable(v) for k, v in learned.items()
               if isinstance(v, (int, float, bool, np.generic)) and not isinstance(v, np.ndarray)}
    params = {}
    for key, value in model.get_params(deep=False).items():
        if key == "rng" and not (value is None or isinstance(value, (int, np.integer))):
            continue                                        # a Generator: not saved
        if key == "callback":
            continue                                        # a function: not saved (loads as None)
        if isinstance(value, np.ndarray):
            tensors[f"param.{key}"] = np.ascontiguousarray(value)
        else:
            params[key] = _jsonable(value)
    from .. import __version__
    save_checkpoint(directory, tensors, {"format": "unroll.classic", "model": name, "version": __version__,
                                         "params": params, "scalars": scalars})


def load_model(directory):
    """Read a model written by save_model."""
    t, config = load_checkpoint(directory)
    if config.get("format") != "unroll.classic" or config.get("model") not in MODELS:
        raise InvalidValueError(f"{directory}: expected an unroll.classic model, got format "
                                f"{config.get('format')!r} model {config.get('model')!r}")
    params = {k: _restore(v) for k, v in config["params"].items()}
    params.update({k[len("param."):]: v for k, v in t.items() if k.startswith("param.")})
    model = MODELS[config["model"]](**params)
    for k, v in t.items():
        if not k.startswith("param."):
            setattr(model, k, v)
    for k, v in config["scalars"].items():
        setattr(model, k, v)
    model.rng_ = np.random.default_rng()
    return model
