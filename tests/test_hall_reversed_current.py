"""A source current written negative (the current along -x; docs/hall.md, "Geometry"): it was
refused as 'source current must be positive', which said nothing of what to do. The message
names the frame of the current and the options that analyse the measurement in it, and with
them the planted torques come back."""

import numpy as np
import pytest

from sotfit.analysis.hall import angular
from sotfit.io.hall import HallReadError, read_hall
from sotfit.models.harmonic_hall import hall_harmonics, scan_fields

PMA = dict(r_ahe=1.2, r_phe=0.15, mu0_hk=0.6, mu0_h_dl=2e-3, mu0_h_fl=1e-3, r_ane=2e-4)
I_RMS = 1e-3                 # A


def _reversed_files(tmp_path, column=True):
    """xz rotations with the current along -x, lock-in referenced to the source: the first
    harmonic's voltage reverses, the second harmonic's does not (the torques reverse with the
    current, and so does the current that multiplies them)."""
    rng = np.random.default_rng(4)
    x = np.arange(-180.0, 180.0, 5.0)
    files = []
    for f in (0.9, 1.3, 1.8, 2.5):
        r1, r2 = hall_harmonics(scan_fields(x, "theta", field=f, phi_h=0.0), **PMA)
        v1 = -(r1 + 0.01) * I_RMS + rng.normal(0, 5e-9, x.size)
        v2 = r2 * I_RMS + rng.normal(0, 5e-9, x.size)
        p = tmp_path / f"rot_{f:g}T.csv"
        head = "" if column else "# I_ac = -1 mA rms\n"
        head += "theta (deg),B (T)," + ("I (mA)," if column else "") + "X1 (V),X2 (V)\n"
        p.write_text(head + "\n".join(f"{a:g},{f:g}," + ("-1," if column else "") + f"{c:.8e},{d:.8e}"
                                      for a, c, d in zip(x, v1, v2)) + "\n")
        files.append(p)
    return files


OPTS = dict(lockin_output="rms", current_is="rms", option_style="cli")


@pytest.mark.parametrize("column", [True, False])
def test_a_negative_current_names_the_frame_of_the_current(tmp_path, column):
    files = _reversed_files(tmp_path, column)
    with pytest.raises(HallReadError, match=r"negative source current \(-1 mA\).*--current 1mA.*"
                                            r"--phi-offset 180deg.*--phi-h 0deg.*"
                                            r"--r1w-channel=-X --r2w-channel=-X"):
        read_hall(files, r2w_channel="X", **OPTS)


def test_the_options_named_give_the_planted_torques(tmp_path):
    scans = read_hall(_reversed_files(tmp_path), current=1.0, phi_offset=180.0, phi_h=0.0,
                      r1w_channel="-X", r2w_channel="-X", **OPTS)
    res = angular(scans, r_phe=0.15, mu0_h_fl=1e-3)
    q = res.quantities
    assert abs(q["r_ahe"].nominal_value - PMA["r_ahe"]) < 1e-4
    for name in ("mu0_h_dl", "r_ane"):
        assert abs(q[name].nominal_value - PMA[name]) < 3 * q[name].std_dev, name

