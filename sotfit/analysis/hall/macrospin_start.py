"""Starting values of the global macrospin fit (method (d)) from the data, and the film type and
first-harmonic levels its sanity gates compare with."""

from __future__ import annotations

import math

import numpy as np

from ...models.harmonic_hall import avci_r1w
from .angular import XZ_TOLERANCE, angular
from .angular_first import _pole_difference
from .avci import _phi0_branch
from .common import _nominal
from .hayashi import hayashi
from .leastsq import _fit_quiet
from .result import HallAnalysisError


def _film_type(scans, fixed):
    """The film type shown by the fixed anisotropy field or by the data, and the evidence.

    Returns
    -------
    (str or None, str)
        ``'perpendicular'``, ``'in-plane'`` or None (not known), and the reason in words.
    """
    hk = fixed.get("mu0_hk")
    if hk is not None:
        return ("perpendicular" if hk > 0 else "in-plane"), f"mu0_hk = {hk:g} T given"
    states = sorted({int(s.meta.get("mz_state", 0)) for s in scans if s.scan == "field"} - {0})
    if states:
        return "perpendicular", ("field sweeps labelled with the perpendicular state(s) m_z = "
                                 + ", ".join(f"{st:+d}" for st in states)
                                 + " (a remanent perpendicular magnetisation)")
    return None, ""


def _state_levels(sweeps):
    """R_1w at zero field in each perpendicular state, from the sweeps through zero field.

    Returns
    -------
    (float, float) or None
        R_AHE = half the jump between the m_z = +1 and -1 levels (Ohm, signed: the sign of the
        Hall voltage belongs to the wiring) and the offset = their mean (Ohm); None without
        sweeps through zero field in both states.
    """
    lev = {1: [], -1: []}
    for s in sweeps:
        st = int(s.meta.get("mz_state", 0))
        x = s.r1w.x
        if st in lev and x.min() <= 0.0 <= x.max():
            o = np.argsort(x)
            lev[st].append(float(np.interp(0.0, x[o], s.r1w.y[o])))
    if not lev[1] or not lev[-1]:
        return None
    up, down = float(np.mean(lev[1])), float(np.mean(lev[-1]))
    return 0.5 * (up - down), 0.5 * (up + down)


def _hk_from_levels(sweeps, r_ahe, offset):
    """Start value of mu0_hk (T, > 0) of a perpendicular film from the first harmonic of its sweeps.

    With the field at theta_h and m near s z, the in-plane field tilts m to sin(theta_M) =
    H sin(theta_h)/H_K (Stoner-Wohlfarth, exact for an in-plane field below H_K) while
    m_z = s cos(theta_M) = (R_1w - offset)/R_AHE: the median of H sin(theta_h)/sqrt(1 - m_z^2)
    over the points with 0.3 < s m_z < 0.95. None without such points.
    """
    est = []
    for s in sweeps:
        st = int(s.meta.get("mz_state", 0))
        if st == 0:
            continue
        mz = st * (s.r1w.y - offset) / r_ahe
        sel = (mz > 0.3) & (mz < 0.95)
        sin_h = abs(math.sin(math.radians(float(s.meta.get("theta_h", 90.0)))))
        est.extend(np.abs(s.r1w.x[sel]) * sin_h / np.sqrt(1.0 - mz[sel] ** 2))
    return float(np.median(est)) if est else None


def _theta_levels(thetas):
    """R_AHE (Ohm, signed) from xz rotations through both poles: half the range of R_1w, with the
    sign of R_1w(field near +z) - R_1w(field near -z)."""
    r1all = np.concatenate([s.r1w.y for s in thetas])
    return math.copysign(0.5 * float(r1all.max() - r1all.min()), _pole_difference(thetas))


def _start_values(scans, fixed, notes):
    """Starting values of the global fit from the data (docs/hall.md, method (d)): R_PHE and phi0
    from the in-plane rotation at the highest field, R_AHE from the first harmonic's saturation
    levels (the two perpendicular states at zero field, or the poles of xz rotations), H_K and the
    torques from methods (c) and (b) where they apply, and a positive H_K for a perpendicular film.
    """
    start = {}
    kinds = {s.scan for s in scans}
    phis = [s for s in scans if s.scan == "phi"]
    thetas = [s for s in scans if s.scan == "theta"]
    sweeps = [s for s in scans if s.scan == "field"]
    if phis:
        top = max(phis, key=lambda s: abs(s.meta["field"]))
        r1, _ = _fit_quiet(top.r1w, avci_r1w)
        start["phi0"], start["r_phe"] = _phi0_branch(r1.value("phi0"), r1.value("r_phe"))
    if thetas:
        start["r_ahe"] = _theta_levels(thetas)
        # method (c) takes xz rotations alone: given the yz ones too it refused them all, and the
        # note of (d) told to use --method macrospin
        xz = [s for s in thetas if abs(math.sin(math.radians(float(s.meta.get("phi_h", 0.0)))))
              <= XZ_TOLERANCE]
        try:
            if xz:
                a = angular(xz, r_phe=0.0, check_ohe=False)
                start["mu0_hk"] = _nominal(a.quantities["mu0_hk_eff"])
                start["mu0_h_dl"] = _nominal(a.quantities["mu0_h_dl"])
                start["r_ane"] = _nominal(a.quantities["r_ane"])
        except (HallAnalysisError, ValueError) as exc:
            notes.append(f"start values: method (c) not usable on the xz rotations ({exc})")
    levels = _state_levels(sweeps) if sweeps else None
    if sweeps:
        if levels is not None and "r_ahe" not in start:
            start["r_ahe"] = levels[0]
        through_zero = [s for s in sweeps if int(s.meta.get("mz_state", 0)) in (1, -1)
                        and s.r1w.x.min() < 0.0 < s.r1w.x.max()]
        try:
            h = hayashi(through_zero, r_phe=start.get("r_phe", 0.0))
            start.setdefault("mu0_hk", _nominal(h.quantities["mu0_hk_eff"]))
            start.setdefault("r_ahe", _nominal(h.quantities["r_ahe"]))
            for k in ("mu0_h_fl_oe", "mu0_h_dl"):
                if math.isfinite(h.quantities[k].std_dev):
                    start.setdefault(k.replace("_oe", ""), _nominal(h.quantities[k]))
        except (HallAnalysisError, ValueError) as exc:
            notes.append(f"start values: method (b) not usable ({exc})")
    film, _ = _film_type(scans, fixed)
    if film == "perpendicular" and "mu0_hk" not in fixed and not start.get("mu0_hk", 0.0) > 0:
        hk = _hk_from_levels(sweeps, *levels) if levels is not None and levels[0] != 0 else None
        if hk is None:
            hk = max([float(np.max(np.abs(s.r1w.x))) for s in sweeps], default=1.0)
        start["mu0_hk"] = hk
        notes.append(f"start value mu0_hk = {hk:.3g} T (perpendicular film) from the tilt of m in the first "
                     "harmonic of the sweeps")
    if kinds == {"phi"}:
        missing = [k for k in ("r_ahe", "mu0_hk") if k not in fixed]
        if missing:
            raise HallAnalysisError(
                "method (d) with in-plane rotations only: R_AHE and the anisotropy field enter only "
                f"through R_AHE H_DL/(H - H_K); fix {missing} (e.g. --r-ahe, --meff measured separately)")
    return start
