"""Numbers with a Fortran ``D`` exponent (``-1.4229255D+03``, as a ``D`` edit descriptor
writes a double-precision value): read as the same number with ``E`` (:func:`with_e_exponents`).

No other program writes a ``D`` between a mantissa with a decimal point and its exponent, and
no parser reads one, so a file that holds such numbers is read with each ``D`` written ``E``,
with a note; only when nothing else reads the file, so that a file read today is never read
differently.
"""

from __future__ import annotations

import re

__all__ = ["holds_d_exponents", "with_e_exponents"]

#: A number with a decimal point and a ``D`` exponent, standing alone (not inside a word).
_D_NUMBER_RE = re.compile(r"(?<![\w.])([+-]?(?:\d+\.\d*|\.\d+))[dD]([+-]?\d+)(?![\w.])")


def holds_d_exponents(text: str) -> bool:
    """Whether ``text`` holds a number with a Fortran ``D`` exponent."""
    return _D_NUMBER_RE.search(text) is not None


def with_e_exponents(lines: list[str]):
    """The lines with the ``D`` of every Fortran double-precision number written ``E``, and
    the note; None when no line holds such a number.

    Parameters
    ----------
    lines : list of str
        The lines of the file.
    """
    text = "\n".join(lines)
    m = _D_NUMBER_RE.search(text)
    if m is None:
        return None
    first = text.count("\n", 0, m.start())
    out = _D_NUMBER_RE.sub(r"\1E\2", text).split("\n")
    return out, (f"numbers with Fortran D exponents (from line {first + 1}: "
                 f"{lines[first].strip()[:40]!r}) read as the same numbers with E")
