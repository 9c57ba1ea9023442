"""Figures of theory against a measured torque ratio (``sotfit theory compare``)."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm

from . import plt

__all__ = ["ratio_region"]


def ratio_region(x, y, theory, z, measured, names, units, signed=False, title=None):
    """The theory FL/DL ratio over two parameters with the region consistent with a measurement.

    Parameters
    ----------
    x : array_like, shape (nx,)
        First parameter (the model's own axis).
    y : array_like or None, shape (ny,)
        Second parameter; ``None`` draws the ratio against x with the measured band.
    theory : ndarray, shape (nx, ny)
        Theory ratio (dimensionless).
    z : ndarray, shape (nx, ny)
        (theory - measured) / sigma.
    measured : sotfit.analysis.theory_compare.MeasuredRatio
    names, units : (str, str)
    signed : bool
        Whether signed values were compared (else magnitudes are drawn).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    th = np.asarray(theory, float)
    r, s = measured.value, measured.stderr
    if not signed:
        th, r = np.abs(th), abs(r)
    xl = f"{names[0]} ({units[0]})" if units[0] else names[0]
    what = "FL/DL" if signed else "|FL/DL|"
    if y is None:
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(x, th[:, 0], "-", color="C0", label=f"theory {what}")
        ax.axhspan(r - 2 * s, r + 2 * s, color="C1", alpha=0.15, label="measured, 2 sigma")
        ax.axhspan(r - s, r + s, color="C1", alpha=0.3, label="measured, 1 sigma")
        ax.axhline(r, color="C1", lw=1)
        ax.set_xlabel(xl)
        ax.set_ylabel(what)
        ax.legend(fontsize=8)
    else:
        fig, ax = plt.subplots(figsize=(6.2, 4.6))
        pos = th[np.isfinite(th) & (th > 0)]
        if not signed and pos.size and pos.max() / max(pos.min(), 1e-300) > 30:
            norm, cmap = LogNorm(vmin=pos.min(), vmax=pos.max()), "viridis"
        else:
            lim = np.nanmax(np.abs(th)) if np.isfinite(th).any() else 1.0
            norm, cmap = None, "RdBu_r" if signed else "viridis"
            if signed:
                from matplotlib.colors import Normalize

                norm = Normalize(-lim, lim)
        mesh = ax.pcolormesh(x, y, th.T, shading="auto", norm=norm, cmap=cmap)
        fig.colorbar(mesh, ax=ax, label=f"theory {what}")
        az = np.abs(np.asarray(z, float))
        if np.isfinite(az).any() and np.nanmin(az) <= 2 and az.shape[0] > 1 and az.shape[1] > 1:
            ax.contourf(x, y, az.T, levels=[0, 1, 2], colors=["r", "orange"], alpha=0.35)
            cs = ax.contour(x, y, az.T, levels=[1, 2], colors=["r", "orange"], linewidths=1.4)
            ax.clabel(cs, fmt={1: "1 sigma", 2: "2 sigma"}, fontsize=7)
        ax.set_xlabel(xl)
        ax.set_ylabel(f"{names[1]} ({units[1]})" if units[1] else names[1])
    ax.set_title((title + "\n" if title else "")
                 + f"measured {what} = {r:.3g} +/- {s:.2g}", fontsize=8)
    fig.tight_layout()
    return fig
