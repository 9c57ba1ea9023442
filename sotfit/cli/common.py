"""Helpers shared by the subcommands: option types with domains, column roles, instrument
profiles, sample files, summaries and flags, progress. Output folders: :mod:`.output`."""

from __future__ import annotations

import argparse
import re
import json
import sys
from pathlib import Path

from ..checks import absurd, check_number
from ..device import SampleError, read_sample_file
from ..io.text import parse_number
from ..units import HOUSE, accepted_units, quantity, radians_slip, to_house
from ..progress import Progress  # noqa: F401 - re-exported for the commands
from .errors import CLIError
from .output import MANIFEST, OutputFolder, input_paths, stage_out_dir

__all__ = ["CLIError", "quantity_type", "number_type", "fraction", "integer_type", "unit_type", "unit_symbols",
           "pair_type", "per_file", "given_once", "list_type", "OutputFolder", "add_output_options", "add_figure_option",
           "input_paths", "stage_out_dir", "write_summary", "read_format_profile", "role_options",
           "add_column_options", "add_parallel_options", "parallel_options", "refuse_idle_parallel", "flag_status",
           "refuse_unused_options",
           "load_sample_file", "Progress", "write_json", "STRICT_EXIT", "MANIFEST"]


def _argparse_type(name: str, convert):
    """Wrap ``convert(text)`` as an argparse ``type``: a ValueError becomes a usage error.

    argparse then exits with status 2 and a message naming the option.
    """

    def parse(text: str):
        try:
            return convert(text)
        except ValueError as exc:  # UnitError is a ValueError too
            # (a negative value after a blank reaches here as any other: joined_negative_values)
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = name
    return parse


def quantity_type(dimension: str, default_unit: str | None = None, *, positive: bool = False,
                  nonnegative: bool = False, nonzero: bool = False, maximum=None,
                  limit: bool = False):
    """An argparse ``type`` reading ``'6nm'``, ``'2.5mA'`` into house units of ``dimension``.

    Parameters
    ----------
    dimension : str
        A key of :data:`sotfit.units.HOUSE`.
    default_unit : str, optional
        Unit of a bare number; without it a bare number is refused (give this only where
        the unit cannot be mistaken, e.g. degrees for angles).
    positive, nonnegative, nonzero : bool
        Domain of the value (see :func:`sotfit.checks.check_number`); NaN and infinities
        are always refused.
    maximum : float or str, optional
        Largest allowed magnitude, in house units or as a quantity (``'1m'``).
    limit : bool
        Refuse magnitudes beyond the absurd limit of the dimension
        (:data:`sotfit.checks.LIMITS`, e.g. 1 m for a length).

    Returns
    -------
    callable
        ``parse(text) -> float`` in house units, raising ``argparse.ArgumentTypeError``.
    """
    bounds = absurd(dimension) if limit else {}
    if maximum is not None:
        bounds = {"maximum": quantity(maximum, dimension) if isinstance(maximum, str)
                  else float(maximum), "limit_text": str(maximum)}

    def convert(text):
        if dimension == "current" and re.search(r"(rms|peak|pk)\W*$", str(text), re.I):
            raise ValueError(f"{text!r}: give the current's value and unit alone (e.g. 2mA); "
                             "whether it is rms or peak is the option beside it (--irf-is, "
                             "--current-is)")
        value = quantity(text, dimension, default_unit)
        slip = radians_slip(text) if dimension == "angle" and default_unit == "deg" else None
        if slip is not None:
            raise ValueError(slip)
        return check_number(repr(text), value, positive=positive, nonnegative=nonnegative,
                            nonzero=nonzero, unit=HOUSE[dimension], **bounds)

    return _argparse_type(f"{dimension} quantity", convert)


#: The sign between a value and its standard error: ``+/-``, ``+-``, ``±``.
_PLUS_MINUS_RE = re.compile(r"\+/-|\+-|\u00b1")
#: A number and what follows it (its unit, or nothing).
_NUMBER_THEN_RE = re.compile(r"^\s*(?P<n>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?P<u>.*?)\s*$")


def quantity_with_error_type(dimension: str):
    """An argparse ``type`` reading a quantity (``'0.18mOhm'``, a float in house units) or a
    quantity with its standard error (``'0.184+/-0.063mOhm'``, ``'(0.184 ± 0.063) mOhm'``,
    ``'0.184mOhm+/-0.063mOhm'``: an ``uncertainties`` value), so that a value measured by
    another method carries its error into the results."""
    def convert(text):
        parts = _PLUS_MINUS_RE.split(str(text))
        if len(parts) == 1:
            return check_number(repr(text), quantity(text, dimension), unit=HOUSE[dimension])
        if len(parts) != 2:
            raise ValueError(f"{text!r}: write a value and its error as '0.184+/-0.063mOhm'")
        from uncertainties import ufloat

        left, right = parts[0].strip().lstrip("("), parts[1].strip()
        right = right.replace(")", " ", 1) if left != parts[0].strip() else right
        a, b = _NUMBER_THEN_RE.match(left), _NUMBER_THEN_RE.match(right)
        if a is None or b is None:
            raise ValueError(f"{text!r}: write a value and its error as '0.184+/-0.063mOhm'")
        unit_a, unit_b = a.group("u"), b.group("u")
        value = quantity(a.group("n") + (unit_a or unit_b), dimension)
        error = quantity(b.group("n") + (unit_b or unit_a), dimension)
        check_number(repr(text), value, unit=HOUSE[dimension])
        check_number(f"the error of {text!r}", error, nonnegative=True, unit=HOUSE[dimension])
        return ufloat(value, error)

    return _argparse_type(f"{dimension} quantity", convert)


def number_type(*, positive: bool = False, nonnegative: bool = False, nonzero: bool = False,
                maximum: float | None = None):
    """An argparse ``type`` for a plain finite number within a domain.

    Parameters
    ----------
    positive, nonnegative, nonzero : bool
        Domain of the value; NaN and infinities are always refused.
    maximum : float, optional
        Largest allowed magnitude.

    Returns
    -------
    callable
        ``parse(text) -> float``.
    """

    def convert(text):
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        return check_number(repr(text), value, positive=positive, nonnegative=nonnegative,
                            nonzero=nonzero, maximum=maximum)

    return _argparse_type("number", convert)


#: A fraction in (0, 1] (a number, or a percentage: ``69%`` is 0.69).
_FRACTION_NUMBER = number_type(positive=True, maximum=1.0)


def fraction(text: str) -> float:
    """A fraction in (0, 1], written as a number (``0.69``) or a percentage (``69%``)."""
    text = str(text).strip()
    if text.endswith("%"):
        try:
            text = repr(float(text[:-1]) / 100.0)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a percentage") from None
    return _FRACTION_NUMBER(text)


def integer_type(minimum: int, maximum: int | None = None, why: str = ""):
    """An argparse ``type`` for an integer ``>= minimum`` (a count, a seed).

    Parameters
    ----------
    minimum : int
        Smallest allowed value.
    maximum : int, optional
        Largest allowed value (a resolution beyond which a run would not end in useful time).
    why : str
        Why ``maximum``, said in the message.

    Returns
    -------
    callable
        ``parse(text) -> int``.
    """

    def convert(text):
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not an integer") from None
        if value < minimum:
            raise ValueError(f"{text!r} must be an integer >= {minimum}")
        if maximum is not None and value > maximum:
            raise ValueError(f"{text!r} must be an integer <= {maximum}" + (f" ({why})" if why
                                                                              else ""))
        return value

    return _argparse_type("integer", convert)


def unit_type(dimension: str):
    """An argparse ``type`` for a unit name of ``dimension`` (``--field-unit Oe``).

    Returns
    -------
    callable
        ``parse(text) -> text`` once the unit is known to be one of ``dimension``.
    """

    def convert(text):
        to_house(1.0, text, dimension)
        return text

    return _argparse_type(f"{dimension} unit", convert)


def unit_symbols(dimension: str) -> str:
    """The unit symbols sotfit reads for ``dimension``, comma separated (``'V, mV, uV, nV'``),
    from its table of units (:func:`sotfit.units.accepted_units`), for an option's help."""
    return accepted_units(dimension).split(": ", 1)[1].split(";")[0]


def pair_type(value_type, form: str = "NAME=VALUE"):
    """An argparse ``type`` for ``NAME=VALUE`` with the value read by ``value_type``.

    Parameters
    ----------
    value_type : callable
        An argparse ``type`` (for example :func:`number_type` or :func:`quantity_type`).
    form : str
        How the pair is written, for the message.

    Returns
    -------
    callable
        ``parse(text) -> (name, value)``; the value is after the last ``=``.
    """

    def parse(text: str):
        name, sep, value = text.rpartition("=")
        if not sep or not name.strip() or not value.strip():
            raise argparse.ArgumentTypeError(f"{text!r}: write {form}")
        try:
            return name.strip(), value_type(value.strip())
        except argparse.ArgumentTypeError as exc:
            raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None

    parse.__name__ = form
    return parse


def file_or_every(value_type, form: str = "FILE=VALUE"):
    """An argparse ``type`` for ``[FILE=]VALUE``: ``(FILE, value)``, or ``(None, value)`` for
    every file; the value is after the last ``=`` (a file name may hold ``=``) and read by
    ``value_type``."""

    def parse(text: str):
        name, sep, value = text.rpartition("=")
        if sep and not name.strip():
            raise argparse.ArgumentTypeError(f"{text!r}: write {form}, or the value alone for "
                                             "every file")
        try:
            return (name.strip() or None) if sep else None, value_type(value.strip())
        except argparse.ArgumentTypeError as exc:
            raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None

    parse.__name__ = form
    return parse


def every_or_per_file(given, option: str):
    """The value of a repeatable ``[FILE=]VALUE`` option (:func:`file_or_every`): None, one
    value for every file, or ``{file: value}``; both forms, or a file named twice with two
    values, is an error naming ``option``."""
    if not given:
        return None
    every = {value for name, value in given if name is None}
    named = per_file([(name, value) for name, value in given if name is not None], option)
    if every and named or len(every) > 1:
        raise CLIError(f"{option}: give one value for every file ({option} VALUE) or one per "
                       f"file ({option} FILE=VALUE), not both")
    return every.pop() if every else named


def per_file(pairs, option: str) -> dict:
    """``{file: value}`` from the (file, value) pairs of a repeatable ``FILE=VALUE`` option (or
    of any ``NAME=VALUE`` list: map axes, model parameters); a file or name given twice with two
    values is an error naming ``option`` (the last was kept without a word)."""
    out: dict = {}
    for name, value in pairs:
        if name in out and out[name] != value:
            raise CLIError(f"{option} gives {name} twice with different values "
                           f"({out[name]} and {value})")
        out[name] = value
    return out


def given_once(given, option: str):
    """The value of an option that takes one value, parsed with ``action="append"`` so that a
    repetition is seen (argparse keeps the last value of a plain option without a word).

    Parameters
    ----------
    given : list or None
        The values given, in order (None when the option was not given).
    option : str
        The option as the message names it (``'--sweep mu=START:STOP:N'``).

    Returns
    -------
    object or None
        The one value, or None when the option was not given.

    Raises
    ------
    CLIError
        The option given more than once.
    """
    if not given:
        return None
    if len(given) > 1:
        raise CLIError(f"{option} may be given once (it was given {len(given)} times); give "
                       "the one you mean")
    return given[0]


def list_type(item_type, sep: str = ","):
    """An argparse ``type`` for a ``sep``-separated list, each item read by ``item_type``.

    Returns
    -------
    callable
        ``parse(text) -> list``.
    """

    def parse(text: str):
        items = [t.strip() for t in text.split(sep)]
        if not all(items):
            raise argparse.ArgumentTypeError(f"{text!r}: an empty item in the list")
        return [item_type(t) for t in items]

    parse.__name__ = "list"
    return parse


def calibration_units(text: str):
    """``'A,mT'`` -> ``['A', 'mT']``: the magnet current unit, then the field unit, of a magnet
    calibration table whose headers carry none (``--calibration-units``)."""
    units = list_type(str)(text)
    if len(units) > 2:
        raise argparse.ArgumentTypeError(f"{text!r}: give CURRENT_UNIT[,FIELD_UNIT], e.g. A,mT")
    return [kind(u) for kind, u in zip((unit_type("current"), unit_type("field")), units)]


def _out_folder(text: str) -> str:
    """``--out`` as given; an empty one (``--out ''``, an unset shell variable) is refused,
    not read as the working folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty; give a folder for the results, e.g. --out "
                                         "results")
    return text


def add_output_options(p: argparse.ArgumentParser) -> None:
    """``--out``, ``--overwrite`` and ``--strict``, the same for every subcommand."""
    p.add_argument("--out", required=True, type=_out_folder,
                   help="output folder (written in full or not at all; never an input or one "
                        "that holds inputs)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the results of an earlier sotfit run in --out (files sotfit "
                        "did not write are never deleted: such a folder is refused)")
    p.add_argument("--strict", action="store_true",
                   help=f"exit with status {STRICT_EXIT} when any result is flagged "
                        "(summary.json 'flags')")


def add_figure_option(p: argparse.ArgumentParser) -> None:
    """``--no-figures`` (also spelled ``--no-plots``), the same for every subcommand."""
    p.add_argument("--no-figures", "--no-plots", dest="no_figures", action="store_true",
                   help="do not draw figures")


def add_parallel_options(p, what: str) -> None:
    """``--workers N`` and ``--scheduler ADDRESS`` (``p`` a parser or an argument group).

    Parameters
    ----------
    p : argparse.ArgumentParser or argument group
    what : str
        What the workers run, for the help text (e.g. ``'the rows of the map'``).

    Both end up in :func:`sotfit.parallel.map_tasks`; results do not depend on them.
    """
    p.add_argument("--workers", type=integer_type(1), default=None,
                   help=f"local worker processes for {what} (default: this process)")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="address of a running dask.distributed scheduler, e.g. "
                        "tcp://host:8786 (pip install sotfit[dask]); not together with "
                        "--workers (the cluster's workers are its own)")


def parallel_options(args: argparse.Namespace) -> dict:
    """``{'workers': ..., 'scheduler': ...}`` of :func:`add_parallel_options` for
    :func:`sotfit.parallel.map_tasks`; both at once is a usage error."""
    workers, scheduler = getattr(args, "workers", None), getattr(args, "scheduler", None)
    if scheduler is not None and workers is not None and workers > 1:
        raise CLIError("give either --workers (local processes) or --scheduler (a dask cluster, "
                       "whose workers are its own), not both")
    return {"workers": workers, "scheduler": scheduler}


def refuse_idle_parallel(args: argparse.Namespace, used: bool, what: str, needs: str) -> dict:
    """:func:`parallel_options`, after refusing ``--workers`` and ``--scheduler`` where
    nothing of the run would go to the workers.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options.
    used : bool
        Whether the options given make a parallel part of the run.
    what : str
        What the workers run (e.g. ``'the walkers of --mcmc'``).
    needs : str
        The option(s) that make it (e.g. ``'--mcmc'``).
    """
    if (args.workers is not None or args.scheduler is not None) and not used:
        raise CLIError(f"--workers and --scheduler run {what}: they need {needs}")
    return parallel_options(args)


def one_point_grid(what: str, start: float, stop: float, n: int) -> None:
    """Refuse a grid START:STOP:N whose points are not what it writes: N = 1 with two ends
    (START alone was computed, STOP dropped without a word) or N > 1 with equal ends (N copies
    of one point).

    Raises
    ------
    argparse.ArgumentTypeError
        Naming the option (``what``) and the two ways to write what was meant.
    """
    if n == 1 and start != stop:
        raise argparse.ArgumentTypeError(f"{what}: N = 1 computes START alone; give START:START:1 "
                                         "for one point, or N >= 2 for a range")
    if n > 1 and start == stop:
        raise argparse.ArgumentTypeError(f"{what}: START and STOP are equal, so the {n} points "
                                         "are one; give N = 1 for one point")


#: Most points one axis of a theory grid takes (``--sweep``, ``--map``): ``np.linspace`` of
#: ``mu=0:1:100000000`` held 800 MB before any check, and a table of a million rows resolves
#: any feature a k.p, interface or T-matrix model has (1 ueV of an eV).
MAX_AXIS_POINTS = 1_000_000
#: Longest computation a theory command starts, by its own estimate (s of one process): the
#: estimate is a lower bound from the per-point costs measured on a 2-core machine, so a run
#: refused by it would not end within a day; options without a bound ('--sweep
#: mu=0:1:100000000', '--order 1e7') ran until stopped.
WORK_LIMIT_S = 24 * 3600.0
#: Largest memory one task of a theory command may hold, by its own estimate (bytes).
MEMORY_LIMIT_BYTES = 4 * 2**30


def axis_points(what: str, n: int, split: str = "split the range over several runs") -> int:
    """Refuse an axis of more than :data:`MAX_AXIS_POINTS` points before it is built.

    Parameters
    ----------
    what : str
        The option and its value, for the message.
    n : int
        Points asked for.
    split : str
        How to go beyond the limit.

    Returns
    -------
    int
        ``n``.

    Raises
    ------
    argparse.ArgumentTypeError
        Naming ``what``, ``n`` and the limit.
    """
    if n > MAX_AXIS_POINTS:
        raise argparse.ArgumentTypeError(
            f"{what}: N = {n} points; one axis takes at most {MAX_AXIS_POINTS} (its values "
            f"alone would fill {8 * n / 1e9:.3g} GB, and a million points resolve a millionth "
            f"of the range, 1 ueV of an eV); {split}")
    return n


def _duration(seconds: float) -> str:
    """``seconds`` in the largest unit that keeps the number readable."""
    for unit, size in (("days", 86400.0), ("hours", 3600.0), ("minutes", 60.0)):
        if seconds >= 2 * size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def workers_of(args: argparse.Namespace) -> float:
    """Processes the parallel part of a theory run goes to, for its estimate of time: --workers
    (1 without), or infinitely many with --scheduler (a dask cluster, whose size this process
    does not know: the parallel part is not counted against the limit)."""
    if getattr(args, "scheduler", None):
        return float("inf")
    return getattr(args, "workers", None) or 1


def check_workload(option: str, what: str, seconds: float, *, workers: int = 1,
                   memory: float | None = None, largest: str = "", beyond: str = "") -> None:
    """Refuse a theory run whose own estimate of time or memory is far beyond what ends.

    Parameters
    ----------
    option : str
        The option (with its value) that sets the cost, named in the message.
    what : str
        What is computed and at what cost per unit, e.g. ``'1e8 chemical potentials at about
        2 ms each'``.
    seconds : float
        Estimated time, s (a lower bound), with the work that runs in parallel divided over
        ``workers``.
    workers : int or float
        Processes the parallel part of the work runs on, said in the message (infinite with
        a dask scheduler, :func:`workers_of`).
    memory : float, optional
        Estimated memory, bytes (of one task where the work is divided into tasks).
    largest : str
        The largest value of ``option`` that fits, said in the message.
    beyond : str
        How to go beyond the limit where there is a legitimate way (more workers, several
        runs).

    Raises
    ------
    CLIError
        When ``seconds`` exceeds :data:`WORK_LIMIT_S` or ``memory`` exceeds
        :data:`MEMORY_LIMIT_BYTES`, naming ``option``, the estimate and the limit.
    """
    tail = (f"; {largest}" if largest else "") + (f"; {beyond}" if beyond else "")
    if memory is not None and memory > MEMORY_LIMIT_BYTES:
        raise CLIError(f"{option}: {what} would hold about {memory / 2**30:.3g} GiB, "
                       f"beyond the {MEMORY_LIMIT_BYTES / 2**30:g} GiB this command takes"
                       + tail)
    if seconds > WORK_LIMIT_S:
        on = (" on this process (the parallel part, on the cluster's workers, not counted)"
              if workers == float("inf") else f" with {workers} worker processes"
              if workers and workers > 1 else " on one process")
        raise CLIError(f"{option}: {what} would take at least {_duration(seconds)}{on}, beyond "
                       f"the {_duration(WORK_LIMIT_S)} this command starts" + tail)


def options_of(args: argparse.Namespace, used: bool, defaults: dict, needs: str) -> None:
    """Refuse options given for a part of the run that does not take place (``--steps``
    without ``--mcmc`` ran to exit 0 as if the chain had been asked for), then fill in the
    defaults of those not given.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options (those of ``defaults`` parsed with default None); updated in place.
    used : bool
        Whether the part of the run they belong to takes place.
    defaults : dict
        ``{attribute: (option, default)}``.
    needs : str
        The option that makes the part (e.g. ``'--mcmc'``).
    """
    given = [opt for attr, (opt, _) in defaults.items() if getattr(args, attr) is not None]
    if given and not used:
        raise CLIError(f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} for {needs}, "
                       f"which is not given: {'it' if len(given) == 1 else 'they'} would be "
                       "ignored")
    for attr, (_, default) in defaults.items():
        if getattr(args, attr) is None:
            setattr(args, attr, default)


#: A chain run until it is long enough (no fixed length given): its shortest and longest
#: (steps). Posteriors of a few parameters here have tau of 100-550 steps, so the 50 tau
#: needed are 5000-28 000 steps; a fixed default length flagged every default run of a
#: curved posterior as not converged.
ADAPTIVE_MIN_STEPS, ADAPTIVE_MAX_STEPS = 5000, 50000


def chain_length(steps: int | None, max_steps: int | None, steps_option: str,
                 max_option: str) -> dict:
    """``nsteps`` (and ``max_steps``) of :func:`sotfit.bayes.sample` from a fixed-length
    option and a longest-chain option.

    Parameters
    ----------
    steps : int or None
        The fixed chain length given (steps), or None.
    max_steps : int or None
        The longest chain given (steps), or None for :data:`ADAPTIVE_MAX_STEPS`.
    steps_option, max_option : str
        The two options as the command spells them (for the error).

    Returns
    -------
    dict
        ``{"nsteps": steps}`` for a fixed length; else the chain runs
        :data:`ADAPTIVE_MIN_STEPS` steps (or the longest, if shorter), then on until it is 50
        autocorrelation times long with a settled tau, at most the longest:
        ``{"nsteps": ..., "max_steps": ...}``.

    Raises
    ------
    CLIError
        Both options given.
    """
    if steps is not None and max_steps is not None:
        raise CLIError(f"{max_option} is the longest chain run until it is long enough; with "
                       f"{steps_option} the chain has that length: give one of the two")
    if steps is not None:
        return {"nsteps": int(steps)}
    longest = int(max_steps) if max_steps is not None else ADAPTIVE_MAX_STEPS
    return {"nsteps": min(ADAPTIVE_MIN_STEPS, longest), "max_steps": longest}


#: Exit status of a run whose results carry flags when ``--strict`` is given.
STRICT_EXIT = 3


def write_summary(summary: dict, out: Path) -> list[dict]:
    """Collect the flags of ``summary`` (:mod:`sotfit.flags`) and write ``out/summary.json``."""
    from ..flags import finalise_flags

    flags = finalise_flags(summary)
    write_json(summary, out / "summary.json")
    return flags


def command_name(args: argparse.Namespace) -> str:
    """The subcommand a run's messages name: ``stfmr``, ``theory kp``, ..."""
    return " ".join(str(getattr(args, k)) for k in ("command", "theory_command")
                    if getattr(args, k, None))


def flag_status(args: argparse.Namespace, flags: list[dict], show: bool = True) -> int:
    """Print the flags (unless ``show`` is false) and return the exit status (``--strict``)."""
    from ..flags import format_flags

    if show and flags:
        print(format_flags(flags))
    if flags and getattr(args, "strict", False):
        print(f"sotfit {command_name(args)}: {len(flags)} flagged result(s) and "
              f"--strict: exit status {STRICT_EXIT}", file=sys.stderr)
        return STRICT_EXIT
    return 0


def refuse_unused_options(args: argparse.Namespace, options, method: str, why=None) -> None:
    """Refuse an option given on the command line that ``method`` does not read.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options; an option not given is None (a switch False).
    options : mapping
        ``{dest: (option, methods, ...)}``: the option as written (``'--tau'``) and the
        methods that read it (further fields, such as a default, are not read here).
    method : str
        The method chosen.
    why : mapping, optional
        ``{dest: text}``: what ``method`` takes in place of the option, said after the message.

    Raises
    ------
    CLIError
        ``'--tau applies to --method boltzmann, not kubo, which would ignore it'`` for the
        first such option.
    """
    for key, (option, methods, *_) in options.items():
        if getattr(args, key) not in (None, False) and method not in methods:
            names = (", ".join(methods[:-1]) + " or " + methods[-1] if len(methods) > 1
                     else methods[0])
            hint = (why or {}).get(key)
            raise CLIError(f"{option} applies to --method {names}, not {method}, which would "
                           "ignore it" + (f": {hint}" if hint else ""))


def sweep_ends(texts, dimension: str | None, unit: str, *, limit: bool = False) -> list[float]:
    """The ends of a sweep (or its one point) as written, with units or bare, in house units.

    Parameters
    ----------
    texts : sequence of str
        The ends as written (``['-20meV', '80meV']``, ``['0', '0.1']``; one text for a point).
    dimension : str or None
        A key of :data:`sotfit.units.HOUSE`, or None for a quantity read as a bare number
        only (dimensionless, or of a fixed unit).
    unit : str
        The unit of a bare number (the house unit of ``dimension``; ``''`` for a dimensionless
        quantity), said in the messages.
    limit : bool
        Refuse magnitudes beyond the absurd limit of the dimension
        (:data:`sotfit.checks.LIMITS`, e.g. 10 eV for an energy).

    Returns
    -------
    list of float
        The values, in ``unit``.

    Raises
    ------
    ValueError
        An end that is no number with a unit of ``dimension``, not finite or beyond the limit;
        one end with a unit and the other bare (``'-150meV:150'`` read 150 in eV), a bare 0
        excepted (0 in any unit); a unit given to a quantity without dimension.
    """
    texts = [str(t).strip() for t in texts]
    bare = [parse_number(t) is not None for t in texts]
    zero = [b and parse_number(t) == 0 for b, t in zip(bare, texts)]
    if dimension is not None and len(set(bare)) > 1 and not any(zero):
        with_unit = next(t for t, b in zip(texts, bare) if not b)
        without = next(t for t, b in zip(texts, bare) if b)
        raise ValueError(f"{with_unit!r} has a unit and {without!r} none; give both ends with "
                         f"units (or neither, in {unit})")
    if dimension is None:
        wrong = next((t for t, b in zip(texts, bare) if not b), None)
        if wrong is not None:
            raise ValueError(f"{wrong!r} is not a number (" + (
                f"a bare number, in {unit})" if unit else "a bare number, no unit: the quantity "
                "is dimensionless)"))
        values = [parse_number(t) for t in texts]
    else:
        # a bare 0 beside an end with a unit is 0 in any unit ('mu=0:12meV:2')
        values = [0.0 if z else quantity(t, dimension, unit) for t, z in zip(texts, zero)]
    bounds = absurd(dimension) if limit else {}
    names = ("START", "STOP") if len(texts) == 2 else ("VALUE",) * len(texts)
    return [check_number(name, v, unit=unit, **bounds) for name, v in zip(names, values)]


def split_sweep(text: str, example: str, max_points: int | None = None):
    """``'NAME=START:STOP:N'`` -> ``(name, start text, stop text, N)`` for ``--sweep`` options.

    Raises
    ------
    argparse.ArgumentTypeError
        Not of that form (the message shows ``example``), or N below 1 (or above
        ``max_points``).
    """
    try:
        name, rng = text.split("=", 1)
        start, stop, num = rng.split(":")
        num = int(num)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--sweep {text!r}: expected NAME=START:STOP:N, e.g. {example}") from None
    if num < 1 or (max_points is not None and num > max_points):
        raise argparse.ArgumentTypeError(
            f"--sweep {text!r}: N must be 1 to {max_points}" if max_points else
            f"--sweep {text!r}: N must be >= 1")
    return name.strip(), start.strip(), stop.strip(), num


def role_options(items, option: str, roles) -> dict:
    """``ROLE=VALUE`` strings of a repeatable option (``--column``) -> ``{role: value}``.

    A later entry for the same role wins (the command line over a ``--format`` profile).

    Raises
    ------
    CLIError
        An entry without ``=`` or with a role not in ``roles``, naming the option and listing
        the roles.
    """
    out: dict = {}
    for item in items or ():
        role, sep, value = item.partition("=")
        role = role.strip().lower()
        if not sep or not value.strip():
            raise CLIError(f"{option} {item!r}: write ROLE=VALUE, e.g. {option} "
                           f"{next(iter(roles))}=NAME")
        if role not in roles:
            raise CLIError(f"{option} {item!r}: unknown role {role!r}; roles: "
                           + ", ".join(roles))
        out[role] = value.strip()
    return out


def add_column_options(p, roles, example: str) -> None:
    """``--column ROLE=NAME`` and ``--column-unit ROLE=UNIT`` (repeatable) for a reader's roles
    (``p`` a parser or an argument group)."""
    p.add_argument("--column", action="append", metavar="ROLE=NAME", default=None,
                   help=f"which column holds ROLE ({', '.join(roles)}): its header name, e.g. "
                        f"--column {example}; repeatable")
    p.add_argument("--column-unit", action="append", metavar="ROLE=UNIT", default=None,
                   help="unit of the ROLE column when its header has none; repeatable")


def read_format_profile(path, parser: argparse.ArgumentParser) -> dict:
    """Defaults for ``parser`` from an instrument profile (TOML).

    Layout::

        [columns]          # as --column ROLE=NAME
        field = "Field(G)"
        voltage = "Xchannel"
        [column_units]     # as --column-unit ROLE=UNIT
        field = "G"
        [options]          # any option of the subcommand, without the leading dashes
        voltage-unit = "V"
        lockin-output = "rms"

    Returns
    -------
    dict
        ``dest -> value`` for :meth:`argparse.ArgumentParser.set_defaults`; string values are
        converted by the option's own type, so units and domains are checked as on the
        command line.

    Raises
    ------
    CLIError
        A missing or unreadable file, an unknown section or option (the message lists the
        options the subcommand has), or a value of the wrong kind.
    """
    p = Path(path)
    if p.is_dir():
        raise CLIError(f"--format {p}: a folder, not a profile: give the .toml file by name")
    if not p.is_file():
        raise CLIError(f"--format {p}: no such file")
    try:
        import tomllib

        profile = tomllib.loads(p.read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 - any parse error becomes a user error
        raise CLIError(f"--format {p}: cannot parse ({exc})") from None
    known = {"columns", "column_units", "options"}
    unknown = sorted(set(profile) - known)
    if unknown:
        raise CLIError(f"--format {p}: unknown section(s) {unknown}; known: {sorted(known)}")
    actions = {o: a for a in parser._actions for o in a.option_strings}
    defaults: dict = {}
    for section, option in (("columns", "--column"), ("column_units", "--column-unit")):
        entries = profile.get(section, {})
        if not entries:
            continue
        if option not in actions:
            raise CLIError(f"--format {p}: [{section}] is not taken by this command "
                           f"({parser.prog} has no {option})")
        defaults[actions[option].dest] = [f"{k}={v}" for k, v in entries.items()]
    for key, value in profile.get("options", {}).items():
        opt = "--" + str(key).lstrip("-").replace("_", "-")
        if opt not in actions or opt in ("--out", "--format", "--overwrite"):
            names = sorted(o[2:] for o in actions if o.startswith("--")
                           and o not in ("--out", "--format", "--overwrite", "--help"))
            raise CLIError(f"--format {p}: [options] {key!r} is not an option of {parser.prog}; "
                           f"known: {', '.join(names)}")
        action = actions[opt]
        if action.choices is not None and not isinstance(value, list) \
                and str(value) not in action.choices:
            raise CLIError(f"--format {p}: [options] {key} = {value!r}; choose from "
                           f"{', '.join(map(str, action.choices))}")
        action.required = False  # given by the profile
        if action.nargs == 0:  # a switch
            if not isinstance(value, bool):
                raise CLIError(f"--format {p}: [options] {key} is a switch: write true or false")
            defaults[action.dest] = value
        elif isinstance(action, argparse._AppendAction):   # repeatable: a list of its values
            defaults[action.dest] = [_profile_value(action, str(v), p, key)
                                     for v in (value if isinstance(value, list) else [value])]
        elif isinstance(value, list):
            defaults[action.dest] = [str(v) for v in value]
        else:
            defaults[action.dest] = str(value)
    return defaults


def _profile_value(action, text: str, path, key):
    """A value of a repeatable option given by a ``--format`` profile, read by the option's own
    type (argparse reads a default that is a list as it is)."""
    if action.type is None:
        return text
    try:
        return action.type(text)
    except (argparse.ArgumentTypeError, ValueError) as exc:
        raise CLIError(f"--format {path}: [options] {key} = {text!r}: {exc}") from None


def load_sample_file(path) -> dict:
    """Read a TOML or JSON file of sample fields (values are numbers with units as strings), or
    the ``sample`` section of a ``summary.json`` written by sotfit (as
    :meth:`sotfit.device.Sample.from_file` reads it: the whole summary was refused for its
    'unknown field sotfit_version')."""
    try:
        data = read_sample_file(path)
    except SampleError as exc:
        raise CLIError(str(exc)) from None
    if isinstance(data, dict) and isinstance(data.get("sample"), dict):
        data = data["sample"]
    if not isinstance(data, dict):
        raise CLIError(f"sample file {path}: expected a table of fields")
    return data


#: Types of the values of a summary that are no containers (checked first: most are).
_SCALAR_TYPES = frozenset({str, float, int, bool, type(None)})


def _is_leaf(obj) -> bool:
    """A dict or list whose entries are all scalars (or lists of scalars): one line of JSON."""
    scalar = _SCALAR_TYPES
    for v in (obj.values() if isinstance(obj, dict) else obj):
        if type(v) in scalar:
            continue
        if isinstance(v, dict):
            return False
        if isinstance(v, (list, tuple)):
            for w in v:
                if isinstance(w, (dict, list, tuple)):
                    return False
    return True


def _compact_encoder():
    """``encode(obj) -> str``: the one-line JSON of :class:`json.JSONEncoder` with separators
    ``", "`` and ``": "`` (numpy scalars as floats), from json's C encoder made once rather
    than at every call (the leaves of a large summary are many)."""
    encoder = json.JSONEncoder(default=float, separators=(", ", ": "))
    try:
        from json.encoder import c_make_encoder, encode_basestring_ascii
    except ImportError:             # pragma: no cover - a Python without the C encoder
        c_make_encoder = None
    if c_make_encoder is None:      # pragma: no cover
        return lambda obj: _NON_FINITE.sub(lambda m: "null" if m.group(1) else m.group(0),
                                           encoder.encode(obj))
    one_line = c_make_encoder(None, encoder.default, encode_basestring_ascii, None,
                              encoder.key_separator, encoder.item_separator, False, False,
                              True)

    def encode(obj) -> str:
        if isinstance(obj, str):
            return encode_basestring_ascii(obj)
        text = "".join(one_line(obj, 0))
        if "NaN" in text or "Infinity" in text:
            text = _NON_FINITE.sub(lambda m: "null" if m.group(1) else m.group(0), text)
        return text

    return encode


#: A JSON string (kept as it is) or a number JSON has no spelling for, as Python writes it:
#: written ``null``, as JSON has it (a bare NaN, where an uncertainty could not be computed,
#: made summary.json unreadable to every JSON reader but Python's).
_NON_FINITE = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


def _json_pieces(obj, indent: int = 2, sink=None) -> list[str]:
    """The pieces of :func:`dumps_json`'s text in order; with ``sink``, every few thousand
    pieces are joined and handed to it as they come, and the rest is returned."""
    compact = _compact_encoder()
    parts: list[str] = []
    containers = (dict, list, tuple)
    scalar = _SCALAR_TYPES
    heads: dict[str, str] = {}          # a key of a dict -> its JSON text and ": "

    def one_line(o) -> bool:
        return type(o) in scalar or not isinstance(o, containers) or not o or _is_leaf(o)

    def emit(o, level: int) -> None:
        """A container that is no leaf, one entry a line (a leaf entry as a piece of its
        own line)."""
        pad, inner = " " * (indent * level), " " * (indent * (level + 1))
        sep = "\n" + inner
        if isinstance(o, dict):
            parts.append("{")
            for key, value in o.items():
                head = heads.get(key) if type(key) is str else None
                if head is None:
                    head = compact(str(key)) + ": "
                    if type(key) is str:
                        heads[key] = head
                if one_line(value):
                    parts.append(sep + head + compact(value))
                else:
                    parts.append(sep + head)
                    emit(value, level + 1)
                sep = ",\n" + inner
            parts.append("\n" + pad + "}")
        else:
            parts.append("[")
            for value in o:
                if one_line(value):
                    parts.append(sep + compact(value))
                else:
                    parts.append(sep)
                    emit(value, level + 1)
                sep = ",\n" + inner
            parts.append("\n" + pad + "]")
        if sink is not None and len(parts) >= 8192:
            sink("".join(parts))
            parts.clear()

    if one_line(obj):
        parts.append(compact(obj))
    else:
        emit(obj, 0)
    return parts


def dumps_json(obj, indent: int = 2) -> str:
    """``obj`` as JSON, indented down to its leaves: every dict or list of scalars (a quantity
    ``{"value", "stderr", "unit"}``, a row of numbers) on one line. The leaves are encoded by
    the C encoder of :mod:`json` (an indented ``json.dumps`` runs the pure-Python one, which
    dominated writing the summary of 10^4 spectra); numpy scalars become floats."""
    return "".join(_json_pieces(obj, indent))


def write_json(obj, path: Path) -> None:
    """Write ``obj`` as indented JSON (:func:`dumps_json`) a few thousand pieces at a time, so
    that the text of a large summary is never held whole (the caller has prepared the
    folder)."""
    with open(path, "w", encoding="utf-8") as fh:
        rest = _json_pieces(obj, sink=fh.write)
        fh.write("".join(rest) + "\n")


def table_hint(files, message: str) -> str:
    """What to add to a reader's error ``message`` when it names one table of a file of several
    given whole (a run of another measurement in a QCoDeS database, say): how to give only the
    tables wanted (``FILE[NAME]``, :mod:`sotfit.io.table_names`); else ""."""
    for f in map(Path, files):
        for name in (str(f), f.name):
            if message.startswith(f"{name}[") and "]" in message[len(name):]:
                table = message[len(name) + 1:message.index("]", len(name))]
                return (f" ({table!r} is one table of {f.name}, given whole: to leave it out, "
                        f"give the tables wanted by name as the outputs name them, "
                        f"'{f}[NAME]')")
    return ""



#: Words of reader errors that ask about a data file's own numbers (a gain, a stale frequency,
#: a comma in a name) or say that two data files are one measurement: the hint that a file of
#: the folder may be no data file misleads there.
_DATA_FILE_MESSAGES = ("amplifier gain", "preamplifier gain", "one of them is stale",
                       "the comma may be", "give each input once",
                       # an option the file's own columns or entries need
                       "sotfit never assumes it", "has no unit in its header",
                       "negative source current")


#: A column of the file that contradicts an option (``column 'Field (mT)' says 'mT' but
#: --field-unit G``): the file holds the data the option is about.
_COLUMN_SAYS = re.compile(r"column (['\"]).*?\1 says ")


def folder_hint(inputs, message: str, files_of) -> str:
    """What to add to a reader's error ``message`` when the file it names came from a folder
    given as input (a notes file or a failed measurement among the data, say), or "".

    Parameters
    ----------
    inputs : sequence of str
        The files and folders as given.
    message : str
        The reader's error, which starts with the file's name or path.
    files_of : callable
        ``files_of(folder) -> list of Path``: the files a command reads from a folder.
    """
    from ..data import DataError

    if any(w in message for w in _DATA_FILE_MESSAGES) or _COLUMN_SAYS.search(message):
        return ""       # a question about a data file's numbers or columns: it is one
    named = {Path(p).resolve() for p in inputs if not Path(p).is_dir()}
    for folder in (Path(p) for p in inputs if Path(p).is_dir()):
        try:
            files = files_of(folder)
        except (DataError, OSError):
            continue
        for f in files:
            if Path(f).resolve() not in named and any(
                    message.startswith(f"{name}{end}") for name in (Path(f).name, str(f))
                    for end in (":", " ", "[")):
                return (f" ({Path(f).name} is a file of the folder {folder} given as input: if "
                        "it is not a data file, leave it out by giving the data files by name, or "
                        "by a pattern that does not match it, instead of the folder)")
    return ""
