"""Harmonic Hall analysis: four methods and the conversion to torque efficiencies.

(a) :func:`avci`      in-plane field rotation (Avci et al., PRB 90, 224427 (2014));
(b) :func:`hayashi`   field sweeps of a perpendicular film with the planar-Hall correction
                      (Hayashi et al., PRB 89, 144425 (2014));
(c) :func:`angular`   out-of-plane rotation (seed 003_010c0338986411e7.txt, main text, Fig. 5);
(d) :func:`macrospin` global fit of all scans with the macrospin model of
                      :mod:`sotfit.models.harmonic_hall` (least squares, optionally emcee).

All signs follow docs/CONVENTIONS.md and docs/hall.md: current along +x, sigma = +y,
damping-like field mu0_h_dl (m x sigma), field-like (+ Oersted) mu0_h_fl along sigma, both at
the peak current; R_xy = R_AHE m_z + R_PHE sin^2(theta) sin(2phi); R_2w = (1/2) dR_xy
- r_ane m_x - r_one B_x. Every method returns a :class:`HallResult` whose ``quantities`` carry
standard uncertainties and whose ``excluded`` list names each field left out and why.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from uncertainties import ufloat

from ..checks import absurd, check_fields, check_names
from ..data import Dataset
from ..fitting import FitWarning, fit, fit_global
from ..io.hall import HallScan
from ..models import efficiency
from ..models.harmonic_hall import (HALL_MODELS, avci_cos_field, avci_fl_field, avci_r1w, avci_r2w,
                                    hall_line, hall_parabola)
from ..units import MU_0

__all__ = ["HallResult", "HallAnalysisError", "MACROSPIN_PARAMETERS", "Sample", "avci", "hayashi",
           "angular", "macrospin", "pma_methods",
           "sample_macrospin",
           "efficiencies", "oersted_field"]

UNITS = {"mu0_h_dl": "T", "mu0_h_fl_oe": "T", "mu0_h_fl": "T", "mu0_h_oe": "T", "r_ane": "Ohm",
         "r_one": "Ohm/T", "r_ahe": "Ohm", "r_phe": "Ohm", "mu0_hk_eff": "T", "mu0_h_ip": "T",
         "phi0": "deg", "xi_e_dl": "1e5 Ohm^-1 m^-1", "xi_e_fl": "1e5 Ohm^-1 m^-1",
         "xi_dl": "", "xi_fl": "", "d_dl": "Ohm T", "k_fl": "Ohm T", "slope_combination": "Ohm T",
         "tilt_x": "deg", "tilt_y": "deg", "theta0": "deg", "e_field": "V/m"}


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
        sanity gate failed; quantities computed from a flagged one inherit its flags) plus
        exclusions and notes."""
        from ..flags import add_flag
        from ..results import quantity_dict

        quantities = {k: quantity_dict(v, UNITS.get(k, "")) for k, v in self.quantities.items()}
        for k, reasons in self.flags.items():
            if k in quantities:
                for r in reasons:
                    add_flag(quantities[k], r)
        for base, derived in _DERIVED.items():
            for r in quantities.get(base, {}).get("flags", []):
                for d in derived:
                    if d in quantities:
                        add_flag(quantities[d], f"from {base}: {r}")
        return {"method": self.method, "quantities": quantities,
                "excluded": list(self.excluded), "notes": list(self.notes)}

    def report(self) -> str:
        lines = [f"harmonic Hall, method {self.method}:"]
        for k, v in self.quantities.items():
            n, s = float(getattr(v, "nominal_value", v)), float(getattr(v, "std_dev", 0.0))
            mark = "  [flagged]" if self.flags.get(k) else ""
            lines.append(f"  {k:>14s} = {n:.5g} +/- {s:.2g} {UNITS.get(k, '')}{mark}")
        for e in self.excluded:
            where = "sweep" if e.get("field") is None else f"{e['field']:.4g} T"
            lines.append(f"  excluded {where} ({e['source']}): {e['reason']}")
        for n in self.notes:
            lines.append(f"  note: {n}")
        return "\n".join(lines)


#: Quantities computed from another (Oersted field removed, efficiencies): they inherit its flags.
_DERIVED = {"mu0_h_dl": ("xi_e_dl", "xi_dl"), "mu0_h_fl_oe": ("mu0_h_fl",),
            "mu0_h_fl": ("xi_e_fl", "xi_fl")}
#: The torque fields whose sign the zero-consistency gate checks.
_TORQUES = ("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl")
#: A torque field within this many standard errors of zero has no determined sign (flagged).
ZERO_SIGMAS = 2.0


def _flag(flags: dict, names, reason: str) -> None:
    """Record ``reason`` for each quantity in ``names`` (once)."""
    for n in names:
        lst = flags.setdefault(n, [])
        if reason not in lst:
            lst.append(reason)


#: Probability of a correct model with correct errors exceeding the reduced chi-square limit.
REDCHI_FALSE_ALARM = 1e-3


def _flag_redchi(flags: dict, names, fit, what: str) -> None:
    """:func:`sotfit.flags.flag_redchi` on the quantities ``names`` of one weighted fit.

    The limit is :data:`sotfit.flags.REDCHI_LIMIT`, raised for few degrees of freedom to the value
    a correct model exceeds with probability :data:`REDCHI_FALSE_ALARM` (chi-square distribution):
    with 2 degrees of freedom a reduced chi-square above 5 happens by chance 0.7 % of the time.
    """
    from scipy.stats import chi2

    from ..flags import REDCHI_LIMIT, flag_redchi

    dof = fit.ndata - fit.nvarys
    if dof < 1:
        return
    limit = max(REDCHI_LIMIT, float(chi2.isf(REDCHI_FALSE_ALARM, dof)) / dof)
    stand_in = {}
    if flag_redchi([stand_in], fit.redchi, f"{what} ({dof} degrees of freedom)", limit=limit):
        _flag(flags, names, stand_in["flags"][0])


def _flag_disagreement(flags: dict, names, a, b, label_a: str, label_b: str) -> float | None:
    """:func:`sotfit.flags.flag_disagreement` of two estimates ``a``, ``b`` (ufloats) of the
    quantities ``names`` (their combination); returns the distance in standard errors."""
    from ..flags import flag_disagreement

    qa = {"value": _nominal(a), "stderr": float(getattr(a, "std_dev", 0.0))}
    qb = {"value": _nominal(b), "stderr": float(getattr(b, "std_dev", 0.0))}
    z = flag_disagreement(qa, qb, label_a, label_b)
    for reason in qa.get("flags", []):
        _flag(flags, names, reason)
    return z


def _undetermined() -> "ufloat":
    """A quantity the data do not determine: 0 with a standard error that is not a number."""
    return ufloat(0.0, math.nan)


def _zero_gate(q: dict, flags: dict) -> None:
    """Flag torque fields consistent with zero (|value| < ZERO_SIGMAS standard errors)."""
    for k in _TORQUES:
        v = q.get(k)
        if v is None or not hasattr(v, "std_dev"):
            continue
        n, s = float(v.nominal_value), float(v.std_dev)
        if math.isfinite(s) and s > 0 and abs(n) < ZERO_SIGMAS * s:
            _flag(flags, [k], f"consistent with zero ({n:.3g} +/- {s:.2g}, within {ZERO_SIGMAS:g} "
                              "standard errors): the data do not determine its sign")


def _no_signal(s, harmonic: str = "r2w"):
    """The reader's reason when the scan's ``harmonic`` column is constant (not recorded), else None."""
    return s.meta.get("no_signal", {}).get(harmonic)


def _at_bounds(fit) -> list:
    """``(name, lo, hi)`` of the varied parameters of a FitResult at (or numerically at) a bound."""
    bounds = {}
    for m, pmap in zip(fit.models, fit.param_maps):
        for k, n in pmap.items():
            bounds.setdefault(n, m.param(k).bounds)
    out = []
    for n in fit.varied:
        lo, hi = bounds.get(n, (-np.inf, np.inf))
        v = fit.value(n)
        if (np.isfinite(lo) and np.isclose(v, lo)) or (np.isfinite(hi) and np.isclose(v, hi)):
            out.append((n, lo, hi))
    return out


@dataclass(frozen=True)
class Sample:
    """What the conversion to efficiencies needs (house units; None when unknown).

    Attributes
    ----------
    current_peak : float
        Peak current amplitude I0 in mA (the torque fields refer to it).
    t_fm, t_nm : float
        Ferromagnet and spin-source thicknesses in nm.
    width : float
        Channel width in nm (house length unit).
    mu0_ms : float
        mu0*Ms in T.
    resistivity : float
        Resistivity of the spin-source layer in uOhm cm.
    current_fraction : float
        Fraction of the current flowing in the spin-source layer.
    stack : str
        'nm_below' (spin source below the ferromagnet, the house geometry) or 'nm_above'.

    Raises
    ------
    ValueError
        For a value no sample can have, naming the field: a thickness, width, resistivity or
        mu0*Ms that is not finite and > 0 (or beyond 1 m, 100 T), a current that is 0, not
        finite or beyond 10 A, a current fraction outside (0, 1], an unknown stack.
    """

    current_peak: float | None = None
    t_fm: float | None = None
    t_nm: float | None = None
    width: float | None = None
    mu0_ms: float | None = None
    resistivity: float | None = None
    current_fraction: float | None = None
    stack: str = "nm_below"

    def __post_init__(self):
        check_fields(self, _SAMPLE_DOMAINS, _SAMPLE_UNITS)
        if self.stack not in ("nm_below", "nm_above"):
            raise ValueError(f"Sample.stack must be 'nm_below' or 'nm_above', got {self.stack!r}")


_SAMPLE_UNITS = {"current_peak": "mA", "t_fm": "nm", "t_nm": "nm", "width": "nm", "mu0_ms": "T",
                 "resistivity": "uOhm cm", "current_fraction": ""}
#: Domains of the Sample fields (keywords of :func:`sotfit.checks.check_number`).
_SAMPLE_DOMAINS = {
    "current_peak": {"nonzero": True, **absurd("current")},
    "t_fm": {"positive": True, **absurd("length")},
    "t_nm": {"positive": True, **absurd("length")},
    "width": {"positive": True, **absurd("length")},
    "mu0_ms": {"positive": True, **absurd("field")},
    "resistivity": {"positive": True}, "current_fraction": {"positive": True, "maximum": 1.0},
}


def oersted_field(sample: Sample):
    """Oersted field on the ferromagnet along sigma = +y, in T, at the peak current.

    Thin-sheet limit mu0 K / 2 with K = f I0 / w the sheet current of the spin-source layer;
    for current along +x and the spin source below the ferromagnet the field on the
    ferromagnet points along -y (Ampere's law), so the returned value is negative.
    """
    if None in (sample.current_peak, sample.current_fraction, sample.width):
        return None
    k = sample.current_fraction * sample.current_peak * 1e-3 / (sample.width * 1e-9)  # A/m
    sign = -1.0 if sample.stack == "nm_below" else 1.0
    return sign * MU_0 * k / 2


def efficiencies(quantities: dict, sample: Sample | None, notes: list) -> dict:
    """Add mu0_h_fl (Oersted removed), xi_e_dl/xi_e_fl and xi_dl/xi_fl where the sample allows.

    xi^E = (2e/hbar) mu0 Ms t_F H / E with E = rho f I0 / (w t_NM) (seed 003, definition after
    eq. (2)); xi = xi^E rho. Uncertainties propagate from the fields (sample values exact).
    """
    out = dict(quantities)
    if sample is None:
        return out
    oe = oersted_field(sample)
    if oe is not None and "mu0_h_fl_oe" in out:
        out["mu0_h_oe"] = oe
        out["mu0_h_fl"] = out["mu0_h_fl_oe"] - oe
    elif "mu0_h_fl_oe" in out:
        notes.append("Oersted field not removed: give the current, the current fraction in the "
                     "spin-source layer and the width")
    need = (sample.current_peak, sample.current_fraction, sample.width, sample.t_nm,
            sample.resistivity, sample.mu0_ms, sample.t_fm)
    if None in need:
        notes.append("efficiencies not computed: need current, current fraction, width, t_nm, "
                     "resistivity, mu0*Ms and t_fm")
        return out
    j = sample.current_fraction * sample.current_peak * 1e-3 / (sample.width * 1e-9 * sample.t_nm * 1e-9)
    e = efficiency.electric_field(j, sample.resistivity)
    out["e_field"] = e
    for key, name in (("mu0_h_dl", "dl"), ("mu0_h_fl", "fl")):
        if key in out:
            xe = efficiency.xi_e_from_field(out[key], sample.mu0_ms, sample.t_fm, e)
            out[f"xi_e_{name}"] = xe
            out[f"xi_{name}"] = efficiency.xi_from_xi_e(xe, sample.resistivity)
    return out


def _u(res, name, birge=False):
    v, s = res.value(name), res.stderr(name)
    if birge and res.redchi > 1:
        s *= math.sqrt(res.redchi)
    return ufloat(v, s, name)


def _nominal(v):
    return float(getattr(v, "nominal_value", v))


def _ub(res, name):
    """``res[name]`` keeping its correlations with the other parameters of the fit, its deviation
    scaled by sqrt(reduced chi-square) when that exceeds 1 (Birge)."""
    v = res[name]
    if res.redchi > 1 and hasattr(v, "nominal_value"):
        v = v.nominal_value + math.sqrt(res.redchi) * (v - v.nominal_value)
    return v


def _fit_quiet(data, model, **kw):
    """:func:`sotfit.fitting.fit` with its warnings returned as text.

    A fit whose varied parameters all enter the model linearly is solved exactly (linear least
    squares on equilibrated columns, covariance from the same decomposition, scaled by the
    reduced chi-square when the data carry no errors, as the iterative fit does): its numbers do
    not depend on where an iteration stopped, so rows in another order or every voltage negated
    give the same result to rounding (tests/test_hall_metamorphic.py).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitWarning)
        r = fit(data, model, **kw)
    msgs = [str(w.message) for w in caught]
    exact = _linear_solution(data, model, kw, r)
    return (exact if exact is not None else _polish(r)), msgs


#: Gauss-Newton polishing of a converged fit (:func:`_polish`): at most this many steps, ending when
#: every step is below POLISH_TOL standard errors.
POLISH_STEPS = 6
POLISH_TOL = 1e-9


def _polish(r, max_steps: int = POLISH_STEPS):
    """The optimum of a converged nonlinear fit, made reproducible: Gauss-Newton steps with a
    central-difference Jacobian from lmfit's end point until the step is below POLISH_TOL standard
    errors, and the covariance from that Jacobian (scaled by the reduced chi-square when the data
    carry no errors, as lmfit does).

    lmfit (MINPACK) stops where its relative tolerances (1.5e-8) are met, so a rewritten but
    equivalent input (rows in another order, every voltage negated) can end 1e-8 of a value (or
    more, with correlated parameters) away; the polished optimum moves only by rounding. A fit
    without a covariance, with a parameter at a bound, or whose steps do not lower chi-square is
    returned unchanged.
    """
    import dataclasses

    from uncertainties import correlated_values

    if r.covar is None or not r.varied or not np.all(np.isfinite(r.covar)):
        return r
    names = list(r.varied)
    vals = {k: _nominal(v) for k, v in r.params.items()}
    bounds = {}
    for m, pmap in zip(r.models, r.param_maps):
        for k, n in pmap.items():
            bounds.setdefault(n, m.param(k).bounds)
    p0 = np.array([vals[n] for n in names])
    sd = np.sqrt(np.diag(r.covar))
    if not np.all(sd > 0):
        return r
    for n, v in zip(names, p0):
        lo, hi = bounds.get(n, (-np.inf, np.inf))
        if (np.isfinite(lo) and np.isclose(v, lo)) or (np.isfinite(hi) and np.isclose(v, hi)):
            return r

    def resid(p):
        v = dict(vals)
        v.update(zip(names, p))
        out = []
        for d, m, pmap in zip(r.datasets, r.models, r.param_maps):
            inputs = {k: d.meta[k] for k in m.inputs}
            res = m.func(d.x, **{k: v[n] for k, n in pmap.items()}, **inputs) - d.y
            out.append(res / d.yerr if d.yerr is not None else res)
        return np.concatenate(out)

    h = np.maximum(np.maximum(1e-2 * sd, 1e-9 * np.abs(p0)), 1e-300)

    def jac(p):
        cols = []
        for j in range(p.size):
            e = np.zeros_like(p)
            e[j] = h[j]
            cols.append((resid(p + e) - resid(p - e)) / (2 * h[j]))
        return np.column_stack(cols)

    try:
        with np.errstate(all="ignore"):
            p, f = p0.copy(), resid(p0)
            chi = float(f @ f)
            jm = jac(p)
            for _ in range(max_steps):
                scale = np.sqrt(np.sum(jm * jm, axis=0))
                if not (np.all(np.isfinite(jm)) and np.all(np.isfinite(f))) or np.any(scale == 0):
                    return r
                step = np.linalg.lstsq(jm / scale, -f, rcond=None)[0] / scale
                pn = p + step
                fn = resid(pn)
                chin = float(fn @ fn)
                if not np.isfinite(chin) or chin > chi * (1 + 1e-12):
                    break          # at the optimum to rounding: lmfit's end point stays
                p, f, chi = pn, fn, chin
                jm = jac(p)
                if np.all(np.abs(step) <= POLISH_TOL * sd):
                    break
            scale = np.sqrt(np.sum(jm * jm, axis=0))
            u, sv, vt = np.linalg.svd(jm / scale, full_matrices=False)
    except Exception:  # noqa: BLE001 - a model failing away from lmfit's optimum: keep lmfit's result
        return r
    if sv[-1] <= sv[0] * 1e-15:
        return r
    cov = (vt.T / sv ** 2) @ vt / np.outer(scale, scale)
    n, k = f.size, p.size
    redchi = chi / (n - k) if n > k else float("nan")
    if r.errors_scaled:
        cov = cov * redchi
    for j, nme in enumerate(names):
        lo, hi = bounds.get(nme, (-np.inf, np.inf))
        if not lo <= p[j] <= hi:
            return r
    params = dict(r.params)
    params.update(zip(names, correlated_values(list(map(float, p)), cov, tags=names)))
    ln = n * math.log(chi / n) if chi > 0 else -math.inf
    return dataclasses.replace(r, params=params, covar=cov, chisqr=chi, redchi=redchi,
                               aic=ln + 2 * k, bic=ln + math.log(n) * k)


def _linear_solution(data, model, kw, r):
    """The fit ``r`` redone by linear least squares when every varied parameter enters ``model``
    linearly (the others at the values ``r`` holds them); None otherwise."""
    import dataclasses

    from uncertainties import correlated_values

    varied = list(r.varied)
    # the polynomials are linear in every coefficient (their specs list the ones varied by default)
    linear = set(model.param_names) if model in (hall_parabola, hall_line) else set(model.linear)
    if not varied or not set(varied) <= linear or r.covar is None:
        return None
    x, y = np.asarray(data.x, float), np.asarray(data.y, float)
    inputs = {k: data.meta[k] for k in model.inputs}
    held = {k: _nominal(v) for k, v in r.params.items()}
    base = model.func(x, **{**held, **{k: 0.0 for k in varied}}, **inputs)
    cols = [model.func(x, **{**held, **{k: float(k == v) for k in varied}}, **inputs) - base
            for v in varied]
    a, b = np.column_stack(cols), y - base
    if data.yerr is not None:
        a, b = a / np.asarray(data.yerr, float)[:, None], b / np.asarray(data.yerr, float)
    n, k = a.shape
    if n <= k or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return None
    scale = np.sqrt(np.sum(a * a, axis=0))
    if np.any(scale == 0):
        return None
    u, sv, vt = np.linalg.svd(a / scale, full_matrices=False)
    if sv[-1] <= sv[0] * 1e-13:
        return None
    sol = (vt.T @ ((u.T @ b) / sv)) / scale
    chisqr = float(np.sum((b - a @ sol) ** 2))
    redchi = chisqr / (n - k)
    cov = (vt.T / sv ** 2) @ vt / np.outer(scale, scale)
    if r.errors_scaled:
        cov = cov * redchi
    params = dict(r.params)
    params.update(zip(varied, correlated_values(list(map(float, sol)), cov, tags=varied)))
    ln = n * math.log(chisqr / n) if chisqr > 0 else -math.inf
    return dataclasses.replace(r, params=params, covar=cov, chisqr=chisqr, redchi=redchi,
                               aic=ln + 2 * k, bic=ln + math.log(n) * k)


def _field_notes(scans, notes, threshold=0.05):
    """Note scans whose field is uncertain by more than ``threshold`` (e.g. a magnet calibration
    whose trials disagree at low current): the 1/H laws and the global fit are sensitive to it."""
    bad = [(s.meta["field"], s.meta.get("field_stderr", 0.0)) for s in scans
           if s.meta.get("field") and s.meta.get("field_stderr", 0.0) > threshold * abs(s.meta["field"])]
    if bad:
        notes.append("field uncertain by more than 5 % (calibration) at " + ", ".join(
            f"{b * 1e3:.3g} +/- {e * 1e3:.2g} mT" for b, e in bad) + ": results leaning on these fields "
            "inherit that systematic error (not included in the standard errors)")


def _check_scans(scans, kind, method):
    scans = list(scans)
    if not scans:
        raise HallAnalysisError(f"method {method}: no scans given")
    for s in scans:
        if not isinstance(s, HallScan):
            raise TypeError(f"method {method} takes HallScan objects (sotfit.io.hall.read_hall_table)")
        if s.scan != kind:
            raise HallAnalysisError(f"method {method} needs {kind} scans; {s.source} is a {s.scan} scan")
        _require_first_harmonic(s, method)
    return scans


def _require_first_harmonic(s, method):
    """Every method needs the first harmonic (angles of m, R_AHE, R_PHE): a constant one is refused."""
    reason = _no_signal(s, "r1w")
    if reason:
        raise HallAnalysisError(f"method {method}: {s.source}: {reason}; the first harmonic is needed")


# ------------------------------------------------------------------ (a) Avci
def _phi0_branch(phi0: float, r_phe: float) -> tuple[float, float]:
    """The same R_PHE sin 2(phi - phi0) with phi0 in [-45, 45) deg: each 90 deg turn of phi0
    flips the sign of R_PHE, each 180 deg leaves it (R_PHE keeps the sign of the wiring)."""
    k = math.floor((phi0 + 45.0) / 90.0)
    return phi0 - 90.0 * k, r_phe * (-1.0) ** k


def avci(scans: Sequence[HallScan], *, mu0_hk=None, r_ahe=None, include_one: bool = False,
         max_lag: float = 0.01, min_phe_fraction: float = 0.97, sample: Sample | None = None,
         ) -> HallResult:
    """In-plane rotation method (Avci et al., PRB 90, 224427 (2014), eq. (3)).

    At each field, R_1w(phi) = R_PHE sin 2(phi - phi0) + offset gives R_PHE and the angle
    offset phi0 (transferred to R_2w); R_2w(phi) = a_cos cos(phi) + a_fl (2cos^3 phi - cos phi)
    + offset. Then a_fl(H) = R_PHE mu0(H_FL + H_Oe)/(mu0 H) and
    a_cos(H) = R_AHE mu0H_DL / (2 (mu0H - mu0H_K,eff)) - r_ane [- r_one mu0H].

    The textbook formula assumes m follows the field in the plane. This function checks it
    scan by scan and excludes (with the reason) fields where it fails:

    * the 4phi distortion of R_1w shows m lagging the field by more than ``max_lag`` rad,
      by more than twice its standard error. For an in-plane anisotropy H_ip the angle between
      m and the field is -(H_ip/2H) sin 2(phi - axis) to first order, so R_1w = R_PHE sin 2phi_M
      gets a 4phi part of amplitude a4 = R_PHE H_ip/(2H) and the largest lag is a4/R_PHE. The
      in-plane restoring field then varies by +-H_ip = +-2 lag H around the circle, and the
      1/H law of a_fl is biased by a fraction of order 2 lag;
    * R_PHE is below ``min_phe_fraction`` of its largest value over the fields (m not in
      plane: a perpendicular film below its anisotropy field);
    * for a perpendicular film (``mu0_hk`` > 0), mu0H < 1.05 mu0H_K,eff.

    Parameters
    ----------
    scans : sequence of HallScan
        phi scans at two or more fields (three or more for uncertainties of H_DL).
    mu0_hk : float, optional
        Effective perpendicular anisotropy field in T (negative: -mu0*Meff of an in-plane film).
        Needed for H_DL.
    r_ahe : float, optional
        Anomalous Hall resistance in Ohm (measured separately). Needed for H_DL.
    include_one : bool
        Fit an ordinary Nernst term linear in H in a_cos (needs four or more fields).
    max_lag : float
        Largest tolerated lag of m behind the field in rad (default 0.01: 1/H law biased by
        about 2 %).
    min_phe_fraction : float
        Exclusion threshold on R_PHE relative to its largest value (see above).
    sample : Sample, optional
        For the Oersted field and the efficiencies.

    Returns
    -------
    HallResult
        ``mu0_h_fl_oe``, ``r_phe``, ``phi0`` and, with ``mu0_hk`` and ``r_ahe``, ``mu0_h_dl`` and
        ``r_ane`` (plus ``mu0_h_fl``, ``xi_*`` when the sample allows).
    """
    scans = _check_scans(scans, "phi", "(a) avci")
    fields = np.array([s.meta["field"] for s in scans])
    if len(np.unique(np.round(np.abs(fields), 12))) < 2:
        raise HallAnalysisError(
            f"method (a) separates the torques by their field dependence and needs scans at two or "
            f"more field magnitudes (three or more for uncertainties); got only {np.unique(fields)} T "
            f"from {[s.source for s in scans]}")
    notes, excluded, rows, fits = [], [], [], {}
    _field_notes(scans, notes)
    first = []
    for s in scans:
        r1, msg = _fit_quiet(s.r1w, avci_r1w)
        # R_PHE sin 2(phi - phi0) = -R_PHE sin 2(phi - phi0 - 90 deg): the sign of R_PHE is a
        # convention of the wiring, the angle offset is not. Keep phi0 within +-45 deg (the branch
        # nearest to the angle reading), R_PHE with the sign that goes with it: phi0 is applied to
        # the second harmonic, whose cos(phi - phi0) a 90 deg turn would make a sin.
        p0, rp = _phi0_branch(r1.value("phi0"), r1.value("r_phe"))
        if p0 != r1.value("phi0"):
            r1, msg = _fit_quiet(s.r1w, avci_r1w, init={"r_phe": rp, "phi0": p0})
        first.append(r1)
        fits[f"r1w:{s.source}"] = r1
        notes.extend(msg)
    rphe_signed = np.array([r.value("r_phe") for r in first])
    rphe = np.abs(rphe_signed)
    rphe_err = np.array([r.stderr("r_phe") for r in first])
    ref = rphe.max()
    for s, r1, a, da in zip(scans, first, rphe, rphe_err):
        b = abs(s.meta["field"])
        a4 = math.hypot(r1.value("a4_sin"), r1.value("a4_cos"))
        a4_err = max(r1.stderr("a4_sin"), r1.stderr("a4_cos"))
        lag = a4 / a if a > 0 else np.inf          # largest angle between m and the field (rad)
        lag_err = a4_err / a if a > 0 else np.inf
        row = {"source": s.source, "field": s.meta["field"], "r_phe": r1.value("r_phe"), "r_phe_stderr": da,
               "phi0": r1.value("phi0"), "lag": lag, "lag_stderr": lag_err, "included": True}
        reason = None
        if mu0_hk is not None and mu0_hk > 0 and b < 1.05 * mu0_hk:
            reason = (f"field {b:.4g} T is below 1.05 x the perpendicular anisotropy field "
                      f"{mu0_hk:.4g} T: m is not in the plane")
        elif a < min_phe_fraction * ref and (ref - a) > 2 * math.hypot(da, rphe_err[np.argmax(rphe)]):
            reason = (f"R_PHE here is {a / ref:.1%} of its largest value: m is not saturated in the plane")
        elif lag - 2 * lag_err > max_lag:
            reason = (f"the 4phi distortion of R_1w shows m lagging the field by up to {lag:.3g} "
                      f"+/- {lag_err:.2g} rad (significantly more than max_lag={max_lag}): an in-plane "
                      "anisotropy comparable to the field biases the textbook 1/H law")
        if reason:
            row["included"] = False
            excluded.append({"field": float(s.meta["field"]), "source": s.source, "reason": reason})
        rows.append(row)
    keep = [i for i, r in enumerate(rows) if r["included"]]
    kept_fields = np.unique(np.round(np.abs(fields[keep]), 12)) if keep else []
    if len(kept_fields) < 2:
        raise HallAnalysisError(
            "method (a): fewer than two fields remain where the magnetisation follows the field in "
            "the plane (the fields never saturate it); reasons: "
            + "; ".join(f"{e['field']:.4g} T: {e['reason']}" for e in excluded))
    w = 1 / np.maximum(rphe_err[keep], 1e-300) ** 2
    r_phe = ufloat(np.sum(w * rphe_signed[keep]) / np.sum(w), 1 / math.sqrt(np.sum(w)), "r_phe")
    if len(set(np.sign(rphe_signed[keep]))) > 1:
        notes.append("R_PHE changes sign between the fields with phi0 kept within +-45 deg (an "
                     "angle offset near 45 deg?): check the angle reading")
    ph = np.array([first[i].value("phi0") for i in keep])
    phe = np.array([first[i].stderr("phi0") for i in keep])
    wp = 1 / np.maximum(phe, 1e-300) ** 2
    phi0 = ufloat(np.sum(wp * ph) / np.sum(wp), 1 / math.sqrt(np.sum(wp)), "phi0")
    acos, afl, bs = [], [], []
    flags = {}
    with_signal = []
    for i in keep:
        reason = _no_signal(scans[i])
        if reason:
            rows[i]["included"] = False
            excluded.append({"field": float(scans[i].meta["field"]), "source": scans[i].source,
                             "reason": f"{reason} (used for R_PHE and phi0 only)"})
        else:
            with_signal.append(i)
    q = {"r_phe": r_phe, "phi0": phi0}
    if len(np.unique(np.round(np.abs(fields[with_signal]), 12))) < 2:
        # no second-harmonic signal at two fields: the torques are not determined, never given a sign
        why = ("undetermined: fewer than two fields with a recorded second harmonic (the others are "
               "constant columns)")
        q.update(k_fl=_undetermined(), mu0_h_fl_oe=_undetermined())
        names = ["k_fl", "mu0_h_fl_oe"]
        if mu0_hk is not None and r_ahe is not None:
            q.update(d_dl=_undetermined(), mu0_h_dl=_undetermined(), r_ane=_undetermined(),
                     mu0_hk_eff=float(mu0_hk), r_ahe=float(r_ahe))
            names += ["d_dl", "mu0_h_dl", "r_ane"]
        _flag(flags, names, why)
        notes.append(f"torque fields {why}")
        q = efficiencies(q, sample, notes)
        return HallResult("avci", q, rows, excluded, notes, fits, flags)
    for i in with_signal:
        s = scans[i]
        r2, msg = _fit_quiet(s.r2w, avci_r2w, fixed={"phi0": phi0.nominal_value})
        notes.extend(msg)
        fits[f"r2w:{s.source}"] = r2
        rows[i].update(a_cos=r2.value("a_cos"), a_cos_stderr=r2.stderr("a_cos"),
                       a_fl=r2.value("a_fl"), a_fl_stderr=r2.stderr("a_fl"))
        acos.append((r2.value("a_cos"), r2.stderr("a_cos")))
        afl.append((r2.value("a_fl"), r2.stderr("a_fl")))
        bs.append(abs(s.meta["field"]))
    bs = np.array(bs)
    acos, afl = np.array(acos), np.array(afl)
    dfl = Dataset(bs, afl[:, 0], afl[:, 1], x_name="field", y_name="a_fl", x_unit="T", y_unit="Ohm",
                  meta={"source": "a_fl(H)"})
    rfl, msg = _fit_quiet(dfl, avci_fl_field)
    fits["a_fl(H)"] = rfl
    k_fl = _u(rfl, "k_fl", birge=True)
    q["k_fl"] = k_fl
    q["mu0_h_fl_oe"] = k_fl / r_phe
    _flag_redchi(flags, ["k_fl", "mu0_h_fl_oe"], rfl, "method (a), 1/H law of the (2cos^3 - cos) "
                 "coefficient over the fields")
    if mu0_hk is None or r_ahe is None:
        notes.append("mu0_h_dl not computed: method (a) needs the effective anisotropy field "
                     "(--meff or --hk) and R_AHE (--r-ahe) measured separately")
    else:
        if np.any(bs - mu0_hk <= 0):
            raise HallAnalysisError("method (a): field at or below the anisotropy field after exclusions")
        nfree = 3 if include_one else 2
        if len(bs) <= nfree:
            notes.append(f"only {len(bs)} fields: H_DL and r_ane have no uncertainty; use more fields")
        dcos = Dataset(bs, acos[:, 0], acos[:, 1], x_name="field", y_name="a_cos", x_unit="T",
                       y_unit="Ohm", meta={"source": "a_cos(H)"})
        g = 1 / (bs - mu0_hk)
        a = np.column_stack([g, -np.ones_like(g)] + ([-bs] if include_one else []))
        start = np.linalg.lstsq(a / acos[:, 1:2], acos[:, 0] / acos[:, 1], rcond=None)[0]
        init = {"d_dl": start[0], "r_ane": start[1], "mu0_hk": mu0_hk}
        fixed = {"mu0_hk": mu0_hk}
        free = ()
        if include_one:
            init["r_one"] = start[2]
            free = ("r_one",)
        rc, msg = _fit_quiet(dcos, avci_cos_field, init=init, fixed=fixed, free=free, guess=False)
        fits["a_cos(H)"] = rc
        d_dl = _u(rc, "d_dl", birge=True)
        q["d_dl"] = d_dl
        q["mu0_h_dl"] = 2 * d_dl / r_ahe
        q["r_ane"] = _u(rc, "r_ane", birge=True)
        if include_one:
            q["r_one"] = _u(rc, "r_one", birge=True)
        q["mu0_hk_eff"] = float(mu0_hk)
        q["r_ahe"] = float(r_ahe)
        _flag_redchi(flags, ["d_dl", "mu0_h_dl", "r_ane", "r_one"], rc,
                     "method (a), 1/(H - H_K) law of the cos(phi) coefficient over the fields")
        if abs(mu0_hk) > 10 * bs.max():
            notes.append(f"|mu0H_K,eff| = {abs(mu0_hk):.3g} T is much larger than the fields (<= "
                         f"{bs.max():.3g} T): 1/(H - H_K) hardly varies, so H_DL and the thermal term "
                         "are strongly correlated and H_DL is poorly determined")
    q = efficiencies(q, sample, notes)
    _zero_gate(q, flags)
    return HallResult("avci", q, rows, excluded, notes, fits, flags)


# ------------------------------------------------------------------ (b) Hayashi
def _sweep_derivatives(s: HallScan, max_field, order_r1=4, order_r2=3):
    """c1 = dR_2w/dH and c2 = (1/2) d^2R_1w/dH^2 at H = 0 (ufloats) from a windowed sweep."""
    x = s.r1w.x
    keep = np.abs(x) <= max_field
    if keep.sum() < 8:
        raise HallAnalysisError(f"{s.source}: only {keep.sum()} points with |mu0H| <= {max_field:.3g} T; "
                                "method (b) needs a sweep through zero field (8 points or more)")
    free1 = ["c3", "c4"][: max(0, order_r1 - 2)]
    free2 = ["c2", "c3"][: max(0, order_r2 - 1)]
    r1, m1 = _fit_quiet(s.r1w.where(keep), hall_parabola, free=free1,
                        fixed=[k for k in ("c3", "c4") if k not in free1])
    r2, m2 = _fit_quiet(s.r2w.where(keep), hall_line, free=free2,
                        fixed=[k for k in ("c2", "c3") if k not in free2])
    return r1, r2, m1 + m2


def hayashi(scans: Sequence[HallScan], *, r_phe, max_field=None, r_ane=None, r_one=None,
            theta_h_stderr: float = 0.0, sample: Sample | None = None) -> HallResult:
    """Field sweeps of a perpendicular film with the planar-Hall correction (Hayashi et al.,
    PRB 89, 144425 (2014), eqs. (4)-(5)).

    For each sweep along x (longitudinal, phi_h = 0) and y (transverse, phi_h = 90) and each
    perpendicular state s = m_z = +-1: b = (dR_2w/dH) / (d^2R_1w/dH^2) at H = 0 (polynomials
    in H fitted within |mu0H| <= ``max_field``). With xi = R_PHE/R_AHE, the house definition
    R_2w = (1/2) dR_xy gives (docs/hall.md; Hayashi's eq. (5) with the opposite overall sign of
    his lock-in convention)::

        dB_x(s) = 2 (b_x + 2 s xi b_y) / (1 - 4 xi^2),   dB_y(s) = 2 (b_y + 2 s xi b_x) / (1 - 4 xi^2)

    and, with dB = mu0_h_dl (m x y) + mu0_h_fl y at m = s z: mu0_h_dl = -s dB_x(s),
    mu0_h_fl_oe = dB_y(s), averaged over the states (weighted).

    Field tilted out of the plane (meta ``theta_h`` != 90 deg, common to avoid domains): near
    m = s z the in-plane magnetisation is m_x = H sin(theta_h)/(H_K + s H cos(theta_h)), so at
    H = 0 dR_2w/dH scales with sin(theta_h) and d^2R_1w/dH^2 with sin^2(theta_h); each b is
    multiplied by sin(theta_h) and H_K from the curvature divided by it. This is exact for the
    derivatives at H = 0 (the H cos(theta_h) change of the stiffness enters only the higher
    polynomial terms); without it a 20 deg tilt biases both fields by 1/sin(70 deg) - 1 = 6 %.

    Thermal terms: an anomalous Nernst term -r_ane m_x (and ordinary Nernst -r_one B_x) is
    linear in H_x like the damping-like signal and has the same m_z symmetry, so the sweeps
    alone cannot separate it. Give ``r_ane`` (and ``r_one``) from another method (e.g. (c)) to
    subtract it; otherwise ``mu0_h_dl`` contains it and a note says so.

    R_AHE and the anisotropy field: R_AHE is half the jump of the fitted R_1w(0) between the two
    states, corrected for the second-order response to the current (the torques tilt m away from
    the pole at H = 0: s R_1w(0) = R_AHE [1 - (3/8)(H_DL^2 + H_FL^2)/H_K^2] - (3/2) R_PHE H_DL H_FL/H_K^2
    + (3/2) r_ane H_DL/H_K, docs/hall.md); mu0H_K = sqrt(R_AHE / (2 c2)) with c2 the curvature
    -s (1/2) d^2R_1w/dH^2 / sin^2(theta_h) averaged with equal weights over the (direction, state)
    groups, in which the planar Hall term of an angle offset cancels. Both carry the correlated
    standard errors of the polynomial fits (errors from their scatter) and pass them on to the
    torque fields (through xi = R_PHE/R_AHE and r_ane/H_K).

    Parameters
    ----------
    scans : sequence of HallScan
        Field sweeps with meta ``phi_h`` near 0 or 90 deg, ``theta_h`` within 45 deg of the
        plane (default 90) and ``mz_state`` +1 or -1.
    r_phe : float or ufloat
        Planar Hall resistance in Ohm (from an in-plane rotation). Required (0 disables the
        correction explicitly).
    max_field : float, optional
        Half-width of the fitted window in T; default 0.15 x the anisotropy field estimated from
        the curvature of R_1w.
    r_ane, r_one : float, optional
        Thermal coefficients to subtract (Ohm, Ohm/T).
    theta_h_stderr : float
        Standard uncertainty in deg of the polar angle of the field, one independent value per
        sweep direction (x, y) shared by both states (sample mounting). For tilted sweeps the
        ratios scale with sin(theta_h) and H_K with sin(theta_h)/sqrt(c2), so a misalignment d
        changes both by cot(theta_h) d; in-plane sweeps are insensitive to first order.
    sample : Sample, optional

    Returns
    -------
    HallResult
        ``mu0_h_dl``, ``mu0_h_fl_oe``, ``r_ahe`` (Ohm), ``mu0_hk_eff`` (T) (+ conversions), all with
        standard uncertainties.
    """
    scans = _check_scans(scans, "field", "(b) hayashi")
    notes, rows, fits, excluded = [], [], {}, []
    through = [s for s in scans if s.r1w.x.min() <= 0.0 <= s.r1w.x.max()]
    for s in scans:
        if not any(s is t for t in through):
            excluded.append({"field": None, "source": s.source,
                             "reason": "the sweep does not pass through zero field (e.g. the branch of a loop "
                                       "after its switching jump): method (b) uses the derivatives at H = 0"})
    if not through:
        raise HallAnalysisError("method (b): no field sweep passes through zero field; it needs the "
                                "derivatives of R_1w and R_2w at H = 0 (sources: "
                                + ", ".join(s.source for s in scans) + ")")
    scans = through
    groups = {}
    for s in scans:
        st = int(s.meta.get("mz_state", 0))
        ph = float(s.meta.get("phi_h", 0.0)) % 180.0
        if st not in (1, -1):
            raise HallAnalysisError(f"{s.source}: method (b) needs the perpendicular state of the sweep "
                                    "(mz_state = +1 or -1)")
        if min(abs(ph), abs(ph - 180)) < 10:
            d = "x"
        elif abs(ph - 90) < 10:
            d = "y"
        else:
            raise HallAnalysisError(f"{s.source}: method (b) needs sweeps along x or y, not phi_h={ph} deg")
        th_h = float(s.meta.get("theta_h", 90.0))
        if not 45.0 <= th_h % 360.0 <= 135.0:
            raise HallAnalysisError(f"{s.source}: method (b) needs sweeps near the film plane; theta_h = "
                                    f"{th_h} deg is more than 45 deg out of it")
        groups.setdefault((d, st), []).append(s)
    from uncertainties import umath

    if theta_h_stderr < 0:
        raise HallAnalysisError(f"theta_h_stderr must be >= 0 deg, not {theta_h_stderr}")
    mis = {d: ufloat(0.0, math.radians(theta_h_stderr), f"theta_h misalignment ({d} sweeps)")
           if theta_h_stderr > 0 else 0.0 for d in ("x", "y")}
    sin_th = {s.source: umath.sin(math.radians(float(s.meta.get("theta_h", 90.0))) + mis[d])
              for (d, _), ss in groups.items() for s in ss}
    tilted = sorted({round(float(s.meta.get("theta_h", 90.0)), 6) for ss in groups.values() for s in ss} - {90.0})
    if tilted:
        notes.append(f"field tilted out of the plane (theta_h = {', '.join(f'{t:g}' for t in tilted)} deg): "
                     "the in-plane part of the field is H sin(theta_h), so the ratios b and the anisotropy "
                     "field from the curvature are scaled by sin(theta_h) (exact for the derivatives at H = 0)")
        if theta_h_stderr == 0:
            cot = max(abs(1 / math.tan(math.radians(t))) for t in tilted)
            notes.append(f"theta_h taken as exact: a misalignment of 1 deg (e.g. a tilted sample) changes H_K and "
                         f"the torque fields by {cot * math.radians(1.0):.1%}, not in their standard errors; give "
                         "theta_h_stderr to include it")
    # window from a first estimate of the anisotropy field (first pass on the whole sweep range)
    first = {}
    for key, ss in groups.items():
        for s in ss:
            span = float(np.max(np.abs(s.r1w.x)))
            r1, r2, msg = _sweep_derivatives(s, span if max_field is None else max_field)
            first[s.source] = (r1, r2)
    states = sorted({k[1] for k in groups})
    if len(states) != 2:
        notes.append("only one perpendicular state: R_AHE taken as m_z R_1w(0) (includes any offset)")
    r_ahe0, c2m0 = _curvature_terms(groups, {k: v[0] for k, v in first.items()}, sin_th)
    # R_1w bends towards zero as |H| grows: the curvature has the sign of R_AHE (which may be
    # negative: the sign of the Hall voltage is a matter of the wiring)
    if c2m0.nominal_value * r_ahe0.nominal_value <= 0:
        raise HallAnalysisError("method (b): R_1w does not bend towards zero as |H| grows (no perpendicular "
                                "magnetisation); these are not sweeps of a perpendicular film")
    hk_est = math.sqrt(r_ahe0.nominal_value / (2 * c2m0.nominal_value))
    window = 0.15 * hk_est if max_field is None else float(max_field)
    if window > 0.3 * hk_est:
        notes.append(f"window |mu0H| <= {window:.3g} T is more than 0.3 x H_K ({hk_est:.3g} T): "
                     "the small-angle formulas are biased")
    final = {}
    for (d, st), ss in groups.items():
        for s in ss:
            r1, r2, msg = _sweep_derivatives(s, window)
            notes.extend(msg)
            fits[f"r1w:{s.source}"], fits[f"r2w:{s.source}"] = r1, r2
            final[s.source] = (r1, r2)
    # R_AHE and H_K from the fits in the window, with the correlated uncertainties of c0 and c2
    r_ahe_raw, c2m = _curvature_terms(groups, {k: v[0] for k, v in final.items()}, sin_th)
    if c2m.nominal_value * r_ahe_raw.nominal_value <= 0:
        raise HallAnalysisError("method (b): R_1w does not bend towards zero as |H| grows within the window "
                                f"|mu0H| <= {window:.3g} T")
    rp = r_phe if hasattr(r_phe, "nominal_value") else float(r_phe)
    if float(getattr(rp, "nominal_value", rp)) == 0:
        notes.append("R_PHE = 0: no planar-Hall correction (Hayashi's xi = 0)")

    def torques(r_ahe):
        hk = (r_ahe / (2 * c2m)) ** 0.5
        b, rows_ = {}, []
        for (d, st), ss in groups.items():
            for s in ss:
                if _no_signal(s):
                    continue
                r1, r2 = final[s.source]
                c1, c2 = r2["c1"], r1["c2"]
                if d == "x":
                    if r_ane is not None:
                        c1 = c1 + r_ane * sin_th[s.source] / hk  # -r_ane m_x, m_x = H sin(theta_h)/H_K
                    if r_one is not None:
                        c1 = c1 + r_one * sin_th[s.source]  # -r_one B_x, B_x = H sin(theta_h)
                bval = c1 / (2 * c2) * sin_th[s.source]
                rows_.append({"source": s.source, "direction": d, "mz_state": st, "window": window,
                              "c1": c1.nominal_value, "c1_stderr": c1.std_dev, "c2": c2.nominal_value,
                              "c2_stderr": c2.std_dev, "b": bval.nominal_value, "b_stderr": bval.std_dev})
                b.setdefault((d, st), []).append(bval)
        xi = rp / r_ahe
        dls, fls = {}, {}
        for st in states:
            if ("x", st) not in b or ("y", st) not in b:
                if any(_no_signal(s) for (_, s_st), ss in groups.items() if s_st == st for s in ss):
                    continue  # a sweep of this state has no second harmonic: the state is left out
                raise HallAnalysisError(f"method (b) needs both a longitudinal (x) and a transverse (y) sweep "
                                        f"for m_z = {st:+d}; have {sorted(b)}")
            bx = sum(b[("x", st)]) / len(b[("x", st)])
            by = sum(b[("y", st)]) / len(b[("y", st)])
            dbx = 2 * (bx + 2 * st * xi * by) / (1 - 4 * xi ** 2)
            dby = 2 * (by + 2 * st * xi * bx) / (1 - 4 * xi ** 2)
            dls[st] = -st * dbx
            fls[st] = dby
        if not dls:
            return hk, _undetermined(), _undetermined(), rows_, dls, fls
        return (hk, _wmean(list(dls.values()), "mu0_h_dl"), _wmean(list(fls.values()), "mu0_h_fl_oe"),
                rows_, dls, fls)

    flags = {}
    for (d, st), ss in groups.items():
        for s in ss:
            reason = _no_signal(s)
            if reason:
                excluded.append({"field": None, "source": s.source,
                                 "reason": f"{reason}: left out of the torque fields (used for R_AHE and "
                                           f"H_K); the m_z = {st:+d} state needs an x and a y sweep with a "
                                           "second harmonic"})
    hk, h_dl, h_fl, rows, _, _ = torques(r_ahe_raw)
    # second order in the current: the torques tilt m away from the pole at H = 0, so the lock-in's
    # R_1w(0) = s R_AHE - (3/8) s R_AHE d^2 - (3/2) s R_PHE H_DL H_FL / H_K^2 + (3/2) s r_ane H_DL / H_K
    # with d^2 = (H_DL^2 + H_FL^2) / H_K^2 (docs/hall.md); remove it and recompute with that R_AHE
    corr = 0.375 * r_ahe_raw * (h_dl ** 2 + h_fl ** 2) / hk ** 2 + 1.5 * rp * h_dl * h_fl / hk ** 2
    if r_ane is not None:
        corr = corr - 1.5 * r_ane * h_dl / hk
    if not math.isfinite(h_dl.std_dev):
        corr = 0.0  # no torque fields: no second-order correction
    r_ahe = r_ahe_raw + corr
    hk, h_dl, h_fl, rows, dls, fls = torques(r_ahe)
    q = {"mu0_h_dl": h_dl, "mu0_h_fl_oe": h_fl, "r_ahe": r_ahe, "mu0_hk_eff": hk, "r_phe": rp}
    if not dls:
        why = "undetermined: no perpendicular state has x and y sweeps with a recorded second harmonic"
        _flag(flags, ["mu0_h_dl", "mu0_h_fl_oe"], why)
        notes.append(f"torque fields {why}")
    elif len(dls) < len(states):
        notes.append(f"torque fields from the m_z = {next(iter(dls)):+d} state only (the other state lacks "
                     "a sweep with a second harmonic)")
    _hayashi_gates(groups, {k: v[0] for k, v in final.items()}, sin_th, rp, dls, fls, flags, notes)
    if r_ane is None:
        notes.append("no r_ane given: mu0_h_dl includes the anomalous Nernst term (same symmetry as the "
                     "damping-like signal in these sweeps); give r_ane from method (c) or (d)")
    q = efficiencies(q, sample, notes)
    _zero_gate(q, flags)
    return HallResult("hayashi", q, rows, excluded, notes, fits, flags)



def _hayashi_gates(groups, r1fits, sin_th, r_phe, dls, fls, flags, notes):
    """Sanity gates of method (b) where it has two estimates of one quantity.

    * x and y sweeps: R_AHE and mu0H_K from each direction alone (both states, so the planar Hall
      term of an angle offset cancels within each) must agree within 3 standard errors.
    * The two perpendicular states: their torque fields differ to first order in an azimuthal angle
      offset d of the field, by about 2 d H_FL (H_DL) and 2 d H_DL (H_FL), with opposite signs that
      cancel in the mean (docs/hall.md). d is estimated from the pattern of the four curvatures,
      whose relative deviations are +-2 xi sin(2d) (sign s for x sweeps, -s for y sweeps); the
      states are flagged when they differ by more than 3 standard errors after adding that
      first-order term (half to each state) in quadrature.
    """
    states = sorted({k[1] for k in groups})
    if len(states) == 2 and {"x", "y"} <= {k[0] for k in groups}:
        est = {}
        for d in ("x", "y"):
            r, c2 = _curvature_terms({k: v for k, v in groups.items() if k[0] == d}, r1fits, sin_th)
            est[d] = (r, (r / (2 * c2)) ** 0.5 if _nominal(c2) * _nominal(r) > 0 else None)
        _flag_disagreement(flags, ["r_ahe"], est["x"][0], est["y"][0], "R_AHE from x sweeps",
                           "R_AHE from y sweeps")
        if est["x"][1] is not None and est["y"][1] is not None:
            _flag_disagreement(flags, ["mu0_hk_eff"], est["x"][1], est["y"][1], "mu0_hk_eff from x sweeps",
                               "mu0_hk_eff from y sweeps")
    if len(dls) != 2:
        return
    c2n = {k: np.mean([_nominal(r1fits[s.source]["c2"]) * (-k[1]) / _nominal(sin_th[s.source]) ** 2
                       for s in ss]) for k, ss in groups.items()}
    avg = np.mean(list(c2n.values()))
    pattern = np.mean([(v / avg - 1) * k[1] * (1 if k[0] == "x" else -1) for k, v in c2n.items()])
    r_ahe = 0.5 * (np.mean([_nominal(r1fits[s.source]["c0"]) for k, ss in groups.items() if k[1] == 1
                            for s in ss])
                   - np.mean([_nominal(r1fits[s.source]["c0"]) for k, ss in groups.items() if k[1] == -1
                              for s in ss]))
    xi = _nominal(r_phe) / r_ahe if r_ahe else 0.0
    delta = 0.5 * math.asin(min(1.0, abs(pattern / (2 * xi)))) if xi else 0.0
    h_dl = 0.5 * abs(_nominal(dls[1]) + _nominal(dls[-1]))
    h_fl = 0.5 * abs(_nominal(fls[1]) + _nominal(fls[-1]))
    if delta:
        notes.append(f"the curvatures of R_1w show an azimuthal angle offset of about {math.degrees(delta):.2g} deg "
                     "(pattern +-2 xi sin(2d) over the sweep directions and states); it biases the two "
                     "states' torque fields oppositely to first order and cancels in their mean")
    for name, per, other in (("mu0_h_dl", dls, h_fl), ("mu0_h_fl_oe", fls, h_dl)):
        allowance = delta * other  # half the first-order difference, given to each state
        a, b = (ufloat(_nominal(per[st]), math.hypot(per[st].std_dev, allowance)) for st in (1, -1))
        _flag_disagreement(flags, [name], a, b, "m_z = +1 estimate", "m_z = -1 estimate")


def _curvature_terms(groups, r1fits, sin_th):
    """R_AHE (half the jump of R_1w(0) between the perpendicular states) and the normalised
    curvature c2 = R_AHE / (2 mu0H_K^2) of R_1w at H = 0, as correlated uncertain values.

    Each (direction, state) group counts equally: an angle offset phi0 adds a planar Hall term
    R_PHE sin(2 phi_H) (H/H_K)^2 of opposite signs to x and y sweeps and to the two states, which
    this average cancels. One state only: R_AHE = |R_1w(0)| (includes the contact offset).
    """
    def mean(vals):
        return sum(vals) / len(vals)

    c0 = {k: mean([r1fits[s.source]["c0"] for s in ss]) for k, ss in groups.items()}
    c2 = {k: mean([r1fits[s.source]["c2"] * (-k[1]) / sin_th[s.source] ** 2 for s in ss])
          for k, ss in groups.items()}
    states = sorted({k[1] for k in groups})
    if len(states) == 2:
        r_ahe = 0.5 * (mean([c0[k] for k in c0 if k[1] == 1]) - mean([c0[k] for k in c0 if k[1] == -1]))
    else:
        # one state s: R_1w(0) = offset + s R_AHE, so R_AHE = s R_1w(0) (with the offset; signed: a
        # negative R_AHE is the wiring's, and |R_1w(0)| would make it positive and refuse the sweeps)
        r_ahe = states[0] * mean(list(c0.values()))
    return r_ahe, mean(list(c2.values()))

def _wmean(values, tag):
    """Inverse-variance mean of ufloats (correlations between them ignored)."""
    vs = [v for v in values]
    if len(vs) == 1:
        return vs[0]
    w = np.array([1 / max(v.std_dev, 1e-300) ** 2 for v in vs])
    return sum(wi * v for wi, v in zip(w, vs)) / w.sum()


# ------------------------------------------------------------------ (c) angular
def angular(scans: Sequence[HallScan], *, r_ahe=None, mu0_hk=None, r_phe=0.0, mu0_h_fl=None,
            max_sin=0.25, include_one: bool = False, r_ohe: float = 0.0, theta0: float = 0.0,
            theta_m_from: str = "r1w", sample: Sample | None = None) -> HallResult:
    """Out-of-plane (xz) rotation method of seed 003_010c0338986411e7.txt (main text, Fig. 5).

    At each field: theta_M from cos(theta_M) = (R_1w - offset - r_ohe B_z)/R_AHE (sign of
    sin(theta_M) from the field angle), then R_2w against sin(theta_M) near both poles
    (|sin theta_M| <= ``max_sin``) gives the slope, and over the fields::

        dR_2w/d(sin theta_M) = [(1/2) R_AHE mu0H_DL + R_PHE mu0H_FL] / (mu0H + mu0H_K) - r_ane
                               [- r_one (mu0H + mu0H_K)]

    This is the linear-response result for a ferromagnet with R_xy = R_AHE m_z + R_PHE sin^2
    sin2phi (docs/hall.md). The seed writes -R_ANE - (1/2) R_AHE H_DL [1 - 4 (R_PHE/R_AHE)^2]/
    (H + H_K): the overall minus belongs to its Co-Tb film, whose Hall signal follows the Co
    sublattice opposite to the net moment; the factor [1 - 4 xi^2] and the missing field-like
    term do not follow from the linear response of an xz rotation (the field-like field tilts
    m along y and changes the planar Hall term linearly in sin theta_M). ``mu0_h_fl`` (e.g. from
    method (b)) is therefore subtracted; without it the damping-like field is reported
    assuming mu0_h_fl = 0, with a note.

    Parameters
    ----------
    scans : sequence of HallScan
        theta scans (phi_h = 0) at two or more fields above the anisotropy field (three or
        more for uncertainties). Fields at or below mu0H_K,eff (given or estimated) are
        excluded with the reason: the rotation is not coherent there (the field never
        saturates m along itself) and the small-angle formula does not apply.
    r_ahe : float, optional
        R_AHE in Ohm; default half the range of R_1w (the scans must pass through both poles).
    mu0_hk : float, optional
        Effective anisotropy field in T; default from the first harmonic:
        mu0H sin(theta_H - theta_M) = mu0H_K sin(theta_M) cos(theta_M).
    r_phe, mu0_h_fl : float or ufloat
        Planar Hall resistance (Ohm) and field-like field (T) for the field-like correction.
    max_sin : float
        Largest |sin theta_M| used (small-angle formula).
    include_one : bool
        Fit the ordinary Nernst term (needs four or more fields).
    r_ohe : float
        Ordinary Hall coefficient (Ohm/T) subtracted from R_1w.
    theta0 : float
        Polar reading at which the field is along +z (deg).
    theta_m_from : {'r1w', 'equilibrium'}
        theta_M from the first harmonic (the seed's way) or from the macrospin equilibrium at the
        field angle with ``mu0_hk`` (given, or estimated from R_1w first); the latter does not
        need R_AHE to be known to the precision the arccos needs near the poles.
    sample : Sample, optional

    R_AHE, the anisotropy field and the R_1w offsets (unless given) come from a fit of the first
    harmonics of the rotations above the anisotropy field with the macrospin model
    (``hall_r1w_theta``; tilts about x and y and, when R_PHE is not zero, phi0 fitted, since the
    planar Hall term of a misaligned rotation is many standard errors of R_1w). A first pass without
    the current-induced fields gives theta_M for the slopes; a second pass with the method's own
    mu0_h_dl, r_ane and the given mu0_h_fl (second order in the current) gives the reported R_AHE
    and mu0H_K, whose standard errors include those of the fields held fixed (one-sided
    differences of the refit). The slope law holds mu0H_K fixed; its uncertainty is propagated
    through d(p_torque, r_ane)/d(mu0H_K), and R_AHE's through the division giving mu0_h_dl.
    The textbook estimates (R_AHE from the extremes of R_1w, H_K from the equilibrium condition
    below) only select the coherent rotations and start the fit.

    Returns
    -------
    HallResult
        ``mu0_h_dl``, ``r_ane``, ``mu0_hk_eff`` (T), ``r_ahe`` (Ohm), ``slope_combination``
        (+ conversions), all with standard uncertainties (R_AHE, mu0_hk given: exact).
    """
    scans = _check_scans(scans, "theta", "(c) angular")
    fields = np.array([s.meta["field"] for s in scans])
    nmin = 4 if include_one else 3
    if len(np.unique(np.round(fields, 12))) < 2:
        raise HallAnalysisError("method (c) needs rotations at two or more fields "
                                f"({nmin} or more for uncertainties); got {np.unique(fields)} T")
    notes, fits, excluded = [], {}, []
    if theta_m_from not in ("r1w", "equilibrium"):
        raise HallAnalysisError(f"theta_m_from must be 'r1w' or 'equilibrium', not {theta_m_from!r}")
    r1all = np.concatenate([s.r1w.y - r_ohe * s.meta["field"] * np.cos(np.radians(s.r1w.x - theta0))
                            for s in scans])
    # textbook first estimates: R_AHE and the offset from the extremes of R_1w, H_K from the
    # equilibrium condition; they select the coherent rotations for the first-harmonic fit
    # (signed: R_1w with the field near +z minus R_1w near -z; a negative R_AHE is the wiring's)
    r_ahe0 = (math.copysign(0.5 * (np.percentile(r1all, 99.5) - np.percentile(r1all, 0.5)),
                            _pole_difference(scans, theta0)) if r_ahe is None else float(r_ahe))
    offset0 = 0.5 * (np.percentile(r1all, 99.5) + np.percentile(r1all, 0.5))
    offsets0 = {s.source: offset0 for s in scans}
    if mu0_hk is None:
        hk_list = [h for s in scans
                   if (h := _angular_scan(s, r_ahe0, offset0, None, theta0, r_ohe, "r1w", max_sin)[1]) is not None]
        if not hk_list:
            raise HallAnalysisError("method (c): cannot estimate the anisotropy field from R_1w; give mu0_hk")
        hk0 = float(np.median(hk_list))
    else:
        hk0 = float(mu0_hk)
    hfl = 0.0 if mu0_h_fl is None else mu0_h_fl
    coherent = [s for s in scans if hk0 <= 0 or s.meta["field"] > hk0]
    # first pass without the current-induced fields (second order; added below)
    first = (_angular_first_harmonic(coherent, r_ahe, mu0_hk, r_phe, 0.0, 0.0, 0.0, r_ohe, theta0, r_ahe0, hk0)
             if coherent else None)
    if first is None:
        r_ahe_u, hk_u, offsets = r_ahe0, hk0, offsets0
    else:
        fits["r1w"] = first
        r_ahe_u = first["r_ahe"] if r_ahe is None else float(r_ahe)
        hk_u = first["mu0_hk"] if mu0_hk is None else float(mu0_hk)
        offsets = {**offsets0, **{s.source: first.value(f"offset_{i}") for i, s in enumerate(coherent)}}
    r_ahe_v, hk = float(getattr(r_ahe_u, "nominal_value", r_ahe_u)), float(getattr(hk_u, "nominal_value", hk_u))
    if r_ahe is None or mu0_hk is None:
        notes.append("R_AHE, mu0_hk_eff and the R_1w offsets from a fit of the first harmonics of the rotations "
                     "above the anisotropy field (macrospin equilibrium, angle offsets fitted)")
    rows, slopes, bs = [], [], []
    flags = {}
    for s in scans:
        b = s.meta["field"]
        if _no_signal(s):
            excluded.append({"field": b, "source": s.source, "reason": f"{_no_signal(s)} (used for R_AHE "
                             "and H_K only)"})
            rows.append({"source": s.source, "field": b, "n_points": 0, "included": False})
            continue
        sin_m, _ = _angular_scan(s, r_ahe_v, offsets[s.source], hk if theta_m_from == "equilibrium" else None,
                                 theta0, r_ohe, theta_m_from, max_sin)
        near = np.abs(sin_m) <= max_sin
        row = {"source": s.source, "field": b, "n_points": int(near.sum()), "included": True}
        if near.sum() < 4:
            excluded.append({"field": b, "source": s.source,
                             "reason": f"fewer than 4 points with |sin theta_M| <= {max_sin}"})
            row["included"] = False
            rows.append(row)
            continue
        d = Dataset(sin_m[near], s.r2w.y[near], x_name="sin_theta_m", y_name="r2w", x_unit="",
                    y_unit="Ohm", meta={"source": s.source})
        r, msg = _fit_quiet(d, hall_line, fixed=["c2", "c3"])
        notes.extend(msg)
        fits[f"r2w:{s.source}"] = r
        row.update(slope=r.value("c1"), slope_stderr=r.stderr("c1"))
        rows.append(row)
        slopes.append((r.value("c1"), r.stderr("c1")))
        bs.append(b)
    bs = np.array(bs)
    sl = np.array(slopes)
    if hk > 0:
        # below the anisotropy field an xz rotation is not coherent (Stoner-Wohlfarth: m stays near
        # the pole it came from while the field passes the equator, then switches), so the
        # restoring field near the poles is not mu0H + mu0H_K and the formula does not apply
        low = bs <= hk
        for b_low in bs[low]:
            src = next(r["source"] for r in rows if r["field"] == b_low and r["included"])
            excluded.append({"field": float(b_low), "source": src,
                             "reason": f"field {b_low:.4g} T is not above the anisotropy field {hk:.4g} T: "
                                       "the rotation never saturates m along the field (not coherent)"})
            for r in rows:
                if r["source"] == src:
                    r["included"] = False
        bs, sl = bs[~low], sl[~low] if len(sl) else sl
    if len(bs) < nmin and any(_no_signal(s) for s in scans):
        # without a second-harmonic signal at enough fields the torque is not determined: say so,
        # never give it a sign
        why = (f"undetermined: fewer than {nmin} fields above the anisotropy field with a recorded "
               "second harmonic")
        q = {"slope_combination": _undetermined(), "r_ane": _undetermined(), "mu0_h_dl": _undetermined()}
        if mu0_h_fl is not None:
            q["mu0_h_fl_oe"] = hfl
        q.update(r_ahe=r_ahe_u, mu0_hk_eff=hk_u)
        _flag(flags, ["slope_combination", "r_ane", "mu0_h_dl"], why)
        notes.append(f"torque fields {why}")
        q = efficiencies(q, sample, notes)
        return HallResult("angular", q, rows, excluded, notes, fits, flags)
    if len(bs) < nmin:
        unsat = any("never saturates" in e["reason"] for e in excluded)
        raise HallAnalysisError(f"method (c): {len(bs)} usable field(s); it needs {nmin} or more to "
                                "separate the torque term from the thermal term with an uncertainty"
                                + (" (the fields never saturate the magnetisation: measure above "
                                   f"mu0H_K = {hk:.3g} T)" if unsat else "")
                                + ("; excluded: " + "; ".join(f"{e['field']:.4g} T: {e['reason']}"
                                                              for e in excluded) if excluded else ""))
    dset = Dataset(bs, sl[:, 0], sl[:, 1], x_name="field", y_name="slope", x_unit="T", y_unit="Ohm",
                   meta={"source": "slope(H)"})
    from ..models.harmonic_hall import angular_slope_field

    start = _slope_law(bs, sl, hk, include_one)
    init = {"p_torque": start[0], "r_ane": start[1], "mu0_hk": hk}
    free = ()
    if include_one:
        init["r_one"] = start[2]
        free = ("r_one",)
    rs, msg = _fit_quiet(dset, angular_slope_field, init=init, fixed={"mu0_hk": hk}, free=free, guess=False)
    fits["slope(H)"] = rs
    _flag_redchi(flags, ["slope_combination", "r_ane", "r_one", "mu0_h_dl"], rs,
                 "method (c), slope law over the fields")
    # the slope law holds mu0_hk fixed: its uncertainty enters through d(coefficients)/d(mu0_hk)
    eps = 1e-6 * max(1.0, abs(hk))
    jac = (_slope_law(bs, sl, hk + eps, include_one) - _slope_law(bs, sl, hk - eps, include_one)) / (2 * eps)
    rp = r_phe
    if mu0_h_fl is None and float(getattr(rp, "nominal_value", rp)) != 0:
        notes.append("mu0_h_fl not given: the field-like term R_PHE H_FL/(H + H_K) is assumed zero; "
                     "give mu0_h_fl (e.g. from method (b)) to remove it")
    p_t0, r_ane_u0 = _ub(rs, "p_torque"), _ub(rs, "r_ane")
    h_dl0 = 2 * (p_t0 - rp * hfl) / r_ahe_v
    if first is not None:
        # the first harmonic again, now with the current-induced fields: at this signal-to-noise the
        # second-order response to the current (docs/hall.md) moves R_AHE and mu0H_K by more than
        # their errors; the shift is small enough for the slopes above to stand
        r_ane0 = rs.value("r_ane")
        first = _angular_first_harmonic(coherent, r_ahe, mu0_hk, r_phe, hfl, h_dl0.nominal_value, r_ane0,
                                        r_ohe, theta0, r_ahe_v, hk, init=first)
        fits["r1w"] = first
        r_ahe_u = first["r_ahe"] if r_ahe is None else float(r_ahe)
        hk_u = first["mu0_hk"] if mu0_hk is None else float(mu0_hk)
        # the fit holds the torque fields, r_ane and R_PHE fixed: their uncertainties enter through the
        # change of the refitted R_AHE and mu0H_K over one standard error of each (one-sided: exact for
        # the linear thermal and planar Hall terms, within sd/(2 value) for the quadratic torque terms)
        held = {"mu0_h_dl": h_dl0, "r_ane": r_ane_u0, "mu0_h_fl": hfl, "r_phe": rp}
        base = {k: _nominal(v) for k, v in held.items()}
        for name, u in held.items():
            sd = float(getattr(u, "std_dev", 0.0))
            if sd == 0 or (r_ahe is not None and mu0_hk is not None):
                continue
            kw = {**base, name: base[name] + sd}
            alt = _angular_first_harmonic(coherent, r_ahe, mu0_hk, kw["r_phe"], kw["mu0_h_fl"], kw["mu0_h_dl"],
                                          kw["r_ane"], r_ohe, theta0, r_ahe_v, hk, init=first)
            if r_ahe is None:
                r_ahe_u = r_ahe_u + (alt.value("r_ahe") - first.value("r_ahe")) / sd * (u - base[name])
            if mu0_hk is None:
                hk_u = hk_u + (alt.value("mu0_hk") - first.value("mu0_hk")) / sd * (u - base[name])
    dhk = hk_u - hk
    p_t = p_t0 + jac[0] * dhk
    q = {"slope_combination": p_t, "r_ane": r_ane_u0 + jac[1] * dhk}
    if include_one:
        q["r_one"] = _ub(rs, "r_one") + jac[2] * dhk
    q["mu0_h_dl"] = 2 * (p_t - rp * hfl) / r_ahe_u
    if mu0_h_fl is not None:
        q["mu0_h_fl_oe"] = hfl
    q["r_ahe"] = r_ahe_u
    q["mu0_hk_eff"] = hk_u
    if first is not None:
        for name, lo, hi in _at_bounds(first):
            _flag(flags, ["r_ahe", "mu0_hk_eff", "mu0_h_dl"],
                  f"fit of the first harmonics: {name} = {first.value(name):.4g} at its bound [{lo:g}, {hi:g}]")
    q = efficiencies(q, sample, notes)
    _zero_gate(q, flags)
    return HallResult("angular", q, rows, excluded, notes, fits, flags)


def _pole_difference(thetas, theta0=0.0):
    """Mean R_1w with the field nearest +z minus that nearest -z over xz rotations (Ohm): its sign is
    the sign of R_AHE."""
    up = np.mean([s.r1w.y[np.argmax(np.cos(np.radians(s.r1w.x - theta0)))] for s in thetas])
    down = np.mean([s.r1w.y[np.argmin(np.cos(np.radians(s.r1w.x - theta0)))] for s in thetas])
    return float(up - down)


def _slope_law(bs, sl, hk, include_one):
    """Weighted least-squares coefficients (p_torque, r_ane[, r_one]) of the slope law of method (c)
    at a given mu0_hk (linear in them)."""
    s = bs + hk
    a = np.column_stack([1 / s, -np.ones_like(s)] + ([-s] if include_one else []))
    return np.linalg.lstsq(a / sl[:, 1:2], sl[:, 0] / sl[:, 1], rcond=None)[0]


def _angular_scan(s, r_ahe, offset, hk_eq, theta0, r_ohe, theta_m_from, max_sin):
    """sin(theta_M) of one xz rotation and the anisotropy field from its equilibrium condition
    mu0H sin(theta_H - theta_M) = mu0H_K sin(theta_M) cos(theta_M) (None if too few points away from
    the poles). theta_M from cos(theta_M) = (R_1w - offset - r_ohe B_z)/R_AHE, or from the macrospin
    equilibrium with ``hk_eq`` when ``theta_m_from == 'equilibrium'``."""
    b = s.meta["field"]
    th_h = np.radians(s.r1w.x - theta0)
    r1 = s.r1w.y - r_ohe * b * np.cos(th_h)
    if theta_m_from == "equilibrium":
        from ..models.harmonic_hall import scan_fields
        from ..models.macrospin import equilibrium as _eq

        mm = _eq(scan_fields(s.r1w.x, "theta", field=b, phi_h=s.meta.get("phi_h", 0.0), theta0=theta0), hk_eq)
        sin_m, c = mm[:, 0] * np.sign(np.cos(np.radians(s.meta.get("phi_h", 0.0)))), mm[:, 2]
    else:
        c = np.clip((r1 - offset) / r_ahe, -1, 1)
        sin_m = np.sign(np.sin(th_h)) * np.sqrt(1 - c * c)
    th_m = np.arctan2(sin_m, c)
    sel = (np.abs(np.sin(2 * th_m)) > 0.3)
    hk = None
    if sel.sum() >= 3:
        y = b * np.sin(th_h[sel] - th_m[sel])
        xx = np.sin(th_m[sel]) * np.cos(th_m[sel])
        hk = float(np.dot(xx, y) / np.dot(xx, xx))
    return sin_m, hk


def _angular_first_harmonic(scans, r_ahe, mu0_hk, r_phe, mu0_h_fl, mu0_h_dl, r_ane, r_ohe, theta0,
                            r_ahe0, hk0, init=None):
    """Fit of the first harmonics of xz rotations with the macrospin model (hall_r1w_theta):
    R_AHE and mu0_hk (unless given), one offset per rotation, the tilt of the field about y (a polar
    angle offset, as in method (d); theta0 stays as given) and, when R_PHE is not zero, the azimuth
    offset phi0 and the tilt about x (they enter R_1w only
    through the planar Hall term). The current-induced fields and r_ane are held at the values
    given (second order in the current). Returns the FitResult (errors from the scatter)."""
    data = [s.r1w.replace(meta={"field": float(s.meta["field"]), "phi_h": float(s.meta.get("phi_h", 0.0))})
            for s in scans]
    model = HALL_MODELS[(1, "theta")]
    nom = _nominal
    with_phe = nom(r_phe) != 0
    fixed = {"r_phe": nom(r_phe), "mu0_h_fl": nom(mu0_h_fl), "mu0_h_dl": nom(mu0_h_dl), "r_ane": nom(r_ane),
             "r_ohe": float(r_ohe), "theta0": float(theta0)}
    if r_ahe is not None:
        fixed["r_ahe"] = float(r_ahe)
    if mu0_hk is not None:
        fixed["mu0_hk"] = float(mu0_hk)
    if not with_phe:
        fixed.update(phi0=0.0, tilt_x=0.0)
    start = {"r_ahe": r_ahe0, "mu0_hk": hk0, "phi0": 0.0, "tilt_x": 0.0, "tilt_y": 0.0}
    if init is not None:
        start.update({k: init.value(k) for k in init.params})
    start.update({k: v for k, v in fixed.items()})
    if init is None:
        for i, s in enumerate(scans):
            start[f"offset_{i}"] = 0.5 * (float(np.max(s.r1w.y)) + float(np.min(s.r1w.y)))
    shared = [p.name for p in model.params if p.name != "offset"]
    return _polish(fit_global(data, [model] * len(data), shared=shared, init=start, fixed=fixed,
                              free=("tilt_y",) + (("tilt_x",) if with_phe else ()), guess=False, warn=False))


# ------------------------------------------------------------------ (d) global macrospin fit
_SHARED = ("r_ahe", "r_phe", "mu0_hk", "mu0_h_ip", "ip_axis", "phi0", "theta0", "tilt_x", "tilt_y",
           "r_ohe", "mu0_h_dl", "mu0_h_fl", "r_ane", "r_one")
#: Parameters of the macrospin models (method (d)) that ``fixed`` and ``free`` may name.
MACROSPIN_PARAMETERS = tuple(sorted({p.name for m in HALL_MODELS.values() for p in m.params}
                                    - {"offset"}))
_RESULT_NAMES = {"mu0_h_dl": "mu0_h_dl", "mu0_h_fl": "mu0_h_fl_oe", "r_ane": "r_ane", "r_one": "r_one",
                 "r_ahe": "r_ahe", "r_phe": "r_phe", "mu0_hk": "mu0_hk_eff", "mu0_h_ip": "mu0_h_ip",
                 "phi0": "phi0", "tilt_x": "tilt_x", "tilt_y": "tilt_y", "theta0": "theta0"}


def _macrospin_datasets(scans):
    """Datasets, models and ``(scan index, harmonic)`` of every curve of the global fit; a second
    harmonic that was not recorded (constant column, ``meta['no_signal']``) is left out."""
    data, models, index = [], [], []
    for i, s in enumerate(scans):
        meta_in = {"phi": ("field", "theta_h"), "theta": ("field", "phi_h"),
                   "field": ("theta_h", "phi_h", "mz_state")}[s.scan]
        for h, d in ((1, s.r1w), (2, s.r2w)):
            if h == 2 and _no_signal(s):
                continue
            extra = {k: float(s.meta.get(k, {"theta_h": 90.0, "phi_h": 0.0, "mz_state": 0}.get(k, 0.0)))
                     for k in meta_in}
            data.append(d.replace(meta=extra))
            models.append(HALL_MODELS[(h, s.scan)])
            index.append((i, h))
    return data, models, index


def _film_type(scans, fixed):
    """The film type shown by the fixed anisotropy field or by the data, and the evidence.

    Returns
    -------
    (str or None, str)
        ``'perpendicular'``, ``'in-plane'`` or None (not known), and the reason in words.
    """
    hk = fixed.get("mu0_hk")
    if hk is not None:
        return ("perpendicular" if hk > 0 else "in-plane"), f"mu0_hk = {hk:g} T given"
    states = sorted({int(s.meta.get("mz_state", 0)) for s in scans if s.scan == "field"} - {0})
    if states:
        return "perpendicular", ("field sweeps labelled with the perpendicular state(s) m_z = "
                                 + ", ".join(f"{st:+d}" for st in states)
                                 + " (a remanent perpendicular magnetisation)")
    return None, ""


def _state_levels(sweeps):
    """R_1w at zero field in each perpendicular state, from the sweeps through zero field.

    Returns
    -------
    (float, float) or None
        R_AHE = half the jump between the m_z = +1 and -1 levels (Ohm, signed: the sign of the
        Hall voltage belongs to the wiring) and the offset = their mean (Ohm); None without
        sweeps through zero field in both states.
    """
    lev = {1: [], -1: []}
    for s in sweeps:
        st = int(s.meta.get("mz_state", 0))
        x = s.r1w.x
        if st in lev and x.min() <= 0.0 <= x.max():
            o = np.argsort(x)
            lev[st].append(float(np.interp(0.0, x[o], s.r1w.y[o])))
    if not lev[1] or not lev[-1]:
        return None
    up, down = float(np.mean(lev[1])), float(np.mean(lev[-1]))
    return 0.5 * (up - down), 0.5 * (up + down)


def _hk_from_levels(sweeps, r_ahe, offset):
    """Start value of mu0_hk (T, > 0) of a perpendicular film from the first harmonic of its sweeps.

    With the field at theta_h and m near s z, the in-plane field tilts m to sin(theta_M) =
    H sin(theta_h)/H_K (Stoner-Wohlfarth, exact for an in-plane field below H_K) while
    m_z = s cos(theta_M) = (R_1w - offset)/R_AHE: the median of H sin(theta_h)/sqrt(1 - m_z^2)
    over the points with 0.3 < s m_z < 0.95. None without such points.
    """
    est = []
    for s in sweeps:
        st = int(s.meta.get("mz_state", 0))
        if st == 0:
            continue
        mz = st * (s.r1w.y - offset) / r_ahe
        sel = (mz > 0.3) & (mz < 0.95)
        sin_h = abs(math.sin(math.radians(float(s.meta.get("theta_h", 90.0)))))
        est.extend(np.abs(s.r1w.x[sel]) * sin_h / np.sqrt(1.0 - mz[sel] ** 2))
    return float(np.median(est)) if est else None


def _theta_levels(thetas):
    """R_AHE (Ohm, signed) from xz rotations through both poles: half the range of R_1w, with the
    sign of R_1w(field near +z) - R_1w(field near -z)."""
    r1all = np.concatenate([s.r1w.y for s in thetas])
    return math.copysign(0.5 * float(r1all.max() - r1all.min()), _pole_difference(thetas))


def _start_values(scans, fixed, notes):
    """Starting values of the global fit from the data (docs/hall.md, method (d)): R_PHE and phi0
    from the in-plane rotation at the highest field, R_AHE from the first harmonic's saturation
    levels (the two perpendicular states at zero field, or the poles of xz rotations), H_K and the
    torques from methods (c) and (b) where they apply, and a positive H_K for a perpendicular film.
    """
    start = {}
    kinds = {s.scan for s in scans}
    phis = [s for s in scans if s.scan == "phi"]
    thetas = [s for s in scans if s.scan == "theta"]
    sweeps = [s for s in scans if s.scan == "field"]
    if phis:
        top = max(phis, key=lambda s: abs(s.meta["field"]))
        r1, _ = _fit_quiet(top.r1w, avci_r1w)
        start["phi0"], start["r_phe"] = _phi0_branch(r1.value("phi0"), r1.value("r_phe"))
    if thetas:
        start["r_ahe"] = _theta_levels(thetas)
        try:
            a = angular(thetas, r_phe=0.0)
            start["mu0_hk"] = _nominal(a.quantities["mu0_hk_eff"])
            start["mu0_h_dl"] = _nominal(a.quantities["mu0_h_dl"])
            start["r_ane"] = _nominal(a.quantities["r_ane"])
        except (HallAnalysisError, ValueError) as exc:
            notes.append(f"start values: method (c) not usable ({exc})")
    levels = _state_levels(sweeps) if sweeps else None
    if sweeps:
        if levels is not None and "r_ahe" not in start:
            start["r_ahe"] = levels[0]
        through_zero = [s for s in sweeps if int(s.meta.get("mz_state", 0)) in (1, -1)
                        and s.r1w.x.min() < 0.0 < s.r1w.x.max()]
        try:
            h = hayashi(through_zero, r_phe=start.get("r_phe", 0.0))
            start.setdefault("mu0_hk", _nominal(h.quantities["mu0_hk_eff"]))
            start.setdefault("r_ahe", _nominal(h.quantities["r_ahe"]))
            for k in ("mu0_h_fl_oe", "mu0_h_dl"):
                if math.isfinite(h.quantities[k].std_dev):
                    start.setdefault(k.replace("_oe", ""), _nominal(h.quantities[k]))
        except (HallAnalysisError, ValueError) as exc:
            notes.append(f"start values: method (b) not usable ({exc})")
    film, _ = _film_type(scans, fixed)
    if film == "perpendicular" and "mu0_hk" not in fixed and not start.get("mu0_hk", 0.0) > 0:
        hk = _hk_from_levels(sweeps, *levels) if levels is not None and levels[0] != 0 else None
        if hk is None:
            hk = max([float(np.max(np.abs(s.r1w.x))) for s in sweeps], default=1.0)
        start["mu0_hk"] = hk
        notes.append(f"start value mu0_hk = {hk:.3g} T (perpendicular film) from the tilt of m in the first "
                     "harmonic of the sweeps")
    if kinds == {"phi"}:
        missing = [k for k in ("r_ahe", "mu0_hk") if k not in fixed]
        if missing:
            raise HallAnalysisError(
                "method (d) with in-plane rotations only: R_AHE and the anisotropy field enter only "
                f"through R_AHE H_DL/(H - H_K); fix {missing} (e.g. --r-ahe, --meff measured separately)")
    return start


class _Counted:
    """A model function that counts its calls (one per evaluation of the global fit's residual)."""

    def __init__(self, func):
        self.func, self.calls = func, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.func(*args, **kwargs)


def _evaluation_time(data, models, init, fixed):
    """Seconds one residual of the global fit takes at the starting values (all curves)."""
    import time

    t0 = time.perf_counter()
    for i, (m, d) in enumerate(zip(models, data)):
        p = m.defaults()
        for k in p:
            name = k if k in _SHARED else f"{k}_{i}"
            p[k] = float(fixed.get(k, init.get(name, init.get(k, p[k]))))
        try:
            m.func(d.x, **p, **{k: d.meta[k] for k in m.inputs})
        except Exception:  # noqa: BLE001 - a failing start is the fit's to report
            pass
    return time.perf_counter() - t0


#: Default wall-clock limit (s) of the global fit (both passes); CLI --time-limit.
TIME_LIMIT = 120.0
#: Largest rms misfit of a first harmonic, relative to the largest first-harmonic range of the set.
R1W_MISFIT = 0.02
#: Largest rms misfit of a second harmonic, relative to the largest second-harmonic range of the set
#: (above it the torque fields rest on a model that does not describe the signal that gives them).
R2W_MISFIT = 0.10
#: R_AHE from the global fit and from the first harmonic's levels may differ by at most this factor.
R_AHE_FACTOR = 2.0


def macrospin(scans: Sequence[HallScan], *, fixed: dict | None = None, init: dict | None = None,
              free: Sequence[str] = (), reweight: bool = True, sample: Sample | None = None,
              max_nfev: int | None = None, time_limit: float | None = TIME_LIMIT) -> HallResult:
    """Global macrospin fit of every scan of a sample at once (least squares).

    All first- and second-harmonic scans (any mix of phi rotations, theta rotations and field
    sweeps) are fitted with the models of :mod:`sotfit.models.harmonic_hall` through
    :func:`sotfit.fit_global`, sharing R_AHE, R_PHE, the anisotropy fields, the angle offsets
    and misalignment, mu0_h_dl, mu0_h_fl and the thermal terms; each curve keeps its own
    constant offset. Unlike methods (a)-(c) there is no small-angle, in-plane or high-field
    approximation: the equilibrium and the linear response are exact for the macrospin, so
    low fields, tilted fields and anisotropy are used rather than excluded.

    Starting values come from the data (R_AHE from the first harmonic's saturation levels, H_K
    positive for a perpendicular film, the textbook methods where they apply) and the result is
    checked against them (docs/hall.md, "Sanity gates"): R_AHE against the first harmonic's
    levels (size and sign), the sign of H_K against the film type, parameters at a bound, the
    misfit of each first harmonic, and convergence within ``time_limit``. A failed check flags
    the quantities (``HallResult.flags``).

    Weights: a first fit estimates the noise of each curve from its residuals; the final fit
    uses these as standard errors (``reweight=True``), so curves with different noise levels
    (first and second harmonic) count in proportion to their information. A second harmonic
    that was not recorded (constant column) is left out; without any, the torque fields and
    r_ane are reported as undetermined.

    Parameters
    ----------
    scans : sequence of HallScan
    fixed : dict, optional
        Parameters held at given values, e.g. ``{"r_ahe": 0.8, "mu0_hk": -0.8}`` for an
        in-plane film measured by in-plane rotations only (then required).
    init : dict, optional
        Starting values (default: from the data, see above).
    free : sequence of str
        Parameters fixed by default that should vary: ``mu0_h_ip``, ``ip_axis``, ``tilt_x``,
        ``tilt_y``, ``theta0``, ``r_one``, ``r_ohe``.
    reweight : bool
        Per-curve noise from a first fit (see above).
    sample : Sample, optional
    max_nfev : int, optional
        Limit on the evaluations of the residual in each pass.
    time_limit : float or None
        Wall-clock limit in s for the two passes together (None: none). The evaluations are
        limited to what fits in the time left, from the time of one evaluation at the start; a
        fit stopped by either limit is reported as not converged and its quantities flagged.

    Returns
    -------
    HallResult
        Quantities with correlated uncertainties from the covariance matrix; ``fits['global']``
        is the :class:`~sotfit.results.FitResult`, ``fits['curves']`` the ``(scan index,
        harmonic)`` of each of its datasets.
    """
    import dataclasses
    import time

    t_start = time.monotonic()
    scans = list(scans)
    if not scans:
        raise HallAnalysisError("method (d): no scans")
    check_names("method (d) free", free, MACROSPIN_PARAMETERS)
    check_names("method (d) fixed", fixed or {}, MACROSPIN_PARAMETERS)
    for s in scans:
        _require_first_harmonic(s, "(d) macrospin")
    notes, flags = [], {}
    _field_notes(scans, notes)
    fixed = dict(fixed or {})
    if {s.scan for s in scans} == {"field"} and "r_phe" not in fixed and "r_phe" not in free:
        # field sweeps along x and y see R_PHE only through the small mixing of the torques in the
        # second harmonic (correlated with mu0_h_fl) and through phi0 in the first: not determined
        # (the measured Ta/CoFeB loops gave 12 Ohm, a planar Hall resistance 4 times R_AHE)
        fixed["r_phe"] = 0.0
        held = "R_PHE"
        if "phi0" not in fixed and "phi0" not in free:
            fixed["phi0"] = 0.0
            held = "R_PHE and phi0"
        notes.append(f"{held} held at 0: field sweeps alone do not determine R_PHE (it enters only through "
                     "the planar-Hall mixing of the torques, correlated with mu0_h_fl); give R_PHE from an "
                     "in-plane rotation (--r-phe)")
    start = _start_values(scans, fixed, notes)
    start.update(init or {})
    data, models, index = _macrospin_datasets(scans)
    no_torque = not any(h == 2 for _, h in index)
    if no_torque:
        fixed.update({k: 0.0 for k in ("mu0_h_dl", "mu0_h_fl", "r_ane")})
        notes.append("no scan has a recorded second harmonic (constant columns): the torque fields and "
                     "r_ane are undetermined (held at 0 in the fit of the first harmonics)")
    init_all = {k: v for k, v in start.items() if k in _SHARED}
    for i, d in enumerate(data):
        init_all[f"offset_{i}"] = 0.0
    counter = _Counted(models[0].func)
    models = [dataclasses.replace(models[0], func=counter)] + list(models[1:])
    t_eval = max(_evaluation_time(data, models, init_all, fixed), 1e-6)
    kw = dict(shared=_SHARED, init=init_all, fixed=fixed, free=tuple(free), guess=False, warn=False)
    stopped = []

    def run(pass_name):
        nvary_guess = len(_SHARED) + len(data)
        limit = max_nfev
        if time_limit is not None and math.isfinite(time_limit):
            left = time_limit - (time.monotonic() - t_start)
            by_time = max(nvary_guess + 2, int(left / t_eval))
            limit = by_time if limit is None else min(limit, by_time)
        counter.calls = 0
        r = fit_global(data, models, max_nfev=limit, **kw)
        if limit is not None and counter.calls >= limit:
            stopped.append(f"{pass_name} stopped after {counter.calls} evaluations of the residual "
                           f"({time.monotonic() - t_start:.0f} s; time limit {time_limit} s, "
                           f"evaluation limit {max_nfev})")
            return r
        return _polish(r) if r.success else r

    res = run("first pass")
    if reweight and not stopped:  # a pass stopped by the limit is no base for reweighting
        sig = []
        for i, d in enumerate(data):
            r = res.residuals(i)
            sig.append(max(float(np.sqrt(np.mean(r * r))), 1e-15 * (np.max(np.abs(d.y)) + 1e-30)))
        data = [d.replace(yerr=np.full(len(d), s)) for d, s in zip(data, sig)]
        kw["init"] = {k: res.value(k) for k in res.params if k not in fixed}
        res = run("reweighted pass")
    if not res.success:
        notes.append(f"global fit: {res.message}")
    corr = res.correlation()
    if corr is not None:
        names = [n for n in res.varied]
        for a in range(len(names)):
            for b in range(a + 1, len(names)):
                if abs(corr[a, b]) > 0.95 and not (names[a].startswith("offset") or names[b].startswith("offset")):
                    notes.append(f"{names[a]} and {names[b]} are correlated ({corr[a, b]:+.3f}): the data "
                                 "constrain mainly a combination; their errors are linearised and may be "
                                 "optimistic (fix one from another measurement)")
    q = {}
    for k, name in _RESULT_NAMES.items():
        if k in res.varied or k in fixed or k in ("mu0_h_dl", "mu0_h_fl", "r_ane"):
            q[name] = res[k]
    if no_torque:
        for k in ("mu0_h_dl", "mu0_h_fl_oe", "r_ane"):
            q[k] = _undetermined()
        _flag(flags, ["mu0_h_dl", "mu0_h_fl_oe", "r_ane"],
              "undetermined: no scan has a recorded second harmonic")
    rows = []
    where = {ih: j for j, ih in enumerate(index)}
    for i, s in enumerate(scans):
        row = {"source": s.source, "scan": s.scan, "field": s.meta.get("field")}
        for h in (1, 2):
            j = where.get((i, h))
            row[f"offset_{h}w"] = res.value(f"offset_{j}") if j is not None else None
            row[f"rms_{h}w"] = float(np.sqrt(np.mean(res.residuals(j) ** 2))) if j is not None else None
        rows.append(row)
    _macrospin_gates(res, q, scans, fixed, rows, stopped, flags, notes)
    q = efficiencies(q, sample, notes)
    _zero_gate(q, flags)
    return HallResult("macrospin", q, rows, [], notes, {"global": res, "curves": index}, flags)


def _macrospin_gates(res, q, scans, fixed, rows, stopped, flags, notes):
    """Sanity gates of the global fit (docs/hall.md): convergence, bounds, the sign of H_K against
    the film type, R_AHE against the first harmonic's levels, the misfit of each first harmonic."""
    fitted = [_RESULT_NAMES[k] for k in res.varied if k in _RESULT_NAMES and _RESULT_NAMES[k] in q]
    for why in stopped:
        _flag(flags, fitted, f"global fit did not converge: {why}; the values are not an optimum "
                             "(raise the limit or start closer)")
        notes.append(f"global fit NOT CONVERGED: {why}")
    msg = res.message.split(";")[0].strip()
    if not stopped and not (msg.startswith("Fit succeeded") or msg.startswith("One or more variable")):
        _flag(flags, fitted, f"global fit did not converge ({msg})")
    for name, lo, hi in _at_bounds(res):
        if name in _RESULT_NAMES:
            _flag(flags, [_RESULT_NAMES[name]], f"at a bound of the fit ([{lo:g}, {hi:g}]): the optimum lies "
                                                "outside the allowed range")
    film, why = _film_type(scans, fixed)
    hk = q.get("mu0_hk_eff")
    if "mu0_hk" not in fixed and hk is not None and film is not None:
        if (film == "perpendicular") != (_nominal(hk) > 0):
            _flag(flags, ["mu0_hk_eff"], f"sign contradicts the film type: mu0_hk_eff = {_nominal(hk):.3g} T "
                                         f"({'easy plane' if _nominal(hk) <= 0 else 'perpendicular'}) but "
                                         f"{why} show a {film} film")
    sweeps = [s for s in scans if s.scan == "field"]
    thetas = [s for s in scans if s.scan == "theta"]
    levels = _state_levels(sweeps) if sweeps else None
    if levels is not None:
        ref, what = levels[0], "half the jump of R_1w at zero field between the m_z = +1 and -1 states"
    elif thetas:
        ref, what = _theta_levels(thetas), "half the range of R_1w over the xz rotations"
    else:
        ref = None
    scale = max(float(np.ptp(s.r1w.y)) for s in scans)
    if "r_ahe" not in fixed and "r_ahe" in q:
        r = _nominal(q["r_ahe"])
        if ref is not None and ref != 0:
            ratio = abs(r / ref)
            if not 1 / R_AHE_FACTOR <= ratio <= R_AHE_FACTOR:
                _flag(flags, ["r_ahe"], f"R_AHE = {r:.4g} Ohm is {ratio:.3g} times the first harmonic's scale "
                                        f"({ref:.4g} Ohm, {what}): not what the data show")
            if r * ref < 0:
                _flag(flags, ["r_ahe"], f"sign of R_AHE = {r:.4g} Ohm contradicts the first harmonic "
                                        f"({ref:.4g} Ohm, {what})")
        elif scale > 0 and abs(r) > R_AHE_FACTOR * scale:
            # no level of a known m_z: R_AHE larger than every change of R_1w means m_z never changes
            # by more than 1/R_AHE_FACTOR, and R_AHE rests on the model's m_z alone
            _flag(flags, ["r_ahe"], f"R_AHE = {r:.4g} Ohm is {abs(r) / scale:.3g} times the largest range of "
                                    f"R_1w in any scan ({scale:.4g} Ohm): m_z hardly changes in these data, so "
                                    "R_AHE rests on the model alone (fix it from a measurement through both "
                                    "perpendicular states)")
    bad = [(row["source"], row["rms_1w"] / scale) for row in rows
           if row["rms_1w"] is not None and scale > 0 and row["rms_1w"] > R1W_MISFIT * scale]
    if bad:
        shown = ", ".join(f"{src} ({f:.1%})" for src, f in bad[:3]) + (f" and {len(bad) - 3} more"
                                                                       if len(bad) > 3 else "")
        _flag(flags, fitted, f"the macrospin model misses the first harmonic of {shown}: rms residual above "
                             f"{R1W_MISFIT:.0%} of the largest first-harmonic range of the set")
    with2 = [s for s in scans if not _no_signal(s)]
    scale2 = max((float(np.ptp(s.r2w.y)) for s in with2), default=0.0)
    bad2 = [(row["source"], row["rms_2w"] / scale2) for row in rows
            if row["rms_2w"] is not None and scale2 > 0 and row["rms_2w"] > R2W_MISFIT * scale2]
    if bad2:
        shown = ", ".join(f"{src} ({f:.0%})" for src, f in bad2[:3]) + (f" and {len(bad2) - 3} more"
                                                                        if len(bad2) > 3 else "")
        _flag(flags, [k for k in ("mu0_h_dl", "mu0_h_fl_oe", "r_ane", "r_one") if k in q],
              f"the macrospin model misses the second harmonic of {shown}: rms residual above "
              f"{R2W_MISFIT:.0%} of the largest second-harmonic range of the set")


def pma_methods(theta_scans: Sequence[HallScan], sweeps: Sequence[HallScan], *, r_phe,
                sample: Sample | None = None, **angular_kw) -> dict:
    """Methods (c) and (b) on one perpendicular sample, each feeding the other what it lacks.

    (c) gives r_ane (the field-independent part of its slopes) without needing the field-like
    field; (b) with that r_ane subtracted gives mu0_h_fl and mu0_h_dl; (c) again with that
    mu0_h_fl gives its own mu0_h_dl. Uncertainties propagate between the steps.

    Returns
    -------
    dict
        ``{"angular": HallResult, "hayashi": HallResult}`` (the final passes).
    """
    c0 = angular(theta_scans, r_phe=r_phe, sample=sample, **angular_kw)
    b = hayashi(sweeps, r_phe=r_phe, r_ane=c0.quantities["r_ane"], sample=sample)
    c = angular(theta_scans, r_phe=r_phe, mu0_h_fl=b.quantities["mu0_h_fl_oe"], sample=sample,
                **angular_kw)
    return {"angular": c, "hayashi": b}


class _Finite:
    """A model function that returns NaN instead of raising (a walker where the macrospin has no
    equilibrium gets zero probability)."""

    def __init__(self, func):
        self.func = func

    def __call__(self, x, **kwargs):
        try:
            return self.func(x, **kwargs)
        except Exception:  # noqa: BLE001 - any failure of the model is zero probability
            return np.full(np.shape(x), np.nan)


def sample_macrospin(result: HallResult, *, nwalkers: int | None = None, nsteps: int = 2000,
                     burn: int | None = None, seed: int = 0, progress=False,
                     workers: int | None = None, scheduler: str | None = None) -> HallResult:
    """Posterior of the global macrospin fit with emcee (flat priors within the parameter bounds).

    The sampling is :func:`sotfit.bayes.sample` started from the least-squares result: Gaussian
    likelihood with the per-curve standard errors of the fit (``result`` from :func:`macrospin`,
    which must have been reweighted), walkers in a small ball around the optimum. Reported values
    are posterior medians with standard errors from the 16/84 percentiles (half their distance);
    the percentiles are in ``table``.

    Every run reports its convergence diagnostics in ``fits['diagnostics']``
    (:func:`sotfit.bayes.chain_diagnostics`: integrated autocorrelation time and chain length over
    it per parameter, effective draws, acceptance fractions, stuck walkers, converged yes/no and
    why). The quantities of a chain that is not converged (shorter than 50 autocorrelation times,
    stuck walkers, acceptance too low) are flagged (:func:`sotfit.flags.flag_mcmc`).

    Parameters
    ----------
    result : HallResult
        From :func:`macrospin`.
    nwalkers : int, optional
        Default ``max(2 ndim + 2, 16)``.
    nsteps : int
        Steps of every walker.
    burn : int, optional
        Steps discarded; default twice the largest autocorrelation time (at most half the chain).
    seed : int
    progress : bool or callable
        ``progress(done, total)`` after every step (e.g. :class:`sotfit.cli.common.Progress`), or
        ``True`` for emcee's own bar.
    workers, scheduler :
        Local processes or a dask.distributed scheduler address evaluating blocks of walkers
        at every step (:func:`sotfit.bayes.sample`); the chain is that of the serial run.

    Returns
    -------
    HallResult
        method ``'macrospin-mcmc'``; ``fits['posterior']`` is the
        :class:`~sotfit.bayes.PosteriorResult`, ``fits['chain']`` the flat chain after burn-in,
        ``fits['acceptance']`` the mean acceptance fraction.
    """
    import copy
    import dataclasses

    from ..bayes import ConvergenceWarning, sample
    from ..flags import flag_mcmc

    fit = result.fits["global"]
    if any(d.yerr is None for d in fit.datasets):
        raise HallAnalysisError("sample_macrospin needs the reweighted least-squares result (standard errors)")
    ndim = len(fit.varied)
    models = [dataclasses.replace(m, func=_Finite(m.func)) for m in fit.models]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        post = sample(list(fit.datasets), models, lsq=fit, nwalkers=nwalkers or max(2 * ndim + 2, 16),
                      nsteps=nsteps, burn=burn, seed=seed, progress=progress, vectorize=False,
                      workers=workers, scheduler=scheduler)
    diag = copy.deepcopy(dict(post.diagnostics))
    notes = list(result.notes)
    flags = {}
    q, rows = {}, []
    for n in fit.varied:
        p16, p50, p84 = post.percentiles[n]
        rows.append({"name": n, "median": p50, "p16": p16, "p84": p84, "tau": diag["autocorr_time"][n],
                     "chain_over_tau": diag["chain_over_tau"][n]})
        if n in _RESULT_NAMES:
            q[_RESULT_NAMES[n]] = ufloat(p50, 0.5 * (p84 - p16), n)
    notes.append(f"MCMC: {post.nwalkers} walkers x {post.nsteps} steps (burn {post.burn}), acceptance "
                 f"{diag['acceptance_fraction']['mean']:.2f}; "
                 + ("converged: " if diag["converged"] else "NOT CONVERGED: ") + diag["message"])
    stand_in = {}
    if flag_mcmc([stand_in], diag, "MCMC of the global fit"):
        _flag(flags, list(q), stand_in["flags"][0])
    notes.extend(str(w.message) for w in caught if not issubclass(w.category, ConvergenceWarning))
    chain = np.column_stack([post.samples[n] for n in fit.varied])
    return HallResult("macrospin-mcmc", q, rows, [], notes,
                      {"chain": chain, "names": list(fit.varied), "acceptance": diag["acceptance_fraction"]["mean"],
                       "posterior": post, "diagnostics": diag}, flags)
