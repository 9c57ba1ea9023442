"""``sotfit theory interface``: microscopic spin-mixing conductance maps.

Examples
--------
``sotfit theory interface --model barrier --fermi-energy=-4eV --map dt=0:1:50,J=0.05:2:50 --out gmap``
``sotfit theory interface --model delta --u-R 0.5 --map u0=0:2:30,u_ex=0.1:3:30 --out dmap``

Map axes are ``name=start:stop:num`` (linear) or ``name=log:start:stop:num``;
energies (``dt``, ``J``) in eV when bare or with a unit (``J=log:20meV:2eV:50``), barrier
strengths (``u0``, ``u_ex``) dimensionless.
Writes ``map.csv`` (every number with its unit in the header), ``summary.json``
and figures (Gao et al. 2023, Fig. 4b,c, for the barrier model; docs/interface.md).
"""

from __future__ import annotations

import argparse
import csv
import math

import numpy as np

from ..models.grid_convergence import estimate_entry
from ..models.interface import sweep as _sweep
from ..models.interface.sweep import MIN_NODES as _MIN_NODES
from ..models.interface.sweep import MIN_ORDER as _MIN_ORDER
from ..models.interface.specs import DELTA_DEFAULTS
from ..units import HOUSE
from .common import (
    workers_of,
    CLIError, Progress, add_figure_option, add_output_options, add_parallel_options, axis_points,
    check_workload, flag_status, given_once, MEMORY_LIMIT_BYTES, integer_type, sweep_ends, number_type, parallel_options, quantity_type, stage_out_dir, write_summary,
)

__all__ = ["add_parser", "barrier_map", "parse_map", "run"]

#: Map axes of each --model: (dimension, unit of a bare number); None: dimensionless.
_AXES = {"barrier": {"dt": ("energy", "eV"), "J": ("energy", "eV")},
         "delta": {"u0": (None, ""), "u_ex": (None, "")}}
#: How each model's map axes are written, for the messages.
_AXES_WRITTEN = {"barrier": "dt and J are energies: a bare number is in eV, or give a unit, "
                            "J=100meV",
                 "delta": "u0 and u_ex are dimensionless: bare numbers, no unit"}
#: Options (argparse dests) that only one --model reads.
MODEL_OPTIONS = {"barrier": ("t0", "fermi_energy", "eps_m", "t_c", "lattice_constant", "order"),
                 "delta": ("u_R", "k_fermi", "theta_m", "phi_m", "n_theta", "n_phi")}


def _refuse_repeated_axes(items, want) -> None:
    """Refuse a map axis named twice, naming it: ``dt=0:1:3,dt=0:2:3`` kept the last without a
    word, and ``dt=0:1:5,dt=0:1:5`` was refused as "missing ['J']".

    Parameters
    ----------
    items : list of (str, str)
        The (name, value) pairs of ``--map`` in order.
    want : mapping
        The model's axes.
    """
    seen: dict = {}
    for name, spec in items:
        if name in seen:
            missing = [w for w in want if w not in seen]
            raise CLIError(f"--map gives {name} twice ({name}={seen[name]} and "
                           f"{name}={spec}); name each axis once: {', '.join(want)}"
                           + (f" ({', '.join(missing)} is not given)" if missing else ""))
        seen[name] = spec


def parse_map(text: str, model: str) -> dict:
    """Parse ``'dt=0:1:50,J=0.05:2:50'`` into ``{'dt': array, 'J': array}``.

    Parameters
    ----------
    text : str
        Comma-separated axes ``NAME=VALUE`` (one point), ``NAME=START:STOP:N`` or
        ``NAME=log:START:STOP:N``; the energies dt and J of the barrier bare in eV or with a
        unit (``J=100meV``, ``J=log:20meV:2eV:50``), u0 and u_ex of the delta barrier bare.
    model : str
        ``'barrier'`` or ``'delta'``.

    Returns
    -------
    dict
        ``{name: array}`` of both axes of the model, energies in eV.

    Raises
    ------
    CLIError
        An unknown, missing or repeated axis, a value that cannot be read (saying the unit of
        a bare number), fewer than 2 points of a range, a logarithmic axis with an end <= 0.
    """
    want = _AXES[model]
    out = {}
    items = []
    for item in text.split(","):
        if "=" not in item:
            raise CLIError(f"--map item {item!r}: expected name=start:stop:num")
        items.append(tuple(s.strip() for s in item.split("=", 1)))
    _refuse_repeated_axes(items, want)
    for name, spec in items:
        if name not in want:
            raise CLIError(f"--map axis {name!r} unknown for --model {model}; use {', '.join(want)}")
        dimension, unit = want[name]
        parts = spec.split(":")
        log = len(parts) > 1 and parts[0].strip() == "log"
        if log:
            parts = parts[1:]
        # one value: the G of one point (the parameters a thickness fit gave), which a map
        # of two points or more made one run a fake range
        if len(parts) not in (1, 3) or log and len(parts) != 3:
            raise CLIError(f"--map {name}={spec}: expected VALUE, START:STOP:N or "
                           f"log:START:STOP:N ({_AXES_WRITTEN[model]})")
        try:
            values = sweep_ends(parts[:2], dimension, unit)
        except ValueError as exc:
            said = "" if dimension is None else f" ({_AXES_WRITTEN[model]})"
            raise CLIError(f"--map {name}={spec}: {exc}{said}") from None
        if len(parts) == 1:
            out[name] = np.array(values)
            continue
        try:
            n = int(parts[2])
        except ValueError:
            raise CLIError(f"--map {name}={spec}: N must be an integer") from None
        a, b = values
        if n < 2:
            raise CLIError(f"--map {name}: at least 2 points are needed, got {n}")
        try:
            axis_points(f"--map {name}={spec}", n, "split the map over several runs")
        except argparse.ArgumentTypeError as exc:
            raise CLIError(str(exc)) from None
        if log:
            if a <= 0 or b <= 0:
                raise CLIError(f"--map {name}: a logarithmic axis needs positive ends")
            out[name] = np.geomspace(a, b, n)
        else:
            out[name] = np.linspace(a, b, n)
    missing = [w for w in want if w not in out]
    if missing:
        raise CLIError(f"--map needs both axes {tuple(want)}; missing {missing}")
    return out


#: Largest lattice constant (nm) of the barrier model: crystals have 0.2-1 nm ('0.3m' ran).
LATTICE_CONSTANT_MAX = "10nm"
#: Largest Fermi wave number (1/nm) of the delta barrier: metals have 10-20/nm, and a k_F in
#: 1/m given bare (1e10) was read in 1/nm with exit 0 (G 1e18 times too large).
K_FERMI_MAX = 100.0


def add_parser(subparsers) -> None:
    """Register ``sotfit theory interface``."""
    energy = quantity_type("energy")
    p = subparsers.add_parser(
        "interface", help="spin-mixing conductance of interface models (barrier, delta)",
        description=__doc__.split("Examples")[0])
    p.add_argument("--model", choices=("barrier", "delta"), required=True,
                   help="the tight-binding interface barrier (seed 003, Fig. 4) or the delta "
                        "barrier (seed 004) (docs/interface.md)")
    # appended, so that a second --map is refused (argparse kept the last without a word)
    p.add_argument("--map", required=True, action="append", help="axes NAME=START:STOP:N, e.g. "
                   "dt=0:1:50,J=0.05:2:50 for barrier (energies: bare in eV, or with a unit, "
                   "J=50meV:2eV:50) or u0=0:2:30,u_ex=0.1:3:30 for delta (dimensionless); "
                   "log:START:STOP:N spaces an axis logarithmically (J=log:20meV:2eV:5); "
                   "NAME=VALUE is one point (u0=9.85,u_ex=2.88: the G of a thickness fit's "
                   "parameters, both commands with the same defaults of --k-fermi, --theta-m, "
                   "--phi-m, --u-R); once, each axis once")
    add_parallel_options(p, "the rows of the map (the same results)")
    add_output_options(p)
    g = p.add_argument_group("barrier model (Gao et al. 2023, Fig. 4)")
    g.add_argument("--t0", type=quantity_type("energy", positive=True), default=1.0,
                   help="spin-source hopping, e.g. 1eV (the default)")
    g.add_argument("--fermi-energy", type=energy, default=-4.0,
                   help="Fermi energy from the band centre (default -4eV)")
    g.add_argument("--eps-m", type=energy, default=0.0,
                   help="monolayer on-site energy, e.g. 0.1eV (default 0eV)")
    g.add_argument("--t-c", type=energy, default=None, help="coupling hopping (default t0)")
    g.add_argument("--lattice-constant", type=quantity_type("length", positive=True,
                                                             maximum=LATTICE_CONSTANT_MAX),
                   default=0.3, help=f"a, e.g. 0.3nm (the default; at most "
                                     f"{LATTICE_CONSTANT_MAX})")
    g.add_argument("--order", type=integer_type(_MIN_ORDER), default=65,
                   help=f"k_par quadrature order (>= {_MIN_ORDER})")
    d = p.add_argument_group("delta barrier (Amin, Haney and Stiles 2020)")
    # the defaults are those of 'sotfit thickness --model interface-delta' (specs.DELTA_DEFAULTS)
    d.add_argument("--u-R", type=number_type(), default=DELTA_DEFAULTS["u_R"],
                   help=f"Rashba strength u_R (default {DELTA_DEFAULTS['u_R']:g})")
    d.add_argument("--k-fermi", type=quantity_type("wavenumber", "1/nm", positive=True,
                                                  maximum=K_FERMI_MAX),
                   default=DELTA_DEFAULTS["k_fermi"],
                   help=f"Fermi wave number, e.g. 10/nm, 1e10/m or 1.7/A (a bare number in 1/nm; "
                        f"default {DELTA_DEFAULTS['k_fermi']:g}/nm, the BiSb Sharvin range of "
                        f"seed 003; at most {K_FERMI_MAX:g}/nm: metals have 10-20/nm)")
    # '45deg' as the thickness command; within one turn, as theory tmatrix's --theta
    angle = quantity_type("angle", default_unit="deg", maximum="360deg")
    d.add_argument("--theta-m", type=angle, default=DELTA_DEFAULTS["theta_m"],
                   help="magnetisation polar angle from the normal, e.g. 45deg (a bare number "
                        f"in deg; default {DELTA_DEFAULTS['theta_m']:g}deg, in the plane)")
    d.add_argument("--phi-m", type=angle, default=DELTA_DEFAULTS["phi_m"],
                   help="magnetisation azimuth from the current, e.g. 30deg (a bare number in "
                        f"deg; default {DELTA_DEFAULTS['phi_m']:g}deg, perpendicular to it)")
    d.add_argument("--n-theta", type=integer_type(_MIN_NODES), default=48,
                   help=f"polar nodes (>= {_MIN_NODES})")
    d.add_argument("--n-phi", type=integer_type(_MIN_NODES), default=48,
                   help=f"azimuthal nodes (>= {_MIN_NODES})")
    add_figure_option(p)
    p.set_defaults(func=run, model_option_defaults={
        k: p.get_default(k) for names in MODEL_OPTIONS.values() for k in names})


#: Largest number of map points of one barrier task (whole rows of delta_t, at least one).
BARRIER_TASK_POINTS = _sweep.BARRIER_TASK_POINTS


def barrier_map(fermi_energy, t0, dt, J, eps_m=0.0, t_c=None, order=65, *, workers=None,
                scheduler=None, progress=None):
    """:func:`sotfit.models.interface.sweep.barrier_map` in tasks of at most
    :data:`BARRIER_TASK_POINTS` points (whole rows)."""
    return _sweep.barrier_map(fermi_energy, t0, dt, J, eps_m, t_c, order, workers=workers,
                              scheduler=scheduler, progress=progress,
                              task_points=BARRIER_TASK_POINTS)


def _write_csv(path, header, columns):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in zip(*columns):
            w.writerow([f"{v:.12g}" for v in row])


def _check_model_options(args) -> None:
    """Refuse options that only the other --model reads."""
    for model, names in MODEL_OPTIONS.items():
        given = [k for k in names if model != args.model
                 and getattr(args, k) != args.model_option_defaults[k]]
        if given:
            raise CLIError(f"--{given[0].replace('_', '-')} is an option of --model {model}, "
                           f"not {args.model}")


def _barrier_table(args, axes, res, unit, summary):
    """Summary entries and CSV columns of a barrier map (``res`` from ``mixing_map``)."""
    tb, g, g_cell = res["tb"], res["g"], res["g_cell"]
    if not tb.converged:
        raise CLIError(f"k_par integration not converged (error {tb.error_estimate:.3g} "
                       f"e^2/h per cell); raise --order")
    summary.update({
        "t0": {"value": args.t0, "unit": "eV"},
        "fermi_energy": {"value": args.fermi_energy, "unit": "eV"},
        "eps_m": {"value": args.eps_m, "unit": "eV"},
        "t_c": {"value": args.t0 if args.t_c is None else args.t_c, "unit": "eV"},
        "lattice_constant": {"value": args.lattice_constant, "unit": "nm"},
        "sharvin_per_spin": {"value": float(res["sharvin"]), "unit": unit},
        "sharvin_per_spin_per_cell": {"value": tb.g_sharvin, "unit": "e^2/h"},
        "k_par_error_estimate": {"value": tb.error_estimate, "unit": "e^2/h per cell"},
        "order": args.order,
        "order_of_error_estimate": tb.order,
    })
    X, Y = np.meshgrid(axes["dt"], axes["J"], indexing="ij")
    header = ["delta_t (eV)", "J (eV)", f"re_g_mix ({unit})", f"im_g_mix ({unit})",
              "re_g_mix (e^2/h per cell)", "im_g_mix (e^2/h per cell)", "im_over_re"]
    cols = [X.ravel(), Y.ravel(), g.real.ravel(), g.imag.ravel(), g_cell.real.ravel(),
            g_cell.imag.ravel(), _im_over_re(g, res).ravel()]
    return header, cols


#: |G| below this fraction of the Sharvin conductance is rounding of an exact zero (J = 0, no
#: spin dependence): its Im G / Re G is not reported (NaN). The barrier map at J = 0 gave
#: im_over_re 0.0896 and -0.068 from G of 1e-16.
ZERO_G_SHARE = 1e-9


def _significant(g, res):
    """``g`` with the values at rounding level (:data:`ZERO_G_SHARE` of the Sharvin conductance
    ``res['sharvin']``, same unit) set to NaN: those of an exactly vanishing G."""
    g = np.asarray(g, complex)
    return np.where(np.abs(g) > ZERO_G_SHARE * abs(float(res["sharvin"])), g, np.nan)


def _im_over_re(g, res):
    """Im G / Re G where G is not a rounding of zero (NaN there, and where Re G = 0)."""
    s = _significant(g, res)
    with np.errstate(divide="ignore", invalid="ignore"):
        return s.imag / s.real


def _delta_table(args, axes, res, unit, summary):
    """Summary entries and CSV columns of a delta-barrier map (``res`` from ``mixing_map``)."""
    g = res["g"]
    summary.update({
        "u_R": args.u_R, "k_fermi": {"value": args.k_fermi, "unit": "1/nm"},
        "theta_m": {"value": args.theta_m, "unit": "deg"},
        "phi_m": {"value": args.phi_m, "unit": "deg"},
        "sharvin_per_spin": {"value": res["sharvin"], "unit": unit},
    })
    conv = res["grid_convergence"]
    u0, u_ex = conv["at"] or (math.nan, math.nan)
    entry = estimate_entry(
        conv["error"], conv["quantity"], f"the {conv['n_theta']} x {conv['n_phi']} grid",
        "the " + " and ".join(f"{a} x {b}" for a, b in conv["compared"]) + " grids",
        f"u0 = {u0:.4g}, u_ex = {u_ex:.4g}", "raise --n-theta and --n-phi",
        n_theta=conv["n_theta"], n_phi=conv["n_phi"],
        compared_with=[list(c) for c in conv["compared"]])
    summary["grid_convergence"] = entry
    X, Y = np.meshgrid(axes["u0"], axes["u_ex"], indexing="ij")
    header = ["u0 (1)", "u_ex (1)", f"re_g_mix ({unit})", f"im_g_mix ({unit})", "im_over_re"]
    cols = [X.ravel(), Y.ravel(), g.real.ravel(), g.imag.ravel(), _im_over_re(g, res).ravel()]
    return header, cols


#: Bytes one map point holds per unit of --order in the barrier model's k_par rule (the rules of
#: order and 2 order - 1 over every piece of the interval, as measured: 1.7 GB for one point at
#: order 1e6, 1.4 GB for 400 points at order 2000).
BARRIER_BYTES_PER_ORDER = 1.7e3
#: Seconds per map point and unit of --order of the barrier model (both rules), a lower bound
#: of the 9-12 us measured on a shared 2-core machine.
BARRIER_SECONDS_PER_ORDER = 3e-6
#: Bytes and seconds per map point and (theta, phi) node of the delta barrier (1.2 kB and
#: 4-7 us measured; the grid check adds a quarter and a sixteenth of the nodes).
DELTA_BYTES_PER_NODE = 1.2e3
DELTA_SECONDS_PER_NODE = 2e-6


def barrier_task_points(n_j: int, order: int) -> int:
    """Map points per task of the barrier model: :data:`BARRIER_TASK_POINTS`, fewer where their
    k_par rules would hold more than :data:`~sotfit.cli.common.MEMORY_LIMIT_BYTES`, never less
    than one row of ``n_j`` points (the tasks give the same results whatever their size)."""
    fits = int(MEMORY_LIMIT_BYTES // (order * BARRIER_BYTES_PER_ORDER))
    return max(n_j, min(BARRIER_TASK_POINTS, fits))


def check_interface_workload(args, axes) -> None:
    """Refuse a map whose own estimate of memory (one task) or time is far beyond what ends,
    naming the option: ``--order 10000000`` held 17 GB for one point, and ``--n-theta``,
    ``--n-phi`` and the map's points had no bound."""
    workers = workers_of(args)
    beyond = ("divide the rows of the map over more --workers (or a --scheduler), or split it "
              "over several runs")
    if args.model == "barrier":
        n_dt, n_j = axes["dt"].size, axes["J"].size
        row = n_j * args.order * BARRIER_BYTES_PER_ORDER
        largest = int(MEMORY_LIMIT_BYTES // (n_j * BARRIER_BYTES_PER_ORDER))
        check_workload(f"--order {args.order}",
                       f"the k_par rules of one task, a row of the map ({n_j} value(s) of J, about "
                       f"{BARRIER_BYTES_PER_ORDER / 1e3:.2g} kB per point and unit of order)",
                       0.0, memory=row,
                       largest=f"at most --order {largest} with {n_j} value(s) of J (the rule "
                               "converges exponentially: the default 65 gives an error "
                               "estimate of about 1e-12 e^2/h per cell)")
        points = n_dt * n_j
        seconds = points * args.order * BARRIER_SECONDS_PER_ORDER / workers
        check_workload(f"--order {args.order} with --map of {n_dt} x {n_j} points",
                       f"{points} points at about {1e3 * args.order * BARRIER_SECONDS_PER_ORDER:.3g}"
                       " ms each", seconds, workers=workers, beyond=beyond)
        return
    nodes = args.n_theta * args.n_phi
    check_workload(f"--n-theta {args.n_theta} --n-phi {args.n_phi}",
                   f"the {nodes} (theta, phi) nodes of one point, one task (about "
                   f"{DELTA_BYTES_PER_NODE / 1e3:.2g} kB each)", 0.0,
                   memory=nodes * DELTA_BYTES_PER_NODE,
                   largest=f"at most about {int(MEMORY_LIMIT_BYTES // DELTA_BYTES_PER_NODE)} "
                           "nodes (the default 48 x 48, checked against coarser grids, is "
                           "flagged where it is not enough)")
    points = axes["u0"].size * axes["u_ex"].size
    per = nodes * DELTA_SECONDS_PER_NODE * (1 + 1 / 4 + 1 / 16)
    check_workload(f"--n-theta {args.n_theta} --n-phi {args.n_phi} with --map of "
                   f"{axes['u0'].size} x {axes['u_ex'].size} points",
                   f"{points} points at about {per:.3g} s each (with the grid check)",
                   points * per / workers, workers=workers, beyond=beyond)


def run(args) -> int:
    """Compute the map, write CSV, JSON and figures."""
    _check_model_options(args)
    if args.model == "barrier" and args.t_c is not None and args.t_c == 0:
        raise CLIError("--t-c 0eV decouples the monolayer from the lead: G = 0 exactly, nothing "
                       "to map (the integration of a vanishing transmission asked for a higher "
                       "--order)")
    axes = parse_map(given_once(args.map, "--map"), args.model)
    check_interface_workload(args, axes)
    parallel = parallel_options(args)
    out = stage_out_dir(args)
    unit = HOUSE["mixing_conductance"]
    summary = {"model": args.model, "mixing_conductance_unit": unit,
               "sign_convention": "G = sum(1 - r_up r_dn^*), up parallel to m; absorbed spin "
                                  "current ~ Re G mu + Im G (mu x m)"}
    params = {k: getattr(args, k) for k in MODEL_OPTIONS[args.model] if k != "order"}
    if args.model == "barrier":
        params.update(t0=args.t0, order=args.order)
    try:
        task_points = (barrier_task_points(axes["J"].size, args.order)
                       if args.model == "barrier" else BARRIER_TASK_POINTS)
        res = _sweep.mixing_map(args.model, axes, params, progress=Progress("interface map"),
                                task_points=task_points, **parallel)
        table = _barrier_table if args.model == "barrier" else _delta_table
        header, cols = table(args, axes, res, unit, summary)
    except _sweep.INPUT_ERRORS as exc:
        raise CLIError(str(exc)) from None
    g = res["g"]
    with np.errstate(divide="ignore", invalid="ignore"):
        _write_csv(out / "map.csv", header, cols)
    re = g.real
    summary["re_g_range"] = {"min": float(re.min()), "max": float(re.max()), "unit": unit}
    ratio = np.abs(_im_over_re(g, res))
    summary["abs_im_over_re_max"] = (float(np.nanmax(ratio)) if np.isfinite(ratio).any()
                                     else None)
    if re.size == 1:
        summary["re_g_mix"] = {"value": float(re.ravel()[0]), "unit": unit}
        summary["im_g_mix"] = {"value": float(g.imag.ravel()[0]), "unit": unit}
    flags = write_summary(summary, out)
    one_point = any(v.size < 2 for v in axes.values())
    if one_point and not args.no_figures:
        print("note: an axis of one value: no map figures")
    if not args.no_figures and not one_point:
        from ..plot import save
        from ..plot.interface import ratio_map, re_g_vs_delta_t, re_im_maps

        if args.model == "barrier":
            # a log:... axis on a log scale (drawn linearly, its small half was squeezed)
            save(ratio_map(axes["dt"], axes["J"], _significant(g, res), log_scale=True),
                 out / "im_over_re_map.png")
            save(re_g_vs_delta_t(axes["dt"], axes["J"], re), out / "re_g_vs_delta_t.png")
        else:
            save(re_im_maps(axes["u0"], axes["u_ex"], g, "u0", "u_ex", log_scale=True),
                 out / "re_im_maps.png")
    print(f"sotfit theory interface: {re.size} points (map.csv, summary.json"
          + (")" if args.no_figures or one_point else " and figures)"))
    if re.size == 1:
        im = float(g.imag.ravel()[0])
        print(f"  G_mix = {float(re.ravel()[0]):.6g} {'-' if im < 0 else '+'} {abs(im):.6g}i "
              f"({unit})")
    else:
        print(f"  Re G_mix from {float(re.min()):.6g} to {float(re.max()):.6g} ({unit})")
    if args.model == "delta":
        print(f"  at k_F = {args.k_fermi:g} /nm, theta_m = {args.theta_m:g} deg, phi_m = "
              f"{args.phi_m:g} deg, u_R = {args.u_R:g}")
    return flag_status(args, flags)


if __name__ == "__main__":  # pragma: no cover
    import sys

    from . import main
    sys.exit(main(["theory", "interface", *sys.argv[1:]]))
