"""Angle-dependent ST-FMR amplitudes: conventional and unconventional torque components.

For the magnetisation in plane at angle phi from the current (x), the
linear-response amplitudes (docs/stfmr.md; MacNeill et al., Nat. Phys. 13, 300
(2017), eqs. (1)-(2) in their notation tau_S, tau_A, tau_B) are

    V_s(phi) = sin(2 phi) [S_y cos(phi) + S_x sin(phi) + S_z]
    V_a(phi) = sin(2 phi) [A_y cos(phi) + A_x sin(phi) + A_z]

The sin(2 phi) is dR/dphi of the AMR. S_y comes from the conventional
damping-like torque (sigma = y), S_x from a damping-like torque with
x-polarised spins, S_z from a field-like (out-of-plane) field along z;
A_y from the y field (field-like + Oersted), A_x from an x field, A_z from an
out-of-plane (sigma = z) damping-like torque. The S_z, A_z terms are even
under H -> -H (phi -> phi + 180 deg), the others odd. Angles in degrees,
amplitudes in uV.
"""

from __future__ import annotations

import numpy as np

from .spec import ModelSpec, Param, Reference

__all__ = ["angular_amplitude", "stfmr_angle_vs", "stfmr_angle_va"]


def angular_amplitude(phi_deg, c_y=1.0, c_x=0.0, c_z=0.0):
    """sin(2 phi) [c_y cos(phi) + c_x sin(phi) + c_z] for phi in degrees (amplitudes in uV).

    Source: MacNeill et al., Nat. Phys. 13, 300 (2017), eqs. (1)-(2), with the
    x-polarised terms added (docs/stfmr.md).
    """
    p = np.radians(phi_deg)
    return np.sin(2 * p) * (c_y * np.cos(p) + c_x * np.sin(p) + c_z)


def _guess(phi, v, **_):
    p = np.radians(phi)
    a = np.column_stack([np.sin(2 * p) * np.cos(p), np.sin(2 * p) * np.sin(p), np.sin(2 * p)])
    c, *_ = np.linalg.lstsq(a, v, rcond=None)
    return {"c_y": float(c[0]), "c_x": float(c[1]), "c_z": float(c[2])}


#: Hand values of sin(2 phi) [c_y cos(phi) + c_x sin(phi) + c_z] at c = (2, 0.5, 0.3) uV: at 45 deg
#: sin(2 phi) = 1, at 90 deg it vanishes, at 30 deg sin(2 phi) = sqrt(3)/2.
_REFERENCES = (Reference(
    (45.0, 90.0, 30.0),
    (2.5 / np.sqrt(2.0) + 0.3, 0.0, np.sqrt(3.0) / 2 * (np.sqrt(3.0) + 0.25 + 0.3)),
    values=dict(c_y=2.0, c_x=0.5, c_z=0.3), atol=1e-14,
    source="hand: MacNeill et al. eqs. (1)-(2) at 45, 90 and 30 deg"),)


def _spec(name, doc_y, doc_x, doc_z, y_name):
    return ModelSpec(references=_REFERENCES,
        name=name, func=angular_amplitude,
        params=(Param("c_y", "uV", 1.0, doc=doc_y), Param("c_x", "uV", 0.0, doc=doc_x),
                Param("c_z", "uV", 0.0, doc=doc_z)),
        x_name="angle", x_unit="deg", y_name=y_name, y_unit="uV",
        doc=angular_amplitude.__doc__, guess=_guess, linear=("c_y", "c_x", "c_z"))


stfmr_angle_vs = _spec("stfmr_angle_vs",
                       "S_y: conventional damping-like torque (sigma = y)",
                       "S_x: damping-like torque from x-polarised spins",
                       "S_z: out-of-plane field-like field (sigma = z)", "vs")
stfmr_angle_va = _spec("stfmr_angle_va",
                       "A_y: field-like + Oersted field along y",
                       "A_x: in-plane field along x (sigma = x field-like)",
                       "A_z: out-of-plane damping-like torque (sigma = z)", "va")
