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

__all__ = ["without_text_columns"]

#: What a cell of a column of text holds: a letter, a time (':') or a date ('/', 2026-12-04).
_TEXT_RE = re.compile(r"[^\W\d_]|[:/]|\d{4}-\d\d-\d\d")
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
    content = [i for i, ln in enumerate(lines) if _text._is_content(ln)]
    if not content:
        return None
    delimiter = _text._detect_delimiter(lines[content[-1]])
    if delimiter == "whitespace":
        return None                  # a time stamp with a blank is two cells: not guessed at
    ends = [lines[i].rstrip(" \r\n").endswith(delimiter) for i in content[-2:]]
    trailing = all(ends) and len(ends) == 2     # a delimiter ending every row (LabVIEW)
    n = len(_cells(lines[content[-1]], delimiter, trailing))
    block: list[tuple[int, list[str]]] = []
    names_seen = False
    for i in reversed(content):
        if not lines[i].strip(" \t,;\r\n"):
            continue    # a row of delimiters only: an empty row of a spreadsheet
        cells = _cells(lines[i], delimiter, trailing)
        if len(cells) == n:
            holds_number = any(_number(c, delimiter) for c in cells)
            if names_seen and holds_number:
                break   # a setting padded to the table's width above its column names
            names_seen = names_seen or not holds_number
            block.insert(0, (i, cells))
        elif not any(ch.isdigit() for ch in lines[i]):
            break       # the preamble; a data row of another length is named by the parser
    numbers = [[_number(c, delimiter) for c in cells] for _, cells in block]
    text = [k for k in range(n) if not any(row[k] for row in numbers)]
    kept = [k for k in range(n) if k not in text]
    if not text or not kept:
        return None
    first = next((j for j, row in enumerate(numbers) if all(row[k] for k in kept)), None)
    if first is None or len(block) - first < _MIN_ROWS:
        return None
    if not all(_TEXT_RE.search(cells[k]) for _, cells in block[first:] for k in text
               if cells[k].strip()):
        return None     # a cell such as '29255  -0' (numbers split at a decimal comma): not text
    header = first   # the rows of names (and units) above the data: no number where data has
    while header > 0 and not any(numbers[header - 1][k] for k in kept):
        header -= 1
    header = None if header == first else header
    out = list(lines)
    for j in range(first if header is None else header, len(block)):
        i, cells = block[j]
        out[i] = delimiter.join(cells[k] for k in kept)
    example = {k: next((cells[k] for _, cells in block[first:] if cells[k]), "") for k in text}
    named = [f"{block[header][1][k]!r}" if header is not None else f"column {k}" for k in text]
    shown = ", ".join(f"{name} (text such as {example[k][:30]!r})" for name, k in zip(named, text))
    return out, f"{len(text)} column(s) of text not read: {shown}"
