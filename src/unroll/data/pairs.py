"""Sentence pairs for translation: the Tatoeba `spa.txt` reader, normalisation, a length filter, and a
deterministic split that does not depend on the order of the file.

    pairs = read_pairs("spa.txt")                                # [(english tokens, spanish tokens)]
    pairs = filter_length(pairs, max_source=10)                  # English side at most 10 tokens
    split = split_pairs(pairs, n_test=2000, n_val=1000)          # .train, .val, .test
    src_vocab, tgt_vocab = build_vocabularies(split.train, min_count=2)

Normalisation: Unicode NFC, lower case, typographic quotes and spaces made plain, then
`unroll.data.words.tokenize` (words with inner apostrophes/hyphens, numbers, one token per other
symbol: "¿Dónde está?" -> ["¿", "dónde", "está", "?"]).

The split: every pair gets the key sha256(normalised source sentence) (its hex digest; the
target breaks ties), pairs are sorted by that key, the first `n_test` are the test set, the
next `n_val` the validation set, and the rest the training set minus any pair whose source
sentence also occurs in the test or validation set (Tatoeba has several translations of one
English sentence; they never straddle the split). The split depends only on the pairs' contents:
shuffling, reordering or appending to the file leaves each pair's side unchanged (up to the cut
points), and no random generator is involved.
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidValueError
from .words import PAD, UNK, WordVocabulary, tokenize

__all__ = ["BOS", "EOS", "SPECIALS", "normalize", "read_pairs", "parse_pairs", "filter_length", "split_pairs",
           "Split", "build_vocabularies", "detokenize", "pair_key"]

BOS, EOS = "<s>", "</s>"
SPECIALS = (PAD, UNK, BOS, EOS)  # ids 0, 1, 2, 3 in every vocabulary built here

_PLAIN = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ",
                        "\u202f": " ", "\u2013": "-", "\u2014": "-"})


def normalize(text: str) -> list[str]:
    """A sentence -> its tokens: NFC, plain quotes and spaces, lower case, `words.tokenize`."""
    return tokenize(unicodedata.normalize("NFC", text).translate(_PLAIN), lowercase=True)


def parse_pairs(lines) -> list[tuple[list[str], list[str]]]:
    """Lines 'source<TAB>target[<TAB>attribution]' -> [(source tokens, target tokens)].

    Blank lines are skipped; a line without a tab raises InvalidValueError naming its number.
    """
    pairs = []
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            raise InvalidValueError(f"line {number}: expected 'source<TAB>target', got {line[:60]!r}")
        source, target = normalize(fields[0]), normalize(fields[1])
        if source and target:
            pairs.append((source, target))
    return pairs


def read_pairs(path) -> list[tuple[list[str], list[str]]]:
    """Read a tab-separated pair file (UTF-8, e.g. Tatoeba's spa.txt) -> normalised token pairs."""
    path = Path(path)
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    pairs = parse_pairs(text.split("\n"))
    if not pairs:
        raise InvalidValueError(f"{path}: expected lines 'source<TAB>target', found no pairs")
    return pairs


def filter_length(pairs, max_source: int | None = 10, max_target: int | None = None) -> list:
    """Keep the pairs whose source has at most max_source tokens (and target at most max_target)."""
    return [(s, t) for s, t in pairs
            if (max_source is None or len(s) <= max_source) and (max_target is None or len(t) <= max_target)]


def pair_key(source: list[str], target: list[str]) -> tuple[str, str]:
    """The split's sort key: (sha256 of the space-joined source, the space-joined target)."""
    joined = " ".join(source)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest(), " ".join(target)


@dataclass(frozen=True)
class Split:
    train: list
    val: list
    test: list


def split_pairs(pairs, n_test: int = 2000, n_val: int = 1000) -> Split:
    """The deterministic split of the module docstring: test, then validation, by hash order."""
    if n_test < 0 or n_val < 0 or n_test + n_val >= len(pairs):
        raise InvalidValueError(f"n_test, n_val: expected >= 0 and together fewer than the {len(pairs)} pairs, "
                                f"got {n_test} and {n_val}")
    ordered = sorted(pairs, key=lambda p: pair_key(*p))
    test, val = ordered[:n_test], ordered[n_test:n_test + n_val]
    held_out = {" ".join(s) for s, _ in test + val}
    train = [p for p in ordered[n_test + n_val:] if " ".join(p[0]) not in held_out]
    return Split(train, val, test)


def build_vocabularies(pairs, min_count: int = 2) -> tuple[WordVocabulary, WordVocabulary]:
    """(source, target) vocabularies from training pairs, each with SPECIALS first (<pad> 0, <unk> 1,
    <s> 2, </s> 3) and the words seen at least min_count times."""
    source = WordVocabulary.build((s for s, _ in pairs), min_count=min_count, specials=SPECIALS)
    target = WordVocabulary.build((t for _, t in pairs), min_count=min_count, specials=SPECIALS)
    return source, target


_NO_SPACE_BEFORE = set(".,!?;:%)]}»")
_NO_SPACE_AFTER = set("¿¡([{«")


def detokenize(tokens: list[str]) -> str:
    """Tokens -> text: no space before closing punctuation or after opening marks (¿, ¡, brackets)."""
    out = ""
    for token in tokens:
        if out and token not in _NO_SPACE_BEFORE and out[-1] not in _NO_SPACE_AFTER:
            out += " "
        out += token
    return out
