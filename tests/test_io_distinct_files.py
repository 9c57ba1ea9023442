"""A measurement given twice (a folder and one of its files, overlapping patterns, one file
saved under two names) would count its points twice: every value as before, every standard
error up to 1/sqrt(2) too small. ST-FMR spectra and harmonic Hall scans refuse it, naming both
files, as thickness tables do; distinct files of equal size are still read."""

import shutil

import pytest

from bundled import ROTATIONS, SPECTRUM, avci_options
from sotfit.cli import main
from sotfit.data import DataError
from sotfit.io import read_stfmr
from sotfit.io.hall import HallReadError, read_hall

HALL_READ = dict(current=1.5e-3, current_is="rms", lockin_output="rms", r2w_channel="X",
                 gain_2w=10.0)


def test_a_spectrum_given_twice_is_refused_naming_both(tmp_path, capsys):
    folder = SPECTRUM.parent
    with pytest.raises(DataError, match="are the same file; give each input once"):
        read_stfmr([folder, SPECTRUM])
    copy = shutil.copy(SPECTRUM, tmp_path / "copy.csv")
    assert main(["stfmr", str(folder), str(copy), "--one-sample", "--no-figures",
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{SPECTRUM.name}" in err and "copy.csv have identical content" in err
    assert not (tmp_path / "out").exists()


def test_a_rotation_given_twice_or_saved_twice_is_refused(tmp_path, capsys):
    with pytest.raises(HallReadError, match="are the same file"):
        read_hall([*ROTATIONS, ROTATIONS[-1]], **HALL_READ)
    copy = shutil.copy(ROTATIONS[-1], tmp_path / "phi_400mT_again.csv")
    assert main(["hall", *map(str, ROTATIONS), str(copy), *avci_options(),
                 "--out", str(tmp_path / "out")]) == 2
    assert "phi_400mT_again.csv have identical content" in capsys.readouterr().err


def test_files_of_equal_size_and_different_numbers_are_read(tmp_path):
    """Two spectra whose files have the same size (one digit changed) are two spectra."""
    text = SPECTRUM.read_text(encoding="utf-8")
    other = text.replace("0.213579", "0.213578", 1)
    assert other != text and len(other) == len(text)
    (tmp_path / "a_10GHz.csv").write_text(text, encoding="utf-8")
    (tmp_path / "b_10GHz.csv").write_text(other, encoding="utf-8")
    assert len(read_stfmr(tmp_path)) == 2


@pytest.mark.parametrize("rewrite", [
    lambda b: b.replace(b"\n", b"\r\n"),                     # saved again on Windows
    lambda b: b"# saved again\n" + b,                        # a comment added on top
    lambda b: b.replace(b"\n", b"  \n") + b"\n\n",           # trailing blanks, blank lines
])
def test_a_copy_that_differs_only_in_line_ends_or_comments_is_refused(tmp_path, capsys, rewrite):
    """The byte comparison missed these copies: a spectrum or rotation saved twice with other
    line ends or a comment line was fitted twice, every standard error smaller, no flag."""
    spec = tmp_path / "spectra"
    spec.mkdir()
    for f in sorted(SPECTRUM.parent.glob("py_pt_*GHz.csv"))[:3]:
        shutil.copy(f, spec / f.name)
    (spec / "copy.csv").write_bytes(rewrite(SPECTRUM.read_bytes()))
    with pytest.raises(DataError, match=r"copy.csv and .*py_pt_10GHz.csv hold the same lines"):
        read_stfmr([spec])
    copy = tmp_path / "phi_400mT_again.csv"
    copy.write_bytes(rewrite(ROTATIONS[-1].read_bytes()))
    assert main(["hall", *map(str, ROTATIONS), str(copy), *avci_options(),
                 "--out", str(tmp_path / "out")]) == 2
    assert "phi_400mT_again.csv hold the same lines" in capsys.readouterr().err
    # a file whose numbers differ in one digit is another measurement
    other = tmp_path / "spectra" / "copy.csv"
    text = SPECTRUM.read_text().splitlines()
    text[-1] = text[-1][:-1] + ("1" if text[-1][-1] != "1" else "2")
    other.write_text("\n".join(text) + "\n")
    read_stfmr([spec])
