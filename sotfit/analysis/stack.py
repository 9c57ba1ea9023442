"""One stack, several methods: ST-FMR and harmonic Hall thickness series fitted as one problem.

The efficiencies of one stack measured by ST-FMR (``sotfit stfmr`` summary.json files, one
per thickness) and by harmonic Hall (``sotfit hall`` summary.json files) describe the same
interface and the same spin source, so the spin-transport parameters (sigma_s, lambda_s and
the interface's G or microscopic parameters) are shared. What differs between the methods is
the calibration of the current that turns a torque field into an efficiency (the rf current
of ST-FMR, the Hall bar current): an error by a factor c in a method's current scales all of
its efficiencies by 1/c. Each method therefore carries a calibration factor (measured
efficiency = factor x true efficiency, :func:`sotfit.analysis.thickness.calibrated`), with a
prior the user states (``--calibration-prior hall=lognormal(1, 0.05)``); one method without a
prior is the reference (factor 1).

:func:`read_stack` groups summary files by the method that wrote them;
:func:`method_agreement` reports how far the methods agree: the reduced chi-square of each
method's data in the joint fit, and the calibration ratio the data alone give (a fit
without the calibration priors) against the stated prior, in standard deviations.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..io.thickness import ThicknessError, ThicknessSeries, from_summaries

__all__ = ["summary_method", "read_stack", "method_agreement", "HALL_METHODS"]

#: ``method`` values that ``sotfit hall`` writes into its summary.json.
HALL_METHODS = ("avci", "hayashi", "angular", "macrospin", "macrospin-mcmc", "oop")


def summary_method(summary: Mapping) -> str | None:
    """The measurement method of a summary.json: ``"stfmr"``, ``"hall"`` or ``None``.

    ``sotfit stfmr`` writes ``"analysis": "stfmr"``; ``sotfit hall`` writes ``"method"``
    (one of :data:`HALL_METHODS`, possibly followed by words) with its ``quantities``.
    """
    analysis = str(summary.get("analysis", ""))
    if analysis.startswith("stfmr"):
        return "stfmr"
    method = str(summary.get("method", "")).split(" ")[0]
    if "quantities" in summary and (method in HALL_METHODS or "conventions" in summary):
        return "hall"
    return None


def read_stack(paths: Sequence, *, thickness: Sequence | None = None,
               resistivity: float | None = None, section: str | None = None,
               label: str = "") -> list[ThicknessSeries]:
    """Thickness series of one stack, one per method, from summary.json files.

    Parameters
    ----------
    paths : sequence of path
        ``sotfit stfmr`` and/or ``sotfit hall`` summary.json files, one per thickness and
        method, in any order.
    thickness : sequence, optional
        Thicknesses (numbers in nm or strings with units) in the order of ``paths``; default
        each summary's sample ``t_nm`` (``sotfit hall`` summaries hold none).
    resistivity, section
        As :func:`sotfit.io.thickness.from_summaries`.
    label : str
        The stack (interface) label shared by the series.

    Returns
    -------
    list of ThicknessSeries
        One per method, in order of first appearance, each with ``meta["method"]`` and the
        same label, so :func:`sotfit.analysis.thickness.build_problem` makes them one
        interface with a calibration factor per method.

    Raises
    ------
    ThicknessError
        A file that is not a sotfit summary of a known method (named), or thicknesses that
        do not match the files.
    """
    paths = [Path(p) for p in paths]
    if thickness is not None and len(thickness) != len(paths):
        raise ThicknessError(f"{len(thickness)} thicknesses for {len(paths)} summary files")
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(paths):
        try:
            summary = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ThicknessError(f"{p}: not a readable sotfit summary ({exc})") from None
        method = summary_method(summary) if isinstance(summary, Mapping) else None
        if method is None:
            raise ThicknessError(f"{p}: cannot tell which method wrote this summary (neither "
                                 "'analysis': 'stfmr' nor a harmonic Hall 'method' with "
                                 "'quantities'); give the files of one method only")
        groups.setdefault(method, []).append(i)
    out = []
    for method, idx in groups.items():
        th = None if thickness is None else {str(paths[i]): thickness[i] for i in idx}
        s = from_summaries([paths[i] for i in idx], thickness=th, resistivity=resistivity,
                           section=section, label=label or "stack")
        out.append(ThicknessSeries(s.dl, s.fl, s.resistivity, s.label,
                                   {**dict(s.meta), "method": method}))
    return out


def _chi2_by_method(problem, lsq) -> dict:
    """Per method: chi-square of its data in the joint fit, points, chi-square per point and
    the p-value of chi^2(N)."""
    from scipy import stats

    from .thickness import data_chisqr

    out = {}
    for m in problem.calibration:
        idx = [i for i, d in enumerate(problem.datasets) if d.meta.get("method") == m]
        chi2 = data_chisqr(problem, lsq, idx)
        n = int(sum(len(problem.datasets[i]) for i in idx))
        out[m] = {"chisqr": chi2, "ndata": n, "chisqr_per_point": chi2 / n if n else math.nan,
                  "p_value": float(stats.chi2.sf(chi2, n)) if n else math.nan}
    return out


def method_agreement(problem, lsq, summary: dict | None = None) -> dict:
    """How far the methods of a joint fit agree (JSON-ready), with flags where they do not.

    * ``chi_square``: per method, the chi-square of its data in the joint least-squares fit,
      the number of points, chi-square per point and the p-value of chi^2(N) (a method whose
      thickness dependence the shared model cannot follow has a small p-value; the shared
      parameters use N - k degrees of freedom in all, so the p-values are slightly high).
    * ``calibration_from_data``: each method's factor over the reference's from a fit
      without the calibration priors (the data alone), and, for a method with a prior, its
      distance from the prior median in standard deviations,
      ``z = |ln r - ln m| / sqrt((s_r / r)^2 + s^2)`` with ``s`` the prior's half 16-84 %
      width in ln (the log-normal sigma).
    * ``verdict``: plain words. A z above :data:`sotfit.flags.SIGMA_LIMIT` flags the
      calibration factor in ``summary`` (the methods disagree beyond the stated
      calibration); a p-value below 0.0027 (3 sigma) flags it too.

    Parameters
    ----------
    problem : ThicknessProblem
        With two or more methods (``problem.calibration``).
    lsq : FitResult
        The joint least-squares fit.
    summary : dict, optional
        The summary of :func:`sotfit.analysis.thickness.summary_dict`, whose
        ``calibration`` entries get the flags.

    Returns
    -------
    dict
    """
    from ..flags import add_flag

    out = {"chi_square": _chi2_by_method(problem, lsq)}
    ref = next((m for m, c in problem.calibration.items() if c["state"] == "reference"), None)
    words = []
    if ref is None:
        out["calibration_from_data"] = None
        words.append("every method has a calibration prior (no reference): the data give only "
                     "the ratios of the factors; see the posterior ratios")
    else:
        out["calibration_from_data"] = _calibration_from_data(problem, ref, summary, words)
    for m, c in out["chi_square"].items():
        if math.isfinite(c["p_value"]) and c["p_value"] < 0.0027:
            words.append(f"the {m} data do not follow the shared model (chi-square "
                         f"{c['chisqr']:.1f} for {c['ndata']} points, p = {c['p_value']:.2g})")
            if summary is not None and m in summary.get("calibration", {}):
                add_flag(summary["calibration"][m],
                         f"the {m} data do not follow the shared spin-transport model "
                         f"(chi-square {c['chisqr']:.1f} for {c['ndata']} points, "
                         f"p = {c['p_value']:.2g})")
    out["verdict"] = "; ".join(words) if words else "no disagreement found"
    return out


def _calibration_from_data(problem, ref: str, summary, words: list) -> dict:
    """Each method's factor over the reference's from a fit of the data alone (every factor
    but the reference's free, no pseudo-observations), compared with its prior; ``words``
    gets the verdicts. ``{"error": message}`` when that fit fails."""
    import dataclasses

    from .thickness import fit_thickness

    fixed = {k: v for k, v in problem.fixed.items()}
    cal = {m: {**c, "state": "reference" if m == ref else "free", "prior": None}
           for m, c in problem.calibration.items()}
    free_pr = dataclasses.replace(problem, calibration=cal, prior_data=(), fixed={
        k: v for k, v in fixed.items()
        if not (k.startswith("calibration_") and k != problem.calibration[ref]["name"])})
    try:
        data_fit = fit_thickness(free_pr, profile=False)
    except Exception as exc:  # noqa: BLE001 - a failed side fit is reported, not fatal
        return {"error": str(exc)}
    res = {}
    for m, c in problem.calibration.items():
        if m != ref:
            res[m] = _factor_entry(m, c, data_fit, ref, summary, words)
    return res


def _factor_entry(m: str, c: dict, data_fit, ref: str, summary, words: list) -> dict:
    """The factor of method ``m`` over the reference's from the data alone (dimensionless),
    its distance z from the prior median, and the words (and flag) that say whether the
    methods agree."""
    from ..flags import SIGMA_LIMIT, add_flag
    from .thickness import CALIBRATION_BOUNDS

    r, s = data_fit.value(c["name"]), data_fit.stderr(c["name"])
    e = {"value": r, "stderr": s if math.isfinite(s) else None, "unit": "", "over": ref}
    lo, hi = CALIBRATION_BOUNDS
    if np.isclose(r, lo) or np.isclose(r, hi):
        e["note"] = f"at the bound of the calibration range {CALIBRATION_BOUNDS}"
    prior = c["prior"]
    if prior is not None and math.isfinite(s) and s > 0 and r > 0:
        p16, p50, p84 = (float(v) for v in prior.ppf([0.16, 0.5, 0.84]))
        sp = 0.5 * (math.log(p84) - math.log(p16))
        z = abs(math.log(r) - math.log(p50)) / math.hypot(s / r, sp)
        e["prior_median"] = p50
        e["z"] = z
        if z > SIGMA_LIMIT:
            words.append(f"{m} and {ref} disagree: the data alone put the {m} "
                         f"factor at {r:.3g} +/- {s:.2g} of the {ref} one, {z:.1f} "
                         f"standard deviations from the prior median {p50:.3g}; "
                         "the calibration (or the model) is off beyond what was "
                         "stated")
            if summary is not None and m in summary.get("calibration", {}):
                add_flag(summary["calibration"][m],
                         f"the data alone give {r:.3g} +/- {s:.2g}, {z:.1f} sigma "
                         f"from the prior median {p50:.3g}: {m} and {ref} disagree "
                         "beyond the stated calibration uncertainty")
        else:
            words.append(f"{m} and {ref} agree within the stated calibration: the "
                         f"data alone give a factor {r:.3g} +/- {s:.2g}, {z:.1f} "
                         f"standard deviations from the prior median {p50:.3g}")
    elif math.isfinite(s) and s > 0:
        words.append(f"the data alone give the {m} factor {r:.3g} +/- {s:.2g} of "
                     f"the {ref} one ({abs(r - 1) / s:.1f} standard deviations "
                     "from 1); no calibration prior was stated to compare with")
    return e
