"""The result of a harmonic Hall method: :class:`HallResult`, its units and the analysis error."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...models.harmonic_hall import HALL_MODELS, TEXTBOOK_MODELS
from ...units import TORQUE_QUANTITY_UNITS

#: Units of the parameters of the harmonic Hall models, by name.
_MODEL_UNITS = {p.name: p.unit for m in (*HALL_MODELS.values(), *TEXTBOOK_MODELS) for p in m.params}


#: Units of the reported quantities: the torque quantities as every method reports them, the
#: fitted parameters as the harmonic Hall models define them.
UNITS = {**{k: TORQUE_QUANTITY_UNITS[k] for k in ("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl", "mu0_h_oe",
                                                   "xi_e_dl", "xi_e_fl", "xi_dl", "xi_fl",
                                                   "e_field")},
         **{k: _MODEL_UNITS[k] for k in ("r_ane", "r_one", "r_ahe", "r_phe", "mu0_h_ip", "ip_axis",
                                         "phi0", "d_dl", "k_fl", "tilt_x", "tilt_y", "theta0")},
         "mu0_hk_eff": _MODEL_UNITS["mu0_hk"], "slope_combination": _MODEL_UNITS["p_torque"]}


class HallAnalysisError(ValueError):
    """Data that a method cannot analyse (too few fields, never saturated, wrong scan type)."""


@dataclass(frozen=True)
class HallResult:
    """Outcome of one harmonic Hall method.

    Attributes
    ----------
    method : str
    quantities : dict of str to uncertainties value (or float)
        Stable names (``mu0_h_dl``, ``mu0_h_fl_oe``, ``r_ane``, ...); units in :data:`UNITS`.
    table : list of dict
        One row per scan (field, fitted coefficients, included or not).
    excluded : list of dict
        ``{"field": T, "source": file, "reason": str}`` for each scan left out (``field`` None
        for a field sweep).
    notes : list of str
        Assumptions and warnings (e.g. a textbook formula known to be biased here).
    fits : dict
        The underlying :class:`~sotfit.results.FitResult` objects (for plots).
    flags : dict of str to list of str
        Sanity gates that failed, per quantity (docs/hall.md, "Sanity gates"): the reasons are
        attached to the quantity in :meth:`summary` (format of :mod:`sotfit.flags`).
    """

    method: str
    quantities: dict
    table: list = field(default_factory=list)
    excluded: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    fits: dict = field(default_factory=dict)
    flags: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """JSON-ready: every quantity as {"value", "stderr", "unit"} (with ``"flags"`` when a
        sanity gate failed; quantities computed from a flagged one inherit its flags), the
        correlations of the field-like and damping-like pairs
        (:func:`sotfit.results.pair_correlations`), exclusions and notes."""
        from ...flags import add_flag, oersted_mismatch
        from ...results import pair_correlations, quantity_dict

        quantities = {k: quantity_dict(v, UNITS.get(k, "")) for k, v in self.quantities.items()}
        for k, reasons in self.flags.items():
            if k in quantities:
                for r in reasons:
                    add_flag(quantities[k], r)
        reason = oersted_mismatch(quantities)
        if reason:
            for k in ("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl"):
                if k in quantities:
                    add_flag(quantities[k], reason)
        for base, derived in _DERIVED.items():
            for r in quantities.get(base, {}).get("flags", []):
                for d in derived:
                    if d in quantities:
                        add_flag(quantities[d], f"from {base}: {r}")
        out = {"method": self.method, "quantities": quantities}
        corr = pair_correlations(self.quantities)
        if corr:    # the FL/DL ratio's error needs them (sotfit theory compare reads them)
            out["correlations"] = corr
        return {**out, "excluded": list(self.excluded), "notes": list(self.notes)}

    def report(self) -> str:
        lines = [f"harmonic Hall, method {self.method}:"]
        for k, v in self.quantities.items():
            n = float(getattr(v, "nominal_value", v))
            s = getattr(v, "std_dev", None)
            mark = "  [flagged]" if self.flags.get(k) else ""
            # a value given to the method (--meff, --r-ahe) is no result: no '+/- 0'; the
            # Oersted field is computed from values given (the current, the width)
            err = COMPUTED.get(k, "(given)") if not s else f"+/- {float(s):.2g}"
            unit = UNITS.get(k, "")
            text = (f"{n:.5g} {unit} {err}" if not s else f"{n:.5g} {err} {unit}").rstrip()
            lines.append(f"  {k:>14s} = {text}{mark}")
        for e in self.excluded:
            where = "sweep" if e.get("field") is None else f"{e['field']:.4g} T"
            lines.append(f"  excluded {where} ({e['source']}): {e['reason']}")
        for n in self.notes:
            lines.append(f"  note: {n}")
        return "\n".join(lines)


#: How the report marks a quantity without a standard error that is computed from values given
#: rather than given itself.
COMPUTED = {"mu0_h_oe": "(computed from the current, its fraction in the spin source and the width)"}

#: Quantities computed from another (Oersted field removed, efficiencies): they inherit its flags.
_DERIVED = {"mu0_h_dl": ("xi_e_dl", "xi_dl"), "mu0_h_fl_oe": ("mu0_h_fl",),
            "mu0_h_fl": ("xi_e_fl", "xi_fl")}
