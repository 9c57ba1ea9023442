"""The measured Py(20 nm)/Pt(5 nm) in-plane rotation files, processed end to end (method (a)).

Conventions are given explicitly, as a user must: lock-in outputs rms, the source current is
a peak amplitude (as the original analysis treated it), the second harmonic went through a
x100 preamplifier and is read from X, angles in degrees, voltages in V, field from the magnet
calibration table. The files are never copied into the project.
"""

import math
import warnings

import numpy as np
import pytest

from sotfit.analysis.hall import Sample, avci
from sotfit.io.hall import read_hall_table, read_magnet_calibration

pytestmark = pytest.mark.real_data


def _load(real_data, sample, extrapolate=False):
    root = real_data / "hhv_py_pt"
    cal = read_magnet_calibration(root / "magnet_calibration.csv", current_unit="A", field_unit="mT")
    files = sorted((root / f"sample_{sample}").glob("repeat_*.csv"))
    return [read_hall_table(f, scan="phi", current_is="peak", lockin_output="rms", r2w_channel="X",
                            gain_2w=100.0, voltage_unit="V", angle_unit="deg", calibration=cal,
                            extrapolate_calibration=extrapolate) for f in files]


def test_calibration_is_linear_and_averaged(real_data):
    cal = read_magnet_calibration(real_data / "hhv_py_pt" / "magnet_calibration.csv",
                                  current_unit="A", field_unit="mT")
    slope = np.polyfit(cal.current, cal.field, 1)[0]
    assert 0.038 < slope < 0.042          # about 40 mT/A
    f, e, ext = cal([0.5])
    assert f[0] == pytest.approx(np.mean([19.31, 20.04, 19.02]) * 1e-3)
    assert not ext[0] and e[0] > 0


def test_sample_b_needs_explicit_extrapolation(real_data):
    with pytest.raises(ValueError, match="outside the calibration range"):
        _load(real_data, "B")
    scans = _load(real_data, "B", extrapolate=True)
    assert sum(s.meta["calibration_extrapolated"] for s in scans) == 5   # 1.2 ... 2.0 A


def test_real_py_pt_avci_end_to_end(real_data):
    scans = _load(real_data, "A")
    assert len(scans) == 10
    # R_1w amplitude: V_rms * sqrt(2) / I_peak
    res = avci(scans, mu0_hk=-1.0, r_ahe=1.0, sample=Sample(current_peak=15.0))
    q = res.quantities
    # planar Hall resistance of a 1 mm wide Py(20)/Pt(5) strip and the angle offset
    assert q["r_phe"].nominal_value == pytest.approx(0.1187, abs=0.002)
    assert 0 < q["r_phe"].std_dev < 0.002
    assert q["phi0"].nominal_value == pytest.approx(1.8, abs=0.3)
    # the 2cos^3 - cos part follows 1/H: a finite field-like (+Oersted) field with an error bar
    h_fl = q["mu0_h_fl_oe"]
    assert 0 < h_fl.std_dev < 0.1 * abs(h_fl.nominal_value)
    # low fields are excluded with the reason (m lags the field: in-plane anisotropy)
    assert res.excluded and all("lag" in e["reason"] for e in res.excluded)
    assert min(e["field"] for e in res.excluded) < 0.005
    # with mu0*Meff = 1 T >> H the DL field is degenerate with the thermal term: the tool says so
    assert any("poorly determined" in n for n in res.notes)
    assert q["mu0_h_dl"].std_dev > abs(q["mu0_h_dl"].nominal_value) / 3


def test_real_two_samples_agree_on_r_phe_scale(real_data):
    a = avci(_load(real_data, "A"), mu0_hk=-1.0, r_ahe=1.0)
    b = avci(_load(real_data, "B", extrapolate=True), mu0_hk=-1.0, r_ahe=1.0)
    # the same film stack: planar Hall resistances within 10 %
    assert a.quantities["r_phe"].nominal_value == pytest.approx(b.quantities["r_phe"].nominal_value,
                                                               rel=0.1)
