"""Igor binary waves (``.ibw``) written as Igor Pro writes them, for the reader's tests.

The layout is WaveMetrics Technical Note PTN003: a file header (``BinHeader5``, 64 bytes, or
``BinHeader2``, 16 bytes), a wave header (``WaveHeader5``, 320 bytes, or ``WaveHeader2``, 110
bytes plus the data's first 16 bytes), the data (column by column for a matrix), then in
version 5 the wave note, the long units and the dimension labels (32-byte fields), in version 2
16 bytes of padding and the note; the checksum makes the 16-bit words of the headers sum to 0.
The tests read every file written here with the independent reader ``igor2`` as well.
"""

from __future__ import annotations

import struct

import numpy as np

_TYPE_CODES = {"f4": 0x02, "f8": 0x04, "i2": 0x10, "i4": 0x20}


def _fixed(text: str, size: int) -> bytes:
    raw = text.encode("latin-1")[:size - 1]
    return raw + b"\x00" * (size - len(raw))


def _checksummed(header: bytearray, checksum_at: int, words: int, order: str) -> bytes:
    total = sum(struct.unpack(f"{order}{words}H", bytes(header[:2 * words])))
    struct.pack_into(f"{order}h", header, checksum_at, -(total % 65536) if total % 65536 < 32768
                     else 65536 - total % 65536)
    return bytes(header)


def ibw_v5(name: str, data, *, x0: float = 0.0, dx: float = 1.0, x_unit: str = "",
           data_unit: str = "", note: str = "", column_labels=None, dtype: str = "f8",
           order: str = "<", long_data_unit: str = "", type_code: int | None = None) -> bytes:
    """The bytes of a version 5 wave ``name`` holding ``data`` (a vector, or a matrix whose
    columns are written with ``column_labels``), x scaled as ``x0 + dx p`` in ``x_unit``;
    ``type_code`` writes another number type into the header (the data stay as given)."""
    a = np.asarray(data, dtype=dtype)
    dims = list(a.shape) + [0] * (4 - a.ndim)
    body = a.astype(f"{order}{dtype}").tobytes(order="F")
    note_b = note.encode("latin-1")
    labels = b""
    label_sizes = [0, 0, 0, 0]
    if column_labels is not None:
        labels = b"".join(_fixed(t, 32) for t in ["", *column_labels])
        label_sizes[1] = len(labels)
    data_units = long_data_unit.encode("latin-1")
    wave = bytearray(320)
    struct.pack_into(f"{order}i", wave, 12, a.size)
    struct.pack_into(f"{order}h", wave, 16, _TYPE_CODES[dtype] if type_code is None
                     else type_code)
    struct.pack_into(f"{order}h", wave, 26, 1)
    wave[28:60] = _fixed(name, 32)
    struct.pack_into(f"{order}4i", wave, 68, *dims)
    struct.pack_into(f"{order}4d", wave, 84, dx, 1.0, 1.0, 1.0)
    struct.pack_into(f"{order}4d", wave, 116, x0, 0.0, 0.0, 0.0)
    wave[148:152] = _fixed(data_unit, 4)
    wave[152:156] = _fixed(x_unit, 4)
    head = bytearray(64)
    struct.pack_into(f"{order}h", head, 0, 5)
    struct.pack_into(f"{order}5i", head, 4, 320 + len(body), 0, len(note_b), len(data_units), 0)
    struct.pack_into(f"{order}4i", head, 36, *label_sizes)
    header = _checksummed(head + wave, 2, 192, order)
    return header + body + note_b + data_units + labels


def ibw_v2(name: str, data, *, x0: float = 0.0, dx: float = 1.0, x_unit: str = "",
           data_unit: str = "", note: str = "", order: str = ">") -> bytes:
    """The bytes of a version 2 wave (single precision, as Igor 1-2 and old Mac programs wrote
    them, big-endian by default)."""
    a = np.asarray(data, dtype="f4")
    body = a.astype(f"{order}f4").tobytes()
    note_b = note.encode("latin-1")
    wave = bytearray(110)
    struct.pack_into(f"{order}h", wave, 0, _TYPE_CODES["f4"])
    wave[6:26] = _fixed(name, 20)
    wave[34:38] = _fixed(data_unit, 4)
    wave[38:42] = _fixed(x_unit, 4)
    struct.pack_into(f"{order}i", wave, 42, a.size)
    struct.pack_into(f"{order}2d", wave, 48, dx, x0)
    head = bytearray(16)
    struct.pack_into(f"{order}h", head, 0, 2)
    struct.pack_into(f"{order}3i", head, 2, 110 + 16 + len(body), len(note_b), 0)
    whole = bytearray(head + wave + body)
    header = _checksummed(whole, 14, (16 + 126) // 2, order)
    return header + b"\x00" * 16 + note_b
