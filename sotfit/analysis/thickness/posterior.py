"""Posterior of a thickness problem (:func:`sample_thickness`), with its default priors."""

from __future__ import annotations

from collections.abc import Mapping

from ...fitting import Problem
from ..microscopic import get_mechanism
from .least_squares import fit_thickness
from .problem import ThicknessProblem

__all__ = ["sample_thickness", "posterior_problem", "thickness_priors", "DEFAULT_RE_G_PRIOR"]

#: The default prior of every Re G (1e13 Ohm^-1 m^-2): the mixing conductance cannot exceed the
#: Sharvin conductance, at most 17e13 for BiSb by seed 003's estimate, rounded up. A metal's is
#: larger: a posterior cut by it is flagged (:mod:`sotfit.analysis.thickness.summary`).
DEFAULT_RE_G_PRIOR = "uniform(0, 20)"


def sample_thickness(problem: ThicknessProblem, lsq=None, *, priors: Mapping | None = None,
                     **kwargs):
    """Posterior of the problem with :func:`sotfit.bayes.sample` (keywords passed on).

    Default priors: Re G of every interface (drift-diffusion) uniform on
    [0, 20] x 1e13 Ohm^-1 m^-2 (the spin-mixing conductance cannot exceed the Sharvin
    conductance, 17e13 at most for BiSb by seed 003's estimate, rounded up); microscopic
    parameters flat on their physical range (``problem.bounds``); calibration factors their
    stated prior (or flat on :data:`CALIBRATION_BOUNDS`); everything else flat within the
    model bounds. Priors given by model or summary name (``re_g_mix``, ``delta_t``,
    ``exchange``) apply to every interface.
    """
    from ...bayes import sample

    if lsq is None:
        lsq = fit_thickness(problem)
    post_problem = posterior_problem(problem, priors, bounds=kwargs.pop("bounds", None),
                                     free=kwargs.pop("free", ()), init=kwargs.pop("init", None))
    if get_mechanism(problem.mechanism).microscopic:
        # least-squares errors along a ridge can exceed the allowed range: a small ball
        kwargs.setdefault("ball", 0.01)
    return sample(post_problem, lsq=lsq, **kwargs)


def posterior_problem(problem: ThicknessProblem, priors: Mapping | None = None, *,
                      bounds: Mapping | None = None, free=(), init: Mapping | None = None
                      ) -> Problem:
    """The :class:`sotfit.fitting.Problem` sampled by :func:`sample_thickness`.

    Parameters
    ----------
    problem : ThicknessProblem
    priors : mapping, optional
        The user's priors by result, model or summary name (house units), over the
        defaults of :func:`thickness_priors`.
    bounds : mapping, optional
        ``{name: (lo, hi)}`` (house units) over ``problem.bounds``.
    free : sequence of str
        Parameters released beside ``problem.free``.
    init : mapping, optional
        Starting values (used only when no least-squares fit is given to the sampler).

    Returns
    -------
    Problem
        The measured data (no calibration pseudo-observations: the sampler uses the
        calibration priors themselves).
    """
    return Problem(datasets=problem.datasets, models=problem.models, shared=problem.shared,
                   fixed=problem.fixed, exprs=problem.exprs,
                   priors=thickness_priors(problem, priors),
                   init=init, bounds={**problem.bounds, **dict(bounds or {})},
                   free=tuple(problem.free) + tuple(free), correlations=problem.correlations)


def thickness_priors(problem: ThicknessProblem, priors: Mapping | None) -> dict:
    """Default priors (Re G uniform on [0, 20] x 1e13 Ohm^-1 m^-2, calibration priors) and
    the user's, a model or summary name applying to every interface where it is not fixed."""
    from ...bayes import BayesError

    mech = get_mechanism(problem.mechanism)
    pri = {}
    for g in problem.g_names:
        if g["re_g_mix"] not in problem.fixed:
            pri[g["re_g_mix"]] = DEFAULT_RE_G_PRIOR
    for c in problem.calibration.values():
        if c["state"] == "prior":
            pri[c["name"]] = c["prior"]
    per_interface = set(mech.interface) | set(mech.optional)
    for k, v in dict(priors or {}).items():
        k = mech.model_name(k)
        if k in per_interface:
            targets = [g[k] for g in problem.interface_params if g[k] not in problem.fixed]
            if not targets:
                raise BayesError(f"prior given for {mech.stable(k)!r}, which is fixed for every "
                                 "interface" + (" (no FL data used: Im G = 0; fit DL and FL "
                                                "together to free it)" if k == "im_g_mix" else ""))
            for n in targets:
                pri[n] = v
        else:
            pri[k] = v
    return pri
