"""Domain checks of single numbers: finite, positive, a fraction, below an absurd limit.

One function, :func:`check_number`, used by the library's input containers (for example
the ST-FMR and harmonic Hall ``Sample``) and, through :mod:`sotfit.cli.common`, by every
command-line option, so that an impossible value is refused with the same message
wherever it enters.
"""

from __future__ import annotations

import math

__all__ = ["LIMITS", "RF_POWER_RANGE", "absurd", "check_number", "check_fields", "check_names"]


#: Absurd limits of magnitudes: a value beyond them is a slip of unit, not a sample (or, for
#: the band models' energies, times and fields, far outside where a k.p model holds: bands of a
#: few eV, relaxation times of a clean 2DEG below a nanosecond, transport fields far below the
#: breakdown of 1 V/nm; Rashba constants and Dirac velocities hbar v of at most 0.7 eV nm, so
#: that one in eV Angstrom given bare, 3.8 for BiTeI's 0.38 eV nm, is refused).
LIMITS = {"length": "1m", "current": "10A", "field": "100T", "energy": "10eV", "time": "10ns",
          "electric_field": "1V/nm", "rashba": "2eVnm"}


#: The rf powers (dBm) of an ST-FMR measurement: a source gives -130 to +30 dBm, an amplifier a
#: few watts (+40 dBm); '--power 1000dBm' and a header's 1.5E+3 dBm were taken and written.
RF_POWER_RANGE = (-150.0, 50.0)


def absurd(dimension: str) -> dict:
    """Keyword arguments of :func:`check_number` for the absurd limit of ``dimension``.

    Parameters
    ----------
    dimension : str
        A key of :data:`LIMITS` (``'length'``, ``'current'``, ``'field'``, ``'energy'``,
        ``'time'``, ``'electric_field'``, ``'rashba'``).

    Returns
    -------
    dict
        ``{"maximum": limit in house units, "limit_text": limit as written}``.
    """
    from .units import quantity

    return {"maximum": quantity(LIMITS[dimension], dimension), "limit_text": LIMITS[dimension]}


def _domain_text(positive, nonnegative, nonzero, maximum, limit_text, unit) -> str:
    conds = []
    if positive:
        conds.append("> 0")
    elif nonnegative:
        conds.append(">= 0")
    elif nonzero:
        conds.append("other than 0")
    if maximum is not None:
        bound = limit_text or f"{maximum:g}{' ' + unit if unit else ''}"
        conds.append(f"at most {bound}" if positive or nonnegative else f"of size at most {bound}")
    return "a finite number" + (" " + " and ".join(conds) if conds else "")


def check_number(name: str, value, *, positive: bool = False, nonnegative: bool = False,
                 nonzero: bool = False, maximum: float | None = None, unit: str = "",
                 limit_text: str | None = None) -> float:
    """Return ``value`` as a float if it lies in the domain, else raise ValueError.

    Parameters
    ----------
    name : str
        What the value is (a parameter name, or an option's text); the message starts
        with it.
    value : float or uncertainties value
        The number (its nominal value is checked).
    positive, nonnegative, nonzero : bool
        Require ``value > 0``, ``value >= 0`` or ``value != 0``.
    maximum : float, optional
        Largest allowed magnitude ``|value|`` (an absurd limit such as 1 m for a film
        thickness), in the unit of ``value``.
    unit : str
        The unit of ``value`` and ``maximum``, for the message.
    limit_text : str, optional
        How to write ``maximum`` in the message (e.g. ``'1m'``).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``value`` is not a number, not finite, or outside the domain; the message
        names ``name`` and the domain.
    """
    try:
        v = float(getattr(value, "nominal_value", value))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    ok = math.isfinite(v)
    ok = ok and not (positive and v <= 0) and not (nonnegative and v < 0)
    ok = ok and not (nonzero and v == 0)
    ok = ok and (maximum is None or abs(v) <= maximum)
    if not ok:
        shown = f"{v:g}{' ' + unit if unit else ''}"
        text = _domain_text(positive, nonnegative, nonzero, maximum, limit_text, unit)
        raise ValueError(f"{name} must be {text}, got {shown}")
    return v


def check_fields(obj, domains: dict, units: dict | None = None) -> None:
    """Check the attributes of ``obj`` named in ``domains`` (``None`` values are skipped).

    Parameters
    ----------
    obj : object
        For example a frozen dataclass, from its ``__post_init__``.
    domains : dict
        Attribute name -> keyword arguments of :func:`check_number`
        (``{"t_fm": {"positive": True}}``).
    units : dict, optional
        Attribute name -> unit, for the messages.

    Raises
    ------
    ValueError
        Naming the first attribute outside its domain.
    """
    units = units or {}
    for name, kw in domains.items():
        value = getattr(obj, name)
        if value is not None:
            check_number(f"{type(obj).__name__}.{name}", value, unit=units.get(name, ""), **kw)


def check_names(what: str, names, valid) -> None:
    """Refuse parameter names that a model does not have.

    Parameters
    ----------
    what : str
        Where the names come from (``'--free'``, ``'fixed'``); the message starts with it.
    names : iterable of str
    valid : iterable of str
        The model's parameter names; the message lists them.

    Raises
    ------
    ValueError
        Naming ``what``, the unknown names and the valid ones.
    """
    valid = list(valid)
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise ValueError(f"{what}: unknown parameter(s) {', '.join(map(repr, unknown))}; "
                         f"valid: {', '.join(valid)}")
