"""``sotfit theory interface`` command and the interface figures."""

import csv
import json

import numpy as np
import pytest

from sotfit.cli import main
from sotfit.cli.common import CLIError
from sotfit.cli.theory_interface import parse_map
from sotfit.models.interface.barrier_tb import mixing_conductance_tb, to_house_mixing


def test_barrier_map_cli(tmp_path, capsys):
    out = tmp_path / "gmap"
    rc = main(["theory", "interface", "--model", "barrier", "--fermi-energy=-4eV",
               "--map", "dt=0:1:4,J=log:0.05:2:3", "--out", str(out)])
    assert rc == 0
    rows = list(csv.DictReader(open(out / "map.csv", encoding="utf-8")))
    assert len(rows) == 12
    assert "re_g_mix (1e13 Ohm^-1 m^-2)" in rows[0]
    # the CSV numbers are the model's, in house units
    r = rows[5]
    dt, J = float(r["delta_t (eV)"]), float(r["J (eV)"])
    g = to_house_mixing(mixing_conductance_tb(-4.0, 1.0, 1.0 - dt, J).g_mix, 0.3)
    assert abs(float(r["re_g_mix (1e13 Ohm^-1 m^-2)"]) - g.real) < 1e-9 * abs(g)
    assert abs(float(r["im_g_mix (1e13 Ohm^-1 m^-2)"]) - g.imag) < 1e-9 * abs(g)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["mixing_conductance_unit"] == "1e13 Ohm^-1 m^-2"
    assert summary["k_par_error_estimate"]["value"] < 1e-6
    assert (out / "im_over_re_map.png").exists() and (out / "re_g_vs_delta_t.png").exists()
    # never overwritten silently
    rc = main(["theory", "interface", "--model", "barrier", "--map", "dt=0:1:2,J=0.1:1:2",
               "--out", str(out), "--no-plots"])
    assert rc == 2 and "--overwrite" in capsys.readouterr().err


def test_delta_map_cli(tmp_path):
    out = tmp_path / "dmap"
    rc = main(["theory", "interface", "--model", "delta", "--u-R", "0.4",
               "--map", "u0=0:1:3,u_ex=0.5:2:2", "--out", str(out), "--n-theta", "16",
               "--n-phi", "16"])
    assert rc == 0
    rows = list(csv.DictReader(open(out / "map.csv", encoding="utf-8")))
    assert len(rows) == 6 and all(float(r["re_g_mix (1e13 Ohm^-1 m^-2)"]) > 0 for r in rows)
    assert (out / "re_im_maps.png").exists()


def test_bad_cli_input(tmp_path, capsys):
    with pytest.raises(CLIError, match="unknown"):
        parse_map("x=0:1:3,J=0:1:3", "barrier")
    with pytest.raises(CLIError, match="at least 2"):
        parse_map("dt=0:1:1,J=0:1:3", "barrier")
    with pytest.raises(CLIError, match="missing"):
        parse_map("dt=0:1:3", "barrier")
    with pytest.raises(CLIError, match="positive"):
        parse_map("dt=0:1:3,J=log:0:1:3", "barrier")
    rc = main(["theory", "interface", "--model", "barrier", "--fermi-energy", "7eV",
               "--map", "dt=0:1:2,J=0.1:1:2", "--out", str(tmp_path / "x"), "--no-plots"])
    assert rc == 2 and "outside the band" in capsys.readouterr().err
    rc = main(["theory", "interface", "--model", "barrier", "--map", "dt=0:2:3,J=0.1:1:2",
               "--out", str(tmp_path / "y"), "--no-plots"])
    assert rc == 2 and "t_m" in capsys.readouterr().err


def test_figures_from_arrays(tmp_path):
    from sotfit.plot import save
    from sotfit.plot.interface import ratio_map, re_g_vs_delta_t

    dt = np.linspace(0, 1, 5)
    J = np.array([0.1, 0.5, 1.0])
    g = mixing_conductance_tb(-4.0, 1.0, 1.0 - dt[:, None], J[None, :]).g_mix
    p1 = save(ratio_map(dt, J, g), tmp_path / "a.png")
    p2 = save(re_g_vs_delta_t(dt, J, g.real), tmp_path / "b.png")
    assert p1.stat().st_size > 1000 and p2.stat().st_size > 1000


def test_a_decoupled_monolayer_is_said_not_sent_to_raise_the_order(tmp_path, capsys):
    """t_c = 0 decouples the monolayer (G = 0 exactly); the integration then failed with
    "raise --order", which cannot help."""
    rc = main(["theory", "interface", "--model", "barrier", "--map", "dt=0:0.5:2,J=0.5:1:2",
               "--t-c", "0eV", "--out", str(tmp_path / "tc0"), "--no-plots"])
    err = capsys.readouterr().err
    assert rc == 2 and "G = 0 exactly" in err and "raise --order" not in err


def test_the_ratio_of_an_exactly_vanishing_conductance_is_not_reported(tmp_path, capsys):
    """Without exchange (J = 0) the mixing conductance vanishes exactly: the map computed it as
    rounding (|G| ~ 1e-16) and reported Im G / Re G of 0.09 and -0.07 there. Those cells are NaN
    now; where J != 0 the ratio is Im/Re of the columns written."""
    out = tmp_path / "m"
    assert main(["theory", "interface", "--model", "barrier", "--fermi-energy=-4eV", "--map",
                 "dt=0:1:3,J=0:2:3", "--out", str(out), "--no-figures"]) == 0
    rows = list(csv.DictReader(open(out / "map.csv", encoding="utf-8")))
    for r in rows:
        ratio = float(r["im_over_re"])
        re, im = float(r["re_g_mix (1e13 Ohm^-1 m^-2)"]), float(r["im_g_mix (1e13 Ohm^-1 m^-2)"])
        if float(r["J (eV)"]) == 0:
            assert abs(re) < 1e-12 and np.isnan(ratio)
        else:
            assert ratio == pytest.approx(im / re, rel=1e-9)
    summary = json.loads((out / "summary.json").read_text())
    finite = [float(r["im_over_re"]) for r in rows if float(r["J (eV)"]) != 0]
    assert summary["abs_im_over_re_max"] == pytest.approx(max(map(abs, finite)), rel=1e-9)
    # a grid beyond t0 names the value, not an array
    assert main(["theory", "interface", "--model", "barrier", "--fermi-energy=-4eV", "--map",
                 "dt=0:1.5:3,J=0:2:3", "--out", str(tmp_path / "n")]) == 2
    err = capsys.readouterr().err
    assert "got t_m = -0.5 (the smallest of 9 grid values)" in err and "[[" not in err
    # an option (one value on every grid point) is named as one value, not as a grid's
    assert main(["theory", "interface", "--model", "barrier", "--t-c=-0.2eV", "--map",
                 "dt=0:1:3,J=0.1:1:3", "--out", str(tmp_path / "tc")]) == 2
    err = capsys.readouterr().err
    assert "must be >= 0 (only t_c^2 enters); got -0.2" in err and "grid values" not in err


def test_map_energies_take_units_as_the_other_theory_sweeps(tmp_path):
    """'J=100meV' was refused ('expected a bare number'), where theory kp and tmatrix sweeps
    take units: an energy axis with units, linear, logarithmic or one point, is the same map
    as the bare numbers in eV."""
    tables = {}
    for name, axes in (("bare", "dt=0:0.5:2,J=log:0.02:2:3"),
                       ("units", "dt=0:500meV:2,J=log:20meV:2eV:3"),
                       ("point_bare", "dt=0,J=0.1"), ("point_unit", "dt=0eV,J=100meV")):
        out = tmp_path / name
        assert main(["theory", "interface", "--model", "barrier", "--map", axes,
                     "--out", str(out), "--no-figures"]) == 0
        tables[name] = (out / "map.csv").read_bytes()
    assert tables["units"] == tables["bare"] and tables["point_unit"] == tables["point_bare"]


@pytest.mark.parametrize("model,axes,said", [
    ("barrier", "dt=0:1:3,J=20meV:2:3", "a bare number is in eV"),
    ("barrier", "dt=0:1:3,J=5furlong", "a bare number is in eV"),
    ("delta", "u0=0.5eV,u_ex=1", "no unit: the quantity is dimensionless"),
    ("delta", "u0=0:2:3,u_ex=log:1meV:2meV:3", "no unit: the quantity is dimensionless"),
])
def test_a_map_axis_that_cannot_be_read_says_its_unit(tmp_path, capsys, model, axes, said):
    """'dt=0:500meV:2' was 'start and stop must be numbers', with no word of the unit; a unit
    on a dimensionless axis of the delta barrier is refused, saying it has none."""
    assert main(["theory", "interface", "--model", model, "--map", axes,
                 "--out", str(tmp_path / "o"), "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert "--map" in err and said in err and "Traceback" not in err


def test_the_conductance_of_one_point_is_printed(tmp_path, capsys):
    """The command's G (the number a thickness fit's printed command is run for) was only in
    summary.json; the terminal said 'wrote map.csv'. The delta barrier at u0 = 0, u_ex = 1 is
    ln 2 - i(pi/2 - 1) Sharvin units (seed 004), Im G negative."""
    out = tmp_path / "one"
    assert main(["theory", "interface", "--model", "delta", "--map", "u0=0,u_ex=1",
                 "--out", str(out), "--no-figures"]) == 0
    printed = capsys.readouterr().out
    s = json.loads((out / "summary.json").read_text())
    re_g, im_g = s["re_g_mix"]["value"], s["im_g_mix"]["value"]
    assert im_g < 0
    assert (f"G_mix = {re_g:.6g} - {abs(im_g):.6g}i ({s['mixing_conductance_unit']})"
            in printed)
    assert im_g / re_g == pytest.approx(-(np.pi / 2 - 1) / np.log(2), rel=1e-9)


def test_a_logarithmic_map_axis_is_drawn_on_a_log_scale(tmp_path, monkeypatch):
    """'J=log:...' was drawn on a linear J axis: its small-J half squeezed into the bottom
    cells. The command draws a log-spaced axis on a log scale; a linear one stays linear."""
    import sotfit.plot.interface as figures

    drawn = {}

    def recording(*args, **kwargs):
        fig = ratio_map(*args, **kwargs)
        drawn["scales"] = (fig.axes[0].get_xscale(), fig.axes[0].get_yscale())
        return fig

    ratio_map = figures.ratio_map
    monkeypatch.setattr(figures, "ratio_map", recording)
    for name, axes, scales in (("log", "dt=0:1:2,J=log:0.02:2:3", ("linear", "log")),
                               ("linear", "dt=0:1:2,J=0.02:2:3", ("linear", "linear"))):
        assert main(["theory", "interface", "--model", "barrier", "--map", axes,
                     "--out", str(tmp_path / name)]) == 0
        assert drawn.pop("scales") == scales, name
    assert figures.log_spaced(np.geomspace(0.02, 2, 3))
    assert not figures.log_spaced(np.linspace(0.02, 2, 3))


def test_an_axis_given_twice_is_named(tmp_path):
    """--map dt=0:1:5,dt=0:1:5 (the same axis twice, equal values) was refused as "missing
    ['J']": the message names the repeated axis, and the one not given."""
    for text in ("dt=0:1:5,dt=0:1:5", "dt=0:1:5,dt=0:2:5"):
        with pytest.raises(CLIError, match=r"--map gives dt twice .*name each axis once: dt, J "
                                           r"\(J is not given\)"):
            parse_map(text, "barrier")
    with pytest.raises(CLIError, match=r"gives u0 twice \(u0=1 and u0=1\)"):
        parse_map("u0=1,u_ex=2,u0=1", "delta")


def test_the_terminal_gives_the_range_of_a_map_and_the_value_of_a_point(tmp_path, capsys):
    """The delta barrier's map lost its line 'Re G_mix from ... to ...' and a single barrier
    point gained one (its k_F line was put between the point's line and its else)."""
    assert main(["theory", "interface", "--model", "delta", "--map", "u0=5:10:2,u_ex=1:3:2",
                 "--no-figures", "--out", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert "Re G_mix from" in out and "at k_F = 3 /nm, theta_m = 90 deg, phi_m = 90 deg" in out
    assert main(["theory", "interface", "--model", "barrier", "--fermi-energy", "-4eV", "--map",
                 "dt=0.3,J=0.1", "--no-figures", "--out", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "G_mix = " in out and "Re G_mix from" not in out
