"""Pairs of items whose keys lie within a reach of each other, found on the keys sorted (each
item against the items after it up to its reach: O(n log n) and the pairs, not all n^2 pairs).
The candidates of two backstops against one measurement counted twice take them from here:
spectra saved again in another form (:mod:`sotfit.io.same_spectra`) and repeats that gave the
same fit (:func:`sotfit.analysis.stfmr.spectra.compare_repeats`)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["sorted_window_pairs"]


def sorted_window_pairs(key, reach) -> Iterator[tuple[int, np.ndarray]]:
    """Each item with the items after it in the order of ``key`` whose key exceeds its own by
    at most its ``reach``.

    Parameters
    ----------
    key : array_like, shape (n,)
        One number per item (any unit).
    reach : float or array_like, shape (n,)
        How far above an item's key the keys of its candidates may lie (the unit of ``key``),
        one for all items or one per item.

    Yields
    ------
    a : int
        An item's index (into ``key``), in the order of ``key`` (ties in the order given).
    rest : ndarray of int
        The indices of its candidates, in the order of ``key``; items without any are not
        yielded.
    """
    key = np.asarray(key, float)
    order = np.argsort(key, kind="stable")
    ends = np.searchsorted(key[order], key[order] + np.broadcast_to(reach, key.shape)[order],
                           side="right")
    for k in np.flatnonzero(ends > np.arange(key.size) + 1):
        yield int(order[k]), order[k + 1:ends[k]]
