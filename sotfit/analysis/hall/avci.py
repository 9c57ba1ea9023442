"""Method (a): in-plane field rotation (Avci et al., PRB 90, 224427 (2014), eq. (3))."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from uncertainties import ufloat

from ...data import Dataset
from ...io.hall import HallScan
from ...models.harmonic_hall import avci_cos_field, avci_fl_field, avci_r1w, avci_r2w
from ...stats import inverse_variance_mean
from .common import _check_scans, _doubtful_fields, _field_notes, _no_signal, _nominal, _u, _u_carried
from .gates import _flag, _flag_redchi, _undetermined, common_gates
from .leastsq import _fit_field_law, _fit_quiet, _linear_gain
from .result import UNITS, HallAnalysisError, HallResult
from .sample import Sample, efficiencies


def _phi0_branch(phi0: float, r_phe: float) -> tuple[float, float]:
    """The same R_PHE sin 2(phi - phi0) with phi0 in [-45, 45) deg: each 90 deg turn of phi0
    flips the sign of R_PHE, each 180 deg leaves it (R_PHE keeps the sign of the wiring)."""
    k = math.floor((phi0 + 45.0) / 90.0)
    return phi0 - 90.0 * k, r_phe * (-1.0) ** k


def avci(scans: Sequence[HallScan], *, mu0_hk=None, r_ahe=None, include_one: bool = False,
         max_lag: float = 0.01, min_phe_fraction: float = 0.97, sample: Sample | None = None,
         ) -> HallResult:
    """In-plane rotation method (Avci et al., PRB 90, 224427 (2014), eq. (3)).

    At each field, R_1w(phi) = R_PHE sin 2(phi - phi0) + offset gives R_PHE and the angle
    offset phi0 (transferred to R_2w); R_2w(phi) = a_cos cos(phi) + a_fl (2cos^3 phi - cos phi)
    + offset. Then a_fl(H) = R_PHE mu0(H_FL + H_Oe)/(mu0 H) and
    a_cos(H) = R_AHE mu0H_DL / (2 (mu0H - mu0H_K,eff)) - r_ane [- r_one mu0H].

    The textbook formula assumes m follows the field in the plane. This function checks it
    scan by scan and excludes (with the reason) fields where it fails:

    * the 4phi distortion of R_1w shows m lagging the field by more than ``max_lag`` rad,
      by more than twice its standard error. For an in-plane anisotropy H_ip the angle between
      m and the field is -(H_ip/2H) sin 2(phi - axis) to first order, so R_1w = R_PHE sin 2phi_M
      gets a 4phi part of amplitude a4 = R_PHE H_ip/(2H) and the largest lag is a4/R_PHE. The
      in-plane restoring field then varies by +-H_ip = +-2 lag H around the circle, and the
      1/H law of a_fl is biased by a fraction of order 2 lag;
    * R_PHE is below ``min_phe_fraction`` of its largest value over the fields (m not in
      plane: a perpendicular film below its anisotropy field);
    * for a perpendicular film (``mu0_hk`` > 0), mu0H < 1.05 mu0H_K,eff.

    Parameters
    ----------
    scans : sequence of HallScan
        phi scans at two or more fields (three or more for H_DL).
    mu0_hk : float, optional
        Effective perpendicular anisotropy field in T (negative: -mu0*Meff of an in-plane film).
        Needed for H_DL.
    r_ahe : float, optional
        Anomalous Hall resistance in Ohm (measured separately). Needed for H_DL.
    include_one : bool
        Fit an ordinary Nernst term linear in H in a_cos (needs four or more fields).
    max_lag : float
        Largest tolerated lag of m behind the field in rad (default 0.01: 1/H law biased by
        about 2 %).
    min_phe_fraction : float
        Exclusion threshold on R_PHE relative to its largest value (see above).
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
    _require_two_fields(scans, fields)
    notes, excluded, fits, flags = [], [], {}, {}
    _field_notes(scans, notes)
    first = _first_harmonics(scans, fits, notes)
    rows = _exclusions(scans, first, mu0_hk, min_phe_fraction, max_lag, excluded)
    keep = [i for i, r in enumerate(rows) if r["included"]]
    _require_two_kept_fields(fields, keep, excluded)
    q = _planar_hall(first, keep, notes)
    _partial_turns(scans, keep, flags)
    with_signal = _with_second_harmonic(scans, keep, rows, excluded)
    if len(np.unique(np.round(np.abs(fields[with_signal]), 12))) < 2:
        _undetermined_torques(q, mu0_hk, r_ahe, flags, notes)
        q = efficiencies(q, sample, notes)
        return HallResult("avci", q, rows, excluded, notes, fits, flags)
    units = {scans[i].meta.get("field_unit_in_file") for i in with_signal} - {None}
    unit_read = units.pop() if len(units) == 1 else None
    bs, acos, afl, coefs = _second_harmonics(scans, with_signal, q["phi0"], rows, fits, notes)
    _field_like(bs, afl, [c[1] for c in coefs], q, fits, flags)
    _second_order_planar_hall(first, keep, fields, q, notes)
    if mu0_hk is None or r_ahe is None:
        notes.append("mu0_h_dl not computed: method (a) needs the effective anisotropy field "
                     "(--meff or --hk) and R_AHE (--r-ahe) measured separately")
    else:
        _damping_like(bs, acos, [c[0] for c in coefs], mu0_hk, r_ahe, include_one, q, fits,
                      flags, notes, excluded)
        _field_scale_check(bs, acos, mu0_hk, include_one, q, flags, unit_read)
    _weak_field_check(bs, max_lag, q, flags, unit_read)
    _in_plane_anisotropy(scans, first, list(with_signal), acos, afl, mu0_hk, r_ahe, q, flags,
                         notes)
    for reason in _doubtful_fields([scans[i] for i in with_signal]):
        # the fields the torque laws rest on (the docs' "flagged, kept"; it was a note only)
        _flag(flags, [k for k in ("mu0_h_fl_oe", "mu0_h_dl", "r_ane") if k in q], reason)
    q = efficiencies(q, sample, notes)
    common_gates(q, scans, flags, signal_scans=[scans[i] for i in with_signal], weakest=True,
                 resistance_ratio=True)
    return HallResult("avci", q, rows, excluded, notes, fits, flags)


def _require_two_fields(scans, fields) -> None:
    """Refuse rotations at fewer than two field magnitudes (the torques are told apart by their
    field dependence)."""
    if len(np.unique(np.round(np.abs(fields), 12))) < 2:
        raise HallAnalysisError(
            "method (a) separates the torques by their field dependence and needs rotations at "
            "two or more field magnitudes (three or more for H_DL, whose law has two free "
            f"parameters); got only {np.unique(fields)} T from {[s.source for s in scans]}")


def _first_harmonics(scans, fits: dict, notes: list) -> list:
    """Fit R_1w(phi) = R_PHE sin 2(phi - phi0) + offset (+ 4phi terms) of every rotation.

    Returns
    -------
    list of FitResult
        One per scan, with phi0 (deg) within +-45 deg and R_PHE (Ohm) of the matching sign.
    """
    first = []
    for s in scans:
        r1, msg = _fit_quiet(s.r1w, avci_r1w)
        # R_PHE sin 2(phi - phi0) = -R_PHE sin 2(phi - phi0 - 90 deg): the sign of R_PHE is a
        # convention of the wiring, the angle offset is not. Keep phi0 within +-45 deg (the branch
        # nearest to the angle reading), R_PHE with the sign that goes with it: phi0 is applied to
        # the second harmonic, whose cos(phi - phi0) a 90 deg turn would make a sin.
        p0, rp = _phi0_branch(r1.value("phi0"), r1.value("r_phe"))
        if p0 != r1.value("phi0"):
            r1, msg = _fit_quiet(s.r1w, avci_r1w, init={"r_phe": rp, "phi0": p0})
        first.append(r1)
        fits[f"r1w:{s.source}"] = r1
        n = _evenly_spaced(s.r1w.x)
        if n is None or not any("R_1w" in a for a in grid_aliases(n)):
            notes.extend(msg)   # else the flag of the coarse turns names why (_coarse_reason)
    return first


def _exclusions(scans, first, mu0_hk, min_phe_fraction, max_lag, excluded: list) -> list:
    """One table row per rotation (R_PHE in Ohm, phi0 in deg, lag of m in rad), marked not included
    (and added to ``excluded`` with the reason) where m does not follow the field in the plane."""
    rphe = np.abs(np.array([r.value("r_phe") for r in first]))
    rphe_err = np.array([r.stderr("r_phe") for r in first])
    bs = np.array([abs(s.meta["field"]) for s in scans])
    odd = _out_of_order(bs, rphe, rphe_err, scans)
    usual = [i for i in range(len(scans)) if i not in odd]
    k = max(usual, key=lambda i: rphe[i]) if usual else int(np.argmax(rphe))
    ref, ref_err = rphe[k], rphe_err[k]
    rows = []
    for i, (s, r1, a, da) in enumerate(zip(scans, first, rphe, rphe_err)):
        a4 = math.hypot(r1.value("a4_sin"), r1.value("a4_cos"))
        a4_err = max(r1.stderr("a4_sin"), r1.stderr("a4_cos"))
        lag = a4 / a if a > 0 else np.inf          # largest angle between m and the field (rad)
        lag_err = a4_err / a if a > 0 else np.inf
        row = {"source": s.source, "field": s.meta["field"], "r_phe": r1.value("r_phe"), "r_phe_stderr": da,
               "phi0": r1.value("phi0"), "lag": lag, "lag_stderr": lag_err, "included": True}
        reason = odd.get(i) or _exclusion_reason(abs(s.meta["field"]), a, da, ref, ref_err, lag,
                                                 lag_err, mu0_hk, min_phe_fraction, max_lag)
        if reason:
            row["included"] = False
            excluded.append({"field": float(s.meta["field"]), "source": s.source, "reason": reason})
        rows.append(row)
    return rows


#: How far (relative, and in combined standard errors) R_PHE of a rotation may lie above that of
#: every rotation at a higher field, or below one at a lower field, before it is out of order.
ORDER_TOLERANCE, ORDER_SIGMA = 0.03, 3.0


def _out_of_order(bs, rphe, rphe_err, scans) -> dict:
    """Rotations whose |R_PHE| is out of the order of one film's: it grows with the field up to
    saturation and never falls. Index -> reason, for a rotation above every one at a higher
    field (a file of another sample, another gain or current: it was taken for the saturated
    value and every other field called unsaturated, the file not named), or below one at a
    lower field that is not itself out of order."""
    def above(a, da, b, db):
        return a > (1 + ORDER_TOLERANCE) * b and a - b > ORDER_SIGMA * math.hypot(da, db)

    odd = {}
    for i in range(len(bs)):
        higher = [j for j in range(len(bs)) if bs[j] > bs[i]]
        if higher and all(above(rphe[i], rphe_err[i], rphe[j], rphe_err[j]) for j in higher):
            top = max(higher, key=lambda j: rphe[j])
            odd[i] = (f"R_PHE here ({rphe[i]:.4g} Ohm) is {rphe[i] / rphe[top]:.1%} of that at "
                      f"the higher field {bs[top] * 1e3:.4g} mT ({scans[top].source}) and above "
                      "every higher field's: R_PHE of one film grows with the field up to "
                      "saturation and never falls; a file of another sample, gain or current?")
    for i in range(len(bs)):
        lower = [j for j in range(len(bs)) if bs[j] < bs[i] and j not in odd
                 and above(rphe[j], rphe_err[j], rphe[i], rphe_err[i])]
        if i not in odd and lower:
            j = max(lower, key=lambda j: rphe[j])
            odd[i] = (f"R_PHE here ({rphe[i]:.4g} Ohm) is {rphe[i] / rphe[j]:.1%} of that at "
                      f"the lower field {bs[j] * 1e3:.4g} mT ({scans[j].source}): R_PHE of one "
                      "film grows with the field up to saturation and never falls; a file of "
                      "another sample, gain or current?")
    return odd


def _exclusion_reason(b, a, da, ref, ref_err, lag, lag_err, mu0_hk, min_phe_fraction, max_lag):
    """Why a rotation at field ``b`` (T) with |R_PHE| = ``a`` +- ``da`` (Ohm; largest over the
    fields ``ref`` +- ``ref_err``) and lag ``lag`` +- ``lag_err`` (rad) is left out, or None."""
    if mu0_hk is not None and mu0_hk > 0 and b < 1.05 * mu0_hk:
        return (f"field {b:.4g} T is below 1.05 x the perpendicular anisotropy field "
                f"{mu0_hk:.4g} T: m is not in the plane")
    if a < min_phe_fraction * ref and (ref - a) > 2 * math.hypot(da, ref_err):
        return f"R_PHE here is {a / ref:.1%} of its largest value: m is not saturated in the plane"
    if lag - 2 * lag_err > max_lag:
        return (f"the 4phi distortion of R_1w shows m lagging the field by up to {lag:.3g} "
                f"+/- {lag_err:.2g} rad (significantly more than max_lag={max_lag}): an in-plane "
                "anisotropy comparable to the field biases the textbook 1/H law")
    return None


#: The largest gap (deg) in the angles of a rotation before it is a partial turn: over less than
#: a full turn the terms of R_1w (sin 2phi, the 4phi terms, the offset, and the cos phi and sin
#: phi of a tilt, which the model has not) are no longer orthogonal.
LARGEST_ANGLE_GAP = 30.0


def _partial_turns(scans, keep, flags: dict) -> None:
    """Flag R_PHE, phi0 and the torque terms when a rotation kept covers less than a full
    turn (a largest gap between its angles, around the circle, above
    :data:`LARGEST_ANGLE_GAP`): on 0-180 deg of the example set R_PHE came out 30 of its
    standard errors from the planted value, unflagged. A full turn of evenly spaced angles
    further apart is flagged as too coarse instead (:func:`_coarse_reason`; 8 angles 45 deg
    apart were told to 'measure full turns').
    """
    partial, coarse = [], []
    for i in keep:
        phi = np.unique(np.mod(np.asarray(scans[i].r1w.x, float), 360.0))
        if phi.size < 2:
            continue
        gaps = np.diff(np.append(phi, phi[0] + 360.0))
        if gaps.max() > LARGEST_ANGLE_GAP:
            if _evenly_spaced(phi) is not None:
                coarse.append((abs(scans[i].meta["field"]), phi.size))
            else:
                partial.append((abs(scans[i].meta["field"]), float(360.0 - gaps.max())))
    if partial:
        # the cos phi and cos 3phi terms of R_2w are not orthogonal there either: on 88 deg
        # turns mu0_h_dl came out 3.2 and r_ane 2.8 standard errors off, unflagged
        _flag(flags, ["r_phe", "phi0", "mu0_h_dl", "mu0_h_fl_oe", "r_ane"],
              "rotations over part of a turn (" + ", ".join(
                  f"{b * 1e3:.4g} mT: {span:.0f} deg" for b, span in sorted(partial))
              + "): the terms of R_1w and R_2w are not orthogonal there and a tilt of m (cos "
              "phi, sin phi, not in the model) biases R_PHE, phi0 and the torque terms; "
              "measure full turns")
    if coarse:
        _flag(flags, ["r_phe", "phi0", "mu0_h_dl", "mu0_h_fl_oe", "r_ane"],
              _coarse_reason(coarse))


def _evenly_spaced(phi) -> int | None:
    """The number of angles of a rotation when its distinct angles (deg, modulo 360) are evenly
    spaced over the full turn (every step within 10 % of 360 deg over their number), else
    None."""
    phi = np.unique(np.mod(np.asarray(phi, float), 360.0))
    if phi.size < 2:
        return None
    gaps = np.diff(np.append(phi, phi[0] + 360.0))
    step = 360.0 / phi.size
    return int(phi.size) if np.all(np.abs(gaps - step) <= 0.1 * step) else None


#: The harmonics of the rotation models whose coefficients are fitted (k of k phi, its name);
#: R_1w's come with sine and cosine (R_PHE and phi0, the two 4phi terms), R_2w's as cosines.
_R1W_HARMONICS = ((0, "offset"), (2, "2phi"), (4, "4phi"))
_R2W_HARMONICS = ((0, "offset"), (1, "cos phi"), (3, "cos 3phi"))
#: Fewest evenly spaced angles of a turn that keep the fitted harmonics apart (more than twice
#: the highest, 4phi with its sine and cosine).
FEWEST_ANGLES = 9


def grid_aliases(n: int) -> list[str]:
    """The fitted harmonics of method (a)'s rotation models that cannot be told apart on ``n``
    evenly spaced angles of a turn: there the harmonic k phi takes the values of (n - k) phi
    (its sine negated) and of (k + n) phi, and the sine of a harmonic with 2k a multiple of n
    is zero at every angle (with the phase free, its sine and cosine are one term).

    Parameters
    ----------
    n : int
        Number of angles of the turn.

    Returns
    -------
    list of str
        One phrase per pair of terms that coincide (``'the 4phi terms of R_1w are its 2phi
        terms'``), empty when all are apart.
    """
    out = []
    for model, harmonics, both in (("R_1w", _R1W_HARMONICS, True),
                                   ("R_2w", _R2W_HARMONICS, False)):
        for j, (k, name) in enumerate(harmonics):
            for m, other in harmonics[:j]:
                if (k - m) % n == 0 or (k + m) % n == 0:
                    what = "terms" if both and k else "term"
                    out.append(f"the {name} {what} of {model} "
                               f"{'are' if what == 'terms' else 'is'} its {other}"
                               f"{' terms' if both and m else ''}")
            if both and k and (2 * k) % n == 0 and k % n:
                out.append(f"sin {name} and cos {name} of {model} are one term")
    return out


def _coarse_reason(coarse) -> str:
    """The flag of evenly spaced full turns of angles more than :data:`LARGEST_ANGLE_GAP`
    apart, ``coarse`` holding (field in T, number of angles) of each rotation: how many angles
    are needed and, where the fitted terms coincide on them (:func:`grid_aliases`), which."""
    by_number: dict = {}
    for b, n in sorted(coarse):
        by_number.setdefault(n, []).append(f"{b * 1e3:.4g}")
    where = "; ".join(f"{', '.join(bs)} mT: {n} angles {360.0 / n:.3g} deg apart"
                      for n, bs in sorted(by_number.items()))
    aliased = {n: grid_aliases(n) for n in by_number}
    said = "; ".join(f"on {n} angles {', '.join(a)}" for n, a in sorted(aliased.items()) if a)
    return ("rotations of too few angles to separate the harmonics (" + where + "): on n evenly "
            "spaced angles of a turn the harmonic k phi takes the values of (n - k) phi"
            + (f"; {said}, so the coefficients of those terms are undetermined" if said else "")
            + f". {FEWEST_ANGLES} or more angles per turn keep the fitted terms (R_1w: sin 2phi, "
            "sin and cos 4phi; R_2w: cos phi, cos 3phi) apart, and steps of "
            f"{LARGEST_ANGLE_GAP:g} deg or less ({360.0 / LARGEST_ANGLE_GAP:.0f} angles) keep "
            "out the harmonics the model leaves out (a tilt's cos phi and sin phi, the 6phi of "
            "a stronger lag); measure more angles per turn")


def _require_two_kept_fields(fields, keep, excluded) -> None:
    """Refuse when fewer than two field magnitudes remain after the exclusions."""
    kept_fields = np.unique(np.round(np.abs(fields[keep]), 12)) if keep else []
    if len(kept_fields) < 2:
        raise HallAnalysisError(
            "method (a): fewer than two fields remain where the magnetisation follows the field in "
            "the plane (the fields never saturate it); reasons: "
            + "; ".join(f"{e['field']:.4g} T: {e['reason']}" for e in excluded))


def _inverse_variance_mean(values, errors, tag: str):
    """Inverse-variance weighted mean of ``values`` with standard errors ``errors`` (a ufloat;
    :func:`sotfit.stats.inverse_variance_mean` of independent values), its error multiplied
    by the Birge ratio sqrt(chi^2/(n - 1)) where the values scatter more than their errors
    (R_PHE of rotations at different fields differ by 11-25 standard errors where the
    current's own tilt shows in R_1w at low fields: its error was that much too small)."""
    mean = inverse_variance_mean([ufloat(v, e, tag) for v, e in zip(values, errors)])
    v, e = np.asarray(values, float), np.asarray(errors, float)
    ok = np.isfinite(v) & np.isfinite(e) & (e > 0)
    if ok.sum() < 2:
        return mean
    chi2 = float(np.sum(((v[ok] - _nominal(mean)) / e[ok]) ** 2))
    birge2 = chi2 / (ok.sum() - 1)
    if birge2 > 1 and math.isfinite(birge2):
        mean = mean + ufloat(0.0, mean.std_dev * math.sqrt(birge2 - 1), f"{tag} scatter")
    return mean


def _planar_hall(first, keep, notes: list) -> dict:
    """``{"r_phe": Ohm, "phi0": deg}``: weighted means over the kept rotations."""
    rphe_signed = np.array([first[i].value("r_phe") for i in keep])
    r_phe = _inverse_variance_mean(rphe_signed, np.array([first[i].stderr("r_phe") for i in keep]), "r_phe")
    if len(set(np.sign(rphe_signed))) > 1:
        notes.append("R_PHE changes sign between the fields with phi0 kept within +-45 deg (an "
                     "angle offset near 45 deg?): check the angle reading")
    phi0 = _inverse_variance_mean(np.array([first[i].value("phi0") for i in keep]),
                                  np.array([first[i].stderr("phi0") for i in keep]), "phi0")
    if _nominal(r_phe) < 0 and len(set(np.sign(rphe_signed))) == 1:
        # a rotator counting clockwise gave R_PHE = -0.120 Ohm and mu0_h_fl_oe of the wrong
        # sign without a word; the data cannot tell it from a negative planar Hall effect
        notes.append(
            "R_PHE is negative: with phi counted from +x towards +y (docs/CONVENTIONS.md) a "
            "rotation counted the other way (clockwise) gives this, and reverses the sign of "
            "mu0_h_fl_oe (not of mu0_h_dl); so do a negative anisotropic magnetoresistance "
            "and Hall contacts swapped (which also reverse R_AHE): check the rotation's sense")
    return {"r_phe": r_phe, "phi0": phi0}


def _second_order_planar_hall(first, keep, fields, q: dict, notes: list) -> None:
    """R_PHE (and mu0_h_fl_oe = k_fl / R_PHE) with the second-order response of R_1w to the
    current: the field-like and Oersted fields turn m by (H_FL/H) j cos(phi) through the current
    cycle (j = I/I0), and the first harmonic of R_PHE sin 2 phi_M I(t) has the sin 2phi
    amplitude R_PHE [1 - (3/4)(H_FL/H)^2] (from the j^3 part, which holds (3/4) of the first
    harmonic). Left out, R_PHE came out 0.9 of its standard error low over 40 noise draws of
    rotations at 50-1000 mT of an independent time-domain generator (none with H_FL = 0), and
    more at lower fields."""
    h = float(_nominal(q["mu0_h_fl_oe"]))
    b = np.abs(np.array([fields[i] for i in keep], dtype=float))
    c = 1.0 - 0.75 * (h / b) ** 2
    if not np.all(np.isfinite(c)) or np.all(c == 1.0) or np.any(c <= 0.5):
        return
    r = np.array([first[i].value("r_phe") for i in keep]) / c
    e = np.array([first[i].stderr("r_phe") for i in keep]) / c
    q["r_phe"] = _inverse_variance_mean(r, e, "r_phe")
    q["mu0_h_fl_oe"] = q["k_fl"] / q["r_phe"]
    if 1.0 - c.min() >= 1e-6:
        notes.append(f"R_PHE of each field divided by 1 - (3/4)(H_FL/H)^2, the second-order "
                     f"response of R_1w to the current (a correction of {1.0 - c.max():.2g} to "
                     f"{1.0 - c.min():.2g})")


def _with_second_harmonic(scans, keep, rows, excluded) -> list:
    """Indices of the kept rotations with a recorded second harmonic; the others are marked."""
    with_signal = []
    for i in keep:
        reason = _no_signal(scans[i])
        if reason:
            rows[i]["included"] = False
            excluded.append({"field": float(scans[i].meta["field"]), "source": scans[i].source,
                             "reason": f"{reason} (used for R_PHE and phi0 only)"})
        else:
            with_signal.append(i)
    return with_signal


def _undetermined_torques(q: dict, mu0_hk, r_ahe, flags: dict, notes: list) -> None:
    """No second-harmonic signal at two fields: the torques are not determined, never given a sign."""
    why = ("undetermined: fewer than two fields with a recorded second harmonic (the others are "
           "constant columns)")
    q.update(k_fl=_undetermined(), mu0_h_fl_oe=_undetermined())
    names = ["k_fl", "mu0_h_fl_oe"]
    if mu0_hk is not None and r_ahe is not None:
        q.update(d_dl=_undetermined(), mu0_h_dl=_undetermined(), r_ane=_undetermined(),
                 mu0_hk_eff=float(mu0_hk), r_ahe=float(r_ahe))
        names += ["d_dl", "mu0_h_dl", "r_ane"]
    _flag(flags, names, why)
    notes.append(f"torque fields {why}")


def _second_harmonics(scans, with_signal, phi0, rows, fits, notes):
    """Fit R_2w(phi) = a_cos cos(phi) + a_fl (2cos^3 phi - cos phi) + offset at each field,
    the coefficients taken with the direction of m (opposite to the angle phi at a negative
    field).

    Returns
    -------
    bs : ndarray
        |mu0H| in T.
    acos, afl : ndarray, shape (n, 2)
        The coefficients and their standard errors in Ohm.
    coefs : list of (uncertain value, uncertain value)
        The same coefficients (Ohm) of each field, correlated as their fit has them (both come
        from one fit of R_2w: about -0.7 on a full turn), for the correlation of the torques.
    """
    _require_cos_second_harmonic(scans, with_signal, phi0.nominal_value)
    acos, afl, bs, coefs = [], [], [], []
    for i in with_signal:
        s = scans[i]
        r2, msg = _fit_quiet(s.r2w, avci_r2w, fixed={"phi0": phi0.nominal_value})
        notes.extend(msg)
        fits[f"r2w:{s.source}"] = r2
        # A field -B at the angle phi is the field B at phi + 180 deg, where m points: both
        # terms are odd in cos(phi_M), so their coefficients change sign with m.
        sign = -1.0 if s.meta["field"] < 0 else 1.0
        rows[i].update(a_cos=sign * r2.value("a_cos"), a_cos_stderr=r2.stderr("a_cos"),
                       a_fl=sign * r2.value("a_fl"), a_fl_stderr=r2.stderr("a_fl"))
        acos.append((sign * r2.value("a_cos"), r2.stderr("a_cos")))
        afl.append((sign * r2.value("a_fl"), r2.stderr("a_fl")))
        coefs.append((sign * r2["a_cos"], sign * r2["a_fl"]))
        bs.append(abs(s.meta["field"]))
    if any(scans[i].meta["field"] < 0 for i in with_signal):
        notes.append("rotations at negative field: the field -B at the angle phi is B at phi + 180 "
                     "deg, where m points, so their cos(phi) and (2cos^3 - cos) coefficients are "
                     "taken with the opposite sign (a_cos and a_fl in scans.csv are those of m)")
    return np.array(bs), np.array(acos), np.array(afl), coefs


#: A second harmonic is refused as turned by 90 deg when its sin(phi - phi0) and sin 3(phi - phi0)
#: part is this many times the cos part of the model and this many standard errors from zero.
#: The example set's rotations, an in-plane anisotropy of 2 mT making m lag the field, reach 0.19
#: at 5 mT (0.003 at 400 mT); a 90 deg turn of the angle gives 5 to 370.
SIN_TO_COS_RATIO = 3.0
SIN_SIGNIFICANCE = 10.0


def _sin_and_cos_parts(s, phi0: float) -> tuple[float, float, float]:
    """(cos part, sin part, its standard error) in Ohm of R_2w(phi) of scan ``s``: the
    amplitudes of cos(phi - phi0), cos 3(phi - phi0) (the model's) and of sin(phi - phi0),
    sin 3(phi - phi0) (no term of the model) in a linear least-squares fit with an offset."""
    p = np.radians(s.r2w.x - phi0)
    basis = np.column_stack([np.cos(p), np.cos(3 * p), np.sin(p), np.sin(3 * p), np.ones_like(p)])
    coef, *_ = np.linalg.lstsq(basis, s.r2w.y, rcond=None)
    resid = s.r2w.y - basis @ coef
    dof = max(len(p) - basis.shape[1], 1)
    cov = (resid @ resid / dof) * np.linalg.pinv(basis.T @ basis)
    return (float(np.hypot(coef[0], coef[1])), float(np.hypot(coef[2], coef[3])),
            float(np.sqrt(cov[2, 2] + cov[3, 3])))


def _require_cos_second_harmonic(scans, with_signal, phi0: float) -> None:
    """Refuse rotations whose second harmonic is, at most fields, a sin(phi - phi0) where the
    model has cos(phi - phi0): the angle reading is turned by about 90 deg from the angle of
    the field from the current (phi0 from R_1w is found only modulo 90 deg), and the model's
    coefficients would be noise (torques "consistent with zero" of a clear signal)."""
    turned = []
    for i in with_signal:
        cos_part, sin_part, sin_err = _sin_and_cos_parts(scans[i], phi0)
        if sin_part > SIN_TO_COS_RATIO * cos_part and sin_part > SIN_SIGNIFICANCE * sin_err:
            turned.append((abs(scans[i].meta["field"]), sin_part / max(cos_part, 1e-300)))
    if 2 * len(turned) <= len(with_signal):
        return
    ratios = [r for _, r in turned]
    raise HallAnalysisError(
        "method (a): the second harmonic is a sin(phi - phi0) where the model has cos(phi - "
        f"phi0) (phi0 = {phi0:.3g} deg from R_1w), {min(ratios):.3g} to {max(ratios):.3g} times "
        f"its cos part, at {len(turned)} of {len(with_signal)} fields "
        f"({', '.join(f'{b * 1e3:.4g}' for b, _ in sorted(turned))} mT): the angle column's zero "
        "is turned by about 90 deg from the current (R_1w gives phi0 only modulo 90 deg). Give "
        f"the angle reading where the field is along the current, {phi0 + 90:.0f} or "
        f"{phi0 - 90:.0f} deg (--phi-offset; the data cannot tell which: it decides the sign of "
        "the torques)")


def _field_like(bs, afl, afl_u, q: dict, fits: dict, flags: dict) -> None:
    """The 1/H law a_fl(H) = k_fl / mu0H: ``k_fl`` (Ohm T) and ``mu0_h_fl_oe`` = k_fl / R_PHE (T)
    (``afl_u``: the coefficients as uncertain values, whose correlations k_fl keeps)."""
    dfl = Dataset(bs, afl[:, 0], afl[:, 1], x_name="field", y_name="a_fl", x_unit="T", y_unit="Ohm",
                  meta={"source": "a_fl(H)"})
    rfl, _ = _fit_quiet(dfl, avci_fl_field)
    fits["a_fl(H)"] = rfl
    k_fl = _u_carried(rfl, "k_fl", afl_u, _linear_gain(dfl, avci_fl_field, rfl), birge=True)
    q["k_fl"] = k_fl
    q["mu0_h_fl_oe"] = k_fl / q["r_phe"]
    _flag_redchi(flags, ["k_fl", "mu0_h_fl_oe"], rfl, "method (a), 1/H law of the (2cos^3 - cos) "
                 "coefficient over the fields")


#: Factors of a field read in a unit other than its own (Oe under 'mT' is 10 times too
#: large, mT under 'T' 1000 times) and the unit each makes of a column headed mT.
FIELD_SLIPS = {0.1: "Oe under a mT header, or kOe under T", 10.0: "mT under an Oe header",
               100.0: "kOe under a mT header", 1e-3: "mT under a T header",
               1e3: "T under a mT header", 1e-4: "Oe under a T header",
               1e4: "T under an Oe header"}
#: How much better the damping-like law must fit with the fields scaled to flag the unit.
FIELD_SLIP_GAIN = 10.0


def _cos_law(fields, acos, mu0_hk, include_one) -> tuple[np.ndarray, float]:
    """The weighted linear least squares of a_cos(H) = d / (mu0H - mu0H_K) - r_ane
    [- r_one mu0H]: ``(d, r_ane[, r_one])`` and its chi-square (``acos``: value, error)."""
    g = 1 / (fields - mu0_hk)
    a = np.column_stack([g, -np.ones_like(g)] + ([-fields] if include_one else []))
    w = 1 / acos[:, 1]
    x = np.linalg.lstsq(a * w[:, None], acos[:, 0] * w, rcond=None)[0]
    return x, float(np.sum(((a @ x - acos[:, 0]) * w) ** 2))


def _law_chisqr(fields, acos, mu0_hk, include_one) -> float:
    """Chi-square of the best a_cos law (:func:`_cos_law`)."""
    return _cos_law(fields, acos, mu0_hk, include_one)[1]


def _field_scale_check(bs, acos, mu0_hk, include_one, q: dict, flags: dict,
                       unit_read: str | None = None) -> None:
    """Flag the torques where the damping-like law misses the data and fits them well with the
    fields scaled by a unit slip's factor (:data:`FIELD_SLIPS`).

    The field-like 1/H law fits any field scale, so mu0_h_fl_oe carries the doubt with the
    damping-like quantities: rotations in Oe under 'mT' gave mu0_h_fl_oe 10 times too large
    with a chi-square flag on the damping-like part alone. Where an ordinary Nernst term
    (``include_one``) would also fit the fields as read (a rescaled 1/(H - H_K) is nearly
    straight and fits any such term) the data cannot tell the two apart: the flag names both.

    Parameters
    ----------
    bs : ndarray
        Fields of the rotations in T, as read.
    acos : ndarray
        The cos(phi) coefficients, value and standard error in Ohm (shape (n, 2)).
    mu0_hk : float
        Effective anisotropy field in T.
    include_one : bool
        Whether the law has an ordinary Nernst term.
    q, flags : dict
        The quantities and the flags, updated in place.
    unit_read : str, optional
        The field unit the header wrote (named in the message).
    """
    from .gates import redchi_limit

    nfree = 3 if include_one else 2
    dof = len(bs) - nfree
    if dof < 1:
        return
    limit = redchi_limit(dof)
    here = _law_chisqr(bs, acos, mu0_hk, include_one)
    if here / dof <= limit:
        return
    tried = {k: _law_chisqr(bs * k, acos, mu0_hk, include_one) for k in FIELD_SLIPS
             if np.all(bs * k - mu0_hk > 0)}
    if not tried:
        return
    k, best = min(tried.items(), key=lambda kv: kv[1])
    if not (best / dof <= limit and best * FIELD_SLIP_GAIN < here):
        return
    header = f", the header read as {unit_read}" if unit_read else ""
    reason = (f"the 1/(H - H_K) law of the cos(phi) coefficient misses the data (reduced "
              f"chi-square {here / dof:.3g}) but fits them with the fields times {k:g} "
              f"({best / dof:.3g}): the field looks read in the wrong unit ({FIELD_SLIPS[k]}"
              f"{header}); the torque fields scale with it, mu0_h_fl_oe too, whose 1/H law fits "
              "any field scale (--override-unit field=UNIT; --field-unit UNIT or --column-unit "
              "field=UNIT where its header writes none)")
    if not include_one and len(bs) > 3:
        with_one = _law_chisqr(bs, acos, mu0_hk, True) / (len(bs) - 3)
        if with_one <= redchi_limit(len(bs) - 3):
            reason += (f"; or the coefficient holds an ordinary Nernst term, with which the "
                       f"fields as read fit too (reduced chi-square {with_one:.3g}; "
                       "--include-one)")
    _flag(flags, [n for n in ("k_fl", "mu0_h_fl_oe", "d_dl", "mu0_h_dl", "r_ane", "r_one")
                  if n in q], reason)


#: Chi-square (2 degrees of freedom) above which the 4phi part of R_1w of the kept rotations is
#: taken to show an in-plane anisotropy (a correct zero exceeds it with probability 1e-3).
ANISOTROPY_CHI2 = 13.8
#: A torque field is flagged where the bias an in-plane anisotropy gives it exceeds this many
#: of its standard errors.
ANISOTROPY_SIGMAS = 1.0
#: The anisotropy is noted where the bias it gives a torque field exceeds this many of its
#: standard errors (a 4phi part that moves nothing is not worth a word).
ANISOTROPY_NOTE_SIGMAS = 0.3


def _in_plane_anisotropy(scans, first, kept, acos, afl, mu0_hk, r_ahe, q: dict, flags: dict,
                         notes: list) -> None:
    """Note an in-plane anisotropy shown by the 4phi part of R_1w of the rotations kept, and
    flag the torque fields it biases beyond :data:`ANISOTROPY_SIGMAS` standard errors.

    An anisotropy field H_ip along the azimuth psi turns m from the field by
    -(H_ip/2H) sin 2(phi - psi), which gives R_1w = R_PHE sin 2 phi_M a 4phi part
    (a4_sin, a4_cos) = R_PHE (H_ip/2H) (-cos 2psi, sin 2psi): a vector u/H of fixed direction,
    |u| = H_ip/2. u is fitted (weighted least squares) to the kept rotations' coefficients;
    where it differs from zero by a chi-square above :data:`ANISOTROPY_CHI2` and the 1/H law
    fits (reduced chi-square within the limit of its degrees of freedom: a 4phi part that does
    not fall as 1/H is no anisotropy; the part -(3/8)(H_FL/H)^2 of a4_sin/R_PHE that the
    field-like and Oersted fields give through the current cycle is taken off first), a note
    gives H_ip and points to the macrospin fit, which models it, where the bias it gives a
    torque field exceeds :data:`ANISOTROPY_NOTE_SIGMAS` standard errors. The bias is computed:
    the second harmonics of the macrospin model (:func:`sotfit.models.harmonic_hall.hall_harmonics`, linear response) at
    the kept rotations' angles and fields with the fitted torques, with H_ip and psi and
    without, go through the same per-field fit and field laws; the difference is the bias
    (to first order in the data's misfit), and mu0_h_fl_oe and mu0_h_dl are flagged where it
    exceeds :data:`ANISOTROPY_SIGMAS` standard errors. Rotations at 100-800 mT of a film with
    a 2 mT anisotropy (lag 0.01 rad at 100 mT, kept by ``max_lag``) gave mean pulls +1.3
    (H_FL) and -0.9 (H_DL) over ten noise seeds, unflagged.

    Parameters
    ----------
    scans : list of HallScan
        Every rotation.
    first : list of FitResult
        Their R_1w fits (``a4_sin``, ``a4_cos``, ``r_phe`` in Ohm).
    kept : list of int
        The rotations the torque laws rest on, in the order of ``acos`` and ``afl``.
    acos, afl : ndarray
        Their cos and (2cos^3 - cos) coefficients (value, error) in Ohm.
    mu0_hk, r_ahe : float or None
        Effective anisotropy field (T) and R_AHE (Ohm), for the damping-like law.
    q, flags, notes
        Updated in place.
    """
    from .gates import redchi_limit

    if len(kept) < 2:
        return
    b = np.array([abs(scans[i].meta["field"]) for i in kept])
    v = np.array([[first[i].value("a4_sin"), first[i].value("a4_cos")] for i in kept])
    e = np.array([[first[i].stderr("a4_sin"), first[i].stderr("a4_cos")] for i in kept])
    r = np.array([first[i].value("r_phe") for i in kept])
    if not (np.all(np.isfinite(e)) and np.all(e > 0) and np.all(r != 0)):
        return
    v, e = v / r[:, None], e / np.abs(r)[:, None]    # the lag vector (rad) of each rotation
    # the field-like and Oersted fields turn m by (H_FL/H) j cos(phi) through the current cycle:
    # R_PHE sin 2(phi + that) has the first-harmonic part -(3/8)(H_FL/H)^2 R_PHE sin 4phi, no
    # anisotropy (it falls as 1/H^2)
    v[:, 0] += 0.375 * (_nominal(q["mu0_h_fl_oe"]) / b) ** 2
    w = (1 / b[:, None] / e) ** 2                    # weights of u in v = u/H
    u = np.sum(v / b[:, None] / e ** 2, axis=0) / np.sum(w, axis=0)
    u_err = 1 / np.sqrt(np.sum(w, axis=0))
    resid = float(np.sum(((v - u[None, :] / b[:, None]) / e) ** 2))
    dof = 2 * len(kept) - 2
    if float(np.sum((u / u_err) ** 2)) <= ANISOTROPY_CHI2 or resid / dof > redchi_limit(dof):
        return
    h_ip = 2 * float(np.hypot(*u))
    h_ip_err = 2 * float(np.hypot(*(u * u_err))) / float(np.hypot(*u))
    axis = 0.5 * math.degrees(math.atan2(u[1], -u[0]))
    weakest = int(np.argmin(b))
    lag = h_ip / (2 * b[weakest])
    bias = _anisotropy_bias([scans[i] for i in kept], acos, afl, h_ip, axis, mu0_hk, r_ahe, q)
    pulls = {k: abs(v) / q[k].std_dev for k, v in bias.items()
             if getattr(q.get(k), "std_dev", 0.0) > 0}
    if max(pulls.values(), default=0.0) <= ANISOTROPY_NOTE_SIGMAS:
        return
    notes.append(
        f"the 4phi part of R_1w of the rotations kept falls as 1/H, as an in-plane anisotropy "
        f"gives: mu0 H_ip = {h_ip * 1e3:.3g} +/- {h_ip_err * 1e3:.2g} mT (easy axis at "
        f"{axis:.3g} deg from the field's zero), m lagging the field by up to {lag:.2g} rad at "
        f"{b[weakest] * 1e3:.4g} mT; the 1/H laws assume none (a bias of "
        + ", ".join(f"{k} {v / q[k].std_dev:+.2g}" for k, v in bias.items() if k in pulls)
        + " standard errors); the macrospin fit models it (--method macrospin --free "
        "mu0_h_ip,ip_axis)")
    for name, shift in bias.items():
        err = getattr(q.get(name), "std_dev", 0.0)
        if err > 0 and abs(shift) > ANISOTROPY_SIGMAS * err:
            _flag(flags, [name], f"biased by about {shift:+.2g} {UNITS[name]} ({shift / err:+.2g} "
                  f"standard errors) by an in-plane anisotropy of {h_ip * 1e3:.3g} mT (the 4phi "
                  f"part of R_1w, falling as 1/H; m lags the field by {lag:.2g} rad at "
                  f"{b[weakest] * 1e3:.4g} mT), which the 1/H laws do not model: fit the "
                  "rotations with --method macrospin --free mu0_h_ip,ip_axis, or keep only "
                  "stronger fields")


def _anisotropy_bias(kept, acos, afl, h_ip, axis, mu0_hk, r_ahe, q) -> dict:
    """The shift (T) of mu0_h_fl_oe and mu0_h_dl that an in-plane anisotropy ``h_ip`` (T) along
    ``axis`` (deg) gives method (a): model second harmonics of rotations ``kept`` with and
    without it through the per-field fit and the field laws (errors of ``acos``, ``afl``)."""
    from ...models.harmonic_hall import hall_harmonics, scan_fields

    phi0 = _nominal(q["phi0"])
    h_fl = _nominal(q["mu0_h_fl_oe"])
    with_dl = mu0_hk is not None and r_ahe is not None and "mu0_h_dl" in q
    hk = float(mu0_hk) if mu0_hk is not None else -1.0
    coef = {}
    for label, ip in (("with", h_ip), ("without", 0.0)):
        rows = []
        for s in kept:
            bvec = scan_fields(s.r2w.x, "phi", field=s.meta["field"], phi0=phi0)
            _, r2 = hall_harmonics(bvec, float(r_ahe) if with_dl else 0.0,
                                   _nominal(q["r_phe"]), hk,
                                   _nominal(q["mu0_h_dl"]) if with_dl else 0.0, h_fl,
                                   _nominal(q.get("r_ane", 0.0)), mu0_h_ip=ip, ip_axis=axis,
                                   exact=False)
            p = np.radians(s.r2w.x - phi0)
            basis = np.column_stack([np.cos(p), 2 * np.cos(p) ** 3 - np.cos(p), np.ones_like(p)])
            sign = -1.0 if s.meta["field"] < 0 else 1.0
            rows.append(sign * np.linalg.lstsq(basis, r2, rcond=None)[0][:2])
        coef[label] = np.array(rows)
    bs = np.array([abs(s.meta["field"]) for s in kept])
    out = {}
    wf = 1 / afl[:, 1] ** 2
    k = {lab: float(np.sum(wf * c[:, 1] / bs) / np.sum(wf / bs ** 2)) for lab, c in coef.items()}
    out["mu0_h_fl_oe"] = (k["with"] - k["without"]) / _nominal(q["r_phe"])
    if with_dl and len(bs) > 2:
        d = {lab: _cos_law(bs, np.column_stack([c[:, 0], acos[:, 1]]), hk, False)[0][0]
             for lab, c in coef.items()}
        out["mu0_h_dl"] = 2 * (d["with"] - d["without"]) / float(r_ahe)
    return out


#: Below this field (T) no film's magnetisation follows a rotating field: its in-plane
#: anisotropy and coercivity (0.1-1 mT even in soft Py) hold it back.
SATURATING_FIELD = 1e-3


def _weak_field_check(bs, max_lag: float, q: dict, flags: dict,
                      unit_read: str | None = None) -> None:
    """Flag the torque fields where a rotation kept below :data:`SATURATING_FIELD` shows m
    following the field: its lag (at most ``max_lag``) bounds the in-plane anisotropy to
    2 lag H, a few uT, which no film has; such fields are in T under a mT header (1000 times
    too small), and the 1/H laws then give mu0_h_fl_oe 1000 times too small.

    Parameters
    ----------
    bs : ndarray
        Fields of the kept rotations in T, as read.
    max_lag : float
        The largest lag of m behind the field kept, rad.
    q, flags : dict
        The quantities and the flags, updated in place.
    unit_read : str, optional
        The field unit the header wrote (named in the message).
    """
    weak = np.abs(bs) < SATURATING_FIELD
    if not weak.any():
        return
    b = float(np.max(np.abs(bs[weak])))
    header = f" (the header read as {unit_read})" if unit_read else ""
    _flag(flags, [n for n in ("k_fl", "mu0_h_fl_oe", "d_dl", "mu0_h_dl", "r_ane", "r_one")
                  if n in q],
          f"rotations at {b * 1e3:.3g} mT and below{header} show m following the field "
          f"(lag <= {max_lag:g} rad, an in-plane anisotropy below {2 * max_lag * b * 1e6:.2g} uT): "
          f"no film saturates in fields below {SATURATING_FIELD * 1e3:g} mT, so the field looks "
          "read in a unit 1000 times too small (T under a mT header); the torque fields scale "
          "with it (--override-unit field=UNIT; --field-unit UNIT or --column-unit field=UNIT "
          "where its header writes none)")


def _damping_like(bs, acos, acos_u, mu0_hk, r_ahe, include_one, q: dict, fits: dict,
                  flags: dict, notes: list, excluded: list):
    """The law a_cos(H) = d_dl / (mu0H - mu0H_K) - r_ane [- r_one mu0H]: ``d_dl`` (Ohm T),
    ``mu0_h_dl`` = 2 d_dl / R_AHE (T), ``r_ane`` (Ohm) [and ``r_one``, Ohm/T] (``acos_u``: the
    coefficients as uncertain values, whose correlations d_dl keeps)."""
    if np.any(bs - mu0_hk <= 0):
        raise HallAnalysisError("method (a): field at or below the anisotropy field after exclusions")
    nfree = 3 if include_one else 2
    if len(bs) <= nfree:
        left_out = "; ".join(f"{e['field'] * 1e3:.4g} mT: {e['reason']}" for e in excluded)
        raise HallAnalysisError(
            f"method (a): the 1/(H - H_K) law of the cos(phi) coefficient has {nfree} free "
            f"parameters (H_DL, the anomalous Nernst term r_ane{', r_one' if include_one else ''}) "
            f"and only {len(bs)} rotations with a second harmonic remain "
            f"({', '.join(f'{b * 1e3:.4g}' for b in sorted(bs))} mT): give rotations at "
            f"{nfree + 1} or more fields where m follows the field in the plane"
            + (f" (left out: {left_out})" if left_out else ""))
    dcos = Dataset(bs, acos[:, 0], acos[:, 1], x_name="field", y_name="a_cos", x_unit="T",
                   y_unit="Ohm", meta={"source": "a_cos(H)"})
    start = _cos_law(bs, acos, mu0_hk, include_one)[0]
    rc = _fit_field_law(dcos, avci_cos_field, start, "d_dl", mu0_hk, include_one)
    fits["a_cos(H)"] = rc
    d_dl = _u_carried(rc, "d_dl", acos_u, _linear_gain(dcos, avci_cos_field, rc), birge=True)
    q["d_dl"] = d_dl
    q["mu0_h_dl"] = 2 * d_dl / r_ahe
    q["r_ane"] = _u(rc, "r_ane", birge=True)
    if include_one:
        q["r_one"] = _u(rc, "r_one", birge=True)
    q["mu0_hk_eff"] = float(mu0_hk)
    q["r_ahe"] = float(r_ahe)
    _flag_redchi(flags, ["d_dl", "mu0_h_dl", "r_ane", "r_one"], rc,
                 "method (a), 1/(H - H_K) law of the cos(phi) coefficient over the fields")
    if abs(mu0_hk) > 10 * bs.max():
        notes.append(f"|mu0H_K,eff| = {abs(mu0_hk):.3g} T is much larger than the fields (<= "
                     f"{bs.max():.3g} T): 1/(H - H_K) hardly varies, so H_DL and the thermal term "
                     "are strongly correlated and H_DL is poorly determined")
