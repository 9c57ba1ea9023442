"""Readers: instrument files -> Sweep, with units converted here and only here.

``load(paths, kind='stfmr', **options)`` dispatches to the reader registered
under ``kind`` in :data:`READERS`; ``read_stfmr`` is the ST-FMR reader
(see ``docs/io.md``).
"""

from .stfmr import read_stfmr
from .text import Table, read_table

#: Readers by kind of experiment: ``load(..., kind=...)`` picks one.
READERS = {"stfmr": read_stfmr}


def load(paths, kind: str = "stfmr", **options):
    """Read instrument files into a :class:`~sotfit.data.Sweep`.

    Parameters
    ----------
    paths : str, os.PathLike, or iterable of them
        Files or folders.
    kind : str
        Which reader: a key of :data:`READERS` (``'stfmr'``).
    **options
        Passed to the reader (for ST-FMR: ``field_unit``, ``voltage_unit``,
        ``frequency``, ... see :func:`read_stfmr`).
    """
    try:
        reader = READERS[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; known: {sorted(READERS)}") from None
    return reader(paths, **options)


__all__ = ["load", "read_stfmr", "read_table", "Table", "READERS"]
