"""``sotfit stfmr FILES... --out DIR``: the ST-FMR pipeline from instrument files to torques.

With ``--angle-scan`` the FILES are spectra at one frequency and several in-plane field
angles (MacNeill et al., Nat. Phys. 13, 300 (2017)); the conventional (y) and unconventional
(x, z) torque components go to the ``angle`` section of ``summary.json`` and
``figures/angle.png`` (docs/stfmr.md, section 7).

Writes into DIR: ``spectra.csv`` (one row per spectrum branch, units in the headers),
``spectra_combined.csv`` (one row per spectrum, symmetrised), ``summary.json``
(every quantity as ``{"value", "stderr", "unit"}``), and figures under ``figures/``;
prints a short human summary (or the summary JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import gc
import math
import re
import sys
from functools import partial
from pathlib import Path

from .common import (
    CLIError, Progress, dumps_json, add_figure_option, add_output_options, add_parallel_options,
    flag_status, folder_hint, fraction, integer_type, load_sample_file, number_type, pair_type,
    quantity_type, stage_out_dir, write_summary, table_hint, options_of, chain_length,
    ADAPTIVE_MIN_STEPS, ADAPTIVE_MAX_STEPS,
)
from ..data import DataError
from ..units import UnitError
from ..io import table_names
from .stfmr_reading import (  # noqa: F401 - COLUMN_ROLES, reader_options: importable from here
    COLUMN_ROLES, _reader_keywords, _source_names, add_reader_options, reader_options,
)

#: Why the form of the rf current (peak or rms) is asked for and never assumed.
CURRENT_FORM_WHY = ("the torque fields scale as 1/I and the Oersted field as I, so the form "
                    "cannot be told from the spectra")


#: Sample options: name -> (argparse type with the domain, help). The same types read the
#: fields of a --sample file.
SAMPLE_OPTIONS = {
    "ms": (quantity_type("field", positive=True, limit=True),
           "saturation magnetisation mu0*Ms, e.g. 1.1T"),
    "t_fm": (quantity_type("length", positive=True, limit=True), "ferromagnet thickness, e.g. 6nm"),
    "t_nm": (quantity_type("length", positive=True, limit=True),
             "spin-source (normal metal) thickness, e.g. 6nm"),
    "width": (quantity_type("length", positive=True, limit=True), "device width, e.g. 10um"),
    "rho": (quantity_type("resistivity", positive=True),
            "resistivity of the spin-source layer, e.g. 20uOhmcm"),
    "rho_fm": (quantity_type("resistivity", positive=True),
               "resistivity of the ferromagnet, e.g. 40uOhmcm"),
    "angle": (quantity_type("angle", "deg"), "in-plane field angle from the current (default: "
                                             "the one angle all files carry, else 45deg)"),
    "irf": (quantity_type("current", positive=True, limit=True),
            "rf current amplitude, e.g. 2.5mA, with --irf-is peak or --irf-is rms"),
    "delta_r": (quantity_type("resistance", nonzero=True),
                "AMR Delta R = R_parallel - R_perp, e.g. 0.3Ohm"),
    "current_fraction": (fraction, "fraction (0 < f <= 1) of the current in the spin-source "
                         "layer (default: from --rho, --rho-fm and the thicknesses)"),
}


#: ``--lineshape`` choices -> their models in the registry :data:`sotfit.models.MODELS`.
LINESHAPE_MODELS = {"mixing": "stfmr_mixing", "derivative": "stfmr_derivative",
                    "two": "stfmr_two_resonances"}


def _lineshape_choices() -> tuple[str, ...]:
    """The short names above and every registered model that is an ST-FMR lineshape."""
    from ..models import MODELS

    return (*LINESHAPE_MODELS, *(n for n, m in MODELS.items() if m.lineshape is not None))


#: The options of --mcmc: ``{attribute: (option, default)}`` (refused without --mcmc).
MCMC_DEFAULTS = {"mcmc_steps": ("--mcmc-steps", None),
                 "mcmc_max_steps": ("--mcmc-max-steps", None), "seed": ("--seed", 1)}


def add_parser(subparsers) -> None:
    """Register ``sotfit stfmr``."""
    p = subparsers.add_parser(
        "stfmr", help="ST-FMR spectra -> M_eff, g, damping, torque efficiencies",
        description="Fit ST-FMR spectra (both field polarities, in |mu0H| with explicit sign "
                    "bookkeeping), then Kittel and damping across frequencies (sequential and "
                    "global), and the torques the sample description allows.")
    p.add_argument("files", nargs="+", metavar="FILES",
                   help="instrument files or folders; FILE[NAME] reads one table of a file of "
                        "several, as the outputs name it (a run of a QCoDeS database: "
                        "'experiments.db[run 3]', a sheet: 'run.xlsx[10 GHz]')")
    add_output_options(p)
    p.add_argument("--json", action="store_true", help="print summary.json to stdout")
    add_reader_options(p)
    for name, (kind, text) in SAMPLE_OPTIONS.items():
        spellings = ["--" + name.replace("_", "-")] + (["--resistivity"] if name == "rho" else [])
        p.add_argument(*spellings, dest=name, type=kind, help=text)
    p.add_argument("--irf-is", choices=("peak", "rms"), default=None,
                   help="whether the rf current (--irf, --irf-at, or a sample file's irf "
                        "without irf_is) is a peak amplitude or an rms value (required with "
                        "it, never assumed: " + CURRENT_FORM_WHY + ")")
    p.add_argument("--irf-at", action="append", metavar="FREQ=CURRENT", default=None,
                   type=_current_at_frequency,
                   help="the rf current at one frequency, e.g. --irf-at 8GHz=1.4mA, repeated "
                        "for every frequency of the run: a current calibrated per frequency "
                        "(the cable's loss changes with it); instead of --irf")
    p.add_argument("--nm-above", action="store_true",
                   help="the spin-source layer is above the ferromagnet (default: below)")
    p.add_argument("--sample", help="TOML or JSON file with the sample fields "
                                    "(ms, t_fm, t_nm, width, rho, rho_fm, angle, irf, irf_is, "
                                    "delta_r, current_fraction); options override it")
    p.add_argument("--geometry", choices=("inplane", "outofplane"), default="inplane",
                   help="field in the film plane (default; in-plane Kittel relation) or along "
                        "its normal (out-of-plane Kittel relation, f = (gamma/2pi)(H - M_eff))")
    p.add_argument("--gyromagnetic-ratio",
                   type=quantity_type("gyromagnetic_ratio", "GHz/T", positive=True),
                   help="hold gamma/2pi fixed (e.g. 28GHz/T); fitted by default")
    p.add_argument("--g", type=number_type(positive=True), help="hold the Lande g factor fixed")
    p.add_argument("--free-hk", action="store_true", help="fit an in-plane anisotropy field")
    p.add_argument("--lineshape", choices=_lineshape_choices(), default="mixing",
                   help="mixing (default), field-derivative (lock-in field modulation), two "
                        "resonances, or the name of any registered lineshape model")
    p.add_argument("--window-widths", type=number_type(positive=True), default=6.0,
                   help="fit window around each resonance in half widths (default 6)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--no-global", action="store_true", help="skip the global fit")
    g.add_argument("--global", dest="global_all", action="store_true",
                   help=f"run the global fit above {GLOBAL_MAX_SPECTRA} spectra too (by default "
                        "left out there: its cost grows about as the cube of the number of "
                        "spectra)")
    failed = p.add_mutually_exclusive_group()
    failed.add_argument("--skip-failed", dest="stop_on_failure", action="store_false",
                        help="leave out a spectrum that cannot be fitted, with its reason in "
                             "summary.json 'failures' and a flag (the default)")
    failed.add_argument("--stop-on-failure", dest="stop_on_failure", action="store_true",
                        help="stop at the first spectrum that cannot be fitted")
    p.set_defaults(stop_on_failure=False)
    add_figure_option(p)
    g = p.add_argument_group(
        "angle scan", "Spectra at one frequency and several in-plane field angles phi "
        "(from the current). Each file's phi comes from its header ('field_angle_deg: 30', "
        "'Angle (deg): 30'), its name ('phi30deg', '_30deg_', 'angle30') or --field-angle; "
        "two sources that disagree are an error. The scan is never started on its own: "
        "without --angle-scan, spectra at different field angles are refused, and spectra "
        "that share one angle use it as --angle for the torques.")
    g.add_argument("--angle-scan", action="store_true",
                   help="fit V_s(phi), V_a(phi) and report the x-, y- and z-polarised torque "
                        "components (fields in T with --irf and --delta-r, else ratios)")
    g.add_argument("--field-angle", action="append", metavar="FILE=ANGLE", default=None,
                   type=pair_type(quantity_type("angle", "deg"), "FILE=ANGLE"),
                   help="field angle of one file (name or path as given), e.g. "
                        "--field-angle dev1_a.csv=30deg; repeat for more files; bare "
                        "numbers are degrees")
    g.add_argument("--meff", type=quantity_type("field", limit=True),
                   help="mu0 M_eff for the angle scan, e.g. 0.85T, not mu0 Ms (flagged when "
                        "the g it implies at the resonance is no ferromagnet's; default: from "
                        "the resonance field at the one frequency with --g or "
                        "--gyromagnetic-ratio, else g = 2.0023)")
    g = p.add_argument_group(
        "many files", "Files are read and fitted in chunks (memory bounded by the results, not "
        "the data); the chunks can run on local processes or a dask cluster, with the results "
        "of the serial run (docs/stfmr.md, section 10).")
    add_parallel_options(g, "the spectrum fits (with --scheduler, the files must be readable by "
                            "the cluster's workers at the same paths)")
    p.add_argument("--one-sample", action="store_true",
                   help="analyse the spectra as one sample's although their sample names "
                        "differ (a file's sample/Samplename/device header entry, else its "
                        "folder); without it spectra of several samples are refused")
    p.add_argument("--mcmc", action="store_true",
                   help="posterior sampling of the global fit (needs sotfit.bayes; slow: every "
                        "branch adds four sampled amplitudes)")
    # a fixed 3000 steps never made 50 autocorrelation times of a set's branch amplitudes (tau
    # of about 100 steps), nor 10000 those of the bundled example (tau 204 steps): every
    # default run was flagged 'not converged'; the default chain now runs until long enough
    p.add_argument("--mcmc-steps", type=integer_type(2), default=None,
                   help="chain length for --mcmc, fixed (>= 2; the summary says whether it "
                        f"reached 50 autocorrelation times; default: the chain runs "
                        f"{ADAPTIVE_MIN_STEPS} steps, then on until it is 50 autocorrelation "
                        "times long with a settled tau, at most --mcmc-max-steps)")
    p.add_argument("--mcmc-max-steps", type=integer_type(2), default=None,
                   help="the longest chain when --mcmc-steps is not given (--mcmc; default "
                        f"{ADAPTIVE_MAX_STEPS})")
    p.add_argument("--seed", type=integer_type(0), default=None,
                   help=f"random seed for --mcmc (default {MCMC_DEFAULTS['seed'][1]})")
    p.set_defaults(func=run)


def _current_at_frequency(text: str) -> tuple[float, float]:
    """``'8GHz=1.4mA'`` -> (8.0 GHz, 1.4 mA) for ``--irf-at``."""
    freq, sep, current = str(text).partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"{text!r}: write FREQ=CURRENT, e.g. 8GHz=1.4mA")
    f = quantity_type("frequency", positive=True)(freq.strip())
    return f, quantity_type("current", positive=True, limit=True)(current.strip())


def _currents_at(args, spectra) -> dict[float, float] | None:
    """The rf current of each frequency of the run (GHz -> mA) from ``--irf-at``, or None;
    every frequency needs one and every one given must be a frequency of the run."""
    if not args.irf_at:
        return None
    currents = dict(args.irf_at)
    if len(currents) != len(args.irf_at):
        raise CLIError("--irf-at gives one frequency twice")
    freqs = sorted({round(float(s.meta["frequency"]), 9) for s in spectra})

    def given(f):
        return any(math.isclose(f, g, rel_tol=1e-6) for g in currents)
    missing = [f for f in freqs if not given(f)]
    unused = [g for g in currents if not any(math.isclose(f, g, rel_tol=1e-6) for f in freqs)]
    if missing or unused:
        raise CLIError("--irf-at " + "; ".join(
            ([f"gives no current at {', '.join(f'{f:g}' for f in missing)} GHz"] if missing
             else []) + ([f"{', '.join(f'{g:g}' for g in unused)} GHz is no frequency of the "
                          "files"] if unused else []))
            + f" (the files are at {', '.join(f'{f:g}' for f in freqs)} GHz)")
    return currents


#: ST-FMR sample options -> the field of :class:`sotfit.device.Sample` they set.
_SAMPLE_FIELD_OF_OPTION = {"ms": "mu0_ms", "rho": "rho_nm", "irf": "current"}


def _sample_from(args):
    """The :class:`sotfit.device.Sample` of a run: the ``--sample`` file (read as every
    sotfit sample file is, :meth:`Sample.from_mapping`), then the options over it."""
    from ..device import Sample, SampleError, states_current_form

    raw = load_sample_file(args.sample) if args.sample else {}
    keys = {str(k).replace("-", "_").lower() for k in raw}
    args.angle_given = "angle" in keys or args.angle is not None
    given = {_SAMPLE_FIELD_OF_OPTION.get(k, k): getattr(args, k) for k in SAMPLE_OPTIONS
             if getattr(args, k) is not None}
    if args.irf_at and args.irf is not None:
        raise CLIError("give one rf current for all frequencies (--irf) or one per frequency "
                       "(--irf-at), not both")
    if args.irf_at:
        given["current"] = args.irf_at[0][1]    # each spectrum takes its frequency's
    if args.irf_is is not None:
        given["current_is_rms"] = args.irf_is == "rms"
    if args.nm_above:
        given["nm_below"] = False
    try:
        base = Sample.from_mapping(raw, f"sample file {args.sample}")
        if (args.irf is not None or args.irf_at) and args.irf_is is None and base.current_is_rms:
            # the file's irf_is says what its own irf is: its 'rms' made --irf 2mA a 2.83 mA
            # peak without a word (and --irf-at's currents peak, xi_DL twice the truth)
            given_as = f"--irf {args.irf:g} mA" if args.irf is not None else "--irf-at"
            raise CLIError(f"{given_as} is given with the sample file {args.sample}, which says "
                           "its current is rms: say which the option's current is (--irf-is "
                           "peak or --irf-is rms)")
        if (args.irf_is is not None and args.irf is None and not args.irf_at
                and states_current_form(raw) and base.current_is_rms != (args.irf_is == "rms")):
            # --irf-is says what the option's current is, or a file's current of no stated
            # form: over the file's own irf_is it made its rms current a peak (xi_DL 2x)
            said = "rms" if base.current_is_rms else "peak"
            raise CLIError(f"--irf-is {args.irf_is} is given with the sample file {args.sample}, "
                           f"which says its own current is {said}: --irf-is states the form of "
                           f"--irf or --irf-at, or of a file's current that does not state it; "
                           f"leave it out, or correct the file")
        _require_current_form(args, raw)
        return base.replace(**given)
    except SampleError as exc:
        raise CLIError(str(exc)) from None
    except ValueError as exc:
        raise CLIError(f"sample: {exc}") from None


def _require_current_form(args, raw) -> None:
    """Refuse an rf current whose form (peak or rms) nothing states, before any file is read.

    Parameters
    ----------
    args : argparse.Namespace
        The options: ``irf`` (mA), ``irf_at`` ((GHz, mA) pairs), ``irf_is``, ``sample``.
    raw : mapping
        The fields of the ``--sample`` file as written (empty without one).

    Raises
    ------
    CLIError
        For ``--irf`` or ``--irf-at`` without ``--irf-is``, or a sample file's current
        (``irf``, used when no option gives one) without ``irf_is`` or ``--irf-is``, naming
        the option and saying what the form changes; as ``sotfit hall --current-is``.
    """
    from ..device import current_without_form

    if args.irf_is is not None:
        return
    if args.irf is not None or args.irf_at:
        given = f"--irf {args.irf:g}mA" if args.irf is not None else "--irf-at"
        raise CLIError(f"{given}: state whether the rf current is peak or rms (give --irf-is "
                       f"peak or --irf-is rms); sotfit never assumes it: {CURRENT_FORM_WHY}")
    key = current_without_form(raw)
    if key is not None:
        raise CLIError(f"sample file {args.sample}: {key} = {raw[key]!r} does not say whether the "
                       f"rf current is peak or rms (write irf_is = \"peak\" or irf_is = \"rms\" "
                       f"in it, or give --irf-is peak or --irf-is rms); sotfit never assumes "
                       f"it: {CURRENT_FORM_WHY}")


def _check_files(args) -> None:
    for f in args.files:
        if not table_names.exists(f):
            raise CLIError(f"{f}: no such file or folder")


def _print_notes(args, notes) -> None:
    for note in notes:
        print(f"note: {note}", file=sys.stderr)       # 'note: reader: FILE: ...', as hall and thickness
    args._reader_notes = notes  # kept in summary.json's notes by _finish


def _read(args):
    from ..analysis.stfmr.file_batches import read_files

    _check_files(args)
    sweep, notes = read_files(args.files, **_reader_keywords(args))
    _print_notes(args, notes)
    return sweep


def _fmt(q) -> str:
    """A quantity for the terminal, marked as the harmonic Hall summary marks it when flagged
    (the flags are listed below the values)."""
    mark = "  [flagged]" if q.get("flags") else ""
    if q.get("stderr") is None:
        return f"{q['value']:.5g} {q['unit']}".rstrip() + mark
    return f"{q['value']:.5g} +/- {q['stderr']:.2g} {q['unit']}".rstrip() + mark


def human_summary(summary: dict) -> str:
    """A few lines for the terminal."""
    lines = [f"sotfit stfmr: {len(summary['spectra'])} spectra fitted"
             + (f", {len(summary['failures'])} left out" if summary["failures"] else "")]
    names = ("mu0_meff", "gyromagnetic_ratio", "g", "alpha", "linewidth_inhomogeneous", "xi_fmr",
             "mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl", "xi_dl", "xi_fl")
    for route in ("sequential", "global"):
        sec = summary.get(route)
        if not sec:
            continue
        lines.append(f"  {route}:")
        for n in names:
            if n in sec:
                lines.append(f"    {n:>24s} = {_fmt(sec[n])}")
    for note in summary["notes"]:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def human_angle_summary(sec: dict) -> str:
    """A few lines for the terminal about the ``angle`` section."""
    angles = sorted({round(a % 360.0, 6) for a in sec["field_angles"]["value"]})
    lines = [f"sotfit stfmr --angle-scan: {len(sec['field_angles']['value'])} spectra at "
             f"{sec['frequency']['value']:g} GHz, {len(angles)} field angles "
             f"({angles[0]:g}..{angles[-1]:g} deg)"
             + (f", {len(sec['failures'])} left out" if sec["failures"] else "")]
    lines.append(f"    {'mu0_meff':>24s} = {_fmt(sec['mu0_meff'])} ({sec['mu0_meff_from']})")
    lines.append("  amplitudes (V_s, V_a = sin 2phi [c_y cos phi + c_x sin phi + c_z]):")
    for k, q in sec["amplitudes"].items():
        lines.append(f"    {k:>24s} = {_fmt(q)}")
    lines.append("  torque components" + (" (T):" if sec["torque_units"] == "T"
                                          else " (ratios; --irf and --delta-r give fields):"))
    for k, q in sec["torques"].items():
        lines.append(f"    {k:>24s} = {_fmt(q)}")
    for note in sec["notes"]:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def _gamma_and_lineshape(args):
    """gamma/2pi (GHz/T, or None) from --g or --gyromagnetic-ratio, and the lineshape model."""
    from ..models import MODELS
    from ..units import gyromagnetic_ratio_from_g

    gam = args.gyromagnetic_ratio
    if args.g is not None:
        if gam is not None:
            raise CLIError("give --g or --gyromagnetic-ratio, not both")
        gam = gyromagnetic_ratio_from_g(args.g)
    return gam, MODELS[LINESHAPE_MODELS.get(args.lineshape, args.lineshape)]


def _run_angle_scan(args, sample, gam, model) -> int:
    from ..analysis.stfmr import analyse_angle_scan, angle_summary_dict
    from ..analysis.stfmr.output import LINEWIDTH_CONVENTION
    from ..analysis.stfmr_spectra import STFMRError
    from ..fitting import FitError

    for opt in ("mcmc", "no_global", "free_hk"):
        if getattr(args, opt):
            raise CLIError(f"--{opt.replace('_', '-')} does not apply to --angle-scan")
    if args.geometry != "inplane":
        raise CLIError("--angle-scan needs the in-plane geometry (field in the film plane)")
    if args.angle is not None:
        raise CLIError("--angle is the one field angle of a frequency scan; in an angle scan "
                       "each file has its own (header, file name or --field-angle)")
    out = stage_out_dir(args)
    sweep = _read(args)
    _derivatives_need_their_lineshape(sweep, model)
    _one_sample(args, sweep)
    i_rf = sample.i_peak if sample.i_rf is not None else None
    progress = Progress("fitting spectra") if len(sweep) > 3 else None
    try:
        res = analyse_angle_scan(sweep, meff=args.meff, gyromagnetic_ratio=gam, i_rf=i_rf,
                                 delta_r=sample.delta_r, model=model,
                                 window_widths=args.window_widths,
                                 on_error="raise" if args.stop_on_failure else "skip",
                                 progress=progress, workers=args.workers,
                                 scheduler=args.scheduler)
    except (STFMRError, FitError) as exc:
        raise CLIError(str(exc)) from None
    sec = angle_summary_dict(res)
    from .. import __version__

    # the angle section's width is a half width, as a frequency scan's summary says
    summary = {"sotfit_version": __version__, "analysis": "stfmr angle scan",
               "inputs": [str(f) for f in args.files], "linewidth_convention": LINEWIDTH_CONVENTION,
               "angle": sec}
    if sample.i_rf is not None:
        summary["sample"] = {"i_rf_peak": {"value": float(sample.i_peak), "stderr": None,
                                           "unit": "mA"}}
    if sample.delta_r is not None:
        summary.setdefault("sample", {})["delta_r"] = {"value": float(sample.delta_r),
                                                       "stderr": None, "unit": "Ohm"}
    return _finish(args, out, res, summary, human_angle_summary(sec), _angle_figure)


def _one_sample(args, spectra) -> None:
    """Refuse spectra of several samples (by their ``sample`` metadata: a header entry, else the
    file's folder) unless ``--one-sample``: one Kittel, damping and torque analysis of spectra
    of different films means nothing (a folder of device folders given as ``DIR/*/``)."""
    found: dict[str, list[str]] = {}
    for d in spectra:
        found.setdefault(str(d.meta.get("sample")), []).append(d.source)
    if len(found) < 2 or args.one_sample:
        return
    listed = "; ".join(f"{name}: {len(srcs)} spectra ({', '.join(srcs[:3])}"
                       f"{', ...' if len(srcs) > 3 else ''})" for name, srcs in found.items())
    raise CLIError(f"the spectra are of {len(found)} samples by their sample names ({listed}; a "
                   "file's sample, Samplename or device header entry, else its folder): one "
                   "Kittel, damping and torque analysis takes one sample's spectra; run once per "
                   "sample, or pass --one-sample if they are one sample's")


def _common_angle(args, sweep, sample):
    """Without --angle-scan: refuse spectra at several field angles; use one shared angle
    (noted; the default assumed for the torque fields is flagged on them by the caller)."""
    import dataclasses

    from ..analysis.stfmr.torques import FIELDS_NEED

    found = {}
    for d in sweep:
        a = d.meta.get("field_angle")
        if a is not None:
            found.setdefault(round(float(a), 6), []).append(d.source)
    # only the torque fields from the amplitudes scale with the angle (xi_FMR, a ratio, does not)
    assumed = (None if args.angle_given or sample is None or sample.missing(*FIELDS_NEED) else
               f"field angle {sample.angle:g} deg assumed for the torque fields (the default: "
               + ("no file gives one" if not found else "only some of the files give one")
               + " and --angle was not given)")
    if not found:
        return sample, assumed
    if len(found) > 1:
        raise CLIError("the spectra are at different field angles ("
                       + "; ".join(f"{a:g} deg: {', '.join(s)}" for a, s in sorted(found.items()))
                       + "); pass --angle-scan to analyse the angle dependence, or analyse "
                       "each angle separately")
    (angle, srcs), = found.items()
    if len(srcs) < len(sweep):
        return sample, assumed
    if args.angle_given:
        if abs(sample.angle - angle) > 1e-6:
            given = (f"--angle {sample.angle:g} deg" if args.angle is not None else
                     f"the field angle {sample.angle:g} deg of the sample file {args.sample}")
            raise CLIError(f"{given} disagrees with the field angle {angle:g} deg of the files "
                           f"({', '.join(srcs)})")
        return sample, None
    wheres = sorted({str(d.meta.get("field_angle_from", "the files")) for d in sweep})
    return (dataclasses.replace(sample, angle=angle),
            f"field angle {angle:g} deg taken from the "
            + ("files" if wheres == ["the files"] else "files (" + "; ".join(
                re.sub(r" \([^()]*\)$", "", w) for w in wheres[:3])
               + ("; ..." if len(wheres) > 3 else "")
               + ")") + " for the torques")


def _mcmc(analysis, out: Path, length: dict, seed: int | None) -> dict:
    """The ``mcmc`` section of summary.json (:func:`sotfit.analysis.stfmr.posterior.sample_global_fit`);
    ``length`` is ``nsteps`` and, for a chain run until long enough, ``max_steps``
    (:func:`sotfit.cli.common.chain_length`); the chain goes to ``mcmc_chain.npz``, the
    progress to stderr on a terminal."""
    from ..analysis.stfmr.errors import STFMRError
    from ..analysis.stfmr.posterior import sample_global_fit

    try:
        return sample_global_fit(analysis, out / "mcmc_chain.npz", length["nsteps"], seed,
                                 progress=Progress("sotfit stfmr: sampling"),
                                 max_steps=length.get("max_steps"))
    except STFMRError as exc:
        raise CLIError(str(exc)) from None


def run(args) -> int:
    """Run the ST-FMR pipeline for ``sotfit stfmr`` (the objects of the run are kept from the
    cyclic garbage collector while it runs, :func:`_keep`, and handed back to it after)."""
    frozen = gc.get_freeze_count()
    try:
        return _run(args)
    finally:
        if not frozen:
            gc.unfreeze()


def _no_torque_fields_from_derivatives(model, sample) -> None:
    """:func:`sotfit.analysis.stfmr.torques.check_absolute_fields` before any file is read."""
    from ..analysis.stfmr.errors import STFMRError
    from ..analysis.stfmr.torques import FIELDS_NEED, check_absolute_fields

    try:
        check_absolute_fields({model.name}, not sample.missing(*FIELDS_NEED))
    except STFMRError as exc:
        raise CLIError(str(exc)) from None


def _run(args) -> int:
    from ..analysis.stfmr import analyse_stfmr, collect_fits, summary_dict
    from ..analysis.stfmr.output import SpectrumRows, flag_torque_quantities
    from ..analysis.stfmr.torques import gives_torques
    from ..analysis.stfmr_spectra import STFMRError
    from ..fitting import FitError

    options_of(args, args.mcmc, MCMC_DEFAULTS, "--mcmc")
    length = chain_length(args.mcmc_steps, args.mcmc_max_steps, "--mcmc-steps",
                          "--mcmc-max-steps")
    sample = _sample_from(args)
    gam, model = _gamma_and_lineshape(args)
    _no_torque_fields_from_derivatives(model, sample)
    if args.angle_scan:
        if args.irf_at:
            raise CLIError("--irf-at is for spectra at several frequencies; an angle scan is at "
                           "one: give --irf")
        return _run_angle_scan(args, sample, gam, model)
    if args.meff is not None:
        raise CLIError("--meff is for --angle-scan; a frequency scan fits M_eff")
    out = stage_out_dir(args)
    # with workers this process makes the spectra's rows of the outputs while it waits
    rows = SpectrumRows() if args.scheduler or (args.workers or 1) > 1 else None
    spectra, results = _read_and_fit(args, model, rows)
    _derivatives_need_their_lineshape(spectra, model)
    _one_sample(args, spectra)
    sample, angle_note = _common_angle(args, spectra, sample)
    currents = _currents_at(args, spectra)
    try:
        fitted = (*collect_fits([s.source for s in spectra], results,
                                "raise" if args.stop_on_failure else "skip"),
                  {s.source: s.meta["frequency"] for s in spectra})
        analysis = analyse_stfmr(None, geometry=args.geometry, gyromagnetic_ratio=gam,
                                 free_hk=args.free_hk, model=model,
                                 window_widths=args.window_widths, global_fit=not args.no_global,
                                 global_max_spectra=None if args.global_all else GLOBAL_MAX_SPECTRA,
                                 fitted=fitted,
                                 # the torques of a sample need every correlation
                                 spectrum_correlations=gives_torques(sample))
    except (STFMRError, FitError) as exc:
        raise CLIError(str(exc)) from None
    summary = summary_dict(analysis, sample, rows, currents)
    if angle_note and "assumed for the torque fields" in angle_note:
        # the torque fields scale with 1/(sin 2phi cos phi): 60 deg read as 45 gave xi_DL
        # 0.049 for 0.080 and, after the Oersted field was taken off, xi_FL of the other sign
        flag_torque_quantities(summary, angle_note + ": the torque fields and efficiencies "
                               "scale with 1/(sin 2phi cos phi) and xi_FL moves with them; give "
                               "--angle")
    elif angle_note:
        summary["notes"].append(angle_note)
    summary["inputs"] = [str(f) for f in args.files]
    if args.mcmc:
        summary["mcmc"] = _mcmc(analysis, out, length, args.seed)
        if not summary["mcmc"]["converged"]:
            summary["notes"].append("MCMC: " + summary["mcmc"]["message"])
        summary["notes"].extend("MCMC: " + n for n in summary["mcmc"].get("notes", ()))
    return _finish(args, out, analysis, summary, human_summary(summary), _figures, rows)


#: Files read and fitted together: one task of a parallel run, one step of the progress bar.
CHUNK_FILES = 250


#: Spectra above which ``sotfit stfmr`` leaves the global fit out unless ``--global``: its cost
#: grows about as the cube of their number (36 spectra took about a minute, 72 eleven minutes,
#: 300 did not end in 23 minutes and 2.4 GB).
GLOBAL_MAX_SPECTRA = 40


def _derivatives_need_their_lineshape(spectra, model) -> None:
    """Refuse spectra whose voltage column is named as a field derivative (``dV/dH (uV)``)
    fitted with another lineshape than the derivative one."""
    if model.name == "stfmr_derivative":
        return
    named = [(d.source, d.meta["vmix_derivative_column"]) for d in spectra
             if d.meta.get("vmix_derivative_column")]
    if named:
        source, column = named[0]
        raise CLIError(f"{source}: column {column!r} is named as a field derivative of V_mix (a "
                       "field-modulated lock-in's reading), which the mixing lineshape does not "
                       "describe: give --lineshape derivative")


def _read_and_fit(args, model, rows=None):
    """Read and fit the files chunk by chunk (:data:`CHUNK_FILES` files at a time), serially or
    on ``--workers`` / ``--scheduler`` (:func:`sotfit.analysis.stfmr.file_batches.read_and_fit`),
    with a progress bar on a terminal. Only the fits and each spectrum's source and metadata are
    kept, not the data; ``rows`` (:class:`~sotfit.analysis.stfmr.output.SpectrumRows`) gets
    each chunk's fits as they arrive. Returns (spectra, per-spectrum SpectrumFit or
    STFMRError)."""
    from ..analysis.stfmr.file_batches import plan_file_chunks, read_and_fit
    from ..parallel import import_in_background

    _check_files(args)
    keywords = _reader_keywords(args, names=False)
    named = (isinstance(keywords["field_angle"], dict) or isinstance(keywords["frequency"], dict)
             or bool(keywords["negative_field"]))
    chunks, total = plan_file_chunks(args.files, chunk_files=CHUNK_FILES,
                                     whole=named,                    # it names files of the list
                                     absolute=bool(args.scheduler))  # the workers need paths
    keywords["source_names"] = (_source_names(args.files) if named else
                                _source_names([f for c in chunks for f in c], expanded=True))
    workers, scheduler = args.workers, args.scheduler
    if named and (scheduler or (workers or 1) > 1):
        # one task: the workers would only add the trip (and a dask worker's working folder is
        # not this one: relative paths were 'no such file' there)
        workers = scheduler = None
        print("  note: an option that names files (--frequency FILE=..., --field-angle, "
              "--negative-field) keeps them in one task: read and fitted in this process, not "
              "on the workers", file=sys.stderr)
    bar = Progress("sotfit stfmr: reading and fitting files") if total > 3 else None
    # while the workers read and fit, this process imports what the dispersion fits need
    warm = (import_in_background("lmfit")
            if scheduler or (workers or 1) > 1 and len(chunks) > 1 else None)
    try:
        spectra, results, notes = read_and_fit(
            chunks, keywords, model=model,
            window_widths=args.window_widths, keep_data=not args.no_figures,
            # the global fit is made of them
            keep_windows=not args.no_global and (args.global_all or total <= GLOBAL_MAX_SPECTRA),
            workers=workers, scheduler=scheduler,
            progress=(lambda done: bar(done, total)) if bar else None,
            on_fits=partial(_keep, rows))
    except ImportError as exc:
        raise CLIError(str(exc)) from None
    except (DataError, UnitError) as exc:
        hint = _folder_hint(args.files, str(exc)) + _table_hint(args.files, str(exc))
        if not hint:
            raise
        raise type(exc)(f"{exc}{hint}") from None
    finally:
        if warm is not None:
            warm.join()
    _print_notes(args, notes)
    return spectra, results


def _folder_hint(inputs, message: str) -> str:
    """:func:`sotfit.cli.common.folder_hint` for the ST-FMR files of the folders given."""
    from ..io.stfmr.files import _expand

    return folder_hint(inputs, message, lambda folder: _expand([folder]))


def _table_hint(inputs, message: str) -> str:
    """:func:`sotfit.cli.common.table_hint` for the files the inputs (files and folders) give."""
    from ..io.stfmr.files import _expand

    try:
        files = _expand([p for p in inputs if table_names.named_table(p)[1] is None])
    except (DataError, OSError):
        return ""
    return table_hint(files, message)


def _keep(rows, fits) -> None:
    """A chunk's fits have arrived: make their rows (with workers, :class:`SpectrumRows`) and
    move everything allocated so far out of the cyclic garbage collector's reach
    (:func:`gc.freeze`, undone when the run ends). The fits live until the outputs are
    written; without this, every full collection scans all of them again, about a tenth of
    a run of 10^4 files."""
    if rows is not None:
        rows.add(fits)
    gc.collect(1)           # the young garbage first: what is frozen is never collected
    gc.freeze()


def _finish(args, out: Path, analysis, summary: dict, human: str, figures, rows=None) -> int:
    """Write the tables, summary.json and (unless --no-figures) the figures; print the summary
    (JSON with --json, else the human text). ``rows``: the spectra's rows made beforehand."""
    from ..analysis.stfmr.output import write_tables

    summary.setdefault("notes", []).extend(getattr(args, "_reader_notes", []))
    flags = write_summary(summary, out)
    write_tables(analysis, out, rows, flags)
    if not args.no_figures:
        figures(analysis, out)
    if args.json:
        print(dumps_json(summary))     # null for NaN, as in summary.json
    else:
        print(human)
    return flag_status(args, flags, show=not args.json)


def _angle_figure(res, out: Path) -> None:
    from ..plot.stfmr import plot_angle

    (out / "figures").mkdir(exist_ok=True)
    plot_angle(res.vs_fit, res.va_fit, out / "figures" / "angle.png")


def _safe_name(text: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in text)
    return keep.strip("_") or "spectrum"


def _figures(analysis, out: Path) -> None:
    from ..plot.stfmr import plot_kittel, plot_linewidth, plot_overview, plot_spectrum

    figs = out / "figures"
    figs.mkdir(exist_ok=True)
    used = set()
    for i, s in enumerate(analysis.spectra):
        name = _safe_name(Path(s.source).name)
        if name in used:
            name = f"{name}_{i}"
        used.add(name)
        plot_spectrum(s, figs / f"spectrum_{name}.png")
    if analysis.kittel is not None:
        plot_kittel(analysis, figs / "kittel.png")
        plot_linewidth(analysis, figs / "linewidth.png")
        plot_overview(analysis, len(analysis.spectra) // 2, figs / "overview.png")


if __name__ == "__main__":  # pragma: no cover
    parser = argparse.ArgumentParser(prog="sotfit")
    add_parser(parser.add_subparsers())
    a = parser.parse_args()
    sys.exit(a.func(a))
