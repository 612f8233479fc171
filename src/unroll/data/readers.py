"""Readers for labelled text: a `label<TAB>text` file, the pos/neg file pair of sentence polarity, and
CoNLL-U treebanks (FORM and UPOS columns).

    texts, labels = read_tsv("reviews.tsv")                        # labels as the strings in the file
    texts, labels = read_polarity("rt-polarity.pos", "rt-polarity.neg")   # labels 'pos' / 'neg'
    sentences = read_conllu("en_lines-ud-train.conllu")            # [(words, tags), ...]

The sentence-polarity files (Pang & Lee 2005, v1.0) are cp1252, one snippet per line; that is the
default encoding of `read_polarity`. CoNLL-U lines whose ID is a range (`3-4`, a multiword token
such as "don't" whose parts follow as their own lines) or a decimal (`5.1`, an empty node of the
enhanced graph) are not words of the sentence and are skipped, as UD's own evaluation does.
A malformed line raises `InvalidValueError` naming the file and line number; a missing file the
usual `FileNotFoundError`.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import InvalidValueError

__all__ = ["read_tsv", "read_polarity", "read_conllu"]


def _lines(path, encoding: str) -> list[str]:
    try:
        return Path(path).read_text(encoding=encoding).splitlines()
    except UnicodeDecodeError as err:
        raise InvalidValueError(f"{path}: expected {encoding} text, got undecodable bytes at {err.start}") from None


def read_tsv(path, encoding: str = "utf-8") -> tuple[list[str], list[str]]:
    """`label<TAB>text` per line (blank lines skipped) -> (texts, labels), both lists of str."""
    texts, labels = [], []
    for number, line in enumerate(_lines(path, encoding), 1):
        if not line.strip():
            continue
        label, tab, text = line.partition("\t")
        if not tab or not label.strip() or not text.strip():
            raise InvalidValueError(f"{path}:{number}: expected 'label<TAB>text', got {line[:60]!r}")
        labels.append(label.strip())
        texts.append(text.strip())
    if not texts:
        raise InvalidValueError(f"{path}: expected at least one 'label<TAB>text' line, got none")
    return texts, labels


def read_polarity(pos, neg, encoding: str = "cp1252") -> tuple[list[str], list[str]]:
    """One snippet per line in each file -> (texts, labels): the positives ('pos') then the
    negatives ('neg'); blank lines skipped."""
    texts, labels = [], []
    for path, label in ((pos, "pos"), (neg, "neg")):
        part = [line.strip() for line in _lines(path, encoding) if line.strip()]
        if not part:
            raise InvalidValueError(f"{path}: expected one {label} sentence per line, got an empty file")
        texts += part
        labels += [label] * len(part)
    return texts, labels


def read_conllu(path, encoding: str = "utf-8") -> list[tuple[list[str], list[str]]]:
    """A CoNLL-U file -> [(FORM words, UPOS tags)] per sentence; comments, multiword-token ranges
    and empty nodes skipped."""
    sentences, words, tags = [], [], []
    for number, line in enumerate(_lines(path, encoding) + [""], 1):
        if not line.strip():
            if words:
                sentences.append((words, tags))
            words, tags = [], []
            continue
        if line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) != 10:
            raise InvalidValueError(f"{path}:{number}: expected 10 tab-separated CoNLL-U columns, "
                                    f"got {len(columns)}")
        token_id = columns[0]
        if "-" in token_id or "." in token_id:  # multiword token range, or empty node
            continue
        if not token_id.isdigit():
            raise InvalidValueError(f"{path}:{number}: expected an integer token ID, got {token_id!r}")
        words.append(columns[1])
        tags.append(columns[3])
    if not sentences:
        raise InvalidValueError(f"{path}: expected CoNLL-U sentences, found none")
    return sentences
