"""First- and second-harmonic files paired, and the scans built from the traces."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ...data import Dataset
from .layouts import _Trace
from .loops import _split_loops
from .options import _col_opt
from .scan import HallReadError, HallScan


#: The harmonic a file's name gives: ``1f``/``2f``, ``1w``, ``2omega``, or ``harm1``,
#: ``harmonic_2``.
_FILE_HARM_RE = re.compile(r"(?<![0-9a-z])(?:(?P<pre>[rvxy])?_?(?P<h>[12])(?P<unit>f|w|omega|ω)"
                           r"(?![a-z])|(?P<word>harm|harmonic)_?(?P<n>[12])(?![0-9a-z]))", re.I)


def _file_key(path: Path) -> str:
    """The name of a file with its harmonic replaced by ``#``: files of one key pair."""
    return _FILE_HARM_RE.sub(lambda m: f"{m['pre'] or ''}#{m['unit']}" if m["h"]
                             else f"{m['word']}#", path.name.lower())


def file_harmonic(path) -> int | None:
    """The harmonic (1 or 2) that a file's name gives (``phi_5mT_2f.csv``, ``rot_harm1.dat``),
    or None (none, or both)."""
    found = {int(m["h"] or m["n"]) for m in _FILE_HARM_RE.finditer(Path(path).name)}
    return found.pop() if len(found) == 1 else None


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
        notes = list(a.notes) + list(b.notes) + [f"first harmonic from {p1.name} (paired with {p2.name} by {how}), "
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
            bits.append(f"m_z {meta['mz_state']:+d}" if meta["mz_state"] else "m_z unknown")
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
