"""Files broken on their way into a batch: a file cut short mid-row is an error naming the
line (it was fitted as a one-polarity spectrum, window clipped, exit 0, no flag); two empty
files are reported as empty, not as 'identical content'."""

from pathlib import Path

import pytest

from sotfit.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example" / "py_pt_10GHz.csv"


def test_a_file_cut_mid_row_is_an_error_naming_the_line(tmp_path, capsys):
    text = EXAMPLE.read_text()
    lines = text.splitlines()
    cut = "\n".join(lines[:300]) + "\n-"            # as `head -c` leaves it: a sign, no digits
    f = tmp_path / "py_pt_10GHz_cut.csv"
    f.write_text(cut)
    assert main(["stfmr", str(f), "--no-figures", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "line 301" in err and "truncated" in err
    # the whole file reads
    assert main(["stfmr", str(EXAMPLE), "--no-figures", "--out", str(tmp_path / "w")]) == 0


def test_two_empty_files_are_reported_as_empty(tmp_path, capsys):
    (tmp_path / "a_10GHz.csv").write_text("")
    (tmp_path / "b_10GHz.csv").write_text("")
    assert main(["stfmr", str(tmp_path / "a_10GHz.csv"), str(tmp_path / "b_10GHz.csv"),
                 "--no-figures", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "empty" in err and "identical content" not in err
