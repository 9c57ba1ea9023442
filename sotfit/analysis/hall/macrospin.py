"""Method (d): global fit of every scan with the macrospin model of
:mod:`sotfit.models.harmonic_hall` (least squares)."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence

import numpy as np

from ...checks import check_names
from ...fitting import fit_global
from ...io.hall import HallScan
from ...models.harmonic_hall import HALL_MODELS
from .common import _field_notes, _no_signal, _require_first_harmonic, _theta_h_notes
from .gates import _flag, _undetermined, common_gates
from .leastsq import _polish
from .macrospin_gates import _macrospin_gates
from .macrospin_start import _start_values
from .names import _RESULT_NAMES, _SHARED, MACROSPIN_PARAMETERS
from .result import HallAnalysisError, HallResult
from .sample import Sample, efficiencies


def _macrospin_datasets(scans):
    """Datasets, models and ``(scan index, harmonic)`` of every curve of the global fit; a second
    harmonic that was not recorded (constant column, ``meta['no_signal']``) is left out."""
    data, models, index = [], [], []
    for i, s in enumerate(scans):
        meta_in = {"phi": ("field", "theta_h"), "theta": ("field", "phi_h"),
                   "field": ("theta_h", "phi_h", "mz_state")}[s.scan]
        for h, d in ((1, s.r1w), (2, s.r2w)):
            if h == 2 and _no_signal(s):
                continue
            extra = {k: float(s.meta.get(k, {"theta_h": 90.0, "phi_h": 0.0, "mz_state": 0}.get(k, 0.0)))
                     for k in meta_in}
            data.append(d.replace(meta=extra))
            models.append(HALL_MODELS[(h, s.scan)])
            index.append((i, h))
    return data, models, index


class _Counted:
    """A model function that counts its calls (one per evaluation of the global fit's residual)."""

    def __init__(self, func):
        self.func, self.calls = func, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.func(*args, **kwargs)


def _evaluation_time(data, models, init, fixed):
    """Seconds one residual of the global fit takes at the starting values (all curves)."""
    t0 = time.perf_counter()
    for i, (m, d) in enumerate(zip(models, data)):
        p = m.defaults()
        for k in p:
            name = k if k in _SHARED else f"{k}_{i}"
            p[k] = float(fixed.get(k, init.get(name, init.get(k, p[k]))))
        try:
            m.func(d.x, **p, **{k: d.meta[k] for k in m.inputs})
        except Exception:  # noqa: BLE001 - a failing start is the fit's to report
            pass
    return time.perf_counter() - t0


#: Default wall-clock limit (s) of the global fit (both passes); CLI --time-limit.
TIME_LIMIT = 120.0


def macrospin(scans: Sequence[HallScan], *, fixed: dict | None = None, init: dict | None = None,
              free: Sequence[str] = (), reweight: bool = True, sample: Sample | None = None,
              max_nfev: int | None = None, time_limit: float | None = TIME_LIMIT) -> HallResult:
    """Global macrospin fit of every scan of a sample at once (least squares).

    All first- and second-harmonic scans (any mix of phi rotations, theta rotations and field
    sweeps) are fitted with the models of :mod:`sotfit.models.harmonic_hall` through
    :func:`sotfit.fit_global`, sharing R_AHE, R_PHE, the anisotropy fields, the angle offsets
    and misalignment, mu0_h_dl, mu0_h_fl and the thermal terms; each curve keeps its own
    constant offset. Unlike methods (a)-(c) there is no small-angle, in-plane or high-field
    approximation: the equilibrium and the linear response are exact for the macrospin, so
    low fields, tilted fields and anisotropy are used rather than excluded.

    Starting values come from the data (R_AHE from the first harmonic's saturation levels, H_K
    positive for a perpendicular film, the textbook methods where they apply) and the result is
    checked against them (docs/hall.md, "Sanity gates"): R_AHE against the first harmonic's
    levels (size and sign), the sign of H_K against the film type, parameters at a bound, the
    misfit of each first harmonic, and convergence within ``time_limit``. A failed check flags
    the quantities (``HallResult.flags``).

    Weights: a first fit estimates the noise of each curve from its residuals; the final fit
    uses these as standard errors (``reweight=True``), so curves with different noise levels
    (first and second harmonic) count in proportion to their information. A second harmonic
    that was not recorded (constant column) is left out; without any, the torque fields and
    r_ane are reported as undetermined.

    Parameters
    ----------
    scans : sequence of HallScan
    fixed : dict, optional
        Parameters held at given values, e.g. ``{"r_ahe": 0.8, "mu0_hk": -0.8}`` for an
        in-plane film measured by in-plane rotations only (then required).
    init : dict, optional
        Starting values (default: from the data, see above).
    free : sequence of str
        Parameters fixed by default that should vary: ``mu0_h_ip``, ``ip_axis``, ``tilt_x``,
        ``tilt_y``, ``theta0``, ``r_one``, ``r_ohe``.
    reweight : bool
        Per-curve noise from a first fit (see above).
    sample : Sample, optional
    max_nfev : int, optional
        Limit on the evaluations of the residual in each pass.
    time_limit : float or None
        Wall-clock limit in s for the two passes together (None: none). The evaluations are
        limited to what fits in the time left, from the time of one evaluation at the start; a
        fit stopped by either limit is reported as not converged and its quantities flagged.

    Returns
    -------
    HallResult
        Quantities with correlated uncertainties from the covariance matrix; ``fits['global']``
        is the :class:`~sotfit.results.FitResult`, ``fits['curves']`` the ``(scan index,
        harmonic)`` of each of its datasets.
    """
    t_start = time.monotonic()
    scans = list(scans)
    _check_macrospin_input(scans, fixed, free)
    notes, flags = [], {}
    _field_notes(scans, notes)
    _theta_h_notes(scans, notes)
    r_phe_given = "r_phe" in (fixed or {})
    given = tuple(fixed or {})
    fixed = _hold_for_sweeps(scans, dict(fixed or {}), free, notes)
    start = _start_values(scans, fixed, notes)
    start.update(init or {})
    data, models, index = _macrospin_datasets(scans)
    no_torque = not any(h == 2 for _, h in index)
    if no_torque:
        fixed.update({k: 0.0 for k in ("mu0_h_dl", "mu0_h_fl", "r_ane")})
        notes.append("no scan has a recorded second harmonic (constant columns): the torque fields and "
                     "r_ane are undetermined (held at 0 in the fit of the first harmonics)")
    passes = _LimitedFit(data, models, start, fixed, free, max_nfev, time_limit, t_start)
    res = passes.run("first pass")
    if "phi0" not in fixed and not passes.stopped:
        res = _turned_start(passes, res, start, flags, notes)
    if reweight and not passes.stopped:  # a pass stopped by the limit is no base for reweighting
        res = passes.reweighted(res)
    if not res.success:
        notes.append(f"global fit not reliable: {res.problems}")
    _correlation_notes(res, notes)
    q = _fitted_quantities(res, fixed, no_torque, flags)
    rows = _curve_rows(res, scans, index)
    _macrospin_gates(res, q, scans, fixed, rows, passes.stopped, flags, notes, given)
    if not r_phe_given and not no_torque:
        _planar_hall_flags(scans, "r_phe" in fixed, flags)
    q = efficiencies(q, sample, notes)
    common_gates(q, scans, flags)
    return HallResult("macrospin", q, rows, [], notes, {"global": res, "curves": index}, flags)


#: Two minima of the global fit whose relative costs (:func:`_relative_costs`) differ by less
#: than this factor are of similar cost: the data hardly prefer one.
SIMILAR_COST = 2.0
#: ... and whose chi-squares, each curve against the smaller residual of the two, differ by
#: at most this (5 standard errors): more, and the data tell them apart however close the
#: relative costs, which average the curves and not their points.
SIMILAR_CHI2 = 25.0
#: The pass from phi0 turned by 90 deg may take as many evaluations of the residual as the first
#: pass took, and at least this many.
TURNED_MIN_EVALUATIONS = 50
#: Two minima whose phi0 differ by less than this (deg, modulo 180 deg) are one minimum.
SAME_PHI0 = 10.0
#: A fitted phi0 farther than this (deg) from 0 and 180 deg puts the field along the current at
#: a reading across the rotator's zero (as method (a) takes phi0 within +-45 deg).
TURNED_PHI0 = 45.0


def _relative_costs(fits) -> list:
    """The cost of each fit of the same curves, on a common scale: each curve's squared rms
    residual over the smallest any of the fits leaves on it, averaged with the curves' numbers of
    points (1 for a fit that leaves on every curve the smallest residual). Each curve weighs by
    its own noise, so a second harmonic counts as much as a first harmonic many times larger."""
    rms = np.array([[_rms(f.residuals(i)) for i in range(len(f.datasets))] for f in fits])
    n = np.array([len(d) for d in fits[0].datasets], float)
    floor = 1e-15 * max(float(np.max(np.abs(d.y))) for d in fits[0].datasets) + 1e-300
    ref = np.maximum(rms.min(axis=0), floor)
    return [float(np.sum(n * (r / ref) ** 2) / np.sum(n)) for r in rms]


def _chi2_apart(best, other) -> float:
    """How much larger the chi-square of ``other`` is than that of ``best`` (fits of the same
    curves), each curve's residuals taken against the smaller rms residual the two leave on it
    as its noise: the points of every curve count, where the relative costs
    (:func:`_relative_costs`) average the curves."""
    fits = (best, other)
    rms = np.array([[_rms(f.residuals(i)) for i in range(len(f.datasets))] for f in fits])
    n = np.array([len(d) for d in best.datasets], float)
    floor = 1e-15 * max(float(np.max(np.abs(d.y))) for d in best.datasets) + 1e-300
    ref = np.maximum(rms.min(axis=0), floor)
    return float(np.sum(n * ((rms[1] / ref) ** 2 - (rms[0] / ref) ** 2)))


def _off_axis(phi0: float) -> float:
    """Distance (deg) of ``phi0`` from the nearest multiple of 180 deg."""
    return abs((phi0 + 90.0) % 180.0 - 90.0)


def _turned_start(passes, res, start, flags, notes):
    """The first pass of the global fit, or the pass from its start turned by 90 deg where that
    ends in a minimum of lower cost (:func:`_relative_costs`).

    The first harmonic gives phi0 only modulo 90 deg: (R_PHE, phi0) and (-R_PHE, phi0 + 90 deg)
    describe it alike, and the start takes phi0 within +-45 deg. A sample whose azimuth is counted
    from y (the field along the current at a reading of -90 deg) then started at phi0 near 0 with
    R_PHE of the wrong sign, and the fit ended there, the second harmonic's cos(phi) turned into a
    sin(phi) and the torque fields near 0, flagged only as a misfit. The pass from phi0 turned by
    90 deg with R_PHE negated is run beside it and the one of lower cost kept; two different minima
    of similar cost (within :data:`SIMILAR_COST` and :data:`SIMILAR_CHI2`) flag the torque
    fields, naming both; a phi0
    kept more than :data:`TURNED_PHI0` from 0 and 180 deg flags them too: the readings phi0 and
    phi0 + 180 deg give the same fit with every torque field and the thermal terms reversed, and
    which one is along the current only the rotator's scale says (``--phi-offset``).
    """
    phi0 = float(start.get("phi0", 0.0))
    r_phe = float(start.get("r_phe", passes.models[0].defaults()["r_phe"]))
    turned = {"phi0": phi0 + 90.0 if phi0 <= 0 else phi0 - 90.0, "r_phe": -r_phe}
    # at most as many evaluations as the first pass took: from the right basin the fit gets there
    # as fast, and one cut short is carried on only where it already leaves less misfit
    alt, short = passes.run_from(turned, max(passes.counter.calls, TURNED_MIN_EVALUATIONS))
    if not alt.success and not short:
        return _phi0_turned(res, flags, notes)
    if _same_minimum(res, alt):     # back where the data's start ended: nothing to choose
        return _phi0_turned(res, flags, notes)
    costs = _relative_costs([res, alt])
    if costs[1] < costs[0] or (short and costs[1] < SIMILAR_COST * costs[0]):
        stopped = list(passes.stopped)
        alt = passes.continued(alt, "first pass from phi0 turned by 90 deg")
        costs = _relative_costs([res, alt])
        if len(passes.stopped) > len(stopped):
            if costs[1] < costs[0]:
                return _phi0_turned(alt, flags, notes)
            passes.stopped = stopped
            return _phi0_turned(res, flags, notes)
    elif short:
        return _phi0_turned(res, flags, notes)
    (c_best, best, name_best), (c_other, other, name_other) = sorted(
        [(costs[0], res, "the data's start"), (costs[1], alt, "the start turned by 90 deg")],
        key=lambda t: t[0])
    if not _same_minimum(best, other):
        summary = (f"phi0 = {best.value('phi0'):.1f} deg (from {name_best}; R_PHE = "
                   f"{best.value('r_phe'):.4g} Ohm, mu0_h_dl = {best.value('mu0_h_dl'):.4g} T, "
                   f"mu0_h_fl = {best.value('mu0_h_fl'):.4g} T) and phi0 = {other.value('phi0'):.1f} "
                   f"deg (from {name_other}; {other.value('r_phe'):.4g} Ohm, "
                   f"{other.value('mu0_h_dl'):.4g} T, {other.value('mu0_h_fl'):.4g} T)")
        # 1.94 times over three in-plane rotations whose second harmonics were 60 points each
        # was a chi-square 340 apart: flagged as minima the data hardly tell apart
        if c_other < SIMILAR_COST * c_best and _chi2_apart(best, other) <= SIMILAR_CHI2:
            _flag(flags, ["mu0_h_dl", "mu0_h_fl_oe", "r_ane", "r_phe", "phi0"],
                  f"two starting azimuths 90 deg apart end in different minima of similar cost "
                  f"({c_other / c_best:.3g} times): {summary}; the data hardly tell them apart. An "
                  "in-plane rotation (or R_PHE given, --r-phe) tells which reading puts the field "
                  "along the current")
        elif best is alt:
            notes.append(f"the fit from phi0 turned by 90 deg ends in a minimum of lower cost than the "
                         f"fit from the data's start, and is kept: {summary}; the other leaves "
                         f"{c_other / c_best:.3g} times its misfit (each curve against its own noise)")
    return _phi0_turned(best, flags, notes)


def _same_minimum(a, b) -> bool:
    """Whether two fits ended at one phi0 (within :data:`SAME_PHI0`, modulo 180 deg)."""
    return 90.0 - _off_axis(a.value("phi0") - b.value("phi0") + 90.0) <= SAME_PHI0


def _phi0_turned(res, flags, notes):
    """``res``, with the torque fields flagged where its phi0 is turned by about 90 deg from the
    reading's zero (:func:`_turned_start`)."""
    if "phi0" in res.varied and _off_axis(res.value("phi0")) > TURNED_PHI0:
        phi0 = res.value("phi0")
        other = phi0 - 180.0 if phi0 > 0 else phi0 + 180.0
        _flag(flags, ["mu0_h_dl", "mu0_h_fl_oe", "r_ane"] + (["r_one"] if "r_one" in res.varied else []),
              f"the field is along the current at the azimuth reading phi0 = {phi0:.1f} deg, or at "
              f"{other:.1f} deg: the data fit either alike, with every torque field and the thermal "
              f"terms reversed; which one is along the current only the rotator's scale says, and "
              f"the signs of the torque fields rest on it: give the reading where the field is "
              f"along the current (--phi-offset {phi0:.0f}deg or {other:.0f}deg, plus any "
              f"--phi-offset given already)")
    return res


def _check_macrospin_input(scans, fixed, free) -> None:
    """Refuse no scans, unknown parameter names and scans without a first harmonic."""
    if not scans:
        raise HallAnalysisError("method (d): no scans")
    check_names("method (d) free", free, MACROSPIN_PARAMETERS)
    check_names("method (d) fixed", fixed or {}, MACROSPIN_PARAMETERS)
    for s in scans:
        _require_first_harmonic(s, "(d) macrospin")


def _planar_hall_seen(scans) -> bool:
    """Whether a scan's first harmonic sees R_PHE itself (m_x m_y varies): an azimuthal
    rotation, or a rotation through the normal in a plane away from x and y."""
    return any(s.scan == "phi" or (s.scan == "theta" and abs(math.sin(2 * math.radians(
        float(s.meta.get("phi_h", 0.0))))) > 0.1) for s in scans)


def _planar_hall_flags(scans, held: bool, flags: dict) -> None:
    """Flag the torque fields of a fit without a given R_PHE: held at 0 (field sweeps), or
    fitted from scans that see it only through the torques' planar-Hall mixing, where fits
    with R_PHE and mu0_h_fl of the other sign describe the data about as well (an outside
    trial: H_FL +0.60 +- 0.009 mT for -0.8, in 4 of 4 noise seeds, exit 0 under --strict)."""
    if held:
        _flag(flags, ["mu0_h_dl", "mu0_h_fl_oe"],
              "R_PHE not given and held at 0 (field sweeps do not determine it): the torque "
              "fields leave out the planar-Hall mixing of the sweeps, 2 R_PHE/R_AHE of each "
              "other, not in their standard errors; give R_PHE from an in-plane rotation "
              "(--r-phe; 0 where the planar Hall effect is negligible)")
    elif not _planar_hall_seen(scans):
        _flag(flags, ["mu0_h_fl_oe", "r_phe"],
              "R_PHE fitted from scans that see it only through the torques (field sweeps, "
              "rotations in the xz or yz plane): fits with R_PHE and mu0_h_fl_oe of the other "
              "sign describe them about as well, so neither sign is determined; give R_PHE from "
              "an in-plane rotation (--r-phe)")


def _hold_for_sweeps(scans, fixed: dict, free, notes: list) -> dict:
    """``fixed`` with R_PHE (and phi0) held at 0 when every scan is a field sweep.

    Field sweeps along x and y see R_PHE only through the small mixing of the torques in the
    second harmonic (correlated with mu0_h_fl) and through phi0 in the first: not determined
    (the measured Ta/CoFeB loops gave 12 Ohm, a planar Hall resistance 4 times R_AHE).
    """
    if {s.scan for s in scans} == {"field"} and "r_phe" not in fixed and "r_phe" not in free:
        fixed["r_phe"] = 0.0
        held = "R_PHE"
        if "phi0" not in fixed and "phi0" not in free:
            fixed["phi0"] = 0.0
            held = "R_PHE and phi0"
        notes.append(f"{held} held at 0: field sweeps alone do not determine R_PHE (it enters only through "
                     "the planar-Hall mixing of the torques, correlated with mu0_h_fl; what that leaves "
                     "out is flagged on the torque fields)")
    return fixed


def _rms(r) -> float:
    """Root mean square of the residuals ``r`` (their unit)."""
    return float(np.sqrt(np.mean(r * r)))


class _LimitedFit:
    """The passes of the global fit within an evaluation limit and a wall-clock limit.

    Each pass may take as many evaluations of the residual as fit in the time left (from the time
    of one evaluation at the start), at most ``max_nfev``; a pass stopped by either limit is named
    in ``stopped``.
    """

    def __init__(self, data, models, start, fixed, free, max_nfev, time_limit, t_start):
        init = {k: v for k, v in start.items() if k in _SHARED}
        for i, d in enumerate(data):
            init[f"offset_{i}"] = 0.0
        self.counter = _Counted(models[0].func)
        self.data = data
        self.models = [dataclasses.replace(models[0], func=self.counter)] + list(models[1:])
        self.fixed, self.max_nfev, self.time_limit, self.t_start = fixed, max_nfev, time_limit, t_start
        self.t_eval = max(_evaluation_time(data, self.models, init, fixed), 1e-6)
        self.kw = dict(shared=_SHARED, init=init, fixed=fixed, free=tuple(free), guess=False, warn=False)
        self.stopped = []

    def _limit(self):
        """The evaluations this pass may take (None: no limit)."""
        limit = self.max_nfev
        if self.time_limit is not None and math.isfinite(self.time_limit):
            nvary_guess = len(_SHARED) + len(self.data)
            left = self.time_limit - (time.monotonic() - self.t_start)
            by_time = max(nvary_guess + 2, int(left / self.t_eval))
            limit = by_time if limit is None else min(limit, by_time)
        return limit

    def run(self, pass_name: str):
        """One pass of :func:`sotfit.fitting.fit_global` (polished when it converged)."""
        limit = self._limit()
        self.counter.calls = 0
        r = fit_global(self.data, self.models, max_nfev=limit, **self.kw)
        if limit is not None and self.counter.calls >= limit:
            self.stopped.append(f"{pass_name} stopped after {self.counter.calls} evaluations of the residual "
                                f"({time.monotonic() - self.t_start:.0f} s; time limit {self.time_limit} s, "
                                f"evaluation limit {self.max_nfev})")
            return r
        return _polish(r) if r.success else r

    def run_from(self, init: dict, cap: int):
        """One unpolished pass from the starting values of ``init`` over those of the passes, of at
        most ``cap`` evaluations of the residual (or what the limits allow), and whether it was cut
        short; the passes' record of stops is left as it was."""
        keep = self.kw["init"]
        self.kw["init"] = {**keep, **{k: v for k, v in init.items() if k in keep}}
        limit = self._limit()
        limit = cap if limit is None else min(limit, cap)
        self.counter.calls = 0
        try:
            r = fit_global(self.data, self.models, max_nfev=limit, **self.kw)
        finally:
            self.kw["init"] = keep
        return r, self.counter.calls >= limit

    def continued(self, res, pass_name: str):
        """The pass again from the values of ``res`` (to its optimum, polished)."""
        keep = self.kw["init"]
        self.kw["init"] = {**keep, **{k: res.value(k) for k in res.params if k in keep}}
        try:
            return self.run(pass_name)
        finally:
            self.kw["init"] = keep

    def reweighted(self, res):
        """The pass again with the rms residual of each curve of ``res`` as its standard error."""
        sig = [max(_rms(res.residuals(i)), 1e-15 * (np.max(np.abs(d.y)) + 1e-30))
               for i, d in enumerate(self.data)]
        self.data = [d.replace(yerr=np.full(len(d), s)) for d, s in zip(self.data, sig)]
        self.kw["init"] = {k: res.value(k) for k in res.params if k not in self.fixed}
        return self.run("reweighted pass")


def _correlation_notes(res, notes: list) -> None:
    """Note every pair of shared parameters correlated by more than 0.95, and every shared
    parameter whose multiple correlation with the per-curve offsets exceeds 0.95 (pairs with
    one offset are not named: an offset is degenerate with a parameter only together with
    the others)."""
    corr = res.correlation()
    if corr is None:
        return
    names = [n for n in res.varied]
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            if abs(corr[a, b]) > 0.95 and not (names[a].startswith("offset") or names[b].startswith("offset")):
                notes.append(f"{names[a]} and {names[b]} are correlated ({corr[a, b]:+.3f}): the data "
                             "constrain mainly a combination; their errors are linearised and may be "
                             "optimistic (fix one from another measurement)")
    offsets = [i for i, n in enumerate(names) if n.startswith("offset")]
    for a, name in enumerate(names):
        if name.startswith("offset") or not offsets:
            continue
        r = np.asarray(corr)[np.ix_([a], offsets)][0]
        # the multiple correlation of the parameter with the per-curve offsets together
        multiple = float(np.sqrt(max(0.0, r @ np.linalg.pinv(np.asarray(corr)[np.ix_(offsets, offsets)]) @ r)))
        if multiple > 0.95:
            notes.append(f"{name} is correlated with the per-curve offsets together (multiple "
                         f"correlation {min(multiple, 1.0):.3f}): the data hardly tell it from a "
                         "constant per curve (e.g. r_ane of in-plane field sweeps at a fixed azimuth, "
                         "where m_x stays constant along each sweep); its error says how little "
                         "it is determined (fix it from another measurement)")


def _fitted_quantities(res, fixed, no_torque: bool, flags: dict) -> dict:
    """The result names of the fitted (or fixed) parameters; the torque fields and r_ane
    undetermined (flagged) without a second harmonic."""
    q = {}
    for k, name in _RESULT_NAMES.items():
        if k in res.varied or k in fixed or k in ("mu0_h_dl", "mu0_h_fl", "r_ane"):
            q[name] = res[k]
    if no_torque:
        for k in ("mu0_h_dl", "mu0_h_fl_oe", "r_ane"):
            q[k] = _undetermined()
        _flag(flags, ["mu0_h_dl", "mu0_h_fl_oe", "r_ane"],
              "undetermined: no scan has a recorded second harmonic")
    return q


def _curve_rows(res, scans, index) -> list:
    """One table row per scan: the fitted offset (Ohm) and rms residual (Ohm) of each harmonic."""
    rows = []
    where = {ih: j for j, ih in enumerate(index)}
    for i, s in enumerate(scans):
        row = {"source": s.source, "scan": s.scan, "field": s.meta.get("field")}
        for h in (1, 2):
            j = where.get((i, h))
            row[f"offset_{h}w"] = res.value(f"offset_{j}") if j is not None else None
            row[f"rms_{h}w"] = _rms(res.residuals(j)) if j is not None else None
        rows.append(row)
    return rows
