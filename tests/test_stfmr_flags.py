"""Sanity gates on the ST-FMR summary (sotfit.flags): a clean run carries no flag, each kind
of doubtful result carries its own, and ``--strict`` turns them into exit status 3."""

import dataclasses
import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest
from uncertainties import ufloat

import sotfit as sf
from sotfit.analysis.stfmr import analyse_stfmr, summary_dict
from sotfit.analysis.stfmr_torques import Sample
from sotfit.cli import main

from stfmr_synth import TRUTH, spectrum, write_long_table

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"
EXAMPLE_ARGS = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm", "--width", "10um",
                "--rho", "20uOhmcm", "--rho-fm", "40uOhmcm", "--irf", "1mA", "--irf-is", "peak",
                "--delta-r", "0.5Ohm"]
EXAMPLE_SAMPLE = Sample(mu0_ms=0.95, t_fm=6, t_nm=6, width=10e3, rho_nm=20, rho_fm=40, i_rf=1.0,
                        delta_r=0.5)
MAIN = ("mu0_meff", "gyromagnetic_ratio", "g", "alpha", "linewidth_inhomogeneous", "xi_fmr",
        "mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl", "xi_e_dl", "xi_e_fl", "xi_dl", "xi_fl")


def _reasons(q):
    return " | ".join(q.get("flags", []))


@pytest.fixture(scope="module")
def example():
    return analyse_stfmr(sf.load(str(EXAMPLE)))


def test_the_clean_example_carries_no_flag(tmp_path, capsys):
    """Flags stay meaningful: the bundled example (every planted value recovered) has none,
    and --strict exits 0 on it."""
    out = tmp_path / "out"
    rc = main(["stfmr", str(EXAMPLE), "--out", str(out), "--no-figures", "--strict",
               *EXAMPLE_ARGS])
    assert rc == 0
    s = json.loads((out / "summary.json").read_text())
    assert s["flags"] == []
    for route in ("sequential", "global"):
        for name in MAIN:
            assert "flags" not in s[route][name], (route, name, s[route][name])
    assert "flags:" not in capsys.readouterr().out


def test_global_amplitudes_of_the_wrong_spectra_are_flagged(tmp_path, example):
    """The bookkeeping error behind the long-table nonsense: every spectrum given the mean
    amplitudes of all branches. The data check, the spread across spectra, the singular
    covariance and the comparison of the routes each flag the global torques."""
    a = example
    p, labels = a.global_fit.params, a.global_fit.meta["branches"]
    vs = sum(lab["polarity"] * p[f"vs_{i}"] for i, lab in enumerate(labels)) / len(labels)
    va = sum(lab["polarity"] * p[f"va_{i}"] for i, lab in enumerate(labels)) / len(labels)
    wrong = [{**g, "vs": vs, "va": va, "ratio": vs / va} for g in a.global_spectra]
    for g in wrong:
        g.pop("vs_even", None), g.pop("va_even", None)
    s = summary_dict(dataclasses.replace(a, global_spectra=wrong), EXAMPLE_SAMPLE)
    for name in ("xi_fmr", "mu0_h_dl", "mu0_h_fl_oe", "xi_dl", "xi_fl"):
        r = _reasons(s["global"][name])
        assert "do not describe its data" in r, (name, r)
        assert "global mean over spectra: reduced chi-square" in r, (name, r)
        assert "not independent (singular covariance)" in r, (name, r)
    assert "do not describe its data" in _reasons(s["spectra"][0]["torques_global"]["xi_fmr"])
    # the sequential route's own values describe the data
    for name in ("mu0_meff", "alpha", "xi_fmr"):
        assert "do not describe" not in _reasons(s["sequential"][name])


def test_routes_that_disagree_flag_the_quantity_in_both(example):
    g = example.global_values
    shifted = {**g, "meff": g["meff"] + 10 * g["meff"].std_dev}
    s = summary_dict(dataclasses.replace(example, global_values=shifted))
    seq_reasons = _reasons(s["sequential"]["mu0_meff"])
    assert "sequential mu0_meff and global mu0_meff differ by" in seq_reasons
    assert "global mu0_meff and sequential mu0_meff differ by" in _reasons(s["global"]["mu0_meff"])
    assert "flags" not in s["global"]["alpha"]


def test_negative_inhomogeneous_width_is_held_at_zero_and_flagged(tmp_path, capsys):
    """Widths that extrapolate to W_0 < 0: both routes hold W_0 at its physical bound 0,
    refit, and say so; alpha's error is then conditional on it. --strict exits 3."""
    truth = {**TRUTH, "linewidth_inhomogeneous": -0.0004}
    files = []
    for i, f in enumerate((6.0, 8.0, 10.0, 12.0, 14.0)):
        d = spectrum(f, seed=10 + i, truth=truth, noise=0.01)
        path = tmp_path / f"w0_{f:g}GHz.csv"
        path.write_text("field (T),vmix (uV)\n"
                        + "".join(f"{x:.10g},{y:.10g}\n" for x, y in zip(d.x, d.y)))
        files.append(str(path))
    out = tmp_path / "out"
    rc = main(["stfmr", *files, "--out", str(out), "--no-figures", "--strict"])
    assert rc == 3
    s = json.loads((out / "summary.json").read_text())
    for route in ("sequential", "global"):
        w0, alpha = s[route]["linewidth_inhomogeneous"], s[route]["alpha"]
        assert w0["value"] == 0.0 and w0["stderr"] is None
        assert "held at its physical lower bound 0 T" in _reasons(w0), route
        assert "conditional on linewidth_inhomogeneous held at its bound" in _reasons(alpha)
        # the flag is on the value as well as on its error: held at 0, the slope of the widths
        # takes in what the frequencies could not tell from a positive W_0
        assert "may be biased high beyond this error" in _reasons(alpha)
        assert alpha["value"] > 0 and 0 < alpha["stderr"] < 0.1 * alpha["value"]
        assert any(f["quantity"] == f"{route}.linewidth_inhomogeneous" for f in s["flags"])
    assert "linewidth_inhomogeneous" in capsys.readouterr().out


def test_a_kittel_misfit_flags_the_kittel_quantities_of_both_routes():
    spectra = []
    for i, f in enumerate((6.0, 8.0, 10.0, 12.0, 14.0)):
        truth = dict(TRUTH)
        if f == 6.0:
            truth["meff"] = TRUTH["meff"] * 1.08
        spectra.append(spectrum(f, seed=i, truth=truth))
    a = analyse_stfmr(sf.Sweep(tuple(spectra)))
    assert a.kittel.redchi > 10
    s = summary_dict(a)
    for route in ("sequential", "global"):
        for name in ("mu0_meff", "gyromagnetic_ratio", "g"):
            assert "Kittel fit (sequential): reduced chi-square" in _reasons(s[route][name])
        assert "Kittel fit" not in _reasons(s[route]["alpha"])


def test_an_undetermined_gyromagnetic_ratio_is_flagged():
    """8-10 GHz on a film with mu0 M_eff = 1.8 T (H_res << M_eff: only gamma^2 M_eff is
    determined): gamma/2pi is held at the free-electron value; M_eff rests on it."""
    truth = {**TRUTH, "meff": 1.8}
    a = analyse_stfmr(sf.Sweep(tuple(spectrum(f, seed=i, noise=0.1, truth=truth)
                                     for i, f in enumerate((8.0, 9.0, 10.0)))))
    assert any("gamma/2pi is not determined" in n for n in a.notes)
    s = summary_dict(a)
    for route in ("sequential", "global"):
        assert s[route]["gyromagnetic_ratio"]["stderr"] is None
        for name in ("mu0_meff", "gyromagnetic_ratio", "g"):
            assert "gamma/2pi is not determined" in _reasons(s[route][name]), (route, name)


def test_a_non_finite_standard_error_is_flagged_not_hidden(example):
    a = dataclasses.replace(example, sequential={**example.sequential,
                                                 "alpha": ufloat(0.012, math.nan)})
    q = summary_dict(a)["sequential"]["alpha"]
    assert q["stderr"] is None and "standard error is not finite" in _reasons(q)


def test_meff_above_the_given_ms_is_flagged(example):
    s = summary_dict(example, dataclasses.replace(EXAMPLE_SAMPLE, mu0_ms=0.6))
    for route in ("sequential", "global"):
        assert "exceeds the given mu0_ms = 0.6 T" in _reasons(s[route]["mu0_meff"])
    s = summary_dict(example, EXAMPLE_SAMPLE)
    assert "flags" not in s["sequential"]["mu0_meff"]


def test_meff_against_the_geometry_and_the_resonance_fields():
    from sotfit.analysis.stfmr import _meff_geometry_check

    fits = [SimpleNamespace(frequency=f, combined={"h_res": ufloat(h, 1e-4)},
                            value={"h_res": h}.__getitem__)     # as SpectrumFit reads it
            for f, h in ((4.0, 0.05), (8.0, 0.30))]
    assert _meff_geometry_check(ufloat(0.8, 0.01), "inplane", fits) is None
    assert _meff_geometry_check(ufloat(-0.04, 0.01), "inplane", fits) is None
    reason = _meff_geometry_check(ufloat(-0.2, 0.01), "inplane", fits)
    assert "perpendicular easy axis" in reason and "4 GHz" in reason and "8 GHz" not in reason
    assert "easy plane" in _meff_geometry_check(ufloat(0.1, 0.01), "outofplane", fits)
    assert _meff_geometry_check(ufloat(-0.5, 0.01), "outofplane", fits) is None


def test_strict_exit_status_on_the_long_table_of_a_mislabelled_field_unit(tmp_path, capsys):
    """The long table read with the field taken as mT instead of Oe (ten times too large):
    M_eff and gamma/2pi come out far from any film's and the Kittel relation misses; the
    run is flagged and --strict exits 3."""
    path = write_long_table(tmp_path / "long.csv")
    text = path.read_text().replace("field_Oe", "field_mT", 1)
    bad = tmp_path / "long_mT.csv"
    bad.write_text(text)
    out = tmp_path / "out"
    rc = main(["stfmr", str(bad), "--out", str(out), "--no-figures", "--strict",
               *EXAMPLE_ARGS])
    assert rc == 3
    s = json.loads((out / "summary.json").read_text())
    assert any(f["quantity"] == "sequential.mu0_meff" for f in s["flags"])
    assert "flagged result" in capsys.readouterr().err


def test_data_checks_use_the_branch_lineshape():
    """Field-derivative spectra are checked against the derivative lineshape, not the mixing
    one: clean derivative spectra carry no data-check flag."""
    import numpy as np

    import sotfit as sf
    from sotfit.analysis.stfmr import analyse_stfmr, data_checks
    from sotfit.models import MODELS
    from sotfit.models.magnetization import linewidth_hwhm, resonance_field_inplane

    deriv = MODELS["stfmr_derivative"]
    rng = np.random.default_rng(3)
    data = []
    for f in (8.0, 10.0, 12.0, 14.0):
        hr = resonance_field_inplane(f, 0.9, 29.0)
        w = linewidth_hwhm(f, 0.01, 0.001, 29.0)
        h = np.linspace(hr - 15 * w, hr + 15 * w, 301)
        v = deriv(h, h_res=hr, width=w, vs=3.0, va=1.0, offset=0.2, slope=1.0)
        data.append(sf.Dataset(h, v + rng.normal(0, 0.01, h.size), x_name="field", x_unit="T",
                               y_name="vmix", y_unit="uV",
                               meta={"frequency": f, "source": f"d{f:g}GHz.csv"}))
    a = analyse_stfmr(data, model=deriv, global_fit=False)
    assert data_checks(a) == {"sequential": {}}


def test_repeats_that_disagree_are_flagged_not_only_noted():
    """Two repeats at one frequency whose resonance fields differ far beyond their errors: the
    summary's repeat entry carries a flag, collected into the top-level list."""
    from sotfit.analysis.stfmr import analyse_stfmr, summary_dict
    from sotfit.flags import finalise_flags
    from stfmr_synth import TRUTH, spectrum

    data = [spectrum(f, seed=i) for i, f in enumerate((8.0, 10.0, 12.0))]
    shifted = dict(TRUTH, meff=TRUTH["meff"] + 0.02)  # the same device remeasured 20 mT off
    data.append(spectrum(10.0, seed=7, truth=shifted, source="synthetic_10GHz_1.csv"))
    s = summary_dict(analyse_stfmr(data, global_fit=False))
    flags = finalise_flags(s)
    assert any(f["quantity"].startswith("repeats[") and "disagree in h_res" in f["reason"]
               for f in flags), flags


def test_spectra_checked_where_fitted_and_let_go_of_their_points(tmp_path):
    """Without the global fit and the figures a run keeps no points: each spectrum is checked
    against its windowed data where it is fitted, and the checks (at any limit), values and
    summaries are those of the run that keeps the points."""
    import numpy as np

    from sotfit.analysis.stfmr import analyse_stfmr, data_checks, summary_dict
    from sotfit.analysis.stfmr.checks import residual_lag1
    from sotfit.analysis.stfmr.file_batches import _without_data, read_files
    from sotfit.analysis.stfmr.spectra import fit_spectra_batch

    sweep, _ = read_files([str(EXAMPLE)])
    kept = fit_spectra_batch(list(sweep))
    bare = [_without_data(s, keep_windows=False) for s in kept]
    for s, b in zip(kept, bare):
        assert all(len(r.datasets[0]) == 0 for r in b.branches) and len(b.dataset) == 0
        assert b.values == s.values and b._stderrs == s._stderrs
        assert b.point_checks["data"][0] > 0 and not s.point_checks
        assert b.point_checks["rounding"] is None
        assert b.point_checks["residual_lag1"] == residual_lag1(s)
        assert [r.meta["n_points_window"] for r in b.branches] == [len(r.datasets[0])
                                                                   for r in s.branches]
    freqs = {s.source: s.frequency for s in kept}
    a_kept = analyse_stfmr(None, global_fit=False, fitted=(kept, [], [], freqs))
    a_bare = analyse_stfmr(None, global_fit=False, fitted=(bare, [], [], freqs))
    for limit in (5.0, 1.0, 0.0):
        assert data_checks(a_bare, limit) == data_checks(a_kept, limit)
    assert len(data_checks(a_bare, 0.0)["sequential"]) == len(kept)    # every one measured
    sample = EXAMPLE_SAMPLE
    assert summary_dict(a_bare, sample)["spectra"] == summary_dict(a_kept, sample)["spectra"]
    assert np.isfinite(a_bare.sequential["meff"].nominal_value)


def test_data_checks_of_many_spectra_at_once_are_those_of_one_at_a_time():
    """The windows of all spectra of a chunk are checked together (padded, by model): the same
    worst branch and ratio as one spectrum at a time, and the ratio is the residual variance
    about the reported lineshape plus the least-squares line (numpy's lstsq) over the noise
    of the branch fit."""
    import numpy as np

    from sotfit.analysis.stfmr.checks import spectrum_data_check, spectrum_data_checks
    from sotfit.analysis.stfmr.file_batches import read_files
    from sotfit.analysis.stfmr.spectra import fit_spectra_batch

    sweep, _ = read_files([str(EXAMPLE)])
    fits = fit_spectra_batch(list(sweep))
    together = spectrum_data_checks(fits)
    for s, t in zip(fits, together):
        one = spectrum_data_check(s, s.values)
        assert t[1:] == one[1:] and t[0] == pytest.approx(one[0], rel=1e-12)
        ratio, pol, vs, va = t
        (r,) = [b for b in s.branches if int(b.meta["polarity"]) == pol]
        d = r.datasets[0]
        h_res, width = r.value("h_res"), r.value("width")
        line = r.models[0](d.x, h_res=h_res, width=width, vs=vs, va=va, offset=0.0, slope=0.0)
        a = np.column_stack([np.ones(len(d)), d.x - h_res])
        resid = d.y - line - a @ np.linalg.lstsq(a, d.y - line, rcond=None)[0]
        noise2 = r.chisqr / (r.ndata - r.nvarys)
        assert ratio == pytest.approx(resid @ resid / (len(d) - 2) / noise2, rel=1e-9)


def test_branches_with_widths_of_two_different_lines_are_flagged():
    """A second, broader line on the - branch of one spectrum (a mode seen on one polarity):
    that branch fits a width twice the true one, and the spectrum's combined values, its
    torques and the damping that its width enters are flagged, naming it; the spectra whose
    branches agree are not."""
    import numpy as np
    from sotfit.flags import collect_flags
    from sotfit.models.lineshapes import mixing_voltage
    from sotfit.models.magnetization import linewidth_hwhm, resonance_field_inplane

    spectra = [spectrum(f, seed=i) for i, f in enumerate((6.0, 8.0, 10.0, 12.0, 14.0))]
    hr = resonance_field_inplane(10.0, TRUTH["meff"], TRUTH["gyromagnetic_ratio"])
    w = linewidth_hwhm(10.0, TRUTH["alpha"], TRUTH["linewidth_inhomogeneous"],
                       TRUTH["gyromagnetic_ratio"])
    d = spectra[2]
    second = np.where(d.x < 0, mixing_voltage(np.abs(d.x), hr, 2 * w, 4.0, 0.0), 0.0)
    spectra[2] = sf.Dataset(d.x, d.y + second, x_unit="T", y_unit="uV", meta=dict(d.meta))
    a = analyse_stfmr(spectra)
    s = summary_dict(a)
    for n, row in enumerate(s["spectra"]):
        flagged = [k for k in ("h_res", "width", "vs", "va", "ratio") if "branches of" in _reasons(row[k])]
        assert flagged == (["h_res", "width", "vs", "va", "ratio"] if n == 2 else []), n
    assert "the + and - branches of synthetic_10GHz.csv at 10 GHz give widths 4.98 and " \
        in _reasons(s["spectra"][2]["width"])
    for route in ("sequential", "global"):
        assert "synthetic_10GHz.csv" in _reasons(s[route]["alpha"]), route
    clean = summary_dict(analyse_stfmr([spectrum(f, seed=i) for i, f in
                                        enumerate((6.0, 8.0, 10.0, 12.0, 14.0))]))
    assert not any("branches of" in f["reason"] for f in collect_flags(clean))


def _tesla_headed_mt(folder: Path, scale: float = 1e-3) -> Path:
    """The example's spectra with their fields multiplied by ``scale`` under the header
    'Field (mT)': 1e-3 for tesla written under mT (as a spin-pumping export writes them), 10
    for oersted."""
    folder.mkdir()
    for p in sorted(EXAMPLE.glob("py_pt_*GHz.csv")):
        lines = []
        for line in p.read_text().splitlines():
            if line[:1].isdigit() or line[:1] == "-":
                h, v = line.split(",")
                line = f"{float(h) * scale:.8f},{v}"
            lines.append(line)
        (folder / p.name).write_text("\n".join(lines) + "\n")
    return folder


def test_a_free_gamma_on_the_edge_of_its_range_names_the_field_unit(tmp_path):
    """Fields of oersted under the header mT (ten times too large): the free Kittel fit runs
    onto the lower end of gamma/2pi (10 GHz/T against 28) and is replaced by the free-electron
    value; the note now says what such a gamma means (it said only that g was assumed)."""
    a = analyse_stfmr(sf.load(str(_tesla_headed_mt(tmp_path / "oe", 10.0))), global_fit=False)
    (note,) = [n for n in a.notes if n.startswith("gamma/2pi is not determined")]
    assert "at a bound" in note and note.endswith(
        "a free gamma/2pi on the edge of its range is what fields read in a wrong unit give (Oe "
        "read as mT scales every resonance field by 10 and gamma/2pi by 1/10): check the field "
        "unit")


@pytest.mark.slow   # a long validation: run with -m slow
def test_resonance_fields_no_ferromagnet_has_are_flagged(tmp_path, example):
    """A field column of tesla headed mT: resonances of 80-320 uT at 8-18 GHz need mu0 M_eff
    of 1000 T in the in-plane Kittel relation; every spectrum's H_res and W and the Kittel
    quantities of both routes are flagged (only fit-quality flags said anything, and a single
    spectrum nothing). The bound: 2 x 2.45 T, the largest magnetisation of any ferromagnet."""
    from sotfit.analysis.stfmr.checks import MEFF_IMPLAUSIBLE_FACTOR, MU0_MS_MAX, implausible_meff
    from sotfit.models.magnetization import meff_inplane, resonance_field_inplane

    # the check is the Kittel relation inverted: a field just on either side of the bound
    bound = MEFF_IMPLAUSIBLE_FACTOR * MU0_MS_MAX
    h = resonance_field_inplane(10.0, bound)
    assert meff_inplane(h, 10.0) == pytest.approx(bound, rel=1e-12)
    assert implausible_meff(h * 1.001, 10.0) is None and implausible_meff(h * 0.999, 10.0)
    assert implausible_meff(resonance_field_inplane(10.0, 2.45), 10.0) is None
    assert "check the field unit" in implausible_meff(resonance_field_inplane(10.0, 1.0) / 1000,
                                                      10.0)

    bad = _tesla_headed_mt(tmp_path / "bad")
    s = summary_dict(analyse_stfmr(sf.load(str(bad))))
    for row in s["spectra"]:
        assert "needs mu0 M_eff" in _reasons(row["h_res"]) and "check the field unit" in _reasons(row["width"])
    for route in ("sequential", "global"):
        assert "6 of 6 resonance fields are too small" in _reasons(s[route]["mu0_meff"])
    # the clean example: no such flag anywhere
    clean = json.dumps(summary_dict(example))
    assert "needs mu0 M_eff" not in clean and "too small for any" not in clean
    # one spectrum alone (no Kittel fit) is flagged too, and --override-unit reads it right
    one = bad / "py_pt_8GHz.csv"
    assert main(["stfmr", str(one), "--out", str(tmp_path / "o1"), "--no-figures"]) == 0
    (row,) = json.loads((tmp_path / "o1" / "summary.json").read_text())["spectra"]
    assert "needs mu0 M_eff" in _reasons(row["h_res"])
    assert main(["stfmr", str(one), "--override-unit", "field=T", "--out", str(tmp_path / "o2"),
                 "--no-figures"]) == 0
    (fixed,) = json.loads((tmp_path / "o2" / "summary.json").read_text())["spectra"]
    assert fixed["h_res"]["value"] == pytest.approx(1000 * row["h_res"]["value"], rel=1e-6)
    assert "flags" not in fixed["h_res"]


def test_torque_fields_and_efficiencies_no_measurement_reaches_are_flagged(tmp_path):
    """The example's voltages of microvolts under the header 'Vmix (V)': torque fields of 56 T
    and efficiencies of 7e4 came out with no flag and exit 0. Any summary's torque fields
    beyond 5 T and efficiencies beyond 1000 (far past the largest measured) are flagged."""
    from sotfit.flags import collect_flags

    def one(name, value, unit):
        return [f["reason"] for f in collect_flags({"x": {name: {"value": value, "stderr": 0.1,
                                                                 "unit": unit}}})]

    assert one("mu0_h_dl", 4.9, "T") == [] and one("mu0_h_dl", -5.1, "T")
    assert one("xi_fl", 999.0, "") == [] and one("xi_dl", 1001.0, "")
    assert one("mu0_meff", 6.0, "T") == []      # not a torque field
    bad = tmp_path / "v"
    bad.mkdir()
    for p in sorted(EXAMPLE.glob("py_pt_*GHz.csv")):
        (bad / p.name).write_text(p.read_text().replace("Vmix (uV)", "Vmix (V)"))
    out = tmp_path / "out"
    assert main(["stfmr", str(bad), "--out", str(out), "--no-figures", *EXAMPLE_ARGS]) == 0
    s = json.loads((out / "summary.json").read_text())
    for route in ("sequential", "global"):
        for k in ("mu0_h_dl", "mu0_h_fl", "xi_dl", "xi_fl"):
            assert "check the units of the voltages" in _reasons(s[route][k]), (route, k)


def test_repeats_of_opposite_amplitudes_are_flagged(tmp_path):
    """A polarity column read with --split-sweeps (or a _neg file of |H| without
    --negative-field) gave each -H branch as a '+H repeat' with V_s and V_a reversed: the
    repeat check compared h_res, width and V_s/V_a, which keep their signs, and said nothing."""
    src = Path(__file__).resolve().parents[1] / "data" / "stfmr_example" / "py_pt_8GHz.csv"
    lines = src.read_text().splitlines()
    head = [i for i, line in enumerate(lines) if not line.startswith("#")][0]
    flipped = [f"{a},{-float(b)!r}" for a, b in (line.split(",") for line in lines[head + 1:])]
    (tmp_path / "py_pt_8GHz_run1.csv").write_text(src.read_text())
    (tmp_path / "py_pt_8GHz_run2.csv").write_text("\n".join(lines[:head + 1] + flipped) + "\n")
    out = tmp_path / "out"
    assert main(["stfmr", str(tmp_path / "py_pt_8GHz_run1.csv"), str(tmp_path / "py_pt_8GHz_run2.csv"),
                 "--no-figures", "--out", str(out)]) == 0
    reps = json.loads((out / "summary.json").read_text())["repeats"]
    said = [f for r in reps for f in r.get("flags", []) if "of opposite signs" in f]
    assert {f.split(" have ")[1].split(" ")[0] for f in said} == {"vs", "va"}


def test_torques_resting_on_a_flagged_meff_are_flagged(tmp_path):
    """--g 2.0023 for spectra of g = 2.10 flagged M_eff (the Kittel fit misses) but left
    xi_dl, 11 standard errors off, unflagged: the torques of a route rest on its M_eff."""
    example = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"
    sample = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm", "--rho", "20uOhmcm",
              "--rho-fm", "40uOhmcm", "--delta-r", "0.5Ohm", "--irf", "1mA", "--irf-is", "peak",
              "--width", "10um"]
    runs = {}
    for name, extra in (("free", []), ("fixed", ["--g", "2.0023"])):
        out = tmp_path / name
        assert main(["stfmr", str(example), "--no-figures", "--out", str(out), *sample, *extra]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())["sequential"]
    said = "rests on sequential mu0_meff, which is flagged"
    assert runs["fixed"]["mu0_meff"].get("flags")
    for k in ("xi_dl", "xi_fl", "xi_fmr", "mu0_h_dl"):
        assert any(said in f for f in runs["fixed"][k]["flags"]), k
    assert not any(said in f for f in runs["fixed"]["mu0_h_oe"].get("flags", []))
    assert not any(said in f for q in runs["free"].values() if isinstance(q, dict)
                   for f in q.get("flags", []))
