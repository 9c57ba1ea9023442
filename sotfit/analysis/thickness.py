"""Spin transport from thickness series: one global problem for one or several interfaces.

Every :class:`~sotfit.io.thickness.ThicknessSeries` is one ferromagnet on the same spin
source. The global problem shares the spin-source parameters (``spin_hall_conductivity``,
``spin_diffusion_length``, ``resistivity``, ``g_sf``) across all series and gives every
interface its own ``re_g_mix`` and ``im_g_mix``; the DL and FL data of one interface are
tied to the same G by expressions. This is the seed 003 NiFe/BiSb + CoTb/BiSb analysis
(003_010c0338986411e7.txt, eqs. (1)-(2)) as one fit instead of two steps.

Choices (documented in docs/thickness.md):

* ``joint=True`` fits DL and FL together; ``joint=False`` uses the DL data only.
* An interface with DL data only (or ``joint=False``) has Im G fixed at 0 (the transparency
  form of Pai et al., PRB 92, 064426 (2015)), as seed 003 assumes for CoTb/BiSb: from DL
  data alone Re G and Im G are not separable.
* ``resistivity`` is fixed (rho and G enter only as the product rho G).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..checks import check_names
from ..fitting import FitError, fit_global
from ..io.thickness import ThicknessSeries
from ..models.drift_diffusion import drift_diffusion_dl, drift_diffusion_fl
from ..results import quantity_dict

__all__ = ["ThicknessProblem", "build_problem", "parameter_names", "fit_thickness",
           "sample_thickness", "summary_dict", "SHARED", "STABLE_UNITS"]

SHARED = ("spin_hall_conductivity", "spin_diffusion_length", "resistivity", "g_sf")
STABLE_UNITS = {"re_g_mix": "1e13 Ohm^-1 m^-2", "im_g_mix": "1e13 Ohm^-1 m^-2",
                "spin_diffusion_length": "nm", "spin_hall_conductivity":
                "1e5 (hbar/2e) Ohm^-1 m^-1", "resistivity": "uOhm cm",
                "g_sf": "1e13 Ohm^-1 m^-2"}


@dataclass(frozen=True)
class ThicknessProblem:
    """Datasets, models and parameter ties of a (global) thickness fit.

    Attributes
    ----------
    series : tuple of ThicknessSeries
    datasets, models : tuple
        One entry per (series, part) in order.
    parts : tuple of (int, str)
        Series index and ``'dl'``/``'fl'`` of each dataset.
    shared : tuple of str
    fixed : dict
        ``resistivity`` and the Im G of interfaces without FL data, plus user choices.
    exprs : dict
        Ties of the FL dataset's G to the DL dataset's G of the same interface.
    g_names : tuple of dict
        Per series ``{"re_g_mix": result name, "im_g_mix": result name}``.
    resistivity : float
    """

    series: tuple
    datasets: tuple
    models: tuple
    parts: tuple
    shared: tuple
    fixed: dict
    exprs: dict
    g_names: tuple
    resistivity: float
    notes: tuple = field(default=())

    def labels(self) -> list[str]:
        return [s.label for s in self.series]


def parameter_names(n_datasets: int | None = None) -> tuple[str, ...]:
    """Names a thickness fit's ``fixed`` (and the priors) may use.

    Parameters
    ----------
    n_datasets : int, optional
        Number of datasets (DL and FL parts) of the problem. With several, the names of
        the per-interface parameters carry the dataset index (``re_g_mix_2``) as well.

    Returns
    -------
    tuple of str
        The model's parameter names, then the indexed ones.
    """
    base = tuple(p.name for p in drift_diffusion_dl.params)
    if not n_datasets or n_datasets == 1:
        return base
    return base + tuple(f"{n}_{i}" for i in range(n_datasets) for n in base if n not in SHARED)


def build_problem(series: ThicknessSeries | Sequence[ThicknessSeries], *, joint: bool = True,
                  resistivity: float | None = None, fixed: Mapping | None = None
                  ) -> ThicknessProblem:
    """Set up the global drift-diffusion problem for one or several interfaces.

    Parameters
    ----------
    series : ThicknessSeries or sequence
        One per ferromagnet/spin-source interface, all on the same spin source.
    joint : bool
        Use DL and FL data together (else DL only).
    resistivity : float, optional
        uOhm cm; default the series' own (which must agree).
    fixed : mapping, optional
        Extra fixed parameters by result name or model name (e.g. ``{"g_sf": 0.5}``).

    Returns
    -------
    ThicknessProblem
    """
    if isinstance(series, ThicknessSeries):
        series = [series]
    series = tuple(series)
    if not series:
        raise ValueError("no thickness series given")
    notes = []
    rho = resistivity
    if rho is None:
        rhos = {s.resistivity for s in series if s.resistivity is not None}
        if not rhos:
            raise ValueError("the resistivity of the spin source is unknown: give --rho, a "
                             "'resistivity' column or a '# resistivity:' header line")
        if max(rhos) - min(rhos) > 1e-9 * max(rhos):
            raise ValueError(f"the series disagree on the resistivity ({sorted(rhos)} uOhm cm); "
                             "they share one spin source: give it explicitly")
        rho = rhos.pop()
    datasets, models, parts = [], [], []
    for i, s in enumerate(series):
        for kind, d in s.parts():
            if kind == "fl" and not joint:
                continue
            datasets.append(d.replace(meta={"series": s.label}))
            models.append(drift_diffusion_dl if kind == "dl" else drift_diffusion_fl)
            parts.append((i, kind))
    if not datasets:
        raise ValueError("no data to fit: without --joint only DL data are used, and none "
                         "were found")
    single = len(datasets) == 1
    fixed_all = {"resistivity": float(rho)}
    exprs = {}
    g_names = []
    for i, s in enumerate(series):
        idx = [k for k, (j, _) in enumerate(parts) if j == i]
        if not idx:
            raise ValueError(f"{s.label}: no usable data (DL data are needed without --joint)")
        name = (lambda p, k: p if single else f"{p}_{k}")
        first = idx[0]
        g_names.append({"re_g_mix": name("re_g_mix", first), "im_g_mix": name("im_g_mix", first)})
        for k in idx[1:]:
            exprs[name("re_g_mix", k)] = name("re_g_mix", first)
            exprs[name("im_g_mix", k)] = name("im_g_mix", first)
        kinds = {parts[k][1] for k in idx}
        if "fl" not in kinds:
            fixed_all[name("im_g_mix", first)] = 0.0
            notes.append(f"{s.label}: no FL data used, Im G fixed at 0 (transparency form)")
    check_names("fixed", dict(fixed or {}), parameter_names(len(datasets)))
    for k, v in dict(fixed or {}).items():
        fixed_all[k] = float(v)
    return ThicknessProblem(series, tuple(datasets), tuple(models), tuple(parts), SHARED,
                            fixed_all, exprs, tuple(g_names), float(rho), tuple(notes))


def fit_thickness(problem: ThicknessProblem, *, init: Mapping | None = None, free=(),
                  bounds: Mapping | None = None):
    """Least-squares fit of the problem, started from a small grid of (lambda_s, Re G).

    The model is strongly non-linear in lambda_s and G; the best chi-square of starts at
    lambda_s in {5, 20, 60} nm and Re G in {0.05, 2} x 1e13 Ohm^-1 m^-2 is kept.

    Returns
    -------
    FitResult
    """
    best = None
    errors = []
    for lam in (5.0, 20.0, 60.0):
        for reg in (0.05, 2.0):
            start = {"spin_hall_conductivity": _sigma_guess(problem), "spin_diffusion_length": lam,
                     "re_g_mix": reg, "im_g_mix": 0.1}
            start.update(dict(init or {}))
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    r = fit_global(list(problem.datasets), list(problem.models),
                                   shared=list(problem.shared), init=start, fixed=problem.fixed,
                                   exprs=problem.exprs, free=free, bounds=bounds, guess=False,
                                   warn=False)
            except FitError as exc:
                errors.append(str(exc))
                continue
            if not math.isfinite(r.chisqr):
                continue
            if best is None or (r.success, -r.chisqr) > (best.success, -best.chisqr):
                best = r
    if best is None:
        raise FitError("every least-squares start failed: " + "; ".join(errors[:2]))
    return best


def _sigma_guess(problem) -> float:
    """sigma_s from the largest DL value: xi^E_DL <= sigma_s (perfect sink, thick layer)."""
    ys = [np.max(np.abs(d.y)) for d, (_, k) in zip(problem.datasets, problem.parts)]
    return float(max(ys) * 1.5) if ys else 1.0


def sample_thickness(problem: ThicknessProblem, lsq=None, *, priors: Mapping | None = None,
                     **kwargs):
    """Posterior of the problem with :func:`sotfit.bayes.sample` (keywords passed on).

    Default priors: Re G of every interface uniform on [0, 20] x 1e13 Ohm^-1 m^-2 (the
    spin-mixing conductance cannot exceed the Sharvin conductance, 17e13 at most for BiSb by
    seed 003's estimate, rounded up); everything else flat within the model bounds. Priors
    given by stable name (``re_g_mix``) apply to every interface.
    """
    from ..bayes import sample

    if lsq is None:
        lsq = fit_thickness(problem)
    pri = {}
    for g in problem.g_names:
        if g["re_g_mix"] not in problem.fixed:
            pri[g["re_g_mix"]] = "uniform(0, 20)"
    for k, v in dict(priors or {}).items():
        if k in ("re_g_mix", "im_g_mix"):
            for g in problem.g_names:
                if g[k] not in problem.fixed:
                    pri[g[k]] = v
        else:
            pri[k] = v
    return sample(list(problem.datasets), list(problem.models), shared=list(problem.shared),
                  fixed=problem.fixed, exprs=problem.exprs, priors=pri, lsq=lsq, **kwargs)


def _entry(result, name, unit, post=None):
    if post is not None:
        p16, p50, p84 = post.percentiles[name]
        d = quantity_dict(post[name], unit)
        d.update({"p16": p16, "p50": p50, "p84": p84})
        return d
    return quantity_dict(result[name], unit)


def summary_dict(problem: ThicknessProblem, lsq, post=None) -> dict:
    """JSON-ready summary under the stable names.

    Top level: ``spin_diffusion_length``, ``spin_hall_conductivity``, ``resistivity`` and the
    ``re_g_mix``/``im_g_mix`` of the first interface; ``interfaces`` lists every interface
    by label. Each value is ``{"value","stderr","unit"}`` (plus ``p16``, ``p50``, ``p84``
    from MCMC, whose median is then the value).
    """
    best = post if post is not None else lsq
    out = {"analysis": "thickness", "model": "drift-diffusion (seed 003 eqs. (1)-(2))",
           "method": "emcee" if post is not None else "least squares"}
    for k in ("spin_diffusion_length", "spin_hall_conductivity", "resistivity", "g_sf"):
        out[k] = _entry(best, k, STABLE_UNITS[k], post)
    interfaces = {}
    for s, g in zip(problem.series, problem.g_names):
        interfaces[s.label] = {k: _entry(best, n, STABLE_UNITS[k], post) for k, n in g.items()}
        interfaces[s.label]["im_g_mix_fixed"] = g["im_g_mix"] in problem.fixed
    first = next(iter(interfaces.values()))
    out["re_g_mix"], out["im_g_mix"] = first["re_g_mix"], first["im_g_mix"]
    out["interfaces"] = interfaces
    out["least_squares"] = {"chisqr": lsq.chisqr, "redchi": lsq.redchi, "ndata": lsq.ndata,
                            "nvarys": lsq.nvarys, "success": bool(lsq.success),
                            "message": lsq.message,
                            "parameters": lsq.to_dict()["parameters"]}
    if post is not None:
        d = post.to_dict()
        out["mcmc"] = {k: d[k] for k in ("nwalkers", "nsteps", "burn", "thin", "seed", "nsamples",
                                         "acceptance_fraction", "autocorr_time", "converged",
                                         "message", "priors", "aic", "bic", "waic", "p_waic",
                                         "max_log_likelihood")}
    out["notes"] = list(problem.notes)
    out["inputs"] = [{"label": s.label, **{k: v for k, v in s.meta.items()
                                            if isinstance(v, (str, int, float, list))}}
                     for s in problem.series]
    return out
