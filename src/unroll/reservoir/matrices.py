"""Random reservoir matrices: a sparse recurrent matrix rescaled to a spectral radius, and the
dense input, bias and feedback weights.

The recurrent matrix W (N, N) is a SciPy CSR matrix with normal(0, 1) non-zeros placed either
with a `connectivity` (the fraction of the N^2 entries that are non-zero, as in ReservoirPy) or
with a `degree` (exactly that many non-zeros per row, i.e. the in-degree of every unit, as in
Jaeger's reports). It is then divided by its spectral radius (the largest |eigenvalue|, found
with ARPACK's implicitly restarted Arnoldi method, `scipy.sparse.linalg.eigs`, which needs only
matrix-vector products) and multiplied by the requested one.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackNoConvergence, eigs
from ..errors import InvalidValueError

try:  # SciPy's compiled CSR kernel: y += A x without the ~20 us of Python dispatch of `A @ x`
    from scipy.sparse._sparsetools import csr_matvec
except ImportError:  # pragma: no cover - a SciPy that moved it: the public operator is as exact
    csr_matvec = None

# Below this size ARPACK is not applicable (it needs k < N - 1) nor useful: use a dense solver.
_DENSE_EIG_MAX = 64


def spectral_radius(W, rng=None) -> float:
    """Largest absolute eigenvalue of a square matrix W (N, N), sparse or dense.

    Uses ARPACK (`eigs`, which='LM') for sparse matrices above 64 units, with a starting vector
    drawn from `rng` so the result does not depend on global state; dense `eigvals` otherwise.
    """
    n = W.shape[0]
    if n <= _DENSE_EIG_MAX or not sp.issparse(W):
        dense = W.toarray() if sp.issparse(W) else np.asarray(W)
        return float(np.abs(np.linalg.eigvals(dense.astype(np.float64))).max())
    Wd = W.astype(np.float64)
    v0 = np.random.default_rng(rng).standard_normal(n)
    try:
        vals = eigs(Wd, k=1, which="LM", v0=v0, tol=1e-9, maxiter=50 * n, return_eigenvectors=False)
    except ArpackNoConvergence:  # rare: fall back to the exact dense solution
        return float(np.abs(np.linalg.eigvals(Wd.toarray())).max())
    return float(np.abs(vals).max())


# A dense product beats CSR once enough entries are non-zero and the dense matrix fits in cache:
# at N = 1000 in float32 with one BLAS thread, CSR takes 11 us at connectivity 0.01 and 91 us at
# 0.1, the dense GEMV 40 us whatever the connectivity (4 MB, in cache). In float64 the dense copy is
# 8 MB, falls out of cache and loses (measured: ESN runs 1.5x slower), hence the size limit.
DENSE_ABOVE_DENSITY = 0.05
DENSE_MAX_BYTES = 4 * 2**20


def product_form(W):
    """W itself, or a dense copy of a sparse W when that makes W x faster (dense and small enough)."""
    n = W.shape[0]
    if sp.issparse(W) and W.nnz >= DENSE_ABOVE_DENSITY * n * n and n * n * W.dtype.itemsize <= DENSE_MAX_BYTES:
        return W.toarray()
    return W


def matvec_add(W, x: np.ndarray, y: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """W x + y for every row of x: x (N,) or (B, N), y the same shape; W (N, N) CSR or dense.

    Written into `out` when given (it must not alias x), else a new array; x and y are unchanged.
    """
    if out is None:
        out = np.empty_like(y)
    if x.ndim == 1 and csr_matvec is not None and type(W) is sp.csr_matrix and W.dtype == x.dtype == out.dtype:
        out[...] = y
        csr_matvec(W.shape[0], W.shape[1], W.indptr, W.indices, W.data, x, out)  # out += W x
        return out
    np.add((W @ x.T).T, y, out=out)  # (B, N)
    return out


def sparse_recurrent(units: int, spectral_radius_: float, connectivity: float | None, degree: int | None,
                     rng: np.random.Generator, dtype) -> sp.csr_matrix:
    """A random sparse W (units, units) in CSR form scaled to `spectral_radius_`.

    Exactly one of `connectivity` (fraction of non-zeros in (0, 1]) or `degree` (non-zeros per
    row, 1 <= degree <= units) is used; `degree` wins when both are given.
    """
    if degree is not None:
        # `degree` distinct columns per row: argpartition of random keys is a vectorised sample.
        keys = rng.random((units, units))
        cols = np.argpartition(keys, degree - 1, axis=1)[:, :degree]  # (N, degree)
        rows = np.repeat(np.arange(units), degree)
        cols = cols.ravel()
    else:
        nnz = max(1, int(round(connectivity * units * units)))
        flat = rng.choice(units * units, size=nnz, replace=False)
        rows, cols = np.divmod(flat, units)
    values = rng.standard_normal(rows.size)
    W = sp.csr_matrix((values, (rows, cols)), shape=(units, units), dtype=np.float64)
    W.sort_indices()
    radius = spectral_radius(W, rng)
    if radius < 1e-12:
        raise InvalidValueError(
            f"the random recurrent matrix has spectral radius {radius:.3g} (too sparse: "
            f"connectivity={connectivity}, degree={degree}); raise the connectivity or degree")
    W *= spectral_radius_ / radius
    return W.astype(dtype)


def dense_uniform(shape: tuple, scaling, rng: np.random.Generator, dtype) -> np.ndarray:
    """Dense weights uniform in [-1, 1] times `scaling` (a scalar, or one value per column)."""
    return (rng.uniform(-1.0, 1.0, size=shape) * scaling).astype(dtype)
