"""Sweeps saved in HDF5 files, MATLAB 7.3 ``.mat`` files among them.

Measurement programs and lab scripts write HDF5 (``h5py``, ``pandas``-free NumPy scripts,
MATLAB ``save(..., '-v7.3')``) with one dataset per quantity: a group holding vectors of one
length (``field``, ``vmix``) is a table whose columns they are; numbers and short texts (one
element each, as datasets or attributes of the group and of the groups above it) are its
header entries (``frequency_GHz = 10``); a ``units`` (or ``unit``) attribute of a dataset
gives its column's unit (``field (mT)``). A compound dataset (a table of named fields) gives
one column per numeric field. A file whose data lie in several groups gives one table per
group, named by it (``run.h5[f10GHz]``), so that a frequency in the group's name is found
as in a file name.

A pandas store (``DataFrame.to_hdf``, through PyTables) gives one table per key with the
DataFrame's column names (fixed format: ``block0_items``/``block0_values``; table format: the
names pandas pickles beside the table, read as text, never unpickled).

MATLAB 7.3 files store matrices transposed and texts as 16-bit characters
(``MATLAB_class = 'char'``); both are read as MATLAB wrote them, and MATLAB's own
bookkeeping groups (``#refs#``, ``#subsystem#``) are left out.

Reading needs the package ``h5py`` (``pip install "sotfit[hdf5]"``); the file's bytes are
read from memory, so the file is never opened for writing.
"""

from __future__ import annotations

import io
import re

import numpy as np

from ..data import DataError
from .containers import _one_entry, _one_text

__all__ = ["hdf5_groups"]

#: Groups that MATLAB writes for its own bookkeeping.
_MATLAB_GROUPS = ("#refs#", "#subsystem#")


def _unit(attrs) -> str | None:
    """The unit of a dataset from its ``units`` or ``unit`` attribute (any case)."""
    for key in attrs:
        if key.lower() in ("units", "unit"):
            return _one_text(attrs[key])
    return None


def _matlab_text(ds) -> str | None:
    """The text of a MATLAB 7.3 ``char`` variable (16-bit codes), else None."""
    if _one_text(ds.attrs.get("MATLAB_class", b"")) != "char":
        return None
    codes = np.asarray(ds[()]).ravel(order="F")
    return "".join(map(chr, codes.astype(int)))


def _group_content(group, matlab: bool) -> tuple[dict, dict, dict, tuple]:
    """(variables, units, header entries, notes) of the datasets directly in ``group`` and of
    its attributes (:func:`_on_dimensions` for datasets on dimension scales)."""
    import h5py

    variables: dict = {}
    units: dict = {}
    header: dict = {}
    frame = _pandas_frame(group)
    if frame is not None:
        return frame, units, header, ()
    labber = _labber_log(group)
    if labber is not None:
        return labber[0], labber[1], header, labber[2]
    for key, value in group.attrs.items():
        entry = _one_entry(value)
        if entry is not None and not key.startswith("MATLAB_") and key not in _PYTABLES_ATTRS:
            header[key] = entry
    for name, item in group.items():
        if not isinstance(item, h5py.Dataset) or item.dtype.kind == "V" and not item.dtype.names:
            continue
        if matlab:
            text = _matlab_text(item)
            if text is not None:
                header[name] = text
                continue
        if item.dtype.names:                     # a compound dataset: one vector per field
            data = item[()]
            for field in item.dtype.names:
                if data.dtype[field].kind in "biuf" and data[field].ndim == 1:
                    variables[f"{name}.{field}" if name != "table" else field] = data[field]
            continue
        if item.dtype.kind not in "biufSUO":
            continue
        value = item[()]
        if item.dtype.kind in "SUO":
            text = _one_text(value)
            if text is not None:
                header[name] = text
            continue
        a = np.asarray(value)
        if matlab and a.ndim == 2:
            a = a.T                              # MATLAB writes its matrices transposed
        a = np.squeeze(a) if a.ndim > 1 and 1 in a.shape else a
        variables[name] = a
        unit = _unit(item.attrs)
        if unit:
            units[name] = unit
    variables, notes = _on_dimensions(group, variables)
    return variables, units, header, notes


def _labber_log(group) -> tuple[dict, dict, tuple] | None:
    """(variables, units, notes) of the ``Data`` group of a Labber log: ``Data`` (points x
    channels x entries) with the channels' names in ``Channel names`` and their units in the
    file's ``Channels`` table (``unitPhys``); each channel one column, the entries (the outer
    steps: one per frequency) one after another. None for any other group."""
    data, names = group.get("Data"), group.get("Channel names")
    if data is None or names is None or getattr(data, "ndim", 0) != 3 \
            or not getattr(names.dtype, "names", None) or "name" not in names.dtype.names:
        return None
    labels = [_one_text(n) or f"channel {i}" for i, n in enumerate(names["name"])]
    values = np.asarray(data[()], dtype=float)
    if values.shape[1] != len(labels):
        return None
    units: dict = {}
    channels = group.file.get("Channels")
    if channels is not None and getattr(channels.dtype, "names", None) \
            and {"name", "unitPhys"} <= set(channels.dtype.names):
        for row in channels[()]:
            unit = _one_text(row["unitPhys"])
            if unit:
                units[_one_text(row["name"])] = unit
    variables = {lb: values[:, i, :].T.ravel() for i, lb in enumerate(labels)}
    return variables, {k: v for k, v in units.items() if k in variables}, (
        f"Labber log: {values.shape[2]} entries of {values.shape[0]} points of the channels "
        f"{labels}, one after another",)


#: Attributes PyTables (and so pandas) writes on every node: bookkeeping, not metadata.
_PYTABLES_ATTRS = {"CLASS", "TITLE", "VERSION", "PYTABLES_FORMAT_VERSION", "FILTERS"}

#: A column name in the protocol-0 pickle of a list of names that pandas writes as an
#: attribute of a table (``values_block_0_kind``): a line ``V<name>`` (``aV<name>`` after the
#: first), read as text, never unpickled.
_PICKLED_NAME_RE = re.compile(r"^a?V(.*)$", re.M)


def _pandas_frame(group) -> dict | None:
    """The columns of a DataFrame saved by pandas (``DataFrame.to_hdf``; its index left out):
    the fixed format's blocks (``block0_items`` the names, ``block0_values`` the rows) or the
    table format's (``table`` with ``values_block_0`` and the names pandas keeps beside it);
    None for any other group."""
    kind = _one_text(group.attrs.get("pandas_type", b""))
    out: dict = {}
    if kind == "frame":
        for i in range(int(np.asarray(group.attrs.get("nblocks", 0)))):
            items, values = group.get(f"block{i}_items"), group.get(f"block{i}_values")
            if items is None or values is None or values.ndim != 2:
                return None
            names = [n.decode() if isinstance(n, bytes) else str(n) for n in items[()]]
            block = np.asarray(values[()])
            if block.dtype.kind in "biuf" and block.shape[1] == len(names):
                out |= {n: block[:, j].astype(float) for j, n in enumerate(names)}
        return out or None
    if kind == "frame_table" and "table" in group:
        table = group["table"]
        rows = table[()]
        for field in table.dtype.names or ():
            if not field.startswith("values_block_"):
                continue
            pickled = _one_text(table.attrs.get(f"{field}_kind", b"")) or ""
            names = [n.encode("latin-1", "replace").decode("raw_unicode_escape")
                     for n in _PICKLED_NAME_RE.findall(pickled)]
            block = np.asarray(rows[field]).reshape(len(rows), -1)
            if block.dtype.kind in "biuf" and block.shape[1] == len(names):
                out |= {n: block[:, j].astype(float) for j, n in enumerate(names)}
        return out or None
    return None


#: The name netCDF-4 gives a dimension that has no coordinate variable.
_BARE_DIMENSION = "This is a netCDF dimension but not a netCDF variable"


def _dimensions(ds) -> tuple[str, ...] | None:
    """The names of the dimension scales attached to each axis of dataset ``ds`` (netCDF-4
    files, ``h5py`` dimension scales), or None when an axis has none."""
    names = []
    for axis in ds.dims:
        if len(axis) == 0:
            return None
        names.append(axis[0].name.rsplit("/", 1)[-1])
    return tuple(names)


def _on_dimensions(group, variables: dict) -> tuple[dict, tuple]:
    """The columns of a group whose datasets are laid on dimension scales (netCDF-4, as xarray
    and QCoDeS export): the data variables of the most common dimensions with their
    coordinates, a grid written out as one row per point, a CF index compressed by gathering
    (``compress = "frequency field"``) decoded into its coordinates. Coordinates of other
    dimensions never stand beside the data as if they were measured with them. Returns
    (variables, notes); a group without dimension scales is left as it is."""
    import h5py

    datasets = {n: d for n, d in group.items() if isinstance(d, h5py.Dataset) and n in variables}
    scales = {n for n, d in datasets.items() if d.attrs.get("CLASS") == b"DIMENSION_SCALE"}
    data = {n: dims for n, d in datasets.items()
            if n not in scales and d.ndim >= 1 and (dims := _dimensions(d)) is not None}
    if not data:
        return variables, ()
    counts: dict = {}
    for dims in data.values():
        counts[dims] = counts.get(dims, 0) + 1
    dims = max(counts, key=lambda k: (counts[k], len(k)))
    if not all(d in datasets for d in dims):
        return variables, ()
    coords = [np.ravel(variables[d]) for d in dims]
    grid = np.meshgrid(*coords, indexing="ij") if len(dims) > 1 else coords
    out: dict = {}
    gathered: list[str] = []
    for d, values in zip(dims, grid):
        compress = (_one_text(group[d].attrs["compress"]) or "").split() \
            if "compress" in group[d].attrs else []
        if compress and len(dims) == 1:
            if not all(p in datasets for p in compress):
                return variables, ()
            index = np.unravel_index(np.asarray(values, dtype=np.int64),
                                     tuple(np.size(variables[p]) for p in compress))
            out |= {p: np.ravel(variables[p])[i] for p, i in zip(compress, index)}
            gathered += compress
        elif not (_one_text(group[d].attrs.get("NAME", b"")) or "").startswith(_BARE_DIMENSION):
            out[d] = np.ravel(values)
    out |= {n: np.ravel(variables[n]) for n, k in data.items() if k == dims}
    left = sorted(set(variables) - set(out) - set(dims) - set(gathered))
    notes = ((f"datasets {left} left out: not laid on the dimensions {list(dims)} of the "
              "columns read",) if left else ())
    return out, notes


def hdf5_groups(path, raw: bytes) -> list[tuple[str | None, dict, dict, dict, tuple]]:
    """The groups of an HDF5 file that hold data, each as (name or None for a file of one
    such group, variables, units, header entries, notes).

    Parameters
    ----------
    path : pathlib.Path
        The file (for messages).
    raw : bytes
        Its bytes.

    Returns
    -------
    list of (str or None, dict, dict, dict, tuple)
        Per group with two or more vectors of one length: its path in the file (``None`` when
        there is one such group), name -> array of its datasets, name -> unit, the header
        entries of the group and of the groups above it (the nearer group's entry wins), and
        the notes on datasets left out.

    Raises
    ------
    DataError
        Without h5py (naming the extra to install), for a file h5py cannot read, or one
        without a group of vectors (listing the datasets found).
    """
    try:
        import h5py
    except ImportError:
        raise DataError(f"{path.name}: an HDF5 file (MATLAB 7.3 files are HDF5); reading it "
                        "needs the package h5py "
                        "(pip install \"sotfit[hdf5]\"), or export the sweep as a CSV or "
                        "tab-separated table") from None
    matlab = raw[:116].startswith(b"MATLAB 7.3")
    what = "a MATLAB 7.3 file" if matlab else "an HDF5 file"
    found: list = []
    seen: list[str] = []
    try:
        with h5py.File(io.BytesIO(raw), "r") as fh:
            def visit(group, inherited: dict) -> None:
                variables, units, header, notes = _group_content(group, matlab)
                header = inherited | header
                seen.extend(f"{group.name.rstrip('/')}/{k} {np.shape(v)}"
                            for k, v in variables.items())
                lengths = [np.size(v) for v in variables.values() if np.ndim(v) >= 1]
                if any(lengths.count(n) >= 2 for n in set(lengths) if n >= 2) or any(
                        np.ndim(v) == 2 and min(np.shape(v)) >= 2 for v in variables.values()):
                    found.append((group.name, variables, units, header, notes))
                for name, item in group.items():
                    if isinstance(item, h5py.Group) and not (matlab and name in _MATLAB_GROUPS):
                        visit(item, header)

            visit(fh, {})
    except (OSError, ValueError) as exc:
        raise DataError(f"{path.name}: {what} that cannot be read ({exc})") from None
    if not found:
        raise DataError(f"{path.name}: {what} without two vectors of one length to read "
                        f"as columns (datasets: {', '.join(seen) or 'none'})")
    if len(found) == 1:
        return [(None, *found[0][1:])]
    return [(name.strip("/"), *rest) for name, *rest in found]
