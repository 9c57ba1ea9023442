"""Torque against chemical potential for the TMDC/CrI3 bilayers of seed 000, and its features.

Seed 000_8a4db6caac2af419.txt (Majidi, Faridi, Asgari 2025), Figs. 2(c) and 6: the x components
of the intra-band (field-like) torque tau^oc and of the intrinsic inter-band (damping-like)
torque tau^in = (2J/hbar) m x S (eq. (7)) against mu, for WSe2/CrI3 and MoSe2/CrI3 with the
parameters of its Table I, gamma = 3 ps, k_B T = 25.7 meV, |E| = 0.2 mV/nm, theta_E = pi/4,
theta_m = 0 and J = B_c (n-doping) or B_v (p-doping) (Sec. III). The printed text of the seed
states the qualitative features of these curves (sign changes, n/p asymmetry, orders of
magnitude, the effect of twisting and of lambda_R); :func:`mu_features` extracts the same
features from a computed curve, so that they can be compared with the seed's statements
(tests/test_kp_tmdc_mu.py, docs/kp.md, examples/kp_tmdc.py).

Pure numpy. Units: mu and band edges in eV, torques in meV/nm^2 (spin in hbar/2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .boltzmann import spin_density_grid
from .sweep import exchange_of
from .tables import tmdc_from_table1
from .torque import torque

__all__ = ["SEED000", "TorqueCurves", "TorqueMap", "band_edges", "tmdc_torque_curves", "mu_features",
           "tmdc_torque_map"]

#: Seed 000 Sec. III: relaxation time gamma (ps), k_B T (eV), |E| (V/nm), theta_E (rad).
SEED000 = {"tau_ps": 3.0, "kT_eV": 0.0257, "field_V_per_nm": 0.2e-3, "theta_e": np.pi / 4}


def band_edges(model, kmax: float = 1.0, n_k: int = 801) -> tuple[float, float]:
    """Valence-band maximum and conduction-band minimum (eV) of a gapped k.p model.

    Scans |k| <= ``kmax`` (1/nm) along x and y in every valley; the gap is the largest spacing
    between consecutive band energies at k = 0 around the middle of the spectrum (for the
    TMDC the two lower bands are valence bands, the two upper ones conduction bands).

    Returns
    -------
    (E_v, E_c) : floats, eV.
    """
    k = np.linspace(0.0, kmax, n_k)
    ev, ec = -np.inf, np.inf
    for comp in model.components():
        n = comp.n_bands
        for kx, ky in ((k, 0 * k), (0 * k, k)):
            e = np.linalg.eigvalsh(comp.hamiltonian(kx, ky))         # (n_k, n)
            ev = max(ev, float(e[:, : n // 2].max()))
            ec = min(ec, float(e[:, n // 2:].min()))
    if not ec > ev:
        raise ValueError(f"band_edges: {model.name!r} has no gap (E_v = {ev:.4g} eV >= E_c = {ec:.4g} eV)")
    return ev, ec


@dataclass(frozen=True)
class TorqueCurves:
    """tau^oc_x and tau^in_x against mu for one bilayer (seed 000 Figs. 2(c), 6(c,d)).

    Attributes
    ----------
    mu : ndarray
        Chemical potentials (eV).
    tau_oc, tau_in : ndarray
        x components of the field-like (Fermi surface) and damping-like (Fermi sea) torque,
        meV/nm^2, at the field |E| of ``SEED000``.
    e_v, e_c : float
        Valence-band maximum and conduction-band minimum (eV).
    label : str
    subbands : ndarray
        Band energies at k = 0 of both valleys, sorted (eV): the sub-band edges where a new
        Fermi contour opens.
    """

    mu: np.ndarray
    tau_oc: np.ndarray
    tau_in: np.ndarray
    e_v: float
    e_c: float
    label: str
    subbands: np.ndarray = field(default_factory=lambda: np.zeros(0))


def tmdc_torque_curves(tmdc: str, twist: float, mus, lambda_r: float = 1e-3, kmax: float = 6.5,
                       n_phi: int = 4, temperature: float | None = None, tau: float | None = None,
                       table=None, gate: float = 0.0) -> TorqueCurves:
    """tau^oc_x(mu), tau^in_x(mu) of a TMDC/CrI3 bilayer with seed 000's parameters.

    Parameters
    ----------
    tmdc : ``'WSe2'`` or ``'MoSe2'``
    twist : float
        Twist angle (deg): 0 or 30 from Table I, or anything inside ``table``'s range.
    mus : array
        Chemical potentials (eV).
    lambda_r : float
        Rashba coupling (eV); seed 000 Figs. 2 and 6 use 1 meV.
    kmax : float
        k-grid radius and Fermi-sea cut-off (1/nm); must hold every Fermi contour of ``mus``
        (refused otherwise, :class:`GridError`).
    n_phi : int
        Azimuths of the polar grid. With m along z (theta_m = 0, as in the figures) the bands are
        isotropic and 4 azimuths give the same result as 16 to 1e-12 (docs/kp.md).
    temperature, tau : float, optional
        k_B T (eV) and relaxation time (ps); default seed 000's 25.7 meV and 3 ps.
    table : ParameterTable, optional
        (twist, gate) parameter table for intermediate twists and gate fields (V/nm).

    Returns
    -------
    TorqueCurves
        Torques in meV/nm^2 at |E| = 0.2 mV/nm, theta_E = pi/4, J = B_c for mu above
        midgap and B_v below (seed 000 Sec. III).
    """
    kT = SEED000["kT_eV"] if temperature is None else temperature
    tau = SEED000["tau_ps"] if tau is None else tau
    mus = np.asarray(mus, float)
    if table is None:
        if gate != 0.0:
            raise ValueError("a gate field needs a (twist, gate) ParameterTable: Table I of seed 000 "
                             "has gate = 0 only")
        model = tmdc_from_table1(tmdc, twist, lambda_r=lambda_r, m=(0.0, 0.0, 1.0))
    else:
        model = table.model(twist, gate, lambda_r=lambda_r, m=(0.0, 0.0, 1.0))
    r = spin_density_grid(model, mus, tau, kT, theta_e=SEED000["theta_e"], kmax=kmax, n_phi=n_phi)
    e_abs = SEED000["field_V_per_nm"]
    J = exchange_of(model, mus)
    ms = np.tile(model.m, (mus.size, 1))
    t_oc = torque(J, ms, r.surface * e_abs)[:, 0] * 1e3
    t_in = torque(J, ms, r.sea * e_abs)[:, 0] * 1e3
    ev, ec = band_edges(model)
    zero = np.zeros(1)
    sub = np.sort(np.concatenate([np.linalg.eigvalsh(c.hamiltonian(zero, zero))[0]
                                  for c in model.components()]))
    label = f"{tmdc}/CrI3, {twist:g} deg" + (f", {gate:g} V/nm" if gate else "") + \
        f", lambda_R = {lambda_r * 1e3:g} meV"
    return TorqueCurves(mu=mus, tau_oc=t_oc, tau_in=t_in, e_v=ev, e_c=ec, label=label, subbands=sub)


def _sign_changes(mu, y, lo, hi, floor):
    """Chemical potentials (eV) in [lo, hi] where y changes sign, ignoring |y| < floor."""
    sel = (mu >= lo) & (mu <= hi) & (np.abs(y) >= floor)
    m, v = mu[sel], y[sel]
    idx = np.nonzero(np.sign(v[1:]) != np.sign(v[:-1]))[0]
    return [float(0.5 * (m[i] + m[i + 1])) for i in idx]


def mu_features(c: TorqueCurves, depth: float = 0.8, floor: float = 1e-3) -> dict:
    """Qualitative features of tau^oc(mu) and tau^in(mu), as seed 000 describes its figures.

    Parameters
    ----------
    c : TorqueCurves
    depth : float
        How far (eV) into each band the n- and p-doped ranges reach: n-doped = [E_c, E_c + depth],
        p-doped = [E_v - depth, E_v].
    floor : float
        Sign changes are counted only where |tau| exceeds ``floor`` times its maximum over the
        range (thermal tails and numerical zeros are ignored).

    Returns
    -------
    dict with, for ``x`` in (``oc``, ``in``) and ``side`` in (``n``, ``p``):
    ``max_{x}_{side}`` (max |tau|, meV/nm^2), ``peak_{x}_{side}`` (mu of that maximum, eV),
    ``sign_{x}_{side}`` (sign at that maximum), ``changes_{x}_{side}`` (list of mu, eV, where tau
    changes sign), ``gap_{x}`` (max |tau| inside [E_v + 8 k_B T, E_c - 8 k_B T] with k_B T of
    seed 000, meV/nm^2) and ``e_v``, ``e_c`` (eV). A side that ``c.mu`` does not reach is
    left out.
    """
    mu = c.mu
    kT = SEED000["kT_eV"]
    out = {"e_v": c.e_v, "e_c": c.e_c}
    ranges = {"n": (c.e_c, c.e_c + depth), "p": (c.e_v - depth, c.e_v)}
    for name, y in (("oc", c.tau_oc), ("in", c.tau_in)):
        for side, (lo, hi) in ranges.items():
            sel = (mu >= lo) & (mu <= hi)
            if not np.any(sel):
                continue                       # the sweep does not reach this side
            i = np.argmax(np.abs(np.where(sel, y, 0.0)))
            out[f"max_{name}_{side}"] = float(abs(y[i]))
            out[f"peak_{name}_{side}"] = float(mu[i])
            out[f"sign_{name}_{side}"] = int(np.sign(y[i]))
            out[f"changes_{name}_{side}"] = _sign_changes(mu, y, lo, hi, floor * abs(y[i]))
        gap = (mu > c.e_v + 8 * kT) & (mu < c.e_c - 8 * kT)
        out[f"gap_{name}"] = float(np.abs(y[gap]).max()) if np.any(gap) else 0.0
    return out


@dataclass(frozen=True)
class TorqueMap:
    """tau^oc_x and tau^in_x over (twist, gate, mu): seed 000 Figs. 3-5 and 7-9.

    Attributes
    ----------
    twists : ndarray (n_t,)
        Twist angles (deg).
    gates : ndarray (n_g,)
        Gate fields (V/nm).
    mu : ndarray (n_mu,)
        Chemical potentials (eV).
    tau_oc, tau_in : ndarray (n_t, n_g, n_mu)
        Field-like and damping-like torque, x component, meV/nm^2 at |E| = 0.2 mV/nm.
    b_c, b_v : ndarray (n_t, n_g)
        Interpolated proximity exchange of the conduction and valence bands (meV).
    tmdc : str
    """

    twists: np.ndarray
    gates: np.ndarray
    mu: np.ndarray
    tau_oc: np.ndarray
    tau_in: np.ndarray
    b_c: np.ndarray
    b_v: np.ndarray
    tmdc: str


def tmdc_torque_map(table, twists, gates, mus, lambda_r: float = 1e-3, kmax: float = 6.5,
                    n_phi: int = 4, temperature: float | None = None, tau: float | None = None,
                    progress=None) -> TorqueMap:
    """Torques over a (twist, gate) grid and a mu sweep, seed 000 Sec. III (Figs. 3-5, 7-9).

    Seed 000 computes the torque at the parameters of its Ref. 40 (7 twist angles between 0 and
    30 deg, 5 gate fields between -2 and 2 V/nm) and interpolates the resulting maps
    bicubically. Here the *parameters* are interpolated bicubically by ``table``
    (:class:`~sotfit.models.kp.tables.ParameterTable`) and the torque is computed at every
    requested (twist, gate): at the table's nodes both routes coincide; between them ours is the
    torque of the interpolated Hamiltonian. Each node is one batched diagonalisation of the
    polar k-grid shared by the whole mu sweep (the loop is over the nodes only).

    Parameters
    ----------
    table : ParameterTable
        Parameters over (twist, gate) of one TMDC; points outside its range raise
        :class:`~sotfit.models.kp.tables.TableRangeError`.
    twists : array
        Twist angles (deg).
    gates : array
        Gate fields (V/nm).
    mus : array
        Chemical potentials (eV).
    lambda_r, kmax, n_phi, temperature, tau :
        As in :func:`tmdc_torque_curves` (eV, 1/nm, -, eV, ps).
    progress : callable(i, n), optional

    Returns
    -------
    TorqueMap
    """
    twists = np.atleast_1d(np.asarray(twists, float))
    gates = np.atleast_1d(np.asarray(gates, float))
    mus = np.asarray(mus, float)
    for t in twists:                                  # range errors before any computation
        for g in gates:
            table(t, g)
    oc = np.zeros((twists.size, gates.size, mus.size))
    inn = np.zeros_like(oc)
    bc = np.zeros((twists.size, gates.size))
    bv = np.zeros_like(bc)
    n, i = twists.size * gates.size, 0
    for a, t in enumerate(twists):
        for b, g in enumerate(gates):
            c = tmdc_torque_curves(table.tmdc, t, mus, lambda_r=lambda_r, kmax=kmax, n_phi=n_phi,
                                   temperature=temperature, tau=tau, table=table, gate=g)
            oc[a, b], inn[a, b] = c.tau_oc, c.tau_in
            p = table(t, g)
            bc[a, b], bv[a, b] = p["b_c"] * 1e3, p["b_v"] * 1e3
            i += 1
            if progress:
                progress(i, n)
    return TorqueMap(twists=twists, gates=gates, mu=mus, tau_oc=oc, tau_in=inn, b_c=bc, b_v=bv,
                     tmdc=table.tmdc)
