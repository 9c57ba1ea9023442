"""Runs of a QCoDeS database (the SQLite ``.db`` file QCoDeS measurements write).

QCoDeS keeps every measurement run of a set of experiments in one SQLite file: the table
``runs`` names each run, its experiment and the table of its results, and describes its
parameters (``run_description``: name, unit, label, type, what each depends on); metadata a
user added to a run (``dataset.add_metadata("frequency_GHz", 10)``) are further columns of
``runs``. A results table holds one column per parameter, numbers (``numeric``) or one NumPy
array per row (``array``, the whole sweep in one row).

:func:`qcodes_runs` reads every run with data as one table: its parameters as columns, named
with their units (``field (mT)``, ``vmix (uV)``; the independent ones first), and as header
entries the experiment, the sample, the run's name and id and its metadata; a database of
several runs gives one table per run, named ``run 3 sweep_10GHz``, so that a frequency in the
run's name is found as in a file name. Rows of array parameters are joined in order.

Python's own ``sqlite3`` reads the file in SQLite's read-only mode, as immutable (no lock
taken, no file written beside it), and only the rows of the runs wanted, so that a database
larger than memory is read; a database with a write-ahead log beside it (``run.db-wal``,
written by a measurement that is still open) is read without ``immutable``, so that the rows in
the log are seen.
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import numpy as np

from ..data import DataError
from .containers import _cell
from . import table_names

__all__ = ["qcodes_runs"]

#: Columns of QCoDeS' ``runs`` table that are bookkeeping, not metadata of a measurement.
_RUN_COLUMNS = {"run_id", "exp_id", "name", "result_table_name", "result_counter",
                "run_timestamp", "completed_timestamp", "is_completed", "parameters", "guid",
                "run_description", "snapshot", "captured_run_id", "captured_counter",
                "parent_datasets", "measurement_exception", "inspectr_tag"}


def _connect(path: Path) -> sqlite3.Connection:
    """A read-only connection to the database ``path``: immutable (no lock, no file beside it
    written) unless a write-ahead log beside it holds rows still to be read."""
    wal = Path(f"{path}-wal")
    live = wal.is_file() and wal.stat().st_size > 0
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro{'' if live else '&immutable=1'}",
                           uri=True)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _parameters(description: str | None) -> list[dict]:
    """The parameter specs of a run (name, paramtype, unit, depends_on), independent first."""
    try:
        specs = json.loads(description or "{}").get("interdependencies", {}).get("paramspecs", [])
    except (ValueError, AttributeError):
        specs = []
    specs = [s for s in specs if isinstance(s, dict) and "name" in s]
    needed = {d for s in specs for d in s.get("depends_on", [])}
    return sorted(specs, key=lambda s: (s["name"] not in needed, s.get("depends_on") != []))


def _column(values: list, paramtype: str):
    """A result column's values as one float vector (arrays of the rows joined), or None for
    text and complex values."""
    if paramtype == "array" or any(isinstance(v, bytes) for v in values):
        parts = []
        for v in values:
            if v is None:
                continue
            if not isinstance(v, bytes):
                parts.append(np.atleast_1d(np.asarray(v, dtype=float)))
                continue
            try:
                a = np.load(io.BytesIO(v), allow_pickle=False)
            except (ValueError, OSError):
                return None
            if a.dtype.kind not in "biuf":
                return None
            parts.append(np.ravel(a).astype(float))
        return np.concatenate(parts) if parts else None
    if paramtype not in ("numeric", ""):
        return None
    try:
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    except (TypeError, ValueError):
        return None


def _header_text(value) -> str | None:
    """A run's metadata value as a header entry, as a workbook cell is written
    (:func:`sotfit.io.containers._cell`: integers as integers, floats in full); None for none
    and for a blob."""
    return None if value is None or isinstance(value, bytes) else (_cell(value) or None)


def qcodes_runs(path: Path, only: str | None = None
                ) -> list[tuple[str | None, dict, dict, dict, tuple]]:
    """The runs with data of a QCoDeS database, each as (name or None for a database of one
    run, variables, units, header entries, notes); with ``only`` (``run 3``, a run's name:
    :mod:`sotfit.io.table_names`), the runs it names, each with its name, the others not read.

    Parameters
    ----------
    path : pathlib.Path
        The database file (read by SQLite, never written).
    only : str, optional
        The name of the runs wanted (:mod:`sotfit.io.table_names`).

    Returns
    -------
    list of (str or None, dict, dict, dict, tuple of str)
        Per run with rows: ``run <id> <name>`` (``None`` for a database of one run), parameter
        name -> float vector (independent parameters first), name -> unit, the header
        entries (experiment, sample, run name and id, the run's metadata), and the note on
        the runs left out for want of rows (the same for every run).

    Raises
    ------
    DataError
        For an SQLite file that is not a QCoDeS database (naming its tables), one that cannot
        be read, or one without a run with rows.
    """
    con = None
    try:
        con = _connect(path)
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as exc:
        if con is not None:
            con.close()
        raise DataError(f"{path.name}: an SQLite database that cannot be read ({exc})") from None
    try:
        if not {"runs", "experiments"} <= tables:
            raise DataError(f"{path.name}: an SQLite database that is not a QCoDeS database "
                            f"(tables: {', '.join(sorted(tables)) or 'none'}); export the "
                            "sweep as a CSV or tab-separated table")
        cur = con.execute("SELECT * FROM runs ORDER BY run_id")
        names = [c[0] for c in cur.description]
        runs = [dict(zip(names, row)) for row in cur.fetchall()]
        experiments = {r[0]: r[1:] for r in con.execute(
            "SELECT exp_id, name, sample_name FROM experiments")}
        if only is not None:
            labels = [_run_label(run) for run in runs]
            runs = [r for r, label in zip(runs, labels) if table_names.matches(label, only)]
            if not runs:
                table_names.chosen([], labels, only, path)      # the error naming the runs
        found, empty = [], []
        for run in runs:
            got = _run_table(con, run, experiments, tables)
            (found if got is not None else empty).append(got or run.get("run_id"))
    except sqlite3.Error as exc:
        raise DataError(f"{path.name}: a QCoDeS database that cannot be read ({exc})") from None
    finally:
        con.close()
    if not found:
        raise DataError(f"{path.name}: a QCoDeS database without a run with numbers "
                        f"({len(runs)} run(s){': ids ' + ', '.join(map(str, empty)) if empty else ''})")
    notes = ((f"run(s) {', '.join(map(str, empty))} of the database left out: no rows of "
              "numbers",) if empty else ())
    if len(found) == 1 and only is None:
        name, variables, units, header, own = found[0]
        return [(None, variables, units, header, (*own, *notes))]
    return [(*run[:4], (*run[4], *notes)) for run in found]


def _run_table(con, run: dict, experiments: dict, tables: set):
    """(name, variables, units, header, notes) of one run, or None for a run without
    numbers."""
    table = run.get("result_table_name")
    if table not in tables:
        return None
    specs = _parameters(run.get("run_description"))
    cur = con.execute(f"SELECT * FROM {_quoted(table)} ORDER BY id")
    columns = [c[0] for c in cur.description]
    rows = cur.fetchall()
    if not rows:
        return None
    by_name = {s["name"]: s for s in specs if s["name"] in columns}
    for c in columns:
        if c != "id" and c not in by_name:
            by_name[c] = {"name": c, "paramtype": "", "depends_on": []}
    variables, header, notes = _run_columns(rows, columns, by_name)
    if not variables:
        return None
    units = {k: by_name[k]["unit"] for k in variables if by_name[k].get("unit")}
    exp_name, sample = experiments.get(run.get("exp_id"), (None, None))
    entries = {"experiment": exp_name, "sample": sample, "run_name": run.get("name"),
               "run_id": run.get("run_id")}
    entries |= {k: v for k, v in run.items() if k not in _RUN_COLUMNS}
    entries = {k: t for k, v in entries.items() if (t := _header_text(v)) is not None}
    return _run_label(run), variables, units, entries | header, notes


def _run_label(run: dict) -> str:
    """The name of a run's table: ``run 3 sweep_10GHz`` (``run 3`` for a run without a name)."""
    return f"run {run.get('run_id')}" + (f" {run['name']}" if run.get("name") else "")


def _run_columns(rows: list, columns: list, specs: dict) -> tuple[dict, dict, tuple]:
    """The columns of a run's results as QCoDeS stores them (each dependent parameter in rows
    of its own with its setpoints, each standalone parameter in rows of its own): the setpoints
    of the first dependent, every dependent measured at the same setpoints, and the standalone
    parameters with one value per point; a standalone parameter of one value throughout is a
    header entry (``field (mT): 5``). Returns (name -> vector, header entries, notes on what
    is left out)."""
    def values(name: str, where: list) -> np.ndarray | None:
        j = columns.index(name)
        return _column([rows[i][j] for i in where], specs[name].get("paramtype", ""))

    def filled(name: str) -> list:
        j = columns.index(name)
        return [i for i, r in enumerate(rows) if r[j] is not None]

    dependents = [n for n, s in specs.items() if s.get("depends_on")
                  and all(d in specs for d in s["depends_on"])]
    setpoints = {d for n in dependents for d in specs[n]["depends_on"]}
    variables: dict = {}
    left: list[str] = []
    if dependents:
        first = dependents[0]
        where = filled(first)
        axes = {d: values(d, where) for d in specs[first]["depends_on"]}
        if all(v is not None for v in axes.values()):
            variables |= axes
        for name in dependents:
            mine = filled(name)
            same = specs[name]["depends_on"] == specs[first]["depends_on"] and (
                mine == where or all(np.array_equal(values(d, mine), axes[d], equal_nan=True)
                                     for d in axes))
            vector = values(name, mine) if same else None
            if vector is not None and all(vector.size == a.size for a in axes.values()):
                variables[name] = vector
            else:
                left.append(name)
    header = {}
    n = len(next(iter(variables.values()))) if variables else None
    for name in specs:
        if name in variables or name in dependents or name in setpoints or name in left:
            continue
        vector = values(name, filled(name))
        if vector is None or vector.size == 0:
            continue
        if n is None or vector.size == n:
            variables[name] = vector
        elif np.all(vector == vector[0]):
            unit = specs[name].get("unit")
            header[f"{name} ({unit})" if unit else name] = repr(float(vector[0]))
        else:
            left.append(name)
    notes = ((f"parameter(s) {left} left out: not measured at the setpoints of the columns "
              "read",) if left else ())
    return variables, header, notes
