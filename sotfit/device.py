"""The device description shared by every analysis: one :class:`Sample`, one spelling.

ST-FMR, harmonic Hall and thickness inputs describe the same device (thicknesses, width,
resistivities, magnetisation, the current through it). :class:`Sample` holds it in house
units, with its parameter table :data:`SAMPLE_FIELDS` (name, unit, dimension, domain and the
spellings accepted when reading) the one place that says what each field is. It is read the
same way from command-line options, TOML/JSON sample files and the ``sample`` section of a
``summary.json`` (:meth:`Sample.from_mapping`, :meth:`Sample.from_file`).

House units: mu0*Ms in T; thicknesses and width in nm; resistivities in uOhm cm; current in mA
(peak amplitude unless ``current_is_rms``); Delta R in Ohm; angle in degrees.

Earlier spellings are accepted when constructing and reading (``i_rf``, ``irf`` and
``current_peak`` for ``current``, ``i_rf_is_rms`` for ``current_is_rms``, ``rho`` and
``resistivity`` for ``rho_nm``, ``ms`` for ``mu0_ms``, ``stack='nm_above'`` for
``nm_below=False``) and a value outside its domain is refused naming the spelling used.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .checks import absurd, check_number
from .models.sot import angular_factor
from .models.sot import current_fraction as _current_fraction
from .models.sot import peak_from_rms

__all__ = ["Sample", "SampleField", "SAMPLE_FIELDS", "SAMPLE_UNITS", "SampleError", "spellings", "read_sample_file",
           "CURRENT_FORM_KEYS", "current_without_form", "states_current_form"]


class SampleError(ValueError):
    """A sample description that cannot be read (unknown field, unreadable value or file)."""


@dataclass(frozen=True)
class SampleField:
    """One field of :class:`Sample`: its unit, dimension, domain and accepted spellings.

    Attributes
    ----------
    name : str
        The one spelling (attribute of :class:`Sample`).
    unit : str
        House unit ('' for dimensionless, 'bool' for a flag).
    dimension : str or None
        Key of :data:`sotfit.units.HOUSE` used to read ``'6nm'``-style strings; None for flags.
    doc : str
        What it is, for help texts.
    domain : dict
        Keywords of :func:`sotfit.checks.check_number`.
    aliases : tuple of str
        Other spellings accepted when constructing or reading.
    default : Any
        Value when not given.
    """

    name: str
    unit: str
    dimension: str | None
    doc: str
    domain: dict
    aliases: tuple = ()
    default: Any = None


def _fields() -> tuple[SampleField, ...]:
    length = {"positive": True, **absurd("length")}
    return (
        SampleField("mu0_ms", "T", "field", "saturation magnetisation mu0*Ms",
                    {"positive": True, **absurd("field")}, ("ms",)),
        SampleField("t_fm", "nm", "length", "ferromagnet thickness", length),
        SampleField("t_nm", "nm", "length", "spin-source (normal metal) thickness", length),
        SampleField("width", "nm", "length", "device (bar) width", length),
        SampleField("rho_nm", "uOhm cm", "resistivity", "resistivity of the spin-source layer",
                    {"positive": True}, ("rho", "resistivity")),
        SampleField("rho_fm", "uOhm cm", "resistivity", "resistivity of the ferromagnet",
                    {"positive": True}),
        SampleField("current", "mA", "current",
                    "current amplitude through the device (peak unless current_is_rms)",
                    {"positive": True, **absurd("current")}, ("i_rf", "irf", "current_peak")),
        SampleField("current_is_rms", "bool", None, "the current is an rms value (x sqrt 2 = peak)",
                    {}, ("i_rf_is_rms",), False),
        SampleField("delta_r", "Ohm", "resistance", "AMR Delta R = R_parallel - R_perp",
                    {"nonzero": True}),
        SampleField("angle", "deg", "angle", "in-plane field angle from the current", {}, (), 45.0),
        SampleField("current_fraction", "", None,
                    "fraction of the current in the spin-source layer (default: from the "
                    "resistivities and thicknesses)", {"positive": True, "maximum": 1.0}),
        SampleField("nm_below", "bool", None,
                    "spin-source layer below the ferromagnet (Oersted field along -y)", {}, (), True),
    )


#: The parameter table of :class:`Sample`, in order.
SAMPLE_FIELDS: tuple[SampleField, ...] = _fields()
_BY_NAME = {f.name: f for f in SAMPLE_FIELDS}
_ALIASES = {a: f.name for f in SAMPLE_FIELDS for a in f.aliases}
#: Range (nm) of each dimension of a spin-orbit-torque device, and what it rests on: a value
#: outside is flagged in the summary's ``sample`` section (:func:`flag_unusual_dimensions`) as
#: the likely unit slip it is (10 nm for a 10 um bar), since the efficiencies and the Oersted
#: field scale with it and no other check sees it.
TYPICAL_DIMENSIONS = {
    "width": (100.0, 2e6, "ST-FMR devices and Hall bars are 0.1 um to 2 mm wide"),
    "t_fm": (0.1, 1000.0, "the ferromagnets of spin-orbit-torque devices are 0.1 nm to 1 um "
                          "thick"),
    "t_nm": (0.1, 1000.0, "the spin-source layers of spin-orbit-torque devices are 0.1 nm to "
                          "1 um thick"),
}


#: The largest magnetisation of any ferromagnet, mu0 M_s in T (Fe65Co35, the top of the
#: Slater-Pauling curve).
MU0_MS_MAX = 2.45
#: Resistivities (uOhm cm) of the layers of spin-orbit-torque devices: (low, high, why); a
#: ferromagnet above ``high`` up to :data:`INSULATOR_RHO` is flagged too (neither a metal nor
#: an insulator such as YIG, which is given as a very large value).
TYPICAL_RESISTIVITIES = {
    "rho_nm": (1.0, 1e5, "spin-source layers range from 2 uOhm cm (Cu, Pt) to some 1e4 uOhm cm "
                         "(topological insulators)"),
    "rho_fm": (3.0, 3000.0, "ferromagnetic metals range from 6 uOhm cm (Fe, Co) to a few hundred "
                            "(CoFeB); an insulating ferromagnet is given as 1e12 or more"),
}
#: A ferromagnet's resistivity from which on it is taken as an insulator (uOhm cm).
INSULATOR_RHO = 1e12


#: |sin 2phi cos phi| below which an ST-FMR field angle is flagged: a tenth of its value at
#: 45 deg (within about 4 deg of a multiple of 90 deg, where the rectified signal vanishes;
#: an angle of 0.785 given for pi/4 rad lands there).
ANGULAR_FLOOR = 0.1 * angular_factor(45.0)


def _outside(section: Mapping, ranges: Mapping, unit: str):
    """``(name, entry, value, (low, high, why))`` of the entries of ``section`` in ``unit``
    whose value lies outside their range in ``ranges``."""
    for name, (lo, hi, why) in ranges.items():
        q = section.get(name)
        if not isinstance(q, Mapping) or q.get("unit") != unit or q.get("value") is None:
            continue
        value = float(q["value"])
        if not lo <= value <= hi:
            yield name, q, value, (lo, hi, why)


def flag_unusual_dimensions(section: Mapping) -> list[str]:
    """Flag the width and thicknesses of a summary's ``sample`` section outside
    :data:`TYPICAL_DIMENSIONS`, mu0 M_s above :data:`MU0_MS_MAX`, resistivities outside
    :data:`TYPICAL_RESISTIVITIES`, and an ST-FMR field angle near a multiple of 90 deg
    (:data:`ANGULAR_FLOOR`).

    Parameters
    ----------
    section : mapping
        Field name -> ``{"value", "stderr", "unit"}`` (:meth:`Sample.summary`); the quantities
        flagged are changed in place.

    Returns
    -------
    list of str
        The names flagged.
    """
    from .flags import add_flag

    flagged = []
    q = section.get("angle")
    if isinstance(q, Mapping) and q.get("unit") == "deg" and q.get("value") is not None:
        angular = abs(angular_factor(float(q["value"])))
        if angular < ANGULAR_FLOOR:
            add_flag(q, f"angle = {float(q['value']):g} deg: sin 2phi cos phi = {angular:.3g}, "
                        f"under a tenth of its value at 45 deg, and the torques divide by it; "
                        f"an angle in radians ({float(q['value']):g} rad = "
                        f"{math.degrees(float(q['value'])):.4g} deg)?")
            flagged.append("angle")
    for name, q, value, (lo, hi, why) in _outside(section, TYPICAL_DIMENSIONS, "nm"):
        unit = "um" if name == "width" else "nm"
        shown = value / 1000.0 if unit == "um" else value
        add_flag(q, f"{name} = {shown:g} {unit} is outside {lo / (1000 if unit == 'um' else 1):g}"
                    f"-{hi / (1000 if unit == 'um' else 1):g} {unit} ({why}): check its unit "
                    "(the efficiencies and the Oersted field scale with it)")
        flagged.append(name)
    q = section.get("mu0_ms")
    if isinstance(q, Mapping) and q.get("unit") == "T" and q.get("value") is not None \
            and abs(float(q["value"])) > MU0_MS_MAX:
        add_flag(q, f"mu0_ms = {float(q['value']):g} T is above the magnetisation of any "
                    f"ferromagnet ({MU0_MS_MAX:g} T, Fe65Co35): check its unit (mu0 Ms in T; "
                    "1 T is 796 kA/m); the torques scale with it")
        flagged.append("mu0_ms")
    for name, q, value, (lo, hi, why) in _outside(section, TYPICAL_RESISTIVITIES, "uOhm cm"):
        if name == "rho_fm" and value >= INSULATOR_RHO:
            continue
        add_flag(q, f"{name} = {value:g} uOhm cm is outside {lo:g}-{hi:g} uOhm cm ({why}): "
                    "check its unit (the current in each layer, and so the efficiencies and "
                    "the Oersted field, scale with it)")
        flagged.append(name)
    return flagged


def sample_flags_reason(section: Mapping) -> str | None:
    """The flag of what is computed from a summary's ``sample`` section (efficiencies, torque
    fields) when :func:`flag_unusual_dimensions` flagged entries of it, or None."""
    flagged = [(k, q["flags"][0]) for k, q in section.items()
               if isinstance(q, Mapping) and q.get("flags")]
    if not flagged:
        return None
    return "rests on the sample description, flagged: " + "; ".join(
        f"{k} ({reason})" for k, reason in flagged)


def spellings(name: str) -> tuple[str, ...]:
    """Every spelling of the field ``name`` a sample description may use (the one spelling
    first), e.g. ``('rho_nm', 'rho', 'resistivity')``."""
    return (name, *_BY_NAME[name].aliases)


#: Entries of a summary's ``sample`` section that are derived from the fields, not fields.
_DERIVED = ("i_rf_peak", "current_fraction_used")
#: Keys of a sample mapping that say whether its current is ``'peak'`` or ``'rms'``.
CURRENT_FORM_KEYS = ("irf_is", "current_is", "i_rf_is")


def _key(key) -> str:
    """A key of a sample mapping as it is looked up: ``'Irf-Is'`` -> ``'irf_is'``."""
    return str(key).replace("-", "_").lower()


def states_current_form(mapping: Mapping[str, Any]) -> bool:
    """Whether a sample mapping says if its current is peak or rms (a
    :data:`CURRENT_FORM_KEYS` entry, ``current_is_rms`` in any spelling, or a current under a
    name that states it, ``current_peak``).

    Parameters
    ----------
    mapping : mapping
        Fields of a sample description, as :meth:`Sample.from_mapping` reads them.
    """
    keys = {_key(k) for k in mapping}
    return any(k in keys for k in (*CURRENT_FORM_KEYS, *spellings("current_is_rms"),
                                   "current_peak"))


def current_without_form(mapping: Mapping[str, Any]) -> str | None:
    """The key of ``mapping`` that gives a current whose form (peak or rms) no key states.

    Parameters
    ----------
    mapping : mapping
        Fields of a sample description, as :meth:`Sample.from_mapping` reads them.

    Returns
    -------
    str or None
        The key giving the current (mA; ``'irf'``, ``'current'``, ...) when no
        :data:`CURRENT_FORM_KEYS` entry, ``current_is_rms`` or ``i_rf_is_rms`` says whether it
        is peak or rms; None when the form is stated, the key is ``current_peak`` (its name
        states it) or no current is given.
    """
    keys = {_key(k): str(k) for k in mapping}
    if states_current_form(mapping):
        return None
    given = [keys[k] for k in spellings("current") if k in keys]
    return given[0] if given else None
#: Units of the numeric fields, for reports.
SAMPLE_UNITS = {f.name: f.unit for f in SAMPLE_FIELDS if f.unit != "bool"}


def _as_bool(name: str, value) -> bool:
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "yes", "1"):
            return True
        if low in ("false", "no", "0"):
            return False
        raise ValueError(f"Sample.{name} must be true or false, got {value!r}")
    return bool(value)


@dataclass(frozen=True, init=False, repr=False)
class Sample:
    """What the torque and efficiency conversions need to know about the device.

    Every field is optional (None when unknown); units are those of :data:`SAMPLE_FIELDS`.

    Parameters
    ----------
    mu0_ms : float
        Saturation magnetisation mu0 Ms (T).
    t_fm, t_nm : float
        Ferromagnet and spin-source thicknesses (nm).
    width : float
        Device (bar) width (nm).
    rho_nm, rho_fm : float
        Resistivities of the spin-source layer and the ferromagnet (uOhm cm).
    current : float
        Current amplitude through the device (mA): the rf current of ST-FMR, the ac current of
        harmonic Hall; *peak* unless ``current_is_rms`` (then multiplied by sqrt 2).
    current_is_rms : bool
    delta_r : float
        AMR Delta_R = R_parallel - R_perp (Ohm).
    angle : float
        In-plane field angle from the current (deg); 45 by default.
    current_fraction : float
        Fraction of the current in the spin-source layer; from the resistivities and
        thicknesses when not given.
    nm_below : bool
        Spin-source layer below the ferromagnet (Oersted field along -y); True by default.

    Raises
    ------
    ValueError
        For a value no sample can have, naming the field as it was spelled: a thickness,
        width, resistivity or mu0*Ms that is not finite and > 0 (or beyond 1 m, 100 T), a
        current that is not finite and > 0 or beyond 10 A, a current fraction outside (0, 1],
        Delta R = 0, an angle that is not finite, an unknown stack; TypeError for an unknown
        field.
    """

    mu0_ms: float | None
    t_fm: float | None
    t_nm: float | None
    width: float | None
    rho_nm: float | None
    rho_fm: float | None
    current: float | None
    current_is_rms: bool
    delta_r: float | None
    angle: float
    current_fraction: float | None
    nm_below: bool

    def __init__(self, **values):
        given: dict[str, tuple[str, Any]] = {}
        for key, value in values.items():
            if key == "stack":
                if value not in ("nm_below", "nm_above"):
                    raise ValueError(f"Sample.stack must be 'nm_below' or 'nm_above', got {value!r}")
                key, value = "nm_below", value == "nm_below"
                spelled = "stack"
            else:
                spelled = key
                key = _ALIASES.get(key, key)
            if key not in _BY_NAME:
                raise TypeError(f"Sample: unknown field {spelled!r}; fields: "
                                + ", ".join(_BY_NAME))
            if key in given:
                raise TypeError(f"Sample: {key!r} given twice (as {given[key][0]!r} and {spelled!r})")
            given[key] = (spelled, value)
        for f in SAMPLE_FIELDS:
            spelled, value = given.get(f.name, (f.name, f.default))
            if f.unit == "bool":
                value = _as_bool(spelled, value)
            elif value is not None:
                check_number(f"Sample.{spelled}", value, unit=f.unit, **f.domain)
            object.__setattr__(self, f.name, value)
        if self.angle is not None and float(self.angle) % 90.0 == 0.0:
            raise ValueError(
                f"Sample.angle = {self.angle:g} deg: at a multiple of 90 deg the ST-FMR signal "
                "vanishes (sin 2phi cos phi = 0) and no torque follows from it; the angle is "
                "the in-plane field angle from the current, in degrees")

    def __repr__(self) -> str:
        inner = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in SAMPLE_FIELDS
                          if getattr(self, f.name) != f.default)
        return f"Sample({inner})"

    # --- derived values ---------------------------------------------------------------

    @property
    def i_peak(self):
        """Peak current (mA), or None."""
        if self.current is None:
            return None
        return peak_from_rms(self.current) if self.current_is_rms else self.current

    @property
    def fraction(self):
        """Current fraction in the spin-source layer (given, or from the resistivities)."""
        if self.current_fraction is not None:
            return self.current_fraction
        if None not in (self.rho_nm, self.rho_fm, self.t_nm, self.t_fm):
            return _current_fraction(self.rho_nm, self.t_nm, self.rho_fm, self.t_fm)
        return None

    # earlier spellings, read-only
    i_rf = property(lambda self: self.current, doc="Alias of ``current`` (mA).")
    i_rf_is_rms = property(lambda self: self.current_is_rms, doc="Alias of ``current_is_rms``.")
    current_peak = property(lambda self: self.i_peak, doc="Alias of ``i_peak`` (mA).")
    resistivity = property(lambda self: self.rho_nm, doc="Alias of ``rho_nm`` (uOhm cm).")
    stack = property(lambda self: "nm_below" if self.nm_below else "nm_above",
                     doc="'nm_below' or 'nm_above'.")

    def missing(self, *names) -> list[str]:
        """Names among ``names`` that are not set (``fraction``/``i_peak`` understood)."""
        return [n for n in names if getattr(self, n) is None]

    def as_dict(self) -> dict:
        """Every field by its one spelling (house units)."""
        return {f.name: getattr(self, f.name) for f in SAMPLE_FIELDS}

    def replace(self, **values) -> "Sample":
        """A copy with some fields changed (any accepted spelling)."""
        keep = {k: v for k, v in self.as_dict().items()
                if k not in {_ALIASES.get(n, n) for n in values} and not
                (k == "nm_below" and "stack" in values)}
        return Sample(**keep, **values)

    def summary(self) -> dict:
        """The fields that are set, the numbers as ``{"value", "stderr": None, "unit"}`` and the
        flags as they are: the ``sample`` section of a summary (read back by
        :meth:`from_mapping`)."""
        return {f.name: ({"value": getattr(self, f.name), "stderr": None, "unit": f.unit}
                         if f.unit != "bool" else getattr(self, f.name))
                for f in SAMPLE_FIELDS if getattr(self, f.name) is not None}

    # --- reading ------------------------------------------------------------------------

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], source: str = "sample", *,
                     house_units: bool = False) -> "Sample":
        """A Sample from a mapping of fields: strings with units (``'6nm'``, ``'20uOhmcm'``),
        ``{"value", "unit"}`` entries (a summary's ``sample`` section), flags, and
        ``irf_is``/``current_is`` = ``'peak'``/``'rms'``.

        A bare number is refused (its unit could be mistaken) unless ``house_units`` is set,
        except for the angle (degrees) and the current fraction (no unit).

        Raises
        ------
        SampleError
            Naming ``source`` and the field for an unknown field or an unreadable value.
        """
        values: dict[str, Any] = {}
        spelled: dict[str, str] = {}     # the field -> the key that gave it

        def once(name, key):
            # two spellings of one field (irf and current, ms and mu0_ms, Irf and irf): one
            # of them was taken without a word (4 mA for 2 mA)
            if name in spelled:
                raise SampleError(f"{source}: {spelled[name]!r} and {key!r} both give the field "
                                  f"{name}: keep one")
            spelled[name] = str(key)

        for key, raw in mapping.items():
            k = _key(key)
            if k in CURRENT_FORM_KEYS:
                if str(raw).lower() not in ("peak", "rms"):
                    raise SampleError(f"{source}: {key} must be 'peak' or 'rms', got {raw!r}")
                once("current_is_rms", key)
                values["current_is_rms"] = str(raw).lower() == "rms"
                continue
            if k in _DERIVED:
                continue
            name = "stack" if k == "stack" else _ALIASES.get(k, k)
            if name != "stack" and name not in _BY_NAME:
                raise SampleError(f"{source}: unknown field {key!r}; known: "
                                  + ", ".join([*_BY_NAME, "irf_is"]))
            once(name, key)
            values[name] = _read_value(_BY_NAME.get(name), raw, source, key, house_units)
        try:
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise SampleError(f"{source}: {exc}") from None

    @classmethod
    def from_file(cls, path) -> "Sample":
        """A Sample from a TOML or JSON file of fields, or from the ``sample`` section of a
        ``summary.json`` written by sotfit."""
        p = Path(path)
        data = read_sample_file(p)
        if isinstance(data, dict) and isinstance(data.get("sample"), dict):
            data = data["sample"]
        if not isinstance(data, dict):
            raise SampleError(f"sample file {p}: expected a table of fields")
        return cls.from_mapping(data, f"sample file {p}")


def read_sample_file(path):
    """The contents of a TOML or JSON sample file, as parsed (values not yet read).

    Parameters
    ----------
    path : path-like
        A ``.json`` file, or a TOML file (any other suffix).

    Returns
    -------
    object
        The parsed document (a dict for a table of fields).

    Raises
    ------
    SampleError
        No such file, or a file that does not parse.
    """
    p = Path(path)
    if p.is_dir():
        raise SampleError(f"sample file {p} is a folder: give the sample file in it (.toml, "
                          ".json or key = value text) by name")
    if not p.is_file():
        raise SampleError(f"sample file {p} not found")
    text = p.read_text(encoding="utf-8")
    try:
        if p.suffix.lower() == ".json":
            return json.loads(text, object_pairs_hook=_unique_keys)
        import tomllib

        return tomllib.loads(text)
    except Exception as exc:  # noqa: BLE001 - any parse error becomes a user error
        raise SampleError(f"sample file {p}: cannot parse ({exc})") from None


def _unique_keys(pairs):
    """A JSON object as a dict, refusing a key written twice (``json`` keeps the last one)."""
    out = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"the key {k!r} is written twice")
        out[k] = v
    return out


def _read_value(field: SampleField | None, raw, source: str, key: str, house: bool = False):
    """One value of a sample mapping in house units (a bare number only if ``house``, or for
    the angle in degrees and the dimensionless current fraction)."""
    from .units import quantity, radians_slip

    if field is None or field.unit == "bool" or raw is None:
        return raw
    if isinstance(raw, dict) and "value" in raw:
        raw = raw["value"] if raw.get("unit", field.unit) == field.unit else \
            f"{raw['value']}{raw['unit']}"
        house = True
    if isinstance(raw, bool):
        raise SampleError(f"{source}: field {key!r}: expected a number, got {raw!r}")
    try:
        if field.dimension is None:
            return float(raw)
        if isinstance(raw, (int, float)) and house:
            return float(raw)
        default = "deg" if field.unit == "deg" else None
        slip = radians_slip(raw) if default == "deg" else None
        if slip is not None:
            # as the command line says it (0.785 for pi/4 was read as 0.785 deg)
            raise ValueError(slip)
        return quantity(str(raw), field.dimension, default)
    except ValueError as exc:
        raise SampleError(f"{source}: field {key!r}: {exc}") from None
