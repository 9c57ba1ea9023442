"""Text files written in a program's own layout (a Quantum Design MultiVu file, a LabVIEW
measurement file): their lines as the lines of a plain table with a ``# key: value`` preamble.

The table readers and the readers of a preamble's entries (a preamplifier gain, the source
current, the polar angle of the field) take the lines :func:`plain_lines` gives, so that every
entry above the table is seen the same way by all of them. A LabVIEW file's preamble read as it
stands (its first line ``LabVIEW Measurement`` taken for a column header row) hid its entries
from the harmonic Hall reader: a preamplifier gain of 100 went unasked, the torques came out
100 times too large.
"""

from __future__ import annotations

from .labview_lvm import is_lvm, lvm_lines
from .multivu import is_multivu, multivu_lines

__all__ = ["plain_lines"]


def plain_lines(lines: list[str]) -> tuple[list[str], str] | None:
    """The lines of a file in a program's own layout as a plain table, and the note to give;
    None for any other file.

    Parameters
    ----------
    lines : list of str
        The file's lines (or its first complete lines).

    Returns
    -------
    (list of str, str) or None
        The lines, as many as given and each in its place (:func:`sotfit.io.multivu.multivu_lines`,
        :func:`sotfit.io.labview_lvm.lvm_lines`), and what was done to them.
    """
    if is_multivu(lines):
        return multivu_lines(lines)
    if is_lvm(lines):
        return lvm_lines(lines)
    return None
