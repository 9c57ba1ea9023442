"""Input files given twice: the same file (a folder and one of its files, overlapping globs) or
one measurement saved under two names. Either counts the same data twice, which leaves every
value as it was but shrinks its standard errors by up to 1/sqrt(2): the readers refuse it,
naming both files.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from ..data import DataError

__all__ = ["check_distinct_files"]


def _digest(file: Path, table) -> str:
    """SHA-256 of a file's bytes (read in blocks: a file larger than memory too) and the name of
    the table wanted of it."""
    digest = hashlib.sha256(str(table).encode())
    with open(file, "rb") as fh:                    # read-only
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_distinct_files(paths: Sequence, error: type[Exception] = DataError) -> None:
    """Refuse a file given twice: the same file (after resolving links and ``..``; for
    ``FILE[NAME]`` the same table of it) or two files of byte-identical content (only files of
    equal size are read to compare them).

    Parameters
    ----------
    paths : sequence of path
        Input files (existing).
    error : exception class
        What to raise (the reader's own error).

    Raises
    ------
    error
        Naming both files.
    """
    from . import table_names

    by_path: dict[tuple, str] = {}
    by_size: dict[tuple, list] = defaultdict(list)
    for p in paths:
        file, table = table_names.named_table(Path(p))   # a table of a file of several
        real = (file.resolve(), table)
        if real in by_path:
            raise error(f"{by_path[real]} and {p} are the same file; give each input once (a "
                        "file given twice counts its data twice and understates every "
                        "uncertainty)")
        by_path[real] = str(p)
        try:
            by_size[(os.stat(file).st_size, table)].append((str(p), file, table))
        except OSError as exc:
            raise error(f"{p}: cannot read ({exc.strerror or exc})") from None
    for same_size in (group for group in by_size.values() if len(group) > 1):
        by_content: dict[str, str] = {}
        for name, file, table in same_size:
            try:
                digest = _digest(file, table)
            except OSError as exc:
                raise error(f"{name}: cannot read ({exc.strerror or exc})") from None
            if digest in by_content:
                raise error(f"{by_content[digest]} and {name} have identical content; give each "
                            "input once (the same data given twice would count twice and "
                            "understate every uncertainty)")
            by_content[digest] = name
