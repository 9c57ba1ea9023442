"""Sweeps of the chemical potential: spin densities and torques of a k·p model in one call.

Used by ``sotfit theory kp``; pure numpy. Units: mu in eV, S per field in 1/(V nm) (spin in
hbar/2), S for the given field E (V/nm) in 1/nm^2, torques tau = J m x S in eV/nm^2
(seed 000 eq. (7)).
"""

from __future__ import annotations

import numpy as np

from .boltzmann import spin_density_grid, spin_density_t0
from .grids import max_band_slope, polar_grid
from .kubo import kubo_bastin, thermal_average
from .torque import torque

__all__ = ["sweep_mu", "default_kmax", "exchange_of"]


def default_kmax(model, mus, temperature: float = 0.0, margin: float = 0.3) -> float:
    """A radius (1/nm) beyond every Fermi contour of ``mus``: bisection on the band energies.

    Finds the smallest k at which every band of every valley is farther than
    ``15 k_B T + margin`` eV from the sweep window, along the x and y axes.
    """
    lo, hi = float(np.min(mus)), float(np.max(mus))
    pad = 15 * temperature + margin
    k = 0.5
    for _ in range(60):
        ok = True
        for comp in model.components():
            for ang in np.linspace(0, 2 * np.pi, 8, endpoint=False):
                e = np.linalg.eigvalsh(comp.hamiltonian(k * np.cos(ang), k * np.sin(ang)))
                if np.any((e > lo - pad) & (e < hi + pad)):
                    ok = False
        if ok:
            return k
        k *= 1.25
    raise ValueError(f"default_kmax: bands stay inside [{lo - pad}, {hi + pad}] eV up to k = {k} 1/nm")


def exchange_of(model, mus):
    """J (eV) of the torque for each mu: ``model.exchange_for`` if defined, else ``model.exchange``."""
    f = getattr(model, "exchange_for", None)
    return np.asarray(f(mus) if f is not None else np.full(np.shape(mus), model.exchange), float)


def sweep_mu(model, mus, *, method: str = "boltzmann", tau: float = 1.0, temperature: float = 0.0,
             eta: float | None = None, theta_e: float = 0.0, field: float = 1.0,
             kmax: float | None = None, n_phi: int = 32, n_k: int | None = None,
             second_order: bool = False, progress=None) -> dict:
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

    Returns
    -------
    dict of arrays: ``mu``, ``surface``, ``sea`` (per field, 1/(V nm)), ``second`` (per field^2,
    1/V^2, or None), ``S_surface``, ``S_sea`` (1/nm^2), ``tau_surface``, ``tau_sea`` (eV/nm^2),
    ``J`` (eV), and ``meta``.
    """
    mus = np.asarray(mus, float)
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
            surface = np.zeros((mus.size, 3))
            sea = np.zeros((mus.size, 3))
            for i, mu in enumerate(mus):
                r = spin_density_t0(model, float(mu), tau, theta_e=theta_e, n_phi=n_phi, kmax=kmax)
                surface[i], sea[i] = r.surface[0], r.sea[0]
                if progress:
                    progress(i + 1, mus.size)
            second, meta = None, r.meta
    elif method == "kubo":
        if eta is None or not eta > 0:
            raise ValueError("method 'kubo' needs a broadening eta > 0 (eV)")
        if n_k is None:
            slope = max(max_band_slope(c, kmax) for c in model.components())
            n_k = int(np.ceil(kmax * slope / eta))
        grid = polar_grid(kmax, n_k, n_phi)
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
