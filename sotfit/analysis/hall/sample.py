"""Torque fields of a harmonic Hall measurement to efficiencies, for a :class:`~sotfit.device.Sample`.

The sample is the one :class:`sotfit.device.Sample` of every analysis (re-exported here); the
formulas are those of :mod:`sotfit.models.sot`.
"""

from __future__ import annotations

from ...models import sot
from ...device import Sample

__all__ = ["Sample", "oersted_field", "efficiencies"]

#: What the efficiencies need, as the notes name it.
_EFFICIENCY_NEEDS = ("i_peak", "fraction", "width", "t_nm", "rho_nm", "mu0_ms", "t_fm")


def oersted_field(sample: Sample):
    """Oersted field on the ferromagnet along sigma = +y, in T, at the peak current.

    Thin-sheet limit mu0 K / 2 with K = f I0 / w the sheet current of the spin-source layer
    (:func:`sotfit.models.sot.oersted_field_y`); for current along +x and the spin source below
    the ferromagnet the field on the ferromagnet points along -y (Ampere's law), so the
    returned value is negative. None when the current, the current fraction (given, or from
    the resistivities and thicknesses) or the width is unknown.
    """
    if sample.missing("i_peak", "fraction", "width"):
        return None
    return sot.oersted_field_y(sample.i_peak, sample.fraction, sample.width, sample.nm_below)


def efficiencies(quantities: dict, sample: Sample | None, notes: list) -> dict:
    """Add mu0_h_fl (Oersted removed), xi_e_dl/xi_e_fl and xi_dl/xi_fl where the sample allows.

    xi^E = (2e/hbar) mu0 Ms t_F H / E with E = rho f I0 / (w t_NM) (seed 003, definition after
    eq. (2); :func:`sotfit.models.sot.efficiency`); xi = xi^E rho. Uncertainties propagate
    from the fields (sample values exact).
    """
    out = dict(quantities)
    if sample is None:
        return out
    oe = oersted_field(sample)
    if oe is not None and "mu0_h_fl_oe" in out:
        out["mu0_h_oe"] = oe
        out["mu0_h_fl"] = out["mu0_h_fl_oe"] - oe
    elif "mu0_h_fl_oe" in out:
        notes.append("Oersted field not removed: give the current, the current fraction in the "
                     "spin-source layer and the width")
    if sample.missing(*_EFFICIENCY_NEEDS):
        notes.append("efficiencies not computed: need current, current fraction, width, t_nm, "
                     "resistivity, mu0*Ms and t_fm")
        return out
    e = sot.electric_field_nm(sample.i_peak, sample.fraction, sample.width, sample.t_nm,
                              sample.rho_nm)
    out["e_field"] = e
    for key, name in (("mu0_h_dl", "dl"), ("mu0_h_fl", "fl")):
        if key in out:
            out[f"xi_e_{name}"], out[f"xi_{name}"] = sot.efficiency(out[key], sample.mu0_ms,
                                                                    sample.t_fm, e, sample.rho_nm)
    return out
