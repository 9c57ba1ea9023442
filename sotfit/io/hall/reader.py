"""The readers of harmonic Hall tables: :func:`read_hall` (any layout, several files) and
:func:`read_hall_table` (one scan)."""

from __future__ import annotations

import re
from pathlib import Path

from .block import _read_block
from .calibration import MagnetCalibration
from .corner_matrix import rotations_in_a_matrix
from .current_levels import rows_at_current
from .columns import _column_named, _compact, _given_columns, _harmonic_of
from .dialect import _read_tables
from .field_columns import rotations_side_by_side
from .state_columns import states_side_by_side
from .layouts import _blocks
from .options import _STYLE, _check_options, _col_opt, _mz_opt, _opt
from .polar_reading import check_polar_reading
from .pairing import _pair_and_build, file_harmonic
from .scan import HallReadError, HallScan
from .values import _LINES
from .vector_field import vector_field_columns
from .. import table_names
from ..distinct_files import check_distinct_files


def read_hall(paths, *, scan: str | None = None, current=None, current_is: str | None = None,
              lockin_output: str | None = None, r2w_channel: str | None = None,
              r1w_channel: str = "X", r2w_sign: float | None = None, gain_1w: float | None = None,
              gain_2w: float | None = None, voltage_unit: str | None = None, angle_unit: str | None = None,
              field_unit: str | None = None, field=None, theta_h: float | None = None,
              phi_h: float | None = None, calibration: MagnetCalibration | None = None,
              extrapolate_calibration: bool = False, mz_state: int | None = None,
              r_ahe: float | None = None, columns: dict | None = None,
              column_units: dict | None = None, option_style: str = "python",
              phi_offset: float | None = None, r1w_phase: float | None = None,
              r2w_phase: float | None = None, theta_offset: float | None = None,
              override_units: dict | None = None,
              drop_incomplete_rows: bool = False,
              allow_duplicates: bool = False) -> list[HallScan]:
    """Read harmonic Hall tables as laboratories write them into one :class:`HallScan` per scan.

    Layouts (docs/io.md, "Harmonic Hall tables"):

    * one scan per file (a rotation or a field sweep) with lock-in X/Y (or R/theta) columns of
      both harmonics, single voltage columns (``V1w``, ``Hx_1f_voltage``), or Hall resistances
      in Ohm (``R1w_ohm``, ``R_2w (Ohm)``; ``r2w_sign=1`` for R_2w in the house sign
      -V_2w,cos/I0, ``-1`` for the opposite one, asked for; no lock-in convention is needed);
    * long tables holding several scans: rotations split by their field column; field sweeps
      split by a sweep-axis column (x/y, longitudinal/transverse or phi_h) and an m_z-state
      column, each into its monotonic sweeps; a sweep through a switching jump of R_1w (a
      hysteresis loop of a perpendicular film) is split there, the m_z state of each part taken
      from the jump and the sign of R_AHE (``r_ahe``, or the tilt of the field ``theta_h`` !=
      90 deg, which decides the state a rising field switches to); the points inside the jump
      are left out (noted);
    * column pairs side by side (``Hx,Hx_1f_voltage,Hy,Hy_1f_voltage``, NaN-padded to equal
      length): one block per field column, its axis from the name (x: phi_h = 0, y: 90);
    * the first and second harmonics in two files (``*_1f_*`` and ``*_2f_*``, paired by the file
      names and by the column names with the harmonic replaced), each on its own grid: the
      first harmonic is interpolated onto the second's fields (or angles), within each sweep
      segment, never extrapolated (noted).

    Parameters
    ----------
    paths : path-like or sequence of path-like
        The files, in any order.
    scan : {'phi', 'theta', 'field'}, optional
        What was swept; default from the column names (an angle column ``phi``/``theta``, else
        a field column).
    r2w_sign : {1, -1}, optional
        For tables of resistances (an R_2w column): 1 when R_2w is written in the house sign,
        -1 when in the opposite one (Hayashi's lock-in convention); without it such a table is
        an error asking which (the table does not say, and every torque field changes sign).
    r_ahe : float, optional
        R_AHE in Ohm, used only for its sign (the m_z state of a loop's branches).
    columns : dict, optional
        Role -> column name (roles in :data:`COLUMN_ROLES`; the earlier keys 'x', 'X1', 'R1',
        'T1', ... are accepted).
    column_units : dict, optional
        Role -> unit of a column whose header has none.
    option_style : {'python', 'cli'}
        Spell the options in messages as keywords or as ``sotfit hall`` options.
    phi_offset : float, optional
        In-plane rotations: the reading of the angle column (deg) where the field is along the
        current (a sample mounted at 90 deg to the rotator's zero: 90); the azimuth of the field
        is the reading minus ``phi_offset``. Polar rotations: the azimuth of their plane is its
        reading (a ``phi_h`` column, preamble entry or ``phi_h``) minus ``phi_offset``; without a
        reading it is refused. Field sweeps alone refuse it.
    theta_offset : float, optional
        Polar rotations: the reading of the angle column (deg) where the field is along +z, the
        film normal (a rotator scale counting from the film plane: 90 or -90); the polar angle
        is the reading minus ``theta_offset``. A polar rotation whose first harmonic is extremal
        more than 45 deg from readings 0 and 180 is refused, naming it
        (:func:`sotfit.io.hall.polar_reading.check_polar_reading`).
    r1w_phase, r2w_phase : float, optional
        Lock-in outputs of a harmonic turned by this phase (deg) before its channel is read,
        X cos(phase) + Y sin(phase) and -X sin(phase) + Y cos(phase): for a reference phase
        set off by it. Without it, a channel not read that follows the one read (the same
        signal, turned by more than :data:`sotfit.io.hall.block.PHASE_LIMIT` deg) is refused
        with the phase it shows; ``0`` reads the channels as they are.
    override_units : dict, optional
        Role -> unit of a column whose header writes a wrong unit (``{'field': 'mT'}`` for a
        ``B (T)`` column holding mT): read in it, with a warning naming both.
    drop_incomplete_rows : bool
        Leave out the rows with a missing or non-finite value (NaN, inf, an empty cell) in a
        column read, noted with the file, the columns and the lines; without it such a cell
        is an error naming them (nothing is dropped silently).
    allow_duplicates : bool
        Keep one of each row that repeats an earlier row of its scan in every column read (a
        block pasted twice, a file whose second half is its first again), noted; without it
        such rows are an error naming the file, their number and lines.

    Other parameters are those of :func:`read_hall_table`.

    Returns
    -------
    list of HallScan
        In the order of the files, blocks, scans and sweeps; ``meta['reader_notes']`` says what
        the reader decided (a loop split, an interpolation, points left out).
    """
    if option_style not in ("python", "cli"):
        raise ValueError(f"option_style must be 'python' or 'cli', not {option_style!r}")
    token = _STYLE.set(option_style)
    try:
        if isinstance(paths, (str, Path)):
            paths = [paths]
        opts = dict(scan=scan, current=current, current_is=current_is, lockin_output=lockin_output,
                    r2w_channel=r2w_channel, r1w_channel=r1w_channel, r2w_sign=r2w_sign,
                    gain_1w=gain_1w, gain_2w=gain_2w, voltage_unit=voltage_unit,
                    angle_unit=angle_unit, field_unit=field_unit, field=field, theta_h=theta_h,
                    phi_h=phi_h, calibration=calibration,
                    extrapolate_calibration=extrapolate_calibration, mz_state=mz_state,
                    r_ahe=r_ahe, column_units=_with_overrides(column_units, override_units),
                    override_roles=tuple(override_units or ()), phi_offset=phi_offset,
                    r1w_phase=r1w_phase, r2w_phase=r2w_phase, theta_offset=theta_offset,
                    drop_incomplete_rows=bool(drop_incomplete_rows),
                    allow_duplicates=bool(allow_duplicates))
        _check_options(paths, opts)
        check_distinct_files(paths, HallReadError)
        given = _given_columns(columns, scan)
        opts["given"] = given
        states = _states_by_file(paths, mz_state)
        per_file = [_read_file(Path(p), opts if states is None else {**opts, "mz_state": st})
                    for p, st in zip(paths, states or paths)]
        missing = [f"{_col_opt(role, name)}" for role, name in given.items()
                   if not any(_column_named(name, cols) is not None for _, cols in per_file)]
        if missing:
            p = Path(paths[0])
            cols = per_file[0][1]
            raise HallReadError(f"{p}: {', '.join(missing)} names no column of the file"
                                f"{'s' if len(paths) > 1 else ''}; columns are: "
                                f"{', '.join(map(str, cols))}")
        scans = _pair_and_build([t for t, _ in per_file], opts)
        _check_reading_offsets(scans, opts, paths)
        check_polar_reading(scans)
        return scans
    finally:
        _STYLE.reset(token)


def _check_reading_offsets(scans, o, paths) -> None:
    """Refuse ``phi_offset`` or ``theta_offset`` where no scan has the angle reading it offsets:
    field sweeps give their direction from the current and the normal, and read alone the
    option was passed over without a word."""
    kinds = {s.scan for s in scans}
    for key, needs, what in (("phi_offset", {"phi", "theta"}, "the azimuth reading of an in-plane "
                              "rotation or of a polar rotation's plane"),
                             ("theta_offset", {"theta"}, "the polar reading of a polar rotation")):
        if o.get(key) is not None and not kinds & needs:
            value = f"{o[key]:g}deg" if _STYLE.get() == "cli" else float(o[key])
            raise HallReadError(
                f"{Path(paths[0])}: {_opt(key, value)} offsets {what}, and these scans are field "
                f"sweeps, whose direction is given from the current and the film normal (a phi_h or "
                f"theta_h column, the sweep's axis, {_opt('phi_h')}, {_opt('theta_h')}): leave it out")


def _states_by_file(paths, mz_state) -> list | None:
    """The m_z state of each of ``paths`` from a dict ``mz_state`` (keyed by the path as
    given or the file name), or None when ``mz_state`` is one value for all; a key that names
    no file is an error."""
    if not isinstance(mz_state, dict):
        return None
    keys = {str(k): v for k, v in mz_state.items()}
    unused = set(keys)
    out = []
    for p in paths:
        hit = [k for k in (str(p), Path(p).name) if k in keys]
        unused.difference_update(hit)
        out.append(keys[hit[0]] if hit else None)
    if unused:
        raise HallReadError(f"{_mz_opt(sorted(unused)[0])} names no file of the scans "
                            f"({', '.join(Path(p).name for p in paths)})")
    return out


def _read_file(p: Path, o):
    """The traces of one file (one per scan and harmonic group) and its columns."""
    if not table_names.named_table(p)[0].is_file():
        raise FileNotFoundError(f"{p}: no such file")
    traces, cols = [], []
    for source, df, dialect_note in _read_tables(p):
        more = _read_frame(source, df, o)
        if dialect_note:
            for t in more:
                t.notes.insert(0, dialect_note)
        traces.extend(more)
        cols.extend(c for c in df.columns if c not in cols)
    return traces, cols


def _read_frame(p: Path, df, o):
    """The traces of one table ``df`` of ``p`` (a file, or a sheet ``file.xlsx[sheet]``)."""
    cols = list(df.columns)
    given = {k: v for k, v in o["given"].items() if not k.startswith("_")}
    present = {k: c for k, v in given.items() if (c := _column_named(v, cols)) is not None}
    if "_legacy_x" in o["given"] and o["given"]["_legacy_x"] not in cols:
        raise HallReadError(f"{p}: columns={{'x': {o['given']['_legacy_x']!r}}} names no column of "
                            f"the file; columns are: {', '.join(map(str, cols))}")
    named = None if present else _harmonic_from_file_name(p, cols, o["scan"])
    if named is not None:                   # 'X (uV)' of 'phi_5mT_2f.csv': the second's X
        df = df.rename(columns=named[0])
    matrix = None if present else rotations_in_a_matrix(p, df)
    if matrix is not None:                  # 'phi (deg) \ B (mT),30,50,...': angles down
        df = matrix[0]
    wide = None if present or named is not None else rotations_side_by_side(df)
    if wide is not None:                    # 'X1_5mT (uV)', ..., 'Y2_400mT (uV)': one per field
        df = wide[0]
    states = None if present else states_side_by_side(p, df)
    if states is not None:                  # 'X1_up (uV)', ..., 'X2_down (uV)': one per state
        df = states[0]
    vector = None if present else vector_field_columns(p, df)
    if vector is not None:                  # 'Bx (mT), By (mT), Bz (mT)': a vector magnet's field
        df = vector[0]
    token = _LINES.set(df.attrs.get("lines"))     # messages name the file's lines of the rows
    try:
        blocks, side = _blocks(p, df, o["scan"], present)
        df, at_current = rows_at_current(p, df, blocks, o)    # a current column of 1, 2, 4 mA
        if at_current is not None:
            _LINES.set(df.attrs.get("lines"))
        traces = []
        for blk in blocks:
            traces.extend(_read_block(p, df, blk, side, o))
    finally:
        _LINES.reset(token)
    if named is not None:
        for t in traces:
            t.notes.append(named[1])
    if wide is not None and traces:         # said once, of the file's first rotation
        traces[0].notes.append(wide[1])
    if states is not None and traces:
        traces[0].notes.append(states[1])
    if vector is not None and traces:
        traces[0].notes.append(vector[1])
    if matrix is not None and traces:
        traces[0].notes.append(matrix[1])
    if at_current is not None and traces:
        traces[0].notes.append(at_current)
    return traces


#: Lock-in outputs named without their harmonic (compact names) -> the name with harmonic
#: ``{h}`` that the reader knows.
_UNMARKED_OUTPUTS = {"x": "X{h}", "lockinx": "X{h}", "xchannel": "X{h}", "y": "Y{h}",
                     "lockiny": "Y{h}", "ychannel": "Y{h}", "r": "R{h}", "mag": "R{h}",
                     "magnitude": "R{h}", "theta": "Theta{h}", "phase": "Theta{h}",
                     "v": "V{h}w", "vxy": "V{h}w", "vhall": "V{h}w", "vh": "V{h}w"}


def _harmonic_from_file_name(p: Path, cols, scan):
    """For a file of one harmonic whose name says which (``phi_5mT_2f.csv``, ``rot_harm1.dat``)
    and whose lock-in columns do not (``X (uV)``, ``Y (uV)``): the renaming of those columns to
    the harmonic's (``X2 (uV)``) and the note; None for any other file."""
    h = file_harmonic(p)
    if h is None or any(_harmonic_of(c) is not None for c in cols):
        return None
    renamed = {}
    for c in cols:
        m = re.match(r"^(\s*)(.+?)(\s*[(\[].*)?$", str(c))     # the name, then its unit
        key = _compact(m.group(2)) if m else None
        if key in _UNMARKED_OUTPUTS and not (key == "theta" and scan == "theta"):
            renamed[c] = m.group(1) + _UNMARKED_OUTPUTS[key].format(h=h) + (m.group(3) or "")
    if not renamed:
        return None
    which = "first" if h == 1 else "second"
    return renamed, (f"the lock-in columns {', '.join(map(repr, renamed))} read as the {which} "
                     f"harmonic's, as the file name {Path(p).name!r} says")


def read_hall_table(path, *, scan: str, current=None, current_is: str | None = None,
                    lockin_output: str | None = None, r2w_channel: str | None = None,
                    r1w_channel: str = "X", gain_1w: float | None = None,
                    gain_2w: float | None = None,
                    voltage_unit: str | None = None, angle_unit: str | None = None,
                    field_unit: str | None = None, field=None, theta_h: float | None = None,
                    phi_h: float | None = None, calibration: MagnetCalibration | None = None,
                    extrapolate_calibration: bool = False, mz_state: int | None = None,
                    columns: dict | None = None, **more) -> HallScan:
    """Read one harmonic Hall scan into R_1w and R_2w in Ohm (:func:`read_hall` for files that
    hold several scans, or harmonics in two files).

    Parameters
    ----------
    path : path-like
        CSV table with a header row.
    scan : {'phi', 'theta', 'field'}
        What was swept: in-plane field angle phi (from the current), polar angle theta (from
        the film normal), or the field magnitude.
    current : float or None
        Source current in mA; ``None`` to read it from a column named like ``I_source (mA)``.
    current_is : {'peak', 'rms'}
        Whether ``current`` (or the current column) is a peak amplitude or an rms value. Required.
    lockin_output : {'rms', 'peak'}
        Whether the lock-in voltages are rms (SR830 and most lock-ins) or peak. Required for
        voltages (a table of resistances needs none of the lock-in conventions).
    r2w_channel : {'X', '-X', 'Y', '-Y'}
        Channel and sign giving +R_2w (module doc). Required for voltages.
    r1w_channel : {'X', '-X', 'Y', '-Y'}
        Channel and sign giving +R_1w (normally 'X', in phase with the current).
    gain_1w, gain_2w : float, optional
        Preamplifier gains applied before the lock-in (readings are divided by them); default
        1, except that a gain written in the file's preamble (``# gain_2w = 100``) must then be
        confirmed or set to 1 (the file does not say whether its readings hold it).
    voltage_unit : str, optional
        Unit of the lock-in columns when their headers have none (e.g. 'V').
    angle_unit, field_unit : str, optional
        Units of the angle / field column when the header has none.
    field : float, optional
        Field magnitude in T for an angle scan without a field column.
    theta_h, phi_h : float, optional
        Fixed polar / azimuthal field readings in deg (defaults: theta_h=90 for phi scans and
        field sweeps, phi_h=0 for theta and field scans).
    calibration : MagnetCalibration, optional
        Converts a ``Magnet current (A)`` column to field.
    extrapolate_calibration : bool
        Allow magnet currents outside the calibration table (flagged in ``meta``).
    mz_state : int or dict, optional
        For field scans: the perpendicular state (+1, -1) of the branch, 0 if not applicable;
        with :func:`read_hall`, a dict gives it per file (``{"Hx_up.txt": -1, ...}``, keyed by
        the path as given or the file name; files it does not name get none).
        Field scans may carry constant columns ``phi_h``, ``theta_h`` (deg) and ``mz_state``
        instead; a conflict with the argument is an error.
    columns : dict, optional
        Explicit column names by role (:data:`COLUMN_ROLES`; the earlier keys 'x', 'X1', 'Y1',
        'X2', 'Y2', 'R1', 'T1', 'R2', 'T2', 'current', 'field', 'magnet_current' are accepted).
    **more
        ``r2w_sign``, ``r_ahe``, ``column_units``, ``option_style`` of :func:`read_hall`.

    Returns
    -------
    HallScan

    Raises
    ------
    HallReadError
        Naming the file and column for a missing harmonic, a missing or inconsistent unit,
        NaNs, a missing convention, or a file holding more than one scan.
    """
    scans = read_hall([path], scan=scan, current=current, current_is=current_is,
                      lockin_output=lockin_output, r2w_channel=r2w_channel, r1w_channel=r1w_channel,
                      gain_1w=gain_1w, gain_2w=gain_2w, voltage_unit=voltage_unit,
                      angle_unit=angle_unit, field_unit=field_unit, field=field, theta_h=theta_h,
                      phi_h=phi_h, calibration=calibration,
                      extrapolate_calibration=extrapolate_calibration, mz_state=mz_state,
                      columns=columns, **more)
    if len(scans) != 1:
        raise HallReadError(f"{path}: holds {len(scans)} scans ({'; '.join(s.source for s in scans[:4])}"
                            f"{' ...' if len(scans) > 4 else ''}); read it with read_hall")
    return scans[0]


def _with_overrides(column_units: dict | None, override_units: dict | None) -> dict:
    """The unit of each role's column: ``column_units`` and ``override_units`` (a role in both
    with different units is an error)."""
    units = dict(column_units or {})
    for role, unit in (override_units or {}).items():
        if units.get(role, unit) != unit:
            raise HallReadError(f"column_units {role}={units[role]} and override_units "
                                f"{role}={unit} disagree")
        units[role] = unit
    return units
