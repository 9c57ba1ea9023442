"""Rows of a table written twice: a block of rows pasted again below itself, or a whole
measurement saved twice into one file. Either counts the same points twice, which leaves a
fitted value as it was but shrinks its standard error by up to 1/sqrt(2) and makes a misfit
look like the model's; the readers refuse it, naming the file, the number of repeated rows and
the option that keeps one of each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["RepeatedRows", "repeated_rows"]


@dataclass(frozen=True)
class RepeatedRows:
    """The rows of a table that repeat an earlier one exactly.

    Attributes
    ----------
    repeats : ndarray of int
        Positions (0-based, in the order given) of the rows equal in every cell to an earlier
        row; the earlier one is kept.
    second_half : bool
        Whether the table's second half is its first again, row for row (a file saved twice
        into itself).
    """

    repeats: np.ndarray
    second_half: bool

    def __bool__(self) -> bool:
        return bool(self.repeats.size)

    def describe(self, n_rows: int) -> str:
        """What is repeated, for a message: '40 of 80 rows repeat an earlier row exactly (its
        second half is its first again)'."""
        half = " (its second half is its first again)" if self.second_half else ""
        return (f"{self.repeats.size} of {n_rows} rows repeat an earlier row exactly{half}")


def repeated_rows(table) -> RepeatedRows:
    """The rows of ``table`` equal in every cell to an earlier row.

    Cells are compared as they are (numbers as numbers, words as words; two empty cells are
    equal), so that only an exact copy counts: two readings of a real measurement agree in
    every column only when they were written twice.

    Parameters
    ----------
    table : pandas.DataFrame
        The rows and columns to compare (the columns a reader uses, the rows of one block).

    Returns
    -------
    RepeatedRows
        Empty (false) when no row repeats.
    """
    dup = table.duplicated(keep="first").to_numpy()
    n = len(table)
    second_half = False
    if n >= 2 and n % 2 == 0 and dup[n // 2:].all():
        first, second = (part.reset_index(drop=True)
                         for part in (table.iloc[: n // 2], table.iloc[n // 2:]))
        second_half = bool(first.equals(second))
    return RepeatedRows(np.flatnonzero(dup), second_half)
