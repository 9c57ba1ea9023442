"""Tables whose quantities are in rows: a row of fields, a row of voltages, each perhaps
headed by its name (``Field (mT),-142.3,-142.0,...``), as LabVIEW's *Write To Spreadsheet
File* writes a 2D array built from 1D arrays when *transpose?* is left false
(:func:`transposed_lines`).

Read as it stands, such a file is a table of a few rows and hundreds of columns without a
column header row, which no reader takes (a spectrum or a rotation has far more points than
quantities): it is read as its transpose, the names of the rows becoming the column header
row, and the reader says so. A file read today is never read differently: only a table of
at most :data:`MAX_ROWS` rows, at least :data:`MIN_VALUES` numbers on each, and no column
header row is turned.
"""

from __future__ import annotations

__all__ = ["MAX_ROWS", "MIN_VALUES", "transposed_lines"]

#: The most rows (quantities) a table in rows may have.
MAX_ROWS = 8

#: The fewest numbers on each of its rows (points).
MIN_VALUES = 20


def _cells(line: str, delimiter: str) -> list[str]:
    """The cells of a line (a trailing delimiter, as LabVIEW writes one, is not a cell)."""
    s = line.strip(" \r\n")
    if delimiter == "whitespace":
        return s.split()
    cells = [c.strip() for c in s.split(delimiter)]
    return cells[:-1] if len(cells) > 1 and cells[-1] == "" else cells


def transposed_lines(lines: list[str]):
    """The lines of the file with its trailing rows of numbers turned into columns (tab-
    separated, the row names as the column header row), and the note to give; None when the
    file's last rows are not a table in rows.

    Parameters
    ----------
    lines : list of str
        The lines of the file.

    Returns
    -------
    (list of str, str) or None
        The lines (those above the rows kept as they are, so that the settings above the
        table are read as before) and the note. The numbers are the file's own text, moved.
    """
    from .text import _detect_delimiter as detect_delimiter, _is_content as is_content, parse_number

    def number(cell: str):
        """The cell as a number; a decimal comma counts where the comma does not separate (the
        cells are moved as written, and read with the file's decimal mark afterwards)."""
        return parse_number(cell if delimiter == "," else cell.replace(",", ".", 1))

    rows: list[int] = []
    delimiter = None
    for i in range(len(lines) - 1, -1, -1):     # the rows of numbers at the end of the file
        if not is_content(lines[i]):
            if rows:
                break
            continue
        delimiter = delimiter or detect_delimiter(lines[i])
        cells = _cells(lines[i], delimiter)
        if len(cells) <= MIN_VALUES or any(number(c) is None for c in cells[1:]):
            break
        if len(rows) == MAX_ROWS:
            return None                         # more quantities than a table in rows holds
        rows.insert(0, i)
    if not 2 <= len(rows) <= MAX_ROWS:
        return None
    table = [_cells(lines[i], delimiter) for i in rows]
    if len({len(r) for r in table}) != 1:
        return None
    above = next((lines[i] for i in range(rows[0] - 1, -1, -1) if is_content(lines[i])), None)
    if above is not None and len(_cells(above, delimiter)) == len(table[0]):
        return None                 # a column header row above the rows: a table of columns
    named = [number(r[0]) is None for r in table]
    if any(named) and not all(named):
        return None
    names = [r[0] for r in table] if all(named) else None
    values = [r[1:] for r in table] if names else table
    out = lines[:rows[0]]
    if names:
        out.append("\t".join(names))
    out.extend("\t".join(point) for point in zip(*values))
    what = (f"{len(rows)} rows of {len(values[0])} values on lines {rows[0] + 1}-{rows[-1] + 1}"
            + (f" ({', '.join(repr(n) for n in names)})" if names else ""))
    return out, (f"the quantities are in rows ({what}, as LabVIEW's Write To Spreadsheet File "
                 "writes arrays it does not transpose): read as columns; a message that names "
                 "a line of this table counts its points from line "
                 f"{rows[0] + 1 + (1 if names else 0)}")
