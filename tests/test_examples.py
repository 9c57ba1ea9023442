"""The example scripts run from the project root and refuse to overwrite their outputs."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_stfmr_example_recovers_the_planted_torques(tmp_path, capsys):
    if not (ROOT / "data" / "stfmr_example" / "truth.json").exists():
        pytest.skip("example data absent")
    ex = _load("stfmr_example")
    out = tmp_path / "out"
    assert ex.main(["--out", str(out)]) == 0
    assert (out / "overview.png").stat().st_size > 10_000
    summary = json.loads((out / "summary.json").read_text())
    truth = json.loads((ROOT / "data" / "stfmr_example" / "truth.json").read_text())
    for name, key in (("xi_dl", "xi_dl"), ("xi_fl", "xi_fl"), ("mu0_h_dl", "mu0_h_dl")):
        q = summary["global"][name]
        assert abs(q["value"] - truth[key]["value"]) < 2 * q["stderr"], (name, q)
    with pytest.raises(SystemExit, match="exists"):
        ex.main(["--out", str(out)])
