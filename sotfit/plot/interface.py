"""Figures of the microscopic mixing conductance (seed 003_010c0338986411e7.txt, Fig. 4b,c)."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm

from . import plt

__all__ = ["ratio_map", "re_g_vs_delta_t", "re_im_maps"]


def ratio_map(delta_t, J, g_mix, ax=None, title=None):
    """|Im G / Re G| over (delta t, J) as in seed 003 Fig. 4b.

    Parameters
    ----------
    delta_t : array_like, shape (n,)
        Spin-independent hopping change (eV or units of t0, as labelled by the caller).
    J : array_like, shape (m,)
        Exchange (same unit).
    g_mix : array_like complex, shape (n, m)
        Mixing conductance on the grid (any unit: the ratio is dimensionless).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Figure
    """
    g = np.asarray(g_mix)
    ratio = np.abs(g.imag / g.real)
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 4))
    else:
        fig = ax.figure
    pos = ratio[np.isfinite(ratio) & (ratio > 0)]
    norm = LogNorm(vmin=max(pos.min(), 1e-3), vmax=pos.max()) if pos.size else None
    mesh = ax.pcolormesh(np.asarray(delta_t), np.asarray(J), ratio.T, norm=norm, shading="auto",
                         cmap="viridis")
    cs = ax.contour(np.asarray(delta_t), np.asarray(J), ratio.T, levels=[1.0, 10.0],
                    colors="w", linewidths=0.8)
    ax.clabel(cs, fmt={1.0: "1", 10.0: "10"}, fontsize=8)
    fig.colorbar(mesh, ax=ax, label="|Im G / Re G|")
    ax.set_xlabel("delta t = t0 - t_m (eV)")
    ax.set_ylabel("J (eV)")
    ax.set_title(title or "Im/Re of the mixing conductance")
    return fig


def re_g_vs_delta_t(delta_t, J, re_g, n_curves=5, ax=None, unit="1e13 Ohm^-1 m^-2"):
    """Re G against delta t for a few J (seed 003 Fig. 4c), logarithmic axis.

    Parameters
    ----------
    delta_t : array_like, shape (n,)
    J : array_like, shape (m,)
    re_g : array_like, shape (n, m)
        Re G in ``unit``.
    n_curves : int
        Number of J values drawn (evenly picked from ``J``).
    ax : matplotlib Axes, optional
    unit : str
        Label of the Re G axis.

    Returns
    -------
    matplotlib Figure
    """
    re_g = np.asarray(re_g)
    J = np.asarray(J)
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 4))
    else:
        fig = ax.figure
    idx = np.unique(np.linspace(0, J.size - 1, min(n_curves, J.size)).round().astype(int))
    for j in idx:
        ax.semilogy(delta_t, re_g[:, j], label=f"J = {J[j]:.3g} eV")
    ax.set_xlabel("delta t = t0 - t_m (eV)")
    ax.set_ylabel(f"Re G ({unit})")
    ax.legend(fontsize=8)
    return fig


def re_im_maps(x, y, g, x_label, y_label, unit="1e13 Ohm^-1 m^-2"):
    """Side-by-side maps of Re G and Im G on any grid (e.g. u0, u_ex of the delta barrier)."""
    g = np.asarray(g)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, part, name in ((axes[0], g.real, "Re G"), (axes[1], g.imag, "Im G")):
        mesh = ax.pcolormesh(np.asarray(x), np.asarray(y), part.T, shading="auto", cmap="RdBu_r"
                             if name == "Im G" else "viridis")
        fig.colorbar(mesh, ax=ax, label=f"{name} ({unit})")
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
    return fig
