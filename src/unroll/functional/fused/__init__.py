"""The fused, compiled (Numba) path: the reference's equations, one compiled call per sequence.

`unroll.functional.recurrent` and the step kernels beside it are the readable reference; this
package runs the same equations with the whole time loop compiled (`_kernels.py`), the per-step
gate GEMM called from inside it on NumPy's own OpenBLAS (`_blas.py`), the gate math of a step fused
into one pass, gates written straight into the buffers the backward reads, and the weight gradients
one GEMM each after the loop. `tests/functional/test_fused_parity.py` holds it equal to the
reference. `unroll.backend` selects it (default) or the reference.

`FUSED_CELLS` is the registry's lookup: cell registry name -> fused kernel family. A cell not listed
(the peephole LSTM) runs on the reference whatever the backend. This module imports no Numba: the
compiled kernels load on first use (`runner`).
"""
from __future__ import annotations

FUSED_CELLS = {"rnn": "elman", "rnn-relu": "elman", "leaky": "elman", "lstm": "lstm", "gru": "gru"}

__all__ = ["FUSED_CELLS"]
