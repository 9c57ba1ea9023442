"""Sanity gates shared by the harmonic Hall methods: flags attached to the quantities they doubt
(docs/hall.md, "Sanity gates")."""

from __future__ import annotations

import math

import numpy as np
from uncertainties import ufloat

from .common import _nominal
from .leastsq import _at_bound, _param_bounds


#: The torque fields whose sign the zero-consistency gate checks.
_TORQUES = ("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl")
#: A torque field within this many standard errors of zero has no determined sign (flagged).
ZERO_SIGMAS = 2.0


def _flag(flags: dict, names, reason: str) -> None:
    """Record ``reason`` for each quantity in ``names`` (once)."""
    for n in names:
        lst = flags.setdefault(n, [])
        if reason not in lst:
            lst.append(reason)


#: Probability of a correct model with correct errors exceeding the reduced chi-square limit.
REDCHI_FALSE_ALARM = 1e-3


def _flag_redchi(flags: dict, names, fit, what: str) -> None:
    """:func:`sotfit.flags.flag_redchi` on the quantities ``names`` of one weighted fit.

    The limit is :data:`sotfit.flags.REDCHI_LIMIT`, raised for few degrees of freedom to the value
    a correct model exceeds with probability :data:`REDCHI_FALSE_ALARM` (chi-square distribution):
    with 2 degrees of freedom a reduced chi-square above 5 happens by chance 0.7 % of the time.
    """
    from scipy.stats import chi2

    from ...flags import REDCHI_LIMIT, flag_redchi

    dof = fit.ndata - fit.nvarys
    if dof < 1:
        return
    limit = max(REDCHI_LIMIT, float(chi2.isf(REDCHI_FALSE_ALARM, dof)) / dof)
    stand_in = {}
    if flag_redchi([stand_in], fit.redchi, f"{what} ({dof} degrees of freedom)", limit=limit):
        _flag(flags, names, stand_in["flags"][0])


def _flag_disagreement(flags: dict, names, a, b, label_a: str, label_b: str) -> float | None:
    """:func:`sotfit.flags.flag_disagreement` of two estimates ``a``, ``b`` (ufloats) of the
    quantities ``names`` (their combination); returns the distance in standard errors."""
    from ...flags import flag_disagreement

    qa = {"value": _nominal(a), "stderr": float(getattr(a, "std_dev", 0.0))}
    qb = {"value": _nominal(b), "stderr": float(getattr(b, "std_dev", 0.0))}
    z = flag_disagreement(qa, qb, label_a, label_b)
    for reason in qa.get("flags", []):
        _flag(flags, names, reason)
    return z


def _undetermined() -> "ufloat":
    """A quantity the data do not determine: 0 with a standard error that is not a number."""
    return ufloat(0.0, math.nan)


def _zero_gate(q: dict, flags: dict) -> None:
    """Flag torque fields consistent with zero (|value| < ZERO_SIGMAS standard errors)."""
    for k in _TORQUES:
        v = q.get(k)
        if v is None or not hasattr(v, "std_dev"):
            continue
        n, s = float(v.nominal_value), float(v.std_dev)
        if math.isfinite(s) and s > 0 and abs(n) < ZERO_SIGMAS * s:
            _flag(flags, [k], f"consistent with zero ({n:.3g} +/- {s:.2g}, within {ZERO_SIGMAS:g} "
                              "standard errors): the data do not determine its sign")


def _at_bounds(fit) -> list:
    """``(name, lo, hi)`` of the varied parameters of a FitResult at (or numerically at) a bound."""
    bounds = _param_bounds(fit)
    out = []
    for n in fit.varied:
        lo, hi = bounds.get(n, (-np.inf, np.inf))
        if _at_bound(fit.value(n), lo, hi):
            out.append((n, lo, hi))
    return out
