"""Output folders written in full or not at all, never at the cost of files sotfit did not write.

:class:`OutputFolder` checks ``--out`` against the inputs before any work, stages the results
in a temporary folder beside it and moves them into place when the run is complete; the
manifest :data:`MANIFEST` records what a run wrote, so that ``--overwrite`` replaces exactly
that (docs/robustness.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

from .errors import CLIError


#: The record of what sotfit wrote into an output folder (relative paths), kept inside it.
MANIFEST = ".sotfit-output.json"


#: Options that are never input paths, even where a file of that name exists (the subcommand's
#: own name, a method, a model).
_NOT_PATHS = {"out", "func", "output", "command", "theory_command", "method", "model", "scan",
              "lineshape", "geometry"}


def input_paths(args: argparse.Namespace) -> list[Path]:
    """Every existing file or folder named by an option or argument other than ``--out``."""
    found = []
    for key, value in vars(args).items():
        if key in _NOT_PATHS or key.startswith("_"):
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


def _link_into(folder: Path, target: Path) -> Path | None:
    """A link below ``folder`` whose target is ``target`` or lies inside it, or None (links are
    not followed; a link to a folder that holds ``target``, a data tree, is not one)."""
    stack = [folder]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for e in entries:
            if e.is_symlink():
                try:
                    to = Path(e.path).resolve()
                except (OSError, RuntimeError):
                    continue
                if to.is_relative_to(target):
                    return Path(e.path)
            elif e.is_dir(follow_symlinks=False):
                stack.append(Path(e.path))
    return None


def _files_in(folder: Path) -> list[str]:
    """What ``folder`` holds, relative to it: every file, every link (to a folder too; links
    are not followed) and every empty folder (with a trailing ``/``)."""
    out = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        here = Path(root)
        links = [d for d in dirs if (here / d).is_symlink()]
        dirs[:] = [d for d in dirs if d not in links]
        out.extend(str((here / f).relative_to(folder)) for f in files + links)
        if here != folder and not dirs and not files and not links:
            out.append(str(here.relative_to(folder)) + "/")
    return sorted(out)


def _inside_entry(rel) -> bool:
    """Whether a manifest entry names a place inside its folder, as :func:`_files_in` writes
    them: a relative path without ``..``, ``.`` or empty parts (an entry ``../in/a.csv`` or
    ``/data/a.csv``, from an edited or foreign manifest, made ``--overwrite`` delete inputs)."""
    if not isinstance(rel, str) or not rel.strip("/") or "\0" in rel or "\\" in rel:
        return False
    if rel.startswith("/") or (len(rel) > 1 and rel[1] == ":"):
        return False
    parts = rel.rstrip("/").split("/")
    return all(part not in ("", ".", "..") for part in parts)


def _recorded_command(folder: Path) -> str | None:
    """The subcommand that wrote the results in ``folder`` (its record), or None."""
    try:
        command = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("command")
    except (ValueError, OSError, AttributeError):
        return None
    return command if isinstance(command, str) else None


def _content_digest(path: Path) -> str | None:
    """The SHA-256 of a file's bytes (hex), or None for a link, a folder or an unreadable file."""
    if path.is_symlink() or not path.is_file():
        return None
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _recorded_digests(folder: Path) -> dict[str, str] | None:
    """The digests an earlier run recorded for the files it wrote in ``folder``, or None for a
    record without them (written before digests were kept, or by hand)."""
    try:
        digests = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("sha256")
    except (ValueError, OSError, AttributeError):
        return None
    if not isinstance(digests, dict):
        return None
    return {k: v for k, v in digests.items() if isinstance(k, str) and isinstance(v, str)}


def _changed_since_written(folder: Path) -> list[str]:
    """The files of an earlier run in ``folder`` that are not as it wrote them: bytes that
    differ from the digest it recorded (edited after the run), or a file its record names
    without a digest (a record sotfit does not write: the name was added to it). Such files
    are no longer sotfit's to delete. A record without any digest is judged by
    :func:`_unverifiable_record` before this."""
    digests = _recorded_digests(folder) or {}
    changed = []
    for rel in sorted(_written_by_sotfit(folder) or ()):
        if rel == MANIFEST or rel.endswith("/") or not _inside_entry(rel):
            continue
        f = folder / rel
        if not (f.exists() or f.is_symlink()):
            continue
        if rel not in digests or _content_digest(f) != digests[rel]:
            changed.append(rel)
    return changed


def _unverifiable_record(folder: Path) -> bool:
    """Whether ``folder``'s record names files but keeps no digests (as written before digests
    were kept): its files cannot be told from files of the same names put there since (a
    file's time does not tell: ``mv``, ``cp -p`` and ``rsync -a`` keep an older one)."""
    return bool(_written_by_sotfit(folder)) and _recorded_digests(folder) is None


def _written_by_sotfit(folder: Path) -> set[str] | None:
    """The files an earlier run recorded in ``folder``'s manifest, or ``None`` without one (or
    with one naming any place outside the folder: not a record sotfit writes, so nothing in the
    folder counts as sotfit's)."""
    m = folder / MANIFEST
    if m.is_symlink() or not m.is_file():
        return None     # a link is no record sotfit writes: nothing counts as sotfit's
    try:
        files = json.loads(m.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError, OSError):
        return None
    if not isinstance(files, list) or not all(_inside_entry(f) for f in files):
        return None
    return set(files) | {MANIFEST}


def _outside_entries(folder: Path) -> list:
    """The entries of ``folder``'s manifest that name no place inside it (empty for none)."""
    try:
        files = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError, OSError):
        return []
    return [f for f in files if not _inside_entry(f)] if isinstance(files, list) else []


def _within(path: Path, folder: Path) -> bool:
    """Whether ``path`` (its folder's links resolved, the last part not followed) lies in
    ``folder``."""
    try:
        return path.parent.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def _foreign_files(folder: Path) -> list[str]:
    """Files in ``folder`` that no sotfit run recorded writing."""
    ours = _written_by_sotfit(folder)
    files = _files_in(folder)
    if ours is None:
        return files
    return [f for f in files if f not in ours]


#: What the name of the folder in which a run writes (beside ``--out``) adds to ``--out``'s
#: name, before the 8 random characters of :func:`tempfile.mkdtemp` and after a leading dot.
_STAGING_TAG = ".partial-"
#: The longest name of ``--out`` whose staging folder a file system of 255-byte names holds.
_LONGEST_NAME = 255 - 1 - len(_STAGING_TAG) - 8


#: The record, inside a staging folder, of the process that writes in it (removed before the
#: results are moved into place, so never part of them).
OWNER = ".sotfit-staging.json"


def _boot_id() -> str | None:
    """This boot of the machine (Linux), or None where the system does not say."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return None


def _pid_namespace() -> str | None:
    """The process-id namespace of this process (Linux; a container has its own), or None
    where the system does not say: process ids are compared only within one."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def _process_start(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, Linux), or None where the system
    does not say; with the process id it names one process, as a process id alone is reused."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rpartition(")")[2].split()
        return int(fields[19])
    except (OSError, ValueError, IndexError):
        return None


def _process_gone(pid: int, started: int | None) -> bool:
    """Whether the process ``pid`` that started at ``started`` (:func:`_process_start`) has
    ended: no such process, a zombie (killed, not yet reaped), or another process that got
    the same id since. A process that may still run is not gone."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:         # another user's process (PermissionError): it runs
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    if state in ("Z", "X"):
        return True
    now = _process_start(pid)
    return started is not None and now is not None and now != started


def _owner_record(staging: Path) -> dict:
    """What :data:`OWNER` says of the process that writes in ``staging``."""
    import socket

    return {"written_by": "sotfit", "staging": staging.name, "pid": os.getpid(),
            "host": socket.gethostname(), "boot_id": _boot_id(),
            "pid_namespace": _pid_namespace(), "process_start": _process_start(os.getpid())}


def _stale_owner(folder: Path, prefix: str) -> dict | None:
    """The owner record of ``folder`` when it is a staging folder of sotfit (named ``prefix``
    and 8 characters, a folder and not a link, holding the record :data:`OWNER` that names it)
    left by a process of this machine that has ended (killed with ``kill -9``, a power cut: it
    could not remove it); None for anything else, which is never removed."""
    import socket

    name = folder.name
    if not name.startswith(prefix) or len(name) != len(prefix) + 8:
        return None
    record_file = folder / OWNER
    try:
        if folder.is_symlink() or not folder.is_dir() or record_file.is_symlink() \
                or not record_file.is_file():
            return None
        record = json.loads(record_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("written_by") != "sotfit" \
            or record.get("staging") != name or record.get("host") != socket.gethostname():
        return None     # another machine's run on a shared disk may still go on
    pid, started = record.get("pid"), record.get("process_start")
    if not isinstance(pid, int) or isinstance(pid, bool):
        return None
    boot = _boot_id()
    if boot is not None and record.get("boot_id") not in (None, boot):
        # made before a restart, or on another machine of the same name sharing the disk,
        # whose run may go on: the two cannot be told apart, so it is left
        return None
    if record.get("pid_namespace") != _pid_namespace():
        return None     # a container of the same name and disk: its process ids are not ours
    return record if _process_gone(pid, started if isinstance(started, int) else None) else None


def _reached_by_mount(target: Path, folder: Path) -> bool:
    """Whether ``target`` (resolved) or a folder above it is the input ``folder`` under another
    path (a bind mount of it: the same device and inode, which no path comparison sees)."""
    try:
        if not folder.is_dir():
            return False
        st = folder.stat()
    except OSError:
        return False
    for above in (target, *target.parents):
        try:
            a = above.stat()
        except OSError:         # not made yet
            continue
        if (a.st_dev, a.st_ino) == (st.st_dev, st.st_ino):
            return True
    return False


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

    def __init__(self, path, overwrite: bool = False, inputs=(), command: str | None = None,
                 missing=()):
        self.command = command
        self.missing = [Path(p) for p in missing]     # input files given that do not exist
        self.made: list[Path] = []                   # folders made for --out, outermost first
        self.given = Path(path)
        self.overwrite = overwrite
        self.staging: Path | None = None
        self.committed = False
        self.keep_staging = False
        self.inputs = [Path(p) for p in inputs]
        try:
            self.final = self._target(self.given)
            self._check(self.inputs)
            #: whether --out held results before the run (an interruption leaves them)
            self.had_results = self.final.is_dir() and any(self.final.iterdir())
            #: what --out held when the run began (:meth:`_state`), compared at the commit
            self.seen = self._state()
        except OSError as exc:
            # a name longer than the file system allows, a part of the path that is a file
            raise CLIError(f"--out {self.given}: {exc.strerror or exc}") from None

    @staticmethod
    def _target(given: Path) -> Path:
        """The folder the results go to: ``--out`` itself, or the folder a link ``--out`` points
        to (results kept on another disk), which then stays a link to them."""
        if not given.is_symlink():
            return given
        try:
            target = given.resolve(strict=True)
        except (OSError, RuntimeError):
            raise CLIError(f"--out {given} is a link to {os.readlink(given)}, which does not "
                           "exist; create that folder or give another --out") from None
        if not target.is_dir():
            raise CLIError(f"--out {given} is a link to the file {target}, not a folder")
        return target

    def _check(self, inputs: list[Path]) -> None:
        out = self.given
        if out.parts and out.parts[0].startswith("~"):
            home = os.path.expanduser(out.parts[0])
            raise CLIError(f"--out {out} begins with '{out.parts[0]}', which the shell did not "
                           "expand (it was quoted or followed '='): sotfit would make a folder "
                           f"named '{out.parts[0]}' here; write the full path"
                           + (f" ({Path(home, *out.parts[1:])})" if home != out.parts[0] else ""))
        try:
            target = self.final.resolve()
        except (OSError, RuntimeError) as exc:
            raise CLIError(f"--out {out}: {exc}") from None
        protected = {Path.cwd().resolve(): "the working folder", Path.home().resolve(): "the home folder",
                     Path(target.anchor): "the file-system root"}
        if target in protected:
            raise CLIError(f"--out {out} is {protected[target]}; give a folder of its own for the "
                           "results (e.g. --out results)")
        for inside, what in ((Path.cwd().resolve(), "the working folder"),
                             (Path.home().resolve(), "the home folder")):
            if inside.is_relative_to(target):
                raise CLIError(f"--out {out} holds {what}; give a folder of its own for the "
                               "results (e.g. --out results)")
        for p in inputs:
            src = p.resolve()
            if target == src:
                raise CLIError(f"--out {out} is the input {p}; give another folder for the results")
            if src.is_relative_to(target):
                raise CLIError(f"--out {out} holds the input {p}; give a folder that holds no input")
            if target.is_relative_to(src) or _reached_by_mount(target, p):
                raise CLIError(f"--out {out} lies inside the input folder {p}; give a folder "
                               "outside it")
            if p.is_dir():
                link = _link_into(p, target)
                if link is not None:
                    # the run would read through it what --overwrite then replaces
                    raise CLIError(f"--out {out}: the input folder {p} holds a link into it "
                                   f"({link}); give a folder no input reaches")
        final = self.final
        if final.exists() and not final.is_dir():
            raise CLIError(f"--out {out} exists and is a file, not a folder")
        if final.is_dir() and any(final.iterdir()):
            if not self.overwrite:
                raise CLIError(f"output folder {out} exists and is not empty; "
                               "choose another --out or pass --overwrite")
            foreign = _foreign_files(final)
            outside = _outside_entries(final)
            if outside:
                raise CLIError(f"--overwrite: the record {MANIFEST} in output folder {out} names "
                               f"files outside it ({', '.join(map(str, outside[:3]))}), which no "
                               "sotfit run writes: it is not trusted, and nothing is deleted; "
                               "choose another --out or remove the folder yourself")
            if foreign:
                raise CLIError(f"--overwrite: output folder {out} holds files sotfit did not write "
                               f"({_listed(foreign)}); sotfit deletes only its own results: "
                               "choose another --out or move those files away")
            if _unverifiable_record(final):
                raise CLIError(f"--overwrite: the record {MANIFEST} in output folder {out} "
                               "keeps no checksums of the files it names (written by an "
                               "earlier version of sotfit, or by hand): its results cannot be "
                               "told from files put there since, and nothing is deleted; "
                               "choose another --out or remove the folder yourself")
            changed = _changed_since_written(final)
            if changed:
                raise CLIError(f"--overwrite: output folder {out} holds results changed since "
                               f"sotfit wrote them ({_listed(changed)}); sotfit deletes only "
                               "what it wrote, as it wrote it: choose another --out or move "
                               "those files away")
        parent = target.parent
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            raise CLIError(f"--out {out}: {parent} is a file, not a folder")
        if len(os.fsencode(target.name)) > _LONGEST_NAME:
            raise CLIError(f"--out {out}: the folder's name is {len(os.fsencode(target.name))} "
                           f"bytes long; sotfit writes the results beside it first, under a "
                           f"name {len(_STAGING_TAG) + 9} bytes longer, and a file system allows "
                           f"255: give a name of at most {_LONGEST_NAME} bytes")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise CLIError(f"--out {out}: cannot write in {parent} (permission denied)")

    def stage(self) -> Path:
        """The temporary folder (beside ``--out``) that the command writes its results into."""
        if self.staging is None:
            parent = self.final.resolve().parent
            absent = [a for a in (parent, *parent.parents) if not a.exists()][::-1]
            for name in self.missing:
                try:
                    named = name.resolve()
                except (OSError, RuntimeError):
                    continue
                if named in absent:
                    # the mistyped input became --out's parent folder and was then read as
                    # an empty input folder ('holds no data files')
                    raise CLIError(f"{name}: no such file or folder (--out {self.given} lies "
                                   "inside it)")
            prefix = f".{self.final.resolve().name}{_STAGING_TAG}"
            try:
                parent.mkdir(parents=True, exist_ok=True)
                self.made = absent
                self._remove_stale_staging(parent, prefix)
                self.staging = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
                mask = os.umask(0)
                os.umask(mask)
                os.chmod(self.staging, 0o777 & ~mask)     # as a folder made by mkdir
                (self.staging / OWNER).write_text(json.dumps(_owner_record(self.staging)) + "\n",
                                                  encoding="utf-8")
            except OSError as exc:
                raise CLIError(f"--out {self.given}: cannot create a folder in {parent} "
                               f"({exc.strerror or exc})") from None
        return self.staging

    def _remove_stale_staging(self, parent: Path, prefix: str) -> None:
        """Remove the staging folders of ``--out`` (named ``prefix`` and 8 characters, in
        ``parent``) that a killed run of this machine left (:func:`_stale_owner`), saying so in
        one line each; a folder that holds or lies in an input is left, as is any other."""
        try:
            candidates = [e for e in parent.iterdir() if e.name.startswith(prefix)]
        except OSError:
            return
        inputs = []
        for p in self.inputs:
            try:
                inputs.append(p.resolve())
            except (OSError, RuntimeError):
                continue
        for folder in sorted(candidates):
            record = _stale_owner(folder, prefix)
            if record is None:
                continue
            here = folder.resolve()
            if any(p.is_relative_to(here) or here.is_relative_to(p) for p in inputs):
                continue
            shutil.rmtree(folder, ignore_errors=True)
            who = f"sotfit {self.command}" if self.command else "sotfit"
            done = "could not remove" if folder.exists() else "removed"
            print(f"{who}: note: {done} {folder}, the unfinished results of a run that was "
                  f"killed (process {record['pid']} has ended)", file=sys.stderr)

    def _state(self):
        """What ``--out`` holds: None (no folder), ``'empty'``, or the digest of its record
        (:data:`MANIFEST`; ``'no record'`` without one). Another run's commit changes it."""
        final = self.final.resolve()
        if not final.is_dir():
            return None
        if not any(final.iterdir()):
            return "empty"
        record = final / MANIFEST
        return _content_digest(record) if record.is_file() else "no record"

    def commit(self) -> None:
        """Move the complete results into place; remove only the earlier run's own files.
        ``--out`` must hold what it held when the run began: another run that committed to it
        meanwhile keeps its results, and these are kept aside (two runs with --overwrite at
        once both said 'written to', and the first one's results were deleted)."""
        if self.staging is None or self.committed:
            return
        # the results never hold the owner record, and a staging folder kept (a message says
        # so) is never taken for a killed run's
        (self.staging / OWNER).unlink(missing_ok=True)
        files = _files_in(self.staging)
        digests = {f: d for f in files if (d := _content_digest(self.staging / f)) is not None}
        record = {"written_by": "sotfit", "files": files, "sha256": digests}
        if self.command:
            record["command"] = self.command
        (self.staging / MANIFEST).write_text(json.dumps(record, indent=1) + "\n",
                                             encoding="utf-8")
        final = self.final.resolve()
        old = None
        try:
            if final.is_dir():
                if any(final.iterdir()):
                    foreign = _foreign_files(final)
                    changed = ([MANIFEST] if _unverifiable_record(final)
                               else _changed_since_written(final)) if not foreign else []
                    if foreign or changed or not self.overwrite or self._state() != self.seen:
                        # something appeared while the run went on: keep both, delete nothing
                        what = (f"files appeared in it ({_listed(foreign)})" if foreign
                                else f"results in it were changed ({_listed(changed)})"
                                if changed else "another sotfit run wrote its results there")
                        self.keep_staging = True
                        raise CLIError(f"output folder {self.given} changed during the run: "
                                       f"{what}; the new results are kept in {self.staging}")
                    earlier = _recorded_command(final)
                    if self.command and earlier and earlier != self.command:
                        print(f"sotfit {self.command}: warning: --overwrite replaces the "
                              f"results of 'sotfit {earlier}' in {self.given}",
                              file=sys.stderr)
                    old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-",
                                                dir=self.staging.parent))
                    old.rmdir()
                    _keep_folder_settings(final, self.staging)
                    os.replace(final, old)
                else:
                    _keep_folder_settings(final, self.staging)
                    final.rmdir()
            os.replace(self.staging, final)
        except OSError as exc:
            self.keep_staging = True
            if old is not None and not final.exists():
                os.replace(old, final)          # the earlier results back in place
            raise CLIError(f"--out {self.given}: cannot move the results into place "
                           f"({exc.strerror or exc}); they are kept in {self.staging}") from None
        self.committed = True
        self.staging = None
        if old is not None:
            try:
                self._remove_recorded(old)
            except OSError as exc:
                # the new results are complete in place: say where the earlier ones are left
                print(f"sotfit: warning: the results are in {self.given}; the earlier results "
                      f"could not all be removed ({exc.strerror or exc}: {exc.filename}) and "
                      f"are left in {old}", file=sys.stderr)

    @staticmethod
    def _remove_recorded(folder: Path) -> None:
        """Delete the files an earlier run recorded in ``folder``, then the emptied folders."""
        ours = _written_by_sotfit(folder) or set()
        emptied = set()
        for rel in ours:
            f = folder / rel.rstrip("/")
            if not _within(f, folder):
                continue        # through a link to a folder elsewhere: never followed
            if rel.endswith("/") and f.is_dir() and not f.is_symlink():
                emptied.add(f)
            elif f.is_symlink() or f.is_file():
                f.unlink()
                emptied.add(f.parent)
        # the folders the recorded files were in, deepest first, where they are now empty
        parents = {p for d in emptied for p in (d, *d.parents) if p.is_relative_to(folder)
                   and p != folder}
        for d in sorted(parents, key=lambda p: -len(p.parts)):
            if d.is_dir() and not d.is_symlink() and not any(d.iterdir()):
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
        """Remove the temporary folder of an unfinished run (the old results stay), unless a
        message has told the user the results are kept in it."""
        if self.staging is not None and self.staging.exists() and not self.keep_staging:
            shutil.rmtree(self.staging, ignore_errors=True)
        self.staging = None
        if not self.committed and not self.keep_staging:
            # the folders made for --out by a run that wrote nothing, when still empty
            for folder in reversed(self.made):
                try:
                    folder.rmdir()
                except OSError:
                    break
        self.made = []


def _listed(names: list[str], most: int = 5) -> str:
    """Up to ``most`` names, comma separated, and how many more."""
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most
                                      else "")


def _keep_folder_settings(existing: Path, new: Path) -> None:
    """Give the folder ``new``, which replaces ``existing``, its permissions and group (a
    group-private folder with the setgid bit became world-readable and lost its group)."""
    try:
        st = existing.stat()
        os.chmod(new, stat.S_IMODE(st.st_mode))
        if new.stat().st_gid != st.st_gid:
            os.chown(new, -1, st.st_gid)
    except OSError:
        pass        # not allowed to: the folder keeps the settings it was made with


def stage_out_dir(args: argparse.Namespace) -> Path:
    """The folder a command writes into: the staging folder of its checked ``--out``."""
    output = getattr(args, "output", None)
    if output is None:  # called outside main(): check now
        output = args.output = OutputFolder(args.out, getattr(args, "overwrite", False),
                                            input_paths(args))
    return output.stage()
