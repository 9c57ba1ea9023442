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

MATLAB 7.3 files store matrices transposed and texts as 16-bit characters
(``MATLAB_class = 'char'``); both are read as MATLAB wrote them, and MATLAB's own
bookkeeping groups (``#refs#``, ``#subsystem#``) are left out.

Reading needs the package ``h5py`` (``pip install "sotfit[hdf5]"``); the file's bytes are
read from memory, so the file is never opened for writing.
"""

from __future__ import annotations

import io

import numpy as np

from ..data import DataError

__all__ = ["hdf5_groups"]

#: Groups that MATLAB writes for its own bookkeeping.
_MATLAB_GROUPS = ("#refs#", "#subsystem#")


def _text(value) -> str | None:
    """A one-element text (bytes or str, or an array of one) as str; else None."""
    a = np.asarray(value)
    if a.size != 1 or a.dtype.kind not in "USO":
        return None
    v = a.reshape(())[()]
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace")
    return v if isinstance(v, str) else None


def _unit(attrs) -> str | None:
    """The unit of a dataset from its ``units`` or ``unit`` attribute (any case)."""
    for key in attrs:
        if key.lower() in ("units", "unit"):
            return _text(attrs[key])
    return None


def _matlab_text(ds) -> str | None:
    """The text of a MATLAB 7.3 ``char`` variable (16-bit codes), else None."""
    if _text(ds.attrs.get("MATLAB_class", b"")) != "char":
        return None
    codes = np.asarray(ds[()]).ravel(order="F")
    return "".join(map(chr, codes.astype(int)))


def _header_value(value):
    """A header entry of an attribute: its text, or its one number in full; else None."""
    text = _text(value)
    if text is not None:
        return text
    a = np.asarray(value)
    if a.size == 1 and a.dtype.kind in "biuf":
        return repr(float(a.reshape(())[()]))
    return None


def _group_content(group, matlab: bool) -> tuple[dict, dict, dict]:
    """(variables, units, header entries) of the datasets directly in ``group`` and of its
    attributes."""
    import h5py

    variables: dict = {}
    units: dict = {}
    header: dict = {}
    for key, value in group.attrs.items():
        entry = _header_value(value)
        if entry is not None and not key.startswith("MATLAB_"):
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
            text = _text(value)
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
    return variables, units, header


def hdf5_groups(path, raw: bytes) -> list[tuple[str | None, dict, dict, dict, tuple]]:
    """The groups of an HDF5 file that hold data, each as (name or None for a file of one
    such group, variables, units, header entries, notes (none)).

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
        no notes.

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
                variables, units, header = _group_content(group, matlab)
                header = inherited | header
                seen.extend(f"{group.name.rstrip('/')}/{k} {np.shape(v)}"
                            for k, v in variables.items())
                lengths = [np.size(v) for v in variables.values() if np.ndim(v) >= 1]
                if any(lengths.count(n) >= 2 for n in set(lengths) if n >= 2) or any(
                        np.ndim(v) == 2 and min(np.shape(v)) >= 2 for v in variables.values()):
                    found.append((group.name, variables, units, header))
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
        return [(None, *found[0][1:], ())]
    return [(name.strip("/"), *rest, ()) for name, *rest in found]
