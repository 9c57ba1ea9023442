"""examples/spectra_to_interface.py: raw spectra of a thickness series to the interface picture."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_walkthrough_recovers_the_planted_interface(tmp_path):
    """Every step runs (about a minute): ST-FMR per thickness, drift-diffusion, barrier,
    mechanism comparison and theory comparison; the planted values come back within 2 sigma."""
    out = tmp_path / "walk"
    code = subprocess.call([sys.executable, str(ROOT / "examples" / "spectra_to_interface.py"),
                            "--out", str(out), "--no-figures"])
    assert code == 0
    truth = json.loads((out / "spectra" / "truth.json").read_text())
    dd = json.loads((out / "drift_diffusion" / "summary.json").read_text())
    bar = json.loads((out / "barrier" / "summary.json").read_text())
    e = next(iter(bar["interfaces"].values()))
    for q, true in ((dd["spin_hall_conductivity"], truth["sigma_s"]),
                    (dd["spin_diffusion_length"], truth["lambda_s_nm"]),
                    (dd["re_g_mix"], truth["re_g_mix"]), (dd["im_g_mix"], truth["im_g_mix"]),
                    (e["delta_t"], truth["delta_t"]), (e["exchange"], truth["exchange"])):
        assert abs(q["value"] - true) < 2 * q["stderr"], (q, true)
    assert e["identifiability"]["verdict"] == "identified"
    cmp_ = json.loads((out / "compare" / "summary.json").read_text())
    assert cmp_["model_comparison"]["verdict"].startswith("not distinguishable")
    th = json.loads((out / "theory" / "summary.json").read_text())
    assert th["measured"]["value"] < 0 and "consistency" in th
