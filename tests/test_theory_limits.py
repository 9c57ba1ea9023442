"""The theory commands against limits derived apart from their code: the Edelstein density of
the Rashba gas, the delta barrier's Sharvin limit, transparency and closed form, the T-matrix
command's Born-limit Edelstein response; and a rounding zero that the ray check flagged."""

import csv
import json
import math

import numpy as np
import pytest

from sotfit.cli import main

HBAR_EV_PS = 6.582119569e-4      # hbar, eV ps
HBAR2_OVER_ME = 0.0761996424     # hbar^2/m_e, eV nm^2


def _rows(path):
    return list(csv.DictReader(open(path)))


def test_kp_rashba_gas_gives_the_edelstein_density(tmp_path):
    """Both Rashba bands occupied, J_ex = 0, T = 0: S_y/E = -e tau m alpha_R/(4 pi hbar^3)
    (Pauli spin; alpha_R of the splitting alpha_R k), from k_+ - k_- = -m alpha_R/hbar^2 and
    the relaxation-time f1: -15.866 per V nm at 10 meV nm, m_e, 1 ps."""
    out = tmp_path / "e"
    assert main(["theory", "kp", "--model", "2deg", "--j-ex", "0meV", "--alpha-r", "10meVnm",
                 "--m-eff", "1", "--tau", "1ps", "--sweep", "mu=10meV:20meV:2", "--n-phi", "8",
                 "--no-figures", "--out", str(out)]) == 0
    want = -(1 / HBAR_EV_PS) * (0.01 / HBAR2_OVER_ME) / (4 * math.pi)
    for r in _rows(out / "spin_density.csv"):
        assert float(r["surface_y (1/(V nm))"]) == pytest.approx(want, rel=1e-6)
        assert abs(float(r["sea_y (1/(V nm))"])) < 1e-9


@pytest.mark.parametrize("u_ex, want", [(0.0, 1.0), (1.0, math.log(2) - 1j * (math.pi / 2 - 1))])
def test_delta_barrier_sharvin_limit_and_closed_form(tmp_path, u_ex, want):
    """u0 = 0: no exchange gives G = G_Sh = (e^2/h) k_F^2/(4 pi) per spin; u_ex = 1 gives
    G/G_Sh = ln 2 - i (pi/2 - 1)."""
    out = tmp_path / "d"
    assert main(["theory", "interface", "--model", "delta", "--map", f"u0=0,u_ex={u_ex}",
                 "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text())
    g_sh = 7.748091729e-5 / 2 * 3e9**2 / (4 * math.pi) / 1e13
    assert s["sharvin_per_spin"]["value"] == pytest.approx(g_sh, rel=1e-9)
    g = complex(s["re_g_mix"]["value"], s["im_g_mix"]["value"]) / g_sh
    assert g.real == pytest.approx(want.real, rel=1e-5) and g.imag == pytest.approx(
        want.imag, rel=1e-5, abs=1e-12)


def test_delta_barrier_transparency_is_the_textbook_one():
    """|t|^2 = 1/(1 + (u0/cos theta)^2) for V = (hbar^2 k_F/m) u0 delta(z)."""
    from sotfit.models.interface.delta_scattering import _khat, reflection_transmission

    for theta in (0.0, 0.5, 1.2):
        for u0 in (0.5, 2.0):
            _, t = reflection_transmission(_khat(theta, 0.3), u0, 0.0, 0.0)
            trans = np.real(np.trace(np.conj(t).T @ t)) / 2
            assert trans == pytest.approx(1 / (1 + (u0 / math.cos(theta))**2), rel=1e-12)


def test_tmatrix_born_edelstein_and_no_flag_on_rounding(tmp_path):
    """First Born, weak exchange: K_yx = e alpha/(pi n W^2), W = u R^2 (the Boltzmann equation
    with Born rates), 2.0877e12 1/(V m) at the defaults. Its tau2_o is rounding (2e-15 of
    tau1_o) and was flagged 'not resolved by 128 rays: estimated error 2.5e+03 %'."""
    out = tmp_path / "b"
    assert main(["theory", "tmatrix", "--approximation", "born", "--exchange", "0.01meV",
                 "--fermi-energy", "20meV", "--theta", "30deg", "--no-figures", "--strict",
                 "--out", str(out)]) == 0
    r = _rows(out / "efficiencies.csv")[0]
    w = 1.8 * 0.2**2
    assert float(r["K_yx (1/(V m))"]) == pytest.approx(0.017 / (math.pi * 5e-4 * w**2) * 1e9,
                                                        rel=1e-9)
    s = json.loads((out / "summary.json").read_text())
    assert "flags" not in s["ray_convergence"]


@pytest.mark.parametrize("uf, ud, vf, vd", [
    ("mT", "Oe", 2.0, 10.0), ("T", "mT", 0.002, 1.0), ("G", "mT", 20.0, 1.0),
    ("mT", "kA/m", 2.0, 0.7957747), ("mT/mA", "Oe/mA", 2.0, 10.0),
    ("mT per 10^11 A/m^2", "Oe per 10^11 A/m^2", 2.0, 10.0)])
def test_compare_reads_one_ratio_in_every_spelling_of_its_units(uf, ud, vf, vd):
    """Fields per unit current with one denominator ('mT/mA' beside 'Oe/mA') were refused as
    an unknown unit; the denominator cancels in the FL/DL ratio."""
    from sotfit.analysis.theory_compare import measured_ratio

    s = {"global": {"mu0_h_fl": {"value": vf, "stderr": 0.1 * vf, "unit": uf},
                    "mu0_h_dl": {"value": vd, "stderr": 0.1 * vd, "unit": ud}}}
    assert measured_ratio(s, source="s.json").value == pytest.approx(2.0, rel=1e-6)


def test_compare_refuses_fields_per_different_currents():
    from sotfit.analysis.theory_compare import measured_ratio

    s = {"global": {"mu0_h_fl": {"value": 2.0, "stderr": 0.2, "unit": "mT/mA"},
                    "mu0_h_dl": {"value": 10.0, "stderr": 1.0, "unit": "Oe/A"}}}
    with pytest.raises(ValueError, match="mu0_h_fl in 'mT/mA' and mu0_h_dl in 'Oe/A'"):
        measured_ratio(s, source="s.json")


def _table(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_kp_parameter_table_in_other_units_and_spacing_reads_the_same(tmp_path):
    """A table written by hand, 'tmdc, twist (deg), ...' with spaces after the commas, the gap
    in meV, v_F in m/s in square brackets: each column was 'missing'."""
    from sotfit.models.kp.tables import TABLE1_PATH, read_table

    base = read_table(TABLE1_PATH)
    text = TABLE1_PATH.read_text(encoding="utf-8")
    spaced = _table(tmp_path, "spaced.csv", text.replace(",", ", "))
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    rows = [ln.split(",") for ln in lines[1:]]
    header = ("tmdc,Twist (deg),Delta (meV),v_F [m/s],lambda_c (meV),lambda_v (eV),B_c (ueV),"
              "B_v (meV)")
    body = [",".join([r[0], r[1], f"{1e3 * float(r[2]):.6g}", f"{1e5 * float(r[3]):.6g}", r[4],
                      f"{1e-3 * float(r[5]):.8g}", f"{1e3 * float(r[6]):.6g}", r[7]])
            for r in rows]
    other = _table(tmp_path, "other.csv", "\n".join([header] + body) + "\n")
    for path in (spaced, other):
        for a, b in zip(base, read_table(path)):
            assert a["tmdc"] == b["tmdc"]
            for k in a:
                if k != "tmdc":
                    assert b[k] == pytest.approx(a[k], rel=1e-12, abs=1e-15)


def test_kp_parameter_table_refusals_name_the_column(tmp_path):
    from sotfit.models.kp.tables import TABLE1_PATH, read_table

    text = TABLE1_PATH.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="column 'delta' gives no unit"):
        read_table(_table(tmp_path, "a.csv", text.replace("delta (eV)", "delta")))
    with pytest.raises(ValueError, match="column 'delta \\(nm\\)'"):
        read_table(_table(tmp_path, "b.csv", text.replace("delta (eV)", "delta (nm)")))
    with pytest.raises(ValueError, match="'B_c \\(meV\\)' and 'b_c \\(eV\\)' both give"):
        read_table(_table(tmp_path, "c.csv", text.replace("B_v (meV)", "b_c (eV)")))


def test_compare_finds_tau_of_the_exchange_limit_and_prints_its_range_plainly(tmp_path, capsys):
    """In the exchange-dominated 2DEG the FL/DL ratio is tau J_ex/hbar: a measured 2 at
    J_ex = 50 meV is tau = 0.0263 ps. The range was printed as '[0.026000000000000002, ...]'."""
    meas = tmp_path / "m.json"
    meas.write_text(json.dumps({"global": {
        "xi_fl": {"value": 2.0, "stderr": 0.05, "unit": ""},
        "xi_dl": {"value": 1.0, "stderr": 0.025, "unit": ""}}}))
    assert main(["theory", "compare", "--summary", str(meas), "--model", "kp-2deg", "--param",
                 "j_ex=50meV", "--param", "alpha_r=1meVnm", "--sweep", "energy=0.05eV:0.05eV:1",
                 "--sweep", "tau=0.01ps:0.05ps:41", "--no-figures",
                 "--out", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "tau [0.026, 0.027] ps" in out
    want = 2.0 * HBAR_EV_PS / 0.05
    rows = [r for r in _rows(tmp_path / "c" / "compare.csv") if r["within_1_sigma"] == "1"]
    assert min(float(r["tau (ps)"]) for r in rows) <= want <= max(float(r["tau (ps)"])
                                                                   for r in rows)


@pytest.mark.parametrize("summary, said", [
    ({"xi_fl": 0.2, "xi_dl": 0.1}, "top level 'xi_fl' is 0.2, not an entry"),
    ({"global": {"xi_FL": {"value": 0.2, "stderr": 0.01},
                 "xi_DL": {"value": 0.1, "stderr": 0.01}}},
     "global 'xi_FL' is written 'xi_fl'")])
def test_compare_says_what_a_hand_written_summary_holds_in_place_of_a_pair(summary, said):
    """Bare numbers or other capitals were 'no field-like and damping-like pair', as if
    nothing had been given."""
    from sotfit.analysis.theory_compare import measured_ratio

    with pytest.raises(ValueError, match=said):
        measured_ratio(summary, source="m.json")


def test_kp_table1_twist_in_radians_is_the_row_of_30_degrees(tmp_path):
    """--twist 0.5235987756rad (pi/6) was 'Table I has no entry for twist=30.00000000009747
    deg'; it is the row of 30 deg, 29.9999 deg is none."""
    from sotfit.models.kp.tables import TableRangeError, tmdc_from_table1

    assert tmdc_from_table1("WSe2", math.degrees(0.5235987756)) == tmdc_from_table1("WSe2", 30.0)
    with pytest.raises(TableRangeError, match="no entry"):
        tmdc_from_table1("WSe2", 29.9999)


def test_tmatrix_fermi_energy_at_the_band_bottom_is_said_so(tmp_path, capsys):
    """-5 meV with --exchange 5meV is the bottom of the lower band (m alpha^2/hbar^2 = 3 meV <
    Delta_xc): 'fermi_energy = -0.005 eV lies below the bottom of the lower band (-0.005 eV ...)'
    said a number lay below itself."""
    assert main(["theory", "tmatrix", "--fermi-energy", "-5meV", "--exchange", "5meV",
                 "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert "-5 meV lies at the bottom of the lower band (-5 meV at theta = 0 deg)" in err
    assert main(["theory", "tmatrix", "--fermi-energy", "-6meV", "--exchange", "5meV",
                 "--out", str(tmp_path / "b")]) == 2
    assert "-0.006 eV lies below the bottom of the lower band (-0.005 eV" in \
        capsys.readouterr().err


@pytest.mark.parametrize("option", [["--u", "1e-9eV"], ["--radius", "1e-6nm"]])
def test_tmatrix_impurities_too_weak_for_the_arithmetic_name_the_options(tmp_path, capsys,
                                                                         option):
    """'--u 1e-9eV' and '--radius 1e-6nm' ended in 'error: Singular matrix', naming nothing."""
    assert main(["theory", "tmatrix", *option, "--no-figures", "--out",
                 str(tmp_path / "w")]) == 2
    err = capsys.readouterr().err
    assert "W = u R^2" in err and "--u" in err and "--radius" in err and "--density" in err
    assert not (tmp_path / "w").exists()


def test_tmatrix_damping_like_efficiencies_at_rounding_are_noted(tmp_path):
    """--u 1e-7eV gave a DL/FL ratio of +1.8e-17 where its u^2 law (1.53e-9 at 1e-3 eV) is
    -1.5e-17, exit 0 and no word; the default u has no such note."""
    out = tmp_path / "weak"
    assert main(["theory", "tmatrix", "--u", "1e-7eV", "--no-figures", "--strict",
                 "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text())
    assert "may be off in value and sign" in s["even_efficiencies_at_rounding"]["note"]
    out = tmp_path / "default"
    assert main(["theory", "tmatrix", "--no-figures", "--out", str(out)]) == 0
    assert "even_efficiencies_at_rounding" not in json.loads((out / "summary.json").read_text())
