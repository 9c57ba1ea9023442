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
from ..models.magnetization import kittel_inplane, kittel_outofplane, linewidth
from ..models.spec import ModelSpec
from ..models.stfmr_global import stfmr_global_inplane, stfmr_global_outofplane
from ..results import FitResult
from ..units import GAMMA_FREE_ELECTRON, g_from_gyromagnetic_ratio
from .stfmr_spectra import STFMRError, SpectrumFit, compare_repeats, fit_spectrum

__all__ = [
    "propagate_fit",
    "kittel_dataset",
    "linewidth_dataset",
    "fit_kittel",
    "fit_linewidth",
    "fit_global_spectra",
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        res = fit(d, linewidth, fixed={"gyromagnetic_ratio": _nominal(gyromagnetic_ratio)})
    consts = {"gyromagnetic_ratio": gyromagnetic_ratio} if hasattr(gyromagnetic_ratio, "std_dev") else {}
    prop = propagate_fit(res, [s.combined["width"] for s in fits], constants=consts)
    return res, prop


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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        res = fit_global(datasets, model, shared=shared, init=init, fixed=fixed, free=free,
                         exprs=exprs, guess=False, scale_covar=True)
    object.__setattr__(res, "meta", {**res.meta, "branches": labels, "geometry": geometry,
                                     "fit_kwargs": {"shared": shared, "fixed": fixed,
                                                    "free": free, "exprs": exprs}})
    return res


def global_spectrum_values(res: FitResult, fits: Sequence[SpectrumFit]) -> list[dict[str, Any]]:
    """Per-spectrum values implied by a global fit (uncertain, correlated).

    Returns, for each spectrum, ``h_res`` (Kittel at its frequency from the shared
    parameters, T), ``width`` (T), symmetrised ``vs``, ``va`` (uV, referred to +H)
    and ``ratio``.
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
        out.append({"frequency": f, "source": s.source, "h_res": h_res, "width": width,
                    "vs": vs, "va": va, "ratio": vs / va})
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

    @property
    def branch_table(self):
        """Every branch fit as a :class:`~sotfit.results.ResultTable` (meta: frequency, polarity,
        window), e.g. ``analysis.branch_table.as_dataset(x="frequency", y="h_res")``."""
        from ..results import ResultTable

        return ResultTable(tuple(r for s in self.spectra for r in s.branches))


def fit_spectra(datasets: Sequence[Dataset], *, model=None, window_widths: float = 6.0,
                on_error: str = "raise", progress=None):
    """Fit every spectrum (both branches) with :func:`fit_spectrum`.

    Parameters
    ----------
    datasets : sequence of Dataset
    model, window_widths
        As for :func:`fit_spectrum`.
    on_error : {'raise', 'skip'}
        Whether a spectrum that cannot be fitted stops everything or is recorded and left out.
    progress : callable, optional
        ``progress(done, total)`` after each spectrum.

    Returns
    -------
    fits : list of SpectrumFit
    failures : list of (source, message)
    notes : list of str
        Every spectrum's notes, prefixed by its source.
    """
    fits, failures = [], []
    for n, d in enumerate(datasets):
        try:
            fits.append(fit_spectrum(d, model=model, window_widths=window_widths))
        except STFMRError as exc:
            if on_error != "skip":
                raise
            failures.append((d.source, str(exc)))
        if progress:
            progress(n + 1, len(datasets))
    if not fits:
        raise STFMRError("no spectrum could be fitted: " + "; ".join(m for _, m in failures))
    notes = [f"{s.source}: {n}" for s in fits for n in s.notes]
    return fits, failures, notes


def analyse_stfmr(data: Sweep | Sequence[Dataset], *, geometry: str = "inplane",
                  gyromagnetic_ratio: float | None = None, free_hk: bool = False,
                  model: ModelSpec | None = None, window_widths: float = 6.0,
                  global_fit: bool = True, on_error: str = "raise",
                  max_gamma_rel_error: float = 0.1, kittel_tolerance: float = 0.05,
                  progress: Callable[[int, int], None] | None = None) -> STFMRAnalysis:
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

    Returns
    -------
    STFMRAnalysis
    """
    datasets = list(data)
    if not datasets:
        raise STFMRError("no spectra given")
    fits, failures, notes = fit_spectra(datasets, model=model, window_widths=window_widths,
                                        on_error=on_error, progress=progress)
    nfreq = len({round(s.frequency, 9) for s in fits})
    kit = lw = None
    seq: dict[str, Any] = {}
    glob = None
    gvals: dict[str, Any] = {}
    gspec: list = []
    if nfreq >= 2 and len(fits) >= 3:
        kit, kprop = fit_kittel(fits, geometry=geometry, gyromagnetic_ratio=gyromagnetic_ratio,
                                free_hk=free_hk)
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
    else:
        notes.append("fewer than two frequencies or three spectra: no Kittel, damping or global fit")
    reps = compare_repeats(fits)
    for r in reps:
        if r["flagged"]:
            notes.append(f"repeats at {r['frequency']:g} GHz disagree in {r['quantity']} beyond "
                         f"their errors (Birge ratio {r['birge_ratio']:.3g}, p = {r['p_value']:.2g})")
    return STFMRAnalysis(tuple(fits), tuple(failures), geometry, kit, lw, seq, glob, gvals, gspec,
                         reps, tuple(notes))


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
        ``mean`` (GLS weighted means) and ``birge_ratio`` per quantity.
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
        mean, birge = {}, {}
        for k in keys:
            vals = [row[k] for row in per]
            if all(hasattr(v, "std_dev") and v.std_dev > 0 for v in vals):
                mean[k], birge[k] = weighted_mean(vals)
            else:  # exact inputs (no uncertainty): plain mean
                mean[k], birge[k] = sum(vals) / len(vals), float("nan")
        out[route] = {"per_spectrum": per, "mean": mean, "birge_ratio": birge}
    return out


def _q(value, unit):
    from ..results import quantity_dict

    d = quantity_dict(value, unit)
    if d["stderr"] is not None and not math.isfinite(d["stderr"]):
        d["stderr"] = None
    return d


def summary_dict(analysis: STFMRAnalysis, sample=None) -> dict[str, Any]:
    """JSON-ready summary: every number as ``{"value", "stderr", "unit"}`` under stable names.

    Sections ``sequential`` and ``global`` hold ``mu0_meff``, ``gyromagnetic_ratio``, ``g``,
    ``alpha``, ``linewidth_inhomogeneous`` (``h_k`` in plane) and, when the sample allows,
    the torque means ``xi_fmr``, ``mu0_h_dl``, ``mu0_h_fl_oe``, ``mu0_h_fl``, ``xi_dl``,
    ``xi_fl`` ...; ``spectra`` lists the per-spectrum values.
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
            row[k] = _q(v, units[k])
        row["branches"] = []
        for r in s.branches:
            b = {"polarity": int(r.meta["polarity"]),
                 "window": {"value": [r.meta["window_lo"], r.meta["window_hi"]], "unit": "T"},
                 "window_widths": r.meta["window_widths"],
                 "n_points_window": r.meta["n_points_window"],
                 "n_points_branch": r.meta["n_points_branch"], "reduced_chi_square": r.redchi}
            for k in ("h_res", "width", "vs", "va", "offset", "slope"):
                b[k] = _q(r[k], r.units[k])
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
    out["repeats"] = analysis.repeats
    out["failures"] = [{"source": a, "reason": b} for a, b in analysis.failures]
    out["notes"] = list(analysis.notes)
    return out


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
                       progress: Callable[[int, int], None] | None = None) -> AngleAnalysis:
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
    model, window_widths, on_error, progress
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
                                        on_error=on_error, progress=progress)
    from .stfmr_torques import weighted_mean

    if meff is None:
        gam = GAMMA_FREE_ELECTRON if gyromagnetic_ratio is None else float(gyromagnetic_ratio)
        h, _ = weighted_mean([s.combined["h_res"] for s in fits])
        f = fits[0].frequency
        meff = (f / gam) ** 2 / h - h
        meff_from = (f"in-plane Kittel relation at {f:g} GHz with gamma/2pi = {gam:.4g} GHz/T "
                     + ("(given)" if gyromagnetic_ratio is not None
                        else "(free electron, g = 2.0023; give --meff or --g for another)"))
        notes.append(f"mu0 M_eff = {_nominal(meff):.4g} T from the {meff_from}")
    else:
        meff_from = "given"
    res = fit_angle_dependence(fits, meff, i_rf=i_rf, delta_r=delta_r, angle_key=angle_key)
    for r in (res.vs_fit, res.va_fit):
        if r.redchi > 3:
            notes.append(f"{r.model_name}: reduced chi-square {r.redchi:.3g}: the angular model "
                         "does not describe the amplitudes within their errors (anisotropy, "
                         "an unsaturated magnetisation, or a field angle offset?)")
    return AngleAnalysis(res.vs_fit, res.va_fit, res.h_res, res.width, res.torques,
                         tuple(fits), tuple(failures), meff, meff_from, res.points, tuple(notes))


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
    ``failures``, ``notes``.
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
    return out
