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
        quoted = len(cells) < 2 and '"' in line     # a comma-separated row of numbers in quotes
        if quoted:
            cells = [c.strip() for c in _QUOTED_CELL_RE.findall(line)]
        marks = [number_mark(c) for c in cells]
        if len(cells) >= 2 and "," in marks and all(
                m == "," or (m is None and _INTEGER_RE.fullmatch(c)) for m, c in zip(marks, cells)):
            if quoted and all(_THOUSANDS_FORM_RE.fullmatch(c)
                              for c, m in zip(cells, marks) if m == ","):
                return (f"; line {i + 1} ({line.strip()[:40]!r}) holds numbers written with a "
                        "comma before three digits, which may be a decimal comma or a comma "
                        "between thousands and is not guessed at: write them with decimal "
                        "points and without commas")
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
    are those of the file. In a comma-separated file the numbers in double quotes are read so
    (:func:`_with_quoted_decimal_points`).

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
            return _with_quoted_decimal_points(lines, i)
        first = i
        break
    if first is None:
        return None
    content = [ln for ln in lines[first:] if _text._is_content(ln)]
    pointed = None
    if any(DIGIT_POINT_DIGIT_RE.search(_GROUPED_DECIMAL_COMMA_RE.sub("", ln)) for ln in content):
        pointed = _integers_with_points(content, row[0])
        if pointed is None:
            return None
    grouped = any(_GROUPED_DECIMAL_COMMA_RE.search(ln) for ln in content)
    note = (f"numbers written with decimal commas (from line {first + 1}: "
            f"{lines[first].strip()[:40]!r}) read as decimals ('0,5' as 0.5"
            + (", '1.934,5' as 1934.5" if grouped else "")
            + (f", {pointed!r} as {pointed.replace('.', '')}: points between thousands, "
               + ("a number of several groups" if pointed.count(".") > 1 else
                  "as its column writes integers below 1000 without one") if pointed else "")
            + ")")
    out = [_with_points(ln) for ln in lines]
    if pointed:
        out[first:] = [_POINT_GROUPED_INTEGER_RE.sub(lambda m: m.group(1).replace(".", ""), ln)
                       for ln in out[first:]]
    return out, note


#: An integer written with points between groups of three digits (``-3.200``), alone between
#: its neighbours (not the integer part of ``-1.934,46``).
_POINT_GROUPED_INTEGER_RE = re.compile(r"(?<![\d,.])([+-]?[1-9]\d{0,2}(?:\.\d{3})+)(?![\d,.])")


def _integers_with_points(content: list[str], delimiter: str) -> str | None:
    """A cell of the data lines ``content`` (split by ``delimiter``) of a table with decimal
    commas, where every number written with a point is an integer with points between groups of
    three digits that a column of it shows to be so (``-3.200`` beside ``-992`` in one column:
    a spreadsheet's ``#.##0`` beside decimal commas writes integers so, and a column of
    decimals would write ``-992.000``; :func:`sotfit.io.thousands.points_of`), for the note;
    None where a point may be a decimal point (the file is then not guessed at)."""
    from .thousands import points_of

    rows = [["" if COMMA_NUMBER_RE.fullmatch(c.strip()) else c
             for c in _text._split(ln, delimiter)] for ln in content]
    verdict = points_of(rows)
    return verdict.example if verdict.kind == "thousands" else None


def _with_points(line: str) -> str:
    """``line`` with each number written with a decimal comma (its groups of thousands
    separated by points or not) written with a decimal point."""
    if "." in line:
        line = _GROUPED_DECIMAL_COMMA_RE.sub(lambda m: m.group(1).replace(".", "") + "."
                                             + m.group(2), line)
    return _LONE_DECIMAL_COMMA_RE.sub(r"\1.\2", line)


#: A cell in double quotes: its text.
_QUOTED_CELL_RE = re.compile(r'"([^"\n]*)"')
#: A number that could be written with commas between groups of three digits (``1,234``):
#: in double quotes it may be that or a decimal comma, which is not guessed at.
_THOUSANDS_FORM_RE = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+")


def _quoted_points(line: str) -> str:
    """``line`` with each number in double quotes written with a decimal comma
    (``"-320,0000"``) written with a decimal point (``"-320.0000"``)."""
    if '"' not in line or "," not in line:
        return line
    return _QUOTED_CELL_RE.sub(
        lambda m: f'"{_with_points(m.group(1))}"' if COMMA_NUMBER_RE.fullmatch(m.group(1).strip())
        else m.group(), line)


def _with_quoted_decimal_points(lines: list[str], first: int):
    """The lines of a comma-separated file whose numbers are in double quotes and written with
    decimal commas (``"-320,0000","2,01913"``, as a spreadsheet in a language with decimal
    commas writes a CSV file whose delimiter is set to ','), each such number written with a
    point, and the note to give; ``None`` for any other file.

    Inside the quotes the comma cannot be the delimiter. It is read as a decimal comma when
    the row of line ``first`` (an index into ``lines``, the first row of numbers) becomes a row
    of two or more numbers so, no content line from there on writes a decimal point (points
    between groups of three digits of a number with a decimal comma, ``"-1.934,46"``, aside),
    and some number in quotes cannot be one with commas between thousands (``"1,234"`` alone
    may be 1234 or 1.234, which is not guessed at).
    """
    out = [_quoted_points(ln) for ln in lines]
    row = _text._numeric_row(out[first])
    if out[first] == lines[first] or row is None or row[0] != "," or len(row[1]) < 2:
        return None
    content = [ln for ln in lines[first:] if _text._is_content(ln)]
    if any(DIGIT_POINT_DIGIT_RE.search(_GROUPED_DECIMAL_COMMA_RE.sub("", ln)) for ln in content):
        return None
    quoted = [c.strip() for ln in content for c in _QUOTED_CELL_RE.findall(ln)
              if COMMA_NUMBER_RE.fullmatch(c.strip())]
    if all(_THOUSANDS_FORM_RE.fullmatch(c) for c in quoted):
        return None
    note = (f"numbers in double quotes written with decimal commas (from line {first + 1}: "
            f"{lines[first].strip()[:40]!r}) read as decimals ('\"0,5\"' as 0.5)")
    return out, note
