"""k·p Hamiltonians: Hermiticity, velocity operators, bad input."""

import numpy as np
import pytest

from sotfit.models.kp.hamiltonians import (PAULI, DiracRashbaExchange, MatrixModel,
                                           NonHermitianError, Rashba2DEG, TMDCCrI3,
                                           hbar_v_from_velocity)

MODELS = [Rashba2DEG(m=(1, 1, 1)), DiracRashbaExchange(m=(0.2, 0.3, 1)),
          TMDCCrI3(valley=1, m=(1, 0, 1)), TMDCCrI3(valley=-1, m=(1, 0, 1))]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.name}")
def test_builtin_models_hermitian_and_velocity_is_derivative(model):
    model.check_hermitian()
    k = np.array([0.31, -0.2])
    h = 1e-6
    d = model.dh(k[0], k[1])
    num_x = (model.hamiltonian(k[0] + h, k[1]) - model.hamiltonian(k[0] - h, k[1])) / (2 * h)
    num_y = (model.hamiltonian(k[0], k[1] + h) - model.hamiltonian(k[0], k[1] - h)) / (2 * h)
    np.testing.assert_allclose(d[0], num_x, atol=1e-8)
    np.testing.assert_allclose(d[1], num_y, atol=1e-8)


def test_2deg_spectrum():
    """E = hbar^2k^2/2m -+ (1/2) sqrt(J^2 + alpha^2 k^2 + ...) for m = z."""
    m = Rashba2DEG(m_eff=0.5, alpha_r=0.05, j_ex=0.03)
    k = 0.4
    e = np.linalg.eigvalsh(m.hamiltonian(k, 0.0))
    kin = 0.0762 * k**2 / (2 * 0.5)
    b = np.hypot(m.j_ex, m.alpha_r * k)
    np.testing.assert_allclose(e, [kin - b / 2, kin + b / 2], rtol=2e-3)


def test_tmdc_table_numbers_give_band_edges():
    """At k = 0, lambda_R = 0, m = z: conduction edges Delta/2 +- (lambda_c + B_c) (seed 000 eq. 14)."""
    t = TMDCCrI3(lambda_r=0.0, valley=1)
    e = np.sort(np.linalg.eigvalsh(t.hamiltonian(0.0, 0.0)))
    a1 = t.lambda_c + t.b_c + t.delta / 2
    a3 = -t.lambda_c - t.b_c + t.delta / 2
    a2 = t.lambda_v + t.b_v - t.delta / 2
    a4 = -t.lambda_v - t.b_v - t.delta / 2
    np.testing.assert_allclose(e, np.sort([a1, a2, a3, a4]), atol=1e-12)
    assert hbar_v_from_velocity(5.873e5) == pytest.approx(0.38656, rel=1e-4)


def test_non_hermitian_model_rejected():
    def h(kx, ky, m):
        kx = np.asarray(kx)[..., None, None]
        return kx * PAULI[1] + 0.1j * PAULI[0] * np.ones_like(kx)   # i*identity: not Hermitian

    def dh(kx, ky, m):
        kx = np.asarray(kx)[..., None, None]
        one = np.ones_like(kx)
        return np.stack([one * PAULI[1], 0 * one * PAULI[1]])

    with pytest.raises(NonHermitianError, match="'bad'.*H\\(k\\) is not Hermitian"):
        MatrixModel(h=h, dh_func=dh, spin_ops=PAULI[1:], name="bad")


def test_bad_magnetisation_and_valley():
    with pytest.raises(ValueError, match="non-zero 3-vector"):
        Rashba2DEG(m=(0, 0, 0))
    with pytest.raises(ValueError, match="valley"):
        TMDCCrI3(valley=2)
