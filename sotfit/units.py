"""House units, unit parsing and conversions.

sotfit works internally in one *house* unit per physical dimension, chosen so
that fitted numbers are of order one (see ``docs/CONVENTIONS.md``):

============================  ==========================================
dimension                     house unit
============================  ==========================================
field (mu0*H)                 T
magnetisation (mu0*Ms)        T
frequency                     GHz
gyromagnetic ratio gamma/2pi  GHz/T
length (thickness, lambda_s)  nm
voltage                       uV
current                       mA
resistance                    Ohm
resistivity                   uOhm cm
spin-mixing conductance       1e13 Ohm^-1 m^-2
conductivity / xi^E           1e5 Ohm^-1 m^-1
electric field                V/m
energy                        eV
time (relaxation)             ps
angle                         deg at the edges, rad inside functions
temperature                   K
============================  ==========================================

Lab units exist only at the edges (readers, command line, tables). This module
is the single place where they are converted. Physical constants come from
:mod:`scipy.constants`.
"""

from __future__ import annotations

import functools
import math
import re
from scipy import constants as _c

__all__ = [
    "HOUSE",
    "TORQUE_QUANTITY_UNITS",
    "UnitError",
    "convert",
    "to_house",
    "from_house",
    "normalise_unit",
    "accepted_units",
    "parse_quantity",
    "quantity",
    "split_header",
    "header_dimension",
    "dimension_of",
    "readings_text",
    "gyromagnetic_ratio_from_g",
    "g_from_gyromagnetic_ratio",
    "GAMMA_FREE_ELECTRON",
    "E_CHARGE",
    "HBAR",
    "MU_0",
    "MU_B",
]

E_CHARGE = _c.e
HBAR = _c.hbar
MU_0 = _c.mu_0
MU_B = _c.physical_constants["Bohr magneton"][0]
_G_ELECTRON = -_c.physical_constants["electron g factor"][0]


class UnitError(ValueError):
    """A unit that sotfit does not know, or that does not fit the quantity."""


# Factors that take one unit of a dimension to the house unit of that dimension.
_TABLES: dict[str, dict[str, float]] = {
    "field": {
        "T": 1.0, "mT": 1e-3, "uT": 1e-6, "kOe": 0.1, "Oe": 1e-4, "G": 1e-4,
        "kG": 0.1, "A/m": MU_0, "kA/m": 1e3 * MU_0,
    },
    "frequency": {"GHz": 1.0, "MHz": 1e-3, "kHz": 1e-6, "Hz": 1e-9, "mHz": 1e-12},
    "gyromagnetic_ratio": {"GHz/T": 1.0, "MHz/T": 1e-3, "Hz/T": 1e-9, "MHz/mT": 1.0},
    "length": {
        "nm": 1.0, "Ang": 0.1, "um": 1e3, "mm": 1e6, "cm": 1e7, "m": 1e9, "pm": 1e-3,
    },
    "voltage": {"uV": 1.0, "nV": 1e-3, "mV": 1e3, "V": 1e6},
    "current": {"mA": 1.0, "uA": 1e-3, "A": 1e3, "nA": 1e-6, "MA": 1e9},
    "resistance": {"Ohm": 1.0, "mOhm": 1e-3, "uOhm": 1e-6, "kOhm": 1e3, "MOhm": 1e6},
    "resistivity": {
        "uOhmcm": 1.0, "Ohmm": 1e8, "Ohmcm": 1e6, "mOhmcm": 1e3, "nOhmm": 0.1,
        "uOhmm": 100.0,
    },
    "mixing_conductance": {"1e13/Ohm/m2": 1.0, "1/Ohm/m2": 1e-13, "S/m2": 1e-13,
                           "1e15/Ohm/m2": 100.0, "1e14/Ohm/m2": 10.0},
    "conductivity": {"1e5/Ohm/m": 1.0, "1/Ohm/m": 1e-5, "S/m": 1e-5, "1e6/Ohm/m": 10.0,
                     "1/Ohm/cm": 1e-3, "S/cm": 1e-3, "kS/m": 1e-2, "MS/m": 10.0},
    "electric_field": {"V/m": 1.0, "kV/m": 1e3, "V/cm": 100.0, "mV/nm": 1e6, "V/um": 1e6,
                       "V/nm": 1e9, "MV/m": 1e6, "kV/cm": 1e5, "mV/um": 1e3},
    "energy": {"eV": 1.0, "meV": 1e-3, "ueV": 1e-6, "J": 1.0 / _c.e},
    "time": {"ps": 1.0, "fs": 1e-3, "ns": 1e3, "s": 1e12},
    "rashba": {"eVnm": 1.0, "eVm": 1e9, "meVnm": 1e-3, "eVAng": 0.1, "meVAng": 1e-4},
    "areal_density": {"/nm2": 1.0, "/m2": 1e-18, "/cm2": 1e-14, "/um2": 1e-6},
    "wavenumber": {"/nm": 1.0, "1/nm": 1.0, "nm-1": 1.0, "/m": 1e-9, "1/m": 1e-9, "m-1": 1e-9,
                   "/Ang": 10.0, "1/Ang": 10.0, "Ang-1": 10.0},
    "angle": {"deg": 1.0, "rad": 180.0 / math.pi},
    "power": {"dBm": 1.0},
    # a column of a cryostat's temperature ('T (K)', 'Temperature [K]', 'temperature_K'): read
    # by no analysis, but a known unit; 'K' alone is kelvin, never a prefix (KOe is kOe: a
    # prefix needs a unit after it) and 'k' alone is no unit
    "temperature": {"K": 1.0, "mK": 1e-3},
    "dimensionless": {"": 1.0, "1": 1.0, "%": 0.01},
}

#: The house unit of each dimension.
HOUSE: dict[str, str] = {
    "field": "T", "frequency": "GHz", "gyromagnetic_ratio": "GHz/T", "length": "nm",
    "voltage": "uV", "current": "mA", "resistance": "Ohm", "resistivity": "uOhm cm",
    "mixing_conductance": "1e13 Ohm^-1 m^-2", "conductivity": "1e5 Ohm^-1 m^-1",
    "electric_field": "V/m", "energy": "eV", "time": "ps", "angle": "deg",
    "rashba": "eV nm", "areal_density": "nm^-2", "wavenumber": "1/nm",
    "power": "dBm", "temperature": "K", "dimensionless": "",
}

#: House units of the torque quantities every method reports by the same names (ST-FMR,
#: harmonic Hall): torque fields, the Oersted field, the electric field and the efficiencies.
TORQUE_QUANTITY_UNITS: dict[str, str] = {
    **dict.fromkeys(("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_oe", "mu0_h_fl"), HOUSE["field"]),
    "e_field": HOUSE["electric_field"],
    **dict.fromkeys(("xi_e_dl", "xi_e_fl"), HOUSE["conductivity"]),
    **dict.fromkeys(("xi_fmr", "xi_dl", "xi_fl"), HOUSE["dimensionless"]),
}

#: SI prefixes sotfit reads. They are case-sensitive: ``m`` is milli, ``M`` mega.
_PREFIXES = ("p", "n", "u", "m", "k", "M", "G")

# Unit symbols and names whose capitalisation carries no meaning (``ohm``, ``Ohm``, ``OHM``),
# matched in any case, alone or after a (case-sensitive) SI prefix: ``kohm``, ``Mohm``.
_BASES = {
    "ohm": "Ohm", "ohms": "Ohm", "oe": "Oe", "hz": "Hz", "ev": "eV", "v": "V", "a": "A",
    "vdc": "V", "adc": "A",      # a multimeter's DC volts, amperes: 'Reading (VDC)', 'mADC'

    "a/m": "A/m", "am-1": "A/m", "ohmcm": "Ohmcm", "ohmm": "Ohmm", "evnm": "eVnm", "evm": "eVm",
    "eva": "eVAng", "evå": "eVAng", "evang": "eVAng",
}

# Spelled-out names and other whole spellings, matched in any case, never after a prefix.
_NAMES = {
    "ang": "Ang", "angstrom": "Ang",
    "å": "Ang", "/a": "/Ang", "1/a": "1/Ang", "a-1": "Ang-1", "/å": "/Ang", "1/å": "1/Ang",
    "å-1": "Ang-1", "micron": "um", "microns": "um", "microohmcm": "uOhmcm", "degree": "deg",
    "degrees": "deg", "°": "deg", "radian": "rad", "radians": "rad", "dbm": "dBm",
    # degrees as headers write them: 'Angle (Deg)', 'Angle (DEG)', 'phi [deg.]', 'Angle (º)'
    # (the masculine ordinal, typed for the degree sign), 'Angle (˚)' (the ring above)
    "deg": "deg", "deg.": "deg", "degs": "deg", "degs.": "deg", "\u00ba": "deg",
    "\u02da": "deg", "rad": "rad", "rad.": "rad",
    "nm-2": "/nm2", "m-2": "/m2", "cm-2": "/cm2", "um-2": "/um2", "percent": "%",
    # gauss as gaussmeters and their programs abbreviate it ('Field (Gs)', a units row's 'Gs')
    "gs": "G",
}

# Spelled-out SI prefixes and unit names, joined (``millitesla``, ``microvolts``,
# ``kiloohm``, ``gigahertz``, ``nanometres``): read in any case as prefix and symbol.
_PREFIX_NAMES = {"pico": "p", "nano": "n", "micro": "u", "milli": "m", "kilo": "k",
                 "mega": "M", "giga": "G"}
_UNIT_NAMES = {"tesla": "T", "oersted": "Oe", "gauss": "G", "volt": "V", "volts": "V",
               "amp": "A", "amps": "A", "ampere": "A", "amperes": "A", "ohm": "Ohm",
               "ohms": "Ohm", "hertz": "Hz", "meter": "m", "meters": "m", "metre": "m",
               "metres": "m", "second": "s", "seconds": "s", "kelvin": "K"}

_DIMENSION_OF: dict[str, str] = {}
for _dim, _table in _TABLES.items():
    for _u in _table:
        _DIMENSION_OF.setdefault(_u, _dim)


def accepted_units(dimension: str) -> str:
    """A sentence listing the spellings sotfit accepts for one dimension.

    Parameters
    ----------
    dimension : str
        A key of :data:`HOUSE` (``'length'``, ``'resistance'``, ...).

    Returns
    -------
    str
        For example ``'accepted resistance units: Ohm, mOhm, kOhm, MOhm; also ohm, ohms
        (unit names in any capitalisation); SI prefixes are case-sensitive (m = milli,
        M = mega)'``.
    """
    table = _TABLES[dimension]
    keys = [k for k in table if k]
    words = [w for w, c in {**_BASES, **_NAMES, **_UNIT_NAMES}.items()
             if c in table and w not in keys]
    spelled = [p + n for p, q in _PREFIX_NAMES.items() for n, c in _UNIT_NAMES.items()
               if q + c in table and not n.endswith("s")]
    text = f"accepted {dimension.replace('_', ' ')} units: " + ", ".join(keys)
    if words:
        text += f"; also {', '.join(words)} (unit names in any capitalisation)"
    if spelled:
        text += f", with an SI prefix spelled out ({', '.join(spelled[:3])}, ...)"
    if any(k[:1] in _PREFIXES and len(k) > 1 for k in keys):
        text += "; SI prefixes are case-sensitive (m = milli, M = mega)"
    return text


def _prefixed(u: str):
    """Read ``u`` as an SI prefix and a unit of :data:`_BASES`.

    Returns ``(key, ambiguous)``: the canonical key (``None`` when ``u`` is not such a
    spelling) and, for a spelling that cannot tell milli from mega, the readings it allows.
    """
    if len(u) < 2 or u[1:].lower() not in _BASES:
        return None, ()
    p, written = u[0], u[1:]
    base = _BASES[written.lower()]
    if p not in _PREFIXES:
        # a letter that is a prefix in one case only (g -> G, K -> k) cannot be misread
        if p.swapcase() not in _PREFIXES:
            return None, ()
        p = p.swapcase()
    letters = [ch for ch in u if ch.isalpha()]
    one_case = all(ch.islower() for ch in letters) or all(ch.isupper() for ch in letters)
    if p.swapcase() in _PREFIXES and written != base and one_case:
        # 'mohm', 'MHZ': written without regard to case, so the prefix case means nothing
        return None, tuple(q + base for q in (p, p.swapcase()))
    key = p + base
    return (key, ()) if key in _DIMENSION_OF else (None, ())


def prefix_case_note(written: str | None) -> str | None:
    """The note for a unit whose prefix letter is an SI prefix only in the other case (``KOe``,
    ``KHz``, ``gHz``, as instrument software spells kOe, kHz, GHz), which
    :func:`normalise_unit` reads as that prefix since it cannot be misread; None for any other
    spelling.

    Parameters
    ----------
    written : str or None
        The unit as written (``'KOe'``).
    """
    u = (written or "").strip()
    if len(u) < 2 or u[0] in _PREFIXES or u[0].swapcase() not in _PREFIXES \
            or u[1:].lower() not in _BASES:
        return None
    try:
        key = normalise_unit(u)
    except UnitError:
        return None
    return (f"unit {u!r} read as {key}: {u[0]!r} is no SI prefix and {u[0].swapcase()!r} is "
            "(prefixes are case-sensitive; a letter that is a prefix in the other case only "
            "cannot be misread)")


def _spelled_out(u: str) -> str | None:
    """The key of a unit spelled out in words (``millitesla``, ``Microvolts``, ``kiloohm``,
    ``GigaHertz``), or None."""
    low = u.lower()
    if low in _UNIT_NAMES:
        key = _UNIT_NAMES[low]
        return key if key in _DIMENSION_OF else None
    for name, symbol in _PREFIX_NAMES.items():
        rest = low[len(name):]
        if low.startswith(name) and rest in _UNIT_NAMES:
            key = symbol + _UNIT_NAMES[rest]
            return key if key in _DIMENSION_OF else None
    if low in ("kilohm", "kilohms", "megohm", "megohms"):        # one o written
        return _spelled_out(low[:3] + "aohm" if low.startswith("meg") else "kiloohm")
    return None


def normalise_unit(unit: str, dimension: str | None = None) -> str:
    """Return the canonical spelling of a unit string (remembered for the spellings already
    seen: a folder of files names the same units in every file).

    Micro signs (``µ``, ``μ``) become ``u``, ``Ω`` becomes ``Ohm``, spaces, ``*``, ``·``,
    ``^`` and a dot between letters (``uOhm.cm``) are removed from compound units. SI prefixes are case-sensitive (``mOhm`` is
    milli-, ``MOhm`` mega-ohm; ``mHz`` and ``MHz``). Unit names whose capitalisation
    carries no meaning are accepted in any case (``ohm``/``Ohm``/``OHM``, ``oe``, ``hz``,
    ``ev``, ``tesla``, ``degrees``), also after a prefix (``kohm``, ``Mohm``, ``GHZ``).
    A spelling written entirely in one case with an ``m``/``M`` prefix and a unit name
    that is not in its usual case (``mohm``, ``MHZ``, ``mev``) does not tell milli from
    mega and is refused.

    Parameters
    ----------
    unit : str
        A unit as written in a file header or on the command line.
    dimension : str, optional
        The dimension the unit is meant for; an error then lists the spellings accepted for
        it (a unit of another dimension is still returned: :func:`to_house` checks that).

    Returns
    -------
    str
        The canonical key used by :func:`convert`.

    Raises
    ------
    UnitError
        If the unit is not known or is ambiguous.
    """
    try:
        return _normalise_unit_cached(unit, dimension)
    except TypeError:           # not hashable: not remembered
        return _normalise_unit(unit, dimension)


def _normalise_unit(unit: str, dimension: str | None = None) -> str:
    """The work of :func:`normalise_unit`."""
    raw = unit
    # typeset powers, '×10⁵ Ω⁻¹ m⁻¹' as a copy from a document writes them: '×10^5 Ω^-1 m^-1'
    unit = _SUPERSCRIPT_RE.sub(lambda m: "^" + m.group(0).translate(_SUPERSCRIPTS), unit)
    scaled = _scaled_unit(unit, dimension)
    if scaled is not None:
        return scaled
    # '1/(Ohm m)': the units under one denominator, each divided; '(Ohm cm)^-1' likewise
    unit = re.sub(r"/\(\s*(\S+?)\s*[\s*·]\s*(\S+?)\s*\)", r"/\1/\2", unit)
    unit = re.sub(r"^\s*\(\s*(\S+?)\s*[\s*·]\s*(\S+?)\s*\)\s*\^?\s*-1\s*$", r"1/\1/\2", unit)
    u = unit.strip().replace("µ", "u").replace("μ", "u").replace("Ω", "Ohm")
    u = u.replace("·", "").replace("*", "").replace(" ", "").replace("^", "")
    u = re.sub(r"(?<=[A-Za-z])\.(?=[A-Za-z])", "", u)      # a dot for a product: uOhm.cm
    if u.startswith("mu0") and u[3:] in _TABLES["field"]:
        u = u[3:]
    if u in _DIMENSION_OF:
        return u
    if u.lower() in _NAMES:
        return _NAMES[u.lower()]
    if u.lower() in _BASES:
        return _BASES[u.lower()]
    spelled = _spelled_out(u)
    if spelled is not None:
        return spelled
    key, readings = _prefixed(u)
    if key is not None:
        return key
    if readings:
        known = [r for r in readings if r in _DIMENSION_OF]
        dim = dimension or (_DIMENSION_OF[known[0]] if known else None)
        raise UnitError(
            f"ambiguous unit {raw!r}: written in one case, it does not tell milli (m) from "
            f"mega (M); write {' or '.join(known or readings)}"
            + (f" ({accepted_units(dim)})" if dim in _TABLES else "")
        )
    # compound spellings of the house units themselves
    # 'Ohm^-1 cm^-1' and 'S cm^-1' before 'm-1': the 'm-1' of 'cm-1' is no metre
    compact = u.replace("Ohm-1", "/Ohm").replace("cm-1", "/cm").replace("m-2", "/m2")
    compact = re.sub(r"(?<!/c)m-1", "/m", compact)
    compact = "1" + compact if compact.startswith("/") else compact      # 'Ohm^-1 m^-1'
    if compact in _DIMENSION_OF:
        return compact
    advice = trailing_power_advice(raw)
    if advice is not None:
        raise UnitError(f"unknown unit {raw!r}: {advice}")
    if dimension in _TABLES:
        raise UnitError(f"unknown unit {raw!r}; {accepted_units(dimension)}")
    raise UnitError(
        f"unknown unit {raw!r}; known units: "
        + ", ".join(sorted(k for k in _DIMENSION_OF if k))
    )


#: Superscript digits and signs (``10⁵``, ``Ω⁻¹``, ``m²``), written as powers: ``10^5``.
_SUPERSCRIPTS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
                              "\u207a\u207b", "0123456789+-")
_SUPERSCRIPT_RE = re.compile("[\u207a\u207b]?[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+")

#: A power of ten written before a unit: ``1e5 S/m``, ``10^5 Ohm^-1 m^-1``, ``x1e13 1/Ohm/m2``,
#: a multiplication sign before it (``×10^5 Ohm^-1 m^-1``, ``x 10^5 S/m``) as tables write one.
_POWER_OF_TEN_RE = re.compile(r"^\s*(?:[x\u00d7]\s*)?(?:1e(?P<e>[+-]?\d+)|10\s*\^\s*\(?(?P<p>[+-]?\d+)\)?)"
                              r"\s*(?P<rest>(?:1/|[^\d\s]).*)$", re.I)


#: A power of ten written after a unit: ``Ohm^-1 m^-1 x 10^5``, ``S/m ×1e5``.
_TRAILING_POWER_RE = re.compile(r"^\s*(?P<rest>.*?\S)\s*[x\u00d7*\u00b7]\s*(?:1e(?P<e>[+-]?\d+)|"
                                r"10\s*\^\s*\(?(?P<p>[+-]?\d+)\)?)\s*$", re.I)


def trailing_power_advice(unit: str) -> str | None:
    """What to write for a unit with its power of ten after it (``Ohm^-1 m^-1 x 10^5``), or
    None for any other unit.

    Tables write such a power both ways: the values in units of 10^5 Ohm^-1 m^-1, or the
    quantity times 10^5 (``xi x 10^5 (Ohm^-1 m^-1)`` moved into the brackets), values 10^10
    apart; sotfit reads neither, and says how to write each (the power before the unit, as
    :func:`normalise_unit` reads it).

    Parameters
    ----------
    unit : str
        The unit as written.

    Returns
    -------
    str or None
        The advice, a clause to follow the error's first words.
    """
    text = _SUPERSCRIPT_RE.sub(lambda m: "^" + m.group(0).translate(_SUPERSCRIPTS), str(unit))
    m = _TRAILING_POWER_RE.match(text)
    if m is None:
        return None
    rest, k = m.group("rest").strip(), int(m.group("e") or m.group("p"))
    readings = []
    for power in (k, -k):
        try:
            readings.append(normalise_unit(f"10^{power} {rest}"))
        except UnitError:
            readings.append(None)
    if readings[0] is None and readings[1] is None:
        try:
            normalise_unit(rest)
        except UnitError:
            return None             # the unit itself is not known: nothing to say of the power
    up = f"10^{k} {rest}" + (f" ({readings[0]})" if readings[0] else "")
    down = (f"10^{-k} {rest} ({readings[1]})" if readings[1] else
            f"the values divided by 10^{k} in {rest}")
    return (f"a power of ten after the unit does not say which way it goes: the values in "
            f"units of 10^{k} {rest}, or the quantity times 10^{k} in {rest} (a header "
            f"'name x 10^{k} ({rest})' with the power moved into the brackets), 10^{2 * abs(k)} "
            f"apart; write the power before the unit, {up}, if the values are in that unit, or "
            f"{down} if they are the quantity times 10^{k}")


#: :func:`_normalise_unit` remembered (its errors are not: they are raised again each time).
_normalise_unit_cached = functools.lru_cache(maxsize=4096)(_normalise_unit)


def _scaled_unit(unit: str, dimension: str | None) -> str | None:
    """The canonical unit of ``unit`` written as a power of ten times a known unit (``1e5 S/m``
    is ``1e5/Ohm/m``), when a unit of the same size is known; None for any other spelling."""
    m = _POWER_OF_TEN_RE.match(unit)
    if m is None:
        return None
    rest = m.group("rest").strip()
    base = None
    for spelling in (("1" + rest) if rest.startswith("/") else rest, "1 " + rest):
        try:                    # 'Ohm^-1 m^-1' is '1 Ohm^-1 m^-1', '1/Ohm/m'
            base = normalise_unit(spelling)
            break
        except UnitError:
            continue
    if base is None:
        return None
    dim = _DIMENSION_OF[base]
    size = 10.0 ** int(m.group("e") or m.group("p")) * _TABLES[dim][base]
    same = [k for k, v in _TABLES[dim].items()
            if math.isclose(v, size, rel_tol=1e-12) and not _POWER_OF_TEN_RE.match(k)]
    same = same or [k for k, v in _TABLES[dim].items() if math.isclose(v, size, rel_tol=1e-12)]
    return same[0] if same else None


def dimension_of(unit: str) -> str:
    """Return the dimension name (``'field'``, ``'voltage'``, ...) of a unit."""
    return _DIMENSION_OF[normalise_unit(unit)]


def header_dimension(header: str) -> str | None:
    """The dimension of the unit a column header writes (``'B_meas (mT)'`` -> ``'field'``,
    :func:`split_header`), or None for a header without a unit sotfit knows."""
    try:
        unit = split_header(str(header))[1]
    except UnitError:
        return None
    return None if unit is None else dimension_of(unit)


def convert(value, from_unit: str, to_unit: str):
    """Convert ``value`` between two units of the same dimension.

    Parameters
    ----------
    value : float or array_like or uncertainties value
        The number(s) to convert; anything supporting multiplication works.
    from_unit, to_unit : str
        Units of the same dimension (for example ``'Oe'`` and ``'mT'``).

    Returns
    -------
    Same type as ``value``, scaled.

    Raises
    ------
    UnitError
        If either unit is unknown or the dimensions differ.
    """
    a, b = normalise_unit(from_unit), normalise_unit(to_unit)
    da, db = _DIMENSION_OF[a], _DIMENSION_OF[b]
    if da != db:
        raise UnitError(f"cannot convert {from_unit!r} ({da}) to {to_unit!r} ({db})")
    factor = _TABLES[da][a] / _TABLES[db][b]
    return value if factor == 1.0 else value * factor


#: The units a column of each dimension is written in by instruments, for the readings of a
#: column without one (:func:`readings_text`), and the smallest largest magnitude a scan of
#: it reaches in house units (a field scan that stays below 1 mT is none of sotfit's).
COMMON_UNITS = {"field": ("T", "mT", "Oe", "kOe", "A/m", "kA/m")}
SCAN_FLOOR = {"field": 1e-3}


def readings_text(values, dimension: str) -> str | None:
    """What the largest magnitude of a column without a unit would be in each common unit of
    ``dimension`` (those within the absurd limit of :data:`sotfit.checks.LIMITS` and above
    :data:`SCAN_FLOOR`), so that a
    message asking for the unit does not suggest one the numbers contradict.

    Parameters
    ----------
    values : array_like
        The column's numbers (non-finite ones are ignored).
    dimension : str
        A key of :data:`COMMON_UNITS` (``'field'``).

    Returns
    -------
    str or None
        For example ``"its largest |value| is 8564: 8.56 T if in mT, 0.856 T if in Oe"``;
        None without finite values or common units.
    """
    import numpy as np

    from .checks import LIMITS

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0 or dimension not in COMMON_UNITS:
        return None
    top = float(np.max(np.abs(v)))
    limit = quantity(LIMITS[dimension], dimension) if dimension in LIMITS else math.inf
    house = HOUSE[dimension]
    floor = SCAN_FLOOR.get(dimension, 0.0)
    said = [f"{to_house(top, u, dimension)[0]:.3g} {house} if in {u}"
            for u in COMMON_UNITS[dimension] if floor <= to_house(top, u, dimension)[0] <= limit]
    return f"its largest |value| is {top:.4g}" + (": " + ", ".join(said) if said else "")


def to_house(value, unit: str, dimension: str | None = None):
    """Convert ``value`` in ``unit`` to the house unit of its dimension.

    Parameters
    ----------
    value : float or array_like
        Number(s) in ``unit``.
    unit : str
        Their unit.
    dimension : str, optional
        If given, the unit must belong to this dimension (for example
        ``'field'``); a mismatch raises :class:`UnitError` naming both.

    Returns
    -------
    (value, house_unit)
    """
    key = normalise_unit(unit, dimension)
    dim = _DIMENSION_OF[key]
    if dimension is not None and dim != dimension:
        raise UnitError(
            f"unit {unit!r} is a {dim} unit, but a {dimension} unit is needed "
            f"({accepted_units(dimension)})"
        )
    factor = _TABLES[dim][key]
    return (value if factor == 1.0 else value * factor), HOUSE[dim]


def from_house(value, unit: str):
    """Convert ``value`` from the house unit of ``unit``'s dimension into ``unit``."""
    key = normalise_unit(unit)
    factor = _TABLES[_DIMENSION_OF[key]][key]
    return value if factor == 1.0 else value / factor


_QUANTITY_RE = re.compile(
    r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$"
)


def parse_quantity(text: str, examples=("6nm", "2.5mA")) -> tuple[float, str]:
    """Split ``'6nm'``, ``'2.5 mA'`` or ``'1e-3 T'`` into ``(6.0, 'nm')``.

    Parameters
    ----------
    text : str
    examples : sequence of str
        Quantities shown in the message when ``text`` cannot be read (of the dimension
        expected, where the caller knows it: ``'--tau nan'`` was shown '6nm' and '2.5mA').

    Raises
    ------
    UnitError
        If ``text`` does not start with a number.
    """
    m = _QUANTITY_RE.match(str(text))
    if not m:
        raise UnitError(f"cannot read a number with a unit from {text!r} (e.g. "
                        f"{', '.join(repr(e) for e in examples)})")
    return float(m.group(1)), m.group(2)


#: Units besides the house unit shown when a value is given without one (a width of '10' is
#: as likely 10 um as 10 nm; a field limit of '60', 60 mT rather than 60 T).
_OTHER_EXAMPLES = {"length": ("um",), "field": ("mT",), "current": ("uA",),
                   "energy": ("meV",), "time": ("fs", "ns"), "voltage": ("mV",)}


def quantity(text, dimension: str, default_unit: str | None = None) -> float:
    """Read a number with a unit and return it in the house unit of ``dimension``.

    Parameters
    ----------
    text : str or float
        For example ``'6nm'``, ``'1 T'``, ``'350.3uOhmcm'``. A bare number is
        taken in ``default_unit`` if given, otherwise it is an error.
    dimension : str
        Expected dimension (``'length'``, ``'field'``, ``'current'``, ...).
    default_unit : str, optional
        Unit assumed for a bare number.

    Returns
    -------
    float
        The value in the house unit of ``dimension`` (see :data:`HOUSE`).
    """
    house = HOUSE.get(dimension)
    spellings = [house] + [u for u in _OTHER_EXAMPLES.get(dimension, ()) if u != house]
    if isinstance(text, (int, float)):
        value, unit = float(text), ""
    else:
        # the examples of a value that cannot be read are of the dimension expected
        value, unit = parse_quantity(text, [f"{n}{u}" for n, u in zip(("3", "2.5"), spellings)]
                                     if house else ("6nm", "2.5mA"))
    if not unit:
        if default_unit is None:
            raise UnitError(
                f"{text!r} has no unit; give one, e.g. "
                + " or ".join(f"'{text}{u}'" for u in spellings)
                + " (a bare number is refused: its unit could be mistaken)"
            )
        unit = default_unit
    return float(to_house(value, unit, dimension)[0])


#: Units of a wall-clock duration in s: the clock's units, and seconds with a prefix. They are
#: not units of the 'time' dimension, where a column header 'phi_h' or 'R_min' would be read
#: as hours or minutes.
DURATION_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "min": 60.0, "h": 3600.0}


def duration(text, default_unit: str = "s") -> float:
    """Read a wall-clock duration (a time limit) in s: ``'300s'``, ``'5min'``, ``'1h'``,
    ``'500ms'``, or any unit of the 'time' dimension (``'2e12ps'``).

    Parameters
    ----------
    text : str or float
        The duration; a bare number is in ``default_unit``.
    default_unit : str
        Unit of a bare number (s).

    Returns
    -------
    float
        The duration in s.

    Raises
    ------
    UnitError
        For a unit that is not one of a duration, listing :data:`DURATION_UNITS`.
    """
    if isinstance(text, (int, float)):
        value, unit = float(text), ""
    else:
        value, unit = parse_quantity(text)
    unit = unit or default_unit
    if unit in DURATION_UNITS:
        return value * DURATION_UNITS[unit]
    try:
        return float(to_house(value, unit, "time")[0]) * 1e-12       # ps -> s
    except UnitError:
        raise UnitError(f"{text!r}: not a duration; give it in {', '.join(DURATION_UNITS)} "
                        f"(a bare number is in {default_unit})") from None


_HEADER_PATTERNS = (
    re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]+)\)\s*$"),   # Field (Oe)
    re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]*\([^()]*\)[^()]*)\)\s*$"),   # xi (1/(Ohm m))
    re.compile(r"^(?P<name>.*?)\s*\[(?P<unit>[^\[\]]+)\]\s*$"),  # Field [Oe]
    re.compile(r"^(?P<name>.*?)\s*/\s*(?P<unit>[^/]+)$"),        # Field / Oe
)


#: A column of a matrix, ``data[1]`` or ``data(1)``: an index written onto the name, not a unit
#: (a dimensionless unit is written apart from the name, ``R [1]``).
_INDEX_PATTERN = re.compile(r"^.*[^\s\[(][\[(]\d+[\])]$")


def _header_match(header: str):
    """The match of the first of :data:`_HEADER_PATTERNS` that ``header`` fits, or None (also
    for a column index written onto the name, :data:`_INDEX_PATTERN`)."""
    h = header.strip()
    if _INDEX_PATTERN.match(h):
        return None
    for pat in _HEADER_PATTERNS:
        m = pat.match(h)
        if m:
            return m
    return None


def written_unit(header: str) -> str | None:
    """The unit a column header writes in parentheses, brackets or after a slash, as written
    (``'Vmix (arb. units)'`` -> ``'arb. units'``), whether sotfit knows it or not; None when it
    writes none so."""
    m = _header_match(header)
    return None if m is None else m.group("unit").strip()


def split_header(header: str) -> tuple[str, str | None]:
    """Split a column header into a name and a unit.

    Recognises ``'Field (Oe)'``, ``'Field [mT]'``, ``'Field / T'``, the
    suffix style ``'field_mT'`` or ``'vmix_uV'``, and R's names of such headers
    (``'Field..mT.'``, as ``read.csv`` then ``write.csv`` write them). The unit is ``None`` when
    the header carries none that sotfit knows. A suffix in kelvin is a unit only after a
    temperature's name (``'temperature_K'``; ``'H_K'`` is an anisotropy field without a unit).

    Returns
    -------
    (name, unit)
        ``name`` lower-cased and stripped; ``unit`` canonical or ``None``.
    """
    # a gain in a bracket after the unit ('Vmix (uV) [x10]') is the readers' to ask about
    # (sotfit.io.gains.gain_in_name), not a unit
    h = _GAIN_BRACKET_RE.sub("", header.strip())
    m = _header_match(h)
    if m:
        unit = m.group("unit")
        q = _QUALIFIED_UNIT_RE.match(unit)
        try:
            # 'Power (dBm, set)': a unit and a word that does not change it
            return m.group("name").strip().lower(), normalise_unit(q.group(1) if q else unit)
        except UnitError:
            advice = trailing_power_advice(m.group("unit"))
            raise UnitError(f"column {header!r}: unknown unit {m.group('unit')!r}"
                            + ("" if advice is None else f": {advice}")) from None
    if "_" in h:
        base, _, suffix = h.rpartition("_")
        try:
            unit = normalise_unit(suffix)
        except UnitError:
            unit = None
        # 'temperature_K', 'T_sample_K'; but 'H_K', 'mu0_H_K' (an anisotropy field) name no
        # kelvin: a suffix K is a unit only after a temperature's name
        if unit is not None and (_DIMENSION_OF[unit] != "temperature"
                                 or _TEMPERATURE_NAME_RE.search(base)):
            return base.strip().lower(), unit
    m = _R_NAME_RE.match(h)       # R's names: 'Field (mT)' read by read.csv is 'Field..mT.'
    if m:
        try:
            return m.group("name").replace(".", " ").strip().lower(), normalise_unit(m.group("unit"))
        except UnitError:
            pass
    return h.lower(), None


#: A temperature's name before a suffix unit in kelvin (``temperature_K``, ``T_sample_K``,
#: ``Temp_K``, ``sample_temperature_K``): the word temperature or temp, or the letter T, as a
#: word of its own (``template_K``, ``attempt_K`` name no temperature).
_TEMPERATURE_NAME_RE = re.compile(r"(?:^|[\s_.-])(?:temperature|temp|t)(?:$|[\s_.-])", re.I)

#: The word lock-in as headers write it (``lock-in``, ``lockin``, ``lock_in``, ``Lock in``).
LOCKIN_WORD = r"lock[\s_-]?in"

#: A unit with a word after a comma that does not change it (``dBm, set``, ``mT, measured``);
#: ``mA, rms`` and ``mA, peak`` are the readers' to read (the current's form); so is the lock-in
#: output a voltage was read from (``uV, lock-in X``: sotfit.io.stfmr.columns.is_lockin_output).
_QUALIFIED_UNIT_RE = re.compile(r"^\s*([^,\s]+)\s*,\s*(?:set|set\s*point|setpoint|measured|meas|"
                                r"nominal|nom|actual|target|approx|read[\s-]?back|applied|"
                                # the output it was read from: 'uV, lock-in X', 'V, X channel'
                                rf"{LOCKIN_WORD}(?:\s+[xyr]|\s+output)?|(?:{LOCKIN_WORD}\s+)?[xy]"
                                r"\s*(?:channel|output))\s*$",
                                re.I)


#: A last bracket of a header that holds a gain (``[x10]``, ``(gain 100)``).
_GAIN_BRACKET_RE = re.compile(r"\s*[\[(]\s*(?:[x\u00d7*]\s*\d+(?:\.\d+)?|gain\s*=?\s*\d+(?:\.\d+)?)"
                              r"\s*[\])]\s*$", re.I)

#: A header as R's ``make.names`` writes ``Field (mT)`` (``read.csv`` then ``write.csv``):
#: the blank and the brackets become points, ``Field..mT.``.
_R_NAME_RE = re.compile(r"^(?P<name>[A-Za-z][\w.]*?)\.\.(?P<unit>[A-Za-z\u00b5]+)\.$")


GAMMA_FREE_ELECTRON = _G_ELECTRON * MU_B / _c.h / 1e9
"""gamma/2pi of the free electron (g = 2.0023) in GHz/T."""


def radians_slip(text) -> str | None:
    """Why a bare number given for an angle in degrees looks like one in radians (a fractional
    part and a magnitude up to 2 pi: 0.5236 for 30 deg was read as 0.52 deg), said with the
    spellings that would mean each; None for a unit given, whole numbers and larger ones
    (degrees, as documented)."""
    if not re.fullmatch(r"\s*[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?\s*", str(text)):
        return None
    value = abs(float(text))
    if not (0 < value <= 2 * math.pi and value != round(value)):
        return None
    deg = math.degrees(float(text))
    return (f"{str(text).strip()!r} has no unit and looks like an angle in radians "
            f"({float(text):g} rad = {deg:.4g} deg; a bare number is read as degrees): write "
            f"{deg:.4g}deg or {str(text).strip()}rad")


def gyromagnetic_ratio_from_g(g):
    """gamma/2pi in GHz/T for a Lande factor ``g``: g mu_B / h."""
    return g * MU_B / _c.h / 1e9


def g_from_gyromagnetic_ratio(gamma_over_2pi):
    """Lande factor g from gamma/2pi in GHz/T."""
    return gamma_over_2pi * 1e9 * _c.h / MU_B
