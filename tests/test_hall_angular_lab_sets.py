"""Method (c) on polar rotations as laboratories write them (docs/hall.md, method (c)).

yz rotations whose plane no column, preamble entry or option gives were read as xz: the
field-like field gives their second harmonic opposite slopes at the two poles, which the one
slope of each field averaged away, and mu0_h_dl came out 0.2 +- 1.3 mT for 2 mT with the flag
'consistent with zero' alone. They are refused, naming the plane and --method macrospin.
"""

import numpy as np
import pytest

from sotfit.analysis.hall import HallAnalysisError, angular
from sotfit.data import Dataset
from sotfit.io.hall import HallScan
from sotfit.models.harmonic_hall import hall_harmonics, scan_fields

PMA = dict(r_ahe=1.2, r_phe=0.15, mu0_hk=0.6, mu0_h_dl=2e-3, mu0_h_fl=1e-3, r_ane=2e-4)
FIELDS = (0.9, 1.3, 1.8, 2.5)


def _rotations(phi_h, seed=2, tilt=(0.3, -0.4)):
    """Polar rotations in the plane at ``phi_h`` (deg), read as the reader reads a file that does
    not give the plane: phi_h = 0, phi_h_assumed."""
    rng = np.random.default_rng(seed)
    x = np.arange(-180.0, 180.0, 3.0)
    out = []
    for f in FIELDS:
        b = scan_fields(x, "theta", field=f, phi_h=phi_h, phi0=1.0, tilt_x=tilt[0], tilt_y=tilt[1])
        r1, r2 = hall_harmonics(b, **PMA)
        meta = dict(source=f"rot_{f:g}T", scan="theta", field=f, phi_h=0.0, phi_h_assumed=True)
        out.append(HallScan(Dataset(x, r1 + 0.01 + rng.normal(0, 4e-6, x.size), meta=meta),
                            Dataset(x, r2 + rng.normal(0, 4e-6, x.size), meta=meta), "theta", meta))
    return out


def test_yz_rotations_read_as_xz_are_refused_naming_their_plane():
    with pytest.raises(HallAnalysisError, match=r"4 of 4 fields.*opposite.*no phi_h column.*"
                                                r"--phi-h 90deg.*--method macrospin"):
        angular(_rotations(90.0), r_phe=0.15, mu0_h_fl=1e-3)


def test_xz_rotations_with_tilts_give_the_planted_damping_like_field():
    """The same sample's xz rotations (tilted 0.3/-0.4 deg, phi0 1 deg): the pole slopes differ
    by a few per cent, which is no reason to refuse, and H_DL is recovered."""
    res = angular(_rotations(0.0), r_phe=0.15, mu0_h_fl=1e-3)
    q = res.quantities["mu0_h_dl"]
    assert abs(q.nominal_value - PMA["mu0_h_dl"]) < 3 * q.std_dev
