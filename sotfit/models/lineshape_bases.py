"""Variable-projection bases of the ST-FMR lineshapes, for stacks of spectra at once.

The linear columns of each lineshape and the derivatives of the model with respect to its
nonlinear parameters (fields in T), used by sotfit.fitting_batch and sotfit.analysis.stfmr_spectra.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .spec import ModelError, ModelSpec
from .lineshape_functions import lorentzian_asym, lorentzian_sym
from .lineshape_search import derivative_design, mixing_design

__all__ = [
    "LinearBasis", "LINEAR_BASES", "linear_basis", "MIXING_BASIS", "DERIVATIVE_BASIS",
    "TWO_RESONANCES_BASIS", "mixing_parts",
]


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
        ``derivatives(x, theta, c, columns=None, weights=None)`` with c of shape (B, q):
        d model / d theta, shape (B, n, p), times ``weights`` (B, n) when given; ``columns``
        are ``columns(x, theta)`` when the caller has them (a basis may reuse them).
    search_design : callable
        ``design(h, h_res, width)``: the columns of one resonance (..., n, 4) with which
        the resonance search and the grid guesses scan (h_res, width).
    derivative_search : bool
        Whether the ST-FMR resonance search scans with the field-derivative columns
        (:func:`~sotfit.models.lineshape_search.derivative_design`) instead of the mixing
        columns (:func:`~sotfit.models.lineshape_search.mixing_design`).
    grid_guess : bool
        Whether the start values of a spectrum fit come from the model's own ``guess`` (the grid)
        rather than from the one resonance the search found (a lineshape with more resonances
        than the search locates).
    resonances : int
        Number of resonances the lineshape describes; the one-mode consistency checks of the
        ST-FMR analysis skip lineshapes with more.
    global_fit : bool
        Whether the global multi-frequency ST-FMR models
        (:mod:`sotfit.models.stfmr_global`) describe the same lineshape, so the analysis may
        run its global fit on spectra fitted with it.
    parts : callable or None
        ``parts(h, values) -> ((label, y), ...)``: the components a plot draws under the fit
        (h in T, ``values`` the fitted parameters in house units, y in uV); None draws none.
    """

    model: str
    nonlinear: tuple[str, ...]
    linear: tuple[str, ...]
    columns: Callable
    derivatives: Callable
    search_design: Callable
    derivative_search: bool = False
    grid_guess: bool = False
    resonances: int = 1
    global_fit: bool = False
    parts: Callable | None = None

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


def _lorentz_derivs(ls, la, w, vs, va, weights=None):
    """d/dh_res and d/dW of vs L_sym + va L_asym from the Lorentzians L_s = W^2/D and
    L_a = W d/D (D = d^2 + W^2, d = h - h_res): with K = (2 vs L_a + va (1 - 2 L_s)) / W,
    they are L_s K and L_a K (times ``weights`` when given)."""
    k = (2.0 * vs / w) * la + (va / w) * (1.0 - 2.0 * ls)
    if weights is not None:
        k = k * weights
    return ls * k, la * k


def _weighted(parts, weights):
    """The derivatives ``parts`` (each (B, n)) stacked on a last axis, times ``weights``."""
    if weights is not None:
        parts = [q * weights for q in parts]
    return np.stack(parts, axis=-1)


def _mixing_derivatives(x, th, c, columns=None, weights=None):
    if columns is None:
        columns = _mixing_columns(x, th)
    dh, dw = _lorentz_derivs(columns[..., 0], columns[..., 1], th[:, 1:2], c[:, 0:1],
                             c[:, 1:2], weights)
    slope = c[:, 3:4] if weights is None else c[:, 3:4] * weights
    return np.stack([dh - slope, dw], axis=-1)


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


def _derivative_derivatives(x, th, c, columns=None, weights=None):
    d, w, inv = _parts(x, th[:, 0], th[:, 1])
    w2 = w * w
    d2 = d * d
    inv3 = inv * inv * inv
    vs, va, sl = c[:, 0:1], c[:, 1:2], c[:, 3:4]
    # columns -2 W^3 d / D^2 and W^2 (W^2 - d^2) / D^2 with D = d^2 + W^2, d = h - h_res
    dh = vs * (2 * w2 * w * (w2 - 3 * d2) * inv3) + va * (2 * d * w2 * (3 * w2 - d2) * inv3) - sl
    dw = vs * (-2 * d * w2 * (3 * d2 - w2) * inv3) + va * (2 * w * d2 * (3 * w2 - d2) * inv3)
    return _weighted([dh, dw], weights)


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


def _two_derivatives(x, th, c, columns=None, weights=None):
    if columns is None:
        columns = _two_columns(x, th)
    dh1, dw1 = _lorentz_derivs(columns[..., 0], columns[..., 1], th[:, 1:2], c[:, 0:1],
                               c[:, 1:2], weights)
    dh2, dw2 = _lorentz_derivs(columns[..., 2], columns[..., 3], th[:, 3:4], c[:, 2:3],
                               c[:, 3:4], weights)
    slope = c[:, 5:6] if weights is None else c[:, 5:6] * weights
    return np.stack([dh1 - slope, dw1, dh2, dw2], axis=-1)


def mixing_parts(h, values):
    """V_s L_sym and V_a L_asym, each over the linear background (h in T, result in uV)."""
    bg = values["offset"] + values["slope"] * (h - values["h_res"])
    return (("V_s L_sym", bg + values["vs"] * lorentzian_sym(h, values["h_res"], values["width"])),
            ("V_a L_asym", bg + values["va"] * lorentzian_asym(h, values["h_res"], values["width"])))


#: The variable-projection basis of each built-in lineshape (each ModelSpec carries its own as
#: ``lineshape``).
MIXING_BASIS = LinearBasis("stfmr_mixing", ("h_res", "width"), ("vs", "va", "offset", "slope"),
                           _mixing_columns, _mixing_derivatives, mixing_design,
                           global_fit=True, parts=mixing_parts)
DERIVATIVE_BASIS = LinearBasis("stfmr_derivative", ("h_res", "width"),
                               ("vs", "va", "offset", "slope"), _derivative_columns,
                               _derivative_derivatives, derivative_design, derivative_search=True)
TWO_RESONANCES_BASIS = LinearBasis("stfmr_two_resonances", ("h_res", "width", "h_res2", "width2"),
                                   ("vs", "va", "vs2", "va2", "offset", "slope"), _two_columns,
                                   _two_derivatives, mixing_design, grid_guess=True, resonances=2)

#: The linear bases of the built-in lineshapes, by model name.
LINEAR_BASES = {b.model: b for b in (MIXING_BASIS, DERIVATIVE_BASIS, TWO_RESONANCES_BASIS)}


def linear_basis(model: ModelSpec | str) -> LinearBasis:
    """The :class:`LinearBasis` of a lineshape: a ModelSpec's ``lineshape``, or a built-in by name.

    Raises
    ------
    ModelError
        For a model without one (only the ST-FMR lineshapes have one).
    """
    name = model if isinstance(model, str) else model.name
    basis = None if isinstance(model, str) else model.lineshape
    if basis is None:
        basis = LINEAR_BASES.get(name)
    if basis is None:
        raise ModelError(f"no variable-projection basis for model {name!r}; known: "
                         f"{list(LINEAR_BASES)}")
    if not isinstance(model, str) and set(model.param_names) != set(basis.names):
        raise ModelError(f"model {name!r} has parameters {model.param_names}; its basis "
                         f"knows {basis.names}")
    return basis
