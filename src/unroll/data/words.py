"""Words for word-level models (classification, tagging, translation): tokenising, a vocabulary with
min-count and special symbols, padded batches with lengths, and batches bucketed by length.

    tokens = [tokenize(s) for s in sentences]              # lists of str
    vocab = WordVocabulary.build(tokens, min_count=2)       # <pad> = 0, <unk> = 1, then by frequency
    ids, lengths = pad_batch([vocab.encode(t) for t in tokens[:32]], vocab.pad_id)   # (B, T), (B,)
    for rows in bucketed_batches(lengths_of_all, 32, rng=0):  # index arrays of similar lengths
        ...

Bucketing sorts the examples of a shuffled pool by length and cuts the pool into batches, so the
padding in each batch stays small while the order still changes from epoch to epoch.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

import numpy as np

from .._checks import as_rng
from ..errors import InvalidTypeError, InvalidValueError

__all__ = ["TOKEN_PATTERN", "tokenize", "WordVocabulary", "pad_batch", "bucketed_batches", "PAD", "UNK"]

# a word (with an inner apostrophe or hyphen: "don't", "well-known"), a number, or one symbol
TOKEN_PATTERN = r"\w+(?:['’\-]\w+)*|[^\w\s]"
PAD, UNK = "<pad>", "<unk>"


def tokenize(text: str, lowercase: bool = True, pattern: str = TOKEN_PATTERN) -> list[str]:
    """Split a string into word and punctuation tokens by a regular expression."""
    if not isinstance(text, str):
        raise InvalidTypeError(f"text: expected a str, got {type(text).__name__}")
    return re.findall(pattern, text.lower() if lowercase else text)


class WordVocabulary:
    """Tokens <-> integer ids. The special symbols come first (<pad> = 0, <unk> = 1 by default, then
    any others given, e.g. <s> and </s> for a decoder), then the words by decreasing count (ties by
    the word), so the same corpus always gives the same ids. Unknown words encode to <unk>."""

    def __init__(self, words: list[str], specials: tuple = (PAD, UNK)):
        if PAD not in specials or UNK not in specials:
            raise InvalidValueError(f"specials: expected to include {PAD!r} and {UNK!r}, got {specials!r}")
        self.words = list(specials) + [w for w in words if w not in specials]
        if len(set(self.words)) != len(self.words):
            raise InvalidValueError("words: expected each word once, got duplicates")
        self.specials = tuple(specials)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.pad_id, self.unk_id = self.index[PAD], self.index[UNK]

    @classmethod
    def build(cls, sentences: Iterable[list[str]], min_count: int = 1, max_size: int | None = None,
              specials: tuple = (PAD, UNK)) -> "WordVocabulary":
        """From tokenised sentences: words seen at least min_count times, the max_size most frequent."""
        if min_count < 1:
            raise InvalidValueError(f"min_count: expected >= 1, got {min_count}")
        counts = Counter(w for sentence in sentences for w in sentence)
        kept = sorted((w for w, c in counts.items() if c >= min_count and w not in specials),
                      key=lambda w: (-counts[w], w))
        return cls(kept[:max_size] if max_size is not None else kept, specials)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word) -> bool:
        return word in self.index

    def encode(self, tokens: list[str]) -> list[int]:
        return [self.index.get(w, self.unk_id) for w in tokens]

    def decode(self, ids, skip_specials: bool = True) -> list[str]:
        skip = {self.index[s] for s in self.specials} if skip_specials else set()
        return [self.words[i] for i in ids if int(i) not in skip]

    def to_dict(self) -> dict:
        """JSON-serialisable; `WordVocabulary.from_dict` rebuilds it (saved beside a model's weights)."""
        return {"words": self.words[len(self.specials):], "specials": list(self.specials)}

    @classmethod
    def from_dict(cls, values: dict) -> "WordVocabulary":
        return cls(values["words"], tuple(values["specials"]))


def pad_batch(sequences: list, pad_id: int = 0, max_len: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Lists of ids -> (ids (B, T) int64 padded with pad_id, lengths (B,) int64); T the longest length
    (or max_len, cutting longer sequences)."""
    lengths = np.array([len(s) if max_len is None else min(len(s), max_len) for s in sequences], dtype=np.int64)
    T = int(lengths.max()) if len(sequences) else 0
    ids = np.full((len(sequences), T), pad_id, dtype=np.int64)
    for row, (seq, n) in enumerate(zip(sequences, lengths)):
        ids[row, :n] = seq[:n]
    return ids, lengths


def bucketed_batches(lengths, batch_size: int, rng=None, shuffle: bool = True, pool: int = 50) -> list[np.ndarray]:
    """Index arrays of at most batch_size examples of similar lengths.

    The examples are shuffled (with shuffle), cut into pools of pool * batch_size, each pool sorted
    by length and cut into batches, and the batches shuffled again; without shuffle the order is
    the sorted one, for evaluation. lengths (N,) ints; rng: a Generator or seed.
    """
    lengths = np.asarray(lengths)
    if batch_size < 1:
        raise InvalidValueError(f"batch_size: expected >= 1, got {batch_size}")
    rng = as_rng(rng)
    order = rng.permutation(len(lengths)) if shuffle else np.arange(len(lengths))
    size = pool * batch_size if shuffle else max(len(lengths), 1)
    batches = []
    for start in range(0, len(order), size):
        chunk = order[start:start + size]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[k:k + batch_size] for k in range(0, len(chunk), batch_size)]
    if shuffle:
        batches = [batches[k] for k in rng.permutation(len(batches))]
    return batches
