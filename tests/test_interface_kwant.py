"""Barrier model against Kwant's scattering matrix of the same lattice (optional).

Skipped unless Kwant is importable (optional test extra; Kwant 1.5 builds only
against numpy < 2, see docs/interface.md for the versions this was run with).

The lattice model of seed 003_010c0338986411e7.txt Fig. 4 as defined in
:mod:`sotfit.models.interface.barrier_tb` is built with Kwant, independently of
the module: a cubic lattice with two spin orbitals per site, translation
invariant along y and z (``kwant.wraparound``), a scattering region of one
spin-source layer (x = 0) and the ferromagnetic monolayer (x = 1), and a
semi-infinite spin-source lead towards -x. For each k_par Kwant's reflection
block (in its own basis of lead modes) is turned into a 2x2 reflection matrix
of spinors with the lead's mode wave functions, ``r = W_out r_modes W_in^-1``,
and projected on the spin states along m. The reference point of the phase
(the lead's first cell instead of layer 0) multiplies both spins by the same
factor, so ``1 - r_up r_dn^*`` and ``r_up / r_dn`` compare directly.
"""

import math
import warnings

import numpy as np
import pytest

kwant = pytest.importorskip("kwant")

from sotfit.models.interface.barrier_tb import mixing_integrand, reflection_amplitudes  # noqa: E402

SIGMA = (np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]]),
         np.array([[1, 0], [0, -1]], complex))
I2 = np.eye(2, dtype=complex)


def kwant_system(t0, t_m, J, eps_m=0.0, t_c=None, m=(0.0, 0.0, 1.0)):
    """Finalized Kwant system of the barrier model, momenta ``k_y``, ``k_z`` (rad)."""
    t_c = t0 if t_c is None else t_c
    m = np.asarray(m, float) / np.linalg.norm(m)
    sm = sum(mi * s for mi, s in zip(m, SIGMA))
    lat = kwant.lattice.cubic(a=1, norbs=2)
    sym = kwant.TranslationalSymmetry(lat.vec((0, 1, 0)), lat.vec((0, 0, 1)))
    syst = kwant.Builder(sym)
    syst[lat(0, 0, 0)] = 0 * I2
    syst[lat(1, 0, 0)] = eps_m * I2 - J * sm
    for d in ((0, 1, 0), (0, 0, 1)):
        syst[lat(0, 0, 0), lat(*d)] = -t0 * I2
        syst[lat(1, 0, 0), lat(1 + d[0], d[1], d[2])] = -t_m * I2
    syst[lat(1, 0, 0), lat(0, 0, 0)] = -t_c * I2
    lead = kwant.Builder(kwant.TranslationalSymmetry(
        lat.vec((-1, 0, 0)), lat.vec((0, 1, 0)), lat.vec((0, 0, 1))))
    lead[lat(0, 0, 0)] = 0 * I2
    for d in ((1, 0, 0), (0, 1, 0), (0, 0, 1)):
        lead[lat(0, 0, 0), lat(*d)] = -t0 * I2
    wsyst = kwant.wraparound.wraparound(syst, coordinate_names="yz")
    wlead = kwant.wraparound.wraparound(lead, keep=0)
    wsyst.attach_lead(wlead)
    return wsyst.finalized()


def kwant_reflection(fsyst, E, ky, kz):
    """2x2 reflection matrix between spinors in the lead's first cell (None if closed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "MUMPS is not available"
        smat = kwant.smatrix(fsyst, E, params=dict(k_y=ky, k_z=kz))
    modes = smat.lead_info[0]
    n = modes.wave_functions.shape[1] // 2
    if n == 0:
        return None
    assert n == 2  # one spin-degenerate channel per k_par
    w_in, w_out = modes.wave_functions[:, :n], modes.wave_functions[:, n:]
    r_modes = smat.submatrix(0, 0)
    return w_out @ r_modes @ np.linalg.inv(w_in)


def spin_projected(r, m):
    m = np.asarray(m, float) / np.linalg.norm(m)
    _, v = np.linalg.eigh(sum(mi * s for mi, s in zip(m, SIGMA)))
    up, dn = v[:, 1], v[:, 0]
    return up.conj() @ r @ up, dn.conj() @ r @ dn, up.conj() @ r @ dn


CASES = [
    # E, t0, t_m, J, eps_m, t_c
    (-4.0, 1.0, 0.6, 0.3, 0.0, None),
    (-2.0, 1.0, 0.2, 1.7, -0.4, 0.8),
    (0.5, 1.0, 1.0, 0.05, 0.0, None),
    (3.5, 1.3, 1.0, -0.6, 0.9, 1.5),
]


@pytest.mark.parametrize("case", CASES)
def test_reflection_per_k_agrees_with_kwant(case):
    E, t0, t_m, J, eps_m, t_c = case
    rng = np.random.default_rng(11)
    m = rng.normal(size=3)
    fsyst = kwant_system(t0, t_m, J, eps_m, t_c, m)
    n_open = n_closed = 0
    worst = 0.0
    for ky, kz in rng.uniform(-math.pi, math.pi, size=(400, 2)):
        r_up, r_dn, is_open = reflection_amplitudes(ky, kz, E, t0, t_m, J, eps_m, t_c)
        if (n_open if is_open else n_closed) >= (25 if is_open else 5):
            continue
        r = kwant_reflection(fsyst, E, ky, kz)
        if r is None:
            assert not is_open  # Kwant and the module agree on which channels are open
            n_closed += 1
            continue
        assert is_open
        n_open += 1
        ku, kd, off = spin_projected(r, m)
        f, _ = mixing_integrand(ky, kz, E, t0, t_m, J, eps_m, t_c)
        dev = max(abs(off), abs((1 - ku * np.conj(kd)) - f), abs(ku / kd - r_up / r_dn),
                  abs(abs(ku) - 1), abs(abs(kd) - 1))
        worst = max(worst, dev)
        assert dev < 1e-8, (ky, kz, ku, kd, r_up, r_dn)
    assert n_open == 25
    print(f"\n{case}: {n_open} open k-points, max deviation from Kwant {worst:.1e}")
