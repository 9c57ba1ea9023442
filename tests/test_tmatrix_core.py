"""T-matrix theory of the disordered Rashba ferromagnet (seed 002): model, T-matrix, limits.

Physics checked here: Fermi rings and density of states, the cutoff regularisation of
Re g0 (eq. 16b), the optical theorem of the single-impurity T-matrix (eq. 16a), the Ward
identity behind the diffuson zero mode (eqs. 19-21), the Drude conductivity for
alpha, Delta_xc -> 0, the first-Born limit (text after eq. 31), the self-energy structure
(eq. 32) and the parity of the response under m -> -m.
"""

import math

import numpy as np
import pytest

from sotfit.models.tmatrix import (
    PAULI, DiluteLimitError, RashbaFerromagnet, TMatrixError, averaged_green, band_bottom,
    clean_local_green, clean_local_green_isotropic, fermi_contour, pauli_components, response,
    self_energy, t_matrix, torque_efficiencies,
)
from scipy import constants as C

BASE = dict(fermi_energy=0.010, exchange=0.0048, alpha=0.017, theta=0.0, u=2.0, radius=0.2,
            density=5e-4, mass=0.8)


def model(**kw):
    return RashbaFerromagnet(**{**BASE, **kw})


def test_rashba_density_of_states_is_m_over_pi():
    # Pure Rashba (Delta_xc = 0), eps > 0: the total DOS is m/(pi hbar^2), the same as without SOC.
    m = model(exchange=0.0)
    c = fermi_contour(m, 128)
    dos = c.density_of_states
    assert dos == pytest.approx(1 / (2 * np.pi * m.c2), rel=1e-12)
    # every point is on the Fermi surface: eigenvalue of H_k equals eps
    kx, ky = c.k * np.cos(c.phi), c.k * np.sin(c.phi)
    e = np.linalg.eigvalsh(m.hamiltonian(kx, ky))
    assert np.min(np.abs(e - m.eps), axis=1) == pytest.approx(np.zeros(c.k.size), abs=1e-9)


@pytest.mark.parametrize("theta", [0.0, 0.6, 1.2])
def test_contour_velocity_and_spin_match_hamiltonian(theta):
    m = model(theta=theta, fermi_energy=0.006)
    c = fermi_contour(m, 64)
    kx, ky = c.k * np.cos(c.phi), c.k * np.sin(c.phi)
    h = 1e-6
    e, vec = np.linalg.eigh(m.hamiltonian(kx, ky))
    idx = np.argmin(np.abs(e - m.eps), axis=1)
    psi = vec[np.arange(c.k.size), :, idx]
    spin = np.einsum("pi,aij,pj->pa", psi.conj(), PAULI, psi).real
    np.testing.assert_allclose(spin, c.spin, atol=1e-9)
    # velocity = gradient of the band energy (finite differences)
    def band_e(kx, ky):
        ev = np.linalg.eigvalsh(m.hamiltonian(kx, ky))
        return ev[np.arange(c.k.size), idx]
    vx = (band_e(kx + h, ky) - band_e(kx - h, ky)) / (2 * h)
    vy = (band_e(kx, ky + h) - band_e(kx, ky - h)) / (2 * h)
    np.testing.assert_allclose(c.velocity, np.stack([vx, vy], 1), rtol=1e-6, atol=1e-6)


def test_re_g0_cutoff_regularisation_isotropic_analytic():
    # alpha = 0: g0 = diag(g(eps - Delta), g(eps + Delta)) with the analytic 2D integral
    # g(e) = -(m/2pi) ln|(c2 Lambda^2 - e)/e| - i (m/2) theta(e)  (sharp cutoff |k| < Lambda).
    for lam in (5.0, 20.0):
        for delta in (0.0, 0.003):
            m = model(alpha=0.0, exchange=delta, cutoff=lam)
            g0 = clean_local_green(m, n_phi=64)
            up = clean_local_green_isotropic(m.eps - 1e3 * delta, m.c2, lam)
            dn = clean_local_green_isotropic(m.eps + 1e3 * delta, m.c2, lam)
            np.testing.assert_allclose(g0, np.diag([up, dn]), rtol=1e-10, atol=1e-14)


def test_re_g0_log_divergence_with_cutoff_anisotropic():
    # Only the s_0 part of Re g0 depends on Lambda, as -(m/pi) ln Lambda (plus O(k_F^2/Lambda^2)).
    m1 = model(theta=0.8, cutoff=20.0)
    m2 = model(theta=0.8, cutoff=40.0)
    g1, g2 = clean_local_green(m1), clean_local_green(m2)
    mass = 1 / (2 * m1.c2)
    diff = pauli_components(g2 - g1)
    assert diff[0].real == pytest.approx(-(mass / np.pi) * math.log(2), rel=1e-3)
    assert np.max(np.abs(diff[1:])) < 2e-3 * abs(diff[0])
    # Im g0 from the partial fractions (independent path) equals the contour value
    assert np.allclose(g1.imag, g2.imag, atol=1e-14)


def test_im_g0_partial_fractions_agree_with_contour():
    # The imaginary part of the exact radial integrals (-pi * residues at the real roots)
    # is compared with the Fermi-ring quadrature used everywhere else.
    from sotfit.models import tmatrix as tm

    m = model(theta=0.9, fermi_energy=0.007)
    n_phi = 256
    phi = 2 * np.pi * np.arange(n_phi) / n_phi
    # finite-eta integral along rays with the retarded prescription, by brute force quadrature
    eta = 1e-3
    # dense grid around the Fermi momenta (resolution << eta / v_F), coarse outside
    k = np.concatenate([np.linspace(1e-7, 1.0, 60001)[:-1], np.linspace(1.0, m.lam, 4001)])
    kk, pp = np.meshgrid(k, phi[::8], indexing="ij")
    kx, ky = kk * np.cos(pp), kk * np.sin(pp)
    d = m.delta_vec
    zx = m.eps + 1j * eta - m.c2 * kk ** 2
    bx, by, bz = -m.a * ky + d[0], m.a * kx + d[1], d[2]
    den = zx ** 2 - (bx ** 2 + by ** 2 + bz ** 2)
    comps = [zx / den, bx / den, by / den, bz / den]  # (z - H)^-1 = (z - xi + b.s)/((z-xi)^2 - b^2)
    coef = [np.trapezoid(c * kk, k, axis=0).mean() / (2 * np.pi) for c in comps]
    integ = sum(c * tm.PAULI[i] for i, c in enumerate(coef))
    g0 = tm.clean_local_green(m, n_phi=n_phi)
    np.testing.assert_allclose(integ, g0, rtol=0, atol=2e-3 * np.abs(g0).max())


@pytest.mark.parametrize("theta", [0.0, 0.5, 1.3])
def test_optical_theorem_single_impurity(theta):
    m = model(theta=theta, u=5.0)
    c = fermi_contour(m)
    g0 = clean_local_green(m, c)
    tp = t_matrix(m, g0)
    tm_ = tp.conj().T
    # operator form: T+ - T- = T+ (g0+ - g0-) T-
    np.testing.assert_allclose(tp - tm_, tp @ (g0 - g0.conj().T) @ tm_, atol=1e-12 * np.abs(tp).max())
    # on-shell form with explicit band spinors: -Im <k|T+|k> = pi sum_k' |<k'|T+|k>|^2 delta(eps-E_k')
    kx, ky = c.k * np.cos(c.phi), c.k * np.sin(c.phi)
    e, vec = np.linalg.eigh(m.hamiltonian(kx, ky))
    idx = np.argmin(np.abs(e - m.eps), axis=1)
    psi = vec[np.arange(c.k.size), :, idx]
    amp = np.einsum("qi,ij,pj->qp", psi.conj(), tp, psi)  # <k'|T|k>
    lhs = -np.imag(np.einsum("pi,ij,pj->p", psi.conj(), tp, psi))
    rhs = np.pi * np.einsum("q,qp->p", c.weight, np.abs(amp) ** 2)
    np.testing.assert_allclose(lhs, rhs, rtol=1e-10)
    assert np.all(lhs > 0)


def test_t_matrix_born_series():
    # T = W + W g0 W + W g0 W g0 W + ... for weak potentials
    m = model(theta=0.7, u=0.01)
    g0 = clean_local_green(m)
    w = m.w
    series = w * np.eye(2)
    term = w * np.eye(2)
    for _ in range(6):
        term = w * g0 @ term
        series = series + term
    np.testing.assert_allclose(t_matrix(m, g0), series, rtol=1e-12)


def test_self_energy_structure_and_averaged_green():
    # seed 002 eq. 32: Sigma = n (g_a + i Gamma_a) s_a with g_2 = Gamma_2 = 0 for m in the x-z plane
    m = model(theta=0.6)
    g0 = clean_local_green(m)
    sig = self_energy(m, t_matrix(m, g0))
    comp = pauli_components(sig)
    assert abs(comp[2]) < 1e-12 * abs(comp[0])
    assert comp[0].imag < 0 and abs(comp[1]) > 0 and abs(comp[3]) > 0
    # the averaged Green's function solves (eps - H - Sigma) G = 1 and G- = (G+)^dagger
    gp = averaged_green(m, 0.3, -0.2, sig, +1)
    gm = averaged_green(m, 0.3, -0.2, sig, -1)
    np.testing.assert_allclose(gm, gp.conj().T, atol=1e-14)
    np.testing.assert_allclose((m.eps * np.eye(2) - m.hamiltonian(0.3, -0.2) - sig) @ gp,
                               np.eye(2), atol=1e-12)


@pytest.mark.parametrize("theta", [0.0, 0.4, 1.1])
def test_diffuson_zero_mode_is_the_ward_identity(theta):
    r = response(model(theta=theta))
    zm = r.extra["zero_mode"]
    np.testing.assert_allclose(r.m_mat @ zm, zm, atol=1e-12 * np.abs(zm).max())
    # the two ladder placements (spin vertex, eq. 22; current vertex, eqs. 23-27) agree
    np.testing.assert_allclose(r.K_spin_vertex, r.K, rtol=0, atol=1e-9 * np.abs(r.K).max())


def test_drude_conductivity_when_soc_and_exchange_vanish():
    # alpha, Delta_xc -> 0: sigma = n_e e^2 tau / m with 1/tau = 2 n gamma / hbar, gamma = -Im T
    # from the analytic 2D delta-potential T-matrix (independent of the ray code).
    m = model(alpha=0.0, exchange=0.0, density=1e-4, u=3.0)
    r = response(m)
    g0 = clean_local_green_isotropic(m.eps, m.c2, m.lam)
    t = m.w / (1 - m.w * g0)
    gamma_j = -t.imag * m.density * 1e-3 * C.e  # n*gamma in J
    tau = C.hbar / (2 * gamma_j)
    mass = m.mass * C.m_e
    kf2 = 2 * mass * m.fermi_energy * C.e / C.hbar ** 2
    n_e = kf2 / (2 * np.pi)  # both spins
    drude = n_e * C.e ** 2 * tau / mass
    assert r.sigma[0, 0] == pytest.approx(drude, rel=1e-5)
    assert r.sigma[1, 1] == pytest.approx(drude, rel=1e-5)
    assert abs(r.sigma[0, 1]) < 1e-12 * drude
    # the limit is continuous: weak SOC and exchange change sigma only at second order
    for a in (1e-4, 1e-3):
        ra = response(model(alpha=a, exchange=a / 10, theta=0.4, density=1e-5, u=3.0))
        ra0 = r.sigma[0, 0] * (1e-4 / 1e-5)
        assert abs(ra.sigma[0, 0] / ra0 - 1) < 20 * (1e3 * a) ** 2 / m.eps
    # the Born value: 1/tau = n u^2 R^4 m / hbar^3 as u -> 0
    mw = model(alpha=0.0, exchange=0.0, density=1e-4, u=1e-3)
    rb = response(mw, approximation="born")
    w_si = mw.u * C.e * (mw.radius * 1e-9) ** 2
    tau_b = C.hbar ** 3 / ((mw.density * 1e18) * w_si ** 2 * mass)
    assert rb.sigma[0, 0] == pytest.approx(n_e * C.e ** 2 * tau_b / mass, rel=1e-6)


@pytest.mark.parametrize("theta,eps", [(0.0, 0.010), (0.5, 0.010), (1.0, 0.012), (0.0, 0.003),
                                       (0.6, 0.004)])
def test_born_limit_kills_skew_components(theta, eps):
    # seed 002 text after eq. 31: in the FBA K_zx = K_zy = K_xx = K_yy = 0.
    # K_zy vanishes only when the Fermi level crosses both bands ("when eps > Delta_xc"); inside
    # the spin gap (one ring) the first Born approximation already gives K_zy != 0 for m_x != 0.
    r = response(model(theta=theta, fermi_energy=eps), approximation="born")
    k = r.K
    scale = abs(k[0, 1])
    both_bands = set(r.contour.band) == {1.0, -1.0}
    for a, b in [(0, 0), (1, 1), (2, 0)]:
        assert abs(k[a, b]) < 1e-10 * scale, (a, b, k)
    if both_bands or theta == 0.0:
        assert abs(k[2, 1]) < 1e-10 * scale
    else:
        assert abs(k[2, 1]) > 1e-2 * scale
    # and the full T-matrix gives them (skew scattering) when m_z != 0
    rt = response(model(theta=theta, fermi_energy=eps))
    assert abs(rt.K[1, 1]) > 1e-4 * abs(rt.K[0, 1])


def test_born_rashba_edelstein_scales_as_u_minus_two():
    r1 = response(model(theta=0.5, u=1.0), approximation="born")
    r2 = response(model(theta=0.5, u=2.0), approximation="born")
    np.testing.assert_allclose(r1.K[0, 1] / r2.K[0, 1], 4.0, rtol=1e-12)
    np.testing.assert_allclose(r1.K[1, 0] / r2.K[1, 0], 4.0, rtol=1e-12)
    # and the full T-matrix approaches the Born value for weak potentials
    rt = response(model(theta=0.5, u=1e-3))
    rb = response(model(theta=0.5, u=1e-3), approximation="born")
    assert rt.K[0, 1] == pytest.approx(rb.K[0, 1], rel=1e-3)


@pytest.mark.parametrize("theta", [0.3, 0.9])
def test_parity_in_m(theta):
    # m -> -m (theta -> theta + pi): K_xx, K_yy, K_zx odd (damping-like), K_xy, K_yx, K_zy even
    # (field-like), so every torque efficiency is even (eq. 3).
    a = response(model(theta=theta, fermi_energy=0.008))
    b = response(model(theta=theta + np.pi, fermi_energy=0.008))
    sign = np.array([[-1, 1], [1, -1], [-1, 1]])
    np.testing.assert_allclose(b.K_J, sign * a.K_J, rtol=1e-6, atol=1e-9 * np.abs(a.K_J).max())
    ta, tb = a.torques(), b.torques()
    for key in ta:
        assert tb[key] == pytest.approx(ta[key], rel=1e-5)


def test_torque_decomposition_inverts_eq3():
    # Build the effective field of eq. (3) from chosen efficiencies and recover them (eq. 4).
    theta = 0.7
    mvec = np.array([math.sin(theta), 0, math.cos(theta)])
    t1e, t2e, t1o, t2o, lam_x, lam_y = 0.3, -0.2, 1.5, 0.4, 0.11, -0.7
    z = np.array([0, 0, 1.0])
    cols = []
    for jv, lam in ((np.array([1.0, 0, 0]), lam_x), (np.array([0, 1.0, 0]), lam_y)):
        h = (-t1e * np.cross(mvec, np.cross(z, jv)) - t2e * z * (mvec @ jv)
             - t1o * np.cross(z, jv) - t2o * np.cross(mvec, z) * (mvec @ jv) + lam * mvec)
        # torque check: H x m equals the eq. (3) combination
        tq = np.cross(h, mvec)
        ref = (t1e * np.cross(mvec, np.cross(mvec, np.cross(z, jv)))
               + t2e * np.cross(mvec, z) * (mvec @ jv) + t1o * np.cross(mvec, np.cross(z, jv))
               + t2o * np.cross(mvec, np.cross(mvec, z)) * (mvec @ jv))
        np.testing.assert_allclose(tq, ref, atol=1e-14)
        cols.append(h)
    kj = np.array(cols).T
    out = torque_efficiencies(kj, theta)
    assert out["tau1_e"] == pytest.approx(t1e)
    assert out["tau2_e"] == pytest.approx(t2e)
    assert out["tau1_o"] == pytest.approx(t1o)
    assert out["tau2_o"] == pytest.approx(t2o)


def test_bad_input_messages():
    # Fermi energy below the band bottom
    m = model(fermi_energy=-0.006)
    assert band_bottom(m) == pytest.approx(-0.0048, rel=1e-9)
    with pytest.raises(TMatrixError, match="below the bottom of the lower band"):
        response(m)
    # non-dilute impurities
    with pytest.raises(DiluteLimitError, match="non-dilute"):
        response(model(density=0.5))
    # cutoff too small
    with pytest.raises(TMatrixError, match="cutoff .* too small"):
        response(model(radius=1.0))
    with pytest.raises(TMatrixError, match="'density'"):
        model(density=-1.0)
    with pytest.raises(TMatrixError, match="approximation"):
        response(model(), approximation="gaussian-ish")


@pytest.mark.parametrize("eps,theta", [(0.0045, 1.2), (0.0045, 0.3), (0.0055, 0.8), (0.003, 0.0),
                                       (0.010, 1.5)])
def test_ring_integrals_converge_exponentially(eps, theta):
    # Rays start from a centre inside every ring (the band minimum for the small upper ring
    # that does not enclose k = 0 above the critical angle), so the angular integrands are
    # smooth and periodic: 96 and 384 rays agree to ~1e-10.
    m = model(fermi_energy=eps, theta=theta, exchange=0.005)
    a = response(m, n_phi=96)
    b = response(m, n_phi=384)
    np.testing.assert_allclose(a.K_J, b.K_J, rtol=0, atol=1e-9 * np.abs(b.K_J).max())
    np.testing.assert_allclose(a.g0, b.g0, rtol=0, atol=1e-10 * np.abs(b.g0).max())


def test_leading_order_n_matrix_matches_literal_eq20_with_averaged_green_functions():
    # N_ab = (n/2) sum_p tr[s_a G+ s_b G-] (eq. 20) by brute-force 2D quadrature of the
    # disorder-averaged Green's functions of eq. 15 (full matrix self-energy Sigma = nT) agrees
    # with the Fermi-ring (pole) evaluation to the order of the dilute parameter n*Gamma/alpha p_F.
    m = model(fermi_energy=0.008, exchange=0.005, theta=0.4, u=1.8)
    r = response(m)
    sig = pauli_components(r.sigma_plus)
    k = np.concatenate([np.linspace(1e-6, 1.2, 12001)[:-1], np.linspace(1.2, 5.0, 2001)])
    phi = 2 * np.pi * np.arange(32) / 32
    kk, pp = np.meshgrid(k, phi, indexing="ij")
    kx, ky = kk * np.cos(pp), kk * np.sin(pp)
    d = m.delta_vec

    def green(s):  # Pauli components of (eps - H - Sigma)^-1
        z0 = m.eps - m.c2 * kk ** 2 - s[0]
        hx, hy, hz = -m.a * ky + d[0] + s[1], m.a * kx + d[1] + s[2], d[2] + s[3]
        den = z0 ** 2 - (hx ** 2 + hy ** 2 + hz ** 2)
        return np.stack([z0 / den, hx / den, hy / den, hz / den], -1)

    gp, gm = green(sig), green(sig.conj())
    tr4 = np.einsum("aij,cjk,bkl,dli->acbd", PAULI, PAULI, PAULI, PAULI)
    prod = np.einsum("kpc,kpd->kpcd", gp, gm) * (kk / (2 * np.pi) ** 2)[..., None, None]
    integ = np.trapezoid(prod, k, axis=0).mean(axis=0) * 2 * np.pi
    n_lit = (m.density / 2) * np.einsum("acbd,cd->ab", tr4, integ)
    assert np.abs(n_lit.imag).max() < 1e-6 * np.abs(r.n_mat).max()
    rel = np.abs(n_lit.real - r.n_mat).max() / np.abs(r.n_mat).max()
    assert rel < 3 * r.broadening_ratio


@pytest.mark.parametrize("theta,eps", [(0.4, 0.008), (1.0, 0.0045), (0.7, 0.003)])
def test_onsager_relation_for_the_conductivity(theta, eps):
    # sigma_ab(m) = sigma_ba(-m): the skew-scattering (anomalous Hall) part is odd in m and
    # antisymmetric, the longitudinal part even.
    a = response(model(theta=theta, fermi_energy=eps, exchange=0.005))
    b = response(model(theta=theta + np.pi, fermi_energy=eps, exchange=0.005))
    np.testing.assert_allclose(a.sigma, b.sigma.T, rtol=0, atol=1e-9 * np.abs(a.sigma).max())
    assert abs(a.sigma[0, 1]) > 1e-4 * a.sigma[0, 0]  # a genuine Hall part is present


def _boltzmann_with_t_matrix_rates(r):
    """Independent route: the linearised Boltzmann equation on the Fermi-ring points with the
    exact single-impurity rates W(p -> q) = 2 pi n |<q|T+|p>|^2 (skew scattering included),
    charge neutrality sum_p g_p = 0. Returns (K, sigma) per unit e E (internal units)."""
    c, tp, n = r.contour, r.t_plus, r.model.density
    s, w = c.spin, c.weight
    th = np.arccos(np.clip(s[:, 3], -1, 1))
    ph = np.arctan2(s[:, 2], s[:, 1])
    psi = np.stack([np.cos(th / 2), np.exp(1j * ph) * np.sin(th / 2)], 1)  # band spinors
    rate = 2 * np.pi * n * np.abs(np.einsum("qi,ij,pj->qp", psi.conj(), tp, psi)) ** 2
    coll = rate * w[None, :] - np.diag((rate * w[:, None]).sum(0))  # in - out scattering
    lhs = np.vstack([coll, w[None]])
    k, sig = np.zeros((3, 2)), np.zeros((2, 2))
    for b in range(2):  # -e E.v_q = (coll g)_q
        g = np.linalg.lstsq(lhs, np.concatenate([-c.velocity[:, b], [0.0]]), rcond=None)[0]
        k[:, b] = (w * g) @ s[:, 1:]
        sig[:, b] = (w * g) @ c.velocity
    return k, sig


@pytest.mark.parametrize("theta,eps", [(0.6, 0.008), (1.0, 0.0045), (0.0, 0.003)])
def test_ladder_equals_boltzmann_with_t_matrix_rates_and_fixes_eq24_order(theta, eps):
    # At leading order in n the Kubo-Streda ladder is the Boltzmann equation with the golden-rule
    # rates of the full T-matrix: K and sigma agree to rounding, skew (Hall, damping-like) parts
    # included. The ladder ordered as printed in eq. (24) (T- ... T+, i.e. Upsilon transposed)
    # flips the sign of those parts (K_xx, K_yy, K_zx, sigma_xy) and disagrees.
    r = response(model(theta=theta, fermi_energy=eps, exchange=0.005, u=1.8), n_phi=96)
    kb, sb = _boltzmann_with_t_matrix_rates(r)
    ki, si = r.extra["K_internal"], r.extra["sigma_internal"]
    np.testing.assert_allclose(kb, ki, rtol=0, atol=1e-12 * np.abs(ki).max())
    np.testing.assert_allclose(sb, si, rtol=0, atol=1e-12 * np.abs(si).max())
    # the printed order of eq. (24): rebuild the current-vertex ladder with Upsilon^T
    n, nm, ups = r.model.density, r.n_mat, r.upsilon.T
    bub = r.extra["bubble"]
    lhs = np.vstack([np.eye(4) - ups @ nm, nm[0][None] / (np.pi * n)])
    x = np.stack([np.linalg.lstsq(lhs, np.concatenate([np.pi * n * ups @ bub[:, b],
                                                       [-bub[0, b]]]), rcond=None)[0]
                  for b in range(2)], axis=1)
    k_printed = bub[1:] + nm[1:] @ x / (np.pi * n)
    np.testing.assert_allclose(k_printed[0, 1], ki[0, 1], rtol=1e-9)  # REE unchanged
    np.testing.assert_allclose(k_printed[0, 0], -ki[0, 0], rtol=1e-9)  # skew part flipped
    assert abs(ki[0, 0]) > 1e-3 * abs(ki[0, 1])


@pytest.mark.parametrize("theta", [40.0, -7.0, 90.0])
def test_theta_beyond_two_pi_is_refused_as_degrees(theta):
    """theta is in radians: 40 (degrees by mistake) was evaluated at 40 rad."""
    from sotfit.models.tmatrix.model import RashbaFerromagnet, TMatrixError

    with pytest.raises(TMatrixError, match="theta.*radians"):
        RashbaFerromagnet(fermi_energy=0.01, exchange=0.0048, alpha=0.017, theta=theta, u=0.3,
                          radius=1.0, density=5e-4)
    RashbaFerromagnet(fermi_energy=0.01, exchange=0.0048, alpha=0.017, theta=1.2, u=0.3,
                      radius=1.0, density=5e-4)
