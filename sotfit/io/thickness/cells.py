"""Cells of a thickness table as papers and lab notebooks write them: numbers, missing values
(empty, ``NaN``, ``-``, ``--``, ``n/a``), values written with their uncertainty in one cell
(``0.05478 +/- 0.00456``, ``0.05478 ± 0.00456``, ``0.05478(456)``), and the lines of text
under a table (a footnote) that are not part of it."""

from __future__ import annotations

import math
import re

__all__ = ["MISSING_MARKERS", "is_missing", "number", "with_uncertainty", "holds_number",
           "footer_count"]

#: What a cell holding no value may say (compared in lower case, blanks stripped); an empty
#: cell, and the cell a short row lacks, are missing too. En and em dashes as typeset tables
#: write them.
MISSING_MARKERS = ("", "nan", "+nan", "-nan", "-", "--", "---", "n/a", "na", "\u2013", "\u2014")

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_PLUS_MINUS_RE = re.compile(rf"^(?P<v>{_NUMBER})\s*(?:\+/-|\+-|\u00b1)\s*(?P<e>"
                            rf"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)$")
# 0.05478(456): the uncertainty in units of the last digit(s) written, an exponent after it
_CONCISE_RE = re.compile(r"^(?P<sign>[-+]?)(?P<int>\d*)(?:\.(?P<frac>\d*))?\((?P<d>\d+)\)"
                         r"(?:[eE](?P<exp>[-+]?\d+))?$")


def is_missing(cell) -> bool:
    """Whether ``cell`` (text, or None/NaN where a short row has no cell) holds no value.

    Parameters
    ----------
    cell : str, float or None
        One cell as the table reader gives it.

    Returns
    -------
    bool
        True for an empty cell and the markers of :data:`MISSING_MARKERS`.
    """
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return True
    return str(cell).strip().lower() in MISSING_MARKERS


def number(cell) -> float | None:
    """The number the text of one cell holds (``inf`` included: the caller refuses it by
    name), or None for a missing cell or text."""
    if is_missing(cell):
        return None
    s = str(cell).strip()
    if "_" in s:                 # float('1_000') reads digit groups no table means
        return None
    try:
        v = float(s)
    except ValueError:
        return None
    return None if math.isnan(v) else v


def with_uncertainty(cell) -> tuple[float, float] | None:
    """(value, uncertainty) of a cell written ``0.05478 +/- 0.00456``, ``0.05478 +- 0.00456``,
    ``0.05478 ± 0.00456`` or ``0.05478(456)`` (the uncertainty in units of the last digits
    written: 0.00456), in the unit of the column; None for any other cell (the text of one
    cell)."""
    if is_missing(cell):
        return None
    s = str(cell).strip()
    m = _PLUS_MINUS_RE.match(s)
    if m is not None:
        return float(m.group("v")), float(m.group("e"))
    m = _CONCISE_RE.match(s)
    if m is None or not (m.group("int") or m.group("frac")):
        return None
    exp = int(m.group("exp") or 0)
    digits = len(m.group("frac") or "")
    value = float(f"{m.group('sign')}{m.group('int') or '0'}.{m.group('frac') or '0'}e{exp}")
    return value, float(f"{m.group('d')}e{exp - digits}")


def holds_number(cell) -> bool:
    """Whether the text of one cell holds a number, alone or with its uncertainty (missing
    markers do not)."""
    return number(cell) is not None or with_uncertainty(cell) is not None


def footer_count(lines: list[str], delimiter: str | None) -> int:
    """How many of the last ``lines`` (the content lines under the column names, in order)
    are a footer (:func:`sotfit.io.text.footer_lines`: up to three lines at the end that hold
    no number in any cell, ``* values from ref. 12``, ``Note: ...``, after a line that holds
    one), a cell counting as a number when it holds a value or a value with its uncertainty.

    Parameters
    ----------
    lines : list of str
        The lines under the column header row that are neither blank nor comments.
    delimiter : str or None
        The table's delimiter; None: each line's own (tab, else semicolon, else comma, else
        blanks), as :mod:`sotfit.io.text` splits a footer.

    Returns
    -------
    int
        The number of footer lines (0 when the table has none).
    """
    from ..text import _detect_delimiter, _split, footer_lines

    def holds(line: str) -> bool:
        return any(holds_number(c) for c in _split(line, delimiter or _detect_delimiter(line)))

    return len(footer_lines(lines, reversed(range(len(lines))), holds))
