"""The files of an ST-FMR reading: folders expanded in natural order, and the LabVIEW ``.lvm``
layout recognised.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from ...data import DataError
from ..folders import refuse_broken_links, refuse_undecodable_names, subfolders_hint
from .headers import _names_a_condition
from ..text import Table
from .. import table_names
from ..distinct_files import check_distinct_files


__all__ = [
    "SUFFIXES",
]


#: File suffixes taken when a folder is given.
SUFFIXES = (".lvm", ".dat", ".txt", ".csv", ".tsv", ".itx")

#: Workbooks, MATLAB, NumPy and HDF5 files and QCoDeS databases (:mod:`sotfit.io.containers`),
#: taken from a folder that holds no text files of :data:`SUFFIXES` (beside text exports they
#: are often something else, a sheet of results for example): named one by one they are always
#: read.
CONTAINER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".mat", ".npz", ".npy", ".h5", ".hdf5", ".he5",
                      ".nc", ".nxs", ".db", ".tdms", ".ibw")


def _natural_key(p: Path):
    """Sort key of a file name with its numbers compared as numbers (``9GHz`` before ``10GHz``)."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", p.name)]


def _is_database(p: Path) -> bool:
    """Whether ``p`` begins as an SQLite database does (a ``.db`` beside the data may be
    Windows' thumbnail cache, ``Thumbs.db``, which is none)."""
    from ..containers import _SQLITE

    with open(p, "rb") as fh:
        return fh.read(len(_SQLITE)) == _SQLITE


def _with_suffixes(folder: Path, suffixes) -> list[Path]:
    """The files of ``folder`` whose suffix is one of ``suffixes`` (a ``.db`` only if it is an
    SQLite database), in natural name order."""
    return sorted((q for q in folder.iterdir() if q.is_file() and q.suffix.lower() in suffixes
                   and (q.suffix.lower() != ".db" or _is_database(q))), key=_natural_key)


def _expand(paths) -> list[Path]:
    """The files to read: files as given, folders expanded to their ST-FMR files
    (:data:`SUFFIXES`, else :data:`CONTAINER_SUFFIXES`) in natural name order."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    elif not isinstance(paths, Iterable):
        raise TypeError("paths must be a file, a folder or a list of them, "
                        f"not {type(paths).__name__}")
    out: list[Path] = []
    for p in paths:
        p = Path(os.fspath(p))
        if p.is_dir():
            refuse_broken_links(p, SUFFIXES + CONTAINER_SUFFIXES)
            files = _with_suffixes(p, SUFFIXES) or _with_suffixes(p, CONTAINER_SUFFIXES)
            if not files:
                others = sum(1 for q in p.iterdir() if q.is_file())
                raise DataError(
                    f"{p}: folder holds no data files ({', '.join(SUFFIXES + CONTAINER_SUFFIXES)})"
                    + (f"; its {others} other file(s) are read only when named one by one "
                       "(files without an extension, for example)" if others else "")
                    + subfolders_hint(p, lambda q: bool(_with_suffixes(q, SUFFIXES)
                                                        or _with_suffixes(q, CONTAINER_SUFFIXES)),
                                      _names_a_condition))
            out.extend(files)
        elif not table_names.exists(p):
            raise FileNotFoundError(f"{p}: no such file")
        else:
            out.append(p)
    if not out:
        raise DataError("read_stfmr: no files given")
    refuse_undecodable_names(out)
    check_distinct_files(out)
    return out


def _is_lvm_layout(table: Table) -> bool:
    """The LabVIEW ST-FMR layout: ``.lvm``, a key:value preamble, two unnamed columns."""
    return (table.path.suffix.lower() == ".lvm" and table.columns is None
            and table.n_columns == 2 and len(table.header) > 0)
