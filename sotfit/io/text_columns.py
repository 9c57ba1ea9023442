"""Columns of text in a table of numbers (a time stamp ``2026-12-04 10:31:07``, a status ``OK``),
as logging programs write them beside the measured values: left out, with a note naming them.

A table whose every row holds such a cell has no row of numbers only, and the text reader
(:mod:`sotfit.io.text`) would find no data. :func:`without_text_columns` takes the rows at the
end of the file that split into as many cells as its last row (tab-, semicolon- or
comma-separated), finds the columns that hold no number in any of them, and writes the rows
without those columns; the row of column names just above the data loses the same cells. Each
line keeps its place, so line numbers in messages are those of the file. A column that holds a
number in any row is kept (a cell of text in it is then an error naming its line). The file
itself is never modified.
"""

from __future__ import annotations

import re

from . import text as _text
from .decimal_commas import _with_points

__all__ = ["with_units_from_cells", "without_text_columns"]

#: What a cell of a column of text holds: a letter, a time (':') or a date ('/', 2026-12-04,
#: 2026.12.04, or day, month and year between points or hyphens, 04.12.2026, 04-12-2026, as a
#: European log writes its date column: such a column alone beside the numbers was "no numeric
#: data rows found").
_TEXT_RE = re.compile(r"[^\W\d_]|[:/]|\d{4}([-.])\d\d\1\d\d"
                      r"|(?<![\d.])\d{1,2}([-.])\d{1,2}\2(?:\d{4}|\d\d)(?![\d.])")
#: Data rows needed below the column names before columns of text are left out.
_MIN_ROWS = 2


def _number(cell: str, delimiter: str) -> bool:
    """Whether ``cell`` is a number (not empty, not text), also written with a decimal comma
    (``1,5``, ``1.934,5``) where the comma is not the delimiter."""
    c = _text._unquote(cell.strip())
    if not c:
        return False
    return _text.parse_number(c if delimiter == "," else _with_points(c)) is not None


def _cells(line: str, delimiter: str, trailing: bool) -> list[str]:
    """The cells of ``line`` (with ``trailing``, a delimiter at its end ends no cell)."""
    cells = _text._split(line, delimiter)
    return cells[:-1] if trailing and len(cells) > 1 and cells[-1] == "" else cells


def _table_block(lines: list[str]):
    """The table at the end of ``lines`` as :func:`without_text_columns` finds it: (delimiter,
    trailing, n, block, numbers, first, header), or None for a blank-separated file or none.

    ``block`` holds (line index, cells) of the rows of ``n`` cells at the end of the file (the
    column names among them), ``numbers`` whether each cell is a number, ``first`` the index
    into ``block`` of the first row with a number in every column that holds one in any row
    (None if there is none), ``header`` that of the row of names above it (None if none).
    A footer below the table (:func:`sotfit.io.text.footer_lines`: ``Errors are fit standard
    errors``) is not of it: its last line was taken for the last row, whose width found no
    table, and `sotfit tables` refused a table that `sotfit thickness` read."""
    content = [i for i, ln in enumerate(lines) if _text._is_content(ln)]
    footer = _text.footer_lines(lines, reversed(content))
    content = content[:len(content) - len(footer)]
    if not content:
        return None
    delimiter = _text._detect_delimiter(lines[content[-1]])
    if delimiter == "whitespace":
        return None                  # a time stamp with a blank is two cells: not guessed at
    ends = [lines[i].rstrip(" \r\n").endswith(delimiter) for i in content[-2:]]
    trailing = all(ends) and len(ends) == 2     # a delimiter ending every row (LabVIEW)
    n = len(_cells(lines[content[-1]], delimiter, trailing))
    block: list[tuple[int, list[str]]] = []
    names_seen = every_name_seen = False
    for i in reversed(content):
        if not lines[i].strip(" \t,;\r\n"):
            continue    # a row of delimiters only: an empty row of a spreadsheet
        cells = _cells(lines[i], delimiter, trailing)
        if len(cells) == n:
            holds_number = any(_number(c, delimiter) or _unit_cell(c) for c in cells)
            if names_seen and holds_number:
                break   # a setting padded to the table's width above its column names
            filled = [c for c in cells if c.strip().strip('"')]
            if every_name_seen and n >= 3 and len(filled) == 1 and cells[0].strip():
                break   # a caption padded to the table's width above a row naming every column
            names_seen = names_seen or not holds_number
            every_name_seen = every_name_seen or (not holds_number and len(filled) == n)
            block.insert(0, (i, cells))
        elif not any(ch.isdigit() for ch in lines[i]):
            break       # the preamble; a data row of another length is named by the parser
    numbers = [[_number(c, delimiter) for c in cells] for _, cells in block]
    kept = [k for k in range(n) if any(row[k] for row in numbers)]
    first = next((j for j, row in enumerate(numbers) if all(row[k] for k in kept)), None) \
        if kept else None
    if first is None:    # every column text: the first row below the names
        first = next((j for j, row in enumerate(numbers)
                      if any(_unit_cell(c) for c in block[j][1])), None)
    if first is None:
        return delimiter, trailing, n, block, numbers, None, None
    header = first   # the rows of names (and units) above the data: no number where data has
    while header > 0 and not any(numbers[header - 1][k] for k in kept) \
            and not any(_unit_cell(c) for c in block[header - 1][1]):
        header -= 1
    return delimiter, trailing, n, block, numbers, first, None if header == first else header


def without_text_columns(lines: list[str]):
    """The lines of a table with columns of text, those columns left out, and the note to give;
    ``None`` for any other file.

    Parameters
    ----------
    lines : list of str
        The file's lines.

    Returns
    -------
    (list of str, str) or None
        The lines, as many as given, and the note naming the columns left out.
    """
    found = _table_block(lines)
    if found is None:
        return None
    delimiter, trailing, n, block, numbers, first, header = found
    text = [k for k in range(n) if not any(row[k] for row in numbers)]
    kept = [k for k in range(n) if k not in text]
    if not text or not kept or first is None or len(block) - first < _MIN_ROWS:
        return None
    if not all(_TEXT_RE.search(cells[k]) for _, cells in block[first:] for k in text
               if cells[k].strip()):
        return None     # a cell such as '29255  -0' (numbers split at a decimal comma): not text
    out = list(lines)
    for j in range(first if header is None else header, len(block)):
        i, cells = block[j]
        out[i] = delimiter.join(cells[k] for k in kept)
    example = {k: next((cells[k] for _, cells in block[first:] if cells[k]), "") for k in text}
    named = [f"{block[header][1][k]!r}" if header is not None else f"column {k}" for k in text]
    shown = ", ".join(f"{name} (text such as {example[k][:30]!r}"
                      + (_UNIT_CELLS_UNREAD if _unit_cell(example[k]) else "") + ")"
                      for name, k in zip(named, text))
    return out, f"{len(text)} column(s) of text not read: {shown}"


#: The unit of a cell written as a number with a unit after it (``-1.234567E-06VDC``,
#: ``12.5OHM``, as a multimeter writes its readings with its unit element on): letters, and
#: one '/' between them (the number is read as :func:`sotfit.units.parse_quantity` reads one).
_CELL_UNIT_RE = re.compile(r"[^\W\d_][^\W\d_/]*(?:/[^\W\d_]+)?")

#: What the note on a column of text adds when its cells are numbers with a unit after them.
_UNIT_CELLS_UNREAD = (": numbers with a unit after them, read only when every cell of the "
                      "column writes the same unit that sotfit knows; write the numbers alone "
                      "and the unit in the column's name, 'Reading (V)'")


def _unit_cell(cell: str):
    """(number, unit) of a cell written as a number with its unit after it, or None."""
    from ..units import _QUANTITY_RE

    m = _QUANTITY_RE.match(_text._unquote(cell.strip()))
    if m is None or not _CELL_UNIT_RE.fullmatch(m.group(2)):
        return None
    return m.group(1), m.group(2)


def with_units_from_cells(name: str, lines: list[str]):
    """The lines of a table whose columns write their unit after the number in every cell
    (``-1.234567E-06VDC``, ``1.2E-3ADC``, ``12.5OHM``: a multimeter's readings with its unit
    element on), the numbers written alone and the unit into the column's name (``Reading``
    becomes ``Reading (VDC)``), and the note; None for any other file.

    A column is read so only when each of its cells is a number with one and the same unit
    after it and sotfit knows that unit (:func:`sotfit.units.normalise_unit`); a column name
    that writes a unit of its own must write the same one (``Reading (V)`` over ``VDC``).

    Parameters
    ----------
    name : str
        The file's name, for messages.
    lines : list of str
        The file's lines.

    Returns
    -------
    (list of str, str) or None
        The lines, as many as given, and the note naming the columns.

    Raises
    ------
    DataError
        When a column name writes a unit other than its cells'.
    """
    from ..data import DataError
    from ..units import UnitError, normalise_unit, written_unit

    found = _table_block(lines)
    if found is None or found[5] is None or len(found[3]) - found[5] < _MIN_ROWS:
        return None
    delimiter, trailing, n, block, numbers, first, header = found
    if header is None:
        return None      # no name to write the unit into: the column stays text
    rows = block[first:]
    units = {}
    for k in range(n):
        cells = [_unit_cell(cells[k]) for _, cells in rows if cells[k].strip()]
        if not cells or None in cells or len({u for _, u in cells}) != 1:
            continue
        unit = cells[0][1]
        try:
            canonical = normalise_unit(unit)
        except UnitError:
            continue
        units[k] = unit, canonical
    if not units:
        return None
    names = list(block[header][1])
    for k, (unit, canonical) in units.items():
        label = _text._unquote(names[k])
        written = written_unit(label)
        if written is None:
            names[k] = f"{label} ({unit})"
            continue
        try:
            same = normalise_unit(written) == canonical
        except UnitError:
            same = False
        if not same:
            line = rows[0][0] + 1
            raise DataError(
                f"{name}: column {label!r} writes the unit {written!r} in its name but {unit!r} "
                f"after every number in its cells (line {line}: {rows[0][1][k]!r}); which is "
                "it? Write the name with the unit of the cells")
    out = list(lines)
    i, _ = block[header]
    out[i] = delimiter.join(names)
    for i, cells in rows:
        out[i] = delimiter.join(_unit_cell(c)[0] if k in units and c.strip() else c
                                for k, c in enumerate(cells))
    shown = ", ".join(f"{names[k]!r} (cells such as {rows[0][1][k]!r})" for k in units)
    return out, (f"{len(units)} column(s) with the unit after the number in every cell read as "
                 f"numbers in that unit: {shown}")
