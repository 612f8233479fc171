"""The train / sample / eval / demo / gradcheck commands, and their one-line errors (exit code 2)."""
import numpy as np
import pytest

from unroll.cli import main
from unroll.commands import demo, gradcheck
from unroll.nn import registry
from unroll.training import Budget, CharData, CharModel, TrainConfig

NAMES = "\n".join(["alosaurus", "brontosaurus", "ceratops", "diplodocus", "elaphrosaurus", "fukuiraptor",
                   "gallimimus", "herrerasaurus", "iguanodon", "juravenator"] * 3)
TINY = ["--hidden", "8", "--embedding", "4", "--batch-size", "4", "--no-progress", "--seed", "1"]


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def names_file(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text(NAMES)
    return path


def test_train_sample_eval_resume(tmp_path, names_file, capsys):
    out_dir = tmp_path / "run"
    code, out, err = _run(capsys, "train", names_file, "--lines", "--cell", "gru", "--epochs", "2",
                          "--out", out_dir, "--plot", *TINY)
    assert code == 0, err
    assert "2 epochs done" in out and "bits/char" in out and (out_dir / "loss.png").is_file()

    code, out, err = _run(capsys, "sample", out_dir, "--n", "5", "--seed", "0", "--temperature", "0.5")
    assert code == 0 and len(out.splitlines()) == 5 and set("".join(out.split())) <= set(NAMES)
    code, again, _ = _run(capsys, "sample", out_dir, "--n", "5", "--seed", "0", "--temperature", "0.5")
    assert again == out

    code, out, err = _run(capsys, "eval", out_dir / "checkpoint", names_file)
    nats, bits = (float(w) for w in out.split() if w.replace(".", "").isdigit())
    assert code == 0 and bits == pytest.approx(nats / np.log(2), abs=1e-3)

    code, out, err = _run(capsys, "train", names_file, "--out", out_dir, "--resume", "--epochs", "3", "--no-progress")
    assert code == 0 and "3 epochs done" in out
    code, out, err = _run(capsys, "train", names_file, "--out", out_dir, "--resume", "--hidden", "9")
    assert code == 2 and "only --epochs, --minutes and --max-steps" in err


def test_stream_training_and_priming(tmp_path, names_file, capsys):
    code, out, err = _run(capsys, "train", names_file, "--cell", "rnn", "--seq-len", "8", "--max-steps", "5",
                          "--out", tmp_path / "s", *TINY)
    assert code == 0, err
    code, out, _ = _run(capsys, "sample", tmp_path / "s", "--prime", "bro", "--length", "12", "--top-k", "3")
    assert code == 0 and out.startswith("bro") and len(out.rstrip("\n")) >= 3


@pytest.mark.parametrize("argv, message", [
    (["train", "{missing}", "--out", "{tmp}/o"], "expected a text file, found nothing"),
    (["train", "{empty}", "--out", "{tmp}/o"], "found an empty file"),
    (["train", "{binary}", "--out", "{tmp}/o"], "found binary data"),
    (["train", "{names}", "--out", "{tmp}/o", "--cell", "elman"], "invalid choice: 'elman'"),
    (["train", "{names}", "--out", "{tmp}/o", "--clip-value", "1", "--clip-norm", "1"], "not allowed with"),
    (["train", "{names}", "--out", "{tmp}/o", "--lr", "-1"], "lr: expected > 0, got -1.0"),
    (["train", "{names}", "--out", "{tmp}/o", "--hidden", "many"], "invalid int value: 'many'"),
    (["train", "{names}", "--out", "{tmp}/o", "--resume"], "expected a directory"),
    (["sample", "{tmp}"], "expected a checkpoint directory"),
    (["sample", "{names}"], "expected a checkpoint directory"),
    (["eval", "{tmp}", "{names}"], "expected a checkpoint directory"),
])
def test_errors_are_one_line_and_exit_2(tmp_path, names_file, capsys, argv, message):
    (tmp_path / "empty.txt").write_text("\n\n")
    (tmp_path / "bin.dat").write_bytes(b"\x89PNG\x00\x01")
    paths = {"missing": tmp_path / "nope.txt", "empty": tmp_path / "empty.txt", "binary": tmp_path / "bin.dat",
             "names": names_file, "tmp": tmp_path}
    try:
        code = main([a.format(**paths) for a in argv])
    except SystemExit as stop:  # argparse's own errors
        code = stop.code
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err, err
    assert "Traceback" not in err


def test_eval_rejects_characters_outside_the_vocabulary(tmp_path, names_file, capsys):
    assert _run(capsys, "train", names_file, "--lines", "--max-steps", "2", "--out", tmp_path / "r", *TINY)[0] == 0
    other = tmp_path / "other.txt"
    other.write_text("XYZ\n")
    code, _, err = _run(capsys, "eval", tmp_path / "r", other)
    assert code == 2 and "found 3 others: 'XYZ'" in err


def test_demo_prints_names_marking_new_ones(monkeypatch, capsys):
    monkeypatch.setattr(demo, "DEMO_CONFIG", TrainConfig(model=CharModel(cell="gru", hidden_size=8, embedding_dim=4),
                                                         data=CharData(lines=True, lowercase=True, batch_size=64),
                                                         budget=Budget(max_steps=3)))
    code, out, _ = _run(capsys, "demo", "--n", "4", "--no-progress")
    assert code == 0 and "4 sampled names" in out and "of 4 are new" in out


def test_gradcheck_command_passes_and_each_cell_is_checked(capsys):
    assert max(gradcheck.check_layer("gru").values()) < 1e-6
    code, out, _ = _run(capsys, "gradcheck")
    assert code == 0 and "all passed" in out
    assert all(cell in out for cell in registry.names())  # every registered cell, none forgotten
