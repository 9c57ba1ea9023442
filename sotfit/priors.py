"""Prior distributions for :func:`sotfit.bayes.sample`: frozen :mod:`scipy.stats` distributions.

A prior is any frozen scipy.stats continuous distribution (it needs ``logpdf``,
``cdf`` and ``support``). The functions below name the common ones with the
arguments physicists use, and :func:`parse` reads them from text such as
``'uniform(0, 100)'`` for the command line.

Examples
--------
>>> from sotfit import priors
>>> priors.uniform(1, 100)            # flat on [1, 100]
>>> priors.normal(350.3, 5.0)         # mean, standard deviation
>>> priors.lognormal(25.0, 0.5)       # median, sigma of ln x
"""

from __future__ import annotations

import ast
import math
import re

__all__ = ["uniform", "normal", "lognormal", "loguniform", "halfnormal", "truncnormal",
           "parse", "describe", "PriorError"]


class PriorError(ValueError):
    """A prior that cannot be built or read."""


def _stats():
    """scipy.stats, imported on first use (it takes most of a second to import, and
    ``import sotfit`` should not pay for it unless a prior is built)."""
    from scipy import stats

    return stats


def _finite(name, **vals):
    for k, v in vals.items():
        if not (isinstance(v, (int, float)) and math.isfinite(v)):
            raise PriorError(f"{name}: {k} must be a finite number, got {v!r}")


def uniform(lo: float, hi: float):
    """Flat prior on ``[lo, hi]`` (``lo < hi``)."""
    _finite("uniform", lo=lo, hi=hi)
    if not lo < hi:
        raise PriorError(f"uniform({lo}, {hi}): need lo < hi")
    d = _stats().uniform(loc=lo, scale=hi - lo)
    d.sotfit_text = f"uniform({lo:g}, {hi:g})"
    return d


def normal(mu: float, sd: float):
    """Gaussian prior with mean ``mu`` and standard deviation ``sd > 0``."""
    _finite("normal", mu=mu, sd=sd)
    if sd <= 0:
        raise PriorError(f"normal({mu}, {sd}): sd must be > 0")
    d = _stats().norm(loc=mu, scale=sd)
    d.sotfit_text = f"normal({mu:g}, {sd:g})"
    return d


def lognormal(median: float, sigma: float):
    """Log-normal prior: ln x is normal with mean ln(median) and standard deviation ``sigma``."""
    _finite("lognormal", median=median, sigma=sigma)
    if median <= 0 or sigma <= 0:
        raise PriorError(f"lognormal({median}, {sigma}): median and sigma must be > 0")
    d = _stats().lognorm(s=sigma, scale=median)
    d.sotfit_text = f"lognormal({median:g}, {sigma:g})"
    return d


def loguniform(lo: float, hi: float):
    """Prior flat in ln x on ``[lo, hi]`` (scale-invariant; ``0 < lo < hi``)."""
    _finite("loguniform", lo=lo, hi=hi)
    if not 0 < lo < hi:
        raise PriorError(f"loguniform({lo}, {hi}): need 0 < lo < hi")
    d = _stats().loguniform(lo, hi)
    d.sotfit_text = f"loguniform({lo:g}, {hi:g})"
    return d


def halfnormal(sd: float):
    """Half-normal prior on x >= 0 with scale ``sd``."""
    _finite("halfnormal", sd=sd)
    if sd <= 0:
        raise PriorError(f"halfnormal({sd}): sd must be > 0")
    d = _stats().halfnorm(scale=sd)
    d.sotfit_text = f"halfnormal({sd:g})"
    return d


def truncnormal(mu: float, sd: float, lo: float, hi: float):
    """Gaussian ``(mu, sd)`` truncated to ``[lo, hi]``."""
    _finite("truncnormal", mu=mu, sd=sd, lo=lo, hi=hi)
    if sd <= 0 or not lo < hi:
        raise PriorError(f"truncnormal({mu}, {sd}, {lo}, {hi}): need sd > 0 and lo < hi")
    d = _stats().truncnorm((lo - mu) / sd, (hi - mu) / sd, loc=mu, scale=sd)
    d.sotfit_text = f"truncnormal({mu:g}, {sd:g}, {lo:g}, {hi:g})"
    return d


_MAKERS = {"uniform": uniform, "normal": normal, "gauss": normal, "gaussian": normal,
           "lognormal": lognormal, "loguniform": loguniform, "halfnormal": halfnormal,
           "truncnormal": truncnormal}

_CALL = re.compile(r"^\s*([A-Za-z_]\w*)\s*\((.*)\)\s*$")


def parse(text: str):
    """Read a prior from text, e.g. ``'uniform(0, 100)'``, ``'normal(3.7, 0.2)'``.

    Known names: uniform, normal (gauss), lognormal, loguniform, halfnormal, truncnormal.

    Raises
    ------
    PriorError
        If the name is unknown or the arguments are not numbers.
    """
    m = _CALL.match(str(text))
    if not m:
        raise PriorError(f"cannot read a prior from {text!r}; write e.g. 'uniform(0, 100)' or "
                         "'normal(3.7, 0.2)'")
    name, args = m.group(1).lower(), m.group(2)
    if name not in _MAKERS:
        raise PriorError(f"unknown prior {m.group(1)!r} in {text!r}; known: {sorted(_MAKERS)}")
    try:
        vals = ast.literal_eval(f"({args},)") if args.strip() else ()
        vals = tuple(float(v) for v in vals)
    except (ValueError, SyntaxError, TypeError):
        raise PriorError(f"prior {text!r}: arguments must be numbers") from None
    try:
        return _MAKERS[name](*vals)
    except TypeError as exc:
        raise PriorError(f"prior {text!r}: {exc}") from None


def describe(dist) -> str:
    """A short text for a prior (``'flat within bounds'`` for ``None``)."""
    if dist is None:
        return "flat within bounds"
    text = getattr(dist, "sotfit_text", None)
    if text:
        return text
    name = getattr(getattr(dist, "dist", None), "name", type(dist).__name__)
    return f"{name}{tuple(getattr(dist, 'args', ()))}{dict(getattr(dist, 'kwds', {}))}"
