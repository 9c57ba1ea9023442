"""The ST-FMR results as ``summary.json`` sections: every quantity as ``{"value", "stderr",
"unit"}`` (:func:`summary_dict`, :func:`angle_summary_dict`), with the torques of the branches
and the flags of the summary; and the per-spectrum tables ``spectra.csv`` and
``spectra_combined.csv`` (:func:`write_tables`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ...device import flag_unusual_dimensions, sample_flags_reason
from ...flags import (SIGMA_LIMIT, add_flag, flag_disagreement, flag_redchi, oersted_mismatch,
                      oersted_opposed)
from ...results import FitResult, pair_correlations, quantity_dict
from ...units import TORQUE_QUANTITY_UNITS
from .angle import AngleAnalysis
from .checks import (amplitude_below_measurable, branch_field_disagreements,
                     branch_width_disagreements, clipped_spectra,
                     data_checks,
                     implausible_resonance_fields, lockin_reading_reason,
                     torque_field_beyond_linewidth, g_outside_ferromagnets,
                     correlated_residuals, misfit_spectra, residual_lag1, rounded_voltages,
                     unsaturated_spectra, widened_branches, widened_note)
from .records import STFMRAnalysis
from .spectra import BranchValues, SpectrumFit, repeat_disagreement


__all__ = [
    "stfmr_torques",
    "summary_dict",
    "angle_summary_dict",
    "write_tables",
]


#: Stable names of the summary quantities and their units.
SUMMARY_UNITS = {
    "mu0_meff": "T", "gyromagnetic_ratio": "GHz/T", "g": "", "h_k": "T", "alpha": "",
    "linewidth_inhomogeneous": "T", **TORQUE_QUANTITY_UNITS,
}


#: What the linewidths (``width``, ``width2`` and their standard errors) are: the half width at
#: half maximum W of the Lorentzian (docs/stfmr.md), in ``summary.json`` under
#: ``linewidth_convention`` and in a column of that name in ``spectra.csv`` and
#: ``spectra_combined.csv``.
LINEWIDTH_CONVENTION = "HWHM"


SIGN_CONVENTION = (
    "current along +x, film normal +z, field angle phi from +x; torque fields as in "
    "docs/CONVENTIONS.md: mu0 H_DL = mu0_h_dl (m x sigma), mu0 H_FL = mu0_h_fl sigma, sigma = +y; "
    "mu0_h_fl_oe = mu0 (H_FL + H_Oe) along +y; the Oersted field of a spin-source layer below "
    "the ferromagnet points along -y; xi_dl, xi_fl follow the signs of mu0_h_dl, mu0_h_fl; "
    "xi_fmr is Liu's lineshape-ratio value (Oersted-referenced, positive when V_s/V_a > 0) "
    "times the sign of the Oersted field along +y (-1 for the layer below), so that without a "
    "field-like torque xi_fmr = xi_dl; V_s, V_a referred to +H "
    "(docs/stfmr.md)")



def sample_at(sample, currents: Mapping[float, float] | None):
    """The sample of each spectrum: ``sample`` itself, or with the rf current ``currents`` gives
    its frequency (GHz -> mA, in the sample's convention, peak or rms). A frequency it does not
    give is an error naming it."""
    if not currents:
        return lambda frequency: sample
    made: dict[float, Any] = {}

    def at(frequency: float):
        f = float(frequency)
        if f not in made:
            match = [c for g, c in currents.items() if math.isclose(g, f, rel_tol=1e-6)]
            if not match:
                raise ValueError(f"no rf current given at {f:g} GHz (--irf-at gives "
                                 f"{', '.join(f'{g:g}' for g in sorted(currents))} GHz)")
            made[f] = sample.replace(current=match[0])
        return made[f]
    return at


def stfmr_torques(analysis: STFMRAnalysis, sample, currents=None) -> dict[str, Any]:
    """Torque quantities per spectrum and their weighted means, for both routes.

    Parameters
    ----------
    analysis : STFMRAnalysis
    sample : sotfit.analysis.stfmr_torques.Sample
    currents : mapping, optional
        The rf current of each frequency (GHz -> mA, peak or rms as ``sample`` says), where it
        is not one for all (a cable's loss changes with frequency); :func:`sample_at`.

    Returns
    -------
    dict
        ``{'sequential': {...}, 'global': {...}}``, each with ``per_spectrum``
        (list of dicts: ``source``, ``frequency`` and the quantities; for the
        sequential route also ``branches`` with the ±H values per branch),
        ``mean`` (GLS weighted means), ``birge_ratio`` per quantity and ``singular`` (the
        quantities whose per-spectrum values have a singular covariance: not independent
        estimates, averaged with inverse-variance weights).
    """
    from .torques import FIELDS_NEED, check_absolute_fields, gives_torques, spectrum_torques, \
        weighted_mean

    check_absolute_fields({r.model_name for s in analysis.spectra for r in s.branches},
                          sample is not None and not sample.missing(*FIELDS_NEED))
    if gives_torques(sample) and not analysis.spectrum_correlations:
        raise ValueError("torques need the sequential values correlated with the spectra: "
                         "analyse with spectrum_correlations=True")
    routes: dict[str, Any] = {}
    out: dict[str, Any] = {}
    at = sample_at(sample, currents)
    meff_seq = analysis.sequential.get("meff")
    hk_seq = analysis.sequential.get("h_k", 0.0)      # the torque formulas take H_r + H_k
    if meff_seq is not None and len(analysis.spectra) > STRUCTURED_ABOVE \
            and hasattr(meff_seq, "derivatives") and gives_torques(sample):
        # (a sample that allows no torque quantity takes the plain route: empty rows)
        out["sequential"] = _sequential_structured(analysis, at, meff_seq, hk_seq)
    elif meff_seq is not None:
        per = []
        for s in analysis.spectra:
            row = {"source": s.source, "frequency": s.frequency,
                   **spectrum_torques(s.combined, meff_seq, at(s.frequency), hk_seq)}
            row["branches"] = {("+" if r.meta["polarity"] > 0 else "-"):
                               spectrum_torques(BranchValues(r), meff_seq, at(s.frequency),
                                                hk_seq)
                               for r in s.branches}
            per.append(row)
        routes["sequential"] = per
    if analysis.global_spectra:
        meff_g = analysis.global_values["meff"]
        hk_g = analysis.global_values.get("h_k", 0.0)
        routes["global"] = [{"source": g["source"], "frequency": g["frequency"],
                             **spectrum_torques(g, meff_g, at(g["frequency"]), hk_g)}
                            for g in analysis.global_spectra]
    for route, per in routes.items():
        keys = [k for k in per[0] if k not in ("source", "frequency", "branches")]
        mean, birge, singular = {}, {}, []
        for k in keys:
            vals = [row[k] for row in per]
            if all(hasattr(v, "std_dev") and v.std_dev > 0 for v in vals):
                info: dict = {}
                mean[k], birge[k] = weighted_mean(vals, info=info)
                if info["singular"]:
                    singular.append(k)
            else:  # exact inputs (no uncertainty): plain mean
                mean[k], birge[k] = sum(vals) / len(vals), float("nan")
        out[route] = {"per_spectrum": per, "mean": mean, "birge_ratio": birge,
                      "singular": singular}
    return out


#: Above this many spectra the sequential torques, which all share the uncertain M_eff of the
#: Kittel fit, are averaged through that structure (:mod:`.shared_meff`, O(N)) instead of the
#: dense covariance of generic uncertain values (O(N^3)); both give the same GLS mean.
STRUCTURED_ABOVE = 48


def _sequential_structured(analysis: STFMRAnalysis, at, meff, h_k=0.0) -> dict[str, Any]:
    """The sequential route of :func:`stfmr_torques` for many spectra, with the per-spectrum
    standard errors under ``stderr`` (the same numbers the uncertain values give); a fitted
    (uncertain) H_k is shared by every torque like M_eff, a held one is a number. ``at`` gives
    each frequency's sample (:func:`sample_at`)."""
    from .shared_meff import SharedMeff, is_uncertain, structured_mean
    from .torques import spectrum_torques, weighted_mean

    split = SharedMeff(meff, *((h_k,) if is_uncertain(h_k) else ()))

    def torques(v, sample):
        return lambda m, *hk: spectrum_torques(v, m, sample, hk[0] if hk else h_k)
    per, errors, locals_, coefs = [], [], [], []
    for s in analysis.spectra:
        sample = at(s.frequency)
        full, se, loc, a = split.split(torques(s.combined, sample))
        row = {"source": s.source, "frequency": s.frequency, **full, "branches": {}}
        err = dict(se, branches={})
        for r in s.branches:
            pol = "+" if r.meta["polarity"] > 0 else "-"
            bfull, bse, _, _ = split.split(torques(BranchValues(r), sample))
            row["branches"][pol], err["branches"][pol] = bfull, bse
        per.append(row)
        errors.append(err)
        locals_.append(loc)
        coefs.append(a)
    mean, birge, singular = {}, {}, []
    for k in (k for k in per[0] if k not in ("source", "frequency", "branches")):
        vals = [row[k] for row in per]
        if not all(is_uncertain(v) for v in vals) or not all(e[k] for e in errors):
            mean[k], birge[k] = sum(vals) / len(vals), float("nan")
            continue
        info: dict = {}
        loc = [lc[k] for lc in locals_]
        if all(is_uncertain(v) and v.std_dev > 0 for v in loc):
            mean[k], birge[k] = structured_mean(loc, [c[k] for c in coefs], split, info=info)
        else:
            mean[k], birge[k] = weighted_mean(vals, info=info)
        if info["singular"]:
            singular.append(k)
    return {"per_spectrum": per, "stderr": errors, "mean": mean, "birge_ratio": birge,
            "singular": singular}


def fit_stderrs(r: FitResult) -> dict[str, float | None]:
    """Standard errors of a fit's parameters from its covariance (the square roots of the
    diagonal; what the uncertainties values give, without expanding them): ``None`` for a
    fixed parameter, NaN without a covariance."""
    if r.covar is None:
        return {k: (float(getattr(r.params[k], "std_dev", math.nan))
                    if k in r.varied else None) for k in r.params}
    diag = np.sqrt(np.diagonal(r.covar))
    out: dict[str, float | None] = {k: None for k in r.params}
    out.update(zip(r.varied, diag.tolist()))
    return out


def _q(value, unit, stderr=False):
    """``{"value", "stderr", "unit"}`` of an uncertain value (``stderr`` given when known)."""
    if stderr is False:
        d = quantity_dict(value, unit)
    else:
        d = {"value": float(getattr(value, "nominal_value", value)),
             "stderr": None if stderr is None else float(stderr), "unit": unit}
    if d["stderr"] is not None and not math.isfinite(d["stderr"]):
        # JSON has no NaN; None alone would read as "fixed", so say what happened
        d["stderr"] = None
        add_flag(d, "standard error is not finite (the data do not determine it)")
    return d


#: Names of Sample fields in the ``sample`` section of an ST-FMR summary (its current is the
#: rf current ``i_rf``).
_SUMMARY_NAMES = {"current": "i_rf", "current_is_rms": "i_rf_is_rms"}


def spectrum_row(s: SpectrumFit) -> dict[str, Any]:
    """The entry of one spectrum in the summary's ``spectra``, before its torques and notes:
    source, frequency, the combined values and every branch fit (window, points, reduced
    chi-square, parameters), each number as ``{"value", "stderr", "unit"}``."""
    row: dict[str, Any] = {"source": s.source, "frequency": {"value": s.frequency,
                                                               "stderr": None, "unit": "GHz"}}
    power = s.dataset.meta.get("power")
    if power is not None:
        # the rf power of a file or of --power was written nowhere
        row["power"] = {"value": float(power), "stderr": None, "unit": "dBm"}
    for k in s.combined:
        row[k] = _q(s.value(k), COMBINED_UNITS[k], s.stderr(k))
    row["branches"] = []
    for r, rho in zip(s.branches, _branch_lag1(s)):
        b = {"polarity": int(r.meta["polarity"]),
             "window": {"value": [r.meta["window_lo"], r.meta["window_hi"]], "unit": "T"},
             "window_widths": r.meta["window_widths"],
             "n_points_window": r.meta["n_points_window"],
             "n_points_branch": r.meta["n_points_branch"], "reduced_chi_square": r.redchi,
             # the errors assume independent points: correlated residuals make them too small
             # by about sqrt((1 + rho)/(1 - rho)) (docs/stfmr.md, section 5)
             "residual_lag1_autocorrelation": rho}
        se = fit_stderrs(r)
        for k in ("h_res", "width", "vs", "va", "offset", "slope"):
            b[k] = _q(r.value(k), r.units[k], se[k])
        row["branches"].append(b)
    return row


class SpectrumRows:
    """The rows of the summary and of the tables of spectra, made as the spectrum fits come
    in (:meth:`add`; a run that waits for its workers makes them while it waits) and taken
    by :func:`summary_dict` and :func:`write_tables`. Each row depends on its spectrum fit
    alone; a spectrum that was not added, or whose row was taken, gets a new one."""

    def __init__(self):
        self._rows: dict[int, tuple] = {}

    def add(self, fits) -> None:
        """Make the rows of the SpectrumFit items of ``fits`` (other items are skipped)."""
        for s in fits:
            if isinstance(s, SpectrumFit):
                self._rows[id(s)] = (s, spectrum_row(s), _branch_rows(s), _combined_row(s))

    def _take(self, s, which: int):
        entry = self._rows.get(id(s))
        if entry is None or entry[0] is not s or entry[which] is None:
            return None
        row = entry[which]
        self._rows[id(s)] = entry[:which] + (None,) + entry[which + 1:]
        return row

    def summary_row(self, s) -> dict[str, Any]:
        """:func:`spectrum_row` of ``s``."""
        row = self._take(s, 1)
        return spectrum_row(s) if row is None else row

    def branch_rows(self, s) -> list[dict]:
        """The rows of ``spectra.csv`` of ``s``."""
        rows = self._take(s, 2)
        return _branch_rows(s) if rows is None else rows

    def combined_row(self, s) -> dict:
        """The row of ``spectra_combined.csv`` of ``s``."""
        row = self._take(s, 3)
        return _combined_row(s) if row is None else row


def summary_dict(analysis: STFMRAnalysis, sample=None,
                 rows: SpectrumRows | None = None, currents=None) -> dict[str, Any]:
    """JSON-ready summary: every number as ``{"value", "stderr", "unit"}`` under stable names.

    Sections ``sequential`` and ``global`` hold ``mu0_meff``, ``gyromagnetic_ratio``, ``g``,
    ``alpha``, ``linewidth_inhomogeneous`` (``h_k`` in plane) and, when the sample allows,
    the torque means ``xi_fmr``, ``mu0_h_dl``, ``mu0_h_fl_oe``, ``mu0_h_fl``, ``xi_dl``,
    ``xi_fl`` ... and ``correlations`` of their field-like and damping-like pairs
    (:func:`sotfit.results.pair_correlations`); ``spectra`` lists the per-spectrum values. A doubtful quantity carries
    ``"flags": [reason, ...]`` (:mod:`sotfit.flags`; the gates of docs/stfmr.md, section 9);
    the summary's top-level list of them, as ``summary.json`` has it, is made by
    :func:`sotfit.flags.finalise_flags` (``finalise_flags(summary)``), which the command calls
    when it writes the file. ``rows`` holds spectrum rows made beforehand
    (:class:`SpectrumRows`); ``currents`` the rf current of each frequency where it is not one
    for all (:func:`stfmr_torques`).
    """
    from ... import __version__

    # the torque formulas (docs/stfmr.md, section 6) are those of a field in the film plane
    in_plane = analysis.geometry == "inplane"
    torques = (stfmr_torques(analysis, sample, currents) if sample is not None and in_plane
               else {})
    out: dict[str, Any] = {"sotfit_version": __version__, "analysis": "stfmr",
                           "geometry": analysis.geometry, "sign_convention": SIGN_CONVENTION,
                           "linewidth_convention": LINEWIDTH_CONVENTION}
    if sample is not None:
        out["sample"] = {_SUMMARY_NAMES.get(k, k): v for k, v in sample.summary().items()}
        if currents:
            at = sample_at(sample, currents)
            out["sample"].pop(_SUMMARY_NAMES["current"], None)
            out["sample"]["i_rf_peak_by_frequency"] = {
                "frequencies": sorted(currents), "frequency_unit": "GHz",
                "values": [float(at(f).i_peak) for f in sorted(currents)], "unit": "mA"}
        elif sample.i_rf is not None:
            out["sample"]["i_rf_peak"] = {"value": float(sample.i_peak), "stderr": None,
                                          "unit": "mA"}
        if sample.fraction is not None:
            out["sample"]["current_fraction_used"] = {"value": float(sample.fraction),
                                                      "stderr": None, "unit": ""}
        flag_unusual_dimensions(out["sample"])
    for route, vals, fitres in (("sequential", analysis.sequential, analysis.kittel),
                                ("global", analysis.global_values, analysis.global_fit)):
        if not vals:
            continue
        sec = {}
        for k, v in vals.items():
            name = "mu0_meff" if k == "meff" else k
            sec[name] = _q(v, SUMMARY_UNITS.get(name, ""))
        for k, v in torques.get(route, {}).get("mean", {}).items():
            if k in _SCALE_WITH_CURRENT and currents and len(set(currents.values())) > 1:
                continue        # fields of different currents: no common value
            sec[k] = _q(v, SUMMARY_UNITS.get(k, ""))
            b = torques[route]["birge_ratio"].get(k)
            if b is not None and math.isfinite(b):
                sec[k]["birge_ratio_across_spectra"] = b
        corr = pair_correlations(torques.get(route, {}).get("mean", {}))
        if corr:    # the FL/DL ratio's error needs them (sotfit theory compare reads them)
            sec["correlations"] = corr
        if route == "sequential" and analysis.kittel is not None:
            sec["kittel_reduced_chi_square"] = analysis.kittel.redchi
            sec["linewidth_reduced_chi_square"] = analysis.linewidth.redchi
        if route == "global" and fitres is not None:
            sec["reduced_chi_square"] = fitres.redchi
            sec["success"] = bool(fitres.success)
        out[route] = sec
    spectra = []
    for i, s in enumerate(analysis.spectra):
        row = rows.summary_row(s) if rows is not None else spectrum_row(s)
        for route in ("sequential", "global"):
            if route in torques:
                t = torques[route]["per_spectrum"][i]
                se = torques[route].get("stderr", [{}] * (i + 1))[i]
                row[f"torques_{route}"] = {k: _q(v, SUMMARY_UNITS.get(k, ""), se.get(k, False))
                                           for k, v in t.items()
                                           if k not in ("source", "frequency", "branches")}
                if "branches" in t:
                    bse = se.get("branches", {})
                    row[f"torques_{route}"]["branches"] = {
                        pol: {k: _q(v, SUMMARY_UNITS.get(k, ""), bse.get(pol, {}).get(k, False))
                              for k, v in vals.items()}
                        for pol, vals in t["branches"].items()}
        if s.notes:
            row["notes"] = list(s.notes)
        spectra.append(row)
    out["spectra"] = spectra
    out["repeats"] = [dict(r, flags=[repeat_disagreement(r)]) if r["flagged"] else r
                      for r in analysis.repeats]
    out["failures"] = [{"source": a, "reason": b, "flags": [f"left out of every fit: {b}"]}
                       for a, b in analysis.failures]
    from .torques import gives_torques, missing_torque_inputs

    lineshapes = {r.model_name for s in analysis.spectra for r in s.branches}
    out["notes"] = list(analysis.notes) + (missing_torque_inputs(sample, lineshapes)
                                           if in_plane else [])
    if torques and currents and len(set(currents.values())) > 1:
        out["notes"].append(
            f"rf currents per frequency (--irf-at): the torque fields and the Oersted field "
            f"({', '.join(_SCALE_WITH_CURRENT)}) scale with the current of each spectrum and are "
            "given per spectrum only; the efficiencies, which do not, are averaged")
    if not in_plane and gives_torques(sample):
        out["notes"].append(
            "no torques or efficiencies: their lineshape formulas (docs/stfmr.md, section 6) "
            "hold for a field in the film plane; with the field along the normal (geometry "
            "outofplane) the magnetisation precesses about it and the AMR rectification the "
            "formulas rest on vanishes to first order")
    widened = widened_branches(analysis.spectra)
    if widened[0]:
        out["notes"].append(widened_note(*widened))
    _summary_flags(out, analysis, torques, sample)
    _lockin_sign_flags(out, analysis)
    _sample_flags(out)
    return out


def _sample_flags(out: dict) -> None:
    """Flag the torque fields and efficiencies with the flags of the sample description they
    are computed from (--ms 9.5T was flagged on the sample alone: efficiencies 10 times the
    truth went on unflagged, into a thickness fit that exited 0 under --strict)."""
    reason = sample_flags_reason(out.get("sample", {}))
    if reason:
        flag_torque_quantities(out, reason)


#: Torque quantities proportional to the rf current: a mean over spectra at different
#: currents (``--irf-at``) is no value of the sample.
_SCALE_WITH_CURRENT = ("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_oe", "mu0_h_fl", "e_field")


#: Summary names of the shared magnetic parameters (the fits' names where they differ).
_SHARED = {"mu0_meff": "meff", "gyromagnetic_ratio": "gyromagnetic_ratio",
           "g": "gyromagnetic_ratio", "h_k": "h_k", "alpha": "alpha",
           "linewidth_inhomogeneous": "linewidth_inhomogeneous"}


#: Torque quantities whose value scales with the field angle's sin 2phi cos phi and whose sign
#: is that of V_mix (xi_fmr, a ratio of the amplitudes, is neither).
ANGLE_AND_SIGN_KEYS = ("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl", "xi_e_dl", "xi_e_fl", "xi_dl",
                       "xi_fl")


def flag_torque_quantities(out: dict, reason: str, keys=ANGLE_AND_SIGN_KEYS) -> int:
    """Add ``reason`` to every torque quantity ``keys`` of an ST-FMR summary: the means of each
    route and each spectrum's ``torques_<route>``. Returns how many were flagged."""
    n = 0
    targets = [out.get(route, {}) for route in ("sequential", "global")]
    targets += [row.get(f"torques_{route}", {}) for row in out.get("spectra", [])
                for route in ("sequential", "global")]
    for sec in targets:
        for k in keys:
            if isinstance(sec.get(k), dict) and "value" in sec[k]:
                add_flag(sec[k], reason)
                n += 1
    return n


def _lockin_sign_flags(out: dict, analysis: STFMRAnalysis) -> None:
    """Flag the torque quantities whose sign rests on the lock-in phase convention: V_mix
    combined from two channels has the sign of the axis kept (phi in (-45, 135] deg), which a
    lock-in phase of 135-315 deg reverses (xi_DL came out -0.080 for +0.080 and xi_FL +0.119
    for -0.010 after the Oersted field was taken off)."""
    phases = [r.meta[key] for s in analysis.spectra for r in s.branches[:1]
              for key in ("lockin_phase", "lockin_phase_positive", "lockin_phase_negative")
              if r.meta.get(key) is not None]         # per branch: polarities written apart
    if not phases:
        return
    n = sum(1 for s in analysis.spectra for r in s.branches[:1]
            if any(r.meta.get(k) is not None for k in ("lockin_phase", "lockin_phase_positive",
                                                        "lockin_phase_negative")))
    flag_torque_quantities(out, (
        f"V_mix of {n} spectra combined from two lock-in channels at a fitted phase "
        f"({min(phases):.1f} to {max(phases):.1f} deg, the axis taken whose larger component is "
        "positive): the sign of V_mix, and with it of the torque fields and efficiencies, is a "
        "convention, not measured (the Oersted field's removal then also changes xi_FL's size); "
        "read the one channel whose sign you know (--column voltage=NAME)"))


def _powers_with_one_current(analysis: STFMRAnalysis, sample,
                             per_frequency: bool = False) -> tuple[str, bool] | None:
    """The text about absolute torques made with one rf current from spectra at several rf
    powers, and whether it is a flag, or None. At one frequency the current of a linear line
    grows as sqrt(P) (6 dB is a factor 2): spectra of one frequency at several powers sharing
    one current are flagged (the CoFe/Pt dev13 files at 9, 12 and 15 dBm, all taken at --irf
    5mA). Powers that differ only between frequencies are noted: the cable's loss changes with
    frequency, and a power raised with it to keep the current at the device (a levelled
    calibration) gave the right torques, which a flag called off; with a current for each
    frequency (``per_frequency``) they are not noted."""
    if sample is None or getattr(sample, "i_rf", None) is None:
        return None
    by_frequency: dict[float, set] = {}
    for sp in analysis.spectra:
        p = sp.dataset.meta.get("power")
        if p is not None:
            by_frequency.setdefault(round(float(sp.frequency), 6), set()).add(round(float(p), 3))
    powers = sorted(set().union(*by_frequency.values())) if by_frequency else []
    if len(powers) < 2:
        return None
    shared = {f: sorted(ps) for f, ps in by_frequency.items() if len(ps) > 1}
    if shared:
        f, ps = max(shared.items(), key=lambda kv: kv[1][-1] - kv[1][0])
        factor = 10 ** ((ps[-1] - ps[0]) / 20)
        return (f"the spectra at {f:g} GHz were taken at {len(ps)} rf powers "
                f"({', '.join(f'{p:g}' for p in ps)} dBm) and share one rf current: at one "
                f"frequency the current grows as sqrt(P), a factor {factor:.2g} across them, so "
                "the absolute torques of all but one power are off; give the files of one power "
                "together"), True
    if per_frequency:
        return None         # each frequency has its own current
    return (f"the spectra were taken at {len(powers)} rf powers ({powers[0]:g} to "
            f"{powers[-1]:g} dBm), one at each frequency, and share one rf current: right where "
            "the current at the device is the same at every frequency (a power levelled by a "
            "calibration); the cable's loss changes with frequency, so the source power alone "
            "does not say (the spread of the torques across frequencies does: their Birge "
            "ratio)"), False


def _has_error(q) -> bool:
    """Whether a summary quantity carries a standard uncertainty."""
    return isinstance(q, dict) and q.get("stderr") is not None


#: Route quantities that do not rest on M_eff: the Oersted field and the electric field come
#: from the current and the sample alone.
_NOT_FROM_MEFF = {"mu0_h_oe", "e_field"}


def _summary_flags(out: dict, analysis: STFMRAnalysis, torques: dict, sample) -> None:
    """Attach :mod:`sotfit.flags` reasons to the quantities of an ST-FMR summary (in place).

    The gates (docs/stfmr.md, section 9): what the fits found (a parameter on a bound or held
    at its physical bound, within one standard error of it, resting on an assumed g, M_eff
    against the geometry), the reduced chi-square of the Kittel, linewidth and global fits,
    the spread of the per-spectrum torques about their mean, each route's per-spectrum
    values against the spectrum data (:func:`data_checks`), M_eff against the given M_s, and
    every shared quantity of the two routes against each other.
    """
    secs = {r: out[r] for r in ("sequential", "global") if r in out}
    # 1. what the fits found
    for route, sec in secs.items():
        for name, key in _SHARED.items():  # g carries the flags of gamma/2pi
            for reason in analysis.flags.get(route, {}).get(key, []) if name in sec else ():
                add_flag(sec[name], reason)
    # 2. reduced chi-square of the fits behind each quantity
    kit, lw, glob = analysis.kittel, analysis.linewidth, analysis.global_fit
    for route, sec in secs.items():
        if kit is not None:
            flag_redchi([sec[k] for k in ("mu0_meff", "gyromagnetic_ratio", "g", "h_k")
                         if _has_error(sec.get(k))], kit.redchi, "Kittel fit (sequential)")
        if lw is not None:
            flag_redchi([sec[k] for k in ("alpha", "linewidth_inhomogeneous")
                         if _has_error(sec.get(k))], lw.redchi, "linewidth fit (sequential)")
    if glob is not None and "global" in secs:
        flag_redchi([secs["global"][k] for k in _SHARED if _has_error(secs["global"].get(k))],
                    glob.redchi, "global fit")
    # 3. the per-spectrum torques about their mean
    for route, sec in secs.items():
        t = torques.get(route, {})
        for k, b in t.get("birge_ratio", {}).items():
            if k in sec and b is not None and math.isfinite(b):
                flag_redchi([sec[k]], b * b, f"{route} mean over spectra")
        for k in t.get("singular", []):
            if k in sec:
                add_flag(sec[k], "the per-spectrum values are not independent (singular "
                                 "covariance): mean with inverse-variance weights")
    # 3b. correlated residuals: the per-spectrum errors too small, the means' too where their
    # scatter did not raise them (a drift left half the means' errors 2 times too small)
    correlated = correlated_residuals(analysis.spectra)
    if correlated is not None:
        rho, factor = correlated
        widened = widened_branches(analysis.spectra)
        for route, sec in secs.items():
            if route == "sequential" and 2 * widened[0] >= widened[1]:
                continue    # the spectra's errors already carry the correlation
            for k, b in torques.get(route, {}).get("birge_ratio", {}).items():
                if k in sec and _has_error(sec[k]) and \
                        not (b is not None and math.isfinite(b) and b >= factor):
                    add_flag(sec[k], (
                        f"the residuals of the spectra's fits are correlated (median lag-1 "
                        f"autocorrelation {rho:.2f}: a drift or a lock-in's time constant): "
                        "their errors assume independent points and are about "
                        f"{factor:.2g} times too small, and the scatter of the spectra about "
                        + (f"the mean (Birge ratio {b:.2g})" if b is not None and
                           math.isfinite(b) else "the mean") + " did not raise its error as "
                        "much: it may be too small by up to that factor"))
    # 4. each route's per-spectrum values against the spectrum data
    amplitude_keys = [k for k in SUMMARY_UNITS if k not in _SHARED and k not in
                      ("mu0_h_oe", "e_field")]
    for route, bad in data_checks(analysis).items():
        for n, reason in bad.items():
            row = out["spectra"][n]
            targets = list(row.get(f"torques_{route}", {}).values())
            if route == "sequential":
                targets += [row[k] for k in ("vs", "va", "ratio") if k in row]
            for q in targets:
                if isinstance(q, dict) and "value" in q:
                    add_flag(q, reason)
            for k in amplitude_keys:
                if k in secs.get(route, {}):
                    add_flag(secs[route][k], reason)
    # 5. the two branches of each spectrum against each other
    # (their widths feed the linewidth fit; their resonance fields the Kittel fit as well)
    widths = ("alpha", "linewidth_inhomogeneous")
    for check, fed in ((branch_width_disagreements, widths),
                       (branch_field_disagreements, ("mu0_meff", "gyromagnetic_ratio", "g",
                                                     *widths))):
        for n, reason in check(analysis.spectra).items():
            row = out["spectra"][n]
            targets = [row[k] for k in ("h_res", "width", "vs", "va", "ratio") if k in row]
            targets += [q for route in secs for q in row.get(f"torques_{route}", {}).values()]
            targets += [sec[k] for sec in secs.values() for k in (*fed, *amplitude_keys)
                        if k in sec]
            for q in targets:
                if isinstance(q, dict) and "value" in q:
                    add_flag(q, reason)
    # 5b. in plane: resonance fields that no ferromagnet has at their frequency (a wrong unit)
    if analysis.geometry == "inplane":
        impossible = implausible_resonance_fields(analysis.spectra)
        for n, reason in impossible.items():
            row = out["spectra"][n]
            targets = [row[k] for k in ("h_res", "width") if k in row]
            targets += [q for route in secs for q in row.get(f"torques_{route}", {}).values()]
            for q in targets:
                if isinstance(q, dict) and "value" in q:
                    add_flag(q, reason)
        if impossible:
            shared = (f"{len(impossible)} of {len(analysis.spectra)} resonance fields are too "
                      f"small for any ferromagnet at their frequency (the spectra's flags say "
                      f"why): check the field unit")
            for sec in secs.values():
                # the widths are read in the same unit as the fields: alpha and W_0 were 1000
                # times too small (T headed mT) with no flag on them
                for k in ("mu0_meff", "gyromagnetic_ratio", "g", "alpha",
                          "linewidth_inhomogeneous"):
                    if isinstance(sec.get(k), dict) and "value" in sec[k]:
                        add_flag(sec[k], shared)
    # 5c. resonances where a route's M_eff says the film is not saturated along the field (or
    # the field unit is wrong: Oe headed mT): the spectra's rows said 'none' in spectra.csv
    for sec in secs.values():
        meff = sec.get("mu0_meff")
        if not (isinstance(meff, dict) and isinstance(meff.get("value"), (int, float))):
            continue
        found = unsaturated_spectra(meff["value"], analysis.geometry, analysis.spectra)
        for n in found[0] if found else ():
            row = out["spectra"][n]
            for q in [row[k] for k in ("h_res", "width") if k in row]:
                if isinstance(q, dict) and "value" in q:
                    add_flag(q, found[1])
    # 5d. voltages rounded to a few steps over the line: xi_FMR 6 standard errors off, unflagged
    for n, reason in rounded_voltages(analysis.spectra).items():
        row = out["spectra"][n]
        targets = [row[k] for k in ("h_res", "width", "vs", "va", "ratio") if k in row]
        targets += [q for route in secs for q in row.get(f"torques_{route}", {}).values()]
        targets += [sec[k] for sec in secs.values() for k in amplitude_keys if k in sec]
        for q in targets:
            if isinstance(q, dict) and "value" in q:
                add_flag(q, reason)
    # 5d'. a branch fit that leaves structure in its residuals (a curved background taken for
    # a line 90 mT wide, a switching step in the window): widths and amplitudes many standard
    # errors off with flags 'none'; what the spectra feed (the dispersion and the means) with
    # them
    misfits = misfit_spectra(analysis.spectra)
    # a line clipped by a saturated input: xi_FMR 40 % low, alpha 40 % high, fits within noise
    for n, reason in clipped_spectra(analysis.spectra).items():
        misfits[n] = reason if n not in misfits else f"{misfits[n]}; {reason}"
    for n, reason in misfits.items():
        row = out["spectra"][n]
        targets = [row[k] for k in ("h_res", "width", "vs", "va", "ratio") if k in row]
        targets += [q for route in secs for q in row.get(f"torques_{route}", {}).values()]
        targets += [sec[k] for sec in secs.values()
                    for k in (*amplitude_keys, "mu0_meff", "gyromagnetic_ratio", "g", "alpha",
                              "linewidth_inhomogeneous") if k in sec]
        for q in targets:
            if isinstance(q, dict) and "value" in q:
                add_flag(q, reason)
    # 5e. torque fields beyond the linewidth: not the linear response the lineshape is
    for row in out["spectra"]:
        width = row.get("width", {}).get("value") if isinstance(row.get("width"), dict) else None
        for route in secs:
            t = row.get(f"torques_{route}", {})
            reason = (torque_field_beyond_linewidth(float(width), t) if width is not None
                      else None) or oersted_mismatch(t)
            if reason is None:
                continue
            scaled = [k for k in amplitude_keys if k != "xi_fmr"]   # a ratio: not scaled
            for k in scaled:
                if isinstance(t.get(k), dict) and "value" in t[k]:
                    add_flag(t[k], reason)
                if k in secs[route]:
                    add_flag(secs[route][k], f"{row['source']}: {reason}")
    # 5c'. a field-like term against the Oersted field and larger: a reversed field polarity
    # or voltage sign, or a large field-like torque (thin films on Ta or W), which the data
    # cannot tell apart: said, not flagged
    opposed = next((r for sec in secs.values() if (r := oersted_opposed(sec))), None)
    if opposed:
        out["notes"].append(opposed)
    # 5d. amplitudes no set-up measures (a voltage unit off by 10^6), and V_mix taken from a
    # lock-in's reading without its relation to V_mix: the absolute torques scale with both
    scaled = [k for k in amplitude_keys if k != "xi_fmr"]
    readings: dict[str, None] = {}
    for s, row in zip(analysis.spectra, out["spectra"]):
        reasons = []
        vs, va = (row.get(k, {}).get("value") if isinstance(row.get(k), dict) else None
                  for k in ("vs", "va"))
        if vs is not None and va is not None:
            reasons.append(amplitude_below_measurable(float(vs), float(va)))
        found = {r.meta.get("vmix_lockin_reading") for r in s.branches} - {None}
        readings.update(dict.fromkeys(sorted(found)))
        if found:
            reasons.append(lockin_reading_reason(sorted(found)))
        for reason in filter(None, reasons):
            for route in secs:
                t = row.get(f"torques_{route}", {})
                for k in scaled:
                    if isinstance(t.get(k), dict) and "value" in t[k]:
                        add_flag(t[k], reason)
                    if k in secs[route] and reason.startswith("the resonance amplitude"):
                        add_flag(secs[route][k], f"{row['source']}: {reason}")
    if readings:
        for sec in secs.values():
            for k in scaled:
                if isinstance(sec.get(k), dict) and "value" in sec[k]:
                    add_flag(sec[k], lockin_reading_reason(list(readings)))
    # 5e. spectra at several rf powers with one rf current: the current grows as sqrt(P)
    powers = _powers_with_one_current(analysis, sample,
                                      "i_rf_peak_by_frequency" in out.get("sample", {}))
    if powers is not None and powers[1]:
        flag_torque_quantities(out, powers[0], scaled)
    elif powers is not None:
        out["notes"].append(powers[0])
    # 6a. a free g outside the range of ferromagnets
    written = {s.dataset.meta.get("field_unit_in_file") for s in analysis.spectra}
    for route, sec in secs.items():
        reason = g_outside_ferromagnets(sec.get("g"), written.pop() if len(written) == 1
                                        else None)
        if reason:
            for k in ("g", "gyromagnetic_ratio", "mu0_meff"):
                if isinstance(sec.get(k), dict) and "value" in sec[k]:
                    add_flag(sec[k], reason)
    # 6. M_eff against the given M_s
    ms = getattr(sample, "mu0_ms", None) if sample is not None else None
    if ms is not None:
        for route, sec in secs.items():
            q = sec.get("mu0_meff")
            if _has_error(q) and q["value"] - ms > SIGMA_LIMIT * q["stderr"]:
                add_flag(q, f"mu0_meff exceeds the given mu0_ms = {ms:g} T by "
                            f"{(q['value'] - ms) / q['stderr']:.1f} sigma (an in-plane "
                            "anisotropy beyond the shape anisotropy is rare: check --ms, the "
                            "field unit and gamma/2pi)")
    # 7. the two routes against each other
    if len(secs) == 2:
        seq, gl = secs["sequential"], secs["global"]
        for k in seq:
            if k in gl and _has_error(seq[k]) and _has_error(gl[k]):
                flag_disagreement(seq[k], gl[k], f"sequential {k}", f"global {k}")
    # 8. the torques of a route rest on its M_eff (the susceptibility, and xi_FMR's
    # sqrt(1 + M_eff/H)): a flagged M_eff flags them (--g 2.0023 for g = 2.10 flagged M_eff
    # and left xi_dl, 11 standard errors off, unflagged)
    for route, sec in secs.items():
        meff = sec.get("mu0_meff")
        if not (isinstance(meff, dict) and meff.get("flags")):
            continue
        reason = (f"rests on {route} mu0_meff, which is flagged ({meff['flags'][0]}"
                  + (f"; and {len(meff['flags']) - 1} more" if len(meff["flags"]) > 1 else "")
                  + ")")
        for k in torques.get(route, {}).get("mean", {}):
            if k not in _NOT_FROM_MEFF and isinstance(sec.get(k), dict) and "value" in sec[k]:
                add_flag(sec[k], reason)


ANGLE_AMPLITUDES = {"vs_y": ("vs", "c_y"), "vs_x": ("vs", "c_x"), "vs_z": ("vs", "c_z"),
                    "va_y": ("va", "c_y"), "va_x": ("va", "c_x"), "va_z": ("va", "c_z")}


def angle_summary_dict(res: AngleAnalysis, sample=None) -> dict[str, Any]:
    """JSON-ready ``angle`` section: every number as ``{"value", "stderr", "unit"}``.

    Keys: ``frequency`` (GHz), ``field_angles`` (deg, per spectrum), ``mu0_meff``,
    ``mu0_meff_from``, ``h_res``, ``width`` (T), ``amplitudes`` (uV: ``vs_y``, ``vs_x``,
    ``vs_z``, ``va_y``, ``va_x``, ``va_z``), ``vs_reduced_chi_square``,
    ``va_reduced_chi_square``, ``field_angle_offset`` (deg: the offset of the field angles
    fitted with the six amplitudes, with 9 points or more), ``n_points``, ``torque_units``
    (``'T'`` or ``'ratio'``),
    ``torques`` (``mu0_h_dl_y``, ``mu0_h_dl_x``, ``mu0_h_dl_z``, ``mu0_h_y``, ``mu0_h_x``,
    ``mu0_h_z`` in T; or the ratios ``dl_x_over_dl_y``, ``dl_z_over_h_y``,
    ``dl_y_over_h_y``, ``h_x_over_h_y``, ``h_z_over_dl_y``), ``points``, ``spectra``,
    ``failures``, ``notes``. Doubtful quantities carry ``"flags"`` (docs/stfmr.md, section 9).
    """
    fits = {"vs": res.vs_fit, "va": res.va_fit}
    absolute = "mu0_h_dl_y" in res.torques
    out: dict[str, Any] = {
        "frequency": {"value": res.frequency, "stderr": None, "unit": "GHz"},
        "field_angles": {"value": [float(s.dataset.meta.get("field_angle",
                                                              s.dataset.meta.get("angle")))
                                   for s in res.spectra], "stderr": None, "unit": "deg"},
        "mu0_meff": _q(res.meff, "T"), "mu0_meff_from": res.meff_from,
        "h_res": _q(res.h_res, "T"), "width": _q(res.width, "T"),
        "amplitudes": {k: _q(fits[a][c], "uV") for k, (a, c) in ANGLE_AMPLITUDES.items()},
        "vs_reduced_chi_square": res.vs_fit.redchi, "va_reduced_chi_square": res.va_fit.redchi,
        **({} if res.angle_offset is None else {"field_angle_offset": {
            "value": res.angle_offset["offset"], "stderr": res.angle_offset["stderr"],
            "unit": "deg"}}),
        "n_points": len(res.points),
        "torque_units": "T" if absolute else "ratio",
        "torques": {k: _q(v, "T" if absolute else "") for k, v in res.torques.items()},
        "points": [{"source": p["source"], "polarity": p["polarity"],
                    "field_angle": {"value": p["field_angle"], "stderr": None, "unit": "deg"},
                    "angle": {"value": p["angle"], "stderr": None, "unit": "deg"},
                    "vs": _q(p["vs"], "uV"), "va": _q(p["va"], "uV")} for p in res.points],
        "failures": [{"source": a, "reason": b, "flags": [f"left out of every fit: {b}"]}
                     for a, b in res.failures],     # as a frequency scan's: --strict exits 3
        "notes": list(res.notes),
    }
    _angle_flags(out, res)
    return out


#: Which angular fit (V_s or V_a) each torque component of :func:`angular_torques` comes from.
ANGLE_TORQUE_FITS = {
    "mu0_h_dl_y": ("vs",), "mu0_h_dl_x": ("vs",), "mu0_h_z": ("vs",), "mu0_h_y": ("va",),
    "mu0_h_x": ("va",), "mu0_h_dl_z": ("va",), "dl_x_over_dl_y": ("vs",),
    "dl_z_over_h_y": ("va",), "dl_y_over_h_y": ("vs", "va"), "h_x_over_h_y": ("va",),
    "h_z_over_dl_y": ("vs",),
}


def _angle_flags(sec: dict, res: AngleAnalysis) -> None:
    """Flags of the ``angle`` section (in place): the reduced chi-square of the V_s(phi) and
    V_a(phi) fits on the amplitudes and torque components they give, and M_eff from the Kittel
    relation with an assumed g (docs/stfmr.md, section 9)."""
    for which, r in (("vs", res.vs_fit), ("va", res.va_fit)):
        targets = [q for k, q in sec["amplitudes"].items() if ANGLE_AMPLITUDES[k][0] == which]
        targets += [q for k, q in sec["torques"].items() if which in ANGLE_TORQUE_FITS.get(k, ())]
        flag_redchi(targets, r.redchi, f"V_{which[1]}(phi) fit")
    for reason in res.flags.get("angle_offset", []):
        for k in ("vs_x", "va_x"):
            add_flag(sec["amplitudes"][k], f"field angle offset: {reason}")
        for k in ("mu0_h_dl_x", "mu0_h_x", "dl_x_over_dl_y", "h_x_over_h_y"):
            if k in sec["torques"]:
                add_flag(sec["torques"][k], f"field angle offset: {reason}")
    for reason in res.flags.get("meff", []):
        add_flag(sec["mu0_meff"], reason)
        # M_eff enters the amplitude factors of every torque field (in T) and of the ratio of
        # a V_s to a V_a component; ratios within one fit share the factor and keep no trace
        for k, q in sec["torques"].items():
            if q.get("unit") == "T" or len(set(ANGLE_TORQUE_FITS.get(k, ()))) > 1:
                add_flag(q, f"mu0_meff {reason}")


#: Units of the combined (symmetrised) values of a spectrum in ``spectra_combined.csv``.
COMBINED_UNITS = {"h_res": "T", "width": "T", "vs": "uV", "va": "uV", "ratio": "",
                  "field_offset": "T", "vs_even": "uV", "va_even": "uV"}


def _branch_lag1(s) -> tuple:
    """The residual lag-1 autocorrelation of each branch of ``s`` (None where not measured)."""
    rhos = residual_lag1(s)
    return rhos if len(rhos) == len(s.branches) else (None,) * len(s.branches)


def _power_cell(s) -> dict:
    """``{"power (dBm)": P}`` of a spectrum with an rf power, else empty."""
    power = s.dataset.meta.get("power")
    return {} if power is None else {"power (dBm)": float(power)}


def _branch_rows(s) -> list[dict]:
    """The rows of ``spectra.csv`` of one spectrum: one per branch fit, units in the headers."""
    phi = s.dataset.meta.get("field_angle")
    rows = []
    for r, rho in zip(s.branches, _branch_lag1(s)):
        row = {"source": s.source, "frequency (GHz)": s.frequency,
               **({} if phi is None else {"field_angle (deg)": phi}), **_power_cell(s),
               "polarity": int(r.meta["polarity"]),
               "window_lo (T)": r.meta["window_lo"], "window_hi (T)": r.meta["window_hi"],
               "n_points_window": r.meta["n_points_window"]}
        se = fit_stderrs(r)
        for k in r.params:
            u = r.units[k]
            row[f"{k} ({u})"] = r.value(k)
            row[f"{k}_stderr ({u})"] = 0.0 if se[k] is None else se[k]
        row["redchi"] = r.redchi
        row["residual_lag1"] = rho
        # the widths' headers say their unit, not that they are half widths (summary.json did)
        row["linewidth_convention"] = LINEWIDTH_CONVENTION
        rows.append(row)
    return rows


def _combined_row(s) -> dict:
    """The row of ``spectra_combined.csv`` of one spectrum (symmetrised values)."""
    phi = s.dataset.meta.get("field_angle")
    c = {"source": s.source, "frequency (GHz)": s.frequency,
         **({} if phi is None else {"field_angle (deg)": phi}), **_power_cell(s)}
    for k in s.combined:
        u = COMBINED_UNITS[k]
        c[f"{k} ({u})" if u else k] = s.value(k)
        c[f"{k}_stderr ({u})" if u else f"{k}_stderr"] = s.stderr(k)
    c["linewidth_convention"] = LINEWIDTH_CONVENTION
    return c


#: A flag's quantity path of one spectrum of an ST-FMR summary (``spectra[3].h_res``).
_SPECTRUM_PATH = re.compile(r"^spectra\[(\d+)\]")


def spectrum_flags(flags, n_spectra: int) -> list[str]:
    """The flags of each spectrum of a summary (:func:`sotfit.flags.collect_flags`) as one text
    per spectrum: its distinct reasons joined by ``'; '``, ``'none'`` where it has none (an
    empty cell is read as a number, NaN, by pandas and spreadsheets, which made the column
    numeric in a table without flags)."""
    reasons: list[dict] = [{} for _ in range(n_spectra)]
    for f in flags or ():
        m = _SPECTRUM_PATH.match(f["quantity"])
        if m and int(m.group(1)) < n_spectra:
            reasons[int(m.group(1))].setdefault(f["reason"], None)
    return ["; ".join(r) if r else "none" for r in reasons]


def write_tables(analysis, out: Path, rows: SpectrumRows | None = None, flags=None) -> None:
    """Write ``spectra.csv`` (one row per spectrum branch) and ``spectra_combined.csv`` (one row
    per spectrum, symmetrised) into ``out``, units in the column headers (T, uV, GHz, deg) and
    the widths' convention in a column ``linewidth_convention`` (:data:`LINEWIDTH_CONVENTION`,
    the half width at half maximum) before the last column ``flags``.

    Parameters
    ----------
    analysis : STFMRAnalysis or AngleAnalysis
        An analysis with its spectrum fits (``spectra``).
    out : Path
        The output folder; the files must not exist yet (:func:`sotfit.results.open_new`).
    rows : SpectrumRows, optional
        Rows made beforehand.
    flags : list of dict, optional
        The summary's flags (:func:`sotfit.flags.collect_flags`): each row gets its
        spectrum's in a last column ``flags`` (a field read 1000 times too small went into the
        tables unmarked, its flags in summary.json only).
    """
    import pandas as pd

    from ...results import open_new

    made = rows if rows is not None else SpectrumRows()
    per_spectrum = [made.branch_rows(s) for s in analysis.spectra]
    comb = [made.combined_row(s) for s in analysis.spectra]
    if flags is not None:
        said = spectrum_flags(flags, len(analysis.spectra))
        per_spectrum = [[{**row, "flags": text} for row in rows]
                        for rows, text in zip(per_spectrum, said)]
        comb = [{**row, "flags": text} for row, text in zip(comb, said)]
    branch = [row for rows in per_spectrum for row in rows]
    for name, data in (("spectra.csv", branch), ("spectra_combined.csv", comb)):
        with open_new(out / name) as fh:
            pd.DataFrame(data).to_csv(fh, index=False)
