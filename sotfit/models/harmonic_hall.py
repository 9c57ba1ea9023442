"""Harmonic Hall forward model: first and second harmonic Hall resistances of a macrospin.

Definitions (docs/hall.md, docs/CONVENTIONS.md)
-----------------------------------------------
Current I(t) = I0 sin(wt) along +x, film normal +z, sigma = +y.

* Hall resistance of the equilibrium state::

      R_xy(m) = R_AHE m_z + R_PHE sin^2(theta) sin(2 phi) + R_OHE B_z
              = R_AHE m_z + 2 R_PHE m_x m_y + R_OHE B_z

  (R_PHE as in Avci et al., PRB 90, 224427 (2014) eq. (1) and Hayashi et al.,
  PRB 89, 144425 (2014) eq. (1); xi = R_PHE/R_AHE is Hayashi's ratio).
  First harmonic: R_1w = R_xy(m0) + offset.

* Current-induced fields at the peak current I0 (CONVENTIONS.md, as in the ST-FMR pipeline)::

      dB = mu0_h_dl (m x sigma) + mu0_h_fl sigma,  sigma = y,

  mu0_h_fl includes the Oersted field of the current in the spin-source layer.

* Second harmonic, defined as R_2w = -V_2w,cos / I0, the 2w voltage component along
  cos(2wt) divided by the current amplitude, which for a Hall resistance modulated by
  the current is::

      R_2w = (1/2) grad_m R_xy . dm  -  r_ane m_x  -  r_one B_x  +  offset

  with dm the static linear response of m to dB (:func:`sotfit.models.macrospin.linear_response`).
  The thermal terms follow seed 003_010c0338986411e7.txt (main text, the out-of-plane
  formula dR_2w/d(sin theta_M) = -R_ANE - ...): anomalous Nernst (and spin Seebeck)
  ~ m_x with coefficient -r_ane, ordinary Nernst ~ B_x with coefficient -r_one (Ohm/T).
  Avci's R_grad(T) of the cos(phi) term equals -r_ane.

Geometry of a scan
------------------
* ``phi`` scans: x is the rotator reading phi (deg); field magnitude ``field`` (T) at
  polar angle ``theta_h`` (deg, 90 = in plane);
* ``theta`` scans: x is the polar reading theta (deg) in the plane at azimuth ``phi_h``;
* ``field`` scans: x is the signed field (T) along (``theta_h``, ``phi_h``); ``mz_state``
  selects the branch (+1/-1 follow m_z = +-1, 0 the global minimum).

Misalignment: phi_H = phi_reading - phi0, theta_H = theta_reading - theta0, then the
field direction is rotated by tilt_x about x and tilt_y about y (sample not flat).
"""

from __future__ import annotations

from collections import OrderedDict
from functools import partial

import numpy as np

from .macrospin import driven_state, equilibrium, field_vector, linear_response
from .harmonic_hall_forms import (  # noqa: F401 - the textbook forms, importable from here
    TEXTBOOK_MODELS, _R_ANE, _R_ONE, angular_slope_field, avci_cos_field, avci_fl_field, avci_r1w,
    avci_r2w, hall_line, hall_parabola,
)
from .spec import ModelSpec, Param, Reference

__all__ = [
    "scan_fields",
    "hall_harmonics",
    "r1w_phi", "r2w_phi", "r1w_theta", "r2w_theta", "r1w_field", "r2w_field",
    "HALL_MODELS",
]

_SIGMA = np.array([0.0, 1.0, 0.0])
_CACHE: "OrderedDict[tuple, tuple]" = OrderedDict()
_HCACHE: "OrderedDict[tuple, tuple]" = OrderedDict()
_CACHE_SIZE = 16


def _rot(tilt_x, tilt_y):
    a, b = np.radians(tilt_x), np.radians(tilt_y)
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    return rx @ ry


def scan_fields(x, scan, field=None, theta_h=90.0, phi_h=0.0, phi0=0.0, theta0=0.0,
                tilt_x=0.0, tilt_y=0.0):
    """Field vectors (N, 3) in T for a scan.

    Parameters
    ----------
    x : array_like
        Scan variable: angle reading in deg (``scan='phi'`` or ``'theta'``) or field in T
        (``scan='field'``).
    scan : {'phi', 'theta', 'field'}
    field : float
        Field magnitude in T for angle scans.
    theta_h, phi_h : float
        Fixed polar / azimuthal readings in deg.
    phi0, theta0 : float
        Reading offsets in deg: phi_H = phi - phi0, theta_H = theta - theta0.
    tilt_x, tilt_y : float
        Small rotations of the field direction about x and y, in deg.
    """
    x = np.asarray(x, float)
    if scan == "phi":
        b = field_vector(field, theta_h - theta0, x - phi0)
    elif scan == "theta":
        b = field_vector(field, x - theta0, phi_h - phi0)
    elif scan == "field":
        b = field_vector(x, theta_h - theta0, phi_h - phi0)
    else:
        raise ValueError(f"unknown scan type {scan!r}; use 'phi', 'theta' or 'field'")
    if tilt_x or tilt_y:
        b = b @ _rot(tilt_x, tilt_y).T
    return b


def _equilibrium_cached(b, mu0_hk, mu0_h_ip, ip_axis, state):
    key = (b.tobytes(), float(mu0_hk), float(mu0_h_ip), float(ip_axis),
           np.asarray(state, float).tobytes())
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    m = equilibrium(b, mu0_hk, mu0_h_ip, ip_axis, state=state)
    _CACHE[key] = m
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return m


def hall_harmonics(b, r_ahe, r_phe, mu0_hk, mu0_h_dl=0.0, mu0_h_fl=0.0, r_ane=0.0, r_one=0.0,
                   r_ohe=0.0, mu0_h_ip=0.0, ip_axis=0.0, state=None, parts=False, exact=True):
    """First and second harmonic Hall resistances for field vectors ``b``.

    Parameters
    ----------
    b : ndarray, shape (N, 3)
        Applied field mu0*H in T.
    r_ahe, r_phe : float
        Anomalous and planar Hall resistances in Ohm (definition in the module doc).
    mu0_hk : float
        Effective perpendicular anisotropy field in T (negative: easy plane, -mu0*M_eff).
    mu0_h_dl, mu0_h_fl : float
        Damping-like and field-like (+ Oersted) fields at the peak current, in T.
    r_ane : float
        Anomalous Nernst coefficient in Ohm (R_2w contains -r_ane m_x).
    r_one : float
        Ordinary Nernst coefficient in Ohm/T (R_2w contains -r_one B_x).
    r_ohe : float
        Ordinary Hall coefficient in Ohm/T (R_1w contains r_ohe B_z).
    mu0_h_ip, ip_axis : float
        In-plane uniaxial anisotropy field (T) and easy-axis azimuth (deg).
    state : None or array_like
        Branch selection, see :func:`sotfit.models.macrospin.equilibrium`.
    parts : bool
        Also return a dict of the separate contributions to R_2w (``dl``, ``fl``,
        ``ane``, ``one``, in the linear response) and ``m``.
    exact : bool
        True (default): solve the torque balance at the peak currents +-I0 and demodulate, which
        keeps the terms of second and third order in the current: they shift R_1w by
        (3/8)(R(+I0) + R(-I0) - 2 R(0)), of order R_AHE (H_DL/H_K)^2, and the current-driven
        oscillation of m_x turns the anomalous Nernst voltage (~ I^2 m_x) into a first-harmonic
        term -(3/4) r_ane (m_x(+I0) - m_x(-I0)); both are visible at high signal-to-noise, and
        exact for R(j) up to cubic order in j = I/I0. False: first-order linear response only
        (R_1w = R_xy(m0)).

    Returns
    -------
    r1w, r2w : ndarray (Ohm)
    parts : dict, optional
    """
    if not parts:
        key = (b.tobytes(), np.asarray(state, float).tobytes(), r_ahe, r_phe, mu0_hk, mu0_h_dl,
               mu0_h_fl, r_ane, r_one, r_ohe, mu0_h_ip, ip_axis, exact)
        hit = _HCACHE.get(key)
        if hit is None:
            hit = _hall_harmonics(b, r_ahe, r_phe, mu0_hk, mu0_h_dl, mu0_h_fl, r_ane, r_one, r_ohe,
                                  mu0_h_ip, ip_axis, state, False, exact)
            _HCACHE[key] = hit
            if len(_HCACHE) > _CACHE_SIZE:
                _HCACHE.popitem(last=False)
        return hit
    return _hall_harmonics(b, r_ahe, r_phe, mu0_hk, mu0_h_dl, mu0_h_fl, r_ane, r_one, r_ohe,
                           mu0_h_ip, ip_axis, state, True, exact)


def _hall_harmonics(b, r_ahe, r_phe, mu0_hk, mu0_h_dl, mu0_h_fl, r_ane, r_one, r_ohe, mu0_h_ip,
                    ip_axis, state, parts, exact):
    m = _equilibrium_cached(b, mu0_hk, mu0_h_ip, ip_axis, state)
    r1w = r_ahe * m[:, 2] + 2 * r_phe * m[:, 0] * m[:, 1] + r_ohe * b[:, 2]

    def grad_dot(dm):
        return 0.5 * (r_ahe * dm[:, 2] + 2 * r_phe * (m[:, 0] * dm[:, 1] + m[:, 1] * dm[:, 0]))

    if parts:
        dl = grad_dot(linear_response(m, b, mu0_h_dl * np.cross(m, _SIGMA), mu0_hk, mu0_h_ip, ip_axis))
        fl = grad_dot(linear_response(m, b, np.broadcast_to(mu0_h_fl * _SIGMA, b.shape), mu0_hk,
                                      mu0_h_ip, ip_axis))
        ane = -r_ane * m[:, 0]
        one = -r_one * b[:, 0]
        return r1w, dl + fl + ane + one, {"dl": dl, "fl": fl, "ane": ane, "one": one, "m": m}
    thermal = -r_ane * m[:, 0] - r_one * b[:, 0]
    if exact and (mu0_h_dl != 0.0 or mu0_h_fl != 0.0):
        # R(j) at j = I/I0 = +1 and -1 from the torque balance; for R(j) = R0 + a j + b j^2 + c j^3
        # the lock-in gives R_1w = R0 + 3b/4 and R_2w = (a + c)/2, i.e. the expressions below.
        mp = driven_state(m, b, mu0_hk, mu0_h_ip, ip_axis, mu0_h_dl, mu0_h_fl)
        mm = driven_state(m, b, mu0_hk, mu0_h_ip, ip_axis, -mu0_h_dl, -mu0_h_fl)
        rp, rm, r0 = _rxy(mp, r_ahe, r_phe), _rxy(mm, r_ahe, r_phe), _rxy(m, r_ahe, r_phe)
        # thermal voltage V = -(2 r_ane/I0) m_x(j) I^2 (+ ordinary Nernst): its 2w part uses the
        # current-averaged m_x, and the oscillation of m_x gives a 1w part -(3/4) r_ane (m_x+ - m_x-)
        r1 = r1w + 0.375 * (rp + rm - 2 * r0) - 0.75 * r_ane * (mp[:, 0] - mm[:, 0])
        r2 = 0.25 * (rp - rm) - 0.5 * r_ane * (mp[:, 0] + mm[:, 0]) - r_one * b[:, 0]
        return r1, r2
    db = mu0_h_dl * np.cross(m, _SIGMA) + mu0_h_fl * _SIGMA[None, :]
    dm = linear_response(m, b, db, mu0_hk, mu0_h_ip, ip_axis)
    return r1w, grad_dot(dm) + thermal


def _rxy(m, r_ahe, r_phe):
    return r_ahe * m[:, 2] + 2 * r_phe * m[:, 0] * m[:, 1]


# ---------------------------------------------------------------- ModelSpecs
_COMMON = (
    Param("r_ahe", "Ohm", 1.0, doc="anomalous Hall resistance R_AHE (R_xy = R_AHE m_z + ...)"),
    Param("r_phe", "Ohm", 0.1, doc="planar Hall resistance R_PHE (R_xy contains R_PHE sin^2(theta) sin(2phi))"),
    Param("mu0_hk", "T", -1.0, (-20.0, 20.0),
          doc="effective perpendicular anisotropy field mu0*H_K,eff (negative: easy plane, -mu0*Meff)"),
    Param("mu0_h_ip", "T", 0.0, (-1.0, 1.0), doc="in-plane uniaxial anisotropy field", vary=False),
    Param("ip_axis", "deg", 0.0, (-180.0, 180.0), doc="azimuth of the in-plane easy axis", vary=False),
    Param("phi0", "deg", 0.0, (-180.0, 180.0), doc="azimuth reading at which the field is along +x"),
    Param("theta0", "deg", 0.0, (-30.0, 30.0), doc="polar reading at which the field is along +z", vary=False),
    Param("tilt_x", "deg", 0.0, (-20.0, 20.0), doc="misalignment: rotation of the field about x", vary=False),
    Param("tilt_y", "deg", 0.0, (-20.0, 20.0), doc="misalignment: rotation of the field about y", vary=False),
    Param("r_ohe", "Ohm/T", 0.0, doc="ordinary Hall coefficient (R_1w contains r_ohe*B_z)", vary=False),
)
_SECOND = (
    Param("mu0_h_dl", "T", 0.0, (-1.0, 1.0), doc="damping-like field at peak current, mu0*H_DL (m x sigma)"),
    Param("mu0_h_fl", "T", 0.0, (-1.0, 1.0), doc="field-like + Oersted field at peak current, along sigma=y"),
    _R_ANE, _R_ONE,
)
_OFFSET1 = Param("offset", "Ohm", 0.0, doc="constant offset of R_1w (misaligned Hall contacts)")
_OFFSET2 = Param("offset", "Ohm", 0.0, doc="constant offset of R_2w")


def _kw(p):
    return {k: p[k] for k in ("phi0", "theta0", "tilt_x", "tilt_y")}


def _harm(b, p, state=None):
    return hall_harmonics(b, p["r_ahe"], p["r_phe"], p["mu0_hk"], p.get("mu0_h_dl", 0.0),
                          p.get("mu0_h_fl", 0.0), p.get("r_ane", 0.0), p.get("r_one", 0.0),
                          p["r_ohe"], p["mu0_h_ip"], p["ip_axis"], state=state)


def _state(mz_state, n):
    s = float(mz_state)
    return None if s == 0 else np.full(n, np.sign(s))


#: Inputs (dataset meta) of each scan type, as :func:`scan_fields` takes them (mz_state: branch).
_SCAN_INPUTS = {"phi": ("field", "theta_h"), "theta": ("field", "phi_h"), "field": ("theta_h", "phi_h", "mz_state")}


def _scan_harmonic(scan, harmonic, x, *, offset, **p):
    """R_1w (``harmonic=1``) or R_2w (``2``) of a ``scan`` with its inputs and the parameters in ``p``."""
    inputs = {k: p.pop(k) for k in _SCAN_INPUTS[scan]}
    mz_state = inputs.pop("mz_state", 0)
    b = scan_fields(x, scan, **inputs, **_kw(p))
    return _harm(b, p, _state(mz_state, len(b)))[harmonic - 1] + offset


_r1w_phi, _r2w_phi = partial(_scan_harmonic, "phi", 1), partial(_scan_harmonic, "phi", 2)
_r1w_theta, _r2w_theta = partial(_scan_harmonic, "theta", 1), partial(_scan_harmonic, "theta", 2)
_r1w_field, _r2w_field = partial(_scan_harmonic, "field", 1), partial(_scan_harmonic, "field", 2)


_DOC = ("Macrospin harmonic Hall model (sotfit.models.harmonic_hall): equilibrium m of "
        "Zeeman + perpendicular + in-plane uniaxial anisotropy, R_xy = R_AHE m_z + "
        "R_PHE sin^2(theta) sin(2phi); R_2w = (1/2) grad R_xy . dm from the damping-like "
        "mu0_h_dl (m x y) and field-like mu0_h_fl y fields, minus r_ane m_x and r_one B_x "
        "(seed 003_010c0338986411e7.txt; Avci PRB 90, 224427 (2014); Hayashi PRB 89, 144425 (2014)).")


#: Textbook values of the macrospin models (R in Ohm, fields in T): easy plane (H_K,eff = -1 T) with
#: m along an in-plane field; a perpendicular film (H_K = 0.5 T) in an in-plane field, where
#: m_x = H/H_K (Stoner-Wohlfarth); second harmonics to first order in H_DL, H_FL = 0.1 mT.
_LIN = "linear response; the exact model differs at order (H_DL/H)^2"
_REFS = {
    "hall_r1w_phi": (Reference((45.0, 0.0), (0.12, 0.02), "hand: R_PHE sin(2 phi) + offset, m along "
                               "the field", dict(field=1.0, theta_h=90.0, r_phe=0.1, offset=0.02),
                               rtol=1e-10),),
    "hall_r2w_phi": (
        Reference((0.0, 90.0), (1e-4 / 3, 0.0), "hand: Avci eq. (3) cos(phi) term R_AHE H_DL/"
                  "(2(H - H_K,eff)) at phi = 0, zero at 90 deg; " + _LIN,
                  dict(field=0.5, theta_h=90.0, mu0_h_dl=1e-4), rtol=1e-6, atol=1e-15),
        Reference((0.0,), (2e-5,), "hand: Avci eq. (3) R_PHE H_FL/H at phi = 0; " + _LIN,
                  dict(field=0.5, theta_h=90.0, mu0_h_fl=1e-4), rtol=1e-6)),
    "hall_r1w_theta": (Reference((0.0, 90.0), (1.1, 0.1), "hand: R_AHE + R_OHE B along z above "
                                 "saturation; R_PHE sin(2 phi_H) in plane at phi_H = 45 deg",
                                 dict(field=2.0, phi_h=45.0, r_ohe=0.05), rtol=1e-10),),
    "hall_r2w_theta": (Reference((90.0,), (1e-4 / 3 - 0.002 - 0.0005,), "hand: Avci eq. (3) at "
                                 "phi = 0, R_AHE H_DL/(2(H - H_K,eff)) - r_ane - r_one H; " + _LIN,
                                 dict(field=0.5, phi_h=0.0, mu0_h_dl=1e-4, r_ane=0.002,
                                      r_one=0.001), rtol=1e-6),),
    "hall_r1w_field": (
        Reference((0.3, 1.0), (0.8, 0.0), "hand: Stoner-Wohlfarth m_z = sqrt(1 - (H/H_K)^2) below "
                  "H_K, 0 above", dict(theta_h=90.0, phi_h=0.0, mz_state=1.0, mu0_hk=0.5),
                  rtol=1e-10, atol=1e-12),
        Reference((0.3,), (1.025,), "hand: m = z, R_AHE + R_OHE B + offset",
                  dict(theta_h=0.0, phi_h=0.0, mz_state=1.0, mu0_hk=0.5, r_ohe=0.05, offset=0.01),
                  rtol=1e-10)),
    "hall_r2w_field": (Reference((0.3,), (1e-4 * 0.6 / (2 * 0.5 * 0.64),), "hand: R_AHE H_DL "
                                 "sin(theta)/(2 H_K cos^2(theta)), sin(theta) = H/H_K (Hayashi et "
                                 "al. eq. (4) beyond small H); " + _LIN,
                                 dict(theta_h=90.0, phi_h=0.0, mz_state=1.0, mu0_hk=0.5,
                                      mu0_h_dl=1e-4), rtol=1e-5),),
}


def _spec(name, func, second, x_name, x_unit, inputs, what):
    # the first harmonic also depends on the torques and the thermal term at second order in the
    # current (exact quasi-static model), so both harmonics carry the same parameters
    params = _COMMON + _SECOND + ((_OFFSET2,) if second else (_OFFSET1,))
    return ModelSpec(name=name, func=func, params=params, x_name=x_name, x_unit=x_unit,
                     y_name="r2w" if second else "r1w", y_unit="Ohm",
                     doc=f"{what}. " + _DOC, inputs=inputs,
                     linear=("offset",), references=_REFS[name])


r1w_phi = _spec("hall_r1w_phi", _r1w_phi, False, "phi", "deg", ("field", "theta_h"),
                "First harmonic Hall resistance vs azimuthal field angle (inputs: field in T, theta_h in deg)")
r2w_phi = _spec("hall_r2w_phi", _r2w_phi, True, "phi", "deg", ("field", "theta_h"),
                "Second harmonic Hall resistance vs azimuthal field angle (inputs: field in T, theta_h in deg)")
r1w_theta = _spec("hall_r1w_theta", _r1w_theta, False, "theta", "deg", ("field", "phi_h"),
                  "First harmonic Hall resistance vs polar field angle (inputs: field in T, phi_h in deg)")
r2w_theta = _spec("hall_r2w_theta", _r2w_theta, True, "theta", "deg", ("field", "phi_h"),
                  "Second harmonic Hall resistance vs polar field angle (inputs: field in T, phi_h in deg)")
r1w_field = _spec("hall_r1w_field", _r1w_field, False, "field", "T", ("theta_h", "phi_h", "mz_state"),
                  "First harmonic Hall resistance vs signed field (inputs: theta_h, phi_h in deg, mz_state)")
r2w_field = _spec("hall_r2w_field", _r2w_field, True, "field", "T", ("theta_h", "phi_h", "mz_state"),
                  "Second harmonic Hall resistance vs signed field (inputs: theta_h, phi_h in deg, mz_state)")

#: The harmonic Hall models by (harmonic, scan).
HALL_MODELS = {(1, "phi"): r1w_phi, (2, "phi"): r2w_phi, (1, "theta"): r1w_theta,
               (2, "theta"): r2w_theta, (1, "field"): r1w_field, (2, "field"): r2w_field}
