"""Readers for harmonic Hall lock-in tables.

One file is one scan (an angle rotation at fixed field, or a field sweep at fixed
direction) with first- and second-harmonic lock-in outputs. Every convention that
changes the numbers is an explicit argument, never a guess:

* ``current`` and ``current_is`` ('peak' or 'rms'): the source current amplitude;
* ``lockin_output`` ('rms' or 'peak'): what the lock-in reports (an SR830 reports rms);
* ``gain_1w``, ``gain_2w``: voltage preamplifier gains (the reading is divided by them);
* ``r2w_channel``: which lock-in channel carries the second harmonic and with which sign,
  one of 'X', '-X', 'Y', '-Y'. The house definition (docs/hall.md) is
  R_2w = -V_2w,cos / I0 for I(t) = I0 sin(wt): with the 2w reference phase at 0 deg the
  signal is in Y and ``r2w_channel='-Y'``; with the 2w phase set to -90 deg (a common
  lock-in setting) it is in X and ``r2w_channel='X'``. ``r1w_channel`` is normally 'X'.
* lock-in data as X/Y or as R/theta (X = R cos(theta), Y = R sin(theta), theta in deg);
* angle and field units from the column header (``'phi (deg)'``, ``'field_mT'``) or from
  ``angle_unit``/``field_unit``; a conflict, or values implausible for the unit, is an error;
* the field from a magnet-current calibration table (:func:`read_magnet_calibration`).

Resistances returned are amplitude ratios R = V_amplitude / I_amplitude in Ohm, with
I_amplitude the peak current I0 to which the torque fields refer.
"""

from __future__ import annotations

import contextvars
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..data import DataError, Dataset
from ..units import UnitError, normalise_unit, split_header, to_house

__all__ = ["HallScan", "MagnetCalibration", "read_magnet_calibration", "read_hall",
           "read_hall_table", "HallReadError", "COLUMN_ROLES", "CLI_OPTIONS"]


class HallReadError(DataError):
    """A harmonic Hall file that cannot be read as asked."""


@dataclass(frozen=True)
class HallScan:
    """First- and second-harmonic Hall resistances of one scan.

    Attributes
    ----------
    r1w, r2w : Dataset
        R_1w and R_2w in Ohm against the scan variable (deg for angle scans, T for fields).
    scan : str
        'phi', 'theta' or 'field'.
    meta : dict
        ``field`` (T, angle scans), ``field_stderr`` (T), ``theta_h``/``phi_h`` (deg),
        ``source``, ``current_peak`` (mA), and the conventions used; ``no_signal``
        (``{"r2w": reason}``) when a harmonic's lock-in column is constant (not recorded).
    """

    r1w: Dataset
    r2w: Dataset
    scan: str
    meta: dict = field(default_factory=dict)

    @property
    def source(self) -> str:
        return str(self.meta.get("source", "<scan>"))


@dataclass(frozen=True)
class MagnetCalibration:
    """Field against magnet current, from a calibration table (several trials averaged).

    Attributes
    ----------
    current : ndarray
        Magnet currents in A (sorted).
    field, field_stderr : ndarray
        Mean field over the trials and its standard error, in T.
    source : str
    """

    current: np.ndarray
    field: np.ndarray
    field_stderr: np.ndarray
    source: str = "<calibration>"

    def __call__(self, current_a, extrapolate: bool = False):
        """Field (T), its standard error (T) and an 'extrapolated' flag for magnet currents in A.

        Inside the table: linear interpolation between neighbours. Outside: an error unless
        ``extrapolate``, then a straight line fitted through the whole table (flagged).
        """
        c = np.atleast_1d(np.asarray(current_a, float))
        lo, hi = self.current[0], self.current[-1]
        outside = (c < lo - 1e-12) | (c > hi + 1e-12)
        if outside.any() and not extrapolate:
            raise HallReadError(
                f"{self.source}: magnet current(s) {np.unique(c[outside]).tolist()} A lie outside the "
                f"calibration range [{lo}, {hi}] A; extend the calibration or allow linear "
                f"extrapolation explicitly (extrapolate=True / --extrapolate-calibration)")
        f = np.interp(c, self.current, self.field)
        e = np.interp(c, self.current, self.field_stderr)
        if outside.any():
            coef, cov = np.polyfit(self.current, self.field, 1, cov=True)
            f = np.where(outside, np.polyval(coef, c), f)
            ex = np.sqrt(cov[0, 0] * c ** 2 + 2 * cov[0, 1] * c + cov[1, 1])
            e = np.where(outside, np.hypot(ex, np.max(self.field_stderr)), e)
        return f, e, outside


def read_magnet_calibration(path, current_unit: str | None = None,
                            field_unit: str | None = None) -> MagnetCalibration:
    """Read a magnet calibration table: first column magnet current, then one or more trials.

    Parameters
    ----------
    path : path-like
        CSV file. Units from the headers (``'current (A)'``, ``'trial1 (mT)'``) or from the
        arguments when the headers carry none.
    current_unit, field_unit : str, optional
        Units to use when the headers have none (e.g. 'A' and 'mT').

    Returns
    -------
    MagnetCalibration
    """
    p = Path(path)
    if not p.is_file():
        raise HallReadError(f"{p}: no such calibration file")
    df = _read_csv(p)
    if df.shape[1] < 2:
        raise HallReadError(f"{p}: a calibration needs a current column and at least one field column")
    try:
        heads = [split_header(str(c)) for c in df.columns]
    except UnitError as exc:
        raise HallReadError(f"{p}: {exc}") from None
    cu = heads[0][1] or (normalise_unit(current_unit) if current_unit else None)
    if cu is None:
        raise HallReadError(f"{p}: column {df.columns[0]!r} has no unit; give current_unit (e.g. 'A')")
    if heads[0][1] and current_unit and normalise_unit(current_unit) != heads[0][1]:
        raise HallReadError(f"{p}: column {df.columns[0]!r} says {heads[0][1]} but current_unit={current_unit!r}")
    fus = set()
    for c, (_, u) in zip(df.columns[1:], heads[1:]):
        uu = u or (normalise_unit(field_unit) if field_unit else None)
        if uu is None:
            raise HallReadError(f"{p}: column {c!r} has no unit; give field_unit (e.g. 'mT')")
        fus.add(uu)
    if len(fus) != 1:
        raise HallReadError(f"{p}: field columns have different units {sorted(fus)}")
    vals = np.column_stack([_numeric(df, c, p) for c in df.columns])
    if not np.all(np.isfinite(vals)):
        r, c = np.argwhere(~np.isfinite(vals))[0]
        raise HallReadError(f"{p}: non-finite value in column {df.columns[c]!r}, row {r}")
    current = to_house(vals[:, 0], cu, "current")[0] / 1e3  # mA -> A
    fields = to_house(vals[:, 1:], fus.pop(), "field")[0]
    order = np.argsort(current)
    mean = fields.mean(axis=1)[order]
    n = fields.shape[1]
    err = (fields.std(axis=1, ddof=1) / math.sqrt(n))[order] if n > 1 else np.zeros_like(mean)
    return MagnetCalibration(current[order], mean, err, str(p))


_CHANNELS = {"X": ("X", 1.0), "-X": ("X", -1.0), "Y": ("Y", 1.0), "-Y": ("Y", -1.0)}


def _safe_split(c):
    try:
        split_header(str(c))
        return True
    except UnitError:
        return False


def _read_csv(path, **kw):
    """``pandas.read_csv`` whose failures name the file: empty, no header, no data rows, unreadable."""
    import pandas as pd

    try:
        df = pd.read_csv(path, **kw)
    except pd.errors.EmptyDataError:
        raise HallReadError(f"{path}: the file is empty (no header row and no data)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise HallReadError(f"{path}: not a readable CSV table ({str(exc).strip()})") from None
    if len(df.columns) == 0:
        raise HallReadError(f"{path}: no columns found (a header row naming the columns is needed)")
    if len(df) == 0:
        raise HallReadError(f"{path}: header only, no data rows (columns: "
                            f"{', '.join(map(str, df.columns))})")
    return df


def _rows(idx, n=5) -> str:
    """'data row(s) [..]' for the first ``n`` indices (0 = the first row after the header)."""
    idx = list(map(int, idx))
    more = f" and {len(idx) - n} more" if len(idx) > n else ""
    return f"data row(s) {idx[:n]}{more}"


#: Robust outlier threshold: a value further than this many robust standard deviations
#: (the median absolute deviation / 0.6745, as for a normal distribution) from the column's
#: median is refused.
OUTLIER_SIGMAS = 1e4
#: Magnitudes beyond these are refused as not physical (house units: T, deg, mA, Ohm).
_LIMITS = {"field": (100.0, "T", "no laboratory magnet reaches it"),
           "angle": (720.0, "deg", "two full turns either way"),
           "current": (1e4, "mA", "10 A through a Hall bar"),
           "resistance": (1e6, "Ohm", "1 MOhm as a harmonic Hall resistance")}


def _numeric(df, col, path):
    """Column ``col`` as floats (empty cells NaN); a missing column or a non-numeric cell is an
    error naming the file, the column and the data rows."""
    import pandas as pd

    if col not in df.columns:
        raise HallReadError(f"{path}: no column {col!r}; columns are: {', '.join(map(str, df.columns))}")
    raw = df[col]
    v = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad_text = np.flatnonzero(np.isnan(v) & ~raw.isna().to_numpy())
    if bad_text.size:
        cells = ", ".join(repr(str(raw.iloc[i])) for i in bad_text[:3])
        raise HallReadError(f"{path}: column {col!r} has non-numeric value(s) {cells} at "
                            f"{_rows(bad_text)}; fix or remove them")
    return v


def _check_values(v, col, path, dimension, what=None):
    """Refuse values of column ``col`` (already in house units of ``dimension``) that are not
    physical (beyond :data:`_LIMITS`) or isolated outliers (more than :data:`OUTLIER_SIGMAS`
    robust standard deviations from the median), naming the file, the column and the rows."""
    v = np.asarray(v, float)
    what = what or dimension
    limit, unit, why = _LIMITS[dimension]
    out = np.flatnonzero(np.abs(v) > limit)
    if out.size:
        vals = ", ".join(f"{v[i]:.4g}" for i in out[:3])
        raise HallReadError(f"{path}: column {col!r}: {what} {vals} {unit} at {_rows(out)} "
                            f"beyond +-{limit:g} {unit} ({why}); a corrupted or mistyped value?")
    if v.size >= 5:
        from scipy.stats import norm

        med = float(np.median(v))
        # robust spread: the median absolute deviation over its value for a normal distribution,
        # at least 1e-3 of the median (a nearly constant column such as a source current that
        # changes in its last digit)
        mad = float(np.median(np.abs(v - med)))
        scale = max(mad / float(norm.ppf(0.75)), 1e-3 * abs(med))
        if scale > 0:
            out = np.flatnonzero(np.abs(v - med) > OUTLIER_SIGMAS * scale)
            if out.size:
                vals = ", ".join(f"{v[i]:.4g}" for i in out[:3])
                raise HallReadError(
                    f"{path}: column {col!r}: {what} {vals} {unit} at {_rows(out)} lie more than "
                    f"{OUTLIER_SIGMAS:g} robust standard deviations ({scale:.3g} {unit}) from the "
                    f"median {med:.4g} {unit}: an outlier; fix or remove the row(s)")
    return v


# ------------------------------------------------------------------------------------------
# Option spelling: every reader error names the option that fixes it, as the caller writes it
# ------------------------------------------------------------------------------------------

#: How each reader keyword is written on the ``sotfit hall`` command line.
CLI_OPTIONS = {
    "scan": "--scan", "current": "--current", "current_is": "--current-is",
    "lockin_output": "--lockin-output", "r2w_channel": "--r2w-channel",
    "r1w_channel": "--r1w-channel", "r2w_sign": "--r2w-sign", "gain_1w": "--gain-1w",
    "gain_2w": "--gain-2w", "voltage_unit": "--voltage-unit", "angle_unit": "--angle-unit",
    "field_unit": "--field-unit", "field": "--field", "theta_h": "--theta-h", "phi_h": "--phi-h",
    "calibration": "--calibration", "extrapolate_calibration": "--extrapolate-calibration",
    "r_ahe": "--r-ahe",
}
_STYLE = contextvars.ContextVar("sotfit_hall_option_style", default="python")


def _opt(key: str, example=None) -> str:
    """Keyword ``key`` as the caller spells it: ``current_is='peak'`` or ``--current-is peak``."""
    if _STYLE.get() == "cli":
        opt = CLI_OPTIONS[key]
        if example is None:
            return opt
        text = str(example)
        return f"{opt}={text}" if text.startswith("-") else f"{opt} {text}"
    return f"{key}={example!r}" if example is not None else f"{key}=..."


def _col_opt(role: str, name=None) -> str:
    """How to name the column of ``role``: ``columns={'r2w': 'NAME'}`` or ``--column r2w=NAME``."""
    name = "NAME" if name is None else str(name)
    if _STYLE.get() == "cli":
        return f"--column {role}={name}"
    return f"columns={{{role!r}: {name!r}}}"


def _unit_opt(role: str, unit: str) -> str:
    """How to give the unit of the column of ``role``."""
    if _STYLE.get() == "cli":
        return f"--column-unit {role}={unit}"
    return f"column_units={{{role!r}: {unit!r}}}"


# ------------------------------------------------------------------------------------------
# Column roles and their names
# ------------------------------------------------------------------------------------------

#: Column roles (``columns=`` / ``column_units=`` keys of :func:`read_hall`; ``sotfit hall
#: --column ROLE=NAME`` and ``--column-unit ROLE=UNIT``) and what each column holds.
COLUMN_ROLES = {
    "angle": "the scanned angle of a rotation (phi from the current in the plane, or theta from "
             "the film normal)",
    "field": "the field: swept in a field sweep, constant within each rotation",
    "magnet_current": "the magnet current, turned into field by the calibration table",
    "x1": "lock-in X output of the first harmonic (voltage)",
    "y1": "lock-in Y output of the first harmonic (voltage)",
    "x2": "lock-in X output of the second harmonic (voltage)",
    "y2": "lock-in Y output of the second harmonic (voltage)",
    "mag1": "lock-in magnitude R of the first harmonic (voltage, with phase1)",
    "phase1": "lock-in phase of the first harmonic (deg or rad)",
    "mag2": "lock-in magnitude R of the second harmonic (voltage, with phase2)",
    "phase2": "lock-in phase of the second harmonic (deg or rad)",
    "v1w": "first-harmonic voltage in one column (read as the in-phase output X)",
    "v2w": "second-harmonic voltage in one column (read as the output X of the 2w channel)",
    "r1w": "first-harmonic Hall resistance R_1w = V_1w/I0 (a resistance unit)",
    "r2w": "second-harmonic Hall resistance in the house sign R_2w = -V_2w,cos/I0 (a resistance unit)",
    "current": "source current (peak or rms as stated)",
    "theta_h": "polar angle of the field from the film normal (deg)",
    "phi_h": "azimuth of the field from the current (deg)",
    "mz_state": "perpendicular state of a field sweep (+1, -1; 0 not known)",
    "sweep_axis": "axis of a field sweep: x/y, longitudinal/transverse, or phi_h in deg",
}
#: Keys of the earlier ``columns=`` dictionary -> roles ('x' is the scanned quantity).
_LEGACY_KEYS = {"X1": "x1", "Y1": "y1", "X2": "x2", "Y2": "y2", "R1": "mag1", "T1": "phase1",
                "R2": "mag2", "T2": "phase2", "current": "current", "field": "field",
                "magnet_current": "magnet_current"}
_HARMONIC_ROLES = {"x1", "y1", "x2", "y2", "mag1", "phase1", "mag2", "phase2", "v1w", "v2w",
                   "r1w", "r2w"}
_FIELD_NAMES = {"field", "b", "h", "mu0h", "hext", "happ", "bext", "bapp", "appliedfield",
                "magneticfield", "bfield", "hfield", "mu0hext"}
_ANGLE_NAMES = {"angle", "rotation", "alpha", "beta", "gamma"}
_CURRENT_NAMES = {"isource", "i", "current", "iac", "sourcecurrent"}
_MAGNET_NAMES = {"magnetcurrent", "imagnet"}
_STATE_NAMES = {"mzstate", "mz", "mzinitial", "mzinit", "initialmz", "state", "pmastate"}
_AXIS_NAMES = {"sweepaxis", "axis", "fieldaxis", "sweepalong"}
# a harmonic token: x1, Y2, R1w, theta2w, V_1w, 1f, 2omega, ...
_HARM_RE = re.compile(r"^(?P<pre>lockinx|lockiny|x|y|r|v|u|theta|phase|vxy|rxy|vh|rh|vhall|rhall)?"
                      r"(?P<h>[12])(?P<suf>f|w|omega|ω)?$")
_KIND_OF_PRE = {"x": "x", "lockinx": "x", "y": "y", "lockiny": "y", "r": "r", "rxy": "r",
                "rh": "r", "rhall": "r", "v": "v", "u": "v", "vxy": "v", "vh": "v", "vhall": "v",
                "theta": "phase", "phase": "phase"}
_KIND_WORDS = {"x": "x", "y": "y", "r": "r", "resistance": "r", "rxy": "r", "ohm": "r",
               "theta": "phase", "phase": "phase", "voltage": "v", "volt": "v", "v": "v",
               "signal": "v", "u": "v"}
_AXIS_RE = re.compile(r"^(?:mu0)?(?:[hb]|field)_?(?P<axis>x|y|z|\d+(?:\.\d+)?)(?:deg)?$")


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\s_\-()\[\]/.,:;]+", name) if t]


def _name_of(col) -> str:
    """Header name without its unit, lower case (the whole header if its unit is unknown)."""
    try:
        return split_header(str(col))[0]
    except UnitError:
        return str(col).strip().lower()


def _compact(col) -> str:
    return "".join(_tokens(_name_of(col)))


def _harmonic_of(col):
    """(harmonic, kind, label) of a lock-in or Hall column, or None. ``kind`` is 'x', 'y', 'r'
    (a resistance, or the lock-in magnitude when a phase goes with it), 'phase' or 'v' (one
    voltage); ``label`` is the name with the harmonic replaced by '#' (pairs 1f with 2f)."""
    toks = _tokens(_name_of(col))
    for i, t in enumerate(toks):
        m = _HARM_RE.match(t)
        if not m or (m.group("pre") is None and m.group("suf") is None):
            continue
        kind = _KIND_OF_PRE.get(m.group("pre") or "", None)
        rest = toks[:i] + toks[i + 1:]
        if kind in (None, "v"):
            after = [_KIND_WORDS[w] for w in toks[i + 1:] if w in ("x", "y", "r", "theta", "phase")]
            words = [_KIND_WORDS[w] for w in rest if w in _KIND_WORDS]
            kind = after[0] if after else kind or (words[0] if words else "v")
        label = "_".join(toks[:i] + [(m.group("pre") or "") + "#" + (m.group("suf") or "")] + toks[i + 1:])
        return int(m.group("h")), kind, label
    return None


def _field_axis(col):
    """Sweep axis written in a field column's name: 'Hx' -> 0 deg, 'Hy' -> 90, 'H45' -> 45;
    'z' for a field along the normal; None for a plain field name."""
    m = _AXIS_RE.match(_compact(col))
    if not m:
        return None
    a = m.group("axis")
    return {"x": 0.0, "y": 90.0, "z": "z"}.get(a, None if a in ("x", "y", "z") else float(a))


def _is_field_col(col) -> bool:
    c = _compact(col)
    return c in _FIELD_NAMES or _AXIS_RE.match(c) is not None


def _is_angle_col(col, scan=None) -> bool:
    c = _compact(col)
    return c in _ANGLE_NAMES or c in ("phi", "theta") or (scan in ("phi", "theta") and c == scan + "h")


# ------------------------------------------------------------------------------------------
# One table: its blocks (a whole table, or column pairs side by side)
# ------------------------------------------------------------------------------------------

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
        elif k in _CURRENT_NAMES:
            found.setdefault("current", c)
        elif k == "thetah" and scan != "theta":
            found.setdefault("theta_h", c)
        elif k == "phih" and scan != "phi":
            found.setdefault("phi_h", c)
        elif k in _STATE_NAMES:
            found.setdefault("mz_state", c)
        elif k in _AXIS_NAMES:
            found.setdefault("sweep_axis", c)
    for role, c in found.items():
        roles.setdefault(role, c)
    return roles


def _harm_roles(h):
    return (f"x{h}", f"y{h}", f"mag{h}", f"phase{h}", f"v{h}w", f"r{h}w")


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


# ------------------------------------------------------------------------------------------
# The reader
# ------------------------------------------------------------------------------------------

def read_hall(paths, *, scan: str | None = None, current=None, current_is: str | None = None,
              lockin_output: str | None = None, r2w_channel: str | None = None,
              r1w_channel: str = "X", r2w_sign: float = 1.0, gain_1w: float = 1.0,
              gain_2w: float = 1.0, voltage_unit: str | None = None, angle_unit: str | None = None,
              field_unit: str | None = None, field=None, theta_h: float | None = None,
              phi_h: float | None = None, calibration: MagnetCalibration | None = None,
              extrapolate_calibration: bool = False, mz_state: int | None = None,
              r_ahe: float | None = None, columns: dict | None = None,
              column_units: dict | None = None, option_style: str = "python") -> list[HallScan]:
    """Read harmonic Hall tables as laboratories write them into one :class:`HallScan` per scan.

    Layouts (docs/io.md, "Harmonic Hall tables"):

    * one scan per file (a rotation or a field sweep) with lock-in X/Y (or R/theta) columns of
      both harmonics, single voltage columns (``V1w``, ``Hx_1f_voltage``), or Hall resistances
      in Ohm (``R1w_ohm``, ``R_2w (Ohm)``; R_2w in the house sign -V_2w,cos/I0, flipped by
      ``r2w_sign=-1``; no lock-in convention is needed);
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
    r2w_sign : {1, -1}
        For tables of resistances: -1 flips an R_2w written with the opposite sign.
    r_ahe : float, optional
        R_AHE in Ohm, used only for its sign (the m_z state of a loop's branches).
    columns : dict, optional
        Role -> column name (roles in :data:`COLUMN_ROLES`; the earlier keys 'x', 'X1', 'R1',
        'T1', ... are accepted).
    column_units : dict, optional
        Role -> unit of a column whose header has none.
    option_style : {'python', 'cli'}
        Spell the options in messages as keywords or as ``sotfit hall`` options.

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
                    r_ahe=r_ahe, column_units=dict(column_units or {}))
        _check_options(paths, opts)
        given = _given_columns(columns, scan)
        opts["given"] = given
        per_file = [_read_file(Path(p), opts) for p in paths]
        missing = [f"{_col_opt(role, name)}" for role, name in given.items()
                   if not any(name in cols for _, cols in per_file)]
        if missing:
            p = Path(paths[0])
            cols = per_file[0][1]
            raise HallReadError(f"{p}: {', '.join(missing)} names no column of the file"
                                f"{'s' if len(paths) > 1 else ''}; columns are: "
                                f"{', '.join(map(str, cols))}")
        return _pair_and_build([t for t, _ in per_file], opts)
    finally:
        _STYLE.reset(token)


def _given_columns(columns, scan):
    given = {}
    for key, name in dict(columns or {}).items():
        if key == "x":
            role = "field" if scan == "field" else "angle"
        else:
            role = _LEGACY_KEYS.get(key, key)
        if role not in COLUMN_ROLES:
            raise HallReadError(f"unknown column role {key!r}; roles: {', '.join(COLUMN_ROLES)}")
        given[role] = name
    if "x" in dict(columns or {}):
        given["_legacy_x"] = columns["x"]
    return given


def _check_options(paths, o):
    if o["scan"] not in (None, "phi", "theta", "field"):
        raise HallReadError(f"{paths[0]}: scan must be 'phi', 'theta' or 'field', not {o['scan']!r} "
                            f"({_opt('scan', 'field')})")
    for name in ("current_is", "lockin_output"):
        allowed = ("peak", "rms") if name == "current_is" else ("rms", "peak")
        if o[name] is not None and o[name] not in allowed:
            raise HallReadError(f"{paths[0]}: state {name} explicitly as one of {allowed} (got "
                                f"{o[name]!r}); sotfit never assumes it ({_opt(name, allowed[0])})")
    for name in ("r2w_channel", "r1w_channel"):
        if o[name] is not None and o[name] not in _CHANNELS:
            raise HallReadError(f"{paths[0]}: {name} must be one of {list(_CHANNELS)} (got "
                                f"{o[name]!r}); see sotfit.io.hall for the phase convention")
    if not (o["gain_1w"] > 0 and o["gain_2w"] > 0):
        raise HallReadError(f"{paths[0]}: preamplifier gains must be positive (got {o['gain_1w']}, "
                            f"{o['gain_2w']})")
    if o["r2w_sign"] not in (1, -1, 1.0, -1.0):
        raise HallReadError(f"{paths[0]}: r2w_sign must be +1 or -1 (got {o['r2w_sign']!r})")
    for role in o["column_units"]:
        if role not in COLUMN_ROLES:
            raise HallReadError(f"unknown column role {role!r} for a unit; roles: "
                                f"{', '.join(COLUMN_ROLES)}")


def _need_conventions(p, o, cols):
    """Lock-in voltages need the conventions that turn them into resistances (never assumed)."""
    for name, allowed in (("current_is", ("peak", "rms")), ("lockin_output", ("rms", "peak")),
                          ("r2w_channel", tuple(_CHANNELS))):
        if o[name] is None:
            raise HallReadError(
                f"{p}: the Hall voltages in {', '.join(map(repr, cols))} need {name}: state it "
                f"explicitly as one of {allowed} ({_opt(name, allowed[0])}); sotfit never assumes it")


def _unit_of_role(p, col, role, dimension, o, what):
    """Unit of column ``col`` of ``role``: its header, the column unit or the option ``what``."""
    try:
        _, hu = split_header(str(col))
    except UnitError as exc:
        raise HallReadError(f"{p}: {exc}") from None
    cu = o["column_units"].get(role)
    gu = o.get(what) if what else None
    for src, u in ((_unit_opt(role, cu) if cu else None, cu), (_opt(what, gu) if gu else None, gu)):
        if u is None:
            continue
        try:
            nu = normalise_unit(u)
        except UnitError as exc:
            raise HallReadError(f"{p}: column {col!r}: {exc}") from None
        if hu and hu != nu:
            raise HallReadError(f"{p}: column {col!r} is in {hu} but {src} was given; the header "
                                "and the option disagree")
        hu = hu or nu
    if hu is None:
        ex = {"angle": "deg", "field": "mT", "voltage": "V", "resistance": "Ohm",
              "current": "mA"}[dimension]
        how = [_opt(what, ex)] if what else []
        how.append(_unit_opt(role, ex))
        raise HallReadError(f"{p}: column {col!r} has no unit in its header; give "
                            f"{' or '.join(how)}")
    try:
        to_house(1.0, hu, dimension)
    except UnitError as exc:
        raise HallReadError(f"{p}: column {col!r}: {exc}") from None
    return hu


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


def _values(p, df, col, rows):
    v = _numeric(df, col, p)[rows]
    bad = ~np.isfinite(v)
    if bad.any():
        idx = rows[np.flatnonzero(bad)][:5].tolist()
        raise HallReadError(f"{p}: column {col!r} has {bad.sum()} NaN/inf value(s) at data row(s) "
                            f"{idx}; nothing is dropped silently: remove or fill them first")
    return v


def _strings(p, df, col, rows):
    raw = df[col].iloc[rows]
    if raw.isna().any():
        idx = rows[np.flatnonzero(raw.isna().to_numpy())][:5].tolist()
        raise HallReadError(f"{p}: column {col!r} is empty at data row(s) {idx}")
    return [str(v).strip() for v in raw]


def _axis_values(p, col, vals):
    """A sweep-axis column -> phi_h in deg: x/longitudinal 0, y/transverse 90, or a number."""
    out = []
    for i, v in enumerate(vals):
        k = v.lower().replace(" ", "").replace("_", "")
        if k in ("x", "hx", "bx", "long", "longitudinal", "parallel", "l"):
            out.append(0.0)
        elif k in ("y", "hy", "by", "trans", "transverse", "perpendicular", "t"):
            out.append(90.0)
        else:
            try:
                out.append(float(v))
            except ValueError:
                raise HallReadError(f"{p}: column {col!r}: {v!r} at data row {i} is not a sweep axis "
                                    "(x, y, longitudinal, transverse, or phi_h in deg)") from None
    return np.array(out)


def _read_file(p: Path, o):
    """The traces of one file (one per scan and harmonic group) and its columns."""
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such file")
    df = _read_csv(p, comment="#")
    cols = list(df.columns)
    given = {k: v for k, v in o["given"].items() if not k.startswith("_")}
    present = {k: v for k, v in given.items() if v in cols}
    if "_legacy_x" in o["given"] and o["given"]["_legacy_x"] not in cols:
        raise HallReadError(f"{p}: columns={{'x': {o['given']['_legacy_x']!r}}} names no column of "
                            f"the file; columns are: {', '.join(map(str, cols))}")
    blocks, side = _blocks(p, df, o["scan"], present)
    traces = []
    for blk in blocks:
        traces.extend(_read_block(p, df, blk, side, o))
    return traces, cols


def _scan_kind(p, blk, o):
    if o["scan"] is not None:
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


def _read_block(p, df, blk, side, o):
    """Traces of one block: convert the columns, group the rows into scans, split sweeps."""
    scan = _scan_kind(p, blk, o)
    roles = blk.roles
    cols = list(df.columns)
    where = f" [{blk.label}]" if blk.label else ""
    if scan is None or blk.var is None:
        if scan == "field" and roles.get("magnet_current") is not None:
            pass
        else:
            what = scan or "scanned quantity"
            raise HallReadError(f"{p}: no column for the scanned {what} found; columns are {cols} "
                                f"(name it with {_col_opt('field' if scan == 'field' else 'angle')})")
    rows = _block_rows(p, df, blk, side)
    n = rows.size
    meta: dict[str, Any] = {"scan": scan, "current_is": o["current_is"],
                            "lockin_output": o["lockin_output"], "r1w_channel": o["r1w_channel"],
                            "r2w_channel": o["r2w_channel"], "gain_1w": o["gain_1w"],
                            "gain_2w": o["gain_2w"]}
    notes = []
    # ---- the harmonics present, as resistances in Ohm
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
        raise HallReadError(
            f"{p}{where}: no first-harmonic lock-in columns found (need X1/Y1 or R1w/Theta1w, a "
            f"voltage such as V1w or Hx_1f_voltage, or a resistance such as R1w_ohm; name them with "
            f"{_col_opt('x1')}, {_col_opt('v1w')} or {_col_opt('r1w')}); columns are: "
            f"{', '.join(map(str, cols))}")
    # ---- scanned variable
    if scan == "field":
        if blk.var is not None:
            fu = _unit_of_role(p, blk.var, "field", "field", o, "field_unit")
            x = _check_values(to_house(_values(p, df, blk.var, rows), fu, "field")[0], blk.var, p,
                              "field")
            meta["field_unit_in_file"] = fu
        else:
            cm = roles["magnet_current"]
            if o["calibration"] is None:
                raise HallReadError(f"{p}: column {cm!r} is a magnet current; give a calibration "
                                    f"({_opt('calibration', 'CAL.csv')})")
            x, _, ex = o["calibration"](_values(p, df, cm, rows), o["extrapolate_calibration"])
            x = _check_values(x, cm, p, "field", "field from the magnet current")
            meta["calibration_extrapolated"] = bool(ex.any())
        group_cols = {k: roles.get(k) for k in ("sweep_axis", "phi_h", "theta_h", "mz_state")}
    else:
        cxs = blk.var
        au = _unit_of_role(p, cxs, "angle", "angle", o, "angle_unit")
        raw = _values(p, df, cxs, rows)
        span = float(np.ptp(raw)) if raw.size else 0.0
        if normalise_unit(au) == "rad" and span > 2 * math.pi + 1e-6:
            raise HallReadError(f"{p}: column {cxs!r} is declared in rad but spans {span:.4g}, more "
                                "than a full turn; the angles look like degrees")
        if normalise_unit(au) == "deg" and raw.size > 4 and 0 < span <= 2 * math.pi + 1e-6 \
                and np.max(np.abs(raw)) <= 2 * math.pi + 1e-6:
            raise HallReadError(f"{p}: column {cxs!r} is declared in deg but spans only {span:.4g}; "
                                "the angles look like radians")
        x = _check_values(to_house(raw, au, "angle")[0], cxs, p, "angle")
        group_cols = {"theta_h" if scan == "phi" else "phi_h":
                      roles.get("theta_h" if scan == "phi" else "phi_h")}
    # ---- current and the harmonics
    volt = [c for h, (k, c1, c2) in kinds.items() if k != "ohm" for c in (c1, c2) if c is not None]
    if volt:
        _need_conventions(p, o, volt)
    if o["current"] is None:
        ccol = roles.get("current")
        if ccol is None:
            if volt:
                raise HallReadError(f"{p}: no current column; give the source current "
                                    f"({_opt('current', '1mA' if _STYLE.get() == 'cli' else 1.0)}"
                                    f"{'' if _STYLE.get() == 'cli' else ' in mA'}) or name its column "
                                    f"({_col_opt('current')})")
            cur = None
        else:
            cu = _unit_of_role(p, ccol, "current", "current", o, None)
            cur = _check_values(to_house(_values(p, df, ccol, rows), cu, "current")[0], ccol, p,
                                "current")
    else:
        cur = np.full(n, float(o["current"]))
    if cur is not None and np.any(cur <= 0):
        raise HallReadError(f"{p}: source current must be positive")
    i_peak = None
    if cur is not None:
        if o["current_is"] is None:
            if volt:
                _need_conventions(p, o, volt)
            raise HallReadError(f"{p}: state current_is explicitly as one of ('peak', 'rms') "
                                f"({_opt('current_is', 'peak')}); sotfit never assumes it")
        i_peak = cur * (math.sqrt(2) if o["current_is"] == "rms" else 1.0)
    vfac = math.sqrt(2) if o["lockin_output"] == "rms" else 1.0
    res, used_cols = {}, {}
    for h, (kind, c1, c2) in kinds.items():
        gain = o[f"gain_{h}w"]
        chan = o[f"r{h}w_channel"]
        if kind == "ohm":
            ru = _unit_of_role(p, c1, f"r{h}w", "resistance", o, None)
            if gain != 1.0:
                raise HallReadError(f"{p}: column {c1!r} holds resistances; a preamplifier gain "
                                    f"({_opt(f'gain_{h}w', gain)}) applies to voltages only")
            if h == 2 and o["r2w_channel"] is not None and o["r2w_channel"] != "X":
                raise HallReadError(f"{p}: column {c1!r} holds R_2w in Ohm, not a lock-in channel: "
                                    f"{_opt('r2w_channel', o['r2w_channel'])} does not apply; a table "
                                    f"written with the opposite sign takes {_opt('r2w_sign', -1)}")
            sign = float(o["r2w_sign"]) if h == 2 else 1.0
            v = sign * to_house(_values(p, df, c1, rows), ru, "resistance")[0]
            used = c1
            meta[f"r{h}w_from"] = f"column {c1!r} ({ru})"
        else:
            if h == 2 and o["r2w_sign"] != 1:
                raise HallReadError(f"{p}: {_opt('r2w_sign', -1)} flips a table of resistances; the "
                                    f"sign of a lock-in voltage is the channel's ({_opt('r2w_channel', '-X')})")
            vu = _unit_of_role(p, c1, _role_of(roles, c1), "voltage", o, "voltage_unit")
            if kind == "xy":
                X = _values(p, df, c1, rows)
                Y = _values(p, df, c2, rows)
                if _unit_of_role(p, c2, _role_of(roles, c2), "voltage", o, "voltage_unit") != vu:
                    raise HallReadError(f"{p}: columns {c1!r} and {c2!r} have different units")
            elif kind == "rt":
                R = _values(p, df, c1, rows)
                tu = split_header(str(c2))[1] if _safe_split(c2) else None
                tu = tu or (normalise_unit(o["column_units"][f"phase{h}"])
                            if f"phase{h}" in o["column_units"] else None)
                if tu not in (None, "deg", "rad"):
                    raise HallReadError(f"{p}: phase column {c2!r} must be in deg or rad, not {tu}")
                th = _values(p, df, c2, rows) if tu == "rad" else np.radians(_values(p, df, c2, rows))
                X, Y = R * np.cos(th), R * np.sin(th)
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
            v = to_house(v, vu, "voltage")[0] / gain * vfac * 1e-6 / (i_peak * 1e-3)  # Ohm
            meta[f"r{h}w_from"] = f"column {used!r} ({vu}, channel {chan})"
        res[h] = _check_values(v, used, p, "resistance", f"R_{h}w")
        used_cols[h] = used
    if i_peak is not None:
        meta["current_peak"] = float(np.mean(i_peak))
    # ---- fixed quantities of the scan: the options, or constant columns; groups of rows
    keys = np.zeros((n, 0))
    gnames = []
    for key, c in group_cols.items():
        if c is None:
            continue
        if key == "sweep_axis":
            v = _axis_values(p, c, _strings(p, df, c, rows))
        elif key == "mz_state":
            v = _values(p, df, c, rows)
            bad = np.flatnonzero(~np.isin(v, (-1.0, 0.0, 1.0)))
            if bad.size:
                raise HallReadError(f"{p}: column {c!r} is {v[bad[0]]:g} at data row {rows[bad[0]]}; "
                                    "the perpendicular state is +1, -1 or 0 (unknown)")
        else:
            v = _check_values(_values(p, df, c, rows), c, p, "angle")
        keys = np.column_stack([keys, v])
        gnames.append(key)
    angle_field = None
    if scan in ("phi", "theta"):
        angle_field, ferr_rows, _ = _angle_scan_field(p, df, roles, rows, o, meta)
        keys = np.column_stack([keys, angle_field])
        gnames.append("field")
    groups = _group_rows(keys, scan)
    traces = []
    for gi, idx in enumerate(groups):
        gm = dict(meta)
        gkey = []
        for j, name in enumerate(gnames):
            val = float(keys[idx[0], j])
            gkey.append((name, round(val, 12)))
            gm[name] = val
        if scan == "field":
            _sweep_geometry(p, gm, blk, o, roles)
        else:
            if o["field"] is not None:
                gm["field"] = float(o["field"])
                gm["field_stderr"] = 0.0
            else:
                gm["field_stderr"] = float(np.mean(ferr_rows[idx]))
            if scan == "phi":
                gm["theta_h"] = float(gm.get("theta_h", 90.0 if o["theta_h"] is None else o["theta_h"]))
                _agree(p, roles.get("theta_h"), "theta_h", gm["theta_h"], o["theta_h"])
            else:
                gm["phi_h"] = float(gm.get("phi_h", 0.0 if o["phi_h"] is None else o["phi_h"]))
                _agree(p, roles.get("phi_h"), "phi_h", gm["phi_h"], o["phi_h"])
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
        if scan != "field":
            traces.append(_Trace(p, xs, rs, gm, (_label_key(blk, kinds), tuple(gkey)), desc=desc,
                                 notes=list(notes)))
            continue
        for ri, run in enumerate(_monotonic_runs(p, xs, rows[idx], blk.var)):
            d = int(np.sign(xs[run[-1]] - xs[run[0]])) if run.size > 1 else 0
            traces.append(_Trace(p, xs[run], {h: rs[h][run] for h in rs}, dict(gm),
                                 (_label_key(blk, kinds), tuple(gkey)), run=ri, direction=d,
                                 desc=desc, notes=list(notes)))
    for t in traces:
        t.meta["_cols"] = dict(used_cols)
        t.meta["_all_cols"] = list(cols)
    return traces


def _role_of(roles, col):
    return next((r for r, c in roles.items() if c == col), "x1")


def _fmt_key(k, v):
    if k == "field":
        return f"{v * 1e3:.6g} mT"
    if k == "mz_state":
        return f"{int(v):+d}"
    return f"{v:g} deg"


def _label_key(blk, kinds):
    labels = []
    for h, (kind, c1, c2) in sorted(kinds.items()):
        hh = _harmonic_of(c1)
        labels.append(hh[2] if hh else kind)
    lab = labels[0] if labels else ""
    return (str(_compact(blk.var)) if blk.label and blk.var is not None else "", lab)


def _agree(p, col, key, value, option):
    if col is not None and option is not None and not np.isclose(value, option):
        raise HallReadError(f"{p}: column {col!r} says {value:g} but {_opt(key, option)} was given")


def _angle_scan_field(p, df, roles, rows, o, meta):
    """Field (T) of every row of an angle scan, its standard error, and the extrapolation flags."""
    n = rows.size
    if o["field"] is not None:
        return np.full(n, float(o["field"])), np.zeros(n), np.zeros(n, bool)
    cf, cm = roles.get("field"), roles.get("magnet_current")
    if cf is not None:
        fu = _unit_of_role(p, cf, "field", "field", o, "field_unit")
        fv = _check_values(to_house(_values(p, df, cf, rows), fu, "field")[0], cf, p, "field")
        return fv, np.zeros(n), np.zeros(n, bool)
    if cm is not None:
        if o["calibration"] is None:
            raise HallReadError(f"{p}: the field is given as column {cm!r} (a magnet current); give "
                                f"the magnet calibration table ({_opt('calibration', 'CAL.csv')})")
        mu = split_header(str(cm))[1] or o["column_units"].get("magnet_current") or "A"
        mc = to_house(_values(p, df, cm, rows), mu, "current")[0] / 1e3
        fv, fe, ex = o["calibration"](mc, o["extrapolate_calibration"])
        fv = _check_values(fv, cm, p, "field", "field from the magnet current")
        meta["calibration_extrapolated"] = bool(np.any(ex))
        return fv, fe, ex
    raise HallReadError(f"{p}: no field column or magnet-current column; give the field of the "
                        f"rotation ({_opt('field', '50mT' if _STYLE.get() == 'cli' else 0.05)}) or "
                        f"name its column ({_col_opt('field')})")


def _group_rows(keys, scan):
    """Rows with equal keys (in order of first appearance); fields of rotations agree to 1e-6."""
    n = keys.shape[0]
    if keys.shape[1] == 0:
        return [np.arange(n)]
    k = keys.copy()
    if scan in ("phi", "theta"):
        f = k[:, -1]
        tol = 1e-6 * max(1e-12, float(np.max(np.abs(f))))
        # rows whose field agrees within tol share the first such field
        order = np.argsort(f, kind="stable")
        ref = f[order[0]]
        for i in order:
            if abs(f[i] - ref) > tol:
                ref = f[i]
            k[i, -1] = ref
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
        gm[key] = default if opt is None else float(opt)
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
                            f"at data row(s) {rows[r].tolist()}: a jittering read-back? Every "
                            "monotonic part of a sweep needs 3 points or more")
    return runs


# ------------------------------------------------------------------------------------------
# Loops: switching jumps and the m_z state of each branch
# ------------------------------------------------------------------------------------------

#: A step of R_1w is a switching jump when it exceeds this fraction of the range of R_1w over
#: the block and SWITCH_MEDIAN times the median step of its sweep.
SWITCH_FRACTION = 0.25
SWITCH_MEDIAN = 10.0


def _switch(r, scale):
    """(j0, j1) when the run ``r`` jumps between the steps j0..j1 (points j0+1..j1 lie inside the
    jump), else None."""
    if r.size < 4 or scale <= 0:
        return None
    d = np.diff(r)
    a = np.abs(d)
    j = int(np.argmax(a))
    if a[j] < SWITCH_FRACTION * scale or a[j] < SWITCH_MEDIAN * float(np.median(a)):
        return None
    j0 = j1 = j
    # a switching by domains takes several steps: the neighbouring steps of the same sign above
    # 5 % of the jump (and 5 median steps) belong to it, their points are only partly switched
    small = max(0.05 * a[j], 5.0 * float(np.median(a)))
    while j0 > 0 and np.sign(d[j0 - 1]) == np.sign(d[j]) and a[j0 - 1] > small:
        j0 -= 1
    while j1 + 1 < d.size and np.sign(d[j1 + 1]) == np.sign(d[j]) and a[j1 + 1] > small:
        j1 += 1
    return j0, j1


def _split_loops(traces, o):
    """Split the field sweeps of one file at their switching jumps and give every part its m_z
    state (from a column, or from the jump and the sign of R_AHE)."""
    field_tr = [t for t in traces if t.meta["scan"] == "field" and 1 in t.r]
    if not field_tr:
        return traces
    by_block = {}
    for t in field_tr:
        by_block.setdefault(t.key[0], []).append(t)
    events = []   # (trace, j0, j1, jump, direction, cos theta_h)
    for blk_traces in by_block.values():
        allr = np.concatenate([t.r[1] for t in blk_traces])
        scale = float(np.ptp(allr))
        for t in blk_traces:
            sw = _switch(t.r[1], scale)
            if sw is not None and t.direction != 0:
                j0, j1 = sw
                events.append((t, j0, j1, float(t.r[1][j1 + 1] - t.r[1][j0]), t.direction,
                               math.cos(math.radians(t.meta["theta_h"]))))
    unlabelled = [t for t in field_tr if "mz_label" not in t.meta]
    if not events and not unlabelled:
        return traces
    sign_r = None
    why = ""
    tilt = [(e[3] * e[4] * e[5]) for e in events if abs(e[5]) > 1e-6]
    if tilt:
        signs = {int(np.sign(v)) for v in tilt}
        if len(signs) > 1:
            raise HallReadError(f"{field_tr[0].path}: the switching jumps of R_1w disagree on the sign of "
                                "R_AHE with the field tilt given: check theta_h of each sweep "
                                f"({_opt('theta_h', '92deg' if _STYLE.get() == 'cli' else 92.0)})")
        # a rising field switches m to the side of B_z = H cos(theta_h): s_after = sign(d cos theta_h),
        # and the jump R_after - R_before = 2 R_AHE s_after
        sign_r = int(signs.pop())
        th = sorted({round(e[0].meta["theta_h"], 6) for e in events})
        why = (f"the switching jumps of R_1w with the field tilted to theta_h = "
               f"{', '.join(f'{v:g}' for v in th)} deg (a rising field switches m to "
               f"{'-z' if math.cos(math.radians(th[0])) < 0 else '+z'})")
    if o["r_ahe"] is not None and o["r_ahe"] != 0:
        given = int(np.sign(o["r_ahe"]))
        if sign_r is not None and given != sign_r:
            raise HallReadError(f"{field_tr[0].path}: {why} give R_AHE {'> 0' if sign_r > 0 else '< 0'}, "
                                f"but {_opt('r_ahe', o['r_ahe'])} says the opposite; one of them (or the "
                                "tilt theta_h) is wrong")
        if sign_r is None:
            why = f"the sign of {_opt('r_ahe', o['r_ahe'])}"
        sign_r = given
    out = []
    offset = np.mean([0.5 * (e[0].r[1][e[1]] + e[0].r[1][e[2] + 1]) for e in events]) if events else None
    ev = {id(e[0]): e for e in events}
    for t in traces:
        if t.meta["scan"] != "field" or 1 not in t.r:
            out.append(t)
            continue
        e = ev.get(id(t))
        label = t.meta.get("mz_label")
        if e is None:
            st = label
            if st is None:
                st = _state_from_level(t, offset, sign_r, why)
            t.meta["mz_state"] = int(st)
            out.append(t)
            continue
        _, j0, j1, jump, d, _ = e
        if label not in (None, 0):
            s_before = label
        else:
            if sign_r is None:
                raise HallReadError(
                    f"{t.path}{' [' + t.desc + ']' if t.desc else ''}: a field sweep switches (R_1w jumps "
                    f"by {jump:.4g} Ohm near {t.x[j0]:.4g}-{t.x[j1 + 1]:.4g} T), but which state is m_z = +1 "
                    "depends on the sign of R_AHE, which a loop in a field in the plane does not show: "
                    f"give it ({_opt('r_ahe', '-2.9Ohm' if _STYLE.get() == 'cli' else -2.9)}), the tilt of "
                    f"the field out of the plane ({_opt('theta_h', '92deg' if _STYLE.get() == 'cli' else 92.0)})"
                    f" or the state in a column ({_col_opt('mz_state')})")
            s_before = -int(np.sign(jump) * sign_r)
        dropped = list(range(j0 + 1, j1 + 1))
        for seg, sl, st in ((0, slice(0, j0 + 1), s_before), (1, slice(j1 + 1, None), -s_before)):
            xs = t.x[sl]
            if xs.size < 3:
                t.notes.append(f"{xs.size} point(s) {'before' if seg == 0 else 'after'} the switching "
                               "jump left out (fewer than 3)")
                continue
            m = dict(t.meta, mz_state=int(st), sweep_segment="before the switching jump"
                     if seg == 0 else "after the switching jump")
            notes = list(t.notes)
            if seg == 0:
                notes.append(f"the sweep switches between {t.x[j0] * 1e3:.5g} and {t.x[j1 + 1] * 1e3:.5g} mT "
                             f"(R_1w jumps by {jump:+.4g} Ohm): split there, m_z = {s_before:+d} before and "
                             f"{-s_before:+d} after (from {why or 'the state column'})"
                             + (f"; {len(dropped)} point(s) inside the jump left out" if dropped else ""))
            out.append(_Trace(t.path, xs, {h: v[sl] for h, v in t.r.items()}, m, t.key, run=t.run,
                              direction=t.direction, segment=seg, desc=t.desc, notes=notes))
    return out


def _state_from_level(t, offset, sign_r, why):
    """m_z of a sweep without a jump: the side of the offset its R_1w lies on, with the sign of
    R_AHE; 0 when that is not known."""
    if offset is None or sign_r is None:
        if t.x.min() < 0 < t.x.max():
            t.notes.append("m_z state not known (no state column, no switching jump to tell it)")
        return 0
    side = float(np.median(t.r[1]) - offset)
    st = int(np.sign(side) * sign_r)
    t.notes.append(f"m_z = {st:+d} from the level of R_1w against the loop's offset and {why}")
    return st


# ------------------------------------------------------------------------------------------
# Pairing first- and second-harmonic files, and the scans
# ------------------------------------------------------------------------------------------

_FILE_HARM_RE = re.compile(r"(?<![0-9a-z])([12])(f|w|omega|ω)(?![a-z])", re.I)


def _file_key(path: Path) -> str:
    return _FILE_HARM_RE.sub(r"#\2", path.name.lower())


def _pair_and_build(per_file, o):
    files = []
    for traces in per_file:
        if traces:
            files.append((traces[0].path, traces, set().union(*(set(t.r) for t in traces))))
    for p, tr, h in files:
        if h == {1, 2} and any(set(t.r) != {1, 2} for t in tr):
            raise HallReadError(f"{p}: some of its column groups have one harmonic only")
    complete = [(p, tr) for p, tr, h in files if h == {1, 2}]
    single = {1: [(p, tr) for p, tr, h in files if h == {1}], 2: [(p, tr) for p, tr, h in files if h == {2}]}
    pairs = []
    by_key = {}
    for h in (1, 2):
        for p, tr in single[h]:
            by_key.setdefault(_file_key(p), {}).setdefault(h, []).append((p, tr))
    left = {1: [], 2: []}
    for v in by_key.values():
        if 1 in v and 2 in v:
            if len(v[1]) > 1 or len(v[2]) > 1:
                raise HallReadError(f"{v[1][0][0]}: several files pair by name "
                                    f"({', '.join(str(q) for q, _ in v[1] + v[2])})")
            pairs.append((v[1][0], v[2][0], "their names"))
        else:
            for h in v:
                left[h].extend(v[h])
    if len(left[1]) == 1 and len(left[2]) == 1:
        pairs.append((left[1][0], left[2][0], "being the only first- and second-harmonic files"))
    elif left[1] or left[2]:
        h = 1 if left[1] else 2
        p, tr = left[h][0]
        other = "second" if h == 1 else "first"
        k = 3 - h
        raise HallReadError(
            f"{p}: no {other}-harmonic lock-in columns found (need X{k}/Y{k} or R{k}w/Theta{k}w, a "
            f"voltage such as V{k}w or a resistance such as R{k}w_ohm; name them with "
            f"{_col_opt(f'x{k}')}, {_col_opt(f'v{k}w')} or {_col_opt(f'r{k}w')}), and no file with the "
            f"{other} harmonic to pair it with (give it on the same command line, named like this one "
            f"with {'2f' if h == 1 else '1f'} for {'1f' if h == 1 else '2f'}); columns are: "
            f"{', '.join(map(str, tr[0].meta['_all_cols']))}")
    scans = []
    for p, tr in complete:
        tr = _split_loops(tr, o)
        for t in tr:
            scans.append(_scan(t, None, len(tr) > 1, o))
    for (p1, t1), (p2, t2), how in pairs:
        scans.extend(_pair(p1, _split_loops(t1, o), p2, t2, how, o))
    return scans


def _pair(p1, t1, p2, t2, how, o):
    """Scans from a first-harmonic file and a second-harmonic file: the first harmonic of each
    sweep segment (or rotation) interpolated onto the second's points within the segment."""
    made = []
    by2 = {}
    for t in t2:
        by2.setdefault(_pair_key(t), []).append(t)
    used = {id(b): np.zeros(b.x.size, bool) for b in t2}
    for a in t1:
        same_dir = [b for b in by2.get(_pair_key(a), []) if b.direction == a.direction]
        runs1 = sorted({t.run for t in t1 if _pair_key(t) == _pair_key(a) and t.direction == a.direction})
        runs2 = sorted({b.run for b in same_dir})
        rank = runs1.index(a.run)
        if rank >= len(runs2):
            raise HallReadError(f"{p1}{' [' + a.desc + ']' if a.desc else ''}: no matching scan in the "
                                f"second-harmonic file {p2} (paired by {how}); its scans: "
                                + "; ".join(b.desc or str(b.key[1]) for b in t2))
        b = next(b for b in same_dir if b.run == runs2[rank])
        lo, hi = float(np.min(a.x)), float(np.max(a.x))
        tol = 1e-9 * max(abs(lo), abs(hi), 1e-12)
        sel = (b.x >= lo - tol) & (b.x <= hi + tol)
        if sel.sum() < 3:
            a.notes.append(f"only {int(sel.sum())} point(s) of the second harmonic within this part of "
                           "the first: left out")
            continue
        used[id(b)] |= sel
        xb = b.x[sel]
        if a.x.size == xb.size and np.array_equal(a.x, xb):
            r1, how_r1 = a.r[1], "on the same points"
        else:
            order = np.argsort(a.x, kind="stable")
            r1 = np.interp(xb, a.x[order], a.r[1][order])
            how_r1 = "interpolated linearly onto the second harmonic's points"
        meta = dict(b.meta)
        for k in ("mz_state", "sweep_segment", "mz_label"):
            if k in a.meta:
                meta[k] = a.meta[k]
        if "current_peak" in a.meta and "current_peak" in b.meta \
                and not np.isclose(a.meta["current_peak"], b.meta["current_peak"], rtol=1e-6):
            raise HallReadError(f"{p1} and {p2}: the source currents differ ({a.meta['current_peak']:g} "
                                f"and {b.meta['current_peak']:g} mA peak)")
        meta["_cols"] = {**a.meta["_cols"], **b.meta["_cols"]}
        if "r1w_from" in a.meta:
            meta["r1w_from"] = f"{p1.name}: {a.meta['r1w_from']}"
        notes = list(a.notes) + [f"first harmonic from {p1.name} (paired with {p2.name} by {how}), "
                                 f"{how_r1}"]
        made.append((b, _Trace(p2, xb, {1: r1, 2: b.r[2][sel]}, meta, b.key, run=b.run,
                                direction=b.direction, segment=a.segment, desc=a.desc, notes=notes)))
    out = []
    for b, t in made:
        left = int((~used[id(b)]).sum())
        if left:
            t.notes.append(f"{left} point(s) of this sweep of the second harmonic lie in no part of the first "
                           "harmonic's sweep (inside its switching jump or beyond its range): left out")
        out.append(_scan(t, p1, True, o))
    return out


def _pair_key(t):
    block, label = t.key[0]
    return (block, label, t.key[1])


def _scan(t, p1, multi, o):
    """The HallScan of a trace."""
    meta = {k: v for k, v in t.meta.items() if not k.startswith("_") and k != "mz_label"}
    if meta["scan"] == "field":
        meta.setdefault("mz_state", int(t.meta.get("mz_label", 0) or 0))
        meta.setdefault("theta_h", 90.0)
        meta.setdefault("phi_h", 0.0)
        if t.direction:
            meta["sweep_direction"] = "up" if t.direction > 0 else "down"
    src = str(t.path) if p1 is None else f"{t.path} + {Path(p1).name}"
    if multi:
        bits = [t.desc] if t.desc else []
        if meta["scan"] == "field":
            if t.direction:
                bits.append(f"sweep {t.run + 1} {meta['sweep_direction']}")
            bits.append(f"m_z {meta['mz_state']:+d}")
        src += f" [{'; '.join(bits)}]" if bits else ""
    meta["source"] = src
    no_signal = {}
    for h in (1, 2):
        if np.ptp(t.r[h]) == 0:
            col = t.meta["_cols"].get(h, "?")
            no_signal[f"r{h}w"] = (f"column {col!r} is constant ({t.r[h][0]:g} Ohm in every row): no "
                                   f"{'first' if h == 1 else 'second'}-harmonic signal was recorded")
    if no_signal:
        meta["no_signal"] = no_signal
    if t.notes:
        meta["reader_notes"] = tuple(dict.fromkeys(t.notes))
    xname = "field" if meta["scan"] == "field" else meta["scan"]
    x_unit = "T" if meta["scan"] == "field" else "deg"
    r1 = Dataset(t.x, t.r[1], x_name=xname, y_name="r1w", x_unit=x_unit, y_unit="Ohm",
                 meta=dict(meta, harmonic=1))
    r2 = Dataset(t.x, t.r[2], x_name=xname, y_name="r2w", x_unit=x_unit, y_unit="Ohm",
                 meta=dict(meta, harmonic=2))
    return HallScan(r1, r2, meta["scan"], meta)


def read_hall_table(path, *, scan: str, current=None, current_is: str | None = None,
                    lockin_output: str | None = None, r2w_channel: str | None = None,
                    r1w_channel: str = "X", gain_1w: float = 1.0, gain_2w: float = 1.0,
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
    gain_1w, gain_2w : float
        Preamplifier gains applied before the lock-in (readings are divided by them).
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
    mz_state : int, optional
        For field scans: the perpendicular state (+1, -1) of the branch, 0 if not applicable.
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
