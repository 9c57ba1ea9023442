"""A row of units below the row of column names (``Field<TAB>Vmix``, then ``mT<TAB>uV``), as
Origin, Igor and many instrument programs write a table's header, read as names with units.

Origin's ASCII export writes up to four rows above the data: short names, long names, units and
comments. :func:`with_units_joined` finds, among the rows directly above the data that split
into one name per column and hold no number, a row whose every cell is a unit that sotfit
knows (or is blank, or says the column has none: ``a.u.``, ``arb. units``, ``-``); the row just
above it names the columns. The units are written into the names (``Field (mT)``) and the
other rows of the header (short names, comments) are not read, each line kept in its place so
that line numbers in messages are those of the file, and the note says so. The file itself is
never modified.
"""

from __future__ import annotations

import re

from ..units import UnitError, normalise_unit, split_header

__all__ = ["with_units_joined"]

#: Cells of a units row that say a column has no unit.
_NO_UNIT = {"", "-", "--", "1", "a.u.", "a.u", "au", "arb.u.", "arb. u.", "arb. units",
            "arb.units", "arbitrary units", "counts", "none", "n/a"}
#: Units of quantities sotfit reads in no column, as a units row writes them for the columns
#: beside the data (a LabVIEW log's time stamp, a cryostat's temperature, a power meter's
#: reading): a units row may hold them (it was refused, naming its column names as a line of
#: no kind, with no option to read the file). Lower case; ``h``, ``W`` and ``C`` are left out,
#: since they also name columns (a row of short names).
_OTHER_UNITS = {"sec", "secs", "second", "seconds", "ms", "msec", "min", "mins", "minute",
                "minutes", "hr", "hrs", "hour", "hours", "hh:mm:ss", "hh:mm:ss.sss",
                "hh:mm:ss.ms", "hh:mm", "°c", "\u2103", "degc", "deg c", "mw", "uw", "\u00b5w",
                "mbar", "torr", "rpm"}
_BRACKETS_RE = re.compile(r"^[(\[]\s*(?P<u>.*?)\s*[)\]]$")
_DIGIT_RE = re.compile(r"\d")


def _unit(cell: str):
    """The unit a cell of a units row names (``'mT'``, ``'(mT)'``, ``'[uV]'``, or one of
    :data:`_OTHER_UNITS`, ``'sec'``), ``''`` for a cell that says the column has none, or None
    for a cell that is no unit."""
    c = cell.strip().strip('"').strip()
    m = _BRACKETS_RE.match(c)
    if m:
        c = m.group("u")
    if c.lower() in _NO_UNIT:
        return ""
    if c.lower() in _OTHER_UNITS:
        return c
    try:
        normalise_unit(c)
    except UnitError:
        return None
    return c


def _joined(name: str, comment: str, unit) -> str:
    """A column's name with its comment (when it tells it apart from another of the same name)
    and its unit written in: ``Mixing Voltage 8 GHz (µV)``."""
    if comment:
        if _has_unit(name):
            base, _, rest = name.rpartition("(")
            name = f"{base.rstrip()} {comment} ({rest}" if base else f"{name} {comment}"
        else:
            name = f"{name} {comment}"
    return name if not unit or _has_unit(name) else f"{name} ({unit})"


def _twin_comments(names: list[str], cells: list[str] | None) -> list[str] | None:
    """The comments that tell apart columns of one name (Origin's long names of several
    curves, ``Mixing Voltage`` three times, with the comments ``8 GHz``, ``10 GHz``,
    ``12 GHz`` that its legend shows): the comments row's ``cells`` for the columns whose name
    another column shares, ``''`` for the others (a comment is never read into a name of its
    own); None when no name is shared or the row does not give every such column a name of its
    own.

    Origin's XY pairs of several sweeps (``Magnetic Field, Mixing Voltage`` written once per
    sweep) often carry the comment under the curve alone, the x column's cell blank (or the
    same for every x column): a column of such a name whose comments do not tell its twins
    apart takes the comment of the column right after it, when that column is a twin of
    another name whose comment does (:func:`_pair_comments`).
    """
    keys = [n.strip().lower() for n in names]
    twins = [k for k in range(len(names)) if keys.count(keys[k]) > 1]
    if not twins or cells is None:
        return None
    cells = _pair_comments(keys, list(cells), twins)
    if any(not cells[k] for k in twins) \
            or len({keys[k] + " " + cells[k].lower() for k in twins}) != len(twins):
        return None
    return [cells[k] if k in twins else "" for k in range(len(names))]


def _pair_comments(keys: list[str], cells: list[str], twins: list[int]) -> list[str]:
    """The comments row with the x columns of Origin's XY pairs given the comment of their
    curve: every column of a name whose comments do not tell its twins apart (blank, or one
    comment for all), when each is followed by a column of another shared name whose comments
    tell that name's columns apart, takes that column's comment (``Magnetic Field`` over
    ``''`` beside ``Mixing Voltage`` over ``8 GHz``: ``8 GHz`` for both). Any other row is
    returned as it is."""
    out = list(cells)
    for key in dict.fromkeys(keys[k] for k in twins):
        group = [k for k in twins if keys[k] == key]
        comments = [cells[k].lower() for k in group]
        if all(comments) and len(set(comments)) == len(group):
            continue                                   # told apart by their own comments
        nxt = [k + 1 for k in group]
        if any(j >= len(keys) or j not in twins or keys[j] == key or not cells[j] for j in nxt):
            continue
        partners = {keys[j] for j in nxt}
        told = all(len({cells[i].lower() for i in twins if keys[i] == p})
                   == sum(1 for i in twins if keys[i] == p) for p in partners)
        if told and len({cells[j].lower() for j in nxt}) == len(nxt):
            for k, j in zip(group, nxt):
                out[k] = cells[j]
    return out


def _has_unit(name: str) -> bool:
    """Whether a column name already carries a unit that sotfit reads (``Field (mT)``)."""
    try:
        return split_header(name)[1] is not None
    except UnitError:
        return True  # a unit sotfit does not know: its own error names it


def with_units_joined(lines: list[str], start: int, delimiter: str, n: int):
    """The lines of a file whose header is a row of names above a row of units, with the units
    written into the names, and the note to give; ``None`` for any other file.

    Parameters
    ----------
    lines : list of str
        The file's lines.
    start : int
        Index of the first data row.
    delimiter : str
        The data's delimiter (``'\t'``, ``','``, ``';'`` or ``'whitespace'``).
    n : int
        The number of data columns: each row of the header splits into as many cells.

    Returns
    -------
    (list of str, int, str, tuple of str or None) or None
        The lines, as many as given; the index of the line that now holds the column names;
        the note; each column's cell of the comments row below the units (Origin's, whose
        legend shows it: ``8 GHz``), None when there is none or it was written into the names.
        The units row and the other rows of the header are made blank (a settings row a comment
        line of its entries).
    """
    from .text import _is_content, _looks_like_key_value, _split_header_row, parse_number

    run: list[tuple[int, list[str]]] = []
    settings_row = None     # Origin's comments row holding settings ('f = 8 GHz') above the data
    for i in range(start - 1, -1, -1):
        if not lines[i].strip():
            continue
        if not _is_content(lines[i]):
            break
        if _looks_like_key_value(lines[i]):
            cells = _split_header_row(lines[i], delimiter, n)
            if run or settings_row is not None or cells is None:
                break
            entries = [c.strip() for c in cells if c.strip() and _looks_like_key_value(c)]
            # the other cells are comments of free text ('set point' beside 'f = 6 GHz')
            if not entries or any(c.strip() and not _looks_like_key_value(c)
                                  and _DIGIT_RE.search(c) for c in cells):
                break
            settings_row = (i, entries, [c.strip() for c in cells
                                         if c.strip() and not _looks_like_key_value(c)])
            continue
        cells = _split_header_row(lines[i], delimiter, n)
        if cells is None or any(c.strip() and parse_number(c) is not None for c in cells):
            break
        run.insert(0, (i, cells))
    units_at = next((k for k in range(1, len(run))
                     if all(_unit(c) is not None for c in run[k][1])
                     and any(_unit(c) and _unit(c).lower() not in _OTHER_UNITS
                             for c in run[k][1])), None)
    if units_at is None:
        return None
    (i_names, names), (i_units, units) = run[units_at - 1], run[units_at]
    # Origin's comments row below the units: names twin columns, else kept as the comments
    i_below, below = run[units_at + 1] if units_at + 1 < len(run) else (None, None)
    cells = None if below is None else [c.strip().strip('"').strip() for c in below]
    twins = _twin_comments(names, cells)
    i_comments = i_below if twins is not None else None
    kept = tuple(cells) if twins is None and cells is not None and any(cells) else None
    i_kept = i_below if kept is not None else None
    comments = twins or [""] * len(names)
    borrowed = [k for k in range(len(names)) if twins is not None and comments[k]
                and comments[k] != cells[k]]
    joined = [_joined(name, comment, _unit(u)) for name, comment, u in zip(names, comments, units)]
    out = list(lines)
    out[i_names] = ("\t" if delimiter == "whitespace" else delimiter).join(joined)
    others = [i for i, _ in run if i != i_names]
    for i in others:
        out[i] = ""
    unread = [i + 1 for i, _ in run if i not in (i_names, i_units, i_comments, i_kept)]
    note = (f"the units on line {i_units + 1} ({', '.join(repr(u.strip()) for u in units)}) read "
            f"with the column names on line {i_names + 1}"
            + (f"; the comments on line {i_comments + 1} "
               f"({', '.join(repr(c) for c, own in zip(comments, cells) if c and c == own)}) "
               "tell the columns of one name apart" if i_comments is not None else "")
            + (f" (column(s) {', '.join(str(k + 1) for k in borrowed)} ("
               f"{', '.join(repr(n) for n in dict.fromkeys(names[k].strip() for k in borrowed))}"
               "), the x of an XY pair, without a comment that tells them apart, take that of "
               "the column after them)"
               if borrowed else "")
            + (f"; line {i_kept + 1} holds the columns' comments "
               f"({', '.join(repr(c) for c in kept if c)})" if kept is not None else "")
            + (f"; line(s) {', '.join(map(str, unread))} of the header (short names or comments) "
               "not read" if unread else ""))
    if settings_row is not None:    # read as the header entries of a comment line
        i, cells, prose = settings_row
        out[i] = "# " + " ; ".join(cells)
        note += (f"; the settings of line {i + 1} ({', '.join(map(repr, cells))}) read as header "
                 "entries" + (f", its comments of free text ({', '.join(map(repr, prose))}) not "
                              "read" if prose else ""))
    return out, i_names, note, kept
