"""Folders given as input: the hint of the error when a folder holds no data files
(:func:`subfolders_hint`), names that tell apart files of one name in different folders
(:func:`distinct_names`), and links in them to files that are gone
(:func:`refuse_broken_links`)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["subfolders_hint", "distinct_names", "conditions_only", "refuse_broken_links",
           "refuse_undecodable_names"]

#: Words of a name that make a quantity in it the end of a range (``up_to_20GHz``,
#: ``2GHz to 20GHz``) or a bound (``20GHz max``), not the condition of a measurement.
_RANGE_WORDS_RE = re.compile(r"(?<![a-z])(?:to|up|max|min|from|until|till|bis|and|or)(?![a-z])",
                             re.I)


def conditions_only(name: str, patterns) -> bool:
    """Whether a folder's name is nothing but conditions of a measurement, so that the files
    in it were measured at them (``8GHz``, ``f=8GHz``, ``run_10GHz_15dBm``, ``100mT``): it holds
    a match of one of ``patterns`` (compiled regular expressions of the quantities), and besides
    them no number (``2-20GHz``, ``sweep_2_20GHz`` are ranges; ``dev2_10GHz`` names a device)
    and no word of a range or a bound (``up_to_20GHz``, ``20 GHz max``)."""
    rest = name
    for rx in patterns:
        rest = rx.sub(" ", rest)
    return rest != name and not re.search(r"\d", rest) and not _RANGE_WORDS_RE.search(rest)


def refuse_broken_links(folder: Path, suffixes) -> None:
    """Refuse a folder given as input that holds a link, named as a data file (one of
    ``suffixes``, lower case with the dot), to a file that does not exist: the folder was
    read without it, one spectrum or scan fewer and no word (a link to a file moved or
    deleted since).

    Raises
    ------
    sotfit.data.DataError
        Naming the link and where it points.
    """
    from ..data import DataError

    broken = sorted(q for q in folder.iterdir() if q.is_symlink() and not q.exists()
                    and q.suffix.lower() in suffixes)
    if broken:
        shown = ", ".join(f"{q.name} -> {os.readlink(q)}" for q in broken[:3]) + (
            f" and {len(broken) - 3} more" if len(broken) > 3 else "")
        raise DataError(f"{folder}: {len(broken)} link(s) to a file that does not exist "
                        f"({shown}); a folder is read whole: restore the file(s) or remove the "
                        "link(s)")


def refuse_undecodable_names(paths) -> None:
    """Refuse input files whose names are not text in the file system's encoding (bytes of
    another encoding, read as surrogates): the results name their sources in UTF-8, and such a
    run failed only when its tables were written, after the whole analysis, naming no file.

    Raises
    ------
    sotfit.data.DataError
        Naming the file (its undecodable bytes escaped) and what to do.
    """
    from ..data import DataError

    for p in paths:
        text = os.fspath(p)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(text).decode("utf-8", "backslashreplace")
            raise DataError(f"{shown}: the file name is not UTF-8 text (its bytes are of another "
                            "encoding); the results name their sources in UTF-8: rename the file "
                            "(or its folder), e.g. with convmv") from None


def distinct_names(files: Sequence) -> dict[str, str]:
    """Names for the files of ``files`` that share their file name with another file of the
    list in another folder: the last folders of the path and the file name, as few as tell
    them apart (``dev11/8GHz.lvm``, ``dev13/8GHz.lvm``), so that the tables, the summary and
    the messages of a run over several folders name every spectrum once.

    Parameters
    ----------
    files : sequence of str or Path
        The files read (folders expanded).

    Returns
    -------
    dict
        ``{path as given: name}`` for the files whose name is not unique (keys as
        ``os.fspath`` spells them, and their resolved paths); empty when every name is.
    """
    given: dict[str, list[Path]] = {}
    for f in files:
        given.setdefault(os.path.basename(os.fspath(f)), []).append(Path(f))
    out: dict[str, str] = {}
    for paths in given.values():
        if len(paths) < 2:              # most names: nothing to resolve
            continue
        group: dict[str, Path] = {}
        for p in paths:
            group.setdefault(str(p.resolve()), p)
        if len(group) < 2:
            continue
        parts = {key: Path(key).parts for key in group}
        depth = 2
        while depth < max(len(v) for v in parts.values()) and len(
                {v[-depth:] for v in parts.values()}) < len(parts):
            depth += 1
        for key, given in group.items():
            name = "/".join(parts[key][-depth:])
            out[os.fspath(given)] = out[key] = name
    return out


def subfolders_hint(folder: Path, holds_data: Callable[[Path], bool],
                    names_a_condition: Callable[[str], bool] | None = None) -> str:
    """``'; its subfolders are not searched: ...'`` naming the subfolders of ``folder`` that
    hold data files (``holds_data(subfolder)``) and how to give them, or ``''``.

    A folder is read without its subfolders, which often hold one sample or device each: their
    spectra are not one sample's, so they are named for the user to give one at a time. When
    ``names_a_condition`` says of every one that its name is a condition of a measurement
    (``8GHz``, ``15dBm``: the spectra of one sample, a folder per frequency), the hint names a
    pattern that gives them together instead (``DIR/*GHz``).
    """
    subs = sorted((q for q in folder.iterdir() if q.is_dir() and holds_data(q)),
                  key=lambda q: q.name)
    if not subs:
        return ""
    names = ", ".join(q.name for q in subs[:5]) + (", ..." if len(subs) > 5 else "")
    found = f"; its subfolders are not searched: {len(subs)} of them hold data files ({names})"
    if (len(subs) > 1 and names_a_condition is not None
            and all(names_a_condition(q.name) for q in subs)):
        return (f"{found}, each named by a condition of the measurement (a frequency, power or "
                f"angle), not a sample: give them together, e.g. "
                f"{_pattern_of(folder, subs)} (each spectrum then takes the condition from its "
                f"folder's name when its file gives none)")
    return f"{found}; give the folder of one sample, e.g. {folder / subs[0].name}"


def _pattern_of(folder: Path, subs: Sequence[Path]) -> str:
    """A shell pattern that names just the subfolders ``subs`` of ``folder``: ``DIR/*GHz`` for
    names that end in the same letters, else ``DIR/*/`` when every subfolder is one of them,
    else the subfolders one by one."""
    tails = {re.search(r"[^\d.,]*$", q.name).group() for q in subs}
    every = {q.name for q in folder.iterdir() if q.is_dir()}
    if len(tails) == 1:
        tail = tails.pop()
        if tail and {n for n in every if n.endswith(tail)} == {q.name for q in subs}:
            return f"{folder / ('*' + tail)}"
    if every == {q.name for q in subs}:
        return f"{folder}{os.sep}*{os.sep}"
    return " ".join(str(q) for q in subs)
