"""``--format FILE.toml``: an instrument profile written once, read by every experiment command."""

import json
from pathlib import Path

import pytest

from sotfit.cli import main

EX = Path(__file__).resolve().parents[1] / "data" / "hall_example" / "inplane"
CONV = ["--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms", "--r2w-channel", "X",
        "--gain-2w", "10"]


def _files():
    return sorted(str(p) for p in EX.glob("phi_*.csv"))


def test_profile_gives_the_conventions_and_the_command_line_wins(tmp_path):
    profile = tmp_path / "lockin.toml"
    profile.write_text('[options]\ncurrent = "1.5mA"\ncurrent-is = "rms"\nlockin-output = "rms"\n'
                       'r2w-channel = "X"\ngain-2w = 10\nno-figures = true\n')
    common = ["--method", "avci", "--meff", "0.8T", "--r-ahe", "0.8Ohm"]
    assert main(["hall", *_files(), *common, *CONV, "--no-figures", "--out",
                 str(tmp_path / "a")]) == 0
    assert main(["hall", *_files(), *common, "--format", str(profile), "--out",
                 str(tmp_path / "b")]) == 0
    a = json.loads((tmp_path / "a" / "summary.json").read_text())
    b = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert a["quantities"] == b["quantities"]
    assert not list((tmp_path / "b").glob("*.png"))  # the profile's switch
    # an option on the command line overrides the profile: twice the gain halves R_2w
    assert main(["hall", *_files(), *common, "--format", str(profile), "--gain-2w", "20",
                 "--out", str(tmp_path / "c")]) == 0
    c = json.loads((tmp_path / "c" / "summary.json").read_text())
    assert c["quantities"]["mu0_h_dl"]["value"] == pytest.approx(
        a["quantities"]["mu0_h_dl"]["value"] / 2, rel=1e-6)


@pytest.mark.parametrize("text, words", [
    ('[options]\nbogus-option = 1\n', ["bogus-option", "known", "gain-2w"]),
    ('[options]\nlockin-output = "sideways"\n', ["lockin-output", "rms", "peak"]),
    ('[options]\nno-figures = "yes"\n', ["switch"]),
    ('[extras]\na = 1\n', ["unknown section", "extras"]),
    ('[options\n', ["cannot parse"]),
])
def test_bad_profiles_are_clear_errors(tmp_path, capsys, text, words):
    profile = tmp_path / "p.toml"
    profile.write_text(text)
    rc = main(["hall", *_files(), "--method", "avci", "--format", str(profile), "--out",
               str(tmp_path / "o")])
    assert rc == 2
    err = capsys.readouterr().err
    assert str(profile) in err and all(w in err for w in words), err
    assert not (tmp_path / "o").exists()
