"""``--phi-offset`` with polar rotations and field sweeps (docs/hall.md, "The polar angle as
read"): the azimuth reading where the field is along the current turns the plane of a polar
rotation as it turns an in-plane rotation. It was refused as 'the angle reading of an in-plane
rotation ... (there: --theta-offset)', which named the other angle; given with field sweeps
alone it was passed over without a word."""

import numpy as np
import pytest

from sotfit.io.hall import HallReadError, read_hall
from sotfit.models.harmonic_hall import hall_harmonics, scan_fields

PMA = dict(r_ahe=1.2, r_phe=0.15, mu0_hk=0.6, mu0_h_dl=2e-3, mu0_h_fl=1e-3, r_ane=2e-4)


def _polar_file(path, phi_h_reading, true_phi_h, with_column=True):
    """A polar rotation at 1 T in the plane at azimuth ``true_phi_h``, its plane written as the
    rotator's reading ``phi_h_reading`` (or not written)."""
    x = np.arange(-180.0, 180.0, 5.0)
    r1, r2 = hall_harmonics(scan_fields(x, "theta", field=1.0, phi_h=true_phi_h), **PMA)
    r1 = r1 + np.random.default_rng(0).normal(0, 1e-6, x.size)
    head = "theta (deg),field (mT)" + (",phi_h (deg)" if with_column else "") + ",R1w (Ohm),R2w (Ohm)\n"
    rows = [f"{a:g},1000" + (f",{phi_h_reading:g}" if with_column else "") + f",{b:.10g},{c:.10g}"
            for a, b, c in zip(x, r1, r2)]
    path.write_text(head + "\n".join(rows) + "\n")
    return path


def test_the_plane_of_a_polar_rotation_is_its_reading_minus_the_offset(tmp_path):
    """A sample whose current is at azimuth reading 90 deg: the rotation written at phi_h = 90 deg
    is the xz rotation, the one written at 0 the yz rotation at -90 deg, each with a note."""
    files = [_polar_file(tmp_path / "xz.csv", 90.0, 0.0), _polar_file(tmp_path / "yz.csv", 0.0, -90.0)]
    scans = read_hall(files, r2w_sign=1, phi_offset=90.0)
    by = {s.source.split("/")[-1]: s for s in scans}
    assert by["xz.csv"].meta["phi_h"] == 0.0
    assert by["yz.csv"].meta["phi_h"] == -90.0
    assert any("minus 90 deg (phi_offset=90.0)" in n for n in by["xz.csv"].meta["reader_notes"])


def test_a_polar_rotation_without_a_reading_of_its_plane_asks_for_phi_h(tmp_path):
    f = _polar_file(tmp_path / "rot.csv", 0.0, 0.0, with_column=False)
    with pytest.raises(HallReadError, match=r"phi_offset=90\.0.*no phi_h column.*phi_h=0\.0"):
        read_hall([f], r2w_sign=1, phi_offset=90.0)
    with pytest.raises(HallReadError, match=r"--phi-offset 90deg.*--phi-h 0deg.*phi_H = -90 deg"):
        read_hall([f], r2w_sign=1, phi_offset=90.0, option_style="cli")


def test_field_sweeps_alone_refuse_a_reading_offset(tmp_path):
    """Field sweeps give their direction from the current: the offset of an angle reading has
    nothing to act on, and was passed over."""
    h = np.linspace(-0.1, 0.1, 41)
    b = scan_fields(h, "field", theta_h=90.0, phi_h=0.0)
    r1, r2 = hall_harmonics(b, **PMA, state=np.ones(h.size))
    f = tmp_path / "sweep_x.csv"
    f.write_text("field (mT),mz_state,R1w (Ohm),R2w (Ohm)\n" + "\n".join(
        f"{a * 1e3:g},1,{c:.10g},{d:.10g}" for a, c, d in zip(h, r1, r2)) + "\n")
    read_hall([f], r2w_sign=1)
    for key in ("phi_offset", "theta_offset"):
        with pytest.raises(HallReadError, match=f"{key}=90.0 offsets .* field sweeps"):
            read_hall([f], r2w_sign=1, **{key: 90.0})
