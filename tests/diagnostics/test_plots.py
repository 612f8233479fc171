"""The plots write PNGs, and without matplotlib they fail with the error that names the 'plot' extra."""
import sys

import numpy as np
import pytest

from unroll._extras import MissingExtraError
from unroll.diagnostics import plots


def test_a_plot_writes_its_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = plots.plot_gradient_flow({"rnn": 0.5 ** np.arange(6.0)}, str(tmp_path / "flow.png"))
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_missing_matplotlib_names_the_plot_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what an environment without it looks like to import
    with pytest.raises(MissingExtraError, match=r"pip install 'unroll\[plot\]'"):
        plots.plot_saliency({"rnn": np.ones(4)}, str(tmp_path / "saliency.png"))
    assert not (tmp_path / "saliency.png").exists()
