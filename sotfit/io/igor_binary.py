"""Igor binary waves (``.ibw``, as Igor Pro saves one wave with *Save Waves > Save Igor Binary*).

An Igor binary wave is one numeric array with its name, units and scaling: the header of the
file format (WaveMetrics Technical Note PTN003, versions 2, 3 and 5) holds the wave's name,
its data unit, the unit and scaling of each dimension (x = x0 + dx p for point p, Igor's
``SetScale/P x x0, dx, "mT"``), and after the data the wave note and, in version 5, longer
units and dimension labels. Labs keep a sweep as a wave whose x scaling is the swept quantity
(``Vmix`` against a field scaled in mT) or as a matrix of columns (``data[][0]`` the field,
``data[][1]`` the voltage, perhaps labelled with ``SetDimLabel``). Both are read here without
an extra package:

* a **wave of one dimension** gives two columns: its x values (from the scaling, named by the
  row label, else by what the x unit measures: ``field (mT)``, ``angle (deg)``, else ``x``) and
  the wave itself (``Vmix (V)``); a wave without an x scaling or unit is an error saying how
  to give it one (the x values are not in the file);
* a **matrix** (rows by up to 8 columns) gives one column per matrix column, named by its
  dimension label, else ``name[j]``; a row scaling other than the point number adds the x
  column as above;
* the **wave note**, where it is a list of ``KEY=value`` or ``key: value`` entries (separated by
  ``;`` or line breaks, as Igor procedures write them), gives header entries, so that a
  frequency or power written there is found as in a file's preamble.

Complex and text waves, and waves of three or four dimensions, are refused with what they are.
The file's checksum (the 16-bit sum over its headers, PTN003) tells an Igor binary wave from
another binary file; a file whose header adds up wrongly is not taken for one.
"""

from __future__ import annotations

import re

import numpy as np

from ..data import DataError
from ..units import UnitError, dimension_of, normalise_unit

__all__ = ["ibw_groups", "is_igor_binary"]

#: Igor's number types (PTN003, ``NT_*``), without the complex flag, as NumPy types.
_TYPES = {0x02: "f4", 0x04: "f8", 0x08: "i1", 0x10: "i2", 0x20: "i4",
          0x48: "u1", 0x50: "u2", 0x60: "u4"}
_COMPLEX = 0x01

#: Size in bytes of the file header and of the wave header, by version.
_BIN_HEADER = {2: 16, 3: 20, 5: 64}
_WAVE_HEADER = {2: 110, 3: 110, 5: 320}

#: Dimensions of an x unit that name the x column (its name where the wave has no row label).
_X_NAMES = ("field", "angle", "frequency", "current")


def _byte_order(raw: bytes) -> str | None:
    """'<' or '>' by the file's version number (2, 3 or 5) read each way; else None."""
    if len(raw) < 2:
        return None
    for order in ("<", ">"):
        if int(np.frombuffer(raw[:2], dtype=f"{order}i2")[0]) in _BIN_HEADER:
            return order
    return None


def _header_adds_up(raw: bytes, order: str, version: int) -> bool:
    """Whether the 16-bit words of the file and wave headers sum to 0 mod 2^16 (PTN003; the
    wave header of versions 2 and 3 includes its field ``wData[4]``, the data's first 16
    bytes, that of version 5 does not)."""
    size = _BIN_HEADER[version] + _WAVE_HEADER[version] + (16 if version < 5 else 0)
    if len(raw) < size:
        return False
    words = np.frombuffer(raw[:size], dtype=f"{order}u2").astype(np.int64)
    return int(words.sum()) % 65536 == 0


def _sizes_agree(raw: bytes, order: str, version: int) -> bool:
    """Whether a version 5 header's wave size is that of its number type and point count, and
    the file holds the data (for writers other than Igor that leave the checksum out)."""
    if version != 5 or len(raw) < 384:
        return False
    wfm_size = int(np.frombuffer(raw, dtype=f"{order}i4", count=1, offset=4)[0])
    npnts = int(np.frombuffer(raw, dtype=f"{order}i4", count=1, offset=76)[0])
    kind = int(np.frombuffer(raw, dtype=f"{order}i2", count=1, offset=80)[0])
    dtype = _TYPES.get(kind & ~_COMPLEX)
    if dtype is None or npnts <= 0:
        return False
    size = npnts * np.dtype(dtype).itemsize * (2 if kind & _COMPLEX else 1)
    return wfm_size == 320 + size and len(raw) >= 384 + size


def is_igor_binary(raw: bytes) -> bool:
    """Whether ``raw`` are the bytes of an Igor binary wave of version 2, 3 or 5: its headers'
    checksum holds, or (version 5) its sizes agree with each other and the file."""
    order = _byte_order(raw)
    if order is None:
        return False
    version = int(np.frombuffer(raw[:2], dtype=f"{order}i2")[0])
    return _header_adds_up(raw, order, version) or _sizes_agree(raw, order, version)


def _text(chunk: bytes) -> str:
    """A NUL-terminated text of the headers (Igor writes the system's code page; Latin-1 reads
    every byte, and units and names are ASCII but for a degree sign or mu)."""
    return chunk.split(b"\x00", 1)[0].decode("latin-1").strip()


class _Wave:
    """The parts of an Igor binary wave that sotfit reads."""

    def __init__(self, name, data, dims, x0, dx, data_unit, dim_units, labels, note):
        self.name, self.data, self.dims = name, data, dims
        self.x0, self.dx = x0, dx
        self.data_unit, self.dim_units, self.labels, self.note = (data_unit, dim_units,
                                                                  labels, note)


def _parse(path, raw: bytes) -> _Wave:
    order = _byte_order(raw)
    version = int(np.frombuffer(raw[:2], dtype=f"{order}i2")[0])

    def ints(offset, count, kind="i4"):
        return np.frombuffer(raw, dtype=f"{order}{kind}", count=count, offset=offset)

    def doubles(offset, count):
        return np.frombuffer(raw, dtype=f"{order}f8", count=count, offset=offset)

    start = _BIN_HEADER[version]
    if version == 5:
        _, formula_size, note_size, data_units_size = (int(v) for v in ints(4, 4))
        dim_units_sizes = [int(v) for v in ints(20, 4)]
        dim_labels_sizes = [int(v) for v in ints(36, 4)]
        w = start
        npnts = int(ints(w + 12, 1)[0])
        kind = int(ints(w + 16, 1, "i2")[0])
        name = _text(raw[w + 28:w + 60])
        dims = [int(v) for v in ints(w + 68, 4)]
        dx, x0 = float(doubles(w + 84, 1)[0]), float(doubles(w + 116, 1)[0])
        data_unit = _text(raw[w + 148:w + 152])
        dim_units = [_text(raw[w + 152 + 4 * d:w + 156 + 4 * d]) for d in range(4)]
        data_start = start + _WAVE_HEADER[5]
    else:
        note_size = int(ints(6, 1)[0])
        w = start
        kind = int(ints(w, 1, "i2")[0])
        name = _text(raw[w + 6:w + 26])
        data_unit, x_unit = _text(raw[w + 34:w + 38]), _text(raw[w + 38:w + 42])
        npnts = int(ints(w + 42, 1)[0])
        dx, x0 = float(doubles(w + 48, 1)[0]), float(doubles(w + 56, 1)[0])
        dims, dim_units = [npnts, 0, 0, 0], [x_unit, "", "", ""]
        data_units_size, dim_units_sizes, dim_labels_sizes = 0, [0] * 4, [0] * 4
        data_start = start + _WAVE_HEADER[version]   # wData[4], the header's last field, is
        #                                              the start of the data
    if kind == 0:
        raise DataError(f"{path.name}: an Igor binary wave of text ('{name}'), not numbers")
    if kind & _COMPLEX:
        raise DataError(f"{path.name}: an Igor binary wave of complex numbers ('{name}'): "
                        "save its real and imaginary parts as two waves (or the lock-in's X "
                        "and Y as columns of a matrix) and give that file")
    dtype = _TYPES.get(kind)
    if dtype is None:
        raise DataError(f"{path.name}: an Igor binary wave of a number type sotfit does not "
                        f"know (type code {kind:#x})")
    dims = [d for d in dims if d > 0] or [npnts]
    if len(dims) > 2:
        raise DataError(f"{path.name}: an Igor binary wave of {len(dims)} dimensions "
                        f"({' x '.join(map(str, dims))}): sotfit reads waves of one dimension "
                        "(x scaled) or matrices of columns")
    itemsize = np.dtype(dtype).itemsize
    end = data_start + npnts * itemsize
    if npnts != int(np.prod(dims)) or end > len(raw):
        raise DataError(f"{path.name}: an Igor binary wave whose data are cut short "
                        f"({npnts} points announced, {max(len(raw) - data_start, 0)} bytes "
                        "of data in the file)")
    data = np.frombuffer(raw, dtype=f"{order}{dtype}", count=npnts,
                         offset=data_start).astype(float)
    if len(dims) == 2:                      # Igor keeps a matrix column by column
        data = data.reshape(dims[1], dims[0]).T
    # After the data (version 5): formula, note, long data unit, long dimension units, labels.
    note, labels = "", [[], []]
    if version == 5:
        pos = end + formula_size
        note = raw[pos:pos + note_size].decode("latin-1")
        pos += note_size
        if data_units_size:
            data_unit = _text(raw[pos:pos + data_units_size]) or data_unit
        pos += data_units_size
        for d, size in enumerate(dim_units_sizes):
            if size:
                dim_units[d] = _text(raw[pos:pos + size]) or dim_units[d]
            pos += size
        for d, size in enumerate(dim_labels_sizes):
            if size and d < 2:
                labels[d] = _labels(raw[pos:pos + size])
            pos += size
    elif version in (2, 3) and note_size:       # after the data and 16 bytes of padding
        note = raw[end + 16:end + 16 + note_size].decode("latin-1")
    return _Wave(name, data, dims, x0, dx, data_unit, dim_units, labels, note)


def _labels(chunk: bytes) -> list[str]:
    """The dimension labels of one dimension: the dimension's own, then one per element, each
    a NUL-terminated text in fields of 32 bytes (a longer label runs on into the next field)."""
    labels, current = [], b""
    for i in range(0, len(chunk) - len(chunk) % 32, 32):
        current += chunk[i:i + 32]
        if b"\x00" in chunk[i:i + 32]:
            labels.append(_text(current))
            current = b""
    return labels


def _x_name(label: str, unit: str) -> str:
    """The name of the column of x values: the row label, else what its unit measures."""
    if label:
        return label
    try:
        dimension = dimension_of(normalise_unit(unit)) if unit else None
    except UnitError:
        dimension = None
    return dimension if dimension in _X_NAMES else "x"


def _note_entries(note: str) -> dict:
    """Header entries of a wave note of ``KEY=value`` or ``key: value`` items."""
    entries = {}
    for item in re.split(r"[;\r\n]+", note):
        key, sep, value = item.partition("=")
        if not sep:
            key, sep, value = item.partition(":")
        key, value = key.strip(), value.strip()
        if sep and key and value and len(key) <= 60 and len(value) <= 80:
            entries.setdefault(key, value)
    return entries


def ibw_groups(path, raw: bytes) -> list[tuple[str | None, dict, dict, dict, tuple]]:
    """The table of an Igor binary wave, as the groups of named vectors of
    :mod:`sotfit.io.containers` read them: ``[(None, name -> vector, name -> unit, header
    entries, notes)]``.

    Raises
    ------
    DataError
        For a text, complex or 3-4 dimensional wave, or a file cut short; naming the file.
    """
    wave = _parse(path, raw)
    variables, units, notes = {}, {}, []
    n = wave.dims[0]
    x_unit = wave.dim_units[0]
    row_label = wave.labels[0][0] if wave.labels[0] else ""
    scaled = (wave.dx, wave.x0) != (1.0, 0.0) or bool(x_unit)
    if wave.data.ndim == 1 and not scaled:
        raise DataError(f"{path.name}: an Igor binary wave '{wave.name}' of {n} points without "
                        "an x scaling: the swept quantity is not in the file. In Igor, give the "
                        f"wave its x scaling (SetScale/P x x0, dx, \"mT\", {wave.name}), or save "
                        "it with the field as a matrix or as Igor Text (.itx), and give that file")
    if scaled:
        x_name = _x_name(row_label, x_unit)
        variables[x_name] = wave.x0 + wave.dx * np.arange(n)
        if x_unit:
            units[x_name] = x_unit
        notes.append(f"an Igor binary wave '{wave.name}': its x scaling (x0 = {wave.x0!r}, "
                     f"dx = {wave.dx!r}{f' {x_unit}' if x_unit else ''}) read as the column "
                     f"'{x_name}'")
    if wave.data.ndim == 1:
        name = wave.name or "wave"
        variables[name] = wave.data
        if wave.data_unit:
            units[name] = wave.data_unit
    else:
        column_labels = wave.labels[1][1:] if wave.labels[1] else []
        for j in range(wave.data.shape[1]):
            label = column_labels[j] if j < len(column_labels) and column_labels[j] else ""
            name = label or f"{wave.name or 'wave'}[{j}]"
            variables[name] = wave.data[:, j]
        if wave.data_unit:
            notes.append(f"the data unit '{wave.data_unit}' of the matrix '{wave.name}' is not "
                         "given to its columns (they may hold different quantities): name "
                         "their units with the unit options")
    return [(None, variables, units, _note_entries(wave.note), tuple(notes))]
