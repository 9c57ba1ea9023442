"""Sanity gates shared by the harmonic Hall methods: flags attached to the quantities they doubt
(docs/hall.md, "Sanity gates")."""

from __future__ import annotations

import math

import numpy as np
from uncertainties import ufloat

from ...flags import ZERO_REASON
from .common import _nominal
from .leastsq import _at_bound, _param_bounds


#: The torque fields whose sign the zero-consistency gate checks.
_TORQUES = ("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl")
#: A torque field within this many standard errors of zero has no determined sign (flagged).
ZERO_SIGMAS = 2.0


def _flag(flags: dict, names, reason: str) -> None:
    """Record ``reason`` for each quantity in ``names`` (once)."""
    for n in names:
        lst = flags.setdefault(n, [])
        if reason not in lst:
            lst.append(reason)


#: Probability of a correct model with correct errors exceeding the reduced chi-square limit.
REDCHI_FALSE_ALARM = 1e-3


def _flag_redchi(flags: dict, names, fit, what: str) -> None:
    """:func:`sotfit.flags.flag_redchi` on the quantities ``names`` of one weighted fit.

    The limit is :data:`sotfit.flags.REDCHI_LIMIT`, raised for few degrees of freedom to the value
    a correct model exceeds with probability :data:`REDCHI_FALSE_ALARM` (chi-square distribution):
    with 2 degrees of freedom a reduced chi-square above 5 happens by chance 0.7 % of the time.
    """
    from ...flags import flag_redchi

    dof = fit.ndata - fit.nvarys
    if dof < 1:
        return
    stand_in = {}
    if flag_redchi([stand_in], fit.redchi, f"{what} ({dof} degrees of freedom)",
                   limit=redchi_limit(dof)):
        _flag(flags, names, stand_in["flags"][0])


def redchi_limit(dof: int) -> float:
    """The reduced chi-square above which a weighted fit with ``dof`` degrees of freedom is
    flagged (dimensionless).

    Parameters
    ----------
    dof : int
        Degrees of freedom of the fit (>= 1).

    Returns
    -------
    float
        :data:`sotfit.flags.REDCHI_LIMIT`, or the reduced chi-square a correct model with correct
        errors exceeds with probability :data:`REDCHI_FALSE_ALARM` where that is larger (few
        degrees of freedom: 10.8 for one, 6.9 for two).
    """
    from scipy.stats import chi2

    from ...flags import REDCHI_LIMIT

    return max(REDCHI_LIMIT, float(chi2.isf(REDCHI_FALSE_ALARM, dof)) / dof)


def _flag_disagreement(flags: dict, names, a, b, label_a: str, label_b: str) -> float | None:
    """:func:`sotfit.flags.flag_disagreement` of two estimates ``a``, ``b`` (ufloats) of the
    quantities ``names`` (their combination); returns the distance in standard errors."""
    from ...flags import flag_disagreement

    qa = {"value": _nominal(a), "stderr": float(getattr(a, "std_dev", 0.0))}
    qb = {"value": _nominal(b), "stderr": float(getattr(b, "std_dev", 0.0))}
    z = flag_disagreement(qa, qb, label_a, label_b)
    for reason in qa.get("flags", []):
        _flag(flags, names, reason)
    return z


def _undetermined() -> "ufloat":
    """A quantity the data do not determine: 0 with a standard error that is not a number."""
    return ufloat(0.0, math.nan)


def _zero_gate(q: dict, flags: dict) -> None:
    """Flag torque fields consistent with zero (|value| < ZERO_SIGMAS standard errors)."""
    for k in _TORQUES:
        v = q.get(k)
        if v is None or not hasattr(v, "std_dev"):
            continue
        n, s = float(v.nominal_value), float(v.std_dev)
        if math.isfinite(s) and s > 0 and abs(n) < ZERO_SIGMAS * s:
            _flag(flags, [k], f"{ZERO_REASON} ({n:.3g} +/- {s:.2g}, within {ZERO_SIGMAS:g} "
                              "standard errors): the data do not determine its sign")


#: Largest torque field, as a fraction of the field that holds m against it, that the harmonic
#: analysis (the linear response of m to the torques) can stand.
LINEAR_RESPONSE_FRACTION = 0.1


def _holding_fields(q: dict, scans, weakest: bool = False) -> dict:
    """The field (T) that holds m against each torque field: with ``weakest`` (method (a)'s
    in-plane rotations, read by the linear formulas), the weakest rotation's field against the
    in-plane field-like torque and that plus M_eff (minus mu0_hk_eff) against the damping-like
    one, which tilts m out of the plane; otherwise the larger of the scans' largest field and
    |H_K| (the macrospin fit (d) solves the equilibrium at every field and recovered H_FL =
    1.5 mT exactly from rotations down to 5 mT)."""
    hk = q.get("mu0_hk_eff")
    hk = float(getattr(hk, "nominal_value", hk)) if hk is not None else math.nan
    rotations = [abs(float(s.meta["field"])) for s in scans
                 if s.scan == "phi" and s.meta.get("field") is not None]
    if weakest and scans and len(rotations) == len(scans) and all(map(math.isfinite, rotations)):
        low = min(rotations)
        out_of_plane = low - hk if math.isfinite(hk) and low - hk > 0 else low
        return {"mu0_h_fl_oe": low, "mu0_h_fl": low, "mu0_h_dl": out_of_plane}
    stiff = abs(hk) if math.isfinite(hk) else 0.0
    for s in scans:
        field = s.meta.get("field")
        if s.scan != "field" and field is not None and np.isfinite(float(field)):
            stiff = max(stiff, abs(float(field)))
        elif s.scan == "field" and s.r1w is not None and len(s.r1w.x):
            stiff = max(stiff, float(np.nanmax(np.abs(s.r1w.x))))
    return dict.fromkeys(_TORQUES, stiff)


def _linear_response_gate(q: dict, scans, flags: dict, weakest: bool = False) -> None:
    """Flag torque fields that are not small against the fields that hold m
    (:func:`_holding_fields`): every method reads the second harmonic as the linear response of
    m to them. A current given 1000 times too small (1.5 uA for 1.5 mA) gave mu0_h_dl = 0.40 T
    with exit 0 where the files write no current; a gain of 100 left out gave mu0_h_fl_oe =
    25 mT from rotations down to 30 mT, which the largest field (0.7 T) let pass. ``scans``
    are those the torques rest on; ``weakest`` as :func:`_holding_fields`."""
    holding = _holding_fields(q, scans, weakest)
    for k in _TORQUES:
        v = q.get(k)
        n = float(getattr(v, "nominal_value", v)) if v is not None else math.nan
        stiff = holding[k]
        if not (math.isfinite(stiff) and stiff > 0):
            continue
        if math.isfinite(n) and abs(n) > LINEAR_RESPONSE_FRACTION * stiff:
            _flag(flags, [k], f"|{k}| = {abs(n):.3g} T is not small against the field that holds "
                              f"m against it ({stiff:.3g} T): the harmonics are the linear "
                              "response to torque fields far smaller; check the current "
                              "(--current, its unit, rms or peak) and the voltage unit and gains")


#: Largest |mu0 H_K,eff| (T) of a film: L1_0 FePt, the hardest film in use, has about 12 T.
MU0_HK_MAX = 15.0


def _anisotropy_gate(q: dict, flags: dict) -> None:
    """Flag an effective anisotropy field no film has, and the torque fields that rest on it:
    a 'B (T)' column holding mT gave mu0_hk_eff = 600 T and torque fields 1000 times too large
    with exit 0, the linear-response gate scaling with the equally wrong H_K."""
    hk = q.get("mu0_hk_eff")
    n = float(getattr(hk, "nominal_value", hk)) if hk is not None else math.nan
    if math.isfinite(n) and abs(n) > MU0_HK_MAX:
        _flag(flags, ["mu0_hk_eff", *[k for k in _TORQUES if k in q]],
              f"|mu0_hk_eff| = {abs(n):.3g} T is beyond any film's anisotropy field (L1_0 FePt "
              f"about 12 T; limit {MU0_HK_MAX:g} T): check the field unit of the files "
              "(--override-unit field=mT) and --meff/--hk")


#: Strongest field (T) of a cryostat magnet that harmonic Hall scans are made in (the 16 T of a
#: PPMS and of most laboratory superconducting magnets); stronger steady fields exist only at
#: high-field facilities.
LAB_MAGNET_MAX = 16.0


def _scan_fields(scans) -> list:
    """The largest |field| (T) of each scan: a rotation's set field, a sweep's largest point."""
    out = []
    for s in scans:
        if s.scan == "field" and s.r1w is not None and len(s.r1w.x):
            out.append(float(np.nanmax(np.abs(s.r1w.x))))
        elif s.meta.get("field") is not None and np.isfinite(float(s.meta["field"])):
            out.append(abs(float(s.meta["field"])))
    return out


def _magnet_gate(q: dict, scans, flags: dict) -> None:
    """Flag the torque fields of scans made in a field beyond :data:`LAB_MAGNET_MAX`: rotations
    at 15-40 mT written under 'field (T)' were read as 15-40 T, below the reader's limit, and
    gave mu0_h_fl_oe = 0.2 T for 0.2 mT with exit 0 (the linear-response gate scales with the
    equally wrong fields, and the data, read in either unit, fit equally well)."""
    fields = _scan_fields(scans)
    strongest = max(fields, default=math.nan)
    if math.isfinite(strongest) and strongest > LAB_MAGNET_MAX:
        _flag(flags, [k for k in (*_TORQUES, "mu0_hk_eff") if k in q],
              f"the scans reach {strongest:.3g} T, beyond the {LAB_MAGNET_MAX:g} T of a "
              "laboratory cryostat magnet: if the field column holds another unit than its "
              "header says (mT under 'T', Oe under 'mT'), read it in its own (--override-unit "
              "field=UNIT, or --column-unit field=UNIT where its header writes none); the "
              "torque fields scale with the field unit")


#: Strongest field (T) of a scan whose field column is headed mT: electromagnets, which
#: laboratories that write fields in mT use, stop at 2-3 T; superconducting magnets write T or
#: Oe (a PPMS writes Oe). A column of Oe headed mT reads 10 times its field, and a polar
#: rotation is the same curve for fields and H_K scaled together: rotations at 0.7-1.5 T in Oe
#: under 'field (mT)' gave mu0_h_dl 15.0 +- 0.013 mT for 1.5 and H_K 5 T for 0.5 with exit 0,
#: below :data:`LAB_MAGNET_MAX` and every other gate.
MILLITESLA_COLUMN_MAX = 3.0


def _millitesla_gate(q: dict, scans, flags: dict) -> None:
    """Flag the torque fields and H_K of scans whose field column, headed mT, reaches beyond
    :data:`MILLITESLA_COLUMN_MAX`."""
    fields = [f for s, f in zip(scans, _scan_fields(scans))
              if str(s.meta.get("field_unit_in_file") or "") == "mT"]
    strongest = max(fields, default=math.nan)
    if not (math.isfinite(strongest) and MILLITESLA_COLUMN_MAX < strongest <= LAB_MAGNET_MAX):
        return
    _flag(flags, [k for k in (*_TORQUES, "mu0_hk_eff") if k in q],
          f"the scans reach {strongest:.3g} T from a field column headed mT: the electromagnets "
          f"of laboratories that write mT stop near {MILLITESLA_COLUMN_MAX:g} T (superconducting "
          "magnets write T or Oe): if the column holds Oe, every field, H_K and torque field "
          "is 10 times too large, and the data, scaled together, fit as well (--override-unit "
          "field=Oe)")


#: The largest source current (mA, peak) of a harmonic Hall measurement on a thin-film Hall
#: bar: a few mA is usual, a wide bar at 1e11 A/m^2 takes about 100 mA, and 300 mA heats any
#: film beyond use; a current column in mA under an '(A)' header read 1.5 mA as 1.5 A (the
#: reader's limit is 10 A), and every resistance and H_DL came out 1000 times too small with
#: exit 0 (a 100 mA limit flagged a wide bar's 75 mA rms).
HALL_BAR_CURRENT_MAX = 300.0


def _rests_on_the_current(q: dict) -> list:
    """The quantities of ``q`` measured through the source current: uncertain values other than
    angles and the field-like field with the Oersted field (a ratio of two voltages)."""
    return [k for k, v in q.items() if hasattr(v, "std_dev") and "phi" not in k
            and "theta" not in k and k != "mu0_h_fl_oe"]


def _current_gate(q: dict, scans, flags: dict) -> None:
    """Flag the quantities measured through the source current (:func:`_rests_on_the_current`)
    where a scan's current exceeds :data:`HALL_BAR_CURRENT_MAX`."""
    currents = [float(s.meta["current_peak"]) for s in scans
                if isinstance(s.meta.get("current_peak"), (int, float))]
    largest = max(currents, default=math.nan)
    if math.isfinite(largest) and largest > HALL_BAR_CURRENT_MAX:
        _flag(flags, _rests_on_the_current(q),
              f"a source current of {largest:.4g} mA (peak), beyond the "
              f"{HALL_BAR_CURRENT_MAX:g} mA a thin-film Hall bar carries: if the current (a "
              "column, a preamble entry or --current) holds mA under 'A', every resistance "
              "and the damping-like field are 1000 times too small; give the current in its "
              "own unit")


#: Largest ratio of the planar and anomalous Hall resistances (either way) of a ferromagnet:
#: they are within a factor of about 100 of each other (a ferrimagnet's R_PHE can be 1/500 of
#: its R_AHE); a current or voltage read 1000 times off, or an --r-ahe in the wrong unit, puts
#: them a million apart.
PHE_AHE_RATIO_MAX = 1e3


def _resistance_ratio_gate(q: dict, flags: dict) -> None:
    """Flag the quantities measured through the current and R_AHE where the R_PHE of the data
    and the R_AHE given differ by more than :data:`PHE_AHE_RATIO_MAX`: a 60 uA current under
    an '(A)' header, read as 60 mA (below :data:`HALL_BAR_CURRENT_MAX`), gave R_PHE and H_DL
    1000 times too small with exit 0, and so did --r-ahe 800Ohm for 0.8 Ohm."""
    r_phe, r_ahe = q.get("r_phe"), q.get("r_ahe")
    if r_phe is None or r_ahe is None:
        return
    a, b = abs(float(getattr(r_phe, "nominal_value", r_phe))), abs(float(r_ahe))
    if a == 0 or b == 0 or 1 / PHE_AHE_RATIO_MAX <= a / b <= PHE_AHE_RATIO_MAX:
        return
    _flag(flags, [k for k in _rests_on_the_current(q) if k != "r_ahe"],
          f"R_PHE of the data ({a:.3g} Ohm) is {a / b:.3g} times the R_AHE given ({b:.3g} Ohm): "
          "a ferromagnet's planar and anomalous Hall resistances are within a factor of about "
          "100 of each other; a current (mA under 'A'), a voltage read in the wrong unit or "
          "--r-ahe in another unit puts them so far apart, and H_DL rests on both")


def common_gates(q: dict, scans, flags: dict, signal_scans=None, weakest: bool = False,
                 resistance_ratio: bool = False) -> None:
    """The gates every method passes its quantities ``q`` through, in this order: the sign of
    the torque fields (:func:`_zero_gate`), the anisotropy (:func:`_anisotropy_gate`), the
    magnet's fields (:func:`_magnet_gate`, :func:`_millitesla_gate`), the source current (:func:`_current_gate`), with
    ``resistance_ratio`` R_PHE of the data against R_AHE given (:func:`_resistance_ratio_gate`,
    method (a)), and the linear response (:func:`_linear_response_gate`; ``weakest`` as there).
    ``signal_scans`` are the scans the torques rest on where some are left out (default: all)."""
    signal = scans if signal_scans is None else signal_scans
    _zero_gate(q, flags)
    _anisotropy_gate(q, flags)
    _magnet_gate(q, signal, flags)
    _millitesla_gate(q, signal, flags)
    _current_gate(q, scans, flags)
    if resistance_ratio:
        _resistance_ratio_gate(q, flags)
    _linear_response_gate(q, signal, flags, weakest=weakest)


def _at_bounds(fit) -> list:
    """``(name, lo, hi)`` of the varied parameters of a FitResult at (or numerically at) a bound
    (within a tolerance tied to the standard error and the width of the range, :func:`_at_bound`)."""
    bounds = _param_bounds(fit)
    covar = fit.covar
    out = []
    for j, n in enumerate(fit.varied):
        lo, hi = bounds.get(n, (-np.inf, np.inf))
        sd = math.sqrt(covar[j, j]) if covar is not None and j < len(covar) and covar[j, j] >= 0 else None
        if _at_bound(fit.value(n), lo, hi, sd):
            out.append((n, lo, hi))
    return out
