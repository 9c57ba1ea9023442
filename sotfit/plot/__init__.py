"""Figures. The only part of sotfit that imports matplotlib.

One submodule per area (``sotfit.plot.stfmr``, ...); this module holds the
shared pieces: a non-interactive backend and a save function that never
overwrites silently.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

if matplotlib.get_backend().lower() not in {"agg", "pdf", "svg"} and not matplotlib.is_interactive():
    matplotlib.use("Agg", force=False)

import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["plt", "save"]


def save(fig, path, overwrite: bool = False, dpi: int = 150) -> Path:
    """Save ``fig`` to ``path`` and close it; refuses to replace a file unless ``overwrite``."""
    p = Path(path)
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p} exists; pass overwrite=True to replace it")
    p.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(p, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return p
