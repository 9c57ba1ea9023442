"""ST-FMR spectra: split into field branches, find the resonance, fit each branch in |mu0H|.

Sign bookkeeping (docs/stfmr.md, "Field polarity"):

* A spectrum ``V_mix(mu0H)`` with signed field is split into the ``+`` branch
  (H > 0) and the ``-`` branch (H < 0); points at H = 0 belong to neither.
* Each branch is fitted as a function of ``h = |mu0H|`` with
  ``V_s L_sym(h) + V_a L_asym(h) + offset + slope (h - h_res)``. The fitted
  ``vs``, ``va`` are stored *as measured* on that branch.
* Under H -> -H the equilibrium magnetisation reverses (m -> -m). With the
  conventions of docs/CONVENTIONS.md the rf torque fields of the conventional
  (sigma = y) damping-like, field-like and Oersted terms all change sign in the
  frame that moves with m, while dR/dphi (AMR, even in m) does not: the whole
  rectified signal changes sign, V(-h) = -V(+h). Fitted in |mu0H|, both
  amplitudes therefore flip: vs(-) = -vs(+), va(-) = -va(+). (Fitting the -
  branch in the *signed* field instead would flip L_asym once more and give
  va(-) = +va(+), vs(-) = -vs(+): the usual source of confusion.)
* Values *referred to +H* are ``p * vs`` and ``p * va`` with the polarity
  ``p = +1/-1``; for the conventional geometry they agree between branches.
  The symmetrised amplitude is the mean of the referred values,
  ``vs_sym = (vs(+) - vs(-))/2``; the polarity-even remainder
  ``vs_even = (vs(+) + vs(-))/2`` is zero for the conventional torques and
  measures contributions that do not reverse with m (e.g. a torque from
  z-polarised spins, MacNeill et al., Nat. Phys. 13, 300 (2017)).
* The per-polarity field offset is ``(h_res(+) - h_res(-))/2``: an apparent
  difference of |H_res| between branches (remanent field of the magnet, Hall
  probe offset); the branch mean ``(h_res(+) + h_res(-))/2`` is free of it to
  first order and feeds the Kittel fit.

Fit window: the resonance is located by a local variable-projection search
(:func:`find_resonance`) and each branch is then fitted only within
``window_widths`` half widths of it (default 6), so that large sloped
backgrounds and low-field features (domain switching near H = 0) do not bias
the lineshape. The window used is recorded in the dataset metadata
(``window_lo``, ``window_hi``, ``window_widths``, ``n_points_branch``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data import Dataset
from ..fitting import FitError
from ..models.lineshapes import _design, _design_derivative, stfmr_mixing
from ..models.spec import ModelSpec
from ..results import FitResult

__all__ = [
    "STFMRError",
    "NoResonanceError",
    "SpectrumFitError",
    "split_branches",
    "noise_level",
    "find_resonance",
    "find_resonances",
    "fit_branch",
    "fit_branches",
    "SpectrumFit",
    "fit_spectrum",
    "fit_spectra_batch",
    "compare_repeats",
]


class STFMRError(ValueError):
    """ST-FMR data that cannot be analysed as given; the message names the file."""


class NoResonanceError(STFMRError):
    """No resonance inside the sweep of a spectrum branch."""


class SpectrumFitError(STFMRError):
    """A lineshape fit that did not converge or gave no uncertainties."""


def _label(d: Dataset) -> str:
    rep = d.meta.get("repeat")
    return d.source + (f" (repeat {rep})" if rep not in (None, 0) else "")


def split_branches(d: Dataset, min_points: int = 8) -> list[Dataset]:
    """Split a spectrum with signed field into + and - branches in |mu0H|.

    Parameters
    ----------
    d : Dataset
        Signed field mu0H in T (x), V_mix in uV (y); ``meta['frequency']`` in GHz.
    min_points : int
        Branches with fewer points are dropped.

    Returns
    -------
    list of Dataset
        One per polarity present, x = |mu0H| ascending (T), y = V_mix as measured
        (uV), meta adds ``polarity`` (+1 or -1), ``branch`` ('+' or '-') and
        ``n_points_branch``.

    Raises
    ------
    STFMRError
        If no branch has ``min_points`` points, naming the file.
    """
    if d.x_unit and d.x_unit != "T":
        raise STFMRError(f"{_label(d)}: field must be mu0H in T (house unit), got {d.x_unit!r}")
    out = []
    for p, label in ((1, "+"), (-1, "-")):
        mask = np.sign(d.x) == p
        if mask.sum() < min_points:
            continue
        b = d.where(mask)
        b = b.replace(x=np.abs(b.x)).sorted()
        if np.any(np.diff(b.x) == 0):
            raise STFMRError(f"{_label(d)}: duplicated field values on the {label} branch; "
                             "average repeated points or split the repeats before fitting")
        out.append(b.replace(meta={"polarity": p, "branch": label, "n_points_branch": len(b)}))
    if not out:
        raise STFMRError(f"{_label(d)}: no field branch has at least {min_points} points "
                         f"({len(d)} points in total)")
    return out


def noise_level(v) -> float:
    """Robust standard deviation of point-to-point noise (uV) from second differences.

    sigma = 1.4826 MAD(Delta^2 v) / sqrt(6): insensitive to smooth backgrounds
    and to the resonance itself.
    """
    v = np.asarray(v, float)
    if v.size < 5:
        return float(np.std(v)) or 1.0
    d2 = np.diff(v, 2)
    s = 1.4826 * np.median(np.abs(d2 - np.median(d2))) / math.sqrt(6.0)
    if s <= 0:
        s = float(np.std(d2)) / math.sqrt(6.0)
    return float(s) if s > 0 else float(np.finfo(float).eps * max(1.0, np.max(np.abs(v))))


#: Candidate grid of the resonance search: centres, widths, points needed per side and in all.
SEARCH_GRID = {"n_centre": 160, "n_width": 24, "min_side": 5, "min_points": 15}
#: Branches with more points are searched on the means of consecutive points (at most this
#: many); the fit uses every point of its window.
SEARCH_MAX_POINTS = 4096
#: Points (at most) of the binned branch on which the coarse stage of the search scans.
_COARSE_POINTS = 64
#: Rows (branch, seed) x candidates x points evaluated at once by the exact stage.
_CHUNK_ELEMENTS = 32_768


def _search_design(h, c, w, derivative: bool, out=None):
    """The candidate columns (..., n, 4) of :func:`find_resonance`, the same floating-point
    expressions as ``lineshapes._design`` / ``_design_derivative``."""
    d = h - c
    shape = np.broadcast(d, w).shape
    a = np.empty(shape + (4,)) if out is None else out
    if derivative:
        w2 = w * w
        den2 = (d * d + w2) ** 2
        a[..., 0] = -2.0 * w2 * w * d / den2
        a[..., 1] = w2 * (w2 - d * d) / den2
    else:
        den = d * d + w * w
        a[..., 0] = w * w / den
        a[..., 1] = w * d / den
    a[..., 2] = 1.0
    a[..., 3] = d
    return a


def _window_bands(h, rows, c, half):
    """Index bands [start, end) of every candidate window |h - c| < half in its row of h (R, n),
    one point wider on each side than the window (the mask is applied exactly later)."""
    R, n = h.shape
    g = h - h[:, :1]
    d = float(np.max(g[:, -1]) + 2 * np.max(half) + 1.0)
    flat = (g + np.arange(R)[:, None] * d).ravel()
    shift = rows * d - h[rows, 0]
    lo = np.searchsorted(flat, c - half + shift, "left") - rows * n
    hi = np.searchsorted(flat, c + half + shift, "right") - rows * n
    return np.clip(lo - 1, 0, n), np.clip(hi + 1, 0, n)


class _Rows:
    """Branches (or binned branches) h, v (R, n) with per-point weights and prefix sums of the
    background sums (g = h - h[:, 0] for precision): weights, w g, w g^2, w v, w g v."""

    def __init__(self, h, v, weights=None):
        self.h, self.v = h, v
        self.weights = weights
        R, n = h.shape
        g = h - h[:, :1]
        wt = np.ones(n) if weights is None else weights
        parts = (np.broadcast_to(wt, (R, n)), wt * g, wt * g * g, wt * v, wt * g * v)
        self.prefix = [np.concatenate([np.zeros((R, 1)), np.cumsum(x, axis=1)], axis=1)
                       for x in parts]


def _candidate_scores(rows_data: _Rows, sig, first, last, rows, c, w, *, k, derivative,
                      min_side, min_points, exact=False):
    """Scores of candidates (c, w) in rows ``rows`` of the branches ``rows_data``.

    sig, first, last : (R,) noise, first and last field of each row; rows, c, w : (M,).
    The score is the chi-square improvement of the four-column lineshape over a straight
    line within |h - c| < k w, in units of sig^2, from the window sums and the Schur
    complement of the background block. With ``exact=True`` it is computed as the
    exhaustive scan does (design matrix, regularised normal equations), and the coefficients
    (V_s, V_a, offset, slope) of the full model are returned too. With weights (counts of
    binned points) the sums are weighted and a window's point counts are the weights'.
    Returns the score (M,), -inf for candidates that are not allowed, and the coefficients
    (M, 4) (zeros unless ``exact``).
    """
    h, v, weights = rows_data.h, rows_data.v, rows_data.weights
    M = rows.size
    score = np.full(M, -np.inf)
    coef = np.zeros((M, 4))
    if M == 0:
        return score, coef
    half = k * w
    start, end = _window_bands(h, rows, c, half)
    length = end - start
    order = np.argsort(length, kind="stable")
    i0 = 0
    n = h.shape[1]
    ar_cache: dict[int, np.ndarray] = {}
    while i0 < M:
        # chunks of similar band lengths, the longest of a chunk sets its width
        L = max(int(length[order[min(M - 1, i0 + 63)]]), 1)
        sel = order[i0:i0 + max(64, _CHUNK_ELEMENTS // L)]
        i0 += sel.size
        L = max(int(length[sel].max()), 1)
        ar = ar_cache.get(L)
        if ar is None:
            ar = ar_cache[L] = np.arange(L)
        st = start[sel]
        idx = st[:, None] + ar
        inside = idx < end[sel, None]
        np.minimum(idx, n - 1, out=idx)
        r = rows[sel]
        cc = c[sel, None]
        ww = w[sel, None]
        d = h[r[:, None], idx] - cc
        m = inside & (np.abs(d) < half[sel, None])
        # the window is a run of points: its first index and length (weights: counts)
        first_in = st + np.argmax(m, axis=1)
        count = np.sum(m, axis=1)
        below = np.sum(m & (d < 0), axis=1)
        at = np.sum(m & (d == 0), axis=1)
        if weights is None:
            left, right = below, count - below - at
        else:
            cw = rows_data.prefix[0]
            left = cw[r, first_in + below] - cw[r, first_in]
            right = cw[r, first_in + count] - cw[r, first_in + below + at]
        ok = ((left >= min_side) & (right >= min_side) & (left + right >= min_points)
              & (c[sel] - w[sel] >= first[r]) & (c[sel] + w[sel] <= last[r]))
        if not ok.any():
            continue
        if exact:
            sel, r, m, idx, d, cc, ww = (x[ok] for x in (sel, r, m, idx, d, cc, ww))
            mf = m.astype(float) if weights is None else np.sqrt(m * weights[idx])
            a_ = _search_design(h[r[:, None], idx], cc, ww, derivative) * mf[..., None]
            vv = v[r[:, None], idx] * mf
            rss, cf_full = [], None
            for cols in (slice(None), slice(2, None)):
                aa = a_[..., cols]
                at_ = np.swapaxes(aa, 1, 2)
                ata = at_ @ aa
                atb = (at_ @ vv[..., None])[..., 0]
                ata = ata + np.eye(aa.shape[-1]) * 1e-12 * np.trace(ata, axis1=1, axis2=2)[:, None, None]
                cf = np.linalg.solve(ata, atb[..., None])[..., 0]
                # residual sum of squares without forming the residuals: |v|^2 - c . A^T v
                rss.append(np.sum(vv * vv, axis=1) - np.sum(cf * atb, axis=1))
                if cf_full is None:
                    cf_full = cf
            score[sel] = (rss[1] - rss[0]) / sig[r] ** 2
            coef[sel] = cf_full
            continue
        # background block [1, d] from the prefix sums of the window's run of points
        e_ = first_in + count
        pre = rows_data.prefix
        s1, sg, sgg, sv, sgv = (x[r, e_] - x[r, first_in] for x in pre)
        c0 = c[sel] - h[r, 0]
        sd = sg - c0 * s1
        sdd = sgg - 2 * c0 * sg + c0 * c0 * s1
        sdv = sgv - c0 * sv
        # resonance block [P, Q] point by point
        wt = m if weights is None else m * weights[idx]
        vv = v[r[:, None], idx]
        w1 = w[sel]
        if derivative:
            w2 = ww * ww
            den2 = d * d + w2
            den2 = den2 * den2
            P = -2.0 * w2 * ww * d / den2 * wt
            Q = w2 * (w2 - d * d) / den2
            Qw = Q * wt
            sp, sq = P.sum(1), Qw.sum(1)
            spd, sqd = np.einsum("ij,ij->i", P, d), np.einsum("ij,ij->i", Qw, d)
            Pu = -2.0 * w2 * ww * d / den2
            spp, spq, sqq = (np.einsum("ij,ij->i", P, Pu), np.einsum("ij,ij->i", P, Q),
                             np.einsum("ij,ij->i", Qw, Q))
            spv, sqv = np.einsum("ij,ij->i", P, vv), np.einsum("ij,ij->i", Qw, vv)
        else:
            inv = 1.0 / (d * d + ww * ww)
            Pu = ww * ww * inv
            P = Pu * wt
            Qw = ww * d * inv * wt
            sp, sq = P.sum(1), Qw.sum(1)
            spp = np.einsum("ij,ij->i", P, Pu)
            spq = np.einsum("ij,ij->i", Qw, Pu)
            # Q^2 = P - P^2, P d = W Q, Q d = W (1 - P) for the Lorentzians
            sqq = sp - spp
            spd = w1 * sq
            sqd = w1 * (s1 - sp)
            spv, sqv = np.einsum("ij,ij->i", P, vv), np.einsum("ij,ij->i", Qw, vv)
        imp = _schur_score(s1, sd, sdd, sp, sq, spd, sqd, spp, spq, sqq, sv, sdv, spv, sqv)
        val = imp / sig[r] ** 2
        score[sel[ok]] = val[ok]
    return score, coef


def _grid(h, n_centre, n_width):
    """Candidate centres (R, n_centre) and widths (R, n_width) of branches h (R, n)."""
    n = h.shape[1]
    step = np.median(np.diff(h, axis=1), axis=1)
    span = h[:, -1] - h[:, 0]
    centres = np.linspace(h[:, min(2, n - 1)], h[:, max(n - 3, 0)], n_centre, axis=1)
    widths = np.stack([np.geomspace(1.5 * s, max(sp / 4, 3 * s), n_width)
                       for s, sp in zip(step, span)])
    return centres, widths, step, span


def _noise_rows(v):
    """:func:`noise_level` of every row of v (R, n), n >= 5."""
    d2 = np.diff(v, 2, axis=1)
    med = np.median(d2, axis=1, keepdims=True)
    s = 1.4826 * np.median(np.abs(d2 - med), axis=1) / math.sqrt(6.0)
    out = s.copy()
    for i in np.flatnonzero(~(s > 0)):
        out[i] = noise_level(v[i])
    return out


def _bin_rows(x, k):
    """Means of k consecutive points of every row (the last bin may hold fewer) and counts."""
    R, n = x.shape
    nb = -(-n // k)
    pad = nb * k - n
    cnt = np.full(nb, float(k))
    if pad:
        cnt[-1] = k - pad
        x = np.concatenate([x, np.zeros((R, pad))], axis=1)
    return x.reshape(R, nb, k).sum(axis=2) / cnt, cnt


def _search_group(h, v, *, k, derivative, n_centre, n_width, min_side, min_points):
    """The resonance search of equally long branches h, v (R, n): winners as dicts, or
    ValueError for a branch without a candidate."""
    R, n = h.shape
    sig = _noise_rows(v) if n >= 5 else np.array([noise_level(row) for row in v])
    centres, widths, step, span = _grid(h, n_centre, n_width)
    first, last = h[:, 0], h[:, -1]
    out: list = [None] * R
    bad = ~((step > 0) & (span > 0))
    for i in np.flatnonzero(bad):
        out[i] = ValueError("the field does not vary")
    keep = np.flatnonzero(~bad)
    if keep.size == 0:
        return out
    h, v, sig, centres, widths, step, first, last = (
        a[keep] for a in (h, v, sig, centres, widths, step, first, last))
    R = keep.size
    kw = dict(k=k, derivative=derivative, min_side=min_side, min_points=min_points)
    full = _Rows(h, v)
    # --- coarse stage, every second width: centres about a width apart (every second one
    # at least, every eighth at most), on the branch binned to half a width (>= ~32 bins)
    ratio = np.median(widths / step[:, None], axis=0)                   # widths in field steps
    spacing = float(np.median((centres[:, -1] - centres[:, 0]) / (n_centre - 1) / step))
    strides = np.clip(np.floor(ratio / spacing), 2, 8).astype(int)
    bins = np.minimum(2 ** np.floor(np.log2(np.maximum(1.0, ratio / 2))), max(1, n // 32))
    coarse_w_idx = np.unique(np.r_[0:n_width:2, n_width - 1])
    coarse_rows, coarse_c, coarse_w, coarse_s = [], [], [], []
    for kb in np.unique(bins[coarse_w_idx]):
        kb = int(kb)
        if kb == 1:
            data = full
        else:
            hb, cnt = _bin_rows(h, kb)
            data = _Rows(hb, _bin_rows(v, kb)[0], cnt)
        ci, wi, st = [], [], []
        for j in coarse_w_idx[bins[coarse_w_idx] == kb]:
            c_j = np.unique(np.r_[0:n_centre:strides[j], n_centre - 1])
            ci.append(c_j)
            wi.append(np.full(c_j.size, j))
            st.append(np.full(c_j.size, strides[j]))
        ci, wi, st = (np.concatenate(x) for x in (ci, wi, st))
        rows = np.repeat(np.arange(R), ci.size)
        sc, _ = _candidate_scores(data, sig, first, last, rows,
                                  centres[rows, np.tile(ci, R)], widths[rows, np.tile(wi, R)],
                                  **kw)
        coarse_rows.append(sc.reshape(R, ci.size))
        coarse_c.append(ci)
        coarse_w.append(wi)
        coarse_s.append(st)
    coarse = np.concatenate(coarse_rows, axis=1)
    cc_i, ww_i, ss_i = (np.concatenate(x) for x in (coarse_c, coarse_w, coarse_s))
    # seeds: the best coarse candidates, up to four, within 20 % of the best and each outside
    # the neighbourhood (4 centres, 2 widths) of the seeds before it
    top = np.max(coarse, axis=1)
    cand = np.isfinite(coarse) & (coarse >= top[:, None] - 0.2 * np.abs(top[:, None]))
    seeds = []
    for _ in range(4):
        pick = np.where(cand, coarse, -np.inf)
        j = np.argmax(pick, axis=1)
        have = np.isfinite(pick[np.arange(R), j])
        seeds.append(np.stack([np.flatnonzero(have), cc_i[j[have]], ww_i[j[have]],
                               ss_i[j[have]]], axis=1))
        cand &= ((np.abs(cc_i[None, :] - cc_i[j][:, None]) > np.maximum(4, ss_i[j][:, None]))
                 | (np.abs(ww_i[None, :] - ww_i[j][:, None]) > 2))
    none = np.flatnonzero(~np.isfinite(top))     # no coarse candidate allowed: every width
    seeds.append(np.stack([np.repeat(none, n_width), np.full(none.size * n_width, n_centre // 2),
                           np.tile(np.arange(n_width), none.size),
                           np.full(none.size * n_width, 8)], axis=1))
    cur = np.concatenate(seeds).astype(np.int64)
    # --- exact stage on every point: the grid around each seed (its coarse stride of centres
    # on either side, two widths), then steps to the best of the 7 x 5 neighbours until a
    # seed stays where it is
    best = np.full(R, -np.inf)
    seen_keys = np.zeros(0, dtype=np.int64)
    seen_s = np.zeros(0)
    climb = np.array([(0, 0)] + [(dc, dw) for dw in (-2, -1, 0, 1, 2)
                                 for dc in (-3, -2, -1, 0, 1, 2, 3) if (dc, dw) != (0, 0)])
    for it in range(100):
        if cur.size == 0:
            break
        r = cur[:, 0]
        if it == 0:     # half the coarse stride of centres on either side, +-2 widths
            reach = np.maximum(cur[:, 3] // 2, 2)
            dcs = np.arange(-4, 5)
            offs_c = np.where(np.abs(dcs)[None, :] <= reach[:, None], dcs[None, :], 0)
            ci = np.repeat(cur[:, 1:2] + offs_c, 5, axis=1)
            wi = cur[:, 2:3] + np.tile(np.arange(-2, 3), dcs.size)[None, :]
            ci = np.concatenate([cur[:, 1:2], ci], axis=1)
            wi = np.concatenate([cur[:, 2:3], wi], axis=1)
        else:
            ci = cur[:, 1:2] + climb[:, 0]
            wi = cur[:, 2:3] + climb[:, 1]
        np.clip(ci, 0, n_centre - 1, out=ci)
        np.clip(wi, 0, n_width - 1, out=wi)
        rr = np.repeat(r, ci.shape[1])
        code = wi * n_centre + ci
        # score only what no seed has scored yet
        keys = rr * (n_centre * n_width) + code.ravel()
        uniq, inv_ = np.unique(keys, return_inverse=True)
        known = np.isin(uniq, seen_keys, assume_unique=True)
        new_ = np.flatnonzero(~known)
        ur, ucode = np.divmod(uniq[new_], n_centre * n_width)
        uw, uc = np.divmod(ucode, n_centre)
        sc_new, _ = _candidate_scores(full, sig, first, last, ur, centres[ur, uc],
                                      widths[ur, uw], **kw)
        seen_keys = np.concatenate([seen_keys, uniq[new_]])
        seen_s = np.concatenate([seen_s, sc_new])
        o_ = np.argsort(seen_keys, kind="stable")
        seen_keys, seen_s = seen_keys[o_], seen_s[o_]
        sc = seen_s[np.searchsorted(seen_keys, uniq)][inv_]
        np.maximum.at(best, ur, np.where(np.isfinite(sc_new), sc_new, -np.inf))
        sc = sc.reshape(ci.shape)
        smax = np.max(sc, axis=1)
        valid = np.isfinite(smax)
        jb = np.argmin(np.where(sc == smax[:, None], code, np.iinfo(np.int64).max), axis=1)
        k_ = np.arange(len(r))
        nxt = np.stack([r, ci[k_, jb], wi[k_, jb], cur[:, 3]], axis=1)
        stay = sc[:, 0] >= smax                            # column 0 is the seed's own point
        cur = nxt[valid] if it == 0 else nxt[valid & ~stay]
    # --- the winner: candidates within 1e-6 of each branch's best, scored exactly as the
    # exhaustive scan scores them (regularised normal equations); the highest score, then the
    # smallest width and centre index (the first maximum of the scan)
    rr, code = np.divmod(seen_keys, n_centre * n_width)
    near = np.isfinite(seen_s) & (seen_s >= best[rr] - 1e-6 * np.abs(best[rr]))
    rr, code = rr[near], code[near]
    wi, ci = np.divmod(code, n_centre)
    sc, cf = _candidate_scores(full, sig, first, last, rr, centres[rr, ci], widths[rr, wi],
                               exact=True, **kw)
    win = np.full(R, -np.inf)
    win_code = np.full(R, n_centre * n_width, dtype=np.int64)
    win_coef = np.zeros((R, 4))
    ok = np.isfinite(sc)
    o = np.lexsort((code[ok], -sc[ok], rr[ok]))
    rr_o = rr[ok][o]
    firsts = o[np.r_[True, rr_o[1:] != rr_o[:-1]]] if o.size else o
    t_ = rr[ok][firsts]
    win[t_], win_code[t_], win_coef[t_] = sc[ok][firsts], code[ok][firsts], cf[ok][firsts]
    for t, i in enumerate(keep):
        if not np.isfinite(win[t]):
            out[i] = ValueError("too few points for a resonance search")
            continue
        vs, va, off, sl = win_coef[t]
        bw, bc = divmod(int(win_code[t]), n_centre)
        out[i] = {"h_res": float(centres[t, bc]), "width": float(widths[t, bw]),
                  "vs": float(vs), "va": float(va), "offset": float(off), "slope": float(sl),
                  "significance": float(win[t]), "noise": float(sig[t])}
    return out


#: Branches sharing their field values search together by matrix products (the exhaustive
#: scan) when at least this many share them.
_SHARED_MIN = 6


def _schur_score(s1, sd, sdd, sp, sq, spd, sqd, spp, spq, sqq, sv, sdv, spv, sqv):
    """Chi-square improvement of the columns [P, Q] over the background [1, d] from the window
    sums (Schur complement of the background block of the normal matrix)."""
    det = s1 * sdd - sd * sd
    det = np.where(det > 0, det, np.nan)

    def proj(x1, xd, y1, yd):      # [x1 xd] G_BB^-1 [y1 yd]^T, G_BB^-1 = [[sdd, -sd], [-sd, s1]]/det
        return (x1 * (sdd * y1 - sd * yd) + xd * (s1 * yd - sd * y1)) / det
    g11 = spp - proj(sp, spd, sp, spd)
    g12 = spq - proj(sp, spd, sq, sqd)
    g22 = sqq - proj(sq, sqd, sq, sqd)
    b1 = spv - proj(sp, spd, sv, sdv)
    b2 = sqv - proj(sq, sqd, sv, sdv)
    dg = g11 * g22 - g12 * g12
    imp = (g22 * b1 * b1 - 2 * g12 * b1 * b2 + g11 * b2 * b2) / np.where(dg > 0, dg, np.nan)
    return np.where(np.isfinite(imp), imp, 0.0)


def _search_shared(h, v, *, k, derivative, n_centre, n_width, min_side, min_points):
    """The exhaustive scan for branches v (R, n) that share the field values h (n,): the
    candidates' columns and normal matrices are built once, and the projections of all
    branches on them are one matrix product. Same winners as the scan candidate by
    candidate (:func:`_find_resonance_exhaustive`); the winner's score and coefficients (and
    those of any candidate within 1e-6 of it) are computed as that scan computes them."""
    R, n = v.shape
    sig = _noise_rows(v) if n >= 5 else np.array([noise_level(row) for row in v])
    centres, widths, step, span = _grid(h[None, :], n_centre, n_width)
    centres, widths, step, span = centres[0], widths[0], float(step[0]), float(span[0])
    if not (step > 0 and span > 0):
        return [ValueError("the field does not vary")] * R
    # every candidate (width-major order, as the scan), its window run and its column sums
    g = h - h[0]
    pre_h = [np.concatenate([[0.0], np.cumsum(x)]) for x in (np.ones(n), g, g * g)]
    codes, cols, sums, runs = [], [], [], []
    for j, w in enumerate(widths):
        c = centres[:, None]
        d = h[None, :] - c
        m = np.abs(d) < k * w
        left = (m & (d < 0)).sum(1)
        right = (m & (d > 0)).sum(1)
        ok = ((left >= min_side) & (right >= min_side) & (left + right >= min_points)
              & (c[:, 0] - w >= h[0]) & (c[:, 0] + w <= h[-1]))
        if not ok.any():
            continue
        m, d, c0 = m[ok], d[ok], centres[ok] - h[0]
        a0 = np.argmax(m, axis=1)
        e0 = a0 + m.sum(1)
        cols_j = _search_design(h[None, :], centres[ok, None], w, derivative)[..., :2]
        P = cols_j[..., 0] * m
        Q = cols_j[..., 1] * m
        s1, sg, sgg = (x[e0] - x[a0] for x in pre_h)
        sd = sg - c0 * s1
        sdd = sgg - 2 * c0 * sg + c0 * c0 * s1
        sums.append(np.stack([s1, sd, sdd, P.sum(1), Q.sum(1), (P * d).sum(1), (Q * d).sum(1),
                              (P * P).sum(1), (P * Q).sum(1), (Q * Q).sum(1), c0], axis=1))
        cols.append(np.stack([P, Q], axis=1))
        runs.append(np.stack([a0, e0], axis=1))
        codes.append(j * n_centre + np.flatnonzero(ok))
    out: list = [None] * R
    if not codes:
        return [ValueError("too few points for a resonance search")] * R
    codes = np.concatenate(codes)
    sums = np.concatenate(sums)
    runs = np.concatenate(runs)
    K = codes.size
    cols = np.ascontiguousarray(np.concatenate(cols).reshape(2 * K, n))
    s1, sd, sdd, sp, sq, spd, sqd, spp, spq, sqq, c0 = sums.T
    # per candidate, the quadratic form of the Schur complement: with b_P = P.v - a_P sum(v)
    # - b_P' sum(g v) (and the same for Q), the improvement is A b_P^2 + B b_P b_Q + C b_Q^2
    det = s1 * sdd - sd * sd
    det = np.where(det > 0, det, np.nan)
    ap, bp = (sp * sdd - spd * sd) / det, (spd * s1 - sp * sd) / det     # [sp spd] G_BB^-1
    aq, bq = (sq * sdd - sqd * sd) / det, (sqd * s1 - sq * sd) / det
    g11 = spp - (ap * sp + bp * spd)
    g12 = spq - (ap * sq + bp * sqd)
    g22 = sqq - (aq * sq + bq * sqd)
    dg = g11 * g22 - g12 * g12
    dg = np.where(dg > 0, dg, np.nan)
    qa, qb, qc = g22 / dg, -2 * g12 / dg, g11 / dg
    bad_k = ~(np.isfinite(qa) & np.isfinite(qb) & np.isfinite(qc))
    qa, qb, qc = (np.where(bad_k, 0.0, x)[:, None] for x in (qa, qb, qc))
    # sum(d v) = sum(g v) - c0 sum(v): fold c0 into the coefficients of sum(v)
    ap, aq = (ap - bp * c0)[:, None], (aq - bq * c0)[:, None]
    bp, bq = bp[:, None], bq[:, None]
    best = np.empty(R)
    best_j = np.empty(R, dtype=np.int64)
    near_rows, near_j = [], []
    chunk = max(8, int(262_144 // K))           # (K, chunk) arrays that stay in the cache
    lo_, hi_ = runs[:, 0], runs[:, 1]
    for r0 in range(0, R, chunk):
        vv = v[r0:r0 + chunk]
        nr = vv.shape[0]
        cv = np.zeros((n + 1, nr))
        np.cumsum(vv.T, axis=0, out=cv[1:])
        cgv = np.zeros((n + 1, nr))
        np.cumsum((g * vv).T, axis=0, out=cgv[1:])
        sv = cv[hi_] - cv[lo_]                                                  # (K, r)
        sgv = cgv[hi_] - cgv[lo_]
        pv = (cols @ vv.T).reshape(K, 2, nr)
        b1 = pv[:, 0] - ap * sv - bp * sgv
        b2 = pv[:, 1] - aq * sv - bq * sgv
        score = (b1 * (qa * b1 + qb * b2) + qc * b2 * b2) / sig[None, r0:r0 + chunk] ** 2
        jb = np.argmax(score, axis=0)              # the first maximum, as the scan keeps it
        sb = score[jb, np.arange(nr)]
        best[r0:r0 + chunk] = sb
        best_j[r0:r0 + chunk] = jb
        close = score >= sb[None, :] - 1e-6 * np.abs(sb[None, :])
        cj, cr = np.nonzero(close)
        near_rows.append(cr + r0)
        near_j.append(cj)
    near_rows, near_j = np.concatenate(near_rows), np.concatenate(near_j)
    # the winner among the near-ties, scored exactly as the scan scores them
    wi, ci = np.divmod(codes[near_j], n_centre)
    rows = _Rows(np.broadcast_to(h, (R, n)), v)
    sc, cf = _candidate_scores(rows, sig, np.full(R, h[0]), np.full(R, h[-1]), near_rows,
                               centres[ci], widths[wi], k=k, derivative=derivative,
                               min_side=min_side, min_points=min_points, exact=True)
    code = codes[near_j]
    okk = np.isfinite(sc)
    o = np.lexsort((code[okk], -sc[okk], near_rows[okk]))
    rr_o = near_rows[okk][o]
    firsts = o[np.r_[True, rr_o[1:] != rr_o[:-1]]] if o.size else o
    for t in firsts:
        i = int(near_rows[okk][t])
        bw, bc = divmod(int(code[okk][t]), n_centre)
        vs, va, off, sl = cf[okk][t]
        out[i] = {"h_res": float(centres[bc]), "width": float(widths[bw]), "vs": float(vs),
                  "va": float(va), "offset": float(off), "slope": float(sl),
                  "significance": float(sc[okk][t]), "noise": float(sig[i])}
    for i in range(R):
        if out[i] is None:
            out[i] = ValueError("too few points for a resonance search")
    return out


def find_resonances(branches, *, window_widths: float = 6.0, derivative: bool = False,
                    exhaustive: bool = False, **grid) -> list:
    """:func:`find_resonance` for many branches at once.

    Parameters
    ----------
    branches : sequence of (h, v)
        |mu0H| in T (ascending) and V_mix in uV of each branch.
    window_widths, derivative, exhaustive
        As :func:`find_resonance`.
    **grid
        ``n_centre``, ``n_width``, ``min_side``, ``min_points`` (:data:`SEARCH_GRID`).

    Returns
    -------
    list
        Per branch the dict of :func:`find_resonance`, or the ValueError it would raise.
    """
    opts = {**SEARCH_GRID, **grid}
    out: list = [None] * len(branches)
    groups: dict[int, list[int]] = {}
    prepared = []
    for i, (h, v) in enumerate(branches):
        h = np.asarray(h, float)
        v = np.asarray(v, float)
        order = np.argsort(h)
        h, v = h[order], v[order]
        binned = 1
        if h.size > SEARCH_MAX_POINTS and not exhaustive:
            binned = -(-h.size // SEARCH_MAX_POINTS)
            h, _ = _bin_rows(h[None, :], binned)
            v, _ = _bin_rows(v[None, :], binned)
            h, v = h[0], v[0]
        prepared.append((h, v, binned))
        if exhaustive or h.size < 2:
            try:
                out[i] = _find_resonance_exhaustive(h, v, window_widths=window_widths,
                                                    derivative=derivative, **opts)
            except ValueError as exc:
                out[i] = exc
            continue
        groups.setdefault(h.size, []).append(i)
    for n, idx in groups.items():
        # branches sharing their field values: the exhaustive scan by matrix products
        same: dict[bytes, list[int]] = {}
        for i in idx:
            same.setdefault(prepared[i][0].tobytes(), []).append(i)
        rest = []
        for members in same.values():
            if len(members) < _SHARED_MIN:
                rest.extend(members)
                continue
            v = np.stack([prepared[i][1] for i in members])
            res = _search_shared(prepared[members[0]][0], v, k=window_widths,
                                 derivative=derivative, **opts)
            for i, r in zip(members, res):
                out[i] = r
        if not rest:
            continue
        rest.sort()
        h = np.stack([prepared[i][0] for i in rest])
        v = np.stack([prepared[i][1] for i in rest])
        for i, res in zip(rest, _search_group(h, v, k=window_widths, derivative=derivative,
                                              **opts)):
            out[i] = res
    for i, (_, _, binned) in enumerate(prepared):
        if binned > 1 and isinstance(out[i], dict):
            out[i]["search_bin"] = binned
    return out


def find_resonance(h, v, *, window_widths: float = 6.0, derivative: bool = False,
                   n_centre: int = 160, n_width: int = 24, min_side: int = 5,
                   min_points: int = 15, exhaustive: bool = False) -> dict[str, float]:
    """Locate the resonance of one branch by a local variable-projection search.

    For every candidate (h_res, W) of a grid (``n_centre`` centres evenly spread over the
    branch, ``n_width`` widths geometrically spaced from 1.5 field steps to a quarter of
    the span) the linear amplitudes (V_s, V_a, offset, slope) are solved by least squares
    *within* |h - h_res| < window_widths W, and compared with a background-only line in the
    same window. The winner maximises the chi-square improvement (in units of the robust
    noise variance, :func:`noise_level`), so a narrow resonance on a large sloped background
    wins over smooth background curvature. A candidate needs at least ``min_side`` points on
    each side of h_res and ``min_points`` in all inside its window, and must lie at least one
    half width inside the sweep.

    The grid is not scanned candidate by candidate: a coarse stage scores every fourth
    centre and every second width on the branch binned to about 64 points; from its best
    candidate (and up to two others elsewhere that come within a factor 2 of it) the exact
    scores climb the full grid to a local maximum. The winner is the exhaustive scan's
    whenever its maximum is the one the climb reaches (``exhaustive=True`` scans every
    candidate; the two agree on every branch of the bundled example and of the measured
    sets, ``tests/test_stfmr_search.py``). Branches longer than
    :data:`SEARCH_MAX_POINTS` are searched on the means of consecutive points
    (``search_bin`` in the result says how many).

    Parameters
    ----------
    h : array_like
        |mu0H| in T, ascending.
    v : array_like
        V_mix in uV.
    window_widths : float
        Half window in units of W.
    derivative : bool
        Search with the field-derivative lineshape instead.
    exhaustive : bool
        Score every candidate of the grid (slow; the reference of the faster search).

    Returns
    -------
    dict
        ``h_res``, ``width``, ``vs``, ``va``, ``offset``, ``slope`` (T, uV, uV/T),
        ``significance`` (chi-square improvement / noise variance) and ``noise`` (uV).

    Raises
    ------
    ValueError
        When the field does not vary or no candidate has enough points.
    """
    res = find_resonances([(h, v)], window_widths=window_widths, derivative=derivative,
                          exhaustive=exhaustive, n_centre=n_centre, n_width=n_width,
                          min_side=min_side, min_points=min_points)[0]
    if isinstance(res, Exception):
        raise res
    return res


def _find_resonance_exhaustive(h, v, *, window_widths: float = 6.0, derivative: bool = False,
                               n_centre: int = 160, n_width: int = 24, min_side: int = 5,
                               min_points: int = 15) -> dict[str, float]:
    """The resonance search of :func:`find_resonance`, scanning every candidate of the grid.

    For every candidate (h_res, W) the linear amplitudes (V_s, V_a, offset,
    slope) are solved by least squares *within* |h - h_res| < window_widths W,
    and compared with a background-only line in the same window. The winner
    maximises the chi-square improvement (in units of the robust noise
    variance, :func:`noise_level`), so a narrow resonance on a large sloped
    background wins over smooth background curvature. A candidate needs at
    least ``min_side`` points on each side of h_res and ``min_points`` in all
    inside its window, and must lie at least one half width inside the sweep.

    Parameters
    ----------
    h : array_like
        |mu0H| in T, ascending.
    v : array_like
        V_mix in uV.
    window_widths : float
        Half window in units of W.
    derivative : bool
        Search with the field-derivative lineshape instead.

    Returns
    -------
    dict
        ``h_res``, ``width``, ``vs``, ``va``, ``offset``, ``slope`` (T, uV, uV/T),
        ``significance`` (chi-square improvement / noise variance) and ``noise`` (uV).
    """
    h = np.asarray(h, float)
    v = np.asarray(v, float)
    order = np.argsort(h)
    h, v = h[order], v[order]
    sig = noise_level(v)
    step = float(np.median(np.diff(h)))
    span = float(h[-1] - h[0])
    if not (step > 0 and span > 0):
        raise ValueError("the field does not vary")
    centres = np.linspace(h[min(2, h.size - 1)], h[max(h.size - 3, 0)], n_centre)
    widths = np.geomspace(1.5 * step, max(span / 4, 3 * step), n_width)
    design = _design_derivative if derivative else _design
    best = None
    # process in blocks of widths to bound memory (n_centre x n x 4 per block)
    for w in widths:
        c = centres[:, None]
        m = np.abs(h[None, :] - c) < window_widths * w
        left = (m & (h[None, :] < c)).sum(1)
        right = (m & (h[None, :] > c)).sum(1)
        ok = ((left >= min_side) & (right >= min_side) & (left + right >= min_points)
              & (c[:, 0] - w >= h[0]) & (c[:, 0] + w <= h[-1]))
        if not ok.any():
            continue
        mf = m[ok].astype(float)
        cc = c[ok]
        a = design(h[None, :], cc, w) * mf[..., None]
        vv = v[None, :] * mf
        coefs, rss = [], []
        for cols in (slice(None), slice(2, None)):
            aa = a[..., cols]
            at = np.swapaxes(aa, 1, 2)
            ata = at @ aa
            atb = (at @ vv[..., None])[..., 0]
            ata = ata + np.eye(aa.shape[-1]) * 1e-12 * np.trace(ata, axis1=1, axis2=2)[:, None, None]
            cf = np.linalg.solve(ata, atb[..., None])[..., 0]
            # residual sum of squares without forming the residuals: |v|^2 - c . A^T v
            rss.append(np.sum(vv * vv, axis=1) - np.sum(cf * atb, axis=1))
            coefs.append(cf)
        score = (rss[1] - rss[0]) / sig**2
        k = int(np.argmax(score))
        if best is None or score[k] > best[0]:
            vs, va, off, sl = coefs[0][k]
            best = (float(score[k]), {"h_res": float(cc[k, 0]), "width": float(w), "vs": float(vs),
                                      "va": float(va), "offset": float(off), "slope": float(sl)})
    if best is None:
        raise ValueError("too few points for a resonance search")
    out = dict(best[1])
    out["significance"] = best[0]
    out["noise"] = sig
    return out


def _window(b: Dataset, h_res: float, width: float, k: float) -> Dataset:
    lo, hi = h_res - k * width, h_res + k * width
    w = b.where((b.x >= lo) & (b.x <= hi))
    return w.replace(meta={"window_lo": float(max(lo, b.x[0])), "window_hi": float(min(hi, b.x[-1])),
                           "window_widths": float(k), "n_points_window": len(w)})


#: Keywords of :func:`fit_branch` passed on to the lineshape fit (as :func:`sotfit.fit` reads
#: them).
FIT_OPTIONS = ("init", "fixed", "bounds", "guess", "scale_covar", "max_nfev")


def _fit_setup(model: ModelSpec, fit_kwargs: dict):
    """The basis, bounds and fixed parameters of a lineshape fit with :func:`sotfit.fit`'s
    keywords."""
    from ..fitting_batch import _fixed_map
    from ..models.lineshapes import linear_basis
    from ..models.spec import ModelError

    unknown = sorted(set(fit_kwargs) - set(FIT_OPTIONS))
    if unknown:
        raise TypeError(f"the ST-FMR lineshape fits take {', '.join(FIT_OPTIONS)}; not "
                        f"{', '.join(unknown)}")
    try:
        basis = linear_basis(model)
    except ModelError as exc:
        raise TypeError(f"{exc}: fit_branch fits the ST-FMR lineshapes only") from None
    fixed = _fixed_map(fit_kwargs.get("fixed"))
    names = set(model.param_names)
    for what, keys in (("fixed", fixed), ("init", fit_kwargs.get("init") or {}),
                       ("bounds", fit_kwargs.get("bounds") or {})):
        bad = sorted(set(keys) - names)
        if bad:
            raise FitError(f"unknown parameter name(s) {bad} in {what}; the model has "
                           f"{list(model.param_names)}")
    bounds = {k: tuple((fit_kwargs.get("bounds") or {}).get(k, model.param(k).bounds))
              for k in model.param_names}
    return basis, fixed, bounds


def _starts(model, basis, x, y, init, guess, fixed, bounds):
    """Starting values as :func:`sotfit.fit` makes them: the model's guess (or defaults),
    then ``init``, fixed values, clipped into the bounds (for varied parameters)."""
    need_guess = guess and not all(k in init for k in basis.nonlinear)
    start = dict(model.initial(x, y) if need_guess else model.defaults())
    for k, v in init.items():
        start[k] = float(v)
    for k, v in fixed.items():
        if v is not None:
            start[k] = float(v)
    for k in model.param_names:
        if k not in fixed:
            lo, hi = bounds[k]
            start[k] = min(max(float(start[k]), lo), hi)
    return start


def fit_branches(branches, *, model: ModelSpec | None = None, window_widths: float = 6.0,
                 min_significance: float = 100.0, max_iter: int = 4, **fit_kwargs) -> list:
    """:func:`fit_branch` for many branches at once.

    The resonance of every branch is located (:func:`find_resonances`), and then every
    window is fitted with the variable-projection engine of :mod:`sotfit.fitting_batch`
    (the amplitudes and background in closed form, h_res and W by Levenberg-Marquardt), all
    branches of a window iteration together.

    Returns
    -------
    list
        Per branch its :class:`~sotfit.results.FitResult` or the :class:`STFMRError`
        (:class:`NoResonanceError`, :class:`SpectrumFitError`) :func:`fit_branch` raises.
    """
    from ..fitting_batch import pad_arrays, varpro_fit, varpro_results

    model = model or stfmr_mixing
    basis, fixed, bounds = _fit_setup(model, fit_kwargs)
    derivative = model.name == "stfmr_derivative"
    two = model.name == "stfmr_two_resonances"
    branches = list(branches)
    out: list = [None] * len(branches)
    where = [f"{_label(b)}, {b.meta.get('branch', '')} branch" for b in branches]
    found = find_resonances([(b.x, b.y) for b in branches], window_widths=min(window_widths, 6.0),
                            derivative=derivative)
    nonlin, lin = basis.nonlinear, basis.linear
    lin_free = np.array([k not in fixed for k in lin])
    nonlin_free = np.array([k not in fixed for k in nonlin])
    lo = np.array([bounds[k][0] for k in nonlin], float)
    hi = np.array([bounds[k][1] for k in nonlin], float)
    user_init = fit_kwargs.get("init")
    guess = fit_kwargs.get("guess", two)
    scale = fit_kwargs.get("scale_covar")
    max_nfev = fit_kwargs.get("max_nfev")
    state = {}      # i -> [h_res, width, init, window (i0, i1, h, w), fit row]
    for i, (b, g) in enumerate(zip(branches, found)):
        if isinstance(g, Exception):
            out[i] = NoResonanceError(f"{where[i]}: no resonance inside the sweep ({g})")
        elif g["significance"] < min_significance:
            out[i] = NoResonanceError(
                f"{where[i]}: no resonance inside the sweep of |mu0H| = {b.x[0]:.4g}..{b.x[-1]:.4g} T "
                f"(best candidate improves chi-square by only {g['significance']:.3g} noise "
                f"variances, need {min_significance:g})")
        else:
            init = {} if two else {k: v for k, v in g.items() if k in model.param_names}
            state[i] = {"h": g["h_res"], "w": g["width"], "init": init}
    active = sorted(state)
    finite = math.isfinite(window_widths)
    final = {}
    for _ in range(max_iter):
        if not active:
            break
        rows, xs, ys, es, starts = [], [], [], [], []
        for i in active:
            b, st = branches[i], state[i]
            if finite:
                i0 = int(np.searchsorted(b.x, st["h"] - window_widths * st["w"], "left"))
                i1 = int(np.searchsorted(b.x, st["h"] + window_widths * st["w"], "right"))
            else:
                i0, i1 = 0, len(b)
            if i1 - i0 < len(model.params) + 3:
                out[i] = NoResonanceError(f"{where[i]}: only {i1 - i0} points within "
                                          f"{window_widths:g} widths of the resonance at "
                                          f"{st['h']:.4g} T")
                final.pop(i, None)
                continue
            x, y = b.x[i0:i1], b.y[i0:i1]
            try:
                model.check_domain(x, b.source)
            except Exception as exc:     # noqa: BLE001 - a ModelError names the data
                out[i] = SpectrumFitError(f"{where[i]}: {exc}")
                final.pop(i, None)
                continue
            init = user_init if user_init is not None else st["init"]
            start = _starts(model, basis, x, y, init, guess, fixed, bounds)
            st["window"] = (i0, i1, st["h"], st["w"])
            st["start"] = start
            rows.append(i)
            xs.append(x)
            ys.append(y)
            es.append(None if b.yerr is None else b.yerr[i0:i1])
            starts.append([start[k] for k in nonlin])
        if not rows:
            break
        x, y, wt, _ = pad_arrays(xs, ys, es)
        c_fixed = np.array([[state[i]["start"][k] for k in lin] for i in rows])
        theta0 = np.array(starts, float)
        # fixed linear parameters differ per branch only through their start values
        groups: dict[tuple, list[int]] = {}
        for j, i in enumerate(rows):
            groups.setdefault(tuple(c_fixed[j][~lin_free]), []).append(j)
        fitted = {}
        for key, js in groups.items():
            js = np.array(js)
            f = varpro_fit(x[js], y[js], wt[js], theta0[js], basis, lin_free=lin_free,
                           nonlin_free=nonlin_free, c_fixed=c_fixed[js[0]], lo=lo, hi=hi,
                           max_nfev=max_nfev)
            for name, arr in f.items():
                fitted.setdefault(name, np.empty((len(rows),) + arr.shape[1:], arr.dtype))[js] = arr
        moved_rows = []
        for j, i in enumerate(rows):
            st = state[i]
            th = fitted["theta"][j]
            new_h, new_w = float(th[0]), abs(float(th[1]))
            st["init"] = dict(zip(nonlin, th.tolist())) | dict(zip(lin, fitted["c"][j].tolist()))
            moved = abs(new_h - st["h"]) > 0.05 * new_w or abs(new_w - st["w"]) > 0.1 * new_w
            st["h"], st["w"] = new_h, new_w
            final[i] = {k: v[j] for k, v in fitted.items()}
            if moved and finite:
                moved_rows.append(i)
        active = moved_rows
    # results: the resonance inside the sweep, then the fit converged
    done = []
    for i, f in final.items():
        b, st = branches[i], state[i]
        if not (b.x[0] < st["h"] - st["w"] and st["h"] + st["w"] < b.x[-1]):
            out[i] = NoResonanceError(
                f"{where[i]}: the fitted resonance {st['h']:.4g} T (HWHM {st['w']:.3g} T) does "
                f"not lie inside the sweep {b.x[0]:.4g}..{b.x[-1]:.4g} T")
        else:
            done.append(i)
    if done:
        wdata = []
        for i in done:
            i0, i1, h0, w0 = state[i]["window"]
            b = branches[i]
            if finite:
                lo_w, hi_w = h0 - window_widths * w0, h0 + window_widths * w0
                meta = {"window_lo": float(max(lo_w, b.x[0])), "window_hi": float(min(hi_w, b.x[-1])),
                        "window_widths": float(window_widths), "n_points_window": i1 - i0}
            else:
                meta = {"window_lo": float(b.x[0]), "window_hi": float(b.x[-1]),
                        "window_widths": math.inf, "n_points_window": len(b)}
            wdata.append(_cut(b, i0, i1, meta))
        x, _, wt, _ = pad_arrays([d.x for d in wdata], [d.y for d in wdata],
                                 [d.yerr for d in wdata])
        fitted = {k: np.stack([final[i][k] for i in done]) for k in final[done[0]]}
        scaled = (np.array([d.yerr is None for d in wdata]) if scale is None
                  else np.full(len(done), bool(scale)))
        results, _ = varpro_results(model, basis, wdata, x, wt, fitted, lin_free=lin_free,
                                    nonlin_free=nonlin_free, lo=lo, hi=hi, scaled=scaled,
                                    max_nfev=max_nfev)
        for i, r in zip(done, results):
            out[i] = r if r.success else SpectrumFitError(
                f"{where[i]}: the lineshape fit did not converge ({r.message})")
    return out


def _cut(b: Dataset, i0: int, i1: int, meta: dict) -> Dataset:
    """``b.where`` the points i0..i1-1 (a run of the sorted branch), with ``meta`` added."""
    return dataclasses.replace(b, x=b.x[i0:i1], y=b.y[i0:i1],
                               yerr=None if b.yerr is None else b.yerr[i0:i1],
                               meta={**b.meta, **meta})


def fit_branch(b: Dataset, *, model: ModelSpec | None = None, window_widths: float = 6.0,
               min_significance: float = 100.0, max_iter: int = 4, **fit_kwargs) -> FitResult:
    """Fit one branch (x = |mu0H| in T, y = V_mix in uV) within a window around its resonance.

    The resonance is located by :func:`find_resonance`; the branch is then fitted within
    ``window_widths`` half widths of it and the window re-centred on the fit until it stays
    (at most ``max_iter`` fits). The fits use the variable-projection engine of
    :mod:`sotfit.fitting_batch` (:func:`fit_branches` fits many branches at once).

    Parameters
    ----------
    b : Dataset
        A branch from :func:`split_branches`.
    model : ModelSpec, optional
        ``stfmr_mixing`` (default), ``stfmr_derivative`` or ``stfmr_two_resonances``.
    window_widths : float
        Fit only |h - h_res| <= window_widths * W (re-centred on each refit);
        ``inf`` fits the whole branch.
    min_significance : float
        Least chi-square improvement (in noise-variance units) of a resonance
        over a straight background for the branch to count as having one.
    max_iter : int
        Window/refit iterations.
    **fit_kwargs
        :data:`FIT_OPTIONS`, read as :func:`sotfit.fit` reads them (``fixed``, ``bounds``,
        ``init``, ``guess``, ``scale_covar``, ``max_nfev``).

    Returns
    -------
    FitResult
        Its ``meta`` holds the branch and window metadata.

    Raises
    ------
    NoResonanceError
        When no significant resonance lies inside the branch.
    SpectrumFitError
        When the lineshape fit does not converge or yields no uncertainties.
    """
    res = fit_branches([b], model=model, window_widths=window_widths,
                       min_significance=min_significance, max_iter=max_iter, **fit_kwargs)[0]
    if isinstance(res, Exception):
        raise res
    return res


@dataclass(frozen=True, eq=False)
class SpectrumFit:
    """Both branch fits of one spectrum and their combination.

    Attributes
    ----------
    dataset : Dataset
        The spectrum as given (signed field).
    branches : tuple of FitResult
        One fit per polarity present; ``r.meta['polarity']`` is +1 or -1.
    combined : dict of uncertainties values
        ``h_res`` (T, branch mean), ``width`` (T), ``vs``, ``va`` (uV, symmetrised,
        referred to +H), ``ratio`` (vs/va), and with both branches ``field_offset``
        (T, (h_res(+)-h_res(-))/2), ``vs_even``, ``va_even`` (uV).
    notes : tuple of str
        Branches left out and why (a branch without a resonance, a failed fit).
    """

    dataset: Dataset
    branches: tuple[FitResult, ...]
    combined: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    _stderrs: dict = field(default_factory=dict, repr=False, compare=False)

    def stderr(self, key: str) -> float:
        """Standard error of ``combined[key]`` (computed once: each one expands the
        correlations of the branch fits)."""
        try:
            return self._stderrs[key]
        except KeyError:
            v = self._stderrs[key] = float(getattr(self.combined[key], "std_dev", 0.0))
            return v

    @property
    def frequency(self) -> float:
        return float(self.dataset.meta["frequency"])

    @property
    def source(self) -> str:
        return _label(self.dataset)

    def branch(self, polarity: int) -> FitResult | None:
        for r in self.branches:
            if r.meta.get("polarity") == polarity:
                return r
        return None


def combine_branches(branches) -> dict[str, Any]:
    """Symmetrise the branch fits (see the module docstring for the sign bookkeeping)."""
    by = {r.meta["polarity"]: r for r in branches}
    out: dict[str, Any] = {}
    if 1 in by and -1 in by:
        p, m = by[1], by[-1]
        out["h_res"] = (p["h_res"] + m["h_res"]) / 2
        out["field_offset"] = (p["h_res"] - m["h_res"]) / 2
        out["width"] = (p["width"] + m["width"]) / 2
        for k in ("vs", "va"):
            out[k] = (p[k] - m[k]) / 2
            out[k + "_even"] = (p[k] + m[k]) / 2
    else:
        (pol, r), = by.items()
        out["h_res"] = r["h_res"]
        out["width"] = r["width"]
        out["vs"] = pol * r["vs"]
        out["va"] = pol * r["va"]
    out["ratio"] = out["vs"] / out["va"]
    return out


def fit_spectra_batch(datasets, *, model: ModelSpec | None = None, window_widths: float = 6.0,
                      min_significance: float = 100.0, **fit_kwargs) -> list:
    """:func:`fit_spectrum` for many spectra at once: every branch of every spectrum in one
    :func:`fit_branches`.

    Returns
    -------
    list
        Per spectrum its :class:`SpectrumFit` or the :class:`STFMRError` that
        :func:`fit_spectrum` raises for it.
    """
    out: list = [None] * len(datasets)
    branches, owner = [], []
    for n, d in enumerate(datasets):
        f = d.meta.get("frequency")
        if f is None or not np.isfinite(float(f)) or float(f) <= 0:
            out[n] = STFMRError(f"{_label(d)}: missing or invalid microwave frequency "
                                f"(meta 'frequency' = {f!r}); give it in the file, its name or "
                                "--frequency")
            continue
        try:
            parts = split_branches(d)
        except STFMRError as exc:
            out[n] = exc
            continue
        branches.extend(parts)
        owner.extend([n] * len(parts))
    results = fit_branches(branches, model=model, window_widths=window_widths,
                           min_significance=min_significance, **fit_kwargs) if branches else []
    per: dict[int, list] = {}
    for n, b, r in zip(owner, branches, results):
        per.setdefault(n, []).append((b, r))
    for n, items in per.items():
        fitted = [r for _, r in items if not isinstance(r, Exception)]
        errors = [r for _, r in items if isinstance(r, Exception)]
        notes = [f"{b.meta['branch']} branch left out: {r}" for b, r in items
                 if isinstance(r, Exception)]
        if not fitted:
            if len(errors) == 1:
                out[n] = errors[0]
            else:
                kind = NoResonanceError if all(isinstance(e, NoResonanceError) for e in errors) \
                    else SpectrumFitError
                out[n] = kind("; ".join(str(e) for e in errors))
            continue
        fitted = tuple(fitted)
        out[n] = SpectrumFit(datasets[n], fitted, combine_branches(fitted), tuple(notes))
    return out


def fit_spectrum(d: Dataset, *, model: ModelSpec | None = None, window_widths: float = 6.0,
                 min_significance: float = 100.0, **fit_kwargs) -> SpectrumFit:
    """Split a spectrum into branches, fit each in |mu0H| and combine them.

    Parameters
    ----------
    d : Dataset
        Signed field mu0H (T) and V_mix (uV); ``meta['frequency']`` (GHz) is required.
    model, window_widths, min_significance, **fit_kwargs
        As :func:`fit_branch`.

    Returns
    -------
    SpectrumFit

    Raises
    ------
    STFMRError
        Missing frequency, no usable branch; :class:`NoResonanceError` or
        :class:`SpectrumFitError` when no branch fits (naming the file). One
        failing branch while the other fits is recorded in ``notes``.
    """
    res = fit_spectra_batch([d], model=model, window_widths=window_widths,
                            min_significance=min_significance, **fit_kwargs)[0]
    if isinstance(res, Exception):
        raise res
    return res


def compare_repeats(fits, keys=("h_res", "width", "ratio"), group_by: str = "frequency",
                    p_threshold: float = 0.01) -> list[dict]:
    """Compare repeated sweeps at one frequency against their reported errors.

    For each group of spectra sharing ``group_by`` (and the same sample folder)
    and each quantity q with errors s_i, the weighted mean and
    chi^2 = sum((q_i - q_mean)/s_i)^2 with n-1 degrees of freedom are computed;
    the group is flagged when the chi-square p-value is below ``p_threshold``.

    Returns
    -------
    list of dict
        One per (group, quantity): ``frequency``, ``quantity``, ``sources``,
        ``values``, ``stderrs``, ``chi2``, ``dof``, ``birge_ratio`` (sqrt(chi2/dof)),
        ``p_value``, ``flagged``.
    """
    from scipy.stats import chi2 as chi2_dist
    from pathlib import Path

    groups: dict = {}
    for s in fits:
        key = (round(float(s.dataset.meta.get(group_by, 0.0)), 6),
               str(s.dataset.meta.get("sample", Path(s.dataset.source).parent)))
        groups.setdefault(key, []).append(s)
    out = []
    for (gval, sample), members in sorted(groups.items()):
        if len(members) < 2:
            continue
        for k in keys:
            vals = np.array([m.combined[k].nominal_value for m in members])
            errs = np.array([m.stderr(k) for m in members])
            if np.any(~(errs > 0)):
                continue
            w = 1 / errs**2
            mean = float(np.sum(w * vals) / np.sum(w))
            c2 = float(np.sum(((vals - mean) / errs) ** 2))
            dof = len(vals) - 1
            pv = float(chi2_dist.sf(c2, dof))
            out.append({group_by: gval, "sample": sample, "quantity": k,
                        "sources": [m.source for m in members],
                        "values": vals.tolist(), "stderrs": errs.tolist(), "weighted_mean": mean,
                        "chi2": c2, "dof": dof, "birge_ratio": math.sqrt(c2 / dof),
                        "p_value": pv, "flagged": bool(pv < p_threshold)})
    return out
