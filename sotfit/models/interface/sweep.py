"""Maps of the spin-mixing conductance of the interface models over two parameters.

Used by ``sotfit theory interface``; pure numpy. The barrier model (Gao et al. 2023, Fig. 4) is mapped
over the barrier hopping offset ``delta_t`` and the exchange ``J`` (eV), the delta barrier
(Amin, Haney and Stiles) over ``u0`` and ``u_ex`` (dimensionless). Mixing conductances in the
house unit 1e13 Ohm^-1 m^-2 (the barrier model also per unit cell, e^2/h). Rows of a map run
serially, on local processes or on a dask cluster (:func:`sotfit.parallel.map_tasks`) with the
same results.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ...parallel import map_tasks
from ..grid_convergence import grid_error
from .barrier_tb import _MIN_ORDER, BarrierInputError, mixing_conductance_tb, to_house_mixing
from .delta_barrier import MIN_NODES, DeltaInputError
from .specs import DELTA_DEFAULTS, delta_mixing_complex

__all__ = ["BARRIER_TASK_POINTS", "INPUT_ERRORS", "MIN_NODES", "MIN_ORDER", "barrier_map",
           "delta_map", "mixing_map"]

#: Largest number of map points of one barrier task (whole rows of delta_t, at least one).
BARRIER_TASK_POINTS = 1024

#: Fewest k_par quadrature points (``order``) of the barrier model.
MIN_ORDER = _MIN_ORDER

#: Errors of parameters outside a model's domain.
INPUT_ERRORS = (BarrierInputError, DeltaInputError)


def _barrier_rows(shared, dt_rows):
    """The barrier model on some rows of the map (a task of :func:`sotfit.parallel.map_tasks`)."""
    t0 = shared["t0"]
    return mixing_conductance_tb(shared["fermi_energy"], t0, t0 - dt_rows[:, None],
                                 shared["J"][None, :], shared["eps_m"], shared["t_c"],
                                 order=shared["order"])


def _delta_row(shared, u0):
    """The delta barrier on one row of the map (one u0, every u_ex)."""
    return delta_mixing_complex(shared["u_ex"], u0, shared["u_R"], shared["k_fermi"],
                                shared["theta_m"], shared["phi_m"], shared["n_theta"],
                                shared["n_phi"])


def barrier_map(fermi_energy, t0, dt, J, eps_m=0.0, t_c=None, order=65, *, workers=None,
                scheduler=None, progress=None, task_points: int = BARRIER_TASK_POINTS):
    """:func:`~sotfit.models.interface.barrier_tb.mixing_conductance_tb` on the map
    ``t_m = t0 - dt[:, None]``, ``J[None, :]`` in tasks of whole rows.

    The rows of a task do not depend on ``workers`` or ``scheduler``, and every row is computed
    as in one call on the whole map (the k_par rule is per point; the error estimate is the
    largest over the tasks, the Sharvin value that of the first row).

    Parameters
    ----------
    fermi_energy, t0, eps_m, t_c : float
        Fermi energy, bulk hopping, on-site energy of the magnetic layer and interface hopping,
        eV (``t_c`` None: ``t0``).
    dt, J : array_like
        Barrier hopping offsets and exchange energies of the map axes, eV.
    order : int
        k_par quadrature points.
    workers, scheduler, progress
        As :func:`sotfit.parallel.map_tasks`.
    task_points : int
        Largest number of map points per task (whole rows, at least one).

    Returns
    -------
    TBResult
        ``g_mix`` of shape (len(dt), len(J)) in e^2/h per unit cell.
    """
    dt, J = np.asarray(dt, float), np.asarray(J, float)
    per = max(1, task_points // max(J.size, 1))
    rows = [dt[i:i + per] for i in range(0, dt.size, per)]
    shared = dict(fermi_energy=fermi_energy, t0=t0, J=J, eps_m=eps_m, t_c=t_c, order=order)
    parts = map_tasks(_barrier_rows, rows, workers=workers, scheduler=scheduler, shared=shared,
                      progress=progress)
    err = max(r.error_estimate for r in parts)
    return replace(parts[0], g_mix=np.concatenate([np.asarray(r.g_mix) for r in parts]),
                   error_estimate=err, converged=all(r.converged for r in parts))


def delta_map(u0s, u_ex, u_R=DELTA_DEFAULTS["u_R"], k_fermi=DELTA_DEFAULTS["k_fermi"],
              theta_m=DELTA_DEFAULTS["theta_m"], phi_m=DELTA_DEFAULTS["phi_m"], n_theta=48,
              n_phi=48, *, workers=None, scheduler=None, progress=None) -> np.ndarray:
    """Complex mixing conductance of the delta barrier on the map ``u0s x u_ex``.

    Parameters as :func:`~sotfit.models.interface.specs.delta_mixing_complex` (strengths
    dimensionless, ``k_fermi`` in 1/nm, angles in deg); one task per ``u0``.

    Returns
    -------
    ndarray, complex, shape (len(u0s), len(u_ex))
        G in 1e13 Ohm^-1 m^-2.
    """
    shared = dict(u_ex=u_ex, u_R=u_R, k_fermi=k_fermi, theta_m=theta_m, phi_m=phi_m,
                  n_theta=n_theta, n_phi=n_phi)
    return np.array(map_tasks(_delta_row, [float(u) for u in u0s], shared=shared,
                              progress=progress, workers=workers, scheduler=scheduler))


def mixing_map(model: str, axes: dict, params: dict, *, workers=None, scheduler=None,
               progress=None, task_points: int = BARRIER_TASK_POINTS) -> dict:
    """The mixing-conductance map of ``model`` over its two ``axes``.

    Parameters
    ----------
    model : {'barrier', 'delta'}
    axes : dict
        ``{'dt': array, 'J': array}`` (eV) for the barrier, ``{'u0': array, 'u_ex': array}``
        for the delta barrier.
    params : dict
        The other parameters: ``fermi_energy, t0, eps_m, t_c`` (eV), ``order`` and
        ``lattice_constant`` (nm) for the barrier; ``u_R, k_fermi`` (1/nm), ``theta_m, phi_m``
        (deg), ``n_theta, n_phi`` for the delta barrier.
    workers, scheduler, progress, task_points
        As :func:`barrier_map`.

    Returns
    -------
    dict
        ``g`` (complex map, 1e13 Ohm^-1 m^-2), ``sharvin`` (Sharvin conductance per spin, same
        unit); for the barrier also ``g_cell`` (e^2/h per cell) and ``tb`` (the TBResult); for
        the delta barrier ``grid_convergence``: the estimated error of Re G and Im G on the
        ``n_theta x n_phi`` grid (:func:`~sotfit.models.grid_convergence.grid_error`, both
        directions scaled together; ``error`` a fraction of the larger part's largest
        magnitude, ``at`` the (u0, u_ex) of the largest change, ``compared`` the grids
        computed besides).
    """
    parallel = dict(workers=workers, scheduler=scheduler, progress=progress)
    if model == "barrier":
        res = barrier_map(params["fermi_energy"], params["t0"], axes["dt"], axes["J"],
                          params["eps_m"], params["t_c"], order=params["order"],
                          task_points=task_points, **parallel)
        g_cell = np.asarray(res.g_mix)
        a = params["lattice_constant"]
        return {"g": to_house_mixing(g_cell, a), "g_cell": g_cell,
                "sharvin": to_house_mixing(res.g_sharvin, a), "tb": res}
    n_theta, n_phi = params["n_theta"], params["n_phi"]
    n = min(n_theta, n_phi)

    def parts(m: int) -> dict:
        """Re G and Im G on a grid of m nodes along the shorter direction (both scaled)."""
        g = delta_map(axes["u0"], axes["u_ex"], params["u_R"], params["k_fermi"],
                      params["theta_m"], params["phi_m"], max(MIN_NODES, n_theta * m // n),
                      max(MIN_NODES, n_phi * m // n), **parallel)
        return {"g": g, "re_g": g.real, "im_g": g.imag}

    res = parts(n)
    parallel["progress"] = None
    conv = grid_error(res, parts, n, MIN_NODES, ("re_g", "im_g"), siblings=(("re_g", "im_g"),))
    where = conv["where"]
    res["grid_convergence"] = {
        "error": conv["error"], "quantity": conv["quantity"],
        "n_theta": int(n_theta), "n_phi": int(n_phi),
        "compared": [(max(MIN_NODES, n_theta * m // n), max(MIN_NODES, n_phi * m // n))
                     for m in conv["compared"]],
        "at": (float(axes["u0"][where[0]]), float(axes["u_ex"][where[1]])) if where else None}
    res["sharvin"] = delta_mixing_complex(1e-12, 0.0, 0.0, params["k_fermi"]).real.item()
    return res
