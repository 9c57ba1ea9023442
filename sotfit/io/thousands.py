"""Numbers written with commas between groups of thousands (``-1,934.458``), as spreadsheets
and instrument programs set up in English write them (the number format ``#,##0.000``): when
a text table is read so (:func:`without_thousands_commas`).

A comma in a number is a decimal comma in much of the world and a separator of thousands in
the rest; :mod:`sotfit.io.decimal_commas` reads the first kind, this module the second, and a
file that could be either is not guessed at.
"""

from __future__ import annotations

import re

from . import text as _text
from .decimal_commas import DIGIT_COMMA_DIGIT_RE, DIGIT_POINT_DIGIT_RE

__all__ = ["GROUPED_NUMBER_RE", "may_hold", "without_thousands_commas"]

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
