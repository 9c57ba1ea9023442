"""Field sweeps of an ST-FMR file: read-back noise, jitter, reversals and segments, and the
Dataset of one sweep (docs/io.md, "Sweep checks").

The field may jump between the two polarity branches, but within one branch it must move one
way. A step back by no more than :data:`JITTER_SIGMAS` times the read-back noise of the field,
after which the sweep goes on, is jitter of a measured field and is sorted; a sweep that
reverses beyond that is more than one sweep.
"""

from __future__ import annotations

import numpy as np

from ... import units as _units
from ...data import DataError, Dataset
from .options import _opt


__all__ = [
    "MIN_POINTS",
    "JITTER_SIGMAS",
]


#: Fewest points one spectrum may have.
MIN_POINTS = 3


#: A step back of the field by at most this many read-back standard deviations is jitter.
JITTER_SIGMAS = 5.0


#: A step back that lasts to the end of a branch is jitter only if it spans at most this
#: many points (a sweep that turns round at its end is a reversal however small).
JITTER_TAIL_POINTS = 3


#: Fewest second differences of the field from which its read-back noise is estimated;
#: with fewer, the noise is taken as zero and every step back is a reversal.
NOISE_MIN_SAMPLES = 10


def _median(a: np.ndarray):
    """``numpy.median`` of a non-empty 1-D array of finite floats, the same bits in fewer
    steps: the mean of the middle element or of the two middle ones, summed from zero as
    numpy sums (so that a median of ``-0.0`` is ``0.0``, as numpy gives it)."""
    h = a.size // 2
    if a.size % 2:
        return (0.0 + np.partition(a, h)[h]) / 1.0
    part = np.partition(a, (h - 1, h))
    return ((0.0 + part[h - 1]) + part[h]) / 2.0


def _strictly_monotonic(field: np.ndarray) -> bool:
    """Whether every step of ``field`` (at least two points) goes the same way, none zero:
    such a sweep has no step back, no repeated value and no second segment."""
    if field.size < 2:
        return False
    steps = np.diff(field)
    return bool((steps > 0).all() or (steps < 0).all())


def _readback_noise(field: np.ndarray, strict: bool | None = None) -> float:
    """Robust standard deviation of the field read-back about a smooth sweep (file unit).

    From the median absolute deviation of the second differences
    h[i+2] - 2 h[i+1] + h[i] inside one polarity branch (their standard deviation is
    sqrt(6) times that of the read-back for independent noise), leaving out every point
    next to a step against the branch's main direction (the reversals to be judged).
    Zero when fewer than :data:`NOISE_MIN_SAMPLES` differences remain: a short sweep gives
    no estimate, and every step back in it is a reversal. ``strict`` is
    :func:`_strictly_monotonic` of ``field`` when the caller knows it.
    """
    n = field.size
    if n < 3:
        return 0.0
    pol = np.sign(field)
    steps = np.diff(field)
    inside = pol[1:] == pol[:-1]
    near_back = np.zeros(n, dtype=bool)
    # In a strictly monotonic sweep every step goes the main way: none is a step back.
    if strict is None:
        strict = _strictly_monotonic(field)
    for p in () if strict else (-1.0, 1.0):
        m = inside & (pol[1:] == p)
        if m.any():
            main = np.sign(_median(steps[m]))
            back = m & (np.sign(steps) == -main) & (main != 0)
            near_back[:-1] |= back
            near_back[1:] |= back
    ok = inside[:-1] & inside[1:] & ~(near_back[:-2] | near_back[1:-1] | near_back[2:])
    d2 = np.diff(steps)[ok]
    if d2.size < NOISE_MIN_SAMPLES:
        return 0.0
    return float(1.4826 * _median(np.abs(d2 - _median(d2))) / np.sqrt(6.0))


def _direction(h: np.ndarray, tol: float) -> int:
    """+1 (up), -1 (down) or 0: the sign of the first move away from ``h[0]`` by more than
    ``tol``, else of ``h[-1] - h[0]``."""
    away = np.flatnonzero(np.abs(h - h[0]) > tol)
    if away.size:
        return int(np.sign(h[away[0]] - h[0]))
    return int(np.sign(h[-1] - h[0]))


def _steps_back(g: np.ndarray):
    """Runs of points of an increasing sweep ``g`` below the maximum reached before them.

    Returns
    -------
    starts, stops : numpy.ndarray
        Index ranges of the runs.
    depth : numpy.ndarray
        How far below that maximum each run goes.
    """
    runmax = np.maximum.accumulate(g)
    behind = g < runmax
    if not behind.any():
        empty = np.empty(0, dtype=int)
        return empty, empty, np.empty(0)
    edges = np.diff(np.concatenate([[0], behind.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    depth = np.maximum.reduceat(runmax - g, starts)
    return starts, stops, depth


def _first_reversal(h: np.ndarray, tol: float):
    """(index, direction) of the first real reversal of one polarity run ``h`` (file
    order), index ``None`` if there is none.

    A step back is jitter when it goes no deeper than ``tol`` below the furthest point
    reached and the sweep then passes that point again (or the step back is at most
    :data:`JITTER_TAIL_POINTS` points at the end of the run). With ``tol = 0`` every step
    back is a reversal. The run is examined in growing windows, so that a file with many
    reversals costs no more than one pass.
    """
    n = h.size
    w = min(n, 256)
    while True:
        part = h[:w]
        complete = w == n
        away = np.flatnonzero(np.abs(part - part[0]) > tol)
        sign = int(np.sign(part[away[0]] - part[0])) if away.size else (
            int(np.sign(part[-1] - part[0])) if complete else 0)
        if sign:
            starts, stops, depth = _steps_back(part * sign)
            real = depth > tol
            if complete and stops.size and stops[-1] == n \
                    and stops[-1] - starts[-1] > JITTER_TAIL_POINTS:
                real[-1] = True
            if real.any():
                return int(starts[np.flatnonzero(real)[0]]), sign
        if complete:
            return None, sign
        w = min(n, 4 * w)


def _segments(field: np.ndarray, tol: float = 0.0, strict: bool | None = None):
    """Split a sweep (file order) into monotonic segments.

    Parameters
    ----------
    field : numpy.ndarray
        The field in the file's unit and order.
    tol : float
        Jitter allowed (same unit): steps back by at most ``tol`` are not reversals,
        and points with ``|field| <= tol`` count as zero field.
    strict : bool, optional
        :func:`_strictly_monotonic` of ``field``, when the caller knows it.

    Returns
    -------
    segments : list of (start, stop, branch, problem)
        ``branch`` holds +1/-1 per point (zero-field points join the branch
        they are measured in); ``problem`` describes why the next segment
        starts (``None`` for the last).
    """
    n = field.size
    big = np.abs(field) > tol
    idx = np.arange(n)
    # polarity of the last point beyond tol at or before each point (0 before the first)
    last_big = np.maximum.accumulate(np.where(big, idx, -1))
    pol = np.where(last_big >= 0, np.sign(field[np.maximum(last_big, 0)]), 0).astype(int)
    if _strictly_monotonic(field) if strict is None else strict:
        # one segment: the loop below would find no problem
        first_big = np.flatnonzero(big)
        j0 = int(first_big[0]) if first_big.size else n
        if j0 == n:
            return [(0, n, np.ones(n, dtype=int), None)]
        branch = pol.copy()
        branch[:j0] = pol[j0]
        return [(0, n, branch, None)]
    next_big = np.minimum.accumulate(np.where(big, idx, n)[::-1])[::-1]
    bounds = np.concatenate([np.flatnonzero(pol[1:] != pol[:-1]) + 1, [n]])

    def run_end(i: int) -> int:
        return int(bounds[np.searchsorted(bounds, i, side="right")])

    segs = []
    start = 0
    while start < n:
        j0 = int(next_big[start])
        if j0 == n:  # only zero field from here on
            segs.append((start, n, np.ones(n - start, dtype=int), None))
            break
        first = int(pol[j0])
        seen: set[int] = set()
        a, stop, problem = start, n, None
        while a < n:
            p = first if a == start else int(pol[a])
            b = run_end(j0 if a == start else a)
            if p in seen:
                stop = a
                problem = (f"comes back to the {'positive' if p > 0 else 'negative'} "
                           "field branch after leaving it")
                break
            seen.add(p)
            r, sign = _first_reversal(field[a:b], tol)
            if r is not None:
                stop = a + r
                if r >= 2 and abs(field[stop - 1] - field[stop - 2]) <= tol:
                    # the turning field written twice, at the end of one sweep and the start of
                    # the next: one to each (both in the first were a repeated field value)
                    stop -= 1
                problem = (f"reverses direction (was going {'up' if sign > 0 else 'down'}) "
                           f"inside the {'positive' if p > 0 else 'negative'} field branch")
                break
            a = b
        branch = pol[start:stop].copy()
        branch[: j0 - start] = first  # leading zero-field points join the first branch
        segs.append((start, stop, branch, problem))
        start = stop
    return segs


def _branch_direction(field: np.ndarray, branch: np.ndarray, pol: int,
                      tol: float = 0.0) -> str | None:
    """The sweep direction (``'up'``, ``'down'``) of the points of one polarity, or None."""
    v = field[branch == pol]
    d = _direction(v, tol) if v.size > 1 else 0
    if d == 0:
        return None
    return "up" if d > 0 else "down"


def _branch_steps_back(field: np.ndarray, branch: np.ndarray, tol: float):
    """For each polarity branch of ``field`` (``branch`` its -1/+1 labels) that has a sweep
    direction: its fields and the (starts, stops, depths) of its steps back
    (:func:`_steps_back`, file unit)."""
    for pol in (-1, 1):
        v = field[branch == pol]
        if v.size < 2:
            continue
        sign = _direction(v, tol)
        if sign:
            yield v, *_steps_back(v * sign)


def _jitter(field: np.ndarray, branch: np.ndarray, tol: float) -> tuple[int, float]:
    """(points behind the sweep, deepest step back) in one segment, file unit."""
    count, deepest = 0, 0.0
    for _, starts, stops, depth in _branch_steps_back(field, branch, tol):
        count += int(np.sum(stops - starts))
        deepest = max([deepest, *depth.tolist()])
    return count, deepest


#: A step back beyond the jitter allowed still reads as jitter of one sweep (for the advice of
#: the error, never to read the file so) when it lasts at most this many points before the
#: sweep passes its turning field again ...
JITTERY_RUN_POINTS = 10

#: ... and goes back by at most this fraction of the span of its branch.
JITTERY_SPAN_FRACTION = 0.05


def _jittery_sweep(field: np.ndarray, segs: list, tol: float):
    """Whether the several sweeps ``_segments`` found in ``field`` (file order; ``tol`` the
    jitter it allowed, the same unit) are one sweep
    whose read-back jitters beyond the allowed noise: every new sweep starts at a reversal
    inside a branch (none comes back to a branch it has left), and in each branch every step
    back behind the furthest field reached lasts at most :data:`JITTERY_RUN_POINTS` points,
    goes back by at most :data:`JITTERY_SPAN_FRACTION` of the branch's span, and the sweep
    then passes that field again (or the step back is at most :data:`JITTER_TAIL_POINTS` points
    at the branch's end). An up-and-down sweep never passes its turning field again; two sweeps
    one after the other go back by their whole span.

    Returns
    -------
    (int, float) or None
        The longest step back (points) and the deepest (file unit), or None when the sweeps
        are not so.
    """
    if any(p is not None and not p.startswith("reverses") for *_, p in segs):
        return None
    branch = np.concatenate([b for _, _, b, _ in segs])
    longest, deepest = 0, 0.0
    for v, starts, stops, depth in _branch_steps_back(field, branch, tol):
        runs = stops - starts
        ends = stops == v.size
        if np.any(runs[~ends] > JITTERY_RUN_POINTS) or np.any(runs[ends] > JITTER_TAIL_POINTS) \
                or np.any(depth > JITTERY_SPAN_FRACTION * np.ptp(v)):
            return None
        if runs.size:
            longest, deepest = max(longest, int(runs.max())), max(deepest, float(depth.max()))
    return longest, deepest


def _merge_duplicates(table, rows, branch, raw, x, y, label, allow_duplicates, f_unit,
                      field_label):
    """Exactly repeated field values inside one polarity branch: an error, or with
    ``allow_duplicates`` one point of their mean V_mix. Returns (x, y, raw, branch, merged)."""
    averaged = 0
    keep = np.ones(x.size, dtype=bool)
    y = y.copy()
    for pol in (-1, 1):
        idx = np.flatnonzero(branch == pol)
        if idx.size < 2:
            continue
        vals, inverse, counts = np.unique(raw[idx], return_inverse=True, return_counts=True)
        if np.all(counts == 1):
            continue
        if not allow_duplicates:
            j = int(np.flatnonzero(counts > 1)[0])
            lines = table.lines[rows[idx[inverse == j]]].tolist()
            raise DataError(
                f"{label}: field value {vals[j]:g} {f_unit} appears "
                f"{int(counts[j])} times in the {'positive' if pol > 0 else 'negative'} branch "
                f"(lines {lines}); {int(np.sum(counts > 1))} value(s) are repeated in "
                f"{field_label}. sotfit does not merge them silently: pass "
                f"{_opt('allow_duplicates')} to average them"
            )
        for j in np.flatnonzero(counts > 1):
            members = idx[inverse == j]
            y[members[0]] = y[members].mean()
            keep[members[1:]] = False
            averaged += members.size - 1
    return x[keep], y[keep], raw[keep], branch[keep], averaged


def _directions(raw, branch, tol, strict):
    """(per-branch sweep directions for meta, overall direction) of one segment.

    In a strictly monotonic segment every branch of two or more points goes the way of the
    whole, so the directions follow from the point counts alone.
    """
    dirs = {}
    for pol, key in ((1, "sweep_direction_positive"), (-1, "sweep_direction_negative")):
        if strict:
            if np.count_nonzero(branch == pol) > 1:
                dirs[key] = "up" if raw[-1] > raw[0] else "down"
        elif np.any(branch == pol):
            d = _branch_direction(raw, branch, pol, tol)
            if d is not None:
                dirs[key] = d
    distinct = set(dirs.values())
    if len(distinct) == 1:
        direction = distinct.pop()
    elif distinct:
        direction = "mixed"
    else:  # one point per branch: the order across the jump decides
        direction = "up" if raw[-1] > raw[0] else "down"
    return dirs, direction


def _make_dataset(table, rows, branch, raw, x, y, label, allow_duplicates, meta, header_meta,
                  tol=0.0, noise=0.0, notes=(), field_label="the field column", strict=None):
    """The Dataset of one monotonic sweep: duplicated field values averaged or refused, a
    jittering read-back sorted, the directions and notes recorded in ``meta`` (``strict``:
    :func:`_strictly_monotonic` of ``raw``, when the caller knows it)."""
    if x.size < MIN_POINTS:
        raise DataError(f"{label}: only {x.size} data point(s); a spectrum needs at least "
                        f"{MIN_POINTS} points of a field sweep")
    notes = list(notes)
    f_unit = meta["field_unit_in_file"]
    if strict is None:
        strict = _strictly_monotonic(raw)  # no step back, no repeated value
    jitter, deepest = _jitter(raw, branch, tol) if tol > 0 and not strict else (0, 0.0)
    averaged = 0
    if not strict:
        x, y, raw, branch, averaged = _merge_duplicates(
            table, rows, branch, raw, x, y, label, allow_duplicates, f_unit, field_label)
    if x.size < MIN_POINTS:
        raise DataError(f"{label}: only {x.size} distinct field value(s); a spectrum needs at "
                        f"least {MIN_POINTS}")
    dirs, direction = _directions(raw, branch, tol, strict)
    order = np.argsort(x, kind="stable")
    full_meta = dict(header_meta)
    full_meta.update(meta)
    full_meta.update(dirs)
    full_meta["sweep_direction"] = direction
    full_meta["n_points"] = int(x.size)
    if averaged:
        full_meta["averaged_duplicates"] = averaged
    if jitter:
        to_t = float(_units.to_house(1.0, f_unit, "field")[0])
        full_meta.update(field_jitter_points=jitter, field_jitter_max=deepest * to_t,
                         field_readback_noise=noise * to_t)
        notes.append(
            f"the field read-back jitters: {jitter} point(s) behind the sweep by at most "
            f"{deepest:.3g} {f_unit} (read-back noise {noise:.3g} {f_unit}); sorted as one "
            f"sweep (a step back beyond {JITTER_SIGMAS:g} times the noise would be a new sweep)")
    if notes:
        full_meta["reader_notes"] = tuple(notes)
    return Dataset(x[order], y[order], x_name="field", y_name="vmix", x_unit="T", y_unit="uV",
                   meta=full_meta)
