"""One block of a table read into traces: the columns converted to resistances in Ohm and the
scanned variable in house units, the rows grouped into scans, field sweeps split into their
monotonic runs."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from ...units import UnitError, normalise_unit, split_header, to_house
from ...units import header_dimension as _header_dimension
from .columns import _role_of
from .calibration import calibrated_fields
from ..gains import gain_factor, gain_in_name
from .current_levels import current_unit_and_form
from .file_quantities import preamble_gain, preamble_theta_h, source_current, unread_notes
from .groups import (_agree, _angle_scan_field, _fmt_key, _group_rows, _monotonic_runs,
                     _range_text, _sweep_geometry, readback_note)
from .layouts import _block_rows, _label_key, _scan_kind, _Trace
from .options import (_CHANNELS, _STYLE, _col_opt, _need_conventions, _opt, _unit_of_role, _unit_opt,
                      lockin_output_of)
from .scan import HallReadError
from .values import (_axis_values, _check_values, _complete_rows, _safe_split, _state_values, _strings, _values,
                     robust_spread)


def _read_block(p, df, blk, side, o):
    """Traces of one block: convert the columns, group the rows into scans, split sweeps."""
    scan = _scan_kind(p, blk, o)
    _require_variable(p, df, blk, scan)
    rows = _block_rows(p, df, blk, side)
    meta: dict[str, Any] = {"scan": scan, "current_is": o["current_is"],
                            "lockin_output": o["lockin_output"], "r1w_channel": o["r1w_channel"],
                            "r2w_channel": o["r2w_channel"], "gain_1w": o["gain_1w"] or 1.0,
                            "gain_2w": o["gain_2w"] or 1.0}
    if o.get("drop_incomplete_rows"):
        rows = _complete_rows(p, df, [c for c in dict.fromkeys(blk.roles.values())
                                      if c is not None], rows, meta)
    kinds = _harmonic_kinds(p, df, blk)      # first: rows without a harmonic repeat their fields
    rows = _distinct_rows(p, df, [c for c in dict.fromkeys(blk.roles.values()) if c is not None],
                          rows, o, meta)
    if scan == "field":
        x, group_cols = _field_variable(p, df, blk, rows, o, meta)
    else:
        x, group_cols = _angle_variable(p, df, blk, rows, o, scan, meta)
    volt = [c for h, (k, c1, c2) in kinds.items() if k != "ohm" for c in (c1, c2) if c is not None]
    i_peak = _peak_current(p, df, blk.roles, rows, o, volt, meta)    # may read current_is
    if volt:
        _need_conventions(p, {**o, "current_is": meta["current_is"]}, volt)
    res, used_cols = {}, {}
    for h, (kind, c1, c2) in kinds.items():
        if kind == "ohm":
            v, used = _ohm_column(p, df, c1, h, rows, o, meta)
        else:
            v, used = _lockin_column(p, df, blk.roles, kind, c1, c2, h, rows, i_peak, o, meta)
        res[h] = _check_values(v, used, p, "resistance", f"R_{h}w")
        used_cols[h] = used
    if i_peak is not None:
        meta["current_peak"] = float(np.mean(i_peak))
    keys, gnames, ferr_rows = _group_keys(p, df, blk.roles, rows, group_cols, scan, o, meta, x)
    traces = _traces(p, blk, kinds, scan, x, res, rows, (keys, gnames, ferr_rows), i_peak, meta, o)
    for t in traces:
        t.meta["_cols"] = dict(used_cols)
        t.meta["_all_cols"] = list(df.columns)
    return traces


def _distinct_rows(p, df, cols, rows, o, meta):
    """``rows`` when none repeats an earlier one in every column of ``cols``; repeated rows
    (a block pasted twice, a file whose second half is its first again) are an error naming
    the file, their number and lines, or with ``allow_duplicates`` left out, noted
    (:func:`sotfit.io.repeated_rows.repeated_rows`).

    Parameters
    ----------
    p : path-like
        The file.
    df : pandas.DataFrame
        Its table.
    cols : sequence of str
        The columns the block reads.
    rows : ndarray of int
        The block's rows (indices into ``df``).
    o : dict
        The reader's options (``allow_duplicates``).
    meta : dict
        The block's meta; the note goes to ``meta['_notes']``.

    Returns
    -------
    ndarray of int
        The rows, each kept once.
    """
    from ..repeated_rows import repeated_rows
    from .options import _switch_opt
    from .values import _rows

    found = repeated_rows(df[list(cols)].iloc[rows])
    if not found:
        return rows
    what = f"{found.describe(rows.size)} in the columns read ({_rows(rows[found.repeats])})"
    if not o.get("allow_duplicates"):
        raise HallReadError(f"{p}: {what}: the same points counted twice would shrink every "
                            "standard error; remove the copy, or keep one of each with "
                            f"{_switch_opt('allow_duplicates')}")
    meta.setdefault("_notes", []).append(f"{what}: each kept once "
                                         f"({_switch_opt('allow_duplicates')})")
    return np.delete(rows, found.repeats)


def _require_variable(p, df, blk, scan) -> None:
    """Refuse a block without a column for the scanned quantity (a field sweep may give the
    magnet current instead)."""
    if scan is None or blk.var is None:
        if scan == "field" and blk.roles.get("magnet_current") is not None:
            return
        what = scan or "scanned quantity"
        per_angle = ""
        field = blk.roles.get("field")
        if scan in ("phi", "theta") and field is not None and df[field].nunique() > 2:
            # one file per angle, the fields in rows: the hint to name an angle column named
            # none that exists
            per_angle = (f"; the file's field column {field!r} varies, so it is a field sweep "
                         "(at one angle, if its name or preamble gives one): rotations are not "
                         "assembled from one file per angle. Write the scans as one table with "
                         "an angle column (angle, field and lock-in columns; each field's rows "
                         "a rotation), or analyse the field sweeps (--method hayashi or "
                         "macrospin)")
        raise HallReadError(f"{p}: no column for the scanned {what} found; columns are {list(df.columns)} "
                            f"(name it with {_col_opt('field' if scan == 'field' else 'angle')})"
                            + per_angle)


def _harmonic_kinds(p, df, blk) -> dict:
    """harmonic -> (kind, column, second column): 'xy' (X and Y), 'rt' (magnitude and phase),
    'ohm' (a resistance) or 'v' (one voltage read as X). No first harmonic is an error."""
    roles = blk.roles
    kinds = {}
    for h in (1, 2):
        if f"x{h}" in roles and f"y{h}" in roles:
            kinds[h] = ("xy", roles[f"x{h}"], roles[f"y{h}"])
        elif f"mag{h}" in roles and f"phase{h}" in roles:
            kinds[h] = ("rt", roles[f"mag{h}"], roles[f"phase{h}"])
        elif f"r{h}w" in roles:
            kinds[h] = ("ohm", roles[f"r{h}w"], None)
        elif f"v{h}w" in roles:
            kinds[h] = ("v", roles[f"v{h}w"], None)
        elif f"x{h}" in roles and f"y{h}" not in roles:
            kinds[h] = ("v", roles[f"x{h}"], None)
    if not kinds:
        where = f" [{blk.label}]" if blk.label else ""
        raise HallReadError(
            f"{p}{where}: no first-harmonic lock-in columns found (need X1/Y1 or R1w/Theta1w, a "
            f"voltage such as V1w or Hx_1f_voltage, or a resistance such as R1w_ohm; name them with "
            f"{_col_opt('x1')}, {_col_opt('v1w')} or {_col_opt('r1w')}); columns are: "
            f"{', '.join(map(str, df.columns))}")
    return kinds


def _field_variable(p, df, blk, rows, o, meta):
    """The swept field (T) of a field sweep, from its column or the magnet current and the
    calibration, and the columns that tell its scans apart."""
    if blk.var is not None:
        raw = _values(p, df, blk.var, rows)
        fu = _unit_of_role(p, blk.var, "field", "field", o, "field_unit", raw)
        x = _check_values(to_house(raw, fu, "field")[0], blk.var, p, "field")
        meta["field_unit_in_file"] = fu
    else:
        cm = blk.roles["magnet_current"]
        if o["calibration"] is None:
            raise HallReadError(f"{p}: column {cm!r} is a magnet current; give a calibration "
                                f"({_opt('calibration', 'CAL.csv')})")
        x, _, ex = calibrated_fields(o["calibration"], _values(p, df, cm, rows),
                                     o["extrapolate_calibration"], f"{p}: column {cm!r}")
        x = _check_values(x, cm, p, "field", "field from the magnet current")
        meta["calibration_extrapolated"] = bool(ex.any())
    _varies(p, x, blk.var if blk.var is not None else blk.roles["magnet_current"], "field",
            "T", f"a field sweep needs the field to change (a rotation at this field? "
                 f"{_opt('scan', 'phi')} or {_opt('scan', 'theta')})")
    return x, {k: blk.roles.get(k) for k in ("sweep_axis", "phi_h", "theta_h", "mz_state")}


def _varies(p, x, col, what: str, unit: str, hint: str) -> None:
    """Refuse a swept column that holds one value in every row (a field column scaled by 0 went
    on to a fit that ended in "SVD did not converge", with LAPACK's own lines on the terminal)."""
    if x.size > 1 and not np.ptp(x) > 0:
        raise HallReadError(f"{p}: column {col!r} holds one {what} ({float(x[0]):g} {unit}) in "
                            f"every row: {hint}")


def _deg(value):
    """An angle (deg) as the caller writes it: ``90deg`` on the command line, ``90.0`` in Python."""
    return f"{value:g}deg" if _STYLE.get() == "cli" else float(value)


#: The options that give the reading of an angle column where the field points along its axis:
#: option -> (scan it applies to, the angle it offsets, where the field is at that reading).
_READING_OFFSETS = {
    "phi_offset": ("phi", "azimuth", "an in-plane rotation where the field is along the current"),
    "theta_offset": ("theta", "polar angle", "a polar rotation where the field is along +z"),
}


def _angle_variable(p, df, blk, rows, o, scan, meta):
    """The scanned angle (deg) of a rotation, refused when its values do not fit the declared unit,
    and the column that tells its scans apart."""
    cxs = blk.var
    au = _unit_of_role(p, cxs, "angle", "angle", o, "angle_unit")
    raw = _values(p, df, cxs, rows)
    span = float(np.ptp(raw)) if raw.size else 0.0
    if normalise_unit(au) == "rad" and span > 4 * math.pi + _angle_step(raw) + 1e-6:
        # two turns, as the 720 deg of a column in degrees (0 to 12.5 was refused as degrees)
        raise HallReadError(f"{p}: column {cxs!r} is declared in rad but spans {span:.4g}, more "
                            "than two full turns (4 pi); the angles look like degrees")
    if normalise_unit(au) == "deg" and raw.size > 4 and 0 < span <= 2 * math.pi + 1e-6 \
            and np.max(np.abs(raw)) <= 2 * math.pi + 1e-6:
        raise HallReadError(f"{p}: column {cxs!r} is declared in deg but spans only {span:.4g}; "
                            "the angles look like radians")
    x = _check_values(to_house(raw, au, "angle")[0], cxs, p, "angle")
    _varies(p, x, cxs, "angle", "deg", "a rotation needs the angle to change (a field sweep? "
                                       f"{_opt('scan', 'field')})")
    for key, (own, angle, where) in _READING_OFFSETS.items():
        offset = o.get(key)
        if offset is None:
            continue
        if scan != own:
            if key == "phi_offset":
                continue    # the azimuth of a polar rotation's plane: _polar_plane_azimuth
            other = next(k for k, v in _READING_OFFSETS.items() if v[0] == scan)
            raise HallReadError(f"{p}: {_opt(key, _deg(offset))} is the angle reading of "
                                f"{where}; column {cxs!r} is {_READING_OFFSETS[other][2]}"
                                f" (there: {_opt(other)})")
        x = x - offset
        meta.setdefault("_notes", []).append(
            f"the field's {angle} is column {cxs!r} minus {offset:g} deg "
            f"({_opt(key, _deg(offset))})")
    if o.get("phi_offset") is None and scan == "phi" and o["phi_h"] is not None:
        raise HallReadError(f"{p}: {_opt('phi_h', _deg(o['phi_h']))} is the azimuth of a swept "
                            f"field; in an in-plane rotation the azimuth is the angle column "
                            f"{cxs!r}. If its zero is not along the current, give the reading "
                            f"there ({_opt('phi_offset', _deg(90))})")
    fixed = "theta_h" if scan == "phi" else "phi_h"
    return x, {fixed: blk.roles.get(fixed)}


def _angle_step(values) -> float:
    """The step of a rotation's angles (their unit): the median of the nonzero differences of
    neighbouring rows, 0 where there are none."""
    steps = np.abs(np.diff(np.asarray(values, float)))
    steps = steps[steps > 0]
    return float(np.median(steps)) if steps.size else 0.0


#: A current column above this (mA) is more than a Hall bar carries: likely the magnet
#: supply's current ('I (A)', 0.75-17 A), which was taken for the source current.
MAGNET_SUPPLY_CURRENT = 100.0


def magnet_supply_hint(column, currents_ma) -> str:
    """The advice to name ``column`` as the magnet supply's current when it holds currents above
    :data:`MAGNET_SUPPLY_CURRENT` (mA), else ''."""
    values = np.abs(np.asarray(currents_ma, float))
    values = values[np.isfinite(values)]
    if not values.size or values.max() <= MAGNET_SUPPLY_CURRENT:
        return ""
    return (f"; if {column!r} is the magnet supply's current ({values.min() / 1e3:.3g} to "
            f"{values.max() / 1e3:.3g} A, more than a Hall bar carries), name it: "
            f"{_col_opt('magnet_current', column)}, and give the source current "
            f"({_current_opt(1.0)})")


#: How closely a current column must agree with ``--current`` (a read-back jitters; a current
#: of another convention or unit differs by 41 % or more).
CURRENT_AGREEMENT = 0.01


def _peak_current(p, df, roles, rows, o, volt, meta):
    """The peak source current (mA) of every row, or None for a table of resistances without a
    current."""
    ccol = roles.get("current")
    # with --current given, a preamble entry of the current that cannot be read is noted, not
    # refused ('Source current: 2.828 mA peak (2 mA rms)' refused the file whatever the options)
    unread = [] if o["current"] is not None else None
    also = []           # '2.828 mA peak (2 mA rms)': the current written again in another form
    in_file = source_current(p, df.attrs.get("preamble"), unread, also) if ccol is None else None
    _note_unread(meta, unread, _current_opt(o["current"]) if unread is not None else "")
    for value, form in also:
        if in_file is not None and o["current"] is not None \
                and not np.isclose(in_file[0], o["current"], rtol=1e-6, atol=0) \
                and np.isclose(value, o["current"], rtol=1e-6, atol=0) \
                and o["current_is"] in (None, form):
            in_file = (value, in_file[1], form)     # the option states the second: it agrees
    col_form = None         # 'I_peak (uA)', 'I_ac (mA, rms)': the column's name says which
    if ccol is not None:
        cu, col_form = current_unit_and_form(p, ccol, o)     # 'I (mA, rms)': mA, rms
        raw = to_house(_values(p, df, ccol, rows), cu, "current")[0]
        try:
            cur = _check_values(raw, ccol, p, "current")
        except HallReadError as exc:
            raise HallReadError(f"{exc}{magnet_supply_hint(ccol, raw)}") from None
        if col_form == "pk-pk":
            cur, col_form = cur / 2.0, "peak"
        # a read-back column jitters (about 0.2 % from row to row): the option holds within 1 %
        # a column of currents along -x states the magnitude the option gives (_reversed_current)
        stated = np.abs(cur) if np.all(cur < 0) else cur
        if o["current"] is not None and not np.allclose(stated, o["current"], rtol=CURRENT_AGREEMENT,
                                                        atol=0):
            hint = magnet_supply_hint(ccol, cur)
            raise HallReadError(f"{p}: column {ccol!r} gives the source current "
                                f"{_range_text(cur)} mA but {_current_opt(o['current'])} was "
                                "given; " + (hint.lstrip("; ") if hint else
                                             "leave the option out to use the column, or "
                                             "correct it"))
        if o["current"] is not None and np.any(stated != float(o["current"])):
            # the option's value, as stated; the column's row-by-row changes, which a source's
            # voltages follow, are then left in the resistances
            meta.setdefault("_notes", []).append(
                f"column {ccol!r} ({_range_text(cur)} mA) not read: every row taken at "
                f"{_current_opt(o['current'])}; leave the option out to divide each row's "
                "voltages by its own current")
        if o["current"] is not None:
            cur = np.full(rows.size, float(o["current"]))
    elif o["current"] is not None:
        cur = np.full(rows.size, float(o["current"]))
        # a current along -x written in the file states the magnitude the option gives
        if in_file is not None and not np.isclose(abs(in_file[0]), o["current"], rtol=1e-6, atol=0):
            raise HallReadError(f"{p}: the {in_file[1]} gives the source current "
                                f"{in_file[0]:g} mA but {_current_opt(o['current'])} was given; "
                                "leave the option out to use the file's, or correct it")
    elif in_file is not None and volt:          # a table of resistances needs no current
        cur = np.full(rows.size, in_file[0])
        meta.setdefault("_notes", []).append(
            f"source current {in_file[0]:g} mA read from the {in_file[1]}")
    else:
        density = [c for c in df.columns if re.search(r"a\s*/\s*m\^?2|a\s*m\^?-2|a/cm\^?2",
                                                       str(c), re.I)]
        if volt and density:
            # 'J (A/m^2)' was 'no current column': a density needs the cross-section to be one
            raise HallReadError(
                f"{p}: column {density[0]!r} holds a current density, and the Hall voltages "
                "need the source current: give it (the density times the cross-section of the "
                f"current path, {_opt('current', '1mA' if _STYLE.get() == 'cli' else 1.0)})")
        if volt:
            raise HallReadError(f"{p}: no current column, and no current in the preamble "
                                "('Current (mA): 1.5') or the file name ('rot_1.5mA.csv'); give "
                                f"the source current "
                                f"({_opt('current', '1mA' if _STYLE.get() == 'cli' else 1.0)}"
                                f"{'' if _STYLE.get() == 'cli' else ' in mA'}) or name its column "
                                f"({_col_opt('current')})")
        return None
    if np.any(cur <= 0):
        where = (f"column {ccol!r}" if ccol is not None else
                 f"the {in_file[1]}" if in_file is not None else "the current given")
        if np.all(cur < 0):
            raise HallReadError(_reversed_current(p, where, cur, o))
        raise HallReadError(f"{p}: source current must be positive ({where}: {_range_text(cur)} mA)")
    current_is = o["current_is"]
    written = in_file[2] if in_file is not None else col_form     # 'I_ac = 1.5 mA rms'
    source = in_file[1] if in_file is not None else f"column {ccol!r}"
    if written is not None and current_is is not None and written != current_is:
        raise HallReadError(f"{p}: the {source} gives the source current as {written} but "
                            f"{_opt('current_is', current_is)} was given; leave the option out "
                            "to use the file's, or correct it")
    if written is not None and current_is is None:
        current_is = written
        meta["current_is"] = written
        meta.setdefault("_notes", []).append(f"source current read as {written}, as the "
                                             f"{source} writes it")
    if current_is is None:
        if volt:
            _need_conventions(p, o, volt)
        raise HallReadError(f"{p}: state whether the source current is peak or rms "
                            f"({_opt('current_is', 'peak')} or {_opt('current_is', 'rms')}); "
                            "sotfit never assumes it")
    return cur * (math.sqrt(2) if current_is == "rms" else 1.0)


def _note_unread(meta, unread, given: str) -> None:
    """Note each preamble entry of ``unread`` (why it was not read) in ``meta['_notes']``:
    the option ``given`` gives the quantity instead."""
    if unread:
        meta.setdefault("_notes", []).extend(unread_notes(unread, given))


def _reversed_current(p, where: str, cur, o) -> str:
    """The message for a source current written negative throughout: a current along -x.

    The conventions count x along the current (docs/hall.md), so such a measurement is analysed
    in the current's own frame, turned by 180 deg about the normal: the current's magnitude, the
    field's azimuth from the current (the reading + 180 deg) and both Hall voltages negated (the
    Hall contacts are turned with the frame). Rotations from an independent generator with the
    current reversed give the planted torques so."""
    chans = " ".join(_opt(f"r{h}w_channel", "-" + str(o.get(f"r{h}w_channel") or "X").lstrip("-"))
                     for h in (1, 2))
    return (f"{p}: {where} gives a negative source current ({_range_text(cur)} mA): a current "
            f"along -x. The conventions count x along the current; analyse the measurement in the "
            f"current's own frame, turned by 180 deg about the normal: give the current's magnitude "
            f"({_current_opt(float(np.max(np.abs(cur))))}), the field's azimuth from the current's "
            f"direction, the reading + 180 deg ({_opt('phi_offset', _deg(180))}; a polar rotation "
            f"whose plane the file does not give needs {_opt('phi_h', _deg(0))} with it), and the "
            f"Hall voltages negated ({chans}, for a lock-in channel that is not negated already)")


def _current_opt(value: float) -> str:
    """The current option as given (mA), in the style of the run (``--current 3mA``)."""
    return _opt("current", f"{value:g}mA" if _STYLE.get() == "cli" else value)


def _ohm_column(p, df, col, h, rows, o, meta):
    """R_hw (Ohm) from a column of resistances (R_2w times ``r2w_sign``) and the column used."""
    gain = o[f"gain_{h}w"]
    try:
        ru = _unit_of_role(p, col, f"r{h}w", "resistance", o, None)
    except HallReadError:
        if _header_dimension(str(col)) != "voltage":
            raise
        raise HallReadError(
            f"{p}: column {col!r} is in volts, read as R_{h}w because no phase column goes with "
            "it; a lock-in's magnitude R alone has lost the sign of the Hall voltage: give the "
            f"X and Y outputs ({_col_opt(f'x{h}')}, {_col_opt(f'y{h}')}), or R with its phase "
            f"({_col_opt(f'phase{h}')}), or R_{h}w in Ohm") from None
    if gain not in (None, 1.0):
        raise HallReadError(f"{p}: column {col!r} holds resistances; a preamplifier gain "
                            f"({_opt(f'gain_{h}w', gain)}) applies to voltages only")
    if h == 2 and o["r2w_channel"] is not None and o["r2w_channel"] != "X":
        raise HallReadError(f"{p}: column {col!r} holds R_2w in Ohm, not a lock-in channel: "
                            f"{_opt('r2w_channel', o['r2w_channel'])} does not apply; a table "
                            f"written with the opposite sign takes {_opt('r2w_sign', -1)}")
    if h == 2 and o["r2w_sign"] is None:
        # a lab that writes R_2w = +V_2w,cos/I0 (Hayashi's lock-in convention) got every torque
        # field of the wrong sign, no word: the table does not say which it holds
        raise HallReadError(
            f"{p}: column {col!r} holds R_2w, and with which sign the file does not say: the "
            "house R_2w is -V_2w,cos/I0 (the cosine part of the second-harmonic Hall voltage "
            "over the peak current, negated; docs/hall.md), Hayashi's lock-in convention writes "
            f"+V_2w,cos/I0: give {_opt('r2w_sign', 1)} for the house sign or "
            f"{_opt('r2w_sign', -1)} for the opposite one (every torque field changes sign with "
            "it)")
    sign = float(o["r2w_sign"]) if h == 2 else 1.0
    meta[f"r{h}w_from"] = f"column {col!r} ({ru})"
    return sign * to_house(_values(p, df, col, rows), ru, "resistance")[0], col


def _lockin_column(p, df, roles, kind, c1, c2, h, rows, i_peak, o, meta):
    """R_hw (Ohm) from lock-in voltages: the channel of ``r{h}w_channel`` with its sign, divided by
    the preamplifier gain and the peak current (rms readings times sqrt 2); and the column used."""
    chan = o[f"r{h}w_channel"]
    if h == 2 and o["r2w_sign"] not in (None, 1):
        raise HallReadError(f"{p}: {_opt('r2w_sign', -1)} flips a table of resistances; the "
                            f"sign of a lock-in voltage is the channel's ({_opt('r2w_channel', '-X')})")
    vu = _unit_of_role(p, c1, _role_of(roles, c1), "voltage", o, "voltage_unit")
    if kind in ("xy", "rt"):
        if kind == "xy":
            X = _values(p, df, c1, rows)
            Y = _values(p, df, c2, rows)
            if _unit_of_role(p, c2, _role_of(roles, c2), "voltage", o, "voltage_unit") != vu:
                raise HallReadError(f"{p}: columns {c1!r} and {c2!r} have different units")
            names = (repr(c1), repr(c2))
        else:
            X, Y = _polar_to_xy(p, df, c1, c2, h, rows, o)
            names = (f"R cos(theta) of {c1!r}, {c2!r}", f"R sin(theta) of {c1!r}, {c2!r}")
        phase = o.get(f"r{h}w_phase")
        if phase is not None:
            turn = math.radians(phase)
            X, Y = X * math.cos(turn) + Y * math.sin(turn), -X * math.sin(turn) + Y * math.cos(turn)
            meta[f"r{h}w_phase"] = float(phase)
        _signal_in_the_channel_read(p, X, Y, chan, h, names)
        if phase != 0:          # 0 given: the channel read as it is, as the refusal offers
            _reference_phase(p, X, Y, chan, h, names, given=phase)
    else:
        X = _values(p, df, c1, rows)
        Y = None
        if chan not in ("X", "-X"):
            raise HallReadError(
                f"{p}: column {c1!r} is the only {'first' if h == 1 else 'second'}-harmonic "
                f"column, read as the in-phase output X; {_opt(f'r{h}w_channel', chan)} "
                f"names a channel the file does not have: give "
                f"{_opt(f'r{h}w_channel', 'X')} or {_opt(f'r{h}w_channel', '-X')}")
    which, sign = _CHANNELS[chan]
    v = sign * (X if which == "X" else Y)
    used = c1 if kind in ("rt", "v") or which == "X" else c2
    output = lockin_output_of(p, o, [c for c in (c1, c2) if c is not None])
    if output != o["lockin_output"]:
        meta["lockin_output"] = output
        note = f"lock-in outputs read as {output} values, as the column headers write them"
        if note not in meta.setdefault("_notes", []):
            meta["_notes"].append(note)
    # the peak of a Hall voltage read as rms, peak or peak-to-peak ('X1 (Vpp)')
    vfac = {"rms": math.sqrt(2), "pk-pk": 0.5}.get(output, 1.0)
    gain = _gain(p, df, h, o, used)
    meta[f"gain_{h}w"] = gain
    v = to_house(v, vu, "voltage")[0] / gain * vfac * 1e-6 / (i_peak * 1e-3)  # Ohm
    meta[f"r{h}w_from"] = f"column {used!r} ({vu}, channel {chan})"
    return v, used


def _gain(p, df, h, o, column=None) -> float:
    """The preamplifier gain of harmonic ``h``: the option's; without it 1, unless the file's
    preamble, or the name of the ``column`` read, writes a gain, which the readings may or may
    not hold: then the user says which."""
    gain = o[f"gain_{h}w"]
    if gain is not None:
        return float(gain)
    name = str(column or "")
    number = gain_in_name(name) if name else None
    if number is not None:
        # 'X2 x100 (V)' was read as it stands: torques 100 times too large, no word
        raise HallReadError(
            f"{p}: column {name!r} writes a gain {number} in its name, and whether its voltages "
            f"are divided by it already the file does not say: give "
            f"{_opt(f'gain_{h}w', number)} if they are not (the readings of the amplified "
            f"signal) or {_opt(f'gain_{h}w', 1)} if they are")
    written = preamble_gain(p, h, df.attrs.get("preamble"))
    if written is None:
        return 1.0
    value, where, named = written
    nth = ("first" if h == 1 else "second") + (" harmonic" if named else
                                               " harmonic (it names none: of both)")
    number = f"{gain_factor(value):g}"
    raise HallReadError(
        f"{p}: the {where} writes a preamplifier gain {value!r} of the {nth}, and "
        "whether the voltages in the file are divided by it already the file does not say: give "
        f"{_opt(f'gain_{h}w', number)} if they are not (the readings of the amplified signal) "
        f"or {_opt(f'gain_{h}w', 1)} if they are")


#: How many times more the lock-in channel not read of a harmonic may vary over a table than the
#: channel read before the reading is refused: the measured Py/Pt rotations vary 5-500 times
#: less in their out-of-phase channels than in the in-phase channels read.
CHANNEL_SPREAD_RATIO = 10.0


def _spread(values) -> float:
    """How much ``values`` vary: :func:`~sotfit.io.hall.values.robust_spread` (one wild cell, a
    number cut short on the last line, does not make a channel vary; the cell is named by the
    outlier check instead), or the standard deviation where the middle is constant."""
    return robust_spread(values) or float(np.std(values))


def _signal_in_the_channel_read(p, X, Y, chan, h, names) -> None:
    """Refuse a channel that holds next to nothing beside one that varies more than
    :data:`CHANNEL_SPREAD_RATIO` times as much: the harmonic is in the other channel (the
    lock-in's phase setting, or X and Y columns swapped), and reading the empty one gives
    torques of noise."""
    read_x = chan in ("X", "-X")
    used, other = (X, Y) if read_x else (Y, X)
    if float(np.std(used)) == 0:
        return                      # an exactly constant channel was not recorded (no_signal)
    spread_used, spread_other = _spread(used), _spread(other)
    if not spread_other > CHANNEL_SPREAD_RATIO * spread_used:
        return
    other_chan = "Y" if read_x else "X"
    used_name, other_name = names if read_x else names[::-1]
    nth = "first" if h == 1 else "second"
    ratio = f"{spread_other / spread_used:.0f} times"
    raise HallReadError(
        f"{p}: the {nth}-harmonic channel read (channel {chan}: {used_name}) varies {ratio} "
        f"less than channel {other_chan} ({other_name}): the {nth} harmonic is in channel "
        f"{other_chan}. Give {_opt(f'r{h}w_channel', other_chan)} (or -{other_chan}: which sign "
        "is the lock-in's phase setting, the data cannot tell it), or, if the file's X and Y "
        f"columns are swapped, name them ({_col_opt(f'x{h}')}, {_col_opt(f'y{h}')})")


#: A lock-in's reference phase off by more than this (deg) is refused: the channel read then
#: holds cos(10 deg) = 98.5 % of the harmonic or less. The measured Py/Pt rotations show phases
#: of 0-3 deg; a second harmonic read 20, 45 and 70 deg off gave H_DL 7, 30 and 67 % too small.
PHASE_LIMIT = 10.0
#: ... when the channel not read follows the one read by this many standard errors.
PHASE_SIGMAS = 10.0


def _reference_phase(p, X, Y, chan, h, names, given: float | None = None) -> None:
    """Refuse a harmonic split between the lock-in's channels: the channel not read following
    the one read (other = k x read + const, the same signal turned by atan k) by more than
    :data:`PHASE_LIMIT` deg and :data:`PHASE_SIGMAS` standard errors of k, naming the phase
    that turns it back (``r{h}w_phase``). ``given``: the phase the outputs ``X``, ``Y`` were
    already turned by (a phase of the wrong sign, 20 deg for -20, left the harmonic 40 deg off
    and H_DL 23 % low, unflagged); the phase named is then the whole turn."""
    read_x = chan in ("X", "-X")
    used, other = (X, Y) if read_x else (Y, X)
    for a in (used, other):     # a wild cell is the outlier check's to name, not a phase
        if not np.all(np.isfinite(a)) or np.max(np.abs(a - np.median(a))) > 1e3 * _spread(a):
            return
    u, v = used - used.mean(), other - other.mean()
    scale = max(float(np.max(np.abs(u))), float(np.max(np.abs(v))))
    if scale == 0:
        return
    u, v = u / scale, v / scale
    suu = float(u @ u)
    if u.size < 5 or suu == 0:
        return
    k = float(u @ v) / suu
    rest = v - k * u
    se = math.sqrt(float(rest @ rest) / (u.size - 2) / suu)
    off = math.degrees(math.atan(k))
    if abs(off) <= PHASE_LIMIT or abs(k) <= PHASE_SIGMAS * se:
        return
    nth = "first" if h == 1 else "second"
    other_chan = "Y" if read_x else "X"
    used_name, other_name = names if read_x else names[::-1]
    turn = off if read_x else -off
    sigmas = f"{abs(k) / se:.0f} standard errors" if abs(k) < 1e6 * se else "exactly"
    if given is not None:
        whole = (given + turn + 180.0) % 360.0 - 180.0
        raise HallReadError(
            f"{p}: with the outputs of the {nth} harmonic turned by the "
            f"{_opt(f'r{h}w_phase', _angle_opt(given))} given, channel {other_chan} "
            f"({other_name}) still follows the channel read ({chan}: {used_name}) as {k:.3g} "
            f"times it ({sigmas}): the harmonic is {abs(off):.1f} deg off the channel read. The "
            f"reference phase that turns it back is {_opt(f'r{h}w_phase', _angle_opt(whole))} "
            "(a phase of the other sign turns the outputs the wrong way)")
    raise HallReadError(
        f"{p}: channel {other_chan} of the {nth} harmonic ({other_name}) follows the channel "
        f"read ({chan}: {used_name}) as {k:.3g} times it ({sigmas}): the lock-in's reference "
        f"phase is off by {abs(off):.1f} deg, and the channel read holds cos({abs(off):.1f} deg) "
        f"= {math.cos(math.radians(off)):.1%} of the harmonic. Give "
        f"{_opt(f'r{h}w_phase', _angle_opt(turn))} to read the outputs turned back by it, or "
        f"{_opt(f'r{h}w_phase', _angle_opt(0.0))} to read the channel as it is")


def _angle_opt(deg: float):
    """An angle option's value as the run spells it: ``20.1deg`` on the command line, 20.1 (deg)
    as a keyword."""
    return f"{round(deg, 1):g}deg" if _STYLE.get() == "cli" else round(deg, 1)


def _polar_to_xy(p, df, mag, phase, h, rows, o):
    """Lock-in X = R cos(theta), Y = R sin(theta) from magnitude and phase columns (phase in deg
    or rad)."""
    R = _values(p, df, mag, rows)
    tu = split_header(str(phase))[1] if _safe_split(phase) else None
    tu = tu or (normalise_unit(o["column_units"][f"phase{h}"])
                if f"phase{h}" in o["column_units"] else None)
    if tu not in (None, "deg", "rad"):
        raise HallReadError(f"{p}: phase column {phase!r} must be in deg or rad, not {tu}")
    raw = _values(p, df, phase, rows)
    if tu is None and np.all(np.abs(raw[np.isfinite(raw)]) <= 2 * math.pi):
        # phases in rad without a unit were read as degrees: the refusals that followed
        # blamed the channel and an anisotropy, never the unit (on [0, 2 pi) too: the field-
        # like field 43 uT for 200 uT, no flag)
        raise HallReadError(
            f"{p}: phase column {phase!r} has no unit and every value lies within +-2 pi "
            f"({np.nanmin(raw):.4g} to {np.nanmax(raw):.4g}): radians, or degrees of a phase "
            f"that stays near 0? give {_unit_opt(f'phase{h}', 'rad')} or "
            f"{_unit_opt(f'phase{h}', 'deg')}")
    th = raw if tu == "rad" else np.radians(raw)
    return R * np.cos(th), R * np.sin(th)


def _group_keys(p, df, roles, rows, group_cols, scan, o, meta, x=None):
    """The fixed quantities of the scans as columns of keys (options or constant columns);
    ``x``, the scanned angle (deg) of every row of a rotation, tells the rotations of a field
    read back on every row apart (:func:`sotfit.io.hall.groups._rotation_fields`).

    Returns
    -------
    keys : ndarray, shape (rows, names)
    gnames : list of str
        The name of each key column (the field, T, last for rotations).
    ferr_rows : ndarray or None
        Standard error of the field (T) of every row of a rotation.
    """
    keys = np.zeros((rows.size, 0))
    gnames = []
    for key, c in group_cols.items():
        if c is None:
            continue
        if key == "sweep_axis":
            v = _axis_values(p, c, _strings(p, df, c, rows), rows)
        elif key == "mz_state":
            v = _state_values(p, df, c, rows)
        else:
            v = _fixed_angle_values(p, df, c, key, rows, o)
        keys = np.column_stack([keys, v])
        gnames.append(key)
    ferr_rows = None
    if scan in ("phi", "theta"):
        angle_field, ferr_rows, _ = _angle_scan_field(p, df, roles, rows, o, meta, x)
        keys = np.column_stack([keys, angle_field])
        gnames.append("field")
    return keys, gnames, ferr_rows


def _fixed_angle_values(p, df, col, role, rows, o):
    """The values (deg) of a column of a fixed field angle (``phi_h``, ``theta_h``) in the unit
    of its header or of ``--column-unit ROLE=UNIT``; without a unit, degrees when no value lies
    within a turn in radians (|value| <= 2 pi) but zero, else an error asking for the unit (0
    and 1.571 are a sweep along y in radians or 1.6 deg off x)."""
    raw = _values(p, df, col, rows)
    try:
        _, header_unit = split_header(str(col))
    except UnitError as exc:
        raise HallReadError(f"{p}: {exc}") from None
    if header_unit is None and o["column_units"].get(role) is None:
        small = raw[(raw != 0) & (np.abs(raw) <= 2 * math.pi + 1e-6)]
        if small.size:
            shown = ", ".join(f"{v:.4g}" for v in np.unique(raw)[:4])
            raise HallReadError(f"{p}: column {col!r} ({role}) has no unit in its header and its "
                                f"values ({shown}) could be radians or degrees; give "
                                f"{_unit_opt(role, 'deg')} or {_unit_opt(role, 'rad')}")
        return _check_values(raw, col, p, "angle")
    unit = _unit_of_role(p, col, role, "angle", o, None)
    if normalise_unit(unit) == "rad" and np.max(np.abs(raw), initial=0.0) > 2 * math.pi + 1e-6:
        raise HallReadError(f"{p}: column {col!r} is declared in rad but holds "
                            f"{np.max(np.abs(raw)):.4g}, more than a full turn; the angles look "
                            "like degrees")
    return _check_values(to_house(raw, unit, "angle")[0], col, p, "angle")


def _rotation_geometry(p, gm, roles, o, scan, ferr) -> None:
    """The field (T) and its standard error, and the fixed field angle (deg) of one rotation."""
    if o["field"] is not None:
        gm["field"] = float(o["field"])
        gm["field_stderr"] = 0.0
    else:
        gm["field_stderr"] = float(np.mean(ferr))
    if (note := readback_note(gm)) is not None and o["field"] is None:
        gm["_notes"].append(note)
    if scan == "phi":
        unread = [] if o["theta_h"] is not None else None
        written = preamble_theta_h(p, None, unread) if "theta_h" not in gm else None
        if "theta_h" not in gm:
            _note_unread(gm, unread, _opt("theta_h", o["theta_h"]))
        if written is not None:             # '# theta_H (deg): 80' above the table
            if o["theta_h"] is not None and not np.isclose(o["theta_h"], written[0]):
                raise HallReadError(f"{p}: the {written[1]} gives theta_h = {written[0]:g} deg "
                                    f"but {_opt('theta_h', o['theta_h'])} was given")
            gm["theta_h"] = written[0]
            gm["_notes"].append(f"theta_h = {written[0]:g} deg from the {written[1]}")
        gm["theta_h"] = float(gm.get("theta_h", 90.0 if o["theta_h"] is None else o["theta_h"]))
        _agree(p, roles.get("theta_h"), "theta_h", gm["theta_h"], o["theta_h"])
    else:
        if "phi_h" not in gm and o["phi_h"] is None:
            gm["phi_h_assumed"] = True      # the xz plane: no column, preamble entry or option
        gm["phi_h"] = float(gm.get("phi_h", 0.0 if o["phi_h"] is None else o["phi_h"]))
        _agree(p, roles.get("phi_h"), "phi_h", gm["phi_h"], o["phi_h"])
        _polar_plane_azimuth(p, gm, roles, o)


def _polar_plane_azimuth(p, gm, roles, o) -> None:
    """The azimuth (deg) of a polar rotation's plane with ``--phi-offset`` taken off its reading.

    ``--phi-offset`` is the azimuth reading where the field is along the current, on the scale
    that sets the plane of a polar rotation as it turns an in-plane rotation: the plane at
    reading phi_h is at phi_H = phi_h - offset (a sample mounted across the rotator's zero turns
    the rotations written xz into yz ones). Without a reading of the plane (no column, preamble
    entry or ``--phi-h``) the offset has nothing to act on and is refused, naming ``--phi-h``.
    """
    offset = o.get("phi_offset")
    if offset is None:
        return
    if gm.get("phi_h_assumed"):
        raise HallReadError(
            f"{p}: {_opt('phi_offset', _deg(offset))} is the azimuth reading where the field is along "
            f"the current, and the polar rotation gives no reading of its plane (no phi_h column, "
            f"preamble entry or {_opt('phi_h')}): give it, e.g. {_opt('phi_h', _deg(0))} for the "
            f"plane at reading 0, which the offset turns to phi_H = {_wrap(-offset):g} deg")
    reading = gm["phi_h"]
    gm["phi_h"] = _wrap(reading - offset)
    where = f"column {roles['phi_h']!r}" if roles.get("phi_h") else "reading"
    gm["_notes"].append(f"the plane of the polar rotation is at phi_H = {gm['phi_h']:g} deg: its {where} "
                        f"{reading:g} deg minus {offset:g} deg ({_opt('phi_offset', _deg(offset))})")


def _wrap(angle: float) -> float:
    """``angle`` (deg) in (-180, 180]."""
    return float(angle - 360.0 * math.ceil((angle - 180.0) / 360.0))


def _traces(p, blk, kinds, scan, x, res, rows, grouping, i_peak, meta, o):
    """One trace per group of rows (a rotation), or per monotonic run of a group (field sweeps)."""
    keys, gnames, ferr_rows = grouping
    groups = _group_rows(keys, scan)
    traces = []
    for idx in groups:
        gm = dict(meta, _notes=list(meta.get("_notes", [])))
        gkey = []
        for j, name in enumerate(gnames):
            val = float(keys[idx[0], j])
            gkey.append((name, round(val, 12)))
            gm[name] = val
        if scan == "field":
            _sweep_geometry(p, gm, blk, o, blk.roles)
        else:
            _rotation_geometry(p, gm, blk.roles, o, scan, ferr_rows[idx] if o["field"] is None else None)
        notes = gm.pop("_notes")
        if i_peak is not None:
            gm["current_peak"] = float(np.mean(i_peak[idx]))
        parts = []
        if blk.label:
            parts.append(str(blk.label))
        if len(groups) > 1:
            parts.append(", ".join(f"{k} {_fmt_key(k, v)}" for k, v in gkey))
        desc = "; ".join(parts)
        xs = x[idx]
        rs = {h: res[h][idx] for h in res}
        key = (_label_key(blk, kinds), tuple(gkey))
        if scan != "field":
            traces.append(_Trace(p, xs, rs, gm, key, desc=desc, notes=list(notes)))
            continue
        for ri, run in enumerate(_monotonic_runs(p, xs, rows[idx], blk.var)):
            d = int(np.sign(xs[run[-1]] - xs[run[0]])) if run.size > 1 else 0
            traces.append(_Trace(p, xs[run], {h: rs[h][run] for h in rs}, dict(gm), key, run=ri,
                                 direction=d, desc=desc, notes=list(notes)))
    return traces
