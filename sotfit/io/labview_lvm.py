"""LabVIEW measurement files (``.lvm`` as LabVIEW's Write To Measurement File writes them),
read as the tab- or comma-separated tables they hold.

Such a file opens with ``LabVIEW Measurement`` and a file header of ``key<TAB>value`` lines
(``Separator``, ``Decimal_Separator``, ``X_Columns``, ``Operator``, ``Description``, ``Date``, ...)
ending in ``***End_of_Header***``; then each segment has a header of its own (``Channels``,
``Samples``, ``Date``, ``Y_Unit_Label``, ``X_Dimension``, ``X0``, ``Delta_X``) ending in
``***End_of_Header***``, a column header row (``X_Value<TAB>Field (Oe)<TAB>Vmix<TAB>Comment``)
and the data rows.

:func:`lvm_lines` turns the lines of such a file into lines the text readers take as they are:
every header line a comment ``# key: value`` (so that an entry such as ``Description`` is read
as any header entry), the column header row without its ``Comment`` name, every data row
without its comment cell and written with decimal points, and the column header row of a later
segment that repeats the first blank (its rows join the table; a segment that names other
columns keeps its row, which the reader then names in its error). Every line keeps its place,
so line numbers in messages are those of the file. The file itself is never modified.
"""

from __future__ import annotations

__all__ = ["is_lvm", "lvm_lines"]

_MAGIC = "labview measurement"
_END = "***end_of_header***"


def is_lvm(lines) -> bool:
    """Whether the first line of ``lines`` that is not blank is ``LabVIEW Measurement`` (a
    tab or comma after it, case ignored)."""
    first = next((ln for ln in lines if ln.strip()), "")
    return first.strip().rstrip("\t,").strip().lower() == _MAGIC


def _settings(lines: list[str]) -> dict:
    """The file header's ``Separator`` (``tab``/``comma``) and ``Decimal_Separator``, read up
    to the first ``***End_of_Header***`` (the ``X_Columns`` it declares show in the column
    header row)."""
    out = {"separator": "tab", "decimal_separator": "."}
    for ln in lines:
        if _is_end(ln):
            break
        cells = [c.strip() for c in (ln.split("\t") if "\t" in ln else ln.split(",", 1))]
        key = cells[0].lower()
        if len(cells) >= 2 and key in out and cells[1]:
            out[key] = cells[1] if key == "decimal_separator" else cells[1].lower()
    return out


def _is_end(line: str) -> bool:
    return line.strip().rstrip("\t,").strip().lower() == _END


def _names_of(cells: list[str]) -> list[str]:
    """The column names of a column header row without its ``Comment`` name, a repeated
    ``X_Value`` (one per channel, ``X_Columns  Multi``) numbered."""
    if cells and cells[-1].strip().lower() == "comment":
        cells = cells[:-1]
    while cells and not cells[-1].strip():
        cells = cells[:-1]
    seen: dict[str, int] = {}
    out = []
    for c in cells:
        c = c.strip()
        seen[c] = seen.get(c, 0) + 1
        out.append(c if seen[c] == 1 else f"{c} {seen[c]}")
    return out


def _with_units(names: list[str], units: list[str]) -> tuple[list[str], bool]:
    """The column names with the units of a segment's ``Y_Unit_Label`` line (``Field`` and
    ``Oe`` -> ``Field (Oe)``), for a table of one X column (``X_Value``) and one column per
    channel, when the channels' labels differ (one label for all is LabVIEW's default); names
    that write a unit of their own keep it. Such files were refused as having no unit
    although the file states them."""
    given = [u for u in units[:len(names) - 1] if u]
    if not given or len(set(given)) < 2 or not names or names[0].strip().lower() != "x_value" \
            or len(units) < len(names) - 1:
        # one label for every channel is LabVIEW's default ('Volts' for a DAQ channel of any
        # quantity), which says nothing of the field's unit
        return names, False
    out, done = list(names), False
    for j in range(1, len(names)):
        u = units[j - 1]
        if u and "(" not in names[j] and "[" not in names[j]:
            out[j], done = f"{names[j]} ({u})", True
    return out, done


def lvm_lines(lines: list[str]):
    """The lines of a LabVIEW measurement file as a plain table, and the note to give.

    Parameters
    ----------
    lines : list of str
        The file's lines (:func:`is_lvm` is true of them).

    Returns
    -------
    (list of str, str)
        The lines, as many as given, and what was done to them.
    """
    settings = _settings(lines)
    sep = "," if settings["separator"] == "comma" else "\t"
    comma_decimals = settings["decimal_separator"] == "," and sep == "\t"
    out: list[str] = []
    names: list[str] | None = None
    header_row = None
    in_header, segments, comments = True, 0, 0
    units: list[str] = []           # the first segment's Y_Unit_Label, one per channel
    labelled = False
    for i, ln in enumerate(lines):
        if in_header:
            if ln.split(sep)[0].strip().lower() == "y_unit_label" and not units:
                units = [c.strip() for c in ln.split(sep)[1:]]
            if _is_end(ln):
                out.append("")
                nxt = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
                first = lines[nxt].split(sep)[0].strip().lower() if nxt is not None else ""
                in_header = first == "channels"      # a segment header follows the file's
                continue
            cells = [c.strip() for c in ln.split(sep)]
            if not ln.strip() or cells[0].lower() == _MAGIC:
                out.append("")
            else:
                value = " ".join(c for c in cells[1:] if c)
                out.append(f"# {cells[0]}: {value}" if value else f"# {cells[0]}")
            continue
        if not ln.strip():
            out.append(ln)
            continue
        cells = ln.split(sep)
        if cells[0].strip().lower() == "channels":        # the header of a later segment
            in_header = True
            out.append(f"# {' '.join(c.strip() for c in cells if c.strip())}")
            continue
        if names is None:
            names, header_row, segments = _names_of(cells), i, 1
            names, labelled = _with_units(names, units)
            out.append("\t".join(names))
            continue
        if cells[0].strip() == names[0] and _with_units(_names_of(cells), units)[0] == names:
            out.append("")
            segments += 1
            continue
        n = len(names)
        if len(cells) > n and any(c.strip() for c in cells[n:]):
            comments += 1
        row = [c.strip() for c in cells[:n]] if len(cells) >= n else [c.strip() for c in cells]
        if comma_decimals:
            row = [c.replace(",", ".") for c in row]
        out.append("\t".join(row))
    parts = ["a LabVIEW measurement file (.lvm), read from its table"
             + (f" (line {header_row + 1}: the column header row)" if header_row is not None
                else "")]
    if labelled:
        parts.append("the units of the channels from the segment's Y_Unit_Label line")
    if segments > 1:
        parts.append(f"{segments} segments with the same columns read as one table")
    if comma_decimals:
        parts.append("decimal commas read as points (Decimal_Separator ',')")
    if comments:
        parts.append(f"its Comment column left out ({comments} row(s) hold a comment)")
    return out, "; ".join(parts)
