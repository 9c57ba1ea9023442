"""Read-back columns that jitter: the rows of one set value (a synthesizer's frequency, a
gaussmeter's field) grouped into clusters, each row given its cluster's mean.

:func:`cluster_readback` finds the set values as clusters of values that lie far closer
together than the clusters lie to each other. The ST-FMR reader groups a frequency column into
field sweeps with it (:mod:`sotfit.io.stfmr.frequency_groups`), the Hall reader a field column
into rotations (:mod:`sotfit.io.hall.groups`); each gives its own bounds and says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


__all__ = ["Clusters", "cluster_readback"]


@dataclass(frozen=True)
class Clusters:
    """The clusters of a read-back column.

    Attributes
    ----------
    row_value : numpy.ndarray
        The value of every row: the mean of its cluster.
    mean : numpy.ndarray
        The mean of each cluster, increasing.
    spread : numpy.ndarray
        Largest minus smallest value of each cluster.
    jitter : numpy.ndarray
        Largest distance of a value of each cluster from its mean.
    row_cluster : numpy.ndarray
        The index (into :attr:`mean`) of the cluster of every row.
    """

    row_value: np.ndarray
    mean: np.ndarray
    spread: np.ndarray
    jitter: np.ndarray
    row_cluster: np.ndarray


def cluster_readback(values: np.ndarray, max_relative_spread: float,
                     max_gap_fraction: float,
                     max_relative_step: float | None = None) -> Clusters | None:
    """Group the rows of a jittering read-back column into clusters.

    The distinct values, sorted, are cut wherever two neighbours differ by more than
    ``max_relative_step`` (by default ``max_relative_spread``) of their size; the pieces are the clusters if each holds values
    spread by less than ``max_relative_spread`` of its mean and by less than
    ``max_gap_fraction`` of the gap to each neighbouring cluster. The gap condition makes the
    cut unambiguous: every threshold between a cluster's spread and the gaps gives the same
    clusters, so values with even steps (spread and gaps alike) are never cut into clusters.

    Parameters
    ----------
    values : numpy.ndarray
        The value of every row, in file order (any unit).
    max_relative_spread : float
        Largest spread (max - min) of a cluster relative to its mean.
    max_gap_fraction : float
        Largest spread of a cluster as a fraction of the gap to a neighbouring cluster.
    max_relative_step : float, optional
        Largest difference of two neighbouring distinct values of a cluster relative to their
        size; ``max_relative_spread`` when not given. A smaller step than spread lets a
        cluster drift over its whole spread in small steps while two set values closer than
        that spread, each jittering in small steps, stay two clusters.

    Returns
    -------
    Clusters or None
        ``None`` when there is nothing to group (every distinct value a cluster of its own,
        as in an exact column) or when the values do not cluster.
    """
    distinct, inverse = np.unique(values, return_inverse=True)
    if distinct.size < 2:
        return None
    starts = _cluster_starts(distinct, max_relative_spread if max_relative_step is None
                             else max_relative_step)
    if starts.size == distinct.size:
        return None
    lo, hi = distinct[starts], distinct[np.r_[starts[1:], distinct.size] - 1]
    row_cluster = (np.searchsorted(starts, np.arange(distinct.size), side="right") - 1)[
        inverse.ravel()]
    counts = np.bincount(row_cluster)
    # the mean from the lowest value, so that a cluster of one value keeps it to the bit
    mean = lo + np.bincount(row_cluster, weights=values - lo[row_cluster]) / counts
    spread = hi - lo
    if not _separate(lo, hi, mean, max_relative_spread, max_gap_fraction):
        return None
    jitter = np.maximum(mean - lo, hi - mean)
    return Clusters(mean[row_cluster], mean, spread, jitter, row_cluster)


def _cluster_starts(values: np.ndarray, max_relative_spread: float) -> np.ndarray:
    """Indices into sorted distinct ``values`` where a cluster begins: the first, and every
    value more than ``max_relative_spread`` of itself above the one before."""
    scale = np.maximum(np.abs(values[:-1]), np.abs(values[1:]))
    return np.r_[0, np.flatnonzero(np.diff(values) > max_relative_spread * scale) + 1]


def _separate(lo: np.ndarray, hi: np.ndarray, mean: np.ndarray, max_relative_spread: float,
              max_gap_fraction: float) -> bool:
    """Whether clusters with lowest ``lo``, highest ``hi`` and mean ``mean`` values
    (increasing) are each narrow (spread below ``max_relative_spread`` of the mean) and far
    from their neighbours (spread below ``max_gap_fraction`` of each gap)."""
    spread = hi - lo
    if np.any(spread >= max_relative_spread * np.abs(mean)):
        return False
    gap = lo[1:] - hi[:-1]
    return bool(np.all(np.maximum(spread[1:], spread[:-1]) < max_gap_fraction * gap))
