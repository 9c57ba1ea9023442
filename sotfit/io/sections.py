"""Text files that hold several tables one after another, each under its own header entries
(``# Frequency: 12 GHz``), as a program that appends every sweep to one file writes them
(``numpy.savetxt`` to an open file, a loop that writes a header per run).

Without this, the entries between the rows were comments the reader skipped: every sweep took
the entries of the first (one frequency for all), and ``split_sweeps`` turned that into
spectra at the wrong frequency. :func:`split_sections` cuts such a file into one text per
section, each read as a table of its own (named ``file.txt[section 2]``): a section is the
rows below a run of lines between data rows that holds a ``key: value`` entry which the
preamble holds too (the frequency, say), or an entry and a column header row; a note between
the rows (``# paused: 12:30``) starts none. Each section
keeps the file's preamble (the lines above the first data row), less the entries that its own
lines give again and, when its own lines hold a column header row, less the preamble's; every
line keeps its place, so line numbers in messages are those of the file.
"""

from __future__ import annotations

import re

from . import labview_lvm as _labview_lvm
from . import multivu as _multivu
from . import text as _text

__all__ = ["split_sections"]

#: A line that may hold an entry (a comment, or a word, then ':' or '='), at the start of a line.
_ENTRY_LINE_RE = re.compile(r"^[ \t]*(?:#|%|//|[A-Za-z])[^\n]*[:=]", re.M)
#: A line that starts like a row of numbers.
_DATA_LINE_RE = re.compile(r"^[ \t]*[-+\u2212]?\.?\d", re.M)


def _maybe_sections(text: str) -> bool:
    """A quick look: whether a line that may hold an entry comes after a line that starts
    like a row of numbers (most files are dismissed here)."""
    data = _DATA_LINE_RE.search(text)
    if data is None or (text.find(":", data.end()) < 0 and text.find("=", data.end()) < 0):
        return False                # no ':' or '=' below the first row: no entry there
    last = None
    for last in _ENTRY_LINE_RE.finditer(text, data.end()):
        pass
    return last is not None


def _entries(line: str) -> list[tuple[str, str]]:
    """The ``key: value`` entries of a line (a comment or not), or []."""
    body = _text._strip_comment(line) if _text._is_comment(line) else line
    return _text.header_entries(body) if _text._looks_like_key_value(body) else []


def split_sections(text: str) -> list[tuple[str, str]] | None:
    """The sections of the text of a file, as (label, text) with every line in its place, or
    None for a file of one table.

    Parameters
    ----------
    text : str
        The decoded text of the file.
    """
    if not _maybe_sections(text):
        return None
    lines = text.splitlines()
    if _multivu.is_multivu(lines) or _labview_lvm.is_lvm(lines):
        return None         # a program's own layout: its segments are read as it says
    rows = [_text._numeric_row(ln) for ln in lines]
    data = [i for i, r in enumerate(rows) if r is not None and len(r[1]) >= 2]
    if len(data) < 2:
        return None
    first, last = data[0], data[-1]
    n = len(rows[first][1])
    above = {key for k in range(first) for key, _ in _entries(lines[k])}
    gaps = []
    i = first
    while i <= last:
        if rows[i] is None and lines[i].strip():
            j = i
            while j <= last and rows[j] is None:
                j += 1
            keys = {key for k in range(i, j) for key, _ in _entries(lines[k])}
            # a section's own head: entries that the preamble gives too (a frequency), or a
            # column header row beside its entries; a note ('# paused: 12:30') is neither
            if keys and (keys & above or any(not _entries(lines[k]) and lines[k].strip()
                                             and _header_cells(lines[k], n)
                                             for k in range(i, j))):
                gaps.append((i, j))
            i = j
        else:
            i += 1
    if not gaps:
        return None
    starts = [0] + [g[0] for g in gaps]
    ends = [g[0] for g in gaps] + [len(lines)]
    preamble = list(range(first))
    header_row = next((k for k in reversed(preamble) if lines[k].strip()
                       and not _entries(lines[k])), None)
    out = []
    for number, (a, b) in enumerate(zip(starts, ends), start=1):
        keep = set(range(a, b))
        if number > 1:
            own = {key for k in range(a, b) for key, _ in _entries(lines[k])}
            own_header = any(not _entries(lines[k]) and lines[k].strip() and _header_cells(
                lines[k], n) for k in range(a, gaps[number - 2][1]))
            for k in preamble:
                if k == header_row and own_header:
                    continue
                if own and any(key in own for key, _ in _entries(lines[k])):
                    continue
                keep.add(k)
        out.append((f"section {number}",
                    "\n".join(ln if k in keep else "" for k, ln in enumerate(lines)) + "\n"))
    return out


def _header_cells(line: str, n: int) -> bool:
    """Whether ``line`` (a comment or not) splits into the ``n`` names of a column header
    row."""
    body = _text._strip_comment(line) if _text._is_comment(line) else line
    names = _text._split_header_row(body, _text._detect_delimiter(body), n)
    return names is not None and all(_text.parse_number(c) is None for c in names)
