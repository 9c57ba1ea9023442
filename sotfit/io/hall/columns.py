"""Column roles of harmonic Hall tables and the names sotfit recognises for them."""

from __future__ import annotations

import re

from ...units import UnitError, split_header
from .scan import HallReadError


#: Column roles (``columns=`` / ``column_units=`` keys of :func:`read_hall`; ``sotfit hall
#: --column ROLE=NAME`` and ``--column-unit ROLE=UNIT``) and what each column holds.
COLUMN_ROLES = {
    "angle": "the scanned angle of a rotation (phi from the current in the plane, or theta from "
             "the film normal)",
    "field": "the field: swept in a field sweep, constant within each rotation",
    "magnet_current": "the magnet current, turned into field by the calibration table",
    "x1": "lock-in X output of the first harmonic (voltage)",
    "y1": "lock-in Y output of the first harmonic (voltage)",
    "x2": "lock-in X output of the second harmonic (voltage)",
    "y2": "lock-in Y output of the second harmonic (voltage)",
    "mag1": "lock-in magnitude R of the first harmonic (voltage, with phase1)",
    "phase1": "lock-in phase of the first harmonic (deg or rad)",
    "mag2": "lock-in magnitude R of the second harmonic (voltage, with phase2)",
    "phase2": "lock-in phase of the second harmonic (deg or rad)",
    "v1w": "first-harmonic voltage in one column (read as the in-phase output X)",
    "v2w": "second-harmonic voltage in one column (read as the output X of the 2w channel)",
    "r1w": "first-harmonic Hall resistance R_1w = V_1w/I0 (a resistance unit)",
    "r2w": "second-harmonic Hall resistance in the house sign R_2w = -V_2w,cos/I0 (a resistance unit)",
    "current": "source current (peak or rms as stated)",
    "theta_h": "polar angle of the field from the film normal (deg)",
    "phi_h": "azimuth of the field from the current (deg)",
    "mz_state": "perpendicular state of a field sweep (+1, -1; 0 not known)",
    "sweep_axis": "axis of a field sweep: x/y, longitudinal/transverse, or phi_h in deg",
}
#: Keys of the earlier ``columns=`` dictionary -> roles ('x' is the scanned quantity).
_LEGACY_KEYS = {"X1": "x1", "Y1": "y1", "X2": "x2", "Y2": "y2", "R1": "mag1", "T1": "phase1",
                "R2": "mag2", "T2": "phase2", "current": "current", "field": "field",
                "magnet_current": "magnet_current"}
_HARMONIC_ROLES = {"x1", "y1", "x2", "y2", "mag1", "phase1", "mag2", "phase2", "v1w", "v2w",
                   "r1w", "r2w"}
_FIELD_NAMES = {"feld", "magnetfeld", "champ", "champmagnetique",   # German, French
                "field", "b", "h", "mu0h", "hext", "happ", "bext", "bapp", "appliedfield",
                "magneticfield", "bfield", "hfield", "mu0hext"}
_ANGLE_NAMES = {"angle", "rotation", "alpha", "beta", "gamma",
                "winkel", "drehwinkel", "angulo"}      # German, Spanish
#: The rotator's angle as instrument software names it (a Quantum Design PPMS writes 'Sample
#: Position (deg)' on every row, rotator or not): the scanned angle only of a rotation
#: (``scan='phi'`` or ``'theta'``) without another angle column.
_ROTATOR_NAMES = {"sampleposition", "rotatorposition", "rotatorangle", "rotator"}
_CURRENT_NAMES = {"isource", "i", "current", "iac", "sourcecurrent", "accurrent", "currentac",
                  "currentamplitude", "appliedcurrent", "excitationcurrent", "drivecurrent",
                  "iamp", "iexc",
                  "strom", "messstrom", "wechselstrom", "courant", "corriente"}  # German, French, Spanish
_MAGNET_NAMES = {"magnetcurrent", "imagnet"}


def is_current_name(compact: str) -> bool:
    """Whether a name, compacted (lower case, its unit, blanks, ``_`` and brackets removed:
    ``sourcecurrentamplitude``), names the source current: one of :data:`_CURRENT_NAMES`, or one
    of them followed by ``amplitude`` (``Source current amplitude``, ``I_ac amplitude``: the
    word says what every such entry gives, and the entry went unread). A bias, compliance or
    dc current, or a limit, is none."""
    stem = compact[:-len("amplitude")] if compact.endswith("amplitude") else compact
    return compact in _CURRENT_NAMES or stem in _CURRENT_NAMES
_STATE_NAMES = {"mzstate", "mz", "mzinitial", "mzinit", "initialmz", "state", "pmastate",
                "mstate", "magnetizationstate", "magnetisationstate"}
_AXIS_NAMES = {"sweepaxis", "axis", "fieldaxis", "sweepalong"}
# a harmonic token: x1, Y2, R1w, theta2w, V_1w, 1f, 2omega, ...
_HARM_RE = re.compile(r"^(?P<pre>lockinx|lockiny|x|y|r|v|u|theta|phase|vxy|rxy|vh|rh|vhall|rhall)?"
                      r"(?P<h>[12])(?P<suf>f|w|omega|ω)?$")
_KIND_OF_PRE = {"x": "x", "lockinx": "x", "y": "y", "lockiny": "y", "r": "r", "rxy": "r",
                "rh": "r", "rhall": "r", "v": "v", "u": "v", "vxy": "v", "vh": "v", "vhall": "v",
                "theta": "phase", "phase": "phase"}
_KIND_WORDS = {"x": "x", "y": "y", "r": "r", "resistance": "r", "rxy": "r", "ohm": "r",
               "theta": "phase", "phase": "phase", "voltage": "v", "volt": "v", "v": "v",
               "signal": "v", "u": "v"}
_AXIS_RE = re.compile(r"^(?:mu0)?(?:[hb]|field)_?(?P<axis>x|y|z|\d+(?:\.\d+)?)(?:deg)?$")
#: Words after a field's axis that tell its sweeps apart (``Hx_up``, ``Bx_ret``, ``Hy_increasing``):
#: a label of the column pair, never read as the sweep's direction or m_z state (``up`` may be
#: either); the direction comes from the field values, the state from the loop or the options.
_DIRECTION_WORDS = {"up", "down", "fwd", "forward", "bwd", "backward", "back", "ret", "return",
                    "retrace", "trace", "increasing", "decreasing", "inc", "dec", "incr", "decr",
                    "rising", "falling", "ascending", "descending", "asc", "desc", "pos", "neg",
                    "positive", "negative", "plus", "minus"}


#: Greek letters of column names spelled out (``θ1`` is ``theta1``, ``φ_H`` is ``phi_H``).
_GREEK = str.maketrans({"θ": "theta", "ϑ": "theta", "Θ": "theta", "φ": "phi", "ϕ": "phi",
                        "Φ": "phi"})


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\s_\-()\[\]/.,:;]+", name.translate(_GREEK)) if t]


#: A bracketed part at the end of a header (its unit, known or not).
_TRAILING_BRACKET = re.compile(r"\s*(\([^()]*\)|\[[^\[\]]*\])\s*$")


def _name_of(col) -> str:
    """Header name without its unit, lower case (the whole header if its unit is unknown)."""
    try:
        return split_header(str(col))[0]
    except UnitError:
        return str(col).strip().lower()


def _column_named(name, cols):
    """The column of ``cols`` that ``name`` (given by a user) names: the one written so, else
    the one column whose header without its unit is ``name`` (``Vhall_1st`` for
    ``Vhall_1st (uV)``); None when there is none."""
    if name in cols:
        return name
    want = str(name).strip().lower()
    bare = [c for c in cols if _name_of(c) == want]
    if not bare:
        # a unit sotfit does not know ('Winkel (Grad)', its unit then given by --column-unit):
        # the bracket at the end taken off as written
        bare = [c for c in cols if _TRAILING_BRACKET.sub("", str(c)).strip().lower() == want]
    return bare[0] if len(bare) == 1 else None


def _compact(col) -> str:
    return "".join(_tokens(_name_of(col)))


def _harmonic_of(col):
    """(harmonic, kind, label) of a lock-in or Hall column, or None. ``kind`` is 'x', 'y', 'r'
    (a resistance, or the lock-in magnitude when a phase goes with it), 'phase' or 'v' (one
    voltage); ``label`` is the name with the harmonic replaced by '#' (pairs 1f with 2f)."""
    toks = _tokens(_name_of(col))
    for i, t in enumerate(toks):
        m = _HARM_RE.match(t)
        if not m or (m.group("pre") is None and m.group("suf") is None):
            continue
        kind = _KIND_OF_PRE.get(m.group("pre") or "", None)
        rest = toks[:i] + toks[i + 1:]
        if kind in (None, "v"):
            after = [_KIND_WORDS[w] for w in toks[i + 1:] if w in ("x", "y", "r", "theta", "phase")]
            words = [_KIND_WORDS[w] for w in rest if w in _KIND_WORDS]
            kind = after[0] if after else kind or (words[0] if words else "v")
        label = "_".join(toks[:i] + [(m.group("pre") or "") + "#" + (m.group("suf") or "")] + toks[i + 1:])
        return int(m.group("h")), kind, label
    return None


def _axis_part(col) -> str:
    """The compact name of a field column without a last word of :data:`_DIRECTION_WORDS` after
    its axis (``Hx_up`` -> ``hx``, ``Bx_ret (mT)`` -> ``bx``); the compact name of any other
    column."""
    toks = _tokens(_name_of(col))
    if len(toks) > 1 and toks[-1].lower() in _DIRECTION_WORDS:
        base = "".join(toks[:-1])
        if _AXIS_RE.match(base):
            return base
    return "".join(toks)


def _field_axis(col):
    """Sweep axis written in a field column's name: 'Hx' -> 0 deg, 'Hy' -> 90, 'H45' -> 45 (a
    word of :data:`_DIRECTION_WORDS` after it, 'Hx_up', is a label); 'z' for a field along the
    normal; None for a plain field name."""
    m = _AXIS_RE.match(_axis_part(col))
    if not m:
        return None
    a = m.group("axis")
    return {"x": 0.0, "y": 90.0, "z": "z"}.get(a, None if a in ("x", "y", "z") else float(a))


def _is_field_col(col) -> bool:
    c = _compact(col)
    return c in _FIELD_NAMES or _AXIS_RE.match(_axis_part(col)) is not None


def _is_angle_col(col, scan=None) -> bool:
    c = _compact(col)
    return c in _ANGLE_NAMES or c in ("phi", "theta") or (scan in ("phi", "theta") and c == scan + "h")


def _harm_roles(h):
    return (f"x{h}", f"y{h}", f"mag{h}", f"phase{h}", f"v{h}w", f"r{h}w")


def _role_of(roles, col):
    return next((r for r, c in roles.items() if c == col), "x1")


def _given_columns(columns, scan):
    given = {}
    for key, name in dict(columns or {}).items():
        if key == "x":
            role = "field" if scan == "field" else "angle"
        else:
            role = _LEGACY_KEYS.get(key, key)
        if role not in COLUMN_ROLES:
            raise HallReadError(f"unknown column role {key!r}; roles: {', '.join(COLUMN_ROLES)}")
        given[role] = name
    by_name: dict = {}
    for role, name in given.items():
        by_name.setdefault(str(name).strip(), []).append(role)
    twice = {name: roles for name, roles in by_name.items() if len(roles) > 1}
    if twice:               # one column cannot be two quantities (x1 and x2: H_DL of 0)
        name, roles = next(iter(twice.items()))
        raise HallReadError(f"the column {name!r} is named for {len(roles)} roles "
                            f"({', '.join(roles)}); each role needs a column of its own")
    if "x" in dict(columns or {}):
        given["_legacy_x"] = columns["x"]
    return given
