"""Harmonic Hall tables as laboratories write them (docs/io.md, "Harmonic Hall tables"): tables of
resistances in Ohm with several fields per file, long field-sweep tables with a sweep-axis and an
m_z-state column, hysteresis loops side by side with the two harmonics in two files on different
grids. The files are written here from the macrospin model with planted values; every analysis
recovers them within 2 standard errors. Errors name the file, the column and the option."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from sotfit.analysis.hall import hayashi, macrospin
from sotfit.cli import main
from sotfit.io.hall import HallReadError, read_hall
from sotfit.models.harmonic_hall import hall_harmonics, scan_fields

# in-plane film, rotations (method (a))
IP = dict(r_ahe=0.8, r_phe=0.15, mu0_hk=-0.8, mu0_h_dl=4e-4, mu0_h_fl=2e-4, r_ane=4e-4, phi0=3.0)
# perpendicular film, field sweeps along x and y, field tilted 4 deg out of the plane (method (b))
PMA = dict(r_ahe=1.0, r_phe=0.1, mu0_hk=0.4, mu0_h_dl=1.5e-3, mu0_h_fl=-0.8e-3, r_ane=0.0)
# perpendicular film measured like the Ta/CoFeB bar: negative R_AHE, loops at theta_H = 92 deg
LOOP = dict(r_ahe=-2.0, r_phe=0.2, mu0_hk=0.3, mu0_h_dl=1.5e-3, mu0_h_fl=-1.0e-3, r_ane=0.0)
NAMES = {"mu0_h_fl_oe": "mu0_h_fl", "mu0_hk_eff": "mu0_hk"}


def _within(q, truth, names, k=2.0):
    for name in names:
        v = q[name]
        value, err = (v["value"], v["stderr"]) if isinstance(v, dict) else (v.nominal_value, v.std_dev)
        assert abs(value - truth[NAMES.get(name, name)]) < k * err, (name, value, err)


def _rotations(path, flip_r2w=False, seed=1):
    """Rotations at five fields in one long table of resistances (R_1w, R_2w in Ohm)."""
    rng = np.random.default_rng(seed)
    phi = np.arange(0, 360, 4.0)
    parts = []
    for b in (0.05, 0.1, 0.2, 0.4, 0.8):
        r1, r2 = hall_harmonics(scan_fields(phi, "phi", field=b, phi0=IP["phi0"]), IP["r_ahe"], IP["r_phe"],
                                IP["mu0_hk"], IP["mu0_h_dl"], IP["mu0_h_fl"], IP["r_ane"])
        r2 = r2 + 3e-5 + rng.normal(0, 2e-6, phi.size)
        parts.append(pd.DataFrame({"phi (deg)": phi, "field (mT)": b * 1e3,
                                   "R1w_ohm": r1 + 0.02 + rng.normal(0, 2e-5, phi.size),
                                   "R_2w (Ohm)": -r2 if flip_r2w else r2}))
    pd.concat(parts).to_csv(path, index=False)
    return path


def _long_sweeps(path, seed=2):
    """Field sweeps along x and y from both m_z states in one table of lock-in outputs (rms, 1 mA
    rms, the 2w reference at 0 deg: R_2w in -Y), with a sweep-axis and an m_z-state column and no
    column for the field's tilt (theta_H = 86 deg)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(-0.04, 0.04, 41)
    i_rms = 1.0 / math.sqrt(2)           # mA
    uv = i_rms * 1e-3 * 1e6               # Ohm -> uV rms
    parts = []
    for axis, phi_h in (("longitudinal", 0.0), ("transverse", 90.0)):
        for st in (1, -1):
            r1, r2 = hall_harmonics(scan_fields(x, "field", theta_h=86.0, phi_h=phi_h), PMA["r_ahe"],
                                    PMA["r_phe"], PMA["mu0_hk"], PMA["mu0_h_dl"], PMA["mu0_h_fl"],
                                    PMA["r_ane"], state=np.full(x.size, st))
            parts.append(pd.DataFrame({
                "B (mT)": x * 1e3, "sweep_axis": axis, "mz_initial": st,
                "X1 (uV)": (r1 + 0.05 + rng.normal(0, 1e-5, x.size)) * uv,
                "Y1 (uV)": rng.normal(0, 1e-3, x.size), "X2 (uV)": rng.normal(0, 1e-3, x.size),
                "Y2 (uV)": -(r2 + rng.normal(0, 2e-6, x.size)) * uv}))
    pd.concat(parts).to_csv(path, index=False)
    return path


def _loop(hmax, step, hsw, offset):
    """A hysteresis loop of a perpendicular film swept nearly in plane: up from -hmax (m_z = +1 until
    the switching field hsw, then -1), then down (m_z = -1 until -hsw)."""
    up = np.arange(-hmax, hmax + 1e-12, step) + offset
    dn = up[::-1][1:]
    return (np.concatenate([up, dn]),
            np.concatenate([np.where(up < hsw, 1, -1), np.where(dn > -hsw, -1, 1)]))


def _loop_harmonics(seed=4, theta_h=92.0):
    """The x and y hysteresis loops of :data:`LOOP` as the Ta/CoFeB files write them: for each
    harmonic ``h`` (1, 2; each on its own field grid) and axis ``ax`` ('x', 'y'), the field ``x``
    (T) and the voltage (V, peak, 2.68 mA peak; the 2f voltage is V_2w,cos = -R_2w I0), as
    ``{h: [(ax, x, v), ...]}``."""
    rng = np.random.default_rng(seed)
    i0 = 2.68e-3
    out = {}
    for h, step, offset, noise in ((1, 0.002, 0.0, 2e-4), (2, 0.007, 0.0021, 2e-5)):
        out[h] = []
        for ax, phi_h, hsw, hmax in (("x", 0.0, 0.07, 0.45), ("y", 90.0, 0.08, 0.5)):
            x, st = _loop(hmax, step, hsw, offset)
            r1, r2 = hall_harmonics(scan_fields(x, "field", theta_h=theta_h, phi_h=phi_h), LOOP["r_ahe"],
                                    LOOP["r_phe"], LOOP["mu0_hk"], LOOP["mu0_h_dl"], LOOP["mu0_h_fl"],
                                    LOOP["r_ane"], state=st)
            r = (r1 + 0.9 if h == 1 else r2) + rng.normal(0, noise, x.size)
            out[h].append((ax, x, (r if h == 1 else -r) * i0))
    return out


def _padded_frame(cols: dict) -> pd.DataFrame:
    """Columns of unequal length in one table, NaN-padded."""
    n = max(v.size for v in cols.values())
    return pd.DataFrame({k: np.concatenate([v, np.full(n - v.size, np.nan)]) for k, v in cols.items()})


def _loop_files(folder, seed=4, theta_h=92.0):
    """``loop_1f_hx_hy.csv`` and ``loop_2f_hx_hy.csv`` as the Ta/CoFeB files: ``Hx, Hx_Nf_voltage,
    Hy, Hy_Nf_voltage`` in Oe and V (:func:`_loop_harmonics`), the x and y loops of unequal length
    NaN-padded, the harmonics on different field grids."""
    files = []
    for h, loops in _loop_harmonics(seed, theta_h).items():
        cols = {}
        for ax, x, v in loops:
            cols[f"H{ax}"], cols[f"H{ax}_{h}f_voltage"] = x * 1e4, v
        files.append(folder / f"loop_{h}f_hx_hy.csv")
        _padded_frame(cols).to_csv(files[-1], index=False)
    return files


LOOP_KW = dict(current=2.68, current_is="peak", lockin_output="peak", r2w_channel="-X", field_unit="Oe",
               voltage_unit="V")
LOOP_CLI = ["--current", "2.68mA", "--current-is", "peak", "--lockin-output", "peak", "--r2w-channel=-X",
            "--field-unit", "Oe", "--voltage-unit", "V", "--no-figures"]


def _run(argv, out):
    assert main([*argv, "--out", str(out)]) == 0
    return json.loads((out / "summary.json").read_text())


# ------------------------------------------------------------------ tables of resistances
def test_resistance_table_with_several_fields_per_file(tmp_path):
    """``phi (deg), field (mT), R1w_ohm, R_2w (Ohm)``: five rotations in one file, split by the field
    column; no lock-in option is needed, and method (a) recovers the planted fields."""
    f = _rotations(tmp_path / "rotations.csv")
    s = _run(["hall", str(f), "--method", "avci", "--current", "1mA", "--current-is", "peak",
              "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--r2w-sign", "1", "--no-figures"],
             tmp_path / "a")
    q = s["quantities"]
    _within(q, IP, ("mu0_h_dl", "mu0_h_fl_oe", "r_ane", "r_phe", "phi0"))
    assert s["excluded"] == []
    assert any("R1w_ohm" in c for c in s["conventions"]["read_as"])
    scans = read_hall([f], scan="phi", current_is="peak", r2w_sign=1)
    assert [sc.meta["field"] for sc in scans] == [0.05, 0.1, 0.2, 0.4, 0.8]
    assert all(sc.source.startswith(str(f)) and "field" in sc.source for sc in scans)
    # R_2w written with the opposite sign: --r2w-sign=-1 gives the same numbers
    g = _rotations(tmp_path / "flipped.csv", flip_r2w=True)
    t = _run(["hall", str(g), "--method", "avci", "--current", "1mA", "--current-is", "peak", "--meff", "0.8T",
              "--r-ahe", "0.8Ohm", "--r2w-sign=-1", "--no-figures"], tmp_path / "b")
    for name in ("mu0_h_dl", "mu0_h_fl_oe", "r_ane"):
        assert t["quantities"][name]["value"] == pytest.approx(q[name]["value"], rel=1e-9)


def test_the_sign_of_an_r2w_column_is_asked_for(tmp_path, capsys):
    """A table of R_2w written as +V_2w,cos/I0 (Hayashi's lock-in convention) gave every torque
    field of the wrong sign, exit status 0: the table cannot say which sign it holds (lock-in
    voltages are refused until their channel and sign are given, resistances were not)."""
    g = _rotations(tmp_path / "flipped.csv", flip_r2w=True)
    base = ["hall", str(g), "--method", "avci", "--current", "1mA", "--current-is", "peak",
            "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--no-figures"]
    assert main([*base, "--out", str(tmp_path / "asked")]) == 2
    err = capsys.readouterr().err
    assert "column 'R_2w (Ohm)' holds R_2w, and with which sign the file does not say" in err
    assert "--r2w-sign 1 for the house sign" in err and "--r2w-sign=-1 for the opposite" in err
    assert not (tmp_path / "asked").exists()
    right = _run([*base, "--r2w-sign=-1"], tmp_path / "right")
    _within(right["quantities"], IP, ("mu0_h_dl", "mu0_h_fl_oe", "r_ane"))
    with pytest.raises(HallReadError, match="r2w_sign=1 for the house sign"):
        read_hall([g], scan="phi", current_is="peak")


def test_a_field_read_back_with_jitter_groups_the_rows_of_each_rotation(tmp_path):
    """The field of each rotation read back by a gaussmeter (0.01 mT of noise on every row) in
    a column the reader knows only by its unit: the rows of each rotation are grouped at the
    mean of their read-backs (each row was a rotation of its own, and the column was not
    taken), the planted fields come back, and each rotation says so."""
    f = _rotations(tmp_path / "rotations.csv")
    df = pd.read_csv(f)
    rng = np.random.default_rng(7)
    df.insert(1, "B_meas (mT)", df.pop("field (mT)") + rng.normal(0.0, 0.01, len(df)))
    g = tmp_path / "readback.csv"
    df.to_csv(g, index=False)
    s = _run(["hall", str(g), "--method", "avci", "--current", "1mA", "--current-is", "peak",
              "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--r2w-sign", "1", "--no-figures"],
             tmp_path / "a")
    _within(s["quantities"], IP, ("mu0_h_dl", "mu0_h_fl_oe", "r_ane", "r_phe", "phi0"))
    scans = read_hall([g], scan="phi", current_is="peak", r2w_sign=1)
    fields = [sc.meta["field"] for sc in scans]
    assert fields == pytest.approx([0.05, 0.1, 0.2, 0.4, 0.8], abs=3e-6)   # 0.01 mT / sqrt(90)
    assert all(1e-6 < sc.meta["field_stderr"] < 1.5e-5 for sc in scans)
    notes = [n for n in s["notes"] if "read-backs of column 'B_meas (mT)'" in n]
    assert len(notes) == 5 and "the mean of 90 read-backs" in notes[0]
    exact = read_hall([f], scan="phi", current_is="peak", r2w_sign=1)
    assert [sc.meta["field_stderr"] for sc in exact] == [0.0] * 5       # an exact column as it was


def _read_back(tmp_path, name, wander):
    """The table of :func:`_rotations` with its field column replaced by a read-back
    ``B_gauss (mT)``, the set field times ``1 + wander(rng, fraction of the turn)``."""
    df = pd.read_csv(_rotations(tmp_path / "rotations.csv"))
    rng = np.random.default_rng(3)
    turn = df["phi (deg)"].to_numpy() / 360.0
    df.insert(1, "B_gauss (mT)", df.pop("field (mT)") * (1.0 + wander(rng, turn)))
    g = tmp_path / name
    df.to_csv(g, index=False)
    return g


@pytest.mark.parametrize("wander", [
    lambda rng, turn: rng.normal(0.0, 0.01, turn.size),      # 1 % of noise on every row
    lambda rng, turn: 0.03 * (turn - 0.5),                   # 3 % of drift during each rotation
], ids=["noise", "drift"])
def test_a_field_read_back_that_wanders_within_each_rotation(tmp_path, wander):
    """A read-back whose noise (1 % rms) or drift (3 % during each rotation) spreads the fields of
    a rotation by more than the clusters of :func:`sotfit.io.readback.cluster_readback` take
    made a rotation of nearly every row, and the run stopped on 'column X1 is constant': the
    rows of each rotation, where the angle advances through the turn, are one rotation at the
    mean of their read-backs, the five set fields stay apart, and each rotation says so."""
    g = _read_back(tmp_path, "wander.csv", wander)
    s = _run(["hall", str(g), "--method", "avci", "--current", "1mA", "--current-is", "peak",
              "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--r2w-sign", "1", "--no-figures"],
             tmp_path / "a")
    _within(s["quantities"], IP, ("mu0_h_dl", "mu0_h_fl_oe", "r_ane", "r_phe", "phi0"))
    scans = read_hall([g], scan="phi", current_is="peak", r2w_sign=1)
    assert [sc.meta["field"] for sc in scans] == pytest.approx([0.05, 0.1, 0.2, 0.4, 0.8],
                                                                rel=3e-3)
    assert all(sc.r1w.x.size == 90 for sc in scans)
    notes = [n for n in s["notes"] if "read-backs of column 'B_gauss (mT)' during the rotation"
             in n]
    assert len(notes) == 5 and all("% of their mean" in n for n in notes)


def test_rotations_there_and_back_under_a_wandering_read_back(tmp_path):
    """Each field turned there and back (the table, then its rows in reverse), under a read-back
    with 1 % of noise: the two rotations of a field are one (180 angles), five in all."""
    g = _read_back(tmp_path, "wander.csv", lambda rng, turn: np.zeros(turn.size))
    df = pd.read_csv(g)
    df = pd.concat([df, df.iloc[::-1]], ignore_index=True)
    df["B_gauss (mT)"] *= 1.0 + np.random.default_rng(4).normal(0.0, 0.01, len(df))
    df.to_csv(g, index=False)
    scans = read_hall([g], scan="phi", current_is="peak", r2w_sign=1)
    assert [sc.meta["field"] for sc in scans] == pytest.approx([0.05, 0.1, 0.2, 0.4, 0.8],
                                                                rel=3e-3)
    assert [sc.r1w.x.size for sc in scans] == [180] * 5


def test_a_field_read_back_that_wanders_too_far_is_named(tmp_path):
    """A read-back spread by 30 % within a rotation is no rotation at one field: the refusal names
    the field column and its spread, where the rotations of one row each went on to the method
    and the error blamed the first-harmonic column as 'constant'."""
    g = _read_back(tmp_path, "wide.csv", lambda rng, turn: rng.normal(0.0, 0.06, turn.size))
    with pytest.raises(HallReadError) as err:
        read_hall([g], scan="phi", current_is="peak", r2w_sign=1)
    text = str(err.value)
    assert "column 'B_gauss (mT)' splits the rows into" in text
    assert "of fewer than 3 rows" in text and "% of their mean" in text
    assert "more than the 10 % a rotation's read-back is grouped within" in text
    assert "R1w" not in text and "constant" not in text


def test_a_column_named_without_its_unit(tmp_path):
    """--column ROLE=NAME with the header's name but not its unit ('Hall 2nd' for
    'Hall 2nd (Ohm)') takes that column (it named no column of the file)."""
    f = _rotations(tmp_path / "r.csv")
    df = pd.read_csv(f).rename(columns={"R_2w (Ohm)": "Hall 2nd (Ohm)"})
    df.to_csv(f, index=False)
    argv = ["hall", str(f), "--method", "avci", "--current", "1mA", "--current-is", "peak",
            "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--r2w-sign", "1", "--no-figures"]
    a = _run([*argv, "--column", "r2w=Hall 2nd"], tmp_path / "a")
    b = _run([*argv, "--column", "r2w=Hall 2nd (Ohm)"], tmp_path / "b")
    assert a["quantities"] == b["quantities"]
    _within(a["quantities"], IP, ("mu0_h_dl", "mu0_h_fl_oe", "r_ane"))


def test_resistance_columns_need_a_unit_and_take_no_lockin_channel(tmp_path, capsys):
    f = _rotations(tmp_path / "r.csv")
    df = pd.read_csv(f).rename(columns={"R_2w (Ohm)": "R2w"})
    df.to_csv(f, index=False)
    base = ["hall", str(f), "--method", "avci", "--current-is", "peak", "--meff", "0.8T", "--r-ahe", "0.8Ohm",
            "--no-figures"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert "r.csv" in err and "'R2w'" in err and "--column-unit r2w=Ohm" in err
    assert main([*base, "--column-unit", "r2w=Ohm", "--r2w-sign", "1",
                 "--out", str(tmp_path / "b")]) == 0
    assert main([*base, "--column-unit", "r2w=Ohm", "--r2w-channel", "Y", "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "'R2w'" in err and "--r2w-channel Y" in err and "--r2w-sign=-1" in err


# ------------------------------------------------------------------ long sweep tables
def test_long_sweep_table_with_axis_and_state_columns_and_theta_h(tmp_path):
    """One file, four sweeps told apart by ``sweep_axis`` (longitudinal/transverse) and ``mz_initial``;
    the tilt from --theta-h 86deg. Method (b) recovers the planted fields, R_AHE and H_K."""
    f = _long_sweeps(tmp_path / "sweeps.csv")
    conv = ["--current", f"{1 / math.sqrt(2)}mA", "--current-is", "rms", "--lockin-output", "rms",
            "--r2w-channel=-Y", "--no-figures"]
    s = _run(["hall", str(f), "--method", "hayashi", *conv, "--r-phe", "0.1Ohm", "--theta-h", "86deg",
              "--r-ane", "0Ohm"],
             tmp_path / "b")
    q = s["quantities"]
    _within(q, PMA, ("mu0_h_dl", "mu0_h_fl_oe", "r_ahe", "mu0_hk_eff"))
    assert not s["flags"]
    scans = read_hall([f], scan="field", current=1 / math.sqrt(2), current_is="rms", lockin_output="rms",
                      r2w_channel="-Y", theta_h=86.0)
    assert [(sc.meta["phi_h"], sc.meta["mz_state"], sc.meta["theta_h"]) for sc in scans] == \
        [(0.0, 1, 86.0), (0.0, -1, 86.0), (90.0, 1, 86.0), (90.0, -1, 86.0)]
    # without --theta-h the sweeps are taken in the plane: the fields come out 1/sin(86 deg) too large
    s90 = _run(["hall", str(f), "--method", "hayashi", *conv, "--r-phe", "0.1Ohm"], tmp_path / "b90")
    assert s90["quantities"]["mu0_h_dl"]["value"] == pytest.approx(
        q["mu0_h_dl"]["value"] / math.sin(math.radians(86.0)), rel=1e-3)
    # a tilt column that disagrees with --theta-h is an error naming both
    df = pd.read_csv(f)
    df["theta_h (deg)"] = 88.0
    df.to_csv(tmp_path / "tilt.csv", index=False)
    with pytest.raises(HallReadError, match=r"tilt\.csv: column 'theta_h \(deg\)' says 88 but "
                                            r"--theta-h 86\.0 was given"):
        read_hall([tmp_path / "tilt.csv"], scan="field", current=1.0, current_is="rms", lockin_output="rms",
                  r2w_channel="-Y", theta_h=86.0, option_style="cli")


@pytest.mark.parametrize("name, per_degree, unit", [
    ("Field angle phi_H (deg)", 1.0, None), ("phi_H (rad)", math.pi / 180, None),
    ("phi_H", math.pi / 180, "rad")])
def test_a_field_azimuth_column_in_its_own_unit_and_under_a_longer_name(tmp_path, capsys, name,
                                                                         per_degree, unit):
    """The sweep-axis column replaced by a phi_h column: read in the unit its header or
    --column-unit gives (a column in rad was read as degrees, its y sweeps taken 1.6 deg off x)
    and found under a longer name (it was not, every sweep taken along x); without a unit, values
    that could be radians are an error asking for it."""
    df = pd.read_csv(_long_sweeps(tmp_path / "sweeps.csv"))
    df.insert(1, name, df.pop("sweep_axis").map({"longitudinal": 0.0, "transverse": 90.0}) * per_degree)
    f = tmp_path / "phi.csv"
    df.to_csv(f, index=False)
    argv = ["hall", str(f), "--method", "hayashi", "--current", f"{1 / math.sqrt(2)}mA",
            "--current-is", "rms", "--lockin-output", "rms", "--r2w-channel=-Y", "--theta-h", "86deg",
            "--r-phe", "0.1Ohm", "--r-ane", "0Ohm", "--no-figures"]
    if unit is None:
        s = _run(argv, tmp_path / "b")
    else:
        assert main([*argv, "--out", str(tmp_path / "e")]) == 2
        err = capsys.readouterr().err
        assert ("phi.csv: column 'phi_H' (phi_h) has no unit in its header and its values (0, 1.571) "
                "could be radians or degrees; give --column-unit phi_h=deg or --column-unit "
                "phi_h=rad") in err
        s = _run([*argv, "--column-unit", f"phi_h={unit}"], tmp_path / "b")
    _within(s["quantities"], PMA, ("mu0_h_dl", "mu0_h_fl_oe", "r_ahe", "mu0_hk_eff"))
    assert not s["flags"]


# ------------------------------------------------------------------ loops, two files
def test_loops_side_by_side_split_at_the_switching_and_paired_across_two_files(tmp_path):
    """The Ta/CoFeB layout written from the model (negative R_AHE, theta_H = 92 deg): each loop is cut
    at its switching jump into four branches whose m_z follows from the jump and the tilt; the first
    harmonic is interpolated onto the second's field grid (noted)."""
    f1, f2 = _loop_files(tmp_path)
    scans = read_hall([f2, f1], theta_h=92.0, **LOOP_KW)          # any order of the files
    assert len(scans) == 8
    states = [(s.meta["phi_h"], s.meta["sweep_direction"], s.meta["mz_state"]) for s in scans]
    assert states == [(0.0, "up", 1), (0.0, "up", -1), (0.0, "down", -1), (0.0, "down", 1),
                      (90.0, "up", 1), (90.0, "up", -1), (90.0, "down", -1), (90.0, "down", 1)]
    for s in scans:
        x, st = s.r1w.x, s.meta["mz_state"]
        # every point on the branch the model put it on
        d = s.meta["sweep_direction"]
        hsw = 0.07 if s.meta["phi_h"] == 0 else 0.08
        expect = np.where(x < hsw, 1, -1) if d == "up" else np.where(x > -hsw, -1, 1)
        assert np.all(expect == st), s.source
        assert any("interpolated linearly" in n for n in s.meta["reader_notes"])
        assert s.source.startswith(str(f2)) and "loop_1f_hx_hy.csv" in s.source
    assert any("switches between" in n for s in scans for n in s.meta["reader_notes"])
    # method (b) on the branches through zero field (the others are left out with the reason)
    b = hayashi(scans, r_phe=LOOP["r_phe"], r_ane=LOOP["r_ane"], max_field=0.045)
    _within(b.quantities, LOOP, ("mu0_h_dl", "mu0_h_fl_oe", "r_ahe", "mu0_hk_eff"))
    assert len(b.excluded) == 4 and all("zero field" in e["reason"] for e in b.excluded)
    assert b.flags == {}


def test_loops_global_fit_recovers_the_planted_values(tmp_path):
    f1, f2 = _loop_files(tmp_path)
    d = macrospin(read_hall([f1, f2], theta_h=92.0, **LOOP_KW), fixed={"r_phe": LOOP["r_phe"]})
    _within(d.quantities, LOOP, ("mu0_h_dl", "mu0_h_fl_oe", "r_ahe", "mu0_hk_eff", "r_ane"))
    assert d.flags == {}


def test_loops_through_the_command_line(tmp_path):
    f1, f2 = _loop_files(tmp_path)
    s = _run(["hall", str(f1), str(f2), "--method", "hayashi", *LOOP_CLI, "--theta-h", "92deg",
              "--r-phe", "0.2Ohm", "--max-field", "45mT"], tmp_path / "b")
    _within(s["quantities"], LOOP, ("mu0_h_dl", "mu0_h_fl_oe", "r_ahe", "mu0_hk_eff"))
    assert any(n.startswith("reader: ") and "interpolated" in n for n in s["notes"])
    # the sign of R_AHE given as well (it agrees with the tilt): the same states, the same numbers
    t = _run(["hall", str(f1), str(f2), "--method", "hayashi", *LOOP_CLI, "--r-ahe=-2Ohm",
              "--r-phe", "0.2Ohm", "--max-field", "45mT", "--theta-h", "92deg"], tmp_path / "c")
    assert t["quantities"]["mu0_h_dl"]["value"] == pytest.approx(s["quantities"]["mu0_h_dl"]["value"],
                                                                  rel=1e-12)


def test_a_loop_needs_the_sign_of_r_ahe_or_the_tilt(tmp_path, capsys):
    """In a field in the plane the loop shows R_AHE m_z only: which branch is m_z = +1 needs the sign
    of R_AHE (--r-ahe) or the tilt of the field (--theta-h); the error names the options."""
    f1, f2 = _loop_files(tmp_path)
    rc = main(["hall", str(f1), str(f2), "--method", "hayashi", *LOOP_CLI, "--r-phe", "0.2Ohm",
               "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2
    assert "loop_1f_hx_hy.csv" in err and "Hx" in err
    assert "--r-ahe" in err and "--theta-h" in err and "--column mz_state=NAME" in err
    # given the sign with the field in the plane: the states follow from the sign of the jumps
    scans = read_hall([f1, f2], r_ahe=-2.0, **LOOP_KW)
    assert [s.meta["mz_state"] for s in scans[:4]] == [1, -1, -1, 1]
    # a sign that contradicts the tilt is refused, naming both
    with pytest.raises(HallReadError, match=r"--r-ahe 2\.0.*theta_h"):
        read_hall([f1, f2], r_ahe=2.0, theta_h=92.0, option_style="cli", **LOOP_KW)


def test_one_harmonic_alone_names_the_missing_file(tmp_path, capsys):
    f1, _ = _loop_files(tmp_path)
    rc = main(["hall", str(f1), "--method", "hayashi", *LOOP_CLI, "--theta-h", "92deg", "--out",
               str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2 and "loop_1f_hx_hy.csv" in err and "second-harmonic" in err and "2f" in err
    assert "--column x2=NAME" in err and "Hx_1f_voltage" in err


# ------------------------------------------------------------------ messages name the option
@pytest.mark.parametrize("case", ["no_unit", "no_harmonic", "single_channel_y", "no_lockin_output",
                                  "no_current"])
def test_errors_name_the_file_the_column_and_the_option(tmp_path, capsys, case):
    f1, f2 = _loop_files(tmp_path)
    argv = ["hall", str(f1), str(f2), "--method", "hayashi", *LOOP_CLI, "--theta-h", "92deg"]
    if case == "no_unit":
        argv.remove("--voltage-unit"), argv.remove("V")
        words = ["loop_1f_hx_hy.csv", "'Hx_1f_voltage'", "--voltage-unit V", "--column-unit v1w=V"]
    elif case == "no_harmonic":
        df = pd.read_csv(f1).rename(columns={"Hx_1f_voltage": "Vxy_first", "Hy_1f_voltage": "Vyy_first"})
        df.to_csv(f1, index=False)
        argv = ["hall", str(f1), "--method", "hayashi", *LOOP_CLI]
        words = ["loop_1f_hx_hy.csv", "Vxy_first", "--column v1w=NAME", "--column r1w=NAME"]
    elif case == "single_channel_y":
        argv[argv.index("--r2w-channel=-X")] = "--r2w-channel=-Y"
        words = ["loop_2f_hx_hy.csv", "'Hx_2f_voltage'", "--r2w-channel=-Y", "--r2w-channel X"]
    elif case == "no_lockin_output":
        i = argv.index("--lockin-output")
        del argv[i:i + 2]
        words = ["loop_1f_hx_hy.csv", "'Hx_1f_voltage'", "--lockin-output rms"]
    else:
        i = argv.index("--current")
        del argv[i:i + 2]
        words = ["loop_1f_hx_hy.csv", "--current 1mA", "--column current=NAME"]
    rc = main([*argv, "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2
    assert all(w in err for w in words), err
    assert "columns=" not in err and "_unit=" not in err   # options, not Python keywords


def test_column_roles_read_renamed_columns(tmp_path):
    """--column ROLE=NAME and --column-unit ROLE=UNIT for every role of a sweep table; the roles are
    the readable names of COLUMN_ROLES (the earlier columns= keys still work in Python)."""
    f = _long_sweeps(tmp_path / "sweeps.csv")
    df = pd.read_csv(f)
    df.columns = ["Bapp", "dir", "init", "L1X", "L1Y", "L2X", "L2Y"]
    g = tmp_path / "renamed.csv"
    df.to_csv(g, index=False)
    conv = ["--current", f"{1 / math.sqrt(2)}mA", "--current-is", "rms", "--lockin-output", "rms",
            "--r2w-channel=-Y", "--no-figures", "--r-phe", "0.1Ohm", "--theta-h", "86deg"]
    a = _run(["hall", str(f), "--method", "hayashi", *conv], tmp_path / "a")
    roles = ["field=Bapp", "sweep_axis=dir", "mz_state=init", "x1=L1X", "y1=L1Y", "x2=L2X", "y2=L2Y"]
    b = _run(["hall", str(g), "--method", "hayashi", *conv, *[x for r in roles for x in ("--column", r)],
              "--column-unit", "field=mT", "--voltage-unit", "uV"], tmp_path / "b")
    for name in ("mu0_h_dl", "mu0_h_fl_oe", "r_ahe", "mu0_hk_eff"):
        assert b["quantities"][name]["value"] == pytest.approx(a["quantities"][name]["value"], rel=1e-12)
    old = read_hall([g], scan="field", current=1.0, current_is="rms", lockin_output="rms", r2w_channel="-Y",
                    columns={"x": "Bapp", "X1": "L1X", "Y1": "L1Y", "X2": "L2X", "Y2": "L2Y",
                             "sweep_axis": "dir", "mz_state": "init"},
                    column_units={"field": "mT"}, voltage_unit="uV")
    assert len(old) == 4


def test_phi_h_from_the_option_and_columns_from_a_format_profile(tmp_path, capsys):
    """A sweep file with no geometry columns takes --phi-h and --theta-h; a field named along an axis
    (Hx, Hy) that contradicts --phi-h is an error naming both. A --format profile gives the column
    roles, their units and the conventions as --column/--column-unit and the options would."""
    f = _long_sweeps(tmp_path / "sweeps.csv")
    df = pd.read_csv(f)
    one = df[(df["sweep_axis"] == "transverse") & (df["mz_initial"] == 1)].drop(columns=["sweep_axis"])
    one.columns = ["Bapp", "init", "L1X", "L1Y", "L2X", "L2Y"]
    g = tmp_path / "y_up.csv"
    one.to_csv(g, index=False)
    roles = dict(field="Bapp", mz_state="init", x1="L1X", y1="L1Y", x2="L2X", y2="L2Y")
    scans = read_hall([g], scan="field", current=1.0, current_is="rms", lockin_output="rms", r2w_channel="-Y",
                      phi_h=90.0, theta_h=86.0, columns=roles,
                      column_units={"field": "mT", "x1": "uV", "y1": "uV", "x2": "uV", "y2": "uV"})
    assert len(scans) == 1 and scans[0].meta["phi_h"] == 90.0 and scans[0].meta["theta_h"] == 86.0
    assert scans[0].meta["mz_state"] == 1
    f1, f2 = _loop_files(tmp_path)
    rc = main(["hall", str(f1), str(f2), "--method", "hayashi", *LOOP_CLI, "--theta-h", "92deg", "--phi-h",
               "0deg", "--r-phe", "0.2Ohm", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2 and "'Hy'" in err and "phi_h = 90" in err and "--phi-h 0.0" in err
    # the renamed four-sweep table through a profile and through the options: the same numbers
    df.columns = ["Bapp", "dir", "init", "L1X", "L1Y", "L2X", "L2Y"]
    h = tmp_path / "renamed.csv"
    df.to_csv(h, index=False)
    roles["sweep_axis"] = "dir"
    profile = tmp_path / "lab.toml"
    profile.write_text("[columns]\n" + "".join(f'{k} = "{v}"\n' for k, v in roles.items())
                       + '[column_units]\nfield = "mT"\n'
                       + '[options]\nvoltage-unit = "uV"\ncurrent-is = "rms"\nlockin-output = "rms"\n'
                       + f'r2w-channel = "-Y"\ncurrent = "{1 / math.sqrt(2)}mA"\ntheta-h = "86deg"\n')
    a = _run(["hall", str(h), "--method", "hayashi", "--format", str(profile), "--r-phe", "0.1Ohm",
              "--no-figures"], tmp_path / "a")
    b = _run(["hall", str(h), "--method", "hayashi", "--current", f"{1 / math.sqrt(2)}mA", "--current-is", "rms",
              "--lockin-output", "rms", "--r2w-channel=-Y", "--theta-h", "86deg", "--voltage-unit", "uV",
              "--column-unit", "field=mT", "--r-phe", "0.1Ohm", "--no-figures",
              *[x for k, v in roles.items() for x in ("--column", f"{k}={v}")]], tmp_path / "b")
    assert a["quantities"] == b["quantities"]
    _within(a["quantities"], PMA, ("mu0_h_dl", "mu0_h_fl_oe", "r_ahe", "mu0_hk_eff"))


# ------------------------------------------------------------------ both states side by side
def _states_side_by_side(folder, up="{c}_up", down="{c}_down", loop=False, seed=4,
                         down_first=False):
    """Field sweeps along x and y of a perpendicular film (theta_H = 86 deg), both m_z states
    side by side in one table per axis (``R1w_up (Ohm)``, ..., ``R2w_down (Ohm)``); with
    ``loop`` the first harmonic of each column switches half way, as a hysteresis loop's
    rising and falling sweeps do; ``down_first`` writes the -1 state's columns first."""
    rng = np.random.default_rng(seed)
    x = np.linspace(-0.04, 0.04, 41)
    folder.mkdir()
    for axis, phi_h in (("x", 0.0), ("y", 90.0)):
        cols = {"B (mT)": x * 1e3}
        for st, name in ((-1, down), (1, up)) if down_first else ((1, up), (-1, down)):
            state = np.full(x.size, st)
            if loop:
                state[: x.size // 2] = -st
            r1, r2 = hall_harmonics(scan_fields(x, "field", theta_h=86.0, phi_h=phi_h),
                                    PMA["r_ahe"], PMA["r_phe"], PMA["mu0_hk"], PMA["mu0_h_dl"],
                                    PMA["mu0_h_fl"], PMA["r_ane"], state=state)
            cols[name.format(c="R1w") + " (Ohm)"] = r1 + rng.normal(0, 1e-5, x.size)
            cols[name.format(c="R2w") + " (Ohm)"] = r2 + rng.normal(0, 2e-6, x.size)
        pd.DataFrame(cols).to_csv(folder / f"sweep_{axis}.csv", index=False)
    return sorted(folder.glob("*.csv"))


HAYASHI_86 = ["--method", "hayashi", "--current", "1mA", "--current-is", "peak", "--theta-h", "86",
              "--r2w-sign", "1", "--r-phe", "0.1Ohm", "--no-figures"]


@pytest.mark.parametrize("up,down,down_first", [("{c}_up", "{c}_down", False),
                                                ("{c} +Mz", "{c} -Mz", False),
                                                ("{c}_Mz_pos", "{c}_Mz_neg", False),
                                                ("Mz_up_{c}", "Mz_down_{c}", True)])
def test_both_states_side_by_side_in_one_table(tmp_path, up, down, down_first):
    """'B (mT), R1w_up, R2w_up, R1w_down, R2w_down' was refused ('several columns could be the
    r1w'), and naming one column lost the other state: each state word now gives its sweep its
    m_z, and method (b) recovers the planted fields (the last case writes the -1 state first:
    the words, not the order, say which is which)."""
    files = _states_side_by_side(tmp_path / "in", up, down, down_first=down_first)
    s = _run(["hall", *map(str, files), *HAYASHI_86], tmp_path / "out")
    _within(s["quantities"], PMA, ("mu0_h_dl", "mu0_hk_eff", "r_ahe"), k=3)
    assert any("the columns of both m_z states side by side" in n for n in s["notes"])


def test_up_and_down_columns_that_switch_are_sweep_directions_and_refused(tmp_path, capsys):
    """In a hysteresis loop 'up' and 'down' are the sweeps' directions: read as states in the
    order of the field column, the falling sweep's rows would be read rising."""
    files = _states_side_by_side(tmp_path / "in", loop=True)
    assert main(["hall", *map(str, files), *HAYASHI_86, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "names an m_z state ('up') but switches within its sweep" in err
    assert not (tmp_path / "o").exists()


def test_up_and_down_columns_of_one_state_are_sweep_directions_and_refused(tmp_path, capsys):
    """Two sweeps of one m_z state labelled by their directions ('_up', '_down'): read as states
    they would give the state -1 to data of +1 (every torque field of that state reversed)."""
    files = _states_side_by_side(tmp_path / "in")
    one_state = tmp_path / "one"
    one_state.mkdir()
    for f in files:
        df = pd.read_csv(f)
        df["R1w_down (Ohm)"], df["R2w_down (Ohm)"] = df["R1w_up (Ohm)"] + 1e-5, df["R2w_up (Ohm)"]
        df.to_csv(one_state / f.name, index=False)
    argv = ["hall", *map(str, sorted(one_state.glob("*.csv"))), *HAYASHI_86]
    assert main([*argv, "--out", str(tmp_path / "o")]) == 2
    assert "name the two m_z states but their first harmonics lie at one level" in \
        capsys.readouterr().err


def test_both_states_side_by_side_with_the_lock_in_quadratures(tmp_path):
    """'B, X1_up, Y1_up, X2_up, Y2_up, X1_down, ...' was refused: the quadratures Y1, near zero
    in both states, failed the test that the two states' first harmonics lie 2 R_AHE apart.
    Only the signal (X, R, V) is tested now, and the table gives the numbers of the long one."""
    long = pd.read_csv(_long_sweeps(tmp_path / "sweeps.csv"))
    folder = tmp_path / "wide"
    folder.mkdir()
    for axis, part in long.groupby("sweep_axis"):
        cols = {}
        for st, name in ((1, "up"), (-1, "down")):
            rows = part[part["mz_initial"] == st]
            cols["B (mT)"] = rows["B (mT)"].to_numpy()
            for c in ("X1", "Y1", "X2", "Y2"):
                cols[f"{c}_{name} (uV)"] = rows[f"{c} (uV)"].to_numpy()
        pd.DataFrame(cols).to_csv(folder / f"sweep_{'x' if axis == 'longitudinal' else 'y'}.csv",
                                  index=False)
    conv = ["--method", "hayashi", "--current", f"{1 / math.sqrt(2)}mA", "--current-is", "rms",
            "--lockin-output", "rms", "--r2w-channel=-Y", "--no-figures", "--r-phe", "0.1Ohm",
            "--theta-h", "86deg", "--r-ane", "0Ohm"]
    wide = _run(["hall", *map(str, sorted(folder.glob("*.csv"))), *conv], tmp_path / "w")
    _within(wide["quantities"], PMA, ("mu0_h_dl", "mu0_hk_eff", "r_ahe"), k=3)
    assert any("the columns of both m_z states side by side" in n for n in wide["notes"])


def test_pos_and_neg_without_mz_are_not_read_as_states(tmp_path, capsys):
    """'X1_pos', 'X1_neg' over a column of |B| are as often the field's polarity: read as m_z
    = +1 and -1 at +|B| they gave torque fields of the wrong size (flagged only by the two
    states' disagreement). Without 'Mz' or 'M' before them they are no state."""
    files = _states_side_by_side(tmp_path / "in", "{c}_pos", "{c}_neg")
    assert main(["hall", *map(str, files), *HAYASHI_86, "--out", str(tmp_path / "o")]) == 2
    assert "several columns could be the r1w" in capsys.readouterr().err
