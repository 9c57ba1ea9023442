"""ST-FMR torques per spectrum: lineshape-ratio efficiency, absolute rf torque fields, Oersted
removal and efficiencies, their weighted means, and the angular torques of unconventional spins.

The formulas are those of :mod:`sotfit.models.sot` (re-exported here under their earlier
home); the device is the one :class:`sotfit.device.Sample`. Pure functions of floats or
``uncertainties`` values (plain arithmetic, so correlations propagate). House units: fields
mu0*H in T, thicknesses and device width in nm, current in mA (peak amplitude), resistance in
Ohm, V in uV, resistivity in uOhm cm, angles in degrees at the arguments.

Geometry and signs (docs/CONVENTIONS.md, docs/stfmr.md): current along +x, film normal +z,
field and magnetisation in plane at angle phi from +x; mu0 H_DL = mu0 H_DL0 (m x sigma) and
mu0 H_FL = mu0 H_FL0 sigma with sigma = +y; the Oersted field of the current in a spin-source
layer *below* the ferromagnet points along -y (``nm_below=True``), above it along +y. The
linear-response lineshape amplitudes V_s, V_a and the lineshape-ratio formula of Liu et al.,
PRL 106, 036601 (2011) are derived in docs/stfmr.md and written in :mod:`sotfit.models.sot`.
"""

from __future__ import annotations


from ...device import SAMPLE_UNITS as DEVICE_UNITS
from ...device import Sample
from ...stats import SINGULAR_CORRELATION, weighted_mean
from ...units import TORQUE_QUANTITY_UNITS
from ...models.sot import (
    amr_factors,
    current_fraction,
    efficiency,
    electric_field_nm,
    lineshape_prefactors,
    oersted_field,
    oersted_field_y,
    oersted_sign,
    peak_from_rms,
    safe_sqrt as _sqrt,
    torque_fields,
    xi_fmr,
    xi_fmr_from_dl_fl,
)

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
    "Sample",
    "SAMPLE_UNITS",
    "TORQUE_UNITS",
    "spectrum_torques",
    "weighted_mean",
    "angular_torques",
    "SINGULAR_CORRELATION",
]

#: Units of the sample entries of an ST-FMR summary, by their names there (the current under
#: its ST-FMR name ``i_rf``); kept for callers of the earlier module.
SAMPLE_UNITS = {("i_rf" if k == "current" else k): u for k, u in DEVICE_UNITS.items()}

#: Units of the torque quantities computed by :func:`spectrum_torques`.
TORQUE_UNITS = TORQUE_QUANTITY_UNITS


#: The sample entries that the two families of torque quantities need: the ratio method
#: (xi_FMR) and the torque fields from the amplitudes (and what follows from them).
RATIO_NEEDS = ("mu0_ms", "t_fm", "t_nm")
FIELDS_NEED = ("i_peak", "delta_r")


#: Lineshapes whose amplitudes are not those of the rectified voltage itself: the
#: field-derivative lineshape's carry the unknown factor h_m/W of the modulation field.
NOT_ABSOLUTE_LINESHAPES = ("stfmr_derivative",)

#: Why no torque field in tesla follows from such amplitudes.
NOT_ABSOLUTE_WHY = ("the rf current and Delta R (--irf, --delta-r) give torque fields from the "
                    "amplitudes of the mixing lineshape; those of the field-derivative lineshape "
                    "carry the unknown factor h_m/W of the modulation field (docs/stfmr.md), so "
                    "no torque field in tesla follows from them: leave --irf and --delta-r out "
                    "(in Python the sample's i_peak and delta_r; M_eff, the damping and xi_FMR, "
                    "a ratio of the amplitudes, are computed)")


def check_absolute_fields(model_names, gives_fields: bool) -> None:
    """Refuse torque fields in tesla from amplitudes of a lineshape of
    :data:`NOT_ABSOLUTE_LINESHAPES` (they gave xi_DL 0.011 for 0.080, unflagged).

    Parameters
    ----------
    model_names : iterable of str
        The lineshapes fitted.
    gives_fields : bool
        Whether the rf current and Delta R are given (the absolute fields asked for).

    Raises
    ------
    STFMRError
        Such a lineshape with the absolute fields asked for.
    """
    if gives_fields and set(model_names) & set(NOT_ABSOLUTE_LINESHAPES):
        from .errors import STFMRError

        raise STFMRError(NOT_ABSOLUTE_WHY)


def gives_torques(sample: Sample | None) -> bool:
    """Whether :func:`spectrum_torques` computes anything for ``sample``."""
    return sample is not None and (not sample.missing(*RATIO_NEEDS)
                                   or not sample.missing(*FIELDS_NEED))


#: The ``sotfit stfmr`` option of each sample field, for the notes on what a sample lacks.
_OPTION_OF = {"mu0_ms": "--ms", "t_fm": "--t-fm", "t_nm": "--t-nm", "width": "--width",
              "rho_nm": "--rho", "rho_fm": "--rho-fm", "i_peak": "--irf", "delta_r": "--delta-r",
              "fraction": "--current-fraction (or --rho-fm with --rho and both thicknesses)"}


def missing_torque_inputs(sample: Sample | None, model_names=()) -> list[str]:
    """Notes naming what a sample that gives some torque inputs lacks for each torque quantity
    it leaves out (nothing for no sample: an analysis of M_eff and the damping alone). Without
    them a run with most of a sample ended with no efficiencies and no word why, and the
    thickness analysis of its summaries failed later ("xi_e_dl/xi_dl missing"). Spectra of a
    lineshape of :data:`NOT_ABSOLUTE_LINESHAPES` (among ``model_names``, the lineshapes
    fitted) give no torque fields whatever the sample: the note says so rather than asking
    for the rf current and Delta R, which such a run refuses."""
    if sample is None or not any(sample.as_dict()[f] is not None for f in
                                 ("mu0_ms", "t_fm", "t_nm", "width", "rho_nm", "rho_fm",
                                  "current", "delta_r", "current_fraction")):
        return []

    def lacks(names):
        gone = sample.missing(*names)
        return ", ".join(f"{n} ({_OPTION_OF.get(n, n)})" for n in gone)

    notes = []
    if sample.missing(*RATIO_NEEDS):
        notes.append(f"xi_fmr (the lineshape ratio) not computed: the sample lacks "
                     f"{lacks(RATIO_NEEDS)}")
    if set(model_names) & set(NOT_ABSOLUTE_LINESHAPES):
        notes.append("torque fields and efficiencies not computed: the field-derivative "
                     "lineshape's amplitudes carry the unknown factor h_m/W of the modulation "
                     "field (docs/stfmr.md), so no torque field in tesla follows from them")
    elif sample.missing(*FIELDS_NEED):
        notes.append(f"torque fields and efficiencies not computed: the sample lacks "
                     f"{lacks(FIELDS_NEED)}")
    elif sample.missing("fraction", "width"):
        notes.append(f"Oersted field, mu0_h_fl and the efficiencies not computed: the sample "
                     f"lacks {lacks(('fraction', 'width'))}")
    elif sample.missing("t_nm", "rho_nm", "mu0_ms", "t_fm"):
        notes.append(f"efficiencies (xi_e_dl, xi_dl, xi_e_fl, xi_fl) not computed: the sample "
                     f"lacks {lacks(('t_nm', 'rho_nm', 'mu0_ms', 't_fm'))}")
    return notes


def spectrum_torques(values: dict, meff, sample: Sample, h_k=0.0) -> dict:
    """Every torque quantity the sample description allows, for one spectrum (or branch).

    Parameters
    ----------
    values : dict
        ``h_res``, ``width`` (T), ``vs``, ``va`` (uV, referred to +H), as
        uncertain values.
    meff : float or uncertain value
        mu0 M_eff (T).
    sample : Sample
    h_k : float or uncertain value
        In-plane anisotropy field mu0 H_k of the Kittel fit (T), which the torque formulas
        take with the resonance field (:func:`sotfit.models.sot.amr_factors`); 0 without one.

    Returns
    -------
    dict
        Subset of ``xi_fmr`` (in the project sign: Liu's Oersted-referenced value times
        :func:`oersted_sign`, so that it equals xi_DL without a field-like torque), ``mu0_h_dl``, ``mu0_h_fl_oe``, ``mu0_h_oe`` (along y,
        signed), ``mu0_h_fl``, ``e_field``, ``xi_e_dl``, ``xi_e_fl``, ``xi_dl``,
        ``xi_fl`` (units in :data:`TORQUE_UNITS`).
    """
    s = sample
    out = {}
    if not gives_torques(s):
        return out          # the values are not read (they may be built when first read)
    h, w, vs, va = values["h_res"], values["width"], values["vs"], values["va"]
    if not s.missing(*RATIO_NEEDS):
        # project sign (CONVENTIONS.md): equal to xi_DL when there is no field-like torque
        out["xi_fmr"] = oersted_sign(s.nm_below) * xi_fmr(vs, va, h, meff, s.mu0_ms, s.t_fm,
                                                          s.t_nm, h_k)
    if not s.missing(*FIELDS_NEED):
        out.update(torque_fields(vs, va, h, meff, w, s.i_peak, s.delta_r, s.angle, h_k))
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
    ks, ka = amr_factors(h_res, meff, width, i_rf, delta_r)
    return {"mu0_h_dl_y": vs_coefs["c_y"] / ks, "mu0_h_dl_x": -vs_coefs["c_x"] / ks,
            "mu0_h_z": vs_coefs["c_z"] / ks, "mu0_h_y": va_coefs["c_y"] / ka,
            "mu0_h_x": -va_coefs["c_x"] / ka, "mu0_h_dl_z": -va_coefs["c_z"] / ka}
