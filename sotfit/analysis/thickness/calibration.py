"""Calibration factors of methods fitted together (docs/thickness.md, "One posterior per stack").

When series of one interface are measured by two or more methods (ST-FMR and harmonic Hall),
each method's efficiencies carry a dimensionless calibration factor (measured / true); one
method is the reference (factor 1) unless every factor has a prior.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np

from ...data import Dataset
from ...models.spec import ModelSpec, Param

__all__ = ["CALIBRATION_BOUNDS", "calibrated", "calibration_plan", "calibration_note",
           "calibration_pseudo_data", "describe_prior"]

#: Range of a calibration factor (measured efficiency / true efficiency, dimensionless).
CALIBRATION_BOUNDS = (0.1, 10.0)


def calibration_plan(series, calibration_priors: Mapping | None) -> dict:
    """The calibration factor of every method when the series hold two or more methods.

    Parameters
    ----------
    series : sequence of ThicknessSeries
        ``meta["method"]`` names each series' method (``"stfmr"``, ``"hall"``).
    calibration_priors : mapping, optional
        ``{method: prior}`` (text or a frozen scipy.stats distribution).

    Returns
    -------
    dict
        ``{method: {"name": "calibration_<method>", "state": "reference" | "free" |
        "prior", "prior": distribution or None}}``; empty for one method. Without priors the
        first method (ST-FMR if present) is the reference; with priors, the methods without
        one are.

    Raises
    ------
    ValueError
        Priors without two methods, or for a method not among the inputs.
    """
    from ... import priors as _priors

    methods = list(dict.fromkeys(s.meta.get("method") for s in series if s.meta.get("method")))
    cal_priors = dict(calibration_priors or {})
    calibrate = len(methods) > 1
    if cal_priors and not calibrate:
        raise ValueError("calibration priors need efficiencies of two or more methods (e.g. "
                         "ST-FMR and harmonic Hall summary.json files of one stack); the "
                         f"inputs hold {methods or 'no method'}")
    unknown = [m for m in cal_priors if m not in methods]
    if unknown:
        raise ValueError(f"calibration prior for {', '.join(map(repr, unknown))}, which is not "
                         f"among the methods of the inputs ({', '.join(methods)})")
    calibration = {}
    if not calibrate:
        return calibration
    if cal_priors:
        refs = [m for m in methods if m not in cal_priors]
    else:
        refs = ["stfmr"] if "stfmr" in methods else [methods[0]]
    for m in methods:
        prior = cal_priors.get(m)
        if prior is not None and isinstance(prior, str):
            prior = _priors.parse(prior)
        calibration[m] = {"name": f"calibration_{m}",
                          "state": "reference" if m in refs else
                          ("prior" if prior is not None else "free"),
                          "prior": prior}
    return calibration


def calibration_note(calibration: dict) -> str:
    """The note that says how the methods' calibration factors are fitted."""
    refs = [m for m, c in calibration.items() if c["state"] == "reference"]
    return ("methods fitted together: "
            + ", ".join(f"{m} ({_role(c)})" for m, c in calibration.items())
            + ("" if refs else "; every factor has a prior, so their common scale and sigma_s "
               "are separated by the priors alone"))


def _role(cal: dict) -> str:
    """How one method's calibration factor enters the fit, in words."""
    if cal["state"] == "reference":
        return "reference, calibration factor 1"
    if cal["state"] == "prior":
        return "calibration prior " + describe_prior(cal["prior"])
    return "calibration factor free, flat prior on [%g, %g]" % CALIBRATION_BOUNDS


class _Calibrated:
    """``factor * func(x, ...)``: a model's values times a calibration factor (picklable)."""

    def __init__(self, func, name):
        self.func, self.name = func, name

    def __call__(self, x, **kwargs):
        factor = kwargs.pop(self.name)
        return factor * self.func(x, **kwargs)


def calibrated(model: ModelSpec, method: str) -> ModelSpec:
    """``model`` with an extra dimensionless parameter ``calibration_<method>`` multiplying it.

    The measured efficiency of a method is its calibration factor times the true one (an
    rf or Hall current off by a factor c gives efficiencies off by 1/c; the factor is the
    ratio measured/true). Bounds :data:`CALIBRATION_BOUNDS`.
    """
    name = f"calibration_{method}"
    par = Param(name, "", 1.0, CALIBRATION_BOUNDS,
                f"calibration factor of the {method} efficiencies (measured / true)")
    return dataclasses.replace(model, name=f"{model.name}*{name}",
                               func=_Calibrated(model.func, name),
                               params=tuple(model.params) + (par,),
                               linear=tuple(model.linear) + (name,))


class _LogParam:
    """ln(parameter) at every x (the model of a log-normal pseudo-observation)."""

    def __init__(self, name):
        self.name = name

    def __call__(self, x, **kwargs):
        return np.log(kwargs[self.name]) * np.ones_like(np.asarray(x, float))


def calibration_pseudo_data(method, cal):
    """A prior on a calibration factor as one observation of its logarithm (least squares).

    ln c is observed as ln(median) with the standard error half the width of the prior's
    16-84 % interval in ln c: exact for a log-normal prior, the Gaussian approximation of
    any other. The sampler uses the prior itself.
    """
    d = cal["prior"]
    p16, p50, p84 = (float(v) for v in d.ppf([0.16, 0.5, 0.84]))
    if not p16 > 0:
        raise ValueError(f"calibration prior of {method} ({describe_prior(d)}) gives "
                         "non-positive factors; a calibration factor is > 0 (use e.g. "
                         "lognormal(1, 0.1): median 1, 10 % in ln)")
    name = cal["name"]
    data = Dataset(np.array([0.0]), np.array([math.log(p50)]),
                   np.array([0.5 * (math.log(p84) - math.log(p16))]), x_name="none",
                   y_name=f"ln {name}", x_unit="", y_unit="",
                   meta={"source": f"calibration prior of {method}"})
    model = ModelSpec(name=f"prior_{name}", func=_LogParam(name),
                      params=(Param(name, "", 1.0, CALIBRATION_BOUNDS, "calibration factor"),),
                      x_name="none", x_unit="", y_name=f"ln {name}", y_unit="",
                      doc="log-normal pseudo-observation of a calibration prior")
    return data, model


def describe_prior(d) -> str:
    """Text of a prior (:func:`sotfit.priors.describe`)."""
    from ...priors import describe

    return describe(d)
