"""Magnet calibration tables: field against magnet current."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...units import UnitError, normalise_unit, split_header, to_house
from .scan import HallReadError
from .dialect import _head_lines, _numbers_below, _read_table, _sniff
from .values import _LINES, _numeric, _read_csv, _rows


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
                f"extrapolation explicitly ({_extrapolation_option()})")
        f = np.interp(c, self.current, self.field)
        e = np.interp(c, self.current, self.field_stderr)
        if outside.any() and len(self.current) == 2:
            # the line through two points has no scatter to estimate its error from: the
            # points' own errors carried along it
            (c0, c1), (e0, e1) = self.current, self.field_stderr
            f = np.where(outside, self.field[0] + (self.field[1] - self.field[0])
                         * (c - c0) / (c1 - c0), f)
            e = np.where(outside, np.hypot(e0 * (c1 - c), e1 * (c - c0)) / (c1 - c0), e)
        elif outside.any():
            coef, cov = np.polyfit(self.current, self.field, 1, cov=True)
            f = np.where(outside, np.polyval(coef, c), f)
            ex = np.sqrt(cov[0, 0] * c ** 2 + 2 * cov[0, 1] * c + cov[1, 1])
            e = np.where(outside, np.hypot(ex, np.max(self.field_stderr)), e)
        return f, e, outside


def _is_plain_csv(p: Path) -> bool:
    """Whether the calibration file is a comma CSV without a preamble (read by pandas as it
    is), not another layout (:mod:`sotfit.io.hall.dialect`)."""
    head = _head_lines(p)
    dialect = _sniff(head)
    return dialect is None or dialect.plain and _numbers_below(head, dialect.header)


def read_magnet_calibration(path, current_unit: str | None = None,
                            field_unit: str | None = None) -> MagnetCalibration:
    """Read a magnet calibration table: first column magnet current, then one or more trials.

    Parameters
    ----------
    path : path-like
        A table as the Hall reader reads it (comma, tab, semicolon or blank separated,
        decimal commas, a preamble of comments and entries; :mod:`sotfit.io.hall.dialect`).
        Units from the headers (``'current (A)'``, ``'trial1 (mT)'``) or from the
        arguments when the headers carry none.
    current_unit, field_unit : str, optional
        Units to use when the headers have none (e.g. 'A' and 'mT').

    Returns
    -------
    MagnetCalibration
    """
    p = Path(path)
    if p.is_dir():
        raise HallReadError(f"{p}: a folder, not a calibration file: give the table of magnet "
                            "current against field in it by name")
    if not p.is_file():
        raise HallReadError(f"{p}: no such calibration file")
    df = _read_csv(p) if _is_plain_csv(p) else _read_table(p)[0]
    if df.shape[1] < 2:
        raise HallReadError(f"{p}: a calibration needs a current column and at least one field column")
    try:
        heads = [split_header(str(c)) for c in df.columns]
    except UnitError as exc:
        raise HallReadError(f"{p}: {exc}") from None
    cu = heads[0][1] or (normalise_unit(current_unit) if current_unit else None)
    if cu is None:
        raise HallReadError(f"{p}: column {df.columns[0]!r} has no unit; give the units of the "
                            "table (--calibration-units A,mT on the command line; Python: "
                            "current_unit='A', field_unit='mT')")
    if heads[0][1] and current_unit and normalise_unit(current_unit) != heads[0][1]:
        raise HallReadError(f"{p}: column {df.columns[0]!r} says {heads[0][1]} but current_unit={current_unit!r}")
    fus = set()
    for c, (_, u) in zip(df.columns[1:], heads[1:]):
        uu = u or (normalise_unit(field_unit) if field_unit else None)
        if uu is None:
            raise HallReadError(f"{p}: column {c!r} has no unit; give the units of the table "
                                "(--calibration-units A,mT on the command line; Python: "
                                "current_unit='A', field_unit='mT')")
        fus.add(uu)
    if len(fus) != 1:
        raise HallReadError(f"{p}: field columns have different units {sorted(fus)}")
    token = _LINES.set(df.attrs.get("lines"))     # messages name the file's lines of the rows
    try:
        vals = np.column_stack([_numeric(df, c, p) for c in df.columns])
        if not np.all(np.isfinite(vals)):
            r, c = np.argwhere(~np.isfinite(vals))[0]
            raise HallReadError(f"{p}: non-finite value in column {df.columns[c]!r} at "
                                f"{_rows([r])}")
        current = to_house(vals[:, 0], cu, "current")[0] / 1e3  # mA -> A
        fields = to_house(vals[:, 1:], fus.pop(), "field")[0]
        _check_one_field_per_current(p, df.columns, current, fields)
    finally:
        _LINES.reset(token)
    current, mean, err = _one_point_per_current(current, fields)
    return MagnetCalibration(current, mean, err, str(p))


def _row_means(fields):
    """The mean field of every row over its columns (repeated measurements) and its standard
    error (0 for one column)."""
    n = fields.shape[1]
    mean = fields.mean(axis=1)
    err = fields.std(axis=1, ddof=1) / math.sqrt(n) if n > 1 else np.zeros_like(mean)
    return mean, err


def _agreeing(means, errs, span: float) -> bool:
    """Whether the mean fields of the rows of one current agree: within twice their
    standard errors and 0.1 % of the table's range ``span`` (the tolerance of a field that
    turns back, :func:`_check_one_field_per_current`)."""
    k_lo, k_hi = int(np.argmin(means)), int(np.argmax(means))
    allowed = max(2 * math.hypot(errs[k_lo], errs[k_hi]), 1e-3 * span)
    return float(means[k_hi] - means[k_lo]) <= allowed


def _one_point_per_current(current, fields):
    """Currents (A, sorted, each once), mean fields (T) and their standard errors (T).

    The fields of a current written on several rows whose means agree
    (:func:`_check_one_field_per_current` refuses the others) are the repeated measurements of
    that current: their mean, with the standard error of the mean of all its values."""
    order = np.argsort(current, kind="stable")
    c, f = current[order], fields[order]
    cur, mean, err = [], [], []
    for value in np.unique(c):
        cells = f[c == value].ravel()
        cur.append(value)
        mean.append(cells.mean())
        err.append(cells.std(ddof=1) / math.sqrt(cells.size) if cells.size > 1 else 0.0)
    return np.array(cur), np.array(mean), np.array(err)


def _check_one_field_per_current(p, columns, current, fields):
    """Refuse a table that does not give one field for each magnet current.

    A magnet current written on two rows (the up and down branches of a hysteresis loop, or
    trials written one below the other) has no single field to interpolate; a field that turns
    back as the current grows (a loop written as one sweep, or a mistyped value) makes the
    interpolation between neighbours cross the turn. Both were read without a word (the rows
    sorted together), giving fields between the branches. Trials belong side by side as
    columns (their mean and its standard error are taken); rows of one current whose mean
    fields agree within the tolerance of a turn (a bipolar table of two halves, each with
    0 A) are its repeated measurements (:func:`_one_point_per_current`).

    Parameters
    ----------
    p : Path
        The calibration file (for the message).
    columns : sequence of str
        Its column names (the first is the current).
    current : ndarray, shape (n,)
        Magnet currents in A, in the file's row order.
    fields : ndarray, shape (n, trials)
        Fields in T.

    Raises
    ------
    HallReadError
        Fewer than two currents, a current on two rows whose mean fields differ by more than
        twice their standard errors and 0.1 % of the table's range, or a mean field that turns
        back by as much.
    """
    if len(current) < 2:
        raise HallReadError(f"{p}: a calibration needs at least two magnet currents "
                            f"(found {len(current)} row)")
    if np.unique(current).size < 2:
        raise HallReadError(f"{p}: a calibration needs at least two magnet currents "
                            f"(found {np.unique(current).size})")
    rows_mean, rows_err = _row_means(fields)
    span = float(np.ptp(rows_mean))
    differing = [value for value in np.unique(current)
                 if np.sum(current == value) > 1
                 and not _agreeing(rows_mean[current == value], rows_err[current == value], span)]
    if differing:
        rows = np.flatnonzero(current == differing[0])
        raise HallReadError(
            f"{p}: magnet current {differing[0]:g} A is written on "
            f"{ {2: 'two', 3: 'three'}.get(rows.size, rows.size)} rows ({_rows(rows.tolist())})"
            f"{' and more' if len(differing) > 1 else ''} of fields that differ ("
            + ", ".join(f"{rows_mean[r] * 1e3:g}" for r in rows)
            + " mT): a calibration gives one field per current; put repeated measurements side "
            "by side as columns (their mean is taken; rows of one current whose fields agree are "
            "taken so), and give one branch of a hysteresis loop (the one the data were taken "
            "on)")
    c, mean, err = _one_point_per_current(current, fields)
    order = np.array([int(np.flatnonzero(current == value)[0]) for value in c])
    step = np.diff(mean)
    rising = np.sum(step > 0) >= np.sum(step < 0)
    # a dip within twice the two means' standard errors, or under 0.1 % of the table's range
    # (a gaussmeter's last digit at a saturating magnet), is no turn
    allowed = np.maximum(2 * np.hypot(err[1:], err[:-1]), 1e-3 * np.ptp(mean))
    back = np.flatnonzero((-step if rising else step) > allowed)
    if back.size:
        k = back[0]
        rows = sorted([int(order[k]), int(order[k + 1])])
        col = columns[1] if fields.shape[1] == 1 else "the mean of the field columns"
        raise HallReadError(
            f"{p}: the field ({col}) turns back between magnet currents {c[k]:g} and "
            f"{c[k + 1]:g} A ({_rows(rows)}: {mean[k] * 1e3:g} then {mean[k + 1] * 1e3:g} mT, "
            f"against the table's {'rise' if rising else 'fall'}): a magnet's field follows its "
            "current one way; check those rows, or give one branch of a hysteresis loop")


def calibrated_fields(calibration, currents_a, extrapolate: bool, where: str):
    """``calibration(currents_a, extrapolate)`` with the data file and column that gave the
    currents (``where``) named in its error (the error named the calibration table alone)."""
    try:
        return calibration(currents_a, extrapolate)
    except HallReadError as exc:
        raise HallReadError(f"{where}: {exc}") from None


def _extrapolation_option() -> str:
    """The option that allows extrapolation, as the caller spells it."""
    from .options import _STYLE

    return ("--extrapolate-calibration" if _STYLE.get() == "cli"
            else "extrapolate_calibration=True")
