"""`unroll esn`: runs end to end on a small reservoir, prints the errors, plots, rejects bad args."""
import argparse

import numpy as np
import pytest

from unroll.cli import CommandError
from unroll.commands import esn as command


def _run(argv):
    parser = argparse.ArgumentParser()
    command.add_parser(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.mark.parametrize("task", ["mackey-glass", "lorenz"])
def test_esn_command_fits_and_free_runs(task, capsys):
    assert _run(["esn", task, "--units", "150", "--train", "600", "--horizon", "100"]) == 0
    out = capsys.readouterr().out
    at84 = float(out.split("NRMSE at step 84:")[1].split()[0])
    assert at84 < 0.1  # a real forecast, far below the 1.0 of predicting the mean


def test_esn_command_plots(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    _run(["esn", "mackey-glass", "--units", "80", "--train", "300", "--horizon", "84", "--plot", str(tmp_path)])
    assert (tmp_path / "esn_mackey-glass.png").stat().st_size > 1000


def test_esn_command_rejects_bad_arguments():
    with pytest.raises(CommandError, match="horizon"):
        _run(["esn", "lorenz", "--horizon", "10"])
    with pytest.raises(ValueError, match="spectral_radius"):
        _run(["esn", "lorenz", "--units", "20", "--spectral-radius", "0", "--train", "50"])


def test_task_series_is_the_squashed_mackey_glass():
    s = command.task_series("mackey-glass", 50)
    assert s.shape == (50, 1) and -0.6 < s.min() and s.max() < 0.35
    assert np.all(np.isfinite(command.task_series("lorenz", 10)))
