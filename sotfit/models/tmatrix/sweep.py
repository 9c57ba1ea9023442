"""Sweeps and maps of the T-matrix torque efficiencies over Fermi energy and magnetisation angle.

Used by ``sotfit theory tmatrix``; pure numpy. One call returns the efficiency map of
:func:`~sotfit.models.tmatrix.batch.efficiency_map` together with the charge-to-spin
efficiencies, the critical angle and the band bottoms that the table, summary and figures need
(Veneri, Perkins and Ferreira, eqs. (2)-(4), (27)-(28); see ``docs/tmatrix.md``).
"""

from __future__ import annotations

import numpy as np

from . import batch
from ..grid_convergence import grid_error
from .contour import band_edges, critical_angle
from .model import MIN_RAYS, RashbaFerromagnet
from .response import charge_to_spin_efficiency

__all__ = ["tmatrix_sweep", "GRID_KEYS"]

#: The results compared between ``n_phi`` rays and the grids of :func:`_ray_convergence`.
GRID_KEYS = ("tau1_e", "tau2_e", "tau1_o", "tau2_o", "K", "sigma")


def tmatrix_sweep(energies, thetas, *, exchange, alpha, u, radius, density, mass=0.8,
                  approximation="tmatrix", normalisation="tensor", n_phi=128, velocity=5e4,
                  progress=None, workers=None, scheduler=None) -> dict:
    """Torque efficiencies on the grid ``energies x thetas`` and the band structure around them.

    Parameters
    ----------
    energies, thetas : array_like
        The NE Fermi energies (eV) and NT magnetisation angles from +z (rad) of the grid.
    exchange, alpha, u, radius, density, mass : float
        As :class:`~sotfit.models.tmatrix.model.RashbaFerromagnet` (eV, eV nm, eV, nm, nm^-2,
        m_e).
    approximation, normalisation, n_phi, progress, workers, scheduler
        As :func:`~sotfit.models.tmatrix.batch.efficiency_map`. A single point raises
        :class:`~sotfit.models.tmatrix.model.DiluteLimitError` beyond the dilute limit; the
        points of a sweep are masked instead.
    velocity : float
        ``v`` of the charge-to-spin efficiency ``theta = -2 e v K_J``, m/s.

    Returns
    -------
    dict
        The arrays of :func:`~sotfit.models.tmatrix.batch.efficiency_map` (NE, NT) plus
        ``charge_to_spin`` (NE, NT, 3, 2, dimensionless), ``critical_angle`` (rad; NaN unless
        a single Fermi energy), ``band_edges_mev`` (NT, 2): the bottoms of the lower and
        upper band at each angle, meV (the upper one is the spin-gap edge), and
        ``ray_convergence`` (:func:`_ray_convergence`).
    """
    energies = np.asarray(energies, float)
    thetas = np.asarray(thetas, float)
    common = dict(exchange=exchange, alpha=alpha, u=u, radius=radius, density=density, mass=mass)
    single = energies.size * thetas.size == 1
    # looked up on the module at call time, so that it can be replaced (e.g. in tests)
    res = batch.efficiency_map(energies, thetas, approximation=approximation,
                               normalisation=normalisation, n_phi=n_phi, progress=progress,
                               nondilute="raise" if single else "mask", workers=workers,
                               scheduler=scheduler, **common)
    base = RashbaFerromagnet(fermi_energy=float(energies[0]), theta=float(thetas[0]), **common)
    res["band_edges_mev"] = 1e3 * np.array([band_edges(base.with_(theta=float(t)))
                                            for t in thetas])
    if not np.any(res["valid"]):
        return res
    res["ray_convergence"] = _ray_convergence(
        res, lambda n: batch.efficiency_map(
            energies, thetas, approximation=approximation, normalisation=normalisation,
            n_phi=n, nondilute="mask", workers=workers, scheduler=scheduler, **common),
        n_phi, energies, thetas)
    res["charge_to_spin"] = charge_to_spin_efficiency(res["K_J"], velocity)
    res["critical_angle"] = critical_angle(base) if energies.size == 1 else float("nan")
    return res


def _ray_convergence(res, compute, n_phi, energies, thetas) -> dict:
    """The error of the ring integrals of ``n_phi`` rays (:func:`~sotfit.models.
    grid_convergence.grid_error` of :data:`GRID_KEYS`).

    Returns
    -------
    dict
        ``error`` (fraction of the largest magnitude of the worst of :data:`GRID_KEYS`),
        ``quantity`` and ``at`` (Fermi energy eV, theta rad) of the largest change, ``n_phi``
        and ``n_phi_compared`` (the numbers of rays computed besides).
    """
    conv = grid_error(res, compute, n_phi, MIN_RAYS, GRID_KEYS,
                      siblings=(("tau1_e", "tau2_e", "tau1_o", "tau2_o"),))
    where = conv["where"]
    return {"error": conv["error"], "quantity": conv["quantity"], "n_phi": int(n_phi),
            "n_phi_compared": conv["compared"],
            "at": (float(energies[where[0]]), float(thetas[where[1]])) if where else None}
