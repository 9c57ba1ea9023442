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

Mechanisms (``model=``, :mod:`sotfit.analysis.microscopic`): ``drift-diffusion`` fits G
itself; ``interface-barrier`` and ``interface-delta`` fit the parameters of a microscopic
interface model per interface (seed 003 Fig. 4; seed 004 eqs. 15-17), G being derived.
Series of one interface measured by two methods (``meta["method"]``, e.g. ST-FMR and
harmonic Hall) share that interface's parameters, and each method's efficiencies carry a
calibration factor (docs/thickness.md, "One posterior per stack").
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..data import Dataset
from ..fitting import FitError, fit_global
from ..io.thickness import ThicknessSeries
from ..models.spec import ModelSpec, Param
from ..results import quantity_dict
from .microscopic import get_mechanism

__all__ = ["ThicknessProblem", "build_problem", "fit_thickness", "sample_thickness",
           "summary_dict", "birge_ratio", "parameter_states", "check_parameter_names", "SHARED",
           "STABLE_UNITS", "NONNEGATIVE", "BOUND_RTOL", "calibrated", "CALIBRATION_BOUNDS",
           "resolve_names"]

SHARED = ("spin_hall_conductivity", "spin_diffusion_length", "resistivity", "g_sf")
STABLE_UNITS = {"re_g_mix": "1e13 Ohm^-1 m^-2", "im_g_mix": "1e13 Ohm^-1 m^-2",
                "spin_diffusion_length": "nm", "spin_hall_conductivity":
                "1e5 (hbar/2e) Ohm^-1 m^-1", "resistivity": "uOhm cm",
                "g_sf": "1e13 Ohm^-1 m^-2"}
#: A fitted value within this relative distance of a bound counts as at the bound (lmfit's
#: bound transformation stops short of it: Re G of CoTb/BiSb alone ends at 9999.2 of 1e4).
BOUND_RTOL = 1e-3
#: Parameters that cannot be negative, with what they are (flagged in summaries if they are).
#: Range of a calibration factor (measured efficiency / true efficiency, dimensionless).
CALIBRATION_BOUNDS = (0.1, 10.0)
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
        Per interface ``{"re_g_mix": result name, "im_g_mix": result name}``
        (drift-diffusion; empty for a microscopic mechanism).
    resistivity : float
    notes : tuple of str
    mechanism : str
        ``drift-diffusion``, ``interface-barrier`` or ``interface-delta``
        (:data:`sotfit.analysis.microscopic.MECHANISMS`).
    options : dict
        The mechanism's options (model names, house units), fixed and shared.
    bounds : dict
        Fit bounds by result name (the physical range of microscopic parameters and
        calibration factors).
    free : tuple of str
        Parameters released that the models hold fixed by default (``g_sf``, ``u_R``).
    interface_labels : tuple of str
        One label per interface (series of one label measured by two methods are one
        interface).
    interface_params : tuple of dict
        Per interface ``{model parameter name: result name}`` of its own parameters.
    series_interface : tuple of int
        The interface of each series.
    calibration : dict
        Per method ``{"name": result name, "state": "reference" | "free" | "prior",
        "prior": text or None}`` when series of two or more methods are fitted together.
    prior_data : tuple
        ``(Dataset, ModelSpec)`` pseudo-observations of the calibration priors, added to
        the least-squares fit only (the sampler uses the priors themselves).
    joint : bool
    user_fixed : dict
        The ``fixed`` given to :func:`build_problem`.
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
    mechanism: str = "drift-diffusion"
    options: dict = field(default_factory=dict)
    bounds: dict = field(default_factory=dict)
    free: tuple = ()
    interface_labels: tuple = ()
    interface_params: tuple = ()
    series_interface: tuple = ()
    calibration: dict = field(default_factory=dict)
    prior_data: tuple = ()
    joint: bool = True
    user_fixed: dict = field(default_factory=dict)

    def labels(self) -> list[str]:
        return [s.label for s in self.series]


def build_problem(series: ThicknessSeries | Sequence[ThicknessSeries], *, joint: bool = True,
                  resistivity: float | None = None, fixed: Mapping | None = None,
                  model: str = "drift-diffusion", options: Mapping | None = None,
                  free: Sequence[str] = (), calibration_priors: Mapping | None = None
                  ) -> ThicknessProblem:
    """Set up the global thickness problem for one or several interfaces.

    Parameters
    ----------
    series : ThicknessSeries or sequence
        One per ferromagnet/spin-source interface, all on the same spin source. Series
        with the same label and different ``meta["method"]`` (e.g. ``"stfmr"`` and
        ``"hall"``) are one interface measured twice.
    joint : bool
        Use DL and FL data together (else DL only).
    resistivity : float, optional
        uOhm cm; default the series' own (which must agree).
    fixed : mapping, optional
        Extra fixed parameters by result name or model name (e.g. ``{"g_sf": 0.5}``), in
        house units; summary names of the mechanism (``exchange``) are accepted.
    model : str
        The mechanism: ``"drift-diffusion"`` (G fitted), ``"interface-barrier"`` or
        ``"interface-delta"`` (microscopic parameters per interface,
        :mod:`sotfit.analysis.microscopic`).
    options : mapping, optional
        The mechanism's options by model name (``fermi_energy``, ``t0``, ``t_c_ratio``,
        ``eps_m``, ``lattice_constant``; ``k_fermi``, ``theta_m``, ``phi_m``, ``u_R``), in
        house units (eV, nm, 1/nm, deg); defaults reproduce seed 003 Fig. 4 (barrier).
    free : sequence of str
        Parameters the models hold fixed by default to be fitted (``g_sf``, ``u_R``).
    calibration_priors : mapping, optional
        ``{method: prior}`` (text such as ``'lognormal(1, 0.1)'`` or a frozen scipy.stats
        distribution) for the calibration factor of that method's efficiencies when
        series of two or more methods are fitted together. Without priors the first
        method (ST-FMR if present) is the reference (factor 1) and the others are free;
        with priors, the methods without one are references.

    Returns
    -------
    ThicknessProblem

    Raises
    ------
    ValueError
        A fixed name that is not a parameter (the message lists the valid ones) or is tied
        to another, or a fixed value outside the parameter's range (a negative spin
        diffusion length or Re G would otherwise be clipped to the bound without a word);
        calibration priors without two methods, or for a method not among the inputs.
    """
    from .. import priors as _priors

    mech = get_mechanism(model)
    opts = mech.options(options)
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
    # interfaces: series with one label are one interface (measured by several methods)
    labels: list[str] = []
    series_interface = []
    for s in series:
        if s.label not in labels:
            labels.append(s.label)
        series_interface.append(labels.index(s.label))
    methods = list(dict.fromkeys(s.meta.get("method") for s in series if s.meta.get("method")))
    cal_priors = dict(calibration_priors or {})
    calibrate = len(methods) > 1
    if cal_priors and not calibrate:
        raise ValueError("calibration priors need efficiencies of two or more methods (e.g. "
                         "ST-FMR and harmonic Hall summary.json files of one stack); the "
                         f"inputs hold {methods or 'no method'}")
    unknown = [m for m in cal_priors if m not in methods]
    if unknown:
        raise ValueError(f"calibration prior for {', '.join(map(repr, unknown))}, which is not "
                         f"among the methods of the inputs ({', '.join(methods)})")
    calibration = {}
    if calibrate:
        if cal_priors:
            refs = [m for m in methods if m not in cal_priors]
        else:
            refs = ["stfmr"] if "stfmr" in methods else [methods[0]]
        for m in methods:
            prior = cal_priors.get(m)
            if prior is not None and isinstance(prior, str):
                prior = _priors.parse(prior)
            calibration[m] = {"name": f"calibration_{m}",
                              "state": "reference" if m in refs else
                              ("prior" if prior is not None else "free"),
                              "prior": prior}
    datasets, models, parts = [], [], []
    for i, s in enumerate(series):
        for kind, d in s.parts():
            if kind == "fl" and not joint:
                continue
            meta = {"series": s.label, "torque": 0 if kind == "dl" else 1}
            if s.meta.get("method"):
                meta["method"] = s.meta["method"]
            datasets.append(d.replace(meta=meta))
            m = mech.dl if kind == "dl" else mech.fl
            if calibrate:
                m = calibrated(m, s.meta["method"])
            models.append(m)
            parts.append((i, kind))
    if not datasets:
        raise ValueError("no data to fit: without --joint only DL data are used, and none "
                         "were found")
    single = len(datasets) == 1
    # options of per-interface parameters (u_R) are only the value of their fixed copies
    fixed_all = {"resistivity": float(rho),
                 **{k: v for k, v in opts.items() if k not in mech.optional}}
    exprs = {}
    iface_params = []
    bounds = {}
    phys = mech.bounds(opts)
    free = tuple(mech.model_name(f) for f in free)
    for k, lab in enumerate(labels):
        idx = [j for j, (si, _) in enumerate(parts) if series_interface[si] == k]
        if not idx:
            raise ValueError(f"{lab}: no usable data (DL data are needed without --joint)")
        name = (lambda p, j: p if single else f"{p}_{j}")
        first = idx[0]
        own = {p: name(p, first) for p in mech.interface + mech.optional}
        iface_params.append(own)
        for j in idx[1:]:
            for p in own:
                exprs[name(p, j)] = own[p]
        for p, n in own.items():
            if p in phys:
                bounds[n] = tuple(phys[p])
            if p in mech.optional and p not in free and n not in free:
                fixed_all[n] = float(opts[p])
        kinds = {parts[j][1] for j in idx}
        if mech.name == "drift-diffusion" and "fl" not in kinds:
            fixed_all[own["im_g_mix"]] = 0.0
            notes.append(f"{lab}: no FL data used, Im G fixed at 0 (transparency form)")
        elif "fl" not in kinds:
            notes.append(f"{lab}: no FL data used: DL data alone do not fix the sign of Im G "
                         "(G and its complex conjugate give the same DL torque)")
    for m, c in calibration.items():
        bounds[c["name"]] = CALIBRATION_BOUNDS
        if c["state"] == "reference":
            fixed_all[c["name"]] = 1.0
    prior_data = tuple(_calibration_pseudo_data(m, c) for m, c in calibration.items()
                       if c["state"] == "prior")
    if calibration:
        refs = [m for m, c in calibration.items() if c["state"] == "reference"]
        notes.append("methods fitted together: " + ", ".join(
            f"{m} ({'reference, calibration factor 1' if c['state'] == 'reference' else ('calibration prior ' + _priors.describe(c['prior'])) if c['state'] == 'prior' else 'calibration factor free, flat prior on [%g, %g]' % CALIBRATION_BOUNDS})"
            for m, c in calibration.items())
            + ("" if refs else "; every factor has a prior, so their common scale and sigma_s "
               "are separated by the priors alone"))
    shared = tuple(SHARED) + tuple(k for k in opts if k not in mech.optional) + tuple(
        c["name"] for c in calibration.values())
    g_names = tuple(iface_params) if mech.name == "drift-diffusion" else ()
    problem = ThicknessProblem(
        series, tuple(datasets), tuple(models), tuple(parts), shared, fixed_all, exprs,
        g_names, float(rho), tuple(notes), mechanism=mech.name, options=opts, bounds=bounds,
        free=free, interface_labels=tuple(labels), interface_params=tuple(iface_params),
        series_interface=tuple(series_interface), calibration=calibration,
        prior_data=prior_data, joint=bool(joint), user_fixed=dict(fixed or {}))
    user = {mech.model_name(k): float(v) for k, v in dict(fixed or {}).items()}
    if free:
        check_parameter_names(problem, free, "free parameter", settable_only=True)
    if not user:
        return problem
    check_parameter_names(problem, user, "fixed parameter")
    for k, v in user.items():
        param = _model_param(problem, k)
        lo, hi = problem.bounds.get(k, problem.bounds.get(param.name, param.bounds))
        if k not in problem.bounds and param.name in mech.interface + mech.optional:
            lo, hi = phys.get(param.name, (lo, hi))
        if not (math.isfinite(v) and lo <= v <= hi):
            raise ValueError(f"fixed parameter {k} = {v:g} {param.unit} is outside its range "
                             f"[{lo:g}, {hi:g}] {param.unit} ({param.doc})")
    return dataclasses.replace(problem, fixed={**fixed_all, **user})


class _Calibrated:
    """``factor * func(x, ...)``: a model's values times a calibration factor (picklable)."""

    def __init__(self, func, name):
        self.func, self.name = func, name

    def __call__(self, x, **kwargs):
        factor = kwargs.pop(self.name)
        return factor * self.func(x, **kwargs)


def calibrated(model: ModelSpec, method: str) -> ModelSpec:
    """``model`` with an extra dimensionless parameter ``calibration_<method>`` multiplying it.

    The measured efficiency of a method is its calibration factor times the true one (an
    rf or Hall current off by a factor c gives efficiencies off by 1/c; the factor is the
    ratio measured/true). Bounds :data:`CALIBRATION_BOUNDS`.
    """
    name = f"calibration_{method}"
    par = Param(name, "", 1.0, CALIBRATION_BOUNDS,
                f"calibration factor of the {method} efficiencies (measured / true)")
    return dataclasses.replace(model, name=f"{model.name}*{name}",
                               func=_Calibrated(model.func, name),
                               params=tuple(model.params) + (par,),
                               linear=tuple(model.linear) + (name,))


class _LogParam:
    """ln(parameter) at every x (the model of a log-normal pseudo-observation)."""

    def __init__(self, name):
        self.name = name

    def __call__(self, x, **kwargs):
        return np.log(kwargs[self.name]) * np.ones_like(np.asarray(x, float))


def _calibration_pseudo_data(method, cal):
    """A prior on a calibration factor as one observation of its logarithm (least squares).

    ln c is observed as ln(median) with the standard error half the width of the prior's
    16-84 % interval in ln c: exact for a log-normal prior, the Gaussian approximation of
    any other. The sampler uses the prior itself.
    """
    d = cal["prior"]
    p16, p50, p84 = (float(v) for v in d.ppf([0.16, 0.5, 0.84]))
    if not p16 > 0:
        raise ValueError(f"calibration prior of {method} ({describe_prior(d)}) gives "
                         "non-positive factors; a calibration factor is > 0 (use e.g. "
                         "lognormal(1, 0.1): median 1, 10 % in ln)")
    name = cal["name"]
    data = Dataset(np.array([0.0]), np.array([math.log(p50)]),
                   np.array([0.5 * (math.log(p84) - math.log(p16))]), x_name="none",
                   y_name=f"ln {name}", x_unit="", y_unit="",
                   meta={"source": f"calibration prior of {method}"})
    model = ModelSpec(name=f"prior_{name}", func=_LogParam(name),
                      params=(Param(name, "", 1.0, CALIBRATION_BOUNDS, "calibration factor"),),
                      x_name="none", x_unit="", y_name=f"ln {name}", y_unit="",
                      doc="log-normal pseudo-observation of a calibration prior")
    return data, model


def describe_prior(d) -> str:
    """Text of a prior (:func:`sotfit.priors.describe`)."""
    from ..priors import describe

    return describe(d)


def resolve_names(problem: ThicknessProblem, names):
    """Summary names of the mechanism (``exchange``, ``exchange_2``) as model/result names.

    Parameters
    ----------
    problem : ThicknessProblem
    names : mapping or iterable of str

    Returns
    -------
    dict or list
        Same kind as ``names`` with the keys translated.
    """
    mech = get_mechanism(problem.mechanism)
    if isinstance(names, Mapping):
        return {mech.model_name(k): v for k, v in names.items()}
    return [mech.model_name(k) for k in names]


def _check_distinct_series(series) -> None:
    """Refuse two series with the same label (one would hide the other in the summary) or
    with identical data (the same measurement counted twice)."""
    labels: dict[tuple, str] = {}
    data: dict[tuple, str] = {}
    for s in series:
        src = str(s.meta.get("source") or s.meta.get("files") or s.label)
        key = (s.label, s.meta.get("method"))
        if key in labels:
            raise ValueError(f"two thickness series are labelled {s.label!r} ({labels[key]} "
                             f"and {src}); give each interface its own label (--label)")
        labels[key] = src
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
    free = set(problem.free)
    for i, m in enumerate(problem.models):
        for p in m.params:
            name = p.name if (single or p.name in problem.shared) else f"{p.name}_{i}"
            if name in problem.exprs:
                state = f"tied to {problem.exprs[name]}"
            elif name in problem.fixed or p.name in problem.fixed:
                state = "fixed"
            elif p.vary or name in free or p.name in free:
                state = "free"
            else:
                state = "fixed"
            out.setdefault(name, state)
            if model_state.get(p.name) != "free":
                model_state[p.name] = "free" if state == "free" else "fixed"
    for k, v in model_state.items():
        out.setdefault(k, v)
    return out


def check_parameter_names(problem: ThicknessProblem, names, what: str, *,
                          free_only: bool = False, settable_only: bool = False) -> None:
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
    settable_only : bool
        Only check that the names exist and are not tied (for ``free``).

    Raises
    ------
    ValueError
        Naming the offending name and the valid ones.
    """
    mech = get_mechanism(problem.mechanism)
    states = parameter_states(problem)
    free = [mech.stable(k) for k, v in states.items() if v == "free"]
    settable = [mech.stable(k) for k, v in states.items() if not v.startswith("tied")]
    model = ("drift-diffusion thickness model" if mech.name == "drift-diffusion"
             else f"{mech.name} thickness model")
    for n in names:
        n = mech.model_name(n)
        if n not in states:
            valid = free if free_only else settable
            raise ValueError(f"{what} {mech.stable(n)!r}: not a parameter of the {model}; "
                             f"valid names: {', '.join(valid)}")
        st = states[n]
        if st.startswith("tied"):
            raise ValueError(f"{what} {n!r}: {n} is {st} (same interface, DL and FL data); "
                             f"give {problem.exprs[n]} instead")
        if settable_only:
            continue
        if free_only and st != "free":
            raise ValueError(f"{what} {n!r}: {n} is fixed in this fit; parameters with a "
                             f"prior must be free: {', '.join(free)}")


def _fit(problem: ThicknessProblem, start: Mapping, free=(), bounds: Mapping | None = None):
    """One least-squares fit of the problem (data and calibration pseudo-observations)."""
    datasets = list(problem.datasets) + [d for d, _ in problem.prior_data]
    models = list(problem.models) + [m for _, m in problem.prior_data]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_global(datasets, models, shared=list(problem.shared), init=dict(start),
                          fixed=problem.fixed, exprs=problem.exprs,
                          free=tuple(problem.free) + tuple(free),
                          bounds={**problem.bounds, **dict(bounds or {})}, guess=False,
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
    from .microscopic import interface_g, profile_plane, start_candidates

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
    best, errors = None, []

    def run(start):
        nonlocal best
        try:
            r = _fit(problem, start, free, bounds)
        except FitError as exc:
            errors.append(str(exc))
            return
        if math.isfinite(r.chisqr) and _better(r, best):
            best = r

    mech = get_mechanism(problem.mechanism)
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
        start.update(dict(init or {}))
        run(start)
    if best is None:
        raise FitError("every least-squares start failed: "
                       + "; ".join(list(dict.fromkeys(errors))[:2]))
    # a profile point below the fit means the fit stopped in a secondary minimum: refit
    for _ in range(2):
        improved = False
        for k in range(len(problem.interface_params)):
            if _plane_fixed(problem, k):
                continue
            plane = profile_plane(problem, best.values, k)
            data_chi2 = _data_chi2(problem, best)
            if float(np.nanmin(plane.delta_chi2)) + plane.chi2_min < data_chi2 - 0.5:
                c = start_candidates(plane)[0]
                names = problem.interface_params[k]
                start = {**{n: v for n, v in best.values.items() if n in best.varied},
                         **{names[p]: v for p, v in c.items() if p in names}}
                before = best
                run(start)
                improved = improved or best is not before
        if not improved:
            break
    return best


def _optional_values(problem, k):
    names = problem.interface_params[k]
    return {n: problem.fixed.get(n, problem.options.get(p, 0.0)) for p, n in names.items()
            if p not in get_mechanism(problem.mechanism).plane}


def _data_chi2(problem: ThicknessProblem, lsq) -> float:
    """Chi-square of the data alone (without calibration pseudo-observations)."""
    return float(sum(np.sum((lsq.residuals(i) / problem.datasets[i].yerr) ** 2)
                     for i in range(len(problem.datasets))))


def _sigma_guess(problem) -> float:
    """sigma_s from the largest DL value: xi^E_DL <= sigma_s (perfect sink, thick layer)."""
    ys = [np.max(np.abs(d.y)) for d, (_, k) in zip(problem.datasets, problem.parts)]
    return float(max(ys) * 1.5) if ys else 1.0


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
    from ..bayes import BayesError, sample

    if lsq is None:
        lsq = fit_thickness(problem)
    mech = get_mechanism(problem.mechanism)
    pri = {}
    for g in problem.g_names:
        if g["re_g_mix"] not in problem.fixed:
            pri[g["re_g_mix"]] = "uniform(0, 20)"
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
    bounds = {**problem.bounds, **dict(kwargs.pop("bounds", None) or {})}
    free = tuple(problem.free) + tuple(kwargs.pop("free", ()))
    if mech.microscopic:
        # least-squares errors along a ridge can exceed the allowed range: a small ball
        kwargs.setdefault("ball", 0.01)
    return sample(list(problem.datasets), list(problem.models), shared=list(problem.shared),
                  fixed=problem.fixed, exprs=problem.exprs, priors=pri, lsq=lsq, bounds=bounds,
                  free=free, **kwargs)


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


def interface_profiles(problem: ThicknessProblem, lsq) -> list:
    """Profile chi-square planes of every interface of a microscopic fit (empty for
    drift-diffusion); :func:`sotfit.analysis.microscopic.profile_plane` at the fit."""
    from .microscopic import profile_plane

    mech = get_mechanism(problem.mechanism)
    if not mech.microscopic:
        return []
    chi2 = _data_chi2(problem, lsq)
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


def summary_dict(problem: ThicknessProblem, lsq, post=None, *,
                 bounds: Mapping | None = None, profiles: Sequence | None = None) -> dict:
    """JSON-ready summary under the stable names, with the sanity flags of :mod:`sotfit.flags`.

    Top level: ``spin_diffusion_length``, ``spin_hall_conductivity``, ``resistivity`` and the
    ``re_g_mix``/``im_g_mix`` of the first interface; ``interfaces`` lists every interface
    by label. Each value is ``{"value","stderr","unit"}`` (plus ``p16``, ``p50``, ``p84``
    from MCMC, whose median is then the value).

    With a microscopic mechanism every interface holds its parameters (``delta_t``,
    ``exchange`` in eV; ``u0``, ``u_ex``, ``u_R``), the derived ``re_g_mix`` and
    ``im_g_mix`` (same keys and units as drift-diffusion; linearised with the covariance of
    the fit, or from the posterior draws), their ``correlations`` and an
    ``identifiability`` verdict from the profile chi-square
    (:func:`sotfit.analysis.microscopic.identifiability`); parameters that the data do not
    separate are flagged. The top level holds ``model_options``. Fits of several methods
    hold ``calibration`` (one factor per method and the ratios to the reference).

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
    profiles : sequence of ProfilePlane, optional
        :func:`interface_profiles` of the fit (computed when needed and not given).
    """
    from ..flags import add_flag
    from .microscopic import G_UNIT, derived_g_lsq, derived_g_posterior, identifiability

    mech = get_mechanism(problem.mechanism)
    best = post if post is not None else lsq
    scale = birge_ratio(lsq)
    esc = 1.0 if post is not None else scale
    out = {"analysis": "thickness",
           "model": mech.title if mech.microscopic else "drift-diffusion (seed 003 eqs. (1)-(2))",
           "mechanism": mech.name,
           "method": "emcee" if post is not None else "least squares"}
    if problem.options:
        out["model_options"] = {mech.stable(k): {"value": v, "unit": mech.option_units.get(k, "")}
                                for k, v in problem.options.items()}
    main = []  # (summary quantity, result name)
    derived = []  # (summary quantity, kind)
    for k in ("spin_diffusion_length", "spin_hall_conductivity", "resistivity", "g_sf"):
        if k in best.params:
            out[k] = _entry(best, k, STABLE_UNITS[k], post, esc)
            main.append((out[k], k))
    if mech.microscopic and profiles is None:
        profiles = interface_profiles(problem, lsq)
    interfaces = {}
    for k, (lab, names) in enumerate(zip(problem.interface_labels, problem.interface_params)):
        e = {}
        for p, n in names.items():
            unit = STABLE_UNITS.get(p, mech.units.get(p, ""))
            e[mech.stable(p)] = _entry(best, n, unit, post, esc)
            main.append((e[mech.stable(p)], n))
        if not mech.microscopic:
            e["im_g_mix_fixed"] = names["im_g_mix"] in problem.fixed
        else:
            for p, n in names.items():
                if n in problem.fixed or p in problem.fixed:
                    e[mech.stable(p)]["fixed"] = True
            if post is not None:
                re, im, corr = derived_g_posterior(problem, post, k)
            else:
                re_u, im_u, corr = derived_g_lsq(problem, lsq, k, scale)
                re, im = quantity_dict(re_u, G_UNIT), quantity_dict(im_u, G_UNIT)
            src = [mech.stable(p) for p, n in names.items()
                   if n not in problem.fixed and p not in problem.fixed]
            for key, q in (("re_g_mix", re), ("im_g_mix", im)):
                q["derived_from"] = src
                e[key] = q
                derived.append((q, key))
            pa, pb = (names[p] for p in mech.plane)
            cm = best.correlation()
            corr_ab = None
            if cm is not None and pa in best.varied and pb in best.varied:
                ia, ib = best.varied.index(pa), best.varied.index(pb)
                corr_ab = float(cm[ia, ib]) if math.isfinite(cm[ia, ib]) else None
            e["correlations"] = {"re_g_mix, im_g_mix": corr,
                                 f"{mech.stable(mech.plane[0])}, {mech.stable(mech.plane[1])}":
                                     corr_ab}
            errs = None
            if post is None:
                errs = tuple(e[mech.stable(p)]["stderr"] for p in mech.plane)
            extra = [mech.stable(p) for p in _extra_free(problem, k)]
            if _plane_fixed_names(problem, k):
                ident = {"verdict": "not assessed", "explanation": (
                    "one of " + " and ".join(mech.stable(p) for p in mech.plane)
                    + " is held fixed: there is no plane to profile")}
            elif extra:
                ident = {"verdict": "ridge", "explanation": (
                    f"{', '.join(extra)} is free too: {len(extra) + 2} microscopic parameters "
                    "for one complex G cannot all be determined by a thickness series (not "
                    "profiled); fix " + ", ".join(extra) + " or give it a prior with --mcmc")}
                if post is None:
                    for key in ("re_g_mix", "im_g_mix"):
                        add_flag(e[key], "linearised error over more parameters than G has "
                                         "components: not meaningful")
            else:
                ident = identifiability(profiles[k], errs)
            e["identifiability"] = ident
            if ident["verdict"] not in ("identified", "not assessed"):
                why = (f"not identifiable from these data ({ident['verdict']}): "
                       f"{ident['explanation']}")
                for p, n in names.items():
                    if n not in problem.fixed and p not in problem.fixed and p in mech.plane:
                        add_flag(e[mech.stable(p)], why)
                gi = ident.get("g_interval_68")
                if post is None and gi is not None:
                    # linearised errors fail along a ridge: the profile interval of G instead
                    for key in ("re_g_mix", "im_g_mix"):
                        lo, hi = gi[key]
                        e[key]["stderr_linearised"] = e[key]["stderr"]
                        e[key]["stderr"] = 0.5 * (hi - lo) * scale
                        e[key]["profile_interval_68"] = [lo, hi]
                        e[key]["stderr_from"] = ("half the profile-likelihood 68 % interval "
                                                 "(Delta chi^2 < 1 over the plane of "
                                                 + " and ".join(mech.stable(p) for p in mech.plane)
                                                 + "): the linearised error fails off a "
                                                 "single closed optimum")
        interfaces[lab] = e
    first = next(iter(interfaces.values()))
    out["re_g_mix"], out["im_g_mix"] = first["re_g_mix"], first["im_g_mix"]
    out["interfaces"] = interfaces
    if problem.calibration:
        out["calibration"] = _calibration_summary(problem, best, post, esc, main)
    params = lsq.to_dict()["parameters"]
    for q in params.values():
        if q["stderr"] is not None:
            q["stderr"] *= scale
    out["least_squares"] = {"chisqr": lsq.chisqr, "redchi": lsq.redchi, "ndata": lsq.ndata,
                            "nvarys": lsq.nvarys, "success": bool(lsq.success),
                            "message": lsq.message, "birge_ratio": scale,
                            "stderr_scaled_by_birge_ratio": scale > 1.0,
                            "parameters": params}
    if problem.prior_data:
        out["least_squares"]["chisqr_data"] = _data_chi2(problem, lsq)
        out["least_squares"]["calibration_prior_observations"] = len(problem.prior_data)
    notes = list(problem.notes)
    if problem.prior_data:
        notes.append("least squares: each calibration prior enters as one log-normal "
                     "observation of ln(factor) (chisqr and ndata include them; chisqr_data "
                     "is the data alone); the sampler uses the priors themselves")
    if post is not None:
        d = post.to_dict()
        out["mcmc"] = {k: d[k] for k in ("nwalkers", "nsteps", "burn", "thin", "seed", "nsamples",
                                         "acceptance_fraction", "autocorr_time", "converged",
                                         "message", "diagnostics", "priors", "aic", "bic", "waic",
                                         "p_waic", "max_log_likelihood")}
    notes.extend(_flag_summary(problem, lsq, post, main, scale,
                               {**problem.bounds, **dict(bounds or {})}, derived))
    out["notes"] = notes
    out["inputs"] = [{"label": s.label, **{k: v for k, v in s.meta.items()
                                            if isinstance(v, (str, int, float, list))}}
                     for s in problem.series]
    return out


def _calibration_summary(problem: ThicknessProblem, best, post, esc, main) -> dict:
    """Calibration factor per method, and each factor over the reference's."""
    out = {}
    ref = next((m for m, c in problem.calibration.items() if c["state"] == "reference"),
               next(iter(problem.calibration)))
    for m, c in problem.calibration.items():
        q = _entry(best, c["name"], "", post, esc)
        q["state"] = c["state"]
        q["prior"] = describe_prior(c["prior"]) if c["prior"] is not None else (
            "fixed at 1 (reference)" if c["state"] == "reference" else
            "flat on [%g, %g]" % CALIBRATION_BOUNDS)
        out[m] = q
        if c["state"] != "reference":
            main.append((q, c["name"]))
    ratios = {}
    rn = problem.calibration[ref]["name"]
    for m, c in problem.calibration.items():
        if m == ref:
            continue
        if post is not None:
            from ..bayes import summarize

            ratios[f"{m}/{ref}"] = summarize(post.samples[c["name"]] / post.samples[rn], "")
        else:
            r = best[c["name"]] / best[rn]
            q = quantity_dict(r, "")
            if q["stderr"] is not None:
                q["stderr"] *= esc
            ratios[f"{m}/{ref}"] = q
    out["ratios"] = ratios
    out["reference"] = ref
    out["definition"] = ("measured efficiency = factor x true efficiency, per method; a ratio "
                         "is the factor of one method over the reference's")
    return out


def _flag_summary(problem: ThicknessProblem, lsq, post, main, scale: float, bounds,
                  derived=()) -> list[str]:
    """Attach :mod:`sotfit.flags` reasons to the quantities of ``main`` and return notes.

    ``main`` lists ``(summary quantity, result name)``; only quantities the fit varied get
    the fit-quality flags, every one gets the physical check. ``derived`` lists
    ``(summary quantity, kind)`` of quantities computed from the fitted ones (G of a
    microscopic fit): fit-quality flags and the physical check of ``kind``.
    """
    from ..bayes import parameter_bounds
    from ..flags import REDCHI_LIMIT, add_flag, flag_mcmc, flag_redchi

    notes = []
    varied = set((post if post is not None else lsq).varied)
    fitted = [q for q, n in main if n in varied] + [q for q, _ in derived]
    r = float(lsq.redchi)
    bnds = parameter_bounds(problem.models, lsq.param_maps, bounds)
    at_bound = []
    for q, n in main:
        if n not in varied:
            continue
        lo, hi = bnds.get(n, (-math.inf, math.inf))
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
    for q, kind in [(q, _model_param(problem, n).name) for q, n in main] + list(derived):
        what = NONNEGATIVE.get(kind)
        v = q["value"]
        if what and math.isfinite(v) and (v < 0 or (kind == "resistivity" and v == 0)):
            add_flag(q, f"{what} {v:g} {q['unit']} is unphysical (it cannot be "
                        f"{'negative' if v < 0 else 'zero'})")
    return notes
