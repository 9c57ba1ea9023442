"""``sotfit theory compare``: a measured FL/DL torque ratio against the T-matrix or k.p theory.

The ratio of field-like to damping-like efficiency of any sotfit summary.json (ST-FMR or
harmonic Hall, with its standard error) is set against the ratio a model predicts over a grid
of Fermi energy and a second parameter (the magnetisation angle for the T-matrix theory of
Veneri, Perkins and Ferreira (2022); a band parameter such as the relaxation time for the k.p models
of Medina Duenas et al. (2023) and Majidi et al. (2025),
whose ratio is defined for m along z). Examples::

    sotfit theory compare --summary stfmr_out/summary.json --model tmatrix \\
        --sweep energy=1meV:20meV:40 --sweep angle=5deg:175deg:35 --out cmp
    sotfit theory compare --summary hall_out/summary.json --model kp-2deg \\
        --param j_ex=50meV --sweep energy=0.01eV:0.3eV:30 --sweep tau=0.05ps:2ps:30 --out cmp2

Writes ``compare.csv`` (one row per grid point: the parameters with units, the theory ratio,
z, the exact test of FL - R DL = 0 at the theory ratio R signed as theory minus measured (near
(theory - measured)/sigma where DL is far from zero), and whether it lies within 1 and 2
sigma), ``summary.json``
(the measured ratio, the theory settings and, per level, the region of parameters consistent
with the measurement) and ``region.png``. Magnitudes are compared unless ``--signed``.
A T-matrix comparison without ``--sweep angle=...`` or ``--param theta=...`` runs at theta =
30 deg (``theory tmatrix`` defaults to 0 deg; summary.json's notes say why).
"""

from __future__ import annotations

import argparse
import csv

import numpy as np

from ..checks import check_number
from ..units import UnitError, quantity
from .common import (
    split_sweep, CLIError, add_figure_option, add_output_options, flag_status, number_type, per_file,
    stage_out_dir, write_summary,
)

__all__ = ["add_parser", "run"]

ROUTES = ("tmatrix", "kp-2deg", "kp-tmdc")


def _sweep(text):
    """'NAME=START:STOP:N' (values with units) -> (name, start text, stop text, n)."""
    return split_sweep(text, "energy=1meV:20meV:40", max_points=2000)


def _param(text):
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"--param {text!r}: write NAME=VALUE, e.g. "
                                         "exchange=5meV")
    return name.strip(), value.strip()


def add_parser(subparsers) -> None:
    """Register ``sotfit theory compare``."""
    p = subparsers.add_parser(
        "compare", help="a measured FL/DL ratio against T-matrix or k.p theory",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--summary", required=True, metavar="SUMMARY.json",
                   help="a sotfit summary.json with xi_fl and xi_dl (or xi_e_*, mu0_h_*)")
    p.add_argument("--section", default=None,
                   help="section of the summary holding them (global, sequential, quantities)")
    p.add_argument("--correlation", type=number_type(maximum=1.0), default=None,
                   help="correlation of the FL and DL values (default: from the summary, else 0)")
    p.add_argument("--model", choices=ROUTES, required=True,
                   help="tmatrix (Veneri et al. 2022), kp-2deg (Medina Duenas et al. 2023) or kp-tmdc (Majidi et al. 2025)")
    p.add_argument("--sweep", type=_sweep, action="append", default=[],
                   help="energy=START:STOP:N (Fermi energy or chemical potential, with unit) and "
                        "a second axis: angle=... (tmatrix) or any model parameter, e.g. "
                        "tau=0.1ps:2ps:20; tmatrix without angle=... or --param theta=... runs "
                        "at theta = 30deg, the T-matrix ModelSpecs' tilted default at which "
                        "every efficiency is defined (tau_2 needs m_x != 0), where 'theory "
                        "tmatrix' defaults to 0deg")
    p.add_argument("--param", type=_param, action="append", default=[], metavar="NAME=VALUE",
                   help="a model parameter with its unit, e.g. exchange=5meV, alpha=17meVnm, "
                        "u=1.8eV (tmatrix); j_ex=50meV, alpha_r=10meVnm, tau=0.5ps (kp-2deg)")
    p.add_argument("--signed", action="store_true",
                   help="compare signed ratios (default: magnitudes; sign conventions of "
                        "experiment and model rarely agree)")
    add_output_options(p)
    add_figure_option(p)
    p.set_defaults(func=run)


def _axis(model, route, name, start, stop, n):
    """Sweep values in the model's unit, and (parameter name, unit)."""
    from ..analysis.theory_compare import THEORY_RATIOS, parameter_value

    spec = THEORY_RATIOS[route]
    if name in ("energy", spec["x_param"]):
        pname, unit = spec["x_param"], model.x_unit
        try:
            lo, hi = (quantity(v, "energy") for v in (start, stop))
            factor = 1e3 if unit == "meV" else 1.0
            lo, hi = (check_number(f"--sweep {name}", v * factor) for v in (lo, hi))
        except (UnitError, ValueError) as exc:
            raise CLIError(f"--sweep {name}={start}:{stop}:{n}: {exc}") from None
        return "x", pname, unit, np.linspace(lo, hi, n)
    pname = spec["second"].get(name, name)
    if pname in spec.get("switches", {}):
        raise CLIError(f"--sweep {name}: a switch of 0 or 1 ({spec['switches'][pname]}), not a "
                       f"parameter to sweep; give it as --param {name}=0 or 1")
    try:
        lo, hi = (parameter_value(model, pname, v, spec.get("switches", ()))
                  for v in (start, stop))
    except ValueError as exc:
        raise CLIError(f"--sweep {name}: {exc}") from None
    return "y", pname, model.param(pname).unit, np.linspace(lo, hi, n)


def _grid_axes(args, model) -> dict:
    """``{'x': (name, unit, values), 'y': ...}`` from the --sweep options."""
    axes = {}
    for name, start, stop, n in args.sweep:
        kind, pname, unit, values = _axis(model, args.model, name, start, stop, n)
        if kind in axes:
            raise CLIError(f"--sweep: two sweeps of the {'energy' if kind == 'x' else 'second'} "
                           "axis; give energy=... and one other parameter")
        axes[kind] = (pname, unit, values)
    if "x" not in axes:
        raise CLIError("--sweep energy=START:STOP:N is needed (the model's own axis)")
    return axes


def _fixed_parameters(args, spec, model, axes) -> dict:
    """The --param values in the model's units, checked against the model."""
    from ..analysis.theory_compare import parameter_value

    params = {}
    # a parameter given twice (under its name or an alias: angle is theta) kept the last
    for pname, value in per_file([(spec["second"].get(n, n), v) for n, v in args.param],
                                 "--param").items():
        if pname == spec["x_param"] or ("y" in axes and pname == axes["y"][0]):
            raise CLIError(f"--param {pname}: it is swept")
        try:
            params[pname] = parameter_value(model, pname, value, spec.get("switches", ()))
        except ValueError as exc:
            raise CLIError(f"--param {exc}") from None
    try:
        model.check({k: v for k, v in params.items()})
    except ValueError as exc:
        raise CLIError(f"--param: {exc}") from None
    return params


def _write_table(path, x, y, xname, xunit, yname, yunit, theory, z) -> None:
    """compare.csv: one row per grid point, the unit of every parameter in its header."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        head = [f"{xname} ({xunit})"] + ([f"{yname} ({yunit})"] if yname else []) + [
            "theory_fl_over_dl", "z", "within_1_sigma", "within_2_sigma"]
        w.writerow(head)
        for i, xv in enumerate(x):
            for j, yv in enumerate(y):
                zz = z[i, j]
                row = [f"{xv:.10g}"] + ([f"{yv:.10g}"] if yname else []) + [
                    f"{theory[i, j]:.10g}", f"{zz:.6g}",
                    int(bool(np.isfinite(zz) and abs(zz) <= 1)),
                    int(bool(np.isfinite(zz) and abs(zz) <= 2))]
                w.writerow(row)


def _parameters_used(model, spec, params, yname) -> tuple[dict, dict]:
    """Every parameter of the model at the value the grid used (model units), those not given
    marked ``"default": true``; the swept ones left out. Only those given were written: a
    one-sweep T-matrix comparison ran at theta = 30 deg, and kp-2deg at its own alpha_R, J_ex and
    tau, without a word in the summary.

    Returns
    -------
    parameters, switches : dict
        The physical parameters, and apart from them the route's switches of 0 or 1
        (``THEORY_RATIOS[...]["switches"]``, e.g. the T-matrix or first Born approximation),
        each with what its values mean (they were listed among the parameters, with unit "").
    """
    swept = {spec["x_param"]} | ({spec["second"].get(yname, yname)} if yname else set())
    switches = spec.get("switches", {})
    out, chosen = {}, {}
    for p in model.params:
        if p.name in swept:
            continue
        given = p.name in params
        value = float(params[p.name] if given else p.default)
        if p.name in switches:
            chosen[p.name] = {"value": value, "meaning": switches[p.name],
                              **({} if given else {"default": True})}
            continue
        out[p.name] = {"value": value, "unit": p.unit, **({} if given else {"default": True})}
    return out, chosen


def _summary(args, spec, model, measured, params, axes, res, refused) -> dict:
    """summary.json: the measured ratio, the theory settings and the consistent regions."""
    xname, xunit, x = axes["x"]
    yname, yunit, y = axes.get("y", (None, "", None))
    parameters, switches = _parameters_used(model, spec, params, yname)
    summary = {
        "analysis": "theory compare", "model": args.model, "model_spec": model.name,
        "theory_ratio": spec["what"], "measured": measured.to_dict(),
        "parameters": parameters, **({"switches": switches} if switches else {}),
        "grid": {xname: {"min": float(x.min()), "max": float(x.max()), "n": int(x.size),
                         "unit": xunit},
                 **({yname: {"min": float(y.min()), "max": float(y.max()), "n": int(y.size),
                             "unit": yunit}} if yname else {})},
        "consistency": res,
        "notes": list(measured.notes) + [
            "z = the exact (Fieller) test of FL - R DL = 0 at each theory ratio R, signed as "
            "theory minus measured: (R - FL/DL) / (the ratio's standard error at R); it equals "
            "(theory - measured) / sigma of the measured ratio only where DL is many standard "
            "errors from zero; the theory is taken as exact",
            f"compared: {res['compared']}"],
    }
    from ..analysis.theory_compare import DENOMINATOR_SIGMAS

    for name, note in spec.get("default_notes", {}).items():
        if parameters.get(name, {}).get("default"):
            summary["notes"].append(f"{name} = {parameters[name]['value']:g} "
                                    f"{parameters[name]['unit']} (not swept nor given): {note}")
    if res["denominator_sigmas"] < DENOMINATOR_SIGMAS:
        summary["notes"].append(
            f"{measured.denominator['name']} is {res['denominator_sigmas']:.2g} standard errors "
            "from zero: the first-order standard error of the ratio misleads (the ratio is far "
            "from normal); the regions and z use the exact test of FL - R DL = 0 at each theory "
            "ratio R (Fieller)")
    if refused:
        summary["refused_points"] = {"count": len(refused), "first_reason": refused[0][2]}
        summary["notes"].append(f"{len(refused)} grid point(s) refused by the model (NaN in "
                                f"compare.csv), e.g.: {refused[0][2]}")
    if not res["consistent_2sigma"]:
        summary["notes"].append("no point of the grid is within 2 sigma of the measured ratio: "
                                "the model with these parameters does not explain it (or the "
                                "grid misses the region)")
    return summary


def _print_summary(args, measured, res, theory, xname, xunit, yname, yunit) -> None:
    lev1, lev2 = res["levels"]["1_sigma"], res["levels"]["2_sigma"]
    magnitudes = res["compared"] == "magnitudes"
    print(f"sotfit theory compare ({args.model}): measured FL/DL = {measured.value:.4g} +/- "
          f"{measured.stderr:.2g} ({measured.numerator['name']}/{measured.denominator['name']})")
    for note in measured.notes:
        print(f"  note: {note}")
    if magnitudes:
        print(f"  compared: magnitudes, |FL/DL| = {abs(measured.value):.4g} against |theory| "
              f"(--signed compares the signs too)")
    else:
        print("  compared: signed values")
    def span(r):
        # the grid's values to 6 digits: 'tau [0.026000000000000002, 0.027000000000000003] ps'
        return r if r is None else "[" + ", ".join(f"{float(v):.6g}" for v in r) + "]"

    print(f"  theory range on the grid{' (magnitudes)' if magnitudes else ''}: "
          f"{span(res['theory_range'])}")
    for lab, lev in (("1 sigma", lev1), ("2 sigma", lev2)):
        rng = span(lev.get(f"{xname}_range"))
        extra = f", {yname} {span(lev.get(f'{yname}_range'))} {yunit}" if yname else ""
        print(f"  within {lab}: {lev['points']} of {theory.size} points"
              + (f" ({xname} {rng} {xunit}{extra})" if rng else ""))
    if res["nearest"]:
        near = res["nearest"]
        where = ", ".join(f"{n} = {near[n]:.4g} {u}".rstrip() for n, u in
                          ((xname, xunit), (yname, yunit)) if n and np.isfinite(near[n]))
        print(f"  nearest grid point: {where}: theory FL/DL = {near['theory_ratio']:.4g} "
              f"(signed), z = {near['z']:.3g}")


def run(args) -> int:
    """Evaluate the theory on the grid, compare with the measured ratio, write the results."""
    from ..analysis.theory_compare import THEORY_RATIOS, compare_ratio, read_measured_ratio
    from ..models import MODELS

    spec = THEORY_RATIOS[args.model]
    model = MODELS[spec["model"]]
    try:
        measured = read_measured_ratio(args.summary, section=args.section,
                                       correlation=args.correlation)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    if not args.sweep:
        raise CLIError("give --sweep energy=START:STOP:N (and a second --sweep for a map)")
    axes = _grid_axes(args, model)
    params = _fixed_parameters(args, spec, model, axes)
    xname, xunit, x = axes["x"]
    yname, yunit, y = axes.get("y", (None, "", np.array([np.nan])))
    out = stage_out_dir(args)
    names = (xname, yname or "none")
    theory, res, z, refused = compare_ratio(model, x, yname, y, params, measured, names,
                                            (xunit, yunit), invert=spec["invert"],
                                            signed=args.signed, sign=spec.get("sign", 1.0))
    if refused and len(refused) == theory.size:
        raise CLIError(f"the model refuses every point of the grid: {refused[0][2]}")
    if not np.isfinite(theory).any():
        raise CLIError("the model gives no ratio anywhere on the grid (no carriers, or both "
                       "torques vanish there: a Fermi energy below the bands, or a "
                       "magnetisation in the plane for the T-matrix theory; or the "
                       "damping-like torque vanishes: the first Born approximation, "
                       "--param tmatrix=0); choose another grid")
    _write_table(out / "compare.csv", x, y, xname, xunit, yname, yunit, theory, z)
    summary = _summary(args, spec, model, measured, params, axes, res, refused)
    blank = int((~np.isfinite(theory)).sum()) - len(refused)
    if blank > 0:
        summary["notes"].append(
            f"{blank} grid point(s) where the model gives no ratio (NaN in compare.csv: no "
            "damping-like response there, as below the bands, or both torques vanish, as for "
            "the T-matrix theory's magnetisation in the plane); they are neither within nor "
            "outside the regions")
    flags = write_summary(summary, out)
    if not args.no_figures:
        from ..plot import save
        from ..plot.compare import ratio_region

        save(ratio_region(x, y if yname else None, theory, z, measured, names,
                          (xunit, yunit), signed=args.signed, title=spec["what"]),
             out / "region.png")
    _print_summary(args, measured, res, theory, xname, xunit, yname, yunit)
    return flag_status(args, flags)
