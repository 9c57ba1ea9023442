"""A sample file and the options must not contradict each other without a word.

Before: ``irf_is = "rms"`` in a sample file turned a command-line ``--irf 2mA`` (peak, says
--help) into a 2.83 mA peak (H_DL 29 % low, xi_FL of the wrong sign); a field written twice
(``irf`` and ``current``, ``Irf`` and ``irf``, a JSON key twice) took one of the values.
"""

import json
from pathlib import Path

import pytest

from sotfit.cli import main
from sotfit.device import Sample, SampleError

DATA = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"
RUN = ["--no-figures", "--no-global", "--angle", "45deg", "--delta-r", "0.5Ohm"]


@pytest.mark.parametrize("mapping,names", [
    ({"irf": "2mA", "current": "4mA"}, ("'irf'", "'current'")),
    ({"irf": "2mA", "Irf": "4mA"}, ("'irf'", "'Irf'")),
    ({"ms": "1T", "mu0_ms": "1.2T"}, ("'ms'", "'mu0_ms'")),
    ({"irf_is": "rms", "current_is": "peak"}, ("'irf_is'", "'current_is'")),
])
def test_a_field_given_twice_is_an_error(mapping, names):
    with pytest.raises(SampleError, match=f"{names[0]} and {names[1]} both give the field"):
        Sample.from_mapping(mapping, "s.toml")


def test_a_json_key_written_twice_is_an_error(tmp_path):
    p = tmp_path / "s.json"
    p.write_text('{"irf": "2mA", "irf": "4mA"}')
    with pytest.raises(SampleError, match="'irf' is written twice"):
        Sample.from_file(p)


def _h_dl(tmp_path, name, *extra):
    out = tmp_path / name
    code = main(["stfmr", str(DATA), "--out", str(out), *RUN, *extra])
    return code, (json.loads((out / "summary.json").read_text())["sequential"]["mu0_h_dl"]
                  if code == 0 else None)


def test_irf_on_the_command_line_is_peak_unless_irf_is_says_rms(tmp_path, capsys):
    rms = tmp_path / "rms.toml"
    rms.write_text('irf = "0.7071mA"\nirf_is = "rms"\n')
    _, ref = _h_dl(tmp_path, "ref", "--irf", "2mA", "--irf-is", "peak")
    # the file's own irf (0.7071 mA rms = 1 mA peak) is read as rms
    _, own = _h_dl(tmp_path, "own", "--sample", str(rms))
    assert own["value"] == pytest.approx(2 * ref["value"], rel=1e-3)
    # --irf with the file's 'rms': which one is meant is asked, not guessed
    code, _ = _h_dl(tmp_path, "ask", "--sample", str(rms), "--irf", "2mA")
    assert code == 2
    assert "--irf-is peak or --irf-is rms" in capsys.readouterr().err
    _, peak = _h_dl(tmp_path, "peak", "--sample", str(rms), "--irf", "2mA", "--irf-is", "peak")
    assert peak["value"] == pytest.approx(ref["value"], rel=1e-12)
    _, as_rms = _h_dl(tmp_path, "as_rms", "--sample", str(rms), "--irf", "2mA",
                      "--irf-is", "rms")
    assert as_rms["value"] == pytest.approx(ref["value"] / 2 ** 0.5, rel=1e-9)


def test_irf_at_with_a_sample_file_that_says_rms_is_asked(tmp_path, capsys):
    """--irf-at with a sample file saying irf_is = "rms" read the currents as peak without a
    word (xi_DL twice the truth): asked, as for --irf."""
    rms = tmp_path / "rms.toml"
    rms.write_text('irf = "0.7071mA"\nirf_is = "rms"\n')
    freqs = sorted(float(f.stem.split("_")[-1][:-3]) for f in DATA.glob("py_pt_*GHz.csv"))
    at = [a for f in freqs for a in ("--irf-at", f"{f:g}GHz=2mA")]
    code = main(["stfmr", str(DATA), "--out", str(tmp_path / "ask"), *RUN, "--sample", str(rms),
                 *at])
    assert code == 2
    assert "--irf-at is given with the sample file" in capsys.readouterr().err
