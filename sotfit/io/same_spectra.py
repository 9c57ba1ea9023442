"""One measurement saved again in another form: tab-separated for comma-separated, the field
in Oe for mT, its numbers rounded to fewer digits. The bytes and the lines differ
(:mod:`sotfit.io.distinct_files` compares those), but the spectra as read (field in T, V_mix in
uV) agree point for point to the rounding of the coarser-written file, which independent
repeats, differing by their noise, never do. Such a pair counts one spectrum twice in every
mean and makes its standard errors about 1/sqrt(2) too small: the reader refuses it, naming
both files and the forms in which they differ.

Two spectra are the same measurement when they are at one frequency, have as many points,
declare the same conditions (:func:`same_conditions`: header entries, rf power, field angle),
and every field and every V_mix value of one lies within the rounding of the other
(:func:`rounding_tolerance`). Spectra are compared by a print of a few of their values
(:class:`SpectrumPrints`, grouped by frequency and length and sorted, so that 10^4 spectra are
not compared pair by pair), and only the pairs whose prints agree are compared point for
point.
"""

from __future__ import annotations

import functools
import os
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from ..data import DataError
from ..digits import decimal_step, significant_digits, significant_digits_rows, written_step
from ..neighbours import sorted_window_pairs
from .distinct_files import GIVE_ONCE

__all__ = ["SpectrumPrints", "check_distinct_spectra", "rounding_tolerance", "same_conditions",
           "same_values"]

#: Values of each column in a print, evenly spaced over the spectrum (its first and last
#: included); the largest |value| of each column is added to them.
PROBES = 32
#: Share of a print's values that must lie on a grid of digits for the print to be written with
#: them: below :data:`sotfit.digits.WRITTEN_FRACTION`, so that a print tells a grid as coarse
#: as the whole column's or coarser, and its comparison misses no pair the full one would find.
PRINT_FRACTION = 0.9
#: Slack beyond the rounding, relative to a column's largest |value|: the float rounding of a
#: unit conversion (a field written in Oe read in T).
RELATIVE_SLACK = 1e-9
#: Frequencies (GHz) equal to this many decimals are one frequency.
FREQUENCY_DECIMALS = 6


def rounding_tolerance(step_a, step_b, scale):
    """How far two values of one measurement written with the decimal steps ``step_a`` and
    ``step_b`` (:func:`sotfit.digits.written_step`) may lie apart: half of each step where the
    steps differ (each file rounded the same number), half the step where they agree (values
    of one grid agree exactly or differ by a whole step: one digit changed is another number),
    plus :data:`RELATIVE_SLACK` of ``scale``.

    Parameters
    ----------
    step_a, step_b : float or ndarray
        The written steps of the two columns, in their unit (0: written in full).
    scale : float or ndarray
        The columns' largest |value|, in that unit.

    Returns
    -------
    float or ndarray
        The tolerance, in that unit.
    """
    lo, hi = np.minimum(step_a, step_b), np.maximum(step_a, step_b)
    other = np.where(lo < hi * (1 - 1e-6), lo, 0.0)
    return (hi + other) / 2 + RELATIVE_SLACK * scale


def _scale(*columns) -> float:
    return max(float(np.max(np.abs(c))) for c in columns)


def same_values(xa, ya, xb, yb) -> bool:
    """Whether two spectra of as many points agree point for point in field and V_mix to the
    rounding of each column (:func:`rounding_tolerance` of the steps
    :func:`sotfit.digits.written_step` tells from all their values).

    Parameters
    ----------
    xa, ya, xb, yb : ndarray
        Field (T) and V_mix (uV) of the two spectra.
    """
    for a, b in ((xa, xb), (ya, yb)):
        tol = rounding_tolerance(written_step(a), written_step(b), _scale(a, b))
        if not np.all(np.abs(np.asarray(a) - np.asarray(b)) <= tol):
            return False
    return True


@dataclass
class SpectrumPrints:
    """A few values of many spectra (:data:`PROBES` of each column, and its largest |value|)
    and the rounding they were written with, to find the pairs that may be one measurement.

    Attributes
    ----------
    paths : list of str
        The file of each spectrum.
    frequency : ndarray
        GHz.
    n : ndarray of int
        Points of each spectrum.
    x, y : ndarray, shape (m, PROBES + 1)
        Field (T) and V_mix (uV) at the print's points, the largest |value| (positive) last.
    x_step, y_step : ndarray
        The decimal step each column is written with (T, uV; 0: in full), told from the print.
    """

    paths: list
    frequency: np.ndarray
    n: np.ndarray
    x: np.ndarray
    y: np.ndarray
    x_step: np.ndarray
    y_step: np.ndarray

    @classmethod
    def of(cls, datasets) -> SpectrumPrints:
        """The prints of ``datasets`` (spectra as :func:`sotfit.io.read_stfmr` reads them,
        before their polarities are joined: one file each)."""
        datasets = list(datasets)
        x, y = np.empty((len(datasets), PROBES + 1)), np.empty((len(datasets), PROBES + 1))
        for row, d in enumerate(datasets):
            _print_values(d, x[row], y[row])
        return cls([str(d.meta.get("path", d.source)) for d in datasets],
                   np.array([float(d.meta.get("frequency") or np.nan) for d in datasets]),
                   np.array([len(d.x) for d in datasets], int), x, y,
                   _print_steps(x), _print_steps(y))

    @classmethod
    def joined(cls, parts) -> SpectrumPrints:
        """The prints of several reads (chunks of files) as one."""
        parts = list(parts)
        if not parts:
            return cls.of([])
        return cls([p for part in parts for p in part.paths],
                   *(np.concatenate([getattr(part, k) for part in parts])
                     for k in ("frequency", "n", "x", "y", "x_step", "y_step")))

    def __len__(self) -> int:
        return len(self.paths)

    def candidate_pairs(self) -> list[tuple[int, int]]:
        """The pairs of spectra of different files that may be one measurement: at one
        frequency, of as many points, and every value of their prints within the rounding
        (:func:`rounding_tolerance`). Spectra are grouped by frequency and length and sorted by
        the mean of their printed V_mix, so that only neighbours are compared."""
        groups: dict = defaultdict(list)
        for i, (f, n) in enumerate(zip(np.round(self.frequency, FREQUENCY_DECIMALS), self.n)):
            groups[(f, n)].append(i)
        return [pair for members in groups.values() if len(members) > 1
                for pair in self._pairs_in(np.array(members))]

    def _pairs_in(self, idx: np.ndarray) -> list[tuple[int, int]]:
        """:meth:`candidate_pairs` among the spectra ``idx`` of one frequency and length."""
        x, y = self.x[idx, :PROBES], self.y[idx, :PROBES]
        sx = np.max(np.abs(self.x[idx]), axis=1)
        sy = np.max(np.abs(self.y[idx]), axis=1)
        reach = rounding_tolerance(self.y_step[idx], self.y_step[idx].max(),
                                   np.maximum(sy, sy.max()))
        out = []
        for a, rest in sorted_window_pairs(y.mean(axis=1), reach):
            ok = (np.all(np.abs(x[rest] - x[a]) <= rounding_tolerance(
                      self.x_step[idx][rest, None], self.x_step[idx][a],
                      np.maximum(sx[rest], sx[a])[:, None]), axis=1)
                  & np.all(np.abs(y[rest] - y[a]) <= rounding_tolerance(
                      self.y_step[idx][rest, None], self.y_step[idx][a],
                      np.maximum(sy[rest], sy[a])[:, None]), axis=1))
            out += [(int(min(idx[a], idx[b])), int(max(idx[a], idx[b]))) for b in rest[ok]
                    if self.paths[idx[a]] != self.paths[idx[b]]]
        return out


def _print_values(d, x_row: np.ndarray, y_row: np.ndarray) -> None:
    """Write the print of one spectrum into ``x_row`` and ``y_row``: its field (T) and V_mix
    (uV) at :data:`PROBES` evenly spaced points, each column's largest |value| last."""
    x, y = np.asarray(d.x, float), np.asarray(d.y, float)
    at = _probe_points(len(x))
    x_row[:PROBES], y_row[:PROBES] = x[at], y[at]
    x_row[PROBES], y_row[PROBES] = np.abs(x).max(), np.abs(y).max()


@functools.lru_cache(maxsize=64)
def _probe_points(n: int) -> np.ndarray:
    """The indices of the :data:`PROBES` evenly spaced points of a spectrum of ``n``."""
    return np.linspace(0, n - 1, PROBES).round().astype(int)


def _print_steps(values: np.ndarray) -> np.ndarray:
    """The decimal step (the prints' unit; 0: written in full) each row of prints is written
    with, at its largest |value| (:func:`sotfit.digits.significant_digits_rows`)."""
    digits = significant_digits_rows(values, PRINT_FRACTION)
    top = np.max(np.abs(values), axis=1) if values.size else np.zeros(0)
    return np.where(digits > 0, decimal_step(np.where(top > 0, top, 1.0), digits), 0.0)


def check_distinct_spectra(datasets, error: type[Exception] = DataError) -> None:
    """Refuse two spectra of different files that are one measurement (the same values to the
    rounding of the coarser-written file, :func:`same_values`), naming both files and how
    they differ.

    Parameters
    ----------
    datasets : sequence of Dataset
        Spectra as read (field in T, V_mix in uV, ``meta['path']`` their file), before their
        polarities are joined.
    error : exception class
        What to raise.
    """
    datasets = list(datasets)
    if len(datasets) < 2:
        return
    for i, j in SpectrumPrints.of(datasets).candidate_pairs():
        a, b = datasets[i], datasets[j]
        if same_conditions(a, b) and same_values(a.x, a.y, b.x, b.y):
            raise error(same_measurement_message(a, b))


#: Conditions a spectrum's file may declare beside its header entries: spectra that declare
#: different ones (another rf power, field angle) are told apart by them.
_DECLARED = ("power", "field_angle")


def same_conditions(a, b) -> bool:
    """Whether two spectra declare the same conditions: the same header entries (``key:
    value`` lines: a device, a bias, a date; one that only one file writes tells them apart
    too, as it does for files of the same lines, :mod:`sotfit.io.distinct_files`), rf power
    and field angle, and, for files of one folder, the same sample. Files that say they are
    different measurements are not taken for one, whatever their numbers.

    Parameters
    ----------
    a, b : Dataset
        Spectra as :func:`sotfit.io.read_stfmr` reads them (header entries in ``meta``).
    """
    from .stfmr.headers import _RESERVED

    def declared(d) -> dict:
        return {k: v for k, v in d.meta.items() if k not in _RESERVED or k in _DECLARED}

    folders = {os.path.dirname(os.path.abspath(str(d.meta.get("path", "")))) for d in (a, b)}
    return declared(a) == declared(b) and (len(folders) > 1
                                           or a.meta.get("sample") == b.meta.get("sample"))


def same_measurement_message(a, b) -> str:
    """What is said of two spectra ``a`` and ``b`` that are one measurement."""
    forms = _forms_differ(a, b)
    return (f"{a.meta.get('path', a.source)} and {b.meta.get('path', b.source)} hold the same "
            f"spectrum at {float(a.meta.get('frequency') or np.nan):g} GHz: every field and "
            "V_mix value agrees to the rounding of the coarser-written file, which independent "
            "repeats, differing by their noise, do not; one measurement saved twice"
            + (f" ({forms})" if forms else "") + "; " + GIVE_ONCE)


def _forms_differ(a, b) -> str:
    """How the files of two spectra write them differently: delimiter, units, digits."""
    said = []
    da, db = (_delimiter(d.meta.get("path")) for d in (a, b))
    if da != db:
        said.append(f"delimiter {da} and {db}")
    for key, what in (("field_unit_in_file", "field unit"),
                      ("voltage_unit_in_file", "V_mix unit")):
        ua, ub = a.meta.get(key), b.meta.get(key)
        if ua != ub:
            said.append(f"{what} {ua} and {ub}")
    for what, va, vb in (("field", a.x, b.x), ("V_mix", a.y, b.y)):
        ga, gb = significant_digits(va), significant_digits(vb)
        if ga != gb:
            said.append(f"{what} written with {ga or 'all'} and {gb or 'all'} significant "
                        "digits")
    return "saved in another form: " + ", ".join(said) if said else ""


def _delimiter(path) -> str:
    """The delimiter of a text file's last line as :mod:`sotfit.io.text` tells it (named),
    or ``'?'`` for a file that is not text."""
    from .text import _detect_delimiter

    try:
        with open(os.fspath(path), "rb") as fh:         # read-only
            fh.seek(max(0, os.stat(path).st_size - 4096))
            tail = fh.read().decode("utf-8", "replace")
    except (OSError, TypeError):
        return "?"
    lines = [ln for ln in tail.splitlines() if ln.strip()]
    if not lines or "\0" in tail:
        return "?"
    found = _detect_delimiter(lines[-1])
    return {"\t": "tab", "whitespace": "blanks", ",": "comma", ";": "semicolon"}.get(
        found, repr(found))
