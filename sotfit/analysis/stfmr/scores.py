"""Scores of resonance candidates (h_res, W) of many branches at once.

The score of a candidate is the chi-square improvement of the four-column lineshape over a
straight line within its window, in units of the noise variance, computed from prefix sums of
the window and the Schur complement of the background block (:func:`sotfit.analysis.stfmr.search.find_resonance`).
"""

from __future__ import annotations

import math

import numpy as np

from ...models.lineshape_search import derivative_design, mixing_design
from .branches import noise_level


#: Points (at most) of the binned branch on which the coarse stage of the search scans.
_COARSE_POINTS = 64


#: Rows (branch, seed) x candidates x points evaluated at once by the exact stage.
_CHUNK_ELEMENTS = 32_768


def _search_design(h, c, w, derivative: bool, out=None):
    """The candidate columns (..., n, 4) of :func:`find_resonance`: the lineshape's own
    ``derivative_design`` or ``mixing_design`` (fields in T)."""
    return (derivative_design if derivative else mixing_design)(h, c, w, out=out)


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
    h = rows_data.h
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
        win = _chunk_windows(rows_data, first, last, rows, c, w, half, start, end, sel, ar,
                             min_side, min_points)
        ok = win[-1]
        if not ok.any():
            continue
        if exact:
            sel_ok, val, cf_full = _exact_scores(rows_data, sig, win, derivative)
            score[sel_ok] = val
            coef[sel_ok] = cf_full
            continue
        val = _prefix_scores(rows_data, sig, c, w, win, derivative)
        score[sel[ok]] = val[ok]
    return score, coef


def _chunk_windows(rows_data: _Rows, first, last, rows, c, w, half, start, end, sel, ar,
                   min_side, min_points):
    """The windows of the candidates ``sel`` of one chunk as index bands of width ``ar.size``.

    Returns (sel, rows, mask, indices, h - c, c, w, first index, count, allowed): the mask of
    the points inside each window, and whether each candidate has enough points on each side
    and lies one half width inside its branch.
    """
    h, weights = rows_data.h, rows_data.weights
    n = h.shape[1]
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
    return sel, r, m, idx, d, cc, ww, first_in, count, ok


def _exact_scores(rows_data: _Rows, sig, win, derivative):
    """Scores of the allowed candidates of a chunk as the exhaustive scan computes them (design
    matrix, regularised normal equations). Returns (candidates, scores, coefficients (V_s,
    V_a, offset, slope) of the full model)."""
    h, v, weights = rows_data.h, rows_data.v, rows_data.weights
    sel, r, m, idx, d, cc, ww, _, _, ok = win
    sel, r, m, idx, d, cc, ww = (x[ok] for x in (sel, r, m, idx, d, cc, ww))
    mf = m.astype(float) if weights is None else np.sqrt(m * weights[idx])
    a_ = _search_design(h[r[:, None], idx], cc, ww, derivative) * mf[..., None]
    vv = v[r[:, None], idx] * mf
    improvement, cf_full = _window_improvement(a_, vv)
    return sel, improvement / sig[r] ** 2, cf_full


def _window_improvement(a, vv):
    """Chi-square improvement of the four lineshape columns ``a`` (M, n, 4) over the two
    background columns alone, for the windowed (and weighted) data ``vv`` (M, n), from the
    normal equations regularised by 1e-12 of their trace. Returns the improvement (M,) in the
    units of vv^2 and the coefficients (V_s, V_a, offset, slope) (M, 4) of the full model."""
    rss, coefs = [], []
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
    return rss[1] - rss[0], coefs[0]


def _prefix_scores(rows_data: _Rows, sig, c, w, win, derivative):
    """Scores of every candidate of a chunk from the prefix sums of the background block and
    the point-by-point sums of the resonance block (:func:`_schur_score`), in units of the
    noise variance."""
    h, v, weights = rows_data.h, rows_data.v, rows_data.weights
    sel, r, m, idx, d, cc, ww, first_in, count, _ = win
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
    return imp / sig[r] ** 2


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
