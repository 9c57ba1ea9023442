"""Sanity gates of the global macrospin fit (method (d), docs/hall.md "Sanity gates")."""

from __future__ import annotations

import numpy as np

from .common import _no_signal, _nominal
from .gates import _at_bounds, _flag
from .macrospin_start import _film_type, _state_levels, _theta_levels
from .names import _RESULT_NAMES


#: Largest rms misfit of a first harmonic, relative to the largest first-harmonic range of the set.
R1W_MISFIT = 0.02
#: Largest rms misfit of a second harmonic, relative to the largest second-harmonic range of the set
#: (above it the torque fields rest on a model that does not describe the signal that gives them).
R2W_MISFIT = 0.10
#: R_AHE from the global fit and from the first harmonic's levels may differ by at most this factor.
R_AHE_FACTOR = 2.0


def _macrospin_gates(res, q, scans, fixed, rows, stopped, flags, notes):
    """Sanity gates of the global fit (docs/hall.md): convergence, bounds, the sign of H_K against
    the film type, R_AHE against the first harmonic's levels, the misfit of each harmonic."""
    fitted = [_RESULT_NAMES[k] for k in res.varied if k in _RESULT_NAMES and _RESULT_NAMES[k] in q]
    _convergence_gates(res, fitted, stopped, flags, notes)
    _film_gate(q, scans, fixed, flags)
    scale = max(float(np.ptp(s.r1w.y)) for s in scans)
    if "r_ahe" not in fixed and "r_ahe" in q:
        _r_ahe_gate(_nominal(q["r_ahe"]), scans, scale, flags)
    held = "mu0_h_ip" not in res.varied and "mu0_h_ip" not in fixed and \
        any(s.scan == "phi" for s in scans)
    _misfit_gate(rows, 1, scale, R1W_MISFIT, ".1%", fitted, flags, scans,
                 IP_HINT if held else "")
    scale2 = max((float(np.ptp(s.r2w.y)) for s in scans if not _no_signal(s)), default=0.0)
    _misfit_gate(rows, 2, scale2, R2W_MISFIT, ".0%",
                 [k for k in ("mu0_h_dl", "mu0_h_fl_oe", "r_ane", "r_one") if k in q], flags, scans)


def _convergence_gates(res, fitted, stopped, flags, notes) -> None:
    """Flag the fitted quantities of a fit stopped by a limit or not converged, and every quantity
    at a bound of the fit."""
    for why in stopped:
        _flag(flags, fitted, f"global fit did not converge: {why}; the values are not an optimum "
                             "(raise the limit or start closer)")
        notes.append(f"global fit NOT CONVERGED: {why}")
    msg = res.message.split(";")[0].strip()
    if not stopped and not (msg.startswith("Fit succeeded") or msg.startswith("One or more variable")):
        _flag(flags, fitted, f"global fit did not converge ({msg})")
    for name, lo, hi in _at_bounds(res):
        if name in _RESULT_NAMES:
            _flag(flags, [_RESULT_NAMES[name]], f"at a bound of the fit ([{lo:g}, {hi:g}]): the optimum lies "
                                                "outside the allowed range")


def _film_gate(q, scans, fixed, flags) -> None:
    """Flag a fitted mu0_hk_eff (T) whose sign contradicts the film type the data show."""
    film, why = _film_type(scans, fixed)
    hk = q.get("mu0_hk_eff")
    if "mu0_hk" not in fixed and hk is not None and film is not None:
        if (film == "perpendicular") != (_nominal(hk) > 0):
            _flag(flags, ["mu0_hk_eff"], f"sign contradicts the film type: mu0_hk_eff = {_nominal(hk):.3g} T "
                                         f"({'easy plane' if _nominal(hk) <= 0 else 'perpendicular'}) but "
                                         f"{why} show a {film} film")


def _r_ahe_gate(r, scans, scale, flags) -> None:
    """Flag a fitted R_AHE ``r`` (Ohm) unlike the first harmonic's levels (size or sign), or, without
    a level of a known m_z, larger than R_AHE_FACTOR x the largest range ``scale`` (Ohm) of R_1w."""
    sweeps = [s for s in scans if s.scan == "field"]
    thetas = [s for s in scans if s.scan == "theta"]
    levels = _state_levels(sweeps) if sweeps else None
    if levels is not None:
        ref, what = levels[0], "half the jump of R_1w at zero field between the m_z = +1 and -1 states"
    elif thetas:
        ref, what = _theta_levels(thetas), "half the range of R_1w over the xz rotations"
    else:
        ref = None
    if ref is not None and ref != 0:
        ratio = abs(r / ref)
        if not 1 / R_AHE_FACTOR <= ratio <= R_AHE_FACTOR:
            _flag(flags, ["r_ahe"], f"R_AHE = {r:.4g} Ohm is {ratio:.3g} times the first harmonic's scale "
                                    f"({ref:.4g} Ohm, {what}): not what the data show")
        if r * ref < 0:
            _flag(flags, ["r_ahe"], f"sign of R_AHE = {r:.4g} Ohm contradicts the first harmonic "
                                    f"({ref:.4g} Ohm, {what})")
    elif scale > 0 and abs(r) > R_AHE_FACTOR * scale:
        # no level of a known m_z: R_AHE larger than every change of R_1w means m_z never changes
        # by more than 1/R_AHE_FACTOR, and R_AHE rests on the model's m_z alone
        _flag(flags, ["r_ahe"], f"R_AHE = {r:.4g} Ohm is {abs(r) / scale:.3g} times the largest range of "
                                f"R_1w in any scan ({scale:.4g} Ohm): m_z hardly changes in these data, so "
                                "R_AHE rests on the model alone (fix it from a measurement through both "
                                "perpendicular states)")


#: A misfit must exceed the noise of the curve (:func:`_curve_noise`) by this factor: the rms
#: residual of a model that describes the data is the noise.
MISFIT_NOISE = 2.0


def _curve_noise(y) -> float:
    """The noise (Ohm) of a curve ``y`` (in scan order) from its second differences, which a
    smooth signal sampled finely leaves near zero: 1.4826 x their median absolute value /
    sqrt(6) (a normal distribution's standard deviation; the median passes over a switching
    jump or a peak). 0 for fewer than five points."""
    y = np.asarray(y, float)
    if y.size < 5:
        return 0.0
    d2 = y[2:] - 2 * y[1:-1] + y[:-2]
    return float(1.4826 * np.median(np.abs(d2)) / np.sqrt(6.0))


#: What a first-harmonic misfit of in-plane rotations says where the fit holds the in-plane
#: anisotropy at 0: a 4phi part of R_1w at low fields, which it then cannot describe.
IP_HINT = ("; in-plane rotations at low fields are missed so where the film has an in-plane "
           "anisotropy, held at 0 here (--free mu0_h_ip,ip_axis)")


def _misfit_gate(rows, harmonic: int, scale, limit, fmt: str, names, flags, scans=(),
                 hint: str = "") -> None:
    """Flag ``names`` when the rms residual of the ``harmonic`` of a scan exceeds ``limit`` x the
    largest range ``scale`` (Ohm) of that harmonic over the set (fractions shown with ``fmt``)
    and :data:`MISFIT_NOISE` x the noise of the scan's curve (:func:`_curve_noise`): flat first
    harmonics of in-plane sweeps, whose range is the noise, were called missed by 18-20 % of
    it with the residual equal to the noise."""
    key = f"rms_{harmonic}w"
    noise = {}
    for s in scans:
        d = s.r1w if harmonic == 1 else s.r2w
        noise[s.source] = _curve_noise(d.y[np.argsort(d.x, kind="stable")])
    bad = [(row["source"], row[key] / scale) for row in rows
           if row[key] is not None and scale > 0 and row[key] > limit * scale
           and row[key] > MISFIT_NOISE * noise.get(row["source"], 0.0)]
    if not bad:
        return
    shown = ", ".join(f"{src} ({f:{fmt}})" for src, f in bad[:3]) + (f" and {len(bad) - 3} more"
                                                                     if len(bad) > 3 else "")
    which = "first" if harmonic == 1 else "second"
    _flag(flags, names, f"the macrospin model misses the {which} harmonic of {shown}: rms residual above "
                        f"{limit:.0%} of the largest {which}-harmonic range of the set{hint}")
