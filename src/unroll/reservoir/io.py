"""Save and load a fitted ESN: weights in safetensors, hyperparameters in JSON, never pickle.

A model is a checkpoint directory (unroll.checkpoint: written atomically, the two files tied by
a hash) holding `model.safetensors` (the sparse W in CSR parts `reservoir.W.data`, `.indices`,
`.indptr`, then `reservoir.W_in`, `reservoir.bias`, `reservoir.W_fb`, `reservoir.leak_rate`,
`readout.coef`, `readout.intercept`, `state`) and `config.json` (the constructor arguments of the
reservoir, readout and ESN, and the unroll version). Online readouts are saved by their weights
only: a loaded RLS starts a fresh P if trained further. A loaded ESN's `reservoir` parameter
holds the saved weights, so refitting it retrains the readout on the same reservoir.
"""
from __future__ import annotations

import copy

import numpy as np
import scipy.sparse as sp

from ..checkpoint import load_checkpoint, save_checkpoint
from .esn import ESN
from .readouts import LMS, RLS, Ridge
from .reservoir import Reservoir
from ..errors import InvalidValueError

READOUTS = {"Ridge": Ridge, "RLS": RLS, "LMS": LMS}
# Reservoir parameters not written to config.json: the weights drawn from rng are saved
# themselves, and dtype is written by name.
_RESERVOIR_UNSAVED = ("rng", "dtype")


def _jsonable(value):
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    return value


def save_esn(esn: ESN, directory) -> None:
    """Write a fitted ESN to `directory` (str or PathLike; its parent must exist)."""
    if not hasattr(esn, "readout_"):
        raise InvalidValueError("save_esn: expected a fitted ESN, call fit first")
    res, ro = esn.reservoir_, esn.readout_
    tensors = {
        "reservoir.W.data": res.W_.data, "reservoir.W.indices": res.W_.indices.astype(np.int64),
        "reservoir.W.indptr": res.W_.indptr.astype(np.int64), "reservoir.W_in": res.W_in_,
        "reservoir.bias": res.bias_, "reservoir.W_fb": res.W_fb_, "reservoir.leak_rate": np.atleast_1d(res.leak_),
        "readout.coef": ro.coef_, "readout.intercept": ro.intercept_, "state": esn.state_,
    }
    from .. import __version__
    config = {
        "format": "unroll.esn", "version": __version__,
        "reservoir": {k: _jsonable(v) for k, v in res.get_params(deep=False).items() if k not in _RESERVOIR_UNSAVED}
        | {"dtype": np.dtype(res.dtype).name},
        "readout": {"kind": type(ro).__name__, "params": {k: _jsonable(v) for k, v in ro.get_params(deep=False).items()}},
        "esn": {"feedback": esn.feedback, "input_to_readout": esn.input_to_readout,
                "square_states": esn.square_states},
    }
    save_checkpoint(directory, tensors, config)


def load_esn(directory: str) -> ESN:
    """Read an ESN written by save_esn; it predicts and generates exactly as the saved one."""
    t, config = load_checkpoint(directory)
    if config.get("format") != "unroll.esn":
        raise InvalidValueError(f"{directory}: expected an unroll.esn model, got format {config.get('format')!r}")
    rc = dict(config["reservoir"])
    res = Reservoir(**rc | {"dtype": np.dtype(rc["dtype"])})
    n = res.units
    res.W_ = sp.csr_matrix((t["reservoir.W.data"], t["reservoir.W.indices"], t["reservoir.W.indptr"]), shape=(n, n))
    res.W_in_, res.bias_, res.W_fb_ = t["reservoir.W_in"], t["reservoir.bias"], t["reservoir.W_fb"]
    leak = t["reservoir.leak_rate"]
    res.leak_ = leak[0].astype(leak.dtype) if np.ndim(res.leak_rate) == 0 else leak
    res.noise_rng_ = np.random.default_rng()
    kind = config["readout"]["kind"]
    if kind not in READOUTS:
        raise InvalidValueError(f"{directory}: expected a readout in {sorted(READOUTS)}, got {kind!r}")
    readout = READOUTS[kind](**config["readout"]["params"])
    esn = ESN(res, readout, **config["esn"])
    esn.reservoir_, esn.readout_ = copy.deepcopy(res), copy.deepcopy(readout)
    esn.readout_.coef_, esn.readout_.intercept_ = t["readout.coef"], t["readout.intercept"]
    esn.state_ = t["state"]
    return esn
