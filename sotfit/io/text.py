"""Generic reader for delimited text tables with a free-form preamble.

Instrument software writes numbers as text in many small variations. This
module turns one such file into a :class:`Table`: the header key/value pairs,
the column names (if the file has a column header row), the numbers as a 2-D
float array and the file line of every data row (for error messages). It knows
nothing about physics or units; :mod:`sotfit.io.stfmr` decides what the
columns mean.

Recognised layout, top to bottom:

* a preamble of any number of

  - blank lines,
  - comment lines starting with ``#``, ``%`` or ``//``; a comment of the
    form ``# key: value`` or ``# key = value`` is also a header entry,
  - ``key: value`` or ``key = value`` lines (LabVIEW-style headers such as
    ``Frequency(GHz):9.000000E+0``),
  - at most one column header row (for example ``Field (Oe),Voltage (V)``
    or ``Vmix<TAB>Field``), which must be the last non-blank, non-comment
    line before the data, or, failing that, the last comment line if it
    splits into exactly one name per column (``# field_mT vmix_uV``);

* then the data: rows of numbers separated by tabs, semicolons, commas or
  white space (detected from the first data row). Blank lines and comment
  lines in the data are skipped. ``nan``, ``NaN`` and empty cells are read as
  NaN (the caller decides whether NaN is acceptable); any other non-numeric
  cell, or a row with the wrong number of cells, is an error naming the file
  and the line.

The file is opened read-only and never modified.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..data import DataError

__all__ = ["Table", "read_table", "parse_number"]

_COMMENT_PREFIXES = ("#", "%", "//")
_KEY_VALUE_RE = re.compile(r"^\s*(?P<key>[^:=]*?[^\s:=])\s*[:=]\s*(?P<value>.*?)\s*$")
_NAN_TOKENS = {"", "nan", "+nan", "-nan", "na", "n/a"}


def parse_number(token: str) -> float | None:
    """Parse one cell: a float, NaN for an empty/``nan`` cell, ``None`` if not numeric.

    ``inf`` is returned as a float infinity (the caller rejects non-finite
    values with a message naming the column and row).
    """
    t = token.strip()
    if t.lower() in _NAN_TOKENS:
        return float("nan")
    try:
        return float(t)
    except ValueError:
        return None


@dataclass(frozen=True)
class Table:
    """The content of one delimited text file.

    Attributes
    ----------
    path : pathlib.Path
        The file that was read.
    header : dict[str, str]
        Header entries in file order, raw key -> raw value string.
    columns : tuple[str, ...] or None
        Column names from the column header row, or ``None`` if the file has
        none.
    data : numpy.ndarray
        Shape ``(n_rows, n_columns)``, float, NaN for empty/``nan`` cells.
    lines : numpy.ndarray
        1-based file line number of each data row.
    delimiter : str
        ``'\\t'``, ``','``, ``';'`` or ``'whitespace'``.
    """

    path: Path
    header: dict = field(default_factory=dict)
    columns: tuple | None = None
    data: np.ndarray = None
    lines: np.ndarray = None
    delimiter: str = "whitespace"

    @property
    def name(self) -> str:
        """The file name (without folders), used in messages and metadata."""
        return self.path.name

    @property
    def n_columns(self) -> int:
        return int(self.data.shape[1])

    def column_label(self, index: int) -> str:
        """A readable name for column ``index``: its header or ``'column <index>'``."""
        if self.columns is not None:
            return f"{self.columns[index]!r} (column {index})"
        return f"column {index}"


def _read_text(path: Path) -> str:
    with open(path, "rb") as fh:  # read-only, binary: never touches the file
        raw = fh.read()
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1", errors="replace")  # pragma: no cover (latin-1 decodes all)


def _is_comment(line: str) -> bool:
    s = line.lstrip()
    return s.startswith(_COMMENT_PREFIXES)


def _strip_comment(line: str) -> str:
    s = line.lstrip()
    for p in _COMMENT_PREFIXES:
        if s.startswith(p):
            return s[len(p):].lstrip("#%/ \t")
    return s


def _detect_delimiter(line: str) -> str:
    if "\t" in line.strip(" "):
        return "\t"
    if ";" in line:
        return ";"
    if "," in line:
        return ","
    return "whitespace"


def _split(line: str, delimiter: str) -> list[str]:
    s = line.strip("\r\n")
    if delimiter == "whitespace":
        return s.split()
    s = s.strip(" ")
    return [c.strip() for c in s.split(delimiter)]


def _numeric_row(line: str) -> tuple[str, list[float]] | None:
    """Cells of ``line`` as floats (with its delimiter) if every cell is numeric."""
    if not line.strip() or _is_comment(line):
        return None
    delim = _detect_delimiter(line)
    cells = _split(line, delim)
    if len(cells) > 1 and cells[-1] == "":
        cells = cells[:-1]
    values = [parse_number(c) for c in cells]
    if any(v is None for v in values):
        return None
    if all(np.isnan(v) for v in values):  # an all-empty row is not data
        return None
    return delim, values


def _split_header_row(line: str, delimiter: str, n: int) -> list[str] | None:
    cells = _split(line, delimiter)
    if len(cells) == n + 1 and cells[-1] == "":  # trailing delimiter
        cells = cells[:-1]
    if len(cells) == n:
        return cells
    if delimiter == "whitespace":
        cells = [c for c in re.split(r"\t|\s{2,}", line.strip()) if c]
        if len(cells) == n:
            return cells
    return None


def _looks_like_key_value(line: str) -> bool:
    """``key: value`` / ``key = value`` (column names never hold ':' or '=')."""
    return (":" in line or "=" in line) and _KEY_VALUE_RE.match(line) is not None


def read_table(path) -> Table:
    """Read a delimited text file with an optional preamble.

    Parameters
    ----------
    path : str or os.PathLike
        The file. It is opened read-only.

    Returns
    -------
    Table

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    DataError
        If the file is empty, holds no numeric rows, has a non-numeric cell
        or a row of the wrong length inside the data, or a column header row
        that cannot be matched to the data columns. Every message names the
        file and, where it applies, the line.
    """
    path = Path(os.fspath(path))
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a data file")
    text = _read_text(path)
    name = path.name
    if not text.strip():
        raise DataError(f"{name}: the file is empty")
    lines = text.splitlines()

    # The data start at the first numeric row, except a lone number (one cell) that the next
    # line does not continue as one-column data: that is a preamble line, not the data.
    numeric = [(i, _numeric_row(ln)) for i, ln in enumerate(lines)]
    numeric = [(i, p) for i, p in numeric if p is not None]
    start = None
    for k, (i, (delim, values)) in enumerate(numeric):
        if len(values) == 1:
            nxt = next((j for j in range(i + 1, len(lines))
                        if lines[j].strip() and not _is_comment(lines[j])), None)
            continues = nxt is None or (k + 1 < len(numeric) and numeric[k + 1][0] == nxt
                                        and len(numeric[k + 1][1][1]) == 1)
            if not continues:
                continue
        start, delimiter, first = i, delim, values
        break
    if start is None and numeric:
        start, (delimiter, first) = numeric[0]
    if start is None:
        raise DataError(
            f"{name}: no numeric data rows found in {len(lines)} line(s); expected rows of "
            "numbers separated by tabs, commas, semicolons or spaces after an optional header"
        )
    # A trailing delimiter on every data row (as LabVIEW writes) is not an empty column.
    data_lines = [ln for ln in lines[start:] if ln.strip() and not _is_comment(ln)]
    trailing = delimiter != "whitespace" and all(
        ln.rstrip(" \r\n").endswith(delimiter) for ln in data_lines)
    n = len(first) if trailing else len(_split(lines[start], delimiter))

    # Preamble: header entries, comments and the column header row.
    header: dict[str, str] = {}
    columns = None
    header_row_index = None
    plain = [i for i, ln in enumerate(lines[:start]) if ln.strip() and not _is_comment(ln)]
    comments = [i for i, ln in enumerate(lines[:start]) if _is_comment(ln)]
    if plain and not _looks_like_key_value(lines[plain[-1]]):
        i_last = plain[-1]
        names = _split_header_row(lines[i_last], delimiter, n)
        if _numeric_row(lines[i_last]) is not None:
            raise DataError(
                f"{name}: line {i_last + 1} ({lines[i_last].strip()[:60]!r}) holds numbers but "
                f"not the {n} columns of the data below it; make it a comment ('# ...') or a "
                "'key: value' header entry"
            )
        if names is None or any(parse_number(c) is not None and c for c in names):
            got = len(_split(lines[i_last], delimiter))
            raise DataError(
                f"{name}: line {i_last + 1} ({lines[i_last].strip()[:60]!r}) should be the column "
                f"header row, but it splits into {got} name(s) for {n} data column(s); separate "
                "the names with the same delimiter as the data (tab, comma, semicolon) or "
                "with two or more spaces"
            )
        columns, header_row_index = tuple(names), i_last
    elif comments and n > 1:
        i_last = comments[-1]
        body = _strip_comment(lines[i_last])
        if not _looks_like_key_value(body):
            names = _split_header_row(body, _detect_delimiter(body), n)
            if names is not None and all(parse_number(c) is None for c in names):
                columns, header_row_index = tuple(names), i_last
    for i, ln in enumerate(lines[:start]):
        if i == header_row_index or not ln.strip():
            continue
        comment = _is_comment(ln)
        body = _strip_comment(ln) if comment else ln
        m = _KEY_VALUE_RE.match(body)
        if m:
            key = m.group("key").strip()
            if key not in header:
                header[key] = m.group("value").strip()
        elif not comment:
            raise DataError(
                f"{name}: line {i + 1} ({ln.strip()[:60]!r}) is neither a 'key: value' header, "
                "a comment, nor the column header row just above the data"
            )

    # Data rows.
    rows: list[list[float]] = []
    row_lines: list[int] = []
    for i in range(start, len(lines)):
        ln = lines[i]
        if not ln.strip() or _is_comment(ln):
            continue
        cells = _split(ln, delimiter)
        if trailing:
            cells = cells[:-1]
        if len(cells) != n:
            raise DataError(
                f"{name}: line {i + 1} has {len(cells)} value(s) but the data above has {n} "
                f"column(s): {ln.strip()[:60]!r}"
            )
        values = [parse_number(c) for c in cells]
        bad = [c for c, v in zip(cells, values) if v is None]
        if bad:
            col = values.index(None)
            label = f"{columns[col]!r}" if columns else f"column {col}"
            raise DataError(
                f"{name}: line {i + 1}, {label}: {bad[0]!r} is not a number"
            )
        rows.append(values)
        row_lines.append(i + 1)
    data = np.array(rows, dtype=float).reshape(len(rows), n)
    return Table(path=path, header=header, columns=columns, data=data,
                 lines=np.array(row_lines, dtype=int), delimiter=delimiter)
