"""The options of ``sotfit stfmr`` that say how to read the files, turned into the keywords of
:func:`sotfit.io.read_stfmr` (docs/io.md, "Reading the files").
"""

from __future__ import annotations

import argparse

from ..checks import RF_POWER_RANGE
from ..io.brackets import split_outside_brackets
from .common import (CLIError, add_column_options, calibration_units, every_or_per_file,
                     file_or_every, number_type, per_file, quantity_type, role_options,
                     unit_symbols, unit_type)

__all__ = ["COLUMN_ROLES", "add_reader_options", "reader_options"]

_POWER = quantity_type("power")


def _power_type(text):
    """``--power``: an rf power with its unit within :data:`sotfit.checks.RF_POWER_RANGE`."""
    value = _POWER(text)
    lo, hi = RF_POWER_RANGE
    if not lo <= value <= hi:
        raise argparse.ArgumentTypeError(f"{text!r}: an rf power between {lo:g} and {hi:g} dBm "
                                         f"(got {value:g} dBm)")
    return value


#: ``--column ROLE=NAME`` / ``--column-unit ROLE=UNIT`` roles -> reader keywords.
COLUMN_ROLES = {"field": ("field_column", "field_unit"),
                "voltage": ("voltage_column", "voltage_unit"),
                "frequency": ("frequency_column", "frequency_unit"),
                "power": ("power_column", "power_unit"),
                "angle": ("angle_column", "angle_unit"),
                "phase": (None, "phase_unit")}     # its column is named in --lockin-channels


def add_reader_options(p) -> None:
    """The options of ``sotfit stfmr`` that say how to read the files (docs/io.md)."""
    g = p.add_argument_group(
        "reading the files", "How to read files whose columns, units or sweeps sotfit cannot "
        "tell by itself; every reader error names the option that fixes it (docs/io.md).")
    g.add_argument("--field-unit", type=unit_type("field"),
                   help=f"field unit when the file has none ({unit_symbols('field')})")
    g.add_argument("--voltage-gain", type=number_type(positive=True), default=None,
                   help="gain of an amplifier before the voltmeter or lock-in: V_mix is the "
                        "reading divided by it (1: the readings are divided already); asked "
                        "for where a file's preamble writes a gain")
    g.add_argument("--voltage-unit", type=unit_type("voltage"),
                   help=f"voltage unit when the file has none ({unit_symbols('voltage')})")
    g.add_argument("--frequency", action="append", metavar="[FILE=]FREQ", default=None,
                   type=file_or_every(quantity_type("frequency", positive=True), "FILE=FREQ"),
                   help="microwave frequency when the files give none, e.g. 9GHz, or of one "
                        "file (name or path as given), e.g. --frequency run07.txt=9GHz; repeat "
                        "for more files")
    g.add_argument("--power", type=_power_type,
                   help=f"rf power when the files give none, e.g. 10dBm ({RF_POWER_RANGE[0]:g} to "
                        f"{RF_POWER_RANGE[1]:g} dBm)")
    add_column_options(g, COLUMN_ROLES, "voltage=Xchannel (a header name or 0-based index)")
    g.add_argument("--override-unit", action="append", metavar="ROLE=UNIT", default=None,
                   help="read the ROLE column (field, voltage or frequency) in UNIT whatever "
                        "unit its header writes, for a header whose unit is wrong (a column "
                        "headed 'Field (mT)' that holds tesla: --override-unit field=T); noted")
    g.add_argument("--lockin-channels", metavar="X,Y",
                   help="two lock-in output columns read as V_mix = X cos(phi) + Y sin(phi), "
                        "the phase phi fitted to each file (principal axis of the (X, Y) points)")
    g.add_argument("--split-sweeps", action="store_true",
                   help="read a file holding several field sweeps (a reversal beyond the "
                        "read-back noise) as one spectrum per sweep")
    g.add_argument("--sort-field", action="store_true",
                   help="put the rows of each spectrum in field order first (fields measured in "
                        "a shuffled order; noted)")
    g.add_argument("--allow-duplicates", action="store_true",
                   help="average V_mix over exactly repeated field values of one sweep")
    g.add_argument("--drop-incomplete-rows", action="store_true",
                   help="leave out the rows of an interrupted sweep: rows with a missing or "
                        "non-finite value (NaN, an empty cell) in a column read, and a last "
                        "row cut short; noted with the number left out per file")
    g.add_argument("--negative-field", action="append", metavar="FILE", default=None,
                   help="a file whose field column holds the magnitudes |H| of the "
                        "negative-field branch (its name, path or a pattern such as "
                        "'*_neg.csv'): its fields are read negated and joined with the "
                        "positive branch; repeat for more files")
    g.add_argument("--calibration", metavar="FILE",
                   help="the magnet's calibration table (current, then field trials): the field "
                        "column holds the magnet current (e.g. 'Magnet current (A)')")
    g.add_argument("--calibration-units", type=calibration_units, default=None,
                   metavar="CURRENT[,FIELD]",
                   help="units of the calibration table's columns if its headers have none, "
                        "e.g. A,mT")
    g.add_argument("--magnet-current-unit", type=unit_type("current"),
                   help="unit of the magnet current column when its header has none "
                        f"({unit_symbols('current')})")
    g.add_argument("--extrapolate-calibration", action="store_true",
                   help="allow magnet currents outside the calibration table (a straight line "
                        "through it; noted)")


def reader_options(args) -> dict:
    """The keywords of :func:`sotfit.io.read_stfmr` that the command-line options give."""
    kw = {"field_unit": args.field_unit, "voltage_unit": args.voltage_unit,
          "voltage_gain": args.voltage_gain,
          "frequency": every_or_per_file(args.frequency, "--frequency"), "power": args.power,
          "split_sweeps": args.split_sweeps, "sort_field": args.sort_field,
          "allow_duplicates": args.allow_duplicates,
          "drop_incomplete_rows": args.drop_incomplete_rows,
          "negative_field": args.negative_field}
    for role, name in role_options(args.column, "--column", COLUMN_ROLES).items():
        if COLUMN_ROLES[role][0] is None:
            raise CLIError(f"--column {role}={name}: the lock-in phase is named second in "
                           "--lockin-channels (e.g. --lockin-channels \"r (V),phase\")")
        kw[COLUMN_ROLES[role][0]] = int(name) if name.isdigit() else name
    for role, unit in role_options(args.column_unit, "--column-unit", COLUMN_ROLES).items():
        key = COLUMN_ROLES[role][1]
        if kw.get(key) is not None and kw[key] != unit:
            raise CLIError(f"--{key.replace('_', '-')} {kw[key]} and --column-unit "
                           f"{role}={unit} disagree")
        kw[key] = unit
    overrides = role_options(args.override_unit, "--override-unit",
                             {r: COLUMN_ROLES[r] for r in ("field", "voltage", "frequency")})
    for role, unit in overrides.items():
        key = COLUMN_ROLES[role][1]
        try:
            unit = unit_type(role)(unit)
        except argparse.ArgumentTypeError as exc:
            raise CLIError(f"--override-unit {role}={unit}: {exc}") from None
        if kw.get(key) is not None and kw[key] != unit:
            raise CLIError(f"--{key.replace('_', '-')} {kw[key]} and --override-unit "
                           f"{role}={unit} disagree")
        kw[key] = unit
    if overrides:
        kw["override_header_units"] = tuple(overrides)
    if args.lockin_channels is not None:
        # a name may hold a comma in its unit's brackets: 'Vmix (uV, lock-in X)'
        chans = [c.strip() for c in split_outside_brackets(args.lockin_channels)]
        if len(chans) != 2 or not all(chans):
            raise CLIError(f"--lockin-channels {args.lockin_channels!r}: give two columns, "
                           "e.g. --lockin-channels Xchannel,Ychannel")
        if kw.get("voltage_column") is not None:
            raise CLIError("give --column voltage=NAME or --lockin-channels X,Y, not both")
        kw["lockin_channels"] = tuple(int(c) if c.isdigit() else c for c in chans)
    return {**kw, **_calibration_options(args)}


def _calibration_options(args) -> dict:
    """The magnet calibration keywords of :func:`sotfit.io.read_stfmr` (the table read here)."""
    if not args.calibration:
        for flag, given in (("--calibration-units", args.calibration_units),
                            ("--magnet-current-unit", args.magnet_current_unit),
                            ("--extrapolate-calibration", args.extrapolate_calibration)):
            if given:
                raise CLIError(f"{flag} needs --calibration")
        return {}
    from ..io.hall import read_magnet_calibration

    current_unit, field_unit = ((args.calibration_units or []) + [None, None])[:2]
    return {"calibration": read_magnet_calibration(args.calibration, current_unit, field_unit),
            "extrapolate_calibration": args.extrapolate_calibration,
            "magnet_current_unit": args.magnet_current_unit}


def _reader_keywords(args, names: bool = True) -> dict:
    """All keywords of :func:`sotfit.io.read_stfmr` for the files of the command: the reader
    options, the ``--field-angle`` of each file, the option spelling of its messages and, with
    ``names``, the names of files of one name in different folders (:func:`_source_names`)."""
    angles = per_file(args.field_angle, "--field-angle") if args.field_angle else None
    return {"field_angle": angles, "option_style": "cli",
            "source_names": _source_names(args.files) if names else None,
            **reader_options(args)}


def _source_names(inputs, expanded: bool = False) -> dict | None:
    """:func:`sotfit.io.folders.distinct_names` of the files the inputs give (folders
    expanded, unless ``expanded`` says they are), or None when every file name is unique or
    the inputs cannot be listed (the reader then says why)."""
    from ..data import DataError
    from ..io.folders import distinct_names
    from ..io.stfmr.files import _expand

    try:
        files = inputs if expanded else _expand(inputs)
    except (DataError, OSError):
        return None
    return distinct_names(files) or None
