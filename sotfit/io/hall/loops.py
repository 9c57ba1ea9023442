"""Hysteresis loops: switching jumps of R_1w and the m_z state of each branch."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .layouts import _Trace
from .options import _STYLE, _col_opt, _mz_opt, _opt
from .scan import HallReadError


#: A step of R_1w is a switching jump when it exceeds this fraction of the range of R_1w over
#: the block and SWITCH_MEDIAN times the median step of its sweep.
SWITCH_FRACTION = 0.25
SWITCH_MEDIAN = 10.0


def _switch(r, scale):
    """(j0, j1) when the run ``r`` jumps between the steps j0..j1 (points j0+1..j1 lie inside the
    jump), else None."""
    if r.size < 4 or scale <= 0:
        return None
    d = np.diff(r)
    a = np.abs(d)
    j = int(np.argmax(a))
    if a[j] < SWITCH_FRACTION * scale or a[j] < SWITCH_MEDIAN * float(np.median(a)):
        return None
    j0 = j1 = j
    # a switching by domains takes several steps: the neighbouring steps of the same sign above
    # 5 % of the jump (and 5 median steps) belong to it, their points are only partly switched
    small = max(0.05 * a[j], 5.0 * float(np.median(a)))
    while j0 > 0 and np.sign(d[j0 - 1]) == np.sign(d[j]) and a[j0 - 1] > small:
        j0 -= 1
    while j1 + 1 < d.size and np.sign(d[j1 + 1]) == np.sign(d[j]) and a[j1 + 1] > small:
        j1 += 1
    return j0, j1


def _split_loops(traces, o):
    """Split the field sweeps of one file at their switching jumps and give every part its m_z
    state (from a column, or from the jump and the sign of R_AHE)."""
    field_tr = [t for t in traces if t.meta["scan"] == "field" and 1 in t.r]
    if not field_tr:
        return traces
    events = _switch_events(field_tr)
    unlabelled = [t for t in field_tr if "mz_label" not in t.meta]
    if not events and not unlabelled:
        return traces
    sign_r, why = _sign_of_r_ahe(events, field_tr, o)
    out = []
    offset = np.mean([0.5 * (e[0].r[1][e[1]] + e[0].r[1][e[2] + 1]) for e in events]) if events else None
    ev = {id(e[0]): e for e in events}
    for t in traces:
        if t.meta["scan"] != "field" or 1 not in t.r:
            out.append(t)
            continue
        e = ev.get(id(t))
        if e is None:
            st = t.meta.get("mz_label")
            if st is None:
                st = _state_from_level(t, offset, sign_r, why)
            t.meta["mz_state"] = int(st)
            out.append(t)
            continue
        out.extend(_split_at_jump(t, e, sign_r, why))
    return out


def _switch_events(field_tr) -> list:
    """``(trace, j0, j1, jump in Ohm, direction, cos theta_h)`` of every sweep with a switching
    jump (the scale of R_1w taken over the sweeps of its block)."""
    by_block = {}
    for t in field_tr:
        by_block.setdefault(t.key[0], []).append(t)
    events = []
    for blk_traces in by_block.values():
        allr = np.concatenate([t.r[1] for t in blk_traces])
        scale = float(np.ptp(allr))
        for t in blk_traces:
            sw = _switch(t.r[1], scale)
            if sw is not None and t.direction != 0:
                j0, j1 = sw
                events.append((t, j0, j1, float(t.r[1][j1 + 1] - t.r[1][j0]), t.direction,
                               math.cos(math.radians(t.meta["theta_h"]))))
    return events


def _sign_of_r_ahe(events, field_tr, o):
    """The sign of R_AHE (+1, -1, or None when not known) from the jumps in a tilted field and from
    the option ``r_ahe``, and where it comes from in words."""
    sign_r = None
    why = ""
    tilt = [(e[3] * e[4] * e[5]) for e in events if abs(e[5]) > 1e-6]
    if tilt:
        signs = {int(np.sign(v)) for v in tilt}
        if len(signs) > 1:
            raise HallReadError(f"{field_tr[0].path}: the switching jumps of R_1w disagree on the sign of "
                                "R_AHE with the field tilt given: check theta_h of each sweep "
                                f"({_opt('theta_h', '92deg' if _STYLE.get() == 'cli' else 92.0)})")
        # a rising field switches m to the side of B_z = H cos(theta_h): s_after = sign(d cos theta_h),
        # and the jump R_after - R_before = 2 R_AHE s_after
        sign_r = int(signs.pop())
        th = sorted({round(e[0].meta["theta_h"], 6) for e in events})
        why = (f"the switching jumps of R_1w with the field tilted to theta_h = "
               f"{', '.join(f'{v:g}' for v in th)} deg (a rising field switches m to "
               f"{'-z' if math.cos(math.radians(th[0])) < 0 else '+z'})")
    if o["r_ahe"] is not None and o["r_ahe"] != 0:
        given = int(np.sign(o["r_ahe"]))
        if sign_r is not None and given != sign_r:
            raise HallReadError(f"{field_tr[0].path}: {why} give R_AHE {'> 0' if sign_r > 0 else '< 0'}, "
                                f"but {_opt('r_ahe', o['r_ahe'])} says the opposite; one of them (or the "
                                "tilt theta_h) is wrong")
        if sign_r is None:
            why = f"the sign of {_opt('r_ahe', o['r_ahe'])}"
        sign_r = given
    return sign_r, why


def _split_at_jump(t, e, sign_r, why) -> list:
    """The parts of sweep ``t`` before and after its switching jump ``e`` with their m_z states
    (parts of fewer than 3 points left out, noted)."""
    _, j0, j1, jump, d, _ = e
    label = t.meta.get("mz_label")
    if label not in (None, 0) and t.meta.get("_mz_from_option"):
        raise HallReadError(
            f"{t.path}{' [' + t.desc + ']' if t.desc else ''}: {_mz_opt(Path(t.path).name)} "
            f"gives the whole file one m_z state, but this sweep switches (R_1w jumps by "
            f"{jump:.4g} Ohm near {t.x[j0]:.4g}-{t.x[j1 + 1]:.4g} T): the sweeps of a loop start in "
            "opposite states, which one state of the file cannot say. Give the sign of R_AHE "
            f"({_opt('r_ahe', 'VALUE')}) or the tilt of the field out of the plane "
            f"({_opt('theta_h', '92deg' if _STYLE.get() == 'cli' else 92.0)}) instead: the jumps "
            "then tell every sweep's state")
    if label not in (None, 0):
        s_before = label
    else:
        if sign_r is None:
            raise HallReadError(
                f"{t.path}{' [' + t.desc + ']' if t.desc else ''}: a field sweep switches (R_1w jumps "
                f"by {jump:.4g} Ohm near {t.x[j0]:.4g}-{t.x[j1 + 1]:.4g} T), but which state is m_z = +1 "
                "depends on the sign of R_AHE, which a loop in a field in the plane does not show: "
                f"give R_AHE with its sign ({_opt('r_ahe', 'VALUE')}: positive when m_z = +1 has "
                "the higher R_1w, negative when it has the lower; the sign decides the sign of H_DL, "
                "and these sweeps cannot check it), the tilt of "
                f"the field out of the plane ({_opt('theta_h', '92deg' if _STYLE.get() == 'cli' else 92.0)})"
                f" or the state in a column ({_col_opt('mz_state')}); one state for the whole "
                f"file ({_mz_opt(Path(t.path).name)}) cannot say it for a loop, whose sweeps start "
                "in opposite states")
        s_before = -int(np.sign(jump) * sign_r)
    dropped = list(range(j0 + 1, j1 + 1))
    out = []
    for seg, sl, st in ((0, slice(0, j0 + 1), s_before), (1, slice(j1 + 1, None), -s_before)):
        xs = t.x[sl]
        if xs.size < 3:
            t.notes.append(f"{xs.size} point(s) {'before' if seg == 0 else 'after'} the switching "
                           "jump left out (fewer than 3)")
            continue
        m = dict(t.meta, mz_state=int(st), sweep_segment="before the switching jump"
                 if seg == 0 else "after the switching jump")
        notes = list(t.notes)
        if seg == 0:
            notes.append(f"the sweep switches between {t.x[j0] * 1e3:.5g} and {t.x[j1 + 1] * 1e3:.5g} mT "
                         f"(R_1w jumps by {jump:+.4g} Ohm): split there, m_z = {s_before:+d} before and "
                         f"{-s_before:+d} after (from {why or 'the state column'})"
                         + (f"; {len(dropped)} point(s) inside the jump left out" if dropped else ""))
        out.append(_Trace(t.path, xs, {h: v[sl] for h, v in t.r.items()}, m, t.key, run=t.run,
                          direction=t.direction, segment=seg, desc=t.desc, notes=notes))
    return out


def _state_from_level(t, offset, sign_r, why):
    """m_z of a sweep without a jump: the side of the offset its R_1w lies on, with the sign of
    R_AHE; 0 when that is not known."""
    if offset is None or sign_r is None:
        if t.x.min() < 0 < t.x.max():
            t.notes.append("m_z state not known (no state column, no switching jump to tell it; "
                           f"give it with {_mz_opt(Path(t.path).name)} or "
                           f"{_mz_opt(Path(t.path).name, -1)}, as the level of R_1w says)")
        return 0
    side = float(np.median(t.r[1]) - offset)
    st = int(np.sign(side) * sign_r)
    t.notes.append(f"m_z = {st:+d} from the level of R_1w against the loop's offset and {why}")
    return st
