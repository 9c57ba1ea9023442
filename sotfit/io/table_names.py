"""One table of a file of several, named as sotfit names it: ``FILE[NAME]``.

A workbook of several sheets, an HDF5 or TDMS file of several groups, a QCoDeS database of
several runs, a text file of appended sections: each of their tables is named
``file[name]`` in every output (``experiments.db[run 3 sweep_10GHz]``,
``run.xlsx[10 GHz]``). The same spelling, given where a file is expected, reads that table
alone: a lab's QCoDeS database holds the runs of every measurement made, of which an analysis
takes some. A run is also found by its number alone (``experiments.db[run 3]``) or its name
alone (``experiments.db[sweep_10GHz]``, when one run has it). A path that exists as a file is
always that file, brackets and all.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..data import DataError

__all__ = ["named_table", "exists", "matches", "chosen"]

_NAMED_RE = re.compile(r"^(?P<file>.+)\[(?P<name>[^\[\]]+)\]$")


def named_table(path) -> tuple[Path, str | None]:
    """(file, name of a table of it, or None) of ``path``: ``FILE[NAME]`` when no file or
    folder is called so and FILE is a file, else ``path`` itself."""
    p = Path(os.fspath(path))
    if p.exists():
        return p, None
    m = _NAMED_RE.match(str(p))
    if m and Path(m["file"]).is_file():
        return Path(m["file"]), m["name"].strip()
    return p, None


def exists(path) -> bool:
    """Whether ``path`` is a file, a folder or a table of a file (:func:`named_table`)."""
    return named_table(path)[0].exists()


def matches(table: str, name: str) -> bool:
    """Whether the table called ``table`` (``run 3 sweep_10GHz``) is the one ``name`` asks
    for: its whole name, its run number (``run 3``) or its run's name (``sweep_10GHz``)."""
    if table == name:
        return True
    run = re.match(r"^(run \d+)(?: (.+))?$", table)
    return run is not None and name in run.groups()


def chosen(items: list, names: list, name: str, file: Path) -> list:
    """The ``items`` whose table ``names`` (None for the only table of a file) match ``name``.

    Raises
    ------
    DataError
        When no table matches, or a run's name matches several runs; naming the tables of
        the file.
    """
    hits = [i for i, n in zip(items, names) if n is not None and matches(n, name)]
    exact = [i for i, n in zip(items, names) if n == name]
    if len(hits) > 1 and not exact and not name.startswith("run "):
        listed = ", ".join(repr(n) for n in names if n is not None and matches(n, name))
        raise DataError(f"{file}[{name}]: {len(hits)} tables of {file.name} are called "
                        f"{name!r} ({listed}); name one by its run number ({file.name}[run N])")
    if not hits:
        listed = ", ".join(repr(n) for n in names if n is not None)
        raise DataError(f"{file}[{name}]: {file.name} holds no table {name!r} "
                        + (f"(its tables: {listed})" if listed else "(it holds one table: give "
                           "the file alone)"))
    return exact or hits
