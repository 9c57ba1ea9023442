"""Grid search of ST-FMR resonances by variable projection (fields in T, voltages in uV).

For every (h_res, W) of a candidate grid the linear amplitudes are solved by least squares; the
best grid point starts the nonlinear fit.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "grid_guess_mixing", "mixing_design", "derivative_design",
]


def mixing_design(h, h_res, width, out=None):
    """Columns [L_sym, L_asym, 1, h - h_res] of the linear part, shape (..., n, 4).

    Parameters
    ----------
    h : ndarray
        Field magnitudes in T.
    h_res, width : ndarray or float
        Candidate resonance fields and half widths in T (broadcast against ``h``).
    out : ndarray, optional
        Filled in place (shape (..., n, 4)) instead of a new array.

    Returns
    -------
    ndarray
        The dimensionless Lorentzians W^2/D and W d/D (d = h - h_res, D = d^2 + W^2), the
        constant 1 and d in T, stacked on a last axis of length 4.
    """
    d = h - h_res
    den = d * d + width * width
    a = np.empty(np.broadcast(d, den).shape + (4,)) if out is None else out
    a[..., 0] = width * width / den
    a[..., 1] = width * d / den
    a[..., 2] = 1.0
    a[..., 3] = d
    return a


def grid_candidates(h, n_centre: int = 120, n_width: int = 24):
    """The (h_res, W) candidate grid of the variable-projection guesses.

    Centres are evenly spaced over the sweep; widths geometrically spaced from the
    field step (at least 1e-3 of the span) to half the span.

    Parameters
    ----------
    h : ndarray
        Field magnitudes in T.

    Returns
    -------
    (ndarray, ndarray)
        Candidate centres and widths in T, each of shape (n_centre * n_width,).
    """
    h = np.asarray(h, float)
    lo, hi = float(h.min()), float(h.max())
    span = hi - lo
    step = np.median(np.abs(np.diff(np.sort(h)))) if h.size > 1 else span
    centres = np.linspace(lo, hi, n_centre)
    widths = np.geomspace(max(step, span * 1e-3), span / 2, n_width)
    hc, wc = np.meshgrid(centres, widths, indexing="ij")
    return hc.reshape(-1), wc.reshape(-1)


def grid_search(h, ys, design=None, n_centre: int = 120, n_width: int = 24):
    """Variable-projection grid search for spectra that share the field values ``h``.

    For each candidate (h_res, W) of :func:`grid_candidates` the four linear
    amplitudes (V_s, V_a, offset, slope) are the least-squares solution, and the
    candidate with the smallest residual (the largest projection y.P.y) wins. The
    projections of all spectra on all candidates are one matrix product, so many
    spectra cost little more than one.

    Parameters
    ----------
    h : ndarray, shape (n,)
        Field magnitudes in T (any order).
    ys : array_like, shape (M, n)
        Voltages in uV, one row per spectrum.
    design : callable, optional
        ``design(h, h_res, width)`` returning the (..., n, 4) columns of the linear part;
        the mixing-voltage columns [L_sym, L_asym, 1, h - h_res] by default.

    Returns
    -------
    h_res, width : ndarray, shape (M,)
        Best candidate per spectrum, in T.
    coef : ndarray, shape (M, 4)
        (V_s, V_a, offset, slope) at the best candidate, in uV and uV/T.
    """
    design = mixing_design if design is None else design
    h = np.asarray(h, float)
    ys = np.atleast_2d(np.asarray(ys, float))
    hc, wc = grid_candidates(h, n_centre, n_width)
    a = design(h[None, :], hc[:, None], wc[:, None])                  # (K, n, 4)
    at = np.ascontiguousarray(a.transpose(0, 2, 1))                   # (K, 4, n)
    g = at @ a
    g += np.eye(4) * 1e-12 * np.trace(g, axis1=1, axis2=2)[:, None, None]
    ginv = np.linalg.inv(g)
    k = hc.size
    best = np.empty(ys.shape[0], dtype=int)
    coef = np.empty((ys.shape[0], 4))
    chunk = max(1, int(4e6 // (4 * k)))
    for s in range(0, ys.shape[0], chunk):
        y = ys[s:s + chunk]
        b = (at.reshape(4 * k, -1) @ y.T).reshape(k, 4, -1)         # (K, 4, m)
        c = ginv @ b
        idx = np.argmax(np.sum(b * c, axis=1), axis=0)
        best[s:s + chunk] = idx
        coef[s:s + chunk] = c[idx, :, np.arange(y.shape[0])]
    return hc[best], wc[best], coef


def grid_guess_mixing(h, v, n_centre: int = 120, n_width: int = 24, design=None) -> dict[str, float]:
    """Robust starting values for :func:`mixing_voltage` by a variable-projection grid.

    The single-spectrum form of :func:`grid_search`: it finds the resonance even on
    sloped, noisy backgrounds where peak picking fails.

    Parameters
    ----------
    h : ndarray
        Field magnitudes in T (any order).
    v : ndarray
        Voltages in uV.

    Returns
    -------
    dict
        ``h_res``, ``width``, ``vs``, ``va``, ``offset``, ``slope``.
    """
    hr, w, coef = grid_search(h, np.asarray(v, float)[None, :], design, n_centre, n_width)
    vs, va, off, sl = coef[0]
    return {"h_res": float(hr[0]), "width": float(w[0]), "vs": float(vs),
            "va": float(va), "offset": float(off), "slope": float(sl)}


def derivative_design(h, h_res, width, out=None):
    """Columns of the field-derivative lineshape, shape (..., n, 4).

    The columns -2 W^3 d / D^2 and W^2 (W^2 - d^2) / D^2 (d = h - h_res, D = d^2 + W^2) of
    :func:`~sotfit.models.lineshape_functions.mixing_voltage_derivative`, the constant 1 and d
    in T; arguments as in :func:`mixing_design` (T).
    """
    d = h - h_res
    w2 = width * width
    den2 = (d * d + w2) ** 2
    a = np.empty(np.broadcast(d, den2).shape + (4,)) if out is None else out
    a[..., 0] = -2.0 * w2 * width * d / den2
    a[..., 1] = w2 * (w2 - d * d) / den2
    a[..., 2] = 1.0
    a[..., 3] = d
    return a
