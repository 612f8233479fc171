"""Pairs: normalisation, parsing errors, the length filter, and a split that depends on the pairs'
contents only (file order does not matter, duplicate sources never straddle it)."""
from pathlib import Path

import numpy as np
import pytest

from unroll.data.pairs import (SPECIALS, build_vocabularies, detokenize, filter_length, normalize, parse_pairs,
                               split_pairs)
from unroll.errors import InvalidValueError

SPA = Path(__file__).resolve().parents[3] / "shared" / "data" / "spa.txt"


def test_normalize_and_detokenize():
    assert normalize("¿Dónde  está\u00a0Tom?") == ["¿", "dónde", "está", "tom", "?"]
    assert normalize("I don\u2019t know.") == ["i", "don't", "know", "."]
    assert normalize("Cafe\u0301") == ["café"]  # NFC: one code point
    assert detokenize(["¿", "dónde", "está", "tom", "?"]) == "¿dónde está tom?"
    assert detokenize(["hola", ",", "¡", "ven", "!"]) == "hola, ¡ven!"


def test_parse_pairs_skips_blanks_reads_crlf_and_names_a_bad_line():
    pairs = parse_pairs(["Go.\tVe.\r\n", "\n", "Hi.\tHola.\tCC-BY attribution\n"])
    assert pairs == [(["go", "."], ["ve", "."]), (["hi", "."], ["hola", "."])]
    with pytest.raises(InvalidValueError, match="line 2"):
        parse_pairs(["Go.\tVe.", "no tab here"])


def test_filter_length():
    pairs = [(["a"] * n, ["b"] * (n + 1)) for n in range(1, 14)]
    assert [len(s) for s, _ in filter_length(pairs, 10)] == list(range(1, 11))
    assert len(filter_length(pairs, None, max_target=3)) == 2


def synthetic(n=300, seed=0):
    rng = np.random.default_rng(seed)
    pairs = []
    for i in range(n):
        source = [f"w{rng.integers(40)}" for _ in range(rng.integers(1, 6))]
        for k in range(rng.integers(1, 3)):  # some sources have two translations
            pairs.append((source, [f"t{i}", f"v{k}"]))
    return pairs


def test_split_ignores_file_order_and_keeps_duplicate_sources_together():
    pairs = synthetic()
    a = split_pairs(pairs, n_test=50, n_val=30)
    shuffled = [pairs[i] for i in np.random.default_rng(1).permutation(len(pairs))]
    b = split_pairs(shuffled, n_test=50, n_val=30)
    assert a.test == b.test and a.val == b.val and sorted(map(str, a.train)) == sorted(map(str, b.train))
    assert len(a.test) == 50 and len(a.val) == 30
    held = {" ".join(s) for s, _ in a.test + a.val}
    assert not any(" ".join(s) in held for s, _ in a.train)
    with pytest.raises(InvalidValueError, match="n_test"):
        split_pairs(pairs[:10], n_test=8, n_val=5)


def test_vocabularies_put_the_specials_first_and_apply_min_count():
    src, tgt = build_vocabularies([(["a", "b"], ["x"]), (["a"], ["x", "y"])], min_count=2)
    assert src.words[:4] == list(SPECIALS) and src.words[4:] == ["a"] and tgt.words[4:] == ["x"]


@pytest.mark.skipif(not SPA.is_file(), reason="shared/data/spa.txt is not here")
def test_spa_txt_reads_and_splits():
    """The first 20,000 lines (the file is sorted by length; the whole file takes seconds to read, so the
    full protocol's sizes, 2,000 / 1,000 / 102,298, are checked by benchmarks/translate_spa.py)."""
    with open(SPA, encoding="utf-8", newline="") as f:
        lines = [next(f) for _ in range(20_000)]
    pairs = filter_length(parse_pairs(lines), 10)
    assert len(pairs) == 20_000 and pairs[0] == (["go", "."], ["ve", "."])
    split = split_pairs(pairs, n_test=2000, n_val=1000)
    assert len(split.test) == 2000 and len(split.val) == 1000 and len(split.train) > 16_000
