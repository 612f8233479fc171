"""`unroll memory` and `unroll tree`: argument errors are one line with exit code 2; tiny runs end
with their headline lines."""
from unroll.cli import main


def test_bad_arguments_are_one_line(capsys):
    assert main(["memory", "ntm-copy", "--memory", "3y"]) == 2
    assert "--memory: expected N x M" in capsys.readouterr().err
    assert main(["tree", "listops", "--models", "tree-lstm,cnn"]) == 2
    assert "--models" in capsys.readouterr().err


def test_tiny_runs_print_headlines(capsys):
    assert main(["tree", "listops", "--models", "tree-lstm,tree-rnn", "--train-size", "40", "--test-size", "30",
                 "--epochs", "1", "--max-depth", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "tree-lstm accuracy: " in out and "(tree-rnn: " in out
    assert main(["memory", "ntm-copy", "--steps", "2", "--batch", "2", "--controller", "8", "--memory", "8x4",
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "copy error: " in out and "bits per sequence (lengths 1-20)" in out
    assert main(["memory", "memn2n", "--epochs", "1", "--train-size", "64", "--quiet"]) == 0
    assert "task 1 accuracy: " in capsys.readouterr().out
