"""Textbook harmonic Hall forms as ModelSpecs: the in-plane rotation of Avci et al., PRB 90,
224427 (2014) (first and second harmonics and their field laws), the low-field parabola and
line of field sweeps (Hayashi et al., PRB 89, 144425 (2014)) and the out-of-plane angular slope.

They are the fit targets of methods (a)-(c) of :mod:`sotfit.analysis.hall`; the macrospin model
of method (d) is :mod:`sotfit.models.harmonic_hall`, which shares the Nernst parameters defined
here. Units: resistances in Ohm, fields in T, angles in degrees.
"""

from __future__ import annotations

import numpy as np

from .spec import ModelSpec, Param, Reference

#: The thermal (Nernst) coefficients of the second harmonic, shared by the macrospin model and
#: the field forms.
_R_ANE = Param("r_ane", "Ohm", 0.0, doc="anomalous Nernst coefficient (R_2w contains -r_ane m_x)")
_R_ONE = Param("r_one", "Ohm/T", 0.0, doc="ordinary Nernst coefficient (R_2w contains -r_one B_x)",
               vary=False)

def _avci_r1w(x, r_phe, phi0, a4_sin, a4_cos, offset):
    p = np.radians(x - phi0)
    return r_phe * np.sin(2 * p) + a4_sin * np.sin(4 * p) + a4_cos * np.cos(4 * p) + offset


def _avci_r2w(x, a_cos, a_fl, phi0, offset):
    c = np.cos(np.radians(x - phi0))
    return a_cos * c + a_fl * (2 * c ** 3 - c) + offset


def _avci_cos_field(x, d_dl, r_ane, r_one, mu0_hk):
    return d_dl / (x - mu0_hk) - r_ane - r_one * x


def _avci_fl_field(x, k_fl):
    return k_fl / x


def _poly2(x, c0, c1, c2, c3, c4):
    return c0 + x * (c1 + x * (c2 + x * (c3 + x * c4)))


def _poly1(x, c0, c1, c2, c3):
    return c0 + x * (c1 + x * (c2 + x * c3))


def _angular_slope_field(x, p_torque, r_ane, r_one, mu0_hk):
    s = x + mu0_hk
    return p_torque / s - r_ane - r_one * s


def _guess_inv(x, y, **_):
    a = 1.0 / np.asarray(x, float)
    return {"k_fl": float(np.dot(a, y) / np.dot(a, a))}


def _guess_poly(x, y, degree):
    """Starting values of a polynomial model: the least-squares polynomial of ``degree``.

    Parameters
    ----------
    x : array_like
        Field in T.
    y : array_like
        Resistance in Ohm.
    degree : int
        Degree of the polynomial.

    Returns
    -------
    dict
        ``{"c0": ..., "c<degree>": ...}``, ``c_k`` in Ohm/T^k.
    """
    coeffs = np.polyfit(np.asarray(x, float), y, degree)[::-1]
    return {f"c{k}": float(c) for k, c in enumerate(coeffs)}


def _guess_poly2(x, y, **_):
    return _guess_poly(x, y, 4)


def _guess_poly1(x, y, **_):
    return _guess_poly(x, y, 3)


def _guess_avci_r1w(x, y, **_):
    p = np.radians(np.asarray(x, float))
    a = np.column_stack([np.sin(2 * p), np.cos(2 * p), np.ones_like(p)])
    s, c, off = np.linalg.lstsq(a, y, rcond=None)[0]
    r = float(np.hypot(s, c))
    # R sin 2(phi - phi0) = R cos(2phi0) sin 2phi - R sin(2phi0) cos 2phi
    phi0 = float(np.degrees(0.5 * np.arctan2(-c, s)))
    return {"r_phe": r, "phi0": phi0, "offset": float(off)}


avci_r1w = ModelSpec(
    "hall_avci_r1w", _avci_r1w,
    (Param("r_phe", "Ohm", 0.1, doc="planar Hall resistance (amplitude of sin 2(phi-phi0))"),
     Param("phi0", "deg", 0.0, (-180.0, 180.0), doc="angle reading where the field is along the current"),
     Param("a4_sin", "Ohm", 0.0, doc="sin 4(phi-phi0) distortion (lag of m behind the field)"),
     Param("a4_cos", "Ohm", 0.0, doc="cos 4(phi-phi0) distortion (lag of m behind the field)"),
     Param("offset", "Ohm", 0.0, doc="constant offset")),
    "phi", "deg", "r1w", "Ohm",
    doc="In-plane first harmonic R_1w = R_PHE sin 2(phi-phi0) + 4phi distortion + offset "
        "(Avci et al., PRB 90, 224427 (2014), eq. (1) with theta = 90 deg; the 4phi terms measure "
        "how far m lags the field, amplitude R_PHE*mu0H_ip/(2 mu0H) for an in-plane anisotropy).",
    linear=("r_phe", "a4_sin", "a4_cos", "offset"), guess=_guess_avci_r1w,
    references=(Reference((55.0,), (0.1 - 0.01 + 0.02,), "hand: sin 2(phi - phi0) = 1, "
                          "cos 4(phi - phi0) = -1 at phi - phi0 = 45 deg",
                          dict(r_phe=0.1, phi0=10.0, a4_sin=0.03, a4_cos=0.01, offset=0.02)),))

avci_r2w = ModelSpec(
    "hall_avci_r2w", _avci_r2w,
    (Param("a_cos", "Ohm", 0.0, doc="cos(phi) coefficient: R_AHE H_DL/(2(H - H_K,eff)) - r_ane - r_one H"),
     Param("a_fl", "Ohm", 0.0, doc="(2cos^3 - cos) coefficient: R_PHE (H_FL + H_Oe)/H"),
     Param("phi0", "deg", 0.0, (-180.0, 180.0), doc="angle offset (transferred from R_1w)", vary=False),
     Param("offset", "Ohm", 0.0, doc="constant offset")),
    "phi", "deg", "r2w", "Ohm",
    doc="In-plane second harmonic R_2w = a_cos cos(phi) + a_fl (2cos^3(phi) - cos(phi)) + offset "
        "(Avci et al., PRB 90, 224427 (2014), eq. (3); sign of the thermal term as seed 003).",
    linear=("a_cos", "a_fl", "offset"),
    references=(Reference((10.0, 70.0), (0.2 + 0.05 + 0.01, 0.1 - 0.0125 + 0.01), "hand: cos = 1 "
                          "and 1/2 (2cos^3 - cos = 1 and -1/4)",
                          dict(a_cos=0.2, a_fl=0.05, phi0=10.0, offset=0.01)),))

avci_cos_field = ModelSpec(
    "hall_avci_cos_field", _avci_cos_field,
    (Param("d_dl", "Ohm T", 0.0, doc="R_AHE mu0H_DL / 2"),
     _R_ANE, _R_ONE,
     Param("mu0_hk", "T", -1.0, (-20.0, 20.0), doc="effective perpendicular anisotropy field (-mu0 Meff)",
           vary=False)),
    "field", "T", "a_cos", "Ohm",
    doc="Field dependence of the cos(phi) coefficient: R_AHE H_DL/(2(H - H_K,eff)) - r_ane - r_one H "
        "(Avci et al., PRB 90, 224427 (2014), eq. (3)).",
    linear=("d_dl", "r_ane", "r_one"),
    references=(Reference((0.5,), (1e-4 / 3 - 0.002 - 0.0005,), "hand: Avci eq. (3) with "
                          "R_AHE = 1 Ohm, H_DL = 0.1 mT, H_K,eff = -1 T (the macrospin "
                          "hall_r2w_theta reference)",
                          dict(d_dl=0.5e-4, r_ane=0.002, r_one=0.001, mu0_hk=-1.0)),))

avci_fl_field = ModelSpec(
    "hall_avci_fl_field", _avci_fl_field,
    (Param("k_fl", "Ohm T", 0.0, doc="R_PHE mu0(H_FL + H_Oe)"),),
    "field", "T", "a_fl", "Ohm",
    doc="Field dependence of the (2cos^3 - cos) coefficient: R_PHE (H_FL + H_Oe)/H "
        "(Avci et al., PRB 90, 224427 (2014), eq. (3)).",
    linear=("k_fl",), guess=_guess_inv,
    references=(Reference((0.5,), (2e-5,), "hand: R_PHE H_FL/H with R_PHE = 0.1 Ohm, H_FL = 0.1 mT "
                          "(the macrospin hall_r2w_phi reference)", dict(k_fl=1e-5)),))

hall_parabola = ModelSpec(
    "hall_parabola", _poly2,
    (Param("c0", "Ohm", 0.0, doc="value at zero field"), Param("c1", "Ohm/T", 0.0, doc="slope"),
     Param("c2", "Ohm/T^2", 0.0, doc="curvature/2: d^2R/dH^2 = 2 c2"),
     Param("c3", "Ohm/T^3", 0.0, doc="cubic term (higher order in H/H_K)", vary=False),
     Param("c4", "Ohm/T^4", 0.0, doc="quartic term (higher order in H/H_K)", vary=False)),
    "field", "T", "r1w", "Ohm",
    doc="Small-field polynomial of R_1w in a field sweep of a perpendicular film, c2 = (1/2) d^2R/dH^2 "
        "at H = 0 (Hayashi et al., PRB 89, 144425 (2014), eq. (4)); c3, c4 optional.", linear=("c0", "c1", "c2"),
    guess=_guess_poly2,
    references=(Reference((0.005,), (np.sqrt(1 - 1e-4),), "hand: Stoner-Wohlfarth R_AHE sqrt(1 - "
                          "(H/H_K)^2) at H/H_K = 0.01, Taylor c2 = -R_AHE/(2 H_K^2), c4 = -R_AHE/"
                          "(8 H_K^4), H_K = 0.5 T", dict(c0=1.0, c2=-2.0, c4=-2.0), rtol=1e-11),))

hall_line = ModelSpec(
    "hall_line", _poly1,
    (Param("c0", "Ohm", 0.0, doc="value at zero field"), Param("c1", "Ohm/T", 0.0, doc="slope dR/dH"),
     Param("c2", "Ohm/T^2", 0.0, doc="quadratic term", vary=False),
     Param("c3", "Ohm/T^3", 0.0, doc="cubic term (higher order in H/H_K)", vary=False)),
    "field", "T", "r2w", "Ohm",
    doc="Small-field line of R_2w in a field sweep of a perpendicular film, c1 = dR/dH at H = 0 "
        "(Hayashi et al., PRB 89, 144425 (2014), eq. (4)); c2, c3 optional.", linear=("c0", "c1"),
    guess=_guess_poly1,
    references=(Reference((0.005,), (1e-4 / (2 * 0.5) * 0.01 / (1 - 1e-4),), "hand: R_2w = R_AHE "
                          "H_DL s/(2 H_K (1 - s^2)), s = H/H_K = 0.01 (the hall_r2w_field form), "
                          "Taylor c1 = R_AHE H_DL/(2 H_K^2), c3 = R_AHE H_DL/(2 H_K^4)",
                          dict(c1=2e-4, c3=8e-4), rtol=1e-7),))

angular_slope_field = ModelSpec(
    "hall_angular_slope_field", _angular_slope_field,
    (Param("p_torque", "Ohm T", 0.0, doc="(1/2) R_AHE mu0H_DL + R_PHE mu0H_FL"),
     _R_ANE, _R_ONE,
     Param("mu0_hk", "T", 0.5, (-20.0, 20.0), doc="effective perpendicular anisotropy field", vary=False)),
    "field", "T", "slope", "Ohm",
    doc="Out-of-plane rotation: dR_2w/d(sin theta_M) near the poles = [(1/2) R_AHE H_DL + R_PHE H_FL]/"
        "(H + H_K) - r_ane - r_one (H + H_K) (seed 003_010c0338986411e7.txt, main text, with the "
        "field-like/planar-Hall term and the sign for a ferromagnet; see docs/hall.md).",
    linear=("p_torque", "r_ane", "r_one"),
    references=(Reference((0.5,), (1.1e-4 - 0.001 - 0.002,), "hand: p = R_AHE H_DL/2 + R_PHE H_FL "
                          "= 1.1e-4 Ohm T over H + H_K = 1 T, minus r_ane and r_one (H + H_K)",
                          dict(p_torque=1.1e-4, r_ane=0.001, r_one=0.002, mu0_hk=0.5)),))

TEXTBOOK_MODELS = (avci_r1w, avci_r2w, avci_cos_field, avci_fl_field, hall_parabola, hall_line,
                   angular_slope_field)
