"""`unroll translate`: the three forms end to end on a tiny pair file, and its error paths (one line,
exit code 2)."""
import numpy as np
import pytest

from unroll import cli

WORDS = ["go", "run", "eat", "sleep", "read", "swim"]
SPANISH = ["ve", "corre", "come", "duerme", "lee", "nada"]


@pytest.fixture
def pairs_file(tmp_path):
    rng = np.random.default_rng(0)
    lines = []
    for _ in range(120):
        k = rng.integers(0, len(WORDS), rng.integers(1, 4))
        lines.append(" ".join(WORDS[i] for i in k).capitalize() + ".\t" + " ".join(SPANISH[i] for i in k) + ".")
    path = tmp_path / "pairs.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def one_line_error(capsys, argv, match):
    try:
        code = cli.main(argv)
    except SystemExit as exit:  # argparse's errors exit (code 2) after printing their one line
        code = exit.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("unroll translate") and match in err, err


def test_train_eval_translate_and_plot(tmp_path, pairs_file, capsys):
    pytest.importorskip("sacrebleu")
    out = tmp_path / "model"
    assert cli.main(["translate", "train", str(pairs_file), "--out", str(out), "--max-steps", "4", "--hidden", "8",
                     "--embedding", "8", "--n-test", "20", "--n-val", "10", "--eval-every", "2", "--min-count", "1",
                     "--no-progress"]) == 0
    assert (out / "checkpoint").is_dir() and (out / "best").is_dir()
    capsys.readouterr()
    assert cli.main(["translate", "eval", str(out), str(pairs_file), "--beam", "2"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("BLEU: ") and last.endswith("(beam 2, 20 sentences)")
    args = ["translate", str(out), "Go run.", "Eat."]
    if pytest.importorskip("matplotlib"):
        args += ["--plot", str(tmp_path / "map.png")]
    assert cli.main(args) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len([line for line in printed if not line.startswith("attention map")]) == 2
    assert (tmp_path / "map.png").stat().st_size > 0


def test_error_paths_are_one_line(tmp_path, pairs_file, capsys):
    one_line_error(capsys, ["translate"], "expected an action")
    one_line_error(capsys, ["translate", "eval", str(tmp_path / "none"), str(pairs_file)], "none")
    one_line_error(capsys, ["translate", "train", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "o"),
                            "--no-val-bleu"], "missing.txt")
    one_line_error(capsys, ["translate", "train", str(pairs_file)], "--out")
    one_line_error(capsys, ["translate", str(tmp_path / "none")], "SENTENCE")
    one_line_error(capsys, ["translate", str(tmp_path), "hi", "--beam", "0"], "--beam")
    bad = tmp_path / "bad.txt"
    bad.write_text("no tab on this line\n", encoding="utf-8")
    one_line_error(capsys, ["translate", "train", str(bad), "--out", str(tmp_path / "o"), "--no-val-bleu"], "line 1")
