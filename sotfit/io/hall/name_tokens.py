"""A token (a field, an m_z state) taken out of a column's name, the separators it leaves tidied,
so that the columns of every field or state of a table side by side get the same name."""

from __future__ import annotations

import re

__all__ = ["name_without"]

#: Separators left where a token is taken out of a name: before the unit (``X1_ (uV)``).
_BEFORE_UNIT = re.compile(r"[_\-=\s.]+(?=[(\[])")
#: Separators doubled where the token stood (``phi__X1``, ``V2w  (uV)``).
_DOUBLED = re.compile(r"[_\-=\s]{2,}")


def name_without(name: str, start: int, stop: int) -> str:
    """``name`` without the characters ``name[start:stop]``, separators tidied.

    Parameters
    ----------
    name : str
        A column name (``'X1_5mT (uV)'``, ``'V2w +Mz (uV)'``).
    start, stop : int
        Where the token lies in ``name``.

    Returns
    -------
    str
        The rest: separators before a unit become one space, doubled separators one
        underscore (one space when they hold none), and separators at either end go
        (``'X1 (uV)'``, ``'V2w (uV)'``).
    """
    rest = _BEFORE_UNIT.sub(" ", name[:start] + name[stop:])
    rest = _DOUBLED.sub(lambda m: "_" if "_" in m.group(0) else " ", rest)
    return rest.strip(" _-=.")
