"""The scans within a block: rows grouped by their fixed quantities, the field of a rotation, the
geometry of a field sweep and its monotonic runs."""

from __future__ import annotations

import numpy as np

from ...units import split_header, to_house
from ..readback import cluster_readback
from .options import _STYLE, _col_opt, _opt, _unit_of_role
from .calibration import calibrated_fields
from .file_quantities import (preamble_theta_h, preamble_tilt, rotation_field, sweep_axis,
                               unread_notes)
from .scan import HallReadError
from .values import _check_values, _rows, _values


def _fmt_key(k, v):
    if k == "field":
        return f"{v * 1e3:.6g} mT"
    if k == "mz_state":
        return f"{int(v):+d}"
    return f"{v:g} deg"


def _agree(p, col, key, value, option):
    if col is not None and option is not None and not np.isclose(value, option):
        raise HallReadError(f"{p}: column {col!r} says {value:g} but {_opt(key, option)} was given")


def _angle_scan_field(p, df, roles, rows, o, meta, angles=None):
    """Field (T) of every row of an angle scan, its standard error, and the extrapolation flags.
    ``angles`` (deg, one per row in file order) tell the rows of each rotation apart where a
    field read back on every row wanders (:func:`_rotation_fields`)."""
    n = rows.size
    cf, cm = roles.get("field"), roles.get("magnet_current")
    if o["field"] is not None:
        option = float(o["field"])
        given = _opt("field", f"{option * 1e3:g}mT" if _STYLE.get() == "cli" else option)
        if cf is not None:          # the option never silently replaces the file's column
            raw = _values(p, df, cf, rows)
            fu = _unit_of_role(p, cf, "field", "field", o, "field_unit", raw)
            fv = to_house(raw, fu, "field")[0]
            if not np.allclose(fv, option, rtol=1e-6, atol=0.0):
                raise HallReadError(f"{p}: column {cf!r} gives the field {_range_text(fv, 1e3)} mT but "
                                    f"{given} was given; leave the option out to use the "
                                    "column, or correct it")
        elif cm is None:
            unread = []         # an entry that cannot be read gives way to the option, noted
            found = rotation_field(p, df.attrs.get("preamble"), unread)
            meta.setdefault("_notes", []).extend(unread_notes(unread, given))
            if found is not None and not np.isclose(found[0], option, rtol=1e-6, atol=0.0):
                raise HallReadError(f"{p}: the {found[1]} gives the field {found[0] * 1e3:g} mT "
                                    f"but {given} was given; leave the option out to use the "
                                    "file's, or correct it")
        return np.full(n, option), np.zeros(n), np.zeros(n, bool)
    if cf is not None:
        raw = _values(p, df, cf, rows)
        fu = _unit_of_role(p, cf, "field", "field", o, "field_unit", raw)
        fv = _check_values(to_house(raw, fu, "field")[0], cf, p, "field")
        meta["field_unit_in_file"] = fu
        out = _rotation_fields(p, fv, np.zeros(n), cf, meta, angles, rows) + (np.zeros(n, bool),)
        _column_agrees_with_file(p, df, cf, fu, out[0])
        return out
    if cm is not None:
        if o["calibration"] is None:
            raise HallReadError(f"{p}: the field is given as column {cm!r} (a magnet current); give "
                                f"the magnet calibration table ({_opt('calibration', 'CAL.csv')})")
        mu = split_header(str(cm))[1] or o["column_units"].get("magnet_current") or "A"
        mc = to_house(_values(p, df, cm, rows), mu, "current")[0] / 1e3
        fv, fe, ex = calibrated_fields(o["calibration"], mc, o["extrapolate_calibration"],
                                       f"{p}: column {cm!r}")
        fv = _check_values(fv, cm, p, "field", "field from the magnet current")
        meta["calibration_extrapolated"] = bool(np.any(ex))
        return _rotation_fields(p, fv, fe, cm, meta, angles, rows) + (ex,)
    found = rotation_field(p, df.attrs.get("preamble"))
    if found is not None:
        meta["field_from"] = found[1]
        meta.setdefault("_notes", []).append(
            f"field of the rotation {found[0] * 1e3:g} mT read from the {found[1]}")
        return np.full(n, found[0]), np.zeros(n), np.zeros(n, bool)
    raise HallReadError(f"{p}: no field column or magnet-current column, and no field in the "
                        "preamble ('Field (mT): 100') or the file name ('rotation_100mT.csv'); "
                        f"give the field of the rotation "
                        f"({_opt('field', '50mT' if _STYLE.get() == 'cli' else 0.05)}) or "
                        f"name its column ({_col_opt('field')})")


#: Largest relative difference between the field of a rotation's column and the field its
#: file's name or preamble writes (a set point against a read-back, a probe's offset).
NAME_FIELD_TOLERANCE = 0.1


def _column_agrees_with_file(p, df, col, unit, fields) -> None:
    """Refuse a rotation whose field column and whose file (name or preamble) give different
    fields: 'phi_200mT.csv' holding 400 mT was read by its column without a word (a file of
    another field, or a column in another unit than its header says)."""
    values = np.unique(np.abs(fields))
    if values.size != 1:
        return                      # several rotations: the name gives none of them
    try:
        found = rotation_field(p, df.attrs.get("preamble"))
    except HallReadError:
        return                      # a name the column makes unneeded ('Py-100mT': the sign)
    if found is None or abs(abs(found[0]) - values[0]) <= NAME_FIELD_TOLERANCE * abs(found[0]):
        return
    raise HallReadError(
        f"{p}: column {col!r} gives the field {values[0] * 1e3:.4g} mT ({unit}) but the "
        f"{found[1]} gives {found[0] * 1e3:g} mT: a file of another field, or a column in "
        "another unit than its header says; correct the one that is wrong")


#: Largest spread of the field read back during one rotation, relative to its mean ...
FIELD_READBACK_SPREAD = 0.02
#: ... and as a fraction of the gap to the next rotation's field.
FIELD_READBACK_GAP = 0.05
#: Largest spread of the field read back on the rows of one rotation told apart by its angle
#: (advancing through the turn in the order of the rows), relative to their mean: a
#: gaussmeter's 0.2 mT of noise at 10 mT, a magnet's drift of a few percent while it heats.
ROTATION_READBACK_SPREAD = 0.1
#: Fewest rows of a rotation a field column may give (as a monotonic part of a field sweep).
MIN_ROTATION_ROWS = 3


def _rotation_fields(p, fv, fe, col, meta, angles=None, rows=None) -> tuple:
    """The field (T) of every row of the rotations of a block and its standard error, the rows
    of a field read back with jitter (a gaussmeter's noise, a magnet current's last digits)
    grouped into rotations (:func:`sotfit.io.readback.cluster_readback`; a note in ``meta``).

    A grouped row takes the mean field of its rotation; its standard error adds the standard
    deviation of the rotation's read-backs to the one it had. Rows are grouped when the fields
    of a rotation spread by less than :data:`FIELD_READBACK_SPREAD` of their mean and less than
    :data:`FIELD_READBACK_GAP` of the gap to the next rotation's: a 2 % change of the field
    within a rotation changes the torque fields of method (a), which go as 1/(H + H_K), by
    less, and rotations are set at fields further apart. Exact fields (one value per
    rotation) are kept to the bit.

    Where the values do not cluster so and leave rotations of fewer than
    :data:`MIN_ROTATION_ROWS` rows (a read-back whose noise is 1 % of a 10 mT field, or that
    drifts by 3 % during each rotation, made a rotation of nearly every row), the rotations
    are told apart by ``angles`` (:func:`_rotations_by_angle`).

    Parameters
    ----------
    p : path-like
        The file, for messages.
    fv, fe : numpy.ndarray
        The field (T) of every row, in file order, and its standard error (T).
    col : str
        The field's column (or the magnet current's), for the note and messages.
    meta : dict
        The block's meta; the grouping is left in ``meta['_field_readback']``.
    angles : numpy.ndarray, optional
        The angle (deg) of every row.
    rows : numpy.ndarray, optional
        The index of every row in the table, for messages.

    Returns
    -------
    tuple of numpy.ndarray
        The field (T) of every row and its standard error (T).

    Raises
    ------
    HallReadError
        The field column leaves rotations of fewer than :data:`MIN_ROTATION_ROWS` rows that
        the angles do not group either, naming the column and the spread of its values.
    """
    found = cluster_readback(fv, FIELD_READBACK_SPREAD, FIELD_READBACK_GAP)
    if found is not None:
        dev = fv - found.row_value
        counts = np.bincount(found.row_cluster)
        std = np.sqrt(np.bincount(found.row_cluster, weights=dev * dev) / counts)
        meta["_field_readback"] = (str(col), found.mean, found.jitter, counts, None)
        return found.row_value, np.hypot(fe, std[found.row_cluster])
    counts = np.unique(_exact_fields(fv), return_counts=True)[1]
    if counts.size < 2 or counts.min() >= MIN_ROTATION_ROWS:
        return fv, fe
    row_value = _rotations_by_angle(p, fv, col, angles, counts, rows)
    again = cluster_readback(row_value, FIELD_READBACK_SPREAD, FIELD_READBACK_GAP)
    if again is not None:                   # rotations repeated at one field: one rotation
        row_value = again.row_value
    mean, row_cluster = np.unique(row_value, return_inverse=True)
    row_cluster = row_cluster.ravel()
    dev = fv - row_value
    counts = np.bincount(row_cluster)
    std = np.sqrt(np.bincount(row_cluster, weights=dev * dev) / counts)
    lo, hi = np.full(mean.size, np.inf), np.full(mean.size, -np.inf)
    np.minimum.at(lo, row_cluster, fv)
    np.maximum.at(hi, row_cluster, fv)
    meta["_field_readback"] = (str(col), mean, np.maximum(mean - lo, hi - mean), counts, hi - lo)
    return row_value, np.hypot(fe, std[row_cluster])


def _exact_fields(f: np.ndarray) -> np.ndarray:
    """The field of every row with the fields that agree within 1e-6 of the largest set to the
    first (in increasing order) of them: the fields rotations are grouped by."""
    k = np.array(f, float)
    if k.size == 0:
        return k
    tol = 1e-6 * max(1e-12, float(np.max(np.abs(k))))
    order = np.argsort(k, kind="stable")
    ref = k[order[0]]
    for i in order:
        if abs(k[i] - ref) > tol:
            ref = k[i]
        k[i] = ref
    return k


def _angle_runs(angles: np.ndarray) -> list[np.ndarray]:
    """Index arrays of the runs of rows whose angle advances one way (a repeated angle
    continues a run); a step back, or forward in a run going back, starts the next run."""
    runs, start, way = [], 0, 0.0
    for i, d in enumerate(np.sign(np.diff(angles))):
        if d == 0:
            continue
        if way == 0:
            way = d
        elif d != way:
            runs.append(np.arange(start, i + 1))
            start, way = i + 1, 0.0
    runs.append(np.arange(start, angles.size))
    return runs


def _rotations_by_angle(p, fv, col, angles, counts, rows=None) -> np.ndarray:
    """The field (T) of every row as the mean of the read-backs of its rotation: the rows where
    the angle advances through the turn in the order of the rows, each of at least
    :data:`MIN_ROTATION_ROWS` rows whose field spreads by at most
    :data:`ROTATION_READBACK_SPREAD` of its mean. ``counts``: the rows of each field of the
    column as it stands, and ``rows``, the index of every row in the table, for the message
    when the rows do not group so."""
    runs = _angle_runs(np.asarray(angles, float)) if angles is not None else []
    worst, short = None, [r for r in runs if r.size < MIN_ROTATION_ROWS]
    out = np.empty_like(fv)
    for r in runs:
        out[r] = np.mean(fv[r])
        ratio = np.ptp(fv[r]) / abs(out[r[0]]) if out[r[0]] != 0 else np.inf
        if worst is None or ratio > worst[0]:
            worst = (ratio, r)
    if runs and not short and worst[0] <= ROTATION_READBACK_SPREAD:
        return out
    tiny = int(np.sum(counts < MIN_ROTATION_ROWS))
    text = (f"{p}: column {col!r} splits the rows into {counts.size} rotations, {tiny} of them "
            f"of fewer than {MIN_ROTATION_ROWS} rows (fields {_range_text(fv, 1e3)} mT): a field "
            "read back on every row that wanders within a rotation")
    if worst is not None and np.isfinite(worst[0]) and not short:
        r = worst[1]
        text += (f"; the rows of a rotation (where the angle advances through the turn, "
                 f"{_rows((r if rows is None else rows[r])[[0, -1]], n=2)}) spread by {1e3 * np.ptp(fv[r]):.3g} mT, "
                 f"{100 * worst[0]:.3g} % of their mean {1e3 * abs(np.mean(fv[r])):.4g} mT, "
                 f"more than the {100 * ROTATION_READBACK_SPREAD:g} % a rotation's read-back "
                 "is grouped within")
    else:
        text += (f"; the angles give no rotation of {MIN_ROTATION_ROWS} rows or more to group "
                 "them by (the angle advancing through the turn in the order of the rows)")
    raise HallReadError(text + ". Write the set field of each rotation in a column of its own "
                        f"and name it ({_col_opt('field')})")


def readback_note(gm) -> str | None:
    """The note of a rotation whose field is the mean of jittering read-backs (popped from its
    metadata ``gm``, where :func:`_rotation_fields` left it), else None."""
    found = gm.pop("_field_readback", None)
    if found is None or "field" not in gm:
        return None
    col, mean, jitter, counts, spread = found
    k = int(np.argmin(np.abs(mean - gm["field"])))
    if spread is not None:
        return (f"the field is the mean of {counts[k]} read-backs of column {col!r} during the "
                f"rotation (its rows told apart by the angle), which spread over "
                f"{1e3 * spread[k]:.3g} mT ({100 * spread[k] / abs(mean[k]):.2g} % of their "
                "mean; their standard deviation kept as the field's standard error; method "
                "(a)'s 1/H laws do not propagate it)")
    return (f"the field is the mean of {counts[k]} read-backs of column {col!r}, which jitter "
            f"by up to {1e3 * jitter[k]:.3g} mT (their standard deviation kept as the field's "
            "standard error; method (a)'s 1/H laws do not propagate it)")


def _range_text(values, scale: float = 1.0) -> str:
    """Values times ``scale`` as a message writes them: ``'1.5'`` when they are one number,
    else ``'1.4 to 1.6'``."""
    lo, hi = float(np.min(values)) * scale, float(np.max(values)) * scale
    return f"{lo:g}" if lo == hi else f"{lo:g} to {hi:g}"


def _group_rows(keys, scan):
    """Rows with equal keys (in order of first appearance); fields of rotations agree to 1e-6."""
    n = keys.shape[0]
    if keys.shape[1] == 0:
        return [np.arange(n)]
    k = keys.copy()
    if scan in ("phi", "theta"):
        k[:, -1] = _exact_fields(k[:, -1])
    seen, groups = {}, []
    for i in range(n):
        t = tuple(k[i])
        if t not in seen:
            seen[t] = len(groups)
            groups.append([])
        groups[seen[t]].append(i)
    return [np.array(g) for g in groups]


def _sweep_geometry(p, gm, blk, o, roles):
    """theta_h, phi_h and the m_z label of a field sweep: columns, the field's name, options."""
    if blk.axis == "z":
        raise HallReadError(f"{p}: column {blk.var!r} is a field along the film normal; the Hall "
                            "methods take in-plane (or tilted) sweeps")
    for key, default in (("theta_h", 90.0), ("phi_h", 0.0)):
        col = roles.get(key) if key != "phi_h" else (roles.get("phi_h") or roles.get("sweep_axis"))
        opt = o[key]
        if key in gm:            # from a column
            if col is not None:
                _agree(p, col, key, gm[key], opt)
            continue
        if key == "phi_h" and "sweep_axis" in gm:
            gm["phi_h"] = gm.pop("sweep_axis")
            _agree(p, roles.get("sweep_axis"), key, gm["phi_h"], opt)
            continue
        if key == "phi_h" and blk.axis is not None:
            gm["phi_h"] = float(blk.axis)
            if opt is not None and not np.isclose(opt, gm["phi_h"]):
                raise HallReadError(f"{p}: column {blk.var!r} is a field along phi_h = {gm['phi_h']:g} "
                                    f"deg but {_opt('phi_h', opt)} was given")
            continue
        if key == "phi_h" and opt is None and (named := sweep_axis(p)) is not None:
            gm["phi_h"] = named[0]
            gm.setdefault("_notes", []).append(
                f"sweep along {'x' if named[0] == 0 else 'y'} (phi_h = {named[0]:g} deg) from "
                f"the file name ({named[1]!r})")
            continue
        unread = [] if key == "theta_h" and opt is not None else None
        written = preamble_theta_h(p, None, unread) if key == "theta_h" else None
        if unread:
            gm.setdefault("_notes", []).extend(unread_notes(unread, _opt("theta_h", opt)))
        if written is not None:
            if opt is not None and not np.isclose(opt, written[0]):
                raise HallReadError(f"{p}: the {written[1]} gives theta_h = {written[0]:g} deg but "
                                    f"{_opt('theta_h', opt)} was given")
            gm["theta_h"] = written[0]
            gm.setdefault("_notes", []).append(
                f"theta_h = {written[0]:g} deg from the {written[1]}")
            continue
        if key == "theta_h" and opt is None and (tilt := preamble_tilt(p)) is not None:
            raise HallReadError(f"{p}: the {tilt} writes a tilt of the field, which the sweep is "
                                "then read without (theta_h = 90 deg, in the plane); give the "
                                "field's polar angle from the film normal: "
                                f"{_opt('theta_h', '80deg' if _STYLE.get() == 'cli' else 80.0)} "
                                "for a field 10 deg out of the plane, "
                                f"{_opt('theta_h', '90deg' if _STYLE.get() == 'cli' else 90.0)} "
                                "if it is in the plane")
        gm[key] = default if opt is None else float(opt)
        if key == "theta_h" and opt is None:
            gm["theta_h_assumed"] = True
    gm.pop("sweep_axis", None)
    _check_values([gm["theta_h"]], roles.get("theta_h") or "theta_h", p, "angle")
    _check_values([gm["phi_h"]], roles.get("phi_h") or "phi_h", p, "angle")
    if "mz_state" in gm:
        if o["mz_state"] not in (None, 0) and gm["mz_state"] != o["mz_state"]:
            raise HallReadError(f"{p}: column {roles.get('mz_state')!r} says {gm['mz_state']:g} but "
                                f"mz_state={o['mz_state']} was given")
        gm["mz_label"] = int(gm.pop("mz_state"))
    elif o["mz_state"] is not None:
        if o["mz_state"] not in (-1, 0, 1):
            raise HallReadError(f"{p}: mz_state is {o['mz_state']}; the perpendicular state is +1, "
                                "-1 or 0 (unknown)")
        gm["mz_label"] = int(o["mz_state"])
        gm["_mz_from_option"] = True


def _monotonic_runs(p, x, rows, col):
    """Index arrays of the monotonic parts of a field sweep (a repeated value continues a run).
    The turning point ends one sweep and starts the next: it belongs to both (so that the rows in
    reverse order give the same sweeps)."""
    n = x.size
    if n < 3:
        return [np.arange(n)]
    d = np.sign(np.diff(x))
    nz = np.flatnonzero(d)
    if nz.size == 0:
        return [np.arange(n)]
    cur = d[nz[0]]
    runs, start = [], 0
    for i in range(d.size):
        if d[i] != 0 and d[i] != cur:
            runs.append(np.arange(start, i + 1))
            start, cur = i, d[i]
    runs.append(np.arange(start, n))
    short = [r for r in runs if r.size < 3]
    if len(runs) > 1 and short:
        r = short[0]
        raise HallReadError(f"{p}: column {col!r}: the field turns back after only {r.size} point(s) "
                            f"at {_rows(rows[r], n=len(r))}: a jittering read-back? Every "
                            "monotonic part of a sweep needs 3 points or more")
    return runs
