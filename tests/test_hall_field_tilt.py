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


def _write_sweeps(folder, seed=1):
    """x and y sweeps to +-80 mT from both m_z states; R_1w = R0 + (3/8)(R+ + R- - 2 R0) and
    R_2w = (R+ - R-)/4 of the quasi-static R_xy at j = I/I0 = +1, 0, -1 (a lock-in's
    harmonics of R(j) up to j^3), with noise."""
    rng = np.random.default_rng(seed)
    th = np.radians(TRUTH["theta_h"])
    h = np.linspace(-0.08, 0.08, 41)
    for axis, phi in (("x", 0.0), ("y", np.pi / 2)):
        for name, st in (("up", 1), ("down", -1)):
            b = h[:, None] * np.array([np.sin(th) * np.cos(phi), np.sin(th) * np.sin(phi), np.cos(th)])
            r0, rp, rm = (_r_xy(_equilibria(b, st, j)) for j in (0.0, 1.0, -1.0))
            r1 = r0 + 0.375 * (rp + rm - 2 * r0) + rng.normal(0, 1e-5, h.size)
            r2 = (rp - rm) / 4 + rng.normal(0, 1e-6, h.size)
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
