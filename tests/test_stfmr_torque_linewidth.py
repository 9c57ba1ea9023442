"""Torque fields beyond the linewidth: the mixing lineshape is the linear response to torque
fields far below the linewidth (seed 001, eqs. (1)-(2)). The bundled spectra with their
microvolts headed mV gave mu0 H_DL = 56 mT (a thousand times the planted 56 uT), xi_DL = 70 and
no flag; each such spectrum's torques and the means are now flagged, naming the voltage unit.
The spectra as bundled (56 uT against widths of 4-9 mT) carry no such flag, and xi_FMR, a ratio
of the amplitudes, is not flagged."""

import json

from bundled import ROOT
from sotfit.cli import main

SAMPLE = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm", "--width", "10um", "--rho",
          "20uOhmcm", "--rho-fm", "40uOhmcm", "--irf", "1mA", "--irf-is", "peak", "--delta-r",
          "0.5Ohm",
          "--no-figures", "--no-global"]
EXAMPLE = ROOT / "data" / "stfmr_example"


def _flags(folder, out):
    assert main(["stfmr", str(folder), "--out", str(out), *SAMPLE]) == 0
    return json.loads((out / "summary.json").read_text())["flags"]


def test_microvolts_headed_millivolts_flag_the_torque_fields(tmp_path):
    folder = tmp_path / "mV"
    folder.mkdir()
    for path in sorted(EXAMPLE.glob("py_pt_*GHz.csv")):
        text = path.read_text(encoding="utf-8").replace("Vmix (uV)", "Vmix (mV)")
        (folder / path.name).write_text(text, encoding="utf-8")
    flags = _flags(folder, tmp_path / "out")
    beyond = [f for f in flags if "exceeds the linewidth" in f["reason"]]
    assert {f["quantity"] for f in beyond} >= {"sequential.mu0_h_dl", "sequential.xi_dl",
                                               "spectra[0].torques_sequential.mu0_h_dl"}
    assert all("check the voltage unit" in f["reason"] for f in beyond)
    assert not any(f["quantity"].endswith("xi_fmr") for f in beyond)
    clean = _flags(EXAMPLE, tmp_path / "ref")
    assert not any("exceeds the linewidth" in f["reason"] for f in clean)
