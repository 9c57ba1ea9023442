"""Delta barrier with exchange and Rashba coupling (seed 004_7d8d4f1eff3c5d03.txt)."""

import math

import numpy as np
import pytest

from sotfit.models.interface.delta_barrier import (
    PAULI4, DeltaInputError, a30_closed_form, azimuthal_integrals, boltzmann_matrices,
    closed_form_parameters, collinear_mixing_closed_form, fs_fc, fs_fc_printed,
    interface_coefficients, mixing_conductance_delta, polar_response, reflection_transmission,
    s_matrices_mz, spin_current_and_torque, u_effective,
)

RNG = np.random.default_rng(11)


def random_k(n):
    th = np.arccos(RNG.uniform(0.02, 1.0, n))
    ph = RNG.uniform(0, 2 * math.pi, n)
    return np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], -1)


def rotation_to(n):
    """3x3 orthogonal O with O z = n."""
    n = n / np.linalg.norm(n)
    a = np.array([1.0, 0, 0]) if abs(n[0]) < 0.9 else np.array([0, 1.0, 0])
    e1 = a - (a @ n) * n
    e1 /= np.linalg.norm(e1)
    return np.stack([e1, np.cross(n, e1), n], axis=1)


def test_a30_identity_for_every_k():
    """Absorbed spin current equals the torque (eq. A30), for every k, with and without Rashba."""
    for kh in random_k(40):
        u0, uex, uR = RNG.uniform(-2, 2), RNG.uniform(-3, 3), RNG.uniform(-2, 2)
        m = RNG.normal(size=3)
        psi = RNG.normal(size=2) + 1j * RNG.normal(size=2)
        out = spin_current_and_torque(kh, u0, uex, uR, psi, m)
        assert np.allclose(out["delta_q"], out["torque_total"], atol=1e-12)
        # closed form of eq. A30 in the frame of u_eff, incident spin transverse (x')
        ueff = u_effective(kh, uex, uR, m)
        ua = np.linalg.norm(ueff)
        O = rotation_to(ueff)
        x_axis = O[:, 0]
        w, v = np.linalg.eigh(sum(xi * s for xi, s in zip(x_axis, PAULI4[:3])))
        psi_x = v[:, 1]  # spin along x'
        out = spin_current_and_torque(kh, u0, uex, uR, psi_x, m)
        dq_frame = O.T @ out["delta_q"] / kh[2]
        assert np.allclose(dq_frame, a30_closed_form(kh[2], u0 + ua, u0 - ua), atol=1e-12)
        assert abs(dq_frame[2]) < 1e-12  # longitudinal spin current conserved
    # with Rashba the torque on the exchange field alone is not the absorbed current
    kh = random_k(1)[0]
    out = spin_current_and_torque(kh, 0.3, 1.0, 0.8, np.array([1, 1j]) / math.sqrt(2))
    assert np.linalg.norm(out["delta_q"] - out["torque_exchange"]) > 1e-2
    out = spin_current_and_torque(kh, 0.3, 1.0, 0.0, np.array([1, 1j]) / math.sqrt(2))
    assert np.allclose(out["delta_q"], out["torque_exchange"], atol=1e-12)


def test_conservation_and_equal_c_d():
    kh = random_k(200)
    for u0, uex, uR, m in ((0.5, 1.2, 0.7, (0, 0, 1)), (-0.3, 2.0, 1.5, (1, 1, 0.2))):
        r, t = reflection_transmission(kh, u0, uex, uR, m)
        eye = np.eye(2)
        # eq. A9 and A10
        assert np.allclose(t, eye + r)
        lhs = eye - np.conj(np.swapaxes(r, -1, -2)) @ r
        rhs = np.conj(np.swapaxes(t, -1, -2)) @ t
        assert np.allclose(lhs, rhs, atol=1e-13)
        R, T = boltzmann_matrices(r, t)
        # particle conservation: charge row of R + T is (0, 0, 0, 1)
        assert np.allclose((R + T)[..., 3, :], [0, 0, 0, 1], atol=1e-13)
        # in the frame of u_eff: c and d equal in I - R and T (eqs. B20-B22)
        ueff = u_effective(kh, uex, uR, m)
        for i in range(0, 200, 17):
            O = np.eye(4)
            O[:3, :3] = rotation_to(ueff[i])
            Rb = O.T @ R[i] @ O
            Tb = O.T @ T[i] @ O
            IR = np.eye(4) - Rb
            assert abs(IR[2, 2] - Tb[2, 2]) < 1e-13 and abs(IR[3, 3] - Tb[3, 3]) < 1e-13
            assert abs(IR[2, 3] - Tb[2, 3]) < 1e-13 and abs(IR[3, 2] - Tb[3, 2]) < 1e-13
            assert abs(IR[2, 2] - IR[3, 3]) < 1e-13
            # block form: no coupling of transverse and longitudinal parts
            assert np.allclose(IR[:2, 2:], 0, atol=1e-13) and np.allclose(Tb[2:, :2], 0, atol=1e-13)
            # transverse block [[a, -b], [b, a]] and values of closed_form_parameters
            p = closed_form_parameters(np.arccos(kh[i, 2]), u0, np.linalg.norm(ueff[i]))
            assert np.allclose(IR[:2, :2], [[p["a_ir"], -p["b_ir"]], [p["b_ir"], p["a_ir"]]], atol=1e-13)
            assert np.allclose(Tb[:2, :2], [[p["a_t"], -p["b_t"]], [p["b_t"], p["a_t"]]], atol=1e-13)
            assert abs(Tb[2, 2] - p["c"]) < 1e-13 and abs(Tb[2, 3] - p["d"]) < 1e-13


def test_fs_fc_limits_and_printed_discrepancy():
    th = np.linspace(0.05, 1.5, 30)
    fs, fc = fs_fc(th, 0.0)
    assert np.allclose(fs, 0) and np.allclose(fc, 1)  # eq. 36, 37 at chi = 0
    fs, fc = fs_fc(th, math.pi / 2)
    assert np.allclose(fs, 1) and np.allclose(fc, 0, atol=1e-14)  # cos(pi/2) = 6e-17 in floats
    fs, fc = fs_fc(th, 0.8)
    assert np.allclose(fs ** 2 + fc ** 2, 1)
    # the printed eqs. 34-35 satisfy the same limits ...
    ps, pc = fs_fc_printed(th, 0.0)
    assert np.allclose(ps, 0) and np.allclose(pc, 1)
    ps, pc = fs_fc_printed(th, math.pi / 2)
    assert np.allclose(ps, 1) and np.allclose(pc, 0, atol=1e-14)
    # ... but only the corrected ones are the direction cosines of u_eff (eq. 15)
    theta, chi = 0.4, 0.8
    kh = np.array([math.sin(theta), 0.0, math.cos(theta)])
    u = u_effective(kh, math.cos(chi), math.sin(chi))
    fs, fc = fs_fc(theta, chi)
    assert abs(u[2] / np.linalg.norm(u) - fc) < 1e-14
    ps, pc = fs_fc_printed(theta, chi)
    assert abs(u[2] / np.linalg.norm(u) - pc) > 0.1


@pytest.mark.parametrize("theta", [0.05, 0.5, 1.1, 1.5])
@pytest.mark.parametrize("n", [0, 1])
def test_zero_pattern_and_closed_forms_for_m_along_z(theta, n):
    u0, ua, chi = 0.4, 1.3, 0.7
    uex, uR = ua * math.cos(chi), ua * math.sin(chi)
    s_ir, s_t = azimuthal_integrals(theta, u0, uex, uR, n=n, n_phi=48)
    c_ir, c_t = s_matrices_mz(theta, u0, ua, chi, n=n)
    assert np.allclose(s_ir, c_ir, atol=1e-13) and np.allclose(s_t, c_t, atol=1e-13)
    if n == 0:  # eq. 33: block diagonal
        zeros = [(0, 2), (0, 3), (1, 2), (1, 3), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]
    else:  # eq. 38
        zeros = [(0, 0), (0, 1), (0, 3), (1, 0), (1, 1), (2, 2), (2, 3), (3, 0), (3, 2), (3, 3)]
    for v in (s_ir, s_t):
        for i, j in zeros:
            if n == 0 and (i, j) == (3, 2):
                continue  # (c, z) element 2 fc d is non-zero, (z, c) too
            assert abs(v[i, j]) < 1e-13, (i, j)
    # c and d are the same on both sides (eq. 33 / 38)
    if n == 0:
        assert abs(s_ir[3, 3] - s_t[3, 3]) < 1e-13 and abs(s_ir[2, 3] - s_t[2, 3]) < 1e-13
    else:
        assert abs(s_ir[1, 3] - s_t[1, 3]) < 1e-13


def test_n1_sign_is_opposite_to_printed_eq38_for_eq15_rashba():
    theta, u0, ua, chi = 0.6, 0.4, 1.3, 0.7
    s_ir, _ = azimuthal_integrals(theta, u0, ua * math.cos(chi), ua * math.sin(chi), n=1)
    neg, _ = azimuthal_integrals(theta, u0, ua * math.cos(chi), -ua * math.sin(chi), n=1)
    c_ir, _ = s_matrices_mz(theta, u0, ua, chi, n=1)
    assert np.allclose(s_ir, c_ir, atol=1e-13)
    assert np.allclose(neg, -c_ir, atol=1e-13)  # printed eq. 38 corresponds to u_R -> -u_R
    assert np.max(np.abs(c_ir)) > 0.05


def hemisphere_mixing(u0, uex, n=400):
    """Direct Fermi-hemisphere sum of 1 - r_up r_dn^* with weight 2k (midpoint in k)."""
    k = (np.arange(n) + 0.5) / n
    uu, ud = u0 + abs(uex), u0 - abs(uex)
    ru, rd = uu / (1j * k - uu), ud / (1j * k - ud)
    return np.sum(2 * k * (1 - ru * np.conj(rd))) / n


@pytest.mark.parametrize("u0, uex", [(0.0, 1.0), (0.4, 1.0), (-0.7, 0.5), (2.0, 3.0), (0.3, 0.3)])
def test_collinear_closed_form(u0, uex):
    cf = collinear_mixing_closed_form(u0, uex)
    assert abs(cf - hemisphere_mixing(u0, uex, 20000)) < 1e-7
    num = mixing_conductance_delta(u0, uex, 0.0, n_theta=64)
    assert abs(cf - num) < 1e-10
    # independent of the magnetisation direction without spin-orbit coupling
    num2 = mixing_conductance_delta(u0, uex, 0.0, m=(1, 2, 0.3), n_theta=64)
    assert abs(cf - num2) < 1e-10


def test_special_values_and_sharvin_limit():
    # u0 = 0, u_ex = 1: G/G_Sh = ln 2 - i (pi/2 - 1)
    assert abs(collinear_mixing_closed_form(0.0, 1.0) - complex(math.log(2), -(math.pi / 2 - 1))) < 1e-12
    for u in (1e-3, 1e-5):
        assert abs(collinear_mixing_closed_form(u, u) - 1) < 10 * u
        assert abs(mixing_conductance_delta(u, u, 0.0) - 1) < 10 * u
        assert abs(mixing_conductance_delta(u, u, u) - 1) < 10 * u
    # strong spin-independent barrier: tunnelling, G -> 0
    assert abs(mixing_conductance_delta(50.0, 0.5, 0.0)) < 2e-3


def test_im_g_sign_convention_from_wave_functions():
    """Absorbed spin current from a transverse accumulation q: Re G q + Im G (q x m).

    The spin currents are computed from the reflected spinors directly
    (eq. A15, incident minus reflected), summed over the Fermi hemisphere,
    without the 4x4 machinery.
    """
    u0, uex = 0.4, 1.0
    m = np.array([0.0, 0.0, 1.0])
    q = np.array([1.0, 0.0, 0.0])
    x, w = np.polynomial.legendre.leggauss(64)
    k = 0.5 * (x + 1)
    w = 0.5 * w
    psi_up_x = np.array([1, 1]) / math.sqrt(2)   # +x spin
    psi_dn_x = np.array([1, -1]) / math.sqrt(2)  # -x spin
    total = np.zeros(3)
    for kk, ww in zip(k, w):
        kh = np.array([math.sqrt(1 - kk * kk), 0.0, kk])
        r, _ = reflection_transmission(kh, u0, uex, 0.0, m)
        j = np.zeros(3)
        for psi, sign in ((psi_up_x, 1), (psi_dn_x, -1)):  # spin accumulation along +x
            for a, s in enumerate(PAULI4[:3]):
                j[a] += sign * 0.5 * np.real(psi.conj() @ (s - r.conj().T @ s @ r) @ psi)
        total += 2 * kk * ww * j
    G = mixing_conductance_delta(u0, uex, 0.0, m=m)
    expected = G.real * q + G.imag * np.cross(q, m)
    assert np.allclose(total, expected, atol=1e-12)
    assert G.imag < 0  # for u_ex > 0 (spin up = higher barrier) at this u0
    # G is also sum(1 - r_up r_dn^*) with up along m, like the tight-binding module
    assert abs(G - collinear_mixing_closed_form(u0, uex)) < 1e-12


def test_named_coefficients_limits():
    u0, ua = 0.4, 1.3
    c0 = interface_coefficients(u0, ua, 0.0)
    assert abs(c0.mixing_ir - collinear_mixing_closed_form(u0, ua)) < 1e-10
    assert c0.memory_loss_transverse == 0 and c0.filtering == 0 and c0.precession_ir == 0
    c1 = interface_coefficients(u0, ua, math.pi / 2)
    assert abs(c1.mixing_ir) < 1e-12 and abs(c1.mixing_t) < 1e-12
    assert c1.memory_loss_transverse > 0 and c1.filtering != 0
    # against the numerical polar integrals of the 4x4 matrices
    chi = 0.7
    c = interface_coefficients(u0, ua, chi, n_theta=64)
    r0 = polar_response(u0, ua * math.cos(chi), ua * math.sin(chi), n=0, n_theta=64)
    r1 = polar_response(u0, ua * math.cos(chi), ua * math.sin(chi), n=1, n_theta=64)
    assert abs(r0["M_ir"][0, 0] - (c.mixing_ir.real + c.memory_loss_transverse)) < 1e-12
    assert abs(-r0["M_ir"][1, 0] - c.mixing_ir.imag) < 1e-12
    assert abs(r0["M_ir"][2, 2] - r0["M_ir"][2, 2]) < 1e-12
    assert abs(abs(r1["S_bar"][1, 3]) - abs(c.filtering)) < 1e-12
    assert abs(abs(r1["M_ir"][0, 2]) - abs(c.precession_swap_ir)) < 1e-12
    # spin memory loss: longitudinal spin current discontinuous, charge current continuous
    assert abs(r0["delta_S"][3, 3]) < 1e-12
    assert abs(r0["delta_S"][2, 2]) > 1e-3


def test_general_direction_depends_on_m_with_rashba():
    g_z = mixing_conductance_delta(0.3, 1.0, 0.8, m=(0, 0, 1))
    g_x = mixing_conductance_delta(0.3, 1.0, 0.8, m=(1, 0, 0))
    g_y = mixing_conductance_delta(0.3, 1.0, 0.8, m=(0, 1, 0))
    assert abs(g_z - g_x) > 1e-3
    assert abs(g_x - g_y) < 1e-10  # in-plane isotropy of the Rashba field
    assert g_x.real > 0 and g_z.real > 0


def test_bad_input():
    with pytest.raises(DeltaInputError, match="theta"):
        azimuthal_integrals(1.6, 0.1, 1.0, 0.2)
    with pytest.raises(DeltaInputError, match="too coarse"):
        azimuthal_integrals(0.3, 0.1, 1.0, 0.2, n_phi=4)
    with pytest.raises(DeltaInputError, match="too coarse"):
        polar_response(0.1, 1.0, 0.2, n_theta=3)
    with pytest.raises(DeltaInputError, match="magnetisation"):
        mixing_conductance_delta(0.1, 1.0, 0.2, m=(0, 0, 0))
    with pytest.raises(DeltaInputError, match="finite"):
        reflection_transmission(np.array([0, 0, 1.0]), float("nan"), 1.0, 0.0)
    with pytest.raises(DeltaInputError, match="Fermi sphere"):
        reflection_transmission(np.array([0, 0, 2.0]), 0.1, 1.0, 0.0)
    with pytest.raises(DeltaInputError, match="n must be"):
        azimuthal_integrals(0.3, 0.1, 1.0, 0.2, n=2)
