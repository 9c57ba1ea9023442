"""Tables saved in binary containers: spreadsheets, MATLAB, NumPy, HDF5 and TDMS files and
QCoDeS databases.

Labs save measured sweeps as Excel workbooks (``.xlsx``, one sheet or one sheet per
frequency), MATLAB ``.mat`` files (one vector per quantity) or NumPy ``.npz`` archives as often
as text. :func:`sotfit.io.read_table` hands such a file here, recognised by its first bytes
(not by its extension):

* a **workbook** (``.xlsx``/``.xlsm`` through ``openpyxl``, ``.xls`` through ``xlrd``, read
  by pandas; ``pip install "sotfit[excel]"``): each sheet is written as tab-separated text
  (numbers in full, ``repr``, so the values are the bits the workbook holds; a two-cell row
  ``Frequency (GHz) | 10`` as the header entry ``Frequency (GHz): 10``) and read as a text
  table, with its preamble, column header row and units; empty sheets are skipped, and the
  sheet name takes part in the table's name (``run.xlsx[10 GHz]``), so a frequency in it is
  found as in a file name;
* a **MATLAB file** (level 5, ``scipy.io.loadmat``) or **NumPy archive** (``.npz``, ``.npy``,
  without pickles): vectors of one length are the columns, named by their variables
  (``field_mT``, ``vmix_uV``; an N x k matrix ``data`` gives ``data[0]`` ... ``data[k-1]``),
  numbers and text of one element are header entries (``frequency_GHz = 10``). Vectors of
  other lengths are left out with a note.

* an **HDF5 file** (a MATLAB 7.3 ``.mat`` and a netCDF-4 ``.nc`` among them,
  :mod:`sotfit.io.hdf5_files`, ``pip install "sotfit[hdf5]"``), a **LabVIEW TDMS file**
  (:mod:`sotfit.io.tdms_files`, ``pip install "sotfit[tdms]"``) or a **QCoDeS database**
  (:mod:`sotfit.io.qcodes_db`): each group of vectors of one length, or each run, is a table
  read as the vectors of a MATLAB file are, named with their units where the file gives them;
* an **Igor binary wave** (``.ibw``, :mod:`sotfit.io.igor_binary`, no extra package): a wave
  and its x scaling, or a matrix of labelled columns, read the same way.

The readers of their own (harmonic Hall, thickness tables) take every one of these as
tab-separated text (:func:`container_texts`). Any other binary file is an error that names
the file, what it is and what to do. The file is opened read-only and never modified.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections import Counter

import numpy as np

from ..data import DataError
from .igor_binary import ibw_groups, is_igor_binary

__all__ = ["container_bytes", "container_texts", "is_binary", "read_container"]

_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # OLE2 compound file (Excel 97-2003)
_HDF5 = b"\x89HDF\r\n\x1a\n"
_NPY = b"\x93NUMPY"
_ZIP = b"PK\x03\x04"
_GZIP = b"\x1f\x8b"
_SQLITE = b"SQLite format 3\x00"
_TDMS_INDEX = b"TDSh"                        # the index file written beside a TDMS data file
_TDMS = (b"TDSm", _TDMS_INDEX)


def wide_text_encoding(raw: bytes) -> str | None:
    """The encoding of text written two or four bytes to a character, as some Windows programs
    save it: ``'utf-32'`` or ``'utf-16'`` after their byte-order mark (when most of the
    first 4 kB are then ASCII characters, as the digits and delimiters of a table are),
    ``'utf-16-le'`` or ``'utf-16-be'`` without one (half or more of every other byte of the
    first 4 kB NULs, none of the rest: text mostly of the Latin alphabet, typeset minus signs
    and the like beside it); else None."""
    for mark, encoding in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                           (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(mark):
            text = raw[:4096].decode(encoding, errors="replace")[1:]
            ascii_chars = sum(ch < "\x80" for ch in text)
            return encoding if text and ascii_chars >= 0.5 * len(text) else None
    head = raw[:4096]
    head = head[:len(head) - len(head) % 2]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.5 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.5 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def container_bytes(path) -> bytes:
    """The bytes of file ``path`` that the readers take: the whole file, but for an SQLite
    database its first 4 kB only (SQLite reads the rest itself, :mod:`sotfit.io.qcodes_db`: a
    lab's database of every measurement may be larger than memory). Opened read-only; a
    device, a pipe or a socket is refused before it is opened (``read_table('/dev/zero')``
    read until memory ran out)."""
    from .distinct_files import refuse_special

    refuse_special(path)
    with open(path, "rb") as fh:  # read-only, binary: never touches the file
        head = fh.read(4096)
        return head if head.startswith(_SQLITE) else head + fh.read()


def is_binary(raw: bytes) -> bool:
    """Whether the bytes of a file are not text: a NUL byte among the first 4 kB, or the start
    of a container this module knows; text in UTF-16 or UTF-32 (:func:`wide_text_encoding`)
    is text."""
    head = raw[:4096]
    if head.startswith((_ZIP, _GZIP, _XLS, _NPY, _HDF5, _SQLITE, *_TDMS)):
        return True
    return b"\x00" in head and wide_text_encoding(head) is None


def _kind(raw: bytes) -> str:
    """What a binary file is: 'workbook', 'xls', 'mat', 'mat73', 'npz', 'npy', 'hdf5',
    'sqlite', 'tdms', 'ibw', 'zip', 'gzip' or 'binary'."""
    if raw.startswith(_ZIP):
        try:
            names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
        except zipfile.BadZipFile:
            return "binary"
        if any(n.startswith("xl/") for n in names):
            return "workbook"
        if names and all(n.endswith(".npy") for n in names):
            return "npz"
        return "zip"
    if raw.startswith(_XLS):
        return "xls"
    if raw.startswith(_NPY):
        return "npy"
    if raw[:116].startswith(b"MATLAB 7.3") or raw[512:520] == _HDF5:
        return "mat73"
    if raw.startswith(b"MATLAB 5.0") or (raw[:4] and 0 not in raw[:4] and raw[124:128] in
                                         (b"\x00\x01IM", b"\x01\x00MI")):
        return "mat"
    if raw.startswith(_HDF5):
        return "hdf5"
    if raw.startswith(_SQLITE):
        return "sqlite"
    if raw.startswith(_TDMS):
        return "tdms"
    if raw.startswith(_GZIP):
        return "gzip"
    if is_igor_binary(raw):
        return "ibw"
    return "binary"


_ADVICE = {
    "zip": "a zip archive that is neither a workbook nor a NumPy archive: unpack it and give the "
           "files inside",
    "gzip": "a gzip-compressed file: decompress it (gunzip, or 7-Zip) and give the file inside",
    "binary": "a binary file, not a text table: give the exported CSV, tab-separated or .dat "
              "table, a workbook (.xlsx), a MATLAB .mat, NumPy .npz, HDF5, LabVIEW .tdms or Igor "
              ".ibw file or a QCoDeS database",
}


def read_container(path, raw: bytes, only: str | None = None) -> list:
    """The tables of a binary file (one per sheet with data for a workbook).

    Parameters
    ----------
    path : pathlib.Path
        The file.
    raw : bytes
        Its bytes (:func:`is_binary` is true).
    only : str, optional
        The name of the table wanted (:mod:`sotfit.io.table_names`): the runs of a QCoDeS
        database that it does not name are not read.

    Returns
    -------
    list of sotfit.io.Table

    Raises
    ------
    DataError
        For a container that is not read (with what to do), an empty one, or one whose tables
        hold no data; naming the file (and sheet).
    """
    kind = _kind(raw)
    if kind in ("workbook", "xls"):
        return _workbook_tables(path, kind)
    if kind in _VECTOR_FILES:
        groups = _vector_groups(path, raw, kind, only)
        return [_named_vectors_table(path, variables, kind, units, header, name, notes)
                for name, variables, units, header, notes in groups]
    raise DataError(f"{path.name}: {_ADVICE[kind]}")


# ----------------------------------------------------------------------------------------
# Workbooks
# ----------------------------------------------------------------------------------------

def _workbook_tables(path, kind: str) -> list:
    """One table per sheet that holds numbers, each read as tab-separated text."""
    from .text import table_from_text

    sheets = _sheet_texts(path, kind)
    named = len(sheets) > 1
    return [table_from_text(path, text, sheet=sheet if named else None)
            for sheet, text in sheets]


#: Each kind of binary file of tables in words, and what its tables are called.
_KINDS = {"workbook": ("a workbook", "sheet"), "xls": ("a workbook", "sheet"),
          "mat": ("a MATLAB file", "table"), "mat73": ("a MATLAB 7.3 file", "group"),
          "npz": ("a NumPy file", "table"), "npy": ("a NumPy file", "table"),
          "hdf5": ("an HDF5 file", "group"), "tdms": ("a LabVIEW TDMS file", "group"),
          "sqlite": ("a QCoDeS database", "run"), "ibw": ("an Igor binary wave", "wave")}


def several_tables(raw: bytes, names) -> str:
    """The words for a binary file of several tables ``names``: ``a workbook with numbers on 2
    sheets ('8 GHz', '10 GHz')``, ``a QCoDeS database of 3 runs with numbers (...)``."""
    what, part = _KINDS.get(_kind(raw), ("a file", "table"))
    listed = ", ".join(repr(n) for n in names)
    if part == "sheet":
        return f"{what} with numbers on {len(names)} sheets ({listed})"
    return f"{what} of {len(names)} {part}s with numbers ({listed})"


def table_origin(raw: bytes, name: str | None) -> str:
    """Where a table of the binary file whose bytes are ``raw`` comes from, for notes: ``the
    sheet '10 GHz' of a workbook``, ``run 3 sweep_10GHz of a QCoDeS database`` (a run's name
    says it is one), ``an HDF5 file``."""
    what, part = _KINDS.get(_kind(raw), ("a binary file", "table"))
    if name is None:
        return what
    return f"{name if part == 'run' else f'the {part} {name!r}'} of {what}"


def container_texts(path, raw: bytes, only: str | None = None) -> list[tuple[str | None, str]]:
    """(name, tab-separated text) of each table of the binary file ``path`` whose bytes are
    ``raw``, for readers of their own (the harmonic Hall and thickness tables): each sheet with
    numbers of a workbook, each group of vectors of a MATLAB, NumPy or HDF5 file, each run of a
    QCoDeS database (name None for the only table of a file of named vectors).

    Raises
    ------
    DataError
        For a file that is none of these, an unreadable one, or one without numbers.
    """
    kind = _kind(raw)
    if kind in ("workbook", "xls"):
        return _sheet_texts(path, kind)
    if kind in _VECTOR_FILES:
        return [(name, _vectors_text(path, variables, kind, units, header, name, notes))
                for name, variables, units, header, notes
                in _vector_groups(path, raw, kind, only)]
    raise DataError(f"{path.name}: {_ADVICE.get(kind, _ADVICE['binary'])}")


def _sheet_texts(path, kind: str) -> list[tuple[str, str]]:
    """(sheet name, text) of the sheets of a workbook that hold numbers (:func:`_sheet_text`)."""
    import pandas as pd

    engine = "openpyxl" if kind == "workbook" else "xlrd"
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine=engine)
    except ImportError:
        raise DataError(f"{path.name}: an Excel workbook; reading it needs the package "
                        f"{engine} (pip install \"sotfit[excel]\"), or save the sheet as CSV "
                        "or tab-separated text") from None
    except Exception as exc:  # noqa: BLE001 - a broken workbook: say which and why
        raise DataError(f"{path.name}: an Excel workbook that cannot be read ({exc})") from None
    texts = [(str(sheet), _sheet_text(frame)) for sheet, frame in sheets.items()]
    texts = [(sheet, text) for sheet, text in texts if _holds_number(text)]
    if not texts:
        raise DataError(f"{path.name}: no sheet of the workbook holds numbers "
                        f"(sheets: {', '.join(map(repr, map(str, sheets)))})")
    return texts


def _holds_number(text: str) -> bool:
    """Whether a sheet's text has a cell that is a number (a sheet of notes, ``Py/Pt bar 3``,
    has none)."""
    for cell in text.replace("\n", "\t").split("\t"):
        try:
            float(cell)
        except ValueError:
            # numbers stored as text with a decimal comma ('0,123': a German Excel's text
            # cells), which the text reader reads as it does in a CSV file
            if _DECIMAL_COMMA_CELL.match(cell.strip()):
                return True
            continue
        return True
    return False


#: A number written with a decimal comma (``-0,485``, ``1,5E-07``).
_DECIMAL_COMMA_CELL = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")


def _cell(value) -> str:
    """A workbook cell as text: numbers in full (``repr``), empty cells empty, text without
    tabs or line breaks."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return " ".join(str(value).split())


def _sheet_text(frame) -> str:
    """The rows of a sheet (``pandas.read_excel(header=None)``) as tab-separated lines, empty
    rows and columns at the edges left out; a row of one text cell and one number (a setting
    written beside its name) as ``name: number``."""
    rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    used = [j for j in range(frame.shape[1]) if any(r[j] for r in rows)]
    if not used:
        return ""
    rows = [r[used[0]:used[-1] + 1] for r in rows]
    lines = []
    for r in rows:
        filled = [c for c in r if c]
        if not filled:
            lines.append("")
        elif len(filled) == 2 and _is_setting(*filled):
            key, value = filled
            lines.append(f"{key} {value}" if key.endswith((":", "=")) else f"{key}: {value}")
        else:
            lines.append("\t".join(r))
    return "\n".join(lines).strip("\n") + "\n"


def _is_setting(key: str, value: str) -> bool:
    """Whether two cells are a setting beside its name (``Frequency (GHz)``, ``10``)."""
    from .text import parse_number

    return (parse_number(key) is None and key[:1].isalpha() and ":" not in key[:-1]
            and parse_number(value) is not None)


# ----------------------------------------------------------------------------------------
# MATLAB and NumPy files
# ----------------------------------------------------------------------------------------

def _variables(path, raw: bytes, kind: str) -> dict:
    """Name -> array of the variables of a MATLAB level-5 file or a NumPy archive."""
    try:
        if kind == "mat":
            from scipy.io import loadmat

            found = loadmat(io.BytesIO(raw), squeeze_me=True, chars_as_strings=True)
            return _struct_arrays({k: v for k, v in found.items() if not k.startswith("__")})
        found = np.load(io.BytesIO(raw), allow_pickle=False)
        if kind == "npy":
            return {"data": np.asarray(found)}
        with found:
            return {k: np.asarray(found[k]) for k in found.files}
    except Exception as exc:  # noqa: BLE001 - a broken or pickled file: say which and why
        what = "MATLAB file" if kind == "mat" else "NumPy file"
        raise DataError(f"{path.name}: a {what} that cannot be read ({exc})") from None


def _struct_arrays(variables: dict) -> dict:
    """A MATLAB struct array of sweeps (``S(k).freq_GHz``, ``S(k).H_mT``, ``S(k).V_uV``: a
    number and vectors of one length in each element) as the columns of one long table,
    ``H_mT`` and ``V_uV`` (``S.H_mT`` where another variable has the name) one element after
    another and each number repeated along its
    element's rows; any other variable as it is. Before: "a MATLAB file without two vectors
    of one length"."""
    out = {}
    for name, value in variables.items():
        a = np.asarray(value)
        fields = a.dtype.names
        if not fields or a.size < 2:
            out[name] = value
            continue
        columns: dict = {f: [] for f in fields}
        for element in a.ravel():
            parts = {f: np.atleast_1d(np.asarray(element[f])) for f in fields}
            numeric = {f: p for f, p in parts.items() if p.dtype.kind in "biuf"}
            sizes = {p.size for p in numeric.values() if p.size > 1}
            if len(sizes) != 1:
                out[name] = value       # not a struct of sweeps: left as it is
                break
            n = sizes.pop()
            for f in fields:
                p = numeric.get(f)
                columns[f].append(p.astype(float) if p is not None and p.size == n else
                                  np.full(n, float(p[0])) if p is not None and p.size == 1
                                  else np.full(n, np.nan))
        else:
            for f, parts in columns.items():
                joined = np.concatenate(parts)
                if not np.all(np.isnan(joined)):     # named by the field, as the columns are
                    out[f if f not in variables and f not in out else f"{name}.{f}"] = joined
    return out


def _one_text(value) -> str | None:
    """A one-element text (str or bytes, or an array of one) as str; else None."""
    a = np.asarray(value)
    if a.size != 1 or a.dtype.kind not in "USO":
        return None
    v = a.reshape(())[()]
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace")
    return v if isinstance(v, str) else None


def _one_entry(value) -> str | None:
    """A header entry of a one-element array of a file of named vectors (MATLAB, NumPy, HDF5):
    its text, or its number in full as a float (``repr``); else None."""
    text = _one_text(value)
    if text is not None:
        return text
    a = np.asarray(value)
    return repr(float(a.reshape(())[()])) if a.size == 1 and a.dtype.kind in "biuf" else None


def _columns_of(name: str, value) -> tuple[list, list, str | None]:
    """(column names, vectors, header value) of one variable: a vector is a column, an N x k
    matrix (k <= 8, N > k, either way round) k columns ``name[j]``, one number or a text a
    header value (:func:`_one_entry`); anything else gives nothing."""
    a = np.asarray(value)
    if a.size == 1:
        return [], [], _one_entry(a)
    if a.dtype.kind not in "biuf":
        return [], [], None
    if a.ndim == 1:
        return [name], [a.astype(float)], None
    if a.ndim == 2:
        m = a if a.shape[0] >= a.shape[1] else a.T
        if m.shape[1] <= 8 and m.shape[0] > m.shape[1]:
            return [f"{name}[{j}]" for j in range(m.shape[1])], list(m.T.astype(float)), None
    return [], [], None


#: The kinds of file of named vectors (their words: :data:`_KINDS`).
_VECTOR_FILES = {"mat", "npz", "npy", "hdf5", "mat73", "sqlite", "tdms", "ibw"}


def _vector_groups(path, raw: bytes, kind: str, only: str | None = None) -> list[tuple]:
    """The groups of named vectors of a MATLAB, NumPy or HDF5 file or QCoDeS database:
    ``[(name or None, variables, units, header entries, notes)]``; ``only`` names the table
    wanted where the others need not be read (the runs of a QCoDeS database)."""
    if kind in ("hdf5", "mat73"):
        from .hdf5_files import hdf5_groups

        return hdf5_groups(path, raw)
    if kind == "sqlite":
        from .qcodes_db import qcodes_runs

        return qcodes_runs(path, only)
    if kind == "tdms":
        from .tdms_files import tdms_groups

        return tdms_groups(path, raw)
    if kind == "ibw":
        return ibw_groups(path, raw)
    return [(None, _variables(path, raw, kind), {}, {}, ())]


def _matrix_on_axes(variables: dict, notes: tuple) -> tuple[dict, tuple]:
    """A matrix laid on two axis vectors (``vmix`` 6 x 1401 beside ``frequency`` of 6 and
    ``field`` of 1401, a 2D map saved without dimension scales) as one row per point: the
    axes repeated and the matrix unrolled, noted; any other group as it is. One matrix, both
    axes of lengths that no other vector has, and the two lengths different."""
    arrays = {n: np.asarray(v) for n, v in variables.items()}
    mats = [n for n, a in arrays.items() if a.ndim == 2 and a.dtype.kind in "biuf"
            and min(a.shape) > 1]
    if len(mats) != 1:
        return variables, notes
    m = arrays[mats[0]]
    rows, cols = m.shape
    if rows == cols:
        return variables, notes
    vectors = {n: a for n, a in arrays.items() if a.ndim == 1 and a.size > 1}
    along = [[n for n, a in vectors.items() if a.size == k] for k in (rows, cols)]
    if any(len(a) != 1 for a in along):
        return variables, notes
    (r_name,), (c_name,) = along
    out = {n: v for n, v in variables.items() if n not in (mats[0], r_name, c_name)}
    out[r_name] = np.repeat(arrays[r_name].astype(float), cols)
    out[c_name] = np.tile(arrays[c_name].astype(float), rows)
    out[mats[0]] = m.astype(float).ravel()
    return out, (*notes, f"the matrix {mats[0]} ({rows} x {cols}) laid on the vectors "
                         f"{r_name} ({rows}) and {c_name} ({cols}): one row per point")


def _selected_columns(path, variables: dict, kind: str, units: dict, header: dict,
                      sheet: str | None, notes: tuple = ()):
    """(header, column names, vectors, notes) of a group of named vectors: the vectors of the
    most common length (of two or more) as columns, named with their units (``field (mT)``),
    one-element variables as header entries after those given."""
    names, vectors, header = [], [], dict(header)
    variables, notes = _matrix_on_axes(variables, notes)
    for name, value in variables.items():
        cols, vecs, head = _columns_of(name, value)
        unit = units.get(name)
        names += [f"{c} ({unit})" if unit else c for c in cols]
        vectors += vecs
        if head is not None:
            header[name] = head
    lengths = Counter(v.size for v in vectors)
    usable = [n for n, c in lengths.items() if c >= 2]
    if not usable:
        what, part = _KINDS[kind]
        where, what = (path.name, what) if sheet is None else (f"{path.name}[{sheet}]",
                                                                f"a {part} of {what}")
        found = ", ".join(f"{n} {np.asarray(v).shape}" for n, v in variables.items()) or "none"
        raise DataError(f"{where}: {what} without two vectors of one length to read as "
                        f"columns (variables: {found})")
    n = max(usable, key=lambda k: (lengths[k], k))
    keep = [i for i, v in enumerate(vectors) if v.size == n]
    left = [names[i] for i, v in enumerate(vectors) if v.size != n]
    notes = (*notes, *((f"variables {left} left out: their length is not the {n} of the "
                        "columns read",) if left else ()))
    return header, [names[i] for i in keep], [vectors[i] for i in keep], notes


def _named_vectors_table(path, variables: dict, kind: str, units: dict | None = None,
                         header: dict | None = None, sheet: str | None = None,
                         notes: tuple = ()):
    """The table of a group of named vectors (:func:`_selected_columns`)."""
    from .table import Table

    header, names, vectors, notes = _selected_columns(path, variables, kind, units or {},
                                                      header or {}, sheet, notes)
    data = np.column_stack(vectors)
    return Table(path=path, header=header, columns=tuple(names), data=data,
                 lines=np.arange(1, len(data) + 1), delimiter="container",
                 header_lines={k: 0 for k in header}, notes=notes, sheet=sheet)


def _vectors_text(path, variables: dict, kind: str, units: dict, header: dict,
                  sheet: str | None, notes: tuple = ()) -> str:
    """A group of named vectors as tab-separated text (:func:`_selected_columns`): its header
    entries as ``name: value`` lines, the column names, then the rows (numbers in full,
    ``repr``), for the readers that take text."""
    header, names, vectors, notes = _selected_columns(path, variables, kind, units, header,
                                                      sheet, notes)
    lines = [f"# {note}" for note in notes]
    lines += [f"{k}: {' '.join(str(v).split())}" for k, v in header.items()]
    lines.append("\t".join(" ".join(n.split()) for n in names))
    rows = np.column_stack(vectors).tolist()
    lines += ["\t".join(map(repr, row)) for row in rows]
    return "\n".join(lines) + "\n"
