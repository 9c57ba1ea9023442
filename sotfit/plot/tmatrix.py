"""Figures of the T-matrix torque theory (like seed 002_acb2a8e60c4cb8a9.txt Figs. 3-4).

Functions take the arrays of :func:`sotfit.models.tmatrix.batch.efficiency_map` (or any
dict with the same keys) and return a matplotlib Figure; save with :func:`sotfit.plot.save`.
"""

from __future__ import annotations

import numpy as np

from . import plt

__all__ = ["energy_sweep_figure", "angle_sweep_figure", "map_figure"]


def _csc(res, velocity):
    """theta_ab = -2 e v K_J (e < 0), dimensionless, shape (..., 3, 2)."""
    from scipy import constants as c

    return 2 * c.e * velocity * np.asarray(res["K_J"])


def energy_sweep_figure(res, velocity=5e4, title=None, gap_edge_mev=None):
    """Charge-to-spin efficiencies against Fermi energy (seed 002 Fig. 3).

    Parameters
    ----------
    res : dict
        ``efficiency_map`` output with one angle (``K_J`` of shape (NE, 1, 3, 2)) or
        (NE, 3, 2); ``energies`` in eV.
    velocity : float
        ``v`` of ``theta = -2 e v K_J``, m/s.
    gap_edge_mev : float, optional
        Draws the spin-gap edge.

    Returns
    -------
    matplotlib.figure.Figure
    """
    th = _csc(res, velocity).reshape(-1, 3, 2)
    e = 1e3 * np.asarray(res["energies"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6))
    ax1.plot(e, th[:, 0, 1], color="tab:red", label=r"$\theta_{xy}$ (FL)")
    ax1.plot(e, -th[:, 1, 0], color="tab:red", ls="--", label=r"$-\theta_{yx}$ (FL)")
    ax1.plot(e, th[:, 2, 1], color="tab:green", label=r"$\theta_{zy}$ (FL)")
    ax1.set_xlabel("Fermi energy (meV)")
    ax1.set_ylabel("CSC efficiency")
    ax1.legend(fontsize=8)
    ratio = th[:, 0, 0] / th[:, 0, 1]
    ax2.plot(e, 100 * ratio, color="tab:blue", label=r"$\theta_{xx}/\theta_{xy}$ (DL/FL)")
    if "K" in res:  # the same with K_J = K / sigma_xx (seed 002's normalisation)
        k = np.asarray(res["K"]).reshape(-1, 3, 2)
        ax2.plot(e, 100 * k[:, 0, 0] / k[:, 0, 1], color="tab:blue", ls="--",
                 label=r"$K_{xx}/K_{xy}$ ($K_J = K/\sigma_{xx}$)")
    ax2.set_xlabel("Fermi energy (meV)")
    ax2.set_ylabel("DL / FL (%)")
    ax2.legend(fontsize=8)
    if gap_edge_mev is not None:
        for ax in (ax1, ax2):
            ax.axvline(gap_edge_mev, color="0.6", lw=0.8, ls=":")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def angle_sweep_figure(res, title=None, critical_deg=None):
    """Torque efficiencies against magnetisation angle (seed 002 Fig. 4).

    ``tau_1^o`` (field-like, left axis) and ``|tau_1^e|, |tau_2^e|`` (damping-like, right
    axis) in 1/(A m); ``thetas`` in rad.
    """
    th = np.degrees(np.asarray(res["thetas"]))
    t1o = np.asarray(res["tau1_o"]).reshape(-1)
    t1e = np.asarray(res["tau1_e"]).reshape(-1)
    t2e = np.asarray(res["tau2_e"]).reshape(-1)
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ax.plot(th, t1o, color="tab:red", label=r"$\tau_1^o$ (FL)")
    ax.set_xlabel(r"magnetisation angle $\theta$ (deg)")
    ax.set_ylabel(r"$\tau_1^o$ (A$^{-1}$ m$^{-1}$)", color="tab:red")
    ax2 = ax.twinx()
    ax2.plot(th, np.abs(t1e), color="tab:blue", label=r"$|\tau_1^e|$ (DL)")
    ax2.plot(th, np.abs(t2e), color="tab:blue", ls="--", label=r"$|\tau_2^e|$ (DL)")
    ax2.set_ylabel(r"$|\tau^e|$ (A$^{-1}$ m$^{-1}$)", color="tab:blue")
    ax2.legend(fontsize=8, loc="upper left")
    if critical_deg is not None and np.isfinite(critical_deg):
        for x in (critical_deg, 180 - critical_deg):
            ax.axvline(x, color="0.6", lw=0.8, ls=":")
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def map_figure(res, quantity="dl_fl_ratio", title=None, band_edges_mev=None):
    """Maps over (magnetisation angle, Fermi energy): field-like efficiency and DL/FL ratio.

    The two panels are the map versions of seed 002 Figs. 3-4: ``tau_1^o`` (field-like,
    1/(A m)) and ``tau_1^e/tau_1^o`` (damping-like over field-like; or the efficiency named
    by ``quantity``). Points beyond the dilute limit (NaN) are left blank.

    Parameters
    ----------
    res : dict
        :func:`sotfit.models.tmatrix.batch.efficiency_map` output (``energies`` in eV,
        ``thetas`` in rad, efficiencies of shape (NE, NT)).
    quantity : str
        ``'dl_fl_ratio'`` or one of ``'tau1_e', 'tau2_e', 'tau2_o'`` for the right panel.
    band_edges_mev : (NT, 2) array_like, optional
        Bottoms of the lower and upper bands at each angle, meV: drawn as lines; the upper
        one is the spin-gap edge where the efficiencies jump (Fig. 3a, the critical angle
        of Fig. 4a).

    Returns
    -------
    matplotlib.figure.Figure
    """
    e = 1e3 * np.asarray(res["energies"])
    th = np.degrees(np.asarray(res["thetas"]))
    if quantity == "dl_fl_ratio":
        z = np.asarray(res["tau1_e"]) / np.asarray(res["tau1_o"])
        label = r"DL/FL  $\tau_1^e/\tau_1^o$"
    else:
        z = np.asarray(res[quantity])
        label = quantity + r" (A$^{-1}$ m$^{-1}$)"
    fl = np.asarray(res["tau1_o"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    vmax = np.nanmax(np.abs(fl)) if np.any(np.isfinite(fl)) else 1.0
    im1 = ax1.pcolormesh(th, e, fl, shading="auto", cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    fig.colorbar(im1, ax=ax1, label=r"FL  $\tau_1^o$ (A$^{-1}$ m$^{-1}$)")
    lim = np.nanmax(np.abs(z)) if np.any(np.isfinite(z)) else 1.0
    im2 = ax2.pcolormesh(th, e, z, shading="auto", cmap="RdBu_r", vmin=-lim, vmax=lim)
    fig.colorbar(im2, ax=ax2, label=label)
    ax1.set_ylabel("Fermi energy (meV)")
    for ax in (ax1, ax2):
        ax.set_xlabel(r"magnetisation angle $\theta$ (deg)")
        if band_edges_mev is not None:
            edges = np.asarray(band_edges_mev)
            ax.plot(th, edges[:, 1], color="k", lw=0.9, ls="--", label="upper band bottom")
            ax.plot(th, edges[:, 0], color="k", lw=0.9, ls=":", label="lower band bottom")
            ax.set_ylim(e.min() - 0.5 * np.ptp(e) / max(e.size - 1, 1),
                        e.max() + 0.5 * np.ptp(e) / max(e.size - 1, 1))
    if band_edges_mev is not None:
        ax2.legend(fontsize=7, loc="upper right")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
