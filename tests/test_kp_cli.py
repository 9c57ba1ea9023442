"""``sotfit theory kp``: outputs, units in headers, refusal of bad input."""

import csv
import json

import numpy as np
import pytest

from sotfit.cli import main


def test_theory_kp_2deg_writes_table_summary_figures(tmp_path, capsys):
    out = tmp_path / "run"
    rc = main(["theory", "kp", "--model", "2deg", "--alpha-r", "0.01", "--j-ex", "52meV",
               "--tau", "0.5ps", "--sweep", "mu=-20meV:40meV:4", "--n-phi", "8",
               "--map", "j_ex=40meV:60meV:2", "--out", str(out)])
    assert rc == 0
    rows = list(csv.DictReader(open(out / "spin_density.csv")))
    assert len(rows) == 4 and "surface_y (1/(V nm))" in rows[0] and "mu (eV)" in rows[0]
    s = json.loads((out / "summary.json").read_text())
    assert s["tau"] == {"value": 0.5, "unit": "ps"}
    assert s["parameters"]["j_ex"]["value"] == pytest.approx(0.052)
    # the exchange-dominated ratio chi_FL/chi_DL ~ -tau J/hbar (seed 001 after eq. 7, docs/kp.md)
    r = rows[1]
    ratio = float(r["surface_y (1/(V nm))"]) / float(r["sea_x (1/(V nm))"])
    assert ratio == pytest.approx(-0.5 * 0.052 / 6.582119569e-4, rel=0.03)
    for f in ("spin_density.png", "torque.png", "map_tau_surface.png", "map_tau_sea.png"):
        assert (out / "figures" / f).is_file()
    assert len(list(csv.reader(open(out / "map.csv")))) == 1 + 2 * 4
    # never overwrite silently
    rc = main(["theory", "kp", "--model", "2deg", "--sweep", "mu=0:0.01:2", "--out", str(out)])
    assert rc == 2 and "--overwrite" in capsys.readouterr().err


def test_theory_kp_bad_input(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["theory", "kp", "--model", "2deg", "--sweep", "x=0:1:3", "--out", str(tmp_path / "a")])
    assert "mu=START:STOP:N" in capsys.readouterr().err
    rc = main(["theory", "kp", "--model", "tmdc", "--twist", "15deg", "--sweep", "mu=0.8:0.9:2",
               "--temperature", "25.7meV", "--out", str(tmp_path / "b")])
    assert rc == 2 and "no entry for tmdc='WSe2', twist=15.0" in capsys.readouterr().err
    rc = main(["theory", "kp", "--model", "dirac", "--method", "kubo", "--sweep", "mu=0:0.1:2",
               "--out", str(tmp_path / "c")])
    assert rc == 2 and "eta" in capsys.readouterr().err


def test_theory_kp_decomposition_table(tmp_path):
    """--decompose writes chi's against mu; at E_F = 0 (exchange-dominated 2DEG) they match
    seed 001 eqs. (14a,b) (physical sign, docs/kp.md)."""
    from test_kp_boltzmann import seed001_eq13_14
    from sotfit.models.kp.hamiltonians import Rashba2DEG

    out = tmp_path / "d"
    rc = main(["theory", "kp", "--model", "2deg", "--alpha-r", "0.01", "--j-ex", "52meV",
               "--tau", "0.5ps", "--sweep", "mu=0:0.01:2", "--n-phi", "16", "--decompose", "5,4",
               "--no-figures", "--out", str(out)])
    assert rc == 0
    rows = list(csv.DictReader(open(out / "chis.csv")))
    fl, dl = seed001_eq13_14(Rashba2DEG(alpha_r=0.01, j_ex=0.052), 0.0, 0.5)
    assert float(rows[0]["chi_fl (1/(V nm))"]) == pytest.approx(-fl, rel=1e-2)
    assert float(rows[0]["chi_dl (1/(V nm))"]) == pytest.approx(dl, rel=1e-2)
    assert json.loads((out / "summary.json").read_text())["decomposition"]["n_directions"] == 14


def test_theory_kp_gate_map_from_table(tmp_path):
    """--table with --map gate: a (gate, mu) map of seed 000 Fig. 4 kind; the p-doped field-like
    torque has the sign of the interpolated B_v (tests/test_kp_tmdc_mu.py) at every gate."""
    from test_kp_tmdc_mu import synthetic_table
    from sotfit.models.kp.tables import ParameterTable

    table = synthetic_table(tmp_path / "t.csv")
    out = tmp_path / "g"
    rc = main(["theory", "kp", "--model", "tmdc", "--table", str(table), "--twist", "10deg",
               "--temperature", "25.7meV", "--tau", "3ps", "--theta-e", "45deg",
               "--sweep", "mu=-1:1:2", "--map", "gate=-2:2:3", "--kmax", "5.5", "--n-phi", "4",
               "--out", str(out)])
    assert rc == 0
    rows = list(csv.DictReader(open(out / "map.csv")))
    pt = ParameterTable.from_csv(table, "WSe2")
    for r in rows:
        if float(r["mu (eV)"]) < 0:
            b_v = pt(10.0, float(r["gate (V/nm)"]))["b_v"]
            assert np.sign(float(r["tau_surface_x (eV/nm^2)"])) == np.sign(b_v)
    assert (out / "figures" / "map_tau_surface.png").is_file()


def test_theory_kp_table_range_refused(tmp_path, capsys):
    """A twist outside a user table's range is refused before any computation, naming the
    table, the parameter, its value and the range."""
    from test_kp_tmdc_mu import synthetic_table

    table = synthetic_table(tmp_path / "t.csv")
    rc = main(["theory", "kp", "--model", "tmdc", "--table", str(table), "--twist", "35deg",
               "--temperature", "25.7meV", "--sweep", "mu=0.8:0.9:2", "--out", str(tmp_path / "o")])
    assert rc == 2
    assert "twist = 35.0 deg is outside the tabulated range [0.0, 30.0] deg" in capsys.readouterr().err
    rc = main(["theory", "kp", "--model", "tmdc", "--gate", "1", "--temperature", "25.7meV",
               "--sweep", "mu=0.8:0.9:2", "--out", str(tmp_path / "p")])
    assert rc == 2 and "--gate needs a --table" in capsys.readouterr().err


def test_theory_kp_a_grid_beyond_memory_is_refused_naming_what_sets_it(tmp_path, capsys):
    """k_B T = 0.01 meV asked 22 million k points (the radial panels resolve k_B T) and ended in
    a MemoryError traceback, exit 1; so did --n-phi 200000. Refused before any allocation."""
    from sotfit.models.kp.grids import MAX_GRID_POINTS, GridError, polar_grid

    with pytest.raises(GridError, match="raise the temperature"):
        polar_grid(1.0, MAX_GRID_POINTS // 4 // 32 + 1, 32)
    assert polar_grid(1.0, 10, 32).kx.size == 10 * 4 * 32
    common = ["theory", "kp", "--model", "2deg", "--alpha-r", "0.01", "--j-ex", "50meV",
              "--m-eff", "0.5", "--tau", "1ps", "--sweep", "mu=0.01:0.105:2", "--no-figures"]
    for extra in (["--temperature", "0.01meV"], ["--temperature", "1meV", "--n-phi", "200000"]):
        assert main([*common, *extra, "--out", str(tmp_path / extra[1])]) == 2
        err = capsys.readouterr().err
        assert "k points" in err and "--n-phi" in err and "Traceback" not in err


def test_theory_tmatrix_flags_efficiencies_it_cannot_define(tmp_path):
    """With m in the plane (theta = 90 deg) the decomposition of K_J (seed 002, eq. 4), which
    divides by m_z, defines no efficiency: an all-NaN table came out with no flag, --strict 0."""
    base = ["theory", "tmatrix", "--fermi-energy", "10meV", "--no-figures"]
    assert main([*base, "--theta", "90deg", "--out", str(tmp_path / "ip"), "--strict"]) == 3
    s = json.loads((tmp_path / "ip" / "summary.json").read_text())
    entry = s["undefined_efficiencies"]
    assert entry["count"] == 1 and entry["thetas_deg"] == [90.0]
    assert any(f["quantity"] == "undefined_efficiencies" and "divides by m_z" in f["reason"]
               for f in s["flags"])
    assert main([*base, "--theta", "60deg", "--out", str(tmp_path / "tilted"), "--strict"]) == 0
    assert "undefined_efficiencies" not in json.loads(
        (tmp_path / "tilted" / "summary.json").read_text())
    # along z (the default angle) only tau_2 (divided by m_x) is undefined: said in a note,
    # not flagged (the other efficiencies are defined; every default run ended flagged)
    assert main([*base, "--theta", "0deg", "--out", str(tmp_path / "z"), "--strict"]) == 0
    s = json.loads((tmp_path / "z" / "summary.json").read_text())
    assert s["undefined_efficiencies"]["missing"] == ["tau2_e", "tau2_o"]
    assert "have no tau2_e, tau2_o (the other efficiencies are there)" in \
        s["undefined_efficiencies"]["note"]
    assert not s.get("flags")


def test_theory_kp_map_holds_every_torque_component(tmp_path):
    """The map wrote the x components only (seed 000's tau_x): the 2DEG's damping-like torque,
    along y for m along z, mapped as zero. Each row of the map now holds the torques the single
    run at that parameter writes; --alpha-r takes a unit (0.1 eV A for 0.01 eV nm; a bare number
    is in eV nm)."""
    common = ["theory", "kp", "--model", "2deg", "--j-ex", "50meV", "--m-eff", "0.5", "--tau",
              "1ps", "--sweep", "mu=0.01:0.105:2", "--no-figures"]
    assert main([*common, "--alpha-r", "0.1eVA", "--map", "j_ex=-0.05:0.05:5",
                 "--out", str(tmp_path / "map")]) == 0
    assert main([*common, "--alpha-r", "0.01", "--out", str(tmp_path / "one")]) == 0
    one = list(csv.DictReader(open(tmp_path / "one" / "spin_density.csv")))
    rows = [r for r in csv.DictReader(open(tmp_path / "map" / "map.csv"))
            if float(r["j_ex (eV)"]) == pytest.approx(0.05)]
    assert len(rows) == len(one) == 2
    for r, s in zip(rows, one):
        for part in ("surface", "sea"):
            keys = [f"tau_{part}_{c} (eV/nm^2)" for c in "xyz"]
            scale = max(abs(float(s[k])) for k in keys)     # round-off of the others: 1e-21
            for key in keys:
                assert float(r[key]) == pytest.approx(float(s[key]), abs=1e-9 * scale), key
    assert all(abs(float(r["tau_sea_y (eV/nm^2)"])) > 1e-8 for r in rows)    # not zero


def test_t0_sweep_flags_unresolved_fermi_contours(tmp_path):
    """Below the touching energy of the 2DEG magnetised in plane the lower band's contour is
    dented about k0 = (0, 0.5) 1/nm: at 16 azimuths S still moves by percents, which the
    summary flags (naming --n-phi); at 128 it is resolved and not flagged."""
    import json

    from sotfit.cli import main

    args = ["theory", "kp", "--model", "2deg", "--alpha-r", "0.1eVnm", "--j-ex", "50meV",
            "--m-eff", "1", "--theta-m", "90deg", "--sweep", "mu=-20meV:0meV:2", "--no-figures"]
    assert main(args + ["--n-phi", "16", "--out", str(tmp_path / "coarse")]) == 0
    coarse = json.loads((tmp_path / "coarse" / "summary.json").read_text())
    entry = coarse["azimuthal_convergence"]
    assert entry["value"] > 1e-2 and entry["compared_with_n_phi"] == 32
    assert "--n-phi" in entry["flags"][0]
    assert main(args + ["--n-phi", "128", "--out", str(tmp_path / "fine"),
                        "--strict"]) == 0
    fine = json.loads((tmp_path / "fine" / "summary.json").read_text())
    assert fine["azimuthal_convergence"]["value"] < 1e-3
    assert "flags" not in fine["azimuthal_convergence"]


@pytest.mark.parametrize("sweep", ["mu=-150meV:150:3", "mu=-0.15:150meV:3"])
def test_a_sweep_with_one_end_in_a_unit_and_one_bare_is_refused(tmp_path, capsys, sweep):
    """'mu=-150meV:150:3' read the bare stop in eV: -0.15 to 150 eV, saturated values, exit 0."""
    with pytest.raises(SystemExit):
        main(["theory", "kp", "--model", "2deg", "--sweep", sweep, "--out", str(tmp_path / "a")])
    assert "give both ends with units (or neither, in eV)" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()


def test_a_sweep_outside_every_band_is_flagged(tmp_path):
    """mu = -1 to -0.5 eV below every band of the Rashba gas (-25 meV at the bottom) wrote zero
    spin densities and torques with exit 0 under --strict."""
    out = tmp_path / "below"
    assert main(["theory", "kp", "--model", "2deg", "--alpha-r", "0.01eVnm", "--j-ex", "50meV",
                 "--m-eff", "1", "--sweep", "mu=-1:-0.5:3", "--no-figures", "--strict",
                 "--out", str(out)]) == 3
    s = json.loads((out / "summary.json").read_text())
    assert "zero at every chemical potential" in s["max_abs_tau_surface"]["flags"][0]


def test_three_azimuths_are_checked_against_more(tmp_path):
    """--n-phi 3 was compared with max(3 // 2, 3) = 3 azimuths, itself, and reported converged
    (the damping-like density 1 % off with a tilted magnetisation); the Fermi-sea part was judged
    against the larger surface part. Three azimuths are now compared with six, each part against
    its own scale."""
    out = tmp_path / "coarse"
    assert main(["theory", "kp", "--model", "2deg", "--alpha-r", "0.01eVnm", "--j-ex", "50meV",
                 "--m-eff", "1", "--n-phi", "3", "--theta-m", "45deg", "--phi-m", "30deg",
                 "--sweep", "mu=0.06:0.06:1", "--no-figures", "--strict", "--out", str(out)]) == 3
    conv = json.loads((out / "summary.json").read_text())["azimuthal_convergence"]
    assert conv["compared_with_n_phi"] == 6 and conv["flags"]


def test_hbar_v_takes_a_unit(tmp_path):
    """--hbar-v 0.6582eVnm was 'not a number' while --alpha-r took units; a bare number stays
    eV nm, and a value that is not positive is refused."""
    got = {}
    for name, v in (("unit", "0.6582eVnm"), ("bare", "0.6582"), ("angstrom", "6.582eVA")):
        out = tmp_path / name
        assert main(["theory", "kp", "--model", "dirac", f"--hbar-v={v}", "--sweep",
                     "mu=0.1:0.2:3", "--no-figures", "--out", str(out)]) == 0
        got[name] = json.loads((out / "summary.json").read_text())["parameters"]["hbar_v"]["value"]
    assert got["unit"] == pytest.approx(got["bare"]) == pytest.approx(got["angstrom"])
    with pytest.raises(SystemExit):
        main(["theory", "kp", "--model", "dirac", "--hbar-v=-0.5", "--sweep", "mu=0.1:0.2:3",
              "--no-figures", "--out", str(tmp_path / "neg")])


def test_a_kubo_summary_gives_the_tau_of_its_broadening(tmp_path):
    """A Kubo run recorded the unused default tau = 1 ps beside its broadening."""
    from sotfit.models.kp.operators import HBAR_EV_PS

    out = tmp_path / "kubo"
    assert main(["theory", "kp", "--model", "dirac", "--method", "kubo", "--eta", "2meV",
                 "--sweep", "mu=-0.05:0.05:3", "--no-figures", "--out", str(out)]) == 0
    tau = json.loads((out / "summary.json").read_text())["tau"]
    assert tau["value"] == pytest.approx(HBAR_EV_PS / 0.004) and tau["from"] == "hbar/(2 eta)"


def test_a_negative_quantity_after_its_option_is_its_value(tmp_path):
    """'--j-ex -50meV' ended in argparse's "expected one argument" (the value read as an
    option); it is '--j-ex=-50meV'."""
    runs = {}
    for name, argv in (("apart", ["--j-ex", "-50meV"]), ("joined", ["--j-ex=-50meV"])):
        out = tmp_path / name
        assert main(["theory", "kp", "--model", "2deg", *argv, "--sweep", "mu=0:0.05:3",
                     "--no-figures", "--out", str(out)]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())["parameters"]["j_ex"]
    assert runs["apart"] == runs["joined"] == {"value": -0.05, "unit": "eV"}


@pytest.mark.slow   # a long validation: run with -m slow
def test_kubo_results_that_move_with_the_k_cutoff_are_flagged(tmp_path):
    """Weak Rashba coupling far above the band edge: the two bands' Fermi-surface terms cancel
    to 1e-4 of each, and the broadened Green's functions reach beyond the default k cutoff. At
    alpha_R 0.1 meV nm, eta 0.5 meV, mu 1 eV the 2DEG came out 11 % off (an independent reference,
    two independent integrations) with an azimuthal estimate of 5e-7 and no flag; at eta 5 meV
    (here, fast) 4 times off. The sweep is compared with a raised cutoff and flagged where it
    moves."""
    from sotfit.models.grid_convergence import GRID_TOLERANCE
    from sotfit.models.kp.build import kp_model
    from sotfit.models.kp.sweep import sweep_mu

    model = kp_model("2deg", [0, 0, 1], {"alpha_r": 1e-4, "j_ex": 1e-9})
    ref = [sweep_mu(model, np.array([1.0]), method="kubo", eta=5e-3, n_phi=32,
                    kmax=k)["surface"][0, 1] for k in (15.0, 20.0)]
    assert ref[0] == pytest.approx(ref[1], rel=2e-3)          # converged in the cutoff
    default = sweep_mu(model, np.array([1.0]), method="kubo", eta=5e-3, n_phi=32,
                       check_grid=True)
    assert abs(default["surface"][0, 1] / ref[1] - 1) > 1.0       # the default cutoff is off
    assert default["meta"]["cutoff_change"] > GRID_TOLERANCE
    base = ["theory", "kp", "--model", "2deg", "--alpha-r", "0.1meVnm", "--j-ex", "1e-6meV",
            "--method", "kubo", "--eta", "5meV", "--sweep", "mu=1:1:1", "--no-figures"]
    assert main([*base, "--out", str(tmp_path / "d"), "--strict"]) == 3
    entry = json.loads((tmp_path / "d" / "summary.json").read_text())["cutoff_convergence"]
    assert "raise --kmax" in entry["flags"][0]
    assert main([*base, "--kmax", "15", "--out", str(tmp_path / "k"), "--strict"]) == 0
    entry = json.loads((tmp_path / "k" / "summary.json").read_text())["cutoff_convergence"]
    assert entry["value"] < GRID_TOLERANCE and "flags" not in entry


def test_a_bare_zero_beside_a_unit_and_micro_electronvolts(tmp_path):
    """'--sweep mu=0:12meV:2' was refused ('0' has no unit: it is 0 in any unit) and
    '--j-ex 50000ueV' too (u is an SI prefix the units table lacked for energies); a bare end
    other than 0 beside a unit stays refused ('mu=-150meV:150:3' read 150 in eV)."""
    runs = {}
    for name, argv in (("bare", ["--sweep", "mu=0:12meV:2", "--j-ex", "50000ueV"]),
                       ("units", ["--sweep", "mu=0meV:12meV:2", "--j-ex", "50meV"])):
        out = tmp_path / name
        assert main(["theory", "kp", "--model", "2deg", *argv, "--no-figures",
                     "--out", str(out)]) == 0
        runs[name] = np.loadtxt(out / "spin_density.csv", delimiter=",", skiprows=1)
    # components zero by symmetry differ at rounding (50000e-6 eV is 0.0499999... eV)
    np.testing.assert_allclose(runs["bare"], runs["units"], rtol=1e-9,
                               atol=1e-12 * np.abs(runs["units"]).max())
    with pytest.raises(SystemExit):
        main(["theory", "kp", "--model", "2deg", "--sweep", "mu=-150meV:150:3",
              "--out", str(tmp_path / "slip")])


def test_a_cutoff_check_beyond_the_grid_limit_is_said_and_the_sweep_stands(monkeypatch):
    """The comparison at the raised cutoff needs a larger grid; where that grid is beyond the
    limit of points the sweep itself is kept and the check said not made (a sweep that ran
    before must not fail for its check)."""
    from sotfit.models.kp import grids
    from sotfit.models.kp.build import kp_model
    from sotfit.models.kp.sweep import sweep_mu

    model = kp_model("2deg", [0, 0, 1], {"alpha_r": 1e-4, "j_ex": 1e-9})
    plain = sweep_mu(model, np.array([1.0]), method="kubo", eta=5e-3, n_phi=32)
    monkeypatch.setattr(grids, "MAX_GRID_POINTS", plain["meta"]["n_points"])
    checked = sweep_mu(model, np.array([1.0]), method="kubo", eta=5e-3, n_phi=32,
                       check_grid=True)
    np.testing.assert_array_equal(checked["surface"], plain["surface"])
    assert checked["meta"]["cutoff_change"] is None
    assert checked["meta"]["cutoff_unchecked"].startswith("not checked: polar grid of")
    from sotfit.cli.theory_kp import _cutoff_convergence

    entry = _cutoff_convergence(checked["meta"])["cutoff_convergence"]
    assert entry["value"] is None and "flags" not in entry and "not checked" in entry["note"]


@pytest.mark.parametrize("extra", [["--eta", "0.329meV", "--tau", "50ps"], ["--tau", "1ps"]])
def test_kubo_refuses_a_relaxation_time_naming_its_broadening(tmp_path, capsys, extra):
    """--method kubo ran with --tau 50ps and wrote the results of tau = hbar/(2 eta) = 1 ps,
    byte for byte those without it: its relaxation time is that of --eta."""
    out = tmp_path / "k"
    assert main(["theory", "kp", "--model", "2deg", "--method", "kubo", *extra,
                 "--sweep", "mu=0.02:0.1:2", "--no-figures", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--tau applies to --method boltzmann, not kubo" in err
    assert "--eta" in err and "hbar/(2 eta)" in err and "Traceback" not in err
    assert not out.exists()


def test_kubo_without_a_broadening_names_eta(tmp_path, capsys):
    """'method 'kubo' needs a broadening eta > 0 (eV)' named no option."""
    assert main(["theory", "kp", "--model", "2deg", "--method", "kubo", "--sweep",
                 "mu=0.02:0.1:2", "--no-figures", "--out", str(tmp_path / "k")]) == 2
    err = capsys.readouterr().err
    assert "--method kubo needs --eta" in err and "tau = hbar/(2 eta)" in err


def test_the_boltzmann_default_relaxation_time_is_1ps(tmp_path):
    """--tau, now None when not given, is 1 ps for --method boltzmann: the same table."""
    tables = []
    for name, extra in (("default", []), ("given", ["--tau", "1ps"])):
        out = tmp_path / name
        assert main(["theory", "kp", "--model", "2deg", *extra, "--sweep", "mu=0.02:0.1:2",
                     "--n-phi", "8", "--no-figures", "--out", str(out)]) == 0
        assert json.loads((out / "summary.json").read_text())["tau"] == {"value": 1.0,
                                                                          "unit": "ps"}
        tables.append((out / "spin_density.csv").read_bytes())
    assert tables[0] == tables[1]


def test_the_tables_name_the_field_of_their_torques(tmp_path):
    """spin_density.csv held densities per unit field beside torques at the field E of the run,
    whose value was in summary.json alone: a column 'field (V/nm)' gives it (map.csv too)."""
    out = tmp_path / "f"
    assert main(["theory", "kp", "--model", "2deg", "--sweep", "mu=0.02:0.1:2", "--n-phi", "8",
                 "--field", "0.1mV/nm", "--map", "j_ex=40meV:60meV:2", "--no-figures",
                 "--out", str(out)]) == 0
    for name in ("spin_density.csv", "map.csv"):
        rows = list(csv.DictReader(open(out / name, encoding="utf-8")))
        assert all(float(r["field (V/nm)"]) == pytest.approx(1e-4) for r in rows), name
        assert "tau_surface_x (eV/nm^2)" in rows[0]          # the names read elsewhere


def test_the_temperature_is_taken_in_kelvin_too(tmp_path, capsys):
    """--temperature 300K was refused ('unknown unit K; accepted energy units: eV, meV'): an
    option named temperature takes kelvin, as k_B T with k_B of scipy.constants, and the run
    reports both; a text that is neither says what to give."""
    from scipy import constants as C

    from sotfit.cli.theory_kp import temperature_type

    base = ["theory", "kp", "--model", "2deg", "--sweep", "mu=0.01:0.05:3", "--no-figures"]
    got = {}
    for i, text in enumerate(("300K", f"{300 * C.k / C.e * 1e3!r}meV")):
        out = tmp_path / f"t{i}"
        assert main([*base, "--temperature", text, "--out", str(out)]) == 0
        s = json.loads((out / "summary.json").read_text())
        got[text] = s["temperature"]["value"]
        assert s["temperature"]["unit"] == "eV"
        assert s["temperature_kelvin"] == pytest.approx({"value": 300.0, "unit": "K"})
        assert "k_B T = 25.85 meV (T = 300 K)" in capsys.readouterr().out
    assert list(got.values()) == pytest.approx([300 * C.k / C.e] * 2, rel=1e-12)
    assert temperature_type("300 K") == temperature_type("3e2K")
    for bad in ("-3K", "20000K", "300C"):
        with pytest.raises(SystemExit):
            main([*base, "--temperature", bad, "--out", str(tmp_path / "bad")])
        assert "temperature in kelvin (300K)" in capsys.readouterr().err


_TMDC_ROWS = [("WSe2", t, 1.403 + 0.002 * t, 5.873, 13.81, 240.99, -1.46, -0.918 + 0.08 * t)
              for t in (0, 10, 20, 30)]


def _tmdc_table(path, change=None):
    """A WSe2 parameter table at four twists (seed 000 Table I's columns), the row at 20 deg
    given ``change`` ({column index: value})."""
    lines = ["tmdc,twist (deg),delta (eV),v_F (1e5 m/s),lambda_c (meV),lambda_v (meV),"
             "B_c (meV),B_v (meV)"]
    for row in _TMDC_ROWS:
        row = list(row)
        if change and row[1] == 20:
            for k, v in change.items():
                row[k] = v
        lines.append(",".join(str(v) for v in row))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("change, said", [({2: -5.0}, "delta (eV) = -5.0 must be > 0"),
                                          ({3: 0.0}, "v_F (1e5 m/s) = 0.0 must be > 0"),
                                          ({7: "nan"}, "B_v (meV) = nan is not a finite")])
def test_a_table_with_an_impossible_gap_or_velocity_is_refused(tmp_path, capsys, change, said):
    """A gap of -5 eV or a Fermi velocity of 0 at one twist was read and interpolated into the
    twists beside it (max |tau^oc| at 15 deg twice the sound table's), exit 0, no word."""
    table = _tmdc_table(tmp_path / "t.csv", change)
    assert main(["theory", "kp", "--model", "tmdc", "--sweep", "mu=-1.5:1.5:5", "--table",
                 str(table), "--twist", "15deg", "--no-figures", "--out",
                 str(tmp_path / "o")]) == 2
    assert f"{table}, data row 4: {said}" in capsys.readouterr().err

