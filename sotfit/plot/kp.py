"""Figures of band-model torques: spin density and torque against mu, and maps."""

from __future__ import annotations

import numpy as np

from . import plt, save

__all__ = ["plot_spin_density", "plot_torque", "plot_map", "plot_chis", "plot_tmdc_curves",
           "plot_tmdc_maps"]

_C = ("x", "y", "z")


def plot_spin_density(res: dict, path=None, overwrite: bool = False):
    """S^oc (Fermi surface) and S^in (Fermi sea) components (1/nm^2, spin in hbar/2) against mu."""
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6), sharex=True)
    for ax, key, title in ((axes[0], "S_surface", "Fermi surface (intra-band)"),
                           (axes[1], "S_sea", "Fermi sea (inter-band)")):
        for i, c in enumerate(_C):
            ax.plot(res["mu"], res[key][:, i], label=f"$S_{c}$")
        ax.set_title(title)
        ax.set_xlabel("chemical potential (eV)")
        ax.axhline(0, color="0.7", lw=0.5)
    axes[0].set_ylabel(r"spin density ($\hbar/2$ nm$^{-2}$)")
    axes[0].legend()
    fig.tight_layout()
    return save(fig, path, overwrite=overwrite) if path else fig


def plot_torque(res: dict, path=None, overwrite: bool = False):
    """Torque components tau = J m x S (eV/nm^2) of both mechanisms against mu."""
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6), sharex=True)
    for ax, key, title in ((axes[0], "tau_surface", r"$\tau^{oc}$ (intra-band)"),
                           (axes[1], "tau_sea", r"$\tau^{in}$ (inter-band)")):
        for i, c in enumerate(_C):
            ax.plot(res["mu"], res[key][:, i] * 1e3, label=rf"$\tau_{c}$")
        ax.set_title(title)
        ax.set_xlabel("chemical potential (eV)")
        ax.axhline(0, color="0.7", lw=0.5)
    axes[0].set_ylabel(r"torque (meV nm$^{-2}$)")
    axes[0].legend()
    fig.tight_layout()
    return save(fig, path, overwrite=overwrite) if path else fig


def plot_map(mu, values, z, ylabel: str, title: str, path=None, overwrite: bool = False):
    """Colour map z[i_value, i_mu] against mu (eV) and a second parameter."""
    fig, ax = plt.subplots(figsize=(5.5, 4))
    lim = np.nanmax(np.abs(z)) or 1.0
    im = ax.pcolormesh(mu, values, z, shading="nearest", cmap="RdBu_r", vmin=-lim, vmax=lim)
    fig.colorbar(im, ax=ax, label=title)
    ax.set_xlabel("chemical potential (eV)")
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    return save(fig, path, overwrite=overwrite) if path else fig


def plot_chis(rows, path=None, overwrite: bool = False):
    """chi_FL, chi_DL, chi_par, chi_perp (1/(V nm)) and the fit residual against mu.

    ``rows``: columns mu, chi_fl, xi_fl, chi_dl, chi_par, chi_perp, residual (seed 001 eqs. 1-2).
    """
    rows = np.asarray(rows)
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6), sharex=True)
    mu = rows[:, 0]
    for j, lab in ((1, r"$\chi_{FL}$"), (3, r"$\chi_{DL}$"), (4, r"$\chi_\parallel$"), (5, r"$\chi_\perp$")):
        axes[0].plot(mu, rows[:, j], label=lab)
    axes[0].set_ylabel(r"$\chi$ (V$^{-1}$ nm$^{-1}$)")
    axes[0].legend()
    axes[1].semilogy(mu, np.maximum(rows[:, 6], 1e-16))
    axes[1].set_ylabel("residual of eqs. (1)-(2)")
    for ax in axes:
        ax.set_xlabel("chemical potential (eV)")
    fig.tight_layout()
    return save(fig, path, overwrite=overwrite) if path else fig


def plot_tmdc_curves(curves, path=None, overwrite: bool = False):
    """tau^oc_x and tau^in_x (meV/nm^2) against mu for several TMDC/CrI3 bilayers.

    The layout of seed 000_8a4db6caac2af419.txt Figs. 2(c) and 6: one panel per mechanism, a
    symmetric-log axis (the torques span many decades) and the band edges E_v, E_c of each curve
    as dotted lines. ``curves``: list of :class:`sotfit.models.kp.seed000.TorqueCurves`.
    """
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.9), sharex=True)
    for j, c in enumerate(curves):
        col = f"C{j}"
        for ax, y in ((axes[0], c.tau_oc), (axes[1], c.tau_in)):
            ax.plot(c.mu, y, color=col, label=c.label)
            for e in (c.e_v, c.e_c):
                ax.axvline(e, color=col, ls=":", lw=0.7)
    for ax, title, lin in ((axes[0], r"$\tau^{oc}_x$ (intra-band, field-like)", 1e-6),
                           (axes[1], r"$\tau^{in}_x$ (inter-band, damping-like)", 1e-9)):
        ax.set_yscale("symlog", linthresh=lin)
        ax.set_title(title)
        ax.set_xlabel("chemical potential (eV)")
        ax.axhline(0, color="0.7", lw=0.5)
    axes[0].set_ylabel(r"torque (meV nm$^{-2}$)")
    axes[0].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return save(fig, path, overwrite=overwrite) if path else fig


def _nearest(values, v):
    values = np.asarray(values)
    return int(np.argmin(np.abs(values - v)))


def plot_tmdc_maps(tmap, folder, gate: float = 0.0, twists_for_gate=(0.0, 10.16),
                   mus_for_twist_gate=(-1.5, -1.0, 0.9, 1.0), overwrite: bool = False):
    """Colour maps of seed 000_8a4db6caac2af419.txt Figs. 3-5 and 7-9 from a TorqueMap.

    Writes into ``folder``: ``twist_mu_{oc,in}.png`` at the gate nearest ``gate`` (Figs. 3, 7);
    with more than one gate, ``gate_mu_{oc,in}_twist{T}.png`` at the twists nearest
    ``twists_for_gate`` (Figs. 4, 8); with more than one twist and gate,
    ``twist_gate_{oc,in}_mu{MU}.png`` at the chemical potentials nearest ``mus_for_twist_gate``
    (Figs. 5, 9). Torques in meV/nm^2. Returns the list of written paths.
    """
    from pathlib import Path

    folder = Path(folder)
    written = []
    names = (("oc", tmap.tau_oc, r"$\tau^{oc}_x$ (meV nm$^{-2}$)"),
             ("in", tmap.tau_in, r"$\tau^{in}_x$ (meV nm$^{-2}$)"))
    ig = _nearest(tmap.gates, gate)
    if tmap.twists.size > 1:
        for key, z, lab in names:
            written.append(plot_map(tmap.mu, tmap.twists, z[:, ig, :], "twist angle (deg)",
                                    f"{lab}, gate {tmap.gates[ig]:g} V/nm",
                                    folder / f"twist_mu_{key}.png", overwrite=overwrite))
    if tmap.gates.size > 1:
        for t in sorted({_nearest(tmap.twists, t) for t in twists_for_gate}):
            for key, z, lab in names:
                written.append(plot_map(tmap.mu, tmap.gates, z[t, :, :], "gate field (V/nm)",
                                        f"{lab}, twist {tmap.twists[t]:g} deg",
                                        folder / f"gate_mu_{key}_twist{tmap.twists[t]:g}.png",
                                        overwrite=overwrite))
    if tmap.twists.size > 1 and tmap.gates.size > 1:
        for im in sorted({_nearest(tmap.mu, m) for m in mus_for_twist_gate}):
            for key, z, lab in names:
                fig, ax = plt.subplots(figsize=(5.5, 4))
                zz = z[:, :, im]
                lim = np.nanmax(np.abs(zz)) or 1.0
                pc = ax.pcolormesh(tmap.gates, tmap.twists, zz, shading="nearest", cmap="RdBu_r",
                                   vmin=-lim, vmax=lim)
                fig.colorbar(pc, ax=ax, label=f"{lab}, mu = {tmap.mu[im]:.3g} eV")
                if np.ptp(np.sign(tmap.b_v)) > 0:            # B_v = 0 line: sign change of p-doped tau
                    ax.contour(tmap.gates, tmap.twists, tmap.b_v, levels=[0.0], colors="k",
                               linewidths=0.8)
                ax.set_xlabel("gate field (V/nm)")
                ax.set_ylabel("twist angle (deg)")
                fig.tight_layout()
                written.append(save(fig, folder / f"twist_gate_{key}_mu{tmap.mu[im]:.3g}.png",
                                    overwrite=overwrite))
    return written
