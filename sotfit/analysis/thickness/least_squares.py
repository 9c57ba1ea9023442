"""Least squares of a thickness problem from several starts (:func:`fit_thickness`), and the
profile chi-square planes of its interfaces."""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping

import numpy as np

from ...fitting import FitError, Problem, fit_global
from ..microscopic import get_mechanism
from .parameters import parameter_states
from .problem import ThicknessProblem, build_problem

__all__ = ["fit_thickness", "least_squares_problem", "drift_diffusion_problem",
           "interface_profiles", "data_chisqr", "local_optima", "limit_fits",
           "TooFewPointsError", "check_enough_points"]


class TooFewPointsError(FitError):
    """Fewer data points than free parameters: no least-squares start is tried."""


def _free_names(lp: Problem) -> list[str]:
    """The parameters a least-squares fit of ``lp`` varies (result names, in model order), as
    :func:`sotfit.fitting.fit_global` counts them: neither fixed nor tied to another."""
    from ...fitting import _as_set

    _, fixed = _as_set(lp.fixed)
    single = len(lp.datasets) == 1
    free, exprs = set(lp.free or ()), dict(lp.exprs or {})
    seen: set[str] = set()
    out = []
    for i, m in enumerate(lp.models):
        for p in m.params:
            name = p.name if (single or p.name in lp.shared) else f"{p.name}_{i}"
            if name in seen:
                continue
            seen.add(name)
            vary = (p.vary or p.name in free or name in free) and not (
                name in fixed or p.name in fixed)
            if vary and name not in exprs:
                out.append(name)
    return out


def check_enough_points(problem: ThicknessProblem, free=()) -> None:
    """Refuse a problem with no more data points than free parameters, saying how many
    thicknesses its parameters need and which parameters could be held instead.

    Parameters
    ----------
    problem : ThicknessProblem
    free : sequence of str
        Parameters released beside ``problem.free``.

    Raises
    ------
    TooFewPointsError
        Naming the points, the free parameters, the thicknesses needed (a series of one
        interface: one point per thickness of each of its DL and FL datasets) and ``--fix``
        (Python: ``fixed=``). Two thicknesses with DL and FL data were refused as "every
        least-squares start failed: 4 point(s) cannot determine 4 free parameter(s)", a failed
        start for what no start can do.
    """
    from ...fitting import _sources

    lp = least_squares_problem(problem, {}, free)
    names = _free_names(lp)
    ndata = sum(len(d) for d in lp.datasets)
    if ndata > len(names):
        return
    mech = get_mechanism(problem.mechanism)
    shown = ", ".join(mech.stable(n) for n in names)
    thick = np.unique(np.concatenate([np.asarray(d.x, float) for d in problem.datasets]))
    kinds = " and ".join(sorted({part.upper() for _, part in problem.parts}))
    per = len(problem.datasets)
    need = ""
    if len(problem.series) == 1 and not problem.prior_data:
        need = (f"; with {per} point(s) per thickness ({kinds}), {len(names) // per + 1} "
                f"thicknesses or more (the data give {thick.size})")
    example = (", e.g. --fix spin_diffusion_length=10nm" if "spin_diffusion_length" in names
               else "")
    raise TooFewPointsError(
        f"{_sources(problem.datasets)}: {ndata} point(s) cannot determine the {len(names)} free "
        f"parameter(s) of the fit ({shown}): a least-squares fit needs more points than free "
        f"parameters{need}; or hold parameters known from elsewhere at their values, each "
        f"one fewer to fit (--fix NAME=VALUE with its unit, any of {shown}{example}; "
        "Python: fixed=)")


def least_squares_problem(problem: ThicknessProblem, start: Mapping, free=(),
                          bounds: Mapping | None = None) -> Problem:
    """The :class:`sotfit.fitting.Problem` of one least-squares fit of ``problem``.

    Parameters
    ----------
    problem : ThicknessProblem
    start : mapping
        Starting values by result or model name (house units).
    free : sequence of str
        Parameters released beside ``problem.free``.
    bounds : mapping, optional
        ``{name: (lo, hi)}`` (house units) over ``problem.bounds``.

    Returns
    -------
    Problem
        The data followed by the calibration pseudo-observations (``problem.prior_data``).
    """
    return Problem(datasets=tuple(problem.datasets) + tuple(d for d, _ in problem.prior_data),
                   models=tuple(problem.models) + tuple(m for _, m in problem.prior_data),
                   shared=problem.shared, init=dict(start), fixed=problem.fixed,
                   exprs=problem.exprs, free=tuple(problem.free) + tuple(free),
                   bounds={**problem.bounds, **dict(bounds or {})},
                   correlations=problem.correlations)


def _fit(problem: ThicknessProblem, start: Mapping, free=(), bounds: Mapping | None = None):
    """One least-squares fit of the problem (data and calibration pseudo-observations)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_global(least_squares_problem(problem, start, free, bounds), guess=False,
                          warn=False)


#: Chi-squares closer than this (relative) are one optimum reached from two starts.
OPTIMUM_CHISQR_RTOL = 1e-6


def _lower(r, best) -> bool:
    """Whether ``r`` fits better than ``best``: a chi-square lower by more than 1, or lower
    (beyond :data:`OPTIMUM_CHISQR_RTOL`) where ``r`` converged or ``best`` did not (within
    Delta chi^2 = 1 the two fit the data alike, and a fit with a covariance is kept: NiFe + CoTb
    with Im G held at 0 slid along its opaque ridge to sigma_s 6300 without errors,
    Delta chi^2 = -0.49)."""
    if not r.chisqr < best.chisqr - OPTIMUM_CHISQR_RTOL * max(best.chisqr, 1.0):
        return False        # the same optimum, reached from elsewhere: the first one is kept
    return r.chisqr < best.chisqr - 1.0 or bool(r.success) or not best.success


def _better(r, best) -> bool:
    return best is None or (r.success, -r.chisqr) > (best.success, -best.chisqr)


def fit_thickness(problem: ThicknessProblem, *, init: Mapping | None = None, free=(),
                  bounds: Mapping | None = None, profile: bool = True):
    """Least-squares fit of the problem from several starts; the best chi-square is kept.

    Drift-diffusion: the model is strongly non-linear in lambda_s and G; starts at
    lambda_s in {5, 20, 60} nm and Re G in {0.05, 2} x 1e13 Ohm^-1 m^-2, then at the reduced
    conductances of :data:`REDUCED_G_STARTS` (a moderate g and the perfect-sink corner), an
    added start winning only with a lower chi-square (:func:`_lower`). The profile of every
    interface's G (:func:`limit_fits`) and the distinct optima (:func:`local_optima`) are kept
    in the result's ``meta`` (``"limit_fits"``, ``"local_optima"``); a profile point below the
    fit's chi-square restarts the fit there. ``profile=False`` leaves the profile out (a fit
    used only as a start).

    Microscopic mechanisms: the drift-diffusion fit of the same data first; then for every
    interface the profile chi-square over the plane of its two microscopic parameters
    (:func:`sotfit.analysis.microscopic.profile_plane`, the other interfaces at their
    drift-diffusion G), whose local minima are the starts (the best of each interface
    together, then each separate minimum of one interface in turn). If the profile of the
    result finds a lower chi-square than the fit, the fit is repeated from there.

    Returns
    -------
    FitResult
        Its datasets are the problem's followed by the calibration pseudo-observations
        (``problem.prior_data``), if any.

    Raises
    ------
    TooFewPointsError
        No more data points than free parameters (:func:`check_enough_points`).
    """
    check_enough_points(problem, free)
    if get_mechanism(problem.mechanism).microscopic:
        return _fit_microscopic(problem, init=init, free=free, bounds=bounds)
    best, results = _fit_starts(problem, _drift_diffusion_starts(problem), init, free, bounds,
                                lower_only_from=len(DRIFT_DIFFUSION_STARTS))
    limits = limit_fits(problem, best, free=free, bounds=bounds) if profile else []
    for _ in range(2):
        lower = [c for c in limits if c["delta_chisqr"] < -1e-6 * max(best.chisqr, 1.0)]
        if not lower:
            break
        # a profile point fits better: the optimum lies there (beyond the starts' basins)
        start = {**{n: best.value(n) for n in best.varied}, **min(
            lower, key=lambda c: c["chisqr"])["values"], **dict(init or {})}
        refit, more = _fit_starts(problem, [start], None, free, bounds)
        results += more
        if refit is None or not _lower(refit, best):
            break
        best = refit
        limits = limit_fits(problem, best, free=free, bounds=bounds)
    meta = {**best.meta, "local_optima": local_optima(results, best), "limit_fits": limits}
    return dataclasses.replace(best, meta=meta)


#: Starts of the drift-diffusion fit: (lambda_s in nm, Re G in 1e13 Ohm^-1 m^-2); then
#: (lambda_s, reduced conductance g = 2e-4 lambda_s rho Re G) of :data:`REDUCED_G_STARTS`.
DRIFT_DIFFUSION_STARTS = tuple((lam, reg) for lam in (5.0, 20.0, 60.0) for reg in (0.05, 2.0))
#: Starts in the reduced conductance g = 2e-4 lambda_s rho G (dimensionless), which alone sets
#: the shape of g/(g + tanh(t/lambda_s)): a moderate g = 1 (Pt-like series, g ~ 1.4, were
#: reached from the starts of :data:`DRIFT_DIFFUSION_STARTS` only at rho ~ 350 uOhm cm) and the
#: perfect-sink corner g = 30, each at lambda_s 2, 5 and 20 nm, Im G a tenth of Re G.
REDUCED_G_STARTS = tuple((lam, g) for lam in (2.0, 5.0, 20.0) for g in (1.0, 30.0))


def _drift_diffusion_starts(problem: ThicknessProblem) -> list[dict]:
    """Starting values (house units) of a drift-diffusion fit: :data:`DRIFT_DIFFUSION_STARTS`,
    then :data:`REDUCED_G_STARTS` (the earlier ones first: a later start wins only with a
    lower chi-square)."""
    sigma = _sigma_guess(problem)
    starts = [{"spin_hall_conductivity": sigma, "spin_diffusion_length": lam, "re_g_mix": reg,
               "im_g_mix": 0.1} for lam, reg in DRIFT_DIFFUSION_STARTS]
    rho = float(problem.resistivity)
    if math.isfinite(rho) and rho > 0:
        for lam, g in REDUCED_G_STARTS:
            reg = min(max(g / (2e-4 * lam * rho), 1e-3), 1e3)
            starts.append({"spin_hall_conductivity": sigma, "spin_diffusion_length": lam,
                           "re_g_mix": reg, "im_g_mix": 0.1 * reg})
    return starts


def _fit_starts(problem, starts, init, free, bounds, lower_only_from=None):
    """Fit from every start (``init`` over each); returns the best result (successful first,
    then the lowest chi-square, the earlier start on a tie; from start ``lower_only_from`` on,
    only a lower chi-square wins, :func:`_lower`: an added start may not displace a fit at a
    bound, which lmfit calls unsuccessful, by a worse one it calls successful) and every
    finite result."""
    best, errors, results = None, [], []
    for i, start in enumerate(starts):
        start = {**start, **dict(init or {})}
        try:
            r = _fit(problem, start, free, bounds)
        except FitError as exc:
            errors.append(str(exc))
            continue
        if not math.isfinite(r.chisqr):
            continue
        results.append(r)
        if lower_only_from is not None and i >= lower_only_from and best is not None:
            if _lower(r, best):
                best = r
        elif _better(r, best):
            best = r
    if best is None and len(starts) > 1:
        raise FitError("every least-squares start failed: "
                       + "; ".join(list(dict.fromkeys(errors))[:2]))
    return best, results


#: Two least-squares optima are one where every varied parameter agrees to this relative
#: tolerance (or to a tenth of the larger standard error).
OPTIMA_RTOL = 0.02


def local_optima(results, best=None) -> list[dict]:
    """The distinct least-squares optima among ``results`` (successful fits from different
    starts), lowest chi-square first: ``[{"chisqr", "delta_chisqr", "values"}]``, values in
    house units by result name, ``delta_chisqr`` (dimensionless) above the lowest."""
    out = []
    fits = sorted([r for r in results if r.success and math.isfinite(r.chisqr)]
                  + ([best] if best is not None else []), key=lambda r: r.chisqr)
    for r in fits:
        vals = {n: float(r.value(n)) for n in r.varied}
        errs = {n: r.stderr(n) for n in r.varied}
        same = False
        for o in out:
            if set(o["values"]) != set(vals):
                continue
            if all(abs(vals[n] - o["values"][n])
                   <= OPTIMA_RTOL * max(abs(vals[n]), abs(o["values"][n]), 1e-12)
                   or (errs[n] is not None and math.isfinite(errs[n])
                       and abs(vals[n] - o["values"][n]) <= 0.1 * errs[n]) for n in vals):
                same = True
                break
        if not same:
            out.append({"chisqr": float(r.chisqr), "values": vals})
    c0 = out[0]["chisqr"] if out else math.nan
    for o in out:
        o["delta_chisqr"] = o["chisqr"] - c0
    return out


#: The reduced conductances g = 2e-4 lambda_s rho G (dimensionless, lambda_s of the fit)
#: at which :func:`limit_fits` holds Re G, then Im G: from a nearly opaque interface
#: (g = 0.01, where the data fix only sigma_s G) to the perfect sink (g = 1000:
#: g/(g + tanh) = 1 to 0.1 % at t >= lambda_s).
PROFILE_G = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)


def limit_fits(problem: ThicknessProblem, lsq, *, free=(), bounds: Mapping | None = None
               ) -> list[dict]:
    """The chi-square profile of every interface's Re G and Im G over the range of the model.

    For every interface, its free Re G, then its free Im G, is held at the reduced
    conductances :data:`PROFILE_G` (``2e-4 lambda_s rho G``, lambda_s of the fit; Im G with
    the sign of the fit's; within the parameter's bounds, a point within 10 % of the fit's
    left out) and every other parameter is
    refitted, each point started from its neighbour nearer the fit. Where g/(g + tanh(t/lambda_s))
    saturates (perfect sink) or only the product sigma_s G is seen (opaque interface), the
    chi-square rises only a little although G, and the parameters that move with it, lie
    many standard errors away: the linearised errors are then not meaningful
    (:mod:`sotfit.analysis.thickness.summary` flags them).

    Returns
    -------
    list of dict
        ``{"interface", "held", "reduced_conductance", "chisqr", "delta_chisqr", "values"}``
        (chi-square and its rise above ``lsq``, dimensionless; values in house units by
        result name, the held one included). Points whose fit fails are left out.
    """
    from ...bayes import parameter_bounds

    if get_mechanism(problem.mechanism).microscopic or not math.isfinite(lsq.chisqr):
        return []
    out = []
    bnds = parameter_bounds(problem.models, lsq.param_maps, {**problem.bounds,
                                                             **dict(bounds or {})})
    if "spin_diffusion_length" not in lsq.params:
        return out
    unit = 2e-4 * float(lsq.value("spin_diffusion_length")) * float(problem.resistivity)
    if not (math.isfinite(unit) and unit > 0):
        return out
    fit_values = {n: float(lsq.value(n)) for n in lsq.varied}
    for k, g in enumerate(problem.g_names):
        for part in ("re_g_mix", "im_g_mix"):
            name = g[part]
            if name not in lsq.varied:
                continue
            lo, hi = bnds.get(name, (-math.inf, math.inf))
            v0 = fit_values[name]
            sign = -1.0 if v0 < 0 else 1.0
            grid = [sign * gg / unit for gg in PROFILE_G if lo <= sign * gg / unit <= hi
                    and abs(sign * gg / unit - v0) > 0.1 * max(abs(v0), 1e-12)]
            for side in ([v for v in grid if v > v0], [v for v in reversed(grid) if v < v0]):
                start = {n: x for n, x in fit_values.items() if n != name}
                for v in side:
                    try:
                        r = _fit(dataclasses.replace(problem, fixed={**problem.fixed, name: v}),
                                 start, free, bounds)
                    except (FitError, ValueError):
                        continue
                    if not math.isfinite(r.chisqr):
                        continue
                    values = {n: float(r.value(n)) for n in r.varied}
                    start = dict(values)
                    values[name] = v
                    out.append({"interface": k, "held": name, "reduced_conductance": v * unit,
                                "chisqr": float(r.chisqr),
                                "delta_chisqr": float(r.chisqr - lsq.chisqr), "values": values})
    return out


def drift_diffusion_problem(problem: ThicknessProblem) -> ThicknessProblem:
    """The drift-diffusion problem of the same series, options and shared fixed values."""
    if problem.mechanism == "drift-diffusion":
        return problem
    dd = build_problem(problem.series, joint=problem.joint, resistivity=problem.resistivity,
                       calibration_priors={m: c["prior"] for m, c in problem.calibration.items()
                                           if c["state"] == "prior"} or None)
    states = parameter_states(dd)
    keep = {k: v for k, v in problem.fixed.items() if k in states and states[k] != "fixed"
            and not k.startswith(("re_g_mix", "im_g_mix"))}
    if keep:
        dd = dataclasses.replace(dd, fixed={**dd.fixed, **keep})
    return dd


def _fit_microscopic(problem: ThicknessProblem, *, init=None, free=(), bounds=None):
    """The microscopic fit: from the starts of :func:`_microscopic_starts`, then refitted
    while a profile plane finds a lower chi-square (:func:`_refit_below_profiles`)."""
    best, errors = None, []

    def run(start):
        nonlocal best
        try:
            r = _fit(problem, start, free, bounds)
        except FitError as exc:
            errors.append(str(exc))
            return best
        if math.isfinite(r.chisqr) and _better(r, best):
            best = r
        return best

    for start in _microscopic_starts(problem):
        start.update(dict(init or {}))
        run(start)
    if best is None:
        raise FitError("every least-squares start failed: "
                       + "; ".join(list(dict.fromkeys(errors))[:2]))
    return _refit_below_profiles(problem, best, run)


def _microscopic_starts(problem: ThicknessProblem) -> list[dict]:
    """Starts of a microscopic fit: the drift-diffusion fit of the same data, then for every
    interface the local minima of its profile plane (the other interfaces at their
    drift-diffusion G): the best of each interface together, then each separate minimum of
    one interface in turn."""
    from ..microscopic import interface_g, profile_plane, start_candidates

    dd = drift_diffusion_problem(problem)
    lsq_dd = fit_thickness(dd, profile=False)
    shared = {k: v for k, v in lsq_dd.values.items()
              if k in ("spin_hall_conductivity", "spin_diffusion_length")
              or k.startswith("calibration_")}
    g_dd = [complex(np.asarray(interface_g(dd, lsq_dd.values, k)).ravel()[0])
            for k in range(len(dd.interface_params))]
    base = {**shared, **{k: v for k, v in problem.fixed.items()}}
    cands = []
    for k, names in enumerate(problem.interface_params):
        if _plane_fixed(problem, k):
            cands.append([{}])   # the fixed value and the model default for the other
            continue
        plane = profile_plane(problem, {**base, **_optional_values(problem, k)}, k,
                              g_others=g_dd)
        cands.append(start_candidates(plane))
    combos = [tuple(0 for _ in cands)]
    for k, c in enumerate(cands):
        combos.extend(tuple(j if kk == k else 0 for kk in range(len(cands)))
                      for j in range(1, len(c)))
    mech = get_mechanism(problem.mechanism)
    starts = []
    for combo in combos:
        start = dict(shared)
        for names in problem.interface_params:
            for p in mech.optional:
                if names[p] not in problem.fixed and p not in problem.fixed:
                    # a freed u_R starts off 0, where dG/du_R = 0 would hold it
                    start[names[p]] = problem.options.get(p) or 0.1
        for k, j in enumerate(combo):
            c = cands[k][j]
            names = problem.interface_params[k]
            start.update({names[p]: v for p, v in c.items() if p in names})
        starts.append(start)
    return starts


def _refit_below_profiles(problem: ThicknessProblem, best, run):
    """A profile point below the fit means the fit stopped in a secondary minimum: refit
    from there (twice at most); ``run(start)`` fits and returns the best result so far."""
    from ..microscopic import profile_plane, start_candidates

    for _ in range(2):
        improved = False
        for k in range(len(problem.interface_params)):
            if _plane_fixed(problem, k):
                continue
            plane = profile_plane(problem, best.values, k)
            data_chi2 = data_chisqr(problem, best)
            if float(np.nanmin(plane.delta_chi2)) + plane.chi2_min < data_chi2 - 0.5:
                c = start_candidates(plane)[0]
                names = problem.interface_params[k]
                start = {**{n: v for n, v in best.values.items() if n in best.varied},
                         **{names[p]: v for p, v in c.items() if p in names}}
                before = best
                best = run(start)
                improved = improved or best is not before
        if not improved:
            break
    return best


def _optional_values(problem, k):
    names = problem.interface_params[k]
    return {n: problem.fixed.get(n, problem.options.get(p, 0.0)) for p, n in names.items()
            if p not in get_mechanism(problem.mechanism).plane}


def data_chisqr(problem: ThicknessProblem, lsq, indices=None) -> float:
    """Chi-square (dimensionless) of the data alone, without the calibration
    pseudo-observations; of the datasets ``indices`` of ``problem.datasets`` when given."""
    idx = range(len(problem.datasets)) if indices is None else indices
    return float(sum(np.sum((lsq.residuals(i) / problem.datasets[i].yerr) ** 2) for i in idx))


def _sigma_guess(problem) -> float:
    """sigma_s from the largest DL value: xi^E_DL <= sigma_s (perfect sink, thick layer)."""
    ys = [np.max(np.abs(d.y)) for d, (_, k) in zip(problem.datasets, problem.parts)]
    return float(max(ys) * 1.5) if ys else 1.0


def interface_profiles(problem: ThicknessProblem, lsq) -> list:
    """Profile chi-square planes of every interface of a microscopic fit (empty for
    drift-diffusion); :func:`sotfit.analysis.microscopic.profile_plane` at the fit."""
    from ..microscopic import profile_plane

    mech = get_mechanism(problem.mechanism)
    if not mech.microscopic:
        return []
    chi2 = data_chisqr(problem, lsq)
    return [None if _plane_fixed(problem, k) else
            profile_plane(problem, lsq.values, k, chi2_ref=chi2)
            for k in range(len(problem.interface_params))]


def _plane_fixed(problem: ThicknessProblem, k: int) -> bool:
    """Whether the plane of interface ``k`` is not profiled: one of its two microscopic
    parameters is held fixed (no plane), or a third one (u_R) is free (more parameters than
    one complex G can fix; and the polar integral with u_R != 0 would make the grid slow)."""
    return bool(_plane_fixed_names(problem, k) or _extra_free(problem, k))


def _plane_fixed_names(problem: ThicknessProblem, k: int) -> list:
    mech = get_mechanism(problem.mechanism)
    names = problem.interface_params[k]
    return [p for p in mech.plane if names[p] in problem.fixed or p in problem.fixed]


def _extra_free(problem: ThicknessProblem, k: int) -> list:
    mech = get_mechanism(problem.mechanism)
    names = problem.interface_params[k]
    return [p for p, n in names.items() if p not in mech.plane and n not in problem.fixed
            and p not in problem.fixed]
