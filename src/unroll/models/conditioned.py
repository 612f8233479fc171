"""Conditioned one-to-many generation (caption-style): a feature vector sets the initial state, the
previous output is fed back as the next input.

    model = ConditionedGenerator(feature_size=64, vocab_size=len(vocab), hidden_size=64, rng=0)
    logits, cache = model.forward(features, tokens_in, lengths)    # (B, F), (B, T) ids -> (B, T, V)
    model.backward(d_logits, cache)
    hyps = greedy(model, model.start(features), bos_id, eos_id)    # or beam_search, or sample(...)

    h_0 = tanh(W_f f + b_f)         (B, H); for an LSTM the cell state starts at zero
    h_t = cell(E y_{t-1}, h_{t-1})  y_0 = <s>; teacher forcing feeds the reference y_{t-1} in training
    p(y_t | y_<t, f) = softmax(W_o h_t + b_o)

The recurrence is the library's runner (`registry.build_layer`, one layer) over the embedded inputs,
the initial state's gradient flows back into W_f. `step` is the cache-free decoding step that
`unroll.models.decoding` (greedy, beam_search) and `sample` drive. `caption_digits` in
benchmarks/caption_digits.py captions scikit-learn's 8x8 digits with their English names.
"""
from __future__ import annotations

import numpy as np

from .._checks import as_rng, check_array, check_dtype, check_size
from ..errors import InvalidValueError
from ..nn.embedding import Embedding, check_tokens
from ..nn.linear import Linear
from ..nn.module import Module
from ..nn.registry import build_layer
from ..nn.state import from_tuple, to_tuple

__all__ = ["ConditionedGenerator", "sample"]


class ConditionedGenerator(Module):
    """feature_size F, vocab_size V, hidden_size H, embedding_dim E (default H), cell 'gru'/'lstm'/...;
    pad_id, bos_id, eos_id of the vocabulary."""

    def __init__(self, feature_size: int, vocab_size: int, hidden_size: int = 64, embedding_dim: int | None = None,
                 cell: str = "gru", pad_id: int = 0, bos_id: int = 2, eos_id: int = 3, dtype=np.float32, rng=None):
        super().__init__()
        rng, dtype = as_rng(rng), check_dtype(dtype)
        F, V, H = check_size("feature_size", feature_size), check_size("vocab_size", vocab_size), \
            check_size("hidden_size", hidden_size)
        E = H if embedding_dim is None else check_size("embedding_dim", embedding_dim)
        self.cfg = dict(feature_size=F, vocab_size=V, hidden_size=H, embedding_dim=E, cell=cell, pad_id=pad_id,
                        bos_id=bos_id, eos_id=eos_id, dtype=np.dtype(dtype).name)
        self.dtype, self.H = dtype, H
        self.pad_id, self.bos_id, self.eos_id = pad_id, bos_id, eos_id
        self.init = self.add_module(Linear(F, H, dtype=dtype, rng=rng), "init")
        self.embedding = self.add_module(Embedding(V, E, pad_id, dtype, rng), "embedding")
        self.rnn = self.add_module(build_layer(cell, E, H, dtype=dtype, rng=rng), "rnn")
        self.output = self.add_module(Linear(H, V, dtype=dtype, rng=rng), "output")
        self.num_states = self.rnn.spec.num_states

    def config(self) -> dict:
        return dict(self.cfg)

    def _initial_state(self, features):
        check_array("features", features, (None, self.cfg["feature_size"]), self.dtype)
        pre, _, init_cache = self.init.forward(features)  # (B, H)
        h0 = np.tanh(pre)
        parts = (h0[None],) + tuple(np.zeros_like(h0)[None] for _ in range(self.num_states - 1))  # each (1, B, H)
        return from_tuple(parts, self.rnn.state_type), h0, init_cache

    def forward(self, features, tokens_in, lengths=None):
        """features (B, F); tokens_in (B, T) ids (<s> y_1 ... y_{T-1}); lengths (B,) or None.
        Returns (logits (B, T, V), cache)."""
        tokens_in = check_tokens(tokens_in, self.cfg["vocab_size"])
        if tokens_in.ndim != 2 or tokens_in.shape[0] != features.shape[0]:
            raise InvalidValueError(f"tokens_in: expected ids ({features.shape[0]}, T), got shape {tokens_in.shape}")
        state0, h0, init_cache = self._initial_state(features)
        x, _, emb_cache = self.embedding.forward(tokens_in)  # (B, T, E)
        h, _, rnn_cache = self.rnn.forward(x, state0, lengths)  # (B, T, H)
        B, T, H = h.shape
        logits, _, out_cache = self.output.forward(h.reshape(B * T, H))  # (B*T, V): one 2-D GEMM
        return logits.reshape(B, T, -1), (h0, init_cache, emb_cache, rnn_cache, out_cache)

    def backward(self, d_logits, cache) -> None:
        """d_logits (B, T, V) -> None; gradients are added into self.grads."""
        h0, init_cache, emb_cache, rnn_cache, out_cache = cache
        B, T, V = d_logits.shape
        d_h, _ = self.output.backward(d_logits.reshape(B * T, V), None, out_cache)
        dx, d_state0 = self.rnn.backward(d_h.reshape(B, T, -1), None, rnn_cache)
        self.embedding.backward(dx, None, emb_cache)
        d_h0 = to_tuple(d_state0)[0][0]  # (B, H)
        self.init.backward(d_h0 * (1.0 - h0 * h0), None, init_cache)

    # ---------------------------------------------------------------- decoding
    def start(self, features) -> dict:
        """Memory for decoding: {'state{k}': (B, H)}."""
        state0, _, _ = self._initial_state(features)
        return {f"state{k}": part[0] for k, part in enumerate(to_tuple(state0))}

    def step(self, memory: dict, tokens):
        """tokens (N,) -> (log_probs (N, V) float64, memory, None)."""
        x = self.embedding.params["weight"][tokens]  # (N, E)
        state = from_tuple(tuple(memory[f"state{k}"][None] for k in range(self.num_states)), self.rnn.state_type)
        h, state = self.rnn.step(x, state)
        logits = (h @ self.output.params["weight"].T + self.output.params["bias"]).astype(np.float64)  # (N, V)
        logits -= logits.max(axis=1, keepdims=True)
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return log_probs, {f"state{k}": part[0] for k, part in enumerate(to_tuple(state))}, None


def sample(model, memory: dict, bos_id: int, eos_id: int, max_len: int = 20, temperature: float = 1.0, rng=None):
    """Draw one output per row of memory from softmax(log p / temperature). Returns lists of ids (no </s>)."""
    if not temperature > 0:
        raise InvalidValueError(f"temperature: expected > 0, got {temperature}")
    rng = as_rng(rng)
    N = len(next(iter(memory.values())))
    tokens = np.full(N, bos_id, dtype=np.int64)
    out, done = [[] for _ in range(N)], np.zeros(N, dtype=bool)
    for _ in range(max_len):
        log_p, memory, _ = model.step(memory, tokens)
        p = np.exp((log_p - log_p.max(axis=1, keepdims=True)) / temperature)
        p /= p.sum(axis=1, keepdims=True)
        tokens = (p.cumsum(axis=1) > rng.random((N, 1))).argmax(axis=1)
        for n in np.flatnonzero(~done):
            if tokens[n] == eos_id:
                done[n] = True
            else:
                out[n].append(int(tokens[n]))
        if done.all():
            break
    return out
