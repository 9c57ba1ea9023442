"""The reader's options: how each is spelled in messages (keyword or ``sotfit hall`` option), their
checks, and the unit of a column from its header or an option."""

from __future__ import annotations

import contextvars
import re
import warnings

from ...units import UnitError, normalise_unit, readings_text, split_header, to_house
from .columns import COLUMN_ROLES
from .scan import HallReadError

# ------------------------------------------------------------------------------------------
# Option spelling: every reader error names the option that fixes it, as the caller writes it
# ------------------------------------------------------------------------------------------


#: How each reader keyword is written on the ``sotfit hall`` command line.
CLI_OPTIONS = {
    "scan": "--scan", "current": "--current", "current_is": "--current-is",
    "lockin_output": "--lockin-output", "r2w_channel": "--r2w-channel",
    "r1w_channel": "--r1w-channel", "r2w_sign": "--r2w-sign", "gain_1w": "--gain-1w",
    "gain_2w": "--gain-2w", "voltage_unit": "--voltage-unit", "angle_unit": "--angle-unit",
    "field_unit": "--field-unit", "field": "--field", "theta_h": "--theta-h", "phi_h": "--phi-h",
    "calibration": "--calibration", "extrapolate_calibration": "--extrapolate-calibration",
    "r_ahe": "--r-ahe", "mz_state": "--mz-state", "phi_offset": "--phi-offset",
    "theta_offset": "--theta-offset",
    "r1w_phase": "--r1w-phase", "r2w_phase": "--r2w-phase",
    "drop_incomplete_rows": "--drop-incomplete-rows", "allow_duplicates": "--allow-duplicates",
}
_STYLE = contextvars.ContextVar("sotfit_hall_option_style", default="python")


def _opt(key: str, example=None) -> str:
    """Keyword ``key`` as the caller spells it: ``current_is='peak'`` or ``--current-is peak``."""
    if _STYLE.get() == "cli":
        opt = CLI_OPTIONS[key]
        if example is None:
            return opt
        text = str(example)
        return f"{opt}={text}" if text.startswith("-") else f"{opt} {text}"
    return f"{key}={example!r}" if example is not None else f"{key}=..."


def _switch_opt(key: str) -> str:
    """Switch ``key`` (a bool keyword) as the caller turns it on: ``drop_incomplete_rows=True``
    or ``--drop-incomplete-rows``."""
    return CLI_OPTIONS[key] if _STYLE.get() == "cli" else f"{key}=True"


def _mz_opt(name: str = "FILE", state: int = 1) -> str:
    """How to give the m_z state of file ``name``: ``mz_state={'FILE': 1}`` or ``--mz-state
    FILE=+1``."""
    if _STYLE.get() == "cli":
        return f"--mz-state {name}={state:+d}"
    return f"mz_state={{{name!r}: {state}}}"


def _col_opt(role: str, name=None) -> str:
    """How to name the column of ``role``: ``columns={'r2w': 'NAME'}`` or ``--column r2w=NAME``."""
    name = "NAME" if name is None else str(name)
    if _STYLE.get() == "cli":     # quoted for the shell when the name holds blanks or brackets
        arg = f"{role}={name}"
        return f'--column "{arg}"' if re.search(r"[\s()\[\]&;|<>*?$']", arg) else f"--column {arg}"
    return f"columns={{{role!r}: {name!r}}}"


def _override_opt(role: str, unit: str) -> str:
    """How to read the column of ``role`` in ``unit`` whatever its header writes."""
    if _STYLE.get() == "cli":
        return f"--override-unit {role}={unit}"
    return f"override_units={{{role!r}: {unit!r}}}"


def _unit_opt(role: str, unit: str) -> str:
    """How to give the unit of the column of ``role``."""
    if _STYLE.get() == "cli":
        return f"--column-unit {role}={unit}"
    return f"column_units={{{role!r}: {unit!r}}}"


_CHANNELS = {"X": ("X", 1.0), "-X": ("X", -1.0), "Y": ("Y", 1.0), "-Y": ("Y", -1.0)}


def _check_options(paths, o):
    if o["scan"] not in (None, "phi", "theta", "field"):
        raise HallReadError(f"{paths[0]}: scan must be 'phi', 'theta' or 'field', not {o['scan']!r} "
                            f"({_opt('scan', 'field')})")
    for name in ("current_is", "lockin_output"):
        allowed = ("peak", "rms") if name == "current_is" else ("rms", "peak")
        if o[name] is not None and o[name] not in allowed:
            raise HallReadError(f"{paths[0]}: state {name} explicitly as one of {allowed} (got "
                                f"{o[name]!r}); sotfit never assumes it ({_opt(name, allowed[0])})")
    for name in ("r2w_channel", "r1w_channel"):
        if o[name] is not None and o[name] not in _CHANNELS:
            raise HallReadError(f"{paths[0]}: {name} must be one of {list(_CHANNELS)} (got "
                                f"{o[name]!r}); see sotfit.io.hall for the phase convention")
    if not all(o[g] is None or o[g] > 0 for g in ("gain_1w", "gain_2w")):
        raise HallReadError(f"{paths[0]}: preamplifier gains must be positive (got {o['gain_1w']}, "
                            f"{o['gain_2w']})")
    if o["r2w_sign"] not in (None, 1, -1, 1.0, -1.0):
        raise HallReadError(f"{paths[0]}: r2w_sign must be +1 or -1 (got {o['r2w_sign']!r})")
    for role in o["column_units"]:
        if role not in COLUMN_ROLES:
            raise HallReadError(f"unknown column role {role!r} for a unit; roles: "
                                f"{', '.join(COLUMN_ROLES)}")


#: A lock-in voltage unit with its waveform written into it: ``uVrms``, ``mV rms``, ``V_pk``.
_WAVEFORM_UNIT_RE = re.compile(r"^(?P<unit>.*?V)\s*[_-]?\s*(?P<form>rms|peak[\s_-]*to[\s_-]*peak|"
                               r"pk[\s_-]?pk|p-p|pp|pk|peak)$", re.I)


def header_waveform(col) -> tuple[str, str] | None:
    """``(unit, 'rms' or 'peak')`` where the unit of header ``col`` is a voltage with its
    waveform written into it (``X1 (uVrms)``, ``Y2 [mV rms]``, ``V2w (V_pk)``), else None.
    Such units were unknown, and the message's example unit (V) for one in mV gave torque
    fields a thousand times too large."""
    m = re.search(r"[(\[]\s*([^()\[\]]+?)\s*[)\]]\s*$", str(col))
    w = _WAVEFORM_UNIT_RE.match(m.group(1)) if m else None
    if w is None:
        return None
    try:
        unit = normalise_unit(w.group("unit"))
        to_house(1.0, unit, "voltage")
    except UnitError:
        return None
    form = re.sub(r"[\s_-]", "", w.group("form").lower())
    return unit, {"rms": "rms", "pk": "peak", "peak": "peak"}.get(form, "pk-pk")


def lockin_output_of(p, o, cols) -> str | None:
    """What the lock-in outputs of columns ``cols`` are: ``lockin_output`` given, else what their
    headers write (``uVrms``); a header that says otherwise than the option, or headers that
    disagree, are errors."""
    written = {c: hw[1] for c in cols if (hw := header_waveform(c)) is not None}
    forms = set(written.values())
    if len(forms) > 1:
        raise HallReadError(f"{p}: the column headers write voltages of different waveforms "
                            f"({' and '.join(sorted(forms))}) "
                            f"({', '.join(f'{c!r}' for c in written)})")
    given = o["lockin_output"]
    if given is not None and forms and forms != {given}:
        col = next(iter(written))
        raise HallReadError(f"{p}: column {col!r} is in {written[col]} voltage but "
                            f"{_opt('lockin_output', given)} was given; leave the option out to "
                            "use the headers', or correct it")
    if given is None and forms and len(written) == len(cols):
        return forms.pop()
    return given


def _need_conventions(p, o, cols):
    """Lock-in voltages need the conventions that turn them into resistances (never assumed;
    the lock-in output may be written into the voltage unit of every column: ``uVrms``)."""
    o = {**o, "lockin_output": lockin_output_of(p, o, cols)}
    for name, allowed in (("current_is", ("peak", "rms")), ("lockin_output", ("rms", "peak")),
                          ("r2w_channel", tuple(_CHANNELS))):
        if o[name] is None:
            said = CLI_OPTIONS[name] if _STYLE.get() == "cli" else name
            raise HallReadError(
                f"{p}: the Hall voltages in {', '.join(map(repr, cols))} need {said}: state it "
                f"explicitly ({' or '.join(_opt(name, a) for a in allowed)}); sotfit never "
                "assumes it")


#: A unit of each dimension, for the examples of messages.
_EXAMPLE_UNITS = {"angle": "deg", "field": "mT", "voltage": "V", "resistance": "Ohm",
                  "current": "mA"}


#: A header unit of motor steps (``angle (steps)``, ``motor position (usteps)``), which no
#: unit converts to an angle without the step size.
_MOTOR_STEPS_RE = re.compile(r"[(\[]\s*(?:micro|u|\u00b5)?steps?\s*[)\]]\s*$", re.I)


def _motor_steps(p, col, role, o) -> None:
    """Refuse an angle column in motor steps unless ``--override-unit ROLE=UNIT`` reads it in a
    unit whatever its header writes (warned): ``--angle-unit deg`` read the steps of 720 per
    turn as degrees, exit 0, and the message that named no unit advised ``--column-unit
    angle=deg``, which would have done the same."""
    if role in o.get("override_roles", ()):
        unit = normalise_unit(o["column_units"][role])
        warnings.warn(f"{p}: column {col!r} read in {unit}, as {_override_opt(role, unit)} "
                      "says, not in the motor steps of its header")
        return
    raise HallReadError(
        f"{p}: column {col!r} holds motor steps, which are an angle only with the step size "
        "(degrees per step) that sotfit is not given: convert the column to degrees (steps "
        "times 360 over the steps of one turn) and write deg in its header")


def _unit_of_role(p, col, role, dimension, o, what, values=None):
    """Unit of column ``col`` of ``role``: its header, the column unit or the option ``what``
    (``values``, the column's numbers, say what each unit would make of them where none is
    given: an example unit, mT for a column in Oe, gave fields 10 times too large)."""
    cu = o["column_units"].get(role)
    gu = o.get(what) if what else None
    try:
        _, hu = split_header(str(col))
    except UnitError as exc:
        waveform = header_waveform(col) if dimension == "voltage" else None
        if waveform is not None:
            hu = waveform[0]                # 'X1 (uVrms)': uV, the rms read by the caller
        elif dimension == "angle" and _MOTOR_STEPS_RE.search(str(col)):
            _motor_steps(p, col, role, o)
            hu = None
        elif cu is None and gu is None:     # 'field (mt)': --column-unit gives what it means
            raise HallReadError(f"{p}: {exc}; give the column's unit with "
                                f"{_unit_opt(role, _EXAMPLE_UNITS[dimension])}") from None
        elif cu is None:
            # '--angle-unit deg' read 'angle (steps)' in degrees, no word: the option is the unit
            # of a header that writes none (its help), not of one that writes another
            raise HallReadError(
                f"{p}: {exc}, and {_opt(what, gu)} gives the unit of a column whose header "
                f"writes none; where the header's unit is a typo of {gu}, read the column in "
                f"{gu} with {_unit_opt(role, gu)}") from None
        else:
            hu = None
    given = (_unit_opt(role, cu), cu) if cu else (_opt(what, gu), gu) if gu else None
    if given is not None:
        src, u = given
        try:
            nu = normalise_unit(u)
        except UnitError as exc:
            raise HallReadError(f"{p}: column {col!r}: {exc}") from None
        if hu and hu != nu and role in o.get("override_roles", ()):
            # a header whose unit is wrong: a 'B (T)' column holding mT could not be read
            # without editing the file
            warnings.warn(f"{p}: column {col!r} read in {nu}, as {_override_opt(role, nu)} "
                          f"says, not in the {hu} of its header")
            hu = nu
        elif hu and hu != nu:
            raise HallReadError(f"{p}: column {col!r} is in {hu} but {src} was given; the header "
                                "and the option disagree (a header whose unit is wrong is read "
                                f"in {nu} with {_override_opt(role, nu)})")
        hu = hu or nu
    if hu is None:
        readings = readings_text(values, dimension) if values is not None else None
        ex = "UNIT" if readings else _EXAMPLE_UNITS[dimension]
        how = [_opt(what, ex)] if what else []
        how.append(_unit_opt(role, ex))
        if readings:
            raise HallReadError(f"{p}: column {col!r} has no unit in its header ({readings}); "
                                f"give {' or '.join(how)} with the unit the instrument wrote")
        raise HallReadError(f"{p}: column {col!r} has no unit in its header; give "
                            f"{' or '.join(how)}")
    try:
        to_house(1.0, hu, dimension)
    except UnitError as exc:
        raise HallReadError(f"{p}: column {col!r}: {exc}") from None
    return hu
