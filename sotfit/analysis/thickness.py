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

import dataclasses
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..fitting import FitError, fit_global
from ..io.thickness import ThicknessSeries
from ..models.drift_diffusion import drift_diffusion_dl, drift_diffusion_fl
from ..results import quantity_dict

__all__ = ["ThicknessProblem", "build_problem", "fit_thickness", "sample_thickness",
           "summary_dict", "birge_ratio", "parameter_states", "check_parameter_names", "SHARED",
           "STABLE_UNITS", "NONNEGATIVE", "BOUND_RTOL"]

SHARED = ("spin_hall_conductivity", "spin_diffusion_length", "resistivity", "g_sf")
STABLE_UNITS = {"re_g_mix": "1e13 Ohm^-1 m^-2", "im_g_mix": "1e13 Ohm^-1 m^-2",
                "spin_diffusion_length": "nm", "spin_hall_conductivity":
                "1e5 (hbar/2e) Ohm^-1 m^-1", "resistivity": "uOhm cm",
                "g_sf": "1e13 Ohm^-1 m^-2"}
#: A fitted value within this relative distance of a bound counts as at the bound (lmfit's
#: bound transformation stops short of it: Re G of CoTb/BiSb alone ends at 9999.2 of 1e4).
BOUND_RTOL = 1e-3
#: Parameters that cannot be negative, with what they are (flagged in summaries if they are).
NONNEGATIVE = {"spin_diffusion_length": "spin diffusion length",
               "re_g_mix": "real part of the spin-mixing conductance",
               "g_sf": "spin-flip conductance", "resistivity": "resistivity"}


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
        Extra fixed parameters by result name or model name (e.g. ``{"g_sf": 0.5}``), in
        house units.

    Returns
    -------
    ThicknessProblem

    Raises
    ------
    ValueError
        A fixed name that is not a parameter (the message lists the valid ones) or is tied
        to another, or a fixed value outside the parameter's range (a negative spin
        diffusion length or Re G would otherwise be clipped to the bound without a word).
    """
    if isinstance(series, ThicknessSeries):
        series = [series]
    series = tuple(series)
    if not series:
        raise ValueError("no thickness series given")
    _check_distinct_series(series)
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
    problem = ThicknessProblem(series, tuple(datasets), tuple(models), tuple(parts), SHARED,
                               fixed_all, exprs, tuple(g_names), float(rho), tuple(notes))
    user = {k: float(v) for k, v in dict(fixed or {}).items()}
    if not user:
        return problem
    check_parameter_names(problem, user, "fixed parameter")
    for k, v in user.items():
        param = _model_param(problem, k)
        lo, hi = param.bounds
        if not (math.isfinite(v) and lo <= v <= hi):
            raise ValueError(f"fixed parameter {k} = {v:g} {param.unit} is outside its range "
                             f"[{lo:g}, {hi:g}] {param.unit} ({param.doc})")
    return dataclasses.replace(problem, fixed={**fixed_all, **user})


def _check_distinct_series(series) -> None:
    """Refuse two series with the same label (one would hide the other in the summary) or
    with identical data (the same measurement counted twice)."""
    labels: dict[str, str] = {}
    data: dict[tuple, str] = {}
    for s in series:
        src = str(s.meta.get("source") or s.meta.get("files") or s.label)
        if s.label in labels:
            raise ValueError(f"two thickness series are labelled {s.label!r} ({labels[s.label]} "
                             f"and {src}); give each interface its own label (--label)")
        labels[s.label] = src
        key = tuple((k, d.x.tobytes(), d.y.tobytes(), d.yerr.tobytes()) for k, d in s.parts())
        if key in data:
            raise ValueError(f"{data[key]} and {src} hold identical data; give each series "
                             "once (the same data given twice would count twice)")
        data[key] = src


def _model_param(problem: ThicknessProblem, name: str):
    """The model :class:`~sotfit.models.spec.Param` behind a model or result name."""
    for m in problem.models:
        for p in m.params:
            if name == p.name or (name.startswith(p.name + "_") and
                                  name[len(p.name) + 1:].isdigit()):
                return p
    raise KeyError(name)


def parameter_states(problem: ThicknessProblem) -> dict[str, str]:
    """Every parameter name the problem knows, with its state in the fit.

    Result names (``re_g_mix_0``) and model names (``re_g_mix``, standing for every copy)
    are listed. States: ``"free"`` (varied by the fit), ``"fixed"`` (by the problem or by
    default, as ``resistivity`` and ``g_sf``) or ``"tied to <name>"`` (an FL dataset's G
    follows the DL dataset's G of the same interface). A model name is free when any of
    its copies is.

    Returns
    -------
    dict
        ``{name: state}`` in model order.
    """
    single = len(problem.datasets) == 1
    out: dict[str, str] = {}
    model_state: dict[str, str] = {}
    for i, m in enumerate(problem.models):
        for p in m.params:
            name = p.name if (single or p.name in problem.shared) else f"{p.name}_{i}"
            if name in problem.exprs:
                state = f"tied to {problem.exprs[name]}"
            elif not p.vary or name in problem.fixed or p.name in problem.fixed:
                state = "fixed"
            else:
                state = "free"
            out.setdefault(name, state)
            if model_state.get(p.name) != "free":
                model_state[p.name] = "free" if state == "free" else "fixed"
    for k, v in model_state.items():
        out.setdefault(k, v)
    return out


def check_parameter_names(problem: ThicknessProblem, names, what: str, *,
                          free_only: bool = False) -> None:
    """Refuse names that are not parameters of the problem (or not free, or tied).

    Parameters
    ----------
    problem : ThicknessProblem
    names : iterable of str
        Names given by the user (result names such as ``re_g_mix_2`` or model names).
    what : str
        How the user gave them, for the message (``"--fix"``, ``"--prior"``).
    free_only : bool
        Also refuse parameters the fit does not vary (priors need a sampled parameter).

    Raises
    ------
    ValueError
        Naming the offending name and the valid ones.
    """
    states = parameter_states(problem)
    free = [k for k, v in states.items() if v == "free"]
    settable = [k for k, v in states.items() if not v.startswith("tied")]
    for n in names:
        if n not in states:
            valid = free if free_only else settable
            raise ValueError(f"{what} {n!r}: not a parameter of the drift-diffusion thickness "
                             f"model; valid names: {', '.join(valid)}")
        st = states[n]
        if st.startswith("tied"):
            raise ValueError(f"{what} {n!r}: {n} is {st} (same interface, DL and FL data); "
                             f"give {problem.exprs[n]} instead")
        if free_only and st != "free":
            raise ValueError(f"{what} {n!r}: {n} is fixed in this fit; parameters with a "
                             f"prior must be free: {', '.join(free)}")


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
        raise FitError("every least-squares start failed: "
                       + "; ".join(list(dict.fromkeys(errors))[:2]))
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
    from ..bayes import BayesError, sample

    if lsq is None:
        lsq = fit_thickness(problem)
    pri = {}
    for g in problem.g_names:
        if g["re_g_mix"] not in problem.fixed:
            pri[g["re_g_mix"]] = "uniform(0, 20)"
    for k, v in dict(priors or {}).items():
        if k in ("re_g_mix", "im_g_mix"):
            targets = [g[k] for g in problem.g_names if g[k] not in problem.fixed]
            if not targets:
                raise BayesError(f"prior given for {k!r}, which is fixed for every interface"
                                 + (" (no FL data used: Im G = 0; fit DL and FL together to "
                                    "free it)" if k == "im_g_mix" else ""))
            for n in targets:
                pri[n] = v
        else:
            pri[k] = v
    return sample(list(problem.datasets), list(problem.models), shared=list(problem.shared),
                  fixed=problem.fixed, exprs=problem.exprs, priors=pri, lsq=lsq, **kwargs)


def _entry(result, name, unit, post=None, scale: float = 1.0):
    if post is not None:
        p16, p50, p84 = post.percentiles[name]
        d = quantity_dict(post[name], unit)
        d.update({"p16": p16, "p50": p50, "p84": p84})
        return d
    d = quantity_dict(result[name], unit)
    if d["stderr"] is not None:
        d["stderr"] *= scale
    return d


def birge_ratio(lsq) -> float:
    """sqrt(reduced chi-square) of a weighted fit when it exceeds 1, else 1 (dimensionless).

    The least-squares standard errors reported by :func:`summary_dict` are multiplied by it
    (Birge, Phys. Rev. 40, 207 (1932); the Particle Data Group's scale factor): a reduced
    chi-square above 1 means that the scatter of the data about the model is larger than
    the stated errors allow, either because the errors are understated or because the model
    misses the data. A fit whose errors were already estimated from the scatter
    (``errors_scaled``) is not scaled again, and errors are never shrunk.
    """
    r = float(lsq.redchi)
    if getattr(lsq, "errors_scaled", False) or not math.isfinite(r) or r <= 1.0:
        return 1.0
    return math.sqrt(r)


def summary_dict(problem: ThicknessProblem, lsq, post=None, *,
                 bounds: Mapping | None = None) -> dict:
    """JSON-ready summary under the stable names, with the sanity flags of :mod:`sotfit.flags`.

    Top level: ``spin_diffusion_length``, ``spin_hall_conductivity``, ``resistivity`` and the
    ``re_g_mix``/``im_g_mix`` of the first interface; ``interfaces`` lists every interface
    by label. Each value is ``{"value","stderr","unit"}`` (plus ``p16``, ``p50``, ``p84``
    from MCMC, whose median is then the value).

    Least-squares standard errors are multiplied by :func:`birge_ratio` when the reduced
    chi-square exceeds 1 (``least_squares.birge_ratio``; a note says so). Flags
    (``"flags"`` of a quantity): a reduced chi-square above
    :data:`sotfit.flags.REDCHI_LIMIT`, a fit that did not converge, a parameter at a bound,
    a negative spin diffusion length, Re G, g_sf or resistivity, and a chain that did not
    converge. :func:`sotfit.flags.collect_flags` adds non-finite values and errors.

    Parameters
    ----------
    problem : ThicknessProblem
    lsq : FitResult
        The least-squares fit (:func:`fit_thickness`).
    post : PosteriorResult, optional
        The posterior (:func:`sample_thickness`); its medians become the values.
    bounds : mapping, optional
        The ``bounds`` given to :func:`fit_thickness`, if any (for the at-a-bound check).
    """
    best = post if post is not None else lsq
    scale = birge_ratio(lsq)
    esc = 1.0 if post is not None else scale
    out = {"analysis": "thickness", "model": "drift-diffusion (seed 003 eqs. (1)-(2))",
           "method": "emcee" if post is not None else "least squares"}
    main = []  # (summary quantity, result name)
    for k in ("spin_diffusion_length", "spin_hall_conductivity", "resistivity", "g_sf"):
        out[k] = _entry(best, k, STABLE_UNITS[k], post, esc)
        main.append((out[k], k))
    interfaces = {}
    for s, g in zip(problem.series, problem.g_names):
        interfaces[s.label] = {k: _entry(best, n, STABLE_UNITS[k], post, esc)
                               for k, n in g.items()}
        main.extend((interfaces[s.label][k], n) for k, n in g.items())
        interfaces[s.label]["im_g_mix_fixed"] = g["im_g_mix"] in problem.fixed
    first = next(iter(interfaces.values()))
    out["re_g_mix"], out["im_g_mix"] = first["re_g_mix"], first["im_g_mix"]
    out["interfaces"] = interfaces
    params = lsq.to_dict()["parameters"]
    for q in params.values():
        if q["stderr"] is not None:
            q["stderr"] *= scale
    out["least_squares"] = {"chisqr": lsq.chisqr, "redchi": lsq.redchi, "ndata": lsq.ndata,
                            "nvarys": lsq.nvarys, "success": bool(lsq.success),
                            "message": lsq.message, "birge_ratio": scale,
                            "stderr_scaled_by_birge_ratio": scale > 1.0,
                            "parameters": params}
    notes = list(problem.notes)
    if post is not None:
        d = post.to_dict()
        out["mcmc"] = {k: d[k] for k in ("nwalkers", "nsteps", "burn", "thin", "seed", "nsamples",
                                         "acceptance_fraction", "autocorr_time", "converged",
                                         "message", "diagnostics", "priors", "aic", "bic", "waic",
                                         "p_waic", "max_log_likelihood")}
    notes.extend(_flag_summary(problem, lsq, post, main, scale, bounds))
    out["notes"] = notes
    out["inputs"] = [{"label": s.label, **{k: v for k, v in s.meta.items()
                                            if isinstance(v, (str, int, float, list))}}
                     for s in problem.series]
    return out


def _flag_summary(problem: ThicknessProblem, lsq, post, main, scale: float, bounds) -> list[str]:
    """Attach :mod:`sotfit.flags` reasons to the quantities of ``main`` and return notes.

    ``main`` lists ``(summary quantity, result name)``; only quantities the fit varied get
    the fit-quality flags, every one gets the physical check.
    """
    from ..bayes import parameter_bounds
    from ..flags import REDCHI_LIMIT, add_flag, flag_mcmc, flag_redchi

    notes = []
    varied = set((post if post is not None else lsq).varied)
    fitted = [q for q, n in main if n in varied]
    r = float(lsq.redchi)
    bnds = parameter_bounds(problem.models, lsq.param_maps, bounds)
    at_bound = []
    for q, n in main:
        if n not in varied:
            continue
        lo, hi = bnds[n]
        for b in (lo, hi):
            if math.isfinite(b) and np.isclose(q["value"], b, rtol=BOUND_RTOL, atol=1e-8):
                at_bound.append(n)
                add_flag(q, f"at its bound {b:g} {q['unit']} (the data push it against the "
                            "limit of the model; its error bar is not meaningful)")
        err = q.get("stderr")
        if err is not None and math.isfinite(err) and err > hi - lo:
            add_flag(q, f"standard error {err:.3g} {q['unit']} exceeds the whole range "
                        f"[{lo:g}, {hi:g}] of the parameter: the data do not determine it")
    if post is None:
        if scale > 1.0:
            notes.append(f"reduced chi-square {r:.3g} > 1: least-squares standard errors "
                         f"multiplied by sqrt({r:.3g}) = {scale:.3g} (Birge ratio)")
        flag_redchi(fitted, r, "least-squares thickness fit")
        if not lsq.success and not at_bound:
            for q in fitted:
                add_flag(q, f"least-squares fit not reliable: {lsq.message}")
    else:
        if math.isfinite(r) and r > REDCHI_LIMIT:
            reason = (f"least-squares reduced chi-square {r:.3g} > {REDCHI_LIMIT:g} (the model "
                      "misses the data or the errors are understated); the posterior takes the "
                      f"stated errors as exact, so its widths are too narrow by about "
                      f"sqrt({r:.3g}) = {math.sqrt(r):.3g}")
            for q in fitted:
                add_flag(q, reason)
        elif r > 1.0:
            notes.append(f"least-squares reduced chi-square {r:.3g} > 1; the posterior takes "
                         "the stated errors as exact")
        flag_mcmc(fitted, post.diagnostics, "MCMC (emcee)")
    for q, n in main:
        kind = _model_param(problem, n).name
        what = NONNEGATIVE.get(kind)
        v = q["value"]
        if what and math.isfinite(v) and (v < 0 or (kind == "resistivity" and v == 0)):
            add_flag(q, f"{what} {v:g} {q['unit']} is unphysical (it cannot be "
                        f"{'negative' if v < 0 else 'zero'})")
    return notes
