"""Quantities written once for a whole harmonic Hall file rather than in a column: a preamble
entry above the table (``# Field (mT): 100``, ``B = 0.1 T``, ``Current,1.5 mA``) or a token of
the file name (``rotation_100mT.csv``, ``phi_H1000Oe_I2mA.dat``, the sheet ``100mT`` of a
workbook). :func:`rotation_field` gives the field of a rotation whose file has no field column;
:func:`source_current` the source current, used where no current column and no option give it,
and checked against an option that does.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from ...units import UnitError, parse_quantity, split_header, to_house
from ..gains import _AMPLIFIER_TEXT_RE, _HARMONIC_RE, gain_entry, gain_factor, gain_in_text, gains_in_text
from ..name_numbers import name_number as _name_number
from ..text import _is_comment, _strip_comment, header_entries, name_value_pair
from .columns import _FIELD_NAMES, _tokens, is_current_name
from .options import _EXAMPLE_UNITS, _opt
from .scan import HallReadError
from .values import _LIMITS

__all__ = ["rotation_field", "source_current", "sweep_axis", "preamble_theta_h", "preamble_gain",
           "preamble_tilt", "unread_notes"]

#: A number of a file name, ``p`` or a comma standing for the decimal point (``0p25``,
#: ``0,25``: a comma was a separator, and ``B_0,030T`` read as 30 T).
#: A number of a name: a decimal point, ``p`` or a comma, and a power of ten (``5e-2T``).
_NUM = r"(?P<num>\d+(?:[.p,]\d+)?(?:[eE][-+]?\d+)?)"
#: A field in a file name: an optional ``H``/``B``/``field`` prefix, a number and a field unit
#: written with its case (``100mT``, ``H_1000Oe``, ``0p1T``; kA/m, which a name cannot hold
#: with its slash, as ``H_80kAm``, ``80_kA_m`` or ``80kApm``).
_NAME_FIELD_RE = re.compile(
    r"(?<![0-9A-Za-z.,])(?:(?P<pre>[HhBb]|field|Field|FIELD)(?P<sep>[_=]?))?"
    r"(?P<sign>[-\u2212]|m(?=\d))?" + _NUM + r"\s*_?"
    r"(?P<unit>mT|uT|T|Oe|oe|OE|kOe|koe|KOe|G|kG|kAm|kA_m|kApm)(?![A-Za-z])")
#: A source current in a file name: an optional ``I``/``Iac``/``current`` prefix, a number and
#: ``mA`` or ``uA`` (a current in A is a magnet's, never the source's).
_NAME_CURRENT_RE = re.compile(
    r"(?<![0-9A-Za-z.,])(?:[Ii]|[Ii]ac|[Ii]source|current|Current)?[_=-]?" + _NUM + r"\s*_?"
    r"(?P<unit>mA|uA|µA)(?![A-Za-z])")
#: Unit spellings of file names that are not the house spellings.
_NAME_UNITS = {"oe": "Oe", "OE": "Oe", "koe": "kOe", "KOe": "kOe", "µA": "uA",
               "kAm": "kA/m", "kA_m": "kA/m", "kApm": "kA/m"}
#: What each quantity is: (whether a compacted name is one of a preamble entry of it, file-name
#: pattern, dimension, words).
#: Names of a preamble entry of the polar angle of the field from the film normal.
_THETA_H_NAMES = {"thetah", "fieldtheta", "thetafield", "polarangle", "fieldpolarangle",
                  "thetaext", "thetab"}
_QUANTITIES = {
    "field": (_FIELD_NAMES.__contains__, _NAME_FIELD_RE, "field", "field of the rotation"),
    "current": (is_current_name, _NAME_CURRENT_RE, "current", "source current"),
    "theta_h": (_THETA_H_NAMES.__contains__, None, "angle", "polar angle of the field"),
}


def preamble_theta_h(p, preamble=None, unread=None) -> tuple[float, str] | None:
    """The polar angle of the field (deg) a preamble entry of file ``p`` gives
    (``# theta_H (deg): 70``), and where it was read; None when none does. Errors and
    ``unread`` as :func:`rotation_field`."""
    return _from_preamble(Path(p), "theta_h", preamble, unread)


def rotation_field(p, preamble=None, unread=None) -> tuple[float, str] | None:
    """The field (T) of the rotation(s) of file ``p`` from its preamble or its name, and where
    it was read (for the notes); None when neither gives one.

    Parameters
    ----------
    p : str or pathlib.Path
        The file (``file.xlsx[sheet]`` for a sheet of a workbook: its name, with the sheet's).
    preamble : list of str, optional
        The lines above the table's first row, where they are not those of the file (a section
        of a file of several tables).
    unread : list, optional
        Where the option gives the quantity: a preamble entry of it that cannot be read (no
        unit, an unknown one) is left out and why is appended here (``"preamble entry 'B'
        (line 1): ..."``, for a note) instead of refusing the file, which no option could
        then read without editing it.

    Raises
    ------
    HallReadError
        The preamble or the name gives two different fields, or they disagree, or a preamble
        field entry has no unit (without ``unread``).
    """
    return _of_file(Path(p), "field", preamble, unread)


def source_current(p, preamble=None, unread=None,
                   also=None) -> tuple[float, str, str | None] | None:
    """The source current (mA) written in the preamble or the name of file ``p`` (``I = 1.5
    mA``, ``rot_2mA.csv``), where it was read, and ``'rms'`` or ``'peak'`` when the entry says
    which (``I_ac = 1.5 mA rms``; else None: as the run states for every current); None when
    neither gives one. Errors and ``unread`` as :func:`rotation_field`.

    An entry may write the current twice, the second time in brackets in another form
    (``Source current: 2.828 mA peak (2 mA rms)``): the first is returned, and the two must
    agree to the digits written (sqrt 2 between rms and peak, 2 between peak-to-peak and
    peak), else the entry is refused (or left out, with ``unread``). The second is appended
    to the list ``also``, when given, as ``(mA, 'rms' or 'peak')``: an option that states the
    current so agrees with the file."""
    found = _of_file(Path(p), "current", preamble, unread, also)
    return None if found is None else (found[0], found[1], found[2] if len(found) > 2 else None)


#: The words of a current's amplitude convention (:func:`_convention`).
_WORDS_IS = r"rms|peak[\s_-]*to[\s_-]*peak|peak|pk[\s_-]?pk|p-p|pp|pk|amplitude"
#: A current's amplitude convention written after its unit: ``1.5 mA rms``, ``2 mA (peak)``,
#: ``1 mA pk``, ``1 mA amplitude``.
_CURRENT_IS_RE = re.compile(rf"^(?P<q>.*?\S)\s*[(\[]?\s*(?P<w>{_WORDS_IS})\s*[)\]]?\s*$", re.I)


#: A current's name or unit that says its convention: ``I_rms``, ``I_ac_peak (mA)``,
#: ``I_ac (mA, rms)``.
_KEY_IS_RE = re.compile(r"^(?P<name>.*?\S)[\s_-]*(?P<w>rms|peak[\s_-]*to[\s_-]*peak|peak|pk[\s_-]?pk|p-p|pp|pk)(?P<unit>\s*[(\[].*)?$", re.I)
_UNIT_IS_RE = re.compile(r"^(?P<name>.*?)\s*(?P<o>[(\[])\s*(?P<unit>[^,()\[\]\s]+?)(?:\s*,\s*|\s+)"
                         rf"(?P<w>{_WORDS_IS})\s*[)\]]\s*$", re.I)
#: A current's name with its convention alone in a bracket of its own, before or after the unit:
#: ``AC current amplitude (rms)``, ``Current amplitude [rms]``, ``I_ac amplitude (peak) (mA)``,
#: ``Current amplitude (mA) (rms)``.
_BRACKET_IS_RE = re.compile(rf"^(?P<name>.*?\S)\s*"
                            rf"(?:\(\s*(?P<w>{_WORDS_IS})\s*\)|\[\s*(?P<w2>{_WORDS_IS})\s*\])"
                            r"(?P<unit>\s*[(\[].*)?$", re.I)


def _key_current_is(key: str) -> tuple[str, str | None]:
    """A preamble key without the convention its name or unit writes (``I_rms`` -> ``I``,
    ``I_ac (mA, rms)`` -> ``I_ac (mA)``, ``AC current amplitude (rms)`` -> ``AC current
    amplitude``), and that convention (``'rms'``, ``'peak'``, ``'pk-pk'``) or None."""
    m = _UNIT_IS_RE.match(key.strip())
    if m is not None:
        close = "]" if m.group("o") == "[" else ")"
        return f"{m.group('name')} {m.group('o')}{m.group('unit')}{close}", _convention(m.group("w"))
    m = _BRACKET_IS_RE.match(key.strip())
    if m is not None:
        return m.group("name") + (m.group("unit") or ""), _convention(m.group("w") or m.group("w2"))
    m = _KEY_IS_RE.match(key.strip())
    if m is not None:
        return m.group("name") + (m.group("unit") or ""), _convention(m.group("w"))
    return key, None


def unread_notes(unread, given: str) -> list[str]:
    """The notes of the preamble entries ``unread`` (filled by :func:`rotation_field` and the
    like) that were left out for the option ``given`` (``--current 2mA``): each entry and why
    it could not be read (up to the first ';', without the list of units)."""
    return [f"{why.split('; ')[0]}: the entry was not read, {given} was used"
            for why in dict.fromkeys(unread or [])]


def _convention(word: str) -> str:
    """'rms', 'peak' or 'pk-pk' for a word that says which (``RMS``, ``pk``, ``amplitude``;
    ``pp``, ``pk-pk``, ``p-p``, ``peak-to-peak``)."""
    w = re.sub(r"[\s_-]", "", word.lower())
    if w == "rms":
        return "rms"
    return "pk-pk" if w in ("pp", "pkpk", "peaktopeak") else "peak"


def _current_is(value: str) -> tuple[str, str | None]:
    """A current's value without the amplitude convention written after it, and that
    convention (``'rms'`` or ``'peak'``), or None."""
    m = _CURRENT_IS_RE.match(value.strip())
    if m is None:
        return value, None
    return m.group("q"), _convention(m.group("w"))


#: The axis of a field sweep in a file name: ``Hx``, ``H_y``, ``Bx``, ``field_x``, ``sweep_y``,
#: ``x-sweep`` as a token of its own.
#: The axis as a word of a file name (``longitudinal``, ``transverse``) or as the last token of
#: its stem (``loop_mz_up_x.csv``).
_NAME_AXIS_WORD_RE = re.compile(r"(?<![A-Za-z])(?P<w>longitudinal|transverse)(?![A-Za-z])"
                                r"|[_-](?P<w2>[xy])(?=\.[A-Za-z0-9]+$|$)", re.I)
_NAME_AXIS_RE = re.compile(
    r"(?<![A-Za-z])(?:(?:[HhBb]|field|Field|sweep|Sweep)[_-]?(?P<a>[xy])|(?P<b>[xy])[_-]?[Ss]weep)"
    r"(?![A-Za-z])")


def sweep_axis(p) -> tuple[float, str] | None:
    """The in-plane axis of the field sweep of file ``p`` written in its name, as phi_h in deg
    (x: 0, y: 90), and the token; None when the name writes none, or both.

    Parameters
    ----------
    p : str or pathlib.Path
        The file (``file.xlsx[sheet]`` for a sheet: its name, with the sheet's).
    """
    name = Path(p).name
    found = {(m.group("a") or m.group("b")).lower(): m.group(0)
             for m in _NAME_AXIS_RE.finditer(name)}
    for m in _NAME_AXIS_WORD_RE.finditer(name):     # 'longitudinal', 'transverse', a last '_y'
        word = (m.group("w") or m.group("w2")).lower()
        found.setdefault({"longitudinal": "x", "transverse": "y"}.get(word, word),
                         m.group(0).lstrip("_-"))
    if len(found) != 1:
        return None
    (axis, token), = found.items()
    return (0.0 if axis == "x" else 90.0), token


def _of_file(p: Path, quantity: str, preamble=None, unread=None,
             also=None) -> tuple[float, str] | None:
    """One quantity of file ``p`` (house units) from its preamble (the lines ``preamble`` when
    given) and its name, which must agree, and where it was read; ``unread`` as
    :func:`rotation_field`, ``also`` as :func:`source_current`."""
    found = [f for f in (_from_preamble(p, quantity, preamble, unread, also),
                         _from_name(p.name, quantity))
             if f is not None]
    if not found and quantity == "field":
        found = [f for f in (_from_folder(p),) if f is not None]
    if len(found) == 2 and not np.isclose(found[0][0], found[1][0], rtol=1e-9, atol=0.0):
        raise HallReadError(f"{p}: the {found[0][1]} gives {_text(found[0][0], quantity)} but the "
                            f"{found[1][1]} gives {_text(found[1][0], quantity)}; give the "
                            f"{_QUANTITIES[quantity][3]} with its option")
    return found[0] if found else None


def _from_folder(p: Path) -> tuple[float, str] | None:
    """The field a folder per field gives the rotations in it (``100mT/rotation.csv``), when
    its name is nothing but conditions of a measurement
    (:func:`sotfit.io.folders.conditions_only`: ``2-400mT`` is a range), else None."""
    from ..folders import conditions_only

    folder = os.path.basename(os.path.dirname(os.path.realpath(p)))
    if not conditions_only(folder, (_NAME_FIELD_RE, _NAME_CURRENT_RE)):
        return None
    try:
        found = _from_name(folder, "field")
    except HallReadError:
        return None
    return None if found is None else (found[0], f"folder name ({folder!r})")


def name_number(text: str, name: str) -> float:
    """A number of a file name (:func:`sotfit.io.name_numbers.name_number`), refused as a
    :class:`HallReadError`."""
    return _name_number(text, name, HallReadError)


def _text(value: float, quantity: str) -> str:
    """A value of ``quantity`` in house units as the messages write it (mT, mA)."""
    return f"{value * 1e3:g} mT" if quantity == "field" else f"{value:g} mA"


def _from_name(name: str, quantity: str) -> tuple[float, str] | None:
    """The one value of ``quantity`` (house units) a file name writes, or None."""
    _, pattern, dimension, words = _QUANTITIES[quantity]
    values = {}
    for m in pattern.finditer(name):
        unit = _NAME_UNITS.get(m.group("unit"), m.group("unit"))
        value = to_house(name_number(m.group("num"), name), unit, dimension)[0]
        limit, limit_unit, why = _LIMITS[dimension]
        if abs(value) > limit:
            raise HallReadError(f"{name}: the file name writes {m.group(0).strip('_=')!r}, "
                                f"{abs(value):g} {limit_unit}, beyond {limit:g} {limit_unit} "
                                f"({why}): give the {words} with its option")
        sign = m.groupdict().get("sign")
        if sign and m.groupdict().get("pre") and not m.group("sep"):
            # 'H-120mT': a minus sign or a separator; the torques change sign with the field
            raise HallReadError(
                f"{name}: the file name writes {m.group(0)!r}: the '{sign}' may be a minus sign "
                f"or a separator, and the torques change sign with the field; write the name "
                f"with '{m.group('pre')}_-{m.group('num')}{m.group('unit')}' or "
                f"'{m.group('pre')}_m{m.group('num')}{m.group('unit')}' for the negative field, "
                f"'{m.group('pre')}_{m.group('num')}{m.group('unit')}' for the positive one, or "
                "give the field in a column")
        k = m.start()
        if not sign and not m.groupdict().get("pre") and k >= 2 and name[k - 1] == "-" \
                and name[k - 2].isalnum() and quantity == "field":
            # 'Py-120mT': as 'H-120mT' (ST-FMR names are read the same way)
            raise HallReadError(
                f"{name}: the file name writes {name[k - 2:m.end()]!r}: the '-' may be a minus "
                f"sign or a separator, and the torques change sign with the field; write "
                f"'_-{m.group(0)}' or '_m{m.group(0)}' for the negative field, "
                f"'_{m.group(0)}' for the positive one, or give the field in a column")
        if sign:        # '_-120mT', '-120mT/', 'm120mT': a rotation at a negative field
            value = -value
        values[round(value, 15)] = m.group(0).lstrip("_=")
    if len(values) > 1:
        raise HallReadError(f"{name}: the file name writes several values of the {words} "
                            f"({', '.join(values.values())}); give it with its option")
    if not values:
        return None
    (value, token), = values.items()
    return float(value), f"file name ({token!r})"


def _preamble_head(p: Path, preamble=None):
    """The lines above the table of text file ``p`` (or the lines ``preamble`` above a
    section's first row) and the file's dialect (None for ``preamble``); None when ``p`` is no
    readable text table."""
    from ..decimal_commas import with_decimal_points
    from ..multivu import is_multivu
    from ..own_formats import plain_lines
    from .dialect import _head_lines, _sniff

    if preamble is not None:
        return list(preamble), None
    if not p.is_file():
        return None
    head = _head_lines(p)
    # a file in a program's own layout (a MultiVu file's INFO entries, a LabVIEW measurement
    # file's header lines) with its entries as '# NAME: value' comments above the table, as
    # the table reader sees them: a LabVIEW file's preamble read as it stood had no entries,
    # its preamplifier gain went unasked (torques 100 times too large)
    own = plain_lines(head)
    multivu = is_multivu(head)
    if own is not None:
        head = own[0]
    if not multivu:
        # a file written with decimal commas writes its preamble's numbers so too ('# I_ac =
        # 4,0 mA peak' was an unknown unit ',0 mA'); each line keeps its place
        points = with_decimal_points(head, None)
        head = head if points is None else points[0]
    dialect = _sniff(head)
    if dialect is None:
        return None
    return head[:dialect.header], dialect


def _preamble_entries(head):
    """``(line index, key, value)`` of every entry of the lines ``head``: comments, ``key:
    value`` entries, settings of two cells."""
    for i, line in enumerate(head):
        body = _strip_comment(line) if _is_comment(line) else line
        entries = header_entries(body)
        entries += [pair for d in ("\t", ";", ",")
                    if (pair := name_value_pair(body, d, numbers_only=True)) is not None]
        for key, value in entries:
            yield i, key, value


def _from_preamble(p: Path, quantity: str, preamble=None, unread=None,
                   also=None) -> tuple[float, str] | None:
    """The one value of ``quantity`` (house units) a preamble entry of text file ``p`` gives
    (lines above the column header row: comments, ``key: value`` entries, settings of two
    cells; or the lines ``preamble`` above a section's first row), or None; an entry that
    cannot be read is refused, or with ``unread`` (a list) left out and said there; the
    current written again in another form goes to ``also`` (:func:`source_current`)."""
    found_head = _preamble_head(p, preamble)
    if found_head is None:
        return None
    head, dialect = found_head
    found = {}
    entries = [(i, key, value, False) for i, key, value in _preamble_entries(head)]
    if quantity == "current":
        # a line written loosely ('AC current 2 mA rms @ 1013 Hz') where no entry of the line
        # names the current
        named = {i for i, key, _, _ in entries if _names_current(key)}
        entries += [(i, "", line, True) for i, line in enumerate(head) if i not in named]
    for i, key, value, loose in entries:
        try:
            if loose:
                entry = _loose_current(p, i, value)
            else:
                entry = _preamble_entry(p, i, key, value, quantity)
        except HallReadError as exc:
            if unread is None:
                raise
            unread.append(str(exc).removeprefix(f"{p}: "))
            continue
        if entry is not None:
            v, where, convention, other = entry
            found.setdefault(round(v, 15), (where, convention, other))
    if len(found) > 1:
        raise HallReadError(f"{p}: the preamble gives several values of the "
                            f"{_QUANTITIES[quantity][3]} ({', '.join(w[0] for w in found.values())}); "
                            "give it with its option")
    if not found:
        return None
    below = [] if dialect is None else _entry_lines_below(p, dialect.header, quantity)
    if below:
        raise HallReadError(f"{p}: entries of the {_QUANTITIES[quantity][3]} between the rows "
                            f"(line {', '.join(map(str, below[:5]))}) as well as above them: the "
                            "file holds several scans one after another, each under its own "
                            "entry; write each to a file of its own")
    (value, (where, convention, other)), = found.items()
    if also is not None and other is not None:
        also.append(other)
    return (float(value), where) if quantity != "current" else (float(value), where, convention)


def _preamble_entry(p: Path, i: int, key: str, value: str, quantity: str, shown=None):
    """The value (house units) of ``quantity`` one preamble entry (line ``i`` from 0, ``key``
    and ``value``; its name said as ``shown`` where not ``key``) gives, where it was read, the
    current's convention written with it (``'rms'``, ``'peak'`` or None) and the current
    written again in brackets in another form (``(mA, convention)``, or None); None for an
    entry of something else."""
    convention = second = other = None
    value = _first_of_list(value)
    if quantity == "current":
        value = _without_frequency(value)       # '2 mA rms @ 1013 Hz': the source's frequency
        # '2.828 mA peak (2 mA rms)': its unit was taken to be 'mA peak (2 mA'
        value, second = _second_form(value)
        value, convention = _current_is(value)
        key, in_key = _key_current_is(key)
        if None not in (convention, in_key) and convention != in_key:
            raise HallReadError(f"{p}: preamble entry {key.strip()!r} (line {i + 1}) "
                                f"says both {in_key} and {convention}")
        convention = convention or in_key
    v = _entry_value(p, i, key, value, quantity)
    if v is None:
        return None
    if second is not None:
        other = _agreeing_second_form(p, i, key, value, v, convention, second)
    said = ""
    if convention == "pk-pk":
        # '4 mA pp' was an unknown unit: half a peak-to-peak amplitude is the peak
        v, convention, said = v / 2.0, "peak", ", peak-to-peak: half of it is the peak"
    return v, f"preamble entry {(shown or key).strip()!r} (line {i + 1}{said})", convention, other


#: The words a current's name written loosely may be made of (``Excitation: 2.0 mA rms, 13.7
#: Hz``, ``AC current 2 mA rms @ 1013 Hz``, ``Sample current 2 mA RMS; Hall bar 10 um``), with
#: ``current`` or ``excitation`` among them. Any other word makes it none: a dc, bias, heater,
#: magnet or field coil current, a current limit, compliance or range, an excitation voltage.
_LOOSE_NAME_WORDS = {"current", "excitation", "ac", "sample", "source", "applied", "drive",
                     "driving", "device", "hall", "bar", "sine", "sinusoidal", "lock", "in",
                     "lockin", "amplitude"}
#: A line written loosely: a name of words, an optional ':' or '=', and a value.
_LOOSE_LINE_RE = re.compile(r"^(?P<name>[A-Za-z][A-Za-z\s_-]*?)\s*[:=]?\s*"
                            r"(?P<value>[-+]?\.?\d.*)$")
#: A value that begins with a number and a current's unit symbol (``2.0 mA``, ``500uA``).
_CURRENT_UNIT_RE = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*[pnuµμmk]?A(?![A-Za-z])")
#: A frequency after a current (``@ 1013 Hz``, ``at 13.7 Hz``): the source's, not the current's.
_FREQUENCY_RE = re.compile(r"\s*(?:@|\bat\b)\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*"
                           r"[kMm]?Hz\s*$")


def _without_frequency(value: str) -> str:
    """A current's value without the frequency written after it (``'2 mA rms @ 1013 Hz'`` ->
    ``'2 mA rms'``; it made the unit 'mA rms @ 1013 Hz')."""
    return _FREQUENCY_RE.sub("", value)


def _names_current(key: str) -> bool:
    """Whether the name of a preamble entry, ``key``, is a source current's (with its
    convention and unit, as :func:`_entry_value` reads it)."""
    try:
        name = split_header(_key_current_is(key)[0])[0]
    except UnitError:
        return False
    return is_current_name("".join(_tokens(name.lower())))


def _loose_current(p: Path, i: int, line: str):
    """The source current a preamble line ``line`` (``i`` from 0) writes loosely (``Excitation:
    2.0 mA rms, 13.7 Hz``, ``AC current 2 mA rms @ 1013 Hz``, ``Sample current 2 mA RMS;
    Hall bar 10 um``), as :func:`_preamble_entry`; None unless its name is made of
    :data:`_LOOSE_NAME_WORDS` with ``current`` or ``excitation``, its value a current with its
    unit, and it says rms or peak (these lines were 'no current in the preamble')."""
    body = (_strip_comment(line) if _is_comment(line) else line).strip()
    m = _LOOSE_LINE_RE.match(body)
    if m is None:
        return None
    words = set(_tokens(m.group("name").lower()))
    if not words or not words <= _LOOSE_NAME_WORDS or not words & {"current", "excitation"}:
        return None
    value = _without_frequency(_first_of_list(m.group("value")))
    if _CURRENT_UNIT_RE.match(value) is None or _current_is(_second_form(value)[0])[1] is None:
        return None
    return _preamble_entry(p, i, "current", value, "current", shown=m.group("name"))


#: A current followed by the same current in brackets, in another form: ``2.828 mA peak (2 mA
#: rms)``, ``2 mA rms [2.83 mA pk]``, ``1.5 mA rms (= 2.121 mA peak)``.
_SECOND_FORM_RE = re.compile(r"^(?P<first>.*?[A-Za-z\u00b5\u03bc])\s*"
                             r"(?:\(\s*=?\s*(?P<s1>[-+]?\.?\d[^()]*?)\s*\)"
                             r"|\[\s*=?\s*(?P<s2>[-+]?\.?\d[^\[\]]*?)\s*\])\s*$")
#: The factor from each form of a current to its peak: sqrt 2 from rms, 1/2 from peak-to-peak.
_IN_PEAKS = {"rms": np.sqrt(2.0), "peak": 1.0, "pk-pk": 0.5, None: 1.0}
#: The leading number of a value as written: its digits after the point and its exponent.
_WRITTEN_NUMBER_RE = re.compile(r"^\s*[-+]?\d*(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[-+]?\d+))?")


def _second_form(value: str) -> tuple[str, str | None]:
    """A current's value without the current written again after it in brackets, and that
    second value (``'2.828 mA peak (2 mA rms)'`` -> ``'2.828 mA peak'``, ``'2 mA rms'``), or
    None."""
    m = _SECOND_FORM_RE.match(value.strip())
    if m is None:
        return value, None
    return m.group("first"), (m.group("s1") or m.group("s2")).strip()


def _half_digit(text: str, value: float) -> float:
    """Half a unit of the last digit written of the number ``text`` begins with (``'2.828
    mA'``: 0.0005), in the units of ``value``, the number in house units."""
    m = _WRITTEN_NUMBER_RE.match(text)
    try:
        number = parse_quantity(text.strip())[0]
    except UnitError:
        return 0.0
    if m is None or not number:
        return 0.0
    half = 0.5 * 10.0 ** (int(m.group("exp") or 0) - len(m.group("frac") or ""))
    return half * abs(value / number)


def _agreeing_second_form(p: Path, i: int, key: str, value: str, v: float,
                          convention: str | None, second: str) -> tuple[float, str | None]:
    """The current ``second`` written in brackets after the entry's ``value`` (``v`` mA, of
    ``convention``), as ``(mA, convention)`` (peak-to-peak halved to the peak), once checked
    to state the same current to the digits written; else the entry is refused."""
    text, form = _current_is(second)
    w = _entry_value(p, i, key, text, "current")
    where = f"preamble entry {key.strip()!r} (line {i + 1})"
    if w is None:
        raise HallReadError(f"{p}: {where}: {second!r} in brackets after {value.strip()!r} is "
                            "no current; give the source current with its option")
    if convention is None and form is not None:
        raise HallReadError(f"{p}: {where} says {form} only of the current in brackets "
                            f"({second!r}), not of {value.strip()!r} before them; write which "
                            "after both, or give the source current with its option")
    form = form or convention
    first, again = v * _IN_PEAKS[convention], w * _IN_PEAKS[form]
    digits = (_half_digit(value, v) * _IN_PEAKS[convention]
              + _half_digit(text, w) * _IN_PEAKS[form])
    if abs(first - again) > digits + 1e-9 * abs(first):
        as_first = again / _IN_PEAKS[convention]
        raise HallReadError(f"{p}: {where} writes {value.strip()!r} and {second!r} in brackets, "
                            f"which disagree ({second} is {as_first:.4g} mA"
                            f"{' ' + convention if convention else ''}); correct the entry, or "
                            f"give the source current ({_opt('current', '2mA')}, "
                            f"{_opt('current_is', 'rms')})")
    if _IN_PEAKS[form] != _IN_PEAKS[convention] and abs(v - w) <= (
            _half_digit(value, v) + _half_digit(text, w) + 1e-9 * abs(v)):
        # '2 mA peak (2 mA rms)', '1 mA rms (2 mA peak)': to one digit the two numbers agree
        # as the two forms and as one form alike, so the entry cannot say which form it is
        written, bracket = f"{value.strip()} {convention}", f"{text.strip()} {form}"
        raise HallReadError(f"{p}: {where} writes {written!r} and {second!r} in brackets, whose "
                            f"digits cannot tell the two forms apart: {written} ({first:.4g} mA "
                            f"peak) agrees with {bracket} ({again:.4g} mA peak) to the digits "
                            f"written, and as well with {text.strip()} {convention}, the same "
                            "number in the first form; write the two to more digits, or give "
                            f"the source current ({_opt('current', '2mA')}, "
                            f"{_opt('current_is', 'rms')})")
    return (w / 2.0, "peak") if form == "pk-pk" else (w, form)


#: A tilt of the field written in words: a tilt word and an angle in degrees on one line
#: (``# field tilted 10 deg out of plane to avoid domains``, ``# 5° out-of-plane tilt``).
_TILT_WORD_RE = re.compile(r"(?<![a-z])(?:tilt\w*|out[\s_-]*of[\s_-]*(?:the[\s_-]*)?plane|oop|"
                           r"inclin\w*|elevat\w*)(?![a-z])", re.I)
_DEGREES_RE = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?\s*(?:deg(?:rees?)?|\u00b0)(?![a-z])",
                         re.I)


def preamble_tilt(p, preamble=None) -> str | None:
    """A preamble line of file ``p`` that writes a tilt of the field in words (a tilt word and
    an angle in degrees), or None: such a sweep at theta_H = 80 deg was read at 90 deg (H_K 133
    standard errors off, no word), since only an entry (``theta_H (deg): 80``) was read."""
    found_head = _preamble_head(Path(p), preamble)
    if found_head is None:
        return None
    for i, line in enumerate(found_head[0]):
        body = (_strip_comment(line) if _is_comment(line) else line).strip()
        if _TILT_WORD_RE.search(body) and _DEGREES_RE.search(body):
            return f"preamble line {i + 1} ({body[:70]!r})"
    return None


def preamble_gain(p, harmonic: int, preamble=None) -> tuple[str, str, bool] | None:
    """A preamplifier gain of harmonic ``harmonic`` (1 or 2) written in the preamble of file
    ``p`` (``# gain_2w = 100``, ``Gain: 40 dB``; an entry without a harmonic is of both), as
    written, where, and whether the entry names the harmonic; None when there is none. A lock-in's readings may or may not have been
    divided by it already: the file does not say, so the caller asks."""
    found_head = _preamble_head(Path(p), preamble)
    if found_head is None:
        return None
    for i, key, value in _preamble_entries(found_head[0]):
        found = gain_entry(key, value)
        if found is None or (len(found[1]) == 1 and harmonic not in found[1]) \
                or gain_factor(found[0]) == 1.0:        # a gain of 1: nothing to ask
            continue
        return found[0], f"preamble entry {key.strip()!r} (line {i + 1})", bool(found[1])
    # a gain in an entry's value or in a remark ('Preamplifier: SR560, gain 100', '# signal
    # amplified 100x by an SR560'): read without a word before, torques 100 times too large
    for i, line in enumerate(found_head[0]):
        body = (_strip_comment(line) if _is_comment(line) else line).strip()
        number = _gain_of_harmonic(body, harmonic) if body else None
        if number is None or gain_factor(number[0]) == 1.0:
            continue
        return number[0], f"preamble line {i + 1} ({body[:60]!r})", number[1]
    return None


def _harmonics_said(text: str) -> set[int]:
    """The harmonics (1, 2) a piece of text names."""
    return {int(m.group("h")) if m.group("h") else (1 if m.group("word").lower() == "first"
                                                     else 2)
            for m in _HARMONIC_RE.finditer(text)}


def _gain_of_harmonic(body: str, harmonic: int) -> tuple[str, bool] | None:
    """The gain a preamble line writes for ``harmonic`` and whether it names the harmonic, or
    None. A line naming both harmonics is read part by part (between commas, semicolons and
    'and': ``x1 preamp on 1w, x10 on 2w``: the first factor, 1, was taken for the line and the
    10 never read, H_DL 10 times too large); a part without an amplifier's name or the word
    gain takes the line's. Where no part of either harmonic writes one, the line's gain is
    asked about for both (``Lock-in A: 1w, lock-in B: 2w, SR560 preamp, gain 10``)."""
    said = _harmonics_said(body)
    if len(said) > 1:
        parts = [part for part in re.split(r"[,;]|\band\b", body)
                 if len(_harmonics_said(part)) == 1]
        context = "preamp " if (_AMPLIFIER_TEXT_RE.search(body)
                                or re.search(r"(?<![a-z])gain", body, re.I)) else ""
        assigned: dict[int, list[str]] = {1: [], 2: []}
        for part in parts:
            (h,) = _harmonics_said(part)
            assigned[h] += gains_in_text(part) or (gains_in_text(context + part)
                                                   if context else [])
        if assigned[harmonic]:
            return assigned[harmonic][0], True
        if any(assigned.values()):      # '1w: no preamp; 2w: preamp x10': none for the first
            return None
    number = gain_in_text(body)
    if number is None or (len(said) == 1 and harmonic not in said):
        return None
    return number, bool(said)


def _entry_lines_below(p: Path, header: int, quantity: str) -> list[int]:
    """File lines (from 1) below the column header row ``header`` (0-based) that hold an
    entry of ``quantity`` (a comment or a ``key: value`` line between the rows)."""
    from .dialect import _lines

    from ..text import _read_text

    lines = _lines(_read_text(p))
    return [i + 1 for i in range(header + 1, len(lines))
            if _is_entry_below(p, i, lines[i], quantity)]


def _is_entry_below(p: Path, i: int, line: str, quantity: str) -> bool:
    """Whether ``line`` (``i`` from 0), below the column header row, holds an entry of
    ``quantity``, read or not."""
    body = _strip_comment(line) if _is_comment(line) else line
    for key, value in header_entries(body) if (":" in line or "=" in line) else []:
        if quantity == "current":
            # as above the rows: 'AC current amplitude (rms): 2 mA' between the rows went
            # unseen, and the first scan's current was taken for every scan
            key = _key_current_is(key)[0]
            value = _current_is(_second_form(_without_frequency(_first_of_list(value)))[0])[0]
        try:
            if _entry_value(p, i, key, value, quantity) is not None:
                return True
        except HallReadError:
            return True
    if quantity != "current":
        return False
    try:        # 'AC current 3 mA rms @ 1013 Hz' between the rows, as above them
        return _loose_current(p, i, line) is not None
    except HallReadError:
        return True


#: A value followed by more after a comma or semicolon: ``1.414 mA rms, 133.33 Hz``.
_LIST_RE = re.compile(r"^(?P<first>[^,;]*[A-Za-z\u00b5\u03bc][^,;]*)[,;]\s*\S")


def _first_of_list(value: str) -> str:
    """The first item of an entry's value that lists more after a comma or semicolon
    (``'1.414 mA rms, 133.33 Hz'`` -> ``'1.414 mA rms'``: the frequency written after the
    current made its unit 'mA rms, 133.33 Hz' and refused the file, with --current given too);
    a value with a decimal comma (``'4,0 mA'``, no letter before the comma) is kept whole."""
    m = _LIST_RE.match(value.strip())
    return m.group("first").strip() if m else value


def _entry_value(p: Path, line: int, key: str, value: str, quantity: str) -> float | None:
    """The value (house units) of one preamble entry whose name is one of ``quantity``
    (``Field (mT)``, ``B``, ``H_ext``; ``Current``, ``I_source``), or None for any other."""
    is_name, _, dimension, words = _QUANTITIES[quantity]
    try:
        name, key_unit = split_header(key)
    except UnitError:
        return None
    if not is_name("".join(_tokens(name.lower()))):
        return None
    try:
        number, unit = parse_quantity(value.strip())
    except UnitError:
        return None
    unit = unit or key_unit
    if not unit:
        raise HallReadError(f"{p}: preamble entry {key.strip()!r} = {value.strip()!r} (line "
                            f"{line + 1}) has no unit; write it as '{key.strip()} "
                            f"({_EXAMPLE_UNITS[dimension]}): ...' or give the {words} "
                            "with its option")
    try:
        return float(to_house(number, unit, dimension)[0])
    except UnitError as exc:
        raise HallReadError(f"{p}: preamble entry {key.strip()!r} (line {line + 1}): {exc}") \
            from None
