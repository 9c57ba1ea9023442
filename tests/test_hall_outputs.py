"""What `sotfit hall` writes beside the numbers: parameters.csv as summary.json, the report's
labels and the figures of method (a)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sotfit.analysis.hall import HallResult
from sotfit.cli import main

EX = Path(__file__).resolve().parents[1] / "data" / "hall_example" / "inplane"


def test_parameters_csv_writes_no_stderr_for_a_value_given_as_summary_json(tmp_path):
    """--r-ahe and --meff are given: summary.json wrote stderr null, parameters.csv 0.0, which a
    reader cannot tell from an exact fit. Both leave it out now; fitted values agree."""
    out = tmp_path / "o"
    assert main(["hall", *map(str, sorted(EX.glob("phi_*.csv"))), "--method", "avci",
                 "--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms",
                 "--r2w-channel", "X", "--gain-2w", "10", "--meff", "0.8T", "--r-ahe", "0.8Ohm",
                 "--no-figures", "--out", str(out)]) == 0
    q = json.loads((out / "summary.json").read_text())["quantities"]
    rows = pd.read_csv(out / "parameters.csv").set_index("name")
    for name in ("r_ahe", "mu0_hk_eff"):
        assert q[name]["stderr"] is None
        assert np.isnan(rows.loc[name, "stderr"])      # an empty cell
    for name in ("r_phe", "mu0_h_dl", "mu0_h_fl_oe"):
        assert rows.loc[name, "stderr"] == q[name]["stderr"] > 0


def test_the_oersted_field_is_labelled_computed_not_given():
    """mu0_h_oe is computed from the current, its fraction and the width: the report called it
    '(given)'."""
    text = HallResult("avci", {"mu0_h_oe": -2.488e-4, "r_ahe": 0.6}, [], [], [], {}, {}).report()
    assert "mu0_h_oe = -0.0002488 T (computed from the current" in text
    assert "r_ahe = 0.6 Ohm (given)" in text


class _Fit:
    def __init__(self, a_cos, a_fl):
        self.a = {"a_cos": a_cos, "a_fl": a_fl}

    def value(self, name):
        return self.a[name]

    def evaluate(self, x):
        c = np.cos(np.radians(x))
        return self.a["a_cos"] * c + self.a["a_fl"] * (2 * c ** 3 - c)


def test_avci_r2w_figure_labels_its_right_panel_and_gives_each_rotation_its_colour():
    """The right panel had no y label, and beyond 10 rotations the colours repeated (30 mT and
    -50 mT of one set the same blue)."""
    from matplotlib.colors import to_rgba
    from uncertainties import ufloat

    from sotfit.data import Dataset
    from sotfit.io.hall import HallScan
    from sotfit.plot.hall import plot_avci

    phi = np.arange(0.0, 360.0, 10.0)
    scans, fits = [], {}
    for i in range(12):
        meta = {"source": f"rot{i}", "field": 0.01 * (i + 1)}
        d = Dataset(phi, np.cos(np.radians(phi)) * 1e-4 / (i + 1), meta=meta)
        scans.append(HallScan(d, d, "phi", meta))
        fits[f"r2w:rot{i}"] = _Fit(1e-4 / (i + 1), 1e-5 / (i + 1))
    result = HallResult("avci", {"phi0": ufloat(0.0, 0.1)}, [], [], [], fits, {})
    fig = plot_avci(result, scans)["avci_r2w"]
    left, right = fig.axes
    assert right.get_ylabel() == "part of R_2w (mOhm)"
    colours = {tuple(np.round(to_rgba(ln.get_color()), 6)) for ln in left.get_lines()}
    assert len(colours) == 12
