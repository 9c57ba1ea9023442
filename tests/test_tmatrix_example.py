"""examples/tmatrix_rashba.py runs, writes its figures and reproduces seed 002 Figs. 3-4 features."""

import importlib.util
import json
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tmatrix_rashba.py"


def test_example_runs_and_reproduces_figure_features(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("tmatrix_rashba_example", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "ex"
    assert mod.main(["--out", str(out)]) == 0
    for name in ("fig3a_energy_sweep.png", "fig4a_angle_sweep.png", "map.png"):
        assert (out / name).stat().st_size > 10000
    s = json.loads((out / "summary.json").read_text())
    f3, f4 = s["fig3a"], s["fig4a"]
    # Fig. 3a: ~7 % in the gap with K/sigma_xx, none with the full sigma^-1; jump at the edge
    assert 0.05 < f3["max_in_gap_dl_fl_longitudinal"] < 0.09
    assert f3["max_in_gap_dl_fl_tensor"] < 1e-10
    assert abs(f3["dl_fl_longitudinal_just_below_edge"]) > 3 * abs(
        f3["dl_fl_longitudinal_just_above_edge"])
    # Fig. 4a: critical angle, symmetry about pi/2, periodicity pi
    assert f4["critical_angle_deg"] == pytest.approx(42.79, abs=0.05)
    assert f4["max_asymmetry_about_90deg"] < 1e-8
    assert f4["max_change_under_m_to_minus_m"] < 1e-6
    # first Born: no damping-like torque
    born = s["dl_fl_ratio_at_5.5meV_60deg"]
    assert abs(born["born"]) < 1e-10 * abs(born["tmatrix"])
    assert "critical angle 42.79 deg" in capsys.readouterr().out
    # no silent overwrite
    assert mod.main(["--out", str(out), "--no-figures"]) == 2
