"""How many digits numbers were written with: the grid that values written with a fixed number
of significant digits lie on (the ST-FMR rounding gate, :mod:`sotfit.analysis.stfmr.branches`;
the thickness reader's repeated rows, :mod:`sotfit.io.thickness.table`)."""

from __future__ import annotations

import numpy as np

__all__ = ["decimal_step", "significant_digits", "significant_digits_rows", "written_step"]


#: Share of the values that must lie on the grid of a number of digits for them to be written
#: with it.
WRITTEN_FRACTION = 0.99


def _on_grid(v, exponent, digits: int):
    """Whether each value ``v`` (> 0; ``exponent`` its decimal exponent) lies on the grid of
    ``digits`` significant digits, to the rounding of a unit conversion (1e-3 of the last
    digit)."""
    r = v / 10.0 ** (exponent - digits + 1)
    return np.abs(r - np.round(r)) <= 1e-3 + 1e-14 * r


def significant_digits(v, min_values: int = 8) -> int:
    """The fewest significant decimal digits with which at least 99 % of the (non-zero)
    values are written exactly (to the rounding of a unit conversion, 1e-3 of the last digit),
    or 0 when more than 12 would be needed or fewer than ``min_values`` values are non-zero.

    Parameters
    ----------
    v : array_like
        The values (any unit).
    min_values : int
        Fewest non-zero values to judge from.
    """
    v = np.asarray(v, float)
    v = np.abs(v[np.isfinite(v) & (v != 0)])
    if v.size < min_values:
        return 0
    exponent = np.floor(np.log10(v))

    def written_with(digits: int) -> bool:
        return np.mean(_on_grid(v, exponent, digits)) >= WRITTEN_FRACTION

    lo, hi = 1, 12
    if not written_with(hi):
        return 0
    while lo < hi:                      # the fewest digits: a value written with d is with d + 1
        mid = (lo + hi) // 2
        if written_with(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def written_step(v, at=None, min_values: int = 8) -> float:
    """The step of the decimal grid that values written with :func:`significant_digits`
    digits lie on at the size of ``at`` (default: the largest |value|, the coarsest step), in
    the values' unit; 0 when no number of digits is found.

    Parameters
    ----------
    v : array_like
        The values.
    at : array_like, optional
        The values where the step is taken (their largest |value|).
    min_values : int
        As :func:`significant_digits`.
    """
    digits = significant_digits(v, min_values)
    w = np.abs(np.asarray(v if at is None else at, float))
    w = w[np.isfinite(w)]
    if not digits or not w.size or np.max(w) <= 0:
        return 0.0
    return float(decimal_step(float(np.max(w)), digits))


def decimal_step(top, digits):
    """The step of the last digit of numbers written with ``digits`` significant digits whose
    largest magnitude is ``top`` (> 0): 10^(floor(log10 top) - digits + 1); arrays alike."""
    return 10.0 ** (np.floor(np.log10(top)) - digits + 1)


def significant_digits_rows(v, fraction: float = WRITTEN_FRACTION,
                            min_values: int = 8) -> np.ndarray:
    """:func:`significant_digits` of each row of a 2-D array at once (many short samples of
    columns: a few vector operations for all of them, not a search per row), the share of a
    row's values that must lie on the grid being ``fraction``.

    Parameters
    ----------
    v : array_like, shape (m, k)
        The values (any unit), one sample per row.
    fraction : float
        Share of a row's non-zero values on the grid (a lower share tells coarser grids).
    min_values : int
        Fewest non-zero values of a row to judge from (fewer: 0 for the row).

    Returns
    -------
    ndarray of int, shape (m,)
        The fewest digits of each row, 0 where more than 12 would be needed.
    """
    v = np.abs(np.asarray(v, float))
    known = np.isfinite(v) & (v != 0)
    safe = np.where(known, v, 1.0)
    exponent = np.floor(np.log10(safe))
    need = fraction * known.sum(axis=1)
    out = np.zeros(len(v), int)
    for digits in range(12, 0, -1):            # the last that passes is the fewest
        passes = (_on_grid(safe, exponent, digits) & known).sum(axis=1) >= need
        out = np.where(passes & ((out > 0) | (digits == 12)), digits, out)
    out[known.sum(axis=1) < min_values] = 0
    return out
