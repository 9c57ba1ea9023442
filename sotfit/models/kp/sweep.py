"""Sweeps of the chemical potential: spin densities and torques of a k·p model in one call.

Used by ``sotfit theory kp``; pure numpy. :func:`kp_theory` adds a map over a second model
parameter and the decomposition over magnetisation directions, whose sweeps run serially, on
local processes or on a dask cluster (:func:`sotfit.parallel.map_tasks`) with the same results. Units: mu in eV, S per field in 1/(V nm) (spin in
hbar/2), S for the given field E (V/nm) in 1/nm^2, torques tau = J m x S in eV/nm^2
(seed 000 eq. (7)).
"""

from __future__ import annotations

import numpy as np

from .boltzmann import spin_density_grid, spin_density_t0
from .grids import BROADENING_PANELS, GridError, check_cutoff, max_band_slope, polar_grid
from .kubo import kubo_bastin, thermal_average
from ...parallel import map_tasks
from ..grid_convergence import grid_error, largest_change
from .torque import decompose_seed001, magnetisation_set, torque

__all__ = ["sweep_mu", "default_kmax", "exchange_of", "parameter_map", "direction_decomposition",
           "kp_theory", "DECOMPOSITION_COLUMNS"]

#: Columns of :func:`direction_decomposition` after mu (Medina Duenas et al. 2023, eqs. 1-2).
DECOMPOSITION_COLUMNS = ("chi_fl", "xi_fl", "chi_dl", "chi_par", "chi_perp", "residual")


#: A spin density per field (1/(V nm)) that is zero but for rounding, for the grid checks: the
#: 2DEG without Rashba coupling (S = 0 by symmetry, 1e-13 of rounding) was flagged "S changed by
#: 39 %" and seed 000's TMDC at lambda_R = 0 310 %; the smallest densities of the documented
#: sweeps are about 1e-4.
S_ZERO = 1e-9


def default_kmax(model, mus, temperature: float = 0.0, margin: float = 0.3) -> float:
    """A radius (1/nm) beyond every Fermi contour of ``mus``: bisection on the band energies.

    Finds the smallest k at which every band of every valley is farther than
    ``15 k_B T + margin`` eV from the sweep window, along the x and y axes.
    """
    lo, hi = float(np.min(mus)), float(np.max(mus))
    pad = 15 * temperature + margin
    # every band must stay on one side of the window from k out to 64 k: a band below it and
    # rising (or above it and falling) still crosses it farther out (0.5 1/nm was taken for a
    # Rashba gas at mu = 0.35-0.5 eV), and so does one below it and still falling into a deep
    # Mexican hat (alpha_R = 1 eV nm, m* = 0.5: 0.78 1/nm for a contour at 6.6, S = 0 for -793)
    farther = np.concatenate([[1.0], np.geomspace(1.25, 64.0, 19)])
    k = 0.5
    for _ in range(60):
        ok = True
        for comp in model.components():
            for ang in np.linspace(0, 2 * np.pi, 8, endpoint=False):
                c, s_ = np.cos(ang), np.sin(ang)
                e = np.linalg.eigvalsh(comp.hamiltonian(farther * k * c, farther * k * s_))
                above, below = np.all(e > hi + pad, axis=0), np.all(e < lo - pad, axis=0)
                if not np.all(above | below):
                    ok = False
        if ok:
            return k
        k *= 1.25
    raise ValueError(f"default_kmax: bands stay inside [{lo - pad}, {hi + pad}] eV up to k = {k} 1/nm")


def exchange_of(model, mus):
    """J (eV) of the torque for each mu: ``model.exchange_for`` if defined, else ``model.exchange``."""
    f = getattr(model, "exchange_for", None)
    return np.asarray(f(mus) if f is not None else np.full(np.shape(mus), model.exchange), float)


#: Factor of the k cutoff the Kubo sweep is compared with.
CUTOFF_FACTOR = 1.5


def _cutoff_change(model, mus, surface, sea, kmax, options) -> dict:
    """How much the Kubo sweep moves when the k cutoff ``kmax`` (1/nm) is raised by
    :data:`CUTOFF_FACTOR` (with the radial points the larger cutoff asks for, or the same k
    spacing where ``n_k`` was given): ``cutoff_change`` (the largest change of any
    component of either part, as a fraction of that part's largest |S|), ``kmax_compared``,
    ``cutoff_change_mu_eV``. The broadened Green's functions fall off as a power of the
    distance from the Fermi energy, so the cutoff enters where the bands' contributions cancel
    (weak Rashba coupling far above the band edge: the 2DEG at alpha_R 0.1 meV nm, mu 1 eV was
    11 % off with an azimuthal estimate of 5e-7, and nothing checked the cutoff). Where the
    larger grid is beyond :data:`~sotfit.models.kp.grids.MAX_GRID_POINTS`, ``cutoff_change`` is
    None and ``cutoff_unchecked`` says why (the sweep itself stands)."""
    other = CUTOFF_FACTOR * kmax
    n_k = options.pop("n_k")      # given: the same k spacing; else the default of the cutoff
    try:
        r = sweep_mu(model, mus, kmax=other, n_k=None if n_k is None else
                     int(np.ceil(n_k * CUTOFF_FACTOR)), **options)
    except GridError as exc:
        # the grid asked for fits, the larger one not: the sweep stands, the check is said
        return {"cutoff_change": None, "kmax_compared": float(other),
                "cutoff_unchecked": f"not checked: {exc}"}
    change, _, where = largest_change({"surface": surface, "sea": sea},
                                      {"surface": r["surface"], "sea": r["sea"]},
                                      ("surface", "sea"), siblings=(("surface", "sea"),),
                                      atol=S_ZERO)
    return {"cutoff_change": change, "kmax_compared": float(other),
            "cutoff_change_mu_eV": float(mus[where[0] if where else 0])}


def sweep_mu(model, mus, *, method: str = "boltzmann", tau: float = 1.0, temperature: float = 0.0,
             eta: float | None = None, theta_e: float = 0.0, field: float = 1.0,
             kmax: float | None = None, n_phi: int = 32, n_k: int | None = None,
             second_order: bool = False, progress=None, check_grid: bool = False) -> dict:
    """Spin densities and torques against the chemical potential.

    Parameters
    ----------
    model : KPModel
    mus : array
        Chemical potentials (eV).
    method : ``'boltzmann'`` or ``'kubo'``
        Boltzmann (S^oc Fermi surface + S^in Fermi sea) or Kubo-Bastin with broadening eta
        (Fermi surface + Fermi sea, T = 0).
    tau : float
        Relaxation time (ps) for Boltzmann.
    temperature : float
        k_B T (eV); 0 uses exact Fermi contours (Boltzmann only).
    eta : float
        Kubo broadening (eV); the Boltzmann tau matching it is hbar/(2 eta). For k_B T > 0 the
        Kubo results are T = 0 closed forms on a mu grid of step 0.4 k_B T, convolved with -f'.
    theta_e : float
        Field direction (rad from x).
    field : float
        Electric field (V/nm) for S and tau; responses per field are returned too.
    kmax, n_phi, n_k :
        Grid; kmax defaults to :func:`default_kmax`.
    check_grid : bool
        At k_B T > 0 or with Kubo, also compute the sweep with half and a quarter of the
        azimuths (twice and four times below 12) and estimate the error of ``n_phi``
        (:func:`sotfit.models.grid_convergence.grid_error`): ``meta['azimuthal_error']``
        (fraction of each part's largest |S|), ``meta['azimuthal_error_mu_eV']``,
        ``meta['n_phi_compared']``; with Kubo, the change when the k cutoff is raised
        (:func:`_cutoff_change`): ``meta['cutoff_change']``, ``meta['kmax_compared']``,
        ``meta['cutoff_change_mu_eV']``.

    Returns
    -------
    dict of arrays: ``mu``, ``surface``, ``sea`` (per field, 1/(V nm)), ``second`` (per field^2,
    1/V^2, or None), ``S_surface``, ``S_sea`` (1/nm^2), ``tau_surface``, ``tau_sea`` (eV/nm^2),
    ``J`` (eV), and ``meta``. At T = 0 (Boltzmann) every chemical potential is also computed
    with twice the azimuths:
    ``meta['azimuthal_change']`` is the largest change of any component of either part (Fermi
    surface, Fermi sea) between the two, as a fraction of that part's largest |S| (at
    ``meta['azimuthal_change_mu_eV']``), and ``meta['off_origin_contours']`` counts the
    chemical potentials whose contours were traced about a point other than k = 0 or through
    the Fermi-sea identity (:func:`~sotfit.models.kp.boltzmann.spin_density_t0`).
    """
    mus = np.asarray(mus, float)
    n_k_given = n_k
    if kmax is None:
        kmax = default_kmax(model, mus, temperature, margin=0.3 if eta is None else 0.3 + 30 * eta)
    if method == "boltzmann":
        if temperature > 0:
            r = spin_density_grid(model, mus, tau, temperature, theta_e=theta_e, kmax=kmax,
                                  n_k=n_k, n_phi=n_phi, second_order=second_order)
            surface, sea, second, meta = r.surface, r.sea, r.second, r.meta
        else:
            if second_order:
                raise ValueError("the second-order term needs k_B T > 0 (f0'' of a step)")
            parts = {"surface": np.zeros((mus.size, 3)), "sea": np.zeros((mus.size, 3))}
            compared = {"surface": np.zeros((mus.size, 3)), "sea": np.zeros((mus.size, 3))}
            centred = 0
            check_cutoff(list(model.components()), kmax, float(mus.min()), float(mus.max()), 0.0)
            # the azimuths compared: twice as many (half as many was compared with itself at
            # n_phi 3, and at 16 and 32 the contours' centre chosen was the same and gave the
            # same S to 1e-15, 10 % off, reported converged)
            other = 2 * n_phi
            for i, mu in enumerate(mus):
                r = spin_density_t0(model, float(mu), tau, theta_e=theta_e, n_phi=n_phi, kmax=kmax)
                half = spin_density_t0(model, float(mu), tau, theta_e=theta_e,
                                       n_phi=other, kmax=kmax)
                parts["surface"][i], parts["sea"][i] = r.surface[0], r.sea[0]
                compared["surface"][i], compared["sea"][i] = half.surface[0], half.sea[0]
                centred += any(not route.startswith("contours about k = (0, 0)")
                               for route in r.meta["fermi_surface"])
                if progress:
                    progress(i + 1, mus.size)
            surface, sea = parts["surface"], parts["sea"]
            second, meta = None, dict(r.meta)
            meta.pop("fermi_surface")
            # each part against its own largest value: the Fermi-sea part, often far smaller,
            # was judged against the surface part's scale and its errors did not show
            change, _, where = largest_change(parts, compared, ("surface", "sea"),
                                              siblings=(("surface", "sea"),), atol=S_ZERO)
            meta.update(azimuthal_change=change,
                        azimuthal_change_mu_eV=float(mus[where[0] if where else 0]),
                        n_phi_compared=int(other), off_origin_contours=int(centred))
    elif method == "kubo":
        if eta is None or not eta > 0:
            raise ValueError("method 'kubo' needs a broadening eta > 0 (eV)")
        if n_k is None:
            slope = max(max_band_slope(c, kmax) for c in model.components())
            n_k = int(np.ceil(kmax * slope / eta))
        grid = polar_grid(kmax, n_k, n_phi, resolves=BROADENING_PANELS)
        if temperature > 0:
            # T = 0 closed forms on a fine mu grid, then -f' convolution (exact for terms
            # linear in the occupation)
            lo, hi = mus.min() - 21 * temperature, mus.max() + 21 * temperature
            n_fine = int(np.ceil((hi - lo) / (0.4 * temperature))) + 1
            fine = np.linspace(lo, hi, n_fine)
            r = kubo_bastin(model, fine, eta, grid, theta_e=theta_e)
            surface = thermal_average(fine, r.surface, mus, temperature)
            sea = thermal_average(fine, r.sea, mus, temperature)
            meta = dict(r.meta, kT_eV=temperature, n_mu_fine=n_fine)
        else:
            r = kubo_bastin(model, mus, eta, grid, theta_e=theta_e)
            surface, sea, meta = r.surface, r.sea, r.meta
        second = None
    else:
        raise ValueError(f"method must be 'boltzmann' or 'kubo', got {method!r}")
    if check_grid and "azimuthal_change" not in meta:
        # k_B T > 0 or Kubo: the azimuths of the k grid were never checked (T = 0 compares
        # them above); the error of n_phi estimated from half and a quarter of them
        def compute(m):
            r = sweep_mu(model, mus, method=method, tau=tau, temperature=temperature, eta=eta,
                         theta_e=theta_e, field=field, kmax=kmax, n_phi=m, n_k=n_k)
            return {"surface": r["surface"], "sea": r["sea"]}
        conv = grid_error({"surface": surface, "sea": sea}, compute, n_phi, 3,
                          ("surface", "sea"), siblings=(("surface", "sea"),), atol=S_ZERO)
        meta = dict(meta, azimuthal_error=conv["error"], n_phi=int(n_phi),
                    n_phi_compared=conv["compared"],
                    azimuthal_error_mu_eV=float(mus[conv["where"][0] if conv["where"] else 0]))
        if method == "kubo":
            meta.update(_cutoff_change(model, mus, surface, sea, kmax, dict(
                method=method, tau=tau, temperature=temperature, eta=eta, theta_e=theta_e,
                field=field, n_phi=n_phi, n_k=n_k_given)))
    J = exchange_of(model, mus)
    ms = np.tile(np.asarray(model.m, float), (mus.size, 1))
    out = {"mu": mus, "surface": surface, "sea": sea, "second": second,
           "S_surface": surface * field, "S_sea": sea * field,
           "tau_surface": torque(J, ms, surface * field), "tau_sea": torque(J, ms, sea * field),
           "J": J, "meta": dict(meta, kmax_per_nm=kmax, field_V_per_nm=field, method=method)}
    if second is not None:
        out["S_second"] = second * field**2
        out["tau_second"] = torque(J, ms, second * field**2)
    return out


def _sweep_task(shared, item):
    """One sweep over mu of a map (``('map', name, value)``) or of a magnetisation direction
    (``('m', direction)``): a task of :func:`sotfit.parallel.map_tasks`."""
    build, mus, kw = shared
    if item[0] == "map":
        model = build({item[1]: item[2]})
    else:
        model = build()
        model = model.with_m(item[1]) if hasattr(model, "with_m") else model
    return sweep_mu(model, mus, **kw)


def parameter_map(build, name: str, values, mus, *, progress=None, workers=None, scheduler=None,
                  **kw) -> dict:
    """x components of the torques over ``values`` of the parameter ``name`` x the sweep ``mus``.

    Parameters
    ----------
    build : callable
        ``build(overrides=None)`` -> the k·p model with the parameters ``overrides`` (a dict)
        changed; picklable for parallel runs (a module-level function or a partial of one).
    name : str
        The mapped parameter; ``values`` in its house unit (eV, deg, V/nm).
    mus : array
        Chemical potentials, eV.
    progress, workers, scheduler
        As :func:`sotfit.parallel.map_tasks` (one task per value).
    **kw
        Options of :func:`sweep_mu`.

    Returns
    -------
    dict
        ``parameter``, ``values``, ``tau_surface`` and ``tau_sea`` (len(values), len(mus), 3:
        x, y, z), eV/nm^2, and their x components ``tau_surface_x``, ``tau_sea_x`` (seed 000's
        tau_x). The x component alone was written before: the 2DEG's damping-like torque, along
        y for m along z, mapped as zero.
    """
    rows = map_tasks(_sweep_task, [("map", name, v) for v in values], shared=(build, mus, kw),
                     progress=progress, workers=workers, scheduler=scheduler)
    surface = np.array([r["tau_surface"] for r in rows])
    sea = np.array([r["tau_sea"] for r in rows])
    return {"parameter": name, "values": values, "tau_surface": surface, "tau_sea": sea,
            "tau_surface_x": surface[..., 0], "tau_sea_x": sea[..., 0]}


def direction_decomposition(build, mus, directions: tuple[int, int], *, theta_e: float = 0.0,
                            progress=None, workers=None, scheduler=None, **kw) -> dict:
    """chi_FL, xi_FL, chi_DL, chi_par, chi_perp against mu from S on a set of directions m.

    The spin density (Fermi surface + Fermi sea, per unit field) is computed on the directions
    of :func:`~sotfit.models.kp.torque.magnetisation_set` and fitted at each mu with
    :func:`~sotfit.models.kp.torque.decompose_seed001` (Medina Duenas et al. 2023, eqs. 1-2).

    Parameters
    ----------
    build, mus, progress, workers, scheduler, **kw
        As :func:`parameter_map` (one task per direction); ``theta_e`` (rad) is the field
        direction of the sweeps and of the fit.
    directions : (int, int)
        ``(n_theta, n_phi)``: odd number of polar angles and even number of azimuths of the
        directions (``n_phi`` of ``**kw`` is the k-grid's).

    Returns
    -------
    dict
        ``rows`` (len(mus), 7): mu (eV), then :data:`DECOMPOSITION_COLUMNS` (chis in
        1/(V nm), xi_fl and residual dimensionless); ``n_directions``.
    """
    ms = magnetisation_set(*directions)
    per_m = map_tasks(_sweep_task, [("m", m) for m in ms], shared=(build, mus, dict(kw, theta_e=theta_e)),
                      progress=progress, workers=workers, scheduler=scheduler)
    rows = []
    for i, mu in enumerate(mus):
        spin = np.array([r["surface"][i] + r["sea"][i] for r in per_m])
        d = decompose_seed001(ms, spin, theta_e).as_dict()
        rows.append([mu] + [d[k] for k in DECOMPOSITION_COLUMNS])
    return {"rows": np.array(rows), "n_directions": int(len(ms))}


def kp_theory(build, mus, *, model=None, map_over=None, decompose=None, progress=None,
              workers=None, scheduler=None, **kw) -> dict:
    """The sweep over mu of a k·p model, with an optional parameter map and decomposition.

    Parameters
    ----------
    build : callable
        As :func:`parameter_map`.
    mus : array
        Chemical potentials, eV.
    model : KPModel, optional
        ``build()`` if not given.
    map_over : (str, array), optional
        Parameter name and values of :func:`parameter_map`.
    decompose : (int, int), optional
        ``(n_theta, n_phi)`` of :func:`direction_decomposition`.
    progress : callable, optional
        ``progress(label)`` -> the progress callback of each stage (``'kp sweep'``,
        ``'kp map'``, ``'kp directions'``) or None.
    workers, scheduler
        As :func:`sotfit.parallel.map_tasks`, for the map and the decomposition.
    **kw
        Options of :func:`sweep_mu` (``theta_e`` in rad among them).

    Returns
    -------
    dict
        ``sweep`` (the dict of :func:`sweep_mu`), ``map`` (of :func:`parameter_map`, or None),
        ``decomposition`` (of :func:`direction_decomposition`, or None).
    """
    def stage(label):
        return progress(label) if progress else None

    parallel = dict(workers=workers, scheduler=scheduler)
    model = build() if model is None else model
    out = {"sweep": sweep_mu(model, mus, progress=stage("kp sweep"), check_grid=True, **kw),
           "map": None,
           "decomposition": None}
    if map_over is not None:
        out["map"] = parameter_map(build, *map_over, mus, progress=stage("kp map"), **parallel, **kw)
    if decompose is not None:
        kw_m = {k: v for k, v in kw.items() if k != "theta_e"}
        out["decomposition"] = direction_decomposition(
            build, mus, decompose, theta_e=kw.get("theta_e", 0.0),
            progress=stage("kp directions"), **parallel, **kw_m)
    return out
