"""Numbers written with commas between groups of thousands (``-1,934.458``), as spreadsheets
and instrument programs set up in English write them (the number format ``#,##0.000``): when
a text table is read so (:func:`without_thousands_commas`). Numbers written with points
between groups of thousands (``-156.123``, ``#.##0`` in a spreadsheet set up with decimal
commas): when a table's points can only be such (:func:`points_of`,
:func:`without_thousands_points`).

A comma in a number is a decimal comma in much of the world and a separator of thousands in
the rest; :mod:`sotfit.io.decimal_commas` reads the first kind, this module the second, and a
file that could be either is not guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import text as _text
from .decimal_commas import DIGIT_COMMA_DIGIT_RE, DIGIT_POINT_DIGIT_RE, POINT_NUMBER_RE
from .decimal_commas import _INTEGER_RE

__all__ = ["GROUPED_NUMBER_RE", "POINT_GROUPED_RE", "PointVerdict", "may_hold", "points_of",
           "without_thousands_commas", "without_thousands_points"]

#: A number with commas between groups of three digits and, if any, a decimal point
#: (``1,934``, ``-1,934.458``, ``12,000,000.5e-3``).
GROUPED_NUMBER_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][+-]?\d+)?")
#: Such a number in a line, alone between its neighbours (not a piece of ``1,000,2``).
_BARE_RE = re.compile(r"(?<![\w.,])" + GROUPED_NUMBER_RE.pattern + r"(?![\w.,])")
#: Such a number in double quotes, as a comma-separated file must write it.
_QUOTED_RE = re.compile(r'"\s*(' + GROUPED_NUMBER_RE.pattern + r')\s*"')
#: A quoted number with a decimal comma (``"0,5"``): a file writing it is not guessed at.
_QUOTED_DECIMAL_COMMA_RE = re.compile(r'"\s*[+-]?\d*,\d+(?:[eE][+-]?\d+)?\s*"')


#: A digit, a comma and three digits: what a number with commas between thousands holds.
_GROUP_RE = re.compile(r"\d,\d\d\d")


def may_hold(text: str, delimiter: str | None) -> bool:
    """Whether the text of a file may hold numbers with commas between thousands (a quick test
    before :func:`without_thousands_commas`): in a comma-separated file (``delimiter`` ``","``)
    only in double quotes, in any other a digit, a comma and three digits."""
    if delimiter == ",":
        return '"' in text and _GROUP_RE.search(text) is not None
    return _GROUP_RE.search(text) is not None


def _ungrouped(line: str) -> str:
    """``line`` with its numbers' commas between thousands removed: in double quotes always
    (the quotes protect the comma in a comma-separated row), bare only where no other comma
    is left in the line (a comma that separates cells makes ``1,934`` two cells)."""
    line = _QUOTED_RE.sub(lambda m: m.group(1).replace(",", ""), line)
    if "," in line and "," not in _BARE_RE.sub("", line):
        line = _BARE_RE.sub(lambda m: m.group().replace(",", ""), line)
    return line


def without_thousands_commas(lines: list[str]):
    """The lines of a file whose numbers are written with commas between thousands, each such
    number written without them, and the note to give; ``None`` for any other file.

    A file is read so when its first content line that holds such a
    number becomes a row holding two or more numbers without the commas, and it cannot be a file
    of decimal commas: some content line from there on writes a decimal point (in ``1,934``
    alone the comma may be either, which is not guessed at), and none writes a decimal comma
    that is not between thousands (``0,5`` in a tab-separated file, ``"0,5"`` in a
    comma-separated one). In a comma-separated file only numbers in double quotes can hold a
    comma; a bare ``1,934.5,0.2`` is three cells and is left as it is. Preamble lines are
    rewritten alike (``Frequency: 10,000.5 MHz``); each line keeps its place, so line numbers
    in messages are those of the file.

    Parameters
    ----------
    lines : list of str
        The file's lines.
    """
    first = None
    for i, line in enumerate(lines):
        if "," not in line or not _text._is_content(line):
            continue
        plain = _ungrouped(line)
        if plain == line:
            continue
        cells = _text._split(plain, _text._detect_delimiter(plain))
        if sum(_text.parse_number(c) is not None for c in cells if c) >= 2:
            first = i       # a row of numbers (beside it, perhaps, a cell of text: a time)
            break
    if first is None:
        return None
    content = [ln for ln in lines[first:] if _text._is_content(ln)]
    if not any(DIGIT_POINT_DIGIT_RE.search(ln) for ln in content):
        return None
    out = [_ungrouped(ln) for ln in lines]
    for ln, new in zip(lines[first:], out[first:]):
        if not _text._is_content(ln):
            continue
        if _QUOTED_DECIMAL_COMMA_RE.search(new) or (      # decimal commas beside: not guessed
                _text._detect_delimiter(new) != "," and DIGIT_COMMA_DIGIT_RE.search(new)):
            return None
    note = (f"numbers written with commas between thousands (from line {first + 1}: "
            f"{lines[first].strip()[:40]!r}) read without them ('1,934.5' as 1934.5)")
    return out, note


#: A number that points between groups of three digits may write, as a spreadsheet set up with
#: decimal commas writes integers in its number format ``#.##0`` (``-156.123``, ``1.234.567``);
#: never ``0.123`` (no such format writes a leading zero group) nor ``12.3456``.
POINT_GROUPED_RE = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+")


@dataclass(frozen=True)
class PointVerdict:
    """What the points of a table's numbers are (:func:`points_of`).

    Attributes
    ----------
    kind : str
        ``'decimal'`` (a cell writes a point no grouping of thousands writes: ``0.052``,
        ``12.3456``, given as the example; or no cell writes a point), ``'thousands'`` (every
        point stands between groups of three digits and some column says so: a cell of several
        groups,
        ``1.234.567``, or a column that writes the integers below 1000 without a point beside
        such cells, as ``#.##0`` does) or ``'ambiguous'`` (every point may be either).
    columns : tuple of int
        The columns whose cells write a point (for ``'thousands'`` and ``'ambiguous'``; the
        example's for ``'decimal'``).
    example : str
        A cell writing a point, for messages.
    """

    kind: str
    columns: tuple = ()
    example: str = ""


def points_of(rows: list[list[str]]) -> PointVerdict:
    """Whether the points in the numbers of ``rows`` (a table's data rows, split into cells,
    written without decimal commas) are decimal points or separate thousands.

    A point followed by three digits (``-156.123``) is a decimal point in a file written with
    decimal points and a separator of thousands in one written with decimal commas (a
    spreadsheet's ``#.##0``). It is read as a separator of thousands only where that is the
    only reading: every cell that writes a point writes it between groups of three digits with
    no leading zero group, and some cell writes two points (``1.234.567``), or some column
    writes integers below 1000 without a point beside cells with one (``456`` and ``1.085``:
    ``#.##0`` writes every integer so, while a table of decimals would write ``456.000``).

    Parameters
    ----------
    rows : list of list of str
        The cells of the data rows.

    Returns
    -------
    PointVerdict
    """
    pointed: dict[int, list[str]] = {}
    plain: dict[int, list[str]] = {}
    for cells in rows:
        for k, cell in enumerate(cells):
            c = cell.strip().strip('"').strip()
            if POINT_GROUPED_RE.fullmatch(c):
                pointed.setdefault(k, []).append(c)
            elif POINT_NUMBER_RE.fullmatch(c):
                return PointVerdict("decimal", (k,), c)
            elif _INTEGER_RE.fullmatch(c):
                plain.setdefault(k, []).append(c)
    if not pointed:
        return PointVerdict("decimal")
    columns = tuple(sorted(pointed))
    example = pointed[columns[0]][0]
    several = next((c for cells in pointed.values() for c in cells if c.count(".") > 1), None)
    mixed = [k for k in columns if plain.get(k)
             and all(abs(int(c)) < 1000 for c in plain[k])]
    if several is not None or mixed:
        return PointVerdict("thousands", columns,
                            several or pointed[mixed[0]][0])
    return PointVerdict("ambiguous", columns, example)


def without_thousands_points(cells: list[str]) -> list[str]:
    """``cells`` with the points between groups of three digits removed (``-156.123`` as
    ``-156123``); other cells as they are."""
    return [c.replace(".", "") if POINT_GROUPED_RE.fullmatch(c.strip().strip('"').strip())
            else c for c in cells]
