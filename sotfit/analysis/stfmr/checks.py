"""Checks of an ST-FMR analysis: data checks of the spectra, flags of the fits, spectra below
saturation, low-frequency failures, and the comparison of the sequential and global routes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ...device import MU0_MS_MAX
from ...flags import REDCHI_LIMIT
from ...results import FitResult
from .dispersion import PHYSICAL_FLOORS, bound_reached
from .propagation import _nominal
from .records import STFMRAnalysis
from .branches import second_difference_noise
from .spectra import SpectrumFit


__all__ = [
    "leave_out_unsaturated",
    "explain_low_frequency_failures",
    "data_checks",
    "spectrum_data_check",
    "branch_width_disagreements", "branch_field_disagreements",
    "implausible_meff",
    "implausible_resonance_fields",
    "rounded_voltages",
    "misfit_spectra",
    "misfit_reason",
    "clipping_reason",
    "clipped_spectra",
    "residual_lag1",
    "correlated_residuals",
    "widened_branches",
    "widened_note",
    "unsaturated_spectra",
    "spectrum_data_checks",
    "torque_field_beyond_linewidth",
    "amplitude_below_measurable",
    "lockin_reading_reason",
    "g_outside_ferromagnets",
    "angle_scan_g_reason",
    "field_unit_slip",
    "g_unit_slip",
]


def data_checks(analysis: STFMRAnalysis, limit: float = REDCHI_LIMIT) -> dict[str, dict[int, str]]:
    """Check each route's per-spectrum values against the data they came from.

    For every branch of every spectrum, the values a route reports for the spectrum (and uses
    for its torques) -- resonance field and width of the branch, amplitudes p V_s + V_s,even and
    p V_a + V_a,even (p the polarity; symmetrised values referred to +H) -- are set against the
    windowed data of the branch with the best straight background (solved in closed form).
    The residual variance is compared with the one of the branch's own lineshape fit (the
    noise): a ratio above ``limit`` means the reported amplitudes do not describe the
    spectrum's signal (wrong bookkeeping, or, for the global route, a spectrum whose
    resonance the shared Kittel and Gilbert relations miss).

    Parameters
    ----------
    analysis : STFMRAnalysis
    limit : float
        Largest accepted ratio of residual variances (dimensionless).

    Returns
    -------
    dict
        ``{route: {spectrum index: reason}}`` for the spectra that fail.
    """
    routes = {"sequential": [s.values for s in analysis.spectra]}
    glob = analysis.global_fit
    offsets: dict[tuple[int, int], float] = {}  # (spectrum, polarity) -> field offset, T
    if analysis.global_spectra and glob is not None:
        routes["global"] = analysis.global_spectra
        labels = glob.meta["branches"]
        for i, lab in enumerate(labels):
            b = glob.values.get(f"field_offset_{i}", 0.0)
            offsets[(lab["spectrum"], lab["polarity"])] = float(b)
    out: dict[str, dict[int, str]] = {}
    for route, values in routes.items():
        bad = {}
        for n, (s, v) in enumerate(zip(analysis.spectra, values)):
            if route == "sequential" and "data" in s.point_checks:
                worst = s.point_checks["data"]      # measured when it was fitted
            else:
                worst = spectrum_data_check(s, v, route, {pol: offsets.get((n, pol), 0.0)
                                                          for pol in (1, -1)})
            if worst is not None and worst[0] > limit:
                ratio, pol, vs, va = worst
                bad[n] = (f"{route} route: the values of {s.source} at {s.frequency:g} GHz do "
                          f"not describe its data ({'+' if pol > 0 else '-'} branch: with V_s = "
                          f"{vs:.3g} uV, V_a = {va:.3g} uV the residual variance is "
                          f"{ratio:.3g} times the noise of the spectrum fit)")
        out[route] = bad
    return out


def spectrum_data_check(s, values, route: str = "sequential", offsets=None) -> tuple | None:
    """What :func:`data_checks` measures of one spectrum: ``(ratio, polarity, V_s, V_a)`` of
    its worst branch (residual variance over the noise of the branch fit; the amplitudes in
    uV), or None when no branch can be checked.

    Parameters
    ----------
    s : SpectrumFit
        With the windowed points of its branch fits.
    values : mapping
        The values the route reports for the spectrum (``h_res``, ``width``, ``vs``, ``va``,
        ``vs_even``, ``va_even``); the sequential route takes H_res and W of each branch.
    route : {'sequential', 'global'}
    offsets : mapping, optional
        Field offset (T) of each polarity (global route).
    """
    return spectrum_data_checks([s], [values], route, [offsets])[0]


def spectrum_data_checks(fits, values=None, route: str = "sequential",
                         offsets=None) -> list[tuple | None]:
    """:func:`spectrum_data_check` of many spectra at once (``values`` default to each
    spectrum's own ``values``, ``offsets`` to none): the windows of all their branches are
    checked together, by lineshape model."""
    values = [f.values for f in fits] if values is None else values
    offsets = [None] * len(fits) if offsets is None else offsets
    rows, owners = [], []
    for n, (s, v, off) in enumerate(zip(fits, values, offsets)):
        for row in _branch_rows(s, v, route, off):
            rows.append(row)
            owners.append(n)
    ratios = _window_ratios(rows)
    worst: list[tuple | None] = [None] * len(fits)
    for n, row, ratio in zip(owners, rows, ratios):
        if ratio is not None and (worst[n] is None or ratio > worst[n][0]):
            worst[n] = (ratio, row["polarity"], row["vs"], row["va"])
    return worst


def _branch_rows(s, v, route: str, offsets) -> list[dict]:
    """The branches of spectrum ``s`` that can be checked, each with its windowed points, its
    model and the values the route reports for it (amplitudes p V_s + V_s,even, p V_a +
    V_a,even) and the noise variance of its own fit."""
    from ...models.lineshapes import linear_basis

    rows = []
    for r in s.branches:
        pol = int(r.meta["polarity"])
        d = r.datasets[0]
        model = r.models[0]
        noise2 = r.chisqr / max(r.ndata - r.nvarys, 1)
        if linear_basis(model).resonances > 1 or not noise2 > 0 or len(d) <= 2:
            continue  # the combined values do not carry the other modes; nothing to compare
        if route == "sequential":
            h_res, width = r.value("h_res"), r.value("width")
        else:
            h_res = _nominal(v["h_res"]) + (offsets or {}).get(pol, 0.0)
            width = _nominal(v["width"])
        rows.append({"polarity": pol, "x": d.x, "y": d.y, "model": model, "h_res": h_res,
                     "width": width, "noise2": noise2,
                     "vs": pol * _nominal(v["vs"]) + _nominal(v.get("vs_even", 0.0)),
                     "va": pol * _nominal(v["va"]) + _nominal(v.get("va_even", 0.0))})
    return rows


def _window_ratios(rows) -> list[float]:
    """For every branch row of :func:`_branch_rows`: the residual variance of its points
    about the reported lineshape plus the best straight line a + b (h - H_res) (solved in
    closed form), over the noise variance of the branch fit. Rows of one model are evaluated
    together on points padded to a common length."""
    out: list = [None] * len(rows)
    groups: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(id(row["model"]), []).append(i)
    for idx in groups.values():
        size = max(len(rows[i]["x"]) for i in idx)
        x = np.empty((len(idx), size))
        y = np.zeros((len(idx), size))
        mask = np.zeros((len(idx), size), bool)
        for k, i in enumerate(idx):
            m = len(rows[i]["x"])
            x[k, :m], y[k, :m], mask[k, :m] = rows[i]["x"], rows[i]["y"], True
            x[k, m:] = rows[i]["x"][-1]
        par = {name: np.array([[rows[i][name]] for i in idx]) for name in ("h_res", "width",
                                                                            "vs", "va")}
        line = rows[idx[0]]["model"](x, offset=0.0, slope=0.0, **par)
        dx = np.where(mask, x - par["h_res"], 0.0)
        r = np.where(mask, y - line, 0.0)
        s0 = mask.sum(1).astype(float)
        s1, s2 = dx.sum(1), (dx * dx).sum(1)
        t0, t1 = r.sum(1), (dx * r).sum(1)
        det = s0 * s2 - s1 * s1
        with np.errstate(divide="ignore", invalid="ignore"):
            a = (t0 * s2 - t1 * s1) / det
            b = (s0 * t1 - s1 * t0) / det
        resid = np.where(mask, r - a[:, None] - b[:, None] * dx, 0.0)
        rss = (resid * resid).sum(1)
        for k, i in enumerate(idx):
            if not det[k] > 0:          # all fields equal: the least-squares line of lstsq
                m = int(s0[k])
                cols = np.column_stack([np.ones(m), dx[k, :m]])
                res = r[k, :m] - cols @ np.linalg.lstsq(cols, r[k, :m], rcond=None)[0]
                rss[k] = res @ res
            out[i] = float(rss[k] / (s0[k] - 2) / rows[i]["noise2"])
    return out


#: The two branches of a spectrum whose widths differ by more than this many combined standard
#: errors ...
BRANCH_WIDTH_SIGMAS = 5.0
#: ... and by more than this factor are flagged: they are not the same line (docs/stfmr.md,
#: section 9; the measured sets reach 1.17 at 6.6 sigma between branches that are).
BRANCH_WIDTH_FACTOR = 1.5
#: Where a branch's errors were widened for correlated noise, the widths must also differ by
#: this many widened combined standard errors ...
BRANCH_WIDTH_SIGMAS_WIDENED = 3.0
#: ... or by this factor (:func:`branch_width_disagreements`).
BRANCH_WIDTH_FACTOR_WIDENED = 2.0

#: Fewest steps of its resolution a branch's voltages span: V_mix written with too few digits
#: (1 uV steps on a 3 uV line, 8 values in all) gave xi_FMR 6 standard errors off with a
#: reduced chi-square of 0.1 and no flag; written with one digit more (50-80 steps) the values
#: came out right, and measured spectra span thousands.
ROUNDING_STEPS_MIN = 20
#: Largest scatter of a branch about its fit, in steps of its resolution, at which the rounding
#: is not averaged out: noise of a step or more dithers the steps (a 16-bit converter's 0.6 uV
#: steps on a 3 uV line with noise of 1.3 steps gave xi_FMR as without them, and was flagged
#: wrongly); rounding alone scatters by step/sqrt(12) = 0.29 steps.
ROUNDING_NOISE_MAX = 0.5


def rounded_voltages(spectra: Sequence[SpectrumFit]) -> dict[int, str]:
    """The spectra a branch of whose voltages spans fewer than :data:`ROUNDING_STEPS_MIN`
    steps of their resolution (the smallest difference of two of its distinct values), as
    ``{spectrum index: reason}``: the file's numbers were rounded, and the lineshape fit
    neither sees it nor carries it in its errors. A spectrum whose branch fits let go of their
    points was checked before (``point_checks``)."""
    out = {}
    for n, s in enumerate(spectra):
        reason = (s.point_checks["rounding"] if "rounding" in s.point_checks
                  else rounding_reason(s))
        if reason is not None:
            out[n] = reason
    return out


def rounding_reason(s: SpectrumFit) -> str | None:
    """Why the windowed voltages of a branch of ``s`` look rounded (:func:`rounded_voltages`),
    or None."""
    for r in s.branches:
        y = np.asarray(r.datasets[0].y, dtype=float)
        count, step, span = _levels(y[np.isfinite(y)])
        if count < 2:
            continue
        scatter = math.sqrt(max(r.chisqr, 0.0) / max(r.ndata - r.nvarys, 1))
        if step > 0 and span / step < ROUNDING_STEPS_MIN and scatter < ROUNDING_NOISE_MAX * step:
            return (f"{s.source}: V_mix takes {count} values in steps of {step:.3g} uV "
                    f"over its span of {span:.3g} uV ({span / step:.0f} steps), and scatters "
                    f"about the fit by {scatter / step:.2g} steps, too little to average the "
                    "steps out: the numbers were rounded (too few digits written, or volts "
                    "under a 'uV' header); the lineshape and its errors cannot be trusted: "
                    "write the voltages with more digits")
    return None


def _levels(y: np.ndarray) -> tuple[int, float, float]:
    """(number of distinct values, smallest difference of two of them, largest minus
    smallest) of the finite voltages ``y`` (uV; the differences in uV, NaN for fewer than
    two distinct values): ``np.unique`` and ``np.diff`` of it, read off the sorted values."""
    v = np.sort(y)
    gaps = v[1:] - v[:-1]
    gaps = gaps[gaps != 0]
    if gaps.size == 0:
        return min(v.size, 1), math.nan, math.nan
    return gaps.size + 1, float(gaps.min()), float(v[-1] - v[0])


#: Largest ratio of a branch fit's residual rms to the noise of its points (estimated from
#: the median absolute second difference of the residuals in field order, which a smooth misfit
#: or a single step hardly moves). White noise gives 1; a lock-in time constant correlating
#: neighbouring points raises it (first-order autoregressive noise reaches 10 at a lag-1
#: autocorrelation of 0.985, about 70 points per time constant); the measured sets give at most
#: 7 (CoFe/Pt dev11, lag-1 autocorrelation 0.9) and 5 (YIG, field-modulated). A curved
#: background of 70 uV/T^2 that the search took for a line 90 mT wide gave 10-13 (widths 17
#: times and V_a 10 standard errors off, unflagged), a 1.5 uV switching step inside a 3 GHz
#: line's window 14-18 (the ratio 5 standard errors off).
MISFIT_RATIO_MAX = 10.0


def misfit_ratio(r: FitResult) -> float | None:
    """Residual rms of the branch fit ``r`` over the noise of its points (see
    :data:`MISFIT_RATIO_MAX`), the noise no less than the rounding of its voltages (step /
    sqrt(12), the step the smallest difference of two of its distinct values: voltages written
    with two decimals in uV, noise below a step, made most second differences zero and the ratio
    up to 60 on fits within their errors); None for fewer than 10 points
    (:func:`_residual_statistics`)."""
    return _residual_statistics([r])[0][1]


def misfit_reason(s: SpectrumFit) -> str | None:
    """Why the lineshape fit of a branch of ``s`` does not describe its windowed data
    (:func:`misfit_ratio` above :data:`MISFIT_RATIO_MAX`), or None."""
    if "residual_lag1" in s.point_checks:
        stats = zip(s.point_checks["residual_lag1"], (misfit_ratio(r) for r in s.branches))
    else:
        stats = _residual_statistics(s.branches)
    return _misfit_reason(s, stats)


def _misfit_reason(s: SpectrumFit, stats) -> str | None:
    """:func:`misfit_reason` from the (lag-1 autocorrelation, misfit ratio) of each branch of
    ``s`` (:func:`_residual_statistics`)."""
    for r, (rho, ratio) in zip(s.branches, stats):
        if ratio is None or ratio <= MISFIT_RATIO_MAX:
            continue
        pol = "+" if r.meta.get("polarity", 1) > 0 else "-"
        corr = f", lag-1 autocorrelation {rho:.2f}" if rho is not None else ""
        return (f"{s.source} ({pol} branch): the residuals of its lineshape fit are "
                f"{ratio:.3g} times the noise of its points (from their point-to-point "
                f"differences{corr}): the window holds structure the lineshape does not "
                "describe (a curved background, a step where the magnetisation switches, a "
                "second line, or a line as wide as the sweep that cannot be told from its "
                "background), or noise correlated over many points (a lock-in time constant "
                "much longer than a field step, lag-1 autocorrelation near 1, which makes the "
                "errors many times too small): the spectrum's values cannot be trusted")
    return None


def misfit_spectra(spectra: Sequence[SpectrumFit]) -> dict[int, str]:
    """The spectra a branch fit of which leaves structure in its residuals
    (:func:`misfit_reason`), as ``{spectrum index: reason}``; a spectrum whose branch fits let
    go of their points was checked before (``point_checks``)."""
    out = {}
    for n, s in enumerate(spectra):
        reason = s.point_checks["misfit"] if "misfit" in s.point_checks else misfit_reason(s)
        if reason is not None:
            out[n] = reason
    return out


#: Fewest consecutive points of a branch pinned at the extreme of its line (the voltage less
#: the fitted straight background, within :data:`CLIP_TOLERANCE` noise of its largest
#: excursion) that mark an overloaded input (a lock-in or converter range clipping the largest
#: lobe): white noise puts, of ~90 points, on average 0.16 within 0.1 noise below the largest,
#: so 5 of them in a run happen about once in 10^5 branches; a line clipped at 60 % of its
#: largest lobe pins 8-15 points (xi_FMR 42 % low, alpha 40 % high, fits within their noise).
CLIP_RUN_MIN = 5
#: Spread (in units of the branch's noise) within which points count as pinned at the extreme.
CLIP_TOLERANCE = 0.1


def clipping_reason(s: SpectrumFit) -> str | None:
    """Why a branch of ``s`` looks clipped (:data:`CLIP_RUN_MIN`), or None. Branches whose
    voltages lie on steps coarser than a fifth of the noise (rounded values repeat by
    themselves), lineshapes with a second line and fits without a straight background are not
    judged."""
    for r in s.branches:
        d = r.datasets[0]
        p = r.dataset_params()
        if len(d) < 10 or "offset" not in p or "slope" not in p or "h_res2" in p:
            continue
        y = np.asarray(d.y, float)
        z = y - p["offset"] - p["slope"] * (np.asarray(d.x, float) - p["h_res"])
        if not np.all(np.isfinite(z)):
            continue
        noise = second_difference_noise(np.diff(y - r.evaluate(), 2))
        _, step, _ = _levels(y)
        if not noise > 0 or (np.isfinite(step) and step > 0.2 * noise):
            continue
        k = int(np.argmax(np.abs(z)))
        sign = 1.0 if z[k] > 0 else -1.0
        pinned = sign * z >= sign * z[k] - CLIP_TOLERANCE * noise
        # the longest run of consecutive pinned points
        edges = np.diff(np.concatenate(([0], pinned.astype(np.int8), [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        run = int((ends - starts).max()) if starts.size else 0
        if run >= CLIP_RUN_MIN:
            pol = "+" if r.meta.get("polarity", 1) > 0 else "-"
            i0 = starts[np.argmax(ends - starts)]
            return (f"{s.source} ({pol} branch): {run} consecutive points at "
                    f"{1e3 * d.x[i0]:.4g}-{1e3 * d.x[i0 + run - 1]:.4g} mT lie within "
                    f"{CLIP_TOLERANCE:g} of the noise ({noise:.3g} uV) of one level at the "
                    "extreme of the line (its largest lobe flattened): a saturated input (the "
                    "lock-in's sensitivity or a converter's range overloaded) clips the line, "
                    "which the lineshape fits as a wider line of other amplitudes (xi_FMR 40 % "
                    "low, alpha 40 % high at 60 % of the lobe); measure with a larger range")
    return None


def clipped_spectra(spectra: Sequence[SpectrumFit]) -> dict[int, str]:
    """The spectra a branch of which is clipped at the extreme of its line
    (:func:`clipping_reason`), as ``{spectrum index: reason}``; a spectrum whose branch fits let
    go of their points was checked before (``point_checks``)."""
    out = {}
    for n, s in enumerate(spectra):
        reason = (s.point_checks["clipped"] if "clipped" in s.point_checks
                  else clipping_reason(s))
        if reason is not None:
            out[n] = reason
    return out


#: Median factor sqrt((1 + rho)/(1 - rho)) of the spectra's residuals (rho their lag-1
#: autocorrelation) from which the means over spectra are flagged where their scatter did not
#: raise their errors as much: a drift of lag-1 autocorrelation 0.5 made every per-spectrum
#: error 2-3 times too small, and a quarter to a half of the means went out unflagged with
#: errors 2 times too small (40 noise draws of an independent generator).
CORRELATED_FACTOR = 1.5


def residual_lag1(s: SpectrumFit) -> tuple:
    """The lag-1 autocorrelation of the residuals of each branch fit of ``s`` (in the order of
    its branches; None for a branch of fewer than 10 points); taken from ``point_checks``
    when the fits let go of their points."""
    if "residual_lag1" in s.point_checks:
        return s.point_checks["residual_lag1"]
    return tuple(rho for rho, _ in _residual_statistics(s.branches))


def _residual_statistics(fits: Sequence[FitResult]) -> list[tuple]:
    """(lag-1 autocorrelation, :func:`misfit_ratio`) of the residuals of each branch fit of
    ``fits`` (None for either where it cannot be had: fewer than 10 points, residuals not
    finite, the ratio also voltages not finite or no noise). Fits of one lineshape without
    inputs and one number of points are taken together, a row of one array each.

    The lag-1 autocorrelation is sum(e_i e_i+1) / sum(e_i^2) of the residuals e less their mean,
    in the order of the points (None where they are all equal). The misfit ratio is the rms of
    the residuals in field order over the noise 1.4826 MAD(Delta^2 e) / sqrt(6) of their second
    differences, this no less than step / sqrt(12) for voltages of more than one value (step the
    smallest difference of two of them).
    """
    out: list[tuple] = [(None, None)] * len(fits)
    groups: dict[tuple, list[int]] = {}
    for i, r in enumerate(fits):
        n, m = len(r.datasets[0]), r.models[0]
        if n >= 10:
            key = (id(m), n, tuple(r.param_maps[0])) if not m.inputs else (i,)
            groups.setdefault(key, []).append(i)
    for idx in groups.values():
        rows = [fits[i] for i in idx]
        d0, m = rows[0].datasets[0], rows[0].models[0]
        x = np.array([r.datasets[0].x for r in rows], dtype=float)
        y = np.array([r.datasets[0].y for r in rows], dtype=float)
        names = list(rows[0].param_maps[0])
        values = [r.dataset_params() for r in rows]
        par = {k: np.array([[v[k]] for v in values]) for k in names}
        res = y - m(x, **par, **{k: d0.meta[k] for k in m.inputs})
        n = x.shape[1]
        finite = np.isfinite(res).all(1)
        with np.errstate(all="ignore"):     # rows not finite, or of no noise, are not judged
            e = res - (res.sum(1) / n)[:, None]
            res = np.take_along_axis(res, np.argsort(x, axis=1, kind="stable"), axis=1)
            d2 = res[:, :-2] - 2.0 * res[:, 1:-1] + res[:, 2:]
            noise = second_difference_noise(d2)
            v = np.sort(y, axis=1)
            gaps = v[:, 1:] - v[:, :-1]
            steps = np.where(gaps != 0, gaps, np.inf).min(1)
            noise = np.where(steps < np.inf, np.maximum(noise, steps / math.sqrt(12.0)), noise)
            ratio = np.sqrt((res * res).sum(1) / n) / noise
        judged = finite & np.isfinite(y).all(1) & (noise > 0)
        for k, i in enumerate(idx):
            den = float(np.dot(e[k], e[k])) if finite[k] else 0.0
            out[i] = (float(np.dot(e[k, :-1], e[k, 1:]) / den) if den > 0 else None,
                      float(ratio[k]) if judged[k] else None)
    return out


def point_checks(spectra: Sequence[SpectrumFit], data: Sequence) -> list[dict[str, Any]]:
    """The checks of each spectrum of ``spectra`` that need the windowed points of its branch
    fits, made before the fits let go of them (``SpectrumFit.point_checks``): ``data`` the
    measure of :func:`spectrum_data_check` of each, already made, :func:`rounding_reason`,
    :func:`residual_lag1` and :func:`misfit_reason`; the residuals of all their branches taken
    together (:func:`_residual_statistics`)."""
    stats = iter(_residual_statistics([r for s in spectra for r in s.branches]))
    out = []
    for s, check in zip(spectra, data):
        mine = [next(stats) for _ in s.branches]
        out.append({"data": check, "rounding": rounding_reason(s), "clipped": clipping_reason(s),
                    "residual_lag1": tuple(rho for rho, _ in mine),
                    "misfit": _misfit_reason(s, mine)})
    return out


def correlation_factor(rho) -> float:
    """sqrt((1 + rho)/(1 - rho)): how much too small the errors of a fit of independent points
    are where the noise is a first-order autoregression of lag-1 autocorrelation ``rho``
    (1 for rho <= 0; rho capped at 0.95)."""
    if rho is None or not rho > 0:
        return 1.0
    r = min(float(rho), 0.95)
    return math.sqrt((1 + r) / (1 - r))


def correlated_residuals(spectra: Sequence[SpectrumFit]) -> tuple[float, float] | None:
    """(median lag-1 autocorrelation, its :func:`correlation_factor`) of the residuals of the
    spectra's branch fits when the factor exceeds :data:`CORRELATED_FACTOR`, else None."""
    rhos = [r for s in spectra for r in residual_lag1(s) if r is not None]
    if not rhos:
        return None
    rho = float(np.median(rhos))
    f = correlation_factor(rho)
    return (rho, f) if f > CORRELATED_FACTOR else None


def widened_branches(spectra: Sequence[SpectrumFit]) -> tuple[int, int, float]:
    """(branches whose errors were widened for correlated noise, branches in all, their
    largest factor of a standard error) of the spectra
    (:func:`~sotfit.analysis.stfmr.correlated.widen_for_correlated_noise`)."""
    factors = [r.meta.get("error_factor") for s in spectra for r in s.branches]
    found = [f for f in factors if f is not None]
    return len(found), len(factors), max(found, default=1.0)


def widened_note(count: int, total: int, factor: float) -> str:
    """The note of a run whose branch fits' errors were widened for correlated noise
    (:func:`widened_branches`)."""
    return (f"{count} of {total} branch fits have residuals correlated from point to point "
            "(a lock-in time constant longer than the time per field step, or a drift): their "
            "standard errors are those of noise with the lag-1 autocorrelation read from the "
            f"residuals (up to {factor:.2g} times the independent-point errors; docs/stfmr.md, "
            "section 5)")


def _branch_pairs(spectra: Sequence[SpectrumFit]):
    """(index, spectrum, + branch fit, - branch fit) of each spectrum of ``spectra`` that has
    both branches: what the checks of the two branches against each other compare."""
    for n, s in enumerate(spectra):
        plus, minus = s.branch(1), s.branch(-1)
        if plus is not None and minus is not None:
            yield n, s, plus, minus


def branch_width_disagreements(spectra: Sequence[SpectrumFit]) -> dict[int, str]:
    """The spectra whose + and - branches give widths that cannot be one line's.

    Without a dc current the linewidth W does not depend on the polarity of the field, so the
    two branch fits of a spectrum estimate one W (the resonance fields may differ by a field
    offset, the amplitudes by their even parts). Widths more than :data:`BRANCH_WIDTH_SIGMAS`
    combined standard errors and a factor :data:`BRANCH_WIDTH_FACTOR` apart mean that one branch
    fitted something else (a distorted or second line, a low-field feature, values rounded to
    steps near the line's height), and the combined values average two different lines.

    Returns
    -------
    dict
        ``{spectrum index: reason}``.
    """
    from .output import fit_stderrs

    out = {}
    for n, s, plus, minus in _branch_pairs(spectra):
        wp, wm = plus.value("width"), minus.value("width")
        # the errors of independent points, on which the limits were set (a distorted branch
        # has correlated residuals, whose widened errors hid the dev13 10 GHz repeat)
        ep, em = (r.meta.get("independent_stderrs", {}).get("width") or fit_stderrs(r)["width"]
                  for r in (plus, minus))
        if not (ep and em and np.isfinite(ep) and np.isfinite(em)) or min(wp, wm) <= 0:
            continue
        z = abs(wp - wm) / float(np.hypot(ep, em))
        factor = max(wp, wm) / min(wp, wm)
        # where the errors were widened for correlated noise the independent-point z overstates
        # the difference: the widths must then also lie 3 widened standard errors or a factor
        # 2 apart (noise of lag-1 0.7 gave 7.28 +- 0.93 against 4.71 +- 0.63 mT, 5.4
        # independent-point errors, 2.3 widened, a factor 1.55; the distorted dev13 branch is a
        # factor 2.6 apart)
        wide = [fit_stderrs(r)["width"] for r in (plus, minus)]
        zw = (abs(wp - wm) / float(np.hypot(*wide))
              if all(e and np.isfinite(e) for e in wide) else z)
        if (z > BRANCH_WIDTH_SIGMAS and factor > BRANCH_WIDTH_FACTOR
                and (zw > BRANCH_WIDTH_SIGMAS_WIDENED or factor > BRANCH_WIDTH_FACTOR_WIDENED)):
            out[n] = (f"the + and - branches of {s.source} at {s.frequency:g} GHz give widths "
                      f"{1e3 * wp:.3g} and {1e3 * wm:.3g} mT ({z:.1f} standard errors, a factor "
                      f"{factor:.2g} apart): one branch fitted another line (a distortion, a "
                      "second mode, values rounded to steps near the line's height), and the "
                      "combined values average the two")
    return out


#: The two branches of a spectrum whose resonance fields differ by more than this many
#: combined standard errors ...
BRANCH_FIELD_SIGMAS = 5.0
#: ... and by more than this many times their mean width (HWHM) are flagged: a field offset
#: between the polarities (a magnet's remanence, a Hall probe's zero) stays below a width (the
#: measured sets reach 0.94 of one, at up to 52 standard errors), while a branch fitted on
#: another feature (a weak line among strong ones fitted on its noise: 13.8 mT against 46.5 mT,
#: pull -53, flags 'none') lies many widths away.
BRANCH_FIELD_WIDTHS = 2.0


def branch_field_disagreements(spectra: Sequence[SpectrumFit]) -> dict[int, str]:
    """The spectra whose + and - branches give resonance fields that cannot be one line's
    (:data:`BRANCH_FIELD_SIGMAS`, :data:`BRANCH_FIELD_WIDTHS`), as ``{spectrum index: reason}``.

    Both polarities of a field sweep cross the same resonance at |H| = H_res, up to a field
    offset between them; a branch whose fit lies many widths from the other's fitted something
    else, and the combined values average the two."""
    from .output import fit_stderrs

    out = {}
    for n, s, plus, minus in _branch_pairs(spectra):
        hp, hm = plus.value("h_res"), minus.value("h_res")
        width = 0.5 * (abs(plus.value("width")) + abs(minus.value("width")))
        ep, em = (fit_stderrs(r)["h_res"] for r in (plus, minus))
        if not (ep and em and np.isfinite(ep) and np.isfinite(em)) or not width > 0:
            continue
        z = abs(hp - hm) / float(np.hypot(ep, em))
        widths = abs(hp - hm) / width
        if z > BRANCH_FIELD_SIGMAS and widths > BRANCH_FIELD_WIDTHS:
            out[n] = (f"the + and - branches of {s.source} at {s.frequency:g} GHz give resonance "
                      f"fields {1e3 * hp:.4g} and {1e3 * hm:.4g} mT ({z:.1f} standard errors, "
                      f"{widths:.2g} line widths apart): one branch fitted another feature (a "
                      "weak line among stronger ones fitted on its noise, a second mode, a "
                      "low-field feature), and the combined values average the two")
    return out


#: An in-plane resonance is flagged when the Kittel relation with the free-electron g needs a
#: mu0 M_eff above this many times :data:`MU0_MS_MAX`: a g of 2.3 lowers the M_eff a resonance
#: needs by a quarter and an in-plane anisotropy adds tens of mT, so only a field read in the
#: wrong unit (a column of tesla headed mT is 1000 times too small) goes past it.
MEFF_IMPLAUSIBLE_FACTOR = 2.0


def implausible_meff(h_res: float, frequency: float) -> str | None:
    """Why an in-plane resonance at ``h_res`` (T) and ``frequency`` (GHz) cannot be a
    ferromagnet's, or None: the in-plane Kittel relation with the free-electron gamma/2pi
    needs mu0 M_eff (:func:`sotfit.models.magnetization.meff_inplane`) above
    :data:`MEFF_IMPLAUSIBLE_FACTOR` times :data:`MU0_MS_MAX`.
    """
    from ...models.magnetization import meff_inplane, resonance_field_inplane

    if not (h_res > 0 and frequency > 0):
        return None
    need = meff_inplane(h_res, frequency)
    if need <= MEFF_IMPLAUSIBLE_FACTOR * MU0_MS_MAX:
        return None
    return (f"a resonance at {h_res:.4g} T and {frequency:g} GHz needs mu0 M_eff = {need:.4g} T "
            f"in the in-plane Kittel relation (g = 2.0023), more than {MEFF_IMPLAUSIBLE_FACTOR:g} "
            f"times the magnetisation of any ferromagnet ({MU0_MS_MAX:g} T; a film of "
            f"mu0 M_eff = 1 T resonates at {resonance_field_inplane(frequency, 1.0):.3g} T): "
            "check the field unit (a column of tesla headed mT reads 1000 times too small; "
            "--override-unit field=T)")


def torque_field_beyond_linewidth(width: float, torques: Mapping[str, Any]) -> str | None:
    """Why the torque fields of a spectrum cannot be those of its lineshape, or None.

    The mixing lineshape (Liu et al., seed 001, eqs. (1)-(2)) is the linear response of m to rf
    torque fields much smaller than the linewidth: on resonance the precession cone angle is of
    order mu0 h / (mu0 Delta H). Torque fields beyond the linewidth (HWHM, ``width``, T) would
    tip m by a radian or more, far out of the linear regime the fitted Lorentzians describe,
    and such a spectrum would not have their shape. A voltage read 1000 times too large (a
    column of microvolts headed mV) makes them so.

    Parameters
    ----------
    width : float
        The spectrum's HWHM in T.
    torques : mapping
        Its torque quantities as summary entries (``{"value": ..., "unit": "T"}``).
    """
    big = [(k, abs(float(q["value"]))) for k in ("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_oe")
           if isinstance(q := torques.get(k), Mapping) and q.get("unit") == "T"
           and np.isfinite(float(q.get("value", np.nan)))]
    big = [(k, v) for k, v in big if width > 0 and v > width]
    if not big:
        return None
    k, v = max(big, key=lambda kv: kv[1])
    if k == "mu0_h_oe":     # computed from the rf current alone: its value or unit
        return (f"the Oersted field of the rf current given, |mu0_h_oe| = {v * 1e3:.3g} mT, "
                f"exceeds the linewidth {width * 1e3:.3g} mT (HWHM): no spectrum of the "
                "mixing lineshape (the linear response to torque fields far below the "
                "linewidth) is driven by it, and mu0_h_fl = mu0_h_fl_oe - mu0_h_oe is then "
                "that field; check the rf current (--irf, in mA) and the width")
    return (f"|{k}| = {v * 1e3:.3g} mT exceeds the linewidth {width * 1e3:.3g} mT (HWHM): the "
            "mixing lineshape is the linear response to torque fields far below the linewidth "
            "(precession cone angle of order h/Delta H); check the voltage unit (microvolts "
            "headed mV read 1000 times too large), the rf current and Delta R")


#: Smallest resonance amplitude (uV) an ST-FMR set-up resolves: 0.1 nV. The Johnson noise of
#: a 100 Ohm device is 1.3 nV in a 1 Hz bandwidth; published ST-FMR signals are 0.1-100 uV.
#: A voltage in V headed uV reads 10^6 times too small (1 uV as 1e-6 uV).
AMPLITUDE_FLOOR_UV = 1e-4


def amplitude_below_measurable(vs: float, va: float) -> str | None:
    """Why a spectrum's amplitudes (``vs``, ``va`` in uV) cannot be a measured V_mix, or None:
    both below :data:`AMPLITUDE_FLOOR_UV`. The torque fields scale with them, so a voltage
    unit wrong by 10^6 gives torque fields 10^6 too small, which no other check sees when the
    sample does not give the Oersted field."""
    amp = float(np.hypot(vs, va))
    if not np.isfinite(amp) or amp >= AMPLITUDE_FLOOR_UV:
        return None
    return (f"the resonance amplitude sqrt(V_s^2 + V_a^2) = {amp:.3g} uV is below "
            f"{AMPLITUDE_FLOOR_UV * 1e3:g} nV, smaller than any measured ST-FMR signal (the "
            "Johnson noise of the device alone is about 1 nV): check the voltage unit (volts "
            "headed uV read 10^6 times too small) and --voltage-gain")


def lockin_reading_reason(readings: Sequence[str]) -> str:
    """The flag of absolute torques made from a lock-in output taken as V_mix (``readings``:
    the column names) without a stated relation between the two (``--voltage-gain``)."""
    names = ", ".join(repr(r) for r in readings)
    return (f"V_mix read from the lock-in output {names} as it is: with amplitude-modulated rf "
            "a lock-in reads a fraction of V_mix (sqrt(2)/pi = 0.450 of it for full "
            "square-wave modulation and an rms output), which the torque fields and "
            "efficiencies scale with (xi_fmr, a ratio, does not); give --voltage-gain "
            "READING/V_MIX (0.450 in that case; 1 if the reading is V_mix)")


#: The Lande g factors of ferromagnets that ST-FMR measures: 3d metals and their alloys 2.0-2.2
#: (Fe 2.09, Co 2.15-2.2, Ni 2.18, NiFe 2.1, CoFeB 2.05-2.1: more than half-filled d bands, so
#: the orbital moment adds to g), garnets 2.0 (YIG 2.00-2.01), Heusler alloys 2.0-2.1; a margin
#: either side. Ferrimagnets near their angular-momentum compensation (GdFeCo) have other
#: effective g: the flag says so.
G_RANGE = (1.95, 2.4)
#: A fitted g is flagged when it lies this many standard errors outside :data:`G_RANGE`.
G_SIGMAS = 2.0


#: How near a ratio of fields (read over true) must come to the ratio of two field units to be
#: named as a column of one unit headed with the other (a fraction).
UNIT_SLIP_TOLERANCE = 0.05


def _field_units_off_by(written: str | None, accept) -> list[tuple[str, float]]:
    """(unit, factor) for each common field unit whose numbers, headed ``written``, are read
    ``factor`` times their true field (:data:`sotfit.units.COMMON_UNITS`) and ``accept(factor)``
    holds; empty when ``written`` is no known field unit."""
    from ... import units as _units

    try:
        written = _units.normalise_unit(written, "field") if written else None
    except _units.UnitError:
        written = None
    if written is None or _units.dimension_of(written) != "field":
        return []
    return [(u, r) for u in _units.COMMON_UNITS["field"] if u != written
            for r in (float(_units.convert(1.0, written, u)),) if accept(r)]


def field_unit_slip(ratio: float, written: str | None) -> str | None:
    """The field unit mix-up that makes fields headed ``written`` come out ``ratio`` times
    their true value (within :data:`UNIT_SLIP_TOLERANCE`: a column of Oe headed mT reads 10
    times, one of mT headed kA/m 4 pi/10 times), with the option that reads the column in its
    unit, or None.

    Parameters
    ----------
    ratio : float
        The field read over the field expected (dimensionless).
    written : str or None
        The field unit the file's header writes.
    """
    found = _field_units_off_by(
        written, lambda r: abs(ratio / r - 1.0) <= UNIT_SLIP_TOLERANCE if ratio > 0 else False)
    if not found:
        return None
    u, r = found[0]
    return (f"a field unit mixed up? fields in {u} headed {written} read {r:.4g} times their "
            f"value; fix the file's header, or read the field columns in {u} with "
            f"--override-unit field={u}")


#: :data:`G_RANGE` and what it rests on, as the flags say it.
_G_RANGE_TEXT = (f"{G_RANGE[0]:g}-{G_RANGE[1]:g}, the g factors of the ferromagnets ST-FMR "
                 "measures (3d metals and alloys 2.0-2.2, garnets 2.0; a ferrimagnet near "
                 "compensation differs)")


def _outside_g_range(g: float, stderr: float = 0.0) -> bool:
    """Whether ``g`` lies more than :data:`G_SIGMAS` times ``stderr`` outside :data:`G_RANGE`
    (NaN: outside)."""
    lo, hi = G_RANGE
    return not lo - G_SIGMAS * stderr <= g <= hi + G_SIGMAS * stderr


def angle_scan_g_reason(h_res, frequency: float, meff=None,
                        gyromagnetic_ratio: float | None = None) -> str | None:
    """Why the mu0 M_eff of an angle scan cannot be the film's, or None: the g that the given
    M_eff implies, or the g given, lies outside :data:`G_RANGE` (beyond :data:`G_SIGMAS`
    standard errors of a g from an uncertain H_res).

    An angle scan is at one frequency, so M_eff and g are not both measured: one is given, the
    other follows from the in-plane Kittel relation and the resonance field. mu0 Ms (1.0 T)
    given for mu0 M_eff (0.80 T) went unseen, with mu0 H_DL,y 7.8 % (70 standard errors) off;
    the g it implies, 1.886, is no ferromagnet's.

    Parameters
    ----------
    h_res : float or uncertain value
        Mean resonance field mu0 H_res of the scan (T).
    frequency : float
        The scan's frequency (GHz).
    meff : float or uncertain value, optional
        The given mu0 M_eff (T); its implied g is checked.
    gyromagnetic_ratio : float, optional
        The given gamma/2pi (GHz/T), when ``meff`` is not given: its g is checked.

    Returns
    -------
    str or None
        The reason, worded to follow the name ``mu0_meff``, naming ``--meff`` or ``--g``.
    """
    from ...models.magnetization import gyromagnetic_ratio_inplane
    from ...units import g_from_gyromagnetic_ratio

    if meff is None:
        if gyromagnetic_ratio is None:
            return None
        g = float(g_from_gyromagnetic_ratio(gyromagnetic_ratio))
        if not _outside_g_range(g):
            return None
        return (f"from the given g = {g:.4g} (--g or --gyromagnetic-ratio), outside "
                f"{_G_RANGE_TEXT}: check it, or give the film's M_eff (--meff)")
    h, m = _nominal(h_res), _nominal(meff)
    g = g_from_gyromagnetic_ratio(gyromagnetic_ratio_inplane(h_res, frequency, meff))
    value, stderr = _nominal(g), float(getattr(g, "std_dev", 0.0))
    if not _outside_g_range(value, stderr):
        return None
    check = ("check --meff (mu0 M_eff, not mu0 Ms: a perpendicular anisotropy makes them "
             "differ), or give the film's g (--g) instead")
    if not np.isfinite(value):
        return (f"given as {m:.4g} T: no g puts the resonance at {h:.4g} T and {frequency:g} "
                "GHz there (the in-plane Kittel relation needs mu0 M_eff > -mu0 H_res); "
                + check)
    error = f" +/- {stderr:.2g}" if stderr > 0 else ""
    return (f"given as {m:.4g} T implies g = {value:.4g}{error} from the resonance at "
            f"{h:.4g} T and {frequency:g} GHz (in-plane Kittel relation), outside "
            f"{_G_RANGE_TEXT}: " + check)


def g_unit_slip(g: float, written: str | None) -> str | None:
    """The field unit mix-up under which a fitted ``g`` (from fields headed ``written``) would
    be a ferromagnet's (inside :data:`G_RANGE`): fields read ``r`` times their value give g
    divided by ``r``. The phrase naming it and the option, or None."""
    lo, hi = G_RANGE
    found = _field_units_off_by(written, lambda r: lo <= g * r <= hi)
    if not found:
        return None
    u, r = found[0]
    return (f"a field unit mixed up? fields in {u} headed {written} read {r:.4g} times their "
            f"value, which divides g by {r:.4g} (g x {r:.4g} = {g * r:.3g}); fix the header or "
            f"read the column in {u} with --override-unit field={u}; else")


def g_outside_ferromagnets(g: Mapping | None, field_unit: str | None = None) -> str | None:
    """Why a fitted g (summary entry with a standard error) cannot be a ferromagnet's, or None:
    more than :data:`G_SIGMAS` standard errors outside :data:`G_RANGE`. The Ta/CoFeB spin-diode spectra at
    4-7 GHz alone gave g = 1.88 +- 0.02 and at 2-4 GHz 1.70 +- 0.02 (2.04 with 6-17 GHz), M_eff
    shifted with it, the Kittel fit good: at low frequencies a magnetisation not yet saturated
    bends the dispersion, which a few points put into g. ``field_unit``, the field unit every
    file's header writes (None when they differ), names a unit mix-up that would give such a g
    (:func:`g_unit_slip`)."""
    if not isinstance(g, Mapping) or g.get("stderr") is None:
        return None
    try:
        v, e = float(g["value"]), float(g["stderr"])
    except (TypeError, ValueError):
        return None
    if not (np.isfinite(v) and np.isfinite(e)) or not _outside_g_range(v, e):
        return None
    slip = g_unit_slip(v, field_unit)
    return (f"g = {v:.4g} +/- {e:.2g} lies outside {_G_RANGE_TEXT}: "
            + (f"{slip} " if slip else "") + "with few or only low frequencies the Kittel "
            "fit trades g against M_eff (a magnetisation not saturated at the lowest fields "
            "bends the dispersion); add higher frequencies, leave out the lowest, or hold g "
            "(--g)")


def implausible_resonance_fields(spectra: Sequence[SpectrumFit]) -> dict[int, str]:
    """The in-plane spectra whose resonance field no ferromagnet has at their frequency
    (:func:`implausible_meff`), as ``{spectrum index: reason}``."""
    out = {}
    for n, s in enumerate(spectra):
        reason = implausible_meff(abs(float(_nominal(s.value("h_res")))), float(s.frequency))
        if reason is not None:
            out[n] = f"{s.source}: {reason}"
    return out


def _add(flags: dict[str, list[str]], name: str, reason: str) -> None:
    """Add a flag reason to a quantity of ``flags`` (once)."""
    lst = flags.setdefault(name, [])
    if reason not in lst:
        lst.append(reason)


def _fit_flags(flags: dict[str, list[str]], values: Mapping[str, Any],
               fits: Sequence[tuple[FitResult, Sequence[str]]]) -> None:
    """Flag the parameters of ``fits`` that ended on a bound, were held at one, or lie within one
    standard error of a physical bound (:data:`PHYSICAL_FLOORS`); ``values`` are the reported
    (possibly error-inflated) values by name."""
    for res, names in fits:
        held = res.meta.get("held_at_bound", {})
        for name, bound in held.items():
            unit = res.units.get(name, "")
            _add(flags, name, f"held at its physical lower bound {bound:g} {unit}".rstrip()
                 + f": the {res.model_name} fit ran onto it (the widths extrapolate to a "
                 "negative zero-frequency width); refitted with it fixed there")
            if "alpha" in res.varied:  # the other parameter of W(f) = W_0 + f alpha/(gamma/2pi)
                _add(flags, "alpha", f"standard error conditional on {name} held at its "
                                     f"bound {bound:g} {unit}".rstrip()
                     + ": the slope of the widths then takes in a positive zero-frequency "
                     "width the frequencies could not resolve, so the value may be biased "
                     "high beyond this error (0.8 mT over 8-10 GHz gave alpha 25 % high, 8 "
                     "standard errors)")
        for name in names:
            side = bound_reached(res, name)
            if side is not None:
                lo, hi = res.models[0].param(name).bounds
                unit = res.units.get(name, "")
                if side == "lower" and name in PHYSICAL_FLOORS:
                    _add(flags, name, f"at its physical lower bound {lo:g} {unit}: its standard "
                                      "error is not meaningful".replace(" :", ":"))
                else:
                    _add(flags, name, f"at the {side} end of its search range [{lo:g}, {hi:g}] "
                                      f"{unit}: the data do not determine it".replace(" :", ":"))
            elif name in PHYSICAL_FLOORS and name in res.varied and name in values:
                v = values[name]
                lo = res.models[0].param(name).bounds[0]
                err = getattr(v, "std_dev", 0.0)
                if err > 0 and _nominal(v) - lo < err:
                    _add(flags, name, f"within one standard error of its physical lower bound "
                                      f"{lo:g}: the interval reaches values the physics forbids")


def _saturation_field(meff, geometry: str) -> float | None:
    """mu0 H (T) above which the field saturates the film along itself, or ``None`` when any
    field does (in plane with M_eff >= 0, out of plane with M_eff <= 0)."""
    m = _nominal(meff)
    if (geometry == "inplane" and m >= 0) or (geometry == "outofplane" and m <= 0):
        return None
    return abs(m)


def leave_out_unsaturated(fits: Sequence[SpectrumFit], kittel: FitResult, kprop: dict,
                          geometry: str, refit: Callable, max_rounds: int = 5):
    """Leave out the spectra whose resonance lies below the saturation field, and refit Kittel.

    A perpendicular film (mu0 M_eff < 0) measured with the field in plane is saturated along
    the field only above mu0 H = |M_eff|; below, m is canted and the resonance follows another
    relation (for a uniaxial film, f = (gamma/2pi) sqrt(H_sat^2 - H^2)), so the Kittel relation
    of the saturated film must not see it. Likewise out of plane for an easy-plane film. Such a
    spectrum pulls M_eff towards zero in a fit that includes it, so the test is made without
    it: while the Kittel fit says the film needs a saturating field, the spectrum of lowest
    resonance field is tested against the saturation field of a fit of the others, and left
    out when it lies below. At least two frequencies and three spectra are kept.

    Parameters
    ----------
    fits : sequence of SpectrumFit
    kittel : FitResult
        The Kittel fit of ``fits``.
    kprop : dict
        Its propagated values (``meff`` in T).
    geometry : {'inplane', 'outofplane'}
    refit : callable
        ``refit(fits) -> (kittel, kprop)``.
    max_rounds : int
        Most spectra left out.

    Returns
    -------
    fits, kittel, kprop, left_out
        ``left_out`` as ``[(source, reason), ...]``.
    """
    from ...io.stfmr.frequency_groups import distinct_frequencies

    left: list[tuple[str, str]] = []
    fits = list(fits)
    easy, where = (("perpendicular", "in plane") if geometry == "inplane"
                   else ("easy-plane", "out of plane"))
    for _ in range(max_rounds):
        if _saturation_field(kprop["meff"], geometry) is None:
            break
        lowest = min(fits, key=lambda s: s.value("h_res"))
        keep = [s for s in fits if s is not lowest]
        if len(keep) < 3 or distinct_frequencies(s.frequency for s in keep) < 2:
            break
        k_keep, p_keep = refit(keep)
        h_sat = _saturation_field(p_keep["meff"], geometry)
        h = lowest.value("h_res")
        if h_sat is None or h >= h_sat:
            break
        left.append((lowest.source, f"{lowest.frequency:g} GHz: resonance field {h:.4g} T below "
                     f"the saturation field |mu0 M_eff| = {h_sat:.4g} T of this {easy} film "
                     f"(from the other spectra): not saturated {where}, so the Kittel relation "
                     "of the saturated film does not apply"))
        fits, kittel, kprop = keep, k_keep, p_keep
    return fits, kittel, kprop, left


def explain_low_frequency_failures(failures, datasets, fits, meff, geometry: str):
    """Add to the reason of each spectrum that could not be fitted, when the film needs a
    saturating field and the spectrum lies below every fitted frequency, that it is probably
    not saturated along the field. ``datasets``: the spectra, or {source: frequency in GHz}."""
    h_sat = _saturation_field(meff, geometry)
    if h_sat is None or not fits:
        return failures
    freq = (dict(datasets) if isinstance(datasets, Mapping)
            else {d.source: d.meta.get("frequency") for d in datasets})
    f_min = min(s.frequency for s in fits)
    out = []
    for src, reason in failures:
        f = freq.get(src)
        if f is not None and f < f_min and "saturat" not in reason:
            reason += (f" ({f:g} GHz lies below every fitted frequency of a film with "
                       f"mu0 M_eff = {_nominal(meff):.4g} T: near or below the saturation field, "
                       "the magnetisation is probably not saturated along the field)")
        out.append((src, reason))
    return out


def _meff_geometry_check(meff, geometry: str, fits: Sequence[SpectrumFit]) -> str | None:
    """A reason when mu0 M_eff contradicts the geometry and the measured resonance fields
    (:func:`unsaturated_spectra`), or None."""
    found = unsaturated_spectra(meff, geometry, fits)
    return None if found is None else found[1]


def unsaturated_spectra(meff, geometry: str,
                        fits: Sequence[SpectrumFit]) -> tuple[list[int], str] | None:
    """The spectra whose resonance lies where mu0 M_eff says the film is not saturated along
    the field, and why; None when there are none.

    In plane, M_eff < 0 (a perpendicular easy axis) saturates the film along the field only
    above mu0 H = |M_eff|; out of plane, M_eff > 0 (easy plane) only above mu0 H = M_eff. A
    measured resonance below that field is not in the state the Kittel relation describes (or
    the field was read in the wrong unit: Oe headed mT read an in-plane film as M_eff = -1.6 T).

    Parameters
    ----------
    meff : float or uncertainties value
        mu0 M_eff (T) of a route.
    geometry : {'inplane', 'outofplane'}
        The direction of the field.
    fits : sequence of SpectrumFit
        The spectra.

    Returns
    -------
    (list of int, str) or None
        The indices of those spectra in ``fits`` and the reason.
    """
    m = _nominal(meff)
    if (geometry == "inplane" and m >= 0) or (geometry == "outofplane" and m <= 0):
        return None
    h_sat = abs(m)
    below = [n for n, s in enumerate(fits) if s.value("h_res") < h_sat]
    if not below:
        return None
    easy, where = (("perpendicular easy axis", "in plane") if geometry == "inplane"
                   else ("easy plane", "out of plane"))
    freqs = ", ".join(f"{fits[n].frequency:g} GHz" for n in below)
    return below, (f"mu0_meff = {m:.4g} T ({easy}) with the field {where}: the film is saturated "
                   f"along the field only above {h_sat:.4g} T, but {len(below)} resonance "
                   f"field(s) lie below it ({freqs}); the Kittel relation does not describe them "
                   "(wrong --geometry?)")


def compare_routes(sequential: dict, global_values: dict, threshold: float = 3.0) -> list[str]:
    """Notes for the shared parameters on which the sequential and the global route disagree.

    The global fit weighs every point of every spectrum; its standard errors come from the
    lineshape residuals and do not see a departure of the resonance fields from the Kittel
    relation (an unsaturated low-field spectrum, a second mode). The sequential errors are
    scaled by the reduced chi-square of the Kittel and linewidth fits, so they do. A
    difference larger than ``threshold`` sequential standard errors is therefore reported.

    Parameters
    ----------
    sequential, global_values : dict
        Uncertain values by name (``meff``, ``gyromagnetic_ratio``, ``alpha``,
        ``linewidth_inhomogeneous``).

    Returns
    -------
    list of str
    """
    notes = []
    for name in ("meff", "gyromagnetic_ratio", "alpha", "linewidth_inhomogeneous"):
        a, b = sequential.get(name), global_values.get(name)
        if a is None or b is None:
            continue
        err = getattr(a, "std_dev", 0.0)
        if err > 0 and abs(_nominal(a) - _nominal(b)) > threshold * err:
            notes.append(f"sequential and global {name} differ by "
                         f"{abs(_nominal(a) - _nominal(b)) / err:.1f} sequential standard errors: "
                         "the global errors do not include the misfit of the resonance fields to "
                         "the Kittel relation, prefer the sequential errors")
    return notes
