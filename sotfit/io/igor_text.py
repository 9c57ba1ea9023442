"""Igor Text files (``.itx``, as Igor Pro saves waves with *Save Waves > Igor Text*), read as the
tables they hold.

Such a file opens with a line ``IGOR``; each block of waves is a line ``WAVES[/flags] name1
name2 ...``, a line ``BEGIN``, one row of numbers per point, and a line ``END``; lines ``X
command; command`` after a block hold Igor commands, among them the units of the waves::

    X SetScale d 0,0,"mT", Field_mT; SetScale d 0,0,"uV", Vmix_uV
    X SetScale/P x 0.05,0.0005,"T", Vmix

``SetScale d ... "unit", wave`` gives a wave's data unit; ``SetScale/P x x0,dx,"unit", wave``
(or ``/I x first,last``) gives a wave its x values, as Igor users keep a sweep on a uniform
field grid: the wave of a block of one wave, or each wave of a block of several whose x unit
is a field unit (unless a wave of that block holds the field itself). :func:`igor_text_lines`
turns the lines into those of a plain tab-separated table: the column header row (each wave's
name with its unit, ``Field_mT (mT)``; a wave with x values gets a column before it, ``x (T)``
when it is the file's one such wave, else ``Vmix_8GHz.x (T)``, as Igor names a wave's x
values in a table, so that each is a column pair named by its wave) on the ``WAVES`` line,
the rows in their places, the other lines blank (the ``Note`` of the waves written as a
comment line above the names, whose settings, ``f = 8 GHz``, are header entries). Blocks of as
many rows are read side by side, their rows at those of the first block; blocks of different
numbers of rows only when each of their waves has its x values (the shorter ones blank below
their last row). The file itself is never modified.
"""

from __future__ import annotations

import re

from ..data import DataError
from ..units import UnitError, dimension_of

__all__ = ["is_igor_text", "igor_text_lines"]

_WAVES_RE = re.compile(r"^\s*WAVES(?P<flags>/\S*)?\s+(?P<names>.+?)\s*$", re.I)
_SETSCALE_RE = re.compile(
    r"SetScale(?P<flag>/[PI])?\s+(?P<dim>[dx])\s+(?P<a>[^,]+),\s*(?P<b>[^,]+),\s*"
    r"\"(?P<unit>[^\"]*)\"\s*,\s*'?(?P<wave>[^;,'\s]+)'?", re.I)
#: What the note of an Igor Text file says of the items of its waves' notes that differ between
#: the waves (each wave's own settings, not read as the file's header entries).
WAVES_OWN_NOTES = "the settings in which the waves' notes differ are not read as the file's"
_NOTE_RE = re.compile(r"Note(?:/\S*)?\s+'?(?P<wave>[^,'\s]+)'?\s*,\s*\"(?P<text>[^\"]*)\"", re.I)


def is_igor_text(lines) -> bool:
    """Whether the first line of ``lines`` that is not blank is ``IGOR`` (case and blanks
    ignored)."""
    return next((ln.strip().upper() for ln in lines if ln.strip()), "") == "IGOR"


def _blocks(name: str, lines: list[str]) -> list[tuple[int, list[str], list[int]]]:
    """The blocks of waves: (index of the WAVES line, wave names, indices of the rows)."""
    out = []
    i = 0
    while i < len(lines):
        m = _WAVES_RE.match(lines[i])
        if m is None:
            i += 1
            continue
        if "/N=" in (m.group("flags") or "").upper():
            raise DataError(f"{name}: line {i + 1} holds a wave of two or more dimensions "
                            f"({lines[i].strip()[:40]!r}); save the field and the voltage as "
                            "waves of one dimension each (Save Waves > Igor Text)")
        names = [n.strip("'") for n in re.split(r"[\s,]+", m.group("names")) if n.strip("'")]
        begin = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
        if begin is None or lines[begin].strip().upper() != "BEGIN":
            raise DataError(f"{name}: line {i + 1} ('WAVES ...') is not followed by 'BEGIN'; "
                            "not an Igor Text file sotfit can read")
        end = next((j for j in range(begin + 1, len(lines))
                    if lines[j].strip().upper() == "END"), None)
        if end is None:
            raise DataError(f"{name}: the block of waves from line {i + 1} has no line 'END'")
        rows = [j for j in range(begin + 1, end) if lines[j].strip()]
        out.append((i, names, rows))
        i = end + 1
    if not out:
        raise DataError(f"{name}: an Igor Text file (first line 'IGOR') without a line "
                        "'WAVES name ...'")
    return out


def _scales(lines: list[str]) -> tuple[dict, dict, dict]:
    """The data units, x scalings ((kind, a, b, unit)) and notes of the waves, from the
    ``X`` command lines."""
    units, xs, notes = {}, {}, {}
    for ln in lines:
        s = ln.strip()
        if not s[:2].upper() == "X ":
            continue
        for m in _SETSCALE_RE.finditer(s):
            if m.group("dim").lower() == "d":
                units[m.group("wave")] = m.group("unit").strip()
            elif m.group("flag"):
                xs[m.group("wave")] = (m.group("flag")[1].upper(), float(m.group("a")),
                                       float(m.group("b")), m.group("unit").strip())
        for m in _NOTE_RE.finditer(s):
            notes[m.group("wave")] = m.group("text").replace("\\r", "; ").replace("\\n", "; ")
    return units, xs, notes


def _named(name: str, unit: str) -> str:
    return f"{name} ({unit})" if unit else name


def _field_unit(unit: str) -> bool:
    """Whether ``unit`` (an x scaling's) is a unit of magnetic field (``mT``, ``Oe``)."""
    try:
        return bool(unit) and dimension_of(unit) == "field"
    except (UnitError, KeyError):
        return False


def _x_scaled(blocks, units: dict, xs: dict) -> set:
    """The waves that get their x values as a column of their own: the wave of a block of one
    wave with an x scaling, and each wave of a block of several whose x scaling is in a unit
    of field, unless a wave of that block holds the field itself (its data unit a field unit:
    the block's field column, as before)."""
    out = set()
    for _, names, _ in blocks:
        if len(names) == 1:
            out.update(w for w in names if w in xs)
        elif not any(_field_unit(units.get(w, "")) for w in names):
            out.update(w for w in names if w in xs and _field_unit(xs[w][3]))
    return out


def igor_text_lines(name: str, lines: list[str]):
    """The lines of an Igor Text file as a plain tab-separated table, and the note to give.

    Each wave with its own x values (:func:`_x_scaled`) is a column pair: a column of the x
    values, then the wave. The x column is ``x (unit)`` when one wave of the file has one,
    else ``wave.x (unit)`` (as Igor names a wave's x values in a table), so that the pairs
    are read as column pairs named per column (``vmix_4GHz.x (mT)``, ``vmix_4GHz (uV)``: one
    spectrum each, its frequency from the wave's name). Blocks of different numbers of points
    are read side by side only when every wave has its own x values (a block shorter than the
    longest one gets empty cells below its last point).

    Parameters
    ----------
    name : str
        The file's name, for messages.
    lines : list of str
        The file's lines (:func:`is_igor_text` is true of them).

    Returns
    -------
    (list of str, str)
        The lines, as many as given, and what was done to them.

    Raises
    ------
    DataError
        A block without ``BEGIN`` or ``END``, or blocks of different numbers of rows where a
        wave has no x values of its own.
    """
    blocks = _blocks(name, lines)
    units, xs, wave_notes = _scales(lines)
    scaled = _x_scaled(blocks, units, xs)
    counts = sorted({len(rows) for _, _, rows in blocks})
    all_scaled = all(w in scaled for _, names, _ in blocks for w in names)
    if len(counts) > 1 and not all_scaled:
        raise DataError(
            f"{name}: its blocks of waves have different numbers of points ("
            + ", ".join(f"{' '.join(ns)}: {len(rows)}" for _, ns, rows in blocks)
            + "); save the waves of one sweep in one block (Save Waves with them selected "
            "together)")
    first_at = blocks[0][0]
    # the rows go at the lines of the first of the longest blocks
    first_rows = next(rows for _, _, rows in blocks if len(rows) == counts[-1])
    own = len(scaled) > 1       # several waves with x values: each x column named by its wave
    header = []                 # column names
    for _, names, _ in blocks:
        for wave in names:
            if wave in scaled:
                header.append(_named(f"{wave}.x" if own else "x", xs[wave][3]))
            header.append(_named(wave, units.get(wave, "")))
    out = ["" for _ in lines]
    notes, differing = _file_notes(wave_notes)
    if notes:       # above the column names, on the line 'IGOR' (first_at >= 1)
        out[0] = "# " + "; ".join(notes)
    out[first_at] = "\t".join(header)
    for r, line_index in enumerate(first_rows):
        cells = []
        for _, names, rows in blocks:
            if r >= len(rows):      # a shorter block (every wave with its own x values)
                cells.extend([""] * (2 * len(names)))
                continue
            values = lines[rows[r]].split()
            if not any(wave in scaled for wave in names):
                cells.extend(values)
                continue
            for k, wave in enumerate(names):
                if wave in scaled:
                    kind, a, b, _ = xs[wave]
                    n = len(rows)
                    step = b if kind == "P" else ((b - a) / (n - 1) if n > 1 else 0.0)
                    cells.append(repr(a + r * step))
                cells.append(values[k] if k < len(values) else "")
        out[line_index] = "\t".join(cells)
    points = (f"{counts[0]}" if len(counts) == 1
              else f"{counts[0]} to {counts[-1]}")
    note = (f"an Igor Text file: waves {', '.join(h for h in header)} read from "
            f"{len(blocks)} block(s) of {points} points"
            + ("" if len(blocks) == 1 else ", side by side at the lines of the first block"
               if len(counts) == 1 else ", side by side at the lines of the longest block")
            + ("" if not scaled else "; x values from the waves' x scaling" if not own
               else "; each wave's x values from its x scaling, in a column of their own "
                    "before it"))
    if notes:
        note += f"; the waves' notes read as header entries ({'; '.join(notes)[:60]!r})"
    if differing:
        note += (f"; {WAVES_OWN_NOTES} ("
                 + "; ".join(f"{wave}: {text!r}" for wave, text in differing.items())[:160]
                 + ")")
    return out, note


def _file_notes(wave_notes: dict) -> tuple[list[str], dict]:
    """The items of the waves' notes that are the file's, and the waves' own.

    A note is split into items at ``;`` (its line breaks read as such). An item written alike
    in the note of every wave with one is a setting of the file, a header entry; an item that
    differs between the waves' notes (``f = 8 GHz`` for one, ``f = 10 GHz`` for another) is a
    setting of its wave, and joined with the others as one header it gave every wave the
    first wave's value: three sweeps at 8, 10 and 12 GHz were read at 8 GHz.

    Parameters
    ----------
    wave_notes : dict
        ``{wave: note}``.

    Returns
    -------
    (list of str, dict)
        The items common to every note, in order, each once; and ``{wave: the items of its
        note left out}`` for the waves whose notes hold items of their own.
    """
    items = {w: [i.strip() for i in text.split(";") if i.strip()]
             for w, text in wave_notes.items() if text.strip()}
    if not items:
        return [], {}
    common = [i for i in dict.fromkeys(i for its in items.values() for i in its)
              if all(i in its for its in items.values())]
    own = {w: "; ".join(i for i in its if i not in common) for w, its in items.items()}
    return common, {w: text for w, text in own.items() if text}
