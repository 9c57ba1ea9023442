"""``sotfit thickness``: spin-mixing conductance, spin diffusion length and spin Hall
conductivity from thickness series of torque efficiencies (drift-diffusion with a complex
spin-mixing conductance, Gao et al., eqs. (1)-(2); docs/thickness.md).

Inputs: thickness tables (units in the header; see :mod:`sotfit.io.thickness`), one per
ferromagnet on the same spin source, or a set of ``sotfit stfmr``/``sotfit hall``
``summary.json`` files (one per thickness) that together make one series. Several tables are
fitted globally: sigma_s, lambda_s and rho shared, each interface with its own G.

Writes to ``--out``: ``summary.json`` (stable names ``re_g_mix``, ``im_g_mix`` in
1e13 Ohm^-1 m^-2, ``spin_diffusion_length`` in nm, ``spin_hall_conductivity`` in
1e5 (hbar/2e) Ohm^-1 m^-1, each ``{"value","stderr","unit"}`` plus ``p16``/``p50``/``p84``
with ``--mcmc``; ``interfaces`` holds every interface), ``fit.png``, and with ``--mcmc``
``chain.npz`` (compressed) and ``corner.png``.

``--model interface-barrier`` (G of the tight-binding barrier of seed 003 Fig. 4, per
interface ``delta_t`` and ``exchange`` in eV) and ``--model interface-delta`` (G of the delta
barrier of seed 004, per interface ``u0``, ``u_ex``, ``u_R``) fit microscopic parameters;
``re_g_mix``/``im_g_mix`` are then derived, every interface gets an ``identifiability``
verdict from the profile chi-square, and ``identifiability.png`` shows the profile (and the
posterior with ``--mcmc``) in the plane of the two parameters over the |Im G/Re G| map.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from ..models.interface.specs import DELTA_DEFAULTS
from .common import (
    add_column_options, role_options, CLIError, dumps_json, Progress, add_figure_option, add_output_options, flag_status, integer_type,
    list_type, number_type, pair_type, quantity_type, stage_out_dir, write_summary,
    add_parallel_options, parallel_options, refuse_idle_parallel, options_of, chain_length,
    ADAPTIVE_MIN_STEPS, ADAPTIVE_MAX_STEPS,
)

__all__ = ["add_parser", "run", "MODEL_OPTIONS", "SKEW_RATIO", "asymmetric_interval"]

#: The mechanisms of :data:`sotfit.analysis.microscopic.MECHANISMS` (named here so that the
#: parser is built without importing the models).
MECHANISMS = ("drift-diffusion", "interface-barrier", "interface-delta")
#: Options (argparse dests) of each microscopic model, and their model parameter names.
MODEL_OPTIONS = {
    "interface-barrier": {"fermi_energy": "fermi_energy", "t0": "t0", "t_c": "t_c_ratio",
                          "eps_m": "eps_m", "lattice_constant": "lattice_constant"},
    "interface-delta": {"k_fermi": "k_fermi", "theta_m": "theta_m", "phi_m": "phi_m",
                        "u_R": "u_R"},
}


#: The options of --mcmc: ``{attribute: (option, default)}`` (refused without --mcmc); without
#: --steps the chain runs until it is long enough (:data:`MIN_STEPS` to --max-steps steps).
MCMC_DEFAULTS = {"walkers": ("--walkers", 32), "steps": ("--steps", None),
                 "max_steps": ("--max-steps", None), "seed": ("--seed", 0)}
#: Without --steps: the shortest chain, and the longest unless --max-steps gives another
#: (steps). A four-parameter fit of a BiSb-like series has tau of 300-500 steps: the 5000 steps
#: that were the fixed length are 10-17 tau, the 50 needed 15 000-25 000 steps.
MIN_STEPS, MAX_STEPS = ADAPTIVE_MIN_STEPS, ADAPTIVE_MAX_STEPS


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "thickness", help="spin transport (G, lambda_s, sigma_s) from thickness series",
        description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+", metavar="FILES",
                   help="thickness tables (one per interface) or summary.json files "
                        "(one per thickness)")
    p.add_argument("--model", default=None, choices=list(MECHANISMS),
                   help="mechanism of G: drift-diffusion (G fitted, Gao et al. eqs. (1)-(2)), "
                        "interface-barrier (delta_t, exchange in eV; Gao et al., Fig. 4) or "
                        "interface-delta (u0, u_ex, u_R; Amin, Haney and Stiles 2020); default drift-diffusion")
    p.add_argument("--compare-models", default=None, metavar="M1,M2,...",
                   type=list_type(_mechanism_name),
                   help="fit each mechanism to the same data and write a model_comparison "
                        "table (AIC, BIC; PSIS-LOO with --mcmc and ArviZ) with a verdict, "
                        "e.g. drift-diffusion,interface-barrier,interface-delta")
    p.add_argument("--joint", action="store_true",
                   help="fit DL and FL together (default: DL only, with Im G = 0)")
    p.add_argument("--rho", "--resistivity", dest="rho",
                   type=quantity_type("resistivity", positive=True), default=None,
                   help="spin-source resistivity, e.g. 350.3uOhmcm (else from the files)")
    p.add_argument("--label", action="append", default=None,
                   help="interface label, once per table (default: the sample header)")
    p.add_argument("--thickness", default=None,
                   type=list_type(quantity_type("length", nonnegative=True, limit=True)),
                   help="comma-separated thicknesses for summary.json inputs, e.g. 6nm,10nm,...")
    p.add_argument("--section", default=None,
                   help="section of the summary.json files to read (e.g. global, sequential)")
    p.add_argument("--fix", action="append", default=[], metavar="NAME=VALUE",
                   type=pair_type(_value_with_unit_type()),
                   help="hold a parameter fixed, e.g. spin_diffusion_length=25nm, "
                        "re_g_mix=2e14S/m2 or g_sf=0.5 (a bare number is in the house unit: "
                        "nm, uOhm cm, 1e13 Ohm^-1 m^-2, 1e5 (hbar/2e) Ohm^-1 m^-1, eV)")
    p.add_argument("--free", action="append", default=[], metavar="NAME",
                   help="fit a parameter the model holds fixed by default (g_sf, u_R)")
    energy = quantity_type("energy")
    g = p.add_argument_group("--model interface-barrier (defaults: E = -4 t0, the small Fermi "
                             "surface of Gao et al.'s Fig. 4; t0 and a, which it does not give, "
                             "are sotfit's choice)")
    g.add_argument("--fermi-energy", type=energy, default=None,
                   help="Fermi energy from the band centre of the spin source (default -4eV)")
    g.add_argument("--t0", type=quantity_type("energy", positive=True), default=None,
                   help="hopping of the spin source (default 1eV)")
    g.add_argument("--t-c", type=quantity_type("energy", nonnegative=True), default=None,
                   help="hopping between spin source and monolayer (default t0)")
    g.add_argument("--eps-m", type=energy, default=None,
                   help="on-site energy of the ferromagnetic monolayer (default 0eV)")
    g.add_argument("--lattice-constant", type=quantity_type("length", positive=True, limit=True),
                   default=None, help="lattice constant a (default 0.3nm)")
    d = p.add_argument_group("--model interface-delta (Amin, Haney and Stiles 2020)")
    d.add_argument("--k-fermi", type=number_type(positive=True), default=None,
                   help=f"Fermi wave number in 1/nm (default {DELTA_DEFAULTS['k_fermi']:g}, "
                        "in the Sharvin range of BiSb, seed 003; the default of 'theory "
                        "interface --model delta' too)")
    angle = quantity_type("angle", default_unit="deg")
    d.add_argument("--theta-m", type=angle, default=None,
                   help="magnetisation polar angle from the interface normal (default "
                        f"{DELTA_DEFAULTS['theta_m']:g}deg)")
    d.add_argument("--phi-m", type=angle, default=None,
                   help=f"magnetisation azimuth from the current (default "
                        f"{DELTA_DEFAULTS['phi_m']:g}deg)")
    d.add_argument("--u-R", type=number_type(), default=None,
                   help="interfacial Rashba strength u_R (default 0; --free u_R fits it)")
    p.add_argument("--calibration-prior", action="append", default=[],
                   metavar="METHOD=DIST(...)",
                   help="prior of a method's calibration factor (measured / true efficiency) "
                        "when ST-FMR and harmonic Hall summary.json files of one stack are "
                        "fitted together, e.g. hall=lognormal(1,0.1) (median 1, 10 %% in ln); "
                        "methods without one are the reference (factor 1)")
    p.add_argument("--mcmc", action="store_true", help="sample the posterior with emcee")
    p.add_argument("--walkers", type=integer_type(2), default=None,
                   help=f"emcee walkers (>= 2; --mcmc; default {MCMC_DEFAULTS['walkers'][1]})")
    p.add_argument("--steps", type=integer_type(2), default=None,
                   help="chain length, fixed (>= 2; --mcmc; default: the chain runs "
                        f"{MIN_STEPS} steps, then on until it is 50 autocorrelation times long "
                        f"with a settled tau, at most --max-steps)")
    p.add_argument("--max-steps", type=integer_type(2), default=None,
                   help="the longest chain when --steps is not given (--mcmc; default "
                        f"{MAX_STEPS})")
    p.add_argument("--seed", type=integer_type(0), default=None,
                   help="random seed of the walkers' start (--mcmc; the same seed, the same "
                        f"chain; default {MCMC_DEFAULTS['seed'][1]})")
    p.add_argument("--prior", action="append", default=[], metavar="NAME=DIST(...)",
                   help="prior, e.g. spin_diffusion_length=uniform(1nm,100nm) or "
                        "re_g_mix=loguniform(0.001,20) (bare numbers in the house unit, as "
                        "--fix; the sigma of lognormal is a pure number)")
    add_parallel_options(p, "the walkers of --mcmc (the same chain; worth it for slow models)")
    add_output_options(p)
    add_figure_option(p)
    from ..io.thickness import COLUMN_ROLES

    add_column_options(p, COLUMN_ROLES, "thickness=t_nm")
    p.add_argument("--decimal-mark", choices=("point", "comma"), default=None,
                   help="the decimal mark of a semicolon- or tab-separated table whose numbers write a "
                        "point before three digits (-156.123): 'comma' reads the points as "
                        "separators of thousands (-156123), 'point' as decimal points; "
                        "without it such a table is read only where one reading is possible")
    p.add_argument("--json", action="store_true", help="print summary.json to stdout")
    p.set_defaults(func=run)


def _mechanism_name(text: str) -> str:
    import argparse

    if text not in MECHANISMS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a mechanism; choose from "
                                         f"{', '.join(MECHANISMS)}")
    return text


def _value_with_unit_type():
    """An argparse ``type`` for the value of ``--fix``: a finite number, bare (in the house
    unit of the parameter) or with a unit sotfit knows (``'25nm'``), kept as text until the
    parameter's unit is known (:func:`_house_values`)."""
    from ..checks import check_number
    from ..units import parse_quantity
    from .common import _argparse_type

    def convert(text):
        try:
            bare = float(text)
        except ValueError:
            bare = None
        if bare is not None:
            return check_number(repr(text), bare)
        try:
            value, unit = parse_quantity(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number (nor a number with a unit, e.g. "
                             "25nm)") from None
        check_number(repr(text), value)
        return text.strip()

    return _argparse_type("number with or without unit", convert)


def _house_values(problem, fixed: dict) -> dict:
    """The values of ``--fix`` in the house units of their parameters."""
    from ..analysis.thickness import house_value

    out = {}
    for k, v in fixed.items():
        try:
            out[k] = house_value(problem, k, v)
        except ValueError as exc:
            raise CLIError(f"--fix {k}: {exc}") from None
    return out


def _house_priors(problem, texts: dict) -> dict:
    """The priors of ``--prior`` (``{name: text}``) as frozen distributions, arguments with a
    unit read in the house unit of their parameter."""
    from ..analysis.thickness import house_unit, house_value
    from ..priors import PriorError, parse

    out = {}
    for k, text in texts.items():
        unit = house_unit(problem, k)
        try:
            out[k] = parse(text, to_number=lambda a, k=k: house_value(problem, k, a))
        except PriorError as exc:
            hint = (f"; numbers without a unit are in {unit}, the house unit of {k}"
                    if unit and "house unit" not in str(exc) else "")
            raise CLIError(f"--prior {k}={text}: {exc}{hint}") from None
    return out


def _known_unit(text) -> float:
    """A prior's argument with a unit sotfit knows, as its number (the syntax check of
    ``--prior`` before the parameter's unit is known)."""
    from ..units import normalise_unit, parse_quantity

    value, unit = parse_quantity(text)
    normalise_unit(unit.replace("(hbar/2e)", "").strip())
    return value


def _pairs(items, what):
    out = {}
    for it in items:
        if "=" not in it:
            raise CLIError(f"{what} {it!r}: write NAME=VALUE")
        k, v = it.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _pattern_in(folder: Path) -> Path:
    """A pattern for the inputs a folder holds: its summaries (``*/summary.json`` of a run per
    thickness, or ``summary.json``) where it has them, else its tables."""
    for pattern in ("summary.json", "*/summary.json", "*/*/summary.json"):
        if next(folder.glob(pattern), None) is not None:
            return folder / pattern
    for pattern in ("*.csv", "*.txt", "*.tsv", "*.dat", "*.xlsx"):
        if next(folder.glob(pattern), None) is not None:
            return folder / pattern
    return folder / "*.csv"


def _load(args):
    from ..io.thickness import (COLUMN_ROLES, ThicknessError, check_distinct_files,
                                from_summaries, joined_parts, read_thickness_tables)

    from ..io import table_names

    files = [Path(f) for f in args.files]
    folders = [str(f) for f in files if f.is_dir()]
    if folders:
        raise CLIError(f"{folders[0]} is a folder: give the thickness tables (one per interface) "
                       "or the summary.json files in it by name, e.g. "
                       f"{_pattern_in(Path(folders[0]))}")
    missing = [str(f) for f in files if not table_names.named_table(f)[0].is_file()]
    if missing:
        raise CLIError(f"file(s) not found: {missing}")
    check_distinct_files(files)
    if all(f.suffix.lower() == ".json" for f in files):
        if args.column or args.column_unit or args.decimal_mark:
            raise CLIError("--column, --column-unit and --decimal-mark are for thickness "
                           "tables, not summary.json inputs")
        from ..analysis.stack import read_stack

        label = (args.label or [""])[0]
        if args.label and len(args.label) > 1:
            raise CLIError(f"{len(args.label)} --label for summary.json inputs: they make one "
                           "stack (one interface), give one label")
        series = read_stack(files, thickness=args.thickness, resistivity=args.rho,
                            section=args.section, label=label)
        if len(series) == 1:
            return [from_summaries(files, thickness=args.thickness, resistivity=args.rho,
                                   section=args.section, label=label)]
        return series
    if any(f.suffix.lower() == ".json" for f in files):
        raise CLIError("give either thickness tables or summary.json files, not both")
    for opt in ("thickness", "section"):
        if getattr(args, opt) is not None:
            raise CLIError(f"--{opt} is for summary.json inputs, not thickness tables")
    if args.label and len(args.label) != len(files):
        raise CLIError(f"{len(args.label)} --label for {len(files)} tables")
    columns = role_options(args.column, "--column", COLUMN_ROLES)
    units = role_options(args.column_unit, "--column-unit", COLUMN_ROLES)
    series = [one for i, f in enumerate(files)
              for one in read_thickness_tables(f, resistivity=args.rho,
                                               label=args.label[i] if args.label else None,
                                               columns=columns, column_units=units,
                                               absent_columns_ok=len(files) > 1,
                                               decimal_mark=args.decimal_mark)]
    try:
        series = joined_parts(series, labelled=bool(args.label))
    except ThicknessError as exc:
        raise CLIError(str(exc)) from None
    nowhere = [r for r in columns if all(r in s.meta["columns_absent"] for s in series)]
    if nowhere:
        raise CLIError("no table has the column of --column "
                       + ", ".join(f"{r}={columns[r]}" for r in nowhere))
    _no_shared_points(series, files)
    return series


def _named(series) -> str:
    """A series as messages name it: its file, and its sample where the file holds several."""
    source = series.meta.get("source", series.label)
    return source if series.label == Path(source).stem else f"{source} [{series.label}]"


def _no_shared_points(series, files) -> None:
    """Refuse two tables that share half or more of the points of either (thickness, value and
    error equal): one measurement given twice under two labels counts every point twice and
    makes every error sqrt(2) too small (two tables sharing 18 of 20 points were fitted as two
    interfaces without a word; the same file twice is refused before)."""
    def points(s, part):
        d = getattr(s, part)
        return set() if d is None else set(zip(d.x.tolist(), d.y.tolist(), d.yerr.tolist()))

    for i in range(len(series)):
        for j in range(i + 1, len(series)):
            for part in ("dl", "fl"):
                a, b = points(series[i], part), points(series[j], part)
                shared = len(a & b)
                if shared >= 2 and 2 * shared >= min(len(a), len(b)):
                    raise CLIError(
                        f"{_named(series[i])} and {_named(series[j])} share {shared} of their "
                        f"{len(a)} and "
                        f"{len(b)} {part.upper()} points exactly (thickness, value and error): "
                        "the same measurement given twice counts every point twice; give each "
                        "interface's table once")


#: A posterior is shown with its asymmetric interval, median (+p84-p50/-p50-p16), where the
#: longer of its two half-widths exceeds the shorter by more than this factor (a symmetric
#: +/- stderr then misstates one side by more than 25 %: Im G 160 +/- 1046 for a 16-84 %
#: range of 3 .. 2096).
SKEW_RATIO = 1.25


def asymmetric_interval(e: dict) -> tuple[float, float] | None:
    """The half-widths ``(p50 - p16, p84 - p50)`` of a posterior summary entry where they
    differ by more than :data:`SKEW_RATIO`, else None (also for an entry without percentiles
    or with a zero-width one, a fixed parameter).

    Parameters
    ----------
    e : dict
        A quantity of summary.json (``value``, ``stderr``, ``unit``, and with ``--mcmc``
        ``p16``, ``p50``, ``p84`` in that unit).

    Returns
    -------
    tuple of float or None
        ``(minus, plus)`` in the entry's unit.
    """
    try:
        p16, p50, p84 = (float(e[k]) for k in ("p16", "p50", "p84"))
    except (KeyError, TypeError, ValueError):
        return None
    minus, plus = p50 - p16, p84 - p50
    if not (minus >= 0 and plus >= 0 and max(minus, plus) > 0):
        return None
    if max(minus, plus) > SKEW_RATIO * min(minus, plus):
        return minus, plus
    return None


def _two_digits(x: float) -> str:
    """``x`` to two significant digits as %g writes them (no exponent from 1e-4 to 1e6; 1936 ->
    ``'1900'``, 0.01723 -> ``'0.017'``)."""
    return f"{float(f'{x:.2g}'):g}"


def human_summary(summary: dict) -> str:
    lines = [f"sotfit thickness ({summary['method']}):"]

    def fmt(e):
        skew = asymmetric_interval(e)
        if skew is not None:        # a skewed posterior: median (+upper/-lower), no +/- stderr
            s = f"{e['p50']:.4g} (+{_two_digits(skew[1])}/-{_two_digits(skew[0])})"
        elif e.get("stderr") is not None:
            s = f"{e['value']:.4g} +/- {e['stderr']:.2g}"
        else:
            s = f"{e['value']:.4g}"
        if "p16" in e:
            s += f"  [16-84 %: {e['p16']:.4g} .. {e['p84']:.4g}]"
        return s + f" {e['unit']}"

    for k in ("spin_hall_conductivity", "spin_diffusion_length"):
        lines.append(f"  {k:>24s} = {fmt(summary[k])}")
    for lab, g in summary["interfaces"].items():
        lines.append(f"  {lab}:")
        for k, q in g.items():
            if not isinstance(q, dict) or "value" not in q or k in ("re_g_mix", "im_g_mix"):
                continue
            tag = " (fixed)" if q.get("fixed") else ""
            lines.append(f"  {k:>24s} = {fmt(q)}{tag}")
        for k in ("re_g_mix", "im_g_mix"):
            tag = " (fixed)" if k == "im_g_mix" and g.get("im_g_mix_fixed") else ""
            tag += " (derived)" if "derived_from" in g[k] else ""
            lines.append(f"  {k:>24s} = {fmt(g[k])}{tag}")
        ident = g.get("identifiability")
        if ident:
            lines.append(f"  {'identifiability':>24s}: {ident['verdict']} "
                         f"({ident['explanation']})")
        if g.get("theory_command"):
            lines.append(f"  {'G from theory':>24s}: {g['theory_command']}")
    if "calibration" in summary:
        cal = summary["calibration"]
        for m, q in cal.items():
            if isinstance(q, dict) and "value" in q:
                how = "reference" if q["state"] == "reference" else f"prior {q['prior']}"
                lines.append(f"  {'calibration ' + m:>24s} = "
                             f"{fmt(q) if q['state'] != 'reference' else '1'} ({how})")
        for k, q in cal["ratios"].items():
            lines.append(f"  {'ratio ' + k:>24s} = {fmt(q)}")
    if "mcmc" in summary:
        d = summary["mcmc"]["diagnostics"]
        run = d.get("adaptive")
        how = "" if run is None else (
            f" (run until 50 tau long, {run['min_steps']} to {run['max_steps']} steps"
            + ("" if run["stopped"] == "converged" else ": stopped at the longest") + ")")
        lines.append(f"  MCMC: {d['nwalkers']} walkers x {d['nsteps']} steps{how} = "
                     f"{min(d['chain_over_tau'].values()):.1f} autocorrelation times "
                     f"(longest tau {max(d['autocorr_time'].values()):.1f} steps), acceptance "
                     f"{d['acceptance_fraction']['mean']:.2f}, converged: "
                     + ("yes" if d["converged"] else "no"))
        if not d["converged"]:
            lines.append("  WARNING: " + summary["mcmc"]["message"])
    if "method_agreement" in summary:
        lines.append(f"  methods: {summary['method_agreement']['verdict']}")
    for n in summary["notes"]:
        if not n.startswith("reader: "):      # printed on stderr when the tables were read
            lines.append(f"  note: {n}")
    return "\n".join(lines)


def _calibration_priors(items) -> dict | None:
    """``--calibration-prior METHOD=DIST`` as ``{method: frozen prior}``."""
    from ..priors import PriorError, parse

    out = {}
    for it in items:
        if "=" not in it:
            raise CLIError(f"--calibration-prior {it!r}: write METHOD=DIST, e.g. "
                           "hall=lognormal(1,0.1)")
        m, text = (x.strip() for x in it.split("=", 1))
        if m in out:
            raise CLIError(f"--calibration-prior: {m!r} given twice")
        try:
            out[m] = parse(text)
        except PriorError as exc:
            hint = ""
            if text.replace(" ", "").lower().startswith("lognormal(0,"):
                hint = (" (sotfit's lognormal takes the median, not the mean of ln x: a "
                        "calibration known to 10 % is lognormal(1, 0.1))")
            raise CLIError(f"--calibration-prior {it!r}: {exc}{hint}") from None
    return out or None


def _model_options(args, models) -> dict:
    """Options of each model in ``models`` from the command line; an option of a model that
    is not fitted is refused (it would be silently ignored)."""
    out = {m: {} for m in models}
    for m, dests in MODEL_OPTIONS.items():
        for dest, name in dests.items():
            v = getattr(args, dest, None)
            if v is None:
                continue
            if m not in models:
                raise CLIError(f"--{dest.replace('_', '-')} is an option of --model {m}; it "
                               f"does not apply to {', '.join(models)}")
            out[m][name] = v
    bar = out.get("interface-barrier")
    if bar is not None and "t_c_ratio" in bar:
        bar["t_c_ratio"] = bar["t_c_ratio"] / bar.get("t0", 1.0)
    return out


def _build(args, series, model, options, fixed, priors):
    """The problem of one model with the command line's --fix, --free and --prior checked."""
    from ..analysis.thickness import build_problem, check_parameter_names, resolve_names

    free = list(args.free)
    cal = getattr(args, "calibration_priors", None)
    try:
        problem = build_problem(series, joint=args.joint, resistivity=args.rho, model=model,
                                options=options, calibration_priors=cal)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    try:
        if free:
            check_parameter_names(problem, free, "--free", settable_only=True)
        check_parameter_names(problem, fixed, "--fix")
        fixed = _house_values(problem, fixed)
        if fixed or free:
            try:
                problem = build_problem(series, joint=args.joint, resistivity=args.rho,
                                        model=model, options=options, calibration_priors=cal,
                                        fixed=resolve_names(problem, fixed), free=free)
            except ValueError as exc:
                raise CLIError(f"--fix: {exc}") from None
        check_parameter_names(problem, priors, "--prior", free_only=True)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    return problem


def _fit_one(args, problem, priors, out, tag=""):
    """Least squares and, with --mcmc, the posterior of one problem."""
    from ..analysis.thickness import fit_thickness, sample_thickness
    from ..bayes import AutocorrelationWarning
    from ..fitting import FitError

    from ..analysis.thickness.least_squares import TooFewPointsError

    try:
        lsq = fit_thickness(problem)
    except TooFewPointsError as exc:       # no fit was tried: not a failed one
        raise CLIError(f"{exc}{tag}") from None
    except FitError as exc:
        raise CLIError(f"least-squares fit failed{tag}: {exc}") from None
    post = None
    if args.mcmc and args.walkers < 2 * len(lsq.varied):
        raise CLIError(f"--walkers {args.walkers} is too few for the {len(lsq.varied)} sampled "
                       f"parameters ({', '.join(lsq.varied)}){tag}; emcee needs at least "
                       f"{2 * len(lsq.varied)}")
    if args.mcmc:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            post = sample_thickness(problem, lsq, priors=priors, nwalkers=args.walkers,
                                    **chain_length(args.steps, args.max_steps, "--steps",
                                                   "--max-steps"),
                                    seed=args.seed,
                                    progress=Progress(f"sotfit thickness: sampling{tag}"),
                                    **parallel_options(args))
        for w in caught:
            if issubclass(w.category, (AutocorrelationWarning, UserWarning)):
                print(f"sotfit thickness: warning{tag}: {w.message}", file=sys.stderr)
    return lsq, post


def _figures(problem, lsq, post, profiles, out, suffix=""):
    from ..plot import save
    from ..plot.thickness import thickness_fit

    save(thickness_fit(problem, lsq, post), out / f"fit{suffix}.png")
    if post is not None:
        from ..plot.bayes import corner

        save(corner(post), out / f"corner{suffix}.png")
    if any(pr is not None for pr in profiles):
        from ..plot.interface import identifiability_figure

        save(identifiability_figure(problem, profiles, post), out / f"identifiability{suffix}.png")


def run(args) -> int:
    from ..analysis.thickness import interface_profiles, summary_dict
    from ..priors import PriorError, parse
    from ..units import UnitError

    priors = _pairs(args.prior, "--prior")       # texts, read once the units are known
    for k, v in priors.items():
        try:
            parse(v, to_number=_known_unit)
        except PriorError as exc:
            raise CLIError(f"--prior {k}={v}: {exc}") from None
    fixed = dict(args.fix)
    if priors and not args.mcmc:
        raise CLIError("--prior needs --mcmc")
    options_of(args, args.mcmc, MCMC_DEFAULTS, "--mcmc")
    chain_length(args.steps, args.max_steps, "--steps", "--max-steps")     # both: an error
    refuse_idle_parallel(args, args.mcmc, "the walkers of --mcmc", "--mcmc")
    if args.compare_models is not None:
        if args.model is not None:
            raise CLIError("give either --model or --compare-models")
        models = list(dict.fromkeys(args.compare_models))
        if len(models) < 2:
            raise CLIError("--compare-models needs at least two different mechanisms")
    else:
        models = [args.model or "drift-diffusion"]
    options = _model_options(args, models)
    args.calibration_priors = _calibration_priors(args.calibration_prior)
    try:
        series = _load(args)
    except UnitError as exc:
        raise CLIError(str(exc)) from None
    for n in _reader_notes(series):
        print(f"note: {n}", file=sys.stderr)          # as stfmr and hall; kept in summary.json
    if len(models) > 1:
        return _run_comparison(args, series, models, options, fixed, priors)
    model = models[0]
    problem = _build(args, series, model, options[model], fixed, priors)
    out = stage_out_dir(args)
    lsq, post = _fit_one(args, problem, _house_priors(problem, priors), out)
    if post is not None:
        post.save_chain(out / "chain.npz")
    profiles = interface_profiles(problem, lsq)
    summary = summary_dict(problem, lsq, post, profiles=profiles)
    if problem.calibration:
        from ..analysis.stack import method_agreement

        summary["method_agreement"] = method_agreement(problem, lsq, summary)
    summary["notes"] = _reader_notes(series) + summary["notes"]
    _flag_inputs(summary, series)
    summary["files"] = [str(f) for f in args.files]
    write_summary(summary, out)
    if not args.no_figures:
        _figures(problem, lsq, post, profiles, out)
    if args.json:
        print(dumps_json(summary))     # null for NaN, as in summary.json
    else:
        print(human_summary(summary))
    return flag_status(args, _distinct_flags(summary), show=not args.json)


def _distinct_flags(summary: dict) -> list[dict]:
    """The flags of a written summary with every quantity once: the top-level ``re_g_mix`` and
    ``im_g_mix`` are the first interface's entries (one object), whose flags summary.json lists
    under both keys; the terminal and ``--strict`` name them once, under the interface."""
    from ..flags import collect_flags

    return collect_flags({k: v for k, v in summary.items() if k != "flags"}, distinct=True)


def _flag_inputs(summary: dict, series) -> None:
    """Flag every fitted quantity of ``summary`` with the flags the input summaries put on the
    efficiencies read (a set whose every efficiency was flagged gave the clean set's numbers
    and no flag, exit 0 under --strict)."""
    from ..flags import add_flag

    found = [f for s in series for f in (getattr(s, "meta", None) or {}).get("input_flags", ())]
    if not found:
        return
    files = {f.split(": ", 1)[0] for f in found}
    reason = (f"rests on efficiencies flagged in {len(files)} input summar"
              f"{'y' if len(files) == 1 else 'ies'} ({found[0]}"
              f"{f'; and {len(found) - 1} more' if len(found) > 1 else ''})")
    for q in summary.values():
        if isinstance(q, dict) and "value" in q and q.get("stderr") is not None:
            add_flag(q, reason)


def _reader_notes(series) -> list[str]:
    """What the reader decided about the tables (numbers with decimal commas, points left out
    for missing cells, cells read as value and error, a footer not read), as notes."""
    out = []
    for s in series:
        m = getattr(s, "meta", None) or {}
        where = m.get("source") or getattr(s, "label", None) or "summaries"
        out.extend(f"reader: {where}: {n}" for n in m.get("reader_notes", ()))
    return out


def _only_known(problem, names):
    """The names of ``names`` (a mapping or list) that are parameters of ``problem``."""
    from ..analysis.thickness import parameter_states, resolve_names

    states = parameter_states(problem)
    if isinstance(names, dict):
        return {k: v for k, v in names.items() if resolve_names(problem, [k])[0] in states}
    return [k for k in names if resolve_names(problem, [k])[0] in states]


def _run_comparison(args, series, models, options, fixed, priors) -> int:
    """--compare-models: every mechanism on the same data, then the comparison table."""
    from ..analysis.model_comparison import compare_mechanisms
    from ..analysis.thickness import build_problem, interface_profiles, summary_dict

    problems = {}
    used = set()
    for m in models:
        try:
            bare = build_problem(series, joint=args.joint, resistivity=args.rho, model=m,
                                 options=options[m],
                                 calibration_priors=args.calibration_priors)
        except ValueError as exc:
            raise CLIError(str(exc)) from None
        fx, pr = _only_known(bare, fixed), _only_known(bare, priors)
        fr = _only_known(bare, list(args.free))
        used |= set(fx) | set(pr) | set(fr)
        saved = args.free
        args.free = fr
        try:
            problems[m] = _build(args, series, m, options[m], fx, pr)
        finally:
            args.free = saved
    unused = (set(fixed) | set(priors) | set(args.free)) - used
    if unused:
        raise CLIError(f"--fix/--prior/--free: {', '.join(sorted(unused))} is a parameter of "
                       f"none of {', '.join(models)}")
    out = stage_out_dir(args)
    fits, summaries = {}, {}
    for m, problem in problems.items():
        lsq, post = _fit_one(args, problem, _house_priors(problem, _only_known(problem, priors)),
                             out, tag=f" ({m})")
        if post is not None:
            post.save_chain(out / f"chain_{m}.npz")
        profiles = interface_profiles(problem, lsq)
        summaries[m] = summary_dict(problem, lsq, post, profiles=profiles)
        if problem.calibration:
            from ..analysis.stack import method_agreement

            summaries[m]["method_agreement"] = method_agreement(problem, lsq, summaries[m])
        fits[m] = (problem, lsq, post)
        if not args.no_figures:
            _figures(problem, lsq, post, profiles, out, suffix=f"_{m}")
    table = compare_mechanisms(fits)
    best = table["best"]
    summary = {k: v for k, v in summaries[best].items() if k not in ("notes",)}
    summary["model_comparison"] = table
    summary["models"] = {m: s for m, s in summaries.items() if m != best}
    summary["notes"] = (_reader_notes(series)
                        + [f"top-level quantities: {best}, the best by {table['scale']}; the "
                           "other mechanisms are under 'models'"] + summaries[best]["notes"])
    _flag_inputs(summary, series)
    summary["files"] = [str(f) for f in args.files]
    write_summary(summary, out)
    if args.json:
        print(dumps_json(summary))     # null for NaN, as in summary.json
    else:
        print(human_summary(summary))
        print(comparison_text(table))
    return flag_status(args, _distinct_flags(summary), show=not args.json)


def comparison_text(table: dict) -> str:
    """Terminal lines of a model_comparison table."""
    loo = table["criterion"] == "loo"
    head = f"  {'mechanism':>18s} {'k':>3s} {'AIC':>9s} {'dAIC':>14s} {'BIC':>9s}"
    if loo:
        head += f" {'elpd_loo':>10s} {'d_elpd':>14s}"
    lines = ["model comparison:", head]
    for r in table["rows"]:
        line = (f"  {r['mechanism']:>18s} {r['k']:3d} {r['aic']:9.2f} "
                f"{r['d_aic']:6.2f} +/- {r['d_aic_se']:4.1f} {r['bic']:9.2f}")
        if loo:
            line += (f" {r['elpd_loo']:10.2f} {r['d_elpd_loo']:6.2f} +/- "
                     f"{r['d_elpd_loo_se']:4.1f}")
        lines.append(line)
    lines.append(f"  verdict: {table['verdict']}")
    lines.extend(f"  note: {n}" for n in table["notes"])
    return "\n".join(lines)
