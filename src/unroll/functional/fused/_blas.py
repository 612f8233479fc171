"""Bind NumPy's own OpenBLAS (its CBLAS gemm and gemv, 64-bit integers) to the symbols the fused kernels call.

The kernels call `unroll_cblas_sgemm64` / `unroll_cblas_dgemm64` (and the `gemv` pair, for one-row
products) by name; `bind()` points those names at NumPy's `cblas_?gemm` / `cblas_?gemv` (the
`scipy_cblas_sgemm64_` of NumPy 2's scipy-openblas64 wheel, or the `cblas_sgemm64_` of NumPy 1's
openblas64_) through llvmlite's symbol table, before Numba compiles a
kernel or loads one from its on-disk cache, which resolves the names afresh in every process. So the
products inside the compiled loops run on the same BLAS (and the same thread pool) as NumPy's `@`,
not on SciPy's second OpenBLAS, which is what `np.dot` inside Numba would use.

A NumPy without an ILP64 CBLAS (an MKL or Accelerate build, say) raises `FusedUnavailable`, and the
backend falls back to the NumPy reference with a warning.
"""
from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

SGEMM_SYMBOL = "unroll_cblas_sgemm64"
DGEMM_SYMBOL = "unroll_cblas_dgemm64"
SGEMV_SYMBOL = "unroll_cblas_sgemv64"
DGEMV_SYMBOL = "unroll_cblas_dgemv64"
SYMBOLS = (SGEMM_SYMBOL, DGEMM_SYMBOL, SGEMV_SYMBOL, DGEMV_SYMBOL)
_ROUTINES = ("sgemm", "dgemm", "sgemv", "dgemv")  # in the order of SYMBOLS
_PREFIXES = ("scipy_cblas_", "cblas_")
_bound = None


class FusedUnavailable(ImportError):
    """The fused path cannot run here (no NumPy ILP64 CBLAS found)."""


def _candidates() -> list[str]:
    """Shared libraries that may be NumPy's BLAS: those loaded now whose name says openblas, NumPy's first."""
    paths = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.rsplit(None, 1)[-1]
                if "openblas" in os.path.basename(path).lower() and path not in paths:
                    paths.append(path)
    except OSError:
        pass
    root = os.path.dirname(os.path.dirname(np.__file__))
    for pattern in ("numpy.libs/*openblas*", "numpy/.dylibs/*openblas*", "numpy/*openblas*"):
        paths += [p for p in glob.glob(os.path.join(root, pattern)) if p not in paths]
    numpy_dir = os.path.dirname(np.__file__)
    return sorted(paths, key=lambda p: not p.startswith(numpy_dir))


def find() -> tuple[str, tuple[int, ...]]:
    """(library path, addresses of sgemm, dgemm, sgemv, dgemv) of NumPy's ILP64 CBLAS."""
    as_int = lambda f: ctypes.cast(f, ctypes.c_void_p).value
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _PREFIXES:
            try:
                return path, tuple(as_int(getattr(lib, f"{prefix}{r}64_")) for r in _ROUTINES)
            except AttributeError:
                continue
    raise FusedUnavailable("fused backend: NumPy's ILP64 CBLAS (scipy_cblas_sgemm64_ or cblas_sgemm64_) "
                           "was not found among the loaded OpenBLAS libraries")


def bind() -> str:
    """Register the four symbols (once per process); returns the library's path."""
    global _bound
    if _bound is None:
        from llvmlite import binding
        path, addresses = find()
        for symbol, address in zip(SYMBOLS, addresses):
            binding.add_symbol(symbol, address)
        _bound = path
    return _bound


_thread_calls = None


def _thread_functions():
    """(get, set) of the bound library's BLAS thread count (OpenBLAS's own, no other library's)."""
    global _thread_calls
    if _thread_calls is None:
        lib = ctypes.CDLL(find()[0])
        for prefix in ("scipy_openblas_", "openblas_"):
            get, put = (getattr(lib, f"{prefix}{n}_num_threads64_", None) for n in ("get", "set"))
            if get is not None and put is not None:
                get.restype, put.argtypes = ctypes.c_int, [ctypes.c_int]
                _thread_calls = (get, put)
                break
        else:
            _thread_calls = (lambda: 1, lambda n: None)  # unknown build: never split, never touched
    return _thread_calls


def threads() -> int:
    """How many threads NumPy's BLAS uses now (OPENBLAS_NUM_THREADS or the cores, unless changed)."""
    return int(_thread_functions()[0]())


def set_threads(n: int) -> None:
    _thread_functions()[1](int(n))
