"""Character-level language model: Embedding (or one-hot) -> stacked RNN/LSTM/GRU -> Linear.

    model = CharLM(vocab_size=65, cell="lstm", hidden_size=512, num_layers=1, embedding_dim=64,
                   dropout=0.2, rng=0)
    logits, state, cache = model.forward(tokens, state)          # tokens (B, T) ints, logits (B, T, V)
    _, d_state0 = model.backward(d_logits, None, cache)           # gradients accumulate in model.grads

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

from .._checks import as_rng, check_dtype
from ..errors import InvalidValueError
from ..nn import Dropout, Embedding, Linear, OneHot, Sequential, registry
from ..nn.embedding import check_tokens


class CharLM(Sequential):
    """Next-character model. vocab_size V; cell: a registered cell name ('rnn', 'lstm', 'gru', ...;
    see unroll.nn.registry); hidden_size H; num_layers; embedding_dim E or None (one-hot);
    dropout p in [0, 1); variational bool.

    A `Sequential` of embedding (or one-hot), input dropout, the recurrent stack, output dropout and
    the decoder, so it follows the module contract: forward(tokens, state, lengths) ->
    (logits, state, cache), backward(d_logits, d_state, cache) -> (None, d_state0).
    """

    def __init__(self, vocab_size: int, cell: str = "lstm", hidden_size: int = 128, num_layers: int = 1,
                 embedding_dim: int | None = 32, dropout: float = 0.0, variational: bool = False,
                 dtype=np.float32, rng=None):
        registry.get(cell)
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)) or vocab_size < 2:
            raise InvalidValueError(f"vocab_size: expected an int >= 2, got {vocab_size!r}")
        dtype, rng = check_dtype(dtype), as_rng(rng)
        if embedding_dim is None:
            embed = OneHot(vocab_size, dtype)
            input_drop = Dropout(0.0)  # the one-hot input is not dropped
        else:
            embed = Embedding(vocab_size, embedding_dim, dtype=dtype, rng=rng)
            input_drop = Dropout(dropout, variational, rng)
        rnn = registry.build_layer(cell, embedding_dim or vocab_size, hidden_size, num_layers=num_layers,
                                   dropout=dropout, dtype=dtype, rng=rng)
        super().__init__(embedding=embed, input_drop=input_drop, rnn=rnn,
                         output_drop=Dropout(dropout, variational, rng),
                         decoder=Linear(hidden_size, vocab_size, dtype=dtype, rng=rng))
        self.vocab_size, self.cell, self.hidden_size, self.num_layers = vocab_size, cell, hidden_size, num_layers
        self.embedding_dim, self.dropout, self.variational = embedding_dim, dropout, variational
        self.dtype, self.rng = dtype, rng

    def config(self) -> dict:
        """The constructor's arguments (JSON-serialisable), so `CharLM(**model.config())` rebuilds it."""
        return {"vocab_size": self.vocab_size, "cell": self.cell, "hidden_size": self.hidden_size,
                "num_layers": self.num_layers, "embedding_dim": self.embedding_dim, "dropout": self.dropout,
                "variational": self.variational, "dtype": self.dtype.name}

    def forward(self, tokens: np.ndarray, state=None, lengths=None):
        """tokens (B, T) ints in [0, V); state like the RNN's ((L, B, H), LSTMState for the LSTM) or None;
        lengths (B,) or None. Returns (logits (B, T, V), state (L, B, H), cache)."""
        if np.ndim(tokens) != 2:
            raise InvalidValueError(f"tokens: expected 2 dimensions (B, T), got shape {np.shape(tokens)}")
        return super().forward(tokens, state, lengths)

    def step(self, tokens: np.ndarray, state=None):
        """Inference, one character with no cache: tokens (B,) -> (logits (B, V), state)."""
        tokens = check_tokens(tokens, self.vocab_size)
        x, _, _ = self.embedding.forward(tokens)  # (B, E)
        h, state = self.rnn.step(x, state)  # (B, H)
        return self.decoder.forward(h)[0], state

    def step_logits(self, tokens: np.ndarray, state=None):
        """Inference: read tokens (B, T) from state with cache-free steps; return (logits of the last
        step (B, V), state)."""
        tokens = check_tokens(tokens, self.vocab_size)
        if tokens.ndim != 2 or tokens.shape[1] < 1:
            raise InvalidValueError(f"tokens: expected (B, T) with T >= 1, got shape {tokens.shape}")
        for t in range(tokens.shape[1]):
            logits, state = self.step(tokens[:, t], state)
        return logits, state
