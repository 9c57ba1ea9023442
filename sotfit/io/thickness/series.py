"""The thickness series and what both of its sources share: errors, unit conversion of
efficiencies (house unit 1e5 Ohm^-1 m^-1) and the check against a file given twice."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from ...data import Dataset
from ...models.sot import xi_e_from_xi
from ...units import UnitError, quantity, to_house

__all__ = ["ThicknessSeries", "ThicknessError", "check_distinct_files", "XI_E_UNIT"]

XI_E_UNIT = "1e5 Ohm^-1 m^-1"


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
    files with byte-identical content (:func:`sotfit.io.distinct_files.check_distinct_files`).

    Raises
    ------
    ThicknessError
        Naming both files.
    """
    from ..distinct_files import check_distinct_files as check

    check(paths, ThicknessError)


def _resistivity_text(text: str, where: str) -> float:
    try:
        return quantity(text.replace(" ", ""), "resistivity")
    except UnitError as exc:
        raise ThicknessError(f"{where}: cannot read the resistivity {text!r} ({exc})") from None


def _is_number(x) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def percent_suspicion(v, where: str) -> str | None:
    """Why dimensionless efficiencies ``v`` written without a unit may be percent, or None:
    values above 1 are rare (percent read as fractions: xi 1.7-8.7 gave sigma_s 178, theta_SH
    10.7, for a planted 3.33, without a word)."""
    largest = float(np.nanmax(np.abs(np.asarray(v, float)))) if np.size(v) else 0.0
    if largest <= 1.0:
        return None
    return (f"{where}: dimensionless efficiencies up to {largest:g}, read as fractions; if the "
            "column is in percent, label it (e.g. 'xi_dl (%)'), as values above 1 are rare; if "
            "they are fractions (topological insulators reach 1-3), label it 'xi_dl (1)'")


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
    else:
        reason = percent_suspicion(v, where)
        if reason:
            warnings.warn(reason, UserWarning, stacklevel=3)
    if rho is None:
        raise ThicknessError(f"{where} is the dimensionless xi = xi^E rho; the resistivity is "
                             "needed to convert it (option, 'resistivity' column or "
                             "'# resistivity:' header line)")
    return xi_e_from_xi(np.asarray(v, float), rho)


def joined_parts(series: Sequence[ThicknessSeries], labelled: bool) -> list[ThicknessSeries]:
    """Tables of one interface's damping-like and field-like data given apart (two sheets of a
    workbook, ``Fig3a DL`` and ``Fig3b FL``) joined into one series where they share a label
    given to both; a table of field-like data only beside one of damping-like data only, not
    so labelled, gets a note saying how to join them.

    Parameters
    ----------
    series : sequence of ThicknessSeries
        The series read, in the order of the files.
    labelled : bool
        Whether the labels were given (``--label``), not taken from the files.

    Returns
    -------
    list of ThicknessSeries
        The series, a joined pair in the place of its first table.

    Raises
    ------
    ThicknessError
        Two tables of one label that are not one with DL data only and one with FL data only,
        or whose resistivities differ (the model takes one bulk value per interface).

    Notes
    -----
    Read apart, the two tables were fitted as two interfaces: the DL table's with Im G held
    at 0 (no FL data), the FL table's with its own G, a G from each half of the data.
    """
    out: list[ThicknessSeries] = list(series)
    if labelled:
        by_label: dict[str, list[int]] = {}
        for i, s in enumerate(out):
            by_label.setdefault(s.label, []).append(i)
        for label, where in by_label.items():
            if len(where) != 2:
                continue
            a, b = (out[i] for i in where)
            if not (a.fl is None and b.dl is None or a.dl is None and b.fl is None):
                continue            # not DL alone beside FL alone: the labels' own check says
            dl, fl = (a, b) if a.dl is not None else (b, a)
            if (dl.resistivity is None) != (fl.resistivity is None) or (
                    dl.resistivity is not None
                    and not math.isclose(dl.resistivity, fl.resistivity, rel_tol=1e-3)):
                raise ThicknessError(
                    f"{dl.meta.get('source')} (DL) and {fl.meta.get('source')} (FL), labelled "
                    f"{label!r} as one interface, give resistivities {dl.resistivity} and "
                    f"{fl.resistivity} uOhm cm; the model takes one bulk value per interface "
                    "(--rho gives it)")
            notes = (*dl.meta.get("reader_notes", ()),
                     *(f"{fl.meta.get('source')}: {n}" for n in fl.meta.get("reader_notes", ())),
                     f"the DL data of {dl.meta.get('source')} and the FL data of "
                     f"{fl.meta.get('source')} read as one interface, {label!r} (one label "
                     "given to both)")
            joined = ThicknessSeries(dl.dl, fl.fl, dl.resistivity, label, {
                **dl.meta, "sources": (dl.meta.get("source"), fl.meta.get("source")),
                "reader_notes": notes})
            first, second = sorted(where)
            out[first] = joined
            del out[second]
            return joined_parts(out, labelled)
    dl_only = [s for s in out if s.fl is None]
    fl_only = [s for s in out if s.dl is None]
    if len(dl_only) == 1 and len(fl_only) == 1:
        s, other = fl_only[0], dl_only[0]
        said = (f"this table holds field-like data only and {other.meta.get('source')} "
                "damping-like data only: they are fitted as two interfaces (that one's Im G "
                "held at 0); if they are one interface's, give both one label (--label NAME "
                "--label NAME)")
        k = out.index(s)
        out[k] = ThicknessSeries(s.dl, s.fl, s.resistivity, s.label, {
            **s.meta, "reader_notes": (*s.meta.get("reader_notes", ()), said)})
    return out
