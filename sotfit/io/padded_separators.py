"""Cells separated by a comma or semicolon with tabs around it (``\\t1.200000\\t,\\t-0.0798\\t``),
as a LabVIEW spreadsheet string whose delimiter was set to ``\\t,\\t`` writes them: the
separator is the comma (or semicolon), the tabs only pad it (:func:`without_padded_separators`).

Split at the tabs such a line gives a lone ``,`` between the numbers (and empty cells at the
line's ends), which no table has; the lines are read only when nothing else reads them, so a
file that is read today is never read differently.
"""

from __future__ import annotations

import re

__all__ = ["without_padded_separators"]

#: A comma or semicolon with a tab on at least one side (blanks and tabs around it).
_PADDED_RE = re.compile(r"[ \t]*(?:\t[ \t]*([,;])|([,;])[ \t]*\t)[ \t]*")


def without_padded_separators(lines: list[str]):
    """The lines with the tabs around their separators and at their ends removed, and the
    note to give; None when no line holds a separator padded by tabs.

    Parameters
    ----------
    lines : list of str
        The lines of the file.
    """
    first = None
    out = list(lines)
    for i, line in enumerate(lines):
        if _PADDED_RE.search(line) is None:
            continue
        if first is None:
            first = i
        out[i] = _PADDED_RE.sub(lambda m: m.group(1) or m.group(2), line).strip(" \t")
    if first is None:
        return None
    return out, (f"cells separated by a comma or semicolon padded with tabs (from line "
                 f"{first + 1}: {lines[first].strip()[:40]!r}) read with the tabs removed")
