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

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..data import DataError, Dataset
from ..units import UnitError, normalise_unit, split_header, to_house

__all__ = ["HallScan", "MagnetCalibration", "read_magnet_calibration", "read_hall_table",
           "HallReadError"]


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


def _find(columns, patterns):
    for c in columns:
        name = split_header(str(c))[0] if _safe_split(c) else str(c).lower()
        for pat in patterns:
            if re.fullmatch(pat, name):
                return c
    return None


def _safe_split(c):
    try:
        split_header(str(c))
        return True
    except UnitError:
        return False


def _unit_of(col, given, dimension, path, what):
    try:
        _, hu = split_header(str(col))
    except UnitError as exc:
        raise HallReadError(f"{path}: {exc}") from None
    gu = normalise_unit(given) if given else None
    if hu and gu and hu != gu:
        raise HallReadError(f"{path}: column {col!r} is in {hu} but {what}={given!r} was given; "
                            "the header and the option disagree")
    u = hu or gu
    if u is None:
        raise HallReadError(f"{path}: column {col!r} has no unit in its header; give {what} "
                            f"(e.g. {'deg' if dimension == 'angle' else 'mT' if dimension == 'field' else 'V'})")
    try:
        to_house(1.0, u, dimension)
    except UnitError as exc:
        raise HallReadError(f"{path}: column {col!r}: {exc}") from None
    return u


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


def _column(df, col, path):
    """Column ``col`` as finite floats: :func:`_numeric`, and NaN/inf is an error naming the rows."""
    v = _numeric(df, col, path)
    bad = ~np.isfinite(v)
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise HallReadError(f"{path}: column {col!r} has {bad.sum()} NaN/inf value(s) at data row(s) "
                            f"{rows}; nothing is dropped silently: remove or fill them first")
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


def read_hall_table(path, *, scan: str, current=None, current_is: str | None = None,
                    lockin_output: str | None = None, r2w_channel: str | None = None,
                    r1w_channel: str = "X", gain_1w: float = 1.0, gain_2w: float = 1.0,
                    voltage_unit: str | None = None, angle_unit: str | None = None,
                    field_unit: str | None = None, field=None, theta_h: float | None = None,
                    phi_h: float | None = None, calibration: MagnetCalibration | None = None,
                    extrapolate_calibration: bool = False, mz_state: int | None = None,
                    columns: dict | None = None) -> HallScan:
    """Read one harmonic Hall scan into R_1w and R_2w in Ohm.

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
        Whether the lock-in voltages are rms (SR830 and most lock-ins) or peak. Required.
    r2w_channel : {'X', '-X', 'Y', '-Y'}
        Channel and sign giving +R_2w (module doc). Required.
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
        Fixed polar / azimuthal field readings in deg (defaults: theta_h=90 for phi scans,
        phi_h=0 for theta and field scans).
    calibration : MagnetCalibration, optional
        Converts a ``Magnet current (A)`` column to field.
    extrapolate_calibration : bool
        Allow magnet currents outside the calibration table (flagged in ``meta``).
    mz_state : int, optional
        For field scans: the perpendicular state (+1, -1) of the branch, 0 if not applicable.
        Field scans may carry constant columns ``phi_h``, ``theta_h`` (deg) and ``mz_state``
        instead; a conflict with the argument is an error.
    columns : dict, optional
        Explicit column names: keys 'x', 'X1', 'Y1', 'X2', 'Y2', 'R1', 'T1', 'R2', 'T2',
        'current', 'field', 'magnet_current'.

    Returns
    -------
    HallScan

    Raises
    ------
    HallReadError
        Naming the file and column for a missing harmonic, a missing or inconsistent unit,
        NaNs, or a missing convention.
    """
    p = Path(path)
    if scan not in ("phi", "theta", "field"):
        raise HallReadError(f"{p}: scan must be 'phi', 'theta' or 'field', not {scan!r}")
    for name, val, allowed in (("current_is", current_is, ("peak", "rms")),
                               ("lockin_output", lockin_output, ("rms", "peak"))):
        if val not in allowed:
            raise HallReadError(f"{p}: state {name} explicitly as one of {allowed} "
                                f"(got {val!r}); sotfit never assumes it")
    for name, ch in (("r2w_channel", r2w_channel), ("r1w_channel", r1w_channel)):
        if ch not in _CHANNELS:
            raise HallReadError(f"{p}: {name} must be one of {list(_CHANNELS)} (got {ch!r}); "
                                "see sotfit.io.hall for the phase convention")
    if not (gain_1w > 0 and gain_2w > 0):
        raise HallReadError(f"{p}: preamplifier gains must be positive (got {gain_1w}, {gain_2w})")
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such file")
    df = _read_csv(p, comment="#")
    cols = list(df.columns)
    given = dict(columns or {})
    for key, name in given.items():
        if name not in cols:
            raise HallReadError(f"{p}: columns={{{key!r}: {name!r}}} names no column of the file; "
                                f"columns are: {', '.join(map(str, cols))}")

    def col(key, patterns):
        return given.get(key) or _find(cols, patterns)

    harm = {}
    for h in (1, 2):
        cx = col(f"X{h}", [rf"x{h}w?", rf"x_?{h}w?", rf"v{h}w?_?x"])
        cy = col(f"Y{h}", [rf"y{h}w?", rf"y_?{h}w?", rf"v{h}w?_?y"])
        cr = col(f"R{h}", [rf"r{h}w", rf"r_?{h}w", rf"v{h}w?_?r"])
        ct = col(f"T{h}", [rf"theta{h}w", rf"phase{h}w?", rf"theta_?{h}w"])
        if cx is not None and cy is not None:
            harm[h] = ("xy", cx, cy)
        elif cr is not None and ct is not None:
            harm[h] = ("rt", cr, ct)
        else:
            have = ", ".join(map(str, cols))
            raise HallReadError(
                f"{p}: no {'first' if h == 1 else 'second'}-harmonic lock-in columns found "
                f"(need X{h}/Y{h} or R{h}w/Theta{h}w); columns are: {have}")
    # scan variable
    if scan == "field":
        cxs = col("x", [r"field", r"b", r"h", r"mu0h", r"mu0_h"])
        cmag = col("magnet_current", [r"magnet current", r"magnet_current", r"i_magnet"])
    else:
        cxs = col("x", [scan, r"angle", rf"{scan}_h", r"rotation"])
        cmag = None
    if cxs is None and not (scan == "field" and cmag is not None):
        raise HallReadError(f"{p}: no column for the scanned {scan} found; columns are {cols} "
                            "(name it with columns={'x': ...})")
    n = len(df)
    meta: dict[str, Any] = {"source": str(p), "scan": scan, "current_is": current_is,
                            "lockin_output": lockin_output, "r1w_channel": r1w_channel,
                            "r2w_channel": r2w_channel, "gain_1w": gain_1w, "gain_2w": gain_2w}
    if scan == "field":
        if cxs is not None:
            fu = _unit_of(cxs, field_unit, "field", p, "field_unit")
            x = _check_values(to_house(_column(df, cxs, p), fu, "field")[0], cxs, p, "field")
        else:
            if calibration is None:
                raise HallReadError(f"{p}: column {cmag!r} is a magnet current; give a calibration")
            x, _, ex = calibration(_column(df, cmag, p), extrapolate_calibration)
            x = _check_values(x, cmag, p, "field", "field from the magnet current")
            meta["calibration_extrapolated"] = bool(ex.any())
        x_unit = "T"
        for key, val, default in (("theta_h", theta_h, 90.0), ("phi_h", phi_h, 0.0),
                                  ("mz_state", mz_state, 0)):
            c = col(key, [key])
            if c is not None:
                v = _column(df, c, p)
                if np.ptp(v) > 0:
                    raise HallReadError(f"{p}: column {c!r} must be constant in a field sweep")
                if val is not None and val != 0 and not np.isclose(val, v[0]):
                    raise HallReadError(f"{p}: column {c!r} says {v[0]} but {key}={val} was given")
                meta[key] = float(v[0])
            else:
                meta[key] = default if val is None else float(val)
            if key != "mz_state":
                _check_values([meta[key]], c or key, p, "angle")
        if meta["mz_state"] not in (-1.0, 0.0, 1.0):
            raise HallReadError(f"{p}: {'column ' + repr(c) if c is not None else 'mz_state'} is "
                                f"{meta['mz_state']:g}; the perpendicular state is +1, -1 or 0 (unknown)")
        meta["mz_state"] = int(meta["mz_state"])
    else:
        au = _unit_of(cxs, angle_unit, "angle", p, "angle_unit")
        raw = _column(df, cxs, p)
        span = float(np.ptp(raw)) if raw.size else 0.0
        if normalise_unit(au) == "rad" and span > 2 * math.pi + 1e-6:
            raise HallReadError(f"{p}: column {cxs!r} is declared in rad but spans {span:.4g}, more "
                                "than a full turn; the angles look like degrees")
        if normalise_unit(au) == "deg" and raw.size > 4 and 0 < span <= 2 * math.pi + 1e-6 \
                and np.max(np.abs(raw)) <= 2 * math.pi + 1e-6:
            raise HallReadError(f"{p}: column {cxs!r} is declared in deg but spans only {span:.4g}; "
                                "the angles look like radians")
        x = _check_values(to_house(raw, au, "angle")[0], cxs, p, "angle")
        x_unit = "deg"
        # field of the angle scan
        if field is not None:
            fval, ferr, ext = float(field), 0.0, False
        else:
            cf = col("field", [r"field", r"b", r"h", r"mu0h"])
            cm = col("magnet_current", [r"magnet current", r"magnet_current", r"i_magnet"])
            if cf is not None:
                fu = _unit_of(cf, field_unit, "field", p, "field_unit")
                fv = _check_values(to_house(_column(df, cf, p), fu, "field")[0], cf, p, "field")
            elif cm is not None:
                if calibration is None:
                    raise HallReadError(f"{p}: the field is given as column {cm!r} (a magnet current); "
                                        "give the magnet calibration table (calibration=...)")
                mu = split_header(str(cm))[1] or "A"
                mc = to_house(_column(df, cm, p), mu, "current")[0] / 1e3
                fv, fe, ex = calibration(mc, extrapolate_calibration)
                fv = _check_values(fv, cm, p, "field", "field from the magnet current")
                meta["calibration_extrapolated"] = bool(np.any(ex))
            else:
                raise HallReadError(f"{p}: no field column or magnet-current column; give field=...")
            if np.ptp(fv) > 1e-6 * max(1e-12, np.max(np.abs(fv))):
                raise HallReadError(f"{p}: the field changes during the {scan} scan "
                                    f"({fv.min():.6g} to {fv.max():.6g} T); split the file by field")
            fval = float(np.mean(fv))
            ferr = float(np.mean(fe)) if cm is not None and cf is None else 0.0
        meta["field"] = fval
        meta["field_stderr"] = ferr
        if scan == "phi":
            meta["theta_h"] = 90.0 if theta_h is None else float(theta_h)
        else:
            meta["phi_h"] = 0.0 if phi_h is None else float(phi_h)
    # current
    if current is None:
        ccol = col("current", [r"i_source", r"i", r"current", r"i_ac", r"source current"])
        if ccol is None:
            raise HallReadError(f"{p}: no current column; give current= (mA)")
        cu = _unit_of(ccol, None, "current", p, "the current unit in the header")
        cur = _check_values(to_house(_column(df, ccol, p), cu, "current")[0], ccol, p, "current")
    else:
        cur = np.full(n, float(current))
    if np.any(cur <= 0):
        raise HallReadError(f"{p}: source current must be positive")
    i_peak = cur * (math.sqrt(2) if current_is == "rms" else 1.0)
    vfac = math.sqrt(2) if lockin_output == "rms" else 1.0
    out, no_signal = {}, {}
    for h, gain, chan in ((1, gain_1w, r1w_channel), (2, gain_2w, r2w_channel)):
        kind, c1, c2 = harm[h]
        vu = _unit_of(c1, voltage_unit, "voltage", p, "voltage_unit")
        if kind == "xy":
            X = _column(df, c1, p)
            Y = _column(df, c2, p)
            if _unit_of(c2, voltage_unit, "voltage", p, "voltage_unit") != vu:
                raise HallReadError(f"{p}: columns {c1!r} and {c2!r} have different units")
        else:
            R = _column(df, c1, p)
            tu = split_header(str(c2))[1] if _safe_split(c2) else None
            if tu not in (None, "deg", "rad"):
                raise HallReadError(f"{p}: phase column {c2!r} must be in deg or rad, not {tu}")
            th = _column(df, c2, p) if tu == "rad" else np.radians(_column(df, c2, p))
            X, Y = R * np.cos(th), R * np.sin(th)
        which, sign = _CHANNELS[chan]
        v = sign * (X if which == "X" else Y)
        used = c1 if kind == "rt" or which == "X" else c2
        v_uv = to_house(v, vu, "voltage")[0] / gain * vfac  # uV amplitude at the sample
        out[h] = _check_values(v_uv * 1e-6 / (i_peak * 1e-3), used, p, "resistance", f"R_{h}w")  # Ohm
        if np.ptp(out[h]) == 0:
            # a constant lock-in output (e.g. all zero) is a channel that was not recorded
            no_signal[f"r{h}w"] = (f"column {used!r} is constant ({v[0]:g} in every row): no "
                                   f"{'first' if h == 1 else 'second'}-harmonic signal was recorded")
    meta["current_peak"] = float(np.mean(i_peak))
    if no_signal:
        meta["no_signal"] = no_signal
    xname = "field" if scan == "field" else scan
    r1 = Dataset(x, out[1], x_name=xname, y_name="r1w", x_unit=x_unit, y_unit="Ohm",
                 meta=dict(meta, harmonic=1))
    r2 = Dataset(x, out[2], x_name=xname, y_name="r2w", x_unit=x_unit, y_unit="Ohm",
                 meta=dict(meta, harmonic=2))
    return HallScan(r1, r2, scan, meta)
