"""``sotfit theory tmatrix``: T-matrix (skew-scattering) torques of the Rashba ferromagnet.

Veneri, Perkins and Ferreira (2022), T-matrix theory of the Rashba ferromagnet; see
``docs/tmatrix.md``. Examples::

    sotfit theory tmatrix --exchange 4.8meV --theta 0deg \\
        --sweep energy=-3meV:20meV:120 --out fig3a
    sotfit theory tmatrix --exchange 5meV --fermi-energy 4.5meV \\
        --sweep angle=1deg:179deg:90 --out fig4a
    sotfit theory tmatrix --sweep energy=0meV:20meV:100 --sweep angle=1deg:179deg:50 --out map

A negative value follows its option as any other (``--fermi-energy -2meV``). Writes ``efficiencies.csv``
(one row per point, units in the headers), ``summary.json`` (parameters and ranges with units)
and figures.
"""

from __future__ import annotations

import argparse
import csv
import math

import numpy as np

from ..checks import check_number
from ..models.grid_convergence import estimate_entry
from ..models.tmatrix.model import HBAR2_2ME_MEV_NM2, MIN_RAYS, TMatrixError

#: hbar^2/(2 m_e), eV nm^2.
HBAR2_2ME_EV_NM2 = 1e-3 * HBAR2_2ME_MEV_NM2
from ..models.tmatrix.sweep import tmatrix_sweep
from ..units import UnitError, quantity
from .common import (
    workers_of,
    MEMORY_LIMIT_BYTES, WORK_LIMIT_S,
    split_sweep, CLIError, Progress, add_figure_option, axis_points, check_workload, add_output_options, add_parallel_options, flag_status,
    integer_type, number_type, one_point_grid, parallel_options, quantity_type, stage_out_dir,
    write_summary,
)


def alpha_type(text):
    """Rashba coupling: '1.7e-11eVm', '17meVnm', '0.17eVA' -> eV nm."""
    try:
        return check_number(f"Rashba alpha {text!r}", quantity(text, "rashba"))
    except UnitError as exc:
        raise argparse.ArgumentTypeError(
            f"Rashba alpha {text!r}: give a unit, one of eV m, eV nm, meV nm, eV A ({exc})") from None
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


#: Range of the impurity density (nm^-2). At leading order in n the efficiencies do not depend
#: on it (K and sigma both go as 1/n), but below 1e-8 nm^-2 (one impurity in 100 um^2) the
#: linear algebra loses digits (1e-11 nm^-2 gave tau 0.2 % off unflagged, 1e-12 13 % off and
#: a flag naming the rays, smaller ones 'Singular matrix'); above 1 nm^-2 (an impurity per
#: nm^2) nothing is dilute ('Singular matrix' at 1e30/m2).
DENSITY_RANGE = (1e-8, 1.0)


#: The Fermi energy (eV) of a run without --fermi-energy or an energy sweep.
DEFAULT_FERMI_ENERGY = quantity("5.5meV", "energy")


def density_type(text):
    """Impurity density: '5e14/m2', '5e-4/nm2', '5e10/cm2' -> nm^-2."""
    try:
        v = quantity(text, "areal_density")
    except UnitError as exc:
        raise argparse.ArgumentTypeError(
            f"impurity density {text!r}: give a unit, one of /m2, /nm2, /cm2 ({exc})") from None
    try:
        v = check_number(f"impurity density {text!r}", v, positive=True)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    lo, hi = DENSITY_RANGE
    if not lo <= v <= hi:
        raise argparse.ArgumentTypeError(
            f"impurity density {text!r} = {v:.3g}/nm2 lies outside {lo:g} to {hi:g}/nm2 "
            f"({lo * 1e18:g} to {hi * 1e18:g}/m2): the efficiencies, of leading order in the "
            "density, do not depend on it, and beyond that range its digits are lost or "
            "nothing is dilute")
    return v


def sweep_type(text):
    """'energy=START:STOP:N' (energies with units) or 'angle=START:STOP:N' (angles)."""
    name, start, stop, num = split_sweep(text, "energy=1meV:20meV:40 or angle=1deg:179deg:90")
    axis_points(f"--sweep {text!r}", num)
    name = name.lower()
    if name not in ("energy", "angle"):
        raise argparse.ArgumentTypeError(f"--sweep {text!r}: name must be energy or angle, N >= 1")
    dim = "energy" if name == "energy" else "angle"
    if dim == "angle":
        # bare angles are degrees (docs/CONVENTIONS.md), as --theta takes them (a bare number
        # that looks like radians refused); energies need units
        parse = quantity_type("angle", "deg")
        try:
            lo, hi = parse(start), parse(stop)
        except argparse.ArgumentTypeError as exc:
            raise argparse.ArgumentTypeError(f"--sweep {text!r}: {exc}") from None
        one_point_grid(f"--sweep {text!r}", lo, hi, num)
        return name, np.linspace(lo, hi, num)
    try:
        lo, hi = (check_number(f"--sweep {text!r}: {end}", quantity(v, dim))
                  for end, v in (("START", start), ("STOP", stop)))
    except ValueError as exc:  # UnitError too
        raise argparse.ArgumentTypeError(f"--sweep {text!r}: {exc}") from None
    one_point_grid(f"--sweep {text!r}", lo, hi, num)
    return name, np.linspace(lo, hi, num)


def add_parser(subparsers) -> None:
    """Register ``sotfit theory tmatrix``."""
    p = subparsers.add_parser(
        "tmatrix", help="skew-scattering (T-matrix) torques of the disordered Rashba ferromagnet",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    energy = quantity_type("energy")
    p.add_argument("--fermi-energy", type=energy, default=None,
                   help="Fermi energy (default 5.5meV; not with --sweep energy=...)")
    p.add_argument("--theta", type=quantity_type("angle", "deg"), default=None,
                   help="magnetisation angle from +z (default 0deg; not with --sweep angle=...)")
    p.add_argument("--exchange", type=energy, default=quantity("5meV", "energy"),
                   help="exchange energy Delta_xc of Delta_xc m.s, splitting 2 Delta_xc "
                        "(default 5meV)")
    p.add_argument("--alpha", type=alpha_type, default=0.017,
                   help="Rashba coupling hbar*alpha of alpha (k_x s_y - k_y s_x), splitting "
                        "2 alpha k, e.g. 1.7e-11eVm (default); 'theory kp --alpha-r' is -2 alpha")
    p.add_argument("--u", type=energy, default=1.8,
                   help="impurity potential u of W = u R^2 delta(r) (default 1.8eV)")
    p.add_argument("--radius", type=quantity_type("length", positive=True, limit=True), default=0.2,
                   help="impurity range R; cutoff 1/R (default 0.2nm)")
    p.add_argument("--density", type=density_type, default=5e-4,
                   help="impurity density (default 5e14/m2)")
    p.add_argument("--mass", type=number_type(positive=True), default=0.8,
                   help="effective mass m*/m_e (default 0.8)")
    p.add_argument("--approximation", choices=("tmatrix", "born"), default="tmatrix",
                   help="full T-matrix or first Born (no skew scattering)")
    p.add_argument("--normalisation", choices=("tensor", "longitudinal"), default="tensor",
                   help="K_J = K sigma^-1 (eq. 2, default) or K/sigma_xx (as Veneri et al. 2022, eq. 34)")
    p.add_argument("--velocity", type=number_type(positive=True), default=5e4,
                   help="v of theta = -2 e v K_J, m/s (default 5e4)")
    p.add_argument("--n-phi", type=integer_type(
                       MIN_RAYS, MAX_RAYS, "each ray's scattering sums over every other ray: "
                       "its cost grows as the square of the rays; 128 converge the published curves"),
                   default=128, help=f"rays per Fermi ring ({MIN_RAYS}-{MAX_RAYS}, default 128)")
    p.add_argument("--sweep", type=sweep_type, action="append", default=[],
                   help="energy=START:STOP:N or angle=START:STOP:N; give both for a map")
    add_parallel_options(p, "the rows of the map (batches of whole rows, the same results)")
    add_output_options(p)
    add_figure_option(p)
    p.set_defaults(func=run)


#: Most rays per Fermi ring the command takes (the cost of a point grows as their square).
MAX_RAYS = 8192

#: Seconds per map point and ray of the T-matrix sweep with its ray check (a lower bound of the
#: 8-15 us measured on a shared 2-core machine at 128 and 2048 rays), and bytes each point
#: holds until the table is written (its row of some 40 named numbers).
SECONDS_PER_POINT_RAY = 2e-6
BYTES_PER_POINT = 3e3


def check_tmatrix_workload(args, n_energy: int, n_angle: int) -> None:
    """Refuse a sweep or map whose own estimate of time or memory is far beyond what ends,
    naming the sweeps and --n-phi ('--sweep energy=0meV:20meV:100000000' ran until stopped)."""
    points = n_energy * n_angle
    workers = workers_of(args)
    options = " ".join([f"--sweep {n}=...:{k}" for n, k in (("energy", n_energy),
                                                             ("angle", n_angle)) if k > 1]
                       + [f"--n-phi {args.n_phi}"])
    per = SECONDS_PER_POINT_RAY * args.n_phi
    fit = int(min(WORK_LIMIT_S * workers / per, MEMORY_LIMIT_BYTES / BYTES_PER_POINT))
    check_workload(options, f"{points} points at about {1e3 * per:.3g} ms each", points * per
                   / workers, workers=workers, memory=points * BYTES_PER_POINT,
                   largest=f"at most about {fit} points with these settings",
                   beyond="split the sweep over several runs" + (
                       ", or divide the rows of the map over more --workers" if n_angle > 1
                       and n_energy > 1 else ""))


#: (spin, current) components of the K and theta columns of the table.
_COMPONENTS = [("x", "x"), ("x", "y"), ("y", "x"), ("y", "y"), ("z", "x"), ("z", "y")]


def _table_rows(res, energies, thetas_deg) -> list[dict]:
    """One row per (Fermi energy, angle) of the map, the unit of every number in its header."""
    rows = []
    csc = res["charge_to_spin"]
    for i, e in enumerate(energies):
        for j, th in enumerate(thetas_deg):
            row = {"fermi_energy (meV)": 1e3 * e, "theta (deg)": th,
                   "n_bands": int(res["n_bands"][i, j]), "valid": bool(res["valid"][i, j]),
                   "broadening_ratio": res["broadening_ratio"][i, j]}
            for key in ("tau1_e", "tau2_e", "tau1_o", "tau2_o"):
                row[f"{key} (1/(A m))"] = res[key][i, j]
            row["dl_fl_ratio"] = res["tau1_e"][i, j] / res["tau1_o"][i, j]
            for a, b in _COMPONENTS:
                ia, ib = "xyz".index(a), "xy".index(b)
                row[f"theta_{a}{b}"] = csc[i, j, ia, ib]
            for a, b in _COMPONENTS:
                ia, ib = "xyz".index(a), "xy".index(b)
                row[f"K_{a}{b} (1/(V m))"] = res["K"][i, j, ia, ib]
            for a, b in _COMPONENTS[:4]:
                row[f"sigma_{a}{b} (S)"] = res["sigma"][i, j, "xy".index(a), "xy".index(b)]
            rows.append(row)
    return rows


#: |tau^e| / |tau_1^o| below which the damping-like (even) efficiencies are the rounding of the
#: response: with --u 1e-7eV the DL/FL ratio came out 1.8e-17 for the 1.5e-17 of its u^2 law,
#: of the other sign, and 19 times it at 3e-8 eV, with exit 0 and no word (1.2e-16 at 3e-7 eV
#: was 14 % off, 1.5e-15 at 1e-6 eV 1 %).
EVEN_AT_ROUNDING = 1e-15


def _rounding_note(res, args) -> dict:
    """An ``even_efficiencies_at_rounding`` note where tau_1^e and tau_2^e of a point lie below
    :data:`EVEN_AT_ROUNDING` of its tau_1^o: their value and sign there are rounding (zero by
    construction in the first Born approximation, or of order u^2 for weak impurities)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.abs(np.asarray(res["tau1_o"], float))
        low = np.ones(scale.shape, bool)
        for key in ("tau1_e", "tau2_e"):
            v = np.abs(np.asarray(res[key], float))
            low &= ~(v >= EVEN_AT_ROUNDING * scale)     # NaN (undefined) counts as low
        low &= np.isfinite(scale) & (scale > 0) & np.isfinite(np.asarray(res["tau1_e"], float))
    n = int(low.sum())
    if not n:
        return {}
    why = ("zero by construction in the first Born approximation" if args.approximation ==
           "born" else "the skew scattering of impurities this weak, of order u^2, is below "
                       "what double precision resolves")
    return {"even_efficiencies_at_rounding": {
        "points": n, "threshold": EVEN_AT_ROUNDING,
        "note": f"{n} point(s) have tau_1^e and tau_2^e below {EVEN_AT_ROUNDING:g} of tau_1^o: "
                "their values there, and the DL/FL ratio, lie within ten times the rounding of "
                f"tau_1^o (1e-16 of it) and may be off in value and sign ({why})"}}


def _summary(args, res, energies, thetas_deg) -> dict:
    """summary.json: parameters and ranges with their units, band edges, counts."""
    thc, edges = res["critical_angle"], res["band_edges_mev"]
    return {
        "source": "Veneri, Perkins and Ferreira, T-matrix theory (leading order in impurity density; docs/tmatrix.md)",
        "hamiltonian": "H = hbar^2 k^2/2m* + alpha (k_x s_y - k_y s_x) + Delta_xc m.s (s: Pauli "
                       "matrices; Rashba splitting 2 alpha k, exchange splitting 2 Delta_xc; "
                       "it is 'theory kp --model 2deg', -(alpha_R/2)(z x k).s - (J_ex/2) m.s, "
                       "with alpha_R = -2 alpha and J_ex = -2 Delta_xc)",
        "parameters": {
            "exchange": {"value": args.exchange, "unit": "eV"},
            "alpha": {"value": args.alpha, "unit": "eV nm"},
            "u": {"value": args.u, "unit": "eV"},
            "radius": {"value": args.radius, "unit": "nm"},
            "density": {"value": args.density, "unit": "nm^-2"},
            "mass": {"value": args.mass, "unit": "m_e"},
            "velocity": {"value": args.velocity, "unit": "m/s"},
            "approximation": args.approximation, "normalisation": args.normalisation,
            "n_phi": args.n_phi,
        },
        "energies": {"values": (1e3 * energies).tolist(), "unit": "meV"},
        "thetas": {"values": np.asarray(thetas_deg).tolist(), "unit": "deg"},
        "critical_angle": {"value": None if not math.isfinite(thc) else math.degrees(thc),
                           "unit": "deg"},
        "band_edges": {"lower": edges[:, 0].tolist(), "upper": edges[:, 1].tolist(),
                       "unit": "meV", "note": "bottoms of the two bands at each angle; the "
                       "upper band bottom is the spin-gap edge"},
        "points": int(energies.size * thetas_deg.size),
        "points_beyond_dilute_limit": int((~res["valid"] & ~_below_band(res, energies)).sum()),
        "points_below_band": int(_below_band(res, energies).sum()),
        **_undefined_efficiencies(res, thetas_deg),
        **_ray_convergence(res),
        "conventions": _CONVENTIONS,
        "files": ["efficiencies.csv"],
    }


#: What the numbers of efficiencies.csv are (docs/tmatrix.md, "Model and units").
_CONVENTIONS = (
    "spin in units of <s> (Pauli matrices, not hbar/2); S_a = K_ab E_b with K in 1/(V m); "
    "K_J = K sigma^-1 (normalisation 'tensor') or K/sigma_xx ('longitudinal'), per unit current "
    "density; the efficiencies tau (1/(A m)) are seed 002's eq. (4) combinations of K_J, "
    "theta_ab = -2 e v K_J,ab with e < 0; dl_fl_ratio = tau_1^e/tau_1^o; see docs/tmatrix.md")


def _below_band(res, energies) -> np.ndarray:
    """(NE, NT) bool: the points whose Fermi energy lies below the bottom of the lower band at
    their angle (no Fermi surface; left blank, ``n_bands = 0``)."""
    lower = np.asarray(res["band_edges_mev"], float)[:, 0]
    return (1e3 * np.asarray(energies, float)[:, None] < lower[None, :]) & (res["n_bands"] == 0)


def _ray_convergence(res) -> dict:
    """A ``ray_convergence`` entry, flagged when the estimated error of the ring integrals is
    above :data:`~sotfit.models.grid_convergence.ESTIMATE_TOLERANCE` (``--n-phi 8`` gave
    damping-like efficiencies 7-19 % off with no word)."""
    conv = res.get("ray_convergence")
    if conv is None:
        return {}
    energy, theta = conv["at"] or (math.nan, math.nan)
    entry = estimate_entry(
        conv["error"], conv["quantity"], f"{conv['n_phi']} rays per Fermi ring",
        " and ".join(map(str, conv["n_phi_compared"])) + " rays",
        f"{1e3 * energy:.4g} meV, theta = {math.degrees(theta):.4g} deg", "raise --n-phi",
        n_phi=conv["n_phi"], compared_with_n_phi=conv["n_phi_compared"])
    return {"ray_convergence": entry}


def _undefined_efficiencies(res, thetas_deg) -> dict:
    """An ``undefined_efficiencies`` entry where points inside the dilute limit have no
    efficiency: the decomposition of K_J (seed 002, eq. 4) divides by m_z (every efficiency) and
    m_x (tau_2). Flagged for the points with none of them (at theta = 90 deg an all-NaN table
    came out with no flag, --strict exit 0); a note for the points where only some are
    undefined (tau_2 with m along z, the default angle: the other efficiencies are there, and a
    flag made every default run end flagged). K_J, sigma and theta are defined everywhere."""
    keys = ("tau1_e", "tau2_e", "tau1_o", "tau2_o")
    taus = np.stack([np.asarray(res[k], float) for k in keys])
    valid = np.asarray(res["valid"], bool)
    undefined = valid & ~np.all(np.isfinite(taus), axis=0)
    if not undefined.any():
        return {}
    none_at_all = valid & ~np.any(np.isfinite(taus), axis=0)
    partial = undefined & ~none_at_all

    def angles(mask):
        return sorted({float(t) for t in np.asarray(thetas_deg)[np.nonzero(mask)[1]]})

    def said(mask, what):
        return (f"{int(mask.sum())} point(s) inside the dilute limit have {what} (NaN in "
                f"efficiencies.csv) at theta = {', '.join(f'{a:g}' for a in angles(mask))} deg: "
                "the decomposition of K_J (seed 002, eq. 4) divides by m_z (every efficiency) "
                "and m_x (tau_2), so they are not defined with m in the plane (or along z for "
                "tau_2); K_J, sigma and theta in the table are defined there")

    lacking = [k for k, t in zip(keys, taus) if not np.all(np.isfinite(t[undefined]))]
    entry = {"count": int(undefined.sum()), "thetas_deg": angles(undefined), "missing": lacking}
    if none_at_all.any():
        entry["flags"] = [said(none_at_all, "no efficiency")]
    if partial.any():
        some = [k for k, t in zip(keys, taus) if not np.all(np.isfinite(t[partial]))]
        entry["note"] = said(partial, f"no {', '.join(some)} (the other efficiencies are "
                                      "there)")
    return {"undefined_efficiencies": entry}


def _figures(args, res, energies, thetas_deg):
    """(file name, figure) of the map, the energy sweep or the angle sweep."""
    from ..plot.tmatrix import angle_sweep_figure, energy_sweep_figure, map_figure

    thc, edges = res["critical_angle"], res["band_edges_mev"]
    if energies.size > 1 and thetas_deg.size > 1:
        return [("map.png", map_figure(res, band_edges_mev=edges))]
    if energies.size > 1:
        edge = float(edges[0, 1])
        return [("energy_sweep.png", energy_sweep_figure(
            {**res, "K_J": res["K_J"][:, 0], "K": res["K"][:, 0]}, velocity=args.velocity,
            gap_edge_mev=edge))]
    if thetas_deg.size > 1:
        return [("angle_sweep.png", angle_sweep_figure(
            res, critical_deg=math.degrees(thc) if math.isfinite(thc) else None))]
    return []


def _print_summary(args, res, summary) -> None:
    n_bad = summary["points_beyond_dilute_limit"]
    thc = res["critical_angle"]
    ratio = np.abs(res["tau1_e"] / res["tau1_o"])
    print(f"sotfit theory tmatrix: {summary['points']} points")
    if np.any(np.isfinite(ratio)):
        print(f"  |tau1_e/tau1_o|: max {np.nanmax(ratio):.3g}, median {np.nanmedian(ratio):.3g}")
    if math.isfinite(thc):
        print(f"  critical angle (Fermi level meets the upper band): {math.degrees(thc):.2f} deg")
    if n_bad:
        print(f"  {n_bad} point(s) beyond the dilute limit (within ~10 n*Gamma of a band edge) "
              "were left blank (NaN)")
    note = summary.get("undefined_efficiencies", {}).get("note")
    if note:
        print(f"  note: {note}")
    if "even_efficiencies_at_rounding" in summary:
        print(f"  note: {summary['even_efficiencies_at_rounding']['note']}")
    if summary["points_below_band"]:
        print(f"  {summary['points_below_band']} point(s) below the bottom of the lower band (no "
              "Fermi surface) were left blank (NaN)")


def run(args) -> int:
    """Compute the sweep, write the table, summary and figures; print a short summary."""
    sweeps = dict(args.sweep)
    if len(sweeps) != len(args.sweep):
        raise CLIError("each of --sweep energy=... and --sweep angle=... may be given once")
    for name, option, value in (("energy", "--fermi-energy", args.fermi_energy),
                                ("angle", "--theta", args.theta)):
        if name in sweeps and value is not None:
            # the option was dropped without a word, the sweep's values computed instead
            raise CLIError(f"{option} gives one {name} and --sweep {name}=... sweeps it: "
                           "give one of them")
    energies = sweeps.get("energy", np.array([DEFAULT_FERMI_ENERGY if args.fermi_energy is None
                                              else args.fermi_energy]))
    thetas_deg = sweeps.get("angle", np.array([0.0 if args.theta is None else args.theta]))
    check_tmatrix_workload(args, energies.size, thetas_deg.size)
    if args.u == 0:
        raise CLIError("--u 0eV: impurities that do not scatter; the efficiencies are per "
                       "scattering rate and not defined without one (give the impurity "
                       "potential, e.g. --u 1.8eV)")
    try:
        res = tmatrix_sweep(
            energies, np.radians(thetas_deg), exchange=args.exchange, alpha=args.alpha, u=args.u,
            radius=args.radius, density=args.density, mass=args.mass,
            approximation=args.approximation, normalisation=args.normalisation,
            n_phi=args.n_phi, velocity=args.velocity, progress=Progress("tmatrix"),
            **parallel_options(args))
    except TMatrixError as exc:
        raise CLIError(str(exc)) from None
    except np.linalg.LinAlgError as exc:
        # impurities too weak for the arithmetic ('--u 1e-9eV' or '--radius 1e-6nm' ended in
        # 'error: Singular matrix', naming no option): the response goes as 1/(n W^2)
        w = args.u * args.radius**2
        rate = args.density * w**2 * args.mass / (2 * HBAR2_2ME_EV_NM2)
        raise CLIError(f"the response could not be solved ({exc}) at an impurity strength "
                       f"W = u R^2 = {w:.3g} eV nm^2 (--u {args.u:g}eV, --radius "
                       f"{args.radius:g}nm) and --density {args.density:g}/nm2: the Born "
                       f"broadening n W^2 m*/hbar^2 = {rate:.3g} eV is beyond what double "
                       "precision resolves against the band energies; give W of 1e-5 eV nm^2 or "
                       "more (u = 1e-3 eV at R = 0.2 nm is already in the weak-scattering limit, "
                       "where the efficiencies go as powers of u; docs/tmatrix.md)") from None
    below = _below_band(res, energies)
    if np.all(below):
        raise CLIError(f"every Fermi energy lies below the bottom of the lower band (at "
                       f"{np.min(res['band_edges_mev'][:, 0]):.4g} meV or above): there is no "
                       "Fermi surface; give energies above it")
    if not np.any(res["valid"]):
        raise CLIError("every point is beyond the dilute limit (n*Gamma not small against "
                       "alpha*p_F or the Fermi energy above a band edge); lower --density or --u")
    out = stage_out_dir(args)
    rows = _table_rows(res, energies, thetas_deg)
    with open(out / "efficiencies.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    summary = _summary(args, res, energies, np.asarray(thetas_deg))
    summary.update(_rounding_note(res, args))
    if not args.no_figures:
        from ..plot import save

        for name, fig in _figures(args, res, energies, np.asarray(thetas_deg)):
            save(fig, out / name, overwrite=True)
            summary["files"].append(name)
    flags = write_summary(summary, out)
    _print_summary(args, res, summary)
    return flag_status(args, flags)
