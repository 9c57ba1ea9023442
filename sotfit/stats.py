"""Error inflation by the Birge ratio, the one place both pipelines take it from.

A weighted fit whose reduced chi-square exceeds 1 has data scattered about the model more
than their stated errors allow (the errors are understated, or the model misses the data).
The Birge ratio sqrt(reduced chi-square) (Birge, Phys. Rev. 40, 207 (1932); the Particle
Data Group's scale factor) is the factor by which its standard errors are then inflated.
"""

from __future__ import annotations

import math

__all__ = ["birge_ratio", "inflate_error"]


def birge_ratio(result) -> float:
    """sqrt(reduced chi-square) of a weighted fit when it exceeds 1, else 1 (dimensionless).

    Parameters
    ----------
    result : FitResult
        Any result with ``redchi`` (dimensionless) and ``errors_scaled``.

    Returns
    -------
    float
        The factor (>= 1) for the fit's standard errors. A fit whose errors were already
        estimated from the scatter (``errors_scaled``) is not scaled again, a non-finite
        reduced chi-square gives 1, and errors are never shrunk.
    """
    r = float(result.redchi)
    if getattr(result, "errors_scaled", False) or not math.isfinite(r) or r <= 1.0:
        return 1.0
    return math.sqrt(r)


def inflate_error(u, factor: float):
    """``u`` with its standard error (and its covariances with every other quantity)
    multiplied by ``factor`` (dimensionless), the nominal value unchanged.

    Parameters
    ----------
    u : uncertainties value or float
        In any unit; a float is returned unchanged.
    factor : float
        E.g. :func:`birge_ratio` of the fit ``u`` came from.
    """
    n = getattr(u, "nominal_value", u)
    return n + (u - n) * factor
