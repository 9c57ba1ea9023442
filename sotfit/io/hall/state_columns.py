"""Sweeps of both perpendicular states written side by side in one table, the state in the column
names (``B (mT), X1_up (uV), X2_up (uV), X1_down (uV), X2_down (uV)``, or ``V2w +Mz``,
``V2w -Mz``), read as the long table they hold: the rows of each state one after another, with
an m_z-state column (docs/io.md, "States side by side").
"""

from __future__ import annotations

import functools
import re

import numpy as np

from .columns import _harmonic_of
from .field_columns import _lines_of_rows
from .loops import _switch
from .name_tokens import name_without
from .scan import HallReadError

__all__ = ["states_side_by_side", "STATE_COLUMN"]

#: The name of the m_z-state column the long table gets.
STATE_COLUMN = "mz_state"

#: A state in a column's name, as a word of its own: ``up``/``down`` (optionally after
#: ``Mz``/``M``: ``Mz_up``), ``pos``/``neg``/``positive``/``negative`` after ``Mz`` or ``M``
#: (``Mz_pos``), or a sign beside ``Mz`` or ``M`` (``+Mz``, ``Mz-``, ``-M``).
_STATE_RE = re.compile(
    r"(?:(?<=^)|(?<=[_\s.]))(?:m_?z?[_\s]?)?(?P<w>up|down)(?=$|[_\s.(\[])"
    # pos/neg only after Mz or M: bare, they are as often the field's polarity ('X1_pos' over
    # a column of |B|, read as m_z = +1 and -1 at +|B|: torques of the wrong size)
    r"|(?:(?<=^)|(?<=[_\s.]))m_?z?[_\s]?(?P<p>pos|neg|positive|negative)(?=$|[_\s.(\[])"
    r"|(?:(?<=^)|(?<=[_\s.]))(?P<a>[+-])\s?m_?z?(?=$|[_\s.(\[])"
    r"|(?:(?<=^)|(?<=[_\s.]))m_?z?\s?(?P<b>[+-])(?=$|[_\s.(\[])", re.I)
_WORDS = {"up": 1, "pos": 1, "positive": 1, "down": -1, "neg": -1, "negative": -1}


def _state_of(column) -> tuple[int, str, str] | None:
    """The state (+1, -1) one state word in the name of ``column`` gives, its text, and the name
    without it; None for a name with none or more than one."""
    name = str(column)
    unit_at = re.search(r"[(\[]", name)
    head = name[:unit_at.start()] if unit_at else name
    hits = list(_STATE_RE.finditer(head))
    if len(hits) != 1:
        return None
    (hit,) = hits
    word = hit.group("w") or hit.group("p")
    sign = _WORDS[word.lower()] if word else \
        (1 if (hit.group("a") or hit.group("b")) == "+" else -1)
    return sign, hit.group(0).strip(), name_without(name, hit.start(), hit.end())


def states_side_by_side(path, df):
    """The long table of a table of both m_z states side by side, or None for any other table.

    A table is read so when every harmonic column's name carries one state word (``X1_up``,
    ``X1_down``, ``V2w +Mz``), both states have the same harmonic columns once the word is taken
    out, and no column is already the state's. The other columns (the field, an angle, a time)
    go with both states.

    Parameters
    ----------
    path : path-like
        The file, for messages.
    df : pandas.DataFrame
        A table as the reader found it (``attrs['lines']`` the file lines of its rows).

    Returns
    -------
    (pandas.DataFrame, str) or None
        The rows of the +1 state, then those of the -1 state, with the column ``mz_state``; and
        the note that says so.

    Raises
    ------
    HallReadError
        When a state's first harmonic switches within the sweep, or both states' first harmonics
        lie at one level: then the words are the sweep's direction (a hysteresis loop, or two
        sweeps of one state), not the state, and the rows of a falling sweep would be read in
        rising order.
    """
    import pandas as pd

    groups: dict[int, dict] = {}
    shared, texts = [], {}
    for c in df.columns:
        if _harmonic_of(c) is not None:
            found = _state_of(c)
            if found is None:
                return None
            sign, text, rest = found
            if _harmonic_of(rest) is None or rest in groups.setdefault(sign, {}).values():
                return None
            groups[sign][c] = rest
            texts.setdefault(sign, []).append(text)
        elif _state_of(c) is not None or str(c).strip().lower() in ("mz_state", "mz", "state"):
            return None
        else:
            shared.append(c)
    if set(groups) != {1, -1} or len({tuple(sorted(g.values())) for g in groups.values()}) != 1:
        return None
    _refuse_directions(path, df, groups)
    parts, lines = [], []
    for sign in (1, -1):
        columns = groups[sign]
        part = df[shared + list(columns)].rename(columns=columns)
        filled = np.flatnonzero(part[list(columns.values())].notna().any(axis=1).to_numpy())
        rows = np.arange(filled[-1] + 1 if filled.size else 0)
        parts.append(part.iloc[rows].assign(**{STATE_COLUMN: sign}))
        lines.append(rows)
    out = pd.concat(parts, ignore_index=True)
    out.attrs["lines"] = functools.partial(_lines_of_rows, df.attrs.get("lines"),
                                           np.concatenate(lines))
    up, down = (", ".join(repr(c) for c in groups[s]) for s in (1, -1))
    note = (f"the columns of both m_z states side by side, the state in their names: {up} read "
            f"as m_z = +1, {down} as m_z = -1")
    return out, note


def _refuse_directions(path, df, groups) -> None:
    """Refuse state words that are a sweep's direction: a first harmonic that switches (a step of
    a quarter of the range of both states' first harmonics, :func:`sotfit.io.hall.loops._switch`),
    or the two states' first harmonics at one level (two states lie 2 R_AHE apart, further than
    either varies over its sweep)."""
    import pandas as pd

    first = {}
    for sign, columns in groups.items():
        for c, rest in columns.items():
            # the signal of the first harmonic: X, R, V (the quadrature Y lies near zero in
            # both states, and refused every table that had it)
            if _harmonic_of(rest)[0] == 1 and _harmonic_of(rest)[1] in ("x", "r", "v"):
                v = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)
                first.setdefault(rest, {})[sign] = (c, v[np.isfinite(v)])
    pairs = [p for p in first.values() if len(p) == 2 and all(v.size for _, v in p.values())]
    if not pairs:
        return
    scale = float(np.ptp(np.concatenate([v for p in pairs for _, v in p.values()])))
    why = ("'up'/'down' may be the sweep's directions (its rows run in the order of the field "
           "column, not of the sweep); write each sweep as its own field and voltage columns "
           "(read as pairs side by side, the state from its jump or --mz-state), or name one "
           "column with --column")
    for p in pairs:
        for c, v in p.values():
            if _switch(v, scale) is not None:
                raise HallReadError(f"{path}: column {c!r} names an m_z state "
                                    f"({_state_of(c)[1]!r}) but switches within its sweep: {why}")
        (cu, vu), (cd, vd) = p[1], p[-1]
        if abs(float(np.median(vu) - np.median(vd))) <= max(np.ptp(vu), np.ptp(vd)):
            raise HallReadError(f"{path}: columns {cu!r} and {cd!r} name the two m_z states but "
                                "their first harmonics lie at one level (two states lie "
                                f"2 R_AHE apart): {why}")
