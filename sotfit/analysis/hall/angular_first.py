"""The first harmonic of xz rotations (method (c)): the angle of m, R_AHE and the anisotropy field."""

from __future__ import annotations

import numpy as np

from ...fitting import fit_global
from ...models.harmonic_hall import HALL_MODELS
from .common import _nominal
from .leastsq import _polish


def _pole_difference(thetas, theta0=0.0):
    """Mean R_1w with the field nearest +z minus that nearest -z over xz rotations (Ohm): its sign is
    the sign of R_AHE."""
    up = np.mean([s.r1w.y[np.argmax(np.cos(np.radians(s.r1w.x - theta0)))] for s in thetas])
    down = np.mean([s.r1w.y[np.argmin(np.cos(np.radians(s.r1w.x - theta0)))] for s in thetas])
    return float(up - down)


#: A field angle within this of a pole (rad) is at the pole: below any angle a rotator sets,
#: above the rounding of an angle written with ten digits (-3.141592654 for -180 deg).
POLE_TOLERANCE = 1e-9


def _sides(th_h) -> np.ndarray:
    """The sign of sin(theta_M) along a rotation (field angles ``th_h`` in rad, in the order of
    the scan): that of sin(theta_H), and at a pole (within :data:`POLE_TOLERANCE`) the side the
    rotation reaches it from: the one-sided limit at an end of the scan (-180 deg reached from
    -178, 180 from 178), 0 where the scan passes through it (neighbours on both sides). The
    last bit of the angle does not decide it: sin(-pi) = -1.2e-16, but -180 deg written as
    -3.141592654 rad gives +2.1e-10, and a scan starting at 180 instead of -180 gives +1.2e-16.
    """
    s = np.sin(th_h)
    side = np.sign(np.where(np.abs(s) < POLE_TOLERANCE, 0.0, s))
    for i in np.flatnonzero(side == 0):
        around = {side[j] for j in (i - 1, i + 1) if 0 <= j < side.size and side[j] != 0}
        side[i] = around.pop() if len(around) == 1 else 0.0
    return side


def _angular_scan(s, r_ahe, offset, hk_eq, theta0, r_ohe, theta_m_from, max_sin):
    """sin(theta_M) of one xz rotation and the anisotropy field from its equilibrium condition
    mu0H sin(theta_H - theta_M) = mu0H_K sin(theta_M) cos(theta_M) (None if too few points away from
    the poles). theta_M from cos(theta_M) = (R_1w - offset - r_ohe B_z)/R_AHE, or from the macrospin
    equilibrium with ``hk_eq`` when ``theta_m_from == 'equilibrium'``."""
    b = s.meta["field"]
    th_h = np.radians(s.r1w.x - theta0)
    r1 = s.r1w.y - r_ohe * b * np.cos(th_h)
    if theta_m_from == "equilibrium":
        from ...models.harmonic_hall import scan_fields
        from ...models.macrospin import equilibrium as _eq

        mm = _eq(scan_fields(s.r1w.x, "theta", field=b, phi_h=s.meta.get("phi_h", 0.0), theta0=theta0), hk_eq)
        sin_m, c = mm[:, 0] * np.sign(np.cos(np.radians(s.meta.get("phi_h", 0.0)))), mm[:, 2]
    else:
        c = np.clip((r1 - offset) / r_ahe, -1, 1)
        sin_m = _sides(th_h) * np.sqrt(1 - c * c)
    th_m = np.arctan2(sin_m, c)
    sel = (np.abs(np.sin(2 * th_m)) > 0.3)
    hk = None
    if sel.sum() >= 3:
        y = b * np.sin(th_h[sel] - th_m[sel])
        xx = np.sin(th_m[sel]) * np.cos(th_m[sel])
        hk = float(np.dot(xx, y) / np.dot(xx, xx))
    return sin_m, hk


def _angular_first_harmonic(scans, r_ahe, mu0_hk, r_phe, mu0_h_fl, mu0_h_dl, r_ane, r_ohe, theta0,
                            r_ahe0, hk0, init=None):
    """Fit of the first harmonics of xz rotations with the macrospin model (hall_r1w_theta):
    R_AHE and mu0_hk (unless given), one offset per rotation, the tilt of the field about y (a polar
    angle offset, as in method (d); theta0 stays as given) and, when R_PHE is not zero, the azimuth
    offset phi0 and the tilt about x (they enter R_1w only
    through the planar Hall term). The current-induced fields and r_ane are held at the values
    given (second order in the current). Returns the FitResult (errors from the scatter)."""
    data = [s.r1w.replace(meta={"field": float(s.meta["field"]), "phi_h": float(s.meta.get("phi_h", 0.0))})
            for s in scans]
    model = HALL_MODELS[(1, "theta")]
    nom = _nominal
    with_phe = nom(r_phe) != 0
    fixed = {"r_phe": nom(r_phe), "mu0_h_fl": nom(mu0_h_fl), "mu0_h_dl": nom(mu0_h_dl), "r_ane": nom(r_ane),
             "r_ohe": float(r_ohe), "theta0": float(theta0)}
    if r_ahe is not None:
        fixed["r_ahe"] = float(r_ahe)
    if mu0_hk is not None:
        fixed["mu0_hk"] = float(mu0_hk)
    if not with_phe:
        fixed.update(phi0=0.0, tilt_x=0.0)
    start = {"r_ahe": r_ahe0, "mu0_hk": hk0, "phi0": 0.0, "tilt_x": 0.0, "tilt_y": 0.0}
    if init is not None:
        start.update({k: init.value(k) for k in init.params})
    start.update({k: v for k, v in fixed.items()})
    if init is None:
        for i, s in enumerate(scans):
            start[f"offset_{i}"] = 0.5 * (float(np.max(s.r1w.y)) + float(np.min(s.r1w.y)))
    shared = [p.name for p in model.params if p.name != "offset"]
    return _polish(fit_global(data, [model] * len(data), shared=shared, init=start, fixed=fixed,
                              free=("tilt_y",) + (("tilt_x",) if with_phe else ()), guess=False, warn=False))
