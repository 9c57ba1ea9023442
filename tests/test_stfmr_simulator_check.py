"""The generator of data/stfmr_example checked against a linearised macrospin result.

* cmtj (when importable; it is a dev-only dependency) against the linearised
  (Smit-Beljers) LLG response derived in data/stfmr_example/README.md, over a
  whole line on both field polarities: this pins the resonance field (g, Meff),
  the width (alpha), and the signs and sizes of the damping-like (symmetric)
  and field-like + Oersted (antisymmetric) parts, including the peak-current
  time average <I R> = I_rf Delta_R Re[...] / 2.
* the README's closed-form V_s, V_a against the full linear response, and the
  generator's inhomogeneous (Cauchy) average against a Lorentzian of width
  W0 + f alpha / (gamma/2pi) (no cmtj needed).
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

import sotfit as sf
from sotfit.models import stfmr_mixing

GEN_PATH = Path(__file__).resolve().parents[1] / "data" / "stfmr_example" / "generate.py"


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("stfmr_example_generate", GEN_PATH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _cmtj():
    return pytest.importorskip("cmtj", reason="cmtj (dev extra) not installed")


def test_closed_form_amplitudes_are_the_resonant_part_of_the_linear_response(gen):
    """Noise-free linear response (with W0 added to the width) is exactly Lorentzian + linear
    background, with the README's V_s, V_a, H_res and W."""
    for f in (8.0, 13.0, 18.0):
        for pol in (1, -1):
            e = gen.expected_amplitudes(f, pol)
            h = np.linspace(e["h_res_T"] - 10 * e["width_T"], e["h_res_T"] + 14 * e["width_T"], 400)
            v = gen.linear_vmix(pol * h, f, homogeneous=False)
            r = sf.fit(sf.Dataset(h, v, np.full(h.size, 1e-6)), stfmr_mixing)
            assert r.value("h_res") == pytest.approx(e["h_res_T"], rel=1e-6)
            assert r.value("width") == pytest.approx(e["width_T"], rel=1e-5)
            assert r.value("vs") == pytest.approx(e["vs_uV"], rel=1e-5)
            assert r.value("va") == pytest.approx(e["va_uV"], rel=1e-5)


def test_ratio_formula_of_liu(gen):
    """(V_s/V_a) sqrt(1 + Meff/H_res) = H_DL / (H_FL + H_Oe) (Liu et al., PRL 106, 036601)."""
    d = gen.derived()
    meff = gen.PLANTED["mu0_meff_T"]
    for f in gen.PLANTED["frequencies_GHz"]:
        e = gen.expected_amplitudes(f, 1)
        lhs = e["vs_uV"] / e["va_uV"] * math.sqrt(1 + meff / e["h_res_T"])
        assert lhs == pytest.approx(d["mu0_h_dl_T"] / (d["mu0_h_fl_T"] + d["mu0_h_oe_y_T"]), rel=1e-12)


def test_polarity_reverses_both_amplitudes(gen):
    for f in gen.PLANTED["frequencies_GHz"]:
        a, b = gen.expected_amplitudes(f, 1), gen.expected_amplitudes(f, -1)
        assert b["vs_uV"] == pytest.approx(-a["vs_uV"]) and b["va_uV"] == pytest.approx(-a["va_uV"])
        h = a["h_res_T"] * np.array([0.8, 1.0, 1.1])
        np.testing.assert_allclose(gen.linear_vmix(-h, f), -gen.linear_vmix(h, f))


def test_inhomogeneous_average_gives_lorentzian_of_width_w0_plus_gilbert(gen):
    """The generator's discrete, truncated Cauchy average of the (linear) homogeneous line,
    on the committed sweep grids, fitted with the planted noise as sigma: every lineshape
    parameter within 0.25 sigma of the exact Lorentzian values."""
    noise = gen.PLANTED["noise_uV"]
    w0 = gen.PLANTED["w0_mT"] * 1e-3
    for f in gen.PLANTED["frequencies_GHz"]:
        grid, idx, margin = gen.sweep_grid(f)
        for pol in (1, -1):
            v = gen.cauchy_average(grid, gen.linear_vmix(pol * grid, f), w0, margin, idx)
            r = sf.fit(sf.Dataset(grid[idx], v, np.full(idx.size, noise)), stfmr_mixing)
            e = gen.expected_amplitudes(f, pol)
            for k, t in (("h_res", e["h_res_T"]), ("width", e["width_T"]),
                         ("vs", e["vs_uV"]), ("va", e["va_uV"])):
                assert abs(r.value(k) - t) < 0.25 * r.stderr(k), (f, pol, k)


def test_cmtj_log_is_one_step_late():
    """The trap the generator corrects: cmtj's log entry stamped t holds m(t + dt)."""
    cmtj = _cmtj()
    from cmtj import AxialDriver, CVector, Junction, Layer, NullDriver, ScalarDriver

    demag = [CVector(0, 0, 0), CVector(0, 0, 0), CVector(0, 0, 1)]
    j = Junction([Layer("free", CVector(1, 0, 0), CVector(0, 0, 1), 1.0, 5e-9, 1e-12, demag, 0.01)])
    j.setLayerExternalFieldDriver("free", AxialDriver(NullDriver(), ScalarDriver.getConstantDriver(4e4),
                                                      NullDriver()))
    dt = 1e-13
    j.runSimulation(3.5 * dt, dt, dt)
    log = j.getLog()
    assert log["time"][0] == 0.0
    # the entry stamped 0 is not the initial state (1, 0, 0): it is one step later
    assert abs(log["free_my"][0]) > 1e-6
    assert cmtj is not None


def test_cmtj_matches_linearised_macrospin(gen):
    """cmtj V_mix(H) of one homogeneous macrospin at 13 GHz against the linearised LLG result,
    across the line on both polarities (26 fields, about one second)."""
    _cmtj()
    f = 13.0
    e = gen.expected_amplitudes(f, 1)
    hr = e["h_res_T"]
    wg = e["width_T"] - gen.PLANTED["w0_mT"] * 1e-3          # homogeneous (Gilbert) width
    h = hr + wg * np.array([-12, -4, -2, -1, -0.6, -0.3, 0, 0.3, 0.6, 1, 2, 4, 12])
    h = np.concatenate([h, -h])
    v_sim = gen.simulate_homogeneous(h, f)
    v_lin = gen.linear_vmix(h, f)
    peak = np.abs(v_lin).max()
    # drive-amplitude (nonlinear) effects are of order the cone angle squared, ~1e-4 here
    np.testing.assert_allclose(v_sim, v_lin, rtol=0, atol=1e-3 * peak)


def test_cmtj_without_the_log_shift_mixes_vs_and_va(gen):
    """Correlating I(t) with the unshifted log rotates the response phase by omega dt and
    visibly mixes the symmetric and antisymmetric parts (a known pitfall of cmtj)."""
    _cmtj()
    f = 13.0
    e = gen.expected_amplitudes(f, 1)
    h = e["h_res_T"] + e["width_T"] * np.array([-1.0, 0.0, 1.0])
    v_lin = gen.linear_vmix(h, f)
    v_bad = gen.simulate_homogeneous(h, f, shift_log=False)
    assert np.max(np.abs(v_bad - v_lin)) > 1e-2 * np.abs(v_lin).max()
