"""Bad input: clear messages naming the file/column, nothing silently dropped."""

import numpy as np
import pandas as pd
import pytest

from sotfit.analysis.hall import HallAnalysisError, angular, avci
from sotfit.io.hall import HallReadError, read_hall_table, read_magnet_calibration
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


def test_two_turns_in_radians_are_read_as_two_turns_in_degrees(tmp_path):
    """A rotation over two turns in rad (0 to 12.4) was refused as 'the angles look like
    degrees' where the same turns in degrees (0 to 710) were read: up to two turns and a step
    are radians; more is not."""
    def in_rad(name, phi):
        df = pd.read_csv(_write(tmp_path / f"{name}_deg.csv", phi))
        df.insert(0, "phi (rad)", np.radians(df.pop("phi (deg)")))
        df.to_csv(tmp_path / f"{name}.csv", index=False)
        return tmp_path / f"{name}.csv"

    two = np.arange(0, 720, 10.0)
    deg = read_hall_table(_write(tmp_path / "deg.csv", two), **KW)
    rad = read_hall_table(in_rad("rad", two), **KW)
    assert rad.r1w.x == pytest.approx(deg.r1w.x, abs=1e-9)
    assert rad.r2w.y == pytest.approx(deg.r2w.y, rel=1e-12)
    with pytest.raises(HallReadError, match="more than two full turns .* look like degrees"):
        read_hall_table(in_rad("more", np.arange(-30, 720, 10.0)), **KW)


def test_angles_in_motor_steps_are_converted_by_the_user(tmp_path):
    """'angle (steps)' (720 steps per turn) read with angle_unit='deg' was read as degrees
    without a word (the option is the unit of a header without one), and the message without
    it advised --column-unit angle=deg, which would do the same: steps are refused, with any
    unit option, asking for the column in degrees; --override-unit still reads it, warned."""
    f = _write(tmp_path / "a.csv", PHI * 2, angle_header="angle (steps)")
    kw = dict(KW, columns={"angle": "angle"})
    for more in ({}, {"angle_unit": "deg"}, {"column_units": {"angle": "deg"}}):
        with pytest.raises(HallReadError, match="holds motor steps") as err:
            read_hall_table(f, **kw, **more)
        assert "convert the column to degrees" in str(err.value)
        assert "column_units" not in str(err.value)
    with pytest.warns(UserWarning, match="not in the motor steps of its header"):
        read_hall_table(f, **kw, override_units={"angle": "deg"})


def test_an_angle_unit_option_does_not_replace_a_header_unit(tmp_path):
    """angle_unit is the unit of an angle column whose header writes none: a header unit sotfit
    does not know (a typo, 'phi (dg)') with it is refused, naming column_units, which reads it."""
    f = _write(tmp_path / "a.csv", PHI, angle_header="phi (dg)")
    kw = dict(KW, columns={"angle": "phi"})
    with pytest.raises(HallReadError, match="unknown unit 'dg', and angle_unit='deg' gives the "
                                            "unit of a column whose header writes none"):
        read_hall_table(f, **kw, angle_unit="deg")
    typo = read_hall_table(f, **kw, column_units={"angle": "deg"})
    right = read_hall_table(_write(tmp_path / "b.csv", PHI), **KW)
    assert typo.r1w.x == pytest.approx(right.r1w.x, abs=0)


@pytest.mark.parametrize("header", ["Angle (Deg)", "Angle (DEG)", "Angle (\u00ba)",
                                    "phi [deg.]", "phi (Deg.)", "Angle (\u02da)"])
def test_degrees_written_unusually_are_degrees_with_or_without_the_angle_unit(tmp_path, header):
    """'Angle (Deg)', 'Angle (º)' (a masculine ordinal for the degree sign) and 'phi [deg.]'
    were headers of an unknown unit: with angle_unit='deg', which gives the unit of a header
    that writes none, such a file was refused naming column_units. They are degrees, read as
    the same rotation written 'phi (deg)', with the option and without it."""
    right = read_hall_table(_write(tmp_path / "right.csv", PHI), **KW)
    f = _write(tmp_path / "a.csv", PHI, angle_header=header)
    for more in ({}, {"angle_unit": "deg"}):
        got = read_hall_table(f, **KW, **more)
        assert got.r1w.x == pytest.approx(right.r1w.x, abs=0)
        assert got.r2w.y == pytest.approx(right.r2w.y, abs=0)


def test_nans_are_reported_not_dropped(tmp_path):
    f = _write(tmp_path / "a.csv", PHI, nan_at=[3, 7])
    with pytest.raises(HallReadError, match=r"X2 \(V\).*2 NaN.*line\(s\) \[5, 9\]"):
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


def test_r_theta_columns_equal_x_y(tmp_path):
    """Lock-in data given as R/theta (X = R cos theta, Y = R sin theta, theta in deg)."""
    f = _write(tmp_path / "xy.csv", PHI)
    df = pd.read_csv(f)
    out = pd.DataFrame({"phi (deg)": df["phi (deg)"], "field (T)": df["field (T)"]})
    for h in (1, 2):
        x, y = df[f"X{h} (V)"] + 1e-7, df[f"Y{h} (V)"] - 2e-7
        df[f"X{h} (V)"], df[f"Y{h} (V)"] = x, y
        out[f"R{h}w (V)"] = np.hypot(x, y)
        out[f"Theta{h}w"] = np.degrees(np.arctan2(y, x))
    df.to_csv(f, index=False)
    g = tmp_path / "rt.csv"
    out.to_csv(g, index=False)
    a, b = read_hall_table(f, **KW), read_hall_table(g, **KW)
    np.testing.assert_allclose(a.r1w.y, b.r1w.y, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a.r2w.y, b.r2w.y, rtol=1e-12, atol=1e-15)
    # the quadrature channel, with the sign convention, is selectable (a 2w phase of 45 deg:
    # both channels carry the signal; a channel far emptier than the other is refused)
    turned = df.copy()
    turned["X2 (V)"] = (df["X2 (V)"] - df["Y2 (V)"]) / np.sqrt(2)
    turned["Y2 (V)"] = (df["X2 (V)"] + df["Y2 (V)"]) / np.sqrt(2)
    h = tmp_path / "turned.csv"
    turned.to_csv(h, index=False)
    with pytest.raises(HallReadError, match="reference phase is off by 45.0 deg"):
        read_hall_table(h, **{**KW, "r2w_channel": "-Y"})       # the phase is said
    c = read_hall_table(h, **{**KW, "r2w_channel": "-Y", "r2w_phase": 0.0})
    np.testing.assert_allclose(c.r2w.y, -(turned["Y2 (V)"].to_numpy()) / 1e-3, rtol=1e-12)


def test_missing_first_harmonic(tmp_path):
    f = _write(tmp_path / "a.csv", PHI, drop=("X1 (V)", "Y1 (V)"))
    with pytest.raises(HallReadError, match=r"a\.csv.*no first-harmonic lock-in columns.*X2 \(V\)"):
        read_hall_table(f, **KW)


def test_nans_in_the_angle_column_and_the_calibration(tmp_path):
    f = _write(tmp_path / "a.csv", PHI)
    df = pd.read_csv(f)
    df.loc[5, "phi (deg)"] = np.nan
    df.to_csv(f, index=False)
    with pytest.raises(HallReadError, match=r"a\.csv.*'phi \(deg\)'.*1 NaN.*line\(s\) \[7\]"):
        read_hall_table(f, **KW)
    cal = tmp_path / "cal.csv"
    cal.write_text("current (A),trial1 (mT),trial2 (mT)\n0.0,0.1,0.2\n0.5,20.0,\n1.0,40.1,40.0\n")
    with pytest.raises(HallReadError, match=r"cal\.csv.*non-finite.*'trial2 \(mT\)' at line\(s\) \[3\]"):
        read_magnet_calibration(cal)


def _write_theta(path, field_t, mu0_hk=0.6):
    theta = np.arange(-180.0, 180.0, 2.0)
    b = scan_fields(theta, "theta", field=field_t, phi_h=0.0)
    r1, r2 = hall_harmonics(b, 1.2, 0.15, mu0_hk, 2e-3, 1e-3, 2e-4)
    i = 1e-3
    pd.DataFrame({"theta (deg)": theta, "field (T)": field_t, "X1 (V)": r1 * i, "Y1 (V)": 0.0,
                  "X2 (V)": r2 * i, "Y2 (V)": 0.0}).to_csv(path, index=False)
    return path


def test_out_of_plane_rotation_below_the_anisotropy_field(tmp_path):
    """Method (c) at fields that never saturate m along the field (below H_K = 0.6 T): each such
    field is excluded with the reason, and with too few left the method refuses, saying why."""
    kw = {**KW, "scan": "theta"}
    low = [read_hall_table(_write_theta(tmp_path / f"t{i}.csv", b), **kw) for i, b in enumerate((0.2, 0.3, 0.4))]
    with pytest.raises(HallAnalysisError, match=r"never saturate.*0\.2 T: field 0\.2 T is not above"):
        angular(low, r_phe=0.15)
    high = [read_hall_table(_write_theta(tmp_path / f"h{i}.csv", b), **kw) for i, b in enumerate((1.0, 1.5, 2.0))]
    res = angular(low[:1] + high, r_phe=0.15, mu0_h_fl=1e-3)
    assert [e["field"] for e in res.excluded] == pytest.approx([0.2])
    assert "not above the anisotropy field" in res.excluded[0]["reason"]
    # the exact model has no noise: the kept fields give the planted damping-like field closely
    assert res.quantities["mu0_h_dl"].nominal_value == pytest.approx(2e-3, rel=0.05)


def test_a_field_sweep_at_one_angle_read_as_a_rotation_says_so(tmp_path):
    """One file per angle ('# Angle (deg): 45', the fields in rows), read for rotations: the
    error asked to name an angle column, which the file has not. It now says the file is a
    field sweep and what the rotations need."""
    f = tmp_path / "phi_045deg.csv"
    f.write_text("# Angle (deg): 45\nfield (mT),X1 (uV),Y1 (uV),X2 (uV),Y2 (uV)\n"
                 + "".join(f"{h},{67 + 0.1 * i},0.01,{0.5 / h},1.7\n"
                           for i, h in enumerate((50, 80, 120, 200, 300, 500))))
    with pytest.raises(HallReadError, match=r"field column 'field \(mT\)' varies, so it is a "
                                            r"field sweep .* rotations are not assembled from one "
                                            r"file per angle"):
        read_hall_table(f, **{**KW, "lockin_output": "rms", "current_is": "rms"})
