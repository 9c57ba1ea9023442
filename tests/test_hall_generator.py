"""The example-set generator (time-domain LLG + numerical lock-in) against sotfit's exact
quasi-static model, noise-free: two independent routes to the same harmonics."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from sotfit.models.harmonic_hall import hall_harmonics

GEN = Path(__file__).resolve().parents[1] / "data" / "hall_example" / "generate.py"


def test_llg_generator_matches_quasistatic_model(monkeypatch):
    spec = importlib.util.spec_from_file_location("hall_generate", GEN)
    g = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(g)
    monkeypatch.setattr(g, "NOISE_UV", 0.0)
    p = g.SAMPLES["pma"]
    h = np.linspace(-0.05, 0.05, 5)
    b = g.fields(p, h, 90.0, 0.0)
    out = g.simulate(p, b, np.tile([0.0, 0.0, 1.0], (len(b), 1)), np.random.default_rng(0),
                     p["mu0_hk"] - 0.06, p["mu0_hk"] - 0.06)
    i0 = g.I_RMS_MA * np.sqrt(2)
    r1 = out["X1 (uV)"] * np.sqrt(2) / i0 * 1e-3 - p["offset_1w"]
    r2 = out["X2 (uV)"] * np.sqrt(2) / g.GAIN_2W / i0 * 1e-3 - p["offset_2w"]
    m1, m2 = hall_harmonics(b, p["r_ahe"], p["r_phe"], p["mu0_hk"], p["mu0_h_dl"], p["mu0_h_fl"],
                            p["r_ane"], state=np.ones(len(b)))
    np.testing.assert_allclose(r1, m1, rtol=0, atol=2e-7)         # R_1w ~ 1.2 Ohm
    np.testing.assert_allclose(r2, m2, rtol=1e-3, atol=2e-8)      # R_2w ~ 1e-4 Ohm
