r"""``sotfit hall``: harmonic Hall analysis of lock-in tables.

Example::

    sotfit hall data/hall_example/inplane/*.csv --method avci --current 1.5mA --current-is rms \
        --lockin-output rms --r2w-channel X --gain-2w 10 --meff 0.8T --r-ahe 0.8Ohm --out results

Every convention that changes the numbers is asked for (current peak or rms, lock-in rms or
peak, the 2w channel and its sign, preamplifier gains, units of unlabelled columns). A channel
with a sign is written with '=' (``--r2w-channel=-Y``). Tables of Hall resistances in Ohm
(R_1w, R_2w in the house sign) need none of the lock-in conventions (``--r2w-sign=-1`` flips an
R_2w written with the opposite sign). Files may hold several scans (long tables, column pairs side
by side, hysteresis loops), and the first and second harmonics may come in two files given
together (docs/io.md, "Harmonic Hall tables"). Columns with other names are read with
``--column ROLE=NAME`` and ``--column-unit ROLE=UNIT`` (roles: sotfit.io.hall.COLUMN_ROLES).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

from ..io.hall import COLUMN_ROLES
from ..io.hall.block import MAGNET_SUPPLY_CURRENT
from ..device import Sample, flag_unusual_dimensions, sample_flags_reason
from ..flags import add_flag
from ..io import table_names
from .common import (
    CLIError, Progress, _argparse_type, add_column_options, add_figure_option, add_output_options, calibration_units,
    every_or_per_file, file_or_every, flag_status, folder_hint,
    fraction, integer_type, list_type, load_sample_file, number_type, quantity_type,
    quantity_with_error_type, refuse_unused_options, role_options,
    stage_out_dir, unit_symbols, unit_type, write_json, write_summary, add_parallel_options,
    refuse_idle_parallel, table_hint,
)

METHODS = ("avci", "hayashi", "angular", "macrospin")
_ANGLE = quantity_type("angle", "deg")
_LENGTH = quantity_type("length", positive=True, limit=True)
_FIELD = quantity_type("field", limit=True)
#: Sample quantities: key of the option and of a --sample file -> argparse type with the domain.
def _reader_notes(scans) -> list[str]:
    """The reader's notes of the scans, ``reader: SOURCE: note``; a note that every scan of one
    file repeats (a long table of seven rotations: 'source current 4 mA read from the preamble',
    seven times) is said once for the file, with the number of its scans."""
    said: dict = {}
    for s in scans:
        base = re.sub(r" \[[^\]]*\]$", "", s.source)
        for n in s.meta.get("reader_notes", ()):
            said.setdefault((base, n), []).append(s.source)
    return [f"reader: {sources[0]}: {n}" if len(sources) == 1
            else f"reader: {base} ({len(sources)} scans): {n}"
            for (base, n), sources in said.items()]


def _lag_rad(text: str) -> float:
    """--max-lag in rad: a bare number is rad (the option's unit), '0.6deg' is converted."""
    from ..units import quantity

    value = math.radians(quantity(text, "angle", default_unit="rad"))
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{text!r} must be a positive angle")
    return value


_lag_type = _argparse_type("angle", _lag_rad)


def _seconds(text: str) -> float:
    """--time-limit in s: a bare number is seconds (the option's unit); '2min', '500ms', '1h'
    are converted (:func:`sotfit.units.duration`)."""
    from ..checks import check_number
    from ..units import duration

    return check_number(repr(text), duration(text, "s"), positive=True)


_seconds_type = _argparse_type("time", _seconds)

#: Method options -> (option, the methods that use it, its default). An option given with a
#: method that does not use it is refused (docs/CONVENTIONS.md); --field is the field of a
#: rotation, which method (b) does not read.
METHOD_OPTIONS = {
    "max_lag": ("--max-lag", ("avci",), 0.01),
    "include_one": ("--include-one", ("avci", "angular"), False),
    "max_field": ("--max-field", ("hayashi",), None),
    "r_ane": ("--r-ane", ("hayashi",), None),
    "theta_h_stderr": ("--theta-h-stderr", ("hayashi",), 0.0),
    "h_fl": ("--h-fl", ("angular",), None),
    "max_sin": ("--max-sin", ("angular",), 0.25),
    "theta_m_from": ("--theta-m-from", ("angular",), "r1w"),
    "r_ohe": ("--r-ohe", ("angular",), 0.0),
    "time_limit": ("--time-limit", ("macrospin",), None),
    "field": ("--field", ("avci", "angular", "macrospin"), None),
}


_SAMPLE_KEYS = {
    "current": quantity_type("current", positive=True, limit=True), "t_fm": _LENGTH,
    "t_nm": _LENGTH, "ms": quantity_type("field", positive=True, limit=True), "meff": _FIELD,
    "hk": _FIELD, "width": _LENGTH, "resistivity": quantity_type("resistivity", positive=True),
    "r_ahe": quantity_type("resistance", nonzero=True), "r_phe": quantity_type("resistance"),
    "current_fraction": fraction,
}


def add_parser(sub) -> None:
    p = sub.add_parser("hall", help="harmonic Hall analysis (in-plane, field-sweep, out-of-plane, global)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", metavar="FILES",
                   help="harmonic Hall tables (CSV): lock-in outputs, voltages or resistances; one or "
                        "several scans per file, or the two harmonics in two files; FILE[NAME] "
                        "reads one table of a file of several, as the outputs name it "
                        "('experiments.db[run 3]', 'scans.xlsx[50 mT]'); a folder stands for "
                        "its .csv/.tsv/.txt/.dat files")
    p.add_argument("--method", choices=METHODS, required=True,
                   help="avci: (a) in-plane rotations; hayashi: (b) field sweeps of a "
                        "perpendicular film; angular: (c) xz rotations; macrospin: (d) a global "
                        "macrospin fit of any scans (docs/hall.md, Methods)")
    add_output_options(p)
    p.add_argument("--scan", choices=("phi", "theta", "field"),
                   help="what each file sweeps (default: from the method: avci phi, hayashi field, "
                        "angular theta; macrospin: from the column names)")
    g = p.add_argument_group("conventions (never assumed; tables of resistances in Ohm need only "
                             "--current-is)")
    g.add_argument("--current", type=_SAMPLE_KEYS["current"],
                   help="source current, e.g. 15mA (default: a current column of the file)")
    g.add_argument("--current-is", choices=("peak", "rms"),
                   help="whether the source current (--current or a column) is a peak or an rms value "
                        "(required unless the files write it, 'I_ac = 1.5 mA rms': the torque "
                        "fields refer to the peak current)")
    g.add_argument("--lockin-output", choices=("rms", "peak"),
                   help="whether the lock-in reports rms (SR830) or peak amplitudes")
    g.add_argument("--r2w-channel", choices=("X", "-X", "Y", "-Y"),
                   help="channel and sign holding +R_2w = -V_2w,cos/I0 (docs/hall.md); a single voltage "
                        "column per harmonic is the channel X")
    g.add_argument("--r1w-channel", choices=("X", "-X", "Y", "-Y"), default="X",
                   help="lock-in output holding R_1w, with its sign (default X)")
    g.add_argument("--r2w-sign", type=int, choices=(1, -1), default=None,
                   help="tables of resistances (an R_2w column): 1 when R_2w is written in the "
                        "house sign (-V_2w,cos/I0, docs/hall.md), -1 when in the opposite one "
                        "(write --r2w-sign=-1); asked for when the table holds R_2w")
    g.add_argument("--gain-1w", type=number_type(positive=True), default=None,
                   help="preamplifier gain of the first harmonic (> 0; the sign is the channel's; "
                        "default 1, asked when the file's preamble writes a gain)")
    g.add_argument("--gain-2w", type=number_type(positive=True), default=None,
                   help="preamplifier gain of the second harmonic (> 0; default 1, asked when "
                        "the file's preamble writes a gain)")
    g.add_argument("--voltage-unit", type=unit_type("voltage"),
                   help="unit of lock-in columns without one in the header (e.g. V)")
    g.add_argument("--angle-unit", type=unit_type("angle"),
                   help="unit of the angle column if its header has none (deg or rad)")
    g.add_argument("--field-unit", type=unit_type("field"),
                   help=f"unit of the field column if its header has none ({unit_symbols('field')})")
    g.add_argument("--field", type=_FIELD, help="field of an angle scan")
    g.add_argument("--mz-state", action="append", metavar="[FILE=]STATE", default=None,
                   type=file_or_every(_mz_state, "FILE=STATE"),
                   help="perpendicular state (+1 or -1) of the field sweeps of FILE (a path as "
                        "given or a file name), or of every file without FILE=, where no state "
                        "column or switching jump gives it; repeat for more files")
    g.add_argument("--theta-h", type=_ANGLE,
                   help="polar angle of the swept field from the film normal where the files give "
                        "none, e.g. 92deg (default 90deg: in the plane)")
    g.add_argument("--phi-h", type=_ANGLE,
                   help="azimuth of the swept field from the current where the files give none, "
                        "e.g. 0deg (default 0deg)")
    g.add_argument("--phi-offset", type=_ANGLE,
                   help="in-plane rotations: the reading of the angle column where the field is "
                        "along the current, e.g. 90deg for a sample mounted across the rotator's "
                        "zero (the field's azimuth is the reading minus this); polar rotations: "
                        "the azimuth of their plane is its reading (phi_h column or --phi-h) "
                        "minus this")
    g.add_argument("--theta-offset", type=_ANGLE,
                   help="polar (out-of-plane) rotations: the reading of the angle column where "
                        "the field is along +z, the film normal, e.g. 90deg for a scale counting "
                        "from the film plane (the polar angle is the reading minus this)")
    g.add_argument("--r1w-phase", type=_ANGLE,
                   help="turn the first harmonic's lock-in outputs by this phase before reading "
                        "the channel (a reference phase set off by it), e.g. 12deg; 0deg reads "
                        "them as they are")
    g.add_argument("--r2w-phase", type=_ANGLE,
                   help="the same for the second harmonic, e.g. 20deg")
    add_column_options(g, tuple(COLUMN_ROLES), "r2w=R_2w")
    g.add_argument("--override-unit", action="append", metavar="ROLE=UNIT", default=None,
                   help="read the ROLE column in UNIT whatever unit its header writes, for a "
                        "header whose unit is wrong (a column 'B (T)' that holds mT: "
                        "--override-unit field=mT); warned; repeatable")
    g.add_argument("--drop-incomplete-rows", action="store_true",
                   help="leave out the rows with a missing or non-finite value (NaN, an empty "
                        "cell) in a column read; noted with the file, the columns and the lines")
    g.add_argument("--allow-duplicates", action="store_true",
                   help="keep one of each row that repeats an earlier row of its scan exactly "
                        "(a block pasted twice, a file whose second half is its first again; "
                        "noted); without it such rows are an error")
    g.add_argument("--calibration", help="magnet calibration table (current, field trials)")
    g.add_argument("--calibration-units", type=calibration_units, default=None,
                   help="units of the calibration columns if the headers have none, e.g. A,mT")
    g.add_argument("--extrapolate-calibration", action="store_true",
                   help="allow magnet currents outside the calibration table (linear fit, flagged)")
    s = p.add_argument_group("sample (numbers with units)")
    s.add_argument("--sample", help="TOML or JSON file with any of the sample options below")
    s.add_argument("--t-fm", type=_SAMPLE_KEYS["t_fm"], help="ferromagnet thickness, e.g. 1nm")
    s.add_argument("--t-nm", type=_SAMPLE_KEYS["t_nm"], help="spin-source thickness, e.g. 6nm")
    s.add_argument("--ms", type=_SAMPLE_KEYS["ms"], help="mu0*Ms, e.g. 1T")
    s.add_argument("--meff", type=_SAMPLE_KEYS["meff"], help="mu0*Meff of an in-plane film")
    s.add_argument("--hk", type=_SAMPLE_KEYS["hk"],
                   help="effective perpendicular anisotropy field of a perpendicular film")
    s.add_argument("--width", type=_SAMPLE_KEYS["width"], help="channel width, e.g. 10um")
    s.add_argument("--resistivity", "--rho", dest="resistivity", type=_SAMPLE_KEYS["resistivity"],
                   help="resistivity of the spin-source layer, e.g. 20uOhmcm")
    s.add_argument("--current-fraction", type=_SAMPLE_KEYS["current_fraction"],
                   help="fraction (0 < f <= 1) of the current in the spin-source layer")
    s.add_argument("--stack", choices=("nm_below", "nm_above"), default="nm_below",
                   help="spin-source layer below (default) or above the ferromagnet: the sign "
                        "of its Oersted field; the efficiencies are written in the lab frame")
    s.add_argument("--r-ahe", type=_SAMPLE_KEYS["r_ahe"], help="R_AHE measured separately")
    s.add_argument("--r-phe", type=_SAMPLE_KEYS["r_phe"], help="R_PHE measured separately")
    m = p.add_argument_group("method options")
    m.add_argument("--max-lag", type=_lag_type, default=None,
                   help="(a) exclusion threshold on the largest lag of m behind the field, e.g. "
                        "0.01rad or 0.6deg (a bare number in rad; default 0.01)")
    m.add_argument("--include-one", action="store_true", help="(a, c) fit an ordinary Nernst term")
    m.add_argument("--max-field", type=quantity_type("field", positive=True, limit=True),
                   help="(b) half-width of the fit window")
    m.add_argument("--r-ane", type=quantity_with_error_type("resistance"),
                   help="(b) anomalous Nernst term to subtract, from method (c) or (d), with its "
                        "standard error to carry it into mu0_h_dl: 0.184+/-0.063mOhm (without "
                        "one it is taken as exact, noted)")
    m.add_argument("--theta-h-stderr", type=quantity_type("angle", "deg", nonnegative=True),
                   default=None, help="(b) uncertainty of the polar field angle of each sweep "
                   "direction, e.g. 1deg (a bare number in deg; tilted sweeps)")
    m.add_argument("--h-fl", type=_FIELD, help="(c) the in-plane field that tilts m, field-like "
                   "and Oersted together: mu0_h_fl_oe of method (b), not its mu0_h_fl "
                   "(a negative value as --h-fl=-0.8mT)")
    m.add_argument("--r-ohe", type=_ohm_per_tesla, default=None,
                   help="(c) ordinary Hall coefficient subtracted from the first harmonic, "
                        "R_1w holding r_ohe B_z, e.g. 0.02Ohm/T or 20mOhm/T (default 0; the "
                        "results are flagged, with the value, where the rotations show one)")
    m.add_argument("--max-sin", type=fraction, default=None,
                   help="(c) largest |sin theta_M| used (0 < s <= 1; default 0.25)")
    m.add_argument("--theta-m-from", choices=("r1w", "equilibrium"), default=None,
                   help="(c) magnetisation angle from the first harmonic (seed 003, the default) or the "
                        "macrospin equilibrium")
    m.add_argument("--free", type=list_type(str), default=[],
                   help="(d) comma-separated extra parameters to vary, e.g. "
                        "tilt_x,tilt_y,mu0_h_ip,ip_axis")
    m.add_argument("--time-limit", type=_seconds_type, default=None,
                   help="(d) wall-clock limit of the global fit, e.g. 300s, 5min or 1h (a bare "
                        "number in s); a fit stopped by it is reported as "
                        "not converged and its results flagged (default: "
                        "sotfit.analysis.hall.TIME_LIMIT, 120 s)")
    m.add_argument("--mcmc-steps", type=integer_type(0), default=0,
                   help="(d) also sample the posterior with emcee for this many steps (0: least squares only)")
    m.add_argument("--seed", type=integer_type(0), default=None,
                   help="(d) random seed of the sampler of --mcmc-steps (default 0)")
    add_parallel_options(m, "the walkers of --mcmc-steps (d) (the same chain)")
    add_figure_option(p)
    p.set_defaults(func=run)


def _sample_values(args) -> dict:
    vals = {}
    if args.sample:
        for k, v in load_sample_file(args.sample).items():
            key = k.replace("-", "_")
            if key not in _SAMPLE_KEYS:
                raise CLIError(f"sample file {args.sample}: unknown key {k!r}; known: {sorted(_SAMPLE_KEYS)}")
            try:
                vals[key] = _SAMPLE_KEYS[key](str(v))
            except argparse.ArgumentTypeError as exc:
                raise CLIError(f"sample file {args.sample}: key {k!r}: {exc}") from None
    for key in _SAMPLE_KEYS:
        v = getattr(args, key, None)
        if v is not None:
            vals[key] = v
    return vals


def _written(scans, key: str) -> str | None:
    """What the files write of a convention given by no option (``current_is`` from
    ``I_ac = 1.5 mA rms``, ``lockin_output`` from a ``uVrms`` header); the values joined when
    files differ ('peak, rms')."""
    return ", ".join(sorted({str(s.meta[key]) for s in scans if s.meta.get(key)})) or None


def _ohm_per_tesla(text: str) -> float:
    """An ordinary Hall coefficient with its units, ``'0.02Ohm/T'``, ``'20mOhm/T'`` or
    ``'2e-4Ohm/mT'``, in Ohm/T (a bare number is refused: Ohm/T and mOhm/T are both in use)."""
    from ..units import UnitError, quantity

    parts = str(text).replace(" ", "").rsplit("/", 1)
    if len(parts) != 2 or not parts[1]:
        raise argparse.ArgumentTypeError(f"{text!r}: give a resistance per field with its units, "
                                         "e.g. 0.02Ohm/T or 20mOhm/T")
    try:
        value = quantity(parts[0], "resistance") / quantity("1" + parts[1], "field")
    except (UnitError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} must be finite")
    return float(value)


def _mz_state(text: str) -> int:
    """A perpendicular state of ``--mz-state``: +1 or -1."""
    if text not in ("+1", "1", "-1"):
        raise argparse.ArgumentTypeError("the state is +1 or -1 (write FILE=+1 or -1)")
    return int(text)


def _reader_options(args, vals, cal) -> dict:
    """The keywords of :func:`sotfit.io.hall.read_hall` that the command line gives."""
    columns = role_options(args.column, "--column", COLUMN_ROLES)
    units = role_options(args.column_unit, "--column-unit", COLUMN_ROLES)
    overrides = role_options(args.override_unit, "--override-unit", COLUMN_ROLES)
    for role, unit in overrides.items():
        if units.get(role, unit) != unit:
            raise CLIError(f"--column-unit {role}={units[role]} and --override-unit "
                           f"{role}={unit} disagree")
    scan = args.scan or {"avci": "phi", "hayashi": "field", "angular": "theta"}.get(args.method)
    return dict(scan=scan, current=vals.get("current"), current_is=args.current_is,
                lockin_output=args.lockin_output, r2w_channel=args.r2w_channel,
                r1w_channel=args.r1w_channel, r2w_sign=args.r2w_sign, gain_1w=args.gain_1w,
                gain_2w=args.gain_2w, voltage_unit=args.voltage_unit, angle_unit=args.angle_unit,
                field_unit=args.field_unit, field=args.field, theta_h=args.theta_h, phi_h=args.phi_h,
                calibration=cal, extrapolate_calibration=args.extrapolate_calibration,
                r_ahe=vals.get("r_ahe"), columns=columns, column_units=units,
                override_units=overrides, option_style="cli",
                mz_state=every_or_per_file(args.mz_state, "--mz-state"),
                phi_offset=args.phi_offset, theta_offset=args.theta_offset,
                r1w_phase=args.r1w_phase, r2w_phase=args.r2w_phase,
                drop_incomplete_rows=args.drop_incomplete_rows,
                allow_duplicates=args.allow_duplicates)


def _check_options(args, method_parameters) -> dict:
    """Refuse options that do not apply to the method (or that need another option); return the
    options of the parallel sampling (:func:`parallel_options`)."""
    from ..checks import check_names

    if args.free:
        if args.method != "macrospin":
            raise CLIError(f"--free applies to --method macrospin, not {args.method}")
        check_names("--free", args.free, method_parameters)
    if args.mcmc_steps and args.method != "macrospin":
        raise CLIError(f"--mcmc-steps applies to --method macrospin, not {args.method}")
    refuse_unused_options(args, METHOD_OPTIONS, args.method)
    if args.seed is not None and not args.mcmc_steps:
        raise CLIError("--seed is the seed of the sampler of --mcmc-steps (--method macrospin): "
                       "it needs --mcmc-steps")
    parallel = refuse_idle_parallel(args, bool(args.mcmc_steps), "the walkers of --mcmc-steps "
                                    "(--method macrospin)", "--mcmc-steps")
    if args.calibration_units and not args.calibration:
        raise CLIError("--calibration-units needs --calibration")
    return parallel


def _files_of(paths) -> list[str]:
    """The files given, a folder standing for its data files (``.csv``, ``.tsv``, ``.txt``,
    ``.dat``, in name order; its subfolders are not searched)."""
    from ..data import DataError
    from ..io import _files

    out = []
    for f in paths:
        if Path(f).is_dir():
            try:
                out.extend(str(q) for q in _files([f]))
            except DataError as exc:
                raise CLIError(str(exc)) from None
        elif not table_names.named_table(f)[0].is_file():
            raise CLIError(f"{f}: no such file or folder")
        else:
            out.append(f)
    return out


def _read_scans(args, vals):
    """The scans of the files (with the magnet calibration when given)."""
    from ..io.hall import HallReadError, read_hall, read_magnet_calibration

    cal = None
    if args.calibration:
        cu, fu = ((args.calibration_units or []) + [None, None])[:2]
        cal = read_magnet_calibration(args.calibration, cu, fu)
    given = list(args.files)
    files = args.files = _files_of(given)    # the summary lists the files read
    try:
        return read_hall(files, **_reader_options(args, vals, cal))
    except HallReadError as exc:
        from ..io import _files

        hint = folder_hint(given, str(exc), lambda folder: _files([folder])) + table_hint(
            [f for f in files if table_names.named_table(f)[1] is None], str(exc))
        if not hint:
            raise
        raise HallReadError(f"{exc}{hint}") from None


def _peak_current(scans) -> tuple:
    """The one peak current (mA) of the scans, None when not known, and a note or None.

    Currents whose spread (largest less smallest) is within
    :data:`sotfit.io.hall.current_levels.CURRENT_LEVEL_GAP` of their mean (2 %, as the rows of
    one table) are one current read back with jitter: their mean, with a note on their spread
    (five files of a read-back column, whose means differ by 0.05 %, were refused as 'measured
    at different currents'). Currents spread further are an error, also when they come in
    steps closer than that (eight files 1.5 % apart, from 2.00 to 2.22 mA, were one current).
    """
    import numpy as np

    from ..io.hall.current_levels import (CURRENT_LEVEL_GAP, chain_text, current_levels,
                                          is_one_current, levels_text)

    found = [float(s.meta["current_peak"]) for s in scans if s.meta.get("current_peak") is not None]
    currents = {round(c, 9) for c in found}
    if len(currents) <= 1:
        return (currents.pop() if currents else None), None
    levels = current_levels(np.asarray(found))
    if len(levels) > 1 or not is_one_current(levels[0]):
        hint = ("; a column of amperes may be the magnet supply's current, taken for the "
                "source current: name it with --column magnet_current=NAME and give --current"
                if max(currents) > MAGNET_SUPPLY_CURRENT else "")
        chain = chain_text(levels)
        raise CLIError(f"the files were measured at different currents "
                       f"({levels_text(levels, 'mA peak')}"
                       + (f", further apart than the {100 * CURRENT_LEVEL_GAP:g} % of one "
                          "current read back)" if not chain else f"){chain}")
                       + f"; analyse each current on its own{hint}")
    mean, lo, hi = float(np.mean(found)), min(found), max(found)
    return mean, (f"the source currents of the scans ({lo:.6g} to {hi:.6g} mA peak) differ by "
                  f"up to {100 * (hi - lo) / mean:.2g} %, within the "
                  f"{100 * CURRENT_LEVEL_GAP:g} % of one current read back: the sample's "
                  f"current is their mean, {mean:.6g} mA peak (each scan's resistances are "
                  "its voltages over its own current)")


def _anisotropy_field(vals):
    """mu0H_K,eff in T from --hk, or -mu0*Meff from --meff (not both)."""
    hk = vals.get("hk")
    if vals.get("meff") is not None:
        if hk is not None:
            raise CLIError("give --meff (in-plane film) or --hk (perpendicular film), not both")
        hk = -vals["meff"]
    return hk


def _run_mcmc(args, H, res, sample, parallel, out) -> dict:
    """The posterior of the global fit, written to posterior.json; its summary."""
    post = H.sample_posterior(res, sample=sample, nsteps=args.mcmc_steps,
                              seed=0 if args.seed is None else args.seed,
                              progress=Progress(f"MCMC {args.mcmc_steps} steps"), **parallel)
    mcmc = H.posterior_summary(post)
    write_json(mcmc, out / "posterior.json")
    d = post.fits["diagnostics"]
    print(f"MCMC: {'converged' if d['converged'] else 'NOT CONVERGED'}: {d['message']} "
          f"(acceptance {d['acceptance_fraction']['mean']:.2f})")
    return mcmc


def _write_tables_and_figures(args, H, res, scans, out) -> None:
    """parameters.csv, scans.csv and the figures of the method."""
    import pandas as pd

    pd.DataFrame(H.parameter_rows(res)).to_csv(out / "parameters.csv", index=False)
    if res.table:
        H.scan_table(res).to_csv(out / "scans.csv", index=False)
    if not args.no_figures:
        from .. import plot
        from ..plot import hall as hp

        figs = getattr(hp, f"plot_{args.method}")(res, scans)
        for name, fig in figs.items():
            plot.save(fig, out / f"{name}.png")


def run(args) -> int:
    """``sotfit hall``: read the files, run the method, write summary.json, parameters.csv,
    scans.csv (posterior.json with --mcmc-steps) and the figures; the exit status."""
    from ..analysis import hall as H

    parallel = _check_options(args, H.MACROSPIN_PARAMETERS)
    vals = _sample_values(args)
    scans = _read_scans(args, vals)
    reader_notes = _reader_notes(scans)
    i_peak, current_note = _peak_current(scans)
    if current_note is not None:
        reader_notes.append(current_note)
    for n in reader_notes:
        print(f"note: {n}", file=sys.stderr)
    out = stage_out_dir(args)
    sample = Sample(current=i_peak, t_fm=vals.get("t_fm"), t_nm=vals.get("t_nm"),
                    width=vals.get("width"), mu0_ms=vals.get("ms"), rho_nm=vals.get("resistivity"),
                    current_fraction=vals.get("current_fraction"), nm_below=args.stack == "nm_below")
    hk = _anisotropy_field(vals)
    opt = {k: default if getattr(args, k) is None else getattr(args, k)
           for k, (_, _, default) in METHOD_OPTIONS.items()}
    res = H.run_method(args.method, scans, sample=sample, mu0_hk=hk, r_ahe=vals.get("r_ahe"),
                       r_phe=vals.get("r_phe"), include_one=opt["include_one"],
                       max_lag=opt["max_lag"], max_field=opt["max_field"], r_ane=opt["r_ane"],
                       theta_h_stderr=opt["theta_h_stderr"], mu0_h_fl=opt["h_fl"],
                       max_sin=opt["max_sin"], theta_m_from=opt["theta_m_from"],
                       r_ohe=opt["r_ohe"], free=tuple(args.free or ()),
                       time_limit=H.TIME_LIMIT if opt["time_limit"] is None else opt["time_limit"])
    mcmc = _run_mcmc(args, H, res, sample, parallel, out) if args.mcmc_steps > 0 else None
    summary = res.summary()
    summary["notes"] = reader_notes + summary["notes"]
    if mcmc is not None:
        summary["mcmc"] = {k: mcmc[k] for k in ("method", "quantities", "diagnostics", "notes")}
    summary["conventions"] = H.conventions(
        current_peak=i_peak, current_is=args.current_is or _written(scans, "current_is"),
        lockin_output=args.lockin_output or _written(scans, "lockin_output"),
        r1w_channel=args.r1w_channel, r2w_channel=args.r2w_channel,
        gain_1w=1.0 if args.gain_1w is None else args.gain_1w,
        gain_2w=1.0 if args.gain_2w is None else args.gain_2w, r2w_sign=args.r2w_sign, read_as=H.read_as(scans), stack=args.stack)
    summary["files"] = [str(f) for f in args.files]
    # the sample as the efficiencies took it (the ST-FMR field angle is not a Hall quantity)
    summary["sample"] = {k: v for k, v in sample.summary().items() if k != "angle"}
    flag_unusual_dimensions(summary["sample"])
    reason = sample_flags_reason(summary["sample"])
    if reason:
        # what is computed from the sample (the efficiencies, H_FL without the Oersted field)
        for k, q in summary.get("quantities", {}).items():
            if (k.startswith("xi_") or k == "mu0_h_fl") and isinstance(q, dict):
                add_flag(q, reason)
    flags = write_summary(summary, out)
    _write_tables_and_figures(args, H, res, scans, out)
    print(res.report())
    return flag_status(args, flags)
