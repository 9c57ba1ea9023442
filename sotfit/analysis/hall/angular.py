"""Method (c): out-of-plane (xz) rotation (seed 003_010c0338986411e7.txt, main text, Fig. 5)."""

from __future__ import annotations

import dataclasses

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...data import Dataset
from ...fitting import fit_global
from ...io.hall import HallScan
from ...models.harmonic_hall import HALL_MODELS, angular_slope_field, hall_line
from .angular_first import _angular_first_harmonic, _angular_scan, _pole_difference
from .common import _check_scans, _no_signal, _nominal, _ub
from .gates import _at_bounds, _flag, _flag_redchi, _undetermined, common_gates
from .leastsq import _fit_field_law, _fit_quiet
from .result import HallAnalysisError, HallResult
from .sample import Sample, efficiencies


#: The flag of method (c) without R_PHE (``r_phe=None``).
NO_R_PHE_FLAG = ("R_PHE not given (--r-phe; Python: r_phe=...): the field-like term "
                 "R_PHE H_FL/(H + H_K) of the pole slopes is left out (R_PHE = 0), and mu0_h_dl "
                 "then holds 2 R_PHE H_FL/R_AHE beside the damping-like field, not in its standard "
                 "error: give R_PHE from an in-plane rotation and mu0_h_fl_oe from method (b) (0 where "
                 "the planar Hall effect is negligible)")


#: The flag of method (c) with R_PHE but without the field-like field (``mu0_h_fl=None``).
NO_H_FL_FLAG = ("mu0_h_fl_oe not given (--h-fl; Python: mu0_h_fl=) while R_PHE is not 0: the "
                "field-like term R_PHE (H_FL + H_Oe)/(H + H_K) of the pole slopes is taken as 0, "
                "and mu0_h_dl then holds 2 R_PHE (H_FL + H_Oe)/R_AHE beside the damping-like "
                "field, not in its standard error: give mu0_h_fl_oe of method (b)")


def angular(scans: Sequence[HallScan], *, r_ahe=None, mu0_hk=None, r_phe=0.0, mu0_h_fl=None,
            max_sin=0.25, include_one: bool = False, r_ohe: float = 0.0, theta0: float = 0.0,
            theta_m_from: str = "r1w", sample: Sample | None = None,
            check_ohe: bool = True) -> HallResult:
    """Out-of-plane (xz) rotation method of seed 003_010c0338986411e7.txt (main text, Fig. 5).

    At each field: theta_M from cos(theta_M) = (R_1w - offset - r_ohe B_z)/R_AHE (sign of
    sin(theta_M) from the field angle), then R_2w against sin(theta_M) near both poles
    (|sin theta_M| <= ``max_sin``) gives the slope, and over the fields::

        dR_2w/d(sin theta_M) = [(1/2) R_AHE mu0H_DL + R_PHE mu0H_FL] / (mu0H + mu0H_K) - r_ane
                               [- r_one (mu0H + mu0H_K)]

    This is the linear-response result for a ferromagnet with R_xy = R_AHE m_z + R_PHE sin^2
    sin2phi (docs/hall.md). The seed writes -R_ANE - (1/2) R_AHE H_DL [1 - 4 (R_PHE/R_AHE)^2]/
    (H + H_K): the overall minus belongs to its Co-Tb film, whose Hall signal follows the Co
    sublattice opposite to the net moment; the factor [1 - 4 xi^2] and the missing field-like
    term do not follow from the linear response of an xz rotation (the field-like field tilts
    m along y and changes the planar Hall term linearly in sin theta_M). ``mu0_h_fl``, the
    in-plane field that tilts m, field-like and Oersted together (``mu0_h_fl_oe`` of method
    (b), not its ``mu0_h_fl`` without the Oersted field), is therefore subtracted; without it
    the damping-like field is reported assuming it zero, with a note.

    Parameters
    ----------
    scans : sequence of HallScan
        theta scans (phi_h = 0) at two or more fields above the anisotropy field (three or
        more for uncertainties). Fields at or below mu0H_K,eff (given or estimated) are
        excluded with the reason: the rotation is not coherent there (the field never
        saturates m along itself) and the small-angle formula does not apply.
    r_ahe : float, optional
        R_AHE in Ohm; default half the range of R_1w (the scans must pass through both poles).
    mu0_hk : float, optional
        Effective anisotropy field in T; default from the first harmonic:
        mu0H sin(theta_H - theta_M) = mu0H_K sin(theta_M) cos(theta_M).
    r_phe, mu0_h_fl : float or ufloat
        Planar Hall resistance (Ohm) and the field-like field with the Oersted field,
        mu0 (H_FL + H_Oe) (T; ``mu0_h_fl_oe`` of method (b)), for the field-like correction;
        ``r_phe=None``: not measured (taken as 0, mu0_h_dl flagged).
    max_sin : float
        Largest |sin theta_M| used (small-angle formula).
    include_one : bool
        Fit the ordinary Nernst term (needs four or more fields).
    r_ohe : float
        Ordinary Hall coefficient (Ohm/T) subtracted from R_1w (CLI ``--r-ohe``).
    theta0 : float
        Polar reading at which the field is along +z (deg).
    theta_m_from : {'r1w', 'equilibrium'}
        theta_M from the first harmonic (the seed's way) or from the macrospin equilibrium at the
        field angle with ``mu0_hk`` (given, or estimated from R_1w first); the latter does not
        need R_AHE to be known to the precision the arccos needs near the poles.
    sample : Sample, optional
    check_ohe : bool
        Refit the first harmonics with the ordinary Hall coefficient free and flag the results
        where it moves mu0_h_dl (:func:`_ordinary_hall_gate`).

    R_AHE, the anisotropy field and the R_1w offsets (unless given) come from a fit of the first
    harmonics of the rotations above the anisotropy field with the macrospin model
    (``hall_r1w_theta``; tilts about x and y and, when R_PHE is not zero, phi0 fitted, since the
    planar Hall term of a misaligned rotation is many standard errors of R_1w). A first pass without
    the current-induced fields gives theta_M for the slopes; a second pass with the method's own
    mu0_h_dl, r_ane and the given mu0_h_fl (second order in the current) gives the reported R_AHE
    and mu0H_K, whose standard errors include those of the fields held fixed (one-sided
    differences of the refit). The slope law holds mu0H_K fixed; its uncertainty is propagated
    through d(p_torque, r_ane)/d(mu0H_K), and R_AHE's through the division giving mu0_h_dl.
    The textbook estimates (R_AHE from the extremes of R_1w, H_K from the equilibrium condition
    below) only select the coherent rotations and start the fit.

    Returns
    -------
    HallResult
        ``mu0_h_dl``, ``r_ane``, ``mu0_hk_eff`` (T), ``r_ahe`` (Ohm), ``slope_combination``
        (+ conversions), all with standard uncertainties (R_AHE, mu0_hk given: exact).
    """
    as_given = list(scans)
    scans, turned = _as_positive_fields(_check_scans(scans, "theta", "(c) angular"))
    r_phe_given = r_phe is not None
    r_phe = 0.0 if r_phe is None else r_phe
    given = _AngularOptions(r_ahe, mu0_hk, r_phe, mu0_h_fl, max_sin, include_one, r_ohe, theta0, theta_m_from)
    _check_rotations(scans, given)
    scans, mirrored = _as_azimuth_zero(scans)
    notes, fits, excluded, flags = [], {}, [], {}
    if turned:
        notes.append(f"rotations at negative fields ({', '.join(f'{b:g}' for b in sorted(turned))} "
                     "T) read at the field's magnitude with the polar angles + 180 deg (the same "
                     "field vector)")
    if mirrored:
        notes.append(f"rotations at phi_H = 180 deg ({', '.join(mirrored)}) read at phi_H = 0 with "
                     "the polar angles negated (the same field vector)")
    r_ahe0, offset0, hk0 = _textbook_estimates(scans, given)
    # an easy-plane film reaches the poles only above mu0 Meff = -H_K; below it the field along the
    # normal leaves m on a circle of equal energy, where the first-harmonic fit's equilibrium did
    # not converge (EquilibriumError, a traceback)
    coherent = [s for s in scans if s.meta["field"] > abs(hk0)]
    first, r_ahe_u, hk_u, offsets = _first_pass(scans, coherent, given, r_ahe0, offset0, hk0, fits, notes)
    r_ahe_v, hk = _nominal(r_ahe_u), _nominal(hk_u)
    poles = []
    rows, bs, sl = _slopes(scans, given, r_ahe_v, offsets, hk, excluded, fits, notes, poles)
    _refuse_opposite_pole_slopes(poles, scans, hk)
    if hk != 0:
        bs, sl = _exclude_below_anisotropy(bs, sl, hk, rows, excluded)
    if len(bs) < given.nmin and any(_no_signal(s) for s in scans):
        q = _undetermined_torques(given, r_ahe_u, hk_u, flags, notes)
        q = efficiencies(q, sample, notes)
        return HallResult("angular", q, rows, excluded, notes, fits, flags)
    _require_enough_fields(bs, given.nmin, hk, excluded)
    rs, jac = _fit_slope_law(bs, sl, hk, include_one, fits, flags)
    if first is not None:
        first, r_ahe_u, hk_u = _second_pass(coherent, given, first, rs, r_ahe_v, hk, fits)
    q = _quantities(given, rs, jac, hk_u - hk, r_ahe_u, hk_u)
    _ordinary_nernst_gate(bs, sl, hk, given, q, _nominal(r_ahe_u), flags, notes)
    if first is not None:
        for name, lo, hi in _at_bounds(first):
            _flag(flags, ["r_ahe", "mu0_hk_eff", "mu0_h_dl"],
                  f"fit of the first harmonics: {name} = {first.value(name):.4g} at its bound [{lo:g}, {hi:g}]")
    if not r_phe_given:
        # H_DL 1.27 mT for 1.5 passed --strict with a note alone
        _flag(flags, ["mu0_h_dl"], NO_R_PHE_FLAG)
    elif mu0_h_fl is None and _nominal(r_phe) != 0:
        # the same bias with R_PHE given and a note alone: 0.83 mT for 1.2, 8.7 standard errors
        _flag(flags, ["mu0_h_dl"], NO_H_FL_FLAG)
    if check_ohe and first is not None:
        _ordinary_hall_gate(as_given, coherent, first, given, q, sample, flags)
    q = efficiencies(q, sample, notes)
    common_gates(q, scans, flags)
    return HallResult("angular", q, rows, excluded, notes, fits, flags)


#: The fall of the first-harmonic fit's chi-square, in units of its residual variance, on
#: freeing the ordinary Hall coefficient above which the data show one (5 standard errors).
OHE_CHI2_DROP = 25.0


def _ordinary_hall_gate(as_given, coherent, first, given, q, sample, flags) -> None:
    """Flag R_AHE, mu0_hk_eff, the torque term and r_ane where the first harmonics hold an
    ordinary Hall term r_ohe B_z that the run leaves out and that moves mu0_h_dl by more than
    its standard error, naming ``--r-ohe`` with the fitted coefficient and what it gives.

    R_AHE m_z + r_ohe B cos(theta_H): at fields above H_K the two differ through B, and over
    rotations at several fields the fit of the first harmonics tells them apart. Left out, the
    ordinary Hall term is read as m_z: xz rotations from an independent generator with r_ohe =
    0.02 Ohm/T (2-4 % of R_AHE at 0.9-2.5 T) gave mu0_h_dl = -3.5 +- 0.33 mT for +2 mT, R_AHE 60
    and H_K 10 standard errors off, exit 0 without a flag.
    """
    model = HALL_MODELS[(1, "theta")]
    data = [s.r1w.replace(meta={"field": float(s.meta["field"]), "phi_h": float(s.meta.get("phi_h", 0.0))})
            for s in coherent]
    if len({round(float(s.meta["field"]), 9) for s in coherent}) < 2:
        return
    held = {k: first.value(k) for k in first.params if k not in first.varied and not k.startswith("offset")}
    held.pop("r_ohe", None)
    init = {k: first.value(k) for k in first.params}
    shared = [p.name for p in model.params if p.name != "offset"]
    free = tuple(k for k in ("tilt_x", "tilt_y") if k in first.varied) + ("r_ohe",)
    try:
        alt = fit_global(data, [model] * len(data), shared=shared, init=init, fixed=held, free=free,
                         guess=False, warn=False)
    except (ValueError, np.linalg.LinAlgError):
        return
    dof = sum(len(d) for d in data) - len(alt.varied)
    if not (alt.success and dof > 0 and alt.chisqr > 0):
        return
    drop = (first.chisqr - alt.chisqr) / (alt.chisqr / dof)
    r_ohe = alt.value("r_ohe")
    if not drop > OHE_CHI2_DROP or r_ohe == given.r_ohe:
        return
    try:
        redo = angular(as_given, r_ahe=given.r_ahe, mu0_hk=given.mu0_hk,
                       r_phe=given.r_phe, mu0_h_fl=given.mu0_h_fl, max_sin=given.max_sin,
                       include_one=given.include_one, r_ohe=r_ohe, theta0=given.theta0,
                       theta_m_from=given.theta_m_from, check_ohe=False)
    except HallAnalysisError:
        return
    was, now = q["mu0_h_dl"], redo.quantities["mu0_h_dl"]
    if not abs(_nominal(now) - _nominal(was)) > max(float(getattr(was, "std_dev", 0.0)), 0.0):
        return
    other = redo.quantities
    _flag(flags, ["r_ahe", "mu0_hk_eff", "slope_combination", "r_ane", "mu0_h_dl"],
          f"the first harmonics hold an ordinary Hall term r_ohe B_z (fitted: {r_ohe:.4g} +- "
          f"{alt.stderr('r_ohe'):.2g} Ohm/T, the chi-square of their fit falling {drop:.3g} times "
          f"their residual variance), which this run takes as {given.r_ohe:g} Ohm/T and reads as "
          f"m_z: with it R_AHE = {_nominal(other['r_ahe']):.6g} Ohm, mu0_hk_eff = "
          f"{_nominal(other['mu0_hk_eff']):.5g} T, mu0_h_dl = {_nominal(now):.4g} +- "
          f"{float(getattr(now, 'std_dev', 0.0)):.2g} T and r_ane = {_nominal(other['r_ane']):.3g} "
          f"Ohm: give it (--r-ohe {r_ohe:.4g}Ohm/T; Python: r_ohe=)")


@dataclass(frozen=True)
class _AngularOptions:
    """The keywords of :func:`angular` (units there)."""

    r_ahe: object
    mu0_hk: object
    r_phe: object
    mu0_h_fl: object
    max_sin: float
    include_one: bool
    r_ohe: float
    theta0: float
    theta_m_from: str

    @property
    def nmin(self) -> int:
        """Fields needed for the slope law with uncertainties."""
        return 4 if self.include_one else 3

    @property
    def h_fl(self):
        """The field-like field (T) subtracted: ``mu0_h_fl``, or 0 when not given."""
        return 0.0 if self.mu0_h_fl is None else self.mu0_h_fl


def _as_positive_fields(scans) -> tuple[list, list]:
    """Rotations at a negative field as the rotations at its magnitude they are (the field -B
    at the polar angle theta is B at theta + 180 deg: the same field vector, the same
    readings), and the fields so turned (T). A rotation at -3 T was refused as "not above the
    anisotropy field"."""
    out, turned = [], []
    for s in scans:
        b = float(s.meta["field"])
        if b >= 0:
            out.append(s)
            continue
        moved = {k: d.replace(x=np.asarray(d.x, float) + 180.0) for k, d in
                 (("r1w", s.r1w), ("r2w", s.r2w))}
        out.append(dataclasses.replace(s, **moved, meta={**s.meta, "field": -b}))
        turned.append(b)
    return out, turned


def _as_azimuth_zero(scans) -> tuple[list, list]:
    """Rotations in the xz plane at phi_H = 180 deg as the rotations at phi_H = 0 they are (the
    field at polar angle theta and azimuth 180 deg is the field at -theta and azimuth 0), and
    the sources so turned. The pole slopes were read at phi_H = 0 whatever the azimuth: a
    rotation from +z towards -x gave the damping-like field with the wrong sign."""
    out, mirrored = [], []
    for s in scans:
        if math.cos(math.radians(float(s.meta.get("phi_h", 0.0)))) >= 0:
            out.append(s)
            continue
        moved = {k: d.replace(x=-np.asarray(d.x, float)) for k, d in
                 (("r1w", s.r1w), ("r2w", s.r2w))}
        out.append(dataclasses.replace(s, **moved, meta={**s.meta, "phi_h": 0.0}))
        mirrored.append(s.source)
    return out, mirrored


#: The largest |sin phi_H| of a rotation that method (c) takes for xz (phi_H = 0 or 180 deg).
XZ_TOLERANCE = math.sin(math.radians(1.0))


def _check_rotations(scans, given: _AngularOptions) -> None:
    """Refuse rotations at fewer than two fields, rotations out of the xz plane and an unknown
    ``theta_m_from``."""
    off = [s for s in scans if abs(math.sin(math.radians(float(s.meta.get("phi_h", 0.0)))))
           > XZ_TOLERANCE]
    if off:
        phis = sorted({round(float(s.meta.get("phi_h", 0.0)), 6) for s in off})
        raise HallAnalysisError(
            f"method (c) analyses xz rotations (the field turned in the plane of the current and "
            f"the normal, phi_H = 0 or 180 deg), where the pole slopes hold the damping-like "
            f"field; {off[0].source}{' and others' if len(off) > 1 else ''} turn at phi_H = "
            f"{', '.join(f'{v:g}' for v in phis)} deg, where they hold other terms (the field-like "
            "one at 90 deg): use --method macrospin, which takes rotations in any plane"
            + _xz_alone(scans, off))
    fields = np.array([s.meta["field"] for s in scans])
    if len(np.unique(np.round(fields, 12))) < 2:
        raise HallAnalysisError("method (c) needs rotations at two or more fields "
                                f"({given.nmin} or more for uncertainties); got {np.unique(fields)} T")
    if given.theta_m_from not in ("r1w", "equilibrium"):
        raise HallAnalysisError(f"theta_m_from must be 'r1w' or 'equilibrium', not {given.theta_m_from!r}")


def _xz_alone(scans, off) -> str:
    """What to add to the refusal of rotations out of the xz plane where the others are xz
    rotations at two or more fields: that method (c) takes those alone (a file or table of both
    planes was told only to use method (d))."""
    xz = [s for s in scans if s not in off]
    if len({round(float(s.meta["field"]), 9) for s in xz}) < 2:
        return ""
    names = ", ".join(s.source for s in xz[:3]) + (f" and {len(xz) - 3} more" if len(xz) > 3 else "")
    return (f", or give method (c) the {len(xz)} xz rotations alone ({names}; a table of both "
            "planes split into one file per plane)")


def _textbook_estimates(scans, given: _AngularOptions):
    """First estimates ``(r_ahe0 Ohm, offset0 Ohm, hk0 T)`` that select the coherent rotations and
    start the fit of the first harmonics.

    R_AHE and the offset from the extremes of R_1w (signed: R_1w with the field near +z minus R_1w
    near -z; a negative R_AHE is the wiring's), H_K from the equilibrium condition (median over the
    rotations) unless given.
    """
    r1all = np.concatenate([s.r1w.y - given.r_ohe * s.meta["field"]
                            * np.cos(np.radians(s.r1w.x - given.theta0)) for s in scans])
    r_ahe0 = (math.copysign(0.5 * (np.percentile(r1all, 99.5) - np.percentile(r1all, 0.5)),
                            _pole_difference(scans, given.theta0))
              if given.r_ahe is None else float(given.r_ahe))
    offset0 = 0.5 * (np.percentile(r1all, 99.5) + np.percentile(r1all, 0.5))
    if given.mu0_hk is not None:
        return r_ahe0, offset0, float(given.mu0_hk)
    hk_list = [h for s in scans
               if (h := _angular_scan(s, r_ahe0, offset0, None, given.theta0, given.r_ohe, "r1w",
                                      given.max_sin)[1]) is not None]
    if not hk_list:
        raise HallAnalysisError("method (c): cannot estimate the anisotropy field from R_1w; give mu0_hk")
    return r_ahe0, offset0, float(np.median(hk_list))


def _first_pass(scans, coherent, given: _AngularOptions, r_ahe0, offset0, hk0, fits: dict, notes: list):
    """The first harmonics of the coherent rotations without the current-induced fields (second
    order; added in :func:`_second_pass`).

    Returns
    -------
    first : FitResult or None
    r_ahe, hk : float or ufloat
        R_AHE (Ohm) and mu0H_K,eff (T): given, fitted, or the textbook estimates.
    offsets : dict
        The R_1w offset (Ohm) of every rotation by source.
    """
    offsets0 = {s.source: offset0 for s in scans}
    first = (_angular_first_harmonic(coherent, given.r_ahe, given.mu0_hk, given.r_phe, 0.0, 0.0, 0.0,
                                     given.r_ohe, given.theta0, r_ahe0, hk0) if coherent else None)
    if first is None:
        r_ahe_u, hk_u, offsets = r_ahe0, hk0, offsets0
    else:
        fits["r1w"] = first
        r_ahe_u, hk_u = _fitted_or_given(first, given)
        offsets = {**offsets0, **{s.source: first.value(_per_rotation(first, "offset", i))
                                  for i, s in enumerate(coherent)}}
    if given.r_ahe is None or given.mu0_hk is None:
        notes.append("R_AHE, mu0_hk_eff and the R_1w offsets from a fit of the first harmonics of the rotations "
                     "above the anisotropy field (macrospin equilibrium, angle offsets fitted)")
    return first, r_ahe_u, hk_u, offsets


def _per_rotation(fit, name: str, i: int) -> str:
    """The name in ``fit`` of the parameter ``name`` of rotation ``i``: ``offset_2`` in a fit of
    several rotations, ``offset`` in a fit of one (one rotation above the anisotropy field
    ended in a KeyError)."""
    return f"{name}_{i}" if f"{name}_{i}" in fit.params else name


def _fitted_or_given(first, given: _AngularOptions):
    """R_AHE (Ohm) and mu0H_K (T): from the fit of the first harmonics unless given."""
    return (first["r_ahe"] if given.r_ahe is None else float(given.r_ahe),
            first["mu0_hk"] if given.mu0_hk is None else float(given.mu0_hk))


#: Points near the poles (|sin theta_M| <= max_sin) a rotation's slope needs: the line with its
#: quadratic and cubic terms (four parameters) and one degree of freedom for its error.
SLOPE_MIN_POINTS = 5


def _slopes(scans, given: _AngularOptions, r_ahe, offsets, hk, excluded, fits, notes, poles=None):
    """dR_2w/d(sin theta_M) near the poles of every rotation with a second harmonic.

    Returns
    -------
    rows : list of dict
    bs : ndarray
        The fields (T) of the slopes.
    sl : ndarray, shape (n, 2)
        The slopes and their standard errors (Ohm).
    """
    rows, slopes, bs = [], [], []
    for s in scans:
        b = s.meta["field"]
        if _no_signal(s):
            excluded.append({"field": b, "source": s.source, "reason": f"{_no_signal(s)} (used for R_AHE "
                             "and H_K only)"})
            rows.append({"source": s.source, "field": b, "n_points": 0, "included": False})
            continue
        hk_eq = hk if given.theta_m_from == "equilibrium" else None
        sin_m, _ = _angular_scan(s, r_ahe, offsets[s.source], hk_eq, given.theta0, given.r_ohe,
                                 given.theta_m_from, given.max_sin)
        near = np.abs(sin_m) <= given.max_sin
        row = {"source": s.source, "field": b, "n_points": int(near.sum()), "included": True}
        rows.append(row)
        # the slope with the quadratic and cubic terms beside it takes four parameters and one
        # point more for its error: four points near the poles (an easy-plane film just above
        # mu0 Meff, where m turns faster than the field) refused the run, 'cannot determine'
        if near.sum() < SLOPE_MIN_POINTS:
            why = f"fewer than {SLOPE_MIN_POINTS} points with |sin theta_M| <= {given.max_sin}"
            if hk < 0 and b <= -hk:
                why = (f"field {b:.4g} T is not above mu0 Meff = {-hk:.4g} T (an easy-plane film): m "
                       "never reaches the poles, where the field along the normal holds it at "
                       "|m_z| = H/Meff")
            excluded.append({"field": b, "source": s.source, "reason": why})
            row["included"] = False
            continue
        if poles is not None:
            up = np.cos(np.radians(s.r2w.x - given.theta0)) > 0
            poles.append((s, _pole_slopes(sin_m[near], up[near], s.r2w.y[near])))
        d = Dataset(sin_m[near], s.r2w.y[near], x_name="sin_theta_m", y_name="r2w", x_unit="",
                    y_unit="Ohm", meta={"source": s.source})
        # the slope at the pole with the quadratic and cubic terms of |sin theta_M| <= max_sin
        # fitted beside it: held at their starting values (the cubic fit's), the slope kept the
        # cubic fit's value but lost its correlation with them, and its standard error came out
        # 2-3 times too small (per-field slopes up to 7 of them from the exact ones)
        r, msg = _fit_quiet(d, hall_line, free=["c2", "c3"])
        notes.extend(msg)
        fits[f"r2w:{s.source}"] = r
        row.update(slope=r.value("c1"), slope_stderr=r.stderr("c1"))
        slopes.append((r.value("c1"), r.stderr("c1")))
        bs.append(b)
    return rows, np.array(bs), np.array(slopes)


def _pole_slopes(sin_m, up, y):
    """The slopes of R_2w against sin(theta_M) near +z and near -z apart (Ohm), each from a line
    with a quadratic term fitted to that pole's points alone, with their standard errors:
    ``(slope_up, err_up, slope_down, err_down)``, None with fewer than 6 points at a pole."""
    out = []
    for pole in (up, ~up):
        if pole.sum() < 6:
            return None
        a = np.column_stack([np.ones(pole.sum()), sin_m[pole], sin_m[pole] ** 2])
        c, *_ = np.linalg.lstsq(a, y[pole], rcond=None)
        s2 = float(np.sum((y[pole] - a @ c) ** 2)) / (pole.sum() - 3)
        cov = s2 * np.linalg.pinv(a.T @ a)
        out.extend([float(c[1]), float(np.sqrt(max(cov[1, 1], 0.0)))])
    return tuple(out)


#: The pole slopes of a rotation are opposite when their antisymmetric part (half their
#: difference) exceeds their symmetric part (half their sum) by this factor ...
POLE_ANTISYMMETRY = 3.0
#: ... and its standard error by this factor.
POLE_SIGMAS = 10.0


def _refuse_opposite_pole_slopes(poles, scans, hk) -> None:
    """Refuse rotations above the anisotropy field ``hk`` (T) whose second harmonic rises with
    sin(theta_M) at one pole and falls at the other, at more than half of them.

    In an xz rotation the damping-like field (along m x y, in the plane of the rotation) and the
    thermal terms (along m_x) give the pole slopes alike; the field-like field of a rotation
    through y (the yz plane, phi_H = 90 deg) gives them opposite, and so does no term of an xz
    rotation. yz rotations read as xz (their plane written nowhere) gave mu0_h_dl = 0.2 +- 1.3 mT
    for 2 mT with the flag 'consistent with zero' alone, the slopes of the two poles averaged
    away (each 27-92 standard errors from the other).
    """
    opposite, seen = [], 0
    for s, p in poles:
        if p is None or (hk > 0 and s.meta["field"] <= hk):
            continue
        seen += 1
        up, e_up, down, e_down = p
        anti, sym, err = 0.5 * (up - down), 0.5 * (up + down), 0.5 * float(np.hypot(e_up, e_down))
        if abs(anti) > POLE_ANTISYMMETRY * abs(sym) and abs(anti) > POLE_SIGMAS * err:
            opposite.append((s, up, down))
    if not seen or 2 * len(opposite) <= seen:
        return
    shown = "; ".join(f"{s.meta['field']:g} T: {up:+.3g} and {down:+.3g} Ohm" for s, up, down in opposite[:3])
    assumed = [s for s, _, _ in opposite if s.meta.get("phi_h_assumed")]
    where = (" (no phi_h column, preamble entry or --phi-h gave their plane: xz was taken)" if assumed
             else "")
    raise HallAnalysisError(
        f"method (c): at {len(opposite)} of {seen} fields the second harmonic rises with sin(theta_M) "
        f"at one pole and falls at the other ({shown}{' ...' if len(opposite) > 3 else ''}: the slopes "
        f"near +z and -z): an xz rotation gives them alike (the damping-like and thermal terms), a "
        f"rotation through y (the yz plane, phi_H = 90 deg) opposite (the field-like term). These "
        f"rotations look like yz ones read as xz{where}: if so, give their plane (a phi_h column, "
        f"--phi-h 90deg, or --phi-offset for a sample mounted across the rotator's zero) and use "
        f"--method macrospin, which takes rotations in any plane")


def _exclude_below_anisotropy(bs, sl, hk, rows, excluded):
    """Leave out the slopes at fields not above |``hk``| (T).

    Below a positive H_K an xz rotation is not coherent (Stoner-Wohlfarth: m stays near the pole it
    came from while the field passes the equator, then switches), and below mu0 Meff = -H_K of an
    easy-plane film m never reaches the poles: the restoring field near the poles is not
    mu0H + mu0H_K and the formula does not apply.
    """
    low = bs <= abs(hk)
    for b_low in bs[low]:
        src = next(r["source"] for r in rows if r["field"] == b_low and r["included"])
        why = (f"field {b_low:.4g} T is not above the anisotropy field {hk:.4g} T: the rotation never "
               "saturates m along the field (not coherent)" if hk > 0 else
               f"field {b_low:.4g} T is not above mu0 Meff = {-hk:.4g} T (an easy-plane film): m "
               "never reaches the poles, where the field along the normal holds it at |m_z| = H/Meff")
        excluded.append({"field": float(b_low), "source": src, "reason": why})
        for r in rows:
            if r["source"] == src:
                r["included"] = False
    return bs[~low], sl[~low] if len(sl) else sl


def _undetermined_torques(given: _AngularOptions, r_ahe, hk, flags: dict, notes: list) -> dict:
    """The quantities when too few fields have a second-harmonic signal: the torque is not
    determined (say so, never give it a sign)."""
    why = (f"undetermined: fewer than {given.nmin} fields above the anisotropy field with a recorded "
           "second harmonic")
    q = {"slope_combination": _undetermined(), "r_ane": _undetermined(), "mu0_h_dl": _undetermined()}
    if given.mu0_h_fl is not None:
        q["mu0_h_fl_oe"] = given.h_fl
    q.update(r_ahe=r_ahe, mu0_hk_eff=hk)
    _flag(flags, ["slope_combination", "r_ane", "mu0_h_dl"], why)
    notes.append(f"torque fields {why}")
    return q


def _require_enough_fields(bs, nmin, hk, excluded) -> None:
    """Refuse fewer than ``nmin`` usable fields, with the reasons of the exclusions."""
    if len(bs) >= nmin:
        return
    unsat = any("never saturates" in e["reason"] for e in excluded)
    raise HallAnalysisError(f"method (c): {len(bs)} usable field(s); it needs {nmin} or more to "
                            "separate the torque term from the thermal term with an uncertainty"
                            + (" (the fields never saturate the magnetisation: measure above "
                               f"mu0H_K = {hk:.3g} T)" if unsat else "")
                            + ("; excluded: " + "; ".join(f"{e['field']:.4g} T: {e['reason']}"
                                                          for e in excluded) if excluded else ""))


def _fit_slope_law(bs, sl, hk, include_one, fits: dict, flags: dict):
    """Fit the slope law over the fields at a fixed mu0_hk = ``hk`` (T).

    Returns
    -------
    rs : FitResult
    jac : ndarray
        d(p_torque, r_ane[, r_one])/d(mu0_hk): the slope law holds mu0_hk fixed, its uncertainty
        enters through this derivative.
    """
    dset = Dataset(bs, sl[:, 0], sl[:, 1], x_name="field", y_name="slope", x_unit="T", y_unit="Ohm",
                   meta={"source": "slope(H)"})
    start = _slope_law(bs, sl, hk, include_one)
    rs = _fit_field_law(dset, angular_slope_field, start, "p_torque", hk, include_one)
    fits["slope(H)"] = rs
    _flag_redchi(flags, ["slope_combination", "r_ane", "r_one", "mu0_h_dl"], rs,
                 "method (c), slope law over the fields")
    eps = 1e-6 * max(1.0, abs(hk))
    jac = (_slope_law(bs, sl, hk + eps, include_one) - _slope_law(bs, sl, hk - eps, include_one)) / (2 * eps)
    return rs, jac


#: The drop of the slope law's chi-square on adding the ordinary Nernst term above which the
#: term is taken as shown by the data (one parameter: 3 standard errors).
ONE_CHI2_DROP = 9.0


def _law_chi2(bs, sl, hk, include_one) -> float:
    """Chi-square of the weighted slope law at ``hk`` (T) with its least-squares coefficients."""
    s = bs + hk
    a = np.column_stack([1 / s, -np.ones_like(s)] + ([-s] if include_one else []))
    c = _slope_law(bs, sl, hk, include_one)
    return float(np.sum(((sl[:, 0] - a @ c) / sl[:, 1]) ** 2))


def _ordinary_nernst_gate(bs, sl, hk, given: _AngularOptions, q: dict, r_ahe: float, flags: dict,
                          notes: list | None = None) -> None:
    """Flag the torque term and r_ane of a slope law without the ordinary Nernst term where adding
    it lowers the chi-square by more than :data:`ONE_CHI2_DROP`, naming ``--include-one`` and what
    it gives.

    -r_one B_x near the poles is -r_one (H + H_K) sin(theta_M), nearly the torque term's
    1/(H + H_K) over a few fields: rotations from an independent generator with r_one = 3e-4
    Ohm/T gave mu0_h_dl = 4.0 +- 0.17 mT for 2 mT with the reduced chi-square (3.7) under its
    limit, exit 0 without a flag; the chi-square fell by 11-41 with the term (clean rotations:
    0-5).
    """
    if given.include_one or len(bs) < 4:
        return
    without, with_one = _law_chi2(bs, sl, hk, False), _law_chi2(bs, sl, hk, True)
    p_t, r_ane, r_one = _slope_law(bs, sl, hk, True)
    h_dl = _nominal(_damping_like(p_t, _nominal(given.r_phe), _nominal(given.h_fl), r_ahe))
    if without - with_one <= ONE_CHI2_DROP:
        if notes is not None:
            # what the fields cannot rule out: the term's error is not in mu0_h_dl's
            s = bs + hk
            a = np.column_stack([1 / s, -np.ones_like(s), -s]) / sl[:, 1:2]
            cov = np.linalg.pinv(a.T @ a) * max(1.0, with_one / max(len(bs) - 3, 1))
            sd_one, sd_p = float(np.sqrt(max(cov[2, 2], 0.0))), float(np.sqrt(max(cov[0, 0], 0.0)))
            notes.append(f"the ordinary Nernst term -r_one B_x is held at 0 (--include-one fits it): "
                         f"near the poles it is nearly the torque term over these fields, and the "
                         f"slope law with it gives r_one = {r_one:.3g} +- {sd_one:.2g} Ohm/T and "
                         f"mu0_h_dl = {h_dl:.4g} +- {abs(2 * sd_p / r_ahe):.2g} T; mu0_h_dl's "
                         "standard error leaves that term out")
        return
    _flag(flags, ["slope_combination", "r_ane", "mu0_h_dl"],
          f"the slope law fits the fields better with an ordinary Nernst term -r_one B_x (chi-square "
          f"{without:.3g} without it, {with_one:.3g} with r_one = {r_one:.3g} Ohm/T, which gives "
          f"mu0_h_dl = {h_dl:.4g} T and r_ane = {r_ane:.3g} Ohm against {_nominal(q['mu0_h_dl']):.4g} "
          f"T and {_nominal(q['r_ane']):.3g} Ohm): left out, it is taken into the torque and thermal "
          f"terms; fit it (--include-one; Python: include_one=True)")


def _damping_like(p_torque, r_phe, h_fl, r_ahe):
    """mu0_h_dl = 2 (p_torque - R_PHE mu0_h_fl) / R_AHE (T) from the torque term of the slope law."""
    return 2 * (p_torque - r_phe * h_fl) / r_ahe


def _second_pass(coherent, given: _AngularOptions, first, rs, r_ahe, hk, fits: dict):
    """The first harmonic again, now with the current-induced fields.

    At this signal-to-noise the second-order response to the current (docs/hall.md) moves R_AHE and
    mu0H_K by more than their errors; the shift is small enough for the slopes to stand. The fit
    holds the torque fields, r_ane and R_PHE fixed: their uncertainties enter through the change of
    the refitted R_AHE and mu0H_K over one standard error of each (one-sided: exact for the linear
    thermal and planar Hall terms, within sd/(2 value) for the quadratic torque terms).

    Returns
    -------
    (FitResult, R_AHE in Ohm, mu0H_K in T)
    """
    h_dl0 = _damping_like(_ub(rs, "p_torque"), given.r_phe, given.h_fl, r_ahe)
    first = _angular_first_harmonic(coherent, given.r_ahe, given.mu0_hk, given.r_phe, given.h_fl,
                                    h_dl0.nominal_value, rs.value("r_ane"), given.r_ohe, given.theta0, r_ahe,
                                    hk, init=first)
    fits["r1w"] = first
    r_ahe_u, hk_u = _fitted_or_given(first, given)
    held = {"mu0_h_dl": h_dl0, "r_ane": _ub(rs, "r_ane"), "mu0_h_fl": given.h_fl, "r_phe": given.r_phe}
    base = {k: _nominal(v) for k, v in held.items()}
    for name, u in held.items():
        sd = float(getattr(u, "std_dev", 0.0))
        if sd == 0 or (given.r_ahe is not None and given.mu0_hk is not None):
            continue
        kw = {**base, name: base[name] + sd}
        alt = _angular_first_harmonic(coherent, given.r_ahe, given.mu0_hk, kw["r_phe"], kw["mu0_h_fl"],
                                      kw["mu0_h_dl"], kw["r_ane"], given.r_ohe, given.theta0, r_ahe, hk,
                                      init=first)
        if given.r_ahe is None:
            r_ahe_u = r_ahe_u + (alt.value("r_ahe") - first.value("r_ahe")) / sd * (u - base[name])
        if given.mu0_hk is None:
            hk_u = hk_u + (alt.value("mu0_hk") - first.value("mu0_hk")) / sd * (u - base[name])
    return first, r_ahe_u, hk_u


def _quantities(given: _AngularOptions, rs, jac, dhk, r_ahe, hk) -> dict:
    """The reported quantities: the slope-law coefficients moved by ``jac`` x ``dhk`` (the
    uncertainty of mu0_hk, T), mu0_h_dl (T), R_AHE (Ohm) and mu0_hk_eff (T)."""
    p_t = _ub(rs, "p_torque") + jac[0] * dhk
    q = {"slope_combination": p_t, "r_ane": _ub(rs, "r_ane") + jac[1] * dhk}
    if given.include_one:
        q["r_one"] = _ub(rs, "r_one") + jac[2] * dhk
    q["mu0_h_dl"] = _damping_like(p_t, given.r_phe, given.h_fl, r_ahe)
    if given.mu0_h_fl is not None:
        q["mu0_h_fl_oe"] = given.h_fl
    q["r_ahe"] = r_ahe
    q["mu0_hk_eff"] = hk
    return q


def _slope_law(bs, sl, hk, include_one):
    """Weighted least-squares coefficients (p_torque, r_ane[, r_one]) of the slope law of method (c)
    at a given mu0_hk (linear in them)."""
    s = bs + hk
    a = np.column_stack([1 / s, -np.ones_like(s)] + ([-s] if include_one else []))
    return np.linalg.lstsq(a / sl[:, 1:2], sl[:, 0] / sl[:, 1], rcond=None)[0]
