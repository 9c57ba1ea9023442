"""Digits grouped in threes by blanks or apostrophes (``-1 934,46``, ``1'934.46``,
``1 934 567.5``), as spreadsheets set up in French, Swiss, Scandinavian or SI style write
them: the separators removed before the numbers are read (:func:`without_digit_groups`).

An apostrophe, a typographic apostrophe, a no-break space, a narrow no-break space or a thin
space is never a delimiter or a decimal mark, so between a digit and three digits it can only
group them; a plain blank does so only in a line whose cells are separated by tabs or
semicolons (elsewhere it may separate the cells). Commas and points between groups are read by
:mod:`sotfit.io.thousands` and :mod:`sotfit.io.decimal_commas`.
"""

from __future__ import annotations

import re

__all__ = ["without_digit_groups"]

#: Characters that group digits and mean nothing else in a table.
_MARKS = "'\u2019\u00a0\u202f\u2009"
#: Such a character between a digit and a group of exactly three digits.
_MARK_RE = re.compile(r"(?<=\d)[" + _MARKS + r"](?=\d{3}(?!\d))")
#: A blank between a digit and a group of exactly three digits.
_BLANK_RE = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")


def without_digit_groups(text: str):
    """The text of a file with the blanks and apostrophes that group its digits removed, and
    the note to give; ``(text, None)`` when it has none.

    Parameters
    ----------
    text : str
        The decoded text of the file.
    """
    marks = any(m in text for m in _MARKS)
    blanks = ("\t" in text or ";" in text) and _BLANK_RE.search(text) is not None
    if not (marks or blanks):
        return text, None
    lines = text.split("\n")
    first = None
    for i, line in enumerate(lines):
        new = _MARK_RE.sub("", line) if marks else line
        if blanks and ("\t" in new or ";" in new):
            new = _BLANK_RE.sub("", new)
        if new != line:
            if first is None:
                first = i
            lines[i] = new
    if first is None:
        return text, None
    original = text.split("\n")[first].strip()[:40]
    return "\n".join(lines), (f"digits grouped in threes by blanks or apostrophes (from line "
                              f"{first + 1}: {original!r}) read without them")
