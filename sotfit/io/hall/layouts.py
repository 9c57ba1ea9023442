"""Layouts of one table: its blocks (the whole table, or column pairs side by side), the role of
every column, and the traces a block gives before the 1f/2f pairing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...units import header_dimension
from ..table import ERROR_WORDS
from .columns import (_AXIS_NAMES, _MAGNET_NAMES, _ROTATOR_NAMES, _STATE_NAMES,
                      _compact, _field_axis, _harm_roles, _harmonic_of, _is_angle_col,
                      _is_field_col, is_current_name)
from .options import _STYLE, _col_opt, _opt
from .scan import HallReadError


@dataclass
class _Block:
    """The columns of one scan variable and its harmonics (the whole table, or one pair)."""

    var: Any                      # scanned column (None: not found)
    roles: dict                   # role -> column name
    label: str = ""               # name of the block (side by side: the variable column)
    axis: Any = None              # sweep axis from the variable's name (deg or 'z')


@dataclass
class _Trace:
    """One harmonic pair (or one harmonic) of one scan, before the 1f/2f pairing."""

    path: Path
    x: np.ndarray
    r: dict                       # harmonic -> R in Ohm
    meta: dict
    key: tuple                    # (block label, group key) for pairing 1f and 2f files
    run: int = 0                  # index of the monotonic sweep in its group (field sweeps)
    direction: int = 0            # +1 rising field, -1 falling, 0 not a field sweep
    segment: int = 0              # 0 before a switching jump, 1 after
    desc: str = ""                # where it is in the file, for the source name
    notes: list = field(default_factory=list)


def _assign_roles(p, cols, scan, given):
    """Role -> column for a flat table: the given names first, then names sotfit knows."""
    roles = {}
    for role, name in given.items():
        if name in cols:
            roles[role] = name
    used = set(roles.values())
    harm = {}
    for c in cols:
        if c in used:
            continue
        h = _harmonic_of(c)
        if h is not None:
            harm.setdefault((h[0], h[1]), []).append(c)
    for (h, kind), cs in harm.items():
        role = {"x": f"x{h}", "y": f"y{h}", "phase": f"phase{h}", "v": f"v{h}w", "r": f"r{h}w"}[kind]
        if any(r in given for r in _harm_roles(h)):
            continue  # this harmonic was named explicitly
        if len(cs) > 1:
            raise HallReadError(f"{p}: several columns could be the {role} of the file "
                                f"({', '.join(map(repr, cs))}); name one with {_col_opt(role, cs[0])}")
        roles[role] = cs[0]
    for h in (1, 2):  # a magnitude 'R1w' with a phase column is the lock-in output, not a resistance
        if f"r{h}w" in roles and f"phase{h}" in roles and f"mag{h}" not in roles \
                and f"r{h}w" not in given:
            roles[f"mag{h}"] = roles.pop(f"r{h}w")
    found = {}
    for c in cols:
        if c in roles.values() or _harmonic_of(c) is not None:
            continue
        k = _compact(c)
        if scan == "field" or (scan is None and _is_field_col(c)):
            if _is_field_col(c):
                found.setdefault("field", c)
        if scan in ("phi", "theta") and _is_angle_col(c, scan):
            found.setdefault("angle", c)
        elif scan is None and _is_angle_col(c):
            found.setdefault("angle", c)
        if scan in ("phi", "theta") and _is_field_col(c):
            found.setdefault("field", c)
        if k in _MAGNET_NAMES:
            found.setdefault("magnet_current", c)
        elif is_current_name(k) or _current_named_with_its_form(c):
            found.setdefault("current", c)
        elif k.endswith("thetah") and scan != "theta":    # theta_H, field angle theta_H
            found.setdefault("theta_h", c)
        elif k.endswith("phih") and scan != "phi":
            found.setdefault("phi_h", c)
        elif k in _STATE_NAMES:
            found.setdefault("mz_state", c)
        elif k in _AXIS_NAMES:
            found.setdefault("sweep_axis", c)
    if scan in ("phi", "theta") and "angle" not in found and "angle" not in roles:
        rotator = [c for c in cols if _compact(c) in _ROTATOR_NAMES]
        if not rotator:     # an instrument's angle: sample_rotator_angle, stage_angle
            rotator = [c for c in cols if _compact(c).endswith("angle")
                       and not _compact(c).startswith(("thetah", "phih"))]
        if len(rotator) == 1:
            found["angle"] = rotator[0]
    if not ({"field", "magnet_current"} & (set(found) | set(roles))):
        in_field_units = [c for c in cols if c not in roles.values() and _harmonic_of(c) is None
                          and header_dimension(c) == "field"]
        if len(in_field_units) == 1:        # 'B_meas (mT)', 'Gaussmeter (Oe)': its unit says it
            found["field"] = in_field_units[0]
    if "field" in found and "field" not in roles:
        _one_field(p, cols, roles, found["field"], scan)
    for role, c in found.items():
        roles.setdefault(role, c)
    return roles


def _one_field(p, cols, roles, chosen, scan) -> None:
    """Refuse a table that holds another column that could be the field beside the one found
    (``field (mT)`` and ``B (mT)``, or ``field measured (mT)`` in a field unit): a set point
    and a read-back differ by the calibration of the magnet, so the choice is the user's."""
    others = [c for c in cols if c != chosen and c not in roles.values()
              and _harmonic_of(c) is None
              and (_is_field_col(c) and _field_axis(c) is None
                   or "field" in _compact(c) and header_dimension(c) == "field")
              and not any(w in _compact(c) for w in ERROR_WORDS)
              and not (scan in ("phi", "theta") and _is_angle_col(c, scan))]
    if others:
        names = [chosen, *others]
        raise HallReadError(f"{p}: several columns could be the field "
                            f"({', '.join(map(repr, names))}); name one with "
                            f"{_col_opt('field', names[0])}")


def _blocks(p, df, scan, given):
    """The blocks of a table: side-by-side (variable, harmonic...) column groups when two or more
    variable columns each carry harmonic columns, else the whole table."""
    cols = list(df.columns)
    if not given:
        starts = [i for i, c in enumerate(cols)
                  if (_is_field_col(c) or _is_angle_col(c)) and _harmonic_of(c) is None]
        groups = [(cols[i], cols[i + 1:j]) for i, j in zip(starts, starts[1:] + [len(cols)])]
        with_harm = [g for g in groups if any(_harmonic_of(c) is not None for c in g[1])]
        if len(with_harm) >= 2 and starts and starts[0] == 0 and all(
                _harmonic_of(c) is not None for _, cs in groups for c in cs):
            out = []
            for var, cs in groups:
                sub = _assign_roles(p, cs, None, {})
                role = "angle" if _is_angle_col(var) else "field"
                sub[role] = var
                out.append(_Block(var, sub, label=str(var), axis=_field_axis(var)))
            return out, True
    roles = _assign_roles(p, cols, scan, given)
    if scan is None:
        scan_var = roles.get("angle") if "angle" in roles and "field" not in given else None
        var = scan_var if scan_var is not None else roles.get("field")
    else:
        var = roles.get("field") if scan == "field" else roles.get("angle")
    return [_Block(var, roles, label="", axis=_field_axis(var) if var is not None else None)], False


def _block_rows(p, df, blk, side_by_side):
    """Rows of a block: side by side, the trailing rows where every column of the block is empty
    (padding to the longest pair) are not data; any other empty cell is an error."""
    cols = [c for c in blk.roles.values() if c is not None]
    n = len(df)
    if not side_by_side:
        return np.arange(n)
    empty = np.ones(n, bool)
    for c in cols:
        empty &= df[c].isna().to_numpy()
    last = np.flatnonzero(~empty)
    end = int(last[-1]) + 1 if last.size else 0
    return np.arange(end)


def _scan_kind(p, blk, o):
    if o["scan"] is not None:
        _require_angle_of_the_scan(p, blk, o)
        return o["scan"]
    var = blk.var
    if var is None:
        return None
    if "angle" in blk.roles and blk.roles["angle"] == var:
        c = _compact(var)
        if c in ("phi", "theta"):
            return c
        raise HallReadError(f"{p}: column {var!r} is an angle, but of which rotation? Give "
                            f"{_opt('scan', 'phi')} (in the plane) or {_opt('scan', 'theta')} "
                            "(from the film normal)")
    return "field"


#: What each rotation is and the methods that take it (``sotfit hall --method``).
_ROTATIONS = {"phi": ("a rotation in the film plane (phi, from the current)", "avci"),
              "theta": ("a polar rotation (theta, from the film normal)", "angular")}


def _require_angle_of_the_scan(p, blk, o) -> None:
    """Refuse an angle column named for the other rotation than the scans are read as (a
    ``theta (deg)`` column read as the in-plane angle of method avci's rotations gave
    R_PHE 1e-7 times R_AHE and mu0_h_fl_oe of 2000 T, exit 0), unless the column was named
    for the angle role explicitly."""
    var = blk.var
    if o["scan"] not in _ROTATIONS or var is None or blk.roles.get("angle") != var \
            or "angle" in o.get("given", {}):
        return
    named = _compact(var)
    if named not in _ROTATIONS or named == o["scan"]:
        return
    what, method = _ROTATIONS[named]
    read_as, read_by = _ROTATIONS[o["scan"]]
    how = (f"--method {method} (or --method macrospin)" if _STYLE.get() == "cli" else
           f"sotfit.analysis.hall.{method} (or macrospin) with scan={named!r}")
    raise HallReadError(
        f"{p}: column {var!r} is the angle of {what}, but the scans are read as {read_as}, as "
        f"method {read_by} takes them ({_opt('scan', o['scan'])} or the method's): analyse "
        f"{'polar' if named == 'theta' else 'in-plane'} rotations with {how}; a column that "
        f"holds the other angle under this name is read so where it is named "
        f"({_col_opt('angle', var)})")


def _label_key(blk, kinds):
    labels = []
    for h, (kind, c1, c2) in sorted(kinds.items()):
        hh = _harmonic_of(c1)
        labels.append(hh[2] if hh else kind)
    lab = labels[0] if labels else ""
    return (str(_compact(blk.var)) if blk.label and blk.var is not None else "", lab)


def _current_named_with_its_form(col) -> bool:
    """A source current's column whose name says rms, peak or peak-to-peak (``I_peak (uA)``,
    ``Iac_rms (mA)``): it was no current column."""
    from .file_quantities import _key_current_is

    name, form = _key_current_is(str(col))
    return form is not None and is_current_name(_compact(name))
