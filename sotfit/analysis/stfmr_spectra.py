"""ST-FMR spectra: split into field branches, find the resonance, fit each branch in |mu0H|.

Sign bookkeeping (docs/stfmr.md, "Field polarity"):

* A spectrum ``V_mix(mu0H)`` with signed field is split into the ``+`` branch
  (H > 0) and the ``-`` branch (H < 0); points at H = 0 belong to neither.
* Each branch is fitted as a function of ``h = |mu0H|`` with
  ``V_s L_sym(h) + V_a L_asym(h) + offset + slope (h - h_res)``. The fitted
  ``vs``, ``va`` are stored *as measured* on that branch.
* Under H -> -H the equilibrium magnetisation reverses (m -> -m). With the
  conventions of docs/CONVENTIONS.md the rf torque fields of the conventional
  (sigma = y) damping-like, field-like and Oersted terms all change sign in the
  frame that moves with m, while dR/dphi (AMR, even in m) does not: the whole
  rectified signal changes sign, V(-h) = -V(+h). Fitted in |mu0H|, both
  amplitudes therefore flip: vs(-) = -vs(+), va(-) = -va(+). (Fitting the -
  branch in the *signed* field instead would flip L_asym once more and give
  va(-) = +va(+), vs(-) = -vs(+): the usual source of confusion.)
* Values *referred to +H* are ``p * vs`` and ``p * va`` with the polarity
  ``p = +1/-1``; for the conventional geometry they agree between branches.
  The symmetrised amplitude is the mean of the referred values,
  ``vs_sym = (vs(+) - vs(-))/2``; the polarity-even remainder
  ``vs_even = (vs(+) + vs(-))/2`` is zero for the conventional torques and
  measures contributions that do not reverse with m (e.g. a torque from
  z-polarised spins, MacNeill et al., Nat. Phys. 13, 300 (2017)).
* The per-polarity field offset is ``(h_res(+) - h_res(-))/2``: an apparent
  difference of |H_res| between branches (remanent field of the magnet, Hall
  probe offset); the branch mean ``(h_res(+) + h_res(-))/2`` is free of it to
  first order and feeds the Kittel fit.

Fit window: the resonance is located by a local variable-projection search
(:func:`find_resonance`) and each branch is then fitted only within
``window_widths`` half widths of it (default 6), so that large sloped
backgrounds and low-field features (domain switching near H = 0) do not bias
the lineshape. The window used is recorded in the dataset metadata
(``window_lo``, ``window_hi``, ``window_widths``, ``n_points_branch``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data import Dataset
from ..fitting import FitError, FitWarning, fit
from ..models.lineshapes import _design, _design_derivative, stfmr_derivative, stfmr_mixing
from ..models.spec import ModelSpec
from ..results import FitResult

__all__ = [
    "STFMRError",
    "NoResonanceError",
    "SpectrumFitError",
    "split_branches",
    "noise_level",
    "find_resonance",
    "fit_branch",
    "SpectrumFit",
    "fit_spectrum",
    "compare_repeats",
]


class STFMRError(ValueError):
    """ST-FMR data that cannot be analysed as given; the message names the file."""


class NoResonanceError(STFMRError):
    """No resonance inside the sweep of a spectrum branch."""


class SpectrumFitError(STFMRError):
    """A lineshape fit that did not converge or gave no uncertainties."""


def _label(d: Dataset) -> str:
    rep = d.meta.get("repeat")
    return d.source + (f" (repeat {rep})" if rep not in (None, 0) else "")


def split_branches(d: Dataset, min_points: int = 8) -> list[Dataset]:
    """Split a spectrum with signed field into + and - branches in |mu0H|.

    Parameters
    ----------
    d : Dataset
        Signed field mu0H in T (x), V_mix in uV (y); ``meta['frequency']`` in GHz.
    min_points : int
        Branches with fewer points are dropped.

    Returns
    -------
    list of Dataset
        One per polarity present, x = |mu0H| ascending (T), y = V_mix as measured
        (uV), meta adds ``polarity`` (+1 or -1), ``branch`` ('+' or '-') and
        ``n_points_branch``.

    Raises
    ------
    STFMRError
        If no branch has ``min_points`` points, naming the file.
    """
    if d.x_unit and d.x_unit != "T":
        raise STFMRError(f"{_label(d)}: field must be mu0H in T (house unit), got {d.x_unit!r}")
    out = []
    for p, label in ((1, "+"), (-1, "-")):
        mask = np.sign(d.x) == p
        if mask.sum() < min_points:
            continue
        b = d.where(mask)
        b = b.replace(x=np.abs(b.x)).sorted()
        if np.any(np.diff(b.x) == 0):
            raise STFMRError(f"{_label(d)}: duplicated field values on the {label} branch; "
                             "average repeated points or split the repeats before fitting")
        out.append(b.replace(meta={"polarity": p, "branch": label, "n_points_branch": len(b)}))
    if not out:
        raise STFMRError(f"{_label(d)}: no field branch has at least {min_points} points "
                         f"({len(d)} points in total)")
    return out


def noise_level(v) -> float:
    """Robust standard deviation of point-to-point noise (uV) from second differences.

    sigma = 1.4826 MAD(Delta^2 v) / sqrt(6): insensitive to smooth backgrounds
    and to the resonance itself.
    """
    v = np.asarray(v, float)
    if v.size < 5:
        return float(np.std(v)) or 1.0
    d2 = np.diff(v, 2)
    s = 1.4826 * np.median(np.abs(d2 - np.median(d2))) / math.sqrt(6.0)
    if s <= 0:
        s = float(np.std(d2)) / math.sqrt(6.0)
    return float(s) if s > 0 else float(np.finfo(float).eps * max(1.0, np.max(np.abs(v))))


def find_resonance(h, v, *, window_widths: float = 6.0, derivative: bool = False,
                   n_centre: int = 160, n_width: int = 24, min_side: int = 5,
                   min_points: int = 15) -> dict[str, float]:
    """Locate the resonance of one branch by a local variable-projection search.

    For every candidate (h_res, W) the linear amplitudes (V_s, V_a, offset,
    slope) are solved by least squares *within* |h - h_res| < window_widths W,
    and compared with a background-only line in the same window. The winner
    maximises the chi-square improvement (in units of the robust noise
    variance, :func:`noise_level`), so a narrow resonance on a large sloped
    background wins over smooth background curvature. A candidate needs at
    least ``min_side`` points on each side of h_res and ``min_points`` in all
    inside its window, and must lie at least one half width inside the sweep.

    Parameters
    ----------
    h : array_like
        |mu0H| in T, ascending.
    v : array_like
        V_mix in uV.
    window_widths : float
        Half window in units of W.
    derivative : bool
        Search with the field-derivative lineshape instead.

    Returns
    -------
    dict
        ``h_res``, ``width``, ``vs``, ``va``, ``offset``, ``slope`` (T, uV, uV/T),
        ``significance`` (chi-square improvement / noise variance) and ``noise`` (uV).
    """
    h = np.asarray(h, float)
    v = np.asarray(v, float)
    order = np.argsort(h)
    h, v = h[order], v[order]
    sig = noise_level(v)
    step = float(np.median(np.diff(h)))
    span = float(h[-1] - h[0])
    if not (step > 0 and span > 0):
        raise ValueError("the field does not vary")
    centres = np.linspace(h[min(2, h.size - 1)], h[max(h.size - 3, 0)], n_centre)
    widths = np.geomspace(1.5 * step, max(span / 4, 3 * step), n_width)
    design = _design_derivative if derivative else _design
    best = None
    # process in blocks of widths to bound memory (n_centre x n x 4 per block)
    for w in widths:
        c = centres[:, None]
        m = np.abs(h[None, :] - c) < window_widths * w
        left = (m & (h[None, :] < c)).sum(1)
        right = (m & (h[None, :] > c)).sum(1)
        ok = ((left >= min_side) & (right >= min_side) & (left + right >= min_points)
              & (c[:, 0] - w >= h[0]) & (c[:, 0] + w <= h[-1]))
        if not ok.any():
            continue
        mf = m[ok].astype(float)
        cc = c[ok]
        a = design(h[None, :], cc, w) * mf[..., None]
        vv = v[None, :] * mf
        coefs, rss = [], []
        for cols in (slice(None), slice(2, None)):
            aa = a[..., cols]
            ata = np.einsum("kni,knj->kij", aa, aa)
            atb = np.einsum("kni,kn->ki", aa, vv)
            ata = ata + np.eye(aa.shape[-1]) * 1e-12 * np.trace(ata, axis1=1, axis2=2)[:, None, None]
            cf = np.linalg.solve(ata, atb[..., None])[..., 0]
            r = np.einsum("kni,ki->kn", aa, cf) - vv
            coefs.append(cf)
            rss.append(np.einsum("kn,kn->k", r, r))
        score = (rss[1] - rss[0]) / sig**2
        k = int(np.argmax(score))
        if best is None or score[k] > best[0]:
            vs, va, off, sl = coefs[0][k]
            best = (float(score[k]), {"h_res": float(cc[k, 0]), "width": float(w), "vs": float(vs),
                                      "va": float(va), "offset": float(off), "slope": float(sl)})
    if best is None:
        raise ValueError("too few points for a resonance search")
    out = dict(best[1])
    out["significance"] = best[0]
    out["noise"] = sig
    return out


def _window(b: Dataset, h_res: float, width: float, k: float) -> Dataset:
    lo, hi = h_res - k * width, h_res + k * width
    w = b.where((b.x >= lo) & (b.x <= hi))
    return w.replace(meta={"window_lo": float(max(lo, b.x[0])), "window_hi": float(min(hi, b.x[-1])),
                           "window_widths": float(k), "n_points_window": len(w)})


def fit_branch(b: Dataset, *, model: ModelSpec | None = None, window_widths: float = 6.0,
               min_significance: float = 100.0, max_iter: int = 4, **fit_kwargs) -> FitResult:
    """Fit one branch (x = |mu0H| in T, y = V_mix in uV) within a window around its resonance.

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
        Passed to :func:`sotfit.fit` (``fixed``, ``bounds``, ...).

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
    model = model or stfmr_mixing
    where = f"{_label(b)}, {b.meta.get('branch', '')} branch"
    try:
        g = find_resonance(b.x, b.y, window_widths=min(window_widths, 6.0),
                           derivative=model is stfmr_derivative or model.name == "stfmr_derivative")
    except ValueError as exc:
        raise NoResonanceError(f"{where}: no resonance inside the sweep ({exc})") from None
    if g["significance"] < min_significance:
        raise NoResonanceError(
            f"{where}: no resonance inside the sweep of |mu0H| = {b.x[0]:.4g}..{b.x[-1]:.4g} T "
            f"(best candidate improves chi-square by only {g['significance']:.3g} noise variances, "
            f"need {min_significance:g})")
    init = {k: v for k, v in g.items() if k in model.param_names}
    if model.name == "stfmr_two_resonances":
        init = {}
    h_res, width = g["h_res"], g["width"]
    result = None
    for _ in range(max_iter):
        wdata = _window(b, h_res, width, window_widths) if math.isfinite(window_widths) else \
            b.replace(meta={"window_lo": float(b.x[0]), "window_hi": float(b.x[-1]),
                            "window_widths": math.inf, "n_points_window": len(b)})
        if len(wdata) < len(model.params) + 3:
            raise NoResonanceError(f"{where}: only {len(wdata)} points within "
                                   f"{window_widths:g} widths of the resonance at {h_res:.4g} T")
        kw = dict(fit_kwargs)
        kw.setdefault("init", init)
        kw.setdefault("guess", model.name == "stfmr_two_resonances")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FitWarning)
                result = fit(wdata, model, **kw)
        except FitError as exc:
            raise SpectrumFitError(f"{where}: {exc}") from None
        new_h, new_w = result.value("h_res"), abs(result.value("width"))
        init = {k: result.value(k) for k in model.param_names}
        moved = abs(new_h - h_res) > 0.05 * new_w or abs(new_w - width) > 0.1 * new_w
        h_res, width = new_h, new_w
        if not moved or not math.isfinite(window_widths):
            break
    assert result is not None
    if not (b.x[0] < h_res - width and h_res + width < b.x[-1]):
        raise NoResonanceError(f"{where}: the fitted resonance {h_res:.4g} T (HWHM {width:.3g} T) "
                               f"does not lie inside the sweep {b.x[0]:.4g}..{b.x[-1]:.4g} T")
    if not result.success:
        raise SpectrumFitError(f"{where}: the lineshape fit did not converge ({result.message})")
    return result


@dataclass(frozen=True, eq=False)
class SpectrumFit:
    """Both branch fits of one spectrum and their combination.

    Attributes
    ----------
    dataset : Dataset
        The spectrum as given (signed field).
    branches : tuple of FitResult
        One fit per polarity present; ``r.meta['polarity']`` is +1 or -1.
    combined : dict of uncertainties values
        ``h_res`` (T, branch mean), ``width`` (T), ``vs``, ``va`` (uV, symmetrised,
        referred to +H), ``ratio`` (vs/va), and with both branches ``field_offset``
        (T, (h_res(+)-h_res(-))/2), ``vs_even``, ``va_even`` (uV).
    notes : tuple of str
        Branches left out and why (a branch without a resonance, a failed fit).
    """

    dataset: Dataset
    branches: tuple[FitResult, ...]
    combined: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def frequency(self) -> float:
        return float(self.dataset.meta["frequency"])

    @property
    def source(self) -> str:
        return _label(self.dataset)

    def branch(self, polarity: int) -> FitResult | None:
        for r in self.branches:
            if r.meta.get("polarity") == polarity:
                return r
        return None


def combine_branches(branches) -> dict[str, Any]:
    """Symmetrise the branch fits (see the module docstring for the sign bookkeeping)."""
    by = {r.meta["polarity"]: r for r in branches}
    out: dict[str, Any] = {}
    if 1 in by and -1 in by:
        p, m = by[1], by[-1]
        out["h_res"] = (p["h_res"] + m["h_res"]) / 2
        out["field_offset"] = (p["h_res"] - m["h_res"]) / 2
        out["width"] = (p["width"] + m["width"]) / 2
        for k in ("vs", "va"):
            out[k] = (p[k] - m[k]) / 2
            out[k + "_even"] = (p[k] + m[k]) / 2
    else:
        (pol, r), = by.items()
        out["h_res"] = r["h_res"]
        out["width"] = r["width"]
        out["vs"] = pol * r["vs"]
        out["va"] = pol * r["va"]
    out["ratio"] = out["vs"] / out["va"]
    return out


def fit_spectrum(d: Dataset, *, model: ModelSpec | None = None, window_widths: float = 6.0,
                 min_significance: float = 100.0, **fit_kwargs) -> SpectrumFit:
    """Split a spectrum into branches, fit each in |mu0H| and combine them.

    Parameters
    ----------
    d : Dataset
        Signed field mu0H (T) and V_mix (uV); ``meta['frequency']`` (GHz) is required.
    model, window_widths, min_significance, **fit_kwargs
        As :func:`fit_branch`.

    Returns
    -------
    SpectrumFit

    Raises
    ------
    STFMRError
        Missing frequency, no usable branch; :class:`NoResonanceError` or
        :class:`SpectrumFitError` when no branch fits (naming the file). One
        failing branch while the other fits is recorded in ``notes``.
    """
    f = d.meta.get("frequency")
    if f is None or not np.isfinite(float(f)) or float(f) <= 0:
        raise STFMRError(f"{_label(d)}: missing or invalid microwave frequency "
                         f"(meta 'frequency' = {f!r}); give it in the file, its name or --frequency")
    fitted, notes, errors = [], [], []
    for b in split_branches(d):
        try:
            fitted.append(fit_branch(b, model=model, window_widths=window_widths,
                                     min_significance=min_significance, **fit_kwargs))
        except STFMRError as exc:
            errors.append(exc)
            notes.append(f"{b.meta['branch']} branch left out: {exc}")
    if not fitted:
        if len(errors) == 1:
            raise errors[0]
        kind = NoResonanceError if all(isinstance(e, NoResonanceError) for e in errors) \
            else SpectrumFitError
        raise kind("; ".join(str(e) for e in errors))
    branches = tuple(fitted)
    return SpectrumFit(d, branches, combine_branches(branches), tuple(notes))


def compare_repeats(fits, keys=("h_res", "width", "ratio"), group_by: str = "frequency",
                    p_threshold: float = 0.01) -> list[dict]:
    """Compare repeated sweeps at one frequency against their reported errors.

    For each group of spectra sharing ``group_by`` (and the same sample folder)
    and each quantity q with errors s_i, the weighted mean and
    chi^2 = sum((q_i - q_mean)/s_i)^2 with n-1 degrees of freedom are computed;
    the group is flagged when the chi-square p-value is below ``p_threshold``.

    Returns
    -------
    list of dict
        One per (group, quantity): ``frequency``, ``quantity``, ``sources``,
        ``values``, ``stderrs``, ``chi2``, ``dof``, ``birge_ratio`` (sqrt(chi2/dof)),
        ``p_value``, ``flagged``.
    """
    from scipy.stats import chi2 as chi2_dist
    from pathlib import Path

    groups: dict = {}
    for s in fits:
        key = (round(float(s.dataset.meta.get(group_by, 0.0)), 6),
               str(s.dataset.meta.get("sample", Path(s.dataset.source).parent)))
        groups.setdefault(key, []).append(s)
    out = []
    for (gval, sample), members in sorted(groups.items()):
        if len(members) < 2:
            continue
        for k in keys:
            vals = np.array([m.combined[k].nominal_value for m in members])
            errs = np.array([m.combined[k].std_dev for m in members])
            if np.any(~(errs > 0)):
                continue
            w = 1 / errs**2
            mean = float(np.sum(w * vals) / np.sum(w))
            c2 = float(np.sum(((vals - mean) / errs) ** 2))
            dof = len(vals) - 1
            pv = float(chi2_dist.sf(c2, dof))
            out.append({group_by: gval, "sample": sample, "quantity": k,
                        "sources": [m.source for m in members],
                        "values": vals.tolist(), "stderrs": errs.tolist(), "weighted_mean": mean,
                        "chi2": c2, "dof": dof, "birge_ratio": math.sqrt(c2 / dof),
                        "p_value": pv, "flagged": bool(pv < p_threshold)})
    return out
