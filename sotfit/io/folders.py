"""What a folder given as input holds besides the files that are read: the hint of the error
when it holds none (:func:`subfolders_hint`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

__all__ = ["subfolders_hint"]


def subfolders_hint(folder: Path, holds_data: Callable[[Path], bool]) -> str:
    """``'; its subfolders are not searched: ...'`` naming the subfolders of ``folder`` that
    hold data files (``holds_data(subfolder)``) and how to give them, or ``''``.

    A folder is read without its subfolders, which often hold one sample or device each: their
    spectra are not one sample's, so they are named for the user to give one at a time.
    """
    subs = sorted((q for q in folder.iterdir() if q.is_dir() and holds_data(q)),
                  key=lambda q: q.name)
    if not subs:
        return ""
    names = ", ".join(q.name for q in subs[:5]) + (", ..." if len(subs) > 5 else "")
    return (f"; its subfolders are not searched: {len(subs)} of them hold data files ({names}); "
            f"give the folder of one sample, e.g. {folder / subs[0].name}")
