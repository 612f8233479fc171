"""The compiled (Numba) kernels of the fused path: every cell's whole time loop in one call.

The same equations as the NumPy reference (`functional/rnn_cell.py`, `lstm_cell.py`, `gru_cell.py`,
`leaky_cell.py`), in the same order of floating-point operations wherever that is cheap, so the two
agree to rounding. Layout is the reference's, batch-first: gates and states live in (B, T, G*H) and
(B, T+1, H) buffers; step t works on the strided (B, .) slices `buf[:, t]`, which BLAS takes with a
leading dimension, so nothing is transposed or copied for the products.

The products go straight to NumPy's own OpenBLAS through CBLAS (`gemm` below; `_blas.py` binds the
symbol before anything here is compiled or loaded from the on-disk cache), not through `np.dot`,
which in Numba calls SciPy's second copy of OpenBLAS: two thread pools spinning against each other
on two cores (measured, see docs/performance.md). CBLAS also lets one call accumulate
(`beta = 1`): the recurrent product of each step is added straight into that step's slice of the
input projections, as the reference's `a = h W_hh^T; a += gx`.

Transcendentals: float32 uses the branch-free `_expf` below (Cephes' polynomial, error < 2 ulp),
which LLVM vectorises (libm's scalar expf is ten times slower per element here); float64 uses
libm's exp and tanh (the float64 path is what the equality tests run; it is not tuned).
"""
from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from ._blas import DGEMM_SYMBOL, DGEMV_SYMBOL, SGEMM_SYMBOL, SGEMV_SYMBOL, bind

bind()  # before any kernel is compiled or loaded from the cache

JIT = dict(cache=True, fastmath=False, error_model="numpy", nogil=True)

# ---------------------------------------------------------------------------------- BLAS


@intrinsic
def gemm(typingctx, a, trans_a, b, trans_b, c, beta):
    """c = op(a) op(b) + beta c (op: transpose where trans_*), by one row-major cblas_?gemm call.

    a, b, c: 2-D arrays of one float dtype with unit stride along axis 1 (any row stride: a strided
    slice such as buf[:, t] of a (B, T, N) buffer is passed with leading dimension T*N). Generated
    inline at each call site (an intrinsic, not a jitted function), so no compiled variant per layout.
    """
    if not all(isinstance(v, types.Array) and v.ndim == 2 for v in (a, b, c)):
        return None
    dt = c.dtype
    if dt not in (types.float32, types.float64) or a.dtype != dt or b.dtype != dt:
        return None
    sig = types.void(a, trans_a, b, trans_b, c, beta)

    def codegen(context, builder, signature, args):
        aty, taty, bty, tbty, cty, betaty = signature.args
        fl = context.get_value_type(dt)
        ptr = fl.as_pointer()
        i32, i64 = ir.IntType(32), ir.IntType(64)
        fnty = ir.FunctionType(ir.VoidType(), [i32, i32, i32, i64, i64, i64, fl, ptr, i64, ptr, i64, fl, ptr, i64])
        fn = cgutils.get_or_insert_function(builder.module, fnty, SGEMM_SYMBOL if dt == types.float32 else DGEMM_SYMBOL)
        gemv_ty = ir.FunctionType(ir.VoidType(), [i32, i32, i64, i64, fl, ptr, i64, ptr, i64, fl, ptr, i64])
        gemv = cgutils.get_or_insert_function(builder.module, gemv_ty,
                                              SGEMV_SYMBOL if dt == types.float32 else DGEMV_SYMBOL)
        itemsize = ir.Constant(i64, context.get_abi_sizeof(fl))
        one64 = ir.Constant(i64, 1)

        def unpack(ty, val):
            arr = cgutils.create_struct_proxy(ty)(context, builder, value=val)
            rows, cols = cgutils.unpack_tuple(builder, arr.shape, 2)
            stride = cgutils.unpack_tuple(builder, arr.strides, 2)[0]
            ld = builder.sdiv(stride, itemsize)
            ld = builder.select(builder.icmp_signed(">", ld, cols), ld, cols)
            ld = builder.select(builder.icmp_signed(">", ld, one64), ld, one64)
            return builder.bitcast(arr.data, ptr), rows, cols, ld

        pa, ra, ca, lda = unpack(aty, args[0])
        pb, rb, cb, ldb = unpack(bty, args[2])
        pc, m, n, ldc = unpack(cty, args[4])
        ta = context.cast(builder, args[1], taty, types.boolean)
        tb = context.cast(builder, args[3], tbty, types.boolean)
        k = builder.select(ta, ra, ca)
        flag = lambda t: builder.select(t, ir.Constant(i32, 112), ir.Constant(i32, 111))
        beta_v = context.cast(builder, args[5], betaty, dt)
        one = ir.Constant(fl, 1.0)
        empty = builder.or_(builder.icmp_signed("==", m, ir.Constant(i64, 0)),
                            builder.icmp_signed("==", n, ir.Constant(i64, 0)))
        with builder.if_then(builder.not_(empty)):
            # One row (streaming, B = 1): OpenBLAS's sgemm packs the whole of op(b) on every call, which
            # costs several times the product; gemv reads b once. c^T = op(b)^T a^T, where op(b)^T is
            # b itself read row-major with the opposite transpose flag.
            with builder.if_else(builder.icmp_signed("==", m, one64)) as (single_row, general):
                with single_row:
                    incx = builder.select(ta, lda, one64)
                    builder.call(gemv, [ir.Constant(i32, 101), flag(builder.not_(tb)), rb, cb, one,
                                        pb, ldb, pa, incx, beta_v, pc, one64])
                with general:
                    builder.call(fn, [ir.Constant(i32, 101), flag(ta), flag(tb), m, n, k, one,
                                      pa, lda, pb, ldb, beta_v, pc, ldc])
        return context.get_dummy_value()

    return sig, codegen


# ---------------------------------------------------------------------------------- scalar math


def _c(like, value):
    """value in the dtype of `like` (an array or a scalar), so float32 code stays float32."""
    raise NotImplementedError


@overload(_c)
def _c_impl(like, value):
    ty = like.dtype if isinstance(like, types.Array) else like
    if ty == types.float32:
        return lambda like, value: np.float32(value)
    return lambda like, value: np.float64(value)


@intrinsic
def _i32_as_f32(typingctx, i):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())
    return types.float32(types.int32), codegen


@njit(inline="always")
def _expf(x):
    """exp for float32, branch-free (Cephes expf: error < 2 ulp); NaN propagates; clamped to float32's range."""
    x = np.float32(-87.33654) if x < np.float32(-87.33654) else x
    x = np.float32(88.72283) if x > np.float32(88.72283) else x
    fx = np.floor(x * np.float32(1.44269504088896341) + np.float32(0.5))
    r = x - fx * np.float32(0.693359375) - fx * np.float32(-2.12194440e-4)
    y = ((((np.float32(1.9875691500e-4) * r + np.float32(1.3981999507e-3)) * r + np.float32(8.3334519073e-3)) * r
          + np.float32(4.1665795894e-2)) * r + np.float32(1.6666665459e-1)) * r + np.float32(5.0000001201e-1)
    y = y * (r * r) + r + np.float32(1.0)
    return y * _i32_as_f32((np.int32(fx) + np.int32(127)) << np.int32(23))


@njit(inline="always")
def _tanhf(x):
    """tanh for float32, branch-free (Cephes tanhf: a polynomial below 0.625, 1 - 2 / (exp(2|x|) + 1) above)."""
    z = x * x
    small = ((((np.float32(-5.70498872745e-3) * z + np.float32(2.06390887954e-2)) * z
               - np.float32(5.37397155531e-2)) * z + np.float32(1.33314422036e-1)) * z
             - np.float32(3.33332819422e-1)) * z * x + x
    big = np.float32(1.0) - np.float32(2.0) / (_expf(np.float32(2.0) * abs(x)) + np.float32(1.0))
    big = -big if x < np.float32(0.0) else big
    return small if abs(x) < np.float32(0.625) else big


def _sigmoid(x):
    raise NotImplementedError


def _tanh(x):
    raise NotImplementedError


@overload(_sigmoid)
def _sigmoid_impl(x):
    if x == types.float32:
        return lambda x: np.float32(1.0) / (np.float32(1.0) + _expf(-x))
    return lambda x: 1.0 / (1.0 + math.exp(-x))


@overload(_tanh)
def _tanh_impl(x):
    if x == types.float32:
        return lambda x: _tanhf(x)
    return lambda x: math.tanh(x)


@njit(inline="always")
def _phi(a, relu):
    """tanh, or relu (NaN propagates, as np.maximum's)."""
    if relu:
        return _c(a, 0.0) if a < _c(a, 0.0) else a
    return _tanh(a)


@njit(inline="always")
def _phi_grad(y, relu):
    """phi' from the output y: 1 - y^2, or [y > 0]."""
    if relu:
        return _c(y, 1.0) if y > _c(y, 0.0) else _c(y, 0.0)
    return _c(y, 1.0) - y * y


# ---------------------------------------------------------------------------------- shared pieces


@njit(**JIT)
def _project(x, w_ih, bias):
    """gx = x W_ih^T + bias for all steps: bias written first, one GEMM accumulates onto it. (B, T, G*H)."""
    B, T, D = x.shape
    GH = w_ih.shape[0]
    gx = np.empty((B, T, GH), dtype=x.dtype)
    for b in range(B):
        for t in range(T):
            for j in range(GH):
                gx[b, t, j] = bias[j]
    gemm(x.reshape(B * T, D), False, w_ih, True, gx.reshape(B * T, GH), 1.0)
    return gx


@njit(**JIT)
def _input_grads(dgx, x, w_ih):
    """dx = dGX W_ih and dW_ih = dGX^T X, one GEMM each with K = B*T."""
    B, T, D = x.shape
    GH = w_ih.shape[0]
    dx = np.empty((B, T, D), dtype=x.dtype)
    dgx2 = dgx.reshape(B * T, GH)
    gemm(dgx2, False, w_ih, False, dx.reshape(B * T, D), 0.0)
    dw_ih = np.empty((GH, D), dtype=x.dtype)
    gemm(dgx2, True, x.reshape(B * T, D), False, dw_ih, 0.0)
    return dx, dw_ih


@njit(**JIT)
def _previous_states(hs):
    """Every step's previous state hs[:, :T] of (B, T+1, H) as one contiguous (B*T, H) matrix.

    The copy (B*T*H numbers) lets each recurrent weight gradient be one GEMM with K = B*T. A GEMM
    per sequence (K = T, which needs no copy) reads and writes the whole (G*H, H) gradient B times:
    at (64, 50, 64, 512) that made the LSTM backward slower than the NumPy reference's."""
    B, S, H = hs.shape
    T = S - 1
    prev = np.empty((B * T, H), dtype=hs.dtype)
    for b in range(B):
        for t in range(T):
            row, src = prev[b * T + t], hs[b, t]
            for j in range(H):
                row[j] = src[j]
    return prev


@njit(**JIT)
def _column_sums(d, out, offset):
    """out[offset + j] = sum over (b, t) of d[b, t, j]."""
    B, T, R = d.shape
    for j in range(R):
        out[offset + j] = 0.0
    for b in range(B):
        for t in range(T):
            for j in range(R):
                out[offset + j] += d[b, t, j]


# ---------------------------------------------------------------------------------- Elman and leaky


@njit(**JIT)
def elman_forward(x, h0, w_ih, w_hh, bias, alpha, lengths, relu, leaky, train):
    """RNN (tanh/relu) and leaky-integrator forward over all T.

    x (B, T, D), h0 (B, H), w_ih (H, D), w_hh (H, H), bias (H,) (b_ih + b_hh, folded), alpha (H,)
    (leaky only), lengths (B,) int64. Returns (output (B, T, H), hs, u): hs (B, T+1, H) every state
    (train) or (B, 2, H) the last two (inference); u (B, T, H) phi's output (the leaky cell's cache;
    the gx buffer reused).
    """
    B, T, D = x.shape
    H = h0.shape[1]
    u = _project(x, w_ih, bias)  # (B, T, H): gx, then a, then u = phi(a) in place
    hs = np.empty((B, T + 1 if train else 2, H), dtype=x.dtype)
    hs[:, 0] = h0
    out = np.empty((B, T, H), dtype=x.dtype)
    for t in range(T):
        tp, tn = (t, t + 1) if train else (t & 1, (t + 1) & 1)
        gemm(hs[:, tp], False, w_hh, True, u[:, t], 1.0)  # a_t = h_{t-1} W_hh^T + gx_t
        for b in range(B):
            ut, hp, hn, ot = u[b, t], hs[b, tp], hs[b, tn], out[b, t]
            if t < lengths[b]:
                if leaky:
                    for j in range(H):
                        ut[j] = _phi(ut[j], relu)
                    for j in range(H):
                        hn[j] = (ut[j] - hp[j]) * alpha[j] + hp[j]
                else:
                    for j in range(H):
                        hn[j] = _phi(ut[j], relu)
                for j in range(H):
                    ot[j] = hn[j]
            else:  # past this sequence's end: the state is carried, the output is zero
                for j in range(H):
                    hn[j] = hp[j]
                    ot[j] = 0.0
                    ut[j] = 0.0
    return out, hs, u


@njit(**JIT)
def elman_backward(d_out, has_d_out, dh_T, x, w_ih, w_hh, alpha, lengths, hs, u, relu, leaky):
    """BPTT of `elman_forward`. d_out (B, T, H) (ignored unless has_d_out), dh_T (B, H).

    Returns (dx (B, T, D), dh0 (B, H), dw_ih (H, D), dw_hh (H, H), db (H,)) with db the gradient of
    the folded bias (= that of b_ih and of b_hh).
    """
    B, T, D = x.shape
    H = dh_T.shape[1]
    dgx = np.empty((B, T, H), dtype=x.dtype)
    dh = dh_T.copy()
    dhp = np.empty((B, H), dtype=x.dtype)
    one = _c(dh, 1.0)
    for t in range(T - 1, -1, -1):
        for b in range(B):
            row, d = dgx[b, t], dh[b]
            if t < lengths[b]:
                if has_d_out:
                    for j in range(H):
                        d[j] = d[j] + d_out[b, t, j]
                if leaky:
                    ut = u[b, t]
                    for j in range(H):
                        row[j] = (d[j] * alpha[j]) * _phi_grad(ut[j], relu)
                else:
                    hn = hs[b, t + 1]
                    for j in range(H):
                        row[j] = d[j] * _phi_grad(hn[j], relu)
            else:
                for j in range(H):
                    row[j] = 0.0
        gemm(dgx[:, t], False, w_hh, False, dhp, 0.0)  # (B, H): da_t W_hh
        for b in range(B):
            if t < lengths[b]:
                d = dh[b]
                if leaky:
                    for j in range(H):
                        d[j] = dhp[b, j] + (one - alpha[j]) * d[j]
                else:
                    for j in range(H):
                        d[j] = dhp[b, j]
    dx, dw_ih = _input_grads(dgx, x, w_ih)
    dw_hh = np.empty((H, H), dtype=x.dtype)
    gemm(dgx.reshape(B * T, H), True, _previous_states(hs), False, dw_hh, 0.0)
    db = np.empty(H, dtype=x.dtype)
    _column_sums(dgx, db, 0)
    return dx, dh, dw_ih, dw_hh, db


# ---------------------------------------------------------------------------------- LSTM


@njit(**JIT)
def lstm_forward(x, h0, c0, w_ih, w_hh, bias, lengths, train):
    """LSTM forward (gates i, f, g, o). bias (4H,) = b_ih + b_hh (folded).

    Returns (output (B, T, H), hs, cs, gates): hs, cs (B, T+1, H) every state (train) or (B, 2, H)
    (inference); gates (B, T, 4H) the squashed gates [i | f | g | o] (zeros past each length).
    """
    B, T, D = x.shape
    H = h0.shape[1]
    one, two = _c(x, 1.0), _c(x, 2.0)
    gates = _project(x, w_ih, bias)  # (B, T, 4H)
    S = T + 1 if train else 2
    hs = np.empty((B, S, H), dtype=x.dtype)
    cs = np.empty((B, S, H), dtype=x.dtype)
    hs[:, 0] = h0
    cs[:, 0] = c0
    out = np.empty((B, T, H), dtype=x.dtype)
    for t in range(T):
        tp, tn = (t, t + 1) if train else (t & 1, (t + 1) & 1)
        gemm(hs[:, tp], False, w_hh, True, gates[:, t], 1.0)  # (B, 4H): a_t = h_{t-1} W_hh^T + gx_t
        for b in range(B):
            row, cp, cn, hp, hn, ot = gates[b, t], cs[b, tp], cs[b, tn], hs[b, tp], hs[b, tn], out[b, t]
            if t < lengths[b]:
                for j in range(2 * H):  # i, f
                    row[j] = _sigmoid(row[j])
                for j in range(2 * H, 3 * H):  # g = tanh(a) = 2 sigmoid(2a) - 1, as the reference
                    row[j] = two * _sigmoid(two * row[j]) - one
                for j in range(3 * H, 4 * H):  # o
                    row[j] = _sigmoid(row[j])
                # one output stream per loop: LLVM vectorises these, not a loop writing three arrays
                for j in range(H):
                    cn[j] = row[H + j] * cp[j] + row[j] * row[2 * H + j]
                for j in range(H):
                    hn[j] = row[3 * H + j] * _tanh(cn[j])
                for j in range(H):
                    ot[j] = hn[j]
            else:
                for j in range(H):
                    cn[j] = cp[j]
                    hn[j] = hp[j]
                    ot[j] = 0.0
                for j in range(4 * H):
                    row[j] = 0.0
    return out, hs, cs, gates


@njit(**JIT)
def lstm_backward(d_out, has_d_out, dh_T, dc_T, x, w_ih, w_hh, lengths, hs, cs, gates):
    """BPTT of `lstm_forward`. Returns (dx, dh0, dc0, dw_ih, dw_hh, db) (db: the folded bias's)."""
    B, T, D = x.shape
    H = dh_T.shape[1]
    dgx = np.empty((B, T, 4 * H), dtype=x.dtype)
    dh, dc = dh_T.copy(), dc_T.copy()
    dhp = np.empty((B, H), dtype=x.dtype)
    tc = np.empty(H, dtype=x.dtype)  # tanh(c_t) of one row, recomputed (not cached)
    dct = np.empty(H, dtype=x.dtype)  # the total gradient reaching c_t
    one = _c(x, 1.0)
    for t in range(T - 1, -1, -1):
        for b in range(B):
            row, g4, d, dcb = dgx[b, t], gates[b, t], dh[b], dc[b]
            if t < lengths[b]:
                cp, cn = cs[b, t], cs[b, t + 1]
                if has_d_out:
                    for j in range(H):
                        d[j] = d[j] + d_out[b, t, j]
                for j in range(H):
                    tc[j] = _tanh(cn[j])
                for j in range(H):
                    dct[j] = (one - tc[j] * tc[j]) * g4[3 * H + j] * d[j] + dcb[j]
                for j in range(H):  # i
                    row[j] = (dct[j] * g4[2 * H + j]) * ((one - g4[j]) * g4[j])
                for j in range(H):  # f
                    row[H + j] = (dct[j] * cp[j]) * ((one - g4[H + j]) * g4[H + j])
                for j in range(H):  # g
                    row[2 * H + j] = (dct[j] * g4[j]) * (one - g4[2 * H + j] * g4[2 * H + j])
                for j in range(H):  # o
                    row[3 * H + j] = (d[j] * tc[j]) * ((one - g4[3 * H + j]) * g4[3 * H + j])
                for j in range(H):
                    dcb[j] = dct[j] * g4[H + j]
            else:
                for j in range(4 * H):
                    row[j] = 0.0
        gemm(dgx[:, t], False, w_hh, False, dhp, 0.0)  # (B, H): da_t W_hh
        for b in range(B):
            if t < lengths[b]:
                for j in range(H):
                    dh[b, j] = dhp[b, j]
    dx, dw_ih = _input_grads(dgx, x, w_ih)
    dw_hh = np.empty((4 * H, H), dtype=x.dtype)
    gemm(dgx.reshape(B * T, 4 * H), True, _previous_states(hs), False, dw_hh, 0.0)
    db = np.empty(4 * H, dtype=x.dtype)
    _column_sums(dgx, db, 0)
    return dx, dh, dc, dw_ih, dw_hh, db


# ---------------------------------------------------------------------------------- GRU


@njit(**JIT)
def gru_forward(x, h0, w_ih, w_hh, b_ih, b_hh, lengths, train):
    """GRU forward (PyTorch's r, z, n). b_ih, b_hh (3H,) (zeros without bias).

    Returns (output (B, T, H), hs, gates, ghn): hs (B, T+1, H) (train) or (B, 2, H); gates (B, T, 3H)
    = [r | z | n] after squashing; ghn (B, T, H) = h_{t-1} W_hn^T + b_hn (train; (B, 1, H) unused otherwise).
    """
    B, T, D = x.shape
    H = h0.shape[1]
    gates = _project(x, w_ih, b_ih)  # (B, T, 3H)
    hs = np.empty((B, T + 1 if train else 2, H), dtype=x.dtype)
    hs[:, 0] = h0
    ghn = np.empty((B, T if train else 1, H), dtype=x.dtype)
    gh = np.empty((B, 3 * H), dtype=x.dtype)
    out = np.empty((B, T, H), dtype=x.dtype)
    for t in range(T):
        tp, tn = (t, t + 1) if train else (t & 1, (t + 1) & 1)
        gemm(hs[:, tp], False, w_hh, True, gh, 0.0)  # (B, 3H): h_{t-1} W_hh^T
        for b in range(B):
            row, ghb, hp, hn, ot = gates[b, t], gh[b], hs[b, tp], hs[b, tn], out[b, t]
            gn = ghn[b, t if train else 0]
            if t < lengths[b]:
                for j in range(2 * H):  # r, z
                    row[j] = _sigmoid(row[j] + (ghb[j] + b_hh[j]))
                for j in range(H):
                    gn[j] = ghb[2 * H + j] + b_hh[2 * H + j]
                for j in range(H):
                    row[2 * H + j] = _tanh(row[j] * gn[j] + row[2 * H + j])
                for j in range(H):
                    hn[j] = (hp[j] - row[2 * H + j]) * row[H + j] + row[2 * H + j]
                for j in range(H):
                    ot[j] = hn[j]
            else:
                for j in range(H):
                    hn[j] = hp[j]
                    ot[j] = 0.0
                    gn[j] = 0.0
                for j in range(3 * H):
                    row[j] = 0.0
    return out, hs, gates, ghn


@njit(**JIT)
def gru_backward(d_out, has_d_out, dh_T, x, w_ih, w_hh, lengths, hs, gates, ghn):
    """BPTT of `gru_forward`. Returns (dx, dh0, dw_ih, dw_hh, db_ih, db_hh)."""
    B, T, D = x.shape
    H = dh_T.shape[1]
    dgx = np.empty((B, T, 3 * H), dtype=x.dtype)  # gradient of the input pre-activations
    dghn = np.empty((B, T, H), dtype=x.dtype)  # of W_hn h + b_hn (dgh's other blocks are dgx's)
    dgh = np.empty((B, 3 * H), dtype=x.dtype)  # this step's dgh, contiguous for the product
    dh = dh_T.copy()
    dhp = np.empty((B, H), dtype=x.dtype)
    da_n = np.empty(H, dtype=x.dtype)
    one = _c(x, 1.0)
    for t in range(T - 1, -1, -1):
        for b in range(B):
            row, g3, d, dg, gn, dgn = dgx[b, t], gates[b, t], dh[b], dgh[b], ghn[b, t], dghn[b, t]
            if t < lengths[b]:
                hp = hs[b, t]
                if has_d_out:
                    for j in range(H):
                        d[j] = d[j] + d_out[b, t, j]
                for j in range(H):  # r, z, n = g3[j], g3[H + j], g3[2H + j]
                    da_n[j] = d[j] * (one - g3[H + j]) * (one - g3[2 * H + j] * g3[2 * H + j])
                for j in range(H):
                    row[j] = da_n[j] * gn[j] * g3[j] * (one - g3[j])
                for j in range(H):
                    row[H + j] = d[j] * (hp[j] - g3[2 * H + j]) * g3[H + j] * (one - g3[H + j])
                for j in range(H):
                    row[2 * H + j] = da_n[j]
                for j in range(2 * H):
                    dg[j] = row[j]
                for j in range(H):
                    dg[2 * H + j] = da_n[j] * g3[j]
                for j in range(H):
                    dgn[j] = dg[2 * H + j]
            else:
                for j in range(3 * H):
                    row[j] = 0.0
                    dg[j] = 0.0
                for j in range(H):
                    dgn[j] = 0.0
        gemm(dgh, False, w_hh, False, dhp, 0.0)  # (B, H): dgh_t W_hh
        for b in range(B):
            if t < lengths[b]:
                z3 = gates[b, t]
                for j in range(H):
                    dh[b, j] = dhp[b, j] + dh[b, j] * z3[H + j]
    dx, dw_ih = _input_grads(dgx, x, w_ih)
    dw_hh = np.empty((3 * H, H), dtype=x.dtype)
    prev = _previous_states(hs)
    gemm(dgx.reshape(B * T, 3 * H)[:, :2 * H], True, prev, False, dw_hh[:2 * H], 0.0)  # r, z rows
    gemm(dghn.reshape(B * T, H), True, prev, False, dw_hh[2 * H:], 0.0)  # n rows: through W_hn h + b_hn
    db_ih = np.empty(3 * H, dtype=x.dtype)
    _column_sums(dgx, db_ih, 0)
    db_hh = np.empty(3 * H, dtype=x.dtype)
    _column_sums(dgx[:, :, :2 * H], db_hh, 0)
    _column_sums(dghn, db_hh, 2 * H)
    return dx, dh, dw_ih, dw_hh, db_ih, db_hh
