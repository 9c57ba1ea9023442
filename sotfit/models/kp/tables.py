"""TMDC/CrI3 parameter tables: seed 000 Table I and bicubic interpolation over (twist, gate).

Seed 000_8a4db6caac2af419.txt, Table I (values of Zollner et al., PRB 107, 035112 (2023)) is
shipped as ``data/kp/tmdc_cri3_table1.csv``. Seed 000 interpolates parameters obtained at
7 twist angles (and 5 gate fields) "bicubically"; :class:`ParameterTable` does the same for a
table the user supplies, and refuses points outside the tabulated range.

Column format (units in the header, converted here to house units):
``tmdc, twist (deg), [gate (V/nm),] delta (eV), v_F (1e5 m/s), lambda_c (meV),
lambda_v (meV), B_c (meV), B_v (meV)``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .hamiltonians import TMDCCrI3, hbar_v_from_velocity

__all__ = ["TABLE1_PATH", "read_table", "table1", "tmdc_from_table1", "ParameterTable",
           "TableRangeError", "PARAMETER_COLUMNS"]

TABLE1_PATH = Path(__file__).resolve().parents[3] / "data" / "kp" / "tmdc_cri3_table1.csv"

#: column header -> (TMDCCrI3 field, factor to house units)
PARAMETER_COLUMNS = {
    "delta (eV)": ("delta", 1.0),
    "v_F (1e5 m/s)": ("hbar_v", None),
    "lambda_c (meV)": ("lambda_c", 1e-3),
    "lambda_v (meV)": ("lambda_v", 1e-3),
    "B_c (meV)": ("b_c", 1e-3),
    "B_v (meV)": ("b_v", 1e-3),
}


#: Columns whose values must be positive: the orbital gap and the Fermi velocity (seed 000,
#: Table I; a gap of -5 eV or a velocity of 0 was read and interpolated into the twists beside
#: it, max |tau^oc| twice the sound table's, with no word).
POSITIVE_COLUMNS = ("delta (eV)", "v_F (1e5 m/s)")


class TableRangeError(ValueError):
    """A parameter requested outside the range of a table."""


#: The columns of a parameter table by name: (the key of :data:`PARAMETER_COLUMNS` or of the
#: axes, dimension of its unit for :func:`sotfit.units.to_house`, the unit written there).
_COLUMN_NAMES = {"tmdc": ("tmdc", None, ""), "twist": ("twist (deg)", "angle", "deg"),
                 "gate": ("gate (V/nm)", "electric_field", "V/nm"),
                 "delta": ("delta (eV)", "energy", "eV"),
                 "v_f": ("v_F (1e5 m/s)", "velocity", "1e5 m/s"),
                 "lambda_c": ("lambda_c (meV)", "energy", "meV"),
                 "lambda_v": ("lambda_v (meV)", "energy", "meV"),
                 "b_c": ("B_c (meV)", "energy", "meV"), "b_v": ("B_v (meV)", "energy", "meV")}
#: Fermi velocity units a table may write, in 1e5 m/s.
_VELOCITY_UNITS = {"1e5 m/s": 1.0, "10^5 m/s": 1.0, "1e5m/s": 1.0, "10^5m/s": 1.0,
                   "m/s": 1e-5, "km/s": 1e-2, "1e6 m/s": 10.0, "10^6 m/s": 10.0, "1e6m/s": 10.0,
                   "10^6m/s": 10.0}
_HEADER = re.compile(r"^\s*(?P<name>[^(\[]*?)\s*(?:[(\[]\s*(?P<unit>[^)\]]*?)\s*[)\]])?\s*$")


def _column_factor(path, header: str, dimension: str, unit: str, written: str) -> float:
    """The factor that takes a column written in ``written`` into ``unit`` (1.0 exactly when
    they are the same), or a ValueError naming the file and the column."""
    if written == unit:
        return 1.0
    if dimension == "velocity":
        factor = _VELOCITY_UNITS.get(" ".join(written.split()))
        if factor is None:
            raise ValueError(f"{path}: column {header!r}: unit {written!r} is not a velocity "
                             f"this table takes ({', '.join(_VELOCITY_UNITS)})")
        return factor
    from ...units import UnitError, to_house

    try:
        one, house = to_house(1.0, written, dimension)
        ref, _ = to_house(1.0, unit, dimension)
    except (UnitError, KeyError, ValueError) as exc:
        raise ValueError(f"{path}: column {header!r}: {exc} (a unit of {dimension} is "
                         f"needed, e.g. {unit})") from None
    return float(one / ref)


def _columns(path, fieldnames) -> dict:
    """The table's columns by their key of :data:`_COLUMN_NAMES`: ``(header, factor)``.

    Headers are matched by name whatever the case and the spaces around them, their unit in
    round or square brackets converted to the unit of the shipped table ('delta (meV)',
    'v_F [m/s]', ' twist (deg)' after a comma and a space were each 'missing')."""
    found: dict = {}
    for header in fieldnames or ():
        m = _HEADER.match(header or "")
        key = (m.group("name") if m else str(header)).strip().lower().replace(" ", "_")
        if key not in _COLUMN_NAMES:
            continue
        canonical, dimension, unit = _COLUMN_NAMES[key]
        if key in found:
            raise ValueError(f"{path}: columns {found[key][0]!r} and {header!r} both give "
                             f"{canonical}; keep one")
        written = (m.group("unit") or "").strip() if m else ""
        if dimension is None:
            found[key] = (header, 1.0)
            continue
        if not written:
            raise ValueError(f"{path}: column {header!r} gives no unit; write it in the header, "
                             f"e.g. {canonical!r}")
        found[key] = (header, _column_factor(path, header, dimension, unit, written))
    return found


def read_table(path) -> list[dict]:
    """Rows of a parameter CSV (lines starting with '#' are comments) in house units.

    Columns are found by name (``tmdc``, ``twist``, optional ``gate``, ``delta``, ``v_F``,
    ``lambda_c``, ``lambda_v``, ``B_c``, ``B_v``) with the unit in the header in brackets,
    converted to that of ``data/kp/tmdc_cri3_table1.csv`` (energies in any energy unit,
    ``v_F`` in 1e5 m/s, m/s or km/s, the twist in deg or rad, the gate in any field unit).

    Returns a list of dicts with keys ``tmdc``, ``twist`` (deg), ``gate`` (V/nm, 0 if the
    column is absent) and the TMDCCrI3 field names (eV, eV nm).

    Raises
    ------
    ValueError
        Naming the file and the missing, repeated or unitless column or unreadable value.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"parameter table {p} not found")
    lines = [ln for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    reader = csv.DictReader(lines)
    need = ["tmdc", "twist (deg)"] + list(PARAMETER_COLUMNS)
    cols = _columns(p, reader.fieldnames)
    by_canonical = {_COLUMN_NAMES[k][0]: v for k, v in cols.items()}
    missing = [c for c in need if c not in by_canonical]
    if missing:
        raise ValueError(f"{p}: missing column(s) {missing}; expected {need} (+ optional 'gate (V/nm)'; "
                         "the units may be others of the same kind, e.g. 'delta (meV)')")

    def number(r, canonical):
        header, factor = by_canonical[canonical]
        v = float(r[header])
        return v if factor == 1.0 else v * factor

    rows = []
    for i, r in enumerate(reader, start=2):
        try:
            gate = by_canonical.get("gate (V/nm)")
            row = {"tmdc": r[by_canonical["tmdc"][0]].strip(), "twist": number(r, "twist (deg)"),
                   "gate": number(r, "gate (V/nm)") if gate and r[gate[0]] else 0.0}
            values = {col: number(r, col) for col in PARAMETER_COLUMNS}
        except ValueError as exc:
            raise ValueError(f"{p}, data row {i}: cannot read a number ({exc})") from None
        for col, v in values.items():
            header = by_canonical[col][0]
            if not np.isfinite(v):
                raise ValueError(f"{p}, data row {i}: {header} = {r[header].strip()} is not a "
                                 "finite number")
            if col in POSITIVE_COLUMNS and v <= 0:
                raise ValueError(f"{p}, data row {i}: {header} = {r[header].strip()} must be > 0 "
                                 "(the orbital gap and the Fermi velocity of the TMDC)")
        for col, (name, factor) in PARAMETER_COLUMNS.items():
            v = values[col]
            row[name] = hbar_v_from_velocity(v * 1e5) if factor is None else v * factor
        rows.append(row)
    return rows


def table1() -> list[dict]:
    """Seed 000 Table I in house units (see :func:`read_table`)."""
    return read_table(TABLE1_PATH)


#: Largest difference (deg) between a twist asked for and a row of Table I that is that row: a
#: twist written in radians, 0.5235987756rad, is 30.00000000009747 deg and was refused as
#: "Table I has no entry" (its digits resolve 1e-8 rad, 6e-7 deg).
TWIST_TOLERANCE_DEG = 1e-6


def tmdc_from_table1(tmdc: str, twist: float, lambda_r: float = 0.001, **kw) -> TMDCCrI3:
    """TMDCCrI3 model with seed 000 Table I parameters ('WSe2' or 'MoSe2'; twist 0 or 30 deg,
    within :data:`TWIST_TOLERANCE_DEG`)."""
    for row in table1():
        if (row["tmdc"].lower() == tmdc.lower()
                and abs(row["twist"] - float(twist)) <= TWIST_TOLERANCE_DEG):
            params = {k: row[k] for k in ("delta", "hbar_v", "lambda_c", "lambda_v", "b_c", "b_v")}
            return TMDCCrI3(lambda_r=lambda_r, **params, **kw)
    have = sorted({(r["tmdc"], r["twist"]) for r in table1()})
    raise TableRangeError(f"Table I has no entry for tmdc={tmdc!r}, twist={twist} deg (within "
                          f"{TWIST_TOLERANCE_DEG:g} deg); it has {have}")


@dataclass(frozen=True)
class ParameterTable:
    """Bicubic interpolation of TMDC/CrI3 parameters over (twist angle, gate field).

    Built from rows of one TMDC (see :func:`read_table`) on a rectangular (twist, gate) grid;
    with a single gate value the interpolation is a cubic spline in the twist angle. At least
    four distinct values are needed along an interpolated axis.
    """

    tmdc: str
    twists: np.ndarray
    gates: np.ndarray
    values: dict

    @classmethod
    def from_rows(cls, rows, tmdc: str) -> "ParameterTable":
        rows = [r for r in rows if r["tmdc"].lower() == tmdc.lower()]
        if not rows:
            raise ValueError(f"parameter table has no rows for tmdc={tmdc!r}")
        tw = np.unique([r["twist"] for r in rows])
        gt = np.unique([r["gate"] for r in rows])
        if len(rows) != tw.size * gt.size:
            raise ValueError(f"parameter table for {tmdc}: rows do not form a rectangular "
                             f"(twist, gate) grid ({len(rows)} rows for {tw.size} x {gt.size})")
        for axis, name in ((tw, "twist"), (gt, "gate")):
            if 1 < axis.size < 4:
                raise ValueError(f"parameter table for {tmdc}: bicubic interpolation needs >= 4 "
                                 f"{name} values, got {axis.size}")
        vals = {}
        for name in ("delta", "hbar_v", "lambda_c", "lambda_v", "b_c", "b_v"):
            grid = np.full((tw.size, gt.size), np.nan)
            for r in rows:
                grid[np.searchsorted(tw, r["twist"]), np.searchsorted(gt, r["gate"])] = r[name]
            vals[name] = grid
        return cls(tmdc=tmdc, twists=tw, gates=gt, values=vals)

    @classmethod
    def from_csv(cls, path, tmdc: str) -> "ParameterTable":
        return cls.from_rows(read_table(path), tmdc)

    def __call__(self, twist: float, gate: float = 0.0) -> dict:
        """Interpolated parameters (house units) at ``twist`` (deg) and ``gate`` (V/nm)."""
        from scipy.interpolate import CubicSpline, RectBivariateSpline   # only when asked

        for v, axis, name, unit in ((twist, self.twists, "twist", "deg"), (gate, self.gates, "gate", "V/nm")):
            if not (axis[0] - 1e-12 <= v <= axis[-1] + 1e-12):
                raise TableRangeError(f"{self.tmdc} table: {name} = {v} {unit} is outside the "
                                      f"tabulated range [{axis[0]}, {axis[-1]}] {unit}")
        out = {}
        for name, grid in self.values.items():
            if self.gates.size == 1:
                out[name] = float(CubicSpline(self.twists, grid[:, 0])(twist))
            elif self.twists.size == 1:
                out[name] = float(CubicSpline(self.gates, grid[0])(gate))
            else:
                out[name] = float(RectBivariateSpline(self.twists, self.gates, grid, kx=3, ky=3)(twist, gate)[0, 0])
        return out

    def model(self, twist: float, gate: float = 0.0, lambda_r: float = 0.001, **kw) -> TMDCCrI3:
        """A TMDCCrI3 model at (twist, gate)."""
        return TMDCCrI3(lambda_r=lambda_r, **self(twist, gate), **kw)
