"""Helpers shared by the subcommands: quantities with units, sample files, output folders."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ..checks import absurd, check_number
from ..units import HOUSE, quantity, to_house

__all__ = ["CLIError", "quantity_type", "number_type", "fraction", "integer_type", "unit_type",
           "pair_type", "list_type", "OutputFolder", "add_output_options", "add_figure_option",
           "input_paths", "stage_out_dir", "write_summary", "read_format_profile", "role_options",
           "add_column_options", "flag_status",
           "load_sample_file", "Progress", "write_json", "STRICT_EXIT", "MANIFEST"]


class CLIError(Exception):
    """A user error on the command line, reported without a traceback."""


def _argparse_type(name: str, convert):
    """Wrap ``convert(text)`` as an argparse ``type``: a ValueError becomes a usage error.

    argparse then exits with status 2 and a message naming the option.
    """

    def parse(text: str):
        try:
            return convert(text)
        except ValueError as exc:  # UnitError is a ValueError too
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
        value = quantity(text, dimension, default_unit)
        return check_number(repr(text), value, positive=positive, nonnegative=nonnegative,
                            nonzero=nonzero, unit=HOUSE[dimension], **bounds)

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


#: A fraction in (0, 1].
fraction = number_type(positive=True, maximum=1.0)


def integer_type(minimum: int):
    """An argparse ``type`` for an integer ``>= minimum`` (a count, a seed).

    Parameters
    ----------
    minimum : int
        Smallest allowed value.

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


#: The record of what sotfit wrote into an output folder (relative paths), kept inside it.
MANIFEST = ".sotfit-output.json"


def add_output_options(p: argparse.ArgumentParser) -> None:
    """``--out``, ``--overwrite`` and ``--strict``, the same for every subcommand."""
    p.add_argument("--out", required=True,
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


#: Exit status of a run whose results carry flags when ``--strict`` is given.
STRICT_EXIT = 3


def input_paths(args: argparse.Namespace) -> list[Path]:
    """Every existing file or folder named by an option or argument other than ``--out``."""
    found = []
    for key, value in vars(args).items():
        if key in ("out", "func") or key.startswith("_"):
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if isinstance(v, (str, Path)) and str(v):
                try:
                    p = Path(v)
                    if p.exists():
                        found.append(p)
                except (OSError, ValueError):
                    continue
    return found


def _files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())


def _written_by_sotfit(folder: Path) -> set[str] | None:
    """The files an earlier run recorded in ``folder``'s manifest, or ``None`` without one."""
    m = folder / MANIFEST
    if not m.is_file():
        return None
    try:
        return set(json.loads(m.read_text(encoding="utf-8"))["files"]) | {MANIFEST}
    except (ValueError, KeyError, TypeError, OSError):
        return None


def _foreign_files(folder: Path) -> list[str]:
    """Files in ``folder`` that no sotfit run recorded writing."""
    ours = _written_by_sotfit(folder)
    files = _files_in(folder)
    if ours is None:
        return files
    return [f for f in files if f not in ours]


class OutputFolder:
    """A results folder written in full or not at all, never at the cost of other files.

    Checked when made (before any work): ``--out`` must not be, contain or lie inside an
    input, nor be the working folder, the home folder or the file-system root; it must not
    be a file; its parent must be writable; an existing non-empty folder needs
    ``overwrite`` and may hold only files that an earlier sotfit run recorded in its
    manifest (:data:`MANIFEST`).

    Used as a context manager (``with OutputFolder(path) as out:``) it stages on entry and
    commits on a normal exit. :meth:`stage` gives a temporary folder beside ``--out`` in which the command writes;
    :meth:`commit` moves it into place once the run is complete (replacing the earlier
    results, and deleting only the files those recorded); :meth:`discard` removes the
    temporary folder, so an interrupted or failed run leaves the old results intact.

    Parameters
    ----------
    path : str or Path
        The ``--out`` folder.
    overwrite : bool
        Allow replacing earlier sotfit results in ``path``.
    inputs : iterable of Path
        The files and folders the command reads.
    """

    def __init__(self, path, overwrite: bool = False, inputs=()):
        self.final = Path(path)
        self.overwrite = overwrite
        self.staging: Path | None = None
        self.committed = False
        self._check(list(inputs))

    def _check(self, inputs: list[Path]) -> None:
        out = self.final
        try:
            target = out.resolve()
        except (OSError, RuntimeError) as exc:
            raise CLIError(f"--out {out}: {exc}") from None
        protected = {Path.cwd().resolve(): "the working folder", Path.home().resolve(): "the home folder",
                     Path(target.anchor): "the file-system root"}
        if target in protected:
            raise CLIError(f"--out {out} is {protected[target]}; give a folder of its own for the "
                           "results (e.g. --out results)")
        for p in inputs:
            src = p.resolve()
            if target == src:
                raise CLIError(f"--out {out} is the input {p}; give another folder for the results")
            if src.is_relative_to(target):
                raise CLIError(f"--out {out} holds the input {p}; give a folder that holds no input")
            if target.is_relative_to(src):
                raise CLIError(f"--out {out} lies inside the input folder {p}; give a folder "
                               "outside it")
        if out.exists() and not out.is_dir():
            raise CLIError(f"--out {out} exists and is a file, not a folder")
        if out.is_dir() and any(out.iterdir()):
            if not self.overwrite:
                raise CLIError(f"output folder {out} exists and is not empty; "
                               "choose another --out or pass --overwrite")
            foreign = _foreign_files(out)
            if foreign:
                shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more"
                                                  if len(foreign) > 5 else "")
                raise CLIError(f"--overwrite: output folder {out} holds files sotfit did not write "
                               f"({shown}); sotfit deletes only its own results: choose another "
                               "--out or move those files away")
        parent = target.parent
        while not parent.exists():
            parent = parent.parent
        if not os.access(parent, os.W_OK | os.X_OK):
            raise CLIError(f"--out {out}: cannot write in {parent} (permission denied)")

    def stage(self) -> Path:
        """The temporary folder (beside ``--out``) that the command writes its results into."""
        if self.staging is None:
            parent = self.final.resolve().parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
                self.staging = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.partial-",
                                                     dir=parent))
            except OSError as exc:
                raise CLIError(f"--out {self.final}: cannot create a folder in {parent} "
                               f"({exc.strerror or exc})") from None
        return self.staging

    def commit(self) -> None:
        """Move the complete results into place; remove only the earlier run's own files."""
        if self.staging is None or self.committed:
            return
        files = _files_in(self.staging)
        (self.staging / MANIFEST).write_text(
            json.dumps({"written_by": "sotfit", "files": files}, indent=1) + "\n", encoding="utf-8")
        final = self.final
        old = None
        if final.is_dir():
            if any(final.iterdir()):
                foreign = _foreign_files(final)
                if foreign or not self.overwrite:
                    # something appeared while the run went on: keep both, delete nothing
                    raise CLIError(f"output folder {final} changed during the run "
                                   f"({', '.join(foreign[:5])}); the new results are kept in "
                                   f"{self.staging}")
                old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=self.staging.parent))
                old.rmdir()
                os.replace(final, old)
            else:
                final.rmdir()
        os.replace(self.staging, final)
        self.committed = True
        self.staging = None
        if old is not None:
            self._remove_recorded(old)

    @staticmethod
    def _remove_recorded(folder: Path) -> None:
        """Delete the files an earlier run recorded in ``folder``, then the emptied folders."""
        ours = _written_by_sotfit(folder) or set()
        for rel in ours:
            f = folder / rel
            if f.is_file() or f.is_symlink():
                f.unlink()
        for d in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
            if not any(d.iterdir()):
                d.rmdir()
        if not any(folder.iterdir()):
            folder.rmdir()
        else:
            print(f"sotfit: warning: {folder} keeps files that appeared during the run",
                  file=sys.stderr)

    def __enter__(self) -> Path:
        return self.stage()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the temporary folder of an unfinished run (the old results stay)."""
        if self.staging is not None and self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)
        self.staging = None


def stage_out_dir(args: argparse.Namespace) -> Path:
    """The folder a command writes into: the staging folder of its checked ``--out``."""
    output = getattr(args, "output", None)
    if output is None:  # called outside main(): check now
        output = args.output = OutputFolder(args.out, getattr(args, "overwrite", False),
                                            input_paths(args))
    return output.stage()


def write_summary(summary: dict, out: Path) -> list[dict]:
    """Collect the flags of ``summary`` (:mod:`sotfit.flags`) and write ``out/summary.json``."""
    from ..flags import finalise_flags

    flags = finalise_flags(summary)
    write_json(summary, out / "summary.json")
    return flags


def flag_status(args: argparse.Namespace, flags: list[dict], show: bool = True) -> int:
    """Print the flags (unless ``show`` is false) and return the exit status (``--strict``)."""
    from ..flags import format_flags

    if show and flags:
        print(format_flags(flags))
    if flags and getattr(args, "strict", False):
        print(f"sotfit {getattr(args, 'command', '')}: {len(flags)} flagged result(s) and "
              f"--strict: exit status {STRICT_EXIT}", file=sys.stderr)
        return STRICT_EXIT
    return 0


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
        elif isinstance(value, list):
            defaults[action.dest] = [str(v) for v in value]
        else:
            defaults[action.dest] = str(value)
    return defaults


def load_sample_file(path) -> dict:
    """Read a TOML or JSON file of sample fields (values are numbers with units as strings)."""
    p = Path(path)
    if not p.is_file():
        raise CLIError(f"sample file {p} not found")
    text = p.read_text(encoding="utf-8")
    try:
        if p.suffix.lower() == ".json":
            return json.loads(text)
        import tomllib

        return tomllib.loads(text)
    except Exception as exc:  # noqa: BLE001 - any parse error becomes a user error
        raise CLIError(f"sample file {p}: cannot parse ({exc})") from None


def write_json(obj, path: Path) -> None:
    """Write ``obj`` as indented JSON (the caller has prepared the folder)."""
    path.write_text(json.dumps(obj, indent=2, default=float) + "\n", encoding="utf-8")


class Progress:
    """A minimal text progress bar on stderr, silent when stderr is not a terminal."""

    def __init__(self, label: str, stream=None, force: bool = False):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = force or self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 1:
            return
        width = 30
        n = int(width * done / total)
        self.stream.write(f"\r{self.label} [{'#' * n}{'.' * (width - n)}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
