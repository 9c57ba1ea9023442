"""The preambles of text tables already read, and the plain-number parse of a table body.

A folder of files written by one program repeats one preamble (comments, ``key: value``
entries, the column header row) above different numbers. :func:`sotfit.io.read_table`
remembers what a preamble was found to hold, keyed by its exact text and by the delimiter
and width of the first data row (:mod:`sotfit.io.cache`); a later file that starts with
that text, and whose body is plain decimal numbers in the same layout, is read without
parsing its preamble again. Whatever else a file holds (a comment or blank line among the
data, a trailing delimiter, a NaN, a row of another width) makes it read afresh, so the
Table is the one the full parse gives.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import numpy as np

from . import cache as _cache

__all__ = ["read_known", "remember"]


#: Characters of a table body that holds plain decimal numbers only (the fast path).
_PLAIN_NUMBER_BYTES = b"0123456789.eE+- \t"


# A line of nothing but blanks in a body of plain numbers (a line the parser skips).
_BLANK_LINE_RE = re.compile(rb"(?:^|\n)[ \t]*(?:\n|$)")


_PREAMBLES = _cache.LRU()


@dataclass(frozen=True)
class _Preamble:
    """What the text before the first data row of a table holds."""

    prefix: str
    start: int
    delimiter: str
    n: int
    header: tuple
    header_lines: tuple
    columns: tuple | None
    remarks: tuple = ()


def _parse_plain(data_lines: list[str], delimiter: str, n: int):
    """Rows of plain decimal numbers with numpy's C parser, or ``None`` for anything else.

    Only bodies made of digits, signs, decimal points, exponents, blanks and the delimiter
    take this path (no NaN spellings, no missing cells, no trailing delimiter); numpy's
    parser rounds correctly, as pandas' exact mode does, so the values are the same bits.
    """
    try:
        body = "\n".join(data_lines).encode("ascii")
    except UnicodeEncodeError:
        return None
    return _parse_plain_bytes(body, len(data_lines), delimiter, n)


def _parse_plain_bytes(body: bytes, n_rows: int, delimiter: str, n: int):
    """:func:`_parse_plain` of the rows joined by ``\\n`` and encoded."""
    extra = b"" if delimiter == "whitespace" else delimiter.encode("ascii", "replace")
    if body.translate(None, _PLAIN_NUMBER_BYTES + extra + b"\n\r"):
        return None
    try:
        data = np.loadtxt(io.BytesIO(body), dtype=float, ndmin=2,
                          delimiter=None if delimiter == "whitespace" else delimiter)
    except ValueError:
        return None
    if data.shape != (n_rows, n) or not np.isfinite(data).all():
        return None
    return data


def remember(text: str, start: int, delimiter: str, n: int, n_first: int, trailing: bool,
             header: dict, header_lines: dict, columns, remarks: tuple = ()) -> None:
    """Remember the preamble of a table just read in full.

    Parameters
    ----------
    text : str
        The whole text of the file.
    start : int
        Index (0-based) of the line of the first data row.
    delimiter : str
        Delimiter of the data rows.
    n, n_first : int
        Columns of the table, and numbers in its first data row.
    trailing : bool
        Whether every data row ends with the delimiter (such tables are not remembered).
    header, header_lines, columns, remarks
        What the preamble holds (:class:`sotfit.io.Table`).
    """
    if not _cache.ENABLED or trailing or n < 2 or n_first != n:
        return
    prefix = "".join(text.splitlines(keepends=True)[:start])
    if prefix and not prefix.endswith(("\n", "\r")):
        return
    key = (prefix, delimiter, n)
    _PREAMBLES.put(key, _Preamble(prefix, start, delimiter, n, tuple(header.items()),
                                  tuple(header_lines.items()), columns, tuple(remarks)))


def read_known(path, text: str):
    """The Table of a file whose preamble was remembered, or ``None`` to read it in full.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    text : str
        Its text.
    """
    for entry in _PREAMBLES.values_recent_first():
        if text.startswith(entry.prefix):
            table = _with_preamble(path, text, entry)
            if table is not None:
                _PREAMBLES.touch((entry.prefix, entry.delimiter, entry.n))
                return table
    return None


def _plain_body(body: str) -> bytes | None:
    """The lines of ``body`` joined by ``\\n`` as bytes, or ``None`` when the body is empty,
    is not ASCII, starts or ends with a blank line, or holds a line of blanks alone (the
    characters themselves are checked by :func:`_parse_plain_bytes`)."""
    try:
        raw = body.encode("ascii")
    except UnicodeEncodeError:
        return None
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    if not raw or raw.startswith(b"\n") or raw.endswith(b"\n"):
        return None
    # A blank line inside (``\n\n``) is not searched for: numpy's parser skips it, so the
    # rows it returns are fewer than the lines counted and the body is read in full.
    if (b" " in raw or b"\t" in raw) and _BLANK_LINE_RE.search(raw):
        return None
    return raw


def _with_preamble(path, text: str, entry: _Preamble):
    """The Table of ``text`` under the remembered preamble ``entry``, or ``None`` when its
    body is not plain numbers in the layout of ``entry``."""
    from .text import Table, _numeric_row

    raw = _plain_body(text[len(entry.prefix):])
    if raw is None:
        return None
    cut = raw.find(b"\n")
    first = (raw if cut < 0 else raw[:cut]).decode("ascii")
    row = _numeric_row(first)
    if row is None or row[0] != entry.delimiter or len(row[1]) != entry.n:
        return None
    if entry.delimiter != "whitespace" and first.rstrip(" ").endswith(entry.delimiter):
        return None
    n_rows = raw.count(b"\n") + 1
    data = _parse_plain_bytes(raw, n_rows, entry.delimiter, entry.n)
    if data is None:
        return None
    return Table(path=path, header=dict(entry.header), columns=entry.columns, data=data,
                 lines=np.arange(entry.start + 1, entry.start + 1 + n_rows, dtype=int),
                 delimiter=entry.delimiter, header_lines=dict(entry.header_lines),
                 remarks=entry.remarks)
