"""Spin-orbit-torque formulas, each written once: current split, Oersted and electric fields,
ST-FMR lineshape prefactors and the ratio method, torque fields to efficiencies.

Shared by ST-FMR (:mod:`sotfit.analysis.stfmr`), harmonic Hall (:mod:`sotfit.analysis.hall`)
and thickness series. Every function uses plain arithmetic, so it takes floats, numpy arrays
and ``uncertainties`` values alike (correlations propagate).

House units at the arguments: fields mu0*H, mu0*Ms, mu0*M_eff and linewidths in T; thicknesses
and widths in nm; currents in mA (peak amplitude unless said otherwise); resistances in Ohm;
voltages in uV; resistivities in uOhm cm; angles in degrees; E in V/m; xi^E in
1e5 Ohm^-1 m^-1 (``docs/CONVENTIONS.md``).

Definitions
-----------
Efficiencies (seed ``003_010c0338986411e7.txt``, definition of xi^E after eq. (2))::

    xi^E = (2e/hbar) mu0 Ms t_F H / E        xi = xi^E rho

Geometry and signs (``docs/CONVENTIONS.md``, ``docs/stfmr.md``): current along +x, film
normal +z; the rf torque fields are mu0 H_DL = mu0 H_DL0 (m x sigma) and
mu0 H_FL = mu0 H_FL0 sigma with sigma = +y; the Oersted field of the current in a
spin-source layer *below* the ferromagnet points along -y, above it along +y.

ST-FMR linear response (derivation in ``docs/stfmr.md``): with I(t) = I_rf cos(wt),
R(phi) = R_perp + Delta_R cos^2(phi) and the in-plane precession from the linearised LLG,

    V_s = -(I_rf Delta_R / 2) sin(2phi) cos(phi) sqrt(H_r (H_r + M_eff)) / (W (2 H_r + M_eff)) mu0 H_DL0
    V_a = -(I_rf Delta_R / 2) sin(2phi) cos(phi) (H_r + M_eff) / (W (2 H_r + M_eff)) mu0 (H_FL0 + H_Oe,y)

with W the HWHM and V_s, V_a referred to +H; their ratio gives the lineshape-ratio formula
of Liu et al., PRL 106, 036601 (2011).
"""

from __future__ import annotations

import math

import numpy as np

from ..units import E_CHARGE, HBAR, MU_0

__all__ = [
    "angular_factor",
    "peak_from_rms",
    "current_fraction",
    "sheet_current_density",
    "current_density",
    "oersted_field",
    "oersted_sign",
    "oersted_field_y",
    "electric_field",
    "electric_field_nm",
    "amr_factors",
    "lineshape_prefactors",
    "torque_fields",
    "ratio_prefactor",
    "xi_fmr",
    "xi_fmr_from_dl_fl",
    "xi_e_from_field",
    "field_from_xi_e",
    "xi_from_xi_e",
    "xi_e_from_xi",
    "efficiency",
    "safe_sqrt",
]

_NM = 1e-9          # m
_MA = 1e-3          # A
_UOHMCM = 1e-8      # Ohm m
_XI_E_UNIT = 1e5    # Ohm^-1 m^-1
_XI_PER_XI_E_RHO = 1e-3   # xi per (xi^E [1e5 Ohm^-1 m^-1] x rho [uOhm cm]) = 1e5 x 1e-8


def safe_sqrt(x):
    """Square root of a float or an uncertain value; NaN for a negative argument.

    The torque formulas take sqrt(H_r (H_r + M_eff)) and sqrt(1 + M_eff/H_r); a negative
    argument (in plane, M_eff < -H_r: the film is not saturated along the field) means the
    formula does not apply. NaN is reported (and flagged as not finite in the summary)
    rather than a complex number or an exception that would lose the whole run. Arrays are
    taken element by element.
    """
    if isinstance(x, np.ndarray) and x.dtype != object:
        return np.where(x >= 0, np.sqrt(np.abs(x)), np.nan)
    if not getattr(x, "nominal_value", x) >= 0:
        return float("nan")
    return x ** 0.5


# --- currents ---------------------------------------------------------------------------

def peak_from_rms(i_rms):
    """Peak amplitude of a sinusoidal current from its rms value: I_peak = sqrt(2) I_rms."""
    return math.sqrt(2.0) * i_rms


def current_fraction(rho_nm, t_nm, rho_fm, t_fm):
    """Fraction of the current flowing in the spin-source layer (parallel sheet conductances).

    Parameters
    ----------
    rho_nm, rho_fm : float
        Resistivities of the spin-source layer and the ferromagnet (uOhm cm).
    t_nm, t_fm : float
        Their thicknesses (nm).

    Returns
    -------
    float
        (t_N/rho_N) / (t_N/rho_N + t_F/rho_F).
    """
    g_n = t_nm / rho_nm
    g_f = t_fm / rho_fm
    return g_n / (g_n + g_f)


def sheet_current_density(current, fraction, width):
    """Sheet current K = f I / w of the spin-source layer (A/m); ``current`` in mA, ``width`` in nm."""
    return fraction * (current * _MA) / (width * _NM)


def current_density(current, fraction, width, t_nm):
    """Current density J_N = f I / (w t_N) in the spin-source layer (A/m^2).

    ``current`` in mA, ``width`` and ``t_nm`` in nm.
    """
    return fraction * (current * _MA) / (width * _NM * t_nm * _NM)


# --- Oersted and electric fields --------------------------------------------------------

def oersted_field(current, fraction, width):
    """Magnitude of the Oersted field at the ferromagnet, mu0 H_Oe = mu0 J_N t_N / 2 (T).

    With J_N = f I / (w t_N) this is mu0 f I / (2 w) (a wide, thin sheet; the thickness
    cancels). Liu et al., PRL 106, 036601 (2011).

    Parameters
    ----------
    current : float
        Peak current amplitude through the device (mA).
    fraction : float
        Fraction of it in the spin-source layer.
    width : float
        Device width (nm).

    Returns
    -------
    float
        mu0 H_Oe in T.
    """
    return MU_0 * sheet_current_density(current, fraction, width) / 2.0


def oersted_sign(nm_below: bool = True) -> int:
    """Sign of the Oersted field along +y: -1 for the spin-source layer below the ferromagnet."""
    return -1 if nm_below else 1


def oersted_field_y(current, fraction, width, nm_below: bool = True):
    """Oersted field along sigma = +y (T) for current along +x: -mu0 H_Oe if the layer is below."""
    return oersted_sign(nm_below) * oersted_field(current, fraction, width)


def electric_field(current_density_nm, resistivity):
    """E = rho J in V/m, for J in A/m^2 and rho in uOhm cm."""
    return current_density_nm * resistivity * _UOHMCM


def electric_field_nm(current, fraction, width, t_nm, rho_nm):
    """Peak electric field in the spin-source layer, E = rho_N J_N (V/m).

    ``current`` in mA, ``width`` and ``t_nm`` in nm, ``rho_nm`` in uOhm cm.
    """
    return electric_field(current_density(current, fraction, width, t_nm), rho_nm)


# --- ST-FMR lineshapes and the ratio method ---------------------------------------------

def amr_factors(h_res, meff, width, current, delta_r, h_k=0.0):
    """K_s, K_a of the ST-FMR lineshapes without the angular factor sin(2phi) cos(phi) (uV/T).

    K_s = -(I Delta_R / 2) sqrt(H_1 (H_1 + M_eff)) / (W (2 H_1 + M_eff)),
    K_a = -(I Delta_R / 2) (H_1 + M_eff) / (W (2 H_1 + M_eff)) with H_1 = H_r + H_k, the
    in-plane stiffness field at resonance; ``current`` in mA (peak), ``delta_r`` in Ohm,
    fields in T. ``h_k`` is the in-plane uniaxial anisotropy field along the magnetisation,
    as in the Kittel relation f = (gamma/2pi) sqrt((H + H_k)(H + H_k + M_eff))
    (:func:`sotfit.models.magnetization.frequency_inplane`): both stiffness fields of the
    linearised LLG carry it, and d(H_1 H_2)/dH = H_1 + H_2 = 2 H_1 + M_eff (docs/stfmr.md,
    section 6.1). The angular analysis of unconventional torques (MacNeill et al.,
    Nat. Phys. 13, 300 (2017)) uses them with its own angular factors.
    """
    geom = -0.5 * (current * delta_r * 1e3)  # uV
    h1 = h_res + h_k
    den = width * (2 * h1 + meff)
    return geom * safe_sqrt(h1 * (h1 + meff)) / den, geom * (h1 + meff) / den


def angular_factor(angle_deg: float) -> float:
    """sin 2phi cos phi of the in-plane field angle phi (deg): the angular dependence of the
    rectified ST-FMR signal of the conventional torques (docs/stfmr.md, section 6.1; Liu et
    al. 2011), zero at multiples of 90 deg."""
    phi = math.radians(angle_deg)
    return math.sin(2 * phi) * math.cos(phi)


def lineshape_prefactors(h_res, meff, width, i_rf, delta_r, angle_deg, h_k=0.0):
    """Linear-response factors K_s, K_a with V_s = K_s mu0 H_DL0 and V_a = K_a mu0 (H_FL0 + H_Oe,y).

    Parameters
    ----------
    h_res : float
        Resonance field mu0 H_r (T).
    meff : float
        mu0 M_eff (T).
    width : float
        HWHM W (T).
    i_rf : float
        Peak rf current (mA).
    delta_r : float
        AMR amplitude Delta_R = R_parallel - R_perp (Ohm).
    angle_deg : float
        In-plane angle phi between field (magnetisation) and current (deg).
    h_k : float
        In-plane uniaxial anisotropy field mu0 H_k along the magnetisation (T), as fitted by
        the Kittel relation; 0 without one.

    Returns
    -------
    (K_s, K_a)
        In uV/T (V_s, V_a referred to +H, as fitted on the + branch).

    Notes
    -----
    Derived in docs/stfmr.md from the linearised LLG (Smit-Beljers form),
    including the 1/2 of the time average <I(t) R(t)> and dR/dphi = -Delta_R sin 2phi.
    """
    angular = angular_factor(angle_deg)
    ks, ka = amr_factors(h_res, meff, width, i_rf, delta_r, h_k)
    return angular * ks, angular * ka


def torque_fields(vs, va, h_res, meff, width, i_rf, delta_r, angle_deg, h_k=0.0):
    """rf torque fields from the lineshape amplitudes (inverse of :func:`lineshape_prefactors`).

    Parameters
    ----------
    vs, va : float
        Symmetric and antisymmetric amplitudes (uV), referred to +H.
    h_res, meff, width : float
        mu0 H_r, mu0 M_eff, W (T).
    i_rf : float
        Peak rf current (mA); convert an rms reading with :func:`peak_from_rms`.
    delta_r : float
        AMR Delta_R (Ohm).
    angle_deg : float
        Field angle from the current (deg); not a multiple of 90.
    h_k : float
        In-plane anisotropy field mu0 H_k (T) of the Kittel fit; 0 without one.

    Returns
    -------
    dict
        ``mu0_h_dl`` = mu0 H_DL0 and ``mu0_h_fl_oe`` = mu0 (H_FL0 + H_Oe,y), in T,
        signs as in docs/CONVENTIONS.md (sigma = +y).
    """
    ks, ka = lineshape_prefactors(h_res, meff, width, i_rf, delta_r, angle_deg, h_k)
    return {"mu0_h_dl": vs / ks, "mu0_h_fl_oe": va / ka}


def ratio_prefactor(mu0_ms, t_fm, t_nm):
    """e mu0 Ms t_F t_N / hbar (dimensionless), the prefactor of the lineshape-ratio method.

    ``mu0_ms`` in T, thicknesses in nm (T m^2 = V s, so e [C] T m^2 / hbar [J s] has no unit).
    """
    return E_CHARGE * mu0_ms * (t_fm * _NM) * (t_nm * _NM) / HBAR


def xi_fmr(vs, va, h_res, meff, mu0_ms, t_fm, t_nm, h_k=0.0):
    """Lineshape-ratio efficiency xi_FMR = (V_s/V_a)(e mu0 Ms t_F t_N / hbar) sqrt(1 + M_eff/H_1).

    Liu et al., PRL 106, 036601 (2011), the lineshape-ratio formula (written there with
    4 pi M_eff in Gaussian units). The prefactor holds the *saturation* magnetisation mu0 Ms
    (the torque acts on the moment Ms t_F), while the square root holds M_eff (the
    precession ellipticity); using M_eff in the prefactor is a common error. A field-like
    torque biases it: see :func:`xi_fmr_from_dl_fl`.

    Parameters
    ----------
    vs, va : float
        Amplitudes (uV), any common sign convention (the ratio matters).
    h_res, meff, mu0_ms : float
        mu0 H_r, mu0 M_eff, mu0 Ms (T).
    t_fm, t_nm : float
        Ferromagnet and spin-source thicknesses (nm).
    h_k : float
        In-plane anisotropy field mu0 H_k of the Kittel fit (T): the ellipticity is that of
        the stiffness fields H_1 = H_r + H_k and H_1 + M_eff (:func:`amr_factors`); 0
        without one.

    Returns
    -------
    float
        xi_FMR (dimensionless), positive when V_s and V_a have the same sign.
    """
    return (vs / va) * ratio_prefactor(mu0_ms, t_fm, t_nm) * safe_sqrt(1 + meff / (h_res + h_k))


def xi_fmr_from_dl_fl(xi_dl, xi_fl, mu0_ms, t_fm, t_nm):
    """The ratio-method result when a field-like torque is present (Pai et al., PRB 92, 064426 (2015)).

    1/xi_FMR = (1/xi_DL) (1 + hbar xi_FL / (e mu0 Ms t_F t_N)).

    Signs here are referred to the Oersted field (the convention of Liu and Pai): xi_DL > 0
    gives V_s/V_a > 0 with the Oersted field alone, and xi_FL > 0 means a field-like field
    parallel to the Oersted field. Convert from the sigma = +y convention by multiplying
    by :func:`oersted_sign`.
    """
    return xi_dl / (1 + xi_fl / ratio_prefactor(mu0_ms, t_fm, t_nm))


# --- torque fields to efficiencies ------------------------------------------------------

def xi_e_from_field(mu0_h, mu0_ms, t_fm, e_field):
    """Efficiency per electric field xi^E = (2e/hbar) mu0 Ms t_F H / E.

    Parameters
    ----------
    mu0_h : float
        Torque field mu0*H (damping-like or field-like) in T.
    mu0_ms : float
        Saturation magnetisation mu0*Ms in T.
    t_fm : float
        Ferromagnet thickness in nm.
    e_field : float
        Electric field in the spin-source layer in V/m.

    Returns
    -------
    float
        xi^E in 1e5 Ohm^-1 m^-1 (seed 003, definition after eq. (2)).
    """
    h = mu0_h / MU_0  # A/m
    return 2 * E_CHARGE / HBAR * mu0_ms * (t_fm * _NM) * h / e_field / _XI_E_UNIT


def field_from_xi_e(xi_e, mu0_ms, t_fm, e_field):
    """Inverse of :func:`xi_e_from_field`: mu0*H in T from xi^E in 1e5 Ohm^-1 m^-1."""
    return xi_e * _XI_E_UNIT * e_field * MU_0 * HBAR / (2 * E_CHARGE * mu0_ms * t_fm * _NM)


def xi_from_xi_e(xi_e, resistivity):
    """Dimensionless efficiency xi = xi^E rho (xi^E in 1e5 Ohm^-1 m^-1, rho in uOhm cm)."""
    return xi_e * _XI_E_UNIT * resistivity * _UOHMCM


def xi_e_from_xi(xi, resistivity):
    """Inverse of :func:`xi_from_xi_e`: xi^E = xi / rho in 1e5 Ohm^-1 m^-1 (rho in uOhm cm)."""
    return xi / (resistivity * _XI_PER_XI_E_RHO)


def efficiency(mu0_h, mu0_ms, t_fm, e_field, rho_nm):
    """(xi^E, xi) from a torque field: xi^E = (2e/hbar) mu0 Ms t_F H / E, xi = xi^E rho.

    ``mu0_h`` and ``mu0_ms`` in T, ``t_fm`` in nm, ``e_field`` in V/m, ``rho_nm`` in
    uOhm cm; xi^E in 1e5 Ohm^-1 m^-1 (seed 003_010c0338986411e7.txt, definition after
    eq. (2)).
    """
    xe = xi_e_from_field(mu0_h, mu0_ms, t_fm, e_field)
    return xe, xi_from_xi_e(xe, rho_nm)
