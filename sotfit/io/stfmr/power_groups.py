"""A power column read back from a power meter: rows of one sweep whose rf power jitters or
drifts by a fraction of a dB are one spectrum (docs/io.md, "Frequency and power").

A long table splits into spectra by the value of its power column, as by its frequency. A lab
that logs the power meter's reading at every point (15.0, 15.1, 14.9, 15.0 dBm ... for one
15 dBm sweep, or a source drifting from 15.00 to 14.80 dBm over the sweep) would have each
sweep cut into a spectrum per written value: interleaved "spectra" of every third point, or
pieces of a few points. :func:`group_powers` finds the set powers as clusters of the readings
(:func:`sotfit.io.readback.cluster_readback`, as :mod:`sotfit.io.stfmr.frequency_groups` does
for a frequency column); every row then takes its cluster's mean power. An exact column (one
value per sweep: 10, 13, 16 dBm) is left as it is, to the bit, and still splits the table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...data import DataError
from ..readback import cluster_readback
from .options import _opt
from .sweeps import MIN_POINTS


__all__ = [
    "MAX_SPREAD_DB",
    "MAX_STEP_DB",
    "MAX_GAP_FRACTION",
    "PowerGroups",
    "changes_within_sweeps",
    "group_powers",
    "unsplittable_power_error",
]


#: Largest spread (max - min) of the power readings of one sweep, in dB.
MAX_SPREAD_DB = 1.0


#: Largest step between two neighbouring distinct readings of one sweep (sorted), in dB.
MAX_STEP_DB = 0.25


#: Largest spread of a sweep's readings (mW) as a fraction of the gap to the next sweep's.
MAX_GAP_FRACTION = 0.5


def _relative(db: float) -> float:
    """The relative change of a power (in mW) that ``db`` decibels make."""
    return float(10.0 ** (db / 10.0) - 1.0)


@dataclass(frozen=True)
class PowerGroups:
    """The sweeps found in a power column that varies within each sweep.

    Attributes
    ----------
    row_power : numpy.ndarray
        The power (dBm) of every row: the mean power (in mW) of the rows of its sweep, in dBm.
    mean : numpy.ndarray
        The power (dBm) of each sweep, increasing.
    spread_db : numpy.ndarray
        Largest minus smallest reading (dB) of the rows of each sweep.
    """

    row_power: np.ndarray
    mean: np.ndarray
    spread_db: np.ndarray

    def meta(self, power: float) -> dict:
        """The dataset meta of the sweep at ``power`` (one of :attr:`mean`, dBm):
        ``power_spread`` in dB."""
        k = int(np.argmin(np.abs(self.mean - power)))
        return {"power_spread": float(self.spread_db[k])}

    def note(self, column: str) -> str:
        """The reader note that says how the rows of ``column`` (its label) were grouped."""
        shown = ", ".join(f"{p:.4g}" for p in self.mean[:6]) + (", ..." if self.mean.size > 6
                                                                 else "")
        return (f"power column {column} varies by up to {float(self.spread_db.max()):.3g} dB "
                f"within each sweep (a power meter's read-back): rows grouped into "
                f"{self.mean.size} power(s) ({shown} dBm), each the mean of its rows in mW")


#: Largest field step, in median steps of the sweep, across which a power change still lies
#: within one sweep (a sweep's restart jumps back by the whole range).
MAX_STEP_RATIO = 3.0


def changes_within_sweeps(power: np.ndarray, field: np.ndarray, frequency: np.ndarray) -> bool:
    """Whether a power column changes within the field sweeps (a read-back), not between them
    (a power set for each sweep: a power series at one frequency, or a power levelled per
    frequency).

    A change of the power between two neighbouring rows of one frequency lies within a sweep
    where the field goes on the same way across it: the steps before, at and after the change
    have one sign and at most :data:`MAX_STEP_RATIO` times the median step. A column is a
    read-back when at least half its changes lie so; set powers change where a sweep ends
    (the field turns or jumps back) or where the frequency changes. Set powers 0.2 dB apart
    (15.0, 15.2, 15.4 dBm per frequency, or a power series 10.0 ... 10.8 dBm) were merged into
    one mean power without it.

    Parameters
    ----------
    power, field, frequency : numpy.ndarray
        The power (dBm), field (any unit) and frequency (GHz) of every row, in file order.
    """
    p, x, f = (np.asarray(a, dtype=float) for a in (power, field, frequency))
    if p.size < 4:
        return False
    step = np.diff(x)
    typical = float(np.median(np.abs(step[step != 0]))) if np.any(step != 0) else 0.0
    change = np.flatnonzero((p[1:] != p[:-1]) & (f[1:] == f[:-1])) + 1     # row i vs i - 1
    change = change[(change >= 2) & (change <= p.size - 2)]
    if change.size == 0 or typical == 0.0:
        return False
    before, at, after = step[change - 2], step[change - 1], step[change]
    on = ((np.sign(before) == np.sign(at)) & (np.sign(at) == np.sign(after)) & (at != 0)
          & (np.abs(at) <= MAX_STEP_RATIO * typical))
    return bool(2 * np.count_nonzero(on) >= change.size)


def group_powers(power: np.ndarray) -> PowerGroups | None:
    """Group the rows of a power column read back at every point into sweeps.

    The readings are clustered in mW (:func:`sotfit.io.readback.cluster_readback`): sorted
    distinct readings are cut wherever two neighbours differ by more than
    :data:`MAX_STEP_DB`; the pieces are the sweeps if each spreads over less than
    :data:`MAX_SPREAD_DB` and less than :data:`MAX_GAP_FRACTION` of the gap to each
    neighbouring sweep's readings.

    Why these bounds: a power meter's reading jitters by hundredths to tenths of a dB and a
    source drifts by a few tenths over a sweep, in steps of the written resolution (0.001 to
    0.1 dB); a lab sets powers per sweep in steps of a dB or more (10, 13, 16 dBm). Readings
    within 1 dB in steps of at most 0.25 dB are one set power, whose spectrum's amplitude
    the fit takes as it was measured; set powers half a dB apart, each read back with a
    jitter well below that, are still two clusters. Powers with even steps (spread and gaps
    alike) are never cut into clusters.

    Parameters
    ----------
    power : numpy.ndarray
        The power (dBm) of every row, in file order.

    Returns
    -------
    PowerGroups or None
        The sweeps; ``None`` when there is nothing to group (every distinct value is a sweep
        of its own, as in an exact column) or when the values do not cluster.
    """
    mw = 10.0 ** (np.asarray(power, dtype=float) / 10.0)
    found = cluster_readback(mw, _relative(MAX_SPREAD_DB), MAX_GAP_FRACTION,
                             max_relative_step=_relative(MAX_STEP_DB))
    if found is None:
        return None
    lo = np.array([mw[found.row_cluster == k].min() for k in range(found.mean.size)])
    spread_db = 10.0 * np.log10((lo + found.spread) / lo)
    if np.any(spread_db >= MAX_SPREAD_DB):
        return None
    mean = 10.0 * np.log10(found.mean)
    return PowerGroups(mean[found.row_cluster], mean, spread_db)


def unsplittable_power_error(source: str, column: str, power: np.ndarray,
                             largest: int) -> DataError:
    """The error for a power column that gives several powers with too few rows for a
    spectrum: a reading that changes within the sweeps without clustering.

    Parameters
    ----------
    source : str
        The file (and column pair) the rows come from.
    column : str
        The label of the power column.
    power : numpy.ndarray
        Its values (dBm), one per row.
    largest : int
        The most rows that share one power.

    Returns
    -------
    DataError
        Naming the column, why it cannot split the table into field sweeps, and what to do.
    """
    distinct = np.unique(power)
    return DataError(
        f"{source}: the power column {column} changes within the field sweeps "
        f"({distinct.size} distinct values from {distinct[0]:.6g} to {distinct[-1]:.6g} dBm "
        f"in {power.size} rows, at most {largest} rows share one), so it cannot split the "
        f"table into field sweeps of at least {MIN_POINTS} points. Rows of one sweep are "
        f"grouped only when their readings cluster (within {MAX_SPREAD_DB:g} dB, in steps of "
        f"at most {MAX_STEP_DB:g} dB, well apart from the next sweep's): if the column is a "
        f"power meter's read-back, give the set power with {_opt('power')} (the column is "
        f"then not read), or round its values to the set powers"
    )
