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
           "interface_profiles", "data_chisqr"]


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


def _better(r, best) -> bool:
    return best is None or (r.success, -r.chisqr) > (best.success, -best.chisqr)


def fit_thickness(problem: ThicknessProblem, *, init: Mapping | None = None, free=(),
                  bounds: Mapping | None = None):
    """Least-squares fit of the problem from several starts; the best chi-square is kept.

    Drift-diffusion: the model is strongly non-linear in lambda_s and G; starts at
    lambda_s in {5, 20, 60} nm and Re G in {0.05, 2} x 1e13 Ohm^-1 m^-2.

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
    """
    if get_mechanism(problem.mechanism).microscopic:
        return _fit_microscopic(problem, init=init, free=free, bounds=bounds)
    best = None
    errors = []
    for lam in (5.0, 20.0, 60.0):
        for reg in (0.05, 2.0):
            start = {"spin_hall_conductivity": _sigma_guess(problem), "spin_diffusion_length": lam,
                     "re_g_mix": reg, "im_g_mix": 0.1}
            start.update(dict(init or {}))
            try:
                r = _fit(problem, start, free, bounds)
            except FitError as exc:
                errors.append(str(exc))
                continue
            if not math.isfinite(r.chisqr):
                continue
            if _better(r, best):
                best = r
    if best is None:
        raise FitError("every least-squares start failed: "
                       + "; ".join(list(dict.fromkeys(errors))[:2]))
    return best


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
    lsq_dd = fit_thickness(dd)
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
