"""ST-FMR figures: spectra with their symmetric and antisymmetric parts, Kittel, linewidth, angle."""

from __future__ import annotations

from itertools import cycle

import numpy as np

from . import plt, save
from ..models.lineshapes import linear_basis

#: Colours of the components a lineshape draws under its fit (LinearBasis.parts), in order.
_PART_COLOURS = ("tab:red", "tab:blue", "tab:green", "tab:purple")

__all__ = ["plot_spectrum", "plot_kittel", "plot_linewidth", "plot_overview", "plot_angle"]


def plot_spectrum(spectrum, path=None, overwrite: bool = False):
    """Data, fit and the V_s L_sym and V_a L_asym parts of each branch of one spectrum.

    Parameters
    ----------
    spectrum : sotfit.analysis.stfmr_spectra.SpectrumFit
    path : path-like, optional
        Save there (and close); otherwise return the figure.
    """
    n = len(spectrum.branches)
    fig, axes = plt.subplots(1, n, figsize=(4.8 * n, 3.6), squeeze=False)
    for ax, r in zip(axes[0], spectrum.branches):
        _draw_branch(ax, r, spectrum.frequency)
    fig.suptitle(spectrum.source, fontsize=8)
    fig.tight_layout()
    return save(fig, path, overwrite) if path else fig


def _draw_branch(ax, r, frequency):
    """One branch fit: data, fit and its V_s L_sym and V_a L_asym parts, on ``ax``."""
    d = r.datasets[0]
    p = r.meta["polarity"]
    hh = np.linspace(d.x.min(), d.x.max(), 600)
    v = r.values
    ax.plot(d.x * 1e3, d.y, ".", ms=3, color="0.4", label="data")
    ax.plot(hh * 1e3, r.evaluate(hh), "-", color="k", lw=1.2, label="fit")
    draw = linear_basis(r.models[0]).parts
    for (label, part), colour in zip(draw(hh, v) if draw else (), cycle(_PART_COLOURS)):
        ax.plot(hh * 1e3, part, "--", color=colour, label=label)
    ax.set_xlabel("|mu0 H| (mT)")
    ax.set_ylabel("V_mix (uV)")
    ax.set_title(f"{'+' if p > 0 else '-'}H branch, {frequency:g} GHz", fontsize=9)
    ax.legend(fontsize=7)


def _series(spectra, key):
    f = np.array([s.frequency for s in spectra])
    y = np.array([s.combined[key].nominal_value for s in spectra])
    e = np.array([s.combined[key].std_dev for s in spectra])
    return f, y, e


def plot_kittel(analysis, path=None, overwrite: bool = False):
    """Resonance field against frequency with the sequential and global Kittel curves."""
    fig, ax = plt.subplots(figsize=(4.8, 3.6))
    _draw_kittel(ax, analysis)
    fig.tight_layout()
    return save(fig, path, overwrite) if path else fig


def _draw_vs_frequency(ax, analysis, key, label, grid, sequential, global_curve, ylabel):
    """One quantity of the spectra against frequency with its sequential and global fits.

    Parameters
    ----------
    ax : matplotlib Axes
    analysis : sotfit.analysis.stfmr.STFMRAnalysis
    key : str
        The combined quantity of each spectrum, in T (drawn in mT).
    label : str
        Legend of the points.
    grid : callable
        ``grid(f)``: the frequencies (GHz) of the curves from those of the spectra.
    sequential : tuple
        ``(fit, label)``: the sequential fit (or None) of the quantity against frequency.
    global_curve : callable
        ``global_curve(ff, values)``: the quantity in T from the global fit's nominal values.
    ylabel : str
        Label of the y axis.
    """
    f, y, e = _series(analysis.spectra, key)
    ax.errorbar(f, y * 1e3, e * 1e3, fmt="o", ms=4, label=label)
    ff = grid(f)
    fit, fit_label = sequential
    if fit is not None:
        ax.plot(ff, fit.evaluate(ff) * 1e3, "-", label=fit_label)
    if analysis.global_values:
        g = {k: getattr(v, "nominal_value", v) for k, v in analysis.global_values.items()}
        ax.plot(ff, global_curve(ff, g) * 1e3, "--", label="global fit")
    ax.set_xlabel("frequency (GHz)")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)


def _draw_kittel(ax, analysis):
    from ..models.magnetization import resonance_field_inplane, resonance_field_outofplane

    def kittel(ff, g):
        if analysis.geometry == "inplane":
            return resonance_field_inplane(ff, g["meff"], g["gyromagnetic_ratio"], g.get("h_k", 0.0))
        return resonance_field_outofplane(ff, g["meff"], g["gyromagnetic_ratio"])

    _draw_vs_frequency(ax, analysis, "h_res", "spectra (branch mean)",
                       lambda f: np.linspace(0.9 * f.min(), 1.05 * f.max(), 200),
                       (analysis.kittel, "Kittel (sequential)"), kittel, "mu0 H_res (mT)")


def plot_linewidth(analysis, path=None, overwrite: bool = False):
    """HWHM against frequency with the sequential and global Gilbert lines."""
    fig, ax = plt.subplots(figsize=(4.8, 3.6))
    _draw_linewidth(ax, analysis)
    fig.tight_layout()
    return save(fig, path, overwrite) if path else fig


def _draw_linewidth(ax, analysis):
    from ..models.magnetization import linewidth_hwhm

    def gilbert(ff, g):
        return linewidth_hwhm(ff, g["alpha"], g["linewidth_inhomogeneous"], g["gyromagnetic_ratio"])

    _draw_vs_frequency(ax, analysis, "width", "spectra (HWHM)",
                       lambda f: np.linspace(0, 1.05 * f.max(), 200),
                       (analysis.linewidth, "sequential"), gilbert, "W (mT)")


def plot_overview(analysis, spectrum: int = 0, path=None, overwrite: bool = False):
    """One figure of the whole analysis: the +H branch of one spectrum with its symmetric and
    antisymmetric parts, the Kittel relation and the linewidth against frequency.

    Parameters
    ----------
    analysis : sotfit.analysis.stfmr.STFMRAnalysis
    spectrum : int
        Index of the spectrum shown (in frequency order).
    path : path-like, optional
        Save there (and close); otherwise return the figure.
    """
    spectra = sorted(analysis.spectra, key=lambda s: s.frequency)
    sp = spectra[spectrum]
    branch = max(sp.branches, key=lambda r: r.meta["polarity"])
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 3.6))
    _draw_branch(axes[0], branch, sp.frequency)
    _draw_kittel(axes[1], analysis)
    _draw_linewidth(axes[2], analysis)
    fig.tight_layout()
    return save(fig, path, overwrite) if path else fig


def plot_angle(vs_fit, va_fit, path=None, overwrite: bool = False):
    """V_s(phi) and V_a(phi) with their fits (``stfmr_angle_vs`` / ``stfmr_angle_va`` results).

    The points are at the in-plane direction of the magnetisation (deg): the field angle phi
    for a + branch, phi + 180 deg for a - branch (:func:`sotfit.analysis.stfmr.fit_angle_dependence`).
    """
    fig, ax = plt.subplots(figsize=(4.8, 3.6))
    pp = np.linspace(0, 360, 721)
    for r, color, label in ((vs_fit, "tab:red", "V_s"), (va_fit, "tab:blue", "V_a")):
        d = r.datasets[0]
        ax.errorbar(d.x, d.y, d.yerr, fmt="o", ms=3, color=color, label=label)
        ax.plot(pp, r.evaluate(pp), "-", color=color)
    ax.set_xlabel("in-plane angle of m (deg): phi for +H, phi + 180 for -H")
    ax.set_ylabel("amplitude (uV)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return save(fig, path, overwrite) if path else fig
