"""Figures of posteriors: corner plots and posterior-predictive bands (matplotlib only here).

Works with any :class:`sotfit.bayes.PosteriorResult`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from . import plt

__all__ = ["corner", "predictive_band"]


def corner(post, names: Sequence[str] | None = None, truths: Mapping | None = None,
           bins: int = 30, labels: Mapping | None = None, color: str = "C0"):
    """Corner plot: 1-D histograms on the diagonal, 2-D density contours below it.

    Parameters
    ----------
    post : PosteriorResult
    names : sequence of str, optional
        Parameters to show (default: the sampled ones).
    truths : mapping, optional
        ``{name: value}`` marked with lines (e.g. planted values).
    bins : int
        Histogram bins per axis.
    labels : mapping, optional
        Axis labels by name (default ``name [unit]``).
    color : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = list(names or post.varied)
    n = len(names)
    truths = dict(truths or {})
    labels = dict(labels or {})
    data = [np.asarray(post.samples[k], float) for k in names]
    fig, axes = plt.subplots(n, n, figsize=(2.2 * n + 0.6, 2.2 * n + 0.6), squeeze=False)
    ranges = []
    for v in data:
        lo, hi = np.percentile(v, [0.5, 99.5])
        if hi <= lo:
            lo, hi = lo - 0.5 * (abs(lo) + 1e-12), hi + 0.5 * (abs(hi) + 1e-12)
        ranges.append((lo, hi))
    for i in range(n):
        for j in range(n):
            ax = axes[i, j]
            if j > i:
                ax.set_visible(False)
                continue
            if i == j:
                ax.hist(data[i], bins=bins, range=ranges[i], histtype="step", color=color)
                p16, p50, p84 = np.percentile(data[i], [16, 50, 84])
                for q in (p16, p50, p84):
                    ax.axvline(q, color=color, ls="--" if q != p50 else "-", lw=0.8)
                ax.set_yticks([])
                ax.set_title(f"{p50:.3g} (+{p84 - p50:.2g}/-{p50 - p16:.2g})", fontsize=8)
            else:
                h, xe, ye = np.histogram2d(data[j], data[i], bins=bins,
                                           range=[ranges[j], ranges[i]])
                hs = np.sort(h.ravel())[::-1]
                cum = np.cumsum(hs) / max(hs.sum(), 1)
                levels = sorted({hs[min(np.searchsorted(cum, f), hs.size - 1)]
                                 for f in (0.393, 0.865)})
                xc, yc = 0.5 * (xe[1:] + xe[:-1]), 0.5 * (ye[1:] + ye[:-1])
                ax.pcolormesh(xe, ye, h.T, cmap="Greys", shading="flat")
                if len(levels) >= 1 and np.max(h) > 0:
                    try:
                        ax.contour(xc, yc, h.T, levels=[lv for lv in levels if lv > 0] or None,
                                   colors=color, linewidths=0.8)
                    except ValueError:
                        pass
                if names[j] in truths:
                    ax.axvline(truths[names[j]], color="C3", lw=0.8)
                if names[i] in truths:
                    ax.axhline(truths[names[i]], color="C3", lw=0.8)
            if i == j and names[i] in truths:
                ax.axvline(truths[names[i]], color="C3", lw=0.8)
            ax.set_xlim(ranges[j])
            if i != j:
                ax.set_ylim(ranges[i])
            if i == n - 1:
                ax.set_xlabel(labels.get(names[j], _label(post, names[j])), fontsize=8)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(labels.get(names[i], _label(post, names[i])), fontsize=8)
            elif j > 0:
                ax.set_yticklabels([])
            ax.tick_params(labelsize=7)
    fig.subplots_adjust(hspace=0.08, wspace=0.08)
    return fig


def _label(post, name):
    u = post.units.get(name, "")
    return f"{name}\n[{u}]" if u else name


def predictive_band(ax, post, i: int = 0, x=None, *, ndraws: int = 400, seed: int | None = 0,
                    color: str = "C0", label: str | None = None, data: bool = True,
                    noise: bool = False):
    """Draw the posterior-predictive median and 68 %/95 % bands of dataset ``i`` on ``ax``.

    Parameters
    ----------
    ax : matplotlib Axes
    post : PosteriorResult
    i : int
        Dataset index.
    x : array_like, optional
        Where to evaluate (default: 200 points across the data).
    ndraws, seed : int
        Posterior draws used and their seed.
    color, label : str
    data : bool
        Also plot the data with error bars.
    noise : bool
        Bands for new measurements (model + noise) instead of the model alone.

    Returns
    -------
    ax
    """
    d = post.datasets[i]
    if x is None:
        lo, hi = float(np.min(d.x)), float(np.max(d.x))
        x = np.linspace(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo), 200)
        x = x[x >= 0] if np.all(d.x >= 0) else x
    q = post.band(x, i, q=(2.5, 16, 50, 84, 97.5), ndraws=ndraws, seed=seed, noise=noise)
    ax.fill_between(x, q[0], q[4], color=color, alpha=0.15, lw=0)
    ax.fill_between(x, q[1], q[3], color=color, alpha=0.3, lw=0)
    ax.plot(x, q[2], color=color, lw=1.2, label=label)
    if data:
        ax.errorbar(d.x, d.y, d.yerr, fmt="o", ms=3.5, color=color, capsize=2)
    ax.set_xlabel(f"{d.x_name} ({d.x_unit})" if d.x_unit else d.x_name)
    ax.set_ylabel(f"{d.y_name} ({d.y_unit})" if d.y_unit else d.y_name)
    return ax
