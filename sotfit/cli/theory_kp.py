"""``sotfit theory kp``: spin densities and torques of k·p band models against mu.

Examples::

    sotfit theory kp --model tmdc --tmdc WSe2 --twist 0 --lambda-r 1meV --tau 3ps \\
        --temperature 25.7meV --theta-e 45deg --field 0.2mV/nm --sweep mu=-1.5:1.5:200 --out wse2
    sotfit theory kp --model 2deg --alpha-r 0.01 --j-ex 52meV --tau 0.5ps --sweep mu=-0.02:0.1:60 --out rashba
    sotfit theory kp --model dirac --method kubo --eta 2meV --sweep mu=-0.15:0.15:61 --out dirac

Writes into DIR: ``spin_density.csv`` (one row per mu, units in the headers), ``summary.json``
(parameters and extrema, each with its unit), ``figures/`` (spin density and torque against mu;
with ``--map`` a map over a second parameter and ``map.csv``).
"""

from __future__ import annotations

import argparse
import csv
from functools import partial
from pathlib import Path

import numpy as np
from scipy import constants as _C

from ..checks import check_names, check_number
from ..models.grid_convergence import GRID_TOLERANCE, estimate_entry
from ..models.kp.build import kp_model, magnetisation
from ..models.kp.operators import HBAR_EV_PS
from ..models.kp.specs import KP_MODELS
from ..models.kp.sweep import S_ZERO, kp_theory
from .common import (
    workers_of,
    WORK_LIMIT_S,
    CLIError, Progress, axis_points, check_workload, dumps_json, add_figure_option,
    add_output_options, add_parallel_options, flag_status, given_once, integer_type, one_point_grid, refuse_idle_parallel,
    number_type, quantity_type, refuse_unused_options, stage_out_dir, sweep_ends, write_summary,
)

#: k_B T in eV per kelvin (scipy.constants: k_B / e).
EV_PER_KELVIN = _C.k / _C.e
#: Largest --temperature, as k_B T in eV.
TEMPERATURE_MAX_EV = 1.0
#: Units of a temperature in kelvin that --temperature takes, and their factor to kelvin.
_KELVIN_UNITS = (("mK", 1e-3), ("K", 1.0))


def temperature_type(text: str) -> float:
    """``--temperature``: k_B T in eV, given as an energy (``25.85meV``) or as a temperature in
    kelvin (``300K``, ``300mK``), converted with k_B of scipy.constants ('300K' was refused as
    an unknown energy unit).

    Parameters
    ----------
    text : str
        The option's value.

    Returns
    -------
    float
        k_B T in eV, at least 0 and at most :data:`TEMPERATURE_MAX_EV`.

    Raises
    ------
    argparse.ArgumentTypeError
        A value that is neither, negative, or beyond 1 eV (11605 K).
    """
    raw = str(text).strip()
    unit = next(((u, f) for u, f in _KELVIN_UNITS if raw.endswith(u)), None)
    try:
        if unit is None:          # no energy unit ends in K
            return _ENERGY_TEMPERATURE(raw)
        try:
            number = float(raw[:-len(unit[0])])
        except ValueError:
            raise ValueError(f"{text!r}: no number before {unit[0]}") from None
        t = check_number(repr(text), number * unit[1], nonnegative=True,
                         maximum=TEMPERATURE_MAX_EV / EV_PER_KELVIN, unit="K")
        return t * EV_PER_KELVIN
    except (ValueError, argparse.ArgumentTypeError) as exc:
        raise argparse.ArgumentTypeError(
            f"{exc}; give k_B T as an energy (25.85meV) or the temperature in kelvin "
            "(300K)") from None


_ENERGY_TEMPERATURE = quantity_type("energy", nonnegative=True, maximum=f"{TEMPERATURE_MAX_EV:g}eV")


def kelvin(k_b_t: float) -> float:
    """The temperature in kelvin of ``k_b_t`` = k_B T in eV."""
    return k_b_t / EV_PER_KELVIN


MAP_PARAMETERS = {"lambda_r": ("energy", "eV"), "j_ex": ("energy", "eV"), "twist": ("angle", "deg"),
                  "gate": (None, "V/nm"), "theta_m": ("angle", "deg"), "b_c": ("energy", "eV"),
                  "b_v": ("energy", "eV")}


def _range(text: str, dimension, unit, what: str):
    """Parse NAME=START:STOP:N -> (name, array in house units)."""
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"{what} must look like NAME=START:STOP:N, got {text!r}")
    name, spec = text.split("=", 1)
    parts = spec.split(":")
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"{what} {text!r}: need START:STOP:N")
    try:
        n = int(parts[2])
        # 'mu=-150meV:150:3' read the bare end in eV: -0.15 to 150 eV without a word
        a, b = sweep_ends(parts[:2], dimension, unit, limit=dimension == "energy")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{what} {text!r}: {exc}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{what} {text!r}: N must be >= 1")
    axis_points(f"{what} {text!r}", n)
    one_point_grid(f"{what} {text!r}", a, b, n)
    return name.strip(), np.linspace(a, b, n)


def _sweep_type(text):
    name, vals = _range(text, "energy", "eV", "--sweep")
    if name != "mu":
        raise argparse.ArgumentTypeError(f"--sweep sweeps the chemical potential: use mu=START:STOP:N, got {name!r}")
    return vals


def _map_type(text):
    name = text.split("=", 1)[0].strip()
    if name not in MAP_PARAMETERS:
        raise argparse.ArgumentTypeError(f"--map {name!r}: choose one of {sorted(MAP_PARAMETERS)}")
    dim, unit = MAP_PARAMETERS[name]
    return _range(text, dim, unit, "--map")


def _decompose_type(text):
    """'N_THETA,N_PHI' -> (n_theta, n_phi), checked by :func:`magnetisation_set`."""
    from ..models.kp.sweep import magnetisation_set

    try:
        nt, nph = (int(v) for v in text.split(","))
        magnetisation_set(nt, nph)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: write N_THETA,N_PHI ({exc})") from None
    return nt, nph


def add_parser(subparsers) -> None:
    """Register ``sotfit theory kp``."""
    p = subparsers.add_parser(
        "kp", help="k.p band models: Boltzmann and Kubo-Bastin spin densities and torques",
        description="Current-induced spin density S and torque tau = J m x S of a k.p model "
                    "(2DEG Rashba ferromagnet, Dirac model, TMDC/CrI3) against the chemical potential.")
    p.add_argument("--model", required=True, choices=["tmdc", "dirac", "2deg"],
                   help="the k.p Hamiltonian: TMDC/CrI3 (seed 000), a magnetic Dirac surface, or "
                        "the Rashba 2DEG (docs/kp.md)")
    p.add_argument("--method", choices=["boltzmann", "kubo"], default="boltzmann",
                   help="Boltzmann (relaxation time, intraband) or Kubo-Bastin (both parts, "
                        "Lorentzian broadening) linear response")
    # appended, so that a second one is refused (argparse kept the last without a word)
    p.add_argument("--sweep", type=_sweep_type, action="append", required=True,
                   metavar="mu=START:STOP:N",
                   help="chemical potentials, e.g. mu=-1.5:1.5:200 (eV) or mu=-20meV:80meV:50 "
                        "(once)")
    p.add_argument("--map", type=_map_type, action="append", metavar="NAME=START:STOP:N",
                   help="also map the torque over a second parameter "
                        f"({', '.join(MAP_PARAMETERS)}) (once)")
    g = p.add_argument_group("model parameters")
    g.add_argument("--tmdc", default="WSe2", help="tmdc: WSe2 or MoSe2 (Majidi et al. 2025, Table I)")
    energy = quantity_type("energy", limit=True)
    g.add_argument("--twist", type=quantity_type("angle", "deg"), default=0.0,
                   help="tmdc: twist angle (Table I has 0 and 30deg; others need --table)")
    g.add_argument("--gate", type=number_type(), default=0.0,
                   help="tmdc: gate field in V/nm (needs --table)")
    g.add_argument("--table", type=Path, help="tmdc: CSV of parameters over (twist, gate), "
                   "interpolated bicubically (format of data/kp/tmdc_cri3_table1.csv + 'gate (V/nm)')")
    g.add_argument("--lambda-r", type=energy, help="Rashba coupling (tmdc, dirac), e.g. 1meV "
                   "(default: tmdc 1meV, dirac 8meV)")
    g.add_argument("--alpha-r", type=quantity_type("rashba", "eVnm", limit=True),
                   help="2deg: Rashba constant alpha_R of -(alpha_R/2)(z x k).s, e.g. 0.01eVnm, "
                        "10meVnm or 0.1eVA (a bare number in eV nm); 'theory tmatrix --alpha a' "
                        "is alpha_R = -2a (docs/kp.md) (default 10meVnm)")
    g.add_argument("--j-ex", type=energy, help="2deg, dirac: exchange splitting J_ex of "
                   "-(J_ex/2) m.s, e.g. 52meV ('theory tmatrix --exchange D' is J_ex = -2D, i.e. "
                   "2D with m reversed) (default: 2deg 50meV, dirac 60meV)")
    g.add_argument("--m-eff", type=number_type(positive=True),
                   help="2deg: effective mass (electron masses) (default 1)")
    g.add_argument("--hbar-v", type=quantity_type("rashba", "eVnm", positive=True, limit=True),
                   help="dirac: hbar v, e.g. 0.6582eVnm or 6.582eVA (a bare number in eV nm) "
                        "(default 0.6582eVnm)")
    g.add_argument("--delta", type=energy, help="dirac: mass Delta, e.g. 10meV (default 8meV)")
    g.add_argument("--theta-m", type=quantity_type("angle", "deg"), default=0.0,
                   help="magnetisation polar angle from z (default 0deg)")
    g.add_argument("--phi-m", type=quantity_type("angle", "deg"), default=0.0,
                   help="magnetisation azimuth from x (default 0deg)")
    r = p.add_argument_group("response")
    r.add_argument("--tau", type=quantity_type("time", positive=True, limit=True),
                   help="relaxation time of --method boltzmann, e.g. 3ps (default 1ps); "
                        "--method kubo takes tau = hbar/(2 eta) from its --eta")
    r.add_argument("--temperature", type=temperature_type, default=0.0,
                   help="k_B T as an energy, e.g. 25.85meV, or the temperature in kelvin, "
                        "e.g. 300K (the same; default 0: exact Fermi contours)")
    r.add_argument("--eta", type=quantity_type("energy", positive=True, maximum="1eV"),
                   help="broadening of --method kubo (needed there), e.g. 2meV; its relaxation "
                        "time is tau = hbar/(2 eta) (0.329meV for 1ps)")
    r.add_argument("--theta-e", type=quantity_type("angle", "deg"), default=0.0,
                   help="field direction from x (default 0deg)")
    r.add_argument("--field", type=quantity_type("electric_field", positive=True, limit=True),
                   default=2e5,
                   help="electric field for S and tau, e.g. 0.2mV/nm (the default)")
    r.add_argument("--second-order", action="store_true", help="also the second-order intra-band term")
    r.add_argument("--decompose", metavar="N_THETA,N_PHI", type=_decompose_type,
                   help="also compute S on a set of magnetisation directions (odd N_THETA, even "
                        "N_PHI, e.g. 5,4) and write chi_FL, xi_FL, chi_DL, chi_par, chi_perp "
                        "(Medina Duenas et al. 2023, eqs. 1-2) against mu to chis.csv")
    r.add_argument("--kmax", type=number_type(positive=True),
                   help="k-grid radius in 1/nm (default: beyond every contour)")
    r.add_argument("--n-phi", type=integer_type(3), default=32,
                   help="azimuths of the k-grid (>= 3, default 32)")
    add_parallel_options(p, "the rows of --map and the directions of --decompose (the same "
                            "results)")
    add_output_options(p)
    add_figure_option(p)
    p.add_argument("--json", action="store_true", help="print summary.json instead of a text summary")
    p.set_defaults(func=run)


#: Relaxation time (ps) of --method boltzmann without --tau.
DEFAULT_TAU = 1.0

#: Options (argparse dests) that one --method alone reads: the option and its methods.
METHOD_OPTIONS = {"tau": ("--tau", ("boltzmann",)), "eta": ("--eta", ("kubo",)),
                  "second_order": ("--second-order", ("boltzmann",))}


def _kubo_tau_hint(tau: float) -> str:
    """What --method kubo takes in place of ``--tau`` (``tau`` in ps): the --eta of that tau."""
    return (f"Kubo's relaxation time is tau = hbar/(2 eta) of its broadening --eta (--tau "
            f"{tau:g}ps is --eta {1e3 * HBAR_EV_PS / (2 * tau):.4g}meV)")


#: Model parameters each --model reads from the command line.
MODEL_OPTIONS = {"2deg": ("alpha_r", "j_ex", "m_eff"),
                 "dirac": ("hbar_v", "delta", "lambda_r", "j_ex"), "tmdc": ("lambda_r",)}


def build_model(args, overrides=None):
    """The k.p model described by the command-line options (``overrides`` from --map)."""
    o = dict(overrides or {})
    m = magnetisation(o.pop("theta_m", args.theta_m), args.phi_m)
    if args.model in ("2deg", "dirac"):
        kw = {k: getattr(args, k) for k in MODEL_OPTIONS[args.model] if getattr(args, k) is not None}
        kw.update(o)
        return kp_model(args.model, m, kw)
    lam = o.pop("lambda_r", 1e-3 if args.lambda_r is None else args.lambda_r)
    twist = o.pop("twist", args.twist)
    gate = o.pop("gate", args.gate)
    if args.table is None and gate != 0.0:
        raise CLIError("--gate needs a --table of parameters over (twist, gate)")
    return kp_model("tmdc", m, o, tmdc=args.tmdc, twist=twist, gate=gate, table=args.table,
                    lambda_r=lam)


def _check_options(args, model) -> None:
    """Refuse options the chosen model or method would ignore, and --map names it lacks."""
    from dataclasses import fields

    takes = MODEL_OPTIONS[args.model]

    def flag(name):
        return "--" + name.replace("_", "-")

    for name in sorted({n for names in MODEL_OPTIONS.values() for n in names} - set(takes)):
        if getattr(args, name) is not None:
            raise CLIError(f"{flag(name)} is not a parameter of --model {args.model} "
                           f"(it takes {', '.join(map(flag, takes))})")
    if args.model != "tmdc" and (args.table is not None or args.twist != 0 or args.gate != 0):
        raise CLIError("--table, --twist and --gate are for --model tmdc")
    refuse_unused_options(args, METHOD_OPTIONS, args.method, why={
        "tau": None if args.tau is None else _kubo_tau_hint(args.tau),
        "eta": "it takes a relaxation time, --tau (Kubo's is tau = hbar/(2 eta))"})
    if args.method == "kubo" and args.eta is None:
        raise CLIError("--method kubo needs --eta, the broadening of its Green's functions, "
                       "e.g. --eta 2meV (its relaxation time is tau = hbar/(2 eta): --eta "
                       f"{1e3 * HBAR_EV_PS / (2 * DEFAULT_TAU):.4g}meV for {DEFAULT_TAU:g}ps)")
    if args.map is not None:
        own = {f.name for f in fields(model)} | {"theta_m"} | (
            {"twist", "gate"} if args.model == "tmdc" else set())
        check_names(f"--map (--model {args.model})", [args.map[0]],
                    [n for n in MAP_PARAMETERS if n in own])


def _write_table(path: Path, res: dict) -> None:
    """spin_density.csv: one row per mu; the spin densities per unit field (1/(V nm)), the
    torques at the field E of the run, whose column ``field (V/nm)`` names it beside the
    exchange J of tau = J m x S (the torques' E was in summary.json alone)."""
    cols = [("mu (eV)", res["mu"])]
    for key, unit in (("surface", "1/(V nm)"), ("sea", "1/(V nm)"), ("tau_surface", "eV/nm^2"),
                      ("tau_sea", "eV/nm^2"), ("second", "1/V^2")):
        if res.get(key) is None:
            continue
        for i, c in enumerate("xyz"):
            cols.append((f"{key}_{c} ({unit})", res[key][:, i]))
    cols.append(("J (eV)", res["J"]))
    cols.append(("field (V/nm)", np.full(np.shape(res["mu"]), res["meta"]["field_V_per_nm"])))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([c[0] for c in cols])
        for row in zip(*[c[1] for c in cols]):
            w.writerow([f"{v:.10g}" for v in row])


#: Each model's Hamiltonian as the parameters enter it (docs/kp.md): the same numbers mean other
#: splittings in another model's convention. The T-matrix model's alpha (k_x s_y - k_y s_x) +
#: Delta_xc m.s is this 2DEG's -(alpha_R/2)(z x k).s - (J_ex/2) m.s with alpha_R = -2 alpha and
#: J_ex = -2 Delta_xc ((z x k).s = k_x s_y - k_y s_x): both terms of the other sign.
HAMILTONIANS = {
    "2deg": "H = hbar^2 k^2/(2 m_eff m_e) - (alpha_R/2)(z x k).s - (J_ex/2) m.s (s: Pauli "
            "matrices; Rashba splitting alpha_R k, exchange splitting J_ex; 'theory tmatrix' "
            "writes alpha (k_x s_y - k_y s_x) + Delta_xc m.s: alpha_R = -2 alpha, J_ex = -2 "
            "Delta_xc)",
    "dirac": "H = hbar v k.sigma + Delta sigma_z - (lambda_R/2)(s x sigma).z - (J_ex/2) m.s "
             "(basis s (x) sigma)",
    "tmdc": "seed 000 eqs. 1-6 (basis s (x) sigma, sigma_+- = (sigma_0 +- sigma_z)/2; the two "
            "valleys are separate blocks whose responses add)",
}


def _summary(args, model, res, field) -> dict:
    """summary.json: model, parameters and extrema of the sweep, each with its unit."""
    params = {k: getattr(model, k) for k in ("m_eff", "alpha_r", "hbar_v", "delta", "lambda_r",
                                              "lambda_c", "lambda_v", "b_c", "b_v", "j_ex")
              if hasattr(model, k)}
    units = {p.name: p.unit for spec in KP_MODELS.values() for p in spec.params}
    summary = {
        "command": "theory kp", "model": args.model, "method": args.method,
        "hamiltonian": HAMILTONIANS[args.model],
        "parameters": {k: {"value": float(v), "unit": units[k]} for k, v in params.items()},
        "m": list(map(float, model.m)),
        # Kubo takes no tau of its own: the one of its broadening, hbar/(2 eta) (a Kubo
        # summary recorded the unused default 1 ps)
        "tau": ({"value": args.tau, "unit": "ps"} if args.method != "kubo" else
                {"value": HBAR_EV_PS / (2 * args.eta), "unit": "ps", "from": "hbar/(2 eta)"}),
        "temperature": {"value": args.temperature, "unit": "eV", "what": "k_B T"},
        "temperature_kelvin": {"value": kelvin(args.temperature), "unit": "K"},
        "eta": None if args.eta is None else {"value": args.eta, "unit": "eV"},
        "field": {"value": field, "unit": "V/nm"},
        "theta_e": {"value": args.theta_e, "unit": "deg"},
        "mu": {"start": float(args.sweep[0]), "stop": float(args.sweep[-1]), "n": int(args.sweep.size), "unit": "eV"},
        "max_abs_tau_surface": {"value": float(np.abs(res["tau_surface"]).max()), "unit": "eV/nm^2"},
        "max_abs_tau_sea": {"value": float(np.abs(res["tau_sea"]).max()), "unit": "eV/nm^2"},
        "grid": {k: v for k, v in res["meta"].items() if isinstance(v, (int, float, str))},
        "conventions": "spin in hbar/2 (Pauli); electrons of charge -e; tau = J m x S (Majidi et al. 2025, eq. 7); "
                       "Kubo tau = hbar/(2 eta); see docs/kp.md",
    }
    if args.model == "tmdc":
        summary["tmdc"] = {"name": args.tmdc, "twist_deg": args.twist, "gate_V_per_nm": args.gate}
    summary.update(_azimuthal_convergence(res["meta"]))
    summary.update(_cutoff_convergence(res["meta"]))
    largest = max(float(np.max(np.abs(res["surface"]))), float(np.max(np.abs(res["sea"]))))
    if not largest > S_ZERO:
        # every chemical potential below all bands (a unit slip, -1 eV for -1 meV): zero spin
        # densities and torques were written with exit 0 under --strict. Judged against the
        # spin density that is zero but for rounding (S_ZERO): a Fermi-sea part of 3e-18
        # 1/(V nm) in the gap of the Dirac model, rounding that grew with --kmax, passed a test
        # for exact zeros
        said = (f"zero at every chemical potential ({args.sweep[0]:.4g} to "
                f"{args.sweep[-1]:.4g} eV): the spin density is "
                + ("0" if largest == 0 else f"at most {largest:.2g} 1/(V nm)")
                + f", below {S_ZERO:g} 1/(V nm)")
        window = 12 * args.temperature + (10 * args.eta if args.eta else 0.0)
        if contours_cross(model, args.sweep, res["meta"]["kmax_per_nm"], window):
            # Fermi contours there, and S = 0 by the model's symmetry (a 2DEG without Rashba
            # coupling, the TMDC at lambda_R = 0): a result, said as one
            for k in ("max_abs_tau_surface", "max_abs_tau_sea"):
                summary[k]["note"] = (said + ", though Fermi contours cross the bands: the "
                                      "response vanishes at these parameters (by symmetry, as "
                                      "without Rashba coupling)")
        else:
            for k in ("max_abs_tau_surface", "max_abs_tau_sea"):
                summary[k]["flags"] = [said + "; no Fermi contour crosses a band there (the "
                                       "bands are empty or full); check the sweep's unit and "
                                       "the band edges"]
    return summary


def contours_cross(model, mus, kmax: float, window: float = 0.0) -> bool:
    """Whether a band of ``model`` crosses any chemical potential of ``mus`` (eV), widened by
    ``window`` eV (the thermal or broadening margin), inside the disc |k| < ``kmax`` (1/nm):
    some Fermi contour then exists and a vanishing spin density is the model's, not an empty
    or full band's. Bands are sampled on 65 radii x 16 azimuths of each block."""
    k = np.linspace(0.0, kmax, 65)[:, None]
    phi = np.linspace(0.0, 2 * np.pi, 16, endpoint=False)[None, :]
    mus = np.asarray(mus, float)
    for comp in model.components():
        e = np.linalg.eigvalsh(comp.hamiltonian(k * np.cos(phi), k * np.sin(phi)))
        lo, hi = e.min(axis=(0, 1)), e.max(axis=(0, 1))
        if np.any((lo[:, None] < mus[None, :] + window) & (mus[None, :] - window < hi[:, None])):
            return True
    return False


def _azimuthal_convergence(meta) -> dict:
    """A ``azimuthal_convergence`` entry of the T = 0 route, flagged when S still moves with the
    number of azimuths (a Fermi contour that rays graze, or one too small for the rays)."""
    if "azimuthal_error" in meta:
        return {"azimuthal_convergence": estimate_entry(
            meta["azimuthal_error"], "S", f"{meta['n_phi']} azimuths",
            " and ".join(map(str, meta["n_phi_compared"])) + " azimuths",
            f"mu = {meta['azimuthal_error_mu_eV']:.6g} eV", "raise --n-phi",
            n_phi=meta["n_phi"], compared_with_n_phi=meta["n_phi_compared"],
            at_mu={"value": meta["azimuthal_error_mu_eV"], "unit": "eV"})}
    if "azimuthal_change" not in meta:
        return {}
    return {"azimuthal_convergence": _change_entry(
        meta["azimuthal_change"], meta["azimuthal_change_mu_eV"],
        f"{meta['n_phi_compared']} and {meta['n_phi']} azimuths",
        "the Fermi contours are not resolved; raise --n-phi (docs/kp.md, 'Fermi contours away "
        "from k = 0')", n_phi=meta["n_phi"], compared_with_n_phi=meta["n_phi_compared"])}


def _change_entry(change: float, mu: float, between: str, cause: str, **grids) -> dict:
    """A summary entry of the largest change of S between two grids (``between``, as a
    fraction of its largest value, at ``mu`` eV), flagged above
    :data:`~sotfit.models.grid_convergence.GRID_TOLERANCE` with its ``cause``."""
    entry = {"value": change, "unit": "fraction of max |S|", **grids,
             "at_mu": {"value": mu, "unit": "eV"}}
    if change > GRID_TOLERANCE:
        entry["flags"] = [f"S changed by {100 * change:.2g} % of its largest value between "
                          f"{between} (at mu = {mu:.6g} eV): {cause}"]
    return entry


def _cutoff_convergence(meta) -> dict:
    """A ``cutoff_convergence`` entry of the Kubo route, flagged where S moves by more than
    :data:`~sotfit.models.grid_convergence.GRID_TOLERANCE` of its largest value when the k
    cutoff is raised (:func:`sotfit.models.kp.sweep._cutoff_change`)."""
    if "cutoff_change" not in meta:
        return {}
    if meta["cutoff_change"] is None:
        return {"cutoff_convergence": {
            "value": None, "note": meta["cutoff_unchecked"],
            "kmax": {"value": meta["kmax_per_nm"], "unit": "1/nm"},
            "compared_with_kmax": {"value": meta["kmax_compared"], "unit": "1/nm"}}}
    return {"cutoff_convergence": _change_entry(
        meta["cutoff_change"], meta["cutoff_change_mu_eV"],
        f"the k cutoffs {meta['kmax_per_nm']:.4g} and {meta['kmax_compared']:.4g} 1/nm",
        "the broadened Green's functions reach beyond the cutoff; raise --kmax until it "
        "settles (a Fermi-sea part that grows with the cutoff, as the TMDC's in its gap, is the "
        "k.p model's and settles at no cutoff; docs/kp.md)",
        kmax={"value": meta["kmax_per_nm"], "unit": "1/nm"},
        compared_with_kmax={"value": meta["kmax_compared"], "unit": "1/nm"})}


def _write_map(path: Path, mus, tmap: dict, field: float) -> None:
    """map.csv: the parameter, mu, every component of both torques and the field E (V/nm) they
    are at, as in spin_density.csv."""
    name, values = tmap["parameter"], tmap["values"]
    zs, zi = tmap["tau_surface"], tmap["tau_sea"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([f"{name} ({MAP_PARAMETERS[name][1]})", "mu (eV)"]
                   + [f"tau_{part}_{c} (eV/nm^2)" for part in ("surface", "sea") for c in "xyz"]
                   + ["field (V/nm)"])
        for i, v in enumerate(values):
            for j, mu in enumerate(mus):
                w.writerow([f"{v:.10g}", f"{mu:.10g}"]
                           + [f"{t[i, j, c]:.10g}" for t in (zs, zi) for c in range(3)]
                           + [f"{field:.10g}"])


def _largest_component(tau) -> int:
    """The component (0, 1, 2 for x, y, z) of a mapped torque that is largest anywhere."""
    return int(np.argmax(np.nanmax(np.abs(np.asarray(tau)), axis=(0, 1))))


def _write_chis(path: Path, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["mu (eV)", "chi_fl (1/(V nm))", "xi_fl (1)", "chi_dl (1/(V nm))",
                    "chi_par (1/(V nm))", "chi_perp (1/(V nm))", "residual (1)"])
        for row in rows:
            w.writerow([f"{v:.10g}" for v in row])


def _figures(args, res, tmap, out: Path) -> None:
    from ..plot.kp import plot_chis, plot_map, plot_spin_density, plot_torque

    plot_spin_density(res, out / "figures" / "spin_density.png")
    plot_torque(res, out / "figures" / "torque.png")
    if "chis" in res:
        plot_chis(res["chis"], out / "figures" / "chis.png")
    if tmap is not None:
        name, values = tmap["parameter"], tmap["values"]
        label = f"{name} ({MAP_PARAMETERS[name][1]})"
        for part, sup in (("surface", "oc"), ("sea", "in")):
            tau = tmap[f"tau_{part}"]
            c = _largest_component(tau)      # the x component alone showed zero for the 2DEG
            plot_map(args.sweep, values, tau[..., c] * 1e3, label,
                     rf"$\tau^{{{sup}}}_{'xyz'[c]}$ (meV nm$^{{-2}}$)",
                     out / "figures" / f"map_tau_{part}.png")


def _print_summary(args, summary, field) -> None:
    if args.json:
        print(dumps_json(summary))     # null for NaN, as in summary.json
        return
    print(f"theory kp: {args.model} ({args.method}), {args.sweep.size} chemical potentials "
          f"in [{args.sweep[0]:.4g}, {args.sweep[-1]:.4g}] eV")
    if args.temperature > 0:
        print(f"  k_B T = {args.temperature * 1e3:.4g} meV (T = {kelvin(args.temperature):.4g} K)")
    print(f"  max |tau^oc| = {summary['max_abs_tau_surface']['value'] * 1e3:.4g} meV/nm^2, "
          f"max |tau^in| = {summary['max_abs_tau_sea']['value'] * 1e3:.4g} meV/nm^2 "
          f"at E = {field * 1e3:.4g} mV/nm")


#: Seconds per chemical potential and azimuth of the k grid of each route, a lower bound of
#: what was measured on a shared 2-core machine (with the route's own checks): T = 0 Boltzmann
#: (bisection along every ray, and again with twice the azimuths) 3.7-16 ms for the 2DEG, the
#: Dirac model and the TMDC; k_B T > 0 Boltzmann (one grid shared by the sweep) 0.25 ms for the
#: TMDC; Kubo-Bastin (closed-form energy integrals, with the azimuthal and cutoff checks) 25 ms
#: for the 2DEG.
SECONDS_PER_MU_AZIMUTH = {"t0": 1.5e-3, "thermal": 5e-5, "kubo": 5e-3}


def _evaluations(args) -> tuple[int, str]:
    """Chemical potentials one sweep evaluates and what they are: the sweep's, or for Kubo at
    k_B T > 0 its fine grid of step 0.4 k_B T over the sweep and 21 k_B T either side
    (:func:`sotfit.models.kp.sweep.sweep_mu`)."""
    n = int(args.sweep.size)
    if args.method == "kubo" and args.temperature > 0:
        t = args.temperature
        span = float(args.sweep.max() - args.sweep.min()) + 42 * t
        fine = int(np.ceil(span / (0.4 * t))) + 1
        return fine, (f"{fine} chemical potentials (the fine grid of step 0.4 k_B T = "
                      f"{0.4e3 * t:.3g} meV that Kubo's thermal average takes over the sweep)")
    return n, f"{n} chemical potentials"


def check_kp_workload(args) -> None:
    """Refuse a run whose estimated time is far beyond a day, naming the options that set it:
    the sweep's chemical potentials, --n-phi, the rows of --map and the directions of
    --decompose (divided over --workers), and for Kubo at k_B T > 0 its fine grid of step
    0.4 k_B T ('--sweep mu=0:1:100000000' ran until stopped)."""
    from ..models.kp.torque import magnetisation_set

    route = "kubo" if args.method == "kubo" else "thermal" if args.temperature > 0 else "t0"
    n_mu, counted = _evaluations(args)
    per = SECONDS_PER_MU_AZIMUTH[route] * args.n_phi
    sweeps = 1
    options = [f"--sweep mu={args.sweep[0]:g}:{args.sweep[-1]:g}:{args.sweep.size}",
               f"--n-phi {args.n_phi}"]
    if args.method == "kubo" and args.temperature > 0:
        options.append(f"--temperature {1e3 * args.temperature:g}meV")
    parallel = 0
    if args.map is not None:
        parallel += int(args.map[1].size)
        options.append(f"--map {args.map[0]}=...:{args.map[1].size}")
    if args.decompose is not None:
        parallel += len(magnetisation_set(*args.decompose))
        options.append("--decompose {},{}".format(*args.decompose))
    workers = workers_of(args)
    seconds = n_mu * per * (sweeps + parallel / workers)
    beyond = ("split the chemical potentials over several runs" if not parallel else
              "split the chemical potentials over several runs, or divide the rows of --map "
              "and the directions of --decompose over more --workers")
    what = (f"{counted} at about {_seconds(per)} each ({_seconds(SECONDS_PER_MU_AZIMUTH[route])}"
            f" per azimuth, {ROUTES[route]})"
            + (f", in {1 + parallel} sweeps" if parallel else ""))
    fit = int(WORK_LIMIT_S / (per * (sweeps + parallel / workers)))
    largest = f"at most about {fit} chemical potentials with these settings"
    if args.method == "kubo" and args.temperature > 0:
        span = float(args.sweep.max() - args.sweep.min())
        least = span / max(0.4 * fit - 42, 1e-300)
        largest = (f"a k_B T of at least about {1e3 * least:.3g} meV with this sweep and these "
                   "settings" if 0.4 * fit > 42 else "no k_B T with these settings")
    check_workload(" ".join(options), what, seconds, workers=workers, largest=largest,
                   beyond=beyond)


#: What each route of :data:`SECONDS_PER_MU_AZIMUTH` computes, for the messages.
ROUTES = {"t0": "the exact Fermi contours at T = 0 and their check with twice the azimuths",
          "thermal": "one k grid shared by the sweep at k_B T > 0",
          "kubo": "Kubo-Bastin with its azimuthal and cutoff checks"}


def _seconds(s: float) -> str:
    """A short duration: ms below a second."""
    return f"{1e3 * s:.3g} ms" if s < 1 else f"{s:.3g} s"


def run(args) -> int:
    """Compute the sweep (and --map, --decompose), write the tables, summary and figures."""
    args.sweep = given_once(args.sweep, "--sweep mu=START:STOP:N")
    args.map = given_once(args.map, "--map NAME=START:STOP:N")
    model = build_model(args)
    _check_options(args, model)
    if args.tau is None:
        args.tau = DEFAULT_TAU      # read by --method boltzmann alone (refused with kubo above)
    check_kp_workload(args)
    parallel = refuse_idle_parallel(args, args.map is not None or args.decompose is not None,
                                    "the rows of --map and the directions of --decompose",
                                    "--map or --decompose")
    out = stage_out_dir(args)
    field = args.field * 1e-9                       # V/m -> V/nm
    kw = dict(method=args.method, tau=args.tau, temperature=args.temperature, eta=args.eta,
              theta_e=np.radians(args.theta_e), field=field, kmax=args.kmax, n_phi=args.n_phi,
              second_order=args.second_order)
    # the options without the command's function: what the parallel tasks rebuild the model from
    build = partial(build_model, argparse.Namespace(**{k: v for k, v in vars(args).items()
                                                       if k != "func"}))
    result = kp_theory(build, args.sweep, model=model, map_over=args.map,
                       decompose=args.decompose, progress=Progress, **parallel, **kw)
    res, tmap, dec = result["sweep"], result["map"], result["decomposition"]
    _write_table(out / "spin_density.csv", res)
    summary = _summary(args, model, res, field)
    if tmap is not None:
        _write_map(out / "map.csv", args.sweep, tmap, field)
        summary["map"] = {"parameter": tmap["parameter"], "unit": MAP_PARAMETERS[tmap["parameter"]][1],
                          "values": list(map(float, tmap["values"]))}
    if dec is not None:
        _write_chis(out / "chis.csv", dec["rows"])
        summary["decomposition"] = {"n_directions": dec["n_directions"], "file": "chis.csv",
                                    "max_residual": float(np.nanmax(dec["rows"][:, -1]))}
        res["chis"] = dec["rows"]
    flags = write_summary(summary, out)
    if not args.no_figures:
        _figures(args, res, tmap, out)
    _print_summary(args, summary, field)
    return flag_status(args, flags, show=not args.json)
