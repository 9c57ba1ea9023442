"""The sample of a harmonic Hall measurement and the conversion of torque fields to efficiencies."""

from __future__ import annotations

from dataclasses import dataclass

from ...checks import absurd, check_fields
from ...models import efficiency
from ...units import MU_0


@dataclass(frozen=True)
class Sample:
    """What the conversion to efficiencies needs (house units; None when unknown).

    Attributes
    ----------
    current_peak : float
        Peak current amplitude I0 in mA (the torque fields refer to it).
    t_fm, t_nm : float
        Ferromagnet and spin-source thicknesses in nm.
    width : float
        Channel width in nm (house length unit).
    mu0_ms : float
        mu0*Ms in T.
    resistivity : float
        Resistivity of the spin-source layer in uOhm cm.
    current_fraction : float
        Fraction of the current flowing in the spin-source layer.
    stack : str
        'nm_below' (spin source below the ferromagnet, the house geometry) or 'nm_above'.

    Raises
    ------
    ValueError
        For a value no sample can have, naming the field: a thickness, width, resistivity or
        mu0*Ms that is not finite and > 0 (or beyond 1 m, 100 T), a current that is 0, not
        finite or beyond 10 A, a current fraction outside (0, 1], an unknown stack.
    """

    current_peak: float | None = None
    t_fm: float | None = None
    t_nm: float | None = None
    width: float | None = None
    mu0_ms: float | None = None
    resistivity: float | None = None
    current_fraction: float | None = None
    stack: str = "nm_below"

    def __post_init__(self):
        check_fields(self, _SAMPLE_DOMAINS, _SAMPLE_UNITS)
        if self.stack not in ("nm_below", "nm_above"):
            raise ValueError(f"Sample.stack must be 'nm_below' or 'nm_above', got {self.stack!r}")


_SAMPLE_UNITS = {"current_peak": "mA", "t_fm": "nm", "t_nm": "nm", "width": "nm", "mu0_ms": "T",
                 "resistivity": "uOhm cm", "current_fraction": ""}
#: Domains of the Sample fields (keywords of :func:`sotfit.checks.check_number`).
_SAMPLE_DOMAINS = {
    "current_peak": {"nonzero": True, **absurd("current")},
    "t_fm": {"positive": True, **absurd("length")},
    "t_nm": {"positive": True, **absurd("length")},
    "width": {"positive": True, **absurd("length")},
    "mu0_ms": {"positive": True, **absurd("field")},
    "resistivity": {"positive": True}, "current_fraction": {"positive": True, "maximum": 1.0},
}


def oersted_field(sample: Sample):
    """Oersted field on the ferromagnet along sigma = +y, in T, at the peak current.

    Thin-sheet limit mu0 K / 2 with K = f I0 / w the sheet current of the spin-source layer;
    for current along +x and the spin source below the ferromagnet the field on the
    ferromagnet points along -y (Ampere's law), so the returned value is negative.
    """
    if None in (sample.current_peak, sample.current_fraction, sample.width):
        return None
    k = sample.current_fraction * sample.current_peak * 1e-3 / (sample.width * 1e-9)  # A/m
    sign = -1.0 if sample.stack == "nm_below" else 1.0
    return sign * MU_0 * k / 2


def efficiencies(quantities: dict, sample: Sample | None, notes: list) -> dict:
    """Add mu0_h_fl (Oersted removed), xi_e_dl/xi_e_fl and xi_dl/xi_fl where the sample allows.

    xi^E = (2e/hbar) mu0 Ms t_F H / E with E = rho f I0 / (w t_NM) (seed 003, definition after
    eq. (2)); xi = xi^E rho. Uncertainties propagate from the fields (sample values exact).
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
    need = (sample.current_peak, sample.current_fraction, sample.width, sample.t_nm,
            sample.resistivity, sample.mu0_ms, sample.t_fm)
    if None in need:
        notes.append("efficiencies not computed: need current, current fraction, width, t_nm, "
                     "resistivity, mu0*Ms and t_fm")
        return out
    j = sample.current_fraction * sample.current_peak * 1e-3 / (sample.width * 1e-9 * sample.t_nm * 1e-9)
    e = efficiency.electric_field(j, sample.resistivity)
    out["e_field"] = e
    for key, name in (("mu0_h_dl", "dl"), ("mu0_h_fl", "fl")):
        if key in out:
            xe = efficiency.xi_e_from_field(out[key], sample.mu0_ms, sample.t_fm, e)
            out[f"xi_e_{name}"] = xe
            out[f"xi_{name}"] = efficiency.xi_from_xi_e(xe, sample.resistivity)
    return out
