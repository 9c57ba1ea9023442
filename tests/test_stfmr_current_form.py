"""The ST-FMR rf current is given with its form (peak or rms), as ``sotfit hall --current-is``.

Before: ``--irf 1.414214mA`` (an rms value) was read as the peak amplitude unless ``--irf-is rms``
was given, and so was a sample file's ``irf`` without ``irf_is``: mu0_H_DL sqrt 2, xi_DL 2 and
xi_FL 4 times the truth, unflagged. The spectra cannot tell: the torque fields scale as 1/I and
the Oersted field as I. Each case is refused before any file is read (a missing input file would
be the next error).
"""

import pytest

from sotfit.cli import main

MISSING = "no_such_folder_of_spectra"


def _refusal(tmp_path, capsys, *options):
    code = main(["stfmr", MISSING, "--out", str(tmp_path / "o"), "--no-figures", *options])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("current", [["--irf", "1.414214mA"],
                                     ["--irf-at", "8GHz=1mA", "--irf-at", "10GHz=1mA"]])
def test_a_current_on_the_command_line_without_its_form_is_refused(tmp_path, capsys, current):
    code, err = _refusal(tmp_path, capsys, *current, "--delta-r", "0.5Ohm")
    assert code == 2
    assert "--irf-is peak or --irf-is rms" in err and "never assumes" in err
    assert "1/I" in err and "cannot be told from the spectra" in err
    assert MISSING not in err                       # refused before the files are looked at


@pytest.mark.parametrize("form", ["peak", "rms"])
def test_a_current_with_its_form_passes_to_the_files(tmp_path, capsys, form):
    code, err = _refusal(tmp_path, capsys, "--irf", "1mA", "--irf-is", form)
    assert code == 2 and f"{MISSING}: no such file" in err


@pytest.mark.parametrize("text", ['irf = "1mA"\n', 'current = "1mA"\nms = "1T"\n'])
def test_a_sample_file_current_without_its_form_is_refused(tmp_path, capsys, text):
    sample = tmp_path / "sample.toml"
    sample.write_text(text)
    code, err = _refusal(tmp_path, capsys, "--sample", str(sample))
    assert code == 2
    assert f"sample file {sample}" in err and 'irf_is = "peak"' in err
    assert "--irf-is peak or --irf-is rms" in err and MISSING not in err


@pytest.mark.parametrize("text, options", [
    ('irf = "1mA"\nirf_is = "rms"\n', []),
    ('irf = "1mA"\n', ["--irf-is", "peak"]),
    ('irf = "1mA"\n', ["--irf", "2mA", "--irf-is", "peak"]),
])
def test_a_sample_file_current_with_its_form_passes_to_the_files(tmp_path, capsys, text, options):
    sample = tmp_path / "sample.toml"
    sample.write_text(text)
    code, err = _refusal(tmp_path, capsys, "--sample", str(sample), *options)
    assert code == 2 and f"{MISSING}: no such file" in err


@pytest.mark.parametrize("text, option", [('irf = "2.1213mA"\nirf_is = "rms"\n', "peak"),
                                          ('irf = "3mA"\nirf_is = "peak"\n', "rms"),
                                          ('irf = "3mA"\ncurrent_is_rms = false\n', "rms"),
                                          ('current_peak = "5mA"\n', "rms")])
def test_a_form_option_against_the_sample_files_own_form_is_refused(tmp_path, capsys, text,
                                                                     option):
    """A sample file that states its current's form, and --irf-is saying the other without a
    current of its own: the option replaced the file's form (its rms current read as the
    peak, xi_DL twice the truth, exit 0). Refused naming both; the same form passes."""
    sample = tmp_path / "sample.toml"
    sample.write_text(text)
    code, err = _refusal(tmp_path, capsys, "--sample", str(sample), "--irf-is", option)
    assert code == 2
    assert f"--irf-is {option} is given with the sample file {sample}" in err
    assert "says its own current is" in err and MISSING not in err
    other = "rms" if option == "peak" else "peak"
    code, err = _refusal(tmp_path, capsys, "--sample", str(sample), "--irf-is", other)
    assert code == 2 and f"{MISSING}: no such file" in err


@pytest.mark.parametrize("mapping, key", [
    ({"irf": "1mA"}, "irf"), ({"I_RF": "1mA", "ms": "1T"}, "I_RF"),
    ({"irf": "1mA", "irf_is": "rms"}, None), ({"Irf": "1mA", "Irf-Is": "peak"}, None),
    ({"i_rf": 1.0, "i_rf_is_rms": False}, None),      # a summary's sample section
    ({"current_peak": "1mA"}, None), ({"ms": "1T"}, None),
])
def test_the_key_of_a_current_without_its_form(mapping, key):
    from sotfit.device import current_without_form

    assert current_without_form(mapping) == key
