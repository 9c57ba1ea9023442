"""The resonance search and the batch spectrum stage against their references.

* ``find_resonance`` returns the winner of the exhaustive scan of its candidate grid (the
  scan the pipeline made candidate by candidate before), on every branch of the bundled
  example, of the measured sets, and of spectra that share their field values (the scan by
  matrix products);
* ``fit_branches`` gives what ``fit_branch`` gives one branch at a time;
* a 10^6-point spectrum is searched on binned points and fitted on its window.
"""

import warnings
from pathlib import Path

import numpy as np
import pytest

import sotfit as sf
from sotfit.analysis.stfmr_spectra import (
    _find_resonance_exhaustive, find_resonance, find_resonances, fit_branch, fit_branches,
    fit_spectra_batch, fit_spectrum, split_branches,
)
from sotfit.models import MODELS

from stfmr_synth import spectrum

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"


def _same(fast, slow):
    assert (fast["h_res"], fast["width"]) == (slow["h_res"], slow["width"])
    assert fast["significance"] == pytest.approx(slow["significance"], rel=1e-9)
    for k in ("vs", "va", "offset", "slope"):
        assert fast[k] == pytest.approx(slow[k], rel=1e-7, abs=1e-12)


def _branches(sweep):
    return [b for d in sweep for b in split_branches(d)]


def test_example_branches_same_winner_as_the_exhaustive_scan():
    branches = _branches(sf.load(EXAMPLE))
    fast = find_resonances([(b.x, b.y) for b in branches])
    for b, f in zip(branches, fast):
        _same(f, _find_resonance_exhaustive(b.x, b.y))
        _same(find_resonance(b.x, b.y), f)          # alone or in a batch: the same


@pytest.mark.real_data
def test_measured_branches_same_winner_as_the_exhaustive_scan(real_data):
    sets = {"stfmr_cofe_pt/CoFe-Pt_102521a_dev11": {}, "stfmr_cofe_pt/CoFe-Pt_110521a_dev13": {},
            "stfmr_unlabelled_8_10ghz": {"field_unit": "T", "voltage_unit": "V"}}
    branches = []
    for folder, opts in sets.items():
        if not (real_data / folder).is_dir():
            pytest.skip(f"{folder} missing")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            branches += _branches(sf.load(real_data / folder, **opts))
    for b, f in zip(branches, find_resonances([(b.x, b.y) for b in branches])):
        _same(f, _find_resonance_exhaustive(b.x, b.y))


def test_shared_field_values_scan_by_matrix_products_is_the_exhaustive_scan():
    """Twelve spectra on one field grid (a programmed sweep): the shared-design scan."""
    ds = [spectrum(9.0, seed=s, noise=0.05, source=f"rep{s}.csv") for s in range(12)]
    branches = _branches(ds)
    assert len({b.x.tobytes() for b in branches}) == 2
    for b, f in zip(branches, find_resonances([(b.x, b.y) for b in branches])):
        _same(f, _find_resonance_exhaustive(b.x, b.y))


@pytest.mark.parametrize("offset, noise, vs", [(1e4, 1e-3, 1.0), (0.0, 0.05, 0.08),
                                               (-3e2, 0.02, 0.5)])
def test_search_does_not_see_a_straight_line_added_to_the_data(offset, noise, vs):
    """Every candidate's window model holds a straight line, so adding one to the data (a
    large offset and slope under a small resonance) changes neither the winner nor its
    score and amplitudes, only its offset and slope, by the line. Twelve branches on one
    field grid (the shared scan, single-precision products) and one alone (the climb); a
    weak resonance in noise (many near-ties) too."""
    rng = np.random.default_rng(7)
    h = np.linspace(0.02, 0.14, 361)
    m = MODELS["stfmr_mixing"]
    clean = [m(h, h_res=0.05 + 0.004 * s, width=0.004, vs=vs, va=-0.6 * vs, offset=0.0)
             + rng.normal(0, noise, h.size) for s in range(12)]
    line = offset + 50.0 * offset * (h - 0.08)
    for batch in (clean, clean[:1]):
        found = find_resonances([(h, v + line) for v in batch])
        for v, f in zip(batch, found):
            ref = _find_resonance_exhaustive(h, v)
            assert (f["h_res"], f["width"]) == (ref["h_res"], ref["width"])
            assert f["significance"] == pytest.approx(ref["significance"], rel=1e-6)
            for k in ("vs", "va"):
                assert f[k] == pytest.approx(ref[k], rel=1e-6, abs=1e-9)
            assert f["slope"] == pytest.approx(ref["slope"] + 50.0 * offset, rel=1e-9, abs=1e-6)
            level = ref["offset"] + offset + 50.0 * offset * (ref["h_res"] - 0.08)
            assert f["offset"] == pytest.approx(level, rel=1e-9, abs=1e-7)


@pytest.mark.parametrize("seed", range(4))
def test_candidate_columns_are_built_on_bands_that_hold_every_window(seed):
    """The shared scan builds a width's columns on the band of points its windows reach: on
    uneven field values with repeated read-backs, every point of every window |h - c| < 6 W
    lies inside its band (and the band is cut where no window reaches), for every width of
    the grid."""
    from sotfit.analysis.stfmr import search_groups

    rng = np.random.default_rng(seed)
    h = np.sort(np.round(rng.uniform(0.01, 0.2, 500), 4))      # ties: 4-digit read-backs
    centres, widths, _, _ = search_groups._grid(h[None, :], 160, 24)
    cut = 0
    for w in widths[0]:
        idx = search_groups._window_band(h, centres[0], 6.0 * w)
        inside = np.zeros((centres.shape[1], h.size), bool)
        np.put_along_axis(inside, idx, True, axis=1)
        window = np.abs(h[None, :] - centres[0][:, None]) < 6.0 * w
        assert not np.any(window & ~inside)
        cut += idx.shape[1] < h.size
    assert cut >= 8                 # the narrow widths are built on bands, not whole branches


def test_shared_scan_from_a_cached_setup_is_the_scan_from_a_fresh_one():
    """A second search of the same field values takes the candidate setup from the cache:
    the winners are the same to the bit, and the cached arrays cannot be changed."""
    from sotfit.analysis.stfmr import search_groups

    ds = [spectrum(9.0, seed=s, noise=0.05, source=f"rep{s}.csv") for s in range(12)]
    pairs = [(b.x, b.y) for b in _branches(ds)]
    search_groups._SETUP_CACHE.clear()
    fresh = find_resonances(pairs)
    assert len(search_groups._SETUP_CACHE) == 2          # one setup per polarity
    cached = find_resonances(pairs)
    assert cached == fresh
    for setup in search_groups._SETUP_CACHE.values():
        with pytest.raises(ValueError):
            setup[4][1][0, 0] = 1.0                        # the candidates' columns


def test_shared_derivative_scan_is_the_exhaustive_scan():
    """Branches of the field-derivative lineshape on one field grid (six or more: the scan by
    single-precision products over orthonormal derivative columns) get the scan's winners."""
    m = MODELS["stfmr_derivative"]
    rng = np.random.default_rng(11)
    h = np.linspace(0.01, 0.15, 301)
    pairs = [(h, m(h, h_res=0.04 + 0.006 * s, width=0.003, vs=1.2, va=-0.7, offset=0.1 * s)
              + rng.normal(0, 0.02, h.size)) for s in range(8)]
    for (x, y), f in zip(pairs, find_resonances(pairs, derivative=True)):
        _same(f, _find_resonance_exhaustive(x, y, derivative=True))


def test_derivative_search_same_winner():
    m = MODELS["stfmr_derivative"]
    rng = np.random.default_rng(4)
    h = np.linspace(0.01, 0.15, 301)
    for seed in range(4):
        v = m(h, h_res=0.05 + 0.02 * seed, width=0.003, vs=1.2, va=-0.7, offset=0.1) \
            + rng.normal(0, 0.01, h.size)
        _same(find_resonance(h, v, derivative=True),
              _find_resonance_exhaustive(h, v, derivative=True))


def test_batch_equals_one_at_a_time():
    ds = [spectrum(f, seed=i, source=f"s{i}.csv") for i, f in enumerate((6, 8, 10, 12))]
    branches = _branches(ds)
    batch = fit_branches(branches)
    for b, r in zip(branches, batch):
        one = fit_branch(b)
        assert r.meta == one.meta and r.varied == one.varied
        for k in r.params:
            assert r.value(k) == pytest.approx(one.value(k), rel=1e-10, abs=1e-14)
            assert r.stderr(k) == pytest.approx(one.stderr(k), rel=1e-8)
    fits = fit_spectra_batch(ds)
    for d, s in zip(ds, fits):
        assert s.combined["vs"].nominal_value == pytest.approx(
            fit_spectrum(d).combined["vs"].nominal_value, rel=1e-10)


def test_errors_come_back_per_spectrum():
    good = spectrum(9.0, source="good.csv")
    no_freq = good.replace(meta={"frequency": None, "source": "nofreq.csv"})
    flat = sf.Dataset(good.x, np.random.default_rng(1).normal(0, 0.01, len(good)),
                      meta={"frequency": 9.0, "source": "flat.csv"})
    out = fit_spectra_batch([good, no_freq, flat])
    assert out[0].branches and "frequency" in str(out[1]) and "nofreq.csv" in str(out[1])
    assert "no resonance" in str(out[2]) and "flat.csv" in str(out[2])


def test_unknown_fit_option_is_refused():
    b = _branches([spectrum(9.0)])[0]
    with pytest.raises(TypeError, match="method"):
        fit_branch(b, method="nelder")


def test_million_point_spectrum_searched_binned_and_fitted_on_its_window():
    """10^6 points (both polarities): the search runs on binned means, the fit on the
    window's points; the resonance of the bundled 10 GHz spectrum comes back."""
    d = next(s for s in sf.load(EXAMPLE) if s.meta["frequency"] == 10.0)
    ref = fit_spectrum(d)
    rng = np.random.default_rng(3)
    parts = []
    for p in (-1, 1):
        h = d.x[np.sign(d.x) == p]
        v = d.y[np.sign(d.x) == p]
        hh = np.linspace(h[0], h[-1], 500_000)
        parts.append((hh, np.interp(hh, h, v) + rng.normal(0, 0.01, hh.size)))
    big = sf.Dataset(np.concatenate([parts[0][0], parts[1][0]]),
                     np.concatenate([parts[0][1], parts[1][1]]),
                     x_unit="T", y_unit="uV", meta={"frequency": 10.0, "source": "big.csv"})
    s = fit_spectrum(big)
    for r in s.branches:
        assert r.meta["n_points_window"] > 100_000
        other = ref.branch(r.meta["polarity"])
        assert abs(r.value("h_res") - other.value("h_res")) < 5 * other.stderr("h_res")
        assert abs(r.value("width") - other.value("width")) < 5 * other.stderr("width")


def test_exhaustive_option_adds_the_line_back_once():
    """``exhaustive=True`` goes through the same straight-line bookkeeping as the fast route:
    the offset and slope it reports are those of the data, not of the data without its line."""
    rng = np.random.default_rng(3)
    h = np.linspace(0.02, 0.14, 241)
    v = MODELS["stfmr_mixing"](h, h_res=0.07, width=0.005, vs=1.0, va=0.4, offset=3.0,
                               slope=20.0) + rng.normal(0, 0.01, h.size)
    fast, slow = find_resonance(h, v), find_resonance(h, v, exhaustive=True)
    _same(fast, slow)
    _same(slow, _find_resonance_exhaustive(h, v))
    # the planted line at the found centre, within what the window's Lorentzian tails absorb
    assert slow["offset"] == pytest.approx(3.0 + 20.0 * (slow["h_res"] - 0.07), abs=0.1)
    assert slow["slope"] == pytest.approx(20.0, abs=2.0)


def test_a_noiseless_straight_line_has_no_resonance_to_find():
    """A dead or constant channel (zeros, a constant, an exact line): no candidate is scored on
    rounding errors; the branch is refused as a straight line, alone or with others, while a
    resonance beside it is found as before."""
    h = np.linspace(0.02, 0.14, 200)
    flat = [np.zeros(h.size), np.full(h.size, 3.0), 5.0 + 2.0 * h, -1e4 + 3e5 * h]
    res = MODELS["stfmr_mixing"](h, h_res=0.07, width=0.004, vs=1.0, va=0.3) \
        + np.random.default_rng(2).normal(0, 0.01, h.size)
    for batch in ([(h, v) for v in flat] * 2 + [(h, res)], [(h, flat[1])]):
        found = find_resonances(batch)
        for (_, v), f in zip(batch, found):
            if v is res:
                _same(f, _find_resonance_exhaustive(h, res))
            else:
                assert isinstance(f, ValueError) and "straight line" in str(f)


@pytest.mark.parametrize("scale", [1e-40, 1e30])
def test_shared_scan_of_voltages_far_from_one(scale):
    """Voltages in units that make them tiny or huge: the single-precision products neither
    underflow nor overflow, and every winner is the exhaustive scan's."""
    rng = np.random.default_rng(5)
    h = np.linspace(0.02, 0.14, 241)
    m = MODELS["stfmr_mixing"]
    pairs = [(h, scale * (m(h, h_res=0.05 + 0.005 * s, width=0.004, vs=1.0, va=0.5, offset=2.0)
                          + rng.normal(0, 0.02, h.size))) for s in range(8)]
    for (x, y), f in zip(pairs, find_resonances(pairs)):
        _same(f, _find_resonance_exhaustive(x, y))


def test_orthonormal_candidate_columns_give_the_schur_complement_score():
    """The shared scan's columns of a candidate are orthonormal, zero outside its window and
    orthogonal to the straight background inside it, and the sum of the squares of a
    branch's projections on them is the chi-square improvement of the window fit over a
    straight line (least squares in double precision)."""
    from sotfit.analysis.stfmr import search_groups as sg

    h = np.linspace(0.02, 0.14, 181)
    centres = np.linspace(h[2], h[-3], 40)
    widths = np.geomspace(0.0015, 0.03, 6)
    codes, cols = sg._shared_candidates(h, centres, widths, k=6.0, derivative=False,
                                        min_side=5, min_points=15)
    u = cols.astype(float).reshape(-1, 2, h.size)
    v = MODELS["stfmr_mixing"](h, h_res=0.07, width=0.004, vs=1.0, va=0.4, offset=2.0,
                               slope=30.0) + np.random.default_rng(1).normal(0, 0.02, h.size)
    for j in np.random.default_rng(0).choice(codes.size, 25, replace=False):
        wi, ci = divmod(int(codes[j]), centres.size)
        c, w = centres[ci], widths[wi]
        inside = np.abs(h - c) < 6.0 * w
        assert np.all(u[j][:, ~inside] == 0)
        np.testing.assert_allclose(u[j] @ u[j].T, np.eye(2), atol=1e-6)       # single precision
        back = np.column_stack([np.ones(inside.sum()), h[inside] - c])
        np.testing.assert_allclose(u[j][:, inside] @ back, 0.0, atol=1e-6 * np.abs(back).max())
        full = np.column_stack([MODELS["stfmr_mixing"](h[inside], h_res=c, width=w, vs=1.0,
                                                       va=0.0, offset=0.0),
                                MODELS["stfmr_mixing"](h[inside], h_res=c, width=w, vs=0.0,
                                                       va=1.0, offset=0.0), back])
        rss = [np.sum((v[inside] - a @ np.linalg.lstsq(a, v[inside], rcond=None)[0]) ** 2)
               for a in (back, full)]
        assert np.sum((u[j] @ v) ** 2) == pytest.approx(rss[0] - rss[1], rel=1e-4, abs=1e-9)


def test_a_step_of_the_written_digits_is_not_a_resonance():
    """The noise of values on a grid is at least their rounding, q / sqrt(12): branches whose
    best candidate is a step of the grid are refused with that reason (a sloped background
    read in 10 uV steps, no resonance; a dead channel's straight line written with seven
    digits), while a resonance of 30 steps on the same 10 uV grid, with noise, is fitted."""
    from sotfit.analysis.stfmr.branch_fit import fit_branches
    from sotfit.data import Dataset

    h = np.linspace(0.01, 0.4, 400)
    stairs = 10.0 * np.round((5.0 + 900.0 * h) / 10.0)
    printed = np.array([float(f"{x:.7g}") for x in 293.8268 - 1234.567 * h])
    rng = np.random.default_rng(3)
    line = MODELS["stfmr_mixing"](h, h_res=0.2, width=0.01, vs=300.0, va=100.0, offset=5.0)
    resolved = 10.0 * np.round((line + rng.normal(0, 15.0, h.size)) / 10.0)
    branches = [Dataset(x=h, y=y, x_unit="T", y_unit="uV",
                        meta={"source": f"b{i}.csv", "frequency": 9.0, "polarity": 1,
                              "branch": "+", "n_points_branch": h.size})
                for i, y in enumerate((stairs, printed, resolved))]
    out = fit_branches(branches)
    for r in out[:2]:
        assert isinstance(r, Exception) and "the rounding of the" in str(r), r
    assert not isinstance(out[2], Exception)
    assert out[2].value("h_res") == pytest.approx(0.2, abs=5 * out[2].stderr("h_res"))


def test_rounding_noise_is_the_spread_of_a_uniform_error_over_one_step():
    """The noise floor of values on a grid is q / sqrt(12), the standard deviation of a
    rounding error spread evenly over one step: checked against the actual rounding errors of
    a signal dithered across a 10 uV grid. The step is found for values written with seven
    digits (at the size of the window's values) and for a voltmeter's repeating levels of a
    non-decimal step, and not for noisy values written in full."""
    from sotfit.analysis.stfmr.branches import quantisation_step, rounding_noise

    rng = np.random.default_rng(8)
    exact = 50.0 * np.sin(np.linspace(0, 40, 5000)) + rng.normal(0, 30.0, 5000)
    written = 10.0 * np.round(exact / 10.0)
    floor, q = rounding_noise(written, 0.0)
    assert q == pytest.approx(10.0, rel=1e-12)
    assert floor == pytest.approx(np.std(written - exact), rel=0.03)
    seven = np.array([float(f"{x:.7g}") for x in np.linspace(-300.0, 900.0, 400)])
    assert quantisation_step(seven, np.abs(seven - 500.0) < 200.0) == pytest.approx(1e-4)
    assert quantisation_step(seven, np.abs(seven - 50.0) < 30.0) == pytest.approx(1e-5)
    levels = 30.517578125 * np.round(np.linspace(0.0, 400.0, 500) / 30.517578125)
    assert quantisation_step(levels) == pytest.approx(30.517578125, rel=1e-12)
    assert quantisation_step(rng.normal(0, 1.0, 400)) == 0.0
    assert rounding_noise(rng.normal(0, 1.0, 400), 1.0) == (0.0, 0.0)
