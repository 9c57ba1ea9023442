"""The vectorised map code (tmatrix.batch) reproduces the single-point response exactly."""

import math

import numpy as np
import pytest

from sotfit.models.tmatrix import DiluteLimitError, RashbaFerromagnet, response
from sotfit.models.tmatrix.batch import efficiency_map, response_batch

IMP = dict(exchange=0.005, alpha=0.017, u=1.8, radius=0.2, density=5e-4)


@pytest.mark.parametrize("approximation", ["tmatrix", "born"])
def test_map_equals_single_point_response(approximation):
    energies = np.array([-2e-3, 4.5e-3, 5.5e-3, 1.2e-2])
    thetas = np.radians([10.0, 40.0, 75.0, 130.0])
    r = efficiency_map(energies, thetas, approximation=approximation, n_phi=256, **IMP)
    for i, e in enumerate(energies):
        for j, th in enumerate(thetas):
            if not r["valid"][i, j]:
                with pytest.raises(DiluteLimitError):
                    response(RashbaFerromagnet(fermi_energy=e, theta=th, **IMP), approximation)
                continue
            s = response(RashbaFerromagnet(fermi_energy=e, theta=th, **IMP), approximation)
            np.testing.assert_allclose(r["K_J"][i, j], s.K_J, rtol=0, atol=1e-10 * np.abs(s.K_J).max())
            np.testing.assert_allclose(r["sigma"][i, j], s.sigma, rtol=0, atol=1e-10 * np.abs(s.sigma).max())
            t = s.torques()
            for key in t:
                assert r[key][i, j] == pytest.approx(t[key], rel=1e-8, abs=1e-8 * abs(t["tau1_o"]))
            assert r["n_bands"][i, j] == len(set(s.contour.band))


def test_map_masks_points_beyond_the_dilute_limit():
    # just above the upper-band edge the new Fermi ring is smaller than the broadening
    r = efficiency_map([4.5e-3], [math.radians(42.9)], **IMP)
    assert not r["valid"][0, 0] and np.isnan(r["tau1_o"][0, 0])
    with pytest.raises(DiluteLimitError, match="non-dilute"):
        response_batch(4.5e-3, math.radians(42.9), nondilute="raise", **IMP)


def test_batch_bad_input():
    from sotfit.models.tmatrix import TMatrixError, band_bottom

    bottom = band_bottom(RashbaFerromagnet(fermi_energy=-0.02, theta=0.3, **IMP))
    with pytest.raises(TMatrixError, match="below the bottom") as info:
        response_batch([-0.02, 0.01], 0.3, **IMP)
    assert f"({bottom:.4g} eV" in str(info.value) and "fermi_energy = -0.02 eV" in str(info.value)


def test_map_with_an_executor_matches_in_process():
    from concurrent.futures import ThreadPoolExecutor

    e, t = np.array([5e-3, 8e-3, 1.2e-2]), np.radians([20.0, 50.0])
    a = efficiency_map(e, t, chunk=2, **IMP)
    with ThreadPoolExecutor(max_workers=1) as ex:
        b = efficiency_map(e, t, chunk=2, executor=ex, **IMP)
    np.testing.assert_array_equal(a["K_J"], b["K_J"])


def test_fermi_level_exactly_at_a_band_edge_is_masked_not_fatal():
    # eps = Delta_xc at theta = 0: the upper ring has zero size (zero Fermi velocity), the
    # limit of a non-dilute point. A single point raises a clear error; a map masks the point
    # and computes its neighbours exactly as before.
    from sotfit.models.tmatrix import BandExtremumError

    with pytest.raises(BandExtremumError, match="band extremum"):
        response(RashbaFerromagnet(fermi_energy=5e-3, theta=0.0, **IMP))
    with pytest.raises(DiluteLimitError):
        response_batch(5e-3, 0.0, **IMP)
    e, t = np.array([4e-3, 5e-3, 6e-3]), np.array([0.0, 0.3])
    r = efficiency_map(e, t, **IMP)
    assert not r["valid"][1, 0] and r["n_bands"][1, 0] == 0 and np.isnan(r["tau1_o"][1, 0])
    assert r["valid"].sum() == 5
    ref = efficiency_map(e[[0, 2]], t, **IMP)
    # (per-point and batched evaluation differ only by rounding)
    np.testing.assert_allclose(r["K_J"][[0, 2]], ref["K_J"], rtol=0,
                               atol=1e-12 * np.abs(ref["K_J"]).max())
