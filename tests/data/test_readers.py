"""Readers: label<TAB>text, the polarity pos/neg pair (cp1252), CoNLL-U (FORM/UPOS, multiword and empty
nodes skipped); malformed lines are named by file and line."""
from pathlib import Path

import pytest

from unroll.data.readers import read_conllu, read_polarity, read_tsv
from unroll.errors import InvalidValueError

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
CONLLU = """# sent_id = 1
# text = I don't know.
1\tI\tI\tPRON\tPRP\t_\t3\tnsubj\t_\t_
2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_
2\tdo\tdo\tAUX\tVBP\t_\t3\taux\t_\t_
3\tn't\tnot\tPART\tRB\t_\t0\troot\t_\t_
3.1\tknow\tknow\tVERB\tVB\t_\t_\t_\t3:x\t_
4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

1\tYes\tyes\tINTJ\tUH\t_\t0\troot\t_\t_
"""


def test_conllu_keeps_words_and_upos_and_skips_ranges_and_empty_nodes(tmp_path):
    path = tmp_path / "a.conllu"
    path.write_text(CONLLU)  # no blank line at the end: the last sentence still counts
    assert read_conllu(path) == [(["I", "do", "n't", "."], ["PRON", "AUX", "PART", "PUNCT"]), (["Yes"], ["INTJ"])]


def test_conllu_bad_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.conllu"
    path.write_text("1\tI\tI\tPRON\n")
    with pytest.raises(InvalidValueError, match=r"bad.conllu:1: expected 10 tab-separated"):
        read_conllu(path)


def test_tsv_and_its_errors(tmp_path):
    path = tmp_path / "a.tsv"
    path.write_text("pos\ta fine film\n\nneg\tdull\tand long\n")
    assert read_tsv(path) == (["a fine film", "dull\tand long"], ["pos", "neg"])
    path.write_text("pos a fine film\n")
    with pytest.raises(InvalidValueError, match=r"a.tsv:1: expected 'label<TAB>text'"):
        read_tsv(path)
    with pytest.raises(FileNotFoundError):
        read_tsv(tmp_path / "missing.tsv")


def test_polarity_pair_is_cp1252(tmp_path):
    (tmp_path / "p").write_bytes("a caf\xe9 film \x97 fine\n".encode("latin-1"))
    (tmp_path / "n").write_bytes(b"dull\n\nboring\n")
    texts, labels = read_polarity(tmp_path / "p", tmp_path / "n")
    assert texts == ["a café film — fine", "dull", "boring"] and labels == ["pos", "neg", "neg"]


@pytest.mark.skipif(not (DATA / "rt-polarity.pos").is_file(), reason="../shared/data absent")
def test_the_real_files():
    texts, labels = read_polarity(DATA / "rt-polarity.pos", DATA / "rt-polarity.neg")
    assert len(texts) == 10662 and labels.count("pos") == 5331
    train = read_conllu(DATA / "ud_english_lines" / "en_lines-ud-train.conllu")
    assert len(train) == 3457 and sum(len(w) for w, _ in train) == 64684
