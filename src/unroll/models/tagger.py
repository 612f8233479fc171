"""Many-to-many aligned: a sequence tagger (part of speech, named entities), one label per word.

    model = SequenceTagger(words_vocab, tags=["NOUN", "VERB", ...], chars="abc...", rng=0)
    x, lengths = model.collate(model.encode([["The", "cat", "sat"]]))
    logits, _, cache = model.forward(x, lengths=lengths)        # (B, T, K)
    model.backward(d_logits, None, cache)
    model.predict([["The", "cat", "sat"]]) -> [["DET", "NOUN", "VERB"]];  model.predict("The cat sat")

Each word is represented by its word embedding and, with `chars`, by a character-level BiLSTM
over its letters (Lample et al. 2016; what lets the tagger guess unknown words from their
endings and capitals): the last forward state and the last backward state (the one after reading
the first letter) are concatenated. `CharWordEncoder` runs that BiLSTM over *all words of a batch
at once*, as one padded batch of N words (N the number of real tokens in the batch), then
scatters the N summaries back to their (sentence, position) slots. The word representations then
go through dropout, a BiLSTM over the sentence, dropout, and a Linear layer at every step.

Input: `x = (words (B, T), chars (B, T, C), char_lengths (B, T))`, built by `collate`; without a
character encoder `x` is `words` alone. Parameter names: `encoder.word.weight`,
`encoder.char.weight`, `encoder.char_rnn.weight_ih_l0`(`_reverse`), `rnn.*`, `head.*`.
"""
from __future__ import annotations

import numpy as np

from .. import __version__
from .._checks import as_rng, check_dtype
from ..checkpoint import save_checkpoint
from ..data.words import WordVocabulary, bucketed_batches, pad_batch, tokenize
from ..errors import InvalidTypeError, InvalidValueError
from ..nn import Dropout, Embedding, Linear, Module, Sequential, registry
from ..nn.state import from_tuple, to_tuple
from .classifier import as_vocabulary, load_model

__all__ = ["SequenceTagger", "CharWordEncoder"]

FORMAT = "unroll.tagger"


class CharWordEncoder(Module):
    """words (B, T) -> [word embedding E_w ; char-BiLSTM summary 2 H_c] (B, T, E_w + 2 H_c).

    word: Embedding(V, E_w); chars given: Embedding(V_c, E_c) and a bidirectional RNN stack of `cell`
    with hidden size H_c. Without chars (char_vocab_size None) the output is the word embedding.
    """

    def __init__(self, vocab_size: int, word_dim: int, char_vocab_size: int | None = None, char_dim: int = 25,
                 char_hidden: int = 25, cell: str = "lstm", dtype=np.float32, rng=None):
        super().__init__()
        rng = as_rng(rng)
        self.word = self.add_module(Embedding(vocab_size, word_dim, padding_idx=0, dtype=dtype, rng=rng), "word")
        self.char = self.char_rnn = None
        self.output_size = word_dim
        self.char_hidden = char_hidden
        if char_vocab_size is not None:
            self.char = self.add_module(Embedding(char_vocab_size, char_dim, padding_idx=0, dtype=dtype, rng=rng),
                                        "char")
            self.char_rnn = self.add_module(registry.build_layer(cell, char_dim, char_hidden, bidirectional=True,
                                                                 dtype=dtype, rng=rng), "char_rnn")
            self.output_size += 2 * char_hidden

    def forward(self, x, state=None, lengths=None):
        """x: words (B, T), or (words, chars (B, T, C), char_lengths (B, T)) -> (y (B, T, E_w [+ 2H_c]), state, cache)."""
        if self.char is None:
            words = x[0] if isinstance(x, tuple) else x
            y, _, cache = self.word.forward(words)
            return y, state, self.make_cache(y, (cache, None))
        if not (isinstance(x, tuple) and len(x) == 3):
            raise InvalidTypeError("x: expected (words (B, T), chars (B, T, C), char_lengths (B, T)) for a tagger "
                                   f"with a character encoder, got {type(x).__name__}")
        words, chars, char_lengths = x
        if chars.shape[:2] != words.shape or char_lengths.shape != words.shape:
            raise InvalidValueError(f"chars: expected (B, T, C) and char_lengths (B, T) with (B, T) = {words.shape}, "
                                    f"got {chars.shape} and {char_lengths.shape}")
        word_vectors, _, word_cache = self.word.forward(words)  # (B, T, E_w)
        valid = np.flatnonzero(char_lengths.reshape(-1) > 0)  # (N,): the real tokens
        flat_chars = chars.reshape(-1, chars.shape[2])[valid]  # (N, C): one padded batch of words
        flat_lengths = char_lengths.reshape(-1)[valid]  # (N,)
        char_vectors, _, char_cache = self.char.forward(flat_chars)  # (N, C, E_c)
        _, final, rnn_cache = self.char_rnn.forward(char_vectors, lengths=flat_lengths)
        h = to_tuple(final)[0]  # (2, N, H_c): forward's last state, reverse's after the first letter
        summary = np.zeros((words.size, 2 * self.char_hidden), dtype=word_vectors.dtype)  # (B*T, 2H_c)
        summary[valid] = np.concatenate([h[0], h[1]], axis=1)
        y = np.concatenate([word_vectors, summary.reshape(*words.shape, -1)], axis=-1)  # (B, T, E_w + 2H_c)
        return y, state, self.make_cache(y, (word_cache, (valid, char_cache, rnn_cache)))

    def backward(self, dy, d_state, cache):
        """dy (B, T, E_w [+ 2H_c]) -> (None, d_state): ids have no gradient; the embeddings' and the
        char-BiLSTM's gradients accumulate."""
        word_cache, char_part = self.open_cache(cache, dy)
        E_w, H_c = self.word.embedding_dim, self.char_hidden
        self.word.backward(np.ascontiguousarray(dy[..., :E_w]), None, word_cache)
        if char_part is None:
            return None, d_state
        valid, char_cache, rnn_cache = char_part
        d_summary = dy[..., E_w:].reshape(-1, 2 * H_c)[valid]  # (N, 2H_c)
        d_h = np.stack([d_summary[:, :H_c], d_summary[:, H_c:]])  # (2, N, H_c)
        parts = (d_h,) + (None,) * (self.char_rnn.spec.num_states - 1)  # no gradient into c_T
        d_char_vectors, _ = self.char_rnn.backward(None, from_tuple(parts, self.char_rnn.state_type), rnn_cache)
        self.char.backward(d_char_vectors, None, char_cache)
        return None, d_state


class SequenceTagger(Sequential):
    """vocabulary: WordVocabulary (or its dict) of the (lowercased, with lowercase) words; tags: the
    label set; chars: the characters of the char encoder (a str or list; None: word embeddings
    only); word_dim, char_dim, char_hidden, hidden_size, num_layers; cell of the sentence RNN
    (bidirectional) and of the char encoder; dropout on the word representations and on the
    RNN's outputs."""

    def __init__(self, vocabulary, tags, chars=None, word_dim: int = 100, char_dim: int = 25, char_hidden: int = 25,
                 hidden_size: int = 128, num_layers: int = 1, cell: str = "lstm", dropout: float = 0.0,
                 lowercase: bool = True, dtype=np.float32, rng=None):
        vocab, tags = as_vocabulary(vocabulary), [str(t) for t in tags]
        if len(tags) < 2 or len(set(tags)) != len(tags):
            raise InvalidValueError(f"tags: expected at least 2 distinct tags, got {tags!r}")
        dtype, rng = check_dtype(dtype), as_rng(rng)
        self.char_vocab = None if chars is None else WordVocabulary(sorted(set(chars)))
        encoder = CharWordEncoder(len(vocab), word_dim, None if chars is None else len(self.char_vocab), char_dim,
                                  char_hidden, cell, dtype, rng)
        rnn = registry.build_layer(cell, encoder.output_size, hidden_size, num_layers=num_layers, dropout=dropout,
                                   bidirectional=True, dtype=dtype, rng=rng)
        super().__init__(encoder=encoder, input_drop=Dropout(dropout, rng=rng), rnn=rnn,
                         output_drop=Dropout(dropout, rng=rng), head=Linear(rnn.output_size, len(tags), dtype=dtype, rng=rng))
        self.vocab, self.tags, self.chars, self.cell = vocab, tags, chars, cell
        self.word_dim, self.char_dim, self.char_hidden = word_dim, char_dim, char_hidden
        self.hidden_size, self.num_layers, self.dropout, self.lowercase = hidden_size, num_layers, dropout, lowercase
        self.dtype, self.rng = dtype, rng
        self.tag_index = {t: k for k, t in enumerate(tags)}

    def config(self) -> dict:
        chars = None if self.chars is None else "".join(self.char_vocab.words[2:])
        return {"vocabulary": self.vocab.to_dict(), "tags": self.tags, "chars": chars, "word_dim": self.word_dim,
                "char_dim": self.char_dim, "char_hidden": self.char_hidden, "hidden_size": self.hidden_size,
                "num_layers": self.num_layers, "cell": self.cell, "dropout": self.dropout,
                "lowercase": self.lowercase, "dtype": self.dtype.name}

    # ---------------------------------------------------------------- words -> arrays
    def encode(self, sentences) -> list:
        """Lists of words -> examples: (word ids, [char ids per word]) or word ids without chars."""
        if isinstance(sentences, str) or (sentences and isinstance(sentences[0], str)):
            raise InvalidTypeError("sentences: expected a list of lists of words (use predict(str) for one text)")
        examples = []
        for words in sentences:
            ids = self.vocab.encode([w.lower() if self.lowercase else w for w in words])
            if self.char_vocab is None:
                examples.append(ids)
            else:
                examples.append((ids, [self.char_vocab.encode(list(w)) or [self.char_vocab.unk_id] for w in words]))
        return examples

    def collate(self, examples: list):
        """Examples from `encode` -> (x, lengths (B,)), x as `forward` takes it."""
        if self.char_vocab is None:
            return pad_batch(examples, self.vocab.pad_id)
        words, lengths = pad_batch([e[0] for e in examples], self.vocab.pad_id)  # (B, T), (B,)
        B, T = words.shape
        C = max((len(c) for e in examples for c in e[1]), default=1)
        chars = np.zeros((B, T, C), dtype=np.int64)  # (B, T, C), 0 = <pad>
        char_lengths = np.zeros((B, T), dtype=np.int64)
        for b, (_, word_chars) in enumerate(examples):
            for t, c in enumerate(word_chars):
                chars[b, t, :len(c)] = c
                char_lengths[b, t] = len(c)
        return (words, chars, char_lengths), lengths

    def encode_tags(self, tag_lists) -> list[list[int]]:
        unknown = sorted({t for tags in tag_lists for t in tags} - set(self.tag_index))
        if unknown:
            raise InvalidValueError(f"tags: expected tags of {self.tags}, got unknown {unknown}")
        return [[self.tag_index[t] for t in tags] for tags in tag_lists]

    def forward(self, x, state=None, lengths=None):
        """x from `collate`; lengths (B,) -> (logits (B, T, K), final RNN state, cache)."""
        return super().forward(x, state, lengths)

    # ---------------------------------------------------------------- raw text
    def predict(self, sentences, batch_size: int = 128):
        """Lists of words -> lists of tags; a str is tokenised (case kept) and gives one list of
        (word, tag) pairs."""
        if isinstance(sentences, str):
            words = tokenize(sentences, lowercase=False)
            return list(zip(words, self.predict([words])[0])) if words else []
        examples = self.encode(sentences)
        out = [None] * len(examples)
        length = lambda e: len(e) if self.char_vocab is None else len(e[0])  # noqa: E731
        was_training = self.training
        self.eval()
        try:
            for rows in bucketed_batches([length(e) for e in examples], batch_size, shuffle=False):
                x, lengths = self.collate([examples[i] for i in rows])
                best = self.forward(x, lengths=lengths)[0].argmax(axis=-1)  # (B, T)
                for r, row, n in zip(rows, best, lengths):
                    out[r] = [self.tags[k] for k in row[:n]]
        finally:
            self.train(was_training)
        return out

    def save(self, directory) -> None:
        save_checkpoint(directory, dict(self.params), {"format": FORMAT, "unroll_version": __version__,
                                                       "model": self.config()})

    @classmethod
    def load(cls, path) -> "SequenceTagger":
        return load_model(cls, path, FORMAT)

