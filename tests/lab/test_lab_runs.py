"""Short lab runs: a GRU learns a short adding problem, the clipping demo diverges only unclipped,
the command prints its table and writes its figures, and bad arguments end in exit code 2."""
import numpy as np
import pytest

from unroll.cli import main
from unroll.lab import LabConfig, get_task, train_cell, train_clipped
from unroll.lab.report import decay_orders


def test_gru_learns_a_short_adding_problem():
    task = get_task("adding")
    config = LabConfig(T=10, steps=300, batch=32, hidden=16, lr=1e-2, eval_every=50, test_size=200)
    result = train_cell("gru", task, config, seed=0)
    assert result.steps[-1] == 300 and len(result.test_loss) == 6
    assert result.test_loss[0] > 0.05  # starts near the baseline 1/6
    assert result.test_loss[-1] < 0.3 * task.baseline(10)
    assert result.flow_init.shape == (11,) and np.isfinite(result.flow_final).all()


def test_unclipped_sgd_diverges_and_clipped_sgd_does_not():
    losses, norms = train_clipped("none", 50, 60, 32, 0.1, seed=0)
    # The blow-up is chaotic, so how far it goes depends on BLAS rounding (thread count): the loss
    # either stops being finite or grows by orders of magnitude; the gradient norm always explodes.
    assert norms.max() > 1e6 and (len(losses) < 60 or losses.max() > 1e4 * losses[0])
    for clip in ("value 1.0", "norm 1.0"):
        losses, norms = train_clipped(clip, 50, 60, 32, 0.1, seed=0)
        assert len(losses) == 60 and np.isfinite(losses).all() and losses[-10:].mean() < 0.85 * losses[:10].mean()


def test_decay_orders():
    assert decay_orders(np.array([1e-5, 1e-3, 1.0])) == pytest.approx(-5.0)


def test_lab_command_prints_table_and_writes_figures(tmp_path, capsys):
    code = main(["lab", "adding", "--T", "10", "--steps", "20", "--cells", "rnn,lstm", "--hidden", "8",
                 "--quiet", "--plot", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "memoryless baseline 0.1667" in out and "\nrnn " in out and "\nlstm " in out
    for name in ("adding_T10_learning.png", "adding_T10_gradient_flow.png"):
        assert (tmp_path / name).stat().st_size > 1000


def test_lab_command_rejects_bad_arguments(capsys):
    assert main(["lab", "adding", "--cells", "rnn,transformer"]) == 2
    assert "--cells" in capsys.readouterr().err
    assert main(["lab", "copy", "--T", "3"]) == 2
