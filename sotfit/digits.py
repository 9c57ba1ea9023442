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
    or 0 when more than 12 would be needed or fewer than ``min_values`` values are non-zero:
    :func:`significant_digits_rows` of the values as one row.

    Parameters
    ----------
    v : array_like
        The values (any unit).
    min_values : int
        Fewest non-zero values to judge from.
    """
    v = np.asarray(v, float).ravel()
    return int(significant_digits_rows(v[None, :], WRITTEN_FRACTION, min_values)[0])


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
    """The fewest significant digits of each row of a 2-D array (:func:`significant_digits`
    of every row at once: one bisection over the number of digits for all rows, not a search
    per row), the share of a row's values that must lie on the grid being ``fraction``.

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
    n_known = np.count_nonzero(known, axis=1)
    every = bool(np.all(n_known == v.shape[1]))
    safe = v if every else np.where(known, v, 1.0)
    exponent = np.floor(np.log10(safe))
    need = fraction * n_known

    def written_with(digits):           # digits: one number of digits per row
        on = _on_grid(safe, exponent, np.reshape(digits, (-1, 1)))
        return np.count_nonzero(on if every else on & known, axis=1) >= need

    written = written_with(12) & (n_known >= min_values)
    if not written.any():
        return np.zeros(len(v), int)
    lo, hi = np.where(written, 1, 12), np.full(len(v), 12)
    for _ in range(4):                  # bisection of 1..12: a value written with d is with d + 1
        mid = (lo + hi) // 2
        passes = written_with(mid)
        hi, lo = np.where(passes, mid, hi), np.where(passes, lo, np.minimum(mid + 1, hi))
    return np.where(written, lo, 0)
