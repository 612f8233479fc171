"""`unroll classic`: every demo runs on small sizes and ends with its headline lines."""
import pytest

from unroll.cli import main


def _headlines(capsys, argv):
    assert main(["classic"] + argv) == 0
    return capsys.readouterr().out.strip().splitlines()


def test_hopfield_demo(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    lines = _headlines(capsys, ["hopfield", "--units", "60", "--trials", "1", "--plot", str(tmp_path)])
    assert lines[-4].startswith("hebbian critical load: ") and lines[-4].endswith("(N=60)")
    assert lines[-1] == "letters completed from 20% noise: 6/6"
    assert (tmp_path / "hopfield_capacity.png").exists() and (tmp_path / "hopfield_letters.png").exists()


def test_boltzmann_and_competitive_demos(capsys):
    assert _headlines(capsys, ["boltzmann", "--runs", "1"])[-1].startswith("encoder 4-2-4 solved: ")
    lines = _headlines(capsys, ["competitive", "--units", "10"])
    assert lines[-2].startswith("dead units without conscience: ") and lines[-1].startswith("dead units with conscience: ")


def test_som_demo(capsys):
    pytest.importorskip("sklearn")
    lines = _headlines(capsys, ["som", "--iterations", "500"])
    assert lines[-2].startswith("som quantization error: ") and lines[-1].startswith("som topographic error: ")


def test_bad_arguments_are_one_line(capsys):
    assert main(["classic", "hopfield", "--units", "0"]) == 2
    assert "expected >= 1" in capsys.readouterr().err
    with pytest.raises(SystemExit) as err:
        main(["classic", "nope"])
    assert err.value.code == 2
