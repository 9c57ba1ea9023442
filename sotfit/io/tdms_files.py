"""Sweeps saved in LabVIEW TDMS files (``.tdms``, National Instruments' binary format).

A TDMS file holds groups of channels: one channel per quantity (``Field``, ``Vmix``), its unit
in the channel property ``unit_string`` (as LabVIEW writes it; ``unit`` or ``NI_UnitDescription``
elsewhere), and properties of the file and of each group (``Frequency (GHz) = 10``). A group
whose numeric channels have one length is a table whose columns they are, named with their
units (``Field (mT)``); the properties of the file and of the group that are one number or a
short text are its header entries. A file of several such groups gives one table per group,
named by it (``run.tdms[10 GHz]``), so that a frequency in the group's name is found as in a
file name. Channels of time stamps and of text are left out.

Reading needs the package ``npTDMS`` (``pip install "sotfit[tdms]"``); the file's bytes are read
from memory, so the file is never opened for writing. A TDMS index file (``.tdms_index``,
written beside the data file) is refused, naming the file to give instead.
"""

from __future__ import annotations

import io

import numpy as np

from ..data import DataError
from .containers import _TDMS_INDEX, _cell

__all__ = ["tdms_groups"]

#: Channel properties that hold the channel's unit, in the order they are looked for.
_UNIT_PROPERTIES = ("unit_string", "unit", "units", "NI_UnitDescription")


def _entry(value) -> str | None:
    """A property as a header entry: a number in full (as a workbook cell,
    :func:`sotfit.io.containers._cell`), a one-line text; else None."""
    if isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        return _cell(value) or None
    if isinstance(value, str) and value.strip() and "\n" not in value.strip():
        return value.strip()
    return None


def _entries(properties) -> dict:
    return {k: e for k, v in properties.items() if (e := _entry(v)) is not None}


def _unit(properties) -> str | None:
    for key in _UNIT_PROPERTIES:
        value = properties.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def tdms_groups(path, raw: bytes) -> list[tuple[str | None, dict, dict, dict, tuple]]:
    """The groups of a TDMS file that hold data, each as (name or None for a file of one such
    group, channel name -> vector, channel name -> unit, header entries, notes).

    Raises
    ------
    DataError
        For an index file, without npTDMS (naming the extra to install), for a file npTDMS
        cannot read, or one without a group of two numeric channels of one length (listing
        the channels found).
    """
    if raw.startswith(_TDMS_INDEX):
        raise DataError(f"{path.name}: a TDMS index file; give the .tdms file beside it "
                        f"({path.name.removesuffix('_index')})")
    try:
        from nptdms import TdmsFile
    except ImportError:
        raise DataError(f"{path.name}: a LabVIEW TDMS file; reading it needs the package npTDMS "
                        "(pip install \"sotfit[tdms]\"), or export the sweep as a CSV or "
                        "tab-separated table") from None
    try:
        tdms = TdmsFile.read(io.BytesIO(raw))
    except Exception as exc:  # noqa: BLE001 - a broken file: say which and why
        raise DataError(f"{path.name}: a LabVIEW TDMS file that cannot be read ({exc})") from None
    top = _entries(tdms.properties)
    found, seen = [], []
    for group in tdms.groups():
        variables, units, notes, skipped = {}, {}, (), []
        for channel in group.channels():
            data = channel[:]
            seen.append(f"{group.name}/{channel.name} ({data.size}, {data.dtype})")
            if data.dtype.kind not in "biuf" or data.ndim != 1:
                skipped.append(channel.name)
                continue
            variables[channel.name] = data.astype(float)
            unit = _unit(channel.properties)
            if unit:
                units[channel.name] = unit
        lengths = [v.size for v in variables.values()]
        if not any(lengths.count(n) >= 2 for n in set(lengths) if n >= 2):
            continue
        if skipped:
            notes = (f"channels {skipped} of group {group.name!r} left out: not numbers",)
        found.append((group.name, variables, units, top | _entries(group.properties), notes))
    if not found:
        raise DataError(f"{path.name}: a LabVIEW TDMS file without a group of two numeric "
                        f"channels of one length (channels: {', '.join(seen) or 'none'})")
    if len(found) == 1:
        return [(None, *found[0][1:])]
    return found
