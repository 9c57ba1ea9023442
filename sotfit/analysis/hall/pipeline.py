"""Harmonic Hall methods run by name, and combined: methods (c) and (b) on one perpendicular sample."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ...io.hall import HallScan
from .angular import angular
from .avci import avci
from .hayashi import hayashi
from .macrospin import TIME_LIMIT, macrospin
from .mcmc import sample_macrospin
from .result import HallResult
from .sample import Sample, efficiencies


def pma_methods(theta_scans: Sequence[HallScan], sweeps: Sequence[HallScan], *, r_phe,
                sample: Sample | None = None, **angular_kw) -> dict:
    """Methods (c) and (b) on one perpendicular sample, each feeding the other what it lacks.

    (c) gives r_ane (the field-independent part of its slopes) without needing the field-like
    field; (b) with that r_ane subtracted gives mu0_h_fl and mu0_h_dl; (c) again with that
    mu0_h_fl gives its own mu0_h_dl. Uncertainties propagate between the steps.

    Returns
    -------
    dict
        ``{"angular": HallResult, "hayashi": HallResult}`` (the final passes).
    """
    c0 = angular(theta_scans, r_phe=r_phe, sample=sample, **angular_kw)
    b = hayashi(sweeps, r_phe=r_phe, r_ane=c0.quantities["r_ane"], sample=sample)
    c = angular(theta_scans, r_phe=r_phe, mu0_h_fl=b.quantities["mu0_h_fl_oe"], sample=sample,
                **angular_kw)
    return {"angular": c, "hayashi": b}


def run_method(method: str, scans: Sequence[HallScan], *, sample: Sample | None = None, mu0_hk=None,
               r_ahe=None, r_phe=None, include_one: bool = False, max_lag: float = 0.01,
               max_field=None, r_ane=None, theta_h_stderr: float = 0.0, mu0_h_fl=None,
               max_sin: float = 0.25, theta_m_from: str = "r1w", free: Sequence[str] = (),
               time_limit: float | None = None) -> HallResult:
    """One harmonic Hall method by name with the options that apply to it.

    Parameters
    ----------
    method : {'avci', 'hayashi', 'angular', 'macrospin'}
    scans : sequence of HallScan
    sample : Sample, optional
    mu0_hk : float, optional
        Effective anisotropy field in T (-mu0*Meff for an in-plane film).
    r_ahe, r_phe : float, optional
        Anomalous and planar Hall resistances in Ohm (measured separately; fixed in method (d)).
    include_one, max_lag : for :func:`avci` (``include_one`` also for :func:`angular`).
    max_field, r_ane, theta_h_stderr : for :func:`hayashi` (T, Ohm, deg).
    mu0_h_fl, max_sin, theta_m_from : for :func:`angular` (T, -, -).
    free, time_limit : for :func:`macrospin` (time limit in s; None: :data:`TIME_LIMIT`).

    Returns
    -------
    HallResult
    """
    if method == "avci":
        res = avci(scans, mu0_hk=mu0_hk, r_ahe=r_ahe, include_one=include_one, max_lag=max_lag,
                   sample=sample)
        if r_phe is not None:       # it was passed over without a word
            fitted = res.quantities.get("r_phe")
            res.notes.append(f"R_PHE given ({float(getattr(r_phe, 'nominal_value', r_phe)):.4g} "
                             "Ohm) is not used: method (a) fits it from the first harmonic"
                             + (f" ({float(getattr(fitted, 'nominal_value', fitted)):.4g} Ohm)"
                                if fitted is not None else ""))
        return res
    if method == "hayashi":
        return hayashi(scans, r_phe=r_phe, max_field=max_field, r_ane=r_ane,
                       theta_h_stderr=theta_h_stderr, sample=sample)
    if method == "angular":
        return angular(scans, r_ahe=r_ahe, mu0_hk=mu0_hk, r_phe=r_phe,
                       mu0_h_fl=mu0_h_fl, max_sin=max_sin, include_one=include_one,
                       theta_m_from=theta_m_from, sample=sample)
    if method != "macrospin":
        raise ValueError(f"unknown harmonic Hall method {method!r}")
    fixed = {k: v for k, v in (("r_ahe", r_ahe), ("r_phe", r_phe), ("mu0_hk", mu0_hk)) if v is not None}
    return macrospin(scans, fixed=fixed, free=tuple(free), sample=sample,
                     time_limit=TIME_LIMIT if time_limit is None else time_limit)


def sample_posterior(result: HallResult, *, sample: Sample | None = None, **kw) -> HallResult:
    """:func:`sample_macrospin` of a :func:`macrospin` result (keywords passed on), with the
    conversions to efficiencies of ``sample`` added to the posterior quantities."""
    post = sample_macrospin(result, **kw)
    return dataclasses.replace(post, quantities=efficiencies(post.quantities, sample, post.notes))
