"""Drift-diffusion thickness model: seed 003 eqs. (1)-(2), its limits, and planted-parameter recovery."""

import math
import warnings

import numpy as np
import pytest
from scipy import constants as C

import sotfit
from sotfit.data import Dataset
from sotfit.fitting import FitWarning
from sotfit.models import MODELS, ModelError
from sotfit.models import drift_diffusion as dd
from sotfit.models.efficiency import xi_from_xi_e

# Seed 003 NiFe/BiSb fit: Re G, Im G in 1e13 Ohm^-1 m^-2, lambda_s nm, sigma_s 1e5 (hbar/2e)/Ohm/m.
NIFE = dict(spin_hall_conductivity=3.68, spin_diffusion_length=24.8, re_g_mix=0.023,
            im_g_mix=0.133, resistivity=350.3)
COTB = dict(NIFE, re_g_mix=7.11, im_g_mix=0.0)


def seed003_eq1_eq2(t_nm, sigma_s, lam_nm, re_g, im_g, rho_uohmcm):
    """Seed 003 eqs. (1)-(2) written out in SI units, term by term, as printed."""
    t = np.asarray(t_nm) * 1e-9
    lam = lam_nm * 1e-9
    rho = rho_uohmcm * 1e-8
    hbar, e = C.hbar, C.e
    sig = sigma_s * 1e5 * hbar / (2 * e)          # (hbar/2e) Ohm^-1 m^-1 -> SI number
    a = 2 * lam * rho * re_g * 1e13
    b = 2 * lam * rho * im_g * 1e13
    th = np.tanh(t / lam)
    pre = (2 * e / hbar) * sig * (1 - 1 / np.cosh(t / lam))
    den = (a + th) ** 2 + b ** 2
    dl = pre * (a * (a + th) + b ** 2) / den
    fl = -pre * (b * th) / den
    return dl / 1e5, fl / 1e5                      # in 1e5 Ohm^-1 m^-1


GRID_T = np.concatenate([np.linspace(0.2, 5, 9), np.linspace(6, 70, 17), [120.0, 300.0]])


@pytest.mark.parametrize("lam", [1.5, 8.0, 24.8, 60.0])
@pytest.mark.parametrize("re_g,im_g", [(0.023, 0.133), (7.11, 0.0), (0.5, -0.4), (3.0, 2.0),
                                       (0.0, 0.2)])
def test_equals_seed003_equations_to_machine_precision(lam, re_g, im_g):
    p = dict(spin_hall_conductivity=3.68, spin_diffusion_length=lam, re_g_mix=re_g,
             im_g_mix=im_g, resistivity=350.3)
    dl_ref, fl_ref = seed003_eq1_eq2(GRID_T, 3.68, lam, re_g, im_g, 350.3)
    dl = dd.xi_e_dl(GRID_T, **p)
    fl = dd.xi_e_fl(GRID_T, **p)
    scale = np.max(np.abs(dl_ref)) + np.max(np.abs(fl_ref))
    assert np.max(np.abs(dl - dl_ref)) <= 1e-14 * scale
    assert np.max(np.abs(fl - fl_ref)) <= 1e-14 * scale
    # and they are Re and -Im of the one complex Haney et al. expression in g = 2 lambda rho G
    g = 2 * lam * 350.3 * (re_g + 1j * im_g) * 1e-4
    th = np.tanh(GRID_T / lam)
    z = 3.68 * (1 - 1 / np.cosh(GRID_T / lam)) * (g * (1 / th)) / (1 + g * (1 / th))
    np.testing.assert_allclose(z.real, dl_ref, rtol=1e-12, atol=1e-15 * scale)
    np.testing.assert_allclose(-z.imag, fl_ref, rtol=1e-12, atol=1e-15 * scale)


def test_model_specs_evaluate_the_functions():
    t = np.linspace(1, 70, 11)
    np.testing.assert_array_equal(MODELS["drift_diffusion_dl"](t, **NIFE), dd.xi_e_dl(t, **NIFE))
    np.testing.assert_array_equal(MODELS["drift_diffusion_fl"](t, **NIFE), dd.xi_e_fl(t, **NIFE))
    assert MODELS["drift_diffusion_dl"].param("resistivity").vary is False


def test_limit_thin_layer():
    """t -> 0: xi_DL ~ sigma t^2/(2 l^2), xi_FL ~ -sigma g_i t^3/(2 l^3 |g|^2)."""
    t = np.array([1e-4, 1e-3])
    lam = NIFE["spin_diffusion_length"]
    g = 2 * lam * 350.3 * (0.023 + 0.133j) * 1e-4
    dl = dd.xi_e_dl(t, **NIFE)
    fl = dd.xi_e_fl(t, **NIFE)
    np.testing.assert_allclose(dl / t**2, 3.68 / (2 * lam**2), rtol=1e-4)
    np.testing.assert_allclose(fl / t**3, -3.68 * g.imag / (2 * lam**3 * abs(g) ** 2), rtol=1e-3)
    assert dd.xi_e_dl(0.0, **NIFE) == 0.0 and dd.xi_e_fl(0.0, **NIFE) == 0.0
    # G = 0 and t = 0 together: no torque and no NaN
    assert dd.xi_e_dl(0.0, **dict(NIFE, re_g_mix=0.0, im_g_mix=0.0)) == 0.0


def test_limit_thick_layer():
    """t >> lambda_s: xi_DL - i xi_FL -> sigma_s g/(g+1)."""
    for p in (NIFE, COTB):
        g = 2 * p["spin_diffusion_length"] * 350.3 * (p["re_g_mix"] + 1j * p["im_g_mix"]) * 1e-4
        z = 3.68 * g / (g + 1)
        t = np.array([40 * p["spin_diffusion_length"], 1e5])
        np.testing.assert_allclose(dd.xi_e_dl(t, **p), z.real, rtol=1e-13)
        np.testing.assert_allclose(dd.xi_e_fl(t, **p), -z.imag, rtol=1e-13, atol=1e-15)


def test_huge_ratio_does_not_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = dd.xi_e_dl(np.array([1e4]), **dict(NIFE, spin_diffusion_length=1e-3))
    assert np.isfinite(v).all()


def test_limit_perfect_sink():
    """G -> infinity: xi_DL -> sigma [1 - sech(t/l)], xi_FL -> 0 (as 1/G)."""
    t = np.linspace(1, 70, 8)
    sink = 3.68 * (1 - 1 / np.cosh(t / 24.8))
    big = dict(NIFE, re_g_mix=1e4, im_g_mix=0.0)
    np.testing.assert_allclose(dd.xi_e_dl(t, **big), sink, rtol=5e-4)
    f1 = dd.xi_e_fl(t, **dict(NIFE, re_g_mix=1e3, im_g_mix=1e2))
    f2 = dd.xi_e_fl(t, **dict(NIFE, re_g_mix=1e4, im_g_mix=1e3))
    np.testing.assert_allclose(f2 / f1, 0.1, rtol=0.02)


def test_im_g_zero_is_the_pai_transparency_form():
    t = GRID_T
    for re_g in (0.023, 0.3, 7.11, 100.0):
        p = dict(NIFE, re_g_mix=re_g, im_g_mix=0.0)
        assert np.all(dd.xi_e_fl(t, **p) == 0.0)
        q = {k: v for k, v in p.items() if k != "im_g_mix"}
        np.testing.assert_allclose(dd.xi_e_dl_transparent(t, **q), dd.xi_e_dl(t, **p), rtol=1e-13)
        np.testing.assert_allclose(MODELS["drift_diffusion_dl_transparent"](t, **q),
                                   dd.xi_e_dl(t, **p), rtol=1e-13)
        # Pai et al.: thick-layer transparency 2G/(2G + G_N), G_N = 1/(rho lambda)
        g_n = 1 / (350.3e-8 * 24.8e-9) / 1e13
        assert dd.interface_transparency(1e4, 24.8, re_g, 350.3) == pytest.approx(
            2 * re_g / (2 * re_g + g_n), rel=1e-12)


def test_spin_memory_loss():
    t = np.linspace(2, 70, 12)
    p0 = dict(NIFE, g_sf=0.0)
    np.testing.assert_array_equal(dd.xi_e_dl(t, **p0), dd.xi_e_dl(t, **NIFE))
    prev = dd.xi_e_dl(t, **dict(COTB, g_sf=0.0))
    for gsf in (0.5, 2.0, 10.0):
        cur = dd.xi_e_dl(t, **dict(COTB, g_sf=gsf))
        assert np.all(cur < prev)                  # spin flips at the interface lose torque
        prev = cur
        # independent transcription: only G mu reaches the magnet, (G + G_sf) mu leaves the source
        g = 2 * 24.8 * 350.3 * 7.11e-4
        gs = 2 * 24.8 * 350.3 * gsf * 1e-4
        ref = 3.68 * (1 - 1 / np.cosh(t / 24.8)) * g / (g + gs + np.tanh(t / 24.8))
        np.testing.assert_allclose(cur, ref, rtol=1e-13)


def test_dimensionless_efficiency():
    t = np.linspace(2, 70, 7)
    np.testing.assert_allclose(dd.xi_dl(t, **COTB), xi_from_xi_e(dd.xi_e_dl(t, **COTB), 350.3),
                               rtol=1e-14)
    np.testing.assert_allclose(MODELS["drift_diffusion_xi_fl"](t, **NIFE),
                               xi_from_xi_e(dd.xi_e_fl(t, **NIFE), 350.3), rtol=1e-14)


def test_published_numbers_of_seed003():
    """CoTb/NiFe xi^E_DL ratio at 26 nm and the CoTb xi_DL = 0.51 +- 0.18 of seed 003."""
    ratio = dd.xi_e_dl(26.0, **COTB) / dd.xi_e_dl(26.0, **NIFE)
    # the fitted curves give 7.9; the seed reads "more than eight" off the data points
    assert 7.5 < ratio < 8.5
    xi = dd.xi_dl(np.array([26.0, 30.0]), **COTB)
    assert np.all(np.abs(xi - 0.51) < 0.18)


def test_negative_thickness_is_rejected():
    with pytest.raises(ModelError, match="thickness"):
        dd.xi_e_dl(np.array([5.0, -1.0]), **NIFE)


def test_sharvin_conductance():
    # seed 003: G_Sh = (1/hbar) (e k_F / 2 pi)^2 with k_F = (3 pi^2 n)^(1/3)
    for n_cm3 in (1e20, 1.2e21, 1.6e22):
        kf = (3 * math.pi**2 * n_cm3 * 1e6) ** (1 / 3)
        seed = (C.e * kf / (2 * math.pi)) ** 2 / C.hbar / 1e13
        assert dd.sharvin_conductance(n_cm3) == pytest.approx(seed, rel=1e-13)
        assert dd.sharvin_conductance(n_cm3, spins=1) == pytest.approx(seed / 2, rel=1e-13)
    lo, hi = dd.sharvin_conductance(np.array([1e20, 1.2e21]))
    assert lo == pytest.approx(1.271, abs=0.001) and hi == pytest.approx(6.664, abs=0.001)
    # The seed quotes 3-17 x 1e13 for this density range: ~2.5x the formula (docs/thickness.md).
    assert 2.3 < 3.0 / lo < 2.6 and 2.3 < 17.0 / hi < 2.6
    # Pt (1.6e22 cm^-3) over BiSb: the seed's "ratio of less than 30" holds (n^(2/3) scaling)
    assert dd.sharvin_conductance(1.6e22) / lo < 30
    with pytest.raises(ModelError):
        dd.sharvin_conductance(1e20, spins=3)


# ----------------------------------------------------------------- planted-parameter recovery

THICK = np.array([6, 8, 10, 13, 16, 20, 26, 33, 40, 50, 60, 70], float)


def synthetic_nife(rng, truth=NIFE):
    """NiFe/BiSb-like DL and FL series from eqs. (1)-(2) with 3 % + 0.003 errors.

    At this noise level the least-squares error of lambda_s is ~1.1 nm, close to the
    +-1.0 nm that seed 003 reports, i.e. the noise of the real data.
    """
    dl, fl = seed003_eq1_eq2(THICK, truth["spin_hall_conductivity"], truth["spin_diffusion_length"],
                             truth["re_g_mix"], truth["im_g_mix"], truth["resistivity"])
    edl = 0.03 * np.abs(dl) + 0.003
    efl = 0.03 * np.abs(fl) + 0.003
    ddl = Dataset(THICK, dl + edl * rng.standard_normal(THICK.size), edl, "thickness", "xi_e_dl",
                  "nm", "1e5 Ohm^-1 m^-1", {"source": "synthetic DL"})
    dfl = Dataset(THICK, fl + efl * rng.standard_normal(THICK.size), efl, "thickness", "xi_e_fl",
                  "nm", "1e5 Ohm^-1 m^-1", {"source": "synthetic FL"})
    return ddl, dfl


FREE = ("spin_hall_conductivity", "spin_diffusion_length", "re_g_mix", "im_g_mix")


def joint_fit(ddl, dfl):
    return sotfit.fit_global(
        [ddl, dfl], [MODELS["drift_diffusion_dl"], MODELS["drift_diffusion_fl"]],
        shared=list(MODELS["drift_diffusion_dl"].param_names),
        init={"spin_hall_conductivity": 3.0, "spin_diffusion_length": 15.0, "re_g_mix": 0.1,
              "im_g_mix": 0.1},
        fixed={"resistivity": 350.3}, guess=False)


def test_joint_least_squares_recovers_planted_parameters():
    r = joint_fit(*synthetic_nife(np.random.default_rng(3)))
    assert r.success
    for k in FREE:
        assert abs(r.value(k) - NIFE[k]) < 3 * r.stderr(k), (k, r.value(k), r.stderr(k))
    assert r.value("resistivity") == 350.3 and "resistivity" not in r.varied


def _coverage(nseeds):
    hits = {k: 0 for k in FREE}
    for s in range(nseeds):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)
            r = joint_fit(*synthetic_nife(np.random.default_rng(1000 + s)))
        for k in FREE:
            hits[k] += abs(r.value(k) - NIFE[k]) <= r.stderr(k)
    return {k: v / nseeds for k, v in hits.items()}


def _assert_coverage(cov, n):
    # binomial 3-sigma band around 0.683 for n intervals per parameter
    half = 3 * math.sqrt(0.683 * 0.317 / n)
    for k, c in cov.items():
        assert abs(c - 0.683) < half, (k, c, half)


def test_least_squares_coverage_small():
    n = 40
    _assert_coverage(_coverage(n), n)


@pytest.mark.slow
def test_least_squares_coverage_many_seeds():
    n = 400
    _assert_coverage(_coverage(n), n)


def test_global_nife_cotb_fit_shares_sigma_and_lambda():
    """NiFe DL+FL and CoTb DL in one fit: sigma_s, lambda_s, rho shared; each interface its own G."""
    rng = np.random.default_rng(11)
    ddl, dfl = synthetic_nife(rng)
    # Re G = 1 (g = 1.7) rather than the seed's 7.11 (g = 12): near the perfect-sink limit
    # the data bound Re G only from below (docs/thickness.md), a job for the posterior.
    tc = np.array([6, 8, 10, 13, 16, 20, 26, 30], float)
    yc = seed003_eq1_eq2(tc, 3.68, 24.8, 1.0, 0.0, 350.3)[0]
    ec = 0.05 * yc + 0.02
    dc = Dataset(tc, yc + ec * rng.standard_normal(tc.size), ec, "thickness", "xi_e_dl", "nm",
                 "1e5 Ohm^-1 m^-1", {"source": "synthetic CoTb DL"})
    m_dl, m_fl = MODELS["drift_diffusion_dl"], MODELS["drift_diffusion_fl"]
    r = sotfit.fit_global(
        [ddl, dfl, dc], [m_dl, m_fl, m_dl],
        shared=["spin_hall_conductivity", "spin_diffusion_length", "resistivity", "g_sf"],
        init={"spin_hall_conductivity": 3.0, "spin_diffusion_length": 15.0, "re_g_mix": 0.1,
              "im_g_mix": 0.1, "re_g_mix_2": 0.5},
        fixed={"resistivity": 350.3, "im_g_mix_2": 0.0},
        exprs={"re_g_mix_1": "re_g_mix_0", "im_g_mix_1": "im_g_mix_0"}, guess=False)
    assert r.success, r.message
    truth = {"spin_hall_conductivity": 3.68, "spin_diffusion_length": 24.8, "re_g_mix_0": 0.023,
             "im_g_mix_0": 0.133, "re_g_mix_2": 1.0}
    for k, v in truth.items():
        assert abs(r.value(k) - v) < 3 * r.stderr(k), (k, r.value(k), r.stderr(k))
    assert r.value("re_g_mix_1") == r.value("re_g_mix_0")
    assert r.value("im_g_mix_2") == 0.0
