"""Method (d) sees when its model misses the data: each curve's rms residual against a noise
estimate that owes nothing to the macrospin model (docs/hall.md, "Sanity gates").

Each curve's standard error comes from its own first-fit residual, so chi-square is about 1
whatever the data; the misfit gate alone says whether the model describes them. It called a
curve missed only above 2 % (first harmonic) or 10 % (second) of the set's largest range, and a
fixed H_K 6 % off (H_DL 10 standard errors off, residual 400 times the noise) or an ordinary
Nernst term held at 0 (H_DL 34 standard errors off) passed without a flag.
"""

import numpy as np
import pytest

from sotfit.analysis.hall import macrospin
from sotfit.analysis.hall.leastsq import _at_bound
from sotfit.data import Dataset
from sotfit.io.hall import HallScan
from sotfit.models.harmonic_hall import hall_harmonics, scan_fields

# a perpendicular film; the noise of a lock-in at 2 mA (5e-6 Ohm), 4 deg steps
PMA = dict(r_ahe=2.0, r_phe=0.3, mu0_hk=0.8, mu0_h_dl=1.5e-3, mu0_h_fl=-0.9e-3, r_ane=3e-4)
NOISE = 5e-6
CURVES = (("xz_1.2T", "theta", dict(field=1.2, phi_h=0.0)),
          ("yz_1.2T", "theta", dict(field=1.2, phi_h=90.0)),
          ("xz_2.0T", "theta", dict(field=2.0, phi_h=0.0)),
          ("ip_1.5T", "phi", dict(field=1.5, theta_h=90.0)))


def _scans(seed=1, r_one=0.0, tilt=(0.0, 0.0)):
    """xz, yz and in-plane rotations of PMA from sotfit's forward model, with white noise."""
    rng = np.random.default_rng(seed)
    out = []
    for name, scan, kw in CURVES:
        x = np.arange(-180.0, 180.0, 4.0) if scan == "theta" else np.arange(0.0, 360.0, 4.0)
        b = scan_fields(x, scan, tilt_x=tilt[0], tilt_y=tilt[1], **kw)
        r1, r2 = hall_harmonics(b, **PMA, r_one=r_one)
        meta = dict(source=name, scan=scan, **kw)
        out.append(HallScan(Dataset(x, r1 + 0.01 + rng.normal(0, NOISE, x.size), meta=meta),
                            Dataset(x, r2 + rng.normal(0, NOISE, x.size), meta=meta), scan, meta))
    return out


def _missed(res, name, harmonic):
    return [f for f in res.flags.get(name, []) if f"misses the {harmonic} harmonic" in f]


def test_a_wrong_fixed_anisotropy_field_flags_the_torque_fields_and_names_the_option():
    """H_K given 6 % low: the first harmonics of the polar rotations are missed by hundreds of
    times their noise (0.5 % of the range, under the 2 % gate), and H_DL is 10 standard errors
    off. The torque fields are flagged, with how much and the value given."""
    res = macrospin(_scans(), fixed={"mu0_hk": 0.75})
    q = res.quantities["mu0_h_dl"]
    assert abs(q.nominal_value - PMA["mu0_h_dl"]) > 5 * q.std_dev          # the wrong number
    for name in ("mu0_h_dl", "mu0_h_fl_oe", "r_ane"):
        said = _missed(res, name, "first")
        assert said, name
        assert "times its noise" in said[0] and "mu0_hk = 0.75 T (--hk/--meff)" in said[0]


def test_an_ordinary_nernst_term_held_at_zero_is_flagged_and_named():
    """r_one = 3e-4 Ohm/T in the data, held at 0 by default: H_DL 34 standard errors off with
    the second harmonics missed by 8-10 times their noise (1 % of the range). Flagged, naming
    --free r_one; freed, it is recovered and nothing is flagged."""
    held = macrospin(_scans(r_one=3e-4))
    q = held.quantities["mu0_h_dl"]
    assert abs(q.nominal_value - PMA["mu0_h_dl"]) > 5 * q.std_dev
    for name in ("mu0_h_dl", "mu0_h_fl_oe", "r_ane"):
        said = _missed(held, name, "second")
        assert said and "--free r_one" in said[0], name
    free = macrospin(_scans(r_one=3e-4), free=("r_one",))
    assert free.flags == {}
    q = free.quantities["mu0_h_dl"]
    assert abs(q.nominal_value - PMA["mu0_h_dl"]) < 3 * q.std_dev


def test_a_tilt_held_at_zero_is_named_before_the_in_plane_anisotropy():
    """A field tilted by 0.6/0.4 deg, fitted with the tilts held at 0: the first-harmonic misfit
    names --free tilt_x,tilt_y, not only the in-plane anisotropy it also holds."""
    res = macrospin(_scans(tilt=(0.6, 0.4)))
    said = _missed(res, "mu0_h_dl", "first")
    assert said and "--free tilt_x,tilt_y" in said[0]
    assert said[0].index("--free tilt_x,tilt_y") < said[0].index("--free mu0_h_ip,ip_axis")


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_model_that_made_the_data_is_not_called_a_misfit(seed):
    """False alarms: the model of the data over five noise seeds flags nothing."""
    res = macrospin(_scans(seed=seed))
    assert res.flags == {}, res.flags


def test_the_model_free_noise_is_the_noise_and_zero_without_noise():
    """Pure noise of standard deviation 1: the estimate is 1 within 10 % on average (rotations
    of 90-121 points, sweeps of 41). Noise-free macrospin curves: far below their range (polar
    rotations near the anisotropy field, in-plane rotations at 5-20 mT, field sweeps)."""
    from sotfit.analysis.hall.macrospin_gates import _model_free_noise, misfit_factor

    rng = np.random.default_rng(3)
    for scan, x in (("theta", np.arange(-180.0, 180.0, 3.0)), ("phi", np.arange(0.0, 360.0, 4.0)),
                    ("field", np.linspace(-0.1, 0.1, 41))):
        est = [_model_free_noise(scan, x, rng.normal(0, 1, x.size)) for _ in range(200)]
        assert np.mean(est) == pytest.approx(1.0, abs=0.1), scan
        assert 2.0 < misfit_factor(scan, x) < 4.0, scan
    x = np.arange(-180.0, 180.0, 3.0)
    for field in (1.0, 1.2, 2.0):
        for phi_h in (0.0, 90.0):
            r1, r2 = hall_harmonics(scan_fields(x, "theta", field=field, phi_h=phi_h), **PMA)
            for r in (r1, r2):
                assert _model_free_noise("theta", x, r) < 2e-5 * np.ptp(r), (field, phi_h)
    x = np.arange(0.0, 360.0, 4.0)
    for field in (0.005, 0.02, 0.1):
        r1, r2 = hall_harmonics(scan_fields(x, "phi", field=field, theta_h=90.0), 0.5, 0.1, -1.0, 5e-4,
                                3e-4, 5e-4, mu0_h_ip=1e-3, ip_axis=30.0)
        for r in (r1, r2):
            assert _model_free_noise("phi", x, r) < 1e-4 * np.ptp(r), field
    x = np.linspace(-0.1, 0.1, 41)
    r1, r2 = hall_harmonics(scan_fields(x, "field", theta_h=90.0, phi_h=0.0), **PMA, state=np.ones(41))
    for r in (r1, r2):
        assert _model_free_noise("field", x, r) < 1e-4 * np.ptp(r)


def test_a_value_a_thousandth_of_its_error_from_a_bound_is_at_the_bound():
    """A tilt of 19.99979 +- 0.22 deg with its bound at +20 deg: 0.001 standard errors from it,
    but 2.1e-4 deg, beyond numpy's default tolerance (2e-4): it was not called at its bound."""
    assert _at_bound(19.99979, -20.0, 20.0, 0.22)
    assert _at_bound(-19.99979, -20.0, 20.0, float("nan"))          # by the width of the range
    assert not _at_bound(19.9, -20.0, 20.0, 0.22)
    assert not _at_bound(19.99979, -20.0, 20.0)                       # without an error: as before
