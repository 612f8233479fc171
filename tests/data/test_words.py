"""The word pipeline: tokens, a deterministic vocabulary with min-count, padding, bucketing."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from unroll.data.words import PAD, UNK, WordVocabulary, bucketed_batches, pad_batch, tokenize


def test_tokenize_keeps_words_contractions_and_punctuation():
    assert tokenize("I don't like this movie, at ALL!") == ["i", "don't", "like", "this", "movie", ",", "at",
                                                            "all", "!"]
    assert tokenize("Well-known 3.5", lowercase=False) == ["Well-known", "3", ".", "5"]
    with pytest.raises(TypeError, match="text: expected a str, got bytes"):
        tokenize(b"abc")


def test_vocabulary_min_count_order_unknowns_and_round_trip():
    sentences = [["b", "a", "c"], ["a", "b"], ["a", "d"]]
    vocab = WordVocabulary.build(sentences, min_count=2)
    assert vocab.words == [PAD, UNK, "a", "b"]  # a (3) before b (2); c and d are rare
    assert vocab.encode(["a", "c", "b"]) == [2, 1, 3]
    assert vocab.decode([2, 0, 1, 3]) == ["a", "b"] and vocab.decode([2, 1], skip_specials=False) == ["a", UNK]
    again = WordVocabulary.from_dict(vocab.to_dict())
    assert again.words == vocab.words and again.pad_id == 0 and again.unk_id == 1
    with_bos = WordVocabulary.build(sentences, specials=(PAD, UNK, "<s>", "</s>"))
    assert with_bos.words[:4] == [PAD, UNK, "<s>", "</s>"] and len(with_bos) == 8
    with pytest.raises(ValueError, match="min_count: expected >= 1, got 0"):
        WordVocabulary.build(sentences, min_count=0)


def test_pad_batch():
    ids, lengths = pad_batch([[5, 6, 7], [8], []], pad_id=0)
    np.testing.assert_array_equal(ids, [[5, 6, 7], [8, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(lengths, [3, 1, 0])
    ids, lengths = pad_batch([[5, 6, 7], [8]], max_len=2)
    assert ids.shape == (2, 2) and lengths.tolist() == [2, 1]


@given(lengths=st.lists(st.integers(0, 40), max_size=300), batch=st.integers(1, 17), seed=st.integers(0, 5))
def test_bucketed_batches_cover_every_example_once(lengths, batch, seed):
    batches = bucketed_batches(lengths, batch, rng=seed, pool=3)
    seen = np.concatenate(batches) if batches else np.array([], dtype=int)
    assert sorted(seen.tolist()) == list(range(len(lengths)))
    assert all(1 <= len(b) <= batch for b in batches)
    assert [b.tolist() for b in batches] == [b.tolist() for b in bucketed_batches(lengths, batch, rng=seed, pool=3)]


def test_bucketing_keeps_padding_small():
    lengths = np.random.default_rng(0).integers(1, 60, size=2000)
    batches = bucketed_batches(lengths, 32, rng=1)
    padding = sum(int(lengths[b].max() * len(b) - lengths[b].sum()) for b in batches)
    unsorted = sum(int(lengths[b].max() * len(b) - lengths[b].sum())
                   for b in np.array_split(np.random.default_rng(2).permutation(2000), 2000 // 32))
    assert padding < 0.1 * unsorted
