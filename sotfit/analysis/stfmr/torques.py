"""ST-FMR torques: lineshape-ratio efficiency, absolute rf torque fields, Oersted removal.

Pure functions of floats or ``uncertainties`` values (plain arithmetic, so
correlations propagate). House units: fields mu0*H in T, thicknesses and
device width in nm, current in mA (peak amplitude), resistance in Ohm, V in uV,
resistivity in uOhm cm, angles in degrees at the arguments.

Geometry and signs (docs/CONVENTIONS.md, docs/stfmr.md): current along +x,
film normal +z, field and magnetisation in plane at angle phi from +x. The rf
torque fields follow the LLG convention of CONVENTIONS.md,
mu0 H_DL = mu0 H_DL0 (m x sigma) and mu0 H_FL = mu0 H_FL0 sigma with sigma = +y;
the Oersted field of the current in a spin-source layer *below* the ferromagnet
points along -y (``nm_below=True``), above it along +y.

Linear response (derivation in docs/stfmr.md): with I(t) = I_rf cos(wt),
R(phi) = R_perp + Delta_R cos^2(phi) (so dR/dphi = -Delta_R sin 2phi) and the
in-plane precession angle phi(t) from the linearised LLG near resonance,

    V_mix = <I(t) R(t)> = (1/2) I_rf (dR/dphi) Re[delta_phi]
    V_s = -(I_rf Delta_R / 2) sin(2phi) cos(phi) sqrt(H_r (H_r + M_eff)) / (W (2 H_r + M_eff)) * mu0 H_DL0
    V_a = -(I_rf Delta_R / 2) sin(2phi) cos(phi) (H_r + M_eff) / (W (2 H_r + M_eff)) * mu0 (H_FL0 + H_Oe,y)

with W the HWHM and V_s, V_a referred to +H (docs/stfmr.md). Their ratio gives
H_DL0 / (H_FL0 + H_Oe,y) = (V_s/V_a) sqrt(1 + M_eff/H_r), the factor of
the lineshape-ratio formula of Liu et al., PRL 106, 036601 (2011).
"""

from __future__ import annotations

import math

from ...models.efficiency import xi_e_from_field, xi_from_xi_e
from ...units import E_CHARGE, HBAR, MU_0

__all__ = [
    "peak_from_rms",
    "current_fraction",
    "oersted_field",
    "oersted_field_y",
    "electric_field_nm",
    "lineshape_prefactors",
    "torque_fields",
    "xi_fmr",
    "xi_fmr_from_dl_fl",
    "efficiency",
    "oersted_sign",
]

_NM = 1e-9
_MA = 1e-3


def _sqrt(x):
    """Square root of a float or an uncertain value; NaN for a negative argument.

    The torque formulas take sqrt(H_r (H_r + M_eff)) and sqrt(1 + M_eff/H_r); a negative
    argument (in plane, M_eff < -H_r: the film is not saturated along the field) means the
    formula does not apply. NaN is reported (and flagged as not finite in the summary)
    rather than a complex number or an exception that would lose the whole run.
    """
    if not getattr(x, "nominal_value", x) >= 0:
        return float("nan")
    return x ** 0.5


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


def oersted_field(i_rf, fraction, width):
    """Magnitude of the Oersted field at the ferromagnet, mu0 H_Oe = mu0 J_N t_N / 2.

    With J_N = fraction I / (w t_N) this is mu0 fraction I / (2 w) (a wide,
    thin sheet; the thickness cancels).

    Parameters
    ----------
    i_rf : float
        Peak rf current amplitude through the device (mA).
    fraction : float
        Fraction of it in the spin-source layer.
    width : float
        Device width (nm).

    Returns
    -------
    float
        mu0 H_Oe in T (Liu et al., PRL 106, 036601 (2011)).
    """
    return MU_0 * fraction * (i_rf * _MA) / (2.0 * width * _NM)


def oersted_sign(nm_below: bool = True) -> int:
    """Sign of the Oersted field along +y: -1 for the spin-source layer below the ferromagnet."""
    return -1 if nm_below else 1


def oersted_field_y(i_rf, fraction, width, nm_below: bool = True):
    """Oersted field along +y (T) for current along +x: -mu0 H_Oe if the layer is below."""
    return oersted_sign(nm_below) * oersted_field(i_rf, fraction, width)


def electric_field_nm(i_rf, fraction, width, t_nm, rho_nm):
    """Peak electric field in the spin-source layer, E = rho_N J_N (V/m).

    ``i_rf`` in mA, ``width`` and ``t_nm`` in nm, ``rho_nm`` in uOhm cm.
    """
    j = fraction * (i_rf * _MA) / (width * _NM * t_nm * _NM)
    return j * rho_nm * 1e-8


def lineshape_prefactors(h_res, meff, width, i_rf, delta_r, angle_deg):
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

    Returns
    -------
    (K_s, K_a)
        In uV/T (V_s, V_a referred to +H, as fitted on the + branch).

    Notes
    -----
    Derived in docs/stfmr.md from the linearised LLG (Smit-Beljers form),
    including the 1/2 of the time average <I(t) R(t)> and dR/dphi = -Delta_R sin 2phi.
    """
    phi = math.radians(angle_deg)
    geom = -0.5 * (i_rf * delta_r * 1e3) * math.sin(2 * phi) * math.cos(phi)  # uV
    den = width * (2 * h_res + meff)
    return geom * _sqrt(h_res * (h_res + meff)) / den, geom * (h_res + meff) / den


def torque_fields(vs, va, h_res, meff, width, i_rf, delta_r, angle_deg):
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

    Returns
    -------
    dict
        ``mu0_h_dl`` = mu0 H_DL0 and ``mu0_h_fl_oe`` = mu0 (H_FL0 + H_Oe,y), in T,
        signs as in docs/CONVENTIONS.md (sigma = +y).
    """
    ks, ka = lineshape_prefactors(h_res, meff, width, i_rf, delta_r, angle_deg)
    return {"mu0_h_dl": vs / ks, "mu0_h_fl_oe": va / ka}


def xi_fmr(vs, va, h_res, meff, mu0_ms, t_fm, t_nm):
    """Lineshape-ratio efficiency xi_FMR = (V_s/V_a)(e mu0 Ms t_F t_N / hbar) sqrt(1 + M_eff/H_r).

    Liu et al., PRL 106, 036601 (2011), the lineshape-ratio formula (written there with 4 pi M_eff in
    Gaussian units). The prefactor holds the *saturation* magnetisation mu0 Ms
    (the torque acts on the moment Ms t_F), while the square root holds M_eff
    (the precession ellipticity); using M_eff in the prefactor is a common error.
    A field-like torque biases it: see :func:`xi_fmr_from_dl_fl`.

    Parameters
    ----------
    vs, va : float
        Amplitudes (uV), any common sign convention (the ratio matters).
    h_res, meff, mu0_ms : float
        mu0 H_r, mu0 M_eff, mu0 Ms (T).
    t_fm, t_nm : float
        Ferromagnet and spin-source thicknesses (nm).

    Returns
    -------
    float
        xi_FMR (dimensionless), positive when V_s and V_a have the same sign.
    """
    # dimensionless: e [C] mu0Ms [T] t_F [m] t_N [m] / hbar [J s], with T m^2 = V s
    pref = E_CHARGE * mu0_ms * (t_fm * _NM) * (t_nm * _NM) / HBAR
    return (vs / va) * pref * _sqrt(1 + meff / h_res)


def xi_fmr_from_dl_fl(xi_dl, xi_fl, mu0_ms, t_fm, t_nm):
    """The ratio-method result when a field-like torque is present (Pai et al., PRB 92, 064426 (2015)).

    1/xi_FMR = (1/xi_DL) (1 + hbar xi_FL / (e mu0 Ms t_F t_N)).

    Signs here are referred to the Oersted field (the convention of Liu and
    Pai): xi_DL > 0 gives V_s/V_a > 0 with the Oersted field alone, and
    xi_FL > 0 means a field-like field parallel to the Oersted field. Convert
    from the sigma = +y convention by multiplying by :func:`oersted_sign`.
    """
    pref = E_CHARGE * mu0_ms * (t_fm * _NM) * (t_nm * _NM) / HBAR
    return xi_dl / (1 + xi_fl / pref)


def efficiency(mu0_h, mu0_ms, t_fm, e_field, rho_nm):
    """(xi^E, xi) from a torque field: xi^E = (2e/hbar) mu0 Ms t_F H / E, xi = xi^E rho (seed 003).

    ``mu0_h`` and ``mu0_ms`` in T, ``t_fm`` in nm, ``e_field`` in V/m, ``rho_nm``
    in uOhm cm; xi^E in 1e5 Ohm^-1 m^-1 (seed 003_010c0338986411e7.txt,
    definition after eq. (2)).
    """
    xe = xi_e_from_field(mu0_h, mu0_ms, t_fm, e_field)
    return xe, xi_from_xi_e(xe, rho_nm)


# ---------------------------------------------------------------------------
# Sample description and per-spectrum torque analysis
# ---------------------------------------------------------------------------

from dataclasses import dataclass, fields  # noqa: E402

from ...checks import absurd, check_fields  # noqa: E402


@dataclass(frozen=True)
class Sample:
    """What the torque analysis needs to know about the device (house units; all optional).

    Attributes
    ----------
    mu0_ms : float
        Saturation magnetisation mu0 Ms (T).
    t_fm, t_nm : float
        Ferromagnet and spin-source thicknesses (nm).
    width : float
        Device (bar) width (nm).
    rho_nm, rho_fm : float
        Resistivities of the spin-source layer and the ferromagnet (uOhm cm).
    angle : float
        In-plane field angle from the current (deg); 45 by default.
    i_rf : float
        rf current amplitude through the device (mA), *peak*; set ``i_rf_is_rms``
        when the number is an rms value (it is then multiplied by sqrt 2).
    delta_r : float
        AMR Delta_R = R_parallel - R_perp (Ohm).
    current_fraction : float
        Fraction of the current in the spin-source layer; computed from the
        resistivities and thicknesses when not given.
    nm_below : bool
        Spin-source layer below the ferromagnet (Oersted field along -y).

    Raises
    ------
    ValueError
        For a value no sample can have, naming the field: a thickness, width, resistivity,
        mu0*Ms or current that is not finite and > 0 (or beyond 1 m, 100 T, 10 A), a
        current fraction outside (0, 1], Delta R = 0, an angle that is not finite.
    """

    mu0_ms: float | None = None
    t_fm: float | None = None
    t_nm: float | None = None
    width: float | None = None
    rho_nm: float | None = None
    rho_fm: float | None = None
    angle: float = 45.0
    i_rf: float | None = None
    i_rf_is_rms: bool = False
    delta_r: float | None = None
    current_fraction: float | None = None
    nm_below: bool = True

    def __post_init__(self):
        check_fields(self, _SAMPLE_DOMAINS, SAMPLE_UNITS)

    @property
    def i_peak(self):
        """Peak rf current (mA)."""
        if self.i_rf is None:
            return None
        return peak_from_rms(self.i_rf) if self.i_rf_is_rms else self.i_rf

    @property
    def fraction(self):
        """Current fraction in the spin-source layer (given, or from the resistivities)."""
        if self.current_fraction is not None:
            return self.current_fraction
        if None not in (self.rho_nm, self.rho_fm, self.t_nm, self.t_fm):
            return current_fraction(self.rho_nm, self.t_nm, self.rho_fm, self.t_fm)
        return None

    def missing(self, *names) -> list[str]:
        """Names among ``names`` that are not set (``fraction``/``i_peak`` understood)."""
        return [n for n in names if getattr(self, n) is None]

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: Units of the Sample fields, for reports.
SAMPLE_UNITS = {"mu0_ms": "T", "t_fm": "nm", "t_nm": "nm", "width": "nm", "rho_nm": "uOhm cm",
                "rho_fm": "uOhm cm", "angle": "deg", "i_rf": "mA", "delta_r": "Ohm",
                "current_fraction": ""}

#: Domains of the Sample fields (keywords of :func:`sotfit.checks.check_number`); a value
#: outside raises ValueError naming the field.
_SAMPLE_DOMAINS = {
    "mu0_ms": {"positive": True, **absurd("field")},
    "t_fm": {"positive": True, **absurd("length")},
    "t_nm": {"positive": True, **absurd("length")},
    "width": {"positive": True, **absurd("length")},
    "rho_nm": {"positive": True}, "rho_fm": {"positive": True}, "angle": {},
    "i_rf": {"positive": True, **absurd("current")},
    "delta_r": {"nonzero": True}, "current_fraction": {"positive": True, "maximum": 1.0},
}

#: Units of the torque quantities computed by :func:`spectrum_torques`.
TORQUE_UNITS = {"xi_fmr": "", "mu0_h_dl": "T", "mu0_h_fl_oe": "T", "mu0_h_oe": "T",
                "mu0_h_fl": "T", "e_field": "V/m", "xi_e_dl": "1e5 Ohm^-1 m^-1",
                "xi_e_fl": "1e5 Ohm^-1 m^-1", "xi_dl": "", "xi_fl": ""}


def spectrum_torques(values: dict, meff, sample: Sample) -> dict:
    """Every torque quantity the sample description allows, for one spectrum (or branch).

    Parameters
    ----------
    values : dict
        ``h_res``, ``width`` (T), ``vs``, ``va`` (uV, referred to +H), as
        uncertain values.
    meff : float or uncertain value
        mu0 M_eff (T).
    sample : Sample

    Returns
    -------
    dict
        Subset of ``xi_fmr`` (in the project sign: Liu's Oersted-referenced value times
        :func:`oersted_sign`, so that it equals xi_DL without a field-like torque), ``mu0_h_dl``, ``mu0_h_fl_oe``, ``mu0_h_oe`` (along y,
        signed), ``mu0_h_fl``, ``e_field``, ``xi_e_dl``, ``xi_e_fl``, ``xi_dl``,
        ``xi_fl`` (units in :data:`TORQUE_UNITS`).
    """
    s = sample
    h, w, vs, va = values["h_res"], values["width"], values["vs"], values["va"]
    out = {}
    if not s.missing("mu0_ms", "t_fm", "t_nm"):
        # project sign (CONVENTIONS.md): equal to xi_DL when there is no field-like torque
        out["xi_fmr"] = oersted_sign(s.nm_below) * xi_fmr(vs, va, h, meff, s.mu0_ms, s.t_fm, s.t_nm)
    if not s.missing("i_peak", "delta_r"):
        out.update(torque_fields(vs, va, h, meff, w, s.i_peak, s.delta_r, s.angle))
        if not s.missing("fraction", "width"):
            out["mu0_h_oe"] = oersted_field_y(s.i_peak, s.fraction, s.width, s.nm_below)
            out["mu0_h_fl"] = out["mu0_h_fl_oe"] - out["mu0_h_oe"]
            if not s.missing("t_nm", "rho_nm", "mu0_ms", "t_fm"):
                e = electric_field_nm(s.i_peak, s.fraction, s.width, s.t_nm, s.rho_nm)
                out["e_field"] = e
                out["xi_e_dl"], out["xi_dl"] = efficiency(out["mu0_h_dl"], s.mu0_ms, s.t_fm, e,
                                                          s.rho_nm)
                out["xi_e_fl"], out["xi_fl"] = efficiency(out["mu0_h_fl"], s.mu0_ms, s.t_fm, e,
                                                          s.rho_nm)
    return out


#: Smallest eigenvalue of a correlation matrix, relative to its largest, below which the
#: covariance of values to be averaged counts as singular (the GLS weights are then noise).
SINGULAR_CORRELATION = 1e-8


def weighted_mean(values, inflate: bool = True, info: dict | None = None):
    """Generalised-least-squares mean of correlated uncertain values.

    mean = w . x with w = C^-1 1 / (1^T C^-1 1); when the scatter exceeds the
    errors (chi^2/dof > 1) an independent term is added so the variance is
    multiplied by chi^2/dof (Birge ratio). Returns (mean, birge_ratio).

    When the covariance C is singular (the smallest eigenvalue of the correlation
    matrix below :data:`SINGULAR_CORRELATION` times the largest: the values are not
    independent estimates, e.g. several copies of one number), C^-1 does not exist and
    its numerical inverse gives arbitrary weights (a mean of 1e-14 for values near 1,
    a negative chi^2). The inverse-variance weights are used instead (the mean's
    variance still from the full covariance) and the Birge ratio ignores the
    correlations; ``info['singular']`` says so.

    Parameters
    ----------
    values : sequence of uncertainties values
        All with a standard error > 0 (any unit, the same for all).
    inflate : bool
        Multiply the variance by chi^2/dof when that exceeds 1.
    info : dict, optional
        Filled with ``singular`` (bool) and ``min_correlation_eigenvalue`` (relative).

    Returns
    -------
    (uncertain value, float)
        The mean (unit of the values) and the Birge ratio sqrt(chi^2/(n - 1)); NaN for one value.
    """
    import numpy as np
    from uncertainties import covariance_matrix, ufloat

    vals = list(values)
    if len(vals) == 1:
        if info is not None:
            info.update(singular=False, min_correlation_eigenvalue=1.0)
        return vals[0], float("nan")
    c = np.array(covariance_matrix(vals), float)
    x = np.array([v.nominal_value for v in vals])
    sd = np.sqrt(np.diag(c))
    ev = np.linalg.eigvalsh(c / np.outer(sd, sd))
    rel = float(ev[0] / ev[-1])
    singular = not rel > SINGULAR_CORRELATION
    if info is not None:
        info.update(singular=singular, min_correlation_eigenvalue=rel)
    if singular:
        ci = np.diag(1.0 / sd**2)
    else:
        ci = np.linalg.inv(c)
    one = np.ones(len(vals))
    wts = ci @ one / (one @ ci @ one)
    mean = sum(float(wi) * v for wi, v in zip(wts, vals))
    r = x - mean.nominal_value
    chi2 = max(float(r @ ci @ r), 0.0)
    birge = math.sqrt(chi2 / (len(vals) - 1))
    if inflate and birge > 1:
        mean = mean + ufloat(0.0, mean.std_dev * math.sqrt(birge**2 - 1))
    return mean, birge


def angular_torques(vs_coefs: dict, va_coefs: dict, h_res, meff, width, i_rf, delta_r):
    """Torque fields from the angular amplitudes of :mod:`sotfit.models.stfmr_angle`.

    With k_s = -(I Delta_R/2) sqrt(H_r(H_r+M_eff))/(W(2H_r+M_eff)) and
    k_a = -(I Delta_R/2)(H_r+M_eff)/(W(2H_r+M_eff)) (docs/stfmr.md):
    S_y = k_s mu0 tau_DL,y, S_x = -k_s mu0 tau_DL,x, S_z = k_s mu0 h_z,
    A_y = k_a mu0 h_y, A_x = -k_a mu0 h_x, A_z = -k_a mu0 tau_DL,z.

    Returns
    -------
    dict
        ``mu0_h_dl_y``, ``mu0_h_dl_x``, ``mu0_h_dl_z`` (damping-like fields of y-, x-,
        z-polarised spins) and ``mu0_h_y``, ``mu0_h_x``, ``mu0_h_z`` (field-like +
        Oersted fields), all in T. Without ``i_rf`` / ``delta_r`` (None) the ratios to
        the conventional terms are returned instead: ``dl_x_over_dl_y``, ``dl_z_over_h_y``,
        ``dl_y_over_h_y``, ``h_x_over_h_y``, ``h_z_over_dl_y``.
    """
    if i_rf is None or delta_r is None:
        root = _sqrt(1 + meff / h_res)
        # ratios to the conventional DL torque and to the y field
        return {"dl_x_over_dl_y": -vs_coefs["c_x"] / vs_coefs["c_y"],
                "dl_z_over_h_y": -va_coefs["c_z"] / va_coefs["c_y"],
                "dl_y_over_h_y": vs_coefs["c_y"] / va_coefs["c_y"] * root,
                "h_x_over_h_y": -va_coefs["c_x"] / va_coefs["c_y"],
                "h_z_over_dl_y": vs_coefs["c_z"] / vs_coefs["c_y"]}
    geom = -0.5 * (i_rf * delta_r * 1e3)
    den = width * (2 * h_res + meff)
    ks = geom * _sqrt(h_res * (h_res + meff)) / den
    ka = geom * (h_res + meff) / den
    return {"mu0_h_dl_y": vs_coefs["c_y"] / ks, "mu0_h_dl_x": -vs_coefs["c_x"] / ks,
            "mu0_h_z": vs_coefs["c_z"] / ks, "mu0_h_y": va_coefs["c_y"] / ka,
            "mu0_h_x": -va_coefs["c_x"] / ka, "mu0_h_dl_z": -va_coefs["c_z"] / ka}
