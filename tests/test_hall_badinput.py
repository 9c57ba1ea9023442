"""Bad input: clear messages naming the file/column, nothing silently dropped."""

import numpy as np
import pandas as pd
import pytest

from sotfit.analysis.hall import HallAnalysisError, avci
from sotfit.io.hall import HallReadError, read_hall_table
from sotfit.models.harmonic_hall import hall_harmonics, scan_fields

KW = dict(scan="phi", current=1.0, current_is="peak", lockin_output="peak", r2w_channel="X")


def _write(path, phi, field_t=0.05, mu0_hk=-1.0, drop=(), angle_header="phi (deg)", nan_at=None):
    b = scan_fields(phi, "phi", field=field_t)
    r1, r2 = hall_harmonics(b, 1.0, 0.1, mu0_hk, 1e-4, 1e-4, 1e-5)
    i = 1e-3  # A
    df = pd.DataFrame({angle_header: phi, "field (T)": field_t, "X1 (V)": r1 * i, "Y1 (V)": 0.0,
                       "X2 (V)": r2 * i, "Y2 (V)": 0.0})
    if nan_at is not None:
        df.loc[nan_at, "X2 (V)"] = np.nan
    df = df.drop(columns=list(drop))
    df.to_csv(path, index=False)
    return path


PHI = np.arange(0, 360, 10.0)


def test_conventions_are_never_assumed(tmp_path):
    f = _write(tmp_path / "a.csv", PHI)
    for missing in ("current_is", "lockin_output", "r2w_channel"):
        kw = dict(KW)
        kw.pop(missing)
        with pytest.raises(HallReadError, match=missing):
            read_hall_table(f, **kw)


def test_missing_second_harmonic(tmp_path):
    f = _write(tmp_path / "a.csv", PHI, drop=("X2 (V)", "Y2 (V)"))
    with pytest.raises(HallReadError, match="second-harmonic"):
        read_hall_table(f, **KW)


def test_inconsistent_angle_units(tmp_path):
    f = _write(tmp_path / "a.csv", PHI, angle_header="phi (rad)")
    with pytest.raises(HallReadError, match="look like degrees"):
        read_hall_table(f, **KW)
    f2 = _write(tmp_path / "b.csv", np.radians(PHI), angle_header="phi (deg)")
    with pytest.raises(HallReadError, match="look like radians"):
        read_hall_table(f2, **KW)
    f3 = _write(tmp_path / "c.csv", PHI, angle_header="phi (deg)")
    with pytest.raises(HallReadError, match="disagree"):
        read_hall_table(f3, angle_unit="rad", **KW)
    f4 = _write(tmp_path / "d.csv", PHI, angle_header="phi")
    with pytest.raises(HallReadError, match="no unit"):
        read_hall_table(f4, **KW)


def test_nans_are_reported_not_dropped(tmp_path):
    f = _write(tmp_path / "a.csv", PHI, nan_at=[3, 7])
    with pytest.raises(HallReadError, match=r"X2 \(V\).*2 NaN.*\[3, 7\]"):
        read_hall_table(f, **KW)


def test_single_field_for_method_a(tmp_path):
    scans = [read_hall_table(_write(tmp_path / f"a{i}.csv", PHI, 0.05), **KW) for i in range(2)]
    with pytest.raises(HallAnalysisError, match="two or more field magnitudes"):
        avci(scans)


def test_fields_that_never_saturate(tmp_path):
    # perpendicular film (H_K = 0.5 T) rotated in plane at fields below H_K
    scans = [read_hall_table(_write(tmp_path / f"a{i}.csv", PHI, b, mu0_hk=0.5), **KW)
             for i, b in enumerate((0.1, 0.2, 0.3))]
    with pytest.raises(HallAnalysisError, match="never saturate"):
        avci(scans, mu0_hk=0.5)


def test_inputs_not_modified(tmp_path):
    f = _write(tmp_path / "a.csv", PHI)
    before = f.read_bytes()
    s = read_hall_table(f, **KW)
    assert f.read_bytes() == before
    with pytest.raises(ValueError):
        s.r2w.y[0] = 1.0
