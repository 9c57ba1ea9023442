"""ST-FMR lineshapes.

The mixing voltage near resonance is a sum of a symmetric and an
antisymmetric Lorentzian (seed 003_010c0338986411e7.txt, the lineshape
V_mix = V_s L_sym + V_a L_asym below its Fig. 2; Liu et al., PRL 106, 036601
(2011), eq. 1):

    L_sym  = W^2 / ((mu0H - mu0H_res)^2 + W^2)
    L_asym = W (mu0H - mu0H_res) / ((mu0H - mu0H_res)^2 + W^2)

with W the half width at half maximum (HWHM). A linear background
``offset + slope (mu0H - mu0H_res)`` absorbs thermal and rectification drifts.
Fields in T, voltages in uV (house units).
"""

from __future__ import annotations

import numpy as np

from .spec import ModelSpec, Param

__all__ = [
    "lorentzian_sym",
    "lorentzian_asym",
    "mixing_voltage",
    "grid_guess_mixing",
    "stfmr_mixing",
    "mixing_voltage_derivative",
    "stfmr_derivative",
    "mixing_voltage_two",
    "stfmr_two_resonances",
]


def lorentzian_sym(h, h_res, width):
    """Symmetric Lorentzian W^2/((h-h_res)^2+W^2), peak 1 at ``h_res`` (all in T)."""
    d = h - h_res
    return width * width / (d * d + width * width)


def lorentzian_asym(h, h_res, width):
    """Antisymmetric Lorentzian W(h-h_res)/((h-h_res)^2+W^2), extrema +-1/2 at h_res +- W."""
    d = h - h_res
    return width * d / (d * d + width * width)


def mixing_voltage(h, h_res, width, vs, va, offset=0.0, slope=0.0):
    """ST-FMR mixing voltage V_s L_sym + V_a L_asym + offset + slope (h - h_res).

    Parameters
    ----------
    h : array_like
        Field magnitude mu0*|H| in T.
    h_res : float
        Resonance field mu0*H_res in T.
    width : float
        Half width at half maximum W in T.
    vs, va : float
        Symmetric and antisymmetric amplitudes in uV.
    offset : float
        Constant background in uV.
    slope : float
        Linear background in uV/T, measured from ``h_res``.

    Returns
    -------
    ndarray
        V_mix in uV. Source: seed 003_010c0338986411e7.txt (lineshape below Fig. 2).
    """
    d = h - h_res
    den = d * d + width * width
    return (vs * width * width + va * width * d) / den + offset + slope * d


def _design(h, h_res, width):
    """Columns [L_sym, L_asym, 1, h - h_res] of the linear part, shape (..., n, 4)."""
    d = h - h_res
    den = d * d + width * width
    one = np.ones(np.broadcast(d, den).shape)
    return np.stack([width * width / den * one, width * d / den * one, one, d * one], axis=-1)


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
    design = _design if design is None else design
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


def _guess_mixing(h, v):
    return grid_guess_mixing(h, v)


def _line_params(suffix: str = "", label: str = "", h_res: float = 0.1, amp: float = 1.0,
                 amp_doc: str = "") -> tuple[Param, ...]:
    """Parameter table of one resonance: h_res, width (HWHM), vs, va (with a name suffix)."""
    lead = f"{label} " if label else ""
    return (
        Param(f"h_res{suffix}", "T", h_res, (0.0, 20.0), f"{lead}resonance field mu0*H_res"),
        Param(f"width{suffix}", "T", 0.005, (1e-7, 5.0), f"{lead}half width at half maximum W (HWHM)"),
        Param(f"vs{suffix}", "uV", amp, doc=f"{lead}symmetric amplitude V_s{amp_doc}"),
        Param(f"va{suffix}", "uV", amp, doc=f"{lead}antisymmetric amplitude V_a{amp_doc}"),
    )


#: The linear background shared by the ST-FMR lineshapes.
_BACKGROUND = (
    Param("offset", "uV", 0.0, doc="constant background"),
    Param("slope", "uV/T", 0.0, doc="linear background, about h_res"),
)


stfmr_mixing = ModelSpec(
    name="stfmr_mixing",
    func=mixing_voltage,
    params=(
        Param("h_res", "T", 0.1, (0.0, 20.0), "resonance field mu0*H_res"),
        Param("width", "T", 0.005, (1e-7, 5.0), "half width at half maximum W (HWHM)"),
        Param("vs", "uV", 1.0, doc="symmetric (damping-like) amplitude V_s"),
        Param("va", "uV", 1.0, doc="antisymmetric (field-like + Oersted) amplitude V_a"),
        *_BACKGROUND,
    ),
    x_name="field",
    x_unit="T",
    y_name="vmix",
    y_unit="uV",
    doc=mixing_voltage.__doc__,
    guess=_guess_mixing,
    linear=("vs", "va", "offset", "slope"),
    x_domain=(0.0, np.inf),
)


# ---------------------------------------------------------------------------
# Field-derivative lineshape (lock-in field modulation) and two resonances
# ---------------------------------------------------------------------------

def mixing_voltage_derivative(h, h_res, width, vs, va, offset=0.0, slope=0.0):
    """Field-modulated ST-FMR signal: W d/dH of the mixing lineshape, plus background.

    With a small field modulation h_m cos(omega_m t) and lock-in detection at
    omega_m, the signal is h_m dV_mix/dH. Writing it as

        V = W d/dH [V_s L_sym + V_a L_asym] + offset + slope (mu0H - mu0H_res)
          = V_s (-2 W^3 d / (d^2 + W^2)^2) + V_a W^2 (W^2 - d^2) / (d^2 + W^2)^2 + ...

    with d = mu0H - mu0H_res keeps V_s and V_a the amplitudes of the underlying
    symmetric and antisymmetric Lorentzians (up to the common factor
    h_m / W, which the fit absorbs), so that V_s/V_a keeps the meaning it has
    in :func:`mixing_voltage` (seed 003_010c0338986411e7.txt, lineshape below
    Fig. 2, differentiated).

    Parameters
    ----------
    h : array_like
        Field magnitude mu0*|H| in T.
    h_res : float
        Resonance field mu0*H_res in T.
    width : float
        Half width at half maximum W in T (of the underlying Lorentzian).
    vs, va : float
        Symmetric and antisymmetric amplitudes in uV (of W dV/dH).
    offset : float
        Constant background in uV.
    slope : float
        Linear background in uV/T, measured from ``h_res``.

    Returns
    -------
    ndarray
        Lock-in signal in uV.
    """
    d = h - h_res
    w2 = width * width
    den = d * d + w2
    den2 = den * den
    return (vs * (-2.0 * w2 * width * d) + va * w2 * (w2 - d * d)) / den2 + offset + slope * d


def _design_derivative(h, h_res, width):
    d = h - h_res
    w2 = width * width
    den2 = (d * d + w2) ** 2
    one = np.ones(np.broadcast(d, den2).shape)
    return np.stack([-2.0 * w2 * width * d / den2 * one, w2 * (w2 - d * d) / den2 * one,
                     one, d * one], axis=-1)


def _guess_derivative(h, v):
    return grid_guess_mixing(h, v, design=_design_derivative)


stfmr_derivative = ModelSpec(
    name="stfmr_derivative",
    func=mixing_voltage_derivative,
    params=(*_line_params(amp_doc=" of the underlying Lorentzian"), *_BACKGROUND),
    x_name="field", x_unit="T", y_name="vmix_derivative", y_unit="uV",
    doc=mixing_voltage_derivative.__doc__,
    guess=_guess_derivative,
    linear=("vs", "va", "offset", "slope"),
    x_domain=(0.0, np.inf),
)


def mixing_voltage_two(h, h_res, width, vs, va, h_res2, width2, vs2, va2, offset=0.0, slope=0.0):
    """Two resonances (e.g. two magnetic layers, or a uniform and a higher mode) on one background.

    V = V_s L_sym(H_res, W) + V_a L_asym(H_res, W)
        + V_s2 L_sym(H_res2, W_2) + V_a2 L_asym(H_res2, W_2) + offset + slope (mu0H - mu0H_res)

    (seed 003_010c0338986411e7.txt, lineshape below Fig. 2, applied to each mode).

    Parameters
    ----------
    h : array_like
        Field magnitude mu0*|H| in T.
    h_res, width, vs, va : float
        First resonance: field (T), HWHM (T), amplitudes (uV).
    h_res2, width2, vs2, va2 : float
        Second resonance, same units.
    offset : float
        Constant background in uV.
    slope : float
        Linear background in uV/T, about ``h_res``.

    Returns
    -------
    ndarray
        V_mix in uV.
    """
    d = h - h_res
    return (mixing_voltage(h, h_res, width, vs, va)
            + mixing_voltage(h, h_res2, width2, vs2, va2) + offset + slope * d)


def _guess_two(h, v):
    first = grid_guess_mixing(h, v)
    rest = v - mixing_voltage(h, first["h_res"], first["width"], first["vs"], first["va"],
                              first["offset"], first["slope"])
    second = grid_guess_mixing(h, rest)
    return {**first, "h_res2": second["h_res"], "width2": second["width"],
            "vs2": second["vs"], "va2": second["va"]}


stfmr_two_resonances = ModelSpec(
    name="stfmr_two_resonances",
    func=mixing_voltage_two,
    params=(
        *_line_params(label="first"),
        *_line_params("2", label="second", h_res=0.2, amp=0.5),
        *_BACKGROUND,
    ),
    x_name="field", x_unit="T", y_name="vmix", y_unit="uV",
    doc=mixing_voltage_two.__doc__,
    guess=_guess_two,
    linear=("vs", "va", "vs2", "va2", "offset", "slope"),
    x_domain=(0.0, np.inf),
)
