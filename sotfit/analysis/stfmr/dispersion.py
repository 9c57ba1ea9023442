"""ST-FMR across frequencies: Kittel and linewidth fits of the per-spectrum results, and the
global fit of all spectra.

* *sequential*: the branch-mean resonance fields H_res(f) are fitted with the Kittel relation
  (in-plane, optionally with an in-plane anisotropy field, or out-of-plane), then the widths
  W(f) = W_0 + f alpha/(gamma/2pi) with gamma/2pi taken from the Kittel fit;
* *global*: all branches of all spectra are fitted at once with
  :data:`sotfit.models.stfmr_global.stfmr_global_inplane` (or out-of-plane), sharing mu0M_eff,
  gamma/2pi, alpha and W_0, amplitudes and backgrounds per branch, and one field offset per
  polarity when both polarities are present.
"""

from __future__ import annotations

import dataclasses

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ...data import Dataset
from ...fitting import FitWarning, fit, fit_global
from ...models.magnetization import kittel_inplane, kittel_outofplane, linewidth
from ...models.stfmr_global import stfmr_global_inplane, stfmr_global_outofplane
from ...results import FitResult
from .errors import STFMRError
from .propagation import _nominal, propagate_fit
from .spectra import SpectrumFit, build_uncertain, combined_covariance


__all__ = [
    "kittel_dataset",
    "linewidth_dataset",
    "fit_kittel",
    "fit_linewidth",
    "fit_global_spectra",
    "bound_reached",
]


def _spectra_table(fits: Sequence[SpectrumFit], key: str, name: str, unit: str) -> Dataset:
    """A Dataset of one combined quantity of the spectra (with its standard uncertainty)
    against frequency (GHz)."""
    f = np.array([s.frequency for s in fits])
    y = np.array([s.value(key) for s in fits])
    e = np.array([s.stderr(key) for s in fits])
    if np.any(~(e > 0)):
        bad = [fits[i].source for i in np.flatnonzero(~(e > 0))]
        raise STFMRError(f"spectra without a usable uncertainty of {key}: {bad}")
    return Dataset(f, y, e, x_name="frequency", x_unit="GHz", y_name=name, y_unit=unit,
                   meta={"source": "spectrum fits", "sources": [s.source for s in fits]})


def _in_frequency_order(fits: Sequence[SpectrumFit]) -> list[SpectrumFit]:
    """The spectra by frequency (then by their values): the Kittel and linewidth fits converge
    to within their tolerance (about 1e-9 relative) of the optimum from where they start, and
    that depends on the order of the points; in one order, the same spectra named in another
    order or read from a folder give the same numbers."""
    return sorted(fits, key=lambda s: (s.frequency, s.value("h_res"), s.value("width")))


def kittel_dataset(fits: Sequence[SpectrumFit]) -> Dataset:
    """Branch-mean resonance field (T) against frequency (GHz), errors from the spectrum fits."""
    return _spectra_table(fits, "h_res", "h_res", "T")


def linewidth_dataset(fits: Sequence[SpectrumFit]) -> Dataset:
    """Branch-mean HWHM (T) against frequency (GHz), errors from the spectrum fits."""
    return _spectra_table(fits, "width", "width", "T")


def spectrum_inputs(fits: Sequence[SpectrumFit], correlated: bool = True) -> dict:
    """The uncertain H_res and W of every spectrum that the Kittel and linewidth fits respond
    to: ``{spectrum: {"h_res": u, "width": u}}``.

    With ``correlated`` they are the spectra's combined values, correlated with every other
    value of the spectrum (its amplitudes: what torques computed from a spectrum and the
    Kittel M_eff need). Otherwise each spectrum's pair is built on two new variables with
    the pair's covariance (:func:`~sotfit.analysis.stfmr.spectra.combined_covariance`): the
    dispersion parameters get the same variances and mutual correlations, at a sixth of the
    cost, but no correlation with the spectra's other values.
    """
    from ...results import LazyParams

    if correlated:
        build_uncertain(fits)
        return {s: {"h_res": s.combined["h_res"], "width": s.combined["width"]} for s in fits}
    keys = ("h_res", "width")
    pairs = {s: LazyParams({k: s.value(k) for k in keys}, keys,
                           combined_covariance(s.branches, keys)) for s in fits}
    LazyParams.build_many(list(pairs.values()))
    return {s: {k: p[k] for k in keys} for s, p in pairs.items()}


def fit_kittel(fits: Sequence[SpectrumFit], *, geometry: str = "inplane",
               gyromagnetic_ratio: float | None = None, free_hk: bool = False,
               inputs: dict | None = None):
    """Kittel fit of H_res(f) with correlated uncertainties carried from the spectra.

    Parameters
    ----------
    fits : sequence of SpectrumFit
    geometry : {'inplane', 'outofplane'}
    gyromagnetic_ratio : float, optional
        gamma/2pi in GHz/T to hold fixed (e.g. from a fixed g); free by default.
    free_hk : bool
        Fit the in-plane uniaxial anisotropy field too (in-plane only).
    inputs : dict, optional
        :func:`spectrum_inputs` (default: the spectra's combined values).

    Returns
    -------
    (FitResult, dict)
        The lmfit result and the propagated parameters (``meff``,
        ``gyromagnetic_ratio``, ``h_k``) as uncertain values correlated with
        the spectra.
    """
    fits = _in_frequency_order(fits)
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
    inputs = spectrum_inputs(fits) if inputs is None else inputs
    prop = propagate_fit(res, [inputs[s]["h_res"] for s in fits])
    return res, prop


def fit_linewidth(fits: Sequence[SpectrumFit], gyromagnetic_ratio, inputs: dict | None = None):
    """Gilbert fit W(f) = W_0 + f alpha/(gamma/2pi) with gamma/2pi held at a (possibly uncertain) value.

    Parameters
    ----------
    fits : sequence of SpectrumFit
    gyromagnetic_ratio : float or uncertainties value
        gamma/2pi in GHz/T, typically the Kittel result; its uncertainty and
        correlations are carried into alpha.
    inputs : dict, optional
        :func:`spectrum_inputs` (default: the spectra's combined values); the Kittel fit's
        own, so that alpha keeps its correlation with gamma/2pi through the spectra.

    Returns
    -------
    (FitResult, dict)
        ``alpha`` and ``linewidth_inhomogeneous`` (T) propagated.
    """
    fits = _in_frequency_order(fits)
    d = linewidth_dataset(fits)
    fixed = {"gyromagnetic_ratio": _nominal(gyromagnetic_ratio)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        res = fit(d, linewidth, fixed=fixed)
        res = _hold_at_floor(res, lambda extra: fit(d, linewidth, fixed={**fixed, **extra}))
    consts = {"gyromagnetic_ratio": gyromagnetic_ratio} if hasattr(gyromagnetic_ratio, "std_dev") else {}
    inputs = spectrum_inputs(fits) if inputs is None else inputs
    prop = propagate_fit(res, [inputs[s]["width"] for s in fits], constants=consts)
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
    return dataclasses.replace(new, meta={**new.meta, "held_at_bound": held})


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
    # what the fit was (datasets, model, shared, fixed incl. held, free, exprs) is res.problem
    return dataclasses.replace(res, meta={**res.meta, "branches": labels, "geometry": geometry})


def global_spectrum_values(res: FitResult, fits: Sequence[SpectrumFit]) -> list[dict[str, Any]]:
    """Per-spectrum values implied by a global fit (uncertain, correlated).

    Returns, for each spectrum, ``h_res`` (Kittel at its frequency from the shared
    parameters, T), ``width`` (T), symmetrised ``vs``, ``va`` (uV, referred to +H)
    and ``ratio``; with both polarities also the polarity-even ``vs_even``, ``va_even``
    (uV), as in :attr:`SpectrumFit.combined`.
    """
    from ...models.magnetization import (linewidth_hwhm, resonance_field_inplane,
                                         resonance_field_outofplane)

    p = res.params
    geometry = res.meta.get("geometry", "inplane")
    labels = res.meta["branches"]
    out = []
    for n, s in enumerate(fits):
        f = s.frequency
        meff, gam = p["meff"], p["gyromagnetic_ratio"]
        if geometry == "inplane":
            h_res = resonance_field_inplane(f, meff, gam, p.get("h_k", 0.0))
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
