"""Figures of the harmonic Hall analysis: data, fit, and each separated contribution."""

from __future__ import annotations

import numpy as np

from . import plt

__all__ = ["plot_avci", "plot_hayashi", "plot_angular", "plot_macrospin"]


def _finish(ax, xlabel, ylabel):
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)


def _colours(n: int) -> list:
    """``n`` colours that differ from each other (matplotlib's cycle repeats after 10: two
    rotations of a set of 11 or more had one colour)."""
    if n <= 10:
        return [f"C{i}" for i in range(n)]
    cmap = plt.get_cmap("turbo")
    return [cmap(v) for v in np.linspace(0.0, 1.0, n)]


def plot_avci(result, scans):
    """Per-field R_2w(phi) with its cos and (2cos^3 - cos) parts; a_cos(H) and a_fl(H) with fits."""
    figs = {}
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    phi0 = result.quantities["phi0"].nominal_value
    fitted = [s for s in scans if result.fits.get(f"r2w:{s.source}") is not None]
    for s, color in zip(fitted, _colours(len(fitted))):
        r2 = result.fits[f"r2w:{s.source}"]
        x = np.linspace(0, 360, 361)
        c = np.cos(np.radians(x - phi0))
        axes[0].plot(s.r2w.x, s.r2w.y * 1e3, ".", ms=2, color=color)
        axes[0].plot(x, r2.evaluate(x) * 1e3, "-", color=color, lw=0.8,
                     label=f"{s.meta['field'] * 1e3:.4g} mT")
        axes[1].plot(x, r2.value("a_cos") * c * 1e3, "-", color=color, lw=0.8)
        axes[1].plot(x, r2.value("a_fl") * (2 * c ** 3 - c) * 1e3, "--", color=color, lw=0.8)
    _finish(axes[0], "phi (deg)", "R_2w (mOhm)")
    axes[1].set_title("cos (DL + thermal, solid) and 2cos^3 - cos (FL + Oe, dashed)", fontsize=8)
    axes[1].set_xlabel("phi (deg)")
    axes[1].set_ylabel("part of R_2w (mOhm)")
    figs["avci_r2w"] = fig
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for ax, key, ylab in ((axes[0], "a_cos(H)", "a_cos (mOhm)"), (axes[1], "a_fl(H)", "a_fl (mOhm)")):
        f = result.fits.get(key)
        if f is None:
            continue
        d = f.datasets[0]
        ax.errorbar(d.x * 1e3, d.y * 1e3, d.yerr * 1e3, fmt="o", ms=3, label="per-field fits")
        xx = np.linspace(d.x.min(), d.x.max(), 200)
        ax.plot(xx * 1e3, f.evaluate(xx) * 1e3, "-", label="fit")
        _finish(ax, "mu0 H (mT)", ylab)
    for e in result.excluded:
        axes[1].axvline(e["field"] * 1e3, color="0.8", lw=0.8)
    figs["avci_fields"] = fig
    return figs


def plot_hayashi(result, scans):
    """Each sweep: R_1w and R_2w against field with the small-field polynomials."""
    fig, axes = plt.subplots(2, 1, figsize=(6, 6), sharex=True)
    for s in scans:
        for ax, key, d in ((axes[0], "r1w", s.r1w), (axes[1], "r2w", s.r2w)):
            f = result.fits.get(f"{key}:{s.source}")
            line, = ax.plot(d.x * 1e3, d.y * 1e3, ".", ms=3,
                            label=f"phi_h={s.meta.get('phi_h', 0):.0f}, m_z={s.meta.get('mz_state', 0):+d}")
            if f is not None:
                xx = np.linspace(f.datasets[0].x.min(), f.datasets[0].x.max(), 100)
                ax.plot(xx * 1e3, f.evaluate(xx) * 1e3, "-", color=line.get_color(), lw=0.8)
    axes[0].set_ylabel("R_1w (mOhm)")
    _finish(axes[1], "mu0 H (mT)", "R_2w (mOhm)")
    return {"hayashi_sweeps": fig}


def plot_angular(result, scans):
    """R_2w against sin(theta_M) near the poles with the per-field lines; slopes against field."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for s in scans:
        f = result.fits.get(f"r2w:{s.source}")
        if f is None:
            continue
        d = f.datasets[0]
        line, = axes[0].plot(d.x, d.y * 1e3, ".", ms=3, label=f"{s.meta['field']:.3g} T")
        xx = np.linspace(d.x.min(), d.x.max(), 50)
        axes[0].plot(xx, f.evaluate(xx) * 1e3, "-", color=line.get_color(), lw=0.8)
    _finish(axes[0], "sin(theta_M)", "R_2w (mOhm)")
    f = result.fits.get("slope(H)")
    if f is not None:
        d = f.datasets[0]
        axes[1].errorbar(d.x, d.y * 1e3, d.yerr * 1e3, fmt="o", ms=3, label="slopes")
        xx = np.linspace(d.x.min(), d.x.max(), 100)
        axes[1].plot(xx, f.evaluate(xx) * 1e3, "-", label="torque/(H+H_K) - r_ane")
        _finish(axes[1], "mu0 H (T)", "dR_2w/d sin(theta_M) (mOhm)")
    return {"angular": fig}


def plot_macrospin(result, scans):
    """Every scan: data and global fit for both harmonics, and the separated R_2w contributions."""
    from ..models.harmonic_hall import hall_harmonics, scan_fields

    fit = result.fits["global"]
    # curve k of the fit is harmonic h of scan i (a second harmonic not recorded is not fitted)
    where = {ih: k for k, ih in enumerate(result.fits.get("curves", [(i, h) for i in range(len(scans))
                                                                      for h in (1, 2)]))}
    figs = {}
    for i, s in enumerate(scans):
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
        for j, ax in enumerate(axes):
            k = where.get((i, j + 1))
            if k is None:
                ax.set_title(f"{s.source.split('/')[-1]}: R_{j + 1}w not recorded (not fitted)", fontsize=8)
                continue
            d = fit.datasets[k]
            scale = 1e3
            ax.plot(d.x, d.y * scale, ".", ms=2, label="data")
            ax.plot(d.x, fit.evaluate(i=k) * scale, "-", lw=0.8, label="global fit")
            ax.set_title(f"{s.source.split('/')[-1]}: R_{j + 1}w", fontsize=8)
            if j == 1:
                p = fit.dataset_params(k)
                meta = d.meta
                b = scan_fields(d.x, s.scan, field=meta.get("field"), theta_h=meta.get("theta_h", 90.0),
                                phi_h=meta.get("phi_h", 0.0), phi0=p["phi0"], theta0=p["theta0"],
                                tilt_x=p["tilt_x"], tilt_y=p["tilt_y"])
                st = meta.get("mz_state", 0)
                _, _, parts = hall_harmonics(b, p["r_ahe"], p["r_phe"], p["mu0_hk"], p["mu0_h_dl"],
                                             p["mu0_h_fl"], p["r_ane"], p["r_one"], p["r_ohe"],
                                             p["mu0_h_ip"], p["ip_axis"],
                                             state=None if st == 0 else np.full(len(b), np.sign(st)),
                                             parts=True)
                for name, lab in (("dl", "damping-like"), ("fl", "field-like + Oe"), ("ane", "anomalous Nernst"),
                                  ("one", "ordinary Nernst")):
                    if np.any(parts[name] != 0):
                        ax.plot(d.x, parts[name] * scale, "--", lw=0.7, label=lab)
            _finish(ax, f"{d.x_name} ({d.x_unit})", "mOhm")
        figs[f"macrospin_{i:02d}"] = fig
    return figs
