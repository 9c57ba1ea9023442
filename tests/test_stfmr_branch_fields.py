"""The resonance fields of a spectrum's two branches against each other: both polarities cross
one resonance at |H| = H_res (up to a field offset below a width), so a branch fitted many
widths from the other fitted another feature. A weak line among strong ones was fitted on its
noise 33 mT below the other branch's (pull -53) with the spectrum's flags 'none'."""

import json

import numpy as np

from sotfit.cli import main

MEFF, GAMMA, ALPHA, W0 = 0.85, 29.392, 0.012, 0.0012      # T, GHz/T, 1, T


def _kittel_field(f):
    """In-plane Kittel resonance field (T) at ``f`` GHz: (f/gamma)^2 = H (H + M_eff)."""
    x = f / GAMMA
    return 0.5 * (-MEFF + np.sqrt(MEFF ** 2 + 4 * x * x))


def _write_set(folder, moved=None, seed=0):
    """Both branches of 6-12 GHz spectra (symmetric -0.6 uV and antisymmetric 1.0 uV parts,
    white noise 0.01 uV); ``moved`` = (frequency, field in T) puts the - branch's line of that
    spectrum at that field instead."""
    rng = np.random.default_rng(seed)
    folder.mkdir()
    for f in (6.0, 8.0, 10.0, 12.0):
        hr, w = _kittel_field(f), W0 + ALPHA * f / GAMMA
        rows = []
        for pol in (1, -1):
            centre = moved[1] if (moved and pol < 0 and moved[0] == f) else hr
            h = np.linspace(centre - 12 * w, centre + 12 * w, 300)
            h = h[h > 0.002]
            x = (h - centre) / w
            v = pol * (-0.6 / (1 + x * x) + 1.0 * x / (1 + x * x)) + rng.normal(0, 0.01, h.size)
            rows += list(zip(pol * h * 1e3, v))
        rows.sort()
        (folder / f"s_{f:g}GHz.csv").write_text(
            "# frequency_GHz: %g\n# field_angle_deg: 45\nField (mT),V (uV)\n" % f
            + "".join(f"{a:.5f},{b:.6f}\n" for a, b in rows))


def _flags(tmp_path, name, **kw):
    data = tmp_path / name
    _write_set(data, **kw)
    out = tmp_path / f"{name}_out"
    assert main(["stfmr", str(data), "--out", str(out), "--no-figures"]) == 0
    return json.loads((out / "summary.json").read_text())


def test_a_branch_fitted_many_widths_from_the_other_is_flagged(tmp_path):
    s = _flags(tmp_path, "moved", moved=(8.0, 0.3 * _kittel_field(8.0)))
    reasons = [f["reason"] for f in s["flags"] if f["quantity"] == "sequential.mu0_meff"]
    assert any("s_8GHz.csv at 8 GHz give resonance fields" in r and "line widths apart" in r
               for r in reasons)
    row = next(r for r in s["spectra"] if r["source"].startswith("s_8GHz"))
    assert any("give resonance fields" in f for f in row["h_res"].get("flags", []))


def test_branches_of_one_line_with_a_field_offset_are_not_flagged(tmp_path):
    """One line on both polarities, and one whose - branch is offset by half a width (a
    magnet's remanence): no flag of this check."""
    for name, moved in (("clean", None), ("offset", (8.0, _kittel_field(8.0) + 0.5 * (
            W0 + ALPHA * 8.0 / GAMMA)))):
        s = _flags(tmp_path, name, moved=moved)
        assert not any("give resonance fields" in f["reason"] for f in s.get("flags") or [])


def test_widths_of_correlated_branches_are_compared_with_their_widened_errors():
    """The branch-width check uses the errors of independent points (widened ones hid the
    distorted dev13 branch), but correlated noise of lag-1 0.7 then made 7.28 +- 0.93 against
    4.71 +- 0.63 mT (widened errors; 5.4 independent-point errors, a factor 1.55) 'one branch
    fitted another line': widths must also be 3 widened errors or a factor 2 apart."""
    from types import SimpleNamespace

    from sotfit.analysis.stfmr.checks import branch_width_disagreements

    def branch(width, widened, independent):
        return SimpleNamespace(value=lambda k, w=width: {"width": w}[k],
                               covar=np.array([[widened ** 2]]), varied=["width"],
                               params={"width": None},
                               meta={"independent_stderrs": {"width": independent}})

    def spectrum(plus, minus):
        return SimpleNamespace(branch=lambda pol: plus if pol > 0 else minus, source="s.csv",
                               frequency=8.0)

    correlated = spectrum(branch(7.28e-3, 0.93e-3, 0.35e-3), branch(4.71e-3, 0.63e-3, 0.32e-3))
    distorted = spectrum(branch(16.8e-3, 4.0e-3, 1.3e-3), branch(6.47e-3, 0.5e-3, 0.3e-3))
    white = spectrum(branch(7.28e-3, 0.35e-3, 0.35e-3), branch(4.71e-3, 0.32e-3, 0.32e-3))
    found = branch_width_disagreements([correlated, distorted, white])
    assert sorted(found) == [1, 2]
