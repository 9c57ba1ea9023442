"""Lineshape fits of ST-FMR branches in |mu0H|, each within a window around its resonance.

Fit window: the resonance is located by a local variable-projection search
(:func:`sotfit.analysis.stfmr.search.find_resonance`) and each branch is then fitted only within
``window_widths`` half widths of it (default 6), so that large sloped backgrounds and
low-field features (domain switching near H = 0) do not bias the lineshape. The window used is
recorded in the dataset metadata (``window_lo``, ``window_hi``, ``window_widths``,
``n_points_branch``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...data import Dataset
from ...fitting import FitError
from ...models.lineshapes import stfmr_mixing
from ...models.spec import ModelSpec
from ...results import FitResult
from .branches import _label
from .errors import NoResonanceError, SpectrumFitError
from .search import SEARCH_GRID, find_resonances


__all__ = [
    "edge_note",
    "fit_branch",
    "fit_branches",
]


#: How many times a branch whose line ran off one end of the sweep is searched again beyond
#: the feature that drew it (:func:`_beyond_edge_features`).
EDGE_RETRIES = 7
#: Half widths of the run-away fit, beyond its resonance, set aside with the sweep's end.
EDGE_SET_ASIDE_WIDTHS = 2.0
#: Most of a branch's span the features set aside at its ends may take, in all.
EDGE_SET_ASIDE_LIMIT = 1 / 3
#: Least part of a branch's span set aside at a time.
EDGE_STEP = 0.05
#: A fitted line wider than this part of its branch's span names no end of the sweep.
_EDGE_WIDE = 1 / 8
#: A line found beyond a set-aside end: least amplitude in residual scatters of its window,
#: and least width of its window in half widths (:func:`_clear_line`).
EDGE_SNR_MIN = 20.0
EDGE_WINDOW_WIDTHS = 8.0


def _window(b: Dataset, h_res: float, width: float, k: float) -> Dataset:
    """The points of branch ``b`` within ``k`` half widths of ``h_res`` (T), the window in meta."""
    lo, hi = h_res - k * width, h_res + k * width
    w = b.where((b.x >= lo) & (b.x <= hi))
    return w.replace(meta={"window_lo": float(max(lo, b.x[0])), "window_hi": float(min(hi, b.x[-1])),
                           "window_widths": float(k), "n_points_window": len(w)})


#: Keywords of :func:`fit_branch` passed on to the lineshape fit (as :func:`sotfit.fit` reads
#: them).
FIT_OPTIONS = ("init", "fixed", "bounds", "guess", "scale_covar", "max_nfev")


def _fit_setup(model: ModelSpec, fit_kwargs: dict):
    """The basis, bounds and fixed parameters of a lineshape fit with :func:`sotfit.fit`'s
    keywords."""
    from ...fitting_batch import _fixed_map
    from ...models.lineshapes import linear_basis
    from ...models.spec import ModelError

    unknown = sorted(set(fit_kwargs) - set(FIT_OPTIONS))
    if unknown:
        raise TypeError(f"the ST-FMR lineshape fits take {', '.join(FIT_OPTIONS)}; not "
                        f"{', '.join(unknown)}")
    try:
        basis = linear_basis(model)
    except ModelError as exc:
        raise TypeError(f"{exc}: fit_branch fits the ST-FMR lineshapes only") from None
    fixed = _fixed_map(fit_kwargs.get("fixed"))
    names = set(model.param_names)
    for what, keys in (("fixed", fixed), ("init", fit_kwargs.get("init") or {}),
                       ("bounds", fit_kwargs.get("bounds") or {})):
        bad = sorted(set(keys) - names)
        if bad:
            raise FitError(f"unknown parameter name(s) {bad} in {what}; the model has "
                           f"{list(model.param_names)}")
    bounds = {k: tuple((fit_kwargs.get("bounds") or {}).get(k, model.param(k).bounds))
              for k in model.param_names}
    return basis, fixed, bounds


def _starts(model, basis, x, y, init, guess, fixed, bounds):
    """Starting values as :func:`sotfit.fit` makes them: the model's guess (or defaults),
    then ``init``, fixed values, clipped into the bounds (for varied parameters)."""
    need_guess = guess and not all(k in init for k in basis.nonlinear)
    start = dict(model.initial(x, y) if need_guess else model.defaults())
    for k, v in init.items():
        start[k] = float(v)
    for k, v in fixed.items():
        if v is not None:
            start[k] = float(v)
    for k in model.param_names:
        if k not in fixed:
            lo, hi = bounds[k]
            start[k] = min(max(float(start[k]), lo), hi)
    return start


def fit_branches(branches, *, model: ModelSpec | None = None, window_widths: float = 6.0,
                 min_significance: float = 100.0, max_iter: int = 4,
                 edge_retries: int = EDGE_RETRIES, **fit_kwargs) -> list:
    """:func:`fit_branch` for many branches at once.

    The resonance of every branch is located (:func:`find_resonances`), and then every
    window is fitted with the variable-projection engine of :mod:`sotfit.fitting_batch`
    (the amplitudes and background in closed form, h_res and W by Levenberg-Marquardt), all
    branches of a window iteration together. A branch whose fit ran off an end of its sweep
    is searched again without that end (:func:`_beyond_edge_features`).

    Parameters
    ----------
    branches : sequence of Dataset
        Branches from :func:`~sotfit.analysis.stfmr.branches.split_branches` (x = |mu0H| in T,
        ascending; y = V_mix in uV).
    model, window_widths, min_significance, max_iter, **fit_kwargs
        As :func:`fit_branch`.
    edge_retries : int
        How many times a branch whose fit ran off an end of its sweep is searched again
        without the points of that end (0: never).

    Returns
    -------
    list
        Per branch its :class:`~sotfit.results.FitResult` or the :class:`STFMRError`
        (:class:`NoResonanceError`, :class:`SpectrumFitError`) :func:`fit_branch` raises.
    """
    setup = _BatchSetup.make(model or stfmr_mixing, window_widths, fit_kwargs)
    branches = list(branches)
    out: list = [None] * len(branches)
    where = [f"{_label(b)}, {b.meta.get('branch', '')} branch" for b in branches]
    found = find_resonances([(b.x, b.y) for b in branches], window_widths=min(window_widths, 6.0),
                            derivative=setup.basis.derivative_search)
    state = _initial_states(branches, found, where, setup, min_significance, out)
    active = sorted(state)
    final = {}
    for _ in range(max_iter):
        if not active:
            break
        rows, windows = _window_rows(active, branches, state, where, setup, out, final)
        if not rows:
            break
        fitted = _fit_windows(rows, windows, state, setup)
        active = _update_states(rows, fitted, state, final, setup)
    _final_results(branches, state, final, where, setup, out)
    if edge_retries > 0 and setup.finite:
        _beyond_edge_features(branches, state, out, model=model, window_widths=window_widths,
                              min_significance=min_significance, max_iter=max_iter,
                              edge_retries=edge_retries, fit_kwargs=fit_kwargs)
    return out


def _edge_cuts(b: Dataset, h: float, w: float, start: tuple) -> list[tuple[float, float]]:
    """The field ranges of branch ``b`` (T) to search again once the feature at one of its
    ends is set aside: the fitted resonance ``h`` (T) of half width ``w`` (T) ran to or off an
    end. A narrow line (``w`` below :data:`_EDGE_WIDE` of the sweep) at an end names that end, and the
    points from it to :data:`EDGE_SET_ASIDE_WIDTHS` half widths beyond the line go; a wide or
    vanished one does not (a decay at zero field and the line beside it, fitted as one wide
    line, ran off the sweep's other end), so each end is set aside in turn. At least
    :data:`EDGE_STEP` of the sweep goes at a time; ``start`` is the branch's whole range (T),
    and what goes at its ends stays within :data:`EDGE_SET_ASIDE_LIMIT` of it."""
    lo, hi = float(b.x[0]), float(b.x[-1])
    span = start[1] - start[0]
    left = EDGE_SET_ASIDE_LIMIT * span - ((lo - start[0]) + (start[1] - hi))
    if left < EDGE_STEP * span:
        return []
    at = min(max(h, lo), hi)
    narrow = 0 < abs(w) < _EDGE_WIDE * span
    ends = ([at - lo <= hi - at] if narrow else [True, False])
    out = []
    for low_end in ends:
        reach = ((at - lo if low_end else hi - at) + EDGE_SET_ASIDE_WIDTHS * abs(w)
                 if narrow else 0.0)
        cut = min(max(reach, EDGE_STEP * span), left)
        out.append((lo + cut, hi) if low_end else (lo, hi - cut))
    return out


def _beyond_edge_features(branches, state, out, *, model, window_widths, min_significance,
                          max_iter, edge_retries, fit_kwargs) -> None:
    """Search again, beyond it, each branch whose fitted line ran to or off an end of its
    sweep (the errors of :func:`_final_results` and :func:`_window_rows` that mark
    ``off_end``).

    A feature at an end of the sweep (the tail of a switching or remanence signal near H = 0,
    a background rising at the sweep's top) can outscore a clear line far from it in the
    search; the window fit then runs to the end and the branch was lost (a 3 uV decay over
    15 mT at zero field lost 14 of 16 branches whose lines, 45-380 mT away, stood 50 times
    above the noise). Such a branch is searched and fitted again without the points of that
    end (:func:`_edge_cuts`), up to :data:`EDGE_RETRIES` times. Where both ends are tried and
    both give a line, they must agree (resonance fields within 3 combined standard errors) and
    the one fitted on more points is kept; lines that disagree, a line found again wider
    than :data:`_EDGE_WIDE` of the sweep (a curved background again), or one that does not
    stand clear of the noise (:func:`_clear_line`: noise, correlated or not, passed for lines
    on 1-90 % of branches holding a decay and no line) leave the branch's first error.
    A line found so carries ``meta['edge_set_aside']`` (the branch's range and the range
    searched, T), which the spectrum's notes state."""
    subs, owners = [], []
    for i, st in state.items():
        if not (isinstance(out[i], NoResonanceError) and st.get("off_end")):
            continue
        b = branches[i]
        start = b.meta.get("edge_set_aside_from", (float(b.x[0]), float(b.x[-1])))
        for lo, hi in _edge_cuts(b, st["h"], st["w"], start):
            keep = (b.x >= lo) & (b.x <= hi)
            if keep.sum() < SEARCH_GRID["min_points"]:
                continue
            sub = b.where(keep)
            subs.append(dataclasses.replace(sub, meta={**sub.meta, "edge_set_aside_from": start}))
            owners.append(i)
    if not subs:
        return
    again = fit_branches(subs, model=model, window_widths=window_widths,
                         min_significance=min_significance, max_iter=max_iter,
                         edge_retries=edge_retries - 1, **fit_kwargs)
    found: dict[int, list] = {}
    for i, sub, r in zip(owners, subs, again):
        start = sub.meta["edge_set_aside_from"]
        if (not isinstance(r, Exception)
                and abs(r.value("width")) <= _EDGE_WIDE * (start[1] - start[0])
                and _clear_line(r)):
            found.setdefault(i, []).append((sub, r))        # a wide one is background again
    for i, fits in found.items():
        if len(fits) > 1 and not _same_line(*(r for _, r in fits)):
            continue
        sub, r = max(fits, key=lambda item: len(item[0]))
        meta = dict(r.meta)
        meta.pop("edge_set_aside_from", None)
        meta.setdefault("edge_set_aside", (sub.meta["edge_set_aside_from"],
                                           (float(sub.x[0]), float(sub.x[-1]))))
        out[i] = dataclasses.replace(r, meta=meta)


def edge_note(r) -> str | None:
    """The note of a branch fit ``r`` found beyond a feature at an end of its sweep
    (:func:`_beyond_edge_features`), or None."""
    found = None if isinstance(r, Exception) else r.meta.get("edge_set_aside")
    if found is None:
        return None
    (lo, hi), (a, b) = found
    ends = " and ".join(e for e, gone in (("low", a > lo), ("high", b < hi)) if gone)
    return (f"{r.meta.get('branch', '')} branch: a feature at the sweep's {ends} "
            f"end{'s' if ' and ' in ends else ''} drew the resonance search and its fit ran off "
            f"the sweep; the line was found on {a:.4g}..{b:.4g} T of the sweep's {lo:.4g}..{hi:.4g} "
            "T (look at the spectrum: a switching or remanence signal near zero field, or a "
            "background rising at the sweep's end)")


def _clear_line(r: FitResult) -> bool:
    """Whether a line found beyond a set-aside end stands clear of the noise: its amplitude
    sqrt(V_s^2 + V_a^2) at least :data:`EDGE_SNR_MIN` times the residual scatter of its window,
    and the window at least :data:`EDGE_WINDOW_WIDTHS` half widths across. On 1080 spectra of a
    decay and no line (white noise, lag-1 0.5 and 0.8; 60-300 points), the retries took 272
    noise 'lines', of 2-16 times the scatter, or up to 1450 times for lines as wide as half
    their window; lines 50 times the noise beside a decay came out at 39-87 times, in windows
    of 9-13 half widths."""
    d = r.datasets[0]
    e = r.residuals()
    dof = max(len(e) - r.nvarys, 1)
    scatter = math.sqrt(float(e @ e) / dof)
    amp = math.hypot(r.value("vs"), r.value("va"))
    span = float(d.x[-1] - d.x[0])
    return (amp >= EDGE_SNR_MIN * scatter
            and span >= EDGE_WINDOW_WIDTHS * abs(r.value("width")))


def _at_set_aside_end(b: Dataset, h: float) -> bool:
    """Whether the end of branch ``b`` nearer ``h`` (T) is one where points were set aside
    (:func:`_beyond_edge_features`): a line there is the set-aside feature's edge."""
    start = b.meta.get("edge_set_aside_from")
    if start is None:
        return False
    lo, hi = float(b.x[0]), float(b.x[-1])
    return lo > start[0] if h - lo <= hi - h else hi < start[1]


def _same_line(a: FitResult, b: FitResult) -> bool:
    """Whether two fits of one branch found one line: resonance fields within 3 combined
    standard errors."""
    diff = abs(a.value("h_res") - b.value("h_res"))
    return diff <= 3 * math.hypot(a.stderr("h_res"), b.stderr("h_res"))


@dataclass(frozen=True)
class _BatchSetup:
    """What every window fit of :func:`fit_branches` shares: the model, its variable-projection
    basis, fixed parameters and bounds, and the keywords of the fit."""

    model: ModelSpec
    basis: Any
    fixed: dict
    bounds: dict
    lin_free: np.ndarray
    nonlin_free: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    window_widths: float
    fit_kwargs: dict

    @classmethod
    def make(cls, model: ModelSpec, window_widths: float, fit_kwargs: dict) -> _BatchSetup:
        basis, fixed, bounds = _fit_setup(model, fit_kwargs)
        nonlin, lin = basis.nonlinear, basis.linear
        return cls(model, basis, fixed, bounds,
                   lin_free=np.array([k not in fixed for k in lin]),
                   nonlin_free=np.array([k not in fixed for k in nonlin]),
                   lo=np.array([bounds[k][0] for k in nonlin], float),
                   hi=np.array([bounds[k][1] for k in nonlin], float),
                   window_widths=window_widths, fit_kwargs=fit_kwargs)

    @property
    def grid_guess(self) -> bool:
        """Whether the start values come from the model's grid guess, not from the search."""
        return self.basis.grid_guess

    @property
    def finite(self) -> bool:
        return math.isfinite(self.window_widths)


def _initial_states(branches, found, where, setup: _BatchSetup, min_significance: float,
                    out: list) -> dict:
    """The fit state of every branch with a significant resonance: ``{i: {"h": h_res in T,
    "w": HWHM in T, "init": start values}}``; the others get their NoResonanceError in ``out``."""
    state = {}      # i -> [h_res, width, init, window (i0, i1, h, w), fit row]
    for i, (b, g) in enumerate(zip(branches, found)):
        if isinstance(g, Exception):
            out[i] = NoResonanceError.at(where[i], f"no resonance inside the sweep ({g})")
        elif g["significance"] < min_significance:
            grid = (f"; the noise taken as the rounding of the {g['rounding_step']:.3g} uV steps "
                    "on which the values lie" if "rounding_step" in g else "")
            out[i] = NoResonanceError.at(
                where[i], f"no resonance inside the sweep of |mu0H| = {b.x[0]:.4g}..{b.x[-1]:.4g} T "
                f"(best candidate improves chi-square by only {g['significance']:.3g} noise "
                f"variances, need {min_significance:g}{grid})")
        else:
            init = {} if setup.grid_guess else {k: v for k, v in g.items() if k in setup.model.param_names}
            state[i] = {"h": g["h_res"], "w": g["width"], "init": init,
                        "rounding_step": g.get("rounding_step")}
    return state


def _window_rows(active, branches, state, where, setup: _BatchSetup, out: list, final: dict):
    """The windows of the active branches around their current resonance, with start values.

    Branches whose window has too few points or lies outside the model's domain get their
    error in ``out`` and leave ``final``. Returns (rows, (x, y, yerr, starts) per row).
    """
    model, window_widths = setup.model, setup.window_widths
    user_init = setup.fit_kwargs.get("init")
    guess = setup.fit_kwargs.get("guess", setup.grid_guess)
    rows, xs, ys, es, starts = [], [], [], [], []
    for i in active:
        b, st = branches[i], state[i]
        if setup.finite:
            i0 = int(np.searchsorted(b.x, st["h"] - window_widths * st["w"], "left"))
            i1 = int(np.searchsorted(b.x, st["h"] + window_widths * st["w"], "right"))
        else:
            i0, i1 = 0, len(b)
        if i1 - i0 < len(model.params) + 3:
            inside = (b.x[0] <= st["h"] - window_widths * st["w"]
                      and st["h"] + window_widths * st["w"] <= b.x[-1])
            st["off_end"] = not b.x[0] < st["h"] < b.x[-1]
            out[i] = NoResonanceError.at(where[i], (
                f"the window fit ran off the sweep {b.x[0]:.4g}..{b.x[-1]:.4g} T (to a "
                f"resonance at {st['h']:.4g} T of HWHM {st['w']:.3g} T): no line of the sweep "
                "held it" if st["off_end"] else
                f"only {i1 - i0} points within {window_widths:g} widths of the resonance at "
                f"{st['h']:.4g} T"
                + (" (a sweep coarse for the line: --window-widths 12 takes a wider window)"
                   if inside and setup.finite else "")))
            final.pop(i, None)
            continue
        x, y = b.x[i0:i1], b.y[i0:i1]
        lo, hi = model.x_domain
        if not lo <= x[0] <= x[-1] <= hi:          # the branch is sorted: its ends decide
            try:
                model.check_domain(x, b.source)
            except Exception as exc:     # noqa: BLE001 - a ModelError names the data
                out[i] = SpectrumFitError.at(where[i], str(exc))
                final.pop(i, None)
                continue
        init = user_init if user_init is not None else st["init"]
        start = _starts(model, setup.basis, x, y, init, guess, setup.fixed, setup.bounds)
        st["window"] = (i0, i1, st["h"], st["w"])
        st["start"] = start
        rows.append(i)
        xs.append(x)
        ys.append(y)
        es.append(None if b.yerr is None else b.yerr[i0:i1])
        starts.append([start[k] for k in setup.basis.nonlinear])
    return rows, (xs, ys, es, starts)


def _fit_windows(rows, windows, state, setup: _BatchSetup) -> dict:
    """Variable-projection fits of the windows of ``rows``, grouped by the values of their fixed
    linear parameters. Returns the arrays of :func:`sotfit.fitting_batch.varpro_fit`, one row
    per branch."""
    from ...fitting_batch import pad_arrays, varpro_fit

    xs, ys, es, starts = windows
    x, y, wt, _ = pad_arrays(xs, ys, es)
    c_fixed = np.array([[state[i]["start"][k] for k in setup.basis.linear] for i in rows])
    theta0 = np.array(starts, float)
    # fixed linear parameters differ per branch only through their start values
    groups: dict[tuple, list[int]] = {}
    for j, i in enumerate(rows):
        groups.setdefault(tuple(c_fixed[j][~setup.lin_free]), []).append(j)
    fitted = {}
    for key, js in groups.items():
        js = np.array(js)
        f = varpro_fit(x[js], y[js], wt[js], theta0[js], setup.basis, lin_free=setup.lin_free,
                       nonlin_free=setup.nonlin_free, c_fixed=c_fixed[js[0]], lo=setup.lo,
                       hi=setup.hi, max_nfev=setup.fit_kwargs.get("max_nfev"))
        for name, arr in f.items():
            fitted.setdefault(name, np.empty((len(rows),) + arr.shape[1:], arr.dtype))[js] = arr
    return fitted


def _update_states(rows, fitted, state, final, setup: _BatchSetup) -> list:
    """Take the fitted resonance of every row as its new state and its fit into ``final``.
    Returns the branches whose resonance moved (beyond 5 % of W, or W beyond 10 %): their
    window is fitted again."""
    nonlin, lin = setup.basis.nonlinear, setup.basis.linear
    moved_rows = []
    for j, i in enumerate(rows):
        st = state[i]
        th = fitted["theta"][j]
        new_h, new_w = float(th[0]), abs(float(th[1]))
        st["init"] = dict(zip(nonlin, th.tolist())) | dict(zip(lin, fitted["c"][j].tolist()))
        moved = abs(new_h - st["h"]) > 0.05 * new_w or abs(new_w - st["w"]) > 0.1 * new_w
        st["h"], st["w"] = new_h, new_w
        final[i] = {k: v[j] for k, v in fitted.items()}
        if moved and setup.finite:
            moved_rows.append(i)
    return moved_rows


#: On a branch whose noise is the rounding of its values (the search's ``rounding_step``,
#: uV), a fitted resonance whose amplitude sqrt(V_s^2 + V_a^2) (the peak-to-peak of the mixing
#: lineshape) is below this many rounding steps, and that is purely symmetric or purely
#: antisymmetric (:data:`_PURE_FRACTION`), is refused: it is one step or one level of the
#: rounding (a sloped background written in 10 uV steps over a 0.6 uV line is fitted as
#: antisymmetric "lines" of about 11 uV with V_s = 0, or symmetric ones with V_a = 0, far from
#: the line). A line of one or two steps with both parts, which a sloped background lets the
#: values resolve, is kept.
_ROUNDING_STEPS = 2.0


#: The smaller of |V_s|, |V_a| below this fraction of the amplitude: a "pure" line, the shape
#: of one step (antisymmetric) or one level (symmetric) of the rounding.
_PURE_FRACTION = 0.1


def _amplitude(fitted: dict, linear) -> tuple[float, float] | None:
    """(sqrt(V_s^2 + V_a^2), min(|V_s|, |V_a|)) in uV of a window fit (``fitted["c"]``: its
    linear coefficients in the order of the names ``linear``), or None for a lineshape
    without V_s and V_a or with a second line (not judged)."""
    if "vs" not in linear or "va" not in linear or "vs2" in linear:
        return None
    c = fitted["c"]
    vs, va = abs(float(c[linear.index("vs")])), abs(float(c[linear.index("va")]))
    return math.hypot(vs, va), min(vs, va)


def _below_rounding(amplitude, rounding_step) -> bool:
    """Whether a fit is a step of the rounding: its noise is the rounding of its values
    (``rounding_step``, uV; None when it is not), its amplitude is below
    :data:`_ROUNDING_STEPS` steps, and it is a pure symmetric or antisymmetric line
    (:data:`_PURE_FRACTION`). ``amplitude`` is :func:`_amplitude`'s (None: not judged)."""
    return (bool(rounding_step) and amplitude is not None
            and amplitude[0] < _ROUNDING_STEPS * rounding_step
            and amplitude[1] < _PURE_FRACTION * amplitude[0])


def _final_results(branches, state, final, where, setup: _BatchSetup, out: list) -> None:
    """The FitResults of the final windows into ``out``: the resonance must lie inside the
    sweep and, on values whose noise is their rounding, be larger than the rounding
    (:data:`_ROUNDING_STEPS`); then the fit must have converged."""
    from ...fitting_batch import pad_arrays, varpro_results

    done = []
    for i, f in final.items():
        b, st = branches[i], state[i]
        if not (b.x[0] < st["h"] - st["w"] and st["h"] + st["w"] < b.x[-1]):
            inside = b.x[0] < st["h"] < b.x[-1]
            # ran off the sweep, or a line so wide that it is no line of the sweep's end; a
            # narrow line inside but within its width of the end is a line the sweep does not
            # reach past: its refusal stands (searched again without it, the line's own tail
            # passed for a line of 5 +- 4 mT at 0.10 T beside the 0.12 T line)
            st["off_end"] = (not inside or st["w"] > _EDGE_WIDE * (b.x[-1] - b.x[0])
                             or _at_set_aside_end(b, st["h"]))
            out[i] = NoResonanceError.at(
                where[i], f"the fitted resonance {st['h']:.4g} T (HWHM {st['w']:.3g} T) "
                + (f"lies less than one half width inside the sweep {b.x[0]:.4g}..{b.x[-1]:.4g} "
                   "T: one side of the line is not measured, so its width and amplitudes are "
                   "not determined (the sweep must reach one half width beyond it)" if inside
                   else f"does not lie inside the sweep {b.x[0]:.4g}..{b.x[-1]:.4g} T")
                + (" (a line wider than an eighth of the sweep at its end: a curved background, "
                   "from heating or a magnetoresistance, or a feature at the sweep's end, is "
                   "taken for the line; look at the spectrum and subtract it)"
                   if st["w"] > _EDGE_WIDE * (b.x[-1] - b.x[0]) else ""))
        elif _below_rounding(amp := _amplitude(f, list(setup.basis.linear)),
                             st.get("rounding_step")):
            out[i] = NoResonanceError.at(
                where[i], f"the fitted resonance at {st['h']:.4g} T is a pure symmetric or "
                f"antisymmetric line of {amp[0]:.3g} uV, less than {_ROUNDING_STEPS:g} steps of "
                f"the {st['rounding_step']:.3g} uV grid its values lie on, where the noise is "
                "the rounding: a step of the rounding, not a line")
        else:
            done.append(i)
    if not done:
        return
    wdata = [_window_data(branches[i], state[i]["window"], setup.window_widths) for i in done]
    x, _, wt, _ = pad_arrays([d.x for d in wdata], [d.y for d in wdata],
                             [d.yerr for d in wdata])
    fitted = {k: np.stack([final[i][k] for i in done]) for k in final[done[0]]}
    scale = setup.fit_kwargs.get("scale_covar")
    scaled = (np.array([d.yerr is None for d in wdata]) if scale is None
              else np.full(len(done), bool(scale)))
    results, _ = varpro_results(setup.model, setup.basis, wdata, x, wt, fitted,
                                lin_free=setup.lin_free, nonlin_free=setup.nonlin_free,
                                lo=setup.lo, hi=setup.hi, scaled=scaled,
                                max_nfev=setup.fit_kwargs.get("max_nfev"))
    for i, r in zip(done, results):
        verdict = ("did not converge" if r.problems.startswith("no convergence")
                   else "is not reliable")
        out[i] = r if r.success else SpectrumFitError.at(
            where[i], f"the lineshape fit {verdict} ({r.problems})")


def _window_data(b: Dataset, window, window_widths: float) -> Dataset:
    """The points of branch ``b`` in its final window ``(i0, i1, h_res, W)`` (T), with the
    window in the metadata."""
    i0, i1, h0, w0 = window
    if math.isfinite(window_widths):
        lo_w, hi_w = h0 - window_widths * w0, h0 + window_widths * w0
        meta = {"window_lo": float(max(lo_w, b.x[0])), "window_hi": float(min(hi_w, b.x[-1])),
                "window_widths": float(window_widths), "n_points_window": i1 - i0}
    else:
        meta = {"window_lo": float(b.x[0]), "window_hi": float(b.x[-1]),
                "window_widths": math.inf, "n_points_window": len(b)}
    return _cut(b, i0, i1, meta)


def _cut(b: Dataset, i0: int, i1: int, meta: dict) -> Dataset:
    """``b.where`` the points i0..i1-1 (a run of the sorted branch), with ``meta`` added."""
    return dataclasses.replace(b, x=b.x[i0:i1], y=b.y[i0:i1],
                               yerr=None if b.yerr is None else b.yerr[i0:i1],
                               meta={**b.meta, **meta})


def fit_branch(b: Dataset, *, model: ModelSpec | None = None, window_widths: float = 6.0,
               min_significance: float = 100.0, max_iter: int = 4, **fit_kwargs) -> FitResult:
    """Fit one branch (x = |mu0H| in T, y = V_mix in uV) within a window around its resonance.

    The resonance is located by :func:`find_resonance`; the branch is then fitted within
    ``window_widths`` half widths of it and the window re-centred on the fit until it stays
    (at most ``max_iter`` fits). The fits use the variable-projection engine of
    :mod:`sotfit.fitting_batch` (:func:`fit_branches` fits many branches at once).

    Parameters
    ----------
    b : Dataset
        A branch from :func:`split_branches`.
    model : ModelSpec, optional
        ``stfmr_mixing`` (default), ``stfmr_derivative`` or ``stfmr_two_resonances``.
    window_widths : float
        Fit only |h - h_res| <= window_widths * W (re-centred on each refit);
        ``inf`` fits the whole branch.
    min_significance : float
        Least chi-square improvement (in noise-variance units) of a resonance
        over a straight background for the branch to count as having one.
    max_iter : int
        Window/refit iterations.
    **fit_kwargs
        :data:`FIT_OPTIONS`, read as :func:`sotfit.fit` reads them (``fixed``, ``bounds``,
        ``init``, ``guess``, ``scale_covar``, ``max_nfev``).

    Returns
    -------
    FitResult
        Its ``meta`` holds the branch and window metadata.

    Raises
    ------
    NoResonanceError
        When no significant resonance lies inside the branch.
    SpectrumFitError
        When the lineshape fit does not converge or yields no uncertainties.
    """
    res = fit_branches([b], model=model, window_widths=window_widths,
                       min_significance=min_significance, max_iter=max_iter, **fit_kwargs)[0]
    if isinstance(res, Exception):
        raise res
    return res
