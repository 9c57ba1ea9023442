"""The ST-FMR reader :func:`read_stfmr`: files or folders -> :class:`~sotfit.data.Sweep`
(docs/io.md).

The Datasets it returns carry in ``meta``:

``frequency`` (GHz), ``power`` (dBm, only if known), ``source`` (file name;
``'file [label]'`` for a column pair), ``path``,
``sample`` (a ``sample``/``Samplename``/``device`` header entry if
not empty, else the name of the file's folder: repeats are the
spectra that share ``sample`` and ``frequency``),
``repeat`` (int from the file name, 0 for the first),
``segment`` (int, 0 unless ``split_sweeps`` split the file),
``sweep_direction`` (``'up'``, ``'down'``, or ``'mixed'`` when the
two polarity branches were swept in opposite directions, as in a
``-0.14 -> 0, +0.14 -> 0`` file), ``sweep_direction_positive`` /
``sweep_direction_negative`` (per branch, when present),
``field_angle`` (deg) and ``field_angle_from`` (only if known),
``field_unit_in_file``, ``voltage_unit_in_file``, ``units_from``
(``'header'``, ``'option'`` or ``'lvm layout'``), ``n_points``,
``averaged_duplicates`` (when ``allow_duplicates`` merged any),
``block`` and ``block_columns`` (column pairs), ``lockin_channels``,
``lockin_phase``, ``lockin_phase_stderr`` (deg) and ``lockin_variance_fraction``
(lock-in channels), ``field_jitter_points``, ``field_jitter_max`` and
``field_readback_noise`` (T; when a jittering read-back was sorted),
``reader_notes`` (tuple of str, what the reader decided that a user should
know), and every header entry (raw key; numbers as float) that does not
collide with these names.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path

from ...data import DataError, Dataset, Sweep
from .columns import _option_unit
from .files import _expand
from .headers import _FOLDERS, _option_quantity
from .layouts import _read_one
from .lockin_sense import one_lockin_sense
from .polarities import join_polarities
from ..same_spectra import check_distinct_spectra
from .options import _Options, _STYLE, _lockin_option, _opt, _per_file


__all__ = [
    "read_stfmr",
]


def read_stfmr(paths, *, field_unit=None, voltage_unit=None, frequency=None, power=None,
               field_column=None, voltage_column=None, frequency_column=None,
               power_column=None, frequency_unit=None, power_unit=None, lockin_channels=None,
               allow_duplicates=False, split_sweeps=False, sort_field=False, field_angle=None,
               calibration=None, extrapolate_calibration=False, magnet_current_unit=None,
               override_header_units=(), negative_field=None, option_style="python",
               source_names=None, phase_unit=None, voltage_gain=None,
               drop_incomplete_rows=False, angle_column=None, angle_unit=None) -> Sweep:
    """Read ST-FMR spectra V_mix(H) from instrument text files.

    Parameters
    ----------
    paths : str, os.PathLike, or iterable of them
        Files (with any extension, or none), or folders (every ``.lvm``, ``.dat``, ``.txt``,
        ``.csv``, ``.tsv`` inside, in natural name order). Files are read, never written.
    field_unit : str, optional
        Unit of the field column when its header carries none: ``'T'``, ``'mT'``, ``'Oe'``,
        ``'A/m'`` (also ``'kOe'``, ``'G'``, ``'kA/m'``). A header unit that disagrees with it is
        an error.
    voltage_unit : str, optional
        Unit of the V_mix column (or of both lock-in channels) when its header carries none:
        ``'V'``, ``'mV'``, ``'uV'`` (or ``'µV'``), ``'nV'``.
    frequency : float or str or sequence or mapping, optional
        Rf frequency, a number in GHz or a string with a unit (``'9GHz'``), one per file, or a
        mapping from file name (or path as given) to frequency (files it does not name get
        none; a key that matches no file is an error).
        Used when the file gives none; if the file gives one that differs, that is an error. A
        header entry that names the frequency but cannot be read is ignored (with a warning)
        when this is given.
    power : float or str or sequence, optional
        Rf power in dBm (number or ``'10dBm'``), or one per file; as ``frequency``.
    field_angle : float or str or sequence or mapping, optional
        In-plane field angle phi from the current (a number in deg, or a string with a unit,
        ``'30deg'``), one per file, or a mapping from file name (or path as given) to angle.
        Used when the file gives none; if its header or name gives a different one, that is an
        error. A mapping key that matches no file is an error.
    field_column, voltage_column, frequency_column, power_column : str or int, optional
        The column, by header name (with or without unit) or 0-based index. Without them,
        columns are found by name (``field``/``H``/``B``; ``vmix``/``voltage``/``V``;
        ``frequency``/``freq``/``f``; ``power``). A file without a column header row needs
        ``field_column`` and ``voltage_column`` (and units), except the LabVIEW ``.lvm`` layout
        (field in Oe, V_mix in V). Giving ``field_column`` or ``voltage_column`` reads a
        side-by-side file as one table.
    angle_column : str or int, optional
        The column of the field angle of each sweep (an angle scan kept as one table, a sweep
        per angle): found by name without it (``angle``, ``phi``, ``field angle``, ...). Each
        sweep is then a spectrum at its angle (``field_angle`` in its metadata); not together
        with ``field_angle`` for the same file.
    angle_unit : str, optional
        Unit of that column when its header carries none (``'deg'``, ``'rad'``).
    frequency_unit : str, optional
        Unit of a frequency column whose header carries none (``'GHz'``, ``'MHz'``, ``'Hz'``),
        and of a frequency header entry written without one (``frequency: 1e10``, as metadata
        of a QCoDeS run are).
    power_unit : str, optional
        Unit of a power column whose header carries none (``'dBm'``).
    lockin_channels : (str or int, str or int) or str, optional
        Two lock-in output columns X and Y (``('Xchannel', 'Ychannel')`` or
        ``'Xchannel,Ychannel'``), read as V_mix = X cos(phi) + Y sin(phi) with phi the principal
        axis of the file's (X, Y) cloud (:func:`lockin_phase`), in place of a V_mix column. Both
        channels take ``voltage_unit`` (or their header units). A second channel whose header
        has an angle unit (``theta (deg)``) is the phase of a magnitude R.
    voltage_gain : float, optional
        Gain of an amplifier before the voltmeter or lock-in: V_mix is the reading divided by
        it (1: the readings are divided already). A gain written in a file's preamble
        (``# preamp gain: 100``, ``SR560 gain = 40 dB``) without it is an error asking which:
        the file does not say whether its readings hold it (they were read as they are, V_s
        and V_a 100 times too large, no word).
    phase_unit : str, optional
        Unit (``'rad'``, ``'deg'``) of the lock-in phase named second in ``lockin_channels``
        where its header has none (LabOne writes ``phase``, in rad): without it such a column
        was read as a voltage.
    allow_duplicates : bool
        Average points with exactly the same field value inside one polarity branch (recorded as
        meta ``averaged_duplicates``) instead of raising.
    drop_incomplete_rows : bool
        Leave out the rows of an interrupted sweep: rows with a missing or non-finite value
        (``NaN``, ``inf``, an empty cell) in a column read (field, V_mix, lock-in channels,
        frequency, power), and a last row cut short (fewer cells than the rows above it, a
        number cut to its sign), each file's count noted in ``reader_notes``. Without it such
        rows are an error naming the lines.
    split_sweeps : bool
        Read a file (or a frequency of a long-format file) that holds more than one monotonic
        sweep as one Dataset per sweep (meta ``segment``) instead of raising. Steps back of a
        measured field within its read-back noise are not sweeps (see :data:`JITTER_SIGMAS`).
    sort_field : bool
        Put the rows of each spectrum in the order of their field before reading its sweeps
        (noted): for fields measured in a shuffled order (against drift), which are otherwise
        refused as hundreds of sweeps. A file of several sweeps so sorted is read as one.
    calibration : sotfit.io.hall.MagnetCalibration, optional
        The magnet's calibration (:func:`sotfit.io.hall.read_magnet_calibration`): the field
        column then holds the magnet's current (found by its name, ``Magnet current (A)``, or
        by ``field_column``), read as the calibrated field. The calibration's own uncertainty is
        a systematic error of every resonance field, recorded and noted, not added to the
        standard errors.
    extrapolate_calibration : bool
        Allow currents outside the calibration table (a straight line through it; noted).
    magnet_current_unit : str, optional
        Unit of the magnet current column when its header has none (``'A'``).
    override_header_units : iterable of {'field', 'voltage', 'frequency'}
        Quantities whose unit option (``field_unit``, ``voltage_unit``, ``frequency_unit``)
        replaces the unit their column header writes, for a header whose unit is known to be
        wrong (a column headed ``Magnetic field (mT)`` that holds tesla, ``Frequency (GHz)``
        that holds MHz); noted in ``reader_notes``. Without it a header unit that disagrees
        with the option is an error (the frequency column's header unit wins).
    option_style : {'python', 'cli'}
        How error messages name the options: as these keywords (``split_sweeps=True``) or as the
        options of ``sotfit stfmr`` (``--split-sweeps``, :data:`CLI_OPTIONS`).
    source_names : mapping, optional
        The name a file goes by in the spectra's ``source`` (tables, summaries, notes), by its
        path as given or resolved, for files of one name in different folders
        (:func:`sotfit.io.folders.distinct_names`: ``dev11/8GHz.lvm``); default its file name.

    Returns
    -------
    Sweep
        One Dataset per (file, frequency, power, segment), or per column pair of a side-by-side
        file, in file order and then by increasing frequency; the two field polarities of one
        spectrum written apart (files named ``_neg``/``_pos``, or two sections of one file)
        are joined into one Dataset (:mod:`sotfit.io.stfmr.polarities`). ``x``: field mu0*H in T, signed,
        sorted ascending; ``y``: V_mix in uV; ``meta``: the keys listed in the docstring of
        :mod:`sotfit.io.stfmr.reader` (frequency in GHz, power in dBm, source, sample, repeat,
        sweep direction, field angle in deg, units found, ...).

    Raises
    ------
    DataError
        Empty file, no numeric rows, NaN/empty cells (naming column and line), fewer than
        :data:`MIN_POINTS` points, duplicated field values, a sweep that reverses or returns to
        a branch, a missing frequency, conflicting frequency/power sources, or a frequency,
        power or angle header entry that cannot be read (naming its line). Every message names
        the file and the option that would fix it. Also two files of one measurement: the same
        file twice, identical content or lines (:mod:`sotfit.io.distinct_files`), or spectra
        whose values agree to the rounding of the coarser-written file, saved again in another
        form (:mod:`sotfit.io.same_spectra`).
    UnitError
        A missing, unknown or wrong-dimension unit, naming the file, the column, the option and
        the accepted spellings.
    FileNotFoundError
        A path that does not exist.
    """
    if option_style not in ("python", "cli"):
        raise ValueError(f"option_style must be 'python' or 'cli', not {option_style!r}")
    token, folders = _STYLE.set(option_style), _FOLDERS.set({})
    try:
        files = _expand(paths)
        opts = _reader_options(
            field_unit=field_unit, voltage_unit=voltage_unit, frequency_unit=frequency_unit,
            power_unit=power_unit, field_column=field_column, voltage_column=voltage_column,
            frequency_column=frequency_column, power_column=power_column,
            angle_column=angle_column, angle_unit=_option_unit(angle_unit, "angle", "angle_unit"),
            lockin_channels=lockin_channels, allow_duplicates=allow_duplicates,
            drop_incomplete_rows=bool(drop_incomplete_rows),
            split_sweeps=split_sweeps, sort_field=sort_field, calibration=calibration,
            extrapolate_calibration=extrapolate_calibration,
            magnet_current_unit=magnet_current_unit, phase_unit=phase_unit,
            voltage_gain=voltage_gain,
            override_header_units=_overrides(override_header_units, field_unit, voltage_unit,
                                             frequency_unit))
        out: list[Dataset] = []
        for path, f_opt, p_opt, a_opt in zip(
                files, *_per_file_quantities(files, paths, frequency, power, field_angle)):
            got = _read_one(path, opts, f_opt, p_opt, a_opt)
            out.extend(_renamed(got, path, source_names) if source_names else got)
        check_distinct_spectra(out)
        return Sweep(tuple(one_lockin_sense(join_polarities(out, negative_field))))
    finally:
        _FOLDERS.reset(folders)
        _STYLE.reset(token)


def _renamed(datasets: list, path: Path, names) -> list:
    """The spectra of ``path`` with the name ``names`` gives the file (by its path as given or
    resolved) in place of its file name in their ``source``."""
    name = names.get(os.fspath(path)) or names.get(str(Path(path).resolve()))
    if not name:
        return datasets
    return [d.replace(meta={**d.meta, "source": name + d.source[len(path.name):]})
            if d.source.startswith(path.name) else d for d in datasets]


def _positive_gain(value) -> float | None:
    """``voltage_gain`` as a finite positive number, or None."""
    if value is None:
        return None
    g = float(value)
    if not (math.isfinite(g) and g > 0):
        raise ValueError(f"{_opt('voltage_gain', value)} must be a finite positive number")
    return g


def _reader_options(*, field_unit, voltage_unit, frequency_unit, power_unit, voltage_column,
                    lockin_channels, magnet_current_unit=None, phase_unit=None,
                    voltage_gain=None, **options) -> _Options:
    """The options of :func:`read_stfmr` that apply to every file, units checked for their
    dimension; a voltage column and lock-in channels together are an error."""
    fq_unit = _option_unit(frequency_unit, "frequency", "frequency_unit")
    pw_unit = _option_unit(power_unit, "power", "power_unit")
    opts = _Options(
        field_unit=_option_unit(field_unit, "field", "field_unit"),
        voltage_unit=_option_unit(voltage_unit, "voltage", "voltage_unit"),
        frequency_unit=fq_unit, power_unit=pw_unit, voltage_column=voltage_column,
        lockin_channels=_lockin_option(lockin_channels),
        magnet_current_unit=_option_unit(magnet_current_unit, "current", "magnet_current_unit"),
        phase_unit=_option_unit(phase_unit, "angle", "phase_unit"),
        voltage_gain=_positive_gain(voltage_gain), **options)
    if opts.calibration is None and (opts.magnet_current_unit or opts.extrapolate_calibration):
        raise ValueError(f"{_opt('magnet_current_unit') if opts.magnet_current_unit else _opt('extrapolate_calibration')} "
                         f"needs {_opt('calibration')}")
    if opts.phase_unit is not None and opts.lockin_channels is None:
        raise ValueError(f"{_opt('phase_unit', phase_unit)} is the unit of the lock-in phase "
                         f"named second in {_opt('lockin_channels')}, which was not given")
    if opts.lockin_channels is not None and voltage_column is not None:
        raise ValueError(f"give {_opt('voltage_column')} or {_opt('lockin_channels')}, "
                         "not both")
    return opts


def _overrides(roles, field_unit, voltage_unit, frequency_unit=None) -> frozenset:
    """The quantities of ``override_header_units``, each with its unit option given."""
    roles = frozenset([roles] if isinstance(roles, str) else roles or ())
    given = {"field": field_unit, "voltage": voltage_unit, "frequency": frequency_unit}
    for role in sorted(roles):
        if role not in given:
            raise ValueError(f"{_opt('override_header_units')}: {role!r} is not one of "
                             "'field', 'voltage', 'frequency'")
        if given[role] is None:
            raise ValueError(f"{_opt('override_header_units', (role,))} needs "
                             f"{_opt(role + '_unit')}: the unit to read the column in")
    return roles


def _per_file_quantities(files: list[Path], paths, frequency, power, field_angle) -> tuple:
    """The ``frequency`` (GHz), ``power`` (dBm) and ``field_angle`` (deg) options as one value
    (or None) per file. Returns (frequencies, powers, angles)."""
    freqs = [_option_quantity(v, "frequency", "GHz", "frequency")
             for v in _mapped_per_file(frequency, files, paths, "frequency")]
    powers = [_option_quantity(v, "power", "dBm", "power")
              for v in _per_file(power, len(files), "power")]
    angles = [_option_quantity(v, "angle", "deg", "field_angle")
              for v in _mapped_per_file(field_angle, files, paths, "field_angle")]
    return freqs, powers, angles


def _mapped_per_file(value, files: list[Path], paths, name: str) -> list:
    """The option ``name`` (``field_angle``, ``frequency``) as one entry per file: one value
    for all, a sequence of one per file, or a mapping matched by file name or path."""
    if not isinstance(value, Mapping):
        return _per_file(value, len(files), name)
    given = {os.fspath(k): v for k, v in value.items()}
    label = _opt(name).split()[0].rstrip("=")      # --field-angle, or field_angle
    out, used = [], set()
    for f in files:
        hits = [k for k in given if k in (f.name, str(f), os.fspath(f.resolve()))
                or Path(k) == f]
        if len(hits) > 1 and len({str(given[k]) for k in hits}) > 1:
            raise DataError(f"{f.name}: {label} gives it twice with different values "
                            f"({', '.join(f'{k}={given[k]}' for k in hits)})")
        used.update(hits)
        out.append(given[hits[0]] if hits else None)
    unused = [k for k in given if k not in used]
    if unused:
        raise DataError(f"{label} names {unused}, which match none of the files read "
                        f"({', '.join(f.name for f in files)})")
    return out
