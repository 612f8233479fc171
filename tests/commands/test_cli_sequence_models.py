"""`unroll classify`, `unroll tag` and `unroll forecast`: end to end on tiny files, and their error paths
(one line, exit code 2)."""
import numpy as np
import pytest

from unroll import cli

POS = ["a fine , funny film", "great acting and a great plot", "funny and warm", "a fine story"] * 5
NEG = ["a dull , awful film", "bad acting and a bad plot", "dull and cold", "an awful story"] * 5
CONLLU = "".join(f"1\t{a}\t_\tDET\t_\t_\t_\t_\t_\t_\n2\t{b}\t_\tNOUN\t_\t_\t_\t_\t_\t_\n3\t{c}\t_\tVERB\t_\t_\t_\t_\t_\t_\n\n"
                 for a, b, c in [("The", "cat", "sat"), ("A", "dog", "ran"), ("The", "man", "saw")] * 4)


def run(argv, capsys):
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def files(tmp_path):
    (tmp_path / "p.txt").write_text("\n".join(POS) + "\n", encoding="cp1252")
    (tmp_path / "n.txt").write_text("\n".join(NEG) + "\n", encoding="cp1252")
    (tmp_path / "a.conllu").write_text(CONLLU)
    (tmp_path / "bad.csv").write_text("value\n1.5\nabc\n")
    (tmp_path / "s.csv").write_text("month,value\n" + "".join(f"{k},{100 + 10 * np.sin(k / 2) + k}\n" for k in range(60)))
    return tmp_path


SMALL = ["--embedding", 8, "--hidden", 8, "--epochs", 2, "--no-progress", "--val-fraction", 0.25]


def test_classify_train_predict_and_cv(files, capsys):
    code, out, _ = run(["classify", "train", "--pos", files / "p.txt", "--neg", files / "n.txt", "--out",
                        files / "run", *SMALL], capsys)
    assert code == 0 and "best validation accuracy" in out and (files / "run" / "selection" / "best").is_dir()
    more = ["--embedding", 8, "--hidden", 8, "--epochs", 3, "--no-progress", "--val-fraction", 0.25]
    code, out, _ = run(["classify", "train", "--pos", files / "p.txt", "--neg", files / "n.txt", "--out",
                        files / "run", "--resume", *more], capsys)
    assert code == 0 and "stopped after 3 steps" in out and "3 epochs done" in out  # 30 sentences: 1 step per epoch
    assert "refitted on all the sentences" in out
    code, out, _ = run(["classify", "predict", files / "run", "a funny , fine film", "--plot", files / "why.png"],
                       capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("label: ") and lines[2].startswith("a ") and (files / "why.png").is_file()
    code, out, _ = run(["classify", "train", "--pos", files / "p.txt", "--neg", files / "n.txt", "--out",
                        files / "held", "--no-refit", *SMALL], capsys)
    assert code == 0 and "refitted" not in out and (files / "held" / "best").is_dir()
    code, out, _ = run(["classify", "predict", files / "held", "a dull film"], capsys)
    assert code == 0 and out.startswith("label: ")
    for baseline in ([], ["--baseline", "bow"], ["--baseline", "window", "--window", 2]):
        code, out, _ = run(["classify", "cv", "--pos", files / "p.txt", "--neg", files / "n.txt", "--folds", 4,
                            "--run-folds", 2, "--jobs", 1, *SMALL, *baseline], capsys)
        assert code == 0 and out.splitlines()[-1].startswith("mean accuracy: ") and "over 2 folds" in out


def test_classify_cv_runs_folds_in_worker_processes(files, capsys):
    from unroll.functional.fused._blas import set_threads, threads
    argv = ["classify", "cv", "--pos", files / "p.txt", "--neg", files / "n.txt", "--folds", 3, *SMALL, "--no-refit"]
    was = threads()
    set_threads(1)  # the workers' setting, so both runs do the same arithmetic
    try:
        code, out, _ = run([*argv, "--jobs", 2], capsys)
        _, here, _ = run([*argv, "--jobs", 1], capsys)
    finally:
        set_threads(was)
    lines = out.splitlines()
    accuracies = [float(line.split()[3]) for line in lines[1:4]]
    assert code == 0 and [line.split()[1] for line in lines[1:4]] == ["1/3:", "2/3:", "3/3:"]
    assert lines[-1].startswith(f"mean accuracy: {np.mean(accuracies):.4f}") and "over 3 folds" in lines[-1]
    assert out == here  # the workers compute what this process does


def test_tag_train_eval_predict(files, capsys):
    conllu = files / "a.conllu"
    code, out, _ = run(["tag", "train", conllu, "--dev", conllu, "--out", files / "pos", "--hidden", 8,
                        "--word-dim", 8, "--char-dim", 4, "--char-hidden", 4, "--epochs", 2, "--no-progress"], capsys)
    assert code == 0 and "best dev token accuracy" in out
    code, out, _ = run(["tag", "eval", files / "pos", conllu], capsys)
    assert code == 0 and out.splitlines()[-1].startswith("token accuracy: ") and "most-frequent-tag baseline: 1.0000" in out
    code, out, _ = run(["tag", "predict", files / "pos", "The dog sat"], capsys)
    assert code == 0 and out.startswith("The/")


def test_forecast(files, capsys):
    code, out, _ = run(["forecast", files / "s.csv", "--column", 1, "--holdout", 12, "--epochs", 20, "--hidden", 4,
                        "--plot", files / "f.png"], capsys)
    assert code == 0 and "seasonal naive" in out and "window mlp" in out and (files / "f.png").is_file()


@pytest.mark.parametrize("argv,message", [
    (["classify", "train", "--out", "x"], "expected --pos FILE and --neg FILE"),
    (["classify", "train", "--pos", "{d}/p.txt", "--neg", "{d}/missing.txt", "--out", "{d}/x"], "missing.txt"),
    (["classify", "train", "--tsv", "{d}/p.txt", "--out", "{d}/x"], "expected 'label<TAB>text'"),
    (["classify", "train", "--tsv", "{d}/p.txt", "--pos", "{d}/p.txt", "--out", "{d}/x"], "got both"),
    (["classify", "cv", "--pos", "{d}/p.txt", "--neg", "{d}/n.txt", "--folds", 1], "folds"),
    (["classify", "cv", "--pos", "{d}/p.txt", "--neg", "{d}/n.txt", "--hidden", 0], "--hidden: expected an int >= 1"),
    (["classify", "cv", "--pos", "{d}/p.txt", "--neg", "{d}/n.txt", "--pool", "median"], "invalid choice"),
    (["classify", "cv", "--pos", "{d}/p.txt", "--neg", "{d}/n.txt", "--jobs", 0], "--jobs: expected an int >= 1"),
    (["classify", "predict", "{d}/nothing", "text"], "expected a model directory"),
    (["tag", "train", "{d}/p.txt", "--dev", "{d}/a.conllu", "--out", "{d}/t"], "CoNLL-U"),
    (["tag", "eval", "{d}", "{d}/a.conllu"], "expected a model directory"),
    (["tag", "train", "{d}/a.conllu", "--dev", "{d}/a.conllu", "--out", "{d}/new", "--resume"], "resume: expected"),
    (["forecast", "{d}/bad.csv"], "bad.csv:3: expected a number in column 0"),
    (["forecast", "{d}/s.csv", "--column", 5], "expected a column 5"),
    (["forecast", "{d}/s.csv", "--holdout", 0], "--holdout: expected"),
    (["forecast", "{d}/s.csv", "--holdout", 55], "more than holdout + window"),
])
def test_errors_are_one_line_exit_2(files, capsys, argv, message):
    with pytest.raises(SystemExit) if "invalid choice" in message else _no_exit() as caught:
        code, _, err = run([str(a).format(d=files) for a in argv], capsys)
    if caught is not None and hasattr(caught, "value"):
        code, err = caught.value.code, capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err, err


class _no_exit:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
