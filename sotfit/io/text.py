"""Generic reader for delimited text tables with a free-form preamble.

Instrument software writes numbers as text in many small variations. This
module turns one such file into a :class:`Table`: the header key/value pairs
(with the file line of each), the column names (if the file has a column
header row), the numbers as a 2-D float array and the file line of every data
row (for error messages). It knows nothing about physics or units;
:mod:`sotfit.io.stfmr` decides what the columns mean.

Recognised layout, top to bottom:

* a preamble of any number of

  - blank lines,
  - comment lines starting with ``#``, ``%`` or ``//``; a comment that holds
    ``key: value`` or ``key = value`` entries is also a header line,
  - ``key: value`` or ``key = value`` lines (LabVIEW-style headers such as
    ``Frequency(GHz):9.000000E+0``),
  - at most one column header row (for example ``Field (Oe),Voltage (V)``
    or ``Vmix<TAB>Field``), which must be the last non-blank, non-comment
    line before the data, or, failing that, the last comment line if it
    splits into exactly one name per column (``# field_mT vmix_uV``);

  A header line may hold several entries separated by ``;`` (or by ``,``
  when the next entry starts with a ``key:``/``key =``), mixed with free
  text, which is ignored: ``# RF frequency = 4.000 GHz ; field in-plane at
  45 deg ; lock-in (AM) detection`` gives one entry ``RF frequency`` =
  ``4.000 GHz`` (:func:`header_entries`).

* then the data: rows of numbers separated by tabs, semicolons, commas or
  white space (detected from the first data row). Blank lines and comment
  lines in the data are skipped. ``nan``, ``NaN`` and empty cells are read as
  NaN (the caller decides whether NaN is acceptable); any other non-numeric
  cell, or a row with the wrong number of cells, is an error naming the file
  and the line. In a side-by-side layout (a column header row made of pairs
  of columns with one label each, :attr:`Table.blocks`) the columns may have
  different lengths: rows may stop early, the missing cells are empty.

Before that, what instrument and plotting programs write around such a table is
taken off, each line kept in its place (so messages name the file's lines) and
each change noted (:attr:`Table.notes`): minus signs written as U+2212; a Quantum
Design MultiVu ``[Header]``/``[Data]`` file (:mod:`sotfit.io.multivu`); numbers
with decimal commas (:mod:`sotfit.io.decimal_commas`); columns of text such as
time stamps, or numbers with their unit after them in every cell, a multimeter's
``-1.2E-06VDC`` (:mod:`sotfit.io.text_columns`); a row of units under the column
names (:mod:`sotfit.io.unit_rows`). Settings written as two cells above the table
(``Frequency (Hz),1.0E10``) are header entries (:func:`name_value_pair`).

The data rows are parsed in bulk (pandas); the line-by-line parser runs only
when the bulk parse fails or meets an empty cell, and then finds the line and
column for the error message. The file is opened read-only and never modified.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path

import numpy as np

from ..data import DataError
from . import containers as _containers
from .brackets import split_outside_brackets
from . import decimal_commas as _commas
from . import digit_groups as _digit_groups
from . import fortran_exponents as _fortran_exponents
from . import igor_text as _igor_text
from . import own_formats as _own_formats
from . import padded_separators as _padded_separators
from . import row_names as _row_names
from . import text_columns as _text_columns
from . import thousands as _thousands
from . import transposed as _transposed
from . import uncertainty_cells as _uncertainty_cells
from . import unit_rows as _unit_rows
from . import preambles as _preambles
from . import table_names as _table_names
from . import sections as _sections
from .table import Table, _blocks
from .preambles import _parse_plain

__all__ = ["Table", "TruncatedRowError", "read_table", "read_tables", "table_from_text",
           "parse_number", "header_entries", "name_value_pair"]


class TruncatedRowError(DataError):
    """The last row of a table cut short (a measurement or a copy stopped in the middle of a
    line): a reader with an option that leaves such a row out adds its name to the message."""

_COMMENT_PREFIXES = ("#", "%", "//")
_KEY_VALUE_RE = re.compile(r"^\s*(?P<key>[^:=]*?[^\s:=])\s*[:=]\s*(?P<value>.*?)\s*$")
# Entries of one header line: ';' always separates; ',' only before another 'key:'/'key ='
# entry (a date 'Mon, 15 Nov' or a time '11:28' after a comma stays in its value) and outside
# brackets ('I_ac (mA, rms): 1.5' is one entry).
_ENTRY_SPLIT_RE = re.compile(r";|,(?![^(\[]*[)\]])(?=\s*[A-Za-z][^,;:=]*[:=])")
# Missing values: empty, NaN, R's NA, Excel's #N/A (#NV in a German Excel) and the '--' an
# instrument or a spreadsheet writes where it has no reading.
_NAN_TOKENS = {"", "nan", "+nan", "-nan", "na", "n/a", "#n/a", "#nv", "--"}
# The same tokens for the bulk parser, in the spellings it must not confuse with numbers.
_PANDAS_NA = sorted({t for base in _NAN_TOKENS - {""}
                     for t in (base, base.upper(), base.capitalize(), base.replace("nan", "NaN"))}
                    | {""})


#: The minus sign of typesetting (U+2212), which ``float`` does not read.
_UNICODE_MINUS = "\u2212"


def with_ascii_minus(text: str) -> tuple[str, str | None]:
    """``text`` with every typeset minus sign (U+2212, as typesetting programs and some
    exporters write it) written ``-``, and the note to give (None if there was none)."""
    if _UNICODE_MINUS not in text:
        return text, None
    return (text.replace(_UNICODE_MINUS, "-"),
            f"minus signs written as the character U+2212 ({_UNICODE_MINUS}) read as '-'")


def _pandas_exact() -> dict:
    """read_csv options for exact float parsing (pandas < 3 needs ``round_trip``)."""
    import pandas as pd

    return {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


def _unquote(cell: str) -> str:
    """A cell without the double quotes around it (``"Field (mT)"``, ``"1.5"``), as R's
    write.csv and many exporters write text, or as it is."""
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        return cell[1:-1].strip()
    return cell


def parse_number(token: str) -> float | None:
    """Parse one cell: a float, NaN for an empty/``nan`` cell, ``None`` if not numeric.

    ``inf`` is returned as a float infinity (the caller rejects non-finite
    values with a message naming the column and row).
    """
    t = _unquote(token.strip())
    if t.lower() in _NAN_TOKENS:
        return float("nan")
    try:
        return float(t)
    except ValueError:
        return None


def header_entries(text: str) -> list[tuple[str, str]]:
    """The ``key: value`` / ``key = value`` entries of one header line, in order.

    Entries are separated by ``;``, or by ``,`` when the text after the comma
    starts another entry and the comma stands inside no brackets; pieces that are not
    entries (free text) are dropped.

    Parameters
    ----------
    text : str
        The line, without its comment marker.

    Returns
    -------
    list of (key, value)
        Raw strings, stripped.

    Examples
    --------
    >>> header_entries("RF frequency = 4.000 GHz ; field in-plane at 45 deg ; lock-in (AM)")
    [('RF frequency', '4.000 GHz')]
    >>> header_entries("f: 9 GHz, P = 10 dBm")
    [('f', '9 GHz'), ('P', '10 dBm')]
    """
    out = []
    for piece in _ENTRY_SPLIT_RE.split(text):
        m = _KEY_VALUE_RE.match(piece)
        if m:
            out.append((m.group("key").strip(), m.group("value").strip()))
    return out


def _read_bytes(path: Path) -> bytes:
    from .distinct_files import refuse_special

    refuse_special(path)
    with open(path, "rb") as fh:  # read-only, binary: never touches the file
        return fh.read()


def _read_text(path: Path) -> str:
    """The text of a file, decoded as :func:`_decode` does."""
    return _decode(_read_bytes(path))


def _decode(raw: bytes) -> str:
    wide = _containers.wide_text_encoding(raw)
    if wide is not None:
        try:
            return raw.decode(wide)
        except UnicodeDecodeError:
            pass
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
    """The cells of ``line`` split at ``delimiter`` (``'whitespace'``: at runs of blanks), each
    stripped of blanks. A delimiter inside a cell in double quotes separates nothing, as CSV
    quoting says (``"Vmix (uV, lock-in X)"`` is one cell); the quotes stay on the cell
    (:func:`_unquote` takes them off). A line whose quotes do not pair is split at every
    delimiter."""
    s = line.strip("\r\n")
    if delimiter == "whitespace":
        return s.split()
    s = s.strip(" ")
    if '"' in s and delimiter in s:
        quoted = _quoted_cells(s, delimiter)
        if quoted is not None:
            return quoted
    return [c.strip() for c in s.split(delimiter)]


def _quoted_cells(s: str, delimiter: str) -> list[str] | None:
    """The cells of ``s`` split at each ``delimiter`` outside a cell that starts with a double
    quote (a doubled quote inside it is a quote), or None when such a quote never closes."""
    cells, k, n = [], 0, len(s)
    while True:
        start = k
        while k < n and s[k] == " ":
            k += 1
        if k < n and s[k] == '"':
            k += 1
            while True:
                k = s.find('"', k)
                if k < 0:
                    return None
                if s[k + 1:k + 2] != '"':
                    break
                k += 2
        end = s.find(delimiter, k)
        if end < 0:
            cells.append(s[start:].strip())
            return cells
        cells.append(s[start:end].strip())
        k = end + 1


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


_BRACKETED_RE = re.compile(r"^[(\[].*[)\]]$")


def _joined_units(tokens: list[str]) -> list[str]:
    """Blank-separated header tokens with each unit in brackets joined to the name before it
    (``Field (mT) Vmix (uV)`` as ``numpy.savetxt(header=...)`` writes it)."""
    out: list[str] = []
    for t in tokens:
        if out and _BRACKETED_RE.match(t):
            out[-1] = f"{out[-1]} {t}"
        else:
            out.append(t)
    return out


def _names_then_numbers(cells: list[str]) -> bool:
    """Whether a row is a column header row whose first cells name the columns below them and
    whose other cells are numbers, distinct and in order (``B (T),6.0E+09,8.0E+09``: a table
    pivoted by pandas, the columns named by their frequency): text cells first, each with a
    letter, then two or more numbers, all distinct and increasing or decreasing."""
    numbers = [parse_number(c) if c else None for c in cells]
    k = next((i for i, v in enumerate(numbers) if v is not None), len(cells))
    head, tail = cells[:k], numbers[k:]
    if not head or len(tail) < 2 or any(v is None for v in tail):
        return False
    if not all(_LETTER_RE.search(c) for c in head):
        return False
    steps = np.diff(np.asarray(tail, float))
    return bool(np.all(steps > 0) or np.all(steps < 0))


def _split_header_row(line: str, delimiter: str, n: int,
                      join_units: bool = True) -> list[str] | None:
    """The ``n`` column names of a header row (quotes around a name removed), or None; with
    ``join_units``, a blank-separated row may also be split at every blank with each unit in
    brackets kept with the name before it."""
    cells = [_unquote(c.strip()) for c in _split(line, delimiter)]
    if len(cells) == n + 1 and cells[-1] == "":  # trailing delimiter
        cells = cells[:-1]
    if len(cells) == n:
        return cells
    if len(cells) > n and delimiter != "whitespace" and '"' not in line:
        # a delimiter inside a unit's brackets, unquoted: 'Field (mT),Vmix (uV, lock-in X)'
        cells = [c.strip() for c in split_outside_brackets(line.strip("\r\n"), delimiter)]
        if len(cells) == n + 1 and cells[-1] == "":
            cells = cells[:-1]
        if len(cells) == n:
            return cells
    if delimiter == "whitespace":
        cells = [c for c in re.split(r"\t|\s{2,}", line.strip()) if c]
        if len(cells) == n:
            return [_unquote(c) for c in cells]
        cells = re.findall(r'"[^"]*"|\S+', line)      # "Field (mT)" "Vmix (uV)"
        if len(cells) == n and '"' in line:
            return [_unquote(c) for c in cells]
        cells = _joined_units(line.split()) if join_units else []  # Field (mT) Vmix (uV)
        if len(cells) == n:
            return cells
    return None


#: A value that is a number, alone or before a blank and its unit (``15``, ``1.0E10``, ``15 dBm``).
_LEADING_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:\s|$)")


#: A letter of any alphabet.
_LETTER_RE = re.compile(r"[^\W\d_]")


def name_value_pair(line: str, delimiter: str, numbers_only: bool = True,
                    with_unit: bool = False):
    """(name, value) of a preamble line of two cells, a name and its value, as instrument CSV
    exports write settings above a table (``Frequency (Hz),1.0E10``, ``Power;15 dBm``; empty
    cells after them, as a spreadsheet pads rows, are ignored), or None.

    Parameters
    ----------
    line : str
        The line.
    delimiter : str
        ``'\t'``, ``','`` or ``';'`` (a blank-separated line is never a pair).
    numbers_only : bool
        Whether the value must start with a number (else any text: ``Instrument,E8257D``).
    with_unit : bool
        Whether a line of three cells, a name, a number and its unit (a word of letters, alone
        or in brackets: ``Frequency<TAB>6.000000<TAB>GHz``, as a LabVIEW program writes its
        settings), is a setting too, its value the number and the unit (``'6.000000 GHz'``).

    Examples
    --------
    >>> name_value_pair("Power (dBm);15", ";")
    ('Power (dBm)', '15')
    >>> name_value_pair("Frequency\t6.000000\tGHz", "\t", with_unit=True)
    ('Frequency', '6.000000 GHz')
    """
    if delimiter not in ("\t", ",", ";") or delimiter not in line:
        return None
    cells = [_unquote(c) for c in _split(line, delimiter)]
    while len(cells) > 2 and cells[-1] == "":
        cells.pop()
    if with_unit and len(cells) == 3 and _UNIT_CELL_RE.match(cells[2]) \
            and cells[1] and (v := parse_number(cells[1])) is not None and np.isfinite(v):
        cells = [cells[0], f"{cells[1]} {cells[2].strip('()[]')}"]
    if len(cells) != 2 or not cells[0] or not cells[1] or not _LETTER_RE.search(cells[0]):
        return None         # a name holds a letter (not '-1 002,5', a number written oddly)
    if numbers_only and not _LEADING_NUMBER_RE.match(cells[1]):
        return None
    return cells[0], cells[1]


#: The third cell of a setting written as a name, a number and its unit: a word of letters
#: (``GHz``, ``dBm``, ``K``, ``ms``, ``kA/m``, ``µV``, ``%``, ``°C``), alone or in brackets.
_UNIT_CELL_RE = re.compile(r"^[(\[]?(?:%|°[CF]?|[^\W\d_]{1,5}(?:/[^\W\d_]{1,5})?)[)\]]?$")


def _looks_like_key_value(line: str) -> bool:
    """``key: value`` / ``key = value`` (column names hold ':' or '=' only as
    :func:`_names_with_one_key` says)."""
    return (":" in line or "=" in line) and _KEY_VALUE_RE.match(line) is not None


def _names_with_one_key(line: str, delimiter: str, n: int) -> bool:
    """Whether ``line`` is a row of ``n`` column names holding ':' or '=', not header entries:
    two or more of them ``key=value`` with one key (``Field (mT),f=8.0e9,f=1.0e10``: a wide
    table's columns named by a setting; entries never repeat their key: a second would be
    lost), or beside names that each write a unit in brackets (``Field (mT),Vmix 6GHz
    (uV),Vmix f=14GHz (uV)`` was read as one entry, its key three names long, and the file had
    'no column header row')."""
    from ..units import UnitError, split_header

    if delimiter == "whitespace" or n < 2:
        return False
    cells = _split(line, delimiter)
    if len(cells) != n:
        return False
    matches = [_KEY_VALUE_RE.match(c) for c in cells]
    keys = [m.group("key") for m in matches if m is not None]
    if len(keys) >= 2 and len(set(keys)) == 1:
        return True
    plain = [c for c, m in zip(cells, matches) if m is None]
    if not plain or len(plain) < len(keys):
        return False
    for c in plain:
        try:
            if split_header(_unquote(c))[1] is None:
                return False
        except UnitError:
            return False
    return True


def _is_content(line: str) -> bool:
    """Neither blank nor a comment."""
    s = line.strip()
    return bool(s) and not s.startswith(_COMMENT_PREFIXES)


_SKIPPED_LINE_RE = re.compile(r"^[^\S\n]*(?:$|#|%|//)", re.M)

def _content_rows(lines: list[str], start: int) -> list[int]:
    """Indices of the lines from ``start`` on that are neither blank nor comments."""
    if _SKIPPED_LINE_RE.search("\n".join(lines[start:])) is None:  # the usual case: none
        return list(range(start, len(lines)))
    return [i for i in range(start, len(lines)) if _is_content(lines[i])]


#: The last line of a file, after the rows, made of nothing but the characters of numbers and
#: delimiters without being a row (``-``, ``1.5e``): a row cut short by a truncated file.
_CUT_ROW = re.compile(r"^[\s0-9eE+\-.,;]*[0-9eE+\-.][\s0-9eE+\-.,;]*$")

def _first_words(lines: list[str], which) -> str:
    """The first 40 characters of the first of the lines ``which`` that holds more than
    delimiters (a spreadsheet's empty row ``,,,,,,`` above a footnote was quoted as the
    footer), for notes."""
    text = next((lines[i] for i in which if lines[i].strip(" \t,;\r\n")), lines[which[0]])
    return text.strip()[:40]


#: The most lines of text after the data read as a footer.
FOOTER_LINES = 3


def footer_lines(lines: list[str], last_first, holds_number=None) -> list[int]:
    """The footer of a table: up to :data:`FOOTER_LINES` lines at its end that hold no number
    in any cell (``END``, ``Measurement finished``, ``* values from ref. 12``), after a line
    that holds one; a line with a number stays a row of the data (its error names it). The one
    rule of every reader (ST-FMR and thickness tables, harmonic Hall files).

    Parameters
    ----------
    lines : list of str
        The lines of the table.
    last_first : iterable of int
        Indices into ``lines`` of its content lines below the column names, from the last one
        back (only as many are read as the rule needs).
    holds_number : callable, optional
        ``holds_number(line) -> bool``; by default, whether a cell of the line split at its own
        delimiter is a number (:func:`parse_number`).

    Returns
    -------
    list of int
        The footer's indices in file order; empty when the table has none.
    """
    holds = holds_number or _holds_number
    footer: list[int] = []
    for i in last_first:
        if holds(lines[i]):
            return footer[::-1]
        if len(footer) == FOOTER_LINES:
            return []
        footer.append(i)
    return []       # no line with a number: no data above a footer


def _holds_number(line: str) -> bool:
    """Whether a cell of ``line``, split at its own delimiter, is a number."""
    return any(parse_number(c) is not None for c in _split(line, _detect_delimiter(line))
               if c.strip())


def _first_cell_number(line: str) -> bool:
    """Whether the first cell of ``line``, split at its own delimiter, is a number."""
    cells = [c for c in _split(line, _detect_delimiter(line)) if c.strip()]
    return bool(cells) and parse_number(cells[0]) is not None


def _without_footer(lines: list[str], rows: list[int]) -> tuple[list[int], list[int]]:
    """The content rows from the first data row on without their footer (:func:`footer_lines`),
    and the footer's rows. Where the first row begins with a number, a last line that begins
    with a word is footer too, numbers after it or not (``Points: 720``, ``Mean,0.0100``,
    ``Measurement finished at 14:35:12``: such files were refused)."""
    holds = _first_cell_number if rows and _first_cell_number(lines[rows[0]]) else None
    footer = footer_lines(lines, reversed(rows), holds)
    return (rows[:len(rows) - len(footer)], footer) if footer else (rows, [])


def _cut_in_its_number(lines: list[str], rows: list[int], delimiter: str) -> bool:
    """Whether the last of the data ``rows`` (a file that ends without a line break) was cut
    inside its last number: the other rows write that column with a fixed width (at least
    four characters, within two of each other, as a format such as ``%.6e`` writes it) and the
    last row's number is shorter than every one of them (``1.2`` for ``1.3e-07``: a voltage a
    million times too large, which took over the resonance search)."""
    if len(rows) < 3:
        return False

    def last_cell(i):
        cells = _split(lines[i].rstrip(" \t\r\n" + ("" if delimiter == "whitespace"
                                                     else delimiter)), delimiter)
        return cells[-1].strip() if cells else ""

    widths = [len(last_cell(i)) for i in rows[-201:-1]]
    shortest = min(widths)
    return shortest >= 4 and max(widths) - shortest <= 2 and len(last_cell(rows[-1])) < shortest


def _cut_short(line: str, delimiter: str, n: int) -> bool:
    """Whether the row ``line`` splits into fewer cells than the ``n`` of the first data row
    (a row whose last cell is empty, ``1.5,``, is a row with a missing value, not cut short)."""
    return len(_split(line, delimiter)) < n


def _data_start(lines: list[str]):
    """(index, delimiter, cells) of the first data row, scanning only as far as needed.

    A lone number (one cell) that the next content line does not continue as
    one-column data is a preamble line, not the data.
    """
    first = None
    for i, ln in enumerate(lines):
        row = _numeric_row(ln)
        if row is None:
            continue
        if first is None:
            first = (i, *row)
        if len(row[1]) == 1:
            nxt = next((j for j in range(i + 1, len(lines)) if _is_content(lines[j])), None)
            if nxt is not None:
                after = _numeric_row(lines[nxt])
                if after is None or len(after[1]) != 1:
                    continue
        return i, *row
    return first


def _parse_bulk(data_lines: list[str], delimiter: str, n: int, trailing: bool):
    """All rows at once (numpy for plain numbers, else pandas), or ``None`` when the
    line-by-line parser is needed (a row of the wrong length, a cell that is not a number,
    or any missing cell)."""
    if not data_lines:
        return np.empty((0, n))
    if not trailing:
        data = _parse_plain(data_lines, delimiter, n)
        if data is not None:
            return data
    import pandas as pd  # imported here: importing sotfit.models must not load pandas

    width = n + trailing
    try:  # a long row is a ParserError, a short one leaves NaN: both go line by line
        frame = pd.read_csv(io.StringIO("\n".join(data_lines)), header=None,
                            sep=r"\s+" if delimiter == "whitespace" else delimiter,
                            dtype=float, na_values=_PANDAS_NA, keep_default_na=False,
                            quoting=csv.QUOTE_NONE, skip_blank_lines=False, **_pandas_exact())
    except (ValueError, pd.errors.ParserError):
        return None
    data = frame.to_numpy(dtype=float)
    if data.shape != (len(data_lines), width):
        return None
    if trailing:
        if not np.isnan(data[:, n]).all():
            return None
        data = data[:, :n]
    if np.isnan(data).any():
        return None
    return data


def _without_repeated_preamble(lines, start: int, rows) -> tuple[list, list]:
    """(rows kept, rows dropped): rows among the data that repeat, character for character, a
    line above the first data row ``start`` (the column names, a setting) and hold text, as
    exports appended one after another write them; any other text row stays (an error)."""
    above = {ln.strip() for ln in lines[:start] if ln.strip()}
    repeated = [i for i in rows if lines[i].strip() in above and _numeric_row(lines[i]) is None]
    if not repeated:
        return list(rows), []
    dropped = set(repeated)
    return [i for i in rows if i not in dropped], repeated


def _parse_lines(name, lines, rows, delimiter, n, trailing, columns, pad):
    """The line-by-line parser: the reference for the bulk one, and its error messages."""
    out = np.empty((len(rows), n))
    for k, i in enumerate(rows):
        ln = lines[i]
        cells = _split(ln, delimiter)
        if trailing:
            cells = cells[:-1]
        if pad and len(cells) < n:  # a side-by-side layout: the columns end at different rows
            cells = cells + [""] * (n - len(cells))
        if len(cells) != n:
            last = k == len(rows) - 1 and len(cells) < n
            raise (TruncatedRowError if last else DataError)(
                f"{name}: line {i + 1} has {len(cells)} value(s) but the data above has {n} "
                f"column(s): {ln.strip()[:60]!r}"
                + ("; it is the last row, cut short: the file looks truncated (a measurement "
                   "or a copy stopped)" if last else "")
            )
        values = [parse_number(c) for c in cells]
        if None in values:
            col = values.index(None)
            label = f"{columns[col]!r}" if columns else f"column {col}"
            raise DataError(f"{name}: line {i + 1}, {label}: {cells[col]!r} is not a number; "
                            "nothing is dropped silently: write the reading there, or remove "
                            "the line or make it a comment ('# ...')")
        out[k] = values
    return out


def _entry_row_hint(lines, plain, i, delimiter, n, header_row_index) -> str:
    """What to add to the error of the preamble line ``i`` when the line just above the data,
    ``lines[plain[-1]]``, was read as a ``key = value`` entry though it splits into the ``n``
    cells of a row of the table (``set point 2,f = 6 GHz``, a comments row below the column
    names and their units): that line is the one to fix, or ""."""
    last = plain[-1] if plain else None
    if header_row_index is not None or last is None or last <= i or delimiter == "whitespace" \
            or len(_split(lines[last], delimiter)) != n:
        return ""
    return (f"; line {last + 1} ({lines[last].strip()[:60]!r}), just above the data, splits into "
            f"{n} cells like a row of the table but holds a 'key = value' setting, so it was "
            "read as a header line and the lines above it not as the column names: fix that "
            "line (a comments row reads when its cells are settings and text without a number) "
            "or make it a comment ('# ...')")


#: A cell that separates a table's header from its rows, as text tables draw a rule (``--``,
#: ``-----``, ``=====``).
_SEPARATOR_CELL_RE = re.compile(r"[-=_~*]+")


def _missing_or_separator_cells(line: str, delimiter: str) -> list[str] | None:
    """The distinct cells of ``line`` when each is a missing value (``NaN``, ``n/a``, ``--``)
    or a rule (``-``, ``-----``, ``=====``) and it holds no number nor a name, else None."""
    cells = [c.strip() for c in _split(line, delimiter)]
    cells = [c for c in cells if c]
    if not cells:
        return None
    for c in cells:
        number = parse_number(c)
        if number is None and _SEPARATOR_CELL_RE.fullmatch(c) is None:
            return None
        if number is not None and number == number:     # a number (not NaN, a missing one)
            return None
    return list(dict.fromkeys(cells))


def _quoted_entry(line: str, delimiter: str) -> str:
    """The text of a preamble line for its entries: the line as it is, or, for a line of one
    cell in double quotes and empty cells after it (``"Frequency: 6 GHz",,,``, a spreadsheet's
    quoted entry padded to the table's width), that cell without its quotes (the closing quote
    was read into the entry's unit, ``GHz"``)."""
    if '"' not in line or delimiter == "whitespace":
        return line
    cells = _split(line, delimiter)
    while len(cells) > 1 and cells[-1] == "":
        cells.pop()
    if len(cells) == 1 and len(cells[0]) >= 2 and cells[0][0] == cells[0][-1] == '"':
        return _unquote(cells[0])
    return line


def _preamble(name: str, lines: list[str], start: int, delimiter: str, n: int):
    """(header, header_lines, columns, free text, repeats) of the lines before the first data
    row ``start`` (``n`` data columns split by ``delimiter``). Lines of prose above the column
    header row that hold one cell of the data's delimiter (tab, comma, semicolon: a title, a
    remark) are free text (their indices returned); any other line that is none of a header
    entry, a comment or the column header row is an error naming file ``name`` and the line.
    The first entry of a key is the header's; a later one of another value is in ``repeats``
    (key -> ((line, value), ...), :attr:`sotfit.io.Table.header_repeats`)."""
    header: dict[str, str] = {}
    header_lines: dict[str, int] = {}
    repeats: dict[str, tuple] = {}

    def add(key, value, line):
        if key not in header:
            header[key] = value
            header_lines[key] = line
        elif str(value).strip() != str(header[key]).strip():
            repeats[key] = repeats.get(key, ()) + ((line, value),)
    columns = None
    header_row_index = None
    # a row of delimiters only (',,,': an empty row of a spreadsheet) is a blank line
    plain = [i for i, ln in enumerate(lines[:start])
             if ln.strip(" \t,;\r") and not _is_comment(ln)]
    comments = [i for i, ln in enumerate(lines[:start]) if _is_comment(ln)]
    if plain and (not _looks_like_key_value(lines[plain[-1]])
                  or _names_with_one_key(lines[plain[-1]], delimiter, n)) \
            and name_value_pair(lines[plain[-1]], delimiter, with_unit=True) is None:
        i_last = plain[-1]
        names = _split_header_row(lines[i_last], delimiter, n)
        marks = _missing_or_separator_cells(lines[i_last], delimiter)
        if marks is not None:
            # '--\t--' under the column names: '--' is a missing value, so the row was 'neither
            # the column header row nor a row of numbers ( are not a number, ...)'; '-\t-' was
            # taken for the column names and the names above for a line of no kind
            raise DataError(
                f"{name}: line {i_last + 1} ({lines[i_last].strip()[:60]!r}) is a row of "
                f"missing values or separators only ({', '.join(map(repr, marks))}), neither "
                "the column header row nor a row of numbers, above the first row of numbers "
                f"(line {start + 1}); remove the row, or make it a comment ('# ...')")
        if _numeric_row(lines[i_last]) is not None:
            raise DataError(
                f"{name}: line {i_last + 1} ({lines[i_last].strip()[:60]!r}) holds numbers but "
                f"not the {n} columns of the data below it; make it a comment ('# ...') or a "
                "'key: value' header entry"
            )
        if names is None or (any(parse_number(c) is not None and c for c in names)
                             and not _names_then_numbers(names)):
            commas = _commas.decimal_comma_hint([lines[i_last]], i_last)
            if commas:  # numbers with decimal commas above numbers with decimal points
                raise DataError(f"{name}: {commas[2:]} (line {start + 1}, the first row read "
                                "as numbers, writes a decimal point)")
            got = len(_split(lines[i_last], delimiter))
            if names is not None and got == n:   # a row of numbers with cells of text
                text = [c for c in names if parse_number(c) is None]
                raise DataError(
                    f"{name}: line {i_last + 1} ({lines[i_last].strip()[:60]!r}) is neither the "
                    f"column header row nor a row of numbers ({', '.join(map(repr, text))} "
                    f"{'is' if len(text) == 1 else 'are'} not a number, the other cells are), "
                    f"above the first row of numbers (line {start + 1}); fix or remove the "
                    "row, or make it a comment ('# ...')")
            raise DataError(
                f"{name}: line {i_last + 1} ({lines[i_last].strip()[:60]!r}) should be the column "
                f"header row, but it splits into {got} name(s) for {n} data column(s); separate "
                "the names with the same delimiter as the data (tab, comma, semicolon) or "
                "with two or more spaces"
            )
        columns, header_row_index = tuple(names), i_last
    elif comments and n > 1:
        i_last = comments[-1]
        # QCoDeS' GNUPlot files write the shape of the data (``# 724``) below the names
        if len(comments) > 1 and comments[-2] == i_last - 1 and all(
                parse_number(c) is not None for c in _strip_comment(lines[i_last]).split()):
            i_last = comments[-2]
        body = _strip_comment(lines[i_last])
        if not _looks_like_key_value(body) \
                or _names_with_one_key(body, _detect_delimiter(body), n):
            names = _split_header_row(body, _detect_delimiter(body), n)
            if names is not None and all(parse_number(c) is None for c in names):
                columns, header_row_index = tuple(names), i_last
    # settings of two cells: with text values only in a block holding a number-valued one (a
    # two-column header row and a row below it are otherwise not told apart from a setting)
    settings = any(name_value_pair(lines[i], delimiter, with_unit=True) is not None for i in plain
                   if i != header_row_index)
    free_text: list[int] = []
    for i, ln in enumerate(lines[:start]):
        if i == header_row_index or not ln.strip(" \t,;\r\n"):     # blank, or delimiters only
            continue
        comment = _is_comment(ln)
        body = _strip_comment(ln) if comment else _quoted_entry(ln, delimiter)
        pair = None if comment else name_value_pair(ln, delimiter, numbers_only=not settings,
                                                    with_unit=True)
        if pair is not None and not any(c in pair[0] for c in ":="):
            add(pair[0], pair[1], i + 1)
            continue
        if not comment and not _KEY_VALUE_RE.match(body):
            cells = [c for c in _split(ln, delimiter) if c.strip()]
            if header_row_index is not None and i < header_row_index and delimiter != "whitespace" \
                    and (len(cells) == 1 or len(cells) != n
                         and all(parse_number(_unquote(c)) is None for c in cells)):
                free_text.append(i)     # prose above the column names: a title, a remark, an
                continue                # instrument's line of text cells (make, model, serial)
            raise DataError(
                f"{name}: line {i + 1} ({ln.strip()[:60]!r}) is neither a 'key: value' header, "
                "a setting of two cells (name and value), a comment, nor the column header row "
                "just above the data" + _entry_row_hint(lines, plain, i, delimiter, n,
                                                        header_row_index)
            )
        for key, value in header_entries(body):
            add(key, value, i + 1)
    return header, header_lines, columns, free_text, repeats


def _remarks(lines: list[str], start: int, free_text) -> tuple:
    """The preamble's comment lines as written (without their sign: an entry line too, whose
    text after a ``;`` no entry holds) and the free text above the column names
    (:attr:`Table.remarks`)."""
    out = [lines[i].strip() for i in free_text]
    for ln in lines[:start]:
        if _is_comment(ln):
            body = _strip_comment(ln).strip()
            if body:
                out.append(body)
    return tuple(out)


def read_tables(path, drop_cut_row: bool = False) -> list:
    """Every table of the file ``path`` (str or os.PathLike, opened read-only): the one of
    a text file, one per sheet with numbers of a workbook (:mod:`sotfit.io.containers`), as a
    list of :class:`Table`; errors as :func:`read_table`. ``FILE[NAME]`` reads the table
    ``NAME`` of a file of several (:mod:`sotfit.io.table_names`). With ``drop_cut_row`` the
    last row of a text table cut short (fewer cells than the first row, or a number cut to
    its sign) is left out, noted, where it is otherwise a :class:`TruncatedRowError`."""
    path, name = _table_names.named_table(path)
    tables = _all_tables(path, name, drop_cut_row)
    return tables if name is None else _table_names.chosen(
        tables, [t.sheet for t in tables], name, path)


def _all_tables(path: Path, only: str | None = None, drop_cut_row: bool = False) -> list:
    """Every table of the file ``path`` (:func:`read_tables`; ``only``: the table wanted, where
    the others need not be read; ``drop_cut_row`` as there)."""
    try:  # a folder cannot be opened: only then is it worth asking whether it is one
        raw = _containers.container_bytes(path)
    except OSError:
        if not path.is_dir():
            raise
        raise DataError(f"{path}: is a folder, not a data file") from None
    if _containers.is_binary(raw):
        return _containers.read_container(path, raw, only)
    text = _decode(raw)
    sections = _sections.split_sections(text)
    if sections is None:
        return [table_from_text(path, text, drop_cut_row=drop_cut_row)]
    return [table_from_text(path, part, sheet=label, drop_cut_row=drop_cut_row)
            for label, part in sections]


def read_table(path) -> Table:
    """Read a delimited text file with an optional preamble (or the one table of a workbook,
    MATLAB or NumPy file, :mod:`sotfit.io.containers`).

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
        that cannot be matched to the data columns; a binary file that is not read, or a
        workbook with numbers on several sheets (:func:`read_tables` reads them). Every
        message names the file and, where it applies, the line.
    """
    tables = read_tables(path)
    if len(tables) > 1:
        raise DataError(f"{tables[0].path.name}: a workbook with numbers on "
                        f"{len(tables)} sheets ({', '.join(repr(t.sheet) for t in tables)}); "
                        "read_tables reads each")
    return tables[0]


def table_from_text(path: Path, text: str, sheet: str | None = None,
                    drop_cut_row: bool = False) -> Table:
    """The Table of the text of a file (:func:`read_table`; ``sheet`` for the text of one
    sheet of a workbook, whose preamble is not remembered for the files after it;
    ``drop_cut_row`` as :func:`read_tables`)."""
    known = _preambles.read_known(path, text) if sheet is None else None
    if known is not None:
        return known
    name = path.name if sheet is None else f"{path.name}[{sheet}]"
    if not text.strip():
        raise DataError(f"{name}: the file is empty")
    text, minus_note = with_ascii_minus(text)
    notes = () if minus_note is None else (minus_note,)
    text, groups_note = _digit_groups.without_digit_groups(text)
    if groups_note is not None:
        notes = (*notes, groups_note)
    lines = text.splitlines()
    special = True                      # a format of its own, never a table in rows
    own = _own_formats.plain_lines(lines)
    if own is not None:                 # a MultiVu or a LabVIEW measurement file
        lines, note = own
        notes = (*notes, note)
    elif _igor_text.is_igor_text(lines):
        lines, note = _igor_text.igor_text_lines(name, lines)
        notes = (*notes, note)
    else:
        special = False

    found = _data_start(lines)
    commas = _commas.DIGIT_COMMA_DIGIT_RE.search(text) is not None
    if commas:
        converted = _commas.with_decimal_points(lines, found)
        if converted is not None:
            lines, notes, commas = converted[0], (*notes, converted[1]), False
            found = _data_start(lines)
    if commas and _thousands.may_hold(text, None if found is None else found[1]):
        converted = _thousands.without_thousands_commas(lines)
        if converted is not None:
            lines, notes = converted[0], (*notes, converted[1])
            found = _data_start(lines)
    if found is None:
        padded = _padded_separators.without_padded_separators(lines)
        if padded is not None:
            lines, notes = padded[0], (*notes, padded[1])
            found = _data_start(lines)
    if found is None:
        fortran = _fortran_exponents.with_e_exponents(lines)
        if fortran is not None:
            lines, notes = fortran[0], (*notes, fortran[1])
            found = _data_start(lines)
    if found is None:
        paired = _uncertainty_cells.with_uncertainty_columns(name, lines)
        if paired is not None:
            lines, notes = paired[0], (*notes, paired[1])
            found = _data_start(lines)
    plain = None if special else (lines, notes)     # a table in rows is turned from these
    if found is None:
        moved = _text_columns.with_units_from_cells(name, lines)
        if moved is not None:
            lines, notes = moved[0], (*notes, moved[1])
            found = _data_start(lines)
    if found is None:
        dropped = _text_columns.without_text_columns(lines)
        if dropped is not None:
            lines, notes = dropped[0], (*notes, dropped[1])
            found = _data_start(lines)
            if commas:      # numbers with decimal commas beside the columns of text
                converted = _commas.with_decimal_points(lines, found)
                if converted is not None:
                    lines, notes = converted[0], (*notes, converted[1])
                    found = _data_start(lines)
    if found is None:
        raise DataError(
            f"{name}: no numeric data rows found in {len(lines)} line(s); expected rows of "
            "numbers separated by tabs, commas, semicolons or spaces after an optional header"
            + _commas.decimal_comma_hint(lines))
    start, delimiter, first = found
    rows, footer = _without_footer(lines, _content_rows(lines, start))
    cut = [i for i in footer if _CUT_ROW.match(lines[i]) and not any(
        lines[j].strip() for j in range(i + 1, len(lines)))]
    if not cut and not text.endswith(("\n", "\r")) and _cut_in_its_number(lines, rows,
                                                                          delimiter):
        if not drop_cut_row:
            raise TruncatedRowError(
                f"{name}, line {rows[-1] + 1}: the data end without a line break in "
                f"{lines[rows[-1]].strip()[-30:]!r}, whose last number is shorter than every "
                "other of its column: a row cut inside its number, the file looks truncated (a "
                "measurement or a copy stopped); remove that line if the rows before it are "
                "whole")
        cut, rows = [rows[-1]], rows[:-1]
    elif cut and not drop_cut_row:
        raise TruncatedRowError(
            f"{name}, line {cut[0] + 1}: the data end in {lines[cut[0]].strip()!r}, a row cut "
            "short: the file looks truncated (a measurement or a copy stopped); remove that "
            "line if the rows before it are whole")
    if cut:
        footer = [i for i in footer if i not in cut]
    elif drop_cut_row and len(rows) > 1 and _cut_short(lines[rows[-1]], delimiter,
                                                       len(_split(lines[start], delimiter))):
        cut, rows = [rows[-1]], rows[:-1]
    if cut:
        notes = (*notes, f"line {cut[0] + 1} ({lines[cut[0]].strip()[:40]!r}), the last "
                         "row, is cut short (the file looks truncated): not read")
    if footer:
        what = ("text without a number" if not any(_holds_number(lines[i]) for i in footer)
                else "lines that begin with a word below rows that begin with numbers")
        notes = (*notes, f"line(s) {', '.join(str(i + 1) for i in footer)} after the data "
                         f"({_first_words(lines, footer)!r}) not read: {what}, a footer")
    # A trailing delimiter on every data row (as LabVIEW writes) is not an empty column.
    trailing = delimiter != "whitespace" and all(
        lines[i].rstrip(" \r\n").endswith(delimiter) for i in rows)
    n = len(first) if trailing else len(_split(lines[start], delimiter))
    if plain is not None and 2 <= len(rows) <= _transposed.MAX_ROWS and n >= _transposed.MIN_VALUES:
        turned = _transposed.transposed_lines(plain[0])
        if turned is not None:
            table = table_from_text(path, "\n".join(turned[0]), sheet)
            return dataclasses.replace(table, notes=(*plain[1], turned[1], *table.notes))
    named = _row_names.with_row_names_named(lines, start, delimiter, n)
    if named is not None:
        lines, notes = named[0], (*notes, named[1])
    joined = _unit_rows.with_units_joined(lines, start, delimiter, n)
    comments = None
    if joined is not None:
        lines, notes, comments = joined[0], (*notes, joined[2]), joined[3]

    header, header_lines, columns, free_text, repeats = _preamble(name, lines, start,
                                                                  delimiter, n)
    if repeats:     # not remembered with the preamble (a table with notes is not)
        notes = (*notes, "header entries written again with another value (the first is the "
                         "header's): " + "; ".join(
                             f"{k!r} at line {header_lines[k]} ({header[k]!r}) and "
                             + ", ".join(f"line {ln} ({v!r})" for ln, v in more)
                             for k, more in list(repeats.items())[:3]))
    remarks = _remarks(lines, start, free_text)
    if free_text:
        notes = (*notes, f"line(s) {', '.join(str(i + 1) for i in free_text)} above the column "
                         f"names read as free text, not as settings "
                         f"({', '.join(repr(lines[i].strip()[:40]) for i in free_text[:3])}"
                         f"{', ...' if len(free_text) > 3 else ''})")

    # Data rows: in bulk, else line by line (side-by-side columns of unequal length, errors).
    pad = _blocks(columns) is not None
    data = _parse_bulk([lines[i] for i in rows], delimiter, n, trailing)
    if data is None and columns is not None:
        kept, repeated = _without_repeated_preamble(lines, start, rows)
        if repeated:
            rows = kept
            notes = (*notes, f"line(s) {', '.join(str(i + 1) for i in repeated[:5])}"
                             f"{', ...' if len(repeated) > 5 else ''} repeat the column names or "
                             "settings above the table (exports appended one after another): "
                             "skipped")
            data = _parse_bulk([lines[i] for i in rows], delimiter, n, trailing)
    if data is None:
        data = _parse_lines(name, lines, rows, delimiter, n, trailing, columns, pad)
    if not notes and sheet is None:  # a preamble read with decimal points is not the text
        _preambles.remember(text, start, delimiter, n, len(first), trailing, header,
                            header_lines, columns, remarks)
    return Table(path=path, header=header, columns=columns, data=data,
                 lines=np.array(rows, dtype=int) + 1, delimiter=delimiter,
                 header_lines=header_lines, notes=notes, sheet=sheet,
                 column_comments=comments, remarks=remarks, header_repeats=repeats)
