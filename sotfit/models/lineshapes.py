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

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .spec import ModelError, ModelSpec, Param

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
    "LinearBasis",
    "LINEAR_BASES",
    "linear_basis",
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


# ---------------------------------------------------------------------------
# Variable-projection hooks: the linear columns of each lineshape and the derivatives of the
# model with respect to its nonlinear parameters, for stacks of spectra at once
# (sotfit.fitting_batch, sotfit.analysis.stfmr_spectra).
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LinearBasis:
    """A lineshape written as ``sum_j c_j phi_j(x; theta)``: linear in ``c``, not in ``theta``.

    Attributes
    ----------
    model : str
        Name of the :class:`ModelSpec` it describes.
    nonlinear : tuple of str
        Names of theta, in the order of the last axis of ``theta``.
    linear : tuple of str
        Names of c, in the order of the columns.
    columns : callable
        ``columns(x, theta)`` with x of shape (B, n) and theta (B, p): the columns phi,
        shape (B, n, q).
    derivatives : callable
        ``derivatives(x, theta, c)`` with c of shape (B, q): d model / d theta, shape (B, n, p).
    search_design : callable
        ``design(h, h_res, width)``: the columns of one resonance (..., n, 4) with which
        the resonance search and the grid guesses scan (h_res, width).
    """

    model: str
    nonlinear: tuple[str, ...]
    linear: tuple[str, ...]
    columns: Callable
    derivatives: Callable
    search_design: Callable

    @property
    def names(self) -> tuple[str, ...]:
        return self.nonlinear + self.linear


def _parts(x, h, w):
    d = x - h[:, None]
    w = w[:, None]
    den = d * d + w * w
    return d, w, 1.0 / den


def _mixing_columns(x, th):
    d, w, inv = _parts(x, th[:, 0], th[:, 1])
    out = np.empty(d.shape + (4,))
    out[..., 0] = w * w * inv
    out[..., 1] = w * d * inv
    out[..., 2] = 1.0
    out[..., 3] = d
    return out


def _lorentz_derivs(d, w, inv, vs, va):
    """d/dh_res and d/dW of vs L_sym + va L_asym."""
    w2 = w * w
    d2 = d * d
    inv2 = inv * inv
    dh = vs * (2 * d * w2 * inv2) + va * (w * (d2 - w2) * inv2)
    dw = vs * (2 * w * d2 * inv2) + va * (d * (d2 - w2) * inv2)
    return dh, dw


def _mixing_derivatives(x, th, c):
    d, w, inv = _parts(x, th[:, 0], th[:, 1])
    dh, dw = _lorentz_derivs(d, w, inv, c[:, 0:1], c[:, 1:2])
    return np.stack([dh - c[:, 3:4], dw], axis=-1)


def _derivative_columns(x, th):
    d, w, inv = _parts(x, th[:, 0], th[:, 1])
    w2 = w * w
    inv2 = inv * inv
    out = np.empty(d.shape + (4,))
    out[..., 0] = -2.0 * w2 * w * d * inv2
    out[..., 1] = w2 * (w2 - d * d) * inv2
    out[..., 2] = 1.0
    out[..., 3] = d
    return out


def _derivative_derivatives(x, th, c):
    d, w, inv = _parts(x, th[:, 0], th[:, 1])
    w2 = w * w
    d2 = d * d
    inv3 = inv * inv * inv
    vs, va, sl = c[:, 0:1], c[:, 1:2], c[:, 3:4]
    # columns -2 W^3 d / D^2 and W^2 (W^2 - d^2) / D^2 with D = d^2 + W^2, d = h - h_res
    dh = vs * (2 * w2 * w * (w2 - 3 * d2) * inv3) + va * (2 * d * w2 * (3 * w2 - d2) * inv3) - sl
    dw = vs * (-2 * d * w2 * (3 * d2 - w2) * inv3) + va * (2 * w * d2 * (3 * w2 - d2) * inv3)
    return np.stack([dh, dw], axis=-1)


def _two_columns(x, th):
    d1, w1, inv1 = _parts(x, th[:, 0], th[:, 1])
    d2, w2, inv2 = _parts(x, th[:, 2], th[:, 3])
    out = np.empty(d1.shape + (6,))
    out[..., 0] = w1 * w1 * inv1
    out[..., 1] = w1 * d1 * inv1
    out[..., 2] = w2 * w2 * inv2
    out[..., 3] = w2 * d2 * inv2
    out[..., 4] = 1.0
    out[..., 5] = d1
    return out


def _two_derivatives(x, th, c):
    d1, w1, inv1 = _parts(x, th[:, 0], th[:, 1])
    d2, w2, inv2 = _parts(x, th[:, 2], th[:, 3])
    dh1, dw1 = _lorentz_derivs(d1, w1, inv1, c[:, 0:1], c[:, 1:2])
    dh2, dw2 = _lorentz_derivs(d2, w2, inv2, c[:, 2:3], c[:, 3:4])
    return np.stack([dh1 - c[:, 5:6], dw1, dh2, dw2], axis=-1)


#: The linear bases of the built-in lineshapes, by model name.
LINEAR_BASES = {
    "stfmr_mixing": LinearBasis("stfmr_mixing", ("h_res", "width"),
                                ("vs", "va", "offset", "slope"), _mixing_columns,
                                _mixing_derivatives, _design),
    "stfmr_derivative": LinearBasis("stfmr_derivative", ("h_res", "width"),
                                    ("vs", "va", "offset", "slope"), _derivative_columns,
                                    _derivative_derivatives, _design_derivative),
    "stfmr_two_resonances": LinearBasis("stfmr_two_resonances",
                                        ("h_res", "width", "h_res2", "width2"),
                                        ("vs", "va", "vs2", "va2", "offset", "slope"),
                                        _two_columns, _two_derivatives, _design),
}


def linear_basis(model: ModelSpec | str) -> LinearBasis:
    """The :class:`LinearBasis` of a built-in lineshape (by ModelSpec or name).

    Raises
    ------
    ModelError
        For a model without one (only the ST-FMR lineshapes of this module have one).
    """
    name = model if isinstance(model, str) else model.name
    try:
        basis = LINEAR_BASES[name]
    except KeyError:
        raise ModelError(f"no variable-projection basis for model {name!r}; known: "
                         f"{list(LINEAR_BASES)}") from None
    if not isinstance(model, str) and set(model.param_names) != set(basis.names):
        raise ModelError(f"model {name!r} has parameters {model.param_names}; its basis "
                         f"knows {basis.names}")
    return basis
