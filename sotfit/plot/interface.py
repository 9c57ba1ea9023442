"""Figures of the microscopic mixing conductance (seed 003_010c0338986411e7.txt, Fig. 4b,c)."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm

from . import plt

__all__ = ["log_spaced", "ratio_map", "re_g_vs_delta_t", "re_im_maps"]


def log_spaced(values) -> bool:
    """Whether a grid axis is spaced logarithmically (``log:START:STOP:N`` of
    ``theory interface --map``): at least 3 positive values in a constant ratio, their
    differences not constant.

    Parameters
    ----------
    values : array_like
        The axis, in any unit.

    Returns
    -------
    bool
    """
    v = np.asarray(values, float)
    if v.size < 3 or not np.all(v > 0):
        return False
    steps = np.diff(v)
    return bool(np.allclose(v[1:] / v[:-1], v[1] / v[0], rtol=1e-9)
                and not np.allclose(steps, steps[0], rtol=1e-6))


def _cell_edges(values, log: bool) -> np.ndarray:
    """Edges of the cells about the points of an axis: midpoints between neighbours, in the
    logarithm for a logarithmic axis (arithmetic midpoints, as ``shading='auto'`` takes, put
    the small-J cells of a log grid off their points)."""
    v = np.asarray(values, float)
    w = np.log(v) if log else v
    mid = (w[1:] + w[:-1]) / 2
    edges = np.concatenate([[2 * w[0] - mid[0]], mid, [2 * w[-1] - mid[-1]]])
    return np.exp(edges) if log else edges


def _log_axes(ax, x, y, log_scale: bool):
    """Cell edges of a map over (x, y), each logarithmically spaced axis (:func:`log_spaced`)
    set on a log scale when ``log_scale``; None without such an axis (the points themselves
    then, shading 'auto')."""
    logs = [log_scale and log_spaced(x), log_scale and log_spaced(y)]
    if logs[0]:
        ax.set_xscale("log")
    if logs[1]:
        ax.set_yscale("log")
    if not any(logs):
        return None
    return _cell_edges(x, logs[0]), _cell_edges(y, logs[1])


def ratio_map(delta_t, J, g_mix, ax=None, title=None, log_scale=False):
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
    log_scale : bool
        Draw an axis spaced logarithmically (:func:`log_spaced`) on a logarithmic scale (a
        ``J=log:...`` grid drawn linearly squeezed its small-J half into the bottom cells).

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
    edges = _log_axes(ax, delta_t, J, log_scale)
    mesh = ax.pcolormesh(*(edges or (np.asarray(delta_t), np.asarray(J))), ratio.T, norm=norm,
                         shading="flat" if edges else "auto", cmap="viridis")
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


def re_im_maps(x, y, g, x_label, y_label, unit="1e13 Ohm^-1 m^-2", log_scale=False):
    """Side-by-side maps of Re G and Im G on any grid (e.g. u0, u_ex of the delta barrier); with
    ``log_scale`` an axis spaced logarithmically is drawn on a logarithmic scale (as
    :func:`ratio_map`)."""
    g = np.asarray(g)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, part, name in ((axes[0], g.real, "Re G"), (axes[1], g.imag, "Im G")):
        edges = _log_axes(ax, x, y, log_scale)
        mesh = ax.pcolormesh(*(edges or (np.asarray(x), np.asarray(y))), part.T,
                             shading="flat" if edges else "auto",
                             cmap="RdBu_r" if name == "Im G" else "viridis")
        fig.colorbar(mesh, ax=ax, label=f"{name} ({unit})")
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
    return fig


def identifiability_figure(problem, profiles, post=None, max_draws=1500):
    """The fit of every interface in the plane of its two microscopic parameters.

    One column per interface and sign of the second parameter (J or u_ex) that the 95 %
    region reaches; top row the whole allowed range, bottom row the finer grid around the
    95 % region. Each panel: the |Im G/Re G| map of the model (seed 003 Fig. 4b,
    :func:`ratio_map`) with the 68 % and 95 % contours of the profile chi-square
    (Delta chi^2 = 2.30, 6.18; :func:`sotfit.analysis.microscopic.profile_plane`), the
    least-squares point and, with a posterior, its draws.

    Parameters
    ----------
    problem : sotfit.analysis.thickness.ThicknessProblem
        A problem with a microscopic mechanism.
    profiles : sequence of ProfilePlane
        One per interface.
    post : PosteriorResult, optional
    max_draws : int
        Posterior draws drawn at most per panel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..analysis.microscopic import DELTA_CHI2_68, DELTA_CHI2_95

    columns = []
    for k, pr in enumerate(profiles):
        if pr is None:          # a parameter of the plane held fixed
            continue
        signs = []
        for sgn in (1.0, -1.0):
            if any(np.any((pl.delta_chi2 < DELTA_CHI2_95)[:, np.sign(pl.b) == sgn])
                   for pl in (pr, pr.coarse) if pl is not None):
                signs.append(sgn)
        if not signs:
            signs = [1.0 if not np.isfinite(pr.best[1]) or pr.best[1] >= 0 else -1.0]
        columns.extend((k, sgn) for sgn in signs)
    n = len(columns)
    if n == 0:
        fig, ax = plt.subplots(figsize=(5, 2))
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no plane to profile (a parameter is fixed)", ha="center")
        return fig
    fig, axes = plt.subplots(2, n, figsize=(5.0 * n, 8.0), squeeze=False)
    for col, (k, sgn) in enumerate(columns):
        pr = profiles[k]
        for row, pl in enumerate((pr.coarse or pr, pr)):
            ax = axes[row, col]
            cols = np.sign(pl.b) == sgn
            if not cols.any():
                ax.set_axis_off()
                continue
            b = np.abs(pl.b[cols])
            order = np.argsort(b)
            b = b[order]
            g = pl.g[:, cols][:, order]
            d = pl.delta_chi2[:, cols][:, order]
            ratio_map(pl.a, b, g, ax=ax)
            if np.nanmin(d) < DELTA_CHI2_95 and d.shape[0] > 1 and d.shape[1] > 1:
                cs = ax.contour(pl.a, b, d.T, levels=[DELTA_CHI2_68, DELTA_CHI2_95],
                                colors=["r", "orange"], linewidths=[1.6, 1.0])
                ax.clabel(cs, fmt={DELTA_CHI2_68: "68 %", DELTA_CHI2_95: "95 %"}, fontsize=7)
            if post is not None:
                na, nb = (problem.interface_params[k][p] for p in pr.names)
                xa, xb = np.asarray(post.samples[na]), np.asarray(post.samples[nb])
                sel = (np.sign(xb) == sgn) & (xa >= pl.a.min()) & (xa <= pl.a.max()) & \
                    (np.abs(xb) >= b.min()) & (np.abs(xb) <= b.max())
                step = max(1, int(sel.sum() // max_draws))
                ax.plot(xa[sel][::step], np.abs(xb[sel][::step]), ".", ms=1.5, color="k",
                        alpha=0.4, label="posterior draws")
            if np.isfinite(pr.best[1]) and np.sign(pr.best[1]) == sgn:
                ax.plot(pr.best[0], abs(pr.best[1]), "*", color="r", ms=11, mec="w",
                        label="least squares")
            ax.set_yscale("log")
            ua, ub = (f" ({u})" if u else "" for u in pr.units)
            ax.set_xlabel(f"{pr.stable[0]}{ua}")
            ax.set_ylabel(f"{pr.stable[1]}{ub}" if sgn > 0 else f"-{pr.stable[1]}{ub}")
            lab = pr.label if len(pr.label) <= 30 else pr.label[:28] + "..."
            where = "whole range" if row == 0 else "around the 95 % region"
            ax.set_title(f"{lab} ({pr.stable[1]} {'>' if sgn > 0 else '<'} 0), {where}",
                         fontsize=8)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig
