"""Text for character-level models: reading files, a vocabulary, and batches for truncated BPTT.

Two ways to cut a text into training batches, both yielding `Segment`s of at most `seq_len` steps:

- `LineBatches`: one sequence per line (names, words). Each line becomes `\\n line \\n`: the first
  newline is the start symbol, the last one the end-of-sequence target, so a model learns where a
  name ends and sampling stops there. Lines are shuffled per epoch, padded into batches of B, and a
  batch's first segment starts from a zero state.
- `StreamBatches`: one long text, cut into B parallel streams (row b holds the b-th contiguous
  slice), walked left to right in chunks of `seq_len`; the state is carried from chunk to chunk
  for a whole epoch (char-rnn's scheme), only the first chunk of an epoch starts from zero.

Epoch e's order and offset come from `np.random.default_rng([seed, e])`, so an epoch is the same
every time it is asked for: a resumed run skips the segments already done and sees the same data.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Iterator, NamedTuple

import numpy as np
from ..errors import InvalidValueError

END = "\n"  # start and end symbol of a line


def read_text(path) -> str:
    """Read a UTF-8 text file; raise OSError/ValueError with one clear line when it cannot be used."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: expected a text file, found {'a directory' if path.is_dir() else 'nothing'}")
    data = path.read_bytes()
    if b"\x00" in data:
        raise InvalidValueError(f"{path}: expected UTF-8 text, found binary data (NUL byte at offset {data.index(0)})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidValueError(f"{path}: expected UTF-8 text, found an invalid byte at offset {err.start}") from None
    if not text.strip():
        raise InvalidValueError(f"{path}: expected text, found an empty file")
    return text


def read_bundled(name: str) -> str:
    """A text file shipped with the package (`unroll/data/bundled/`, see PROVENANCE.md there)."""
    return resources.files("unroll.data").joinpath("bundled", name).read_text(encoding="utf-8")


def split_lines(text: str) -> list[str]:
    """The non-empty lines of a text, without their line endings (LF or CRLF)."""
    return [line for line in text.splitlines() if line.strip()]


class Vocabulary:
    """Characters <-> integer ids; ids follow the sorted characters, so equal sets give equal ids."""

    def __init__(self, chars):
        self.chars = sorted(set(chars))
        if not self.chars or not all(isinstance(c, str) and len(c) == 1 for c in self.chars):
            raise InvalidValueError(f"chars: expected a non-empty collection of single characters, got {self.chars[:10]!r}")
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, char: str) -> bool:
        return char in self.index

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} chars: {''.join(self.chars)!r})"

    def encode(self, text: str) -> np.ndarray:
        """text -> ids (len(text),) int64. Raises ValueError listing characters not in the vocabulary."""
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise InvalidValueError(f"text: expected characters of the vocabulary {''.join(self.chars)!r}, "
                                    f"found {len(unknown)} others: {''.join(unknown[:20])!r}")
        return np.fromiter((self.index[c] for c in text), dtype=np.int64, count=len(text))

    def decode(self, ids) -> str:
        """ids (N,) ints -> text."""
        return "".join(self.chars[i] for i in np.asarray(ids).reshape(-1))


class Segment(NamedTuple):
    """One truncated-BPTT step's worth of data.

    inputs, targets (B, k) int64: targets are the inputs shifted by one character.
    lengths (B,) int64 or None: valid steps per row (None: all k); positions past it are padding.
    reset: start from a zero state (True) or from the previous segment's final state.
    """
    inputs: np.ndarray
    targets: np.ndarray
    lengths: np.ndarray | None
    reset: bool

    @property
    def num_chars(self) -> int:
        """Number of predicted characters (valid target positions)."""
        return int(self.inputs.size if self.lengths is None else self.lengths.sum())


def chunk(tokens: np.ndarray, seq_len: int, lengths: np.ndarray | None = None) -> Iterator[Segment]:
    """Cut a batch of sequences into segments of at most seq_len steps, for truncated BPTT.

    tokens (B, T+1) ints: inputs are tokens[:, :-1], targets tokens[:, 1:].
    lengths (B,) number of valid targets per row, or None for all T.
    The first segment has reset=True, the others carry the state.
    """
    if seq_len < 1:
        raise InvalidValueError(f"seq_len: expected >= 1, got {seq_len}")
    steps = tokens.shape[1] - 1
    for start in range(0, steps, seq_len):
        stop = min(start + seq_len, steps)
        part = None if lengths is None else np.clip(lengths - start, 0, stop - start)
        yield Segment(tokens[:, start:stop], tokens[:, start + 1:stop + 1], part, start == 0)


class LineBatches:
    """Batches of whole lines (one sequence each), shuffled per epoch, for one-to-many text models.

    lines: list of str (no newlines inside). vocab: contains '\\n'. batch_size, seq_len: ints >= 1
    (lines longer than seq_len are trained by truncated BPTT over the padded batch).
    """

    def __init__(self, lines: list[str], vocab: Vocabulary, batch_size: int, seq_len: int,
                 shuffle: bool = True, seed: int = 0):
        if not lines:
            raise InvalidValueError("lines: expected at least one line, got none")
        if END not in vocab:
            raise InvalidValueError("vocab: expected the end-of-line symbol '\\n' in the vocabulary")
        if batch_size < 1:
            raise InvalidValueError(f"batch_size: expected >= 1, got {batch_size}")
        self.sequences = [vocab.encode(END + line + END) for line in lines]
        self.batch_size, self.seq_len, self.shuffle, self.seed = batch_size, seq_len, shuffle, seed

    def epoch(self, epoch: int) -> Iterator[Segment]:
        """The segments of epoch `epoch` (an int >= 0), the same every time."""
        n = len(self.sequences)
        order = np.random.default_rng([self.seed, epoch]).permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            batch = [self.sequences[i] for i in order[start:start + self.batch_size]]
            lengths = np.array([len(s) - 1 for s in batch], dtype=np.int64)  # (B,) predicted chars
            tokens = np.zeros((len(batch), lengths.max() + 1), dtype=np.int64)  # (B, T+1), padded
            for row, seq in enumerate(batch):
                tokens[row, :len(seq)] = seq
            yield from chunk(tokens, self.seq_len, lengths)


class StreamBatches:
    """One long text as B parallel streams, walked in chunks of seq_len with the state carried.

    ids (N,) ints. random_offset: start each epoch at a random offset in [0, seq_len), so that chunk
    boundaries move between epochs (off for evaluation, where the whole text should count).
    """

    def __init__(self, ids: np.ndarray, batch_size: int, seq_len: int, random_offset: bool = True, seed: int = 0):
        ids = np.asarray(ids, dtype=np.int64)
        if batch_size < 1:
            raise InvalidValueError(f"batch_size: expected >= 1, got {batch_size}")
        if len(ids) < batch_size + 1:
            raise InvalidValueError(f"text: expected more than batch_size={batch_size} characters, got {len(ids)}")
        self.ids, self.batch_size, self.seq_len = ids, batch_size, seq_len
        self.random_offset, self.seed = random_offset, seed

    def epoch(self, epoch: int) -> Iterator[Segment]:
        """The segments of epoch `epoch` (an int >= 0), the same every time."""
        offset = 0
        if self.random_offset:
            offset = int(np.random.default_rng([self.seed, epoch]).integers(min(self.seq_len, len(self.ids) // 2)))
        ids = self.ids[offset:]
        per_stream = (len(ids) - 1) // self.batch_size  # targets per stream
        tokens = np.empty((self.batch_size, per_stream + 1), dtype=np.int64)  # (B, L+1)
        for b in range(self.batch_size):
            tokens[b] = ids[b * per_stream:(b + 1) * per_stream + 1]
        yield from chunk(tokens, self.seq_len)
