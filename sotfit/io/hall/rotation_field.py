"""The field of a rotation written once for the whole file rather than in a column: a preamble
entry above the table (``# Field (mT): 100``, ``B = 0.1 T``, ``Field,100 mT``) or the file name
(``rotation_100mT.csv``, ``phi_H1000Oe.dat``, the sheet ``100mT`` of a workbook).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ...units import UnitError, parse_quantity, split_header, to_house
from ..text import _is_comment, _strip_comment, header_entries, name_value_pair
from .columns import _FIELD_NAMES, _tokens
from .scan import HallReadError

__all__ = ["rotation_field"]

#: A field in a file name: an optional ``H``/``B``/``field`` prefix, a number (``p`` for the
#: decimal point) and a field unit written with its case (``100mT``, ``H_1000Oe``, ``0p1T``).
_NAME_FIELD_RE = re.compile(
    r"(?<![0-9A-Za-z.])(?:[HhBb]|field|Field|FIELD)?[_=-]?(?P<num>\d+(?:[.p]\d+)?)\s*_?"
    r"(?P<unit>mT|uT|T|Oe|oe|OE|kOe|koe|KOe|G|kG)(?![A-Za-z])")


def rotation_field(p) -> tuple[float, str] | None:
    """The field (T) of the rotation(s) of file ``p`` from its preamble or its name, and where
    it was read (for the notes); None when neither gives one.

    Parameters
    ----------
    p : str or pathlib.Path
        The file (``file.xlsx[sheet]`` for a sheet of a workbook: its name, with the sheet's).

    Raises
    ------
    HallReadError
        The preamble or the name gives two different fields, or they disagree, or a preamble
        field entry has no unit.
    """
    found = [f for f in (_from_preamble(Path(p)), _from_name(Path(p).name)) if f is not None]
    if len(found) == 2 and not np.isclose(found[0][0], found[1][0], rtol=1e-9, atol=0.0):
        raise HallReadError(f"{p}: the {found[0][1]} gives {found[0][0] * 1e3:g} mT but the "
                            f"{found[1][1]} gives {found[1][0] * 1e3:g} mT; give the field of "
                            "the rotation with the field option")
    return found[0] if found else None


def _from_name(name: str) -> tuple[float, str] | None:
    """The one field (T) a file name writes, or None."""
    values = {}
    for m in _NAME_FIELD_RE.finditer(name):
        unit = m.group("unit")
        unit = {"oe": "Oe", "OE": "Oe", "koe": "kOe", "KOe": "kOe"}.get(unit, unit)
        value = to_house(float(m.group("num").replace("p", ".")), unit, "field")[0]
        values[round(value, 15)] = m.group(0).lstrip("_=-")
    if len(values) > 1:
        raise HallReadError(f"{name}: the file name writes several fields "
                            f"({', '.join(values.values())}); give the field of the rotation "
                            "with the field option")
    if not values:
        return None
    (value, token), = values.items()
    return float(value), f"file name ({token!r})"


def _from_preamble(p: Path) -> tuple[float, str] | None:
    """The one field (T) a preamble entry of text file ``p`` gives (lines above the column
    header row: comments, ``key: value`` entries, settings of two cells), or None."""
    from .dialect import _head_lines, _sniff

    if not p.is_file():
        return None
    head = _head_lines(p)
    dialect = _sniff(head)
    if dialect is None:
        return None
    found = {}
    for i, line in enumerate(head[:dialect.header]):
        body = _strip_comment(line) if _is_comment(line) else line
        entries = header_entries(body)
        entries += [pair for d in ("\t", ";", ",")
                    if (pair := name_value_pair(body, d, numbers_only=True)) is not None]
        for key, value in entries:
            field = _entry_field(p, i, key, value)
            if field is not None:
                found[round(field, 15)] = f"preamble entry {key.strip()!r} (line {i + 1})"
    if len(found) > 1:
        raise HallReadError(f"{p}: the preamble gives several fields ({', '.join(found.values())})"
                            "; give the field of the rotation with the field option")
    if not found:
        return None
    (value, where), = found.items()
    return float(value), where


def _entry_field(p: Path, line: int, key: str, value: str) -> float | None:
    """The field (T) of one preamble entry whose name is a field's (``Field (mT)``, ``B``,
    ``H_ext``), or None for any other entry."""
    try:
        name, key_unit = split_header(key)
    except UnitError:
        return None
    if "".join(_tokens(name.lower())) not in _FIELD_NAMES:
        return None
    try:
        number, unit = parse_quantity(value.strip())
    except UnitError:
        return None
    unit = unit or key_unit
    if not unit:
        raise HallReadError(f"{p}: preamble entry {key.strip()!r} = {value.strip()!r} (line "
                            f"{line + 1}) has no unit; write it as '{key.strip()} (mT): ...' or "
                            "give the field of the rotation with the field option")
    try:
        return float(to_house(number, unit, "field")[0])
    except UnitError as exc:
        raise HallReadError(f"{p}: preamble entry {key.strip()!r} (line {line + 1}): {exc}") \
            from None
