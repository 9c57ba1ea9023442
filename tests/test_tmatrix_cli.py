"""``sotfit theory tmatrix``: files with units, figures, bad input, no silent overwrite."""

import csv
import json
import math

import numpy as np
import pytest

from sotfit.cli import main
from sotfit.models.tmatrix import RashbaFerromagnet, response


def test_energy_sweep_writes_table_summary_and_figure(tmp_path, capsys):
    out = tmp_path / "fig3"
    rc = main(["theory", "tmatrix", "--exchange", "4.8meV", "--theta", "30deg",
               "--sweep", "energy=3meV:9meV:4", "--out", str(out)])
    assert rc == 0
    rows = list(csv.DictReader(open(out / "efficiencies.csv")))
    assert len(rows) == 4 and "tau1_o (1/(A m))" in rows[0] and "theta (deg)" in rows[0]
    summ = json.loads((out / "summary.json").read_text())
    assert summ["parameters"]["exchange"] == {"value": 0.0048, "unit": "eV"}
    # what the numbers are, as theory kp says of its own (spin unit, normalisation, the ratio)
    assert all(w in summ["conventions"] for w in ("Pauli", "K sigma^-1", "K/sigma_xx",
                                                  "dl_fl_ratio = tau_1^e/tau_1^o"))
    assert (out / "energy_sweep.png").stat().st_size > 1000
    # the table holds the physics of the library call at the same point
    r = response(RashbaFerromagnet(fermi_energy=0.005, exchange=0.0048, alpha=0.017,
                                   theta=math.radians(30), u=1.8, radius=0.2, density=5e-4))
    assert float(rows[1]["tau1_o (1/(A m))"]) == pytest.approx(r.torques()["tau1_o"], rel=1e-8)
    assert "points" in capsys.readouterr().out
    # no silent overwrite
    assert main(["theory", "tmatrix", "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err


def test_map_and_angle_sweep(tmp_path):
    out = tmp_path / "map"
    assert main(["theory", "tmatrix", "--sweep", "energy=4meV:8meV:3", "--sweep",
                 "angle=10deg:170deg:4", "--alpha", "1.7e-11eVm", "--density", "5e14/m2",
                 "--out", str(out), "--no-figures"]) == 0
    rows = list(csv.DictReader(open(out / "efficiencies.csv")))
    assert len(rows) == 12
    out2 = tmp_path / "fig4"
    assert main(["theory", "tmatrix", "--fermi-energy", "4.5meV", "--sweep",
                 "angle=20deg:70deg:6", "--out", str(out2)]) == 0
    summ = json.loads((out2 / "summary.json").read_text())
    assert summ["critical_angle"]["value"] == pytest.approx(42.79, abs=0.05)
    assert (out2 / "angle_sweep.png").exists()


@pytest.mark.parametrize("argv,msg", [
    (["--fermi-energy=-20meV"], "below the bottom"),
    (["--density", "0.5/nm2"], "non-dilute"),
    (["--radius", "2nm"], "cutoff"),
    # said 'non-positive scattering rate on the Fermi surface', naming no option
    (["--u", "0eV"], "--u 0eV: impurities that do not scatter"),
])
def test_bad_input_is_a_clear_error(tmp_path, capsys, argv, msg):
    assert main(["theory", "tmatrix", *argv, "--out", str(tmp_path / "x")]) == 2
    assert msg in capsys.readouterr().err


def test_unit_errors_in_arguments(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["theory", "tmatrix", "--alpha", "17", "--out", str(tmp_path / "y")])
    assert "give a unit" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["theory", "tmatrix", "--sweep", "energy=1:2", "--out", str(tmp_path / "y")])


def test_plot_functions_return_figures():
    from sotfit.models.tmatrix.batch import efficiency_map
    from sotfit.plot.tmatrix import angle_sweep_figure, energy_sweep_figure, map_figure

    r = efficiency_map(np.array([4e-3, 6e-3]), np.radians([20.0, 60.0]), exchange=0.005,
                       alpha=0.017, u=1.8, radius=0.2, density=5e-4)
    for fig in (map_figure(r), angle_sweep_figure({**r, "tau1_o": r["tau1_o"][0],
                                                    "tau1_e": r["tau1_e"][0],
                                                    "tau2_e": r["tau2_e"][0]}),
                energy_sweep_figure({**r, "K_J": r["K_J"][:, 0], "K": r["K"][:, 0]})):
        assert fig.axes


def test_map_writes_figure_and_never_overwrites_silently(tmp_path, capsys, monkeypatch):
    # A 2D sweep writes map.png (FL efficiency and DL/FL ratio over angle x Fermi energy, with
    # the band bottoms drawn) and the band bottoms per angle in summary.json. The second band
    # appears in the table exactly above the upper band bottom (the spin-gap edge, where the
    # efficiencies jump); at theta = 0 that edge is Delta_xc and the lower band bottom -Delta_xc.
    out = tmp_path / "map"
    argv = ["theory", "tmatrix", "--exchange", "5meV", "--sweep", "energy=1meV:9meV:9",
            "--sweep", "angle=0deg:80deg:5", "--out", str(out)]
    assert main(argv) == 0
    png = out / "map.png"
    assert png.stat().st_size > 10000
    summ = json.loads((out / "summary.json").read_text())
    assert "map.png" in summ["files"]
    upper = np.array(summ["band_edges"]["upper"])
    lower = np.array(summ["band_edges"]["lower"])
    assert upper[0] == pytest.approx(5.0, rel=1e-6) and lower[0] == pytest.approx(-5.0, rel=1e-6)
    assert np.all(np.diff(upper) < 0)  # the spin gap shrinks as m tilts into the plane
    rows = list(csv.DictReader(open(out / "efficiencies.csv")))
    thetas = summ["thetas"]["values"]
    n_valid = 0
    for row in rows:
        j = thetas.index(float(row["theta (deg)"]))
        eps = float(row["fermi_energy (meV)"])
        if eps == 5.0 and j == 0:
            # Fermi level exactly at the upper band bottom: a ring of zero size, the limit of a
            # non-dilute point: masked, not a failure of the whole map
            assert row["valid"] == "False" and math.isnan(float(row["tau1_o (1/(A m))"]))
            continue
        if row["valid"] == "True":
            n_valid += 1
            assert int(row["n_bands"]) == (2 if eps > upper[j] else 1), row
    assert n_valid >= 40
    before = png.read_bytes()
    capsys.readouterr()

    # refused before any computation, files untouched
    def no_compute(*a, **k):
        raise AssertionError("computed although the output folder is occupied")

    monkeypatch.setattr("sotfit.models.tmatrix.batch.efficiency_map", no_compute)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "exists" in err and "--overwrite" in err
    assert png.read_bytes() == before
    monkeypatch.undo()
    # --overwrite replaces what sotfit wrote, and never a file it did not write
    argv2 = argv[:-4] + ["--sweep", "angle=10deg:50deg:3", "--out", str(out), "--overwrite"]
    (out / "stale.txt").write_text("old")
    assert main(argv2) == 2 and "stale.txt" in capsys.readouterr().err
    assert (out / "stale.txt").read_text() == "old"
    (out / "stale.txt").unlink()
    assert main(argv2) == 0
    assert png.exists()
    assert len(json.loads((out / "summary.json").read_text())["thetas"]["values"]) == 3


def test_a_bare_angle_sweep_is_degrees(tmp_path, capsys):
    """docs/CONVENTIONS.md: bare angles are degrees, as --theta takes them; 'angle=30:60:2' was
    refused. A bare number that looks like radians is refused as for --theta."""
    bare, unit = tmp_path / "bare", tmp_path / "unit"
    args = ["theory", "tmatrix", "--sweep", "energy=3meV:5meV:2", "--no-figures"]
    assert main([*args, "--sweep", "angle=30:60:2", "--out", str(bare)]) == 0
    assert main([*args, "--sweep", "angle=30deg:60deg:2", "--out", str(unit)]) == 0
    assert (bare / "efficiencies.csv").read_text() == (unit / "efficiencies.csv").read_text()
    with pytest.raises(SystemExit):
        main([*args, "--sweep", "angle=0.5236:1.0472:2", "--out", str(tmp_path / "rad")])
    assert "looks like an angle in radians" in capsys.readouterr().err


def test_an_energy_sweep_across_the_band_bottom_leaves_the_points_below_blank(tmp_path, capsys):
    """--sweep energy=-50meV:20meV:8 from below the lower band (-5 meV at theta = 0) was refused
    whole ('point 0 ... lies below the bottom of the lower band'); the points below the band
    are now left blank and counted, and the others equal a sweep that starts above the band."""
    out = tmp_path / "across"
    assert main(["theory", "tmatrix", "--sweep", "energy=-50meV:20meV:8", "--out", str(out),
                 "--no-figures"]) == 0
    assert "5 point(s) below the bottom of the lower band" in capsys.readouterr().out
    rows = list(csv.DictReader(open(out / "efficiencies.csv")))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["points_below_band"] == 5
    lower = summary["band_edges"]["lower"][0]
    for row in rows:
        e = float(row["fermi_energy (meV)"])
        assert (e < lower) == (row["n_bands"] == "0"), row
        if e < lower:
            assert math.isnan(float(row["tau1_e (1/(A m))"]))
    above = tmp_path / "above"
    assert main(["theory", "tmatrix", "--sweep", "energy=0meV:20meV:3", "--out", str(above),
                 "--no-figures"]) == 0
    ref = list(csv.DictReader(open(above / "efficiencies.csv")))
    assert [float(r["tau1_e (1/(A m))"]) for r in rows[-3:]] == pytest.approx(
        [float(r["tau1_e (1/(A m))"]) for r in ref], rel=1e-12)
    # every energy below the band: refused, naming the band bottom
    assert main(["theory", "tmatrix", "--sweep", "energy=-50meV:-20meV:3", "--out",
                 str(tmp_path / "below"), "--no-figures"]) == 2
    assert "every Fermi energy lies below the bottom of the lower band (at -5 meV" in \
        capsys.readouterr().err


def test_a_map_over_the_plane_and_z_flags_only_the_points_without_any_efficiency(tmp_path):
    """A map with theta = 0 and 90 deg lumped the theta = 0 points (tau_2 alone undefined) into
    the flag 'have no efficiency at theta = 0, 90 deg': they are a note, the in-plane points
    the flag."""
    out = tmp_path / "m"
    assert main(["theory", "tmatrix", "--sweep", "energy=2meV:8meV:3", "--sweep",
                 "angle=0deg:90deg:4", "--out", str(out), "--no-figures"]) == 0
    entry = json.loads((out / "summary.json").read_text())["undefined_efficiencies"]
    assert entry["flags"] == [entry["flags"][0]] and "no efficiency" in entry["flags"][0]
    assert "at theta = 90 deg" in entry["flags"][0] and "3 point(s)" in entry["flags"][0]
    assert "no tau2_e, tau2_o" in entry["note"] and "at theta = 0 deg" in entry["note"]
