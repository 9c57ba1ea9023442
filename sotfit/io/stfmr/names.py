"""Frequency, rf power, field angle and repeat index read from a file name or a column label
(``9GHz.lvm``, ``stfmr_9.00GHz_10.00dBm_0.00mA.dat``, ``phi30deg``, ``9GHz_1.lvm``).
"""

from __future__ import annotations

import re
from pathlib import Path

from ...data import DataError
from ..name_numbers import name_number
from .columns import RF_BAND_GHZ
from .options import _opt


__all__ = [
    "frequency_from_name",
    "power_from_name",
    "angle_from_name",
    "repeat_from_name",
]


#: A number of a name: ``9``, ``9.5``, ``9p5`` or, with a decimal comma, ``9,5``.
_NUM = r"(?P<num>\d+(?:[.p,]\d+)?)"


#: What may stand before a quantity of a name: its start, a character that is not a letter,
#: digit or point, or a comma not after a digit (``9,5`` is one number).
_BEFORE = r"(?:^|[^0-9a-z.,]|(?<![0-9]),)"


_FREQ_NAME_RE = re.compile(
    _BEFORE + r"(?:freq|f)?_?" + _NUM + r"[\s_]*(?P<unit>ghz|mhz)(?![a-z])", re.I
)


#: A frequency in Hz, its number with or without a power of ten (``16e9Hz``, ``9.5E9_Hz``,
#: ``f=8.0e9Hz``, ``8000000000 Hz``): an rf frequency only from :data:`RF_HZ_MIN` on, so that
#: a lock-in's reference or modulation frequency (``mod_137Hz``) is never read as one.
_FREQ_HZ_RE = re.compile(
    _BEFORE + r"(?:freq|f)?[_=]?\s*(?P<num>\d+(?:\.\d+)?(?:e[+]?\d+)?)[\s_]*(?P<unit>hz)(?![a-z])",
    re.I
)


#: A number of Hz without its unit, written with a power of ten after ``f=`` or ``freq=``
#: (``f=8.0e9``, a column of a wide table): no other unit makes such a number an rf frequency.
_FREQ_BARE_HZ_RE = re.compile(
    _BEFORE + r"(?:frequency|freq|f)\s*=\s*(?P<num>\d+(?:\.\d+)?e[+]?\d+)(?![0-9a-z]|\.\d)", re.I
)


#: The lowest frequency in Hz that a name's ``...Hz`` gives as the rf frequency (100 MHz).
RF_HZ_MIN = 1e8


_POWER_NAME_RE = re.compile(
    _BEFORE + r"(?:power|pow|prf|p)?_?(?P<sign>[-+m]?)" + _NUM + r"[\s_]*dbm(?![a-z])",
    re.I
)


# ``phi30deg``, ``angle-15.5deg``, ``_30deg_``, ``30p5deg``; ``phi30``, ``angle30`` (degrees)
_ANGLE_UNIT_RE = re.compile(
    _BEFORE + r"(?:(?P<pre>phi|angle|ang)[_=]?(?P<sign>[-m]?)|(?P<bare>-))?" + _NUM + r"[\s_]*"
    r"(?:(?:deg|degrees?)(?![a-z])|\u00b0)", re.I
)


_ANGLE_PREFIX_RE = re.compile(
    _BEFORE + r"(?:phi|angle)[_=]?(?P<sign>[-m]?)" + _NUM + r"(?![0-9a-z.])", re.I
)


#: An angle in degrees right after a letter or digit and a hyphen (``Py-45deg``): the hyphen may
#: be a minus sign or a separator, and the name cannot tell.
_HYPHEN_ANGLE_RE = re.compile(
    r"(?P<after>[0-9a-z][0-9a-z.,]*)-" + _NUM + r"[\s_]*(?:deg|degrees?)(?![a-z])", re.I
)


#: A frequency written after a number and an underscore (``8_5GHz``): read as 5 GHz (the
#: underscore separates tokens, as in ``dev2_10GHz``), but it may be 8.5 GHz written without a
#: point.
_UNDERSCORE_DECIMAL_RE = re.compile(
    r"(?:^|[^0-9a-z.,])(?P<whole>\d+)_(?P<frac>\d+)[\s_]*(?P<unit>ghz|mhz)(?![a-z])", re.I)


def decimal_reading(text: str, value: float | None) -> tuple[float, str] | None:
    """The other reading of a name's frequency ``value`` (GHz) written as ``8_5GHz``: (8.5,
    ``'8_5GHz'``), or None."""
    if value is None:
        return None
    for m in _UNDERSCORE_DECIMAL_RE.finditer(text):
        scale = 1e-3 if m.group("unit").lower() == "mhz" else 1.0
        if round(float(m.group("frac")) * scale, 12) == value:
            other = round(float(f"{m.group('whole')}.{m.group('frac')}") * scale, 12)
            return other, m.group(0).lstrip("_=- ([")
    return None


class AmbiguousSign(DataError):
    """A name's angle whose sign the name cannot tell (``Py-45deg``): ``values`` holds both."""

    def __init__(self, message: str, values: tuple[float, float]):
        super().__init__(message)
        self.values = values


#: The patterns of the quantities a name gives (:func:`condition_name`).
_QUANTITY_RES = (_FREQ_NAME_RE, _FREQ_HZ_RE, _FREQ_BARE_HZ_RE, _POWER_NAME_RE, _ANGLE_UNIT_RE,
                 _ANGLE_PREFIX_RE)


_REPEAT_NAME_RE = re.compile(r"[_\-\s](?:rep|repeat|run)?(?P<n>\d{1,3})$", re.I)


def condition_name(name: str) -> bool:
    """Whether a folder's name is only conditions of a measurement (``8GHz``, ``f=8GHz``,
    ``run_10GHz_15dBm``, ``phi_30deg``; :func:`sotfit.io.folders.conditions_only` with the
    frequency, power and angle patterns of a name). Only such a name gives a quantity to the
    files in it."""
    from ..folders import conditions_only

    return conditions_only(name, _QUANTITY_RES)


def _one_in(text: str, patterns, value, what: str, unit: str, option: str, where: str):
    """The one quantity ``value(match)`` that ``patterns`` find in ``text``, or ``None``;
    a :class:`DataError` naming ``where`` when ``text`` holds two different ones."""
    found = {value(m, _opt(option)) for rx in patterns for m in rx.finditer(text)} - {None}
    if len(found) > 1:
        raise DataError(f"{where} holds several {what} {sorted(found)} {unit}; pass "
                        f"{_opt(option)}... to say which")
    return found.pop() if found else None


#: Characters that make a name more than one bare path component (on any system).
_SEPARATORS = re.compile(r"[/\\:]")


_SUFFIX_RE = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}")


def _stem(name) -> str:
    """The file name without its suffix; a name without an extension is its own stem
    (``test1_13G_8dmb_0.1V_005``: ``.1V_005`` is not a suffix)."""
    if isinstance(name, str) and name not in ("", ".") and not _SEPARATORS.search(name):
        # a bare file name: the name, suffix and stem of pathlib without building a Path
        base, dot = name, name.rfind(".")
        suffix, stem = (name[dot:], name[:dot]) if 0 < dot < len(name) - 1 else ("", name)
    else:
        p = Path(name)
        base, suffix, stem = p.name, p.suffix, p.stem
    return stem if _SUFFIX_RE.fullmatch(suffix) else base


def _signed(m, option: str = "its option") -> float:
    """The number of a match, negative after a ``-`` or ``m`` sign."""
    v = name_number(m.group("num"), m.string, option=option)
    sign = m.groupdict().get("sign") or m.groupdict().get("bare")
    return -v if sign in ("-", "m", "M") else v


def _ghz(m, option: str = "its option") -> float | None:
    """The frequency of a name match in GHz (MHz and Hz converted); None for a number of Hz
    below :data:`RF_HZ_MIN`, which is not an rf frequency."""
    unit = (m.groupdict().get("unit") or "hz").lower()
    if unit == "hz":
        hz = float(m.group("num"))
        return round(hz * 1e-9, 12) if hz >= RF_HZ_MIN else None
    scale = 1e-3 if unit == "mhz" else 1.0
    lo, hi = RF_BAND_GHZ

    def in_band(value: float) -> bool:
        return lo <= value * scale <= hi
    return round(name_number(m.group("num"), m.string, option=option, plausible=in_band) * scale,
                 12)


def _frequency_in(text: str, where: str) -> float | None:
    """The one frequency (GHz) a file name or label gives, or None."""
    return _one_in(text, (_FREQ_NAME_RE, _FREQ_HZ_RE, _FREQ_BARE_HZ_RE), _ghz, "frequencies",
                   "GHz", "frequency", where)


def _power_in(text: str, where: str) -> float | None:
    """The one rf power (dBm) a file name or label gives, or None."""
    return _one_in(text, (_POWER_NAME_RE,), _signed, "powers", "dBm", "power", where)


#: Words that name an angle other than the in-plane field angle phi: ``tilt_5deg``,
#: ``polar_90deg``, ``theta_85deg``, ``oop_10deg`` were read as phi (the torques 4 times too
#: large for a 5 deg tilt, and the flag of the assumed 45 deg gone).
_OTHER_ANGLE_WORDS = {"tilt", "tilted", "polar", "thetah", "oop", "outofplane",
                      "elevation", "elev", "inclination", "incl", "incline", "psi", "beta",
                      "gamma", "pitch", "roll", "phase"}


def _in_plane_angle(m, option: str = "its option") -> float | None:
    """The field angle phi of a match, or None when a word that names another angle stands
    among the three words before its number (``tilt_5deg``, ``tilt_angle_5deg``,
    ``out_of_plane_10deg``, ``theta_H=85deg``) or right after it (``5deg_tilt``). ``theta``
    alone is the in-plane angle of the ST-FMR literature (Liu et al. 2011) and is read."""
    before = re.split(r"deg(?:rees?)?|\u00b0|\d", m.string[:m.start("num")], flags=re.I)[-1]
    words = [w.lower() for w in re.findall(r"[a-z]+", before, re.I)][-3:]
    if "phi" in words:
        return _signed(m, option)           # named the in-plane angle
    near = list(words)
    if not set(words) & {"angle", "ang"}:   # '5deg_tilt': the word after a bare number
        after = re.match(r"[\s_\-]*([a-z]+)", m.string[m.end():], re.I)
        near += [after.group(1).lower()] if after else []
    if any(w in _OTHER_ANGLE_WORDS for w in near) or "outofplane" in "".join(words) \
            or "".join(words[-2:]) == "thetah":
        return None
    return _signed(m, option)


def _angle_in(text: str, where: str) -> float | None:
    """The one field angle (deg) a file name or label gives, or None.

    Raises
    ------
    AmbiguousSign
        For an angle after a letter or digit and a hyphen (``Py-45deg``): -45 or 45 deg.
    """
    value = _one_in(text, (_ANGLE_UNIT_RE, _ANGLE_PREFIX_RE), _in_plane_angle, "field angles", "deg",
                    "field_angle", where)
    if value is not None and value > 0:
        for m in _HYPHEN_ANGLE_RE.finditer(text):
            if name_number(m.group("num"), m.string, option=_opt("field_angle")) == value and not re.fullmatch(
                    r"(?:.*[^0-9a-z])?(?:phi|angle|ang)", m.group("after"), re.I):
                token = f"{m.group('after')}-{m.group('num')}deg"
                raise AmbiguousSign(
                    f"{where} writes {token!r}: the '-' may be a minus sign ({-value:g} deg) or "
                    f"a separator ({value:g} deg), and the torques change sign with the angle; "
                    f"give the angle with the option, or write the name with '_-{value:g}deg' "
                    f"or 'm{value:g}deg' for {-value:g} deg, '_{value:g}deg' for {value:g} deg",
                    (value, -value))
    return value


def frequency_from_name(name: str) -> float | None:
    """Frequency in GHz written in a file name, or ``None``.

    Recognises ``9GHz``, ``9.00GHz``, ``9p5GHz``, ``9,5 GHz``, ``f9GHz``, ``9000MHz``,
    ``10.0_GHz``, ``16e9Hz``, ``9.5E9_Hz`` (case-insensitive), as a separate token of the
    name, and ``f=8.0e9`` (Hz: a power of ten after ``f=`` without a unit); a number of Hz
    below 100 MHz (``mod_137Hz``, ``f=1.7e3``) is not an rf frequency. A number after a
    comma (``8,9,10GHz``) is not a token of its own: no frequency is read from it. An
    underscore separates tokens (``dev2_10GHz`` is 10 GHz, and so is ``9_10GHz``; write
    ``9p1GHz`` or ``9.1GHz``).

    Raises
    ------
    DataError
        If the name holds two different frequencies.
    """
    base = Path(name).name
    return _frequency_in(base, f"{base}: the file name")


def power_from_name(name: str) -> float | None:
    """Rf power in dBm written in a file name (``10.00dBm``, ``-5dBm``, ``m5dBm``,
    ``10_dBm``, ``P15dBm``, ``power_-5dBm``), or ``None``."""
    base = Path(name).name
    return _power_in(base, f"{base}: the file name")


def angle_from_name(name: str) -> float | None:
    """In-plane field angle in degrees written in a file name, or ``None``.

    Recognises a number followed by ``deg`` (``_30deg_``, ``30p5deg``, ``phi30deg``,
    ``angle-15deg``, ``phim15deg``, ``phi=-15deg``, ``45_deg``) and a number after ``phi`` or
    ``angle`` without a unit (``phi30``, ``angle_30``: degrees), as a separate token of the
    name. A sign is ``-`` or ``m`` after ``phi``/``angle``, or ``-`` at the start of the name
    or after a blank, ``_``, ``=``, ``(`` or ``[`` (``run3_-45deg``, ``(-45deg)``); a ``-``
    right after a letter or digit (``Py-45deg``) may be a sign or a separator, and is an
    error (:class:`AmbiguousSign`) unless the option gives one of the two (the file name of
    ``run3_10GHz_-45deg.csv`` was read as +45 deg: torques of the wrong sign, no flag).

    Raises
    ------
    DataError
        If the name holds two different angles, or an angle whose sign it cannot tell.
    """
    return _angle_in(_stem(name), f"{Path(name).name}: the file name")


def repeat_from_name(name: str) -> int:
    """Repeat index from a trailing ``_N`` of the file stem (``9GHz_1.lvm`` -> 1), else 0.

    Also accepts ``-N``, ``_repN``, ``_repeatN`` and ``_runN``. A stem that
    ends in a number followed by a unit (``_0.00mA``) has no repeat index. A name without
    an extension is its own stem (``test1_13G_8dmb_0.1V_005`` -> 5). The day of a date
    (``run_2024-03-12``, ``2024_03_12``) is no repeat index.
    """
    stem = _stem(name)
    m = _REPEAT_NAME_RE.search(stem)
    if not m:
        return 0
    before = stem[: m.start()]
    if re.search(r"\d[.p]$", before):  # the digits are the decimals of a number
        return 0
    if re.search(r"(?:^|[^0-9])(?:19|20)\d\d[-_.]\d{1,2}$", before):
        return 0                        # the day of a date (run_2024-03-12): no repeat
    return int(m.group("n"))
