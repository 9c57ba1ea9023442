"""Input files given twice: the same file (a folder and one of its files, overlapping globs) or
one measurement saved under two names. Either counts the same data twice, which leaves every
value as it was but shrinks its standard errors by up to 1/sqrt(2): the readers refuse it,
naming both files.
"""

from __future__ import annotations

import os
import stat
import zlib
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from ..data import DataError
from . import cache

__all__ = ["check_distinct_files", "refuse_special", "require_file", "GIVE_ONCE"]

#: What every refusal of one measurement given twice asks.
GIVE_ONCE = ("give each input once (the same data given twice would count twice and "
             "understate every uncertainty)")


def _checksum(file: Path) -> int:
    """CRC-32 of a file's bytes, read in blocks (a file larger than memory too): a key that
    groups files which may be equal, confirmed byte for byte (:func:`_same_bytes`)."""
    crc = 0
    with open(file, "rb") as fh:                    # read-only
        for block in iter(lambda: fh.read(1 << 20), b""):
            crc = zlib.crc32(block, crc)
    return crc


def _same_bytes(a: Path, b: Path) -> bool:
    """Whether two files of one size hold the same bytes."""
    with open(a, "rb") as fa, open(b, "rb") as fb:  # read-only
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def special_file_message(p) -> str:
    """What is said of an input ``p`` that is a device, a pipe or a socket."""
    return (f"{p} is not a file of data (a device, a pipe or a socket); give the files the "
            "measurement wrote")


def refuse_special(path, error: type[Exception] = DataError, name=None) -> None:
    """Refuse ``path`` (said as ``name``, default the path) where it exists and is neither a
    file nor a folder: a device such as ``/dev/zero`` would be read until memory runs out, a
    pipe or a socket would block or be consumed. The one check of every reader and of the
    command line; a path that does not exist is left to whoever opens it."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise error(special_file_message(path if name is None else name))


def require_file(p, file: Path, error: type[Exception] = DataError) -> None:
    """Refuse an input ``p`` (the name as given; ``file`` the file it names) that does not
    exist, is a folder, or is no file of data (:func:`refuse_special`)."""
    if not os.path.exists(file):
        raise error(f"{p}: file not found")
    refuse_special(file, error, p)
    if os.path.isdir(file):
        raise error(f"{p}: is a folder, not a data file")


def check_distinct_files(paths: Sequence, error: type[Exception] = DataError) -> None:
    """Refuse a file given twice: the same file (the same device and inode, so through links
    and ``..`` too; for ``FILE[NAME]`` the same table of it) or two files of byte-identical
    content (only files of equal size are read to compare them: a checksum, then their bytes).

    Parameters
    ----------
    paths : sequence of path
        Input files (existing).
    error : exception class
        What to raise (the reader's own error).

    Raises
    ------
    error
        Naming both files; or naming an input that is not a regular file (a device such as
        ``/dev/zero``, which would be read until memory runs out, a pipe or a socket).
    """
    from . import table_names

    by_id: dict[tuple, str] = {}
    by_size: dict[tuple, list] = defaultdict(list)
    empty: set[str] = set()
    states = set()
    for p in paths:
        file, table = table_names.named_table(Path(p))   # a table of a file of several
        try:
            st = os.stat(file)
        except OSError as exc:
            raise error(f"{p}: cannot read ({exc.strerror or exc})") from None
        refuse_special(file, error, p)
        states.add((str(p), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, table))
        key = (st.st_dev, st.st_ino, table)
        if key in by_id:
            raise error(f"{by_id[key]} and {p} are the same file; give each input once (a "
                        "file given twice counts its data twice and understates every "
                        "uncertainty)")
        by_id[key] = str(p)
        if st.st_size == 0:         # the reader says it is empty (not 'identical content')
            empty.add(str(p))
            continue
        by_size[(st.st_size, table)].append((str(p), file))
    if states <= _CHECKED.get("last", frozenset()):
        return      # some of the files checked last, unchanged: no two of them are the same
    for same_size in (group for group in by_size.values() if len(group) > 1):
        by_sum: dict[int, list] = defaultdict(list)
        for name, file in same_size:
            try:
                crc = _checksum(file)
                for other, other_file in by_sum[crc]:
                    if _same_bytes(other_file, file):
                        raise error(f"{other} and {name} have identical content; "
                                    + GIVE_ONCE)
            except OSError as exc:
                raise error(f"{name}: cannot read ({exc.strerror or exc})") from None
            by_sum[crc].append((name, file))
    _check_same_text([p for p in paths if str(p) not in empty], error)
    _CHECKED.put("last", frozenset(states))


#: ``"last"``: the files of the last list found distinct, each as (path as given, device,
#: inode, size, modification time in ns, table name). A list of some of them, none changed
#: since, holds no two of the same content either, and is not read again: the chunks of files
#: that ``sotfit stfmr`` reads one by one after it has checked the whole list
#: (:mod:`sotfit.io.cache`: forgotten by ``cache.clear()``, not used while it is disabled).
_CHECKED = cache.LRU(maxsize=1)


#: Largest text file compared line by line (bytes): larger ones only byte for byte.
TEXT_COMPARE_LIMIT = 64 << 20
#: First characters of a comment line, left out when text files are compared.
_COMMENT_STARTS = (b"#", b"%", b"!", b";", b"//")


def _text_bytes(file: Path) -> bytes | None:
    """The bytes of a text file; None for a binary file (a NUL byte) or one larger than
    :data:`TEXT_COMPARE_LIMIT`."""
    if os.stat(file).st_size > TEXT_COMPARE_LIMIT:
        return None
    with open(file, "rb") as fh:                    # read-only
        data = fh.read()
    return None if b"\0" in data[:8192] else data


def _text_lines(file: Path) -> bytes | None:
    """The lines of a text file as its numbers are read: without line-end characters, trailing
    blanks, blank lines and comment lines that hold no entry; None as :func:`_text_bytes`."""
    data = _text_bytes(file)
    if data is None:
        return None
    kept = [line.rstrip() for line in data.replace(b"\r", b"\n").split(b"\n")]
    return b"\n".join(line for line in kept if line and not _free_comment(line))


def _free_comment(line: bytes) -> bool:
    """A comment line that holds no ``key: value`` or ``key = value`` entry (an entry may say
    what the numbers are: a field angle, a bias, a device)."""
    return line.lstrip().startswith(_COMMENT_STARTS) and b":" not in line and b"=" not in line


#: Bytes that are not decimal digits (deleted for the key of :func:`_digit_tail`).
_NOT_DIGITS = bytes(b for b in range(256) if not 48 <= b <= 57)
#: How many of a file's last digits make its key.
_TAIL_DIGITS = 4096


def _digit_tail(file: Path) -> int | None:
    """A key that files holding the same numbers share whatever their line ends, blanks and
    comments on top: the CRC-32 of the last :data:`_TAIL_DIGITS` decimal digits of the file
    (0.02 ms for a 14 kB file; normalising its lines takes six times that, so only files that
    share a key are compared line by line). None as :func:`_text_bytes`."""
    data = _text_bytes(file)
    return None if data is None else zlib.crc32(data.translate(None, _NOT_DIGITS)[-_TAIL_DIGITS:])


def _check_same_text(paths: Sequence, error: type[Exception]) -> None:
    """Refuse two text files whose lines are the same but for line ends, trailing blanks, blank
    lines and comment lines without a ``key: value`` entry: one measurement saved twice (a copy
    with Windows line ends, or a comment added on top), which the byte comparison does not see.
    Files are grouped by :func:`_digit_tail` and compared line by line within a group."""
    from . import table_names

    seen: dict[int, list] = defaultdict(list)
    for p in paths:
        file, table = table_names.named_table(Path(p))
        try:
            key = _digit_tail(file)
            if key is None:
                continue
            others = [o for o in seen[key] if o[2] == table and o[1] != file]
            text = _text_lines(file) if others else None
            for other, other_file, _ in others:
                if text and _text_lines(other_file) == text:
                    raise error(f"{other} and {p} hold the same lines (they differ only in line "
                                "ends, blank lines or comments): one measurement saved twice; "
                                + GIVE_ONCE)
        except OSError as exc:
            raise error(f"{p}: cannot read ({exc.strerror or exc})") from None
        seen[key].append((str(p), file, table))
