"""A k·p model from its family name and parameters, as the command line describes it.

House units: energies in eV, alpha_R and hbar v in eV nm, effective mass in electron masses,
twist angle in deg, gate field in V/nm, magnetisation angles in deg.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .dirac import DiracRashbaExchange
from .rashba_2deg import Rashba2DEG
from .tables import ParameterTable, tmdc_from_table1

__all__ = ["MODEL_CLASSES", "kp_model", "magnetisation"]

#: The model classes of the families given by their parameters alone.
MODEL_CLASSES = {"2deg": Rashba2DEG, "dirac": DiracRashbaExchange}


def magnetisation(theta_deg: float, phi_deg: float) -> tuple:
    """Unit vector m from its polar angle (from z) and azimuth (from x), both in deg."""
    th = np.radians(theta_deg)
    ph = np.radians(phi_deg)
    return (np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th))


def kp_model(kind: str, m, params: dict | None = None, *, tmdc: str = "WSe2", twist: float = 0.0,
             gate: float = 0.0, table=None, lambda_r: float = 1e-3):
    """The k·p model of family ``kind`` with magnetisation ``m``.

    Parameters
    ----------
    kind : {'2deg', 'dirac', 'tmdc'}
        Rashba ferromagnet 2DEG, Dirac model with Rashba and exchange, or TMDC/CrI3.
    m : array_like
        Magnetisation direction (normalised by the model).
    params : dict, optional
        Model fields in house units (e.g. ``alpha_r`` in eV nm, ``j_ex`` in eV); for ``'tmdc'``
        they replace fields of the tabulated model.
    tmdc, twist, gate, table, lambda_r
        ``'tmdc'`` only: material ('WSe2' or 'MoSe2'), twist angle (deg), gate field (V/nm),
        CSV of parameters over (twist, gate) interpolated bicubically (without it, Majidi et
        al. 2025 Table I at gate 0), and the Rashba coupling (eV).

    Returns
    -------
    KPModel
    """
    params = dict(params or {})
    if kind in MODEL_CLASSES:
        return MODEL_CLASSES[kind](m=m, **params)
    if table is not None:
        model = ParameterTable.from_csv(table, tmdc).model(twist, gate, lambda_r=lambda_r, m=m)
    else:
        if gate != 0.0:
            raise ValueError("a gate field needs a table of parameters over (twist, gate)")
        model = tmdc_from_table1(tmdc, twist, lambda_r=lambda_r, m=m)
    return replace(model, **params) if params else model
