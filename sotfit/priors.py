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
           "parse", "describe", "PriorError", "WITH_UNIT"]


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


def _prior(name, ok, need, make, **args):
    """Check the arguments of a prior, build its frozen distribution and label it.

    Parameters
    ----------
    name : str
        Name of the prior as :func:`parse` reads it.
    ok : callable
        ``ok(*values) -> bool``: whether the (finite) arguments are allowed.
    need : str
        What ``ok`` requires, for the error message.
    make : callable
        ``make(scipy.stats, *values)`` -> the frozen distribution.
    **args
        The arguments by name, in the order of the prior's signature (units of the parameter).

    Returns
    -------
    scipy.stats frozen distribution
        With ``sotfit_text``, the prior as text (``'uniform(1, 100)'``).

    Raises
    ------
    PriorError
        A value that is not a finite number or that ``ok`` refuses.
    """
    _finite(name, **args)
    values = tuple(args.values())
    if not ok(*values):
        raise PriorError(f"{name}({', '.join(map(str, values))}): {need}")
    d = make(_stats(), *values)
    d.sotfit_text = f"{name}({', '.join(format(v, 'g') for v in values)})"
    return d


def uniform(lo: float, hi: float):
    """Flat prior on ``[lo, hi]`` (``lo < hi``)."""
    return _prior("uniform", lambda lo, hi: lo < hi, "need lo < hi",
                  lambda st, lo, hi: st.uniform(loc=lo, scale=hi - lo), lo=lo, hi=hi)


def normal(mu: float, sd: float):
    """Gaussian prior with mean ``mu`` and standard deviation ``sd > 0``."""
    return _prior("normal", lambda mu, sd: sd > 0, "sd must be > 0",
                  lambda st, mu, sd: st.norm(loc=mu, scale=sd), mu=mu, sd=sd)


def lognormal(median: float, sigma: float):
    """Log-normal prior: ln x is normal with mean ln(median) and standard deviation ``sigma``."""
    return _prior("lognormal", lambda median, sigma: median > 0 and sigma > 0,
                  "median and sigma must be > 0",
                  lambda st, median, sigma: st.lognorm(s=sigma, scale=median),
                  median=median, sigma=sigma)


def loguniform(lo: float, hi: float):
    """Prior flat in ln x on ``[lo, hi]`` (scale-invariant; ``0 < lo < hi``)."""
    return _prior("loguniform", lambda lo, hi: 0 < lo < hi, "need 0 < lo < hi",
                  lambda st, lo, hi: st.loguniform(lo, hi), lo=lo, hi=hi)


def halfnormal(sd: float):
    """Half-normal prior on x >= 0 with scale ``sd``."""
    return _prior("halfnormal", lambda sd: sd > 0, "sd must be > 0",
                  lambda st, sd: st.halfnorm(scale=sd), sd=sd)


def truncnormal(mu: float, sd: float, lo: float, hi: float):
    """Gaussian ``(mu, sd)`` truncated to ``[lo, hi]``."""
    return _prior("truncnormal", lambda mu, sd, lo, hi: sd > 0 and lo < hi,
                  "need sd > 0 and lo < hi",
                  lambda st, mu, sd, lo, hi: st.truncnorm((lo - mu) / sd, (hi - mu) / sd,
                                                          loc=mu, scale=sd),
                  mu=mu, sd=sd, lo=lo, hi=hi)


_MAKERS = {"uniform": uniform, "normal": normal, "gauss": normal, "gaussian": normal,
           "lognormal": lognormal, "loguniform": loguniform, "halfnormal": halfnormal,
           "truncnormal": truncnormal}

_CALL = re.compile(r"^\s*([A-Za-z_]\w*)\s*\((.*)\)\s*$")

#: The arguments of each prior that carry the unit of the parameter (False: a pure number,
#: the sigma of ln x of a log-normal).
WITH_UNIT = {"uniform": (True, True), "normal": (True, True), "gauss": (True, True),
             "gaussian": (True, True), "lognormal": (True, False),
             "loguniform": (True, True), "halfnormal": (True,),
             "truncnormal": (True, True, True, True)}


def parse(text: str, to_number=None):
    """Read a prior from text, e.g. ``'uniform(0, 100)'``, ``'normal(3.7, 0.2)'``.

    Known names: uniform, normal (gauss), lognormal, loguniform, halfnormal, truncnormal.

    Parameters
    ----------
    text : str
        The prior; its arguments are numbers in the unit of the parameter.
    to_number : callable, optional
        ``to_number(argument_text) -> float``: reads an argument written with a unit
        (``'uniform(1nm, 50nm)'``) into the parameter's unit; only the arguments that carry
        the parameter's unit (:data:`WITH_UNIT`: not the sigma of ln x of ``lognormal``)
        may have one. Without it every argument must be a bare number.

    Raises
    ------
    PriorError
        If the name is unknown or the arguments are not numbers (or what ``to_number``
        raises as ValueError).
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
        if to_number is None:
            raise PriorError(f"prior {text!r}: arguments must be numbers") from None
        vals = _with_units(text, name, args, to_number)
    try:
        return _MAKERS[name](*vals)
    except TypeError as exc:
        raise PriorError(f"prior {text!r}: {exc}") from None


def _with_units(text: str, name: str, args: str, to_number) -> tuple:
    """The arguments of a prior some of which carry a unit, as numbers (:func:`parse`)."""
    out = []
    for i, a in enumerate(x.strip() for x in args.split(",")):
        try:
            out.append(float(a))
            continue
        except ValueError:
            pass
        if i >= len(WITH_UNIT[name]):
            raise PriorError(f"prior {text!r}: {name} takes {len(WITH_UNIT[name])} "
                             "argument(s)")
        if not WITH_UNIT[name][i]:
            raise PriorError(f"prior {text!r}: argument {i + 1} of {name} ({a!r}) is a pure "
                             "number (the sigma of ln x), without a unit")
        try:
            out.append(float(to_number(a)))
        except ValueError as exc:
            raise PriorError(f"prior {text!r}: {exc}") from None
    return tuple(out)


def describe(dist) -> str:
    """A short text for a prior (``'flat within bounds'`` for ``None``)."""
    if dist is None:
        return "flat within bounds"
    text = getattr(dist, "sotfit_text", None)
    if text:
        return text
    name = getattr(getattr(dist, "dist", None), "name", type(dist).__name__)
    return f"{name}{tuple(getattr(dist, 'args', ()))}{dict(getattr(dist, 'kwds', {}))}"
