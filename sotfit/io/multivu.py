"""Quantum Design MultiVu data files (``.dat`` of the PPMS, MPMS, DynaCool and VersaLab), read
as the comma-separated tables they hold.

Such a file opens with a ``[Header]`` section (``TITLE,...``, ``BYAPP,...``,
``INFO,<value>,<NAME>``, ``FILEOPENTIME,...`` lines and ``;`` comments), then a line ``[Data]``,
the column header row (``Comment,Time Stamp (sec),Temperature (K),Magnetic Field (Oe),...``)
and the data, one comma-separated row per line. The first column, ``Comment``, is empty on
nearly every row, and many columns of an option that was not used are empty on every row.

:func:`multivu_lines` turns the lines of such a file into lines the text readers take as they
are: the header section blank (each ``INFO,<value>,<NAME>`` entry kept as a comment
``# NAME: value``), the ``[Data]`` line blank, and in the column header row and every data row
the ``Comment`` column and the columns empty on every row left out. Every line keeps its
place, so line numbers in messages are those of the file. The file itself is never modified.
"""

from __future__ import annotations

import csv

__all__ = ["is_multivu", "multivu_lines"]

_HEADER = "[header]"
_DATA = "[data]"


def is_multivu(lines) -> bool:
    """Whether the first line of ``lines`` that is not blank is ``[Header]`` and a later
    line is ``[Data]`` (case and blanks ignored)."""
    first = next((ln.strip().lower() for ln in lines if ln.strip()), "")
    return first == _HEADER and any(ln.strip().lower() == _DATA for ln in lines)


def _cells(line: str) -> list[str]:
    """The comma-separated cells of ``line`` (a cell may be quoted, with commas inside)."""
    return [c.strip() for c in next(csv.reader([line]), [])]


def _joined(cells: list[str], keep: list[int]) -> str:
    """Cells ``keep`` of a row, comma-separated (a comma inside a quoted cell becomes a blank)."""
    return ",".join(cells[k].replace(",", " ") for k in keep)


def multivu_lines(lines: list[str]):
    """The lines of a MultiVu file as a plain comma-separated table, and the note to give.

    Parameters
    ----------
    lines : list of str
        The file's lines (:func:`is_multivu` is true of them).

    Returns
    -------
    (list of str, str)
        The lines, as many as given, and what was done to them.
    """
    data_at = next(i for i, ln in enumerate(lines) if ln.strip().lower() == _DATA)
    out = []
    for ln in lines[:data_at + 1]:
        cells = _cells(ln) if ln.strip() else []
        if len(cells) == 3 and cells[0].upper() == "INFO" and cells[2] and cells[1]:
            out.append(f"# {cells[2]}: {cells[1]}")
        else:
            out.append("")
    rows = [i for i in range(data_at + 1, len(lines)) if lines[i].strip()]
    if not rows:
        return out + lines[data_at + 1:], "a Quantum Design MultiVu file, read from its [Data] section"
    header, body = rows[0], rows[1:]
    names = _cells(lines[header])
    table = [_cells(lines[i]) for i in body]
    n = len(names)
    used = [any(k < len(r) and r[k] != "" for r in table) for k in range(n)]
    comment = [k for k, c in enumerate(names) if c.lower() == "comment"]
    texts = sum(1 for r in table for k in comment if k < len(r) and r[k] != "")
    keep = [k for k in range(n) if used[k] and k not in comment]
    left_out = [names[k] for k in range(n) if not used[k] and k not in comment]
    rewritten = {header: _joined(names, keep)}
    for i, r in zip(body, table):
        if len(r) == n:
            rewritten[i] = _joined(r, keep)
        # a row of another length stays as it is: the reader names it in its error
    for i in range(data_at + 1, len(lines)):
        out.append(rewritten.get(i, lines[i]))
    parts = [f"a Quantum Design MultiVu file, read from its [Data] section (line "
             f"{header + 1}: the column header row)"]
    if comment:
        parts.append("its Comment column left out"
                     + (f" ({texts} row(s) hold a comment)" if texts else ""))
    if left_out:
        shown = ", ".join(repr(c) for c in left_out[:6]) + (", ..." if len(left_out) > 6 else "")
        parts.append(f"{len(left_out)} column(s) empty on every row left out ({shown})")
    return out, "; ".join(parts)
