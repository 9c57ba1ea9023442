"""How far a result computed on a quadrature grid moves when the grid is changed.

The theory commands integrate over angles on grids the user chooses (``theory kp --n-phi``,
``theory tmatrix --n-phi``, ``theory interface --model delta --n-theta/--n-phi``), and the
smallest grids accepted gave damping-like efficiencies 7-19 % off with no word. Each command
also computes its results on coarser grids and reports how far they move, as a fraction of each
quantity's largest magnitude (:func:`largest_change`):

* ``theory kp`` at T = 0: the change between ``n_phi`` and twice as many azimuths, flagged
  above :data:`GRID_TOLERANCE`;
* ``theory tmatrix`` and ``theory interface --model delta``: the error of the grid asked for,
  estimated from the changes over two halvings (:func:`estimated_error`), flagged above
  :data:`ESTIMATE_TOLERANCE`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["GRID_TOLERANCE", "ESTIMATE_TOLERANCE", "estimated_error", "estimate_entry",
           "grid_error", "largest_change"]


#: Largest change between the two grids, as a fraction of a quantity's largest magnitude on the
#: grid asked for, that leaves the results unflagged.
GRID_TOLERANCE = 1e-3

#: Largest estimated error (:func:`estimated_error`), as a fraction of a quantity's largest
#: magnitude, that leaves the results unflagged. The estimate takes the error to fall by a
#: constant factor per doubling, and overestimates the exponential convergence of smooth rings
#: 2-15 times (seed 002's Fig. 4a at 128 rays: 1.3 %, against 1024 rays 0.19 %): at 1 % the
#: documented examples were flagged.
ESTIMATE_TOLERANCE = 0.05


#: A quantity whose largest magnitude lies below this fraction of the largest of its siblings
#: (quantities of one unit, ``siblings`` of :func:`largest_change`) is zero but for rounding: its
#: changes are judged against that fraction of the siblings' scale. The first Born
#: approximation's tau_e, zero by construction (1e-16 of tau_o), were flagged "estimated error
#: 5.7e+03 %", and --strict exited 3 on rounding.
NUMERICAL_ZERO = 1e-12


def largest_change(results: dict, compared: dict, keys, siblings=(), atol: float = 0.0,
                   skip_zero: bool = False) -> tuple[float, str | None, tuple]:
    """The largest change of any of ``keys`` between two grids, each quantity against its own
    largest magnitude (at least :data:`NUMERICAL_ZERO` times that of its ``siblings``).

    Parameters
    ----------
    results, compared : dict of array_like
        The quantities on the grid asked for and on the compared grid (same shapes; NaN where a
        point has no value, ignored).
    keys : iterable of str
        The quantities compared (real or complex).
    siblings : iterable of iterable of str
        Groups of ``keys`` of one unit: a quantity far below the others of its group is judged
        against :data:`NUMERICAL_ZERO` times the group's largest magnitude.
    atol : float
        A magnitude (in the quantities' unit) below which a quantity is zero but for rounding:
        every change is judged against at least it (a result zero by symmetry in all its parts,
        the 2DEG without Rashba coupling, was "S changed by 39 %").
    skip_zero : bool
        Leave out a quantity below its siblings' floor on both grids (zero but for rounding on
        both: nothing converges), as :func:`grid_error` does.

    Returns
    -------
    (float, str or None, tuple)
        The change as a fraction (0 where nothing is compared), the quantity and the index of the
        point where it is largest (the leading index of a quantity with several components per
        point).
    """
    worst = (0.0, None, ())
    keys = tuple(keys)

    def magnitude(key):
        a = np.abs(np.asarray(results[key]))
        a = a[np.isfinite(a)]
        return float(a.max()) if a.size else 0.0

    floor = {k: NUMERICAL_ZERO * max(magnitude(g) for g in group)
             for group in siblings for k in group}
    for key in keys:
        a = np.asarray(results[key])
        b = np.asarray(compared[key])
        finite = np.isfinite(a) & np.isfinite(b)
        if not finite.any():
            continue
        zero = floor.get(key, 0.0)
        if skip_zero and zero > 0.0 and max(float(np.abs(a[finite]).max()),
                                            float(np.abs(b[finite]).max())) <= zero:
            # zero but for rounding on both grids: nothing to converge. Its rounding, judged
            # against the floor, changed by equal amounts between the grids, and the estimate
            # q/(1 - q) of q near 1 made it an error of 2.5e+03 % (the first Born
            # approximation's tau2_o, 2e-15 of tau1_o)
            continue
        scale = max(float(np.abs(a[finite]).max()), zero, atol)
        if scale == 0.0:
            continue
        change = np.where(finite, np.abs(a - b), 0.0) / scale
        k = np.unravel_index(int(np.argmax(change)), change.shape)
        if change[k] > worst[0]:
            worst = (float(change[k]), key, tuple(int(i) for i in k))
    return worst


def estimated_error(change_fine: float, change_coarse: float, of: str = "finest") -> float:
    """The error of a grid from the changes between three grids of ``n``, ``2n`` and ``4n``
    nodes, taking the error to fall by a constant factor ``q`` per doubling.

    Parameters
    ----------
    change_fine, change_coarse : float
        The changes (fractions, :func:`largest_change`) between the two finer grids and between
        the two coarser ones; ``q = change_fine / change_coarse``.
    of : {'finest', 'coarsest'}
        The grid whose error is estimated: the finest, ``change_fine q / (1 - q)``, or the
        coarsest, ``change_coarse / (1 - q)``.

    Returns
    -------
    float
        The estimated error (fraction). Where ``q >= 1`` (no convergence seen) the change of
        that grid's own doubling, plus the next for the coarsest.

    Notes
    -----
    Exact for an error falling by a constant factor per doubling (an integrand with a kink or a
    narrow feature); an overestimate for the exponential convergence of the periodic trapezoid
    rule on a smooth integrand, where the factor itself shrinks (T-matrix rings at a Fermi
    level near a band edge: 2.5e-2 between 64 and 128 rays, estimate 1.7e-3, error of 128 rays
    1.4e-4).
    """
    if of not in ("finest", "coarsest"):
        raise ValueError(f"of must be 'finest' or 'coarsest', not {of!r}")
    if change_fine <= 0.0:
        return float(change_coarse) if of == "coarsest" else 0.0
    if not change_coarse > change_fine:
        return float(change_fine if of == "finest" else change_fine + change_coarse)
    q = change_fine / change_coarse
    return float((change_fine * q if of == "finest" else change_coarse) / (1.0 - q))


def grid_error(results: dict, compute, n: int, minimum: int, keys, siblings=(),
               atol: float = 0.0) -> dict:
    """The estimated error of ``results``, computed on a grid of ``n`` nodes per direction.

    The results are computed again with half and a quarter of the nodes, or with twice and
    four times as many where a quarter is fewer than ``minimum``, and the error follows from
    the two changes (:func:`estimated_error`).

    Parameters
    ----------
    results : dict of array_like
        The quantities ``keys`` on the grid of ``n`` nodes.
    compute : callable
        ``compute(m)`` returns the same quantities on a grid of ``m`` nodes.
    n, minimum : int
        Nodes of the grid asked for and the fewest nodes ``compute`` takes.
    keys : iterable of str
    siblings : iterable of iterable of str
        Groups of ``keys`` of one unit (:func:`largest_change`); a quantity below their floor on
        both grids compared is zero but for rounding and left out: its rounding changed by
        equal amounts between the grids, and the estimate q/(1 - q) of a q near 1 made the first
        Born approximation's tau2_o (2e-15 of tau1_o) an error of 2.5e+03 %.
    atol : float
        Magnitude of a quantity that is zero but for rounding (:func:`largest_change`).

    Returns
    -------
    dict
        ``error`` (fraction of the largest magnitude of the worst quantity), ``quantity`` and
        ``where`` (index of the point; empty where nothing changed) of the largest change of
        the grid asked for, ``compared`` (the numbers of nodes computed besides ``n``).
    """
    keys = tuple(keys)
    if n // 4 >= minimum:
        half, quarter = compute(n // 2), compute(n // 4)
        fine, key, where = largest_change(results, half, keys, siblings, atol, True)
        error = estimated_error(
            fine, largest_change(half, quarter, keys, siblings, atol, True)[0], of="finest")
        compared = [n // 2, n // 4]
    else:
        double, quadruple = compute(2 * n), compute(4 * n)
        coarse, key, where = largest_change(results, double, keys, siblings, atol, True)
        error = estimated_error(
            largest_change(double, quadruple, keys, siblings, atol, True)[0], coarse,
            of="coarsest")
        compared = [2 * n, 4 * n]
    return {"error": error, "quantity": key, "where": where, "compared": compared}


def estimate_entry(error: float, quantity: str, grid: str, compared: str, where: str,
                   fix: str, **extra) -> dict:
    """The summary entry of an estimated grid error: ``value`` (fraction), its unit, ``extra``
    and, above :data:`ESTIMATE_TOLERANCE`, a flag naming the ``quantity``, the ``grid`` asked
    for, the grids ``compared``, ``where`` the change is largest and the ``fix``."""
    entry = {"value": error, "unit": "estimated error, fraction of the largest magnitude",
             **extra}
    if error > ESTIMATE_TOLERANCE:
        entry["flags"] = [f"{quantity} is not resolved by {grid}: estimated error "
                          f"{100 * error:.2g} % of its largest value (from {compared}; largest "
                          f"change at {where}); {fix}"]
    return entry
