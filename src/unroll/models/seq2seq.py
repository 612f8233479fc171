"""Encoder-decoder with attention (many-to-many, delayed): translation.

    model = Seq2Seq(len(src_vocab), len(tgt_vocab), attention="bahdanau", rng=0)
    logits, cache = model.forward(src, src_lengths, tgt_in)      # (B, S) ids, (B,), (B, T) ids -> (B, T, V)
    model.backward(d_logits, cache)                               # BPTT: decoder, attention, encoder
    state = model.start(src, src_lengths); log_p, state, alpha = model.step(state, tokens)   # decoding

Shapes: B batch, S source length, T target length, E embedding, He encoder hidden per direction,
C = dirs * He the size of the encoder outputs (keys = values), H decoder hidden, A attention size,
V target vocabulary.

Encoder: embedding -> (bi)directional GRU/LSTM stack over the valid source prefix; outputs h_j (B, S, C).
Decoder initial state: s_0 = tanh(W_b [h_fwd_final; h_bwd_final] + b_b) of the top layer (for the
LSTM the cell state gets its own bridge), then per target step t, from the previous token y_{t-1}:

    bahdanau: e_tj = v^T tanh(W_q s_{t-1} + U_k h_j + b)   alpha_t = softmax_valid(e_t)   c_t = sum alpha_tj h_j
              s_t = cell([E y_{t-1}; c_t], s_{t-1})        logits_t = W_o [s_t; c_t] + b_o
    luong:    s_t = cell([E y_{t-1}; h~_{t-1}], s_{t-1})   (input feeding, h~_0 = 0)
              alpha_t = softmax_valid(score(s_t, h_j))     (general q^T W_a h_j, dot, or concat/additive)
              h~_t = tanh(W_c [c_t; s_t] + b_c)            logits_t = W_o h~_t + b_o
    none:     s_t = cell(E y_{t-1}, s_{t-1})               logits_t = W_o s_t + b_o   (the bottleneck baseline)

The decoder cell is stepped with its cached single step (`cell.forward` / `cell.backward`); the
output projection of all steps is one GEMM after the loop (and its gradient one GEMM before the
backward loop). Teacher forcing feeds the reference y_{t-1}; with `sampling_rate` r > 0 (scheduled
sampling, Bengio et al. 2015) each position instead feeds, with probability r, a token drawn from the
model's own distribution at the previous step. The token choice is not differentiated.

Parameters are named by part: `encoder.embedding.weight`, `encoder.rnn.weight_ih_l0(_reverse)`,
`bridge.weight`, `decoder.embedding.weight`, `decoder.cell.weight_ih`, `attention.*`,
`combine.*` (Luong's W_c), `output.*`. `save_seq2seq` / `load_seq2seq` write and read them with the
model's config and both vocabularies (safetensors + JSON).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import __version__
from .. import functional as F
from .._checks import as_rng, check_dtype, check_lengths, check_option, check_size
from ..checkpoint import CONFIG_FILE, load_checkpoint, save_checkpoint
from ..data.words import WordVocabulary
from ..errors import InvalidValueError
from ..functional import attention as A
from ..init import uniform
from ..nn.embedding import Embedding, check_tokens
from ..nn.linear import Linear
from ..nn.module import Module
from ..nn.registry import build_cell, build_layer
from ..nn.state import to_tuple

__all__ = ["Seq2Seq", "save_seq2seq", "load_seq2seq", "FORMAT", "ATTENTIONS"]

FORMAT = "unroll.seq2seq"
ATTENTIONS = ("bahdanau", "luong", "none")
_DEFAULT_SCORE = {"bahdanau": "additive", "luong": "general", "none": None}


class Seq2Seq(Module):
    """Bi-GRU/LSTM encoder, attention and a stepped decoder cell (see the module docstring).

    src_vocab_size, tgt_vocab_size: V_s, V; embedding_dim E; hidden_size H (decoder) and
    encoder_hidden He (default H); cell 'gru' or 'lstm' (any registered cell works); num_layers and
    bidirectional of the encoder; attention 'bahdanau', 'luong' or 'none'; score for Luong
    'general' (default), 'dot' (needs H = C) or 'concat'; attention_size A (default H);
    dropout between encoder layers; pad_id, bos_id, eos_id of the target vocabulary (the
    source pads with pad_id too).
    """

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, embedding_dim: int = 256, hidden_size: int = 256,
                 encoder_hidden: int | None = None, cell: str = "gru", num_layers: int = 1, bidirectional: bool = True,
                 attention: str = "bahdanau", score: str | None = None, attention_size: int | None = None,
                 dropout: float = 0.0, pad_id: int = 0, bos_id: int = 2, eos_id: int = 3, dtype=np.float32, rng=None):
        super().__init__()
        check_option("attention", attention, set(ATTENTIONS))
        score = _DEFAULT_SCORE[attention] if score is None else score
        if attention == "bahdanau" and score != "additive":
            raise InvalidValueError(f"score: Bahdanau attention is additive, got {score!r}")
        if attention == "luong":
            check_option("score", score, {"general", "dot", "concat"})
        if attention == "none" and score is not None:
            raise InvalidValueError(f"score: expected None without attention, got {score!r}")
        rng, dtype = as_rng(rng), check_dtype(dtype)
        E, H = check_size("embedding_dim", embedding_dim), check_size("hidden_size", hidden_size)
        He = H if encoder_hidden is None else check_size("encoder_hidden", encoder_hidden)
        self.cfg = dict(src_vocab_size=int(src_vocab_size), tgt_vocab_size=int(tgt_vocab_size), embedding_dim=E,
                        hidden_size=H, encoder_hidden=He, cell=cell, num_layers=int(num_layers),
                        bidirectional=bool(bidirectional), attention=attention, score=score,
                        attention_size=attention_size, dropout=float(dropout), pad_id=int(pad_id),
                        bos_id=int(bos_id), eos_id=int(eos_id), dtype=np.dtype(dtype).name)
        self.attention, self.score, self.dtype = attention, score, dtype
        self.pad_id, self.bos_id, self.eos_id = int(pad_id), int(bos_id), int(eos_id)
        self.E, self.H = E, H
        dirs = 2 if bidirectional else 1
        C = self.C = dirs * He
        Aa = self.A = H if attention_size is None else check_size("attention_size", attention_size)
        if attention == "luong" and score == "dot" and C != H:
            raise InvalidValueError(f"score 'dot': expected hidden_size == {dirs} * encoder_hidden = {C}, got {H}")

        self.src_embedding = self.add_module(Embedding(src_vocab_size, E, pad_id, dtype, rng), "encoder.embedding")
        self.encoder = self.add_module(build_layer(cell, E, He, num_layers=num_layers, bidirectional=bidirectional,
                                                   dropout=dropout, dtype=dtype, rng=rng), "encoder.rnn")
        self.dirs = dirs
        self.tgt_embedding = self.add_module(Embedding(tgt_vocab_size, E, pad_id, dtype, rng), "decoder.embedding")
        feed = {"bahdanau": C, "luong": H, "none": 0}[attention]
        self.cell = self.add_module(build_cell(cell, E + feed, H, dtype=dtype, rng=rng), "decoder.cell")
        self.num_states = self.cell.num_states
        self.bridges = [self.add_module(Linear(C, H, dtype=dtype, rng=rng), "bridge" if k == 0 else f"bridge_{k}")
                        for k in range(self.num_states)]
        if score in ("additive", "concat"):  # concat is the additive equation with the query s_t
            self.add_param("attention.w_query", uniform((Aa, H), 1 / np.sqrt(H), rng, dtype))
            self.add_param("attention.w_keys", uniform((Aa, C), 1 / np.sqrt(C), rng, dtype))
            self.add_param("attention.b_keys", np.zeros(Aa, dtype))
            self.add_param("attention.v", uniform((Aa,), 1 / np.sqrt(Aa), rng, dtype))
        elif score == "general":
            self.add_param("attention.weight", uniform((H, C), 1 / np.sqrt(C), rng, dtype))
        if attention == "luong":
            self.combine = self.add_module(Linear(C + H, H, dtype=dtype, rng=rng), "combine")
        out_dim = H + C if attention == "bahdanau" else H
        self.output = self.add_module(Linear(out_dim, tgt_vocab_size, dtype=dtype, rng=rng), "output")

    def config(self) -> dict:
        """The constructor arguments (JSON), so `Seq2Seq(**config)` rebuilds the architecture."""
        return dict(self.cfg)

    # ---------------------------------------------------------------- encoder
    def _check_batch(self, src, src_lengths):
        src = check_tokens(src, self.cfg["src_vocab_size"])
        if src.ndim != 2:
            raise InvalidValueError(f"src: expected ids (B, S), got shape {src.shape}")
        lengths = np.asarray(src_lengths)
        if lengths.shape != (src.shape[0],) or not np.issubdtype(lengths.dtype, np.integer):
            raise InvalidValueError(f"src_lengths: expected ({src.shape[0]},) ints, "
                                    f"got {lengths.shape} {lengths.dtype}")
        if lengths.size and (lengths.min() < 1 or lengths.max() > src.shape[1]):
            raise InvalidValueError(f"src_lengths: expected values in [1, {src.shape[1]}], got min {lengths.min()} "
                                    f"max {lengths.max()}")
        return src, lengths.astype(np.int64)

    def _encode(self, src, src_lengths):
        """-> keys (B, S, C), mask (B, S), initial decoder state parts, keys_proj or None, cache."""
        src, lengths = self._check_batch(src, src_lengths)
        emb, _, emb_cache = self.src_embedding.forward(src)  # (B, S, E)
        keys, enc_state, enc_cache = self.encoder.forward(emb, lengths=lengths)  # (B, S, C)
        mask = F.lengths_to_mask(lengths, src.shape[1])  # (B, S)
        finals = [np.concatenate(list(part[-self.dirs:]), axis=1) for part in to_tuple(enc_state)]  # (B, C) each
        state, bridge_caches = [], []
        for k, bridge in enumerate(self.bridges):
            pre, _, c = bridge.forward(finals[k if k < len(finals) else 0])  # (B, H)
            state.append(np.tanh(pre))
            bridge_caches.append(c)
        keys_proj = proj_cache = None
        if self.score in ("additive", "concat"):
            B, S, C = keys.shape
            keys_proj, proj_cache = F.linear_forward(keys.reshape(B * S, C), self.params["attention.w_keys"],
                                                     self.params["attention.b_keys"])  # (B*S, A): a 2-D GEMM
            keys_proj = keys_proj.reshape(B, S, -1)  # (B, S, A)
        cache = (emb_cache, enc_cache, bridge_caches, tuple(state), proj_cache, len(finals))
        return keys, mask, tuple(state), keys_proj, cache

    def _encode_backward(self, d_keys, d_keys_proj, d_state0, cache):
        emb_cache, enc_cache, bridge_caches, state0, proj_cache, n_finals = cache
        if proj_cache is not None:
            B, S, _ = d_keys.shape
            dk, dw, db = F.linear_backward(d_keys_proj.reshape(B * S, -1), proj_cache)
            d_keys = d_keys + dk.reshape(d_keys.shape)
            self.grads["attention.w_keys"] += dw
            self.grads["attention.b_keys"] += db
        d_finals = [None] * n_finals
        for k, (bridge, c) in enumerate(zip(self.bridges, bridge_caches)):
            d_pre = d_state0[k] * (1.0 - state0[k] ** 2)  # through tanh
            d_final, _ = bridge.backward(d_pre, None, c)
            j = k if k < n_finals else 0
            d_finals[j] = d_final if d_finals[j] is None else d_finals[j] + d_final
        B, He = d_keys.shape[0], self.cfg["encoder_hidden"]
        L = self.cfg["num_layers"] * self.dirs
        parts = []
        for d_final in d_finals:
            part = np.zeros((L, B, He), self.dtype)
            if d_final is not None:
                part[-self.dirs:] = d_final.reshape(B, self.dirs, He).transpose(1, 0, 2)
            parts.append(part)
        d_enc_state = parts[0] if self.encoder.state_type is None else self.encoder.state_type(*parts)
        d_emb, _ = self.encoder.backward(d_keys, d_enc_state, enc_cache)
        self.src_embedding.backward(d_emb, None, emb_cache)

    # ---------------------------------------------------------------- attention read
    def _attend(self, query, keys, keys_proj, mask):
        """query (B, H) -> context (B, C), weights (B, S), cache."""
        p = self.params
        if self.score in ("additive", "concat"):
            scores, sc = A.additive_scores_forward(query, keys_proj, p["attention.w_query"], p["attention.v"])
        elif self.score == "general":
            scores, sc = A.general_scores_forward(query, keys, p["attention.weight"])
        else:
            scores, sc = A.dot_scores_forward(query, keys)
        alpha, soft = A.masked_softmax_forward(scores, mask)
        context, cc = A.context_forward(alpha, keys)
        return context, alpha, (sc, soft, cc)

    def _attend_backward(self, d_context, cache, d_keys, d_keys_proj):
        """Adds into d_keys (B, S, C) and d_keys_proj (B, S, A) in place; returns d_query (B, H)."""
        sc, soft, cc = cache
        d_alpha, d_values = A.context_backward(d_context, cc)
        d_keys += d_values
        d_scores = A.masked_softmax_backward(d_alpha, soft)
        g = self.grads
        if self.score in ("additive", "concat"):
            d_query, d_kp, d_wq, d_v = A.additive_scores_backward(d_scores, sc)
            d_keys_proj += d_kp
            g["attention.w_query"] += d_wq
            g["attention.v"] += d_v
        elif self.score == "general":
            d_query, d_k, d_w = A.general_scores_backward(d_scores, sc)
            d_keys += d_k
            g["attention.weight"] += d_w
        else:
            d_query, d_k = A.dot_scores_backward(d_scores, sc)
            d_keys += d_k
        return d_query

    # ---------------------------------------------------------------- training forward / backward
    def forward(self, src, src_lengths, tgt_in, sampling_rate: float = 0.0, rng=None, tgt_lengths=None):
        """Teacher-forced decoding of a batch.

        src (B, S) ids; src_lengths (B,) in [1, S]; tgt_in (B, T) ids, the decoder's inputs (<s> y_1 ...);
        sampling_rate in [0, 1): scheduled sampling (needs rng). Returns (logits (B, T, V), cache);
        the cache also holds the attention weights, `attention_weights(cache)` (B, T, S).

        tgt_lengths (B,) in [0, T], optional: logits only at the valid positions t < tgt_lengths[b],
        packed as (N, V) in (b, t) order (`valid_positions`), and `backward` takes d_logits (N, V).
        The output projection is most of a step's work and padding is a third of a batch's
        positions; the padded positions' gradients are zero either way, so nothing else changes.
        """
        tgt_in = check_tokens(tgt_in, self.cfg["tgt_vocab_size"])
        if tgt_in.ndim != 2 or tgt_in.shape[0] != np.shape(src)[0]:
            raise InvalidValueError(f"tgt_in: expected ids ({np.shape(src)[0]}, T), got shape {tgt_in.shape}")
        rows = None if tgt_lengths is None else self.valid_positions(tgt_lengths, *tgt_in.shape)
        if not 0.0 <= sampling_rate < 1.0:
            raise InvalidValueError(f"sampling_rate: expected a probability in [0, 1), got {sampling_rate}")
        rng = as_rng(rng) if sampling_rate > 0 else None
        keys, mask, state, keys_proj, enc_cache = self._encode(src, src_lengths)
        B, T = tgt_in.shape
        out_dim = self.output.in_features
        outs = np.empty((B, T, out_dim), self.dtype)  # (B, T, H + C) or (B, T, H)
        tokens = tgt_in.copy()
        emb_w = self.tgt_embedding.params["weight"]
        feed = np.zeros((B, self.H), self.dtype) if self.attention == "luong" else None
        alphas = np.zeros((B, T, keys.shape[1]), self.dtype) if self.attention != "none" else None
        steps = []
        for t in range(T):
            if rng is not None and t > 0:
                self._scheduled_sampling(tokens, t, outs[:, t - 1], sampling_rate, rng)
            e = emb_w[tokens[:, t]]  # (B, E)
            if self.attention == "bahdanau":
                context, alpha, att = self._attend(state[0], keys, keys_proj, mask)
                state, cc = self._cell_forward(np.concatenate([e, context], axis=1), state)
                outs[:, t, :self.H], outs[:, t, self.H:] = state[0], context
                steps.append((cc, att))
            elif self.attention == "luong":
                state, cc = self._cell_forward(np.concatenate([e, feed], axis=1), state)
                context, alpha, att = self._attend(state[0], keys, keys_proj, mask)
                cat = np.concatenate([context, state[0]], axis=1)  # (B, C + H)
                pre, _, comb = self.combine.forward(cat)
                feed = np.tanh(pre)  # h~_t (B, H)
                outs[:, t] = feed
                steps.append((cc, att, comb, feed))
            else:
                state, cc = self._cell_forward(e, state)
                outs[:, t] = state[0]
                steps.append((cc,))
            if alphas is not None:
                alphas[:, t] = alpha
        # one 2-D GEMM for all steps ((B, T, D) @ (D, V) as 3-D is several times slower in NumPy)
        flat = outs.reshape(B * T, out_dim)
        logits, _, out_cache = self.output.forward(flat if rows is None else flat[rows])  # (B*T or N, V)
        if rows is None:
            logits = logits.reshape(B, T, -1)  # (B, T, V)
        return logits, (enc_cache, keys.shape, tokens, steps, (out_cache, rows), alphas)

    @staticmethod
    def valid_positions(tgt_lengths, B: int, T: int) -> np.ndarray:
        """Flat indices b*T + t of the positions t < tgt_lengths[b] of a (B, T) batch, in order: (N,)."""
        lengths = check_lengths(tgt_lengths, B, T)
        return np.flatnonzero(np.arange(T)[None, :] < lengths[:, None])

    def _cell_forward(self, x, state):
        new_state, cache = self.cell.forward(x, state if self.num_states > 1 else state[0])
        return to_tuple(new_state), cache

    def _scheduled_sampling(self, tokens, t, out_prev, rate, rng):
        """With probability rate per row, replace tokens[:, t] by a draw from the step t-1 distribution."""
        replace = rng.random(tokens.shape[0]) < rate
        if replace.any():
            logits = out_prev[replace] @ self.output.params["weight"].T + self.output.params["bias"]  # (R, V)
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            draws = (p.cumsum(axis=1) > rng.random((len(p), 1))).argmax(axis=1)
            tokens[replace, t] = draws

    @staticmethod
    def attention_weights(cache) -> np.ndarray | None:
        """The attention weights of a forward, (B, T, S) (None without attention)."""
        return cache[5]

    def backward(self, d_logits, cache) -> None:
        """d_logits (B, T, V), or (N, V) after a forward with tgt_lengths -> None; every parameter's
        gradient is added into self.grads."""
        enc_cache, keys_shape, tokens, steps, (out_cache, rows), _ = cache
        B, T = tokens.shape
        if rows is None:
            d_outs, _ = self.output.backward(d_logits.reshape(B * T, -1), None, out_cache)
        else:
            d_valid, _ = self.output.backward(d_logits, None, out_cache)  # (N, out_dim)
            d_outs = np.zeros((B * T, d_valid.shape[1]), self.dtype)
            d_outs[rows] = d_valid
        d_outs = d_outs.reshape(B, T, -1)  # (B, T, out_dim)
        d_keys = np.zeros(keys_shape, self.dtype)  # (B, S, C)
        d_keys_proj = np.zeros(keys_shape[:2] + (self.A,), self.dtype) if self.score in ("additive", "concat") else None
        d_state = tuple(np.zeros((B, self.H), self.dtype) for _ in range(self.num_states))
        d_emb = np.empty((B, T, self.E), self.dtype)
        d_feed = None
        for t in range(T - 1, -1, -1):
            if self.attention == "bahdanau":
                cc, att = steps[t]
                d_state = (d_state[0] + d_outs[:, t, :self.H],) + d_state[1:]
                dx, d_state = self._cell_backward(d_state, cc)
                d_emb[:, t] = dx[:, :self.E]
                d_context = d_outs[:, t, self.H:] + dx[:, self.E:]
                d_query = self._attend_backward(d_context, att, d_keys, d_keys_proj)
                d_state = (d_state[0] + d_query,) + d_state[1:]
            elif self.attention == "luong":
                cc, att, comb, feed = steps[t]
                d_feed_t = d_outs[:, t] if d_feed is None else d_outs[:, t] + d_feed
                d_cat, _ = self.combine.backward(d_feed_t * (1.0 - feed * feed), None, comb)  # (B, C + H)
                d_query = self._attend_backward(d_cat[:, :self.C], att, d_keys, d_keys_proj)
                d_state = (d_state[0] + d_cat[:, self.C:] + d_query,) + d_state[1:]
                dx, d_state = self._cell_backward(d_state, cc)
                d_emb[:, t], d_feed = dx[:, :self.E], dx[:, self.E:]
            else:
                (cc,) = steps[t]
                d_state = (d_state[0] + d_outs[:, t],) + d_state[1:]
                dx, d_state = self._cell_backward(d_state, cc)
                d_emb[:, t] = dx
        d_table = F.embedding_backward(d_emb, (tokens, self.tgt_embedding.params["weight"].shape))  # (V, E)
        d_table[self.pad_id] = 0.0  # the padding row stays zero
        self.tgt_embedding.grads["weight"] += d_table
        self._encode_backward(d_keys, d_keys_proj, d_state, enc_cache)

    def _cell_backward(self, d_state, cache):
        dx, d_prev = self.cell.backward(d_state if self.num_states > 1 else d_state[0], cache)
        return dx, to_tuple(d_prev)

    # ---------------------------------------------------------------- cache-free decoding
    def start(self, src, src_lengths) -> dict:
        """Encode for decoding: a dict of arrays, each with the batch on axis 0, for `step`.

        Decoders select rows (beams) with {k: v[rows]}. Keys: 'keys' (B, S, C), 'mask' (B, S),
        'keys_proj' (B, S, A) (additive scores), 'state{k}' (B, H) per state part, 'feed' (B, H) (Luong).
        """
        keys, mask, state, keys_proj, _ = self._encode(src, src_lengths)
        out = {"keys": keys, "mask": mask}
        if keys_proj is not None:
            out["keys_proj"] = keys_proj
        for k, part in enumerate(state):
            out[f"state{k}"] = part
        if self.attention == "luong":
            out["feed"] = np.zeros((keys.shape[0], self.H), self.dtype)
        return out

    def step(self, memory: dict, tokens: np.ndarray):
        """One decoding step: tokens (N,) ids (the previous outputs) -> (log_probs (N, V) float64,
        the new memory dict, attention weights (N, S) or None)."""
        e = self.tgt_embedding.params["weight"][tokens]  # (N, E)
        state = tuple(memory[f"state{k}"] for k in range(self.num_states))
        keys, mask, keys_proj = memory["keys"], memory["mask"], memory.get("keys_proj")
        new, alpha = dict(memory), None
        if self.attention == "bahdanau":
            context, alpha, _ = self._attend(state[0], keys, keys_proj, mask)
            state = self._cell_step(np.concatenate([e, context], axis=1), state)
            out = np.concatenate([state[0], context], axis=1)
        elif self.attention == "luong":
            state = self._cell_step(np.concatenate([e, memory["feed"]], axis=1), state)
            context, alpha, _ = self._attend(state[0], keys, keys_proj, mask)
            out = np.tanh(np.concatenate([context, state[0]], axis=1) @ self.combine.params["weight"].T
                          + self.combine.params["bias"])
            new["feed"] = out
        else:
            state = self._cell_step(e, state)
            out = state[0]
        for k, part in enumerate(state):
            new[f"state{k}"] = part
        logits = (out @ self.output.params["weight"].T + self.output.params["bias"]).astype(np.float64)  # (N, V)
        logits -= logits.max(axis=1, keepdims=True)
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return log_probs, new, alpha

    def _cell_step(self, x, state):
        return to_tuple(self.cell.step(x, state if self.num_states > 1 else state[0]))


# ---------------------------------------------------------------- files
def save_seq2seq(model: Seq2Seq, src_vocab: WordVocabulary, tgt_vocab: WordVocabulary, directory, meta=None) -> None:
    """Write model.params (safetensors) and {format, config, vocabularies, meta} (JSON), atomically."""
    save_checkpoint(directory, dict(model.params), {
        "format": FORMAT, "unroll_version": __version__, "model": model.config(),
        "source_vocabulary": src_vocab.to_dict(), "target_vocabulary": tgt_vocab.to_dict(), **(meta or {})})


def load_seq2seq(path):
    """A checkpoint directory, or a training directory (its best/, else checkpoint/) ->
    (Seq2Seq in eval mode, source vocabulary, target vocabulary, meta)."""
    path = Path(path)
    if not (path / CONFIG_FILE).is_file():
        for name in ("best", "checkpoint"):
            if (path / name / CONFIG_FILE).is_file():
                path = path / name
                break
        else:
            raise FileNotFoundError(f"{path}: expected a translation model directory (with {CONFIG_FILE}, best/ or "
                                    f"checkpoint/), found none")
    tensors, meta = load_checkpoint(path)
    if meta.get("format") != FORMAT:
        raise InvalidValueError(f"{path}: expected a translation checkpoint (format {FORMAT!r}), "
                                f"found format {meta.get('format')!r}")
    config = dict(meta["model"])
    config["dtype"] = np.dtype(config["dtype"])
    model = Seq2Seq(**config)
    model.load_state_dict({k: v for k, v in tensors.items() if k in model.params})
    return (model.eval(), WordVocabulary.from_dict(meta["source_vocabulary"]),
            WordVocabulary.from_dict(meta["target_vocabulary"]), meta)
