"""Sanity flags on reported quantities: one format for every summary.json.

A *quantity* in a summary is a dict ``{"value": ..., "stderr": ..., "unit": ...}``.
A check that finds something doubtful about it (a non-finite value, a parameter at a
bound, a reduced chi-square far above 1, two routes that disagree beyond 3 sigma, a
sign that contradicts the film type) attaches a reason to that quantity::

    {"value": 1e-7, "stderr": 3e-9, "unit": "", "flags": ["global and sequential routes differ by 12 sigma"]}

:func:`collect_flags` walks a whole summary, adds the generic checks (non-finite
values and standard errors) and returns the list written as the summary's top-level
``"flags"``: one entry ``{"quantity": "global.xi_fmr", "reason": "..."}`` per flag.
The command line prints that list and, with ``--strict``, exits with a nonzero status
when it is not empty.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "REDCHI_LIMIT",
    "SIGMA_LIMIT",
    "is_quantity",
    "add_flag",
    "flag_redchi",
    "flag_disagreement",
    "flag_mcmc",
    "collect_flags",
    "finalise_flags",
    "format_flags",
    "IMPLAUSIBLE",
    "oersted_mismatch",
    "oersted_opposed",
]

#: A reduced chi-square above this is flagged (errors understated or the model misses the data).
REDCHI_LIMIT = 5.0
#: Two estimates of one quantity further apart than this many combined standard errors are flagged.
SIGMA_LIMIT = 3.0


def is_quantity(obj: Any) -> bool:
    """True for a summary quantity ``{"value": ..., "unit": ...}``."""
    return isinstance(obj, Mapping) and "value" in obj and "unit" in obj


def add_flag(quantity: dict, reason: str) -> dict:
    """Attach ``reason`` to ``quantity["flags"]`` (once) and return the quantity."""
    flags = quantity.setdefault("flags", [])
    if reason not in flags:
        flags.append(reason)
    return quantity


def flag_redchi(quantities: Iterable[dict], redchi: float | None, what: str,
                limit: float = REDCHI_LIMIT) -> bool:
    """Flag every quantity of a fit whose reduced chi-square exceeds ``limit``.

    Parameters
    ----------
    quantities : iterable of dict
        The summary quantities that came from the fit.
    redchi : float or None
        The fit's reduced chi-square (dimensionless); ``None`` or NaN: nothing to check.
    what : str
        Name of the fit in the reason, e.g. ``"Kittel fit"``.
    limit : float
        Flag above this value.

    Returns
    -------
    bool
        Whether the quantities were flagged.
    """
    if redchi is None or not math.isfinite(redchi):
        return False
    if redchi <= limit:
        return False
    reason = (f"{what}: reduced chi-square {redchi:.3g} > {limit:g} (the model misses the data "
              "or the errors are understated; standard errors scaled by its square root)")
    for q in quantities:
        add_flag(q, reason)
    return True


def flag_disagreement(a: dict, b: dict, label_a: str, label_b: str,
                      limit: float = SIGMA_LIMIT) -> float | None:
    """Flag two estimates of one quantity that differ by more than ``limit`` standard errors.

    The distance is ``|a - b| / sqrt(sa^2 + sb^2)``; both quantities get the flag.
    Returns the distance in standard errors, or ``None`` when it cannot be formed.
    """
    try:
        va, vb = float(a["value"]), float(b["value"])
        sa, sb = float(a.get("stderr") or 0.0), float(b.get("stderr") or 0.0)
    except (TypeError, ValueError, KeyError):
        return None
    if not all(math.isfinite(x) for x in (va, vb, sa, sb)):
        return None
    s = math.hypot(sa, sb)
    if s == 0.0:
        return None
    z = abs(va - vb) / s
    if z > limit:
        add_flag(a, f"{label_a} and {label_b} differ by {z:.1f} sigma")
        add_flag(b, f"{label_b} and {label_a} differ by {z:.1f} sigma")
    return z


def flag_mcmc(quantities: Iterable[dict], diagnostics: Mapping | None,
              what: str = "MCMC") -> bool:
    """Flag every quantity summarised from a chain that did not converge.

    Parameters
    ----------
    quantities : iterable of dict
        The summary quantities taken from the chain (medians and percentiles).
    diagnostics : mapping or None
        :func:`sotfit.bayes.chain_diagnostics` output (``converged``, ``message``);
        ``None``: nothing to check.
    what : str
        Name of the sampling run in the reason.

    Returns
    -------
    bool
        Whether the quantities were flagged.
    """
    if not diagnostics or diagnostics.get("converged", True):
        return False
    reason = (f"{what} not converged, its medians and percentiles are not reliable: "
              f"{diagnostics.get('message', '')}")
    for q in quantities:
        add_flag(q, reason)
    return True


#: Reported quantities with a bound no measurement reaches: name -> (unit, largest magnitude,
#: why). Spin-orbit torque fields of a current are microtesla to tens of millitesla; the
#: largest dimensionless efficiencies reported are a few hundred (a magnetic topological
#: insulator at 1.9 K, Fan et al., Nat. Mater. 13, 699 (2014); seed 003 reports 0.51 for
#: CoTb/BiSb, against 0.35 for AuPt). The bounds
#: are far beyond these, so that only a unit read wrong passes them (a voltage of microvolts
#: read as volts makes a torque field of tens of tesla and an efficiency of 10^4-10^5).
IMPLAUSIBLE = {
    **{k: ("T", 5.0, "no current-induced torque field reaches 5 T (they are microtesla to "
                     "tens of millitesla)") for k in ("mu0_h_dl", "mu0_h_fl", "mu0_h_fl_oe")},
    **{k: ("", 1000.0, "no spin-orbit torque efficiency reaches 1000 (the largest reported are "
                       "a few hundred, in a magnetic topological insulator at 2 K)")
       for k in ("xi_dl", "xi_fl")},
    # a rectified ST-FMR voltage is microvolts to a millivolt: microvolts read as volts (a
    # LabVIEW .lvm of another program, whose unit the reader takes as V) gave V_s = 3 V, noted
    **{k: ("uV", 1e5, "no ST-FMR mixing voltage reaches 0.1 V (they are microvolts to a "
                      "millivolt)") for k in ("vs", "va", "vs_even", "va_even")},
}


#: The measured field-like plus Oersted field is doubted when it lies this many times below the
#: Oersted field of the current given (its upper 3-sigma bound), or above it (its lower bound).
#: How the reason of a flag on a value consistent with zero begins (the harmonic Hall gate);
#: the comparison with theory passes over it on the fields an Oersted-free ratio rests on.
ZERO_REASON = "consistent with zero"

OERSTED_RATIO = 100.0


def oersted_mismatch(quantities: Mapping) -> str | None:
    """Why the measured ``mu0_h_fl_oe`` of a summary section cannot be the field-like and
    Oersted fields of the current given (``mu0_h_oe``, computed from it), or None.

    A field-like field cancelling the Oersted field to within 1 %, or exceeding it a hundredfold,
    is not credible; a slip in the absolute scale is: Delta R 1000 times too large (500 Ohm for
    500 mOhm) or millivolts headed uV made every ST-FMR torque field 1000 times too small
    (xi_DL 7e-5 for 0.070), and a preamplifier gain of 100 left in the Hall second harmonic made
    mu0 (H_FL + H_Oe) 390 times the Oersted field (xi_FL = -59), both unflagged.

    """
    fl, oe = quantities.get("mu0_h_fl_oe"), quantities.get("mu0_h_oe")
    if not (is_quantity(fl) and is_quantity(oe)):
        return None
    try:
        v, h = abs(float(fl["value"])), abs(float(oe["value"]))
        e = float(fl.get("stderr") or 0.0)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(v) and math.isfinite(e) and math.isfinite(h)) or h == 0:
        return None
    if v + 3 * e < h / OERSTED_RATIO:
        where = f"{h / max(v, 1e-300):.3g} times below"
    elif v - 3 * e > h * OERSTED_RATIO:
        where = f"{v / h:.3g} times above"
    else:
        return None
    return (f"the measured field-like plus Oersted field |mu0_h_fl_oe| = {v * 1e3:.3g} mT is "
            f"{where} the Oersted field of the current given ({h * 1e3:.3g} mT): a field-like "
            f"field that cancels it to within 1 % or exceeds it {OERSTED_RATIO:g}-fold is not "
            "credible, a slip in the absolute scale is (a preamplifier gain, the voltage unit, "
            "Delta R, the current or the width); the ratio of the measured fields "
            "mu0_h_fl_oe/mu0_h_dl does not depend on it, but the Oersted-free field-like field "
            "and its ratios (mu0_h_fl/mu0_h_dl, xi_fl/xi_dl) do: they subtract the Oersted "
            "field computed from the current")


def oersted_opposed(quantities: Mapping) -> str | None:
    """Why the signs of an ST-FMR summary section's torques are doubted, or None: a measured
    ``mu0_h_fl_oe`` that opposes the Oersted field of the current given (``mu0_h_oe``), more
    than three standard errors from zero: a field-like field larger than the Oersted field and
    against it, or a reversal. Where the field-like field opposes the Oersted field and is
    smaller, a reversal gives this with the sum below the Oersted field (a wrong
    ``--nm-above`` gave xi_FL -0.089 for +0.015, the sum 0.7 times the Oersted field and
    against it, without a word before: only sums above the Oersted field were said), and
    xi_FMR and xi_DL then have opposite signs.

    A positive field along phi_H + 180 deg or a reversed voltage sign changes the sign of every
    torque and gives this where the field-like field is smaller than the Oersted field or aids
    it (xi_DL -0.090 for +0.090 and xi_FL +0.14 for -0.020, exit 0 under --strict); it does not
    show where the field-like field opposes the Oersted field and is smaller (a reversal then
    keeps both signs equal). A field-like field that large and against the Oersted field is
    also what thin films on Ta or W give (the measured Ta/CoFeB set: 14 times), which the data
    cannot tell from a reversal: ``sotfit stfmr`` writes it as a note, not a flag; harmonic Hall
    summaries, whose films are about 1 nm, do not use it.
    """
    fl, oe = quantities.get("mu0_h_fl_oe"), quantities.get("mu0_h_oe")
    if not (is_quantity(fl) and is_quantity(oe)):
        return None
    try:
        signed, oersted = float(fl["value"]), float(oe["value"])
        e = float(fl.get("stderr") or 0.0)
    except (TypeError, ValueError):
        return None
    v, h = abs(signed), abs(oersted)
    if not (math.isfinite(v) and math.isfinite(e) and math.isfinite(h)) or h == 0:
        return None
    if not (signed * oersted < 0 and v > 3 * e):
        return None
    return (f"the measured field-like plus Oersted field mu0_h_fl_oe = {signed * 1e6:.3g} uT "
            f"opposes the Oersted field of the current given ({oersted * 1e6:.3g} uT): the "
            f"field-like field would be {(v + h) / h:.2g} times the Oersted field and against "
            "it, and xi_FMR and xi_DL of opposite signs. A positive field along phi_H + 180 deg (the magnet's "
            "polarity), or the voltage's sign reversed (wiring, lock-in phase), changes the "
            "sign of every torque field and efficiency and gives this; so does a field-like "
            "torque that large (thin ferromagnets on Ta or W): check the field's polarity "
            "and the voltage's sign before reading the signs")


def _implausible(name, quantity) -> str | None:
    """Why a quantity named ``name`` is beyond :data:`IMPLAUSIBLE`, or None."""
    bound = IMPLAUSIBLE.get(name)
    if bound is None or quantity.get("unit") != bound[0]:
        return None
    try:
        value = float(quantity["value"])
    except (TypeError, ValueError):
        return None
    if not abs(value) > bound[1]:
        return None
    return (f"{name} = {value:.3g}{' ' + bound[0] if bound[0] else ''}: {bound[2]}; check the "
            "units of the voltages, the current and the resistances the torques are made of")


def _finite(x) -> bool:
    if x is None:
        return True
    if type(x) is float:
        return math.isfinite(x)
    if isinstance(x, (list, tuple)):
        return all(_finite(v) for v in x)
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


def _path(chain) -> str:
    """The dotted path of a chain (parent chain, piece) built by :func:`_collect`."""
    pieces = []
    while chain is not None:
        chain, piece = chain
        pieces.append(piece)
    text = ""
    for piece in reversed(pieces):
        text = (f"{text}[{piece}]" if isinstance(piece, int)
                else f"{text}.{piece}" if text else str(piece))
    return text


#: Types of the entries of a summary that hold no flags (most do not: checked first).
_LEAF_TYPES = frozenset({str, float, int, bool, type(None)})


def _depth(chain) -> int:
    """The number of pieces of a chain built by :func:`_collect`."""
    n = 0
    while chain is not None:
        chain, n = chain[0], n + 1
    return n


def _collect(obj, chain, out: list, seen: dict | None = None) -> None:
    """The flags of ``obj`` and everything below it, in document order, into ``out`` (the
    generic checks of :func:`collect_flags` added on the way); ``chain`` is the path as
    (parent chain, key or index), turned into text only for an entry that has flags.

    ``seen`` (given to list every quantity once) maps the id of every quantity met to its
    depth and its rows of ``out``: one quantity object under two keys (the top-level
    ``re_g_mix`` of a thickness summary is its first interface's) is then listed once, under
    the deeper path (the one naming the interface)."""
    if type(obj) is dict or isinstance(obj, Mapping):
        if seen is not None and "value" in obj and "unit" in obj and id(obj) in seen:
            depth, rows = seen[id(obj)]
            if rows and _depth(chain) > depth:
                path = _path(chain)
                for r in rows:
                    r["quantity"] = path
                seen[id(obj)] = (_depth(chain), rows)
            return
        if "value" in obj and "unit" in obj:                  # a quantity
            if not _finite(obj.get("value")):
                add_flag(obj, "value is not finite")
            elif not _finite(obj.get("stderr")):
                add_flag(obj, "standard error is not finite (the data do not determine it)")
            if chain is not None and (reason := _implausible(chain[1], obj)) is not None:
                add_flag(obj, reason)
            rows = []
            if obj.get("flags"):
                path = _path(chain)
                rows = [{"quantity": path, "reason": r} for r in obj["flags"]]
                out.extend(rows)
            if seen is not None:
                seen[id(obj)] = (_depth(chain), rows)
            return
        flags = obj.get("flags")
        if isinstance(flags, list) and flags:   # not a quantity but flagged (a spectrum left out)
            path = _path(chain)
            out.extend({"quantity": path, "reason": r} for r in flags)
        for k, v in obj.items():
            if type(v) not in _LEAF_TYPES and k != "flags" and isinstance(v, (Mapping, list)):
                _collect(v, (chain, str(k)), out, seen)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            if type(v) not in _LEAF_TYPES and isinstance(v, (Mapping, list)):
                _collect(v, (chain, i), out, seen)


def collect_flags(summary: Mapping, *, distinct: bool = False) -> list[dict[str, str]]:
    """Every flag of a summary, after adding the generic checks.

    Generic checks: a quantity whose value or standard error is not finite is flagged, and so is
    a torque field or efficiency beyond any measurement's (:data:`IMPLAUSIBLE`). Entries
    that are not quantities but carry a ``"flags"`` list (a spectrum left out of the fits) are
    collected too.
    With ``distinct``, a quantity that appears under two keys (one object: the top-level
    ``re_g_mix`` of a thickness summary is its first interface's) is listed once, under its
    deeper path (the terminal's list; ``summary.json`` names both keys).
    Returns ``[{"quantity": dotted.path, "reason": text}, ...]`` in document order.
    """
    out: list[dict[str, str]] = []
    _collect(summary, None, out, {} if distinct else None)
    return out


def finalise_flags(summary: dict) -> list[dict[str, str]]:
    """Run :func:`collect_flags` and store the list as ``summary["flags"]`` (returned)."""
    flags = collect_flags(summary)
    summary["flags"] = flags
    return flags


def format_flags(flags: list[dict[str, str]], limit: int = 20) -> str:
    """A few terminal lines listing the flags (at most ``limit``, then a count)."""
    if not flags:
        return "  flags: none"
    lines = [f"  flags ({len(flags)}):"]
    for f in flags[:limit]:
        lines.append(f"    {f['quantity']}: {f['reason']}")
    if len(flags) > limit:
        lines.append(f"    ... {len(flags) - limit} more in summary.json")
    return "\n".join(lines)
