"""``sotfit tables``: what sotfit reads in laboratory files, before any analysis.

For every table of every file given (a text file, each sheet of a workbook, each group of an
HDF5 or TDMS file, each run of a QCoDeS database, each section of a file of appended sweeps;
folders expanded as ``sotfit stfmr`` expands them; ``FILE[NAME]`` for one table of a file of
several), prints the name the outputs give it, its rows and columns (with the units the
headers write and the quantity of each unit), its header entries, what the reader noted and the
file's path, as the table reader of ``sotfit stfmr`` reads them (and where ``sotfit hall`` reads
a column of words the ST-FMR reader leaves out, a sweep axis or an m_z state, a note says so). Use it to see how a foreign file
is read and which names to give ``--column``, ``--column-unit`` and ``FILE[NAME]``. Nothing is
written; ``--json`` prints the same as JSON. Exit status 2 when a file cannot be read (the
others are still listed).
"""

from __future__ import annotations

import json
import sys

__all__ = ["add_parser", "run", "describe"]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "tables", help="list the tables, columns and header entries read from files",
        description=__doc__.split("\n\n")[0] + "\n\n" + __doc__.split("\n\n")[1])
    p.add_argument("files", nargs="+", metavar="FILES",
                   help="files or folders; FILE[NAME] for one table of a file of several")
    p.add_argument("--json", action="store_true", help="print the tables as JSON")
    p.set_defaults(func=run)


def describe(table) -> dict:
    """The description of one table (:class:`sotfit.io.Table`): name, rows, columns with
    units, header entries and notes."""
    from ..units import UnitError, dimension_of, split_header, trailing_power_advice, written_unit

    pairs = table.blocks
    columns, advice = [], {}
    comments = table.column_comments or ("",) * table.n_columns
    for raw, comment in zip(table.columns or [f"column {j}" for j in range(table.n_columns)],
                            comments):
        unit = quantity = None
        if table.columns and pairs is None:     # a pair's label names a spectrum, not a unit
            try:
                unit = split_header(raw)[1]
                quantity = None if unit is None else dimension_of(unit)
            except UnitError:                   # a unit sotfit does not know: shown as written
                unit = written_unit(raw)
                said = None if unit is None else trailing_power_advice(unit)
                if said is not None:            # 'Ohm^-1 m^-1 x 10^5': what to write instead
                    advice.setdefault(said, []).append(repr(raw))
        columns.append({"name": raw, "unit": unit, "quantity": quantity,
                        **({"comment": comment} if comment else {})})
    from ..io.stfmr.files import _is_lvm_layout

    notes = list(table.notes) + [f"{', '.join(names)}: {said}" for said, names in advice.items()]
    if pairs is not None:
        notes.insert(0, f"{len(pairs)} side-by-side column pairs, each labelled by its spectrum "
                        f"({', '.join(repr(b[0]) for b in pairs[:3])}"
                        f"{', ...' if len(pairs) > 3 else ''}): sotfit stfmr reads each pair as "
                        "the field then V_mix, the frequency from the label, the units from "
                        "options")
    elif _is_lvm_layout(table):
        notes.insert(0, "the LabVIEW ST-FMR layout (.lvm, a preamble, two unnamed columns): "
                        "sotfit stfmr reads column 0 as the field in Oe and column 1 as V_mix "
                        "in V, unless options say otherwise")
    elif not table.columns:
        notes.insert(0, "no column header row: give the columns by 0-based index "
                        "(--column ROLE=0) and their units")
    if pairs is None:
        notes += _missing_cells(table)
    notes += _hall_word_columns(notes)
    return {"table": table.name, "file": str(table.path), "rows": int(table.data.shape[0]),
            "columns": columns, "header": dict(table.header), "notes": notes}


def _missing_cells(table) -> list[str]:
    """A note per column with empty or non-finite cells (which ``sotfit hall`` and ``sotfit
    stfmr`` refuse in a column they read, naming ``--drop-incomplete-rows``): the table was
    listed as complete."""
    import numpy as np

    out = []
    data = np.asarray(table.data, float)
    for j in range(data.shape[1] if data.ndim == 2 else 0):
        bad = np.flatnonzero(~np.isfinite(data[:, j]))
        if bad.size:
            where = (f"line(s) {', '.join(str(int(n)) for n in np.asarray(table.lines)[bad][:5])}"
                     if table.lines is not None else
                     f"data row(s) {', '.join(str(int(i) + 1) for i in bad[:5])}")
            out.append(f"{table.column_label(j)}: {bad.size} empty or non-finite cell(s) at "
                       f"{where}{', ...' if bad.size > 5 else ''}; sotfit hall and sotfit stfmr "
                       "refuse them in a column they read, or leave those rows out with "
                       "--drop-incomplete-rows")
    return out


def _hall_word_columns(notes) -> list[str]:
    """What ``sotfit hall`` makes of the columns of words the table reader leaves out (its note
    "column(s) of text not read: 'axis' (text such as 'x'), ..."): a sweep axis (x/y) or an
    m_z state (up/down) of field sweeps, which the Hall reader reads by their names
    (:data:`sotfit.io.hall.columns._AXIS_NAMES`, ``_STATE_NAMES``)."""
    import re

    from ..io.hall.columns import _AXIS_NAMES, _STATE_NAMES, _compact

    out = []
    for n in notes:
        if "of text not read:" not in n:
            continue
        for name in re.findall(r"'((?:[^'\\]|\\.)*)' \(text such as", n):
            role = ("the sweep axis of field sweeps (x/y)" if _compact(name) in _AXIS_NAMES else
                    "the m_z state of field sweeps (up/down, +1/-1)"
                    if _compact(name) in _STATE_NAMES else None)
            if role is not None:
                out.append(f"sotfit hall reads {name!r} as {role}; 'text not read' is what "
                           "the ST-FMR reader makes of it")
    return out


def _short(value: str, limit: int = 100) -> str:
    """A header value for the eye: cut after ``limit`` characters, saying how long it is (a
    snapshot of every instrument's settings can fill pages; ``--json`` keeps it whole)."""
    return value if len(value) <= limit else f"{value[:limit]}... ({len(value)} characters)"


def _text(d: dict) -> str:
    """One table as the lines a user reads."""
    lines = [f"{d['table']}: {d['rows']} rows x {len(d['columns'])} columns"]
    for c in d["columns"]:
        unit = f"  [{c['unit']}: {c['quantity'] or 'unit not known'}]" if c["unit"] else \
            "  [no unit]"
        comment = f"  comment {c['comment']!r}" if c.get("comment") else ""
        lines.append(f"  column  {c['name']}{unit}{comment}")
    lines += [f"  header  {k} = {_short(v)}" for k, v in d["header"].items()]
    lines += [f"  note    {n}" for n in d["notes"]]
    lines.append(f"  file    {d['file']}")
    return "\n".join(lines)


def run(args) -> int:
    from ..data import DataError
    from ..io.stfmr.files import _expand
    from ..io.text import read_tables
    from ..units import UnitError

    status, found = 0, []
    for given in args.files:
        try:
            files = _expand([given])
        except (DataError, FileNotFoundError) as exc:
            print(f"sotfit tables: error: {exc}", file=sys.stderr)
            status = 2
            continue
        for f in files:
            try:
                tables = read_tables(f)
            except (DataError, UnitError, OSError) as exc:
                # the reader names the file by its name; the path tells sample_A/repeat_1.csv
                # from sample_B/repeat_1.csv
                where = "" if str(exc).startswith(str(f)) else f" ({f})"
                print(f"sotfit tables: error: {exc}{where}", file=sys.stderr)
                status = 2
                continue
            for t in tables:
                d = describe(t)
                found.append(d)
                if not args.json:
                    print(_text(d))
    if args.json:
        print(json.dumps(found, indent=2))
    return status
