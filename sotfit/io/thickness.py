"""Thickness series of torque efficiencies: tables and per-thickness result files.

Two sources give a :class:`ThicknessSeries` (damping-like and/or field-like
efficiency per electric field xi^E versus spin-source thickness, with errors):

* :func:`read_thickness_table` -- a CSV/TSV/whitespace table with units in the
  header, e.g.::

      # sample: Ni81Fe19(6 nm)/Bi0.1Sb0.9(t)
      # resistivity: 350.3 uOhm cm
      thickness (nm), xi_e_dl (1e5 Ohm^-1 m^-1), xi_e_dl_stderr (1e5 Ohm^-1 m^-1), xi_e_fl (...), ...

  Efficiency columns: ``xi_e_dl``/``xi_e_fl`` (per electric field, any
  conductivity unit) or ``xi_dl``/``xi_fl`` (dimensionless xi = xi^E rho,
  converted with the resistivity). Error columns: ``<name>_stderr``,
  ``<name>_err``, ``<name>_error``, ``<name>_sd``, ``d<name>`` or
  ``sigma_<name>``. The resistivity comes from the ``resistivity=`` argument,
  else a ``resistivity``/``rho`` column (one value), else a ``# resistivity:``
  header line; it is needed for dimensionless columns and by the model.
* :func:`from_summaries` -- one ``summary.json`` of ``sotfit stfmr`` or
  ``sotfit hall`` per thickness; each efficiency is a
  ``{"value", "stderr", "unit"}`` entry, the thickness is the ``t_nm`` entry of
  the summary's ``sample`` section or given by the caller.

Units are converted here (house units: nm, 1e5 Ohm^-1 m^-1, uOhm cm) and only here.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from ..data import Dataset
from ..units import UnitError, quantity, split_header, to_house

__all__ = ["ThicknessSeries", "ThicknessError", "read_thickness_table", "from_summaries",
           "check_distinct_files", "XI_E_UNIT"]

XI_E_UNIT = "1e5 Ohm^-1 m^-1"
_XI_FACTOR = 1e-3  # xi = xi^E [1e5 Ohm^-1 m^-1] * rho [uOhm cm] * 1e-3


class ThicknessError(ValueError):
    """A thickness table or result file that cannot be used as given."""


@dataclass(frozen=True, eq=False)
class ThicknessSeries:
    """Damping-like and field-like efficiencies per field versus thickness.

    Attributes
    ----------
    dl, fl : Dataset or None
        xi^E_DL(t) and xi^E_FL(t): x in nm, y and yerr in 1e5 Ohm^-1 m^-1.
    resistivity : float or None
        Resistivity of the spin source in uOhm cm.
    label : str
        Sample name (e.g. ``'NiFe/BiSb'``).
    meta : mapping
        Header lines, source files, and where the resistivity came from.
    """

    dl: Dataset | None
    fl: Dataset | None
    resistivity: float | None
    label: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))
        if self.dl is None and self.fl is None:
            raise ThicknessError(f"{self.label or 'thickness series'}: no efficiency data")

    def parts(self) -> list[tuple[str, Dataset]]:
        """``[("dl", Dataset), ("fl", Dataset)]`` for the parts present."""
        return [(k, d) for k, d in (("dl", self.dl), ("fl", self.fl)) if d is not None]


def check_distinct_files(paths: Sequence) -> None:
    """Refuse a file given twice: the same file (after resolving links and ``..``) or two
    files with byte-identical content. Either would count the same data twice.

    Parameters
    ----------
    paths : sequence of path
        Input files (existing).

    Raises
    ------
    ThicknessError
        Naming both files.
    """
    by_path: dict[Path, str] = {}
    by_content: dict[str, str] = {}
    for p in paths:
        p = Path(p)
        real = p.resolve()
        if real in by_path:
            raise ThicknessError(f"{by_path[real]} and {p} are the same file; give each input "
                                 "once (a file given twice counts its data twice)")
        by_path[real] = str(p)
        try:
            digest = hashlib.sha256(real.read_bytes()).hexdigest()
        except OSError as exc:
            raise ThicknessError(f"{p}: cannot read ({exc.strerror or exc})") from None
        if digest in by_content:
            raise ThicknessError(f"{by_content[digest]} and {p} have identical content; give "
                                 "each input once (the same data given twice would count "
                                 "twice)")
        by_content[digest] = str(p)


# ----------------------------------------------------------------------------- tables

_THICK_NAMES = {"thickness", "t", "t_n", "tn", "t_nm_layer", "d", "t_nm"}
_EFF_NAMES = {"xi_e_dl": ("dl", True), "xie_dl": ("dl", True), "xi_dl": ("dl", False),
              "xi_e_fl": ("fl", True), "xie_fl": ("fl", True), "xi_fl": ("fl", False)}
_RHO_NAMES = {"resistivity", "rho"}
_ERR_PATTERNS = ("{n}_stderr", "{n}_err", "{n}_error", "{n}_sd", "{n}_sigma", "d{n}",
                 "sigma_{n}", "err_{n}")
_META_RE = re.compile(r"^\s*#\s*([A-Za-z_][\w ]*?)\s*[:=]\s*(.+?)\s*$")


def _resistivity_text(text: str, where: str) -> float:
    try:
        return quantity(text.replace(" ", ""), "resistivity")
    except UnitError as exc:
        raise ThicknessError(f"{where}: cannot read the resistivity {text!r} ({exc})") from None


def read_thickness_table(path, *, resistivity: float | None = None, label: str | None = None,
                         thickness_unit: str | None = None) -> ThicknessSeries:
    """Read a thickness table (see the module docstring for the layout).

    Parameters
    ----------
    path : str or Path
        CSV, TSV or whitespace-separated text; ``#`` lines before the header may hold
        ``key: value`` metadata (``resistivity``, ``sample``, ...).
    resistivity : float, optional
        Resistivity of the spin source in uOhm cm; overrides column and header.
    label : str, optional
        Sample name; default the ``sample`` header entry or the file stem.
    thickness_unit : str, optional
        Unit of a thickness column whose header has none (otherwise that is an error).

    Returns
    -------
    ThicknessSeries

    Raises
    ------
    ThicknessError
        Missing columns, units or errors; negative thicknesses; non-positive or missing
        uncertainties; a resistivity needed but absent; non-numeric cells. The message names
        the file, the column and the row.
    """
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise ThicknessError(f"{p}: file not found")
    header_meta: dict[str, str] = {}
    has_table = False
    try:
        with open(p, encoding="utf-8-sig") as fh:
            for line in fh:
                if not line.strip():
                    continue
                if not line.lstrip().startswith("#"):
                    has_table = True
                    break
                m = _META_RE.match(line)
                if m:
                    header_meta[m.group(1).strip().lower().replace(" ", "_")] = m.group(2)
    except UnicodeDecodeError as exc:
        raise ThicknessError(f"{p}: not a UTF-8 text table ({exc.reason} at byte {exc.start})"
                             ) from None
    if not has_table:
        raise ThicknessError(f"{p}: no table: the file is empty" if p.stat().st_size == 0 else
                             f"{p}: no table: the file holds only blank or '#' comment lines; "
                             "a header line such as 'thickness (nm), xi_e_dl (1e5 Ohm^-1 m^-1), "
                             "xi_e_dl_stderr (1e5 Ohm^-1 m^-1)' and data rows are needed")
    with warnings.catch_warnings():
        # index_col=False: a data row with more cells than the header has names must not
        # shift the columns (pandas would silently use the first column as the index)
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            df = pd.read_csv(p, comment="#", sep=None, engine="python", skipinitialspace=True,
                             index_col=False, encoding="utf-8-sig")
        except pd.errors.ParserWarning:
            raise ThicknessError(f"{p}: some data rows have more cells than the header has "
                                 "column names; name every column or remove the extra cells"
                                 ) from None
        except Exception as exc:  # noqa: BLE001 - any parse failure is a user error
            raise ThicknessError(f"{p}: cannot read the table ({exc})") from None
    if len(df) == 0:
        raise ThicknessError(f"{p}: no data rows under the header (columns: "
                             f"{list(map(str, df.columns))})")
    cols = {}
    for c in df.columns:
        try:
            name, unit = split_header(str(c))
        except UnitError as exc:
            raise ThicknessError(f"{p}: {exc}") from None
        cols[name] = (c, unit)
    src = str(p)

    def column(name):
        c, unit = cols[name]
        try:
            v = pd.to_numeric(df[c], errors="raise").to_numpy(float)
        except (ValueError, TypeError):
            bad = [i + 1 for i, x in enumerate(df[c]) if not _is_number(x)]
            raise ThicknessError(f"{p}: column {c!r} has non-numeric cells in data row(s) "
                                 f"{bad[:5]}") from None
        if not np.all(np.isfinite(v)):
            bad = (np.flatnonzero(~np.isfinite(v)) + 1).tolist()
            raise ThicknessError(f"{p}: column {c!r} has empty or non-finite cells in data "
                                 f"row(s) {bad[:5]}")
        return v, unit, c

    tname = next((n for n in cols if n in _THICK_NAMES or n.startswith("thickness")), None)
    if tname is None:
        raise ThicknessError(f"{p}: no thickness column; name one 'thickness (nm)' "
                             f"(columns: {list(df.columns)})")
    t, tunit, tcol = column(tname)
    tunit = tunit or thickness_unit
    if tunit is None:
        raise ThicknessError(f"{p}: column {tcol!r} has no unit; write e.g. 'thickness (nm)' "
                             "or pass the unit explicitly")
    try:
        t = to_house(t, tunit, "length")[0]
    except UnitError as exc:
        raise ThicknessError(f"{p}: column {tcol!r}: {exc}") from None
    if np.any(t < 0):
        rows = (np.flatnonzero(t < 0) + 1).tolist()
        raise ThicknessError(f"{p}: column {tcol!r} has negative thickness in data row(s) {rows}")

    rho_source = None
    rho = None
    if resistivity is not None:
        rho, rho_source = float(resistivity), "option"
    else:
        rname = next((n for n in cols if n in _RHO_NAMES), None)
        if rname is not None:
            rv, runit, rcol = column(rname)
            if runit is None:
                raise ThicknessError(f"{p}: column {rcol!r} has no unit; write e.g. "
                                     "'resistivity (uOhm cm)'")
            rv = to_house(rv, runit, "resistivity")[0]
            if np.ptp(rv) > 1e-9 * np.max(np.abs(rv)):
                raise ThicknessError(
                    f"{p}: column {rcol!r} varies with thickness ({rv.min():.4g}-{rv.max():.4g} "
                    "uOhm cm); the drift-diffusion model takes one bulk resistivity: give it "
                    "with the resistivity option")
            rho, rho_source = float(rv[0]), f"column {rcol!r}"
        elif "resistivity" in header_meta or "rho" in header_meta:
            key = "resistivity" if "resistivity" in header_meta else "rho"
            rho, rho_source = _resistivity_text(header_meta[key], f"{p} header"), "header"
    if rho is not None and not (math.isfinite(rho) and rho > 0):
        raise ThicknessError(f"{p}: resistivity must be > 0 uOhm cm, got {rho}")

    parts: dict[str, Dataset] = {}
    for name, (kind, per_field) in _EFF_NAMES.items():
        if name not in cols:
            continue
        if kind in parts:
            raise ThicknessError(f"{p}: two {kind.upper()} efficiency columns; keep one of "
                                 "xi_e_{kind} and xi_{kind}".format(kind=kind))
        y, yunit, ycol = column(name)
        ename = next((pat.format(n=name) for pat in _ERR_PATTERNS
                      if pat.format(n=name) in cols), None)
        if ename is None:
            raise ThicknessError(
                f"{p}: no uncertainty column for {ycol!r}; add one named e.g. {name}_stderr "
                "(the fits weight every point by its error)")
        e, eunit, ecol = column(ename)
        y = _efficiency_to_house(y, yunit, per_field, rho, f"{p}: column {ycol!r}")
        e = _efficiency_to_house(e, eunit if eunit is not None else yunit, per_field, rho,
                                 f"{p}: column {ecol!r}")
        if np.any(e <= 0):
            rows = (np.flatnonzero(e <= 0) + 1).tolist()
            raise ThicknessError(f"{p}: column {ecol!r} has zero or negative uncertainties in "
                                 f"data row(s) {rows}")
        order = np.argsort(t, kind="stable")
        parts[kind] = Dataset(t[order], y[order], e[order], x_name="thickness",
                              y_name=f"xi_e_{kind}", x_unit="nm", y_unit=XI_E_UNIT,
                              meta={"source": src, "column": str(ycol), "part": kind,
                                    "resistivity": rho})
    if not parts:
        raise ThicknessError(f"{p}: no efficiency column; expected xi_e_dl / xi_e_fl (with a "
                             f"conductivity unit) or xi_dl / xi_fl (columns: {list(df.columns)})")
    lab = label or header_meta.get("sample") or p.stem
    meta = {"source": src, "resistivity_source": rho_source, "header": header_meta}
    return ThicknessSeries(parts.get("dl"), parts.get("fl"), rho, lab, meta)


def _is_number(x) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _efficiency_to_house(v, unit, per_field: bool, rho, where: str):
    """xi^E values in 1e5 Ohm^-1 m^-1 from a per-field or dimensionless column."""
    if per_field:
        if unit is None:
            raise ThicknessError(f"{where} has no unit; write e.g. 'xi_e_dl (1e5 Ohm^-1 m^-1)'")
        try:
            return to_house(v, unit, "conductivity")[0]
        except UnitError as exc:
            raise ThicknessError(f"{where}: {exc}") from None
    if unit not in (None, ""):
        try:
            v = to_house(v, unit, "dimensionless")[0]
        except UnitError as exc:
            raise ThicknessError(f"{where}: a dimensionless efficiency cannot have unit "
                                 f"{unit!r} ({exc})") from None
    if rho is None:
        raise ThicknessError(f"{where} is the dimensionless xi = xi^E rho; the resistivity is "
                             "needed to convert it (option, 'resistivity' column or "
                             "'# resistivity:' header line)")
    return np.asarray(v, float) / (rho * _XI_FACTOR)


# ----------------------------------------------------------------------------- summaries

_PREFERRED_SECTIONS = ("global", "sequential", "quantities", "efficiencies", "results",
                       "parameters")


def _find_entries(obj, key, path=()):
    """All ``{"value", ...}`` dicts under ``key`` anywhere in a JSON tree, with their paths."""
    out = []
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            if k == key and isinstance(v, Mapping) and "value" in v:
                out.append((path, v))
            elif isinstance(v, Mapping):
                out.extend(_find_entries(v, key, path + (k,)))
    return out


def _pick(entries, section, where, key):
    if section is not None:
        chosen = [e for e in entries if section in e[0]]
        if not chosen:
            raise ThicknessError(f"{where}: no {key!r} in section {section!r} "
                                 f"(found in {['/'.join(e[0]) or 'top level' for e in entries]})")
        return chosen[0]
    top = [e for e in entries if not e[0]]
    if top:
        return top[0]
    for s in _PREFERRED_SECTIONS:
        for e in entries:
            if e[0] and e[0][-1] == s:
                return e
    return entries[0]


def _sample_value(summary, names):
    sample = summary.get("sample")
    if not isinstance(sample, Mapping):
        return None
    for n in names:
        if n in sample and sample[n] is not None:
            return sample[n]
    return None


def _length_nm(v, where) -> float:
    if isinstance(v, Mapping):
        unit = v.get("unit") or "nm"
        return float(to_house(float(v["value"]), unit, "length")[0])
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return quantity(str(v), "length", default_unit="nm")
    except UnitError as exc:
        raise ThicknessError(f"{where}: cannot read the thickness {v!r} ({exc})") from None


def from_summaries(paths: Sequence, *, thickness: Sequence | Mapping | None = None,
                   resistivity: float | None = None, section: str | None = None,
                   parts: Sequence[str] = ("dl", "fl"), label: str = "") -> ThicknessSeries:
    """Build a thickness series from one ``sotfit stfmr``/``sotfit hall`` summary.json per thickness.

    Parameters
    ----------
    paths : sequence of path
        The summary files (one per spin-source thickness).
    thickness : sequence or mapping, optional
        Thicknesses in nm (numbers or strings with units such as ``'10nm'``), in the order
        of ``paths`` or keyed by path; default the ``t_nm`` entry of each summary's
        ``sample`` section.
    resistivity : float, optional
        uOhm cm; needed when a summary holds only dimensionless ``xi_dl``/``xi_fl``
        (default: the summary's sample ``rho_nm``/``rho``/``resistivity`` entry, as
        ``sotfit stfmr`` writes it).
    section : str, optional
        Which section to read when several hold the efficiencies (e.g. ``'global'`` or
        ``'sequential'`` of ``sotfit stfmr``); default: top level, then global, sequential,
        quantities, ...
    parts : sequence of {"dl", "fl"}
        Which efficiencies to collect; a part missing from every file is skipped, a part
        missing from some files is an error.
    label : str
        Sample name.

    Returns
    -------
    ThicknessSeries
        Sorted by thickness; ``meta['files']`` lists the files.
    """
    paths = [Path(x) for x in paths]
    if not paths:
        raise ThicknessError("no summary files given")
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise ThicknessError(f"{missing[0]}: file not found")
    check_distinct_files(paths)
    if thickness is not None and not isinstance(thickness, Mapping) and len(thickness) != len(paths):
        raise ThicknessError(f"{len(thickness)} thicknesses for {len(paths)} summary files")
    rows = {k: [] for k in parts}
    ts = []
    rho_used = resistivity
    for i, p in enumerate(paths):
        try:
            summary = json.loads(p.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise ThicknessError(f"{p}: not a UTF-8 JSON file ({exc.reason} at byte "
                                 f"{exc.start})") from None
        except json.JSONDecodeError as exc:
            raise ThicknessError(f"{p}: not valid JSON ({exc})") from None
        if not isinstance(summary, Mapping):
            raise ThicknessError(f"{p}: not a sotfit summary (the JSON top level is a "
                                 f"{type(summary).__name__}, not an object)")
        if thickness is None:
            tv = _sample_value(summary, ("t_nm",))
            if tv is None:
                raise ThicknessError(f"{p}: no t_nm in the summary's sample section; give the "
                                     "thicknesses explicitly")
        else:
            tv = thickness.get(str(p), thickness.get(p)) if isinstance(thickness, Mapping) \
                else thickness[i]
            if tv is None:
                raise ThicknessError(f"{p}: no thickness given for this file")
        t = _length_nm(tv, str(p))
        if not (math.isfinite(t) and t >= 0):
            raise ThicknessError(f"{p}: thickness must be >= 0 nm, got {t}")
        ts.append(t)
        rho_here = resistivity
        if rho_here is None:
            rv = _sample_value(summary, ("rho_nm", "rho", "resistivity"))
            if rv is not None:
                if isinstance(rv, Mapping):
                    rho_here = float(to_house(float(rv["value"]), rv.get("unit") or "uOhmcm",
                                              "resistivity")[0])
                else:
                    rho_here = float(rv) if isinstance(rv, (int, float)) else \
                        _resistivity_text(str(rv), str(p))
        if resistivity is None and rho_here is not None:
            if rho_used is not None and not math.isclose(rho_here, rho_used, rel_tol=1e-9):
                raise ThicknessError(f"{p}: resistivity {rho_here:g} uOhm cm differs from "
                                     f"{rho_used:g} in the other files; give one explicitly")
            rho_used = rho_here
        for kind in parts:
            found = None
            for key, per_field in ((f"xi_e_{kind}", True), (f"xi_{kind}", False)):
                entries = _find_entries(summary, key)
                if entries:
                    path_, entry = _pick(entries, section, str(p), key)
                    found = (key, per_field, path_, entry)
                    break
            if found is None:
                rows[kind].append(None)
                continue
            key, per_field, path_, entry = found
            where = f"{p}: {'/'.join(path_ + (key,))}"
            value, err = entry.get("value"), entry.get("stderr")
            if value is None or not _is_number(value):
                raise ThicknessError(f"{where} has no finite value ({value!r})")
            if err is None or not _is_number(err) or float(err) <= 0:
                raise ThicknessError(f"{where} has no usable stderr ({err!r}); every point needs "
                                     "an uncertainty")
            unit = entry.get("unit")
            v = _efficiency_to_house(np.array([float(value), float(err)]), unit, per_field,
                                     rho_here, where)
            rows[kind].append((float(v[0]), float(v[1]), str(p), "/".join(path_)))
    ts = np.array(ts)
    order = np.argsort(ts, kind="stable")
    out = {}
    for kind, vals in rows.items():
        have = [v is not None for v in vals]
        if not any(have):
            continue
        if not all(have):
            missing = [str(paths[i]) for i, h in enumerate(have) if not h]
            raise ThicknessError(f"xi_e_{kind}/xi_{kind} missing from {missing}")
        y = np.array([vals[j][0] for j in order])
        e = np.array([vals[j][1] for j in order])
        out[kind] = Dataset(ts[order], y, e, x_name="thickness", y_name=f"xi_e_{kind}",
                            x_unit="nm", y_unit=XI_E_UNIT,
                            meta={"source": label or "summaries", "part": kind,
                                  "files": [vals[j][2] for j in order],
                                  "sections": [vals[j][3] for j in order],
                                  "resistivity": rho_used})
    if not out:
        raise ThicknessError(f"no xi_e_dl, xi_dl, xi_e_fl or xi_fl entries in {[str(x) for x in paths]}")
    return ThicknessSeries(out.get("dl"), out.get("fl"), rho_used, label or "summaries",
                           {"files": [str(paths[j]) for j in order],
                            "resistivity_source": "option" if resistivity is not None else
                            ("summary sample section" if rho_used is not None else None)})
