"""Harmonic Hall analysis: four methods and the conversion to torque efficiencies.

(a) :func:`avci`      in-plane field rotation (Avci et al., PRB 90, 224427 (2014));
(b) :func:`hayashi`   field sweeps of a perpendicular film with the planar-Hall correction
                      (Hayashi et al., PRB 89, 144425 (2014));
(c) :func:`angular`   out-of-plane rotation (seed 003_010c0338986411e7.txt, main text, Fig. 5);
(d) :func:`macrospin` global fit of all scans with the macrospin model of
                      :mod:`sotfit.models.harmonic_hall` (least squares, optionally emcee).

All signs follow docs/CONVENTIONS.md and docs/hall.md: current along +x, sigma = +y,
damping-like field mu0_h_dl (m x sigma), field-like (+ Oersted) mu0_h_fl along sigma, both at
the peak current; R_xy = R_AHE m_z + R_PHE sin^2(theta) sin(2phi); R_2w = (1/2) dR_xy
- r_ane m_x - r_one B_x. Every method returns a :class:`HallResult` whose ``quantities`` carry
standard uncertainties and whose ``excluded`` list names each field left out and why.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from uncertainties import ufloat

from ..data import Dataset
from ..fitting import FitWarning, fit
from ..io.hall import HallScan
from ..models import efficiency
from ..models.harmonic_hall import avci_cos_field, avci_fl_field, avci_r1w, avci_r2w
from ..units import MU_0

__all__ = ["HallResult", "HallAnalysisError", "Sample", "avci", "efficiencies", "oersted_field"]

UNITS = {"mu0_h_dl": "T", "mu0_h_fl_oe": "T", "mu0_h_fl": "T", "mu0_h_oe": "T", "r_ane": "Ohm",
         "r_one": "Ohm/T", "r_ahe": "Ohm", "r_phe": "Ohm", "mu0_hk_eff": "T", "mu0_h_ip": "T",
         "phi0": "deg", "xi_e_dl": "1e5 Ohm^-1 m^-1", "xi_e_fl": "1e5 Ohm^-1 m^-1",
         "xi_dl": "", "xi_fl": "", "d_dl": "Ohm T", "k_fl": "Ohm T", "slope_combination": "Ohm T",
         "tilt_x": "deg", "tilt_y": "deg", "theta0": "deg", "e_field": "V/m"}


class HallAnalysisError(ValueError):
    """Data that a method cannot analyse (too few fields, never saturated, wrong scan type)."""


@dataclass(frozen=True)
class HallResult:
    """Outcome of one harmonic Hall method.

    Attributes
    ----------
    method : str
    quantities : dict of str to uncertainties value (or float)
        Stable names (``mu0_h_dl``, ``mu0_h_fl_oe``, ``r_ane``, ...); units in :data:`UNITS`.
    table : list of dict
        One row per scan (field, fitted coefficients, included or not).
    excluded : list of dict
        ``{"field": T, "source": file, "reason": str}`` for each scan left out.
    notes : list of str
        Assumptions and warnings (e.g. a textbook formula known to be biased here).
    fits : dict
        The underlying :class:`~sotfit.results.FitResult` objects (for plots).
    """

    method: str
    quantities: dict
    table: list = field(default_factory=list)
    excluded: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    fits: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """JSON-ready: every quantity as {"value", "stderr", "unit"} plus exclusions and notes."""
        from ..results import quantity_dict

        return {"method": self.method,
                "quantities": {k: quantity_dict(v, UNITS.get(k, "")) for k, v in self.quantities.items()},
                "excluded": list(self.excluded), "notes": list(self.notes)}

    def report(self) -> str:
        lines = [f"harmonic Hall, method {self.method}:"]
        for k, v in self.quantities.items():
            n, s = float(getattr(v, "nominal_value", v)), float(getattr(v, "std_dev", 0.0))
            lines.append(f"  {k:>14s} = {n:.5g} +/- {s:.2g} {UNITS.get(k, '')}")
        for e in self.excluded:
            lines.append(f"  excluded {e['field']:.4g} T ({e['source']}): {e['reason']}")
        for n in self.notes:
            lines.append(f"  note: {n}")
        return "\n".join(lines)


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
    """

    current_peak: float | None = None
    t_fm: float | None = None
    t_nm: float | None = None
    width: float | None = None
    mu0_ms: float | None = None
    resistivity: float | None = None
    current_fraction: float | None = None
    stack: str = "nm_below"


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


def _u(res, name, birge=False):
    v, s = res.value(name), res.stderr(name)
    if birge and res.redchi > 1:
        s *= math.sqrt(res.redchi)
    return ufloat(v, s, name)


def _fit_quiet(*args, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitWarning)
        r = fit(*args, **kw)
    return r, [str(w.message) for w in caught]


def _check_scans(scans, kind, method):
    scans = list(scans)
    if not scans:
        raise HallAnalysisError(f"method {method}: no scans given")
    for s in scans:
        if not isinstance(s, HallScan):
            raise TypeError(f"method {method} takes HallScan objects (sotfit.io.hall.read_hall_table)")
        if s.scan != kind:
            raise HallAnalysisError(f"method {method} needs {kind} scans; {s.source} is a {s.scan} scan")
    return scans


# ------------------------------------------------------------------ (a) Avci
def avci(scans: Sequence[HallScan], *, mu0_hk=None, r_ahe=None, include_one: bool = False,
         max_lag: float = 0.02, min_phe_fraction: float = 0.97, sample: Sample | None = None,
         ) -> HallResult:
    """In-plane rotation method (Avci et al., PRB 90, 224427 (2014), eq. (3)).

    At each field, R_1w(phi) = R_PHE sin 2(phi - phi0) + offset gives R_PHE and the angle
    offset phi0 (transferred to R_2w); R_2w(phi) = a_cos cos(phi) + a_fl (2cos^3 phi - cos phi)
    + offset. Then a_fl(H) = R_PHE mu0(H_FL + H_Oe)/(mu0 H) and
    a_cos(H) = R_AHE mu0H_DL / (2 (mu0H - mu0H_K,eff)) - r_ane [- r_one mu0H].

    The textbook formula assumes m follows the field in the plane. This function checks it
    scan by scan and excludes (with the reason) fields where it fails:

    * the 4phi distortion of R_1w shows m lagging the field by more than ``max_lag`` rad,
      by more than twice its standard error (in-plane anisotropy comparable to the field: the
      1/H law of a_fl is then biased by about that fraction);
    * R_PHE is below ``min_phe_fraction`` of its largest value over the fields (m not in
      plane: a perpendicular film below its anisotropy field);
    * for a perpendicular film (``mu0_hk`` > 0), mu0H < 1.05 mu0H_K,eff.

    Parameters
    ----------
    scans : sequence of HallScan
        phi scans at two or more fields (three or more for uncertainties of H_DL).
    mu0_hk : float, optional
        Effective perpendicular anisotropy field in T (negative: -mu0*Meff of an in-plane film).
        Needed for H_DL.
    r_ahe : float, optional
        Anomalous Hall resistance in Ohm (measured separately). Needed for H_DL.
    include_one : bool
        Fit an ordinary Nernst term linear in H in a_cos (needs four or more fields).
    max_lag, min_phe_fraction : float
        Exclusion thresholds (see above).
    sample : Sample, optional
        For the Oersted field and the efficiencies.

    Returns
    -------
    HallResult
        ``mu0_h_fl_oe``, ``r_phe``, ``phi0`` and, with ``mu0_hk`` and ``r_ahe``, ``mu0_h_dl`` and
        ``r_ane`` (plus ``mu0_h_fl``, ``xi_*`` when the sample allows).
    """
    scans = _check_scans(scans, "phi", "(a) avci")
    fields = np.array([s.meta["field"] for s in scans])
    if len(np.unique(np.round(np.abs(fields), 12))) < 2:
        raise HallAnalysisError(
            f"method (a) separates the torques by their field dependence and needs scans at two or "
            f"more field magnitudes (three or more for uncertainties); got only {np.unique(fields)} T "
            f"from {[s.source for s in scans]}")
    notes, excluded, rows, fits = [], [], [], {}
    first = []
    for s in scans:
        r1, msg = _fit_quiet(s.r1w, avci_r1w)
        if r1.value("r_phe") < 0:  # choose the branch with R_PHE > 0
            r1, msg = _fit_quiet(s.r1w, avci_r1w, init={"r_phe": -r1.value("r_phe"),
                                                        "phi0": r1.value("phi0") + 90.0})
        first.append(r1)
        fits[f"r1w:{s.source}"] = r1
        notes.extend(msg)
    rphe = np.array([abs(r.value("r_phe")) for r in first])
    rphe_err = np.array([r.stderr("r_phe") for r in first])
    ref = rphe.max()
    for s, r1, a, da in zip(scans, first, rphe, rphe_err):
        b = abs(s.meta["field"])
        a4 = math.hypot(r1.value("a4_sin"), r1.value("a4_cos"))
        a4_err = max(r1.stderr("a4_sin"), r1.stderr("a4_cos"))
        lag = 2 * a4 / a if a > 0 else np.inf
        lag_err = 2 * a4_err / a if a > 0 else np.inf
        row = {"source": s.source, "field": s.meta["field"], "r_phe": a, "r_phe_stderr": da,
               "phi0": r1.value("phi0"), "lag": lag, "lag_stderr": lag_err, "included": True}
        reason = None
        if mu0_hk is not None and mu0_hk > 0 and b < 1.05 * mu0_hk:
            reason = (f"field {b:.4g} T is below 1.05 x the perpendicular anisotropy field "
                      f"{mu0_hk:.4g} T: m is not in the plane")
        elif a < min_phe_fraction * ref and (ref - a) > 2 * math.hypot(da, rphe_err[np.argmax(rphe)]):
            reason = (f"R_PHE here is {a / ref:.1%} of its largest value: m is not saturated in the plane")
        elif lag - 2 * lag_err > max_lag:
            reason = (f"the 4phi distortion of R_1w shows m lagging the field by up to {lag:.3g} "
                      f"+/- {lag_err:.2g} rad (significantly more than max_lag={max_lag}): an in-plane "
                      "anisotropy comparable to the field biases the textbook 1/H law")
        if reason:
            row["included"] = False
            excluded.append({"field": float(s.meta["field"]), "source": s.source, "reason": reason})
        rows.append(row)
    keep = [i for i, r in enumerate(rows) if r["included"]]
    kept_fields = np.unique(np.round(np.abs(fields[keep]), 12)) if keep else []
    if len(kept_fields) < 2:
        raise HallAnalysisError(
            "method (a): fewer than two fields remain where the magnetisation follows the field in "
            "the plane (the fields never saturate it); reasons: "
            + "; ".join(f"{e['field']:.4g} T: {e['reason']}" for e in excluded))
    w = 1 / np.maximum(rphe_err[keep], 1e-300) ** 2
    r_phe = ufloat(np.sum(w * rphe[keep]) / np.sum(w), 1 / math.sqrt(np.sum(w)), "r_phe")
    ph = np.array([first[i].value("phi0") for i in keep])
    phe = np.array([first[i].stderr("phi0") for i in keep])
    wp = 1 / np.maximum(phe, 1e-300) ** 2
    phi0 = ufloat(np.sum(wp * ph) / np.sum(wp), 1 / math.sqrt(np.sum(wp)), "phi0")
    acos, afl, bs = [], [], []
    for i in keep:
        s = scans[i]
        r2, msg = _fit_quiet(s.r2w, avci_r2w, fixed={"phi0": phi0.nominal_value})
        notes.extend(msg)
        fits[f"r2w:{s.source}"] = r2
        rows[i].update(a_cos=r2.value("a_cos"), a_cos_stderr=r2.stderr("a_cos"),
                       a_fl=r2.value("a_fl"), a_fl_stderr=r2.stderr("a_fl"))
        acos.append((r2.value("a_cos"), r2.stderr("a_cos")))
        afl.append((r2.value("a_fl"), r2.stderr("a_fl")))
        bs.append(abs(s.meta["field"]))
    bs = np.array(bs)
    acos, afl = np.array(acos), np.array(afl)
    q = {"r_phe": r_phe, "phi0": phi0}
    dfl = Dataset(bs, afl[:, 0], afl[:, 1], x_name="field", y_name="a_fl", x_unit="T", y_unit="Ohm",
                  meta={"source": "a_fl(H)"})
    rfl, msg = _fit_quiet(dfl, avci_fl_field)
    fits["a_fl(H)"] = rfl
    k_fl = _u(rfl, "k_fl", birge=True)
    q["k_fl"] = k_fl
    q["mu0_h_fl_oe"] = k_fl / r_phe
    if mu0_hk is None or r_ahe is None:
        notes.append("mu0_h_dl not computed: method (a) needs the effective anisotropy field "
                     "(--meff or --hk) and R_AHE (--r-ahe) measured separately")
    else:
        if np.any(bs - mu0_hk <= 0):
            raise HallAnalysisError("method (a): field at or below the anisotropy field after exclusions")
        nfree = 3 if include_one else 2
        if len(bs) <= nfree:
            notes.append(f"only {len(bs)} fields: H_DL and r_ane have no uncertainty; use more fields")
        dcos = Dataset(bs, acos[:, 0], acos[:, 1], x_name="field", y_name="a_cos", x_unit="T",
                       y_unit="Ohm", meta={"source": "a_cos(H)"})
        g = 1 / (bs - mu0_hk)
        a = np.column_stack([g, -np.ones_like(g)] + ([-bs] if include_one else []))
        start = np.linalg.lstsq(a / acos[:, 1:2], acos[:, 0] / acos[:, 1], rcond=None)[0]
        init = {"d_dl": start[0], "r_ane": start[1], "mu0_hk": mu0_hk}
        fixed = {"mu0_hk": mu0_hk}
        free = ()
        if include_one:
            init["r_one"] = start[2]
            free = ("r_one",)
        rc, msg = _fit_quiet(dcos, avci_cos_field, init=init, fixed=fixed, free=free, guess=False)
        fits["a_cos(H)"] = rc
        d_dl = _u(rc, "d_dl", birge=True)
        q["d_dl"] = d_dl
        q["mu0_h_dl"] = 2 * d_dl / r_ahe
        q["r_ane"] = _u(rc, "r_ane", birge=True)
        if include_one:
            q["r_one"] = _u(rc, "r_one", birge=True)
        q["mu0_hk_eff"] = float(mu0_hk)
        q["r_ahe"] = float(r_ahe)
        if abs(mu0_hk) > 10 * bs.max():
            notes.append(f"|mu0H_K,eff| = {abs(mu0_hk):.3g} T is much larger than the fields (<= "
                         f"{bs.max():.3g} T): 1/(H - H_K) hardly varies, so H_DL and the thermal term "
                         "are strongly correlated and H_DL is poorly determined")
    q = efficiencies(q, sample, notes)
    return HallResult("avci", q, rows, excluded, notes, fits)
