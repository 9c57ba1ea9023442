"""Uncertainties carried from the spectra to the dispersion fits.

The Kittel and linewidth parameters are returned as linear functions of the per-spectrum
``uncertainties`` values (:func:`propagate_fit`, the linearised least-squares estimator
theta = theta_hat + J (y - y_hat)), so that quantities combining a spectrum's H_res with M_eff
(xi_FMR) see their correlation. When a fit's reduced chi-square exceeds 1 the propagated
covariance is inflated by it (Birge ratio), the extra part added as a correlated, independent
term.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...results import FitResult


__all__ = [
    "propagate_fit",
]


def _nominal(u):
    """The nominal value of an uncertain number, or the number itself, as float."""
    return float(getattr(u, "nominal_value", u))


def _weighted_sum(coefs, y: Sequence):
    """``sum_n coefs[n] (y[n] - nominal(y[n]))``: with uncertainties values, one linear
    combination of the inputs' linear parts (the sum made term by term builds and expands a
    chain of n partial sums); the same derivatives, nominal value 0."""
    try:
        from uncertainties.core import AffineScalarFunc, LinearCombination
    except ImportError:     # pragma: no cover - a later layout of uncertainties
        AffineScalarFunc = None
    if AffineScalarFunc is None or not all(isinstance(v, AffineScalarFunc) for v in y):
        return sum(float(c) * (v - _nominal(v)) for c, v in zip(coefs, y))
    return AffineScalarFunc(0.0, LinearCombination(
        [(c, v._linear_part) for c, v in zip(coefs.tolist(), y)]))


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
        val = base[k] + _weighted_sum(jy[j], y) + extra[j]
        for jc, dc in const_terms:
            val = val + float(jc[j]) * dc
        out[k] = val
    for k in m.param_names:
        if k not in out:
            out[k] = constants.get(k, base[k])
    return out
