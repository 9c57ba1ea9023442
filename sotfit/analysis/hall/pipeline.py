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
from .result import UNITS, HallResult
from .gates import _flag
from .sample import Sample, efficiencies

#: A given sample quantity and the one a method measures are said to disagree when they differ
#: by more than this factor (or in sign) and by more than :data:`GIVEN_SIGMAS` standard errors.
GIVEN_FACTOR = 1.2
GIVEN_SIGMAS = 3.0


def compare_given(result: HallResult, name: str, given, what: str) -> None:
    """Set a given value of a sample quantity beside the one the method measured.

    A method that measures the quantity itself does not use the value given; the comparison is
    noted, and the measured quantity is flagged where the two differ in sign, or by more than
    :data:`GIVEN_FACTOR` and :data:`GIVEN_SIGMAS` standard errors of the measured one (a unit
    slip, another sample, a wrong current or gain).

    Parameters
    ----------
    result : HallResult
        The method's result; its ``notes`` and ``flags`` are updated in place.
    name : str
        The measured quantity of ``result.quantities`` (``'r_ahe'`` in Ohm, ``'mu0_hk_eff'``
        in T).
    given : float
        The value given, in the unit of ``name`` (Ohm or T).
    what : str
        How the given value is named in the note ('R_AHE given (--r-ahe)').
    """
    fitted = result.quantities.get(name)
    if fitted is None or given is None:
        return
    g = float(getattr(given, "nominal_value", given))
    v, err = float(getattr(fitted, "nominal_value", fitted)), float(getattr(fitted, "std_dev", 0.0))
    unit = UNITS.get(name, "")
    text = (f"{what}, {g:.4g} {unit}, is not used by method {result.method}, which measures "
            f"{name} = {v:.5g} +/- {err:.2g} {unit}")
    ratio = g / v if v != 0 else float("inf")
    apart = abs(g - v) > GIVEN_SIGMAS * err
    if apart and (ratio <= 0 or not 1 / GIVEN_FACTOR <= ratio <= GIVEN_FACTOR):
        size = ("of the opposite sign" if ratio <= 0 else
                f"{ratio:.3g} times larger" if ratio > 1 else f"{1 / ratio:.3g} times smaller")
        _flag(result.flags, [name], f"{text}: the value given is {size} (beyond a factor "
              f"{GIVEN_FACTOR:g} and {GIVEN_SIGMAS:g} standard errors); a unit slip, another "
              "sample, or a wrong current, gain or channel in the files' reading")
    else:
        result.notes.append(f"{text}; they agree within a factor {GIVEN_FACTOR:g}")


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
               max_sin: float = 0.25, theta_m_from: str = "r1w", r_ohe: float = 0.0,
               free: Sequence[str] = (), time_limit: float | None = None) -> HallResult:
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
    max_field, r_ane, theta_h_stderr : for :func:`hayashi` (T, Ohm, deg); ``r_ahe`` and
        ``mu0_hk``, which method (b) measures, are compared with its values
        (:func:`compare_given`: noted, flagged where they disagree).
    mu0_h_fl, max_sin, theta_m_from, r_ohe : for :func:`angular` (T, -, -, Ohm/T).
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
        res = hayashi(scans, r_phe=r_phe, max_field=max_field, r_ane=r_ane,
                      theta_h_stderr=theta_h_stderr, sample=sample)
        # measured by the sweeps: the values given are compared (R_AHE is the reader's only
        # for its sign, the m_z state of a loop's branches)
        compare_given(res, "r_ahe", r_ahe, "R_AHE given")
        compare_given(res, "mu0_hk_eff", mu0_hk, "mu0H_K,eff given (-mu0*Meff for --meff)")
        return res
    if method == "angular":
        return angular(scans, r_ahe=r_ahe, mu0_hk=mu0_hk, r_phe=r_phe,
                       mu0_h_fl=mu0_h_fl, max_sin=max_sin, include_one=include_one,
                       theta_m_from=theta_m_from, r_ohe=r_ohe, sample=sample)
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
