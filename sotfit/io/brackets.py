"""Splitting text at a delimiter outside round and square brackets."""

from __future__ import annotations


def split_outside_brackets(text: str, delimiter: str = ",") -> list[str]:
    """The parts of ``text`` between the ``delimiter`` characters that stand outside round and
    square brackets (``'Field (mT), Vmix (uV, lock-in X)'`` at ``','``: ``'Field (mT)'`` and
    ``' Vmix (uV, lock-in X)'``), unstripped. A bracket that never closes keeps its depth to
    the end: the delimiters after it split nothing.

    Parameters
    ----------
    text : str
        The text to split.
    delimiter : str
        One character.

    Returns
    -------
    list of str
        The parts, at least one.
    """
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch == delimiter and depth == 0:
            parts.append(text[start:k])
            start = k + 1
    parts.append(text[start:])
    return parts
