"""Numbers written in file names and labels: ``p`` or a comma for the decimal point.

One rule for every reader (ST-FMR frequencies, powers and angles; harmonic Hall fields and
currents): ``0p25`` and ``0,25`` are 0.25, and a comma before exactly three digits after a
nonzero integer part (``12,000MHz``, ``H_1,000Oe``) is refused, since it may as well separate
thousands (12000 MHz) as decimals (12.000 MHz).
"""

from __future__ import annotations

from ..data import DataError

__all__ = ["name_number"]


def name_number(text: str, name: str, error: type[Exception] = DataError,
                option: str = "its option", plausible=None) -> float:
    """The number ``text`` found in the name or label ``name``.

    Parameters
    ----------
    text : str
        Digits with at most one decimal separator: ``.``, ``p``/``P`` or ``,``.
    name : str
        The file name or label it was found in (for the message).
    error : exception class
        Raised for a comma that may separate thousands.
    option : str
        The option that gives the value instead, for the message.
    plausible : callable, optional
        ``plausible(value)``: whether a reading can be the quantity; of the two readings of
        ``1,000`` the one plausible alone is taken (``8,000GHz``: 8000 GHz is no rf frequency).

    Returns
    -------
    float

    Raises
    ------
    error
        For ``1,000`` (a comma before three digits after a nonzero integer part): a decimal
        comma (1.000) or a thousands separator (1000); the message names ``name``.
    """
    if "," in text:
        whole, frac = text.split(",")
        if len(frac) == 3 and whole.strip("0"):
            readings = [float(f"{whole}.{frac}"), float(f"{whole}{frac}")]
            kept = [r for r in readings if plausible is not None and plausible(r)]
            if len(kept) == 1:
                return kept[0]
            raise error(f"{name}: the name writes {text!r}: the comma may be a "
                        f"decimal comma ({whole}.{frac}) or a thousands separator "
                        f"({whole}{frac}); give the value with {option}")
    return float(text.replace("p", ".").replace("P", ".").replace(",", "."))
