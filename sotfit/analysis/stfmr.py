"""ST-FMR across frequencies: Kittel, damping and a global fit of all spectra.

Pipeline (docs/stfmr.md):

1. every spectrum is split into field branches and fitted in |mu0H|
   (:mod:`sotfit.analysis.stfmr_spectra`);
2. *sequential*: the branch-mean resonance fields H_res(f) are fitted with the
   Kittel relation (in-plane, optionally with an in-plane anisotropy field, or
   out-of-plane), then the widths W(f) = W_0 + f alpha/(gamma/2pi) with gamma/2pi
   taken from the Kittel fit;
3. *global*: all branches of all spectra are fitted at once with
   :data:`sotfit.models.stfmr_global.stfmr_global_inplane` (or out-of-plane),
   sharing mu0M_eff, gamma/2pi, alpha and W_0, amplitudes and backgrounds per
   branch, and one field offset per polarity when both polarities are present.

Uncertainties keep their correlations from spectrum to result: the Kittel and
linewidth parameters are returned as linear functions of the per-spectrum
``uncertainties`` values (:func:`propagate_fit`, the linearised least-squares
estimator theta = theta_hat + J (y - y_hat)), so that quantities combining a
spectrum's H_res with M_eff (xi_FMR) see their correlation. When a fit's reduced
chi-square exceeds 1 the propagated covariance is inflated by it (Birge ratio),
the extra part added as a correlated, independent term.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data import Dataset, Sweep
from ..fitting import FitWarning, fit, fit_global
from ..flags import REDCHI_LIMIT, SIGMA_LIMIT, add_flag, flag_disagreement, flag_redchi
from ..models.magnetization import kittel_inplane, kittel_outofplane, linewidth
from ..models.spec import ModelSpec
from ..models.stfmr_global import stfmr_global_inplane, stfmr_global_outofplane
from ..results import FitResult
from ..units import GAMMA_FREE_ELECTRON, g_from_gyromagnetic_ratio
from .stfmr_spectra import STFMRError, SpectrumFit, compare_repeats, fit_spectrum  # noqa: F401

__all__ = [
    "propagate_fit",
    "kittel_dataset",
    "linewidth_dataset",
    "fit_kittel",
    "fit_linewidth",
    "fit_global_spectra",
    "fit_spectra",
    "collect_fits",
    "leave_out_unsaturated",
    "explain_low_frequency_failures",
    "bound_reached",
    "data_checks",
    "STFMRAnalysis",
    "analyse_stfmr",
    "stfmr_torques",
    "summary_dict",
    "AngleAnalysis",
    "fit_angle_dependence",
    "analyse_angle_scan",
    "angle_summary_dict",
]


def _nominal(u):
    return float(getattr(u, "nominal_value", u))


def propagate_fit(result: FitResult, y: Sequence, constants: Mapping[str, Any] | None = None,
                  i: int = 0, inflate: bool = True) -> dict[str, Any]:
    """Express a fit's varied parameters as linear functions of uncertain inputs.

    Linearised weighted least squares: with the Jacobian A = d model/d theta
    at the optimum and weights w = 1/sigma^2, the estimator responds to data
    as J_y = (A^T w A)^-1 A^T w and to a fixed model parameter c as
    J_c = -J_y d model/d c. The returned values are
    theta_hat + J_y (y - y_hat) + J_c (c - c_hat) built from the given
    ``uncertainties`` values, so they keep every correlation with the inputs
    (e.g. the spectrum fits they came from).

    Parameters
    ----------
    result : FitResult
        A fit of one dataset with ``yerr`` (weighted).
    y : sequence of uncertainties values
        The data of dataset ``i``, as uncertain values (nominal values equal
        to ``dataset.y``).
    constants : mapping, optional
        Fixed model parameters given as uncertain values (e.g. gamma/2pi from
        a previous fit).
    i : int
        Which dataset of the result.
    inflate : bool
        If the reduced chi-square exceeds 1, add an independent correlated term
        with covariance (redchi - 1) (A^T w A)^-1 (Birge-ratio inflation).

    Returns
    -------
    dict
        Every model parameter of dataset ``i``: varied ones as propagated
        uncertain values, fixed ones as given in ``constants`` or as floats.
    """
    from uncertainties import correlated_values

    d, m, pmap = result.datasets[i], result.models[i], result.param_maps[i]
    if d.yerr is None:
        raise ValueError("propagate_fit needs a weighted fit (dataset with yerr)")
    constants = dict(constants or {})
    inputs = {k: d.meta[k] for k in m.inputs}
    base = result.dataset_params(i)
    varied = [k for k in m.param_names if pmap[k] in result.varied]

    def model_at(**change):
        return m.func(d.x, **{**base, **change}, **inputs)

    def deriv(name):
        v = base[name]
        hstep = 1e-6 * max(abs(v), 1e-3)
        return (model_at(**{name: v + hstep}) - model_at(**{name: v - hstep})) / (2 * hstep)

    a = np.column_stack([deriv(k) for k in varied]) if varied else np.zeros((len(d), 0))
    w = 1.0 / d.yerr**2
    ata = a.T @ (a * w[:, None])
    cov = np.linalg.inv(ata)
    jy = cov @ (a * w[:, None]).T  # (p, n)
    y = list(y)
    if len(y) != len(d):
        raise ValueError(f"{len(y)} inputs for {len(d)} data points")
    dy = [yi - _nominal(yi) for yi in y]
    out: dict[str, Any] = {}
    const_terms = []
    for name, c in constants.items():
        if name not in base:
            raise ValueError(f"{m.name!r} has no parameter {name!r}")
        if pmap[name] in result.varied:
            raise ValueError(f"{name!r} was varied in the fit; it cannot also be a constant")
        jc = -jy @ deriv(name)
        const_terms.append((jc, c - _nominal(c)))
    extra = [0.0] * len(varied)
    if inflate and result.redchi > 1 and varied:
        extra = list(correlated_values(np.zeros(len(varied)), (result.redchi - 1) * cov))
    for j, k in enumerate(varied):
        val = base[k] + sum(float(jy[j, n]) * dy[n] for n in range(len(dy))) + extra[j]
        for jc, dc in const_terms:
            val = val + float(jc[j]) * dc
        out[k] = val
    for k in m.param_names:
        if k not in out:
            out[k] = constants.get(k, base[k])
    return out


def _spectra_table(fits: Sequence[SpectrumFit], key: str, name: str, unit: str) -> Dataset:
    f = np.array([s.frequency for s in fits])
    u = [s.combined[key] for s in fits]
    y = np.array([_nominal(v) for v in u])
    e = np.array([v.std_dev for v in u])
    if np.any(~(e > 0)):
        bad = [fits[i].source for i in np.flatnonzero(~(e > 0))]
        raise STFMRError(f"spectra without a usable uncertainty of {key}: {bad}")
    return Dataset(f, y, e, x_name="frequency", x_unit="GHz", y_name=name, y_unit=unit,
                   meta={"source": "spectrum fits", "sources": [s.source for s in fits]})


def kittel_dataset(fits: Sequence[SpectrumFit]) -> Dataset:
    """Branch-mean resonance field (T) against frequency (GHz), errors from the spectrum fits."""
    return _spectra_table(fits, "h_res", "h_res", "T")


def linewidth_dataset(fits: Sequence[SpectrumFit]) -> Dataset:
    """Branch-mean HWHM (T) against frequency (GHz), errors from the spectrum fits."""
    return _spectra_table(fits, "width", "width", "T")


def fit_kittel(fits: Sequence[SpectrumFit], *, geometry: str = "inplane",
               gyromagnetic_ratio: float | None = None, free_hk: bool = False):
    """Kittel fit of H_res(f) with correlated uncertainties carried from the spectra.

    Parameters
    ----------
    fits : sequence of SpectrumFit
    geometry : {'inplane', 'outofplane'}
    gyromagnetic_ratio : float, optional
        gamma/2pi in GHz/T to hold fixed (e.g. from a fixed g); free by default.
    free_hk : bool
        Fit the in-plane uniaxial anisotropy field too (in-plane only).

    Returns
    -------
    (FitResult, dict)
        The lmfit result and the propagated parameters (``meff``,
        ``gyromagnetic_ratio``, ``h_k``) as uncertain values correlated with
        the spectra.
    """
    d = kittel_dataset(fits)
    model = {"inplane": kittel_inplane, "outofplane": kittel_outofplane}.get(geometry)
    if model is None:
        raise ValueError(f"geometry must be 'inplane' or 'outofplane', got {geometry!r}")
    fixed = {}
    free = []
    if gyromagnetic_ratio is not None:
        fixed["gyromagnetic_ratio"] = float(gyromagnetic_ratio)
    if free_hk and geometry == "inplane":
        free.append("h_k")
    nfree = 2 - len(fixed) + len(free)
    if len(d) <= nfree:
        raise STFMRError(f"a Kittel fit with {nfree} free parameters needs more than {len(d)} "
                         f"spectra (give more frequencies or fix gamma/2pi)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        res = fit(d, model, fixed=fixed, free=free)
    prop = propagate_fit(res, [s.combined["h_res"] for s in fits])
    return res, prop


def fit_linewidth(fits: Sequence[SpectrumFit], gyromagnetic_ratio):
    """Gilbert fit W(f) = W_0 + f alpha/(gamma/2pi) with gamma/2pi held at a (possibly uncertain) value.

    Parameters
    ----------
    fits : sequence of SpectrumFit
    gyromagnetic_ratio : float or uncertainties value
        gamma/2pi in GHz/T, typically the Kittel result; its uncertainty and
        correlations are carried into alpha.

    Returns
    -------
    (FitResult, dict)
        ``alpha`` and ``linewidth_inhomogeneous`` (T) propagated.
    """
    d = linewidth_dataset(fits)
    fixed = {"gyromagnetic_ratio": _nominal(gyromagnetic_ratio)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        res = fit(d, linewidth, fixed=fixed)
        res = _hold_at_floor(res, lambda extra: fit(d, linewidth, fixed={**fixed, **extra}))
    consts = {"gyromagnetic_ratio": gyromagnetic_ratio} if hasattr(gyromagnetic_ratio, "std_dev") else {}
    prop = propagate_fit(res, [s.combined["width"] for s in fits], constants=consts)
    return res, prop


#: Parameters with a physical lower bound (not just a search range): W_0 >= 0, alpha >= 0.
PHYSICAL_FLOORS = ("linewidth_inhomogeneous", "alpha")
#: Parameters held at that bound and refitted when a fit ends on it (the value then means
#: "no inhomogeneous broadening"); the others are only flagged.
HELD_AT_FLOOR = ("linewidth_inhomogeneous",)


def bound_reached(res: FitResult, name: str) -> str | None:
    """``'lower'`` or ``'upper'`` when a varied parameter of ``res`` ended on that bound, else None.

    "On the bound" means within 1e-8 of the bound's range or 1e-3 of the parameter's own
    standard error (lmfit's bounded parameters approach a bound without reaching it).
    """
    if name not in res.varied:
        return None
    lo, hi = res.models[0].param(name).bounds  # a shared (or single-fit) parameter
    v, e = res.value(name), res.stderr(name)
    span = (hi - lo) if math.isfinite(hi - lo) else max(abs(v), 1.0)
    tol = max(1e-8 * span, 1e-3 * e if math.isfinite(e) else 0.0)
    if math.isfinite(lo) and v - lo <= tol:
        return "lower"
    if math.isfinite(hi) and hi - v <= tol:
        return "upper"
    return None


def _hold_at_floor(res: FitResult, refit: Callable[[dict], FitResult]) -> FitResult:
    """Refit with every :data:`HELD_AT_FLOOR` parameter that ended on its lower bound fixed there.

    A bounded parameter left on its bound has no meaningful standard error and spoils the
    covariance of the others; held at the bound (a constrained optimum), the others get
    their errors conditional on it. ``meta['held_at_bound']`` names what was held.
    """
    held = {name: float(res.models[0].param(name).bounds[0]) for name in HELD_AT_FLOOR
            if bound_reached(res, name) == "lower"}
    if not held:
        return res
    new = refit(held)
    object.__setattr__(new, "meta", {**new.meta, "held_at_bound": held})
    return new


def fit_global_spectra(fits: Sequence[SpectrumFit], *, geometry: str = "inplane",
                       start: Mapping[str, float] | None = None,
                       gyromagnetic_ratio: float | None = None, free_hk: bool = False,
                       field_offset: bool = True) -> FitResult:
    """Fit every branch of every spectrum at once, sharing the magnetic parameters.

    The datasets are the windowed branches of the sequential fits (x = |mu0H|);
    each gets ``yerr`` equal to its sequential residual rms so that noisy spectra
    weigh less, and the errors are then rescaled by the global reduced
    chi-square (the noise is estimated, not known).

    Parameters
    ----------
    fits : sequence of SpectrumFit
    geometry : {'inplane', 'outofplane'}
    start : mapping, optional
        Starting values of the shared parameters (default: from the sequential fits).
    gyromagnetic_ratio : float, optional
        Hold gamma/2pi fixed at this value (GHz/T).
    free_hk : bool
        Fit the in-plane anisotropy field.
    field_offset : bool
        With both polarities present, fit one apparent field offset b:
        +branches at H_res - b, -branches at H_res + b.

    Returns
    -------
    FitResult
        Shared ``meff``, ``gyromagnetic_ratio``, ``alpha``, ``linewidth_inhomogeneous``
        (``h_k``) and per-branch ``vs_<i>``, ``va_<i>``, ``offset_<i>``, ``slope_<i>``;
        ``meta['branches']`` lists (spectrum, source, polarity, frequency) of each index:
        ``spectrum`` is the position in ``fits``, the one key of a spectrum (the spectra of
        a long-format file all have the file as their source).
    """
    model = {"inplane": stfmr_global_inplane, "outofplane": stfmr_global_outofplane}[geometry]
    datasets, labels, init = [], [], dict(start or {})
    for n, s in enumerate(fits):
        for r in s.branches:
            d = r.datasets[0]
            rms = math.sqrt(r.chisqr / max(r.ndata, 1))
            i = len(datasets)
            datasets.append(d.replace(yerr=np.full(len(d), rms if rms > 0 else 1.0)))
            labels.append({"spectrum": n, "source": s.source, "polarity": int(r.meta["polarity"]),
                           "frequency": s.frequency})
            for k in ("vs", "va", "offset", "slope"):
                init[f"{k}_{i}"] = r.value(k)
    # starting values strictly inside the physical bounds (a bounded parameter started on
    # its bound cannot move): W_0 from a tenth of the narrowest fitted line, alpha > 0
    narrowest = min(r.value("width") for s in fits for r in s.branches)
    if "linewidth_inhomogeneous" in init:
        init["linewidth_inhomogeneous"] = max(init["linewidth_inhomogeneous"], 0.1 * narrowest)
    if "alpha" in init:
        init["alpha"] = max(init["alpha"], 1e-4)
    shared = ["meff", "gyromagnetic_ratio", "alpha", "linewidth_inhomogeneous"]
    if geometry == "inplane":
        shared.append("h_k")
    fixed: dict[str, float] = {}
    free = []
    if gyromagnetic_ratio is not None:
        fixed["gyromagnetic_ratio"] = float(gyromagnetic_ratio)
        init["gyromagnetic_ratio"] = float(gyromagnetic_ratio)
    if free_hk and geometry == "inplane":
        free.append("h_k")
    exprs = {}
    pols = [lab["polarity"] for lab in labels]
    if field_offset and 1 in pols and -1 in pols:
        first = pols.index(1)
        free.append(f"field_offset_{first}")
        init[f"field_offset_{first}"] = 0.0
        for i, p in enumerate(pols):
            if i != first:
                exprs[f"field_offset_{i}"] = (f"field_offset_{first}" if p == 1
                                              else f"-field_offset_{first}")
    def run(extra):
        return fit_global(datasets, model, shared=shared, init=init, fixed={**fixed, **extra},
                          free=free, exprs=exprs, guess=False, scale_covar=True)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        res = _hold_at_floor(run({}), run)
    fixed = {**fixed, **res.meta.get("held_at_bound", {})}
    object.__setattr__(res, "meta", {**res.meta, "branches": labels, "geometry": geometry,
                                     "fit_kwargs": {"shared": shared, "fixed": fixed,
                                                    "free": free, "exprs": exprs}})
    return res


def global_spectrum_values(res: FitResult, fits: Sequence[SpectrumFit]) -> list[dict[str, Any]]:
    """Per-spectrum values implied by a global fit (uncertain, correlated).

    Returns, for each spectrum, ``h_res`` (Kittel at its frequency from the shared
    parameters, T), ``width`` (T), symmetrised ``vs``, ``va`` (uV, referred to +H)
    and ``ratio``; with both polarities also the polarity-even ``vs_even``, ``va_even``
    (uV), as in :attr:`SpectrumFit.combined`.
    """
    from ..models.magnetization import linewidth_hwhm, resonance_field_outofplane

    p = res.params
    geometry = res.meta.get("geometry", "inplane")
    labels = res.meta["branches"]
    out = []
    for n, s in enumerate(fits):
        f = s.frequency
        meff, gam = p["meff"], p["gyromagnetic_ratio"]
        if geometry == "inplane":
            hk = p.get("h_k", 0.0)
            r = f / gam
            h_res = -hk - meff / 2 + (meff * meff / 4 + r * r) ** 0.5
        else:
            h_res = resonance_field_outofplane(f, meff, gam)
        width = linewidth_hwhm(f, p["alpha"], p["linewidth_inhomogeneous"], gam)
        # by position, never by source: one long-format file holds many spectra
        idx = [i for i, lab in enumerate(labels) if lab["spectrum"] == n]
        vs = sum(labels[i]["polarity"] * p[f"vs_{i}"] for i in idx) / len(idx)
        va = sum(labels[i]["polarity"] * p[f"va_{i}"] for i in idx) / len(idx)
        row = {"frequency": f, "source": s.source, "h_res": h_res, "width": width,
               "vs": vs, "va": va, "ratio": vs / va}
        if len({labels[i]["polarity"] for i in idx}) == 2:
            row["vs_even"] = sum(p[f"vs_{i}"] for i in idx) / len(idx)
            row["va_even"] = sum(p[f"va_{i}"] for i in idx) / len(idx)
        out.append(row)
    return out


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
    from ..models.lineshapes import mixing_voltage

    routes = {"sequential": [s.combined for s in analysis.spectra]}
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
            worst = None
            for r in s.branches:
                pol = int(r.meta["polarity"])
                d = r.datasets[0]
                if route == "sequential":
                    h_res, width = r.value("h_res"), r.value("width")
                else:
                    h_res = _nominal(v["h_res"]) + offsets.get((n, pol), 0.0)
                    width = _nominal(v["width"])
                vs = pol * _nominal(v["vs"]) + _nominal(v.get("vs_even", 0.0))
                va = pol * _nominal(v["va"]) + _nominal(v.get("va_even", 0.0))
                model = r.models[0]
                if model.name == "stfmr_two_resonances":
                    continue  # the combined values do not carry the second mode
                line = (mixing_voltage(d.x, h_res, width, vs, va) if model.name == "stfmr_mixing"
                        else model(d.x, h_res=h_res, width=width, vs=vs, va=va, offset=0.0,
                                   slope=0.0))
                a = np.column_stack([np.ones(len(d)), d.x - h_res])
                coef = np.linalg.lstsq(a, d.y - line, rcond=None)[0]
                resid = d.y - line - a @ coef
                noise2 = r.chisqr / max(r.ndata - r.nvarys, 1)
                if not noise2 > 0 or len(d) <= 2:
                    continue
                ratio = float(resid @ resid / (len(d) - 2) / noise2)
                if worst is None or ratio > worst[0]:
                    worst = (ratio, pol, vs, va)
            if worst is not None and worst[0] > limit:
                ratio, pol, vs, va = worst
                bad[n] = (f"{route} route: the values of {s.source} at {s.frequency:g} GHz do not "
                          f"describe its data ({'+' if pol > 0 else '-'} branch: with V_s = "
                          f"{vs:.3g} uV, V_a = {va:.3g} uV the residual variance is {ratio:.3g} "
                          "times the noise of the spectrum fit)")
        out[route] = bad
    return out


@dataclass(frozen=True, eq=False)
class STFMRAnalysis:
    """Everything the ST-FMR pipeline derived, with correlated uncertainties.

    Attributes
    ----------
    spectra : tuple of SpectrumFit
        The spectra that fitted, in input order.
    failures : tuple of (str, str)
        (source, reason) of spectra that could not be fitted (``on_error='skip'``).
    geometry : str
    kittel, linewidth : FitResult or None
        Sequential fits (None with a single frequency).
    sequential : dict
        ``meff`` (T), ``gyromagnetic_ratio`` (GHz/T), ``g``, ``h_k`` (T),
        ``alpha``, ``linewidth_inhomogeneous`` (T), as uncertain values.
    global_fit : FitResult or None
    global_values : dict
        The same names from the global fit.
    global_spectra : list of dict
        Per-spectrum values implied by the global fit.
    repeats : list of dict
        :func:`~sotfit.analysis.stfmr_spectra.compare_repeats` output.
    notes : tuple of str
        Everything the reader of the results should know (branches left out, gamma/2pi
        fixed, spectra departing from Kittel, repeats that disagree, error inflation).
    flags : dict
        ``{route: {name: [reason, ...]}}`` with ``route`` ``'sequential'`` or ``'global'``
        and ``name`` as in ``sequential``: what the fits found doubtful about a parameter
        (on a bound, held at its physical bound, within one standard error of it, resting
        on an assumed g). :func:`summary_dict` writes them into the quantities' ``flags``
        and adds the checks that need the torques (docs/stfmr.md, section 9).
    """

    spectra: tuple[SpectrumFit, ...]
    failures: tuple[tuple[str, str], ...]
    geometry: str
    kittel: FitResult | None
    linewidth: FitResult | None
    sequential: dict[str, Any] = field(default_factory=dict)
    global_fit: FitResult | None = None
    global_values: dict[str, Any] = field(default_factory=dict)
    global_spectra: list[dict[str, Any]] = field(default_factory=list)
    repeats: list[dict] = field(default_factory=list)
    notes: tuple[str, ...] = ()
    flags: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    @property
    def branch_table(self):
        """Every branch fit as a :class:`~sotfit.results.ResultTable` (meta: frequency, polarity,
        window), e.g. ``analysis.branch_table.as_dataset(x="frequency", y="h_res")``."""
        from ..results import ResultTable

        return ResultTable(tuple(r for s in self.spectra for r in s.branches))


#: Spectra fitted together: one task of a parallel run, and the step of the progress bar.
CHUNK_SPECTRA = 250


def _model_name(model) -> str | None:
    return None if model is None else model.name


def fit_chunk(shared, datasets):
    """Fit a chunk of spectra (a task of :func:`fit_spectra`); ``shared`` is (model name or
    None, window_widths). Returns what :func:`~sotfit.analysis.stfmr_spectra.fit_spectra_batch`
    returns."""
    from ..models import MODELS
    from .stfmr_spectra import fit_spectra_batch

    name, window_widths = shared
    return fit_spectra_batch(list(datasets), model=None if name is None else MODELS[name],
                             window_widths=window_widths)


def collect_fits(sources: Sequence[str], results: Sequence, on_error: str = "raise"):
    """(fits, failures, notes) from per-spectrum results (a SpectrumFit or an STFMRError, in
    input order): the first error is raised unless ``on_error='skip'``."""
    fits, failures = [], []
    for src, r in zip(sources, results):
        if isinstance(r, STFMRError):
            if on_error != "skip":
                raise r
            failures.append((src, str(r)))
        elif isinstance(r, Exception):
            raise r
        else:
            fits.append(r)
    if not fits:
        raise STFMRError("no spectrum could be fitted: " + "; ".join(m for _, m in failures))
    notes = [f"{s.source}: {n}" for s in fits for n in s.notes]
    return fits, failures, notes


def fit_spectra(datasets: Sequence[Dataset], *, model=None, window_widths: float = 6.0,
                on_error: str = "raise", progress=None, workers: int | None = None,
                scheduler: str | None = None, chunk: int = CHUNK_SPECTRA):
    """Fit every spectrum (both branches), :data:`CHUNK_SPECTRA` at a time with
    :func:`~sotfit.analysis.stfmr_spectra.fit_spectra_batch`.

    Parameters
    ----------
    datasets : sequence of Dataset
    model, window_widths
        As for :func:`fit_spectrum`.
    on_error : {'raise', 'skip'}
        Whether a spectrum that cannot be fitted stops everything or is recorded and left out.
    progress : callable, optional
        ``progress(done, total)`` in spectra, after each chunk.
    workers, scheduler
        Local worker processes, or the address of a dask.distributed scheduler, for the
        chunks (:func:`sotfit.parallel.map_tasks`); the results are those of the serial run.
    chunk : int
        Spectra per chunk.

    Returns
    -------
    fits : list of SpectrumFit
    failures : list of (source, message)
    notes : list of str
        Every spectrum's notes, prefixed by its source.
    """
    from ..parallel import map_tasks

    datasets = list(datasets)
    chunks = [datasets[i:i + chunk] for i in range(0, len(datasets), chunk)]
    sizes = np.cumsum([len(c) for c in chunks])

    def tick(done, total):
        if progress:
            progress(int(sizes[done - 1]) if done else 0, len(datasets))

    parts = map_tasks(fit_chunk, chunks, workers=workers, scheduler=scheduler,
                      shared=(_model_name(model), window_widths), progress=tick)
    results = [r for part in parts for r in part]
    return collect_fits([d.source for d in datasets], results, on_error)


def analyse_stfmr(data: Sweep | Sequence[Dataset], *, geometry: str = "inplane",
                  gyromagnetic_ratio: float | None = None, free_hk: bool = False,
                  model: ModelSpec | None = None, window_widths: float = 6.0,
                  global_fit: bool = True, on_error: str = "raise",
                  max_gamma_rel_error: float = 0.1, kittel_tolerance: float = 0.05,
                  progress: Callable[[int, int], None] | None = None,
                  workers: int | None = None, scheduler: str | None = None,
                  fitted=None) -> STFMRAnalysis:
    """Run the ST-FMR pipeline on spectra of one sample.

    Parameters
    ----------
    data : Sweep or sequence of Dataset
        One dataset per file/repeat: signed mu0H in T, V_mix in uV,
        ``meta['frequency']`` in GHz.
    geometry : {'inplane', 'outofplane'}
    gyromagnetic_ratio : float, optional
        Hold gamma/2pi (GHz/T) fixed. By default it is fitted; when the
        frequencies do not determine it (the free Kittel fit fails, hits a
        bound, or its relative error exceeds ``max_gamma_rel_error``) it is
        fixed at the free-electron value and the analysis says so in ``notes``.
    free_hk : bool
        Fit an in-plane anisotropy field.
    model : ModelSpec, optional
        Lineshape for the sequential spectrum fits (default ``stfmr_mixing``).
    window_widths : float
        Fit window in half widths around each resonance.
    global_fit : bool
        Also run the global fit (lineshape ``stfmr_mixing`` only).
    on_error : {'raise', 'skip'}
        What to do with a spectrum that cannot be fitted.
    kittel_tolerance : float
        Spectra whose resonance field deviates from the Kittel fit by more than
        this fraction are named in ``notes``.
    progress : callable, optional
        ``progress(done, total)``.
    workers, scheduler
        Fit the spectra on local worker processes or on a dask.distributed cluster
        (:func:`fit_spectra`); the results are those of the serial run.
    fitted : tuple, optional
        ``(fits, failures, notes, {source: frequency})`` of spectra fitted beforehand
        (:func:`fit_spectra`, :func:`collect_fits`), e.g. file by file while reading; ``data``
        is then not used.

    Returns
    -------
    STFMRAnalysis
    """
    if fitted is None:
        datasets = list(data)
        if not datasets:
            raise STFMRError("no spectra given")
        fits, failures, notes = fit_spectra(datasets, model=model, window_widths=window_widths,
                                            on_error=on_error, progress=progress,
                                            workers=workers, scheduler=scheduler)
        frequencies = {d.source: d.meta.get("frequency") for d in datasets}
    else:
        fits, failures, notes, frequencies = (list(fitted[0]), list(fitted[1]),
                                              list(fitted[2]), dict(fitted[3]))
    nfreq = len({round(s.frequency, 9) for s in fits})
    kit = lw = None
    seq: dict[str, Any] = {}
    glob = None
    gvals: dict[str, Any] = {}
    gspec: list = []
    flags: dict[str, dict[str, list[str]]] = {"sequential": {}, "global": {}}
    assumed_gamma = None
    if nfreq >= 2 and len(fits) >= 3:
        kit, kprop = fit_kittel(fits, geometry=geometry, gyromagnetic_ratio=gyromagnetic_ratio,
                                free_hk=free_hk)
        fits, kit, kprop, unsaturated = leave_out_unsaturated(
            fits, kit, kprop, geometry,
            lambda fs: fit_kittel(fs, geometry=geometry, gyromagnetic_ratio=gyromagnetic_ratio,
                                  free_hk=free_hk))
        failures.extend(unsaturated)
        failures = explain_low_frequency_failures(failures, frequencies, fits, kprop["meff"],
                                                  geometry)
        gam = kit.value("gyromagnetic_ratio")
        undetermined = gyromagnetic_ratio is None and (
            not kit.success or not (kit.stderr("gyromagnetic_ratio") < max_gamma_rel_error * gam))
        if undetermined:
            lo, hi = min(s.frequency for s in fits), max(s.frequency for s in fits)
            notes.append(
                f"gamma/2pi is not determined by the frequencies {lo:g}-{hi:g} GHz (free fit: "
                f"{gam:.4g} +/- {kit.stderr('gyromagnetic_ratio'):.2g} GHz/T"
                + ("" if kit.success else ", " + kit.message.replace("Fit succeeded.; ", ""))
                + f"); fixed at the free-electron "
                f"value {GAMMA_FREE_ELECTRON:.4f} GHz/T (g = 2.0023): M_eff then carries the "
                "systematic error of that assumption")
            gyromagnetic_ratio = GAMMA_FREE_ELECTRON
            assumed_gamma = (lo, hi)
            kit, kprop = fit_kittel(fits, geometry=geometry, gyromagnetic_ratio=gyromagnetic_ratio,
                                    free_hk=free_hk)
        lw, lprop = fit_linewidth(fits, kprop["gyromagnetic_ratio"])
        model_h = kit.evaluate()
        for sp, hm in zip(fits, model_h):
            dev = (_nominal(sp.combined["h_res"]) - hm) / hm
            if abs(dev) > kittel_tolerance:
                notes.append(f"{sp.source}: resonance field {_nominal(sp.combined['h_res']):.4g} T "
                             f"deviates from the Kittel fit by {100 * dev:+.1f} % (an unsaturated "
                             f"magnetisation at low field, or a different mode?)")
        seq = {"meff": kprop["meff"], "gyromagnetic_ratio": kprop["gyromagnetic_ratio"],
               "alpha": lprop["alpha"], "linewidth_inhomogeneous": lprop["linewidth_inhomogeneous"]}
        if geometry == "inplane":
            seq["h_k"] = kprop["h_k"]
        seq["g"] = g_from_gyromagnetic_ratio(seq["gyromagnetic_ratio"])
        for r in (kit, lw):
            if r.redchi > 1:
                notes.append(f"{r.model_name}: reduced chi-square {r.redchi:.3g} > 1; errors "
                             f"inflated by sqrt(redchi) = {math.sqrt(r.redchi):.3g}")
        if global_fit and (model is None or model.name == "stfmr_mixing"):
            start = {k: _nominal(v) for k, v in seq.items() if k != "g"}
            glob = fit_global_spectra(fits, geometry=geometry, start=start,
                                      gyromagnetic_ratio=gyromagnetic_ratio, free_hk=free_hk)
            gvals = {k: glob[k] for k in ("meff", "gyromagnetic_ratio", "alpha",
                                          "linewidth_inhomogeneous") + (("h_k",) if geometry == "inplane" else ())}
            gvals["g"] = g_from_gyromagnetic_ratio(gvals["gyromagnetic_ratio"])
            gspec = global_spectrum_values(glob, fits)
            if not glob.success:
                notes.append(f"global fit not reliable: {glob.message}")
            for r, names in ((kit, ("meff", "gyromagnetic_ratio", "h_k")),
                             (lw, ("alpha", "linewidth_inhomogeneous"))):
                if r.redchi > 1:
                    factor = math.sqrt(r.redchi)
                    for k in names:
                        if k in gvals and hasattr(gvals[k], "std_dev"):
                            gvals[k] = inflate_error(gvals[k], factor)
                    notes.append(f"global fit: errors of {', '.join(k for k in names if k in gvals)} "
                                 f"inflated by the Birge ratio {factor:.3g} of the sequential "
                                 f"{r.model_name} fit (the lineshape residuals of the global fit "
                                 "do not see the misfit of the resonance fields or widths)")
            gvals["g"] = g_from_gyromagnetic_ratio(gvals["gyromagnetic_ratio"])
            notes.extend(compare_routes(seq, gvals))
        _fit_flags(flags["sequential"], seq, [(kit, ("meff", "gyromagnetic_ratio", "h_k")),
                                              (lw, ("alpha", "linewidth_inhomogeneous"))])
        if glob is not None:
            _fit_flags(flags["global"], gvals, [(glob, tuple(k for k in gvals if k != "g"))])
        if assumed_gamma is not None:
            reason = (f"gamma/2pi is not determined by the frequencies {assumed_gamma[0]:g}-"
                      f"{assumed_gamma[1]:g} GHz: held at the free-electron value (g = 2.0023), "
                      "so mu0_meff rests on that assumption (give --g or --gyromagnetic-ratio)")
            for route in ("sequential", "global") if glob is not None else ("sequential",):
                for k in ("meff", "gyromagnetic_ratio"):
                    _add(flags[route], k, reason)
        for route, vals in (("sequential", seq), ("global", gvals)):
            if vals and "meff" in vals:
                reason = _meff_geometry_check(vals["meff"], geometry, fits)
                if reason:
                    _add(flags[route], "meff", reason)
    else:
        notes.append("fewer than two frequencies or three spectra: no Kittel, damping or global fit")
    reps = compare_repeats(fits)
    for r in reps:
        if r["flagged"]:
            notes.append(f"repeats at {r['frequency']:g} GHz disagree in {r['quantity']} beyond "
                         f"their errors (Birge ratio {r['birge_ratio']:.3g}, p = {r['p_value']:.2g})")
    return STFMRAnalysis(tuple(fits), tuple(failures), geometry, kit, lw, seq, glob, gvals, gspec,
                         reps, tuple(notes), {k: v for k, v in flags.items() if v})


def _add(flags: dict[str, list[str]], name: str, reason: str) -> None:
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
                                     f"bound {bound:g} {unit}".rstrip())
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
    left: list[tuple[str, str]] = []
    fits = list(fits)
    easy, where = (("perpendicular", "in plane") if geometry == "inplane"
                   else ("easy-plane", "out of plane"))
    for _ in range(max_rounds):
        if _saturation_field(kprop["meff"], geometry) is None:
            break
        lowest = min(fits, key=lambda s: _nominal(s.combined["h_res"]))
        keep = [s for s in fits if s is not lowest]
        if len(keep) < 3 or len({round(s.frequency, 9) for s in keep}) < 2:
            break
        k_keep, p_keep = refit(keep)
        h_sat = _saturation_field(p_keep["meff"], geometry)
        h = _nominal(lowest.combined["h_res"])
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
    """A reason when mu0 M_eff contradicts the geometry and the measured resonance fields.

    In plane, M_eff < 0 (a perpendicular easy axis) saturates the film along the field only
    above mu0 H = |M_eff|; out of plane, M_eff > 0 (easy plane) only above mu0 H = M_eff. A
    measured resonance below that field is not in the state the Kittel relation describes.
    """
    m = _nominal(meff)
    if (geometry == "inplane" and m >= 0) or (geometry == "outofplane" and m <= 0):
        return None
    h_sat = abs(m)
    below = [s for s in fits if _nominal(s.combined["h_res"]) < h_sat]
    if not below:
        return None
    easy, where = (("perpendicular easy axis", "in plane") if geometry == "inplane"
                   else ("easy plane", "out of plane"))
    freqs = ", ".join(f"{s.frequency:g} GHz" for s in below)
    return (f"mu0_meff = {m:.4g} T ({easy}) with the field {where}: the film is saturated "
            f"along the field only above {h_sat:.4g} T, but {len(below)} resonance field(s) "
            f"lie below it ({freqs}); the Kittel relation does not describe them "
            "(wrong --geometry?)")


def inflate_error(u, factor: float):
    """``u`` with its standard error (and its covariances with every other quantity) multiplied
    by ``factor``, the nominal value unchanged."""
    n = _nominal(u)
    return n + (u - n) * factor


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


# ---------------------------------------------------------------------------
# Torques and the JSON summary
# ---------------------------------------------------------------------------

#: Stable names of the summary quantities and their units.
SUMMARY_UNITS = {
    "mu0_meff": "T", "gyromagnetic_ratio": "GHz/T", "g": "", "h_k": "T", "alpha": "",
    "linewidth_inhomogeneous": "T", "xi_fmr": "", "mu0_h_dl": "T", "mu0_h_fl_oe": "T",
    "mu0_h_oe": "T", "mu0_h_fl": "T", "e_field": "V/m", "xi_e_dl": "1e5 Ohm^-1 m^-1",
    "xi_e_fl": "1e5 Ohm^-1 m^-1", "xi_dl": "", "xi_fl": "",
}

SIGN_CONVENTION = (
    "current along +x, film normal +z, field angle phi from +x; torque fields as in "
    "docs/CONVENTIONS.md: mu0 H_DL = mu0_h_dl (m x sigma), mu0 H_FL = mu0_h_fl sigma, sigma = +y; "
    "mu0_h_fl_oe = mu0 (H_FL + H_Oe) along +y; the Oersted field of a spin-source layer below "
    "the ferromagnet points along -y; xi_dl, xi_fl follow the signs of mu0_h_dl, mu0_h_fl; "
    "xi_fmr is Liu's lineshape-ratio value (Oersted-referenced, positive when V_s/V_a > 0) "
    "times the sign of the Oersted field along +y (-1 for the layer below), so that without a "
    "field-like torque xi_fmr = xi_dl; V_s, V_a referred to +H "
    "(docs/stfmr.md)")


def _branch_values(r: FitResult) -> dict[str, Any]:
    p = r.meta["polarity"]
    return {"h_res": r["h_res"], "width": r["width"], "vs": p * r["vs"], "va": p * r["va"]}


def stfmr_torques(analysis: STFMRAnalysis, sample) -> dict[str, Any]:
    """Torque quantities per spectrum and their weighted means, for both routes.

    Parameters
    ----------
    analysis : STFMRAnalysis
    sample : sotfit.analysis.stfmr_torques.Sample

    Returns
    -------
    dict
        ``{'sequential': {...}, 'global': {...}}``, each with ``per_spectrum``
        (list of dicts: ``source``, ``frequency`` and the quantities; for the
        sequential route also ``branches`` with the ±H values per branch),
        ``mean`` (GLS weighted means), ``birge_ratio`` per quantity and ``singular`` (the
        quantities whose per-spectrum values have a singular covariance: not independent
        estimates, averaged with inverse-variance weights).
    """
    from .stfmr_torques import spectrum_torques, weighted_mean

    routes: dict[str, Any] = {}
    meff_seq = analysis.sequential.get("meff")
    if meff_seq is not None:
        per = []
        for s in analysis.spectra:
            row = {"source": s.source, "frequency": s.frequency,
                   **spectrum_torques(s.combined, meff_seq, sample)}
            row["branches"] = {("+" if r.meta["polarity"] > 0 else "-"):
                               spectrum_torques(_branch_values(r), meff_seq, sample)
                               for r in s.branches}
            per.append(row)
        routes["sequential"] = per
    if analysis.global_spectra:
        meff_g = analysis.global_values["meff"]
        routes["global"] = [{"source": g["source"], "frequency": g["frequency"],
                             **spectrum_torques(g, meff_g, sample)}
                            for g in analysis.global_spectra]
    out: dict[str, Any] = {}
    for route, per in routes.items():
        keys = [k for k in per[0] if k not in ("source", "frequency", "branches")]
        mean, birge, singular = {}, {}, []
        for k in keys:
            vals = [row[k] for row in per]
            if all(hasattr(v, "std_dev") and v.std_dev > 0 for v in vals):
                info: dict = {}
                mean[k], birge[k] = weighted_mean(vals, info=info)
                if info["singular"]:
                    singular.append(k)
            else:  # exact inputs (no uncertainty): plain mean
                mean[k], birge[k] = sum(vals) / len(vals), float("nan")
        out[route] = {"per_spectrum": per, "mean": mean, "birge_ratio": birge,
                      "singular": singular}
    return out


def fit_stderrs(r: FitResult) -> dict[str, float | None]:
    """Standard errors of a fit's parameters from its covariance (the square roots of the
    diagonal; what the uncertainties values give, without expanding them): ``None`` for a
    fixed parameter, NaN without a covariance."""
    if r.covar is None:
        return {k: (float(getattr(r.params[k], "std_dev", math.nan))
                    if k in r.varied else None) for k in r.params}
    diag = np.sqrt(np.diagonal(r.covar))
    out: dict[str, float | None] = {k: None for k in r.params}
    out.update(zip(r.varied, diag.tolist()))
    return out


def _q(value, unit, stderr=False):
    """``{"value", "stderr", "unit"}`` of an uncertain value (``stderr`` given when known)."""
    from ..results import quantity_dict

    if stderr is False:
        d = quantity_dict(value, unit)
    else:
        d = {"value": float(getattr(value, "nominal_value", value)),
             "stderr": None if stderr is None else float(stderr), "unit": unit}
    if d["stderr"] is not None and not math.isfinite(d["stderr"]):
        # JSON has no NaN; None alone would read as "fixed", so say what happened
        d["stderr"] = None
        add_flag(d, "standard error is not finite (the data do not determine it)")
    return d


def summary_dict(analysis: STFMRAnalysis, sample=None) -> dict[str, Any]:
    """JSON-ready summary: every number as ``{"value", "stderr", "unit"}`` under stable names.

    Sections ``sequential`` and ``global`` hold ``mu0_meff``, ``gyromagnetic_ratio``, ``g``,
    ``alpha``, ``linewidth_inhomogeneous`` (``h_k`` in plane) and, when the sample allows,
    the torque means ``xi_fmr``, ``mu0_h_dl``, ``mu0_h_fl_oe``, ``mu0_h_fl``, ``xi_dl``,
    ``xi_fl`` ...; ``spectra`` lists the per-spectrum values. A doubtful quantity carries
    ``"flags": [reason, ...]`` (:mod:`sotfit.flags`; the gates of docs/stfmr.md, section 9).
    """
    from .. import __version__
    from .stfmr_torques import SAMPLE_UNITS

    torques = stfmr_torques(analysis, sample) if sample is not None else {}
    out: dict[str, Any] = {"sotfit_version": __version__, "analysis": "stfmr",
                           "geometry": analysis.geometry, "sign_convention": SIGN_CONVENTION,
                           "linewidth_convention": "HWHM"}
    if sample is not None:
        out["sample"] = {k: ({"value": v, "stderr": None, "unit": SAMPLE_UNITS.get(k, "")}
                             if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                         for k, v in sample.as_dict().items() if v is not None}
        if sample.i_rf is not None:
            out["sample"]["i_rf_peak"] = {"value": float(sample.i_peak), "stderr": None,
                                          "unit": "mA"}
        if sample.fraction is not None:
            out["sample"]["current_fraction_used"] = {"value": float(sample.fraction),
                                                      "stderr": None, "unit": ""}
    for route, vals, fitres in (("sequential", analysis.sequential, analysis.kittel),
                                ("global", analysis.global_values, analysis.global_fit)):
        if not vals:
            continue
        sec = {}
        for k, v in vals.items():
            name = "mu0_meff" if k == "meff" else k
            sec[name] = _q(v, SUMMARY_UNITS.get(name, ""))
        for k, v in torques.get(route, {}).get("mean", {}).items():
            sec[k] = _q(v, SUMMARY_UNITS.get(k, ""))
            b = torques[route]["birge_ratio"].get(k)
            if b is not None and math.isfinite(b):
                sec[k]["birge_ratio_across_spectra"] = b
        if route == "sequential" and analysis.kittel is not None:
            sec["kittel_reduced_chi_square"] = analysis.kittel.redchi
            sec["linewidth_reduced_chi_square"] = analysis.linewidth.redchi
        if route == "global" and fitres is not None:
            sec["reduced_chi_square"] = fitres.redchi
            sec["success"] = bool(fitres.success)
        out[route] = sec
    spectra = []
    for i, s in enumerate(analysis.spectra):
        row: dict[str, Any] = {"source": s.source, "frequency": {"value": s.frequency,
                                                                   "stderr": None, "unit": "GHz"}}
        units = {"h_res": "T", "width": "T", "vs": "uV", "va": "uV", "ratio": "",
                 "field_offset": "T", "vs_even": "uV", "va_even": "uV"}
        for k, v in s.combined.items():
            row[k] = _q(v, units[k], s.stderr(k))
        row["branches"] = []
        for r in s.branches:
            b = {"polarity": int(r.meta["polarity"]),
                 "window": {"value": [r.meta["window_lo"], r.meta["window_hi"]], "unit": "T"},
                 "window_widths": r.meta["window_widths"],
                 "n_points_window": r.meta["n_points_window"],
                 "n_points_branch": r.meta["n_points_branch"], "reduced_chi_square": r.redchi}
            se = fit_stderrs(r)
            for k in ("h_res", "width", "vs", "va", "offset", "slope"):
                b[k] = _q(r[k], r.units[k], se[k])
            row["branches"].append(b)
        for route in ("sequential", "global"):
            if route in torques:
                t = torques[route]["per_spectrum"][i]
                row[f"torques_{route}"] = {k: _q(v, SUMMARY_UNITS.get(k, ""))
                                           for k, v in t.items()
                                           if k not in ("source", "frequency", "branches")}
                if "branches" in t:
                    row[f"torques_{route}"]["branches"] = {
                        pol: {k: _q(v, SUMMARY_UNITS.get(k, "")) for k, v in vals.items()}
                        for pol, vals in t["branches"].items()}
        if s.notes:
            row["notes"] = list(s.notes)
        spectra.append(row)
    out["spectra"] = spectra
    out["repeats"] = [dict(r, flags=[f"repeats at {r['frequency']:g} GHz disagree in "
                                      f"{r['quantity']} beyond their errors (Birge ratio "
                                      f"{r['birge_ratio']:.3g}, p = {r['p_value']:.2g})"])
                      if r["flagged"] else r for r in analysis.repeats]
    out["failures"] = [{"source": a, "reason": b, "flags": [f"left out of every fit: {b}"]}
                       for a, b in analysis.failures]
    out["notes"] = list(analysis.notes)
    _summary_flags(out, analysis, torques, sample)
    return out


#: Summary names of the shared magnetic parameters (the fits' names where they differ).
_SHARED = {"mu0_meff": "meff", "gyromagnetic_ratio": "gyromagnetic_ratio",
           "g": "gyromagnetic_ratio", "h_k": "h_k", "alpha": "alpha",
           "linewidth_inhomogeneous": "linewidth_inhomogeneous"}


def _has_error(q) -> bool:
    return isinstance(q, dict) and q.get("stderr") is not None


def _summary_flags(out: dict, analysis: STFMRAnalysis, torques: dict, sample) -> None:
    """Attach :mod:`sotfit.flags` reasons to the quantities of an ST-FMR summary (in place).

    The gates (docs/stfmr.md, section 9): what the fits found (a parameter on a bound or held
    at its physical bound, within one standard error of it, resting on an assumed g, M_eff
    against the geometry), the reduced chi-square of the Kittel, linewidth and global fits,
    the spread of the per-spectrum torques about their mean, each route's per-spectrum
    values against the spectrum data (:func:`data_checks`), M_eff against the given M_s, and
    every shared quantity of the two routes against each other.
    """
    secs = {r: out[r] for r in ("sequential", "global") if r in out}
    # 1. what the fits found
    for route, sec in secs.items():
        for name, key in _SHARED.items():  # g carries the flags of gamma/2pi
            for reason in analysis.flags.get(route, {}).get(key, []) if name in sec else ():
                add_flag(sec[name], reason)
    # 2. reduced chi-square of the fits behind each quantity
    kit, lw, glob = analysis.kittel, analysis.linewidth, analysis.global_fit
    for route, sec in secs.items():
        if kit is not None:
            flag_redchi([sec[k] for k in ("mu0_meff", "gyromagnetic_ratio", "g", "h_k")
                         if _has_error(sec.get(k))], kit.redchi, "Kittel fit (sequential)")
        if lw is not None:
            flag_redchi([sec[k] for k in ("alpha", "linewidth_inhomogeneous")
                         if _has_error(sec.get(k))], lw.redchi, "linewidth fit (sequential)")
    if glob is not None and "global" in secs:
        flag_redchi([secs["global"][k] for k in _SHARED if _has_error(secs["global"].get(k))],
                    glob.redchi, "global fit")
    # 3. the per-spectrum torques about their mean
    for route, sec in secs.items():
        t = torques.get(route, {})
        for k, b in t.get("birge_ratio", {}).items():
            if k in sec and b is not None and math.isfinite(b):
                flag_redchi([sec[k]], b * b, f"{route} mean over spectra")
        for k in t.get("singular", []):
            if k in sec:
                add_flag(sec[k], "the per-spectrum values are not independent (singular "
                                 "covariance): mean with inverse-variance weights")
    # 4. each route's per-spectrum values against the spectrum data
    amplitude_keys = [k for k in SUMMARY_UNITS if k not in _SHARED and k not in
                      ("mu0_h_oe", "e_field")]
    for route, bad in data_checks(analysis).items():
        for n, reason in bad.items():
            row = out["spectra"][n]
            targets = list(row.get(f"torques_{route}", {}).values())
            if route == "sequential":
                targets += [row[k] for k in ("vs", "va", "ratio") if k in row]
            for q in targets:
                if isinstance(q, dict) and "value" in q:
                    add_flag(q, reason)
            for k in amplitude_keys:
                if k in secs.get(route, {}):
                    add_flag(secs[route][k], reason)
    # 5. M_eff against the given M_s
    ms = getattr(sample, "mu0_ms", None) if sample is not None else None
    if ms is not None:
        for route, sec in secs.items():
            q = sec.get("mu0_meff")
            if _has_error(q) and q["value"] - ms > SIGMA_LIMIT * q["stderr"]:
                add_flag(q, f"mu0_meff exceeds the given mu0_ms = {ms:g} T by "
                            f"{(q['value'] - ms) / q['stderr']:.1f} sigma (an in-plane "
                            "anisotropy beyond the shape anisotropy is rare: check --ms, the "
                            "field unit and gamma/2pi)")
    # 6. the two routes against each other
    if len(secs) == 2:
        seq, gl = secs["sequential"], secs["global"]
        for k in seq:
            if k in gl and _has_error(seq[k]) and _has_error(gl[k]):
                flag_disagreement(seq[k], gl[k], f"sequential {k}", f"global {k}")


# ---------------------------------------------------------------------------
# Angle dependence (conventional and unconventional torque components)
# ---------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class AngleAnalysis:
    """V_s(phi), V_a(phi) fits and the torque components they imply.

    Attributes
    ----------
    vs_fit, va_fit : FitResult
        Fits of :data:`~sotfit.models.stfmr_angle.stfmr_angle_vs` / ``_va`` (amplitudes in uV)
        to one point per branch: the + branch of a spectrum at field angle phi is at phi, the
        - branch at phi + 180 deg, each with the amplitude as fitted in |mu0H|.
    h_res, width : uncertain values
        GLS means over the spectra (T).
    torques : dict
        :func:`~sotfit.analysis.stfmr_torques.angular_torques` output (fields in T, or
        ratios without I_rf and Delta_R).
    spectra : tuple of SpectrumFit
        The spectra used (:func:`analyse_angle_scan`; empty from :func:`fit_angle_dependence`).
    failures : tuple of (str, str)
        (source, reason) of spectra left out.
    meff : float or uncertain value or None
        mu0 M_eff used (T).
    meff_from : str
        Where ``meff`` came from.
    points : list of dict
        ``source``, ``polarity``, ``field_angle`` (deg, of the spectrum), ``angle`` (deg, of
        the magnetisation in [0, 360): +180 for the - branch), ``vs``, ``va`` (uV, as fitted).
    notes : tuple of str
    flags : dict
        ``{name: [reason, ...]}`` for the summary's quantities (``meff``: resting on an
        assumed g), written by :func:`angle_summary_dict`.
    """

    vs_fit: FitResult
    va_fit: FitResult
    h_res: Any
    width: Any
    torques: dict
    spectra: tuple = ()
    failures: tuple = ()
    meff: Any = None
    meff_from: str = ""
    points: list = field(default_factory=list)
    notes: tuple = ()
    flags: dict = field(default_factory=dict)

    @property
    def frequency(self) -> float | None:
        return self.spectra[0].frequency if self.spectra else None


def _angle_points(fits: Sequence[SpectrumFit], angle_key: str) -> list[dict]:
    pts = []
    for s in fits:
        phi = s.dataset.meta.get(angle_key)
        if phi is None:
            raise STFMRError(f"{s.source}: no field angle (meta {angle_key!r})")
        for r in s.branches:
            pol = int(r.meta["polarity"])
            pts.append({"source": s.source, "polarity": pol, "field_angle": float(phi),
                        "angle": float(np.mod(float(phi) + (0.0 if pol > 0 else 180.0), 360.0)),
                        "vs": r["vs"], "va": r["va"]})
    return pts


def fit_angle_dependence(fits: Sequence[SpectrumFit], meff, *, i_rf=None, delta_r=None,
                         angle_key: str = "angle") -> AngleAnalysis:
    """Separate torque components from spectra at several in-plane field angles.

    Every fitted branch is one point: the + branch at the field angle phi, the - branch at
    phi + 180 deg (the magnetisation reverses with the field), each with V_s, V_a as fitted
    in |mu0H|. The symmetrised amplitudes of a spectrum (referred to +H) would drop the terms
    that do not reverse with the field (S_z, A_z), so they are not used.

    Parameters
    ----------
    fits : sequence of SpectrumFit
        Spectra at one frequency; each dataset's ``meta[angle_key]`` is the field angle phi
        from the current in degrees.
    meff : float or uncertain value
        mu0 M_eff (T).
    i_rf, delta_r : float, optional
        Peak rf current (mA) and AMR Delta_R (Ohm) for absolute fields.
    angle_key : str
        Meta key of the field angle (``'field_angle'`` from :func:`sotfit.io.read_stfmr`).

    Returns
    -------
    AngleAnalysis

    Notes
    -----
    Model: MacNeill et al., Nat. Phys. 13, 300 (2017), eqs. (1)-(2), with the x-polarised
    terms added (docs/stfmr.md, section 6.4).
    """
    from ..models.stfmr_angle import stfmr_angle_va, stfmr_angle_vs
    from .stfmr_torques import angular_torques, weighted_mean

    pts = _angle_points(fits, angle_key)
    phis = np.array([p["angle"] for p in pts])
    if len(set(np.round(np.mod(phis, 360.0), 6))) < 4:
        raise STFMRError("an angle analysis needs four or more directions of the magnetisation "
                         "(field angles phi, and phi + 180 deg for - branches); got "
                         + ", ".join(sorted({f"{a:g} deg" for a in np.mod(phis, 360.0)})))
    mk = lambda name: Dataset(  # noqa: E731
        phis, [p[name].nominal_value for p in pts], [p[name].std_dev for p in pts],
        x_name="angle", x_unit="deg", y_name=name, y_unit="uV",
        meta={"source": f"{name}(angle)"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        rs = fit(mk("vs"), stfmr_angle_vs)
        ra = fit(mk("va"), stfmr_angle_va)
    h_res, _ = weighted_mean([s.combined["h_res"] for s in fits])
    width, _ = weighted_mean([s.combined["width"] for s in fits])
    t = angular_torques(rs.params, ra.params, h_res, meff, width, i_rf, delta_r)
    return AngleAnalysis(rs, ra, h_res, width, t, meff=meff, points=pts)


def analyse_angle_scan(data: Sweep | Sequence[Dataset], *, meff=None,
                       gyromagnetic_ratio: float | None = None, i_rf: float | None = None,
                       delta_r: float | None = None, model: ModelSpec | None = None,
                       window_widths: float = 6.0, on_error: str = "raise",
                       angle_key: str = "field_angle",
                       progress: Callable[[int, int], None] | None = None,
                       workers: int | None = None, scheduler: str | None = None) -> AngleAnalysis:
    """Angle-dependent ST-FMR: spectra at one frequency and several in-plane field angles.

    Checks the input (every spectrum has a field angle, one frequency, more than one angle),
    fits every spectrum (:func:`~sotfit.analysis.stfmr_spectra.fit_spectrum`) and then
    V_s(phi), V_a(phi) (:func:`fit_angle_dependence`).

    Parameters
    ----------
    data : Sweep or sequence of Dataset
        Signed mu0H (T), V_mix (uV); ``meta['frequency']`` (GHz) and ``meta[angle_key]``
        (deg, the in-plane field angle from the current, as set by
        :func:`sotfit.io.read_stfmr`).
    meff : float or uncertain value, optional
        mu0 M_eff (T). Without it, M_eff is obtained from the in-plane Kittel relation at the
        one frequency, mu0 M_eff = (f/(gamma/2pi))^2 / mu0H_res - mu0H_res, with
        ``gyromagnetic_ratio`` (GHz/T; default the free-electron value) held exact; the
        uncertainty then comes from H_res only (the ratios of torque components other than
        ``dl_y_over_h_y`` do not depend on it).
    i_rf, delta_r : float, optional
        Peak rf current (mA) and AMR Delta_R (Ohm); with both the torque components are
        fields in T, otherwise ratios.
    model, window_widths, on_error, progress, workers, scheduler
        As :func:`analyse_stfmr`.

    Returns
    -------
    AngleAnalysis

    Raises
    ------
    STFMRError
        No spectra; spectra without a field angle, at different frequencies, or all at one
        angle (each naming the files).
    """
    datasets = list(data)
    if not datasets:
        raise STFMRError("no spectra given")
    missing = [d.source for d in datasets if d.meta.get(angle_key) is None]
    if missing:
        raise STFMRError(
            f"angle scan: no field angle for {len(missing)} of {len(datasets)} spectra: "
            + ", ".join(missing) + ". Give it in the header with a unit ('field_angle_deg: 30' "
            "or 'Angle (deg): 30'), in the file name ('phi30deg', '_30deg_', 'angle30') or as "
            "an option")
    freqs = {}
    for d in datasets:
        freqs.setdefault(round(float(d.meta["frequency"]), 9), []).append(d.source)
    if len(freqs) > 1:
        raise STFMRError(
            "angle scan: the spectra are at different frequencies ("
            + "; ".join(f"{f:g} GHz: {', '.join(srcs)}" for f, srcs in sorted(freqs.items()))
            + "); an angle scan takes spectra at one frequency: analyse each frequency "
            "separately")
    angles: dict = {}
    for d in datasets:
        angles.setdefault(round(float(d.meta[angle_key]) % 360.0, 6), []).append(d.source)
    if len(angles) < 2:
        (a, srcs), = angles.items()
        raise STFMRError(
            f"angle scan: all {len(datasets)} spectra are at one field angle, {a:g} deg "
            f"({', '.join(srcs)}); the torque components need spectra at several angles "
            "(about 8-12 spread over 0-360 deg)")
    fits, failures, notes = fit_spectra(datasets, model=model, window_widths=window_widths,
                                        on_error=on_error, progress=progress, workers=workers,
                                        scheduler=scheduler)
    from .stfmr_torques import weighted_mean

    flags: dict[str, list[str]] = {}
    if meff is None:
        gam = GAMMA_FREE_ELECTRON if gyromagnetic_ratio is None else float(gyromagnetic_ratio)
        h, _ = weighted_mean([s.combined["h_res"] for s in fits])
        f = fits[0].frequency
        meff = (f / gam) ** 2 / h - h
        meff_from = (f"in-plane Kittel relation at {f:g} GHz with gamma/2pi = {gam:.4g} GHz/T "
                     + ("(given)" if gyromagnetic_ratio is not None
                        else "(free electron, g = 2.0023; give --meff or --g for another)"))
        notes.append(f"mu0 M_eff = {_nominal(meff):.4g} T from the {meff_from}")
        if gyromagnetic_ratio is None:
            flags["meff"] = ["from the in-plane Kittel relation with the free-electron g "
                             "(2.0023) assumed, not measured (give --meff or --g)"]
    else:
        meff_from = "given"
    res = fit_angle_dependence(fits, meff, i_rf=i_rf, delta_r=delta_r, angle_key=angle_key)
    for r in (res.vs_fit, res.va_fit):
        if r.redchi > 3:
            notes.append(f"{r.model_name}: reduced chi-square {r.redchi:.3g}: the angular model "
                         "does not describe the amplitudes within their errors (anisotropy, "
                         "an unsaturated magnetisation, or a field angle offset?)")
    return AngleAnalysis(res.vs_fit, res.va_fit, res.h_res, res.width, res.torques,
                         tuple(fits), tuple(failures), meff, meff_from, res.points, tuple(notes),
                         flags)


ANGLE_AMPLITUDES = {"vs_y": ("vs", "c_y"), "vs_x": ("vs", "c_x"), "vs_z": ("vs", "c_z"),
                    "va_y": ("va", "c_y"), "va_x": ("va", "c_x"), "va_z": ("va", "c_z")}


def angle_summary_dict(res: AngleAnalysis, sample=None) -> dict[str, Any]:
    """JSON-ready ``angle`` section: every number as ``{"value", "stderr", "unit"}``.

    Keys: ``frequency`` (GHz), ``field_angles`` (deg, per spectrum), ``mu0_meff``,
    ``mu0_meff_from``, ``h_res``, ``width`` (T), ``amplitudes`` (uV: ``vs_y``, ``vs_x``,
    ``vs_z``, ``va_y``, ``va_x``, ``va_z``), ``vs_reduced_chi_square``,
    ``va_reduced_chi_square``, ``n_points``, ``torque_units`` (``'T'`` or ``'ratio'``),
    ``torques`` (``mu0_h_dl_y``, ``mu0_h_dl_x``, ``mu0_h_dl_z``, ``mu0_h_y``, ``mu0_h_x``,
    ``mu0_h_z`` in T; or the ratios ``dl_x_over_dl_y``, ``dl_z_over_h_y``,
    ``dl_y_over_h_y``, ``h_x_over_h_y``, ``h_z_over_dl_y``), ``points``, ``spectra``,
    ``failures``, ``notes``. Doubtful quantities carry ``"flags"`` (docs/stfmr.md, section 9).
    """
    fits = {"vs": res.vs_fit, "va": res.va_fit}
    absolute = "mu0_h_dl_y" in res.torques
    out: dict[str, Any] = {
        "frequency": {"value": res.frequency, "stderr": None, "unit": "GHz"},
        "field_angles": {"value": [float(s.dataset.meta.get("field_angle",
                                                              s.dataset.meta.get("angle")))
                                   for s in res.spectra], "stderr": None, "unit": "deg"},
        "mu0_meff": _q(res.meff, "T"), "mu0_meff_from": res.meff_from,
        "h_res": _q(res.h_res, "T"), "width": _q(res.width, "T"),
        "amplitudes": {k: _q(fits[a][c], "uV") for k, (a, c) in ANGLE_AMPLITUDES.items()},
        "vs_reduced_chi_square": res.vs_fit.redchi, "va_reduced_chi_square": res.va_fit.redchi,
        "n_points": len(res.points),
        "torque_units": "T" if absolute else "ratio",
        "torques": {k: _q(v, "T" if absolute else "") for k, v in res.torques.items()},
        "points": [{"source": p["source"], "polarity": p["polarity"],
                    "field_angle": {"value": p["field_angle"], "stderr": None, "unit": "deg"},
                    "angle": {"value": p["angle"], "stderr": None, "unit": "deg"},
                    "vs": _q(p["vs"], "uV"), "va": _q(p["va"], "uV")} for p in res.points],
        "failures": [{"source": a, "reason": b} for a, b in res.failures],
        "notes": list(res.notes),
    }
    _angle_flags(out, res)
    return out


#: Which angular fit (V_s or V_a) each torque component of :func:`angular_torques` comes from.
ANGLE_TORQUE_FITS = {
    "mu0_h_dl_y": ("vs",), "mu0_h_dl_x": ("vs",), "mu0_h_z": ("vs",), "mu0_h_y": ("va",),
    "mu0_h_x": ("va",), "mu0_h_dl_z": ("va",), "dl_x_over_dl_y": ("vs",),
    "dl_z_over_h_y": ("va",), "dl_y_over_h_y": ("vs", "va"), "h_x_over_h_y": ("va",),
    "h_z_over_dl_y": ("vs",),
}


def _angle_flags(sec: dict, res: AngleAnalysis) -> None:
    """Flags of the ``angle`` section (in place): the reduced chi-square of the V_s(phi) and
    V_a(phi) fits on the amplitudes and torque components they give, and M_eff from the Kittel
    relation with an assumed g (docs/stfmr.md, section 9)."""
    for which, r in (("vs", res.vs_fit), ("va", res.va_fit)):
        targets = [q for k, q in sec["amplitudes"].items() if ANGLE_AMPLITUDES[k][0] == which]
        targets += [q for k, q in sec["torques"].items() if which in ANGLE_TORQUE_FITS.get(k, ())]
        flag_redchi(targets, r.redchi, f"V_{which[1]}(phi) fit")
    for reason in res.flags.get("meff", []):
        add_flag(sec["mu0_meff"], reason)
