"""A lock-in's magnitude R and phase theta read as its X and Y (X = R cos theta, Y = R sin theta),
giving the spectrum that the same signal's X and Y columns give; and what the error says of a
file that sweeps the frequency, logs the magnet's current, or holds only R and theta."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from sotfit import DataError
from sotfit.cli import main
from sotfit.io import read_stfmr

EX = Path(__file__).resolve().parents[1] / "data" / "stfmr_example" / "py_pt_10GHz.csv"


def _signal():
    d = np.loadtxt(EX, comments="#", delimiter=",", skiprows=4)
    return d[:, 0], d[:, 1]


def _fit(path, channels):
    out = path.parent / (path.stem + "_out")
    assert main(["stfmr", str(path), "--no-figures", "--out", str(out),
                 "--lockin-channels", channels]) == 0
    return json.loads((out / "summary.json").read_text())


def _xy_and_polar(tmp_path, phase0, polar_header, angle):
    """The example spectrum as a lock-in at phase ``phase0`` (deg) writes it: X and Y in one
    file, magnitude and phase (``angle(theta in rad)``) under ``polar_header`` in another."""
    h, v = _signal()
    x, y = v * np.cos(np.radians(phase0)), v * np.sin(np.radians(phase0))
    out = []
    for name, header, a, b in (("xy", "X (uV),Y (uV)", x, y),
                               ("rt", polar_header, np.hypot(x, y), angle(np.arctan2(y, x)))):
        (tmp_path / name).mkdir()
        out.append(tmp_path / name / "s_10GHz.csv")
        out[-1].write_text(f"Field (mT),{header}\n" + "".join(
            f"{float(p)!r},{float(q)!r},{float(w)!r}\n" for p, q, w in zip(h, a, b)))
    return out


@pytest.mark.parametrize("unit, scale", [("deg", 1.0), ("rad", np.pi / 180)])
def test_magnitude_and_phase_give_the_spectrum_of_x_and_y(tmp_path, unit, scale):
    phase0 = 37.0                                   # the lock-in's phase offset, deg
    xy, rt = _xy_and_polar(tmp_path, phase0, f"R (uV),Theta ({unit})",
                           lambda t: np.degrees(t) * scale)
    a = _fit(xy, "X (uV),Y (uV)")["spectra"][0]
    b = _fit(rt, f"R (uV),Theta ({unit})")["spectra"][0]
    for k in ("h_res", "width", "vs", "va"):
        assert b[k]["value"] == pytest.approx(a[k]["value"], rel=1e-9, abs=1e-12)
        assert b[k]["stderr"] == pytest.approx(a[k]["stderr"], rel=1e-6)
    # the fitted phase is the lock-in's offset (its axis direction chosen as for X and Y)
    d, = read_stfmr(rt, lockin_channels=("R (uV)", f"Theta ({unit})"))
    assert d.meta["lockin_phase"] == pytest.approx(phase0, abs=1e-6)
    assert any("X = R cos(theta), Y = R sin(theta)" in n for n in d.meta["reader_notes"])


def test_hints_name_what_the_file_holds(tmp_path):
    h, v = _signal()
    r = tmp_path / "r_10GHz.csv"
    r.write_text("Field (mT),R (uV),Theta (deg)\n"
                 + "".join(f"{a},{abs(b)},{0.0 if b >= 0 else 180.0}\n" for a, b in zip(h, v)))
    with pytest.raises(DataError, match=r"'R \(uV\)' and 'Theta \(deg\)' look like the lock-in's "
                                        r"magnitude and phase: the magnitude alone has lost the "
                                        "sign of V_mix"):
        read_stfmr(r)
    f = tmp_path / "sweep_100mT.csv"
    f.write_text("Frequency (GHz),Vmix (uV)\n" + "".join(f"{4 + 0.02 * i},{np.sin(i)}\n"
                                                         for i in range(50)))
    with pytest.raises(DataError, match="a spectrum swept in frequency at a fixed field is not "
                                        "read"):
        read_stfmr(f)
    m = tmp_path / "coil_10GHz.csv"
    m.write_text("Magnet current (A),Vmix (uV)\n" + "".join(f"{a / 100},{b}\n" for a, b in zip(h, v)))
    with pytest.raises(DataError, match=r"'Magnet current \(A\)' looks like the magnet's current, "
                                        "not the field"):
        read_stfmr(m)


def test_a_column_holding_one_value_per_sweep_is_named(tmp_path):
    """Three sweeps at one frequency, each at its own dc bias current: the error names the
    column that tells them apart."""
    h, v = _signal()
    rows = [f"{idc},{a},{b * (1 + 0.05 * idc)}\n" for idc in (-2.0, 0.0, 2.0) for a, b in zip(h, v)]
    p = tmp_path / "bias_10GHz.csv"
    p.write_text("Idc (mA),Field (mT),Vmix (uV)\n" + "".join(rows))
    with pytest.raises(DataError, match=r"so the data hold 3 sweeps.*'Idc \(mA\)' \(column 0\) "
                                        r"holds one value per sweep \(-2, 0, 2\)"):
        read_stfmr(p)
    assert len(read_stfmr(p, split_sweeps=True)) == 3


def test_a_column_numbering_repeated_sweeps_is_named_as_such(tmp_path):
    """Three repeated sweeps of one frequency with a column that numbers them (``Sweep``,
    ``Repeat``, ``Scan #``): the error says they are repeats, which --split-sweeps reads. It
    said 'sotfit stfmr does not analyse a series in that quantity; split the file by it', as of
    a dc bias; a column of that kind with a unit, or of values that are no counter, keeps it."""
    h, v = _signal()
    for name in ("Sweep", "Repeat", "Scan #", "run_no"):
        rows = [f"{k},{a},{b}\n" for k in (1, 2, 3) for a, b in zip(h, v)]
        p = tmp_path / "repeats_10GHz.csv"
        p.write_text(f"{name},Field (mT),Vmix (uV)\n" + "".join(rows))
        with pytest.raises(DataError, match=rf"'{re.escape(name)}' \(column 0\) numbers the "
                                            r"sweeps \(1, 2, 3\): repeated sweeps, read each as "
                                            r"a spectrum of its own with split_sweeps=True"):
            read_stfmr(p)
        assert len(read_stfmr(p, split_sweeps=True)) == 3
    for head, levels in (("Sweep (mA)", (1, 2, 3)), ("Sweep", (0.5, 1.0, 1.5))):
        rows = [f"{k},{a},{b}\n" for k in levels for a, b in zip(h, v)]
        p.write_text(f"{head},Field (mT),Vmix (uV)\n" + "".join(rows))
        with pytest.raises(DataError, match=r"holds one value per sweep"):
            read_stfmr(p)


def test_a_phase_column_without_a_unit_takes_it_from_an_option(tmp_path, capsys):
    """LabOne writes its phase as ``phase``, in rad, no unit: it was asked for a voltage unit, and
    with one it was read as the Y voltage (M_eff 1.19 T for 0.62, alpha 4e-14). The header
    named like a phase is refused naming --column-unit phase=UNIT, which reads it."""
    xy, rt = _xy_and_polar(tmp_path, 37.0, "r (uV),phase", lambda t: t)
    with pytest.raises(DataError, match=r"'phase'.* named like the lock-in's phase.*phase_unit="):
        read_stfmr(rt, lockin_channels=("r (uV)", "phase"))
    out = tmp_path / "refused"
    assert main(["stfmr", str(rt), "--no-figures", "--out", str(out), "--lockin-channels",
                 "r (uV),phase"]) == 2
    assert "--column-unit phase=rad" in capsys.readouterr().err
    a = _fit(xy, "X (uV),Y (uV)")["spectra"][0]
    out = tmp_path / "read"
    assert main(["stfmr", str(rt), "--no-figures", "--out", str(out), "--lockin-channels",
                 "r (uV),phase", "--column-unit", "phase=rad"]) == 0
    b = json.loads((out / "summary.json").read_text())["spectra"][0]
    for k in ("h_res", "width", "vs", "va"):
        assert b[k]["value"] == pytest.approx(a[k]["value"], rel=1e-9, abs=1e-12)
    in_deg = _with_header(tmp_path, rt, "phase (deg)")       # a header against the option
    with pytest.raises(DataError, match="is in deg but"):
        read_stfmr(in_deg, lockin_channels=("r (uV)", "phase (deg)"), phase_unit="rad")


def _with_header(tmp_path, path, name):
    out = tmp_path / "deg" / path.name
    out.parent.mkdir(exist_ok=True)
    out.write_text(path.read_text().replace(",phase\n", f",{name}\n", 1))
    return out
