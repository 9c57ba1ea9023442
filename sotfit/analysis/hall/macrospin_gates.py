"""Sanity gates of the global macrospin fit (method (d), docs/hall.md "Sanity gates")."""

from __future__ import annotations

import math

import numpy as np

from .common import _no_signal, _nominal
from .gates import _at_bounds, _flag
from .macrospin_start import _film_type, _state_levels, _theta_levels
from .names import _RESULT_NAMES


#: Largest rms misfit of a first harmonic, relative to the largest first-harmonic range of the set.
R1W_MISFIT = 0.02
#: Largest rms misfit of a second harmonic, relative to the largest second-harmonic range of the set
#: (above it the torque fields rest on a model that does not describe the signal that gives them).
R2W_MISFIT = 0.10
#: R_AHE from the global fit and from the first harmonic's levels may differ by at most this factor.
R_AHE_FACTOR = 2.0


def _macrospin_gates(res, q, scans, fixed, rows, stopped, flags, notes, given=()):
    """Sanity gates of the global fit (docs/hall.md): convergence, bounds, the sign of H_K against
    the film type, R_AHE against the first harmonic's levels, the misfit of each harmonic (with
    its likely causes among what the run holds: ``given`` names the parameters held at values
    given to the fit, :func:`_misfit_hints`)."""
    fitted = [_RESULT_NAMES[k] for k in res.varied if k in _RESULT_NAMES and _RESULT_NAMES[k] in q]
    _convergence_gates(res, fitted, stopped, flags, notes)
    _film_gate(q, scans, fixed, flags)
    scale = max(float(np.ptp(s.r1w.y)) for s in scans)
    if "r_ahe" not in fixed and "r_ahe" in q:
        _r_ahe_gate(_nominal(q["r_ahe"]), scans, scale, flags)
    _misfit_gate(rows, 1, scale, R1W_MISFIT, ".1%", fitted, flags, scans,
                 _misfit_hints(res, scans, fixed, given, 1))
    scale2 = max((float(np.ptp(s.r2w.y)) for s in scans if not _no_signal(s)), default=0.0)
    _misfit_gate(rows, 2, scale2, R2W_MISFIT, ".0%",
                 [k for k in ("mu0_h_dl", "mu0_h_fl_oe", "r_ane", "r_one") if k in q], flags, scans,
                 _misfit_hints(res, scans, fixed, given, 2))


#: The command-line options that give the values method (d) holds fixed.
GIVEN_OPTIONS = {"mu0_hk": "--hk/--meff", "r_ahe": "--r-ahe", "r_phe": "--r-phe"}
#: Units of the values named by :func:`_misfit_hints`.
_UNITS = {"mu0_hk": "T", "r_ahe": "Ohm", "r_phe": "Ohm"}


def _misfit_hints(res, scans, fixed, given, harmonic: int) -> list:
    """The likely causes of a misfit of the ``harmonic`` among what this run holds: values given
    to the fit (``given``, with their options), R_PHE held at 0 for field sweeps alone, the ordinary
    Nernst term held at 0 (second harmonic), polar rotations read in the xz plane because nothing
    gave their phi_h, tilts of the field held at 0, and the in-plane anisotropy held at 0 where
    in-plane rotations are fitted (first harmonic; named last)."""
    varied = set(res.varied)
    hints = []
    shown = [f"{k} = {fixed[k]:.4g} {_UNITS.get(k, '')}".rstrip() + f" ({GIVEN_OPTIONS.get(k, k)})"
             for k in given if k in fixed]
    if shown:
        hints.append("values given and held fixed: " + ", ".join(shown) + " (a value a few % off is "
                     "taken as exact and the fit moves the others; leave it out to fit it)")
    if "r_phe" in fixed and "r_phe" not in given:
        hints.append("R_PHE held at 0 (give it: --r-phe)")
    if harmonic == 2 and "r_one" not in varied and "r_one" not in fixed:
        hints.append("the ordinary Nernst term r_one held at 0 (--free r_one)")
    assumed = [s.source for s in scans if s.scan == "theta" and
               (s.meta.get("phi_h_assumed") or "phi_h" not in s.meta)]
    if assumed:
        names = ", ".join(assumed[:3]) + (f" and {len(assumed) - 3} more" if len(assumed) > 3 else "")
        hints.append(f"polar rotations read in the xz plane (phi_h = 0) because no column, preamble entry "
                     f"or option gave their plane: {names} (a phi_h column, or --phi-h)")
    if not {"tilt_x", "tilt_y"} & (varied | set(fixed)):
        hints.append("the tilt of the field held at 0 (--free tilt_x,tilt_y)")
    if harmonic == 1 and "mu0_h_ip" not in varied and "mu0_h_ip" not in fixed and \
            any(s.scan == "phi" for s in scans):
        hints.append(IP_HINT)
    return hints


def _convergence_gates(res, fitted, stopped, flags, notes) -> None:
    """Flag the fitted quantities of a fit stopped by a limit or not converged, and every quantity
    at a bound of the fit."""
    for why in stopped:
        _flag(flags, fitted, f"global fit did not converge: {why}; the values are not an optimum "
                             "(raise the limit or start closer)")
        notes.append(f"global fit NOT CONVERGED: {why}")
    msg = res.message.split(";")[0].strip()
    if not stopped and not (msg.startswith("Fit succeeded") or msg.startswith("One or more variable")):
        _flag(flags, fitted, f"global fit did not converge ({msg})")
    for name, lo, hi in _at_bounds(res):
        if name in _RESULT_NAMES:
            _flag(flags, [_RESULT_NAMES[name]], f"at a bound of the fit ([{lo:g}, {hi:g}]): the optimum lies "
                                                "outside the allowed range")


def _film_gate(q, scans, fixed, flags) -> None:
    """Flag a fitted mu0_hk_eff (T) whose sign contradicts the film type the data show."""
    film, why = _film_type(scans, fixed)
    hk = q.get("mu0_hk_eff")
    if "mu0_hk" not in fixed and hk is not None and film is not None:
        if (film == "perpendicular") != (_nominal(hk) > 0):
            _flag(flags, ["mu0_hk_eff"], f"sign contradicts the film type: mu0_hk_eff = {_nominal(hk):.3g} T "
                                         f"({'easy plane' if _nominal(hk) <= 0 else 'perpendicular'}) but "
                                         f"{why} show a {film} film")


def _r_ahe_gate(r, scans, scale, flags) -> None:
    """Flag a fitted R_AHE ``r`` (Ohm) unlike the first harmonic's levels (size or sign), or, without
    a level of a known m_z, larger than R_AHE_FACTOR x the largest range ``scale`` (Ohm) of R_1w."""
    sweeps = [s for s in scans if s.scan == "field"]
    thetas = [s for s in scans if s.scan == "theta"]
    levels = _state_levels(sweeps) if sweeps else None
    if levels is not None:
        ref, what = levels[0], "half the jump of R_1w at zero field between the m_z = +1 and -1 states"
    elif thetas:
        ref, what = _theta_levels(thetas), "half the range of R_1w over the xz rotations"
    else:
        ref = None
    if ref is not None and ref != 0:
        ratio = abs(r / ref)
        if not 1 / R_AHE_FACTOR <= ratio <= R_AHE_FACTOR:
            _flag(flags, ["r_ahe"], f"R_AHE = {r:.4g} Ohm is {ratio:.3g} times the first harmonic's scale "
                                    f"({ref:.4g} Ohm, {what}): not what the data show")
        if r * ref < 0:
            _flag(flags, ["r_ahe"], f"sign of R_AHE = {r:.4g} Ohm contradicts the first harmonic "
                                    f"({ref:.4g} Ohm, {what})")
    elif scale > 0 and abs(r) > R_AHE_FACTOR * scale:
        # no level of a known m_z: R_AHE larger than every change of R_1w means m_z never changes
        # by more than 1/R_AHE_FACTOR, and R_AHE rests on the model's m_z alone
        _flag(flags, ["r_ahe"], f"R_AHE = {r:.4g} Ohm is {abs(r) / scale:.3g} times the largest range of "
                                f"R_1w in any scan ({scale:.4g} Ohm): m_z hardly changes in these data, so "
                                "R_AHE rests on the model alone (fix it from a measurement through both "
                                "perpendicular states)")


#: A misfit must exceed the noise of the curve (:func:`_curve_noise`) by this factor: the rms
#: residual of a model that describes the data is the noise.
MISFIT_NOISE = 2.0


def _curve_noise(y) -> float:
    """The noise (Ohm) of a curve ``y`` (in scan order) from its second differences, which a
    smooth signal sampled finely leaves near zero: 1.4826 x their median absolute value /
    sqrt(6) (a normal distribution's standard deviation; the median passes over a switching
    jump or a peak). 0 for fewer than five points."""
    y = np.asarray(y, float)
    if y.size < 5:
        return 0.0
    d2 = y[2:] - 2 * y[1:-1] + y[:-2]
    return float(1.4826 * np.median(np.abs(d2)) / np.sqrt(6.0))


#: Highest order of the Fourier series in the angle of a rotation (:func:`_model_free_noise`).
FOURIER_ORDER = 8
#: A rotation spanning at least this many degrees (with one step) is fitted by a Fourier series.
FULL_TURN = 270.0
#: Points per piece of the local cubic fits of a field sweep or a partial rotation.
PIECE_POINTS = 12
#: The smooth fits use at most this fraction of a curve's points as parameters.
MAX_PARAM_FRACTION = 1.0 / 3.0
#: Order of the differences of the robust local estimate (a cubic through each five neighbours).
DIFF_ORDER = 4


def _smooth_projection(scan: str, x):
    """``(R, dof)``: the matrix that takes a curve at the sorted ``x`` to its residual from the
    least-squares smooth fit (a Fourier series in the angle up to order FOURIER_ORDER for a
    rotation over FULL_TURN or more, else cubics on consecutive pieces of about PIECE_POINTS
    points), with the degrees of freedom of that residual; None where the fit would take more
    than MAX_PARAM_FRACTION of the points (or leaves fewer than five degrees of freedom)."""
    n = x.size
    if n < 10:
        return None
    step = float(np.median(np.diff(x)))
    blocks = []
    if scan in ("phi", "theta") and np.ptp(x) + step >= FULL_TURN:
        order = min(FOURIER_ORDER, int((MAX_PARAM_FRACTION * n - 1) // 2))
        if order < 2:
            return None
        a = np.radians(x)
        cols = [np.ones(n)] + [f(k * a) for k in range(1, order + 1) for f in (np.cos, np.sin)]
        blocks.append((np.arange(n), np.column_stack(cols)))
    else:
        for piece in np.array_split(np.arange(n), max(1, round(n / PIECE_POINTS))):
            t = x[piece] - x[piece].mean()
            blocks.append((piece, np.vander(t / (float(np.ptp(t)) or 1.0), min(4, piece.size))))
    r, npar = np.eye(n), 0
    for idx, cols in blocks:
        u, sv, _ = np.linalg.svd(cols, full_matrices=False)
        u = u[:, sv > 1e-10 * sv[0]]
        r[np.ix_(idx, idx)] -= u @ u.T
        npar += u.shape[1]
    dof = n - npar
    if dof < 5 or npar > MAX_PARAM_FRACTION * n:
        return None
    return r, dof


def _difference_noise(y) -> np.ndarray:
    """The noise (Ohm) of curves ``y`` (last axis, in scan order) from their differences of
    order DIFF_ORDER (the residual of a cubic through each five neighbours): 1.4826 x their median
    absolute value / sqrt(C(8, 4)), which passes over a switching jump or a sharp feature that a
    minority of points sees."""
    d = np.diff(y, DIFF_ORDER, axis=-1)
    return 1.4826 * np.median(np.abs(d), axis=-1) / math.sqrt(math.comb(2 * DIFF_ORDER, DIFF_ORDER))


def _model_free_noise(scan: str, x, y) -> float:
    """The noise (Ohm) of one curve from fits that owe nothing to the macrospin model.

    The smaller of two estimates: the rms residual of a smooth least-squares fit over its
    degrees of freedom (a Fourier series in the angle for a rotation over a full turn or most of
    one, local cubics on pieces of a field sweep or a partial rotation; :func:`_smooth_projection`),
    and the robust estimate from the fourth differences (:func:`_difference_noise`), which
    follows the sharp features of polar rotations near the anisotropy field that a Fourier
    series of low order leaves in its residual. Curves of fewer than ten points take the
    second differences (:func:`_curve_noise`).

    Parameters
    ----------
    scan : str
        'phi', 'theta' (``x`` in deg) or 'field' (``x`` in T).
    x, y : array_like
        The scan variable and the harmonic's resistance (Ohm).

    Returns
    -------
    float
        Standard deviation (Ohm) of the noise of one point.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    o = np.argsort(x, kind="stable")
    x, y = x[o], y[o]
    if x.size < 10:
        return _curve_noise(y)
    est = float(_difference_noise(y))
    got = _smooth_projection(scan, x)
    if got is not None:
        r, dof = got
        res = r @ y
        est = min(est, math.sqrt(float(res @ res) / dof))
    return est


#: The misfit factor is the (1 - MISFIT_ALPHA) quantile of the ratio of the rms residual of a
#: curve to its model-free noise where the model describes the data (white noise) ...
MISFIT_ALPHA = 1e-3
#: ... times this margin: the step from that quantile to rarer false alarms (about x 1.1-1.3 to
#: 1e-4), and what real data have beyond white noise (slow drift, a point or two off).
MISFIT_MARGIN = 1.5
#: Noise draws of the simulation of :func:`misfit_factor` (seeded: the same factor every run).
MISFIT_DRAWS = 20000

_FACTORS: dict = {}


def misfit_factor(scan: str, x) -> float:
    """How many times its model-free noise (:func:`_model_free_noise`) the rms residual of a
    curve sampled at ``x`` may be before it is called missed.

    Where the model describes the data the rms residual is the noise, and the ratio scatters
    with the estimate of the noise (most, with the median of the differences, on few points).
    The ratio of the rms of white noise (its mean removed, as the offset of each curve is) to
    the estimate from the same noise is simulated on the curve's own ``x``
    (:data:`MISFIT_DRAWS` seeded draws); the factor is :data:`MISFIT_MARGIN` x its
    (1 - :data:`MISFIT_ALPHA`) quantile: about 2.3 at 121 points, 3.3 at 41 and 4.6 at 24.
    Curves of fewer than ten points: :data:`MISFIT_NOISE`.
    """
    x = np.sort(np.asarray(x, float))
    if x.size < 10:
        return MISFIT_NOISE
    key = (scan in ("phi", "theta"), x.tobytes())
    if key not in _FACTORS:
        e = np.random.default_rng(20240601).normal(size=(MISFIT_DRAWS, x.size))
        est = _difference_noise(e)
        got = _smooth_projection(scan, x)
        if got is not None:
            r, dof = got
            est = np.minimum(est, np.sqrt(np.einsum("ij,ij->i", e @ r, e @ r) / dof))
        ratio = e.std(axis=1) / est
        _FACTORS[key] = MISFIT_MARGIN * float(np.quantile(ratio, 1.0 - MISFIT_ALPHA))
        if len(_FACTORS) > 256:
            _FACTORS.pop(next(iter(_FACTORS)))
    return _FACTORS[key]


#: What a first-harmonic misfit of in-plane rotations says where the fit holds the in-plane
#: anisotropy at 0: a 4phi part of R_1w at low fields, which it then cannot describe.
IP_HINT = ("in-plane rotations at low fields are missed so where the film has an in-plane "
           "anisotropy, held at 0 here (--free mu0_h_ip,ip_axis)")


def _misfit_gate(rows, harmonic: int, scale, limit, fmt: str, names, flags, scans=(),
                 hints=()) -> None:
    """Flag ``names`` when a scan's ``harmonic`` is missed: its rms residual exceeds
    :func:`misfit_factor` x its model-free noise (:func:`_model_free_noise`), or ``limit`` x the
    largest range ``scale`` (Ohm) of that harmonic over the set and :data:`MISFIT_NOISE` x its
    second-difference noise (:func:`_curve_noise`; a misfit large against the signal where the
    model-free noise is itself inflated by a signal sharper than its series follows). The flag
    says how many times its noise each curve is missed (fractions of ``scale`` shown with
    ``fmt``) and the likely causes ``hints``. Flat first harmonics of in-plane sweeps, whose range
    is the noise, are missed by their noise alone: not flagged."""
    key = f"rms_{harmonic}w"
    by_source = {s.source: s for s in scans}
    bad = []
    for row in rows:
        rms, s = row[key], by_source.get(row["source"])
        if rms is None or s is None:
            continue
        d = s.r1w if harmonic == 1 else s.r2w
        noise = _model_free_noise(s.scan, d.x, d.y)
        over_noise = noise > 0 and rms > misfit_factor(s.scan, d.x) * noise
        over_range = scale > 0 and rms > limit * scale and \
            rms > MISFIT_NOISE * _curve_noise(d.y[np.argsort(d.x, kind="stable")])
        if over_noise or over_range:
            times = f"{rms / noise:.3g} times its noise" if noise > 0 else "noise 0"
            bad.append((row["source"], rms, times, rms / scale if scale > 0 else float("nan")))
    if not bad:
        return
    bad.sort(key=lambda b: -b[1])
    shown = ", ".join(f"{src} ({times}; {frac:{fmt}} of the range)" for src, _, times, frac in bad[:3])
    shown += f" and {len(bad) - 3} more" if len(bad) > 3 else ""
    which = "first" if harmonic == 1 else "second"
    why = f"; likely causes held in this run: {'; '.join(hints)}" if hints else ""
    _flag(flags, names, f"the macrospin model misses the {which} harmonic of {shown}: rms residual above "
                        "what its noise allows (the noise from a model-free smooth fit of each curve) or "
                        f"above {limit:.0%} of the largest {which}-harmonic range of the set{why}")
