"""ST-FMR spectra: the branch fits of a spectrum combined, and repeats compared.

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
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from uncertainties import ufloat

from ...data import Dataset
from ...neighbours import sorted_window_pairs
from ...models.spec import ModelSpec
from ...results import FitResult
from .branch_fit import edge_note, fit_branches
from .modes import name_modes_alike
from .branches import _label, split_branches
from .correlated import widen_for_correlated_noise
from .spikes import longest_glitch, spike_note, without_spikes
from .errors import NoResonanceError, STFMRError, SpectrumFitError


__all__ = [
    "SpectrumFit",
    "fit_spectrum",
    "fit_spectra_batch",
    "compare_repeats",
]


@dataclass(frozen=True, eq=False)
class SpectrumFit:
    """Both branch fits of one spectrum and their combination.

    Attributes
    ----------
    dataset : Dataset
        The spectrum as given (signed field).
    branches : tuple of FitResult
        One fit per polarity present; ``r.meta['polarity']`` is +1 or -1.
    combined : mapping of str to uncertainties values
        ``h_res`` (T, branch mean), ``width`` (T), ``vs``, ``va`` (uV, symmetrised,
        referred to +H), ``ratio`` (vs/va), and with both branches ``field_offset``
        (T, (h_res(+)-h_res(-))/2), ``vs_even``, ``va_even`` (uV): correlated with the
        branch parameters (:class:`CombinedValues`, built when first read).
    notes : tuple of str
        Branches left out and why (a branch without a resonance, a failed fit).

    :meth:`value` and :meth:`stderr` read a combined value's best value and standard error
    without building the uncertain values. ``point_checks`` holds the checks made on the
    spectrum's points before its branch fits let go of them, by name (empty while the fits keep
    their points): ``'data'`` the measure of
    :func:`~sotfit.analysis.stfmr.checks.spectrum_data_check` of its sequential values (read by
    :func:`~sotfit.analysis.stfmr.checks.data_checks`), ``'rounding'`` the reason or None of
    :func:`~sotfit.analysis.stfmr.checks.rounding_reason`, ``'residual_lag1'`` the lag-1
    autocorrelations of :func:`~sotfit.analysis.stfmr.checks.residual_lag1`, ``'misfit'`` the
    reason or None of :func:`~sotfit.analysis.stfmr.checks.misfit_reason`, ``'clipped'`` that of
    :func:`~sotfit.analysis.stfmr.checks.clipping_reason`.
    """

    dataset: Dataset
    branches: tuple[FitResult, ...]
    combined: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    _stderrs: dict = field(default_factory=dict, repr=False, compare=False)
    _values: dict = field(default_factory=dict, repr=False, compare=False)
    point_checks: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def value(self, key: str) -> float:
        """Best value of ``combined[key]`` (:func:`combined_values`, filled when the spectrum
        is fitted)."""
        try:
            return self._values[key]
        except KeyError:
            v = self._values[key] = float(getattr(self.combined[key], "nominal_value",
                                                  self.combined[key]))
            return v

    def stderr(self, key: str) -> float:
        """Standard error of ``combined[key]``: from the branch covariances
        (:func:`combined_stderrs`, filled when the spectrum is fitted), else expanded from the
        uncertainties value once."""
        try:
            return self._stderrs[key]
        except KeyError:
            v = self._stderrs[key] = float(getattr(self.combined[key], "std_dev", 0.0))
            return v

    @property
    def values(self) -> dict[str, float]:
        """``{key: best value}`` of the combined values."""
        return {k: self.value(k) for k in self.combined}

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


#: The combined values of a spectrum as weights on its branch parameters: ``{key: (branch
#: parameter, weight of the + branch, weight of the - branch)}`` with both branches (the
#: weights 1/2 are exact in floating point, so ``a p + b m`` is ``(p +- m)/2`` to the bit);
#: with one branch of polarity ``pol`` the weight of ``h_res`` and ``width`` is 1 and that of
#: ``vs`` and ``va`` is ``pol``. ``ratio`` is ``vs / va`` of the combined values.
COMBINATIONS = {"h_res": ("h_res", 0.5, 0.5), "field_offset": ("h_res", 0.5, -0.5),
                "width": ("width", 0.5, 0.5), "vs": ("vs", 0.5, -0.5),
                "vs_even": ("vs", 0.5, 0.5), "va": ("va", 0.5, -0.5),
                "va_even": ("va", 0.5, 0.5)}


#: With one branch: ``{key: whether its weight is the polarity (else 1)}``, the parameter of
#: the same name.
ONE_BRANCH = {"h_res": False, "width": False, "vs": True, "va": True}

#: The combined keys (without ``ratio``) of one branch and of both (:func:`_weights`).
_KEYS = {False: tuple(ONE_BRANCH), True: tuple(COMBINATIONS)}


def _by_polarity(branches) -> dict:
    return {r.meta["polarity"]: r for r in branches}


def _weights(by: dict) -> dict[str, tuple[str, dict[int, float]]]:
    """``{key: (branch parameter, {polarity: weight})}`` of the branches present (``by`` maps
    polarity to branch fit), in the order of the combined values."""
    if 1 in by and -1 in by:
        return {k: (name, {1: a, -1: b}) for k, (name, a, b) in COMBINATIONS.items()}
    (pol,) = by
    return {k: (k, {pol: float(pol) if signed else 1.0}) for k, signed in ONE_BRANCH.items()}


def _combine(by: dict, name: str, weights: dict[int, float], read=lambda r, name: r[name]):
    """``sum_b w_b p_b`` of the branch parameter ``name`` (``by`` maps polarity to fit; ``read``
    takes a parameter of a fit: its uncertain value, or its best value)."""
    terms = [read(by[pol], name) if c == 1.0 else c * read(by[pol], name)
             for pol, c in weights.items()]
    return terms[0] if len(terms) == 1 else terms[0] + terms[1]


def combine_branches(branches) -> dict[str, Any]:
    """Symmetrise the branch fits (see the module docstring for the sign bookkeeping;
    :data:`COMBINATIONS`), as uncertain values."""
    return dict(CombinedValues(branches))


class CombinedValues(Mapping):
    """:func:`combine_branches` of some branch fits, each value computed when first read.

    The keys are known without computing (:func:`_weights`); pickled, only the branches travel
    and the values are combined again from the branch parameters where they are read, so the
    two stay correlated (:class:`sotfit.results.LazyParams`).
    """

    __slots__ = ("_branches", "_built")

    def __init__(self, branches):
        self._branches = tuple(branches)
        self._built: dict = {}

    @property
    def _keys(self) -> tuple[str, ...]:
        return (*_KEYS[len(self._branches) > 1], "ratio")

    def __getitem__(self, key: str):
        try:
            return self._built[key]
        except KeyError:
            pass
        by = _by_polarity(self._branches)
        weights = _weights(by)
        if key == "ratio":
            value = _ratio(self["vs"], self["va"])
        elif key in weights:
            value = _combine(by, *weights[key])
        else:
            raise KeyError(key)
        self._built[key] = value
        return value

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key) -> bool:
        return key in self._keys

    def __reduce__(self):
        return (CombinedValues, (self._branches,))

    def __repr__(self) -> str:
        return f"CombinedValues({dict(self)!r})"


def build_uncertain(fits) -> None:
    """Build the correlated uncertainties values of the branch fits of many spectra at once
    (:meth:`sotfit.results.LazyParams.build_many`), before a step reads them all."""
    from ...results import LazyParams

    LazyParams.build_many([r.params for s in fits for r in s.branches
                           if isinstance(r.params, LazyParams)])


def combined_values(branches) -> dict[str, float]:
    """Best values of :func:`combine_branches`' values from the branch best values: the same
    floating-point operations on the same numbers, without uncertain values."""
    by = _by_polarity(branches)
    out = {k: _combine(by, name, w, lambda r, n: r.value(n)) for k, (name, w) in
           _weights(by).items()}
    out["ratio"] = _ratio(out["vs"], out["va"])
    return out


def _ratio(vs, va):
    """V_s/V_a of combined values (numbers or uncertain values); NaN where V_a is exactly 0 (a
    lineshape with no antisymmetric part: the ratio is undefined, not an error of the run)."""
    if float(getattr(va, "nominal_value", va)) == 0.0:
        return math.nan if isinstance(va, (int, float)) else ufloat(math.nan, math.nan)
    return vs / va


def combined_covariance(branches, keys) -> np.ndarray | None:
    """Covariance of the combined values ``keys`` (not ``ratio``) from the branch covariances:
    ``sum_b w_b w'_b C_b`` (the branches are fitted to different points, so independent).
    None when a branch has no covariance."""
    by = _by_polarity(branches)
    if any(r.covar is None for r in by.values()):
        return None
    weights = _weights(by)
    out = np.zeros((len(keys), len(keys)))
    for pol, r in by.items():
        # the weights of the keys on this branch's varied parameters (at most one each)
        index = {k: j for j, k in enumerate(r.varied)}
        a = np.zeros((len(keys), len(r.varied)))
        for row, k in enumerate(keys):
            name, w = weights[k]
            if name in index:
                a[row, index[name]] = w[pol]
        out += a @ r.covar @ a.T
    return out


def combined_stderrs(branches) -> dict[str, float] | None:
    """Standard errors of :func:`combine_branches`' values from the branch covariances
    (:func:`combined_covariance`; first order for ``ratio``): what the uncertainties values
    give, without expanding them. None when a branch has no covariance."""
    keys = tuple(_weights(_by_polarity(branches)))
    cov = combined_covariance(branches, keys)
    if cov is None:
        return None
    out = {k: math.sqrt(max(cov[i, i], 0.0)) for i, k in enumerate(keys)}
    values = combined_values(branches)
    vs, va = values["vs"], values["va"]
    if va == 0.0:
        out["ratio"] = math.nan
        return out
    g_vs, g_va = 1.0 / va, -vs / va ** 2
    i, j = keys.index("vs"), keys.index("va")
    var = g_vs ** 2 * cov[i, i] + 2 * g_vs * g_va * cov[i, j] + g_va ** 2 * cov[j, j]
    out["ratio"] = math.sqrt(max(var, 0.0))
    return out


class BranchValues(Mapping):
    """h_res, W (T) and the amplitudes V_s, V_a (uV) of a branch fit, referred to +H, as
    uncertain values read when asked for."""

    _KEYS = tuple(ONE_BRANCH)

    def __init__(self, r: FitResult):
        self._r = r

    def __getitem__(self, key: str):
        if key not in self._KEYS:
            raise KeyError(key)
        v = self._r[key]
        return self._r.meta["polarity"] * v if ONE_BRANCH[key] else v

    def __iter__(self):
        return iter(self._KEYS)

    def __len__(self) -> int:
        return len(self._KEYS)


def _derivative_in_magnitude(branches, model: ModelSpec | None):
    """The branches of a field-modulated spectrum as derivatives in |mu0H|: a lock-in reads
    h_m dV/dH with H signed (the modulation coil's field is along the fixed lab axis), so on
    the negative branch, where V(H) = -V(|H|) of the positive one, it reads +h_m dV(|H|)/d|H|:
    the same sign as on the positive branch. Fitted in |mu0H| like the mixing voltage, whose
    amplitudes are referred to +H by the polarity, the negative branch's reading is negated
    first (``meta['derivative_sign']`` -1). Without it both branches fitted amplitudes of one
    sign, their polarity-odd parts cancelled, and xi_FMR came out of noise with the wrong sign
    (-0.11 +- 0.08 for 0.10 planted), no flag."""
    if model is None or model.name != "stfmr_derivative":
        return branches
    return [b if b.meta["polarity"] > 0 else dataclasses.replace(
        b, y=-b.y, meta={**b.meta, "derivative_sign": -1}) for b in branches]


def fit_spectra_batch(datasets, *, model: ModelSpec | None = None, window_widths: float = 6.0,
                      min_significance: float = 100.0, **fit_kwargs) -> list:
    """:func:`fit_spectrum` for many spectra at once: every branch of every spectrum in one
    :func:`fit_branches`, its single-point spikes (and, under the mixing lineshape, glitches
    of up to three adjacent points) left out and named in the notes
    (:mod:`sotfit.analysis.stfmr.spikes`).

    Returns
    -------
    list
        Per spectrum its :class:`SpectrumFit` or the :class:`STFMRError` that
        :func:`fit_spectrum` raises for it.
    """
    out: list = [None] * len(datasets)
    branches, owner = [], []
    longest = longest_glitch(model)
    for n, d in enumerate(datasets):
        f = d.meta.get("frequency")
        if f is None or not np.isfinite(float(f)) or float(f) <= 0:
            out[n] = STFMRError(f"{_label(d)}: missing or invalid microwave frequency "
                                f"(meta 'frequency' = {f!r}); give it in the file, its name or "
                                "--frequency")
            continue
        try:
            parts = [without_spikes(b, longest) for b in
                     _derivative_in_magnitude(split_branches(d), model)]
        except STFMRError as exc:
            out[n] = exc
            continue
        branches.extend(parts)
        owner.extend([n] * len(parts))
    results = fit_branches(branches, model=model, window_widths=window_widths,
                           min_significance=min_significance, **fit_kwargs) if branches else []
    results = widen_for_correlated_noise(results)
    per: dict[int, list] = {}
    for n, b, r in zip(owner, branches, results):
        per.setdefault(n, []).append((b, r))
    for n, items in per.items():
        if any("h_res2" in getattr(r, "params", ()) for _, r in items):
            items = list(zip((b for b, _ in items), name_modes_alike([r for _, r in items])))
        fitted = [r for _, r in items if not isinstance(r, Exception)]
        errors = [r for _, r in items if isinstance(r, Exception)]
        notes = [note for b, _ in items if (note := spike_note(b)) is not None]
        notes += [note for _, r in items if (note := edge_note(r)) is not None]
        notes += [f"{b.meta['branch']} branch left out: {r.reason}" for b, r in items
                  if isinstance(r, Exception)]
        if not fitted:
            if len(errors) == 1:
                out[n] = errors[0]
            else:
                kind = NoResonanceError if all(isinstance(e, NoResonanceError) for e in errors) \
                    else SpectrumFitError
                out[n] = kind("; ".join(str(e) for e in errors))
            continue
        fitted = tuple(fitted)
        out[n] = SpectrumFit(datasets[n], fitted, CombinedValues(fitted), tuple(notes),
                             combined_stderrs(fitted) or {}, combined_values(fitted))
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
    res = fit_spectra_batch([d], model=model, window_widths=window_widths,
                            min_significance=min_significance, **fit_kwargs)[0]
    if isinstance(res, Exception):
        raise res
    return res


def compare_repeats(fits, keys=("h_res", "width", "ratio"), group_by: str = "frequency",
                    p_threshold: float = 0.01) -> list[dict]:
    """Compare repeated sweeps at one frequency against their reported errors.

    For each group of spectra sharing ``group_by`` (and the same sample folder and rf power)
    and each quantity q with errors s_i, the weighted mean and
    chi^2 = sum((q_i - q_mean)/s_i)^2 with n-1 degrees of freedom are computed;
    the group is flagged when the chi-square p-value is below the per-test level that keeps
    the chance of any flag among the m tests of the run at ``p_threshold`` (Sidak, J. Am.
    Stat. Assoc. 62, 626 (1967): 1 - (1 - p_threshold)^(1/m)). Each test at ``p_threshold`` flagged clean data: 147
    white-noise spectra gave 63 tests and a flag at p = 0.0073 (--strict exited 3).

    Returns
    -------
    list of dict
        One per (group, quantity): ``frequency``, ``quantity``, ``sources``,
        ``values``, ``stderrs``, ``chi2``, ``dof``, ``birge_ratio`` (sqrt(chi2/dof)),
        ``p_value``, ``flagged``; and one flagged entry (``identical``: True, its
        ``quantity`` the keys joined by commas) per pair of repeats that gave the same fit
        (:func:`_identical_fits`).
    """
    from scipy.stats import chi2 as chi2_dist
    from pathlib import Path

    groups: dict = {}
    for s in fits:
        # spectra at other rf powers are a power series, not repeats (the CoFe/Pt dev13 files
        # at 9, 12 and 15 dBm were compared as repeats)
        power = s.dataset.meta.get("power")
        key = (round(float(s.dataset.meta.get(group_by, 0.0)), 6),
               str(s.dataset.meta.get("sample", Path(s.dataset.source).parent)),
               -1e9 if power is None else round(float(power), 3))
        groups.setdefault(key, []).append(s)
    out = []
    for (gval, sample, _), members in sorted(groups.items()):
        if len(members) < 2:
            continue
        for k in keys:
            vals = np.array([m.value(k) for m in members])
            errs = np.array([m.stderr(k) for m in members])
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
                        "p_value": pv})
        out.extend(_opposite_amplitudes(members, group_by, gval, sample))
        out.extend(_identical_fits(members, keys, group_by, gval, sample))
    tests = [e for e in out if "p_value" in e]
    level = 1.0 - (1.0 - p_threshold) ** (1.0 / max(len(tests), 1))
    for e in tests:
        e["p_threshold"] = level
        e["flagged"] = bool(e["p_value"] < level)
    return out


def _opposite_amplitudes(members, group_by: str, gval, sample) -> list[dict]:
    """Repeats whose V_s (or V_a) are of opposite signs, each beyond 3 standard errors: no
    repeats (a branch of negative field written as |H| and read as positive, a reversed
    connection). The ratio V_s/V_a keeps its sign, so the -H branches of a polarity column
    read with --split-sweeps passed as repeats of the +H ones, no flag."""
    out = []
    for k in ("vs", "va"):
        vals = np.array([m.value(k) for m in members], float)
        errs = np.array([m.stderr(k) for m in members], float)
        clear = np.isfinite(vals) & (errs > 0) & (np.abs(vals) > 3 * errs)
        if (vals[clear] > 0).any() and (vals[clear] < 0).any():
            out.append({group_by: gval, "sample": sample, "quantity": k,
                        "sources": [m.source for m in members], "values": vals.tolist(),
                        "stderrs": errs.tolist(), "opposite_signs": True, "flagged": True})
    for r in out:
        r["both_flip"] = len(out) == 2
    return out


#: Repeats whose every compared value agrees to this fraction of its standard error gave one
#: fit: independent sweeps differ by their noise (two at 1e-6 of the errors in three
#: quantities: a chance of about 1e-18).
IDENTICAL_FIT = 1e-6


def _identical_fits(members, keys, group_by: str, gval, sample) -> list[dict]:
    """Pairs of repeats whose values of every quantity of ``keys`` agree to
    :data:`IDENTICAL_FIT` of their standard errors: one measurement counted twice (saved again
    in a form the reader did not recognise), whose chi-square of 0 passed as perfect
    agreement. Found among repeats sorted by their first quantity, each against those within
    the tolerance of it."""
    vals = np.array([[m.value(k) for k in keys] for m in members], float)
    errs = np.array([[m.stderr(k) for k in keys] for m in members], float)
    tol = IDENTICAL_FIT * np.where(np.isfinite(errs) & (errs > 0), errs, 0.0)
    out = []
    for a, rest in sorted_window_pairs(vals[:, 0], tol[:, 0].max()):
        for b in rest:
            if np.all(np.abs(vals[a] - vals[b]) <= np.minimum(tol[a], tol[b])):
                pair = sorted((int(a), int(b)))
                out.append({group_by: gval, "sample": sample, "quantity": ",".join(keys),
                            "sources": [members[i].source for i in pair],
                            "values": vals[pair].tolist(), "stderrs": errs[pair].tolist(),
                            "identical": True, "flagged": True})
    return out


def repeat_disagreement(r: dict) -> str:
    """What a flagged entry of :func:`compare_repeats` says (its flag and note)."""
    if r.get("identical"):
        return (f"repeats at {r['frequency']:g} GHz, {' and '.join(r['sources'])}, gave the "
                f"same fit ({r['quantity'].replace(',', ', ')} agree to {IDENTICAL_FIT:g} of "
                "their standard errors), which independent sweeps cannot: one measurement "
                "counted twice (saved again in another form); give it once")
    if r.get("opposite_signs"):
        why = ("a branch of negative field written as |H| is read as positive "
               "(--negative-field names such files), or a connection was reversed"
               if r.get("both_flip", True) else
               "V_s and V_a flip together when the field or a connection is reversed; one "
               "alone flips only when the lineshape's phase changes (another rf path, device "
               "or frequency)")
        return (f"repeats at {r['frequency']:g} GHz have {r['quantity']} of opposite signs "
                f"({', '.join(f'{v:.3g}' for v in r['values'])} uV): no repeats; {why}")
    return (f"repeats at {r['frequency']:g} GHz disagree in {r['quantity']} beyond their errors "
            f"(Birge ratio {r['birge_ratio']:.3g}, p = {r['p_value']:.2g}"
            + (f" < {r['p_threshold']:.2g}, the level of one test of the run's "
               "comparisons of repeats" if "p_threshold" in r else "") + ")")
