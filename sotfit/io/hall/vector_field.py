"""The field of a vector magnet written as its Cartesian components (``Bx (mT), By (mT), Bz
(mT)``), read as the field the methods take: its magnitude and direction (docs/io.md, "Harmonic
Hall tables").

A vector magnet rotates the field by changing its components, so each component alone varies
with the angle: reading ``Bx`` as "the field" of a rotation gave a field that changes sign
within the rotation. :func:`vector_field_columns` turns the components into

* a rotation (the field's direction varies): the magnitude ``field (unit)``, and, for an
  in-plane rotation written without an angle column, the angle ``phi (deg)`` =
  atan2(By, Bx) (the magnet's x axis along the current, as docs/CONVENTIONS.md has it);
* a sweep along one direction: the signed component along it, named by its axis (``Bx``,
  ``By``, ``B30`` for 30 deg in the plane, ``Bz``), as a sweep's axis is read from its name.

Components are taken in the magnet's frame; where the table also holds an angle column, that
column is the angle read and the components give only the field.
"""

from __future__ import annotations

import re

import numpy as np

from ...units import UnitError, split_header, to_house
from .columns import _DIRECTION_WORDS, _FIELD_NAMES, _compact, _harmonic_of, _is_angle_col, _tokens
from .options import _col_opt, _opt
from .scan import HallReadError

__all__ = ["vector_field_columns", "ALIGNED_DEG", "IN_PLANE_FRACTION"]

#: Largest angle (deg) between the field's directions of a sweep along one axis, and between an
#: angle column and the components' in-plane angle (after a constant offset).
ALIGNED_DEG = 2.0
#: Largest out-of-plane part of the field (|Bz| / |B|) of a rotation read as in-plane.
IN_PLANE_FRACTION = 0.02
#: Rows whose field is below this fraction of the largest give no direction (a sweep's zero).
_DIRECTION_FLOOR = 0.02

_COMPONENT_RE = re.compile(r"^(?P<family>mu0h|h|b|field)_?(?P<axis>[xyz])$")


def _components(columns) -> dict[str, dict[str, object]]:
    """The field component columns of ``columns`` by family (``b``, ``h``, ...) and axis."""
    out: dict[str, dict[str, object]] = {}
    for c in columns:
        if _harmonic_of(c) is not None:
            continue
        toks = [t.lower() for t in _tokens(str(c).split("(")[0].split("[")[0])]
        if toks and toks[-1] in _DIRECTION_WORDS:       # 'Hx_up': a sweep's label
            continue
        m = _COMPONENT_RE.match("".join(toks))
        if m is not None:
            out.setdefault(m.group("family"), {}).setdefault(m.group("axis"), c)
    return out


def _unit_of(p, column) -> str | None:
    try:
        return split_header(str(column))[1]
    except UnitError as exc:
        raise HallReadError(f"{p}: column {column!r}: {exc}") from None


def vector_field_columns(p, df):
    """The table ``df`` with the field components of a vector magnet replaced by the field the
    methods read, and a note; None for a table without two or more components of one field.

    Parameters
    ----------
    p : path-like
        The file (named in messages).
    df : pandas.DataFrame
        The table as read.

    Returns
    -------
    (pandas.DataFrame, str) or None

    Raises
    ------
    HallReadError
        Components in different units of which one has none; a field out of the plane at an
        angle other than the normal; an in-plane rotation whose angle column does not follow
        the components' angle; a rotation out of the plane without an angle column.
    """
    import pandas as pd

    cols = list(df.columns)
    if any(_compact(c) in _FIELD_NAMES for c in cols):
        return None                         # a field column of its own: the components are extra
    families = {f: axes for f, axes in _components(cols).items() if len(axes) >= 2}
    if len(families) != 1:
        return None
    (family, axes), = families.items()
    where = sorted(cols.index(c) for c in axes.values())
    if any(_harmonic_of(c) is not None for c in cols[where[0]:where[-1]]):
        return None                         # 'Hx, Hx_1f_voltage, Hy, ...': sweeps side by side
    units = {a: _unit_of(p, c) for a, c in axes.items()}
    named = ", ".join(repr(c) for c in axes.values())
    if len(set(units.values())) == 1:
        unit = next(iter(units.values()))
        scale = {a: 1.0 for a in axes}
    elif None in units.values():
        raise HallReadError(f"{p}: the field components {named} are not all in one unit and "
                            "some have none: write the unit of each in its header")
    else:
        unit = "T"
        scale = {a: float(to_house(1.0, units[a], "field")[0]) for a in axes}
    comp = {a: pd.to_numeric(df[axes[a]], errors="coerce").to_numpy(float) * scale[a]
            for a in axes}
    zeros = np.zeros(len(df))
    b = np.column_stack([comp.get(a, zeros) for a in "xyz"])
    mag = np.sqrt(np.sum(b * b, axis=1))
    finite = np.isfinite(mag)
    if not finite.any() or np.nanmax(mag) == 0:
        return None
    strong = finite & (mag >= _DIRECTION_FLOOR * np.nanmax(mag))
    dirs = b[strong] / mag[strong, None]
    ref = dirs[np.argmax(mag[strong])]
    cos_aligned = np.cos(np.radians(ALIGNED_DEG))
    label = f"{family.upper() if family != 'mu0h' else 'mu0H'}"
    suffix = f" ({unit})" if unit else ""
    out = df.drop(columns=list(axes.values()))
    if np.all(np.abs(dirs @ ref) >= cos_aligned):               # a sweep along one direction
        u = ref if ref[np.argmax(np.abs(ref))] > 0 else -ref
        if abs(u[2]) >= cos_aligned:
            name, where = f"{label}z", "along z"
        elif abs(u[2]) <= np.sin(np.radians(ALIGNED_DEG)):
            angle = float(np.degrees(np.arctan2(u[1], u[0]))) % 180.0
            angle = round(angle, 1)
            name = {0.0: f"{label}x", 90.0: f"{label}y"}.get(angle, f"{label}{angle:g}")
            where = f"in the plane at {angle:g} deg from x"
        else:
            tilt = float(np.degrees(np.arccos(abs(u[2]))))
            raise HallReadError(
                f"{p}: the field components {named} sweep the field along a direction {tilt:.1f} "
                "deg from the film normal, neither in the plane nor along it: give its angles "
                f"with {_opt('theta_h')} and {_opt('phi_h')} and name the column to read with "
                f"{_col_opt('field', next(iter(axes.values())))}")
        out.insert(0, name + suffix, b @ u)
        return out, (f"the field components {named} read as a sweep {where} (the component "
                     f"along it, column {name + suffix!r})")
    # to 12 digits: components written to the bit give one magnitude, not a jitter of 1e-16
    step = 10.0 ** (np.floor(np.log10(np.nanmax(mag))) - 11)
    out.insert(0, "field" + suffix, np.round(mag / step) * step)
    angle_cols = [c for c in cols if _is_angle_col(c)]
    in_plane = np.nanmax(np.abs(b[finite, 2]) / np.where(mag[finite] > 0, mag[finite], 1.0)) \
        <= IN_PLANE_FRACTION
    if not in_plane:
        if not angle_cols:
            raise HallReadError(f"{p}: the field components {named} rotate the field out of "
                                "the plane and the table has no angle column: add the polar "
                                "angle of each row as a column 'theta (deg)'")
        return out, (f"the field components {named} read as the field's magnitude (column "
                     f"'field{suffix}'); the angle from {angle_cols[0]!r}")
    phi = np.degrees(np.unwrap(np.arctan2(b[:, 1], b[:, 0])))
    if not angle_cols:
        out.insert(1, "phi (deg)", phi)
        return out, (f"the field components {named} read as the field's magnitude (column "
                     f"'field{suffix}') and in-plane angle phi = atan2(By, Bx) (column "
                     "'phi (deg)'; the magnet's x axis along the current)")
    given = pd.to_numeric(df[angle_cols[0]], errors="coerce").to_numpy(float)
    try:
        angle_unit = split_header(str(angle_cols[0]))[1]
    except UnitError:
        angle_unit = None
    if angle_unit == "rad":
        given = np.degrees(given)
    ok = strong & np.isfinite(given)
    sense = []
    for sign in (1.0, -1.0):
        d = np.angle(np.exp(1j * np.radians(given[ok] - sign * phi[ok])))
        d = np.degrees(np.angle(np.exp(1j * (d - np.angle(np.mean(np.exp(1j * d)))))))
        if d.size and np.max(np.abs(d)) <= ALIGNED_DEG:
            sense.append(sign)
    if not sense:
        raise HallReadError(f"{p}: the angle column {angle_cols[0]!r} does not follow the "
                            f"in-plane angle of the field components {named} (atan2(By, Bx)) "
                            "up to a constant offset: which of the two is the field's angle "
                            "the file does not say: name the columns to read with "
                            f"{_col_opt('angle', angle_cols[0])} and "
                            f"{_col_opt('field', next(iter(axes.values())))}")
    turn = "" if sense[0] > 0 else (" (it turns the other way round from atan2(By, Bx): the "
                                    "angle column's sense is read)")
    return out, (f"the field components {named} read as the field's magnitude (column "
                 f"'field{suffix}'); the angle from {angle_cols[0]!r}{turn}")
