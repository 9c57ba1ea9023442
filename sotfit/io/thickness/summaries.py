"""Thickness series from one ``sotfit stfmr``/``sotfit hall`` summary.json per thickness
(:func:`from_summaries`)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ...data import Dataset
from ...device import spellings
from ...units import UnitError, quantity, to_house
from .series import (XI_E_UNIT, ThicknessError, ThicknessSeries, _efficiency_to_house,
                     _is_number, _resistivity_text, check_distinct_files)
from ..distinct_files import GIVE_ONCE, require_file

__all__ = ["from_summaries", "RHO_ABOVE_FILMS"]

#: A bulk resistivity (--rho) above this many times every film's own is noted as a likely slip.
RHO_ABOVE_FILMS = 3.0


_PREFERRED_SECTIONS = ("global", "sequential", "quantities", "efficiencies", "results",
                       "parameters")


def _find_entries(obj, key, path=()):
    """All ``{"value", ...}`` dicts under ``key`` anywhere in a JSON tree, with their paths."""
    out = []
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            if k == key and isinstance(v, Mapping) and "value" in v:
                out.append((path, v))
            elif isinstance(v, Mapping):
                out.extend(_find_entries(v, key, path + (k,)))
    return out


def _pick(entries, section, where, key):
    if section is not None:
        chosen = [e for e in entries if section in e[0]]
        if not chosen:
            raise ThicknessError(f"{where}: no {key!r} in section {section!r} "
                                 f"(found in {['/'.join(e[0]) or 'top level' for e in entries]})")
        return chosen[0]
    top = [e for e in entries if not e[0]]
    if top:
        return top[0]
    for s in _PREFERRED_SECTIONS:
        for e in entries:
            if e[0] and e[0][-1] == s:
                return e
    return entries[0]


def _sample_value(summary, names):
    sample = summary.get("sample")
    if not isinstance(sample, Mapping):
        return None
    for n in names:
        if n in sample and sample[n] is not None:
            return sample[n]
    return None


def _length_nm(v, where) -> float:
    if isinstance(v, Mapping):
        unit = v.get("unit") or "nm"
        return float(to_house(float(v["value"]), unit, "length")[0])
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return quantity(str(v), "length", default_unit="nm")
    except UnitError as exc:
        raise ThicknessError(f"{where}: cannot read the thickness {v!r} ({exc})") from None


def from_summaries(paths: Sequence, *, thickness: Sequence | Mapping | None = None,
                   resistivity: float | None = None, section: str | None = None,
                   parts: Sequence[str] = ("dl", "fl"), label: str = "") -> ThicknessSeries:
    """Build a thickness series from one ``sotfit stfmr``/``sotfit hall`` summary.json per thickness.

    Parameters
    ----------
    paths : sequence of path
        The summary files (one per spin-source thickness).
    thickness : sequence or mapping, optional
        Thicknesses in nm (numbers or strings with units such as ``'10nm'``), in the order
        of ``paths`` or keyed by path; default the ``t_nm`` entry of each summary's
        ``sample`` section.
    resistivity : float, optional
        uOhm cm; needed when a summary holds only dimensionless ``xi_dl``/``xi_fl``
        (default: the summary's sample ``rho_nm``/``rho``/``resistivity`` entry, as
        ``sotfit stfmr`` writes it).
    section : str, optional
        Which section to read when several hold the efficiencies (e.g. ``'global'`` or
        ``'sequential'`` of ``sotfit stfmr``); default: top level, then global, sequential,
        quantities, ...
    parts : sequence of {"dl", "fl"}
        Which efficiencies to collect; a part missing from every file is skipped, a part
        missing from some files is an error.
    label : str
        Sample name.

    Returns
    -------
    ThicknessSeries
        Sorted by thickness; ``meta['files']`` lists the files.
    """
    paths = [Path(x) for x in paths]
    _check_paths(paths, thickness)
    rows = {k: [] for k in parts}
    ts = []
    rho_used = resistivity
    own = []
    above = []
    correlated: list[tuple[float, str]] = []
    pair_corr: list[float | None] = []
    contents: dict[str, Path] = {}
    sections: list[str | None] = []
    for i, p in enumerate(paths):
        summary = _load_summary(p)
        _distinct_content(summary, p, contents)
        c = _largest_pair_correlation(summary)
        if c is not None:
            correlated.append((c, str(p)))
        ts.append(_summary_thickness(summary, thickness, p, i))
        rho_file = _summary_resistivity(summary, p)
        # a dimensionless xi is converted back with the resistivity it was made with, the
        # file's own; the option gives the model's bulk value (and the files' that have none)
        rho_here = rho_file if rho_file is not None else resistivity
        if rho_file is not None:
            own.append(rho_file)
        if resistivity is None and rho_here is not None:
            if rho_used is not None and not math.isclose(rho_here, rho_used, rel_tol=1e-9):
                raise ThicknessError(
                    f"{p}: resistivity {rho_here:g} uOhm cm differs from {rho_used:g} in the "
                    "other files: each file's dimensionless xi is converted with its own, but the "
                    "model (g = 2 lambda_s rho G) takes one bulk resistivity of the spin source: "
                    "give it with --rho (Python: resistivity=)")
            rho_used = rho_here
        below = _spin_source_below(summary)
        read = {}
        for kind in parts:
            got = _summary_efficiency(summary, kind, section, p, rho_here)
            if got is not None and below is False:
                # the efficiencies are written in the lab frame (sigma = +y, current along +x);
                # a spin source above the ferromagnet sends its spin current the other way, so
                # the torque of the same sigma_s has the opposite sign of the model's (below)
                got = (-got[0],) + tuple(got[1:])
            rows[kind].append(got)
            read[kind] = got
        # both flipped together: their correlation is the summary's
        pair_corr.append(_pair_correlation(summary, read))
        sections.append(_section_read(read))
        if below is False:
            above.append(str(p))
    _distinct_values(rows, ts, paths)
    ts = np.array(ts)
    order = np.argsort(ts, kind="stable")
    out = _part_datasets(rows, ts, order, paths, label, rho_used)
    # the flags of the efficiencies read go with the fit that rests on them (a set of
    # summaries whose every efficiency was flagged gave the clean set's numbers, no flag)
    input_flags = tuple(dict.fromkeys(
        f"{got[2]}: {'/'.join(x for x in (got[3], got[4]) if x)}: {reason}"
        for kind in parts for got in rows[kind] if got is not None for reason in got[5]))
    varies = len(own) > 1 and not np.allclose(own, own[0], rtol=1e-9, atol=0)
    notes = ([f"each file's resistivity ({min(own):g}-{max(own):g} uOhm cm) converts its own "
              f"dimensionless xi; the model takes the bulk {rho_used:g} uOhm cm (option)"]
             if varies and resistivity is not None else [])
    if own and resistivity is not None and resistivity > RHO_ABOVE_FILMS * max(own):
        notes.append(f"the bulk resistivity given ({resistivity:g} uOhm cm) is more than "
                     f"{RHO_ABOVE_FILMS:g} times every film's own ({min(own):g}-{max(own):g}); "
                     "films are at least as resistive as the bulk, and G scales with 1/rho in "
                     "the model (g = 2 lambda_s rho G): check --rho")
    both = len([k for k in parts if out.get(k) is not None]) == 2
    # one entry per file, in the order of the points: two files of one thickness are two
    # points (keyed by thickness, one of them was lost, and the count said 8 of 9 files)
    used = [(float(ts[j]), pair_corr[j]) for j in order] if both else []
    given = [c for _, c in used if c is not None]
    if given:
        c = max(given, key=abs)
        notes.append(f"the summaries give the correlation of the field-like and damping-like "
                     f"values read ({len(given)} of {len(paths)} files, up to {c:+.2g}): the "
                     "fit weighs each pair by its 2x2 covariance (taken as independent, the "
                     "errors of c = -0.3 were 11 % small, of c = +0.9 up to 2 times large)")
    big = [(c, f) for c, f in correlated if abs(c) >= CORRELATION_NOTED]
    if big and both and len(given) < len(paths):
        c, f = max(big, key=lambda cf: abs(cf[0]))
        notes.append(f"a summary gives a correlation of field-like and damping-like values "
                     f"(up to {c:+.2g}, {f}) but not of the two entries read from it: the fit "
                     "takes those as independent")
    notes.extend(_mixed_sections_note(sections, paths))
    if above:
        notes.append(f"spin-source layer above the ferromagnet in {len(above)} file(s) "
                     f"({', '.join(above[:3])}{' ...' if len(above) > 3 else ''}): their "
                     "efficiencies, written in the lab frame, enter the model (spin source "
                     "below) with the opposite sign")
    return ThicknessSeries(out.get("dl"), out.get("fl"), rho_used, label or "summaries",
                           {"files": [str(paths[j]) for j in order],
                            # the section each file's efficiencies were read from, as "files"
                            "sections": [sections[j] for j in order],
                            **({"dl_fl_correlation": tuple((t, 0.0 if c is None else c)
                                                           for t, c in used)} if given else {}),
                            **({"reader_notes": tuple(notes)} if notes else {}),
                            **({"input_flags": input_flags} if input_flags else {}),
                            "resistivity_source": "option" if resistivity is not None else
                            ("summary sample section" if rho_used is not None else None)})


def _section_read(read: dict) -> str | None:
    """The section of a summary its efficiencies were read from (``read``: part ->
    :func:`_summary_efficiency`'s tuple or None): ``'global'``, ``'top level'``, or each
    part's (``'dl: global, fl: sequential'``) where they differ; None when none was read."""
    found = {k: got[3] or "top level" for k, got in read.items() if got is not None}
    if len(set(found.values())) > 1:
        return ", ".join(f"{k}: {v}" for k, v in found.items())
    return next(iter(found.values()), None)


def _mixed_sections_note(sections: list, paths: list[Path]) -> list[str]:
    """A note when the summaries' efficiencies come from different sections (``global`` of
    some, ``sequential`` of a summary made with ``--no-global``): the two routes of ``sotfit
    stfmr`` weigh the spectra differently, and the series mixed them without a word. Names
    the files of every section but the most common one."""
    by: dict[str, list[str]] = {}
    for s, p in zip(sections, paths):
        if s is not None:
            by.setdefault(s, []).append(str(p))
    if len(by) < 2:
        return []
    ranked = sorted(by.items(), key=lambda kv: -len(kv[1]))
    parts = [f"{ranked[0][0]} in {len(ranked[0][1])} file(s)"] + [
        f"{s} in {', '.join(files[:3])}{' ...' if len(files) > 3 else ''}"
        for s, files in ranked[1:]]
    return [f"the efficiencies come from different sections of the summaries "
            f"({'; '.join(parts)}): the global and sequential routes of sotfit stfmr weigh "
            "the spectra differently; give --section (Python: section=) to read one section "
            "from every file"]


#: A field-like/damping-like correlation of a summary from this size on is noted (the thickness
#: fit takes the two as independent).
CORRELATION_NOTED = 0.1


def _largest_pair_correlation(summary) -> float | None:
    """The FL-DL correlation of largest size a summary writes (its ``correlations`` entries,
    at the top level and in its sections), or None."""
    found = []
    holders = [summary] + [v for v in summary.values() if isinstance(v, dict)] \
        if isinstance(summary, dict) else []
    for h in holders:
        corr = h.get("correlations")
        if isinstance(corr, dict):
            found += [float(v) for v in corr.values()
                      if isinstance(v, (int, float)) and math.isfinite(v)]
    return max(found, key=abs) if found else None


def _distinct_content(summary: Mapping, p: Path, seen: dict) -> None:
    """Refuse a summary whose JSON content equals that of one read before (``seen``: canonical
    text -> file): saved again re-indented or with its entries reordered, which the
    comparison of bytes and lines misses, it counted as a second point."""
    text = json.dumps(summary, sort_keys=True, separators=(",", ":"))
    if text in seen:
        raise ThicknessError(f"{seen[text]} and {p} hold the same summary (their JSON content "
                             "is equal: saved again re-indented or reordered); " + GIVE_ONCE)
    seen[text] = p


def _distinct_values(rows: dict, ts: list, paths: list[Path]) -> None:
    """Refuse two summaries that give the same thickness and the same efficiencies, value and
    standard error to the last digit: one analysis saved twice (with other notes or options
    that change nothing read), as independent measurements never agree so."""
    seen: dict[tuple, Path] = {}
    for i, p in enumerate(paths):
        read = tuple((k, v[i][0], v[i][1]) for k, v in sorted(rows.items())
                     if v[i] is not None)
        key = (float(ts[i]), read)
        if read and key in seen:
            raise ThicknessError(
                f"{seen[key]} and {p} give the same thickness ({ts[i]:g} nm) and the same "
                f"{' and '.join(k[0].upper() for k in read)} efficiencies (value and standard "
                "error to the last digit): one analysis given twice; " + GIVE_ONCE)
        seen[key] = p


def _check_paths(paths: list[Path], thickness) -> None:
    """Refuse no files, a missing file, a file given twice or a thickness count mismatch."""
    if not paths:
        raise ThicknessError("no summary files given")
    for p in paths:
        require_file(p, p, ThicknessError)
    check_distinct_files(paths)
    if thickness is not None and not isinstance(thickness, Mapping) and len(thickness) != len(paths):
        raise ThicknessError(f"{len(thickness)} thicknesses for {len(paths)} summary files")


def _load_summary(p: Path) -> Mapping:
    """The JSON object of a summary file."""
    try:
        summary = json.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ThicknessError(f"{p}: not a UTF-8 JSON file ({exc.reason} at byte "
                             f"{exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ThicknessError(f"{p}: not valid JSON ({exc})") from None
    if not isinstance(summary, Mapping):
        raise ThicknessError(f"{p}: not a sotfit summary (the JSON top level is a "
                             f"{type(summary).__name__}, not an object)")
    return summary


def _summary_thickness(summary: Mapping, thickness, p: Path, i: int) -> float:
    """The spin-source thickness of file ``i`` in nm: given by the caller (in order or by
    path), else the ``t_nm`` entry of the summary's sample section."""
    if thickness is None:
        tv = _sample_value(summary, spellings("t_nm"))
        if tv is None:
            raise ThicknessError(f"{p}: no t_nm in the summary's sample section; give the "
                                 "thicknesses with --thickness (Python: thickness=), e.g. "
                                 "--thickness 3nm,5nm,8nm in the order of the files")
    else:
        tv = thickness.get(str(p), thickness.get(p)) if isinstance(thickness, Mapping) \
            else thickness[i]
        if tv is None:
            raise ThicknessError(f"{p}: no thickness given for this file")
        written = _sample_value(summary, spellings("t_nm"))
        if written is not None:
            t_given, t_written = _length_nm(tv, str(p)), _length_nm(written, str(p))
            if not math.isclose(t_given, t_written, rel_tol=1e-6, abs_tol=1e-9):
                raise ThicknessError(
                    f"{p}: --thickness gives {t_given:g} nm for this file but its sample section "
                    f"says t_nm = {t_written:g} nm (the thicknesses are taken in the order of "
                    "the files, which a shell pattern sorts as text: t10 before t2); leave "
                    "--thickness out to take each file's own, or correct the file")
    t = _length_nm(tv, str(p))
    if not (math.isfinite(t) and t > 0):
        raise ThicknessError(f"{p}: thickness must be > 0 nm (a spin source of no thickness "
                             f"is no point of the series), got {t:g} nm")
    return t


def _spin_source_below(summary: Mapping) -> bool | None:
    """Whether the summary's spin-source layer lies below the ferromagnet (its sample section's
    ``nm_below``, or the ``stack`` of its conventions); None when it does not say."""
    below = _sample_value(summary, ("nm_below",))
    if isinstance(below, bool):
        return below
    stack = summary.get("conventions", {}).get("stack") if isinstance(
        summary.get("conventions"), Mapping) else None
    if stack in ("nm_below", "nm_above"):
        return stack == "nm_below"
    return None


def _summary_resistivity(summary: Mapping, p: Path) -> float | None:
    """The resistivity of the summary's sample section in uOhm cm, if it has one."""
    rv = _sample_value(summary, spellings("rho_nm"))
    if rv is None:
        return None
    if isinstance(rv, Mapping):
        return float(to_house(float(rv["value"]), rv.get("unit") or "uOhmcm",
                              "resistivity")[0])
    return float(rv) if isinstance(rv, (int, float)) else _resistivity_text(str(rv), str(p))


def _summary_efficiency(summary: Mapping, kind: str, section, p: Path, rho):
    """``(xi^E, stderr, file, section, key, flags)`` of part ``kind`` in 1e5 Ohm^-1 m^-1 (the
    flags the summary put on the entry), or None when the summary has no such entry."""
    found = None
    for key, per_field in ((f"xi_e_{kind}", True), (f"xi_{kind}", False)):
        entries = _find_entries(summary, key)
        if entries:
            path_, entry = _pick(entries, section, str(p), key)
            found = (key, per_field, path_, entry)
            break
    if found is None:
        return None
    key, per_field, path_, entry = found
    where = f"{p}: {'/'.join(path_ + (key,))}"
    value, err = entry.get("value"), entry.get("stderr")
    if value is None or not _is_number(value):
        raise ThicknessError(f"{where} has no finite value ({value!r})")
    if err is None or not _is_number(err) or float(err) <= 0:
        raise ThicknessError(f"{where} has no usable stderr ({err!r}); every point needs "
                             "an uncertainty")
    unit = entry.get("unit")
    v = _efficiency_to_house(np.array([float(value), float(err)]), unit, per_field, rho, where)
    return (float(v[0]), float(v[1]), str(p), "/".join(path_), key,
            tuple(str(f) for f in entry.get("flags") or ()))


def _pair_correlation(summary: Mapping, got: dict) -> float | None:
    """The correlation a summary writes of the field-like and damping-like entries read
    (``got``: part -> :func:`_summary_efficiency`'s tuple, both from one section), from that
    section's ``correlations`` (``"xi_e_fl,xi_e_dl"`` in either order), or None."""
    dl, fl = got.get("dl"), got.get("fl")
    if dl is None or fl is None or dl[3] != fl[3]:
        return None
    # the section of the entries, then the sections above it (a Hall summary writes its
    # 'correlations' beside 'quantities', not in it)
    chain, section = [summary], summary
    for k in filter(None, dl[3].split("/")):
        section = section.get(k) if isinstance(section, Mapping) else None
        chain.append(section)
    for holder in reversed(chain):
        corr = holder.get("correlations") if isinstance(holder, Mapping) else None
        if not isinstance(corr, Mapping):
            continue
        for name in (f"{fl[4]},{dl[4]}", f"{dl[4]},{fl[4]}"):
            c = corr.get(name)
            if isinstance(c, (int, float)) and math.isfinite(c) and abs(c) < 1:
                return float(c)
    return None


def _part_datasets(rows: dict, ts, order, paths, label: str, rho_used) -> dict[str, Dataset]:
    """One Dataset per part found in every file, sorted by thickness; a part missing from
    some files is refused, and so is no part at all."""
    out = {}
    for kind, vals in rows.items():
        have = [v is not None for v in vals]
        if not any(have):
            continue
        if not all(have):
            missing = [str(paths[i]) for i, h in enumerate(have) if not h]
            raise ThicknessError(f"xi_e_{kind}/xi_{kind} missing from {missing}")
        y = np.array([vals[j][0] for j in order])
        e = np.array([vals[j][1] for j in order])
        out[kind] = Dataset(ts[order], y, e, x_name="thickness", y_name=f"xi_e_{kind}",
                            x_unit="nm", y_unit=XI_E_UNIT,
                            meta={"source": label or "summaries", "part": kind,
                                  "files": [vals[j][2] for j in order],
                                  "sections": [vals[j][3] for j in order],
                                  "resistivity": rho_used})
    if not out:
        raise ThicknessError(f"no xi_e_dl, xi_dl, xi_e_fl or xi_fl entries in {[str(x) for x in paths]}")
    return out
