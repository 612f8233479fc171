"""Vocabulary, file reading and the two batch sources for truncated BPTT."""
import numpy as np
import pytest

from unroll.data.text import LineBatches, StreamBatches, Vocabulary, chunk, read_bundled, read_text


def test_vocabulary_round_trip_and_unknown_characters():
    vocab = Vocabulary("hello\n")
    assert vocab.chars == ["\n", "e", "h", "l", "o"]
    assert vocab.decode(vocab.encode("hello\n")) == "hello\n"
    with pytest.raises(ValueError, match="'xz'"):
        vocab.encode("hexz")


def test_read_text_rejects_missing_empty_binary_and_non_utf8(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "bin.dat").write_bytes(b"ab\x00cd")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(FileNotFoundError, match="found nothing"):
        read_text(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="empty"):
        read_text(tmp_path / "empty.txt")
    with pytest.raises(ValueError, match="binary"):
        read_text(tmp_path / "bin.dat")
    with pytest.raises(ValueError, match="UTF-8"):
        read_text(tmp_path / "latin1.txt")


def test_bundled_dinosaurs_are_the_course_file():
    text = read_bundled("dinos.txt")
    assert len(text) == 19909 and len(set(text.lower())) == 27 and text.count("\n") == 1535


def test_chunk_covers_inputs_and_targets_once():
    tokens = np.arange(2 * 12).reshape(2, 12)
    segs = list(chunk(tokens, seq_len=5, lengths=np.array([11, 4])))
    assert [s.reset for s in segs] == [True, False, False]
    np.testing.assert_array_equal(np.concatenate([s.inputs for s in segs], axis=1), tokens[:, :-1])
    np.testing.assert_array_equal(np.concatenate([s.targets for s in segs], axis=1), tokens[:, 1:])
    assert [s.lengths.tolist() for s in segs] == [[5, 4], [5, 0], [1, 0]]


def test_line_batches_frame_lines_and_shuffle_per_epoch():
    lines = [f"name{i}" for i in range(10)]
    vocab = Vocabulary("".join(lines) + "\n")
    batches = LineBatches(lines, vocab, batch_size=4, seq_len=100, seed=1)
    epoch0, again, epoch1 = list(batches.epoch(0)), list(batches.epoch(0)), list(batches.epoch(1))
    seen = []
    for seg in epoch0:
        for row, n in zip(seg.inputs, seg.lengths):
            text = vocab.decode(row[:n])
            assert text.startswith("\n")
            seen.append(text[1:])
    assert sorted(seen) == sorted(lines)
    assert all(np.array_equal(a.inputs, b.inputs) for a, b in zip(epoch0, again))
    assert not all(np.array_equal(a.inputs, b.inputs) for a, b in zip(epoch0, epoch1))
    assert vocab.decode(epoch0[0].targets[0, :epoch0[0].lengths[0]]).endswith("\n")


def test_stream_batches_are_contiguous_parallel_streams():
    ids = np.arange(103)
    batches = StreamBatches(ids, batch_size=4, seq_len=7, random_offset=False)
    segs = list(batches.epoch(0))
    assert segs[0].reset and not any(s.reset for s in segs[1:])
    rows = np.concatenate([s.inputs for s in segs], axis=1)  # (4, 25)
    np.testing.assert_array_equal(rows, np.arange(100).reshape(4, 25))
    offsets = {next(StreamBatches(ids, 4, 7, seed=0).epoch(e)).inputs[0, 0] for e in range(8)}
    assert len(offsets) > 1  # the chunk boundaries move between epochs
