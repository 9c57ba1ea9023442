"""Numbers written with decimal commas (``-310,26191;-0,335089``), as spreadsheets set up in
many languages save tables: when a text table is read so (:func:`with_decimal_points`), and
what an error says when it is not (:func:`decimal_comma_hint`).
"""

from __future__ import annotations

import re

from . import text as _text

__all__ = ["DIGIT_COMMA_DIGIT_RE", "DIGIT_POINT_DIGIT_RE", "decimal_comma_hint", "number_mark",
           "with_decimal_points"]

#: A cell that is a number written with a decimal comma (``-0,100687``, ``1,5e-3``, ``,5``,
#: ``-1.934,46`` with points between groups of three digits).
COMMA_NUMBER_RE = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d*),\d+(?:[eE][+-]?\d+)?")
#: A cell that is a number written with a decimal point (``-0.1``, ``2.``, ``.5e3``).
POINT_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER_RE = re.compile(r"[+-]?\d+")


def number_mark(cell: str) -> str | None:
    """``','`` for a cell that is a number written with a decimal comma, ``'.'`` with a
    decimal point, else None (integers, text)."""
    if COMMA_NUMBER_RE.fullmatch(cell):
        return ","
    return "." if POINT_NUMBER_RE.fullmatch(cell) else None


def decimal_comma_hint(lines, first_line: int = 0) -> str:
    """What to add to the error of a file whose cells are numbers written with decimal commas
    where they are not read as such (the first such line named, ``lines[0]`` being file line
    ``first_line + 1``), or ""."""
    for i, line in enumerate(lines, start=first_line):
        cells = [c.strip() for c in re.split(r"[;\t]", line) if c.strip()]
        marks = [number_mark(c) for c in cells]
        if len(cells) >= 2 and "," in marks and all(
                m == "," or (m is None and _INTEGER_RE.fullmatch(c)) for m, c in zip(marks, cells)):
            return (f"; line {i + 1} ({line.strip()[:40]!r}) holds numbers written with decimal "
                    "commas, which are read only in a table that writes every number so"
                    + _point_hint(lines, first_line) + ": write them with decimal points (in a "
                    "spreadsheet, save with '.' as the decimal separator)")
    return ""


def _point_hint(lines, first_line: int) -> str:
    """Where a file with decimal commas writes a number with a point (``-1.934``: a decimal
    point, or a point between thousands; which of the two is not guessed at), or ""."""
    for i, line in enumerate(lines, start=first_line):
        for c in re.split(r"[;\t]", line):
            if number_mark(c.strip()) == ".":
                return (f" (line {i + 1} writes {c.strip()!r} with a point: a decimal point or a "
                        "point between thousands, which cannot be told apart)")
    return ""


#: A number written with a decimal comma, alone between its neighbours (``-0,5``, ``1,5e-3``;
#: not ``1,2,3``, not ``1.5,2``): groups sign and integer part, and fraction with exponent.
_LONE_DECIMAL_COMMA_RE = re.compile(r"(?<![\d,.])([+-]?\d+),(\d+(?:[eE][+-]?\d+)?)(?![\d,.])")
#: A number written with a decimal comma and points between groups of three digits
#: (``-1.934,46``, as a spreadsheet's number format ``#.##0,00`` writes it): groups sign and
#: grouped integer part, and fraction with exponent.
_GROUPED_DECIMAL_COMMA_RE = re.compile(
    r"(?<![\d,.])([+-]?\d{1,3}(?:\.\d{3})+),(\d+(?:[eE][+-]?\d+)?)(?![\d,.])")
#: A digit, a comma and a digit: what a file with decimal commas must hold somewhere.
DIGIT_COMMA_DIGIT_RE = re.compile(r"\d,\d")
#: A number written with a decimal point.
DIGIT_POINT_DIGIT_RE = re.compile(r"\d\.\d")


def with_decimal_points(lines: list[str], found):
    """The lines of a file whose numbers are written with decimal commas, each such number
    written with a point, and the note to give; ``None`` for any other file.

    A comma between digits is read as a decimal comma only where it cannot be the delimiter:
    the first content line that is not ``key: value`` and becomes a row of two or more numbers
    when its lone ``digits,digits`` are written ``digits.digits`` must then split on tabs,
    semicolons or blanks (``-310,26191;-0,335089``; the first data row as the file stands, if
    any, must not be comma-separated), and no content line from there on may hold a number
    with a decimal point (a file that mixes both is not guessed at: it keeps its error); points
    between groups of three digits of a number with a decimal comma (``-1.934,46``) are
    separators of thousands, not decimal points (``1.934`` alone is not guessed at). Data
    rows and the numbers of the preamble (``Frequenz: 10,5 GHz``) are rewritten alike; lists
    such as ``1,2,3`` are left alone. Each line keeps its place, so line numbers in messages
    are those of the file.

    Parameters
    ----------
    lines : list of str
        The file's lines.
    found : tuple or None
        What :func:`sotfit.io.text._data_start` found in ``lines`` as they are.
    """
    if found is not None and found[1] == ",":
        return None
    first = None
    for i, line in enumerate(lines):
        if "," not in line or not _text._is_content(line) or _text._looks_like_key_value(line):
            continue
        row = _text._numeric_row(_with_points(line))
        if row is None or len(row[1]) < 2:
            continue
        if row[0] == ",":
            return None
        first = i
        break
    if first is None:
        return None
    content = [ln for ln in lines[first:] if _text._is_content(ln)]
    if any(DIGIT_POINT_DIGIT_RE.search(_GROUPED_DECIMAL_COMMA_RE.sub("", ln)) for ln in content):
        return None
    grouped = any(_GROUPED_DECIMAL_COMMA_RE.search(ln) for ln in content)
    note = (f"numbers written with decimal commas (from line {first + 1}: "
            f"{lines[first].strip()[:40]!r}) read as decimals ('0,5' as 0.5"
            + (", '1.934,5' as 1934.5" if grouped else "") + ")")
    return [_with_points(ln) for ln in lines], note


def _with_points(line: str) -> str:
    """``line`` with each number written with a decimal comma (its groups of thousands
    separated by points or not) written with a decimal point."""
    if "." in line:
        line = _GROUPED_DECIMAL_COMMA_RE.sub(lambda m: m.group(1).replace(".", "") + "."
                                             + m.group(2), line)
    return _LONE_DECIMAL_COMMA_RE.sub(r"\1.\2", line)
