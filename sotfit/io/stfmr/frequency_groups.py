"""A frequency column read back from the synthesizer: rows of one sweep whose frequency jitters
in its last digits are grouped into one spectrum (docs/io.md, "Frequency and power").

A long table splits into spectra by the value of its frequency column. When that column is a
read-back (9.9999998, 10.0000003, 10.0000001 GHz ... for one 10 GHz sweep) every row would be
a spectrum of its own. :func:`group_frequencies` finds the sweeps as clusters of values that
lie far closer together than the clusters lie to each other
(:func:`sotfit.io.readback.cluster_readback`); every row then takes its cluster's mean. An
exact column (one value per sweep) is left as it is, to the bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import units as _units
from ...data import DataError
from ..readback import cluster_readback
from .options import _opt
from .sweeps import MIN_POINTS


__all__ = [
    "MAX_RELATIVE_SPREAD",
    "MAX_GAP_FRACTION",
    "FrequencyGroups",
    "group_frequencies",
    "distinct_frequencies",
    "unsplittable_error",
]


#: Largest spread (max - min) of the frequencies of one sweep, relative to their mean.
MAX_RELATIVE_SPREAD = 1e-4


#: Largest spread of a sweep's frequencies as a fraction of the gap to the next sweep's.
MAX_GAP_FRACTION = 1e-2


def distinct_frequencies(frequencies) -> int:
    """How many frequencies the spectra's ``frequencies`` (GHz) are, those read back within
    :data:`MAX_RELATIVE_SPREAD` of each other one.

    Sorted, a frequency starts a new one where it lies more than :data:`MAX_RELATIVE_SPREAD`
    of itself above the first of the current one (6.4999997, 6.5000001 and 6.5000003 GHz, the
    read-backs of repeated 6.5 GHz sweeps, are one). Counted as distinct values, such repeats
    were two or more frequencies, and the Kittel and linewidth fits ran across a lever arm of
    1e-7 of the frequency (alpha 0.0140 +- 0.00002 for 0.010, from one frequency).

    Parameters
    ----------
    frequencies : iterable of float
        The spectra's frequencies (GHz).

    Returns
    -------
    int
    """
    values = sorted(float(f) for f in frequencies)
    count, first = 0, None
    for f in values:
        if first is None or f - first > MAX_RELATIVE_SPREAD * abs(f):
            count, first = count + 1, f
    return count


@dataclass(frozen=True)
class FrequencyGroups:
    """The sweeps found in a jittering frequency column.

    Attributes
    ----------
    row_frequency : numpy.ndarray
        The frequency (GHz) of every row: the mean of the rows of its sweep.
    mean : numpy.ndarray
        The frequency (GHz) of each sweep, increasing.
    spread : numpy.ndarray
        Largest minus smallest frequency (GHz) of the rows of each sweep.
    jitter : numpy.ndarray
        Largest distance (GHz) of a row's frequency from its sweep's mean.
    """

    row_frequency: np.ndarray
    mean: np.ndarray
    spread: np.ndarray
    jitter: np.ndarray

    def meta(self, frequency: float) -> dict:
        """The dataset meta of the sweep at ``frequency`` (one of :attr:`mean`, GHz):
        ``frequency_spread`` and ``frequency_jitter_max``, both in GHz."""
        k = int(np.searchsorted(self.mean, frequency))
        return {"frequency_spread": float(self.spread[k]),
                "frequency_jitter_max": float(self.jitter[k])}

    def note(self, column: str) -> str:
        """The reader note that says how the rows of ``column`` (its label) were grouped."""
        return (f"frequency column {column} jitters by up to "
                f"{_frequency_text(float(self.jitter.max()))} within each sweep; rows grouped "
                f"into {self.mean.size} frequencies, each the mean of its rows")


def group_frequencies(frequency: np.ndarray) -> FrequencyGroups | None:
    """Group the rows of a jittering frequency column into sweeps.

    The distinct values, sorted, are cut wherever two neighbours differ by more than
    :data:`MAX_RELATIVE_SPREAD` of the frequency; the pieces are the sweeps if each holds
    values spread by less than :data:`MAX_RELATIVE_SPREAD` of its mean and by less than
    :data:`MAX_GAP_FRACTION` of the gap to each neighbouring sweep.

    Why these bounds: a synthesizer's read-back jitters by parts in 10^7 to 10^6, far inside
    1e-4 (1 MHz at 10 GHz), while a frequency change of 1e-4 moves the resonance field by
    about 1e-4 of itself (tens of uT at 0.1 T), well below an ST-FMR linewidth and its fitted
    uncertainty: rows that close are one spectrum for every fit. The gap condition makes the
    cut unambiguous: every threshold between a sweep's spread and the gap to its neighbours
    gives the same sweeps, so a genuine frequency sweep with even steps (spread and gaps
    alike) is never cut into sweeps; only one whose whole span lies within 1e-4 becomes a
    single frequency, which is what every fit would see.

    Parameters
    ----------
    frequency : numpy.ndarray
        The frequency (GHz) of every row, in file order.

    Returns
    -------
    FrequencyGroups or None
        The sweeps; ``None`` when there is nothing to group (every distinct value is a
        sweep of its own, as in an exact column) or when the values do not cluster.
    """
    found = cluster_readback(frequency, MAX_RELATIVE_SPREAD, MAX_GAP_FRACTION)
    if found is None:
        return None
    return FrequencyGroups(found.row_value, found.mean, found.spread, found.jitter)


def _frequency_text(value: float) -> str:
    """A frequency difference given in GHz, written in Hz, kHz or MHz, whichever reads best
    (``'3 kHz'``)."""
    unit = next((u for u in ("MHz", "kHz") if value >= _units.to_house(1.0, u)[0]), "Hz")
    return f"{_units.from_house(value, unit):.3g} {unit}"


def unsplittable_error(source: str, column: str, frequency: np.ndarray,
                       largest: int, thin: int | None = None) -> DataError:
    """The error for a frequency column that changes on (nearly) every row, or gives ``thin``
    frequencies with too few rows for a spectrum.

    Parameters
    ----------
    source : str
        The file (and column pair) the rows come from.
    column : str
        The label of the frequency column.
    frequency : numpy.ndarray
        Its values (GHz), one per row.
    largest : int
        The most rows that share one frequency.
    thin : int, optional
        How many of its frequencies hold fewer than ``MIN_POINTS`` rows, when not all do.

    Returns
    -------
    DataError
        Naming the column, why it cannot split the table into field sweeps, and what to do.
    """
    distinct = np.unique(frequency)
    what = ("changes on (nearly) every row" if thin is None else
            f"gives {thin} frequencies with fewer than {MIN_POINTS} rows")
    return DataError(
        f"{source}: the frequency column {column} {what} "
        f"({distinct.size} distinct values from {distinct[0]:.9g} to {distinct[-1]:.9g} GHz "
        f"in {frequency.size} rows, at most {largest} rows share one), so it cannot split the "
        f"table into field sweeps of at least {MIN_POINTS} points. Rows of one sweep are "
        "grouped only when their values cluster (spread below "
        f"{MAX_RELATIVE_SPREAD:g} of the frequency and below {MAX_GAP_FRACTION:g} of the gap "
        "to the next sweep's): if the column is a jittering read-back of one set frequency "
        "per sweep, round its values to the set frequencies; if it is not the "
        f"frequency of the field sweeps, name the right column with {_opt('frequency_column')}; "
        f"for a file of one field sweep, leave the column out and pass {_opt('frequency')}"
    )
