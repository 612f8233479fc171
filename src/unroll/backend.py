"""The one place that selects how recurrent layers run: "numba" (the fused, compiled path, the
default) or "numpy" (the readable reference kernels in `unroll.functional`).

    unroll.set_backend("numpy")        # or the environment: UNROLL_BACKEND=numpy
    unroll.get_backend()               # -> "numpy"
    with unroll.backend.using("numba"): ...

Every `Recurrent` layer (and so every stack, bidirectional pair and model) runs the fused kernels
when the backend is "numba" and its cell has fused kernels (`unroll.functional.fused.FUSED_CELLS`,
read through the cell registry); otherwise the reference. The two are held equal by
tests/functional/test_fused_parity.py. Where the fused path cannot run (Numba missing, or NumPy
without an ILP64 CBLAS to bind), "numba" falls back to "numpy" with one warning.
"""
from __future__ import annotations

import contextlib
import os
import warnings

from .errors import InvalidValueError

BACKENDS = ("numba", "numpy")
_state = {"name": None, "fused_ok": None}

__all__ = ["BACKENDS", "set_backend", "get_backend", "using", "fused_enabled"]


def _check(name) -> str:
    if name not in BACKENDS:
        raise InvalidValueError(f"backend: expected one of {list(BACKENDS)}, got {name!r}")
    return name


def get_backend() -> str:
    """The backend in use: "numba" or "numpy" (initially $UNROLL_BACKEND, default "numba")."""
    if _state["name"] is None:
        env = os.environ.get("UNROLL_BACKEND", "numba").strip().lower() or "numba"
        try:
            _state["name"] = _check(env)
        except InvalidValueError as err:
            raise InvalidValueError(f"UNROLL_BACKEND: {err}") from None
    return _state["name"]


def set_backend(name: str) -> str:
    """Select "numba" or "numpy" for every layer from now on; returns the previous backend."""
    previous = get_backend()
    _state["name"] = _check(name)
    return previous


@contextlib.contextmanager
def using(name: str):
    """Run a block under one backend and restore the previous one after it."""
    previous = set_backend(name)
    try:
        yield
    finally:
        set_backend(previous)


def fused_enabled() -> bool:
    """True when layers should run the fused kernels: backend "numba" and the fused path loads here."""
    if get_backend() != "numba":
        return False
    if _state["fused_ok"] is None:
        try:
            from .functional.fused import runner  # noqa: F401  (imports Numba, binds NumPy's BLAS)
            _state["fused_ok"] = True
        except ImportError as err:
            warnings.warn(f"unroll backend 'numba' unavailable ({err}); running the NumPy reference", RuntimeWarning)
            _state["fused_ok"] = False
    return _state["fused_ok"]
