"""Field sweeps of a perpendicular film with the field tilted out of the plane, read without
its polar angle: the odd part of R_1w(H) shows the tilt (docs/hall.md, method (b))."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sotfit.cli import main

TRUTH = dict(theta_h=75.0, hk=0.5, r_ahe=1.0, r_phe=0.2, h_dl=1.5e-3, h_fl=-0.8e-3)


def _equilibria(b_ext, state, j):
    """m where the torque of the effective field vanishes: anisotropy mu0 H_K m_z z, the
    damping-like field j H_DL (m x y) and the field-like j H_FL y (T), from m = state z,
    by damped relaxation along the torque (one row of ``b_ext`` per point)."""
    m = np.tile([0.0, 0.0, float(state)], (len(b_ext), 1))
    for _ in range(3000):
        b = b_ext + TRUTH["hk"] * m[:, 2:3] * np.array([0.0, 0.0, 1.0]) \
            + j * TRUTH["h_dl"] * np.cross(m, [0.0, 1.0, 0.0]) + j * TRUTH["h_fl"] * np.array([0.0, 1.0, 0.0])
        torque = b - np.sum(b * m, axis=1, keepdims=True) * m
        m = m + 0.5 * torque
        m /= np.linalg.norm(m, axis=1, keepdims=True)
    return m


def _r_xy(m):
    return TRUTH["r_ahe"] * m[:, 2] + 2 * TRUTH["r_phe"] * m[:, 0] * m[:, 1]


def _write_sweeps(folder, seed=1, noise=1.0):
    """x and y sweeps to +-80 mT from both m_z states; R_1w = R0 + (3/8)(R+ + R- - 2 R0) and
    R_2w = (R+ - R-)/4 of the quasi-static R_xy at j = I/I0 = +1, 0, -1 (a lock-in's
    harmonics of R(j) up to j^3), with noise (``noise`` times 10 uOhm and 1 uOhm)."""
    rng = np.random.default_rng(seed)
    th = np.radians(TRUTH["theta_h"])
    h = np.linspace(-0.08, 0.08, 41)
    for axis, phi in (("x", 0.0), ("y", np.pi / 2)):
        for name, st in (("up", 1), ("down", -1)):
            b = h[:, None] * np.array([np.sin(th) * np.cos(phi), np.sin(th) * np.sin(phi), np.cos(th)])
            r0, rp, rm = (_r_xy(_equilibria(b, st, j)) for j in (0.0, 1.0, -1.0))
            r1 = r0 + 0.375 * (rp + rm - 2 * r0) + rng.normal(0, noise * 1e-5, h.size)
            r2 = (rp - rm) / 4 + rng.normal(0, noise * 1e-6, h.size)
            lines = ["field (mT),R_1w (Ohm),R_2w (Ohm)"]
            lines += [f"{1e3 * a:.10g},{b1:.12g},{b2:.12g}" for a, b1, b2 in zip(h, r1, r2)]
            (folder / f"H{axis}_{name}.csv").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def tilted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tilted")
    _write_sweeps(folder)
    return folder


def _run(folder, out, *extra):
    states = [a for f, s in (("Hx_up", 1), ("Hy_up", 1), ("Hx_down", -1), ("Hy_down", -1))
              for a in ("--mz-state", f"{f}.csv={s:+d}")]
    rc = main(["hall", *map(str, sorted(folder.glob("*.csv"))), "--method", "hayashi",
               "--current-is", "peak", "--r2w-sign", "1", "--r-phe", f"{TRUTH['r_phe']}Ohm",
               "--r-ane", "0Ohm", *states, *extra, "--no-figures", "--out", str(out)])
    assert rc == 0
    return json.loads((out / "summary.json").read_text())


def test_a_tilted_field_read_as_in_plane_is_flagged_naming_theta_h(tilted, tmp_path):
    """theta_h = 75 deg read as 90: H_K came out sin(90)/sin(75) - 1 = 3.5 % high (many
    standard errors) with no flag and no word that 90 deg was assumed. The cubic part of
    R_1w(H), R_AHE sin^2 cos H^3/H_K^3, gives theta_h back; H_K and the torque fields are
    flagged naming --theta-h and the angle shown, and a note says 90 deg was assumed."""
    s = _run(tilted, tmp_path / "o")
    q = s["quantities"]
    assert q["mu0_hk_eff"]["value"] > TRUTH["hk"] + 10 * q["mu0_hk_eff"]["stderr"]
    for name in ("mu0_hk_eff", "mu0_h_dl", "mu0_h_fl_oe"):
        said = [f for f in q[name].get("flags", []) if "--theta-h" in f]
        assert said, name
    shown = float(said[0].split("theta_h = ")[1].split(" +/- ")[0])
    assert shown == pytest.approx(TRUTH["theta_h"], abs=1.0)
    assert any("theta_h = 90 deg assumed" in n for n in s["notes"])


def test_a_tilted_field_given_is_recovered_and_not_flagged(tilted, tmp_path):
    """The same sweeps with --theta-h 75deg: H_K and the torque fields within three standard
    errors of the planted values, no tilt flag and no note of an assumed angle."""
    s = _run(tilted, tmp_path / "o", "--theta-h", "75deg")
    q = s["quantities"]
    for name, truth in (("mu0_hk_eff", TRUTH["hk"]), ("mu0_h_dl", TRUTH["h_dl"]),
                        ("mu0_h_fl_oe", TRUTH["h_fl"])):
        assert abs(q[name]["value"] - truth) < 3 * q[name]["stderr"], (name, q[name])
        assert not any("cubic part of R_1w" in f for f in q[name].get("flags", []))
    assert not any("theta_h = 90 deg assumed" in n for n in s["notes"]), s["notes"]


def test_a_small_tilt_flags_h_k_alone_where_the_torque_fields_hardly_move(tmp_path,
                                                                          monkeypatch):
    """A field 3 deg out of the plane read as in-plane moves H_K by many of its small
    standard errors but the torque fields (which scale as 1/sin(theta_h), 0.14 % here) by a
    fraction of theirs: H_K is flagged, the torque fields are not (they were flagged with it)."""
    monkeypatch.setitem(TRUTH, "theta_h", 87.0)
    folder = tmp_path / "small"
    folder.mkdir()
    _write_sweeps(folder)
    s = _run(folder, tmp_path / "o")
    q = s["quantities"]
    assert any("--theta-h" in f for f in q["mu0_hk_eff"].get("flags", []))
    for name in ("mu0_h_dl", "mu0_h_fl_oe"):
        shift = abs(q[name]["value"]) * (1 / np.sin(np.radians(87.0)) - 1)
        assert shift < q[name]["stderr"]
        assert not any("--theta-h" in f for f in q[name].get("flags", [])), name


@pytest.mark.parametrize("theta_h", [60.0, 70.0])
def test_the_higher_terms_are_divided_out_at_a_large_tilt(tmp_path, monkeypatch, theta_h):
    """A field 60 or 70 deg from the normal with little noise: the terms of R_1w beyond the
    quartic near m = +-z (m_z of the macrospin equilibrium to eighth order in H/H_K, the
    H^5 term R_AHE sin^2 cos (1 + cos^2) H^5/H_K^5 the first) enter the cubic coefficient
    over the +-80 mT window; divided out at the H_K and angle shown, the angle shown is the
    one planted to a few hundredths of a degree, and the sweeps read with the right
    --theta-h carry no tilt flag. With the H^5 factor (2 cos^2 + sin^2/2), the window's
    width and the H_K of 90 deg, the angles shown were 69.7 and 58.9 deg, and the right
    --theta-h was flagged as wrong."""
    monkeypatch.setitem(TRUTH, "theta_h", theta_h)
    folder = tmp_path / "steep"
    folder.mkdir()
    _write_sweeps(folder, noise=0.01)
    s = _run(folder, tmp_path / "o")
    said = [f for f in s["quantities"]["mu0_hk_eff"].get("flags", []) if "--theta-h" in f]
    shown = float(said[0].split("theta_h = ")[1].split(" +/- ")[0])
    assert shown == pytest.approx(theta_h, abs=0.05)
    s = _run(folder, tmp_path / "o2", "--theta-h", f"{theta_h:g}deg")
    for name in ("mu0_hk_eff", "mu0_h_dl", "mu0_h_fl_oe"):
        assert not any("cubic part of R_1w" in f
                       for f in s["quantities"][name].get("flags", [])), name


@pytest.mark.parametrize("theta_h", [45.0, 60.0, 75.0, 85.0, 120.0])
@pytest.mark.parametrize("state", [1, -1])
def test_the_leaks_are_those_of_the_exact_equilibrium(theta_h, state):
    """The estimate -s c3 H_K/(2 c2) of cos(theta_h) from a quartic fit to the exact
    macrospin m_z(H) of either state on an uneven grid over the default window (0.15 H_K),
    against cos(theta_h) plus the leaks the tilt check takes out (the series to eighth order
    projected on the points, odd powers into c2 too where the grid is uneven): equal to 2e-4
    (0.01 deg; the ninth-order terms left out), where the leaks themselves are 2-4 % of cos(theta_h)."""
    from importlib import import_module

    from scipy.optimize import brentq

    hayashi = import_module("sotfit.analysis.hall.hayashi")
    hk, t = 0.5, np.radians(theta_h)
    x = np.sort(np.r_[np.linspace(-0.075, 0.075, 31), np.linspace(0.02, 0.06, 9)])
    start = 0.0 if state > 0 else np.pi
    mz = np.array([np.cos(brentq(lambda a: hk * np.sin(a) * np.cos(a) - h * np.sin(t - a),
                                 start - 1.2, start + 1.2, xtol=1e-15)) for h in x])
    co = np.polynomial.polynomial.polyfit(x, mz, 4)
    estimate = -state * co[3] * hk / (2 * co[2])
    bias = hayashi._leak_bias(hayashi._series_leaks(x), state, np.cos(t), hk)
    assert abs(estimate - np.cos(t)) > 0.02 * abs(np.cos(t))
    assert estimate == pytest.approx(np.cos(t) + bias, abs=2e-4)
