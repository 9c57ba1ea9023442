"""The resonance search of a group of branches of one length: a coarse scan on binned branches
and a climb of the exact scores (:func:`_search_group`), or the exhaustive scan by matrix
products when the branches share their field values (:func:`_search_shared`).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .branches import noise_level
from .scores import _Rows, _bin_rows, _candidate_scores, _grid, _noise_rows, _search_design


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
    grid = _Grid(centres, widths, n_centre, n_width, sig, first, last,
                 dict(k=k, derivative=derivative, min_side=min_side, min_points=min_points))
    full = _Rows(h, v)
    cur = _seeds(*_coarse_scores(h, v, full, step, grid), grid)
    best, seen_keys, seen_s = _climb(cur, full, grid)
    win, win_code, win_coef = _winners(full, best, seen_keys, seen_s, grid)
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


class _Grid:
    """The candidate grid of a group of R branches: centres and widths (R, n_centre) and
    (R, n_width) in T, the noise and the first and last field of every branch, and the
    keywords of :func:`_candidate_scores`."""

    def __init__(self, centres, widths, n_centre, n_width, sig, first, last, kw):
        self.centres, self.widths = centres, widths
        self.n_centre, self.n_width = n_centre, n_width
        self.sig, self.first, self.last = sig, first, last
        self.kw = kw
        self.R = centres.shape[0]

    def scores(self, data, rows, ci, wi, exact=False):
        """:func:`_candidate_scores` of the candidates (centre index, width index) of rows."""
        return _candidate_scores(data, self.sig, self.first, self.last, rows,
                                 self.centres[rows, ci], self.widths[rows, wi],
                                 exact=exact, **self.kw)


def _coarse_scores(h, v, full, step, grid: _Grid):
    """The coarse stage, every second width: centres about a width apart (every second one at
    least, every eighth at most), on the branch binned to half a width (>= ~32 bins).
    Returns the scores (R, candidates) and the centre index, width index and centre stride of
    every candidate."""
    R, n = h.shape
    n_centre, n_width = grid.n_centre, grid.n_width
    centres, widths = grid.centres, grid.widths
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
        sc, _ = grid.scores(data, rows, np.tile(ci, R), np.tile(wi, R))
        coarse_rows.append(sc.reshape(R, ci.size))
        coarse_c.append(ci)
        coarse_w.append(wi)
        coarse_s.append(st)
    coarse = np.concatenate(coarse_rows, axis=1)
    cc_i, ww_i, ss_i = (np.concatenate(x) for x in (coarse_c, coarse_w, coarse_s))
    return coarse, cc_i, ww_i, ss_i


def _seeds(coarse, cc_i, ww_i, ss_i, grid: _Grid):
    """The seeds of the climb (row, centre index, width index, stride): the best coarse
    candidates, up to four, within 20 % of the best and each outside the neighbourhood
    (4 centres, 2 widths) of the seeds before it; every width for a row without any."""
    R, n_centre, n_width = grid.R, grid.n_centre, grid.n_width
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
    return np.concatenate(seeds).astype(np.int64)


def _climb_neighbours(cur, it: int, climb):
    """The candidates (centre index, width index) around every seed of ``cur``: at the first
    step half its coarse stride of centres on either side and +-2 widths, then the 7 x 5
    neighbours ``climb``; column 0 is the seed's own point."""
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
    return ci, wi


def _climb(cur, full, grid: _Grid):
    """The exact stage on every point: the grid around each seed, then steps to the best of
    the neighbours until a seed stays where it is. Returns the best score of every row and
    every candidate scored (keys row * n_centre * n_width + width * n_centre + centre, sorted)
    with its score."""
    n_centre, n_width = grid.n_centre, grid.n_width
    best = np.full(grid.R, -np.inf)
    seen_keys = np.zeros(0, dtype=np.int64)
    seen_s = np.zeros(0)
    climb = np.array([(0, 0)] + [(dc, dw) for dw in (-2, -1, 0, 1, 2)
                                 for dc in (-3, -2, -1, 0, 1, 2, 3) if (dc, dw) != (0, 0)])
    for it in range(100):
        if cur.size == 0:
            break
        r = cur[:, 0]
        ci, wi = _climb_neighbours(cur, it, climb)
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
        sc_new, _ = grid.scores(full, ur, uc, uw)
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
    return best, seen_keys, seen_s


def _winners(full, best, seen_keys, seen_s, grid: _Grid):
    """The winner of every row: candidates within 1e-6 of the row's best, scored exactly as
    the exhaustive scan scores them (regularised normal equations); the highest score, then
    the smallest width and centre index (the first maximum of the scan). Returns the score,
    candidate code and coefficients (V_s, V_a, offset, slope) of every row (-inf: none)."""
    R, n_centre, n_width = grid.R, grid.n_centre, grid.n_width
    rr, code = np.divmod(seen_keys, n_centre * n_width)
    near = np.isfinite(seen_s) & (seen_s >= best[rr] - 1e-6 * np.abs(best[rr]))
    rr, code = rr[near], code[near]
    wi, ci = np.divmod(code, n_centre)
    sc, cf = grid.scores(full, rr, ci, wi, exact=True)
    win = np.full(R, -np.inf)
    win_code = np.full(R, n_centre * n_width, dtype=np.int64)
    win_coef = np.zeros((R, 4))
    ok = np.isfinite(sc)
    o = np.lexsort((code[ok], -sc[ok], rr[ok]))
    rr_o = rr[ok][o]
    firsts = o[np.r_[True, rr_o[1:] != rr_o[:-1]]] if o.size else o
    t_ = rr[ok][firsts]
    win[t_], win_code[t_], win_coef[t_] = sc[ok][firsts], code[ok][firsts], cf[ok][firsts]
    return win, win_code, win_coef


#: Branches sharing their field values search together by matrix products (the exhaustive
#: scan) when at least this many share them.
_SHARED_MIN = 6


def _search_shared(h, v, *, k, derivative, n_centre, n_width, min_side, min_points):
    """The exhaustive scan for branches v (R, n) that share the field values h (n,): the
    candidates' columns are built once, and the projections of all branches on them are one
    matrix product. Same winners as the scan candidate by candidate
    (:func:`_find_resonance_exhaustive`); the winner's score and coefficients (and those of
    every candidate that could tie with it) are computed as that scan computes them."""
    R, n = v.shape
    sig = _noise_rows(v) if n >= 5 else np.array([noise_level(row) for row in v])
    centres, widths, step, span, cand = _shared_setup(
        h, k=k, derivative=derivative, n_centre=n_centre, n_width=n_width, min_side=min_side,
        min_points=min_points)
    if not (step > 0 and span > 0):
        return [ValueError("the field does not vary")] * R
    if cand is None:
        return [ValueError("too few points for a resonance search")] * R
    codes, cols, background = cand
    near_rows, near_j = _shared_near_best(v, sig, cols, background)
    # the winner among the near-ties, scored exactly as the scan scores them
    wi, ci = np.divmod(codes[near_j], n_centre)
    rows = _Rows(np.broadcast_to(h, (R, n)), v)
    sc, cf = _candidate_scores(rows, sig, np.full(R, h[0]), np.full(R, h[-1]), near_rows,
                               centres[ci], widths[wi], k=k, derivative=derivative,
                               min_side=min_side, min_points=min_points, exact=True)
    return _shared_winners(R, near_rows, codes[near_j], sc, cf, centres, widths, sig, n_centre)


#: The candidate setups of the last field grids searched (:func:`_shared_setup`): files of one
#: set usually share their field values, and a setup (columns of every candidate, about
#: 2 x 3840 x n values) costs as much as scoring a few hundred branches.
_SETUP_CACHE: OrderedDict = OrderedDict()

#: Bytes the cached setups may hold together (the least recently used ones are dropped):
#: the 12 field grids of the bundled example (six frequencies, two polarities, 362 points,
#: 11 MB each), so that files named in the order they were measured (every frequency in turn
#: in each chunk of a run) do not build every grid's setup again for every chunk (1.8x the
#: command's time per file at 48 MB, which held four of them).
SETUP_CACHE_BYTES = 160 * 2 ** 20


def _setup_bytes(setup) -> int:
    """Bytes held by the candidates of a setup of :func:`_shared_setup`."""
    return sum(a.nbytes for a in (setup[4] or ()))


def _shared_setup(h, *, k, derivative, n_centre, n_width, min_side, min_points):
    """The candidate grid of the field values h and every allowed candidate: (centres,
    widths, step, span, candidates or None), the candidates as (codes, orthonormal columns
    (2K, n) float32 of :func:`_orthonormal_pair`, orthonormal straight background of the
    whole branch (2, n)); from :data:`_SETUP_CACHE` when these field values and options were
    searched before (the setup depends on them alone, so a cached one is the one that would
    be built)."""
    key = (h.tobytes(), float(k), bool(derivative), n_centre, n_width, min_side, min_points)
    hit = _SETUP_CACHE.get(key)
    if hit is not None:
        _SETUP_CACHE.move_to_end(key)
        return hit
    centres, widths, step, span = _grid(h[None, :], n_centre, n_width)
    centres, widths, step, span = centres[0], widths[0], float(step[0]), float(span[0])
    cand = None
    if step > 0 and span > 0:
        found = _shared_candidates(h, centres, widths, k=k, derivative=derivative,
                                   min_side=min_side, min_points=min_points)
        if found is not None:
            background = np.linalg.qr(np.stack([np.ones_like(h), h - h[0]], axis=1))[0].T
            cand = (*found, np.ascontiguousarray(background))
    setup = (centres, widths, step, span, cand)
    for a in (centres, widths, *(cand or ())):
        a.setflags(write=False)         # shared by later searches: never changed in place
    if _setup_bytes(setup) <= SETUP_CACHE_BYTES:
        _SETUP_CACHE[key] = setup
        total = sum(_setup_bytes(s) for s in _SETUP_CACHE.values())
        while total > SETUP_CACHE_BYTES and len(_SETUP_CACHE) > 1:
            _, old = _SETUP_CACHE.popitem(last=False)
            total -= _setup_bytes(old)
    return setup


def _shared_candidates(h, centres, widths, *, k, derivative, min_side, min_points):
    """Every allowed candidate of the shared field values h (width-major order, as the scan):
    its code (width * n_centre + centre) and its columns P, Q made orthonormal within its
    window (:func:`_orthonormal_pair`; (2K, n), single precision). None when no candidate has
    enough points.

    The columns of a width are computed on the band of points its windows can reach (the
    windows of the narrowest widths hold a few tens of the n points) and are zero elsewhere,
    as the window's mask makes them."""
    n, n_centre = h.size, centres.size
    g = h - h[0]
    pre_h = [np.concatenate([[0.0], np.cumsum(x)]) for x in (np.ones(n), g, g * g)]
    codes, cols = [], []
    for j, w in enumerate(widths):
        c = centres[:, None]
        idx = _window_band(h, centres, k * w)
        d = h[idx] - c
        m = np.abs(d) < k * w
        if _window_cut(m, idx, n):                  # never seen; the whole branch then
            idx = np.broadcast_to(np.arange(n), (centres.size, n))
            d = h[idx] - c
            m = np.abs(d) < k * w
        left = (m & (d < 0)).sum(1)
        right = (m & (d > 0)).sum(1)
        ok = ((left >= min_side) & (right >= min_side) & (left + right >= min_points)
              & (c[:, 0] - w >= h[0]) & (c[:, 0] + w <= h[-1]))
        if not ok.any():
            continue
        m, d, c0, idx = m[ok], d[ok], centres[ok] - h[0], idx[ok]
        a0 = idx[:, 0] + np.argmax(m, axis=1)
        e0 = a0 + m.sum(1)
        cols_j = _search_design(h[idx], centres[ok, None], w, derivative)[..., :2]
        P = cols_j[..., 0] * m
        Q = cols_j[..., 1] * m
        s1, sg, sgg = (x[e0] - x[a0] for x in pre_h)
        sd = sg - c0 * s1
        sdd = sgg - 2 * c0 * sg + c0 * c0 * s1
        sums = np.stack([s1, sd, sdd, P.sum(1), Q.sum(1), (P * d).sum(1), (Q * d).sum(1),
                         (P * P).sum(1), (P * Q).sum(1), (Q * Q).sum(1), c0], axis=1)
        singular = _schur_forms(sums)[4][:, 0] == 0
        band = _orthonormal_pair(P, Q, m, d, sums, singular)
        full = np.zeros((band.shape[0], 2, n), dtype=band.dtype)
        for t in range(2):
            np.put_along_axis(full[:, t], idx, band[:, t], axis=1)
        cols.append(full)
        codes.append(j * n_centre + np.flatnonzero(ok))
    if not codes:
        return None
    codes = np.concatenate(codes)
    return codes, np.ascontiguousarray(np.concatenate(cols).reshape(2 * codes.size, n))


def _window_band(h, centres, half):
    """Indices (n_centre, L) into the ascending h of a band of L consecutive points around
    every centre that holds its whole window |h - c| < half, with two points to spare on each
    side (the window itself is the exact mask of its caller); the whole of h when the band
    would not leave out a point on each side of some window."""
    n = h.size
    lo = np.searchsorted(h, centres - half, "left") - 2
    hi = np.searchsorted(h, centres + half, "right") + 2
    length = int(np.max(hi - lo))
    if length >= n:
        return np.broadcast_to(np.arange(n), (centres.size, n))
    start = np.clip(lo, 0, n - length)
    return start[:, None] + np.arange(length)


def _window_cut(m, idx, n) -> bool:
    """Whether some window mask m (rows of the band idx of :func:`_window_band`) reaches the
    edge of its band where the band does not end the branch: a window is an interval of
    points (h - c rounds monotonically in h), so a window inside its band never does."""
    return bool(np.any(m[:, 0] & (idx[:, 0] > 0)) or np.any(m[:, -1] & (idx[:, -1] < n - 1)))


def _schur_forms(sums):
    """Per candidate, the quadratic form of the Schur complement: with b_P = P.v - a_P sum(v)
    - b_P' sum(g v) (and the same for Q), the improvement is A b_P^2 + B b_P b_Q + C b_Q^2.
    Returns (a_P, a_Q, b_P, b_Q, A, B, C) as (K, 1) columns (A = B = C = 0 for a singular
    candidate)."""
    s1, sd, sdd, sp, sq, spd, sqd, spp, spq, sqq, c0 = sums.T
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
    return ap, aq, bp[:, None], bq[:, None], qa, qb, qc


def _orthonormal_pair(P, Q, m, d, sums, singular):
    """The columns P, Q (K, n) of candidates made orthonormal within their windows ``m`` to
    the straight background (1, d; d = h - h_res) and to each other (P first): with u1, u2
    those columns, the Schur-complement score of :func:`_schur_forms` is
    ((u1 . v)^2 + (u2 . v)^2) / sig^2 for any branch v. The background part of a column is
    removed in closed form from the window sums (d centred on its window mean), the rest by
    Gram-Schmidt. Zero columns for the ``singular`` candidates (score 0, as their zero forms
    give). Returns (K, 2, n) in single precision, the precision of the products they enter
    (:func:`_shared_near_best`)."""
    s1, sd, sdd, sp, sq, spd, sqd = (sums[:, i:i + 1] for i in range(7))
    mean = sd / s1
    spread = sdd - sd * mean                         # sum over the window of (d - mean)^2
    mf = m.astype(float)
    e = (d - mean) * mf

    def unit(x):
        norm = np.sqrt(np.einsum("kn,kn->k", x, x))[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            return x / norm

    with np.errstate(divide="ignore", invalid="ignore"):
        u1 = unit(P - (sp / s1) * mf - ((spd - mean * sp) / spread) * e)
        q = Q - (sq / s1) * mf - ((sqd - mean * sq) / spread) * e
    u2 = unit(q - np.einsum("kn,kn->k", q, u1)[:, None] * u1)
    bad = singular | ~(np.isfinite(u1).all(1) & np.isfinite(u2).all(1))
    u1[bad] = 0.0
    u2[bad] = 0.0
    return np.stack([u1, u2], axis=1).astype(np.float32)


#: Unit roundoff of the float32 products of :func:`_shared_near_best`.
_EPS32 = float(np.finfo(np.float32).eps) / 2


def _score_error(s, delta):
    """Bound on the error of a score p1^2 + p2^2 = s whose projections err by at most delta
    (float32 squares summed in double precision)."""
    return 2 * np.sqrt(2 * s) * delta + 2 * delta ** 2 + 3 * _EPS32 * s


def _shared_near_best(v, sig, cols, background):
    """The candidates of every branch that could hold its best score: the scores of all
    candidates by one float32 matrix product with the orthonormal columns (2K, n)
    (:func:`_orthonormal_pair`), in chunks of branches. Returns (row, candidate) of every
    candidate whose score lies within 1e-6 of the branch's best plus twice the rounding bound
    of the product, so that the best score of the exact scan is among them.

    The branches are first freed of their best straight line in double precision (the
    columns are orthogonal to it within every window, so no projection changes) and scaled to
    unit norm; a projection p = u.v then errs by at most delta = (n + 2) eps32 |v| (|u| = 1)
    and a score p1^2 + p2^2 = s by at most 2 sqrt(2 s) delta + 2 delta^2 + 3 eps32 s. A
    branch whose noise is not finite and positive is judged as the scan judges it, by scores
    over sig^2.
    """
    R, n = v.shape
    K = cols.shape[0] // 2
    near_rows, near_j = [], []
    chunk = max(8, int(262_144 // K))           # (K, chunk) arrays that stay in the cache
    for r0 in range(0, R, chunk):
        vv = v[r0:r0 + chunk]
        vv = vv - (vv @ background.T) @ background
        nr = vv.shape[0]
        # each branch to unit norm: single precision neither underflows nor overflows, and a
        # branch's scores change by one positive factor (its winner and near-ties do not)
        norm = np.sqrt(np.einsum("rn,rn->r", vv, vv))
        norm = np.where((norm > 0) & np.isfinite(norm), norm, 1.0)
        pv = (cols @ (vv.T / norm).astype(np.float32)).reshape(K, 2, nr)
        np.multiply(pv, pv, out=pv)
        score = pv[:, 0].astype(np.float64)
        score += pv[:, 1]
        jb = np.argmax(score, axis=0)
        sb = score[jb, np.arange(nr)]
        delta = (n + 2) * _EPS32 * np.sqrt(np.einsum("rn,rn->r", vv, vv)) / norm
        top = sb + _score_error(sb, delta)             # above the best true score
        slack = 1e-6 * sb + 2 * _score_error(top, delta)
        close = score >= (sb - slack)[None, :]
        s2 = sig[r0:r0 + chunk] ** 2
        odd = np.flatnonzero(~(np.isfinite(s2) & (s2 > 0)))
        if odd.size:                    # the scan's own judgement: scores over sig^2
            with np.errstate(divide="ignore", invalid="ignore"):
                sc = score[:, odd] / s2[odd]
            best = sc[np.argmax(sc, axis=0), np.arange(odd.size)]
            close[:, odd] = sc >= best - 1e-6 * np.abs(best)
        cj, cr = np.nonzero(close)
        near_rows.append(cr + r0)
        near_j.append(cj)
    return np.concatenate(near_rows), np.concatenate(near_j)


def _shared_winners(R, near_rows, code, sc, cf, centres, widths, sig, n_centre) -> list:
    """The winner of every branch among its exactly scored near-ties: the highest score, then
    the smallest code (the first maximum of the scan); ValueError for a branch without one."""
    out: list = [None] * R
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
