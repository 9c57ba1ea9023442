"""Method (b): field sweeps of a perpendicular film with the planar-Hall correction (Hayashi et al.,
PRB 89, 144425 (2014))."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from uncertainties import ufloat, umath

from ...io.hall import HallScan
from ...models.harmonic_hall import hall_line, hall_parabola
from .common import _check_scans, _no_signal, _nominal, _theta_h_notes, _wmean
from .gates import _flag, _flag_disagreement, _undetermined, common_gates
from .leastsq import _fit_quiet
from .result import HallAnalysisError, HallResult
from .sample import Sample, efficiencies


def _sweep_derivatives(s: HallScan, max_field, order_r1=4, order_r2=3):
    """c1 = dR_2w/dH and c2 = (1/2) d^2R_1w/dH^2 at H = 0 (ufloats) from a windowed sweep."""
    x = s.r1w.x
    keep = np.abs(x) <= max_field
    if keep.sum() < 8:
        through = x.size and x.min() < 0 < x.max()
        raise HallAnalysisError(
            f"{s.source}: only {keep.sum()} points with |mu0H| <= {max_field:.3g} T; method (b) "
            "fits 8 points or more "
            + ("within the window around zero field (0.15 x the anisotropy field estimated from "
               "the curvature of R_1w, unless given): widen it with --max-field (e.g. "
               f"{1e3 * 2 * max_field:.0f}mT; max_field= in Python), since this sweep passes "
               "through zero field with too few points in it" if through else
               "of a sweep through zero field"))
    free1 = ["c3", "c4"][: max(0, order_r1 - 2)]
    free2 = ["c2", "c3"][: max(0, order_r2 - 1)]
    r1, m1 = _fit_quiet(s.r1w.where(keep), hall_parabola, free=free1,
                        fixed=[k for k in ("c3", "c4") if k not in free1])
    r2, m2 = _fit_quiet(s.r2w.where(keep), hall_line, free=free2,
                        fixed=[k for k in ("c2", "c3") if k not in free2])
    return r1, r2, m1 + m2


#: The flag of a run without R_PHE (``r_phe=None``): what the missing correction mixes.
NO_R_PHE_FLAG = ("R_PHE not given (--r-phe; Python: r_phe=...): the field sweeps are analysed "
                 "without the planar-Hall correction (xi = R_PHE/R_AHE = 0); the damping-like and "
                 "field-like fields then mix by 2 xi of each other (Hayashi et al. 2014, eq. (5)), "
                 "not in their standard errors: give R_PHE from an in-plane rotation (0 where the "
                 "planar Hall effect is negligible)")


def hayashi(scans: Sequence[HallScan], *, r_phe, max_field=None, r_ane=None, r_one=None,
            theta_h_stderr: float = 0.0, sample: Sample | None = None) -> HallResult:
    """Field sweeps of a perpendicular film with the planar-Hall correction (Hayashi et al.,
    PRB 89, 144425 (2014), eqs. (4)-(5)).

    For each sweep along x (longitudinal, phi_h = 0) and y (transverse, phi_h = 90) and each
    perpendicular state s = m_z = +-1: b = (dR_2w/dH) / (d^2R_1w/dH^2) at H = 0 (polynomials
    in H fitted within |mu0H| <= ``max_field``). With xi = R_PHE/R_AHE, the house definition
    R_2w = (1/2) dR_xy gives (docs/hall.md; Hayashi's eq. (5) with the opposite overall sign of
    his lock-in convention)::

        dB_x(s) = 2 (b_x + 2 s xi b_y) / (1 - 4 xi^2),   dB_y(s) = 2 (b_y + 2 s xi b_x) / (1 - 4 xi^2)

    and, with dB = mu0_h_dl (m x y) + mu0_h_fl y at m = s z: mu0_h_dl = -s dB_x(s),
    mu0_h_fl_oe = dB_y(s), averaged over the states (weighted).

    Field tilted out of the plane (meta ``theta_h`` != 90 deg, common to avoid domains): near
    m = s z the in-plane magnetisation is m_x = H sin(theta_h)/(H_K + s H cos(theta_h)), so at
    H = 0 dR_2w/dH scales with sin(theta_h) and d^2R_1w/dH^2 with sin^2(theta_h); each b is
    multiplied by sin(theta_h) and H_K from the curvature divided by it. This is exact for the
    derivatives at H = 0 (the H cos(theta_h) change of the stiffness enters only the higher
    polynomial terms); without it a 20 deg tilt biases both fields by 1/sin(70 deg) - 1 = 6 %.

    Thermal terms: an anomalous Nernst term -r_ane m_x (and ordinary Nernst -r_one B_x) is
    linear in H_x like the damping-like signal and has the same m_z symmetry, so the sweeps
    alone cannot separate it. Give ``r_ane`` (and ``r_one``) from another method (e.g. (c)) to
    subtract it; otherwise ``mu0_h_dl`` contains it and a note says so.

    R_AHE and the anisotropy field: R_AHE is half the jump of the fitted R_1w(0) between the two
    states, corrected for the second-order response to the current (the torques tilt m away from
    the pole at H = 0: s R_1w(0) = R_AHE [1 - (3/8)(H_DL^2 + H_FL^2)/H_K^2] - (3/2) R_PHE H_DL H_FL/H_K^2
    + (3/2) r_ane H_DL/H_K, docs/hall.md); mu0H_K = sqrt(R_AHE / (2 c2)) with c2 the curvature
    -s (1/2) d^2R_1w/dH^2 / sin^2(theta_h) averaged with equal weights over the (direction, state)
    groups, in which the planar Hall term of an angle offset cancels. Both carry the correlated
    standard errors of the polynomial fits (errors from their scatter) and pass them on to the
    torque fields (through xi = R_PHE/R_AHE and r_ane/H_K).

    Parameters
    ----------
    scans : sequence of HallScan
        Field sweeps with meta ``phi_h`` near 0 or 90 deg, ``theta_h`` within 45 deg of the
        plane (default 90) and ``mz_state`` +1 or -1.
    r_phe : float, ufloat or None
        Planar Hall resistance in Ohm (from an in-plane rotation). Required: 0 disables the
        correction explicitly; None says it was not measured (taken as 0, the torque fields
        flagged with what that mixes).
    max_field : float, optional
        Half-width of the fitted window in T; default 0.15 x the anisotropy field estimated from
        the curvature of R_1w.
    r_ane, r_one : float, optional
        Thermal coefficients to subtract (Ohm, Ohm/T).
    theta_h_stderr : float
        Standard uncertainty in deg of the polar angle of the field, one independent value per
        sweep direction (x, y) shared by both states (sample mounting). For tilted sweeps the
        ratios scale with sin(theta_h) and H_K with sin(theta_h)/sqrt(c2), so a misalignment d
        changes both by cot(theta_h) d; in-plane sweeps are insensitive to first order.
    sample : Sample, optional

    Returns
    -------
    HallResult
        ``mu0_h_dl``, ``mu0_h_fl_oe``, ``r_ahe`` (Ohm), ``mu0_hk_eff`` (T) (+ conversions), all with
        standard uncertainties.
    """
    scans = _check_scans(scans, "field", "(b) hayashi")
    notes, fits, excluded, flags = [], {}, [], {}
    _theta_h_notes(scans, notes)
    groups = _group_sweeps(_through_zero(scans, excluded))
    states = sorted({k[1] for k in groups})
    sin_th = _field_tilt(groups, theta_h_stderr, notes)
    window = _window(groups, sin_th, max_field, notes)
    final = {}
    for ss in groups.values():
        for s in ss:
            r1, r2, msg = _sweep_derivatives(s, window)
            notes.extend(msg)
            fits[f"r1w:{s.source}"], fits[f"r2w:{s.source}"] = r1, r2
            final[s.source] = (r1, r2)
    _check_state_levels(groups, {k: v[0] for k, v in final.items()})
    # R_AHE and H_K from the fits in the window, with the correlated uncertainties of c0 and c2
    r_ahe_raw, c2m = _curvature_terms(groups, {k: v[0] for k, v in final.items()}, sin_th)
    if c2m.nominal_value * r_ahe_raw.nominal_value <= 0:
        raise HallAnalysisError("method (b): R_1w does not bend towards zero as |H| grows within the window "
                                f"|mu0H| <= {window:.3g} T")
    r_phe_given = r_phe is not None
    if not r_phe_given:
        r_phe = 0.0
    rp = r_phe if hasattr(r_phe, "nominal_value") else float(r_phe)
    if float(getattr(rp, "nominal_value", rp)) == 0 and r_phe_given:
        notes.append("R_PHE = 0: no planar-Hall correction (Hayashi's xi = 0)")
    # r_ane with its own error: the torques at its value, and its error carried to first order
    # (in the weights of the two states' mean it would move the value: it shifts both alike)
    carried = hasattr(r_ane, "std_dev") and r_ane.std_dev > 0
    r_ane_value = r_ane.nominal_value if carried else r_ane

    def at(r):
        sweeps = _SweepFits(groups, final, sin_th, window, c2m, rp, r, r_one)
        hk, h_dl, h_fl, _, _, _ = sweeps.torques(r_ahe_raw)
        r_ahe = r_ahe_raw + _second_order(r_ahe_raw, rp, r, hk, h_dl, h_fl)
        return (r_ahe, *sweeps.torques(r_ahe)), sweeps

    _exclude_silent(groups, excluded)
    (r_ahe, hk, h_dl, h_fl, rows, dls, fls), sweeps = at(r_ane_value)
    q = {"mu0_h_dl": h_dl, "mu0_h_fl_oe": h_fl, "r_ahe": r_ahe, "mu0_hk_eff": hk, "r_phe": rp}
    if carried:
        step = 1e-3 * max(abs(r_ane_value), r_ane.std_dev)
        moved = dict(zip(("r_ahe", "mu0_hk_eff", "mu0_h_dl", "mu0_h_fl_oe"),
                         at(r_ane_value + step)[0][:4]))
        for k, v in moved.items():
            slope = (float(getattr(v, "nominal_value", v))
                     - float(getattr(q[k], "nominal_value", q[k]))) / step
            q[k] = q[k] + slope * (r_ane - r_ane_value)
    _state_notes(dls, states, flags, notes)
    if len(states) == 1:
        _one_state_flags(sweeps, r_ahe, q, flags)
    _hayashi_gates(groups, {k: v[0] for k, v in final.items()}, sin_th, rp, dls, fls, flags, notes)
    _field_tilt_gate(groups, {k: v[0] for k, v in final.items()}, window, q, flags, notes)
    if not r_phe_given:
        # H_FL 20 standard errors off (-0.17 mT for -0.8) passed --strict with a note alone
        _flag(flags, ["mu0_h_dl", "mu0_h_fl_oe"], NO_R_PHE_FLAG)
    if r_ane is None:
        # a 24-sigma bias on the bundled sweeps (1.79 +- 0.009 mT against 2.0) passed --strict
        _flag(flags, ["mu0_h_dl"], "no r_ane given: mu0_h_dl includes the anomalous Nernst term "
              "(the same symmetry as the damping-like signal in these sweeps, not in its standard "
              "error); give r_ane from method (c) or (d), with its error (--r-ane "
              "0.184+/-0.063mOhm)")
        if _nominal(rp) != 0:
            # through the xi-mixing the field-like field holds it too: -0.17 mT for -0.8 (83
            # standard errors) came out unflagged beside a flagged H_DL
            _flag(flags, ["mu0_h_fl_oe"], "no r_ane given while R_PHE is not 0: through the "
                  "mixing of the x and y sweeps by the planar Hall effect, mu0_h_fl_oe includes "
                  "4 xi r_ane H_K/(R_AHE (1 - 4 xi^2)) (xi = R_PHE/R_AHE; docs/hall.md), not in "
                  "its standard error; give r_ane from method (c) or (d), with its error")
    elif not hasattr(r_ane, "std_dev") or r_ane.std_dev == 0:
        notes.append("r_ane taken as exact: its own standard error (from method (c) or (d)) is "
                     "not in the error of mu0_h_dl; give it with its error (--r-ane "
                     "0.184+/-0.063mOhm; Python: a ufloat) to carry it")
    q = efficiencies(q, sample, notes)
    common_gates(q, scans, flags)
    return HallResult("hayashi", q, rows, excluded, notes, fits, flags)


def _through_zero(scans, excluded: list) -> list:
    """The sweeps that pass through zero field; the others are added to ``excluded``."""
    through = [s for s in scans if s.r1w.x.min() <= 0.0 <= s.r1w.x.max()]
    for s in scans:
        if not any(s is t for t in through):
            excluded.append({"field": None, "source": s.source,
                             "reason": "the sweep does not pass through zero field (e.g. the branch of a loop "
                                       "after its switching jump): method (b) uses the derivatives at H = 0"})
    if not through:
        raise HallAnalysisError("method (b): no field sweep passes through zero field; it needs the "
                                "derivatives of R_1w and R_2w at H = 0 (sources: "
                                + ", ".join(s.source for s in scans) + "). Method (b) is for "
                                "perpendicular films swept through zero; sweeps of an in-plane "
                                "film, or parts of loops alone, take --method macrospin")
    return through


def _group_sweeps(scans) -> dict:
    """The sweeps by (direction 'x' or 'y', perpendicular state +1 or -1)."""
    groups = {}
    for s in scans:
        st = int(s.meta.get("mz_state", 0))
        turn = float(s.meta.get("phi_h", 0.0)) % 360.0
        if abs(turn - 180.0) < 10 or abs(turn - 270.0) < 10:
            # a sweep written along -x (phi_h = 180) was read along +x: H_DL -2.59 mT for +1.79
            raise HallAnalysisError(
                f"{s.source}: method (b) takes sweeps along +x or +y, and this one's phi_h is "
                f"{turn:g} deg (along -{'x' if abs(turn - 180.0) < 10 else 'y'}): the same "
                "sweep is the field along +x (or +y) with the field's sign turned; give it so "
                "(phi_h = 0 or 90 and the field negated), or use --method macrospin, which takes "
                "any phi_h")
        ph = turn % 180.0
        if st not in (1, -1):
            raise HallAnalysisError(f"{s.source}: method (b) needs the perpendicular state of the sweep "
                                    "(mz_state = +1 or -1): give it in a column (--column "
                                    "mz_state=NAME), for the file (sotfit hall --mz-state FILE=+1; "
                                    "read_hall(..., mz_state={FILE: 1})), or sweep through the "
                                    "switching jump with the sign of R_AHE (--r-ahe) or the tilt "
                                    "of the field (--theta-h)")
        if min(abs(ph), abs(ph - 180)) < 10:
            d = "x"
        elif abs(ph - 90) < 10:
            d = "y"
        else:
            raise HallAnalysisError(f"{s.source}: method (b) needs sweeps along x or y, not phi_h={ph} deg")
        th_h = float(s.meta.get("theta_h", 90.0))
        if not 45.0 <= th_h % 360.0 <= 135.0:
            raise HallAnalysisError(f"{s.source}: method (b) needs sweeps near the film plane; theta_h = "
                                    f"{th_h} deg is more than 45 deg out of it")
        groups.setdefault((d, st), []).append(s)
    return groups


def _field_tilt(groups, theta_h_stderr: float, notes: list) -> dict:
    """sin(theta_h) of every sweep (by source; a ufloat with one misalignment of ``theta_h_stderr``
    deg per sweep direction), with notes on tilted sweeps."""
    if theta_h_stderr < 0:
        raise HallAnalysisError(f"theta_h_stderr must be >= 0 deg, not {theta_h_stderr}")
    mis = {d: ufloat(0.0, math.radians(theta_h_stderr), f"theta_h misalignment ({d} sweeps)")
           if theta_h_stderr > 0 else 0.0 for d in ("x", "y")}
    sin_th = {s.source: umath.sin(math.radians(float(s.meta.get("theta_h", 90.0))) + mis[d])
              for (d, _), ss in groups.items() for s in ss}
    tilted = sorted({round(float(s.meta.get("theta_h", 90.0)), 6) for ss in groups.values() for s in ss} - {90.0})
    if tilted:
        notes.append(f"field tilted out of the plane (theta_h = {', '.join(f'{t:g}' for t in tilted)} deg): "
                     "the in-plane part of the field is H sin(theta_h), so the ratios b and the anisotropy "
                     "field from the curvature are scaled by sin(theta_h) (exact for the derivatives at H = 0)")
        if theta_h_stderr == 0:
            cot = max(abs(1 / math.tan(math.radians(t))) for t in tilted)
            notes.append(f"theta_h taken as exact: a misalignment of 1 deg (e.g. a tilted sample) changes H_K and "
                         f"the torque fields by {cot * math.radians(1.0):.1%}, not in their standard errors; give "
                         "its uncertainty to include it (--theta-h-stderr 1deg; Python: theta_h_stderr=1)")
    return sin_th


def _window(groups, sin_th, max_field, notes: list) -> float:
    """Half-width (T) of the fitted window: ``max_field``, or 0.15 x the anisotropy field estimated
    from a first pass on the whole sweep range."""
    first = {}
    for ss in groups.values():
        for s in ss:
            span = float(np.max(np.abs(s.r1w.x)))
            r1, _, _ = _sweep_derivatives(s, span if max_field is None else max_field)
            first[s.source] = r1
    if len({k[1] for k in groups}) != 2:
        notes.append("only one perpendicular state: R_AHE taken as m_z R_1w(0) (includes any offset), "
                     "and H_K with it; both are flagged")
    r_ahe0, c2m0 = _curvature_terms(groups, first, sin_th)
    # R_1w bends towards zero as |H| grows: the curvature has the sign of R_AHE (which may be
    # negative: the sign of the Hall voltage is a matter of the wiring)
    if c2m0.nominal_value * r_ahe0.nominal_value <= 0:
        raise HallAnalysisError("method (b): R_1w does not bend towards zero as |H| grows (no perpendicular "
                                "magnetisation); these are not sweeps of a perpendicular film")
    hk_est = math.sqrt(r_ahe0.nominal_value / (2 * c2m0.nominal_value))
    window = 0.15 * hk_est if max_field is None else float(max_field)
    if window > 0.3 * hk_est:
        notes.append(f"window |mu0H| <= {window:.3g} T is more than 0.3 x H_K ({hk_est:.3g} T): "
                     "the small-angle formulas are biased")
    return window


def _anisotropy_field(r_ahe, c2):
    """mu0H_K = sqrt(R_AHE / (2 c2)) (T) from R_AHE (Ohm) and the normalised curvature c2 (Ohm/T^2)."""
    return (r_ahe / (2 * c2)) ** 0.5


class _SweepFits:
    """The polynomial fits of the sweeps in the window and what turns them into torque fields."""

    def __init__(self, groups, final, sin_th, window, c2m, r_phe, r_ane, r_one):
        self.groups, self.final, self.sin_th, self.window = groups, final, sin_th, window
        self.c2m, self.r_phe, self.r_ane, self.r_one = c2m, r_phe, r_ane, r_one
        self.states = sorted({k[1] for k in groups})

    def ratios(self, hk):
        """b = (dR_2w/dH) / (d^2R_1w/dH^2) x sin(theta_h) at H = 0 by (direction, state) (thermal
        terms removed where given), and the table rows."""
        b, rows = {}, []
        for (d, st), ss in self.groups.items():
            for s in ss:
                if _no_signal(s):
                    continue
                r1, r2 = self.final[s.source]
                c1, c2 = r2["c1"], r1["c2"]
                sin_th = self.sin_th[s.source]
                if d == "x":
                    if self.r_ane is not None:
                        c1 = c1 + self.r_ane * sin_th / hk  # -r_ane m_x, m_x = H sin(theta_h)/H_K
                    if self.r_one is not None:
                        c1 = c1 + self.r_one * sin_th  # -r_one B_x, B_x = H sin(theta_h)
                bval = c1 / (2 * c2) * sin_th
                rows.append({"source": s.source, "direction": d, "mz_state": st, "window": self.window,
                             "c1": c1.nominal_value, "c1_stderr": c1.std_dev, "c2": c2.nominal_value,
                             "c2_stderr": c2.std_dev, "b": bval.nominal_value, "b_stderr": bval.std_dev})
                b.setdefault((d, st), []).append(bval)
        return b, rows

    def state_fields(self, b, xi):
        """Hayashi's eq. (5) in each state: mu0_h_dl and mu0_h_fl_oe (T) by state."""
        dls, fls = {}, {}
        for st in self.states:
            if ("x", st) not in b or ("y", st) not in b:
                if any(_no_signal(s) for (_, s_st), ss in self.groups.items() if s_st == st for s in ss):
                    continue  # a sweep of this state has no second harmonic: the state is left out
                have = "; ".join(f"{d} sweeps with m_z = {s_st:+d}: "
                                 + ", ".join(s.source for s in ss)
                                 for (d, s_st), ss in sorted(self.groups.items()))
                raise HallAnalysisError(
                    f"method (b) needs both a longitudinal (x) and a transverse (y) sweep for "
                    f"m_z = {st:+d}; have {have or 'none'}. The axis of a sweep is read from a "
                    "phi_h or sweep-axis column (name it with --column phi_h=NAME or "
                    "--column sweep_axis=NAME), the field column's name (Hx, Hy) or the file "
                    "name (Hx, sweep_y, ..._x, longitudinal, transverse); a sweep with none of "
                    "these is taken along x "
                    "(phi_h = 0, or --phi-h)")
            bx = sum(b[("x", st)]) / len(b[("x", st)])
            by = sum(b[("y", st)]) / len(b[("y", st)])
            dbx = 2 * (bx + 2 * st * xi * by) / (1 - 4 * xi ** 2)
            dby = 2 * (by + 2 * st * xi * bx) / (1 - 4 * xi ** 2)
            dls[st] = -st * dbx
            fls[st] = dby
        return dls, fls

    def torques(self, r_ahe):
        """``(mu0_hk_eff, mu0_h_dl, mu0_h_fl_oe, rows, per-state h_dl, per-state h_fl)`` at ``r_ahe``."""
        hk = _anisotropy_field(r_ahe, self.c2m)
        b, rows = self.ratios(hk)
        dls, fls = self.state_fields(b, self.r_phe / r_ahe)
        if not dls:
            return hk, _undetermined(), _undetermined(), rows, dls, fls
        return (hk, _wmean(list(dls.values()), "mu0_h_dl"), _wmean(list(fls.values()), "mu0_h_fl_oe"),
                rows, dls, fls)


def _exclude_silent(groups, excluded: list) -> None:
    """Add the sweeps without a recorded second harmonic to ``excluded``."""
    for (d, st), ss in groups.items():
        for s in ss:
            reason = _no_signal(s)
            if reason:
                excluded.append({"field": None, "source": s.source,
                                 "reason": f"{reason}: left out of the torque fields (used for R_AHE and "
                                           f"H_K); the m_z = {st:+d} state needs an x and a y sweep with a "
                                           "second harmonic"})


def _second_order(r_ahe_raw, r_phe, r_ane, hk, h_dl, h_fl):
    """The second-order response to the current in R_1w(0), to add to its half jump (Ohm).

    The torques tilt m away from the pole at H = 0, so the lock-in's R_1w(0) = s R_AHE
    - (3/8) s R_AHE d^2 - (3/2) s R_PHE H_DL H_FL / H_K^2 + (3/2) s r_ane H_DL / H_K with
    d^2 = (H_DL^2 + H_FL^2) / H_K^2 (docs/hall.md). 0 without torque fields.
    """
    corr = 0.375 * r_ahe_raw * (h_dl ** 2 + h_fl ** 2) / hk ** 2 + 1.5 * r_phe * h_dl * h_fl / hk ** 2
    if r_ane is not None:
        corr = corr - 1.5 * r_ane * h_dl / hk
    if not math.isfinite(h_dl.std_dev):
        corr = 0.0  # no torque fields: no second-order correction
    return corr


def _state_notes(dls, states, flags: dict, notes: list) -> None:
    """Say when no state or only one state gave torque fields."""
    if not dls:
        why = "undetermined: no perpendicular state has x and y sweeps with a recorded second harmonic"
        _flag(flags, ["mu0_h_dl", "mu0_h_fl_oe"], why)
        notes.append(f"torque fields {why}")
    elif len(dls) < len(states):
        notes.append(f"torque fields from the m_z = {next(iter(dls)):+d} state only (the other state lacks "
                     "a sweep with a second harmonic)")


def _hayashi_gates(groups, r1fits, sin_th, r_phe, dls, fls, flags, notes):
    """Sanity gates of method (b) where it has two estimates of one quantity.

    * x and y sweeps: R_AHE and mu0H_K from each direction alone (both states, so the planar Hall
      term of an angle offset cancels within each) must agree within 3 standard errors.
    * The two perpendicular states: their torque fields differ to first order in an azimuthal angle
      offset d of the field, by about 2 d H_FL (H_DL) and 2 d H_DL (H_FL), with opposite signs that
      cancel in the mean (docs/hall.md). d is estimated from the pattern of the four curvatures,
      whose relative deviations are +-2 xi sin(2d) (sign s for x sweeps, -s for y sweeps); the
      states are flagged when they differ by more than 3 standard errors after adding that
      first-order term (half to each state) in quadrature.
    """
    states = sorted({k[1] for k in groups})
    if len(states) == 2 and {"x", "y"} <= {k[0] for k in groups}:
        est = {}
        for d in ("x", "y"):
            r, c2 = _curvature_terms({k: v for k, v in groups.items() if k[0] == d}, r1fits, sin_th)
            est[d] = (r, _anisotropy_field(r, c2) if _nominal(c2) * _nominal(r) > 0 else None)
        _flag_disagreement(flags, ["r_ahe"], est["x"][0], est["y"][0], "R_AHE from x sweeps",
                           "R_AHE from y sweeps")
        if est["x"][1] is not None and est["y"][1] is not None:
            _flag_disagreement(flags, ["mu0_hk_eff"], est["x"][1], est["y"][1], "mu0_hk_eff from x sweeps",
                               "mu0_hk_eff from y sweeps")
    if len(dls) != 2:
        return
    c2n = {k: np.mean([_nominal(r1fits[s.source]["c2"]) * (-k[1]) / _nominal(sin_th[s.source]) ** 2
                       for s in ss]) for k, ss in groups.items()}
    avg = np.mean(list(c2n.values()))
    pattern = np.mean([(v / avg - 1) * k[1] * (1 if k[0] == "x" else -1) for k, v in c2n.items()])
    r_ahe = 0.5 * (np.mean([_nominal(r1fits[s.source]["c0"]) for k, ss in groups.items() if k[1] == 1
                            for s in ss])
                   - np.mean([_nominal(r1fits[s.source]["c0"]) for k, ss in groups.items() if k[1] == -1
                              for s in ss]))
    xi = _nominal(r_phe) / r_ahe if r_ahe else 0.0
    delta = 0.5 * math.asin(min(1.0, abs(pattern / (2 * xi)))) if xi else 0.0
    h_dl = 0.5 * abs(_nominal(dls[1]) + _nominal(dls[-1]))
    h_fl = 0.5 * abs(_nominal(fls[1]) + _nominal(fls[-1]))
    if delta:
        notes.append(f"the curvatures of R_1w show an azimuthal angle offset of about {math.degrees(delta):.2g} deg "
                     "(pattern +-2 xi sin(2d) over the sweep directions and states); it biases the two "
                     "states' torque fields oppositely to first order and cancels in their mean")
    for name, per, other in (("mu0_h_dl", dls, h_fl), ("mu0_h_fl_oe", fls, h_dl)):
        allowance = delta * other  # half the first-order difference, given to each state
        a, b = (ufloat(_nominal(per[st]), math.hypot(per[st].std_dev, allowance)) for st in (1, -1))
        _flag_disagreement(flags, [name], a, b, "m_z = +1 estimate", "m_z = -1 estimate")


#: Standard errors by which the polar angle of the field shown by the sweeps must differ from
#: the one taken before it is flagged.
TILT_SIGMAS = 3.0


def _mean_of_sweeps(est):
    """Inverse-variance mean of the sweeps' estimates, its error inflated by their scatter
    (the Birge ratio where it exceeds 1)."""
    from ...stats import inverse_variance_mean

    mean = inverse_variance_mean(est)
    if len(est) > 1:
        vals = np.array([_nominal(e) for e in est])
        errs = np.array([e.std_dev for e in est])
        birge = math.sqrt(max(1.0, float(np.sum(((vals - _nominal(mean)) / errs) ** 2))
                              / (len(est) - 1)))
        mean = ufloat(_nominal(mean), mean.std_dev * birge)
    return mean


def _series_leaks(x, weights=None) -> np.ndarray:
    """How the terms H^5 ... H^8 of R_1w(H) enter the quadratic and cubic coefficients of the
    quartic fit on the points ``x`` (T): row 0 (row 1) the coefficient of x^2 (x^3) in the
    least-squares fits of x^5, x^6, x^7, x^8 by 1, x, ..., x^4 (T^3 ... T^6 and T^2 ... T^5;
    on an even grid over |H| <= w odd powers reach only x^3, (10/9) w^2 from x^5, and even
    ones only x^2), with the fit's ``weights`` (1/err^2) when it had them."""
    x = np.asarray(x, float)
    scale = float(np.max(np.abs(x)))
    u = x / scale
    basis = np.vander(u, 5, increasing=True)
    powers = np.stack([u ** p for p in _HIGHER_POWERS], axis=1)
    if weights is not None:
        root = np.sqrt(np.asarray(weights, float))[:, None]
        basis, powers = basis * root, powers * root
    coef = np.linalg.lstsq(basis, powers, rcond=None)[0][2:4]
    return coef * scale ** (np.array(_HIGHER_POWERS)[None, :] - np.array([[2], [3]]))


#: Powers of H beyond the quartic fit whose leaks :func:`_leak_bias` takes.
_HIGHER_POWERS = (5, 6, 7, 8)


def _m_z_series(c: float) -> dict[int, float]:
    """Coefficients of (H/H_K)^k, k = 2, 3, 5 ... 8, in m_z of the equilibrium
    H_K sin(t) cos(t) = H sin(theta_h - t) near m = +z, the field at cos(theta_h) = ``c``
    from the film normal (the series of the equilibrium angle, solved order by order)."""
    c2_ = c * c
    s2 = 1 - c2_
    return {2: -s2 / 2, 3: c * s2, 5: c * s2 * (1 + c2_),
            6: s2 * (19 * c2_ ** 2 - 58 * c2_ - 1) / 16,
            7: c * s2 * (1 + 8 * c2_ - 6 * c2_ ** 2),
            8: s2 * (1517 * c2_ ** 3 - 1135 * c2_ ** 2 - 825 * c2_ - 5) / 128}


def _leak_bias(leaks: np.ndarray, state: int, c: float, hk: float) -> float:
    """What the terms beyond the quartic add to a sweep's estimate -s c3/(2 c2) H_K of
    cos(theta_h) (the estimate's unit: cos(theta_h) at the H_K ``hk`` in T), for the
    :func:`_series_leaks` ``leaks`` of its points, its perpendicular state ``state`` and the
    field at cos(theta_h) = ``c``: the state s = -1 is the state +1 with the field mirrored,
    m_z(H; c) -> -m_z(H; -c)."""
    f = _m_z_series(state * c)
    c2 = f[2] / hk ** 2 + sum(leaks[0, i] * f[p] / hk ** p for i, p in enumerate(_HIGHER_POWERS))
    c3 = f[3] / hk ** 3 + sum(leaks[1, i] * f[p] / hk ** p for i, p in enumerate(_HIGHER_POWERS))
    return state * (-c3 * hk / (2 * c2)) - c


def _field_tilt_gate(groups, r1fits, window: float, q: dict, flags: dict, notes: list) -> None:
    """Flag H_K and the torque fields where the odd part of R_1w(H) shows the field at another
    polar angle than the one taken.

    Near m = s z, m_x = H sin(theta_h)/(H_K + s H cos(theta_h)), so
    R_1w = s R_AHE (1 - m_x^2/2) has, beside its curvature c2 = -s R_AHE sin^2(theta_h)/(2 H_K^2),
    a cubic term c3 = R_AHE sin^2(theta_h) cos(theta_h)/H_K^3: cos(theta_h) = -s c3 H_K/(2 c2)
    for every sweep, whatever the in-plane part of the field (the planar Hall term of an angle
    offset is even in H to this order, an ordinary Hall term linear). The next terms of m_z
    (:func:`_m_z_series`: s R_AHE sin^2 cos (1 + cos^2) H^5/H_K^5 the first of them) enter
    the cubic and quadratic coefficients of the quartic fit over the window by their
    least-squares projections on the sweep's own points (:func:`_series_leaks`; (10/9) w^2
    of the H^5 term for an even grid over |H| <= w), which are taken out of each estimate
    (:func:`_leak_bias`) at the H_K and the angle shown. The sweeps' estimates are
    averaged (inverse variance, errors inflated by their scatter); a theta_h that differs from
    the one taken by more than :data:`TILT_SIGMAS` standard errors and changes H_K
    (proportional to sin(theta_h)) by more than its standard error is flagged, naming
    ``--theta-h``. A 15 deg tilt read as in-plane gave H_K 50 standard errors off, unflagged.
    An earlier form of the correction, (10/9) w^2 (2 cos^2 + sin^2/2) with the window's width
    and the H_K of the angle taken, showed a field at 70 deg at 69.7 deg and one at 60 deg at
    58.9 deg (8 and 80 standard errors on sweeps of little noise), and flagged the right
    ``--theta-h``.

    Parameters
    ----------
    groups : dict
        The sweeps by (direction, state).
    r1fits : dict
        The polynomial fits of R_1w (coefficients c2, c3 in Ohm/T^2, Ohm/T^3) by source.
    window : float
        Half width of the fitted window in T.
    q : dict
        The quantities (``mu0_hk_eff`` in T); ``flags`` and ``notes`` are updated in place.
    """
    hk = _nominal(q["mu0_hk_eff"])
    taken = {round(float(s.meta.get("theta_h", 90.0)), 6) for ss in groups.values() for s in ss}
    if len(taken) != 1 or not math.isfinite(hk) or hk <= 0:
        return
    theta_taken = taken.pop()
    sin_taken = math.sin(math.radians(theta_taken))
    est, leaks, states = [], [], []
    for (_, st), ss in groups.items():
        for s in ss:
            states.append(st)
            c2, c3 = r1fits[s.source]["c2"], r1fits[s.source]["c3"]
            if not hasattr(c3, "std_dev") or not c3.std_dev > 0 or _nominal(c2) == 0:
                return
            est.append(-st * c3 * hk / (2 * c2))
            keep = np.abs(s.r1w.x) <= window
            err = s.r1w.yerr
            leaks.append(_series_leaks(s.r1w.x[keep],
                                       None if err is None else 1 / np.asarray(err)[keep] ** 2))
    # H_K was taken at the theta_h taken, sin(theta_taken)/sin(theta) times the one at the
    # angle shown: each estimate, its leaks divided out, is k = cot(theta) sin(theta_taken), so
    # cos(theta) = k'/sqrt(1 + k'^2) with k' = k/sin(theta_taken); the leaks, which depend on
    # the angle and H_K shown, are taken again at each angle found
    c = 0.0
    for _ in range(4):
        sin_shown = math.sqrt(max(1 - c * c, 0.0))
        hk_shown = hk * sin_shown / sin_taken
        k = _mean_of_sweeps([e - _leak_bias(lk, st, c, hk_shown) * sin_taken / sin_shown
                             for e, lk, st in zip(est, leaks, states)]) / sin_taken
        cos_th = k / umath.sqrt(1 + k * k)
        c = max(-1.0, min(_nominal(cos_th), 1.0))
    c, dc = _nominal(cos_th), cos_th.std_dev
    shift = abs(c - math.cos(math.radians(theta_taken)))
    if not (dc > 0 and shift > TILT_SIGMAS * dc):
        return
    theta = math.degrees(math.acos(max(-1.0, min(1.0, c))))
    dtheta = math.degrees(dc / max(math.sqrt(max(1 - c * c, 0.0)), 1e-12))
    hk_err = getattr(q["mu0_hk_eff"], "std_dev", 0.0)
    moved = abs(math.sin(math.radians(theta)) / math.sin(math.radians(theta_taken)) - 1) * hk
    if not moved > hk_err:
        notes.append(f"the cubic part of R_1w(H) shows the field at theta_h = {theta:.3g} +/- "
                     f"{dtheta:.2g} deg (taken: {theta_taken:g} deg), which changes H_K by "
                     f"{moved:.2g} T, within its standard error")
        return
    # the torque fields are ratios of derivatives along the applied field, whose component in
    # the plane is H sin(theta_h): they scale as 1/sin(theta_h), and are flagged where that
    # moves them by more than their standard error (a tilt of 3 deg moved H_K by 7 standard
    # errors and the torque fields by 0.2: they were flagged with it)
    ratio = math.sin(math.radians(theta)) / math.sin(math.radians(theta_taken))
    named = ["mu0_hk_eff"]
    for n in ("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl"):
        if n in q:
            err = getattr(q[n], "std_dev", math.nan)
            if not (math.isfinite(err) and abs(_nominal(q[n]) * (1 / ratio - 1)) <= err):
                named.append(n)
    _flag(flags, named,
          f"the cubic part of R_1w(H), R_AHE sin^2(theta_h) cos(theta_h) H^3/H_K^3 near m = +-z, "
          f"shows the field at theta_h = {theta:.3g} +/- {dtheta:.2g} deg from the film normal, "
          f"where {theta_taken:g} deg was taken; H_K and the torque fields scale with "
          f"sin(theta_h) (H_K by {moved:.2g} T here): give the field's polar angle (--theta-h "
          f"{theta:.0f}deg; Python: theta_h in the scans' meta)")


#: Why R_AHE and H_K of sweeps of one perpendicular state are flagged.
ONE_STATE_REASON = ("one perpendicular state only: R_AHE = m_z R_1w(0) holds the offset of R_1w "
                    "(contacts, misalignment), which only the other state separates, and "
                    "mu0_hk_eff = sqrt(R_AHE / 2 c2) carries half its relative size; neither "
                    "standard error includes it. Sweep from both states (the torque fields depend "
                    "on R_AHE only through R_PHE/R_AHE)")


#: Relative offset of R_1w against which the torque fields of one perpendicular state are tested:
#: they are flagged where R_AHE changed by this fraction moves them by more than a standard error.
ONE_STATE_OFFSET = 0.1


def _one_state_flags(sweeps, r_ahe, q, flags) -> None:
    """Flag R_AHE and H_K of sweeps of one perpendicular state, and the torque fields where their
    dependence on R_AHE (through xi = R_PHE/R_AHE and r_ane/H_K) makes an offset of
    :data:`ONE_STATE_OFFSET` x R_AHE larger than their standard errors."""
    _flag(flags, ["r_ahe", "mu0_hk_eff"], ONE_STATE_REASON)
    _, h_dl, h_fl, _, _, _ = sweeps.torques(r_ahe * (1 + ONE_STATE_OFFSET))
    for name, moved in (("mu0_h_dl", h_dl), ("mu0_h_fl_oe", h_fl)):
        now = q[name]
        shift = abs(_nominal(moved) - _nominal(now))
        if math.isfinite(now.std_dev) and shift > now.std_dev:
            _flag(flags, [name], f"one perpendicular state only: an offset of R_1w of "
                                 f"{ONE_STATE_OFFSET:.0%} of R_AHE (which only the other state "
                                 f"separates) moves {name} by {shift / now.std_dev:.2g} standard "
                                 "errors, through R_PHE/R_AHE and r_ane/H_K")


#: Largest spread of R_1w(0) among the sweeps given one m_z state, as a fraction of the largest
#: |R_1w(0)| of all sweeps: the level of one state is R_AHE m_z plus the contact offset, the
#: same for every sweep of it (drift between sweeps moves it by a fraction of a per cent).
STATE_LEVEL_SPREAD = 0.5


def _check_state_levels(groups, r1fits) -> None:
    """Refuse sweeps given one m_z state whose levels R_1w(0) say they are in different states
    (+1.2 and -1.19 Ohm, both labelled +1: averaged, they gave H_DL 35 times too small and
    R_AHE of 0.01 Ohm without a flag)."""
    levels = {s.source: float(getattr(r1fits[s.source]["c0"], "nominal_value",
                                      r1fits[s.source]["c0"]))
              for ss in groups.values() for s in ss}
    scale = max(abs(v) for v in levels.values())
    for st in sorted({k[1] for k in groups}):
        mine = {src: levels[src] for (d, s_), ss in groups.items() if s_ == st for src in
                (s.source for s in ss)}
        lo, hi = min(mine, key=mine.get), max(mine, key=mine.get)
        if scale > 0 and mine[hi] - mine[lo] > STATE_LEVEL_SPREAD * scale:
            raise HallAnalysisError(
                f"method (b): the sweeps given m_z = {st:+d} have R_1w(0) of {mine[lo]:.4g} Ohm "
                f"({lo}) and {mine[hi]:+.4g} Ohm ({hi}); the level of one state is the same for "
                "every sweep of it (R_AHE m_z plus the offset), so these sweeps are in different "
                "states: give each its own (--mz-state FILE=+1 or FILE=-1; the state column or "
                "the switching jump of a loop says it where the file has one)")


def _curvature_terms(groups, r1fits, sin_th):
    """R_AHE (half the jump of R_1w(0) between the perpendicular states) and the normalised
    curvature c2 = R_AHE / (2 mu0H_K^2) of R_1w at H = 0, as correlated uncertain values.

    Each (direction, state) group counts equally: an angle offset phi0 adds a planar Hall term
    R_PHE sin(2 phi_H) (H/H_K)^2 of opposite signs to x and y sweeps and to the two states, which
    this average cancels. One state only: R_AHE = |R_1w(0)| (includes the contact offset).
    """
    def mean(vals):
        return sum(vals) / len(vals)

    c0 = {k: mean([r1fits[s.source]["c0"] for s in ss]) for k, ss in groups.items()}
    c2 = {k: mean([r1fits[s.source]["c2"] * (-k[1]) / sin_th[s.source] ** 2 for s in ss])
          for k, ss in groups.items()}
    states = sorted({k[1] for k in groups})
    if len(states) == 2:
        r_ahe = 0.5 * (mean([c0[k] for k in c0 if k[1] == 1]) - mean([c0[k] for k in c0 if k[1] == -1]))
    else:
        # one state s: R_1w(0) = offset + s R_AHE, so R_AHE = s R_1w(0) (with the offset; signed: a
        # negative R_AHE is the wiring's, and |R_1w(0)| would make it positive and refuse the sweeps)
        r_ahe = states[0] * mean(list(c0.values()))
    return r_ahe, mean(list(c2.values()))
