"""A table written with its row names, as R's ``write.table`` writes a data frame by default:
the column header row names every column but the first, which numbers the rows (``"1"``,
``"2"``, ...) under no name (:func:`with_row_names_named`).

Read as it stands, the header row splits into one name fewer than the data has columns, an
error. When the first cell of every one of the first data rows is its row's number, counted
from 1, the header row is given a name for that column (``row names``), with a note; any other
header row of one name too few stays an error naming its line.
"""

from __future__ import annotations

__all__ = ["with_row_names_named"]

#: Data rows whose first cells must count 1, 2, 3, ...
_ROWS_CHECKED = 5

#: The name given to the column of row names.
NAME = "row names"


def with_row_names_named(lines: list[str], start: int, delimiter: str, n: int):
    """The lines with a name for the row names in the column header row, and the note; None
    when the table is not one written with its row names.

    Parameters
    ----------
    lines : list of str
        The lines of the file.
    start : int
        The index of the first data row.
    delimiter : str
        The data's delimiter (``'\\t'``, ``';'``, ``','``, ``'whitespace'``).
    n : int
        The number of data columns.
    """
    from .text import _is_comment, _is_content, _split, _split_header_row, _unquote

    above = [i for i in range(start) if lines[i].strip() and not _is_comment(lines[i])]
    if n < 2 or not above:
        return None
    h = above[-1]
    if _split_header_row(lines[h], delimiter, n) is not None \
            or _split_header_row(lines[h], delimiter, n - 1) is None:
        return None
    rows = [i for i in range(start, min(len(lines), start + 2 * _ROWS_CHECKED))
            if _is_content(lines[i])][:_ROWS_CHECKED]
    firsts = [_unquote(_split(lines[i], delimiter)[0]) for i in rows]
    if len(rows) < 2 or firsts != [str(k + 1) for k in range(len(rows))]:
        return None
    out = list(lines)
    quoted = '"' in lines[h]
    name = f'"{NAME}"' if quoted or delimiter != "whitespace" else NAME.replace(" ", "_")
    sep = " " if delimiter == "whitespace" else delimiter
    out[h] = f"{name}{sep}{lines[h].lstrip()}"
    return out, (f"the column header row (line {h + 1}) names {n - 1} of the {n} columns: the "
                 "first, which numbers the rows 1, 2, 3, ..., is the table's row names (as R's "
                 f"write.table writes them), named {NAME!r}")
