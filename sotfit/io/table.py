"""The content of one table file: :class:`Table` (what :func:`sotfit.io.read_table` returns)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Table", "ERROR_WORDS"]

#: Words of a column name that make it an uncertainty or a spread of a quantity, not one of its
#: own (``Field std (mT)`` beside ``Field (mT)``): such a column never competes for a role.
ERROR_WORDS = ("err", "std", "sigma", "unc", "dev", "noise", "spread")


def _blocks(columns) -> tuple | None:
    """Side-by-side column pairs ``((label, i, i + 1), ...)`` if every pair shares a label."""
    if columns is None or len(columns) < 2 or len(columns) % 2:
        return None
    labels = [c.strip() for c in columns]
    pairs = [(labels[i], i, i + 1) for i in range(0, len(labels), 2)]
    if all(a and a == labels[j] for a, _, j in pairs):
        return tuple(pairs)
    return None


@dataclass(frozen=True)
class Table:
    """The content of one delimited text file.

    Attributes
    ----------
    path : pathlib.Path
        The file that was read.
    header : dict[str, str]
        Header entries in file order, raw key -> raw value string (the first
        occurrence of a key wins).
    columns : tuple[str, ...] or None
        Column names from the column header row, or ``None`` if the file has
        none.
    data : numpy.ndarray
        Shape ``(n_rows, n_columns)``, float, NaN for empty/``nan`` cells.
    lines : numpy.ndarray
        1-based file line number of each data row.
    delimiter : str
        ``'\\t'``, ``','``, ``';'`` or ``'whitespace'``; ``'container'`` for the vectors of
        a MATLAB or NumPy file (:mod:`sotfit.io.containers`), whose ``lines`` count rows.
    header_lines : dict[str, int]
        1-based file line of each header entry.
    notes : tuple of str
        What the reader decided about the file that a user should know (numbers written
        with decimal commas read as decimals).
    sheet : str or None
        The sheet of a workbook of several sheets (:mod:`sotfit.io.containers`).
    column_comments : tuple of str or None
        Each column's comment from a comments row below a row of units (Origin's, which its
        legend shows: ``8 GHz``; :mod:`sotfit.io.unit_rows`), else None.
    remarks : tuple of str
        The preamble's comment lines as written (without their comment sign), and free text
        above the column names: they may say what the numbers are (``# signal amplified 100x
        by an SR560``, also after an entry: ``# Power = 15 dBm; preamp x100``).
    header_repeats : dict[str, tuple]
        Header keys written again with another value: key -> ((line, value), ...) of the later
        entries (the first is in ``header``). A quantity read from such a key is an error
        unless an option gives it (:func:`sotfit.io.stfmr.headers._file_level`).
    """

    path: Path
    header: dict = field(default_factory=dict)
    columns: tuple | None = None
    data: np.ndarray = None
    lines: np.ndarray = None
    delimiter: str = "whitespace"
    header_lines: dict = field(default_factory=dict)
    notes: tuple = ()
    sheet: str | None = None
    column_comments: tuple | None = None
    remarks: tuple = ()
    header_repeats: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The file name (without folders), used in messages and metadata; with the sheet of
        a workbook of several sheets, ``run.xlsx[10 GHz]``."""
        return self.path.name if self.sheet is None else f"{self.path.name}[{self.sheet}]"

    @property
    def n_columns(self) -> int:
        return int(self.data.shape[1])

    @property
    def blocks(self) -> tuple | None:
        """Side-by-side layout: ``((label, first, second), ...)``, else ``None``.

        A column header row made of consecutive pairs of columns that carry the
        same label (``2pf_1.0_GHz 2pf_1.0_GHz 2pf_2.0_GHz 2pf_2.0_GHz``), as
        LabVIEW and Origin export several x-y curves side by side.
        """
        return _blocks(self.columns)

    def column_label(self, index: int) -> str:
        """A readable name for column ``index``: its header or ``'column <index>'``."""
        if self.columns is not None:
            return f"{self.columns[index]!r} (column {index})"
        return f"column {index}"

    def where(self, key: str) -> str:
        """``'line N'`` of header entry ``key`` (``'the header'`` when unknown)."""
        line = self.header_lines.get(key)
        return f"line {line}" if line else "the header"
