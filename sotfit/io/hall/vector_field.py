"""The field of a vector magnet written as its Cartesian components (``Bx (mT), By (mT), Bz
(mT)``), read as the field the methods take: its magnitude and direction (docs/io.md, "Harmonic
Hall tables").

A vector magnet rotates the field by changing its components, so each component alone varies
with the angle: reading ``Bx`` as "the field" of a rotation gave a field that changes sign
within the rotation. :func:`vector_field_columns` turns the components into

* a rotation (the field's direction varies): the magnitude ``field (unit)``; without an angle
  column the angle from the components (in the plane ``phi (deg)`` = atan2(By, Bx), the
  magnet's x axis along the current as docs/CONVENTIONS.md has it; through the normal
  ``theta (deg)``), and the fixed angle of a cone (``theta_h``) or of a plane through the normal
  (``phi_h``) as a column;
* a sweep along one direction: the signed component along it, ``field (unit)``, with the
  direction as ``phi_h`` and ``theta_h`` columns (along the normal: ``Bz``).

Components are taken in the magnet's frame; where the table also holds an angle column, that
column is the angle read and the components give only the field.
"""

from __future__ import annotations

import re

import numpy as np

from ...units import UnitError, split_header, to_house
from .columns import _DIRECTION_WORDS, _FIELD_NAMES, _compact, _harmonic_of, _is_angle_col, _tokens
from .options import _col_opt
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


#: Last words of a component's name that make it the magnet's set point or its read-back
#: (``Bx_set``, ``Bx_meas``): a table may write both.
_SET_POINT_WORDS = {"set", "setpoint", "setp", "target", "nominal", "demand", "programmed"}
_READ_BACK_WORDS = {"meas", "measured", "actual", "act", "readback", "rb", "read", "probe",
                    "sensor", "hallprobe", "hall", "gaussmeter", "teslameter", "monitor",
                    "monitored", "readout", "sensed", "real", "mon"}


def _components(columns) -> dict[tuple[str, str], dict[str, object]]:
    """The field component columns of ``columns`` by (family, role) and axis: family ``b``,
    ``h``, ...; role ``"set"`` for set points, ``"read"`` for read-backs, ``""`` for neither."""
    out: dict[tuple[str, str], dict[str, object]] = {}
    for c in columns:
        if _harmonic_of(c) is not None:
            continue
        toks = [t.lower() for t in _tokens(str(c).split("(")[0].split("[")[0])]
        if toks and toks[-1] in _DIRECTION_WORDS:       # 'Hx_up': a sweep's label
            continue
        role = ""
        if len(toks) > 1 and toks[-1] in _SET_POINT_WORDS | _READ_BACK_WORDS:
            role = "set" if toks[-1] in _SET_POINT_WORDS else "read"
            toks = toks[:-1]
        m = _COMPONENT_RE.match("".join(toks))
        if m is not None:
            out.setdefault((m.group("family"), role), {}).setdefault(m.group("axis"), c)
    return out


def _field_components(columns):
    """(family, its component columns by axis, set-point columns left unread) of the one field
    written as components in ``columns``, or None. A field written both as set points and as
    read-backs (or as set points and plain components, ``Bx_set, Bx``) is read from the
    read-backs, the field at the sample."""
    found = {k: axes for k, axes in _components(columns).items() if len(axes) >= 2}
    families = {f for f, _ in found}
    if len(families) != 1:
        return None
    family, = families
    roles = {r: found[(family, r)] for r in ("", "read", "set") if (family, r) in found}
    if len(roles) == 1:
        return family, next(iter(roles.values())), []
    if set(roles) == {"read", "set"}:
        return family, roles["read"], list(roles["set"].values())
    if set(roles) == {"", "set"}:           # 'Bx_set, By_set, Bx, By': the plain ones read back
        return family, roles[""], list(roles["set"].values())
    return None


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
        Components in different units of which one has none; an angle column that does not
        follow the components' angle; a direction that changes in both its polar angle and its
        azimuth.
    """
    cols = list(df.columns)
    if any(_compact(c) in _FIELD_NAMES for c in cols):
        return None                         # a field column of its own: the components are extra
    found = _field_components(cols)
    if found is None:
        return None
    family, axes, set_points = found
    read = _read_components(p, df, family, axes)
    if read is None or not set_points:
        return read
    out, note = read
    diff = _largest_difference(df, axes, set_points)
    return out.drop(columns=set_points), (
        f"{note}; the set points {', '.join(repr(c) for c in set_points)} not read (the "
        "read-back is the field at the sample" + (f"; they differ by up to {diff}" if diff else "")
        + ")")


def _largest_difference(df, axes, set_points) -> str | None:
    """The largest difference of a set-point component from its read-back, as text (in the
    read-back's unit), or None where their units differ."""
    import pandas as pd

    by_axis = {}
    for c in set_points:
        toks = [t.lower() for t in _tokens(str(c).split("(")[0].split("[")[0])]
        by_axis["".join(toks[:-1])[-1]] = c
    worst, unit = 0.0, None
    for a, c in axes.items():
        if a not in by_axis:
            continue
        u_read, u_set = _unit_of(None, c), _unit_of(None, by_axis[a])
        if u_read != u_set:
            return None
        unit = u_read
        d = pd.to_numeric(df[c], errors="coerce").to_numpy(float) \
            - pd.to_numeric(df[by_axis[a]], errors="coerce").to_numpy(float)
        if np.isfinite(d).any():
            worst = max(worst, float(np.nanmax(np.abs(d))))
    return f"{worst:.3g}{' ' + unit if unit else ''}"


def _read_components(p, df, family, axes):
    """:func:`vector_field_columns` of the component columns ``axes`` (by axis) of ``family``."""
    import pandas as pd

    cols = list(df.columns)
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
        if abs(ref[2]) >= cos_aligned:          # along the normal: named by its axis
            u = ref if ref[2] > 0 else -ref
            out.insert(0, f"{label}z{suffix}", b @ u)
            return out, (f"the field components {named} read as a sweep along z (the "
                         f"component along it, column '{label}z{suffix}')")
        # the direction's azimuth in [0, 180): the field signed along it, and the direction
        # as the sweep's phi_h and theta_h (a name such as 'B180' for a sweep along +x a hair
        # off the axis read the field reversed)
        u = ref
        azimuth = float(np.degrees(np.arctan2(u[1], u[0])))
        if azimuth <= -ALIGNED_DEG or azimuth > 180.0 - ALIGNED_DEG:
            u = -u
            azimuth = float(np.degrees(np.arctan2(u[1], u[0])))
        polar = float(np.degrees(np.arccos(np.clip(u[2], -1.0, 1.0))))
        out.insert(0, f"field{suffix}", b @ u)
        added = []
        for c, v in (("phi_h (deg)", azimuth), ("theta_h (deg)", polar)):
            if not any(_compact(k) == _compact(c) for k in out.columns):
                out.insert(len(out.columns), c, v)
                added.append(c)
        return out, (f"the field components {named} read as a sweep along one direction, "
                     f"phi_h = {azimuth:.4g} deg, theta_h = {polar:.4g} deg (the component along "
                     f"it, column 'field{suffix}'" + (f"; columns {', '.join(added)} added)"
                                                     if added else ")"))
    # to 12 digits: components written to the bit give one magnitude, not a jitter of 1e-16
    step = 10.0 ** (np.floor(np.log10(np.nanmax(mag))) - 11)
    out.insert(0, "field" + suffix, np.round(mag / step) * step)
    angle_cols = [c for c in cols if _is_angle_col(c)]
    kept = {_compact(k) for k in out.columns}
    frac_z = np.abs(b[:, 2]) / np.where(mag > 0, mag, 1.0)
    if np.nanmax(frac_z[finite]) <= IN_PLANE_FRACTION:              # in the plane
        angle, kind, extra = np.degrees(np.unwrap(np.arctan2(b[:, 1], b[:, 0]))), "phi", {}
        what = "in-plane angle phi = atan2(By, Bx)"
    else:
        polar = np.degrees(np.arccos(np.clip(b[:, 2] / np.where(mag > 0, mag, 1.0), -1, 1)))
        lateral = np.hypot(b[:, 0], b[:, 1]) / np.where(mag > 0, mag, 1.0)
        side = strong & (lateral > 0.05)
        plane = np.degrees(np.arctan2(b[side, 1], b[side, 0])) % 180.0
        plane_mean = float(np.degrees(np.angle(np.mean(np.exp(2j * np.radians(plane)))) / 2)) \
            % 180.0 if plane.size else 0.0
        plane_spread = float(np.max(np.abs((plane - plane_mean + 90.0) % 180.0 - 90.0))) \
            if plane.size else 0.0
        if np.ptp(polar[strong]) <= ALIGNED_DEG:
            # a cone at one polar angle: an azimuthal rotation at theta_h (it was read as one
            # in the plane: H_FL 4 % off)
            theta_h = float(np.mean(polar[strong]))
            angle, kind = np.degrees(np.unwrap(np.arctan2(b[:, 1], b[:, 0]))), "phi"
            extra, what = {"theta_h (deg)": theta_h}, ("azimuth phi = atan2(By, Bx) at the "
                                                       f"polar angle theta_h = {theta_h:.4g} deg")
        elif plane_spread <= ALIGNED_DEG:
            # a rotation in the plane through z at azimuth phi_h (a yz rotation was read as xz)
            e = np.array([np.cos(np.radians(plane_mean)), np.sin(np.radians(plane_mean)), 0.0])
            angle = np.degrees(np.unwrap(np.arctan2(b @ e, b[:, 2])))
            kind, extra = "theta", {"phi_h (deg)": plane_mean}
            what = f"polar angle theta from +z in the plane at phi_h = {plane_mean:.4g} deg"
        else:
            raise HallReadError(f"{p}: the field components {named} change the field's direction "
                                "in both its polar angle and its azimuth: neither a rotation in "
                                "the plane, nor on a cone, nor in a plane through the normal; "
                                "name the field and angle columns to read (--column)")
    for c, v in extra.items():
        if _compact(c) not in kept:
            out.insert(len(out.columns), c, v)
    said = "; ".join(f"{c.split(' ')[0]} = {v:.4g} deg" for c, v in extra.items())
    said = f"; {said}" if said else ""
    if not angle_cols:
        out.insert(1, f"{kind} (deg)", angle)
        return out, (f"the field components {named} read as the field's magnitude (column "
                     f"'field{suffix}') and {what} (column '{kind} (deg)'; the magnet's x axis "
                     f"along the current){said}")
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
        d = np.angle(np.exp(1j * np.radians(given[ok] - sign * angle[ok])))
        d = np.degrees(np.angle(np.exp(1j * (d - np.angle(np.mean(np.exp(1j * d)))))))
        if d.size and np.max(np.abs(d)) <= ALIGNED_DEG:
            sense.append(sign)
    if not sense:
        raise HallReadError(f"{p}: the angle column {angle_cols[0]!r} does not follow the "
                            f"{what} of the field components {named} up to a constant offset: "
                            "which of the two is the field's angle the file does not say: name "
                            f"the columns to read with {_col_opt('angle', angle_cols[0])} and "
                            f"{_col_opt('field', next(iter(axes.values())))}")
    turn = "" if sense[0] > 0 else (" (it turns the other way round from the components' "
                                    "angle: the angle column's sense is read)")
    return out, (f"the field components {named} read as the field's magnitude (column "
                 f"'field{suffix}'); the angle from {angle_cols[0]!r}{turn}{said}")
