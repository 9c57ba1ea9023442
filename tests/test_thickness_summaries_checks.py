"""Thickness series from summaries that disagree with the options, or whose spin source lies
above the ferromagnet.

* A Pt layer grown on top of the ferromagnet: the summaries hold the efficiencies in the lab
  frame (sigma = +y), where the same spin Hall conductivity gives the opposite torque; read as
  they are, sigma_s came out -4.10 for +4.0 with no note.
* --thickness in the order a shell pattern sorts the files (t10 before t2) silently replaced the
  thicknesses the summaries hold.
* --rho 250 for films of 25 uOhm cm gave G ten times too small, no note.
"""

import json

import numpy as np
import pytest

from sotfit.device import Sample
from sotfit.io.thickness import ThicknessError, from_summaries, read_thickness_table
from sotfit.analysis.stfmr.torques import missing_torque_inputs

from bundled import ROOT

DATA = ROOT / "data" / "thickness_example"


def _summary(t, dl, edl, fl, efl, below=True):
    q = lambda v, e, u: {"value": v, "stderr": e, "unit": u}  # noqa: E731
    sign = 1.0 if below else -1.0          # the lab frame: the torque of a source above flips
    return {"analysis": "stfmr",
            "sample": {"t_nm": q(t, None, "nm"), "rho_nm": q(350.3, None, "uOhm cm"),
                       "nm_below": below},
            "global": {"xi_e_dl": q(sign * dl, edl, "1e5 Ohm^-1 m^-1"),
                       "xi_e_fl": q(sign * fl, efl, "1e5 Ohm^-1 m^-1")}}


def _write(tmp_path, ref, below):
    paths = []
    for i in range(len(ref.dl)):
        p = tmp_path / f"s{i}.json"
        p.write_text(json.dumps(_summary(ref.dl.x[i], ref.dl.y[i], ref.dl.yerr[i], ref.fl.y[i],
                                         ref.fl.yerr[i], below=below(i))))
        paths.append(p)
    return paths


def test_a_spin_source_above_the_ferromagnet_enters_the_model_with_its_sign(tmp_path):
    ref = read_thickness_table(DATA / "nife_bisb.csv")
    for name, below in (("above", lambda i: False), ("mixed", lambda i: i % 2 == 0)):
        (tmp_path / name).mkdir()
        s = from_summaries(_write(tmp_path / name, ref, below))
        np.testing.assert_allclose(s.dl.y, ref.dl.y)
        np.testing.assert_allclose(s.fl.y, ref.fl.y)
        assert any("above the ferromagnet" in n for n in s.meta["reader_notes"])
    plain = from_summaries(_write(tmp_path, ref, lambda i: True))
    np.testing.assert_allclose(plain.dl.y, ref.dl.y)
    assert not plain.meta.get("reader_notes")


def test_thicknesses_given_against_the_summaries_are_refused(tmp_path):
    ref = read_thickness_table(DATA / "nife_bisb.csv")
    paths = _write(tmp_path, ref, lambda i: True)
    same = from_summaries(paths, thickness=list(ref.dl.x))
    np.testing.assert_allclose(same.dl.x, ref.dl.x)
    swapped = list(ref.dl.x)
    swapped[0], swapped[1] = swapped[1], swapped[0]
    with pytest.raises(ThicknessError, match=r"s0.json: --thickness gives .* but its sample "
                                             r"section says t_nm = "):
        from_summaries(paths, thickness=swapped)


def test_a_bulk_resistivity_above_every_film_is_noted(tmp_path):
    ref = read_thickness_table(DATA / "nife_bisb.csv")
    paths = _write(tmp_path, ref, lambda i: True)
    s = from_summaries(paths, resistivity=3503.0)
    assert any("more than 3 times every film's own" in n for n in s.meta["reader_notes"])
    s = from_summaries(paths, resistivity=300.0)         # a bulk below its films: as usual
    assert not any("times every film" in n for n in s.meta.get("reader_notes", ()))


def test_what_a_sample_lacks_for_its_torques_is_said():
    assert missing_torque_inputs(None) == []
    assert missing_torque_inputs(Sample()) == []
    full = dict(mu0_ms=0.95, t_fm=6.0, t_nm=6.0, width=1e4, rho_nm=20.0, rho_fm=40.0,
                current=1.0, delta_r=0.5)
    assert missing_torque_inputs(Sample(**full)) == []
    no_fm = {k: v for k, v in full.items() if k != "rho_fm"}
    said = missing_torque_inputs(Sample(**no_fm))
    assert len(said) == 1 and "fraction (--current-fraction" in said[0]
    no_tnm = {k: v for k, v in full.items() if k != "t_nm"}
    said = missing_torque_inputs(Sample(**no_tnm, current_fraction=0.7))
    assert "xi_fmr (the lineshape ratio) not computed" in said[0] and "t_nm (--t-nm)" in said[0]
    assert "efficiencies (xi_e_dl, xi_dl, xi_e_fl, xi_fl) not computed" in said[1]


def test_derivative_spectra_are_not_told_to_give_the_current_they_refuse():
    """Field-derivative spectra with a sample lacking the rf current and Delta R: the note
    asked for --irf and --delta-r, which such a run refuses; it says why no torque field
    follows from that lineshape instead, and still names what xi_fmr lacks."""
    part = Sample(mu0_ms=0.95, t_fm=6.0, width=1e4)
    said = missing_torque_inputs(part, {"stfmr_derivative"})
    fields = [n for n in said if n.startswith("torque fields")]
    assert len(fields) == 1 and "h_m/W" in fields[0] and "--irf" not in fields[0]
    assert any(n.startswith("xi_fmr") and "t_nm (--t-nm)" in n for n in said)
    mixing = missing_torque_inputs(part, {"stfmr_mixing"})
    assert any(n.startswith("torque fields") and "--irf" in n for n in mixing)


def test_notes_on_summaries_name_the_series(tmp_path):
    """The note on the resistivities read 'reader: None: ...'."""
    from sotfit.cli import main

    ref = read_thickness_table(DATA / "nife_bisb.csv")
    paths = _write(tmp_path, ref, lambda i: True)
    out = tmp_path / "out"
    assert main(["thickness", *map(str, paths), "--rho", "3503uOhmcm", "--label", "NiFe/BiSb",
                 "--no-figures", "--out", str(out)]) == 0
    notes = json.loads((out / "summary.json").read_text())["notes"]
    said = [n for n in notes if "times every film's own" in n]
    assert said and said[0].startswith("reader: NiFe/BiSb: ") and "None" not in said[0]


@pytest.mark.parametrize("beside", [False, True])
def test_a_correlation_of_fl_and_dl_in_the_summaries_is_used(tmp_path, beside):
    """The summaries give the FL-DL correlation (-0.32 on the Hall example); the thickness fit
    took the two as independent (errors ~11 % small for c = -0.3, up to 2 times large for
    +0.9). The correlations of the entries read reach the problem, and the least-squares
    optimum is the generalised one: its chi-square is r^T C^-1 r with the 2x2 blocks, computed
    here from the residuals independently of the fit's whitening. A Hall summary writes its
    correlations beside its 'quantities' section, not in it (``beside``): they were missed."""
    from sotfit.analysis.thickness import build_problem, fit_thickness

    ref = read_thickness_table(DATA / "nife_bisb.csv")
    paths = _write(tmp_path, ref, lambda i: True)
    assert not from_summaries(paths).meta.get("reader_notes")
    corr = {}
    for k, p in enumerate(paths):
        s = json.loads(p.read_text())
        c = -0.32 if k == 1 else 0.05 * (k % 3)
        (s if beside else s["global"])["correlations"] = {"xi_e_fl,xi_e_dl": c}
        corr[float(ref.dl.x[k])] = c
        p.write_text(json.dumps(s))
    series = from_summaries(paths)
    notes = series.meta["reader_notes"]
    assert any("up to -0.32" in n and "2x2 covariance" in n for n in notes)
    assert dict(series.meta["dl_fl_correlation"]) == pytest.approx(corr)
    problem = build_problem(series, joint=True, resistivity=series.resistivity)
    ((kd, kf, a, b, rho),) = problem.correlations
    assert [corr[float(problem.datasets[kd].x[i])] for i in a] == pytest.approx(list(rho))
    fit = fit_thickness(problem)
    dd, df = problem.datasets[kd], problem.datasets[kf]
    rd = fit.residuals(kd) / dd.yerr
    rf = fit.residuals(kf) / df.yerr
    chi2 = float(np.sum(rd ** 2) + np.sum(rf ** 2))
    for i, j, c in zip(a, b, rho):      # the blocks: r^T C^-1 r - (r_d^2 + r_f^2)
        block = np.array([[1.0, c], [c, 1.0]])
        v = np.array([rd[i], rf[j]])
        chi2 += float(v @ np.linalg.solve(block, v)) - float(v @ v)
    assert fit.chisqr == pytest.approx(chi2, rel=1e-9)
    independent = fit_thickness(build_problem(series, joint=True, resistivity=series.resistivity)
                                .replace(correlations=()))
    assert independent.chisqr != pytest.approx(fit.chisqr, rel=1e-6)


@pytest.mark.slow
def test_flags_of_the_efficiencies_read_go_with_the_fit(tmp_path):
    """Summaries whose every efficiency was flagged (a slip in the absolute scale) gave the
    numbers of the clean set and no flag, exit 0 under --strict: the flags of the entries read
    now flag every fitted quantity, and --strict exits 3."""
    from sotfit.cli import main

    ref = read_thickness_table(DATA / "nife_bisb.csv")
    clean, flagged = tmp_path / "clean", tmp_path / "flagged"
    clean.mkdir()
    flagged.mkdir()
    paths = {"clean": _write(clean, ref, lambda i: True), "flagged": []}
    for p in paths["clean"]:
        s = json.loads(p.read_text())
        s["global"]["xi_e_dl"]["flags"] = ["a slip in the absolute scale"]
        paths["flagged"].append(flagged / p.name)
        paths["flagged"][-1].write_text(json.dumps(s))
    series = from_summaries(paths["flagged"])
    assert len(series.meta["input_flags"]) == len(paths["flagged"])
    assert "global/xi_e_dl: a slip in the absolute scale" in series.meta["input_flags"][0]
    assert "input_flags" not in from_summaries(paths["clean"]).meta
    runs = {}
    for name in ("clean", "flagged"):
        out = tmp_path / f"out_{name}"
        runs[name] = main(["thickness", *map(str, paths[name]), "--no-figures", "--strict",
                           "--out", str(out)])
        runs[name + "_summary"] = json.loads((out / "summary.json").read_text())
    assert runs["flagged"] == 3
    fitted = runs["flagged_summary"]["spin_hall_conductivity"]
    assert any("rests on efficiencies flagged in" in f for f in fitted["flags"])
    assert not any("rests on efficiencies flagged" in f
                   for f in runs["clean_summary"]["spin_hall_conductivity"].get("flags", []))
    assert fitted["value"] == runs["clean_summary"]["spin_hall_conductivity"]["value"]


@pytest.mark.parametrize("again, said", [
    (lambda s: json.dumps(s, indent=4), "hold the same summary"),            # re-indented
    (lambda s: json.dumps({**s, "notes": ["run again"]}), "give the same thickness"),
])
def test_a_summary_saved_again_is_refused(tmp_path, again, said):
    """A summary.json saved again pretty-printed (as an editor or jq writes it) counted as a
    second point at its thickness (only a byte-identical copy was refused); so did the same
    analysis written again with another note. Independent measurements never give the same
    values and errors to the last digit: refused, naming both files."""
    ref = read_thickness_table(DATA / "nife_bisb.csv")
    paths = _write(tmp_path, ref, lambda i: True)[:4]
    copy = tmp_path / "again.json"
    copy.write_text(again(json.loads(paths[2].read_text())))
    with pytest.raises(ThicknessError, match=rf"s2.json and .*again.json {said}"):
        from_summaries([*paths, copy])


def test_a_summary_of_zero_thickness_is_refused(tmp_path):
    """A spin source of 0 nm was taken as a point of the series (a negative one is refused)."""
    ref = read_thickness_table(DATA / "nife_bisb.csv")
    paths = _write(tmp_path, ref, lambda i: True)[:3]
    s = json.loads(paths[1].read_text())
    s["sample"]["t_nm"]["value"] = 0.0
    paths[1].write_text(json.dumps(s))
    with pytest.raises(ThicknessError, match=r"s1.json: thickness must be > 0 nm .* got 0 nm"):
        from_summaries(paths)


def test_two_summaries_at_one_thickness_keep_their_correlations(tmp_path):
    """Nine summaries holding correlations, two of them at one thickness (two devices): the note
    said '8 of 9 files' and the fit took both points of that thickness as uncorrelated (the
    correlations were keyed by thickness). Each file's pair keeps its own."""
    from sotfit.analysis.thickness import build_problem

    ref = read_thickness_table(DATA / "nife_bisb.csv")
    paths = _write(tmp_path, ref, lambda i: True)[:4]
    second = json.loads(paths[2].read_text())
    for entry in second["global"].values():
        entry["value"] *= 1.05                      # another device of that thickness
    (tmp_path / "s2_device_b.json").write_text(json.dumps(second))
    paths.append(tmp_path / "s2_device_b.json")
    corr = [-0.3, -0.2, -0.1, 0.1, 0.2]
    for p, c in zip(paths, corr):
        s = json.loads(p.read_text())
        s["global"]["correlations"] = {"xi_e_fl,xi_e_dl": c}
        p.write_text(json.dumps(s))
    series = from_summaries(paths)
    assert any("(5 of 5 files, up to -0.3)" in n for n in series.meta["reader_notes"])
    problem = build_problem(series, joint=True, resistivity=series.resistivity)
    ((kd, kf, a, b, rho),) = problem.correlations
    assert sorted(rho) == pytest.approx(sorted(corr))
    t2 = float(ref.dl.x[2])
    at_t2 = [r for i, r in zip(a, rho) if problem.datasets[kd].x[i] == t2]
    assert sorted(at_t2) == pytest.approx([-0.1, 0.2])


def test_summaries_read_from_different_sections_are_noted(tmp_path):
    """A summary made with --no-global holds only 'sequential': its numbers were mixed with the
    'global' ones of the others without a word. Noted, naming the file, and each file's
    section kept beside it."""
    ref = read_thickness_table(DATA / "nife_bisb.csv")
    paths = _write(tmp_path, ref, lambda i: True)[:4]
    s = json.loads(paths[1].read_text())
    s["sequential"] = s.pop("global")
    paths[1].write_text(json.dumps(s))
    series = from_summaries(paths)
    assert series.meta["sections"] == ["global", "sequential", "global", "global"]
    notes = [n for n in series.meta.get("reader_notes", ()) if "different sections" in n]
    assert notes and "global in 3 file(s); sequential in" in notes[0]
    assert str(paths[1]) in notes[0]
    same = from_summaries(paths[2:]).meta
    assert same["sections"] == ["global", "global"]
    assert not any("different sections" in n for n in same.get("reader_notes", ()))
