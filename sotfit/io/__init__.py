"""Readers: instrument files -> the package's data types, with units converted here and only here.

``load(paths, kind=..., **options)`` dispatches to the reader registered under ``kind`` in
:data:`READERS`:

========== ============================== ===============================================
kind       reader                         returns
========== ============================== ===============================================
stfmr      :func:`read_stfmr`             a :class:`~sotfit.data.Sweep`, one Dataset per spectrum
hall       :func:`read_hall`              a tuple of :class:`~sotfit.io.hall.HallScan`, one per scan
thickness  :func:`read_thickness`         a tuple of :class:`~sotfit.io.thickness.ThicknessSeries`
========== ============================== ===============================================

(see ``docs/io.md``). Every reader opens its files read-only. What a header was found to
mean is remembered for the next file with that header (:mod:`sotfit.io.cache`, which can
switch this off); the result is that of a fresh read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .stfmr import read_stfmr
from .text import Table, read_table
from . import table_names


def _files(paths, suffixes=(".csv", ".tsv", ".txt", ".dat", ".itx")) -> list[Path]:
    """Files named by ``paths`` (a file, a folder or a list of them), folders expanded."""
    from ..data import DataError

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    elif not isinstance(paths, Iterable):
        raise TypeError(f"paths must be a file, a folder or a list of them, not "
                        f"{type(paths).__name__}")
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            from .folders import refuse_broken_links

            refuse_broken_links(p, suffixes)
            found = sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in suffixes)
            if not found:
                from .folders import subfolders_hint

                raise DataError(f"{p}: folder holds no data files ({', '.join(suffixes)})"
                                + subfolders_hint(p, lambda q: any(
                                    f.is_file() and f.suffix.lower() in suffixes
                                    for f in q.iterdir())))
            out.extend(found)
        elif not table_names.exists(p):
            raise FileNotFoundError(f"{p}: no such file")
        else:
            out.append(p)
    from .folders import refuse_undecodable_names

    refuse_undecodable_names(out)
    return out


def read_hall(paths, **options) -> tuple:
    """Read harmonic Hall scans: :func:`sotfit.io.hall.read_hall` on all the files together.

    Parameters
    ----------
    paths : str, os.PathLike, or iterable of them
        Files or folders (files holding the first and the second harmonic separately are paired).
    **options
        Passed to :func:`sotfit.io.hall.read_hall` (``scan``, ``current``, ``current_is``,
        ``lockin_output``, ``r2w_channel``, ``columns``, ...).

    Returns
    -------
    tuple of HallScan
        One per scan (a file may hold several).
    """
    from .hall import read_hall as _read_hall

    return tuple(_read_hall(_files(paths), **options))


def read_thickness(paths, **options) -> tuple:
    """Read thickness tables: :func:`sotfit.io.thickness.read_thickness_table` on every file.

    Returns
    -------
    tuple of ThicknessSeries
    """
    from .thickness import read_thickness_table

    return tuple(read_thickness_table(f, **options) for f in _files(paths))


#: Readers by kind of experiment: ``load(..., kind=...)`` picks one.
READERS = {"stfmr": read_stfmr, "hall": read_hall, "thickness": read_thickness}


def load(paths, kind: str = "stfmr", **options):
    """Read instrument files with the reader registered under ``kind``.

    Parameters
    ----------
    paths : str, os.PathLike, or iterable of them
        Files or folders.
    kind : str
        Which reader: a key of :data:`READERS` (``'stfmr'``, ``'hall'``, ``'thickness'``).
    **options
        Passed to the reader (for ST-FMR: ``field_unit``, ``voltage_unit``,
        ``frequency``, ... see :func:`read_stfmr`).

    Returns
    -------
    Sweep (``'stfmr'``), tuple of HallScan (``'hall'``) or tuple of ThicknessSeries
    (``'thickness'``).
    """
    try:
        reader = READERS[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; known: {sorted(READERS)}") from None
    return reader(paths, **options)


__all__ = ["load", "read_stfmr", "read_hall", "read_thickness", "read_table", "Table", "READERS"]
