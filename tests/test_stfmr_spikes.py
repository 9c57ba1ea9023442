"""Single-point spikes of ST-FMR branches: never found on a resonance the search can fit (the
bounds of :mod:`sotfit.analysis.stfmr.spikes`), always found where planted, left out of the
fits (which then give the numbers of the clean spectrum within their uncertainties) and named
in the notes; none on the real measured sets."""

import glob
from pathlib import Path

import numpy as np
import pytest

import sotfit as sf
from sotfit.analysis.stfmr.branches import split_branches
from sotfit.analysis.stfmr.spectra import fit_spectrum
from sotfit.analysis.stfmr.spikes import GLITCH_RULE, SPIKE_RULE, spike_indices
from sotfit.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example" / "py_pt_10GHz.csv"
PHASES = np.linspace(0.0, np.pi, 25)


def _lineshapes(d, derivative):
    """Mixing (symmetric and antisymmetric Lorentzians) or field-derivative lineshapes of
    every phase, at reduced field offsets ``d`` = (H - H_res)/W."""
    lor, dis = 1 / (1 + d * d), d / (1 + d * d)
    if derivative:
        lor, dis = -2 * d / (1 + d * d) ** 2, (1 - d * d) / (1 + d * d) ** 2
    return [np.cos(p) * lor + np.sin(p) * dis for p in PHASES]


@pytest.mark.parametrize("derivative, largest_step, longest",
                         [(False, 1.2, 1), (False, 1.2, GLITCH_RULE["longest"]), (True, 0.95, 1)])
def test_no_sampled_resonance_has_a_spike(derivative, largest_step, longest):
    """Every step up to the largest the bound covers (1.2 half widths, the coarsest the search
    accepts, for the mixing lineshape), every offset of the grid, every phase; noise-free and
    with noise 1e-4 of the amplitude (so that the distance test is passed everywhere and only
    the adjacent points decide). Under the mixing lineshape no glitch of up to three points
    either."""
    rng = np.random.default_rng(5)
    for step in np.linspace(0.05, largest_step, 24):
        for offset in np.linspace(0.0, 1.0, 11):
            d = (np.arange(-60, 61) + offset) * step
            for y in _lineshapes(d, derivative):
                for noise in (0.0, 1e-4):
                    v = 10.0 * y + noise * 10.0 * rng.standard_normal(d.size)
                    assert spike_indices(v, longest)[0].size == 0, (step, offset)


def test_glitches_are_not_judged_under_the_derivative_lineshape():
    """A field-derivative lineshape sampled at 0.8 half widths (inside the single-point
    bound) has runs of two points of one sign whose neighbours beside them lie nearer their
    median than 0.1 of their distance: the glitch rule would take a lobe for a glitch, so it is
    applied under the mixing lineshape only (the spectrum fit leaves a derivative branch's
    glitches in)."""
    from numpy.lib.stride_tricks import sliding_window_view

    d = (np.arange(-60, 61) + 0.5) * 0.8
    worst = 1.0
    for y in _lineshapes(d, True):
        w = sliding_window_view(y, 8)
        m = np.median(np.concatenate([w[:, :3], w[:, 5:]], axis=1), axis=1)
        r = w[:, 3:5] - m[:, None]
        one_sign = np.all(r > 0, axis=1) | np.all(r < 0, axis=1)
        small = np.min(np.abs(r), axis=1)
        adj = np.maximum(np.abs(w[:, 2] - m), np.abs(w[:, 5] - m))
        sel = one_sign & (small > 0.02 * np.max(np.abs(y)))
        worst = min(worst, float(np.min(adj[sel] / small[sel])))
    assert worst < SPIKE_RULE["calm"]
    spiky = np.sin(np.linspace(0, 3, 200)) * 0.0
    spiky[100:102] += 5.0
    spiky += np.random.default_rng(2).normal(0, 0.01, 200)
    assert spike_indices(spiky)[0].size == 0 and spike_indices(spiky, 2)[0].size == 2


def test_the_bound_is_where_the_docstring_puts_it():
    """Below the rule's calm fraction at a coarser step: the derivative lineshape at 1.2 half
    widths has points whose adjacent points lie nearer their median than 0.1 of their own
    distance (so the bound is a property of the sampling, not of the rule being lax)."""
    d = (np.arange(-60, 61) + 0.5) * 1.2
    from numpy.lib.stride_tricks import sliding_window_view
    worst = 1.0
    for y in _lineshapes(d, True):
        w = sliding_window_view(y, 7)
        m = np.median(np.delete(w, 3, axis=1), axis=1)
        r = w[:, 3] - m
        adj = np.maximum(np.abs(w[:, 2] - m), np.abs(w[:, 4] - m))
        sel = np.abs(r) > 0.02 * np.max(np.abs(y))
        worst = min(worst, float(np.min(adj[sel] / np.abs(r[sel]))))
    assert worst < SPIKE_RULE["calm"]


def _example():
    return sf.io.read_stfmr(EXAMPLE)[0]


def test_planted_spikes_are_found_and_the_fit_is_that_of_the_clean_spectrum(tmp_path):
    d = _example()
    rng = np.random.default_rng(11)
    y = d.y.copy()
    planted = {}
    for b in split_branches(d):
        pol = b.meta["polarity"]
        idx = np.flatnonzero(np.sign(d.x) == pol)
        centre = idx[np.argmin(np.abs(np.abs(d.x[idx]) - 0.1))]   # on the resonance's flank
        for i in (centre, idx[len(idx) // 5], idx[-len(idx) // 7]):
            y[i] += rng.choice([-1, 1]) * rng.uniform(2.0, 40.0)     # 200-4000 noise levels
            planted.setdefault(pol, set()).add(round(abs(float(d.x[i])), 12))
    spiky = sf.Dataset(d.x, y, None, x_name=d.x_name, y_name=d.y_name, x_unit=d.x_unit,
                       y_unit=d.y_unit, meta=dict(d.meta))
    for b in split_branches(spiky):
        i, size = spike_indices(b.y)
        assert {round(float(b.x[k]), 12) for k in i} == planted[b.meta["polarity"]]
        assert np.all(size > SPIKE_RULE["noise_levels"])
    clean, fitted = fit_spectrum(d), fit_spectrum(spiky)
    for key in ("h_res", "width", "vs", "va"):
        for pol in (1, -1):
            a, b = clean.branch(pol), fitted.branch(pol)
            assert abs(b.params[key].n - a.params[key].n) < 0.5 * a.params[key].s
    assert sum("single-point spike(s) left out of the fits" in n for n in fitted.notes) == 2
    assert not any("spike" in n for n in clean.notes)


@pytest.mark.parametrize("length", [2, 3])
def test_planted_glitches_are_found_and_the_fit_is_that_of_the_clean_spectrum(length):
    """Glitches of two and three adjacent points (one sign, 60-2000 noise levels) on each
    branch, one on the resonance's flank inside the fit window: found where planted, and the
    fits then agree with the clean spectrum's within half a standard error; left in, a glitch
    of two points 100 noise levels high on the flank moves V_s by several of its errors."""
    d = _example()
    rng = np.random.default_rng(13 + length)
    y = d.y.copy()
    planted = {}
    for b in split_branches(d):
        pol = b.meta["polarity"]
        idx = np.flatnonzero(np.sign(d.x) == pol)
        idx = idx[np.argsort(np.abs(d.x[idx]))]                      # ascending |H|
        near = idx[np.argmin(np.abs(np.abs(d.x[idx]) - 0.13))]       # inside the window
        for start in (int(np.flatnonzero(idx == near)[0]), len(idx) // 5):
            size = rng.choice([-1, 1]) * rng.uniform(0.6, 20.0)
            for i in idx[start:start + length]:
                y[i] += size * rng.uniform(0.8, 1.2)
                planted.setdefault(pol, set()).add(round(abs(float(d.x[i])), 12))
    glitchy = sf.Dataset(d.x, y, None, x_name=d.x_name, y_name=d.y_name, x_unit=d.x_unit,
                         y_unit=d.y_unit, meta=dict(d.meta))
    for b in split_branches(glitchy):
        i, size = spike_indices(b.y, GLITCH_RULE["longest"])
        assert {round(float(b.x[k]), 12) for k in i} == planted[b.meta["polarity"]]
        assert np.all(size > SPIKE_RULE["noise_levels"])
        assert spike_indices(b.y)[0].size == 0         # not single-point spikes
    clean, fitted = fit_spectrum(d), fit_spectrum(glitchy)
    for key in ("h_res", "width", "vs", "va"):
        for pol in (1, -1):
            a, b = clean.branch(pol), fitted.branch(pol)
            assert abs(b.params[key].n - a.params[key].n) < 0.5 * a.params[key].s, (key, pol)
    notes = [n for n in fitted.notes if "left out of the fits" in n]
    assert len(notes) == 2 and all(f"2 spike(s) of up to 3 adjacent points ({2 * length} "
                                   "points)" in n for n in notes)


def test_a_glitch_left_in_would_move_the_fit():
    """The reason for the glitch rule: two points 1 uV (100 noise levels) high on the flank of
    the example's resonance, fitted with the points left in, move V_s by more than three of
    the clean fit's errors."""
    from sotfit.analysis.stfmr.branch_fit import fit_branches

    (plus,) = [b for b in split_branches(_example()) if b.meta["polarity"] == 1]
    i = int(np.argmin(np.abs(plus.x - 0.13)))
    y = plus.y.copy()
    y[i:i + 2] += 1.0
    clean, moved = fit_branches([plus, plus.replace(y=y)])
    assert abs(moved.value("vs") - clean.value("vs")) > 3 * clean.stderr("vs")


def test_the_command_names_a_spike_it_left_out(tmp_path, capsys):
    lines = EXAMPLE.read_text().splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith("-100."))   # near the resonance
    h, v = lines[k].split(",")
    lines[k] = f"{h},{float(v) + 25.0:.6f}"
    p = tmp_path / "spiky_10GHz.csv"
    p.write_text("\n".join(lines) + "\n")
    assert main(["stfmr", str(p), "--out", str(tmp_path / "o"), "--no-figures"]) == 0
    out = capsys.readouterr().out
    assert f"- branch: 1 single-point spike(s) left out of the fits: {abs(float(h)) / 1e3:.6g} T" \
        in out


def test_no_spike_on_the_real_sets(real_data):
    sets = [(glob.glob(str(real_data / "stfmr_cofe_pt" / "*" / "*.lvm")), {}),
            (glob.glob(str(real_data / "stfmr_unlabelled_8_10ghz" / "*")),
             {"field_unit": "T", "voltage_unit": "V"}),
            (glob.glob(str(real_data / "fmr_yig_derivative" / "test1*")),
             {"voltage_column": "Xchannel", "voltage_unit": "V"}),
            (glob.glob(str(real_data / "fmr_yig_derivative" / "test1*")),
             {"voltage_column": "Ychannel", "voltage_unit": "V"}),
            (glob.glob(str(real_data / "cmtj_ta_cofeb_5360" / "VSD" / "*.csv")),
             {"field_unit": "Oe", "voltage_unit": "V"})]
    branches = 0
    for files, options in sets:
        for f in files:
            for d in sf.io.read_stfmr(f, split_sweeps=True, **options):
                for b in split_branches(d):
                    branches += 1
                    assert spike_indices(b.y, GLITCH_RULE["longest"])[0].size == 0, \
                        (f, b.meta["branch"])
    assert branches >= 60
