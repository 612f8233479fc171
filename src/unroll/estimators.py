"""scikit-learn's estimator conventions, written out so that scikit-learn stays a test peer only.

An estimator's parameters are the arguments of its `__init__`, stored unchanged under the same
names; `get_params(deep=True)` also lists those of nested estimators as `outer__inner`, and
`set_params` accepts the same keys. That is all `sklearn.base.clone` and `GridSearchCV` ask for:

    esn.set_params(reservoir__spectral_radius=0.9, readout__ridge=1e-6)
    fresh = clone_estimator(esn)      # unfitted, equal parameters (as sklearn.base.clone)
"""
from __future__ import annotations

import copy
import inspect

import numpy as np

from .errors import InvalidValueError

__all__ = ["ParamsMixin", "clone_estimator"]


class ParamsMixin:
    """get_params / set_params / repr from the signature of the subclass's `__init__`."""

    @classmethod
    def _param_names(cls) -> list[str]:
        params = inspect.signature(cls.__init__).parameters.values()
        return [p.name for p in params if p.name != "self"]

    def get_params(self, deep: bool = True) -> dict:
        """The constructor arguments by name; with deep, also `name__param` of nested estimators."""
        out = {}
        for name in self._param_names():
            value = getattr(self, name)
            out[name] = value
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{key}", v) for key, v in value.get_params(deep=True).items())
        return out

    def set_params(self, **params):
        """Set constructor arguments, `name__param` reaching into a nested estimator. Returns self.

        As in scikit-learn this changes only parameters: a fitted model keeps its learned `_`
        attributes until the next `fit`.
        """
        valid = self._param_names()
        nested: dict[str, dict] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise InvalidValueError(f"{type(self).__name__}.set_params: expected one of {valid}, got {name!r}")
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():  # after the plain keys: `reservoir=R, reservoir__x=1` sets R.x
            inner = getattr(self, name)
            if not hasattr(inner, "set_params"):
                raise InvalidValueError(f"{type(self).__name__}.set_params: {name!r} is {inner!r}, "
                                        f"which has no parameters to set ({sorted(sub_params)})")
            inner.set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        """`Name(arg=value, ...)` with the arguments that differ from their defaults."""
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
        shown = []
        for name, value in self.get_params(deep=False).items():
            default = defaults[name]
            same = value is default or (not isinstance(value, np.ndarray) and type(value) is type(default)
                                        and value == default)
            if not same:
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


def clone_estimator(estimator):
    """A new unfitted estimator with deep copies of `estimator`'s parameters (sklearn.base.clone).

    Nested estimators are cloned the same way; other values (arrays, Generators) are deep-copied,
    so the clone shares nothing mutable with the original.
    """
    params = {name: clone_estimator(value) if isinstance(value, ParamsMixin) else copy.deepcopy(value)
              for name, value in estimator.get_params(deep=False).items()}
    return type(estimator)(**params)
