"""The ``sotfit`` command line: one subcommand module per experiment or theory family.

Each module listed in :data:`COMMANDS` defines ``add_parser(subparsers)``,
which registers its subcommand and sets ``func`` to the function that runs it
(taking the parsed arguments and returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import re
import signal
import sys
import threading
import warnings
from functools import partial
from pathlib import Path

#: Subcommand modules, in the order ``sotfit --help`` lists them.
COMMANDS: list[str] = ["stfmr", "hall", "thickness", "theory", "tables"]


class Parser(argparse.ArgumentParser):
    """An argument parser that takes options only as spelled in full.

    Prefix matching is off (``allow_abbrev=False``): ``--theta-h`` must never be taken for
    ``--theta-h-stderr``, nor any other prefix for a longer option. Subcommand parsers
    inherit the class.
    """

    def __init__(self, *args, **kwargs):
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message):
        """Usage errors as argparse says them, with the nearest option for a misspelt one
        (``--theta_h``: did you mean --theta-h?)."""
        import difflib

        m = re.match(r"unrecognized arguments: (.*)", message)
        if m:
            known = sorted(_option_strings(self))
            hints = []
            for word in m.group(1).split():
                if word.startswith("-"):
                    near = difflib.get_close_matches(word.split("=")[0], known, n=1, cutoff=0.7)
                    if near:
                        hints.append(f"{word}: did you mean {near[0]}?")
            if hints:
                message += " (" + "; ".join(hints) + ")"
        # a one-line usage, not argparse's block of every option (two dozen lines above the
        # error for `sotfit stfmr`): the options are in --help
        positionals = " ".join(self._get_formatter()._format_args(a, a.metavar or a.dest)
                               for a in self._actions if not a.option_strings
                               and not isinstance(a, argparse._SubParsersAction))
        sub = next((a for a in self._actions if isinstance(a, argparse._SubParsersAction)), None)
        if sub is not None:
            positionals = (positionals + " COMMAND ...").strip()
        self.exit(2, f"usage: {self.prog} [options] {positionals}".rstrip() + "\n"
                     f"{self.prog}: error: {message}\n"
                     f"(the options: {self.prog} --help)\n")


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """The options of ``parser`` and of every subcommand under it."""
    out = set()
    for action in parser._actions:
        out.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                out |= _option_strings(child)
    return out


#: Subcommands that read laboratory files and take ``--format FILE.toml``.
FORMAT_COMMANDS = ("stfmr", "hall", "thickness")


def apply_format_profile(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Make the entries of a ``--format`` profile the defaults of the subcommand's options.

    Options given on the command line still win; ``--column`` and ``--column-unit`` entries of
    the profile come first, so a command-line entry for the same role replaces them.
    """
    from .common import read_format_profile

    path = None
    for i, a in enumerate(argv):
        if a == "--format" and i + 1 < len(argv):
            path = argv[i + 1]
        elif a.startswith("--format="):
            path = a.split("=", 1)[1]
    if path is None or not argv or argv[0] not in FORMAT_COMMANDS:
        return
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub.choices[argv[0]].set_defaults(**read_format_profile(path, sub.choices[argv[0]]))


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    from .. import __version__

    parser = Parser(
        prog="sotfit",
        description="Spin-orbit-torque analysis: ST-FMR, harmonic Hall, spin transport, theory.",
    )
    parser.add_argument("--version", action="version", version=f"sotfit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_parser(sub)
    for name in FORMAT_COMMANDS:
        example = _FORMAT_EXAMPLES.get(name, 'field-unit = "Oe"')
        sub.choices[name].add_argument(
            "--format", metavar="FILE.toml",
            help="an instrument profile: [columns] ROLE = NAME, [column_units] ROLE = UNIT and "
                 f"[options] with any option of this command (e.g. {example}); "
                 "options on the command line win")
    _show_defaults(parser)
    return parser


#: An [options] entry of a --format profile, per command (one each command takes).
_FORMAT_EXAMPLES = {"thickness": 'rho = "350uOhmcm"'}


class _DefaultsShown(argparse.RawDescriptionHelpFormatter):
    """Help that states every option's default where its text does not already (``(default:
    6)``): the defaults of many options were nowhere but in the code."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if (not action.option_strings or default is None or default is False
                or default == argparse.SUPPRESS
                or isinstance(default, (list, tuple, dict)) and not default
                or isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction,
                                       argparse._HelpAction, argparse._VersionAction))
                or "default" in text.lower() or text == argparse.SUPPRESS):
            return text
        shown = ",".join(map(str, default)) if isinstance(default, (list, tuple)) else default
        return f"{text} (default: {shown})" if text else f"default: {shown}"


def _show_defaults(parser: argparse.ArgumentParser) -> None:
    """Give ``parser`` and every subcommand parser under it :class:`_DefaultsShown`."""
    parser.formatter_class = _DefaultsShown
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _show_defaults(child)


def _library_errors() -> tuple[type[Exception], ...]:
    """sotfit's own errors that are not ValueErrors: a fit or a solver that cannot proceed."""
    from ..fitting import FitError
    from ..models.interface.barrier_tb import ConvergenceError as BarrierConvergenceError
    from ..models.interface.delta_barrier import ConvergenceError as DeltaConvergenceError
    from ..models.macrospin import EquilibriumError
    from ..parallel import ParallelError

    return FitError, EquilibriumError, BarrierConvergenceError, DeltaConvergenceError, ParallelError


#: Signals that end a run as an interrupt does (a batch system's ``scancel`` sends SIGTERM, a
#: closed terminal SIGHUP): the staging folder is removed and the earlier results stay.
_TERMINATING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


class Terminated(BaseException):
    """A run ended by a signal of :data:`_TERMINATING` (not an ``Exception``: no ``except
    Exception`` of the work stops it)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _terminated(signum, frame):
    raise Terminated(signum)


def _quiet_cancelled_futures(hook):
    """A :func:`threading.excepthook` that says nothing of the ``InvalidStateError`` a process
    pool's management thread raises when the pool breaks (its workers ended by the same
    signal) while its futures are being cancelled; other exceptions go to ``hook``."""
    import concurrent.futures as cf

    def quiet(info):
        if not issubclass(info.exc_type, cf.InvalidStateError):
            hook(info)

    return quiet


def _stop_cleanly_on_termination() -> dict:
    """Make :data:`_TERMINATING` signals raise ``SystemExit`` (so that ``finally`` clauses run);
    the previous handlers, to restore. Nothing where signals cannot be set (a thread)."""
    previous = {}
    for sig in _TERMINATING:
        try:
            previous[sig] = signal.signal(sig, _terminated)
        except (ValueError, OSError):
            break
    return previous


def _restore(handlers: dict) -> None:
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


def _refuse_special_files(paths) -> None:
    """Refuse an input that is neither a file nor a folder: a device (``/dev/zero`` was read
    until the machine's memory ran out), a pipe or a socket
    (:func:`sotfit.io.distinct_files.refuse_special`)."""
    from ..io.distinct_files import refuse_special
    from .common import CLIError

    for p in paths:
        refuse_special(p, CLIError)


def _format_warning(command, message, category, filename, lineno, line=None) -> str:
    """A warning of a command as printed: ``sotfit COMMAND: warning: message``."""
    return f"sotfit {command}: warning: {message}\n"


def _value_options(parser) -> set:
    """The option strings, over every subcommand, that take a value (not switches)."""
    import argparse

    out, todo = set(), [parser]
    while todo:
        p = todo.pop()
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(action.choices.values())
            elif action.option_strings and action.nargs != 0:
                out.update(action.option_strings)
    return out


def joined_negative_values(parser, argv: list) -> list:
    """``argv`` with an option that takes a value and a negative quantity after it written as one
    (``--j-ex -50meV`` as ``--j-ex=-50meV``): argparse reads '-50meV' as an option and said
    "expected one argument"."""
    import re

    takes, out, i = _value_options(parser), [], 0
    while i < len(argv):
        tok = str(argv[i])
        if tok in takes and i + 1 < len(argv) and re.match(r"^-(?:\d|\.\d)", str(argv[i + 1])):
            out.append(f"{tok}={argv[i + 1]}")
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out


def _subcommand_parser(parser: argparse.ArgumentParser, args: argparse.Namespace):
    """The parser of the (innermost) subcommand of ``args``, or ``parser`` without one."""
    for key in ("command", "theory_command"):
        name = getattr(args, key, None)
        sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)),
                   None)
        if not name or sub is None or name not in sub.choices:
            break
        parser = sub.choices[name]
    return parser


def _given_twice(sub: argparse.ArgumentParser, argv: list) -> list[str]:
    """The options of subcommand ``sub`` that take one value and are given two different values
    in ``argv`` (argparse keeps the last without a word: `--j-ex 0.1eV --j-ex 0.2eV` ran at
    0.2 eV); options that collect several values (``--sweep``, ``--column``, ...) may repeat."""
    out = []
    for action in sub._actions:
        if type(action) is not argparse._StoreAction or not action.option_strings:
            continue
        values = set()
        for i, w in enumerate(argv):
            for o in action.option_strings:
                if w == o:
                    values.add(argv[i + 1] if i + 1 < len(argv) else "")
                elif o.startswith("--") and w.startswith(o + "="):
                    values.add(w[len(o) + 1:])
        if len(_as_read(action, values)) > 1:   # the same value twice says nothing else
            out.append(max(action.option_strings, key=len))
    return out


def _as_read(action: argparse.Action, values: set) -> set:
    """The values of ``action`` as its type reads them, numbers to 12 significant digits
    (``--ms 0.95T`` and ``--ms 950mT`` are one value); a value its type refuses stays as written
    (its own error follows)."""
    if len(values) < 2 or not callable(action.type):
        return values
    read = set()
    for v in values:
        try:
            r = action.type(v)
            if isinstance(r, float):     # 950mT read as 0.9500000000000001 T
                r = float(f"{r:.12g}")
            hash(r)
        except Exception:       # noqa: BLE001 - refused or unhashable: compared as written
            r = ("as written", v)
        read.add(r)
    return read


def main(argv=None) -> int:
    """Entry point of the ``sotfit`` command."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl-C while the command starts (imports, the parser): a traceback before
        print("sotfit: interrupted; nothing was written", file=sys.stderr)
        return 130


def _main(argv=None) -> int:
    """:func:`main` (the work, with its own answer to an interruption)."""
    parser = build_parser()
    argv = joined_negative_values(parser, list(sys.argv[1:] if argv is None else argv))
    from .common import CLIError, command_name

    try:
        apply_format_profile(parser, argv)
    except CLIError as exc:
        # a profile is read only for a command of FORMAT_COMMANDS, the first word
        print(f"sotfit {argv[0]}: error: {exc}", file=sys.stderr)
        return 2
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # said by the subcommand's parser (its usage, its name, its options as suggestions),
        # not by the top-level one ('sotfit: error:' under 'usage: sotfit COMMAND ...')
        sub = _subcommand_parser(parser, args)
        command = command_name(args)
        own = {o for a in sub._actions for o in a.option_strings}
        early = [w for w in unknown if w.split("=")[0] in own and command
                 and argv.index(w) < argv.index(command.split()[0])]
        if early:
            # '--no-figures' before 'stfmr' is no option of 'sotfit' (it said 'did you mean
            # --no-figures?')
            sub.error(f"{', '.join(early)}: option(s) of 'sotfit {command}' given before "
                      f"'{command}': put them after it")
        sub.error(f"unrecognized arguments: {' '.join(unknown)}")
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2            # a usage error, as the README says (it was 1)
    twice = _given_twice(_subcommand_parser(parser, args), argv)
    if twice:
        _subcommand_parser(parser, args).error(
            f"{', '.join(twice)} given more than once with different values; give each once "
            "(only the last would count)")
    from .closed_pipe import ClosedPipeSafe
    from .common import CLIError, OutputFolder, input_paths

    output = None
    name = command_name(args)
    stdout, stderr = sys.stdout, sys.stderr
    # `sotfit ... | head` (or `2>&1 | head`) still writes its results
    sys.stdout, sys.stderr = ClosedPipeSafe(stdout), ClosedPipeSafe(stderr)
    handlers = _stop_cleanly_on_termination()
    thread_hook = threading.excepthook
    threading.excepthook = _quiet_cancelled_futures(thread_hook)
    try:
        _refuse_special_files(input_paths(args))
        if getattr(args, "out", None) is not None:
            # checked before any work; results are staged and moved into place when complete
            output = args.output = OutputFolder(args.out, getattr(args, "overwrite", False),
                                                input_paths(args), name,
                                                missing=[Path(f) for f in
                                                         getattr(args, "files", None) or ()
                                                         if not Path(f).exists()])
        # a warning printed reads as the command's other messages, not as a line of its
        # source (only the text is changed: a caller recording warnings still records them)
        formatwarning = warnings.formatwarning
        warnings.formatwarning = partial(_format_warning, name)
        try:
            status = int(args.func(args) or 0)
        finally:
            warnings.formatwarning = formatwarning
        if output is not None:
            output.commit()
            if not getattr(args, "json", False):
                # every subcommand ends with this line, after the move into place, which can
                # still fail (the folder changed meanwhile); with --json stdout is the JSON
                print(f"written to {args.out}")
        return status
    except (CLIError, FileExistsError, FileNotFoundError, ValueError, *_library_errors()) as exc:
        print(f"sotfit {name}: error: {exc}", file=sys.stderr)
        return 2
    except PermissionError as exc:
        print(f"sotfit {name}: error: {exc.filename}: permission denied", file=sys.stderr)
        return 2
    except OSError as exc:
        # a name longer than the file system allows, a full or read-only disk, a failing one
        # (a full disk names no file: the results were being written to --out's staging folder)
        where = (f"{exc.filename}: " if exc.filename else
                 f"writing the results for --out {args.out}: "
                 if output is not None and output.staging is not None else "")
        print(f"sotfit {name}: error: {where}{exc.strerror or exc}; nothing was written"
              + (f" (earlier results in {args.out} are untouched)"
                 if output is not None and output.had_results else ""), file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Terminated) as exc:
        # Ctrl-C printed a traceback of wherever the work was, a batch system's cancel
        # (SIGTERM) nothing; the staging folder goes below
        how = ("interrupted" if isinstance(exc, KeyboardInterrupt)
               else f"stopped by {signal.Signals(exc.signum).name}")
        print(f"sotfit {name}: {how}; nothing was written"
              + (f" (earlier results in {args.out} are untouched)"
                 if output is not None and output.had_results else ""), file=sys.stderr)
        return 130 if isinstance(exc, KeyboardInterrupt) else 128 + exc.signum
    except MemoryError:
        # a grid of 10^8 azimuths ended in a MemoryError traceback (exit 1)
        print(f"sotfit {name}: error: out of memory: the computation asked for more "
              "memory than this machine has; lower the resolution options given (points of a "
              "grid or sweep: --n-phi, --n-theta, --sweep/--map N, ...); nothing was written",
              file=sys.stderr)
        return 2
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = stdout, stderr
        if output is not None:
            output.discard()
        _restore(handlers)
        threading.excepthook = thread_hook


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
