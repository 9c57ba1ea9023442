"""The dialect of a harmonic Hall text table (its delimiter, its decimal mark, the preamble above
its column header row), and the table read with it.

A comma-separated file whose column header row is its first line that is neither blank nor a
``#`` comment is read by ``pandas.read_csv(path, comment="#")``, directly from the file. Any other
layout is read from the file's text with the same parser, its cells unchanged:

* tab-, semicolon- or blank-separated (a run of blanks; a header row whose names hold single
  blanks, ``phi (deg)``, splits on tabs or two or more blanks, or at single blanks with a unit in
  brackets kept with the name before it), found from the header row and the first data rows;
* numbers with decimal commas (``12,5``) in a tab-, semicolon- or blank-separated file, never in
  a comma-separated one; a file mixing decimal points and commas is an error naming the line;
* a preamble above the column header row of comments (``#``, ``%``, ``//``) and ``key: value``
  or ``key = value`` entries (as LabVIEW writes), skipped; any other line there is an error;
* a trailing delimiter on a row (as LabVIEW writes) is not an empty column; a row with another
  number of cells than the header row names is an error naming the line;
* a footer: up to :data:`sotfit.io.text.FOOTER_LINES` lines at the end of the file that hold no
  number in any cell (``End of measurement``), after a row with a number, are not read (a note
  names them), as the general reader (:mod:`sotfit.io.text`) leaves them out; a last line with a
  number stays a row of the table (its error names it).

The file is opened read-only and never modified.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .. import containers as _containers
from .. import multivu as _multivu
from .. import unit_rows as _unit_rows
from ..decimal_commas import number_mark, with_decimal_points
from ..digit_groups import without_digit_groups
from ..fortran_exponents import holds_d_exponents, with_e_exponents
from ..igor_text import igor_text_lines, is_igor_text
from ..labview_lvm import is_lvm, lvm_lines
from ..sections import split_sections
from ..thousands import may_hold, without_thousands_commas
from ..transposed import transposed_lines
from ..text import (_KEY_VALUE_RE, _detect_delimiter, _joined_units, _read_text,
                    _split, _split_header_row, _unquote, footer_lines, name_value_pair,
                    parse_number, with_ascii_minus)
from .scan import HallReadError
from .values import _read_csv

#: Characters read from the start of a file to find its dialect.
_HEAD_CHARS = 1 << 16
#: Data rows below the column header row that must split into as many cells as it names.
_SNIFF_ROWS = 5
#: Delimiters tried in this order before runs of blanks.
_DELIMITERS = ("\t", ";", ",")
_LAYOUT_NAMES = {"\t": "tab-separated", ";": "semicolon-separated", ",": "comma-separated",
                 "whitespace": "blank-separated"}
_COMMENTS = ("#", "%", "//")
_CELL_SPLIT_RE = re.compile(r"[\t;,\s]+")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class _Dialect:
    """Where the column header row is and how the rows split.

    Attributes
    ----------
    delimiter : str
        ``'\\t'``, ``';'``, ``','`` or ``'whitespace'`` (runs of blanks).
    header : int
        0-based index of the line holding the column header row.
    skipped : int
        Preamble lines above it other than blank lines and ``#`` comments (``key: value``
        entries, ``%`` and ``//`` comments, titles of free text).
    titles : int
        How many of those are titles of free text (``Harmonic Hall measurement of W12``).
    """

    delimiter: str
    header: int
    skipped: int
    titles: int = 0

    @property
    def plain(self) -> bool:
        """Whether ``pandas.read_csv(path, comment="#")`` reads the file as it is."""
        return self.delimiter == "," and self.skipped == 0


def _read_table(p: Path):
    """The table of Hall file ``p`` as a DataFrame, and the reader's note on its dialect.

    Parameters
    ----------
    p : pathlib.Path
        The file (read-only).

    Returns
    -------
    (pandas.DataFrame, str or None)
        The columns as named by the header row; the note (None for a plain comma CSV).
    """
    with open(p, "rb") as fh:  # read-only, binary: never touches the file
        start = fh.read(4096)
    if _containers.is_binary(start):
        return _read_workbook(p)
    head = _head_lines(p)
    text, head, rewrites = _numbers_rewritten(_read_text(p), head)
    if _multivu.is_multivu(head):
        df, note = _read_multivu(p, text)
    elif is_lvm(head):
        df, note = _read_lvm(p, text)
    elif is_igor_text(head):
        df, note = _read_igor(p, text)
    else:
        turned = transposed_lines(_lines(text))
        if turned is not None:          # a table in rows: its transpose, read from the text
            text = "\n".join(turned[0])
            head, rewrites = _head_of(text), [*rewrites, turned[1]]
        dialect = _sniff(head)
        if dialect is None and any(not _is_skipped(line) for line in head):
            raise HallReadError(f"{p}: no column header row: every line is a comment or a 'key: "
                                "value' entry; the column names go on one line above the data")
        # pandas reads the file itself only as it is: UTF-8 text, nothing rewritten (a
        # Windows-1252 file, 'phi (\xb0)', is read from the text decoded as sotfit.io.text does)
        utf8 = _is_utf8(p)
        if not utf8 and not _containers.wide_text_encoding(start):
            rewrites.append("text not UTF-8: decoded as Windows-1252")
        as_is = not (rewrites or _containers.wide_text_encoding(start)) and utf8
        if dialect is None or as_is and dialect.plain and _numbers_below(head, dialect.header) \
                and not _footer(_lines(text), dialect):
            return _read_csv(p, comment="#"), None
        df, note = _read_dialect(p, _lines(text), dialect, file_lines=True)
    return df, "; ".join([note, *rewrites])


def _is_utf8(p: Path) -> bool:
    """Whether the bytes of file ``p`` are UTF-8 text (with or without a byte-order mark)."""
    with open(p, "rb") as fh:  # read-only
        raw = fh.read()
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _numbers_rewritten(text: str, head: list[str]):
    """``text`` with its numbers written as pandas reads them (typeset minus signs, digits
    grouped by blanks or apostrophes, Fortran ``D`` exponents, commas between thousands), its
    first lines ``head`` as
    rewritten, and the notes of what was rewritten."""
    text, minus = with_ascii_minus(text)
    text, blanks = without_digit_groups(text)
    fortran = None
    if holds_d_exponents(text):             # Fortran's 1.5D+03: no parser reads it
        lines, fortran = with_e_exponents(_lines(text))
        text = "\n".join(lines)
    notes = [n for n in (minus, blanks, fortran) if n]
    if blanks is not None or fortran is not None:
        head = _lines(text)[:len(head)]
    if not _multivu.is_multivu(head):
        sniffed = _sniff(head)
        if may_hold(text, None if sniffed is None else sniffed.delimiter):
            converted = without_thousands_commas(_lines(text))
            if converted is not None:
                lines, grouped = converted
                text, head = "\n".join(lines), lines[:len(head)]
                notes.append(grouped)
        if sniffed is not None and sniffed.delimiter == "," and '"' in text:
            # "0,5" in a comma-separated file: inside the quotes a decimal comma (a
            # spreadsheet in a language that writes them, its list separator set to ',')
            converted = with_decimal_points(_lines(text), None)
            if converted is not None:
                lines, quoted = converted
                text, head = "\n".join(lines), lines[:len(head)]
                notes.append(quoted)
    return text, head, notes


def _read_multivu(p: Path, text: str):
    """The table of a Quantum Design MultiVu file (:mod:`sotfit.io.multivu`; its ``text``), and
    the note."""
    lines, note = _multivu.multivu_lines(_lines(text))
    dialect = _sniff(lines)
    if dialect is None:
        raise HallReadError(f"{p}: a Quantum Design MultiVu file with no column header row "
                            "below its [Data] line")
    df, _ = _read_dialect(p, lines, dialect)
    return df, note


def _read_lvm(p: Path, text: str):
    """The table of a LabVIEW measurement file (:mod:`sotfit.io.labview_lvm`; its ``text``),
    and the note."""
    lines, note = lvm_lines(_lines(text))
    dialect = _sniff(lines)
    if dialect is None:
        raise HallReadError(f"{p}: a LabVIEW measurement file with no table below its headers")
    df, _ = _read_dialect(p, lines, dialect)
    return df, note


def _read_igor(p: Path, text: str):
    """The table of an Igor Text file (:mod:`sotfit.io.igor_text`; its ``text``), and the note."""
    from ...data import DataError

    try:
        lines, note = igor_text_lines(p.name, _lines(text))
    except DataError as exc:
        raise HallReadError(str(exc)) from None
    dialect = _sniff(lines)
    if dialect is None:
        raise HallReadError(f"{p}: an Igor Text file with no waves sotfit can read")
    df, _ = _read_dialect(p, lines, dialect)
    return df, note


def _read_tables(p: Path):
    """Every table of Hall file ``p``: ``[(source, DataFrame, note)]``, one per sheet with
    numbers of a workbook (``source`` then ``file.xlsx[sheet]``, as the scans are named), else the
    one of :func:`_read_table` (``source`` is ``p``); ``FILE[NAME]`` reads the table ``NAME``
    of a file of several (:mod:`sotfit.io.table_names`)."""
    from ...data import DataError
    from .. import table_names

    file, name = table_names.named_table(p)
    tables = _all_tables(file, name)
    if name is None:
        return tables
    names = [None if str(src) == str(file) else str(src)[len(str(file)) + 1:-1]
             for src, *_ in tables]
    try:
        return table_names.chosen(tables, names, name, file)
    except DataError as exc:
        raise HallReadError(str(exc)) from None


def _all_tables(p: Path, only: str | None = None):
    """Every table of Hall file ``p`` (:func:`_read_tables`; ``only``: the table wanted, where
    the others need not be read)."""
    with open(p, "rb") as fh:  # read-only, binary: never touches the file
        start = fh.read(4096)
    if _containers.is_binary(start):
        raw = _containers.container_bytes(p)
        sheets = _binary_tables(p, raw, only)
        whole = len(sheets) == 1 and only is None      # named as the file itself
        return [(p if whole else Path(f"{p}[{name}]"), *_read_sheet(p, raw, name, text))
                for name, text in sheets]
    sections = split_sections(_read_text(p))
    if sections is not None:
        return [(Path(f"{p}[{label}]"), *_read_section(p, label, text))
                for label, text in sections]
    return [(p, *_read_table(p))]


def _with_preamble(p: Path, lines: list[str], dialect: _Dialect):
    """The table of ``lines`` read with ``dialect``, the lines above its first row kept with it
    (``DataFrame.attrs['preamble']``, so that its own entries, the field of its rotation, are
    read), and the parts of the reader's note that its layout adds."""
    df, note = _read_dialect(p, lines, dialect)
    first = next((i for i in range(dialect.header + 1, len(lines))
                  if not _is_skipped(lines[i]) and _has_number(lines[i])), len(lines))
    df.attrs["preamble"] = lines[:first]
    return df, note.split("; ", 1)[1:]


def _read_section(p: Path, label: str, text: str):
    """The table of section ``label`` of file ``p`` (its ``text``, :mod:`sotfit.io.sections`)
    with its preamble (:func:`_with_preamble`), and the note."""
    text, lines, rewrites = _numbers_rewritten(text, _lines(text))
    dialect = _sniff(lines)
    if dialect is None:
        raise HallReadError(f"{p}: its {label} has no column header row")
    df, more = _with_preamble(p, lines, dialect)
    parts = [f"{p.name} read as one of several tables one after another ({label})",
             *more, *rewrites]
    return df, "; ".join(parts)


def _binary_tables(p: Path, raw: bytes, only: str | None = None):
    """The tables with numbers of binary file ``p`` (bytes ``raw``): the sheets of a workbook,
    the groups of an HDF5 or TDMS file, the runs of a QCoDeS database; ``[(name, tab-separated
    text)]`` (:func:`sotfit.io.containers.container_texts`)."""
    from ...data import DataError

    try:
        return _containers.container_texts(p, raw, only)
    except DataError as exc:
        raise HallReadError(str(exc)) from None


def _read_sheet(p: Path, raw: bytes, name: str | None, text: str):
    """The table ``name`` (a sheet of a workbook, a group of an HDF5 file, a run of a QCoDeS
    database; None for the only table of a file of named vectors) of binary file ``p`` (bytes
    ``raw``; the table's ``text``, :func:`_binary_tables`) with its preamble
    (:func:`_with_preamble`), and the note."""
    origin = _containers.table_origin(raw, name)
    lines = _lines(text)
    dialect = _sniff(lines[:50])
    if dialect is None:
        raise HallReadError(f"{p}: {origin} has no column header row")
    df, more = _with_preamble(p, lines, dialect)
    return df, "; ".join([f"{p.name} read from {origin}", *more])


def _read_workbook(p: Path):
    """The table of a Hall scan saved as a workbook of one sheet with numbers or another binary
    file of one table (its text read as a tab-separated file), and the note; several tables are
    an error (:func:`_read_tables` reads them)."""
    raw = _containers.container_bytes(p)
    sheets = _binary_tables(p, raw)
    if len(sheets) > 1:
        several = _containers.several_tables(raw, [s for s, _ in sheets])
        raise HallReadError(f"{p}: {several}; one table is read here")
    return _read_sheet(p, raw, *sheets[0])


def _lines(text: str) -> list[str]:
    """The lines of ``text``, split at line ends only (as the CSV parser splits them)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _head_lines(p: Path) -> list[str]:
    """The complete lines among the first :data:`_HEAD_CHARS` bytes of ``p``."""
    with open(p, "rb") as fh:  # read-only, binary: never touches the file
        raw = fh.read(_HEAD_CHARS)
    wide = _containers.wide_text_encoding(raw)
    lines = _lines(raw.decode(wide or "utf-8-sig", errors="replace"))
    return lines[:-1] if len(raw) == _HEAD_CHARS and len(lines) > 1 else lines


def _head_of(text: str) -> list[str]:
    """The complete lines among the first :data:`_HEAD_CHARS` characters of ``text``, as
    :func:`_head_lines` gives them of a file."""
    lines = _lines(text[:_HEAD_CHARS])
    return lines[:-1] if len(text) > _HEAD_CHARS and len(lines) > 1 else lines


def _is_skipped(line: str) -> bool:
    """Blank, or a comment (``#``, ``%``, ``//``)."""
    s = line.strip()
    return not s or s.startswith(_COMMENTS)


def _is_entry(line: str) -> bool:
    """A ``key: value`` / ``key = value`` preamble entry: a key without a delimiter and with its
    brackets closed (a header row ``time (hh:mm:ss)<TAB>phi`` is none); or a setting of two
    cells, a name and a number (``Frequency (Hz),13.7``, :func:`sotfit.io.text.name_value_pair`)."""
    if any(name_value_pair(line, d) is not None for d in _DELIMITERS):
        return True
    m = _KEY_VALUE_RE.match(line)
    if m is None:
        return False
    key = m.group("key")
    # a delimiter inside the key's brackets separates nothing ('I_ac (mA, peak): 2', as
    # docs/io.md writes it, was taken for the column header row)
    outside = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", "", key)
    return (not any(c in outside for c in "\t;,") and key.count("(") == key.count(")")
            and key.count("[") == key.count("]"))


def _bare_cells(line: str) -> list[str]:
    """The cells of ``line`` split at any delimiter, without the double quotes around them."""
    return [c.strip('"') for c in _CELL_SPLIT_RE.split(line.strip()) if c.strip('"')]


def _all_numbers(line: str) -> bool:
    """Whether ``line`` holds two or more cells and every one is a number."""
    cells = _bare_cells(line)
    return len(cells) >= 2 and all(_NUMBER_RE.fullmatch(c) for c in cells)


def _has_number(line: str) -> bool:
    """Whether any cell of ``line`` is a number."""
    return any(_NUMBER_RE.fullmatch(c) for c in _bare_cells(line))


def _pair(line: str, numbers_only: bool):
    """The (name, value) of a setting of two cells (:func:`sotfit.io.text.name_value_pair`) split
    by a tab, semicolon or comma, or None."""
    return next((pair for d in _DELIMITERS
                 if (pair := name_value_pair(line, d, numbers_only)) is not None), None)


def _settings(lines: list[str]) -> set[int]:
    """Indices of the lines that are settings of two cells with a text value (``Instrument,SR830``):
    those of a run of such settings (blank lines and comments between them) that holds one with a
    number or ends at a column header row of three or more columns (``Lock-in<TAB>SR830``,
    ``Sample<TAB>Pt/Py`` above ``phi (deg)<TAB>X1 (V)<TAB>...``: LabVIEW's settings, refused as
    stray lines); a run's last line directly above a row of numbers is the column header row of a
    two-column table, not a setting."""
    out: set[int] = set()
    run: list[int] = []
    numeric = False
    for i, line in enumerate(lines + [""]):
        s = line.strip()
        if i < len(lines) and (not s or s.startswith(_COMMENTS)):
            continue
        if i < len(lines) and _pair(line, numbers_only=False) is not None:
            run.append(i)
            numeric = numeric or _pair(line, numbers_only=True) is not None
            continue
        if run and (numeric or (i < len(lines) and _wider_header(lines, i))):
            out.update(run[:-1] if i < len(lines) and _all_numbers(line) else run)
        if i < len(lines) and not _is_entry(line):
            break
        run, numeric = [], False
    return out | _short_settings(lines)


def _short_settings(lines: list[str]) -> set[int]:
    """Indices of the settings rows of two or more cells, fewer than the column header row's,
    above it (``Lock-in<TAB>SR830<TAB>GPIB0::8`` over a header of six columns: refused as a
    stray line), where every line above that header is such a row, an entry or a comment."""
    head = next((j for j in range(len(lines)) if _wider_header(lines, j)), None)
    if head is None:
        return set()
    d = next(d for d in ("\t", ";", ",") if len(_header_cells(lines[head], d)) >= 3)
    k = len(_header_cells(lines[head], d))
    above = [j for j in range(head) if not _is_skipped(lines[j]) and not _is_entry(lines[j])]
    if above and all(2 <= len(_header_cells(lines[j], d)) < k and not _all_numbers(lines[j])
                     for j in above):
        return set(above)
    return set()


def _wider_header(lines: list[str], i: int) -> bool:
    """Whether line ``i`` is a column header row of three or more cells (split by a tab,
    semicolon or comma) above a row of numbers."""
    if _all_numbers(lines[i]) or not any(len(_header_cells(lines[i], d)) >= 3
                                         for d in ("\t", ";", ",")):
        return False
    below = _following_rows(lines, i, 1)
    return bool(below) and _all_numbers(lines[below[0]])


def _header_row(lines: list[str]):
    """(index of the column header row, preamble lines other than ``#`` comments above it, how
    many of those are titles of free text), or None. The header row is the first line that is
    neither blank, a comment, a ``key: value`` entry, a setting nor a title (:func:`_is_title`);
    when that line holds numbers only, the entry just above it is the header row."""
    skipped, last_entry, titles = 0, None, 0
    settings = _settings(lines)
    for i, line in enumerate(lines):
        if not line.strip() or line.strip().startswith("#"):
            continue
        if line.strip().startswith(_COMMENTS[1:]):
            skipped += 1
        elif i in settings or _is_entry(line):
            skipped, last_entry = skipped + 1, i
        elif _all_numbers(line) and last_entry is not None:
            return last_entry, skipped - 1, titles
        elif _is_title(lines, i, settings):
            skipped, titles = skipped + 1, titles + 1
        else:
            return i, skipped, titles
    return None


def _is_title(lines: list[str], i: int, settings: set[int]) -> bool:
    """Whether line ``i`` is a title of free text above the table (``Harmonic Hall angle scan``,
    ``Keithley 6221 + SR830 x2 export``, as a LabVIEW or lab script writes one first): a line
    without tabs, semicolons or commas, holding no number or else prose (:func:`_is_prose`),
    above a line that is no setting, entry or comment and splits into two or more cells at one
    of them and is not a row of numbers (the column header row of a delimited table, which the
    title then cannot be). A title with a model number was taken for the header row and the
    file refused."""
    line = lines[i]
    if any(d in line for d in ("\t", ";", ",")) or _has_number(line) and not _is_prose(line):
        return False
    for j in range(i + 1, len(lines)):
        nxt = lines[j]
        if _is_skipped(nxt) or j in settings or _is_entry(nxt):
            continue
        # a row of numbers (decimal commas split at ',' too) is data: the line is its header
        return not _all_numbers(nxt) and any(len(_header_cells(nxt, d)) >= 2
                                             for d in ("\t", ";", ","))
    return False


#: A word of two or more letters.
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
#: A number standing alone (not inside a word: ``SR830``, ``x2``) and the word after it.
_NUMBER_WORD_RE = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\s*"
                             r"([^\s,;:()\[\]=]+)")


def _is_prose(line: str) -> bool:
    """Whether ``line`` is words, with or without numbers among them (``Keithley 6221 + SR830
    x2 export``), not a row of numbers and writing no quantity (:func:`_writes_a_quantity`)."""
    return _WORD_RE.search(line) is not None and not _all_numbers(line) \
        and not _writes_a_quantity(line)


def _writes_a_quantity(line: str) -> bool:
    """Whether ``line`` writes a number with its unit (``rotation of bar 3 at 10 mT``,
    ``5GHz``): such a line may give a setting of the file (its field), and stays an error
    naming it rather than free text read past."""
    from ..gains import _is_unit

    return any(_is_unit(m.group(1)) for m in _NUMBER_WORD_RE.finditer(line))


def _following_rows(lines: list[str], start: int, count: int) -> list[int]:
    """Indices of up to ``count`` lines after ``start`` that are neither blank nor comments."""
    out = []
    for i in range(start + 1, len(lines)):
        if not _is_skipped(lines[i]):
            out.append(i)
            if len(out) == count:
                break
    return out


def _header_cells(line: str, delimiter: str) -> list[str]:
    """The cells of a header row (a trailing delimiter names no column)."""
    cells = _split(line, delimiter)
    return cells[:-1] if len(cells) > 1 and cells[-1] == "" else cells


def _row_cells(line: str, delimiter: str, n: int) -> list[str]:
    """The cells of a data row of ``n`` columns (one trailing delimiter too many is dropped)."""
    cells = _split(line, delimiter)
    return cells[:-1] if len(cells) == n + 1 and cells[-1] == "" else cells


def _blank_header_names(line: str, n: int):
    """(names, units joined) of a blank-separated header row of ``n`` columns, or None."""
    names = _split_header_row(line, "whitespace", n, join_units=False)
    if names is not None:
        return names, False
    names = _joined_units(line.split())
    return (names, True) if len(names) == n else None


def _consistent_delimiter(header: str, rows: list[str]):
    """The delimiter that splits the header row and every row of ``rows`` into the same number
    (two or more) of cells, tried in the order tab, semicolon, comma, runs of blanks; or None."""
    for d in _DELIMITERS:
        n = len(_header_cells(header, d))
        if n >= 2 and all(len(_row_cells(r, d, n)) == n for r in rows):
            return d
    n = len(rows[0].split()) if rows else 0
    if n >= 2 and all(len(r.split()) == n for r in rows) and _blank_header_names(header, n):
        return "whitespace"
    return None


def _sniff(lines: list[str]):
    """The :class:`_Dialect` of a file from its first lines, or None (no header row found)."""
    found = _header_row(lines)
    if found is None:
        return None
    header, skipped, titles = found
    rows = [lines[i] for i in _following_rows(lines, header, _SNIFF_ROWS)]
    delimiter = _consistent_delimiter(lines[header], rows) or _detect_delimiter(lines[header])
    return _Dialect(delimiter, header, skipped, titles)


def _check_header_above_data(p: Path, lines: list[str], header: int, first_row: int) -> None:
    """Refuse a header row whose next line holds no number: it is a stray preamble line."""
    if not _has_number(lines[first_row]):
        raise HallReadError(
            f"{p}: line {header + 1} ({lines[header].strip()[:60]!r}) is neither a comment ('#', "
            f"'%', '//'), a 'key: value' entry, nor the column header row (line {first_row + 1} "
            f"below it holds no numbers{_header_row_below(lines, first_row)}); make line "
            f"{header + 1} a comment or remove it")


def _header_row_below(lines: list[str], row: int) -> str:
    """Where line ``row``, which holds no numbers, is itself the column header row (the next
    line that is no comment holds numbers), the words that say so (``: it looks like the
    column header row, the numbers start on line 3``), else nothing: the message named only
    the line below, as if the numbers were missing."""
    below = _following_rows(lines, row, 1)
    if not below or not _has_number(lines[below[0]]):
        return ""
    return (f": it looks like the column header row, the numbers start on line "
            f"{below[0] + 1}")


def _names(p: Path, lines: list[str], d: _Dialect, data: list[int]):
    """(column names, units joined) of the header row; blank-separated names are counted by
    the first data row."""
    line = lines[d.header]
    if d.delimiter != "whitespace":
        return _header_cells(line, d.delimiter), False
    n = len(lines[data[0]].split()) if data else len(line.split())
    found = _blank_header_names(line, n)
    if found is None:
        raise HallReadError(
            f"{p}: line {d.header + 1}, the column header row ({line.strip()[:60]!r}), does not "
            f"split into the {n} columns of the blank-separated data below it; separate names "
            "that hold blanks with tabs or two or more blanks")
    return found


def _row_text(p: Path, lines: list[str], i: int, d: _Dialect, n: int) -> str:
    """Line ``i`` as a row of ``n`` cells for the parser (a ``#`` comment at its end left out);
    another number of cells is an error."""
    line = lines[i].split("#", 1)[0].rstrip(" \t") if "#" in lines[i] else lines[i]
    cells = _row_cells(line, d.delimiter, n)
    if len(cells) != n:
        raise HallReadError(
            f"{p}: line {i + 1} has {len(cells)} cell(s) but the column header row (line "
            f"{d.header + 1}) names {n} {_LAYOUT_NAMES[d.delimiter]} column(s): "
            f"{lines[i].strip()[:60]!r}; give every row one cell per column")
    if d.delimiter == "whitespace":
        return "\t".join(cells)
    return line.rstrip(" ")[:-1] if len(_split(line, d.delimiter)) == n + 1 else line


def _decimal_mark(p: Path, lines: list[str], data: list[int], delimiter: str) -> str:
    """The decimal mark of the numbers of rows ``data``: a comma only in a file that is not
    comma-separated; a file writing both is an error naming the first line of the second."""
    if delimiter == "," or not any("," in lines[i] for i in data):
        return "."
    first: dict = {}
    for i in data:
        for cell in _split(lines[i], delimiter):
            cell = _unquote(cell)       # a number in double quotes is written the same
            mark = number_mark(cell)
            if mark is not None and mark not in first:
                first[mark] = (i, cell)
        if len(first) == 2:
            (i0, c0), (i1, c1) = sorted(first.values())
            raise HallReadError(
                f"{p}: line {i1 + 1} writes {c1!r} with a decimal "
                f"{'comma' if number_mark(c1) == ',' else 'point'}, but line {i0 + 1} writes "
                f"{c0!r} with a decimal {'comma' if number_mark(c0) == ',' else 'point'}; write "
                "every number of the file with the same decimal mark")
    return "," if "," in first else "."


def _dialect_note(p: Path, d: _Dialect, decimal: str, units_joined: bool) -> str:
    """What the reader decided about the layout of ``p``, for ``meta['reader_notes']``."""
    parts = [f"read as {_LAYOUT_NAMES[d.delimiter]}"
             + (" with decimal commas" if decimal == "," else "")]
    if units_joined:
        parts.append("column names split at blanks, each unit in brackets kept with its name")
    if d.skipped:
        parts.append(f"{d.skipped} preamble line(s) above the column header row (line "
                     f"{d.header + 1}) skipped as comments and 'key: value' entries"
                     + (f" ({d.titles} a title of free text)" if d.titles else ""))
    return f"{p.name} " + "; ".join(parts)


def _numbers_below(lines: list[str], header: int) -> bool:
    """Whether the first line below line ``header`` that is neither blank nor a comment holds a
    number (or there is none among ``lines``), and the first rows below it split into as many
    comma-separated cells as the header row (a trailing comma on the data rows alone would
    make pandas take the first column as the index and shift the names)."""
    below = _following_rows(lines, header, _SNIFF_ROWS)
    if not below:
        return True
    def count(line):        # comma-separated cells, a comma inside quotes not splitting
        return len(next(csv.reader([line]), []))

    n = count(lines[header])
    return _has_number(lines[below[0]]) and all(count(lines[i]) == n for i in below)


def _with_unit_row(lines: list[str], d: _Dialect, data: list[int]):
    """(lines, dialect, note) of a table whose column names are followed by a row of units
    (:mod:`sotfit.io.unit_rows`), the units written into the names; None for any other."""
    start = next((i for i in data if _has_number(lines[i])), None)
    if start is None:
        return None
    cells = _split(lines[start], d.delimiter)
    n = len(cells) - (len(cells) > 1 and cells[-1] == "")      # a trailing delimiter is no cell
    joined = _unit_rows.with_units_joined(lines, start, d.delimiter, n)
    if joined is None or joined[1] < d.header:
        return None
    return joined[0], _Dialect(d.delimiter, joined[1], d.skipped, d.titles), joined[2]


def _footer(lines: list[str], d: _Dialect) -> list[int]:
    """The footer of a table (``lines``, its column header row and delimiter in ``d``):
    :func:`sotfit.io.text.footer_lines` of its lines below the column header row that are
    neither blank nor comments, a cell split at the table's delimiter or at the line's own
    counting as a number (:func:`_holds_number`)."""
    last_first = (i for i in range(len(lines) - 1, d.header, -1) if not _is_skipped(lines[i]))
    return footer_lines(lines, last_first, lambda line: _holds_number(line, d.delimiter))


def _holds_number(line: str, delimiter: str) -> bool:
    """Whether a cell of ``line`` (split at ``delimiter`` or at the line's own delimiter) is a
    number: as :func:`sotfit.io.text.parse_number` reads it (``nan`` too), or with a decimal
    comma."""
    for delim in dict.fromkeys((delimiter, _detect_delimiter(line))):
        for cell in _split(line, delim):
            c = _unquote(cell.strip()).strip()
            if c and (parse_number(c) is not None or _NUMBER_RE.fullmatch(c)):
                return True
    return False


def _footer_note(lines: list[str], footer: list[int], file_lines: bool) -> str:
    """The note on the footer lines left out (named by their line when ``lines`` are the file's)."""
    where = (f"line(s) {', '.join(str(i + 1) for i in footer)}" if file_lines
             else f"the last {len(footer)} line(s)")
    return (f"{where} after the data ({lines[footer[0]].strip()[:40]!r}) not read: text without "
            "a number, a footer")


def _read_dialect(p: Path, lines: list[str], d: _Dialect, file_lines: bool = False):
    """The table of ``p`` read with dialect ``d`` (a layout other than a plain comma CSV), and
    the note saying how it was read.

    Parameters
    ----------
    p : pathlib.Path
        The file, for messages.
    lines : list of str
        The lines of the table (the file's, a section's or a sheet's).
    d : _Dialect
        Where the column header row is and how the rows split.
    file_lines : bool
        Whether ``lines`` are the lines of the file as it stands: then the table keeps the file
        line (1-based) of each of its rows in ``DataFrame.attrs['lines']`` for messages, and
        the note names the footer's lines.
    """
    data = [i for i in range(d.header + 1, len(lines)) if not _is_skipped(lines[i])]
    units_note = None
    if data and not _has_number(lines[data[0]]):
        joined = _with_unit_row(lines, d, data)
        if joined is not None:
            lines, d, units_note = joined
            data = [i for i in range(d.header + 1, len(lines)) if not _is_skipped(lines[i])]
    footer = _footer(lines, d)
    if footer:
        data = [i for i in data if i < footer[0]]
    if data:
        _check_header_above_data(p, lines, d.header, data[0])
    names, units_joined = _names(p, lines, d, data)
    if not data:
        raise HallReadError(f"{p}: header only, no data rows (columns: {', '.join(names)})")
    rows = [_row_text(p, lines, i, d, len(names)) for i in data]
    decimal = _decimal_mark(p, lines, data, d.delimiter)
    sep = "\t" if d.delimiter == "whitespace" else d.delimiter
    header = sep.join(names) if d.delimiter == "whitespace" else _row_header_text(lines[d.header], d)
    text = "\n".join([header, *rows])
    grouped = {"thousands": "."} if decimal == "," else {}   # -1.934,5 (a point alone is refused)
    df = _read_csv(p, source=io.StringIO(text), sep=sep, decimal=decimal, comment="#", **grouped)
    if file_lines and len(df) == len(data):
        df.attrs["lines"] = [i + 1 for i in data]
    note = _dialect_note(p, d, decimal, units_joined)
    parts = [note, units_note, _footer_note(lines, footer, file_lines) if footer else None]
    return df, "; ".join(x for x in parts if x)


def _row_header_text(line: str, d: _Dialect) -> str:
    """The header row without a trailing delimiter."""
    s = line.rstrip(" ")
    return s[:-1] if len(_split(line, d.delimiter)) > 1 and s.endswith(d.delimiter) else line
