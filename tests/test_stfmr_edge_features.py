"""A feature at an end of a sweep must not cost the line far from it.

A decay near zero field (the tail of a switching or remanence signal) of a few uV outscored
clear lines 45-380 mT away in the resonance search; the window fit then ran to the sweep's
end and the branch was lost (14 of 16 branches of such a set, or every one: exit status 2).
The branch is now searched again without the points of that end, and the line is found
where it was planted. A narrow line at the sweep's end that the sweep does not reach past
is still refused: searched again without it, its own tail would pass for a line.

The spectra are made here from the mixing lineshape written out (HWHM, in-plane Kittel
resonance fields), not with the package's models.
"""

import numpy as np
import pytest

from sotfit.analysis.stfmr.branch_fit import edge_note, fit_branches
from sotfit.analysis.stfmr.branches import split_branches
from sotfit.data import Dataset
from sotfit.varpro import _solve_linear

GAMMA = 2.1 * 13.996          # gamma/2pi, GHz/T
MEFF = 0.85                   # mu0 M_eff, T


def _line(h, h0, w, vs, va):
    d = h - h0
    return (vs * w**2 + va * w * d) / (d**2 + w**2)


def _resonance(f):
    """In-plane Kittel resonance field (T) and HWHM (T) at f (GHz): alpha 0.01, W_0 0.8 mT."""
    b = f / GAMMA
    h0 = (-MEFF + np.sqrt(MEFF**2 + 4 * b**2)) / 2
    return h0, 0.0008 + 0.01 * f / GAMMA


def _spectrum(f, decay_uv, rng, top=None, n=300):
    """Both polarities of a spectrum at f GHz, |mu0 H| from 2 mT to 2.2 H_res (or ``top``),
    with a decay of ``decay_uv`` uV over 15 mT from zero field and white noise of 0.03 uV."""
    h0, w = _resonance(f)
    mag = np.linspace(0.002, top if top is not None else 2.2 * h0, n)
    h = np.concatenate([-mag[::-1], mag])
    p = np.sign(h)
    v = (p * _line(np.abs(h), h0, w, -0.8, 1.6) + decay_uv * np.exp(-np.abs(h) / 0.015)
         + 0.3 + 2.0 * h + rng.normal(0, 0.03, h.size))
    return Dataset(x=h, y=v, meta={"frequency": f, "source": f"dev_{f:g}GHz.csv"}), h0, w


def _branches(decay_uv, seed, freqs=(8, 10, 12, 14, 16, 18, 20)):
    rng = np.random.default_rng(seed)
    out = []
    for f in freqs:
        d, h0, w = _spectrum(f, decay_uv, rng)
        out += [(b, h0, w) for b in split_branches(d)]
    return out


@pytest.mark.parametrize("decay_uv,seed", [(3.0, 1), (10.0, 2)])
def test_lines_beside_a_decay_at_zero_field_are_found_where_planted(decay_uv, seed):
    items = _branches(decay_uv, seed)
    res = fit_branches([b for b, _, _ in items])
    lost = [str(r) for r in res if isinstance(r, Exception)]
    assert not lost
    pulls = [(r.value("h_res") - h0) / r.stderr("h_res") for (_, h0, _), r in zip(items, res)]
    assert max(map(abs, pulls)) < 4
    for (_, _, w), r in zip(items, res):
        assert r.value("width") == pytest.approx(w, rel=0.15)
    searched_again = [r for r in res if edge_note(r) is not None]
    assert searched_again, "the decay drew no search: the test plants nothing"
    note = edge_note(searched_again[0])
    assert "a feature at the sweep's low end drew the resonance search" in note


def test_without_searching_again_the_decay_costs_the_lines():
    """The case above with the retry switched off: the branches are lost (the test's reason)."""
    items = _branches(3.0, 1)
    res = fit_branches([b for b, _, _ in items], edge_retries=0)
    assert sum(isinstance(r, Exception) for r in res) >= len(res) // 2


def test_a_line_at_the_sweep_end_is_refused_not_replaced_by_its_tail():
    rng = np.random.default_rng(3)
    h0, w = _resonance(10)
    d, _, _ = _spectrum(10, 0.0, rng, top=h0 + 0.8 * w)
    res = fit_branches(split_branches(d))
    for r in res:
        assert isinstance(r, Exception)
        assert "lies less than one half width inside the sweep" in str(r)


def test_linearly_dependent_columns_give_an_infinite_chi_square_not_an_error():
    """A trial step so wide that the line's columns coincide with the background's made the
    inverse of the Gram matrix fail (numpy.linalg.LinAlgError out of the whole batch)."""
    x = np.linspace(0, 1, 20)
    good = np.stack([np.ones_like(x), x], axis=1)
    bad = np.stack([np.ones_like(x), np.ones_like(x)], axis=1)
    phi = np.stack([good, bad])
    y = np.stack([1 + 2 * x, 1 + 2 * x])
    c, ginv, singular = _solve_linear(phi, y)
    assert singular.tolist() == [False, True]
    assert c[0] == pytest.approx([1, 2])


@pytest.mark.parametrize("decay_uv", [3.0, 30.0])
def test_a_decay_alone_is_no_line_however_often_searched_again(decay_uv):
    """Setting the decay aside step by step must not end on a noise 'line': the branch stays
    lost, with the reason that its fit ran off the sweep."""
    rng = np.random.default_rng(4)
    mag = np.linspace(0.002, 0.3, 300)
    h = np.concatenate([-mag[::-1], mag])
    v = decay_uv * np.exp(-np.abs(h) / 0.015) + 0.3 + 2.0 * h + rng.normal(0, 0.03, h.size)
    d = Dataset(x=h, y=v, meta={"frequency": 10.0, "source": "decay.csv"})
    res = fit_branches(split_branches(d))
    assert all(isinstance(r, Exception) for r in res)
    assert any("the window fit ran off the sweep 0.002..0.3 T" in str(r) for r in res)


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.8])
def test_noise_beyond_a_set_aside_decay_is_no_line(rho):
    """Searched again beyond a decay, branches holding no line took noise for lines: 1-5 % of
    them under white noise, 15-90 % under noise of lag-1 0.5-0.8 (a lock-in's time constant),
    with exit 0. A line found again must stand 20 times above its window's residual scatter
    in a window of 8 half widths or more: none of these branches has one."""
    rng = np.random.default_rng(int(10 * rho) + 20)
    spectra = []
    for n in (60, 300):
        for _ in range(4):
            mag = np.linspace(0.002, 0.12, n)
            h = np.concatenate([-mag[::-1], mag])
            e = rng.normal(0, 0.03, h.size)
            for i in range(1, e.size):
                e[i] = rho * e[i - 1] + np.sqrt(1 - rho ** 2) * e[i]
            v = 3.0 * np.exp(-np.abs(h) / 0.015) + 0.3 + 2.0 * h + e
            spectra.append(Dataset(x=h, y=v, meta={"frequency": 10.0, "source": "d.csv"}))
    res = fit_branches([b for d in spectra for b in split_branches(d)])
    found = [(r.value("h_res"), r.value("width")) for r in res
             if not isinstance(r, Exception) and edge_note(r) is not None]
    assert not found
