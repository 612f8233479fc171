"""Sweeps as Dask tasks: results in order, the ESN search = the documented benchmark's search, the commands."""
import importlib.util
import re
import types
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")

from unroll.cli import main  # noqa: E402
from unroll.distributed import connect, map_tasks  # noqa: E402
from unroll.errors import InvalidValueError  # noqa: E402
from unroll.distributed.esn_search import PROTOCOL, START, esn_search  # noqa: E402

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "esn_mackey_glass.py"
SMALL = {**PROTOCOL, "units": 60, "train": 200, "washout": 50, "val_trials": 4}


def _square(x):
    return x * x


def test_map_tasks_returns_results_in_job_order(client):
    jobs = list(range(12))[::-1]
    assert map_tasks(_square, jobs, client, progress=False) == [j * j for j in jobs]
    assert map_tasks(_square, jobs, None, progress=False) == [j * j for j in jobs]


def _bench_tune(capsys, configs, networks):
    """The benchmark's `tune` on SMALL from START: its printed score per step."""
    spec = importlib.util.spec_from_file_location("esn_mackey_glass", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    args = types.SimpleNamespace(**{**SMALL, **START, "trials": 100, "configs": configs, "networks": networks,
                                    "search_seed": 0})
    capsys.readouterr()
    bench.tune(args)
    return [float(s) for s in re.findall(r"validation NRMSE84 (\S+)", capsys.readouterr().out)]


def test_the_search_on_workers_reproduces_the_benchmark_search(client, capsys):
    """Same draws, same scores, same best: speculation (3 points at once) changes nothing."""
    rows = esn_search(SMALL, START, configs=6, networks=2, client=client, lookahead=3, progress=False)
    here = esn_search(SMALL, START, configs=6, networks=2, client=None, progress=False)
    assert [r["point"] for r in rows] == [r["point"] for r in here]
    np.testing.assert_array_equal([r["score"] for r in rows], [r["score"] for r in here])
    assert len(rows) == 7 and rows[0]["step"] == -1
    assert sum(r["accepted"] for r in rows) >= 2  # an acceptance happened, so a redraw was exercised
    expected = _bench_tune(capsys, 6, 2)
    assert [float(f"{r['score']:.3g}") for r in rows] == expected


def test_esn_search_command_prints_one_table(capsys):
    code = main(["esn", "search", "--units", "60", "--train", "200", "--warmup", "50", "--val-trials", "4",
                 "--configs", "2", "--networks", "1", "--scheduler", "none", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("\n") >= 5 and "start" in out and "unroll esn mackey-glass --mode feedback --units 60" in out
    assert main(["esn", "lorenz", "--configs", "3"]) == 2
    assert "--configs: expected only with 'unroll esn search'" in capsys.readouterr().err


def test_lab_explode_on_a_scheduler_address_prints_the_same_table(client, capsys):
    flags = ["lab", "explode", "--steps", "20", "--T", "10", "--hidden", "8", "--seeds", "2", "--quiet"]
    assert main(flags) == 0
    here = capsys.readouterr().out
    assert main(flags + ["--scheduler", client.scheduler.address]) == 0
    there = capsys.readouterr().out
    assert here == there and "clipping" in here


def test_a_wrong_scheduler_is_named():
    with pytest.raises(InvalidValueError, match="could not connect to 'tcp://127.0.0.1:1'"):
        with connect("tcp://127.0.0.1:1", timeout=1):
            pass
    with pytest.raises(InvalidValueError, match="expected 'local' or a scheduler address"):
        with connect(8786):
            pass
