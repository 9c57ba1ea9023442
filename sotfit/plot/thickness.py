"""Figures of thickness series: data, least-squares curves and posterior-predictive bands."""

from __future__ import annotations

import numpy as np

from . import plt
from .bayes import predictive_band

__all__ = ["thickness_fit"]


def thickness_fit(problem, lsq, post=None):
    """One panel per interface: xi^E_DL and xi^E_FL versus thickness.

    Parameters
    ----------
    problem : sotfit.analysis.thickness.ThicknessProblem
    lsq : FitResult
        Least-squares fit of ``problem`` (dashed curves).
    post : PosteriorResult, optional
        Posterior: median and 68 %/95 % predictive bands.

    Returns
    -------
    matplotlib.figure.Figure
    """
    n = len(problem.series)
    fig, axes = plt.subplots(1, n, figsize=(4.6 * n, 3.6), squeeze=False)
    colors = {"dl": "C0", "fl": "C1"}
    for k, (si, kind) in enumerate(problem.parts):
        ax = axes[0, si]
        d = problem.datasets[k]
        x = np.linspace(0, 1.05 * float(np.max(d.x)), 200)
        lab = "DL" if kind == "dl" else "FL"
        if post is not None:
            predictive_band(ax, post, k, x, color=colors[kind], label=f"{lab} posterior")
        else:
            ax.errorbar(d.x, d.y, d.yerr, fmt="o", ms=3.5, color=colors[kind], capsize=2)
        ax.plot(x, lsq.evaluate(x, k), "--", color=colors[kind], lw=1, label=f"{lab} least squares")
        ax.axhline(0, color="0.6", lw=0.5)
        ax.set_title(problem.series[si].label, fontsize=9)
        ax.set_xlabel("spin-source thickness t (nm)")
        ax.set_ylabel(r"$\xi^E$ ($10^5\ \Omega^{-1}$m$^{-1}$)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
