"""V_mix that is not what the file's column says: a lock-in's reading of amplitude-modulated rf,
and volts headed uV. Both scale the absolute torques silently; both are flagged now.

The spectra are the bundled example's (data/stfmr_example), rewritten as a lab's export would
hold them: ``Lock-in X (V)`` = (sqrt(2)/pi) V_mix, the rms reading of full square-wave
amplitude modulation, and V_mix in volts under a ``Vmix (uV)`` header.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from sotfit.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"
SAMPLE = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm", "--width", "10um", "--rho",
          "20uOhmcm", "--rho-fm", "40uOhmcm", "--irf", "1mA", "--irf-is", "peak", "--delta-r",
          "0.5Ohm",
          "--no-figures", "--no-global"]
AM_RMS = math.sqrt(2) / math.pi
TORQUES = ("mu0_h_dl", "mu0_h_fl", "xi_dl", "xi_fl")


def _rewrite(folder: Path, header: str, factor: float) -> Path:
    folder.mkdir()
    for f in sorted(DATA.glob("py_pt_*GHz.csv")):
        rows = np.loadtxt(f, delimiter=",", comments="#", skiprows=4)   # mT, uV
        np.savetxt(folder / f.name.replace(".csv", ".txt"),
                   np.c_[rows[:, 0] * 10, rows[:, 1] * 1e-6 * factor], fmt="%.7e",
                   delimiter="\t", header=f"Field (Oe)\t{header}", comments="")
    return folder


def _run(tmp_path, name, files, *extra):
    out = tmp_path / name
    code = main(["stfmr", str(files), "--out", str(out), *SAMPLE, *extra])
    return code, json.loads((out / "summary.json").read_text())


def _reasons(q):
    return " ".join(q.get("flags", []))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ref")
    code, s = _run(tmp, "ref", _rewrite(tmp / "vmix", "Vmix (V)", 1.0), "--angle", "45deg")
    assert code == 0
    return s


def test_a_lock_in_reading_taken_as_vmix_flags_the_absolute_torques(tmp_path, reference):
    files = _rewrite(tmp_path / "am", "Lock-in X (V)", AM_RMS)
    code, s = _run(tmp_path, "plain", files, "--column", "voltage=Lock-in X (V)", "--strict")
    assert code == 3
    seq = s["sequential"]
    for k in TORQUES:
        assert "lock-in output 'Lock-in X (V)'" in _reasons(seq[k]), k
    for k in ("mu0_h_dl", "mu0_h_fl_oe", "xi_dl"):
        # those of the reading: 0.45 of the truth (mu0_h_fl and xi_fl, less the Oersted
        # field of the current given, are further off)
        assert seq[k]["value"] == pytest.approx(AM_RMS * reference["sequential"][k]["value"],
                                                rel=1e-4)
    assert "lock-in" not in _reasons(seq["xi_fmr"])     # a ratio of the amplitudes
    assert seq["xi_fmr"]["value"] == pytest.approx(reference["sequential"]["xi_fmr"]["value"],
                                                   rel=1e-6)
    # the relation stated: V_mix = reading / gain, the reference's numbers and no such flag
    code, s = _run(tmp_path, "gain", files, "--column", "voltage=Lock-in X (V)",
                   "--voltage-gain", f"{AM_RMS:.12g}")
    for k in TORQUES:
        assert "lock-in" not in _reasons(s["sequential"][k])
        assert s["sequential"][k]["value"] == pytest.approx(reference["sequential"][k]["value"],
                                                            rel=1e-6)


def test_volts_headed_microvolts_are_flagged(tmp_path, reference):
    files = _rewrite(tmp_path / "mislabelled", "Vmix (uV)", 1e-6 * 1e6)   # numbers in V
    # the numbers written are V_mix in V (1e-6 of the uV values) under a uV header
    for f in files.iterdir():
        rows = np.loadtxt(f, skiprows=1)
        np.savetxt(f, np.c_[rows[:, 0], rows[:, 1]], fmt="%.7e", delimiter="\t",
                   header="Field (Oe)\tVmix (uV)", comments="")
    only_current = ["--irf", "1mA", "--irf-is", "peak", "--delta-r", "0.5Ohm", "--angle", "45deg",
                    "--strict",
                    "--no-figures", "--no-global"]
    out = tmp_path / "o"
    assert main(["stfmr", str(files), "--out", str(out), *only_current]) == 3
    s = json.loads((out / "summary.json").read_text())
    assert "resonance amplitude" in _reasons(s["sequential"]["mu0_h_dl"])
    assert s["sequential"]["mu0_h_dl"]["value"] == pytest.approx(
        1e-6 * reference["sequential"]["mu0_h_dl"]["value"], rel=1e-3)
    # the same spectra read in the right unit carry no such flag
    for k in TORQUES:
        assert "resonance amplitude" not in _reasons(reference["sequential"][k])
        assert "lock-in" not in _reasons(reference["sequential"][k])
