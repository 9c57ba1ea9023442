"""Columns whose cells write a value with its uncertainty (``0.00986(89)``, ``0.00986 +/- 0.00089``,
``0.00986 ± 0.00089``), as papers and lab notebooks write the tables of a thickness series:
each such column is read as two, its values and their uncertainties.

The text reader (:mod:`sotfit.io.text`) reads rows of numbers; a table whose efficiency columns
write such cells has none, and was refused as "no numeric data rows" (``0.00986(89)``) or read
with those columns left out as text (``0.00986 +/- 0.00089``), where ``sotfit thickness`` reads
it. :func:`with_uncertainty_columns` reads the cells with the parser of the thickness reader
(:func:`sotfit.io.thickness.cells.with_uncertainty`) and writes each as two cells; the row of
column names gets the name of the uncertainty column after the value column's (``xi_dl (1)``
beside ``xi_dl err (1)``, in the unit of the values). Each line keeps its place, so line numbers
in messages are those of the file; the file itself is never modified.
"""

from __future__ import annotations

from . import text as _text

__all__ = ["with_uncertainty_columns", "error_column_name", "ERROR_SUFFIX"]

#: The word added to a column's name to name the column of its uncertainties.
ERROR_SUFFIX = "err"


def _cell(cell: str) -> str:
    """A cell without its blanks and quotes."""
    return _text._unquote(cell.strip())


def _missing(cell: str) -> bool:
    """Whether a cell holds no value, as the thickness reader or the text reader says."""
    from .thickness import cells as _cells

    c = _cell(cell)
    return _cells.is_missing(c) or c.lower() in _text._NAN_TOKENS


def error_column_name(name: str) -> str:
    """The name of the column of uncertainties of the value column ``name``: ``xi_dl (1)`` ->
    ``xi_dl err (1)``, ``xi_DL^E [10^5 S/m]`` -> ``xi_DL^E err [10^5 S/m]``, ``xi_E_DL +/- err
    (S/m)`` -> ``xi_E_DL err (S/m)`` (a name that says its cells hold the uncertainty too)."""
    from ..units import _header_match
    from .thickness.table import _PLUS_MINUS_NAME_RE

    label = name.strip()
    m = _header_match(label)
    base, unit = (label, "") if m is None else (m.group("name").strip(),
                                                label[m.end("name"):])
    said = _PLUS_MINUS_NAME_RE.match(base)
    if said is not None:
        base = said.group("base")
    return f"{base} {ERROR_SUFFIX}{unit}"


def _blank_separated_block(lines: list[str]):
    """The table at the end of a blank-separated file (``4 0.00986(89)``) as
    :func:`sotfit.io.text_columns._table_block` gives a delimited one, its rows to be written
    with tabs, or None.

    The rows are the lines at the end (above a footer) of as many cells as the last, every
    cell a number, a value with its uncertainty in one word (``0.00986(89)``, ``9.86(89)e-3``,
    ``0.00986±0.00089``) or a missing marker; the line above them, split into as many names as
    the text reader splits a header row (two or more blanks, a tab, or a unit in brackets kept
    with its name: ``thickness (nm) xi_dl``), names the columns. A cell ``0.00986 +/- 0.00089``
    with blanks is three cells here and is not guessed at: such tables need another delimiter."""
    from .thickness import cells as _cells

    content = [i for i, ln in enumerate(lines) if _text._is_content(ln)]
    footer = _text.footer_lines(lines, reversed(content))
    content = content[:len(content) - len(footer)]
    if not content or _text._detect_delimiter(lines[content[-1]]) != "whitespace":
        return None
    n = len(lines[content[-1]].split())
    rows: list[tuple[int, list[str]]] = []
    for i in reversed(content):
        cells = lines[i].split()
        if len(cells) != n or not all(_cells.holds_number(c) or _missing(c) for c in cells):
            break
        rows.insert(0, (i, cells))
    if not rows or n < 2:
        return None
    above = [i for i in content if i < rows[0][0]]
    if above:
        names = _text._split_header_row(lines[above[-1]], "whitespace", n)
        if names is not None and not any(_cells.holds_number(c) for c in names):
            rows.insert(0, (above[-1], names))
    return "\t", False, n, rows, None, None, None


def with_uncertainty_columns(name: str, lines: list[str]):
    """The lines of a table with columns of cells that write a value with its uncertainty,
    each such column written as two (the values, then their uncertainties), and the note to
    give; None for any other file.

    A column is read so when, under the row of column names, a cell of it writes a value with
    its uncertainty; its other cells must too, or hold no value (empty, ``NaN``, ``-``, ...:
    both new cells are then empty).

    Parameters
    ----------
    name : str
        The file's name, for messages.
    lines : list of str
        The file's lines.

    Returns
    -------
    (list of str, str) or None
        The lines, as many as given, and the note naming the columns.

    Raises
    ------
    DataError
        When a cell of such a column writes a number without its uncertainty (a point without
        its error, which ``sotfit thickness`` refuses too).
    """
    from ..data import DataError
    from .text_columns import _table_block
    from .thickness import cells as _cells

    found = _table_block(lines)
    if found is None:
        found = _blank_separated_block(lines)
    if found is None:
        return None
    delimiter, _, n, block, _, _, _ = found
    paired = [[_cells.with_uncertainty(_cell(c)) for c in cells] for _, cells in block]
    first = next((j for j, row in enumerate(paired) if any(v is not None for v in row)), None)
    if first is None:
        return None
    header = first - 1 if first > 0 and not any(
        _cells.holds_number(_cell(c)) for c in block[first - 1][1]) else None
    columns = [k for k in range(n) if any(row[k] is not None for row in paired[first:])]
    names = [_cell(c) for c in block[header][1]] if header is not None else None
    for j in range(first, len(block)):
        i, cells = block[j]
        for k in columns:
            if paired[j][k] is None and _cells.number(_cell(cells[k])) is not None:
                label = repr(names[k]) if names else f"column {k}"
                example = _cell(next(block[jj][1][k] for jj in range(first, len(block))
                                     if paired[jj][k] is not None))
                raise DataError(
                    f"{name}: line {i + 1}, {label}: {_cell(cells[k])!r} is a value without "
                    f"its uncertainty, where the column writes values with theirs "
                    f"({example!r}); write its uncertainty there (a point without its error "
                    "cannot be weighted)")
    out = list(lines)
    if header is not None:
        i, _ = block[header]
        out[i] = delimiter.join(x for k, c in enumerate(names) for x in (
            (c, error_column_name(c)) if k in columns else (c,)))
    for j in range(first, len(block)):
        i, cells = block[j]
        row = []
        for k, c in enumerate(cells):
            if k not in columns:
                row.append(c)
            elif paired[j][k] is not None:
                row += [repr(paired[j][k][0]), repr(paired[j][k][1])]
            else:       # no value (checked above: missing, or text the parser names)
                row += ["" if _missing(c) else c, ""]
        out[i] = delimiter.join(row)
    example = {k: next(_cell(block[j][1][k]) for j in range(first, len(block))
                       if paired[j][k] is not None) for k in columns}
    shown = ", ".join(
        (f"{names[k]!r} as {names[k]!r} and {error_column_name(names[k])!r}" if names
         else f"column {k}") + f" ({example[k]!r})" for k in columns)
    return out, (f"{len(columns)} column(s) of cells that write a value with its uncertainty "
                 f"read as two columns each, the values and their standard errors, as sotfit "
                 f"thickness reads them: {shown}; sotfit thickness reads such a column by its "
                 "own name")
