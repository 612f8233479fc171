"""Short lab runs: a GRU learns a short adding problem, the clipping demo diverges only unclipped,
the command prints its table and writes its figures, and bad arguments end in exit code 2.

Training trajectories are chaotic (they depend on BLAS rounding), so the assertions are on
medians over seeds, with wide margins."""
import numpy as np
import pytest

from unroll.cli import main
from unroll.lab import ExplodeConfig, LabConfig, get_task, train_cell, train_clipped
from unroll.lab.explode import final_loss
from unroll.lab.report import decay_orders


def test_gru_learns_a_short_adding_problem():
    task = get_task("adding")
    config = LabConfig(T=10, steps=300, batch=32, hidden=16, lr=1e-2, eval_every=50, test_size=200)
    results = [train_cell("gru", task, config, seed=seed) for seed in range(3)]
    for result in results:
        assert result.steps == [50, 100, 150, 200, 250, 300] and len(result.test_score) == 6
        assert result.test_loss[0] > 0.05  # starts near the baseline 1/6
        assert len(result.train_loss) == 6 and result.stop_reason == "300 steps done"
        assert result.flow_init.shape == (11,) and np.isfinite(result.flow_final).all()
    assert np.median([r.test_loss[-1] for r in results]) < 0.3 * task.baseline(10)


def test_unclipped_sgd_diverges_and_clipped_sgd_does_not():
    """The demo's settings on three seeds, fewer steps: the median final loss of each clipping rule
    is far below the memoryless baseline, the unclipped one far above it or not finite."""
    config = ExplodeConfig(steps=100)
    baseline = get_task(config.task).baseline(config.T)
    for name, rule in config.rules().items():
        runs = [train_clipped(rule, config, seed) for seed in range(3)]
        final = np.median([final_loss(losses, config.steps) for losses, _ in runs])
        if name == "none":
            assert not np.isfinite(final) or final > 10 * baseline, final
            assert max(norms.max() for _, norms in runs) > 1e4  # the gradient explodes
        else:
            assert final < 0.5 * baseline, (name, final)
            assert all(len(losses) == config.steps for losses, _ in runs)


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
    assert main(["lab", "explode", "--seeds", "0"]) == 2


def test_explode_command_prints_a_row_per_rule(capsys):
    # the outcomes are the test above; this one only checks the command's table (a tiny run)
    assert main(["lab", "explode", "--steps", "5", "--seeds", "2", "--T", "10", "--hidden", "4"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "median of seeds 0..1" in out[0] and out[1].split()[:3] == ["clipping", "diverged", "final"]
    assert [line.split()[0] for line in out[2:5]] == ["none", "value", "norm"]


def test_plot_checks_matplotlib_before_training(monkeypatch, capsys):
    import unroll._extras
    real = unroll._extras.importlib.util.find_spec
    monkeypatch.setattr(unroll._extras.importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    monkeypatch.setattr("unroll.lab.report.train_cell", lambda *a, **k: pytest.fail("trained before the check"))
    assert main(["lab", "adding", "--plot", "/tmp/nowhere", "--quiet"]) == 2
    assert "unroll[plot]" in capsys.readouterr().err
