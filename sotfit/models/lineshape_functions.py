"""ST-FMR lineshape functions: Lorentzians, mixing voltage, its field derivative, two resonances.

Liu et al., PRL 106, 036601 (2011), eq. 1: V_mix = V_s L_sym + V_a L_asym with W the half width
at half maximum, plus a linear background. Fields in T, voltages in uV.
"""

from __future__ import annotations


__all__ = [
    "lorentzian_sym", "lorentzian_asym", "mixing_voltage", "mixing_voltage_derivative",
    "mixing_voltage_two",
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
