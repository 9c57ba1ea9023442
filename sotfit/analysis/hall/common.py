"""Helpers shared by the harmonic Hall methods: uncertain values from fits, input checks of the
scans and notes on the fields."""

from __future__ import annotations

import math

from uncertainties import ufloat

from ...io.hall import HallScan
from ...stats import birge_ratio, inflate_error, inverse_variance_mean
from .result import HallAnalysisError


def _u(res, name, birge=False):
    """``res[name]`` as a new ufloat (its own variable), its deviation scaled by the Birge ratio
    of the fit with ``birge``."""
    v, s = res.value(name), res.stderr(name)
    if birge:
        s *= birge_ratio(res)
    return ufloat(v, s, name)


def _u_carried(res, name, values, gain, birge=False):
    """:func:`_u` of a linear fit's parameter that keeps its dependence on the fit's data
    ``values`` (uncertain values, in the order of the fit's points), so that it is correlated
    with other quantities made from the same data.

    The parameter is ``sum_i gain[name][i] values[i]`` (``gain`` from
    :func:`.leastsq._linear_gain`); that combination is scaled to the value and standard
    error :func:`_u` gives (the Birge inflation taken as a common scale of the data's errors,
    which leaves the correlations as they are). Without a gain, or data without errors, it is
    :func:`_u`.
    """
    base = _u(res, name, birge)
    g = None if gain is None else gain.get(name)
    if g is None or len(g) != len(values):
        return base
    lin = sum(float(gi) * v for gi, v in zip(g, values))
    s_lin = getattr(lin, "std_dev", 0.0)
    if not (s_lin > 0 and math.isfinite(s_lin)):
        return base
    return base.nominal_value + (base.std_dev / s_lin) * (lin - lin.nominal_value)


def _nominal(v):
    return float(getattr(v, "nominal_value", v))


def _ub(res, name):
    """``res[name]`` keeping its correlations with the other parameters of the fit, its deviation
    scaled by sqrt(reduced chi-square) when that exceeds 1 (Birge)."""
    v = res[name]
    factor = birge_ratio(res)
    return inflate_error(v, factor) if factor != 1.0 else v


def _wmean(values, tag):
    """Inverse-variance mean of ufloats (:func:`sotfit.stats.inverse_variance_mean`)."""
    return inverse_variance_mean(values)


def _no_signal(s, harmonic: str = "r2w"):
    """The reader's reason when the scan's ``harmonic`` column is constant (not recorded), else None."""
    return s.meta.get("no_signal", {}).get(harmonic)


def _doubtful_fields(scans, threshold=0.05) -> list[str]:
    """What makes the fields of ``scans`` doubtful: uncertain by more than ``threshold`` (a
    magnet calibration whose trials disagree at low current), or extrapolated beyond the
    calibration (allowed explicitly); the 1/H laws and the global fit are sensitive to both."""
    out = []
    bad = [(s.meta["field"], s.meta.get("field_stderr", 0.0)) for s in scans
           if s.meta.get("field") and s.meta.get("field_stderr", 0.0) > threshold * abs(s.meta["field"])]
    if bad:
        out.append("field uncertain by more than 5 % (calibration) at " + ", ".join(
            f"{b * 1e3:.3g} +/- {e * 1e3:.2g} mT" for b, e in bad) + ": results leaning on these fields "
            "inherit that systematic error (not included in the standard errors)")
    beyond = sorted({round(abs(s.meta["field"]) * 1e3, 4) for s in scans
                     if s.meta.get("calibration_extrapolated") and s.meta.get("field") is not None})
    if beyond:
        out.append("field extrapolated linearly beyond the magnet calibration (allowed "
                   f"explicitly) at {', '.join(f'{b:g}' for b in beyond)} mT: results leaning "
                   "on these fields inherit the extrapolation's systematic error (not included "
                   "in the standard errors)")
    return out


def _field_notes(scans, notes, threshold=0.05):
    """Note the scans whose fields are doubtful (:func:`_doubtful_fields`)."""
    notes.extend(_doubtful_fields(scans, threshold))


def _theta_h_notes(scans, notes: list) -> None:
    """Note the field sweeps read at theta_h = 90 deg (in the film plane) because no option,
    column or preamble entry gave their field's polar angle (reader's meta
    ``theta_h_assumed``): H_K and the torque fields of a tilted field scale with sin(theta_h)."""
    assumed = sorted(s.source for s in scans if s.scan == "field" and s.meta.get("theta_h_assumed"))
    if assumed:
        notes.append(f"theta_h = 90 deg assumed (the field in the film plane) for {len(assumed)} "
                     "sweep(s) that do not give the field's polar angle: give it where the field is "
                     "tilted (--theta-h; a column or a preamble entry 'theta_H (deg): 80')")


def _check_scans(scans, kind, method):
    scans = list(scans)
    if not scans:
        raise HallAnalysisError(f"method {method}: no scans given")
    for s in scans:
        if not isinstance(s, HallScan):
            raise TypeError(f"method {method} takes HallScan objects (sotfit.io.hall.read_hall_table)")
        if s.scan != kind:
            raise HallAnalysisError(f"method {method} needs {kind} scans; {s.source} is a {s.scan} scan")
        _require_first_harmonic(s, method)
    return scans


def _require_first_harmonic(s, method):
    """Every method needs the first harmonic (angles of m, R_AHE, R_PHE): a constant one is refused."""
    reason = _no_signal(s, "r1w")
    if reason:
        raise HallAnalysisError(f"method {method}: {s.source}: {reason}; the first harmonic is needed")
