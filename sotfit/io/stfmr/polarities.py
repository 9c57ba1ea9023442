"""The two field polarities of one spectrum written apart, joined into the one spectrum they are
(docs/io.md, "Polarities written apart").

A spectrum is swept through both field polarities; the mean of the two branches cancels the
remanent field of the magnet and the spin-pumping part that is even in H, so every spectrum
of ``sotfit stfmr`` is fitted with both. Labs often write the branches apart:

* two files whose names differ only in a **polarity word** (``8GHz_neg.csv`` and
  ``8GHz_pos.csv``; ``_-H``/``_+H``, ``negative``/``positive``, ``minus``/``plus``,
  ``Hneg``/``Hpos``), each holding the fields of its sign;
* two **sections** of one file (two exports appended, each with its own preamble), one
  negative and one positive.

Two such spectra of one frequency, power, field angle, sample, repeat and segment are joined
when each holds fields of one sign only and the signs are opposite; any other group (three
sections, two files of one sign) is left as it is. A file whose name says one polarity while
every field in it has the other sign may hold the magnitudes |H| of the branch: the reader says
so and names the option that reads its fields negated (``negative_field``); it is not guessed.
"""

from __future__ import annotations

import fnmatch
import os
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ...data import DataError, Dataset
from .options import _opt

__all__ = [
    "polarity_from_name",
    "pair_key",
    "join_polarities",
]


#: Polarity words of file names and the sign they mean: a word standing alone between
#: separators (``8GHz_neg.csv``, ``8GHz_-H.csv``), not part of a longer word or number.
_POLARITY_RE = re.compile(
    r"(?<![a-z0-9])(?P<word>positive|negative|pos|neg|plus|minus|[+-][hb]|[hb][+-]"
    r"|(?:pos|neg)[hb]|[hb](?:pos|neg))(?![a-z0-9+-])", re.I)

_NEGATIVE_WORDS = re.compile(r"neg|minus|-", re.I)

_SECTION_RE = re.compile(r"\[section (?P<n>\d+)\]$")


def polarity_from_name(name: str) -> tuple[int, str] | None:
    """The field polarity a file name gives, and the name with its polarity word taken out.

    Parameters
    ----------
    name : str
        A file name (``py_pt_8GHz_neg.csv``).

    Returns
    -------
    (int, str) or None
        +1 or -1, and the name with the word replaced by ``'*'`` (``py_pt_8GHz_*.csv``): the
        names of the two polarities of one spectrum give the same. None when the name holds no
        polarity word, or more than one.
    """
    stem, suffix = os.path.splitext(name)
    hits = list(_POLARITY_RE.finditer(stem))
    if len(hits) != 1:
        return None
    (hit,) = hits
    sign = -1 if _NEGATIVE_WORDS.search(hit.group("word")) else 1
    return sign, stem[:hit.start()] + "*" + stem[hit.end():] + suffix


def pair_key(path) -> tuple | None:
    """What the files of the two polarities of one spectrum share: their folder and their name
    without its polarity word (None for a name without one). Used to keep such files in one
    chunk of a batch run."""
    path = Path(os.fspath(path))
    found = polarity_from_name(path.name)
    return None if found is None else (str(path.parent), found[1])


def _field_sign(d: Dataset) -> int:
    """+1 when every field of ``d`` is >= 0 (and one > 0), -1 when every field is <= 0 (and
    one < 0), else 0."""
    if d.x.size and d.x.min() >= 0 and d.x.max() > 0:
        return 1
    if d.x.size and d.x.max() <= 0 and d.x.min() < 0:
        return -1
    return 0


def _file_name(d: Dataset) -> str:
    return Path(str(d.meta.get("path", d.source))).name


def _negated(d: Dataset) -> Dataset:
    """``d`` with its fields read as the negative fields whose magnitudes they are."""
    flip = {"up": "down", "down": "up"}
    meta = dict(d.meta)
    for key in ("sweep_direction", "sweep_direction_positive"):
        if key in meta:
            meta[key] = flip.get(meta[key], meta[key])
    if "sweep_direction_positive" in meta:
        meta["sweep_direction_negative"] = meta.pop("sweep_direction_positive")
    meta["field_negated"] = True
    meta["reader_notes"] = tuple(meta.get("reader_notes", ())) + (
        f"fields read as the magnitudes |H| of the negative branch "
        f"({_opt('negative_field', _file_name(d))})",)
    return Dataset(-d.x[::-1], d.y[::-1], None if d.yerr is None else d.yerr[::-1],
                   d.x_name, d.y_name, d.x_unit, d.y_unit, meta)


def _matches(pattern: str, d: Dataset) -> bool:
    path = str(d.meta.get("path", ""))
    name = _file_name(d)
    return (fnmatch.fnmatchcase(name, pattern) or pattern in (path, name)
            or (path and Path(pattern) == Path(path)))


def _negative_field_option(datasets: list, patterns) -> list:
    """``datasets`` with the fields of the files ``patterns`` names (file names, paths or
    glob patterns of names) negated. A pattern that names no file, or a file whose fields are
    not all positive, is an error."""
    if patterns is None:
        return datasets
    patterns = [patterns] if isinstance(patterns, (str, os.PathLike)) else list(patterns)
    patterns = [os.fspath(p) for p in patterns]
    used, out = set(), []
    for d in datasets:
        hits = [p for p in patterns if _matches(p, d)]
        used.update(hits)
        if not hits:
            out.append(d)
            continue
        if _field_sign(d) != 1:
            held = "negative" if _field_sign(d) == -1 else "both polarities"
            raise DataError(f"{d.source}: {_opt('negative_field', hits[0])} reads positive "
                            f"fields as negative, but the file's fields are {held}")
        out.append(_negated(d))
    unused = [p for p in patterns if p not in used]
    if unused:
        names = sorted({_file_name(d) for d in datasets})
        raise DataError(f"{_opt('negative_field', unused[0])} names no file read "
                        f"({', '.join(names[:8])}{', ...' if len(names) > 8 else ''})")
    return out


def _group_key(d: Dataset):
    """The key of the spectra that may be the two polarities of one: the file's name without
    its polarity word, or the file of a section; then what must be equal."""
    name = _file_name(d)
    found = polarity_from_name(name)
    section = _SECTION_RE.search(d.source)
    if found is not None:
        where = ("name", str(Path(str(d.meta.get("path", ""))).parent), found[1],
                 d.source[d.source.find(name) + len(name):] if name in d.source else d.source)
    elif section is not None:
        where = ("sections", str(d.meta.get("path", d.source[:section.start()])))
    else:
        return None
    same = tuple(repr(d.meta.get(k)) for k in ("frequency", "power", "field_angle", "sample",
                                                "repeat", "segment"))
    return where, same


def _named_negative_column(d: Dataset) -> None:
    """Refuse a V_mix column named for the negative field polarity (``Vmix(-H)``) over fields
    that are all positive (|H|) and not read negated: it was read as the +H branch, both
    torques of the wrong sign, exit status 0."""
    if d.meta.get("voltage_named_polarity") != -1 or d.meta.get("field_negated") \
            or _field_sign(d) != 1:
        return
    raise DataError(
        f"{d.source}: its V_mix column is named for the negative field polarity, but every "
        f"field is positive (|H|): read as it stands it would be the +H branch; give "
        f"{_opt('negative_field', _file_name(d))} to read its fields negated, or leave out "
        f"{_opt('voltage_column')} to read it with the column of the other polarity")


def _contradiction(d: Dataset) -> None:
    """Say when the polarity word of ``d``'s file name is the other sign of every field."""
    found = polarity_from_name(_file_name(d))
    sign = _field_sign(d)
    if found is None or sign == 0 or found[0] == sign or d.meta.get("field_negated"):
        return
    word = "negative" if found[0] < 0 else "positive"
    held = "positive" if sign > 0 else "negative"
    fix = (f"; if it holds the magnitudes |H| of the negative branch, pass "
           f"{_opt('negative_field', _file_name(d))}" if found[0] < 0 else "")
    warnings.warn(f"{d.source}: its name says the field is {word} but every field in it is "
                  f"{held}; read as written, not joined with the other polarity{fix}",
                  stacklevel=4)


#: Metadata the joined spectrum sets itself.
_SET_WHEN_JOINED = ("source", "path", "reader_notes", "sweep_direction", "n_points",
                    "field_negated")


def _one_sense(neg: Dataset, pos: Dataset) -> tuple[Dataset, str | None]:
    """``neg`` read in the sense of ``pos``'s lock-in axis, and the note to give, when the two
    files' V_mix were combined from two lock-in channels along one axis taken in opposite
    senses.

    Each file's phase is fitted on its own and the axis's sense taken in (-45, 135] deg
    (:func:`~sotfit.io.stfmr.layouts.lockin_phase`); two files whose phases lie a few degrees
    apart on either side of 135 deg (133.5 and 136.5, taken as 133.5 and -43.5) read V_mix of
    opposite signs. Joined so, the branches' amplitudes cancelled in the symmetrised V_s and
    V_a and went whole into the polarity-even parts: xi_FMR came out of the noise (0.07 +- 0.05
    for -0.09 planted, exit status 0, no flag). Phases more than 90 deg apart are one axis in
    opposite senses: the negative branch is negated and its phase turned by 180 deg, noted.
    """
    a, b = neg.meta.get("lockin_phase"), pos.meta.get("lockin_phase")
    if a is None or b is None or abs((float(b) - float(a) + 180.0) % 360.0 - 180.0) <= 90.0:
        return neg, None
    turned = (float(a) + 180.0 + 180.0) % 360.0 - 180.0
    meta = dict(neg.meta, lockin_phase=turned)
    note = (f"the lock-in phases fitted to the two files, {float(a):.2f} deg ({neg.source}) and "
            f"{float(b):.2f} deg ({pos.source}), are one axis taken in opposite senses: the "
            f"negative branch's V_mix is negated (phase {turned:.2f} deg) so that both "
            "polarities are read in one sense")
    return Dataset(neg.x, -neg.y, neg.yerr, neg.x_name, neg.y_name, neg.x_unit, neg.y_unit,
                   meta), note


def _joined(neg: Dataset, pos: Dataset) -> Dataset:
    """The spectrum of the negative-field ``neg`` and the positive-field ``pos`` (``neg`` read
    in the sense of ``pos``'s lock-in axis, :func:`_one_sense`)."""
    neg, sense = _one_sense(neg, pos)
    meta = {}
    for key in dict.fromkeys([*neg.meta, *pos.meta]):
        if key in _SET_WHEN_JOINED:
            continue
        in_neg, in_pos = key in neg.meta, key in pos.meta
        if in_neg and in_pos and repr(neg.meta[key]) == repr(pos.meta[key]):
            meta[key] = neg.meta[key]
        elif key.endswith(("_negative", "_positive")):        # a branch's own entry
            meta[key] = (neg if key.endswith("_negative") and in_neg or not in_pos
                         else pos).meta[key]
        else:                                                   # kept per branch
            meta.update({f"{key}_{branch}": part.meta[key]
                         for branch, part in (("negative", neg), ("positive", pos))
                         if key in part.meta})
    meta["source"] = f"{neg.source} + {pos.source}"
    meta["path"] = neg.meta.get("path")
    meta["joined_from"] = (neg.source, pos.source)
    up, down = (neg.meta.get("sweep_direction_negative"), pos.meta.get("sweep_direction_positive"))
    meta["sweep_direction"] = up if up == down else "mixed"
    meta["n_points"] = int(neg.x.size + pos.x.size)
    notes = [*neg.meta.get("reader_notes", ()), *pos.meta.get("reader_notes", ()),
             "the two field polarities, written apart, joined as one spectrum"]
    notes += [sense] if sense else []
    meta["reader_notes"] = tuple(dict.fromkeys(notes))
    yerr = (None if neg.yerr is None or pos.yerr is None
            else np.concatenate([neg.yerr, pos.yerr]))
    return Dataset(np.concatenate([neg.x, pos.x]), np.concatenate([neg.y, pos.y]), yerr,
                   pos.x_name, pos.y_name, pos.x_unit, pos.y_unit, meta)


def join_polarities(datasets: Iterable[Dataset], negative_field=None) -> list[Dataset]:
    """The spectra read, with the two polarities of one spectrum written apart joined.

    Parameters
    ----------
    datasets : iterable of Dataset
        The spectra of :func:`sotfit.io.read_stfmr`, in its order.
    negative_field : str or iterable of str, optional
        Files (names, paths as given, or glob patterns of names: ``'*_neg.csv'``) whose field
        column holds the magnitudes |H| of negative fields: their fields are read negated
        (noted) before the polarities are joined.

    Returns
    -------
    list of Dataset
        Each pair of one-polarity spectra of one group (module docstring) as one spectrum, at
        the place of the first of the two, with ``meta['joined_from']`` naming both and
        ``source`` ``'NEG + POS'``; metadata that differ between the two are kept per branch
        (``lockin_phase_negative``, ``lockin_phase_positive``). Every other spectrum as read.

    Raises
    ------
    DataError
        A ``negative_field`` entry that names no file, or a file whose fields are not all
        positive.
    """
    datasets = _negative_field_option(list(datasets), negative_field)
    groups: dict = {}
    for i, d in enumerate(datasets):
        _named_negative_column(d)
        _contradiction(d)
        key = _group_key(d)
        if key is not None:
            groups.setdefault(key, []).append(i)
    pairs = {}
    for members in groups.values():
        signs = [_field_sign(datasets[i]) for i in members]
        if sorted(signs) != [-1, 1]:
            continue
        neg, pos = (members if signs[0] < 0 else members[::-1])
        named = polarity_from_name(_file_name(datasets[neg]))
        if named is not None and (named[0] != -1
                                  or polarity_from_name(_file_name(datasets[pos]))[0] != 1):
            continue        # names that say the other polarity: left to the note above
        pairs[min(members)] = (neg, pos)
    if not pairs:
        return datasets
    taken = {i for pair in pairs.values() for i in pair}
    out = []
    for i, d in enumerate(datasets):
        if i in pairs:
            out.append(_joined(*(datasets[j] for j in pairs[i])))
        elif i not in taken:
            out.append(d)
    return out
