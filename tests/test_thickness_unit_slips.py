"""Unit slips of a thickness table that gave numbers far from the truth with exit 0 and no flag
on them, each a unit read wrong in the bundled NiFe/BiSb table (data/thickness_example):

* the resistivity in uOhm m, as seed 003 prints BiSb's 350.3 uOhm cm: sigma_s and G 100 times
  off (Re G 0.000212 for 0.023);
* thicknesses in Angstrom headed nm: lambda_s = 261 nm for 24.8;
* xi^E in 1e5 S/m headed S/m: sigma_s = 4 S/m;
* dimensionless xi in percent without a '%': sigma_s 413 for 3.68, a warning on the terminal
  only, nothing in summary.json.

Each now flags every quantity of the summary, naming the unit to check; the table as written
gets none of these flags."""

import json

import numpy as np
import pytest

from sotfit.analysis.thickness.summary import (RESISTIVITY_MAX, SPIN_DIFFUSION_LENGTH_MAX,
                                               SPIN_DIFFUSION_LENGTH_MIN,
                                               SPIN_HALL_CONDUCTIVITY_MIN)
from sotfit.cli import main
from sotfit.models.sot import xi_from_xi_e

from bundled import ROOT

NIFE = ROOT / "data" / "thickness_example" / "nife_bisb.csv"
HEAD = "thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)," \
       "xi_e_fl (1e5 Ohm^-1 m^-1),xi_e_fl_stderr (1e5 Ohm^-1 m^-1)"


def _rows():
    return np.loadtxt(NIFE, delimiter=",", comments="#", skiprows=7)


def _write(path, header, rows, resistivity="350.3 uOhm cm", fmt="{:.6g}"):
    body = "\n".join(",".join(fmt.format(v) for v in r) for r in rows)
    path.write_text(f"# resistivity: {resistivity}\n{header}\n{body}\n")
    return path


def _slip(tmp_path, which):
    rows = _rows()
    if which == "uOhm m":
        return _write(tmp_path / "t.csv", HEAD, rows, resistivity="350.3 uOhm m")
    if which == "Angstrom":
        rows[:, 0] *= 10.0
        return _write(tmp_path / "t.csv", HEAD, rows)
    if which == "1e5 S/m":
        return _write(tmp_path / "t.csv", HEAD.replace("1e5 Ohm^-1 m^-1", "S/m"), rows)
    if which == "percent":
        xi = rows.copy()
        xi[:, 1:] = 100 * xi_from_xi_e(rows[:, 1:], 350.3)
        return _write(tmp_path / "t.csv", "thickness (nm),xi_dl,xi_dl_err,xi_fl,xi_fl_err", xi)
    return _write(tmp_path / "t.csv", HEAD, rows)


SAID = {"uOhm m": f"above {RESISTIVITY_MAX:g} uOhm cm",
        "Angstrom": f"beyond the {SPIN_DIFFUSION_LENGTH_MAX:g} nm of any spin source",
        "1e5 S/m": f"is below {SPIN_HALL_CONDUCTIVITY_MIN:g}",
        "percent": "if the column is in percent, label it"}


def _summary(tmp_path, path, name):
    out = tmp_path / name
    assert main(["thickness", str(path), "--joint", "--no-figures", "--out", str(out)]) == 0
    return json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize("which", list(SAID))
def test_a_unit_slip_of_a_thickness_table_flags_the_summary(tmp_path, which):
    folder = tmp_path / "in"
    folder.mkdir()
    s = _summary(tmp_path, _slip(folder, which), "out")
    for k in ("spin_hall_conductivity", "spin_diffusion_length", "re_g_mix", "im_g_mix"):
        assert any(SAID[which] in f for f in s[k].get("flags", [])), (k, s[k])


def test_the_table_as_written_has_none_of_these_flags(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    s = _summary(tmp_path, _slip(folder, None), "out")
    flags = " | ".join(s.get("flags", [])) if isinstance(s.get("flags"), list) else json.dumps(s)
    assert not any(said in flags for said in SAID.values())
    assert s["spin_diffusion_length"]["value"] == pytest.approx(24.8, rel=0.2)


def test_a_resistivity_no_spin_source_has_is_refused_naming_where_it_was_read(tmp_path, capsys):
    """'# resistivity: 350.3 Ohm m' (1e8 times BiSb's) ended in 'every least-squares start
    failed ... widen them with bounds={'resistivity': ...}', a keyword of the Python fit, with
    no word of the header."""
    folder = tmp_path / "in"
    folder.mkdir()
    path = _write(folder / "t.csv", HEAD, _rows(), resistivity="350.3 Ohm m")
    assert main(["thickness", str(path), "--joint", "--no-figures",
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "the resistivity from the header (3.503e+10 uOhm cm = 350.3 Ohm m)" in err
    assert "bounds=" not in err


def test_a_units_row_above_a_column_of_text(tmp_path):
    """Origin's units row below the names, with a column of remarks beside the numbers (its
    unit cell empty): the units row was not seen ('column thickness holds text ... nm')."""
    folder = tmp_path / "in"
    folder.mkdir()
    rows = _rows()
    unit = "1e5 Ohm^-1 m^-1"
    lines = ["# resistivity: 350.3 uOhm cm",
             "thickness,xi_e_dl,xi_e_dl_stderr,xi_e_fl,xi_e_fl_stderr,comment",
             f"nm,{unit},{unit},{unit},{unit},"]
    lines += [",".join(f"{v:.6g}" for v in r) + ("," + ("ok" if i % 3 == 1 else ""))
              for i, r in enumerate(rows)]
    (folder / "origin.csv").write_text("\n".join(lines) + "\n")
    plain = _write(folder / "plain.csv", HEAD, rows)
    a = _summary(tmp_path, folder / "origin.csv", "origin")
    b = _summary(tmp_path, plain, "plain")
    for k in ("spin_hall_conductivity", "spin_diffusion_length", "re_g_mix", "im_g_mix"):
        assert a[k]["value"] == pytest.approx(b[k]["value"], rel=1e-9)


def test_a_torque_field_per_electric_field_names_the_conversion(tmp_path, capsys):
    """'mu0H_DL/E (T m/V)' was an unknown unit whose advice (--column-unit ROLE=UNIT) led to a
    list of 90 units, none a field per electric field."""
    folder = tmp_path / "in"
    folder.mkdir()
    head = HEAD.replace("xi_e_dl (1e5 Ohm^-1 m^-1)", "mu0H_DL/E (T m/V)")
    path = _write(folder / "t.csv", head, _rows())
    assert main(["thickness", str(path), "--no-figures", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "looks like a torque field per electric field" in err
    assert "xi^E = (2e/hbar) M_s t_FM (mu0 H) / E" in err


@pytest.mark.slow
def test_a_topological_insulators_resistivity_and_large_fractions_are_not_flagged(tmp_path):
    """A compensated topological-insulator film of 15 000 uOhm cm was flagged in every
    quantity at a limit of 1e4; fractions above 1 labelled '(1)' are read as fractions."""
    folder = tmp_path / "in"
    folder.mkdir()
    s = _summary(tmp_path, _write(folder / "ti.csv", HEAD, _rows(), resistivity="15000 uOhm cm"),
                 "ti")
    assert not any(SAID["uOhm m"] in f for k in ("resistivity", "spin_hall_conductivity")
                   for f in s[k].get("flags", []))
    xi = _rows()
    xi[:, 1:] = 20 * xi_from_xi_e(xi[:, 1:], 350.3)          # fractions up to about 2
    path = _write(folder / "large.csv",
                  "thickness (nm),xi_dl (1),xi_dl_err (1),xi_fl (1),xi_fl_err (1)", xi)
    s = _summary(tmp_path, path, "large")
    assert not any(SAID["percent"] in f for f in s["spin_hall_conductivity"].get("flags", []))


def test_thicknesses_in_nm_headed_angstrom_flag_a_length_below_one_atomic_layer(tmp_path):
    """A Pt-like series (lambda_s 1.8 nm, transparent interface: xi^E_DL = sigma_s (1 -
    sech(t/lambda_s)), seed 003 eq. (1) with G large) written in nm under 'thickness (A)':
    lambda_s came out 0.18 nm, below one atomic layer, with no flag on it."""
    t = np.linspace(1.0, 10.0, 10)
    rng = np.random.default_rng(4)
    xi = 4.0 * (1.0 - 1.0 / np.cosh(t / 1.8))
    err = 0.03 * xi + 0.01
    rows = np.column_stack([t, xi + rng.normal(0.0, err), err])
    unit = "1e5 Ohm^-1 m^-1"
    folder = tmp_path / "in"
    folder.mkdir()
    out = {}
    for name, head in (("nm", "thickness (nm)"), ("A", "thickness (Angstrom)")):
        path = _write(folder / f"pt_{name}.csv",
                      f"{head},xi_e_dl ({unit}),xi_e_dl_stderr ({unit})", rows,
                      resistivity="45 uOhm cm")
        o = tmp_path / f"out_{name}"
        assert main(["thickness", str(path), "--no-figures", "--out", str(o)]) == 0
        out[name] = json.loads((o / "summary.json").read_text())
    length = out["A"]["spin_diffusion_length"]
    assert length["value"] < SPIN_DIFFUSION_LENGTH_MIN
    assert any("below one atomic layer" in f for f in length.get("flags", []))
    right = out["nm"]["spin_diffusion_length"]
    assert abs(right["value"] - 1.8) < 3 * right["stderr"]
    assert not any("atomic layer" in f for f in right.get("flags", []))


def test_a_short_spin_diffusion_length_in_angstrom_headed_nm_is_flagged(tmp_path):
    """A Pt-like series (lambda_s 6 nm, 1-30 nm) written in Angstrom under 'thickness (nm)':
    lambda_s 60.8 nm and Re G, Im G 34 and 28 standard errors off, below the 100 nm bound and
    unflagged, since the fit depends on t / lambda_s and lambda_s G only. The thinnest layer,
    10 nm, and lambda_s beyond 10 nm together now flag it; the table in nm is not flagged."""
    from sotfit.models.drift_diffusion import xi_e_dl, xi_e_fl

    t = np.array([1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30.0])
    truth = (4.0, 6.0, 3.0, 1.0, 100.0)
    rng = np.random.default_rng(1)
    cols = []
    for f in (xi_e_dl, xi_e_fl):
        y = f(t, *truth)
        err = 0.04 * np.abs(y) + 0.005
        cols += [y + rng.normal(0, err), err]
    rows = np.column_stack([t, *cols])
    folder = tmp_path / "in"
    folder.mkdir()
    said = "the thinnest spin-source layer is"
    right = _summary(tmp_path, _write(folder / "nm.csv", HEAD, rows, "100 uOhm cm"), "nm")
    assert right["spin_diffusion_length"]["value"] == pytest.approx(6.0, rel=0.15)
    assert not any(said in f for f in right["spin_diffusion_length"].get("flags", []))
    rows[:, 0] *= 10
    slip = _summary(tmp_path, _write(folder / "ang.csv", HEAD, rows, "100 uOhm cm"), "ang")
    assert slip["spin_diffusion_length"]["value"] == pytest.approx(60, rel=0.15)
    for k in ("spin_hall_conductivity", "spin_diffusion_length", "re_g_mix", "im_g_mix"):
        assert any(f"{said} 10 nm and lambda_s" in f and "Angstrom" in f
                   for f in slip[k].get("flags", [])), (k, slip[k])
    assert not any(said in f for f in slip["resistivity"].get("flags", []))     # given


def test_a_bisb_series_from_10_nm_is_not_taken_for_angstrom(tmp_path):
    """The bundled NiFe/BiSb table without its 6 and 8 nm rows starts at 10 nm, with lambda_s
    25 nm (its truth 24.8): a real spin source's series, not flagged as Angstrom headed nm
    (it was, at a 10 nm bound on lambda_s, and --strict exited 3)."""
    rows = _rows()
    rows = rows[rows[:, 0] >= 10]
    folder = tmp_path / "in"
    folder.mkdir()
    s = _summary(tmp_path, _write(folder / "from10.csv", HEAD, rows), "out")
    assert s["spin_diffusion_length"]["value"] == pytest.approx(24.8, rel=0.2)
    assert not any("the thinnest spin-source layer" in f
                   for f in s["spin_diffusion_length"].get("flags", []))
