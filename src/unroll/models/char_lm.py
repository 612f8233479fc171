"""Character-level language model: Embedding (or one-hot) -> stacked RNN/LSTM/GRU -> Linear.

    model = CharLM(vocab_size=65, cell="lstm", hidden_size=512, num_layers=1, embedding_dim=64,
                   dropout=0.2, rng=0)
    logits, state, cache = model.forward(tokens, state)          # tokens (B, T) ints, logits (B, T, V)
    d_state0 = model.backward(d_logits, None, cache)              # gradients accumulate in model.grads

Parameters carry PyTorch's names: `embedding.weight`, `rnn.weight_ih_l0`, ..., `decoder.weight`,
`decoder.bias`, so `torch.nn.Embedding` + `nn.LSTM(batch_first=True)` + `nn.Linear` modules named
that way load the same state_dict.

Dropout p (training mode only) is applied to the embedded input, between recurrent layers and to
the last layer's output before the decoder; `variational=True` keeps the input and output masks
fixed over the time steps of a sequence (Gal & Ghahramani, 2016). With embedding_dim=None the
input is one-hot (V inputs), as in the course's dinosaur model, and is not dropped.
"""
from __future__ import annotations

import numpy as np

from .._checks import as_rng, check_dtype, check_option
from ..nn import GRU, LSTM, RNN, Dropout, Embedding, Linear, Module
from ..errors import InvalidValueError

CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


class CharLM(Module):
    """Next-character model. vocab_size V; cell 'rnn' (Elman, tanh), 'lstm' or 'gru'; hidden_size H;
    num_layers; embedding_dim E or None (one-hot); dropout p in [0, 1); variational bool."""

    def __init__(self, vocab_size: int, cell: str = "lstm", hidden_size: int = 128, num_layers: int = 1,
                 embedding_dim: int | None = 32, dropout: float = 0.0, variational: bool = False,
                 dtype=np.float32, rng=None):
        super().__init__()
        check_option("cell", cell, set(CELLS))
        if vocab_size < 2:
            raise InvalidValueError(f"vocab_size: expected >= 2, got {vocab_size}")
        self.vocab_size, self.cell, self.hidden_size, self.num_layers = vocab_size, cell, hidden_size, num_layers
        self.embedding_dim, self.dropout, self.variational = embedding_dim, dropout, variational
        self.dtype, self.rng = check_dtype(dtype), as_rng(rng)
        self.embedding = None
        if embedding_dim is not None:
            self.embedding = self.add_module(Embedding(vocab_size, embedding_dim, dtype=self.dtype, rng=self.rng),
                                             "embedding")
        self.input_drop = self.add_module(Dropout(dropout, variational, self.rng), "input_drop")
        self.rnn = self.add_module(CELLS[cell](embedding_dim or vocab_size, hidden_size, num_layers,
                                               dropout=dropout, dtype=self.dtype, rng=self.rng), "rnn")
        self.output_drop = self.add_module(Dropout(dropout, variational, self.rng), "output_drop")
        self.decoder = self.add_module(Linear(hidden_size, vocab_size, dtype=self.dtype, rng=self.rng), "decoder")

    def config(self) -> dict:
        """The constructor's arguments (JSON-serialisable), so `CharLM(**model.config())` rebuilds it."""
        return {"vocab_size": self.vocab_size, "cell": self.cell, "hidden_size": self.hidden_size,
                "num_layers": self.num_layers, "embedding_dim": self.embedding_dim, "dropout": self.dropout,
                "variational": self.variational, "dtype": self.dtype.name}

    def embed(self, tokens: np.ndarray):
        """tokens (B, T) ints -> (inputs (B, T, E or V), cache)."""
        if self.embedding is not None:
            return self.embedding.forward(tokens)
        tokens = np.asarray(tokens)
        if not np.issubdtype(tokens.dtype, np.integer) or tokens.size and (tokens.min() < 0 or
                                                                             tokens.max() >= self.vocab_size):
            raise InvalidValueError(f"tokens: expected integer ids in [0, {self.vocab_size}), got {tokens.dtype} array")
        return np.eye(self.vocab_size, dtype=self.dtype)[tokens], None  # (B, T, V) one-hot

    def forward(self, tokens: np.ndarray, state=None, lengths=None):
        """tokens (B, T) ints in [0, V); state like the RNN's ((L, B, H), LSTMState for the LSTM) or None;
        lengths (B,) or None. Returns (logits (B, T, V), state (L, B, H), cache)."""
        if np.ndim(tokens) != 2:
            raise InvalidValueError(f"tokens: expected 2 dimensions (B, T), got shape {np.shape(tokens)}")
        x, embed_cache = self.embed(tokens)  # (B, T, E)
        if self.embedding is not None:
            x, in_cache = self.input_drop.forward(x)
        else:
            in_cache = None
        h, state, rnn_cache = self.rnn.forward(x, state, lengths)  # (B, T, H)
        h, out_cache = self.output_drop.forward(h)
        logits, dec_cache = self.decoder.forward(h)  # (B, T, V)
        return logits, state, (embed_cache, in_cache, rnn_cache, out_cache, dec_cache)

    def backward(self, d_logits: np.ndarray, d_state, cache):
        """d_logits (B, T, V); d_state like the state or None. Returns d_state0; tokens get no gradient."""
        embed_cache, in_cache, rnn_cache, out_cache, dec_cache = cache
        dh = self.output_drop.backward(self.decoder.backward(d_logits, dec_cache), out_cache)  # (B, T, H)
        dx, d_state0 = self.rnn.backward(dh, d_state, rnn_cache)  # (B, T, E)
        if self.embedding is not None:
            self.embedding.backward(self.input_drop.backward(dx, in_cache), embed_cache)
        return d_state0

    def step_logits(self, tokens: np.ndarray, state=None):
        """Inference: run tokens (B, T) from state; return (logits of the last step (B, V), state)."""
        logits, state, _ = self.forward(tokens, state)
        return logits[:, -1], state
