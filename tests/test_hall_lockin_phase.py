"""A harmonic split between the lock-in's channels by a reference phase set off is refused with
the phase that turns it back (``--r2w-phase``), which then gives the torques of the files
measured in phase.

With the second harmonic's reference 20, 45 or 70 deg off, H_DL came out 7, 30 and 67 % too
small (10 to 93 standard errors) with exit 0 and no flag: the channel not read carried the same
field dependence, and only a channel read that varied less than a tenth as much as the other
(a phase beyond 84 deg) was refused.
"""

import json
import math
import re

import pandas as pd
import pytest

from sotfit.cli import main

from bundled import ROTATIONS, avci_options


def _turned(tmp_path, deg, harmonic=2):
    """The example rotations with the outputs of ``harmonic`` turned by ``deg``: a lock-in whose
    reference phase is off by it."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    files = []
    for path in ROTATIONS:
        frame = pd.read_csv(path)
        x, y = frame[f"X{harmonic} (uV)"], frame[f"Y{harmonic} (uV)"]
        frame[f"X{harmonic} (uV)"], frame[f"Y{harmonic} (uV)"] = x * c - y * s, x * s + y * c
        files.append(tmp_path / path.name)
        frame.to_csv(files[-1], index=False, float_format="%.12g")
    return files


def _quantities(tmp_path, files, name, *extra):
    assert main(["hall", *map(str, files), *avci_options(), *extra,
                 "--out", str(tmp_path / name)]) == 0
    return json.loads((tmp_path / name / "summary.json").read_text())["quantities"]


@pytest.mark.parametrize("deg", [20.0, -45.0, 70.0])
def test_a_reference_phase_set_off_is_refused_naming_the_phase(tmp_path, capsys, deg):
    files = _turned(tmp_path, deg)
    assert main(["hall", *map(str, files), *avci_options(), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "the lock-in's reference phase is off by" in err
    found = re.search(r"--r2w-phase[ =](?P<d>[-0-9.]+)deg to read the outputs turned back", err)
    assert found and abs(float(found.group("d")) - deg) < 0.5, err
    assert "--r2w-phase 0deg to read the channel as it is" in err


def test_the_phase_named_gives_the_torques_measured_in_phase(tmp_path):
    reference = _quantities(tmp_path, ROTATIONS, "ref")
    turned = _quantities(tmp_path, _turned(tmp_path, 20.0), "turned", "--r2w-phase", "20deg")
    for key in ("mu0_h_dl", "mu0_h_fl_oe", "r_ane"):
        assert turned[key]["value"] == pytest.approx(reference[key]["value"], rel=1e-6)
    as_is = _quantities(tmp_path, _turned(tmp_path, 20.0), "as_is", "--r2w-phase", "0deg")
    assert as_is["mu0_h_dl"]["value"] == pytest.approx(
        reference["mu0_h_dl"]["value"] * math.cos(math.radians(20.0)), rel=0.02)


def test_the_first_harmonic_likewise(tmp_path, capsys):
    files = _turned(tmp_path, 30.0, harmonic=1)
    assert main(["hall", *map(str, files), *avci_options(), "--out", str(tmp_path / "o")]) == 2
    found = re.search(r"--r1w-phase (?P<d>[-0-9.]+)deg", capsys.readouterr().err)
    assert found and abs(float(found.group("d")) - 30.0) < 0.5


@pytest.mark.parametrize("given", [-20.0, 5.0])
def test_a_phase_that_does_not_turn_the_harmonic_back_is_refused(tmp_path, capsys, given):
    """--r2w-phase 20deg for a reference 20 deg off the other way (the sign mistaken) was read
    as given: the harmonic 40 deg off, H_DL and H_FL 23 % low, exit 0, no flag. The outputs
    turned by the phase given are checked again, and the whole turn is named."""
    files = _turned(tmp_path, 20.0)
    assert main(["hall", *map(str, files), *avci_options(), f"--r2w-phase={given:g}deg",
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert re.search(rf"turned by the --r2w-phase[ =]{given:g}deg given", err), err
    found = re.search(r"The reference phase that turns it back is --r2w-phase[ =](?P<d>[-0-9.]+)deg",
                      err)
    assert found and abs(float(found.group("d")) - 20.0) < 0.5, err
    assert not (tmp_path / "o").exists()
